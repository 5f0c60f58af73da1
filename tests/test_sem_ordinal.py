"""Ordinal items: bivariate normal CDF, polychoric correlations and DWLS.

Known values: the bivariate normal CDF against SciPy's (Genz) integration; the
tetrachoric correlation of a median-split table against Sheppard's closed form
``P(both above 0) = 1/4 + arcsin(rho) / (2 pi)``; DWLS on items cut from a continuous
two-factor model with known loadings, factor correlation and thresholds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.ordinal import fit_ordinal
from csi.sem.polychoric import bvn_cdf, ordinal_stats

TWO = "A =~ x1 + x2 + x3\nB =~ x4 + x5 + x6"
LAMBDA = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0, 0.8], [0, 0.7], [0, 0.6]])
CUTS = np.array([-1.5, -0.5, 0.3, 1.2])


def _ordinal(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, 0.4], [0.4, 1]]).T
    y = f @ LAMBDA.T + rng.normal(size=(n, 6)) * np.sqrt(1 - (LAMBDA**2).sum(1))
    return pd.DataFrame(np.searchsorted(CUTS, y) + 1, columns=[f"x{k}" for k in range(1, 7)])


def test_bivariate_normal_cdf_against_scipy():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(size=(20, 2)) * 1.5, [[0.0, 0.7], [-0.4, 0.0], [0.0, 0.0]]])
    for rho in (-0.8, -0.2, 0.3, 0.9):
        ours = bvn_cdf(points[:, 0], points[:, 1], rho)
        ref = [
            stats.multivariate_normal.cdf(pt, cov=[[1, rho], [rho, 1]], abseps=1e-10)
            for pt in points
        ]
        np.testing.assert_allclose(ours, ref, atol=1e-7)
    assert bvn_cdf(np.array([np.inf]), np.array([0.5]), 0.3)[0] == pytest.approx(
        stats.norm.cdf(0.5)
    )
    assert bvn_cdf(np.array([-np.inf]), np.array([0.5]), 0.3)[0] == 0.0


@pytest.mark.parametrize("both_high", [150, 220, 90])
def test_tetrachoric_closed_form(both_high):
    n = 1_000
    off = n // 2 - both_high
    codes = np.array([[1, 1]] * both_high + [[0, 0]] * both_high + [[1, 0]] * off + [[0, 1]] * off)
    res = ordinal_stats(codes)
    expected = np.sin(2 * np.pi * (both_high / n - 0.25))
    assert res.corr[0, 1] == pytest.approx(expected, abs=1e-7)
    assert res.thresholds[0][1] == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def dwls():
    data = _ordinal(5_000, seed=5)
    return data, fit_sem(data, TWO, estimator="DWLS", ordered=True)


def test_dwls_recovers_population(dwls):
    """n = 5,000: SEs of standardized loadings about 0.01, so 0.035 is > 3 SE."""
    data, res = dwls
    est = res.estimates
    loads = est[est.op == "=~"]["std_all"].to_numpy()
    np.testing.assert_allclose(loads, LAMBDA.sum(1), atol=0.035)
    corr = est[(est.lhs == "A") & (est.rhs == "B")]["std_all"].iloc[0]
    assert corr == pytest.approx(0.4, abs=0.04)
    tau = est[est.op == "|"]
    assert len(tau) == 24
    assert (np.abs(tau["estimate"].to_numpy() - np.tile(CUTS, 6)) < 3.5 * tau["se"]).all()
    # Pearson ML on the category codes is attenuated: the reason to use DWLS here
    ml = fit_sem(data, TWO)
    assert (ml.estimates[ml.estimates.op == "=~"]["std_all"].to_numpy() < loads - 0.005).all()
    f = res.fit_indices
    assert f["df"] == 8 and f["npar"] == 7 + 24
    assert f["cfi"] > 0.99 and "chisq_scaled" not in f  # DWLS: lavaan's plain test
    wlsmv = fit_ordinal(
        data,
        TWO,
        ordered=True,
        group=None,
        level=0.95,
        lang="en",
        max_iter=200,
        estimator="WLSMV",
    )
    np.testing.assert_allclose(wlsmv.estimates["estimate"], est["estimate"], rtol=1e-12)
    assert wlsmv.fit_indices["pvalue_scaled"] > 0.001 and wlsmv.estimator == "WLSMV"
    assert res.estimator == "DWLS" and res.converged
    # unit diagonal: error variance = 1 - R²
    err = est[(est.op == "~~") & (est.lhs == "x2") & (est.rhs == "x2")]["estimate"].iloc[0]
    assert err == pytest.approx(1 - res.r2["x2"], abs=1e-10)


def test_dwls_csi_model_with_single_item_complaints():
    """Five-point answers from simulate_csi: the single complaints item keeps error 0 and
    its construct gets the derived variance; paths recovered within 0.08 (SEs of the
    standardized paths are about 0.02 at n = 5,000)."""
    from csi.datasets.simulate import simulate_csi
    from csi.spec import ModelSpec

    sim = simulate_csi(5_000, seed=2, scale=5, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    res = fit_sem(sim.data, spec, estimator="DWLS", ordered=True)
    assert res.converged and not res.diagnostics
    est = res.estimates
    for row in sim.true_paths.itertuples():
        hit = est[(est.op == "~") & (est.lhs == row.target) & (est.rhs == row.source)]
        assert hit["std_all"].iloc[0] == pytest.approx(row.estimate, abs=0.08), row
    err = est[(est.lhs == "COMP1") & (est.op == "~~")].iloc[0]
    assert (err["estimate"], err["se"]) == (0.0, 0.0)
    comp = est[(est.lhs == "Complaints") & (est.op == "~~")].iloc[0]
    path = est[(est.lhs == "Complaints") & (est.op == "~")]["std_all"].iloc[0]
    assert comp["estimate"] == pytest.approx(1 - path**2, abs=1e-8)  # unit variance


def test_dwls_input_checks():
    data = _ordinal(300, seed=1)
    # items left out of ordered= are continuous (mixed model): x4..x6 keep free error
    # variances and get intercepts
    mixed = fit_sem(data, TWO, estimator="DWLS", ordered=["x1", "x2", "x3"])
    est = mixed.estimates
    assert set(est[est.op == "~1"].lhs) == {"x4", "x5", "x6"}
    assert (est[(est.op == "~~") & (est.lhs == "x5") & (est.rhs == "x5")].se > 0).all()
    with pytest.raises(CsiInputError, match="ordered= names none of the model's items"):
        fit_sem(data.assign(z=1), TWO, estimator="DWLS", ordered=["z"])
    with pytest.raises(CsiInputError, match="need estimator='DWLS'"):
        fit_sem(data, TWO, ordered=True)
    bad = data.astype(float)
    bad.loc[3, "x2"] = 2.5
    with pytest.raises(CsiInputError, match="'x2' has non-integer"):
        fit_sem(bad, TWO, estimator="DWLS", ordered=True)
    with pytest.raises(CsiInputError, match="single answer category"):
        fit_sem(data.assign(x5=3), TWO, estimator="DWLS", ordered=True)


@pytest.mark.slow
def test_dwls_robust_se_matches_monte_carlo_spread():
    """WLSMV's robust SEs (averaged) within 15% of the SD of estimates over 150 samples of 400."""
    est, se = [], []
    for rep in range(150):
        res = fit_ordinal(
            _ordinal(400, seed=100 + rep),
            TWO,
            ordered=True,
            group=None,
            level=0.95,
            lang="en",
            max_iter=200,
            estimator="WLSMV",
        )
        rows = res.estimates[(res.estimates.op == "=~") & (res.estimates.se > 0)]
        est.append(rows["estimate"].to_numpy())
        se.append(rows["se"].to_numpy())
    ratio = np.mean(se, axis=0) / np.std(est, axis=0, ddof=1)
    np.testing.assert_allclose(ratio, 1.0, atol=0.15)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), flip=st.integers(0, 2), drop=st.floats(0.0, 0.2))
