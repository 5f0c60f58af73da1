"""The lavaan syntax users write (issue 15): defined parameters (``:=``).

References in tests/reference/lavaan_parity (R 4.2.2, lavaan 0.6.14; ``pd_defined`` and
``hs_defined`` in its README and make_reference.R). Tolerance 1e-4 relative for
estimates, standard errors (delta method for ``:=`` rows), standardized values and every
fit index both programs report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.defined import DefinedSyntaxError, evaluate, parse_defined
from csi.sem.syntax import SemSyntaxError, build_model
from lavaan_models import HS, LAVAAN_FIT_NAMES, PD

TOL = 1e-4
HS_FILE, PD_FILE = "HolzingerSwineford1939.csv", "PoliticalDemocracy.csv"
PD_DEFINED = (
    PD.replace("dem60 ~ ind60", "dem60 ~ a*ind60").replace(
        "dem65 ~ ind60 + dem60", "dem65 ~ b*ind60 + c*dem60"
    )
    + "\nindirect := a*c\ntotal := b + a*c\nshare := (a*c) / (b + a*c)\n"
    + "curved := sqrt(a^2) - exp(-c)/2 + total^2"
)
HS_DEFINED = (
    HS.replace("x1 + x2 + x3", "x1 + l2*x2 + l3*x3").replace("x7 + x8", "x7 + l8*x8")
    + "\ndiff := l3 - l2\nratio := l2 / l3\nmarked := l2 - 2 * l8"
)
HS_LABELLED = HS.replace("x1 + x2 + x3", "x1 + a*x2 + b*x3").replace(
    "x4 + x5 + x6", "x4 + c*x5 + d*x6"
)
PD_LABELLED = PD.replace("dem60 ~ ind60", "dem60 ~ a*ind60").replace(
    "dem65 ~ ind60 + dem60", "dem65 ~ b*ind60 + c*dem60"
)
HS_START = (
    "visual =~ x1 + start(0.5)*x2 + 0.8?x3\ntextual =~ x4 + x5 + start(2)*x6\n"
    "speed =~ x7 + x8 + x9\nx1 ~~ 0.3?x1"
)
#: reference prefix -> (data file, model)
CASES = {
    "pd_defined": (PD_FILE, PD_DEFINED),
    "hs_defined": (HS_FILE, HS_DEFINED),
    "hs_equal": (HS_FILE, HS_LABELLED + "\na == b\nc == 1.2*d"),
    "hs_above_slack": (HS_FILE, HS_LABELLED + "\na > 0"),
    "hs_above_bound": (HS_FILE, HS_LABELLED + "\na > 0.8"),
    "hs_below_bound": (HS_FILE, HS_LABELLED + "\na < 0.3"),
    "hs_equal_bound": (HS_FILE, HS_LABELLED + "\na == b\nc == 1.2*d\nb > 0.8"),
    "pd_equal": (PD_FILE, PD_LABELLED + "\na == 2*b + c"),
    "hs_start": (HS_FILE, HS_START),
    "hs_intercepts": (HS_FILE, HS + "\nx1 ~ 1"),
    "pd_intercepts": (PD_FILE, PD + "\ny3 ~ 1"),
}


def _rel(ref: float, value: float) -> float:
    return abs(value - ref) / max(abs(ref), 1e-8)


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, reference):
    data_file, model = CASES[request.param]
    data = pd.read_csv(reference("lavaan", data_file))
    params = pd.read_csv(reference("lavaan_parity", f"{request.param}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_parity", f"{request.param}_fit.csv"))
    return request.param, params, fit.set_index("measure")["value"], fit_sem(data, model)


def test_models_are_the_reference_models():
    for model in (PD_DEFINED, PD_LABELLED):
        assert "dem60 ~ a*ind60" in model and "dem65 ~ b*ind60 + c*dem60" in model
    assert "visual =~ x1 + l2*x2 + l3*x3" in HS_DEFINED and "l8*x8" in HS_DEFINED
    assert "x1 + a*x2 + b*x3" in HS_LABELLED and "x4 + c*x5 + d*x6" in HS_LABELLED


def test_estimates_ses_and_defined_rows_match_lavaan(case):
    prefix, params, _, result = case
    est = result.estimates
    assert len(est) == len(params)
    assert (est["op"] == ":=").sum() == (params["op"] == ":=").sum()
    for row in params.itertuples():
        rhs = "" if row.op == "~1" else row.rhs
        hit = est[(est.lhs == row.lhs) & (est.op == row.op) & (est.rhs.fillna("") == rhs)]
        if hit.empty and row.op == "~~":
            hit = est[(est.lhs == row.rhs) & (est.op == row.op) & (est.rhs == row.lhs)]
        assert len(hit) == 1, (row.lhs, row.op, row.rhs)
        ours = hit.iloc[0]
        pairs = [("est", "estimate"), ("se", "se"), ("std_lv", "std_lv"), ("std_all", "std_all")]
        if row.op == ":=":
            pairs += [("z", "z"), ("pvalue", "pvalue"), ("ci_lower", "ci_lower")]
            pairs += [("ci_upper", "ci_upper")]
            assert ours["label"] == row.lhs
        for ref_col, col in pairs:
            ref = getattr(row, ref_col)
            if col == "se" and np.isnan(ref):
                # lavaan 0.6.14 prints NA (or 0) for the SE of a parameter held at its
                # bound; csi reports 0, as for a fixed parameter
                assert "bound" in prefix and ours[col] == 0.0, (row.lhs, row.rhs)
                continue
            assert _rel(ref, ours[col]) < TOL, (row.lhs, row.op, row.rhs, col, ref, ours[col])


def test_fit_measures_match_lavaan(case):
    _, _, fit, result = case
    ours = result.fit_indices
    for key, lav in LAVAAN_FIT_NAMES.items():
        if lav in fit.index and np.isfinite(fit[lav]):
            assert _rel(fit[lav], ours[key]) < TOL, (key, fit[lav], ours[key])
    assert ours["npar"] == fit["npar"] and ours["df"] == fit["df"]


def test_a_bound_is_reported_with_a_zero_se(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    est = fit_sem(data, HS_LABELLED + "\na > 0.8").estimates
    row = est[est.label == "a"].iloc[0]
    assert row["estimate"] == pytest.approx(0.8, abs=1e-12) and row["se"] == 0.0
    # a slack inequality changes nothing: the same fit as without it
    free = fit_sem(data, HS_LABELLED).estimates
    slack = fit_sem(data, HS_LABELLED + "\na > 0").estimates
    np.testing.assert_allclose(slack["estimate"], free["estimate"], rtol=1e-10)
    np.testing.assert_allclose(slack["se"], free["se"], rtol=1e-10)


def test_equal_labels_equal_an_equality_constraint(reference):
    # a == b is the same model as one label on both loadings
    data = pd.read_csv(reference("lavaan", HS_FILE))
    one = fit_sem(data, HS_LABELLED.replace("b*x3", "a*x3")).estimates
    two = fit_sem(data, HS_LABELLED + "\na == b").estimates
    np.testing.assert_allclose(two["estimate"], one["estimate"], rtol=1e-6)
    np.testing.assert_allclose(two["se"], one["se"], rtol=1e-6)


def test_constraints_in_a_multigroup_fit_match_lavaan(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    params = pd.read_csv(reference("lavaan_parity", "hs_equal_groups_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_parity", "hs_equal_groups_fit.csv"))
    fit = fit.set_index("measure")["value"]
    result = fit_sem(data, HS_LABELLED + "\na == b\nc > 1.2", group="school")
    est = result.estimates
    labels = list(result.groups or ())
    for row in params.itertuples():
        ours = est[(est.group == labels[row.group - 1]) & (est.label == row.label)].iloc[0]
        assert _rel(row.est, ours["estimate"]) < TOL, row
        assert _rel(row.std_all, ours["std_all"]) < TOL, row
        # lavaan 0.6.14 prints NA for the SE of a bound parameter in group 1 and 0 in
        # group 2; csi reports 0 in both
        ref_se = 0.0 if np.isnan(row.se) else row.se
        assert _rel(ref_se, ours["se"]) < TOL or abs(ours["se"]) < 1e-12, row
    for key in ("npar", "df", "chisq", "cfi", "tli", "rmsea", "aic", "bic", "srmr"):
        lav = LAVAAN_FIT_NAMES[key]
        assert _rel(fit[lav], result.fit_indices[key]) < TOL, (key, fit[lav])


def test_gls_constraints_are_refused_because_lavaan_does_not_impose_them(reference):
    # the stored lavaan 0.6.14 GLS fit with a == 2*b + c breaks the constraint
    ref = pd.read_csv(reference("lavaan_parity", "pd_equal_gls_params.csv"))
    paths = ref[ref.op == "~"].set_index(["lhs", "rhs"])["est"]
    a, b, c = paths[("dem60", "ind60")], paths[("dem65", "ind60")], paths[("dem65", "dem60")]
    assert abs(a - (2 * b + c)) > 1.0
    data = pd.read_csv(reference("lavaan", PD_FILE))
    for estimator in ("GLS", "ULS", "MLM", "MLR"):
        with pytest.raises(CsiInputError, match="'a == 2\\*b \\+ c'"):
            fit_sem(data, PD_LABELLED + "\na == 2*b + c", estimator=estimator)
    with pytest.raises(CsiInputError, match="constraints"):
        fit_sem(data, PD_LABELLED + "\na == 2*b + c", missing="fiml")


#: definitions in other fits (references keep only the := rows): prefix -> (data, options)
OTHER_FITS = {
    "hs_defined_groups": ("lavaan", HS_FILE, {"group": "school"}),
    "hs_defined_fiml": ("lavaan_robust", "hs_missing.csv", {"missing": "fiml"}),
    "hs_groups_c_defined": ("lavaan", HS_FILE, {"group": "school"}),
}


@pytest.mark.parametrize("prefix", sorted(OTHER_FITS))
def test_defined_rows_in_multigroup_and_fiml_fits_match_lavaan(reference, prefix):
    folder, data_file, options = OTHER_FITS[prefix]
    data = pd.read_csv(reference(folder, data_file))
    params = pd.read_csv(reference("lavaan_parity", f"{prefix}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_parity", f"{prefix}_fit.csv"))
    fit = fit.set_index("measure")["value"]
    model = HS_C + "\nratio := a1 / a2" if prefix == "hs_groups_c_defined" else HS_DEFINED
    result = fit_sem(data, model, **options)
    ours = result.estimates[result.estimates.op == ":="].set_index("lhs")
    assert list(ours.index) == list(params.lhs)
    for row in params.itertuples():
        assert ours.loc[row.lhs, "rhs"] == row.rhs
        for ref_col, col in [
            ("est", "estimate"),
            ("se", "se"),
            ("z", "z"),
            ("pvalue", "pvalue"),
            ("ci_lower", "ci_lower"),
            ("ci_upper", "ci_upper"),
            ("std_lv", "std_lv"),
            ("std_all", "std_all"),
        ]:
            ref = getattr(row, ref_col)
            assert _rel(ref, ours.loc[row.lhs, col]) < TOL, (row.lhs, col, ref)
    for key in ("chisq", "df", "cfi", "rmsea"):
        lav = LAVAAN_FIT_NAMES[key]
        assert _rel(fit[lav], result.fit_indices[key]) < TOL, (key, fit[lav])


def test_delta_method_by_hand(reference):
    """ab := a*c: se^2 = c^2 V_aa + a^2 V_cc + 2 a c V_ac (Sobel 1982), from the vcov."""
    data = pd.read_csv(reference("lavaan", PD_FILE))
    result = fit_sem(data, PD_DEFINED)
    tab = result.estimates
    a, c = (float(tab.loc[tab.label == lab, "estimate"].iloc[0]) for lab in "ac")
    se_a, se_c = (float(tab.loc[tab.label == lab, "se"].iloc[0]) for lab in "ac")
    v = result.vcov.to_numpy()
    # locate a and c in the covariance matrix through their standard errors
    ka = int(np.argmin(np.abs(np.sqrt(np.diag(v)) - se_a)))
    kc = int(np.argmin(np.abs(np.sqrt(np.diag(v)) - se_c)))
    assert np.sqrt(v[ka, ka]) == pytest.approx(se_a, rel=1e-12) and ka != kc
    se = np.sqrt(c**2 * v[ka, ka] + a**2 * v[kc, kc] + 2 * a * c * v[ka, kc])
    row = tab[tab.op == ":="].set_index("lhs").loc["indirect"]
    assert row["estimate"] == pytest.approx(a * c, rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-10)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("F =~ x1 + a*x2 + x3\nd := a + zz", "'zz'"),
        ("F =~ x1 + a*x2 + x3\nd := a +", "ends too early"),
        ("F =~ x1 + a*x2 + x3\nd := a ** 2", "'*'"),
        ("F =~ x1 + a*x2 + x3\nd := pnorm(a)", "'pnorm'"),
        ("F =~ x1 + a*x2 + x3\nd := a; e := d + (a", "')'"),
        ("F =~ x1 + a*x2 + x3\na := 2*a", "reuses"),
        ("F =~ x1 + a*x2 + x3\nd := a $ 2", "'$ 2'"),
        ("F =~ x1 + a*x2 + x3\na == zz", "'zz'"),
        ("F =~ x1 + a*x2 + x3\na >= 0", "a >= 0"),
        ("F =~ x1 + a*x2 + x3\na == b == c", "a == b == c"),
        ("F =~ x1 + start(a)*x2 + x3", "start(a)"),
        ("F =~ x1 + 0.5?a*x2 + x3", "0.5?a*x2"),
        ("F =~ x1 + a*start(0.5)*x2 + x3", "a*start(0.5)"),
    ],
)
def test_bad_definitions_name_the_token(text, token):
    with pytest.raises(SemSyntaxError) as err:
        build_model(text)
    assert token in str(err.value)


def test_definition_on_a_fixed_parameter_is_refused_as_lavaan(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    with pytest.raises(SemSyntaxError, match="'m' labels a fixed parameter"):
        fit_sem(data, HS.replace("x1 + x2", "m*x1 + l2*x2") + "\nd := m * l2")


def test_parser_precedence_and_gradient():
    values = {"a": (2.0, np.array([1.0, 0.0])), "b": (3.0, np.array([0.0, 1.0]))}
    for text, value, grad in [
        ("a + b * 2", 8.0, [1.0, 2.0]),
        ("-a ^ 2", -4.0, [-4.0, 0.0]),  # R: -a^2 == -(a^2)
        ("a ^ b ^ 0", 2.0, [1.0, 0.0]),  # right-associative
        ("(a - b) / b", -1 / 3, [1 / 3, -2 / 9]),
        ("a / b / 2", 1 / 3, [1 / 6, -1 / 9]),
        ("sqrt(a * 8) + log(b) - abs(-a)", 4 + np.log(3) - 2, [1.0 - 1.0, 1 / 3]),
        ("a ^ b", 8.0, [12.0, 8 * np.log(2)]),
        ("1e-1 * a", 0.2, [0.1, 0.0]),
    ]:
        v, g = evaluate(parse_defined("d", text).tree, values)
        assert v == pytest.approx(value, rel=1e-12), text
        np.testing.assert_allclose(g, grad, rtol=1e-12, atol=1e-15, err_msg=text)
    with pytest.raises(DefinedSyntaxError):
        parse_defined("d", "__import__('os')")


@pytest.mark.parametrize(
    ("extra", "token"),
    [
        ("a == b^2", "'a == b^2' is not linear"),
        ("a*b > 1", "'a*b > 1' is not linear"),
        ("a == b\nb == a", "redundant"),
        ("2 == 0*a", "'2 == 0*a' involves no free parameter"),
    ],
)
def test_nonlinear_or_redundant_constraints_are_refused(reference, extra, token):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    with pytest.raises(SemSyntaxError) as err:
        fit_sem(data, HS_LABELLED + "\n" + extra)
    assert token in str(err.value)


def test_ordinal_fits_refuse_definitions(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    items = [f"x{k}" for k in range(1, 10)]
    data[items] = data[items].round().clip(1, 5)
    with pytest.raises(CsiInputError, match=":="):
        fit_sem(data, HS_DEFINED, estimator="WLSMV", ordered=True)


def test_modification_indices_refuse_constraints(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    with pytest.raises(CsiInputError, match="'a == b'"):
        fit_sem(data, HS_LABELLED + "\na == b").modification_indices()


def test_start_values_reach_the_engine_and_change_nothing_else(reference):
    from csi.sem.groups import apply_starts, build_maps
    from csi.sem.structure import Structure

    sm = build_model(HS_START)
    assert [t.start for t in sm.terms if t.start is not None] == [0.5, 0.8, 2.0, 0.3]
    st = Structure(sm)
    maps, names = build_maps([st], meanstructure=False)
    theta = np.zeros(len(names))
    apply_starts([st], maps, theta)
    placed = {
        (e.lhs, e.op, e.rhs): theta[maps[0].cov_idx[e.free]] for e in st.entries if e.free >= 0
    }
    assert placed[("visual", "=~", "x2")] == 0.5 and placed[("visual", "=~", "x3")] == 0.8
    assert placed[("textual", "=~", "x6")] == 2.0 and placed[("x1", "~~", "x1")] == 0.3
    assert sum(v != 0 for v in placed.values()) == 4
    data = pd.read_csv(reference("lavaan", HS_FILE))
    plain, started = fit_sem(data, HS).estimates, fit_sem(data, HS_START).estimates
    np.testing.assert_allclose(started["estimate"], plain["estimate"], rtol=1e-7)


HS_C = (
    "visual =~ x1 + c(a1, a2)*x2 + c(b, b)*x3\ntextual =~ x4 + c(1, NA)*x5 + x6\n"
    "speed =~ x7 + x8 + x9"
)
#: two-group references with every row: prefix -> (model, fit_sem options)
GROUP_CASES = {
    "hs_groups_c": (HS_C, {}),
    "hs_partial": (
        HS,
        {
            "group_equal": ["loadings", "intercepts"],
            "group_partial": ["visual=~x2", "x7~1"],
        },
    ),
}


@pytest.mark.parametrize("prefix", sorted(GROUP_CASES))
def test_group_specific_modifiers_and_group_partial_match_lavaan(reference, prefix):
    model, options = GROUP_CASES[prefix]
    data = pd.read_csv(reference("lavaan", HS_FILE))
    params = pd.read_csv(reference("lavaan_parity", f"{prefix}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_parity", f"{prefix}_fit.csv"))
    fit = fit.set_index("measure")["value"]
    result = fit_sem(data, model, group="school", **options)
    est = result.estimates
    labels = list(result.groups or ())
    assert len(est) == len(params)
    for row in params.itertuples():
        rhs = "" if row.op == "~1" else row.rhs
        hit = est[
            (est.group == labels[row.group - 1])
            & (est.lhs == row.lhs)
            & (est.op == row.op)
            & (est.rhs.fillna("") == rhs)
        ]
        assert len(hit) == 1, row
        ours = hit.iloc[0]
        for ref_col, col in (("est", "estimate"), ("se", "se"), ("std_all", "std_all")):
            ref = getattr(row, ref_col)
            assert _rel(ref, ours[col]) < TOL, (row.group, row.lhs, row.op, rhs, col, ref)
    for key, lav in LAVAAN_FIT_NAMES.items():
        if lav in fit.index and np.isfinite(fit[lav]):
            assert _rel(fit[lav], result.fit_indices[key]) < TOL, (key, fit[lav])


def test_equal_labels_in_c_are_one_parameter(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    est = fit_sem(data, HS_C, group="school").estimates
    b = est[(est.rhs == "x3") & (est.op == "=~")]
    assert b["estimate"].nunique() == 1 and list(b["label"]) == ["b", "b"]
    a = est[(est.rhs == "x2") & (est.op == "=~")]
    assert list(a["label"]) == ["a1", "a2"] and a["estimate"].nunique() == 2


@pytest.mark.parametrize(
    ("model", "options", "token"),
    [
        (HS_C, {}, "set group="),
        (HS.replace("x1 + x2", "x1 + c(a, b, c)*x2"), {"group": "school"}, "c(a, b, c)*x2"),
        (HS.replace("x1 + x2", "x1 + c(a, 2x)*x2"), {"group": "school"}, "c(a, 2x)"),
        (HS, {"group": "school", "group_partial": ["visual=~x2"]}, "give group_equal"),
        (
            HS,
            {"group": "school", "group_equal": ["loadings"], "group_partial": ["visual x2"]},
            "'visual x2'",
        ),
        (HS_C, {"group": "school", "missing": "fiml"}, "c(...)"),
    ],
)
def test_group_modifier_errors_name_the_token(reference, model, options, token):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    with pytest.raises((CsiInputError, SemSyntaxError)) as err:
        fit_sem(data, model, **options)
    assert token in str(err.value)


@pytest.mark.parametrize(
    ("model", "options", "token"),
    [
        # observed regressions, latent means and fixed intercepts are supported now
        # (tests/test_sem_latent_means.py, which also checks the other refusals)
        (PD + "\ny3 ~ 1", {"weights": "x1"}, "'y3 ~ 1'"),
        (PD + "\ny3 ~ a*1", {}, "'a'"),
    ],
)
def test_unsupported_intercepts_name_the_token(reference, model, options, token):
    data = pd.read_csv(reference("lavaan", PD_FILE))
    with pytest.raises((CsiInputError, SemSyntaxError)) as err:
        fit_sem(data, model, **options)
    assert token in str(err.value)


def test_an_intercept_statement_leaves_the_covariance_part_alone(reference):
    data = pd.read_csv(reference("lavaan", HS_FILE))
    plain, means = fit_sem(data, HS), fit_sem(data, HS + "\nx1 ~ 1")
    cov_rows = means.estimates[means.estimates.op != "~1"].reset_index(drop=True)
    np.testing.assert_allclose(cov_rows["estimate"], plain.estimates["estimate"], rtol=1e-7)
    assert means.fit_indices["chisq"] == pytest.approx(plain.fit_indices["chisq"], rel=1e-8)
    assert means.fit_indices["npar"] == plain.fit_indices["npar"] + 9
    intercepts = means.estimates[means.estimates.op == "~1"].set_index("lhs")["estimate"]
    items = [f"x{k}" for k in range(1, 10)]
    # the intercepts of a saturated mean structure are the item means (divisor N)
    np.testing.assert_allclose(intercepts[items], data[items].mean(), rtol=1e-8)


def _expressions():
    """(text, function of (a, b)) pairs built together, so the value is known."""
    from hypothesis import strategies as st

    leaves = st.one_of(
        st.just(("a", lambda a, b: a)),
        st.just(("b", lambda a, b: b)),
        st.integers(1, 9).map(lambda k: (str(k), lambda a, b, k=k: float(k))),
    )

    def combine(children):
        def join(pair, op):
            (lt, lf), (rt, rf) = pair
            funs = {
                "+": lambda a, b: lf(a, b) + rf(a, b),
                "-": lambda a, b: lf(a, b) - rf(a, b),
                "*": lambda a, b: lf(a, b) * rf(a, b),
            }
            return f"({lt}) {op} ({rt})", funs[op]

        return st.tuples(st.tuples(children, children), st.sampled_from("+-*")).map(
            lambda t: join(*t)
        )

    return st.recursive(leaves, combine, max_leaves=8)


def test_parser_value_and_gradient_property():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(_expressions(), st.floats(-3, 3), st.floats(-3, 3))
    def check(expr, a, b):
        text, fun = expr
        values = {"a": (a, np.array([1.0, 0.0])), "b": (b, np.array([0.0, 1.0]))}
        v, g = evaluate(parse_defined("d", text).tree, values)
        assert v == pytest.approx(fun(a, b), rel=1e-9, abs=1e-9)
        h = 1e-5
        num = [(fun(a + h, b) - fun(a - h, b)) / (2 * h), (fun(a, b + h) - fun(a, b - h)) / (2 * h)]
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-4 * (1 + abs(v)))

    check()
