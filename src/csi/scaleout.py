"""Data that outgrows one machine's memory: moments and scores on Dask.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.moments import Moments

Partial = tuple[int, np.ndarray, np.ndarray, int]


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


def merge_partials(partials: Sequence[Partial]) -> Partial:
    """Merge partial moments pairwise (a balanced tree keeps rounding error small)."""
    level = list(partials)
    if not level:
        raise CsiInputError("no data: the table has no partitions")
    while len(level) > 1:
        level = [
            _merge(level[k], level[k + 1]) if k + 1 < len(level) else level[k]
            for k in range(0, len(level), 2)
        ]
    return level[0]


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
    """
    import dask

    missing = [c for c in items if c not in data.columns]
    if missing:
        raise CsiInputError(f"item(s) not found in the Dask table: {missing}")
    cols = list(items)
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
    return _to_moments(total, cols)


def moments_from_parquet(
    path: str, items: Sequence[str], *, client: Any = None, progress: bool = False
) -> Moments:
    """Listwise moments of ``items`` from a (partitioned) Parquet dataset, reading only them."""
    import dask.dataframe as dd

    return moments_from_dask(
        dd.read_parquet(path, columns=list(items)), items, client=client, progress=progress
    )
