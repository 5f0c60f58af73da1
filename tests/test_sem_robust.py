"""Robust ML (Satorra-Bentler), GLS and ULS.

Independent checks: GLS and ULS estimates against a direct numerical minimisation of the
textbook discrepancy written out in this file for a one-factor model
(``Sigma = phi l l' + diag(theta)``); the Satorra-Bentler scaling factor and robust SEs
against elliptical theory: for multivariate t data with nu degrees of freedom and a
scale-invariant model, ``c -> 1 + kappa`` with ``kappa = 2 / (nu - 4)`` and the robust
SEs of loadings are ``sqrt(1 + kappa)`` times the normal-theory ones (Browne 1984;
Satorra & Bentler 1994).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.robust import duplication_weight, gamma_normal

ONE = "F =~ x1 + x2 + x3 + x4"
TWO = "A =~ x1 + x2 + x3\nB =~ x4 + x5 + x6"


def _one_factor(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    f = rng.normal(size=n)
    x = f[:, None] * lam + rng.normal(size=(n, 4)) * np.sqrt(1 - lam**2)
    return pd.DataFrame(x, columns=["x1", "x2", "x3", "x4"])


def _two_factor(n: int, seed: int, nu: float | None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, 0.4], [0.4, 1]]).T
    lam = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0, 0.8], [0, 0.7], [0, 0.6]])
    x = f @ lam.T + rng.normal(size=(n, 6)) * np.sqrt(1 - (lam**2).sum(1))
    if nu is not None:  # multivariate t: same correlations, heavier tails
        x = x / np.sqrt(rng.chisquare(nu, size=n) / (nu - 2))[:, None]
    return pd.DataFrame(x, columns=[f"x{k}" for k in range(1, 7)])


def _sigma(par: np.ndarray) -> np.ndarray:
    lam = np.concatenate([[1.0], par[:3]])
    phi, theta = par[3], par[4:]
    return phi * np.outer(lam, lam) + np.diag(theta)


def _direct(s: np.ndarray, kind: str) -> np.ndarray:
    rows, cols = np.tril_indices(4)
    s_inv = np.linalg.inv(s)

    def f(par):
        r = s - _sigma(par)
        if kind == "ULS":
            return float(np.sum(r[rows, cols] ** 2))
        a = s_inv @ r
        return 0.5 * float(np.trace(a @ a))

    start = np.array([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5])
    res = optimize.minimize(f, start, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    return res.x


@pytest.mark.parametrize("kind", ["GLS", "ULS"])
def test_gls_uls_match_direct_minimisation(kind):
    data = _one_factor(400, seed=2)
    s = np.cov(data.to_numpy().T)  # GLS and ULS use S with divisor N - 1, as lavaan
    ref = _direct(s, kind)
    res = fit_sem(data, ONE, estimator=kind)
    est = res.estimates
    ours = np.concatenate(
        [
            est[(est.op == "=~")]["estimate"].to_numpy()[1:],
            est[(est.lhs == "F") & (est.op == "~~")]["estimate"].to_numpy(),
            [est[(est.lhs == f"x{k}") & (est.op == "~~")]["estimate"].iloc[0] for k in range(1, 5)],
        ]
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7)
    assert res.estimator == kind and res.converged
    assert np.isnan(res.fit_indices["loglik"])


def test_gls_chisq_is_n_times_discrepancy_and_close_to_ml():
    data = _one_factor(2_000, seed=3)
    s = np.cov(data.to_numpy().T)  # divisor N - 1, and chisq = (N - 1) F, as lavaan
    gls = fit_sem(data, ONE, estimator="GLS")
    ml = fit_sem(data, ONE)
    a = np.linalg.solve(s, s - gls.implied_cov.to_numpy())
    assert gls.fit_indices["chisq"] == pytest.approx(1_999 * 0.5 * np.trace(a @ a), rel=1e-8)
    # both statistics estimate the same chi2(2) quantity under a correct model
    assert gls.fit_indices["chisq"] == pytest.approx(ml.fit_indices["chisq"], abs=1.0)
    assert 0 <= gls.fit_indices["cfi"] <= 1


def test_uls_chi_square_as_lavaan_without_p_value():
    # lavaan reports ULS chisq = (N - 1) F_ULS with CFI/RMSEA but no p-value (its
    # distribution is not chi-square); F_ULS = 1/2 sum (S - Sigma)^2, S with N - 1
    data = _one_factor(300, seed=4)
    res = fit_sem(data, ONE, estimator="ULS")
    resid = np.cov(data.to_numpy().T) - res.implied_cov.to_numpy()
    assert res.fit_indices["chisq"] == pytest.approx(299 * 0.5 * np.sum(resid**2), rel=1e-8)
    assert np.isnan(res.fit_indices["pvalue"]) and 0 <= res.fit_indices["cfi"] <= 1
    assert res.fit_indices["srmr"] < 0.05 and (res.estimates["se"] >= 0).all()


def test_uls_standard_errors_are_lavaans_not_normal_theory():
    # lavaan's "standard" ULS SEs are (D'D)^-1/(N-1), not the normal-theory sandwich, so
    # they are not ML-like (checked against lavaan in test_sem_parity.py); they do shrink
    # as 1/sqrt(N - 1): quadrupling the sample halves them
    small = fit_sem(_one_factor(3_000, seed=5), ONE, estimator="ULS")
    big = fit_sem(
        _one_factor(3_000, seed=5).pipe(lambda d: d.loc[d.index.repeat(4)]), ONE, estimator="ULS"
    )
    free = small.estimates["se"] > 0
    ratio = big.estimates["se"][free] / small.estimates["se"][free]
    np.testing.assert_allclose(ratio, np.sqrt(2_999 / 11_999), rtol=1e-3)  # S changes a little


def test_satorra_bentler_normal_data_scaling_near_one():
    data = _two_factor(20_000, seed=6, nu=None)
    res = fit_sem(data, TWO, estimator="MLM")
    ml = fit_sem(data, TWO)
    f = res.fit_indices
    assert f["scaling_factor"] == pytest.approx(1.0, abs=0.05)
    assert f["chisq"] == pytest.approx(ml.fit_indices["chisq"], rel=1e-12)
    assert f["chisq_scaled"] == pytest.approx(f["chisq"] / f["scaling_factor"], rel=1e-12)
    np.testing.assert_allclose(res.estimates["estimate"], ml.estimates["estimate"])
    free = ml.estimates["se"] > 0
    ratio = res.estimates["se"][free] / ml.estimates["se"][free]
    assert ratio.between(0.95, 1.05).all()


def test_satorra_bentler_elliptical_theory():
    """t(12): kappa = 0.25, so c -> 1.25 and loading SEs grow by sqrt(1.25) = 1.118.

    Tolerances: the fourth moments of t(12) have a large sampling spread (finite only
    up to the 11th moment), so at n = 20,000 c is within about 0.05 of its limit.
    """
    data = _two_factor(20_000, seed=7, nu=12)
    res = fit_sem(data, TWO, estimator="MLM")
    ml = fit_sem(data, TWO)
    assert res.fit_indices["scaling_factor"] == pytest.approx(1.25, abs=0.07)
    loads = (ml.estimates.op == "=~") & (ml.estimates.se > 0)
    ratio = (res.estimates["se"][loads] / ml.estimates["se"][loads]).to_numpy()
    np.testing.assert_allclose(ratio, np.sqrt(1.25), atol=0.05)
    assert res.estimator == "MLM"


def test_weight_matrix_inverts_normal_gamma():
    """1/2 D'(S^-1 x S^-1) D is the inverse of 2 D+ (S x S) D+' (Browne 1974)."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    sigma = a @ a.T + 5 * np.eye(5)
    w = duplication_weight(np.linalg.inv(sigma))
    np.testing.assert_allclose(w @ gamma_normal(sigma), np.eye(15), atol=1e-10)


def test_robust_invariance_ladder_runs_with_scaled_difference():
    from csi.sem.invariance import invariance

    a = _two_factor(800, seed=8, nu=10).assign(g="a")
    b = _two_factor(800, seed=9, nu=10).assign(g="b")
    res = invariance(pd.concat([a, b], ignore_index=True), TWO, group="g", estimator="MLM")
    assert (res.table["pvalue_diff"].iloc[1:] > 0.001).all()


def test_estimator_checks():
    data = _one_factor(100, seed=1).assign(g=["a", "b"] * 50)
    with pytest.raises(CsiInputError, match="estimator must be one of"):
        fit_sem(data, ONE, estimator="WLS", group="g")
