"""Moderation in PLS path models: interaction terms ``A:B`` and quadratic terms ``A:A``.

A model whose paths include an interaction term (``Satisfaction ~ Image +
Expectation + Image:Expectation``; :attr:`csi.ModelSpec.interactions`) is fitted by
:func:`csi.fit_pls` with ``interaction=`` one of :data:`METHODS`. Each method builds
the interaction construct ``Image:Expectation`` from the data, then the model with
that construct is estimated as usual (mode A weights for the interaction construct).
The conventions are those of seminr (Ray, Danks & Calero Valdez) and SmartPLS:

* ``"two_stage"`` (default; Henseler & Chin 2010; Becker, Ringle & Sarstedt 2018):
  stage one fits the main-effects model (the interaction paths left out) with the same
  settings; the interaction construct has one item, the product ``z_A z_B`` of the
  standardized stage-one scores of ``A`` and ``B`` (item ``"Image:Expectation_product"``).
* ``"product_indicator"`` (Chin, Marcolin & Newsted 2003): one item per pair of an
  item ``a`` of ``A`` and an item ``b`` of ``B``, the product ``z_a z_b`` of the
  standardized items (mean 0, SD with divisor ``n - 1``), named ``"a:b"``, ``A``'s
  item varying slowest (a quadratic term uses every ordered pair).
* ``"orthogonal"`` (Little, Bovaird & Widaman 2006): those products, each replaced
  by its residual from the least-squares regression (with intercept) on all the
  items of ``A`` and ``B``.

As every item, the generated items are standardized by the PLS algorithm, so the
interaction construct's score is the standardized product (mean 0, variance 1) and
its row of ``path_coefficients`` is a standardized path like the others.
:attr:`InteractionResult.interaction_effects` gives each interaction path per unit
of the product of the standardized scores (Henseler & Chin 2010: the standardized
path divided by the loading-weighted SD of the term's items; seminr reports this
value as the interaction path): the ``b_int`` of ``y = b_A x + b_B m + b_int x m``
behind :func:`simple_slopes` and :func:`csi.plots.slope_plot`. seminr's loadings
of the interaction items are covariances (the correlations reported here times
that SD); its weights, the other paths and loadings and R² are those reported here.
Respondents with a missing answer are left out before the items are built
(listwise). The generated items are stored in the result's copy of the data, so
every table (paths, weights, loadings, R², effects, quality criteria) lists
``Image:Expectation`` as a construct. An interaction construct has no 0-100 index:
the index, respondent index, segment index, impacts and IPMA leave it out and say so
in the table's ``attrs["note"]``.

Bootstrap: every stage - standardization, residualization, stage one - is redone on
each resample (:mod:`csi.pls.refit_bootstrap`).

References: Henseler & Chin (2010), *Structural Equation Modeling* 17(1), 82-109;
Hair, Hult, Ringle & Sarstedt (2017), *A Primer on PLS-SEM*, 2nd ed., ch. 7.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.display import Summary
from csi.i18n import check_lang, phrases, text
from csi.pls import display as _display
from csi.pls import index as _ix
from csi.pls import segments as _segments
from csi.pls.fit_single import _item_matrix
from csi.pls.fit_single import fit_single as fit_pls
from csi.pls.intervals import percentile
from csi.pls.result import PLSResult
from csi.spec import ModelSpec

__all__ = ["METHODS", "InteractionResult", "fit_interaction", "simple_slopes"]

#: The interaction methods of ``fit_pls(..., interaction=)``.
METHODS = ("two_stage", "product_indicator", "orthogonal")

_NOTE = text("interaction.note", "en")


@dataclass(frozen=True, repr=False)
class InteractionResult(PLSResult):
    """A fitted PLS model with interaction terms (see :mod:`csi.pls.interaction`).

    Everything of :class:`PLSResult`, with each interaction term a construct of
    :attr:`spec` (measured by its generated items); in addition ``model`` (the spec
    as given, with its interaction terms), ``method`` (:data:`METHODS`),
    ``terms`` (interaction term -> its generated items) and ``stage_one`` (the
    main-effects fit of the two-stage method, else ``None``).
    """

    model: ModelSpec | None = None
    method: str = "two_stage"
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stage_one: PLSResult | None = field(default=None, repr=False)
    product_sd: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def interaction_effects(self) -> pd.DataFrame:
        """``source, target, estimate, standardized``: each interaction path per unit of
        the product of the standardized scores (Henseler & Chin 2010; as seminr).

        ``standardized`` is the path of the standardized interaction score (the
        ``path_coefficients`` row); ``estimate = standardized / s`` with ``s`` =
        :attr:`product_sd` of the term, the loading-weighted mean SD of its generated
        items ``s = sum_k |l_k| sd(x_k) / sum_k |l_k|`` (for the two-stage method
        exactly the SD of ``z_A z_B``). This is the ``b_int`` of
        ``y = b_A x + b_B m + b_int x m`` used by :func:`simple_slopes`, and the
        interaction path seminr reports.
        """
        names = self.layout.constructs
        pairs = [
            (s, t)
            for s, t in zip(*np.nonzero(self.layout.path), strict=True)
            if names[s] in self.terms
        ]
        std = np.array([self.arrays.paths[s, t] for s, t in pairs], dtype=float)
        scale = np.array([self.product_sd[names[s]] for s, _ in pairs], dtype=float)
        return pd.DataFrame(
            {
                "source": [names[s] for s, _ in pairs],
                "target": [names[t] for _, t in pairs],
                "estimate": std / scale if std.size else std,
                "standardized": std,
            }
        )

    def _note(self, table: pd.DataFrame | pd.Series) -> Any:
        table.attrs["note"] = _NOTE.format(terms=", ".join(self.terms))
        return table

    def _index_parts(
        self, scale: Any, *, warn: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        # as PLSResult, but a negative weight of a generated item is not warned about:
        # the interaction terms get no index
        parts = super()._index_parts(scale, warn=False)
        if warn:
            owner = [self.layout.constructs[b] for b in self.layout.block]
            bad = [
                f"{self.layout.items[k]} ({owner[k]})"
                for k in np.flatnonzero(parts[0] < 0)
                if owner[k] not in self.terms
            ]
            if bad:
                warnings.warn(
                    "negative rescaled outer weight(s) for " + ", ".join(bad) + ": the index "
                    "of their construct is not a weighted mean of its items and may leave "
                    "[0, 100]",
                    _ix.NegativeWeightWarning,
                    stacklevel=4,
                )
        return parts

    def index(self, scale: Any = None) -> pd.Series:
        """The 0-100 index per construct, without the interaction terms (``attrs["note"]``)."""
        idx = super().index(scale)
        return self._note(idx.drop(list(self.terms)))

    def rescaled_weights(self, scale: Any = None) -> pd.DataFrame:
        """The index weights ``u_i`` of the constructs that have an index."""
        out = super().rescaled_weights(scale)
        return self._note(out[~out["construct"].isin(self.terms)].reset_index(drop=True))

    def respondent_index(self, scale: Any = None) -> pd.DataFrame:
        """Each respondent's 0-100 scores, without the interaction terms."""
        return self._note(super().respondent_index(scale).drop(columns=list(self.terms)))

    def index_by(
        self, segment: Hashable | pd.Series | Sequence[Any], scale: Any = None
    ) -> pd.DataFrame:
        """The index per segment (:meth:`PLSResult.index_by`), without the interaction terms."""
        full = _segments.index_by(self, segment, PLSResult.respondent_index(self, scale))
        out = full[~full["construct"].isin(self.terms)].reset_index(drop=True)
        out.attrs.update(full.attrs)
        return self._note(out)

    def impacts(self, points: float = 5, scale: Any = None) -> pd.DataFrame:
        """Index impacts (:meth:`PLSResult.impacts`) between constructs that have an index."""
        out = super().impacts(points, scale)
        keep = ~out["source"].isin(self.terms) & ~out["target"].isin(self.terms)
        return self._note(out[keep].reset_index(drop=True))

    def ipma(self, target: str, scale: Any = None, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """Importance-performance map data (:meth:`PLSResult.ipma`) without the
        interaction terms as drivers (their performance is undefined)."""
        if target in self.terms:
            raise CsiInputError(
                f"target {target!r} is an interaction term: it has no index, so no IPMA"
            )
        keep = [e for e in exclude if e not in self.terms]
        return self._note(super().ipma(target, scale, exclude=[*keep, *self.terms]))

    def summary(self, lang: str = "en", digits: int = 3) -> Summary:
        """The text report of :meth:`PLSResult.summary`, then the interaction effects."""
        base = _display.summary(self, check_lang(lang), digits)
        lab = phrases("interaction", lang)
        effects = self.interaction_effects
        table = pd.DataFrame(
            {
                lab["path"]: [
                    f"{s} -> {t}" for s, t in zip(effects["source"], effects["target"], strict=True)
                ],
                lab["effect"]: effects["estimate"].round(digits),
                lab["standardized"]: effects["standardized"].round(digits),
            }
        )
        title = lab["title"].format(method=self.method.replace("_", " "))
        lines = [base, "", title, table.to_string(index=False)]
        notes = list(base.notes)
        if self.scale is not None:
            lines.append(lab["note"].format(terms=", ".join(self.terms)))
            notes.append(lines[-1])
        return Summary(
            "\n".join(lines),
            title=base.heading,
            notes=notes,
            tables={**base.tables, title: table},
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html

    def compare_groups(self, group: Any, **options: Any) -> Any:
        """Not available: the groups would need the interaction terms rebuilt in each."""
        raise CsiInputError(
            "group comparison of a model with interaction terms is not supported: fit "
            "each group with fit_pls and compare the interaction effects, or model the "
            "group as a moderator"
        )

    def model_fit(self, *, bootstrap: int = 0, seed: Any = None, inadmissible: str = "keep") -> Any:
        """SRMR, d_ULS and d_G of the model with its interaction constructs
        (:meth:`PLSResult.model_fit`); the Bollen-Stine bootstrap is not available."""
        if bootstrap:
            raise CsiInputError(
                "bootstrap=: the Bollen-Stine test does not rebuild the interaction terms "
                "per resample; use model_fit() without it"
            )
        return super().model_fit(bootstrap=0, seed=seed, inadmissible=inadmissible)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", interaction={self.method!r})"


# ------------------------------------------------------------------ building
@dataclass(frozen=True)
class _Refit:
    """``refit`` of an interaction fit: the whole procedure again on resampled rows
    (the generated columns of the frame are dropped and rebuilt). A class, not a
    closure, so that a result can be pickled."""

    spec: ModelSpec
    generated: tuple[str, ...]
    options: Mapping[str, Any]

    def __call__(self, frame: pd.DataFrame) -> PLSResult:
        own = [c for c in self.generated if c in frame.columns]
        return fit_interaction(frame.drop(columns=own), self.spec, **self.options)


def _standardize(x: np.ndarray) -> np.ndarray:
    """Columns to mean 0 and SD 1 (divisor ``n - 1``); a constant column is an error."""
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise CsiInputError("an item is constant among the respondents used (no variance)")
    return (x - x.mean(axis=0)) / sd


def _products(
    X: np.ndarray, items: list[str], spec: ModelSpec, term: str, orthogonal: bool
) -> np.ndarray:
    """The product items of ``term`` (columns in the order of :func:`_generated_names`)."""
    a, b = spec.interaction_parts(term)
    col = {item: k for k, item in enumerate(items)}
    cols_a = [col[i] for i in spec.indicators[a]]
    cols_b = [col[i] for i in spec.indicators[b]]
    za, zb = _standardize(X[:, cols_a]), _standardize(X[:, cols_b])
    prod = (za[:, :, None] * zb[:, None, :]).reshape(len(X), -1)  # a's item slowest
    if orthogonal:
        design = np.column_stack([np.ones(len(X)), X[:, list(dict.fromkeys(cols_a + cols_b))]])
        coef, *_ = np.linalg.lstsq(design, prod, rcond=None)
        prod = prod - design @ coef
    return prod


def _generated_names(spec: ModelSpec, method: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for term in spec.interactions:
        a, b = spec.interaction_parts(term)
        if method == "two_stage":
            out[term] = [f"{term}_product"]
        else:
            out[term] = [f"{i}:{j}" for i in spec.indicators[a] for j in spec.indicators[b]]
    return out


def fit_interaction(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    method: str = "two_stage",
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    scale: Any = None,
    sign: Any = "loadings",
) -> InteractionResult:
    """Fit a model with interaction terms (module docstring); used by :func:`csi.fit_pls`.

    ``data`` is a DataFrame (never modified); the other options are those of
    :func:`csi.fit_pls`. The result's :attr:`PLSResult.refit` re-runs this function,
    so its bootstrap redoes every stage.
    """
    check_choice(method, METHODS, name="interaction")
    if not isinstance(data, pd.DataFrame):
        raise CsiInputError(
            "a model with interaction terms is fitted from a pandas DataFrame (got "
            f"{type(data).__name__}); for a Survey pass "
            "survey.public_data(all_respondents=True) and scale="
        )
    spec.check_data(data.columns)
    items = list(spec.items)
    generated = _generated_names(spec, method)
    taken = set(data.columns.astype(str)) | set(spec.constructs) | set(items)
    for term, names in generated.items():
        clash = [n for n in names if n in taken]
        if clash:
            raise CsiInputError(
                f"interaction term {term!r}: the generated item name {clash[0]!r} is already a "
                "column of the data or a name in the model; rename that column"
            )
    X_all = _item_matrix(data, items)
    complete = ~np.isnan(X_all).any(axis=1)
    X = X_all[complete]
    main = spec.main_effects()
    stage_one = None
    if method == "two_stage":
        stage_one = fit_pls(
            data.loc[complete, items], main, scheme=scheme, tol=tol, max_iter=max_iter, sign=sign
        )
        assert stage_one.scores is not None
    values: dict[str, np.ndarray] = {}
    for term, names in generated.items():
        if stage_one is not None and stage_one.scores is not None:
            a, b = spec.interaction_parts(term)
            z = stage_one.scores
            values[names[0]] = (z[a] * z[b]).to_numpy()
        else:
            prod = _products(X, items, spec, term, orthogonal=method == "orthogonal")
            for k, n in enumerate(names):
                values[n] = prod[:, k]
    block = np.full((len(data), len(values)), np.nan)
    block[complete] = np.column_stack(list(values.values()))
    augmented = pd.concat(
        [data, pd.DataFrame(block, index=data.index, columns=list(values))], axis=1
    )
    expanded = ModelSpec(
        indicators={**spec.indicators, **{t: tuple(n) for t, n in generated.items()}},
        paths=spec.paths,
        modes={**spec.modes, **dict.fromkeys(generated, "A")},
    )
    full_scale = None
    if scale is not None:
        given = _ix.normalise_scale(scale, spec.items)
        per_item = dict(given) if isinstance(given, Mapping) else dict.fromkeys(spec.items, given)
        for n, v in values.items():  # placeholders: no index is reported for the terms
            lo, hi = float(np.min(v)), float(np.max(v))
            per_item[n] = (lo, hi if hi > lo else lo + 1.0)
        full_scale = per_item
    fit = fit_pls(
        augmented,
        expanded,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        scale=full_scale,
        sign=sign,
    )
    refit = _Refit(
        spec,
        tuple(n for names in generated.values() for n in names),
        {
            "method": method,
            "scheme": scheme,
            "tol": tol,
            "max_iter": max_iter,
            "scale": scale,
            "sign": sign,
        },
    )

    where = {item: k for k, item in enumerate(fit.layout.items)}
    product_sd: dict[str, float] = {}
    for term, names in generated.items():
        lam = np.abs(fit.arrays.loadings[[where[n] for n in names]])
        sd = np.array([np.std(values[n], ddof=1) for n in names])
        product_sd[term] = float(lam @ sd / lam.sum())
    base = {f.name: getattr(fit, f.name) for f in fields(fit)}
    base["refit"] = refit
    return InteractionResult(
        **base,
        model=spec,
        method=method,
        terms={t: tuple(n) for t, n in generated.items()},
        stage_one=stage_one,
        product_sd=product_sd,
    )


# ------------------------------------------------------------ simple slopes
def simple_slopes(
    result: PLSResult,
    iv: str,
    moderator: str,
    at: Sequence[float] = (-1, 0, 1),
    *,
    boot: Any = None,
) -> pd.DataFrame:
    """The effect of ``iv`` on each outcome of the term ``iv:moderator`` at moderator levels.

    With standardized scores, paths ``b_iv`` and ``b_mod`` (0 without a direct path)
    and ``b_int`` the interaction effect per unit of the product of the standardized
    scores (:attr:`InteractionResult.interaction_effects`), the outcome's predicted
    standardized score is ``y = b_iv x + b_mod m + b_int x m`` (the convention of
    seminr's ``slope_analysis`` and SmartPLS; Hair et al. 2017, ch. 7). At moderator
    level ``m`` (in SDs) the simple slope is ``b_iv + b_int m`` and the intercept
    ``b_mod m``. A quadratic term ``A:A`` gives ``y = b x + c x²``; its row at level
    ``m`` is the tangent line at ``x = m``: slope ``b + 2 c m``, intercept ``-c m²``.

    ``boot``: a bootstrap of ``result`` run with ``keep_draws=True``; adds the
    bootstrap ``se`` of each slope and its percentile interval ``ci_lower, ci_upper``
    at the bootstrap's level, from the slope of every valid resample
    ``b*_iv + m b*_int`` (the draws of the same resamples, so their correlation counts).

    Returns
    -------
    DataFrame
        ``target, iv, moderator, at, intercept, slope`` (and ``se, ci_lower, ci_upper``):
        one row per outcome and level.
    """
    term = _term_of(result, iv, moderator)
    assert isinstance(result, InteractionResult)
    pc = result.path_coefficients
    effects = result.interaction_effects
    levels = [float(m) for m in at]
    if not levels or not all(np.isfinite(levels)):
        raise CsiInputError(f"at= must be finite moderator levels in SDs, got {at!r}")

    def path(source: str, target: str) -> float:
        hit = pc[(pc["source"] == source) & (pc["target"] == target)]["estimate"]
        return float(hit.iloc[0]) if len(hit) else 0.0

    targets = pc.loc[pc["source"] == term, "target"].tolist()
    rows = []
    for t in targets:
        b_iv = path(iv, t)
        hit = effects[(effects["source"] == term) & (effects["target"] == t)]
        b_int = float(hit["estimate"].iloc[0])
        for m in levels:
            if iv == moderator:  # the tangent line of y = b x + c x² at x = m
                rows.append((t, iv, moderator, m, -b_int * m * m, b_iv + 2 * b_int * m))
            else:
                rows.append((t, iv, moderator, m, path(moderator, t) * m, b_iv + b_int * m))
    table = pd.DataFrame(rows, columns=["target", "iv", "moderator", "at", "intercept", "slope"])
    if boot is not None:
        _slope_intervals(table, boot, term, iv == moderator)
    return table


def _slope_intervals(table: pd.DataFrame, boot: Any, term: str, quadratic: bool) -> None:
    """Add ``se, ci_lower, ci_upper`` of the slopes from the kept bootstrap draws."""

    if getattr(boot, "deviations", None) is None:
        raise CsiInputError("boot= needs the draws: run result.bootstrap(..., keep_draws=True)")
    labels = boot.table
    dev = np.asarray(boot.deviations, dtype=float)
    dev = dev[~np.isnan(dev).all(axis=1)]

    def column(kind: str, source: str, target: str) -> np.ndarray:
        hit = np.flatnonzero(
            (labels["kind"] == kind) & (labels["source"] == source) & (labels["target"] == target)
        )
        if not hit.size and kind == "interaction_effect":
            raise CsiInputError(
                f"boot= has no interaction effect of {term!r}: pass the bootstrap of this result"
            )
        return dev[:, int(hit[0])] if hit.size else np.zeros(len(dev))

    factor = (2.0 if quadratic else 1.0) * table["at"].to_numpy(dtype=float)
    slopes = np.column_stack(
        [
            column("path", str(iv), str(t)) + f * column("interaction_effect", term, str(t))
            for iv, t, f in zip(table["iv"], table["target"], factor, strict=True)
        ]
    )
    lower, upper = percentile(slopes, boot.level)
    table["se"] = slopes.std(axis=0, ddof=1)
    table["ci_lower"] = table["slope"].to_numpy() + lower
    table["ci_upper"] = table["slope"].to_numpy() + upper


def _term_of(result: PLSResult, iv: str, moderator: str) -> str:
    terms = result.terms if isinstance(result, InteractionResult) else {}
    for name in (f"{iv}:{moderator}", f"{moderator}:{iv}"):
        if name in terms:
            return name
    raise CsiInputError(
        f"the model has no interaction term {iv}:{moderator}; its interaction terms are "
        f"{list(terms)}"
    )
