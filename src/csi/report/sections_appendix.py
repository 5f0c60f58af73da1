"""The appendix: the technical tables the other sections moved out of the main body."""

from __future__ import annotations

from csi.report.context import Context
from csi.report.document import Block, Section, Text

#: Tables moved out of the main body, in appendix order.
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
)


def appendix_section(ctx: Context) -> Section:
    """The technical tables the other sections moved here (:meth:`Context.to_appendix`)."""
    order = [k for k in APPENDIX if k in ctx.appendix]
    order += [k for k in ctx.appendix if k not in APPENDIX]
    blocks: list[Block] = [Text(ctx.t("appendix_intro"))]
    for key in order:
        blocks += ctx.appendix[key]
    return Section("appendix", ctx.t("appendix"), tuple(blocks))
