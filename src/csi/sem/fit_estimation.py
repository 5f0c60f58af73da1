"""Estimation and result assembly of :func:`csi.sem.fit_sem`.

From the group moments: semopy's starting values, Fisher scoring
(:mod:`csi.sem.engine`), standard errors from the expected information (robust ones
with MLM or sampling weights), fit indices, then the parameter tables, R², effects,
implied and residual matrices and diagnostics of the :class:`csi.sem.SEMResult`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from csi import diagnostics as dg
from csi._checks import CsiInputError
from csi.sem.assemble import FitRun, GroupPieces, assemble_result, with_entries
from csi.sem.constraints import Linear, affine, linearize, violated
from csi.sem.defined import DefinedSyntaxError, defined_rows
from csi.sem.effects import effects_table
from csi.sem.engine import Engine, GroupMap, GroupStats
from csi.sem.estimates import (
    ESTIMATE_COLUMNS,
    parameter_table,
    r_squared,
)
from csi.sem.fiml_information import ml_derivatives
from csi.sem.fit_checks import _GroupData
from csi.sem.fitindices import (
    fit_indices,
    gls_baseline_chisq,
    rmsea_interval,
    uls_baseline_chisq,
)
from csi.sem.groups import apply_starts, build_maps, start_values
from csi.sem.means import mean_parameters, mean_rows, start_means
from csi.sem.mlr import complete_h1_trace, independence_trace
from csi.sem.result import SEMResult
from csi.sem.robust import satorra_bentler
from csi.sem.structure import Structure, readable_names
from csi.sem.syntax import SemModel, SemSyntaxError
from csi.sem.weights import baseline_trace, robust_fit, sandwich

_log = logging.getLogger("csi.sem.fit")  # the logger of fit_sem, as before the split

_SEMOPY_OBJ = {"ML": "MLW", "MLM": "MLW", "MLR": "MLW", "GLS": "GLS", "ULS": "ULS"}
#: SLSQP iterations of semopy before Fisher scoring takes over (fewer with ML, whose
#: Newton steps converge quadratically), and the Fisher scoring iterations allowed from
#: there before falling back to a fully converged SLSQP start.
_QUICK_SLSQP, _QUICK_SLSQP_ML, _QUICK_FISHER = 10, 3, 100


@dataclass
class FitState:
    """What a result keeps for later computations (modification indices)."""

    sm: SemModel
    engine: Engine
    theta: np.ndarray
    estimator: str
    groups: list[_GroupData]
    weight_kind: str | None = None


# -------------------------------------------------------------- estimation
def _fit_moments(
    sm: SemModel,
    groups: list[_GroupData],
    n_excluded: int,
    *,
    estimator: str,
    group_equal: Sequence[str],
    multigroup: bool,
    group_partial: Sequence[str] = (),
    level: float,
    lang: str,
    max_iter: int,
    weight_kind: str | None = None,
) -> SEMResult:
    n_mods = sm.n_per_group()
    if n_mods is not None and n_mods != len(groups):
        first = next(t for t in sm.all_terms if t.per_group is not None)
        raise SemSyntaxError(
            f"c({', '.join(first.per_group or ())})*{first.rhs} in {first.lhs} {first.op} "
            f"{first.rhs} has {n_mods} element(s) but the fit has {len(groups)} group(s)"
        )
    # c(...) modifiers: every group gets its own resolved model
    structs = [Structure(sm.in_group(g) if n_mods else sm) for g in range(len(groups))]
    if weight_kind == "sampling" and structs[0].n_fixed_x:
        raise CsiInputError(
            "sampling weights with exogenous observed variables (fixed.x) are not "
            f"available: {', '.join(structs[0].fixed_x_vars)}; model them as constructs "
            "or use weights=False"
        )
    if estimator in ("GLS", "ULS"):
        # lavaan's sample covariance for GLS and ULS has the divisor N - 1
        groups = [dc_replace(g, cov=g.cov * (g.n / (g.n - 1.0))) for g in groups]
    # lavaan's meanstructure: multi-group fits, or a ``y ~ 1`` statement
    means = multigroup or bool(sm.intercepts)
    perm = [list(sm.observed).index(v) for v in structs[0].obs]
    stats_ = [GroupStats(g.n, g.cov[np.ix_(perm, perm)], g.mean[perm]) for g in groups]
    core = "ML" if estimator in ("MLM", "MLR") else estimator
    maps, names = build_maps(
        structs, meanstructure=means, group_equal=group_equal, group_partial=group_partial
    )
    mean_starts: dict[int, float] = {}
    # latent means and fixed intercepts move the means away from the sample ones
    user_means = bool(sm.fixed_means) or any(v in sm.latents for v in sm.intercepts)
    if means:  # lavaan's intercepts of observed regression variables, the user's ``~ 1``
        mpar = mean_parameters(structs, maps, names, stats_, group_equal, group_partial)
        maps, names, mean_starts = mpar.maps, mpar.names, mpar.starts
    n_par = len(names)
    engine = Engine(structs, stats_, maps, n_par, meanstructure=means)
    if means:
        engine.alpha_pos, engine.alpha_fixed = mpar.alpha_pos, mpar.alpha_fixed
    engine.require_pd = core == "ML"
    equalities, inequalities = _linear_constraints(sm, structs, maps, n_par)
    engine.constraint = affine(equalities, n_par)

    def solve(slsqp_iter: int | None, fisher_iter: int) -> tuple[np.ndarray, bool, int, bool]:
        group_x = []
        ok_all = True
        for st, gs in zip(structs, stats_, strict=True):
            n_g = round(gs.n)  # semopy's starting values only (a sum of weights in groups)
            x, ok = st.semopy_fit(gs.cov, n_g, _SEMOPY_OBJ[estimator], maxiter=slsqp_iter)
            if not np.all(np.isfinite(x)):
                x = st.prepare(gs.cov, n_g)
            group_x.append(x)
            ok_all &= ok
        theta0 = start_values(structs, maps, n_par, group_x, [s.mean for s in stats_])
        for i, value in mean_starts.items():
            theta0[i] = value
        if user_means:
            theta0 = start_means(engine, theta0)
        apply_starts(structs, maps, theta0)
        # ML: Newton steps with the exact Hessian where it is positive definite
        newton = partial(ml_derivatives, engine) if core == "ML" else None
        return (
            *engine.fisher_scoring(theta0, core, max_iter=fisher_iter, newton=newton),
            ok_all,
        )

    # a few SLSQP steps bring semopy's starting values near the solution and Fisher
    # scoring finishes; should that fail, semopy's SLSQP runs to its own convergence first
    quick = _QUICK_SLSQP_ML if core == "ML" else _QUICK_SLSQP
    theta, converged, iters, ok_all = solve(quick, min(max_iter, _QUICK_FISHER))
    if not converged:
        theta, converged, iters, ok_all = solve(None, max_iter)
    active: list[int] = []
    while True:
        # an inequality the optimum breaks is held at its bound (lavaan reports the bound);
        # once held it stays held (no release step: one or a few inequalities)
        new = [k for k in violated(inequalities, theta) if k not in active]
        if not new:
            break
        active += new
        engine.constraint = affine(equalities + [inequalities[k] for k in active], n_par)
        theta, converged, iters, ok_all = solve(None, max_iter)
    if not converged and ok_all and not multigroup:
        _log.info("Fisher scoring did not converge; keeping semopy's solution")
    diags: list[dg.Diagnostic] = []
    n_total = engine.n_total
    # lavaan: GLS and ULS statistics use N - 1 (with S of divisor N - 1), ML uses N
    n_stat = n_total - float(len(groups)) if core in ("GLS", "ULS") else float(n_total)
    # covariance matrix of the estimates: (n_stat H / 2)^-1 with H the expected Hessian
    # of F; for ULS that is lavaan's "standard" (Delta' Delta)^-1 / (N - 1)
    # lavaan sums the groups' information by n_g / N, also for GLS and ULS
    hess = engine.expected_hessian(theta, core)
    singular: list[int] = []
    if engine.constraint is not None:
        vcov = engine.constraint.vcov(hess * n_stat / 2.0)
    else:
        vcov, singular = _invert_information(hess * n_stat / 2.0)
    if singular:
        diags += dg.not_identified(
            ", ".join(readable_names(structs, [names[k] for k in singular[:5]]))
            or dg.SOME_PARAMETER,
            lang=lang,
        )
    robust: dict[str, float] = {}
    if estimator == "MLM":
        raw = [g.raw[:, perm] for g in groups if g.raw is not None]
        row_w = [g.w for g in groups if g.w is not None] if weight_kind else None
        vcov, robust = satorra_bentler(engine, theta, raw, row_w, weight_kind)
    elif weight_kind == "sampling" or estimator == "MLR":
        # MLR: the sandwich and Yuan-Bentler (Mplus) test of sampling weights all equal to 1
        vcov, robust = _sampling_robust(engine, theta, groups, perm, structs[0].p, means)
    # fit
    f = engine.objective(theta, core)
    chisq = n_stat * f
    p = structs[0].p
    moments_per_group = p * (p + 1) // 2 + (p if means else 0)
    # lavaan 0.6.14: each equality constraint adds a degree of freedom, inequalities none
    df = len(groups) * moments_per_group - n_par - sum(st.n_fixed_x for st in structs)
    if means:  # fixed.x: the x means are held at their sample values too
        df -= sum(len(st.fixed_x_vars) for st in structs)
    df += len(equalities)
    sigmas, mus = [], []
    for g in range(len(groups)):
        s = engine.state(theta, g, derivatives=False)
        sigmas.append(s.sigma)
        mus.append(s.mu)
    fixed_idx = [structs[0].obs.index(v) for v in structs[0].fixed_x_vars]
    # lavaan's baseline keeps the exogenous observed block at S_xx, fixed.x or not
    exo_idx = [structs[0].obs.index(v) for v in sm.exogenous_observed()]
    covs = [s.cov for s in stats_]
    if core in ("GLS", "ULS"):
        ns_stat = [s.n - 1.0 for s in stats_]
    else:
        ns_stat = [n_stat * s.n / n_total for s in stats_]
    if core == "GLS":
        baseline: float | None = gls_baseline_chisq(covs, ns_stat, exo_idx)
    elif core == "ULS":
        baseline = uls_baseline_chisq(covs, ns_stat, exo_idx)
    else:
        exo_vars = tuple(structs[0].fixed_x_vars) or tuple(sm.exogenous_observed())
        baseline = _baseline_fixed_x(structs, stats_, exo_vars)
    fit = fit_indices(
        chisq=chisq,
        df=df,
        npar=n_par - len(equalities),
        covs=covs,
        sigmas=sigmas,
        ns=[s.n for s in stats_],
        means=[s.mean for s in stats_] if means else None,
        mus=mus if means else None,
        likelihood=core == "ML",
        baseline=baseline,
        fixed_x=len(exo_idx) * (len(exo_idx) + 1) // 2,
        estimator=core,
        n_test=n_stat,
        x_index=fixed_idx,
    )
    if "chisq_scaled" in robust and df > 0:
        robust["pvalue_scaled"] = float(stats.chi2.sf(robust["chisq_scaled"], df))
    state = FitState(sm, engine, theta, estimator, groups, weight_kind)
    return _assemble(
        state,
        vcov,
        names,
        fit,
        diags,
        FitRun(converged, iters, n_excluded, lang),
        robust=robust,
        multigroup=multigroup,
        level=level,
    )


def _label_index(structs: list[Structure], maps: list[GroupMap]) -> dict[str, int]:
    """Global parameter index of each label of a free parameter (in any group)."""
    return {
        st.aliases.to_name[name]: int(mp.cov_idx[k])
        for st, mp in zip(structs, maps, strict=True)
        for k, name in enumerate(st.free_names)
        if not name.startswith("_")
    }


def _linear_constraints(
    sm: SemModel, structs: list[Structure], maps: list[GroupMap], n_par: int
) -> tuple[list[Linear], list[Linear]]:
    """The model's ``==`` and ``<``/``>`` constraints as linear rows over theta."""
    if not sm.constraints:
        return [], []
    try:
        rows = linearize(sm.constraints, sm.defined, _label_index(structs, maps), n_par)
        affine([r for r in rows if r.equality], n_par)  # refuses redundant equalities
    except DefinedSyntaxError as err:
        raise SemSyntaxError(str(err)) from None
    return [r for r in rows if r.equality], [r for r in rows if not r.equality]


