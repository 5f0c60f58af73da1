"""The standardized solution: csi's one implementation against the row-by-row rules.

``csi.sem.estimates._StandardizePlan`` computes every ``std_lv`` / ``std_all`` value of
the parameter table (and, analytically, their derivatives for the delta-method SEs).
Here the rules of lavaan's ``standardizedSolution`` are written out once more, row by
row (:func:`row_rules`, the test oracle; the values themselves are checked against
lavaan in test_sem_standardized.py), and the plan must equal them to 1e-12 at the
estimates and at perturbed parameters: HS CFA, the Political Democracy SEM and the
CSI model, with an observed covariate, intercepts, ``std_lv`` and several groups
(means). Its analytic Jacobian, and that of the standardized effects, must equal
central differences of the values.
"""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import csi.sem.effects as effects
import csi.sem.estimates as estimates
from csi.datasets import simulate_csi
from csi.sem import fit_sem
from csi.sem.standardized_se import delta_method_se
from csi.sem.structure import Structure
from csi.spec import ModelSpec
from lavaan_models import HS, PD

ROOT = Path(__file__).parent / "reference"
HS_DATA = pd.read_csv(ROOT / "lavaan" / "HolzingerSwineford1939.csv")
PD_DATA = pd.read_csv(ROOT / "lavaan" / "PoliticalDemocracy.csv")
_SIM = simulate_csi(250, seed=2026, segments=False, waves=None)
CSI_SPEC = ModelSpec.acsi(indicators=_SIM.roles)
CSI_DATA = _SIM.data[list(CSI_SPEC.items)]

CASES: dict[str, tuple[Any, pd.DataFrame, dict[str, Any]]] = {
    "pd_sem": (PD, PD_DATA, {}),
    "pd_groups": (PD, PD_DATA.assign(g=np.arange(len(PD_DATA)) % 2), {"group": "g"}),
    "hs_cfa": (HS, HS_DATA, {}),
    "hs_std_lv": (HS + "\nx1 ~~ x4", HS_DATA, {"std_lv": True}),
    "hs_covariate": (HS + "\nvisual ~ ageyr", HS_DATA, {}),
    "hs_intercepts": (HS + "\nx1 ~ 1", HS_DATA, {}),
    "hs_groups": (HS, HS_DATA, {"group": "school", "group_equal": ("loadings",)}),
    "csi": (CSI_SPEC, CSI_DATA, {}),
    "csi_groups": (CSI_SPEC, CSI_DATA.assign(g=np.arange(len(CSI_DATA)) % 2), {"group": "g"}),
}


def row_rules(st: Structure, x: np.ndarray) -> np.ndarray:
    """``std_lv`` then ``std_all`` of every entry, one row at a time (lavaan's rules).

    Loadings ``b sd(F)`` / ``b sd(F) / sd(x)``; paths ``b sd(x) / sd(y)`` (``std_lv``:
    latent sds only); variances ``v / var(y)`` (``std_lv``: latents only); covariances
    the residual correlation (``std_lv``: divided by the latent side's residual sd).
    """
    total, resid = estimates.variances(st, x)
    latents = set(st.sm.latents)
    mats = st.model.matrices
    n = len(st.entries)
    out = np.empty(2 * n)

    def sd(v: str) -> float:
        return float(np.sqrt(total[v])) if total.get(v, 0.0) > 0 else np.nan

    def sd_lv(v: str) -> float:
        return sd(v) if v in latents else 1.0

    for k, e in enumerate(st.entries):
        b = float(x[e.free]) if e.free >= 0 else float(mats[e.matrix][e.row, e.col])
        lhs, rhs = e.lhs, e.rhs
        with np.errstate(divide="ignore", invalid="ignore"):
            if e.op == "=~":
                lv, al = b * sd(lhs) / sd_lv(rhs), b * sd(lhs) / sd(rhs)
            elif e.op == "~":
                lv, al = b * sd_lv(rhs) / sd_lv(lhs), b * sd(rhs) / sd(lhs)
            elif lhs == rhs:
                al = b / total[lhs] if total.get(lhs, 0.0) > 0 else np.nan
                lv = al if lhs in latents else b
            else:
                ra, rb = resid.get(lhs, np.nan), resid.get(rhs, np.nan)
                al = b / np.sqrt(ra * rb) if ra > 0 and rb > 0 else np.nan
                if lhs in latents and rhs in latents:
                    lv = al
                elif lhs in latents:
                    lv = b / np.sqrt(ra)
                elif rhs in latents:
                    lv = b / np.sqrt(rb)
                else:
                    lv = b
        out[k], out[n + k] = lv, al
    return out


