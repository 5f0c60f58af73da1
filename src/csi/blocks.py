"""The report as plain data: ordered sections of text, bullets, key figures, tables and figures.

A :class:`Report` holds results already laid out for reading (localised headers,
rounded only when written); the writers (:mod:`csi.report.html`,
:mod:`csi.report.excel`) turn it into files without computing anything. The blocks
live low in the library (they import nothing from it) so that disclosure control
(:mod:`csi.disclosure`) and the privacy guard (:mod:`csi.report.privacy`) can read and
rewrite a report without importing the report builder; :mod:`csi.report.document`
re-exports them.

Every block is a frozen dataclass whose ``key`` fields are identifiers and whose other
text fields are what a reader sees: :meth:`Report.map_content` rewrites every shown
text and table of a report through one generic walk (the privacy guard uses it), and
:meth:`Report.walk` / :meth:`Report.map_blocks` visit or replace the blocks in order.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

import pandas as pd

from csi.display import Summary
from csi.i18n import check_lang, text

__all__ = [
    "SUMMARY_SUFFIX",
    "Block",
    "Bullets",
    "Figure",
    "KeyFigure",
    "KeyFigures",
    "Report",
    "ReportGuard",
    "Section",
    "Table",
    "Text",
]


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (``note=True`` renders it as a remark)."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list of short findings (e.g. diagnostics with their advice), under a heading.

    ``title`` may be empty (no heading); ``ordered=True`` numbers the items.
    """

    title: str
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class KeyFigure:
    """One headline figure: ``label``, the ``value`` as shown (e.g. ``"78.4"``), a short
    ``detail`` (e.g. its interval) and the ``number`` for the workbook (written rounded
    as shown); ``muted=True`` shows the value greyed (e.g. a change that is not
    significant)."""

    label: str
    value: str
    detail: str = ""
    number: float | None = None
    muted: bool = False


@dataclass(frozen=True)
class KeyFigures:
    """A row of headline figures (HTML: figure cards; Excel: the summary sheet)."""

    key: str
    figures: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Table:
    """A table: ``key`` is stable (English, used for the Excel sheet), ``title`` is shown.

    ``frame`` has display headers already; ``digits`` is the number of decimals
    used in HTML and in the workbook (never full precision: see :mod:`csi.disclosure`).
    ``workbook_only=True`` keeps a table too long for a page (e.g. every pair of 500
    segments) out of the HTML: it is written to the workbook only.
    """

    key: str
    title: str
    frame: pd.DataFrame
    digits: int = 3
    note: str = ""
    workbook_only: bool = False


@dataclass(frozen=True)
class Figure:
    """A figure as PNG bytes, embedded in the HTML as a data URI."""

    key: str
    title: str
    png: bytes = field(repr=False)
    note: str = ""


Block = Text | Bullets | KeyFigures | Table | Figure

#: A table keyed ``<key>_top`` summarises the table ``<key>`` (its most frequent rows and
#: one "other" row): the HTML shows the summary in place of the full table, and the
#: workbook holds both, the full list on its own sheet.
SUMMARY_SUFFIX = "_top"

#: Fields that identify a block (never shown as such, never rewritten by
#: :meth:`Report.map_content`).
_IDENTIFIERS = frozenset({"key"})

_D = TypeVar("_D")


def _map_fields(
    obj: _D, text: Callable[[str], str], frame: Callable[[pd.DataFrame], pd.DataFrame]
) -> _D:
    """``obj`` (a block dataclass) with every shown text field passed through ``text``
    and every table through ``frame``, nested blocks (key figures) included.

    Identifiers (``key``), numbers, flags and bytes are kept; a field of any other kind
    raises :class:`TypeError`, so that a new kind of content is never passed through
    unseen.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"a report block must be a dataclass, got {type(obj).__name__}")
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in _IDENTIFIERS or value is None or isinstance(value, numbers.Number | bytes):
            continue
        if isinstance(value, str):
            changes[f.name] = text(value)
        elif isinstance(value, pd.DataFrame):
            changes[f.name] = frame(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(
                text(v) if isinstance(v, str) else _map_fields(v, text, frame) for v in value
            )
        else:
            raise TypeError(
                f"cannot walk the field {f.name!r} ({type(value).__name__}) of a "
                f"{type(obj).__name__} block"
            )
    return replace(obj, **changes)


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``available=False`` marks a placeholder section."""

    key: str
    title: str
    blocks: tuple[Block, ...] = ()
    available: bool = True

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Figure))

    @property
    def key_figures(self) -> tuple[KeyFigure, ...]:
        """The headline figures of every :class:`KeyFigures` block, in order."""
        return tuple(f for b in self.blocks if isinstance(b, KeyFigures) for f in b.figures)


