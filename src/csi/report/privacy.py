"""The privacy guard: no private column name or value ever reaches a report.

The codebook names the respondent id and the personal columns (names, phone
numbers, e-mail). :class:`PrivacyGuard` remembers those column names and every
value they hold, and is applied centrally:

* :meth:`PrivacyGuard.clean_report` runs before any writer lays out a report: it
  drops every table column named like a private column and replaces every cell
  (and any text) holding a private value by ``[redacted]``, warning with
  :class:`PrivacyWarning` when it had to (that means a table carried personal
  data, which the report builder should never let happen); it then applies
  complementary suppression to every per-segment table and runs the differencing
  attack on the result (:func:`csi.disclosure.protect_report`: overall minus published
  segments; more segments are hidden until nothing is recoverable, else
  :class:`csi.disclosure.DisclosureError`);
* :meth:`PrivacyGuard.assert_clean` is the last check on the finished document
  text (HTML without its embedded images): it raises :class:`PrivacyError` if
  a private value is still found, and then nothing is written.

Values are compared as stripped, case-folded text; numbers also by their integer
form (a phone number read as a number). Short values (fewer than
``MIN_SUBSTRING`` characters) are matched only as whole cells or text blocks, so
that a two-letter name does not flag every word that contains it.
"""

from __future__ import annotations

import math
import re
import warnings
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, CsiWarning
from csi.blocks import Report
from csi.disclosure import note_for, protect_report, suppression_mask

if TYPE_CHECKING:
    from csi.survey import Survey

REDACTED = "[redacted]"
MIN_SUBSTRING = 5


class PrivacyError(CsiInputError):
    """A private value would have been written to a report."""


class PrivacyWarning(CsiWarning):
    """The guard removed a private column or value from a report table."""


def _key(value: Any) -> str | None:
    """The comparison form of a cell value (None for missing values)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return None  # a non-integer number is never an id, phone or name
    if isinstance(value, bool):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip().casefold()
    return text or None


def _keys_of(column: pd.Series) -> set[str]:
    """``{_key(v) for v in column} - {None}`` without a Python call per value: whole
    numbers of a numeric column as integers, and a text column stripped and case-folded
    with ``str.strip`` / ``str.casefold`` mapped over its values; anything else (mixed
    types, dates) value by value with :func:`_key`."""
    present = column[column.notna().to_numpy()]
    if present.empty or pd.api.types.is_bool_dtype(present):
        return set()
    if pd.api.types.is_float_dtype(present):
        v = present.to_numpy(dtype=float)
        whole = v[(v == np.floor(v)) & (np.abs(v) < 1e18)]
        return set(map(str, whole.astype(np.int64).tolist()))
    values = present.tolist()
    if pd.api.types.is_integer_dtype(present):
        return set(map(str, values))
    if pd.api.types.infer_dtype(present, skipna=False) == "string":
        keys = set(map(str.casefold, map(str.strip, values)))
        keys.discard("")
        return keys
    return {k for k in map(_key, values) if k}


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same values in the same order (index ignored)."""
    return len(a) == len(b) and a.reset_index(drop=True).equals(b.reset_index(drop=True))


