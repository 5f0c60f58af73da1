"""Global fit indices from sample and model-implied moments, with lavaan's conventions.

All indices follow lavaan 0.6 (Rosseel 2012) for ML with ``likelihood="normal"``:

* ``chisq = N F_ML`` (N, not N - 1); ``pvalue`` upper tail of chi2(df);
* baseline: independence model (variances and means free), ``chisq_b = sum_g n_g
  (sum_j log s_jj - log|S_g|)``, ``df_b = G p (p - 1) / 2``;
* ``cfi = 1 - max(chisq - df, 0) / max(chisq_b - df_b, chisq - df, 0)`` (Bentler 1990);
  ``tli = (chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)``; ``nfi = 1 - chisq/chisq_b``;
* ``rmsea = sqrt(G) sqrt(max(chisq - df, 0) / (N df))`` with the 90% interval from the
  non-central chi-square and ``rmsea_pvalue = P(chi2 >= chisq | ncp = N df 0.05^2 / G)``
  (Steiger 1990; Browne & Cudeck 1993);
* ``srmr`` Bentler's: residuals of the covariances (and means, with a mean structure)
  divided by the sample standard deviations, root mean square over the ``p(p+1)/2`` (+ p)
  elements; groups weighted by ``n_g / N``;
* ``gfi = 1 - tr[(Sigma^-1 S - I)^2] / tr[(Sigma^-1 S)^2]`` (Joreskog & Sorbom), groups
  weighted by ``n_g / N``; ``agfi = 1 - (G p* / df)(1 - gfi)``;
* ``loglik = -1/2 sum_g n_g [p log(2 pi) + log|Sigma_g| + tr(S_g Sigma_g^-1) + d'Sigma^-1 d]``,
  ``aic = -2 loglik + 2 npar``, ``bic = -2 loglik + npar log N``,
  ``bic_adjusted = -2 loglik + npar log((N + 2) / 24)`` (Sclove 1987).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

#: Names and order of the fit-index Series (stable API).
FIT_NAMES = (
    "npar",
    "n",
    "chisq",
    "df",
    "pvalue",
    "baseline_chisq",
    "baseline_df",
    "cfi",
    "tli",
    "nfi",
    "gfi",
    "agfi",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "rmsea_pvalue",
    "srmr",
    "loglik",
    "unrestricted_loglik",
    "aic",
    "bic",
    "bic_adjusted",
)


def baseline_chisq(covs: Sequence[np.ndarray], ns: Sequence[float]) -> float:
    """Chi-square of the independence model: ``sum_g n_g (sum log s_jj - log|S_g|)``."""
    total = 0.0
    for cov, n in zip(covs, ns, strict=True):
        total += n * (float(np.sum(np.log(np.diag(cov)))) - float(np.linalg.slogdet(cov)[1]))
    return total


def gls_baseline_chisq(
    covs: Sequence[np.ndarray], ns: Sequence[float], fixed: Sequence[int] = ()
) -> float:
    """GLS independence model: minimise ``1/2 tr[(S^-1 (S - Sigma_b))^2]``.

    ``Sigma_b = sum_k t_k B_k`` is linear in its free parameters: every variance, and the
    covariances among the exogenous observed variables ``fixed`` (lavaan's baseline).
    The minimiser solves the normal equations ``sum_k t_k tr(V B_j V B_k) = tr(V B_j)``
    with ``V = S^-1`` (Browne 1974).
    """
    total = 0.0
    for cov, n in zip(covs, ns, strict=True):
        p = len(cov)
        v = np.linalg.inv(cov)
        fx = list(fixed)
        pairs = [(k, k) for k in range(p)]
        pairs += [(a, b) for i, a in enumerate(fx) for b in fx[i + 1 :]]
        basis = np.zeros((len(pairs), p, p))
        for k, (a, b) in enumerate(pairs):
            basis[k, a, b] = basis[k, b, a] = 1.0
        vb = v @ basis  # V B_k
        lhs = np.einsum("jab,kba->jk", vb, vb)
        rhs = np.einsum("jaa->j", vb)
        t = np.linalg.solve(lhs, rhs)
        a = v @ (cov - np.einsum("k,kab->ab", t, basis))
        total += n * 0.5 * float(np.sum(a * a.T))
    return total


def uls_baseline_chisq(
    covs: Sequence[np.ndarray], ns: Sequence[float], fixed: Sequence[int] = ()
) -> float:
    """ULS independence model: the variances (and the ``fixed.x`` block) fit exactly, so
    ``chisq_b = n sum_{i<j} s_ij^2`` over the pairs outside the exogenous block."""
    total = 0.0
    for cov, n in zip(covs, ns, strict=True):
        off = np.triu(cov, 1)
        fx = list(fixed)
        off[np.ix_(fx, fx)] = 0.0
        total += n * float(np.sum(off * off))
    return total


def cfi(chisq: float, df: float, b_chisq: float, b_df: float) -> float:
    """Bentler's (1990) CFI, ``1 - max(chisq - df, 0) / max(chisq_b - df_b, chisq - df, 0)``
    (1 when both are 0); also the scaled/robust versions from scaled statistics."""
    d, db = max(chisq - df, 0.0), max(b_chisq - b_df, 0.0)
    denom = max(d, db)
    return 1.0 - d / denom if denom > 0 else 1.0


def tli(chisq: float, df: float, b_chisq: float, b_df: float) -> float:
    """Tucker-Lewis index ``(chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)``; 1 when
    ``df`` or ``df_b`` is 0 (lavaan)."""
    if df <= 0 or b_df <= 0:
        return 1.0
    return (b_chisq / b_df - chisq / df) / (b_chisq / b_df - 1.0)


def nfi(chisq: float, b_chisq: float) -> float:
    """Bentler-Bonett normed fit index ``1 - chisq / chisq_b`` (NaN when ``chisq_b`` is 0)."""
    return 1.0 - chisq / b_chisq if b_chisq > 0 else np.nan


def agfi(gfi_value: float, moments: float, df: float) -> float:
    """Adjusted GFI ``1 - (m / df)(1 - gfi)`` with ``m`` the number of sample moments
    (Jöreskog & Sörbom 1984); NaN when ``df`` is 0."""
    return 1.0 - moments / df * (1.0 - gfi_value) if df > 0 else np.nan


def rmsea_interval(
    chisq: float, df: float, n: float, groups: int = 1, level: float = 0.90
) -> tuple[float, float, float, float]:
    """RMSEA, its confidence interval and the test of close fit (RMSEA <= 0.05)."""
    if df <= 0:
        return 0.0, 0.0, 0.0, np.nan
    scale = np.sqrt(groups)

    def rm(ncp: float) -> float:
        return float(scale * np.sqrt(max(ncp, 0.0) / (n * df)))

    point = rm(chisq - df)
    upper_q, lower_q = (1 + level) / 2, (1 - level) / 2

    def solve(q: float) -> float:
        # ncp with P(X <= chisq | ncp) = q; 0 when even ncp = 0 gives less than q
        # scipy.special's distribution functions directly: the same values as
        # stats.ncx2.cdf / stats.chi2.cdf without the per-call overhead of stats
        def f(lam: float) -> float:
            return float(special.chndtr(chisq, df, lam)) - q

        if special.chdtr(df, chisq) < q:
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2.0
        return float(optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12))

    lo = rm(solve(upper_q))
    up = rm(solve(lower_q))
    pclose = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2 / groups))
    return point, lo, up, pclose


def srmr_bentler(
    covs: Sequence[np.ndarray],
    sigmas: Sequence[np.ndarray],
    ns: Sequence[float],
    means: Sequence[np.ndarray] | None = None,
    mus: Sequence[np.ndarray | None] | None = None,
) -> float:
    """Bentler's SRMR, residuals scaled by the sample standard deviations (lavaan's srmr)."""
    total_n = float(sum(ns))
    out = 0.0
    for g, (cov, sigma, n) in enumerate(zip(covs, sigmas, ns, strict=True)):
        sd = np.sqrt(np.diag(cov))
        resid = (cov - sigma) / np.outer(sd, sd)
        rows, cols = np.tril_indices(len(sd))
        squares = list(resid[rows, cols] ** 2)
        mu = None if mus is None else mus[g]
        if mu is not None and means is not None:
            squares.extend(((means[g] - mu) / sd) ** 2)
        out += n / total_n * float(np.sqrt(np.mean(squares)))
    return out


def gfi(
    covs: Sequence[np.ndarray],
    sigmas: Sequence[np.ndarray],
    ns: Sequence[float],
    estimator: str = "ML",
    x_index: Sequence[int] = (),
    means: Sequence[np.ndarray] | None = None,
    mus: Sequence[np.ndarray | None] | None = None,
) -> float:
    """Joreskog-Sorbom GFI ``1 - e'We / s'Ws`` in the estimator's weight, groups by size.

    With a mean structure (``means`` and ``mus``) the means join the moments with the
    weight ``V`` (lavaan 0.6 takes them in: ``e = (m - mu, vech(S - Sigma))``).

    ``e = vech(S - Sigma)``, ``s = vech S``; ``W = 1/2 D'(V x V)D`` with ``V = Sigma^-1``
    (ML) or ``S^-1`` (GLS), ``W = I`` for ULS. The moments among the exogenous observed
    variables ``x_index`` (``fixed.x``) and their means are left out, as lavaan 0.6 does.
    Without them, ML gives ``1 - tr[(Sigma^-1 S - I)^2] / tr[(Sigma^-1 S)^2]`` and GLS
    ``1 - tr[(S^-1 (S - Sigma))^2] / p`` (Joreskog & Sorbom 1986; Tanaka & Huba 1985).
    """
    total_n = float(sum(ns))
    out = 0.0
    fx = list(x_index)
    for g, (cov, sigma, n) in enumerate(zip(covs, sigmas, ns, strict=True)):
        p = len(cov)
        mu = None if mus is None else mus[g]
        mean = None if means is None or mu is None else means[g]
        cols, rows = np.triu_indices(p)  # lavaan's column-wise vech order
        keep = ~(np.isin(rows, fx) & np.isin(cols, fx))
        rows, cols = rows[keep], cols[keep]
        e, s = (cov - sigma)[rows, cols], cov[rows, cols]
        km = ~np.isin(np.arange(p), fx)  # the x means leave too
        if estimator == "ULS":
            num, den = float(e @ e), float(s @ s)
            if mean is not None and mu is not None:  # W = I over (means, vech S)
                em = (mean - mu)[km]
                num += float(em @ em)
                den += float(mean[km] @ mean[km])
            value = 1.0 - num / den
        elif mean is not None and mu is not None:
            v = np.linalg.inv(cov if estimator == "GLS" else sigma)
            w = _vech_weight(v, rows, cols)
            em, vm = (mean - mu)[km], v[np.ix_(km, km)]
            num = float(em @ vm @ em) + float(e @ w @ e)
            value = 1.0 - num / (float(mean[km] @ vm @ mean[km]) + float(s @ w @ s))
        else:
            v = np.linalg.inv(cov if estimator == "GLS" else sigma)
            # element (ij, kl) of 1/2 D'(V x V)D: (v_ik v_jl + v_il v_jk) / 2, off-diagonal
            # moments counted twice
            w = v[np.ix_(rows, rows)] * v[np.ix_(cols, cols)]
            w += v[np.ix_(rows, cols)] * v[np.ix_(cols, rows)]
            mult = np.where(rows == cols, 1.0, 2.0)
            w *= np.outer(mult, mult) / 4.0
            value = 1.0 - float(e @ w @ e) / float(s @ w @ s)
        out += n / total_n * value
    return out


def _vech_weight(v: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``1/2 D'(V x V)D`` over the moments ``(rows, cols)``."""
    w = v[np.ix_(rows, rows)] * v[np.ix_(cols, cols)]
    w += v[np.ix_(rows, cols)] * v[np.ix_(cols, rows)]
    mult = np.where(rows == cols, 1.0, 2.0)
    return w * np.outer(mult, mult) / 4.0


