"""The lavaan-like parameter table, standardized solutions and R².

Standardization follows lavaan (``standardizedSolution``):

* ``std_lv``: latent variables scaled to unit (model-implied) variance;
* ``std_all``: latent and observed variables scaled to unit variance. Loadings and paths
  ``b * sd(x) / sd(y)``; variances ``v / var(y)`` (total implied variance);
  covariances between two residuals ``c / sqrt(v_a v_b)`` with the residual variances
  (i.e. the residual correlation).

R² of an endogenous variable is ``1 - residual variance / implied variance``.

Both standardized columns come with delta-method standard errors, z, p-values and
intervals (``std_lv_se`` ... ``std_all_ci_upper``; :mod:`csi.sem.standardized_se`), from
the analytic Jacobian of the same rules (``_StandardizePlan``, the one place that
computes the standardized solution).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from csi.sem.standardized_se import delta_method_se, jacobian_se, se_arrays, se_columns
from csi.sem.structure import BETA, LAMBDA, PSI, THETA, Structure

#: Columns of the parameter table (stable API).
ESTIMATE_COLUMNS = [
    "lhs",
    "op",
    "rhs",
    "label",
    "estimate",
    "se",
    "z",
    "pvalue",
    "ci_lower",
    "ci_upper",
    "std_lv",
    "std_all",
]

#: delta-method columns appended after ESTIMATE_COLUMNS by :func:`parameter_table`
STD_SE_COLUMNS = [
    f"{std}_{k}"
    for std in ("std_lv", "std_all")
    for k in ("se", "z", "pvalue", "ci_lower", "ci_upper")
]


def variances(st: Structure, x: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
    """Implied total variances and residual (``~~`` diagonal) variances of every variable."""
    sigma, _m, c = st.implied(x)
    psi = st.model.matrices[PSI]
    theta = st.model.matrices[THETA]
    cov_inner = c @ psi @ c.T
    total = {v: float(cov_inner[k, k]) for k, v in enumerate(st.inner)}
    total.update({v: float(sigma[k, k]) for k, v in enumerate(st.obs)})
    resid = {v: float(psi[k, k]) for k, v in enumerate(st.inner)}
    for k, v in enumerate(st.obs):
        if v not in resid:
            resid[v] = float(theta[k, k])
    return total, resid


def parameter_table(
    st: Structure,
    x: np.ndarray,
    vcov: np.ndarray | None,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """One row per parameter (free and fixed), in lavaan's order."""
    plan = _StandardizePlan(st)
    if vcov is None:
        std, jac = plan.values(x), None
    else:
        std, jac = plan.values_and_jacobian(x)
    entries = st.entries
    mats = st.model.matrices
    free = np.array([e.free for e in entries], dtype=np.intp)
    is_free = free >= 0
    # fixed entries are read from the matrices (fixed.x values come from the data);
    # index -1 (fixed) reads the 0 appended to x
    fixed = np.array([0.0 if e.free >= 0 else float(mats[e.matrix][e.row, e.col]) for e in entries])
    est = np.where(is_free, np.append(np.asarray(x, dtype=float), 0.0)[free], fixed)
    if vcov is None:
        se = np.where(is_free, np.nan, 0.0)
    else:
        se_all = np.append(np.sqrt(np.clip(np.diag(vcov), 0, None)), 0.0)
        se = np.where(is_free, se_all[free], 0.0)
    tested = is_free & (se > 0)
    z = np.where(tested, est / np.where(tested, se, 1.0), np.nan)
    p = np.where(tested, 2 * special.ndtr(-np.abs(np.nan_to_num(z))), np.nan)
    zq = special.ndtri(0.5 + level / 2)  # the normal quantile (as scipy.stats.norm.ppf)
    order = _order_keys(st)
    keys = [order.get((e.lhs, e.op, e.rhs), 10**6) for e in entries]
    sort = np.argsort(keys, kind="stable")
    n = len(entries)
    columns: dict[str, Any] = {
        "lhs": [entries[k].lhs for k in sort],
        "op": [entries[k].op for k in sort],
        "rhs": [entries[k].rhs for k in sort],
        "label": [entries[k].label for k in sort],
        "estimate": est[sort],
        "se": se[sort],
        "z": z[sort],
        "pvalue": p[sort],
        "ci_lower": (est - zq * se)[sort],
        "ci_upper": (est + zq * se)[sort],
        "std_lv": std[:n][sort],
        "std_all": std[n:][sort],
    }
    for name, values in _standardized_se(std, jac, vcov, level).items():
        columns[name] = values[sort]
    return pd.DataFrame(columns)


