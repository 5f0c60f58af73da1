"""Elementary formulas shared by every layer (one definition each).

* 0-100 rescaling of an answer on a scale with end points ``lo``/``hi`` (ACSI
  methodology; Fornell et al. 1996): ``x' = (x - lo) / (hi - lo) * 100``, and back,
  ``x = lo + x' / 100 * (hi - lo)``;
* adjusted R² with ``k`` predictors and ``n`` respondents (Wherry 1931):
  ``R²_adj = 1 - (1 - R²)(n - 1) / (n - k - 1)``.

Used by :class:`csi.scales.RatingScale`, the PLS index (:mod:`csi.pls.index`, the
bootstrap statistics), the metrics' item indices, the Dask scoring
(:mod:`csi.scaleout`), ``PLSResult.r2`` and the quality report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["adjusted_r2", "from_100", "to_100"]


def to_100(x: Any, lo: Any, hi: Any) -> Any:
    """``(x - lo) / (hi - lo) * 100`` (NumPy broadcasting; pandas objects keep their index).

    >>> to_100(np.array([1.0, 5.5, 10.0]), 1, 10)
    array([  0.,  50., 100.])
    """
    return (x - lo) / (hi - lo) * 100.0


def from_100(score: Any, lo: Any, hi: Any) -> Any:
    """``lo + score / 100 * (hi - lo)``, the inverse of :func:`to_100`.

    >>> from_100(50.0, 1, 10)
    5.5
    """
    return lo + score / 100.0 * (hi - lo)


def adjusted_r2(r2: Any, n: Any, k: Any) -> np.ndarray:
    """``1 - (1 - R²)(n - 1) / (n - k - 1)``; NaN when ``n - k - 1 <= 0`` (undefined).

    >>> round(float(adjusted_r2(0.5, 101, 4)), 6)
    0.479167
    """
    r = np.asarray(r2, dtype=float)
    kk = np.asarray(k, dtype=float)
    df = n - kk - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(df > 0, 1.0 - (1.0 - r) * (n - 1) / df, np.nan))
