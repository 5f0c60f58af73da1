"""Discrepancy functions, Fisher scoring and information matrices for one or more groups.

semopy's optimiser (SLSQP, a few steps) gives the first approximation; csi then finishes
it with Fisher scoring (Gauss-Newton with the expected information), which converges to
lavaan's solution to many digits (SLSQP run to its own end stops about 1e-3 away, which
is the golden tolerance) and carries the cross-group equality constraints semopy does
not have. With ML the step is Newton's (the exact Hessian,
:func:`csi.sem.fiml_information.ml_derivatives`) wherever that Hessian is positive
definite: Fisher scoring alone converges only linearly when the model does not fit
exactly (34 iterations on the Holzinger-Swineford CFA, 6 with Newton steps).

Discrepancies (per group; ``S`` has divisor N for ML, N - 1 for GLS and ULS as in lavaan;
Browne 1984; Bollen 1989):

* ML:  ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p + (m - mu)' Sigma^-1 (m - mu)``
* GLS: ``F = 1/2 tr[(S^-1 (S - Sigma))^2]``
* ULS: ``F = (s - sigma)'(s - sigma)`` over the non-duplicated elements (lavaan's ULS).

Several groups: ``F = sum_g (n_g / N) F_g`` and ``chisq = N F``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from csi.sem.constraints import Affine
from csi.sem.structure import Structure


@dataclass
class GroupStats:
    """Sample moments of one group in the structure's observed order (divisor ``n``)."""

    n: float  # respondents (with sampling weights in groups: the group's sum of weights)
    cov: np.ndarray
    mean: np.ndarray
    logdet: float = field(init=False)

    def __post_init__(self) -> None:
        sign, logdet = np.linalg.slogdet(self.cov)
        self.logdet = float(logdet) if sign > 0 else -np.inf


@dataclass
class GroupMap:
    """Where one group's parameters sit in the global parameter vector.

    ``cov_idx[i]`` is the global index of semopy free parameter ``i``; ``nu_idx`` and
    ``alpha_idx`` (meanstructure only) give intercepts and latent means, ``-1`` = fixed
    (an intercept at ``nu_fixed``, 0 without it; a mean at the engine's ``alpha_fixed``).
    """

    cov_idx: np.ndarray
    nu_idx: np.ndarray | None = None
    alpha_idx: np.ndarray | None = None
    nu_fixed: np.ndarray | None = None


class NotPositiveDefinite(Exception):
    """The implied covariance matrix is not positive definite at these parameters."""


@dataclass
class GroupState:
    sigma: np.ndarray
    chol: np.ndarray  # lower Cholesky factor of Sigma
    mu: np.ndarray | None
    dsig: np.ndarray  # (K_local, p, p) w.r.t. the group's local parameter list
    dmu: np.ndarray | None  # (K_local, p)
    idx: np.ndarray  # global index of each local parameter
    implied: tuple[np.ndarray, np.ndarray] | None = None  # (M = Lambda C, C) at theta


