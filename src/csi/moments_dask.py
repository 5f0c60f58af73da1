"""Data that outgrows one machine's memory: the item moments from Dask or Parquet.

The CSI estimators need only the sufficient statistics of the items (respondent
count, means, covariance). Here they are computed in one pass over a Dask
DataFrame (or a partitioned Parquet dataset): each partition yields its own
``(n, mean, M2)`` with ``M2 = sum (x - mean)(x - mean)'``, and the partial results
are merged pairwise in a tree with the update of Chan, Golub & LeVeque (1979)::

    n = n_a + n_b,   d = mean_b - mean_a
    mean = mean_a + d n_b / n
    M2 = M2_a + M2_b + d d' n_a n_b / n

which is numerically stable (no large raw sums are formed). Rows are used listwise:
a respondent with a missing item is left out and counted in ``n_excluded``.

With survey weights (``weights=``, a column of the table) each partition yields the
weighted ``(W, mean, M2)`` with ``W = sum w``, ``mean = sum w x / W`` and
``M2 = sum w (x - mean)(x - mean)'``, merged with the weighted form of the same
update (West 1979, *Communications of the ACM* 22(9), 532-535)::

    W = W_a + W_b,   d = mean_b - mean_a
    mean = mean_a + d W_b / W
    M2 = M2_a + M2_b + d d' W_a W_b / W

plus ``sum w²`` (Kish's effective sample size) and the counts of rows and of
positive weights; the covariance divisor follows :mod:`csi.moments` (frequency
weights ``W - 1``; sampling weights rescaled to mean 1 over the positive weights,
``M2 n+ / (W (n+ - 1))``), so the result equals
:func:`csi.moments.moments_from_frame` on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, plain
from csi.moments import WEIGHT_KINDS, Moments

__all__ = [
    "is_dask_frame",
    "merge_partials",
    "merge_weighted_partials",
    "moments_from_dask",
    "moments_from_parquet",
]

Partial = tuple[int, np.ndarray, np.ndarray, int]
#: Weighted partial moments: ``(W, mean, M2, n_excluded, sum w², rows, positive weights)``.
WeightedPartial = tuple[float, np.ndarray, np.ndarray, int, float, int, int]
_P = TypeVar("_P", Partial, WeightedPartial)


def is_dask_frame(data: Any) -> bool:
    """True for a Dask DataFrame (checked without importing Dask)."""
    return type(data).__module__.split(".")[0] in {"dask", "dask_expr"} and hasattr(
        data, "npartitions"
    )


def _partial_moments(frame: pd.DataFrame, items: Sequence[str]) -> Partial:
    """``(n, mean, M2, n_excluded)`` of one partition, listwise."""
    block = frame[list(items)].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    complete = np.isfinite(block).all(axis=1)
    rows = block[complete]
    n = rows.shape[0]
    p = block.shape[1]
    if n == 0:
        return 0, np.zeros(p), np.zeros((p, p)), int((~complete).sum())
    mean = rows.mean(axis=0)
    centred = rows - mean
    return n, mean, centred.T @ centred, int((~complete).sum())


def _merge(a: Partial, b: Partial) -> Partial:
    """Chan-Golub-LeVeque merge of two partial results."""
    na, ma, m2a, xa = a
    nb, mb, m2b, xb = b
    if na == 0:
        return nb, mb, m2b, xa + xb
    if nb == 0:
        return na, ma, m2a, xa + xb
    n = na + nb
    d = mb - ma
    return n, ma + d * (nb / n), m2a + m2b + np.outer(d, d) * (na * nb / n), xa + xb


def _merge_tree(partials: Sequence[_P], merge: Callable[[_P, _P], _P]) -> _P:
    """Merge partial moments pairwise with ``merge`` (a balanced tree keeps rounding
    error small)."""
    level = list(partials)
    if not level:
        raise CsiInputError("no data: the table has no partitions")
    while len(level) > 1:
        level = [
            merge(level[k], level[k + 1]) if k + 1 < len(level) else level[k]
            for k in range(0, len(level), 2)
        ]
    return level[0]


def merge_partials(partials: Sequence[Partial]) -> Partial:
    """Merge partial moments pairwise (a balanced tree keeps rounding error small)."""
    return _merge_tree(partials, _merge)


def _partition_weights(frame: pd.DataFrame, column: str, weight_kind: str) -> np.ndarray:
    """The weight column of one partition as floats; raise naming a bad row and value."""
    given = frame[column]
    w = pd.to_numeric(given, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    text = np.isnan(w) & given.notna().to_numpy()
    checks = (
        (text, "a non-numeric weight"),
        (np.isnan(w) & ~text, "a missing weight"),
        (np.isinf(w), "an infinite weight"),
        (w < 0, "a negative weight"),
        (
            (weight_kind == "frequency") & np.isfinite(w) & (w != np.round(w)),
            "a non-integer frequency weight",
        ),
    )
    for bad, problem in checks:
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise CsiInputError(
                f"weight column {column!r} has {problem} ({given.iloc[pos]!r}) at row "
                f"{plain(frame.index[pos])!r}"
            )
    return w


def _weighted_partial(
    frame: pd.DataFrame, items: Sequence[str], weights: str, weight_kind: str
) -> WeightedPartial:
    """Weighted ``(W, mean, M2, n_excluded, sum w², rows, positive)`` of one partition."""
    w_all = _partition_weights(frame, weights, weight_kind)
    block = frame[list(items)].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    complete = np.isfinite(block).all(axis=1)
    rows, w = block[complete], w_all[complete]
    p = block.shape[1]
    excluded = int((~complete).sum())
    total = float(w.sum())
    positive = int(np.count_nonzero(w > 0))
    if total <= 0:
        return 0.0, np.zeros(p), np.zeros((p, p)), excluded, 0.0, rows.shape[0], 0
    mean = (w @ rows) / total
    centred = rows - mean
    m2 = (centred * w[:, None]).T @ centred
    return total, mean, m2, excluded, float((w * w).sum()), rows.shape[0], positive


def _merge_weighted(a: WeightedPartial, b: WeightedPartial) -> WeightedPartial:
    """West's weighted merge of two partial results (see the module docstring)."""
    wa, ma, m2a, xa, qa, ra, pa = a
    wb, mb, m2b, xb, qb, rb, pb = b
    counts = (xa + xb, qa + qb, ra + rb, pa + pb)
    if wa <= 0:
        return wb, mb, m2b, *counts
    if wb <= 0:
        return wa, ma, m2a, *counts
    total = wa + wb
    d = mb - ma
    return total, ma + d * (wb / total), m2a + m2b + np.outer(d, d) * (wa * wb / total), *counts


