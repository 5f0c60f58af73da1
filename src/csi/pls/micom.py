"""MICOM: measurement invariance of composite models across two groups.

Henseler, Ringle & Sarstedt (2016, *International Marketing Review* 33(3), 405-431).
Before comparing two groups' path coefficients (:func:`csi.compare_groups`) the
composites must mean the same thing in both groups. Three steps, for the ``N``
respondents of the two groups pooled:

1. **Configural invariance**: the same constructs, items, paths, data treatment and
   algorithm settings in both groups, and the model estimable in each. One model fitted
   to one data set meets the design conditions by construction; :attr:`MICOMResult.configural`
   lists them as a check list (an inestimable group is an error).
2. **Compositional invariance**: with ``w_a`` and ``w_b`` each group's own outer weights
   and ``Z`` the pooled items standardized on the pooled data, per construct

       c = cor(Z w_a, Z w_b)

   (the scores of every pooled respondent under either group's weights). The group
   labels are permuted ``permutations`` times (group sizes kept), the model re-estimated
   in both permuted groups and ``c*`` recomputed. Compositional invariance holds when
   ``c >= q_(1 - level)(c*)`` (the 5% quantile for ``level=0.95``); one-sided
   ``pvalue = (1 + #{c* <= c}) / (1 + B)``.
3. **Equal means and variances**: scores from the pooled-data weights, standardized
   on the pooled data (mean 0, variance 1), give ``d_mean = mean_a - mean_b`` and
   ``d_logvar = log var_a - log var_b`` (variances with divisor ``n - 1``). Under the
   same permutations (scores fixed, labels shuffled) each holds when the observed
   difference lies within the ``(1 - level)/2`` and ``1 - (1 - level)/2`` quantiles
   of its permutation distribution; two-sided ``pvalue = (1 + #{|d*| >= |d|}) / (1 + B)``.

Verdict per construct: ``full`` (steps 2 and 3 hold: the groups may also be pooled),
``partial`` (step 2 holds, step 3 does not: paths may be compared between the groups)
or ``none`` (step 2 fails). Quantiles are :func:`numpy.quantile` (linear).

Reproducibility: the permuted labels are ``default_rng(seed).permuted(np.tile(labels,
(B, 1)), axis=1)`` with ``labels`` the 0/1 indicator of the first group over the
pooled respondents in data order (a permutation is left out when a permuted group
cannot be estimated, and counted in ``n_failed``; more than 1% failed gives a
:class:`csi.pls.BootstrapFailureWarning`).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_count, check_level, check_rng
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.pls.batched import REASONS
from csi.pls.fit import fit_pls
from csi.pls.fit_single import _check_n
from csi.pls.mga import choose_groups
from csi.pls.resampling import (
    FAILURE_WARN_SHARE,
    BootstrapFailureWarning,
    default_batch_size,
    make_engine,
)
from csi.pls.result import PLSResult
from csi.spec import ModelSpec

__all__ = ["MICOM_COLUMNS", "MICOMResult", "micom"]

#: Columns of :attr:`MICOMResult.table`.
MICOM_COLUMNS = ("construct", "step", "statistic", "lower", "upper", "pvalue", "invariant")
#: The tested statistics, in table order.
STEPS = ("composition", "mean", "log_variance")


@dataclass(frozen=True, repr=False)
class MICOMResult:
    """The result of :func:`micom`.

    table:
        Columns :data:`MICOM_COLUMNS`: per construct and ``step`` (``composition``,
        ``mean``, ``log_variance``) the observed ``statistic`` (``c``, or the group
        difference a - b), the permutation bounds ``lower``/``upper`` (composition:
        ``lower`` is the ``1 - level`` quantile, ``upper`` NaN), ``pvalue`` and
        ``invariant``.
    verdict:
        ``construct, compositional, equal_mean, equal_variance, invariance``
        (``full``, ``partial`` or ``none``).
    configural:
        Step 1 check list: ``check, ok, detail``.
    groups, group_column, n_a, n_b, n_excluded:
        The two groups (differences are a - b), the column (or ``"<series>"``), the
        respondents per group, and those left out: by the fit (missing answers, as its
        ``n_excluded``) or with no group or another group.
    permutations, n_failed, failures, level, seed:
        Permutations drawn, how many failed (``failures``: ``resample, reason, detail``),
        the level and the seed used.
    draws:
        Valid permutation draws: columns ``(step, construct)``, one row per permutation.
    """

    table: pd.DataFrame
    verdict: pd.DataFrame
    configural: pd.DataFrame
    groups: tuple[Any, Any]
    group_column: Any
    n_a: int
    n_b: int
    n_excluded: int
    permutations: int
    n_failed: int
    failures: pd.DataFrame
    level: float
    seed: Any
    draws: pd.DataFrame

    @property
    def invariance(self) -> pd.Series:
        """``full`` / ``partial`` / ``none`` per construct."""
        return self.verdict.set_index("construct")["invariance"]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    def _header(self, lang: str) -> list[str]:
        t = phrases("micom", lang)
        a, b = self.groups
        return [
            t["title"],
            f"{t['groups']}: {self.group_column} = {a} (n={self.n_a}) vs {b} (n={self.n_b}); "
            f"{t['perm']} {self.permutations}, {t['failed']} {self.n_failed}; "
            f"{t['excluded']} {self.n_excluded}",
        ]

    def summary(self, lang: str = "en", digits: int = 3) -> Summary:
        """The check list, the three tests and the verdict, in ``lang`` (``en``/``zh``)."""
        t = phrases("micom", check_lang(lang))
        verdict = self.verdict.assign(invariance=[t[v] for v in self.verdict["invariance"]])
        configural = self.configural.assign(check=[t.get(c, c) for c in self.configural["check"]])
        configural = configural.rename(columns={c: t[c] for c in ("check", "ok", "detail")})
        head = self._header(lang)
        steps = self.table.round(digits)
        text = "\n".join(
            [
                *head,
                "",
                t["configural"],
                configural.to_string(index=False),
                "",
                t["steps"],
                steps.to_string(index=False),
                "",
                t["verdict"],
                verdict.to_string(index=False),
            ]
        )
        tables = {t["configural"]: configural, t["steps"]: steps, t["verdict"]: verdict}
        return Summary(text, title=head[0], notes=head[1:], tables=tables, lang=lang)

    def __repr__(self) -> str:
        counts = self.verdict["invariance"].value_counts()
        parts = ", ".join(f"{k}={int(counts.get(k, 0))}" for k in ("full", "partial", "none"))
        return f"MICOMResult(groups={self.groups!r}, {parts}, permutations={self.permutations})"

    def _repr_html_(self) -> str:
        return self.summary().html


def _group_values(result: PLSResult, group: Any) -> tuple[pd.Series, Any]:
    """The group of every row of ``result.source_data`` and the name to show."""
    data = result.source_data
    assert data is not None
    if isinstance(group, pd.Series):
        missing = data.index.difference(group.index)
        if len(missing):
            raise CsiInputError(
                f"group: the Series has no value for row {missing[0]!r} of the fitted data; "
                "pass a Series indexed like the data"
            )
        if not group.index.is_unique:
            raise CsiInputError("group: the Series index has duplicate labels")
        return group.reindex(data.index), group.name if group.name is not None else "<series>"
    if isinstance(group, Hashable) and not isinstance(group, tuple) and group in data.columns:
        return data[group], group
    if isinstance(group, np.ndarray | list):
        values = np.asarray(group, dtype=object)
        if values.shape != (len(data),):
            raise CsiInputError(
                f"group: {values.shape[0] if values.ndim else 0} values for {len(data)} rows"
            )
        return pd.Series(values, index=data.index), "<array>"
    raise CsiInputError(f"group column {group!r} is not in the fitted data")


def _composition(S: np.ndarray, wa: np.ndarray, wb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``(..., J)`` correlations of the pooled scores under weights ``wa`` and ``wb``.

    With ``S`` the pooled item correlations, ``cor(Z w_a, Z w_b) = w_a' S w_b /
    sqrt(w_a' S w_a  w_b' S w_b)`` per construct block.
    """
    Wa = wa[..., :, None] * mask
    Wb = wb[..., :, None] * mask
    SWa, SWb = S @ Wa, S @ Wb
    num = (Wa * SWb).sum(axis=-2)
    den = np.sqrt((Wa * SWa).sum(axis=-2) * (Wb * SWb).sum(axis=-2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(num / den)


def _moments(scores: np.ndarray, is_a: np.ndarray) -> np.ndarray:
    """``(..., 2, J)``: mean and log-variance differences a - b; ``is_a`` ``(..., N)``."""
    a = is_a.astype(float)
    b = 1.0 - a
    na = a.sum(axis=-1, keepdims=True)
    nb = b.sum(axis=-1, keepdims=True)
    ma, mb = a @ scores / na, b @ scores / nb
    sq = scores**2
    va = (a @ sq - na * ma**2) / (na - 1)
    vb = (b @ sq - nb * mb**2) / (nb - 1)
    return np.stack([ma - mb, np.log(va) - np.log(vb)], axis=-2)


def micom(
    data_or_result: Any,
    model: ModelSpec | str | None = None,
    group: Any = None,
    *,
    groups: Sequence[Any] | None = None,
    permutations: int = 1000,
    seed: Any = None,
    level: float = 0.95,
    **fit_kwargs: Any,
) -> MICOMResult:
    """Measurement invariance of composites (MICOM) between two groups.

    Parameters
    ----------
    data_or_result:
        A fitted :class:`csi.pls.PLSResult`, or data to fit with ``model`` (and
        ``fit_kwargs``, as for :func:`csi.fit_pls`).
    model:
        The model, when data are given (``None`` with a result).
    group:
        A column of the fitted data, or a Series indexed like it (or one value per row).
    groups:
        The two groups ``(a, b)`` when the column has more than two values.
    permutations:
        Permutations of the group labels (default 1,000; Henseler et al. 2016).
    seed:
        Seed of the permutations (fresh entropy when None; stored).
    level:
        0.95: step 2 uses the 5% quantile, step 3 the 2.5% and 97.5% quantiles.

    Returns
    -------
    MICOMResult
        Formulas and decision rules in the module docstring.
    """
    if isinstance(data_or_result, PLSResult):
        if model is not None or fit_kwargs:
            raise CsiInputError("micom: pass model and fit options only with data, not a result")
        result = data_or_result
    else:
        if model is None:
            raise CsiInputError("micom: data given without a model")
        result = fit_pls(data_or_result, model, **fit_kwargs)
    if group is None:
        raise CsiInputError("micom: group is required (a column of the data or a Series)")
    permutations = check_count(permutations, "permutations", 2)
    level = check_level(level)
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError(
            "MICOM needs the raw data: this model was fitted from moments only; use fit_pls"
        )
    if result.weighted:
        raise CsiInputError("MICOM of a weighted fit is not supported: refit with weights=False")
    if result.missing == "pairwise":
        raise CsiInputError("MICOM needs complete rows: refit with missing='listwise' or 'mean'")
    values, column = _group_values(result, group)
    labels = values.to_numpy()[result.row_positions]
    a, b = choose_groups(pd.Series(labels), groups, column)
    pooled = pd.Series(labels).isin([a, b]).to_numpy()
    is_a = (labels == a)[pooled]
    n_a, n_b = int(is_a.sum()), int((~is_a).sum())
    spec = result.spec
    for name, size in ((a, n_a), (b, n_b)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _check_n(size, 0, spec)
        except CsiInputError as err:
            raise CsiInputError(f"group {name!r} of {column!r}: {err}") from None
    layout = result.layout
    engine = make_engine(result)
    X = result.source_data[list(layout.items)].iloc[result.row_positions]
    X = X.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)[pooled]
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    N = len(Z)
    sub = pooled.astype(float)
    observed = engine.fit(np.vstack([sub, sub * (labels == a), sub * (labels == b)]))
    for k, name in ((1, a), (2, b)):
        if not observed.valid[k]:
            raise CsiInputError(
                f"the model cannot be estimated in group {name!r} of {column!r}: "
                + observed.detail.get(k, REASONS[int(observed.status[k])])
            )
    mask = layout.mask.astype(float)
    S = (Z.T @ Z) / (N - 1)
    c = _composition(S, observed.weights[1], observed.weights[2], mask)
    scores = Z @ (observed.weights[0][:, None] * mask)
    scores = (scores - scores.mean(axis=0)) / scores.std(axis=0, ddof=1)
    diff = _moments(scores, is_a)

    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    rng = check_rng(seed)
    perm = rng.permuted(np.tile(is_a.astype(np.int8), (permutations, 1)), axis=1).astype(bool)
    J = layout.n_constructs
    c_star = np.full((permutations, J), np.nan)
    status = np.zeros(permutations, dtype=np.int8)
    detail: dict[int, str] = {}
    where = np.flatnonzero(pooled)
    size = max(1, default_batch_size(len(labels)) // 2)
    for start in range(0, permutations, size):
        m = min(size, permutations - start)
        ca = np.zeros((m, len(labels)))
        ca[:, where] = perm[start : start + m]
        cb = np.zeros((m, len(labels)))
        cb[:, where] = ~perm[start : start + m]
        fit = engine.fit(np.vstack([ca, cb]))
        st = np.where(fit.status[:m] != 0, fit.status[:m], fit.status[m:])
        status[start : start + m] = st
        for k, msg in fit.detail.items():
            detail.setdefault(start + k % m, ("group a: " if k < m else "group b: ") + msg)
        c_star[start : start + m] = _composition(S, fit.weights[:m], fit.weights[m:], mask)
    valid = status == 0
    if valid.sum() < 2:
        raise CsiInputError(
            f"only {int(valid.sum())} of {permutations} permutations could be estimated"
        )
    if (~valid).sum() > FAILURE_WARN_SHARE * permutations:
        warnings.warn(
            f"{int((~valid).sum())} of {permutations} MICOM permutations failed and are left "
            "out; see MICOMResult.failures",
            BootstrapFailureWarning,
            stacklevel=2,
        )
    c_star = c_star[valid]
    d_star = _moments(scores, perm)  # labels only: every permutation is valid here
    d_star = d_star[valid]
    alpha = 1.0 - level
    rows = []
    names = list(layout.constructs)
    tol = 1e-12
    for j, construct in enumerate(names):
        low = float(np.quantile(c_star[:, j], alpha))
        p = (1.0 + np.sum(c_star[:, j] <= c[j] + tol)) / (1.0 + len(c_star))
        rows.append((construct, "composition", float(c[j]), low, np.nan, p, bool(c[j] >= low)))
        for s, step in enumerate(STEPS[1:]):
            draws = d_star[:, s, j]
            lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
            d = float(diff[s, j])
            p = (1.0 + np.sum(np.abs(draws) >= abs(d) - tol)) / (1.0 + len(draws))
            rows.append((construct, step, d, float(lo), float(hi), p, bool(lo <= d <= hi)))
    table = pd.DataFrame(rows, columns=list(MICOM_COLUMNS))
    wide = table.pivot(index="construct", columns="step", values="invariant").loc[names]
    comp = wide["composition"].to_numpy(dtype=bool)
    both = wide["mean"].to_numpy(dtype=bool) & wide["log_variance"].to_numpy(dtype=bool)
    verdict = pd.DataFrame(
        {
            "construct": names,
            "compositional": comp,
            "equal_mean": wide["mean"].to_numpy(dtype=bool),
            "equal_variance": wide["log_variance"].to_numpy(dtype=bool),
            "invariance": np.where(comp & both, "full", np.where(comp, "partial", "none")),
        }
    )
    settings = f"scheme={result.scheme}, consistent={result.consistent}, tol={result.tol:g}"
    configural = pd.DataFrame(
        [
            (
                "same constructs, items and paths",
                True,
                f"one model: {len(names)} constructs, {len(layout.items)} items, "
                f"{len(spec.paths)} paths",
            ),
            ("same data treatment", True, f"missing={result.missing}; pooled standardization"),
            ("same algorithm settings", True, settings),
            ("model estimable in each group", True, f"n_a={n_a}, n_b={n_b}"),
        ],
        columns=["check", "ok", "detail"],
    )
    failed = np.flatnonzero(~valid)
    draws = pd.DataFrame(
        np.column_stack([c_star, d_star[:, 0], d_star[:, 1]]),
        columns=pd.MultiIndex.from_product([STEPS, names], names=["step", "construct"]),
        index=pd.Index(np.flatnonzero(valid), name="permutation"),
    )
    return MICOMResult(
        table=table,
        verdict=verdict,
        configural=configural,
        groups=(a, b),
        group_column=column,
        n_a=n_a,
        n_b=n_b,
        n_excluded=int(result.n_excluded + len(labels) - N),
        permutations=permutations,
        n_failed=int(failed.size),
        failures=pd.DataFrame(
            {
                "resample": failed,
                "reason": [REASONS[int(status[k])] for k in failed],
                "detail": [detail.get(int(k), "") for k in failed],
            }
        ),
        level=level,
        seed=seed if not isinstance(seed, np.random.Generator) else None,
        draws=draws,
    )
