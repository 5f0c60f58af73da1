"""Build a :class:`QualityReport` from estimator-neutral arrays (used by PLS and CB-SEM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi import diagnostics as dg
from csi.quality.reliability import (
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
)
from csi.quality.report import QualityReport
from csi.quality.structural import adjusted_r2, f2_label, inner_vif, outer_vif
from csi.quality.thresholds import Thresholds
from csi.quality.validity import (
    construct_pairs,
    cross_loading_check,
    fornell_larcker,
    fornell_larcker_check,
    htmt,
)
from csi.spec import ModelSpec


@dataclass(frozen=True)
class QualityInputs:
    """What every estimator supplies (arrays in ``spec.items`` / ``spec.constructs`` order).

    ``corr``: sample item correlations; ``loadings``: standardized loadings on the own
    construct; ``weights``: weights of the (standardized) items in the construct score;
    ``construct_corr``: construct correlations (PLS scores, PLSc-corrected or CB-SEM
    model-implied); ``rho_a`` (NaN where undefined); ``r2``: per construct (NaN for
    exogenous); ``f2``: ``source, target, r2_included, r2_excluded`` table;
    ``cross_loadings``: item x construct correlations; ``validity_corr``: the construct
    correlations of the Fornell-Larcker criterion and the inner VIF (``None``: use
    ``construct_corr``; PLSc: the score correlations by default, see
    :func:`csi.quality.pls_quality`); ``correlations``: what ``validity_corr`` holds
    (``"scores"``, ``"disattenuated"`` or ``"model"``); ``model_fit``: a fit table
    (``model, measure, value, threshold, ok``) or ``None``.
    """

    spec: ModelSpec
    n: int
    corr: np.ndarray
    loadings: np.ndarray
    weights: np.ndarray
    construct_corr: np.ndarray
    rho_a: np.ndarray
    r2: np.ndarray
    f2: pd.DataFrame
    cross_loadings: np.ndarray
    validity_corr: np.ndarray | None = None
    correlations: str = "model"
    model_fit: pd.DataFrame | None = None


def _ok(values: np.ndarray, good: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.array(
        [None if not np.isfinite(v) else bool(g) for v, g in zip(values, good, strict=True)],
        dtype="boolean",
    )


def _estimated_srmr(table: pd.DataFrame | None) -> float:
    """The estimated model's SRMR in a fit table (NaN without one)."""
    if table is None:
        return float("nan")
    row = table[(table["measure"] == "srmr") & (table["model"] == "estimated")]
    return float(row["value"].iloc[0]) if len(row) else float("nan")


