"""The message catalogue of :mod:`csi.diagnostics`: every finding's text and advice in
English and Chinese, keyed by its stable code.

A message is a format string; its arguments are kept by the
:class:`~csi.diagnostics.Diagnostic` so that it can be rendered again in the other
language. :class:`Phrase` is an argument that has its own text in both languages (a
matrix name, a construct "in group g").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from csi.i18n import text

_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "negative_variance": {
        "en": (
            "The variance of {name} is negative ({value:.4g}): an improper solution "
            "(Heywood case).",
            "Check the construct's indicators (too few, or one nearly duplicating "
            "another), look for outliers, or fix the variance to a small positive value.",
        ),
        "zh": (
            "{name} 的方差为负 ({value:.4g})：解不适当（Heywood 情形）。",
            "检查该构念的指标（过少或高度重复）、异常值，或将该方差固定为一个小的正值。",
        ),
    },
    "loading_above_one": {
        "en": (
            "The standardized loading of {name} is {value:.4g}, above 1: an improper solution.",
            "Usually a negative error variance of the same item; see that diagnostic.",
        ),
        "zh": (
            "{name} 的标准化载荷为 {value:.4g}，大于 1：解不适当。",
            "通常伴随该题项的误差方差为负，请一并检查。",
        ),
    },
    "r2_out_of_range": {
        "en": (
            "R² of {name} is {value:.4g}, outside [0, 1].",
            "The explained part exceeds the total variance: the model is misspecified "
            "for these data or the estimates are improper.",
        ),
        "zh": (
            "{name} 的 R² 为 {value:.4g}，不在 [0, 1] 内。",
            "解释部分超过总方差：模型设定与数据不符，或估计不适当。",
        ),
    },
    "not_positive_definite": {
        "en": (
            "The {name} is not positive definite (smallest eigenvalue {value:.4g}).",
            "Look for items that are linear combinations of others, constant items, "
            "or too few respondents for the number of items.",
        ),
        "zh": (
            "{name} 不是正定矩阵（最小特征值 {value:.4g}）。",
            "检查是否有题项为其他题项的线性组合、常数题项，或样本量相对题项数过少。",
        ),
    },
    "not_converged": {
        "en": (
            "The estimation did not converge{detail}.",
            "Do not interpret the estimates; simplify the model, check the data, or "
            "allow more iterations.",
        ),
        "zh": (
            "估计未收敛{detail}。",
            "请勿解释这些估计值；简化模型、检查数据或增加迭代次数。",
        ),
    },
    "respondents_excluded": {
        "en": (
            "{count} respondent(s) were left out because of missing answers ({how}).",
            "Use missing='fiml' to keep everyone, or check why the answers are missing.",
        ),
        "zh": (
            "{count} 名受访者因缺失回答被排除（{how}）。",
            "可用 missing='fiml' 保留全部受访者，或检查缺失原因。",
        ),
    },
    "respondents_excluded_pls": {
        "en": (
            "{count} respondent(s) were left out because of missing answers ({how}).",
            "Use missing='mean' (mean replacement) or missing='pairwise' to keep everyone, "
            "or check why the answers are missing.",
        ),
        "zh": (
            "{count} 名受访者因缺失回答被排除（{how}）。",
            "可用 missing='mean'（均值替补）或 missing='pairwise' 保留全部受访者，或检查缺失原因。",
        ),
    },
    "not_identified": {
        "en": (
            "The information matrix is singular: {detail} cannot be estimated uniquely.",
            "Fix a loading or variance per construct, add indicators, or remove "
            "redundant parameters; standard errors are not trustworthy.",
        ),
        "zh": (
            "信息矩阵奇异：{detail} 无法唯一估计。",
            "为每个构念固定一个载荷或方差、增加指标或删除冗余参数；标准误不可信。",
        ),
    },
    "correlation_above_one": {
        "en": (
            "The correlation of {name} is {value:.4g}, beyond ±1: an improper solution.",
            "The two constructs may not be distinct; consider merging them.",
        ),
        "zh": (
            "{name} 的相关系数为 {value:.4g}，超出 ±1：解不适当。",
            "两个构念可能无法区分，考虑合并。",
        ),
    },
}


@dataclass(frozen=True)
class Phrase:
    """A short text in both languages, used as a format argument (e.g. a matrix name)."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return {"en": self.en, "zh": self.zh}.get(lang, self.en)

    def __str__(self) -> str:
        return self.en


