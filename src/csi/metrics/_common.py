"""Helpers shared by the metrics modules: option checks, grouping, suppression, labels."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi import formulas as _formulas
from csi._checks import CsiInputError, check_columns, check_count, check_numeric
from csi._checks import check_level as check_level
from csi.disclosure import infer_segments, suppression_mask
from csi.i18n import LANGS, check_lang
from csi.scales import scale_bounds
from csi.survey import Survey

__all__ = ["LANGS", "check_lang"]  # re-exported: the one language check of csi.i18n


def as_by(by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of column names (empty for no grouping)."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    for b in out:
        if not isinstance(b, str):
            raise CsiInputError(f"by must be a column name or a list of names, got {b!r}")
    return out


def survey_frame(data: Any, by: Sequence[str] = ()) -> tuple[pd.DataFrame, Any]:
    """``(frame, codebook)`` for a metric: a Survey gives every respondent read.

    A :class:`csi.Survey` gives its responses *before* the model's missing-data
    policy (each figure uses everyone who answered its question) and its codebook;
    grouping by an id, personal or free-text column is refused. A DataFrame is
    returned as it is, with ``None`` for the codebook.
    """
    if not isinstance(data, Survey):
        return data, None
    cb = data.codebook
    for b in by:
        if b in cb.hidden_columns:
            raise CsiInputError(
                f"by={b!r} is an id, personal or free-text column of the survey; it never "
                "reaches a table"
            )
    return data.all_responses(), cb


def item_scale(codebook: Any, column: str, given: Any) -> Any:
    """The scale to use for ``column``: ``given`` if set, else the codebook's end points."""
    if given is not None or codebook is None:
        return given
    try:
        info = codebook.item(column)
    except CsiInputError:
        return None
    return scale_bounds(info, name=f"codebook scale of {column!r}") if info.bounded else None


def check_min_size(min_size: int) -> int:
    """Minimum segment size: an integer >= 0 (:func:`csi._checks.check_count`)."""
    return check_count(min_size, "min_size", 0)


def check_scale(scale: Any, *, name: str = "scale") -> tuple[float, float]:
    """A rating scale as ``(lowest, highest)``, lowest < highest (read by ``scale_bounds``)."""
    return scale_bounds(scale, name=name)


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for ``level``."""
    return float(stats.norm.ppf(0.5 + level / 2))


def to_100(x: Any, scale: tuple[float, float]) -> Any:
    """Linear rescaling of a rating to 0-100: ``100 * (x - lowest) / (highest - lowest)``."""
    lo, hi = scale_bounds(scale)
    return _formulas.to_100(x, lo, hi)


def numeric_column(
    data: pd.DataFrame,
    column: str,
    *,
    scale: tuple[float, float] | None = None,
    integer: bool = False,
    name: str = "data",
) -> pd.Series:
    """Column as float (NaN = missing); raise naming row and value when out of scale."""
    check_columns(data, [column], name=name)
    check_numeric(data, [column], name=name)
    s = pd.to_numeric(data[column], errors="coerce").astype(float)
    if np.isinf(s).any():
        row = s.index[np.isinf(s.to_numpy())][0]
        raise CsiInputError(f"{name}: column {column!r} has an infinite value at row {row!r}")
    if scale is not None:
        lo, hi = scale
        bad = s.notna() & ((s < lo) | (s > hi))
        if bad.any():
            row, val = first_bad(s, bad)
            raise CsiInputError(
                f"{name}: column {column!r} has the answer {val:g} at row {row!r}, "
                f"outside the scale {lo:g}-{hi:g} (recode missing-value codes such as 99 to NaN)"
            )
    if integer:
        bad = s.notna() & (s != np.round(s))
        if bad.any():
            row, val = first_bad(s, bad)
            raise CsiInputError(
                f"{name}: column {column!r} has a non-integer answer {val:g} at row {row!r}"
            )
    return s


def first_bad(values: pd.Series, bad: pd.Series) -> tuple[Any, Any]:
    """Row label and value of the first True entry of ``bad`` (positional, so duplicate
    index labels are safe)."""
    pos = int(np.argmax(bad.to_numpy()))
    value = values.iloc[pos]
    if isinstance(value, np.generic):
        value = value.item()  # 2, not np.int64(2), in messages
    row = values.index[pos]
    if isinstance(row, np.generic):
        row = row.item()
    return row, value


def iter_groups(data: pd.DataFrame, by: list[str]) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    """Yield ``({by column: value}, rows)`` per segment; missing segment values form a segment."""
    if not by:
        yield {}, data
        return
    check_columns(data, by, what="segment column")
    for key, rows in data.groupby(by, dropna=False, sort=True, observed=True):
        keys = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, keys, strict=True)), rows


def suppress(
    frame: pd.DataFrame,
    figures: Sequence[str],
    min_size: int,
    *,
    n_column: str = "n",
    by: Sequence[str] | None = None,
    layers: Sequence[str] | None = None,
    complementary: bool = True,
) -> pd.DataFrame:
    """Blank ``figures`` (NaN) of small segments and their complements; add ``suppressed``.

    A segment with ``n < min_size`` is suppressed (primary suppression). So that it
    cannot be recovered as "the overall figure minus the published segments", more
    segments of the same table are suppressed with it (complementary suppression,
    :func:`csi.disclosure.complementary`): the smallest ones left, until at least two
    segments with respondents are suppressed and together they hold at least
    ``min_size`` respondents. ``by`` are the segment columns and ``layers`` the columns
    that split a segment's rows into separate partitions (e.g. ``item``); both are
    inferred when not given (:func:`csi.disclosure.infer_segments`).
    ``complementary=False`` gives primary suppression only.

    Rows are kept, never dropped, so a report shows that the segment exists; ``n``
    stays visible (see ``docs/disclosure.md``).
    """
    out = frame.copy()
    small = (pd.to_numeric(out[n_column], errors="coerce") < min_size).to_numpy()
    if complementary and small.any() and len(out) > 1:
        seg, lay = infer_segments(out, n_column)
        seg = list(by) if by is not None else seg
        lay = list(layers) if layers is not None else lay
        small = suppression_mask(
            out, small, segments=seg, layers=lay, n_column=n_column, min_size=min_size
        )
    for col in figures:
        if pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].astype("Int64")  # counts stay whole numbers; <NA> if blanked
            out.loc[small, col] = pd.NA
        else:
            out[col] = out[col].astype(float)
            out.loc[small, col] = np.nan
    out["suppressed"] = small
    return out


def t_interval(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """Mean, standard error and t-based confidence limits of ``values`` (NaN if n < 2)."""
    n = values.size
    if n == 0:
        return (np.nan,) * 4
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan, np.nan
    se = float(values.std(ddof=1) / np.sqrt(n))
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    return mean, se, mean - t * se, mean + t * se
