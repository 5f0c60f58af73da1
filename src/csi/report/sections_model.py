"""The model, quality (reliability and validity) and paths (path model and fit) sections."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from csi.display import significance_stars
from csi.plots.path_diagram import path_diagram
from csi.quality.report import QualityReport
from csi.report.adapters import Unavailable
from csi.report.context import Context, one_line
from csi.report.document import Block, Bullets, Section, Table, Text

log = logging.getLogger(__name__)


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


def _reliability_frame(q: QualityReport, ctx: Context, *, omega: bool = False) -> pd.DataFrame:
    """``construct, mode, n_items, alpha, rho_a, rho_c, ave, check``: the library's flags
    (``*_ok``) named with their thresholds."""
    rel = q.reliability
    th = q.thresholds
    limits = {"alpha": th.alpha, "rho_a": th.rho_a, "rho_c": th.rho_c, "ave": th.ave}
    checks = []
    for row in rel.itertuples(index=False):
        if row.n_items == 1:
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


def _validity_blocks(q: QualityReport, ctx: Context) -> list[Block]:
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


def _structural_blocks(q: QualityReport, ctx: Context) -> list[Block]:
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


def _diagnostics_block(q: QualityReport, ctx: Context, estimator: str) -> Block:
    """The library's plain-language findings, each with its advice, as a list."""
    if not q.diagnostics:
        return Text(ctx.t("diagnostics_none", estimator=estimator))
    sep = ctx.t("sep_advice")
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
    boot_paths = ctx.boot_rows("path")
    if ctx.figures:
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