def loglik(
    covs: Sequence[np.ndarray],
    sigmas: Sequence[np.ndarray],
    ns: Sequence[float],
    means: Sequence[np.ndarray] | None = None,
    mus: Sequence[np.ndarray | None] | None = None,
    x_index: Sequence[int] = (),
) -> tuple[float, float]:
    """Normal log-likelihood of the model and of the saturated (unrestricted) model.

    With exogenous observed variables ``x_index`` held at their sample moments
    (``fixed.x``) both are conditional on them, as in lavaan 0.6: the marginal
    ``-n/2 (q log 2 pi + log|S_xx| + q)`` of the ``q`` x variables is subtracted.
    """
    ll = ll0 = 0.0
    fx = list(x_index)
    for cov, n in zip(covs, ns, strict=True):
        if fx:
            q = len(fx)
            llx = -0.5 * n * (q * np.log(2 * np.pi) + np.linalg.slogdet(cov[np.ix_(fx, fx)])[1] + q)
            ll -= llx
            ll0 -= llx
    for g, (cov, sigma, n) in enumerate(zip(covs, sigmas, ns, strict=True)):
        p = cov.shape[0]
        inv = np.linalg.inv(sigma)
        quad = float(np.sum(cov * inv))
        mu = None if mus is None else mus[g]
        if mu is not None and means is not None:
            d = means[g] - mu
            quad += float(d @ inv @ d)
        ll += -0.5 * n * (p * np.log(2 * np.pi) + np.linalg.slogdet(sigma)[1] + quad)
        ll0 += -0.5 * n * (p * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + p)
    return float(ll), float(ll0)


