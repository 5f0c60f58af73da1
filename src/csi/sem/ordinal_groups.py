"""Multi-group DWLS / WLSMV for ordinal items (lavaan's delta parameterization).

Each group ``g`` has its own thresholds, polychoric correlations and ``Gamma_g``
(:mod:`csi.sem.polychoric`). The model for the latent responses ``y*`` of group ``g``::

    Sigma*_g = Lambda_g C_g Psi_g C_g' Lambda_g' + Theta_g,   kappa_g = Lambda_g C_g alpha_g
    tau*_g,jc = Delta_g,j (tau_g,jc - kappa_g,j),  rho*_g,ij = Delta_g,i Delta_g,j Sigma*_g,ij

with the scale factors ``Delta`` (lavaan's ``~*~``) and the latent means ``alpha`` fixed at
1 and 0 in every group, except that with ``group_equal`` containing ``"thresholds"`` they are
free in groups 2..G (lavaan's identification of threshold invariance; ``"means"`` keeps
``alpha`` at 0). Item error variances are not parameters: ``theta_jj = 1 / Delta_j^2 -
(Lambda C Psi C' Lambda')_jj`` (unit diagonal of ``Delta Sigma* Delta``). Fit function
``F = sum_g (N_g / N) e_g' W_g e_g`` over the thresholds and correlations of every group,
``W_g = diag(N_g / (N_g - 1) Gamma_g)^-1``, ``chisq = N F``; robust covariance and the
scaled-and-shifted test from the stacked groups (Asparouhov & Muthen 2010). The Jacobian
of the implied statistics is taken by central differences (step 1e-6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError
from csi.sem.assemble import FitRun, GroupPieces, assemble_result, with_entries
from csi.sem.effects import effects_table
from csi.sem.estimates import ESTIMATE_COLUMNS, parameter_table, r_squared, variances
from csi.sem.fitindices import rmsea_interval
from csi.sem.groups import build_maps
from csi.sem.ordinal_fitmeasures import _scale_shift, chisq_entries, scaled_entries
from csi.sem.polychoric import OrdinalStats, near_pd_correlation
from csi.sem.result import SEMResult
from csi.sem.robust import robust_rmsea_interval
from csi.sem.structure import THETA, Structure, readable_names

#: group_equal keywords available with ordinal items
ORDINAL_EQUAL = ("loadings", "thresholds", "regressions", "lv_variances", "lv_covariances", "means")


@dataclass
class _Layout:
    """Where each group's parameters sit in the global vector (-1 = fixed)."""

    cov_idx: list[np.ndarray]  # per group: global index of each semopy free parameter
    theta_local: list[list[int]]  # per group: local indices of the derived error variances
    tau_idx: list[list[np.ndarray]]  # per group, per item: global index of each threshold
    alpha_idx: list[np.ndarray]  # per group: per latent
    delta_idx: list[np.ndarray]  # per group: per item
    names: list[str]
    free: np.ndarray  # global indices estimated (not derived)


