"""Model selection criteria of a PLS model (csi.quality.selection).

References: Sharma, Sarstedt, Shmueli, Kim & Thiele (2019), JAIS 20(4), Table B1
(the definitions, as cSEM's calculateModelSelectionCriteria implements them):
SSE = (1 - R²)(n - 1), k = predictors + 1,
AIC = n log(SSE/n) + 2k, AICc = n [log(SSE/n) + (n + k)/(n - k - 2)],
BIC = n log(SSE/n) + k log n, HQ = n log(SSE/n) + 2k log log n,
GM = SSE / MSE_full + k log n. seminr's it_criteria gives AIC and BIC the same way.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.moments import moments_from_frame
from csi.pls import fit_pls, fit_pls_moments
from csi.quality.selection import COLUMNS, information_criteria, selection_criteria
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def fit(mobi: pd.DataFrame, ecsi: ModelSpec):
    return fit_pls(mobi, ecsi, scheme="path")


@pytest.fixture(scope="module")
def crit(fit) -> pd.DataFrame:
    return fit.selection_criteria()


def _ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Residuals of y regressed on X with a constant (numpy least squares)."""
    Z = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    return y - Z @ coef


def _descendants(spec: ModelSpec, c: str) -> set[str]:
    out: set[str] = set()
    todo = [c]
    while todo:
        for t in spec.successors(todo.pop()):
            if t not in out:
                out.add(t)
                todo.append(t)
    return out


# ------------------------------------------------------------ by hand in numpy
def test_formulas_by_hand_on_the_scores(fit, crit, ecsi: ModelSpec) -> None:
    """Every criterion recomputed from OLS residuals of the standardised scores."""
    s = fit.scores
    n = len(s)
    assert list(crit.columns) == COLUMNS
    assert list(crit["construct"]) == list(ecsi.endogenous)
    for row in crit.itertuples(index=False):
        c = row.construct
        pred = list(ecsi.predecessors(c))
        y = s[c].to_numpy()
        sse = float(np.sum(_ols(y, s[pred].to_numpy()) ** 2))
        assert sse == pytest.approx((1 - row.r2) * (n - 1), rel=1e-9)
        k = len(pred) + 1
        assert (row.n, row.predictors) == (n, len(pred))
        assert row.aic == pytest.approx(n * np.log(sse / n) + 2 * k, abs=1e-8)
        assert row.aicc == pytest.approx(n * (np.log(sse / n) + (n + k) / (n - k - 2)), abs=1e-8)
        assert row.bic == pytest.approx(n * np.log(sse / n) + k * np.log(n), abs=1e-8)
        assert row.hq == pytest.approx(n * np.log(sse / n) + 2 * k * np.log(np.log(n)), abs=1e-8)
        # GM: MSE of the saturated equation, j on every non-descendant construct
        full = [x for x in ecsi.constructs if x != c and x not in _descendants(ecsi, c)]
        mse_full = float(np.sum(_ols(y, s[full].to_numpy()) ** 2)) / (n - 1)
        assert row.gm == pytest.approx(sse / mse_full + k * np.log(n), abs=1e-7)


def test_gm_when_the_equation_is_already_saturated() -> None:
    """R²_full = R²: SSE / MSE_full = n - 1."""
    out = information_criteria(0.4, 100, 2, r2_full=0.4)
    assert out["gm"] == pytest.approx(99 + 3 * np.log(100))
    assert np.isnan(information_criteria(0.4, 100, 2)["gm"])
    assert np.isnan(information_criteria(0.4, 4, 2)["aicc"])  # n - k - 2 <= 0


