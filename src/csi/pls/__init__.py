"""PLS path modelling of the CSI model: :func:`fit_pls` and :func:`fit_pls_moments`.

``fit_pls`` checks the data, computes the item moments (n, means, covariance) and
hands them to ``fit_pls_moments``; the raw rows are used only for construct
scores. The algorithm itself (:mod:`csi.pls.algorithm`) works on the indicator
correlation matrix, so it accepts a stack of resampled matrices as well.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_frame, check_numeric, plain
from csi.moments import Moments, moments_from_frame
from csi.pls import index as _ix
from csi.pls.algorithm import (
    SCHEMES,
    Layout,
    PLSConvergenceWarning,
    PLSEstimationError,
    check_formative_blocks,
    inner_estimates,
    outer_weights,
)
from csi.pls.bootstrap import BootstrapFailureWarning, BootstrapResult, resample_indices
from csi.pls.consistent import PLScWarning, consistent_estimates
from csi.pls.effects import total_effects
from csi.pls.index import QUADRANTS, NegativeWeightWarning, ipma_priorities
from csi.pls.mga import GroupComparison, compare_groups
from csi.pls.result import PLSArrays, PLSResult
from csi.pls.statistics import ResampleStatistic
from csi.scaleout import is_dask_frame, moments_from_dask
from csi.spec import ModelSpec, as_spec

__all__ = [
    "QUADRANTS",
    "SCHEMES",
    "BootstrapFailureWarning",
    "BootstrapResult",
    "GroupComparison",
    "NegativeWeightWarning",
    "PLSConvergenceWarning",
    "PLSEstimationError",
    "PLSResult",
    "PLScWarning",
    "ResampleStatistic",
    "compare_groups",
    "fit_pls",
    "fit_pls_moments",
    "ipma_priorities",
    "resample_indices",
]

logger = logging.getLogger(__name__)


def fit_pls(
    data: pd.DataFrame | Moments | Any,
    spec: ModelSpec | str,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool = False,
    scale: Any = None,
    missing: str = "listwise",
    client: Any = None,
    progress: bool = False,
) -> PLSResult:
    """Fit a PLS path model (Lohmöller/Wold algorithm) to survey data.

    Parameters
    ----------
    data:
        Respondents x items: a pandas DataFrame, a Dask DataFrame, or a
        :class:`csi.Moments` (sufficient statistics). Other columns are ignored by the
        fit; :meth:`PLSResult.index_by` reads segment columns from this frame. Never
        modified.
    spec:
        A :class:`csi.ModelSpec` or lavaan model text.
    scheme:
        Inner weighting scheme: ``"path"`` (default), ``"centroid"`` or ``"factorial"``
        (formulas in :mod:`csi.pls.algorithm`).
    tol, max_iter:
        Stop when the largest absolute change of an outer weight is below ``tol``
        (default 1e-7); warn with :class:`PLSConvergenceWarning` after ``max_iter``
        (default 300) iterations.
    consistent:
        Consistent PLS (Dijkstra & Henseler 2015) for the reflective constructs:
        corrected loadings, construct correlations, paths, R² and effects.
    scale:
        Item scale end points for the index: ``(lo, hi)`` for every item, a dict
        item -> ``(lo, hi)``, or a :class:`csi.Codebook` (its item end points).
        Answers outside the scale are an error. Without it, the index methods ask
        for ``scale=``: end points are never guessed from the data.
    missing:
        ``"listwise"`` (default: respondents with any missing item are left out and
        counted in ``n_excluded``) or ``"pairwise"`` (moments from every available
        pair; scores only for complete respondents).

    client, progress:
        For a Dask DataFrame only: the ``dask.distributed.Client`` to compute on
        (default: the current scheduler) and whether to show Dask's progress bar.
        A Dask table is reduced to its moments in one pass (:mod:`csi.scaleout`);
        ``scores`` is then ``None`` (see :func:`csi.scaleout.score_to_parquet`).

    Returns
    -------
    PLSResult
    """
    spec = as_spec(spec)
    if is_dask_frame(data):
        if missing != "listwise":
            raise CsiInputError("a Dask table is read listwise; pass missing='listwise'")
        data = moments_from_dask(data, spec.items, client=client, progress=progress)
    if isinstance(data, Moments):
        return fit_pls_moments(
            data,
            spec,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            consistent=consistent,
            scale=scale,
        )
    check_choice(missing, ("listwise", "pairwise"), name="missing")
    check_frame(data)
    spec.check_data(data.columns)
    items = list(spec.items)
    X = _item_matrix(data, items)
    complete = ~np.isnan(X).any(axis=1)
    used = X[complete]
    if missing == "listwise":
        n = used.shape[0]
        _check_n(n, len(X) - n, spec)
        means = used.mean(axis=0)
        centred = used - means
        cov = (centred.T @ centred) / (n - 1)
        labels = pd.Index(items, dtype=object)  # object labels: 3x cheaper than arrow strings
        moments = Moments(
            n=n,
            means=pd.Series(means, index=labels),
            cov=pd.DataFrame(cov, index=labels, columns=labels),
            missing="listwise",
            n_excluded=len(X) - n,
        )
    else:
        moments = moments_from_frame(data, items, missing="pairwise")
    norm_scale = _ix.normalise_scale(scale, spec.items)
    if norm_scale is not None:
        _check_range(X, norm_scale, spec.items)
    positions = np.flatnonzero(complete)
    return _fit(
        moments,
        spec,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        consistent=consistent,
        scale=norm_scale,
        raw=used,
        rows=data.index[positions],
        positions=positions,
        source=data,
    )


def fit_pls_moments(
    moments: Moments,
    spec: ModelSpec | str,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool = False,
    scale: Any = None,
) -> PLSResult:
    """Fit a PLS path model from item moments only (e.g. computed from a Dask frame).

    Same options as :func:`fit_pls`. Everything but construct scores (and so the
    per-respondent and per-segment index) follows from ``n``, the means and the
    covariance matrix; ``scores`` is ``None``.
    """
    spec = as_spec(spec)
    if not isinstance(moments, Moments):
        raise TypeError(f"moments must be a csi.Moments, got {type(moments).__name__}")
    spec.check_data(moments.items, name="the moments")
    if tuple(moments.items) != spec.items:
        moments = moments.subset(spec.items)
    _check_n(moments.n, moments.n_excluded, spec)
    norm_scale = _ix.normalise_scale(scale, spec.items)
    if norm_scale is not None:
        lo, hi = _ix.scale_arrays(norm_scale, spec.items)
        means = moments.means.to_numpy(dtype=float)
        outside = np.flatnonzero((means < lo) | (means > hi))
        if outside.size:
            k = int(outside[0])
            raise CsiInputError(
                f"item {spec.items[k]!r} has mean {means[k]:g}, outside its scale "
                f"({lo[k]:g}, {hi[k]:g}); check scale="
            )
    return _fit(
        moments,
        spec,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        consistent=consistent,
        scale=norm_scale,
        raw=None,
        rows=None,
        positions=None,
        source=None,
    )


# ------------------------------------------------------------------ helpers
def _item_matrix(data: pd.DataFrame, items: list[str]) -> np.ndarray:
    """The items as a float matrix (NaN for missing); raise naming a bad value."""
    where = {c: k for k, c in enumerate(data.columns.tolist())}
    pos = [where[i] for i in items]
    kinds = [getattr(t, "kind", "O") for t in data.dtypes.tolist()]
    text = [items[j] for j, k in enumerate(pos) if kinds[k] not in "biuf"]
    if text:
        check_numeric(data, text)
    if all(k in "biuf" for k in kinds):
        X = data.to_numpy(dtype=float, na_value=np.nan)[:, pos]
    else:
        block = data.iloc[:, pos]
        if text:
            block = block.apply(pd.to_numeric, errors="coerce")
        X = block.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(X).any():
        r, c = (int(v) for v in np.argwhere(np.isinf(X))[0])
        raise CsiInputError(
            f"data: column {items[c]!r} has an infinite value {float(X[r, c])!r} "
            f"at row {plain(data.index[r])!r}"
        )
    return X


def _check_n(n: int, excluded: int, spec: ModelSpec) -> None:
    most_pred = max((len(spec.predecessors(c)) for c in spec.constructs), default=0)
    largest_b = max(
        (len(spec.indicators[c]) for c in spec.constructs if spec.modes[c] == "B"), default=0
    )
    needed = max(3, most_pred + 2, largest_b + 1)
    if n < needed:
        why = f" ({excluded} left out for missing answers)" if excluded else ""
        raise CsiInputError(
            f"too few respondents: {n} with complete answers{why}; this model needs at "
            f"least {needed} (more than the largest number of predictors of a construct "
            f"plus one, {most_pred + 1}, and at least 3)"
        )


def _check_range(X: np.ndarray, scale: Any, items: tuple[str, ...]) -> None:
    """Raise naming the first item with an answer outside its scale (NaN ignored)."""
    lo, hi = _ix.scale_arrays(scale, items)
    outside = (X < lo) | (X > hi)  # NaN compares False
    if outside.any():
        k = int(np.flatnonzero(outside.any(axis=0))[0])
        col = X[:, k][~np.isnan(X[:, k])]
        raise CsiInputError(
            f"item {items[k]!r} has answers from {col.min():g} to {col.max():g}, outside its "
            f"scale ({lo[k]:g}, {hi[k]:g}); check scale= (or recode missing-value codes "
            "such as 99 to NaN first)"
        )


def _correlation(moments: Moments, items: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    cov = moments.cov.to_numpy(dtype=float)
    var = np.diag(cov).copy()
    means = moments.means.to_numpy(dtype=float)
    ok = np.isfinite(var) & (var > 1e-24 * np.maximum(1.0, means**2))
    constant = np.flatnonzero(~ok).tolist()
    if constant:
        names = ", ".join(f"{items[k]!r} (always {means[k]:g})" for k in constant)
        raise CsiInputError(
            f"item(s) with zero variance: {names}; a constant item cannot measure a "
            "construct: drop it from the model"
        )
    if not np.isfinite(cov).all():
        i, j = (int(v) for v in np.argwhere(~np.isfinite(cov))[0])
        raise CsiInputError(f"covariance of {items[i]!r} and {items[j]!r} is not finite")
    sd = np.sqrt(var)
    S = cov / np.outer(sd, sd)
    np.fill_diagonal(S, 1.0)
    return S, sd


def _fit(
    moments: Moments,
    spec: ModelSpec,
    *,
    scheme: str,
    tol: float,
    max_iter: int,
    consistent: bool,
    scale: Any,
    raw: np.ndarray | None,
    rows: pd.Index | None,
    positions: np.ndarray | None,
    source: pd.DataFrame | None,
) -> PLSResult:
    check_choice(scheme, SCHEMES, name="scheme")
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise CsiInputError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise CsiInputError(f"max_iter must be a positive integer, got {max_iter!r}")
    layout = Layout.from_spec(spec)
    items = layout.items
    S, sd = _correlation(moments, items)
    try:
        check_formative_blocks(S, layout)
        wf = outer_weights(S, layout, scheme=scheme, tol=tol, max_iter=int(max_iter))
        inner = inner_estimates(S, wf.weights, layout)
    except PLSEstimationError as exc:
        raise CsiInputError(str(exc)) from exc
    if not wf.converged:
        warnings.warn(
            f"PLS did not converge in {int(wf.iterations)} iterations (last change in "
            f"outer weights {float(wf.change):.2e}, tol {tol:g}); results are unreliable: "
            "raise max_iter or check the model",
            PLSConvergenceWarning,
            stacklevel=3,
        )
    w = wf.weights
    rho = None
    if consistent:
        cf = consistent_estimates(S, w, inner.construct_corr, layout)
        paths, r2, ccorr, own, rho = cf.paths, cf.r2, cf.construct_corr, cf.loadings, cf.rho_a
    else:
        paths, r2, ccorr = inner.paths, inner.r2, inner.construct_corr
        own = inner.cross_loadings[np.arange(len(items)), layout.block]
    score_array = None
    if raw is not None:
        z = (raw - moments.means.to_numpy(dtype=float)) / sd
        score_array = z @ (w[:, None] * layout.mask)
    if moments.n_excluded:
        logger.info("fit_pls: %d respondents left out for missing answers", moments.n_excluded)
    return PLSResult(
        spec=spec,
        scheme=scheme,
        consistent=bool(consistent),
        n=int(moments.n),
        n_excluded=int(moments.n_excluded),
        iterations=int(wf.iterations),
        converged=bool(wf.converged),
        tol=float(tol),
        max_iter=int(max_iter),
        moments=moments,
        layout=layout,
        arrays=PLSArrays(
            weights=w,
            loadings=own,
            cross_loadings=inner.cross_loadings,
            construct_corr=ccorr,
            paths=paths,
            total=total_effects(paths),
            r2=r2,
            corr=S,
            consistent_rho_a=rho,
        ),
        scale=scale,
        score_array=score_array,
        rows=rows,
        row_positions=positions,
        source_data=source,
    )
