"""AHP on a hierarchy: local and global weights and the hierarchy's consistency ratio."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csi._checks import CsiInputError
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.weighting.ahp_core import AHPResult, ahp_weights
from csi.weighting.ahp_groups import GroupAHPResult

__all__ = ["AHPHierarchyResult", "ahp_hierarchy"]


@dataclass(frozen=True)
class AHPHierarchyResult:
    """A hierarchy of AHP matrices: local and global weights and hierarchy consistency.

    ``nodes``: one result per parent; ``to_frame()`` one row per node (below the goal):
    node, parent, level, local_weight, global_weight, rank (within its parent).
    ``cr_levels``: hierarchical consistency per level; ``cr``: of the whole hierarchy
    (Saaty 1980): ``sum_p g_p CI_p / sum_p g_p RI_p`` over parents ``p`` with global weight ``g_p``.
    """

    root: str
    nodes: dict[str, AHPResult | GroupAHPResult]
    frame: pd.DataFrame
    cr_levels: pd.Series
    cr: float
    threshold: float

    @property
    def consistent(self) -> bool:
        return bool(self.cr <= self.threshold)

    @property
    def global_weights(self) -> pd.Series:
        """Global weights of the bottom nodes (leaves), summing to 1."""
        leaves = self.frame[~self.frame["node"].isin(self.frame["parent"])]
        return pd.Series(
            leaves["global_weight"].to_numpy(), index=leaves["node"].to_numpy(), name="weight"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """Local and global weight of every node, CR per level and of the hierarchy."""
        lab = phrases("ahp", check_lang(lang))
        title = lab["hierarchy"].format(root=self.root)
        lines = [title, "-" * 30]
        for r in self.frame.to_dict("records"):
            lines.append(
                "  " * (int(r["level"]) - 1)
                + lab["node"].format(
                    node=r["node"],
                    local=f"{float(r['local_weight']):.{digits}f}",
                    glob=f"{float(r['global_weight']):.{digits}f}",
                )
            )
        for lv, cr in self.cr_levels.items():
            lines.append(lab["level_cr"].format(level=lv, cr=f"{cr:.{digits}f}"))
        verdict = lab["is_consistent"] if self.consistent else lab["not_consistent"]
        lines.append(lab["hierarchy_cr"].format(cr=f"{self.cr:.{digits}f}", verdict=verdict))
        return Summary.plain(
            "\n".join(lines), title=title, tables={"weights": self.to_frame()}, lang=lang
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _ci_ri(res: AHPResult | GroupAHPResult) -> tuple[float, float]:
    r = res.aggregate if isinstance(res, GroupAHPResult) else res
    if r is None:  # AIP: expert-weighted CI and RI
        assert isinstance(res, GroupAHPResult)
        first = next(iter(res.individual.values()))
        ci = float(sum(res.expert_weights[e] * x.ci for e, x in res.individual.items()))
        return ci, first.ri
    return r.ci, r.ri


def ahp_hierarchy(
    matrices: Mapping[str, Any],
    *,
    root: str,
    threshold: float = 0.1,
    **options: Any,
) -> AHPHierarchyResult:
    """AHP on a hierarchy: ``matrices[parent]`` compares the children of ``parent``.

    Each value is anything :func:`ahp_weights` accepts, or an :class:`AHPResult` /
    :class:`GroupAHPResult` already computed. A child with its own entry is expanded;
    other children are leaves. Global weight = product of local weights down the
    path. ``options`` go to :func:`ahp_weights`.
    """
    if root not in matrices:
        raise CsiInputError(f"root {root!r} has no comparison matrix; parents are {list(matrices)}")
    results: dict[str, AHPResult | GroupAHPResult] = {}
    rows: list[tuple[str, str, int, float, float, int]] = []
    level_num: dict[int, float] = {}
    level_den: dict[int, float] = {}
    visited: set[str] = set()

    def visit(node: str, g: float, depth: int) -> None:
        if node in visited:
            raise CsiInputError(f"hierarchy: node {node!r} appears twice (a cycle or shared child)")
        visited.add(node)
        spec = matrices[node]
        if isinstance(spec, AHPResult | GroupAHPResult):
            res = spec
        else:
            res = ahp_weights(spec, threshold=threshold, **options)
        results[node] = res
        ci, ri = _ci_ri(res)
        level_num[depth + 1] = level_num.get(depth + 1, 0.0) + g * ci
        level_den[depth + 1] = level_den.get(depth + 1, 0.0) + g * ri
        ranks = res.weights.rank(ascending=False, method="min").astype(int).to_numpy()
        for (child, lw), rk in zip(res.weights.items(), ranks, strict=True):
            rows.append((str(child), node, depth + 1, float(lw), g * float(lw), int(rk)))
            if child in matrices:
                visit(str(child), g * float(lw), depth + 1)

    visit(root, 1.0, 0)
    unused = [k for k in matrices if k not in visited]
    if unused:
        raise CsiInputError(f"hierarchy: matrices {unused} are not reachable from root {root!r}")
    frame = pd.DataFrame(
        rows, columns=["node", "parent", "level", "local_weight", "global_weight", "rank"]
    )
    cr_levels = pd.Series(
        {lv: (level_num[lv] / level_den[lv] if level_den[lv] > 0 else 0.0) for lv in level_num},
        name="cr",
    )
    cr_levels.index.name = "level"
    num, den = sum(level_num.values()), sum(level_den.values())
    return AHPHierarchyResult(
        root=root,
        nodes=results,
        frame=frame,
        cr_levels=cr_levels,
        cr=float(num / den) if den > 0 else 0.0,
        threshold=float(threshold),
    )
