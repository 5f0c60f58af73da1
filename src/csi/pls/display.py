"""Text, HTML and long-table views of a PLS fit (:meth:`csi.pls.result.PLSResult.summary`,
:meth:`~csi.pls.result.PLSResult.to_frame`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from csi.display import Summary
from csi.i18n import check_lang, phrases

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["header", "repr_html", "summary"]


def header(result: PLSResult, lang: str) -> list[str]:
    lab = phrases("pls", lang)
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


def summary(result: PLSResult, lang: str = "en", digits: int = 3) -> Summary:
    """A compact text report: paths with R², outer weights and loadings, index."""
    lab = phrases("pls", check_lang(lang))
    head = header(result, lang)
    lines = list(head)
    tables: dict[str, pd.DataFrame] = {}
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
    tables[lab["paths"]] = paths
    if len(result.r2):
        r2 = pd.DataFrame(
            {
                lab["construct"]: result.r2["construct"],
                lab["r2"]: result.r2["r2"].round(digits),
                lab["r2_adj"]: result.r2["r2_adj"].round(digits),
            }
        )
        lines += ["", lab["r2"], r2.to_string(index=False)]
        tables[lab["r2"]] = r2
    outer = pd.DataFrame(
        {
            lab["construct"]: result.outer_weights["construct"],
            lab["indicator"]: result.outer_weights["indicator"],
            lab["weight"]: result.outer_weights["estimate"].round(digits),
            lab["loading"]: result.loadings["estimate"].round(digits),
        }
    )
    lines += ["", lab["outer"], outer.to_string(index=False)]
    tables[lab["outer"]] = outer
    if result.scale is not None:
        idx = result.index().round(1 if digits >= 1 else 0)
        lines += ["", lab["index"], idx.to_string()]
        tables[lab["index"]] = idx.to_frame() if isinstance(idx, pd.Series) else idx
    return Summary("\n".join(lines), title=head[0], notes=head[1:], tables=tables, lang=lang)


def repr_html(result: PLSResult) -> str:
    """The HTML of :func:`summary` (English)."""
    return summary(result).html
