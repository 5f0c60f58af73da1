"""Full-information maximum likelihood (FIML) for incomplete answers.

Each respondent contributes the normal likelihood of the items they answered
(Arbuckle 1996; Enders 2010, *Applied Missing Data Analysis*, ch. 4)::

    -2 log L = sum_i [p_i log(2 pi) + log|Sigma_i| + (y_i - mu_i)' Sigma_i^-1 (y_i - mu_i)]

with ``Sigma_i``, ``mu_i`` the rows/columns of the observed items. Respondents are grouped
by missing-data pattern, so that each pattern acts like a group with its own moments.
semopy's own FIML ignores the mean structure (it assumes centred data), so csi writes
this objective itself; semopy still supplies the model matrices and a first solution
(fitted to the EM estimate of the covariance matrix).

The unrestricted (h1) model is the EM estimate of the means and covariances (Dempster,
Laird & Rubin 1977); ``chisq = 2 (logL_h1 - logL)``. Standard errors from the observed
information (the exact Hessian of the log-likelihood, :mod:`csi.sem.fiml_information`),
lavaan's default with ``missing = "ml"``. Assumes answers are missing at random (MAR).

Mean structure as lavaan's: an intercept per indicator, intercepts of the observed
regression variables in the Beta block (so ``y3 ~ y1`` reports ``mu_y3 - b mu_y1``), and
with observed exogenous covariates (``fixed.x``) their means, variances and covariances
held at the EM estimates (not parameters, not in the df; log-likelihoods conditional on
them). ``estimator="MLR"`` adds sandwich standard errors and the Yuan-Bentler test
(:mod:`csi.sem.mlr`); several groups are fitted by :mod:`csi.sem.fiml_groups`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg

from csi import diagnostics as dg
from csi.sem.assemble import FitRun
from csi.sem.engine import Engine, GroupMap, GroupStats, NotPositiveDefinite
from csi.sem.fiml_information import fiml_gfi, observed_hessian
from csi.sem.fit_checks import _GroupData
from csi.sem.fit_estimation import FitState, _assemble, _invert_information
from csi.sem.fitindices import agfi, fit_indices, rmsea_interval
from csi.sem.means import start_means
from csi.sem.mlr import fiml_corrected, fiml_sandwich, independence_trace
from csi.sem.result import SEMResult
from csi.sem.structure import Structure, readable_names
from csi.sem.syntax import SemModel
from csi.sem.weights import robust_fit

_log = logging.getLogger(__name__)
_LOG2PI = float(np.log(2 * np.pi))


@dataclass
class Pattern:
    """Respondents sharing one missing-data pattern (``obs`` = answered item indices)."""

    obs: np.ndarray
    n: int
    mean: np.ndarray
    cov: np.ndarray  # divisor n


def patterns(x: np.ndarray) -> list[Pattern]:
    """Group rows by which items are answered (rows answering nothing must be removed)."""
    seen = ~np.isnan(x)
    keys, inverse = np.unique(seen, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        rows = x[inverse.ravel() == k][:, key]
        mean = rows.mean(axis=0)
        d = rows - mean
        out.append(Pattern(np.flatnonzero(key), len(rows), mean, d.T @ d / len(rows)))
    return out


def pattern_loglik(pats: list[Pattern], mu: np.ndarray, sigma: np.ndarray) -> float:
    """Observed-data log-likelihood of all respondents."""
    ll = 0.0
    for pt in pats:
        o = pt.obs
        so = sigma[np.ix_(o, o)]
        chol = linalg.cholesky(so, lower=True)
        logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
        inv = linalg.cho_solve((chol, True), np.eye(len(o)))
        d = pt.mean - mu[o]
        quad = float(np.sum(inv * pt.cov)) + float(d @ inv @ d)
        ll += -0.5 * pt.n * (len(o) * _LOG2PI + logdet + quad)
    return ll


def em_saturated(
    pats: list[Pattern], p: int, *, tol: float = 1e-10, max_iter: int = 5_000
) -> tuple[np.ndarray, np.ndarray, bool]:
    """EM estimates of the mean vector and covariance matrix (divisor N) with missing data."""
    n = sum(pt.n for pt in pats)
    mu = np.zeros(p)
    cnt = np.zeros(p)
    for pt in pats:
        mu[pt.obs] += pt.n * pt.mean
        cnt[pt.obs] += pt.n
    mu = mu / cnt
    sigma = np.zeros((p, p))
    for pt in pats:
        d = pt.mean - mu[pt.obs]
        sigma[np.ix_(pt.obs, pt.obs)] += pt.n * (pt.cov + np.outer(d, d))
    sigma = np.diag(np.diag(sigma) / cnt)
    everything = np.arange(p)
    # index sets of each pattern, built once: (o, m, oo, mo, mm) with m the unanswered items
    idx = []
    for pt in pats:
        o = pt.obs
        m = np.setdiff1d(everything, o)
        idx.append((o, m, np.ix_(o, o), np.ix_(m, o), np.ix_(m, m)))
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for pt, (o, m, oo, mo, mm) in zip(pats, idx, strict=True):
            if len(m) == 0:
                t1 += pt.n * pt.mean
                t2 += pt.n * (pt.cov + np.outer(pt.mean, pt.mean))
                continue
            s_mo = sigma[mo]
            b = np.linalg.solve(sigma[oo], s_mo.T).T  # (m, o) regression weights
            resid = sigma[mm] - b @ s_mo.T
            ym = mu[m] + b @ (pt.mean - mu[o])  # mean of the conditional expectations
            e1 = np.empty(p)
            e1[o], e1[m] = pt.mean, ym
            # sum over rows of E[y y'] = n (cov_x + mean mean') blocks
            c_mo = b @ pt.cov
            e2 = np.empty((p, p))
            e2[oo] = pt.cov
            e2[mo] = c_mo
            e2[np.ix_(o, m)] = c_mo.T
            e2[mm] = c_mo @ b.T + resid
            t1 += pt.n * e1
            t2 += pt.n * (e2 + np.outer(e1, e1))
        new_mu = t1 / n
        new_sigma = t2 / n - np.outer(new_mu, new_mu)
        change = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_sigma - sigma)))
        mu, sigma = new_mu, new_sigma
        if change < tol:
            return mu, sigma, True
    return mu, sigma, False


class FimlEngine(Engine):
    """The FIML discrepancy ``-2 log L / N`` (up to a constant) with Fisher scoring."""

    def __init__(self, st: Structure, stats: GroupStats, pats: list[Pattern]) -> None:
        """Mean parameters as lavaan's: an intercept per indicator and, for the observed
        variables of the regressions (Beta block), an intercept there (propagated by
        ``(I - B)^-1``), the exogenous ones (``fixed.x``) held at their EM means; the
        user's ``F ~ 1`` frees a latent mean, ``x1 ~ 0*1`` fixes an intercept or mean."""
        k = st.k
        inner_obs = [j for j, v in enumerate(st.inner) if v in set(st.obs)]
        in_inner = {st.inner[j] for j in inner_obs}
        x_vars = set(st.fixed_x_vars)
        fixed_means = dict(st.sm.fixed_means)
        free_latent = {v for v in st.sm.intercepts if v in st.sm.latents} - set(fixed_means)
        nu_idx = -np.ones(st.p, dtype=int)
        nu_fixed = np.array([fixed_means.get(v, 0.0) for v in st.obs])
        free_nu = [i for i, v in enumerate(st.obs) if v not in in_inner and v not in fixed_means]
        nu_idx[free_nu] = k + np.arange(len(free_nu))
        pos = np.concatenate([st.latent_idx, inner_obs]).astype(int)
        alpha_idx = -np.ones(len(pos), dtype=int)
        fixed = np.zeros(len(pos))
        nxt = k + len(free_nu)
        for a, j in enumerate(pos):
            v = st.inner[j]
            if v in x_vars:
                fixed[a] = stats.mean[st.obs.index(v)]
            elif v in fixed_means:
                fixed[a] = fixed_means[v]
            elif v in in_inner or v in free_latent:
                alpha_idx[a] = nxt
                nxt += 1
        nu_fixed[[st.obs.index(v) for v in in_inner]] = 0.0
        gmap = GroupMap(np.arange(k), nu_idx, alpha_idx, nu_fixed)
        super().__init__([st], [stats], [gmap], nxt, meanstructure=True)
        self.alpha_pos = [pos]
        self.alpha_fixed = [fixed]
        self.pats = pats

    def mean_names(self) -> list[str]:
        """Labels of the mean parameters, in the order of ``theta``."""
        st, mp = self.structs[0], self.maps[0]
        assert mp.nu_idx is not None and mp.alpha_idx is not None
        out = [f"nu.{v}" for v, i in zip(st.obs, mp.nu_idx, strict=True) if i >= 0]
        pos = self.alpha_pos[0]
        return out + [
            f"alpha.{st.inner[j]}" for j, i in zip(pos, mp.alpha_idx, strict=True) if i >= 0
        ]

    def start(self, x0: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """Starting values: semopy's, and the EM means for every intercept."""
        st, mp = self.structs[0], self.maps[0]
        assert mp.nu_idx is not None and mp.alpha_idx is not None
        theta = np.zeros(self.n_par)
        theta[: st.k] = x0
        free = mp.nu_idx >= 0
        theta[mp.nu_idx[free]] = mean[free]
        for j, i in zip(self.alpha_pos[0], mp.alpha_idx, strict=True):
            if i >= 0 and st.inner[j] in st.obs:
                theta[i] = mean[st.obs.index(st.inner[j])]
        if st.sm.fixed_means or set(st.sm.intercepts) & set(st.sm.latents):
            theta = start_means(self, theta)  # latent means, fixed intercepts
        return theta

    def objective(self, theta: np.ndarray, estimator: str = "ML") -> float:
        try:
            s = self.state(theta, 0, derivatives=False)
        except NotPositiveDefinite:
            return np.inf
        assert s.mu is not None
        try:
            return -2.0 * pattern_loglik(self.pats, s.mu, s.sigma) / self.n_total
        except linalg.LinAlgError:
            return np.inf

    def gradient_information(
        self, theta: np.ndarray, estimator: str = "ML"
    ) -> tuple[np.ndarray, np.ndarray]:
        s = self.state(theta, 0)
        assert s.mu is not None and s.dmu is not None
        grad = np.zeros(self.n_par)
        hess = np.zeros((self.n_par, self.n_par))
        k = len(s.dsig)
        for pt in self.pats:
            o = pt.obs
            so = s.sigma[np.ix_(o, o)]
            inv = np.linalg.inv(so)
            d = pt.mean - s.mu[o]
            target = pt.cov + np.outer(d, d)
            a = inv @ (so - target) @ inv
            ds = s.dsig[:, o][:, :, o]
            dm = s.dmu[:, o]
            gl = ds.reshape(k, -1) @ a.ravel() - 2.0 * dm @ (inv @ d)
            b = np.matmul(inv, ds)  # Sigma^-1 dSigma_i
            hl = b.reshape(k, -1) @ b.transpose(0, 2, 1).reshape(k, -1).T
            hl += 2.0 * dm @ inv @ dm.T
            w = pt.n / self.n_total
            np.add.at(grad, s.idx, w * gl)
            hess[np.ix_(s.idx, s.idx)] += w * hl
        return grad, hess

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Observed (unit) information: half the exact Hessian of ``-2 log L / N``.

        Analytic, per missing-data pattern (:mod:`csi.sem.fiml_information`).
        """
        return observed_hessian(self, theta, [self.pats]) / 2.0


def fit_fiml(
    sm: SemModel,
    group: _GroupData,
    n_excluded: int,
    *,
    level: float,
    lang: str,
    max_iter: int,
    estimator: str = "ML",
) -> SEMResult:
    """Fit ``sm`` to incomplete raw answers by FIML (called by :func:`csi.fit_sem`).

    ``estimator="MLR"``: robust (sandwich) standard errors and the Yuan-Bentler scaled
    test (:mod:`csi.sem.mlr`).
    """
    gd = group
    raw = gd.raw
    assert raw is not None
    st = Structure(sm)
    perm = [list(sm.observed).index(v) for v in st.obs]
    x = raw[:, perm]
    pats = patterns(x)
    p = st.p
    mu_h1, sigma_h1, em_ok = em_saturated(pats, p)
    n = len(x)
    x0, _ok = st.semopy_fit(sigma_h1, n, "MLW")
    if not np.all(np.isfinite(x0)):
        x0 = st.prepare(sigma_h1, n)
    stats_ = GroupStats(n, sigma_h1, mu_h1)
    engine = FimlEngine(st, stats_, pats)
    theta0 = engine.start(x0, mu_h1)
    theta, converged, iters = engine.fisher_scoring(theta0, "ML", max_iter=max_iter)
    info = engine.observed_information(theta) * n
    vcov, singular = _invert_information(info)
    names = list(st.free_names) + engine.mean_names()
    diags = _start_diagnostics(singular, readable_names([st], names), em_ok, lang)
    s = engine.state(theta, 0, derivatives=False)
    assert s.mu is not None
    ll = pattern_loglik(pats, s.mu, s.sigma)
    ll_h1 = pattern_loglik(pats, mu_h1, sigma_h1)
    chisq = max(2.0 * (ll_h1 - ll), 0.0)
    npar = len(theta)
    xs = [st.obs.index(v) for v in st.fixed_x_vars]
    nx = len(xs)
    # fixed.x: the x means, variances and covariances are not parameters (nor df)
    df = p * (p + 1) // 2 + p - npar - nx * (nx + 3) // 2
    ll_x = _x_loglik(x, xs, mu_h1, sigma_h1)
    fit = fit_indices(
        chisq=chisq,
        df=df,
        npar=npar,
        covs=[sigma_h1],
        sigmas=[s.sigma],
        ns=[n],
        means=[mu_h1],
        mus=[s.mu],
        baseline=2.0 * (ll_h1 - _independence_loglik(pats, p, xs, ll_x)),
        fixed_x=nx * (nx + 1) // 2,
    )
    # lavaan's log-likelihoods with fixed.x are conditional on the x values
    ll, ll_h1 = ll - ll_x, ll_h1 - ll_x
    gfi, moments = fiml_gfi(x, pats, s.mu, s.sigma, xs)
    _likelihood_entries(fit, gfi, moments, df, ll, ll_h1, npar, n)
    robust: dict[str, float] = {}
    if estimator == "MLR":
        vcov, robust = _mlr(engine, theta, x, pats, fit, df, (mu_h1, sigma_h1), xs)
    if df > 0:
        robust.update(
            fiml_corrected(
                engine,
                theta,
                [x],
                [pats],
                [(mu_h1, sigma_h1)],
                robust=estimator == "MLR",
                xs=xs,
            )
        )
    missing_cells = int(np.isnan(x).sum())
    result = fiml_result(
        FitState(sm, engine, theta, "ML", [gd]),
        [(mu_h1, sigma_h1)],
        perm,
        vcov,
        names,
        fit,
        diags,
        FitRun(converged, iters, n_excluded, lang),
        robust=robust,
        multigroup=False,
        level=level,
        estimator=estimator,
    )
    _log.info("FIML: %d respondents, %d missing answers", n, missing_cells)
    return result


def _start_diagnostics(
    singular: list[int], names: list[str], em_ok: bool, lang: str
) -> list[dg.Diagnostic]:
    """Parameters the information does not identify; an EM that did not converge."""
    diags: list[dg.Diagnostic] = []
    if singular:
        diags += dg.not_identified(", ".join(names[k] for k in singular[:5]), lang=lang)
    if not em_ok:
        diags += dg.not_converged(False, lang=lang)
    return diags


def _likelihood_entries(
    fit: pd.Series,
    gfi: float,
    moments: float,
    df: int,
    ll: float,
    ll_h1: float,
    npar: int,
    n: int,
) -> None:
    """Set the GFI/AGFI, log-likelihoods and information criteria of ``fit`` in place:
    ``AIC = -2 log L + 2 q``, ``BIC = -2 log L + q log N``, sample-size adjusted BIC
    with ``log((N + 2) / 24)`` (lavaan's ``fitMeasures``)."""
    fit["gfi"] = gfi
    fit["agfi"] = agfi(gfi, moments, df)
    fit["loglik"] = ll
    fit["unrestricted_loglik"] = ll_h1
    fit["aic"] = -2 * ll + 2 * npar
    fit["bic"] = -2 * ll + npar * np.log(n)
    fit["bic_adjusted"] = -2 * ll + npar * np.log((n + 2) / 24)


def fiml_result(
    state: FitState,
    h1: list[tuple[np.ndarray, np.ndarray]],
    perm: list[int],
    vcov: np.ndarray,
    names: list[str],
    fit: pd.Series,
    diags: list[dg.Diagnostic],
    run: FitRun,
    *,
    robust: dict[str, float],
    multigroup: bool,
    level: float,
    estimator: str,
) -> SEMResult:
    """The result of a FIML fit (one group or several): each group keeps its EM
    saturated moments ``h1`` (``(mean, cov)`` in the model's order ``perm``, put back in
    the data's order) as its sample moments, for the residuals and later computations."""
    back = np.argsort(perm)
    for gd, (mu_h1, sigma_h1) in zip(state.groups, h1, strict=True):
        gd.cov = sigma_h1[np.ix_(back, back)]
        gd.mean = mu_h1[back]
    return _assemble(
        state,
        vcov,
        names,
        fit,
        diags,
        run,
        robust=robust,
        multigroup=multigroup,
        level=level,
        estimator=f"{estimator} (FIML)",
    )


def _mlr(
    engine: FimlEngine,
    theta: np.ndarray,
    x: np.ndarray,
    pats: list[Pattern],
    fit: pd.Series,
    df: int,
    h1: tuple[np.ndarray, np.ndarray],
    xs: list[int],
) -> tuple[np.ndarray, dict[str, float]]:
    """Sandwich covariance and the scaled and robust fit entries of MLR with FIML."""
    vcov, trace_h0, trace_h1 = fiml_sandwich(engine, theta, [x], [pats], [h1], xs)
    p = x.shape[1]
    robust = robust_fit(
        chisq=float(fit["chisq"]),
        df=df,
        baseline_chisq=float(fit["baseline_chisq"]),
        baseline_df=int(fit["baseline_df"]),
        trace_h0=trace_h0,
        trace_h1=trace_h1,
        trace_b=independence_trace(x, xs),
        n=engine.n_total,
        groups=1,
        npar=engine.n_par,
        moments=p * (p + 1) // 2 + p - len(xs) * (len(xs) + 3) // 2,
    )
    if "scaling_factor" in robust:
        _, lo, up, pclose = rmsea_interval(
            float(fit["chisq"]), df * robust["scaling_factor"], engine.n_total
        )
        robust["rmsea_ci_lower_scaled"] = lo
        robust["rmsea_ci_upper_scaled"] = up
        robust["rmsea_pvalue_scaled"] = pclose
    return vcov, robust


def _x_loglik(x: np.ndarray, xs: list[int], mu: np.ndarray, sigma: np.ndarray) -> float:
    """Log-likelihood of the exogenous observed variables alone at the EM moments."""
    if not xs:
        return 0.0
    sub = x[:, xs]
    keep = ~np.all(np.isnan(sub), axis=1)
    return pattern_loglik(patterns(sub[keep]), mu[xs], sigma[np.ix_(xs, xs)])


def _independence_loglik(
    pats: list[Pattern], p: int, xs: list[int] | None = None, ll_x: float = 0.0
) -> float:
    """Log-likelihood of the independence model (each item's own mean and variance).

    With exogenous observed variables ``xs`` (``fixed.x``) their block keeps its EM
    moments (log-likelihood ``ll_x``) and the other items are independent of it.
    """
    sums = np.zeros(p)
    cnt = np.zeros(p)
    for pt in pats:
        sums[pt.obs] += pt.n * pt.mean
        cnt[pt.obs] += pt.n
    mu = sums / cnt
    ss = np.zeros(p)
    for pt in pats:
        d = pt.mean - mu[pt.obs]
        ss[pt.obs] += pt.n * (np.diag(pt.cov) + d**2)
    var = ss / cnt
    terms = cnt * (_LOG2PI + np.log(var) + 1.0)
    if xs:
        terms[xs] = 0.0
    return float(-0.5 * np.sum(terms)) + ll_x
