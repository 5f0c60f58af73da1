"""PLS path modelling of the CSI model: :func:`fit_pls` and :func:`fit_pls_moments`.

``fit_pls`` checks the data (a DataFrame or a :class:`csi.survey.Survey`), applies
the missing-data policy (listwise, pairwise or mean replacement), computes the item
moments (n, means, covariance) and fits the model from them; the raw rows are used
only for construct scores. The algorithm itself (:mod:`csi.pls.algorithm`) works on the indicator
correlation matrix, so it accepts a stack of resampled matrices as well.

This package only re-exports: the fit is in :mod:`csi.pls.fit`, the result in
:mod:`csi.pls.result`, the bootstrap in :mod:`csi.pls.bootstrap`.
"""

from __future__ import annotations

from csi.pls.algorithm import SCHEMES, PLSConvergenceWarning, PLSEstimationError
from csi.pls.bootstrap import BootstrapFailureWarning, BootstrapResult, resample_indices
from csi.pls.consistent import PLScWarning
from csi.pls.fit import MISSING as MISSING
from csi.pls.fit import SmallSampleWarning, fit_pls, fit_pls_moments
from csi.pls.higher_order import HigherOrderResult, fit_higher_order
from csi.pls.higher_order_spec import has_higher_order
from csi.pls.index import QUADRANTS, NegativeWeightWarning, ipma_priorities
from csi.pls.interaction import InteractionResult, simple_slopes
from csi.pls.mga import GroupComparison, compare_groups
from csi.pls.micom import MICOMResult, micom
from csi.pls.parameters import parameter_table
from csi.pls.refit_bootstrap import refit_bootstrap
from csi.pls.result import PLSArrays as PLSArrays
from csi.pls.result import PLSResult
from csi.pls.statistics import ResampleStatistic

__all__ = [
    "QUADRANTS",
    "SCHEMES",
    "BootstrapFailureWarning",
    "BootstrapResult",
    "GroupComparison",
    "HigherOrderResult",
    "InteractionResult",
    "MICOMResult",
    "NegativeWeightWarning",
    "PLSConvergenceWarning",
    "PLSEstimationError",
    "PLSResult",
    "PLScWarning",
    "ResampleStatistic",
    "SmallSampleWarning",
    "compare_groups",
    "fit_higher_order",
    "fit_pls",
    "fit_pls_moments",
    "has_higher_order",
    "ipma_priorities",
    "micom",
    "parameter_table",
    "refit_bootstrap",
    "resample_indices",
    "simple_slopes",
]
