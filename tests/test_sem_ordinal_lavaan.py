"""Ordinal items against lavaan 0.6.14: DWLS and WLSMV on the HS items cut into 4 and 5
categories (tests/reference/lavaan_ordinal, made by make_reference.R there; R is not
needed here). Tolerance 1e-4 relative on estimates, SEs, std.all and every fit measure
both report; lavaan's asymptotic covariance of the polychorics to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.fit import ESTIMATORS
from csi.sem.ordinal import fit_ordinal
from csi.sem.polychoric import ordinal_stats
from lavaan_models import HS, LAVAAN_FIT_NAMES, LIKELIHOOD_MEASURES

REF = Path(__file__).parent / "reference" / "lavaan_ordinal"
ITEMS = [f"x{k}" for k in range(1, 10)]
HS_SEM = HS + "\ntextual ~ visual\nspeed ~ visual + textual"
RTOL = 1e-4
# csi fit measure -> lavaan fitMeasures() name
FIT_MAP = {
    **{k: v for k, v in LAVAAN_FIT_NAMES.items() if k not in LIKELIHOOD_MEASURES},
    "chisq_scaled": "chisq.scaled",
    "pvalue_scaled": "pvalue.scaled",
    "scaling_factor": "chisq.scaling.factor",
    "shift_parameter": "shift.parameter",  # from <prefix>_test.csv
    "baseline_chisq_scaled": "baseline.chisq.scaled",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor",
    "cfi_scaled": "cfi.scaled",
    "tli_scaled": "tli.scaled",
    "rmsea_scaled": "rmsea.scaled",
    "rmsea_ci_lower_scaled": "rmsea.ci.lower.scaled",
    "rmsea_ci_upper_scaled": "rmsea.ci.upper.scaled",
    "rmsea_pvalue_scaled": "rmsea.pvalue.scaled",
    "cfi_robust": "cfi.robust",
    "tli_robust": "tli.robust",
    "rmsea_robust": "rmsea.robust",
    "rmsea_ci_lower_robust": "rmsea.ci.lower.robust",
    "rmsea_ci_upper_robust": "rmsea.ci.upper.robust",
    "rmsea_pvalue_robust": "rmsea.pvalue.robust",
}
CASES = [
    ("hs4_dwls", "hs_cat4.csv", HS, "DWLS", {}),
    ("hs4_wlsmv", "hs_cat4.csv", HS, "WLSMV", {}),
    ("hs5_dwls", "hs_cat5.csv", HS, "DWLS", {}),
    ("hs5_wlsmv", "hs_cat5.csv", HS, "WLSMV", {}),
    ("hs5_sem_wlsmv", "hs_cat5.csv", HS_SEM, "WLSMV", {}),
    ("hs4na_pairwise_wlsmv", "hs_cat4_na.csv", HS, "WLSMV", {"missing": "pairwise"}),
    ("hs4_mixed_wlsmv", "mixed", HS, "WLSMV", {"ordered": ITEMS[:6]}),
]


def _data(name: str) -> pd.DataFrame:
    """A reference data set; "mixed": hs_cat4's x1..x6 with the continuous x7..x9."""
    if name != "mixed":
        return pd.read_csv(REF / name)
    cont = pd.read_csv(REF.parent / "lavaan" / "HolzingerSwineford1939.csv")
    cat4 = pd.read_csv(REF / "hs_cat4.csv")
    return pd.concat([cat4[ITEMS[:6]], cont[ITEMS[6:]]], axis=1)


def _fit(data: pd.DataFrame, model: str, estimator: str, ordered=True, **kw):
    """fit_sem when it accepts the estimator, else the ordinal entry point it calls."""
    if estimator in ESTIMATORS:
        return fit_sem(data, model, estimator=estimator, ordered=ordered, **kw)
    return fit_ordinal(
        data,
        model,
        ordered=ordered,
        group=None,
        level=0.95,
        lang="en",
        max_iter=200,
        estimator=estimator,
        **kw,
    )


def _lavaan_fit(prefix: str) -> pd.Series:
    fm = pd.read_csv(REF / f"{prefix}_fit.csv").set_index("measure")["value"]
    extra = REF / f"{prefix}_test.csv"
    if extra.exists():
        fm = pd.concat([fm, pd.read_csv(extra).set_index("measure")["value"]])
    return fm


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    prefix, data_file, model, estimator, kw = request.param
    data = _data(data_file)
    res = _fit(data, model, estimator, **kw)
    assert res.n_excluded == 0 and res.n == len(data)
    return prefix, res, estimator