def _sampling_robust(
    engine: Engine,
    theta: np.ndarray,
    groups: list[_GroupData],
    perm: list[int],
    p: int,
    multigroup: bool,
) -> tuple[np.ndarray, dict[str, float]]:
    """Sandwich covariance and Yuan-Bentler (Mplus) scaled fit with sampling weights."""

    raw = [g.raw[:, perm] for g in groups if g.raw is not None]
    row_w = [g.w if g.w is not None else np.ones(len(x)) for g, x in zip(groups, raw, strict=True)]
    vcov, tr0, tr1 = sandwich(engine, theta, raw, row_w)
    trb = baseline_trace(engine, raw, row_w)
    per_group = p * (p + 1) // 2 + (p if multigroup else 0)
    n_groups = len(groups)
    b_chisq = sum(s.n * (float(np.sum(np.log(np.diag(s.cov)))) - s.logdet) for s in engine.stats)
    x_vars = engine.structs[0].fixed_x_vars
    nx = len(x_vars)
    if nx:  # MLR with fixed.x (sampling weights refuse it): the x moments are not modelled
        xs = [engine.structs[0].obs.index(v) for v in x_vars]
        per_group -= nx * (nx + 1) // 2 + (nx if multigroup else 0)
        tr1 = sum(
            complete_h1_trace(x, gs.mean, gs.cov, xs, meanstructure=multigroup)
            for x, gs in zip(raw, engine.stats, strict=True)
        )
        trb = sum(independence_trace(x, xs, means=multigroup) for x in raw)
        b_chisq = float(_baseline_fixed_x(engine.structs, engine.stats, tuple(x_vars)) or 0.0)
    df = n_groups * per_group - engine.n_par
    b_df = n_groups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    chisq = engine.n_total * engine.objective(theta, "ML")
    robust = robust_fit(
        chisq=chisq,
        df=df,
        baseline_chisq=b_chisq,
        baseline_df=b_df,
        trace_h0=tr0,
        trace_h1=tr1,
        trace_b=trb,
        n=engine.n_total,
        groups=n_groups,
        # lavaan divides by its free parameters before equality constraints
        npar=sum(_local_free(m) for m in engine.maps),
        moments=n_groups * per_group,
    )
    if "scaling_factor" in robust:
        # the scaled RMSEA's interval as lavaan 0.6.14 reports it: the ML statistic with
        # c df degrees of freedom
        _, lo, up, pclose = rmsea_interval(
            chisq, df * robust["scaling_factor"], engine.n_total, n_groups
        )
        robust["rmsea_ci_lower_scaled"] = lo
        robust["rmsea_ci_upper_scaled"] = up
        robust["rmsea_pvalue_scaled"] = pclose
    return vcov, robust


