"""The satisfaction indices and the impacts and priorities for improvement sections."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from csi.disclosure import complementary
from csi.metrics import adjust_pvalues, compare_segments, t_interval
from csi.plots.drivers import impact_plot
from csi.plots.index import index_plot, trend_plot
from csi.plots.ipma import ipma_plot
from csi.report.context import Context
from csi.report.document import Block, Section, Table, Text
from csi.report.privacy import mark_suppressed


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
        ctx.boot_note(),
    ]
    blocks += [Text(n, note=True) for n in ctx.notes_index]
    if ctx.figures:
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
            _segment_interval_table(long, col, ctx)
        blocks += _segment_comparison_blocks(col, ctx)
        if with_ci and ctx.pairs:
            _segment_pairs_table(long, col, ctx)
    if ctx.segment is None:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_segment")), note=True))
    return Section("index", ctx.t("index"), tuple(blocks))


def _segment_interval_table(long: pd.DataFrame, col: str, ctx: Context) -> None:
    """The segment indices with their bootstrap intervals (appendix)."""
    level = float(getattr(ctx.boot, "level", 0.95))
    ci = long.loc[:, ["segment", "n", "construct", "index", "ci_lower", "ci_upper"]].copy()
    ci["construct"] = ctx.names(ci["construct"])
    ci = mark_suppressed(
        ci, min_size=ctx.min_size, lang=ctx.lang, figures=["index", "ci_lower", "ci_upper"]
    )
    table = ctx.table(
        "index_segment_ci",
        ctx.t("t_index_segment_ci", segment=col, level=level),
        ci,
        digits=1,
        note=ctx.t("suppression_note", min_size=ctx.min_size),
    )
    ctx.to_appendix("index_segment_ci", *_page_or_workbook(table, col, ctx))


#: Most segments whose segment-by-construct tables (intervals, comparisons with the
#: rest) the HTML shows; with more they are in the workbook only, and a line says so.
MAX_HTML_SEGMENTS = 50


def _page_or_workbook(table: Table, col: str, ctx: Context) -> list[Block]:
    """``table`` (one row per segment and construct) as it is, or, for more than
    :data:`MAX_HTML_SEGMENTS` segments, in the workbook only with a line in its place."""
    k = ctx.segment_count(col)
    if k <= MAX_HTML_SEGMENTS:
        return [table]
    line = ctx.t("table_in_workbook", title=table.title, rows=len(table.frame), k=k)
    return [replace(table, workbook_only=True), Text(line, note=True)]


#: Columns of the segment-against-the-rest table, in order.
VS_REST_COLUMNS = (
    "construct",
    "segment",
    "n",
    "value",
    "n_reference",
    "value_reference",
    "difference",
    "se",
    "ci_lower",
    "ci_upper",
    "pvalue",
    "p_adjusted",
    "suppressed",
)


def segment_vs_rest(ctx: Context, col: str, level: float = 0.95) -> pd.DataFrame | None:
    """Each segment of ``col`` against the rest of the respondents, per construct.

    For construct j and segment g: the index of g (mean 0-100 respondent score, weighted
    when the report is) minus that of every other respondent, with Welch's t test
    (design-based t when weighted) by :func:`csi.metrics.compare_segments`; p-values
    Holm-adjusted over the segments of each construct (Holm 1979). G rows per construct:
    linear in the number of segments. None without respondent scores.
    """
    if ctx.result.scores is None:
        return None
    scores = ctx.result.respondent_index()
    labels = ctx.survey.all_responses().loc[scores.index, col].to_numpy()
    design = ctx.score_design(scores.index)
    parts = []
    for construct in scores.columns:
        frame = pd.DataFrame({"score": scores[construct].to_numpy(), "segment": labels})
        out = compare_segments(
            frame,
            "score",
            by="segment",
            level=level,
            correction="holm",
            min_size=ctx.min_size,
            weights=design,
        )
        out.insert(0, "construct", construct)
        parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    table["segment"] = table["segment"].astype(str)
    return table.loc[:, list(VS_REST_COLUMNS)]


def _segment_comparison_blocks(col: str, ctx: Context) -> list[Block]:
    """Each segment against the rest (:func:`segment_vs_rest`): the full table in the
    appendix, the significant differences in the body (or a line saying there are none)."""
    level = float(getattr(ctx.boot, "level", 0.95))
    alpha = 1 - level
    table = segment_vs_rest(ctx, col, level)
    if table is None:
        return []
    table = mark_suppressed(
        table,
        min_size=ctx.min_size,
        lang=ctx.lang,
        figures=[c for c in VS_REST_COLUMNS[3:] if c not in ("n_reference", "suppressed")],
        flag="suppressed",
    )
    significant = table[table["p_adjusted"] < alpha].drop(columns="note")
    # model order of the constructs; within one, from the lowest difference to the highest
    rank = {c: k for k, c in enumerate(dict.fromkeys(table["construct"]))}
    order = np.lexsort((significant["difference"], significant["construct"].map(rank)))
    significant = significant.iloc[order]
    table["construct"] = ctx.names(table["construct"])
    significant["construct"] = ctx.names(significant["construct"])
    note = ctx.t("vs_rest_note", segment=col, test=ctx.t(_test_key(ctx)))
    full = ctx.table(
        "index_vs_rest",
        ctx.t("t_index_vs_rest", segment=col),
        table.rename(columns={"value": "index", "value_reference": "index_rest"}),
        digits=3,
        note=note + " " + ctx.t("suppression_note", min_size=ctx.min_size),
    )
    ctx.to_appendix("index_vs_rest", *_page_or_workbook(full, col, ctx))
    if not len(significant):
        return [Text(ctx.t("vs_rest_none", segment=col, alpha=alpha))]
    return [
        ctx.table(
            "index_vs_rest_significant",
            ctx.t("t_index_vs_rest_significant", segment=col, alpha=alpha),
            significant.rename(columns={"value": "index", "value_reference": "index_rest"}),
            digits=3,
            note=note,
        )
    ]


def _test_key(ctx: Context) -> str:
    return "g_test_design_t" if ctx.weighted else "g_test_welch_t"


def _segment_pairs_table(long: pd.DataFrame, col: str, ctx: Context) -> None:
    """Every pair of segments (bootstrap differences; asked for with ``pairs=True``): a
    workbook-only table, G(G-1)/2 rows per construct, too long for a page."""
    level = float(getattr(ctx.boot, "level", 0.95))
    diff = ctx.boot_rows("index_difference")
    if diff is None:
        return
    sizes = long.groupby("segment", sort=False)["n"].first()
    small = {str(s) for s, n in sizes.items() if n < ctx.min_size}
    names = [str(s) for s in sizes.index]
    hidden = {f"{a} - {b}" for a in small for b in names}
    hidden |= {f"{b} - {a}" for a in small for b in names}
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
    table["construct"] = ctx.names(table["construct"])
    ctx.to_appendix(
        "index_differences",
        replace(
            ctx.table(
                "index_differences",
                ctx.t("t_index_differences", segment=col),
                table,
                digits=3,
                note=ctx.t("differences_note") + " " + ctx.t("pairs_workbook_note", level=level),
            ),
            workbook_only=True,
        ),
    )


def _with_adjusted_pvalues(table: pd.DataFrame) -> pd.DataFrame:
    """``p_adjusted`` after ``pvalue``: Holm (:func:`csi.metrics.adjust_pvalues`) over the
    comparisons of each construct; blank (NaN) where the p-value is blank (suppressed)."""
    out = table.copy()
    p = pd.to_numeric(out["pvalue"], errors="coerce").to_numpy(dtype=float)
    adjusted = adjust_pvalues(p, method="holm", families=out["construct"].to_numpy())
    out.insert(list(out.columns).index("pvalue") + 1, "p_adjusted", adjusted)
    return out


def _segment_figure(long: pd.DataFrame, col: str, ctx: Context) -> Block:
    """Bars of the index per segment (suppressed segments left out), with intervals."""
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
    ]
    if ctx.figures and len(drivers):
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
