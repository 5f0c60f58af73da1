"""The moments pass of the bootstrap engine in every layout it chooses: the product taken
as ``C P`` or ``P' C'`` (batch above or below the number of product columns), products
stored once or built per chunk of rows, with and without segment order. Each resample's
moments are checked against the data with its rows repeated as often as drawn, computed
here with numpy and pandas (the engine is not used for the expected values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.datasets import simulate_csi
from csi.pls import batched, fit_pls
from csi.pls import resampling as rs
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, ModelSpec]:
    """150 respondents, 20 items on a 10-point scale, about 1% missing answers."""
    sim = simulate_csi(150, seed=3, model="ecsi", segments=False, waves=None, missing_rate=0.01)
    spec = ModelSpec.ecsi(indicators=sim.roles)
    return sim.data[list(spec.items)].mask(lambda x: x > 10), spec


def _layout(monkeypatch: pytest.MonkeyPatch, stored: bool) -> None:
    """Products stored once (``stored``) or built per chunk of 13 rows."""
    if not stored:
        monkeypatch.setattr(batched, "_PRODUCT_BLOCK", 10)
        monkeypatch.setattr(batched, "_CHUNK_ROWS", 13)


def _repeated(raw: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(np.repeat(raw, counts, axis=0))


def _expected(raw: np.ndarray, counts: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """Means and covariances (raw scale) of the repeated rows: divisor sum(c) for
    listwise and mean replacement (missing answers -> the resample's item mean), the
    pairwise-complete covariance (divisor n_kl - 1) of pandas for pairwise."""
    means, covs = [], []
    for row in counts:
        frame = _repeated(raw, row)
        if missing == "pairwise":
            means.append(frame.mean().to_numpy())
            covs.append(frame.cov().to_numpy())
            continue
        filled = frame.fillna(frame.mean())
        means.append(filled.mean().to_numpy())
        covs.append(filled.cov(ddof=0).to_numpy())
    return np.array(means), np.array(covs)


@pytest.mark.filterwarnings("ignore::csi._checks.CsiWarning")
@pytest.mark.parametrize("missing", ["listwise", "mean", "pairwise"])
@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("segments", [False, True])
def test_moments_in_both_product_orientations_equal_the_repeated_rows(
    monkeypatch: pytest.MonkeyPatch,
    survey: tuple[pd.DataFrame, ModelSpec],
    missing: str,
    stored: bool,
    segments: bool,
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, missing=missing)
    _layout(monkeypatch, stored)
    engine = rs.make_engine(res)
    raw = rs.raw_items(res)
    width = engine._n_products
    if segments:
        engine.set_groups(np.random.default_rng(2).integers(-1, 3, engine.n_rows), 3)
    # a batch below and one above the product columns: P'C' and CP
    for n_batch in (5, width + 7):
        counts = rs.draw_counts(np.random.default_rng(n_batch), n_batch, engine.n_rows)
        visit = counts
        if segments:  # the counts' columns in the engine's visiting order (draw_counts' layout)
            assert engine.positions is not None
            visit = np.empty_like(counts)
            visit[:, engine.positions] = counts
        fit = engine.fit(visit, visit_order=segments)
        check = [0, 1, n_batch - 1]  # the repeated-rows oracle is slow: three members
        means, cov = _expected(raw, counts[check], missing)
        np.testing.assert_allclose(fit.means[check], means, rtol=0, atol=1e-9)
        cov_raw = fit.cov_z[check] * np.outer(engine.sd, engine.sd)
        np.testing.assert_allclose(cov_raw, cov, rtol=0, atol=1e-8)
        np.testing.assert_allclose(fit.weight_total, counts.sum(axis=1), rtol=1e-12)
        if segments:
            assert fit.segment_sums is not None and engine.groups is not None
            for g in range(3):
                rows = engine.groups == g
                expected = counts[:, rows].astype(float) @ engine.z[rows]
                np.testing.assert_allclose(fit.segment_sums[:, g], expected, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    n_rows=st.integers(2, 60),
    n_batch=st.integers(1, 40),
    chunk=st.integers(1, 70),
    seed=st.integers(0, 2**32 - 1),
)
def test_weighted_sums_equal_a_direct_product_for_any_chunk_and_batch(
    n_rows: int, n_batch: int, chunk: int, seed: int
) -> None:
    """c'Z and c'(z_k z_l) from the chunked pass equal one direct product, whatever the
    chunk size and whichever side of the 9 product columns (3 items) the batch is."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n_rows, 3))
    counts = rng.integers(0, 4, size=(n_batch, n_rows)).astype(np.uint8)
    i, j = np.triu_indices(3)
    expected = counts.astype(float) @ np.hstack([z, z[:, i] * z[:, j]])
    engine = object.__new__(batched.Engine)  # only the data part of an engine is needed
    engine.z = engine._zv = z
    engine.raw = z
    engine._tri = (i, j)
    engine._observed = engine._order = engine._runs = engine._products = None
    engine._n_groups = 0
    old = batched._CHUNK_ROWS, batched._PRODUCT_BLOCK
    batched._CHUNK_ROWS, batched._PRODUCT_BLOCK = chunk, 0
    try:
        total, sums, cross, _, _ = engine._sums(counts, None)
    finally:
        batched._CHUNK_ROWS, batched._PRODUCT_BLOCK = old
    np.testing.assert_allclose(total, counts.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(np.hstack([sums, cross]), expected, rtol=1e-10, atol=1e-10)
