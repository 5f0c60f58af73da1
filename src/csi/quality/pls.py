"""Quality report of a PLS path model (:meth:`csi.pls.PLSResult.quality`)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi import diagnostics as dg
from csi._checks import check_choice
from csi.pls.algorithm import Layout, inner_estimates, outer_weights
from csi.pls.consistent import consistent_estimates
from csi.quality.assemble import QualityInputs, build_report
from csi.quality.report import QualityReport
from csi.quality.structural import f_squared_fixed
from csi.quality.thresholds import Thresholds, as_thresholds
from csi.spec import ModelSpec

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

F2_METHODS = ("rerun", "fixed")


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
) -> QualityReport:
    """Reliability, validity, R², f², VIF and diagnostics of a PLS fit.

    Statistics (formulas in :mod:`csi.quality.reliability`, :mod:`~csi.quality.validity`,
    :mod:`~csi.quality.structural`): alpha on the item correlations, ``rho_A`` from the
    weights (Dijkstra & Henseler 2015), ``rho_C`` and AVE from the loadings (PLSc
    loadings when the fit was consistent), HTMT/HTMT2 from the item correlations,
    Fornell-Larcker and inner VIF from the construct correlations (PLSc: disattenuated).

    ``f2``: ``"rerun"`` (default; re-estimate without each path) or ``"fixed"`` (keep the
    full model's construct scores). ``thresholds``: a :class:`Thresholds` or a dict of
    changed cut-offs. ``lang``: ``"en"`` or ``"zh"`` for the texts.
    """
    th = as_thresholds(thresholds)
    check_choice(f2, F2_METHODS, name="f2")
    check_choice(lang, ("en", "zh"), name="lang")
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
