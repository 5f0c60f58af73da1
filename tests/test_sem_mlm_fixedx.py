"""MLM (Satorra-Bentler) with observed exogenous covariates under ``fixed.x``.

Checked against lavaan 0.6.14 (``tests/reference/lavaan_mlm_fixedx``, made by its
``make_reference.R``): estimates, robust standard errors and every fit measure both
report (scaled test, scaling factors, scaled and robust CFI / TLI / RMSEA with their
intervals), 1e-4 relative, single- and multi-group; lavaan's ``Gamma``
(``lavInspect(fit, "gamma")``) entry by entry. Independent of lavaan: with normal
residuals given the covariates, the fixed-x scaling factor tends to 1 however skewed the
covariate (conditional normal theory), and frequency weights equal repeated rows.
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
from csi.sem.engine import vech_indices
from csi.sem.robust import gamma_adf, gamma_fixed_x
from lavaan_models import HS, LAVAAN_UNDOTTED_NAMES

REF = Path(__file__).parent / "reference" / "lavaan_mlm_fixedx"
LAVAAN = Path(__file__).parent / "reference" / "lavaan"
PD_OBSERVED = "y1 ~ x1\ny2 ~ x1\ny3 ~ y1"
HS_COVARIATE = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr"
SCALAR = {"group": "school", "group_equal": ["loadings", "intercepts"]}
ROBUST = {
    "chisq_scaled",
    "pvalue_scaled",
    "scaling_factor",
    "baseline_chisq_scaled",
    "baseline_scaling_factor",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
    "rmsea_pvalue_scaled",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
    "rmsea_pvalue_robust",
}
CASES = {
    "pd_observed_mlm": ("PoliticalDemocracy", PD_OBSERVED, {}),
    "pd_twox_mlm": ("PoliticalDemocracy", "y1 ~ x1 + x2\ny2 ~ x1\ny3 ~ y1", {}),
    "pd_observed_intercept_mlm": ("PoliticalDemocracy", PD_OBSERVED + "\ny1 ~ 1", {}),
    "hs_covariate_mlm": ("HolzingerSwineford1939", HS + "\nvisual ~ ageyr", {}),
    "hs_covariate_mg_mlm": ("HolzingerSwineford1939", HS_COVARIATE, {"group": "school"}),
    "hs_covariate_mg_scalar_mlm": ("HolzingerSwineford1939", HS_COVARIATE, SCALAR),
}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(LAVAAN / f"{name}.csv")


def _compare(res, prefix: str, tol: float = 1e-4) -> set[str]:
    ref = pd.read_csv(REF / f"{prefix}_params.csv")
    est = res.estimates.assign(rhs=res.estimates["rhs"].fillna(""))
    labels = list(res.groups) if res.groups else [None]
    for row in ref.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        hit = est[(est.lhs == row.lhs) & (est.op == row.op) & (est.rhs == rhs)]
        if labels[0] is not None:
            hit = hit[hit.group == labels[int(row.group) - 1]]
        assert len(hit) == 1, (row.lhs, row.op, rhs)
        got = hit.iloc[0]
        assert got["estimate"] == pytest.approx(row.est, rel=tol, abs=tol * 1e-2), row
        assert got["se"] == pytest.approx(row.se, rel=tol, abs=1e-8), row
    fit = pd.read_csv(REF / f"{prefix}_fit.csv").set_index("measure")["value"]
    compared = set()
    for name, value in res.fit_indices.items():
        key = LAVAAN_UNDOTTED_NAMES.get(str(name), str(name).replace("_", "."))
        if key in fit.index and np.isfinite(fit[key]):
            assert value == pytest.approx(fit[key], rel=tol, abs=1e-9), (prefix, name)
            compared.add(str(name))
    return compared


@pytest.mark.parametrize("prefix", list(CASES))
def test_mlm_with_observed_covariates_matches_lavaan(prefix):
    data, model, options = CASES[prefix]
    res = fit_sem(_data(data), model, estimator="MLM", **options)
    assert ROBUST <= _compare(res, prefix)
    assert res.estimator == "MLM"


def test_scaled_statistic_is_lavaans_not_the_unconditional_one():
    """The PD path model: 27.61 (lavaan, fixed.x) where an unconditional Gamma gives 31.87."""
    res = fit_sem(_data("PoliticalDemocracy"), PD_OBSERVED, estimator="MLM")
    assert res.fit_indices["chisq_scaled"] == pytest.approx(27.61471, rel=1e-6)
    assert res.fit_indices["df"] == 2


@pytest.mark.parametrize(
    ("prefix", "meanstructure"),
    [("pd_observed_mlm", False), ("pd_observed_intercept_mlm", True)],
)
def test_gamma_matches_lavinspect(prefix, meanstructure):
    ref = pd.read_csv(REF / f"{prefix}_gamma.csv", index_col=0)
    order = ["y1", "y2", "y3", "x1"]  # lavaan's order: the y first, then the x
    raw = _data("PoliticalDemocracy")[order].to_numpy(float)
    got = gamma_fixed_x(raw, [3], meanstructure=meanstructure)
    r, c = vech_indices(4)
    names = [f"{order[i]}~~{order[j]}" for i, j in zip(c, r, strict=True)]
    if meanstructure:
        names = [f"{v}~1" for v in order] + names
    assert list(ref.columns) == names
    np.testing.assert_allclose(got, ref.to_numpy(), rtol=1e-9, atol=1e-9)


def test_gamma_without_covariate_moments_is_the_adf_gamma_of_the_rest():
    """x-only moments are zero; with x uncorrelated with every y in the sample the
    y-only block reduces to the plain distribution-free Gamma of the y."""
    rng = np.random.default_rng(3)
    y = rng.standard_t(5, size=(400, 2))
    x = rng.exponential(size=400)
    # orthogonalise x against the y and their cross-products (sample zero correlation)
    basis = np.column_stack([np.ones(400), y, y[:, 0] * y[:, 1], y**2])
    x = x - basis @ np.linalg.lstsq(basis, x, rcond=None)[0]
    raw = np.column_stack([y, x])
    g = gamma_fixed_x(raw, [2], meanstructure=False)
    r, c = vech_indices(3)
    only_x = (r == 2) & (c == 2)
    assert np.all(g[only_x] == 0) and np.all(g[:, only_x] == 0)
    yy = (r < 2) & (c < 2)
    np.testing.assert_allclose(g[np.ix_(yy, yy)], gamma_adf(y), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=12, max_size=30),
    st.integers(0, 2**31 - 1),
    st.booleans(),
)
def test_gamma_frequency_weights_equal_repeated_rows(counts, seed, means):
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(len(counts), 4)) ** 3
    w = np.array(counts, dtype=float)
    weighted = gamma_fixed_x(raw, [1, 3], meanstructure=means, weights=w)
    repeated = gamma_fixed_x(np.repeat(raw, counts, axis=0), [1, 3], meanstructure=means)
    np.testing.assert_allclose(weighted, repeated, rtol=1e-8, atol=1e-10)


def _path_data(n: int, seed: int, nu: float | None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.exponential(size=n)  # skewness 2, excess kurtosis 6
    e = rng.normal(size=(n, 2))
    if nu is not None:  # heavy-tailed residuals, same variance
        e = e / np.sqrt(rng.chisquare(nu, size=n) / (nu - 2))[:, None]
    y1 = 0.5 * x + e[:, 0]
    return pd.DataFrame({"x": x, "y1": y1, "y2": 0.7 * y1 + e[:, 1]})


def test_skewed_covariate_with_normal_residuals_has_scaling_near_one():
    """Conditional normal theory: with y | x normal, T_ML is chi-square however skewed x
    is, so the fixed-x Satorra-Bentler factor tends to 1 and the robust SEs to the ML
    ones; heavy-tailed residuals move it well above 1."""
    model = "y1 ~ x\ny2 ~ y1"
    data = _path_data(20_000, 20261130, None)
    mlm = fit_sem(data, model, estimator="MLM")
    ml = fit_sem(data, model)
    assert mlm.fit_indices["scaling_factor"] == pytest.approx(1.0, abs=0.05)
    se = mlm.estimates.set_index(["lhs", "op", "rhs"])["se"]
    se_ml = ml.estimates.set_index(["lhs", "op", "rhs"])["se"]
    for key in [("y1", "~", "x"), ("y2", "~", "y1"), ("y1", "~~", "y1")]:
        assert se[key] == pytest.approx(se_ml[key], rel=0.05), key
    heavy = fit_sem(_path_data(20_000, 20261130, 6.0), model, estimator="MLM")
    assert heavy.fit_indices["scaling_factor"] > 1.1


def test_frequency_weights_equal_repeated_rows_in_the_fit():
    pdem = _data("PoliticalDemocracy")
    counts = np.resize([1, 2, 3], len(pdem))
    weighted = pdem.assign(fw=counts)
    repeated = pdem.loc[pdem.index.repeat(counts)].reset_index(drop=True)
    a = fit_sem(weighted, PD_OBSERVED, estimator="MLM", weights="fw", weight_kind="frequency")
    b = fit_sem(repeated, PD_OBSERVED, estimator="MLM")
    for name in ("chisq_scaled", "scaling_factor", "cfi_robust", "rmsea_robust"):
        assert a.fit_indices[name] == pytest.approx(b.fit_indices[name], rel=1e-7), name
    np.testing.assert_allclose(a.estimates["se"], b.estimates["se"], rtol=1e-6)


def test_mlm_with_free_covariates_is_refused():
    with pytest.raises(CsiInputError, match="fixed_x=False"):
        fit_sem(_data("PoliticalDemocracy"), PD_OBSERVED, estimator="MLM", fixed_x=False)


def test_invariance_ladder_with_a_covariate_matches_lavtestlrt():
    """configural -> metric -> scalar -> strict with MLM and ``ageyr``: each fit's scaled
    statistic and lavaan's Satorra-Bentler (2001) scaled difference tests."""
    from csi.sem import invariance

    ref = pd.read_csv(REF / "hs_covariate_mlm_ladder.csv").set_index("model")
    res = invariance(_data("HolzingerSwineford1939"), HS_COVARIATE, group="school", estimator="MLM")
    table = res.table.set_index("model")
    for step in ref.index:
        fit = res.fits[step].fit_indices
        assert fit["df"] == ref.loc[step, "df"], step
        for name in ("chisq", "chisq_scaled", "scaling_factor"):
            assert fit[name] == pytest.approx(ref.loc[step, name], rel=1e-4), (step, name)
        if step != "configural":
            for name in ("chisq_diff", "df_diff", "pvalue_diff"):
                got = table.loc[step, name]
                assert got == pytest.approx(ref.loc[step, name], rel=1e-4), (step, name)


def test_standardized_ses_use_the_robust_covariance_as_lavaan():
    ref = pd.read_csv(REF / "hs_covariate_mlm_std.csv").rename(columns={"est.std": "est_std"})
    res = fit_sem(_data("HolzingerSwineford1939"), HS + "\nvisual ~ ageyr", estimator="MLM")
    est = res.estimates.assign(rhs=res.estimates["rhs"].fillna(""))
    for row in ref.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        hit = est[(est.lhs == row.lhs) & (est.op == row.op) & (est.rhs == rhs)]
        assert len(hit) == 1, (row.lhs, row.op, rhs)
        col = row.type.replace(".", "_")
        got = hit.iloc[0]
        assert got[col] == pytest.approx(row.est_std, rel=1e-4, abs=1e-8), row
        assert got[f"{col}_se"] == pytest.approx(row.se, rel=1e-4, abs=1e-8), row
