"""NPS, CSAT and box scores: hand-checked examples, suppression, errors, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.metrics.intervals import wilson_interval
from csi.metrics.scores import box_scores, csat, nps, nps_interval

HAND = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]  # 5 promoters, 2 passives, 3 detractors


def test_nps_by_hand_with_trinomial_interval():
    # Reichheld (2003): NPS = %promoters - %detractors = 50 - 30 = 20.
    # Rocks (2016, The American Statistician 70:365, eq. for the trinomial variance):
    # Var = [p_P + p_D - (p_P - p_D)²]/n = (0.5 + 0.3 - 0.04)/10 = 0.076,
    # SE = 27.5681 points; 95% Wald: 20 ± 1.959964 · 27.5681 = [-34.0325, 74.0325].
    t = nps(pd.DataFrame({"recommend": HAND}), min_size=1)
    row = t.iloc[0]
    assert (row["promoters"], row["passives"], row["detractors"]) == (5, 2, 3)
    assert row["pct_promoters"] == 50 and row["pct_detractors"] == 30
    assert row["nps"] == pytest.approx(20.0)
    assert row["se"] == pytest.approx(27.5681, abs=1e-4)
    assert row["ci_lower"] == pytest.approx(-34.0325, abs=1e-4)
    assert row["ci_upper"] == pytest.approx(74.0325, abs=1e-4)
    assert not row["suppressed"]


def test_nps_interval_clipped_and_empty():
    # all promoters: NPS 100, variance (1 + 0 - 1)/n = 0; the interval is the exact one
    # (Clopper-Pearson lower bound of the promoter share 0.025^(1/10)), not a point
    assert nps_interval(10, 0, 0) == pytest.approx(
        (100.0, 0.0, 100 * (2 * 0.025**0.1 - 1), 100.0), abs=1e-12
    )
    assert all(np.isnan(nps_interval(0, 0, 0)))
    score, _, lo, hi = nps_interval(9, 0, 1)  # 80 ± 1.96·sqrt((1 - 0.64)/10)·100 > 100
    assert score == pytest.approx(80) and hi == 100.0 and lo < 80


def test_nps_bootstrap_is_seeded_and_close_to_wald():
    counts = (450, 300, 250)  # n = 1000, NPS = 20, Wald SE = sqrt(0.7 - 0.04)/sqrt(1000)
    a = nps_interval(*counts, method="bootstrap", seed=3, n_boot=4000)
    b = nps_interval(*counts, method="bootstrap", seed=3, n_boot=4000)
    assert a == b
    wald_se = 100 * np.sqrt(0.66 / 1000)  # 2.569 points
    assert a[1] == pytest.approx(wald_se, rel=0.05)
    assert a[2] == pytest.approx(20 - 1.96 * wald_se, abs=0.5)
    assert a[3] == pytest.approx(20 + 1.96 * wald_se, abs=0.5)


def test_nps_per_segment_suppresses_small_segments_and_counts_missing():
    data = pd.DataFrame(
        {
            "recommend": HAND * 4 + [10, 0, np.nan],
            "region": ["North"] * 40 + ["West"] * 3,
        }
    )
    before = data.copy()
    t = nps(data, by="region", min_size=30)
    pd.testing.assert_frame_equal(data, before)  # caller's frame untouched
    assert list(t["region"]) == ["North", "West"]
    north, west = t.iloc[0], t.iloc[1]
    # complementary suppression: with two segments, North's figures would give West's
    # by subtraction from the total, so North is hidden too (its n stays visible)
    assert north["suppressed"] and np.isnan(north["nps"]) and north["n"] == 40
    assert nps(data[data["region"] == "North"])["nps"].iloc[0] == pytest.approx(20)
    assert west["suppressed"] and west["n"] == 2 and west["n_missing"] == 1
    assert np.isnan(west["nps"]) and np.isnan(west["ci_lower"]) and pd.isna(west["promoters"])
    assert set(t.columns) >= {"n", "n_missing", "nps", "se", "ci_lower", "ci_upper", "suppressed"}


def test_nps_segment_with_missing_segment_value_is_kept():
    data = pd.DataFrame({"recommend": [10] * 4, "region": ["N", "N", None, None]})
    t = nps(data, by="region", min_size=1)
    assert len(t) == 2 and t["region"].isna().sum() == 1


def test_nps_bad_answers_name_row_and_value():
    data = pd.DataFrame({"recommend": [10, 9, 11]}, index=["r1", "r2", "r3"])
    with pytest.raises(CsiInputError, match=r"'recommend' has the answer 11 at row 'r3'"):
        nps(data)
    with pytest.raises(CsiInputError, match=r"answer 99 at row 1.*missing-value codes"):
        nps(pd.DataFrame({"recommend": [5, 99]}))
    with pytest.raises(CsiInputError, match=r"non-integer answer 7.5 at row 0"):
        nps(pd.DataFrame({"recommend": [7.5]}))
    with pytest.raises(CsiInputError, match=r"non-numeric answer 'high' at row 1"):
        nps(pd.DataFrame({"recommend": [5, "high"]}))
    with pytest.raises(CsiInputError, match="column not found in data: 'nps'"):
        nps(pd.DataFrame({"recommend": [5]}), "nps")
    with pytest.raises(CsiInputError, match="method must be one of"):
        nps(pd.DataFrame({"recommend": [5]}), method="exact")
    with pytest.raises(CsiInputError, match="min_size"):
        nps(pd.DataFrame({"recommend": [5]}), min_size=-1)


def test_csat_top_two_box_with_wilson():
    # 1-5 scale, top-2-box = answers 4 or 5: 6 of 10 -> 60%.
    # Wilson (1927), p = 0.6, n = 10: centre (0.6 + 0.19207)/1.38415 = 0.57225,
    # half-width 1.959964 · sqrt(0.024 + 0.0096037)/1.38415 = 0.25958 -> [31.267, 83.182]%.
    data = pd.DataFrame({"q": [5, 5, 4, 4, 3, 2, 1, 5, 4, 3]})
    row = csat(data, "q", min_size=1).iloc[0]
    assert row["satisfied"] == 6 and row["csat"] == pytest.approx(60)
    assert row["ci_lower"] == pytest.approx(31.2674, abs=1e-3)
    assert row["ci_upper"] == pytest.approx(83.1820, abs=1e-3)
    # top-1-box on the same answers: 3 of 10
    assert csat(data, "q", top=1, min_size=1).iloc[0]["csat"] == pytest.approx(30)
    # exact interval option: Clopper-Pearson for 6/10 is [26.24, 87.84]% (Clopper & Pearson 1934)
    ex = csat(data, "q", method="exact", min_size=1).iloc[0]
    assert (round(ex["ci_lower"], 2), round(ex["ci_upper"], 2)) == (26.24, 87.84)


def test_csat_errors():
    data = pd.DataFrame({"q": [1, 6]})
    with pytest.raises(CsiInputError, match=r"answer 6 at row 1, outside the scale 1-5"):
        csat(data, "q")
    with pytest.raises(CsiInputError, match="top must be an integer from 1 to 4"):
        csat(pd.DataFrame({"q": [1]}), "q", top=5)
    with pytest.raises(CsiInputError, match="scale must satisfy lowest < highest"):
        csat(pd.DataFrame({"q": [1]}), "q", scale=(5, 1))


def test_box_scores_by_hand():
    # 1-5 scale, answers 1,2,3,4,5,5: mean 20/6 = 3.3333, index 100·(3.3333-1)/4 = 58.333;
    # top box (5): 2/6 = 33.33%; bottom box (1): 1/6 = 16.67%; top-2 (4, 5): 50%.
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 5], "b": [5, 5, 5, 5, 5, np.nan]})
    t = box_scores(data, ["a", "b"], scale=(1, 5), min_size=1)
    a = t[t["item"] == "a"].iloc[0]
    assert a["mean"] == pytest.approx(10 / 3)
    assert a["index"] == pytest.approx(58.3333, abs=1e-4)
    assert a["top_box"] == pytest.approx(100 / 3) and a["bottom_box"] == pytest.approx(100 / 6)
    # t interval of the mean on the 0-100 scale: sd = 1.6330, se = 0.6667,
    # t(0.975, 5) = 2.5706 -> mean 3.3333 ± 1.7137 -> index 58.33 ± 42.84
    assert a["index_upper"] - a["index"] == pytest.approx(42.84, abs=0.01)
    b = t[t["item"] == "b"].iloc[0]
    assert b["n"] == 5 and b["n_missing"] == 1 and b["index"] == 100
    top2 = box_scores(data, "a", scale=(1, 5), top=2, min_size=1).iloc[0]
    assert top2["top_box"] == pytest.approx(50)


def test_box_scores_suppression_and_errors():
    data = pd.DataFrame({"a": [1, 2, 3, 4], "g": ["x", "x", "x", "y"]})
    t = box_scores(data, "a", scale=(1, 5), by="g", min_size=2)
    assert list(t["suppressed"]) == [True, True]  # y < 2, and x hidden to protect it
    assert np.isnan(t.loc[1, "index"]) and t.loc[1, "n"] == 1
    with pytest.raises(CsiInputError, match="segment column not found in data: 'h'"):
        box_scores(data, "a", scale=(1, 5), by="h")
    with pytest.raises(CsiInputError, match="at least one item"):
        box_scores(data, [], scale=(1, 5))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_invariants(answers):
    row = nps(pd.DataFrame({"recommend": answers}), min_size=0).iloc[0]
    assert -100 <= row["ci_lower"] <= row["nps"] <= row["ci_upper"] <= 100
    shares = row["pct_promoters"] + row["pct_passives"] + row["pct_detractors"]
    assert shares == pytest.approx(100)
    # relabelling: reversing promoters and detractors flips the sign
    flipped = [{10: 0, 9: 0, 8: 7, 7: 7}.get(a, 10) for a in answers]
    assert nps(pd.DataFrame({"recommend": flipped}), min_size=0).iloc[0]["nps"] == pytest.approx(
        -row["nps"]
    )


@pytest.mark.slow
def test_nps_and_csat_intervals_reach_nominal_coverage():
    # Simulation: 2000 samples of n = 200 from a known trinomial (true NPS = 20) and
    # a known Bernoulli (true CSAT = 80%); 95% intervals should cover 93-97% of the time.
    rng = np.random.default_rng(20260101)
    p = np.array([0.45, 0.30, 0.25])
    counts = rng.multinomial(200, p, size=2000)
    wald = [nps_interval(*c) for c in counts]
    cover = np.mean([lo <= 20 <= hi for _, _, lo, hi in wald])
    assert 0.93 <= cover <= 0.97
    boot = [nps_interval(*c, method="bootstrap", n_boot=1000, seed=rng) for c in counts[:500]]
    cover_boot = np.mean([lo <= 20 <= hi for _, _, lo, hi in boot])
    assert 0.93 <= cover_boot <= 0.97
    k = rng.binomial(200, 0.8, size=2000)
    lo, hi = wilson_interval(k, np.full(2000, 200))
    assert 0.93 <= np.mean((lo <= 0.8) & (0.8 <= hi)) <= 0.97
    # and through the table functions, 500 samples
    hits_nps = hits_csat = 0
    for _ in range(500):
        answers = rng.choice([10, 8, 3], size=200, p=p)
        t = nps(pd.DataFrame({"recommend": answers}))
        hits_nps += t["ci_lower"].iloc[0] <= 20 <= t["ci_upper"].iloc[0]
        q = np.where(rng.random(200) < 0.8, 5, 2)
        c = csat(pd.DataFrame({"q": q}), "q")
        hits_csat += c["ci_lower"].iloc[0] <= 80 <= c["ci_upper"].iloc[0]
    assert 0.93 <= hits_nps / 500 <= 0.97
    assert 0.93 <= hits_csat / 500 <= 0.97


def test_nps_interval_of_identical_answers_is_exact_not_a_point():
    from csi.metrics import nps_interval

    # 50 promoters: Clopper-Pearson lower bound of the promoter share, L = 0.025^(1/50)
    low = 0.025 ** (1 / 50)
    score, se, lower, upper = nps_interval(50, 0, 0)
    assert (score, se, upper) == (100.0, 0.0, 100.0)
    assert lower == pytest.approx(100 * (2 * low - 1), abs=1e-12) and lower < 100
    score, se, lower, upper = nps_interval(0, 50, 0)
    assert score == 0 and lower == pytest.approx(-100 * (1 - low)) and upper == -lower
    score, _, lower, upper = nps_interval(0, 0, 50, method="bootstrap", seed=1)
    assert score == -100 and lower == -100 and upper == pytest.approx(-100 * (2 * low - 1))


def test_box_scores_of_identical_answers_have_an_exact_interval():
    data = pd.DataFrame({"q": [4] * 20})
    row = box_scores(data, "q", scale=(1, 5), min_size=1).iloc[0]
    low = 0.025 ** (1 / 20)  # Clopper-Pearson lower bound of the share answering 4
    assert row["index"] == pytest.approx(75)
    assert row["index_lower"] == pytest.approx(100 * (low * 4 + (1 - low) * 1 - 1) / 4)
    assert row["index_upper"] == pytest.approx(100 * (low * 4 + (1 - low) * 5 - 1) / 4)
    assert row["index_lower"] < 75 < row["index_upper"]
