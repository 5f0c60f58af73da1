"""lavaan's mean structure: intercepts of the observed variables and latent means.

With a mean structure the implied means are ``mu = nu + Lambda C alpha`` (Sorbom 1974;
``C = (I - B)^-1``). :func:`csi.sem.groups.build_maps` gives every item an intercept
``nu`` and every latent a mean ``alpha`` (0, or free in groups 2..G with equal
intercepts). :func:`mean_parameters` then applies what lavaan does beyond that:

* an observed variable of the regressions (semopy's Beta block) gets its intercept in
  ``alpha``, propagated by ``C`` (``y ~ x``: ``mu_y = a_y + b mu_x``), shared across
  groups with equal intercepts unless ``group_partial`` names ``y~1``; an exogenous one
  keeps its group's sample (or EM) mean as a fixed value (``fixed.x``) or has a free
  mean per group (``fixed_x=False``, GLS and ULS: never an "intercept" of
  ``group_equal``);
* the user's ``v ~ 1`` on a latent frees its mean in every group (one parameter with
  ``group_equal`` ``means``); ``v ~ 0.5*1`` fixes an intercept or mean at that value.

Identification is the user's (as in lavaan): a free latent mean needs a fixed intercept
(``x1 ~ 0*1``) or equal intercepts across groups; otherwise the information is singular
and the fit reports the parameter as not identified. :func:`start_means` gives the mean
parameters their exact optimum for the starting covariance parameters, :func:`mean_rows`
the ``~1`` rows of the estimates table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csi.sem.engine import Engine, GroupMap, GroupStats
from csi.sem.estimates import ESTIMATE_COLUMNS, intercept_std_se, variances
from csi.sem.groups import check_group_partial
from csi.sem.structure import Structure


@dataclass
class MeanParameters:
    """The maps and names after :func:`mean_parameters`, plus the engine's mean layout.

    ``alpha_pos[g]``: the Beta/Psi-block variables of group ``g`` carrying a mean
    parameter (one per ``GroupMap.alpha_idx`` entry), ``alpha_fixed[g]`` the values of
    the fixed ones; ``starts``: starting values of the new parameters by global index.
    """

    maps: list[GroupMap]
    names: list[str]
    alpha_pos: list[np.ndarray]
    alpha_fixed: list[np.ndarray]
    starts: dict[int, float]


def mean_parameters(
    structs: list[Structure],
    maps: list[GroupMap],
    names: list[str],
    stats: list[GroupStats],
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
) -> MeanParameters:
    """Apply lavaan's observed-regression intercepts and the user's ``~ 1`` statements."""
    sm = structs[0].sm
    st0 = structs[0]
    latents = set(sm.latents)
    fixed_means = dict(sm.fixed_means)
    free_means = {v for v in sm.intercepts if v in latents and v not in fixed_means}
    equal_int = "intercepts" in group_equal
    equal_means = "means" in group_equal
    partial = set(check_group_partial(group_partial))
    obs_set = set(st0.obs)
    inner_obs = [j for j, v in enumerate(st0.inner) if v in obs_set]
    x_vars = set(st0.fixed_x_vars)
    exogenous = set(sm.exogenous_observed())  # their means are no intercepts (group.equal)
    keys: dict[tuple[object, ...], int] = {}
    names = list(names)
    starts: dict[int, float] = {}

    def index(key: tuple[object, ...], readable: str) -> int:
        if key not in keys:
            keys[key] = len(names)
            names.append(readable)
        return keys[key]

    new_maps, pos, fixed = [], [], []
    for g, (st, mp, gs) in enumerate(zip(structs, maps, stats, strict=True)):
        assert mp.nu_idx is not None and mp.alpha_idx is not None
        nu_idx = mp.nu_idx.copy()
        nu_fixed = np.zeros(st.p)
        for i, v in enumerate(st.obs):
            if v in fixed_means:
                nu_idx[i] = -1
                nu_fixed[i] = fixed_means[v]
        alpha_idx = list(mp.alpha_idx)
        alpha_fixed = [0.0] * len(alpha_idx)
        for a, k in enumerate(st.latent_idx):
            v = st.inner[k]
            if v in fixed_means:
                alpha_idx[a], alpha_fixed[a] = -1, fixed_means[v]
            elif v in free_means:
                key: tuple[object, ...] = ("m", v) if equal_means else ("m", g, v)
                alpha_idx[a] = index(key, f"alpha.{v}" if equal_means else f"alpha.{v}.g{g + 1}")
        for j in inner_obs:
            v = st.inner[j]
            i_obs = st.obs.index(v)
            nu_idx[i_obs] = -1
            nu_fixed[i_obs] = 0.0
            if v in x_vars:
                alpha_idx.append(-1)
                alpha_fixed.append(float(gs.mean[i_obs]))
            elif v in fixed_means:
                alpha_idx.append(-1)
                alpha_fixed.append(fixed_means[v])
            else:
                shared = equal_int and v not in exogenous and (v, "~1", "") not in partial
                key = ("a", v) if shared else ("a", g, v)
                alpha_idx.append(index(key, f"alpha.{v}" if shared else f"alpha.{v}.g{g + 1}"))
                alpha_fixed.append(0.0)
                starts.setdefault(alpha_idx[-1], float(gs.mean[i_obs]))
        new_maps.append(GroupMap(mp.cov_idx, nu_idx, np.asarray(alpha_idx, dtype=int), nu_fixed))
        pos.append(np.concatenate([st.latent_idx, inner_obs]).astype(int))
        fixed.append(np.asarray(alpha_fixed, dtype=float))
    # drop the parameters no group uses any more and renumber
    used = sorted(
        {
            int(i)
            for m in new_maps
            for ix in (m.cov_idx, m.nu_idx, m.alpha_idx)
            if ix is not None
            for i in ix
        }
        - {-1}
    )
    new = -np.ones(len(names) + 1, dtype=int)  # new[-1] stays -1
    new[used] = np.arange(len(used))
    out_maps = [
        GroupMap(
            new[m.cov_idx],
            None if m.nu_idx is None else new[m.nu_idx],
            None if m.alpha_idx is None else new[m.alpha_idx],
            m.nu_fixed,
        )
        for m in new_maps
    ]
    return MeanParameters(
        out_maps,
        [names[i] for i in used],
        pos,
        fixed,
        {int(new[i]): v for i, v in starts.items()},
    )


def start_means(engine: Engine, theta: np.ndarray) -> np.ndarray:
    """``theta`` with its mean parameters at their optimum given the covariance ones.

    The implied means ``nu + Lambda C alpha`` are linear in the intercepts and latent
    means, so one Gauss-Newton step on them alone, ``(sum_g w_g D_g Sigma_g^-1 D_g')^-1
    sum_g w_g D_g Sigma_g^-1 (m_g - mu_g)`` (``D_g`` the mean derivatives), solves the
    ML mean part exactly; Fisher scoring then starts near the solution even when a
    fixed intercept (``x1 ~ 0*1``) puts the mean far from the items' sample means.
    """
    cov_params = {int(i) for m in engine.maps for i in m.cov_idx}
    grad = np.zeros(engine.n_par)
    hess = np.zeros((engine.n_par, engine.n_par))
    for g in range(len(engine.structs)):
        s = engine.state(theta, g)
        assert s.mu is not None and s.dmu is not None
        keep = np.array([int(i) not in cov_params for i in s.idx])
        d, idx = s.dmu[keep], s.idx[keep]
        inv = np.linalg.inv(s.sigma)
        w = engine.stats[g].n / engine.n_total
        np.add.at(grad, idx, w * d @ inv @ (engine.stats[g].mean - s.mu))
        hess[np.ix_(idx, idx)] += w * d @ inv @ d.T
    means = np.array(sorted(set(range(engine.n_par)) - cov_params), dtype=int)
    if not len(means):
        return theta
    step = np.linalg.lstsq(hess[np.ix_(means, means)], grad[means], rcond=None)[0]
    out = theta.copy()
    out[means] += step
    return out


def mean_rows(
    st: Structure,
    mp: GroupMap,
    theta: np.ndarray,
    vcov: np.ndarray,
    level: float,
    alpha_pos: np.ndarray | None = None,
    alpha_fixed: np.ndarray | None = None,
) -> pd.DataFrame:
    """Intercept (``item ~1``) and latent-mean (``construct ~1``) rows.

    ``alpha_pos``/``alpha_fixed``: the Beta/Psi-block variables with a mean parameter and
    the values of the fixed ones (:class:`csi.sem.engine.Engine`); an observed variable
    among them is reported once, by that parameter (its intercept, or its mean when fixed).
    """
    zq = stats.norm.ppf(0.5 + level / 2)
    rows = []
    assert mp.nu_idx is not None and mp.alpha_idx is not None
    pos = st.latent_idx if alpha_pos is None else alpha_pos
    fixed = np.zeros(len(pos)) if alpha_fixed is None else alpha_fixed
    inner_means = {st.inner[k] for k in pos}
    nu_fixed = np.zeros(st.p) if mp.nu_fixed is None else mp.nu_fixed
    entries = [
        (v, int(i), float(f))
        for v, i, f in zip(st.obs, mp.nu_idx, nu_fixed, strict=True)
        if v not in inner_means
    ]
    entries += [
        (st.inner[k], int(i), float(f)) for k, i, f in zip(pos, mp.alpha_idx, fixed, strict=True)
    ]
    total, _ = variances(st, theta[mp.cov_idx])
    latents = set(st.sm.latents)
    for var, idx, value in entries:
        if idx >= 0:
            est = float(theta[idx])
            se = float(np.sqrt(max(vcov[idx, idx], 0.0)))
            z = est / se if se > 0 else np.nan
            p = float(2 * stats.norm.sf(abs(z))) if se > 0 else np.nan
        else:
            est, se, z, p = value, 0.0, np.nan, np.nan
        sd = np.sqrt(total[var]) if total.get(var, 0) > 0 else np.nan
        std_all = est / sd
        std_lv = std_all if var in latents else est
        rows.append(
            (var, "~1", "", None, est, se, z, p, est - zq * se, est + zq * se, std_lv, std_all)
        )
    table = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    return pd.concat([table, intercept_std_se(st, mp.cov_idx, theta, vcov, entries, level)], axis=1)
