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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, plain
from csi.formulas import to_100
from csi.moments import WEIGHT_KINDS, Moments
from csi.scales import DEFAULT_CUTS

Partial = tuple[int, np.ndarray, np.ndarray, int]
#: Weighted partial moments: ``(W, mean, M2, n_excluded, sum w², rows, positive weights)``.
WeightedPartial = tuple[float, np.ndarray, np.ndarray, int, float, int, int]


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
    level = list(partials)
    if not level:
        raise CsiInputError("no data: the table has no partitions")
    while len(level) > 1:
        level = [
            _merge_weighted(level[k], level[k + 1]) if k + 1 < len(level) else level[k]
            for k in range(0, len(level), 2)
        ]
    return level[0]


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
    x100 = to_100(x, lo, hi)
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
    lo, hi = result.scale_end_points(scale)
    return items, owner, weights["weight"].to_numpy(dtype=float), (lo, hi)


def _is_indicator_system(result: Any) -> bool:
    """Whether ``result`` is a fitted indicator system (it scores respondents itself,
    ``respondent_scores`` and ``system``), not a PLS result (index weights); told by its
    public interface so that this moments-level module imports nothing above it."""
    return callable(getattr(result, "respondent_scores", None)) and hasattr(result, "system")


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
    cuts = np.asarray(DEFAULT_CUTS, dtype=float) if levels else None
    if _is_indicator_system(result):
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
        means100 = to_100(sums.loc[seg].to_numpy(dtype=float) / n, lo, hi)
        for construct in dict.fromkeys(owner):
            cols = np.asarray(owner) == construct
            rows.append((seg, construct, n, float(means100[cols] @ u[cols])))
    return pd.DataFrame(rows, columns=["segment", "construct", "n", "index"])
