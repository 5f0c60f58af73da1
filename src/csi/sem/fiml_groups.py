"""Multi-group full-information ML (``fit_sem(..., missing="fiml", group=...)``).

Each group contributes its own casewise normal log-likelihood (:mod:`csi.sem.fiml`),
``-2 log L = sum_g sum_i [...]``, with the groups' parameters tied by
:func:`csi.sem.groups.build_maps` (lavaan's ``group.equal``; intercepts free per group and
latent means 0 unless intercepts are held equal). The unrestricted model is the EM
estimate of every group's means and covariances; ``chisq = sum_g 2 (logL_h1,g -
logL_g)``. Standard errors from the observed information (exact Hessian, summed over the
groups' missing-data patterns, :mod:`csi.sem.fiml_information`), as lavaan's default with
``missing = "ml"``. Fit indices as lavaan 0.6.14: groups' GFI weighted by ``n_g / N``,
RMSEA with ``sqrt(G)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg

from csi.sem.assemble import FitRun
from csi.sem.engine import Engine, GroupMap, GroupStats, NotPositiveDefinite
from csi.sem.fiml import (
    Pattern,
    _independence_loglik,
    _likelihood_entries,
    _start_diagnostics,
    _x_loglik,
    em_saturated,
    fiml_result,
    pattern_loglik,
    patterns,
)
from csi.sem.fiml_information import fiml_gfi, observed_hessian
from csi.sem.fit_checks import _GroupData
from csi.sem.fit_estimation import FitState, _invert_information, _local_free
from csi.sem.fitindices import fit_indices, rmsea_interval
from csi.sem.groups import build_maps, start_values
from csi.sem.means import mean_parameters, start_means
from csi.sem.mlr import fiml_corrected, fiml_sandwich, independence_trace
from csi.sem.result import SEMResult
from csi.sem.structure import Structure, readable_names
from csi.sem.syntax import SemModel
from csi.sem.weights import robust_fit


class GroupsFimlEngine(Engine):
    """The multi-group FIML discrepancy ``-2 log L / N`` with Fisher scoring."""

    def __init__(
        self,
        structs: list[Structure],
        stats: list[GroupStats],
        maps: list[GroupMap],
        n_par: int,
        pats: list[list[Pattern]],
    ) -> None:
        super().__init__(structs, stats, maps, n_par, meanstructure=True)
        self.pats = pats

    def objective(self, theta: np.ndarray, estimator: str = "ML") -> float:
        total = 0.0
        for g, pats in enumerate(self.pats):
            try:
                s = self.state(theta, g, derivatives=False)
            except NotPositiveDefinite:
                return np.inf
            assert s.mu is not None
            try:
                total += pattern_loglik(pats, s.mu, s.sigma)
            except linalg.LinAlgError:
                return np.inf
        return -2.0 * total / self.n_total

    def gradient_information(
        self, theta: np.ndarray, estimator: str = "ML"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of ``-2 log L / N`` and the expected information (Fisher scoring)."""
        grad = np.zeros(self.n_par)
        hess = np.zeros((self.n_par, self.n_par))
        for g, pats in enumerate(self.pats):
            s = self.state(theta, g)
            assert s.mu is not None and s.dmu is not None
            k = len(s.dsig)
            for pt in pats:
                o = pt.obs
                so = s.sigma[np.ix_(o, o)]
                inv = np.linalg.inv(so)
                d = pt.mean - s.mu[o]
                a = inv @ (so - pt.cov - np.outer(d, d)) @ inv
                ds = s.dsig[:, o][:, :, o]
                dm = s.dmu[:, o]
                gl = ds.reshape(k, -1) @ a.ravel() - 2.0 * dm @ (inv @ d)
                b = np.matmul(inv, ds)
                hl = b.reshape(k, -1) @ b.transpose(0, 2, 1).reshape(k, -1).T
                hl += 2.0 * dm @ inv @ dm.T
                w = pt.n / self.n_total
                np.add.at(grad, s.idx, w * gl)
                hess[np.ix_(s.idx, s.idx)] += w * hl
        return grad, hess

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Observed (unit) information: half the exact Hessian of ``-2 log L / N``."""
        return observed_hessian(self, theta, self.pats) / 2.0


def fit_fiml_groups(
    sm: SemModel,
    groups: list[_GroupData],
    n_excluded: int,
    *,
    group_equal: Sequence[str],
    level: float,
    lang: str,
    max_iter: int,
    estimator: str = "ML",
) -> SEMResult:
    """Fit ``sm`` to every group's incomplete answers by FIML (called by ``fit_sem``).

    ``estimator="MLR"``: sandwich standard errors and the Yuan-Bentler scaled test
    (:mod:`csi.sem.mlr`), groups stacked.
    """
    structs = [Structure(sm) for _ in groups]
    perm = [list(sm.observed).index(v) for v in structs[0].obs]
    xs, pats, stats_, group_x, h1 = [], [], [], [], []
    em_all = True
    for st, gd in zip(structs, groups, strict=True):
        assert gd.raw is not None
        x = gd.raw[:, perm]
        pt = patterns(x)
        mu_h1, sigma_h1, em_ok = em_saturated(pt, st.p)
        em_all &= em_ok
        n_g = len(x)
        x0, _ok = st.semopy_fit(sigma_h1, n_g, "MLW", maxiter=10)
        if not np.all(np.isfinite(x0)):
            x0 = st.prepare(sigma_h1, n_g)
        xs.append(x)
        pats.append(pt)
        stats_.append(GroupStats(n_g, sigma_h1, mu_h1))
        group_x.append(x0)
        h1.append((mu_h1, sigma_h1))
    maps, names = build_maps(structs, meanstructure=True, group_equal=group_equal)
    mp = mean_parameters(structs, maps, names, stats_, group_equal)
    maps, names = mp.maps, mp.names
    engine = GroupsFimlEngine(structs, stats_, maps, len(names), pats)
    engine.alpha_pos, engine.alpha_fixed = mp.alpha_pos, mp.alpha_fixed
    theta0 = start_values(structs, maps, len(names), group_x, [s.mean for s in stats_])
    for i, value in mp.starts.items():
        theta0[i] = value
    if sm.fixed_means or set(sm.intercepts) & set(sm.latents):
        theta0 = start_means(engine, theta0)  # latent means, fixed intercepts
    theta, converged, iters = engine.fisher_scoring(theta0, "ML", max_iter=max_iter)
    n = engine.n_total
    vcov, singular = _invert_information(engine.observed_information(theta) * n)
    diags = _start_diagnostics(singular, readable_names(structs, names), em_all, lang)
    p = structs[0].p
    x_idx = [structs[0].obs.index(v) for v in structs[0].fixed_x_vars]
    nx = len(x_idx)
    ll = ll_h1 = ll_b = 0.0
    sigmas, mus = [], []
    gfi = moments = 0.0
    for g in range(len(groups)):
        s = engine.state(theta, g, derivatives=False)
        assert s.mu is not None
        sigmas.append(s.sigma)
        mus.append(s.mu)
        # fixed.x: log-likelihoods conditional on the x values (lavaan)
        ll_x = _x_loglik(xs[g], x_idx, *h1[g])
        ll += pattern_loglik(pats[g], s.mu, s.sigma) - ll_x
        ll_h1 += pattern_loglik(pats[g], *h1[g]) - ll_x
        ll_b += _independence_loglik(pats[g], p, x_idx, ll_x) - ll_x
        g_gfi, g_mom = fiml_gfi(xs[g], pats[g], s.mu, s.sigma, x_idx)
        gfi += stats_[g].n / n * g_gfi
        moments += g_mom
    npar = len(theta)
    df = len(groups) * (p * (p + 1) // 2 + p - nx * (nx + 3) // 2) - npar
    fit = fit_indices(
        chisq=max(2.0 * (ll_h1 - ll), 0.0),
        df=df,
        npar=npar,
        covs=[s.cov for s in stats_],
        sigmas=sigmas,
        ns=[s.n for s in stats_],
        means=[s.mean for s in stats_],
        mus=mus,
        baseline=2.0 * (ll_h1 - ll_b),
        fixed_x=nx * (nx + 1) // 2,
    )
    _likelihood_entries(fit, gfi, moments, df, ll, ll_h1, npar, n)
    robust: dict[str, float] = {}
    if estimator == "MLR":
        vcov, robust = _mlr(engine, theta, xs, pats, h1, x_idx, fit, df)
    if df > 0:
        robust.update(
            fiml_corrected(engine, theta, xs, pats, h1, robust=estimator == "MLR", xs=x_idx)
        )
    return fiml_result(
        FitState(sm, engine, theta, "ML", groups),
        h1,
        perm,
        vcov,
        names,
        fit,
        diags,
        FitRun(converged, iters, n_excluded, lang),
        robust=robust,
        multigroup=True,
        level=level,
        estimator=estimator,
    )


def _mlr(
    engine: GroupsFimlEngine,
    theta: np.ndarray,
    data: list[np.ndarray],
    pats: list[list[Pattern]],
    h1: list[tuple[np.ndarray, np.ndarray]],
    x_idx: list[int],
    fit: pd.Series,
    df: int,
) -> tuple[np.ndarray, dict[str, float]]:
    """Sandwich covariance and the scaled and robust entries of multi-group MLR."""
    vcov, trace_h0, trace_h1 = fiml_sandwich(engine, theta, data, pats, h1, x_idx)
    p, nx, groups = data[0].shape[1], len(x_idx), len(data)
    robust = robust_fit(
        chisq=float(fit["chisq"]),
        df=df,
        baseline_chisq=float(fit["baseline_chisq"]),
        baseline_df=int(fit["baseline_df"]),
        trace_h0=trace_h0,
        trace_h1=trace_h1,
        trace_b=sum(independence_trace(x, x_idx) for x in data),
        n=engine.n_total,
        groups=groups,
        # lavaan divides by its free parameters before equality constraints
        npar=sum(_local_free(m) for m in engine.maps),
        moments=groups * (p * (p + 1) // 2 + p - nx * (nx + 3) // 2),
    )
    if "scaling_factor" in robust:
        _, lo, up, pclose = rmsea_interval(
            float(fit["chisq"]), df * robust["scaling_factor"], engine.n_total, groups
        )
        robust["rmsea_ci_lower_scaled"] = lo
        robust["rmsea_ci_upper_scaled"] = up
        robust["rmsea_pvalue_scaled"] = pclose
    return vcov, robust
