"""Scoring fitted results on data that outgrows one machine's memory (Dask, Parquet).

Respondent scores, indices by segment and the Parquet writer, for a PLS result or an
indicator system, partition by partition. The item moments from Dask or Parquet (what
the estimators need) are in :mod:`csi.moments_dask`; this module re-exports them, so
``csi.scaleout.moments_from_parquet`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.formulas import to_100
from csi.moments_dask import is_dask_frame as is_dask_frame
from csi.moments_dask import merge_partials as merge_partials
from csi.moments_dask import merge_weighted_partials as merge_weighted_partials
from csi.moments_dask import moments_from_dask as moments_from_dask
from csi.moments_dask import moments_from_parquet as moments_from_parquet
from csi.scales import DEFAULT_CUTS


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
