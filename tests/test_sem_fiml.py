"""Full-information ML with missing answers.

Checks: (1) without missing answers FIML is ordinary ML (same estimates, chisq and
loglik); (2) the saturated EM estimates equal Anderson's (1957) closed form for a
bivariate sample with monotone missingness; (3) with answers missing at random
(depending on an observed item) FIML recovers the population values that listwise
deletion misses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.fiml import em_saturated, patterns
from csi.sem.fiml_information import observed_hessian
from lavaan_models import HS, LAVAAN_UNDOTTED_NAMES, PD

TWO = "A =~ x1 + x2 + x3\nB =~ x4 + x5 + x6"
LAMBDA = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0, 0.8], [0, 0.7], [0, 0.6]])


def _data(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, 0.4], [0.4, 1]]).T
    x = 2.0 + f @ LAMBDA.T + rng.normal(size=(n, 6)) * np.sqrt(1 - (LAMBDA**2).sum(1))
    return pd.DataFrame(x, columns=[f"x{k}" for k in range(1, 7)])


def _mar(data: pd.DataFrame, seed: int) -> pd.DataFrame:
    """x3 and x6 go missing mostly when x1 is high (MAR on x1); x2 completely at random."""
    rng = np.random.default_rng(seed)
    out = data.copy()
    p = 1 / (1 + np.exp(-2 * (data["x1"] - 2)))
    out.loc[rng.random(len(out)) < 0.6 * p, "x3"] = np.nan
    out.loc[rng.random(len(out)) < 0.5 * p, "x6"] = np.nan
    out.loc[rng.random(len(out)) < 0.1, "x2"] = np.nan
    return out


def test_fiml_without_missing_answers_is_ml():
    data = _data(1_000, seed=1)
    ml = fit_sem(data, TWO)
    fiml = fit_sem(data, TWO, missing="fiml")
    k = len(ml.estimates)
    np.testing.assert_allclose(
        fiml.estimates["estimate"].to_numpy()[:k], ml.estimates["estimate"], rtol=1e-6, atol=1e-9
    )
    for key in ("chisq", "df", "loglik", "cfi", "rmsea"):
        assert fiml.fit_indices[key] == pytest.approx(ml.fit_indices[key], rel=1e-6, abs=1e-9)
    # FIML also estimates the six item means (lavaan counts them in npar too)
    assert fiml.fit_indices["npar"] == ml.fit_indices["npar"] + 6
    assert fiml.fit_indices["aic"] == pytest.approx(ml.fit_indices["aic"] + 12, rel=1e-9)
    # observed-information SEs agree with expected-information SEs to O(1/sqrt(n))
    free = ml.estimates["se"] > 0
    ratio = fiml.estimates["se"].to_numpy()[:k][free] / ml.estimates["se"][free]
    assert ratio.between(0.97, 1.03).all()
    means = fiml.estimates[fiml.estimates.op == "~1"].set_index("lhs")["estimate"]
    np.testing.assert_allclose(means[[f"x{k}" for k in range(1, 7)]], data.mean(), rtol=1e-6)


def test_em_matches_anderson_closed_form():
    """Bivariate normal, y2 missing for some rows: mu2 = ybar2_cc + b (mu1_all - ybar1_cc)."""
    rng = np.random.default_rng(2)
    n = 400
    y1 = rng.normal(size=n)
    y2 = 0.6 * y1 + 0.8 * rng.normal(size=n)
    y2[y1 > 0.5] = np.nan
    x = np.column_stack([y1, y2])
    mu, sigma, ok = em_saturated(patterns(x), 2)
    cc = ~np.isnan(y2)
    b = np.cov(y1[cc], y2[cc], bias=True)[0, 1] / np.var(y1[cc])
    resid = np.var(y2[cc]) - b**2 * np.var(y1[cc])
    mu1, var1 = y1.mean(), y1.var()
    assert ok
    assert mu[0] == pytest.approx(mu1, rel=1e-8)
    assert mu[1] == pytest.approx(y2[cc].mean() + b * (mu1 - y1[cc].mean()), rel=1e-7)
    assert sigma[0, 1] == pytest.approx(b * var1, rel=1e-7)
    assert sigma[1, 1] == pytest.approx(resid + b**2 * var1, rel=1e-7)


def test_fiml_recovers_population_under_mar():
    """n = 5,000: SE of a standardized loading is about 0.01, so 0.04 is ~3-4 SE."""
    data = _mar(_data(5_000, seed=3), seed=4)
    fiml = fit_sem(data, TWO, missing="fiml")
    lw = fit_sem(data, TWO)
    assert fiml.n == 5_000 and fiml.n_excluded == 0
    assert lw.n_excluded > 2_000
    est = fiml.estimates
    loads = est[est.op == "=~"]["std_all"].to_numpy()
    np.testing.assert_allclose(loads, LAMBDA.sum(1), atol=0.04)
    corr = est[(est.lhs == "A") & (est.rhs == "B")]["std_all"].iloc[0]
    assert corr == pytest.approx(0.4, abs=0.04)
    means = est[est.op == "~1"].set_index("lhs")
    for item in ("x1", "x3", "x6"):  # within 3 SE of the population mean 2
        row = means.loc[item]
        assert abs(row["estimate"] - 2.0) < 3 * row["se"], item
    # listwise deletion selects low-x1 respondents: x1's loading is visibly attenuated
    lw_x1 = lw.estimates[(lw.estimates.op == "=~") & (lw.estimates.rhs == "x1")]["std_all"]
    assert abs(float(lw_x1.iloc[0]) - 0.8) > 0.04
    assert fiml.fit_indices["pvalue"] > 0.001  # correct model


def test_fiml_checks_and_counts():
    data = _mar(_data(300, seed=5), seed=6)
    data.loc[0, :] = np.nan  # answered nothing: cannot contribute, counted as excluded
    res = fit_sem(data, TWO, missing="fiml")
    assert res.n == 299 and res.n_excluded == 1
    assert res.estimator == "ML (FIML)"
    with pytest.raises(CsiInputError, match="needs estimator='ML'"):
        fit_sem(data, TWO, missing="fiml", estimator="GLS")


# ------------------------------------------------- lavaan 0.6.14 (missing = "ml")
REF = Path(__file__).parent / "reference" / "lavaan_robust"


#: lavaan stops its EM estimate of the saturated moments at a change below 1e-5
#: (``em.h1.tol``), csi at 1e-10; the FIML-corrected robust indices use those moments and
#: agree to 2e-5, which the tail probability of the robust RMSEA's close-fit test turns
#: into up to 3e-4 relative
LOOSE = {"rmsea_pvalue_robust": 1e-3}


def compare_with_lavaan(
    res, prefix: str, tol: float = 1e-4, est_abs: float = 1e-6, loose: dict | None = None
) -> None:
    """Estimates, SEs (relative ``tol``; estimates also within ``est_abs``) and every fit
    measure both report."""
    ref = pd.read_csv(REF / f"{prefix}_params.csv")
    est = res.estimates.assign(rhs=res.estimates["rhs"].fillna(""))
    if "group" not in est:
        est = est.assign(group=None)
    labels = list(res.groups) if res.groups else [None]
    checked = 0
    for row in ref.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        label = labels[int(row.group) - 1]
        hit = est[(est.lhs == row.lhs) & (est.op == row.op) & (est.rhs == rhs)]
        if label is not None:
            hit = hit[hit.group == label]
        assert len(hit) == 1, (row.lhs, row.op, rhs)
        got = hit.iloc[0]
        key = (prefix, row.lhs, row.op, rhs, label)
        assert got["estimate"] == pytest.approx(row.est, rel=tol, abs=est_abs), key
        assert got["se"] == pytest.approx(row.se, rel=tol, abs=1e-8), key
        checked += 1
    assert checked == len(ref)
    fit = pd.read_csv(REF / f"{prefix}_fit.csv").set_index("measure")["value"]
    compared = 0
    for name, value in res.fit_indices.items():
        key = LAVAAN_UNDOTTED_NAMES.get(str(name), str(name).replace("_", "."))
        if key in fit.index and np.isfinite(fit[key]):
            rel = {**LOOSE, **(loose or {})}.get(str(name), tol)
            assert value == pytest.approx(fit[key], rel=rel, abs=1e-9), (prefix, name)
            compared += 1
    assert compared >= 20


def test_fiml_matches_lavaan_cfa():
    """Also lavaan's FIML-corrected robust indices (Zhang & Savalei) and its GFI."""
    data = pd.read_csv(REF / "hs_missing.csv")
    res = fit_sem(data, HS, missing="ml")
    compare_with_lavaan(res, "hs_fiml")
    for key in ("cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_upper_robust", "gfi"):
        assert np.isfinite(res.fit_indices[key]), key


