"""Bootstrap confidence intervals: percentile, BCa and studentized (bootstrap-t).

With ``B`` valid draws ``theta*`` of a statistic, full-sample estimate ``theta`` and
``alpha = 1 - level`` (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*,
ch. 12-14; Davison & Hinkley 1997, ch. 5):

* percentile: the ``alpha/2`` and ``1 - alpha/2`` quantiles of ``theta*``;
* BCa: the quantiles at ``Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q)))`` for
  ``q = alpha/2, 1 - alpha/2``, with bias correction
  ``z0 = Phi^-1((#{theta* < theta} + #{theta* = theta} / 2) / B)`` (a draw within
  ``1e-10 max(1, |theta|)`` of ``theta`` counts as equal: a discrete statistic's ties
  are not broken by rounding in the last digits) and acceleration
  ``a = sum d_i³ / (6 (sum d_i²)^{3/2})`` from jackknife values, ``d_i = mean(theta_(.))
  - theta_(i)``;
* studentized: ``[theta - t*_{1-alpha/2} se, theta - t*_{alpha/2} se]`` with
  ``t* = (theta* - theta) / se*`` the quantiles of the resamples' pivots and ``se``
  the same standard-error formula on the full sample.

Quantiles interpolate linearly between order statistics (position ``(B - 1) q``,
NumPy's default).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: Interval methods.
METHODS = ("percentile", "bca", "studentized")


def _quantiles(draws: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per-column quantiles of ``draws`` ``(B, K)`` at per-column ``probs`` ``(K,)``.

    NaN draws are ignored column by column; a column without values gives NaN.
    """
    sorted_ = np.sort(draws, axis=0)  # NaN sorts last
    count = np.sum(~np.isnan(draws), axis=0)
    out = np.full(draws.shape[1], np.nan)
    ok = (count > 0) & np.isfinite(probs)
    if not ok.any():
        return out
    cols = np.flatnonzero(ok)
    pos = (count[cols] - 1) * np.clip(probs[cols], 0.0, 1.0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, count[cols] - 1)
    frac = pos - lo
    a = sorted_[lo, cols].astype(float)
    b = sorted_[hi, cols].astype(float)
    out[cols] = a + (b - a) * frac
    return out


def percentile(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column of ``draws`` ``(B, K)``."""
    alpha = 1.0 - level
    k = draws.shape[1]
    return (
        _quantiles(draws, np.full(k, alpha / 2)),
        _quantiles(draws, np.full(k, 1 - alpha / 2)),
    )


def acceleration(jack: np.ndarray) -> np.ndarray:
    """BCa acceleration per column from jackknife values ``(n, K)`` (NaN rows ignored)."""
    d = np.nanmean(jack, axis=0) - jack
    num = np.nansum(d**3, axis=0)
    den = 6.0 * np.nansum(d**2, axis=0) ** 1.5
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(den > 0, num / den, 0.0)
    return a


def bca(
    draws: np.ndarray,
    estimate: np.ndarray,
    accel: np.ndarray,
    level: float,
    tie: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """BCa interval per column (draws stored in float32 are compared in float32); draws
    within ``tie`` (per column) of the estimate count as equal to it."""
    alpha = 1.0 - level
    est = estimate.astype(draws.dtype)
    tol = np.asarray(tie, dtype=draws.dtype)
    valid = ~np.isnan(draws)
    n = valid.sum(axis=0)
    less = np.sum(draws < est - tol, axis=0)
    equal = np.sum((draws >= est - tol) & (draws <= est + tol), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (less + 0.5 * equal) / n
    z0 = stats.norm.ppf(share)
    out = []
    for q in (alpha / 2, 1 - alpha / 2):
        zq = stats.norm.ppf(q)
        with np.errstate(invalid="ignore", divide="ignore"):
            adj = stats.norm.cdf(z0 + (z0 + zq) / (1.0 - accel * (z0 + zq)))
        # z0 infinite (estimate outside the draws): take the extreme draw
        adj = np.where(np.isnan(adj) & np.isinf(z0), np.where(z0 > 0, 1.0, 0.0), adj)
        out.append(_quantiles(draws, adj))
    return out[0], out[1]


def studentized(
    pivots: np.ndarray, estimate: np.ndarray, se: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap-t interval per column from pivots ``(theta* - theta) / se*``."""
    alpha = 1.0 - level
    k = pivots.shape[1]
    upper_t = _quantiles(pivots, np.full(k, 1 - alpha / 2))
    lower_t = _quantiles(pivots, np.full(k, alpha / 2))
    return estimate - upper_t * se, estimate - lower_t * se


def _intervals(
    dev: np.ndarray,
    pivots: np.ndarray | None,
    pivot_cols: np.ndarray | None,
    estimate: np.ndarray,
    se_hat: np.ndarray | None,
    accel: np.ndarray | None,
    method: str,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intervals from the deviations ``dev = theta* - theta`` (valid draws only).

    ``pivots`` ``(B, len(pivot_cols))`` are the studentized pivots of the statistics
    at ``pivot_cols`` (those with a cheap standard error).
    """
    lower, upper = percentile(dev, level)
    used = np.full(estimate.size, "percentile", dtype=object)
    if method == "bca":
        assert accel is not None
        tie = 1e-10 * np.maximum(1.0, np.abs(estimate))
        lower, upper = bca(dev, np.zeros(estimate.size), accel, level, tie)
        used[:] = "bca"
    lower, upper = lower + estimate, upper + estimate
    if method == "studentized" and pivots is not None and pivot_cols is not None:
        assert se_hat is not None
        ok = np.isfinite(se_hat[pivot_cols])
        cols = pivot_cols[ok]
        if cols.size:
            lo_t, hi_t = studentized(pivots[:, ok], estimate[cols], se_hat[cols], level)
            lower[cols], upper[cols] = lo_t, hi_t
            used[cols] = "studentized"
    return lower, upper, used


_REPLICATE_CI = (
    "with replicate weights the intervals are estimate ± t(df) x SE (R confint with "
    "df=degf): leave ci='percentile' (the default)"
)


def _t_intervals(
    estimate: np.ndarray, se: np.ndarray, df: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """``estimate ± t_{df, (1+level)/2} se``."""
    q = float(stats.t.ppf(0.5 + level / 2.0, df))
    return estimate - q * se, estimate + q * se
