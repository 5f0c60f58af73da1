"""The data summary section: respondents, exclusions and their reasons, weighting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.report.context import Context
from csi.report.document import Block, Section, Table, Text
from csi.report.excel import sheet_title
from csi.report.labels import missing_text, reason_text
from csi.report.privacy import mark_suppressed


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
