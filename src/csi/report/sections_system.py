"""The indicator system (weights and scores), seven-level reading and fuzzy
comprehensive evaluation sections.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from csi._checks import CsiInputError
from csi.disclosure import complementary
from csi.fuzzy import fuzzy_evaluation, membership_matrix
from csi.plots.levels import level_distribution_plot
from csi.plots.weights import hierarchy_plot, weights_plot
from csi.report import adapters
from csi.report.adapters import Unavailable
from csi.report.context import Context, one_line
from csi.report.document import Block, Section, Text
from csi.report.labels import method_text
from csi.report.privacy import mark_suppressed
from csi.report.sections_metrics import satisfied_measures
from csi.scales import SEVEN_LEVELS, level_distribution

log = logging.getLogger(__name__)


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
        *([Text(satisfied_measures(ctx), note=True)] if ctx.csat_column is not None else []),
        ctx.table(
            "levels", ctx.t("t_levels", construct=name), _level_share_table(dist, ctx), digits=1
        ),
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
    flag = ctx.t("flag_paren", flag=ctx.t("ambiguous")) if ev.ambiguous else ""
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
