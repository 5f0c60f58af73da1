"""Robust ML (Satorra-Bentler) and the sandwich covariance of ULS estimates.

With ``s`` the sample moments (means with a mean structure, and ``vech S``), ``Delta``
the Jacobian of the implied moments, ``W`` the normal-theory weight
(``Sigma^-1`` for means, ``1/2 D'(Sigma^-1 x Sigma^-1) D`` for covariances) and ``Gamma``
the asymptotic covariance of ``sqrt(N) s`` estimated from fourth-order moments
(Browne 1984, *Br. J. Math. Stat. Psychol.* 37, 62-83):

* robust covariance of the ML estimates ``A^-1 B A^-1 / N`` with ``A = Delta' W Delta``,
  ``B = Delta' W Gamma W Delta``;
* Satorra-Bentler (1994) scaling factor ``c = tr(U Gamma) / df`` with
  ``U = W - W Delta A^-1 Delta' W``, scaled statistic ``chisq / c``;
* ULS: ``(Delta'Delta)^-1 Delta' Gamma_NT Delta (Delta'Delta)^-1 / N`` with the normal-theory
  ``Gamma_NT = 2 D+ (Sigma x Sigma) D+'`` (a normal-theory sandwich; ``fit_sem`` reports
  lavaan's "standard" ULS errors ``(Delta'Delta)^-1 / (N - 1)`` instead).

Groups are stacked with weights ``n_g / N`` (the weight) and ``N / n_g`` (Gamma).

Observed exogenous covariates ``x`` held at their sample moments (lavaan's ``fixed.x``):
the moments among the ``x`` (means, variances, covariances) are no part of the model and
leave ``W``, ``Delta`` and ``Gamma``; ``Gamma`` is that of the moments of ``y`` minus
those of its least-squares prediction from ``x`` (:func:`gamma_fixed_x`), which takes out
the sampling variability the ``x`` moments would bring. This is lavaan 0.6.14's
convention (its ``lavInspect(fit, "gamma")`` has zero ``x`` rows; its ``WLS.V`` zeroes
them too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from csi.sem.engine import Engine, vech_indices
from csi.sem.fitindices import cfi, rmsea_interval, tli


def duplication_weight(sigma_inv: np.ndarray) -> np.ndarray:
    """``1/2 D' (A x A) D`` for symmetric ``A`` (lavaan's column-wise vech order)."""
    r, c = vech_indices(len(sigma_inv))
    a = sigma_inv
    # element (ij, kl) of D'(A x A)D / 2 = (a_ik a_jl + a_il a_jk) / 2 * mult
    w = a[np.ix_(r, r)] * a[np.ix_(c, c)] + a[np.ix_(r, c)] * a[np.ix_(c, r)]
    mult = np.where(r == c, 1.0, 2.0)
    return 0.5 * w * np.outer(mult, mult) / 2.0


def gamma_normal(sigma: np.ndarray) -> np.ndarray:
    """Normal-theory ``Gamma_NT``: ``cov(s_ij, s_kl) = s_ik s_jl + s_il s_jk``."""
    r, c = vech_indices(len(sigma))
    return sigma[np.ix_(r, r)] * sigma[np.ix_(c, c)] + sigma[np.ix_(r, c)] * sigma[np.ix_(c, r)]


def gamma_adf(
    raw: np.ndarray,
    *,
    meanstructure: bool = False,
    chunk: int = 50_000,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Distribution-free ``Gamma``: covariance (divisor N) of ``(y_i, vech(d_i d_i'))``.

    ``d_i = y_i - mean``; computed in chunks of rows so memory stays bounded. With
    ``weights`` the weighted covariance ``sum w_i (z_i - z_w)(z_i - z_w)' / sum w`` around
    the weighted means (frequency weights: the repeated rows; sampling weights: lavaan's
    weighted ``Gamma``).
    """
    n, p = raw.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    total = float(w.sum())
    mean = (w @ raw) / total
    r, c = vech_indices(p)
    k = len(r) + (p if meanstructure else 0)
    acc = np.zeros((k, k))
    tot = np.zeros(k)
    for start in range(0, n, chunk):
        d = raw[start : start + chunk] - mean
        wc = w[start : start + chunk, None]
        z = d[:, r] * d[:, c]
        if meanstructure:
            z = np.hstack([d, z])
        acc += (z * wc).T @ z
        tot += (z * wc).sum(axis=0)
    m = tot / total
    return acc / total - np.outer(m, m)


