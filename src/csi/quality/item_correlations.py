"""The two item statistics every screen uses: near-duplicate pairs and item-rest correlations.

One definition for :func:`csi.quality.screen_items` and
:func:`csi.indicators.screen_indicators`, so both flag the same pairs and items:

* near duplicates: pairs of items whose Pearson correlation is at least ``threshold``
  in absolute value, ``|r_ab| >= threshold`` (a strongly negative pair is a reversed
  copy of the same question, just as redundant);
* corrected item-total (item-rest) correlation: the correlation of item ``j`` with the
  sum of the *other* items, ``r(x_j, sum_{k != j} x_k)`` (Nunnally & Bernstein 1994,
  *Psychometric Theory*, ch. 8); NaN when the rest does not vary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["item_rest_correlations", "near_duplicate_pairs"]


def near_duplicate_pairs(
    R: np.ndarray, items: Sequence[str], threshold: float
) -> list[tuple[str, str, float]]:
    """``(item_a, item_b, r)`` for every pair above the diagonal with ``|r| >= threshold``.

    ``R`` is the items' correlation matrix in the order of ``items``; pairs with a NaN
    correlation (no overlap, or a constant item) are never flagged.

    >>> R = np.array([[1.0, 0.95, 0.2], [0.95, 1.0, -0.9], [0.2, -0.9, 1.0]])
    >>> near_duplicate_pairs(R, ["a", "b", "c"], 0.9)
    [('a', 'b', 0.95), ('b', 'c', -0.9)]
    """
    R = np.asarray(R, dtype=float)
    iu, ju = np.triu_indices(len(items), 1)
    r = R[iu, ju]
    hit = np.isfinite(r) & (np.abs(r) >= threshold)
    pairs = zip(iu[hit], ju[hit], r[hit], strict=True)
    return [(items[i], items[j], float(v)) for i, j, v in pairs]


def item_rest_correlations(X: np.ndarray) -> np.ndarray:
    """Correlation of each column of ``X`` (complete answers) with the sum of the others.

    >>> X = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 4.0], [3.0, 5.0, 4.0], [4.0, 4.0, 6.0]])
    >>> np.round(item_rest_correlations(X), 3)
    array([0.976, 0.644, 0.73 ])
    """
    X = np.asarray(X, dtype=float)
    total = X.sum(axis=1)
    out = np.full(X.shape[1], np.nan)
    if X.shape[1] < 2 or X.shape[0] < 3:
        return out
    for k in range(X.shape[1]):
        rest = total - X[:, k]
        if rest.std() > 0 and X[:, k].std() > 0:
            out[k] = float(np.corrcoef(X[:, k], rest)[0, 1])
    return out
