"""One function per report section: call the library, lay out its results.

Nothing here estimates anything: tables come from the survey's cleaning report,
the fitted PLS result (paths, R², weights, index, impacts, IPMA, respondent
scores), :mod:`csi.scales` (seven levels), :mod:`csi.metrics` (NPS, CSAT),
:mod:`csi.fuzzy` and the optional parts reached through
:mod:`csi.report.adapters`. The only operations on numbers are selecting,
sorting, reshaping, converting shares to percent, and blanking small segments.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.disclosure import complementary
from csi.report import adapters
from csi.report.adapters import Unavailable
from csi.report.document import Block, Bullets, Figure, Section, Table, Text
from csi.report.labels import header, method_text, missing_text, reason_text, text
from csi.report.privacy import mark_suppressed

log = logging.getLogger(__name__)


@dataclass
class Context:
    """Everything the sections share (built by :func:`csi.report.run_analysis`)."""

    survey: Any
    spec: Any
    result: Any
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
    system: Any
    progress: Callable[[str], None]
    thresholds: Any = None
    #: every segment column (``segment`` is the first: bootstrap and summary comparison)
    segments: tuple[str, ...] = ()
    #: missing-data policy of the model (PLS) and of the CB-SEM fit
    missing: str = "listwise"
    sem_missing: str = "listwise"
    #: figures weighted by the codebook's weight (False: none named, or --no-weights)
    weighted: bool = False
    #: requested parts that could not be produced (the CLI exits non-zero on any)
    failures: list[str] = field(default_factory=list)
    #: drivers left out of the priorities for improvement (customer expectations: a
    #: company cannot act on them directly); they stay in the map and the impacts
    not_actionable: tuple[str, ...] = ()
    boot: Any = None
    boot_reason: str = ""
    sem_result: Any = None
    sem_reason: str = ""
    fitted_system: Any = None
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
        """Put ``blocks`` in the appendix under ``key`` (ordered by :data:`APPENDIX`)."""
        self.appendix.setdefault(key, []).extend(blocks)

    def quality(self, which: str = "pls") -> Any:
        """``quality()`` of the PLS (``"pls"``) or CB-SEM (``"sem"``; None when not fitted)
        result, computed once: the section and the summary read the same report. A
        failure is raised again on every call."""
        key = f"quality_{which}"
        if key not in self._cache:
            result = self.result if which == "pls" else self.sem_result
            options: dict[str, Any] = {"lang": self.lang}
            if self.thresholds is not None:
                options["thresholds"] = self.thresholds
            try:
                self._cache[key] = None if result is None else adapters.quality(result, **options)
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
            from csi.pls.index import ipma_priorities

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

    def table(
        self, key: str, title: str, frame: pd.DataFrame, *, digits: int = 3, note: str = ""
    ) -> Table:
        """A table with localised headers."""
        shown = frame.rename(columns=lambda c: header(c, self.lang))
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
        return self.unavailable(key, reason_key, **fmt)

    def score_weights(self, rows: pd.Index) -> np.ndarray | None:
        """Survey weights of the respondents ``rows`` (None for an unweighted report)."""
        if not self.weighted:
            return None
        weight = self.survey.codebook.weight
        return self.survey.all_responses().loc[rows, weight].to_numpy(dtype=float)

    def score_design(self, rows: pd.Index) -> Any:
        """The survey design restricted to the respondents ``rows`` (``False``: unweighted),
        for comparisons of respondent scores."""
        if not self.weighted:
            return False
        from csi.metrics.design import Design

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

    def model_n(self) -> Text:
        """The note every model-based table carries: respondents used and the policy."""
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
        return Text(line, note=True)

    def figure(self, key: str, title: str, draw: Callable[[], Any], note: str = "") -> Block:
        """Render ``draw()`` (a matplotlib Figure from :mod:`csi.plots`) to PNG bytes."""
        try:
            from csi.plots._common import REPORT_DPI

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
        segmentation, see :func:`csi.report.build.recheck_segment_figures`)."""

        def again(more: set[str]) -> Block:
            return self.figure(key, title, lambda: draw(more), note=note)

        self.segment_figures[key] = (column, frozenset(hidden), again)
        return again(set(hidden))


def _reason_keys() -> set[str]:
    from csi.report.labels import TEXT

    return set(TEXT["en"])


def one_line(exc: BaseException) -> str:
    """An exception as one line: ``Type: first line of the message``."""
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0]}" if msg else type(exc).__name__


# ---------------------------------------------------------------------------- summary
def _model_exclusions(ctx: Context) -> pd.Series:
    """Why each respondent read was left out of the model (listwise: its missing items)."""
    if ctx.missing != "listwise":
        return pd.Series([], dtype=object)
    items = list(ctx.spec.items)
    miss = ctx.survey.all_responses()[items].isna()
    left = miss[miss.any(axis=1)]
    names = np.array(items, dtype=object)
    return pd.Series(["missing " + ", ".join(names[row]) for row in left.to_numpy()], dtype=object)


def _weighting_note(ctx: Context) -> Text | None:
    """How the figures are weighted (or that the codebook's weight is switched off)."""
    cb = ctx.survey.codebook
    if cb.weight is None:
        return None
    if not ctx.weighted:
        return Text(ctx.t("weighting_off", weight=cb.weight), note=True)
    w = ctx.survey.all_responses()[cb.weight].to_numpy(dtype=float)
    total = float(w.sum())
    n_eff = total**2 / float((w**2).sum()) if total > 0 else 0.0
    parts = [
        f"{key} {col}"
        for key, col in (("strata", cb.strata), ("clusters", cb.cluster))
        if col is not None
    ]
    if cb.replicate_weights:
        parts.append(f"{len(cb.replicate_weights)} {cb.replicate_type or ''} replicate weights")
    design = ctx.t("weighting_design", parts=", ".join(parts)) if parts else ""
    return Text(
        ctx.t(
            "weighting_note",
            weight=cb.weight,
            kind=cb.weight_kind,
            total=total,
            n_eff=n_eff,
            n=len(w),
            design=design,
        ),
        note=True,
    )


#: Exclusion reasons listed in the report (the most frequent; the rest as one "other"
#: row); the workbook lists every reason.
TOP_REASONS = 10


def _top_reasons(full: pd.DataFrame, ctx: Context) -> Table:
    """The :data:`TOP_REASONS` most frequent exclusion reasons and one "other" row."""
    top = full.head(TOP_REASONS)
    rest = full.iloc[TOP_REASONS:]
    other = pd.DataFrame(
        {"reason": [ctx.t("reasons_other", k=len(rest))], "count": [int(rest["count"].sum())]}
    )
    frame = pd.concat([top, other], ignore_index=True)
    frame["share"] = 100 * frame["count"] / full["count"].sum()
    from csi.report.excel import sheet_title

    return ctx.table(
        "exclusion_reasons_top",
        ctx.t("t_reasons_top", k=TOP_REASONS),
        frame,
        digits=1,
        note=ctx.t(
            "reasons_top_note", total=len(full), sheet=sheet_title("exclusion_reasons", ctx.lang)
        ),
    )


