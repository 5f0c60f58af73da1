"""Direct, indirect and total effects among the structural variables, with delta-method SEs.

With ``B`` the matrix of structural paths (row = target, column = source), the total
effects are ``T = (I - B)^-1 - I`` and the indirect effects ``T - B`` (Bollen 1987,
*Sociological Methodology* 17, 37-69). Standard errors by the delta method
``se = sqrt(diag(J V J'))`` with ``J`` the Jacobian of the effects with respect to the
free parameters (``d(I - B)^-1 = C dB C``) and ``V`` their covariance matrix (Sobel 1986).
Standardized effects scale by ``sd(source) / sd(target)`` (implied standard deviations);
their standard errors (``std_all_se`` ... ``std_all_ci_upper``) are delta-method ones
from the analytic Jacobian of the scaled effects (:mod:`csi.sem.standardized_se`), as lavaan's
``standardizedSolution`` gives for effects defined with ``:=``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import special

from csi.sem.estimates import variance_derivatives, variances
from csi.sem.standardized_se import SE_SUFFIXES, empty_se_columns, jacobian_se, se_columns
from csi.sem.structure import BETA, PSI, Structure

EFFECT_COLUMNS = [
    "source",
    "target",
    "effect",
    "estimate",
    "se",
    "z",
    "pvalue",
    "ci_lower",
    "ci_upper",
    "std_all",
] + [f"std_all_{k}" for k in SE_SUFFIXES]


def _effects(st: Structure, x: np.ndarray) -> np.ndarray:
    """Stacked (direct, indirect, total) effect matrices at ``x``, shape (3, m, m)."""
    st.model.update_matrices(x)
    b = st.model.matrices[BETA].copy()
    c = np.linalg.inv(np.eye(len(b)) - b)
    total = c - np.eye(len(b))
    return np.stack([b, total - b, total])


@functools.cache
def _no_effects() -> pd.DataFrame:
    """The effects table without rows (copied for each result)."""
    empty = pd.DataFrame([], columns=EFFECT_COLUMNS[:10])
    return pd.concat([empty, empty_se_columns("std_all", 0)], axis=1)


def effects_table(
    st: Structure, x: np.ndarray, vcov: np.ndarray | None, *, level: float = 0.95
) -> pd.DataFrame:
    """Long table: one row per (source, target, effect) with a non-zero total effect."""
    eff = _effects(st, x)
    m = eff.shape[1]
    if m == 0:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    if not eff[0].any():  # no structural path (a CFA): no effect at all
        return _no_effects().copy()
    cov = jac = None
    if vcov is not None and len(x):
        # analytic Jacobian: d(I - B)^-1 = C dB C, only path parameters move the effects
        c = eff[2] + np.eye(m)
        jac = np.zeros((3, m, m, len(x)))
        for i, dmx in enumerate(st.model.mx_diffs):
            db = dmx[BETA]
            if db is None:
                continue
            dt = c @ db @ c
            jac[0, :, :, i] = db
            jac[1, :, :, i] = dt - db
            jac[2, :, :, i] = dt
        flat = jac.reshape(eff.size, len(x))
        cov = np.einsum("ij,jk,ik->i", flat, vcov, flat)
    # structural zeros stay exact zeros (no rounding residue from the inverse)
    direct = (eff[0] != 0).astype(float)
    reach = np.zeros_like(direct)
    power = direct @ direct
    for _ in range(m):
        if not power.any():
            break
        reach += power
        power = (power @ direct != 0).astype(float)
    indirect_possible = reach > 0
    eff = _effects(st, x)  # also restores the matrices
    eff[1][~indirect_possible] = 0.0
    eff[2][~indirect_possible & (direct == 0)] = 0.0
    if cov is not None:
        cov = cov.reshape(eff.shape)
        cov[1][~indirect_possible] = 0.0
        cov = cov.ravel()
    total_var, _ = variances(st, x)
    zq = special.ndtri(0.5 + level / 2)  # the normal quantile (as scipy.stats.norm.ppf)
    kinds = ("direct", "indirect", "total")
    rows = []
    order = {v: k for k, v in enumerate(st.sm.latents + st.sm.observed)}
    for t in range(m):
        for s in range(m):
            if s == t or (abs(eff[2, t, s]) < 1e-300 and abs(eff[0, t, s]) < 1e-300):
                continue
            src, tgt = st.inner[s], st.inner[t]
            scale = np.sqrt(total_var[src] / total_var[tgt]) if total_var[tgt] > 0 else np.nan
            for k, kind in enumerate(kinds):
                est = float(eff[k, t, s])
                if cov is not None:
                    pos = int(np.ravel_multi_index((k, t, s), eff.shape))
                    se = float(np.sqrt(max(cov[pos], 0.0)))
                else:
                    se = np.nan
                z = est / se if se > 0 else np.nan
                p = float(2 * special.ndtr(-abs(z))) if se > 0 else np.nan
                rows.append(
                    (
                        (order.get(tgt, 0), order.get(src, 0), k),
                        (src, tgt, kind, est, se, z, p, est - zq * se, est + zq * se, est * scale),
                        (k, t, s),
                    )
                )
    rows.sort(key=lambda r: r[0])
    table = pd.DataFrame([r[1] for r in rows], columns=EFFECT_COLUMNS[:10])
    cells = [r[2] for r in rows]
    if vcov is None or jac is None or not rows:
        extra = empty_se_columns("std_all", len(rows))
    else:
        jac[1][~indirect_possible] = 0.0
        std = table["std_all"].to_numpy(dtype=float)
        std_jac = _standardized_jacobian(st, x, eff, jac, cells)
        extra = se_columns("std_all", std, jacobian_se(std, std_jac, vcov), level)
    return pd.concat([table, extra], axis=1)


def _standardized_jacobian(
    st: Structure,
    x: np.ndarray,
    eff: np.ndarray,
    jac: np.ndarray,
    cells: list[tuple[int, int, int]],
) -> np.ndarray:
    """Derivatives ``(cells, k)`` of the standardized effects ``e sqrt(v_s / v_t)``.

    ``d = de sqrt(v_s / v_t) + e sqrt(v_s / v_t) (dv_s / 2 v_s - dv_t / 2 v_t)`` with
    ``de`` the effects' Jacobian ``jac`` and ``v`` the implied variances of the inner
    variables (:func:`csi.sem.estimates.variance_derivatives`).
    """
    _sigma, m, c = st.implied(x)
    var = np.einsum("ij,jk,ik->i", c, st.model.matrices[PSI], c)
    _d_sig, d_var, _d_psi, _d_theta = variance_derivatives(st, m, c)
    kind, t, s = (np.asarray(part, dtype=np.intp) for part in zip(*cells, strict=True))
    vt, vs = var[t], var[s]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(vt > 0, np.sqrt(vs / np.where(vt > 0, vt, 1.0)), np.nan)
        value = eff[kind, t, s] * scale
        dlog = 0.5 * (d_var[:, s] / vs - d_var[:, t] / vt).T
        return scale[:, None] * jac[kind, t, s] + value[:, None] * dlog
