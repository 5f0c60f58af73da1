"""csi: customer satisfaction index modelling.

Survey in (:func:`read_survey`), CSI model fitted by PLS path modelling
(:func:`fit_pls`) or covariance-based SEM (:func:`fit_sem`), 0-100 indices,
impacts and importance-performance maps out; indicator systems weighted by AHP,
entropy, CRITIC or a combination; results read on the seven-level satisfaction scale.

This module only re-exports the public API; see each function's documentation.
Every name is imported from its submodule on first use (PEP 562, :mod:`csi._lazy`),
so that ``import csi`` is about as quick as ``import pandas`` and loads neither
scipy, statsmodels, semopy, matplotlib nor dask. Plots and reports live in the
submodules :mod:`csi.plots` and :mod:`csi.report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi._lazy import attach

__version__ = "0.1.0"

#: submodules read as attributes of ``csi`` (``csi.metrics.nps``)
_SUBMODULES = ("datasets", "metrics", "scales", "weighting")

#: public name -> the module it comes from
_EXPORTS: dict[str, str] = {
    "CsiInputError": "csi._checks",
    "CsiWarning": "csi._checks",
    "DataWarning": "csi._checks",
    "MethodWarning": "csi._checks",
    "RakingWarning": "csi._checks",
    "Summary": "csi.display",
    "MissingCJKFontWarning": "csi.plots.fonts",
    "PrivacyWarning": "csi.report.privacy",
    "BootstrapFailureWarning": "csi.pls",
    "SmallSampleWarning": "csi.pls",
    "SmallSegmentWarning": "csi.pls.resampling",
    "AHPConsistencyWarning": "csi.weighting.ahp_core",
    "Codebook": "csi.codebook",
    "CodebookError": "csi.codebook",
    "ItemInfo": "csi.codebook",
    "SimulatedSurvey": "csi.datasets",
    "load_sample": "csi.datasets",
    "simulate_csi": "csi.datasets",
    "Diagnostic": "csi.diagnostics",
    "FuzzyResult": "csi.fuzzy",
    "fuzzy_evaluation": "csi.fuzzy",
    "fuzzy_hierarchy": "csi.fuzzy",
    "membership_matrix": "csi.fuzzy",
    "FittedIndicatorSystem": "csi.indicators",
    "IndicatorScores": "csi.indicators",
    "IndicatorSystem": "csi.indicators",
    "screen_indicators": "csi.indicators",
    "csat": "csi.metrics",
    "nps": "csi.metrics",
    "Moments": "csi.moments",
    "moments_from_frame": "csi.moments",
    "BootstrapResult": "csi.pls",
    "GroupComparison": "csi.pls",
    "HigherOrderResult": "csi.pls",
    "InteractionResult": "csi.pls",
    "MICOMResult": "csi.pls",
    "NegativeWeightWarning": "csi.pls",
    "PLSConvergenceWarning": "csi.pls",
    "PLScWarning": "csi.pls",
    "PLSResult": "csi.pls",
    "compare_groups": "csi.pls",
    "fit_higher_order": "csi.pls",
    "fit_pls": "csi.pls",
    "fit_pls_moments": "csi.pls",
    "ipma_priorities": "csi.pls",
    "micom": "csi.pls",
    "parameter_table": "csi.pls",
    "simple_slopes": "csi.pls",
    "CVPATResult": "csi.quality",
    "ItemScreening": "csi.quality",
    "PredictionResult": "csi.quality",
    "QualityReport": "csi.quality",
    "Thresholds": "csi.quality",
    "blindfolding": "csi.quality",
    "cvpat": "csi.quality",
    "htmt": "csi.quality",
    "pls_predict": "csi.quality",
    "screen_items": "csi.quality",
    "RakeResult": "csi.rake",
    "rake": "csi.rake",
    "index_by_dask": "csi.scaleout",
    "moments_from_dask": "csi.moments_dask",
    "moments_from_parquet": "csi.moments_dask",
    "score_dask": "csi.scaleout",
    "score_to_parquet": "csi.scaleout",
    "SEVEN_LEVELS": "csi.scales",
    "RatingScale": "csi.scales",
    "SevenLevelScale": "csi.scales",
    "classify": "csi.scales",
    "level_distribution": "csi.scales",
    "level_groups": "csi.scales",
    "level_label": "csi.scales",
    "scale_bounds": "csi.scales",
    "InvarianceResult": "csi.sem",
    "SEMResult": "csi.sem",
    "fit_sem": "csi.sem",
    "invariance": "csi.sem",
    "ModelSpec": "csi.spec",
    "ModelSpecError": "csi.spec",
    "CleaningReport": "csi.survey",
    "Survey": "csi.survey",
    "SurveyError": "csi.survey",
    "read_survey": "csi.survey",
    "AHPResult": "csi.weighting",
    "ahp_group": "csi.weighting",
    "ahp_hierarchy": "csi.weighting",
    "ahp_weights": "csi.weighting",
    "combine_weights": "csi.weighting",
    "comparison_matrix": "csi.weighting",
    "critic_weights": "csi.weighting",
    "cv_weights": "csi.weighting",
    "entropy_weights": "csi.weighting",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time, __getattr__ below
    from csi import datasets, metrics, scales, weighting
    from csi._checks import CsiInputError, CsiWarning, DataWarning, MethodWarning, RakingWarning
    from csi.codebook import Codebook, CodebookError, ItemInfo
    from csi.datasets import SimulatedSurvey, load_sample, simulate_csi
    from csi.diagnostics import Diagnostic
    from csi.display import Summary
    from csi.fuzzy import FuzzyResult, fuzzy_evaluation, fuzzy_hierarchy, membership_matrix
    from csi.indicators import (
        FittedIndicatorSystem,
        IndicatorScores,
        IndicatorSystem,
        screen_indicators,
    )
    from csi.metrics import csat, nps
    from csi.moments import Moments, moments_from_frame
    from csi.moments_dask import moments_from_dask, moments_from_parquet
    from csi.plots.fonts import MissingCJKFontWarning
    from csi.pls import (
        BootstrapFailureWarning,
        BootstrapResult,
        GroupComparison,
        HigherOrderResult,
        InteractionResult,
        NegativeWeightWarning,
        PLSConvergenceWarning,
        PLScWarning,
        PLSResult,
        SmallSampleWarning,
        compare_groups,
        fit_higher_order,
        fit_pls,
        fit_pls_moments,
        ipma_priorities,
        simple_slopes,
    )
    from csi.pls.micom import MICOMResult, micom
    from csi.pls.parameters import parameter_table
    from csi.pls.resampling import SmallSegmentWarning
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
    from csi.quality.cvpat import CVPATResult, cvpat
    from csi.rake import RakeResult, rake
    from csi.report.privacy import PrivacyWarning
    from csi.scaleout import index_by_dask, score_dask, score_to_parquet
    from csi.scales import (
        SEVEN_LEVELS,
        RatingScale,
        SevenLevelScale,
        classify,
        level_distribution,
        level_groups,
        level_label,
        scale_bounds,
    )
    from csi.sem import SEMResult, fit_sem
    from csi.sem.invariance import InvarianceResult, invariance
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
    from csi.weighting.ahp_core import AHPConsistencyWarning

__all__ = [
    "SEVEN_LEVELS",
    "AHPConsistencyWarning",
    "AHPResult",
    "BootstrapFailureWarning",
    "BootstrapResult",
    "CVPATResult",
    "CleaningReport",
    "Codebook",
    "CodebookError",
    "CsiInputError",
    "CsiWarning",
    "DataWarning",
    "Diagnostic",
    "FittedIndicatorSystem",
    "FuzzyResult",
    "GroupComparison",
    "HigherOrderResult",
    "IndicatorScores",
    "IndicatorSystem",
    "InteractionResult",
    "InvarianceResult",
    "ItemInfo",
    "ItemScreening",
    "MICOMResult",
    "MethodWarning",
    "MissingCJKFontWarning",
    "ModelSpec",
    "ModelSpecError",
    "Moments",
    "NegativeWeightWarning",
    "PLSConvergenceWarning",
    "PLSResult",
    "PLScWarning",
    "PredictionResult",
    "PrivacyWarning",
    "QualityReport",
    "RakeResult",
    "RakingWarning",
    "RatingScale",
    "SEMResult",
    "SevenLevelScale",
    "SimulatedSurvey",
    "SmallSampleWarning",
    "SmallSegmentWarning",
    "Summary",
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
    "cvpat",
    "datasets",
    "entropy_weights",
    "fit_higher_order",
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
    "micom",
    "moments_from_dask",
    "moments_from_frame",
    "moments_from_parquet",
    "nps",
    "parameter_table",
    "pls_predict",
    "rake",
    "read_survey",
    "scale_bounds",
    "scales",
    "score_dask",
    "score_to_parquet",
    "screen_indicators",
    "screen_items",
    "simple_slopes",
    "simulate_csi",
    "weighting",
]

__getattr__, __dir__ = attach(__name__, submodules=_SUBMODULES, exports=_EXPORTS)
