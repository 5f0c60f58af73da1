"""Chinese phrases of the library's own displays (summaries, plots, diagnostics),
looked up through :func:`csi.i18n.text`. Same keys as :mod:`csi.i18n.library_en`.
"""

from __future__ import annotations

#: Phrases of summaries, plots and diagnostics outside the report.
LIBRARY_ZH: dict[str, str] = {
    "summary_n": "样本量 n = {n:,}",
    # pls
    "pls.title": "PLS 路径模型",
    "pls.scheme": "内部权重方案",
    "pls.plsc": "一致性 PLS (PLSc)",
    "pls.yes": "是",
    "pls.no": "否",
    "pls.n": "有效样本量",
    "pls.excluded": "剔除（有缺失回答）",
    "pls.replaced": "以题项均值替代的缺失回答",
    "pls.unscored": "无潜变量得分的受访者（有缺失回答，成对删除）",
    "pls.iterations": "迭代次数",
    "pls.converged": "已收敛",
    "pls.not_converged": "未收敛",
    "pls.paths": "路径系数",
    "pls.r2": "R²",
    "pls.outer": "测量模型",
    "pls.index": "指数 (0-100)",
    "pls.construct": "潜变量",
    "pls.indicator": "指标",
    "pls.weight": "权重",
    "pls.loading": "载荷",
    "pls.path": "路径",
    "pls.estimate": "估计值",
    "pls.r2_adj": "调整 R²",
    "pls.weights": "加权",
    "pls.sum_weights": "权重之和",
    "pls.n_eff": "Kish 有效样本量",
    # boot
    "boot.title": "PLS 自助法 (bootstrap)",
    "boot.resamples": "重抽样次数",
    "boot.failed": "失败",
    "boot.respondents": "样本量",
    "boot.seed": "随机种子",
    "boot.interval": "置信区间",
    "boot.flips": "符号校正",
    "boot.reasons": "失败的重抽样（按原因）",
    "boot.inadmissible": "PLSc 不可接受解的重抽样（保留）",
    "boot.weighted": "加权（{kind} 权重）：朴素加权自助法，未考虑抽样设计",
    "boot.design": "基于抽样设计（{kind}）：{text}",
    "boot.kind_none": "未加权",
    "boot.kind_w": "{kind} 权重",
    "boot.parameter": "参数",
    "boot.estimate": "估计值",
    "boot.se": "标准误",
    "boot.t": "t 值",
    "boot.p": "p 值",
    "boot.ci": "置信区间",
    "boot.kinds.path": "路径系数",
    "boot.kinds.outer_weight": "外部权重",
    "boot.kinds.loading": "载荷",
    "boot.kinds.total_effect": "总效应",
    "boot.kinds.indirect_effect": "间接效应",
    "boot.kinds.specific_indirect_effect": "特定间接效应",
    "boot.kinds.r2": "R²",
    "boot.kinds.index": "指数 (0-100)",
    "boot.kinds.index_difference": "细分群体指数差异",
    "boot.kinds.htmt": "HTMT (异质-单质比)",
    "boot.kinds.interaction_effect": "交互效应",
    # mga
    "mga.title": "PLS 多群组比较",
    "mga.method": "方法",
    "mga.groups": "群组",
    "mga.resamples": "重抽样次数",
    "mga.failed": "失败",
    "mga.excluded": "剔除",
    "mga.parameter": "参数",
    "mga.difference": "差异",
    "mga.p": "p 值",
    # micom
    "micom.title": "MICOM：复合模型测量不变性检验",
    "micom.groups": "群组",
    "micom.perm": "置换次数",
    "micom.failed": "失败",
    "micom.excluded": "剔除",
    "micom.configural": "步骤 1：构型不变性",
    "micom.steps": "步骤 2 与 3（组成：c；均值与对数方差：差异 a - b）",
    "micom.verdict": "各构念的不变性",
    "micom.full": "完全",
    "micom.partial": "部分",
    "micom.none": "无",
    "micom.same constructs, items and paths": "构念、题项与路径相同",
    "micom.same data treatment": "数据处理相同",
    "micom.same algorithm settings": "算法设置相同",
    "micom.model estimable in each group": "各群组均可估计模型",
    "micom.check": "检查项",
    "micom.ok": "通过",
    "micom.detail": "说明",
    # quality
    "quality.title": "测量模型与结构模型质量",
    "quality.estimator": "估计方法",
    "quality.pls": "PLS 路径模型",
    "quality.plsc": "一致性 PLS (PLSc)",
    "quality.sem": "协方差结构方程模型",
    "quality.n": "有效样本量",
    "quality.reliability": "信度与聚合效度",
    "quality.htmt": "HTMT（异质-单质比）",
    "quality.fl": "Fornell-Larcker 准则（对角线：AVE 平方根）",
    "quality.structural": "结构模型：R²",
    "quality.f2": "效应量 f² 与内部 VIF",
    "quality.outer_vif": "形成性指标：VIF",
    "quality.diagnostics": "诊断",
    "quality.none": "未发现问题",
    "quality.flag": "* 未达到阈值",
    "quality.thresholds": "阈值",
    "quality.fit": "模型拟合：SRMR",
    "quality.saturated": "饱和模型",
    "quality.estimated": "估计模型",
    "quality.threshold": "阈值",
    "quality.corr_scores": "Fornell-Larcker 准则与内部 VIF 基于构念得分的相关系数",
    "quality.corr_disattenuated": "Fornell-Larcker 准则与内部 VIF 基于 PLSc（去衰减）构念相关系数",
    "quality.col.construct": "构念",
    "quality.col.mode": "模式",
    "quality.col.n_items": "题项数",
    "quality.col.alpha": "alpha",
    "quality.col.rho_a": "rho_A",
    "quality.col.rho_c": "rho_C",
    "quality.col.ave": "AVE",
    "quality.col.r2": "R²",
    "quality.col.r2_adj": "调整 R²",
    "quality.col.source": "源构念",
    "quality.col.target": "目标构念",
    "quality.col.f2": "f²",
    "quality.col.effect": "效应",
    "quality.col.vif": "VIF",
    "quality.col.indicator": "指标",
    "quality.effect.none": "无",
    "quality.effect.small": "小",
    "quality.effect.medium": "中",
    "quality.effect.large": "大",
    # interaction
    "interaction.title": "交互效应（{method} 方法；按标准化得分乘积的单位）",
    "interaction.path": "路径",
    "interaction.effect": "效应",
    "interaction.standardized": "标准化效应",
    "interaction.note": "交互项 {terms} 没有指数：标准化得分的乘积没有 0-100 量表",
    # cvpat
    "cvpat.title": (
        "CVPAT 交叉验证预测能力检验（{folds} 折，重复 {repeats} "
        "次，{technique}）；差异 = 对照损失 - 模型损失"
    ),
    "predict.title": "PLSpredict（{folds} 折，重复 {repeats} 次，{technique}）",
    "predict.power": "预测能力：{power}",
    "predict.power_high": "高",
    "predict.power_medium": "中",
    "predict.power_low": "低",
    "predict.power_none": "无",
    "screening.title": "题项筛选",
    "screening.used": "有效样本量 {n}（因缺失剔除 {excluded}）",
    "screening.items": "题项",
    "screening.groups": "题项组",
    "screening.pairs": "近似重复题项",
    "screening.no_pairs": "无近似重复题项",
    "model_fit.title": "PLS 模型拟合（{kind}；样本量 n = {n}）",
    "model_fit.bootstrap": "Bollen-Stine 自助法：重抽样 {resamples} 次，失败 {failed} 次",
    "model_fit.seed": "；随机种子 {seed}",
    # change
    "change.unchanged": "{value}，持平",
    "change.up": "{value}，上升{amount}分",
    "change.up_one": "{value}，上升{amount}分",
    "change.down": "{value}，下降{amount}分",
    "change.down_one": "{value}，下降{amount}分",
    "loyalty.title": "满意度与忠诚度",
    "loyalty.n": "有效样本 {n}，缺失 {missing}",
    "loyalty.bins": "满意度分组   样本   忠诚度均值",
    "loyalty.no_zone": "未发现无差异区",
    "loyalty.zone": "无差异区：满意度 {lower}–{upper}，其间忠诚度仅变化 {gain}",
    "loyalty.group.loyalist": "忠诚者（传道者）",
    "loyalty.group.mercenary": "图利者",
    "loyalty.group.hostage": "人质",
    "loyalty.group.defector": "叛逃者（恐怖分子）",
    "staff.title": "员工考评（经验贝叶斯收缩）",
    "staff.employee": "员工",
    "staff.n": "评价数",
    "staff.mean": "原始均值",
    "staff.shrunk": "收缩均值",
    "staff.interval": "置信区间",
    "staff.rank": "排名（区间）",
    "staff.too_few": "评价数不足",
    # ahp
    "ahp.title": "AHP 权重（{method}）",
    "ahp.yes": "是",
    "ahp.no": "否",
    "ahp.consistent": "一致性",
    "ahp.missing": "缺失判断",
    "ahp.note": "注：{note}",
    "ahp.group_cr": "群组 CR",
    "ahp.expert": "专家 {expert}",
    "ahp.expert_row": "权重 {weight:.3f}，CR {cr:.4f}",
    "ahp.inconsistent": "（不一致）",
    "ahp.group_title": "群组 AHP（{aggregation}）",
    "ahp.hierarchy": "AHP 层次结构“{root}”",
    "ahp.node": "{node}：局部权重 {local}，全局权重 {glob}",
    "ahp.level_cr": "第 {level} 层 CR：{cr}",
    "ahp.hierarchy_cr": "层次总 CR：{cr}（{verdict}）",
    "ahp.is_consistent": "满足一致性",
    "ahp.not_consistent": "不满足一致性",
    "ahp.combined": "组合权重（{method}）",
    "ahp.coefficients": "组合系数：{coefficients}",
    # fuzzy
    "fuzzy.title": "模糊综合评价 {operator}",
    "fuzzy.maximum": "最大隶属度：第 {level} 级（{label}）",
    "fuzzy.ambiguous": "（两级隶属度接近，判断不明确）",
    "fuzzy.score_read": " -> 第 {level} 级（{label}）",
    "fuzzy.score": "等级得分：{score:.2f}",
    "fuzzy.note": "注：{note}",
    # indicators
    "indicators.duplicate": (
        "{a} 与 {b} 相关系数 {r:.2f}（绝对值 ≥ {threshold:g}），内容可能重复，考虑删除其一"
    ),
    "indicators.constant": "无变异（所有回答相同）",
    "indicators.weak": "{item} 的校正项目-总分相关 {r:.2f} < {threshold:g}，与其他指标关联弱",
    "indicators.level.0": "总指标",
    "indicators.level.n": "{depth}级指标",
    "indicators.level.1": "一级指标",
    "indicators.level.2": "二级指标",
    "indicators.level.3": "三级指标",
    "indicators.level.4": "四级指标",
    # system
    "system.title": "指标体系“{name}”",
    "system.node": "{name} [{node}]  局部权重 {local}  全局权重 {glob}",
    "system.cr": "层次总 CR（AHP 节点）：{cr}",
    "system.note": "注：{note}",
    "scores.title": "指标得分（样本量 n = {n}）",
    "scores.node": "{name}：{score}  （{label}，n = {n}）",
    "scores.counts": "部分作答的受访者：{incomplete}；无得分的受访者：{unscored}",
    "scores.note": "注：{note}",
    # cleaning
    "cleaning.title": "问卷数据清理（{source}），缺失处理 = {missing}",
    "cleaning.read": "读入受访者",
    "cleaning.kept": "保留受访者",
    "cleaning.excluded": "剔除受访者",
    "cleaning.affected": "有缺失回答",
    "cleaning.set_missing": "缺失代码 -> NaN",
    "cleaning.blank": "空白单元格",
    "cleaning.out_of_scale": "超出量表 -> NaN",
    "cleaning.recoded": "反向计分单元格",
    "cleaning.replaced": "均值替补单元格",
    "cleaning.unknown": "编码本中没有的列（保留）：{columns}",
    "cleaning.per_item": "按题项：",
    "rake.converged": "迭代加权（raking）经 {iterations} 次迭代收敛；最大边际误差 {error:.3g}",
    "rake.not_converged": (
        "迭代加权（raking）经 {iterations} 次迭代仍未收敛；最大边际误差 {error:.3g}"
    ),
    "rake.weights": (
        "权重：总和 {total:.6g}，最小 {low:.4g}，最大 {high:.4g}，最大/最小 {ratio:.3g}"
    ),
    "rake.kish": "Kish 有效样本量 {n_eff:.1f}（共 {n}）",
    "rake.capped": "达到截断界限的权重：{n}",
    "rake.replicates": "部分重复权重未收敛",
    "survey.head": "问卷（{source}）：保留 {n} 位受访者，剔除 {excluded} 位，{items} 个题项",
    "survey.constructs": "，分属 {k} 个构念",
    # spec
    "spec.head": "模型设定（{constructs} 个构念，{indicators} 个指标，{paths} 条路径{terms}）",
    "spec.terms": "，{k} 个交互项",
    "codebook.head": "编码本：{n} 个题项",
    "codebook.constructs": "，分属 {k} 个构念",
    "codebook.extras": "，另有 {k} 个附加题项",
    # levels
    "levels.group.dissatisfied": "不满意（1-3级）",
    "levels.group.neutral": "一般（4级）",
    "levels.group.satisfied": "满意（5-7级）",
    "diag.after_iterations": "（{n} 次迭代后）",
    "diag.severity.info": "提示",
    "diag.severity.warning": "警告",
    "diag.severity.error": "错误",
    "diag.with_advice": "{message}{advice}",
    # plot
    "plot.stars_note": "*** p < .001   ** p < .01   * p < .05",
    "plot.importance": "重要性（对{target}的总效应）",
    "plot.importance_plain": "重要性（总效应）",
    "plot.performance": "表现（0-100）",
    "plot.ipma_title": "重要性-表现矩阵：{target}",
    "plot.ipma_title_plain": "重要性-表现矩阵",
    "plot.q_keep": "继续保持",
    "plot.q_focus": "重点改进",
    "plot.q_overkill": "可能过度投入",
    "plot.q_low": "次要改进",
    "plot.index": "指数（0-100）",
    "plot.index_title": "各结构变量指数",
    "plot.period": "时期",
    "plot.trend_title": "指数变化趋势",
    "plot.share": "受访者比例（%）",
    "plot.dissatisfied": "不满意",
    "plot.satisfied": "满意",
    "plot.levels_title": "七级满意度分布",
    "plot.weight": "权重",
    "plot.weights_title": "权重",
    "plot.hierarchy_title": "指标体系：全局权重",
    "plot.level": "第{level}级",
    "plot.local": "局部",
    "plot.global": "全局",
    "plot.cr": "一致性比率（CR）",
    "plot.cr_threshold": "阈值 CR = {threshold:g}",
    "plot.cr_title": "判断矩阵一致性检验",
    "plot.detractors": "贬损者（0-6）",
    "plot.passives": "中立者（7-8）",
    "plot.promoters": "推荐者（9-10）",
    "plot.nps_share": "受访者比例（%）",
    "plot.nps_title": "推荐者、中立者与贬损者",
    "plot.nps": "净推荐值",
    "plot.impact": "驱动因素提高{points:g}分时{target}指数提高的分数",
    "plot.impact_plain": "驱动因素提高{points:g}分时指数提高的分数",
    "plot.impact_title": "{target}的驱动因素",
    "plot.impact_title_plain": "驱动因素",
    # invariance
    "invariance.title": "跨 {group} 的测量不变性",
    "invariance.table": "各模型拟合及相邻模型间的检验",
    # outline
    "outline.title": "{title}（报告目录）",
    "outline.unavailable": "（无法生成）",
    "outline.table": "表格 {name}：{title}（{rows} 行）",
    "outline.figure": "图 {name}：{title}",
    # diag
    "diag.negative_variance.message": "{name} 的方差为负 ({value:.4g})：解不适当（Heywood 情形）。",
    "diag.negative_variance.advice": (
        "检查该构念的指标（过少或高度重复）、异常值，或将该方差固定为一个小的正值。"
    ),
    "diag.loading_above_one.message": "{name} 的标准化载荷为 {value:.4g}，大于 1：解不适当。",
    "diag.loading_above_one.advice": "通常伴随该题项的误差方差为负，请一并检查。",
    "diag.r2_out_of_range.message": "{name} 的 R² 为 {value:.4g}，不在 [0, 1] 内。",
    "diag.r2_out_of_range.advice": "解释部分超过总方差：模型设定与数据不符，或估计不适当。",
    "diag.not_positive_definite.message": "{name} 不是正定矩阵（最小特征值 {value:.4g}）。",
    "diag.not_positive_definite.advice": (
        "检查是否有题项为其他题项的线性组合、常数题项，或样本量相对题项数过少。"
    ),
    "diag.not_converged.message": "估计未收敛{detail}。",
    "diag.not_converged.advice": "请勿解释这些估计值；简化模型、检查数据或增加迭代次数。",
    "diag.respondents_excluded.message": "{count} 名受访者因缺失回答被排除（{how}）。",
    "diag.respondents_excluded.advice": "可用 missing='fiml' 保留全部受访者，或检查缺失原因。",
    "diag.respondents_excluded_pls.message": "{count} 名受访者因缺失回答被排除（{how}）。",
    "diag.respondents_excluded_pls.advice": (
        "可用 missing='mean'（均值替补）或 missing='pairwise' 保留全部受访者，或检查缺失原因。"
    ),
    "diag.not_identified.message": "信息矩阵奇异：{detail} 无法唯一估计。",
    "diag.not_identified.advice": (
        "为每个构念固定一个载荷或方差、增加指标或删除冗余参数；标准误不可信。"
    ),
    "diag.correlation_above_one.message": "{name} 的相关系数为 {value:.4g}，超出 ±1：解不适当。",
    "diag.correlation_above_one.advice": "两个构念可能无法区分，考虑合并。",
    "diag.dominant_item.message": (
        "{name} 实际上只依赖一个题项：{item} 占该构念得分权重的 {share:.0%}（载荷：{loadings}）。"
    ),
    "diag.dominant_item.advice": (
        "其他题项贡献很小，该构念及其指数实际上只反映 "
        "{item}。请检查其他题项的措辞、反向计分或缺失值编码；改进或删除这些题项，或将 "
        "{name} 作为单题项测量报告。"
    ),
    "diag.collinear_constructs.message": (
        "{first} 与 {second} 近似共线（相关系数 {value:.3f}，超过 "
        "{threshold:g}）：受访者几乎无法区分二者。"
    ),
    "diag.collinear_constructs.advice": (
        "二者各自的影响不稳定，甚至可能符号相反。请查看 "
        "HTMT；考虑合并这两个构念、只保留其中一个作为预测变量，或修改题项措辞使其询问不同的内容。"
    ),
    "diag.inner_collinearity.message": (
        "{target} 的预测变量存在共线性：{source} 的 VIF 为 {value:.2f}（超过 {threshold:g}）。"
    ),
    "diag.inner_collinearity.advice": (
        "指向 {target} 的路径系数不稳定。可考虑合并高度相关的预测构念、删除其一，或使用二阶构念。"
    ),
    "diag.formative_collinearity.message": (
        "形成性构念 {name} 的题项存在共线性：{item} 的 VIF 为 {value:.2f}（超过 {threshold:g}）。"
    ),
    "diag.formative_collinearity.advice": (
        "其权重不稳定，符号可能错误。删除或合并冗余题项；若题项可互换，可改为反映性构念。"
    ),
    "diag.low_reliability.message": (
        "{name} 的信度偏低：{statistic} = {value:.3f}（低于 {threshold:g}）。"
    ),
    "diag.low_reliability.advice": (
        "其题项测量不一致。请找出载荷或题总相关较低的题项（反向或含义模糊的问题），修改或删除。"
    ),
    "diag.redundant_items.message": (
        "{name} 的信度过高：{statistic} = {value:.3f}（高于 {threshold:g}）。"
    ),
    "diag.redundant_items.advice": (
        "其题项可能几乎是同一问题的重复，会虚高信度并加重受访者负担；考虑删除重复题项。"
    ),
    "diag.low_ave.message": (
        "{name} 解释的题项方差不足一半：AVE = {value:.3f}（低于 {threshold:g}）。"
    ),
    "diag.low_ave.advice": "其题项平均而言误差多于构念信息；删除或修改载荷最低的题项。",
    "diag.low_loading.message": (
        "{name} 的题项 {item} 载荷偏低（{value:.3f}，低于 {threshold:g}）。"
    ),
    "diag.low_loading.advice": (
        "该题项与 {name} 的其他题项共同部分较少。请检查措辞和编码；若删除后信度或 AVE "
        "提高且内容仍被覆盖，可删除。"
    ),
    "diag.poor_model_fit.message": (
        "模型对题项相关的再现较差：SRMR = {value:.3f}（高于 {threshold:g}）。"
    ),
    "diag.poor_model_fit.advice": (
        "部分题项相关与模型隐含值相差较大。请检查是否遗漏路径、题项是否归属其他构念，或"
        "某个构念实为两个。"
    ),
    "diag.discriminant_validity.message": (
        "{first} 与 {second} 区分效度不足：{statistic} = {value:.3f}（高于 {threshold:g}）。"
    ),
    "diag.discriminant_validity.advice": (
        "两构念题项之间的相关几乎与各自内部的相关一样强。请检查二者是否测量同一内容；可"
        "合并，或修改同时属于二者的题项。"
    ),
    "diag.phrase.covariance_matrix": "协方差矩阵",
    "diag.phrase.sample_correlation_matrix": "样本相关矩阵",
    "diag.phrase.item_correlation_matrix": "题项相关矩阵",
    "diag.phrase.latent_covariance_matrix": "潜变量协方差矩阵",
    "diag.phrase.some_parameter": "部分参数",
    "diag.phrase.how_listwise": "成列删除",
    "diag.phrase.how_pairwise": "成对删除",
    "diag.phrase.how_mean": "均值替补",
    "diag.in_group": "{name}（组 {group}）",
    # role
    "role.image": "品牌形象",
    "role.expectation": "预期质量",
    "role.quality": "感知质量",
    "role.value": "感知价值",
    "role.satisfaction": "顾客满意度",
    "role.complaints": "顾客抱怨",
    "role.loyalty": "顾客忠诚",
    "target.below": "低于目标",
    "target.falling": "下降",
    "target.sep": "；",
    # sem
    "sem.chisq": "卡方",
    "sem.df": "自由度",
    "sem.pvalue": "P 值（卡方）",
    "sem.cfi": "CFI",
    "sem.tli": "TLI",
    "sem.rmsea": "RMSEA",
    "sem.rmsea_ci": "RMSEA 90% 置信区间",
    "sem.srmr": "SRMR",
    "sem.loglik": "对数似然",
    "sem.aic": "AIC",
    "sem.bic": "BIC",
    "sem.title": "协方差结构方程模型",
    "sem.n": "有效样本量",
    "sem.excluded": "因缺失而排除的受访者",
    "sem.estimator": "估计方法",
    "sem.params": "参数估计",
    "sem.diagnostics": "诊断",
    "sem.groups": "分组",
    "sem.weights": "调查权重",
    "sem.sampling": "抽样权重（稳健标准误，Yuan-Bentler 校正卡方）",
    "sem.frequency": "频数权重（重复受访者）",
    "sem.chisq_scaled": "卡方（校正）",
    "sem.scaling": "校正因子",
}
