"""Chinese titles and phrases of the report (looked up through
:mod:`csi.i18n`; a key missing here falls back to the English text).
"""

from __future__ import annotations

#: Section titles, table titles and phrases.
TEXT_ZH: dict[str, str] = {
    "table_in_workbook": "{title}：共 {rows} 行（{k} 个细分群体），仅在 Excel 工作簿中。",
    "figure_too_many_segments": (
        "图形未绘制（{title}）：{k} 个细分群体超过一张图能展示的数量（最多 {most} 个）；"
        "各表格列出全部细分群体。"
    ),
    # segment comparisons that scale (issue 18): each segment against the rest
    "t_index_vs_rest": "各细分群体与其余受访者的比较（{segment}）",
    "t_index_vs_rest_significant": (
        "与其余受访者有显著差异的细分群体（{segment}；Holm 校正 p < {alpha:g}）"
    ),
    "vs_rest_note": (
        "{segment} 的每个细分群体与其余全部受访者比较：差异 = 该群体的指数减去其余受访者的"
        "指数，检验为受访者得分的{test}；p 值在每个构念的各细分群体之间做 Holm 校正（每个"
        "构念为一个检验族）。细分群体两两之间的差异仅在要求时（pairs=True，--pairs）写入 "
        "Excel 工作簿。"
    ),
    "vs_rest_none": (
        "{segment} 的细分群体在各构念上与其余受访者均无显著差异（Holm 校正 p < {alpha:g}）。"
    ),
    "pairs_workbook_note": (
        "细分群体两两之间的差异，来自自助法（{level:.0%} 百分位区间）；仅在 Excel 工作簿中。"
        "p（Holm 校正）在每个构念的各对之间校正。"
    ),
    # appendix: PLS detail (SmartPLS level) and group comparison
    "appendix_intro_detail": (
        "随后是 SmartPLS 结果报告所给出的 PLS 细节：外部权重与载荷的显著性、交叉载荷、"
        "各指标的 VIF、特定与总间接效应、模型拟合（SRMR、d_ULS、d_G）、预测相关性"
        "（PLSpredict 与 Q²），以及给定细分变量时的 MICOM 与路径的多群组比较。"
    ),
    "detail_unavailable": "{table}：不可用（{reason}）。",
    "t_outer_weights_boot": "外部权重：自助法显著性",
    "t_loadings_boot": "外部载荷：自助法显著性",
    "t_cross_loadings": "交叉载荷（各题目与各潜变量的相关系数）",
    "cross_note": (
        "每个题目与其所属潜变量的相关应高于与其他潜变量的相关（Chin 1998）；最后一列给出是否满足。"
    ),
    "t_outer_vif_items": "指标共线性（外部 VIF）",
    "outer_vif_note": (
        "各指标在其潜变量区块内的 VIF；对形成性（模式 B）区块有意义，VIF 高于 {vif:g} "
        "提示共线性（Hair 等 2017）。"
    ),
    "t_indirect_effects": "间接效应（特定与总间接效应）及自助法置信区间",
    "indirect_specific": "特定间接效应",
    "indirect_total": "总间接效应",
    "indirect_note": (
        "特定间接效应为一条路线上各路径系数之积；一对潜变量的总间接效应为其所有路线之和（标准化）。"
    ),
    "indirect_none": "模型没有间接效应（没有包含两条及以上路径的路线）。",
    "t_model_fit": "模型拟合（SRMR、d_ULS、d_G）",
    "fit_model_saturated": "饱和模型",
    "fit_model_estimated": "估计模型",
    "fit_d_uls": "d_ULS（欧氏距离平方）",
    "fit_d_g": "d_G（测地距离）",
    "fit_note": (
        "题目相关矩阵与模型隐含相关矩阵之间的距离（Henseler 等 2014；Dijkstra 与 "
        "Henseler 2015）：SRMR 通常以低于 0.08 为标准。仅列数值：报告未运行精确拟合的自助法检验。"
    ),
    "no_model_fit": "拟合结果没有 model_fit() 方法",
    "t_pls_predict": "预测相关性：PLSpredict（内生题目）",
    "predict_note": (
        "{folds} 折交叉验证（{repeats} 轮），随机种子 {seed}（Shmueli 等 2019）："
        "Q²predict 大于 0 表示模型预测优于题目均值；PLS 误差低于线性模型（LM）表示具有预测能力。"
        "预测能力：{power}。"
    ),
    "predict_unweighted": "未加权：交叉验证在重新拟合模型时不使用调查权重。",
    "power_high": "高（每个题目 PLS 均低于 LM）",
    "power_medium": "中（多数题目 PLS 低于 LM）",
    "power_low": "低（少数题目 PLS 低于 LM）",
    "power_none": "无（并非所有题目 Q²predict 大于 0，或 PLS 从未低于 LM）",
    "t_q2_blindfolding": "预测相关性：Blindfolding 法 Q²（内生潜变量）",
    "q2_note": (
        "Stone-Geisser Q²（交叉验证冗余度，省略距离 {d}）："
        "大于 0 表示对该潜变量具有预测相关性（Hair 等 2017）。"
    ),
    "t_micom": "细分群体（{segment}）间的测量不变性：MICOM",
    "micom_composition": "组成不变性（c）",
    "micom_mean": "均值相等",
    "micom_log_variance": "方差相等（对数比）",
    "invariance_full": "完全",
    "invariance_partial": "部分",
    "invariance_none": "无",
    "micom_note": (
        "MICOM（Henseler、Ringle 与 Sarstedt 2016）：第 2 步将两组权重下合成得分的相关 c "
        "与置换分布的 5% 分位数（下限）比较；第 3 步将均值之差与对数方差之差与置换区间比较。"
        "部分不变性（满足第 2 步）允许比较路径；完全不变性（满足第 2、3 步）还允许合并各组。"
    ),
    "t_mga_paths": "细分群体（{segment}）间的路径系数比较：PLS-MGA",
    "mga_note": (
        "各组自身的路径系数；差异 = A 组减 B 组；p 值来自置换检验（Chin 与 Dibbern 2010），"
        "未对比较次数进行校正。n（A）、n（B）：各组使用的受访者数。"
    ),
    "mga_note_micom": "仅比较两端潜变量至少具有部分测量不变性（MICOM）的路径。",
    "mga_note_no_micom": "未能检验测量不变性（MICOM）（{reason}）：解读差异时请谨慎。",
    "no_micom": "此版本 csi 不提供 MICOM",
    "mga_permutations": "置换 {n} 次，随机种子 {seed}。",
    "bootstrap_staged": (
        "没有各细分群体的区间：分阶段估计的模型（含交互项）整体做自助法，每次重抽样重跑所有阶段；"
        "{segment} 各群体之间用受访者得分比较。"
    ),
    "mga_interaction": "模型含交互项（调节变量本身即群组效应）",
    "sem_interaction": (
        "模型含交互项（{terms}），csi 的 CB-SEM 不估计交互项；上文 PLS 结果已包含它们"
    ),
    "predict_sampled": (
        "共 {n_all:,} 名受访者，PLSpredict 在随机抽取的 n = {n:,} 人上运行（随机种子 {seed}），"
        "并以相同设置在该样本上重新估计模型；报告中的其他数字均使用全部受访者。"
    ),
    "mga_sampled": (
        "超过 {cap:,} 人的群组在比较时随机抽取其中 {cap:,} 人（随机种子 {seed}），"
        "并以相同设置在这些样本上重新估计模型；报告中的其他数字均使用全部受访者。"
    ),
    "mga_groups": (
        "比较 {segment} 中至少有 {min_group} 位受访者的组（最多取最大的 {most} 个，两两比较）；"
        "报告隐藏的细分群体（少于 {min_size} 位受访者，"
        "或为保护此类群体而隐藏）从不参与比较；{k} 个组未参与比较。"
    ),
    "mga_unavailable": "按 {segment} 的多群组比较：不可用（{reason}）。",
    "mga_too_few": "至少有 {min_size} 位受访者的细分群体不足两个",
    "mga_no_resamples": "需要重抽样：自助法次数为 0（已关闭）",
    "mga_weighted": "模型为加权模型，暂不支持加权拟合的多群组比较",
    "mga_hidden": "涉及最终报告所隐藏细分群体（为保护小群体）的比较已略去。",
    "mga_no_method": "拟合结果没有 compare_groups() 方法",
    "mga_pair_failed": "{a} 与 {b} 的多群组比较失败（{reason}）。",
    # at a glance: margins of error
    "m_title": "核心指标的精确度（误差范围）",
    "m_index": "{target}指数 {value:.1f}（±{moe:.1f} 个指数点，{level:.0%} 置信区间，n = {n:,}）",
    "m_share": "{what} {value:.1f}%（±{moe:.1f} 个百分点，{level:.0%} 置信区间，n = {n:,}）",
    "m_nps": "净推荐值 {value:+.1f}（±{moe:.1f} 分，{level:.0%} 置信区间，n = {n:,}）",
    "m_satisfied": "满意（5-7级）",
    "m_csat": "CSAT（{column} 的前 {top} 档）",
    "m_note": (
        "误差范围为 95% 置信区间宽度的一半：若调查全部顾客，该指标很可能落在此范围内。"
        "指数：{index_method}。比例：{share_method}。净推荐值：推荐者比例减贬损者比例的方差"
        "（Rocks 2016）{nps_method}。"
    ),
    "m_index_boot": "自助法百分位区间（重抽样 {n:,} 次）",
    "m_index_t": "受访者得分均值的 t 区间（模型的题目权重视为固定）",
    "m_share_wilson": "Wilson 得分区间",
    "m_share_design": "基于抽样设计的区间（设计标准误）",
    "m_nps_design": "，基于抽样设计",
    "report_title": "顾客满意度测评报告",
    "contents": "目录",
    "generated": "由 csi {version} 根据 {source} 生成",
    "glance": "概览",
    "appendix": "附录：技术细节",
    "summary": "数据概况",
    "model": "模型",
    "quality": "信度与效度",
    "paths": "路径模型与拟合",
    "index": "满意度指数",
    "impacts": "影响效应与改进优先级",
    "system": "指标体系：权重与得分",
    "levels": "七级满意度解读",
    "fuzzy": "模糊综合评价",
    "metrics": "服务指标（NPS、CSAT）",
    "t_respondents": "样本",
    "t_reasons": "剔除的样本及原因",
    "t_items": "各题目的数据清洗",
    "t_segment_sizes": "各细分群体样本量（{segment}）",
    "t_measurement": "测量模型",
    "t_structural": "结构路径",
    "t_paths": "路径系数",
    "t_r2": "解释方差（R²）",
    "t_outer": "外部权重与载荷",
    "t_sem_fit": "协方差结构方程模型拟合指数",
    "t_sem_paths": "协方差结构方程模型结构路径",
    "t_index": "各潜变量指数（0-100）",
    "t_index_segment": "各细分群体指数（{segment}）",
    "t_index_period": "各期指数（{segment}）",
    "t_impacts": "影响效应：驱动因素提高 {points} 分时指数的增加值（指数分，0-100）",
    "t_ipma": "改进优先级（{target}的重要性-表现分析）",
    "t_levels": "各满意度等级的样本分布（{construct}）",
    "t_levels_segment": "各细分群体的满意度等级（{segment}）",
    "t_nps": "净推荐值 NPS（{column}）",
    "t_nps_segment": "各细分群体净推荐值（{segment}）",
    "t_csat": "CSAT：前 {top} 档的比例（{column}）",
    "t_csat_segment": "各细分群体 CSAT（{segment}）",
    "t_bootstrap": "自助法（{n} 次重抽样）：{what}",
    "t_system_weights": "指标权重",
    "t_system_scores": "指标体系得分",
    "t_system_segment": "各细分群体的指标体系得分（{segment}）",
    "t_system_levels": "各满意度等级的样本分布（{name}）",
    "t_fuzzy_system": "基于指标体系的模糊综合评价（隶属度，%）",
    "t_fuzzy_membership": "{name}各题目的隶属度矩阵 R（%）",
    "t_fuzzy_result": "{name}的评价向量 B = A ∘ R（{operator}）",
    "system_cr": "层次分析法总排序一致性比率 CR = {cr:.3f}（小于 0.10 可接受）。",
    "system_incomplete": "{incomplete} 位受访者仅根据部分题目计分；{unscored} 位没有得分。",
    "fuzzy_note": "隶属度：回答落入七个等级的比例；B = A ∘ R，采用加权平均型算子 M(·,⊕)；"
    "按等级得分和最大隶属度原则解读。",
    "ambiguous": "不明确",
    "sem_off": "未要求协方差结构方程模型",
    "no_cjk_font": "未安装中文字体，图中的中文会显示为方框：请安装中文字体"
    "（Debian：apt install fonts-noto-cjk）或将 CSI_CJK_FONT 设为字体文件。",
    "f_path": "路径图",
    "f_index": "各潜变量指数",
    "f_index_segment": "各细分群体指数",
    "f_ipma": "重要性-表现矩阵",
    "f_levels": "七个满意度等级的分布",
    "f_weights": "指标权重",
    "f_hierarchy": "指标层次结构",
    "not_available": "暂无：{reason}",
    "no_quality": "拟合结果没有 quality() 方法",
    "no_bootstrap": "拟合结果没有 bootstrap() 方法",
    "no_sem": "未安装协方差结构方程模型（csi.sem.fit_sem）",
    "sem_failed": "协方差结构方程模型拟合失败（{error}）",
    "no_system": "未提供指标体系（--system）",
    "no_system_module": "未安装指标体系模块（csi.indicators）",
    "system_missing": "找不到指标体系文件：{path}",
    "no_fuzzy": "未配置模糊综合评价",
    "no_fuzzy_method": "指标体系没有模糊综合评价方法",
    "no_metric_column": "问卷数据中没有 {column!r} 列",
    "no_recommend": "没有 0-10 分推荐意愿题（码本键 recommend）",
    "scores_outside": (
        "{k} 位受访者的{name}得分超出 0-100，因为部分外部权重为负"
        "（题目未测量该潜变量）：无法按七级量表解读"
    ),
    "model_n": "基于模型的结果使用 {n} 位受访者（缺失回答处理：{method}；剔除 {left} 位）。",
    "weighting_note": (
        "结果按 {weight} 加权（{kind}权重；权重和 {total:,.1f}，Kish 有效样本量 {n_eff:,.0f}"
        "，共 {n} 位）{design}。各表给出未加权样本量、加权样本量与有效样本量。"
    ),
    "weighting_design": "；标准误按抽样设计计算（{parts}）",
    "weighting_off": "本报告未使用权重（--no-weights）：未使用 {weight}。",
    "model_n_unscored": (
        "其中 {k} 位回答不全（成对删除），没有个体得分，不计入个体及细分群体结果。"
    ),
    "n_per_figure": (
        "每项结果均注明样本量 n：基于模型的结果使用模型样本；NPS、CSAT 及各题结果使用"
        "回答了该题的全部受访者。"
    ),
    "no_segment": "未指定细分变量（--segment）",
    "figure_failed": "未能绘图（{error}）",
    "no_scores": "本次拟合没有个体得分",
    "suppression_note": (
        "样本量少于 {min_size} 的细分群体不予显示：保留该行并加以标注，数值留空。"
    ),
    "suppressed": "不予显示，n < {min_size}",
    "suppressed_complementary": "不予显示，以保护 n < {min_size} 的细分群体",
    "index_note": (
        "指数 = 潜变量各题目得分换算到 0-100 后的加权平均，"
        "权重为归一化的 PLS 外部权重（Fornell 等，1996）。"
    ),
    "segment_index_note": "细分群体指数使用全样本的权重。",
    "ipma_note": "重要性 = 对{target}的总效应（驱动因素每提高 1 分时指数的增加值）；表现 = "
    "驱动因素的指数。重要性高于平均、表现低于平均的因素排在最前。",
    "ipma_excluded": "{names}不参与改进优先级排序（企业无法直接改变顾客预期），"
    "但仍保留在重要性-绩效图和影响力表中。",
    "levels_note": "每位受访者的 0-100 {construct}得分按七级量表解读（0-100 等宽分段）。",
    "nps_note": "推荐者 9-10 分，中立者 7-8 分，贬损者 0-6 分；区间由三项分布方差求得。",
    "csat_note": "Wilson 得分区间。",
    "model_note": "{n} 个潜变量，{k} 个题目，{p} 条结构路径；估计方法：PLS（{scheme}）。",
    "excluded_none": "没有剔除样本。",
    "quad_hi_lo": "重要性高、表现低",
    "quad_hi_hi": "重要性高、表现高",
    "quad_lo_lo": "重要性低、表现低",
    "quad_lo_hi": "重要性低、表现高",
    "kind_construct": "潜变量",
    "kind_indicator": "指标",
    "t_reliability": "信度与聚合效度",
    "t_fornell_larcker": "Fornell-Larcker 准则（对角线：AVE 的平方根）",
    "t_fornell_larcker_check": "各潜变量的 Fornell-Larcker 检验",
    "t_htmt": "区分效度：HTMT",
    "t_f2_vif": "效应量 f² 与预测变量共线性（内部 VIF）",
    "t_outer_vif": "形成性指标的共线性（VIF）",
    "t_sem_reliability": "协方差结构方程模型：组合信度（omega）与 AVE",
    "quality_intro": (
        "测量模型与结构模型的质量（{estimator}，n = {n}）。经验标准：alpha、rho_A 与 rho_C "
        "不低于 {rel:.2f}（rho_C 高于 {rel_max:.2f} 提示题项重复），AVE 不低于 {ave:.2f}，"
        "载荷不低于 {loading:.3f}，HTMT 低于 {htmt:.2f}，VIF 低于 {vif:g}"
        "（Hair 等，2017；Henseler 等，2015）。"
    ),
    "quality_pls": "PLS 路径模型",
    "quality_sem": "协方差结构方程模型",
    "reliability_note": "“检验”列列出未达到阈值的统计量。",
    "check_ok": "全部达标",
    "check_single": "单题项：不评估信度",
    "check_low": "{stat} 低于 {value:.2f}",
    "check_range": "{stat} 不在 {lo:.2f}-{hi:.2f} 之间",
    "htmt_note": (
        "HTMT 低于 {htmt:.2f}，或其 95% 自助法置信区间上限低于 1，支持区分效度"
        "（Henseler 等，2015）。"
    ),
    "htmt_no_boot": "HTMT 的自助法置信上限不可用（{reason}）。",
    "f2_note": "f²：0.02 为小效应，0.15 为中等效应，0.35 为大效应（Cohen，1988）。",
    "diagnostics": "诊断（{estimator}）",
    "diagnostics_none": "诊断（{estimator}）：未发现问题。",
    "quality_failed": "无法计算质量报告（{error}）",
    "yes": "是",
    "no": "否",
    "sev_info": "提示",
    "sev_warning": "警告",
    "sev_error": "错误",
    "effect_none": "无",
    "effect_small": "小",
    "effect_medium": "中",
    "effect_large": "大",
    "bootstrap_note": (
        "标准误、p 值与 {level:.0%} 百分位置信区间来自自助法：对受访者重抽样 {n} 次，"
        "随机种子 {seed}（固定种子，报告可重现：相同数据与种子得到相同结果）{failed}。"
    ),
    "bootstrap_failed": "；{k} 次重抽样失败，未计入",
    "bootstrap_none": "标准误、p 值与置信区间不可用（{reason}）。",
    "bootstrap_off": "自助法次数为 0（已关闭）",
    "bootstrap_error": "自助法失败（{error}）",
    "bootstrap_no_segment": "细分群体的置信区间不可用：按 {segment} 的自助法失败（{error}）。",
    "stars_note": "*** p < 0.001，** p < 0.01，* p < 0.05（双侧，自助法）。",
    "t_total_effects": "总效应（标准化）及自助法置信区间",
    "t_index_segment_ci": "各细分群体指数（{segment}）及 {level:.0%} 置信区间",
    "t_index_differences": "细分群体之间的指数差异（{segment}）",
    "differences_note": (
        "差异 = 前一群体的指数减去后一群体的指数；置信区间不含 0 表示该项比较的差异超出"
        "抽样误差。p（Holm 校正）对每个潜变量的多重比较作校正（Holm，1979）。"
        "涉及不予显示群体的比较留空。"
    ),
    "fuzzy_reading": (
        "请首先看等级得分：以隶属度为权重对各等级锚点（0、16.7、……、100）加权平均，"
        "再对应到七个等级。最大隶属度仅供参考：在偏态的 10 分制数据上它往往落在最高等级，"
        "因为 9 分和 10 分都归入“很满意”。"
    ),
    "fuzzy_ambiguous": (
        "{name}：最大隶属度不明确（{a} {pa:.1%}，{b} {pb:.1%}，相差不到 {gap:g} 个百分点）；"
        "请以等级得分为准。"
    ),
    "fit_chisq": "卡方值 χ²",
    "fit_df": "自由度",
    "fit_pvalue": "卡方检验 p 值",
    "fit_cfi": "比较拟合指数 CFI",
    "fit_tli": "Tucker-Lewis 指数 TLI",
    "fit_rmsea": "近似误差均方根 RMSEA",
    "fit_rmsea_ci_lower": "RMSEA 90% 置信区间下限",
    "fit_rmsea_ci_upper": "RMSEA 90% 置信区间上限",
    "fit_srmr": "标准化残差均方根 SRMR",
    "fit_aic": "赤池信息准则 AIC",
    "fit_bic": "贝叶斯信息准则 BIC",
    "fit_n": "有效样本量",
    "sem_fit_note": "拟合良好的标准：CFI 与 TLI 不低于 0.95，RMSEA 不高于 0.06，"
    "SRMR 不高于 0.08（Hu 与 Bentler，1999）。",
    "reason_missing": "缺失回答：{items}",
    "missing_listwise": "成列删除（模型题项有缺失的受访者被剔除）",
    "missing_pairwise": "成对删除",
    "missing_mean": "均值替补",
    "missing_keep": "保留缺失",
    "method_equal": "等权",
    "method_given": "给定权重",
    "method_ahp": "层次分析法",
    "method_entropy": "熵权法",
    "method_critic": "CRITIC 法",
    "method_cv": "变异系数法",
    "method_combined": "组合赋权",
    "method_pls": "PLS 权重",
    "r_read": "读入样本",
    "r_kept": "清洗后保留样本",
    "r_excluded": "模型剔除样本",
    "r_with_missing": "有缺失回答的样本",
    "r_codes": "缺失值代码设为缺失（单元格）",
    "r_blank": "空白单元格",
    "r_oos": "超出量表范围设为缺失（单元格）",
    "r_recoded": "反向计分单元格",
    "r_replaced": "均值替补单元格",
    "r_used": "进入模型的样本",
    "r_missing_method": "缺失回答处理方法",
    "all": "全部样本",
    "appendix_intro": (
        "以上各节背后的完整技术性表格，供研究人员查阅：数据清洗、测量模型、外部权重与载荷、"
        "总效应、协方差结构方程模型路径、各细分群体指数及其置信区间，以及细分群体之间的全部比较。"
        "工作簿（report.xlsx）"
        "中每张表单独成页。"
    ),
    "excluded_missing": (
        "{n} 位受访者（{pct:.1f}%）因模型题目有缺失回答而被剔除；剔除原因及各题目的数据清洗"
        "情况见附录。"
    ),
    "excluded_line": "{n} 位受访者（{pct:.1f}%）被剔除（{k} 种原因，连同各题目的数据清洗"
    "情况列于附录）。",
    "model_appendix": "各潜变量的题目（测量模型）列于附录。",
    "paths_appendix": "外部权重与载荷、总效应以及协方差结构方程模型的结构路径（如已估计）见附录。",
    "t_index_differences_significant": (
        "细分群体之间的显著指数差异（{segment}；Holm 校正后 p < {alpha:g}）"
    ),
    "differences_significant_note": (
        "仅列出对每个潜变量的多重比较作 Holm 校正（Holm，1979）后仍显著的差异；"
        "差异 = 前一群体减去后一群体。全部比较见附录。"
    ),
    "differences_none": (
        "经 Holm 校正（p < {alpha:g}）后，细分群体（{segment}）之间没有显著的指数差异；"
        "全部比较见附录。"
    ),
    "g_findings": "主要发现",
    "g_priorities": "{target}的首要改进方向",
    "g_where": "详细结果见以下各节；技术性表格见附录。",
    "g_card_index": "{target}指数（0-100）",
    "g_interval": "{level:.0%} 置信区间 {lo:.1f} 至 {hi:.1f}",
    "g_no_interval": "无置信区间（未做自助法）",
    "g_no_interval_staged": "无置信区间（含交互项模型的自助法不含指数）",
    "g_index": "{target}指数为 {value:.1f}（满分 100；{level:.0%} 置信区间 {lo:.1f} 至 "
    "{hi:.1f}）。",
    "g_index_plain": "{target}指数为 {value:.1f}（满分 100）。",
    "g_card_change": "较 {previous} 的变化",
    "g_change_sig": "变化显著；95% 置信区间 {lo:+.1f} 至 {hi:+.1f}",
    "g_change_ns": "无显著变化；95% 置信区间 {lo:+.1f} 至 {hi:+.1f}",
    "g_change": (
        "{current}与{previous}相比：{text}（变化的 95% 置信区间 {lo:+.1f} 至 {hi:+.1f}；"
        "{test}，{p}）。"
    ),
    "g_change_none": (
        "{current}与{previous}相比：{text}，无显著变化（变化的 95% 置信区间 {lo:+.1f} 至 "
        "{hi:+.1f} 包含 0；{test}，{p}）。"
    ),
    "g_test_welch_t": "Welch t 检验",
    "g_test_design_t": "基于抽样设计的 t 检验",
    "g_test_paired_t": "配对 t 检验",
    "g_test_z": "z 检验",
    "g_test_paired_z": "配对 z 检验",
    "g_card_satisfied": "满意（5-7级）",
    "g_card_dissatisfied": "不满意（1-3级）：{dis:.1f}%",
    "g_levels": (
        "按七级量表解读{target}得分：{sat:.1f}% 的受访者满意（5-7级，较满意至很满意），"
        "{dis:.1f}% 不满意（1-3级）。"
    ),
    "g_no_weak_spot": "没有重要性高而表现低的题目，因此首先列出最重要的题目："
    "它们的表现已高于平均水平，应继续保持。",
    "g_card_nps": "净推荐值 NPS",
    "g_ci": "95% 置信区间 {lo:+.1f} 至 {hi:+.1f}",
    "g_nps": (
        "净推荐值 NPS 为 {nps:+.1f}（95% 置信区间 {lo:+.1f} 至 {hi:+.1f}）：推荐者 "
        "{pro:.1f}%，贬损者 {det:.1f}%。"
    ),
    "g_segment_item": "{segment} {value:.1f}，低 {diff:.1f} 分（95% 置信区间 {lo:.1f} 至 "
    "{hi:.1f}）",
    "g_segment_above": "{segment} {value:.1f}，高 {diff:.1f} 分",
    "g_segments_below": (
        "{target}显著低于其余受访者的细分群体（{segment}；{test}，Holm 校正）：{items}。"
    ),
    "g_segments_above_only": (
        "没有{segment}细分群体的{target}显著低于其余受访者（{test}，Holm 校正）。"
    ),
    "g_segments_above": "显著高于其余受访者：{items}。",
    "g_segments_none": (
        "{segment}各细分群体的{target}与其余受访者相比均无显著差异（{test}，Holm 校正）。"
    ),
    "g_segments_small": (
        "{k} 个细分群体未参与比较（样本量少于 {min_size}，或为保护此类群体而隐藏；"
        "表中标为已隐藏）。"
    ),
    "g_quality_ok": "模型质量：信度与效度检验全部通过。",
    "g_quality_notes": "模型质量：信度与效度检验全部通过（{k} 条{notes}，见“{section}”）。",
    "g_note_1": "提示",
    "g_note_n": "提示",
    "g_quality_problems": "模型质量：{k} 条{warnings}，见“{section}”。",
    "g_warning_1": "警告",
    "g_warning_n": "警告",
    "g_priority": (
        "{what}：{quadrant}；表现 {performance:.1f}（满分 100），每提高 1 分可使{target}"
        "指数提高 {importance:.2f} 个指数分（0-100）。"
    ),
    "g_item": "{label}（{item}，{construct}）",
    "x_figure": "指标",
    "x_value": "数值",
    "x_detail": "说明",
    "f_impacts": "{target}的驱动因素：影响效应",
    "f_nps_segment": "各细分群体的推荐者、中立者与贬损者（{segment}）",
    "f_index_trend": "{target}指数的各期变化",
    "trend_note": "各期的{target}指数（数据见上表）。",
    "trend_note_ci": "各期的{target}指数；阴影为该期受访者平均得分的 95% t 置信区间。",
    "impacts_units": (
        "影响效应的单位为指数分（0-100 分制）：驱动因素指数提高 {points} 分时，目标指数"
        "提高的分数（总效应，含直接与间接效应）。"
    ),
    "satisfied_vs_csat": (
        "两个“满意比例”的含义不同：“满意（5-7级）”是把每位受访者基于模型的 0-100 "
        "{target}得分（该潜变量全部题目的加权）按七级量表解读；CSAT 是单一题目 {column} "
        "回答落在最高 {top} 档的比例。"
    ),
    "system_vs_model": (
        "两个指数的含义不同：指标体系得分按层次权重（AHP、熵权等）把体系中全部指标合成一个"
        "总分；{target}的模型指数（{value:.1f}）是 PLS 对这一个潜变量的测量，按外部权重"
        "合成其题目。两者不必一致。"
    ),
    "index_vs_system": (
        "此处为模型指数（PLS，按潜变量）；指标体系得分按层次权重合成全部指标，是另一种测量"
        "（见“指标体系”一节）。"
    ),
    "t_reasons_top": "剔除的样本：最常见的 {k} 种原因",
    "reasons_other": "其他原因（{k} 种）",
    "reasons_top_note": "共 {total} 种原因；完整列表见工作簿（report.xlsx，工作表 {sheet}）。",
    "not_included": "本报告未包含：{sections}。",
    # how the report writes in each language (no inline language branches in csi.report)
    "html_lang": "zh-CN",
    "figure_font": "cjk",
    "sep_items": "；",
    "sep_names": "、",
    "sep_advice": "",
    "flag_paren": "（{flag}）",
}
