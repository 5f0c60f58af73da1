"""Sample statistics of ordinal and continuous items together, and their ``Gamma``.

Step 1, per item: thresholds of an ordinal item (as in :mod:`csi.sem.polychoric`); mean
and variance (divisor N) of a continuous one. Step 2, per pair given step 1: the
polychoric correlation of two ordinal items; for an ordinal item ``y`` and a continuous
``x`` the polyserial correlation ``rho`` (Olsson, Drasgow & Dorans 1982), maximising
``sum_i log P(y_i | x_i)`` with ``P(y = c | x) = Phi((tau_c+1 - rho z) / s) - Phi((tau_c -
rho z) / s)``, ``z = (x - m) / sd``, ``s = sqrt(1 - rho^2)``, reported as the covariance
``rho sd`` of ``y*`` and ``x``; the covariance (divisor N) of two continuous items.

``Gamma`` is Muthen's (1984) two-step sandwich with casewise scores, as for the
polychorics: for a step-1 block ``IF = (S'S / N)^-1 s_i`` (``s_i`` the case's scores of
the univariate log-likelihood: thresholds, or mean and variance of a normal); for a pair
statistic with score ``s_i`` (of the bivariate log-likelihood, given step 1)
``IF = (s_i - sum_t C_t IF_t,i) / I`` with ``I`` the mean of ``s_i^2`` and ``C_t`` the
mean of ``s_i`` times the case's score of the same bivariate log-likelihood in the step-1
parameter ``t``; the polyserial covariance adds ``rho`` times the influence of ``sd``.
Complete cases only.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

from csi.sem.polychoric import OrdinalStats, _pair, ordinal_stats


def mixed_stats(values: np.ndarray, ordinal: np.ndarray) -> OrdinalStats:
    """Statistics of items ``values`` (n x p; ordinal columns coded 0..K-1, no missing).

    Labels: ``("tau", j, c)``, ``("mean", k, k)``, ``("var", k, k)``, ``("rho", i, j)``;
    ``corr`` holds 1 (ordinal) or the variance (continuous) on its diagonal and the pair
    statistics off it.
    """
    n, p = values.shape
    ord_idx = [j for j in range(p) if ordinal[j]]
    codes = values[:, ord_idx].astype(int)
    base = ordinal_stats(codes) if ord_idx else None
    thresholds: list[np.ndarray] = []
    infl: list[np.ndarray] = []
    labels: list[tuple[str, int, int]] = []
    uni: dict[int, np.ndarray] = {}  # item -> its step-1 influence functions
    moments: dict[int, tuple[float, float]] = {}
    for j in range(p):
        if ordinal[j]:
            assert base is not None
            jj = ord_idx.index(j)
            th = base.thresholds[jj]
            thresholds.append(th)
            k_cat = len(th) - 1
            cum = special.ndtr(th[1:-1])
            below = codes[:, jj][:, None] < np.arange(1, k_cat)[None, :]
            block = (below - cum[None, :]) / stats.norm.pdf(th[1:-1])[None, :]
            uni[j] = block
            infl.append(block)
            labels += [("tau", j, c) for c in range(1, k_cat)]
        else:
            x = values[:, j].astype(float)
            m, v = float(x.mean()), float(x.var())
            moments[j] = (m, v)
            thresholds.append(np.array([-np.inf, np.inf]))
            s = np.column_stack([(x - m) / v, -0.5 / v + (x - m) ** 2 / (2 * v * v)])
            block = s @ np.linalg.inv(s.T @ s / n)
            uni[j] = block
            infl.append(block)
            labels += [("mean", j, j), ("var", j, j)]
    corr = np.eye(p)
    for j, (_m, v) in moments.items():
        corr[j, j] = v
    for i in range(p):
        for j in range(i + 1, p):
            if ordinal[i] and ordinal[j]:
                assert base is not None
                a, b = ord_idx.index(i), ord_idx.index(j)
                k = base.labels.index(("rho", a, b))
                r = float(base.corr[a, b])
                z_all = _polychoric_if(base, k, codes, uni[i], uni[j], n)
            elif ordinal[i] or ordinal[j]:
                o, c = (i, j) if ordinal[i] else (j, i)
                r, z_all = _polyserial(
                    values[:, o].astype(int),
                    thresholds[o],
                    values[:, c].astype(float),
                    moments[c],
                    uni[o],
                    uni[c],
                    n,
                )
            else:
                r, z_all = _covariance(values[:, [i, j]].astype(float), moments, i, j, uni, n)
            corr[i, j] = corr[j, i] = r
            infl.append(z_all[:, None])
            labels.append(("rho", i, j))
    z = np.hstack(infl)
    means = np.array([moments[j][0] if j in moments else np.nan for j in range(p)])
    return OrdinalStats(thresholds, corr, z.T @ z / n, labels, n, np.full((p, p), n), means)


def _polychoric_if(
    base: OrdinalStats, k: int, codes: np.ndarray, if_i: np.ndarray, if_j: np.ndarray, n: int
) -> np.ndarray:
    """The polychoric's influence function, recovered from :func:`ordinal_stats`."""
    lab = base.labels[k]
    seen = np.ones(n, dtype=bool)
    tau_if = [np.zeros((n, 0))] * len(base.thresholds)
    tau_if[lab[1]], tau_if[lab[2]] = if_i, if_j
    _r, out = _pair(codes, lab[1], lab[2], seen, base.thresholds, tau_if, n)
    return out


