"""One function per report section: call the library, lay out its results.

Nothing here estimates anything: tables come from the survey's cleaning report,
the fitted PLS result (paths, R², weights, index, impacts, IPMA, respondent
scores), :mod:`csi.scales` (seven levels), :mod:`csi.metrics` (NPS, CSAT),
:mod:`csi.fuzzy` and the optional parts reached through
:mod:`csi.report.adapters`. The only operations on numbers are selecting,
sorting, reshaping, converting shares to percent, and blanking small segments.

This module gathers the sections from the modules that lay them out:

* :mod:`csi.report.context`: :class:`Context`, what every section reads;
* :mod:`csi.report.sections_summary`: data summary;
* :mod:`csi.report.sections_model`: model, reliability and validity, paths and fit;
* :mod:`csi.report.sections_index`: satisfaction indices, impacts and priorities;
* :mod:`csi.report.sections_system`: indicator system, seven levels, fuzzy evaluation;
* :mod:`csi.report.sections_metrics`: service metrics (NPS, CSAT);
* :mod:`csi.report.sections_appendix`: the appendix of technical tables, with
  :mod:`csi.report.sections_pls_detail` (the PLS detail of a SmartPLS results report)
  and :mod:`csi.report.sections_groups` (MICOM and PLS-MGA between segments).
"""

from __future__ import annotations

from csi.report.context import Context, one_line
from csi.report.sections_appendix import APPENDIX, appendix_section
from csi.report.sections_groups import add_group_comparison
from csi.report.sections_index import (
    IMPACT_POINTS,
    QUADRANT_TEXT,
    impacts_section,
    index_section,
)
from csi.report.sections_metrics import metrics_section, satisfied_measures
from csi.report.sections_model import (
    SEM_FIT,
    model_section,
    paths_section,
    quality_section,
    sem_blocks,
)
from csi.report.sections_pls_detail import add_pls_detail
from csi.report.sections_summary import TOP_REASONS, summary_section
from csi.report.sections_system import fuzzy_section, levels_section, system_section

__all__ = [
    "APPENDIX",
    "IMPACT_POINTS",
    "QUADRANT_TEXT",
    "SEM_FIT",
    "TOP_REASONS",
    "Context",
    "add_group_comparison",
    "add_pls_detail",
    "appendix_section",
    "fuzzy_section",
    "impacts_section",
    "index_section",
    "levels_section",
    "metrics_section",
    "model_section",
    "one_line",
    "paths_section",
    "quality_section",
    "satisfied_measures",
    "sem_blocks",
    "summary_section",
    "system_section",
]
