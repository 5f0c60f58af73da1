"""The bootstrap's scaling paths: compact count draws, the chunked moments pass and the
per-segment sums, each checked against a plain computation written here."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.datasets import simulate_csi
from csi.pls import batched, fit_pls
from csi.pls import resampling as rs
from csi.pls.batched import bootstrap_counts
from csi.pls.bootstrap import BootstrapResult, bootstrap, resample_indices
from csi.pls.statistics import builtin_statistics
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, ModelSpec]:
    """A 10-point ECSI survey with a few missing answers, five segments and weights."""
    sim = simulate_csi(400, seed=21, model="ecsi", segments=False, waves=None, missing_rate=0.02)
    spec = ModelSpec.ecsi(indicators=sim.roles)
    data = sim.data[list(spec.items)].mask(lambda x: x > 10)  # missing-answer code -> NaN
    rng = np.random.default_rng(4)
    data["seg"] = rng.choice(list("abcde"), size=len(data), p=[0.1, 0.3, 0.2, 0.25, 0.15])
    data["w"] = rng.uniform(0.5, 2.0, len(data))
    return data, spec


def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force many row chunks and per-chunk products (what large samples do)."""
    monkeypatch.setattr(batched, "_COUNT_BLOCK", 7 * 37)
    monkeypatch.setattr(batched, "_PRODUCT_BLOCK", 500)


# ------------------------------------------------------------------ draws
@pytest.mark.parametrize(("n", "n_rows", "block"), [(7, 300, 4_000_000), (7, 301, 1000), (3, 5, 1)])
def test_compact_draws_are_the_documented_stream(
    monkeypatch: pytest.MonkeyPatch, n: int, n_rows: int, block: int
) -> None:
    """draw_counts gives the counts of resample_indices for the seed, in any draw block."""
    monkeypatch.setattr(rs, "_DRAW_BLOCK", block)
    got = rs.draw_counts(np.random.default_rng(9), n, n_rows)
    idx = resample_indices(n_rows, n, 9)
    expected = np.stack([np.bincount(row, minlength=n_rows) for row in idx])
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, bootstrap_counts(idx, n_rows))


def test_compact_draws_widen_when_a_row_is_drawn_more_than_255_times() -> None:
    class AllFirst:  # a generator stand-in drawing row 0 every time
        def integers(self, low: int, high: int, size: tuple[int, int]) -> np.ndarray:
            return np.zeros(size, dtype=np.int64)

    got = rs.draw_counts(AllFirst(), 2, 300)  # type: ignore[arg-type]
    assert got[:, 0].tolist() == [300, 300]
    assert got[:, 1:].sum() == 0


def test_batch_size_stays_large_and_memory_bounded() -> None:
    assert rs.bootstrap_batch_size(250) == 500
    assert rs.bootstrap_batch_size(100_000) == 500
    big = rs.bootstrap_batch_size(1_000_000)
    assert 100 <= big < 500
    assert big * 1_000_000 <= rs.COUNT_BYTES  # one byte per count