def fit_ordinal_groups(
    sm: Any,
    stats_: list[OrdinalStats],
    labels: list[Any],
    group_equal: Sequence[str],
    n_excluded: int,
    *,
    estimator: str,
    level: float,
    lang: str,
    max_iter: int,
) -> SEMResult:
    """Multi-group fit; ``stats_`` per group with items in ``sm.observed`` order."""
    equal = set(group_equal)
    bad = sorted(equal - set(ORDINAL_EQUAL))
    if bad:
        raise CsiInputError(
            f"group_equal {bad} is not available with ordinal items; choose from {ORDINAL_EQUAL}"
        )
    if sm.single_item_latents():
        raise CsiInputError(
            "multi-group ordinal fits need constructs with two or more items; single-item "
            f"constructs: {list(sm.single_item_latents())}"
        )
    items = list(sm.observed)
    structs = [Structure(sm) for _ in stats_]
    st0 = structs[0]
    perm = [items.index(v) for v in st0.obs]
    if any("~~" == e.op and e.matrix == THETA and e.lhs != e.rhs for e in st0.entries):
        raise CsiInputError("multi-group ordinal fits do not support residual covariances")
    lay = _layout(structs, stats_, equal)
    n_g = np.array([s.n for s in stats_], dtype=float)
    n = float(n_g.sum())
    frac = n_g / n
    obs_vec, w_vec, gam, gam_test = [], [], [], []
    for os_ in stats_:
        o, order = _observed(os_, perm)
        obs_vec.append(o)
        g_raw = os_.gamma[np.ix_(order, order)]
        # lavaan: the weight and the test from N_g / (N_g - 1) Gamma_g, the sandwich of
        # the robust SEs from N / (N - G) Gamma_g (checked against its output)
        w_vec.append((os_.n - 1) / os_.n / np.diag(g_raw))
        gam.append(g_raw * n / (n - len(stats_)))
        gam_test.append(g_raw * os_.n / (os_.n - 1))
    x = _start(structs, stats_, lay, perm)

    def model(xg: np.ndarray) -> list[np.ndarray]:
        return [_implied(structs[g], lay, g, xg, perm)[0] for g in range(len(structs))]

    def objective(xg: np.ndarray) -> float:
        return float(
            sum(
                f * float((o - m) @ (w * (o - m)))
                for f, o, m, w in zip(frac, obs_vec, model(xg), w_vec, strict=True)
            )
        )

    def jacobian(xg: np.ndarray) -> list[np.ndarray]:
        cols: list[list[np.ndarray]] = [[] for _ in structs]
        for k in lay.free:
            h = 1e-6 * max(1.0, abs(xg[k]))
            up, dn = xg.copy(), xg.copy()
            up[k] += h
            dn[k] -= h
            for g, (a, b) in enumerate(zip(model(up), model(dn), strict=True)):
                cols[g].append((a - b) / (2 * h))
        return [np.column_stack(c) for c in cols]

    f_val = objective(x)
    converged, it = False, 0
    while it < max_iter:
        it += 1
        jac = jacobian(x)
        res = [o - m for o, m in zip(obs_vec, model(x), strict=True)]
        a = sum(f * j.T @ (w[:, None] * j) for f, j, w in zip(frac, jac, w_vec, strict=True))
        grad = sum(f * j.T @ (w * r) for f, j, w, r in zip(frac, jac, w_vec, res, strict=True))
        step = np.linalg.lstsq(a, grad, rcond=None)[0]
        t = 1.0
        while t > 1e-8:
            new = x.copy()
            new[lay.free] += t * step
            try:
                f_new = objective(new)
            except np.linalg.LinAlgError:
                f_new = np.inf
            if np.isfinite(f_new) and f_new <= f_val + 1e-15:
                break
            t /= 2
        if t <= 1e-8:
            converged = bool(np.max(np.abs(grad)) < 1e-7)
            break
        size = float(np.max(np.abs(t * step) / np.maximum(1.0, np.abs(new[lay.free]))))
        x, f_val = new, f_new
        if size < 1e-10:
            converged = True
            break
    jac = jacobian(x)
    a = sum(f * j.T @ (w[:, None] * j) for f, j, w in zip(frac, jac, w_vec, strict=True))
    a_inv = np.linalg.pinv(a)
    if estimator == "WLSMV":
        b = sum(
            f * (j.T * w) @ gm @ (w[:, None] * j)
            for f, j, w, gm in zip(frac, jac, w_vec, gam, strict=True)
        )
        v_free = a_inv @ b @ a_inv / n
    else:
        v_free = a_inv / n
    vcov = np.zeros((len(lay.names), len(lay.names)))
    vcov[np.ix_(lay.free, lay.free)] = v_free
    fit = _fit_measures(
        n_g,
        obs_vec,
        model(x),
        w_vec,
        gam_test,
        jac,
        stats_,
        perm,
        len(lay.free),
        estimator,
        saturated=not equal,  # lavaan: no robust indices once groups share parameters
    )
    return _assemble(
        sm,
        structs,
        stats_,
        labels,
        lay,
        x,
        vcov,
        fit,
        perm,
        n_excluded,
        estimator=estimator,
        converged=converged,
        it=it,
        level=level,
        lang=lang,
    )