def _fitted(monkeypatch: pytest.MonkeyPatch, case: str) -> list[tuple[Structure, np.ndarray]]:
    """Every (structure, estimates) pair whose standardized solution a fit computed."""
    model, data, options = CASES[case]
    seen: list[tuple[Structure, np.ndarray]] = []
    original = estimates._StandardizePlan.values_and_jacobian

    def spy(self: Any, x: np.ndarray) -> Any:
        seen.append((self.st, np.array(x, dtype=float)))
        return original(self, x)

    monkeypatch.setattr(estimates._StandardizePlan, "values_and_jacobian", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_sem(data, model, **options)
    monkeypatch.undo()
    assert seen  # the standardized solution was computed
    return seen


@pytest.mark.parametrize("case", list(CASES))
def test_plan_equals_the_row_by_row_rules(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    rng = np.random.default_rng(5)
    for st, x in _fitted(monkeypatch, case):
        plan = estimates._StandardizePlan(st)
        for step in (0.0, 1e-4, 1e-2):
            xp = x + step * rng.standard_normal(x.size)
            want = row_rules(st, xp)
            np.testing.assert_allclose(plan.values(xp), want, rtol=1e-12, atol=1e-14)
            values, _jac = plan.values_and_jacobian(xp)
            np.testing.assert_allclose(values, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", ["pd_sem", "hs_covariate", "hs_std_lv", "hs_groups", "csi"])
def test_analytic_jacobian_equals_central_differences(
    monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    for st, x in _fitted(monkeypatch, case):
        plan = estimates._StandardizePlan(st)
        _values, jac = plan.values_and_jacobian(x)
        numeric = np.empty_like(jac)
        for k in range(x.size):
            h = 1e-6 * max(1.0, abs(float(x[k])))
            up, down = x.copy(), x.copy()
            up[k] += h
            down[k] -= h
            numeric[:, k] = (row_rules(st, up) - row_rules(st, down)) / (2 * h)
        np.testing.assert_allclose(jac, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", ["pd_sem", "csi", "csi_groups"])
def test_standardized_effect_ses_equal_central_differences(
    monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """std_all SEs of the effects (analytic Jacobian) against a numerical delta method."""
    for st, x in _fitted(monkeypatch, case):
        cov = _any_vcov(x.size, seed=len(case))
        table = effects.effects_table(st, x, cov)
        kinds = {"direct": 0, "indirect": 1, "total": 2}
        pos = {v: k for k, v in enumerate(st.inner)}
        cells = [
            (kinds[e], pos[t], pos[s])
            for s, t, e in zip(table["source"], table["target"], table["effect"], strict=True)
        ]
        assert len(cells) >= 9

        want = delta_method_se(partial(_standardized_effects, st, cells), x, cov)
        np.testing.assert_allclose(table["std_all_se"], want, rtol=1e-6, atol=1e-9)
        assert (table["std_all_se"] > 0).sum() >= 6


def _standardized_effects(
    st: Structure, cells: list[tuple[int, int, int]], theta: np.ndarray
) -> np.ndarray:
    """``effect sd(source) / sd(target)`` of each (kind, target, source) cell at ``theta``."""
    eff = effects._effects(st, theta)
    total, _ = estimates.variances(st, theta)
    var = np.array([total[v] for v in st.inner])
    return np.array([eff[k, t, s] * np.sqrt(var[s] / var[t]) for k, t, s in cells])


def _any_vcov(k: int, seed: int) -> np.ndarray:
    """A positive definite covariance of ``k`` parameters (any will do: the test compares
    two Jacobians through the same matrix)."""
    a = np.random.default_rng(seed).standard_normal((k, k)) * 0.01
    return a @ a.T + 1e-4 * np.eye(k)
