"""Operational rates and times: published intervals, hand examples, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.metrics.rates import case_rates, durations, service_level, time_summary


def _cases() -> pd.DataFrame:
    # 263 cases, 81 with a complaint: the example of Newcombe (1998, Table II), whose
    # Wilson interval is [0.2553, 0.3662] and Clopper-Pearson interval [0.2527, 0.3676].
    complained = np.r_[np.ones(81), np.zeros(182)].astype(bool)
    churned = np.r_[np.ones(15), np.zeros(133), np.full(115, np.nan)]  # 15/148 (Newcombe)
    return pd.DataFrame(
        {
            "complained": complained,
            "churned": churned,
            "store": ["A"] * 250 + ["B"] * 13,
        }
    )


def test_case_rates_wilson_and_exact_match_published_figures():
    cases = _cases()
    t = case_rates(
        cases, {"complaint": "complained", "churn": "churned"}, complement={"retention": "churned"}
    )
    c = t[t["measure"] == "complaint"].iloc[0]
    assert c["n"] == 263 and c["events"] == 81
    assert c["rate"] == pytest.approx(100 * 81 / 263)
    assert (round(c["ci_lower"], 2), round(c["ci_upper"], 2)) == (25.53, 36.62)
    ch = t[t["measure"] == "churn"].iloc[0]
    assert ch["n"] == 148 and ch["n_missing"] == 115
    assert (round(ch["ci_lower"], 2), round(ch["ci_upper"], 2)) == (6.24, 16.05)
    ret = t[t["measure"] == "retention"].iloc[0]
    assert ret["rate"] == pytest.approx(100 - ch["rate"])
    assert ret["ci_lower"] == pytest.approx(100 - ch["ci_upper"])  # Wilson is symmetric in k
    ex = case_rates(cases, ["complained"], method="exact").iloc[0]
    assert (round(ex["ci_lower"], 2), round(ex["ci_upper"], 2)) == (25.27, 36.76)


def test_case_rates_per_segment_suppressed():
    t = case_rates(_cases(), ["complained"], by="store", min_size=30)
    assert t["store"].tolist() == ["A", "B"]
    b = t.iloc[1]
    assert b["suppressed"] and b["n"] == 13 and np.isnan(b["rate"]) and pd.isna(b["events"])
    assert t.iloc[0]["suppressed"]  # A hidden too: total minus A would give B


def test_case_rates_errors():
    cases = pd.DataFrame({"churned": [0, 1, 2]})
    with pytest.raises(CsiInputError, match=r"'churned' must be yes/no .* got 2 at row 2"):
        case_rates(cases, ["churned"])
    with pytest.raises(CsiInputError, match=r"got 'yes' at row 0"):
        case_rates(pd.DataFrame({"c": ["yes"]}), ["c"])
    with pytest.raises(CsiInputError, match="measure names must be unique"):
        case_rates(_cases(), {"x": "complained"}, complement={"x": "churned"})


def test_service_level_by_hand():
    # answered in 5, 10, 15, 20, 30, 200 minutes, one unanswered:
    # within 15 min: 3 of 6 answered; within 2 h (120 min): 5 of 6.
    cases = pd.DataFrame({"response": [5, 10, 15, 20, 30, 200, np.nan]})
    t = service_level(cases, "response", limits=[15, "2h"], min_size=1)
    assert t["limit"].tolist() == [15.0, 120.0]
    assert t["within"].tolist() == [3, 5]
    assert t["share"].tolist() == pytest.approx([50.0, 500 / 6])
    assert t["n_missing"].tolist() == [1, 1]
    late = service_level(cases, "response", limits=["15min"], unanswered="late", min_size=1)
    assert late.iloc[0]["n"] == 7 and late.iloc[0]["share"] == pytest.approx(300 / 7)
    # timedelta column and hours as unit
    td = pd.DataFrame({"response": pd.to_timedelta([30, 90, 150], unit="min")})
    h = service_level(td, "response", limits=[2], unit="h", min_size=1).iloc[0]
    assert h["within"] == 2 and h["limit"] == 2.0


def test_service_level_errors():
    with pytest.raises(CsiInputError, match=r"negative time -5 at row 1"):
        service_level(pd.DataFrame({"t": [1, -5]}), "t", limits=[15])
    with pytest.raises(CsiInputError, match="service level must be a number or a duration"):
        service_level(pd.DataFrame({"t": [1]}), "t", limits=["soon"])
    with pytest.raises(CsiInputError, match="unit must be one of"):
        service_level(pd.DataFrame({"t": [1]}), "t", limits=[1], unit="weeks")


def test_time_summary_median_and_p90_intervals():
    # times 1..10 min: median 5.5 with the order-statistic 95% interval (X(2), X(9))
    # (Conover 1999, §3.2); p90 = 9.1 (type-7 quantile), interval (X(7), unbounded).
    cases = pd.DataFrame({"t": np.arange(1.0, 11.0), "g": "all"})
    t = time_summary(cases, "t", by="g", min_size=1)
    med, p90 = t.iloc[0], t.iloc[1]
    assert (med["quantile"], med["estimate"], med["ci_lower"], med["ci_upper"]) == (
        0.5,
        5.5,
        2.0,
        9.0,
    )
    assert p90["estimate"] == pytest.approx(9.1) and p90["ci_lower"] == 7.0
    assert np.isnan(p90["ci_upper"])
    small = time_summary(cases, "t", min_size=30)
    assert small["suppressed"].all() and small["estimate"].isna().all()


def test_time_summary_interval_covers_true_median():
    # exponential times with mean 10: true median 10·ln 2 = 6.931; with 300 samples of 50
    # the nominal-95% (conservative) interval should cover at least 93% of the time.
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(300):
        t = time_summary(
            pd.DataFrame({"t": rng.exponential(10, 50)}), "t", quantiles=[0.5], min_size=1
        ).iloc[0]
        hits += t["ci_lower"] <= 10 * np.log(2) <= t["ci_upper"]
    assert hits / 300 >= 0.93


def test_durations():
    cases = pd.DataFrame(
        {
            "opened": ["2026-01-05 09:00", "2026-01-05 10:00", None],
            "answered": ["2026-01-05 09:12", "2026-01-05 12:30", "2026-01-05 11:00"],
        }
    )
    d = durations(cases, "opened", "answered")
    assert d.iloc[:2].tolist() == [12.0, 150.0] and np.isnan(d.iloc[2])
    assert durations(cases, "opened", "answered", unit="h").iloc[1] == 2.5
    bad = cases.assign(answered=["2026-01-05 08:00", "2026-01-05 12:30", None])
    with pytest.raises(CsiInputError, match="'answered' is before 'opened' at row 0"):
        durations(bad, "opened", "answered")
