"""MLR with incomplete answers: Huber-White standard errors and the Yuan-Bentler test.

With FIML (lavaan's ``estimator = "MLR", missing = "ml"``):

* ``A`` = observed information per respondent (half the exact Hessian of
  ``-2 log L / N``, :mod:`csi.sem.fiml_information`), ``B = sum_i s_i s_i' / N`` with
  ``s_i`` the casewise scores ``d log f(y_i) / d theta``; robust covariance of the
  estimates ``A^-1 B A^-1 / N`` (Huber 1967; White 1982; Yuan & Bentler 2000);
* scaled statistic ``T / c`` with ``c = (tr(A_1^-1 B_1) - tr(A^-1 B)) / df``, ``A_1``,
  ``B_1`` the same two matrices of the saturated model (means and ``vech Sigma`` free)
  at its EM estimates (Mplus' variant of Yuan & Bentler 2000, lavaan's
  ``"yuan.bentler.mplus"``; lavaan 0.6.14 evaluates them there with missing data);
* the baseline (independence) model gets its own factor the same way; the robust CFI,
  TLI and RMSEA follow (:func:`csi.sem.robust.robust_indices`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from csi.sem.engine import Engine, GroupState, vech_indices
from csi.sem.fiml_information import casewise_scores, observed_hessian, pattern_hessian
from csi.sem.robust import duplication_weight, modelled_moments, robust_indices
from csi.sem.weights import moment_scores

if TYPE_CHECKING:
    from csi.sem.fiml import Pattern


def _saturated_state(mu: np.ndarray, sigma: np.ndarray) -> GroupState:
    """A state whose parameters are the moments themselves: ``mu`` then ``vech Sigma``."""
    p = len(mu)
    r, c = vech_indices(p)
    k = p + len(r)
    dsig = np.zeros((k, p, p))
    dmu = np.zeros((k, p))
    dmu[np.arange(p), np.arange(p)] = 1.0
    dsig[p + np.arange(len(r)), r, c] = 1.0
    dsig[p + np.arange(len(r)), c, r] = 1.0
    chol = np.linalg.cholesky(sigma)
    return GroupState(sigma, chol, mu, dsig, dmu, np.arange(k))


def sandwich_parts(
    hess: np.ndarray, scores: np.ndarray, n: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """``A^-1``, ``B`` and ``tr(A^-1 B)`` from the Hessian of ``-2 log L / N`` and scores."""
    a_inv = np.linalg.pinv(hess / 2.0)
    b = scores.T @ scores / n
    return a_inv, b, float(np.sum(a_inv * b.T))


def fiml_sandwich(
    engine: Engine,
    theta: np.ndarray,
    data: list[np.ndarray],
    pats: list[list[Pattern]],
    h1: list[tuple[np.ndarray, np.ndarray]],
    xs: list[int] | None = None,
) -> tuple[np.ndarray, float, float]:
    """Robust covariance of the FIML estimates and the traces of h0 and h1.

    Per group: ``data`` the rows (NaN = not answered) in the structure's item order,
    ``pats`` their missing-data patterns, ``h1`` the EM estimates ``(mu, Sigma)`` of the
    saturated model. ``tr(A_1^-1 B_1)`` is summed over the groups, each with its own
    per-respondent matrices.
    """
    n = float(engine.n_total)
    blocks = []
    trace_h1 = 0.0
    for g, (x, pt, (mu_h1, sigma_h1)) in enumerate(zip(data, pats, h1, strict=True)):
        s = engine.state(theta, g)
        sc = np.zeros((len(x), engine.n_par))
        np.add.at(sc.T, s.idx, casewise_scores(x, s).T)
        blocks.append(sc)
        n_g = float(engine.stats[g].n)
        sat = _saturated_state(mu_h1, sigma_h1)
        hess1, _, _ = pattern_hessian(pt, sat, len(sat.idx), n_g)
        keep = modelled_moments(len(mu_h1), xs)
        hess1 = hess1[np.ix_(keep, keep)]
        trace_h1 += sandwich_parts(hess1, casewise_scores(x, sat)[:, keep], n_g)[2]
    scores = np.vstack(blocks)
    a_inv, b, trace_h0 = sandwich_parts(observed_hessian(engine, theta, pats), scores, n)
    vcov = a_inv @ b @ a_inv / n
    return vcov, trace_h0, trace_h1


def independence_trace(x: np.ndarray, xs: list[int] | None = None, *, means: bool = True) -> float:
    """``tr(A_b^-1 B_b)`` of the independence model fitted to the available answers.

    Each item's mean and variance are estimated from its own answers (``n_j`` of them);
    ``A_b`` is diagonal and the trace is ``sum_j [1 + sum_i (d_ij^2 - v_j)^2 / (2 v_j^2
    n_j)]``, the mean contributing 1 at the estimate.
    """
    total = 0.0
    for j in range(x.shape[1]):
        if xs and j in xs:  # fixed.x: the x block is not a parameter of the baseline
            continue
        col = x[~np.isnan(x[:, j]), j]
        d = col - col.mean()
        v = float(np.mean(d**2))
        total += float(means) + float(np.sum((d**2 - v) ** 2)) / (2.0 * v**2 * len(col))
    return total


def _complete_data_chisq(
    n: float, mu: np.ndarray, sigma: np.ndarray, mean: np.ndarray, cov: np.ndarray
) -> float:
    """``N F_ML`` of implied ``(mu, sigma)`` against moments ``(mean, cov)`` as complete data."""
    inv = np.linalg.inv(sigma)
    d = mean - mu
    f = (
        np.linalg.slogdet(sigma)[1]
        + float(np.sum(cov * inv))
        - np.linalg.slogdet(cov)[1]
        - len(cov)
        + float(d @ inv @ d)
    )
    return float(n * f)


def _fimlc_trace(
    w_m: np.ndarray,
    w_m_inv: np.ndarray,
    w_c: np.ndarray,
    gamma: np.ndarray | None,
    delta: np.ndarray,
) -> float:
    """``tr(U Wm^-1 Wc Wm^-1 U Gamma)`` (V3, with ``gamma``) or ``tr(Wc Wm^-1 U Wm^-1)``."""
    wd = w_m @ delta
    try:
        u = w_m - wd @ np.linalg.solve(delta.T @ wd, wd.T)
    except np.linalg.LinAlgError:  # a model that is not identified (reported as such)
        u = w_m - wd @ np.linalg.pinv(delta.T @ wd) @ wd.T
    if gamma is not None:
        return float(np.trace(u @ w_m_inv @ w_c @ w_m_inv @ u @ gamma))
    return float(np.trace(w_c @ w_m_inv @ u @ w_m_inv))


def fiml_corrected(
    engine: Engine,
    theta: np.ndarray,
    data: list[np.ndarray],
    pats: list[list[Pattern]],
    h1: list[tuple[np.ndarray, np.ndarray]],
    *,
    robust: bool,
    xs: list[int] | None = None,
) -> dict[str, float]:
    """Robust CFI, TLI and RMSEA after FIML (Zhang & Savalei's FIML-corrected indices).

    The model at its FIML estimates is compared with the EM moments ``(mu~, Sigma~)`` as
    if they were complete data, ``T3 = N F_ML``, and the statistic is scaled by
    ``c3 = k / df``: with ``Wm`` the observed information of the saturated model under
    missing data, ``Wc`` its complete-data information at ``(mu~, Sigma~)``, ``Delta``
    the model's Jacobian and ``U = Wm - Wm Delta (Delta' Wm Delta)^-1 Delta' Wm``,
    ``k = tr(U Wm^-1 Wc Wm^-1 U Gamma)`` with ``Gamma = Wm^-1 Jm Wm^-1`` (``Jm`` the
    first-order information; MLR) or ``k = tr(Wc Wm^-1 U Wm^-1)`` (ML). The independence
    model (each item's own mean and variance) gives ``T3_b`` and ``c3_b`` the same way;
    with exogenous observed variables ``xs`` (``fixed.x``) the moments among them (means,
    variances, covariances) are left out of every matrix, and the independence model keeps
    their EM block;
    the indices are those of :func:`csi.sem.robust.robust_indices` with these. Several
    groups: block-diagonal matrices, group ``g`` weighted by ``f_g = n_g / N`` (``Wm``,
    ``Wc``) or ``1 / f_g`` (``Wm^-1``, ``Gamma``), ``Delta`` stacked. lavaan
    0.6.14 reports them as ``cfi.robust``, ``rmsea.robust``, ... after
    ``missing = "ml"``. Reference: Zhang & Savalei (2023), *Psychological Methods*
    (FIML-C); Savalei (2021), *Structural Equation Modeling* 28(3).
    """
    from scipy.linalg import block_diag

    n = float(engine.n_total)
    p = data[0].shape[1]
    r, c = vech_indices(p)
    xs = list(xs or [])
    nx = len(xs)
    keep = modelled_moments(p, xs)
    w_m, w_m_inv, w_c, gam, deltas, deltas_b = [], [], [], [], [], []
    t3 = t3_b = 0.0
    for g, (x, pt, (mu_h1, sigma_h1)) in enumerate(zip(data, pats, h1, strict=True)):
        n_g = float(engine.stats[g].n)
        f_g = n_g / n
        s = engine.state(theta, g)
        assert s.mu is not None and s.dmu is not None
        sat = _saturated_state(mu_h1, sigma_h1)
        hess, _, _ = pattern_hessian(pt, sat, len(sat.idx), n_g)
        inv_c = np.linalg.inv(sigma_h1)
        wc = np.zeros_like(hess)
        wc[:p, :p] = inv_c
        wc[p:, p:] = duplication_weight(inv_c)
        scores = casewise_scores(x, sat)
        # fixed.x: the moments among the x variables are not modelled and leave every matrix
        wm = (hess / 2.0)[np.ix_(keep, keep)]
        wm_inv = np.linalg.inv(wm)
        j_m = (scores.T @ scores / n_g)[np.ix_(keep, keep)]
        w_m.append(f_g * wm)
        w_m_inv.append(wm_inv / f_g)
        w_c.append(f_g * wc[np.ix_(keep, keep)])
        gam.append(wm_inv @ j_m @ wm_inv / f_g)
        local = np.vstack([s.dmu.T, s.dsig[:, r, c].T])
        delta = np.zeros((local.shape[0], engine.n_par))
        np.add.at(delta.T, s.idx, local.T)
        deltas.append(delta[keep])
        t3 += _complete_data_chisq(n_g, s.mu, s.sigma, mu_h1, sigma_h1)
        # independence model: available-case means and variances (its FIML estimates)
        mean_b = np.nanmean(x, axis=0)
        sigma_b = np.diag(np.nanvar(x, axis=0))
        delta_b = np.zeros((len(r) + p, 2 * p))
        delta_b[np.arange(p), np.arange(p)] = 1.0
        delta_b[p + np.flatnonzero(r == c), p + np.arange(p)] = 1.0
        cols_b = np.ones(2 * p, dtype=bool)
        if xs:
            mean_b[xs] = mu_h1[xs]
            sigma_b[np.ix_(xs, xs)] = sigma_h1[np.ix_(xs, xs)]
            cols_b[xs] = False
            cols_b[p + np.array(xs)] = False
        deltas_b.append(delta_b[np.ix_(keep, cols_b)])
        t3_b += _complete_data_chisq(n_g, mean_b, sigma_b, mu_h1, sigma_h1)
    groups = len(data)
    wm_all, wm_inv_all, wc_all = block_diag(*w_m), block_diag(*w_m_inv), block_diag(*w_c)
    gamma = block_diag(*gam) if robust else None
    df = groups * (len(r) + p - nx * (nx + 3) // 2) - engine.n_par
    c3 = _fimlc_trace(wm_all, wm_inv_all, wc_all, gamma, np.vstack(deltas)) / df
    df_b = groups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    c3_b = _fimlc_trace(wm_all, wm_inv_all, wc_all, gamma, block_diag(*deltas_b)) / df_b
    out = robust_indices(t3, df, c3, t3_b, df_b, c3_b, n, groups)
    return {k: v for k, v in out.items() if k.endswith("_robust")}


def complete_h1_trace(
    rows: np.ndarray, mean: np.ndarray, cov: np.ndarray, xs: list[int], *, meanstructure: bool
) -> float:
    """``tr(A_1^-1 B_1)`` of the saturated model with complete data, x moments left out.

    ``A_1 = diag(S^-1, 1/2 D'(S^-1 x S^-1)D)`` (the means block with a mean structure),
    ``B_1`` the cross-products of the casewise scores at ``(m, S)``; the moments among
    the exogenous observed variables ``xs`` (``fixed.x``) are not modelled and leave both.
    """

    p = len(cov)
    inv = np.linalg.inv(cov)
    w = duplication_weight(inv)
    z = moment_scores(rows, mean, cov, meanstructure=meanstructure)
    keep = modelled_moments(p, xs)
    if meanstructure:
        a1 = np.zeros((p + len(w), p + len(w)))
        a1[:p, :p] = inv
        a1[p:, p:] = w
    else:
        a1, keep = w, keep[p:]
    b1 = z[:, keep].T @ z[:, keep] / len(rows)
    return float(np.trace(np.linalg.solve(a1[np.ix_(keep, keep)], b1)))
