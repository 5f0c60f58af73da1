"""Objective weights from the data: entropy, CRITIC and coefficient of variation.

All three take a DataFrame (rows = respondents or alternatives, columns =
indicators) and return a Series of weights indexed by column, summing to 1.

Shared rules
------------
* ``directions``: ``{column: "benefit" | "cost"}`` (or +1 / -1); columns not named
  are benefit. A cost column counts "smaller is better".
* Missing values: ``missing="error"`` (default) names the first column and row;
  ``missing="drop"`` drops incomplete rows listwise with a warning giving the count
  (also in ``weights.attrs["n_dropped"]``).
* A **constant column** carries no information: it gets weight 0 and a warning
  naming it (never NaN). If every column is constant there is nothing to weigh and
  a :class:`~csi.CsiInputError` is raised.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import (
    CsiInputError,
    DataWarning,
    check_choice,
    check_columns,
    check_frame,
    check_numeric,
)

__all__ = ["critic_weights", "cv_weights", "entropy_weights"]


def _prepare(
    data: Any,
    columns: Sequence[str] | None,
    missing: str,
    *,
    what: str,
) -> tuple[pd.DataFrame, int]:
    frame = check_frame(data)
    check_choice(missing, ["error", "drop"], name="missing")
    cols = list(frame.columns) if columns is None else [str(c) for c in columns]
    check_columns(frame, cols)
    if len(cols) < 2:
        raise CsiInputError(f"{what} need at least 2 columns, got {len(cols)}")
    check_numeric(frame, cols)
    x = frame[cols].apply(pd.to_numeric).astype(float)
    inf = np.isinf(x.to_numpy())
    if inf.any():
        i, j = (int(v) for v in np.argwhere(inf)[0])
        raise CsiInputError(f"column {cols[j]!r} has an infinite value at row {x.index[i]!r}")
    na = x.isna().to_numpy()
    n_dropped = 0
    if na.any():
        if missing == "error":
            i, j = (int(v) for v in np.argwhere(na)[0])
            raise CsiInputError(
                f"column {cols[j]!r} has a missing value at row {x.index[i]!r} "
                f"({int(na.any(axis=1).sum())} incomplete rows); pass missing='drop' to drop "
                "incomplete rows listwise"
            )
        keep = ~na.any(axis=1)
        n_dropped = int((~keep).sum())
        warnings.warn(
            f"{what}: dropped {n_dropped} of {len(x)} rows with missing values (listwise)",
            DataWarning,
            stacklevel=3,
        )
        x = x.loc[keep]
    if len(x) < 2:
        raise CsiInputError(f"{what} need at least 2 complete rows, got {len(x)}")
    return x, n_dropped


def _directions(directions: Mapping[str, Any] | None, cols: list[str]) -> np.ndarray:
    """+1 for benefit, -1 for cost, per column."""
    out = np.ones(len(cols))
    if directions is None:
        return out
    for k, v in directions.items():
        if k not in cols:
            raise CsiInputError(f"directions names column {k!r} which is not among {cols}")
        if v in ("benefit", 1, "+", "max"):
            out[cols.index(k)] = 1
        elif v in ("cost", -1, "-", "min"):
            out[cols.index(k)] = -1
        else:
            raise CsiInputError(f"direction of column {k!r} must be 'benefit' or 'cost', got {v!r}")
    return out


def _constant(x: pd.DataFrame, what: str) -> np.ndarray:
    arr = x.to_numpy()
    const = np.ptp(arr, axis=0) == 0
    if const.all():
        raise CsiInputError(
            f"{what}: every column is constant ({list(x.columns)}); nothing to weigh"
        )
    if const.any():
        names = [c for c, k in zip(x.columns, const, strict=True) if k]
        warnings.warn(
            f"{what}: constant column(s) {names} carry no information and get weight 0",
            DataWarning,
            stacklevel=3,
        )
    return const


def _minmax(arr: np.ndarray, dirs: np.ndarray, const: np.ndarray) -> np.ndarray:
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.where(const, 1.0, hi - lo)
    z = np.where(dirs > 0, (arr - lo) / span, (hi - arr) / span)
    return np.where(const, 0.0, z)


def _series(w: np.ndarray, cols: list[str], method: str, n_dropped: int, **extra: Any) -> pd.Series:
    s = pd.Series(w, index=cols, name="weight")
    s.attrs.update({"method": method, "n_dropped": n_dropped, **extra})
    return s


def entropy_weights(
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    normalisation: str = "sum",
    directions: Mapping[str, Any] | None = None,
    zeros: str = "limit",
    epsilon: float = 1e-4,
    missing: str = "error",
) -> pd.Series:
    """Entropy weights (Shannon entropy method; e.g. Zeleny 1982, Hwang & Yoon 1981).

    With ``m`` rows, proportions ``p_ij = z_ij / sum_i z_ij``, entropy
    ``e_j = -sum_i p_ij ln p_ij / ln m``, divergence ``d_j = 1 - e_j`` and weight
    ``w_j = d_j / sum_k d_k``.

    ``normalisation``: ``"sum"`` (default): ``z = x`` for benefit and ``z = 1/x`` for
    cost columns (values must be >= 0; a cost column must be > 0). ``"minmax"``:
    ``z = (x - min) / (max - min)`` (benefit) or ``(max - x) / (max - min)`` (cost).

    ``zeros`` (a ``z`` of 0 makes ``ln p`` undefined):

    * ``"limit"`` (default): use the limit ``0 ln 0 = 0``, i.e. the exact entropy of
      the proportions. A zero then counts as what it is, one answer with no mass; it
      does not set the column's entropy to 0 (which would hand it the largest weight,
      as some implementations do).
    * ``"shift"``: add ``epsilon`` to every ``z`` first (the usual textbook translation,
      ``z + 0.0001``); changes all weights slightly.
    * ``"error"``: raise naming the first zero.

    Constant columns get weight 0 (warning). Returns a Series indexed by column
    (``attrs["entropy"]`` holds ``e_j``).

    Examples
    --------
    The column that varies most between rows gets the largest weight:

    >>> import pandas as pd
    >>> from csi.weighting import entropy_weights
    >>> df = pd.DataFrame({"price": [1, 1, 1, 9], "service": [4, 5, 6, 5], "speed": [2, 8, 2, 6]})
    >>> w = entropy_weights(df)
    >>> w.round(3).to_dict()
    {'price': 0.752, 'service': 0.014, 'speed': 0.235}
    >>> round(w.attrs["entropy"]["service"], 3)
    0.993
    """
    check_choice(normalisation, ["sum", "minmax"], name="normalisation")
    check_choice(zeros, ["limit", "shift", "error"], name="zeros")
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise CsiInputError(f"epsilon must be a positive number, got {epsilon!r}")
    x, n_dropped = _prepare(data, columns, missing, what="entropy weights")
    cols = list(x.columns)
    dirs = _directions(directions, cols)
    arr = x.to_numpy()
    const = _constant(x, "entropy weights")
    if normalisation == "sum":
        neg = arr < 0
        if neg.any():
            i, j = (int(v) for v in np.argwhere(neg)[0])
            raise CsiInputError(
                f"column {cols[j]!r} has a negative value {float(arr[i, j])!r} at row "
                f"{x.index[i]!r}; sum normalisation needs values >= 0 (use "
                "normalisation='minmax')"
            )
        z = arr.copy()
    else:
        z = _minmax(arr, dirs, const)
    is_zero = (z == 0) & ~const[None, :]
    if zeros == "error" and is_zero.any():
        i, j = (int(v) for v in np.argwhere(is_zero)[0])
        raise CsiInputError(
            f"column {cols[j]!r} is 0 at row {x.index[i]!r} after {normalisation} "
            "normalisation; choose zeros='limit' or zeros='shift'"
        )
    if zeros == "shift":
        z = z + epsilon
    if normalisation == "sum":
        cost = dirs < 0
        zero_cost = (z == 0) & cost[None, :]
        if zero_cost.any():
            i, j = (int(v) for v in np.argwhere(zero_cost)[0])
            raise CsiInputError(
                f"cost column {cols[j]!r} is 0 at row {x.index[i]!r}: sum normalisation uses "
                "1/x for cost columns; use zeros='shift' or normalisation='minmax'"
            )
        with np.errstate(divide="ignore"):
            z = np.where(cost[None, :], 1.0 / np.where(z == 0, 1.0, z), z)
    m = z.shape[0]
    totals = z.sum(axis=0)
    p = z / np.where(totals > 0, totals, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    e = np.where(const, 1.0, np.clip(e, 0.0, 1.0))
    d = 1.0 - e
    if d.sum() <= 0:
        raise CsiInputError(
            "entropy weights: every column has maximal entropy (all answers equal within "
            "each column); nothing to weigh"
        )
    return _series(
        d / d.sum(),
        cols,
        "entropy",
        n_dropped,
        entropy=dict(zip(cols, e.tolist(), strict=True)),
        normalisation=normalisation,
        zeros=zeros,
    )


def critic_weights(
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    directions: Mapping[str, Any] | None = None,
    missing: str = "error",
) -> pd.Series:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995, Computers & OR 22(7)).

    Columns are min-max normalised (benefit ``(x - min) / (max - min)``, cost
    ``(max - x) / (max - min)``); ``C_j = s_j * sum_k (1 - r_jk)`` with ``s_j`` the
    standard deviation of the normalised column and ``r`` Pearson correlations;
    ``w_j = C_j / sum_k C_k``. Constant columns are left out of the correlations and
    get weight 0 (warning).

    Examples
    --------
    >>> import pandas as pd
    >>> from csi.weighting import critic_weights
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [4, 3, 2, 4], "c": [1, 1, 2, 2]})
    >>> critic_weights(df).round(3).to_dict()
    {'a': 0.212, 'b': 0.464, 'c': 0.323}
    """
    x, n_dropped = _prepare(data, columns, missing, what="CRITIC weights")
    cols = list(x.columns)
    dirs = _directions(directions, cols)
    const = _constant(x, "CRITIC weights")
    z = _minmax(x.to_numpy(), dirs, const)[:, ~const]
    if z.shape[1] < 2:
        raise CsiInputError(
            "CRITIC weights need at least 2 non-constant columns (conflict is measured "
            "between columns)"
        )
    s = z.std(axis=0, ddof=1)
    r = np.corrcoef(z, rowvar=False)
    c = s * (1.0 - r).sum(axis=0)
    if c.sum() <= 0:
        raise CsiInputError(
            "CRITIC weights: the non-constant columns are perfectly correlated; no conflict "
            "to weigh"
        )
    w = np.zeros(len(cols))
    w[~const] = c / c.sum()
    info = np.zeros(len(cols))
    info[~const] = c
    return _series(
        w, cols, "critic", n_dropped, information=dict(zip(cols, info.tolist(), strict=True))
    )


