"""Satisfaction-loyalty: groups (Jones & Sasser 1995), binned curve, zone of indifference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.metrics.loyalty import (
    GROUP_LABELS,
    loyalty_group_shares,
    loyalty_groups,
    satisfaction_loyalty,
)


def _answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sat": [9, 9, 3, 3, 8, 7, np.nan, 10],
            "loy": [9, 3, 9, 3, 8, 7, 5, 7],
        }
    )


def test_groups_by_hand_default_thresholds():
    # 1-10 scale: default threshold 1 + 0.75·9 = 7.75, so 8-10 is "high".
    g = loyalty_groups(_answers(), "sat", "loy", scale=(1, 10))
    en = GROUP_LABELS["en"]
    expected = [
        en["loyalist"],
        en["mercenary"],
        en["hostage"],
        en["defector"],
        en["loyalist"],
        en["defector"],
        None,
        en["mercenary"],
    ]
    assert [None if pd.isna(v) else v for v in g] == expected
    zh = loyalty_groups(_answers(), "sat", "loy", scale=(1, 10), lang="zh")
    assert list(zh.iloc[:4]) == ["忠诚者（传道者）", "图利者", "人质", "叛逃者（恐怖分子）"]


def test_groups_custom_thresholds_and_errors():
    g = loyalty_groups(_answers(), "sat", "loy", satisfaction_threshold=7, loyalty_threshold=7)
    assert g.iloc[5] == GROUP_LABELS["en"]["loyalist"]  # 7 >= 7 on both
    with pytest.raises(CsiInputError, match=r"give scale=.* or satisfaction_threshold="):
        loyalty_groups(_answers(), "sat", "loy")
    with pytest.raises(
        CsiInputError, match=r"'loy' has the answer 9 at row 0, outside the scale 1-5"
    ):
        loyalty_groups(_answers(), "sat", "loy", scale=(1, 10), loyalty_scale=(1, 5))


def test_group_shares_by_hand():
    t = loyalty_group_shares(_answers(), "sat", "loy", scale=(1, 10), min_size=1)
    # 7 valid pairs: loyalist 2, mercenary 2, hostage 1, defector 2
    assert t["code"].tolist() == ["loyalist", "mercenary", "hostage", "defector"]
    assert t["count"].tolist() == [2, 2, 1, 2]
    assert t["share"].tolist() == pytest.approx([200 / 7, 200 / 7, 100 / 7, 200 / 7])
    assert (t["n"] == 7).all() and (t["n_missing"] == 1).all()
    sup = loyalty_group_shares(_answers(), "sat", "loy", scale=(1, 10))
    assert sup["suppressed"].all() and sup["share"].isna().all() and len(sup) == 4


def _kinked(n: int = 3000, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    # loyalty rises with slope 1 up to satisfaction 4, is flat at 4 from 4 to 7,
    # then rises with slope 2 to 10 at satisfaction 10 (average slope 1).
    rng = np.random.default_rng(seed)
    x = np.linspace(1, 10, n)
    y = np.where(x < 4, x, np.where(x < 7, 4.0, 4 + 2 * (x - 7)))
    return pd.DataFrame({"sat": x, "loy": y + rng.normal(0, noise, n) if noise else y})


def test_zone_of_indifference_found_on_kinked_curve():
    r = satisfaction_loyalty(_kinked(), "sat", "loy", scale=(1, 10), frac=0.15)
    assert r.zone is not None
    # true flat range 4-7; LOWESS rounds the corners, so allow half a point
    assert 3.9 <= r.zone.lower <= 4.6
    assert 6.4 <= r.zone.upper <= 7.1
    assert r.zone.overall_slope == pytest.approx(1.0, abs=0.05)
    assert abs(r.zone.mean_slope) < 0.25
    assert "zone of indifference: satisfaction" in r.zone.describe()
    assert r.zone.describe(lang="zh").startswith("无差异区")
    # with noise the zone is still found in about the same place
    noisy = satisfaction_loyalty(
        _kinked(noise=0.5), "sat", "loy", satisfaction_threshold=8, loyalty_threshold=8, frac=0.2
    )
    assert noisy.zone is not None and 3.6 <= noisy.zone.lower <= 5.0
    assert 6.0 <= noisy.zone.upper <= 7.4


def test_no_zone_for_linear_or_falling_relation():
    x = np.linspace(1, 10, 500)
    lin = satisfaction_loyalty(pd.DataFrame({"s": x, "l": x}), "s", "l", scale=(1, 10))
    assert lin.zone is None
    down = satisfaction_loyalty(pd.DataFrame({"s": x, "l": 11 - x}), "s", "l", scale=(1, 10))
    assert down.zone is None
    assert "no zone of indifference" in lin.summary()


def test_bins_and_curve():
    rng = np.random.default_rng(1)
    s = rng.integers(1, 11, 1000)
    data = pd.DataFrame({"s": s, "l": s + rng.normal(0, 1, 1000)})
    data.loc[0, "l"] = np.nan
    cut = {"satisfaction_threshold": 8, "loyalty_threshold": 8}  # noisy loyalty leaves 1-10
    r = satisfaction_loyalty(data, "s", "l", min_size=30, **cut)
    assert r.bins["bin"].tolist() == [str(v) for v in range(1, 11)]
    three = r.bins[r.bins["bin"] == "3"].iloc[0]
    sel = (data["s"] == 3) & data["l"].notna()
    assert three["n"] == sel.sum() and three["loyalty"] == pytest.approx(data.loc[sel, "l"].mean())
    assert r.n == 999 and r.n_missing == 1
    assert len(r.curve) == 101 and r.curve["satisfaction"].iloc[0] == 1
    # a linear truth is recovered by the smooth within noise
    assert np.abs(r.curve["loyalty"] - r.curve["satisfaction"]).max() < 0.3
    wide = satisfaction_loyalty(data, "s", "l", bins=3, **cut)
    assert len(wide.bins) == 3 and wide.bins["n"].sum() == 999
    assert "满意度与忠诚度" in r.summary(lang="zh")
    assert r.to_frame().equals(r.bins)


def test_small_bins_suppressed_and_bad_options():
    data = pd.DataFrame({"s": [1, 1, 2, 2, 3, 3] * 10, "l": range(60)})
    data.loc[:1, "s"] = 10  # a bin with only 2 answers
    cut = {"satisfaction_threshold": 8, "loyalty_threshold": 30}
    r = satisfaction_loyalty(data, "s", "l", min_size=5, **cut)
    ten = r.bins[r.bins["bin"] == "10"].iloc[0]
    assert ten["suppressed"] and np.isnan(ten["loyalty"]) and ten["n"] == 2
    with pytest.raises(CsiInputError, match="at least 3 distinct answers"):
        satisfaction_loyalty(
            pd.DataFrame({"s": [1, 2] * 5, "l": range(1, 11)}), "s", "l", scale=(1, 10)
        )
    with pytest.raises(CsiInputError, match="frac must be"):
        satisfaction_loyalty(data, "s", "l", frac=0, **cut)
