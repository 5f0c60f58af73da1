"""PLS model fit: SRMR, d_ULS and d_G (Dijkstra & Henseler 2015; Henseler et al. 2014)
against their formulas written out here, on simulated data, and the Bollen-Stine bootstrap."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.datasets import simulate_csi
from csi.pls import PLSResult, fit_pls
from csi.quality.model_fit import FIT_COLUMNS, ModelFit, bollen_stine
from csi.spec import ModelSpec


def _three_construct_data(n: int, seed: int) -> tuple[pd.DataFrame, ModelSpec]:
    """A -> B -> C (no A -> C: the estimated model is not saturated); 3, 2, 3 items."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = 0.6 * a + 0.8 * rng.standard_normal(n)
    c = 0.5 * b + np.sqrt(0.75) * rng.standard_normal(n)

    def item(f: np.ndarray, lam: float) -> np.ndarray:
        return lam * f + np.sqrt(1 - lam**2) * rng.standard_normal(n)

    data = pd.DataFrame(
        {
            "a1": item(a, 0.8),
            "a2": item(a, 0.7),
            "a3": item(a, 0.6),
            "b1": item(b, 0.85),
            "b2": item(b, 0.75),
            "c1": item(c, 0.8),
            "c2": item(c, 0.7),
            "c3": item(c, 0.75),
        }
    )
    spec = ModelSpec.from_lavaan("A =~ a1 + a2 + a3\nB =~ b1 + b2\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B")
    return data, spec


@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, ModelSpec]:
    return _three_construct_data(150, 5)


def _by_hand_implied(res: PLSResult, *, estimated: bool) -> np.ndarray:
    """The implied correlation matrix written out for the chain A -> B -> C."""
    S = np.asarray(res.arrays.corr)
    lam = res.loadings.set_index("indicator")["estimate"]
    R = res.construct_correlations
    blocks = {c: list(items) for c, items in res.spec.indicators.items()}
    if estimated:
        b_ab = res.path_coefficients.set_index(["source", "target"])["estimate"][("A", "B")]
        b_bc = res.path_coefficients.set_index(["source", "target"])["estimate"][("B", "C")]
        phi = pd.DataFrame(
            [[1, b_ab, b_ab * b_bc], [b_ab, 1, b_bc], [b_ab * b_bc, b_bc, 1]],
            index=list("ABC"),
            columns=list("ABC"),
        )  # paths of a chain: var(B) = b² + (1 - R²_B) = 1, cor(A, C) = b_AB b_BC
    else:
        phi = R
    items = list(res.layout.items)
    sigma = np.eye(len(items))
    for k, x in enumerate(items):
        for m, y in enumerate(items):
            if k == m:
                continue
            cx = next(c for c in blocks if x in blocks[c])
            cy = next(c for c in blocks if y in blocks[c])
            if cx != cy:
                sigma[k, m] = lam[x] * phi.loc[cx, cy] * lam[y]
            elif res.consistent:  # common factor: lambda lambda'
                sigma[k, m] = lam[x] * lam[y]
            else:  # composite: the block is free
                sigma[k, m] = S[k, m]
    return sigma


def _by_hand_measures(S: np.ndarray, sigma: np.ndarray) -> tuple[float, float, float]:
    p = S.shape[0]
    resid = [(S[i, j] - sigma[i, j]) ** 2 for i in range(p) for j in range(i + 1)]
    srmr = float(np.sqrt(np.sum(resid) / (p * (p + 1) / 2)))
    d_uls = float(0.5 * np.sum((S - sigma) ** 2))
    phi = np.linalg.eigvals(np.linalg.inv(S) @ sigma).real
    d_g = float(0.5 * np.sum(np.log(phi) ** 2))
    return srmr, d_uls, d_g


@pytest.mark.parametrize("consistent", [False, True])
def test_measures_equal_their_formulas(
    small: tuple[pd.DataFrame, ModelSpec], consistent: bool
) -> None:
    data, spec = small
    res = fit_pls(data, spec, consistent=consistent, tol=1e-10)
    fit = res.model_fit()
    assert isinstance(fit, ModelFit)
    assert tuple(fit.table.columns) == FIT_COLUMNS
    S = np.asarray(res.arrays.corr)
    for model, estimated in (("saturated", False), ("estimated", True)):
        sigma = _by_hand_implied(res, estimated=estimated)
        np.testing.assert_allclose(fit.implied[model].to_numpy(), sigma, atol=1e-12)
        srmr, d_uls, d_g = _by_hand_measures(S, sigma)
        assert fit.value("srmr", model) == pytest.approx(srmr, rel=1e-10)
        assert fit.value("d_uls", model) == pytest.approx(d_uls, rel=1e-10)
        assert fit.value("d_g", model) == pytest.approx(d_g, rel=1e-8)
    assert fit.srmr == fit.value("srmr", "estimated")
    assert fit.table["hi95"].isna().all() and fit.table["exact_fit_95"].isna().all()
    # the restriction A -/-> C can only add misfit
    assert fit.value("d_uls", "estimated") >= fit.value("d_uls", "saturated")


