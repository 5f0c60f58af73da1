"""Bootstrap by re-running a whole estimation procedure on every resample.

The standard bootstrap (:mod:`csi.pls.bootstrap`) re-estimates one PLS model on
resampled item moments. Procedures with more than one stage - interaction terms
whose product items or stage-one scores depend on the data (:mod:`csi.pls.interaction`),
two-stage higher-order constructs - must redo *every* stage inside each resample,
or the standard errors ignore the variability of the earlier stages (Hair et al.
2017, *A Primer on PLS-SEM*, sec. 7; seminr's ``bootstrap_model`` refits too).

A :class:`csi.pls.PLSResult` whose ``refit`` is set (a callable taking a frame of
resampled rows and returning a :class:`PLSResult`) is bootstrapped here:

* resample ``r`` takes the rows ``resample_indices(N, n, seed)[r]`` (the same draws
  as the standard bootstrap for the same seed) of the respondents the fit used
  (listwise: the complete ones; ``source_data`` rows at ``row_positions``; mean
  and pairwise: every respondent read), with a fresh ``RangeIndex``;
* ``refit(frame)`` re-runs the procedure; the statistics are the paths, outer
  weights, loadings, total and indirect effects and R² of the result it returns
  (and a model with interaction terms its ``interaction_effects``);
* each construct is oriented like the full-sample construct when the fit used the
  default sign rule ``"loadings"`` (flipped when the inner product of its resample
  and full-sample outer weights is negative; its weights, loadings, paths and
  effects change sign), is left alone for ``sign="seminr"``, and a construct with
  an anchor item keeps the orientation the anchor gave it;
* summaries as the standard bootstrap: ``se`` the SD (divisor ``B - 1``) of the
  valid draws, ``t = estimate / se`` and ``pvalue`` from Student's t with ``N - 1``
  degrees of freedom, percentile intervals.

Failures: a resample fails, and is left out of *every* statistic, when ``refit``
raises (reason ``"degenerate"`` for a constant item, ``"estimation error"``
otherwise, the message in ``detail``), when its fit did not converge (``"not
converged"``), when a PLSc reliability is ``<= 0`` (``"non-positive rho_A"``), or
when a statistic finite in the full sample is not finite (``"non-finite
statistic"``). More than 1% failed resamples raise a :class:`BootstrapFailureWarning`
naming the counts per reason.

Not supported here (a clear error names the option): segment indices
(``segment=``), the index rows (``scale=``), extra ``statistics=``, design-based
resampling (``design=``), survey weights, BCa and studentized intervals (BCa's
jackknife would need ``N`` more refits), and ``inadmissible="drop"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from csi._checks import CsiInputError, check_count, check_level, check_rng
from csi.pls.batched import (
    DEGENERATE,
    ESTIMATION_ERROR,
    NON_FINITE,
    NON_POSITIVE_RHO,
    NOT_CONVERGED,
    OK,
    REASONS,
)
from csi.pls.bootstrap_result import TABLE_COLUMNS, BootstrapResult
from csi.pls.effects import effect_pairs, indirectly_reachable, reachable
from csi.pls.intervals import _intervals
from csi.pls.resampling import (
    FAILURE_WARN_SHARE,
    BootstrapFailureWarning,
    progress_bar,
)
from csi.pls.statistics import LABEL_COLUMNS

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["refit_bootstrap", "refit_statistics", "resampled_frame"]

#: Kinds of statistic the refit bootstrap reports, in table order (the last for a
#: result with ``interaction_effects``, :mod:`csi.pls.interaction`).
REFIT_KINDS = (
    "path",
    "outer_weight",
    "loading",
    "total_effect",
    "indirect_effect",
    "r2",
    "interaction_effect",
)


def resampled_frame(result: PLSResult) -> pd.DataFrame:
    """The rows resampled: the respondents the fit used (listwise) or read (mean, pairwise)."""
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError(
            "resampling needs the raw data: this model was fitted from moments only "
            "(fit_pls_moments); use fit_pls on the data"
        )
    frame = result.source_data
    if result.missing == "listwise":
        frame = frame.iloc[result.row_positions]
    return frame


def _labels(result: PLSResult) -> pd.DataFrame:
    layout = result.layout
    names = layout.constructs
    owner = [names[b] for b in layout.block]
    rows: list[dict[str, str]] = []
    for s, t in effect_pairs(layout.path, layout):
        rows.append({"kind": "path", "source": names[s], "target": names[t]})
    for kind in ("outer_weight", "loading"):
        for c, i in zip(owner, layout.items, strict=True):
            rows.append({"kind": kind, "construct": c, "indicator": i})
    for s, t in effect_pairs(reachable(layout), layout):
        rows.append({"kind": "total_effect", "source": names[s], "target": names[t]})
    for s, t in effect_pairs(indirectly_reachable(layout), layout):
        rows.append({"kind": "indirect_effect", "source": names[s], "target": names[t]})
    for t, pred in enumerate(layout.predecessors):
        if pred.size:
            rows.append({"kind": "r2", "construct": names[t]})
    for term, target in _interaction_pairs(result):
        rows.append({"kind": "interaction_effect", "source": term, "target": target})
    return pd.DataFrame({c: [r.get(c, "") for r in rows] for c in LABEL_COLUMNS})


def _interaction_pairs(result: PLSResult) -> list[tuple[str, str]]:
    effects = getattr(result, "interaction_effects", None)
    if not isinstance(effects, pd.DataFrame):
        return []
    return list(zip(effects["source"], effects["target"], strict=True))


def refit_statistics(result: PLSResult, flip: np.ndarray | None = None) -> np.ndarray:
    """The statistics of :data:`REFIT_KINDS` of one fit, in :func:`_labels` order.

    ``flip`` (``+1``/``-1`` per construct) reorients constructs: weights and loadings
    of construct ``j`` times ``d_j``, paths and effects ``s -> t`` times ``d_s d_t``.
    """
    layout = result.layout
    a = result.arrays
    d = np.ones(layout.n_constructs) if flip is None else np.asarray(flip, dtype=float)
    item_sign = d[np.asarray(layout.block)]
    paths = a.paths * np.outer(d, d)
    total = a.total * np.outer(d, d)
    parts = [
        [paths[s, t] for s, t in effect_pairs(layout.path, layout)],
        a.weights * item_sign,
        a.loadings * item_sign,
        [total[s, t] for s, t in effect_pairs(reachable(layout), layout)],
        [total[s, t] - paths[s, t] for s, t in effect_pairs(indirectly_reachable(layout), layout)],
        [a.r2[t] for t, pred in enumerate(layout.predecessors) if pred.size],
    ]
    effects = getattr(result, "interaction_effects", None)
    if isinstance(effects, pd.DataFrame):
        pos = {c: j for j, c in enumerate(layout.constructs)}
        signs = [d[pos[s]] * d[pos[t]] for s, t in _interaction_pairs(result)]
        parts.append(effects["estimate"].to_numpy(dtype=float) * np.asarray(signs))
    return np.concatenate([np.asarray(p, dtype=float).ravel() for p in parts])


def _orientation(full: PLSResult, fit: PLSResult) -> np.ndarray:
    """``-1`` for the constructs to flip so that they point like the full-sample ones."""
    layout = full.layout
    d = np.ones(layout.n_constructs)
    rule = full.sign
    if isinstance(rule, str) and rule == "seminr":
        return d
    anchored = set(rule) if isinstance(rule, dict) else set()
    block = np.asarray(layout.block)
    for j, name in enumerate(layout.constructs):
        if name in anchored:
            continue
        members = block == j
        if float(fit.arrays.weights[members] @ full.arrays.weights[members]) < 0:
            d[j] = -1.0
    return d


def _check_options(
    result: PLSResult,
    ci: str,
    segment: Any,
    scale: Any,
    statistics: Sequence[Any],
    design: Any,
    inadmissible: str,
) -> None:
    refused = [
        (segment is not None, "segment=", "segment indices"),
        (scale is not None, "scale=", "the index rows"),
        (len(statistics) > 0, "statistics=", "extra statistics"),
        (design is not None and design is not False, "design=", "design-based resampling"),
        (inadmissible != "keep", "inadmissible=", "dropping inadmissible PLSc resamples"),
        (ci != "percentile", f"ci={ci!r}", "BCa and studentized intervals"),
    ]
    for bad, option, what in refused:
        if bad:
            raise CsiInputError(
                f"{option}: {what} are not available in the refit bootstrap (used for "
                "models estimated in stages, such as interaction terms); leave the option "
                "out (percentile intervals of paths, weights, loadings, effects and R²)"
            )
    if result.weighted:
        raise CsiInputError(
            "weights: the refit bootstrap (models estimated in stages, such as interaction "
            "terms) does not support survey weights yet; fit without weights="
        )


def _one(
    result: PLSResult, refit: Callable[[pd.DataFrame], PLSResult], frame: pd.DataFrame
) -> tuple[int, str, np.ndarray | None, np.ndarray]:
    """Refit one resample: (status, detail, statistics or None, flips)."""
    none = np.zeros(result.layout.n_constructs, dtype=bool)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = refit(frame)
    except Exception as exc:  # every failure is counted with its reason
        text = f"{type(exc).__name__}: {exc}"
        reason = (
            DEGENERATE
            if "constant" in str(exc) or "no variance" in str(exc)
            else (ESTIMATION_ERROR)
        )
        return reason, text, None, none
    if fit.layout.constructs != result.layout.constructs or fit.layout.items != result.layout.items:
        return ESTIMATION_ERROR, "the refit returned another model", None, none
    if not fit.converged:
        return NOT_CONVERGED, f"no convergence in {fit.max_iter} iterations", None, none
    rho = fit.arrays.consistent_rho_a
    if rho is not None and np.nanmin(rho) <= 0:
        j = int(np.nanargmin(rho))
        return (
            NON_POSITIVE_RHO,
            f"construct {fit.layout.constructs[j]!r} has rho_A = {rho[j]:.4g}",
            None,
            none,
        )
    d = _orientation(result, fit)
    return OK, "", refit_statistics(fit, d), d < 0


def refit_bootstrap(
    result: PLSResult,
    n: int = 5000,
    *,
    seed: Any = None,
    level: float = 0.95,
    ci: str = "percentile",
    workers: int = 1,
    progress: Any = None,
    keep_draws: bool = False,
    batch_size: int | None = None,
    segment: Hashable | pd.Series | Sequence[Any] | None = None,
    scale: Any = None,
    statistics: Sequence[Any] = (),
    design: Any = None,
    min_size: int = 10,
    inadmissible: str = "keep",
) -> BootstrapResult:
    """Bootstrap ``result`` by calling ``result.refit`` on every resample (module docstring).

    Parameters as :func:`csi.pls.bootstrap.bootstrap`; ``workers`` threads run the
    refits (the draws are made first, so the result does not depend on it);
    ``batch_size`` and ``min_size`` are accepted and not used.

    Returns
    -------
    BootstrapResult
        Kinds ``path, outer_weight, loading, total_effect, indirect_effect, r2``;
        ``resampling="respondents (refit)"``.
    """
    refit = result.refit
    if refit is None:
        raise CsiInputError("this result has no refit procedure; use PLSResult.bootstrap")
    n = check_count(n, "n", 2)
    level = check_level(level)
    workers = check_count(workers, "workers", 1)
    _check_options(result, ci, segment, scale, statistics, design, inadmissible)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    rng = check_rng(seed)
    frame = resampled_frame(result)
    n_rows = len(frame)
    labels = _labels(result)
    estimate = refit_statistics(result)
    K = estimate.size
    # the draws of csi.pls.resampling.resample_indices(n_rows, n, seed)
    idx = rng.integers(0, n_rows, size=(n, n_rows))
    buffer = np.full((n, K), np.nan)  # float64: refits are few, keep every digit
    status = np.zeros(n, dtype=np.int8)
    details: dict[int, str] = {}
    flips = np.zeros(result.layout.n_constructs, dtype=np.int64)
    checked = np.isfinite(estimate)
    bar = progress_bar(progress, n, "bootstrap (refit)")

    def job(r: int) -> tuple[int, str, np.ndarray | None, np.ndarray]:
        return _one(result, refit, frame.iloc[idx[r]].reset_index(drop=True))

    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        outcomes = map(job, range(n)) if pool is None else pool.map(job, range(n))
        for r, (code, detail, values, flipped) in enumerate(outcomes):
            if code == OK and values is not None:
                bad = ~np.isfinite(values) & checked
                if bad.any():
                    k = int(np.flatnonzero(bad)[0])
                    row = labels.iloc[k]
                    label = ", ".join(f"{c} {row[c]}" for c in LABEL_COLUMNS[1:] if row[c])
                    code, detail = NON_FINITE, f"{row['kind']} ({label}) is {values[k]}"
                else:
                    buffer[r] = values - estimate
                    flips += flipped
            status[r] = code
            if code != OK:
                details[r] = detail
            if bar is not None:
                bar.update(1)
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None and bar is not progress:
            bar.close()
    failed = np.flatnonzero(status != OK)
    n_valid = n - failed.size
    if n_valid < 2:
        first = int(failed[0])
        raise CsiInputError(
            f"only {n_valid} of {n} resamples could be estimated; first failure: "
            f"{details.get(first, REASONS[int(status[first])])}"
        )
    if failed.size > FAILURE_WARN_SHARE * n:
        reasons = pd.Series([REASONS[int(status[k])] for k in failed]).value_counts()
        warnings.warn(
            f"{failed.size} of {n} bootstrap resamples ({failed.size / n:.1%}) failed and are "
            f"left out ({', '.join(f'{r}: {c}' for r, c in reasons.items())}); "
            "see BootstrapResult.failures",
            BootstrapFailureWarning,
            stacklevel=3,
        )
    valid = status == OK
    dev = buffer[valid].astype(float)
    mean_dev = dev.mean(axis=0)
    se = dev.std(axis=0, ddof=1)
    se = np.where(se <= 1e-10 * np.maximum(1.0, np.abs(estimate)), 0.0, se)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(se > 0, estimate / se, np.nan)
    df = float(n_rows - 1)
    pvalue = 2.0 * _stats.t.sf(np.abs(t), df=df)
    lower, upper, used = _intervals(
        buffer[valid], None, None, estimate, None, None, "percentile", level
    )
    table = labels.copy()
    table["estimate"] = estimate
    table["boot_mean"] = estimate + mean_dev
    table["se"] = se
    table["t"] = t
    table["pvalue"] = pvalue
    table["ci_lower"] = lower
    table["ci_upper"] = upper
    table["interval"] = pd.array(used, dtype="str")
    failures = pd.DataFrame(
        {
            "resample": failed,
            "reason": [REASONS[int(status[k])] for k in failed],
            "detail": [details.get(int(k), "") for k in failed],
        }
    )
    return BootstrapResult(
        table=table[list(TABLE_COLUMNS)],
        n_resamples=n,
        n_failed=int(failed.size),
        failures=failures,
        sign_flips=pd.Series(
            flips,
            index=pd.Index(list(result.layout.constructs), name="construct"),
            name="sign_flips",
        ),
        n_inadmissible=0,
        level=level,
        ci=ci,
        seed=seed if not isinstance(seed, np.random.Generator) else None,
        n_respondents=n_rows,
        scheme=result.scheme,
        consistent=result.consistent,
        deviations=buffer if keep_draws else None,
        weight_kind=None,
        resampling="respondents (refit)",
        df=df,
    )