def _local_free(mp: GroupMap) -> int:
    """Free parameters of one group, each shared one counted in every place it appears."""
    extra = sum(int(np.sum(ix >= 0)) for ix in (mp.nu_idx, mp.alpha_idx) if ix is not None)
    return len(mp.cov_idx) + extra


def _baseline_fixed_x(
    structs: list[Structure], stats_: list[GroupStats], exo_vars: tuple[str, ...]
) -> float | None:
    """ML baseline when exogenous observed variables ``exo_vars`` keep their covariances.

    lavaan's independence model keeps the x block at ``S_xx`` (with ``fixed.x`` or not),
    every other variable is uncorrelated, ``chisq_b = sum_g n_g (log|S_xx| + sum log s_jj
    - log|S|)``; ``None`` (the plain independence model) without exogenous observed items.
    """
    if not exo_vars:
        return None
    total = 0.0
    for st, gs in zip(structs, stats_, strict=True):
        xs = [st.obs.index(v) for v in exo_vars]
        rest = [k for k in range(st.p) if k not in xs]
        logdet_x = float(np.linalg.slogdet(gs.cov[np.ix_(xs, xs)])[1])
        total += gs.n * (logdet_x + float(np.sum(np.log(np.diag(gs.cov)[rest]))) - gs.logdet)
    return total