def test_parameters_match_lavaan(case):
    prefix, res, _est = case
    ref = pd.read_csv(REF / f"{prefix}_params.csv")
    fixed = ref.op.isin(["~1", "~*~"]) & (ref.se == 0)  # means 0, scales 1: not in csi
    ref = ref[~fixed].assign(rhs=ref["rhs"].fillna(""))
    both = res.estimates.merge(ref, on=["lhs", "op", "rhs"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    assert len(both) == len(res.estimates)
    for ours, theirs in (("estimate", "est"), ("se", "se_y"), ("std_all", "std.all")):
        col = "se_x" if ours == "se" else ours
        np.testing.assert_allclose(
            both[col], both[theirs], rtol=RTOL, atol=1e-8, err_msg=f"{prefix} {ours}"
        )


def test_fit_measures_match_lavaan(case):
    prefix, res, estimator = case
    lav = _lavaan_fit(prefix)
    ours = res.fit_indices
    reported = [k for k, v in ours.items() if np.isfinite(v) and k != "n"]
    missing = [k for k in reported if k not in FIT_MAP]
    assert not missing, f"csi reports measures the test does not compare: {missing}"
    for key in reported:
        assert ours[key] == pytest.approx(lav[FIT_MAP[key]], rel=RTOL), key
    scaled = {"chisq_scaled", "rmsea_scaled", "shift_parameter"}
    assert scaled <= set(reported) if estimator == "WLSMV" else not scaled & set(reported)
    # Savalei's robust indices where lavaan gives them (not for mixed items, nor DWLS)
    assert ("cfi_robust" in reported) == bool(np.isfinite(lav.get("cfi.robust", np.nan)))


def test_scaled_shifted_identity(case):
    """chisq_scaled = chisq / scaling_factor + shift (lavaan's definition)."""
    _prefix, res, estimator = case
    f = res.fit_indices
    if estimator == "DWLS":  # lavaan's plain test only
        assert "chisq_scaled" not in f and "scaling_factor" not in f
        return
    assert f["chisq_scaled"] == pytest.approx(
        f["chisq"] / f["scaling_factor"] + f["shift_parameter"], rel=1e-12
    )


def test_polychoric_statistics_and_gamma_match_lavaan():
    """Thresholds, polychorics and Muthen's casewise-score Gamma (lavInspect 'gamma')."""
    data = pd.read_csv(REF / "hs_cat4.csv")
    os_ = ordinal_stats(data[ITEMS].to_numpy() - 1)
    obs = pd.read_csv(REF / "hs4_wls_obs.csv")
    gamma = pd.read_csv(REF / "hs4_gamma.csv").to_numpy()
    tau = [k for k, lab in enumerate(os_.labels) if lab[0] == "tau"]
    rho = [k for k, lab in enumerate(os_.labels) if lab[0] == "rho"]
    names = [f"x{os_.labels[k][1] + 1}|t{os_.labels[k][2]}" for k in tau]
    names += [f"x{os_.labels[k][1] + 1}~~x{os_.labels[k][2] + 1}" for k in rho]
    assert names == obs["stat"].tolist()
    values = [os_.thresholds[os_.labels[k][1]][os_.labels[k][2]] for k in tau]
    values += [os_.corr[os_.labels[k][1], os_.labels[k][2]] for k in rho]
    np.testing.assert_allclose(values, obs["value"], atol=1e-7)
    order = tau + rho
    np.testing.assert_allclose(os_.gamma[np.ix_(order, order)], gamma, atol=1e-6)


def test_pairwise_uses_every_answer_and_listwise_counts_the_dropped():
    """hs_cat4_na: 301 rows; 43 + 28 + 23 - 4 - 3 - 2 = 85 with an unanswered item (the
    R script's NA pattern by inclusion-exclusion: r % 7 == 0, r % 11 == 3, r % 13 == 5)."""
    data = pd.read_csv(REF / "hs_cat4_na.csv")
    incomplete = int(data[ITEMS].isna().any(axis=1).sum())
    assert incomplete == 85
    listwise = _fit(data, HS, "WLSMV")
    assert (listwise.n, listwise.n_excluded) == (216, 85)
    assert listwise.diagnostics  # the excluded respondents are reported
    pairwise = _fit(data, HS, "WLSMV", missing="pairwise")
    assert (pairwise.n, pairwise.n_excluded) == (301, 0)
    # the caller's frame is not modified
    pd.testing.assert_frame_equal(data, pd.read_csv(REF / "hs_cat4_na.csv"))
    # pairwise on complete data is the complete-data fit
    full = pd.read_csv(REF / "hs_cat4.csv")
    a = _fit(full, HS, "WLSMV", missing="pairwise").estimates
    b = _fit(full, HS, "WLSMV").estimates
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-12)


def test_ordinal_refusals_name_the_option():
    data = pd.read_csv(REF / "hs_cat4.csv")
    with pytest.raises(CsiInputError, match="missing='fiml' is not available with ordinal"):
        _fit(data, HS, "WLSMV", missing="fiml")
    with pytest.raises(CsiInputError, match="'WLS'"):
        _fit(data, HS, "WLS")


MG_CASES = [
    ("hs4_mg_wlsmv", (), "hs_cat4.csv", "listwise"),
    ("hs4_mg_thr_load_wlsmv", ("thresholds", "loadings"), "hs_cat4.csv", "listwise"),
    ("hs4na_mg_pairwise_wlsmv", ("thresholds", "loadings"), "hs_cat4_na.csv", "pairwise"),
]


@pytest.fixture(scope="module", params=MG_CASES, ids=[c[0] for c in MG_CASES])
def mg_case(request):
    prefix, equal, data_file, missing = request.param
    data = pd.read_csv(REF / data_file)
    res = fit_ordinal(
        data,
        HS,
        ordered=True,
        group="school",
        group_equal=equal,
        missing=missing,
        level=0.95,
        lang="en",
        max_iter=200,
        estimator="WLSMV",
    )
    return prefix, res, list(pd.unique(data["school"])), bool(equal)


def test_multigroup_parameters_match_lavaan(mg_case):
    """Per group: loadings, factor (co)variances, error variances, thresholds, and with
    equal thresholds the free scale factors (~*~) and latent means of group 2."""
    prefix, res, labels, equal = mg_case
    assert res.groups == tuple(labels) and set(res.implied_cov) == set(labels)
    ref = pd.read_csv(REF / f"{prefix}_params.csv")
    ref["group"] = [labels[int(g) - 1] for g in ref["group"]]
    ref["rhs"] = ref["rhs"].fillna("")
    items = ref["lhs"].isin(ITEMS) & (ref["op"] == "~1")  # item intercepts: fixed 0
    ref = ref[~items]
    both = res.estimates.merge(ref, on=["group", "lhs", "op", "rhs"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    np.testing.assert_allclose(both["estimate"], both["est"], rtol=RTOL, atol=1e-8)
    np.testing.assert_allclose(both["se_x"], both["se_y"], rtol=RTOL, atol=1e-8)
    np.testing.assert_allclose(both["std_all"], both["std.all"], rtol=RTOL, atol=1e-8)
    np.testing.assert_allclose(both["std_lv"], both["std.lv"], rtol=RTOL, atol=1e-8)
    if equal:  # the constraints hold
        tau = res.estimates[res.estimates.op == "|"].pivot_table(
            index=["lhs", "rhs"], columns="group", values="estimate"
        )
        np.testing.assert_allclose(tau[labels[0]], tau[labels[1]], rtol=0, atol=0)


def test_multigroup_fit_measures_match_lavaan(mg_case):
    prefix, res, _labels, _equal = mg_case
    lav = _lavaan_fit(prefix)
    ours = res.fit_indices
    reported = [k for k, v in ours.items() if np.isfinite(v) and k != "n"]
    assert {"chisq_scaled", "cfi_scaled", "rmsea_scaled", "shift_parameter"} <= set(reported)
    # Savalei's robust indices only without cross-group constraints, as lavaan
    assert ("rmsea_robust" in reported) == bool(np.isfinite(lav["rmsea.robust"]))
    for key in reported:
        # p-values far below 1e-6 differ in relative terms by more than their statistics
        tol = {"abs": 1e-8} if key.startswith(("pvalue", "rmsea_pvalue")) else {}
        assert ours[key] == pytest.approx(lav[FIT_MAP[key]], rel=RTOL, **tol), key
    assert ours["n"] == 301


def test_unconstrained_groups_are_separate_fits():
    """Without constraints each group's estimates are its own single-group fit (standard
    errors differ only by lavaan's N / (N - G) versus N_g / (N_g - 1) Gamma rescaling)."""
    data = pd.read_csv(REF / "hs_cat4.csv")
    kw = {"ordered": True, "level": 0.95, "lang": "en", "max_iter": 200, "estimator": "WLSMV"}
    mg = fit_ordinal(data, HS, group="school", group_equal=(), **kw).estimates
    n, groups = len(data), 2
    for label in pd.unique(data["school"]):
        part = data[data["school"] == label]
        one = fit_ordinal(part, HS, group=None, **kw).estimates
        both = one.merge(mg[mg.group == label], on=["lhs", "op", "rhs"])
        assert len(both) == len(one)
        np.testing.assert_allclose(both["estimate_x"], both["estimate_y"], atol=1e-8)
        ng = len(part)
        ratio = np.sqrt(n / (n - groups) / (ng / (ng - 1)))
        free = both["se_x"] > 0
        np.testing.assert_allclose(both["se_y"][free], both["se_x"][free] * ratio, rtol=1e-6)


def test_multigroup_residual_correlations_match_lavaan(mg_case):
    """resid(fit, "cor"): each group's implied latent-response correlations have a unit
    diagonal (the residual variances derived from the scale factors), so the residual
    diagonal is 0 as in lavaan, and the off-diagonal entries equal lavaan's
    (``hs4_mg_thr_load_wlsmv_resid.csv``, made by ``make_residuals.R``)."""
    prefix, res, labels, _equal = mg_case
    for label in labels:
        implied = res.implied_cov[label].to_numpy()
        np.testing.assert_allclose(np.diag(implied), 1.0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(np.diag(res.residual_corr[label].to_numpy()), 0.0, atol=1e-12)
    if prefix != "hs4_mg_thr_load_wlsmv":
        return
    lav = pd.read_csv(REF / "hs4_mg_thr_load_wlsmv_resid.csv")
    for label in labels:
        ours = res.residual_corr[label]
        rows = lav[lav["group"] == label]
        got = [ours.loc[r, c] for r, c in zip(rows["row"], rows["col"], strict=True)]
        np.testing.assert_allclose(got, rows["value"], rtol=0, atol=2e-6)


def test_multigroup_refusals():
    data = pd.read_csv(REF / "hs_cat4.csv")
    kw = {"ordered": True, "level": 0.95, "lang": "en", "max_iter": 200, "estimator": "WLSMV"}
    with pytest.raises(CsiInputError, match=r"group_equal \['intercepts'\] is not available"):
        fit_ordinal(data, HS, group="school", group_equal=("intercepts",), **kw)
    with pytest.raises(CsiInputError, match="need group_equal= passed on"):
        fit_ordinal(data, HS, group="school", **kw)  # never silently unconstrained
    with pytest.raises(CsiInputError, match="group_equal needs a group column"):
        fit_ordinal(data, HS, group=None, group_equal=("loadings",), **kw)
    sparse = data.copy()
    sparse.loc[(sparse["school"] == "Pasteur") & (sparse["x3"] == 4), "x3"] = 3
    with pytest.raises(CsiInputError, match=r"'x3' has no answer in category 4 .* 'Pasteur'"):
        fit_ordinal(sparse, HS, group="school", group_equal=(), **kw)


def test_mixed_statistics_and_gamma_match_lavaan():
    """Thresholds, means, variances, polychoric / polyserial / covariance entries and
    their Gamma for x1..x6 ordinal with x7..x9 continuous (lavaan lists minus the mean)."""
    from csi.sem.ordinal_mixed import mixed_stats

    data = _data("mixed")
    values = data.to_numpy(dtype=float)
    values[:, :6] -= 1
    os_ = mixed_stats(values, np.array([True] * 6 + [False] * 3))
    obs = pd.read_csv(REF / "hs4_mixed_wls_obs.csv")
    gamma = pd.read_csv(REF / "hs4_mixed_gamma.csv").to_numpy()

    def name(lab):
        kind, i, j = lab
        return {
            "tau": f"x{i + 1}|t{j}",
            "mean": f"x{i + 1}~1",
            "var": f"x{i + 1}~~x{i + 1}",
            "rho": f"x{i + 1}~~x{j + 1}",
        }[kind]

    names = [name(lab) for lab in os_.labels]
    order = [names.index(s) for s in obs["stat"]]
    sign = np.array([-1.0 if os_.labels[k][0] == "mean" else 1.0 for k in order])
    values_ours = []
    for k in order:
        kind, i, j = os_.labels[k]
        if kind == "tau":
            values_ours.append(os_.thresholds[i][j])
        elif kind == "mean":
            values_ours.append(-os_.means[i])
        else:
            values_ours.append(os_.corr[i, j])
    np.testing.assert_allclose(values_ours, obs["value"], atol=1e-7)
    ours = os_.gamma[np.ix_(order, order)] * np.outer(sign, sign)
    np.testing.assert_allclose(ours, gamma, atol=1e-6)
