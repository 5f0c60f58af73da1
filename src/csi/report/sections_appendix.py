"""The appendix: the technical tables the other sections moved out of the main body,
then the PLS detail at the level of a SmartPLS results report
(:mod:`csi.report.sections_pls_detail`) and the multi-group results
(:mod:`csi.report.sections_groups`)."""

from __future__ import annotations

from csi.report.context import Context
from csi.report.document import Block, Section, Text
from csi.report.sections_groups import GROUP_TABLES, add_group_comparison
from csi.report.sections_pls_detail import DETAIL_TABLES, add_pls_detail

#: Tables in the appendix, in appendix order: those the sections moved out of the main
#: body, then the PLS detail and the group comparison.
APPENDIX = (
    "cleaning_items",
    "exclusion_reasons_top",
    "exclusion_reasons",
    "measurement_model",
    "outer_model",
    "total_effects",
    "sem_paths",
    "index_segment_ci",
    "index_differences",
    "index_vs_rest",
    *DETAIL_TABLES,
    *GROUP_TABLES,
)


def appendix_section(ctx: Context) -> Section:
    """The technical tables the other sections moved here (:meth:`Context.to_appendix`),
    the PLS detail and the group comparison."""
    add_pls_detail(ctx)
    add_group_comparison(ctx)
    order = [k for k in APPENDIX if k in ctx.appendix]
    order += [k for k in ctx.appendix if k not in APPENDIX]
    blocks: list[Block] = [Text(ctx.t("appendix_intro")), Text(ctx.t("appendix_intro_detail"))]
    for key in order:
        blocks += ctx.appendix[key]
    return Section("appendix", ctx.t("appendix"), tuple(blocks))
