"""The report as data: ordered sections of tables, figures and text.

A :class:`Report` holds results already laid out for reading (localised headers,
rounded only when written); the writers (:mod:`csi.report.html`,
:mod:`csi.report.excel`) turn it into files without computing anything.

The blocks themselves are defined in :mod:`csi.blocks` (low in the library, so that
:mod:`csi.disclosure` can read a report without importing the report builder) and
re-exported here.
"""

from __future__ import annotations

from csi.blocks import (
    SUMMARY_SUFFIX,
    Block,
    Bullets,
    Figure,
    KeyFigure,
    KeyFigures,
    Report,
    ReportGuard,
    Section,
    Table,
    Text,
)

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
