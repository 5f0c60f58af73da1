"""Multi-group SEM and the measurement-invariance ladder.

Reference values: lavaan tutorial, "Multiple groups" (https://lavaan.ugent.be/tutorial/
groups.html): Holzinger-Swineford CFA by school, printed as
``fit1 df 48 AIC 7484.4 BIC 7706.8 chisq 115.85``; ``fit2 (loadings) 54 7480.6 7680.8
124.04, diff 8.192 df 6 p 0.2244``; ``fit3 (+ intercepts) 60 7508.6 7686.6 164.10, diff
40.059 df 6 p 4.435e-07``. Tolerances follow the printed digits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from csi.sem.invariance import invariance
from lavaan_models import HS


@pytest.fixture(scope="module")
def hs(reference) -> pd.DataFrame:
    return pd.read_csv(reference("lavaan", "HolzingerSwineford1939.csv"))


def test_ladder_matches_lavaan_tutorial(hs):
    res = invariance(hs, HS, group="school", levels=("configural", "metric", "scalar"))
    t = res.table.set_index("model")
    expected = {
        "configural": (48, 7484.4, 7706.8, 115.85),
        "metric": (54, 7480.6, 7680.8, 124.04),
        "scalar": (60, 7508.6, 7686.6, 164.10),
    }
    for model, (df, aic, bic, chisq) in expected.items():
        assert t.loc[model, "df"] == df
        assert t.loc[model, "aic"] == pytest.approx(aic, abs=0.05)
        assert t.loc[model, "bic"] == pytest.approx(bic, abs=0.05)
        assert t.loc[model, "chisq"] == pytest.approx(chisq, abs=0.005)
    assert t.loc["metric", "chisq_diff"] == pytest.approx(8.192, abs=5e-4)
    assert t.loc["metric", "pvalue_diff"] == pytest.approx(0.2244, abs=5e-5)
    assert t.loc["scalar", "chisq_diff"] == pytest.approx(40.059, abs=5e-4)
    assert t.loc["scalar", "pvalue_diff"] == pytest.approx(4.435e-07, rel=1e-3)
    assert res.highest_level() == "metric"
    assert "configural" in res.summary() and "<table" in res._repr_html_()


def test_configural_model_is_separate_fits_added_up(hs):
    """Configural chisq, loglik and estimates equal the per-group fits (independent fits)."""
    multi = fit_sem(hs, HS, group="school")
    chisq = loglik = 0.0
    for school in ("Pasteur", "Grant-White"):
        single = fit_sem(hs[hs.school == school], HS)
        chisq += single.fit_indices["chisq"]
        loglik += single.fit_indices["loglik"]
        mine = multi.estimates[(multi.estimates.group == school) & (multi.estimates.op != "~1")]
        np.testing.assert_allclose(
            mine["estimate"].to_numpy(), single.estimates["estimate"].to_numpy(), rtol=1e-5
        )
        np.testing.assert_allclose(
            mine["se"].to_numpy(), single.estimates["se"].to_numpy(), rtol=1e-4
        )
    assert multi.fit_indices["chisq"] == pytest.approx(chisq, rel=1e-8)
    assert multi.fit_indices["loglik"] == pytest.approx(loglik, rel=1e-8)
    assert multi.groups == ("Pasteur", "Grant-White")  # order of appearance, as lavaan
    assert list(multi.r2.columns) == ["Pasteur", "Grant-White"]


def test_equal_loadings_are_equal(hs):
    res = fit_sem(hs, HS, group="school", group_equal=["loadings"])
    load = res.estimates[res.estimates.op == "=~"].pivot_table(
        index=["lhs", "rhs"], columns="group", values="estimate"
    )
    np.testing.assert_allclose(load["Pasteur"], load["Grant-White"], rtol=1e-12)


def _two_groups(n: int, seed: int, loadings_b=(0.8, 0.7, 0.6, 0.75), mean_b: float = 0.0):
    """One-factor model, four items, intercepts 3; group b may differ in loadings/mean."""
    rng = np.random.default_rng(seed)
    frames = []
    for name, lam, mean in (("a", (0.8, 0.7, 0.6, 0.75), 0.0), ("b", loadings_b, mean_b)):
        f = mean + rng.normal(size=n)
        x = {
            f"q{k + 1}": 3.0 + lam[k] * f + np.sqrt(1 - 0.8 * lam[k] ** 2) * rng.normal(size=n)
            for k in range(4)
        }
        frames.append(pd.DataFrame(x).assign(segment=name))
    return pd.concat(frames, ignore_index=True)


ONE = "F =~ q1 + q2 + q3 + q4"


def test_ladder_not_rejected_when_invariance_holds():
    data = _two_groups(2_000, seed=21)
    res = invariance(data, ONE, group="segment")
    diffs = res.table.set_index("model")
    # with invariance true each difference is chi2(df); p < 0.001 would be a 1-in-1000 event
    for model in ("metric", "scalar", "strict"):
        assert diffs.loc[model, "pvalue_diff"] > 0.001
        assert abs(diffs.loc[model, "cfi_diff"]) < 0.005
    assert res.highest_level() == "strict"


def test_ladder_rejects_unequal_loadings():
    data = _two_groups(2_000, seed=22, loadings_b=(0.8, 0.3, 0.6, 0.95))
    res = invariance(data, ONE, group="segment", levels=("configural", "metric"))
    row = res.table.set_index("model").loc["metric"]
    assert row["pvalue_diff"] < 1e-10 and row["df_diff"] == 3


def test_latent_mean_difference_recovered_under_scalar_invariance():
    """Group b's factor mean is 0.5 higher (factor variance 1 in group a)."""
    data = _two_groups(5_000, seed=23, mean_b=0.5)
    res = fit_sem(data, ONE, group="segment", group_equal=["loadings", "intercepts"])
    est = res.estimates
    mean_b = est[(est.group == "b") & (est.lhs == "F") & (est.op == "~1")]
    mean_a = est[(est.group == "a") & (est.lhs == "F") & (est.op == "~1")]
    assert mean_a["estimate"].iloc[0] == 0.0 and mean_a["se"].iloc[0] == 0.0
    # in the metric of q1's loading (0.8): 0.5 * 0.8 = 0.4; SE about 0.02 at n = 5,000
    assert mean_b["estimate"].iloc[0] == pytest.approx(0.4, abs=0.06)
    assert mean_b["std_all"].iloc[0] == pytest.approx(0.5, abs=0.06)


def test_group_errors_and_counts():
    data = _two_groups(200, seed=1)
    with pytest.raises(CsiInputError, match="unknown kind 'slopes'"):
        fit_sem(data, ONE, group="segment", group_equal=["slopes"])
    with pytest.raises(CsiInputError, match="needs a group column"):
        fit_sem(data, ONE, group_equal=["loadings"])
    with pytest.raises(CsiInputError, match="fewer than 2 groups"):
        fit_sem(data.assign(segment="a"), ONE, group="segment")
    with pytest.raises(CsiInputError, match="levels"):
        invariance(data, ONE, group="segment", levels=("scalar", "metric"))
    gaps = data.copy()
    gaps.loc[[0, 1], "segment"] = None
    gaps.loc[5, "q2"] = np.nan
    res = fit_sem(gaps, ONE, group="segment")
    assert res.n_excluded == 3 and res.n == 397
