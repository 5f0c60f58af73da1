"""PLS multi-group analysis: permutation and bootstrap tests of group differences."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csi._checks import CsiInputError
from csi.datasets import simulate_csi
from csi.datasets.simulate import DEFAULT_PATHS
from csi.pls import fit_pls
from csi.pls.mga import GROUP_COLUMNS, GroupComparison, _henseler, compare_groups
from csi.spec import ModelSpec

ACSI = {k: v for k, v in DEFAULT_PATHS.items() if "image" not in k}


def two_groups(
    n: int, seed: int, b_paths: dict[tuple[str, str], float] | None = None
) -> tuple[pd.DataFrame, ModelSpec]:
    """Group A from the default ACSI population, group B from ``b_paths`` (default: same)."""
    a = simulate_csi(n, seed=seed, continuous=True, segments=False, waves=None)
    b = simulate_csi(
        n,
        seed=seed + 10_000,
        continuous=True,
        segments=False,
        waves=None,
        paths={**ACSI, **(b_paths or {})},
    )
    data = pd.concat([a.data.assign(group="A"), b.data.assign(group="B")], ignore_index=True)
    return data, ModelSpec.acsi(indicators=a.roles)


@pytest.fixture(scope="module")
def null_data() -> tuple[pd.DataFrame, ModelSpec]:
    return two_groups(150, seed=1)


@pytest.fixture(scope="module")
def differing() -> tuple[pd.DataFrame, ModelSpec]:
    """Quality -> Satisfaction 0.50 in A and 0.05 in B (Value -> Satisfaction raised)."""
    return two_groups(
        300, seed=2, b_paths={("quality", "satisfaction"): 0.05, ("value", "satisfaction"): 0.55}
    )


def _path(table: pd.DataFrame, source: str, target: str) -> pd.Series:
    rows = table[(table["kind"] == "path") & (table.source == source) & (table.target == target)]
    assert len(rows) == 1
    return rows.iloc[0]


# ------------------------------------------------------------- estimates
def test_group_estimates_equal_separate_fits(differing: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = differing
    before = data.copy()
    out = compare_groups(data, spec, "group", n=20, seed=1, scale=(-6, 6))
    pd.testing.assert_frame_equal(data, before)
    assert tuple(out.table.columns) == GROUP_COLUMNS
    fa = fit_pls(data[data.group == "A"], spec, scale=(-6, 6))
    fb = fit_pls(data[data.group == "B"], spec, scale=(-6, 6))
    paths = out.table[out.table["kind"] == "path"]
    np.testing.assert_allclose(paths["estimate_a"], fa.path_coefficients["estimate"], atol=1e-10)
    np.testing.assert_allclose(paths["estimate_b"], fb.path_coefficients["estimate"], atol=1e-10)
    np.testing.assert_allclose(
        paths["difference"],
        fa.path_coefficients["estimate"] - fb.path_coefficients["estimate"],
        atol=1e-10,
    )
    index = out.table[out.table["kind"] == "index"]
    np.testing.assert_allclose(index["estimate_a"], fa.index(), atol=1e-9)
    np.testing.assert_allclose(index["estimate_b"], fb.index(), atol=1e-9)
    assert (out.n_a, out.n_b, out.n_excluded) == (300, 300, 0)


def test_permutation_draws_equal_separate_fits_of_permuted_groups(
    null_data: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """Permutation r: the documented label shuffle, each group fitted with fit_pls."""
    data, spec = null_data
    out = compare_groups(data, spec, "group", n=6, seed=3, keep_draws=True)
    assert out.draws is not None
    base = (data["group"] == "A").to_numpy(dtype=float)
    shuffled = np.random.default_rng(3).permuted(np.broadcast_to(base, (6, len(data))), axis=1)
    paths = (out.table["kind"] == "path").to_numpy()
    for r in (0, 5):
        in_a = shuffled[r] == 1
        fa = fit_pls(data[in_a], spec)
        fb = fit_pls(data[~in_a], spec)
        expected = fa.path_coefficients["estimate"] - fb.path_coefficients["estimate"]
        got = out.draws.loc[r].to_numpy(dtype=float)[paths]
        np.testing.assert_allclose(got, expected, atol=2e-6)


def test_same_seed_same_result_for_any_batching(
    null_data: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = null_data
    for method in ("permutation", "bootstrap"):
        a = compare_groups(data, spec, "group", method=method, n=30, seed=8)
        b = compare_groups(
            data, spec, "group", method=method, n=30, seed=8, batch_size=7, workers=2
        )
        pd.testing.assert_frame_equal(a.table, b.table)


# ------------------------------------------------------------- tests
@pytest.mark.parametrize("method", ["permutation", "bootstrap"])
def test_a_real_path_difference_is_significant(
    differing: tuple[pd.DataFrame, ModelSpec], method: str
) -> None:
    data, spec = differing
    out = compare_groups(data, spec, "group", method=method, n=400, seed=4)
    row = _path(out.table, "Quality", "Satisfaction")
    assert row["difference"] > 0.25
    assert row["pvalue"] < 0.01
    # paths that are equal in the two populations are mostly not significant
    same = out.table[(out.table["kind"] == "path") & (out.table["target"] != "Satisfaction")]
    assert (same["pvalue"] > 0.01).mean() >= 0.8
    if method == "bootstrap":
        assert row["ci_lower"] > 0 and row["se"] > 0
    else:
        assert np.isnan(row["se"]) and np.isnan(row["ci_lower"])


def test_null_p_values_are_roughly_uniform() -> None:
    """No difference in the populations: over 12 data sets x 9 paths, p is near uniform."""
    p = []
    for rep in range(12):
        data, spec = two_groups(100, seed=100 + rep)
        out = compare_groups(data, spec, "group", n=99, seed=rep)
        p.extend(out.table.loc[out.table["kind"] == "path", "pvalue"])
    p_arr = np.array(p)
    assert 0.35 < p_arr.mean() < 0.65
    assert (p_arr < 0.05).mean() < 0.15
    assert stats.kstest(p_arr, "uniform").pvalue > 0.001


@pytest.mark.slow
@pytest.mark.parametrize("method", ["permutation", "bootstrap"])
def test_null_rejection_rate_is_nominal(method: str) -> None:
    """200 null data sets: 5%-level rejections of Quality -> Satisfaction near 5%."""
    p = []
    for rep in range(200):
        data, spec = two_groups(150, seed=5000 + rep)
        out = compare_groups(data, spec, "group", method=method, n=199, seed=rep)
        p.append(_path(out.table, "Quality", "Satisfaction")["pvalue"])
    p_arr = np.array(p)
    assert 0.01 <= (p_arr < 0.05).mean() <= 0.10
    assert stats.kstest(p_arr, "uniform").pvalue > 0.001


def test_henseler_p_value_by_brute_force() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(0.3, 0.1, size=(40, 2))
    b = rng.normal(0.2, 0.1, size=(50, 2))
    got = _henseler(a, b)
    for k in range(2):
        ra = 2 * a[:, k].mean() - a[:, k]
        rb = 2 * b[:, k].mean() - b[:, k]
        share = np.mean([[x <= y for y in rb] for x in ra])
        assert got[k] == pytest.approx(2 * min(share, 1 - share))


# ------------------------------------------------------------- interface
def test_result_display_and_entry_point(null_data: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = null_data
    res = fit_pls(data, spec, scheme="centroid")
    out = res.compare_groups("group", n=20, seed=1)
    assert isinstance(out, GroupComparison)
    assert out.scheme == "centroid" and out.groups == ("A", "B")
    text = out.summary()
    assert "Quality -> Satisfaction" in text and "A (n=150) vs B (n=150)" in text
    assert "多群组" in out.summary(lang="zh")
    assert "<table" in out._repr_html_()
    assert list(out.select("path").columns[:2]) == ["source", "target"]
    assert out.to_frame() is not out.table
    assert "GroupComparison" in repr(out)


def test_more_than_two_groups_and_missing_answers() -> None:
    sim = simulate_csi(400, seed=5, waves=None)
    data = sim.data.copy()
    data.loc[data.index[:5], "SAT1"] = np.nan
    spec = ModelSpec.acsi(indicators=sim.roles)
    with pytest.raises(CsiInputError, match="pass groups="):
        compare_groups(data, spec, "region", n=10, seed=1)
    out = compare_groups(data, spec, "region", groups=("North", "South"), n=10, seed=1)
    chosen = data["region"].isin(["North", "South"])
    complete = data[list(spec.items)].notna().all(axis=1)
    assert out.n_a + out.n_b == int((chosen & complete).sum())
    assert out.n_excluded == len(data) - out.n_a - out.n_b


def test_bad_input_errors(null_data: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = null_data
    with pytest.raises(CsiInputError, match="group column not found"):
        compare_groups(data, spec, "segment", n=10)
    with pytest.raises(CsiInputError, match="does not occur"):
        compare_groups(data, spec, "group", groups=("A", "C"), n=10)
    with pytest.raises(CsiInputError, match="two different values"):
        compare_groups(data, spec, "group", groups=("A", "A"), n=10)
    with pytest.raises(CsiInputError, match="method must be one of"):
        compare_groups(data, spec, "group", method="parametric", n=10)
    with pytest.raises(CsiInputError, match="n must be"):
        compare_groups(data, spec, "group", n=1)
    tiny = pd.concat([data[data.group == "A"], data[data.group == "B"].head(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(CsiInputError, match="group 'B'"):
            compare_groups(tiny, spec, "group", n=10, seed=1)
