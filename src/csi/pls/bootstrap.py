"""Case-resampling bootstrap of a PLS path model, vectorised across resamples.

``PLSResult.bootstrap(n=5000, seed=1)`` draws ``n`` resamples of the respondents
(with replacement, each of size ``N``), re-estimates the model on each, and reports
for every statistic (paths, outer weights, loadings, total, indirect and specific
indirect effects, R², the 0-100 index per construct and segment, index
differences between segments, HTMT, and any registered statistic; see
:mod:`csi.pls.statistics`):

* ``estimate``: the full-sample value; ``boot_mean``: mean of the valid draws;
* ``se``: their standard deviation (divisor ``B - 1``);
* ``t = estimate / se`` and the two-sided ``pvalue = 2 P(T_{N-1} > |t|)`` from
  Student's t with ``N - 1`` degrees of freedom (``N`` respondents), as SmartPLS;
  NaN for the index (a test of "index = 0" means nothing) and when ``se = 0``;
* ``ci_lower``, ``ci_upper``: percentile (default), BCa or studentized interval
  (:mod:`csi.pls.intervals`). Studentized intervals need a per-resample standard
  error, which is cheap only for the paths (the OLS standard error of the
  regression of the construct scores, weights held fixed) and the overall index
  (the standard error of a weighted mean of the items, weights held fixed); the
  other rows then get percentile intervals and the ``interval`` column says so.
  BCa takes its acceleration from a jackknife: leave-one-out for up to
  :data:`JACKKNIFE_MAX` respondents, otherwise a delete-a-group jackknife with
  :data:`JACKKNIFE_MAX` groups (respondent ``i`` in group ``i mod G``).

Missing answers follow the fit's policy (``PLSResult.missing``); the respondents
resampled are ``n_respondents``:

* ``listwise``: the complete respondents.
* ``mean``: every respondent, with their missing answers; the mean replacement is
  redone inside each resample (each missing answer takes the mean of its item's
  observed answers in that resample), from weighted sums of the data
  (:mod:`csi.pls.batched`), so the imputation's own variability is in the
  standard errors. Exception: the per-segment index rows (``segment=``) take the
  segment item means with the full-sample replaced values (imputation held fixed
  for them).
* ``pairwise``: every respondent; each resample's correlation matrix is its
  pairwise-complete one (counts-weighted masked cross-products). Per-segment index
  rows use only the respondents with scores (complete answers), as
  :meth:`PLSResult.index_by` does.

Survey weights (a weighted fit, ``fit_pls(..., weights=...)``): every resample is
fitted with its respondents carrying their weights, the moments weighted by
counts x weights (:mod:`csi.pls.batched`), so the full sample reproduces the
weighted fit and the segment index rows use weighted segment means.

* Sampling weights without a known design: respondents are drawn with equal
  probability, as above, and keep their weights. This is the *naive* weighted
  bootstrap: it treats the sample as if drawn independently and ignores the design
  (strata, clusters, finite population); its standard errors are then approximate.
* Frequency weights: a row stands for ``w_i`` identical respondents, so the
  ``sum w`` respondents are resampled, not the rows: the rows' counts are drawn
  from the multinomial distribution with ``sum w`` trials and probabilities
  ``w_i / sum w`` (the bootstrap of the repeated rows, in distribution), and
  ``t`` is referred to ``sum w - 1`` degrees of freedom. Draws for a seed differ
  from :func:`resample_indices`. The BCa jackknife leaves out a row (all its
  copies) at a time.

Design-based bootstrap (``design=``; :mod:`csi.pls.design_bootstrap`). The default
is design-based when the design is known and naive otherwise: ``design=None`` uses
the strata, clusters and replicate weights recorded at fit time (a Survey fitted with
its weights whose codebook names ``strata``, ``cluster`` or ``replicate_weights``:
``PLSResult.design_roles``), else resamples respondents; ``design=False`` always
resamples respondents (exactly the draws of an unweighted or naive run);
``design=True`` requires a design; a :class:`csi.metrics.Design` (rows: every
respondent given to ``fit_pls``, weights those of the fit) or a mapping of columns
(``{"strata": "region", "cluster": "psu"}``, keys
:data:`csi.pls.design_bootstrap.DESIGN_KEYS`) choose one.

* Strata/clusters: the **Rao-Wu rescaling bootstrap** (Rao & Wu 1988, *JASA* 83(401),
  231-241; Rao, Wu & Yue 1992): in stratum ``h`` with ``n_h`` PSUs, ``m_h = n_h - 1``
  PSUs are drawn with replacement and unit ``i`` of PSU ``k`` gets the replicate
  weight ``w*_i = w_i n_h/(n_h - 1) r_hk`` (``r_hk``: times PSU ``k`` is drawn); the
  engine's counts are the multipliers ``n_h/(n_h-1) r_hk``. SE, percentile, BCa
  (jackknife deleting one PSU at a time) and studentized intervals as above;
  ``t`` is referred to PSUs minus strata degrees of freedom.
* Replicate weights: nothing is drawn (``n`` and ``seed`` are not used); each of
  the ``R`` replicates is fitted with its weights and
  ``SE = sqrt(scale Σ_r rscale_r (θ_r - c)²)`` (R ``svrepdesign``; ``c`` the mean of
  the ``θ_r``, or ``θ`` with ``mse=True``); intervals ``θ ± t_{df} SE`` with ``df`` the
  rank of the replicate weights minus one (``ci`` must be ``"percentile"``, the
  default; the ``interval`` column says ``"t"``). A replicate that cannot be
  estimated is an error.

The summary's header says which resampling was used.

Reproducibility: all resample indices come, in order, from one
``numpy.random.default_rng(seed)`` stream (resample ``r`` is row ``r`` of
:func:`resample_indices`), drawn in the calling thread; so the same seed gives the
same result whatever ``workers`` and ``batch_size`` are (Rao-Wu draws too: one
``integers`` call per batch, which continues the same stream). (The seminr Python port's
default resampler draws the same resamples for the same integer seed, which makes
run-for-run comparisons possible.) Without a seed, fresh
entropy is drawn and stored on the result (``seed``) so the run can be repeated.

Sign handling: every resample is fitted with the fit's sign rule
(``fit_pls(sign=...)``); then each construct under the default rule is oriented
like the full-sample construct (flipped when the inner product of its resample
and full-sample weights is negative), a construct with an anchor item keeps the
anchor's loading positive, and ``sign="seminr"`` flips nothing (as seminr's
bootstrap); see :mod:`csi.pls.batched`. The number of flips per construct is
reported (``sign_flips``).

Failures. A resample fails, and is left out of *every* statistic (so all rows of
the table rest on the same ``n_valid`` draws), when it cannot be estimated or gives
an unusable value. Reasons (``failures``: one row per failed resample with
``reason`` and ``detail``; ``failure_counts``: resamples per reason):

* ``degenerate``: an item constant in the resample (or an empty subgroup);
* ``not converged``: the iterations hit ``max_iter``;
* ``estimation error``: a singular system (collinear predecessors or formative items);
* ``non-positive rho_A`` (PLSc): a reliability ``rho_A <= 0``; the correction
  ``r_ij / sqrt(rho_A_i rho_A_j)`` is then undefined and paths, loadings and R² NaN;
* ``inadmissible`` (PLSc, only with ``inadmissible="drop"``): a reliability above
  1 or a disattenuated construct correlation beyond ±1;
* ``non-finite statistic``: any requested statistic (built-in or ``statistics=``)
  NaN or infinite while its full-sample value is finite (a statistic NaN in the
  full sample, e.g. undefined by construction, is not checked).

Which PLSc inadmissibility counts as failure: ``rho_A <= 0`` always (no estimate
exists). A reliability above 1 or a correlation beyond ±1 gives finite estimates
outside the parameter space; by default (``inadmissible="keep"``) these resamples
are kept, as the full-sample fit keeps such a solution (with a
:class:`csi.pls.PLScWarning`), and only counted (``n_inadmissible``): dropping them
conditions the bootstrap distribution on admissibility and trims exactly its wide
tails, which narrows the intervals in the small samples where they occur most.
``inadmissible="drop"`` makes them failures (cSEM's ``.handle_inadmissibles =
"drop"``, Rademaker & Schuberth). Either way more than 1% failed resamples raise a
:class:`BootstrapFailureWarning` naming the counts per reason.

Speed and memory: resamples are processed in batches (:mod:`csi.pls.batched`): the
resampled correlation matrices of a batch come from two matrix products of the
count matrix with the standardised data, and the PLS iterations run on the whole
stack at once. Each batch is reduced at once to the deviations ``theta* - theta`` of
its K statistics, stored in a float32 buffer of ``n x K`` values (4 bytes each:
ECSI on mobi has K = 172, so 10,000 resamples take 6.6 MB; float32
keeps 7 significant digits of the deviation, far below the Monte Carlo error). The
mean, standard error and quantiles are computed from that buffer at the end, in
one pass with float64 accumulation, so they do not depend on the batching.
A batch's counts are one byte per resample and respondent
(:func:`csi.pls.resampling.draw_counts`; 500 resamples per batch, fewer above 512,000
respondents so that a batch holds at most 256 MB of counts); the moments pass converts
them to floats in row chunks of at most 4 million counts, so the working memory is
bounded whatever ``N`` and the time per resample grows linearly with ``N``.
``keep_draws=True`` keeps the buffer on the result (:attr:`BootstrapResult.draws`);
otherwise it is dropped. A standard error below ``1e-10 x max(1, |estimate|)`` (a
value fixed by construction, such as the weight of a single item) is reported as 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from csi._checks import CsiInputError, check_choice, check_count, check_level, check_rng
from csi.pls import intervals as _iv
from csi.pls.batched import INADMISSIBLE_RULES, REASONS
from csi.pls.bootstrap_result import TABLE_COLUMNS, BootstrapResult
from csi.pls.design_bootstrap import resolve_design
from csi.pls.intervals import _REPLICATE_CI, _intervals, _t_intervals
from csi.pls.parameters import OPERATORS
from csi.pls.refit_bootstrap import refit_bootstrap
from csi.pls.resampling import (
    FAILURE_WARN_SHARE,
    JACKKNIFE_MAX,
    MIN_SEGMENT_SIZE,
    Batch,
    BootstrapFailureWarning,
    Plan,
    bootstrap_batch_size,
    default_batch_size,
    draw_counts,
    frequency_draws,
    jackknife,
    make_engine,
    make_plan,
    progress_bar,
    resample_indices,
    run_batches,
    segment_context,
)
from csi.pls.resampling import SmallSegmentWarning as SmallSegmentWarning
from csi.pls.resampling import engine_weights as engine_weights
from csi.pls.resampling import evaluate as evaluate
from csi.pls.resampling import raw_items as raw_items
from csi.pls.statistics import ResampleStatistic, builtin_statistics, check_extra_statistics

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = [
    "JACKKNIFE_MAX",
    "TABLE_COLUMNS",
    "BootstrapFailureWarning",
    "BootstrapResult",
    "bootstrap",
    "resample_indices",
]


def bootstrap(
    result: PLSResult,
    n: int = 5000,
    *,
    seed: Any = None,
    level: float = 0.95,
    ci: str = "percentile",
    workers: int = 1,
    progress: Any = None,
    keep_draws: bool = False,
    batch_size: int | None = None,
    segment: Hashable | pd.Series | Sequence[Any] | None = None,
    scale: Any = None,
    statistics: Sequence[ResampleStatistic] = (),
    design: Any = None,
    min_size: int = MIN_SEGMENT_SIZE,
    inadmissible: str = "keep",
    pairs: bool = True,
) -> BootstrapResult:
    """Bootstrap a fitted PLS model (case or design-based resampling; module docstring).

    Parameters
    ----------
    result:
        A :class:`PLSResult` from :func:`csi.fit_pls` (raw data; any missing-data
        policy, see the module docstring).
    n:
        Number of resamples (default 5,000).
    seed:
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same
        result for any ``workers`` and ``batch_size``.
    level:
        Confidence level of the intervals (default 0.95).
    ci:
        ``"percentile"`` (default), ``"bca"`` (bias-corrected and accelerated; adds a
        jackknife) or ``"studentized"`` (bootstrap-t for paths and the overall index,
        percentile for the rest).
    workers:
        Threads working on batches in parallel (default 1).
    progress:
        ``True``/``False`` to show a tqdm progress bar or not; ``None`` (default) shows
        it only on a terminal or in a notebook.
    keep_draws:
        Keep every draw on the result (``draws``; float32) so that :meth:`intervals`
        can recompute intervals at another level.
    batch_size:
        Resamples fitted together (default: up to 500, fewer for large samples).
    segment:
        A segment column of the data given to ``fit_pls`` (or values per respondent
        used): adds each segment's index and the index differences between every
        pair of segments (needs the scale).
    pairs:
        With ``segment``: also the index differences between every pair of segments
        (default; G(G-1)/2 statistics per construct). ``False`` leaves them out: the
        segments' own indices stay, and the cost grows linearly with the segments.
    min_size:
        Segments with fewer respondents (default :data:`MIN_SEGMENT_SIZE`, 10) get no
        bootstrap index and no differences; a :class:`SmallSegmentWarning` names them.
    scale:
        Item scale end points for the index (default: those given to ``fit_pls``;
        without any, no index rows).
    statistics:
        Extra :class:`csi.pls.statistics.ResampleStatistic` objects for this run
        (a kind may not repeat a built-in one).
    design:
        ``None`` (default): design-based when the fit recorded a design (a Survey
        fitted with its weights whose codebook names strata, cluster or replicate
        weights), else respondents are resampled; ``False``: resample respondents;
        ``True``: the recorded design (error if none); a :class:`csi.metrics.Design`
        or a mapping of column names (``strata``, ``cluster``, ``replicate_weights``,
        ``replicate_type`` and the options ``scale``, ``rscales``, ``mse``, ``rho``,
        ``lonely_psu``). See the module docstring.
    inadmissible:
        PLSc resamples with a reliability above 1 or a construct correlation beyond
        ±1: ``"keep"`` (default; counted in ``n_inadmissible``) or ``"drop"`` (failures
        with reason ``"inadmissible"``). A reliability ``rho_A <= 0`` is always a
        failure. See the module docstring for the reasons.

    Returns
    -------
    BootstrapResult
    """
    n = check_count(n, "n", 2)
    level = check_level(level)
    check_choice(ci, _iv.METHODS, name="ci")
    if result.refit is not None:  # a model estimated in stages: re-run every stage
        return refit_bootstrap(
            result,
            n,
            seed=seed,
            level=level,
            ci=ci,
            workers=workers,
            progress=progress,
            keep_draws=keep_draws,
            batch_size=batch_size,
            segment=segment,
            scale=scale,
            statistics=statistics,
            design=design,
            min_size=min_size,
            inadmissible=inadmissible,
        )
    workers = check_count(workers, "workers", 1)
    if batch_size is not None:
        batch_size = check_count(batch_size, "batch_size", 1)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    rng = check_rng(seed)
    check_choice(inadmissible, INADMISSIBLE_RULES, name="inadmissible")
    engine = make_engine(result, inadmissible=inadmissible)
    how = resolve_design(result, design, engine.n_rows)
    if how is not None and how.multipliers is not None:
        if ci != "percentile":
            raise CsiInputError(_REPLICATE_CI)
        n = how.multipliers.shape[0]
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise CsiInputError(f"min_size must be a whole number >= 1, got {min_size!r}")
    ctx = segment_context(result, engine, scale, segment, min_size, pairs=pairs)
    stats = (*builtin_statistics(ctx), *check_extra_statistics(statistics))
    plan = make_plan(engine, ctx, stats)
    _check_reproduces(plan, result)
    n_rows = engine.n_rows
    size = batch_size
    K = plan.estimate.size
    buffer = np.empty((n, K), dtype=np.float32)
    piv_buffer = np.empty((n, plan.pivot_cols.size), dtype=np.float32)
    status = np.zeros(n, dtype=np.int8)
    details: dict[int, str] = {}
    flips = np.zeros(result.layout.n_constructs, dtype=np.int64)
    kept_inadmissible = 0
    bar = progress_bar(progress, n, "bootstrap")

    draw: Callable[[int], np.ndarray] | None = None
    if how is not None and how.rao_wu is not None:
        rao_wu = how.rao_wu

        def draw(b: int) -> np.ndarray:
            return rao_wu.row_factors(rao_wu.draw(rng, b))

    elif how is not None and how.multipliers is not None:
        reps = how.multipliers
        taken = 0

        def draw(b: int) -> np.ndarray:
            nonlocal taken
            taken += b
            return reps[taken - b : taken]

    elif result.weight_kind == "frequency":
        draw = frequency_draws(engine, rng)
    if size is None:  # compact counts for case resampling; designs draw float factors
        size = default_batch_size(n_rows) if draw else bootstrap_batch_size(n_rows, workers)

    def batches() -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, n, size):
            b = min(size, n - start)
            if draw is not None:
                yield start, draw(b)
            else:
                yield start, draw_counts(rng, b, n_rows, engine.positions)

    def keep(batch: Batch) -> None:
        nonlocal kept_inadmissible
        stop = batch.start + batch.values.shape[0]
        buffer[batch.start : stop] = batch.values - plan.estimate
        piv_buffer[batch.start : stop] = batch.pivots
        status[batch.start : stop] = batch.status
        details.update({batch.start + k: v for k, v in batch.detail.items()})
        flips[:] += batch.flips
        kept_inadmissible += batch.inadmissible
        if bar is not None:
            bar.update(batch.values.shape[0])

    try:
        run_batches(
            engine, ctx, plan, batches(), workers=workers, on_batch=keep, visit_order=draw is None
        )
    finally:
        if bar is not None and bar is not progress:  # close only the bars made here
            bar.close()
    failed = np.flatnonzero(status != 0)
    n_valid = n - failed.size
    if how is not None and how.multipliers is not None and failed.size:
        k = int(failed[0])
        raise CsiInputError(
            f"replicate {k + 1} of {n} could not be estimated "
            f"({details.get(k, REASONS[int(status[k])])}); the replicate-weight SE needs "
            "every replicate"
        )
    if n_valid < 2:
        raise CsiInputError(
            f"only {n_valid} of {n} resamples could be estimated; first failure: "
            f"{details.get(int(failed[0]), REASONS[int(status[failed[0]])])}"
        )
    if failed.size > FAILURE_WARN_SHARE * n:
        reasons = pd.Series([REASONS[int(status[k])] for k in failed]).value_counts()
        warnings.warn(
            f"{failed.size} of {n} bootstrap resamples ({failed.size / n:.1%}) failed and are "
            f"left out ({', '.join(f'{r}: {c}' for r, c in reasons.items())}); "
            "see BootstrapResult.failures",
            BootstrapFailureWarning,
            stacklevel=3,
        )
    accel = None
    if ci == "bca":
        groups = None if how is None else how.jackknife_groups
        jack = jackknife(engine, ctx, plan, batch_size=size, workers=workers, groups=groups)
        accel = _iv.acceleration(jack)
    valid = status == 0
    dev = buffer[valid]
    pivots = piv_buffer[valid]
    mean_dev, se = _mean_sd(dev)
    if how is not None and how.multipliers is not None:
        se = how.replicate_se(dev)
    se = np.where(se <= 1e-10 * np.maximum(1.0, np.abs(plan.estimate)), 0.0, se)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(plan.test_zero & (se > 0), plan.estimate / se, np.nan)
    n_people = n_rows
    if result.weight_kind == "frequency" and engine.row_weights is not None:
        n_people = round(float(engine.row_weights.sum()))
    df = float(n_people - 1) if how is None else how.df
    pvalue = 2.0 * _stats.t.sf(np.abs(t), df=df)
    if how is not None and how.multipliers is not None:
        lower, upper = _t_intervals(plan.estimate, se, df, level)
        used = np.full(plan.estimate.size, "t", dtype=object)
    else:
        lower, upper, used = _intervals(
            dev, pivots, plan.pivot_cols, plan.estimate, plan.se_hat, accel, ci, level
        )
    table = plan.labels.copy()
    table["estimate"] = _fit_estimates(result, plan.labels, plan.estimate)
    table["boot_mean"] = plan.estimate + mean_dev
    table["se"] = se
    table["t"] = t
    table["pvalue"] = pvalue
    table["ci_lower"] = lower
    table["ci_upper"] = upper
    table["interval"] = pd.array(used, dtype="str") if len(used) else used
    failures = pd.DataFrame(
        {
            "resample": failed,
            "reason": [REASONS[int(status[k])] for k in failed],
            "detail": [details.get(int(k), "") for k in failed],
        }
    )
    if keep_draws:
        buffer[~valid] = np.nan
        piv_buffer[~valid] = np.nan
    return BootstrapResult(
        table=table[list(TABLE_COLUMNS)],
        n_resamples=n,
        n_failed=int(failed.size),
        failures=failures,
        sign_flips=pd.Series(
            flips,
            index=pd.Index(list(result.layout.constructs), name="construct"),
            name="sign_flips",
        ),
        n_inadmissible=kept_inadmissible,
        level=level,
        ci=ci,
        seed=seed if not isinstance(seed, np.random.Generator) else None,
        n_respondents=n_people,
        scheme=result.scheme,
        consistent=result.consistent,
        deviations=buffer if keep_draws else None,
        weight_kind=result.weight_kind,
        pivots=piv_buffer if keep_draws else None,
        pivot_cols=plan.pivot_cols,
        se_hat=plan.se_hat,
        acceleration=accel,
        resampling="respondents" if how is None else how.method,
        design=None if how is None else how.description,
        df=df,
    )


def _mean_sd(dev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and SDs (divisor count - 1) of float32 deviations, NaN ignored,
    accumulated in float64 over column blocks (bounded temporary memory)."""
    K = dev.shape[1]
    mean = np.full(K, np.nan)
    sd = np.full(K, np.nan)
    step = max(1, 2_000_000 // max(dev.shape[0], 1))
    for a in range(0, K, step):
        block = dev[:, a : a + step].astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean[a : a + step] = np.nanmean(block, axis=0)
            sd[a : a + step] = np.nanstd(block, axis=0, ddof=1)
    return mean, sd


def _fit_estimates(result: PLSResult, labels: pd.DataFrame, estimate: np.ndarray) -> np.ndarray:
    """The ``estimate`` column: the fit's own value where its long table
    (:meth:`PLSResult.parameter_table`) has the statistic (paths, outer weights,
    loadings, R², matched through :data:`csi.pls.parameters.OPERATORS`), so the two
    agree exactly; the full-sample re-estimate (equal to rounding, see
    :func:`_check_reproduces`) for every other statistic."""
    long = result.parameter_table()
    fit = dict(
        zip(
            zip(long["op"], long["lhs"], long["rhs"], strict=True),
            long["estimate"].to_numpy(dtype=float),
            strict=True,
        )
    )
    out = np.array(estimate, dtype=float)
    kinds = labels["kind"].to_numpy()
    for op, (kind, left, right) in OPERATORS.items():
        rows = np.flatnonzero(kinds == kind)
        lhs, rhs = labels[left].to_numpy()[rows], labels[right].to_numpy()[rows]
        for i, key_l, key_r in zip(rows, lhs, rhs, strict=True):
            out[i] = fit.get((op, key_l, key_r), out[i])
    return out


def _check_reproduces(plan: Plan, result: PLSResult) -> None:
    """The re-estimated full-sample paths must equal the fit's (else the data changed)."""
    layout = result.layout
    est = plan.labels["kind"].to_numpy() == "path"
    mine = plan.estimate[est]
    theirs = result.path_coefficients["estimate"].to_numpy(dtype=float)
    tol = max(1e-6, 100 * result.tol)
    if mine.size != theirs.size or not np.allclose(mine, theirs, atol=tol):
        raise CsiInputError(
            "re-estimating the model from the data gives other paths than the fit "
            f"({layout.n_constructs} constructs): the data given to fit_pls changed "
            "after the fit; refit the model"
        )
