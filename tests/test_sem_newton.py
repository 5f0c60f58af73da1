"""Newton steps of the ML fit: the exact Hessian against numerical differentiation.

``csi.sem.fiml_information.ml_derivatives`` gives the gradient, the expected and the
exact Hessian of the complete-data ML discrepancy; Fisher scoring steps with the
expected one converge only linearly when the model does not fit exactly (34 iterations
on the HS CFA), Newton steps with the exact one quadratically. Checked here: the exact
Hessian equals central differences of the analytic gradient (with and without a mean
structure, at the estimates and away from them), the gradient and expected Hessian
equal :meth:`Engine.gradient_information`, and the HS CFA converges in a few steps.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csi.sem import fit_sem
from csi.sem.fiml_information import ml_derivatives
from lavaan_models import HS, PD

ROOT = Path(__file__).parent / "reference" / "lavaan"
HS_DATA = pd.read_csv(ROOT / "HolzingerSwineford1939.csv")
PD_DATA = pd.read_csv(ROOT / "PoliticalDemocracy.csv")

CASES: dict[str, tuple[str, pd.DataFrame, dict[str, Any]]] = {
    "hs_cfa": (HS, HS_DATA, {}),
    "pd_sem": (PD, PD_DATA, {}),
    "hs_groups_means": (HS, HS_DATA, {"group": "school", "group_equal": ("loadings",)}),
    "hs_latent_mean": (HS + "\nvisual ~ 1\nx1 ~ 0*1", HS_DATA, {}),
}


def _fit(case: str) -> Any:
    model, data, options = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_sem(data, model, **options)


@pytest.mark.parametrize("case", list(CASES))
def test_exact_hessian_equals_differences_of_the_gradient(case: str) -> None:
    res = _fit(case)
    engine, theta = res.fitted_state.engine, res.fitted_state.theta
    rng = np.random.default_rng(3)
    for step in (0.0, 0.02):
        at = theta + step * rng.standard_normal(theta.size) * np.maximum(1.0, np.abs(theta))
        grad, expected, exact = ml_derivatives(engine, at)
        want_grad, want_expected = engine.gradient_information(at, "ML")
        np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(expected, want_expected, rtol=1e-10, atol=1e-12)
        numeric = np.empty_like(exact)
        for k in range(at.size):
            h = 1e-6 * max(1.0, abs(float(at[k])))
            up, down = at.copy(), at.copy()
            up[k] += h
            down[k] -= h
            numeric[:, k] = (
                engine.gradient_information(up, "ML")[0]
                - engine.gradient_information(down, "ML")[0]
            ) / (2 * h)
        scale = np.max(np.abs(exact))
        np.testing.assert_allclose(exact, numeric, rtol=1e-5, atol=1e-6 * scale)
        # a misfitting model: the exact Hessian is not the expected one
        assert np.max(np.abs(exact - expected)) > 1e-3 * scale


def test_hs_cfa_converges_in_a_few_newton_steps() -> None:
    res = _fit("hs_cfa")
    assert res.converged
    assert res.iterations <= 10  # Fisher scoring alone took 34
    grad, _expected, _exact = ml_derivatives(res.fitted_state.engine, res.fitted_state.theta)
    assert np.max(np.abs(grad)) < 1e-9
