"""The :class:`Context` every report section reads: the survey, the fitted results,
the options of the run, and the helpers the sections share (localised text and
headers, tables, figures, notes, failures).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import logging
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.indicators import FittedIndicatorSystem, IndicatorSystem
from csi.metrics.design import Design
from csi.plots._common import REPORT_DPI
from csi.pls.bootstrap import BootstrapResult
from csi.pls.index import ipma_priorities
from csi.pls.result import PLSResult
from csi.quality.report import QualityReport
from csi.quality.thresholds import Thresholds
from csi.report import adapters
from csi.report.document import Block, Figure, Section, Table, Text
from csi.report.labels import TEXT, header, missing_text, text
from csi.spec import ModelSpec
from csi.survey import Survey

if TYPE_CHECKING:  # csi.sem loads semopy: imported only when CB-SEM is fitted
    from csi.sem.result import SEMResult

log = logging.getLogger(__name__)


#: Most segments a figure shows; with more, a note says the tables hold them.
MAX_FIGURE_SEGMENTS = 30

#: Tables of figures estimated by the model (their n is the model's, stated in the note).
MODEL_TABLES = frozenset(
    {
        "index",
        "impacts",
        "priorities",
        "levels",
        "path_coefficients",
        "r2",
        "total_effects",
        "outer_model",
        "reliability",
        "fornell_larcker",
        "htmt",
        "f2_vif",
        "outer_vif",
        "outer_weights_boot",
        "loadings_boot",
        "cross_loadings",
        "outer_vif_items",
        "indirect_effects",
        "model_fit",
        "pls_predict",
        "q2_blindfolding",
    }
)


#: The stages of a report run, in order: reading and cleaning the survey (the CLI and
#: :func:`csi.report.make_report`), the PLS fit, its bootstrap, the CB-SEM fit, the
#: sections, the privacy guard and disclosure control, and the two writers.
STAGES = (
    "read",
    "clean",
    "fit",
    "bootstrap",
    "sem",
    "sections",
    "privacy",
    "write_html",
    "write_excel",
)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None on other C libraries and systems)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_memory() -> None:
    """Give the free pages of the C heap back to the system (glibc ``malloc_trim(0)``),
    and those Arrow's memory pool keeps for reuse (the text columns of pandas 3).

    Reading a large survey or bootstrapping it frees many small objects; glibc keeps
    their pages in the process (its resident size) until trimmed, where the next
    stage's large arrays (allocated apart from the heap) cannot use them. Nothing
    changes in any result; on other systems the C heap is left as it is.
    """
    arrow = sys.modules.get("pyarrow")  # only when something already uses it
    if arrow is not None:
        with contextlib.suppress(Exception):  # an old or unusual pyarrow: nothing to free
            arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class StageTimer:
    """Wall-clock seconds per stage of a report run, added up into ``times`` (a dict the
    caller may pass in, e.g. ``run_analysis(..., timings=times)``).

    ``with timer("fit"): ...`` adds the time spent in the block to ``times["fit"]``;
    sections are also timed one by one, as ``"section:<key>"``.
    """

    def __init__(self, times: dict[str, float] | None = None) -> None:
        self.times: dict[str, float] = {} if times is None else times

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - start
            release_memory()  # each stage's freed memory, before the next one (issue 20)


@dataclass
class Context:
    """Everything the sections share (built by :func:`csi.report.run_analysis`)."""

    survey: Survey
    spec: ModelSpec
    result: PLSResult
    lang: str
    min_size: int
    segment: str | None
    period: str | None
    target: str
    scheme: str
    figures: bool
    sem: bool
    recommend: str | None
    csat_column: str | None
    csat_top: int
    n_boot: int
    seed: int
    fuzzy: bool
    #: the indicator system asked for (a YAML path or the system itself; None: none)
    system: str | Path | IndicatorSystem | None
    progress: Callable[[str], None]
    thresholds: Thresholds | None = None
    #: every segment column (``segment`` is the first: bootstrap and summary comparison)
    segments: tuple[str, ...] = ()
    #: missing-data policy of the model (PLS) and of the CB-SEM fit
    missing: str = "listwise"
    sem_missing: str = "listwise"
    #: figures weighted by the codebook's weight (False: none named, or --no-weights)
    weighted: bool = False
    #: every pair of segments (bootstrap differences) in the workbook; by default each
    #: segment is compared with the rest only (linear in the number of segments)
    pairs: bool = False
    #: seconds per stage of the run (:class:`StageTimer`)
    timer: StageTimer = field(default_factory=lambda: StageTimer())
    #: requested parts that could not be produced (the CLI exits non-zero on any)
    failures: list[str] = field(default_factory=list)
    #: keys of the sections that failed (the summary quotes nothing from them)
    failed_sections: set[str] = field(default_factory=set)
    #: drivers left out of the priorities for improvement (customer expectations: a
    #: company cannot act on them directly); they stay in the map and the impacts
    not_actionable: tuple[str, ...] = ()
    boot: BootstrapResult | None = None
    boot_reason: str = ""
    sem_result: SEMResult | None = None
    sem_reason: str = ""
    fitted_system: FittedIndicatorSystem | None = None
    notes: list[str] = field(default_factory=list)
    notes_index: list[str] = field(default_factory=list)
    appendix: dict[str, list[Block]] = field(default_factory=dict)
    #: figures that leave segments out: key -> (segment column, segments left out,
    #: redraw leaving out more); checked against the finished tables (build.py)
    segment_figures: dict[str, tuple[str, frozenset[str], Callable[[set[str]], Block]]] = field(
        default_factory=dict, repr=False
    )
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ shared results
    def to_appendix(self, key: str, *blocks: Block) -> None:
        """Put ``blocks`` in the appendix under ``key`` (ordered by
        :data:`csi.report.sections_appendix.APPENDIX`)."""
        self.appendix.setdefault(key, []).extend(blocks)

    def quality(self, which: str = "pls") -> QualityReport:
        """``quality()`` of the PLS (``"pls"``) or CB-SEM (``"sem"``; :class:`Unavailable`
        when not fitted) result, computed once: the section and the summary read the same
        report. A failure is raised again on every call."""
        key = f"quality_{which}"
        if key not in self._cache:
            result = self.result if which == "pls" else self.sem_result
            options: dict[str, Any] = {"lang": self.lang}
            if self.thresholds is not None:
                options["thresholds"] = self.thresholds
            try:
                if result is None:
                    raise adapters.Unavailable("no_sem")
                self._cache[key] = adapters.quality(result, **options)
            except Exception as exc:
                self._cache[key] = exc
        value = self._cache[key]
        if isinstance(value, Exception):
            raise value
        return value

    def priorities(self) -> pd.DataFrame:
        """``ipma_priorities(result.ipma(target, exclude=not_actionable))``, computed once
        (a copy each call)."""
        if "priorities" not in self._cache:
            ipma = self.result.ipma(self.target, exclude=self.not_actionable)
            self._cache["priorities"] = ipma_priorities(ipma)
        return self._cache["priorities"].copy()

    # ------------------------------------------------------------ helpers
    def t(self, key: str, **fmt: Any) -> str:
        return text(key, self.lang, **fmt)

    def name(self, construct: str) -> str:
        """Display name of a construct (codebook label in the report language)."""
        cb = self.survey.codebook
        if construct in cb.constructs:
            return str(cb.label(construct, self.lang))
        return construct

    def rename_constructs(self, message: str) -> str:
        """``message`` with construct names (whole words) shown by their display names."""
        shown = {c: self.name(c) for c in self.spec.constructs}
        for c in sorted(shown, key=len, reverse=True):
            if shown[c] != c:
                message = re.sub(rf"(?<!\w){re.escape(c)}(?!\w)", shown[c], message)
        return message

    def names(self, values: Any) -> list[str]:
        """Display names of a column of construct names."""
        return [self.name(str(c)) for c in values]

    def yes_no(self, values: Any) -> list[str]:
        """``yes`` / ``no`` (``""`` where missing) for a column of flags."""
        out = []
        for v in values:
            missing = v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
            out.append("" if missing else self.t("yes" if bool(v) else "no"))
        return out

    def boot_rows(self, kind: str) -> pd.DataFrame | None:
        """Rows of one kind of the bootstrap table (None without a bootstrap)."""
        return None if self.boot is None else adapters.bootstrap_rows(self.boot, kind)

    def boot_note(self) -> Text:
        """Where the standard errors and intervals come from (or why they are missing)."""
        if self.boot is None:
            reason = self.boot_reason or self.t("no_bootstrap")
            return Text(self.t("bootstrap_none", reason=reason), note=True)
        k = int(getattr(self.boot, "n_failed", 0))
        failed = self.t("bootstrap_failed", k=k) if k else ""
        level = float(getattr(self.boot, "level", 0.95))
        n = int(getattr(self.boot, "n_resamples", self.n_boot))
        return Text(
            self.t("bootstrap_note", n=n, seed=self.seed, level=level, failed=failed), note=True
        )

    def item_label(self, item: str) -> str:
        try:
            return str(self.survey.codebook.item(item).label(self.lang))
        except Exception:
            return ""

    def item_scale(self, column: str) -> tuple[float, float]:
        """The end points (lowest, highest) of the codebook item ``column``."""
        info = self.survey.codebook.item(column)
        if info.min is None or info.max is None:
            raise CsiInputError(
                f"item {column!r} has no scale end points in the codebook (give its min and max)"
            )
        return info.min, info.max

    def table(
        self, key: str, title: str, frame: pd.DataFrame, *, digits: int = 3, note: str = ""
    ) -> Table:
        """A table with localised headers; a model-based table (:data:`MODEL_TABLES`)
        states in its note the respondents the model used (:meth:`model_n`)."""
        shown = frame.rename(columns=lambda c: header(c, self.lang))
        if key in MODEL_TABLES:
            note = f"{note} {self.model_n()}".strip()
        return Table(key, title, shown.reset_index(drop=True), digits=digits, note=note)

    def unavailable(self, key: str, reason_key: str, **fmt: Any) -> Section:
        reason = self.t(reason_key, **fmt) if reason_key in _reason_keys() else reason_key
        return Section(
            key, self.t(key), (Text(self.t("not_available", reason=reason), note=True),), False
        )

    def failed(self, key: str, reason_key: str, **fmt: Any) -> Section:
        """A requested section that could not be produced: marked, and recorded in
        ``failures`` (so the CLI exits non-zero unless partial reports are allowed)."""
        known = reason_key in _reason_keys()
        reason = text(reason_key, "en", **fmt) if known else reason_key
        self.failures.append(f"{text(key, 'en')}: {reason}")
        self.failed_sections.add(key)
        return self.unavailable(key, reason_key, **fmt)

    def score_weights(self, rows: pd.Index) -> np.ndarray | None:
        """Survey weights of the respondents ``rows`` (None for an unweighted report)."""
        if not self.weighted:
            return None
        weight = self.survey.codebook.weight
        return self.survey.all_responses().loc[rows, weight].to_numpy(dtype=float)

    def score_design(self, rows: pd.Index) -> Design | Literal[False]:
        """The survey design restricted to the respondents ``rows`` (``False``: unweighted),
        for comparisons of respondent scores."""
        if not self.weighted:
            return False
        cb = self.survey.codebook
        cols = [
            c for c in (cb.weight, cb.strata, cb.cluster, *cb.replicate_weights) if c is not None
        ]
        frame = self.survey.all_responses().loc[rows, cols].reset_index(drop=True)
        return Design.from_frame(
            frame,
            cb.weight,
            strata=cb.strata,
            cluster=cb.cluster,
            replicate_weights=list(cb.replicate_weights),
            replicate_type=cb.replicate_type if cb.replicate_weights else None,
        )

    def model_n(self) -> str:
        """The sentence every model-based table carries: respondents used and the policy."""
        line = self.t(
            "model_n",
            n=int(self.result.n),
            method=missing_text(self.missing, self.lang),
            left=int(self.result.n_excluded),
        )
        # respondents in the model's n without a score (pairwise); the ones left out
        # listwise are already counted as left out
        unscored = int(getattr(self.result, "n_unscored", 0) or 0) - int(self.result.n_excluded)
        if unscored > 0:
            line += " " + self.t("model_n_unscored", k=unscored)
        return line

    def figure(self, key: str, title: str, draw: Callable[[], Any], note: str = "") -> Block:
        """Render ``draw()`` (a matplotlib Figure from :mod:`csi.plots`) to PNG bytes."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. no CJK font: the figure still draws
                fig = draw()
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=REPORT_DPI, bbox_inches="tight")
        except Exception as exc:  # a figure must never cost the report
            log.warning("figure %s not drawn: %s", key, exc)
            return Text(self.t("figure_failed", error=one_line(exc)), note=True)
        return Figure(key, title, buf.getvalue(), note=note)

    def segment_figure(
        self,
        key: str,
        title: str,
        column: str,
        hidden: set[str],
        draw: Callable[[set[str]], Any],
        note: str = "",
    ) -> Block:
        """A figure of segments of ``column`` drawn without the ``hidden`` ones; it is
        drawn again, without more, if the finished report hides more segments of that
        column (complementary suppression runs on the whole report: one decision per
        segmentation, see :func:`csi.report.build.recheck_segment_figures`).

        With more than :data:`MAX_FIGURE_SEGMENTS` segments to show, a note takes the
        figure's place (no one reads 500 bars; the tables hold every segment)."""
        shown = self.segment_count(column) - len(hidden)
        if shown > MAX_FIGURE_SEGMENTS:
            return Text(
                self.t("figure_too_many_segments", k=shown, most=MAX_FIGURE_SEGMENTS, title=title),
                note=True,
            )

        def again(more: set[str]) -> Block:
            return self.figure(key, title, lambda: draw(more), note=note)

        self.segment_figures[key] = (column, frozenset(hidden), again)
        return again(set(hidden))

    def segment_count(self, column: str) -> int:
        """Number of distinct values (missing counted as one) of a segment column among
        every respondent read; counted once per column."""
        key = f"segment_count_{column}"
        if key not in self._cache:
            values = self.survey.all_responses()[column]
            self._cache[key] = int(values.nunique(dropna=False))
        return int(self._cache[key])


def _reason_keys() -> set[str]:
    return set(TEXT["en"])


def one_line(exc: BaseException) -> str:
    """An exception as one line: ``Type: first line of the message``."""
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0]}" if msg else type(exc).__name__