def summary_section(ctx: Context) -> Section:
    rep = ctx.survey.report
    items = rep.items
    res = ctx.result
    rows = [
        ("r_read", rep.n_input),
        ("r_excluded", int(res.n_excluded)),
        ("r_with_missing", rep.n_affected),
        ("r_codes", int(items["set_missing"].sum())),
        ("r_blank", int(items["blank"].sum())),
        ("r_oos", int(items["out_of_scale"].sum())),
        ("r_recoded", int(items["recoded"].sum())),
        ("r_replaced", int(items["replaced"].sum())),
        ("r_missing_method", missing_text(ctx.missing, ctx.lang)),
        ("r_used", res.n),
    ]
    frame = pd.DataFrame({"measure": [ctx.t(k) for k, _ in rows], "value": [v for _, v in rows]})
    frame["value"] = frame["value"].astype(object)
    blocks: list[Block] = [ctx.table("respondents", ctx.t("t_respondents"), frame, digits=0)]
    raw = _model_exclusions(ctx)
    if len(raw):
        reasons = raw.value_counts(sort=True)
        share = 100 * len(raw) / rep.n_input if rep.n_input else 0.0
        blocks.append(Text(ctx.t("excluded_missing", n=len(raw), pct=share, k=len(reasons))))
        reasons.index = [reason_text(r, ctx.lang) for r in reasons.index]
        full = pd.DataFrame({"reason": reasons.index, "count": reasons.to_numpy()})
        ctx.to_appendix(
            "exclusion_reasons",
            ctx.table("exclusion_reasons", ctx.t("t_reasons"), full, digits=0),
        )
        if len(full) > TOP_REASONS:
            ctx.to_appendix("exclusion_reasons_top", _top_reasons(full, ctx))
    else:
        blocks.append(Text(ctx.t("excluded_none")))
    blocks.append(Text(ctx.t("n_per_figure"), note=True))
    weighting = _weighting_note(ctx)
    if weighting is not None:
        blocks.append(weighting)
    cols = ["item", "construct", "n_answers", "blank", "set_missing", "out_of_scale"]
    cols += ["recoded", "replaced", "n_missing"]
    item_frame = items.loc[:, [c for c in cols if c in items.columns]].copy()
    item_frame.insert(1, "label", [ctx.item_label(i) for i in item_frame["item"]])
    item_frame["construct"] = [ctx.name(c) if c else "" for c in item_frame["construct"].fillna("")]
    ctx.to_appendix(
        "cleaning_items", ctx.table("cleaning_items", ctx.t("t_items"), item_frame, digits=0)
    )
    for col in (*ctx.segments, ctx.period):
        if col is None:
            continue
        counts = ctx.survey.all_responses()[col].value_counts(dropna=False, sort=False)
        counts = counts.sort_index()
        sizes = pd.DataFrame({"segment": counts.index.astype(str), "n": counts.to_numpy()})
        sizes = mark_suppressed(sizes, min_size=ctx.min_size, lang=ctx.lang, figures=())
        blocks.append(
            ctx.table(
                f"sizes_{col}",
                ctx.t("t_segment_sizes", segment=col),
                sizes,
                digits=0,
                note=ctx.t("suppression_note", min_size=ctx.min_size),
            )
        )
    return Section("summary", ctx.t("summary"), tuple(blocks))


# ---------------------------------------------------------------------------- model
def model_section(ctx: Context) -> Section:
    spec = ctx.spec
    note = ctx.t(
        "model_note",
        n=len(spec.constructs),
        k=len(spec.items),
        p=len(spec.paths),
        scheme=ctx.scheme,
    )
    frame = spec.to_frame()
    frame.insert(2, "label", [ctx.item_label(i) for i in frame["indicator"]])
    frame["construct"] = frame["construct"].map(ctx.name)
    paths = pd.DataFrame(
        {
            "source": [ctx.name(s) for s, _ in spec.paths],
            "target": [ctx.name(t) for _, t in spec.paths],
        }
    )
    ctx.to_appendix(
        "measurement_model", ctx.table("measurement_model", ctx.t("t_measurement"), frame)
    )
    return Section(
        "model",
        ctx.t("model"),
        (
            Text(note),
            ctx.table("structural_paths", ctx.t("t_structural"), paths),
            Text(ctx.t("model_appendix"), note=True),
        ),
    )


# ---------------------------------------------------------------------------- quality
def quality_section(ctx: Context) -> Section:
    """Reliability and validity from ``result.quality()`` (and the CB-SEM fit's, if any)."""
    try:
        q = ctx.quality("pls")
    except Unavailable as exc:
        return ctx.unavailable("quality", str(exc))
    except Exception as exc:  # e.g. a model the quality checks cannot handle
        log.warning("quality report failed: %s", exc)
        return ctx.unavailable("quality", ctx.t("quality_failed", error=one_line(exc)))
    th = q.thresholds
    blocks: list[Block] = [
        Text(
            ctx.t(
                "quality_intro",
                estimator=ctx.t("quality_pls"),
                n=q.n,
                rel=th.rho_c,
                rel_max=th.rho_c_max,
                ave=th.ave,
                loading=th.loading,
                htmt=th.htmt,
                vif=th.inner_vif,
            )
        ),
        ctx.table(
            "reliability",
            ctx.t("t_reliability"),
            _reliability_frame(q, ctx),
            note=ctx.t("reliability_note"),
        ),
    ]
    blocks += _validity_blocks(q, ctx)
    blocks += _structural_blocks(q, ctx)
    blocks.append(_diagnostics_block(q, ctx, ctx.t("quality_pls")))
    if ctx.sem_result is not None:
        blocks += _sem_quality_blocks(ctx)
    return Section("quality", ctx.t("quality"), tuple(blocks))


_RELIABILITY = (("alpha", "alpha"), ("rho_a", "rho_A"), ("rho_c", "rho_C"), ("ave", "AVE"))


def _reliability_frame(q: Any, ctx: Context, *, omega: bool = False) -> pd.DataFrame:
    """``construct, mode, n_items, alpha, rho_a, rho_c, ave, check``: the library's flags
    (``*_ok``) named with their thresholds."""
    rel = q.reliability
    th = q.thresholds
    limits = {"alpha": th.alpha, "rho_a": th.rho_a, "rho_c": th.rho_c, "ave": th.ave}
    checks = []
    for row in rel.itertuples(index=False):
        if int(row.n_items) == 1:
            checks.append(ctx.t("check_single"))
            continue
        failed = []
        for col, shown in _RELIABILITY:
            ok = getattr(row, f"{col}_ok", None)
            if ok is None or ok is pd.NA or bool(ok):
                continue
            name = "omega" if omega and col == "rho_c" else shown
            if col == "rho_c":
                failed.append(ctx.t("check_range", stat=name, lo=th.rho_c, hi=th.rho_c_max))
            else:
                failed.append(ctx.t("check_low", stat=name, value=limits[col]))
        checks.append("; ".join(failed) if failed else ctx.t("check_ok"))
    frame = rel.loc[:, ["construct", "mode", "n_items", "alpha", "rho_a", "rho_c", "ave"]].copy()
    frame["construct"] = ctx.names(frame["construct"])
    frame["check"] = checks
    if omega:
        frame = frame.drop(columns="rho_a").rename(columns={"rho_c": "omega"})
    return frame


