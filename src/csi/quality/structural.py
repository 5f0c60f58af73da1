"""Structural model quality: R², adjusted R², f² effect sizes and VIFs.

* ``R²_adj = 1 - (1 - R²)(n - 1)/(n - k - 1)`` with ``k`` predictors.
* Cohen's (1988, *Statistical Power Analysis*, 2nd ed., ch. 9) effect size of a path
  ``s -> t``: ``f² = (R²_included - R²_excluded) / (1 - R²_included)``, where
  ``R²_excluded`` is the R² of ``t`` without ``s`` among its predictors (Hair et al.,
  *A Primer on PLS-SEM*, 2nd ed. 2017, p. 201). Labels: 0.02 small, 0.15 medium,
  0.35 large.
* Variance inflation factor of a predictor: ``VIF = 1 / (1 - R²_x)`` with ``R²_x`` from
  regressing it on the other predictors, i.e. the diagonal of the inverse of their
  correlation matrix. Inner VIF: predictors of each endogenous construct (construct
  correlations); outer VIF: items of a construct (item correlations).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from csi.formulas import adjusted_r2 as adjusted_r2
from csi.quality._blocks import item_blocks, model_corr
from csi.spec import ModelSpec


def r2_from_corr(C: np.ndarray, target: int, predictors: list[int] | np.ndarray) -> float:
    """R² of ``target`` regressed on ``predictors``: ``c' C_pp^-1 c`` (0 for none)."""
    p = np.asarray(predictors, dtype=int)
    if p.size == 0:
        return 0.0
    c = C[p, target]
    return float(c @ np.linalg.solve(C[np.ix_(p, p)], c))


def vif_from_corr(C: Any) -> np.ndarray:
    """VIFs of a set of variables: the diagonal of the inverse correlation matrix."""
    A = np.asarray(C, dtype=float)
    if A.shape[0] == 1:
        return np.ones(1)
    return np.diag(np.linalg.inv(A)).copy()


def inner_vif(construct_corr: Any, spec: ModelSpec) -> pd.DataFrame:
    """``source, target, vif``: collinearity of each construct's predictors (1 if alone)."""
    C = np.asarray(construct_corr, dtype=float)
    pos = {c: j for j, c in enumerate(spec.constructs)}
    rows = []
    for t in spec.constructs:
        preds = list(spec.predecessors(t))
        if not preds:
            continue
        idx = [pos[s] for s in preds]
        vif = vif_from_corr(C[np.ix_(idx, idx)])
        rows += [(s, t, float(v)) for s, v in zip(preds, vif, strict=True)]
    return pd.DataFrame(rows, columns=["source", "target", "vif"])


def outer_vif(corr: Any, spec: ModelSpec) -> pd.DataFrame:
    """``construct, indicator, mode, vif``: collinearity of the items within each construct."""
    R = model_corr(corr, spec)
    rows = []
    for c, b in zip(spec.constructs, item_blocks(spec), strict=True):
        vif = vif_from_corr(R[np.ix_(b, b)])
        rows += [
            (c, item, spec.modes[c], float(v))
            for item, v in zip(spec.indicators[c], vif, strict=True)
        ]
    return pd.DataFrame(rows, columns=["construct", "indicator", "mode", "vif"])


def f_squared_fixed(construct_corr: Any, spec: ModelSpec) -> pd.DataFrame:
    """f² per path with the construct scores held fixed (no re-estimation).

    ``R²_excluded`` regresses the target on its other predictors using the same
    construct correlations; ``R²_included - R²_excluded`` is then the squared
    semipartial correlation of the source. Columns ``source, target, r2_included,
    r2_excluded, f2``.
    """
    C = np.asarray(construct_corr, dtype=float)
    pos = {c: j for j, c in enumerate(spec.constructs)}
    rows = []
    for t in spec.constructs:
        preds = [pos[s] for s in spec.predecessors(t)]
        if not preds:
            continue
        full = r2_from_corr(C, pos[t], preds)
        for s in preds:
            rest = [q for q in preds if q != s]
            part = r2_from_corr(C, pos[t], rest)
            rows.append((spec.constructs[s], t, full, part, (full - part) / (1.0 - full)))
    return pd.DataFrame(rows, columns=["source", "target", "r2_included", "r2_excluded", "f2"])


def f2_label(f2: float, *, small: float = 0.02, medium: float = 0.15, large: float = 0.35) -> str:
    """Cohen's label: ``none`` (< small), ``small``, ``medium`` or ``large``."""
    if not np.isfinite(f2):
        return ""
    if f2 >= large:
        return "large"
    if f2 >= medium:
        return "medium"
    if f2 >= small:
        return "small"
    return "none"