def test_fiml_matches_lavaan_sem_with_regressions():
    data = pd.read_csv(REF / "pd_missing.csv")
    compare_with_lavaan(fit_sem(data, PD, missing="fiml"), "pd_fiml")


def test_analytic_observed_information_is_the_hessian_of_the_loglik():
    """Exact Hessian vs central second differences of the log-likelihood itself."""
    data = pd.read_csv(REF / "pd_missing.csv")
    res = fit_sem(data, PD, missing="fiml")
    state = res.fitted_state
    engine, theta = state.engine, state.theta
    analytic = observed_hessian(engine, theta, [engine.pats])
    k = len(theta)
    h = 1e-4
    f0 = engine.objective(theta)
    numeric = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            fpp = engine.objective(theta + ei + ej)
            fpm = engine.objective(theta + ei - ej)
            fmp = engine.objective(theta - ei + ej)
            fmm = engine.objective(theta - ei - ej)
            numeric[i, j] = numeric[j, i] = (fpp - fpm - fmp + fmm) / (4 * h * h)
    assert np.isfinite(f0)
    np.testing.assert_allclose(analytic, numeric, atol=2e-4 * np.abs(numeric).max())


def test_fiml_with_observed_covariates_matches_lavaan():
    """fixed.x under FIML: x means and (co)variances held at their EM values (not in
    npar or df), intercepts of the observed regression variables as lavaan's (``y3 ~ 1``
    is ``mu_y3 - b mu_y1``), the log-likelihood conditional on x, GFI without the x
    moments, the baseline and the FIML-corrected robust indices keeping the x block."""
    data = pd.read_csv(REF / "pd_missing.csv")
    res = fit_sem(data, "y1 ~ x1\ny2 ~ x1\ny3 ~ y1", missing="fiml")
    compare_with_lavaan(res, "pd_observed_fiml")
    est = res.estimates
    x_mean = est[(est["lhs"] == "x1") & (est["op"] == "~1")]
    assert len(x_mean) == 1
    assert x_mean["se"].iloc[0] == 0  # fixed at its mean
    assert x_mean["estimate"].iloc[0] == pytest.approx(data["x1"].mean(), rel=1e-12)