def _validity_blocks(q: Any, ctx: Context) -> list[Block]:
    """Fornell-Larcker (lower triangle and the check) and HTMT with bootstrap upper limits."""
    fl = q.fornell_larcker
    lower = np.tril(np.ones(fl.shape, dtype=bool))
    matrix = fl.where(lower)
    matrix.columns = ctx.names(matrix.columns)
    matrix.insert(0, "construct", ctx.names(fl.index))
    check = q.fornell_larcker_check.copy()
    check["construct"] = ctx.names(check["construct"])
    check["with_construct"] = ctx.names(check["with_construct"])
    check["ok"] = ctx.yes_no(check["ok"])
    blocks: list[Block] = [
        ctx.table("fornell_larcker", ctx.t("t_fornell_larcker"), matrix),
        ctx.table("fornell_larcker_check", ctx.t("t_fornell_larcker_check"), check),
    ]
    pairs = q.htmt_pairs.loc[:, ["construct_1", "construct_2", "htmt", "ok"]].copy()
    boot = ctx.boot_rows("htmt")
    note = ctx.t("htmt_note", htmt=q.thresholds.htmt)
    if boot is not None:
        upper = boot.rename(
            columns={"source": "construct_1", "target": "construct_2", "ci_upper": "htmt_upper"}
        )
        pairs = pairs.merge(
            upper.loc[:, ["construct_1", "construct_2", "htmt_upper"]],
            on=["construct_1", "construct_2"],
            how="left",
        )
        pairs = pairs.loc[:, ["construct_1", "construct_2", "htmt", "htmt_upper", "ok"]]
    else:
        note += " " + ctx.t("htmt_no_boot", reason=ctx.boot_reason or ctx.t("no_bootstrap"))
    pairs["construct_1"] = ctx.names(pairs["construct_1"])
    pairs["construct_2"] = ctx.names(pairs["construct_2"])
    pairs["ok"] = ctx.yes_no(pairs["ok"])
    blocks.append(ctx.table("htmt", ctx.t("t_htmt"), pairs, note=note))
    return blocks


def _structural_blocks(q: Any, ctx: Context) -> list[Block]:
    """f² with its effect-size label next to the inner VIF; VIF of formative indicators."""
    blocks: list[Block] = []
    if len(q.f2):
        f2 = q.f2.loc[:, ["source", "target", "f2", "effect"]].merge(
            q.inner_vif.loc[:, ["source", "target", "vif", "ok"]],
            on=["source", "target"],
            how="left",
        )
        f2["source"] = ctx.names(f2["source"])
        f2["target"] = ctx.names(f2["target"])
        f2["effect"] = [ctx.t(f"effect_{e}") if e else "" for e in f2["effect"]]
        f2["ok"] = ctx.yes_no(f2["ok"])
        blocks.append(ctx.table("f2_vif", ctx.t("t_f2_vif"), f2, note=ctx.t("f2_note")))
    formative = q.outer_vif[q.outer_vif["mode"] == "B"]
    if len(formative):
        ov = formative.loc[:, ["construct", "indicator", "vif", "ok"]].copy()
        ov["construct"] = ctx.names(ov["construct"])
        ov["ok"] = ctx.yes_no(ov["ok"])
        blocks.append(ctx.table("outer_vif", ctx.t("t_outer_vif"), ov))
    return blocks


def _diagnostics_block(q: Any, ctx: Context, estimator: str) -> Block:
    """The library's plain-language findings, each with its advice, as a list."""
    if not q.diagnostics:
        return Text(ctx.t("diagnostics_none", estimator=estimator))
    sep = "" if ctx.lang == "zh" else " "
    items = tuple(
        ctx.rename_constructs(f"[{ctx.t('sev_' + d.severity)}] {d.message}{sep}{d.advice}")
        for d in q.diagnostics
    )
    return Bullets(ctx.t("diagnostics", estimator=estimator), items)


def _sem_quality_blocks(ctx: Context) -> list[Block]:
    try:
        q = ctx.quality("sem")
    except Exception as exc:  # the PLS part of the section stands on its own
        log.warning("CB-SEM quality report failed: %s", exc)
        reason = ctx.t("quality_failed", error=one_line(exc))
        return [Text(ctx.t("not_available", reason=reason), note=True)]
    return [
        ctx.table(
            "sem_reliability",
            ctx.t("t_sem_reliability"),
            _reliability_frame(q, ctx, omega=True),
            note=ctx.t("reliability_note"),
        ),
        _diagnostics_block(q, ctx, ctx.t("quality_sem")),
    ]


# ---------------------------------------------------------------------------- paths
def _with_bootstrap(
    frame: pd.DataFrame, boot: pd.DataFrame | None, keys: list[str]
) -> pd.DataFrame:
    """``frame`` with the bootstrap ``se, t, pvalue, ci_lower, ci_upper`` of its rows."""
    if boot is None:
        return frame
    cols = ["se", "t", "pvalue", "ci_lower", "ci_upper"]
    return frame.merge(boot.loc[:, [*keys, *cols]], on=keys, how="left")


def paths_section(ctx: Context) -> Section:
    res = ctx.result
    blocks: list[Block] = [Text(n, note=True) for n in ctx.notes]
    blocks.append(ctx.model_n())
    boot_paths = ctx.boot_rows("path")
    if ctx.figures:
        from csi.plots import path_diagram

        pvalues = None if boot_paths is None else boot_paths.loc[:, ["source", "target", "pvalue"]]
        blocks.append(
            ctx.figure(
                "path_diagram",
                ctx.t("f_path"),
                lambda: path_diagram(
                    res, pvalues=pvalues, lang=ctx.lang, codebook=ctx.survey.codebook
                ),
                note=ctx.t("stars_note") if pvalues is not None else "",
            )
        )
    paths = _with_bootstrap(res.path_coefficients.copy(), boot_paths, ["source", "target"])
    if boot_paths is not None:
        from csi.plots import significance_stars

        paths["stars"] = [significance_stars(p) for p in paths["pvalue"]]
    paths["source"] = ctx.names(paths["source"])
    paths["target"] = ctx.names(paths["target"])
    note = ctx.t("stars_note") if boot_paths is not None else ""
    blocks.append(ctx.table("path_coefficients", ctx.t("t_paths"), paths, note=note))
    blocks.append(ctx.boot_note())
    r2 = res.r2.copy()
    r2["construct"] = ctx.names(r2["construct"])
    blocks.append(ctx.table("r2", ctx.t("t_r2"), r2))
    outer = res.outer_weights.rename(columns={"estimate": "weight"})
    outer["loading"] = res.loadings["estimate"].to_numpy()
    outer.insert(2, "label", [ctx.item_label(i) for i in outer["indicator"]])
    outer["construct"] = ctx.names(outer["construct"])
    ctx.to_appendix("outer_model", ctx.table("outer_model", ctx.t("t_outer"), outer))
    total = ctx.boot_rows("total_effect")
    if total is not None:
        cols = ["source", "target", "estimate", "se", "pvalue", "ci_lower", "ci_upper"]
        total = total.loc[:, cols].copy()
        total["source"] = ctx.names(total["source"])
        total["target"] = ctx.names(total["target"])
        ctx.to_appendix(
            "total_effects", ctx.table("total_effects", ctx.t("t_total_effects"), total)
        )
    if ctx.sem:
        sem = sem_blocks(ctx)
        blocks += [b for b in sem if not (isinstance(b, Table) and b.key == "sem_paths")]
        ctx.to_appendix(
            "sem_paths", *[b for b in sem if isinstance(b, Table) and b.key == "sem_paths"]
        )
    else:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("sem_off")), note=True))
    blocks.append(Text(ctx.t("paths_appendix"), note=True))
    return Section("paths", ctx.t("paths"), tuple(blocks))


