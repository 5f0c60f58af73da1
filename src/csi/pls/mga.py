"""Multi-group analysis: do paths, weights, effects, R² and indices differ between two groups?

``compare_groups(data, spec, group="channel", groups=("online", "store"))`` estimates
the model in each group separately and tests, for every statistic of
:mod:`csi.pls.statistics`, the difference ``d = theta_a - theta_b``:

* ``method="permutation"`` (default; Chin & Dibbern 2010, in *Handbook of Partial
  Least Squares*, 171-193): the group labels are shuffled among the pooled
  respondents ``n`` times (group sizes kept), both groups re-estimated each time,
  and ``pvalue = (1 + #{|d*| >= |d|}) / (1 + B)`` over the ``B`` valid
  permutations (Phipson & Smyth 2010: never 0). Under the null hypothesis of
  equal populations the p-value is uniform.
* ``method="bootstrap"``: each group is resampled on its own ``n`` times. The
  p-value is Henseler's PLS-MGA (Henseler, Ringle & Sinkovics 2009; Sarstedt,
  Henseler & Ringle 2011, *Advances in International Marketing* 22, 195-218):
  with bias-reflected draws ``a_i = 2 mean(theta*_a) - theta*_a,i`` (and ``b_j``
  alike), ``P = #{(i, j): a_i <= b_j} / B²`` is the one-sided p-value for
  ``theta_a > theta_b``; the two-sided p-value is ``2 min(P, 1 - P)``. The
  standard error and percentile interval of the difference come from the paired
  differences of the independent draws, ``theta*_a,i - theta*_b,i``.

Reproducibility: permutation ``r`` is row ``r`` of
``default_rng(seed).permuted(labels, axis=1)`` applied to the 0/1 group labels of the
pooled respondents (tiled ``n`` times); bootstrap draws of group a and b come from the
two generators ``default_rng(seed).spawn(2)``. Results do not depend on ``workers``
or ``batch_size``.

Respondents with a missing group or a missing answer are left out and counted
(``n_excluded``). Signs: every re-estimated construct is oriented like the pooled
full-sample construct (:mod:`csi.pls.batched`). Indices use each group's own
weights (a group's index as if it were surveyed alone); for the index of segments
under common weights use ``PLSResult.bootstrap(segment=...)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import (
    CsiInputError,
    MethodWarning,
    check_choice,
    check_columns,
    check_count,
    check_frame,
    check_level,
    check_rng,
)
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.pls import index as _ix
from csi.pls import intervals as _iv
from csi.pls.batched import REASONS, bootstrap_counts, run_ordered
from csi.pls.fit import fit_pls
from csi.pls.parameters import parameter_table
from csi.pls.resampling import (
    FAILURE_WARN_SHARE,
    BootstrapFailureWarning,
    default_batch_size,
    evaluate,
    make_engine,
    make_plan,
    progress_bar,
)
from csi.pls.statistics import (
    LABEL_COLUMNS,
    Context,
    ResampleStatistic,
    builtin_statistics,
    check_extra_statistics,
)
from csi.spec import ModelSpec, as_spec
from csi.survey import Survey

__all__ = ["GROUP_COLUMNS", "GroupComparison", "compare_groups"]

#: Columns of :attr:`GroupComparison.table`, in order.
GROUP_COLUMNS = (
    *[c for c in LABEL_COLUMNS if c != "segment"],
    "estimate_a",
    "estimate_b",
    "difference",
    "se",
    "pvalue",
    "ci_lower",
    "ci_upper",
)
METHODS = ("permutation", "bootstrap")


@dataclass(frozen=True, repr=False)
class GroupComparison:
    """The result of :func:`compare_groups`.

    ``table`` has columns :data:`GROUP_COLUMNS`: ``kind`` and the label columns of the
    bootstrap table (no ``segment``), ``estimate_a``, ``estimate_b`` (each group's own
    estimate), ``difference`` (a - b), ``se`` and ``ci_lower``/``ci_upper`` of the
    difference (bootstrap method only; NaN for permutations) and ``pvalue``.
    ``groups`` = (a, b); ``n_a``, ``n_b`` respondents used per group; ``n_excluded``
    left out (missing group or answer); ``n_resamples`` permutations or bootstrap
    draws, ``n_failed`` of them failed (``failures``: ``resample, reason, detail``).
    ``draws`` (``keep_draws=True``): the differences per valid draw (float32).
    """

    table: pd.DataFrame
    groups: tuple[Any, Any]
    group_column: Any
    method: str
    n_a: int
    n_b: int
    n_excluded: int
    n_resamples: int
    n_failed: int
    failures: pd.DataFrame
    level: float
    seed: Any
    scheme: str
    draws: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The tidy long table (a copy of :attr:`table`)."""
        return self.table.copy()

    def select(self, kind: str) -> pd.DataFrame:
        """The rows of one kind, without the unused label columns."""
        check_choice(kind, list(dict.fromkeys(self.table["kind"])), name="kind")
        rows = self.table[self.table["kind"] == kind].reset_index(drop=True)
        unused = [
            c
            for c in ("source", "target", "construct", "indicator", "route")
            if (rows[c] == "").all()
        ]
        return rows.drop(columns=["kind", *unused])

    def _header(self, lang: str) -> list[str]:
        lab = phrases("mga", lang)
        a, b = self.groups
        return [
            f"{lab['title']}: {self.group_column} = {a} (n={self.n_a}) vs {b} (n={self.n_b})",
            f"{lab['method']}: {self.method}; {lab['resamples']} {self.n_resamples}, "
            f"{lab['failed']} {self.n_failed}; {lab['excluded']} {self.n_excluded}",
        ]

    def parameter_table(self) -> pd.DataFrame:
        """Both groups' estimates in one long table, lavaan's orientation: ``group, lhs,
        op, rhs, estimate`` (as :func:`csi.parameter_table` of this comparison)."""
        return parameter_table(self)

    def summary(
        self, lang: str = "en", digits: int = 3, kinds: Sequence[str] | None = ("path",)
    ) -> Summary:
        """Text table of the differences (default: the paths; ``kinds=None``: all)."""
        lab = phrases("mga", check_lang(lang))
        a, b = self.groups
        rows = self.table if kinds is None else self.table[self.table["kind"].isin(kinds)]
        frame = pd.DataFrame(
            {
                lab["parameter"]: [_describe(r) for r in rows.itertuples(index=False)],
                str(a): rows["estimate_a"].round(digits),
                str(b): rows["estimate_b"].round(digits),
                lab["difference"]: rows["difference"].round(digits),
                lab["p"]: rows["pvalue"].round(digits),
            }
        )
        head = self._header(lang)
        return Summary(
            "\n".join([*head, "", frame.to_string(index=False)]),
            title=head[0],
            notes=head[1:],
            tables={lab["difference"]: frame},
            lang=lang,
        )

    def __repr__(self) -> str:
        return (
            f"GroupComparison(groups={self.groups!r}, method={self.method!r}, "
            f"n_resamples={self.n_resamples}, n_failed={self.n_failed})"
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _describe(row: Any) -> str:
    if row.route:
        return str(row.route)
    if row.source:
        return f"{row.source} -> {row.target}"
    if row.indicator:
        return f"{row.construct} -> {row.indicator}"
    return f"{row.kind}: {row.construct}"


def choose_groups(values: pd.Series, groups: Sequence[Any] | None, column: Any) -> tuple[Any, Any]:
    """The two groups to compare: ``groups`` checked against the values present, or the
    only two values present (sorted); errors name the column and the values."""
    present = list(pd.unique(values.dropna()))
    if groups is None:
        if len(present) != 2:
            shown = sorted(map(str, present))[:10]
            raise CsiInputError(
                f"group column {column!r} has {len(present)} values ({shown}); "
                "pass groups=(a, b) to choose the two to compare"
            )
        try:
            present = sorted(present)
        except TypeError:
            pass
        return present[0], present[1]
    chosen = list(groups)
    if len(chosen) != 2 or chosen[0] == chosen[1]:
        raise CsiInputError(f"groups must be two different values, got {groups!r}")
    for g in chosen:
        if g not in present:
            raise CsiInputError(
                f"group {g!r} does not occur in column {column!r} (values: "
                f"{sorted(map(str, present))[:10]})"
            )
    return chosen[0], chosen[1]


def _henseler(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two-sided PLS-MGA p-value per column from independent draws ``a`` and ``b``."""
    out = np.full(a.shape[1], np.nan)
    for k in range(a.shape[1]):
        x = a[:, k][~np.isnan(a[:, k])].astype(float)
        y = b[:, k][~np.isnan(b[:, k])].astype(float)
        if not (x.size and y.size):
            continue
        ra = np.sort(2 * x.mean() - x)
        rb = 2 * y.mean() - y
        # pairs with a_i <= b_j: for each b_j, the number of a_i at or below it
        share = np.searchsorted(ra, rb, side="right").sum() / (x.size * y.size)
        out[k] = min(1.0, 2 * min(share, 1.0 - share))
    return out


def compare_groups(
    data: pd.DataFrame | Any,
    spec: ModelSpec | str,
    group: Hashable,
    *,
    groups: Sequence[Any] | None = None,
    method: str = "permutation",
    n: int = 1000,
    seed: Any = None,
    scheme: str = "path",
    consistent: bool = False,
    scale: Any = None,
    level: float = 0.95,
    workers: int = 1,
    progress: Any = None,
    batch_size: int | None = None,
    keep_draws: bool = False,
    tol: float = 1e-7,
    max_iter: int = 300,
    statistics: Sequence[ResampleStatistic] = (),
) -> GroupComparison:
    """Test the differences between two groups' PLS estimates (multi-group analysis).

    Parameters
    ----------
    data, spec:
        Survey data (a DataFrame or a :class:`csi.survey.Survey`: every respondent read,
        unweighted: a Survey's weight column is not used yet, with a warning;
        its codebook as ``scale``; respondents with a missing model item are left out
        and counted) and model, as for :func:`csi.fit_pls`. Never modified.
    group:
        The column holding the group of each respondent.
    groups:
        The two values to compare ``(a, b)``; needed when the column has more than two
        values. Differences are ``a - b``.
    method:
        ``"permutation"`` (default) or ``"bootstrap"`` (see the module docstring).
    n:
        Number of permutations or bootstrap draws per group (default 1,000).
    seed:
        Seed; the same seed gives the same result for any ``workers``/``batch_size``.
    scheme, consistent, tol, max_iter:
        Estimation options, as for :func:`csi.fit_pls`.
    scale:
        Item scale end points: adds each group's 0-100 index and its difference.
    level:
        Level of the bootstrap interval of the difference (default 0.95).
    workers, progress, batch_size, keep_draws, statistics:
        As for :meth:`PLSResult.bootstrap`.
    """
    spec = as_spec(spec)
    if isinstance(data, Survey):
        # every respondent read, without id, personal or free-text columns; scale
        # from the codebook (the comparison itself is listwise, as the pooled fit)
        if data.weight is not None:
            warnings.warn(
                f"compare_groups does not use survey weights yet: the survey's weight "
                f"column {data.weight!r} is ignored and the comparison is unweighted",
                MethodWarning,
                stacklevel=2,
            )
        if scale is None:
            scale = data.codebook
        data = data.public_data(all_respondents=True)
    check_frame(data)
    if group not in data.columns:
        check_columns(data, [str(group)], what="group column")
    check_choice(method, METHODS, name="method")
    n = check_count(n, "n", 2)
    level = check_level(level)
    workers = check_count(workers, "workers", 1)
    if batch_size is not None:
        batch_size = check_count(batch_size, "batch_size", 1)
    a, b = choose_groups(data[group], groups, group)
    in_two = data[group].isin([a, b]).to_numpy()
    subset = data.loc[in_two]
    pooled = fit_pls(subset, spec, scheme=scheme, consistent=consistent, tol=tol, max_iter=max_iter)
    assert pooled.row_positions is not None
    labels = subset[group].to_numpy()[pooled.row_positions]
    is_a = labels == a
    n_a, n_b = int(is_a.sum()), int((~is_a).sum())
    n_excluded = int(len(data) - in_two.sum() + pooled.n_excluded)
    engine = make_engine(pooled)
    lo = hi = None
    norm = _ix.normalise_scale(scale, spec.items)
    if norm is not None:
        lo, hi = _ix.scale_arrays(norm, spec.items)
    ctx = Context(pooled.layout, engine, lo, hi, spec=spec)
    stats = (*builtin_statistics(ctx), *check_extra_statistics(statistics))
    plan = make_plan(engine, ctx, stats)
    N = engine.n_rows
    base = is_a.astype(float)[None, :]
    observed = engine.fit(np.vstack([base, 1.0 - base]))
    for k, name in enumerate((a, b)):
        if not observed.valid[k]:
            raise CsiInputError(
                f"the model cannot be estimated in group {name!r} of {group!r}: "
                + observed.detail.get(k, REASONS[int(observed.status[k])])
            )
    est = evaluate(observed, ctx, plan.stats)
    diff = est[0] - est[1]
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    rng = check_rng(seed)
    # bootstrap: each group draws from its own child stream, so batching cannot interleave them
    rng_a, rng_b = rng.spawn(2) if method == "bootstrap" else (rng, rng)
    size = max(1, default_batch_size(N) // 2) if batch_size is None else batch_size
    K = diff.size
    draws_a = np.empty((n, K), dtype=np.float32)
    draws_b = np.empty((n, K), dtype=np.float32)
    status = np.zeros(n, dtype=np.int8)
    details: dict[int, str] = {}
    rows_a, rows_b = np.flatnonzero(is_a), np.flatnonzero(~is_a)

    def jobs() -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        for start in range(0, n, size):
            m = min(size, n - start)
            if method == "permutation":
                ca = rng.permuted(np.broadcast_to(base, (m, N)), axis=1)
                yield start, ca, 1.0 - ca
            else:
                ca = np.zeros((m, N))
                cb = np.zeros((m, N))
                ca[:, rows_a] = bootstrap_counts(rng_a.integers(0, n_a, size=(m, n_a)), n_a)
                cb[:, rows_b] = bootstrap_counts(rng_b.integers(0, n_b, size=(m, n_b)), n_b)
                yield start, ca, cb

    def work(job: tuple[int, np.ndarray, np.ndarray]) -> tuple[int, Any, Any]:
        start, ca, cb = job
        fit = engine.fit(np.vstack([ca, cb]))
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            values = evaluate(fit, ctx, plan.stats)
        return start, fit, values

    bar = progress_bar(progress, n, method)

    def keep(result: tuple[int, Any, Any]) -> None:
        start, fit, values = result
        m = values.shape[0] // 2
        st = np.where(fit.status[:m] != 0, fit.status[:m], fit.status[m:])
        va, vb = values[:m], values[m:]
        bad = st != 0
        va[bad] = np.nan
        vb[bad] = np.nan
        draws_a[start : start + m] = va
        draws_b[start : start + m] = vb
        status[start : start + m] = st
        for k, msg in fit.detail.items():
            where = "group a" if k < m else "group b"
            details.setdefault(start + k % m, f"{where}: {msg}")
        if bar is not None:
            bar.update(m)

    try:
        run_ordered(work, jobs(), workers=workers, on_result=keep)
    finally:
        if bar is not None and bar is not progress:  # close only the bars made here
            bar.close()
    valid = status == 0
    failed = np.flatnonzero(~valid)
    if valid.sum() < 2:
        raise CsiInputError(f"only {int(valid.sum())} of {n} {method} draws could be estimated")
    if failed.size > FAILURE_WARN_SHARE * n:
        warnings.warn(
            f"{failed.size} of {n} {method} draws ({failed.size / n:.1%}) failed and are "
            "left out; see GroupComparison.failures",
            BootstrapFailureWarning,
            stacklevel=2,
        )
    da = draws_a[valid]
    db = draws_b[valid]
    d_star = da.astype(float) - db.astype(float)
    se = np.full(K, np.nan)
    lower = np.full(K, np.nan)
    upper = np.full(K, np.nan)
    if method == "permutation":
        tol_tie = 1e-9 * np.maximum(1.0, np.abs(diff))
        extreme = np.sum(np.abs(d_star) >= np.abs(diff) - tol_tie, axis=0)
        pvalue = (1.0 + extreme) / (1.0 + d_star.shape[0])
    else:
        pvalue = _henseler(da, db)
        se = np.nanstd(d_star, axis=0, ddof=1)
        lower, upper = _iv.percentile(d_star, level)
    table = plan.labels.drop(columns=["segment"]).copy()
    table["estimate_a"] = est[0]
    table["estimate_b"] = est[1]
    table["difference"] = diff
    table["se"] = se
    table["pvalue"] = pvalue
    table["ci_lower"] = lower
    table["ci_upper"] = upper
    failures = pd.DataFrame(
        {
            "resample": failed,
            "reason": [REASONS[int(status[k])] for k in failed],
            "detail": [details.get(int(k), "") for k in failed],
        }
    )
    kept = None
    if keep_draws:
        kept = pd.DataFrame(
            d_star.astype(np.float32), index=pd.Index(np.flatnonzero(valid), name="resample")
        )
    return GroupComparison(
        table=table[list(GROUP_COLUMNS)],
        groups=(a, b),
        group_column=group,
        method=method,
        n_a=n_a,
        n_b=n_b,
        n_excluded=n_excluded,
        n_resamples=n,
        n_failed=int(failed.size),
        failures=failures,
        level=level,
        seed=seed if not isinstance(seed, np.random.Generator) else None,
        scheme=scheme,
        draws=kept,
    )
