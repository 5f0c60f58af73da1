"""CB-SEM quality against lavaan's standardized solution (tests/reference/lavaan).

The reference numbers come from lavaan 0.6.14's ``std.all`` column, not from csi:
composite reliability / omega ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` (Jöreskog 1971;
Hair et al., *A Primer on PLS-SEM*, 2nd ed. 2017, p. 112) and AVE ``mean(l^2)`` (Fornell &
Larcker 1981) from lavaan's standardized loadings; factor correlations from lavaan's
``std.all`` covariances (CFA) or from its standardized paths (path tracing, SEM).
csi's estimates agree with lavaan within 1e-3 relative (issue 6), hence that tolerance.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.quality.sem import measurement_spec
from csi.sem import fit_sem
from lavaan_models import HS, PD


def _lavaan(reference, name: str) -> pd.DataFrame:
    return pd.read_csv(reference("lavaan", name))


@pytest.fixture(scope="module")
def hs(reference):
    data = pd.read_csv(reference("lavaan", "HolzingerSwineford1939.csv"))
    return data, fit_sem(data, HS).quality()


@pytest.fixture(scope="module")
def pdem(reference):
    data = pd.read_csv(reference("lavaan", "PoliticalDemocracy.csv"))
    return data, fit_sem(data, PD).quality()


def test_hs_reliability_from_lavaan_loadings(reference, hs) -> None:
    data, rep = hs
    ref = _lavaan(reference, "hs_cfa_params.csv")
    rel = rep.reliability.set_index("construct")
    for factor, grp in ref[ref.op == "=~"].groupby("lhs"):
        lam = grp["std.all"].to_numpy()
        omega = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        assert rel.loc[factor, "rho_c"] == pytest.approx(omega, rel=1e-3)
        assert rel.loc[factor, "ave"] == pytest.approx((lam**2).mean(), rel=1e-3)
        # Cronbach's alpha (standardized) from the data: k rbar / (1 + (k - 1) rbar)
        R = data[list(grp.rhs)].corr().to_numpy()
        k = len(R)
        rbar = (R.sum() - k) / (k * (k - 1))
        assert rel.loc[factor, "alpha"] == pytest.approx(k * rbar / (1 + (k - 1) * rbar), abs=1e-10)
    assert rel["rho_a"].isna().all()  # a PLS statistic
    # visual is the weak factor (omega 0.63, AVE 0.37): flagged
    assert not rel.loc["visual", "ave_ok"] and rel.loc["textual", "ave_ok"]
    codes = {d.code for d in rep.diagnostics}
    assert {"low_reliability", "low_ave", "low_loading"} <= codes


def test_hs_factor_correlations_and_htmt(reference, hs) -> None:
    data, rep = hs
    ref = _lavaan(reference, "hs_cfa_params.csv")
    cov = ref[
        (ref.op == "~~") & (ref.lhs != ref.rhs) & ref.lhs.isin(["visual", "textual", "speed"])
    ]
    assert len(cov) == 3
    for a, b, r in zip(cov.lhs, cov.rhs, cov["std.all"], strict=True):
        assert rep.fornell_larcker.loc[a, b] == pytest.approx(r, rel=1e-3)
        assert rep.fornell_larcker.loc[b, a] == pytest.approx(r, rel=1e-3)
    # HTMT from the sample correlations (Henseler et al. 2015, eq. 6)
    R = data.corr(numeric_only=True).abs()
    blocks = {
        "visual": ["x1", "x2", "x3"],
        "textual": ["x4", "x5", "x6"],
        "speed": ["x7", "x8", "x9"],
    }

    def mono(items: list[str]) -> float:
        return float(np.mean([R.loc[x, y] for x, y in itertools.combinations(items, 2)]))

    for a, b in itertools.combinations(blocks, 2):
        want = R.loc[blocks[a], blocks[b]].to_numpy().mean() / np.sqrt(
            mono(blocks[a]) * mono(blocks[b])
        )
        assert rep.htmt.loc[a, b] == pytest.approx(want, abs=1e-8)
    # implied cross-loadings: l_i * phi(own, j); own column is the loading itself
    lam = ref[ref.op == "=~"].set_index("rhs")["std.all"]
    assert rep.cross_loadings.loc["x1", "visual"] == pytest.approx(lam["x1"], rel=1e-3)
    phi = cov.set_index(["lhs", "rhs"])["std.all"][("visual", "textual")]
    assert rep.cross_loadings.loc["x1", "textual"] == pytest.approx(lam["x1"] * phi, rel=2e-3)


def test_pd_implied_factor_correlations_r2_and_f2(reference, pdem) -> None:
    """Path tracing on lavaan's standardized paths (Wright's rules)."""
    _, rep = pdem
    ref = _lavaan(reference, "pd_sem_params.csv")
    b = ref[ref.op == "~"].set_index(["lhs", "rhs"])["std.all"]
    r_i0 = b[("dem60", "ind60")]
    r_i5 = b[("dem65", "ind60")] + b[("dem65", "dem60")] * r_i0
    r_05 = b[("dem65", "dem60")] + b[("dem65", "ind60")] * r_i0
    fl = rep.fornell_larcker
    assert fl.loc["ind60", "dem60"] == pytest.approx(r_i0, rel=1e-3)
    assert fl.loc["ind60", "dem65"] == pytest.approx(r_i5, rel=1e-3)
    assert fl.loc["dem60", "dem65"] == pytest.approx(r_05, rel=1e-3)
    r2_ref = _lavaan(reference, "pd_sem_r2.csv").set_index("variable")["r2"]
    r2 = rep.r2.set_index("construct")["r2"]
    assert r2["dem60"] == pytest.approx(r2_ref["dem60"], rel=1e-3)
    assert r2["dem65"] == pytest.approx(r2_ref["dem65"], rel=1e-3)
    # f² of ind60 -> dem65 (Cohen 1988): R² without ind60 is r_05²
    full = r2_ref["dem65"]
    f2 = rep.f2.set_index(["source", "target"]).loc[("ind60", "dem65"), "f2"]
    assert f2 == pytest.approx((full - r_05**2) / (1 - full), rel=5e-3)
    # inner VIF of two predictors: 1 / (1 - r²)
    vif = rep.inner_vif.set_index(["source", "target"])["vif"]
    assert vif[("dem60", "dem65")] == pytest.approx(1 / (1 - r_i0**2), rel=1e-3)
    # dem60 and dem65 correlate 0.97: the near-collinearity diagnostic fires
    msgs = [d.message for d in rep.diagnostics if d.code == "collinear_constructs"]
    assert msgs == [
        f"dem60 and dem65 are nearly collinear (correlation {fl.loc['dem60', 'dem65']:.3f}, "
        "above 0.9): respondents hardly tell them apart."
    ]


def test_summary_uses_omega_and_chinese(pdem) -> None:
    _, rep = pdem
    text = rep.summary()
    assert "omega" in text and "rho_a" not in text and "covariance-based SEM" in text
    assert "协方差结构方程模型" in rep.summary(lang="zh")


def test_cross_loaded_item_is_a_clear_error() -> None:
    est = pd.DataFrame({"lhs": ["F", "F", "G", "G"], "op": ["=~"] * 4, "rhs": ["a", "b", "b", "c"]})
    with pytest.raises(CsiInputError, match="item 'b' loads on both 'F' and 'G'"):
        measurement_spec(est)