def test_reversing_an_item_mirrors_its_statistics(seed, flip, drop):
    """Reversing an item's categories (c -> K-1-c) negates and reverses its thresholds,
    negates its polychoric correlations and leaves every variance in Gamma unchanged,
    with or without unanswered items (pairwise)."""
    rng = np.random.default_rng(seed)
    data = _ordinal(250, seed)[["x1", "x2", "x4"]].to_numpy() - 1
    data[rng.random(data.shape) < drop] = -1
    rev = data.copy()
    k = data[:, flip].max()
    rev[:, flip] = np.where(data[:, flip] >= 0, k - data[:, flip], -1)
    a, b = ordinal_stats(data), ordinal_stats(rev)
    np.testing.assert_allclose(b.thresholds[flip], -a.thresholds[flip][::-1], atol=1e-12)
    sign = np.ones(3)
    sign[flip] = -1
    np.testing.assert_allclose(b.corr, a.corr * np.outer(sign, sign), atol=1e-7)
    tau_a = [np.diag(a.gamma)[i] for i, lab in enumerate(a.labels) if lab[:2] == ("tau", flip)]
    tau_b = [np.diag(b.gamma)[i] for i, lab in enumerate(b.labels) if lab[:2] == ("tau", flip)]
    np.testing.assert_allclose(tau_b, tau_a[::-1], rtol=1e-9)
    rho = [i for i, lab in enumerate(a.labels) if lab[0] == "rho"]
    np.testing.assert_allclose(np.diag(b.gamma)[rho], np.diag(a.gamma)[rho], rtol=1e-5)


