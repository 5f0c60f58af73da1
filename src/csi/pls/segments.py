"""Segments of a fitted model: the respondents' segment values and the index per segment.

The bodies of :meth:`csi.pls.result.PLSResult.index_by` (its docstring gives the rules)
and of the segment lookup it shares with the bootstrap's segment statistics.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["index_by", "segment_values"]


def index_by(
    result: PLSResult, segment: Hashable | pd.Series | Sequence[Any], scores100: pd.DataFrame
) -> pd.DataFrame:
    """The index per segment from the 0-100 respondent scores ``scores100``
    (:meth:`PLSResult.index_by`, rules there)."""
    labels = segment_values(result, segment, scores100.index)
    codes, groups = pd.factorize(labels, sort=True, use_na_sentinel=False)
    n_groups, names = len(groups), list(result.layout.constructs)
    counts = np.bincount(codes, minlength=n_groups)
    w = result.scored_row_weights
    weights = np.ones(len(codes)) if w is None else w
    totals = np.bincount(codes, weights=weights, minlength=n_groups)
    sums = np.zeros((n_groups, len(names)))
    np.add.at(sums, codes, scores100.to_numpy() * weights[:, None])
    if result.weight_kind == "frequency":
        counts = np.round(totals).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = (sums / totals[:, None]).ravel()
    out = pd.DataFrame(
        {
            "segment": np.repeat(np.asarray(groups, dtype=object), len(names)),
            "construct": names * n_groups,
            "n": np.repeat(counts, len(names)),
            "index": index,
        }
    )
    if w is not None:
        out.insert(3, "sum_weights", np.repeat(totals, len(names)))
    out.attrs["segment_column"] = labels.name
    out.attrs["n_unscored"] = int(result.n_unscored)
    return out


def segment_values(result: PLSResult, segment: Any, rows: pd.Index) -> pd.Series:
    """Segment values of the rows ``rows``: a Series, a column of the data or values."""
    if isinstance(segment, pd.Series):
        missing = rows.difference(segment.index)
        if len(missing):
            raise CsiInputError(
                f"segment Series lacks {len(missing)} of the respondents used "
                f"(e.g. row {missing[0]!r})"
            )
        return segment.loc[rows]
    if isinstance(segment, Hashable) and not isinstance(segment, tuple):
        frame = result.source_data
        if frame is None or segment not in frame.columns:
            available = (
                [] if frame is None else [c for c in frame.columns if c not in result.layout.items]
            )
            raise CsiInputError(
                f"segment column {segment!r} not found in the data given to fit_pls "
                f"(other columns: {available}); or pass the segment values as a Series"
            )
        values = frame[segment].to_numpy()[result.row_positions]
        return pd.Series(values, index=rows, name=segment)
    given = list(segment)
    if len(given) != len(rows):
        raise CsiInputError(
            f"segment values: got {len(given)}, expected one per respondent used ({len(rows)})"
        )
    return pd.Series(given, index=rows, name="segment")
