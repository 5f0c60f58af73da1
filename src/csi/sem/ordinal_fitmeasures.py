"""Fit measures of a DWLS / WLSMV fit to ordinal items, as lavaan 0.6.14 reports them.

Conventions (lavaan's for categorical data, checked against its output):

* The weight is ``W = diag(Gamma_c)^-1`` with ``Gamma_c = N / (N - 1) Gamma`` (``Gamma``
  the covariance, divisor N, of the polychoric influence functions), and
  ``chisq = N (r - sigma)' W (r - sigma)``; the baseline (independence) model has every
  correlation 0: ``baseline_chisq = N r' W r``.
* RMSEA (ordinary, scaled and robust) uses ``N - 1``.
* WLSMV's mean-and-variance adjusted ("scaled and shifted") test (Asparouhov & Muthen
  2010): with ``U = W - W Delta (Delta' W Delta)^-1 Delta' W``, ``a = sqrt(df / tr(UG)^2)``,
  ``chisq_scaled = a chisq + b``, ``b = df - sqrt(df tr(UG)^2 / tr((UG)^2))``;
  ``scaling_factor = 1 / a`` and ``shift_parameter = b``; the baseline likewise with
  ``U = W``. CFI, TLI and RMSEA ``*_scaled`` use the scaled statistics.
* ``*_robust`` follow Savalei (2021, *Multivariate Behav. Res.* 56(3), 390-407): the ML
  discrepancy of the polychoric matrix ``R`` at the DWLS estimates,
  ``T = N F_ML(R, Sigma)``, with its mean correction ``c = tr(P' W_ML P Gamma) / df``
  (``P = I - Delta (Delta' W Delta)^-1 Delta' W`` the DWLS residual projection and
  ``W_ML`` the normal-theory information of the correlations at ``Sigma``); baseline
  ``T_0 = -N log|R|``, ``c_0 = tr(Gamma) / df_0``; then the robust formulas of
  Brosseau-Liard & Savalei (2014): ``rmsea_robust = sqrt(max(T - c df, 0) / ((N-1) df))``,
  ``cfi_robust = 1 - max(T - c df, 0) / max(T - c df, T_0 - c_0 df_0)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from csi.sem.assemble import with_entries
from csi.sem.fitindices import FIT_NAMES, agfi, cfi, nfi, rmsea_interval, tli
from csi.sem.robust import robust_rmsea_interval

#: the test statistics each ordinal estimator reports (lavaan's defaults)
ROBUST_ESTIMATORS = ("WLSMV",)


def ordinal_fit_measures(
    *,
    n: int,
    corr: np.ndarray,
    implied: np.ndarray,
    gamma: np.ndarray,
    delta: np.ndarray,
    npar: int,
    robust: bool,
    continuous: list[int] | None = None,
    saturated: tuple[float, int] = (0.0, 0),
) -> pd.Series:
    """Fit measures of a DWLS fit of the correlations ``corr`` (p x p) by ``implied``.

    ``gamma`` is the covariance (divisor N) of ``sqrt(N)`` times the polychoric
    correlations in the order of ``np.triu_indices(p, 1)``, followed by the variances of
    the ``continuous`` items (rows of ``corr``; mixed models), ``delta`` the derivatives
    of those implied moments with respect to the free parameters (thresholds and means
    excluded: they are saturated). ``robust=True`` adds lavaan's WLSMV statistics (the
    Savalei robust indices only when every item is ordinal, as lavaan). ``saturated``:
    ``sum s_k^2 w_k`` and the count of the saturated statistics (thresholds, means), for
    lavaan's ``gfi = 1 - e'We / s'Ws`` over every statistic and
    ``agfi = 1 - (m / df)(1 - gfi)`` with ``m`` statistics.
    """
    p = len(corr)
    cont = list(continuous or [])
    iu, ju = np.triu_indices(p, 1)
    rows, cols = np.r_[iu, cont].astype(int), np.r_[ju, cont].astype(int)
    m_off = len(iu)
    s_vec, sig = corr[rows, cols], implied[rows, cols]
    e = s_vec - sig
    gamma_c = gamma * n / (n - 1)
    w = 1.0 / np.diag(gamma_c)
    df = len(s_vec) - delta.shape[1]
    chisq = n * float(e @ (w * e))
    r = s_vec[:m_off]
    b_chisq = n * float(r @ (w[:m_off] * r))
    b_df = m_off
    gfi = 1.0 - float(e @ (w * e)) / (float(s_vec @ (w * s_vec)) + saturated[0])
    m_all = len(s_vec) + saturated[1]
    values = chisq_entries(npar, n, chisq, df, b_chisq, b_df, gfi, m_all)
    values.update(srmr=_srmr(corr, implied))
    point, lo, up, pclose = rmsea_interval(chisq, df, n - 1)
    values.update(rmsea=point, rmsea_ci_lower=lo, rmsea_ci_upper=up, rmsea_pvalue=pclose)
    out = pd.Series(values, dtype=float, name="value")
    if not robust or df <= 0:
        return out
    extra = _scaled_shifted(n, df, chisq, b_chisq, b_df, w, gamma_c, delta)
    if not cont:
        extra.update(_savalei_robust(n, df, corr, implied, w, gamma, delta))
    return with_entries(out, extra)


def chisq_entries(
    npar: int,
    n: float,
    chisq: float,
    df: int,
    b_chisq: float,
    b_df: int,
    gfi: float,
    m_all: int,
) -> dict[str, float]:
    """The fit entries (``FIT_NAMES``, NaN where not given) of a test statistic
    ``chisq`` on ``df`` against the baseline ``b_chisq`` on ``b_df``: p-value, CFI, TLI,
    NFI, and lavaan's ``agfi = 1 - (m / df)(1 - gfi)`` over ``m_all`` statistics."""
    values = dict.fromkeys(FIT_NAMES, np.nan)
    values.update(
        npar=npar,
        n=n,
        chisq=chisq,
        df=df,
        pvalue=float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        baseline_chisq=b_chisq,
        baseline_df=b_df,
        cfi=cfi(chisq, df, b_chisq, b_df),
        tli=tli(chisq, df, b_chisq, b_df),
        nfi=nfi(chisq, b_chisq),
        gfi=gfi,
        agfi=agfi(gfi, m_all, df),
    )
    return values


