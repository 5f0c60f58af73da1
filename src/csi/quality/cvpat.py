"""CVPAT: the cross-validated predictive ability test (Liengaard et al. 2021).

Liengaard, Sharma, Hult, Jensen, Sarstedt, Hair & Ringle (2021, *Decision Sciences*
52(2), 362-392); repeated cross-validation as Sharma, Liengaard, Hair, Sarstedt &
Ringle (2023, *European Journal of Marketing* 57(6), 1662-1677). The ``n``
respondents are split at random into ``folds`` groups, ``repeats`` times (the splits
of :func:`csi.quality.pls_predict` for the same seed); each held-out group is
predicted by the model estimated on the others (PLSpredict's predictions,
:mod:`csi.quality.predict`) and by

* **IA**, the indicator average: each item's training mean;
* **LM**, the linear model: each item regressed by OLS on the items of the exogenous
  constructs (``technique="EA"``) or of its construct's direct predecessors (``"DA"``);
* a **competing model** fitted to the same respondents (optional), predicting the
  items endogenous in both models, with the same splits.

The loss of respondent ``i`` is the squared prediction error averaged over the
items ``k`` of the endogenous constructs (over one construct's items for the
per-construct rows), and over the repetitions::

    L_i = (1 / (R K)) sum_r sum_k (x_ik - xhat_ik,r)²

For a comparison, ``d_i = L_i(other) - L_i(model)`` and the paired t-test gives
``t = mean(d) / (sd(d) / sqrt(n))`` (``sd`` with divisor ``n - 1``), ``n - 1``
degrees of freedom. Against a benchmark the test is one-sided, H1: the model's loss
is lower (``d > 0``); against a competing model it is two-sided. A positive
``difference`` favours the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_level
from csi.display import Summary
from csi.i18n import check_lang, text
from csi.quality.predict import (
    TECHNIQUES,
    _raw,
    check_folds,
    fold_numbers,
    fold_predictions,
    prediction_plan,
)

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["CVPAT_COLUMNS", "CVPATResult", "cvpat"]

#: Columns of :attr:`CVPATResult.table`.
CVPAT_COLUMNS = (
    "comparison",
    "construct",
    "loss_model",
    "loss_other",
    "difference",
    "t",
    "df",
    "pvalue",
    "alternative",
    "model_better",
)
#: The label of the rows over all endogenous constructs.
OVERALL = "overall"


@dataclass(frozen=True, repr=False)
class CVPATResult:
    """The result of :func:`cvpat`.

    table:
        Columns :data:`CVPAT_COLUMNS`: per ``comparison`` (``IA``, ``LM``,
        ``competitor``) and ``construct`` (``overall`` first, then each endogenous
        construct) the average losses, ``difference = loss_other - loss_model``, the
        paired t statistic, its degrees of freedom, the p-value, the ``alternative``
        (``greater`` for the benchmarks, ``two-sided`` for a competitor) and
        ``model_better`` (p below ``1 - level`` and a positive difference).
    losses:
        Per respondent (rows of the fit) the loss ``L_i`` of each predictor: columns
        ``(construct, predictor)`` with predictor ``model``, ``IA``, ``LM`` (and
        ``competitor``).
    folds:
        ``(repeats, n)`` fold number of each respondent in each repetition.
    """

    table: pd.DataFrame
    losses: pd.DataFrame
    folds: np.ndarray
    n_folds: int
    repeats: int
    technique: str
    level: float
    seed: Any

    def summary(self, *, lang: str = "en", digits: int = 3) -> Summary:
        """The test table with a heading (``lang``: ``en`` or ``zh``)."""
        head = text(
            "cvpat.title",
            check_lang(lang),
            folds=self.n_folds,
            repeats=self.repeats,
            technique=self.technique,
        )
        table = self.table.round(digits)
        return Summary(
            head + "\n" + table.to_string(index=False),
            title=head,
            tables={"CVPAT": table},
            lang=lang,
        )

    def __repr__(self) -> str:
        overall = self.table[self.table["construct"] == OVERALL]
        parts = ", ".join(
            f"{c}: p={p:.3g}" for c, p in zip(overall["comparison"], overall["pvalue"], strict=True)
        )
        return f"CVPATResult({parts})"

    def _repr_html_(self) -> str:
        return self.summary().html


def paired_t(d: np.ndarray, alternative: str) -> tuple[float, int, float]:
    """``t = mean(d) / (sd(d)/sqrt(n))``, ``df = n - 1`` and the p-value (``greater`` or
    ``two-sided``)."""
    from scipy import stats  # lazily: keeps ``import csi.quality`` light

    n = d.size
    se = d.std(ddof=1) / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(d.mean() / se)
    df = n - 1
    if alternative == "greater":
        p = float(stats.t.sf(t, df))
    else:
        p = float(2 * stats.t.sf(abs(t), df))
    return t, df, p


def _squared_errors(
    result: PLSResult, X: np.ndarray, fold_ids: np.ndarray, technique: str
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Target item names and ``(n, K)`` squared errors (PLS, LM, IA) summed over repeats."""
    plan = prediction_plan(result, technique)
    layout = result.layout
    n, K = X.shape[0], plan.targets.size
    sq = np.zeros((3, n, K))
    y_all = X[:, plan.targets]
    for r in range(fold_ids.shape[0]):
        for f in np.unique(fold_ids[r]):
            te = fold_ids[r] == f
            y = y_all[te]
            for m, pred in enumerate(fold_predictions(X, te, result, plan)):
                sq[m][te] += (y - pred) ** 2
    return [layout.items[k] for k in plan.targets], sq[0], sq[1], sq[2]