def modelled_moments(p: int, xs: list[int] | None) -> np.ndarray:
    """Mask of the moments ``(mu, vech Sigma)`` outside the exogenous block ``xs``."""
    r, c = vech_indices(p)
    keep = np.ones(p + len(r), dtype=bool)
    if xs:
        keep[xs] = False
        keep[p:] = ~(np.isin(r, xs) & np.isin(c, xs))
    return keep


def gamma_fixed_x(
    raw: np.ndarray,
    xs: list[int],
    *,
    meanstructure: bool = False,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """``Gamma`` with the exogenous columns ``xs`` held fixed (``fixed.x``).

    Each other column is replaced by its least-squares prediction ``y^_i`` from an
    intercept and the ``x`` columns; with ``z(.)`` the moment vector of
    :func:`gamma_adf` (``y``, ``vech(d d')``), ``Gamma`` is the covariance (divisor N)
    of ``z(y_i) - z(y^_i)``. Its rows of moments among the ``x`` are zero; the means
    part is that of the regression residuals, a ``y``-``x`` covariance part that of
    ``e_i (x_i - x_bar)``. ``weights``: frequency weights (weighted least squares and
    weighted moments, the same as repeating the rows). Returned in the full moment
    order of :func:`gamma_adf`.
    """
    n, p = raw.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    ys = [j for j in range(p) if j not in set(xs)]
    design = np.hstack([np.ones((n, 1)), raw[:, xs]])
    sw = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design * sw, raw[:, ys] * sw, rcond=None)[0]
    fitted = raw.copy()
    fitted[:, ys] = design @ coef
    total = float(w.sum())
    r, c = vech_indices(p)

    def moments(x: np.ndarray) -> np.ndarray:
        d = x - (w @ x) / total
        z = d[:, r] * d[:, c]
        return np.hstack([x, z]) if meanstructure else z

    z = moments(raw) - moments(fitted)
    zc = z - (w @ z) / total
    return (zc * w[:, None]).T @ zc / total


