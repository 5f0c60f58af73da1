"""Internal-consistency reliability and convergent validity per construct.

With ``R`` the correlation matrix of a construct's ``k`` items and ``l`` their
standardized loadings (Hair et al., *A Primer on PLS-SEM*, 2nd ed. 2017, ch. 4):

* Cronbach's alpha ``= k/(k-1) * (1 - tr(R)/sum(R))`` (Cronbach 1951); on a covariance
  matrix the same formula gives the raw alpha;
* composite reliability ``rho_C = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` (Jöreskog 1971;
  for CB-SEM with standardized loadings this is McDonald's omega);
* average variance extracted ``AVE = sum(l^2)/k`` (Fornell & Larcker 1981);
* ``rho_A`` of Dijkstra & Henseler (2015), from the PLS weights (see
  :func:`csi.pls.consistent.rho_a`).

A single item has alpha and rho_A 1 and rho_C = AVE = its squared loading (1 in PLS,
where the score is the item; below 1 in CB-SEM when its reliability is fixed); for formative
(Mode B) constructs these statistics do not apply and are NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from csi.quality._blocks import item_blocks, model_corr
from csi.spec import ModelSpec


def alpha_from_matrix(matrix: Any) -> float:
    """Cronbach's alpha ``k/(k-1) (1 - tr(C)/sum(C))`` of one item block (1 for one item)."""
    C = np.asarray(matrix, dtype=float)
    k = C.shape[0]
    if k < 2:
        return 1.0
    return float(k / (k - 1) * (1.0 - np.trace(C) / C.sum()))


def cronbach_alpha(corr: Any, spec: ModelSpec) -> np.ndarray:
    """Cronbach's alpha per construct (``spec.constructs`` order) from the item matrix.

    On the item correlation matrix this is the standardized alpha that SmartPLS and
    seminr report (PLS works with standardized items).
    """
    R = model_corr(corr, spec)
    if R.ndim != 2:
        raise ValueError("cronbach_alpha takes one matrix (p, p)")
    return np.array([alpha_from_matrix(R[np.ix_(b, b)]) for b in item_blocks(spec)])


def composite_reliability(loadings: Any, spec: ModelSpec) -> np.ndarray:
    """``rho_C = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` per construct (``l^2`` for one item)."""
    lam = np.asarray(loadings, dtype=float)
    out = []
    for b in item_blocks(spec):
        lb = lam[b]
        s2 = lb.sum() ** 2
        out.append(float(s2 / (s2 + np.sum(1.0 - lb**2))))
    return np.array(out)


def average_variance_extracted(loadings: Any, spec: ModelSpec) -> np.ndarray:
    """``AVE = mean(l^2)`` per construct."""
    lam = np.asarray(loadings, dtype=float)
    return np.array([float(np.mean(lam[b] ** 2)) for b in item_blocks(spec)])
