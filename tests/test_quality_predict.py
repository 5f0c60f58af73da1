"""PLSpredict and blindfolding: seminr's predict_pls, hand computations, reproducibility."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.pls import fit_pls, fit_pls_moments
from csi.quality.predict import blindfolding, pls_predict


def _small(seed: int = 2, n: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    g = 0.8 * f + 0.6 * rng.normal(size=n)
    return pd.DataFrame(
        {
            "a1": f + 0.5 * rng.normal(size=n),
            "a2": f + 0.5 * rng.normal(size=n),
            "b1": g + 0.5 * rng.normal(size=n),
            "b2": g + 0.5 * rng.normal(size=n),
        }
    )


SMALL = "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A"


@pytest.mark.parametrize("technique", ["EA", "DA"])
def test_matches_seminr_predict_pls(mobi, ecsi, technique, seminr_structure) -> None:
    """Same folds (seminr's ``ordering``; 250 / 10 gives equal contiguous blocks)."""
    seminr = pytest.importorskip("seminr")
    res = fit_pls(mobi, ecsi)
    ours = pls_predict(res, folds=10, repeats=1, technique=technique, seed=11)
    ordering = list(np.argsort(ours.folds[0], kind="stable"))
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in ecsi.indicators.items()])
    sm = seminr_structure(ecsi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = seminr.estimate_pls(mobi, mm, sm, inner_weights=seminr.path_weighting)
        tech = seminr.predict_EA if technique == "EA" else seminr.predict_DA
        ref = seminr.predict_pls(model, technique=tech, no_folds=10, ordering=ordering)
    items = ref.items
    for name, resid in (
        ("pls", items.pls_out_of_sample_residuals),
        ("lm", items.lm_out_of_sample_residuals),
    ):
        R = pd.DataFrame(resid.values, columns=list(resid.cols))
        table = ours.items.set_index("indicator")
        for item in table.index:
            assert table.loc[item, f"{name}_rmse"] == pytest.approx(
                np.sqrt((R[item] ** 2).mean()), abs=1e-6
            )
            assert table.loc[item, f"{name}_mae"] == pytest.approx(R[item].abs().mean(), abs=1e-6)
    # mobi's model predicts: every item beats the training mean
    assert (ours.items["q2_predict"] > 0).all()


def test_lm_benchmark_and_q2_by_hand() -> None:
    data = _small()
    res = fit_pls(data, SMALL)
    out = pls_predict(res, folds=3, repeats=2, seed=5)
    X = data.to_numpy()
    sse_lm = np.zeros(2)
    ae_lm = np.zeros(2)
    sse0 = np.zeros(2)
    for r in range(2):
        for f in range(3):
            te = out.folds[r] == f
            A = np.column_stack([np.ones((~te).sum()), X[~te][:, :2]])
            beta = np.linalg.solve(A.T @ A, A.T @ X[~te][:, 2:])  # OLS on a1, a2
            pred = np.column_stack([np.ones(te.sum()), X[te][:, :2]]) @ beta
            err = X[te][:, 2:] - pred
            sse_lm += (err**2).sum(axis=0)
            ae_lm += np.abs(err).sum(axis=0)
            sse0 += ((X[te][:, 2:] - X[~te][:, 2:].mean(axis=0)) ** 2).sum(axis=0)
    t = out.items.set_index("indicator")
    np.testing.assert_allclose(t.loc[["b1", "b2"], "lm_rmse"], np.sqrt(sse_lm / 48), atol=1e-12)
    np.testing.assert_allclose(t.loc[["b1", "b2"], "lm_mae"], ae_lm / 48, atol=1e-12)
    np.testing.assert_allclose(t.loc[["b1", "b2"], "lm_q2_predict"], 1 - sse_lm / sse0, atol=1e-12)
    # fold sizes 8/8/8 and every respondent held out once per repetition
    assert all(np.bincount(f).tolist() == [8, 8, 8] for f in out.folds)


def test_pls_prediction_by_hand_one_fold() -> None:
    """One training fit done here: standardize with training moments, score, predict."""
    data = _small(n=40)
    res = fit_pls(data, SMALL)
    out = pls_predict(res, folds=2, repeats=1, seed=3)
    te = out.folds[0] == 0
    train = fit_pls(data[~te], SMALL)
    w = train.outer_weights.set_index("indicator")["estimate"]
    lam = train.loadings.set_index("indicator")["estimate"]
    beta = train.path_coefficients["estimate"].iloc[0]
    mu, sd = data[~te].mean(), data[~te].std()
    z = (data[te] - mu) / sd
    score_a = z["a1"] * w["a1"] + z["a2"] * w["a2"]
    pred_b1 = mu["b1"] + sd["b1"] * lam["b1"] * beta * score_a
    np.testing.assert_allclose(out.predictions.loc[te, "b1"], pred_b1, atol=1e-10)


def test_reproducible_with_seed(mobi, ecsi) -> None:
    res = fit_pls(mobi, ecsi)
    a = pls_predict(res, folds=5, repeats=2, seed=42)
    b = pls_predict(res, folds=5, repeats=2, seed=42)
    c = pls_predict(res, folds=5, repeats=2, seed=43)
    pd.testing.assert_frame_equal(a.items, b.items)
    np.testing.assert_array_equal(a.folds, b.folds)
    assert not np.array_equal(a.folds, c.folds)
    assert a.power in {"high", "medium", "low", "none"}
    assert "predictive power" in a.summary() and "预测能力" in a.summary(lang="zh")


def test_no_relation_does_not_predict() -> None:
    rng = np.random.default_rng(4)
    n = 400
    f, g = rng.normal(size=n), rng.normal(size=n)
    data = pd.DataFrame(
        {"a1": f + rng.normal(size=n), "a2": f + rng.normal(size=n)}
        | {"b1": g + rng.normal(size=n), "b2": g + rng.normal(size=n)}
    )
    res = fit_pls(data, SMALL)
    out = pls_predict(res, folds=10, repeats=3, seed=1)
    assert (out.items["q2_predict"] < 0.01).all()
    assert out.power == "none"
    q2 = blindfolding(res, omission_distance=7)
    assert float(q2["q2"].iloc[0]) < 0.01


def test_blindfolding_by_hand_single_items() -> None:
    """A -> B with one item each: weights 1, path = corr of the imputed data."""
    rng = np.random.default_rng(9)
    n = 53
    a = rng.normal(size=n)
    data = pd.DataFrame({"a": a, "b": 0.7 * a + 0.7 * rng.normal(size=n)})
    res = fit_pls(data, "A =~ a\nB =~ b\nB ~ A")
    D = 5
    z = ((data - data.mean()) / data.std()).to_numpy()
    sse = sso = 0.0
    for d in range(D):
        omit = np.arange(n) % D == d
        b = z[:, 1].copy()
        b[omit] = 0.0
        r = np.corrcoef(z[:, 0], b)[0, 1]
        pred = b.mean() + b.std(ddof=1) * r * (z[:, 0] - z[:, 0].mean()) / z[:, 0].std(ddof=1)
        sse += ((z[omit, 1] - pred[omit]) ** 2).sum()
        sso += (z[omit, 1] ** 2).sum()
    out = blindfolding(res, omission_distance=D).set_index("construct")
    assert out.loc["B", "q2"] == pytest.approx(1 - sse / sso, abs=1e-12)
    assert out.loc["B", "sso"] == pytest.approx(n - 1)
    assert out.loc["B", "q2"] > 0.2


def test_blindfolding_mobi_positive_and_warns_on_divisor(mobi, ecsi) -> None:
    res = fit_pls(mobi, ecsi)
    q2 = blindfolding(res)
    assert (q2["q2"] > 0).all() and list(q2["construct"]) == list(ecsi.endogenous)
    with pytest.warns(UserWarning, match="divides the number of cases 250"):
        blindfolding(res, omission_distance=10)


def test_bad_options_and_moment_fits(mobi, ecsi) -> None:
    res = fit_pls(mobi, ecsi)
    with pytest.raises(CsiInputError, match="folds must be an integer >= 2"):
        pls_predict(res, folds=1)
    with pytest.raises(CsiInputError, match="technique"):
        pls_predict(res, technique="XX")
    with pytest.raises(CsiInputError, match="omission_distance must be an integer >= 2"):
        blindfolding(res, omission_distance=1)
    mres = fit_pls_moments(res.moments, ecsi)
    with pytest.raises(CsiInputError, match="fitted from moments only"):
        pls_predict(mres)