SEM_FIT = (
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "srmr",
    "aic",
    "bic",
    "n",
)


def sem_blocks(ctx: Context) -> list[Block]:
    """CB-SEM fit indices (named in the report language) and structural paths."""
    sem = ctx.sem_result
    if sem is None:
        reason = ctx.sem_reason or ctx.t("no_sem")
        return [Text(ctx.t("not_available", reason=reason), note=True)]
    fit = sem.fit_indices
    keep = [k for k in SEM_FIT if k in fit.index]
    values = fit.loc[keep].to_numpy(dtype=float)
    counts = {"df", "n"}  # whole numbers: shown without decimals
    fit_frame = pd.DataFrame(
        {
            "statistic": [ctx.t(f"fit_{k}") for k in keep],
            "value": pd.Series(
                [
                    int(v) if k in counts and np.isfinite(v) and float(v).is_integer() else v
                    for k, v in zip(keep, values, strict=True)
                ],
                dtype=object,
            ),
        }
    )
    est = sem.estimates
    rows = est[est["op"] == "~"]
    cols = [
        c for c in ("lhs", "op", "rhs", "estimate", "se", "z", "pvalue", "std_all") if c in rows
    ]
    structural = rows.loc[:, cols].copy()
    structural["lhs"] = ctx.names(structural["lhs"])
    structural["rhs"] = ctx.names(structural["rhs"])
    return [
        ctx.table("sem_fit", ctx.t("t_sem_fit"), fit_frame, note=ctx.t("sem_fit_note")),
        ctx.table("sem_paths", ctx.t("t_sem_paths"), structural),
    ]


# ---------------------------------------------------------------------------- index
def _wide_by_segment(long: pd.DataFrame, ctx: Context, value: str = "index") -> pd.DataFrame:
    """``segment, n, <construct>..., note`` from a long ``segment, construct, n, index`` table."""
    order = list(dict.fromkeys(long["construct"]))
    wide = long.pivot(index="segment", columns="construct", values=value).loc[:, order]
    n = long.groupby("segment", sort=False)["n"].first()
    wide.columns = [ctx.name(c) for c in wide.columns]
    wide.insert(0, "n", n.reindex(wide.index).to_numpy())
    wide = wide.reset_index()
    wide["segment"] = wide["segment"].astype(str)
    figures = [c for c in wide.columns if c not in ("segment", "n")]
    return mark_suppressed(wide, min_size=ctx.min_size, lang=ctx.lang, figures=figures)


def index_section(ctx: Context) -> Section:
    """Index per construct, segment and period, with bootstrap intervals where available."""
    res = ctx.result
    idx = res.index()
    frame = pd.DataFrame({"construct": list(idx.index), "index": idx.to_numpy()})
    boot = ctx.boot_rows("index")
    if boot is not None:
        overall = boot[boot["segment"].astype(str) == ""]
        frame = frame.merge(
            overall.loc[:, ["construct", "se", "ci_lower", "ci_upper"]], on="construct", how="left"
        )
    frame["construct"] = ctx.names(frame["construct"])
    plot_frame = frame.drop(columns="se", errors="ignore")
    blocks: list[Block] = [
        ctx.table("index", ctx.t("t_index"), frame, digits=1, note=ctx.t("index_note")),
        *([Text(ctx.t("index_vs_system"), note=True)] if ctx.system is not None else []),
        ctx.model_n(),
        ctx.boot_note(),
    ]
    blocks += [Text(n, note=True) for n in ctx.notes_index]
    if ctx.figures:
        from csi.plots import index_plot

        blocks.append(
            ctx.figure("index", ctx.t("f_index"), lambda: index_plot(plot_frame, lang=ctx.lang))
        )
    if res.scores is None:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_scores")), note=True))
        return Section("index", ctx.t("index"), tuple(blocks))
    for col, key, title in (
        *(
            (c, "index_segment" if c == ctx.segment else f"index_segment_{c}", "t_index_segment")
            for c in ctx.segments
        ),
        (ctx.period, "index_period", "t_index_period"),
    ):
        if col is None:
            continue
        long = res.index_by(col)
        long["segment"] = long["segment"].astype(str)
        blocks.append(
            ctx.table(
                key,
                ctx.t(title, segment=col),
                _wide_by_segment(long, ctx),
                digits=1,
                note=ctx.t("segment_index_note")
                + " "
                + ctx.t("suppression_note", min_size=ctx.min_size),
            )
        )
        if col == ctx.period and col != ctx.segment and ctx.figures:
            trend = _trend_figure(long, col, ctx)
            if trend is not None:
                blocks.append(trend)
        if col != ctx.segment:
            continue
        segment_boot = None if boot is None else boot[boot["segment"].astype(str) != ""]
        with_ci = segment_boot is not None and len(segment_boot) > 0
        if segment_boot is not None and with_ci:
            long = long.merge(
                segment_boot.loc[:, ["segment", "construct", "ci_lower", "ci_upper"]],
                on=["segment", "construct"],
                how="left",
            )
        if ctx.figures:
            blocks.append(_segment_figure(long, col, ctx))
        if with_ci:
            blocks += _segment_interval_blocks(long, col, ctx)
    if ctx.segment is None:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_segment")), note=True))
    return Section("index", ctx.t("index"), tuple(blocks))