def cvpat(
    result: PLSResult,
    *,
    competitor: PLSResult | None = None,
    folds: int = 10,
    repeats: int = 10,
    technique: str = "EA",
    seed: Any = None,
    level: float = 0.95,
) -> CVPATResult:
    """Cross-validated predictive ability test against IA, LM and a competing model.

    Predictions use plain PLS estimates (also for a consistent fit) and no survey
    weights, as :func:`csi.quality.pls_predict`.

    Parameters
    ----------
    result:
        The fitted model (:func:`csi.fit_pls` on raw data).
    competitor:
        Optional competing model fitted to the same respondents (same rows); compared
        on the items endogenous in both models.
    folds, repeats, technique, seed:
        As :func:`csi.quality.pls_predict` (the same seed gives the same splits).
    level:
        ``model_better`` when the p-value is below ``1 - level`` (default 0.95).

    Returns
    -------
    CVPATResult
        Formulas in the module docstring.
    """
    check_choice(technique, TECHNIQUES, name="technique")
    level = check_level(level)
    X = _raw(result)
    n = len(X)
    check_folds(folds, repeats, n)
    fold_ids = fold_numbers(n, folds, repeats, seed)
    items, pls, lm, ia = _squared_errors(result, X, fold_ids, technique)
    layout = result.layout
    owner = {i: layout.constructs[layout.block[layout.items.index(i)]] for i in items}
    errors = {"model": pls, "IA": ia, "LM": lm}
    if competitor is not None:
        rows = result.rows if result.rows is not None else pd.RangeIndex(n)
        other_rows = competitor.rows if competitor.rows is not None else None
        if other_rows is None or not rows.equals(other_rows):
            raise CsiInputError(
                "competitor: the competing model must be fitted to the same respondents "
                "(same rows, same missing-data handling) as the model"
            )
        c_items, c_pls, _, _ = _squared_errors(competitor, _raw(competitor), fold_ids, technique)
        common = [i for i in items if i in c_items]
        if not common:
            raise CsiInputError(
                "competitor: no item is endogenous in both models; CVPAT compares the "
                "predictions of the same target items"
            )
        keep = [items.index(i) for i in common]
        errors = {k: v[:, keep] for k, v in errors.items()}
        errors["competitor"] = c_pls[:, [c_items.index(i) for i in common]]
        items = common
    constructs = list(dict.fromkeys(owner[i] for i in items))
    groups = {OVERALL: np.arange(len(items))}
    groups.update(
        {c: np.array([k for k, i in enumerate(items) if owner[i] == c]) for c in constructs}
    )
    keys = [(g, name) for g in groups for name in errors]
    losses = pd.DataFrame(
        np.column_stack([errors[name][:, groups[g]].mean(axis=1) / repeats for g, name in keys]),
        index=result.rows if result.rows is not None else pd.RangeIndex(n),
        columns=pd.MultiIndex.from_tuples(keys, names=["construct", "predictor"]),
    )
    alpha = 1.0 - level
    rows_out = []
    for name in [k for k in errors if k != "model"]:
        alternative = "two-sided" if name == "competitor" else "greater"
        for g in groups:
            base = losses[(g, "model")].to_numpy()
            other = losses[(g, name)].to_numpy()
            d = other - base
            t, df, p = paired_t(d, alternative)
            rows_out.append(
                (
                    name,
                    g,
                    float(base.mean()),
                    float(other.mean()),
                    float(d.mean()),
                    t,
                    df,
                    p,
                    alternative,
                    bool(p < alpha and d.mean() > 0),
                )
            )
    return CVPATResult(
        table=pd.DataFrame(rows_out, columns=list(CVPAT_COLUMNS)),
        losses=losses,
        folds=fold_ids,
        n_folds=int(folds),
        repeats=int(repeats),
        technique=technique,
        level=float(level),
        seed=seed,
    )