def scaled_entries(
    chisq: float,
    df: int,
    b_chisq: float,
    b_df: int,
    shift: tuple[float, float],
    b_shift: tuple[float, float],
    n_rmsea: float,
    groups: int = 1,
) -> dict[str, float]:
    """lavaan's scaled-and-shifted (WLSMV) entries: ``T = a chisq + b`` with
    ``shift = (a, b)``, the baseline's likewise with ``b_shift``, and the p-value, CFI,
    TLI and RMSEA (on ``n_rmsea``, ``groups`` groups) of those statistics."""
    (a, b), (ab, bb) = shift, b_shift
    t, tb = a * chisq + b, ab * b_chisq + bb
    point, lo, up, pclose = rmsea_interval(t, df, n_rmsea, groups)
    return {
        "chisq_scaled": t,
        "pvalue_scaled": float(stats.chi2.sf(t, df)),
        "scaling_factor": 1.0 / a,
        "shift_parameter": b,
        "baseline_chisq_scaled": tb,
        "baseline_scaling_factor": 1.0 / ab,
        "cfi_scaled": cfi(t, df, tb, b_df),
        "tli_scaled": tli(t, df, tb, b_df),
        "rmsea_scaled": point,
        "rmsea_ci_lower_scaled": lo,
        "rmsea_ci_upper_scaled": up,
        "rmsea_pvalue_scaled": pclose,
    }


def _srmr(corr: np.ndarray, implied: np.ndarray) -> float:
    """Bentler's SRMR on the correlation scale (lower triangle with the diagonal)."""
    ds, di = np.sqrt(np.diag(corr)), np.sqrt(np.diag(implied))
    res = corr / np.outer(ds, ds) - implied / np.outer(di, di)
    il = np.tril_indices(len(corr))
    return float(np.sqrt(np.mean(res[il] ** 2)))


def _scale_shift(df: float, ug: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` of the scaled-and-shifted statistic ``a T + b`` for the matrix ``U Gamma``."""
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = float(np.sqrt(df / tr2))
    return a, df - float(np.sqrt(df * tr1**2 / tr2))


def _scaled_shifted(
    n: int,
    df: int,
    chisq: float,
    b_chisq: float,
    b_df: int,
    w: np.ndarray,
    gamma_c: np.ndarray,
    delta: np.ndarray,
) -> dict[str, float]:
    wd = w[:, None] * delta
    u = np.diag(w) - wd @ np.linalg.solve(delta.T @ wd, wd.T)
    a, b = _scale_shift(df, u @ gamma_c)
    # baseline: correlations 0, variances of continuous items free (projected out)
    ab, bb = _scale_shift(b_df, w[:b_df, None] * gamma_c[:b_df, :b_df])
    return scaled_entries(chisq, df, b_chisq, b_df, (a, b), (ab, bb), n - 1)


def _savalei_robust(
    n: int,
    df: int,
    corr: np.ndarray,
    implied: np.ndarray,
    w: np.ndarray,
    gamma: np.ndarray,
    delta: np.ndarray,
) -> dict[str, float]:
    p = len(corr)
    iu, ju = np.triu_indices(p, 1)
    inv = np.linalg.inv(implied)
    f_ml = (
        float(np.linalg.slogdet(implied)[1] - np.linalg.slogdet(corr)[1])
        + float(np.trace(corr @ inv))
        - p
    )
    t = n * f_ml
    # normal-theory information of the correlations (variances known) at Sigma
    w_ml = inv[np.ix_(iu, iu)] * inv[np.ix_(ju, ju)] + inv[np.ix_(iu, ju)] * inv[np.ix_(ju, iu)]
    wd = w[:, None] * delta
    proj = np.eye(len(iu)) - delta @ np.linalg.solve(delta.T @ wd, wd.T)
    c = float(np.sum((proj.T @ w_ml @ proj) * gamma.T)) / df
    b_df = len(iu)
    t0 = -n * float(np.linalg.slogdet(corr)[1])
    c0 = float(np.trace(gamma)) / b_df
    ncp, ncp0 = max(t - c * df, 0.0), max(t0 - c0 * b_df, 0.0)
    lo, up = robust_rmsea_interval(t / c, df, c, n - 1, 1)
    return {
        "cfi_robust": 1.0 - ncp / max(ncp, ncp0) if max(ncp, ncp0) > 0 else 1.0,
        "tli_robust": 1.0 - (ncp / df) / (ncp0 / b_df) if ncp0 > 0 else 1.0,
        "rmsea_robust": float(np.sqrt(ncp / ((n - 1) * df))),
        "rmsea_ci_lower_robust": lo,
        "rmsea_ci_upper_robust": up,
        "rmsea_pvalue_robust": float(stats.ncx2.sf(t / c, df, (n - 1) * df * 0.05**2 / c)),
    }