def _segment_interval_blocks(long: pd.DataFrame, col: str, ctx: Context) -> list[Block]:
    """The segment indices with their intervals, and the differences between segments."""
    level = float(getattr(ctx.boot, "level", 0.95))
    ci = long.loc[:, ["segment", "n", "construct", "index", "ci_lower", "ci_upper"]].copy()
    ci["construct"] = ctx.names(ci["construct"])
    ci = mark_suppressed(
        ci, min_size=ctx.min_size, lang=ctx.lang, figures=["index", "ci_lower", "ci_upper"]
    )
    ctx.to_appendix(
        "index_segment_ci",
        ctx.table(
            "index_segment_ci",
            ctx.t("t_index_segment_ci", segment=col, level=level),
            ci,
            digits=1,
            note=ctx.t("suppression_note", min_size=ctx.min_size),
        ),
    )
    blocks: list[Block] = []
    diff = ctx.boot_rows("index_difference")
    if diff is None:
        return blocks
    sizes = long.groupby("segment", sort=False)["n"].first()
    small = {str(s) for s, n in sizes.items() if n < ctx.min_size}
    names = [str(s) for s in sizes.index]
    hidden = {f"{a} - {b}" for a in names for b in names if a != b and (a in small or b in small)}
    cols = ["construct", "segment", "estimate", "se", "pvalue", "ci_lower", "ci_upper"]
    table = diff.loc[:, cols].rename(columns={"segment": "comparison", "estimate": "difference"})
    table["suppressed"] = table["comparison"].astype(str).isin(hidden)
    table = mark_suppressed(
        table,
        min_size=ctx.min_size,
        lang=ctx.lang,
        figures=["difference", "se", "pvalue", "ci_lower", "ci_upper"],
        flag="suppressed",
    )
    table = _with_adjusted_pvalues(table)
    alpha = 1 - level
    significant = table[table["p_adjusted"] < alpha].drop(columns="note")
    table["construct"] = ctx.names(table["construct"])
    significant["construct"] = ctx.names(significant["construct"])
    ctx.to_appendix(
        "index_differences",
        ctx.table(
            "index_differences",
            ctx.t("t_index_differences", segment=col),
            table,
            digits=3,
            note=ctx.t("differences_note"),
        ),
    )
    if len(significant):
        blocks.append(
            ctx.table(
                "index_differences_significant",
                ctx.t("t_index_differences_significant", segment=col, alpha=alpha),
                significant,
                digits=3,
                note=ctx.t("differences_significant_note"),
            )
        )
    else:
        blocks.append(Text(ctx.t("differences_none", segment=col, alpha=alpha)))
    return blocks


def _with_adjusted_pvalues(table: pd.DataFrame) -> pd.DataFrame:
    """``p_adjusted`` after ``pvalue``: Holm (:func:`csi.metrics.adjust_pvalues`) over the
    comparisons of each construct; blank (NaN) where the p-value is blank (suppressed)."""
    from csi.metrics import adjust_pvalues

    out = table.copy()
    adjusted = pd.Series(np.nan, index=out.index)
    for _, part in out.groupby("construct", sort=False):
        p = pd.to_numeric(part["pvalue"], errors="coerce").to_numpy(dtype=float)
        adjusted.loc[part.index] = adjust_pvalues(p, method="holm")
    out.insert(list(out.columns).index("pvalue") + 1, "p_adjusted", adjusted.to_numpy())
    return out


def _segment_figure(long: pd.DataFrame, col: str, ctx: Context) -> Block:
    """Bars of the index per segment (suppressed segments left out), with intervals."""
    from csi.plots import index_plot

    sizes = long.groupby("segment")["n"].first().to_dict()
    hidden = complementary(sizes, [g for g, n in sizes.items() if n < ctx.min_size], ctx.min_size)
    keep = [c for c in ("segment", "construct", "index", "ci_lower", "ci_upper") if c in long]

    def draw(left_out: set[str]) -> Any:
        big = long[~long["segment"].isin(left_out)]
        shown = big.loc[:, keep].rename(columns={"segment": col})
        shown["construct"] = ctx.names(shown["construct"])
        return index_plot(shown, by=col, lang=ctx.lang)

    return ctx.segment_figure(
        "index_segment",
        ctx.t("f_index_segment"),
        col,
        {str(h) for h in hidden},
        draw,
        note=ctx.t("suppression_note", min_size=ctx.min_size),
    )


def _trend_figure(long: pd.DataFrame, col: str, ctx: Context) -> Block | None:
    """The target's index per period, in period order, with the t interval of the mean
    respondent score of each period (``index_by`` of the target is that mean); periods
    under ``min_size`` (and their complements) are left out. None with fewer than two
    periods to show."""
    from csi.metrics._common import t_interval
    from csi.plots import trend_plot

    mine = long[long["construct"] == ctx.target].copy()
    sizes = mine.groupby("segment")["n"].first().to_dict()
    small = [g for g, n in sizes.items() if n < ctx.min_size]
    hidden = {str(h) for h in complementary(sizes, small, ctx.min_size)}
    if len(sizes) - len(hidden) < 2:
        return None
    try:
        order = sorted(mine["segment"].unique())
    except TypeError:
        order = sorted(mine["segment"].unique(), key=str)
    mine = mine.set_index("segment").loc[order].reset_index()
    with_ci = not ctx.weighted and ctx.result.scores is not None
    if with_ci:
        scores = ctx.result.respondent_index()[ctx.target]
        periods = ctx.survey.all_responses().loc[scores.index, col].astype(str)
        bounds = {}
        for p, part in scores.groupby(periods.to_numpy()):
            values = part.dropna().to_numpy(dtype=float)
            _, _, lo, hi = t_interval(values, 0.95)
            bounds[str(p)] = (lo, hi)
        mine["ci_lower"] = [bounds.get(str(p), (np.nan, np.nan))[0] for p in mine["segment"]]
        mine["ci_upper"] = [bounds.get(str(p), (np.nan, np.nan))[1] for p in mine["segment"]]
        inside = (mine["ci_lower"] <= mine["index"] + 1e-9) & (
            mine["index"] <= mine["ci_upper"] + 1e-9
        )
        if not inside.all():  # the index is not the plain mean here (e.g. pairwise scores)
            mine = mine.drop(columns=["ci_lower", "ci_upper"])
            with_ci = False
    name = ctx.name(ctx.target)

    def draw(left_out: set[str]) -> Any:
        shown = mine[~mine["segment"].astype(str).isin(left_out)]
        shown = shown.drop(columns=["construct", "n"]).rename(columns={"segment": "period"})
        shown.insert(1, "construct", name)
        return trend_plot(shown, by="construct", lang=ctx.lang)

    note = ctx.t("trend_note_ci" if with_ci else "trend_note", target=name)
    note += " " + ctx.t("suppression_note", min_size=ctx.min_size)
    return ctx.segment_figure(
        "index_trend", ctx.t("f_index_trend", target=name), col, hidden, draw, note=note
    )


# ---------------------------------------------------------------------------- impacts
#: The driver rise (index points) the impacts are stated for.
IMPACT_POINTS = 5

QUADRANT_TEXT = {
    "high_importance_low_performance": "quad_hi_lo",
    "high_importance_high_performance": "quad_hi_hi",
    "low_importance_low_performance": "quad_lo_lo",
    "low_importance_high_performance": "quad_lo_hi",
}