def merge_weighted_partials(partials: Sequence[WeightedPartial]) -> WeightedPartial:
    """Merge weighted partial moments pairwise in a balanced tree."""
    return _merge_tree(partials, _merge_weighted)


def _weighted_to_moments(total: WeightedPartial, items: Sequence[str], weight_kind: str) -> Moments:
    w, mean, m2, excluded, sq, rows, positive = total
    frequency = weight_kind == "frequency"
    if positive < 2 or (frequency and w < 2.0):
        raise CsiInputError(
            f"only {positive} respondent(s) with a positive weight answered every item; "
            "at least 2 are needed (frequency weights: a total of at least 2)"
        )
    cols = list(items)
    cov = m2 / (w - 1.0) if frequency else m2 * (positive / (w * (positive - 1.0)))
    return Moments(
        n=round(w) if frequency else int(rows),
        means=pd.Series(mean, index=cols),
        cov=pd.DataFrame(cov, index=cols, columns=cols),
        missing="listwise",
        n_excluded=int(excluded),
        weight_kind=weight_kind,
        sum_weights=float(w),
        n_eff=float(w * w / sq) if sq > 0 else 0.0,
    )


def _to_moments(total: Partial, items: Sequence[str]) -> Moments:
    n, mean, m2, excluded = total
    if n < 2:
        raise CsiInputError(f"only {n} respondent(s) answered every item; at least 2 are needed")
    cols = list(items)
    return Moments(
        n=int(n),
        means=pd.Series(mean, index=cols),
        cov=pd.DataFrame(m2 / (n - 1), index=cols, columns=cols),
        missing="listwise",
        n_excluded=int(excluded),
    )


def moments_from_dask(
    data: Any,
    items: Sequence[str],
    *,
    client: Any = None,
    progress: bool = False,
    weights: str | None = None,
    weight_kind: str = "sampling",
) -> Moments:
    """Listwise moments of ``items`` from a Dask DataFrame in one pass.

    Parameters
    ----------
    data:
        A Dask DataFrame (e.g. ``dask.dataframe.read_parquet(folder)``).
    items:
        The item columns.
    client:
        A ``dask.distributed.Client``; by default the current client or scheduler is used.
    progress:
        Show Dask's progress bar (local scheduler) while computing.
    weights, weight_kind:
        A survey-weight column of the table and its kind (``"sampling"``, default, or
        ``"frequency"``): weighted moments, equal to
        :func:`csi.moments.moments_from_frame` with the same weights (module
        docstring). A bad weight (missing, text, negative, infinite) is an error
        naming its row.
    """
    import dask

    cols = list(items)
    needed = cols if weights is None else [*cols, weights]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise CsiInputError(f"item(s) not found in the Dask table: {missing}")
    if weights is not None:
        check_choice(weight_kind, WEIGHT_KINDS, name="weight_kind")
        wparts = [
            dask.delayed(_weighted_partial)(part, cols, weights, weight_kind)
            for part in data.to_delayed()
        ]
        tree = dask.delayed(merge_weighted_partials)(wparts)
    else:
        parts = [dask.delayed(_partial_moments)(part, cols) for part in data.to_delayed()]
        tree = dask.delayed(merge_partials)(parts)
    if client is not None:
        total = client.compute(tree).result()
    elif progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            (total,) = dask.compute(tree)
    else:
        (total,) = dask.compute(tree)
    if weights is not None:
        return _weighted_to_moments(total, cols, weight_kind)
    return _to_moments(total, cols)


def moments_from_parquet(
    path: str,
    items: Sequence[str],
    *,
    client: Any = None,
    progress: bool = False,
    weights: str | None = None,
    weight_kind: str = "sampling",
) -> Moments:
    """Listwise moments of ``items`` (and ``weights``) from a Parquet dataset, reading only them."""
    import dask.dataframe as dd

    columns = list(items) if weights is None else [*items, weights]
    return moments_from_dask(
        dd.read_parquet(path, columns=columns),
        items,
        client=client,
        progress=progress,
        weights=weights,
        weight_kind=weight_kind,
    )