def _standardized_se(
    std: np.ndarray, jac: np.ndarray | None, vcov: np.ndarray | None, level: float
) -> dict[str, np.ndarray]:
    """Delta-method SE columns of ``std_lv`` and ``std_all`` (rows in ``st.entries`` order)
    from the values ``std`` (``std_lv`` then ``std_all``) and their Jacobian ``jac``."""
    n = len(std) // 2
    if vcov is None or jac is None:
        se = np.full(2 * n, np.nan)
    else:
        se = jacobian_se(std, jac, vcov)
    return {
        **se_arrays("std_lv", std[:n], se[:n], level),
        **se_arrays("std_all", std[n:], se[n:], level),
    }


def variance_derivatives(
    st: Structure, m: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Derivatives w.r.t. the free parameters of the diagonals of ``Sigma``, ``C Psi C'``
    (inner variables), ``Psi`` and ``Theta``, each ``(k, size)``, at the matrices of the
    last :meth:`Structure.implied` call (``m = Lambda C``, ``c = C``).

    ``d(C Psi C') = (C dB) P + P (C dB)' + C dPsi C'`` with ``P = C Psi C'`` (as
    ``dC = C dB C``); ``dSigma`` is :meth:`Structure.dsigma`.
    """
    dsig = st.dsigma(m, c)
    if not len(dsig):
        p, q = st.p, len(st.inner)
        return np.zeros((0, p)), np.zeros((0, q)), np.zeros((0, q)), np.zeros((0, p))
    db, _dl, dp, dt = st._diff_stacks()
    psi = st.model.matrices[PSI]
    cov_inner = c @ psi @ c.T
    d_inner = 2.0 * np.einsum("kij,ji->ki", c @ db, cov_inner) + np.einsum(
        "ij,kjl,il->ki", c, dp, c
    )
    return (
        np.einsum("kii->ki", dsig),
        d_inner,
        np.einsum("kii->ki", dp),
        np.einsum("kii->ki", dt),
    )


class _StandardizePlan:
    """The standardized solution of every entry of ``st.entries`` as array operations.

    The entries' variables, operators and fixed values are read once; :meth:`values`
    then gives every entry's ``std_lv`` and ``std_all`` (the rules of the module
    docstring, lavaan's ``standardizedSolution``) and :meth:`values_and_jacobian` also
    their analytic derivatives for the delta method.
    """

    def __init__(self, st: Structure) -> None:
        self.st = st
        inner, obs = list(st.inner), list(st.obs)
        names = list(dict.fromkeys([*inner, *obs]))
        at = {v: k for k, v in enumerate(names)}
        self.n_names = len(names)
        # total variance: observed variables from Sigma, the others from C Psi C'
        self.total_obs = np.array([at[v] for v in obs], dtype=np.intp)
        self.total_inner = np.array([at[v] for v in inner if v not in set(obs)], dtype=np.intp)
        self.total_inner_pos = np.array(
            [k for k, v in enumerate(inner) if v not in set(obs)], dtype=np.intp
        )
        # residual variance: inner variables from Psi, the other observed ones from Theta
        self.resid_inner = np.array([at[v] for v in inner], dtype=np.intp)
        self.resid_obs = np.array([at[v] for v in obs if v not in set(inner)], dtype=np.intp)
        self.resid_obs_pos = np.array(
            [k for k, v in enumerate(obs) if v not in set(inner)], dtype=np.intp
        )
        latents = set(st.sm.latents)
        missing = self.n_names  # index of a sentinel: total 0, residual NaN, not latent
        self.is_latent = np.array([v in latents for v in names] + [False])
        entries = st.entries
        self.lhs = np.array([at.get(e.lhs, missing) for e in entries], dtype=np.intp)
        self.rhs = np.array([at.get(e.rhs, missing) for e in entries], dtype=np.intp)
        self.loading = np.array([e.op == "=~" for e in entries])
        self.regression = np.array([e.op == "~" for e in entries])
        self.same = np.array([e.op not in ("=~", "~") and e.lhs == e.rhs for e in entries])
        self.free = np.array([e.free for e in entries], dtype=np.intp)
        mats = st.model.matrices
        self.fixed = np.array(
            [float(mats[e.matrix][e.row, e.col]) if e.free < 0 else 0.0 for e in entries]
        )

    def _variances(
        self, x: np.ndarray, derivatives: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Total and residual variance of every variable (+ the sentinel), and with
        ``derivatives`` their ``(names + 1, k)`` derivatives."""
        sigma, m, c = self.st.implied(x)
        psi = self.st.model.matrices[PSI]
        theta = self.st.model.matrices[THETA]
        total = np.zeros(self.n_names + 1)
        resid = np.full(self.n_names + 1, np.nan)
        if self.total_inner.size:
            cov_inner_diag = np.einsum("ij,jk,ik->i", c, psi, c)
            total[self.total_inner] = cov_inner_diag[self.total_inner_pos]
        total[self.total_obs] = np.diag(sigma)
        resid[self.resid_inner] = np.diag(psi)
        resid[self.resid_obs] = np.diag(theta)[self.resid_obs_pos]
        if not derivatives:
            return total, resid, None, None
        d_sig, d_inner, d_psi, d_theta = variance_derivatives(self.st, m, c)
        k = len(x)
        d_total = np.zeros((self.n_names + 1, k))
        d_resid = np.zeros((self.n_names + 1, k))
        d_total[self.total_inner] = d_inner.T[self.total_inner_pos]
        d_total[self.total_obs] = d_sig.T
        d_resid[self.resid_inner] = d_psi.T
        d_resid[self.resid_obs] = d_theta.T[self.resid_obs_pos]
        return total, resid, d_total, d_resid

    def values(self, x: np.ndarray) -> np.ndarray:
        """``std_lv`` then ``std_all`` of every entry at ``x`` (one vector)."""
        total, resid, _, _ = self._variances(x, derivatives=False)
        return self._standardize(self._estimates(x), total, resid)

    def _estimates(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.free >= 0, x[np.maximum(self.free, 0)], self.fixed)

    def _standardize(self, est: np.ndarray, total: np.ndarray, resid: np.ndarray) -> np.ndarray:
        """``std_lv`` then ``std_all`` of entries with values ``est``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.where(total > 0, np.sqrt(np.where(total > 0, total, 1.0)), np.nan)
            sd_lv = np.where(self.is_latent, sd, 1.0)
            lhs, rhs = self.lhs, self.rhs
            lat_l, lat_r = self.is_latent[lhs], self.is_latent[rhs]
            # covariances (and any other operator): residual correlations for std_all;
            # std_lv divides by the residual sd of the latent side(s) only
            ra, rb = resid[lhs], resid[rhs]
            cov_all = np.where((ra > 0) & (rb > 0), est / np.sqrt(ra * rb), np.nan)
            cov_lv = np.where(
                lat_l & lat_r,
                cov_all,
                np.where(lat_l, est / np.sqrt(ra), np.where(lat_r, est / np.sqrt(rb), est)),
            )
            var_all = np.where(total[lhs] > 0, est / total[lhs], np.nan)
            var_lv = np.where(lat_l, var_all, est)
            std_lv = np.where(
                self.loading,
                est * sd[lhs] / sd_lv[rhs],
                np.where(
                    self.regression,
                    est * sd_lv[rhs] / sd_lv[lhs],
                    np.where(self.same, var_lv, cov_lv),
                ),
            )
            std_all = np.where(
                self.loading,
                est * sd[lhs] / sd[rhs],
                np.where(
                    self.regression,
                    est * sd[rhs] / sd[lhs],
                    np.where(self.same, var_all, cov_all),
                ),
            )
        return np.concatenate([std_lv, std_all])

    def values_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`values` and their derivatives ``(2 entries, k)`` w.r.t. ``x``.

        Every value is ``est * f`` with ``f`` a product of powers of total and residual
        variances, so ``d value = f d est + value d log f``; ``d log sd(v) =
        dvar(v) / (2 var(v))`` (``q`` below for total, ``u`` for residual variances).
        """
        x = np.asarray(x, dtype=float)
        total, resid, d_total, d_resid = self._variances(x, derivatives=True)
        assert d_total is not None and d_resid is not None
        std = self._standardize(self._estimates(x), total, resid)
        # the factor f of each value (value = est * f): the rules at est = 1
        factor = self._standardize(np.ones(len(self.free)), total, resid)
        n, k = len(self.free), len(x)
        d_est = np.zeros((n, k))
        free = np.flatnonzero(self.free >= 0)
        d_est[free, self.free[free]] = 1.0
        lhs, rhs = self.lhs, self.rhs
        lat = self.is_latent[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            q = 0.5 * d_total / total[:, None]
            u = 0.5 * d_resid / resid[:, None]
            q_lv = np.where(lat, q, 0.0)
            u_lv = np.where(lat, u, 0.0)
            load, reg, same = (a[:, None] for a in (self.loading, self.regression, self.same))
            dlog_all = np.where(
                load,
                q[lhs] - q[rhs],
                np.where(reg, q[rhs] - q[lhs], np.where(same, -2.0 * q[lhs], -(u[lhs] + u[rhs]))),
            )
            dlog_lv = np.where(
                load,
                q[lhs] - q_lv[rhs],
                np.where(
                    reg,
                    q_lv[rhs] - q_lv[lhs],
                    np.where(same, -2.0 * q_lv[lhs], -(u_lv[lhs] + u_lv[rhs])),
                ),
            )
            jac_lv = factor[:n, None] * d_est + std[:n, None] * dlog_lv
            jac_all = factor[n:, None] * d_est + std[n:, None] * dlog_all
        return std, np.vstack([jac_lv, jac_all])


def _order_keys(st: Structure) -> dict[tuple[str, str, str], int]:
    """lavaan's table order: user statements, then error variances, latent (co)variances."""
    keys: dict[tuple[str, str, str], int] = {}
    for t in st.sm.all_terms:
        keys.setdefault((t.lhs, t.op, t.rhs), len(keys))
    base = len(keys)
    obs_order = [v for v in st.sm.observed]
    lat_order = list(st.sm.latents)
    for k, v in enumerate(obs_order):
        keys.setdefault((v, "~~", v), base + k)
    base += len(obs_order)
    for k, v in enumerate(lat_order):
        keys.setdefault((v, "~~", v), base + k)
    base += len(lat_order)
    every = lat_order + obs_order
    n = len(every)
    for i, a in enumerate(every):
        for j in range(i + 1, n):
            keys.setdefault((a, "~~", every[j]), base + i * n + j)
    return keys


def r_squared(st: Structure, x: np.ndarray) -> pd.Series:
    """R² of every endogenous variable: indicators and dependent constructs."""
    total, resid = variances(st, x)
    mats = st.model.matrices
    out: dict[str, float] = {}
    inner_set = set(st.inner)
    lam = mats[LAMBDA]
    for k, v in enumerate(st.obs):
        if v in inner_set:
            continue
        if np.any(lam[k] != 0) and total[v] > 0:
            out[v] = 1.0 - resid[v] / total[v]
    beta = mats[BETA]
    for k, v in enumerate(st.inner):
        if np.any(beta[k] != 0) and total[v] > 0:
            out[v] = 1.0 - resid[v] / total[v]
    order = list(st.sm.observed) + list(st.sm.latents)
    ordered = sorted(out, key=lambda v: order.index(v) if v in order else len(order))
    return pd.Series({v: out[v] for v in ordered}, name="r2", dtype=float)


def intercept_std_se(
    st: Structure,
    cov_idx: np.ndarray,
    theta: np.ndarray,
    vcov: np.ndarray,
    entries: Sequence[tuple[str, int, float]],
    level: float,
) -> pd.DataFrame:
    """Delta-method columns of the standardized intercepts and latent means (``~1`` rows).

    ``entries``: ``(variable, index of its mean parameter in theta or -1, fixed value)``
    in the rows' order; ``cov_idx`` the group's covariance-structure parameters in
    ``theta``. ``std_all = mean / sd`` (implied sd) for every variable; ``std_lv`` the same
    for latents and the raw intercept for items, as lavaan's ``standardizedSolution``.
    """
    latents = set(st.sm.latents)
    cov_idx = np.asarray(cov_idx, dtype=int)
    used = sorted({int(i) for i in cov_idx} | {i for _, i, _ in entries if i >= 0})
    sub = np.asarray(used, dtype=int)

    def values(t: np.ndarray) -> np.ndarray:
        full = np.array(theta, dtype=float)
        full[sub] = t
        total, _ = variances(st, full[cov_idx])
        lv, al = [], []
        for var, idx, value in entries:
            est = float(full[idx]) if idx >= 0 else value
            sd = np.sqrt(total[var]) if total.get(var, 0.0) > 0 else np.nan
            al.append(est / sd)
            lv.append(est / sd if var in latents else est)
        return np.array(lv + al)

    est = values(np.asarray(theta, dtype=float)[sub])
    se = delta_method_se(values, np.asarray(theta, dtype=float)[sub], vcov[np.ix_(sub, sub)])
    n = len(entries)
    return pd.concat(
        [
            se_columns("std_lv", est[:n], se[:n], level),
            se_columns("std_all", est[n:], se[n:], level),
        ],
        axis=1,
    )
