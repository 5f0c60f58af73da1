"""csi: customer satisfaction index modelling.

Survey in (:func:`read_survey`), CSI model fitted by PLS path modelling
(:func:`fit_pls`) or covariance-based SEM (:func:`fit_sem`), 0-100 indices,
impacts and importance-performance maps out; indicator systems weighted by AHP,
entropy, CRITIC or a combination; results read on the seven-level satisfaction scale.

This module only re-exports the public API; see each function's documentation.
Plots and reports live in the submodules :mod:`csi.plots` and :mod:`csi.report`
(imported on use, so that ``import csi`` does not load matplotlib).
"""

from csi import datasets, metrics, scales, weighting
from csi._checks import CsiInputError
from csi.codebook import Codebook, CodebookError, ItemInfo
from csi.datasets import SimulatedSurvey, load_sample, simulate_csi
from csi.diagnostics import Diagnostic
from csi.fuzzy import FuzzyResult, fuzzy_evaluation, fuzzy_hierarchy, membership_matrix
from csi.indicators import (
    FittedIndicatorSystem,
    IndicatorScores,
    IndicatorSystem,
    screen_indicators,
)
from csi.metrics import csat, nps
from csi.moments import Moments, moments_from_frame
from csi.pls import (
    BootstrapResult,
    GroupComparison,
    NegativeWeightWarning,
    PLSConvergenceWarning,
    PLScWarning,
    PLSResult,
    compare_groups,
    fit_pls,
    fit_pls_moments,
    ipma_priorities,
)
from csi.quality import (
    ItemScreening,
    PredictionResult,
    QualityReport,
    Thresholds,
    blindfolding,
    htmt,
    pls_predict,
    screen_items,
)
from csi.rake import RakeResult, rake
from csi.scaleout import (
    index_by_dask,
    moments_from_dask,
    moments_from_parquet,
    score_dask,
    score_to_parquet,
)
from csi.scales import (
    SEVEN_LEVELS,
    RatingScale,
    SevenLevelScale,
    classify,
    level_distribution,
    level_groups,
    level_label,
)
from csi.sem import InvarianceResult, SEMResult, fit_sem, invariance
from csi.spec import ModelSpec, ModelSpecError
from csi.survey import CleaningReport, Survey, SurveyError, read_survey
from csi.weighting import (
    AHPResult,
    ahp_group,
    ahp_hierarchy,
    ahp_weights,
    combine_weights,
    comparison_matrix,
    critic_weights,
    cv_weights,
    entropy_weights,
)

__version__ = "0.1.0"

__all__ = [
    "SEVEN_LEVELS",
    "AHPResult",
    "BootstrapResult",
    "CleaningReport",
    "Codebook",
    "CodebookError",
    "CsiInputError",
    "Diagnostic",
    "FittedIndicatorSystem",
    "FuzzyResult",
    "GroupComparison",
    "IndicatorScores",
    "IndicatorSystem",
    "InvarianceResult",
    "ItemInfo",
    "ItemScreening",
    "ModelSpec",
    "ModelSpecError",
    "Moments",
    "NegativeWeightWarning",
    "PLSConvergenceWarning",
    "PLSResult",
    "PLScWarning",
    "PredictionResult",
    "QualityReport",
    "RakeResult",
    "RatingScale",
    "SEMResult",
    "SevenLevelScale",
    "SimulatedSurvey",
    "Survey",
    "SurveyError",
    "Thresholds",
    "__version__",
    "ahp_group",
    "ahp_hierarchy",
    "ahp_weights",
    "blindfolding",
    "classify",
    "combine_weights",
    "compare_groups",
    "comparison_matrix",
    "critic_weights",
    "csat",
    "cv_weights",
    "datasets",
    "entropy_weights",
    "fit_pls",
    "fit_pls_moments",
    "fit_sem",
    "fuzzy_evaluation",
    "fuzzy_hierarchy",
    "htmt",
    "index_by_dask",
    "invariance",
    "ipma_priorities",
    "level_distribution",
    "level_groups",
    "level_label",
    "load_sample",
    "membership_matrix",
    "metrics",
    "moments_from_dask",
    "moments_from_frame",
    "moments_from_parquet",
    "nps",
    "pls_predict",
    "rake",
    "read_survey",
    "scales",
    "score_dask",
    "score_to_parquet",
    "screen_indicators",
    "screen_items",
    "simulate_csi",
    "weighting",
]
