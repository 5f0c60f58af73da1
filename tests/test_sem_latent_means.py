"""``~ 1`` everywhere lavaan allows it: latent means, fixed intercepts, intercepts of
observed regression variables, observed covariates in multi-group fits.

Golden values: lavaan 0.6.14 (``tests/reference/lavaan_means/make_reference.R``); every
row of ``parameterEstimates`` and every fit measure both report, to 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.syntax import SemSyntaxError, build_model
from lavaan_models import HS, LAVAAN_UNDOTTED_NAMES, PD

TOL = 1e-4
#: FIML: lavaan stops its EM saturated moments at a change of 1e-5 (csi 1e-10); the tail
#: probability of the robust RMSEA's close-fit test turns that into up to 4e-4 relative
#: (as in tests/test_sem_fiml.py)
LOOSE = {"rmsea_pvalue_robust": 1e-3}
HS_FILE, PD_FILE = "HolzingerSwineford1939.csv", "PoliticalDemocracy.csv"
HS_NA_FILE = ("lavaan_robust", "hs_missing.csv")  # HS with answers missing at random
MARKERS = "\nvisual ~ 1\ntextual ~ 1\nspeed ~ 1\nx1 ~ 0*1\nx4 ~ 0*1\nx7 ~ 0*1"
HS_COVARIATE = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr"
SCALAR = {"group": "school", "group_equal": ["loadings", "intercepts"]}
PD_INTERCEPT = "y1 ~ x1\ny2 ~ x1\ny3 ~ y1\ny1 ~ 1"

#: reference prefix -> (data file, model, fit_sem options)
CASES = {
    "hs_visual_mean": (HS_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {}),
    "hs_marker_means": (HS_FILE, HS + MARKERS, {}),
    "hs_fixed_means": (HS_FILE, HS + "\nx2 ~ 6*1\nspeed ~ 4.2*1\nx7 ~ 0*1", {}),
    "hs_mg_scalar": (HS_FILE, HS, SCALAR),
    "hs_mg_scalar_fixed": (HS_FILE, HS + "\nvisual ~ 0*1", SCALAR),
    "hs_mg_marker_means": (HS_FILE, HS + MARKERS, SCALAR),
    "hs_mg_marker_equal_means": (
        HS_FILE,
        HS + MARKERS,
        {"group": "school", "group_equal": ["loadings", "intercepts", "means"]},
    ),
    "pd_observed_intercept": (PD_FILE, "y1 ~ x1\ny2 ~ x1\ny3 ~ y1\ny1 ~ 1", {}),
    "pd_observed_intercept_freex": (
        PD_FILE,
        "y1 ~ x1\ny2 ~ x1\ny3 ~ y1\ny1 ~ 1",
        {"fixed_x": False},
    ),
    "hs_covariate_intercept": (HS_FILE, HS + "\nvisual ~ ageyr\nx1 ~ 1", {}),
    "hs_covariate_mg": (HS_FILE, HS_COVARIATE, {"group": "school"}),
    "hs_covariate_mg_scalar": (HS_FILE, HS_COVARIATE, SCALAR),
    "hs_covariate_mg_scalar_mlr": (HS_FILE, HS_COVARIATE, {**SCALAR, "estimator": "MLR"}),
    # fixed.x = FALSE (lavaan's default for GLS and ULS): a free covariate mean per group
    "hs_visual_mean_mlr": (HS_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {"estimator": "MLR"}),
    "hs_visual_mean_mlm": (HS_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {"estimator": "MLM"}),
    "hs_visual_mean_gls": (HS_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {"estimator": "GLS"}),
    "hs_visual_mean_uls": (HS_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {"estimator": "ULS"}),
    "pd_observed_intercept_mlr": (PD_FILE, PD_INTERCEPT, {"estimator": "MLR"}),
    "pd_observed_intercept_gls": (PD_FILE, PD_INTERCEPT, {"estimator": "GLS"}),
    "pd_observed_intercept_uls": (PD_FILE, PD_INTERCEPT, {"estimator": "ULS"}),
    "hs_mg_marker_means_mlr": (HS_FILE, HS + MARKERS, {**SCALAR, "estimator": "MLR"}),
    "hs_mg_marker_means_gls": (HS_FILE, HS + MARKERS, {**SCALAR, "estimator": "GLS"}),
    "hs_visual_mean_fiml": (HS_NA_FILE, HS + "\nvisual ~ 1\nx1 ~ 0*1", {"missing": "fiml"}),
    "hs_visual_mean_fiml_mlr": (
        HS_NA_FILE,
        HS + "\nvisual ~ 1\nx1 ~ 0*1",
        {"missing": "fiml", "estimator": "MLR"},
    ),
    "hs_mg_marker_means_fiml": (HS_NA_FILE, HS + MARKERS, {**SCALAR, "missing": "fiml"}),
    "hs_covariate_mg_scalar_gls": (HS_FILE, HS_COVARIATE, {**SCALAR, "estimator": "GLS"}),
    "hs_covariate_mg_scalar_uls": (HS_FILE, HS_COVARIATE, {**SCALAR, "estimator": "ULS"}),
}


def _rel(ref: float, value: float) -> float:
    return abs(value - ref) / max(abs(ref), 1e-8)


def _lavaan_name(name: str) -> str:
    return LAVAAN_UNDOTTED_NAMES.get(name, name.replace("_", "."))


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, reference):
    data_file, model, options = CASES[request.param]
    folder, name = data_file if isinstance(data_file, tuple) else ("lavaan", data_file)
    data = pd.read_csv(reference(folder, name))
    params = pd.read_csv(reference("lavaan_means", f"{request.param}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_means", f"{request.param}_fit.csv"))
    fit = fit.set_index("measure")["value"]
    return params, fit, fit_sem(data, model, **options)


def _ours(result, group: int, lhs: str, op: str, rhs: str) -> pd.Series:
    est = result.estimates
    if result.groups is not None:
        est = est[est["group"] == result.groups[group - 1]]
    rhs_col = est["rhs"].fillna("")
    hit = est[(est.lhs == lhs) & (est.op == op) & (rhs_col == rhs)]
    if hit.empty and op == "~~":
        hit = est[(est.lhs == rhs) & (est.op == op) & (est.rhs == lhs)]
    assert len(hit) == 1, f"{lhs} {op} {rhs} (group {group}) not (uniquely) in the csi table"
    return hit.iloc[0]


def test_every_row_matches_lavaan(case):
    params, _, result = case
    assert len(result.estimates) == len(params)
    for row in params.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        ours = _ours(result, int(row.group), row.lhs, row.op, rhs)
        for ref_col, col in (
            ("est", "estimate"),
            ("se", "se"),
            ("std_lv", "std_lv"),
            ("std_all", "std_all"),
        ):
            ref = getattr(row, ref_col)
            assert _rel(ref, ours[col]) < TOL, (row.lhs, row.op, rhs, col, ref, ours[col])


def test_every_fit_measure_matches_lavaan(case):
    _, fit, result = case
    compared = 0
    for key, value in result.fit_indices.items():
        lav = _lavaan_name(str(key))
        if lav not in fit.index or not np.isfinite(fit[lav]):
            continue
        assert _rel(fit[lav], value) < LOOSE.get(str(key), TOL), (key, fit[lav], value)
        compared += 1
    for needed in ("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert np.isfinite(result.fit_indices[needed])
    assert compared >= 15  # GLS and ULS have no likelihood-based measures


def test_latent_mean_equals_the_marker_mean_when_its_intercept_is_zero(reference):
    # with x1 ~ 0*1 the implied mean of x1 is the latent mean (loading 1): its ML
    # estimate is the sample mean of x1 (the mean structure stays saturated)
    data = pd.read_csv(reference("lavaan", HS_FILE))
    result = fit_sem(data, HS + "\nvisual ~ 1\nx1 ~ 0*1")
    est = result.estimates
    mean = est[(est.lhs == "visual") & (est.op == "~1")]["estimate"].iloc[0]
    assert mean == pytest.approx(data["x1"].mean(), rel=1e-8)
    plain = fit_sem(data, HS)
    assert result.fit_indices["chisq"] == pytest.approx(plain.fit_indices["chisq"], rel=1e-7)


def test_intercept_of_an_observed_outcome_is_mean_minus_slope_times_x(reference):
    # y1 ~ x1 with fixed.x: the intercept a = mean(y1) - b mean(x1) (hand computation)
    data = pd.read_csv(reference("lavaan", PD_FILE))
    est = fit_sem(data, "y1 ~ x1\ny2 ~ x1\ny3 ~ y1\ny1 ~ 1").estimates
    b = est[(est.lhs == "y1") & (est.op == "~") & (est.rhs == "x1")]["estimate"].iloc[0]
    a = est[(est.lhs == "y1") & (est.op == "~1")]["estimate"].iloc[0]
    assert a == pytest.approx(data["y1"].mean() - b * data["x1"].mean(), rel=1e-6)
    x_mean = est[(est.lhs == "x1") & (est.op == "~1")]
    assert x_mean["estimate"].iloc[0] == pytest.approx(data["x1"].mean(), rel=1e-10)
    assert x_mean["se"].iloc[0] == 0.0


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"estimator": "MLR"},
        {"estimator": "GLS"},
        {"missing": "fiml"},
        {"missing": "fiml", "estimator": "MLR"},
        {"group": "school", "missing": "fiml"},
    ],
)
def test_unidentified_latent_mean_is_reported(reference, options):
    # visual ~ 1 with every intercept free: lavaan warns (vcov not positive definite);
    # csi names the parameters in a not-identified diagnostic (and does not crash)
    data = pd.read_csv(reference("lavaan", HS_FILE))
    result = fit_sem(data, HS + "\nvisual ~ 1", **options)
    text = " ".join(str(d) for d in result.diagnostics)
    assert "singular" in text.lower()
    # the first five of the confounded parameters: visual's indicators' intercepts, its mean
    assert "x1~1" in text and "nu." not in text  # lavaan's names


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("x1 ~ a*1", "'a'"),
        ("x1 ~ c(0, NA)*1", "c(0, NA)"),
        ("x1 ~ NA*1", "'NA'"),
        ("x1 ~ start(1)*1", "start(1)"),
        ("x1 ~ 1\nx1 ~ 0*1", "given twice"),
        ("q ~ 1", "'q ~ 1'"),
    ],
)
def test_unreadable_intercept_statements_name_the_token(text, token):
    with pytest.raises(SemSyntaxError) as err:
        build_model(HS + "\n" + text)
    assert token in str(err.value)


@pytest.mark.parametrize(
    ("model", "options", "token"),
    [
        (HS + "\nvisual ~ 1\nx1 ~ 0*1", {"weights": "ageyr"}, "'visual ~ 1'"),
        (HS + "\nvisual ~ 0*1", {**SCALAR, "weights": "ageyr"}, "'visual ~ 0*1'"),
        (HS + "\nx1 ~ 1", {"weights": "ageyr", "weight_kind": "frequency"}, "'x1 ~ 1'"),
        (HS + "\nx1 ~ 1", {"weights": "ageyr"}, "'x1 ~ 1'"),
        (HS_COVARIATE, {"estimator": "MLM", "fixed_x": False}, "fixed_x=False"),
        (HS_COVARIATE, {**SCALAR, "estimator": "MLM", "fixed_x": False}, "fixed_x=False"),
        (HS + "\nvisual ~ 1", {"estimator": "WLSMV", "ordered": True}, "'visual ~ 1'"),
        (HS + "\nx1 ~ 1", {"estimator": "DWLS", "ordered": True}, "'x1 ~ 1'"),
        (
            HS + "\nvisual ~ 1",
            {"estimator": "WLSMV", "ordered": True, "group": "school"},
            "'visual ~ 1'",
        ),
    ],
)
def test_unsupported_mean_combinations_name_the_token(reference, model, options, token):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    if options.get("ordered"):
        items = [f"x{k}" for k in range(1, 10)]
        data = data.copy()
        data[items] = data[items].apply(lambda c: pd.qcut(c, 4, labels=False))
    with pytest.raises((CsiInputError, SemSyntaxError)) as err:
        fit_sem(data, model, **options)
    assert token in str(err.value)


def test_pd_latent_mean_with_fixed_marker_intercepts(reference):
    # PD SEM with dem60's and dem65's markers' intercepts at 0: their latent "means" are
    # then intercepts of the structural equations; the fit equals the plain model's
    data = pd.read_csv(reference("lavaan", PD_FILE))
    model = PD + "\nind60 ~ 1\ndem60 ~ 1\ndem65 ~ 1\nx1 ~ 0*1\ny1 ~ 0*1\ny5 ~ 0*1"
    result = fit_sem(data, model)
    plain = fit_sem(data, PD)
    assert result.fit_indices["chisq"] == pytest.approx(plain.fit_indices["chisq"], rel=1e-7)
    assert result.fit_indices["df"] == plain.fit_indices["df"]
    est = result.estimates
    ind60 = est[(est.lhs == "ind60") & (est.op == "~1")]["estimate"].iloc[0]
    assert ind60 == pytest.approx(data["x1"].mean(), rel=1e-7)


def test_intercepts_need_raw_data_not_moments(reference):
    from csi.moments import moments_from_frame

    data = pd.read_csv(reference("lavaan", HS_FILE))
    items = [f"x{k}" for k in range(1, 10)]
    with pytest.raises(CsiInputError, match="'x1 ~ 1'"):
        fit_sem(moments_from_frame(data[items]), HS + "\nx1 ~ 1")


@pytest.fixture(scope="module")
def hs_data(reference):
    return pd.read_csv(reference("lavaan", HS_FILE))


@settings(max_examples=6, deadline=None)
@given(value=st.floats(min_value=-5.0, max_value=5.0, allow_nan=False).map(lambda v: round(v, 3)))
def test_any_fixed_marker_intercept_moves_only_the_latent_mean(hs_data, value):
    # x1 ~ c*1 with visual ~ 1: mu_x1 = c + visual's mean, so the mean is mean(x1) - c,
    # every other intercept shifts by its loading times that, and the fit is the same
    result = fit_sem(hs_data, HS + f"\nvisual ~ 1\nx1 ~ {value}*1")
    est = result.estimates
    means = est[est.op == "~1"].set_index("lhs")["estimate"]
    assert means["visual"] == pytest.approx(hs_data["x1"].mean() - value, abs=1e-6)
    loading = est[(est.op == "=~") & (est.rhs == "x2")]["estimate"].iloc[0]
    expected = hs_data["x2"].mean() - loading * means["visual"]
    assert means["x2"] == pytest.approx(expected, abs=1e-6)
    # lavaan: the plain HS CFA (tests/reference/lavaan/hs_cfa_fit.csv)
    assert result.fit_indices["chisq"] == pytest.approx(85.3055217699727, rel=1e-7)
