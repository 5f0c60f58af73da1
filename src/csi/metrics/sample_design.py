"""Re-exports :mod:`csi.survey_design` (the survey Design moved to the base layer, where
the estimators' design-based bootstrap can use it without importing ``csi.metrics``)."""

from __future__ import annotations

from csi.survey_design import LONELY_PSU as LONELY_PSU
from csi.survey_design import REPLICATE_TYPES as REPLICATE_TYPES
from csi.survey_design import Design as Design
from csi.survey_design import design_df as design_df
from csi.survey_design import design_for as design_for
from csi.survey_design import effective_n as effective_n
from csi.survey_design import kish_n_effective as kish_n_effective

__all__ = ["LONELY_PSU", "REPLICATE_TYPES", "Design", "design_for", "kish_n_effective"]
