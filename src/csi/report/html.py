"""Lay out a :class:`Report` as one self-contained HTML file.

Figures are embedded as ``data:image/png;base64`` URIs and the style sheet is
inline: no external CSS, scripts, fonts or links, so the file opens offline.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from csi.report.atomic import write_atomic
from csi.report.document import Bullets, Figure, KeyFigures, Report, Table, Text
from csi.report.labels import text

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
 Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.45;
 padding:0 1em}
h1{border-bottom:3px solid #2b5797;padding-bottom:.3em}
h2{color:#2b5797;border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1.02em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#eef2f8;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.suppressed td{color:#888;background:#f6f6f6}
p.note{color:#555;font-size:.9em;font-style:italic}
p.unavailable{color:#8a5a00}
figure{margin:1em 0}
figure img{max-width:100%;height:auto}
figcaption{font-size:.9em;color:#444}
ul,ol{margin:.3em 0 1em}
li{margin:.15em 0}
nav ol{columns:2}
.subtitle{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0 1.2em}
.card{flex:1 1 200px;max-width:260px;border:1px solid #c9d6ea;border-top:4px solid #2b5797;
 border-radius:6px;padding:.6em .9em;background:#f7f9fc}
.card .label{font-size:.85em;color:#444}
.card .value{font-size:2em;font-weight:bold;color:#2b5797;line-height:1.25;
 font-variant-numeric:tabular-nums}
.card .value.muted{color:#888}
.card .detail{font-size:.8em;color:#555}
#s-glance p,#s-glance li{font-size:1.02em}
@media print{
 /* A4 pages, a section a page, no figure or table row cut, headers repeated */
 @page{size:A4;margin:15mm}
 body{max-width:none;margin:0;padding:0;font-size:10pt;line-height:1.35}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 body>section+section{break-before:page}
 h1,h2,h3{break-after:avoid}
 body>section+section>h2{margin-top:0}
 figure,.card,tr,thead{break-inside:avoid}
 thead{display:table-header-group}
 tfoot{display:table-footer-group}
 p.note{break-before:avoid}
 img{max-width:100%;height:auto}
 figure img{display:block;width:auto;max-width:100%;max-height:240mm;margin:0 auto}
 a,a:visited{color:inherit;text-decoration:none}
 .cards{gap:.5em}
 .card{max-width:none}
}
"""

_DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def _cell(value: Any, digits: int) -> tuple[str, bool]:
    """(escaped text, is numeric) of one table cell."""
    if value is None or value is pd.NA:
        return "–", False
    if isinstance(value, bool):
        return html.escape(str(value)), False
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f") if abs(value) >= 10000 else str(value), True
    if isinstance(value, float):
        if math.isnan(value):
            return "–", True
        if value.is_integer() and digits == 0:
            return str(int(value)), True
        return f"{value:.{digits}f}", True
    try:
        if pd.isna(value):
            return "–", False
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalar
        return _cell(value.item(), digits)
    return html.escape(str(value)), False


def table_html(table: Table) -> str:
    """A ``<table>`` of the table's frame (index not shown)."""
    frame = table.frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    note_cols = [j for j, c in enumerate(frame.columns) if str(c) in ("note", "备注")]
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for v in values:
            shown, numeric = _cell(v, table.digits)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{shown}</td>")
        marked = any(str(values[j]).strip() for j in note_cols)
        row_cls = ' class="suppressed"' if marked else ""
        rows.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    parts = [f'<h3 id="t-{html.escape(table.key)}">{html.escape(table.title)}</h3>']
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if table.note:
        parts.append(f'<p class="note">{html.escape(table.note)}</p>')
    return "\n".join(parts)


def figure_html(fig: Figure) -> str:
    data = base64.b64encode(fig.png).decode("ascii")
    title = html.escape(fig.title)
    caption = title + (f" — {html.escape(fig.note)}" if fig.note else "")
    return (
        f'<figure id="f-{html.escape(fig.key)}"><img alt="{title}" '
        f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>'
    )


def cards_html(block: KeyFigures) -> str:
    """Headline figures as a row of cards (plain HTML and the inline style sheet)."""
    cards = []
    for f in block.figures:
        detail = f'<div class="detail">{html.escape(f.detail)}</div>' if f.detail else ""
        value_cls = "value muted" if f.muted else "value"
        cards.append(
            f'<div class="card"><div class="label">{html.escape(f.label)}</div>'
            f'<div class="{value_cls}">{html.escape(f.value)}</div>{detail}</div>'
        )
    return f'<div class="cards" id="k-{html.escape(block.key)}">{"".join(cards)}</div>'


def bullets_html(block: Bullets) -> str:
    """A list (numbered when ``ordered``) under its heading, if it has one."""
    items = "".join(f"<li>{html.escape(i)}</li>" for i in block.items)
    tag = "ol" if block.ordered else "ul"
    head = f"<h3>{html.escape(block.title)}</h3>" if block.title else ""
    return f"{head}<{tag}>{items}</{tag}>"


def render_html(report: Report) -> str:
    """The report as an HTML document (string); runs the privacy guard first."""
    if report.guard is not None and not report.guard.has_cleaned(report):
        report = report.guard.clean_report(report)
    lang = report.lang
    # the contents list the sections with content; a section that is not available
    # keeps its place and its note in the body (the reader sees why it is empty)
    nav = "".join(
        f'<li><a href="#s-{html.escape(s.key)}">{html.escape(s.title)}</a></li>'
        for s in report.sections
        if s.available
    )
    summarised = report.summarised()  # full lists shown as their summary (workbook: both)
    body = [
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="subtitle">{html.escape(report.subtitle)}</p>' if report.subtitle else "",
        f"<nav><h2>{html.escape(text('contents', lang))}</h2><ol>{nav}</ol></nav>",
    ]
    for s in report.sections:
        body.append(f'<section id="s-{html.escape(s.key)}"><h2>{html.escape(s.title)}</h2>')
        for b in s.blocks:
            if isinstance(b, Table):
                if b.key not in summarised and not b.workbook_only:
                    body.append(table_html(b))
            elif isinstance(b, Figure):
                body.append(figure_html(b))
            elif isinstance(b, Bullets):
                body.append(bullets_html(b))
            elif isinstance(b, KeyFigures):
                body.append(cards_html(b))
            elif isinstance(b, Text):
                cls = ' class="note"' if b.note else ""
                if not s.available:
                    cls = ' class="note unavailable"'
                body.append(f"<p{cls}>{html.escape(b.text)}</p>")
        body.append("</section>")
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{text("html_lang", lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(p for p in body if p)
        + "\n</body>\n</html>\n"
    )
    if report.guard is not None:
        visible = html.unescape(_DATA_URI.sub("", doc))
        report.guard.assert_clean(visible, what="HTML report")
    return doc


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report as one self-contained HTML file, atomically; returns the path."""
    doc = render_html(report)

    def write(tmp: Path) -> None:
        tmp.write_text(doc, encoding="utf-8")

    return write_atomic(path, write)
