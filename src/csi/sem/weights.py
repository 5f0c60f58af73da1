"""Survey weights in CB-SEM: lavaan's ``sampling.weights`` (pseudo maximum likelihood).

Sampling weights (Muthén & Satorra 1995, *Sociological Methodology* 25, 267-316;
Asparouhov 2005, *Structural Equation Modeling* 12(3), 411-434; lavaan's
``sampling.weights``, Rosseel 2012):

* the weights are rescaled to sum to the number of respondents used, ``N`` (over all
  groups: lavaan's ``sampling.weights.normalization = "total"``), ``w_i <- w_i N / sum w``;
* the sample moments are weighted, ``m = sum w_i y_i / W``, ``S = sum w_i d_i d_i' / W``
  (``d_i = y_i - m``, ``W`` the group's sum of weights), and ML is fitted to them:
  the estimates maximise the weighted log-likelihood ``sum w_i log f(y_i)``;
* standard errors are the "sandwich" ``A^-1 B A^-1 / N``: ``A`` the observed information
  (Hessian of ``F_ML / 2`` per respondent), ``B = sum_i w_i^2 s_i s_i' / N`` with
  ``s_i = Delta' z_i`` the casewise scores, ``z_i`` the derivatives of ``log f(y_i)``
  with respect to the implied means (``Sigma^-1 d_i``) and ``vech Sigma``
  (``1/2 Sigma^-1 (d_i d_i' - Sigma) Sigma^-1``, off-diagonal elements doubled);
* the chi-square ``N F_ML`` is scaled by ``c = (tr(A_1^-1 B_1) - tr(A^-1 B)) / df``
  (Yuan & Bentler 2000, Mplus' variant as lavaan's ``"yuan.bentler.mplus"``), ``A_1``
  and ``B_1`` the same matrices of the saturated model at ``(m, S)``; the baseline
  (independence) model gets its own factor the same way;
* robust CFI, TLI and RMSEA (Brosseau-Liard, Savalei & Li 2012; Brosseau-Liard & Savalei
  2014): ``rmsea_robust = sqrt(max(T - c df, 0) / (N df))``, ``cfi_robust = 1 -
  max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0)``, ``tli_robust = 1 -
  ((T - c df)/df) / ((T_b - c_b df_b)/df_b)``; the 90% interval and the test of close
  fit from the non-central chi-square of the scaled statistic ``T / c`` with
  non-centrality ``lambda c`` (``rmsea = sqrt(lambda c / (N df))``).

Frequency weights count identical respondents: every formula is that of the data with
row ``i`` repeated ``w_i`` times (``N = sum w``, ordinary ML standard errors).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from csi.sem.engine import Engine, vech_indices
from csi.sem.robust import duplication_weight, robust_rmsea_interval


def moment_scores(
    rows: np.ndarray, mean: np.ndarray, sigma: np.ndarray, *, meanstructure: bool
) -> np.ndarray:
    """Casewise derivatives of ``log f(y_i)`` w.r.t. ``(mu, vech Sigma)`` (rows x moments).

    ``1/2 Sigma^-1 (d_i d_i' - Sigma) Sigma^-1`` in lavaan's vech order with the
    off-diagonal elements doubled; the ``Sigma^-1 d_i`` block first with a mean structure.
    """
    inv = np.linalg.inv(sigma)
    r, c = vech_indices(len(sigma))
    e = (rows - mean) @ inv  # Sigma^-1 d_i, one row per respondent
    mult = np.where(r == c, 0.5, 1.0)
    z = (e[:, r] * e[:, c] - inv[r, c]) * mult
    return np.hstack([e, z]) if meanstructure else z


def _h1_information(cov: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Unit information of the saturated model at ``(m, S)``: ``diag(S^-1, W(S))``."""
    inv = np.linalg.inv(cov)
    w = duplication_weight(inv)
    if not meanstructure:
        return w
    p = len(inv)
    out = np.zeros((p + len(w), p + len(w)))
    out[:p, :p] = inv
    out[p:, p:] = w
    return out


def _numeric_hessian(engine: Engine, theta: np.ndarray) -> np.ndarray:
    """Observed information: Hessian of ``F_ML / 2`` by central differences of the gradient."""
    k = len(theta)
    out = np.zeros((k, k))
    for j in range(k):
        h = 1e-5 * max(1.0, abs(float(theta[j])))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        g_up = engine.gradient_information(up, "ML")[0]
        g_down = engine.gradient_information(down, "ML")[0]
        out[:, j] = (g_up - g_down) / (4.0 * h)
    return (out + out.T) / 2.0


def sandwich(
    engine: Engine,
    theta: np.ndarray,
    raw: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
) -> tuple[np.ndarray, float, float]:
    """Robust covariance of the estimates and the traces ``tr(A^-1 B)`` of h0 and h1.

    ``weights`` are the rescaled sampling weights of the rows of ``raw`` (per group).
    """
    n = engine.n_total
    a = _numeric_hessian(engine, theta)
    b = np.zeros_like(a)
    trace_h1 = 0.0
    for g, (rows, w) in enumerate(zip(raw, weights, strict=True)):
        s = engine.state(theta, g)
        gs = engine.stats[g]
        r, c = vech_indices(len(s.sigma))
        delta_local = s.dsig[:, r, c].T
        if s.dmu is not None:
            delta_local = np.vstack([s.dmu.T, delta_local])
        delta = np.zeros((delta_local.shape[0], engine.n_par))
        np.add.at(delta.T, s.idx, delta_local.T)
        mean = s.mu if s.mu is not None else gs.mean
        z = moment_scores(rows, mean, s.sigma, meanstructure=engine.meanstructure)
        zw = z * w[:, None]
        sc = zw @ delta
        b += sc.T @ sc / n
        z1 = moment_scores(rows, gs.mean, gs.cov, meanstructure=engine.meanstructure) * w[:, None]
        h1 = _h1_information(gs.cov, engine.meanstructure)
        trace_h1 += float(np.trace(np.linalg.solve(h1, z1.T @ z1 / gs.n)))
    a_inv = np.linalg.pinv(a)
    vcov = a_inv @ b @ a_inv / n
    trace_h0 = float(np.sum(a_inv * b.T))
    return vcov, trace_h0, trace_h1


def baseline_trace(
    engine: Engine, raw: Sequence[np.ndarray], weights: Sequence[np.ndarray]
) -> float:
    """``tr(A_b^-1 B_b)`` of the independence model (diagonal ``Sigma = diag(S)``).

    Its parameters (variances, and means with a mean structure) are functions of one
    moment each, so ``A_b`` is diagonal: ``1 / (2 s_jj^2)`` (variances), ``1 / s_jj``
    (means), and the trace is a sum over items.
    """
    total = 0.0
    for g, (rows, w) in enumerate(zip(raw, weights, strict=True)):
        gs = engine.stats[g]
        var = np.diag(gs.cov)
        d = rows - gs.mean
        zv = 0.5 * (d**2 - var) / var**2 * w[:, None]
        total += float(np.sum(zv**2, axis=0) @ (2.0 * var**2)) / gs.n
        if engine.meanstructure:
            zm = d / var * w[:, None]
            total += float(np.sum(zm**2, axis=0) @ var) / gs.n
    return total


def robust_fit(
    *,
    chisq: float,
    df: int,
    baseline_chisq: float,
    baseline_df: int,
    trace_h0: float,
    trace_h1: float,
    trace_b: float,
    n: int,
    groups: int,
    npar: int,
    moments: int,
) -> dict[str, float]:
    """Scaled (Yuan-Bentler, Mplus variant) and robust fit entries (module docstring)."""
    out: dict[str, float] = {
        "scaling_factor_h1": trace_h1 / moments,
        "scaling_factor_h0": trace_h0 / npar if npar else np.nan,
    }
    if df <= 0:
        return out
    c = (trace_h1 - trace_h0) / df
    cb = (trace_h1 - trace_b) / baseline_df
    t, tb = chisq / c, baseline_chisq / cb
    out["scaling_factor"] = c
    out["chisq_scaled"] = t
    out["pvalue_scaled"] = float(stats.chi2.sf(t, df))
    out["baseline_chisq_scaled"] = tb
    out["baseline_scaling_factor"] = cb
    d_, db_ = max(t - df, 0.0), max(tb - baseline_df, 0.0)
    out["cfi_scaled"] = 1.0 - d_ / max(d_, db_) if max(d_, db_) > 0 else 1.0
    out["tli_scaled"] = (tb / baseline_df - t / df) / (tb / baseline_df - 1.0)
    out["rmsea_scaled"] = float(np.sqrt(groups) * np.sqrt(d_ / (n * df)))
    # robust (population-corrected) versions: the non-centrality estimated by T - c df
    ncp, ncp_b = max(chisq - c * df, 0.0), max(baseline_chisq - cb * baseline_df, 0.0)
    out["cfi_robust"] = 1.0 - ncp / max(ncp, ncp_b) if max(ncp, ncp_b) > 0 else 1.0
    out["tli_robust"] = 1.0 - (ncp / df) / (ncp_b / baseline_df) if ncp_b > 0 else 1.0
    out["rmsea_robust"] = float(np.sqrt(groups) * np.sqrt(ncp / (n * df)))
    lo, up = robust_rmsea_interval(t, df, c, n, groups)
    out["rmsea_ci_lower_robust"] = lo
    out["rmsea_ci_upper_robust"] = up
    ncp_close = n * df * 0.05**2 / (c * groups)
    out["rmsea_pvalue_robust"] = float(stats.ncx2.sf(t, df, ncp_close))
    return out
