"""One assembly path from per-group estimates to a :class:`csi.sem.SEMResult`.

Every CB-SEM estimator (ML and its robust variants, FIML, DWLS/WLSMV for ordinal items;
one group or several) computes, group by group, a parameter table, R², an effects
table and the implied and residual matrices; :func:`assemble_result` joins them the
same way for all of them: the ``group`` column first in multi-group tables, Series and
DataFrames for one group, a DataFrame of R² (variable x group) and dicts of matrices
by group for several, and the diagnostics in one order (non-convergence, the
estimator's own findings, excluded respondents).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi import diagnostics as dg
from csi.sem.result import SEMResult
from csi.sem.structure import lavaan_name


@dataclass
class GroupPieces:
    """What one group of a fit contributes to its :class:`csi.sem.SEMResult`.

    ``label`` is the group's label (``None`` in a single-group fit); ``estimates`` and
    ``effects`` are the group's tables without a ``group`` column; ``implied`` and
    ``residual`` the observed-variable matrices in the model's item order.
    """

    label: Any
    estimates: pd.DataFrame
    effects: pd.DataFrame
    r2: pd.Series
    implied: pd.DataFrame
    residual: pd.DataFrame


@dataclass(frozen=True)
class FitRun:
    """How an estimation went and how its result is reported: whether the optimizer
    converged and in how many iterations, the respondents excluded, the language."""

    converged: bool
    iterations: int
    n_excluded: int
    lang: str


def with_entries(fit: pd.Series, extra: Mapping[str, float]) -> pd.Series:
    """``fit`` followed by the entries ``extra`` (scaled and robust indices), as floats."""
    out = pd.concat([fit, pd.Series(extra, dtype=float)])
    out.name = "value"
    return out


def assemble_result(
    pieces: Sequence[GroupPieces],
    run: FitRun,
    *,
    fit: pd.Series,
    vcov: np.ndarray,
    names: Sequence[str],
    diagnostics: Sequence[dg.Diagnostic],
    n: int,
    estimator: str,
    multigroup: bool,
    weight_kind: str | None = None,
    fitted_state: Any = None,
    defined: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> SEMResult:
    """The :class:`csi.sem.SEMResult` of a fit from its per-group pieces.

    Parameters
    ----------
    pieces:
        One :class:`GroupPieces` per group, in group order.
    run:
        Convergence, iterations, excluded respondents and language of the fit.
    fit, vcov, names:
        Fit indices; covariance matrix of the free parameters and their names.
    diagnostics:
        The estimator's own findings (improper solutions...); the non-convergence and
        excluded-respondents diagnostics are added around them here.
    defined:
        Builds the ``:=`` rows from the concatenated group tables (``group`` column
        included in a multi-group fit); ``None`` when the model defines none.
    n, estimator, weight_kind, fitted_state:
        Copied to the result.
    """
    tables, effs = [], []
    for p in pieces:
        tab, eff = p.estimates, p.effects
        if multigroup:
            tab.insert(0, "group", p.label)
            eff.insert(0, "group", p.label)
        tables.append(tab)
        effs.append(eff)
    diags = dg.collect(
        dg.not_converged(run.converged, iterations=run.iterations, lang=run.lang),
        diagnostics,
        dg.respondents_excluded(run.n_excluded, lang=run.lang),
    )
    estimates = pd.concat(tables, ignore_index=True)
    if defined is not None:
        estimates = pd.concat([estimates, defined(pd.concat(tables))], ignore_index=True)
    order = table_order(estimates, names, [p.label for p in pieces] if multigroup else None)
    vcov = np.asarray(vcov)[np.ix_(order, order)]
    names_ix = pd.Index([names[k] for k in order])
    r2: pd.Series | pd.DataFrame
    implied: Any
    residual: Any
    if multigroup:
        r2 = pd.DataFrame({p.label: p.r2 for p in pieces})
        implied = {p.label: p.implied for p in pieces}
        residual = {p.label: p.residual for p in pieces}
        labels: tuple[Any, ...] | None = tuple(p.label for p in pieces)
    else:
        (only,) = pieces
        r2, implied, residual, labels = only.r2, only.implied, only.residual, None
    return SEMResult(
        estimates=estimates,
        fit_indices=fit,
        r2=r2,
        effects=pd.concat(effs, ignore_index=True),
        implied_cov=implied,
        residual_corr=residual,
        diagnostics=diags,
        n=n,
        n_excluded=run.n_excluded,
        estimator=estimator,
        converged=run.converged,
        iterations=run.iterations,
        groups=labels,
        vcov=pd.DataFrame(vcov, index=names_ix, columns=names_ix.copy()),
        lang=run.lang,
        weight_kind=weight_kind,
        fitted_state=fitted_state,
    )


def table_order(
    estimates: pd.DataFrame, names: Sequence[str], groups: Sequence[Any] | None
) -> list[int]:
    """Positions of ``names`` (:func:`csi.sem.structure.lavaan_name`) in the order their rows come
    in ``estimates`` (names without a row last, in their own order): the covariance
    matrix then follows the parameter table, not semopy's internal parameter order,
    which depends on Python's string hashing."""
    rank: dict[str, int] = {}
    ops = estimates["op"].to_numpy()
    lhs, rhs = estimates["lhs"].to_numpy(), estimates["rhs"].to_numpy()
    labels = estimates["label"].to_numpy() if "label" in estimates else [None] * len(ops)
    group = estimates["group"].to_numpy() if groups is not None else [None] * len(ops)
    number = {g: k + 1 for k, g in enumerate(groups or [])}
    for i, (op, left, right, label, g) in enumerate(zip(ops, lhs, rhs, labels, group, strict=True)):
        if op == ":=":
            continue  # defined parameters are not free parameters
        k = 1 if groups is None else number.get(g, 1)
        for name in (label, lavaan_name(left, op, right, k)):
            if isinstance(name, str) and name and name not in rank:
                rank[name] = i
    last = len(ops)
    return sorted(range(len(names)), key=lambda j: rank.get(names[j], last))
