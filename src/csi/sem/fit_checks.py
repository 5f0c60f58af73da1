"""Input checks and group data of :func:`csi.sem.fit_sem`.

Survey weights checked against the estimator, the items of each group checked
(numeric, finite, with variance, a positive definite covariance matrix) and reduced
to their moments (listwise, FIML rows, weighted), and single-item reliabilities
turned into fixed error variances.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_columns, check_frame, check_numeric
from csi.moments import WEIGHT_KINDS, Moments, check_weights
from csi.moments_dask import is_dask_frame
from csi.sem.syntax import SemModel, build_model
from csi.spec import ModelSpec


@dataclass
class _GroupData:
    label: Any
    n: float  # respondents (frequency weights: their sum; sampling, groups: sum of weights)
    cov: np.ndarray  # divisor n, in the model's observed order (sm.observed)
    mean: np.ndarray
    raw: np.ndarray | None  # complete rows (listwise) or all rows (fiml)
    #: survey weights of the rows of ``raw`` as used (sampling: rescaled to sum to the
    #: total N over all groups; frequency: as given), None when unweighted
    w: np.ndarray | None = None


# ------------------------------------------------------------------ data
def _resolve_weights(
    data: Any, weights: Any, weight_kind: str | None, estimator: str, missing: str
) -> tuple[np.ndarray | None, str]:
    """Checked survey weights per row (None: unweighted) and their kind."""
    kind = "sampling" if weight_kind is None else str(weight_kind)
    check_choice(kind, WEIGHT_KINDS, name="weight_kind")
    if weights is None or weights is False:
        if isinstance(data, Moments) and data.weighted:
            raise CsiInputError(
                f"fit_sem does not use weighted Moments ({data.weight_kind} weights); "
                "pass the DataFrame with weights="
            )
        return None, kind
    if weights is True:
        raise CsiInputError(
            "weights=True: give the weight column's name or one weight per row "
            "(a Survey uses its codebook's weight column by default)"
        )
    if isinstance(data, Moments) or is_dask_frame(data):
        raise CsiInputError("weights= needs the responses as a pandas DataFrame or a Survey")
    est = str(estimator).upper()
    if kind == "sampling" and est == "MLM":
        # lavaan 0.6.14 combines the weighted estimates with an unweighted Gamma here,
        # which ignores the design; csi does not reproduce that
        raise CsiInputError(
            "estimator 'MLM' is not available with sampling weights (lavaan's MLM uses "
            "unweighted fourth moments there); use estimator='ML', which gives robust "
            "sandwich standard errors and the Yuan-Bentler scaled chi-square with the weights"
        )
    allowed = ("ML",) if kind == "sampling" else ("ML", "MLM", "GLS", "ULS")
    if est not in allowed:
        raise CsiInputError(
            f"estimator {est!r} is not available with {kind} weights (available: "
            f"{', '.join(allowed)}); use weights=False for an unweighted fit"
        )
    if missing != "listwise":
        raise CsiInputError(
            f"missing={missing!r} is not available with survey weights; use "
            "missing='listwise' or weights=False"
        )
    check_frame(data)
    return check_weights(weights, data, weight_kind=kind), kind


def _group_data(
    data: pd.DataFrame | Moments,
    sm: SemModel,
    group: str | None,
    missing: str,
    weights: np.ndarray | None = None,
    weight_kind: str | None = None,
) -> tuple[list[_GroupData], int]:
    items = list(sm.observed)
    if isinstance(data, Moments):
        n = int(data.n)
        cov = data.cov.loc[items, items].to_numpy(dtype=float) * (n - 1) / n
        mean = data.means[items].to_numpy(dtype=float)
        _check_cov(cov, items, "the covariance matrix in the Moments")
        return [_GroupData(None, n, cov, mean, None)], int(data.n_excluded)
    cols = items + ([group] if group is not None else [])
    check_columns(data, cols, what="item")
    check_numeric(data, items)
    block = data[items]
    if not all(pd.api.types.is_numeric_dtype(block[c]) for c in items):
        block = block.apply(pd.to_numeric, errors="coerce")
    x = block.to_numpy(dtype=float)
    bad = np.isinf(x)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise CsiInputError(
            f"item {items[c]!r} has a non-finite answer {x[r, c]!r} at row {data.index[r]!r}"
        )
    complete = ~np.isnan(x).any(axis=1)
    if group is None:
        labels: list[Any] = [None]
        member = [np.ones(len(x), dtype=bool)]
        n_excluded = 0
    else:
        gcol = data[group]
        has_group = gcol.notna().to_numpy()
        labels = list(pd.unique(gcol[has_group]))  # order of appearance, as lavaan
        if len(labels) < 2:
            raise CsiInputError(f"group column {group!r} has fewer than 2 groups: {labels}")
        gv = gcol.to_numpy()
        member = [has_group & (gv == lab) for lab in labels]
        n_excluded = int((~has_group).sum())
    selections = []
    for mem in member:
        keep = mem & complete if missing == "listwise" else mem
        if missing == "listwise":
            n_excluded += int((mem & ~complete).sum())
        if weights is not None and weight_kind == "frequency":
            keep = keep & (weights > 0)  # a count of 0: no respondent
        selections.append(keep)
    w_used = None
    if weights is not None:
        w_used = weights.copy()
        if weight_kind == "sampling":
            # lavaan's sampling.weights.normalization = "total": the weights of the rows
            # used sum to their number N (over all groups)
            used = np.logical_or.reduce(selections)
            total = float(w_used[used].sum())
            if not total > 0:
                raise CsiInputError("every respondent with complete answers has weight 0")
            w_used = w_used * (int(used.sum()) / total)
    out = []
    for lab, keep in zip(labels, selections, strict=True):
        n_group: float | None = None
        rows = x if keep.all() else x[keep]  # read-only from here: no copy needed
        wg = None if w_used is None else w_used[keep]
        if missing == "fiml":
            empty = np.isnan(rows).all(axis=1)
            n_excluded += int(empty.sum())
            rows = rows[~empty]
        n = len(rows)
        where = "" if lab is None else f" in group {lab!r}"
        if wg is not None and weight_kind == "frequency":
            n = round(float(wg.sum()))
        if n < 2:
            raise CsiInputError(f"only {n} respondent(s) with complete answers{where}")
        if missing == "fiml":
            mean = np.nanmean(rows, axis=0)
            cov = pd.DataFrame(rows).cov().to_numpy() * (n - 1) / n
            cov = _near_pd(cov)
        elif wg is not None:
            # weighted moments, divisor the sum of the weights (lavaan: cov.wt "ML")
            total_w = float(wg.sum())
            if not total_w > 0:
                raise CsiInputError(f"every respondent{where} has weight 0")
            mean = (wg @ rows) / total_w
            centred = rows - mean
            cov = (centred * wg[:, None]).T @ centred / total_w
            _check_cov(cov, items, f"the items{where} (weighted)")
            if weight_kind == "sampling" and group is not None:
                # lavaan: a group counts with the sum of its (rescaled) weights
                n_group = total_w
        else:
            mean = rows.mean(axis=0)
            centred = rows - mean
            cov = centred.T @ centred / n
            _check_cov(cov, items, f"the items{where}")
        out.append(_GroupData(lab, n if n_group is None else n_group, cov, mean, rows, wg))
    return out, n_excluded


def _near_pd(cov: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(cov)
    if w.min() > 1e-8 * max(w.max(), 1.0):
        return cov
    w = np.maximum(w, 1e-6 * max(w.max(), 1.0))
    return (v * w) @ v.T


def _check_cov(cov: np.ndarray, items: list[str], what: str) -> None:
    var = np.diag(cov)
    const = [items[k] for k in np.flatnonzero(~(var > 0))]
    if const:
        raise CsiInputError(f"item(s) {const} have no variance in {what}")
    smallest = float(np.linalg.eigvalsh(cov).min())
    if smallest <= 1e-12 * float(var.max()):
        raise CsiInputError(
            f"the covariance matrix of {what} is not positive definite (smallest "
            f"eigenvalue {smallest:.3g}): some item is a linear combination of others, "
            "or there are fewer respondents than items"
        )


def _apply_reliability(
    model: ModelSpec | str,
    sm: SemModel,
    groups: list[_GroupData],
    columns: set[str] | None,
    reliability: float | Mapping[str, float],
    std_lv: bool = False,
    fixed_x: bool = True,
) -> SemModel:
    items = list(sm.observed)
    single = [sm.indicators(lat)[0] for lat in sm.single_item_latents()]
    rel = (
        dict(reliability)
        if isinstance(reliability, Mapping)
        else dict.fromkeys(single, float(reliability))
    )
    errors = {}
    for item, r in rel.items():
        if item not in single:
            raise CsiInputError(f"single_item_reliability: {item!r} is not a single-item construct")
        if not 0 < r <= 1:
            raise CsiInputError(f"single_item_reliability of {item!r} must be in (0, 1], got {r}")
        n = sum(g.n for g in groups)
        var = sum(g.n * g.cov[items.index(item), items.index(item)] for g in groups) / n
        errors[item] = (1.0 - r) * var
    return build_model(
        model, columns=columns, single_item_error=errors, std_lv=std_lv, fixed_x=fixed_x
    )
