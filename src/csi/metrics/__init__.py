"""Service-quality metrics: NPS, CSAT, box scores, loyalty groups, comparisons, rates, staff.

Every per-segment table is a tidy DataFrame with one row per segment (and measure),
a ``suppressed`` flag for segments below ``min_size`` (kept, figures NaN), and
``n_missing`` where answers can be missing. Shares and rates are in percent, NPS in
points, so a report can show them as they are. Weighted and complex-sample
(strata, clusters, replicate weights) estimates live in :mod:`csi.metrics.design`.
"""

from __future__ import annotations

from csi.metrics._common import t_interval
from csi.metrics.compare import (
    adjust_pvalues,
    compare_periods,
    compare_segments,
    describe_change,
    mean_difference,
    nps_difference,
)
from csi.metrics.design import (
    Design,
    Estimate,
    kish_n_effective,
    weighted_by,
    weighted_mean,
    weighted_proportion,
    weighted_total,
)
from csi.metrics.intervals import (
    clopper_pearson_interval,
    proportion_interval,
    quantile_interval,
    wilson_interval,
)
from csi.metrics.loyalty import (
    GROUP_LABELS,
    IndifferenceZone,
    SatisfactionLoyalty,
    loyalty_group_shares,
    loyalty_groups,
    satisfaction_loyalty,
)
from csi.metrics.rates import case_rates, durations, service_level, time_summary
from csi.metrics.scores import box_scores, csat, nps, nps_interval
from csi.metrics.staff import StaffAppraisal, staff_appraisal
from csi.metrics.targets import hot_spots, target_gaps

__all__ = [
    "GROUP_LABELS",
    "Design",
    "Estimate",
    "IndifferenceZone",
    "SatisfactionLoyalty",
    "StaffAppraisal",
    "adjust_pvalues",
    "box_scores",
    "case_rates",
    "clopper_pearson_interval",
    "compare_periods",
    "compare_segments",
    "csat",
    "describe_change",
    "durations",
    "hot_spots",
    "kish_n_effective",
    "loyalty_group_shares",
    "loyalty_groups",
    "mean_difference",
    "nps",
    "nps_difference",
    "nps_interval",
    "proportion_interval",
    "quantile_interval",
    "satisfaction_loyalty",
    "service_level",
    "staff_appraisal",
    "t_interval",
    "target_gaps",
    "time_summary",
    "weighted_by",
    "weighted_mean",
    "weighted_proportion",
    "weighted_total",
    "wilson_interval",
]