def _polyserial(
    y: np.ndarray,
    tau: np.ndarray,
    x: np.ndarray,
    mom: tuple[float, float],
    if_y: np.ndarray,
    if_x: np.ndarray,
    n: int,
) -> tuple[float, np.ndarray]:
    """Polyserial covariance ``rho sd`` and its influence function."""
    m, v = mom
    sd = np.sqrt(v)
    z = (x - m) / sd
    up, lo = tau[y + 1], tau[y]
    fin_up, fin_lo = np.isfinite(up), np.isfinite(lo)

    def parts(r: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        s = np.sqrt(1.0 - r * r)
        b = np.where(fin_up, (up - r * z) / s, np.inf)
        a = np.where(fin_lo, (lo - r * z) / s, -np.inf)
        prob = np.clip(special.ndtr(b) - special.ndtr(a), 1e-300, None)
        return (
            s,
            prob,
            np.where(fin_lo, stats.norm.pdf(a), 0.0),
            np.where(fin_up, stats.norm.pdf(b), 0.0),
        )

    def nll(r: float) -> float:
        return -float(np.sum(np.log(parts(r)[1])))

    r = float(
        optimize.minimize_scalar(
            nll, bounds=(-0.9999, 0.9999), method="bounded", options={"xatol": 1e-12}
        ).x
    )
    s, prob, pa, pb = parts(r)
    ta = np.where(fin_lo, r * lo - z, 0.0)
    tb = np.where(fin_up, r * up - z, 0.0)
    score = (pb * tb - pa * ta) / (s**3 * prob)
    k_cat = len(tau) - 1
    s_tau = np.zeros((n, k_cat - 1))
    for c in range(1, k_cat):
        s_tau[:, c - 1] = np.where(y + 1 == c, pb / (s * prob), 0.0) - np.where(
            y == c, pa / (s * prob), 0.0
        )
    dz = -r * (pb - pa) / (s * prob)
    # full bivariate log-likelihood: log phi(z) - log sd + log P(y | x)
    s_mu = -dz / sd + z / sd
    s_var = -dz * z / (2 * v) - 0.5 / v + z * z / (2 * v)
    info = float(np.mean(score**2))
    c_tau = (score[:, None] * s_tau).mean(axis=0)
    c_x = (score[:, None] * np.column_stack([s_mu, s_var])).mean(axis=0)
    if_r = (score - if_y @ c_tau - if_x @ c_x) / info
    # covariance rho * sd: add rho * d sd = rho * d var / (2 sd)
    return r * sd, sd * if_r + r * if_x[:, 1] / (2 * sd)


def _covariance(
    xy: np.ndarray,
    moments: dict[int, tuple[float, float]],
    i: int,
    j: int,
    uni: dict[int, np.ndarray],
    n: int,
) -> tuple[float, np.ndarray]:
    """Covariance (divisor N) of two continuous items and its influence function."""
    mu = np.array([moments[i][0], moments[j][0]])
    d = xy - mu
    cov = np.cov(xy.T, bias=True)
    inv = np.linalg.inv(cov)
    q = d @ inv
    score = q[:, 0] * q[:, 1] - inv[0, 1]
    s_marg = np.column_stack(
        [
            q[:, 0],
            -0.5 * inv[0, 0] + 0.5 * q[:, 0] ** 2,
            q[:, 1],
            -0.5 * inv[1, 1] + 0.5 * q[:, 1] ** 2,
        ]
    )
    info = float(np.mean(score**2))
    c = (score[:, None] * s_marg).mean(axis=0)
    if_m = np.column_stack([uni[i], uni[j]])
    return float(cov[0, 1]), (score - if_m @ c) / info
