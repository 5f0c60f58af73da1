"""Analytic observed information and casewise scores of the FIML log-likelihood.

Per missing-data pattern ``p`` (``n_p`` respondents, answered items ``o``, their mean
``m_p`` and covariance ``C_p``), with ``A = Sigma_oo^-1``, ``d = m_p - mu_o``,
``T = C_p + d d'`` and ``E = Sigma_oo - T``, the discrepancy ``F = -2 log L / N`` (up to a
constant) is ``sum_p (n_p / N) [log|Sigma_oo| + tr(A T)]``. Its exact Hessian is

``H_ij = sum_p (n_p/N) [tr(A S_i A S_j) - tr(A S_i A S_j A E) - tr(A S_j A S_i A E)
+ 2 m_j' A S_i A d + 2 m_i' A S_j A d + 2 m_i' A m_j] + tr(G Sigma_ij) - 2 h' mu_ij``

with ``S_i``, ``m_i`` the pattern's rows of ``dSigma/dtheta_i`` and ``dmu/dtheta_i`` (the
model's Delta restricted to the answered items), ``G = sum_p (n_p/N) A E A`` and ``h =
sum_p (n_p/N) A d`` (each embedded in the full item set) and ``Sigma_ij``, ``mu_ij`` the
second derivatives of the implied moments. For ``Sigma = M Psi M' + Theta`` with
``M = Lambda C``, ``C = (I - B)^-1`` and ``N_i = dLambda_i + M dB_i``,
``M_ij = N_i C dB_j C + N_j C dB_i C`` and

``tr(G Sigma_ij) = 2 tr(G M_ij Psi M') + 2 tr(G M_i Psi M_j') + 2 tr(G M_j dPsi_i M')
+ 2 tr(G M_i dPsi_j M')``, ``M_i = N_i C``.

The observed information of ``-log L`` is ``N H / 2``; lavaan 0.6's default with
``missing = "ml"`` (``information = "observed"``, ``observed.information = "hessian"``),
which lavaan obtains by numerical differentiation of the gradient. The casewise scores
``s_i = d log f(y_i) / d theta = -1/2 [tr(A S) - d_i' A S A d_i - 2 m' A d_i]`` give the
first-order (cross-product) information of the MLR sandwich. References: Savalei (2010),
*Structural Equation Modeling* 17, 241-264 (observed vs expected information with
missing data); Yuan & Bentler (2000), *Sociological Methodology* 30, 165-200.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, cast

import numpy as np

from csi.sem.engine import Engine, GroupState, _lower_solve, normal_theory_terms, vech_indices
from csi.sem.robust import duplication_weight
from csi.sem.structure import PSI

if TYPE_CHECKING:
    from csi.sem.fiml import Pattern


def pattern_hessian(
    pats: list[Pattern], s: GroupState, n_par: int, n_total: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pattern part of the Hessian of ``F`` (local parameters) and the weights ``G``, ``h``.

    Returns ``(H_local, G, h)``: ``H_local`` over the group's local parameter list (the
    rows of ``s.dsig``), without the second-derivative term of the implied moments.
    """
    assert s.mu is not None and s.dmu is not None
    p = s.sigma.shape[0]
    k = len(s.dsig)
    rows_sig = np.flatnonzero(np.any(s.dsig != 0.0, axis=(1, 2)))
    rows_mu = np.flatnonzero(np.any(s.dmu != 0.0, axis=1))
    hess = np.zeros((k, k))
    g_mat = np.zeros((p, p))
    h_vec = np.zeros(p)
    dsig_s = s.dsig[rows_sig]
    dmu_m = s.dmu[rows_mu]
    for pt in pats:
        o = pt.obs
        w = pt.n / n_total
        a = np.linalg.inv(s.sigma[np.ix_(o, o)])
        d = pt.mean - s.mu[o]
        e = s.sigma[np.ix_(o, o)] - pt.cov - np.outer(d, d)
        ds = dsig_s[:, o][:, :, o]
        dm = dmu_m[:, o]
        b = np.matmul(a, ds)  # A S_i
        bt = b.transpose(0, 2, 1).reshape(len(b), -1)
        bf = b.reshape(len(b), -1)
        h_ss = bf @ bt.T  # tr(A S_i A S_j)
        ae = a @ e
        c = np.matmul(ae, b)  # A E A S_i
        t3 = bf @ c.transpose(0, 2, 1).reshape(len(b), -1).T  # tr(A S_i A E A S_j)
        h_ss -= t3 + t3.T
        ad = a @ d
        v = b @ ad  # A S_i A d  (rows_sig x po)
        am = dm @ a  # A m_j
        cross = 2.0 * dm @ v.T  # 2 m_j' A S_i A d  (rows_mu x rows_sig)
        hess[np.ix_(rows_sig, rows_sig)] += w * h_ss
        hess[np.ix_(rows_mu, rows_sig)] += w * cross
        hess[np.ix_(rows_sig, rows_mu)] += w * cross.T
        hess[np.ix_(rows_mu, rows_mu)] += w * 2.0 * am @ dm.T
        g_mat[np.ix_(o, o)] += w * (ae @ a)
        h_vec[o] += w * ad
    return hess, g_mat, h_vec


