"""level_groups: the seven levels read as dissatisfied (1-3), neutral (4), satisfied (5-7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.scales import level_groups


def test_level_groups_by_hand() -> None:
    # default cuts 100k/7: level 4 is [42.857, 57.143), level 5 starts at 400/7 = 57.142857
    scores = [10, 40, 50, 57.14, 400 / 7, 90, 100, np.nan]
    g = level_groups(scores)
    assert list(g.columns) == ["group", "label", "levels", "count", "share"]
    assert g["group"].tolist() == ["dissatisfied", "neutral", "satisfied"]
    assert g["levels"].tolist() == ["1-3", "4", "5-7"]
    assert g["count"].tolist() == [2, 2, 3]  # 10, 40 | 50, 57.14 | 400/7 (on a cut: upper), 90, 100
    assert g["share"].tolist() == pytest.approx([2 / 7, 2 / 7, 3 / 7])
    assert g.attrs["n_missing"] == 1
    assert g["label"].iloc[2] == "satisfied (levels 5-7)"


def test_level_groups_chinese_weights_and_errors() -> None:
    g = level_groups([0, 100], lang="zh", weights=[3, 1])
    assert g["label"].tolist() == ["不满意（1-3级）", "一般（4级）", "满意（5-7级）"]
    assert g["share"].tolist() == pytest.approx([0.75, 0.0, 0.25])
    empty = level_groups([np.nan])
    assert empty["share"].tolist() == [0.0, 0.0, 0.0] and empty.attrs["n_missing"] == 1
    with pytest.raises(CsiInputError, match="lang"):
        level_groups([50], lang="fr")
    with pytest.raises(CsiInputError, match="weights has 1 values but there are 2 scores"):
        level_groups([0, 50], weights=[1])


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60))
def test_level_groups_shares_sum_to_one_and_split_at_the_cuts(scores: list[float]) -> None:
    g = level_groups(scores).set_index("group")
    assert g["share"].sum() == pytest.approx(1.0)
    assert g["count"].sum() == len(scores)
    x = np.asarray(scores)
    # independent reading of the default cuts: satisfied from 400/7, dissatisfied below 300/7
    assert g.loc["satisfied", "count"] == int((x >= 400 / 7).sum())
    assert g.loc["dissatisfied", "count"] == int((x < 300 / 7).sum())
