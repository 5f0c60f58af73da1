"""Information criteria for choosing between PLS path models, per endogenous construct.

Sharma, Sarstedt, Shmueli, Kim & Thiele (2019), "PLS-based model selection: the role
of alternative explanations in information systems research", *Journal of the
Association for Information Systems* 20(4), 346-397, compare competing PLS models
equation by equation: each endogenous construct ``j`` is the dependent variable of a
regression on its ``p_j`` predictors (the constructs with a path into it). With ``n``
respondents, ``R²_j`` and standardised scores the sum of squared errors is

    SSE_j = (1 - R²_j) (n - 1),        k_j = p_j + 1 (predictors and constant),

and (their Table B1, as implemented by cSEM's ``calculateModelSelectionCriteria``;
seminr's ``it_criteria`` reports the first two with the same SSE and ``k``):

* ``AIC  = n log(SSE/n) + 2 k``  (Akaike 1973)
* ``AICc = n [log(SSE/n) + (n + k) / (n - k - 2)]``  (Hurvich & Tsai 1989)
* ``BIC  = n log(SSE/n) + k log n``  (Schwarz 1978)
* ``HQ   = n log(SSE/n) + 2 k log(log n)``  (Hannan & Quinn 1979)
* ``GM   = SSE / MSE_full + k log n``  (Geweke & Meese 1981)

``MSE_full = 1 - R²_full`` is the mean square error (``SSE / (n - 1)``, as cSEM) of
the *saturated* equation of ``j``: ``j`` regressed on every other construct that is
not one of its descendants (so the regression stays recursive). It is computed from
the fitted construct correlations, without re-estimating the model (cSEM refits a
saturated structural model by PLS, which with the path scheme changes the weights a
little). GM therefore compares models that share the saturated equation: models that
differ only in the paths into ``j``.

Lower is better; only differences between models fitted to the same data and with the
same ``n`` mean anything. BIC and GM are consistent (they pick the true model as
``n`` grows) and Sharma et al. recommend them for choosing between explanations;
AIC and AICc lean towards prediction and to larger models.

``R²`` is the one the result reports (PLSc: the consistent one) and ``n`` the
respondents used; for a weighted fit consider the criteria descriptive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["information_criteria", "selection_criteria"]

COLUMNS = ["construct", "n", "predictors", "r2", "aic", "aicc", "bic", "hq", "gm"]


def information_criteria(
    r2: float, n: int, predictors: int, r2_full: float | None = None
) -> dict[str, float]:
    """AIC, AICc, BIC, HQ and GM of one regression on standardised variables.

    ``r2`` of a regression with ``predictors`` predictors on ``n`` observations;
    ``r2_full`` the R² of the saturated regression for GM (``None``: GM is NaN).
    Formulas in the module docstring (Sharma et al. 2019, Table B1).
    """
    k = predictors + 1
    sse = (1.0 - r2) * (n - 1)
    fit = n * np.log(sse / n)
    log_n = np.log(n)
    gm = np.nan if r2_full is None else sse / (1.0 - r2_full) + k * log_n
    with np.errstate(divide="ignore", invalid="ignore"):
        aicc = n * (np.log(sse / n) + (n + k) / (n - k - 2)) if n - k - 2 > 0 else np.nan
    return {
        "aic": float(fit + 2 * k),
        "aicc": float(aicc),
        "bic": float(fit + k * log_n),
        "hq": float(fit + 2 * k * np.log(log_n)),
        "gm": float(gm),
    }


def _r2_from_corr(corr: np.ndarray, target: int, sources: np.ndarray) -> float:
    """R² of ``target`` regressed on ``sources``: ``r' R^-1 r`` from a correlation matrix."""
    if sources.size == 0:
        return 0.0
    r = corr[sources, target]
    beta = np.linalg.lstsq(corr[np.ix_(sources, sources)], r, rcond=None)[0]
    return float(r @ beta)


def _descendants(path: np.ndarray, j: int) -> set[int]:
    """Indices of the constructs reachable from ``j`` by one or more paths."""
    seen: set[int] = set()
    todo = [j]
    while todo:
        for t in np.flatnonzero(path[todo.pop()]):
            if int(t) not in seen:
                seen.add(int(t))
                todo.append(int(t))
    return seen


def selection_criteria(result: PLSResult) -> pd.DataFrame:
    """Model selection criteria per endogenous construct of a fitted PLS model.

    Returns a DataFrame ``construct, n, predictors, r2, aic, aicc, bic, hq, gm`` (one row
    per endogenous construct, in model order), with the definitions of Sharma et al.
    (2019, Table B1) given in :mod:`csi.quality.selection`: ``SSE = (1 - R²)(n - 1)``,
    ``k = predictors + 1``, e.g. ``BIC = n log(SSE/n) + k log n``. Lower is better;
    compare the same construct across models fitted to the same data.
    """
    layout = result.layout
    corr = np.asarray(result.arrays.construct_corr, dtype=float)
    n = int(result.n)
    rows = []
    for j, pred in enumerate(layout.predecessors):
        if pred.size == 0:
            continue
        r2 = float(result.arrays.r2[j])
        excluded = _descendants(layout.path, j) | {j}
        full = np.array([i for i in range(len(layout.constructs)) if i not in excluded], dtype=int)
        r2_full = max(_r2_from_corr(corr, j, full), r2)
        crit = information_criteria(r2, n, int(pred.size), r2_full)
        rows.append(
            {"construct": layout.constructs[j], "n": n, "predictors": int(pred.size), "r2": r2}
            | crit
        )
    return pd.DataFrame(rows, columns=COLUMNS)
