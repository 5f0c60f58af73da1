"""The memory-saving paths of the report (issue 20) give the same numbers as the plain
ones: shallow copies of the survey under copy-on-write stay independent, blindfolding
without copies of the data equals the textbook loop with copies (written here), and the
report's PLSpredict on a sample states its n and equals PLSpredict of the model refitted
on the same seeded sample (drawn here)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csi.report.sections_pls_detail as detail
from csi.pls import fit_pls
from csi.pls.algorithm import inner_estimates, outer_weights
from csi.quality import blindfolding, pls_predict
from csi.report import run_analysis
from csi.report.model import load_model
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"


@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


def test_survey_frames_are_independent_of_each_other_and_of_the_caller() -> None:
    df = pd.DataFrame({"id": ["a", "b", "c"], "q1": [5, 99, 2], "q2": [1, 2, 4]})
    before = df.copy()
    cb = {"id": "id", "scale": {"min": 1, "max": 5}, "missing": [99]}
    cb |= {"items": {"q1": {}, "q2": {"reverse": True}}}
    kept = read_survey(df, cb, missing="keep")
    kept.data.loc[0, "q1"] = 1.0
    public = kept.public_data()
    public.loc[1, "q2"] = 0.0
    assert public.columns.tolist() == ["q1", "q2"]
    pd.testing.assert_frame_equal(df, before)
    assert kept.all_responses()["q1"].tolist()[0] == 5.0
    assert kept.data["q2"].tolist() == [5.0, 4.0, 2.0]  # reverse-coded on a 1-5 range
    assert kept.all_responses()["q2"].tolist() == [5.0, 4.0, 2.0]
    listwise = read_survey(df, cb)
    assert listwise.data["id"].tolist() == ["a", "c"]
    assert listwise.all_responses()["id"].tolist() == ["a", "b", "c"]
    pd.testing.assert_frame_equal(df, before)


def _blindfolding_with_copies(result, X: np.ndarray, D: int) -> dict[str, float]:
    """Stone-Geisser Q² with a fresh copy of the standardized data in every round."""
    layout = result.layout
    n = len(X)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    out = {}
    for t in layout.targets:
        block = layout.block_items(int(t))
        number = (np.arange(block.size)[None, :] * n + np.arange(n)[:, None]) % D
        sse = sso = 0.0
        for d in range(D):
            omit = number == d
            Xi = Z.copy()
            sub = Xi[:, block]
            sub[omit] = 0.0
            Xi[:, block] = sub
            mean_i, sd_i = Xi.mean(axis=0), Xi.std(axis=0, ddof=1)
            S = np.corrcoef(Xi, rowvar=False)
            wf = outer_weights(S, layout, scheme=result.scheme, tol=result.tol, max_iter=300)
            inner = inner_estimates(S, wf.weights, layout)
            Y = ((Xi - mean_i) / sd_i) @ (wf.weights[:, None] * layout.mask)
            pred = layout.predecessors[int(t)]
            yhat = Y[:, pred] @ inner.paths[pred, int(t)]
            own = inner.cross_loadings[block, int(t)]
            xhat = mean_i[block] + sd_i[block] * (yhat[:, None] * own[None, :])
            actual = Z[:, block]
            sse += float(((actual - xhat) ** 2)[omit].sum())
            sso += float((actual**2)[omit].sum())
        out[layout.constructs[int(t)]] = 1.0 - sse / sso
    return out


def test_blindfolding_without_copies_equals_the_loop_with_copies(survey) -> None:
    spec = load_model(None, survey.codebook)
    result = fit_pls(survey, spec)
    X = survey.data.loc[:, list(result.layout.items)].to_numpy(dtype=float)
    expected = _blindfolding_with_copies(result, X, 7)
    got = blindfolding(result, omission_distance=7).set_index("construct")["q2"]
    assert set(got.index) == set(expected)
    for construct, q2 in expected.items():
        # the same operations; BLAS may round a product differently in the last bit
        assert got[construct] == pytest.approx(q2, rel=1e-12, abs=1e-14)


def test_report_pls_predict_on_a_sample_states_n(survey, monkeypatch) -> None:
    cap = 400
    monkeypatch.setattr(detail, "PREDICT_MAX_SAMPLE", cap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(survey, segment="region", sem=False, figures=False, bootstrap=0)
    table = next(t for t in report.tables if t.key == "pls_predict")
    assert f"n = {cap:,}" in table.note and f"{survey.n:,} respondents" in table.note
    # the same sample drawn here, the model refitted on it, PLSpredict of that fit
    spec = load_model(None, survey.codebook)
    full = fit_pls(survey, spec)
    rng = np.random.default_rng(1)  # the report's default seed
    rows = np.sort(rng.choice(full.row_positions, cap, replace=False))
    sample = survey.all_responses().iloc[rows]
    refit = fit_pls(sample, spec, scale=full.scale)
    assert refit.n == cap
    repeats = detail.PREDICT_REPEATS if cap <= detail.PREDICT_MAX_N else 1
    expected = pls_predict(refit, folds=detail.PREDICT_FOLDS, repeats=repeats, seed=1).items
    shown = table.frame.iloc[:, 2].to_numpy(dtype=float)  # Q²predict
    assert np.allclose(shown, expected["q2_predict"].to_numpy(), rtol=1e-10, atol=1e-12)


def test_report_pls_predict_uses_everyone_up_to_the_cap(survey) -> None:
    assert survey.n <= detail.PREDICT_MAX_SAMPLE
    spec = load_model(None, survey.codebook)
    result = fit_pls(survey, spec)

    class Ctx:
        seed = 1

    Ctx.result = result  # type: ignore[attr-defined]
    fitted, sampled = detail.predict_fit(Ctx)  # type: ignore[arg-type]
    assert fitted is result and not sampled


def test_engine_standardising_its_own_copy_gives_the_same_fits(survey) -> None:
    from csi.pls.batched import Engine
    from csi.pls.resampling import make_engine, raw_items

    spec = load_model(None, survey.codebook)
    result = fit_pls(survey, spec)
    raw = raw_items(result)
    before = raw.copy()
    given = make_engine(result, raw)  # the caller's array: left as it was
    np.testing.assert_array_equal(raw, before)
    own = make_engine(result)  # made for the engine alone: standardised in place
    assert own.own_raw and not given.own_raw
    np.testing.assert_array_equal(own.z, (before - before.mean(axis=0)) / before.std(axis=0))
    n = len(raw)
    counts = np.random.default_rng(5).multinomial(n, np.full(n, 1 / n), size=3)
    a, b = given.fit(counts), own.fit(counts)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert isinstance(own, Engine)


def test_stage_timer_times_and_gives_memory_back() -> None:
    from csi.report.context import StageTimer, release_memory

    times: dict[str, float] = {}
    timer = StageTimer(times)
    with timer("fit"):
        junk = [str(k) * 3 for k in range(200_000)]
        del junk
    release_memory()  # callable on its own, whatever the system
    assert set(times) == {"fit"} and times["fit"] > 0
