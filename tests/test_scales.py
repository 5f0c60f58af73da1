"""Rating scales, rescaling to 0-100 and the seven-level satisfaction scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.scales import (
    ANCHOR_MIDPOINT_CUTS,
    DEFAULT_CUTS,
    SEVEN_LEVELS,
    RatingScale,
    classify,
    level_distribution,
    level_label,
    validate_cuts,
)


def test_rating_scale_end_points_and_known_values() -> None:
    s10 = RatingScale(points=10)
    assert (s10.min, s10.max) == (1.0, 10.0)
    assert s10.to_100(1) == 0.0
    assert s10.to_100(10) == 100.0
    assert s10.to_100(5.5) == pytest.approx(50.0)
    assert s10.to_100(4) == pytest.approx(100 / 3)  # (4-1)/9*100
    s0 = RatingScale(min=0, max=10)
    assert s0.points == 11
    assert s0.to_100(7) == pytest.approx(70.0)
    assert RatingScale(points=7).from_100(50) == pytest.approx(4.0)


def test_rating_scale_vectorised_and_does_not_mutate() -> None:
    df = pd.DataFrame({"a": [1, 4, 7], "b": [7, np.nan, 1]})
    before = df.copy()
    out = RatingScale(points=7).to_100(df)
    pd.testing.assert_frame_equal(df, before)
    assert out["a"].tolist() == pytest.approx([0, 50, 100])
    assert np.isnan(out.loc[1, "b"])
    ser = RatingScale(points=7).to_100(df["a"])
    assert isinstance(ser, pd.Series) and ser.index.equals(df.index)
    arr = RatingScale(points=5).to_100(np.array([1, 3, 5]))
    assert arr.tolist() == pytest.approx([0, 50, 100])


def test_rating_scale_errors_name_the_problem() -> None:
    with pytest.raises(
        CsiInputError, match=r"RatingScale\(min, max\) must satisfy lowest < highest .*got \(5, 5\)"
    ):
        RatingScale(min=5, max=5)
    with pytest.raises(CsiInputError, match="points must be an integer >= 2"):
        RatingScale(points=1)
    with pytest.raises(CsiInputError, match="does not match"):
        RatingScale(points=7, min=1, max=10)
    with pytest.raises(CsiInputError, match=r"column 'q1' has value 11.0 at row 2 outside"):
        RatingScale(points=10).check(pd.Series([1, 5, 11, 3], name="q1"))


@given(
    lo=st.floats(-100, 100),
    width=st.floats(0.5, 100),
    frac=st.floats(0, 1),
)
def test_rescale_round_trip(lo: float, width: float, frac: float) -> None:
    sc = RatingScale(min=lo, max=lo + width)
    x = lo + frac * width
    assert sc.from_100(sc.to_100(x)) == pytest.approx(x, abs=1e-9 * max(1, abs(lo) + width))
    assert sc.to_100(sc.from_100(frac * 100)) == pytest.approx(frac * 100, abs=1e-9)


def test_seven_levels_labels_codings_behaviours() -> None:
    assert SEVEN_LEVELS.labels("zh") == [
        "很不满意",
        "不满意",
        "不太满意",
        "一般",
        "较满意",
        "满意",
        "很满意",
    ]
    assert SEVEN_LEVELS.labels("en")[0] == "very dissatisfied"
    assert SEVEN_LEVELS.labels("en")[6] == "very satisfied"
    assert SEVEN_LEVELS[3].behaviour("zh") == "抱怨"
    assert SEVEN_LEVELS[7].behaviour("en") == "delighted, fulfilled"
    assert SEVEN_LEVELS.codes.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert SEVEN_LEVELS.centred_codes.tolist() == [-3, -2, -1, 0, 1, 2, 3]
    assert SEVEN_LEVELS[4].centred == 0
    assert SEVEN_LEVELS.anchors == pytest.approx([0, 100 / 6, 200 / 6, 50, 400 / 6, 500 / 6, 100])
    assert level_label(4, "zh") == "一般"
    frame = SEVEN_LEVELS.to_frame("zh")
    assert list(frame.columns) == [
        "level",
        "label",
        "behaviour",
        "code_centred",
        "anchor",
        "lower",
        "upper",
    ]
    with pytest.raises(CsiInputError, match=r"must be 1\.\.7, got 8"):
        SEVEN_LEVELS[8]
    with pytest.raises(CsiInputError, match="lang must be one of"):
        SEVEN_LEVELS.labels("fr")


def test_default_cuts_are_equal_width_and_anchors_fall_in_their_level() -> None:
    assert np.allclose(DEFAULT_CUTS, [100 * k / 7 for k in range(1, 7)])
    # every 7-point answer rescaled to 0-100 is read as its own level
    seven = RatingScale(points=7)
    assert classify(seven.to_100(np.arange(1, 8))).tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert classify(SEVEN_LEVELS.anchors, "anchor_midpoints").tolist() == list(range(1, 8))


def test_classify_known_values_scalars_series_labels() -> None:
    assert classify(0) == 1
    assert classify(100) == 7
    assert classify(50) == 4
    assert classify(14.0) == 1
    assert classify(14.3) == 2
    assert classify(80, lang="zh", labels=True) == "满意"
    assert classify(float("nan")) is None
    s = pd.Series([0, 60, np.nan], index=["a", "b", "c"])
    out = classify(s)
    assert out.index.tolist() == ["a", "b", "c"]
    assert out.tolist()[:2] == [1, 5] and out.isna().tolist() == [False, False, True]
    lab = classify(s, labels=True)
    assert lab.tolist()[:2] == ["very dissatisfied", "somewhat satisfied"]


@given(k=st.integers(0, 5), cuts=st.sampled_from([None, "anchor_midpoints"]))
def test_score_exactly_on_a_cut_belongs_to_the_upper_level(k: int, cuts: str | None) -> None:
    c = validate_cuts(cuts)
    assert classify(c[k], cuts) == k + 2
    assert classify(np.nextafter(c[k], -np.inf), cuts) == k + 1


@given(st.lists(st.floats(0, 100), min_size=1, max_size=30))
def test_classify_is_monotone_and_in_range(xs: list[float]) -> None:
    xs = sorted(xs)
    lv = classify(np.array(xs))
    assert np.all(np.diff(lv) >= 0)
    assert lv.min() >= 1 and lv.max() <= 7


def test_user_cuts_validated_with_clear_messages() -> None:
    cuts = [10, 20, 40, 60, 80, 90]
    assert classify(20, cuts) == 3
    assert classify(95, cuts) == 7
    with pytest.raises(CsiInputError, match=r"6 cut points .* got 5"):
        classify(50, [10, 20, 30, 40, 50])
    with pytest.raises(CsiInputError, match=r"strictly increasing: cut 3 \(15\) <= cut 2 \(20\)"):
        classify(50, [10, 20, 15, 40, 50, 60])
    with pytest.raises(CsiInputError, match=r"cut point 6 \(120.0\) must lie within \[0, 100\]"):
        classify(50, [10, 20, 30, 40, 50, 120])
    with pytest.raises(CsiInputError, match="cuts must be one of"):
        classify(50, "quantiles")
    with pytest.raises(CsiInputError, match=r"score 101.0 at position 1 is outside the 0-100"):
        classify([50, 101])


def test_anchor_midpoint_cuts() -> None:
    assert np.allclose(ANCHOR_MIDPOINT_CUTS, [100 / 12, 25, 500 / 12, 700 / 12, 75, 1100 / 12])


def test_level_distribution_all_levels_with_zeros() -> None:
    scores = [0, 5, 50, 50, 99, np.nan]
    d = level_distribution(scores, lang="zh")
    assert list(d.columns) == ["level", "label", "count", "share"]
    assert d["level"].tolist() == list(range(1, 8))
    assert d["count"].tolist() == [2, 0, 0, 2, 0, 0, 1]
    assert d["share"].tolist() == pytest.approx([0.4, 0, 0, 0.4, 0, 0, 0.2])
    assert d["label"].iloc[3] == "一般"
    assert d.attrs["n_missing"] == 1
    w = level_distribution([0, 50], weights=[3, 1])
    assert w["count"].tolist() == pytest.approx([3, 0, 0, 1, 0, 0, 0])
    assert w["share"].iloc[0] == pytest.approx(0.75)
    with pytest.raises(CsiInputError, match="weights has 1 values but there are 2 scores"):
        level_distribution([0, 50], weights=[1])