def _invert_information(info: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Inverse of the information matrix; indices of (near-)null directions if singular."""
    if info.size == 0:
        return info.copy(), []
    w, v = np.linalg.eigh((info + info.T) / 2)
    tol = max(w.max(), 1.0) * 1e-10
    if w.min() > tol:
        return linalg.inv(info), []
    null = v[:, w <= tol]
    involved = [int(k) for k in np.flatnonzero(np.abs(null).max(axis=1) > 1e-3)]
    return np.linalg.pinv(info), involved


def _assemble(
    state: FitState,
    vcov: np.ndarray,
    names: list[str],
    fit: pd.Series,
    diags: list[dg.Diagnostic],
    run: FitRun,
    *,
    robust: dict[str, float] | None = None,
    multigroup: bool,
    level: float,
    estimator: str | None = None,
) -> SEMResult:
    """Per-group tables, R², effects, matrices and improper-solution diagnostics of a
    fitted model, joined by :func:`csi.sem.assemble.assemble_result`; ``robust``: the
    scaled and robust fit entries appended to ``fit``."""
    groups, theta = state.groups, state.theta
    structs, maps = state.engine.structs, state.engine.maps
    if robust:
        fit = with_entries(fit, robust)
    pieces, found = [], list(diags)
    engine = state.engine
    order = list(state.sm.observed)
    for g, (st, mp) in enumerate(zip(structs, maps, strict=True)):
        x = theta[mp.cov_idx]
        v_loc = vcov[np.ix_(mp.cov_idx, mp.cov_idx)]
        tab = parameter_table(st, x, v_loc, level=level)
        if engine.meanstructure:
            means = mean_rows(
                st, mp, theta, vcov, level, engine.alpha_pos[g], engine.alpha_fixed[g]
            )
            tab = pd.concat([tab, means], ignore_index=True)
        eff = effects_table(st, x, v_loc, level=level)
        r2 = r_squared(st, x)
        s = engine.state(theta, g, derivatives=False)
        labels_ix = pd.Index(order)  # built once, shallow copies below
        perm = [st.obs.index(v) for v in order]
        sig = s.sigma[np.ix_(perm, perm)]
        cov = groups[g].cov
        sd_s, sd_m = np.sqrt(np.diag(cov)), np.sqrt(np.diag(sig))
        rc = cov / np.outer(sd_s, sd_s) - sig / np.outer(sd_m, sd_m)
        label = groups[g].label
        found += _improper(st, x, tab, r2, label if multigroup else None, run.lang)
        pieces.append(
            GroupPieces(
                label=label,
                estimates=tab,
                effects=eff,
                r2=r2,
                implied=pd.DataFrame(sig, index=labels_ix, columns=labels_ix.copy()),
                residual=pd.DataFrame(rc, index=labels_ix.copy(), columns=labels_ix.copy()),
            )
        )
    return assemble_result(
        pieces,
        run,
        fit=fit,
        vcov=vcov,
        names=readable_names(structs, names),
        diagnostics=found,
        n=engine.n_total,
        estimator=estimator or state.estimator,
        multigroup=multigroup,
        weight_kind=state.weight_kind,
        fitted_state=state,
        defined=(
            partial(_defined_table, state.sm, structs, maps, theta, vcov, level=level)
            if state.sm.defined
            else None
        ),
    )


def _defined_table(
    sm: SemModel,
    structs: list[Structure],
    maps: list[GroupMap],
    theta: np.ndarray,
    vcov: np.ndarray,
    table: pd.DataFrame,
    level: float,
) -> pd.DataFrame:
    """The ``:=`` rows (:mod:`csi.sem.defined`); standardized values per label from its group."""
    index = _label_index(structs, maps)
    std: dict[str, tuple[float, float]] = {}
    std_lv, std_all = table["std_lv"].to_numpy(float), table["std_all"].to_numpy(float)
    for k, label in enumerate(table["label"].to_numpy(object)):
        if isinstance(label, str):
            std.setdefault(label, (float(std_lv[k]), float(std_all[k])))
    columns = list(table.columns)
    try:
        out = defined_rows(
            sm.defined, index, theta, vcov, std, level=level, columns=ESTIMATE_COLUMNS
        )
    except DefinedSyntaxError as err:
        raise SemSyntaxError(str(err)) from None
    if "group" in columns:
        out.insert(0, "group", None)
    return out


def _improper(
    st: Structure,
    x: np.ndarray,
    tab: pd.DataFrame,
    r2: pd.Series,
    group: Any,
    lang: str,
) -> list[dg.Diagnostic]:
    """Improper estimates of one group (``group``: its label in a multi-group fit)."""

    def where(name: str) -> str | dg.Phrase:
        return dg.in_group(name, group)

    # plain arrays: element-wise comparisons of pandas string columns are slow
    lhs, op, rhs = (tab[c].to_numpy(dtype=object) for c in ("lhs", "op", "rhs"))
    est, std_all = tab["estimate"].to_numpy(dtype=float), tab["std_all"].to_numpy(dtype=float)
    negative = dg.negative_variances(
        {
            where(str(lhs[k])): float(est[k])
            for k in range(len(tab))
            if op[k] == "~~" and lhs[k] == rhs[k]
        },
        lang=lang,
    )
    above = dg.standardized_loadings_above_one(
        {
            where(f"{lhs[k]} -> {rhs[k]}"): float(std_all[k])
            for k in range(len(tab))
            if op[k] == "=~"
        },
        lang=lang,
    )
    r2d = dg.r2_out_of_range({where(str(k)): v for k, v in r2.items()}, lang=lang)
    st.model.update_matrices(x)
    _sigma, _m, c = st.implied(x)
    psi = st.model.matrices[2]
    lat = st.latent_idx
    cov_lat = (c @ psi @ c.T)[np.ix_(lat, lat)]
    names = [st.inner[k] for k in lat]
    corr = {}
    sd = np.sqrt(np.clip(np.diag(cov_lat), 1e-300, None))
    for i in range(len(lat)):
        for j in range(i + 1, len(lat)):
            corr[where(f"{names[i]} ~~ {names[j]}")] = cov_lat[i, j] / (sd[i] * sd[j])
    pd_lat = (
        dg.not_positive_definite(
            cov_lat, name=dg.in_group(dg.LATENT_COVARIANCE_MATRIX, group), tol=-1e-10, lang=lang
        )
        if len(lat)
        else []
    )
    return [
        *negative,
        *above,
        *r2d,
        *dg.correlations_above_one(corr, lang=lang),
        *pd_lat,
    ]
