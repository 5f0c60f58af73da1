"""Invariants of ML SEM (property-based) and a path model with a closed-form answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.sem import fit_sem

TWO = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A"


def _two_factor(n: int, seed: int, misfit: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fa = rng.normal(size=n)
    fb = 0.5 * fa + np.sqrt(0.75) * rng.normal(size=n)
    e = rng.normal(size=(n, 6))
    cols = {
        "a1": 0.8 * fa + 0.6 * e[:, 0],
        "a2": 0.7 * fa + 0.7 * e[:, 1],
        "a3": 0.6 * fa + 0.8 * e[:, 2] + misfit * fb,
        "b1": 0.8 * fb + 0.6 * e[:, 3],
        "b2": 0.7 * fb + 0.7 * e[:, 4],
        "b3": 0.6 * fb + 0.8 * e[:, 5] + misfit * e[:, 0],
    }
    return pd.DataFrame(cols)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    misfit=st.floats(0.0, 0.6),
    scales=st.lists(st.floats(0.2, 50.0), min_size=6, max_size=6),
    shifts=st.lists(st.floats(-100.0, 100.0), min_size=6, max_size=6),
)
def test_ml_is_scale_free_and_indices_in_range(seed, misfit, scales, shifts):
    """Rescaling or shifting items changes no fit index and no standardized estimate."""
    data = _two_factor(300, seed, misfit)
    res = fit_sem(data, TWO)
    moved = fit_sem(data * np.array(scales) + np.array(shifts), TWO)
    keys = ["chisq", "df", "cfi", "tli", "rmsea", "srmr", "gfi"]
    np.testing.assert_allclose(moved.fit_indices[keys], res.fit_indices[keys], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(moved.estimates["std_all"], res.estimates["std_all"], atol=1e-5)
    f = res.fit_indices
    assert 0 <= f["cfi"] <= 1 and f["rmsea"] >= 0 and 0 <= f["srmr"] < 1
    assert f["rmsea_ci_lower"] <= f["rmsea"] + 1e-12 <= f["rmsea_ci_upper"] + 2e-12
    assert f["aic"] == pytest.approx(-2 * f["loglik"] + 2 * f["npar"])
    assert f["chisq"] == pytest.approx(2 * (f["unrestricted_loglik"] - f["loglik"]), rel=1e-9)


def test_path_model_equals_regressions():
    """Observed-variable path model y ~ x1 + x2, z ~ y (x fixed at sample values, lavaan's
    fixed.x). ML = OLS equation by equation; chisq is the likelihood-ratio test of the two
    omitted paths z ~ x1 + x2: ``N log(RSS(z | y) / RSS(z | y, x1, x2))``, df 2."""
    rng = np.random.default_rng(0)
    n = 500
    x1 = rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(size=n)
    y = 0.3 * x1 + 0.4 * x2 + rng.normal(size=n)
    z = 0.5 * y + 0.1 * x1 + rng.normal(size=n)
    data = pd.DataFrame({"x1": x1, "x2": x2, "y": y, "z": z})
    res = fit_sem(data, "y ~ x1 + x2\nz ~ y")

    def rss(target, *preds):
        xmat = np.column_stack([np.ones(n), *preds])
        beta, *_ = np.linalg.lstsq(xmat, target, rcond=None)
        return beta, float(np.sum((target - xmat @ beta) ** 2))

    beta_y, rss_y = rss(y, x1, x2)
    beta_z, rss_z = rss(z, y)
    _, rss_full = rss(z, y, x1, x2)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["estimate"]
    assert est[("y", "~", "x1")] == pytest.approx(beta_y[1], rel=1e-6)
    assert est[("y", "~", "x2")] == pytest.approx(beta_y[2], rel=1e-6)
    assert est[("z", "~", "y")] == pytest.approx(beta_z[1], rel=1e-6)
    assert est[("y", "~~", "y")] == pytest.approx(rss_y / n, rel=1e-6)
    assert est[("x1", "~~", "x2")] == pytest.approx(np.cov(x1, x2, bias=True)[0, 1], rel=1e-9)
    f = res.fit_indices
    assert f["df"] == 2 and f["npar"] == 5
    assert f["chisq"] == pytest.approx(n * np.log(rss_z / rss_full), rel=1e-6)
    assert res.r2["z"] == pytest.approx(1 - rss_z / np.sum((z - z.mean()) ** 2), rel=1e-6)