class Engine:
    """The global parameter vector of one or more groups and its discrepancy function."""

    def __init__(
        self,
        structs: list[Structure],
        stats: list[GroupStats],
        maps: list[GroupMap],
        n_par: int,
        *,
        meanstructure: bool = False,
    ) -> None:
        self.structs = structs
        self.stats = stats
        self.maps = maps
        self.n_par = n_par
        self.meanstructure = meanstructure
        self.n_total = round(float(sum(s.n for s in stats)))
        #: ML needs a positive definite Sigma; GLS and ULS do not (lavaan lets their
        #: solutions reach an indefinite Sigma, e.g. a negative error variance)
        self.require_pd = True
        #: per group: the Beta/Psi-block variables that carry a mean parameter (``alpha``,
        #: one per entry of ``GroupMap.alpha_idx``; the latents by default, plus the
        #: observed regression variables in a FIML fit with covariates) and the values of
        #: the fixed ones
        self.alpha_pos: list[np.ndarray] = [st.latent_idx for st in structs]
        self.alpha_fixed: list[np.ndarray] = [np.zeros(len(st.latent_idx)) for st in structs]
        #: linear equality constraints ``theta = offset + basis phi`` (lavaan's ``==``, and
        #: active inequalities); Fisher scoring then steps within that set
        self.constraint: Affine | None = None

    # ------------------------------------------------------------ parameters
    def local(self, theta: np.ndarray, g: int) -> np.ndarray:
        return theta[self.maps[g].cov_idx]

    def mean_parts(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        st, mp = self.structs[g], self.maps[g]
        nu = np.zeros(st.p)
        alpha = np.zeros(len(st.inner))
        if mp.nu_fixed is not None:
            nu[:] = mp.nu_fixed
        if mp.nu_idx is not None:
            free = mp.nu_idx >= 0
            nu[free] = theta[mp.nu_idx[free]]
        if mp.alpha_idx is not None:
            pos = self.alpha_pos[g]
            free = mp.alpha_idx >= 0
            alpha[pos] = self.alpha_fixed[g]
            alpha[pos[free]] = theta[mp.alpha_idx[free]]
        return nu, alpha

    def state(self, theta: np.ndarray, g: int, *, derivatives: bool = True) -> GroupState:
        st, mp = self.structs[g], self.maps[g]
        sigma, m, c = st.implied(self.local(theta, g))
        try:
            chol = _cholesky(sigma)
        except linalg.LinAlgError as err:
            if self.require_pd or not np.all(np.isfinite(sigma)):
                raise NotPositiveDefinite(str(err)) from err
            chol = np.full_like(sigma, np.nan)
        mu = dmu = None
        if derivatives:
            dsig = st.dsigma(m, c)
        else:
            dsig = np.zeros((0, st.p, st.p))
        idx = mp.cov_idx
        if self.meanstructure:
            nu, alpha = self.mean_parts(theta, g)
            mu = nu + m @ alpha
            if derivatives:
                blocks = [st.dmean(m, c, alpha)]
                idx_parts = [mp.cov_idx]
                assert mp.nu_idx is not None and mp.alpha_idx is not None
                fn = mp.nu_idx >= 0
                blocks.append(np.eye(st.p)[fn])
                idx_parts.append(mp.nu_idx[fn])
                fa = mp.alpha_idx >= 0
                blocks.append(m[:, self.alpha_pos[g][fa]].T)
                idx_parts.append(mp.alpha_idx[fa])
                dmu = np.vstack(blocks)
                extra = dmu.shape[0] - dsig.shape[0]
                dsig = np.concatenate([dsig, np.zeros((extra, st.p, st.p))])
                idx = np.concatenate(idx_parts)
        return GroupState(sigma, chol, mu, dsig, dmu, idx, (m, c))

    # -------------------------------------------------------------- ML
    def ml_group(self, s: GroupState, g: int) -> float:
        """F_ML of one group (0 at a perfect fit)."""
        data = self.stats[g]
        p = data.cov.shape[0]
        linv_s = _lower_solve(s.chol, data.cov)
        tr = float(np.sum(_lower_solve(s.chol, linv_s.T).diagonal()))
        logdet = 2.0 * float(np.sum(np.log(np.diag(s.chol))))
        f = logdet + tr - data.logdet - p
        if s.mu is not None:
            z = _lower_solve(s.chol, data.mean - s.mu)
            f += float(z @ z)
        return f

    def objective(self, theta: np.ndarray, estimator: str = "ML") -> float:
        """Total discrepancy ``sum_g w_g F_g`` (:meth:`group_weight`); ``inf`` where Sigma
        is not PD. With means, GLS adds ``d' S^-1 d`` and ULS ``d'd`` (``d = m - mu``)."""
        total = 0.0
        for g in range(len(self.structs)):
            try:
                s = self.state(theta, g, derivatives=False)
            except NotPositiveDefinite:
                return np.inf
            w = self.group_weight(g, estimator)
            data = self.stats[g]
            if estimator == "ML":
                total += w * self.ml_group(s, g)
            elif estimator == "GLS":
                total += w * _gls_value(data.cov, s.sigma)
                if s.mu is not None:
                    d = data.mean - s.mu
                    total += w * float(d @ np.linalg.solve(data.cov, d))
            elif estimator == "ULS":
                total += w * _uls_value(data.cov, s.sigma)
                if s.mu is not None:
                    d = data.mean - s.mu
                    total += w * float(d @ d)
            else:  # pragma: no cover - guarded by fit_sem
                raise ValueError(estimator)
        return total

    def group_weight(self, g: int, estimator: str) -> float:
        """Weight of group g in the total discrepancy: ``n_g / N`` (ML), and for GLS and
        ULS lavaan's ``(n_g - 1) / (N - G)`` (each group's statistic uses ``n_g - 1``)."""
        if estimator in ("GLS", "ULS") and len(self.stats) > 1:
            return (self.stats[g].n - 1.0) / (self.n_total - len(self.stats))
        return self.stats[g].n / self.n_total

    def gradient_information(
        self, theta: np.ndarray, estimator: str = "ML"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of the total discrepancy and its expected Hessian (Fisher scoring).

        ML: ``g_i = tr(Sigma^-1 (Sigma - S - dd') Sigma^-1 dSigma_i) - 2 dmu_i' Sigma^-1 d``,
        ``H_ij = tr(Sigma^-1 dSigma_i Sigma^-1 dSigma_j) + 2 dmu_i' Sigma^-1 dmu_j``
        with ``d = m - mu``; GLS the same with ``S^-1`` in place of ``Sigma^-1`` (and
        ``S`` for ``S + dd'``); ULS ``g = -2 (dsigma' r + dmu' d)``,
        ``H = 2 (dsigma' dsigma + dmu' dmu)`` with ``r = vech(S - Sigma)``.
        """
        weights = [self.group_weight(g, estimator) for g in range(len(self.structs))]
        return self._gradient_information(theta, estimator, weights)

    def expected_hessian(self, theta: np.ndarray, estimator: str = "ML") -> np.ndarray:
        """Expected Hessian with lavaan's information weights ``n_g / N`` for every
        estimator (the covariance of the estimates is ``(n_stat H / 2)^-1``)."""
        weights = [s.n / self.n_total for s in self.stats]
        return self._gradient_information(theta, estimator, weights)[1]

    def _gradient_information(
        self, theta: np.ndarray, estimator: str, weights: Sequence[float]
    ) -> tuple[np.ndarray, np.ndarray]:
        grad = np.zeros(self.n_par)
        hess = np.zeros((self.n_par, self.n_par))
        for g in range(len(self.structs)):
            s = self.state(theta, g)
            data = self.stats[g]
            w = weights[g]
            if estimator == "ULS":
                dv = _vech_stack(s.dsig)
                r = _vech(data.cov - s.sigma)
                gl = -2.0 * dv @ r
                hl = 2.0 * dv @ dv.T
                if s.dmu is not None:
                    gl -= 2.0 * s.dmu @ (data.mean - s.mu)
                    hl += 2.0 * s.dmu @ s.dmu.T
            else:
                gl, hl, _e, _r = normal_theory_terms(s, data, estimator)
            np.add.at(grad, s.idx, w * gl)
            hess[np.ix_(s.idx, s.idx)] += w * hl
        return grad, hess

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Expected (unit) information of the ML discrepancy: ``H / 2`` per respondent."""
        _, hess = self.gradient_information(theta, "ML")
        return hess / 2.0

    # ------------------------------------------------------------ optimiser
    def fisher_scoring(
        self,
        theta0: np.ndarray,
        estimator: str = "ML",
        *,
        max_iter: int = 200,
        tol: float = 1e-7,
        newton: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
    ) -> tuple[np.ndarray, bool, int]:
        """Minimise the discrepancy by Fisher scoring with step halving.

        Returns ``(theta, converged, iterations)``; converged when the largest scaled
        step is below ``tol``. ``newton(theta)``: gradient, expected and exact Hessian of the
        discrepancy; where the exact one is positive definite the step is Newton's
        (quadratic convergence) instead of Fisher scoring's, whose rate is only linear
        when the model does not fit exactly.
        """
        theta = np.asarray(theta0, dtype=float).copy()
        basis = None
        if self.constraint is not None:
            theta = self.constraint.project(theta)
            basis = self.constraint.basis
        f = self.objective(theta, estimator)
        if not np.isfinite(f):
            return theta, False, 0
        for it in range(1, max_iter + 1):
            exact = None
            if newton is not None:
                grad, hess, exact = newton(theta)
            else:
                grad, hess = self.gradient_information(theta, estimator)
            if basis is not None:  # scoring over phi; the step T dphi stays in the set
                grad, hess = basis.T @ grad, basis.T @ hess @ basis
                if exact is not None:
                    exact = basis.T @ exact @ basis
            step = _newton_step(exact, grad) if exact is not None else None
            if step is None:
                try:
                    with warnings.catch_warnings():
                        # a singular information: the step still moves, and the fit
                        # names the unidentified parameters in its diagnostics
                        warnings.simplefilter("ignore", linalg.LinAlgWarning)
                        step = -linalg.solve(hess, grad, assume_a="sym")
                except (linalg.LinAlgError, ValueError):
                    step = -np.linalg.lstsq(hess, grad, rcond=None)[0]
            if basis is not None:
                step = basis @ step
            t = 1.0
            while True:
                new = theta + t * step
                f_new = self.objective(new, estimator)
                if np.isfinite(f_new) and f_new <= f + 1e-14 * max(1.0, abs(f)):
                    break
                t /= 2.0
                if t < 1e-8:
                    return theta, bool(np.max(np.abs(grad)) < 1e-6), it
            theta, f_old, f = new, f, f_new
            size = np.max(np.abs(t * step) / np.maximum(1.0, np.abs(theta)))
            if size < tol or (abs(f_old - f) < 1e-15 and size < 1e-7):
                return theta, True, it
        return theta, False, max_iter


# ----------------------------------------------------------------- helpers
def normal_theory_terms(
    s: GroupState, data: GroupStats, estimator: str = "ML"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradient and expected Hessian of one group's ML (or GLS) discrepancy, unweighted,
    with the whitened derivatives ``e_i = L^-1 dSigma_i L^-T`` and residual
    ``r = L^-1 (Sigma - S - dd') L^-T`` (``L`` the Cholesky factor of Sigma, of S for GLS).
    """
    chol = s.chol if estimator == "ML" else linalg.cholesky(data.cov, lower=True)
    target = data.cov
    if s.mu is not None and estimator == "ML":
        d = data.mean - s.mu
        target = target + np.outer(d, d)
    e = _whiten(chol, s.dsig)  # L^-1 dSigma_i L^-T
    resid = _whiten(chol, (s.sigma - target)[None])[0]
    gl = np.einsum("kab,ab->k", e, resid)
    flat = e.reshape(len(e), -1)
    hl = flat @ flat.T
    if s.dmu is not None:
        assert s.mu is not None
        zd = linalg.cho_solve((chol, True), data.mean - s.mu, check_finite=False)
        gl -= 2.0 * s.dmu @ zd
        zm = linalg.cho_solve((chol, True), s.dmu.T, check_finite=False)
        hl += 2.0 * s.dmu @ zm
    return gl, hl, e, resid


def _cholesky(sigma: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of ``sigma`` by LAPACK's ``potrf`` directly (scipy's wrapper
    and input validation cost more than the factorisation of a small matrix);
    ``LinAlgError`` when ``sigma`` is not finite or not positive definite."""
    if not np.all(np.isfinite(sigma)):
        raise linalg.LinAlgError("the implied covariance matrix is not finite")
    factor, info = lapack.dpotrf(sigma, lower=1)
    if info != 0:
        raise linalg.LinAlgError(f"leading minor {info} is not positive definite")
    out: np.ndarray = factor
    return out


def _lower_solve(chol: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``L^-1 b`` for a lower Cholesky factor ``L`` csi computed (LAPACK ``trtrs``
    directly: scipy's ``solve_triangular`` validation was a quarter of a CFA's time)."""
    out, info = lapack.dtrtrs(chol, b, lower=1)
    if info != 0:
        raise linalg.LinAlgError(f"singular triangular factor (row {info})")
    x: np.ndarray = out
    return x


def _newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray | None:
    """``-H^-1 g`` when ``H`` is positive definite (Cholesky), else None."""
    try:
        factor = linalg.cho_factor(hess, lower=True, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        return None
    if not np.all(np.isfinite(factor[0])):
        return None
    step: np.ndarray = -linalg.cho_solve(factor, grad, check_finite=False)
    return step


def _whiten(chol: np.ndarray, mats: np.ndarray) -> np.ndarray:
    """``L^-1 A L^-T`` for each matrix A in a stack."""
    if len(mats) == 0:
        return mats
    p = chol.shape[0]
    k = len(mats)
    left = _lower_solve(chol, mats.transpose(1, 0, 2).reshape(p, k * p))
    left = left.reshape(p, k, p).transpose(1, 0, 2)  # L^-1 A
    right = _lower_solve(chol, left.transpose(2, 0, 1).reshape(p, k * p))  # L^-1 (L^-1 A)'
    return right.reshape(p, k, p).transpose(1, 0, 2)


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the non-duplicated elements, column by column (lavaan order)."""
    cols, rows = np.triu_indices(p)
    return rows, cols


def _vech(m: np.ndarray) -> np.ndarray:
    r, c = vech_indices(m.shape[0])
    return m[r, c]


def _vech_stack(ms: np.ndarray) -> np.ndarray:
    r, c = vech_indices(ms.shape[1])
    return ms[:, r, c]


def _gls_value(cov: np.ndarray, sigma: np.ndarray) -> float:
    a = np.linalg.solve(cov, cov - sigma)
    return 0.5 * float(np.sum(a * a.T))


def _uls_value(cov: np.ndarray, sigma: np.ndarray) -> float:
    r = _vech(cov - sigma)
    return float(r @ r)
