"""Segment and period comparisons: Welch/paired t, NPS differences, corrections."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from csi._checks import CsiInputError
from csi.metrics.compare import (
    adjust_pvalues,
    compare_periods,
    compare_segments,
    describe_change,
    mean_difference,
    nps_difference,
)


def test_welch_by_hand():
    # Welch (1947): a = 1..5 (mean 3, s² 2.5), b = 3,5,7,9 (mean 6, s² 6.667);
    # se² = 2.5/5 + 6.667/4 = 2.16667, se = 1.47196, t = -2.03810,
    # df = 2.16667² / (0.5²/4 + 1.66667²/3) = 4.74941,
    # 95% CI -3 ± t(0.975, 4.749)·se = [-6.8446, 0.8446], p = 0.10008.
    r = mean_difference([1, 2, 3, 4, 5], [3, 5, 7, 9])
    assert r["difference"] == pytest.approx(-3)
    assert r["se"] == pytest.approx(1.47196, abs=1e-5)
    assert r["df"] == pytest.approx(4.74941, abs=1e-5)
    assert r["stat"] == pytest.approx(-2.03810, abs=1e-5)
    assert r["ci_lower"] == pytest.approx(-6.8446, abs=1e-4)
    assert r["ci_upper"] == pytest.approx(0.8446, abs=1e-4)
    assert r["pvalue"] == pytest.approx(0.10008, abs=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=3, max_size=30),
    st.lists(st.floats(0, 100), min_size=3, max_size=30),
)
def test_welch_and_paired_agree_with_scipy(a, b):
    a_, b_ = np.array(a), np.array(b)
    if a_.std() < 1e-6 or b_.std() < 1e-6:
        return
    r = mean_difference(a_, b_)
    ref = stats.ttest_ind(a_, b_, equal_var=False)
    assert r["stat"] == pytest.approx(ref.statistic, rel=1e-9)
    assert r["pvalue"] == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-12)
    ci = ref.confidence_interval(0.95)
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((ci.low, ci.high), rel=1e-7)
    m = min(len(a), len(b))
    d = a_[:m] - b_[:m]
    if m < 2 or d.std() < 1e-6:
        return
    rp = mean_difference(a_[:m], b_[:m], paired=True)
    refp = stats.ttest_rel(a_[:m], b_[:m])
    assert rp["stat"] == pytest.approx(refp.statistic, rel=1e-9)
    assert rp["df"] == m - 1


def test_paired_by_hand():
    # Student (1908): d = (2, 1, 3, 2), mean 2, s_d = 0.8165, se = 0.40825, t = 4.899, df 3,
    # 95% CI 2 ± 3.1824·0.40825 = [0.7008, 3.2992].
    r = mean_difference([7, 6, 8, 9], [5, 5, 5, 7], paired=True)
    assert r["stat"] == pytest.approx(4.89898, abs=1e-5)
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((0.7008, 3.2992), abs=1e-4)
    with pytest.raises(CsiInputError, match="equal lengths"):
        mean_difference([1, 2], [1], paired=True)


def test_nps_difference_by_hand():
    # a: 5 promoters, 2 passives, 3 detractors (NPS 20, Var 0.076 -> 760 points²);
    # b: 1 promoter, 3 passives, 6 detractors (NPS -50, Var (0.1+0.6-0.25)/10 = 450).
    # Difference 70, se = sqrt(1210) = 34.7851, z = 2.01236, p = 0.04418,
    # 95% CI [1.8225, 138.1775] (Rocks 2016 variance, independent groups).
    a = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]
    b = [10, 8, 8, 7, 6, 5, 4, 3, 2, 1]
    r = nps_difference(a, b)
    assert r["difference"] == pytest.approx(70)
    assert r["se"] == pytest.approx(34.7851, abs=1e-4)
    assert r["stat"] == pytest.approx(2.01236, abs=1e-5)
    assert r["pvalue"] == pytest.approx(0.044182, abs=1e-6)
    assert r["ci_lower"] == pytest.approx(1.8225, abs=1e-4)
    assert np.isnan(r["df"])


def test_nps_difference_paired_by_hand():
    # Same three customers: s_a = (100, 100, -100), s_b = (-100, 100, 100),
    # d = (200, 0, -200): mean 0, plug-in var 80000/3, se = sqrt(80000/9) = 94.281.
    r = nps_difference([10, 9, 5], [5, 9, 10], paired=True)
    assert r["difference"] == 0 and r["se"] == pytest.approx(94.2809, abs=1e-4)
    with pytest.raises(CsiInputError, match="integers 0-10, got 11"):
        nps_difference([11], [5])


def test_adjust_pvalues_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm (1979): sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04,
    # running maximum 0.02, 0.03, 0.06, 0.06.
    assert adjust_pvalues(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, method="bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    # Benjamini & Hochberg (1995): p·m/rank = 0.02, 0.02, 0.04, 0.04, running minimum from top.
    assert adjust_pvalues(p, method="bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    out = adjust_pvalues([0.01, np.nan, 0.04])  # NaN left out: m = 2
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.04)
    assert adjust_pvalues(p, method="none") == pytest.approx(p)
    with pytest.raises(CsiInputError, match="correction must be one of"):
        adjust_pvalues(p, method="sidak")


def _survey(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    region = np.repeat(["East", "North", "South", "West"], [150, 150, 80, 20])
    shift = pd.Series(region).map({"East": 1.5, "North": 0.0, "South": 0.0, "West": 0.0})
    score = np.clip(np.round(6 + shift.to_numpy() + rng.normal(0, 1.5, n)), 1, 10)
    return pd.DataFrame({"region": region, "sat": score, "recommend": score})


def test_compare_segments_against_rest_matches_welch():
    data = _survey()
    t = compare_segments(data, "sat", by="region", scale=(1, 10), min_size=30)
    assert list(t["region"]) == ["East", "North", "South", "West"]
    east = t.iloc[0]
    a = (data.loc[data.region == "East", "sat"] - 1) / 9 * 100
    b = (data.loc[data.region != "East", "sat"] - 1) / 9 * 100
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert east["difference"] == pytest.approx(a.mean() - b.mean())
    assert east["pvalue"] == pytest.approx(ref.pvalue)
    assert east["reference"] == "rest" and east["significant"]
    # Holm over the three unsuppressed rows; West (n = 20) is kept but blanked
    west = t.iloc[3]
    assert west["suppressed"] and np.isnan(west["difference"]) and np.isnan(west["p_adjusted"])
    raw = t.loc[~t["suppressed"], "pvalue"].to_numpy()
    assert t.loc[~t["suppressed"], "p_adjusted"].to_numpy() == pytest.approx(
        adjust_pvalues(raw, method="holm")
    )


def test_compare_segments_with_duplicated_index_labels():
    data = _survey()
    dup = data.set_axis([0] * len(data))  # every row labelled 0
    a = compare_segments(data, "sat", by="region")
    b = compare_segments(dup, "sat", by="region")
    pd.testing.assert_frame_equal(a, b)


def test_compare_segments_reference_and_nps():
    data = _survey()
    t = compare_segments(data, "recommend", by="region", reference="North", measure="nps")
    assert "North" not in set(t["region"])
    east = t[t["region"] == "East"].iloc[0]
    a = data.loc[data.region == "East", "recommend"]
    b = data.loc[data.region == "North", "recommend"]
    r = nps_difference(a, b)
    assert east["difference"] == pytest.approx(r["difference"])
    assert east["test"] == "z" and east["value_reference"] == pytest.approx(
        100 * ((b >= 9).mean() - (b <= 6).mean())
    )
    with pytest.raises(CsiInputError, match="reference segment 'Central' not found"):
        compare_segments(data, "sat", by="region", reference="Central")
    with pytest.raises(CsiInputError, match="at least one segment column"):
        compare_segments(data, "sat", by=[])


def _two_waves() -> pd.DataFrame:
    # 40 customers answer in both waves; each gains exactly 3 points except the first
    # four, who gain 1 -> paired mean change = (36·3 + 4·1)/40 = 2.8.
    ids = [f"c{i}" for i in range(40)]
    before = np.array([5 + (i % 4) for i in range(40)], dtype=float)
    after = before + np.where(np.arange(40) < 4, 1, 3)
    return pd.DataFrame(
        {
            "respondent_id": ids + ids,
            "wave": ["2025H2"] * 40 + ["2026H1"] * 40,
            "region": ["North"] * 80,
            "sat": np.concatenate([before, after]),
        }
    )


def test_compare_periods_paired_by_id():
    data = _two_waves()
    t = compare_periods(
        data, "sat", period="wave", current="2026H1", previous="2025H2", id="respondent_id"
    )
    row = t.iloc[0]
    assert row["test"] == "paired t" and row["n_current"] == 40 and row["n_unmatched"] == 0
    assert row["difference"] == pytest.approx(2.8)
    # d has 36 threes and 4 ones: s_d = sqrt((36·0.04 + 4·3.24)/39) = 0.6078, se = 0.0961
    assert row["se"] == pytest.approx(np.sqrt((36 * 0.04 + 4 * 3.24) / 39) / np.sqrt(40))
    assert row["df"] == 39
    assert row["text"] == f"{row['value_current']:.1f}, up 2.8 points"
    # shuffled row order gives the same pairing
    shuffled = data.sample(frac=1, random_state=1)
    t2 = compare_periods(
        shuffled, "sat", period="wave", current="2026H1", previous="2025H2", id="respondent_id"
    )
    assert t2.iloc[0]["difference"] == pytest.approx(2.8)


def test_compare_periods_independent_and_chinese_text():
    data = _two_waves()
    t = compare_periods(
        data, "sat", period="wave", current="2026H1", previous="2025H2", by="region", lang="zh"
    )
    row = t.iloc[0]
    assert row["test"] == "welch t" and row["region"] == "North"
    ref = stats.ttest_ind(data.sat[40:], data.sat[:40], equal_var=False)
    assert row["pvalue"] == pytest.approx(ref.pvalue)
    assert row["text"].endswith("，上升2.8分")
    assert list(t.columns[:5]) == ["region", "previous", "current", "measure", "test"]


def test_compare_periods_unmatched_counted_and_errors():
    data = _two_waves().drop(index=[0, 1])  # two customers lost their first-wave answer
    with pytest.warns(UserWarning, match="2 customers answered in only one"):
        t = compare_periods(
            data,
            "sat",
            period="wave",
            current="2026H1",
            previous="2025H2",
            id="respondent_id",
            min_size=10,
        )
    assert t.iloc[0]["n_unmatched"] == 2 and t.iloc[0]["n_current"] == 38
    dup = pd.concat([_two_waves(), _two_waves().iloc[[45]]])
    with pytest.raises(CsiInputError, match=r"id 'c5' appears 2 times in period '2026H1'"):
        compare_periods(
            dup, "sat", period="wave", current="2026H1", previous="2025H2", id="respondent_id"
        )
    with pytest.raises(CsiInputError, match=r"current period '2027' not found in column 'wave'"):
        compare_periods(_two_waves(), "sat", period="wave", current="2027", previous="2025H2")


def test_compare_periods_suppresses_small_segments():
    data = _two_waves()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = compare_periods(
            data, "sat", period="wave", current="2026H1", previous="2025H2", min_size=41
        )
    assert t.iloc[0]["suppressed"] and np.isnan(t.iloc[0]["difference"])
    assert t.iloc[0]["text"] == ""


def test_describe_change():
    assert describe_change(85.6, 3.2) == "85.6, up 3.2 points"
    assert describe_change(85.6, -1.0) == "85.6, down 1.0 point"
    assert describe_change(85.6, 0.04) == "85.6, unchanged"
    assert describe_change(85.6, -3.2, lang="zh") == "85.6，下降3.2分"
    assert describe_change(85.6, 0.0, lang="zh") == "85.6，持平"
    assert describe_change(float("nan"), 1.0) == ""
    with pytest.raises(CsiInputError, match="lang must be one of"):
        describe_change(1, 1, lang="fr")


def test_adjust_pvalues_within_families_equals_each_family_alone() -> None:
    """Families (e.g. one per construct) are adjusted separately; NaN stays NaN, by hand."""
    p = np.array([0.010, 0.040, np.nan, 0.030, 0.002, 0.200])
    fam = np.array(["Sat", "Sat", "Sat", "Loy", "Loy", "Loy"])
    got = adjust_pvalues(p, method="holm", families=fam)
    # Holm by hand: Sat has 2 valid p-values (0.01 -> 0.02, 0.04 -> 0.04);
    # Loy has 3 (0.002 -> 0.006, 0.03 -> 0.06, 0.2 -> 0.2)
    np.testing.assert_allclose(got, [0.02, 0.04, np.nan, 0.06, 0.006, 0.2])
    with pytest.raises(CsiInputError, match="3 labels for 6"):
        adjust_pvalues(p, families=fam[:3])
