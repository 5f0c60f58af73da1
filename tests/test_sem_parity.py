"""lavaan parity beyond plain ML: GLS, ULS and the model-syntax defaults.

References in tests/reference/lavaan_parity (R 4.2.2, lavaan 0.6.14; see its README and
make_reference.R). Tolerance 1e-4 relative for estimates, standard errors and every fit
index both programs report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.sem import fit_sem
from csi.sem.syntax import SemSyntaxError, build_model
from lavaan_models import HS, LAVAAN_FIT_NAMES, PD

HS_FIXED = "visual =~ x1 + 0.5*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_OUTCOMES = HS + "\ntextual ~ visual\nspeed ~ visual"
HS_MIXED = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ x7\nvisual ~ x7\nx9 ~ x7"
PD_OBSERVED = "y1 ~ x1\ny2 ~ x1\ny3 ~ y1"
PD_TWO_X = "y1 ~ x1 + x2\ny2 ~ x1\ny3 ~ y1"
HS_NA = "visual =~ NA*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n" + (
    "visual ~~ 1*visual"
)
TOL = 1e-4
HS_FILE, PD_FILE = "HolzingerSwineford1939.csv", "PoliticalDemocracy.csv"

#: reference prefix -> (data file, model, fit_sem options)
CASES = {
    "hs_gls": (HS_FILE, HS, {"estimator": "GLS"}),
    "hs_uls": (HS_FILE, HS, {"estimator": "ULS"}),
    "pd_gls": (PD_FILE, PD, {"estimator": "GLS"}),
    "pd_uls": (PD_FILE, PD, {"estimator": "ULS"}),
    "hs_fixed": (HS_FILE, HS_FIXED, {}),
    "hs_outcomes": (HS_FILE, HS_OUTCOMES, {}),
    "hs_mixed": (HS_FILE, HS_MIXED, {}),
    "pd_observed": (PD_FILE, PD_OBSERVED, {}),
    "pd_twox_gls": (PD_FILE, PD_TWO_X, {"estimator": "GLS"}),
    "pd_twox_uls": (PD_FILE, PD_TWO_X, {"estimator": "ULS"}),
    "hs_na": (HS_FILE, HS_NA, {}),
    "hs_stdlv": (HS_FILE, HS, {"std_lv": True}),
    "pd_stdlv": (PD_FILE, PD, {"std_lv": True}),
    "pd_observed_freex": (PD_FILE, PD_OBSERVED, {"fixed_x": False}),
    "pd_twox_freex": (PD_FILE, PD_TWO_X, {"fixed_x": False}),
}

#: csi fit-index name -> lavaan fitMeasures name
LAVAAN_NAME = LAVAAN_FIT_NAMES


def _rel(ref: float, value: float) -> float:
    return abs(value - ref) / max(abs(ref), 1e-8)


def _row(est: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    hit = est[(est.lhs == lhs) & (est.op == op) & (est.rhs == rhs)]
    if hit.empty and op == "~~":
        hit = est[(est.lhs == rhs) & (est.op == op) & (est.rhs == lhs)]
    assert len(hit) == 1, f"{lhs} {op} {rhs} not (uniquely) in the csi table"
    return hit.iloc[0]


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, reference):
    data_file, model, options = CASES[request.param]
    data = pd.read_csv(reference("lavaan", data_file))
    params = pd.read_csv(reference("lavaan_parity", f"{request.param}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_parity", f"{request.param}_fit.csv"))
    fit = fit.set_index("measure")["value"]
    return request.param, params, fit, fit_sem(data, model, **options)


def test_estimates_and_ses_match_lavaan(case):
    _, params, _, result = case
    est = result.estimates
    assert len(est) == len(params)
    for row in params.itertuples():
        ours = _row(est, row.lhs, row.op, row.rhs)
        for ref_col, col in (
            ("est", "estimate"),
            ("se", "se"),
            ("std_lv", "std_lv"),
            ("std_all", "std_all"),
        ):
            ref = getattr(row, ref_col)
            assert _rel(ref, ours[col]) < TOL, (row.lhs, row.op, row.rhs, col, ref, ours[col])


def test_fit_measures_match_lavaan(case):
    _, _, fit, result = case
    ours = result.fit_indices
    for key, lav in LAVAAN_NAME.items():
        if lav not in fit.index or not np.isfinite(fit[lav]):
            # lavaan does not report it (no likelihood for GLS / ULS, no ULS p-value)
            assert not np.isfinite(ours[key]), (key, ours[key])
            continue
        assert _rel(fit[lav], ours[key]) < TOL, (key, fit[lav], ours[key])


# ------------------------------------------------------------------ syntax
@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("a := b*c", ":="),
        ("a == b", "=="),
        ("a > 0", "<, >"),
        ("a < 0", "<, >"),
        ("y ~ 1", "~ 1"),
        ("F =~ a + b + NA*c", "NA*c"),
        ("F =~ a + b:c", "b:c"),
        ("u | t1", "|"),
        ("F + G =~ a + b", "several latent"),
    ],
)
def test_unsupported_syntax_names_the_token(text, token):
    with pytest.raises(SemSyntaxError) as err:
        build_model(text)
    assert token in str(err.value)


def test_marker_rules():
    terms = build_model("F =~ a + 0.5*b + c").terms
    assert [t.fixed for t in terms] == [1.0, 0.5, None]
    terms = build_model("F =~ NA*a + b + c\nF ~~ 1*F").terms
    assert [t.fixed for t in terms[:3]] == [None, None, None]
    sm = build_model("F =~ a + b + c\nG =~ d + e\nG ~ F", std_lv=True)
    assert all(t.fixed is None for t in sm.terms if t.op == "=~")
    assert {(t.lhs, t.fixed) for t in sm.auto} == {("F", 1.0), ("G", 1.0)}


def test_several_outcomes_on_one_line_are_the_same_model(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    one = fit_sem(data, HS + "\ntextual + speed ~ visual")
    two = fit_sem(data, HS_OUTCOMES)
    np.testing.assert_allclose(one.estimates["estimate"], two.estimates["estimate"])
    assert one.fit_indices["chisq"] == pytest.approx(two.fit_indices["chisq"], rel=1e-10)
    # a covariance the user sets replaces lavaan's automatic one
    fixed = build_model(HS_OUTCOMES + "\ntextual ~~ 0*speed")
    assert not [t for t in fixed.auto if t.op == "~~" and t.lhs != t.rhs]


def test_missing_ml_is_fiml(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE)).head(120).copy()
    data.loc[::7, "x2"] = np.nan
    fiml = fit_sem(data, HS, missing="fiml")
    for alias in ("ml", "direct"):
        other = fit_sem(data, HS, missing=alias)
        np.testing.assert_allclose(other.estimates["estimate"], fiml.estimates["estimate"])


def test_std_lv_refused_with_group_equal(reference):
    from csi._checks import CsiInputError

    data = pd.read_csv(reference("lavaan", HS_FILE))
    with pytest.raises(CsiInputError, match="std_lv"):
        fit_sem(data, HS, group="school", group_equal=["loadings"], std_lv=True)


@pytest.mark.parametrize("kind", ["GLS", "ULS"])
def test_gls_uls_use_s_with_divisor_n_minus_1(kind, reference):
    """Independent of lavaan: the discrepancy at csi's estimates, recomputed here from
    ``S`` with divisor N - 1, is stationary, and ``chisq = (N - 1) F``."""
    data = pd.read_csv(reference("lavaan", HS_FILE))
    res = fit_sem(data, HS, estimator=kind)
    x = data[list(res.implied_cov.index)].to_numpy()
    s = np.cov(x.T)  # divisor N - 1
    sigma = res.implied_cov.to_numpy()
    rows, cols = np.tril_indices(len(s))
    if kind == "ULS":
        f = float(np.sum((s - sigma)[rows, cols] ** 2))
    else:
        a = np.linalg.solve(s, s - sigma)
        f = 0.5 * float(np.trace(a @ a))
    assert res.fit_indices["chisq"] == pytest.approx((len(x) - 1) * f, rel=1e-8)


def test_fixed_x_false_is_checked_where_it_is_matched(reference):
    """fixed_x=False: single-group complete-data ML only (the cases matched above);
    other combinations, and fixed_x=True with GLS/ULS, are refused naming the option."""
    from csi._checks import CsiInputError

    pdem = pd.read_csv(reference("lavaan", PD_FILE))
    for options in (
        {"estimator": "MLR"},
        {"missing": "fiml"},
        {"group": "g"},
    ):
        with pytest.raises(CsiInputError, match="fixed_x=False"):
            fit_sem(pdem.assign(g=["a", "b"] * 37 + ["a"]), PD_OBSERVED, fixed_x=False, **options)
    with pytest.raises(CsiInputError, match="fixed_x=True"):
        fit_sem(pdem, PD_OBSERVED, fixed_x=True, estimator="GLS")
    with pytest.raises(CsiInputError, match="fixed_x must be"):
        fit_sem(pdem, PD_OBSERVED, fixed_x="no")


_LABELLED = HS.replace("x1 + x2", "x1 + a*x2")
_C = HS.replace("x1 + x2", "x1 + c(a1, a2)*x2")


@pytest.mark.parametrize(
    ("model", "options", "token"),
    [
        (_LABELLED + "\na == 0.5", {"estimator": "GLS"}, "'a == 0.5'"),
        (_LABELLED + "\na == 0.5", {"estimator": "ULS"}, "'a == 0.5'"),
        (_LABELLED + "\na == 0.5", {"estimator": "MLM"}, "'a == 0.5'"),
        (_LABELLED + "\na == 0.5", {"missing": "fiml"}, "'a == 0.5'"),
        (_LABELLED + "\na > 0.5", {"estimator": "MLR"}, "'a > 0.5'"),
        (_LABELLED + "\na == 0.5", {"estimator": "DWLS", "ordered": True}, "=="),
        (_C, {"group": "school", "missing": "fiml"}, "c(...)"),
        (_C, {"group": "school", "estimator": "WLSMV", "ordered": True}, "c(...)"),
        (
            HS,
            {
                "group": "school",
                "group_equal": ["loadings"],
                "group_partial": ["visual=~x2"],
                "estimator": "WLSMV",
                "ordered": True,
            },
            "group_partial",
        ),
        (
            HS,
            {
                "group": "school",
                "group_equal": ["loadings"],
                "group_partial": ["visual=~x2"],
                "missing": "fiml",
            },
            "group_partial",
        ),
        (HS, {"estimator": "MLR", "weights": "ageyr"}, "'MLR'"),
        (HS.replace("x1 + x2", 'x1 + equal("a")*x2'), {}, 'equal("a")'),
        (HS.replace("x1 + x2", 'x1 + label("a")*x2'), {}, 'label("a")'),
        (HS.replace("x1 + x2", "x1 + a*b*x2"), {}, "a*b"),
    ],
)
def test_unsupported_combinations_name_the_token(reference, model, options, token):
    # issue 15: never a silently different model; each of these is refused by name
    from csi._checks import CsiInputError

    data = pd.read_csv(reference("lavaan", HS_FILE))
    if options.get("ordered"):
        items = [f"x{k}" for k in range(1, 10)]
        data = data.copy()
        data[items] = data[items].apply(lambda c: pd.qcut(c, 4, labels=False))
    with pytest.raises((CsiInputError, SemSyntaxError)) as err:
        fit_sem(data, model, **options)
    assert token in str(err.value)
