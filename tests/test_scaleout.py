"""Moments on Dask agree with the in-memory computation."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.moments import moments_from_frame
from csi.moments_dask import _merge, _partial_moments, is_dask_frame, merge_partials

dd = pytest.importorskip("dask.dataframe")


def _frame(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 1))
    x = 5 + 2 * z + rng.normal(size=(n, 4))  # large common mean tests numerical stability
    df = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    df.loc[rng.choice(n, 37, replace=False), "c"] = np.nan
    return df


def test_dask_moments_match_pandas():
    from csi.scaleout import moments_from_dask

    df = _frame()
    ddf = dd.from_pandas(df, npartitions=7)
    assert is_dask_frame(ddf) and not is_dask_frame(df)
    got = moments_from_dask(ddf, ["a", "b", "c", "d"])
    want = moments_from_frame(df, ["a", "b", "c", "d"])
    assert got.n == want.n == 2000 - 37 and got.n_excluded == 37
    np.testing.assert_allclose(got.means.to_numpy(), want.means.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.cov.to_numpy(), want.cov.to_numpy(), rtol=0, atol=1e-12)


def test_parquet_dataset_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    from csi.scaleout import moments_from_parquet

    df = _frame(3000, seed=3)
    dd.from_pandas(df, npartitions=5).to_parquet(tmp_path / "survey")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = moments_from_parquet(str(tmp_path / "survey"), ["a", "b", "c"], client=client)
    want = moments_from_frame(df, ["a", "b", "c"])
    np.testing.assert_allclose(got.cov.to_numpy(), want.cov.to_numpy(), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(0, 10**6))
def test_merging_partitions_is_exact_whatever_the_split(sizes, seed):
    rng = np.random.default_rng(seed)
    total = sum(sizes)
    data = 1e3 + rng.normal(size=(total, 3))
    frame = pd.DataFrame(data, columns=list("xyz"))
    bounds = np.cumsum([0, *sizes])
    parts = [_partial_moments(frame.iloc[a:b], list("xyz")) for a, b in itertools.pairwise(bounds)]
    n, mean, m2, _ = merge_partials(parts)
    assert n == total
    if total >= 2:
        np.testing.assert_allclose(mean, data.mean(axis=0), atol=1e-9)
        np.testing.assert_allclose(m2 / (n - 1), np.cov(data, rowvar=False), atol=1e-8)


def test_merge_with_an_empty_part_keeps_the_other():
    part = _partial_moments(pd.DataFrame({"x": [1.0, 2.0, 4.0]}), ["x"])
    empty = _partial_moments(pd.DataFrame({"x": [np.nan]}), ["x"])
    n, mean, _, excluded = _merge(empty, part)
    assert n == 3 and mean[0] == pytest.approx(7 / 3) and excluded == 1


# ------------------------------------------------------ the CSI model through Dask
@pytest.fixture(scope="module")
def sample_frame():
    from csi.datasets import simulate_csi

    sim = simulate_csi(4000, seed=11, missing_rate=0.01)
    from csi.survey import read_survey

    return read_survey(sim.data, sim.codebook, missing="keep").data, sim.codebook


def _acsi(codebook):
    from csi.spec import ModelSpec

    roles = {
        "expectation": "Expectation",
        "quality": "Quality",
        "value": "Value",
        "satisfaction": "Satisfaction",
        "complaints": "Complaints",
        "loyalty": "Loyalty",
    }
    return ModelSpec.acsi(indicators={r: codebook.items_of(c) for r, c in roles.items()})


def test_fit_pls_on_a_parquet_survey_through_a_local_cluster(sample_frame, tmp_path):
    distributed = pytest.importorskip("distributed")
    from csi.pls import fit_pls
    from csi.scaleout import index_by_dask, score_to_parquet

    frame, codebook = sample_frame
    spec = _acsi(codebook)
    dd.from_pandas(frame, npartitions=6).to_parquet(tmp_path / "survey")
    want = fit_pls(frame, spec, scale=(1, 10))
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        table = dd.read_parquet(tmp_path / "survey")
        got = fit_pls(table, spec, scale=(1, 10), client=client)
        by_region = index_by_dask(got, table, "region", client=client)
        score_to_parquet(got, table, str(tmp_path / "scores"), keep=["region"], client=client)
    assert got.n == want.n and got.n_excluded == want.n_excluded > 0
    for name in ("path_coefficients", "outer_weights", "loadings", "total_effects"):
        np.testing.assert_allclose(
            getattr(got, name)["estimate"], getattr(want, name)["estimate"], atol=1e-6
        )
    np.testing.assert_allclose(got.index(), want.index(), atol=1e-6)
    assert got.scores is None
    # segment indices: Dask's one pass equals the in-memory index_by
    ref = want.index_by("region")
    merged = by_region.merge(ref, on=["segment", "construct"], suffixes=("", "_ref"))
    assert len(merged) == len(ref) == 4 * 6
    np.testing.assert_allclose(merged["index"], merged["index_ref"], atol=1e-6)
    assert (merged["n"] == merged["n_ref"]).all()
    # respondent scores written lazily: their mean over complete respondents is the index
    scores = pd.read_parquet(tmp_path / "scores")
    assert len(scores) == len(frame)
    complete = scores.dropna(subset=list(spec.constructs))
    assert len(complete) == want.n
    np.testing.assert_allclose(complete[list(spec.constructs)].mean(), want.index(), atol=1e-6)
    np.testing.assert_allclose(
        complete[list(spec.constructs)].to_numpy(),
        want.respondent_index().to_numpy(),
        atol=1e-6,
    )


def test_dask_levels_agree_with_classify(sample_frame):
    from csi.pls import fit_pls
    from csi.scaleout import score_dask
    from csi.scales import classify

    frame, codebook = sample_frame
    spec = _acsi(codebook)
    res = fit_pls(frame, spec, scale=(1, 10))
    scores = score_dask(res, dd.from_pandas(frame, npartitions=3)).compute()
    sat = scores["Satisfaction"].dropna()
    levels = classify(sat)
    got = scores.loc[sat.index, "Satisfaction_level"].astype(int)
    want = pd.Series(np.asarray(getattr(levels, "level", levels)), index=sat.index).astype(int)
    assert (got == want).all()


def test_dask_errors_name_the_column(sample_frame):
    from csi.pls import fit_pls
    from csi.scaleout import index_by_dask

    frame, codebook = sample_frame
    spec = _acsi(codebook)
    res = fit_pls(frame, spec, scale=(1, 10))
    table = dd.from_pandas(frame.drop(columns=["VAL2"]), npartitions=2)
    with pytest.raises(Exception, match="VAL2"):
        fit_pls(table, spec, scale=(1, 10))
    with pytest.raises(Exception, match="segment column 'zone'"):
        index_by_dask(res, dd.from_pandas(frame, npartitions=2), "zone")


def test_fit_sem_on_a_dask_table_matches_pandas(sample_frame):
    from csi.sem import fit_sem

    frame, codebook = sample_frame
    spec = _acsi(codebook)
    want = fit_sem(frame, spec)
    got = fit_sem(dd.from_pandas(frame, npartitions=4), spec)
    assert got.n == want.n and got.n_excluded == want.n_excluded
    np.testing.assert_allclose(
        got.estimates["estimate"], want.estimates["estimate"], rtol=1e-4, atol=1e-6
    )
    np.testing.assert_allclose(
        got.fit_indices[["chisq", "cfi", "rmsea", "srmr"]],
        want.fit_indices[["chisq", "cfi", "rmsea", "srmr"]],
        rtol=1e-4,
        atol=1e-8,
    )


def test_indicator_system_scores_on_dask_match_pandas(tmp_path):
    from csi.indicators import IndicatorSystem
    from csi.scaleout import score_dask, score_to_parquet

    root = Path(__file__).resolve().parents[1] / "data" / "samples"
    survey = pd.read_csv(root / "survey.csv")
    fitted = IndicatorSystem.from_yaml(root / "indicator_system.yaml").fit(survey)
    want = fitted.respondent_scores(survey)
    table = dd.from_pandas(survey, npartitions=4)
    lazy = score_dask(fitted, table, keep=["respondent_id"])
    got = lazy.compute()
    rootid = fitted.system.root.id
    pd.testing.assert_frame_equal(got[want.columns], want, check_exact=False, atol=1e-9)
    assert (got["respondent_id"] == survey["respondent_id"]).all()
    level = got[f"{rootid}_level"].dropna().astype(int)
    assert level.between(1, 7).all() and level.nunique() > 2
    score_to_parquet(fitted, table, str(tmp_path / "system"), levels=False)
    back = pd.read_parquet(tmp_path / "system")
    assert len(back) == len(survey) and rootid in back.columns
