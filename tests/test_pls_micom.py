"""MICOM (Henseler, Ringle & Sarstedt 2016): hand computation, brute-force permutations, simulation.

The statistics are recomputed here from two separate ``fit_pls`` calls (one per group)
and a pooled fit, in numpy: c = cor(Z w_a, Z w_b) on the pooled standardized items,
and the mean / log-variance differences of the pooled-weight scores standardized on
the pooled data. The permutation distribution is rebuilt by a plain loop of fits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.pls import BootstrapFailureWarning, fit_pls
from csi.pls.micom import MICOM_COLUMNS, micom
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def grouped(mobi: pd.DataFrame) -> pd.DataFrame:
    data = mobi.copy()
    data["region"] = np.where(np.random.default_rng(11).random(len(data)) < 0.45, "north", "south")
    return data


def _weights(result) -> pd.Series:
    return result.outer_weights.set_index("indicator")["estimate"]


def _scores(Z: pd.DataFrame, w: pd.Series, spec: ModelSpec) -> pd.DataFrame:
    return pd.DataFrame({c: Z[list(i)] @ w[list(i)] for c, i in spec.indicators.items()})


def _by_hand(data: pd.DataFrame, spec: ModelSpec, is_a: np.ndarray) -> dict[str, pd.Series]:
    """c, mean and log-variance differences from separate fits (the paper's definitions)."""
    items = list(spec.items)
    X = data[items]
    Z = (X - X.mean()) / X.std()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wa = _weights(fit_pls(data[is_a], spec))
        wb = _weights(fit_pls(data[~is_a], spec))
    wp = _weights(fit_pls(data, spec))
    ya, yb = _scores(Z, wa, spec), _scores(Z, wb, spec)
    c = pd.Series({k: np.corrcoef(ya[k], yb[k])[0, 1] for k in spec.constructs})
    s = _scores(Z, wp, spec)
    s = (s - s.mean()) / s.std()
    mean = s[is_a].mean() - s[~is_a].mean()
    logvar = np.log(s[is_a].var()) - np.log(s[~is_a].var())
    return {"composition": c, "mean": mean, "log_variance": logvar}


def test_statistics_match_a_hand_computation(grouped, ecsi) -> None:
    res = micom(fit_pls(grouped, ecsi), group="region", permutations=20, seed=1)
    hand = _by_hand(grouped, ecsi, (grouped["region"] == "north").to_numpy())
    table = res.table.set_index(["step", "construct"])
    for step, values in hand.items():
        for construct, v in values.items():
            assert table.loc[(step, construct), "statistic"] == pytest.approx(v, abs=1e-6)
    assert list(res.table.columns) == list(MICOM_COLUMNS)
    assert res.groups == ("north", "south")
    assert res.n_a + res.n_b == len(grouped)
    # a single-item construct has the same "composite" in every group
    assert table.loc[("composition", "Complaints"), "statistic"] == pytest.approx(1.0)


def test_permutation_pvalues_match_a_brute_force_loop(grouped, ecsi) -> None:
    B, seed = 15, 7
    res = micom(grouped, ecsi, group="region", permutations=B, seed=seed)
    is_a = (grouped["region"] == "north").to_numpy()
    perms = np.random.default_rng(seed).permuted(np.tile(is_a.astype(np.int8), (B, 1)), axis=1)
    draws = {"composition": [], "mean": [], "log_variance": []}
    for row in perms.astype(bool):
        for step, v in _by_hand(grouped, ecsi, row).items():
            draws[step].append(v)
    observed = _by_hand(grouped, ecsi, is_a)
    table = res.table.set_index(["step", "construct"])
    for step in draws:
        d = pd.DataFrame(draws[step])
        for construct in ecsi.constructs:
            got = res.draws[(step, construct)].to_numpy()
            np.testing.assert_allclose(got, d[construct].to_numpy(), atol=1e-6)
            obs = observed[step][construct]
            row = table.loc[(step, construct)]
            if step == "composition":
                p = (1 + np.sum(d[construct] <= obs + 1e-9)) / (B + 1)
                lower = np.quantile(d[construct], 0.05)
                assert row["lower"] == pytest.approx(lower, abs=1e-6)
                assert bool(row["invariant"]) == bool(obs >= lower)
            else:
                p = (1 + np.sum(np.abs(d[construct]) >= abs(obs) - 1e-9)) / (B + 1)
                lo, hi = np.quantile(d[construct], [0.025, 0.975])
                assert (row["lower"], row["upper"]) == pytest.approx((lo, hi), abs=1e-6)
            assert row["pvalue"] == pytest.approx(p)


def _simulate(n: int, rng: np.random.Generator, drive: int) -> pd.DataFrame:
    """X (x1-x3, correlated 0.3) -> Y (y1-y3); Y is driven by item x<drive> only."""
    R = np.full((3, 3), 0.3) + 0.7 * np.eye(3)
    x = rng.multivariate_normal(np.zeros(3), R, size=n)
    eta = 0.7 * x[:, drive] + np.sqrt(1 - 0.49) * rng.standard_normal(n)
    y = 0.8 * eta[:, None] + 0.6 * rng.standard_normal((n, 3))
    return pd.DataFrame(np.column_stack([x, y]), columns=["x1", "x2", "x3", "y1", "y2", "y3"])


SIM = "X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\nY ~ X"


def test_invariant_groups_are_declared_invariant() -> None:
    rng = np.random.default_rng(2016)
    data = pd.concat([_simulate(300, rng, 0), _simulate(300, rng, 0)], ignore_index=True)
    group = pd.Series(["a"] * 300 + ["b"] * 300, index=data.index)
    res = micom(data, SIM, group=group, permutations=200, seed=5)
    assert res.verdict.set_index("construct")["compositional"].all()
    assert (res.invariance == "full").all()


def test_groups_with_different_weights_are_not_invariant() -> None:
    rng = np.random.default_rng(2016)
    data = pd.concat([_simulate(300, rng, 0), _simulate(300, rng, 2)], ignore_index=True)
    group = pd.Series(["a"] * 300 + ["b"] * 300, index=data.index)
    res = micom(data, SIM, group=group, permutations=200, seed=5)
    row = res.table[(res.table.construct == "X") & (res.table.step == "composition")].iloc[0]
    assert row["statistic"] < row["lower"]
    assert row["pvalue"] < 0.05
    assert res.invariance["X"] == "none"


def test_groups_choice_subset_and_untouched_data(grouped, ecsi) -> None:
    data = grouped.copy()
    data.loc[data.index[:30], "region"] = "east"
    before = data.copy()
    with pytest.raises(CsiInputError, match="pass groups"):
        micom(data, ecsi, group="region", permutations=5, seed=1)
    res = micom(data, ecsi, group="region", groups=("south", "north"), permutations=5, seed=1)
    pd.testing.assert_frame_equal(data, before)
    assert res.n_excluded == 30
    assert res.n_a + res.n_b == len(data) - 30
    keep = (data["region"] != "east").to_numpy()
    hand = _by_hand(data[keep], ecsi, (data["region"] == "south").to_numpy()[keep])
    got = res.table.set_index(["step", "construct"])["statistic"]
    for step, values in hand.items():
        np.testing.assert_allclose(got[step][list(values.index)], values.to_numpy(), atol=1e-6)
    assert "MICOM" in res.summary() and "MICOM" in res.summary(lang="zh")
    zh = res.summary(lang="zh")
    assert "构念、题项与路径相同" in zh and "same data treatment" not in zh
    assert "same data treatment" in res.summary()
    assert "<table" in res._repr_html_() and "MICOMResult" in repr(res)


def test_bad_input_names_the_problem(grouped, ecsi) -> None:
    fit = fit_pls(grouped, ecsi)
    small = grouped["region"].copy()
    small[:] = "south"
    small.iloc[:2] = "north"
    with pytest.raises(CsiInputError, match=r"group 'north'.*too few"):
        micom(fit, group=small, permutations=5)
    with pytest.raises(CsiInputError, match="'nope'"):
        micom(fit, group="nope")
    with pytest.raises(CsiInputError, match="permutations"):
        micom(fit, group="region", permutations=0)
    with pytest.raises(CsiInputError, match="no value for row"):
        micom(fit, group=grouped["region"].iloc[:10])
    with pytest.raises(CsiInputError, match="only with data"):
        micom(fit, ecsi, group="region")


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.3, 0.7))
def test_swapping_the_groups_negates_the_differences(mobi, ecsi, seed, share) -> None:
    """Invariant: c is symmetric in the groups, the step-3 differences change sign."""
    data = mobi.copy()
    data["g"] = np.where(np.random.default_rng(seed).random(len(data)) < share, "p", "q")
    fit = fit_pls(data, ecsi)
    ab = micom(fit, group="g", groups=("p", "q"), permutations=3, seed=seed)
    ba = micom(fit, group="g", groups=("q", "p"), permutations=3, seed=seed)
    t1, t2 = ab.table.set_index(["step", "construct"]), ba.table.set_index(["step", "construct"])
    comp = t1.loc["composition", "statistic"]
    np.testing.assert_allclose(comp, t2.loc["composition", "statistic"], atol=1e-9)
    assert ((comp > -1 - 1e-12) & (comp < 1 + 1e-12)).all()
    for step in ("mean", "log_variance"):
        np.testing.assert_allclose(t1.loc[step, "statistic"], -t2.loc[step, "statistic"], atol=1e-9)


