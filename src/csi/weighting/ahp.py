"""Analytic hierarchy process (AHP): priorities from pairwise comparisons.

A pairwise comparison matrix ``A`` on Saaty's 1-9 scale holds ``a_ij`` = how
much more important item ``i`` is than item ``j`` (``a_ji = 1 / a_ij``,
``a_ii = 1``). Priorities ``w`` (summing to 1):

* ``method="eigenvector"`` (default): principal right eigenvector, ``A w = lambda_max w``
  (Saaty 1977, 1980).
* ``method="geometric"``: row geometric means, ``w_i ∝ (prod_j a_ij)^(1/n)``
  (logarithmic least squares; Crawford & Williams 1985).

Consistency: ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)``, with
``lambda_max`` the principal eigenvalue of ``A`` for either method. ``CR <= 0.1``
(settable) counts as consistent. Random index tables, see :data:`RANDOM_INDEX_TABLES`.

For a consistent matrix ``a_ij = w_i / w_j``. With the eigenvector the excess
``n (lambda_max - n) = sum_{i<j} (e_ij + 1/e_ij - 2)``, ``e_ij = a_ij w_j / w_i``,
splits exactly into one non-negative share per judgment; the judgments with the
largest shares are reported with the value ``w_i / w_j`` that would make them
consistent. Nothing is changed for the user.

Incomplete matrices (missing judgments as NaN or left out of a judgment list)
are solved by Harker's (1987) method: missing ``a_ij`` set to 0 and ``1 + m_i``
on the diagonal (``m_i`` = missing judgments in row ``i``); its principal
eigenvector is the priority vector and the completed matrix (missing entries
``w_i / w_j``) has the same ``lambda_max``. The geometric method uses
logarithmic least squares on the known judgments.

Group decisions (Forman & Peniwati 1998): ``AIJ`` aggregates the judgments by
the weighted geometric mean and derives one priority vector; ``AIP`` derives each
expert's priorities and averages them (weighted arithmetic mean by default, or
weighted geometric mean renormalised).

References: Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill.
Harker, P. T. (1987) Incomplete pairwise comparisons in the AHP, *Mathematical
Modelling* 9(11), 837-848. Forman, E. & Peniwati, K. (1998) Aggregating
individual judgments and priorities with the AHP, *EJOR* 108, 165-169.
"""

from __future__ import annotations

from csi.weighting.ahp_core import AHPConsistencyWarning, AHPResult, ahp_weights
from csi.weighting.ahp_groups import GroupAHPResult, ahp_group
from csi.weighting.ahp_hierarchies import AHPHierarchyResult, ahp_hierarchy
from csi.weighting.ahp_judgments import comparison_matrix
from csi.weighting.ahp_tables import (
    RANDOM_INDEX_TABLES,
    SAATY_SCALE,
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
