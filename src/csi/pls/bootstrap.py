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
Working memory per batch is about ``batch_size x (N + 3 p²)`` floats (the counts
and the stacked correlation matrices). ``keep_draws=True`` keeps the buffer on the
result (:attr:`BootstrapResult.draws`); otherwise it is dropped. A standard error
below ``1e-10 x max(1, |estimate|)`` (a value fixed by construction, such as the
weight of a single item) is reported as 0.
"""

from __future__ import annotations

import html
import sys
import warnings
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from csi._checks import CsiInputError, check_choice, check_rng
from csi.moments import effective_weights
from csi.pls import intervals as _iv
from csi.pls.algorithm import sign_anchors
from csi.pls.batched import (
    INADMISSIBLE_RULES,
    NON_FINITE,
    OK,
    REASONS,
    Engine,
    StackFit,
    bootstrap_counts,
    run_ordered,
)
from csi.pls.design_bootstrap import resolve_design
from csi.pls.statistics import (
    LABEL_COLUMNS,
    Context,
    ResampleStatistic,
    builtin_statistics,
    check_extra_statistics,
)

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

#: Columns of :attr:`BootstrapResult.table`, in order.
TABLE_COLUMNS = (
    *LABEL_COLUMNS,
    "estimate",
    "boot_mean",
    "se",
    "t",
    "pvalue",
    "ci_lower",
    "ci_upper",
    "interval",
)
#: Largest number of jackknife fits for the BCa acceleration.
JACKKNIFE_MAX = 1000
#: Share of failed resamples above which a warning is given.
FAILURE_WARN_SHARE = 0.01


class BootstrapFailureWarning(UserWarning):
    """More than 1% of the bootstrap resamples failed (see ``BootstrapResult.failures``)."""


class SmallSegmentWarning(UserWarning):
    """Segments too small for bootstrap statistics were left out (``min_size``)."""


_LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "PLS bootstrap",
        "resamples": "resamples",
        "failed": "failed",
        "respondents": "respondents",
        "seed": "seed",
        "interval": "interval",
        "flips": "sign corrections",
        "reasons": "failed resamples by reason",
        "inadmissible": "PLSc resamples with an inadmissible solution (kept)",
        "weighted": "weighted ({kind} weights): naive weighted bootstrap, design ignored",
        "design": "design-based ({kind}): {text}",
        "kind_none": "unweighted",
        "kind_w": "{kind} weights",
        "parameter": "parameter",
        "estimate": "estimate",
        "se": "SE",
        "t": "t",
        "p": "p",
        "ci": "CI",
        "kinds": {
            "path": "Path coefficients",
            "outer_weight": "Outer weights",
            "loading": "Loadings",
            "total_effect": "Total effects",
            "indirect_effect": "Indirect effects",
            "specific_indirect_effect": "Specific indirect effects",
            "r2": "R²",
            "index": "Index (0-100)",
            "index_difference": "Index differences between segments",
            "htmt": "HTMT",
        },
    },
    "zh": {
        "title": "PLS 自助法 (bootstrap)",
        "resamples": "重抽样次数",
        "failed": "失败",
        "respondents": "样本量",
        "seed": "随机种子",
        "interval": "置信区间",
        "flips": "符号校正",
        "reasons": "失败的重抽样（按原因）",
        "inadmissible": "PLSc 不可接受解的重抽样（保留）",
        "weighted": "加权（{kind} 权重）：朴素加权自助法，未考虑抽样设计",
        "design": "基于抽样设计（{kind}）：{text}",
        "kind_none": "未加权",
        "kind_w": "{kind} 权重",
        "parameter": "参数",
        "estimate": "估计值",
        "se": "标准误",
        "t": "t 值",
        "p": "p 值",
        "ci": "置信区间",
        "kinds": {
            "path": "路径系数",
            "outer_weight": "外部权重",
            "loading": "载荷",
            "total_effect": "总效应",
            "indirect_effect": "间接效应",
            "specific_indirect_effect": "特定间接效应",
            "r2": "R²",
            "index": "指数 (0-100)",
            "index_difference": "细分群体指数差异",
            "htmt": "HTMT (异质-单质比)",
        },
    },
}


@dataclass(frozen=True, repr=False)
class BootstrapResult:
    """Bootstrap inference for a PLS model (see :func:`bootstrap`).

    Attributes
    ----------
    table:
        One row per statistic, columns :data:`TABLE_COLUMNS`: ``kind`` and the label
        columns ``source, target`` (paths, effects), ``construct, indicator``
        (weights, loadings), ``construct`` (R², index), ``segment`` (segment index;
        ``"a - b"`` for an index difference), ``route`` (specific indirect effects,
        e.g. ``"Image -> Expectation -> Satisfaction"``); unused labels are ``""``.
        Then ``estimate, boot_mean, se, t, pvalue, ci_lower, ci_upper`` and
        ``interval`` (the interval method used for the row).
    n_resamples:
        Resamples drawn; ``n_failed`` of them failed (listed in ``failures`` with
        columns ``resample, reason, detail``; counted per reason in
        :attr:`failure_counts`) and are left out of every summary: every row of
        ``table`` uses the same ``n_valid`` draws.
    sign_flips:
        Per construct, in how many resamples its sign was corrected.
    n_inadmissible:
        PLSc only, ``inadmissible="keep"``: valid resamples with a reliability above 1
        or a construct correlation beyond ±1 (kept, as in the full-sample fit; with
        ``"drop"`` they are failures instead and this is 0).
    level, ci, seed, n_respondents, scheme, consistent:
        The settings used (``seed`` is the entropy drawn when none was given).
    weight_kind:
        ``None`` for an unweighted fit, else ``"sampling"`` or ``"frequency"``
        (module docstring: the weighted bootstrap).
    resampling, design, df:
        ``"respondents"`` (case resampling, naive when weighted), ``"rao-wu"`` (PSUs
        within strata) or ``"replicates"`` (the survey's replicate weights);
        ``design`` describes the design used (``None`` for respondents) and ``df``
        the degrees of freedom of ``t`` and ``pvalue``.
    draws:
        With ``keep_draws=True``: resamples x statistics (column ``k`` is row ``k`` of
        ``table``; failed resamples are NaN rows); else ``None``.
    """

    table: pd.DataFrame
    n_resamples: int
    n_failed: int
    failures: pd.DataFrame
    sign_flips: pd.Series
    n_inadmissible: int
    level: float
    ci: str
    seed: Any
    n_respondents: int
    scheme: str
    consistent: bool
    deviations: np.ndarray | None = field(default=None, repr=False)
    weight_kind: str | None = None
    pivots: np.ndarray | None = field(default=None, repr=False)
    pivot_cols: np.ndarray | None = field(default=None, repr=False)
    se_hat: np.ndarray | None = field(default=None, repr=False)
    acceleration: np.ndarray | None = field(default=None, repr=False)
    resampling: str = "respondents"
    design: str | None = None
    df: float | None = None

    @property
    def draws(self) -> pd.DataFrame | None:
        """Every draw (``keep_draws=True``): estimate + stored float32 deviation."""
        if self.deviations is None:
            return None
        est = self.table["estimate"].to_numpy(dtype=float)
        return pd.DataFrame(
            self.deviations.astype(float) + est,
            index=pd.RangeIndex(len(self.deviations), name="resample"),
        )

    @property
    def n_valid(self) -> int:
        """Resamples used in the summaries (``n_resamples - n_failed``)."""
        return self.n_resamples - self.n_failed

    @property
    def failure_counts(self) -> pd.Series:
        """Failed resamples per reason (every reason of :data:`csi.pls.batched.REASONS`)."""
        counts = self.failures["reason"].value_counts()
        return pd.Series(
            [int(counts.get(r, 0)) for r in REASONS[1:]],
            index=pd.Index(list(REASONS[1:]), name="reason"),
            name="n_failed",
            dtype="int64",
        )

    def to_frame(self) -> pd.DataFrame:
        """The tidy long table (a copy of :attr:`table`)."""
        return self.table.copy()

    def select(self, kind: str) -> pd.DataFrame:
        """The rows of one kind (e.g. ``"path"``), without the unused label columns."""
        check_choice(kind, list(dict.fromkeys(self.table["kind"])), name="kind")
        rows = self.table[self.table["kind"] == kind].reset_index(drop=True)
        unused = [c for c in LABEL_COLUMNS[1:] if (rows[c] == "").all()]
        return rows.drop(columns=["kind", *unused])

    def intervals(self, *, level: float | None = None, ci: str | None = None) -> pd.DataFrame:
        """Recompute the table's intervals at another ``level`` or method (needs kept draws).

        BCa needs the jackknife acceleration, computed only when the bootstrap was run
        with ``ci="bca"``.
        """
        if self.deviations is None:
            raise CsiInputError("intervals() needs the draws: run bootstrap(..., keep_draws=True)")
        level = self.level if level is None else _check_level(level)
        method = self.ci if ci is None else check_choice(ci, _iv.METHODS, name="ci")
        if method == "bca" and self.acceleration is None:
            raise CsiInputError("BCa intervals need the jackknife: run bootstrap(..., ci='bca')")
        dev = self.deviations
        out = self.table.copy()
        if self.resampling == "replicates":
            if method != "percentile":
                raise CsiInputError(_REPLICATE_CI)
            assert self.df is not None
            lo, hi = _t_intervals(
                out["estimate"].to_numpy(float), out["se"].to_numpy(float), self.df, level
            )
            out["ci_lower"], out["ci_upper"] = lo, hi
            return out
        valid = ~np.isnan(dev).all(axis=1)
        lower, upper, used = _intervals(
            dev[valid],
            None if self.pivots is None else self.pivots[valid],
            self.pivot_cols,
            self.table["estimate"].to_numpy(dtype=float),
            self.se_hat,
            self.acceleration,
            method,
            level,
        )
        out["ci_lower"], out["ci_upper"], out["interval"] = lower, upper, used
        return out

    # -------------------------------------------------------------- display
    def _header(self, lang: str) -> list[str]:
        lab = _LABELS[lang]
        flips = int(self.sign_flips.sum())
        lines = [
            f"{lab['title']}: {lab['resamples']} {self.n_resamples}, {lab['failed']} "
            f"{self.n_failed}; {lab['respondents']} {self.n_respondents}; "
            f"{lab['seed']} {self.seed}",
            f"{lab['interval']}: {self.ci}, {self.level:.0%}; {lab['flips']}: {flips}",
        ]
        if self.n_failed:
            counts = self.failure_counts
            lines.append(
                f"{lab['reasons']}: " + ", ".join(f"{r} {int(c)}" for r, c in counts.items() if c)
            )
        if self.design is not None:
            kind = (
                lab["kind_none"]
                if self.weight_kind is None
                else lab["kind_w"].format(kind=self.weight_kind)
            )
            lines.append(lab["design"].format(kind=kind, text=self.design))
        elif self.weight_kind is not None:
            lines.append(lab["weighted"].format(kind=self.weight_kind))
        if self.n_inadmissible:
            lines.append(f"{lab['inadmissible']}: {self.n_inadmissible}")
        return lines

    def summary(self, lang: str = "en", digits: int = 3, kinds: Sequence[str] | None = None) -> str:
        """A text table per kind: parameter, estimate, SE, t, p and the interval."""
        check_choice(lang, _LABELS, name="lang")
        lab = _LABELS[lang]
        lines = self._header(lang)
        present = list(dict.fromkeys(self.table["kind"]))
        for kind in kinds if kinds is not None else present:
            check_choice(kind, present, name="kind")
            rows = self.table[self.table["kind"] == kind]
            frame = pd.DataFrame(
                {
                    lab["parameter"]: [_describe(r) for r in rows.itertuples(index=False)],
                    lab["estimate"]: rows["estimate"].round(digits),
                    lab["se"]: rows["se"].round(digits),
                    lab["t"]: rows["t"].round(2),
                    lab["p"]: rows["pvalue"].round(digits),
                    lab["ci"]: [
                        f"[{lo:.{digits}f}, {hi:.{digits}f}]"
                        for lo, hi in zip(rows["ci_lower"], rows["ci_upper"], strict=True)
                    ],
                }
            )
            title = lab["kinds"].get(kind, kind)
            lines += ["", title, frame.to_string(index=False)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"BootstrapResult(n_resamples={self.n_resamples}, n_failed={self.n_failed}, "
            f"ci={self.ci!r}, level={self.level}, statistics={len(self.table)})"
        )

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self._header("en"))
        parts = [f"<div><p>{head}</p>"]
        for kind in dict.fromkeys(self.table["kind"]):
            rows = self.select(kind).round(3)
            parts.append(
                f"<h4>{html.escape(_LABELS['en']['kinds'].get(kind, kind))}</h4>"
                + rows.to_html(index=False)
            )
        return "".join(parts) + "</div>"


def _describe(row: Any) -> str:
    if row.route:
        return str(row.route)
    if row.source:
        return f"{row.source} -> {row.target}"
    if row.indicator:
        return f"{row.construct} -> {row.indicator}"
    if row.segment:
        return f"{row.construct} [{row.segment}]"
    return str(row.construct)


def _check_level(level: Any) -> float:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise CsiInputError(f"level must be a number between 0 and 1, e.g. 0.95; got {level!r}")
    return float(level)


def _check_count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise CsiInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


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
class _Plan:
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


def make_plan(engine: Engine, ctx: Context, stats: Sequence[ResampleStatistic]) -> _Plan:
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
    rows: list[dict[str, str]] = []
    test_zero: list[bool] = []
    pivot_cols: list[int] = []
    for s in stats:
        labels = s.labels(ctx)
        start = len(rows)
        rows += [{"kind": s.kind, **{k: str(v) for k, v in lab.items()}} for lab in labels]
        test_zero += [s.test_zero] * len(labels)
        if s.se is not None:
            pivot_cols += list(range(start, len(rows)))
    labels_frame = pd.DataFrame({c: [r.get(c, "") for r in rows] for c in LABEL_COLUMNS})
    estimate = evaluate(full, ctx, stats)[0]
    if estimate.size != len(labels_frame):
        raise ValueError(
            f"the statistics gave {estimate.size} values for {len(labels_frame)} labels"
        )
    se_hat = np.full(estimate.size, np.nan)
    cols = np.array(pivot_cols, dtype=np.intp)
    se_hat[cols] = _pivot_se(full, ctx, stats)[0]
    return _Plan(tuple(stats), labels_frame, estimate, np.array(test_zero), cols, se_hat)


@dataclass
class _Batch:
    start: int
    values: np.ndarray
    pivots: np.ndarray
    status: np.ndarray
    detail: dict[int, str]
    flips: np.ndarray
    inadmissible: int


def _run_batch(engine: Engine, ctx: Context, plan: _Plan, start: int, counts: np.ndarray) -> _Batch:
    fit = engine.fit(counts)
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
    return _Batch(
        start,
        values,
        piv,
        status,
        detail,
        flips.sum(axis=0),
        int((fit.inadmissible & ~bad).sum()),
    )


def _mark_non_finite(
    values: np.ndarray, plan: _Plan, status: np.ndarray, detail: dict[int, str]
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


def _progress_bar(progress: Any, total: int, desc: str) -> Any:
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


def run_batches(
    engine: Engine,
    ctx: Context,
    plan: _Plan,
    batches: Iterator[tuple[int, np.ndarray]],
    *,
    workers: int,
    on_batch: Callable[[_Batch], None],
) -> None:
    """Fit every ``(start, counts)`` batch, in order, with up to ``workers`` threads."""
    run_ordered(
        lambda job: _run_batch(engine, ctx, plan, job[0], job[1]),
        batches,
        workers=workers,
        on_result=on_batch,
    )


def _intervals(
    dev: np.ndarray,
    pivots: np.ndarray | None,
    pivot_cols: np.ndarray | None,
    estimate: np.ndarray,
    se_hat: np.ndarray | None,
    accel: np.ndarray | None,
    method: str,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intervals from the deviations ``dev = theta* - theta`` (valid draws only).

    ``pivots`` ``(B, len(pivot_cols))`` are the studentized pivots of the statistics
    at ``pivot_cols`` (those with a cheap standard error).
    """
    lower, upper = _iv.percentile(dev, level)
    used = np.full(estimate.size, "percentile", dtype=object)
    if method == "bca":
        assert accel is not None
        lower, upper = _iv.bca(dev, np.zeros(estimate.size), accel, level)
        used[:] = "bca"
    lower, upper = lower + estimate, upper + estimate
    if method == "studentized" and pivots is not None and pivot_cols is not None:
        assert se_hat is not None
        ok = np.isfinite(se_hat[pivot_cols])
        cols = pivot_cols[ok]
        if cols.size:
            lo_t, hi_t = _iv.studentized(pivots[:, ok], estimate[cols], se_hat[cols], level)
            lower[cols], upper[cols] = lo_t, hi_t
            used[cols] = "studentized"
    return lower, upper, used


def _jackknife(
    engine: Engine,
    ctx: Context,
    plan: _Plan,
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
            yield start, (member[None, :] != g[:, None]).astype(float)

    def keep(batch: _Batch) -> None:
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
    items = list(result.layout.items)
    block = result.source_data[items]
    if how != "pairwise":
        block = block.iloc[result.row_positions]
    if not all(getattr(t, "kind", "O") in "biuf" for t in block.dtypes.tolist()):
        block = block.apply(pd.to_numeric, errors="coerce")
    X = block.to_numpy(dtype=float, na_value=np.nan)
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
) -> Context:
    """The statistics context: scale end points and segment codes (if any).

    Segments with fewer than ``min_size`` respondents are left out of the segment
    statistics (no interval, no test: a one-respondent segment would get a tiny SE and
    a "significant" difference), with a warning naming them."""
    lo = hi = None
    if scale is not None or result.scale is not None:
        lo, hi = result._scale(scale)
    if segment is None:
        return Context(result.layout, engine, lo, hi, spec=result.spec)
    if lo is None:
        raise CsiInputError("segment indices need the items' scale end points: pass scale=(lo, hi)")
    if result.rows is None:  # pragma: no cover - raw_items already refused this
        raise CsiInputError("segments need the raw data")
    labels = result._segment_values(segment, result.rows)
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
    return Context(
        result.layout,
        engine,
        lo,
        hi,
        segment_codes=np.asarray(codes),
        segment_names=seg_names,
        segment_pairs=tuple(combinations(range(len(seg_names)), 2)),
        spec=result.spec,
    )


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
    n = _check_count(n, "n", 2)
    level = _check_level(level)
    check_choice(ci, _iv.METHODS, name="ci")
    workers = _check_count(workers, "workers", 1)
    if batch_size is not None:
        batch_size = _check_count(batch_size, "batch_size", 1)
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
    ctx = segment_context(result, engine, scale, segment, min_size)
    stats = (*builtin_statistics(ctx), *check_extra_statistics(statistics))
    plan = make_plan(engine, ctx, stats)
    _check_reproduces(plan, result)
    n_rows = engine.n_rows
    size = default_batch_size(n_rows) if batch_size is None else batch_size
    K = plan.estimate.size
    buffer = np.empty((n, K), dtype=np.float32)
    piv_buffer = np.empty((n, plan.pivot_cols.size), dtype=np.float32)
    status = np.zeros(n, dtype=np.int8)
    details: dict[int, str] = {}
    flips = np.zeros(result.layout.n_constructs, dtype=np.int64)
    kept_inadmissible = 0
    bar = _progress_bar(progress, n, "bootstrap")

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
        draw = _frequency_draws(engine, rng)

    def batches() -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, n, size):
            b = min(size, n - start)
            if draw is not None:
                yield start, draw(b)
            else:
                yield start, bootstrap_counts(rng.integers(0, n_rows, size=(b, n_rows)), n_rows)

    def keep(batch: _Batch) -> None:
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
        run_batches(engine, ctx, plan, batches(), workers=workers, on_batch=keep)
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
        jack = _jackknife(engine, ctx, plan, batch_size=size, workers=workers, groups=groups)
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
    table["estimate"] = plan.estimate
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


_REPLICATE_CI = (
    "with replicate weights the intervals are estimate ± t(df) x SE (R confint with "
    "df=degf): leave ci='percentile' (the default)"
)


def _t_intervals(
    estimate: np.ndarray, se: np.ndarray, df: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """``estimate ± t_{df, (1+level)/2} se``."""
    q = float(_stats.t.ppf(0.5 + level / 2.0, df))
    return estimate - q * se, estimate + q * se


def _frequency_draws(engine: Engine, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
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


def _check_reproduces(plan: _Plan, result: PLSResult) -> None:
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
