"""The service metrics section: NPS and CSAT, overall and per segment."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from csi._checks import CsiInputError
from csi.metrics import csat, nps
from csi.metrics.scores import CSAT_FIGURES, NPS_FIGURES
from csi.plots.nps import nps_plot
from csi.report.context import Context, one_line
from csi.report.document import Block, Section, Table, Text
from csi.report.privacy import mark_suppressed

log = logging.getLogger(__name__)


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
        scale = ctx.item_scale(ccol)
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
        blocks.append(Text(satisfied_measures(ctx), note=True))
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


def satisfied_measures(ctx: Context) -> str:
    """What "satisfied (levels 5-7)" and CSAT each measure (they differ by design)."""
    return ctx.t(
        "satisfied_vs_csat",
        target=ctx.name(ctx.target),
        top=ctx.csat_top,
        column=ctx.csat_column,
    )


def _nps_figure(ctx: Context, by: pd.DataFrame, segment: str) -> Block:
    """Detractors, passives and promoters per segment; suppressed segments left out."""
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
