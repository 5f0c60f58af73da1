"""Targets, gaps and the hot-spots table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.metrics.targets import hot_spots, target_gaps


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["North", "North", "East", "East", "West"],
            "indicator": ["csi", "nps", "csi", "nps", "csi"],
            "value": [85.6, 30.0, 78.0, 45.0, 70.0],
            "previous": [82.4, 35.0, 80.0, 40.0, 90.0],
            "suppressed": [False, False, False, False, True],
        }
    )


def test_gaps_flags_by_hand():
    scores = _scores()
    before = scores.copy()
    g = target_gaps(
        scores, target={"csi": 85, "nps": 40}, indicator="indicator", previous="previous"
    )
    pd.testing.assert_frame_equal(scores, before)
    # gap = value - target: 0.6, -10, -7, 5; change = value - previous: 3.2, -5, -2, 5
    assert g["gap"].iloc[:4].tolist() == pytest.approx([0.6, -10.0, -7.0, 5.0])
    assert g["change"].iloc[:4].tolist() == pytest.approx([3.2, -5.0, -2.0, 5.0])
    assert g["below_target"].tolist() == [False, True, True, False, False]
    assert g["falling"].tolist() == [False, True, True, False, False]
    # suppressed West keeps its row but has no gap and no flags
    assert np.isnan(g["gap"].iloc[4]) and not g["falling"].iloc[4]


def test_target_forms_and_pvalue_gate():
    scores = _scores()
    g = target_gaps(scores, target=80)
    assert g["gap"].iloc[0] == pytest.approx(5.6) and not g["falling"].any()
    tt = pd.DataFrame({"region": ["North", "East"], "target": [90.0, 75.0]})
    g2 = target_gaps(scores, target=tt)
    assert g2["target"].tolist()[:4] == [90.0, 90.0, 75.0, 75.0]
    assert np.isnan(g2["target"].iloc[4])
    s2 = scores.assign(change=[3.2, -5.0, -2.0, 5.0, -20.0], p=[0.01, 0.20, 0.01, 0.5, 0.0])
    g3 = target_gaps(s2, target=80, change="change", pvalue="p")
    # North nps fell 5 points but p = 0.20 -> not flagged; East csi fell 2 with p = 0.01
    assert g3["falling"].tolist() == [False, False, True, False, False]


def test_target_errors():
    scores = _scores()
    with pytest.raises(CsiInputError, match="needs indicator="):
        target_gaps(scores, target={"csi": 85})
    with pytest.raises(CsiInputError, match="column not found in scores: 'score'"):
        target_gaps(scores, target=80, value="score")
    with pytest.raises(CsiInputError, match="either change or previous"):
        target_gaps(scores, target=80, change="value", previous="previous")
    dup = pd.DataFrame({"region": ["North", "North"], "target": [1.0, 2.0]})
    with pytest.raises(CsiInputError, match="more than one target"):
        target_gaps(scores, target=dup)
    with pytest.raises(CsiInputError, match="target must be a number"):
        target_gaps(scores, target="high")


def test_hot_spots_order_and_reason():
    g = target_gaps(
        _scores(), target={"csi": 85, "nps": 40}, indicator="indicator", previous="previous"
    )
    extra = g.iloc[[3]].assign(region="South", change=-1.0, falling=True, gap=5.0)
    h = hot_spots(pd.concat([g, extra], ignore_index=True))
    # both flags first, larger shortfall first (-10 before -7); then falling only
    assert h["region"].tolist() == ["North", "East", "South"]
    assert h["indicator"].tolist() == ["nps", "csi", "nps"]
    assert h["priority"].tolist() == [1, 2, 3]
    assert h["reason"].tolist() == ["below target; falling", "below target; falling", "falling"]
    zh = hot_spots(g, lang="zh", top=1)
    assert len(zh) == 1 and zh["reason"].iloc[0] == "低于目标；下降"
    with pytest.raises(CsiInputError, match="column"):
        hot_spots(_scores())