@dataclass(frozen=True)
class PrivacyGuard:
    """Private column names and values, and the checks that keep them out of reports."""

    columns: frozenset[str]
    values: frozenset[str] = field(repr=False)

    @classmethod
    def from_survey(cls, survey: Survey) -> PrivacyGuard:
        """The id, personal and free-text columns of ``survey``'s codebook, with all their
        values (of every respondent read, excluded ones too)."""
        cb = survey.codebook
        cols = list(cb.hidden_columns)
        values: set[str] = set()
        frame = survey.all_responses()
        for c in cols:
            if c in frame.columns:
                values |= _keys_of(frame[c])
        # ids of excluded respondents are in the cleaning report (keyed again only when
        # they are not the id column itself, as read)
        if cb.id is not None:
            ids = survey.report.respondents["id"]
            own = frame[cb.id] if cb.id in frame.columns else None
            if own is None or not _same_values(ids, own):
                values |= _keys_of(ids)
        return cls(columns=frozenset(str(c) for c in cols), values=frozenset(values))

    @classmethod
    def of(cls, columns: Iterable[str], values: Iterable[Any] = ()) -> PrivacyGuard:
        """A guard from column names and values given directly."""
        keys = {k for k in map(_key, values) if k}
        return cls(columns=frozenset(map(str, columns)), values=frozenset(keys))

    # ------------------------------------------------------------------ checks
    def _long(self) -> list[str]:
        return [v for v in self.values if len(v) >= MIN_SUBSTRING]

    @cached_property
    def _long_values(self) -> list[str]:
        """:meth:`_long`, made once (the values of :attr:`_by_prefix`'s places)."""
        return self._long()

    @cached_property
    def _by_prefix(self) -> dict[str, array[int]]:
        """The places in :attr:`_long_values` of the long values, by their first
        ``MIN_SUBSTRING`` characters (so that hits come out in the order of
        :meth:`_long`). Built once per guard, on the first search; places are 8-byte
        integers in arrays (a million private values: tens of MB, not hundreds)."""
        index: dict[str, array[int]] = {}
        for rank, v in enumerate(self._long_values):
            places = index.get(v[:MIN_SUBSTRING])
            if places is None:
                places = index[v[:MIN_SUBSTRING]] = array("q")
            places.append(rank)
        return index

    def find(self, text: str) -> list[str]:
        """Private values found in ``text`` (whole text, or substrings of long values).

        One pass over ``text``: each of its substrings of ``MIN_SUBSTRING`` characters is
        looked up among the long values' prefixes, and only the values with a matching
        prefix are searched for; hits come in the order of a scan of all long values.
        """
        if not self.values or not text:
            return []
        folded = text.casefold()
        hits = [folded.strip()] if folded.strip() in self.values else []
        if len(folded) >= MIN_SUBSTRING:
            index = self._by_prefix
            if index:
                grams = {
                    folded[i : i + MIN_SUBSTRING] for i in range(len(folded) - MIN_SUBSTRING + 1)
                }
                long = self._long_values
                # a set operation that walks the smaller of the two
                found = [r for g in index.keys() & grams for r in index[g] if long[r] in folded]
                found.sort()
                hits += [long[r] for r in found]
        return hits

    def clean_text(self, text: str) -> tuple[str, int]:
        """``text`` with private values replaced by ``[redacted]``; and how many were found."""
        hits = self.find(text)
        if not hits:
            return text, 0
        out = text
        for v in sorted(set(hits), key=len, reverse=True):
            out = re.sub(re.escape(v), REDACTED, out, flags=re.IGNORECASE)
        return out, len(hits)

    def clean_frame(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        """``frame`` without private columns and with private cells redacted; and a count."""
        found = 0
        drop = [c for c in frame.columns if str(c) in self.columns]
        out = frame.drop(columns=drop) if drop else frame
        found += len(drop)
        if out.index.name is not None and str(out.index.name) in self.columns:
            out = out.reset_index(drop=True)
            found += 1
        if not self.values:
            return out, found
        copied = False
        for j, col in enumerate(out.columns):
            s = out.iloc[:, j]
            if pd.api.types.is_float_dtype(s) and not s.dropna().map(float.is_integer).any():
                continue
            bad = np.fromiter(
                (_key(v) in self.values for v in s.tolist()), dtype=bool, count=len(s)
            )
            if bad.any():
                if not copied:
                    out, copied = out.copy(), True
                col_values = out.iloc[:, j].astype(object)
                col_values[bad] = REDACTED
                out[col] = col_values
                found += int(bad.sum())
        if any(_key(v) in self.values for v in out.index.tolist()):
            out = out.reset_index(drop=True)
            found += 1
        return out, found

    def clean_report(self, report: Report) -> Report:
        """``report`` with every table and text cleaned (warns if anything was removed),
        then protected against recovery of suppressed segments by subtraction
        (:func:`csi.disclosure.protect_report`)."""
        total = 0

        def text(s: str) -> str:
            nonlocal total
            out, k = self.clean_text(s)
            total += k
            return out

        def frame(f: pd.DataFrame) -> pd.DataFrame:
            nonlocal total
            out, k = self.clean_frame(f)
            total += k
            return out

        # every shown text and table of every block, through the report's generic walk
        # (a block with a field of an unknown kind raises TypeError, never passes through)
        cleaned = report.map_content(text, frame)
        if total:
            warnings.warn(
                f"the privacy guard removed {total} private column(s) or value(s) from the "
                "report tables",
                PrivacyWarning,
                stacklevel=2,
            )
        # complementary suppression of every per-segment table, then the differencing
        # attack on the result (csi.disclosure; raises DisclosureError if unprotectable)
        out = protect_report(cleaned)
        return replace(out, cleaned=(self, out.title, out.subtitle, out.sections))

    def has_cleaned(self, report: Report) -> bool:
        """Whether ``report`` is what :meth:`clean_report` of this guard returned (same
        title, subtitle and section objects): cleaning it again would change nothing."""
        mark = report.cleaned
        return (
            mark is not None
            and mark[0] is self
            and mark[1] == report.title
            and mark[2] == report.subtitle
            and mark[3] is report.sections
        )

    def assert_clean(self, document: str, *, what: str = "report") -> None:
        """Raise :class:`PrivacyError` if ``document`` contains a private value."""
        hits = self.find(document)
        if hits:
            raise PrivacyError(
                f"the {what} would contain {len(set(hits))} value(s) of a private column "
                f"({', '.join(sorted(self.columns))}); nothing was written"
            )


def check_not_private(column: str | None, guard: PrivacyGuard, *, what: str) -> None:
    """Raise if ``column`` (e.g. a segment) is a private column."""
    if column is not None and column in guard.columns:
        raise CsiInputError(
            f"{what} {column!r} is a private column (codebook id/private); it cannot appear "
            "in a report"
        )


def mark_suppressed(
    frame: pd.DataFrame,
    *,
    min_size: int,
    lang: str,
    figures: Iterable[str],
    n_column: str = "n",
    flag: str | None = None,
    segment: str = "segment",
) -> pd.DataFrame:
    """Blank ``figures`` of small segments and their complements; mark them in ``note``.

    Segments below ``min_size`` are suppressed (primary); so that they cannot be
    recovered from the overall figure minus the published segments, more segments are
    suppressed with them (complementary suppression, :func:`csi.disclosure.complementary`,
    along the ``segment`` column; the other text columns, e.g. ``construct``, are
    separate layers). The note says which: ``suppressed, n < 30`` or ``suppressed to
    protect a segment with n < 30``. Rows are kept, never dropped, and ``n`` stays.

    If ``flag`` names a boolean column already saying which rows were suppressed (as
    :mod:`csi.metrics` tables do, complements included), it is used (and removed)
    instead of comparing ``n`` with ``min_size``.
    """
    out = frame.copy()
    n = pd.to_numeric(out[n_column], errors="coerce") if n_column in out.columns else None
    if flag is not None and flag in out.columns:
        small = out[flag].fillna(False).astype(bool).to_numpy()
        out = out.drop(columns=[flag])
    else:
        assert n is not None
        small = (n < min_size).to_numpy()
        if segment in out.columns and small.any():
            layers = [
                str(c)
                for c in out.columns
                if c not in (segment, n_column, "note")
                and not pd.api.types.is_numeric_dtype(out[c])
            ]
            small = suppression_mask(
                out,
                small,
                segments=[segment],
                layers=layers,
                n_column=n_column,
                min_size=min_size,
            )
    for col in figures:
        if col in out.columns:
            out[col] = out[col].astype(object) if out[col].dtype == object else out[col]
            if pd.api.types.is_integer_dtype(out[col]):
                out[col] = out[col].astype("Int64")
                out.loc[small, col] = pd.NA
            elif pd.api.types.is_numeric_dtype(out[col]):
                out[col] = out[col].astype(float)
                out.loc[small, col] = float("nan")
            else:
                out.loc[small, col] = None
    sizes = n.to_numpy(dtype=float) if n is not None else np.zeros(len(out))
    out["note"] = [
        (note_for(float(size), min_size, lang) or "") if s else ""
        for s, size in zip(small, sizes, strict=True)
    ]
    return out