# ------------------------------------------------------------------ moments
def _plain_moments(z: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means and covariances (divisor sum c) of complete rows, one resample at a time."""
    means = np.array([np.average(z, axis=0, weights=row) for row in c])
    cov = [(z - m).T @ ((z - m) * w[:, None]) / w.sum() for m, w in zip(means, c, strict=True)]
    return means, np.array(cov)


@pytest.mark.parametrize("weighted", [False, True])
def test_chunked_moments_equal_a_plain_weighted_covariance(
    monkeypatch: pytest.MonkeyPatch, survey: tuple[pd.DataFrame, ModelSpec], weighted: bool
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, weights="w" if weighted else None)
    engine = rs.make_engine(res)
    counts = rs.draw_counts(np.random.default_rng(3), 6, engine.n_rows)
    _small_chunks(monkeypatch)
    engine.set_groups(np.zeros(engine.n_rows, dtype=np.intp), 1)  # visit order + chunks
    fit = engine.fit(counts)
    c = counts * (1.0 if engine.row_weights is None else engine.row_weights)
    means, cov = _plain_moments(engine.z, c)
    np.testing.assert_allclose(fit.cov_z, cov, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.means, engine.mu + engine.sd * means, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.weight_total, c.sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize("missing", ["listwise", "mean", "pairwise"])
@pytest.mark.parametrize("weighted", [False, True])
def test_chunked_fits_equal_the_one_pass_fits(
    monkeypatch: pytest.MonkeyPatch,
    survey: tuple[pd.DataFrame, ModelSpec],
    missing: str,
    weighted: bool,
) -> None:
    """Row chunks, per-chunk products, compact counts and segment order change nothing
    but rounding (missing-data moments included)."""
    data, spec = survey
    res = fit_pls(data, spec, missing=missing, weights="w" if weighted else None)
    engine = rs.make_engine(res)
    counts = rs.draw_counts(np.random.default_rng(5), 9, engine.n_rows)
    whole = engine.fit(counts.astype(float))
    _small_chunks(monkeypatch)
    chunked = rs.make_engine(res)
    codes = np.random.default_rng(1).integers(-1, 4, engine.n_rows)
    chunked.set_groups(codes, 4)
    parts = chunked.fit(counts)
    for name in ("cov_z", "means", "weights", "loadings", "paths", "r2", "weight_total"):
        np.testing.assert_allclose(
            getattr(parts, name), getattr(whole, name), rtol=1e-12, atol=1e-12, err_msg=name
        )
    np.testing.assert_array_equal(parts.status, whole.status)
    # the segment sums are each segment's weighted sums of z
    c = whole.counts
    assert c is not None and parts.segment_sums is not None and parts.segment_totals is not None
    for g in range(4):
        rows = codes == g
        expected = c[:, rows] @ engine.z[rows]
        np.testing.assert_allclose(parts.segment_sums[:, g], expected, rtol=0, atol=1e-10)
        np.testing.assert_allclose(parts.segment_totals[:, g], c[:, rows].sum(axis=1), rtol=1e-12)


# ------------------------------------------------------------------ segments
def test_segment_index_of_each_resample_equals_index_by_of_a_separate_fit(
    monkeypatch: pytest.MonkeyPatch, survey: tuple[pd.DataFrame, ModelSpec]
) -> None:
    """Independent oracle: fit_pls on the rows of resample r, then index_by(segment)."""
    data, spec = survey
    complete = data.dropna().reset_index(drop=True)
    res = fit_pls(complete, spec, scale=(1, 10))
    _small_chunks(monkeypatch)
    engine = rs.make_engine(res)
    ctx = rs.segment_context(res, engine, None, "seg")
    stats = builtin_statistics(ctx)
    plan = rs.make_plan(engine, ctx, stats)
    idx = resample_indices(engine.n_rows, 4, 13)
    values = rs.evaluate(engine.fit(bootstrap_counts(idx, engine.n_rows)), ctx, stats)
    seg_rows = ((plan.labels["kind"] == "index") & (plan.labels["segment"] != "")).to_numpy()
    labels = plan.labels[seg_rows]
    for r in range(4):
        one = fit_pls(complete.iloc[idx[r]].reset_index(drop=True), spec, scale=(1, 10))
        by = one.index_by("seg").set_index(["segment", "construct"])["index"]
        expected = [by[(s, c)] for s, c in zip(labels["segment"], labels["construct"], strict=True)]
        np.testing.assert_allclose(values[r, seg_rows], expected, rtol=0, atol=1e-9)


def test_segment_bootstrap_does_not_depend_on_chunking(
    monkeypatch: pytest.MonkeyPatch, survey: tuple[pd.DataFrame, ModelSpec]
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10), missing="mean", weights="w")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = bootstrap(res, 40, seed=2, segment="seg", keep_draws=True, progress=False)
        _small_chunks(monkeypatch)
        many = bootstrap(res, 40, seed=2, segment="seg", keep_draws=True, progress=False)
    assert one.draws is not None and many.draws is not None
    np.testing.assert_allclose(
        many.table["estimate"], one.table["estimate"], rtol=1e-12, atol=1e-12
    )
    # draws are float32 deviations: equal up to float32 rounding of values equal to 1e-12
    np.testing.assert_allclose(many.draws.to_numpy(), one.draws.to_numpy(), rtol=0, atol=1e-5)


def test_many_statistics_are_evaluated_in_slices_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch, survey: tuple[pd.DataFrame, ModelSpec]
) -> None:
    """Evaluating a batch's fits in slices (many statistics) changes nothing, failure
    accounting included (an item nearly constant makes some resamples degenerate)."""
    data, spec = survey
    small = data.dropna().iloc[:60].copy()
    item = spec.items[0]
    small[item] = 7.0
    small.iloc[:2, small.columns.get_loc(item)] = 3.0  # constant in ~13% of resamples
    res = fit_pls(small, spec, scale=(1, 10))

    def run() -> BootstrapResult:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bootstrap(res, 30, seed=8, segment="seg", keep_draws=True, ci="bca")

    whole = run()
    monkeypatch.setattr(rs, "VALUES_BLOCK", 7 * whole.table.shape[0])  # 7 resamples a slice
    sliced = run()
    assert whole.n_failed > 0
    pd.testing.assert_frame_equal(sliced.table, whole.table)
    pd.testing.assert_frame_equal(sliced.failures, whole.failures)
    assert sliced.draws is not None and whole.draws is not None
    pd.testing.assert_frame_equal(sliced.draws, whole.draws)


# ------------------------------------------------------------------ one fit
@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
@pytest.mark.parametrize("variant", ["plain", "mode_b", "anchors", "seminr", "not_converged"])
def test_single_matrix_iterations_equal_the_stacked_ones(
    survey: tuple[pd.DataFrame, ModelSpec], scheme: str, variant: str
) -> None:
    """outer_weights on one matrix (its 2-d fast path) gives exactly what the stacked
    path gives for that matrix as a stack of one."""
    from csi.pls.algorithm import Layout, outer_weights, sign_anchors

    data, spec = survey
    if variant == "mode_b":
        spec = ModelSpec(indicators=spec.indicators, paths=spec.paths, modes={"Image": "B"})
    layout = Layout.from_spec(spec)
    S = np.corrcoef(data[list(layout.items)].dropna().to_numpy(dtype=float), rowvar=False)
    anchors = None
    if variant == "anchors":
        anchors = sign_anchors({"Satisfaction": layout.items[layout.block_items(4)[-1]]}, layout)
    elif variant == "seminr":
        anchors = sign_anchors("seminr", layout)
    max_iter = 2 if variant == "not_converged" else 300
    kw = {"scheme": scheme, "tol": 1e-7, "max_iter": max_iter, "anchors": anchors}
    one = outer_weights(S, layout, **kw)
    stack = outer_weights(S[None], layout, **kw)
    np.testing.assert_array_equal(one.weights, stack.weights[0])
    assert one.iterations == stack.iterations[0]
    assert one.converged == stack.converged[0] == (variant != "not_converged")
    assert one.change == stack.change[0]


def test_counts_drawn_in_segment_order_read_back_in_row_order(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """With segments the counts are drawn in the engine's segment order; a statistic
    reading ``fit.counts`` still sees respondent i's count in column i."""
    from csi.pls.statistics import ResampleStatistic

    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10), weights="w")
    engine = rs.make_engine(res)
    first = ResampleStatistic(
        kind="count_of_first_rows",
        labels=lambda ctx: [{"indicator": str(k)} for k in range(5)],
        compute=lambda fit, ctx: fit.counts[:, :5] / ctx.engine.row_weights[:5],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = bootstrap(res, 12, seed=6, segment="seg", statistics=[first], keep_draws=True)
    assert boot.draws is not None
    idx = resample_indices(engine.n_rows, 12, 6)
    expected = np.stack([np.bincount(row, minlength=engine.n_rows)[:5] for row in idx])
    got = boot.draws.loc[:, boot.table["kind"] == "count_of_first_rows"].to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_bca_counts_draws_within_rounding_of_the_estimate_as_ties() -> None:
    """A draw equal to the estimate in exact arithmetic (a discrete statistic) may come out
    1e-14 off after a different summation order; BCa's bias correction must not move."""
    from csi.pls.intervals import bca

    exact = np.array([[-2.0], [-1.0], [0.0], [1.0], [3.0], [4.0]], dtype=np.float32)
    est, accel = np.zeros(1), np.zeros(1)
    want = bca(exact, est, accel, 0.8)
    for noise in (1e-14, -1e-14):
        nudged = exact.copy()
        nudged[2, 0] = noise
        got = bca(nudged, est, accel, 0.8, tie=1e-10)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
        assert not np.allclose(bca(nudged, est, accel, 0.8), want, atol=1e-9)  # without: moves


def test_single_matrix_names_collinear_predecessors_as_the_stack_does() -> None:
    from csi.pls.algorithm import Layout, PLSEstimationError, outer_weights

    rng = np.random.default_rng(2)
    a = rng.normal(size=(200, 2))
    c = a @ [0.5, 0.5] + rng.normal(size=(200, 1)).ravel()
    X = np.column_stack([a, a, c, c + rng.normal(size=200)])  # B's items copy A's
    spec = ModelSpec(
        indicators={"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"]},
        paths=[("A", "C"), ("B", "C")],
    )
    layout = Layout.from_spec(spec)
    S = np.corrcoef(X, rowvar=False)
    messages = []
    for corr in (S, S[None]):
        with pytest.raises(PLSEstimationError, match="predecessors of 'C' are perfectly") as err:
            outer_weights(corr, layout, scheme="path")
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_pairs_false_keeps_every_other_row_and_drops_only_the_differences(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """bootstrap(..., segment=, pairs=False): the same draws and rows as pairs=True except
    the k(k-1)/2 index differences per construct (linear in the number of segments)."""
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10), missing="mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = res.bootstrap(30, seed=5, segment="seg", progress=False)
        lean = res.bootstrap(30, seed=5, segment="seg", progress=False, pairs=False)
    diff = full.table["kind"] == "index_difference"
    assert diff.sum() == 10 * len(spec.constructs)  # 5 segments: 10 pairs per construct
    assert "index_difference" not in set(lean.table["kind"])
    pd.testing.assert_frame_equal(
        full.table[~diff].reset_index(drop=True), lean.table.reset_index(drop=True)
    )
