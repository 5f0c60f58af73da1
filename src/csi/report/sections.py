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
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi.report import adapters
from csi.report.adapters import Unavailable
from csi.report.document import Block, Figure, Section, Table, Text
from csi.report.labels import header, text
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
    boot: Any = None
    boot_reason: str = ""
    fitted_system: Any = None
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ helpers
    def t(self, key: str, **fmt: Any) -> str:
        return text(key, self.lang, **fmt)

    def name(self, construct: str) -> str:
        """Display name of a construct (codebook label in the report language)."""
        cb = self.survey.codebook
        if construct in cb.constructs:
            return str(cb.label(construct, self.lang))
        return construct

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

    def figure(self, key: str, title: str, draw: Callable[[], Any], note: str = "") -> Block:
        """Render ``draw()`` (a matplotlib Figure from :mod:`csi.plots`) to PNG bytes."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. no CJK font: the figure still draws
                fig = draw()
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        except Exception as exc:  # a figure must never cost the report
            log.warning("figure %s not drawn: %s", key, exc)
            return Text(self.t("figure_failed", error=_one_line(exc)), note=True)
        return Figure(key, title, buf.getvalue(), note=note)


def _reason_keys() -> set[str]:
    from csi.report.labels import TEXT

    return set(TEXT["en"])


def _one_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0]}" if msg else type(exc).__name__


# ---------------------------------------------------------------------------- summary
def summary_section(ctx: Context) -> Section:
    rep = ctx.survey.report
    items = rep.items
    res = ctx.result
    rows = [
        ("r_read", rep.n_input),
        ("r_kept", rep.n_kept),
        ("r_excluded", rep.n_excluded),
        ("r_with_missing", rep.n_affected),
        ("r_codes", int(items["set_missing"].sum())),
        ("r_blank", int(items["blank"].sum())),
        ("r_oos", int(items["out_of_scale"].sum())),
        ("r_recoded", int(items["recoded"].sum())),
        ("r_replaced", int(items["replaced"].sum())),
        ("r_missing_method", rep.missing),
        ("r_used", res.n),
    ]
    frame = pd.DataFrame({"measure": [ctx.t(k) for k, _ in rows], "value": [v for _, v in rows]})
    frame["value"] = frame["value"].astype(object)
    blocks: list[Block] = [ctx.table("respondents", ctx.t("t_respondents"), frame, digits=0)]
    excluded = rep.excluded
    if len(excluded):
        reasons = excluded["reason"].astype(str).value_counts(sort=True)
        if ctx.lang == "zh":
            reasons.index = [r.replace("missing ", "缺失 ") for r in reasons.index]
        blocks.append(
            ctx.table(
                "exclusion_reasons",
                ctx.t("t_reasons"),
                pd.DataFrame({"reason": reasons.index, "count": reasons.to_numpy()}),
                digits=0,
            )
        )
    else:
        blocks.append(Text(ctx.t("excluded_none")))
    cols = ["item", "construct", "n_answers", "blank", "set_missing", "out_of_scale"]
    cols += ["recoded", "replaced", "n_missing"]
    item_frame = items.loc[:, [c for c in cols if c in items.columns]].copy()
    item_frame.insert(1, "label", [ctx.item_label(i) for i in item_frame["item"]])
    item_frame["construct"] = [ctx.name(c) if c else "" for c in item_frame["construct"].fillna("")]
    blocks.append(ctx.table("cleaning_items", ctx.t("t_items"), item_frame, digits=0))
    for col in (ctx.segment, ctx.period):
        if col is None:
            continue
        counts = ctx.survey.data[col].value_counts(dropna=False, sort=False).sort_index()
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
    return Section(
        "model",
        ctx.t("model"),
        (
            Text(note),
            ctx.table("measurement_model", ctx.t("t_measurement"), frame),
            ctx.table("structural_paths", ctx.t("t_structural"), paths),
        ),
    )


# ---------------------------------------------------------------------------- quality
def quality_section(ctx: Context) -> Section:
    try:
        q = adapters.quality(ctx.result)
    except Unavailable as exc:
        return ctx.unavailable("quality", str(exc))
    blocks: list[Block] = []
    for name, frame in adapters.frames_of(q):
        shown = frame.copy()
        for col in ("construct", "source", "target"):
            if col in shown.columns:
                shown[col] = shown[col].map(lambda c: ctx.name(str(c)))
        blocks.append(ctx.table(f"quality_{name}", name.replace("_", " "), shown))
    summary = getattr(q, "summary", None)
    if not blocks and callable(summary):
        blocks.append(Text(str(summary())))
    if not blocks:
        return ctx.unavailable("quality", "no_quality")
    return Section("quality", ctx.t("quality"), tuple(blocks))


# ---------------------------------------------------------------------------- paths
def paths_section(ctx: Context) -> Section:
    res = ctx.result
    blocks: list[Block] = [Text(n, note=True) for n in ctx.notes]
    if ctx.figures:
        from csi.plots import path_diagram

        blocks.append(
            ctx.figure("path_diagram", ctx.t("f_path"), lambda: path_diagram(res, lang=ctx.lang))
        )
    paths = res.path_coefficients.copy()
    paths["source"] = paths["source"].map(ctx.name)
    paths["target"] = paths["target"].map(ctx.name)
    blocks.append(ctx.table("path_coefficients", ctx.t("t_paths"), paths))
    r2 = res.r2.copy()
    r2["construct"] = r2["construct"].map(ctx.name)
    blocks.append(ctx.table("r2", ctx.t("t_r2"), r2))
    outer = res.outer_weights.rename(columns={"estimate": "weight"})
    outer["loading"] = res.loadings["estimate"].to_numpy()
    outer.insert(2, "label", [ctx.item_label(i) for i in outer["indicator"]])
    outer["construct"] = outer["construct"].map(ctx.name)
    blocks.append(ctx.table("outer_model", ctx.t("t_outer"), outer))
    if ctx.boot is not None:
        for name, frame in adapters.frames_of(ctx.boot):
            blocks.append(
                ctx.table(
                    f"bootstrap_{name}",
                    ctx.t("t_bootstrap", n=ctx.n_boot, what=name.replace("_", " ")),
                    frame,
                )
            )
    if ctx.sem:
        blocks += sem_blocks(ctx)
    else:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("sem_off")), note=True))
    return Section("paths", ctx.t("paths"), tuple(blocks))


def sem_blocks(ctx: Context) -> list[Block]:
    ctx.progress("fitting the covariance-based SEM")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sem = adapters.fit_sem(ctx.survey.data, ctx.spec)
    except Unavailable as exc:
        return [Text(ctx.t("not_available", reason=ctx.t(str(exc))), note=True)]
    except Exception as exc:  # CB-SEM may fail where PLS works (e.g. a singular matrix)
        log.warning("CB-SEM fit failed: %s", exc)
        return [
            Text(
                ctx.t("not_available", reason=ctx.t("sem_failed", error=_one_line(exc))),
                note=True,
            )
        ]
    fit = sem.fit_indices
    keep = [
        k
        for k in (
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
        if k in fit.index
    ]
    fit_frame = pd.DataFrame({"statistic": keep, "value": fit.loc[keep].to_numpy(dtype=float)})
    est = sem.estimates
    rows = est[est["op"] == "~"]
    cols = [
        c for c in ("lhs", "op", "rhs", "estimate", "se", "z", "pvalue", "std_all") if c in rows
    ]
    structural = rows.loc[:, cols].copy()
    structural["lhs"] = structural["lhs"].map(ctx.name)
    structural["rhs"] = structural["rhs"].map(ctx.name)
    return [
        ctx.table("sem_fit", ctx.t("t_sem_fit"), fit_frame),
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
    res = ctx.result
    idx = res.index()
    frame = pd.DataFrame({"construct": list(idx.index), "index": idx.to_numpy()})
    intervals = adapters.index_intervals(ctx.boot) if ctx.boot is not None else None
    if intervals is not None:
        frame = frame.merge(intervals, on="construct", how="left")
        ci_note = ctx.t("intervals_bootstrap", n=ctx.n_boot, seed=ctx.seed, level=0.95)
    else:
        reason = ctx.boot_reason or ctx.t("no_bootstrap")
        ci_note = ctx.t("intervals_missing", reason=reason)
    plot_frame = frame.copy()
    frame["construct"] = frame["construct"].map(ctx.name)
    blocks: list[Block] = [
        ctx.table("index", ctx.t("t_index"), frame, digits=1, note=ctx.t("index_note")),
        Text(ci_note, note=True),
    ]
    if ctx.figures:
        from csi.plots import index_plot

        blocks.append(
            ctx.figure("index", ctx.t("f_index"), lambda: index_plot(plot_frame, lang=ctx.lang))
        )
    if res.scores is None:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_scores")), note=True))
        return Section("index", ctx.t("index"), tuple(blocks))
    for col, key, title in (
        (ctx.segment, "index_segment", "t_index_segment"),
        (ctx.period, "index_period", "t_index_period"),
    ):
        if col is None:
            continue
        long = res.index_by(col)
        wide = _wide_by_segment(long, ctx)
        blocks.append(
            ctx.table(
                f"{key}",
                ctx.t(title, segment=col),
                wide,
                digits=1,
                note=ctx.t("segment_index_note")
                + " "
                + ctx.t("suppression_note", min_size=ctx.min_size),
            )
        )
        if ctx.figures and col == ctx.segment:
            big = long[long["n"] >= ctx.min_size].copy()
            big[col] = big["segment"].astype(str)
            from csi.plots import index_plot

            shown = big.loc[:, [col, "construct", "index"]]
            shown["construct"] = shown["construct"].map(ctx.name)

            def draw(shown: pd.DataFrame = shown, col: str = col) -> Any:
                return index_plot(shown, by=col, lang=ctx.lang)

            blocks.append(
                ctx.figure(
                    "index_segment",
                    ctx.t("f_index_segment"),
                    draw,
                    note=ctx.t("suppression_note", min_size=ctx.min_size),
                )
            )
    if ctx.segment is None:
        blocks.append(Text(ctx.t("not_available", reason=ctx.t("no_segment")), note=True))
    return Section("index", ctx.t("index"), tuple(blocks))


# ---------------------------------------------------------------------------- impacts
QUADRANTS = ("quad_hi_lo", "quad_hi_hi", "quad_lo_lo", "quad_lo_hi")


def impacts_section(ctx: Context) -> Section:
    res = ctx.result
    impacts = res.impacts(points=5)
    impacts["source"] = impacts["source"].map(ctx.name)
    impacts["target"] = impacts["target"].map(ctx.name)
    blocks: list[Block] = [ctx.table("impacts", ctx.t("t_impacts", points=5), impacts)]
    ipma = res.ipma(ctx.target)
    ordered = []
    for kind, part in ipma.groupby("kind", sort=False):
        part = part.copy()
        hi_imp = part["importance"] >= part["importance"].mean()
        hi_perf = part["performance"] >= part["performance"].mean()
        quad = np.select(
            [hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf], [0, 1, 2], default=3
        )
        part["_q"] = quad
        part = part.sort_values(["_q", "importance"], ascending=[True, False], kind="stable")
        part["priority"] = np.arange(1, len(part) + 1)
        part["quadrant"] = [ctx.t(QUADRANTS[q]) for q in part["_q"]]
        part["kind"] = ctx.t(f"kind_{kind}")
        ordered.append(part.drop(columns="_q"))
    table = pd.concat(ordered, ignore_index=True)
    table.insert(
        2,
        "label",
        [
            ctx.item_label(n) if k == ctx.t("kind_indicator") else ""
            for k, n in zip(table["kind"], table["name"], strict=True)
        ],
    )
    table["name"] = [
        ctx.name(n) if k == ctx.t("kind_construct") else n
        for k, n in zip(table["kind"], table["name"], strict=True)
    ]
    table["construct"] = table["construct"].map(ctx.name)
    table = table.rename(columns={"name": "driver"})
    cols = ["priority", "kind", "driver", "label", "construct", "importance", "performance"]
    table = table.loc[:, [*cols, "quadrant"]]
    blocks.append(
        ctx.table(
            "priorities",
            ctx.t("t_ipma", target=ctx.name(ctx.target)),
            table,
            note=ctx.t("ipma_note", target=ctx.name(ctx.target)),
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
                lambda: ipma_plot(frame, target=ctx.name(ctx.target), lang=ctx.lang),
            )
        )
    return Section("impacts", ctx.t("impacts"), tuple(blocks))


# ---------------------------------------------------------------------------- system
def system_section(ctx: Context) -> Section:
    ctx.progress("weighting and scoring the indicator system")
    try:
        system = adapters.load_system(ctx.system)
    except Unavailable as exc:
        return ctx.unavailable("system", str(exc), path=ctx.system)
    data = ctx.survey.public_data()
    fitted = system.fit(data, pls_weights=ctx.result.outer_weights)
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
            "method": frame["method"].to_numpy(),
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
    scores = fitted.score(data, by=ctx.segment, lang=ctx.lang)
    overall = scores.overall.loc[:, ["name", "depth", "score", "level", "label", "n"]]
    overall = overall.rename(columns={"name": "indicator"})
    blocks.append(ctx.table("system_scores", ctx.t("t_system_scores"), overall, digits=1))
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
    dist = level_distribution(scores, lang=ctx.lang)
    name = ctx.name(ctx.target)
    blocks: list[Block] = [
        Text(ctx.t("levels_note", construct=name)),
        ctx.table(
            "levels", ctx.t("t_levels", construct=name), _level_share_table(dist, ctx), digits=1
        ),
    ]
    groups: list[pd.DataFrame] = [dist.assign(group=ctx.t("all"))]
    if ctx.segment is not None:
        labels = _segment_labels(ctx, scores.index)
        rows = []
        for value, part in scores.groupby(labels, dropna=False, sort=True):
            d = level_distribution(part, lang=ctx.lang)
            row: dict[str, Any] = {"segment": str(value), "n": int(part.notna().sum())}
            row.update({lab: 100 * s for lab, s in zip(d["label"], d["share"], strict=True)})
            rows.append(row)
            if row["n"] >= ctx.min_size:
                groups.append(d.assign(group=str(value)))
        wide = pd.DataFrame(rows)
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

        all_groups = pd.concat(groups, ignore_index=True)
        blocks.append(
            ctx.figure(
                "levels",
                ctx.t("f_levels"),
                lambda: level_distribution_plot(all_groups, by="group", lang=ctx.lang),
            )
        )
    return Section("levels", ctx.t("levels"), tuple(blocks))


def _segment_labels(ctx: Context, rows: pd.Index) -> pd.Series:
    """The segment of each respondent used by the model (rows of the PLS scores)."""
    data = ctx.survey.data
    assert ctx.segment is not None
    return pd.Series(data.loc[rows, ctx.segment].to_numpy(), index=rows, name=ctx.segment)


# ---------------------------------------------------------------------------- fuzzy
def _fuzzy_row(name: str, ev: Any, ctx: Context) -> dict[str, Any]:
    row: dict[str, Any] = {"indicator": name}
    row.update({str(k): 100 * float(v) for k, v in ev.membership.items()})
    row["max_membership"] = ev.label + (f" ({ctx.t('ambiguous')})" if ev.ambiguous else "")
    row["level_score"] = ev.score
    row["score_label"] = ev.score_label
    return row


def fuzzy_section(ctx: Context) -> Section:
    if not ctx.fuzzy:
        return ctx.unavailable("fuzzy", "no_fuzzy")
    from csi.fuzzy import fuzzy_evaluation, membership_matrix

    blocks: list[Block] = [Text(ctx.t("fuzzy_note"))]
    fitted = ctx.fitted_system
    if fitted is not None:
        results = fitted.fuzzy(ctx.survey.public_data(), lang=ctx.lang)
        frame = fitted.to_frame(lang=ctx.lang)
        names = dict(zip(frame["node"], frame["name"], strict=True))
        root = fitted.system.root
        names[root.id] = root.name(ctx.lang)
        order = [root.id] + [n for n in frame["node"] if n in results]
        rows = [_fuzzy_row(names[n], results[n], ctx) for n in dict.fromkeys(order)]
        blocks.append(
            ctx.table("fuzzy_system", ctx.t("t_fuzzy_system"), pd.DataFrame(rows), digits=1)
        )
        notes = [t for r in results.values() for t in r.notes]
        blocks += [Text(t, note=True) for t in dict.fromkeys(notes)]
    cb = ctx.survey.codebook
    items = list(ctx.spec.indicators[ctx.target])
    weights = ctx.result.rescaled_weights()
    w = weights.set_index("indicator")["weight"].loc[items]
    scales = {i: (cb.item(i).min, cb.item(i).max) for i in items}
    membership = membership_matrix(ctx.survey.data, items, scales=scales, lang=ctx.lang)
    ev = fuzzy_evaluation(w, membership, lang=ctx.lang)
    mem = membership.mul(100).reset_index()
    mem.insert(1, "label", [ctx.item_label(i) for i in mem["indicator"]])
    mem.insert(2, "weight", w.to_numpy())
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
    blocks += [Text(t, note=True) for t in ev.notes]
    return Section("fuzzy", ctx.t("fuzzy"), tuple(blocks))


# ---------------------------------------------------------------------------- metrics
def metrics_section(ctx: Context) -> Section:
    """NPS and CSAT; a column the metrics cannot use is noted, never fatal to the report."""
    from csi._checks import CsiInputError

    try:
        return _metrics_section(ctx)
    except CsiInputError as exc:
        log.warning("service metrics left out: %s", exc)
        return ctx.unavailable("metrics", _one_line(exc))


def _metrics_section(ctx: Context) -> Section:
    from csi.metrics import csat, nps

    data = ctx.survey.public_data()
    blocks: list[Block] = []
    nps_figures = [
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "nps",
        "se",
        "ci_lower",
        "ci_upper",
    ]
    col = ctx.recommend
    if col is not None and col in data.columns:
        overall = nps(data, col, min_size=ctx.min_size)
        overall = mark_suppressed(
            overall, min_size=ctx.min_size, lang=ctx.lang, figures=nps_figures, flag="suppressed"
        )
        blocks.append(
            ctx.table("nps", ctx.t("t_nps", column=col), overall, digits=1, note=ctx.t("nps_note"))
        )
        if ctx.segment is not None:
            by = nps(data, col, by=ctx.segment, min_size=ctx.min_size)
            by = by.rename(columns={ctx.segment: "segment"})
            by["segment"] = by["segment"].astype(str)
            by = mark_suppressed(
                by, min_size=ctx.min_size, lang=ctx.lang, figures=nps_figures, flag="suppressed"
            )
            blocks.append(
                ctx.table(
                    "nps_segment",
                    ctx.t("t_nps_segment", segment=ctx.segment),
                    by,
                    digits=1,
                    note=ctx.t("suppression_note", min_size=ctx.min_size),
                )
            )
    else:
        blocks.append(
            Text(ctx.t("not_available", reason=ctx.t("no_metric_column", column=col)), note=True)
        )
    ccol = ctx.csat_column
    if ccol is not None and ccol in data.columns:
        info = ctx.survey.codebook.item(ccol)
        scale = (info.min, info.max)
        figs = ["satisfied", "csat", "ci_lower", "ci_upper"]
        overall = csat(data, ccol, scale=scale, top=ctx.csat_top, min_size=ctx.min_size)
        overall = mark_suppressed(
            overall, min_size=ctx.min_size, lang=ctx.lang, figures=figs, flag="suppressed"
        )
        title = ctx.t("t_csat", top=ctx.csat_top, column=ccol)
        blocks.append(ctx.table("csat", title, overall, digits=1, note=ctx.t("csat_note")))
        if ctx.segment is not None:
            by = csat(
                data, ccol, scale=scale, top=ctx.csat_top, by=ctx.segment, min_size=ctx.min_size
            )
            by = by.rename(columns={ctx.segment: "segment"})
            by["segment"] = by["segment"].astype(str)
            by = mark_suppressed(
                by, min_size=ctx.min_size, lang=ctx.lang, figures=figs, flag="suppressed"
            )
            blocks.append(
                ctx.table(
                    "csat_segment",
                    ctx.t("t_csat_segment", segment=ctx.segment),
                    by,
                    digits=1,
                    note=ctx.t("suppression_note", min_size=ctx.min_size),
                )
            )
    elif ccol is not None:
        blocks.append(
            Text(ctx.t("not_available", reason=ctx.t("no_metric_column", column=ccol)), note=True)
        )
    available = any(isinstance(b, Table) for b in blocks)
    return Section("metrics", ctx.t("metrics"), tuple(blocks), available)
