"""Standard errors of standardized estimates by the delta method.

A standardized value ``g(theta)`` (a ``std_lv`` or ``std_all`` entry, or a standardized
effect) is a smooth function of the free parameters. Its covariance matrix is
``J V J'`` with ``J = dg / dtheta'`` and ``V`` the covariance of the free parameters
(whichever the estimator gives: expected or observed information, Satorra-Bentler or
Huber-White sandwich), as lavaan's ``standardizedSolution`` (Bollen 1989, *Structural
Equations with Latent Variables*, ch. 4; Sobel 1986).

``J`` is analytic for the parameter table and the effects (:mod:`csi.sem.estimates`,
:mod:`csi.sem.effects`: :func:`jacobian_se`); elsewhere (standardized intercepts) it is
taken by central differences, ``(g(theta + h e_k) - g(theta - h e_k)) / 2h`` with
``h = 1e-5 max(1, |theta_k|)`` (:func:`delta_method_se`; truncation error of order
``h^2``, far below the 1e-4 tolerance of the lavaan tests).
Then ``z = est / se``, a two-sided normal p-value and a Wald interval
``est +- z_{(1 + level) / 2} se``; a value that does not move with the parameters
(``se`` below ``1e-8 max(1, |est|)``, taken as 0: a latent's own ``std_all`` 1,
a fixed-x variance) gets ``z`` and p-value NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special

#: suffixes of the columns added for each standardized column (``std_all_se`` ...)
SE_SUFFIXES = ("se", "z", "pvalue", "ci_lower", "ci_upper")

_REL_STEP = 1e-5
_ZERO_SE = 1e-8


def delta_method_se(
    func: Callable[[np.ndarray], np.ndarray], x: np.ndarray, vcov: np.ndarray
) -> np.ndarray:
    """Standard errors ``sqrt(diag(J V J'))`` of ``func(x)``, ``J`` by central differences.

    ``func`` must return a 1-d array of fixed length; entries that are NaN at ``x``
    get a NaN standard error.
    """
    x = np.asarray(x, dtype=float)
    base = np.asarray(func(x), dtype=float)
    jac = np.zeros((base.size, x.size))
    for k in range(x.size):
        h = _REL_STEP * max(1.0, abs(float(x[k])))
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        jac[:, k] = (np.asarray(func(up), dtype=float) - np.asarray(func(down), dtype=float)) / (
            2 * h
        )
    func(x)  # leave any model state at x
    return jacobian_se(base, jac, vcov)


def jacobian_se(base: np.ndarray, jac: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Standard errors ``sqrt(diag(J V J'))`` of values ``base`` with Jacobian ``jac``.

    A value that cannot move keeps only rounding residue and gets 0; a value that is
    NaN gets a NaN standard error.
    """
    base = np.asarray(base, dtype=float)
    if jac.shape[1]:
        var = np.einsum("ij,jk,ik->i", jac, vcov, jac)
    else:
        var = np.zeros(base.size)
    se = np.sqrt(np.clip(var, 0.0, None))
    # a value that cannot move (a latent's own std_all 1) keeps only rounding residue
    se[se <= _ZERO_SE * np.maximum(1.0, np.abs(base))] = 0.0
    se[~np.isfinite(base)] = np.nan
    return se


def se_arrays(prefix: str, est: np.ndarray, se: np.ndarray, level: float) -> dict[str, np.ndarray]:
    """``<prefix>_se, _z, _pvalue, _ci_lower, _ci_upper`` for estimates ``est`` (arrays).

    A NaN ``se`` (no parameter covariance) leaves every column NaN.
    """
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    zq = special.ndtri(0.5 + level / 2)  # the normal quantile (as scipy.stats.norm.ppf)
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = se > 0
        z = np.where(moving, est / np.where(moving, se, 1.0), np.nan)
    p = np.where(moving, 2 * special.ndtr(-np.abs(np.nan_to_num(z))), np.nan)
    cols = dict(zip(SE_SUFFIXES, (se, z, p, est - zq * se, est + zq * se), strict=True))
    return {f"{prefix}_{k}": v for k, v in cols.items()}


def se_columns(prefix: str, est: np.ndarray, se: np.ndarray, level: float) -> pd.DataFrame:
    """:func:`se_arrays` as a DataFrame."""
    return pd.DataFrame(se_arrays(prefix, est, se, level))


def empty_se_columns(prefix: str, n: int) -> pd.DataFrame:
    """The same columns, all NaN (no parameter covariance available)."""
    return pd.DataFrame({f"{prefix}_{k}": np.full(n, np.nan) for k in SE_SUFFIXES})
