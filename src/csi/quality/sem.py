"""Quality report of a covariance-based SEM (:meth:`csi.sem.SEMResult.quality`).

From the fitted parameter table:

* reliability from the standardized loadings ``l`` (``std_all``): omega / composite
  reliability ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` (Jöreskog 1971; McDonald 1999;
  correlated errors are ignored, as in Fornell & Larcker 1981) and AVE ``mean(l^2)``;
  Cronbach's alpha from the sample correlations; ``rho_A`` (a PLS statistic) is NaN;
* model-implied construct correlations ``Phi = (I - B)^-1 Psi (I - B)^-T`` (standardized),
  used for Fornell-Larcker, inner VIF, f² (scores held fixed) and the implied
  cross-loadings ``corr(x_i, eta_j) = l_i Phi[own(i), j]``;
* HTMT from the sample correlations (``residual_corr + implied_corr``);
* item weights in a construct's factor score ``l_i / (1 - l_i^2)`` (Bartlett), for the
  single-dominant-item check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi import diagnostics as dg
from csi._checks import CsiInputError
from csi.i18n import check_lang
from csi.quality.assemble import QualityInputs, build_report
from csi.quality.report import QualityReport
from csi.quality.structural import f_squared_fixed
from csi.quality.thresholds import Thresholds, as_thresholds
from csi.spec import ModelSpec

if TYPE_CHECKING:
    from csi.sem.result import SEMResult


def _pick(value: Any, group: Any, what: str) -> Any:
    if isinstance(value, dict):
        if group not in value:
            raise CsiInputError(
                f"this is a multi-group fit: pass group= one of {list(value)} to get {what}"
            )
        return value[group]
    return value


def measurement_spec(estimates: pd.DataFrame) -> ModelSpec:
    """The constructs, indicators and paths among constructs in a parameter table."""
    load = estimates[estimates["op"] == "=~"]
    indicators: dict[str, list[str]] = {}
    for lhs, rhs in zip(load["lhs"], load["rhs"], strict=True):
        indicators.setdefault(str(lhs), []).append(str(rhs))
    seen: dict[str, str] = {}
    for c, items in indicators.items():
        for i in items:
            if i in seen:
                raise CsiInputError(
                    f"item {i!r} loads on both {seen[i]!r} and {c!r}; quality statistics "
                    "need each item to measure one construct"
                )
            seen[i] = c
    reg = estimates[estimates["op"] == "~"]
    paths = []
    for lhs, rhs in zip(reg["lhs"], reg["rhs"], strict=True):
        if lhs not in indicators or rhs not in indicators:
            raise CsiInputError(
                f"the regression {lhs} ~ {rhs} involves an observed variable; quality "
                "statistics need paths among constructs only"
            )
        paths.append((str(rhs), str(lhs)))
    return ModelSpec(indicators={c: tuple(v) for c, v in indicators.items()}, paths=tuple(paths))


def latent_correlations(estimates: pd.DataFrame, constructs: tuple[str, ...]) -> np.ndarray:
    """Model-implied construct correlations ``(I - B)^-1 Psi (I - B)^-T``, standardized."""
    pos = {c: j for j, c in enumerate(constructs)}
    J = len(constructs)
    B = np.zeros((J, J))
    Psi = np.zeros((J, J))
    for lhs, op, rhs, est in zip(
        estimates["lhs"], estimates["op"], estimates["rhs"], estimates["estimate"], strict=True
    ):
        if lhs in pos and rhs in pos:
            if op == "~":
                B[pos[lhs], pos[rhs]] = est
            elif op == "~~":
                Psi[pos[lhs], pos[rhs]] = Psi[pos[rhs], pos[lhs]] = est
    inv = np.linalg.inv(np.eye(J) - B)
    Phi = inv @ Psi @ inv.T
    sd = np.sqrt(np.clip(np.diag(Phi), 1e-300, None))
    return Phi / np.outer(sd, sd)


def sem_quality(
    result: SEMResult,
    *,
    thresholds: Thresholds | dict[str, float] | None = None,
    group: Any = None,
    lang: str | None = None,
) -> QualityReport:
    """Reliability, validity, R², f², VIF and diagnostics of a CB-SEM fit.

    ``group``: the group label for a multi-group fit. ``lang`` defaults to the fit's.
    The result's own diagnostics (non-convergence, Heywood cases, ...) are included,
    rendered in ``lang``.
    """
    th = as_thresholds(thresholds)
    lang = check_lang(result.lang if lang is None else lang)
    est = result.estimates
    if "group" in est.columns:
        if group is None:
            raise CsiInputError(
                f"this is a multi-group fit: pass group= one of {list(result.groups or ())}"
            )
        est = est[est["group"] == group]
    spec = measurement_spec(est)
    items = list(spec.items)
    implied = _pick(result.implied_corr, group, "the implied correlations")
    resid = _pick(result.residual_corr, group, "the residual correlations")
    sample = (resid + implied).loc[items, items].to_numpy(dtype=float)
    load = est[est["op"] == "=~"]
    by_item = pd.Series(load["std_all"].to_numpy(dtype=float), index=load["rhs"].astype(str))
    lam = by_item.loc[items].to_numpy(dtype=float)
    with np.errstate(divide="ignore"):
        weights = lam / np.clip(1.0 - lam**2, 1e-12, None)
    Phi = latent_correlations(est, spec.constructs)
    block = [spec.constructs.index(spec.construct_of(i)) for i in items]
    cross = lam[:, None] * Phi[block, :]
    r2_sem = _pick(result.r2, group, "R²") if isinstance(result.r2, dict) else result.r2
    if isinstance(r2_sem, pd.DataFrame):
        r2_sem = r2_sem[group]
    r2 = np.array(
        [float(r2_sem.get(c, np.nan)) if spec.predecessors(c) else np.nan for c in spec.constructs]
    )
    f2 = f_squared_fixed(Phi, spec)[["source", "target", "r2_included", "r2_excluded"]]
    inputs = QualityInputs(
        spec=spec,
        n=result.n,
        corr=sample,
        loadings=lam,
        weights=weights,
        construct_corr=Phi,
        rho_a=np.full(len(spec.constructs), np.nan),
        r2=r2,
        f2=f2,
        cross_loadings=cross,
    )
    base = dg.collect(
        dg.localize(result.diagnostics, lang),
        dg.not_positive_definite(sample, name=dg.SAMPLE_CORRELATION_MATRIX, tol=1e-10, lang=lang),
    )
    return build_report(inputs, estimator="sem", thresholds=th, lang=lang, diagnostics=base)
