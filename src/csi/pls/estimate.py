"""The fit of a PLS path model from its item moments (after :mod:`csi.pls.fit` checked them).

The item correlation matrix from the moments, the outer weights and inner estimates
(:mod:`csi.pls.algorithm`), consistent PLS when asked (:mod:`csi.pls.consistent`),
the construct scores of the raw rows, and the :class:`csi.pls.result.PLSResult`.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.moments import Moments
from csi.pls.algorithm import (
    SCHEMES,
    Layout,
    PLSConvergenceWarning,
    PLSEstimationError,
    check_formative_blocks,
    inner_estimates,
    outer_weights,
    sign_anchors,
)
from csi.pls.arrays import MomentArrays, PLSArrays
from csi.pls.consistent import consistent_estimates
from csi.pls.result import PLSResult
from csi.spec import ModelSpec

logger = logging.getLogger("csi.pls")  # the package's logger (records named as before)


def _correlation(
    means: np.ndarray, cov: np.ndarray, items: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Item correlation matrix and standard deviations; raise naming a constant item."""
    var = np.diagonal(cov)  # a read-only view: not written below
    floor = 1e-24 * np.maximum(1.0, means * means)  # a variance at or below it is zero
    finite = np.logical_and.reduce(np.isfinite(cov), axis=None)
    if not (finite and np.minimum.reduce(var - floor) > 0):  # (var - floor > 0: var > floor)
        _check_variances(means, var, floor, cov, items)
    sd = np.sqrt(var)
    S = cov / (sd[:, None] * sd[None, :])  # np.outer(sd, sd) without its Python layer
    S.flat[:: S.shape[0] + 1] = 1.0  # the diagonal (np.fill_diagonal's own step)
    return S, sd


def _check_variances(
    means: np.ndarray, var: np.ndarray, floor: np.ndarray, cov: np.ndarray, items: tuple[str, ...]
) -> None:
    """Raise naming the items of zero variance, or a covariance that is not finite."""
    ok = np.isfinite(var) & (var > floor)
    if not ok.all():
        names = ", ".join(
            f"{items[k]!r} (always {means[k]:g})" for k in np.flatnonzero(~ok).tolist()
        )
        raise CsiInputError(
            f"item(s) with zero variance: {names}; a constant item cannot measure a "
            "construct: drop it from the model"
        )
    finite = np.isfinite(cov)
    if not finite.all():
        i, j = (int(v) for v in np.argwhere(~finite)[0])
        raise CsiInputError(f"covariance of {items[i]!r} and {items[j]!r} is not finite")


def _fit(
    moments: Moments | MomentArrays,
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
    n_used: int | None = None,
    n_unscored: int = 0,
    replaced: np.ndarray | None = None,
    row_weights: np.ndarray | None = None,
    design_roles: dict[str, Any] | None = None,
    sign: Any = "loadings",
    centred: np.ndarray | None = None,
) -> PLSResult:
    """The fit from the moments; ``raw`` (rows used, items in layout order) gives the
    construct scores, from ``centred`` (``raw - means``) when the caller has it."""
    check_choice(scheme, SCHEMES, name="scheme")
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise CsiInputError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise CsiInputError(f"max_iter must be a positive integer, got {max_iter!r}")
    layout = Layout.from_spec(spec)
    anchors = sign_anchors(sign, layout)
    sign = sign if isinstance(sign, str) else dict(sign)  # the result's own copy
    items = layout.items
    if isinstance(moments, MomentArrays):  # a plain fit: the arrays it computed
        means, cov = moments.means, moments.cov
    else:
        means = moments.means.to_numpy(dtype=float)
        cov = moments.cov.to_numpy(dtype=float)
    S, sd = _correlation(means, cov, items)
    try:
        if layout.mode_b.any():
            check_formative_blocks(S, layout)
        wf = outer_weights(
            S, layout, scheme=scheme, tol=tol, max_iter=int(max_iter), anchors=anchors
        )
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
        own = inner.cross_loadings.take(layout.own_take)  # each item's own construct
    score_array = None
    if raw is not None:  # sum_k (x_ik - mean_k) w_k / sd_k: one pass over the rows
        if centred is None:
            centred = raw - means
        score_array = centred @ ((w / sd)[:, None] * layout.mask)
    if moments.n_excluded:
        logger.info("fit_pls: %d respondents left out for missing answers", moments.n_excluded)
    if moments.n_replaced:
        logger.info("fit_pls: %d missing answers replaced by item means", moments.n_replaced)
    if moments.missing == "pairwise" and n_unscored:
        logger.info(
            "fit_pls: %d respondents with missing answers get no construct score (pairwise)",
            n_unscored,
        )
    return PLSResult(
        spec=spec,
        scheme=scheme,
        consistent=bool(consistent),
        n=int(moments.n if n_used is None else n_used),
        n_excluded=int(moments.n_excluded),
        n_replaced=int(moments.n_replaced),
        n_unscored=int(n_unscored),
        replaced=replaced,
        iterations=int(wf.iterations),
        converged=bool(wf.converged),
        tol=float(tol),
        max_iter=int(max_iter),
        _moments=moments,
        layout=layout,
        arrays=PLSArrays(
            weights=w,
            loadings=own,
            cross_loadings=inner.cross_loadings,
            construct_corr=ccorr,
            paths=paths,
            r2=r2,
            corr=S,
            consistent_rho_a=rho,
        ),
        scale=scale,
        score_array=score_array,
        rows=rows,
        row_positions=positions,
        source_data=source,
        row_weights=row_weights,
        design_roles=design_roles,
        sign=sign,
    )
