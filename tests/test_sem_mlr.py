"""MLR (Huber-White SEs, Yuan-Bentler scaled test) and the robust indices of MLM and MLR.

Every number is checked against lavaan 0.6.14 (``tests/reference/lavaan_robust``, made by
its ``make_reference.R``): estimates, standard errors and every fit measure both report
(``chisq.scaled``, ``scaling.factor``, ``cfi.robust``, ``tli.robust``, ``rmsea.robust``
with its interval, the scaled RMSEA's interval, ...), 1e-4 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from lavaan_models import HS, LAVAAN_UNDOTTED_NAMES, PD

REF = Path(__file__).parent / "reference" / "lavaan_robust"
LAVAAN = Path(__file__).parent / "reference" / "lavaan"
ROBUST = (
    "chisq_scaled",
    "scaling_factor",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
)


#: lavaan stops its EM estimate of the saturated moments at a change below 1e-5
#: (``em.h1.tol``), csi at 1e-10; the FIML-corrected robust indices use those moments and
#: agree to 2e-5, which the far tail probability of the robust RMSEA's close-fit test
#: (3e-4 here) turns into 3e-4 relative
LOOSE = {"rmsea_pvalue_robust": 1e-3}


def _compare(res, prefix: str, tol: float = 1e-4) -> set[str]:
    ref = pd.read_csv(REF / f"{prefix}_params.csv")
    est = res.estimates.assign(rhs=res.estimates["rhs"].fillna(""))
    labels = list(res.groups) if res.groups else [None]
    for row in ref.itertuples():
        rhs = "" if pd.isna(row.rhs) else row.rhs
        hit = est[(est.lhs == row.lhs) & (est.op == row.op) & (est.rhs == rhs)]
        if labels[0] is not None:
            hit = hit[hit.group == labels[int(row.group) - 1]]
        assert len(hit) == 1, (row.lhs, row.op, rhs)
        got = hit.iloc[0]
        assert got["estimate"] == pytest.approx(row.est, rel=tol, abs=tol * 1e-2), row
        assert got["se"] == pytest.approx(row.se, rel=tol, abs=1e-8), row
    fit = pd.read_csv(REF / f"{prefix}_fit.csv").set_index("measure")["value"]
    compared = set()
    for name, value in res.fit_indices.items():
        key = LAVAAN_UNDOTTED_NAMES.get(str(name), str(name).replace("_", "."))
        if key in fit.index and np.isfinite(fit[key]):
            rel = LOOSE.get(str(name), tol) if "fiml" in prefix else tol
            assert value == pytest.approx(fit[key], rel=rel, abs=1e-9), (prefix, name)
            compared.add(str(name))
    return compared


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(LAVAAN / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def pdem():
    return pd.read_csv(LAVAAN / "PoliticalDemocracy.csv")


@pytest.mark.parametrize("estimator", ["MLR", "MLM"])
def test_robust_cfa_matches_lavaan(hs, estimator):
    res = fit_sem(hs, HS, estimator=estimator)
    compared = _compare(res, f"hs_{estimator.lower()}")
    assert set(ROBUST) <= compared
    assert res.estimator == estimator


@pytest.mark.parametrize("estimator", ["MLR", "MLM"])
def test_robust_sem_matches_lavaan(pdem, estimator):
    res = fit_sem(pdem, PD, estimator=estimator)
    assert set(ROBUST) <= _compare(res, f"pd_{estimator.lower()}")


def test_multigroup_mlr_matches_lavaan(hs):
    res = fit_sem(hs, HS, estimator="MLR", group="school")
    assert res.groups == ("Pasteur", "Grant-White")  # order of appearance, as lavaan
    assert set(ROBUST) <= _compare(res, "hs_mg_mlr")


def test_mlr_point_estimates_and_chisq_are_ml(hs):
    ml = fit_sem(hs, HS)
    mlr = fit_sem(hs, HS, estimator="MLR")
    np.testing.assert_allclose(mlr.estimates["estimate"], ml.estimates["estimate"], rtol=1e-8)
    assert mlr.fit_indices["chisq"] == pytest.approx(ml.fit_indices["chisq"], rel=1e-10)
    free = ml.estimates["se"] > 0
    assert not np.allclose(mlr.estimates["se"][free], ml.estimates["se"][free], rtol=1e-3)


def test_mlr_refuses_moments(pdem):
    from csi.moments import moments_from_frame

    with pytest.raises(CsiInputError, match="MLR"):
        fit_sem(moments_from_frame(pdem), PD, estimator="MLR")


@pytest.mark.parametrize("missing", ["listwise", "fiml"])
def test_mlr_with_an_observed_covariate_matches_lavaan(pdem, missing):
    """fixed.x: the x moments leave the saturated model's matrices, the baseline keeps
    the x block, df and the moment count exclude them."""
    data = pdem if missing == "listwise" else pd.read_csv(REF / "pd_missing.csv")
    res = fit_sem(data, "y1 ~ x1\ny2 ~ x1\ny3 ~ y1", estimator="MLR", missing=missing)
    prefix = "pd_observed_mlr" if missing == "listwise" else "pd_observed_fiml_mlr"
    assert set(ROBUST) <= _compare(res, prefix)


def test_mlr_with_fiml_matches_lavaan():
    """Sandwich SEs from the analytic observed information and casewise scores; the
    Yuan-Bentler test with the saturated model's matrices at the EM estimates; the
    FIML-corrected robust CFI, TLI and RMSEA (lavaan 0.6.14's ``*.robust``)."""
    data = pd.read_csv(REF / "hs_missing.csv")
    res = fit_sem(data, HS, estimator="MLR", missing="ml")
    assert res.estimator == "MLR (FIML)"
    compared = _compare(res, "hs_fiml_mlr")
    assert set(ROBUST) | {"scaling_factor_h1", "scaling_factor_h0"} <= compared


def test_mlr_summary_shows_the_scaled_test(hs):
    res = fit_sem(hs, HS, estimator="MLR")
    text = res.summary()
    assert "Chi-square (scaled)" in text
    assert f"{res.fit_indices['chisq_scaled']:.3f}" in text