def impacts_section(ctx: Context) -> Section:
    res = ctx.result
    impacts = res.impacts(points=IMPACT_POINTS)
    drivers = impacts[impacts["target"] == ctx.target].loc[:, ["source", "impact"]]
    impacts["source"] = ctx.names(impacts["source"])
    impacts["target"] = ctx.names(impacts["target"])
    blocks: list[Block] = [
        ctx.table("impacts", ctx.t("t_impacts", points=IMPACT_POINTS), impacts),
        Text(ctx.t("impacts_units", points=IMPACT_POINTS), note=True),
        ctx.model_n(),
    ]
    if ctx.figures and len(drivers):
        from csi.plots import impact_plot

        target = ctx.name(ctx.target)
        shown = drivers.assign(source=ctx.names(drivers["source"]))
        blocks.append(
            ctx.figure(
                "impacts",
                ctx.t("f_impacts", target=target),
                lambda: impact_plot(
                    shown, target=target, points=IMPACT_POINTS, lang=ctx.lang, decimals=2
                ),
                note=ctx.t("impacts_units", points=IMPACT_POINTS),
            )
        )
    ipma = res.ipma(ctx.target)
    table = ctx.priorities()
    table["quadrant"] = [ctx.t(QUADRANT_TEXT[q]) for q in table["quadrant"]]
    is_item = (table["kind"] == "indicator").to_numpy()
    table.insert(
        2,
        "label",
        [ctx.item_label(n) if item else "" for item, n in zip(is_item, table["name"], strict=True)],
    )
    table["name"] = [
        n if item else ctx.name(n) for item, n in zip(is_item, table["name"], strict=True)
    ]
    table["kind"] = [ctx.t(f"kind_{k}") for k in table["kind"]]
    table["construct"] = ctx.names(table["construct"])
    table = table.rename(columns={"name": "driver"})
    cols = ["priority", "kind", "driver", "label", "construct", "importance", "performance"]
    table = table.loc[:, [*cols, "quadrant"]]
    blocks.append(
        ctx.table(
            "priorities",
            ctx.t("t_ipma", target=ctx.name(ctx.target)),
            table,
            note=ctx.t("ipma_note", target=ctx.name(ctx.target))
            + (
                " " + ctx.t("ipma_excluded", names=", ".join(ctx.names(ctx.not_actionable)))
                if ctx.not_actionable
                else ""
            ),
        )
    )
    if ctx.figures:
        from csi.plots import ipma_plot

        items = ipma[ipma["kind"] == "indicator"]
        frame = pd.DataFrame(
            {
                "driver": items["name"].to_numpy(),
                "importance": items["importance"].to_numpy(),
                "performance": items["performance"].to_numpy(),
            }
        )
        blocks.append(
            ctx.figure(
                "ipma",
                ctx.t("f_ipma"),
                lambda: ipma_plot(
                    frame, target=ctx.name(ctx.target), lang=ctx.lang, codebook=ctx.survey.codebook
                ),
            )
        )
    return Section("impacts", ctx.t("impacts"), tuple(blocks))


