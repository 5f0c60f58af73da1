"""Weighted CB-SEM: csi.fit_sem(weights=) against lavaan 0.6.14 ``sampling.weights``.

Reference files in tests/reference/lavaan_weights (see its README: data, calls, versions).
Tolerance from the issue: 1e-4 relative for estimates, standard errors and fit indices.
Frequency weights are checked against the repeated rows; equal weights against the
unweighted fit; a Survey whose codebook names a weight is weighted by default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csi
from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.robust import satorra_bentler
from lavaan_models import HS, LAVAAN_FIT_NAMES, PD

TOL = 1e-4

#: reference prefix -> (data file, model, fit_sem options)
CASES = {
    "hs_ml": ("hs_weighted.csv", HS, {}),
    "pd_ml": ("pd_weighted.csv", PD, {}),
    "hs_mg": ("hs_weighted.csv", HS, {"group": "school"}),
    "hs_mg_loadings": ("hs_weighted.csv", HS, {"group": "school", "group_equal": ["loadings"]}),
}

#: csi fit-index name -> lavaan fitMeasures name
LAVAAN_NAME = {
    **LAVAAN_FIT_NAMES,
    "n": "ntotal",
    "scaling_factor_h1": "scaling.factor.h1",
    "scaling_factor_h0": "scaling.factor.h0",
    "scaling_factor": "chisq.scaling.factor",
    "chisq_scaled": "chisq.scaled",
    "pvalue_scaled": "pvalue.scaled",
    "baseline_chisq_scaled": "baseline.chisq.scaled",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor",
    "cfi_scaled": "cfi.scaled",
    "tli_scaled": "tli.scaled",
    "rmsea_scaled": "rmsea.scaled",
    "cfi_robust": "cfi.robust",
    "tli_robust": "tli.robust",
    "rmsea_robust": "rmsea.robust",
    "rmsea_ci_lower_robust": "rmsea.ci.lower.robust",
    "rmsea_ci_upper_robust": "rmsea.ci.upper.robust",
    "rmsea_pvalue_robust": "rmsea.pvalue.robust",
}

#: fit measures not compared for multi-group fits: none (multi-group GFI/AGFI take the
#: means in, as lavaan 0.6.14)
MULTIGROUP_SKIP: set[str] = set()


def _rel(ref: float, value: float) -> float:
    return abs(value - ref) / max(abs(ref), 1e-8)


def _row(est: pd.DataFrame, lhs: str, op: str, rhs: str, group: object) -> pd.Series:
    sel = (est.lhs == lhs) & (est.op == op)
    if "group" in est.columns:
        sel &= est.group == group
    hit = est[sel & (est.rhs == rhs)]
    if hit.empty and op == "~~":
        swapped = (est.lhs == rhs) & (est.op == op) & (est.rhs == lhs)
        if "group" in est.columns:
            swapped &= est.group == group
        hit = est[swapped]
    assert len(hit) == 1, f"{lhs} {op} {rhs} ({group}) not (uniquely) in the csi table"
    return hit.iloc[0]


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, reference):
    data_file, model, options = CASES[request.param]
    data = pd.read_csv(reference("lavaan_weights", data_file))
    params = pd.read_csv(reference("lavaan_weights", f"{request.param}_params.csv"))
    params.columns = [c.replace(".", "_") for c in params.columns]
    fit = pd.read_csv(reference("lavaan_weights", f"{request.param}_fit.csv"))
    fit = fit.set_index("measure")["value"]
    result = fit_sem(data, model, weights="w", **options)
    return request.param, params, fit, result


def test_estimates_and_robust_ses_match_lavaan(case):
    _, params, _, result = case
    est = result.estimates
    assert len(est) == len(params)
    assert result.weight_kind == "sampling"
    for row in params.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        ours = _row(est, row.lhs, row.op, rhs, row.group_label)
        for ref_col, col in (
            ("est", "estimate"),
            ("se", "se"),
            ("std_lv", "std_lv"),
            ("std_all", "std_all"),
        ):
            ref = getattr(row, ref_col)
            assert _rel(ref, ours[col]) < TOL, (row.lhs, row.op, rhs, col, ref, ours[col])


def test_fit_measures_match_lavaan(case):
    name, _, fit, result = case
    ours = result.fit_indices
    missing = [k for k in LAVAAN_NAME if k not in ours.index]
    assert not missing, missing
    for key, lav in LAVAAN_NAME.items():
        if name.startswith("hs_mg") and key in MULTIGROUP_SKIP:
            continue
        assert _rel(fit[lav], ours[key]) < TOL, (key, fit[lav], ours[key])


def test_lavaan_mlm_with_sampling_weights_uses_an_unweighted_gamma(reference):
    """csi refuses MLM with sampling weights; this documents why.

    lavaan 0.6.14's ``estimator="MLM"`` with ``sampling.weights`` gives the weighted
    estimates but a Satorra-Bentler correction from the *unweighted* fourth moments:
    csi's Satorra-Bentler with unweighted rows reproduces lavaan's numbers.
    """
    data = pd.read_csv(reference("lavaan_weights", "hs_weighted.csv"))
    with pytest.raises(CsiInputError, match="MLM"):
        fit_sem(data, HS, weights="w", estimator="MLM")
    fit = pd.read_csv(reference("lavaan_weights", "hs_mlm_fit.csv")).set_index("measure")["value"]
    params = pd.read_csv(reference("lavaan_weights", "hs_mlm_params.csv"))
    res = fit_sem(data, HS, weights="w")
    state = res.fitted_state
    perm = [list(state.sm.observed).index(v) for v in state.engine.structs[0].obs]
    vcov, robust = satorra_bentler(state.engine, state.theta, [state.groups[0].raw[:, perm]])
    assert _rel(fit["chisq.scaling.factor"], robust["scaling_factor"]) < TOL
    assert _rel(fit["chisq.scaled"], robust["chisq_scaled"]) < TOL
    ref_se = params[params.se > 0].se.to_numpy()
    free = res.estimates[res.estimates.se > 0]
    ours = np.sqrt(np.diag(vcov))
    assert len(ours) == len(ref_se) == len(free)
    # the same multiset of standard errors (parameter order differs between the tables)
    np.testing.assert_allclose(np.sort(ours), np.sort(ref_se), rtol=TOL)


# ------------------------------------------------------------------ frequency
def _hs(reference) -> pd.DataFrame:
    return pd.read_csv(reference("lavaan_weights", "hs_weighted.csv"))


def _same(a, b, *, se: bool = True, rtol: float = 1e-7) -> None:
    cols = ["estimate", "se"] if se else ["estimate"]
    np.testing.assert_allclose(
        a.estimates[cols].to_numpy(), b.estimates[cols].to_numpy(), rtol=rtol
    )


@pytest.mark.parametrize(
    "options",
    [{}, {"estimator": "MLM"}, {"estimator": "GLS"}, {"group": "school"}],
    ids=["ML", "MLM", "GLS", "groups"],
)
def test_frequency_weights_equal_repeated_rows(reference, options):
    data = _hs(reference)
    repeated = data.loc[data.index.repeat(data["fw"].to_numpy())].reset_index(drop=True)
    res = fit_sem(data, HS, weights="fw", weight_kind="frequency", **options)
    rep = fit_sem(repeated, HS, **options)
    assert res.n == rep.n == int(data["fw"].sum())
    assert res.weight_kind == "frequency"
    # estimates, standard errors and every fit index: those of the repeated rows
    _same(res, rep)
    common = rep.fit_indices.index
    np.testing.assert_allclose(
        res.fit_indices[common].to_numpy(float), rep.fit_indices.to_numpy(float), rtol=1e-7
    )


def test_integer_sampling_weights_give_the_repeated_rows_estimates(reference):
    """Same point estimates; N stays the respondents, SEs are the robust sandwich ones."""
    data = _hs(reference)
    repeated = data.loc[data.index.repeat(data["fw"].to_numpy())]
    res = fit_sem(data, HS, weights="fw")
    rep = fit_sem(repeated, HS)
    _same(res, rep, se=False)
    assert res.n == len(data)
    assert res.fit_indices["chisq"] == pytest.approx(
        rep.fit_indices["chisq"] * len(data) / len(repeated), rel=1e-8
    )


def test_frequency_weights_must_be_whole_numbers(reference):
    data = _hs(reference)
    with pytest.raises(CsiInputError, match="whole"):
        fit_sem(data, HS, weights="w", weight_kind="frequency")


# ---------------------------------------------------------------- invariances
def test_equal_weights_give_the_unweighted_estimates(reference):
    data = _hs(reference)
    res = fit_sem(data, HS, weights=np.full(len(data), 2.5))
    plain = fit_sem(data, HS)
    _same(res, plain, se=False)
    keys = ["chisq", "cfi", "tli", "rmsea", "srmr", "loglik", "aic", "bic"]
    np.testing.assert_allclose(
        res.fit_indices[keys].to_numpy(float), plain.fit_indices[keys].to_numpy(float), rtol=1e-7
    )
    # the SEs are the robust (sandwich) ones, not the expected-information ones
    assert not np.allclose(res.estimates["se"], plain.estimates["se"], rtol=1e-3)


def test_weights_are_scale_free_and_data_unchanged(reference):
    data = _hs(reference)
    before = data.copy()
    a = fit_sem(data, HS, weights="w")
    b = fit_sem(data, HS, weights=data["w"].to_numpy() * 10.0)
    pd.testing.assert_frame_equal(data, before)
    _same(a, b, rtol=1e-8)
    np.testing.assert_allclose(a.fit_indices.to_numpy(float), b.fit_indices.to_numpy(float))


def test_weights_false_and_summary(reference):
    data = _hs(reference)
    res = fit_sem(data, HS, weights="w")
    assert "Survey weights" in res.summary() and "scaled" in res.summary()
    assert "调查权重" in res.summary(lang="zh")
    plain = fit_sem(data, HS, weights=False)
    assert plain.weight_kind is None and "Survey weights" not in plain.summary()


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"weights": "w", "estimator": "GLS"}, "not available with sampling weights"),
        ({"weights": "w", "estimator": "ULS"}, "not available with sampling weights"),
        ({"weights": "w", "missing": "fiml"}, "fiml"),
        ({"weights": True}, "weights=True"),
        ({"weights": "nope"}, "'nope' not found"),
        ({"weights": [1.0, 2.0]}, "expected one per row"),
    ],
)
def test_bad_weight_options(reference, options, match):
    with pytest.raises(CsiInputError, match=match):
        fit_sem(_hs(reference), HS, **options)


def test_bad_weight_values_name_the_row(reference):
    data = _hs(reference)
    data.loc[7, "w"] = -1.0
    with pytest.raises(CsiInputError, match=r"negative weight \(-1.0\) at row 7"):
        fit_sem(data, HS, weights="w")
    data = _hs(reference)
    with pytest.raises(CsiInputError, match="also an item"):
        fit_sem(data, HS, weights="x1")


# ---------------------------------------------------------------------- survey
SURVEY_CB = {
    "id": "id",
    "weight": "w",
    "constructs": {"visual": {}, "textual": {}, "speed": {}},
    "items": {
        **{f"x{k}": {"construct": "visual"} for k in (1, 2, 3)},
        **{f"x{k}": {"construct": "textual"} for k in (4, 5, 6)},
        **{f"x{k}": {"construct": "speed"} for k in (7, 8, 9)},
    },
}


def test_a_weighted_survey_is_fitted_with_its_weights(reference):
    data = _hs(reference).drop(columns=["fw", "school"])
    survey = csi.read_survey(data, SURVEY_CB)
    res = fit_sem(survey, HS)
    by_hand = fit_sem(data, HS, weights="w")
    assert res.weight_kind == "sampling"
    _same(res, by_hand, rtol=1e-9)
    plain = fit_sem(survey, HS, weights=False)
    assert plain.weight_kind is None
    _same(plain, fit_sem(data, HS), rtol=1e-9)


def test_a_frequency_survey(reference):
    data = _hs(reference).drop(columns=["w", "school"])
    cb = {**SURVEY_CB, "weight": "fw", "weight_kind": "frequency"}
    res = fit_sem(csi.read_survey(data, cb), HS)
    repeated = data.loc[data.index.repeat(data["fw"].to_numpy())]
    assert res.weight_kind == "frequency" and res.n == len(repeated)
    _same(res, fit_sem(repeated, HS))


def test_invariance_of_a_weighted_survey_uses_the_scaled_difference(reference):
    """lavTestLRT (Satorra-Bentler 2001 scaled difference) of configural vs metric."""
    from csi.sem import invariance

    data = _hs(reference).drop(columns=["fw"])
    lrt = pd.read_csv(reference("lavaan_weights", "hs_mg_lrt.csv")).set_index("model")
    ladder = invariance(
        csi.read_survey(data, SURVEY_CB), HS, group="school", levels=["configural", "metric"]
    )
    table = ladder.table.set_index("model")
    assert _rel(lrt.loc["metric", "chisq"], table.loc["metric", "chisq"]) < TOL
    assert _rel(lrt.loc["metric", "chisq_diff"], table.loc["metric", "chisq_diff"]) < TOL
    assert _rel(lrt.loc["metric", "pvalue"], table.loc["metric", "pvalue_diff"]) < TOL
