"""Combination of weight vectors and weights from PLS outer weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.weighting import ahp_weights
from csi.weighting.combine import combine_weights, weights_from_pls

SUBJ = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
OBJ = pd.Series({"a": 0.2, "b": 0.3, "c": 0.5})


def test_linear_by_hand() -> None:
    res = combine_weights({"ahp": SUBJ, "entropy": OBJ}, alpha=0.7)
    assert res.weights.tolist() == pytest.approx([0.41, 0.30, 0.29])
    assert res.coefficients.tolist() == pytest.approx([0.7, 0.3])
    even = combine_weights([SUBJ, OBJ])
    assert even.weights.tolist() == pytest.approx([0.35, 0.30, 0.35])
    three = combine_weights([SUBJ, OBJ, SUBJ], coefficients=[1, 1, 2])
    assert three.weights.tolist() == pytest.approx(0.75 * SUBJ.to_numpy() + 0.25 * OBJ.to_numpy())


def test_multiplicative_by_hand() -> None:
    res = combine_weights({"ahp": SUBJ, "entropy": OBJ}, method="multiplicative")
    prod = np.array([0.10, 0.09, 0.10])
    assert res.weights.tolist() == pytest.approx(prod / prod.sum())
    assert res.coefficients.isna().all()


def test_game_theory_by_hand() -> None:
    # W W^T = [[0.38, 0.29], [0.29, 0.38]], rhs = (0.38, 0.38): a1 = a2 = 0.38 / 0.67
    res = combine_weights({"ahp": SUBJ, "entropy": OBJ}, method="game")
    assert res.raw_coefficients.tolist() == pytest.approx([0.38 / 0.67, 0.38 / 0.67])
    assert res.coefficients.tolist() == pytest.approx([0.5, 0.5])
    assert res.weights.tolist() == pytest.approx([0.35, 0.30, 0.35])
    assert res.notes == ()


def test_game_theory_solves_the_optimality_condition() -> None:
    u1 = pd.Series({"a": 0.6, "b": 0.3, "c": 0.1})
    u2 = pd.Series({"a": 0.3, "b": 0.3, "c": 0.4})
    res = combine_weights([u1, u2], method="game")
    w = np.vstack([u1.to_numpy(), u2.to_numpy()])
    a = res.raw_coefficients.to_numpy()
    # first-order condition: for each l, sum_k a_k u_l . u_k = u_l . u_l
    np.testing.assert_allclose(w @ w.T @ a, np.diag(w @ w.T))
    assert res.weights.sum() == pytest.approx(1.0)


def test_game_theory_negative_coefficient_noted() -> None:
    # two similar sources and a third far away: raw solution (2.217, -1.84, 0.903)
    u1 = pd.Series({"a": 0.8, "b": 0.1, "c": 0.1})
    u2 = pd.Series({"a": 0.6, "b": 0.3, "c": 0.1})
    u3 = pd.Series({"a": 0.1, "b": 0.1, "c": 0.8})
    with pytest.warns(UserWarning, match="coefficient\\(s\\) negative"):
        res = combine_weights({"x": u1, "y": u2, "z": u3}, method="game")
    assert res.raw_coefficients.to_numpy() == pytest.approx([2.21714286, -1.84, 0.90285714])
    assert (res.coefficients >= 0).all() and res.coefficients.sum() == pytest.approx(1)
    assert "negative" in res.summary()


def test_accepts_results_and_errors() -> None:
    ahp = ahp_weights(["a vs b: 2", "a vs c: 4", "b vs c: 2"])
    res = combine_weights({"ahp": ahp, "entropy": {"a": 1, "b": 1, "c": 2}})
    assert res.sources["entropy"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    assert list(res.to_frame().columns) == ["indicator", "ahp", "entropy", "combined"]
    with pytest.raises(
        CsiInputError, match=r"'source2' covers different indicators .* extra \['d'\]"
    ):
        combine_weights([SUBJ, pd.Series({"a": 1, "b": 1, "c": 1, "d": 1})])
    with pytest.raises(CsiInputError, match="weight of 'b' is -1"):
        combine_weights([SUBJ, pd.Series({"a": 1, "b": -1, "c": 1})])
    with pytest.raises(CsiInputError, match="at least 2 sources"):
        combine_weights([SUBJ])
    with pytest.raises(CsiInputError, match="alpha must lie in"):
        combine_weights([SUBJ, OBJ], alpha=1.5)
    with pytest.raises(CsiInputError, match="linearly dependent"):
        combine_weights([SUBJ, SUBJ], method="game")


@given(
    a=st.lists(st.floats(0.01, 1), min_size=2, max_size=8),
    seed=st.integers(0, 100),
    method=st.sampled_from(["linear", "multiplicative", "game"]),
    alpha=st.floats(0, 1),
)
@settings(max_examples=50, deadline=None)
def test_combined_weights_sum_to_one(a: list[float], seed: int, method: str, alpha: float) -> None:
    rng = np.random.default_rng(seed)
    idx = [f"i{k}" for k in range(len(a))]
    s1 = pd.Series(a, index=idx)
    s2 = pd.Series(rng.uniform(0.01, 1, len(a)), index=idx)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = combine_weights(
                [s1, s2], method=method, alpha=alpha if method == "linear" else None
            )
    except CsiInputError:
        return  # dependent sources in game mode
    assert res.weights.sum() == pytest.approx(1.0)
    assert (res.weights >= 0).all()


def test_weights_from_pls() -> None:
    ow = pd.DataFrame(
        {
            "construct": ["Quality", "Quality", "Quality", "Value", "Value"],
            "indicator": ["QUAL1", "QUAL2", "QUAL3", "VAL1", "VAL2"],
            "estimate": [0.4, 0.4, 0.2, 0.6, 0.9],
        }
    )
    before = ow.copy()
    out = weights_from_pls(ow)
    pd.testing.assert_frame_equal(ow, before)
    assert list(out.columns) == ["construct", "indicator", "weight"]
    assert out["weight"].tolist() == pytest.approx([0.4, 0.4, 0.2, 0.4, 0.6])
    q = weights_from_pls(ow, construct="Value")
    assert q.to_dict() == pytest.approx({"VAL1": 0.4, "VAL2": 0.6})
    with pytest.raises(
        CsiInputError, match=r"outer weight of indicator 'VAL1' in construct 'Value' is -0\.6"
    ):
        weights_from_pls(ow.assign(estimate=[0.4, 0.4, 0.2, -0.6, 0.9]))
    with pytest.raises(CsiInputError, match="not found in outer_weights: 'estimate'"):
        weights_from_pls(ow.drop(columns="estimate"))
    with pytest.raises(CsiInputError, match="construct 'Image' not in outer_weights"):
        weights_from_pls(ow, construct="Image")


def test_weights_from_a_real_pls_fit(reference) -> None:
    """The PLS result's own outer_weights frame is accepted; shares sum to 1 per construct."""
    from csi.pls import fit_pls
    from csi.spec import ModelSpec

    spec = ModelSpec.from_tables(
        reference("ecsi_measurement.csv"), reference("ecsi_structural.csv")
    )
    data = pd.read_csv(reference("mobi.csv"), index_col=0)
    ow = fit_pls(data, spec).outer_weights
    shares = weights_from_pls(ow)
    assert shares.groupby("construct")["weight"].sum().to_numpy() == pytest.approx(1.0)
    quality = ow[ow["construct"] == "Quality"].set_index("indicator")["estimate"]
    np.testing.assert_allclose(
        weights_from_pls(ow, construct="Quality").to_numpy(),
        (quality / quality.sum()).to_numpy(),
        atol=1e-12,
    )