def _layout(structs: list[Structure], stats_: list[OrdinalStats], equal: set[str]) -> _Layout:
    kinds = [k for k in equal if k in ("loadings", "regressions", "lv_variances", "lv_covariances")]
    maps, names = build_maps(structs, meanstructure=False, group_equal=kinds)
    names = list(names)
    derived: set[int] = set()
    theta_local: list[list[int]] = []
    for st, mp in zip(structs, maps, strict=True):
        loc = [
            i
            for i, nm in enumerate(st.free_names)
            if any(e.name == nm and e.matrix == THETA and e.row == e.col for e in st.entries)
        ]
        theta_local.append(loc)
        derived |= {int(mp.cov_idx[i]) for i in loc}

    def new(name: str) -> int:
        names.append(name)
        return len(names) - 1

    shared: dict[tuple[int, int], int] = {}
    tau_idx: list[list[np.ndarray]] = []
    alpha_idx, delta_idx = [], []
    thr_equal = "thresholds" in equal
    n_lat = len(structs[0].latent_idx)
    for g, os_ in enumerate(stats_):
        per_item = []
        for j, th in enumerate(os_.thresholds):
            idx = []
            for c in range(1, len(th) - 1):
                if thr_equal:
                    if (j, c) not in shared:
                        shared[(j, c)] = new(f"tau.{j}.{c}")
                    idx.append(shared[(j, c)])
                else:
                    idx.append(new(f"tau.{j}.{c}.g{g + 1}"))
            per_item.append(np.array(idx, dtype=int))
        tau_idx.append(per_item)
        free_more = thr_equal and g > 0
        alpha_idx.append(
            np.array(
                [
                    new(f"alpha.{k}.g{g + 1}") if free_more and "means" not in equal else -1
                    for k in range(n_lat)
                ],
                dtype=int,
            )
        )
        delta_idx.append(
            np.array(
                [
                    new(f"delta.{j}.g{g + 1}") if free_more else -1
                    for j in range(len(os_.thresholds))
                ],
                dtype=int,
            )
        )
    free = np.array([k for k in range(len(names)) if k not in derived], dtype=int)
    return _Layout(
        [mp.cov_idx for mp in maps], theta_local, tau_idx, alpha_idx, delta_idx, names, free
    )


def _observed(os_: OrdinalStats, perm: list[int]) -> tuple[np.ndarray, list[int]]:
    """Sample thresholds then correlations (structure order) and their rows in Gamma."""
    where = {lab: k for k, lab in enumerate(os_.labels)}
    vals, order = [], []
    for j in perm:
        for c in range(1, len(os_.thresholds[j]) - 1):
            vals.append(float(os_.thresholds[j][c]))
            order.append(where[("tau", j, c)])
    p = len(perm)
    for a, b in zip(*np.triu_indices(p, 1), strict=True):
        i, j = perm[a], perm[b]
        vals.append(float(os_.corr[i, j]))
        order.append(where[("rho", min(i, j), max(i, j))])
    return np.array(vals), order


def _local(lay: _Layout, g: int, x: np.ndarray) -> np.ndarray:
    return x[lay.cov_idx[g]].copy()