def _blocks(engine: Engine, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Per group: Delta (moments x K), W, and the weight n_g / N."""
    out = []
    for g in range(len(engine.structs)):
        s = engine.state(theta, g)
        r, c = vech_indices(s.sigma.shape[0])
        delta_local = s.dsig[:, r, c].T
        sigma_inv = np.linalg.inv(s.sigma)
        w = duplication_weight(sigma_inv)
        if s.dmu is not None:
            delta_local = np.vstack([s.dmu.T, delta_local])
            p = len(sigma_inv)
            big = np.zeros((p + len(w), p + len(w)))
            big[:p, :p] = sigma_inv
            big[p:, p:] = w
            w = big
        delta = np.zeros((delta_local.shape[0], engine.n_par))
        np.add.at(delta.T, s.idx, delta_local.T)
        out.append((delta, w, engine.stats[g].n / engine.n_total))
    return out


def satorra_bentler(
    engine: Engine,
    theta: np.ndarray,
    raw: list[np.ndarray],
    weights: list[np.ndarray] | None = None,
    weight_kind: str | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """Robust covariance of the estimates and the Satorra-Bentler scaled statistic.

    ``weights`` (per group, the rows of ``raw``) give the weighted ``Gamma``. With
    ``fixed.x`` covariates in the model the moments among them leave every matrix, the
    df and the baseline model (which holds the x block at ``S_xx``), and ``Gamma`` is
    :func:`gamma_fixed_x`'s.
    """
    n = engine.n_total
    row_w: list[np.ndarray | None] = list(weights) if weights else [None] * len(raw)
    st0 = engine.structs[0]
    xs = [st0.obs.index(v) for v in st0.fixed_x_vars]
    p = st0.p
    means = engine.meanstructure
    if xs:  # fixed.x: the moments among the x leave W, Delta and Gamma
        keep = modelled_moments(p, xs)[0 if means else p :]
        blocks = [(d[keep], w[np.ix_(keep, keep)], wt) for d, w, wt in _blocks(engine, theta)]
        gammas = [
            gamma_fixed_x(x, xs, meanstructure=means, weights=w)[np.ix_(keep, keep)]
            for x, w in zip(raw, row_w, strict=True)
        ]
    else:
        blocks = _blocks(engine, theta)
        gammas = [
            gamma_adf(x, meanstructure=means, weights=w) for x, w in zip(raw, row_w, strict=True)
        ]
    a = sum(wt * d.T @ w @ d for d, w, wt in blocks)
    b = sum(wt * d.T @ w @ gm @ w @ d for (d, w, wt), gm in zip(blocks, gammas, strict=True))
    a_inv = np.linalg.pinv(a)
    vcov = a_inv @ b @ a_inv / n
    # tr(U Gamma) over the stacked groups = sum_g tr(W_g Gamma_g) - tr(A^-1 B)
    trace = sum(float(np.sum(w * gm.T)) for (_, w, _), gm in zip(blocks, gammas, strict=True))
    trace -= float(np.sum(a_inv * b.T))
    nx = len(xs)
    per_group = p * (p + 1) // 2 + (p if means else 0) - nx * (nx + 1) // 2 - (nx if means else 0)
    df = len(blocks) * per_group - engine.n_par
    chisq = n * engine.objective(theta, "ML")
    out: dict[str, float] = {}
    if df > 0:
        c = trace / df
        out["scaling_factor"] = c
        out["chisq_scaled"] = chisq / c
        # baseline (independence) model: variances (and means) free in every group, the
        # x block (fixed.x) held at its sample moments
        tb = 0.0
        for g, gm in enumerate(gammas):
            tb += _baseline_trace(engine.stats[g].cov, gm, means, xs)
        b_df = len(blocks) * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
        cb = tb / b_df
        b_chisq = sum(
            s.n * (_logdet_block(s.cov, xs) + float(np.sum(np.log(np.diag(s.cov)))) - s.logdet)
            for s in engine.stats
        )
        out["baseline_chisq_scaled"] = b_chisq / cb
        out["baseline_scaling_factor"] = cb
        t, tb_s = chisq / c, b_chisq / cb
        out["cfi_scaled"] = cfi(t, df, tb_s, b_df)
        out["tli_scaled"] = tli(t, df, tb_s, b_df)
        groups = len(blocks)
        out["rmsea_scaled"] = float(np.sqrt(groups) * np.sqrt(max(t - df, 0.0) / (n * df)))
        out.update(robust_indices(chisq, df, c, b_chisq, b_df, cb, n, groups))
    return vcov, out


def robust_indices(
    chisq: float,
    df: int,
    c: float,
    baseline_chisq: float,
    baseline_df: int,
    c_baseline: float,
    n: float,
    groups: int,
) -> dict[str, float]:
    """Robust CFI, TLI and RMSEA of a scaled test and the scaled RMSEA's interval.

    Brosseau-Liard, Savalei & Li (2012) and Brosseau-Liard & Savalei (2014), lavaan's
    ``*.robust``: the non-centrality estimated by ``T - c df`` (``T`` the ML statistic,
    ``c`` its scaling factor), ``rmsea_robust = sqrt(G) sqrt(max(T - c df, 0) / (N df))``,
    ``cfi_robust = 1 - max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0)``,
    ``tli_robust = 1 - ((T - c df) / df) / ((T_b - c_b df_b) / df_b)``; the robust 90%
    interval and close-fit test from the non-central chi-square of ``T / c`` with
    non-centrality ``lambda c``. ``rmsea_ci_*_scaled`` and ``rmsea_pvalue_scaled``: the
    ordinary interval and close-fit test of ``T`` with ``c df`` degrees of freedom
    (what lavaan 0.6.14 reports as ``rmsea.ci.lower.scaled``).
    """
    t = chisq / c
    out: dict[str, float] = {}
    _point, lo_s, up_s, p_s = rmsea_interval(chisq, df * c, n, groups)
    out["rmsea_ci_lower_scaled"] = lo_s
    out["rmsea_ci_upper_scaled"] = up_s
    out["rmsea_pvalue_scaled"] = p_s
    ncp = max(chisq - c * df, 0.0)
    ncp_b = max(baseline_chisq - c_baseline * baseline_df, 0.0)
    out["cfi_robust"] = 1.0 - ncp / max(ncp, ncp_b) if max(ncp, ncp_b) > 0 else 1.0
    out["tli_robust"] = 1.0 - (ncp / df) / (ncp_b / baseline_df) if ncp_b > 0 else 1.0
    out["rmsea_robust"] = float(np.sqrt(groups) * np.sqrt(ncp / (n * df)))
    lo, up = robust_rmsea_interval(t, df, c, round(n), groups)
    out["rmsea_ci_lower_robust"] = lo
    out["rmsea_ci_upper_robust"] = up
    out["rmsea_pvalue_robust"] = float(stats.ncx2.sf(t, df, n * df * 0.05**2 / (c * groups)))
    return out


def _logdet_block(cov: np.ndarray, xs: list[int]) -> float:
    """``log|S_xx| - sum_x log s_xx``: the x block's share of the baseline statistic."""
    if not xs:
        return 0.0
    block = cov[np.ix_(xs, xs)]
    return float(np.linalg.slogdet(block)[1] - np.sum(np.log(np.diag(block))))


