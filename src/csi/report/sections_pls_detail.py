"""The appendix's PLS detail, at the level of a SmartPLS results report.

Every table is a library result laid out for reading; nothing is estimated here:

* significance of the outer weights and loadings: the ``outer_weight`` and
  ``loading`` rows of the report's one bootstrap run (``ctx.boot``, from
  :meth:`csi.pls.PLSResult.bootstrap`: bootstrap standard error, ``t = estimate / se``,
  its p-value and the percentile interval);
* cross-loadings (item x construct correlations) and the VIF of every indicator, from
  ``result.quality()`` (:class:`csi.quality.QualityReport`);
* predictive relevance: PLSpredict (:func:`csi.quality.pls_predict`, Shmueli et al.
  2019: k-fold Q²predict, PLS against the linear-model benchmark; above
  :data:`PREDICT_MAX_SAMPLE` respondents on a seeded random sample of that many, the
  note giving n) and the blindfolding Q² (:func:`csi.quality.blindfolding`,
  Stone-Geisser);
* model fit: SRMR, d_ULS and d_G of the saturated and estimated model
  (:meth:`csi.pls.PLSResult.model_fit`);
* indirect effects: each specific indirect effect (one chain of paths) and the total
  indirect effect of every pair, with their bootstrap intervals (the
  ``specific_indirect_effect`` and ``indirect_effect`` rows of ``ctx.boot``).

Each table states the respondents the model used (its note); what cannot be produced
(no bootstrap, a fit the predictions cannot use) is a note saying why, never a failure
of the report.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from csi.pls.fit import fit_pls
from csi.quality import blindfolding, pls_predict
from csi.quality.report import QualityReport
from csi.report.adapters import Unavailable
from csi.report.context import MODEL_TABLES, Context, one_line
from csi.report.document import Block, Table, Text

log = logging.getLogger(__name__)

#: PLSpredict settings (Shmueli et al. 2019; SmartPLS's defaults): folds, repetitions;
#: one repetition above :data:`PREDICT_MAX_N` respondents (each repetition refits the
#: model once per fold, and with many respondents the folds already average over many).
PREDICT_FOLDS = 10
PREDICT_REPEATS = 10
PREDICT_MAX_N = 1000
#: Above this many respondents PLSpredict runs on a seeded simple random sample of this
#: many (the model refitted on it with the same settings; the table's note says so and
#: gives n): its ten refits on a million respondents would hold several copies of the
#: data, and the errors of 50,000 held-out predictions are already precise.
PREDICT_MAX_SAMPLE = 50_000
#: Omission distance of the blindfolding Q² (Hair et al. 2017: 5 to 12, not a divisor of n).
OMISSION_DISTANCE = 7

#: Appendix keys of the tables of this module, in appendix order.
DETAIL_TABLES = (
    "outer_weights_boot",
    "loadings_boot",
    "cross_loadings",
    "outer_vif_items",
    "indirect_effects",
    "model_fit",
    "pls_predict",
    "q2_blindfolding",
)

#: The bootstrap columns of a significance table.
_BOOT_COLUMNS = ["estimate", "se", "t", "pvalue", "ci_lower", "ci_upper"]


def model_table(
    ctx: Context, key: str, title: str, frame: pd.DataFrame, *, digits: int = 3, note: str = ""
) -> Table:
    """``ctx.table`` of a key in :data:`csi.report.context.MODEL_TABLES` (its note
    states the model's n)."""
    assert key in MODEL_TABLES, key
    return ctx.table(key, title, frame, digits=digits, note=note)


def add_pls_detail(ctx: Context) -> None:
    """Put the PLS detail tables (module docstring) in the appendix, each under its key of
    :data:`DETAIL_TABLES` (a note instead of a table where one cannot be produced)."""
    ctx.to_appendix("outer_weights_boot", *_significance(ctx, "outer_weight"))
    ctx.to_appendix("loadings_boot", *_significance(ctx, "loading"))
    quality_blocks = _quality_tables(ctx)
    for key, blocks in quality_blocks.items():
        ctx.to_appendix(key, *blocks)
    ctx.to_appendix("indirect_effects", *_indirect_effects(ctx))
    ctx.to_appendix("model_fit", *_model_fit(ctx))
    ctx.to_appendix("pls_predict", *_pls_predict(ctx))
    ctx.to_appendix("q2_blindfolding", *_blindfolding(ctx))


def _unavailable(ctx: Context, title_key: str, reason: str) -> list[Block]:
    """A note naming the table that could not be produced and why."""
    return [Text(ctx.t("detail_unavailable", table=ctx.t(title_key), reason=reason), note=True)]


def _no_bootstrap(ctx: Context) -> str:
    return ctx.boot_reason or ctx.t("no_bootstrap")


# ---------------------------------------------------------------------------- bootstrap
def _significance(ctx: Context, kind: str) -> list[Block]:
    """Outer weights or loadings with bootstrap SE, t, p and percentile interval."""
    key = "outer_weights_boot" if kind == "outer_weight" else "loadings_boot"
    title_key = "t_" + key
    rows = ctx.boot_rows(kind)
    if rows is None:
        return _unavailable(ctx, title_key, _no_bootstrap(ctx))
    frame = rows.loc[:, ["construct", "indicator", *_BOOT_COLUMNS]].copy()
    frame.insert(2, "label", [ctx.item_label(str(i)) for i in frame["indicator"]])
    frame["construct"] = ctx.names(frame["construct"])
    return [model_table(ctx, key, ctx.t(title_key), frame, note=ctx.boot_note().text)]


def _route(ctx: Context, route: str) -> str:
    """A chain of constructs ``"A -> B -> C"`` with display names: ``A → B → C``."""
    return " → ".join(ctx.name(part.strip()) for part in str(route).split("->"))


def _indirect_effects(ctx: Context) -> list[Block]:
    """Specific indirect effects (one row per chain) and the total indirect effect of
    each pair, with bootstrap SE, t, p and interval; ordered by pair."""
    specific = ctx.boot_rows("specific_indirect_effect")
    total = ctx.boot_rows("indirect_effect")
    if specific is None and total is None:
        if ctx.boot is None:
            return _unavailable(ctx, "t_indirect_effects", _no_bootstrap(ctx))
        return [Text(ctx.t("indirect_none"), note=True)]
    parts = []
    for rows, which in ((specific, "specific"), (total, "total")):
        if rows is None:
            continue
        part = rows.loc[:, ["source", "target", "route", *_BOOT_COLUMNS]].copy()
        part["effect_type"] = ctx.t(f"indirect_{which}")
        part["_order"] = 0 if which == "specific" else 1
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    # keep the library's pair order: each pair's chains, then its total indirect effect
    pairs = list(dict.fromkeys(zip(frame["source"], frame["target"], strict=True)))
    rank = {p: k for k, p in enumerate(pairs)}
    frame["_pair"] = [rank[p] for p in zip(frame["source"], frame["target"], strict=True)]
    frame = frame.sort_values(["_pair", "_order"], kind="stable").reset_index(drop=True)
    frame["route"] = [_route(ctx, r) if r else "" for r in frame["route"]]
    frame["source"] = ctx.names(frame["source"])
    frame["target"] = ctx.names(frame["target"])
    frame = frame.loc[:, ["source", "target", "effect_type", "route", *_BOOT_COLUMNS]]
    note = ctx.t("indirect_note") + " " + ctx.boot_note().text
    return [model_table(ctx, "indirect_effects", ctx.t("t_indirect_effects"), frame, note=note)]


# ---------------------------------------------------------------------------- quality
def _quality_tables(ctx: Context) -> dict[str, list[Block]]:
    """Cross-loadings and the VIF of every indicator, from ``result.quality()``."""
    try:
        q = ctx.quality("pls")
    except Exception as exc:  # the quality section says why; the appendix only notes it
        reason = ctx.t(str(exc)) if isinstance(exc, Unavailable) else one_line(exc)
        return {
            "cross_loadings": _unavailable(ctx, "t_cross_loadings", reason),
            "outer_vif_items": _unavailable(ctx, "t_outer_vif_items", reason),
        }
    return {"cross_loadings": [_cross_loadings(ctx, q)], "outer_vif_items": [_outer_vif(ctx, q)]}


def _cross_loadings(ctx: Context, q: QualityReport) -> Table:
    """Item x construct correlations, the item's own construct first, and whether the
    item loads highest on its own construct."""
    cross = q.cross_loadings
    check = q.cross_loading_check.set_index("indicator")
    items = [str(i) for i in cross.index]
    frame = pd.DataFrame(
        {
            "indicator": items,
            "label": [ctx.item_label(i) for i in items],
            "construct": ctx.names(check.loc[items, "construct"]),
        }
    )
    for c in cross.columns:
        frame[ctx.name(str(c))] = cross[c].to_numpy(dtype=float)
    frame["ok"] = ctx.yes_no(check.loc[items, "ok"])
    return model_table(
        ctx, "cross_loadings", ctx.t("t_cross_loadings"), frame, note=ctx.t("cross_note")
    )


def _outer_vif(ctx: Context, q: QualityReport) -> Table:
    """The VIF of every indicator within its block (formative blocks are flagged)."""
    frame = q.outer_vif.loc[:, ["construct", "indicator", "mode", "vif"]].copy()
    frame["construct"] = ctx.names(frame["construct"])
    note = ctx.t("outer_vif_note", vif=q.thresholds.outer_vif)
    return model_table(ctx, "outer_vif_items", ctx.t("t_outer_vif_items"), frame, note=note)


# ---------------------------------------------------------------------------- fit, predict
def _model_fit(ctx: Context) -> list[Block]:
    """SRMR, d_ULS and d_G of the saturated and estimated model (values only)."""
    method = getattr(ctx.result, "model_fit", None)
    if not callable(method):
        return _unavailable(ctx, "t_model_fit", ctx.t("no_model_fit"))
    try:
        fit = method()
    except Exception as exc:
        log.warning("model fit left out of the appendix: %s", exc)
        return _unavailable(ctx, "t_model_fit", one_line(exc))
    table = fit.table
    frame = pd.DataFrame(
        {
            "model": [ctx.t(f"fit_model_{m}") for m in table["model"]],
            "measure": [ctx.t(f"fit_{m}") for m in table["measure"]],
            "value": table["value"].to_numpy(dtype=float),
        }
    )
    return [model_table(ctx, "model_fit", ctx.t("t_model_fit"), frame, note=ctx.t("fit_note"))]


def _pls_predict(ctx: Context) -> list[Block]:
    """PLSpredict per endogenous item, with the verdict on predictive power."""
    try:
        fitted, sampled = predict_fit(ctx)
        repeats = PREDICT_REPEATS if int(fitted.n) <= PREDICT_MAX_N else 1
        pred = pls_predict(fitted, folds=PREDICT_FOLDS, repeats=repeats, seed=ctx.seed)
    except Exception as exc:  # e.g. pairwise missing answers, too few respondents
        log.warning("PLSpredict left out of the appendix: %s", exc)
        return _unavailable(ctx, "t_pls_predict", one_line(exc))
    cols = ["construct", "indicator", "q2_predict", "pls_rmse", "pls_mae", "lm_rmse", "lm_mae"]
    frame = pred.items.loc[:, cols].copy()
    frame["pls_better"] = ctx.yes_no(pred.items["pls_better"])
    frame["construct"] = ctx.names(frame["construct"])
    note = ctx.t(
        "predict_note",
        folds=pred.n_folds,
        repeats=pred.repeats,
        seed=ctx.seed,
        power=ctx.t(f"power_{pred.power}"),
    )
    if sampled:
        note += " " + ctx.t(
            "predict_sampled", n_all=int(ctx.result.n), n=int(fitted.n), seed=ctx.seed
        )
    if ctx.weighted:
        note += " " + ctx.t("predict_unweighted")
    return [model_table(ctx, "pls_predict", ctx.t("t_pls_predict"), frame, note=note)]


def predict_fit(ctx: Context) -> tuple[Any, bool]:
    """The fit PLSpredict runs on: the report's own fit up to :data:`PREDICT_MAX_SAMPLE`
    respondents, otherwise the model refitted (same settings) on a simple random sample
    of that many of the respondents the fit used (``default_rng(ctx.seed)``, rows kept in
    file order). Second value: whether it sampled."""
    result = ctx.result
    positions = getattr(result, "row_positions", None)
    data = getattr(result, "source_data", None)
    if positions is None or data is None or len(positions) <= PREDICT_MAX_SAMPLE:
        return result, False
    rng = np.random.default_rng(ctx.seed)
    chosen = np.sort(rng.choice(np.asarray(positions), PREDICT_MAX_SAMPLE, replace=False))
    refit = fit_pls(
        data.iloc[chosen],
        result.spec,
        scheme=result.scheme,
        tol=result.tol,
        max_iter=result.max_iter,
        consistent=result.consistent,
        scale=result.scale,
        missing="listwise",  # the fit's own rows: complete (or their means filled in)
        sign=result.sign,
    )
    return refit, True


def omission_distance(n: int) -> int:
    """:data:`OMISSION_DISTANCE` (7), or the next larger D that does not divide ``n`` (a D
    dividing the number of cases omits all of a case's items in one round; Hair et al.
    2017, p. 203)."""
    d = OMISSION_DISTANCE
    while n % d == 0:
        d += 1
    return d


def _blindfolding(ctx: Context) -> list[Block]:
    """Stone-Geisser Q² per endogenous construct (blindfolding)."""
    d = omission_distance(ctx.result.n)
    try:
        q2 = blindfolding(ctx.result, omission_distance=d)
    except Exception as exc:
        log.warning("blindfolding left out of the appendix: %s", exc)
        return _unavailable(ctx, "t_q2_blindfolding", one_line(exc))
    frame = q2.loc[:, ["construct", "sso", "sse", "q2"]].copy()
    frame["construct"] = ctx.names(frame["construct"])
    note = ctx.t("q2_note", d=d)
    if ctx.weighted:
        note += " " + ctx.t("predict_unweighted")
    return [model_table(ctx, "q2_blindfolding", ctx.t("t_q2_blindfolding"), frame, note=note)]
