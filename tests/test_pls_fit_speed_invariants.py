"""What the fast PLS fit path must keep: the lazily built moments and tables equal the
plain constructions, results stay apart from each other and from the caller's data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.moments import Moments, moments_from_frame
from csi.pls import fit_pls
from csi.pls.effects import effect_pairs, indirectly_reachable, reachable
from csi.spec import ModelSpec, ModelSpecError

MODEL = """
A =~ a1 + a2 + a3
B =~ b1 + b2
C =~ c1 + c2
B ~ A
C ~ A + B
"""
ITEMS = ["a1", "a2", "a3", "b1", "b2", "c1", "c2"]


def answers(n: int = 150, seed: int = 5) -> pd.DataFrame:
    """Integer answers 1-7 (one latent factor per construct) plus a text column."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = 0.6 * a + 0.8 * rng.standard_normal(n)
    c = 0.4 * a + 0.3 * b + 0.8 * rng.standard_normal(n)
    latent = {"a": a, "b": b, "c": c}
    frame = pd.DataFrame(
        {
            item: np.clip(np.round(4 + 1.2 * latent[item[0]] + rng.normal(0, 1, n)), 1, 7).astype(
                int
            )
            for item in ITEMS
        }
    )
    frame.insert(2, "store", [f"s{k % 4}" for k in range(n)])
    return frame


@pytest.fixture()
def data() -> pd.DataFrame:
    return answers()


def test_moments_equal_those_of_the_moments_module(data: pd.DataFrame) -> None:
    res = fit_pls(data, MODEL)
    expected = moments_from_frame(data, ITEMS)
    assert isinstance(res.moments, Moments) and res.moments is res.moments  # built once
    assert res.moments.n == expected.n == 150 and res.moments.missing == "listwise"
    # (the fit labels items with an object Index, the moments module with strings)
    labels = {"check_index_type": False}
    pd.testing.assert_series_equal(res.moments.means, expected.means, check_names=False, **labels)
    pd.testing.assert_frame_equal(
        res.moments.cov, expected.cov, rtol=1e-13, atol=1e-13, check_column_type=False, **labels
    )
    assert list(res.moments.cov.columns) == ITEMS and res.moments.items == tuple(ITEMS)
    # the properties read before the moments are built give the plain fit's values
    fresh = fit_pls(data, MODEL)
    assert (fresh.missing, fresh.weighted, fresh.weight_kind) == ("listwise", False, None)
    assert fresh.sum_weights == fresh.n_eff == 150.0


def test_moments_of_a_fit_with_missing_answers(data: pd.DataFrame) -> None:
    holes = data.astype({"a1": float, "c2": float})
    holes.loc[[3, 40], "a1"] = np.nan
    holes.loc[7, "c2"] = np.nan
    listwise = fit_pls(holes, MODEL)
    assert (listwise.n, listwise.n_excluded, listwise.moments.n_excluded) == (147, 3, 3)
    expected = moments_from_frame(holes, ITEMS)
    np.testing.assert_allclose(listwise.moments.cov, expected.cov, rtol=1e-13, atol=1e-13)
    mean = fit_pls(holes, MODEL, missing="mean")
    assert (mean.n, mean.n_replaced, mean.moments.n_replaced) == (150, 3, 3)
    assert mean.moments.missing == "mean"
    filled = holes[ITEMS].fillna(holes[ITEMS].mean())
    np.testing.assert_allclose(mean.moments.cov.to_numpy(), filled.cov().to_numpy(), atol=1e-13)