#: Names of the matrices the checks are run on.
COVARIANCE_MATRIX = Phrase("covariance matrix", "协方差矩阵")
SAMPLE_CORRELATION_MATRIX = Phrase("sample correlation matrix", "样本相关矩阵")
ITEM_CORRELATION_MATRIX = Phrase("item correlation matrix", "题项相关矩阵")
LATENT_COVARIANCE_MATRIX = Phrase("latent covariance matrix", "潜变量协方差矩阵")
SOME_PARAMETER = Phrase("some parameter", "部分参数")

_HOW = {
    "listwise": Phrase("listwise", "成列删除"),
    "pairwise": Phrase("pairwise", "成对删除"),
    "mean": Phrase("mean replacement", "均值替补"),
}


def in_group(name: str | Phrase, group: object | None) -> str | Phrase:
    """``name`` of one group of a multi-group fit (``name (group g)``)."""
    if group is None:
        return name
    en = name.en if isinstance(name, Phrase) else name
    zh = name.zh if isinstance(name, Phrase) else name
    return Phrase(f"{en} (group {group})", f"{zh}（组 {group}）")


def _render(code: str, fmt: Mapping[str, Any], lang: str) -> tuple[str, str]:
    texts = _TEXT[code]
    msg, advice = texts.get(lang, texts["en"])
    args = {k: v.get(lang) if isinstance(v, Phrase) else v for k, v in fmt.items()}
    if code == "not_converged":
        it = args.pop("iterations", None)
        if it is None:
            args["detail"] = ""
        else:
            args["detail"] = text("diag.after_iterations", lang, n=it)
    return msg.format(**args), advice.format(**args)


