"""Resampling machinery of the PLS bootstrap (:mod:`csi.pls.bootstrap`).

The draws (:func:`resample_indices`, frequency-weight counts), the statistics plan
of a run (labels, full-sample values, cheap standard errors), the batches fitted by
the engine (:mod:`csi.pls.batched`) with their failure accounting, the progress bar,
the jackknife of the BCa acceleration, and the engine and segment context built from
a fitted model. The rules (failures, sign handling, reproducibility, memory) are
described in :mod:`csi.pls.bootstrap`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, CsiWarning, check_rng
from csi.moments import effective_weights
from csi.pls.algorithm import sign_anchors
from csi.pls.batched import NON_FINITE, OK, REASONS, Engine, StackFit, run_ordered
from csi.pls.segments import segment_values
from csi.pls.statistics import LABEL_COLUMNS, Context, ResampleStatistic

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

#: Largest number of jackknife fits for the BCa acceleration.
JACKKNIFE_MAX = 1000

#: Share of failed resamples above which a warning is given.
FAILURE_WARN_SHARE = 0.01


class BootstrapFailureWarning(CsiWarning):
    """More than 1% of the bootstrap resamples failed (see ``BootstrapResult.failures``)."""


class SmallSegmentWarning(CsiWarning):
    """Segments too small for bootstrap statistics were left out (``min_size``)."""


def resample_indices(n_rows: int, n: int, seed: Any) -> np.ndarray:
    """The row indices ``(n, n_rows)`` of the resamples :func:`bootstrap` draws for ``seed``.

    Row ``r`` lists the (0-based) positions, among the respondents resampled (the
    complete ones for listwise, every respondent read for mean and pairwise), of the
    ``n_rows`` respondents in resample ``r``:
    ``numpy.random.default_rng(seed).integers(0, n_rows, size=(n, n_rows))``.
    """
    return check_rng(seed).integers(0, n_rows, size=(n, n_rows))


# ---------------------------------------------------------------- the run
@dataclass(frozen=True)
class Plan:
    """The statistics of a run: their labels, full-sample values and SE formulas."""

    stats: tuple[ResampleStatistic, ...]
    labels: pd.DataFrame
    estimate: np.ndarray
    test_zero: np.ndarray
    pivot_cols: np.ndarray  # positions of the columns with a cheap SE
    se_hat: np.ndarray  # (K,) full-sample SE for those columns (NaN elsewhere)

    @property
    def checked(self) -> np.ndarray:
        """Columns whose resample values must be finite (finite in the full sample)."""
        return np.isfinite(self.estimate)


def evaluate(fit: StackFit, ctx: Context, stats: Sequence[ResampleStatistic]) -> np.ndarray:
    """All statistics of a stack of fits, ``(B, K)``."""
    return np.concatenate([np.asarray(s.compute(fit, ctx), dtype=float) for s in stats], axis=1)


def _pivot_se(fit: StackFit, ctx: Context, stats: Sequence[ResampleStatistic]) -> np.ndarray:
    parts = []
    for s in stats:
        if s.se is not None:
            parts.append(np.asarray(s.se(fit, ctx), dtype=float))
    return np.concatenate(parts, axis=1) if parts else np.zeros((fit.paths.shape[0], 0))


def make_plan(engine: Engine, ctx: Context, stats: Sequence[ResampleStatistic]) -> Plan:
    """Labels and full-sample values of ``stats`` (the fit of all respondents once each)."""
    full = engine.fit(np.ones((1, engine.n_rows)))
    if not full.valid[0]:
        hint = ""
        if REASONS[int(full.status[0])] == "inadmissible":
            hint = (
                "; the full-sample PLSc solution itself is inadmissible, so "
                "inadmissible='drop' would drop the resamples that resemble it: use "
                "inadmissible='keep'"
            )
        raise CsiInputError(
            "the full-sample model could not be re-estimated from the data: "
            + full.detail.get(0, REASONS[int(full.status[0])])
            + hint
        )
    columns: dict[str, list[str]] = {c: [] for c in LABEL_COLUMNS}
    test_zero: list[bool] = []
    pivot_cols: list[int] = []
    for s in stats:
        labels = s.labels(ctx)
        start = len(test_zero)
        columns["kind"] += [s.kind] * len(labels)
        for c in LABEL_COLUMNS[1:]:
            columns[c] += [str(lab[c]) if c in lab else "" for lab in labels]
        test_zero += [s.test_zero] * len(labels)
        if s.se is not None:
            pivot_cols += list(range(start, len(test_zero)))
    labels_frame = pd.DataFrame(columns)
    estimate = evaluate(full, ctx, stats)[0]
    if estimate.size != len(labels_frame):
        raise ValueError(
            f"the statistics gave {estimate.size} values for {len(labels_frame)} labels"
        )
    se_hat = np.full(estimate.size, np.nan)
    cols = np.array(pivot_cols, dtype=np.intp)
    se_hat[cols] = _pivot_se(full, ctx, stats)[0]
    return Plan(tuple(stats), labels_frame, estimate, np.array(test_zero), cols, se_hat)


@dataclass
class Batch:
    start: int
    values: np.ndarray
    pivots: np.ndarray
    status: np.ndarray
    detail: dict[int, str]
    flips: np.ndarray
    inadmissible: int


#: Statistics x resamples evaluated at once (32 MB of floats): with many statistics
#: (index differences between hundreds of segments) a batch's fits are evaluated in
#: slices, so one moments pass still serves the whole batch.
VALUES_BLOCK = 4_000_000

#: StackFit fields with one entry per member (sliced by :func:`_take`).
_MEMBER_FIELDS = (
    "status corr cov_z weights loadings cross_loadings construct_corr paths total r2 means "
    "sd weight_total flips inadmissible raw_counts rho_a segment_sums segment_totals"
).split()


def _take(fit: StackFit, a: int, b: int) -> StackFit:
    """Members ``a`` to ``b - 1`` of a stack of fits (failure details renumbered)."""
    sliced = {f: getattr(fit, f)[a:b] for f in _MEMBER_FIELDS if getattr(fit, f) is not None}
    detail = {k - a: v for k, v in fit.detail.items() if a <= k < b}
    return replace(fit, detail=detail, **sliced)


def _run_batch(
    engine: Engine, ctx: Context, plan: Plan, start: int, counts: np.ndarray, visit: bool
) -> list[Batch] | Iterator[Batch]:
    """The batch's fits, evaluated at once, or lazily in slices of at most
    :data:`VALUES_BLOCK` values (in the caller's thread) when there are many statistics.
    ``visit``: the counts' columns are in the engine's visiting order."""
    fit = engine.fit(counts, visit_order=visit)
    n_fit = fit.status.shape[0]
    step = max(1, VALUES_BLOCK // max(plan.estimate.size, 1))
    if step >= n_fit:
        return [_evaluate(fit, ctx, plan, start)]
    return (_evaluate(_take(fit, a, a + step), ctx, plan, start + a) for a in range(0, n_fit, step))


def _evaluate(fit: StackFit, ctx: Context, plan: Plan, start: int) -> Batch:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        values = evaluate(fit, ctx, plan.stats)
        if plan.pivot_cols.size:
            se = _pivot_se(fit, ctx, plan.stats)
            piv = (values[:, plan.pivot_cols] - plan.estimate[plan.pivot_cols]) / se
            piv[~np.isfinite(piv)] = np.nan
        else:
            piv = np.zeros((values.shape[0], 0))
    status = fit.status.copy()
    detail = dict(fit.detail)
    _mark_non_finite(values, plan, status, detail)
    bad = status != OK
    values[bad] = np.nan
    piv[bad] = np.nan
    flips = fit.flips & ~bad[:, None]
    return Batch(
        start,
        values,
        piv,
        status,
        detail,
        flips.sum(axis=0),
        int((fit.inadmissible & ~bad).sum()),
    )


def _mark_non_finite(
    values: np.ndarray, plan: Plan, status: np.ndarray, detail: dict[int, str]
) -> None:
    """Fail the valid members with a non-finite value of a statistic finite in the full
    sample (in place), naming the first such statistic."""
    checked = plan.checked
    bad = ~np.isfinite(values) & checked[None, :]
    for b in np.flatnonzero(bad.any(axis=1) & (status == OK)):
        k = int(np.flatnonzero(bad[b])[0])
        row = plan.labels.iloc[k]
        label = ", ".join(f"{c} {row[c]}" for c in plan.labels.columns[1:] if row[c])
        status[b] = NON_FINITE
        detail[int(b)] = f"{row['kind']} ({label}) is {values[b, k]}"


def progress_bar(progress: Any, total: int, desc: str) -> Any:
    """A tqdm bar (auto: only on a terminal or in a notebook), or None."""
    if progress is None:
        progress = _interactive()
    if not progress:
        return None
    if progress is True:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit="resample")
    return progress  # a tqdm-like object supplied by the caller


def _interactive() -> bool:
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def default_batch_size(n_rows: int) -> int:
    """Resamples per batch: up to 500, fewer for large samples (``batch x N <= 4e6``)."""
    return int(max(8, min(500, 4_000_000 // max(n_rows, 1))))


#: Bytes of compact counts (one byte per resample and row) a bootstrap batch holds:
#: 256 resamples at 1,000,000 rows, so that the products built per batch
#: (:mod:`csi.pls.batched`) serve many resamples.
COUNT_BYTES = 256_000_000
#: Row indices drawn at once by :func:`draw_counts` (32 MB of int64).
_DRAW_BLOCK = 4_000_000


def bootstrap_batch_size(n_rows: int, workers: int = 1) -> int:
    """Resamples per batch of case resampling with compact counts (:func:`draw_counts`):
    up to 500, fewer when the batches in flight (``2 workers + 1``) would hold more
    than :data:`COUNT_BYTES` x ``workers`` of counts (256 at 1,000,000 rows)."""
    budget = COUNT_BYTES * 3 * workers // (2 * workers + 1)
    return int(max(8, min(500, budget // max(n_rows, 1))))


def draw_counts(
    rng: np.random.Generator, n: int, n_rows: int, positions: np.ndarray | None = None
) -> np.ndarray:
    """Counts ``(n, n_rows)`` of ``n`` resamples, as compact integers (``uint8``, wider
    only if a row is drawn more than 255 times).

    The same numbers as ``bootstrap_counts(rng.integers(0, n_rows, size=(n, n_rows)))``
    (the generator's stream is consumed in the same order), drawn in blocks of
    :data:`_DRAW_BLOCK` indices so the ``n x n_rows`` index matrix is never held.
    ``positions`` (:attr:`csi.pls.batched.Engine.positions`): row ``i``'s count goes to
    column ``positions[i]`` (the engine's visiting order).
    """
    out = np.empty((n, n_rows), dtype=np.uint8)
    per = max(1, _DRAW_BLOCK // max(n_rows, 1))
    for start in range(0, n, per):
        b = min(per, n - start)
        idx = rng.integers(0, n_rows, size=(b, n_rows))
        if positions is not None:
            idx = positions[idx]
        for r in range(b):  # one resample at a time: its counts (8 bytes a row) stay in cache
            counts = np.bincount(idx[r], minlength=n_rows)
            top = int(counts.max(initial=0))
            if top > np.iinfo(out.dtype).max:
                out = out.astype(np.min_scalar_type(top))
            out[start + r] = counts
    return out


def run_batches(
    engine: Engine,
    ctx: Context,
    plan: Plan,
    batches: Iterator[tuple[int, np.ndarray]],
    *,
    workers: int,
    on_batch: Callable[[Batch], None],
    visit_order: bool = False,
) -> None:
    """Fit every ``(start, counts)`` batch, in order, with up to ``workers`` threads
    (``visit_order``: counts from :func:`draw_counts` with the engine's ``positions``)."""

    def deliver(parts: list[Batch] | Iterator[Batch]) -> None:
        for part in parts:
            on_batch(part)

    run_ordered(
        lambda job: _run_batch(engine, ctx, plan, job[0], job[1], visit_order),
        batches,
        workers=workers,
        on_result=deliver,
    )


def jackknife(
    engine: Engine,
    ctx: Context,
    plan: Plan,
    *,
    batch_size: int,
    workers: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Jackknife values ``(G, K)``: leave-one-out, or delete-a-group for large samples.

    ``groups`` (a design's PSU per row): leave one PSU out at a time (PSU ``k`` in
    group ``k mod G`` beyond :data:`JACKKNIFE_MAX` PSUs).
    """
    n_rows = engine.n_rows
    unit = np.arange(n_rows) if groups is None else np.asarray(groups)
    n_units = int(unit.max()) + 1
    n_groups = min(n_units, JACKKNIFE_MAX)
    member = unit % n_groups
    out = np.empty((n_groups, plan.estimate.size))

    def batches() -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, n_groups, batch_size):
            g = np.arange(start, min(n_groups, start + batch_size))
            yield start, (member[None, :] != g[:, None]).astype(np.uint8)

    def keep(batch: Batch) -> None:
        out[batch.start : batch.start + batch.values.shape[0]] = batch.values

    run_batches(engine, ctx, plan, batches(), workers=workers, on_batch=keep)
    return out


def raw_items(result: PLSResult) -> np.ndarray:
    """The item matrix the resamples are drawn from, in layout order.

    Listwise: the complete respondents used by the fit. Mean and pairwise: every
    respondent read, with NaN for the missing answers (the engine redoes the mean
    replacement, or the pairwise moments, inside each resample).
    """
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError(
            "resampling needs the raw data: this model was fitted from moments only "
            "(fit_pls_moments); use fit_pls on the data"
        )
    how = result.moments.missing
    if how not in ("listwise", "mean", "pairwise"):  # pragma: no cover - fit_pls checks it
        raise CsiInputError(f"unknown missing-data policy {how!r}")
    frame = result.source_data
    rows = None if how == "pairwise" else result.row_positions
    X = np.empty((len(frame) if rows is None else len(rows), len(result.layout.items)))
    for k, item in enumerate(result.layout.items):  # column by column: no copy of the frame
        col = frame[item]
        if getattr(col.dtype, "kind", "O") not in "biuf":
            col = pd.to_numeric(col, errors="coerce")
        values = col.to_numpy(dtype=float, na_value=np.nan)
        X[:, k] = values if rows is None else values[rows]
    if how != "pairwise" and np.isnan(X).any():
        raise CsiInputError(
            "the data given to fit_pls changed after the fit (missing answers among the "
            "respondents used); refit the model"
        )
    if how == "mean" and result.replaced is not None:
        X[result.replaced] = np.nan  # the engine redoes the replacement per resample
    return X


def engine_weights(result: PLSResult) -> np.ndarray | None:
    """Effective survey weights of the rows :func:`raw_items` returns (None: unweighted).

    As in the fit (:func:`csi.moments.effective_weights`): frequency weights as given,
    sampling weights rescaled to mean 1 over the positive weights of those rows.
    """
    if result.row_weights is None or result.weight_kind is None:
        return None
    w = np.asarray(result.row_weights, dtype=float)
    if result.moments.missing != "pairwise":
        assert result.row_positions is not None
        w = w[result.row_positions]
    return effective_weights(w, result.weight_kind)


def make_engine(
    result: PLSResult, raw: np.ndarray | None = None, *, inadmissible: str = "keep"
) -> Engine:
    """An :class:`Engine` for ``result``'s data and settings (checked against the fit)."""
    engine = Engine(
        layout=result.layout,
        raw=raw_items(result) if raw is None else raw,
        own_raw=raw is None,  # made here for the engine alone: standardised in place
        scheme=result.scheme,
        tol=result.tol,
        max_iter=result.max_iter,
        consistent=result.consistent,
        reference=np.asarray(result.arrays.weights, dtype=float),
        missing=result.moments.missing,
        row_weights=engine_weights(result),
        anchors=sign_anchors(getattr(result, "sign", "loadings"), result.layout),
        inadmissible=inadmissible,
    )
    return engine


#: Respondents a segment needs for its bootstrap index and differences (``min_size``).
MIN_SEGMENT_SIZE = 10


def segment_context(
    result: PLSResult,
    engine: Engine,
    scale: Any,
    segment: Any,
    min_size: int = MIN_SEGMENT_SIZE,
    pairs: bool = True,
) -> Context:
    """The statistics context: scale end points and segment codes (if any).

    Segments with fewer than ``min_size`` respondents are left out of the segment
    statistics (no interval, no test: a one-respondent segment would get a tiny SE and
    a "significant" difference), with a warning naming them."""
    lo = hi = None
    if scale is not None or result.scale is not None:
        lo, hi = result.scale_end_points(scale)
    if segment is None:
        return Context(result.layout, engine, lo, hi, spec=result.spec)
    if lo is None:
        raise CsiInputError("segment indices need the items' scale end points: pass scale=(lo, hi)")
    if result.rows is None:  # pragma: no cover - raw_items already refused this
        raise CsiInputError("segments need the raw data")
    labels = segment_values(result, segment, result.rows)
    codes, names = pd.factorize(labels, sort=True, use_na_sentinel=False)
    if engine.n_rows != len(codes):
        # pairwise: the engine resamples every respondent, the segment index (as
        # index_by) uses the scored ones only; the others get no segment (code -1)
        assert result.row_positions is not None
        full = np.full(engine.n_rows, -1, dtype=np.intp)
        full[result.row_positions] = codes
        codes = full
    if len(names) < 2:
        raise CsiInputError(
            f"segment {getattr(labels, 'name', segment)!r} has only one value among the "
            "respondents used; segment comparisons need at least two"
        )
    sizes = np.bincount(codes[codes >= 0], minlength=len(names))
    small = np.flatnonzero(sizes < min_size)
    if small.size:
        keep = np.flatnonzero(sizes >= min_size)
        if keep.size < 2:
            raise CsiInputError(
                f"segment {getattr(labels, 'name', segment)!r}: fewer than two segments have "
                f"{min_size} or more respondents; no segment statistics can be bootstrapped"
            )
        warnings.warn(
            "segment(s) "
            + ", ".join(f"{names[int(g)]!r} (n = {int(sizes[g])})" for g in small)
            + f" left out of the bootstrap segment statistics: fewer than {min_size} "
            "respondents (min_size=)",
            SmallSegmentWarning,
            stacklevel=4,
        )
        recode = np.full(len(names), -1, dtype=np.intp)
        recode[keep] = np.arange(keep.size)
        codes = np.where(codes >= 0, recode[np.maximum(codes, 0)], -1)
        names = names[keep]
    seg_names = tuple(str(g) for g in names)
    engine.set_groups(np.asarray(codes), len(seg_names))
    return Context(
        result.layout,
        engine,
        lo,
        hi,
        segment_codes=engine.groups,
        segment_names=seg_names,
        segment_pairs=tuple(combinations(range(len(seg_names)), 2)) if pairs else (),
        spec=result.spec,
    )


def frequency_draws(engine: Engine, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    """Count rows for frequency weights: resample the ``sum w`` respondents, not the rows.

    A row's number of drawn respondents ``m_i`` is multinomial (``sum w`` trials,
    probabilities ``w_i / sum w``); the engine multiplies counts by ``w``, so the
    counts given are ``m_i / w_i`` (0 for rows of weight 0).
    """
    assert engine.row_weights is not None
    w = engine.row_weights
    total = round(float(w.sum()))
    prob = w / w.sum()
    positive = w > 0

    def draw(b: int) -> np.ndarray:
        m = rng.multinomial(total, prob, size=b).astype(float)
        return np.divide(m, w, out=np.zeros_like(m), where=positive[None, :])

    return draw