def test_respondents_left_out_by_the_fit_are_counted(grouped, ecsi) -> None:
    data = grouped.copy()
    data.iloc[[3, 10], 2] = np.nan
    res = micom(data, ecsi, group="region", permutations=5, seed=1)
    assert res.n_excluded == 2 and res.n_a + res.n_b == len(data) - 2


def test_failed_permutations_are_counted_and_warned() -> None:
    """x3 takes another value for two respondents only: a permutation putting both in one
    group leaves it constant in the other, which cannot be estimated."""
    rng = np.random.default_rng(3)
    data = _simulate(200, rng, 0)
    data["x3"] = 0.0
    data.loc[[0, 150], "x3"] = 1.0
    group = pd.Series(np.where(np.arange(200) < 100, "a", "b"), index=data.index)
    with pytest.warns(BootstrapFailureWarning, match="MICOM permutations failed"):
        res = micom(data, SIM, group=group, permutations=40, seed=2)
    assert 0 < res.n_failed < 40
    assert len(res.draws) == 40 - res.n_failed
    assert set(res.failures["reason"]) == {"degenerate"}
    assert res.failures["detail"].str.contains("x3").all()


def test_the_result_method_is_the_function(grouped, ecsi) -> None:
    fitted = fit_pls(grouped, ecsi)
    via_method = fitted.micom("region", permutations=10, seed=3)
    direct = micom(fitted, group="region", permutations=10, seed=3)
    pd.testing.assert_frame_equal(via_method.table, direct.table)
