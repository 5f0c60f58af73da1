"""The appendix: the technical tables the other sections moved out of the main body,
then the PLS detail at the level of a SmartPLS results report
(:mod:`csi.report.sections_pls_detail`) and the multi-group results
(:mod:`csi.report.sections_groups`)."""

from __future__ import annotations

from csi.report.context import Context
from csi.report.document import Block, Section, Text
from csi.report.excel import SHEETS_ZH
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


#: Chinese sheet names of the tables this appendix adds. They belong in
#: :data:`csi.report.excel.SHEETS_ZH` (which the workbook reads); until they are moved
#: there they are registered from here, never overriding a name given there.
SHEETS_ZH_APPENDIX = {
    "outer_weights_boot": "外部权重显著性",
    "loadings_boot": "外部载荷显著性",
    "cross_loadings": "交叉载荷",
    "outer_vif_items": "指标共线性VIF",
    "indirect_effects": "间接效应",
    "model_fit": "模型拟合",
    "pls_predict": "PLSpredict预测",
    "q2_blindfolding": "Q²预测相关性",
    "micom": "测量不变性MICOM",
    "mga_paths": "多群组路径比较",
}
for _key, _name in SHEETS_ZH_APPENDIX.items():
    SHEETS_ZH.setdefault(_key, _name)


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
