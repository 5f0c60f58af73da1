"""Thresholds, polychoric correlations and their asymptotic covariance (two-step ML).

Each ordinal item ``x`` with categories ``0..K-1`` is a cut of a standard normal
``y*``: ``x = c`` when ``tau_c < y* <= tau_{c+1}``. Step 1: thresholds from the marginal
shares, ``tau_c = Phi^-1(P(x < c))``. Step 2: for each pair, the correlation ``rho``
maximising the bivariate-normal likelihood of the contingency table given the thresholds
(Olsson 1979, *Psychometrika* 44(4), 443-460).

The asymptotic covariance ``Gamma`` of ``sqrt(N) (tau, rho)`` is Muthen's (1984,
*Psychometrika* 49(1), 115-132) sandwich of the two-step estimating equations, built from
casewise scores as lavaan does: with ``s_i`` the scores of case ``i`` (of the univariate
threshold log-likelihoods, then of each bivariate log-likelihood in ``rho`` given the
thresholds) and ``A`` the block lower-triangular matrix of score cross-products
(``A_tau,tau = sum_i s_tau s_tau'`` per item, ``A_rho,rho = sum_i s_rho^2``,
``A_rho,tau = sum_i s_rho * ds_i/dtau`` with the bivariate threshold scores), ::

    Gamma = N A^-1 (sum_i s_i s_i') A^-T

i.e. the covariance (divisor N) of the influence functions
``IF_tau,i = (N / n_j) (1{x_i < c} - P(x < c)) / phi(tau_c)`` and
``IF_rho,i = (N / (n_jk I_rho)) (s_rho,i - (n_jk / N) sum_t C_t IF_t,i)``, where
``I_rho`` and ``C_t`` are the per-case averages of ``s_rho^2`` and ``s_rho ds/dtau_t``
over the ``n_jk`` cases that answered both items. A case missing an item scores 0 in
everything involving it (pairwise deletion, lavaan's ``missing = "pairwise"``).

The bivariate normal distribution function uses Owen's T function (Owen 1956):
``Phi2(h, k; r) = [Phi(h) + Phi(k)] / 2 - T(h, a_h) - T(k, a_k) - beta``. semopy's own
polychoric code fails on NumPy 2 / SciPy 1.17, hence this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

_EPS = 1e-15


def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """``P(Z1 <= h, Z2 <= k)`` for standard normals with correlation ``rho`` (|rho| < 1)."""
    h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
    out = np.zeros(h.shape)
    low = (h == -np.inf) | (k == -np.inf)
    hi_h, hi_k = h == np.inf, k == np.inf
    only_k = ~low & hi_h & ~hi_k
    only_h = ~low & hi_k & ~hi_h
    out[only_k] = special.ndtr(k[only_k])
    out[only_h] = special.ndtr(h[only_h])
    out[~low & hi_h & hi_k] = 1.0
    fin = ~low & ~hi_h & ~hi_k
    if fin.any():
        hh = np.where(h[fin] == 0, _EPS, h[fin])
        kk = np.where(k[fin] == 0, _EPS, k[fin])
        s = np.sqrt(1.0 - rho * rho)
        a1 = (kk - rho * hh) / (hh * s)
        a2 = (hh - rho * kk) / (kk * s)
        beta = np.where(hh * kk > 0, 0.0, 0.5)
        val = (
            0.5 * (special.ndtr(hh) + special.ndtr(kk))
            - special.owens_t(hh, a1)
            - special.owens_t(kk, a2)
            - beta
        )
        out[fin] = np.clip(val, 0.0, 1.0)
    return out


def bvn_pdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """Bivariate standard normal density (0 at infinite arguments)."""
    h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
    out = np.zeros(h.shape)
    fin = np.isfinite(h) & np.isfinite(k)
    s2 = 1.0 - rho * rho
    q = (h[fin] ** 2 - 2 * rho * h[fin] * k[fin] + k[fin] ** 2) / s2
    out[fin] = np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(s2))
    return out


def _cells(ta: np.ndarray, tb: np.ndarray, rho: float) -> np.ndarray:
    f = bvn_cdf(ta[:, None], tb[None, :], rho)
    return f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]


def _dcells_rho(ta: np.ndarray, tb: np.ndarray, rho: float) -> np.ndarray:
    g = bvn_pdf(ta[:, None], tb[None, :], rho)
    return g[1:, 1:] - g[:-1, 1:] - g[1:, :-1] + g[:-1, :-1]


def _dcells_tau(ta: np.ndarray, tb: np.ndarray, rho: float) -> np.ndarray:
    """d pi[a, b] / d ta[c] for interior thresholds c = 1..K-1: shape (K-1, Ka, Kb)."""
    s = np.sqrt(1.0 - rho * rho)
    inner = ta[1:-1]
    z = (tb[None, :] - rho * inner[:, None]) / s  # (K-1, Kb+1), inf handled by ndtr
    d = stats.norm.pdf(inner)[:, None] * special.ndtr(z)  # dF[c, b] / d ta[c]
    diff = d[:, 1:] - d[:, :-1]  # (K-1, Kb)
    ka = len(ta) - 1
    out = np.zeros((len(inner), ka, len(tb) - 1))
    for c in range(len(inner)):
        # F row index c+1 enters pi[a] with + when a + 1 == c + 1, with - when a == c + 1
        out[c, c] += diff[c]
        if c + 1 < ka:
            out[c, c + 1] -= diff[c]
    return out


@dataclass(frozen=True)
class OrdinalStats:
    """Thresholds (padded with -inf/+inf per item), polychoric matrix and ``Gamma``."""

    thresholds: list[np.ndarray]
    corr: np.ndarray
    gamma: np.ndarray  # covariance of sqrt(N) (tau, rho) in the order of ``labels``
    labels: list[tuple[str, int, int]]  # ("tau", item, c) or ("rho", i, j)
    n: int  # cases (rows) used, any answer present
    n_pairs: np.ndarray  # cases answering both items of each pair (diagonal: each item)
    means: np.ndarray | None = None  # continuous items' means (mixed models; NaN if ordinal)


def ordinal_stats(codes: np.ndarray) -> OrdinalStats:
    """Two-step polychoric statistics of integer-coded items (0..K-1; -1 = missing)."""
    n, p = codes.shape
    seen = codes >= 0
    n_pairs = seen.T.astype(int) @ seen.astype(int)
    thresholds: list[np.ndarray] = []
    infl: list[np.ndarray] = []
    labels: list[tuple[str, int, int]] = []
    tau_if: list[np.ndarray] = []
    for j in range(p):
        obs = seen[:, j]
        nj = int(obs.sum())
        k = int(codes[:, j].max()) + 1
        counts = np.bincount(codes[obs, j], minlength=k)
        cum = np.cumsum(counts)[:-1] / nj
        tau = stats.norm.ppf(cum)
        thresholds.append(np.concatenate([[-np.inf], tau, [np.inf]]))
        below = codes[:, j][:, None] < np.arange(1, k)[None, :]
        block = (below - cum[None, :]) / stats.norm.pdf(tau)[None, :] * (n / nj)
        block[~obs] = 0.0
        tau_if.append(block)
        infl.append(block)
        labels += [("tau", j, c) for c in range(1, k)]
    corr = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            both = seen[:, i] & seen[:, j]
            r, infl_r = _pair(codes, i, j, both, thresholds, tau_if, n)
            corr[i, j] = corr[j, i] = r
            infl.append(infl_r[:, None])
            labels.append(("rho", i, j))
    z = np.hstack(infl)
    gamma = z.T @ z / n
    return OrdinalStats(thresholds, corr, gamma, labels, n, n_pairs)


def _pair(
    codes: np.ndarray,
    i: int,
    j: int,
    both: np.ndarray,
    thresholds: list[np.ndarray],
    tau_if: list[np.ndarray],
    n: int,
) -> tuple[float, np.ndarray]:
    """Polychoric correlation of items i, j (cases ``both``) and its influence function."""
    ta, tb = thresholds[i], thresholds[j]
    ci_, cj_ = codes[both, i], codes[both, j]
    nij = int(both.sum())
    table = np.zeros((len(ta) - 1, len(tb) - 1))
    np.add.at(table, (ci_, cj_), 1.0)

    def nll(rho: float) -> float:
        pi = np.clip(_cells(ta, tb, rho), 1e-300, None)
        return -float(np.sum(table * np.log(pi)))

    res = optimize.minimize_scalar(
        nll, bounds=(-0.9999, 0.9999), method="bounded", options={"xatol": 1e-10}
    )
    r = float(res.x)
    for _ in range(3):  # Fisher-scoring polish of the bounded search
        pi = np.clip(_cells(ta, tb, r), 1e-300, None)
        dr = _dcells_rho(ta, tb, r)
        step = float(np.sum(table * dr / pi)) / (nij * float(np.sum(dr * dr / pi)))
        if not np.isfinite(step) or abs(r + step) >= 0.9999:
            break
        r += step
    pi = np.clip(_cells(ta, tb, r), 1e-300, None)
    dr = _dcells_rho(ta, tb, r)
    freq = table / nij
    info = float(np.sum(freq * (dr / pi) ** 2))
    score = np.zeros(n)
    score[both] = (dr / pi)[ci_, cj_]
    dti = _dcells_tau(ta, tb, r)
    dtj = _dcells_tau(tb, ta, r).transpose(0, 2, 1)
    c_i = np.einsum("ab,cab->c", freq * dr / pi, dti / pi)
    c_j = np.einsum("ab,cab->c", freq * dr / pi, dtj / pi)
    adj = (tau_if[i] @ c_i + tau_if[j] @ c_j) * (nij / n)
    return r, (score - adj) * n / (nij * info)


def near_pd_correlation(m: np.ndarray) -> np.ndarray:
    """``m`` itself when positive definite, else its eigenvalues floored at 1e-3 and
    rescaled to unit diagonal (start values only)."""
    w, v = np.linalg.eigh(m)
    if w.min() > 1e-6:
        return m
    w = np.maximum(w, 1e-3)
    out = (v * w) @ v.T
    d = np.sqrt(np.diag(out))
    return out / np.outer(d, d)
