"""Every wide view of a result is a pivot of its one long parameter table (issue 14).

Issue 14 asks for "one long parameter table per result, lavaan orientation, with a group
column for multi-group fits, for PLS and CB-SEM alike; wide views derive from it". Here
each wide view a result exposes is rebuilt from ``parameter_table()`` by pandas in the
test (filter one operator, rename ``lhs``/``rhs``, pivot) and compared with the view.

The orientation itself is checked against outside results, not against csi:

* PLS (ECSI model on mobi): the ``~`` rows, read as ``lhs`` = outcome and ``rhs`` =
  predictor, must give SmartPLS 2.0's path coefficients, the ``<~`` and ``=~`` rows
  (``lhs`` = construct, ``rhs`` = item) its outer weights and own-construct loadings
  (``tests/reference/smartpls_ecsi/path/``, 1e-5 as in ``test_pls_golden``); the label
  pairs must be those of the model files ``ecsi_measurement.csv`` and
  ``ecsi_structural.csv``.
* CB-SEM: the rows must give lavaan 0.6's ``parameterEstimates`` (PoliticalDemocracy:
  ``tests/reference/lavaan/pd_sem_params.csv``) and ``standardizedSolution``
  (Holzinger-Swineford by school: ``tests/reference/lavaan_std/hs_mg_stdall.csv``) by
  ``lhs, op, rhs`` (and group), and ``r2`` lavaan's ``inspect(fit, "r2")``.

A view and the long table hold the same floating-point numbers (both are read from the
same fit), so they are compared exactly; the outside results to their printed accuracy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csi
from csi.spec import ModelSpec
from lavaan_models import HS, PD

SMARTPLS_TOL = 1e-5
LAVAAN_TOL = 1e-4  # lavaan's estimates vs csi's optimum (as the other lavaan tests)

#: PLS operator -> (wide view attribute, its lhs column, its rhs column, its value column)
PLS_VIEWS = {
    "=~": ("loadings", "construct", "indicator", "estimate"),
    "<~": ("outer_weights", "construct", "indicator", "estimate"),
    "~": ("path_coefficients", "target", "source", "estimate"),
}
#: PLS operator -> the ``kind`` of a bootstrap or group-comparison table
PLS_KINDS = {"=~": "loading", "<~": "outer_weight", "~": "path", "r2": "r2"}


def _rows(long: pd.DataFrame, op: str) -> pd.DataFrame:
    return long[long["op"] == op].reset_index(drop=True)


def _same_rows(view: pd.DataFrame, derived: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outer merge of a view and the rows derived from the long table: every key in both,
    once each; returns the merged frame (view columns ``_view``, derived ``_long``)."""
    assert not view.duplicated(keys).any() and not derived.duplicated(keys).any()
    merged = view.merge(derived, on=keys, how="outer", suffixes=("_view", "_long"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    assert len(merged) == len(view) == len(derived)
    return merged


# ------------------------------------------------------------------------ PLS
@pytest.fixture(scope="module")
def pls(mobi: pd.DataFrame, ecsi: ModelSpec) -> csi.PLSResult:
    return csi.fit_pls(mobi, ecsi, scale=(1, 10))


@pytest.fixture(scope="module")
def pls_long(pls: csi.PLSResult) -> pd.DataFrame:
    return pls.parameter_table()


def test_pls_long_table_has_the_model_pairs_in_lavaan_orientation(pls_long, reference):
    measurement = pd.read_csv(reference("ecsi_measurement.csv"))
    structural = pd.read_csv(reference("ecsi_structural.csv"))
    assert list(pls_long.columns) == ["lhs", "op", "rhs", "estimate"]
    assert set(pls_long["op"]) == {"=~", "<~", "~", "r2"}
    items = set(zip(measurement["construct"], measurement["indicator"], strict=True))
    for op in ("=~", "<~"):
        rows = _rows(pls_long, op)
        assert set(zip(rows["lhs"], rows["rhs"], strict=True)) == items
        assert len(rows) == len(items)
    paths = _rows(pls_long, "~")
    # lhs is the outcome: (target, source) pairs of the model file
    assert set(zip(paths["lhs"], paths["rhs"], strict=True)) == set(
        zip(structural["target"], structural["source"], strict=True)
    )
    r2 = _rows(pls_long, "r2")
    assert (r2["lhs"] == r2["rhs"]).all()
    assert set(r2["lhs"]) == set(structural["target"])


def test_pls_long_table_matches_smartpls_by_lhs_op_rhs(pls_long, reference):
    folder = ("smartpls_ecsi", "path")
    paths = pd.read_csv(reference(*folder, "path_coefficients.csv"))
    weights = pd.read_csv(reference(*folder, "outer_weights.csv"))
    cross = pd.read_csv(reference(*folder, "cross_loadings.csv"))
    expected = {
        "~": paths.rename(columns={"target": "lhs", "source": "rhs"}),
        "<~": weights.rename(columns={"construct": "lhs", "indicator": "rhs"}),
        # SmartPLS lists every item x construct; the own construct's are the loadings
        "=~": cross.rename(columns={"construct": "lhs", "indicator": "rhs"}),
    }
    for op, ref in expected.items():
        mine = _rows(pls_long, op)
        merged = mine.merge(ref[["lhs", "rhs", "value"]], on=["lhs", "rhs"], how="left")
        assert merged["value"].notna().all(), (op, merged[merged["value"].isna()])
        assert np.abs(merged["estimate"] - merged["value"]).max() < SMARTPLS_TOL, op


@pytest.mark.parametrize("op", sorted(PLS_VIEWS))
def test_pls_wide_view_is_the_long_table_rows(pls, pls_long, op):
    view_name, left, right, value = PLS_VIEWS[op]
    view = getattr(pls, view_name)
    derived = _rows(pls_long, op).rename(columns={"lhs": left, "rhs": right, "estimate": value})
    merged = _same_rows(view, derived[[left, right, value]], [left, right])
    np.testing.assert_array_equal(merged[f"{value}_view"], merged[f"{value}_long"])


HIGHER_ORDER = """
Expectation  =~ EXP1 + EXP2 + EXP3
Product      =~ QUAL1 + QUAL2
Service      =~ QUAL3 + QUAL4 + QUAL5
Quality      =~ Product + Service
Satisfaction =~ SAT1 + SAT2 + SAT3
Quality      ~ Expectation
Satisfaction ~ Expectation + Quality
"""
INTERACTION = """
Expectation  =~ EXP1 + EXP2 + EXP3
Quality      =~ QUAL1 + QUAL2 + QUAL3 + QUAL4 + QUAL5
Satisfaction =~ SAT1 + SAT2 + SAT3
Satisfaction ~ Expectation + Quality + Quality:Expectation
"""


@pytest.fixture(scope="module")
def sample_data() -> pd.DataFrame:
    return csi.load_sample().public_data(all_respondents=True)


def _other_fit(kind: str, mobi: pd.DataFrame, ecsi: ModelSpec, data: pd.DataFrame):
    from csi.pls import fit_higher_order

    if kind == "plsc":
        return csi.fit_pls(mobi, ecsi, consistent=True)
    if kind == "centroid":
        return csi.fit_pls(mobi, ecsi, scheme="centroid")
    if kind == "interaction":
        return csi.fit_pls(data, INTERACTION, scale=(1, 10))
    method = {"two_stage": "two_stage", "repeated": "repeated_indicators"}[kind]
    return fit_higher_order(data, HIGHER_ORDER, method=method, scale=(1, 10))


@pytest.mark.parametrize("kind", ["plsc", "centroid", "interaction", "two_stage", "repeated"])
def test_other_pls_fits_views_are_their_long_table_rows(kind, mobi, ecsi, sample_data):
    """PLSc, another scheme, a two-stage interaction and both higher-order methods (their
    results override some views, e.g. a repeated indicator's name) keep views and table
    in step."""
    fit = _other_fit(kind, mobi, ecsi, sample_data)
    long = fit.parameter_table()
    for op, (view_name, left, right, value) in PLS_VIEWS.items():
        view = getattr(fit, view_name)
        derived = _rows(long, op).rename(columns={"lhs": left, "rhs": right})
        merged = _same_rows(view, derived[[left, right, value]], [left, right])
        np.testing.assert_array_equal(merged[f"{value}_view"], merged[f"{value}_long"], err_msg=op)
    r2 = _rows(long, "r2").set_index("lhs")["estimate"]
    view = fit.r2.set_index("construct")["r2"]
    assert set(r2.index) == set(view.index)
    np.testing.assert_array_equal(view.to_numpy(), r2.loc[view.index].to_numpy())


def test_pls_path_matrix_is_a_pivot_of_the_long_table(pls, pls_long):
    from_long = _rows(pls_long, "~").pivot(index="rhs", columns="lhs", values="estimate")
    from_view = pls.path_coefficients.pivot(index="source", columns="target", values="estimate")
    from_long = from_long.rename_axis(index="source", columns="target")
    pd.testing.assert_frame_equal(
        from_view.sort_index().sort_index(axis=1), from_long.sort_index().sort_index(axis=1)
    )


def test_pls_total_and_indirect_effects_derive_from_the_long_table_paths(pls, pls_long):
    """Total effects ``(I - B)^-1 - I`` with ``B[s, t]`` the ``~`` row ``lhs=t, rhs=s``."""
    paths = _rows(pls_long, "~")
    names = sorted(set(paths["lhs"]) | set(paths["rhs"]))
    b = (
        paths.pivot(index="rhs", columns="lhs", values="estimate")
        .reindex(index=names, columns=names)
        .fillna(0.0)
        .to_numpy()
    )
    total = np.linalg.inv(np.eye(len(names)) - b) - np.eye(len(names))
    for view, matrix in ((pls.total_effects, total), (pls.indirect_effects, total - b)):
        src = [names.index(s) for s in view["source"]]
        tgt = [names.index(t) for t in view["target"]]
        np.testing.assert_allclose(view["estimate"], matrix[src, tgt], rtol=1e-12, atol=1e-14)
        # and the view lists exactly the pairs with a route (nonzero entries here)
        assert len(view) == int((np.abs(matrix) > 1e-12).sum())


def test_pls_r2_view_is_the_long_table_r2_rows(pls, pls_long):
    long_r2 = _rows(pls_long, "r2").set_index("lhs")["estimate"]
    view = pls.r2.set_index("construct")["r2"]
    assert set(view.index) == set(long_r2.index)
    np.testing.assert_array_equal(view.to_numpy(), long_r2.loc[view.index].to_numpy())
    # r2_adj is not in the long table; it is R² adjusted with n and the predictors
    k = _rows(pls_long, "~").groupby("lhs").size().loc[view.index].to_numpy()
    n = pls.n
    adjusted = 1 - (1 - view.to_numpy()) * (n - 1) / (n - k - 1)
    np.testing.assert_allclose(pls.r2["r2_adj"].to_numpy(), adjusted, rtol=1e-13)


def test_pls_bootstrap_views_are_the_long_table_with_inference(pls):
    boot = pls.bootstrap(n=200, seed=1)
    long = pls.parameter_table(boot)
    columns = ["estimate", "se", "t", "pvalue", "ci_lower", "ci_upper"]
    assert list(long.columns) == ["lhs", "op", "rhs", *columns[:1], *columns[1:]]
    labels = {
        "=~": ("construct", "indicator"),
        "<~": ("construct", "indicator"),
        "~": ("target", "source"),
        "r2": ("construct", None),
    }
    for op, (left, right) in labels.items():
        view = boot.select(PLS_KINDS[op])
        rows = _rows(long, op)
        if right is None:
            assert (rows["lhs"] == rows["rhs"]).all()
            derived = rows.drop(columns=["op", "rhs"]).rename(columns={"lhs": left})
            keys = [left]
        else:
            derived = rows.drop(columns="op").rename(columns={"lhs": left, "rhs": right})
            keys = [left, right]
        merged = _same_rows(view[[*keys, *columns]], derived[[*keys, *columns]], keys)
        for column in columns[1:]:
            np.testing.assert_array_equal(
                merged[f"{column}_view"], merged[f"{column}_long"], err_msg=f"{op} {column}"
            )
        # the estimate column is the fit's own (exact: see the next test)
        np.testing.assert_allclose(
            merged["estimate_view"], merged["estimate_long"], rtol=0, atol=1e-13, err_msg=op
        )
    assert long["se"].notna().all()


def test_pls_bootstrap_estimate_column_is_exactly_the_fits(pls, pls_long):
    """The bootstrap table's estimate for paths, weights, loadings and R² is the fit's own
    value (its full-sample re-estimate differed by ~8e-16 on mobi before)."""
    boot = pls.bootstrap(n=20, seed=1)
    for op, (_, left, right, value) in PLS_VIEWS.items():
        view = boot.select(PLS_KINDS[op])
        derived = _rows(pls_long, op).rename(columns={"lhs": left, "rhs": right})
        merged = _same_rows(
            view[[left, right, value]], derived[[left, right, value]], [left, right]
        )
        np.testing.assert_array_equal(merged[f"{value}_view"], merged[f"{value}_long"], err_msg=op)


@pytest.fixture(scope="module")
def two_groups(mobi: pd.DataFrame) -> pd.DataFrame:
    return mobi.assign(grp=np.where(np.arange(len(mobi)) % 2 == 0, "even", "odd"))


def test_pls_group_comparison_views_are_pivots_of_the_group_long_table(two_groups, ecsi):
    comparison = csi.compare_groups(two_groups, ecsi, "grp", n=50, seed=1, scale=(1, 10))
    long = csi.parameter_table(comparison)
    pd.testing.assert_frame_equal(comparison.parameter_table(), long)  # the thin method
    assert list(long.columns) == ["group", "lhs", "op", "rhs", "estimate"]
    assert list(dict.fromkeys(long["group"])) == list(comparison.groups)
    wide = long.pivot_table(
        index=["op", "lhs", "rhs"], columns="group", values="estimate", aggfunc="first"
    )
    group_a, group_b = comparison.groups
    for op, kind in PLS_KINDS.items():
        view = comparison.select(kind)
        if op == "~":
            keys = view[["target", "source"]].to_numpy()
        elif op == "r2":
            keys = view[["construct", "construct"]].to_numpy()
        else:
            keys = view[["construct", "indicator"]].to_numpy()
        index = pd.MultiIndex.from_tuples([(op, lhs, rhs) for lhs, rhs in keys])
        assert len(index) == len(wide.loc[op])
        np.testing.assert_array_equal(wide.loc[index, group_a], view["estimate_a"], err_msg=op)
        np.testing.assert_array_equal(wide.loc[index, group_b], view["estimate_b"], err_msg=op)


def test_pls_group_rows_are_each_group_fitted_alone(two_groups, ecsi):
    """The group rows of the long table equal separate fits of each group's respondents."""
    fits = {
        g: csi.fit_pls(two_groups[two_groups["grp"] == g].drop(columns="grp"), ecsi)
        for g in ("even", "odd")
    }
    long = csi.parameter_table(fits)
    assert list(long.columns) == ["group", "lhs", "op", "rhs", "estimate"]
    comparison = csi.compare_groups(two_groups, ecsi, "grp", n=20, seed=1)
    from_comparison = csi.parameter_table(comparison)
    keys = ["group", "lhs", "op", "rhs"]
    merged = _same_rows(long, from_comparison, keys)
    np.testing.assert_allclose(merged["estimate_view"], merged["estimate_long"], atol=1e-10)
    for g, fit in fits.items():
        rows = long[long["group"] == g].drop(columns="group")
        for op, (view_name, left, right, value) in PLS_VIEWS.items():
            derived = _rows(rows, op).rename(columns={"lhs": left, "rhs": right})
            merged = _same_rows(
                getattr(fit, view_name), derived[[left, right, value]], [left, right]
            )
            np.testing.assert_array_equal(merged[f"{value}_view"], merged[f"{value}_long"])


# --------------------------------------------------------------------- CB-SEM
def _lavaan_pairs(syntax: str, op: str) -> set[tuple[str, str]]:
    """(lhs, rhs) pairs written with ``op`` in lavaan syntax, read by hand."""
    pairs = set()
    for line in syntax.strip().splitlines():
        if f" {op} " not in line:
            continue
        lhs, rhs = (part.strip() for part in line.split(f" {op} "))
        pairs |= {(lhs, term.strip()) for term in rhs.split("+")}
    return pairs


def _r2_from_long(long: pd.DataFrame, names) -> pd.Series:
    """R² as ``1 - std_all`` of each variable's own (residual) variance row."""
    own = long[(long["op"] == "~~") & (long["lhs"] == long["rhs"])].set_index("lhs")
    return 1 - own.loc[list(names), "std_all"]


@pytest.fixture(scope="module")
def political(reference) -> csi.SEMResult:
    return csi.fit_sem(pd.read_csv(reference("lavaan", "PoliticalDemocracy.csv")), PD)


def test_sem_long_table_is_lavaan_oriented(political, reference):
    long = political.parameter_table()
    assert list(long.columns[:3]) == ["lhs", "op", "rhs"]
    paths = _rows(long, "~")
    assert set(zip(paths["lhs"], paths["rhs"], strict=True)) == _lavaan_pairs(PD, "~")
    assert _lavaan_pairs(PD, "~") == {("dem60", "ind60"), ("dem65", "ind60"), ("dem65", "dem60")}
    loadings = _rows(long, "=~")
    assert set(zip(loadings["lhs"], loadings["rhs"], strict=True)) == _lavaan_pairs(PD, "=~")
    ref = pd.read_csv(reference("lavaan", "pd_sem_params.csv"))
    merged = long.merge(ref, on=["lhs", "op", "rhs"], how="inner", validate="one_to_one")
    assert len(merged) == len(ref) == len(long)
    for mine, theirs in (("estimate", "est"), ("std_all", "std.all"), ("std_lv", "std.lv")):
        np.testing.assert_allclose(merged[mine], merged[theirs], atol=LAVAAN_TOL, err_msg=mine)


def test_sem_parameter_table_is_the_estimates_view_and_a_copy(political):
    long = political.parameter_table()
    pd.testing.assert_frame_equal(long, political.estimates)
    long.loc[0, "estimate"] = -99.0
    assert political.estimates.loc[0, "estimate"] != -99.0


def test_sem_r2_view_is_one_minus_the_standardized_residual_variances(political, reference):
    long = political.parameter_table()
    derived = _r2_from_long(long, political.r2.index)
    np.testing.assert_allclose(political.r2.to_numpy(), derived.to_numpy(), rtol=1e-12, atol=1e-14)
    # every endogenous variable: the items and the outcomes of "~"
    endogenous = {rhs for _, rhs in _lavaan_pairs(PD, "=~")} | {
        lhs for lhs, _ in _lavaan_pairs(PD, "~")
    }
    assert set(political.r2.index) == endogenous
    lavaan = pd.read_csv(reference("lavaan", "pd_sem_r2.csv")).set_index("variable")["r2"]
    np.testing.assert_allclose(political.r2.loc[lavaan.index], lavaan, atol=LAVAAN_TOL)


def test_sem_direct_effects_view_is_the_regression_rows(political):
    long = political.parameter_table()
    direct = political.effects[political.effects["effect"] == "direct"].drop(columns="effect")
    columns = [c for c in direct.columns if c not in ("source", "target")]
    assert {"estimate", "se", "std_all", "std_all_se"} <= set(columns)
    derived = _rows(long, "~").rename(columns={"lhs": "target", "rhs": "source"})
    merged = _same_rows(direct, derived[["source", "target", *columns]], ["source", "target"])
    for column in columns:
        np.testing.assert_allclose(
            merged[f"{column}_view"],
            merged[f"{column}_long"],
            rtol=1e-12,
            atol=1e-14,
            err_msg=column,
        )


def test_sem_multigroup_direct_effects_view_is_the_regression_rows_per_group():
    sim = csi.simulate_csi(400, seed=5)
    spec = csi.ModelSpec.acsi(indicators=dict(sim.roles))
    res = csi.fit_sem(sim.data, spec, group="wave")
    long = res.parameter_table()
    assert list(long.columns[:4]) == ["group", "lhs", "op", "rhs"]
    assert len(res.groups) == 2
    direct = res.effects[res.effects["effect"] == "direct"].drop(columns="effect")
    columns = [c for c in direct.columns if c not in ("group", "source", "target")]
    derived = _rows(long, "~").rename(columns={"lhs": "target", "rhs": "source"})
    # the model's paths, outcome on the left: (target, source) of every "~" row per group
    for group in res.groups:
        mine = derived[derived["group"] == group]
        assert set(zip(mine["source"], mine["target"], strict=True)) == set(spec.paths)
    keys = ["group", "source", "target"]
    # the effects table lists every pair joined by a route; a pair with no path of its own
    # (only indirect routes) has a direct effect of 0 and no "~" row
    has_path = direct.merge(derived[keys], on=keys, how="left", indicator=True)["_merge"]
    no_path = direct[(has_path == "left_only").to_numpy()]
    assert len(no_path) > 0 and (no_path["estimate"] == 0).all()
    assert (no_path["std_all"] == 0).all()
    direct = direct[(has_path == "both").to_numpy()]
    merged = _same_rows(direct, derived[[*keys, *columns]], keys)
    for column in columns:
        np.testing.assert_allclose(
            merged[f"{column}_view"],
            merged[f"{column}_long"],
            rtol=1e-12,
            atol=1e-14,
            err_msg=column,
        )


@pytest.fixture(scope="module")
def schools(reference) -> csi.SEMResult:
    hs = pd.read_csv(reference("lavaan", "HolzingerSwineford1939.csv"))
    return csi.fit_sem(hs, HS, group="school")


def test_sem_multigroup_long_table_has_group_first_and_matches_lavaan(schools, reference):
    long = schools.parameter_table()
    assert list(long.columns[:4]) == ["group", "lhs", "op", "rhs"]
    assert list(dict.fromkeys(long["group"])) == list(schools.groups)
    for group in schools.groups:
        loadings = _rows(long[long["group"] == group], "=~")
        assert set(zip(loadings["lhs"], loadings["rhs"], strict=True)) == _lavaan_pairs(HS, "=~")
    # lavaan writes no rhs for ~1 (intercept) rows; csi writes ""
    ref = pd.read_csv(reference("lavaan_std", "hs_mg_stdall.csv"), keep_default_na=False)
    ref["est.std"] = pd.to_numeric(ref["est.std"])
    # lavaan numbers groups in order of appearance, as csi orders them
    ref["group"] = [schools.groups[g - 1] for g in ref["group"]]
    merged = long.merge(ref, on=["group", "lhs", "op", "rhs"], how="inner", validate="one_to_one")
    assert len(merged) == len(ref) == len(long)
    np.testing.assert_allclose(merged["std_all"], merged["est.std"], atol=LAVAAN_TOL)


def test_sem_multigroup_r2_view_is_a_pivot_of_the_long_table(schools):
    long = schools.parameter_table()
    r2 = schools.r2
    assert list(r2.columns) == list(schools.groups)
    own = long[(long["op"] == "~~") & (long["lhs"] == long["rhs"])]
    derived = own.assign(r2=1 - own["std_all"]).pivot(index="lhs", columns="group", values="r2")
    derived = derived.loc[r2.index, list(r2.columns)]
    np.testing.assert_allclose(r2.to_numpy(), derived.to_numpy(), rtol=1e-12, atol=1e-14)
    assert set(r2.index) == {rhs for _, rhs in _lavaan_pairs(HS, "=~")}