def test_fit_sem_reaches_wlsmv_pairwise_and_groups_and_refuses_the_rest():
    """fit_sem passes estimator, missing, group and group_equal to the ordinal fit (the
    same numbers as fit_ordinal), and refuses what lavaan would do differently."""
    data = _ordinal(600, seed=8)
    holes = data.astype("Float64")
    holes.loc[::17, "x2"] = pd.NA
    holes.loc[::23, "x5"] = pd.NA
    holes = holes.astype(float)
    common = {"level": 0.95, "lang": "en", "max_iter": 200}
    cases = [
        ({"estimator": "WLSMV"}, data),
        ({"estimator": "DWLS", "missing": "pairwise"}, holes),
        ({"estimator": "WLSMV", "missing": "pairwise"}, holes),
    ]
    for options, frame in cases:
        via_sem = fit_sem(frame, TWO, ordered=True, **options)
        direct = fit_ordinal(frame, TWO, ordered=True, group=None, **common, **options)
        assert via_sem.estimator == options["estimator"]
        pd.testing.assert_frame_equal(via_sem.estimates, direct.estimates)
    grouped = data.assign(school=np.where(np.arange(600) % 2 == 0, "a", "b"))
    via_sem = fit_sem(
        grouped, TWO, ordered=True, estimator="WLSMV", group="school", group_equal=["loadings"]
    )
    direct = fit_ordinal(
        grouped,
        TWO,
        ordered=True,
        group="school",
        group_equal=["loadings"],
        estimator="WLSMV",
        **common,
    )
    pd.testing.assert_frame_equal(via_sem.estimates, direct.estimates)
    with pytest.raises(CsiInputError, match="name them with ordered="):
        fit_sem(data, TWO, estimator="DWLS")
    with pytest.raises(CsiInputError, match="fiml"):
        fit_sem(holes, TWO, estimator="DWLS", ordered=True, missing="fiml")
    with pytest.raises(CsiInputError, match="pairwise"):
        fit_sem(holes, TWO, missing="pairwise")
    with pytest.raises(CsiInputError, match="std_lv"):
        fit_sem(data, TWO, estimator="WLSMV", ordered=True, std_lv=True)
