"""Weighting: AHP (subjective), entropy / CRITIC / CV (objective) and their combination."""

from __future__ import annotations

from csi.weighting.ahp import (
    RANDOM_INDEX_TABLES,
    SAATY_SCALE,
    AHPConsistencyWarning,
    AHPHierarchyResult,
    AHPResult,
    GroupAHPResult,
    ahp_group,
    ahp_hierarchy,
    ahp_weights,
    comparison_matrix,
    random_index,
    simulate_random_index,
)

__all__ = [
    "RANDOM_INDEX_TABLES",
    "SAATY_SCALE",
    "AHPConsistencyWarning",
    "AHPHierarchyResult",
    "AHPResult",
    "GroupAHPResult",
    "ahp_group",
    "ahp_hierarchy",
    "ahp_weights",
    "comparison_matrix",
    "random_index",
    "simulate_random_index",
]
