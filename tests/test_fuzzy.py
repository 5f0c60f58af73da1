"""Fuzzy comprehensive evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.fuzzy import (
    fuzzy_composite,
    fuzzy_evaluation,
    fuzzy_hierarchy,
    membership_matrix,
    triangular_membership,
)
from csi.scales import SEVEN_LEVELS, RatingScale

# The clothing (服装) evaluation example of Chinese fuzzy-mathematics textbooks (after
# Wang Peizhuang 1983, 模糊集合论及其应用): factors colour, style, durability, price;
# grades very welcome, rather welcome, not very welcome, unwelcome. The expected vectors
# below are worked out by hand from A and R (shown in each comment), not taken from print.
A = np.array([0.2, 0.5, 0.2, 0.1])
R = np.array(
    [
        [0.2, 0.5, 0.2, 0.1],
        [0.7, 0.2, 0.1, 0.0],
        [0.0, 0.4, 0.5, 0.1],
        [0.2, 0.3, 0.5, 0.0],
    ]
)


def test_textbook_clothing_example_all_operators_by_hand() -> None:
    # M(·,⊕): b1 = .2*.2 + .5*.7 + .2*0 + .1*.2 = .41; b2 = .1+.1+.08+.03 = .31;
    #         b3 = .04+.05+.10+.05 = .24; b4 = .02+0+.02+0 = .04
    assert fuzzy_composite(A, R).tolist() == pytest.approx([0.41, 0.31, 0.24, 0.04])
    # M(∧,∨): b1 = max(.2, .5, 0, .1) = .5; b2 = max(.2, .2, .2, .1) = .2;
    #         b3 = max(.2, .1, .2, .1) = .2; b4 = max(.1, 0, .1, 0) = .1
    assert fuzzy_composite(A, R, "M(∧,∨)").tolist() == pytest.approx([0.5, 0.2, 0.2, 0.1])
    # M(·,∨): b1 = max(.04, .35, 0, .02) = .35; b2 = max(.1, .1, .08, .03) = .1;
    #         b3 = max(.04, .05, .1, .05) = .1; b4 = max(.02, 0, .02, 0) = .02
    assert fuzzy_composite(A, R, "M(·,∨)").tolist() == pytest.approx([0.35, 0.1, 0.1, 0.02])
    # M(∧,⊕): b1 = .2+.5+0+.1 = .8; b2 = .2+.2+.2+.1 = .7; b3 = .2+.1+.2+.1 = .6;
    #         b4 = .1+0+.1+0 = .2
    assert fuzzy_composite(A, R, "min_bounded_sum").tolist() == pytest.approx([0.8, 0.7, 0.6, 0.2])
    res = fuzzy_evaluation(A, R, level_scores=[95, 80, 60, 30])
    assert res.level == 1 and res.raw.tolist() == pytest.approx([0.41, 0.31, 0.24, 0.04])
    assert res.score == pytest.approx(0.41 * 95 + 0.31 * 80 + 0.24 * 60 + 0.04 * 30)
    mm = fuzzy_evaluation(A, R, operator="M(∧,∨)", level_scores=[95, 80, 60, 30])
    assert mm.membership.tolist() == pytest.approx([0.5, 0.2, 0.2, 0.1])  # sums to 1 already


def test_bounded_sum_caps_at_one() -> None:
    a = np.array([0.6, 0.6])
    r = np.array([[0.9, 0.1], [0.8, 0.2]])
    assert fuzzy_composite(a, r, "M(∧,⊕)").tolist() == pytest.approx([1.0, 0.3])
    assert fuzzy_composite(a, r, "M(·,⊕)").tolist() == pytest.approx([1.0, 0.18])


def test_seven_level_reading_and_ambiguity() -> None:
    r = pd.DataFrame(
        [[0, 0, 0, 0.1, 0.4, 0.4, 0.1], [0, 0, 0, 0.2, 0.3, 0.4, 0.1]],
        index=["QUAL1", "QUAL2"],
    )
    res = fuzzy_evaluation(pd.Series({"QUAL2": 0.5, "QUAL1": 0.5}), r, lang="zh", ambiguity=0.03)
    # B = (0, 0, 0, .15, .35, .40, .10): level 6 满意; gap .05 is not < .03
    assert res.membership.tolist() == pytest.approx([0, 0, 0, 0.15, 0.35, 0.40, 0.10])
    assert (res.level, res.label) == (6, "满意")
    assert not res.ambiguous
    v = SEVEN_LEVELS.anchors
    assert res.score == pytest.approx(0.15 * v[3] + 0.35 * v[4] + 0.40 * v[5] + 0.10 * v[6])
    # .15 * 50 + .35 * 66.67 + .40 * 83.33 + .10 * 100 = 74.17, in [71.4, 85.7)
    assert res.score == pytest.approx(74.1666667)
    assert res.score_level == 6
    close = fuzzy_evaluation([0.4, 0.6], r.to_numpy(), ambiguity=0.1)
    assert close.ambiguous
    assert "ambiguous" in close.notes[0] and "prefer the level score" in close.summary()
    assert list(res.to_frame().columns) == ["level", "label", "raw", "membership"]


def test_evaluation_errors() -> None:
    with pytest.raises(CsiInputError, match=r"membership of 1 in grade 0 is 1.5"):
        fuzzy_evaluation([0.5, 0.5], [[0.5, 0.5], [1.5, 0]], level_scores=[1, 0])
    with pytest.raises(CsiInputError, match="3 weights for 2 indicators"):
        fuzzy_evaluation([0.2, 0.3, 0.5], [[0.5, 0.5], [0.5, 0.5]], level_scores=[1, 0])
    with pytest.raises(CsiInputError, match="give level_scores for 2 grades"):
        fuzzy_evaluation([0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(CsiInputError, match="operator must be one of"):
        fuzzy_composite(A, R, "M(+,+)")
    with pytest.raises(CsiInputError, match=r"no weight for indicator\(s\) \['b'\]"):
        fuzzy_evaluation(
            pd.Series({"a": 1.0}),
            pd.DataFrame([[1.0, 0], [0, 1.0]], index=["a", "b"]),
            level_scores=[1, 0],
        )


def test_membership_from_distribution_seven_and_ten_points() -> None:
    df = pd.DataFrame(
        {
            "q7": [1, 7, 7, 4, np.nan],
            "q10": [1, 2, 9, 10, 5],
        }
    )
    m = membership_matrix(df, ["q7", "q10"], scales={"q7": (1, 7), "q10": RatingScale(points=10)})
    assert m.loc["q7"].tolist() == pytest.approx([0.25, 0, 0, 0.25, 0, 0, 0.5])
    # 10-point: 1, 2 -> level 1; 5 -> level 4 (44.4); 9, 10 -> level 7
    assert m.loc["q10"].tolist() == pytest.approx([0.4, 0, 0, 0.2, 0, 0, 0.4])
    assert m.attrs["n_valid"] == {"q7": 4, "q10": 5}
    ten = RatingScale(points=10)
    levels = [
        int(np.argmax(membership_matrix(pd.DataFrame({"x": [k]}), ["x"], scales=ten).iloc[0])) + 1
        for k in range(1, 11)
    ]
    assert levels == [1, 1, 2, 3, 4, 4, 5, 6, 7, 7]
    with pytest.raises(
        CsiInputError, match=r"column 'q10' has value 99.0 at row 1 outside the scale 1-10"
    ):
        membership_matrix(df.assign(q10=[1, 99, 3, 4, 5]), ["q10"], scales=ten)
    with pytest.raises(CsiInputError, match="no scale given for item 'q7'"):
        membership_matrix(df, ["q7"], scales={})


def test_triangular_membership() -> None:
    mu = triangular_membership([50, 25, 100, np.nan])
    assert mu[0].tolist() == pytest.approx([0, 0, 0, 1, 0, 0, 0])
    assert mu[1].tolist() == pytest.approx([0, 0.5, 0.5, 0, 0, 0, 0])
    assert mu[2].tolist() == pytest.approx([0, 0, 0, 0, 0, 0, 1])
    assert np.isnan(mu[3]).all()
    df = pd.DataFrame({"q": [1, 7]})
    m = membership_matrix(df, ["q"], scales=(1, 7), method="triangular")
    assert m.iloc[0].tolist() == pytest.approx([0.5, 0, 0, 0, 0, 0, 0.5])


@given(st.lists(st.floats(0, 100), min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_triangular_memberships_sum_to_one(xs: list[float]) -> None:
    assert triangular_membership(xs).sum(axis=1) == pytest.approx(np.ones(len(xs)))


def test_fuzzy_hierarchy_two_levels_by_hand() -> None:
    memb = pd.DataFrame(
        [
            [0, 0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 1, 0, 0, 0],
        ],
        index=["QUAL1", "QUAL2", "VAL1"],
    )
    weights = {
        "CSI": pd.Series({"product": 0.6, "price": 0.4}),
        "product": pd.Series({"QUAL1": 0.5, "QUAL2": 0.5}),
        "price": pd.Series({"VAL1": 1.0}),
    }
    res = fuzzy_hierarchy(weights, memb, root="CSI")
    assert set(res) == {"CSI", "product", "price"}
    assert res["product"].membership.tolist() == pytest.approx([0, 0, 0, 0, 0.5, 0.5, 0])
    assert res["CSI"].membership.tolist() == pytest.approx([0, 0, 0, 0.4, 0.3, 0.3, 0])
    assert res["CSI"].level == 4
    with pytest.raises(CsiInputError, match="leaf 'VAL2' has no row"):
        fuzzy_hierarchy({"CSI": pd.Series({"VAL2": 1.0})}, memb, root="CSI")