def _implied(
    st: Structure, lay: _Layout, g: int, x: np.ndarray, perm: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(implied thresholds + correlations, Sigma*, scales) of group ``g``."""
    sigma, m, _c = st.implied(_local(lay, g, x))
    alpha = np.array([x[k] if k >= 0 else 0.0 for k in lay.alpha_idx[g]])
    kappa = m[:, st.latent_idx] @ alpha if len(alpha) else np.zeros(st.p)
    scale_items = np.array([x[k] if k >= 0 else 1.0 for k in lay.delta_idx[g]])
    scale = scale_items[perm]
    taus = [scale[a] * (x[lay.tau_idx[g][j]] - kappa[a]) for a, j in enumerate(perm)]
    iu, ju = np.triu_indices(st.p, 1)
    rho = scale[iu] * scale[ju] * sigma[iu, ju]
    return np.concatenate([*taus, rho]), sigma, scale


def _start(
    structs: list[Structure], stats_: list[OrdinalStats], lay: _Layout, perm: list[int]
) -> np.ndarray:

    x = np.zeros(len(lay.names))
    count = np.zeros(len(lay.names))
    for g, (st, os_) in enumerate(zip(structs, stats_, strict=True)):
        corr = os_.corr[np.ix_(perm, perm)]
        xg, _ok = st.semopy_fit(near_pd_correlation(corr), os_.n, "MLW")
        np.add.at(x, lay.cov_idx[g], xg)
        np.add.at(count, lay.cov_idx[g], 1.0)
        for j, idx in enumerate(lay.tau_idx[g]):
            np.add.at(x, idx, os_.thresholds[j][1:-1])
            np.add.at(count, idx, 1.0)
    x = np.where(count > 0, x / np.maximum(count, 1.0), 0.0)
    for g in range(len(structs)):
        x[lay.delta_idx[g][lay.delta_idx[g] >= 0]] = 1.0
    return x


def _fit_measures(
    n_g: np.ndarray,
    obs: list[np.ndarray],
    implied: list[np.ndarray],
    w: list[np.ndarray],
    gam: list[np.ndarray],
    jac: list[np.ndarray],
    stats_: list[OrdinalStats],
    perm: list[int],
    npar: int,
    estimator: str,
    saturated: bool = False,
) -> pd.Series:
    n = float(n_g.sum())
    groups = len(n_g)
    p = len(perm)
    n_rho = p * (p - 1) // 2
    chisq = float(
        sum(
            ng * (o - m) @ (wg * (o - m)) for ng, o, m, wg in zip(n_g, obs, implied, w, strict=True)
        )
    )
    df = int(sum(len(o) for o in obs) - npar)
    b_chisq = float(
        sum(
            ng * o[-n_rho:] @ (wg[-n_rho:] * o[-n_rho:])
            for ng, o, wg in zip(n_g, obs, w, strict=True)
        )
    )
    b_df = groups * n_rho
    # lavaan's GFI: per group 1 - e'We / s'Ws over every statistic (thresholds too),
    # averaged with weights N_g / N
    per_group = [
        1.0 - float((o - m) @ (wg * (o - m))) / float(o @ (wg * o))
        for o, m, wg in zip(obs, implied, w, strict=True)
    ]
    gfi = float(np.dot(n_g / n, per_group))
    m_all = sum(len(o) for o in obs)
    values = chisq_entries(npar, n, chisq, df, b_chisq, b_df, gfi, m_all)
    point, lo, up, pclose = rmsea_interval(chisq, df, n - groups, groups)
    values.update(
        rmsea=point,
        rmsea_ci_lower=lo,
        rmsea_ci_upper=up,
        rmsea_pvalue=pclose,
    )
    out = pd.Series(values, dtype=float, name="value")
    if estimator != "WLSMV" or df <= 0:
        return out
    frac = n_g / n
    wd = np.concatenate([f * wg for f, wg in zip(frac, w, strict=True)])
    size = [len(o) for o in obs]
    gamma_all = np.zeros((sum(size), sum(size)))
    delta = np.vstack(jac)
    start = 0
    for f, gm, s in zip(frac, gam, size, strict=True):
        gamma_all[start : start + s, start : start + s] = gm / f
        start += s
    wdd = wd[:, None] * delta
    u = np.diag(wd) - wdd @ np.linalg.pinv(delta.T @ wdd) @ wdd.T
    a, b = _scale_shift(df, u @ gamma_all)
    ub = np.concatenate(
        [
            np.r_[np.zeros(s - n_rho), wg[-n_rho:]] * f
            for f, wg, s in zip(frac, w, size, strict=True)
        ]
    )
    ab, bb = _scale_shift(b_df, ub[:, None] * gamma_all)
    extra = scaled_entries(chisq, df, b_chisq, b_df, (a, b), (ab, bb), n - groups, groups)
    if saturated:
        extra.update(_savalei_groups(n_g, obs, implied, w, gam, jac, p, df))
    del stats_
    return with_entries(out, extra)


def _savalei_groups(
    n_g: np.ndarray,
    obs: list[np.ndarray],
    implied: list[np.ndarray],
    w: list[np.ndarray],
    gam: list[np.ndarray],
    jac: list[np.ndarray],
    p: int,
    df: int,
) -> dict[str, float]:
    """Savalei's (2021) robust CFI, TLI and RMSEA over groups (thresholds saturated).

    As in :mod:`csi.sem.ordinal_fitmeasures`, summed over groups: ``T = sum_g N_g
    F_ML(R_g, Sigma_g)``, ``c = tr(P' W_ML P Gamma) / df`` on the stacked groups; the
    baseline correction as lavaan 0.6.14 computes it, ``c_0 df_0 = sum_g (N / N_g)
    tr(Gamma_g)`` (checked against its output).
    """
    n, groups = float(n_g.sum()), len(n_g)
    iu, ju = np.triu_indices(p, 1)
    m = len(iu)
    t = t0 = c0_df0 = 0.0
    wd_blocks, wml_blocks, gam_blocks, deltas = [], [], [], []
    for ng, o, imp, wg, gm, j in zip(n_g, obs, implied, w, gam, jac, strict=True):
        r_mat, s_mat = np.eye(p), np.eye(p)
        r_mat[iu, ju] = r_mat[ju, iu] = o[-m:]
        s_mat[iu, ju] = s_mat[ju, iu] = imp[-m:]
        inv = np.linalg.inv(s_mat)
        logdet_r = float(np.linalg.slogdet(r_mat)[1])
        t += ng * (float(np.linalg.slogdet(s_mat)[1]) - logdet_r + float(np.trace(r_mat @ inv)) - p)
        t0 += -ng * logdet_r
        raw = gm[-m:, -m:] * (ng - 1) / ng
        c0_df0 += float(np.trace(raw)) * n / ng
        f = ng / n
        wd_blocks.append(f * wg[-m:])
        wml_blocks.append(
            f
            * (
                inv[np.ix_(iu, iu)] * inv[np.ix_(ju, ju)]
                + inv[np.ix_(iu, ju)] * inv[np.ix_(ju, iu)]
            )
        )
        gam_blocks.append(raw / f)
        deltas.append(j[-m:])
    size = m * groups
    w_all = np.concatenate(wd_blocks)
    wml, gamma = np.zeros((size, size)), np.zeros((size, size))
    for g in range(groups):
        sl = slice(g * m, (g + 1) * m)
        wml[sl, sl], gamma[sl, sl] = wml_blocks[g], gam_blocks[g]
    delta = np.vstack(deltas)
    wdd = w_all[:, None] * delta
    proj = np.eye(size) - delta @ np.linalg.pinv(delta.T @ wdd) @ wdd.T
    c = float(np.sum((proj.T @ wml @ proj) * gamma.T)) / df
    df0 = size
    ncp, ncp0 = max(t - c * df, 0.0), max(t0 - c0_df0, 0.0)
    lo, up = robust_rmsea_interval(t / c, df, c, round(n) - groups, groups)
    scale = np.sqrt(groups)
    return {
        "cfi_robust": 1.0 - ncp / max(ncp, ncp0) if max(ncp, ncp0) > 0 else 1.0,
        "tli_robust": 1.0 - (ncp / df) / (ncp0 / df0) if ncp0 > 0 else 1.0,
        "rmsea_robust": float(scale * np.sqrt(ncp / ((n - groups) * df))),
        "rmsea_ci_lower_robust": lo,
        "rmsea_ci_upper_robust": up,
        "rmsea_pvalue_robust": float(
            stats.ncx2.sf(t / c, df, (n - groups) * df * 0.05**2 / (c * groups))
        ),
    }


def _assemble(
    sm: Any,
    structs: list[Structure],
    stats_: list[OrdinalStats],
    labels: list[Any],
    lay: _Layout,
    x: np.ndarray,
    vcov: np.ndarray,
    fit: pd.Series,
    perm: list[int],
    n_excluded: int,
    *,
    estimator: str,
    converged: bool,
    it: int,
    level: float,
    lang: str,
) -> SEMResult:
    items = list(sm.observed)
    zq = stats.norm.ppf(0.5 + level / 2)
    pieces: list[GroupPieces] = []
    for g, (st, os_, label) in enumerate(zip(structs, stats_, labels, strict=True)):
        xl = _local(lay, g, x)
        _imp, sigma, scale = _implied(st, lay, g, x, perm)
        for i in lay.theta_local[g]:
            e = next(e for e in st.entries if e.name == st.free_names[i])
            xl[i] += 1.0 / scale[e.row] ** 2 - sigma[e.row, e.row]
        # Sigma* with the derived residual variances: unit diagonal, as lavaan's implied
        sigma = st.implied(xl)[0]
        idx = lay.cov_idx[g]
        vl = vcov[np.ix_(idx, idx)].copy()
        for i in lay.theta_local[g]:
            vl[i, :] = vl[:, i] = 0.0
        tab = parameter_table(st, xl, vl, level=level)
        sd_item = {v: 1.0 / scale[a] for a, v in enumerate(st.obs)}
        psi_tot = _latent_sd(st, xl)
        extra: list[tuple[Any, ...]] = []

        for j, item in enumerate(items):
            for c, k in enumerate(lay.tau_idx[g][j], start=1):
                extra.append(
                    _row(x, vcov, zq, (item, "|", f"t{c}"), int(k), 0.0, None, 1 / sd_item[item])
                )
        for a, lat in enumerate(st.latent_idx):
            name = st.inner[lat]
            k = int(lay.alpha_idx[g][a])
            std = 1.0 / psi_tot[name]
            extra.append(_row(x, vcov, zq, (name, "~1", ""), k, 0.0, std, std))
        for j, item in enumerate(items):
            k = int(lay.delta_idx[g][j])
            std = 1.0 / (float(x[k]) if k >= 0 else 1.0)
            extra.append(_row(x, vcov, zq, (item, "~*~", item), k, 1.0, None, std))
        tab = pd.concat([tab, pd.DataFrame(extra, columns=ESTIMATE_COLUMNS)], ignore_index=True)
        back = [st.obs.index(v) for v in items]
        cor = (sigma * np.outer(scale, scale))[np.ix_(back, back)]
        pieces.append(
            GroupPieces(
                label=label,
                estimates=tab,
                effects=effects_table(st, xl, vl, level=level),
                r2=r_squared(st, xl),
                implied=pd.DataFrame(cor, index=items, columns=items),
                residual=pd.DataFrame(os_.corr - cor, index=items, columns=items),
            )
        )
    return assemble_result(
        pieces,
        FitRun(converged, it, n_excluded, lang),
        fit=fit,
        vcov=vcov,
        names=readable_names(structs, lay.names, items=_item_order(structs[0], perm)),
        diagnostics=[],
        n=int(sum(s.n for s in stats_)),
        estimator=estimator,
        multigroup=True,
    )


def _row(
    x: np.ndarray,
    vcov: np.ndarray,
    zq: float,
    key: tuple[str, str, str],
    k: int,
    fixed: float,
    std_lv: float | None,
    std_all: float | None,
) -> tuple[Any, ...]:
    """A parameter-table row of global parameter ``k`` (``-1``: fixed at ``fixed``)."""
    est = float(x[k]) if k >= 0 else fixed
    se = float(np.sqrt(max(vcov[k, k], 0.0))) if k >= 0 else 0.0
    z = est / se if se > 0 else np.nan
    pv = float(2 * stats.norm.sf(abs(z))) if se > 0 else np.nan
    sl = est if std_lv is None else std_lv * est
    sa = est if std_all is None else std_all * est
    return (*key, None, est, se, z, pv, est - zq * se, est + zq * se, sl, sa)


def _latent_sd(st: Structure, xl: np.ndarray) -> dict[str, float]:

    total, _resid = variances(st, xl)
    return {st.inner[k]: float(np.sqrt(total[st.inner[k]])) for k in st.latent_idx}


def _item_order(st: Structure, perm: list[int]) -> list[str]:
    """The ordinal items in threshold order (``perm[i]`` is the position of ``st.obs[i]``)."""
    items = [""] * len(perm)
    for i, pos in enumerate(perm):
        items[pos] = st.obs[i]
    return items
