"""Out-of-sample predictive power: PLSpredict and blindfolding Q².

PLSpredict (Shmueli, Ray, Velasquez Estrada & Chatla 2016, *J. Bus. Res.* 69, 4552-4564;
Shmueli et al. 2019, *Eur. J. Mark.* 53(11), 2322-2347): the respondents are split at
random into ``folds`` groups; the model is estimated on all but one group and predicts
the held-out group's answers to the items of the endogenous constructs:

* held-out items are standardized with the training means and SDs, construct scores
  formed with the training weights, and endogenous scores predicted through the
  training paths: from the exogenous constructs onwards (``technique="EA"``, earliest
  antecedents, as SmartPLS) or from each construct's direct predecessors
  (``"DA"``, as seminr's default);
* an item's prediction is its training loading times the predicted score, back on the
  item's scale (``mean + sd * loading * score``);
* benchmarks: the training mean (naive), and a linear model (LM) regressing each item
  on the items of the exogenous constructs (EA) or of the direct predecessors (DA).

The split is repeated ``repeats`` times. Over all repetitions and held-out cases,
``q2_predict = 1 - SSE_PLS / SSE_mean``, ``rmse = sqrt(SSE / (n repeats))`` and
``mae = sum |e| / (n repeats)``. PLS predicts better than the LM benchmark for an item
when its RMSE is lower; Shmueli et al. (2019) read "all items" as high, "the majority"
as medium, "a minority" as low and "none" as no predictive power.

Blindfolding (Stone 1974; Geisser 1974; Hair et al., *A Primer on PLS-SEM*, 2nd ed.
2017, pp. 202-207), cross-validated redundancy: for each endogenous construct the data
points of its items are numbered down each item's column, item after item (point ``m =
j n + i`` for case ``i`` of item ``j``); in round ``d`` every point whose number
``m`` has ``m mod D = d`` is replaced by the item mean, the model re-estimated, and each
omitted point predicted as ``loading * sum_s path_s * score_s`` from its predecessors'
scores. ``Q² = 1 - SSE / SSO`` over the standardized items (SSO: squared deviations from
the mean). ``D`` (omission distance, default 7) should not divide the number of cases.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, MethodWarning, check_choice, check_count, check_rng
from csi.display import Summary
from csi.i18n import check_lang, text
from csi.pls.algorithm import Layout, inner_estimates, outer_weights

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

TECHNIQUES = ("EA", "DA")


def _raw(result: PLSResult) -> np.ndarray:
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError(
            "prediction needs the raw answers: this model was fitted from moments only "
            "(fit_pls_moments); use fit_pls on the data"
        )
    rows = result.row_positions
    frame = result.source_data
    X = np.empty((len(rows), result.layout.n_items))
    for k, item in enumerate(result.layout.items):  # column by column: no copy of the frame
        col = frame[item]
        if getattr(col.dtype, "kind", "O") not in "biuf":
            col = pd.to_numeric(col, errors="coerce")
        X[:, k] = col.to_numpy(dtype=float, na_value=np.nan)[rows]
    return X


def _fit(X: np.ndarray, layout: Layout, result: PLSResult) -> tuple[np.ndarray, ...]:
    """Means, SDs, weight matrix (p x J), path matrix (J x J) and own loadings (p,)."""
    mean = X.mean(axis=0)
    sd = X.std(axis=0, ddof=1)
    if np.any(~(sd > 0)):
        k = int(np.flatnonzero(~(sd > 0))[0])
        raise CsiInputError(
            f"item {layout.items[k]!r} is constant in a training fold; use fewer folds"
        )
    S = np.corrcoef(X, rowvar=False)
    wf = outer_weights(S, layout, scheme=result.scheme, tol=result.tol, max_iter=result.max_iter)
    inner = inner_estimates(S, wf.weights, layout)
    W = wf.weights[:, None] * layout.mask
    own = inner.cross_loadings[np.arange(layout.n_items), layout.block]
    return mean, sd, W, inner.paths, own


def _predict_scores(
    Y: np.ndarray, B: np.ndarray, layout: Layout, order: list[int], ea: bool
) -> np.ndarray:
    out = Y.copy()
    for t in order:
        pred = layout.predecessors[t]
        if pred.size:
            src = out if ea else Y
            out[:, t] = src[:, pred] @ B[pred, t]
    return out


def _ols(Xtr: np.ndarray, Ytr: np.ndarray, Xte: np.ndarray) -> np.ndarray:
    A = np.column_stack([np.ones(len(Xtr)), Xtr])
    beta, *_ = np.linalg.lstsq(A, Ytr, rcond=None)
    return np.column_stack([np.ones(len(Xte)), Xte]) @ beta


@dataclass(frozen=True, repr=False)
class PredictionResult:
    """PLSpredict results.

    items:
        ``construct, indicator, q2_predict, pls_rmse, pls_mae, lm_rmse, lm_mae,
        lm_q2_predict, pls_better`` (``pls_better``: PLS RMSE below the LM's).
    predictions:
        Out-of-sample PLS predictions of the endogenous items, averaged over the
        repetitions (rows as the respondents used in the fit).
    folds:
        Fold number of each respondent in each repetition, ``(repeats, n)``.
    """

    items: pd.DataFrame
    predictions: pd.DataFrame
    folds: np.ndarray = field(repr=False)
    n_folds: int = 10
    repeats: int = 10
    technique: str = "EA"
    seed: Any = None

    @property
    def power(self) -> str:
        """``high`` / ``medium`` / ``low`` / ``none`` (Shmueli et al. 2019)."""
        if not bool((self.items["q2_predict"] > 0).all()):
            return "none"
        better = int(self.items["pls_better"].sum())
        if better == len(self.items):
            return "high"
        if better > len(self.items) / 2:
            return "medium"
        return "low" if better else "none"

    def summary(self, *, lang: str = "en", digits: int = 3) -> Summary:
        """The item table and the verdict on predictive power."""
        head = text(
            "predict.title",
            check_lang(lang),
            folds=self.n_folds,
            repeats=self.repeats,
            technique=self.technique,
        )
        tail = text("predict.power", lang, power=text(f"predict.power_{self.power}", lang))
        items = self.items.round(digits)
        return Summary(
            "\n".join([head, items.to_string(index=False), tail]),
            title=head,
            notes=[tail],
            tables={"PLSpredict": items},
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html

    def __repr__(self) -> str:
        return f"PredictionResult(items={len(self.items)}, power={self.power!r})"


@dataclass(frozen=True)
class PredictionPlan:
    """What a model predicts out of sample: the endogenous items and the LM inputs.

    ``order``: constructs in causal order; ``endo``: the endogenous ones (layout
    positions); ``targets``: their items (layout positions, construct by construct);
    ``lm_inputs``: per endogenous construct the items the LM benchmark regresses on
    (the exogenous constructs' items for EA, the direct predecessors' for DA).
    """

    order: list[int]
    endo: list[int]
    targets: np.ndarray
    lm_inputs: dict[int, np.ndarray]
    ea: bool


def prediction_plan(result: PLSResult, technique: str = "EA") -> PredictionPlan:
    """The :class:`PredictionPlan` of a fitted model (``technique`` ``"EA"`` or ``"DA"``)."""
    check_choice(technique, TECHNIQUES, name="technique")
    layout, spec = result.layout, result.spec
    if layout.targets.size == 0:
        raise CsiInputError("the model has no endogenous construct to predict")
    ea = technique == "EA"
    pos = {c: j for j, c in enumerate(layout.constructs)}
    order = [pos[c] for c in spec.topological_order()]
    endo = [j for j in order if layout.predecessors[j].size]
    targets = np.array([k for j in endo for k in layout.block_items(j)], dtype=int)
    lm_inputs = {}
    for j in endo:
        sources = [pos[c] for c in spec.exogenous] if ea else list(layout.predecessors[j])
        lm_inputs[j] = np.concatenate([layout.block_items(s) for s in sources])
    return PredictionPlan(order=order, endo=endo, targets=targets, lm_inputs=lm_inputs, ea=ea)


def fold_predictions(
    X: np.ndarray, test: np.ndarray, result: PLSResult, plan: PredictionPlan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PLS, LM and training-mean predictions of the held-out rows' target items.

    The model (and the LM) is estimated on the rows where ``test`` is False and
    predicts the rows where it is True; returns three ``(n_test, len(targets))``
    arrays (the training means broadcast), in the raw answer units.
    """
    layout = result.layout
    Xtr, Xte = X[~test], X[test]
    mean, sd, W, B, own = _fit(Xtr, layout, result)
    Y = ((Xte - mean) / sd) @ W
    Yhat = _predict_scores(Y, B, layout, plan.order, plan.ea)
    k = plan.targets
    pls = mean[k] + sd[k] * own[k] * Yhat[:, layout.block[k]]
    lm = np.empty_like(pls)
    col = 0
    for j in plan.endo:
        items_j = layout.block_items(j)
        src = plan.lm_inputs[j]
        lm[:, col : col + items_j.size] = _ols(Xtr[:, src], Xtr[:, items_j], Xte[:, src])
        col += items_j.size
    return pls, lm, np.broadcast_to(mean[k], pls.shape)


def check_folds(folds: Any, repeats: Any, n: int) -> None:
    """Raise unless ``folds >= 2``, ``repeats >= 1`` and ``folds <= n // 2``."""
    check_count(folds, "folds", 2)
    check_count(repeats, "repeats", 1)
    if folds > n // 2:
        raise CsiInputError(f"folds={folds} is too many for {n} respondents (at most {n // 2})")


def fold_numbers(n: int, folds: int, repeats: int, seed: Any) -> np.ndarray:
    """``(repeats, n)`` fold of each respondent: repetition ``r`` splits
    ``rng.permutation(n)`` (the ``r``-th draw of ``default_rng(seed)``) into ``folds``
    near-equal parts with :func:`numpy.array_split`."""
    rng = check_rng(seed)
    out = np.empty((repeats, n), dtype=int)
    for r in range(repeats):
        for f, part in enumerate(np.array_split(rng.permutation(n), folds)):
            out[r, part] = f
    return out


def pls_predict(
    result: PLSResult,
    *,
    folds: int = 10,
    repeats: int = 10,
    technique: str = "EA",
    seed: Any = None,
) -> PredictionResult:
    """PLSpredict: k-fold cross-validated item predictions against the LM benchmark.

    ``folds`` (default 10) and ``repeats`` (default 10) as in Shmueli et al. (2019);
    ``technique``: ``"EA"`` (default) or ``"DA"``; ``seed`` fixes the random splits.
    Predictions use plain PLS estimates (also for a consistent fit).
    """
    plan = prediction_plan(result, technique)
    layout = result.layout
    X = _raw(result)
    n = len(X)
    check_folds(folds, repeats, n)
    targets = list(plan.targets)
    sse = np.zeros(len(targets))
    sse_lm = np.zeros(len(targets))
    sse0 = np.zeros(len(targets))
    ae = np.zeros(len(targets))
    ae_lm = np.zeros(len(targets))
    pred_sum = np.zeros((n, len(targets)))
    fold_ids = fold_numbers(n, folds, repeats, seed)
    for r in range(repeats):
        for f in range(folds):
            te = fold_ids[r] == f
            pls, lm, mean_k = fold_predictions(X, te, result, plan)
            y = X[te][:, plan.targets]
            sse += ((y - pls) ** 2).sum(axis=0)
            sse_lm += ((y - lm) ** 2).sum(axis=0)
            sse0 += ((y - mean_k) ** 2).sum(axis=0)
            ae += np.abs(y - pls).sum(axis=0)
            ae_lm += np.abs(y - lm).sum(axis=0)
            pred_sum[te] += pls
    m = n * repeats
    items = [layout.items[k] for k in targets]
    table = pd.DataFrame(
        {
            "construct": [layout.constructs[layout.block[k]] for k in targets],
            "indicator": items,
            "q2_predict": 1.0 - sse / sse0,
            "pls_rmse": np.sqrt(sse / m),
            "pls_mae": ae / m,
            "lm_rmse": np.sqrt(sse_lm / m),
            "lm_mae": ae_lm / m,
            "lm_q2_predict": 1.0 - sse_lm / sse0,
        }
    )
    table["pls_better"] = table["pls_rmse"] < table["lm_rmse"]
    rows = result.rows if result.rows is not None else pd.RangeIndex(n)
    return PredictionResult(
        items=table,
        predictions=pd.DataFrame(pred_sum / repeats, index=rows, columns=items),
        folds=fold_ids,
        n_folds=int(folds),
        repeats=int(repeats),
        technique=technique,
        seed=seed,
    )


def blindfolding(result: PLSResult, *, omission_distance: int = 7) -> pd.DataFrame:
    """Stone-Geisser Q² (cross-validated redundancy) per endogenous construct.

    Returns ``construct, sso, sse, q2``. ``omission_distance`` ``D`` between 5 and 12
    is usual (Hair et al. 2017, p. 203); a warning is given when it divides the number
    of cases (then a case loses all the construct's items in the same round).
    """
    layout = result.layout
    X = _raw(result)
    n = len(X)
    D = omission_distance
    check_count(D, "omission_distance", 2)
    if D > n // 2:
        raise CsiInputError(f"omission_distance={D} is too large for {n} respondents")
    if n % D == 0:
        warnings.warn(
            f"omission distance {D} divides the number of cases {n}; choose a D for which "
            "n / D is not a whole number",
            MethodWarning,
            stacklevel=2,
        )
    mean, sd = X.mean(axis=0), X.std(axis=0, ddof=1)
    Z = X  # standardised in place (X is this function's own copy): one n x items matrix
    Z -= mean
    Z /= sd
    rows = []
    for t in layout.targets:
        block = layout.block_items(int(t))
        k = block.size
        number = (np.arange(k)[None, :] * n + np.arange(n)[:, None]) % D  # item by item
        actual = Z[:, block]  # a copy (the block's own answers, kept for the errors)
        sse = sso = 0.0
        for d in range(D):
            omit = number == d
            # the omitted answers set to 0 in Z itself (restored below): no copy of Z
            sub = actual.copy()
            sub[omit] = 0.0
            Z[:, block] = sub
            mean_i, sd_i = Z.mean(axis=0), Z.std(axis=0, ddof=1)
            S = np.corrcoef(Z, rowvar=False)
            wf = outer_weights(
                S, layout, scheme=result.scheme, tol=result.tol, max_iter=result.max_iter
            )
            inner = inner_estimates(S, wf.weights, layout)
            centred = Z - mean_i
            centred /= sd_i
            Y = centred @ (wf.weights[:, None] * layout.mask)
            del centred
            Z[:, block] = actual
            pred = layout.predecessors[int(t)]
            yhat = Y[:, pred] @ inner.paths[pred, int(t)]
            own = inner.cross_loadings[block, int(t)]
            xhat = mean_i[block] + sd_i[block] * (yhat[:, None] * own[None, :])
            sse += float(((actual - xhat) ** 2)[omit].sum())
            sso += float((actual**2)[omit].sum())
        rows.append((layout.constructs[int(t)], sso, sse, 1.0 - sse / sso))
    return pd.DataFrame(rows, columns=["construct", "sso", "sse", "q2"])
