"""The report's first section, "At a glance": headline figures and a few sentences.

Every figure is a library result the other sections also show: the target's
index and its bootstrap interval, :func:`csi.metrics.compare_periods` (change since
the previous period), :func:`csi.pls.index.ipma_priorities` (what to improve),
:func:`csi.metrics.compare_segments` (segments below the rest, Holm-corrected),
:func:`csi.scales.level_groups` (satisfied / dissatisfied shares),
:func:`csi.metrics.nps` and the diagnostics of ``quality()``. A part whose input is
missing (no period column, no recommend column, no segment, no bootstrap) is left
out; suppressed segments are never named as falling behind.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.metrics import compare_periods, compare_segments, csat, nps, wilson_interval
from csi.metrics.design import Design, weighted_mean, weighted_proportion
from csi.report.adapters import Unavailable
from csi.report.context import Context, one_line
from csi.report.document import Block, Bullets, KeyFigure, KeyFigures, Section, Text
from csi.report.sections_index import QUADRANT_TEXT
from csi.report.sections_metrics import satisfied_measures
from csi.scales import LEVEL_GROUPS, classify, level_groups

log = logging.getLogger(__name__)

#: Number of improvement priorities named in the summary.
N_PRIORITIES = 3


def _num(value: Any, digits: int = 1, *, sign: bool = False) -> str:
    """A number for a sentence (``+`` shown on request)."""
    return f"{float(value):+.{digits}f}" if sign else f"{float(value):.{digits}f}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts (column -> value)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _pvalue(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def glance_section(ctx: Context) -> Section:
    """Headline figures (cards) and short findings, first in the report."""
    cards: list[KeyFigure] = []
    lines: list[str] = []
    blocks: list[Block] = []
    target = ctx.name(ctx.target)
    level = float(getattr(ctx.boot, "level", 0.95))

    # --- the index of the target construct, with its interval and change
    value = float(ctx.result.index()[ctx.target])
    interval = _index_interval(ctx)
    if interval is not None:
        detail = ctx.t("g_interval", level=level, lo=interval[0], hi=interval[1])
        lines.append(
            ctx.t(
                "g_index",
                target=target,
                value=value,
                level=level,
                lo=interval[0],
                hi=interval[1],
            )
        )
    else:
        staged = ctx.boot is not None and getattr(ctx.result, "refit", None) is not None
        detail = ctx.t("g_no_interval_staged" if staged else "g_no_interval")
        lines.append(ctx.t("g_index_plain", target=target, value=value))
    cards.append(KeyFigure(ctx.t("g_card_index", target=target), _num(value), detail, number=value))
    change = _period_change(ctx)
    if change is not None:
        row, previous = change
        covers = bool(row["ci_lower"] <= 0 <= row["ci_upper"])
        cards.append(
            KeyFigure(
                ctx.t("g_card_change", previous=previous),
                _num(row["difference"], sign=True),
                ctx.t(
                    "g_change_ns" if covers else "g_change_sig",
                    lo=row["ci_lower"],
                    hi=row["ci_upper"],
                ),
                number=float(row["difference"]),
                muted=covers,
            )
        )
        key = "g_change_none" if covers else "g_change"
        lines.append(
            ctx.t(
                key,
                previous=previous,
                current=row["current"],
                text=row["text"],
                lo=row["ci_lower"],
                hi=row["ci_upper"],
                test=ctx.t("g_test_" + str(row["test"]).replace(" ", "_")),
                p=_pvalue(float(row["pvalue"])),
            )
        )

    # --- satisfied and dissatisfied on the seven levels
    groups = _level_groups(ctx)
    if groups is not None:
        shares = {str(g): 100 * float(v) for g, v in groups["share"].items()}
        sat, dis = shares["satisfied"], shares["dissatisfied"]
        cards.append(
            KeyFigure(
                ctx.t("g_card_satisfied"),
                f"{sat:.1f}%",
                ctx.t("g_card_dissatisfied", dis=dis),
                number=float(sat),
            )
        )
        lines.append(ctx.t("g_levels", target=target, sat=sat, dis=dis))

    # --- NPS
    nps_row = _nps(ctx)
    if nps_row is not None:
        cards.append(
            KeyFigure(
                ctx.t("g_card_nps"),
                _num(nps_row["nps"], sign=True),
                ctx.t("g_ci", lo=nps_row["ci_lower"], hi=nps_row["ci_upper"]),
                number=float(nps_row["nps"]),
            )
        )
        lines.append(
            ctx.t(
                "g_nps",
                nps=nps_row["nps"],
                lo=nps_row["ci_lower"],
                hi=nps_row["ci_upper"],
                pro=nps_row["pct_promoters"],
                det=nps_row["pct_detractors"],
            )
        )

    # --- segments below the rest
    segment_line = _segments_line(ctx, target)
    if segment_line:
        lines.append(segment_line)

    # --- model quality
    quality_line = _quality_line(ctx)
    if quality_line:
        lines.append(quality_line)

    blocks.append(KeyFigures("glance", tuple(cards)))
    if groups is not None and ctx.csat_column is not None:
        blocks.append(Text(satisfied_measures(ctx), note=True))
    blocks.append(Bullets(ctx.t("g_findings"), tuple(lines)))
    priorities, weak_spot = _priorities(ctx, target)
    if priorities:
        blocks.append(Bullets(ctx.t("g_priorities", target=target), priorities, ordered=True))
        if not weak_spot:
            blocks.append(Text(ctx.t("g_no_weak_spot"), note=True))
    blocks += _margin_blocks(ctx, value, groups, nps_row)
    blocks.append(Text(ctx.t("g_where"), note=True))
    return Section("glance", ctx.t("glance"), tuple(blocks))


# ---------------------------------------------------------------------------- margins
#: Level of every margin of error in the summary.
MARGIN_LEVEL = 0.95


def _half_width(lower: float, upper: float) -> float:
    """Half the width of an interval (the margin of error; NaN if a limit is missing)."""
    return (float(upper) - float(lower)) / 2


def index_margin(ctx: Context) -> tuple[float, int, str] | None:
    """Margin of error of the target's overall index, its n and how it was found.

    With a bootstrap: half the width of its percentile interval of the index. Without:
    half the width of the t interval of the mean respondent score (whose mean is the
    index; the model's item weights held fixed), from :func:`csi.metrics.design.weighted_mean`
    (the survey design when the report is weighted, else equal weights); None when the
    respondent scores do not average to the index (pairwise missing answers).
    """
    interval = _index_interval(ctx)
    if interval is not None:
        n_boot = int(getattr(ctx.boot, "n_resamples", ctx.n_boot))
        return _half_width(*interval), int(ctx.result.n), ctx.t("m_index_boot", n=n_boot)
    scores = target_scores(ctx)
    if scores is None:
        return None
    valid = scores.dropna()
    if len(valid) < 2:
        return None
    design = ctx.score_design(valid.index)
    if design is False:
        design = Design(weights=np.ones(len(valid)))
    est = weighted_mean(design, valid.to_numpy(dtype=float), level=MARGIN_LEVEL)
    index = float(ctx.result.index()[ctx.target])
    if not np.isclose(est.estimate, index, rtol=0.0, atol=1e-6):
        return None
    return _half_width(est.ci_lower, est.ci_upper), int(est.n), ctx.t("m_index_t")


def satisfied_margin(ctx: Context) -> tuple[float, float, int] | None:
    """The satisfied share (levels 5-7 of the target score, percent), its margin of
    error (percentage points) and n: Wilson's interval (:func:`csi.metrics.wilson_interval`)
    or, for a weighted report, the design-based one
    (:func:`csi.metrics.design.weighted_proportion`, ``method="mean"``)."""
    scores = target_scores(ctx)
    if scores is None:
        return None
    valid = scores.dropna()
    if not len(valid) or ((valid < 0) | (valid > 100)).any():
        return None
    satisfied = classify(valid).isin(LEVEL_GROUPS["satisfied"]).to_numpy(dtype=float)
    design = ctx.score_design(valid.index)
    if design is False:
        k, n = int(satisfied.sum()), len(satisfied)
        lower, upper = wilson_interval(k, n, level=MARGIN_LEVEL)
        return 100 * k / n, 100 * _half_width(lower, upper), n
    est = weighted_proportion(design, satisfied, level=MARGIN_LEVEL, method="mean")
    return 100 * est.estimate, 100 * _half_width(est.ci_lower, est.ci_upper), int(est.n)


def csat_margin(ctx: Context) -> tuple[float, float, int] | None:
    """CSAT overall (percent), its margin of error and n, from :func:`csi.metrics.csat`
    as the metrics section computes it (None when not available or suppressed)."""
    col = ctx.csat_column
    if col is None or "metrics" in ctx.failed_sections:
        return None
    try:
        row = _records(
            csat(
                ctx.survey,
                col,
                scale=ctx.item_scale(col),
                top=ctx.csat_top,
                min_size=ctx.min_size,
                weights=None if ctx.weighted else False,
            )
        )[0]
    except (CsiInputError, KeyError):
        return None  # the metrics section says why
    if bool(row["suppressed"]):
        return None
    return float(row["csat"]), _half_width(row["ci_lower"], row["ci_upper"]), int(row["n"])


def _margin_blocks(
    ctx: Context, index: float, groups: pd.DataFrame | None, nps_row: dict[str, Any] | None
) -> list[Block]:
    """Each headline figure with its margin of error and n, in words, and how the
    margins were found."""
    level = MARGIN_LEVEL
    lines: list[str] = []
    index_method = ""
    im = index_margin(ctx)
    if im is not None:
        moe, n, index_method = im
        target = ctx.name(ctx.target)
        lines.append(ctx.t("m_index", target=target, value=index, moe=moe, level=level, n=n))
    share_method = ctx.t("m_share_design" if ctx.weighted else "m_share_wilson")
    sm = satisfied_margin(ctx) if groups is not None else None
    if sm is not None:
        what = ctx.t("m_satisfied")
        lines.append(ctx.t("m_share", what=what, value=sm[0], moe=sm[1], level=level, n=sm[2]))
    if nps_row is not None:
        moe = _half_width(nps_row["ci_lower"], nps_row["ci_upper"])
        lines.append(
            ctx.t("m_nps", value=nps_row["nps"], moe=moe, level=level, n=int(nps_row["n"]))
        )
    cm = csat_margin(ctx)
    if cm is not None:
        what = ctx.t("m_csat", top=ctx.csat_top, column=ctx.csat_column)
        lines.append(ctx.t("m_share", what=what, value=cm[0], moe=cm[1], level=level, n=cm[2]))
    if not lines:
        return []
    note = ctx.t(
        "m_note",
        index_method=index_method or "-",
        share_method=share_method,
        nps_method=ctx.t("m_nps_design") if ctx.weighted else "",
    )
    return [Bullets(ctx.t("m_title"), tuple(lines)), Text(note, note=True)]


# ---------------------------------------------------------------------------- parts
def _index_interval(ctx: Context) -> tuple[float, float] | None:
    """The bootstrap interval of the target's overall index (None without a bootstrap)."""
    rows = ctx.boot_rows("index")
    if rows is None:
        return None
    mine = rows[(rows["segment"].astype(str) == "") & (rows["construct"] == ctx.target)]
    if not len(mine):
        return None
    lo, hi = float(mine["ci_lower"].iloc[0]), float(mine["ci_upper"].iloc[0])
    return (lo, hi) if np.isfinite(lo) and np.isfinite(hi) else None


def target_scores(ctx: Context) -> pd.Series | None:
    """Each respondent's 0-100 score of the target construct (None without scores)."""
    if ctx.result.scores is None:
        return None
    return ctx.result.respondent_index()[ctx.target]


def _period_change(ctx: Context) -> tuple[dict[str, Any], str] | None:
    """``compare_periods`` of the target score: the last period against the one before."""
    scores = target_scores(ctx)
    if ctx.period is None or scores is None:
        return None
    periods = ctx.survey.all_responses().loc[scores.index, ctx.period]
    values = list(pd.unique(periods.dropna()))
    if len(values) < 2:
        return None
    try:
        values = sorted(values)
    except TypeError:
        values = sorted(values, key=str)
    current, previous = values[-1], values[-2]
    frame = pd.DataFrame({"score": scores.to_numpy(), "period": periods.to_numpy()})
    try:
        out = compare_periods(
            frame,
            "score",
            period="period",
            current=current,
            previous=previous,
            min_size=ctx.min_size,
            lang=ctx.lang,
            weights=ctx.score_design(scores.index),
        )
    except CsiInputError as exc:
        log.warning("period comparison left out of the summary: %s", exc)
        return None
    row = _records(out)[0]
    if bool(row["suppressed"]) or not np.isfinite(row["difference"]):
        return None
    return row, str(previous)


def _level_groups(ctx: Context) -> pd.DataFrame | None:
    scores = target_scores(ctx)
    if scores is None or not scores.notna().any():
        return None
    if ((scores < 0) | (scores > 100)).any():  # negative weights: the levels section says so
        return None
    weights = ctx.score_weights(scores.index)
    return level_groups(scores, lang=ctx.lang, weights=weights).set_index("group")


def _nps(ctx: Context) -> dict[str, Any] | None:
    """The overall NPS row (None when the column is absent, unusable or too small)."""
    if ctx.recommend is None or "metrics" in ctx.failed_sections:
        return None
    try:
        wopt = None if ctx.weighted else False
        row = _records(nps(ctx.survey, ctx.recommend, min_size=ctx.min_size, weights=wopt))[0]
    except CsiInputError:
        return None  # the metrics section says why
    return None if bool(row["suppressed"]) else row


def segment_comparison(ctx: Context) -> pd.DataFrame | None:
    """Each segment against the rest: ``compare_segments`` of the target score (Welch t
    test, Holm-adjusted), with ``segment`` as text (None without a segment)."""
    scores = target_scores(ctx)
    if ctx.segment is None or scores is None:
        return None
    labels = ctx.survey.all_responses().loc[scores.index, ctx.segment]
    frame = pd.DataFrame({"score": scores.to_numpy(), "segment": labels.to_numpy()})
    try:
        out = compare_segments(
            frame,
            "score",
            by="segment",
            correction="holm",
            min_size=ctx.min_size,
            weights=ctx.score_design(scores.index),
        )
    except CsiInputError as exc:
        log.warning("segment comparison left out of the summary: %s", exc)
        return None
    out["segment"] = out["segment"].astype(str)
    return out


def _segments_line(ctx: Context, target: str) -> str:
    comp = segment_comparison(ctx)
    if comp is None or not len(comp):
        return ""
    small = comp[comp["suppressed"].astype(bool)]
    shown = comp[~comp["suppressed"].astype(bool)]
    significant = shown[shown["significant"].astype(bool)]
    below = significant[significant["difference"] < 0].sort_values("difference")
    above = significant[significant["difference"] > 0].sort_values("difference", ascending=False)
    sep = ctx.t("sep_items")
    test = ctx.t("g_test_design_t" if ctx.weighted else "g_test_welch_t")
    words = {"segment": ctx.segment, "target": target, "test": test}
    if len(below):
        parts = [
            ctx.t(
                "g_segment_item",
                segment=r["segment"],
                value=r["value"],
                diff=-r["difference"],
                lo=-r["ci_upper"],
                hi=-r["ci_lower"],
            )
            for r in _records(below)
        ]
        line = ctx.t("g_segments_below", items=sep.join(parts), **words)
    elif len(above):
        line = ctx.t("g_segments_above_only", **words)
    else:
        line = ctx.t("g_segments_none", **words)
    if len(above):
        parts = [
            ctx.t("g_segment_above", segment=r["segment"], value=r["value"], diff=r["difference"])
            for r in _records(above)
        ]
        line += ctx.t("g_segments_above", items=sep.join(parts))
    if len(small):
        # counted, never named: the summary is read out of context
        line += ctx.t("g_segments_small", min_size=ctx.min_size, k=len(small))
    return line


def _priorities(ctx: Context, target: str) -> tuple[tuple[str, ...], bool]:
    """The first indicators of ``ipma_priorities`` (constructs if there is no indicator)
    as sentences, and whether the first is in the high-importance, low-performance
    quadrant."""
    table = ctx.priorities()
    rows = table[table["kind"] == "indicator"]
    if not len(rows):
        rows = table
    rows = rows.head(N_PRIORITIES)
    weak_spot = bool(len(rows)) and rows["quadrant"].iloc[0] == "high_importance_low_performance"
    out = []
    for r in _records(rows):
        name = str(r["name"])
        if r["kind"] == "indicator":
            label = ctx.item_label(name) or name
            what = ctx.t("g_item", label=label, item=name, construct=ctx.name(r["construct"]))
        else:
            what = ctx.name(name)
        out.append(
            ctx.t(
                "g_priority",
                what=what,
                quadrant=ctx.t(QUADRANT_TEXT[r["quadrant"]]),
                performance=r["performance"],
                importance=r["importance"],
                target=target,
            )
        )
    return tuple(out), weak_spot


def _quality_line(ctx: Context) -> str:
    """One line from the diagnostics of ``quality()`` (PLS and, if fitted, CB-SEM)."""
    reports = []
    for which in ("pls", "sem"):
        try:
            q = ctx.quality(which)
        except (Unavailable, Exception) as exc:  # the quality section says why
            if which == "pls":
                log.info("no quality line in the summary: %s", one_line(exc))
                return ""
            continue  # not fitted (Unavailable) or failed: the quality section says why
        reports.append(q)
    diagnostics = [d for q in reports for d in q.diagnostics]
    problems = sum(d.severity in ("warning", "error") for d in diagnostics)
    notes = len(diagnostics) - problems
    section = ctx.t("quality")
    if problems:
        warnings = ctx.t("g_warning_1" if problems == 1 else "g_warning_n")
        return ctx.t("g_quality_problems", k=problems, warnings=warnings, section=section)
    if notes:
        words = ctx.t("g_note_1" if notes == 1 else "g_note_n")
        return ctx.t("g_quality_notes", k=notes, notes=words, section=section)
    return ctx.t("g_quality_ok")
