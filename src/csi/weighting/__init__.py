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
from csi.weighting.combine import CombinedWeights, combine_weights, weights_from_pls
from csi.weighting.objective import critic_weights, cv_weights, entropy_weights

__all__ = [
    "RANDOM_INDEX_TABLES",
    "SAATY_SCALE",
    "AHPConsistencyWarning",
    "AHPHierarchyResult",
    "AHPResult",
    "CombinedWeights",
    "GroupAHPResult",
    "ahp_group",
    "ahp_hierarchy",
    "ahp_weights",
    "combine_weights",
    "comparison_matrix",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "random_index",
    "simulate_random_index",
    "weights_from_pls",
]
