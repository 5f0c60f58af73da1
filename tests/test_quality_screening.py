"""Item screening: hand computations of item-total correlations and alpha if deleted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.pls import fit_pls
from csi.quality.screening import screen_items


def _survey(seed: int = 1, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=n), rng.normal(size=n)
    data = pd.DataFrame(
        {
            "q1": np.round(5 + f + 0.6 * rng.normal(size=n)),
            "q2": np.round(5 + f + 0.6 * rng.normal(size=n)),
            "q3": np.round(5 + f + 0.6 * rng.normal(size=n)),
            "q4": np.round(5 + 0.1 * f + rng.normal(size=n)),  # weak item
            "v1": np.round(5 + g + 0.5 * rng.normal(size=n)),
            "v2": np.round(5 + g + 0.5 * rng.normal(size=n)),
        }
    )
    data["q5"] = data["q1"] + np.round(0.2 * rng.normal(size=n))  # near duplicate of q1
    return data


GROUPS = {"Quality": ["q1", "q2", "q3", "q4", "q5"], "Value": ["v1", "v2"]}


def test_item_total_and_alpha_if_deleted_by_hand() -> None:
    data = _survey()
    out = screen_items(data, GROUPS)
    t = out.items.set_index("indicator")
    items = GROUPS["Quality"]

    def alpha(cols: list[str]) -> float:  # Cronbach 1951 on raw answers
        k = len(cols)
        return k / (k - 1) * (1 - data[cols].var().sum() / data[cols].sum(axis=1).var())

    for i in items:
        rest = [j for j in items if j != i]
        assert t.loc[i, "item_total"] == pytest.approx(
            np.corrcoef(data[i], data[rest].sum(axis=1))[0, 1], abs=1e-12
        )
        assert t.loc[i, "alpha_if_deleted"] == pytest.approx(alpha(rest), abs=1e-12)
    g = out.groups.set_index("group")
    assert g.loc["Quality", "alpha"] == pytest.approx(alpha(items), abs=1e-12)
    # the weak item is flagged three ways; the good ones are not
    assert (
        t.loc["q4", "low_item_total"] and t.loc["q4", "raises_alpha"] and t.loc["q4", "low_loading"]
    )
    assert not t.loc["q2", ["low_item_total", "raises_alpha", "low_loading"]].any()
    assert list(out.flagged()["indicator"]) == ["q4"]


def test_loading_is_that_of_a_lone_pls_construct() -> None:
    data = _survey()
    out = screen_items(data, {"Value": ["v1", "v2"], "Quality": ["q1", "q2", "q3"]})
    pls = fit_pls(data, "Quality =~ q1 + q2 + q3").loadings.set_index("indicator")["estimate"]
    t = out.items.set_index("indicator")
    np.testing.assert_allclose(t.loc[["q1", "q2", "q3"], "loading"], pls, atol=1e-6)


def test_near_duplicates_and_missing_answers() -> None:
    data = _survey()
    data.loc[[3, 7], "v2"] = np.nan
    before = data.copy()
    out = screen_items(data, GROUPS)
    pd.testing.assert_frame_equal(data, before)  # caller's frame untouched
    assert out.n_excluded == 2 and out.n == len(data) - 2
    dup = out.near_duplicates
    assert list(zip(dup.indicator_1, dup.indicator_2, strict=True)) == [("q1", "q5")]
    assert dup.correlation.iloc[0] == pytest.approx(
        data.dropna()[["q1", "q5"]].corr().iloc[0, 1], abs=1e-12
    )
    assert "q1" in out.summary() and "近似重复题项" in out.summary(lang="zh")
    # a looser cut-off drops the pair
    assert screen_items(data, GROUPS, thresholds={"near_duplicate": 0.999}).near_duplicates.empty


def test_errors_name_the_problem() -> None:
    data = _survey()
    with pytest.raises(CsiInputError, match="'zz'"):
        screen_items(data, ["q1", "zz"])
    with pytest.raises(CsiInputError, match="item 'q1' is listed in both 'A' and 'B'"):
        screen_items(data, {"A": ["q1", "q2"], "B": ["q1"]})
    const = data.assign(q2=3.0)
    with pytest.raises(CsiInputError, match="item 'q2' has the same answer"):
        screen_items(const, ["q1", "q2"])
    text = data.astype({"q1": object})
    text.loc[4, "q1"] = "n/a"
    with pytest.raises(CsiInputError, match="'n/a' at row 4"):
        screen_items(text, ["q1", "q2"])


def test_both_screens_flag_the_same_pairs_and_item_rest_correlations() -> None:
    """screen_items and screen_indicators share one rule: |r| >= threshold, and one
    item-rest correlation; a reversed copy (strongly negative r) is a near duplicate."""
    from csi.indicators import screen_indicators

    data = _survey()
    data["q6"] = 10 - data["q2"]  # a reversed copy of q2: r = -1
    items = ["q1", "q2", "q3", "q4", "q5", "q6"]
    R = data[items].corr()
    threshold = float(abs(R.loc["q1", "q5"]))  # exactly at the threshold: flagged by both
    expected = {
        (a, b)
        for k, a in enumerate(items)
        for b in items[k + 1 :]
        if abs(R.loc[a, b]) >= threshold - 1e-12
    }
    assert ("q1", "q5") in expected and ("q2", "q6") in expected
    by_items = screen_items(data, items, thresholds={"near_duplicate": threshold - 1e-12})
    got_items = set(
        zip(
            by_items.near_duplicates["indicator_1"],
            by_items.near_duplicates["indicator_2"],
            strict=True,
        )
    )
    flags = screen_indicators(data, items, duplicate_threshold=threshold - 1e-12)
    dup = flags[flags["check"] == "near_duplicate"]
    got_indicators = set(zip(dup["item"], dup["other"], strict=True))
    assert got_items == got_indicators == expected
    # item-rest correlation by hand in pandas, the same in both screens
    rest = {c: data[items].drop(columns=c).sum(axis=1) for c in items}
    by_hand = pd.Series({c: data[c].corr(rest[c]) for c in items})
    screened = by_items.items.set_index("indicator")["item_total"]
    np.testing.assert_allclose(screened[items], by_hand[items], rtol=1e-12)
    weak = screen_indicators(data, items, weak_threshold=1.0)  # every item flagged weak
    weak = weak[weak["check"] == "weak"].set_index("item")["value"]
    np.testing.assert_allclose(weak[items], by_hand[items], rtol=1e-12)
