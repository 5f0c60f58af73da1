"""Modification indices: score tests for parameters the model fixes to zero.

For a fixed parameter ``j`` (Sorbom 1989, *Psychometrika* 54(3), 371-384; lavaan's
``modindices`` with expected information)::

    MI_j  = (N / 2) g_j^2 / (H_jj - H_jf H_ff^-1 H_fj)
    EPC_j = -g_j / (H_jj - H_jf H_ff^-1 H_fj)

with ``g`` the gradient of ``F_ML`` and ``H_ab = tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b)``
(``f`` = free parameters), all at the estimates. ``MI`` approximates the drop in chi-square
when ``j`` is freed (1 df); ``sepc_all`` is the EPC in the standardized metric.
Candidates: cross-loadings, item residual covariances, latent covariances and paths
between latent constructs that are not in the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.sem.engine import _whiten
from csi.sem.estimates import variances
from csi.sem.structure import BETA, LAMBDA, PSI, THETA

if TYPE_CHECKING:
    from csi.sem.result import SEMResult

MI_COLUMNS = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]


def modification_indices(result: SEMResult, *, minimum: float = 0.0) -> pd.DataFrame:
    """Modification indices of a single-group ML fit, largest first."""
    state = result.fitted_state
    if state is None or state.estimator not in ("ML", "MLM"):
        raise CsiInputError("modification indices need a single-group ML fit")
    engine = state.engine
    if len(engine.structs) != 1 or engine.meanstructure:
        raise CsiInputError("modification indices are available for single-group ML fits")
    st = engine.structs[0]
    theta = state.theta
    x = theta[engine.maps[0].cov_idx]
    s = engine.state(theta, 0)
    sigma, m, c = st.implied(x)
    mats = st.model.matrices
    psi = mats[PSI]
    pmat = c @ psi
    dmat = pmat @ m.T
    taken = {(e.matrix, e.row, e.col) for e in st.entries}
    taken |= {(e.matrix, e.col, e.row) for e in st.entries if e.matrix in (PSI, THETA)}
    latents = set(st.sm.latents)
    inner_pos = {v: k for k, v in enumerate(st.inner)}
    cands: list[tuple[str, str, str, np.ndarray]] = []
    for j, lat in enumerate(st.inner):
        if lat not in latents:
            continue
        for i, item in enumerate(st.obs):
            if item in inner_pos or (LAMBDA, i, j) in taken:
                continue
            e = np.zeros_like(mats[LAMBDA])
            e[i, j] = 1.0
            t = e @ dmat
            cands.append((lat, "=~", item, t + t.T))
    obs_order = list(st.sm.observed)
    for a in range(len(st.obs)):
        for b in range(a + 1, len(st.obs)):
            if (THETA, a, b) in taken or st.obs[a] in inner_pos or st.obs[b] in inner_pos:
                continue
            e = np.zeros_like(sigma)
            e[a, b] = e[b, a] = 1.0
            lhs, rhs = sorted((st.obs[a], st.obs[b]), key=obs_order.index)
            cands.append((lhs, "~~", rhs, e))
    lat_idx = [k for k, v in enumerate(st.inner) if v in latents]
    lat_order = list(st.sm.latents)
    for a in lat_idx:
        for b in lat_idx:
            if a == b:
                continue
            if a < b and (PSI, a, b) not in taken:
                e = np.zeros_like(psi)
                e[a, b] = e[b, a] = 1.0
                lhs, rhs = sorted((st.inner[a], st.inner[b]), key=lat_order.index)
                cands.append((lhs, "~~", rhs, m @ e @ m.T))
            if (BETA, a, b) not in taken and (BETA, b, a) not in taken:
                e = np.zeros_like(mats[BETA])
                e[a, b] = 1.0
                t = e @ pmat
                cands.append((st.inner[a], "~", st.inner[b], m @ (t + t.T) @ m.T))
    if not cands:
        return pd.DataFrame(columns=MI_COLUMNS)
    data = engine.stats[0]
    n = data.n
    dc = np.stack([cd[3] for cd in cands])
    ef = _whiten(s.chol, s.dsig)
    ec = _whiten(s.chol, dc)
    resid = _whiten(s.chol, (s.sigma - data.cov)[None])[0]
    g = np.einsum("kab,ab->k", ec, resid)
    ff = ef.reshape(len(ef), -1)
    cf = ec.reshape(len(ec), -1)
    h_ff = ff @ ff.T
    h_cf = cf @ ff.T
    h_cc = np.einsum("ij,ij->i", cf, cf)
    sol = np.linalg.lstsq(h_ff, h_cf.T, rcond=None)[0]
    denom = h_cc - np.einsum("ij,ji->i", h_cf, sol)
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.where(denom > 1e-12, 0.5 * n * g**2 / denom, np.nan)
        epc = np.where(denom > 1e-12, -g / denom, np.nan)
    total, resid_var = variances(st, x)
    rows = []
    for (lhs, op, rhs, _), mi_j, epc_j in zip(cands, mi, epc, strict=True):
        sd = {v: np.sqrt(total[v]) for v in (lhs, rhs)}
        if op == "=~":
            sepc = epc_j * sd[lhs] / sd[rhs]
        elif op == "~":
            sepc = epc_j * sd[rhs] / sd[lhs]
        else:
            ra, rb = resid_var.get(lhs, np.nan), resid_var.get(rhs, np.nan)
            sepc = epc_j / np.sqrt(ra * rb) if ra > 0 and rb > 0 else np.nan
        rows.append((lhs, op, rhs, float(mi_j), float(epc_j), float(sepc)))
    out = pd.DataFrame(rows, columns=MI_COLUMNS)
    # NaN: freeing the parameter is equivalent to a parameter already free (e.g. a path
    # between two constructs that already covary) - no test is possible, leave it out
    out = out[out["mi"].notna() & (out["mi"] >= minimum)]
    return out.sort_values("mi", ascending=False, ignore_index=True)
