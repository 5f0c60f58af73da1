"""The CSI report: one call from a survey to a self-contained HTML file and an Excel workbook.

    from csi.survey import read_survey
    from csi.report import run_analysis, write_report

    survey = read_survey("survey.csv", "codebook.yaml")
    report = run_analysis(survey, "acsi", segment="region", lang="zh")
    paths = write_report(report, "out")          # out/report.html, out/report.xlsx

or :func:`make_report` for both steps. :func:`run_analysis` calls the library
and collects its results into a :class:`Report` (ordered sections of tables,
figures and text; the first section, "At a glance", gives the headline figures and
findings, and an appendix holds the technical tables); :func:`write_html` and
:func:`write_excel` only lay it out, atomically (temporary file, then rename).
Private columns (codebook ``id`` and ``private``) never reach either file
(:mod:`csi.report.privacy`), and segments smaller than ``min_segment_size`` are
suppressed and marked in every per-segment table (and never named in the summary).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from csi._checks import CsiInputError
from csi.report.atomic import output_set
from csi.report.build import SECTIONS, find_target, run_analysis
from csi.report.document import (
    Bullets,
    Figure,
    KeyFigure,
    KeyFigures,
    Report,
    Section,
    Table,
    Text,
)
from csi.report.excel import write_excel
from csi.report.html import render_html, write_html
from csi.report.model import construct_roles, load_model, spec_from_codebook
from csi.report.privacy import PrivacyError, PrivacyGuard, PrivacyWarning
from csi.survey import Survey, read_survey

__all__ = [
    "SECTIONS",
    "Bullets",
    "Figure",
    "KeyFigure",
    "KeyFigures",
    "PrivacyError",
    "PrivacyGuard",
    "PrivacyWarning",
    "Report",
    "Section",
    "Table",
    "Text",
    "construct_roles",
    "find_target",
    "load_model",
    "make_report",
    "render_html",
    "run_analysis",
    "spec_from_codebook",
    "write_excel",
    "write_html",
    "write_report",
]

FORMATS = ("html", "xlsx")


def write_report(
    report: Report,
    outdir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    name: str = "report",
) -> dict[str, Path]:
    """Write ``report`` to ``outdir/name.html`` and ``outdir/name.xlsx`` (created if needed).

    The files are written as one set (:func:`csi.report.atomic.output_set`): each to a
    temporary file, then all moved into place together under a folder lock, so an
    interrupted run leaves no temporary file and concurrent runs never mix their
    files. Returns ``{"html": path, "xlsx": path}``.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise CsiInputError(f"unknown report format {bad[0]!r}; formats are {list(FORMATS)}")
    folder = Path(outdir)
    if folder.exists() and not folder.is_dir():
        raise CsiInputError(f"output path {str(folder)!r} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    with output_set(folder):  # both files land together, or neither
        if "html" in formats:
            out["html"] = write_html(report, folder / f"{name}.html")
        if "xlsx" in formats:
            out["xlsx"] = write_excel(report, folder / f"{name}.xlsx")
    return out


def make_report(
    survey: Any,
    outdir: str | Path,
    *,
    codebook: Any = None,
    formats: Sequence[str] = FORMATS,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> dict[str, Path]:
    """Read (if a path is given), analyse and write: :func:`run_analysis` + :func:`write_report`.

    ``survey`` is a Survey or a file path (read with ``codebook``); ``options`` go to
    :func:`run_analysis` (``model``, ``system``, ``segment``, ``lang``, ...).
    """
    if not isinstance(survey, Survey):
        survey = read_survey(survey, codebook)
    report = run_analysis(survey, progress=progress, **options)
    if progress is not None:
        progress("writing the report")
    return write_report(report, outdir, formats=formats)
