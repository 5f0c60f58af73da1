"""The long PLS parameter table (lavaan orientation): by hand, round trips, properties."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.pls import fit_pls
from csi.pls.mga import compare_groups
from csi.pls.parameters import INFERENCE_COLUMNS, PARAMETER_COLUMNS, parameter_table
from csi.spec import ModelSpec

MODEL = """
A =~ a1 + a2 + a3
B =~ b1 + b2
C =~ c1 + c2 + c3
B ~ A
C ~ A + B
"""


def simulated(n: int, seed: int) -> pd.DataFrame:
    """Items of A -> B -> C (and A -> C) with known loadings; a text column on the side."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = 0.5 * a + np.sqrt(0.75) * rng.standard_normal(n)
    c = 0.3 * a + 0.4 * b + 0.8 * rng.standard_normal(n)
    cols = {}
    for name, eta, lams in (
        ("a", a, (0.8, 0.7, 0.75)),
        ("b", b, (0.85, 0.8)),
        ("c", c, (0.9, 0.8, 0.7)),
    ):
        for k, lam in enumerate(lams, start=1):
            cols[f"{name}{k}"] = lam * eta + np.sqrt(1 - lam**2) * rng.standard_normal(n)
    frame = pd.DataFrame(cols)
    frame["region"] = np.where(np.arange(n) % 2 == 0, "north", "south")
    return frame


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulated(240, seed=11)


@pytest.fixture(scope="module")
def result(data: pd.DataFrame):  # type: ignore[no-untyped-def]
    return fit_pls(data, MODEL)


def _rows(table: pd.DataFrame, op: str) -> pd.DataFrame:
    return table[table["op"] == op].reset_index(drop=True)


def test_columns_and_operators(result) -> None:  # type: ignore[no-untyped-def]
    table = result.parameter_table()
    assert tuple(table.columns) == PARAMETER_COLUMNS
    assert list(dict.fromkeys(table["op"])) == ["=~", "<~", "~", "r2"]
    assert table["estimate"].dtype == np.float64
    # 8 items -> 8 loadings and 8 weights; 3 paths; 2 endogenous constructs
    assert table["op"].value_counts().to_dict() == {"=~": 8, "<~": 8, "~": 3, "r2": 2}


def test_paths_have_the_outcome_on_the_left(result) -> None:  # type: ignore[no-untyped-def]
    table = result.parameter_table()
    paths = _rows(table, "~")
    wide = result.path_coefficients
    # lavaan: "C ~ A + B" -> rows (C, ~, A) and (C, ~, B); the wide table has source, target
    assert list(zip(paths["lhs"], paths["rhs"], strict=True)) == [
        ("B", "A"),
        ("C", "A"),
        ("C", "B"),
    ]
    assert list(paths["lhs"]) == list(wide["target"])
    assert list(paths["rhs"]) == list(wide["source"])
    np.testing.assert_array_equal(paths["estimate"], wide["estimate"])


def test_measurement_rows_have_the_construct_on_the_left(result) -> None:  # type: ignore[no-untyped-def]
    table = result.parameter_table()
    for op, wide in (("=~", result.loadings), ("<~", result.outer_weights)):
        rows = _rows(table, op)
        assert list(rows["lhs"]) == list(wide["construct"])
        assert list(rows["rhs"]) == list(wide["indicator"])
        np.testing.assert_array_equal(rows["estimate"], wide["estimate"])
    r2 = _rows(table, "r2")
    assert list(r2["lhs"]) == list(r2["rhs"]) == ["B", "C"]
    np.testing.assert_array_equal(r2["estimate"], result.r2["r2"])


def test_values_by_hand(data: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    """Scores from the table's own weights (standardised items), then correlations and OLS."""
    table = result.parameter_table()
    weights = _rows(table, "<~")
    z = (data[list(weights["rhs"])] - data[list(weights["rhs"])].mean()) / data[
        list(weights["rhs"])
    ].std(ddof=1)
    scores = {
        c: z[list(w["rhs"])].to_numpy() @ w["estimate"].to_numpy()
        for c, w in weights.groupby("lhs", sort=False)
    }
    for s in scores.values():
        assert np.std(s, ddof=1) == pytest.approx(1.0, abs=1e-9)  # unit-variance scores
    loadings = _rows(table, "=~")
    for lhs, rhs, est in loadings[["lhs", "rhs", "estimate"]].itertuples(index=False):
        assert est == pytest.approx(np.corrcoef(data[rhs], scores[lhs])[0, 1], abs=1e-9)
    # B ~ A: one predictor, the path is the score correlation and R² its square
    r_ab = np.corrcoef(scores["A"], scores["B"])[0, 1]
    paths = _rows(table, "~").set_index(["lhs", "rhs"])["estimate"]
    assert paths[("B", "A")] == pytest.approx(r_ab, abs=1e-9)
    # C ~ A + B: least squares on the standardised scores
    X = np.column_stack([scores["A"], scores["B"]])
    beta, *_ = np.linalg.lstsq(X, scores["C"], rcond=None)
    assert paths[("C", "A")] == pytest.approx(beta[0], abs=1e-9)
    assert paths[("C", "B")] == pytest.approx(beta[1], abs=1e-9)
    r2 = _rows(table, "r2").set_index("lhs")["estimate"]
    assert r2["B"] == pytest.approx(r_ab**2, abs=1e-9)
    fitted = X @ beta
    assert r2["C"] == pytest.approx(np.var(fitted) / np.var(scores["C"]), abs=1e-9)


def test_round_trip_to_the_model_and_the_wide_tables(result) -> None:  # type: ignore[no-untyped-def]
    table = result.parameter_table()
    lines = [
        f"{c} =~ {' + '.join(rows['rhs'])}"
        for c, rows in _rows(table, "=~").groupby("lhs", sort=False)
    ]
    lines += [
        f"{t} ~ {' + '.join(rows['rhs'])}"
        for t, rows in _rows(table, "~").groupby("lhs", sort=False)
    ]
    again = ModelSpec.from_lavaan("\n".join(lines))
    assert again.indicators == result.spec.indicators
    assert set(again.paths) == set(result.spec.paths)
    paths = _rows(table, "~").rename(columns={"lhs": "target", "rhs": "source"})
    back = paths[["source", "target", "estimate"]]
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True), result.path_coefficients, check_dtype=False
    )


