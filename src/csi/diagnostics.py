"""Plain-language diagnostics of improper or doubtful solutions, shared by the estimators.

Each check takes plain numbers (mappings, matrices) so that covariance-based SEM, PLS
path modelling and the quality helpers can all use it, and returns a list of
:class:`Diagnostic` - empty when all is well. Nothing is printed or raised: the caller
attaches the list to its result (and may warn).

Improper solutions ("Heywood cases", Heywood 1931; Kolenikov & Bollen 2012, *Sociological
Methods & Research* 41(1), 124-167): a negative error variance, a standardized loading
above 1 or an R² above 1 mean the model does not fit these data as specified (too few
indicators, an outlier, a misspecified path, or a small sample).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

SEVERITIES = ("info", "warning", "error")

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
class Diagnostic:
    """One finding: a stable ``code``, ``severity`` (info|warning|error), text and advice."""

    code: str
    severity: str
    message: str
    advice: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message} {self.advice}"


def _make(code: str, severity: str, lang: str, **fmt: object) -> Diagnostic:
    texts = _TEXT[code]
    msg, advice = texts.get(lang, texts["en"])
    return Diagnostic(code, severity, msg.format(**fmt), advice)


def negative_variances(
    variances: Mapping[str, float], *, tol: float = 0.0, lang: str = "en"
) -> list[Diagnostic]:
    """Error or residual variances below ``-tol`` (Heywood cases)."""
    return [
        _make("negative_variance", "error", lang, name=name, value=float(v))
        for name, v in variances.items()
        if np.isfinite(v) and v < -tol
    ]


def standardized_loadings_above_one(
    loadings: Mapping[str, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """Standardized loadings with absolute value above 1."""
    return [
        _make("loading_above_one", "error", lang, name=name, value=float(v))
        for name, v in loadings.items()
        if np.isfinite(v) and abs(v) > 1 + tol
    ]


def correlations_above_one(
    correlations: Mapping[str, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """Construct correlations with absolute value above 1."""
    return [
        _make("correlation_above_one", "error", lang, name=name, value=float(v))
        for name, v in correlations.items()
        if np.isfinite(v) and abs(v) > 1 + tol
    ]


def r2_out_of_range(
    r2: Mapping[str, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """R² values above 1 or below 0."""
    return [
        _make("r2_out_of_range", "error", lang, name=name, value=float(v))
        for name, v in r2.items()
        if np.isfinite(v) and (v > 1 + tol or v < -tol)
    ]


def not_positive_definite(
    matrix: np.ndarray, *, name: str = "covariance matrix", tol: float = 0.0, lang: str = "en"
) -> list[Diagnostic]:
    """A symmetric matrix whose smallest eigenvalue is at or below ``tol``."""
    arr = np.asarray(matrix, dtype=float)
    if arr.size == 0:
        return []
    smallest = float(np.linalg.eigvalsh((arr + arr.T) / 2).min())
    if smallest <= tol:
        return [_make("not_positive_definite", "error", lang, name=name, value=smallest)]
    return []


def not_converged(
    converged: bool, *, iterations: int | None = None, lang: str = "en"
) -> list[Diagnostic]:
    """A diagnostic when an iterative estimator stopped before converging."""
    if converged:
        return []
    if iterations is None:
        detail = ""
    elif lang == "zh":
        detail = f"（{iterations} 次迭代后）"
    else:
        detail = f" after {iterations} iterations"
    return [_make("not_converged", "error", lang, detail=detail)]


def respondents_excluded(
    count: int, *, how: str = "listwise", lang: str = "en"
) -> list[Diagnostic]:
    """An info note when respondents were left out (never dropped silently)."""
    if count <= 0:
        return []
    return [_make("respondents_excluded", "info", lang, count=int(count), how=how)]


def not_identified(detail: str, *, lang: str = "en") -> list[Diagnostic]:
    """An error when the information matrix is singular (model not identified)."""
    return [_make("not_identified", "error", lang, detail=detail)]


def collect(*groups: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Concatenate diagnostic lists, dropping exact duplicates, keeping order."""
    out: list[Diagnostic] = []
    for g in groups:
        for d in g:
            if d not in out:
                out.append(d)
    return out