def test_fiml_with_a_covariate_of_latents_matches_lavaan():
    data = pd.read_csv(REF / "hs_missing.csv")
    model = HS.rsplit("\n", 1)[0] + "\nvisual ~ x7\ntextual ~ x7"
    compare_with_lavaan(fit_sem(data, model, missing="fiml"), "hs_covariate_fiml")


def test_multigroup_fiml_matches_lavaan():
    """Two schools, intercepts free per group, latent means 0 (lavaan's defaults).

    The Pasteur group has a Heywood case (``x1 ~~ x1`` = -0.039) on a flat stretch of
    the likelihood: lavaan stops within 3.4e-5 of csi's estimates there (its
    log-likelihood 1e-8 lower than csi's), hence the absolute tolerance 5e-5.
    """
    data = pd.read_csv(REF / "hs_missing.csv")
    res = fit_sem(data, HS, missing="fiml", group="school")
    assert res.groups == ("Pasteur", "Grant-White")
    compare_with_lavaan(res, "hs_mg_fiml", est_abs=5e-5)


def test_multigroup_fiml_with_equal_loadings_and_intercepts_matches_lavaan():
    """group.equal = loadings + intercepts: the latent means are free in the second group."""
    data = pd.read_csv(REF / "hs_missing.csv")
    res = fit_sem(data, HS, missing="fiml", group="school", group_equal=["loadings", "intercepts"])
    compare_with_lavaan(res, "hs_mg_equal_fiml")


def test_multigroup_fiml_mlr_matches_lavaan():
    """MLR with FIML in two groups (equal loadings): stacked casewise scores, per-group
    saturated matrices in the Yuan-Bentler trace, FIML-corrected robust indices (V3)."""
    data = pd.read_csv(REF / "hs_missing.csv")
    res = fit_sem(
        data, HS, missing="fiml", group="school", estimator="MLR", group_equal=["loadings"]
    )
    assert res.estimator == "MLR (FIML)"
    compare_with_lavaan(res, "hs_mg_fiml_mlr", est_abs=5e-5)
    assert {"chisq_scaled", "scaling_factor", "cfi_robust", "rmsea_robust"} <= set(
        res.fit_indices.index
    )


def test_multigroup_fiml_with_a_covariate_matches_lavaan():
    """fixed.x per group (x7 held at each school's EM moments); Pasteur again has a
    Heywood case (``x1 ~~ x1`` = -0.17) where lavaan stops within 3e-5 of csi. The
    FIML-corrected statistic is evaluated at those estimates (and lavaan's EM moments,
    tolerance 1e-5), so the robust RMSEA's lower limit differs by 1.2e-4 relative."""
    data = pd.read_csv(REF / "hs_missing.csv")
    model = HS.rsplit("\n", 1)[0] + "\nvisual ~ x7\ntextual ~ x7"
    res = fit_sem(data, model, missing="fiml", group="school")
    compare_with_lavaan(
        res, "hs_covariate_mg_fiml", est_abs=5e-5, loose={"rmsea_ci_lower_robust": 2e-4}
    )
    assert "cfi_robust" in res.fit_indices


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), rate=st.floats(0.05, 0.3))
def test_observed_information_is_the_hessian_for_any_missingness(seed, rate):
    """Any missing-data pattern mix: the analytic Hessian of ``-2 log L / N`` equals the
    central second differences of the log-likelihood (a one-factor model with a
    regression on a second factor, so that the model's second derivatives enter)."""
    rng = np.random.default_rng(seed)
    data = _data(120, seed=seed)
    mask = rng.random(data.shape) < rate
    mask[mask.all(axis=1), 0] = False  # every row answers something
    data = data.mask(mask)
    res = fit_sem(data, TWO + "\nB ~ A", missing="fiml")
    engine, theta = res.fitted_state.engine, res.fitted_state.theta
    analytic = observed_hessian(engine, theta, [engine.pats])
    k, h = len(theta), 1e-4
    numeric = np.zeros((k, k))
    eye = np.eye(k) * h
    for i in range(k):
        for j in range(i, k):
            f = [
                engine.objective(theta + a * eye[i] + b * eye[j])
                for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
            numeric[i, j] = numeric[j, i] = (f[0] - f[1] - f[2] + f[3]) / (4 * h * h)
    np.testing.assert_allclose(analytic, numeric, atol=5e-4 * np.abs(numeric).max())
