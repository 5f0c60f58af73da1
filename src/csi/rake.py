"""Raking: adjust survey weights so that weighted counts meet known population margins.

:func:`rake` fits the weights by iterative proportional fitting (Deming & Stephan
1940): margin after margin, every weight in category ``c`` of margin ``m`` is
multiplied by ``T_mc / Σ_{i in c} w_i``, until every weighted margin is within
``tol · N`` of its target. The result is the raking-ratio calibration estimator of
Deville & Särndal (1992), the fixed point R ``survey::rake`` reaches. With
``cap=(lo, hi)`` the ratios ``g_i = w_i / d_i`` of the raked to the base weights are
clipped to ``[lo, hi]`` after each cycle and the cycle repeated (bounded raking,
Deville & Särndal 1992 §4); when the bounds make the margins unreachable the report
says so (``converged=False``) and a warning is issued.

Own code rather than a library: IPF is some thirty lines of NumPy. Of the packages
looked at, ``ipfn`` has not been released since 2021; ``samplics`` and ``balance``
are whole survey-analysis frameworks with many dependencies of their own;
``weightipy`` (RIM weighting) is small and maintained but brings its own data model
for a loop this short. None would remove the need to check the inputs against the
codebook (private columns, missing categories) and to keep the Survey's other
design columns, which is most of this module.

Standard errors computed afterwards with the raked weights treat them as fixed
design weights (R, by contrast, also uses the raking margins in its linearisation);
with replicate weights every replicate is raked to the same margins, as R does, so
replicate SEs do reflect the raking.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, RakingWarning, plain
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.survey import Survey

__all__ = ["RakeResult", "rake"]


@dataclass(frozen=True)
class RakeResult:
    """What :func:`rake` returns.

    ``survey`` is a new :class:`csi.Survey` whose codebook weight (``weight``, kind
    ``sampling``) holds the raked weights; ``weights`` are those weights, one per
    respondent read (index of :meth:`csi.Survey.all_responses`). ``margins`` has one
    row per margin category: ``variable, category, target, achieved, error``.
    ``max_error`` is the largest ``|achieved - target|`` (in weight units);
    ``n_capped`` counts weights held at a ``cap`` bound.
    """

    survey: Survey
    weights: pd.Series
    converged: bool
    iterations: int
    max_error: float
    margins: pd.DataFrame
    n_capped: int = 0
    replicates_converged: bool = True

    def summary(self, *, lang: str = "en") -> Summary:
        """A few lines: convergence, iterations, largest margin error, weight spread."""
        t = phrases("rake", check_lang(lang))
        w = self.weights.to_numpy()
        pos = w[w > 0]
        title = t["converged" if self.converged else "not_converged"].format(
            iterations=self.iterations, error=self.max_error
        )
        lines = [
            title,
            "  "
            + t["weights"].format(
                total=w.sum(), low=pos.min(), high=pos.max(), ratio=pos.max() / pos.min()
            ),
            "  " + t["kish"].format(n_eff=w.sum() ** 2 / np.sum(w * w), n=w.size),
        ]
        if self.n_capped:
            lines.append("  " + t["capped"].format(n=self.n_capped))
        if not self.replicates_converged:
            lines.append("  " + t["replicates"])
        return Summary.plain(
            "\n".join(lines), title=title, tables={"margins": self.margins}, lang=lang
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _margin_targets(variable: str, spec: Any) -> pd.Series:
    if isinstance(spec, pd.Series):
        targets = spec.astype(float)
    elif isinstance(spec, Mapping):
        targets = pd.Series({k: v for k, v in spec.items()}, dtype=float)
    else:
        raise CsiInputError(
            f"margin {variable!r} must be a mapping or Series category -> target, "
            f"got {type(spec).__name__}"
        )
    if targets.empty:
        raise CsiInputError(f"margin {variable!r} has no categories")
    bad = ~np.isfinite(targets.to_numpy()) | (targets.to_numpy() < 0)
    if bad.any():
        pos = int(np.argmax(bad))
        raise CsiInputError(
            f"margin {variable!r}: category {plain(targets.index[pos])!r} has target "
            f"{plain(targets.iloc[pos])!r}; targets must be non-negative numbers"
        )
    return targets


def _ipf(
    base: np.ndarray,
    masks: list[list[np.ndarray]],
    targets: list[np.ndarray],
    *,
    max_iter: int,
    tol: float,
    cap: tuple[float, float] | None,
) -> tuple[np.ndarray, bool, int, float, int]:
    """(weights, converged, iterations, max error, capped) of raking ``base``."""
    w = base.copy()
    scale = float(targets[0].sum()) or 1.0
    err = np.inf
    it = 0
    n_capped = 0
    for it in range(1, max_iter + 1):
        for cats, tg in zip(masks, targets, strict=True):
            for mask, t in zip(cats, tg, strict=True):
                got = float(w[mask].sum())
                if got > 0:
                    w[mask] *= t / got
        if cap is not None:
            pos = base > 0
            g = np.divide(w, base, out=np.ones_like(w), where=pos)
            clipped = np.clip(g, cap[0], cap[1])
            n_capped = int(np.sum(pos & (clipped != g)))
            w = np.where(pos, base * clipped, 0.0)
        err = max(
            float(np.max(np.abs([w[m].sum() - t for m, t in zip(cats, tg, strict=True)])))
            for cats, tg in zip(masks, targets, strict=True)
        )
        if err <= tol * scale:
            return w, True, it, err, n_capped
    return w, False, it, err, n_capped


def rake(
    survey: Survey,
    margins: Mapping[str, Any],
    *,
    weights: str | None = None,
    total: float | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    cap: tuple[float, float] | None = None,
    name: str | None = None,
) -> RakeResult:
    """Rake the survey's weights to population ``margins`` (Deville & Särndal 1992).

    Parameters
    ----------
    survey:
        A :class:`csi.Survey`; every respondent read is raked.
    margins:
        Column -> {category: population count or share}, e.g.
        ``{"region": {"north": 9000, "south": 8000}, "age": {...}}`` (or Series). Every
        margin must sum to the same total; every category in the data must have a
        target, and a positive target a respondent.
    weights:
        Base weight column; default the codebook's ``weight``, else 1 for everyone.
    total:
        Population size the raked weights sum to; margins are rescaled to it. Default:
        the margins' own sum, or the sum of the base weights when they are shares
        (every margin sums to 1).
    max_iter, tol:
        Stop after ``max_iter`` cycles over the margins, or when every weighted margin
        is within ``tol · total`` of its target.
    cap:
        ``(lo, hi)`` bounds on the ratio raked / base weight (e.g. ``(0.3, 3)``).
    name:
        Column for the raked weights; default the codebook's weight column, else
        ``"weight"``.

    Returns
    -------
    RakeResult
        The new survey, the weights and the convergence report. The caller's survey is
        not changed.

    Examples
    --------
    Four respondents in the north and two in the south, raked to 500 each: north
    weights ``500 / 4``, south weights ``500 / 2``:

    >>> import pandas as pd
    >>> from csi import rake, read_survey
    >>> df = pd.DataFrame({"q1": [4, 5, 3, 2, 4, 5], "region": list("NNNNSS")})
    >>> survey = read_survey(df, {"segments": ["region"], "items": {"q1": {}}})
    >>> result = rake(survey, {"region": {"N": 500, "S": 500}})
    >>> result.weights.tolist(), result.converged, result.survey.weight
    ([125.0, 125.0, 125.0, 125.0, 250.0, 250.0], True, 'weight')
    """
    if not isinstance(survey, Survey):
        raise TypeError(f"survey must be a csi.Survey, got {type(survey).__name__}")
    if not isinstance(margins, Mapping) or not margins:
        raise CsiInputError("margins must be a non-empty mapping: column -> {category: target}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise CsiInputError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not isinstance(tol, int | float) or not 0 < float(tol) < 1:
        raise CsiInputError(f"tol must be a small positive number, got {tol!r}")
    if cap is not None:
        try:
            lo, hi = (float(v) for v in cap)
        except (TypeError, ValueError):
            raise CsiInputError(f"cap must be a pair (lo, hi), got {cap!r}") from None
        if not (0 <= lo < 1 < hi):
            raise CsiInputError(f"cap must satisfy 0 <= lo < 1 < hi, got {cap!r}")
        cap = (lo, hi)
    cb = survey.codebook
    frame = survey.all_responses()
    hidden = set(cb.hidden_columns)

    base_col = weights if weights is not None else cb.weight
    if base_col is None:
        base = np.ones(len(frame))
    else:
        if base_col not in frame.columns:
            raise CsiInputError(f"weight column {base_col!r} not found in the survey")
        base = pd.to_numeric(frame[base_col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(base) | (base < 0)
        if bad.any():
            pos = int(np.argmax(bad))
            raise CsiInputError(
                f"weight column {base_col!r} has {plain(frame[base_col].iloc[pos])!r} at "
                f"row {plain(frame.index[pos])!r}"
            )

    masks: list[list[np.ndarray]] = []
    target_list: list[np.ndarray] = []
    rows: list[tuple[str, Any, float]] = []
    sums = {}
    for variable, spec in margins.items():
        if variable in hidden:
            raise CsiInputError(
                f"margin {variable!r} is an id, personal or free-text column of the survey"
            )
        if variable not in frame.columns:
            raise CsiInputError(f"margin column {variable!r} not found in the survey")
        targets = _margin_targets(variable, spec)
        col = frame[variable]
        if col.isna().any():
            pos = int(np.argmax(col.isna().to_numpy()))
            raise CsiInputError(
                f"margin column {variable!r} has no value at row {plain(frame.index[pos])!r}; "
                "every respondent needs a category to be raked"
            )
        cats = [(col == k).to_numpy() for k in targets.index]
        covered = np.logical_or.reduce(cats)
        if not covered.all():
            pos = int(np.argmin(covered))
            raise CsiInputError(
                f"margin {variable!r} has no target for category {plain(col.iloc[pos])!r} "
                f"(row {plain(frame.index[pos])!r})"
            )
        for k, m, t in zip(targets.index, cats, targets.to_numpy(), strict=True):
            if t > 0 and not np.any(m & (base > 0)):
                raise CsiInputError(
                    f"margin {variable!r}: category {plain(k)!r} has target {t:g} but no "
                    "respondent with a positive weight"
                )
            rows.append((str(variable), plain(k), float(t)))
        masks.append(cats)
        target_list.append(targets.to_numpy(dtype=float))
        sums[str(variable)] = float(targets.sum())

    first = next(iter(sums.values()))
    for variable, s in sums.items():
        if not np.isclose(s, first, rtol=1e-6, atol=0):
            raise CsiInputError(
                f"margins must sum to the same total: {next(iter(sums))!r} sums to {first:g}, "
                f"{variable!r} to {s:g}"
            )
    if total is None and all(np.isclose(s, 1.0, rtol=1e-9, atol=1e-12) for s in sums.values()):
        total = float(base.sum())
    if total is not None:
        if not np.isfinite(total) or total <= 0:
            raise CsiInputError(f"total must be a positive number, got {total!r}")
        target_list = [t / t.sum() * float(total) for t in target_list]
    flat_targets = np.concatenate(target_list)

    w, converged, iterations, err, n_capped = _ipf(
        base, masks, target_list, max_iter=max_iter, tol=float(tol), cap=cap
    )
    if not converged:
        warnings.warn(
            f"raking did not converge after {iterations} iterations (largest margin error "
            f"{err:.3g}); raise max_iter or widen cap",
            RakingWarning,
            stacklevel=2,
        )

    achieved = np.array([w[m].sum() for cats in masks for m in cats])
    report = pd.DataFrame(rows, columns=["variable", "category", "target"])
    report["target"] = flat_targets
    report["achieved"] = achieved
    report["error"] = achieved - flat_targets

    out_col = name or cb.weight or "weight"
    if out_col != cb.weight and out_col in frame.columns:
        raise CsiInputError(
            f"column {out_col!r} already exists in the survey; choose another name="
        )
    responses = frame.copy()
    responses[out_col] = w
    reps_ok = True
    for rc in cb.replicate_weights if base_col == cb.weight else ():
        rw = pd.to_numeric(frame[rc], errors="coerce").to_numpy(dtype=float)
        raked, ok, *_ = _ipf(rw, masks, target_list, max_iter=max_iter, tol=float(tol), cap=cap)
        reps_ok &= ok
        responses[rc] = raked
    if not reps_ok:
        warnings.warn(
            "raking of some replicate weights did not converge", RakingWarning, stacklevel=2
        )

    new_cb = dataclasses.replace(cb, weight=out_col, weight_kind="sampling")
    if survey.responses is None or len(survey.data) == len(frame):
        kept = np.ones(len(frame), dtype=bool)
    else:
        kept = ~survey.report.respondents["excluded"].to_numpy(dtype=bool)
    data = survey.data.copy()
    for name_ in (out_col, *cb.replicate_weights):
        data[name_] = responses[name_].to_numpy()[kept]
    new_survey = dataclasses.replace(
        survey,
        data=data,
        codebook=new_cb,
        responses=None if survey.responses is None else responses,
    )
    if survey.responses is None:
        new_survey = dataclasses.replace(new_survey, data=responses)
    return RakeResult(
        survey=new_survey,
        weights=pd.Series(w, index=frame.index, name=out_col),
        converged=converged,
        iterations=iterations,
        max_error=float(err),
        margins=report,
        n_capped=n_capped,
        replicates_converged=reps_ok,
    )
