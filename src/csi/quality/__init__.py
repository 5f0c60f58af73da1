"""Measurement and structural quality of PLS and CB-SEM results.

``result.quality()`` on a :class:`csi.pls.PLSResult` or :class:`csi.sem.SEMResult` gives a
:class:`QualityReport` (reliability, HTMT, Fornell-Larcker, cross-loadings, R², f², VIF
and plain-language diagnostics). The building blocks work on plain matrices, e.g.
:func:`htmt` on a correlation matrix (or a bootstrap stack of them). Predictive power:
:func:`pls_predict` (PLSpredict), :func:`cvpat` (CVPAT) and :func:`blindfolding`
(Stone-Geisser Q²). Item screening for indicator systems: :func:`screen_items`.
"""

from __future__ import annotations

from csi.quality.cvpat import CVPATResult, cvpat
from csi.quality.pls import f_squared_rerun, pls_quality
from csi.quality.predict import PredictionResult, blindfolding, pls_predict
from csi.quality.reliability import (
    alpha_from_matrix,
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
)
from csi.quality.report import QualityReport
from csi.quality.screening import ItemScreening, screen_items
from csi.quality.sem import sem_quality
from csi.quality.structural import f_squared_fixed, inner_vif, outer_vif
from csi.quality.thresholds import Thresholds
from csi.quality.validity import fornell_larcker, htmt, htmt_frame

__all__ = [
    "CVPATResult",
    "ItemScreening",
    "PredictionResult",
    "QualityReport",
    "Thresholds",
    "alpha_from_matrix",
    "average_variance_extracted",
    "blindfolding",
    "composite_reliability",
    "cronbach_alpha",
    "cvpat",
    "f_squared_fixed",
    "f_squared_rerun",
    "fornell_larcker",
    "htmt",
    "htmt_frame",
    "inner_vif",
    "outer_vif",
    "pls_predict",
    "pls_quality",
    "screen_items",
    "sem_quality",
]
