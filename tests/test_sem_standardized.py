"""Standard errors of the standardized solution against lavaan's ``standardizedSolution``.

References: ``tests/reference/lavaan_std/`` (lavaan 0.6.14, ``make_reference.R``): the
columns est.std, se, z, pvalue, ci.lower, ci.upper of ``standardizedSolution(fit,
type = "std.all")`` and ``type = "std.lv"``, on the HS CFA and the Political Democracy
SEM with ML, MLM, MLR, multi-group (with and without equal loadings) and FIML fits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.sem import fit_sem
from csi.sem.result import SEMResult
from lavaan_models import HS, LAVAAN_FIT_NAMES, PD

ROOT = Path(__file__).parent / "reference"
REF = ROOT / "lavaan_std"
HS_DATA = pd.read_csv(ROOT / "lavaan" / "HolzingerSwineford1939.csv")
PD_DATA = pd.read_csv(ROOT / "lavaan" / "PoliticalDemocracy.csv")
HS_MISSING = pd.read_csv(ROOT / "lavaan_robust" / "hs_missing.csv")

CASES: dict[str, Callable[[], SEMResult]] = {
    "hs_ml": lambda: fit_sem(HS_DATA, HS),
    "pd_ml": lambda: fit_sem(PD_DATA, PD),
    "hs_mlm": lambda: fit_sem(HS_DATA, HS, estimator="MLM"),
    "pd_mlr": lambda: fit_sem(PD_DATA, PD, estimator="MLR"),
    "hs_mg": lambda: fit_sem(HS_DATA, HS, group="school"),
    "hs_mg_equal": lambda: fit_sem(HS_DATA, HS, group="school", group_equal=["loadings"]),
    "hs_fiml": lambda: fit_sem(HS_MISSING, HS, missing="fiml"),
}

#: lavaan column -> csi column suffix
COLUMNS = {
    "est.std": "",
    "se": "_se",
    "z": "_z",
    "pvalue": "_pvalue",
    "ci.lower": "_ci_lower",
    "ci.upper": "_ci_upper",
}


def _matched(res: SEMResult, ref: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """csi rows in the order of lavaan's rows (intercepts ``~1`` have an empty rhs)."""
    est = res.estimates.assign(rhs=res.estimates["rhs"].fillna(""))
    ref = ref.assign(rhs=ref["rhs"].fillna("")).reset_index(drop=True)
    labels = list(res.groups) if res.groups else [None]
    rows = []
    for r in ref.itertuples(index=False):
        hit = (est["lhs"] == r.lhs) & (est["op"] == r.op) & (est["rhs"] == r.rhs)
        if res.groups:
            hit &= est["group"] == labels[int(r.group) - 1]
        assert hit.sum() == 1, (r.lhs, r.op, r.rhs, r.group)
        rows.append(est[hit].iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True), ref


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[str, SEMResult]:
    return request.param, CASES[request.param]()


@pytest.mark.parametrize("kind", ["std_all", "std_lv"])
def test_standardized_solution_matches_lavaan(case: tuple[str, SEMResult], kind: str) -> None:
    name, res = case
    ref = pd.read_csv(REF / f"{name}_{kind.replace('_', '')}.csv")
    # intercept (~1) rows are not standardized with SEs by csi yet; := rows: effects test
    ref = ref[~ref["op"].isin(["~1", ":="])]
    assert len(ref) >= 24
    mine, ref = _matched(res, ref)
    for lav, suffix in COLUMNS.items():
        # p-values magnify the estimates' own ~2e-5 multi-group difference
        rtol = 1e-3 if lav == "pvalue" else 1e-4
        np.testing.assert_allclose(
            mine[kind + suffix].to_numpy(float),
            ref[lav].to_numpy(float),
            rtol=rtol,
            atol=1e-10,
            err_msg=f"{name} {kind} {lav}",
        )


def test_existing_columns_keep_their_values() -> None:
    res = CASES["pd_ml"]()
    ref = pd.read_csv(ROOT / "lavaan" / "pd_sem_params.csv")
    mine, ref = _matched(res, ref.assign(group=1))
    np.testing.assert_allclose(mine["std_all"], ref["std.all"], rtol=1e-4)
    np.testing.assert_allclose(mine["se"], ref["se"], rtol=1e-4)