def test_to_frame_is_the_parameter_table(result) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(result.to_frame(), result.parameter_table())
    assert result.to_frame() is not result.to_frame()  # a new frame each call


def test_bootstrap_columns_match_the_bootstrap_table(result) -> None:  # type: ignore[no-untyped-def]
    boot = result.bootstrap(60, seed=4)
    table = parameter_table(result, boot)
    assert tuple(table.columns) == (*PARAMETER_COLUMNS, *INFERENCE_COLUMNS)
    pd.testing.assert_frame_equal(table[list(PARAMETER_COLUMNS)], result.parameter_table())
    bt = boot.table
    row = bt[(bt["kind"] == "path") & (bt["source"] == "A") & (bt["target"] == "C")].iloc[0]
    mine = table[(table["op"] == "~") & (table["lhs"] == "C") & (table["rhs"] == "A")].iloc[0]
    for col in INFERENCE_COLUMNS:
        assert mine[col] == row[col]
    row = bt[(bt["kind"] == "outer_weight") & (bt["indicator"] == "b2")].iloc[0]
    mine = table[(table["op"] == "<~") & (table["rhs"] == "b2")].iloc[0]
    assert mine["lhs"] == "B" and mine["se"] == row["se"] and mine["pvalue"] == row["pvalue"]
    row = bt[(bt["kind"] == "r2") & (bt["construct"] == "C")].iloc[0]
    mine = table[(table["op"] == "r2") & (table["lhs"] == "C")].iloc[0]
    assert mine["ci_lower"] == row["ci_lower"] and mine["ci_upper"] == row["ci_upper"]
    assert table["se"].notna().all()


def test_multi_group_tables_have_the_group_first(data: pd.DataFrame) -> None:
    fits = {g: fit_pls(part, MODEL) for g, part in data.groupby("region")}
    table = parameter_table(fits)
    assert tuple(table.columns) == ("group", *PARAMETER_COLUMNS)
    assert list(dict.fromkeys(table["group"])) == ["north", "south"]
    south = table[table["group"] == "south"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(south, fits["south"].parameter_table())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comparison = compare_groups(data, MODEL, "region", n=20, seed=2)
    long = parameter_table(comparison)
    assert tuple(long.columns) == ("group", *PARAMETER_COLUMNS)
    wide = comparison.table
    path = wide[(wide["kind"] == "path") & (wide["source"] == "B") & (wide["target"] == "C")]
    for group, column in zip(comparison.groups, ("estimate_a", "estimate_b"), strict=True):
        mine = long[(long["group"] == group) & (long["op"] == "~") & (long["lhs"] == "C")]
        assert float(mine.loc[mine["rhs"] == "B", "estimate"].iloc[0]) == float(
            path[column].iloc[0]
        )
    # each group's own fit: the comparison's estimates are those of fit_pls on the group
    own = fits[comparison.groups[0]].parameter_table()
    first = long[long["group"] == comparison.groups[0]].drop(columns="group")
    merged = first.merge(own, on=["lhs", "op", "rhs"], suffixes=("", "_own"))
    assert len(merged) == len(own)
    np.testing.assert_allclose(merged["estimate"], merged["estimate_own"], atol=1e-10)


def test_bad_input_is_refused(result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CsiInputError, match="PLS result"):
        parameter_table(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(CsiInputError, match="BootstrapResult"):
        parameter_table(result, boot=object())
    with pytest.raises(CsiInputError, match="single fit"):
        parameter_table({"a": result}, boot=object())
    with pytest.raises(CsiInputError, match="empty"):
        parameter_table({})


@settings(
    max_examples=12,
    deadline=None,
)
@given(order=st.permutations(list(range(9))), seed=st.integers(0, 3))
def test_column_order_of_the_data_does_not_change_the_table(order: list[int], seed: int) -> None:
    data = simulated(120, seed=seed)
    shuffled = data[[data.columns[k] for k in order]]
    pd.testing.assert_frame_equal(
        fit_pls(shuffled, MODEL).parameter_table(),
        fit_pls(data, MODEL).parameter_table(),
        check_exact=True,
    )


def test_pls_and_sem_tables_share_one_orientation() -> None:
    """The same model by PLS and CB-SEM: one long table layout, rows matched by lhs op rhs."""
    from csi.datasets import simulate_csi
    from csi.sem import fit_sem

    sim = simulate_csi(400, seed=11)
    spec = ModelSpec.acsi(indicators=sim.roles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sem = fit_sem(sim.data, spec).parameter_table()
    pls = fit_pls(sim.data, spec).parameter_table()
    keys = ["lhs", "op", "rhs"]
    # every PLS path and loading is a row of the lavaan table with the same orientation
    for op in ("~", "=~"):
        p_rows = set(map(tuple, pls.loc[pls["op"] == op, keys].to_numpy()))
        s_rows = set(map(tuple, sem.loc[sem["op"] == op, keys].to_numpy()))
        assert p_rows and p_rows <= s_rows, op
    # the outcome sits on the left of ~ in both (Satisfaction is explained by Quality)
    assert ("Satisfaction", "~", "Quality") in set(map(tuple, sem[keys].to_numpy()))