# ---------------------------------------------------------------------------- system
def system_section(ctx: Context) -> Section:
    ctx.progress("weighting and scoring the indicator system")
    try:
        system = adapters.load_system(ctx.system)
    except Unavailable as exc:
        if ctx.system is None:
            return ctx.unavailable("system", str(exc), path=ctx.system)
        return ctx.failed("system", str(exc), path=ctx.system)
    data = ctx.survey
    try:
        fitted = system.fit(data, pls_weights=ctx.result.outer_weights)
        scores = fitted.score(data, by=ctx.segment, lang=ctx.lang)
    except CsiInputError as exc:
        log.warning("indicator system left out: %s", exc)
        return ctx.failed("system", one_line(exc))
    ctx.fitted_system = fitted
    frame = fitted.to_frame(lang=ctx.lang)
    names = dict(zip(frame["node"], frame["name"], strict=True))
    names[system.root.id] = system.root.name(ctx.lang)
    weights = pd.DataFrame(
        {
            "rank": frame["rank_in_level"].to_numpy(),
            "level": frame["level"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "parent": [names.get(p, p) for p in frame["parent"]],
            "item": frame["item"].fillna("").to_numpy(),
            "method": [method_text(str(m), ctx.lang) for m in frame["method"]],
            "local_weight": frame["local_weight"].to_numpy(),
            "global_weight": frame["global_weight"].to_numpy(),
        }
    )
    weights = weights.rename(columns={"name": "indicator"})
    blocks: list[Block] = [
        ctx.table("system_weights", ctx.t("t_system_weights"), weights, digits=4)
    ]
    has_ahp = any("ahp" in str(m) or "combined" in str(m) for m in frame["method"])
    if has_ahp:
        blocks.append(Text(ctx.t("system_cr", cr=fitted.consistency_ratio)))
    blocks += [Text(n, note=True) for n in fitted.notes]
    if ctx.figures:
        from csi.plots import hierarchy_plot, weights_plot

        leaves = frame[frame["item"].notna()]
        global_w = pd.Series(leaves["global_weight"].to_numpy(), index=leaves["name"].to_numpy())
        blocks.append(
            ctx.figure(
                "hierarchy", ctx.t("f_hierarchy"), lambda: hierarchy_plot(fitted, lang=ctx.lang)
            )
        )
        blocks.append(
            ctx.figure("weights", ctx.t("f_weights"), lambda: weights_plot(global_w, lang=ctx.lang))
        )
    overall = scores.overall.loc[:, ["name", "depth", "score", "level", "label", "n"]]
    overall = overall.rename(columns={"name": "indicator"})
    blocks.append(ctx.table("system_scores", ctx.t("t_system_scores"), overall, digits=1))
    model_index = float(ctx.result.index()[ctx.target])
    blocks.append(
        Text(ctx.t("system_vs_model", target=ctx.name(ctx.target), value=model_index), note=True)
    )
    if scores.n_incomplete or scores.n_unscored:
        blocks.append(
            Text(
                ctx.t(
                    "system_incomplete", incomplete=scores.n_incomplete, unscored=scores.n_unscored
                ),
                note=True,
            )
        )
    if scores.segments is not None and ctx.segment is not None:
        seg = scores.segments
        top = seg[seg["depth"] <= 1]
        order = list(dict.fromkeys(top["node"]))
        wide = top.pivot(index=ctx.segment, columns="node", values="score").loc[:, order]
        wide.columns = [names.get(c, c) for c in wide.columns]
        root_rows = seg[seg["node"] == system.root.id].set_index(ctx.segment)
        wide.insert(0, "n", root_rows["n"].reindex(wide.index).to_numpy())
        wide["label"] = root_rows["label"].reindex(wide.index).to_numpy()
        wide = wide.reset_index().rename(columns={ctx.segment: "segment"})
        wide["segment"] = wide["segment"].astype(str)
        figures = [c for c in wide.columns if c not in ("segment", "n")]
        wide = mark_suppressed(wide, min_size=ctx.min_size, lang=ctx.lang, figures=figures)
        blocks.append(
            ctx.table(
                "system_segment",
                ctx.t("t_system_segment", segment=ctx.segment),
                wide,
                digits=1,
                note=ctx.t("suppression_note", min_size=ctx.min_size),
            )
        )
    blocks.append(
        ctx.table(
            "system_levels",
            ctx.t("t_system_levels", name=names[system.root.id]),
            _level_share_table(scores.distribution, ctx),
            digits=1,
        )
    )
    return Section("system", ctx.t("system"), tuple(blocks))


# ---------------------------------------------------------------------------- levels
def _level_share_table(dist: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    from csi.scales import SEVEN_LEVELS

    behaviour = SEVEN_LEVELS.to_frame(ctx.lang).set_index("level")["behaviour"]
    return pd.DataFrame(
        {
            "level": dist["level"].to_numpy(),
            "label": dist["label"].to_numpy(),
            "behaviour": behaviour.reindex(dist["level"]).to_numpy(),
            "count": dist["count"].to_numpy(),
            "share": 100 * dist["share"].to_numpy(dtype=float),
        }
    )


def levels_section(ctx: Context) -> Section:
    from csi.scales import level_distribution

    res = ctx.result
    if res.scores is None:
        return ctx.unavailable("levels", "no_scores")
    scores = res.respondent_index()[ctx.target]
    outside = scores[(scores < 0) | (scores > 100)]
    if len(outside):
        # negative outer weights: the index is no weighted mean of the answers
        return ctx.unavailable(
            "levels", "scores_outside", k=len(outside), name=ctx.name(ctx.target)
        )
    w = ctx.score_weights(scores.index)
    dist = level_distribution(scores, lang=ctx.lang, weights=w)
    name = ctx.name(ctx.target)
    blocks: list[Block] = [
        Text(ctx.t("levels_note", construct=name)),
        *([Text(_satisfied_measures(ctx), note=True)] if ctx.csat_column is not None else []),
        ctx.table(
            "levels", ctx.t("t_levels", construct=name), _level_share_table(dist, ctx), digits=1
        ),
        ctx.model_n(),
    ]
    groups: list[pd.DataFrame] = [dist.assign(group=ctx.t("all"))]
    shares: list[tuple[str, pd.DataFrame]] = []
    hidden: set[str] = set()
    if ctx.segment is not None:
        labels = _segment_labels(ctx, scores.index)
        rows = []
        weight = pd.Series(w, index=scores.index) if w is not None else None
        for value, part in scores.groupby(labels, dropna=False, sort=True):
            part_w = None if weight is None else weight.loc[part.index].to_numpy()
            d = level_distribution(part, lang=ctx.lang, weights=part_w)
            row: dict[str, Any] = {"segment": str(value), "n": int(part.notna().sum())}
            row.update({lab: 100 * s for lab, s in zip(d["label"], d["share"], strict=True)})
            rows.append(row)
            shares.append((str(value), d))
        wide = pd.DataFrame(rows)
        sizes = dict(zip(wide["segment"], wide["n"], strict=True))
        small = [g for g, n in sizes.items() if n < ctx.min_size]
        hidden = {str(h) for h in complementary(sizes, small, ctx.min_size)}
        figures = [c for c in wide.columns if c not in ("segment", "n")]
        wide = mark_suppressed(wide, min_size=ctx.min_size, lang=ctx.lang, figures=figures)
        blocks.append(
            ctx.table(
                "levels_segment",
                ctx.t("t_levels_segment", segment=ctx.segment),
                wide,
                digits=1,
                note=ctx.t("suppression_note", min_size=ctx.min_size),
            )
        )
    if ctx.figures:
        from csi.plots import level_distribution_plot

        def draw(left_out: set[str]) -> Any:
            parts = groups + [d.assign(group=g) for g, d in shares if g not in left_out]
            frame = pd.concat(parts, ignore_index=True)
            return level_distribution_plot(frame, by="group", lang=ctx.lang)

        if ctx.segment is None:
            blocks.append(ctx.figure("levels", ctx.t("f_levels"), lambda: draw(set())))
        else:
            blocks.append(
                ctx.segment_figure(
                    "levels",
                    ctx.t("f_levels"),
                    ctx.segment,
                    hidden,
                    draw,
                    note=ctx.t("suppression_note", min_size=ctx.min_size),
                )
            )
    return Section("levels", ctx.t("levels"), tuple(blocks))


def _segment_labels(ctx: Context, rows: pd.Index) -> pd.Series:
    """The segment of each respondent used by the model (rows of the PLS scores)."""
    data = ctx.survey.all_responses()
    assert ctx.segment is not None
    return pd.Series(data.loc[rows, ctx.segment].to_numpy(), index=rows, name=ctx.segment)


# ---------------------------------------------------------------------------- fuzzy
def _fuzzy_row(name: str, ev: Any, ctx: Context) -> dict[str, Any]:
    """Level score (read first), its level, maximum membership (flagged when ambiguous)
    and the memberships in %."""
    row: dict[str, Any] = {"indicator": name, "level_score": ev.score}
    row["score_label"] = ev.score_label
    flag = ctx.t("ambiguous")
    flag = (f"（{flag}）" if ctx.lang == "zh" else f" ({flag})") if ev.ambiguous else ""
    row["max_membership"] = ev.label + flag
    row.update({str(k): 100 * float(v) for k, v in ev.membership.items()})
    return row


def _ambiguity_notes(results: list[tuple[str, Any]], ctx: Context) -> list[Block]:
    """The library's ambiguity flag of maximum membership, named and in the report language."""
    notes: list[Block] = []
    for name, ev in results:
        if not ev.ambiguous:
            continue
        top = ev.membership.sort_values(ascending=False, kind="stable")
        notes.append(
            Text(
                ctx.t(
                    "fuzzy_ambiguous",
                    name=name,
                    a=top.index[0],
                    pa=float(top.iloc[0]),
                    b=top.index[1],
                    pb=float(top.iloc[1]),
                    gap=100 * ev.ambiguity,
                ),
                note=True,
            )
        )
    return notes


def fuzzy_section(ctx: Context) -> Section:
    if not ctx.fuzzy:
        return ctx.unavailable("fuzzy", "no_fuzzy")
    from csi.fuzzy import fuzzy_evaluation, membership_matrix

    blocks: list[Block] = [Text(ctx.t("fuzzy_note")), Text(ctx.t("fuzzy_reading"))]
    fitted = ctx.fitted_system
    if fitted is not None:
        results = fitted.fuzzy(ctx.survey, lang=ctx.lang)
        frame = fitted.to_frame(lang=ctx.lang)
        names = dict(zip(frame["node"], frame["name"], strict=True))
        root = fitted.system.root
        names[root.id] = root.name(ctx.lang)
        order = [root.id] + [n for n in frame["node"] if n in results]
        shown = [(names[n], results[n]) for n in dict.fromkeys(order)]
        rows = [_fuzzy_row(name, ev, ctx) for name, ev in shown]
        blocks.append(
            ctx.table("fuzzy_system", ctx.t("t_fuzzy_system"), pd.DataFrame(rows), digits=1)
        )
        blocks += _ambiguity_notes(shown, ctx)
    cb = ctx.survey.codebook
    items = list(ctx.spec.indicators[ctx.target])
    weights = ctx.result.rescaled_weights()
    w = weights.set_index("indicator")["weight"].loc[items]
    scales = {i: (cb.item(i).min, cb.item(i).max) for i in items}
    membership = membership_matrix(ctx.survey.all_responses(), items, scales=scales, lang=ctx.lang)
    ev = fuzzy_evaluation(w, membership, lang=ctx.lang)
    mem = membership.mul(100).reset_index()
    mem.insert(1, "label", [ctx.item_label(i) for i in mem["indicator"]])
    mem.insert(2, "weight_pct", 100 * w.to_numpy())
    name = ctx.name(ctx.target)
    blocks.append(
        ctx.table("fuzzy_membership", ctx.t("t_fuzzy_membership", name=name), mem, digits=1)
    )
    blocks.append(
        ctx.table(
            "fuzzy_result",
            ctx.t("t_fuzzy_result", name=name, operator=ev.operator),
            pd.DataFrame([_fuzzy_row(name, ev, ctx)]),
            digits=1,
        )
    )
    blocks += _ambiguity_notes([(name, ev)], ctx)
    return Section("fuzzy", ctx.t("fuzzy"), tuple(blocks))


# ---------------------------------------------------------------------------- metrics
def metrics_section(ctx: Context) -> Section:
    """NPS and CSAT; a column the metrics cannot use fails this section (recorded in
    ``failures``), never the whole report."""
    try:
        return _metrics_section(ctx)
    except CsiInputError as exc:
        log.warning("service metrics left out: %s", exc)
        return ctx.failed("metrics", one_line(exc))


def _metrics_section(ctx: Context) -> Section:
    """NPS and CSAT, each on every respondent with a valid answer to its question."""
    from csi.metrics import csat, nps
    from csi.metrics.scores import CSAT_FIGURES, NPS_FIGURES

    survey = ctx.survey
    blocks: list[Block] = []
    nps_figures = list(NPS_FIGURES)
    col = ctx.recommend
    if col is not None:
        wopt = None if ctx.weighted else False
        overall = nps(survey, col, min_size=ctx.min_size, weights=wopt)
        overall = mark_suppressed(
            overall, min_size=ctx.min_size, lang=ctx.lang, figures=nps_figures, flag="suppressed"
        )
        blocks.append(
            ctx.table("nps", ctx.t("t_nps", column=col), overall, digits=1, note=ctx.t("nps_note"))
        )
        for seg in ctx.segments:
            by = nps(survey, col, by=seg, min_size=ctx.min_size, weights=wopt)
            key = "nps_segment" if seg == ctx.segment else f"nps_segment_{seg}"
            title = ctx.t("t_nps_segment", segment=seg)
            blocks.append(_metric_by_segment(ctx, key, title, by, nps_figures, seg))
            if seg == ctx.segment and ctx.figures:
                blocks.append(_nps_figure(ctx, by, seg))
    else:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_recommend")), note=True))
    ccol = ctx.csat_column
    if ccol is not None:
        info = survey.codebook.item(ccol)
        scale = (info.min, info.max)
        figs = list(CSAT_FIGURES)
        wopt = None if ctx.weighted else False
        overall = csat(
            survey, ccol, scale=scale, top=ctx.csat_top, min_size=ctx.min_size, weights=wopt
        )
        overall = mark_suppressed(
            overall, min_size=ctx.min_size, lang=ctx.lang, figures=figs, flag="suppressed"
        )
        title = ctx.t("t_csat", top=ctx.csat_top, column=ccol)
        blocks.append(ctx.table("csat", title, overall, digits=1, note=ctx.t("csat_note")))
        blocks.append(Text(_satisfied_measures(ctx), note=True))
        for seg in ctx.segments:
            by = csat(
                survey,
                ccol,
                scale=scale,
                top=ctx.csat_top,
                by=seg,
                min_size=ctx.min_size,
                weights=wopt,
            )
            key = "csat_segment" if seg == ctx.segment else f"csat_segment_{seg}"
            title = ctx.t("t_csat_segment", segment=seg)
            blocks.append(_metric_by_segment(ctx, key, title, by, figs, seg))
    available = any(isinstance(b, Table) for b in blocks)
    return Section("metrics", ctx.t("metrics"), tuple(blocks), available)


def _satisfied_measures(ctx: Context) -> str:
    """What "satisfied (levels 5-7)" and CSAT each measure (they differ by design)."""
    return ctx.t(
        "satisfied_vs_csat",
        target=ctx.name(ctx.target),
        top=ctx.csat_top,
        column=ctx.csat_column,
    )


def _nps_figure(ctx: Context, by: pd.DataFrame, segment: str) -> Block:
    """Detractors, passives and promoters per segment; suppressed segments left out."""
    from csi.plots import nps_plot

    frame = by.rename(columns={segment: "segment"})
    frame["segment"] = frame["segment"].astype(str)
    marked = mark_suppressed(
        frame, min_size=ctx.min_size, lang=ctx.lang, figures=["nps"], flag="suppressed"
    )
    hidden = {str(g) for g, note in zip(marked["segment"], marked["note"], strict=True) if note}

    def draw(left_out: set[str]) -> Any:
        shown = frame[~frame["segment"].isin(left_out)]
        if shown.empty:
            raise CsiInputError("every segment is suppressed")
        return nps_plot(shown, by="segment", lang=ctx.lang)

    return ctx.segment_figure(
        "nps_segment",
        ctx.t("f_nps_segment", segment=segment),
        segment,
        hidden,
        draw,
        note=ctx.t("nps_note") + " " + ctx.t("suppression_note", min_size=ctx.min_size),
    )


def _metric_by_segment(
    ctx: Context, key: str, title: str, by: pd.DataFrame, figures: list[str], segment: str
) -> Table:
    """A per-segment score table (NPS, CSAT): segment column renamed, small segments blanked."""
    by = by.rename(columns={segment: "segment"})
    by["segment"] = by["segment"].astype(str)
    by = mark_suppressed(
        by, min_size=ctx.min_size, lang=ctx.lang, figures=figures, flag="suppressed"
    )
    return ctx.table(
        key, title, by, digits=1, note=ctx.t("suppression_note", min_size=ctx.min_size)
    )


# ---------------------------------------------------------------------------- appendix
#: Tables moved out of the main body, in appendix order.
APPENDIX = (
    "cleaning_items",
    "exclusion_reasons_top",
    "exclusion_reasons",
    "measurement_model",
    "outer_model",
    "total_effects",
    "sem_paths",
    "index_segment_ci",
    "index_differences",
)


def appendix_section(ctx: Context) -> Section:
    """The technical tables the other sections moved here (:meth:`Context.to_appendix`)."""
    order = [k for k in APPENDIX if k in ctx.appendix]
    order += [k for k in ctx.appendix if k not in APPENDIX]
    blocks: list[Block] = [Text(ctx.t("appendix_intro"))]
    for key in order:
        blocks += ctx.appendix[key]
    return Section("appendix", ctx.t("appendix"), tuple(blocks))
