"""Lay out a :class:`Report` as an Excel workbook (openpyxl): one sheet per table.

The first sheet (``Contents`` / ``目录``) lists every sheet with its section and
title; next comes the summary (``At a glance`` / ``概览``: the headline figures and
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
from pathlib import Path
from typing import Any

import pandas as pd

from csi.report.atomic import write_atomic
from csi.report.document import Bullets, KeyFigures, Report, Section, Text
from csi.report.labels import header, text

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
    names += [sheet_name(t.key, taken) for t in report.tables]
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
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 60


def write_excel(report: Report, path: str | Path) -> Path:
    """Write the tables of ``report`` to an ``.xlsx`` workbook, atomically; returns the path."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("writing Excel needs openpyxl: pip install 'csi[excel]'") from None
    if report.guard is not None:
        report = report.guard.clean_report(report)  # privacy, then csi.disclosure
    else:
        from csi.disclosure import protect_report

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
            header("sheet", lang) if lang == "en" else "工作表",
            text("contents", lang),
            "title" if lang == "en" else "标题",
        ]
    )
    for cell in contents[contents.max_row]:
        cell.font = bold
    summaries = summary_sections(report)
    for name, section in zip(names[1:], summaries, strict=False):
        contents.append([name, section.title, section.title])
    k = 1 + len(summaries)
    for section in report.sections:
        if any(section is other for other in summaries):
            continue
        if not section.tables:
            note = text("not_available", lang, reason="—") if not section.available else ""
            contents.append(["", section.title, note])
            continue
        for table in section.tables:
            contents.append([names[k], section.title, table.title])
            k += 1
    contents.column_dimensions["A"].width = 24
    contents.column_dimensions["B"].width = 36
    contents.column_dimensions["C"].width = 70

    for name, section in zip(names[1:], summaries, strict=False):
        _summary_sheet(wb.create_sheet(name), section, lang, bold, Font(bold=True, size=14))
    for name, table in zip(names[1 + len(summaries) :], report.tables, strict=True):
        ws = wb.create_sheet(name)
        frame = table.frame
        ws.append([str(c) for c in frame.columns])
        for cell in ws[1]:
            cell.font = bold
        for row in frame.itertuples(index=False, name=None):
            ws.append([_value(v, table.digits) for v in row])
        ws.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame.iloc[:50, j - 1]])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
            if pd.api.types.is_float_dtype(frame.iloc[:, j - 1]):
                fmt = "0" if table.digits == 0 else "0." + "0" * table.digits
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt

    def write(tmp: Path) -> None:
        wb.save(tmp)

    return write_atomic(path, write)