def fit_indices(
    *,
    chisq: float,
    df: int,
    npar: int,
    covs: Sequence[np.ndarray],
    sigmas: Sequence[np.ndarray],
    ns: Sequence[float],
    means: Sequence[np.ndarray] | None = None,
    mus: Sequence[np.ndarray | None] | None = None,
    likelihood: bool = True,
    baseline: float | None = None,
    fixed_x: int = 0,
    estimator: str = "ML",
    n_test: float | None = None,
    x_index: Sequence[int] = (),
) -> pd.Series:
    """All fit indices as a Series (see the module docstring for the formulas).

    ``likelihood=False`` (GLS, ULS, DWLS) leaves the likelihood-based entries (loglik,
    AIC, BIC) as NaN: those estimators do not maximise it. ``baseline`` overrides the ML
    independence-model chi-square (e.g. the GLS one). A NaN ``chisq`` (ULS, whose
    discrepancy is not chi-square distributed) makes every chi-square-based index NaN.
    ``fixed_x`` is the number of exogenous observed (co)variances per group held at their
    sample values (lavaan's ``fixed.x``): they leave the baseline df (not the AGFI count).
    ``x_index`` gives those x variables' positions (GFI and log-likelihood, see :func:`gfi`
    and :func:`loglik`). ``estimator`` picks the GFI weight; ``n_test`` is the sample size of
    the test statistic (``chisq = n_test F``) used by the RMSEA, default N (lavaan: N - 1
    for GLS and ULS). ULS has no p-value (its statistic is not chi-square distributed;
    lavaan reports the other indices from it).
    """
    n = round(float(sum(ns)))
    groups = len(ns)
    p = covs[0].shape[0]
    b_chisq = baseline_chisq(covs, ns) if baseline is None else float(baseline)
    nx = round((float(np.sqrt(8 * fixed_x + 1)) - 1) / 2)  # fixed_x = nx (nx + 1) / 2
    b_df = groups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    cfi_value = cfi(chisq, df, b_chisq, b_df)
    tli_value = tli(chisq, df, b_chisq, b_df)
    nfi_value = nfi(chisq, b_chisq)
    rmsea, lo, up, pclose = (
        rmsea_interval(chisq, df, n if n_test is None else n_test, groups)
        if np.isfinite(chisq)
        else (np.nan,) * 4
    )
    g = gfi(covs, sigmas, ns, estimator, x_index, means, mus)
    # lavaan 0.6 counts every sample moment here, the fixed.x ones included
    nel = groups * (p * (p + 1) // 2 + (p if mus is not None and mus[0] is not None else 0))
    agfi_value = agfi(g, nel, df)
    srmr = srmr_bentler(covs, sigmas, ns, means, mus)
    if likelihood:
        ll, ll0 = loglik(covs, sigmas, ns, means, mus, x_index)
        aic = -2 * ll + 2 * npar
        bic = -2 * ll + npar * np.log(n)
        bic2 = -2 * ll + npar * np.log((n + 2) / 24)
    else:
        ll = ll0 = aic = bic = bic2 = np.nan
    if estimator == "ULS":
        pvalue = np.nan
    if not np.isfinite(chisq):
        pvalue = cfi_value = tli_value = nfi_value = rmsea = lo = up = pclose = np.nan
    values = {
        "npar": npar,
        "n": n,
        "chisq": chisq,
        "df": df,
        "pvalue": pvalue,
        "baseline_chisq": b_chisq,
        "baseline_df": b_df,
        "cfi": cfi_value,
        "tli": tli_value,
        "nfi": nfi_value,
        "gfi": g,
        "agfi": agfi_value,
        "rmsea": rmsea,
        "rmsea_ci_lower": lo,
        "rmsea_ci_upper": up,
        "rmsea_pvalue": pclose,
        "srmr": srmr,
        "loglik": ll,
        "unrestricted_loglik": ll0,
        "aic": aic,
        "bic": bic,
        "bic_adjusted": bic2,
    }
    return pd.Series([float(values[k]) for k in FIT_NAMES], index=list(FIT_NAMES), name="value")
