"""Consistent PLS (PLSc) for reflective constructs (Dijkstra & Henseler 2015).

Plain PLS construct scores are weighted sums of error-laden indicators, so for
reflective (common-factor) constructs their correlations, and hence the paths,
are biased toward zero while loadings are biased upward. PLSc corrects this with
each construct's reliability ``rho_A`` (Dijkstra & Henseler 2015, *MIS Quarterly*
39(2), 297-316; *Computational Statistics & Data Analysis* 81, 10-23):

* with the converged weights ``w`` (scaled so that ``w' S w = 1``),
  ``c² = w' (S - diag S) w / w' (w w' - diag(w w')) w``;
* consistent loadings ``lambda = c w`` and ``rho_A = c² (w' w)²``;
* disattenuated construct correlations ``r_ij / sqrt(rho_A_i rho_A_j)``;
* paths and R² by least squares on the disattenuated correlations.

Formative (Mode B) and single-item constructs are taken as measured without error
(``rho_A = 1``, loadings as in plain PLS).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from csi._checks import CsiWarning
from csi.pls.algorithm import Layout, as_stack, regress_paths


class PLScWarning(CsiWarning):
    """PLSc gave an inadmissible solution (reliability above 1 or correlation beyond ±1)."""


@dataclass(frozen=True)
class ConsistentFit:
    """PLSc estimates; arrays carry the batch shape of the input in front.

    ``rho_a`` ``(..., J)``; ``loadings`` ``(..., p)``; ``construct_corr``, ``paths``
    ``(..., J, J)``; ``r2`` ``(..., J)``.
    """

    rho_a: np.ndarray
    loadings: np.ndarray
    construct_corr: np.ndarray
    paths: np.ndarray
    r2: np.ndarray


def rho_a(corr: np.ndarray, weights: np.ndarray, layout: Layout) -> np.ndarray:
    """Dijkstra-Henseler reliability ``rho_A`` per construct (1 for Mode B and single items)."""
    S, single = as_stack(corr)
    W = np.asarray(weights, dtype=float).reshape(S.shape[0], -1)[:, :, None] * layout.mask
    c2 = _c_squared(S, W, layout)
    ww = np.einsum("bpj,bpj->bj", W, W)
    rho = c2 * ww**2
    return rho[0] if single else rho


def _c_squared(S: np.ndarray, W: np.ndarray, layout: Layout) -> np.ndarray:
    off = S - np.einsum("bii->bi", S)[:, :, None] * np.eye(S.shape[-1])
    num = np.einsum("bpj,bpq,bqj->bj", W, off, W)
    ww = np.einsum("bpj,bpj->bj", W, W)
    den = ww**2 - np.einsum("bpj->bj", W**4)
    corrected = (layout.mask.sum(axis=0) > 1) & ~layout.mode_b
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = np.where(corrected, num / np.where(corrected, den, 1.0), 1.0 / ww**2)
    return c2


def consistent_estimates(
    corr: np.ndarray, weights: np.ndarray, construct_corr: np.ndarray, layout: Layout
) -> ConsistentFit:
    """PLSc loadings, reliabilities, disattenuated correlations, paths and R².

    ``weights`` are the converged plain-PLS weights, ``construct_corr`` the plain-PLS
    construct correlations ``W' S W``. Warns (:class:`PLScWarning`) when a reliability
    exceeds 1 or a corrected correlation leaves [-1, 1]; inadmissible values are kept
    so that the user sees them.
    """
    S, single = as_stack(corr)
    W = np.asarray(weights, dtype=float).reshape(S.shape[0], -1)[:, :, None] * layout.mask
    C = np.asarray(construct_corr, dtype=float).reshape(S.shape[0], *layout.path.shape)
    c2 = _c_squared(S, W, layout)
    ww = np.einsum("bpj,bpj->bj", W, W)
    rho = c2 * ww**2
    corrected = (layout.mask.sum(axis=0) > 1) & ~layout.mode_b
    rho = np.where(corrected, rho, 1.0)
    if np.any(~(rho > 0)):
        j = int(np.argwhere(~(rho > 0))[0][1])
        warnings.warn(
            f"PLSc: construct {layout.constructs[j]!r} has a non-positive reliability "
            "rho_A; its indicators do not behave as reflective measures",
            PLScWarning,
            stacklevel=3,
        )
    with np.errstate(invalid="ignore"):
        c = np.sqrt(c2)
    plain = (S @ W)[:, np.arange(layout.n_items), layout.block]
    loadings = np.where(corrected[layout.block], (W * c[:, None, :]).sum(axis=2), plain)
    with np.errstate(invalid="ignore"):
        scale = 1.0 / np.sqrt(rho)
    Cc = C * scale[:, :, None] * scale[:, None, :]
    idx = np.arange(layout.n_constructs)
    Cc[:, idx, idx] = 1.0
    if np.any(rho > 1) or np.any(np.abs(Cc) > 1 + 1e-12):
        warnings.warn(
            "PLSc gave an inadmissible solution (a reliability above 1 or a construct "
            "correlation beyond ±1); consistent estimates are unreliable here",
            PLScWarning,
            stacklevel=3,
        )
    paths, r2 = regress_paths(Cc, layout)
    if single:
        return ConsistentFit(rho[0], loadings[0], Cc[0], paths[0], r2[0])
    return ConsistentFit(rho, loadings, Cc, paths, r2)