def _baseline_trace(
    cov: np.ndarray, gamma: np.ndarray, meanstructure: bool, xs: list[int] | None = None
) -> float:
    """``tr(U Gamma)`` of the independence model of one group.

    Its parameters are the variances (and means) of the items outside ``xs``; the x
    block is held at ``S_xx`` and the moments among the x are left out of ``W`` and
    ``Delta`` (``gamma`` comes without them).
    """
    xs = list(xs or [])
    p = len(cov)
    sigma_b = np.diag(np.diag(cov))
    if xs:
        sigma_b[np.ix_(xs, xs)] = cov[np.ix_(xs, xs)]
    inv = np.linalg.inv(sigma_b)
    w = duplication_weight(inv)
    r, c = vech_indices(p)
    delta = np.zeros((len(r), p))
    for j in range(p):
        delta[(r == j) & (c == j), j] = 1.0
    if meanstructure:
        w_full = np.zeros((p + len(w), p + len(w)))
        w_full[:p, :p] = inv
        w_full[p:, p:] = w
        d_full = np.zeros((p + len(r), 2 * p))
        d_full[:p, :p] = np.eye(p)
        d_full[p:, p:] = delta
        w, delta = w_full, d_full
    free = np.ones(p, dtype=bool)
    free[xs] = False
    cols = np.concatenate([free, free]) if meanstructure else free
    keep = modelled_moments(p, xs)[0 if meanstructure else p :]
    w, delta = w[np.ix_(keep, keep)], delta[np.ix_(keep, cols)]
    a = delta.T @ w @ delta
    u = w - w @ delta @ np.linalg.solve(a, delta.T @ w)
    return float(np.sum(u * gamma.T))


def uls_vcov(engine: Engine, theta: np.ndarray) -> np.ndarray:
    """Normal-theory sandwich covariance of ULS estimates (single or stacked groups)."""
    n = engine.n_total
    a = np.zeros((engine.n_par, engine.n_par))
    b = np.zeros_like(a)
    for g in range(len(engine.structs)):
        s = engine.state(theta, g)
        r, c = vech_indices(s.sigma.shape[0])
        d = np.zeros((len(r), engine.n_par))
        np.add.at(d.T, s.idx, s.dsig[:, r, c])
        wt = engine.stats[g].n / n
        a += wt * d.T @ d
        b += wt * d.T @ gamma_normal(s.sigma) @ d
    a_inv = np.linalg.pinv(a)
    return a_inv @ b @ a_inv / n


def robust_table(vcov: np.ndarray, names: list[str]) -> pd.DataFrame:
    """The robust covariance matrix labelled by parameter."""
    return pd.DataFrame(vcov, index=names, columns=names)


def robust_rmsea_interval(t: float, df: int, c: float, n: int, groups: int) -> tuple[float, float]:
    """90% interval of the robust RMSEA: non-centrality of the scaled statistic times c."""

    def solve(q: float) -> float:
        if special.chdtr(df, t) < q:
            return 0.0
        hi = max(t, 1.0)
        while float(special.chndtr(t, df, hi)) > q:
            hi *= 2.0
        return float(
            optimize.brentq(lambda lam: float(special.chndtr(t, df, lam)) - q, 0.0, hi, xtol=1e-12)
        )

    scale = np.sqrt(groups)
    lo = float(scale * np.sqrt(c * solve(0.95) / (n * df)))
    up = float(scale * np.sqrt(c * solve(0.05) / (n * df)))
    return lo, up
