"""Quality report of a PLS path model (:meth:`csi.pls.PLSResult.quality`)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi import diagnostics as dg
from csi._checks import check_choice
from csi.i18n import check_lang
from csi.pls.algorithm import Layout, inner_estimates, outer_weights
from csi.pls.consistent import consistent_estimates
from csi.quality.assemble import QualityInputs, build_report
from csi.quality.model_fit import SRMR_THRESHOLD, model_fit
from csi.quality.report import QualityReport
from csi.quality.structural import f_squared_fixed
from csi.quality.thresholds import Thresholds, as_thresholds
from csi.spec import ModelSpec

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

F2_METHODS = ("rerun", "fixed")
#: Construct correlations for Fornell-Larcker and the inner VIF (``correlations=``).
CORRELATIONS = ("scores", "disattenuated")


def score_correlations(result: PLSResult) -> np.ndarray:
    """Correlations of the (plain PLS) construct scores, ``W' S W`` scaled to unit diagonal.

    ``W`` holds the outer weights of the standardized items (one column per construct)
    and ``S`` the item correlations; for a plain PLS fit this equals the fit's
    construct correlations, for PLSc it is the uncorrected score correlation matrix.
    """
    a, layout = result.arrays, result.layout
    W = np.asarray(a.weights, dtype=float)[:, None] * layout.mask
    V = W.T @ np.asarray(a.corr, dtype=float) @ W
    d = np.sqrt(np.diag(V))
    return np.asarray(V / d[:, None] / d[None, :])


def srmr_table(result: PLSResult, threshold: float = SRMR_THRESHOLD) -> pd.DataFrame:
    """``model, measure, value, threshold, ok``: SRMR of the saturated and estimated model.

    The values of :func:`csi.quality.model_fit.model_fit` (no bootstrap); ``ok`` when
    below ``threshold`` (0.08; Hu & Bentler 1999, for PLS Henseler et al. 2014).
    """
    table = model_fit(result).table
    srmr = table[table["measure"] == "srmr"].reset_index(drop=True)
    values = srmr["value"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "model": srmr["model"],
            "measure": srmr["measure"],
            "value": values,
            "threshold": float(threshold),
            "ok": pd.array(
                [bool(v < threshold) if np.isfinite(v) else None for v in values],
                dtype="boolean",
            ),
        }
    )


def _without_path(spec: ModelSpec, source: str, target: str) -> ModelSpec:
    return ModelSpec(
        indicators=dict(spec.indicators),
        paths=tuple(p for p in spec.paths if p != (source, target)),
        modes=dict(spec.modes),
    )


def f_squared_rerun(result: PLSResult) -> pd.DataFrame:
    """f² with ``R²_excluded`` from re-estimating the model without the path.

    The PLS algorithm is run again on the same item correlation matrix, with the same
    scheme and stop criterion, for the model minus the path ``s -> t`` (as Hair et al.
    2017, p. 201, and seminr do); with ``consistent=True`` the PLSc R² is used.
    Columns ``source, target, r2_included, r2_excluded``.
    """
    spec = result.spec
    S = result.arrays.corr
    pos = {c: j for j, c in enumerate(spec.constructs)}
    rows = []
    for s, t in spec.paths:
        reduced = _without_path(spec, s, t)
        layout = Layout.from_spec(reduced)
        wf = outer_weights(
            S, layout, scheme=result.scheme, tol=result.tol, max_iter=result.max_iter
        )
        inner = inner_estimates(S, wf.weights, layout)
        r2 = inner.r2
        if result.consistent:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r2 = consistent_estimates(S, wf.weights, inner.construct_corr, layout).r2
        excluded = float(r2[pos[t]]) if reduced.predecessors(t) else 0.0
        rows.append((s, t, float(result.arrays.r2[pos[t]]), excluded))
    return pd.DataFrame(rows, columns=["source", "target", "r2_included", "r2_excluded"])


def pls_quality(
    result: PLSResult,
    *,
    thresholds: Thresholds | dict[str, float] | None = None,
    f2: str = "rerun",
    lang: str = "en",
    correlations: str = "scores",
) -> QualityReport:
    """Reliability, validity, R², f², VIF and diagnostics of a PLS fit.

    Statistics (formulas in :mod:`csi.quality.reliability`, :mod:`~csi.quality.validity`,
    :mod:`~csi.quality.structural`): alpha on the item correlations, ``rho_A`` from the
    weights (Dijkstra & Henseler 2015), ``rho_C`` and AVE from the loadings (PLSc
    loadings when the fit was consistent), HTMT/HTMT2 from the item correlations,
    Fornell-Larcker and inner VIF from the construct-score correlations (see
    ``correlations``), and the SRMR of the saturated and estimated model
    (:func:`csi.quality.model_fit.model_fit`; ``report.model_fit``, threshold 0.08).

    ``correlations``: the construct correlations of the Fornell-Larcker criterion and
    the inner VIF. ``"scores"`` (default): correlations of the construct scores, also
    for a PLSc fit - the convention of seminr (``fl_criteria`` and ``vif_antecedents``
    use the score correlations under PLSc) and of Hair et al. (2017, ch. 6), where
    the inner VIF comes from regressing a predictor's scores on the other predictors'
    scores. ``"disattenuated"``: the PLSc-corrected construct correlations (the ones
    the PLSc paths are estimated from); higher where reliabilities are low (on mobi,
    Quality -> Satisfaction: VIF 8.81 instead of 2.84). For a plain PLS fit both are
    the same. SmartPLS's choice under PLSc could not be checked here.

    ``f2``: ``"rerun"`` (default; re-estimate without each path) or ``"fixed"`` (keep the
    full model's construct scores). ``thresholds``: a :class:`Thresholds` or a dict of
    changed cut-offs. ``lang``: ``"en"`` or ``"zh"`` for the texts.
    """
    th = as_thresholds(thresholds)
    check_choice(f2, F2_METHODS, name="f2")
    check_lang(lang)
    check_choice(correlations, CORRELATIONS, name="correlations")
    spec, a = result.spec, result.arrays
    f2_table = f_squared_rerun(result) if f2 == "rerun" else f_squared_fixed(a.construct_corr, spec)
    if f2 == "fixed":
        f2_table = f2_table[["source", "target", "r2_included", "r2_excluded"]]
    rho = a.consistent_rho_a
    if rho is None:
        rho = result.rho_a.to_numpy()
    rho = np.where(result.layout.mode_b, np.nan, rho)
    inputs = QualityInputs(
        spec=spec,
        n=result.n,
        corr=a.corr,
        loadings=a.loadings,
        weights=a.weights,
        construct_corr=a.construct_corr,
        rho_a=rho,
        r2=a.r2,
        f2=f2_table,
        cross_loadings=a.cross_loadings,
        validity_corr=score_correlations(result) if correlations == "scores" else None,
        correlations=correlations,
        model_fit=srmr_table(result, th.srmr),
    )
    base = dg.collect(
        dg.not_converged(result.converged, iterations=result.iterations, lang=lang),
        dg.not_positive_definite(a.corr, name=dg.ITEM_CORRELATION_MATRIX, tol=1e-10, lang=lang),
        dg.respondents_excluded(
            result.n_excluded, how=result.moments.missing, lang=lang, estimator="pls"
        ),
    )
    estimator = "plsc" if result.consistent else "pls"
    return build_report(inputs, estimator=estimator, thresholds=th, lang=lang, diagnostics=base)
