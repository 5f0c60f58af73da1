"""The six-construct CSI model by covariance-based SEM: recovery of known population values.

Data: ``csi.datasets.simulate_csi(continuous=True)`` draws from a standardized population
model with the default ACSI paths (including Satisfaction -> Complaints = -0.40) and a
single error-free complaints item (loading 1), so the population values are known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.datasets.simulate import simulate_csi
from csi.moments import moments_from_frame
from csi.sem import fit_sem
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def big():
    sim = simulate_csi(20_000, seed=11, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    return sim, spec, fit_sem(sim.data, spec)


def test_paths_recovered_within_002(big):
    """n = 20,000: the sampling SD of a standardized path is about 0.007, so 0.02 is ~3 SD."""
    sim, _, res = big
    est = res.estimates
    for row in sim.true_paths.itertuples():
        hit = est[(est.op == "~") & (est.lhs == row.target) & (est.rhs == row.source)]
        assert len(hit) == 1
        assert hit["std_all"].iloc[0] == pytest.approx(row.estimate, abs=0.02), (
            row.source,
            row.target,
        )
    comp = est[(est.lhs == "Complaints") & (est.op == "~")]
    assert comp["estimate"].iloc[0] < 0 and comp["pvalue"].iloc[0] < 1e-10


def test_loadings_recovered(big):
    sim, _, res = big
    est = res.estimates
    for row in sim.true_loadings.itertuples():
        hit = est[(est.op == "=~") & (est.lhs == row.construct) & (est.rhs == row.indicator)]
        assert hit["std_all"].iloc[0] == pytest.approx(row.estimate, abs=0.02), row.indicator


def test_correct_model_fits(big):
    _, _, res = big
    f = res.fit_indices
    assert f["cfi"] > 0.99 and f["rmsea"] < 0.02 and f["srmr"] < 0.02
    assert res.converged and not [d for d in res.diagnostics if d.severity == "error"]


def test_single_item_construct_is_its_item(big):
    """Default: loading fixed 1, error variance fixed 0 (lavaan's auto.fix.single)."""
    _, _, res = big
    est = res.estimates
    load = est[(est.lhs == "Complaints") & (est.op == "=~")].iloc[0]
    err = est[(est.lhs == "COMP1") & (est.op == "~~") & (est.rhs == "COMP1")].iloc[0]
    assert (load["estimate"], load["se"]) == (1.0, 0.0)
    assert (err["estimate"], err["se"]) == (0.0, 0.0)
    assert res.r2["COMP1"] == pytest.approx(1.0)


def test_single_item_reliability_fixes_error_variance():
    sim = simulate_csi(2_000, seed=5, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    res = fit_sem(sim.data, spec, single_item_reliability=0.8)
    x = sim.data["COMP1"].to_numpy()
    var_ml = x.var()  # divisor n, the variance the ML fit uses
    err = res.estimates[(res.estimates.lhs == "COMP1") & (res.estimates.op == "~~")]
    assert err["estimate"].iloc[0] == pytest.approx(0.2 * var_ml, rel=1e-12)
    assert res.r2["COMP1"] == pytest.approx(0.8, abs=1e-6)
    # less error-free complaints => larger (attenuation-corrected) standardized path
    base = fit_sem(sim.data, spec)

    def path(r):
        e = r.estimates
        return e[(e.lhs == "Complaints") & (e.op == "~")]["std_all"].iloc[0]

    assert abs(path(res)) > abs(path(base))
    with pytest.raises(ValueError, match="not a single-item construct"):
        fit_sem(sim.data, spec, single_item_reliability={"SAT1": 0.8})


def test_moments_start_equals_raw_data_fit():
    sim = simulate_csi(1_500, seed=8, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    raw = fit_sem(sim.data, spec)
    mom = fit_sem(moments_from_frame(sim.data, list(spec.items)), spec)
    np.testing.assert_allclose(
        mom.estimates["estimate"], raw.estimates["estimate"], rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(mom.estimates["se"], raw.estimates["se"], rtol=1e-6, atol=1e-9)
    pd.testing.assert_series_equal(mom.fit_indices, raw.fit_indices, rtol=1e-6)


def test_effects_total_equals_direct_plus_indirect(big):
    _, _, res = big
    e = res.effects.pivot_table(index=["source", "target"], columns="effect", values="estimate")
    np.testing.assert_allclose(e["total"], e["direct"] + e["indirect"], atol=1e-12)
    # Satisfaction -> Loyalty total = direct + (Sat -> Comp)(Comp -> Loy)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["estimate"]
    expected = (
        est[("Loyalty", "~", "Satisfaction")]
        + est[("Complaints", "~", "Satisfaction")] * est[("Loyalty", "~", "Complaints")]
    )
    assert e.loc[("Satisfaction", "Loyalty"), "total"] == pytest.approx(expected, rel=1e-10)


def test_residual_correlations_and_implied_matrix(big):
    sim, spec, res = big
    items = list(spec.items)
    assert list(res.implied_cov.index) == items
    r = res.residual_corr.to_numpy()
    np.testing.assert_allclose(np.diag(r), 0.0, atol=1e-12)
    sample = sim.data[items].corr().to_numpy()
    implied = res.implied_corr.to_numpy()
    np.testing.assert_allclose(r, sample - implied, atol=1e-10)
    assert np.abs(r).max() < 0.03  # correct model, large n