def moment_curvature(
    engine: Engine,
    theta: np.ndarray,
    g: int,
    s: GroupState,
    g_mat: np.ndarray,
    h_vec: np.ndarray,
) -> np.ndarray:
    """``tr(G Sigma_ij) - 2 h' mu_ij`` over the group's local parameters (module docstring).

    Only the semopy parameters (Lambda, B, Psi, Theta) and the latent means enter the
    implied moments non-linearly; intercepts are linear and their rows stay zero.
    """
    st, mp = engine.structs[g], engine.maps[g]
    k_loc = st.k
    if s.implied is not None:  # the state's own matrices (semopy's are at theta too)
        m, c = s.implied
    else:
        _, m, c = st.implied(engine.local(theta, g))
    out = np.zeros((len(s.idx), len(s.idx)))
    if k_loc == 0:
        return out
    db, dl, dp, _dt = st._diff_stacks()
    psi = st.model.matrices[PSI]
    n_mat = dl + np.matmul(m, db)  # N_i = dLambda_i + M dB_i  (k, p, q)
    mi = np.matmul(n_mat, c)  # M_i = N_i C
    r = c @ psi @ m.T @ g_mat  # C Psi M' G  (q, p)
    v = np.matmul(np.matmul(r, n_mat), c)  # R N_i C  (k, q, q)
    t1 = v.transpose(0, 2, 1).reshape(k_loc, -1) @ db.reshape(k_loc, -1).T
    y = np.matmul(np.matmul(g_mat, mi), psi)  # G M_i Psi
    t2 = y.reshape(k_loc, -1) @ mi.reshape(k_loc, -1).T
    z = np.matmul(m.T @ g_mat, mi)  # M' G M_j  (k, q, q)
    t3 = dp.reshape(k_loc, -1) @ z.transpose(0, 2, 1).reshape(k_loc, -1).T
    curv = 2.0 * (t1 + t1.T) + 2.0 * t2 + 2.0 * (t3 + t3.T)
    if s.mu is not None:
        _nu, alpha = engine.mean_parts(theta, g)
        sv = np.einsum("kpq,p->kq", mi, h_vec)  # M_i' h
        if np.any(alpha):
            ca = c @ alpha
            u = np.einsum("ia,jab,b->ij", sv, db, ca)
            curv -= 2.0 * (u + u.T)
        assert mp.alpha_idx is not None and mp.nu_idx is not None
        fa = mp.alpha_idx >= 0
        if np.any(fa):
            # local order: semopy parameters, free intercepts, free latent means
            start = k_loc + int(np.sum(mp.nu_idx >= 0))
            cols = start + np.arange(int(np.sum(fa)))
            block = -2.0 * sv[:, engine.alpha_pos[g][fa]]
            out[np.ix_(np.arange(k_loc), cols)] += block
            out[np.ix_(cols, np.arange(k_loc))] += block.T
    out[:k_loc, :k_loc] += curv
    return out


def observed_hessian(
    engine: Engine, theta: np.ndarray, pats_by_group: list[list[Pattern]]
) -> np.ndarray:
    """Exact Hessian of ``F = -2 log L / N`` over the global parameters (all groups)."""
    hess = np.zeros((engine.n_par, engine.n_par))
    for g, pats in enumerate(pats_by_group):
        s = engine.state(theta, g)
        h_loc, g_mat, h_vec = pattern_hessian(pats, s, engine.n_par, engine.n_total)
        h_loc += moment_curvature(engine, theta, g, s, g_mat, h_vec)
        hess[np.ix_(s.idx, s.idx)] += h_loc
    return (hess + hess.T) / 2.0


class _WholeSample(NamedTuple):
    """Every respondent as one missing-data pattern (what :func:`pattern_hessian` reads)."""

    obs: np.ndarray
    n: float
    mean: np.ndarray
    cov: np.ndarray


