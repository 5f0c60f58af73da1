"""Staff appraisal: empirical-Bayes shrinkage (Morris 1983; DerSimonian & Laird 1986)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.metrics.staff import staff_appraisal


def _three() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent": ["E1"] * 4 + ["E2"] * 4 + ["E3"] * 4,
            "score": [8, 9, 10, 9, 6, 7, 8, 7, 4, 5, 6, 5],
        }
    )


def test_shrinkage_by_hand():
    # Each employee: 4 ratings, s² = 2/3 -> pooled σ² = 2/3, v = σ²/4 = 1/6, w = 6.
    # Means 9, 7, 5; weighted mean 7; Q = 6·(4 + 0 + 4) = 48; Σw - Σw²/Σw = 18 - 6 = 12;
    # DerSimonian-Laird τ² = (48 - 2)/12 = 3.8333.  B = (1/6)/(1/6 + 3.8333) = 1/24.
    # θ̂_1 = 7 + (23/24)·2 = 8.91667.  Σu = 3/4, variance (23/24)(1/6) + (1/24)²·(4/3)
    # = 0.162037, sd = 0.402538 (Morris 1983).
    res = staff_appraisal(_three(), "score", "agent", min_ratings=4, seed=1)
    t = res.table.set_index("employee")
    assert res.within_variance == pytest.approx(2 / 3)
    assert res.teams["tau2"].iloc[0] == pytest.approx(46 / 12)
    assert res.teams["team_mean"].iloc[0] == pytest.approx(7.0)
    assert t.loc["E1", "shrunk"] == pytest.approx(8.916667, abs=1e-6)
    assert t.loc["E3", "shrunk"] == pytest.approx(5.083333, abs=1e-6)
    assert t.loc["E1", "se"] == pytest.approx(0.402538, abs=1e-6)
    assert t.loc["E1", "reliability"] == pytest.approx(23 / 24)
    assert t.loc["E1", "ci_lower"] == pytest.approx(8.916667 - 1.959964 * 0.402538, abs=1e-5)
    # means 2 points apart with sd 0.4: ranks are certain
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["rank_lower"].tolist() == [1, 2, 3] and t["rank_upper"].tolist() == [1, 2, 3]


def test_no_between_variance_shrinks_everyone_to_team_mean():
    # identical employee means -> Q = 0 -> τ² = 0 -> B = 1
    data = pd.DataFrame({"agent": ["a"] * 3 + ["b"] * 3, "score": [1, 2, 3, 3, 2, 1]})
    t = staff_appraisal(data, "score", "agent", min_ratings=1).table
    assert t["shrunk"].tolist() == pytest.approx([2.0, 2.0])
    assert t["reliability"].tolist() == pytest.approx([0.0, 0.0])


def test_fewer_ratings_shrink_more_and_below_minimum_is_suppressed():
    rng = np.random.default_rng(3)
    rows = []
    for j, (n, mu) in enumerate([(60, 9.0), (3, 9.0), (60, 6.0), (60, 7.0), (8, 9.0)]):
        rows += [{"agent": f"e{j}", "team": "T", "score": mu + e} for e in rng.normal(0, 1, n)]
    data = pd.DataFrame(rows)
    res = staff_appraisal(data, "score", "agent", team="team", min_ratings=5, seed=2)
    t = res.table.set_index("employee")
    assert t.loc["e1", "suppressed"] and np.isnan(t.loc["e1", "shrunk"])
    assert np.isnan(t.loc["e1", "rank"]) and t.loc["e1", "n"] == 3
    assert t.loc["e4", "reliability"] < t.loc["e0", "reliability"]
    # the team mean pulls the 8-rating employee down more than the 60-rating one
    mu = res.teams["team_mean"].iloc[0]
    raw4, raw0 = t.loc["e4", "mean"], t.loc["e0", "mean"]
    assert abs(t.loc["e4", "shrunk"] - mu) / abs(raw4 - mu) < abs(t.loc["e0", "shrunk"] - mu) / abs(
        raw0 - mu
    )
    assert (t.loc[~t["suppressed"], "ranked_among"] == 4).all()
    ranked = t[~t["suppressed"]]
    assert (ranked["rank_lower"] <= ranked["rank"]).all()
    assert (ranked["rank"] <= ranked["rank_upper"]).all()
    assert "too few ratings" in res.summary()
    assert "员工考评" in res.summary(lang="zh")
    assert list(res.table.columns[:3]) == ["team", "employee", "n"]


def test_rank_intervals_reproducible_with_seed():
    data = pd.DataFrame({"agent": list("aabbccdd") * 3, "score": np.arange(24) % 7 + 1.0})
    a = staff_appraisal(data, "score", "agent", min_ratings=2, seed=5).table
    b = staff_appraisal(data, "score", "agent", min_ratings=2, seed=5).table
    pd.testing.assert_frame_equal(a, b)


def test_staff_errors_and_unassigned_ratings():
    data = _three()
    data.loc[0, "agent"] = None
    with pytest.warns(UserWarning, match="1 ratings have no employee"):
        res = staff_appraisal(data, "score", "agent", min_ratings=1)
    assert res.n_unassigned == 1
    with pytest.raises(CsiInputError, match=r"answer 12 at row 3, outside the scale 1-10"):
        staff_appraisal(
            _three().assign(score=[8, 9, 10, 12] + [5] * 8), "score", "agent", scale=(1, 10)
        )
    two = _three().assign(team=["A"] * 6 + ["B"] * 6)
    with pytest.raises(CsiInputError, match="employee 'E2' appears in more than one team"):
        staff_appraisal(two, "score", "agent", team="team")
    with pytest.raises(CsiInputError, match="two or more ratings"):
        staff_appraisal(pd.DataFrame({"agent": ["a", "b"], "score": [1, 2]}), "score", "agent")


def test_shrinkage_beats_raw_means_on_simulated_staff():
    # Known population: θ_j ~ N(70, 5²) on a 0-100 scale, ratings θ_j + N(0, 15²),
    # 3 to 30 ratings each. Over 200 employees the shrunk means have a smaller mean
    # squared error than the raw means, τ² is recovered, and the 95% intervals cover
    # close to 95% of the true θ_j (empirical Bayes; Morris 1983).
    rng = np.random.default_rng(11)
    theta = rng.normal(70, 5, 200)
    sizes = rng.integers(3, 31, 200)
    rows = [
        {"agent": f"e{j}", "score": y}
        for j in range(200)
        for y in theta[j] + rng.normal(0, 15, sizes[j])
    ]
    res = staff_appraisal(pd.DataFrame(rows), "score", "agent", min_ratings=3, seed=0)
    t = res.table.assign(j=lambda d: d["employee"].str[1:].astype(int)).sort_values("j")
    truth = theta[t["j"].to_numpy()]
    mse_raw = np.mean((t["mean"].to_numpy() - truth) ** 2)
    mse_shrunk = np.mean((t["shrunk"].to_numpy() - truth) ** 2)
    assert mse_shrunk < 0.8 * mse_raw
    assert res.teams["tau2"].iloc[0] == pytest.approx(25, rel=0.5)
    cover = np.mean((t["ci_lower"].to_numpy() <= truth) & (truth <= t["ci_upper"].to_numpy()))
    assert 0.9 <= cover <= 0.99


def _staff(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    emp = np.repeat([f"e{k}" for k in range(8)], 25)
    return pd.DataFrame(
        {
            "emp": emp,
            "team": np.where(np.isin(emp, ["e0", "e1", "e2", "e3"]), "A", "B"),
            "score": rng.integers(1, 11, emp.size).astype(float),
            "w": rng.uniform(0.5, 3.0, emp.size).round(2),
        }
    )


def test_weighted_staff_means_and_design_variance():
    data = _staff()
    res = staff_appraisal(data, "score", "emp", team="team", weights="w", min_ratings=5)
    table = res.table.set_index("employee")
    n_total = len(data)
    for e, part in data.groupby("emp"):
        mean = np.average(part["score"], weights=part["w"])
        assert table.loc[e, "mean"] == pytest.approx(mean, abs=1e-12)  # weighted mean
    # the design variance of an employee's mean (one PSU per rating, no strata), by hand:
    # N/(N-1) sum over the employee's ratings of (w_i (y_i - mean) / W_j)^2
    part = data[data["emp"] == "e0"]
    mean = np.average(part["score"], weights=part["w"])
    v = (
        n_total
        / (n_total - 1)
        * np.sum((part["w"] * (part["score"] - mean) / part["w"].sum()) ** 2)
    )
    tau2 = res.teams.set_index("team").loc["A", "tau2"]
    b = v / (v + tau2)
    assert table.loc["e0", "reliability"] == pytest.approx(1 - b, rel=1e-9)
    # switched off: the unweighted appraisal, unchanged
    plain = staff_appraisal(data, "score", "emp", team="team", min_ratings=5)
    off = staff_appraisal(data, "score", "emp", team="team", min_ratings=5, weights=False)
    pd.testing.assert_frame_equal(plain.table, off.table)
    assert not np.allclose(plain.table["mean"], res.table["mean"])


def test_staff_appraisal_of_a_weighted_survey():
    import csi

    data = _staff().assign(rid=lambda d: [f"r{k}" for k in range(len(d))])
    book = {"id": "rid", "weight": "w", "items": {"score": {"min": 1, "max": 10}}}
    survey = csi.read_survey(data, book)
    by_survey = staff_appraisal(survey, "score", "emp", team="team", min_ratings=5)
    by_frame = staff_appraisal(data, "score", "emp", team="team", min_ratings=5, weights="w")
    pd.testing.assert_frame_equal(by_survey.table, by_frame.table)
