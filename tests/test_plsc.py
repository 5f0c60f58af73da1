"""Consistent PLS (Dijkstra & Henseler 2015) against known population values.

The population model is the CSI model of ``csi.datasets.simulate_csi`` (continuous
indicators, standardised latent variables, known paths and loadings). PLSc is
consistent: on the population correlation matrix it must return the population
values exactly; on a sample of 20,000 within 0.03. Plain PLS on the same data
shows its known bias: attenuated construct correlations and single-predictor
paths, inflated loadings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.datasets.simulate import SimulatedSurvey, simulate_csi
from csi.moments import Moments
from csi.pls import PLScWarning, PLSResult, fit_pls, fit_pls_moments
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def survey() -> SimulatedSurvey:
    return simulate_csi(20_000, 7, continuous=True, segments=False, waves=None)


@pytest.fixture(scope="module")
def spec(survey: SimulatedSurvey) -> ModelSpec:
    tp = survey.true_paths
    return ModelSpec(
        indicators=survey.indicators,
        paths=tuple(zip(tp["source"], tp["target"], strict=True)),
    )


@pytest.fixture(scope="module")
def population(survey: SimulatedSurvey) -> Moments:
    sigma = survey.implied_correlation()
    return Moments(n=1_000_000, means=pd.Series(0.0, index=sigma.index), cov=sigma)


def _paths(res: PLSResult) -> pd.Series:
    return res.path_coefficients.set_index(["source", "target"])["estimate"]


def _true_paths(survey: SimulatedSurvey) -> pd.Series:
    return survey.true_paths.set_index(["source", "target"])["estimate"]


def _true_loadings(survey: SimulatedSurvey) -> pd.Series:
    return survey.true_loadings.set_index("indicator")["estimate"]


def test_plsc_is_exact_on_the_population(
    survey: SimulatedSurvey, spec: ModelSpec, population: Moments
) -> None:
    res = fit_pls_moments(population, spec, consistent=True, tol=1e-12)
    true = _true_paths(survey)
    np.testing.assert_allclose(_paths(res)[true.index], true, atol=1e-9)
    loads = res.loadings.set_index("indicator")["estimate"]
    tl = _true_loadings(survey)
    np.testing.assert_allclose(loads[tl.index], tl, atol=1e-9)
    np.testing.assert_allclose(
        res.construct_correlations.loc[list(spec.constructs), list(spec.constructs)],
        survey.true_latent_correlation.loc[list(spec.constructs), list(spec.constructs)],
        atol=1e-9,
    )


def test_rho_a_equals_population_reliability(
    survey: SimulatedSurvey, spec: ModelSpec, population: Moments
) -> None:
    """For a congeneric block, rho_A = (λ'λ)² / ((λ'λ)² + Σ λ_i² (1 - λ_i²))."""
    res = fit_pls_moments(population, spec, tol=1e-12)
    tl = survey.true_loadings
    for construct, group in tl.groupby("construct"):
        lam = group["estimate"].to_numpy()
        if len(lam) == 1:
            expected = 1.0
        else:
            ll = lam @ lam
            expected = ll**2 / (ll**2 + np.sum(lam**2 * (1 - lam**2)))
        assert res.rho_a[construct] == pytest.approx(expected, abs=1e-9)


def test_plsc_recovers_paths_at_n_20000(survey: SimulatedSurvey, spec: ModelSpec) -> None:
    res = fit_pls(survey.data, spec, consistent=True)
    true = _true_paths(survey)
    assert np.abs(_paths(res)[true.index] - true).max() < 0.03
    loads = res.loadings.set_index("indicator")["estimate"]
    tl = _true_loadings(survey)
    assert np.abs(loads[tl.index] - tl).max() < 0.03
    # the satisfaction -> complaints path keeps its negative sign
    assert _paths(res)[("Satisfaction", "Complaints")] < -0.35


def test_plain_pls_shows_attenuation(survey: SimulatedSurvey, spec: ModelSpec) -> None:
    plain = fit_pls(survey.data, spec)
    true = _true_paths(survey)
    est = _paths(plain)
    # constructs with a single predictor: the path is their attenuated correlation
    for s, t in [("Expectation", "Quality"), ("Satisfaction", "Complaints")]:
        assert abs(est[(s, t)]) < abs(true[(s, t)]) - 0.015
    # every construct correlation is pulled toward zero
    names = list(spec.constructs)
    plain_c = plain.construct_correlations.loc[names, names].to_numpy()
    true_c = survey.true_latent_correlation.loc[names, names].to_numpy()
    off = ~np.eye(len(names), dtype=bool)
    assert np.all(np.abs(plain_c[off]) < np.abs(true_c[off]))
    # loadings of multi-item constructs are inflated
    loads = plain.loadings.set_index("indicator")["estimate"]
    tl = survey.true_loadings.set_index("indicator")
    multi = tl[tl.groupby("construct")["estimate"].transform("size") > 1]
    assert np.all(loads[multi.index] > multi["estimate"])
    # and PLSc is closer to the truth than plain PLS
    consistent = fit_pls(survey.data, spec, consistent=True)
    assert (
        np.abs(_paths(consistent)[true.index] - true).sum() < np.abs(est[true.index] - true).sum()
    )


def test_disattenuation_formula(survey: SimulatedSurvey, spec: ModelSpec) -> None:
    data = survey.data.iloc[:2000]
    plain = fit_pls(data, spec)
    cons = fit_pls(data, spec, consistent=True)
    rho = plain.rho_a.to_numpy()
    expected = plain.construct_correlations.to_numpy() / np.sqrt(np.outer(rho, rho))
    np.fill_diagonal(expected, 1.0)
    np.testing.assert_allclose(cons.construct_correlations, expected, atol=1e-12)
    np.testing.assert_allclose(cons.rho_a, plain.rho_a, atol=1e-12)
    # weights, scores and the index are those of plain PLS
    pd.testing.assert_frame_equal(cons.outer_weights, plain.outer_weights)
    pd.testing.assert_frame_equal(cons.scores, plain.scores)


def test_plsc_matches_seminr_on_mobi(reference, seminr_structure) -> None:
    """Independent reference: seminr's PLSc (reflective constructs) on mobi."""
    seminr = pytest.importorskip("seminr")
    mobi = pd.read_csv(reference("mobi.csv"), index_col=0)
    ecsi = ModelSpec.from_tables(
        reference("ecsi_measurement.csv"), reference("ecsi_structural.csv")
    )
    specs = [
        seminr.reflective(c, list(i)) if len(i) > 1 else seminr.composite(c, list(i))
        for c, i in ecsi.indicators.items()
    ]
    rel = seminr_structure(ecsi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(mobi, seminr.constructs(*specs), rel)
    res = fit_pls(mobi, ecsi, consistent=True)
    P = pd.DataFrame(ref.path_coef.values, ref.path_coef.rows, ref.path_coef.cols)
    L = pd.DataFrame(ref.outer_loadings.values, ref.outer_loadings.rows, ref.outer_loadings.cols)
    for s, t, est in res.path_coefficients.itertuples(index=False):
        assert est == pytest.approx(P.loc[s, t], abs=1e-6)
    for c, i, est in res.loadings.itertuples(index=False):
        assert est == pytest.approx(L.loc[i, c], abs=1e-6)


def test_formative_constructs_are_not_corrected(survey: SimulatedSurvey, spec: ModelSpec) -> None:
    data = survey.data.iloc[:2000]
    specb = ModelSpec(indicators=spec.indicators, paths=spec.paths, modes={"Value": "B"})
    plain = fit_pls(data, specb)
    cons = fit_pls(data, specb, consistent=True)
    assert np.isnan(cons.rho_a["Value"]) and np.isnan(plain.rho_a["Value"])
    value_items = list(spec.indicators["Value"])
    a = cons.loadings.set_index("indicator").loc[value_items, "estimate"]
    b = plain.loadings.set_index("indicator").loc[value_items, "estimate"]
    np.testing.assert_allclose(a, b)


def test_inadmissible_solution_warns() -> None:
    """Weakly related items (low rho_A) but strongly related constructs: r / rho > 1."""
    items = ["a1", "a2", "b1", "b2"]
    corr = np.array(
        [[1.0, 0.3, 0.4, 0.4], [0.3, 1.0, 0.4, 0.4], [0.4, 0.4, 1.0, 0.3], [0.4, 0.4, 0.3, 1.0]]
    )
    m = Moments(
        n=500,
        means=pd.Series(0.0, index=items),
        cov=pd.DataFrame(corr, index=items, columns=items),
    )
    spec = ModelSpec.from_lavaan("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A")
    with pytest.warns(PLScWarning, match="inadmissible"):
        res = fit_pls_moments(m, spec, consistent=True)
    assert _paths(res)[("A", "B")] > 1
