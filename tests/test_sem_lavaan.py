"""Golden tests: csi.fit_sem against lavaan 0.6.14 (ML, default options).

Reference files in tests/reference/lavaan (see tests/reference/README.md): Holzinger-Swineford
three-factor CFA and Bollen's Political Democracy SEM with six residual covariances.
Tolerances from issue 6: estimates 1e-3 relative, SEs 1e-2 relative, fit indices 1e-3
relative (absolute floor 1e-3 for values near zero, e.g. rmsea_ci_lower = 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.moments import moments_from_frame
from csi.sem import fit_sem
from lavaan_models import HS, PD

CASES = {
    "hs": ("HolzingerSwineford1939.csv", HS, "hs_cfa"),
    "pd": ("PoliticalDemocracy.csv", PD, "pd_sem"),
}

FIT_NAME = {
    "baseline.chisq": "baseline_chisq",
    "baseline.df": "baseline_df",
    "rmsea.ci.lower": "rmsea_ci_lower",
    "rmsea.ci.upper": "rmsea_ci_upper",
    "rmsea.pvalue": "rmsea_pvalue",
    "logl": "loglik",
    "unrestricted.logl": "unrestricted_loglik",
    "bic2": "bic_adjusted",
}


def _rel(ref: float, value: float, floor: float = 1e-3) -> float:
    return abs(value - ref) / max(abs(ref), floor)


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, reference):
    data_file, model, prefix = CASES[request.param]
    data = pd.read_csv(reference("lavaan", data_file))
    params = pd.read_csv(reference("lavaan", f"{prefix}_params.csv"))
    fit = pd.read_csv(reference("lavaan", f"{prefix}_fit.csv")).set_index("measure")["value"]
    r2 = pd.read_csv(reference("lavaan", f"{prefix}_r2.csv")).set_index("variable")["r2"]
    result = fit_sem(data, model)
    return data, model, params, fit, r2, result


def _lookup(est: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    hit = est[(est.lhs == lhs) & (est.op == op) & (est.rhs == rhs)]
    if hit.empty and op == "~~":
        hit = est[(est.lhs == rhs) & (est.op == op) & (est.rhs == lhs)]
    assert len(hit) == 1, f"{lhs} {op} {rhs} not (uniquely) in the csi table"
    return hit.iloc[0]


def test_same_parameters_as_lavaan(case):
    _, _, params, _, _, result = case
    assert len(result.estimates) == len(params)
    for row in params.itertuples():
        _lookup(result.estimates, row.lhs, row.op, row.rhs)


def test_estimates_and_standard_errors(case):
    _, _, params, _, _, result = case
    for _, ref in params.iterrows():
        row = _lookup(result.estimates, ref["lhs"], ref["op"], ref["rhs"])
        where = f"{ref['lhs']} {ref['op']} {ref['rhs']}"
        assert _rel(ref["est"], row["estimate"]) < 1e-3, where
        assert _rel(ref["se"], row["se"]) < 1e-2, where
        assert _rel(ref["std.lv"], row["std_lv"]) < 1e-3, where
        assert _rel(ref["std.all"], row["std_all"]) < 1e-3, where
        if np.isfinite(ref["z"]):
            assert _rel(ref["z"], row["z"]) < 1e-2, where
            assert _rel(ref["ci.lower"], row["ci_lower"], 1e-2) < 1e-2, where
            assert _rel(ref["ci.upper"], row["ci_upper"], 1e-2) < 1e-2, where
            assert abs(ref["pvalue"] - row["pvalue"]) < 1e-3, where


@pytest.mark.parametrize(
    "measure",
    [
        "npar",
        "chisq",
        "df",
        "pvalue",
        "baseline.chisq",
        "baseline.df",
        "cfi",
        "tli",
        "nfi",
        "gfi",
        "agfi",
        "rmsea",
        "rmsea.ci.lower",
        "rmsea.ci.upper",
        "rmsea.pvalue",
        "srmr",
        "logl",
        "unrestricted.logl",
        "aic",
        "bic",
        "bic2",
    ],
)
def test_fit_indices(case, measure):
    _, _, _, fit, _, result = case
    ours = result.fit_indices[FIT_NAME.get(measure, measure)]
    assert _rel(fit[measure], ours) < 1e-3, (measure, fit[measure], ours)


def test_r2(case):
    _, _, _, _, r2, result = case
    assert set(result.r2.index) == set(r2.index)
    for var, ref in r2.items():
        assert _rel(ref, result.r2[var]) < 1e-3, var


def test_sufficient_statistics_give_the_same_fit(case):
    data, model, _, _, _, result = case
    items = [c for c in data.columns if c.startswith(("x", "y"))]
    mom = moments_from_frame(data, items)
    from_moments = fit_sem(mom, model)
    pd.testing.assert_series_equal(
        from_moments.fit_indices, result.fit_indices, rtol=1e-6, check_exact=False
    )
    np.testing.assert_allclose(
        from_moments.estimates["estimate"], result.estimates["estimate"], rtol=1e-5, atol=1e-8
    )


def test_indirect_effect_matches_sobel_formula(reference):
    """ind60 -> dem60 -> dem65: a*b with SE sqrt(b² Va + a² Vb + 2ab Cab) (Sobel 1982)."""
    data = pd.read_csv(reference("lavaan", "PoliticalDemocracy.csv"))
    res = fit_sem(data, PD)
    est = res.estimates
    a = _lookup(est, "dem60", "~", "ind60")["estimate"]
    b = _lookup(est, "dem65", "~", "dem60")["estimate"]
    c = _lookup(est, "dem65", "~", "ind60")["estimate"]
    # the covariance matrix of the free parameters carries lavaan's names
    vc = res.vcov.to_numpy()
    ia = res.vcov.index.get_loc("dem60~ind60")
    ib = res.vcov.index.get_loc("dem65~dem60")
    sobel = np.sqrt(b**2 * vc[ia, ia] + a**2 * vc[ib, ib] + 2 * a * b * vc[ia, ib])
    eff = res.effects.set_index(["source", "target", "effect"])
    assert eff.loc[("ind60", "dem65", "indirect"), "estimate"] == pytest.approx(a * b, rel=1e-9)
    assert eff.loc[("ind60", "dem65", "indirect"), "se"] == pytest.approx(sobel, rel=1e-4)
    assert eff.loc[("ind60", "dem65", "total"), "estimate"] == pytest.approx(c + a * b, rel=1e-9)
    assert eff.loc[("dem60", "dem65", "indirect"), "estimate"] == 0.0
