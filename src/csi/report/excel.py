"""Lay out a :class:`Report` as an Excel workbook (openpyxl): one sheet per table.

Layout: sheet names in the report's language (an English workbook names each table
sheet by its stable key, e.g. ``index_segment``; a Chinese one by a short Chinese
name, e.g. ``细分群体指数``, see :func:`sheet_title`), always unique, at most 31
characters and without ``[]:*?/\\``; column widths from the display width of the
cells (a CJK character counts as two, :func:`display_width`); a number format per
column from the table's digits (whole numbers without decimals); the header row
frozen on every sheet. The contents list only the sections with content.

The first sheet (``Contents`` / ``目录``) lists every sheet with its section, title and
note (a model-based table's note states the respondents the model used); next comes
the summary (``At a glance`` / ``概览``: the headline figures and
findings, one per row); each table sheet holds just the table (header in row 1), so
it reads back with ``pandas.read_excel(path, sheet_name=...)``. Figures are in the
HTML report.

Every number is written rounded to the decimals the report shows (a table's
``digits``, a headline figure's displayed value), never at full precision: the
unrounded figures of the segments and the total would let a reader recover a
suppressed segment by subtraction (see ``docs/disclosure.md``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from csi.disclosure import protect_report
from csi.i18n.headers import SHEETS, SHEETS_EN
from csi.i18n.headers import SHEETS_ZH as SHEETS_ZH  # re-exported (tests, callers)
from csi.report.atomic import write_atomic
from csi.report.document import Bullets, KeyFigures, Report, Section, Table, Text
from csi.report.labels import LANGS, header, text

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET = 31


def sheet_name(key: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name from ``key`` (<= 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", key).strip("'") or "sheet"
    base = base[:MAX_SHEET]
    name, k = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f"_{k}"
        name = base[: MAX_SHEET - len(suffix)] + suffix
        k += 1
    taken.add(name)
    return name


def sheet_title(key: str, lang: str) -> str:
    """The sheet name of the table ``key`` in ``lang`` before it is made valid and unique:
    the name in :data:`SHEETS` (of the longest known base for keys like
    ``sizes_region``: ``<name of the base>_region``), else the key. English sheets are
    named by their key; Chinese ones by :data:`csi.i18n.headers.SHEETS_ZH`."""
    names = SHEETS.get(lang, SHEETS_EN)
    if key in names:
        return names[key]
    for base in sorted(names, key=len, reverse=True):
        if key.startswith(base + "_"):
            return f"{names[base]}_{key[len(base) + 1 :]}"
    return key


def display_width(value: Any) -> int:
    """Columns ``value`` takes in a fixed-width view: East Asian wide and full-width
    characters count as two (:func:`unicodedata.east_asian_width`), the widest line of
    a multi-line text counts."""
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        for line in lines
    )


def number_format(digits: int) -> str:
    """Excel number format with ``digits`` decimals (``0``, ``0.0``, ``0.000``, ...)."""
    return "0" if digits <= 0 else "0." + "0" * digits


def _shown(v: Any, digits: int) -> str:
    """A cell as the workbook shows it (for its width)."""
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.{max(digits, 0)}f}"
    return str(v)


#: Headers of count columns (in both languages): whole numbers, shown without decimals.
_COUNT_HEADERS = {
    header(c, lang)
    for c in ("n", "count", "promoters", "passives", "detractors", "satisfied", "n_answers")
    for lang in LANGS
}


def workbook_tables(report: Report) -> tuple[Table, ...]:
    """The tables the workbook holds, in order (every table of the report)."""
    return report.tables


_DECIMALS = re.compile(r"-?\d+(?:\.(\d+))?")


def _value(v: Any, digits: int | None = None) -> Any:
    """A cell value openpyxl can write; floats rounded to ``digits`` decimals (the
    precision shown), so the workbook never holds more than the report displays."""
    if v is None or v is pd.NA:
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, float) and digits is not None:
        v = round(v, digits)
        return v + 0.0  # no negative zero
    if isinstance(v, int | float | str | bool):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _shown_decimals(value: str) -> int:
    """Decimals of the first number in a displayed value (``"78.4"`` -> 1; 1 if none)."""
    m = _DECIMALS.search(value.replace(",", ""))
    if m is None:
        return 1
    return len(m.group(1) or "")


def summary_sections(report: Report) -> list[Section]:
    """Sections with headline figures: each gets a sheet right after the contents."""
    return [s for s in report.sections if any(isinstance(b, KeyFigures) for b in s.blocks)]


def sheet_names(report: Report) -> list[str]:
    """The sheet names :func:`write_excel` will use, in order: contents, summary sheets
    (named by their section title), then one per table."""
    taken: set[str] = set()
    names = [sheet_name(text("contents", report.lang), taken)]
    names += [sheet_name(s.title, taken) for s in summary_sections(report)]
    names += [sheet_name(sheet_title(t.key, report.lang), taken) for t in workbook_tables(report)]
    return names


def _summary_sheet(ws: Any, section: Section, lang: str, bold: Any, big: Any) -> None:
    """Headline figures (label, value, detail) then the findings, one per row."""
    ws.append([section.title])
    ws["A1"].font = big
    for b in section.blocks:
        if isinstance(b, KeyFigures):
            ws.append([])
            ws.append([text("x_figure", lang), text("x_value", lang), text("x_detail", lang)])
            for cell in ws[ws.max_row]:
                cell.font = bold
            for f in b.figures:
                shown = _shown_decimals(f.value)
                number = None if f.number is None else _value(float(f.number), shown)
                ws.append([f.label, number if number is not None else f.value, f.detail])
                if number is not None:
                    fmt = "0" if shown == 0 else "0." + "0" * shown
                    ws.cell(ws.max_row, 2).number_format = fmt
        elif isinstance(b, Bullets):
            ws.append([])
            if b.title:
                ws.append([b.title])
                ws.cell(ws.max_row, 1).font = bold
            for k, item in enumerate(b.items, start=1):
                ws.append([f"{k}. {item}" if b.ordered else f"• {item}"])
        elif isinstance(b, Text):
            ws.append([])
            ws.append([b.text])
    _fit_columns(ws, minimum=(12, 10, 12), maximum=(60, 16, 80))
    ws.freeze_panes = "A2"  # the section title stays in view


def _fit_columns(
    ws: Any, *, minimum: tuple[int, ...] = (), maximum: tuple[int, ...] = (), digits: int = 3
) -> None:
    """Each column as wide as its widest cell (display width, a CJK character counting
    two), within ``minimum``/``maximum`` per column (8 and 60 by default)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows(max_row=min(ws.max_row, 500)):
        for cell in row:
            if cell.value is None:
                continue
            shown = _shown(cell.value, digits)
            widths[cell.column] = max(widths.get(cell.column, 0), display_width(shown))
    for j, w in widths.items():
        lo = minimum[j - 1] if j - 1 < len(minimum) else 8
        hi = maximum[j - 1] if j - 1 < len(maximum) else 60
        ws.column_dimensions[get_column_letter(j)].width = min(max(lo, w + 2), hi)


