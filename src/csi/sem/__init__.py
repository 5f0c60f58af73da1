"""Covariance-based SEM: semopy as the optimiser, lavaan-compatible results computed by csi.

Entry points: :func:`fit_sem` (ML, GLS, ULS, robust MLM, ordinal DWLS; listwise or FIML;
one or several groups) and :func:`invariance` (configural-metric-scalar-strict ladder).
"""

from csi.sem.fit import ESTIMATORS, fit_sem
from csi.sem.invariance import InvarianceResult, invariance
from csi.sem.result import SEMResult

__all__ = ["ESTIMATORS", "InvarianceResult", "SEMResult", "fit_sem", "invariance"]