def cv_weights(
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    missing: str = "error",
) -> pd.Series:
    """Coefficient-of-variation weights: ``v_j = s_j / mean_j``, ``w_j = v_j / sum_k v_k``.

    ``s_j`` is the sample standard deviation (ddof = 1). The coefficient of variation
    needs ratio-scale data with a positive mean, so negative values are an error.
    The direction of a column does not change its dispersion, so there is no
    ``directions`` option. Constant columns get weight 0 (warning).

    Examples
    --------
    >>> import pandas as pd
    >>> from csi.weighting import cv_weights
    >>> df = pd.DataFrame({"price": [1, 1, 1, 9], "service": [4, 5, 6, 5], "speed": [2, 8, 2, 6]})
    >>> cv_weights(df).round(3).to_dict()
    {'price': 0.616, 'service': 0.075, 'speed': 0.308}
    """
    x, n_dropped = _prepare(data, columns, missing, what="coefficient-of-variation weights")
    cols = list(x.columns)
    arr = x.to_numpy()
    neg = arr < 0
    if neg.any():
        i, j = (int(v) for v in np.argwhere(neg)[0])
        raise CsiInputError(
            f"column {cols[j]!r} has a negative value {float(arr[i, j])!r} at row "
            f"{x.index[i]!r}; the coefficient of variation needs values >= 0"
        )
    const = _constant(x, "coefficient-of-variation weights")
    mean = arr.mean(axis=0)
    s = arr.std(axis=0, ddof=1)
    v = np.where(const, 0.0, s / np.where(mean > 0, mean, 1.0))
    return _series(v / v.sum(), cols, "cv", n_dropped, cv=dict(zip(cols, v.tolist(), strict=True)))