def test_srmr_of_a_correct_model_is_small_at_n_2000() -> None:
    sim = simulate_csi(2000, 3, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    plsc = fit_pls(sim.data, spec, consistent=True).model_fit()
    pls = fit_pls(sim.data, spec).model_fit()
    assert plsc.srmr < 0.08 and pls.srmr < 0.08
    assert plsc.srmr == pytest.approx(0.0096, abs=2e-4)  # measured value, seed 3
    assert pls.srmr == pytest.approx(0.0205, abs=2e-4)
    # on the population correlation matrix PLSc fits exactly
    sigma = sim.implied_correlation()
    from csi.moments import Moments
    from csi.pls import fit_pls_moments

    pop = fit_pls_moments(
        Moments(n=10**6, means=pd.Series(0.0, index=sigma.index), cov=sigma),
        spec,
        consistent=True,
        tol=1e-12,
    ).model_fit()
    assert pop.table["value"].abs().max() < 1e-8


def test_bollen_stine_data_reproduce_the_implied_matrix(
    small: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = small
    res = fit_pls(data, spec, consistent=True)
    sigma = res.model_fit().implied["estimated"].to_numpy()
    before = data.copy()
    Z = bollen_stine(data[list(res.layout.items)], sigma)
    pd.testing.assert_frame_equal(data, before)  # caller's data untouched
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), sigma, atol=1e-12)
    np.testing.assert_allclose(np.corrcoef(Z, rowvar=False), sigma, atol=1e-12)
    # the transformed data, refitted, give the Bollen-Stine "population" of the model
    refit = fit_pls(pd.DataFrame(Z, columns=list(res.layout.items)), spec, consistent=True)
    np.testing.assert_allclose(refit.arrays.corr, sigma, atol=1e-12)


def test_bootstrap_quantiles_and_exact_fit_test() -> None:
    data, spec = _three_construct_data(400, 8)
    res = fit_pls(data, spec, consistent=True)
    fit = res.model_fit(bootstrap=300, seed=11)
    again = res.model_fit(bootstrap=300, seed=11)
    pd.testing.assert_frame_equal(fit.table, again.table)
    t = fit.table
    assert fit.n_bootstrap == 300 and fit.n_failed == 0 and fit.seed == 11
    assert (t["hi95"] > 0).all() and (t["hi99"] >= t["hi95"]).all()
    assert t["exact_fit_95"].notna().all()
    # the data come from this model: exact fit is not rejected at 1%
    assert t["exact_fit_99"].all()
    assert "Bollen-Stine bootstrap: 300 resamples" in fit.summary()


def test_exact_fit_of_a_misspecified_model_is_rejected() -> None:
    """Data with A -> C = 0.5 fitted without it: the estimated model is rejected."""
    rng = np.random.default_rng(3)
    n = 500
    a = rng.standard_normal(n)
    b = 0.5 * a + np.sqrt(0.75) * rng.standard_normal(n)
    c = 0.5 * a + 0.1 * b + 0.8 * rng.standard_normal(n)
    cols = {}
    for name, f in (("a", a), ("b", b), ("c", c)):
        for k, lam in enumerate((0.8, 0.75, 0.7), start=1):
            cols[f"{name}{k}"] = lam * f / f.std() + np.sqrt(1 - lam**2) * rng.standard_normal(n)
    spec = ModelSpec.from_lavaan(
        "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B"
    )
    fit = fit_pls(pd.DataFrame(cols), spec, consistent=True).model_fit(bootstrap=200, seed=2)
    t = fit.table.set_index(["model", "measure"])
    assert not t.loc[("estimated", "srmr"), "exact_fit_99"]
    assert t.loc[("saturated", "srmr"), "exact_fit_95"]  # the measurement model is right


def test_errors_name_the_problem(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    holes = data.copy()
    holes.iloc[0, 0] = np.nan
    pairwise = fit_pls(holes, spec, missing="pairwise")
    assert np.isfinite(pairwise.model_fit().table["value"]).all()  # values: fine
    with pytest.raises(ValueError, match="missing='listwise'"):
        pairwise.model_fit(bootstrap=10, seed=1)
    res = fit_pls(data, spec)
    with pytest.raises(ValueError, match="bootstrap must be"):
        res.model_fit(bootstrap=-1)
    with pytest.raises(ValueError, match="not positive definite"):
        bollen_stine(data.iloc[:, :2], np.array([[1.0, 1.5], [1.5, 1.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="row 0, column 0"):
            bollen_stine(holes.iloc[:, :2], np.eye(2))
