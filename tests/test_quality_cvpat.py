"""CVPAT (Liengaard et al. 2021): losses recomputed by hand, the paired t-test, simulation.

The hand computation refits the model with ``fit_pls`` on each training part and
predicts the held-out answers as PLSpredict's EA rule (Shmueli et al. 2016):
standardize with the training means and SDs, form scores with the training weights,
push the exogenous scores through the training paths, and map back with
``mean + sd * loading * score``; IA is the training mean and LM an OLS fit of each
endogenous item on the exogenous items.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csi._checks import CsiInputError
from csi.pls import fit_pls
from csi.quality.cvpat import CVPAT_COLUMNS, cvpat
from csi.spec import ModelSpec

SMALL = "Image =~ IMAG1 + IMAG2 + IMAG3\nExpectation =~ CUEX1 + CUEX2 + CUEX3\n" + (
    "Satisfaction =~ CUSA1 + CUSA2 + CUSA3\nExpectation ~ Image\nSatisfaction ~ Image + Expectation"
)


def _hand_losses(data: pd.DataFrame, spec: ModelSpec, folds: int, repeats: int, seed: int):
    """Per respondent: mean squared error over the endogenous items, averaged over repeats."""
    rng = np.random.default_rng(seed)
    n = len(data)
    endo = [c for c in spec.topological_order() if spec.predecessors(c)]
    targets = [i for c in endo for i in spec.indicators[c]]
    exo_items = [i for c in spec.exogenous for i in spec.indicators[c]]
    sq = {k: np.zeros((n, len(targets))) for k in ("model", "IA", "LM")}
    for _ in range(repeats):
        for part in np.array_split(rng.permutation(n), folds):
            test = np.zeros(n, dtype=bool)
            test[part] = True
            train, held = data[~test], data[test]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = fit_pls(train, spec)
            w = fit.outer_weights.set_index("indicator")["estimate"]
            lam = fit.loadings.set_index("indicator")["estimate"]
            paths = fit.path_coefficients.set_index(["source", "target"])["estimate"]
            mean, sd = train.mean(), train.std()
            z = (held - mean) / sd
            score = {
                c: z[list(spec.indicators[c])] @ w[list(spec.indicators[c])]
                for c in spec.constructs
            }
            for c in endo:  # earliest antecedents: predicted scores feed later constructs
                score[c] = sum(paths[(s, c)] * score[s] for s in spec.predecessors(c))
            y = held[targets].to_numpy()
            pred = np.column_stack(
                [mean[i] + sd[i] * lam[i] * score[spec.construct_of(i)] for i in targets]
            )
            A = np.column_stack([np.ones(len(train)), train[exo_items]])
            beta = np.linalg.lstsq(A, train[targets].to_numpy(), rcond=None)[0]
            lm = np.column_stack([np.ones(len(held)), held[exo_items]]) @ beta
            sq["model"][test] += (y - pred) ** 2
            sq["LM"][test] += (y - lm) ** 2
            sq["IA"][test] += (y - mean[targets].to_numpy()) ** 2
    return {k: v.mean(axis=1) / repeats for k, v in sq.items()}


def test_losses_match_a_hand_computation(mobi) -> None:
    spec = ModelSpec.from_lavaan(SMALL)
    res = cvpat(fit_pls(mobi, spec), folds=5, repeats=2, seed=3)
    hand = _hand_losses(mobi, spec, 5, 2, 3)
    for name, values in hand.items():
        np.testing.assert_allclose(res.losses[("overall", name)].to_numpy(), values, rtol=1e-6)
    table = res.table.set_index(["comparison", "construct"])
    for name in ("IA", "LM"):
        d = hand[name] - hand["model"]
        row = table.loc[(name, "overall")]
        assert row["difference"] == pytest.approx(d.mean(), rel=1e-6)
        # the paired t statistic by its formula
        assert row["t"] == pytest.approx(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))), rel=1e-6)
    assert list(res.table.columns) == list(CVPAT_COLUMNS)


def test_t_statistics_equal_scipy_on_the_stored_losses(mobi, ecsi) -> None:
    res = cvpat(fit_pls(mobi, ecsi), folds=5, repeats=1, seed=9)
    for row in res.table.itertuples(index=False):
        model = res.losses[(row.construct, "model")]
        other = res.losses[(row.construct, row.comparison)]
        ref = stats.ttest_rel(other, model, alternative=row.alternative)
        assert row.t == pytest.approx(ref.statistic, rel=1e-10)
        assert row.pvalue == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)
        assert row.df == len(model) - 1
        assert row.loss_model == pytest.approx(model.mean())


def _simulate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    xi = rng.standard_normal(n)
    eta = 0.7 * xi + np.sqrt(1 - 0.49) * rng.standard_normal(n)
    cols = {f"x{k}": 0.8 * xi + 0.6 * rng.standard_normal(n) for k in (1, 2, 3)}
    cols |= {f"y{k}": 0.8 * eta + 0.6 * rng.standard_normal(n) for k in (1, 2, 3)}
    return pd.DataFrame(cols)


def test_a_correctly_specified_model_beats_the_indicator_average() -> None:
    data = _simulate(400, 1)
    res = cvpat(
        fit_pls(data, "X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\nY ~ X"), folds=10, repeats=3, seed=1
    )
    row = res.table.set_index(["comparison", "construct"]).loc[("IA", "overall")]
    assert row["difference"] > 0 and row["pvalue"] < 0.001 and bool(row["model_better"])
    assert "CVPAT" in res.summary() and "CVPAT" in res.summary(lang="zh")
    assert "<table" in res._repr_html_() and "IA" in repr(res)


def test_competing_model_uses_the_same_folds(mobi, ecsi) -> None:
    model = fit_pls(mobi, ecsi)
    fewer = ModelSpec(
        indicators=ecsi.indicators,
        paths=tuple(p for p in ecsi.paths if p != ("Image", "Loyalty")),
        modes=ecsi.modes,
    )
    other = fit_pls(mobi, fewer)
    res = cvpat(model, competitor=other, folds=5, repeats=1, seed=4)
    alone = cvpat(other, folds=5, repeats=1, seed=4)
    np.testing.assert_allclose(
        res.losses[("overall", "competitor")], alone.losses[("overall", "model")], rtol=1e-12
    )
    row = res.table.set_index(["comparison", "construct"]).loc[("competitor", "Loyalty")]
    assert row["alternative"] == "two-sided"
    d = res.losses[("Loyalty", "competitor")] - res.losses[("Loyalty", "model")]
    assert row["t"] == pytest.approx(stats.ttest_rel(d, np.zeros(len(d))).statistic, rel=1e-10)


def test_bad_input(mobi, ecsi) -> None:
    model = fit_pls(mobi, ecsi)
    with pytest.raises(CsiInputError, match="same respondents"):
        cvpat(model, competitor=fit_pls(mobi.iloc[:200], ecsi), folds=5, repeats=1)
    with pytest.raises(CsiInputError, match="folds"):
        cvpat(model, folds=1)
    with pytest.raises(CsiInputError, match="technique"):
        cvpat(model, technique="XX")