# ------------------------------------------------------------------------------------
# Measurement and structural quality (csi.quality): shared by PLS and CB-SEM results.
_TEXT.update(
    {
        "dominant_item": {
            "en": (
                "{name} rests on a single item: {item} carries {share:.0%} of the weight of "
                "the construct score (loadings: {loadings}).",
                "The other items add little, so the construct and its index are in effect "
                "{item} alone. Check the other items for wording, reverse coding or "
                "missing-value codes; improve or drop them, or report {name} as a "
                "single-item measure.",
            ),
            "zh": (
                "{name} 实际上只依赖一个题项："
                "{item} 占该构念得分权重的 {share:.0%}（载荷：{loadings}）。",
                "其他题项贡献很小，该构念及其指数实际上只反映 {item}。请检查其他题项的措辞、"
                "反向计分或缺失值编码；改进或删除这些题项，或将 {name} 作为单题项测量报告。",
            ),
        },
        "collinear_constructs": {
            "en": (
                "{first} and {second} are nearly collinear (correlation {value:.3f}, "
                "above {threshold:g}): respondents hardly tell them apart.",
                "Their separate effects are unstable and may even get the wrong sign. "
                "Check the HTMT ratio; consider merging the two constructs, keeping only one "
                "of them as a predictor, or rewording the items so that they ask about "
                "different things.",
            ),
            "zh": (
                "{first} 与 {second} 近似共线（相关系数 {value:.3f}，"
                "超过 {threshold:g}）：受访者几乎无法区分二者。",
                "二者各自的影响不稳定，甚至可能符号相反。请查看 HTMT；考虑合并这两个构念、"
                "只保留其中一个作为预测变量，或修改题项措辞使其询问不同的内容。",
            ),
        },
        "inner_collinearity": {
            "en": (
                "The predictors of {target} are collinear: {source} has VIF {value:.2f} "
                "(above {threshold:g}).",
                "The path coefficients into {target} are unstable. Consider merging highly "
                "correlated predictors into one construct, dropping one of them, or a "
                "second-order construct.",
            ),
            "zh": (
                "{target} 的预测变量存在共线性："
                "{source} 的 VIF 为 {value:.2f}（超过 {threshold:g}）。",
                "指向 {target} 的路径系数不稳定。"
                "可考虑合并高度相关的预测构念、删除其一，或使用二阶构念。",
            ),
        },
        "formative_collinearity": {
            "en": (
                "The items of formative construct {name} are collinear: {item} has VIF "
                "{value:.2f} (above {threshold:g}).",
                "Its weights are unstable and may have the wrong sign. Drop or merge "
                "redundant items, or model the construct as reflective if the items are "
                "interchangeable.",
            ),
            "zh": (
                "形成性构念 {name} 的题项存在共线性："
                "{item} 的 VIF 为 {value:.2f}（超过 {threshold:g}）。",
                "其权重不稳定，符号可能错误。删除或合并冗余题项；若题项可互换，可改为反映性构念。",
            ),
        },
        "low_reliability": {
            "en": (
                "The reliability of {name} is low: {statistic} "
                "= {value:.3f} (below {threshold:g}).",
                "Its items do not measure it consistently. Look for items with low loadings "
                "or low item-total correlations (reverse-coded or ambiguous questions) and "
                "revise or drop them.",
            ),
            "zh": (
                "{name} 的信度偏低：{statistic} = {value:.3f}（低于 {threshold:g}）。",
                "其题项测量不一致。"
                "请找出载荷或题总相关较低的题项（反向或含义模糊的问题），修改或删除。",
            ),
        },
        "redundant_items": {
            "en": (
                "The reliability of {name} is very high: {statistic} = {value:.3f} (above "
                "{threshold:g}).",
                "Its items may be near repetitions of one question, which inflates the "
                "reliability and burdens respondents; consider dropping repeated items.",
            ),
            "zh": (
                "{name} 的信度过高：{statistic} = {value:.3f}（高于 {threshold:g}）。",
                "其题项可能几乎是同一问题的重复，会虚高信度并加重受访者负担；考虑删除重复题项。",
            ),
        },
        "low_ave": {
            "en": (
                "{name} explains less than half of its items' variance: AVE = {value:.3f} "
                "(below {threshold:g}).",
                "On average its items carry more error than construct; drop or revise the "
                "items with the lowest loadings.",
            ),
            "zh": (
                "{name} 解释的题项方差不足一半：AVE = {value:.3f}（低于 {threshold:g}）。",
                "其题项平均而言误差多于构念信息；删除或修改载荷最低的题项。",
            ),
        },
        "low_loading": {
            "en": (
                "Item {item} of {name} has a low loading ({value:.3f}, below {threshold:g}).",
                "It shares little with the other items of {name}. Check its wording and "
                "coding; drop it if that raises the construct's reliability or AVE and the "
                "content is still covered.",
            ),
            "zh": (
                "{name} 的题项 {item} 载荷偏低（{value:.3f}，低于 {threshold:g}）。",
                "该题项与 {name} 的其他题项共同部分较少。请检查措辞和编码；"
                "若删除后信度或 AVE 提高且内容仍被覆盖，可删除。",
            ),
        },
        "poor_model_fit": {
            "en": (
                "The model reproduces the item correlations loosely: SRMR = {value:.3f} "
                "(above {threshold:g}).",
                "Some item correlations are far from what the model implies. Look for "
                "missing paths, items that belong to another construct, or a construct "
                "that is really two.",
            ),
            "zh": (
                "模型对题项相关的再现较差：SRMR = {value:.3f}（高于 {threshold:g}）。",
                "部分题项相关与模型隐含值相差较大。请检查是否遗漏路径、题项是否归属其他构念，"
                "或某个构念实为两个。",
            ),
        },
        "discriminant_validity": {
            "en": (
                "{first} and {second} are not clearly distinct: {statistic} = {value:.3f} "
                "(above {threshold:g}).",
                "Their items correlate nearly as strongly across the two constructs as "
                "within each. Check whether they measure the same thing; merge them, or "
                "reword items that belong to both.",
            ),
            "zh": (
                "{first} 与 {second} 区分效度不足："
                "{statistic} = {value:.3f}（高于 {threshold:g}）。",
                "两构念题项之间的相关几乎与各自内部的相关一样强。"
                "请检查二者是否测量同一内容；可合并，或修改同时属于二者的题项。",
            ),
        },
    }
)