def build_report(
    q: QualityInputs,
    *,
    estimator: str,
    thresholds: Thresholds,
    lang: str,
    diagnostics: Sequence[dg.Diagnostic] = (),
) -> QualityReport:
    """Reliability, validity and structural tables plus the shared diagnostics."""
    spec, th = q.spec, thresholds
    names = list(spec.constructs)
    modes = np.array([spec.modes[c] for c in names])
    formative = modes == "B"
    k = np.array([len(spec.indicators[c]) for c in names])
    alpha = np.where(formative, np.nan, cronbach_alpha(q.corr, spec))
    rho_a = np.where(formative, np.nan, np.asarray(q.rho_a, dtype=float))
    rho_c = np.where(formative, np.nan, composite_reliability(q.loadings, spec))
    ave = np.where(formative, np.nan, average_variance_extracted(q.loadings, spec))
    reliability = pd.DataFrame(
        {
            "construct": names,
            "mode": modes,
            "n_items": k,
            "alpha": alpha,
            "rho_a": rho_a,
            "rho_c": rho_c,
            "ave": ave,
            "alpha_ok": _ok(alpha, alpha >= th.alpha),
            "rho_a_ok": _ok(rho_a, rho_a >= th.rho_a),
            "rho_c_ok": _ok(rho_c, (rho_c >= th.rho_c) & (rho_c <= th.rho_c_max)),
            "ave_ok": _ok(ave, ave >= th.ave),
        }
    )
    owner = [spec.construct_of(i) for i in spec.items]
    reflective_item = np.array([spec.modes[c] == "A" for c in owner])
    lam = np.asarray(q.loadings, dtype=float)
    loadings = pd.DataFrame(
        {
            "construct": owner,
            "indicator": list(spec.items),
            "loading": lam,
            "weight": np.asarray(q.weights, dtype=float),
            "ok": _ok(np.where(reflective_item, lam, np.nan), lam >= th.loading),
        }
    )
    H = htmt(q.corr, spec)
    H2 = htmt(q.corr, spec, kind="htmt2")
    idx = pd.Index(names, name="construct")
    pairs = construct_pairs(H, names).rename(columns={"value": "htmt"})
    pairs["htmt2"] = construct_pairs(H2, names)["value"]
    pairs["ok"] = pairs["htmt"] < th.htmt
    cross = pd.DataFrame(
        q.cross_loadings,
        index=pd.Index(list(spec.items), name="indicator"),
        columns=pd.Index(names, name="construct"),
    )
    r2_all = np.asarray(q.r2, dtype=float)
    endo = [j for j, c in enumerate(names) if spec.predecessors(c)]
    n_pred = [len(spec.predecessors(names[j])) for j in endo]
    r2 = pd.DataFrame(
        {
            "construct": [names[j] for j in endo],
            "r2": r2_all[endo],
            "r2_adj": adjusted_r2(r2_all[endo], q.n, n_pred),
        }
    )
    f2 = q.f2.copy()
    f2["f2"] = (f2["r2_included"] - f2["r2_excluded"]) / (1.0 - f2["r2_included"])
    f2["effect"] = [
        f2_label(v, small=th.f2_small, medium=th.f2_medium, large=th.f2_large) for v in f2["f2"]
    ]
    V = np.asarray(q.construct_corr if q.validity_corr is None else q.validity_corr, dtype=float)
    ivif = inner_vif(V, spec)
    ivif["ok"] = ivif["vif"] < th.inner_vif
    ovif = outer_vif(q.corr, spec)
    ovif["ok"] = pd.array(
        [
            bool(v < th.outer_vif) if m == "B" else None
            for m, v in zip(ovif["mode"], ovif["vif"], strict=True)
        ],
        dtype="boolean",
    )

    # ------------------------------------------------------------ diagnostics
    C = np.asarray(q.construct_corr, dtype=float)
    iu = np.triu_indices(len(names), 1)
    corr_pairs = {(names[i], names[j]): float(C[i, j]) for i, j in zip(*iu, strict=True)}
    weights = {
        c: {i: float(q.weights[p]) for p, i in enumerate(spec.items) if owner[p] == c}
        for c in names
    }
    loads = {
        c: {i: float(lam[p]) for p, i in enumerate(spec.items) if owner[p] == c} for c in names
    }
    multi_reflective = [j for j, c in enumerate(names) if not formative[j] and k[j] > 1]
    diags = dg.collect(
        diagnostics,
        dg.r2_out_of_range(dict(zip(r2["construct"], r2["r2"], strict=True)), lang=lang),
        dg.standardized_loadings_above_one(
            {f"{c} -> {i}": float(v) for c, i, v in zip(owner, spec.items, lam, strict=True)},
            lang=lang,
        ),
        dg.correlations_above_one(
            {f"{a} ~~ {b}": v for (a, b), v in corr_pairs.items()}, lang=lang
        ),
        dg.collinear_constructs(corr_pairs, threshold=th.construct_correlation, lang=lang),
        dg.inner_collinearity(
            {(s, t): v for s, t, v in zip(ivif.source, ivif.target, ivif.vif, strict=True)},
            threshold=th.inner_vif,
            lang=lang,
        ),
        dg.formative_collinearity(
            {
                (c, i): v
                for c, i, m, v in zip(
                    ovif.construct, ovif.indicator, ovif["mode"], ovif.vif, strict=True
                )
                if m == "B"
            },
            threshold=th.outer_vif,
            lang=lang,
        ),
        dg.dominant_items(
            {names[j]: weights[names[j]] for j in range(len(names)) if k[j] > 1},
            loadings=loads,
            share=th.dominant_share,
            lang=lang,
        ),
        dg.low_reliability(
            {names[j]: float(rho_c[j]) for j in multi_reflective},
            statistic="rho_C" if estimator != "sem" else "omega",
            threshold=th.rho_c,
            maximum=th.rho_c_max,
            lang=lang,
        ),
        dg.low_ave(
            {names[j]: float(ave[j]) for j in multi_reflective}, threshold=th.ave, lang=lang
        ),
        dg.low_loadings(
            {
                (c, i): float(v)
                for c, i, v, r in zip(owner, spec.items, lam, reflective_item, strict=True)
                if r and len(spec.indicators[c]) > 1
            },
            threshold=th.loading,
            lang=lang,
        ),
        dg.poor_model_fit(_estimated_srmr(q.model_fit), threshold=th.srmr, lang=lang),
        dg.poor_discriminant_validity(
            {
                (a, b): v
                for a, b, v in zip(pairs.construct_1, pairs.construct_2, pairs.htmt, strict=True)
            },
            threshold=th.htmt,
            lang=lang,
        ),
    )
    return QualityReport(
        estimator=estimator,
        n=int(q.n),
        reliability=reliability,
        loadings=loadings,
        htmt=pd.DataFrame(H, index=idx, columns=names),
        htmt2=pd.DataFrame(H2, index=idx, columns=names),
        htmt_pairs=pairs,
        fornell_larcker=fornell_larcker(V, ave, names),
        fornell_larcker_check=fornell_larcker_check(V, ave, names),
        cross_loadings=cross,
        cross_loading_check=cross_loading_check(cross, spec),
        r2=r2,
        f2=f2,
        inner_vif=ivif,
        outer_vif=ovif,
        diagnostics=diags,
        thresholds=th,
        lang=lang,
        correlations=q.correlations,
        **({} if q.model_fit is None else {"model_fit": q.model_fit}),
    )
