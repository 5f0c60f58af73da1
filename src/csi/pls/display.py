"""Text, HTML and long-table views of a PLS fit (:meth:`csi.pls.result.PLSResult.summary`,
:meth:`~csi.pls.result.PLSResult.to_frame`)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from csi._checks import check_choice

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["header", "repr_html", "summary", "to_frame"]

_LABELS = {
    "en": {
        "title": "PLS path model",
        "scheme": "inner weighting scheme",
        "plsc": "consistent PLS (PLSc)",
        "yes": "yes",
        "no": "no",
        "n": "respondents used",
        "excluded": "excluded (missing answers)",
        "replaced": "missing answers replaced by item means",
        "unscored": "respondents without scores (missing answers, pairwise)",
        "iterations": "iterations",
        "converged": "converged",
        "not_converged": "NOT converged",
        "paths": "Path coefficients",
        "r2": "R²",
        "outer": "Outer model",
        "index": "Index (0-100)",
        "construct": "construct",
        "indicator": "indicator",
        "weight": "weight",
        "loading": "loading",
        "path": "path",
        "estimate": "estimate",
        "r2_adj": "adj. R²",
        "weights": "weights",
        "sum_weights": "sum of weights",
        "n_eff": "Kish effective n",
    },
    "zh": {
        "title": "PLS 路径模型",
        "scheme": "内部权重方案",
        "plsc": "一致性 PLS (PLSc)",
        "yes": "是",
        "no": "否",
        "n": "有效样本量",
        "excluded": "剔除（有缺失回答）",
        "replaced": "以题项均值替代的缺失回答",
        "unscored": "无潜变量得分的受访者（有缺失回答，成对删除）",
        "iterations": "迭代次数",
        "converged": "已收敛",
        "not_converged": "未收敛",
        "paths": "路径系数",
        "r2": "R²",
        "outer": "测量模型",
        "index": "指数 (0-100)",
        "construct": "潜变量",
        "indicator": "指标",
        "weight": "权重",
        "loading": "载荷",
        "path": "路径",
        "estimate": "估计值",
        "r2_adj": "调整 R²",
        "weights": "加权",
        "sum_weights": "权重之和",
        "n_eff": "Kish 有效样本量",
    },
}


def header(result: PLSResult, lang: str) -> list[str]:
    lab = _LABELS[lang]
    status = (
        f"{lab['converged']} ({lab['iterations']}: {result.iterations}, tol {result.tol:g})"
        if result.converged
        else f"{lab['not_converged']} ({lab['iterations']}: {result.iterations})"
    )
    counts = f"{lab['n']}: {result.n}; {lab['excluded']}: {result.n_excluded}"
    if result.missing == "mean":
        counts += f"; {lab['replaced']}: {result.n_replaced}"
    elif result.missing == "pairwise":
        counts += f"; {lab['unscored']}: {result.n_unscored}"
    lines = [
        lab["title"],
        f"{lab['scheme']}: {result.scheme}; {lab['plsc']}: "
        f"{lab['yes'] if result.consistent else lab['no']}",
        counts,
    ]
    if result.weighted:
        lines.append(
            f"{lab['weights']}: {result.weight_kind}; {lab['sum_weights']}: "
            f"{result.sum_weights:.6g}; {lab['n_eff']}: {result.n_eff:.1f}"
        )
    return [*lines, status]


def summary(result: PLSResult, lang: str = "en", digits: int = 3) -> str:
    """A compact text report: paths with R², outer weights and loadings, index."""
    check_choice(lang, _LABELS, name="lang")
    lab = _LABELS[lang]
    lines = header(result, lang)
    paths = pd.DataFrame(
        {
            lab["path"]: [
                f"{s} -> {t}"
                for s, t in zip(
                    result.path_coefficients["source"],
                    result.path_coefficients["target"],
                    strict=True,
                )
            ],
            lab["estimate"]: result.path_coefficients["estimate"].round(digits),
        }
    )
    lines += ["", lab["paths"], paths.to_string(index=False)]
    if len(result.r2):
        r2 = pd.DataFrame(
            {
                lab["construct"]: result.r2["construct"],
                lab["r2"]: result.r2["r2"].round(digits),
                lab["r2_adj"]: result.r2["r2_adj"].round(digits),
            }
        )
        lines += ["", lab["r2"], r2.to_string(index=False)]
    outer = pd.DataFrame(
        {
            lab["construct"]: result.outer_weights["construct"],
            lab["indicator"]: result.outer_weights["indicator"],
            lab["weight"]: result.outer_weights["estimate"].round(digits),
            lab["loading"]: result.loadings["estimate"].round(digits),
        }
    )
    lines += ["", lab["outer"], outer.to_string(index=False)]
    if result.scale is not None:
        idx = result.index().round(1 if digits >= 1 else 0)
        lines += ["", lab["index"], idx.to_string()]
    return "\n".join(lines)


def repr_html(result: PLSResult) -> str:
    head = "<br>".join(html.escape(line) for line in header(result, "en"))
    paths = result.path_coefficients.round(3).to_html(index=False)
    r2 = result.r2.round(3).to_html(index=False)
    return f"<div><p>{head}</p><h4>Path coefficients</h4>{paths}<h4>R²</h4>{r2}</div>"


def to_frame(result: PLSResult) -> pd.DataFrame:
    """The long table of :meth:`PLSResult.to_frame`: ``parameter, lhs, rhs, estimate``."""
    parts = [
        pd.DataFrame(
            {
                "parameter": "path",
                "lhs": result.path_coefficients["source"],
                "rhs": result.path_coefficients["target"],
                "estimate": result.path_coefficients["estimate"],
            }
        ),
        pd.DataFrame(
            {
                "parameter": "weight",
                "lhs": result.outer_weights["construct"],
                "rhs": result.outer_weights["indicator"],
                "estimate": result.outer_weights["estimate"],
            }
        ),
        pd.DataFrame(
            {
                "parameter": "loading",
                "lhs": result.loadings["construct"],
                "rhs": result.loadings["indicator"],
                "estimate": result.loadings["estimate"],
            }
        ),
        pd.DataFrame(
            {
                "parameter": "r2",
                "lhs": result.r2["construct"],
                "rhs": "",
                "estimate": result.r2["r2"],
            }
        ),
    ]
    return pd.concat(parts, ignore_index=True)