def _plain_tables(res) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The wide tables built directly with the DataFrame constructor from the arrays."""
    lay = res.layout
    names = lay.constructs

    def effects(mask: np.ndarray, values: np.ndarray) -> pd.DataFrame:
        pairs = effect_pairs(mask, lay)
        return pd.DataFrame(
            {
                "source": [names[s] for s, _ in pairs],
                "target": [names[t] for _, t in pairs],
                "estimate": np.array([values[s, t] for s, t in pairs], dtype=float),
            }
        )

    owner = [names[b] for b in lay.block]
    endo = [t for t, p in enumerate(lay.predecessors) if p.size]
    k = np.array([lay.predecessors[t].size for t in endo], dtype=float)
    r2 = res.arrays.r2[endo]
    return {
        "path_coefficients": effects(lay.path, res.arrays.paths),
        "total_effects": effects(reachable(lay), res.arrays.total),
        "indirect_effects": effects(indirectly_reachable(lay), res.arrays.total - res.arrays.paths),
        "outer_weights": pd.DataFrame(
            {"construct": owner, "indicator": list(lay.items), "estimate": res.arrays.weights}
        ),
        "loadings": pd.DataFrame(
            {"construct": owner, "indicator": list(lay.items), "estimate": res.arrays.loadings}
        ),
        "r2": pd.DataFrame(
            {
                "construct": [names[t] for t in endo],
                "r2": r2,
                # adjusted R² by hand: 1 - (1 - R²)(n - 1)/(n - k - 1)
                "r2_adj": 1 - (1 - r2) * (res.n - 1) / (res.n - k - 1),
            }
        ),
    }


@pytest.mark.parametrize("model", [MODEL, MODEL.replace("C ~ A + B", "C ~ B")])
def test_tables_equal_the_plain_constructions(data: pd.DataFrame, model: str) -> None:
    first = fit_pls(data, model)
    second = fit_pls(data.iloc[::-1].reset_index(drop=True).head(120), model)  # other values
    for res in (first, second):  # the second fit reuses the model's templates
        for name, expected in _plain_tables(res).items():
            got = getattr(res, name)
            pd.testing.assert_frame_equal(got, expected, check_exact=name != "r2", rtol=1e-14)
            assert got.columns.dtype == expected.columns.dtype
            assert list(got.dtypes) == list(expected.dtypes)
            assert type(got.index) is type(expected.index)
    assert not np.allclose(first.outer_weights["estimate"], second.outer_weights["estimate"])
    # total effects: the sum over routes B + B² + B³ (acyclic model)
    B = first.arrays.paths
    np.testing.assert_allclose(first.arrays.total, B + B @ B + B @ B @ B, atol=1e-14)


def test_tables_of_a_model_without_indirect_effects(data: pd.DataFrame) -> None:
    res = fit_pls(data, "A =~ a1 + a2 + a3\nB =~ b1 + b2\nB ~ A")
    table = res.indirect_effects
    assert table.empty and list(table.columns) == ["source", "target", "estimate"]
    pd.testing.assert_frame_equal(table, _plain_tables(res)["indirect_effects"])


def test_tables_are_independent_of_each_other_and_of_the_arrays(data: pd.DataFrame) -> None:
    one = fit_pls(data, MODEL)
    weights = one.outer_weights
    before = one.arrays.weights.copy()
    weights.loc[0, "estimate"] = 99.0
    weights.loc[0, "construct"] = "changed"
    np.testing.assert_array_equal(one.arrays.weights, before)  # the table is its own copy
    two = fit_pls(data, MODEL)
    assert two.outer_weights.loc[0, "construct"] == "A"  # the shared template is untouched
    assert two.outer_weights.loc[0, "estimate"] == before[0]
    paths = two.path_coefficients
    paths.loc[0, "source"] = "changed"
    assert fit_pls(data, MODEL).path_coefficients.loc[0, "source"] == "A"
    assert two.path_coefficients is paths  # built once, then kept


def test_the_callers_data_is_neither_changed_nor_shared(data: pd.DataFrame) -> None:
    original = data.copy()
    data.index = pd.Index([f"r{k}" for k in range(len(data))], name="respondent")
    res = fit_pls(data, MODEL)
    pd.testing.assert_frame_equal(data.reset_index(drop=True), original)
    assert res.source_data is not data
    data.loc["r0", "a1"] = 7 if data.loc["r0", "a1"] != 7 else 1
    assert res.source_data.loc["r0", "a1"] == original.loc[0, "a1"]
    res.rows.name = "renamed"  # the result's rows are its own Index object
    assert data.index.name == "respondent"
    assert res.scores.index.equals(data.index)


def test_results_are_frozen(data: pd.DataFrame) -> None:
    res = fit_pls(data, MODEL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.spec = None  # type: ignore[misc]


def test_column_positions_follow_the_frame(data: pd.DataFrame) -> None:
    base = fit_pls(data, MODEL)
    swapped = data.rename(columns={"a1": "a2", "a2": "a1"})  # same names, other columns
    other = fit_pls(swapped, MODEL)
    assert not np.allclose(other.arrays.weights, base.arrays.weights)
    again = fit_pls(swapped[list(data.columns)], MODEL)
    np.testing.assert_array_equal(again.arrays.weights, other.arrays.weights)
    with pytest.raises(CsiInputError, match=r"'b2' \(construct 'B'\)"):
        fit_pls(data.drop(columns="b2"), MODEL)
    renamed = data.copy()
    renamed.columns = [c.upper() for c in data.columns]
    with pytest.raises(CsiInputError, match="indicator"):
        fit_pls(renamed, MODEL)


def test_column_kinds_give_the_same_fit(data: pd.DataFrame) -> None:
    base = fit_pls(data, MODEL)
    for frame in (
        data.astype({i: float for i in ITEMS}),
        data.astype({i: "Int64" for i in ITEMS}),
        data.astype({"a1": str}),  # numbers written as text are read as numbers
        data.drop(columns="store"),
    ):
        np.testing.assert_allclose(fit_pls(frame, MODEL).arrays.weights, base.arrays.weights)
    bad = data.astype({"b1": float})
    bad.loc[5, "b1"] = np.inf
    with pytest.raises(CsiInputError, match=r"'b1' has an infinite value inf at row 5"):
        fit_pls(bad, MODEL)
    text = data.astype({"c1": object})
    text.loc[9, "c1"] = "seven"
    with pytest.raises(CsiInputError, match=r"'c1' has a non-numeric answer 'seven' at row 9"):
        fit_pls(text, MODEL)


def test_model_text_is_read_once_and_fits_as_the_spec(data: pd.DataFrame) -> None:
    by_text = fit_pls(data, MODEL)
    by_spec = fit_pls(data, ModelSpec.from_lavaan(MODEL))
    np.testing.assert_array_equal(by_text.arrays.weights, by_spec.arrays.weights)
    assert by_text.spec == by_spec.spec
    assert fit_pls(data, MODEL).spec is by_text.spec  # the text is parsed once
    for _ in range(2):  # a text that does not parse raises every time
        with pytest.raises(ModelSpecError, match="cannot read the term"):
            fit_pls(data, "A =~ a1 + a2\nB ~~~ A")
