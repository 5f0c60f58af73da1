"""Entropy, CRITIC and coefficient-of-variation weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from csi._checks import CsiInputError
from csi.weighting.objective import critic_weights, cv_weights, entropy_weights

pymcdm_weights = pytest.importorskip("pymcdm.weights")


def _frame(arr: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(arr, columns=[f"c{j}" for j in range(arr.shape[1])])


# ------------------------------------------------------------------ references
@pytest.mark.parametrize("seed", range(8))
def test_entropy_agrees_with_pymcdm_on_positive_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    arr = rng.uniform(0.5, 10, size=(int(rng.integers(5, 60)), int(rng.integers(2, 8))))
    ours = entropy_weights(_frame(arr))
    ref = pymcdm_weights.entropy_weights(arr)
    assert np.max(np.abs(ours.to_numpy() - ref)) < 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_critic_agrees_with_pymcdm(seed: int) -> None:
    # pymcdm's critic_weights: min-max normalisation, sd (ddof=1), sum(1 - r): the
    # definition of Diakoulaki et al. (1995), so the figures must coincide.
    rng = np.random.default_rng(100 + seed)
    arr = rng.normal(size=(40, 5)) @ rng.normal(size=(5, 5))
    ours = critic_weights(_frame(arr))
    ref = pymcdm_weights.critic_weights(arr)
    assert np.max(np.abs(ours.to_numpy() - ref)) < 1e-9


def test_cv_weights_by_hand() -> None:
    # a: mean 2, sd 1 -> cv 0.5 ; b: mean 20, sd 2 -> cv 0.1
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [18.0, 20.0, 22.0]})
    w = cv_weights(df)
    assert w.tolist() == pytest.approx([0.5 / 0.6, 0.1 / 0.6])


def test_entropy_by_hand() -> None:
    # column a: proportions (1/4, 1/4, 1/2); column b: (1/3, 1/3, 1/3) is uniform -> e = 1
    df = pd.DataFrame({"a": [1.0, 1.0, 2.0], "b": [5.0, 5.0, 5.0], "c": [1.0, 2.0, 3.0]})
    with pytest.warns(UserWarning, match=r"constant column\(s\) \['b'\]"):
        w = entropy_weights(df)
    e_a = -(2 * 0.25 * np.log(0.25) + 0.5 * np.log(0.5)) / np.log(3)
    p_c = np.array([1, 2, 3]) / 6
    e_c = -(p_c * np.log(p_c)).sum() / np.log(3)
    d = np.array([1 - e_a, 0.0, 1 - e_c])
    assert w.to_numpy() == pytest.approx(d / d.sum())
    assert w.attrs["entropy"]["b"] == 1.0


def test_critic_two_columns_reduces_to_sd_ratio_by_hand() -> None:
    # with two columns C_j = s_j (1 - r), so w_j is proportional to the sd of the
    # min-max normalised column
    df = pd.DataFrame({"a": [0.0, 1.0, 2.0, 4.0], "b": [3.0, 1.0, 2.0, 2.0]})
    za = np.array([0, 0.25, 0.5, 1.0])
    zb = np.array([1.0, 0, 0.5, 0.5])
    sa, sb = za.std(ddof=1), zb.std(ddof=1)
    assert critic_weights(df).tolist() == pytest.approx([sa / (sa + sb), sb / (sa + sb)])


# ------------------------------------------------------------------ zeros
def test_zero_does_not_hand_the_column_the_largest_weight() -> None:
    a = np.arange(1, 101, dtype=float)  # large spread
    b = np.full(100, 10.0)
    b[0] = 0.0  # nearly constant, one zero
    df = pd.DataFrame({"spread": a, "one_zero": b})
    w = entropy_weights(df)
    assert w["spread"] > w["one_zero"]
    # exact entropy with 0 ln 0 = 0: 99 equal proportions of 1/99
    assert w.attrs["entropy"]["one_zero"] == pytest.approx(np.log(99) / np.log(100))
    # the pitfall avoided: a rule "entropy = 0 when the column has a zero" would give
    # one_zero divergence 1 and nearly all the weight
    assert w["one_zero"] < 0.2
    # min-max normalisation puts a zero in every column; the limit rule handles it
    wm = entropy_weights(df, normalisation="minmax")
    assert wm.sum() == pytest.approx(1.0) and not wm.isna().any()


def test_zero_options_shift_and_error() -> None:
    df = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 2.0, 4.0]})
    shifted = entropy_weights(df, zeros="shift", epsilon=1e-4)
    manual = entropy_weights(df + 1e-4, zeros="error")
    assert shifted.to_numpy() == pytest.approx(manual.to_numpy(), abs=1e-12)
    with pytest.raises(CsiInputError, match=r"column 'a' is 0 at row 0 after sum normalisation"):
        entropy_weights(df, zeros="error")
    with pytest.raises(CsiInputError, match=r"cost column 'a' is 0 at row 0"):
        entropy_weights(df, directions={"a": "cost"})


# ------------------------------------------------------------------ constant and missing
def test_constant_column_gets_zero_weight_never_nan() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0, 3.0], "k": [7.0] * 4, "b": [2.0, 2.0, 5.0, 1.0]})
    for f, kw in [
        (entropy_weights, {}),
        (entropy_weights, {"normalisation": "minmax"}),
        (critic_weights, {}),
        (cv_weights, {}),
    ]:
        with pytest.warns(UserWarning, match=r"constant column\(s\) \['k'\] .* weight 0"):
            w = f(df, **kw)
        assert w["k"] == 0.0
        assert not w.isna().any()
        assert w.sum() == pytest.approx(1.0)
    with pytest.raises(CsiInputError, match="every column is constant"):
        entropy_weights(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}))
    with (
        pytest.raises(CsiInputError, match="at least 2 non-constant columns"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        critic_weights(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}))


def test_missing_values_error_or_listwise_drop() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": [2.0, 3.0, 1.0, 5.0]}, index=list("pqrs"))
    with pytest.raises(
        CsiInputError, match=r"column 'a' has a missing value at row 'r' \(1 incomplete"
    ):
        entropy_weights(df)
    with pytest.warns(UserWarning, match="dropped 1 of 4 rows"):
        w = entropy_weights(df, missing="drop")
    assert w.attrs["n_dropped"] == 1
    assert w.to_numpy() == pytest.approx(entropy_weights(df.dropna()).to_numpy())
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        critic_weights(df, missing="drop")
        cv_weights(df, missing="drop")
    pd.testing.assert_frame_equal(df, before)


def test_input_errors_name_column_row_value() -> None:
    df = pd.DataFrame({"a": [1.0, -2.0, 3.0], "b": [1.0, 2.0, 5.0]})
    with pytest.raises(CsiInputError, match=r"column 'a' has a negative value -2.0 at row 1"):
        entropy_weights(df)
    with pytest.raises(CsiInputError, match=r"column 'a' has a negative value -2.0 at row 1"):
        cv_weights(df)
    assert entropy_weights(df, normalisation="minmax").sum() == pytest.approx(1)
    with pytest.raises(CsiInputError, match="column 'a' has a non-numeric answer 'x' at row 1"):
        entropy_weights(pd.DataFrame({"a": [1, "x"], "b": [1, 2]}))
    with pytest.raises(CsiInputError, match="not found in data: 'zz'"):
        entropy_weights(df, columns=["a", "zz"])
    with pytest.raises(CsiInputError, match="direction of column 'a' must be 'benefit' or 'cost'"):
        critic_weights(df, directions={"a": "up"})
    with pytest.raises(CsiInputError, match="directions names column 'q'"):
        critic_weights(df, directions={"q": "cost"})
    with pytest.raises(CsiInputError, match="normalisation must be one of"):
        entropy_weights(df, normalisation="vector")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        entropy_weights(df.to_numpy())


# ------------------------------------------------------------------ directions
def test_cost_direction_minmax_equals_reflected_benefit() -> None:
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.integers(1, 11, size=(50, 3)).astype(float), columns=list("abc"))
    reflected = df.assign(b=df["b"].max() + df["b"].min() - df["b"])
    for f in (entropy_weights, critic_weights):
        kw = {"normalisation": "minmax"} if f is entropy_weights else {}
        w_cost = f(df, directions={"b": "cost"}, **kw)
        w_ref = f(reflected, **kw)
        assert w_cost.to_numpy() == pytest.approx(w_ref.to_numpy(), abs=1e-12)


def test_cost_direction_sum_uses_reciprocals() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [2.0, 5.0, 3.0]})
    w = entropy_weights(df, directions={"a": "cost"})
    ref = entropy_weights(df.assign(a=1 / df["a"]))
    assert w.to_numpy() == pytest.approx(ref.to_numpy())


# ------------------------------------------------------------------ properties
positive = arrays(
    float,
    st.tuples(st.integers(4, 25), st.integers(2, 6)),
    elements=st.floats(0.1, 100),
)


@given(arr=positive, seed=st.integers(0, 1000))
@settings(max_examples=50, deadline=None)
def test_objective_weights_sum_to_one_and_follow_column_order(arr: np.ndarray, seed: int) -> None:
    df = _frame(arr)
    perm = list(np.random.default_rng(seed).permutation(df.columns))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in (entropy_weights, cv_weights, critic_weights):
            try:
                w = f(df)
            except CsiInputError:
                continue  # degenerate draw (all constant / perfectly correlated)
            assert w.sum() == pytest.approx(1.0)
            assert (w >= 0).all() and not w.isna().any()
            w2 = f(df[perm])
            assert w2.loc[w.index].to_numpy() == pytest.approx(w.to_numpy(), abs=1e-10)


@given(arr=positive, scale=st.floats(0.01, 100))
@settings(max_examples=40, deadline=None)
def test_entropy_and_cv_invariant_to_column_units(arr: np.ndarray, scale: float) -> None:
    df = _frame(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            w = entropy_weights(df)
        except CsiInputError:
            return
        rescaled = df.assign(c0=df["c0"] * scale)
        assert entropy_weights(rescaled).to_numpy() == pytest.approx(w.to_numpy(), abs=1e-9)
        assert cv_weights(rescaled).to_numpy() == pytest.approx(cv_weights(df).to_numpy(), abs=1e-9)
