"""PLS path modelling of the CSI model: :func:`fit_pls` and :func:`fit_pls_moments`.

``fit_pls`` checks the data (a DataFrame or a :class:`csi.survey.Survey`), applies
the missing-data policy (listwise, pairwise or mean replacement), computes the item
moments (n, means, covariance) and fits the model from them; the raw rows are used
only for construct scores. The algorithm itself (:mod:`csi.pls.algorithm`) works on the indicator
correlation matrix, so it accepts a stack of resampled matrices as well.

This package only re-exports: the fit is in :mod:`csi.pls.fit`, the result in
:mod:`csi.pls.result`, the bootstrap in :mod:`csi.pls.bootstrap`. Each name is imported
from its submodule on first use (PEP 562, :mod:`csi._lazy`), so that importing one
submodule (``csi.pls.higher_order_spec`` from :mod:`csi.models`) does not load the
bootstrap and scipy.stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi._lazy import attach

#: public name -> the module it comes from
_EXPORTS: dict[str, str] = {
    "SCHEMES": "csi.pls.algorithm",
    "PLSConvergenceWarning": "csi.pls.algorithm",
    "PLSEstimationError": "csi.pls.algorithm",
    "BootstrapFailureWarning": "csi.pls.bootstrap",
    "BootstrapResult": "csi.pls.bootstrap",
    "resample_indices": "csi.pls.bootstrap",
    "PLScWarning": "csi.pls.consistent",
    "MISSING": "csi.pls.fit",
    "SmallSampleWarning": "csi.pls.fit",
    "fit_pls": "csi.pls.fit",
    "fit_pls_moments": "csi.pls.fit",
    "HigherOrderResult": "csi.pls.higher_order",
    "fit_higher_order": "csi.pls.higher_order",
    "has_higher_order": "csi.pls.higher_order_spec",
    "QUADRANTS": "csi.pls.index",
    "NegativeWeightWarning": "csi.pls.index",
    "ipma_priorities": "csi.pls.index",
    "InteractionResult": "csi.pls.interaction",
    "simple_slopes": "csi.pls.interaction",
    "GroupComparison": "csi.pls.mga",
    "compare_groups": "csi.pls.mga",
    "MICOMResult": "csi.pls.micom",
    "micom": "csi.pls.micom",
    "parameter_table": "csi.pls.parameters",
    "refit_bootstrap": "csi.pls.refit_bootstrap",
    "PLSArrays": "csi.pls.result",
    "PLSResult": "csi.pls.result",
    "ResampleStatistic": "csi.pls.statistics",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time, __getattr__ below
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

__getattr__, __dir__ = attach(__name__, exports=_EXPORTS)