def test_standardized_ses_do_not_depend_on_the_units_of_the_items() -> None:
    # ML is scale invariant: rescaling an item leaves every std_all value and its SE alone
    rescaled = HS_DATA.assign(x1=HS_DATA["x1"] * 10.0, x5=HS_DATA["x5"] / 3.0)
    one, two = fit_sem(HS_DATA, HS).estimates, fit_sem(rescaled, HS).estimates
    for col in ("std_all", "std_all_se", "std_all_ci_lower"):
        np.testing.assert_allclose(one[col], two[col], rtol=1e-6, atol=1e-9)
    changed = one["rhs"] == "x1"
    assert not np.allclose(one.loc[changed, "se"], two.loc[changed, "se"])


@pytest.mark.parametrize("name", ["pd_ml", "pd_mlr"])
def test_standardized_effects_match_lavaan_defined_parameters(name: str) -> None:
    # lavaan: indirect := a*b, total := c + a*b for ind60 -> dem60 -> dem65, and the
    # direct effect is the std.all row of dem65 ~ ind60
    res = CASES[name]()
    ref = pd.read_csv(REF / f"{name}_stdall.csv")
    eff = res.effects.set_index(["source", "target", "effect"])
    pairs = {
        "indirect": ref[ref["lhs"] == "indirect"].iloc[0],
        "total": ref[ref["lhs"] == "total"].iloc[0],
        "direct": ref[(ref["lhs"] == "dem65") & (ref["op"] == "~") & (ref["rhs"] == "ind60")].iloc[
            0
        ],
    }
    for kind, row in pairs.items():
        mine = eff.loc[("ind60", "dem65", kind)]
        for lav, suffix in COLUMNS.items():
            rtol = 1e-3 if lav == "pvalue" else 1e-4
            np.testing.assert_allclose(
                float(mine["std_all" + suffix]), float(row[lav]), rtol=rtol, err_msg=f"{kind} {lav}"
            )


def test_effects_that_cannot_exist_have_zero_standardized_se() -> None:
    eff = CASES["pd_ml"]().effects.set_index(["source", "target", "effect"])
    none = eff.loc[("ind60", "dem60", "indirect")]
    assert none["std_all"] == 0.0 and none["std_all_se"] == 0.0
    assert np.isnan(none["std_all_z"])


# ---------------------------------------------------------------- multi-group GLS / ULS
MG_LS = {
    "hs_mg_gls": ("GLS", ()),
    "hs_mg_uls": ("ULS", ()),
    "hs_mg_gls_equal": ("GLS", ("loadings", "intercepts")),
    "hs_mg_uls_equal": ("ULS", ("loadings", "intercepts")),
}


@pytest.mark.parametrize("name", list(MG_LS))
def test_multigroup_gls_uls_match_lavaan(name: str) -> None:
    # lavaan: per-group S with divisor n_g - 1, F = sum_g (n_g - 1) F_g / (N - G) with the
    # means in F_g, chisq = sum_g (n_g - 1) F_g, vcov [(N - G) sum_g (n_g / N) I_g]^-1
    estimator, equal = MG_LS[name]
    res = fit_sem(HS_DATA, HS, group="school", estimator=estimator, group_equal=equal)
    mine, ref = _matched(res, pd.read_csv(REF / f"{name}_params.csv"))
    for lav, col in (("est", "estimate"), ("se", "se"), ("std.all", "std_all")):
        np.testing.assert_allclose(
            mine[col].to_numpy(float),
            ref[lav].to_numpy(float),
            rtol=1e-4,
            atol=1e-6,
            err_msg=f"{name} {lav}",
        )
    fit = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    compared = 0
    for ours, theirs in LAVAAN_FIT_NAMES.items():
        if ours in res.fit_indices.index and theirs in fit.index and np.isfinite(fit[theirs]):
            assert res.fit_indices[ours] == pytest.approx(fit[theirs], rel=1e-4), (name, ours)
            compared += 1
    assert compared >= 12


@pytest.mark.parametrize("name", ["hs_mg", "hs_mg_equal", "hs_fiml"])
def test_standardized_intercepts_match_lavaan(name: str) -> None:
    res = CASES[name]()
    means = res.estimates[res.estimates["op"] == "~1"]
    assert len(means) >= 12
    assert means["std_all_se"].notna().any()
    for kind in ("std_all", "std_lv"):
        ref = pd.read_csv(REF / f"{name}_{kind.replace('_', '')}.csv")
        mine, ref = _matched(res, ref[ref["op"] == "~1"])
        for lav, suffix in COLUMNS.items():
            rtol = 1e-3 if lav == "pvalue" else 1e-4
            np.testing.assert_allclose(
                mine[kind + suffix].to_numpy(float),
                ref[lav].to_numpy(float),
                rtol=rtol,
                atol=1e-10,
                err_msg=f"{name} {kind} {lav}",
            )