def ml_derivatives(engine: Engine, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient, expected and exact Hessian of the complete-data ML discrepancy.

    The exact Hessian is the FIML one above with a single pattern per group (every item
    answered, the group's moments); without a mean structure, in the whitened terms of
    :func:`csi.sem.engine.normal_theory_terms` (``A = Sigma^-1 = L^-T L^-1``),
    ``tr(A S_i A S_j A E) = tr(e_i e_j r)`` and ``G = A E A = L^-T r L^-1``. Used for
    Newton steps (:meth:`Engine.fisher_scoring`).
    """
    n_par = engine.n_par
    grad, expected, exact = np.zeros(n_par), np.zeros((n_par, n_par)), np.zeros((n_par, n_par))
    for g, data in enumerate(engine.stats):
        s = engine.state(theta, g)
        w = engine.group_weight(g, "ML")
        gl, hl, e, resid = normal_theory_terms(s, data)
        p = s.sigma.shape[0]
        if s.mu is None:
            flat = e.reshape(len(e), -1)
            t3 = flat @ np.matmul(e, resid).transpose(0, 2, 1).reshape(len(e), -1).T
            xl = w * (hl - t3 - t3.T)
            linv = _lower_solve(s.chol, np.eye(p))
            g_mat, h_vec = w * (linv.T @ resid @ linv), np.zeros(p)
        else:
            whole = _WholeSample(np.arange(p), data.n, data.mean, data.cov)
            xl, g_mat, h_vec = pattern_hessian(
                cast("list[Pattern]", [whole]), s, n_par, engine.n_total
            )
        xl += moment_curvature(engine, theta, g, s, g_mat, h_vec)
        np.add.at(grad, s.idx, w * gl)
        expected[np.ix_(s.idx, s.idx)] += w * hl
        exact[np.ix_(s.idx, s.idx)] += xl
    return grad, expected, (exact + exact.T) / 2.0


def casewise_scores(x: np.ndarray, s: GroupState) -> np.ndarray:
    """``d log f(y_i) / d theta`` for every row of ``x`` (NaN = not answered), local order."""
    assert s.mu is not None and s.dmu is not None
    seen = ~np.isnan(x)
    keys, inverse = np.unique(seen, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    out = np.zeros((len(x), len(s.dsig)))
    for k, key in enumerate(keys):
        rows = np.flatnonzero(inverse == k)
        o = np.flatnonzero(key)
        a = np.linalg.inv(s.sigma[np.ix_(o, o)])
        z = (x[np.ix_(rows, o)] - s.mu[o]) @ a  # (A d_i)'
        ds = s.dsig[:, o][:, :, o]
        tr = np.einsum("ab,kba->k", a, ds)
        quad = np.einsum("ia,kab,ib->ik", z, ds, z)
        out[rows] = -0.5 * (tr[None, :] - quad) + z @ s.dmu[:, o].T
    return out


def fiml_gfi(
    x: np.ndarray,
    pats: list[Pattern],
    mu: np.ndarray,
    sigma: np.ndarray,
    xs: list[int] | None = None,
) -> tuple[float, int]:
    """lavaan's GFI of a FIML fit and its number of moments (``p(p+1)/2 + p``).

    ``1 - e'We / s'Ws`` with ``s`` the available-case means and pairwise covariances
    (rescaled by ``(N - 1) / N``, lavaan's sample statistics under missing data), ``e =
    s - (mu, vech Sigma)`` and ``W`` the expected information of the saturated model
    summed over the patterns, ``sum_p (n_p / N) diag(A_p, 1/2 D'(A_p x A_p) D)`` with
    ``A_p`` the inverse of the pattern's block of the implied ``Sigma`` (zero elsewhere).
    The means and covariances among the exogenous observed variables ``xs`` (``fixed.x``)
    are left out; the moment count (for the AGFI) keeps them, as lavaan.
    """

    n, p = x.shape
    r, c = vech_indices(p)
    w_mean = np.zeros((p, p))
    w_cov = np.zeros((len(r), len(r)))
    for pt in pats:
        o = pt.obs
        a = np.zeros((p, p))
        a[np.ix_(o, o)] = np.linalg.inv(sigma[np.ix_(o, o)])
        w_mean += pt.n / n * a
        w_cov += pt.n / n * duplication_weight(a)
    seen = ~np.isnan(x)
    mean = np.nanmean(x, axis=0)
    cov = np.empty((p, p))
    for i in range(p):
        for j in range(i, p):
            both = seen[:, i] & seen[:, j]
            xi, xj = x[both, i], x[both, j]
            value = float(np.sum((xi - xi.mean()) * (xj - xj.mean()))) / (both.sum() - 1)
            cov[i, j] = cov[j, i] = value * (n - 1) / n
    s_m, s_c = mean, cov[r, c]
    e_m, e_c = mean - mu, (cov - sigma)[r, c]
    if xs:
        km = ~np.isin(np.arange(p), xs)
        kc = ~(np.isin(r, xs) & np.isin(c, xs))
        w_mean = w_mean[np.ix_(km, km)]
        w_cov = w_cov[np.ix_(kc, kc)]
        s_m, e_m, s_c, e_c = s_m[km], e_m[km], s_c[kc], e_c[kc]
    num = float(e_m @ w_mean @ e_m + e_c @ w_cov @ e_c)
    den = float(s_m @ w_mean @ s_m + s_c @ w_cov @ s_c)
    return 1.0 - num / den, len(r) + p
