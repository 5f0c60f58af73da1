"""Covariance-based SEM: semopy as the optimiser, lavaan-compatible results computed by csi."""

from csi.sem.fit import ESTIMATORS, fit_sem
from csi.sem.result import SEMResult

__all__ = ["ESTIMATORS", "SEMResult", "fit_sem"]
