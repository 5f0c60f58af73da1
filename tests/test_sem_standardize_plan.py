"""The vectorised standardization used for delta-method SEs equals the row-by-row rules.

``csi.sem.estimates._StandardizePlan.values`` replaces a Python loop over the parameter
rows in the numerical Jacobian of the standardized solution (two calls per free
parameter); here it is compared with :func:`csi.sem.estimates.standardized_values` (the
rules checked against lavaan's ``standardizedSolution`` in test_sem_standardized.py) at
the estimates and at perturbed parameters, on latent regressions, correlated residuals,
an observed covariate (fixed.x), intercepts and several groups.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import csi.sem.estimates as estimates
from csi.sem import fit_sem
from lavaan_models import HS, PD

ROOT = Path(__file__).parent / "reference"
HS_DATA = pd.read_csv(ROOT / "lavaan" / "HolzingerSwineford1939.csv")
PD_DATA = pd.read_csv(ROOT / "lavaan" / "PoliticalDemocracy.csv")

CASES: dict[str, tuple[str, pd.DataFrame, dict[str, Any]]] = {
    "pd_sem": (PD, PD_DATA, {}),
    "hs_cfa": (HS, HS_DATA, {}),
    "hs_covariate": (HS + "\nvisual ~ ageyr", HS_DATA, {}),
    "hs_intercepts": (HS + "\nx1 ~ 1", HS_DATA, {}),
    "hs_groups": (HS, HS_DATA, {"group": "school", "group_equal": ("loadings",)}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_equals_the_row_by_row_rules(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    model, data, options = CASES[case]
    seen: list[tuple[Any, np.ndarray]] = []
    original = estimates._standardized_se

    def spy(st: Any, x: np.ndarray, *args: Any) -> Any:
        seen.append((st, x.copy()))
        return original(st, x, *args)

    monkeypatch.setattr(estimates, "_standardized_se", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_sem(data, model, **options)
    assert seen  # the delta method ran
    rng = np.random.default_rng(5)
    for st, x in seen:
        plan = estimates._StandardizePlan(st)
        for step in (0.0, 1e-4, 1e-2):
            xp = x + step * rng.standard_normal(x.size)
            got = plan.values(xp)
            want = estimates.standardized_values(st, xp)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, equal_nan=True)