# ------------------------------------------------------------------ seminr
def test_agrees_with_seminr_it_criteria(mobi, ecsi, seminr_structure) -> None:
    """seminr (Python port) it_criteria: AIC and BIC per endogenous construct, to 1e-8.

    Both fits converge to 1e-12 so that the comparison tests the formulas, not the
    stopping rules (at the default 1e-7 the estimates differ by about 5e-8).
    """
    seminr = pytest.importorskip("seminr")
    crit = fit_pls(mobi, ecsi, scheme="path", tol=1e-12, max_iter=1000).selection_criteria()
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in ecsi.indicators.items()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = seminr.estimate_pls(
            mobi,
            mm,
            seminr_structure(ecsi),
            inner_weights=seminr.path_weighting,
            stop_criterion=12,
            max_it=1000,
        )
    it = seminr.it_criteria(model)
    ref = pd.DataFrame(it.values, index=list(it.rows), columns=list(it.cols)).T
    ours = crit.set_index("construct")
    assert set(ref.index) == set(ours.index)
    np.testing.assert_allclose(ours.loc[ref.index, "aic"], ref["AIC"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.loc[ref.index, "bic"], ref["BIC"], rtol=0, atol=1e-8)


# --------------------------------------------------------------- behaviour
def _simulate(n: int, seed: int) -> pd.DataFrame:
    """X1 -> Y (0.5), X2 correlated with X1 (0.4) but no path into Y; 3 items each."""
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal(n)
    x2 = 0.4 * x1 + np.sqrt(1 - 0.16) * rng.standard_normal(n)
    y = 0.5 * x1 + np.sqrt(1 - 0.25) * rng.standard_normal(n)
    cols = {}
    for name, eta in (("X1", x1), ("X2", x2), ("Y", y)):
        for k, lam in enumerate((0.8, 0.75, 0.7), start=1):
            cols[f"{name}{k}"] = lam * eta + np.sqrt(1 - lam**2) * rng.standard_normal(n)
    return pd.DataFrame(cols)


def _spec(paths: tuple[tuple[str, str], ...]) -> ModelSpec:
    return ModelSpec(
        indicators={c: tuple(f"{c}{k}" for k in (1, 2, 3)) for c in ("X1", "X2", "Y")},
        paths=paths,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_irrelevant_predictor_raises_bic(seed: int) -> None:
    """n = 2,000, the X2 -> Y path is 0 in the population: adding it raises BIC and GM.

    (AIC and HQ charge an extra parameter only 2 and 2 log log n = 4.1, against
    log n = 7.6 for BIC; a null predictor's gain in fit, about a chi²(1), beats those
    often, so they are not asserted here.)
    """
    data = _simulate(2000, seed)
    true = fit_pls(data, _spec((("X1", "Y"), ("X2", "X1")))).selection_criteria()
    extra = fit_pls(data, _spec((("X1", "Y"), ("X2", "X1"), ("X2", "Y")))).selection_criteria()
    t, e = true.set_index("construct").loc["Y"], extra.set_index("construct").loc["Y"]
    assert (t["predictors"], e["predictors"]) == (1, 2)
    assert e["r2"] >= t["r2"] - 1e-3
    assert e["bic"] > t["bic"]
    assert e["gm"] > t["gm"]


def test_bic_rejects_the_null_path_in_most_replications() -> None:
    """20 samples of n = 2,000: BIC (and GM) keep the true model in at least 18, and
    at least as often as AIC (expected: 99.4% for BIC, P(chi²(1) < 7.6), 84% for AIC)."""
    wins = {"aic": 0, "bic": 0, "gm": 0}
    for seed in range(100, 120):
        data = _simulate(2000, seed)
        t = fit_pls(data, _spec((("X1", "Y"), ("X2", "X1")))).selection_criteria()
        e = fit_pls(data, _spec((("X1", "Y"), ("X2", "X1"), ("X2", "Y")))).selection_criteria()
        cols = list(wins)
        t_y = t.loc[t["construct"] == "Y", cols].to_numpy(dtype=float)[0]
        e_y = e.loc[e["construct"] == "Y", cols].to_numpy(dtype=float)[0]
        for col, tv, ev in zip(cols, t_y, e_y, strict=True):
            wins[col] += int(ev > tv)
    assert wins["bic"] >= 18
    assert wins["gm"] >= 18
    assert wins["bic"] >= wins["aic"]


def test_relevant_predictor_lowers_every_criterion() -> None:
    """Leaving out the true X1 -> Y path costs far more than any penalty."""
    data = _simulate(2000, 4)
    true = fit_pls(data, _spec((("X1", "Y"), ("X1", "X2")))).selection_criteria()
    short = fit_pls(data, _spec((("X1", "X2"), ("X2", "Y")))).selection_criteria()
    t, s = true.set_index("construct").loc["Y"], short.set_index("construct").loc["Y"]
    for col in ("aic", "aicc", "bic", "hq", "gm"):
        assert t[col] < s[col] - 50


def test_consistent_and_moments_fits(mobi, ecsi) -> None:
    """PLSc uses its consistent R²; a fit from moments alone needs no scores."""
    plsc = fit_pls(mobi, ecsi, consistent=True)
    out = selection_criteria(plsc)
    r2 = plsc.r2.set_index("construct")["r2"]
    np.testing.assert_allclose(out.set_index("construct")["r2"], r2.loc[out["construct"]])
    assert np.isfinite(out[["aic", "aicc", "bic", "hq", "gm"]].to_numpy()).all()
    mom = fit_pls_moments(moments_from_frame(mobi[list(ecsi.items)]), ecsi)
    pd.testing.assert_frame_equal(
        mom.selection_criteria(), fit_pls(mobi, ecsi).selection_criteria(), atol=1e-6
    )