class ReportGuard(Protocol):
    """What the writers need of a privacy guard (:class:`csi.report.privacy.PrivacyGuard`)."""

    def clean_report(self, report: Report) -> Report: ...

    def has_cleaned(self, report: Report) -> bool: ...

    def assert_clean(self, document: str, *, what: str = "report") -> None: ...


@dataclass(frozen=True)
class Report:
    """A whole report: title, language and ordered sections.

    ``guard`` knows the private columns and their values; the writers run it on
    every table and text before anything is written (see :mod:`csi.report.privacy`).
    """

    title: str
    lang: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    guard: ReportGuard | None = field(default=None, repr=False, compare=False)
    failures: tuple[str, ...] = ()
    """Requested parts that could not be produced (one line each, e.g. "NPS: ...");
    the CLI refuses to write such a report unless ``--allow-partial``."""
    cleaned: tuple[object, ...] | None = field(default=None, repr=False, compare=False)
    """Set by :meth:`csi.report.privacy.PrivacyGuard.clean_report` on its result (the
    guard, the title, subtitle and sections it cleaned), so that a writer does not clean
    the same report again; any change to these gives a report the writers clean."""

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(t for s in self.sections for t in s.tables)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for s in self.sections for f in s.figures)

    # ------------------------------------------------------------ generic traversal
    def walk(self) -> Iterator[tuple[Section, Block]]:
        """Every block with its section, in reading order."""
        for s in self.sections:
            for b in s.blocks:
                yield s, b

    def map_blocks(self, change: Callable[[Block], Block]) -> Report:
        """The report with every block replaced by ``change(block)`` (same sections)."""
        sections = tuple(
            replace(s, blocks=tuple(change(b) for b in s.blocks)) for s in self.sections
        )
        return replace(self, sections=sections)

    def map_content(
        self,
        text: Callable[[str], str],
        frame: Callable[[pd.DataFrame], pd.DataFrame],
    ) -> Report:
        """The report with every text a reader sees (title, subtitle, section titles,
        every text field of every block) passed through ``text`` and every table's frame
        through ``frame``; identifiers (``key``), the language and the failures stay."""
        sections = tuple(
            replace(
                s,
                title=text(s.title),
                blocks=tuple(_map_fields(b, text, frame) for b in s.blocks),
            )
            for s in self.sections
        )
        return replace(
            self, title=text(self.title), subtitle=text(self.subtitle), sections=sections
        )

    # ------------------------------------------------------------ look-ups
    def summarised(self) -> set[str]:
        """Keys of the tables the HTML leaves out: those with a ``<key>_top`` summary."""
        keys = {t.key for t in self.tables}
        return {k for k in keys if k + SUMMARY_SUFFIX in keys}

    def section(self, key: str) -> Section:
        """The section with ``key`` (KeyError naming the keys otherwise)."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"no section {key!r}; sections: {[s.key for s in self.sections]}")

    def table(self, key: str) -> Table:
        """The table with ``key``."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"no table {key!r}; tables: {[t.key for t in self.tables]}")

    def summary(self, *, lang: str | None = None) -> Summary:
        """One line per section with its tables and figures (the outline), its words in
        ``lang`` (default: the report's; titles stay in the report's language)."""
        lang = check_lang(self.lang if lang is None else lang)
        title = text("outline.title", lang, title=self.title)
        lines = [title]
        rows: list[tuple[str, str, str, str, int | None]] = []
        for s in self.sections:
            mark = "" if s.available else text("outline.unavailable", lang)
            lines.append(f"- {s.title}{mark}")
            for t in s.tables:
                lines.append(
                    "    "
                    + text("outline.table", lang, name=t.key, title=t.title, rows=len(t.frame))
                )
                rows.append((s.title, "table", t.key, t.title, len(t.frame)))
            for f in s.figures:
                lines.append("    " + text("outline.figure", lang, name=f.key, title=f.title))
                rows.append((s.title, "figure", f.key, f.title, None))
        outline = pd.DataFrame(rows, columns=["section", "kind", "key", "title", "rows"])
        return Summary("\n".join(lines), title=title, tables={"outline": outline}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html

    def __repr__(self) -> str:
        return (
            f"Report(lang={self.lang!r}, sections={len(self.sections)}, "
            f"tables={len(self.tables)}, figures={len(self.figures)})"
        )