def _table_sheet(ws: Any, table: Table, bold: Any) -> None:
    """The table with its header in row 1 (frozen), rounded to the table's digits; a
    number format and a width per column."""
    from openpyxl.utils import get_column_letter

    frame = table.frame
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = bold
    for row in frame.itertuples(index=False, name=None):
        ws.append([_value(v, table.digits) for v in row])
    ws.freeze_panes = "A2"
    decimals = number_format(table.digits)
    for j, col in enumerate(frame.columns, start=1):
        values = frame.iloc[:, j - 1]
        letter = get_column_letter(j)
        whole = pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values)
        if not whole and str(col) in _COUNT_HEADERS:  # counts made float by a blank
            numbers = pd.to_numeric(values, errors="coerce").dropna()
            whole = bool(len(numbers)) and bool((numbers == numbers.round()).all())
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            v = cell.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            # whole numbers (counts) without decimals, measured figures with the table's
            cell.number_format = "0" if whole or isinstance(v, int) else decimals
        width = display_width(col)
        for v in values.iloc[:500]:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            width = max(width, display_width(_shown(_value(v, table.digits), table.digits)))
        ws.column_dimensions[letter].width = min(max(8, width + 2), 60)


def write_excel(report: Report, path: str | Path) -> Path:
    """Write the tables of ``report`` to an ``.xlsx`` workbook, atomically; returns the path."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("writing Excel needs openpyxl: pip install 'csi[excel]'") from None
    if report.guard is not None:
        if not report.guard.has_cleaned(report):
            report = report.guard.clean_report(report)  # privacy, then csi.disclosure
    else:
        report = protect_report(report)
    lang = report.lang
    names = sheet_names(report)
    wb = Workbook()
    contents = wb.active
    assert contents is not None
    contents.title = names[0]
    bold = Font(bold=True)
    contents.append([report.title])
    contents["A1"].font = Font(bold=True, size=14)
    if report.subtitle:
        contents.append([report.subtitle])
    contents.append([])
    contents.append(
        [
            header("contents_sheet", lang),
            text("contents", lang),
            header("contents_title", lang),
            header("note", lang),
        ]
    )
    for cell in contents[contents.max_row]:
        cell.font = bold
    header_row = contents.max_row
    summaries = summary_sections(report)
    for name, section in zip(names[1:], summaries, strict=False):
        contents.append([name, section.title, section.title])
    k = 1 + len(summaries)
    tables = workbook_tables(report)
    missing: list[str] = []
    for section in report.sections:
        if any(section is other for other in summaries):
            continue
        if not section.available:  # listed once below, not as an empty entry
            missing.append(section.title)
            continue
        for table in section.tables:
            if not any(table is t for t in tables):
                continue
            contents.append([names[k], section.title, table.title, table.note or None])
            k += 1
    if missing:
        sep = text("sep_names", lang)
        contents.append([])
        contents.append([text("not_included", lang, sections=sep.join(missing))])
    _fit_columns(contents, minimum=(12, 16, 20, 20), maximum=(34, 40, 80, 100))
    contents.column_dimensions["A"].width = max(contents.column_dimensions["A"].width, 12)
    contents.freeze_panes = f"A{header_row + 1}"

    for name, section in zip(names[1:], summaries, strict=False):
        _summary_sheet(wb.create_sheet(name), section, lang, bold, Font(bold=True, size=14))
    for name, table in zip(names[1 + len(summaries) :], tables, strict=True):
        _table_sheet(wb.create_sheet(name), table, bold)

    def write(tmp: Path) -> None:
        wb.save(tmp)

    return write_atomic(path, write)
