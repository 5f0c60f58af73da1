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


# --------------------------------------------------------------------- scoring
def _respondent_scores(
    frame: pd.DataFrame,
    items: Sequence[str],
    owner: Sequence[str],
    constructs: Sequence[str],
    u: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    keep: Sequence[str],
    cuts: np.ndarray | None,
) -> pd.DataFrame:
    """0-100 construct scores ``sum_i u_i (x_i - lo_i) / (hi_i - lo_i) * 100`` of one partition."""
    x = frame[list(items)].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    x100 = (x - lo) / (hi - lo) * 100.0
    out = frame[list(keep)].copy()
    owner_arr = np.asarray(owner)
    for construct in constructs:
        cols = owner_arr == construct
        out[construct] = x100[:, cols] @ u[cols]
        if cuts is not None:
            score = out[construct].to_numpy()
            level = (np.searchsorted(cuts, score, side="right") + 1).astype(float)
            level[np.isnan(score)] = np.nan
            out[f"{construct}_level"] = pd.array(level, dtype="Int64")
    return out


def _scoring_parts(result: Any, scale: Any) -> tuple[list[str], list[str], np.ndarray, Any]:
    weights = result.rescaled_weights(scale)
    items = weights["indicator"].astype(str).tolist()
    owner = weights["construct"].astype(str).tolist()
    lo, hi = result._scale(scale)
    return items, owner, weights["weight"].to_numpy(dtype=float), (lo, hi)


def _system_scores(
    frame: pd.DataFrame, fitted: Any, keep: Sequence[str], cuts: np.ndarray | None
) -> pd.DataFrame:
    """Every node's 0-100 score of one partition (and the root's seven-level class)."""
    scores = fitted.respondent_scores(frame)
    out = pd.concat([frame[list(keep)], scores], axis=1)
    if cuts is not None:
        root = fitted.system.root.id
        score = scores[root].to_numpy(dtype=float)
        level = (np.searchsorted(cuts, score, side="right") + 1).astype(float)
        level[np.isnan(score)] = np.nan
        out[f"{root}_level"] = pd.array(level, dtype="Int64")
    return out


def score_dask(
    result: Any,
    data: Any,
    *,
    scale: Any = None,
    keep: Sequence[str] = (),
    levels: bool = True,
) -> Any:
    """Lazy per-respondent 0-100 scores (and seven-level classes) on a Dask table.

    ``result`` is a fitted PLS model or a fitted indicator system
    (:meth:`csi.IndicatorSystem.fit`). For a PLS model each respondent's score on a
    construct is ``sum_i u_i x'_i`` with ``x'_i`` the answer rescaled to 0-100 and
    ``u_i`` the index weights of the fitted model (``result.rescaled_weights``), so the
    mean score is the construct's index; for an indicator system, every node's weighted
    0-100 score (``respondent_scores``), with the weights fixed at fit time. A missing
    answer gives a missing score. ``keep`` names columns carried along (e.g. a segment
    or a join key); ``levels`` adds ``<construct>_level`` (or the root's) with the
    seven-level class (1..7, default cut points of :func:`csi.classify`). Returns a Dask
    DataFrame; nothing is computed until asked.
    """
    from csi.indicators import FittedIndicatorSystem
    from csi.scales import DEFAULT_CUTS

    cuts = np.asarray(DEFAULT_CUTS, dtype=float) if levels else None
    if isinstance(result, FittedIndicatorSystem):
        missing = [c for c in [*result.system.items, *keep] if c not in data.columns]
        if missing:
            raise CsiInputError(f"column(s) not found in the Dask table: {missing}")
        meta = _system_scores(data._meta, result, list(keep), cuts)
        return data.map_partitions(_system_scores, result, list(keep), cuts, meta=meta)
    items, owner, u, (lo, hi) = _scoring_parts(result, scale)
    missing = [c for c in [*items, *keep] if c not in data.columns]
    if missing:
        raise CsiInputError(f"column(s) not found in the Dask table: {missing}")
    constructs = list(dict.fromkeys(owner))
    meta = _respondent_scores(data._meta, items, owner, constructs, u, lo, hi, list(keep), cuts)
    return data.map_partitions(
        _respondent_scores, items, owner, constructs, u, lo, hi, list(keep), cuts, meta=meta
    )


def score_to_parquet(
    result: Any,
    data: Any,
    path: str,
    *,
    scale: Any = None,
    keep: Sequence[str] = (),
    levels: bool = True,
    client: Any = None,
) -> str:
    """Write the per-respondent scores of :func:`score_dask` to a Parquet dataset at ``path``.

    Each partition is written by its own task, so the table never has to fit in memory.
    Returns ``path``.
    """
    scores = score_dask(result, data, scale=scale, keep=keep, levels=levels)
    if client is not None:
        client.compute(scores.to_parquet(path, compute=False)).result()
    else:
        scores.to_parquet(path)
    return path


def index_by_dask(
    result: Any, data: Any, segment: str, *, scale: Any = None, client: Any = None
) -> pd.DataFrame:
    """The index per segment on a Dask table: ``segment, construct, n, index``.

    As :meth:`csi.pls.PLSResult.index_by`: the full-sample index weights applied to the
    segment's item means over its complete respondents (one pass, grouped sums).
    """
    items, owner, u, (lo, hi) = _scoring_parts(result, scale)
    if segment not in data.columns:
        raise CsiInputError(f"segment column {segment!r} not found in the Dask table")
    block = data[[segment, *items]].dropna(subset=items)
    grouped = block.groupby(segment)
    sums, counts = grouped[items].sum(), grouped[items[0]].count()
    if client is not None:
        sums, counts = client.compute([sums, counts], sync=True)
    else:
        import dask

        sums, counts = dask.compute(sums, counts)
    rows = []
    for seg in sorted(sums.index, key=str):
        n = int(counts.loc[seg])
        means100 = (sums.loc[seg].to_numpy(dtype=float) / n - lo) / (hi - lo) * 100.0
        for construct in dict.fromkeys(owner):
            cols = np.asarray(owner) == construct
            rows.append((seg, construct, n, float(means100[cols] @ u[cols])))
    return pd.DataFrame(rows, columns=["segment", "construct", "n", "index"])
