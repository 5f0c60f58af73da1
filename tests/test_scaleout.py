"""Moments on Dask agree with the in-memory computation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.moments import moments_from_frame
from csi.scaleout import _merge, _partial_moments, is_dask_frame, merge_partials

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
