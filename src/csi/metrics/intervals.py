"""Confidence intervals for a proportion and for a quantile.

* Wilson score interval (Wilson 1927):
  ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``.
* Clopper-Pearson exact interval (Clopper & Pearson 1934):
  ``[Beta(α/2; k, n-k+1), Beta(1-α/2; k+1, n-k)]``.
* Distribution-free interval for a quantile from order statistics (Conover 1999,
  Practical Nonparametric Statistics, §3.2): ``[x_(l), x_(u)]`` with ``l, u`` from
  the Binomial(n, q) distribution of the number of observations below the quantile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from csi._checks import CsiInputError
from csi.metrics._common import check_level, z_value


def _counts(successes: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any(m < 0) or np.any(k < 0) or np.any(k > m):
        raise CsiInputError(f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}")
    return k, m


def wilson_interval(successes: Any, n: Any, *, level: float = 0.95) -> tuple[Any, Any]:
    """Wilson (1927) score interval for a proportion ``successes / n``.

    Returns ``(lower, upper)`` as proportions (arrays if the inputs are arrays);
    NaN where ``n == 0``.
    """
    level = check_level(level)
    k, m = _counts(successes, n)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
        lower = np.clip(centre - half, 0.0, 1.0)
        upper = np.clip(centre + half, 0.0, 1.0)
    lower = np.where(k == 0, 0.0, lower)
    upper = np.where(k == m, 1.0, upper)
    lower = np.where(m == 0, np.nan, lower)
    upper = np.where(m == 0, np.nan, upper)
    return _unwrap(lower), _unwrap(upper)


def clopper_pearson_interval(successes: Any, n: Any, *, level: float = 0.95) -> tuple[Any, Any]:
    """Clopper-Pearson (1934) exact interval for a proportion; NaN where ``n == 0``."""
    level = check_level(level)
    k, m = _counts(successes, n)
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(k > 0, stats.beta.ppf(alpha / 2, k, m - k + 1), 0.0)
        upper = np.where(k < m, stats.beta.ppf(1 - alpha / 2, k + 1, m - k), 1.0)
    lower = np.where(m == 0, np.nan, lower)
    upper = np.where(m == 0, np.nan, upper)
    return _unwrap(lower), _unwrap(upper)


def proportion_interval(
    successes: Any, n: Any, *, level: float = 0.95, method: str = "wilson"
) -> tuple[Any, Any]:
    """Interval for a proportion by ``method`` ``"wilson"`` or ``"exact"`` (Clopper-Pearson)."""
    if method == "wilson":
        return wilson_interval(successes, n, level=level)
    if method == "exact":
        return clopper_pearson_interval(successes, n, level=level)
    raise CsiInputError(f"method must be one of ['wilson', 'exact'], got {method!r}")


def quantile_interval(values: Any, q: float, *, level: float = 0.95) -> tuple[float, float, float]:
    """Sample quantile and its distribution-free order-statistic confidence interval.

    The estimate is the linearly interpolated sample quantile (Hyndman & Fan type 7,
    NumPy's default). With ``B ~ Binomial(n, q)``, ``l = F⁻¹(α/2)`` and
    ``u = F⁻¹(1-α/2) + 1`` (1-based ranks), ``P(x_(l) <= ξ_q < x_(u)) >= level``
    (Conover 1999, §3.2). A limit is NaN when the sample is too small to reach it.
    Returns ``(estimate, lower, upper)``; NaN values in ``values`` are ignored.
    """
    level = check_level(level)
    if not 0 < q < 1:
        raise CsiInputError(f"q must be between 0 and 1, got {q!r}")
    x = np.asarray(values, dtype=float)
    x = np.sort(x[~np.isnan(x)])
    n = x.size
    if n == 0:
        return np.nan, np.nan, np.nan
    est = float(np.quantile(x, q))
    alpha = 1 - level
    lo_rank = int(stats.binom.ppf(alpha / 2, n, q))
    hi_rank = int(stats.binom.ppf(1 - alpha / 2, n, q)) + 1
    lower = float(x[lo_rank - 1]) if lo_rank >= 1 else np.nan
    upper = float(x[hi_rank - 1]) if hi_rank <= n else np.nan
    return est, lower, upper


def _unwrap(a: np.ndarray) -> Any:
    return float(a) if np.ndim(a) == 0 else a
