"""Sufficient statistics of the items: respondent count, means and covariance.

PLS weights, paths, R², effects and the index, and maximum-likelihood SEM, need
only these moments; raw rows are needed only for construct scores and resampling.
Computing them once lets the estimators run on data of any size (see the Dask
support in :mod:`csi.scaleout`).

Survey weights (``weights=``): the moments are weighted sums. With weights ``w_i``
(``W = sum w_i``) the mean is ``m = sum w_i x_i / W`` and the covariance
``sum w_i (x_i - m)(x_i - m)' / (W' - 1)``, where the divisor depends on the kind:

* ``"frequency"`` (``w_i`` integer copies of identical respondents): ``W' = W``, so
  the moments equal those of the data with each row repeated ``w_i`` times, and
  ``n = W``.
* ``"sampling"`` (inverse selection probabilities, calibrated weights): the weights
  are first rescaled to mean 1 over the ``n+`` respondents with a positive weight,
  ``w'_i = w_i n+ / W``, and then used as frequency weights, so the divisor is
  ``n+ - 1``. This is scale-free (multiplying every weight by a constant changes
  nothing), equal weights give exactly the unweighted moments, and a respondent
  with weight 0 changes nothing at all (the moments equal those without that row);
  ``n`` stays the number of respondents read. ``np.cov(aweights=w)`` divides by
  ``W - sum w² / W`` instead; the two differ by a factor close to 1 and only in the
  covariance scale: correlations (all PLS needs) do not depend on the divisor,
  except pairwise ones, where every pair has its own.

``sum_weights`` keeps ``W`` (the weights as given) and ``n_eff`` Kish's effective
sample size ``(sum w)² / sum w²`` (Kish 1965, *Survey Sampling*, sec. 11.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import (
    CsiInputError,
    check_choice,
    check_columns,
    check_frame,
    check_numeric,
    plain,
)

#: Kinds of survey weights (see the module docstring).
WEIGHT_KINDS = ("sampling", "frequency")


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of a set of items.

    Attributes
    ----------
    n:
        Number of respondents the moments are computed from (listwise) or the smallest
        pairwise count (pairwise).
    means:
        Item means (Series indexed by item).
    cov:
        Item covariance matrix with the unbiased ``n - 1`` denominator (DataFrame).
    missing:
        ``"listwise"``, ``"pairwise"`` or ``"mean"``: how incomplete respondents were
        handled.
    n_excluded:
        Respondents left out because of a missing answer (listwise only).
    n_replaced:
        Missing answers replaced by their item's mean (``"mean"`` only).
    weight_kind:
        ``None`` (unweighted), ``"sampling"`` or ``"frequency"`` (module docstring).
    sum_weights:
        Weighted only: the sum of the weights of the respondents used, as given.
    n_eff:
        Weighted only: Kish's effective sample size ``(sum w)² / sum w²``.
    """

    n: int
    means: pd.Series
    cov: pd.DataFrame
    missing: str = "listwise"
    n_excluded: int = 0
    n_replaced: int = 0
    weight_kind: str | None = None
    sum_weights: float | None = None
    n_eff: float | None = None

    @property
    def weighted(self) -> bool:
        """True when the moments are weighted."""
        return self.weight_kind is not None

    @cached_property
    def items(self) -> tuple[str, ...]:
        """Item names, in order."""
        return tuple(str(c) for c in self.cov.columns)

    @property
    def std(self) -> pd.Series:
        """Item standard deviations (``n - 1`` denominator)."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.cov.columns)

    @property
    def corr(self) -> pd.DataFrame:
        """Item correlation matrix."""
        sd = self.std.to_numpy()
        return pd.DataFrame(
            self.cov.to_numpy() / np.outer(sd, sd), index=self.cov.index, columns=self.cov.columns
        )

    def subset(self, items: Sequence[str]) -> Moments:
        """Moments of a subset of the items, in the given order."""
        missing = [i for i in items if i not in self.cov.columns]
        if missing:
            raise CsiInputError(f"item(s) not among the moments: {missing}")
        cols = list(items)
        return Moments(
            n=self.n,
            means=self.means[cols],
            cov=self.cov.loc[cols, cols],
            missing=self.missing,
            n_excluded=self.n_excluded,
            n_replaced=self.n_replaced,
            weight_kind=self.weight_kind,
            sum_weights=self.sum_weights,
            n_eff=self.n_eff,
        )


def mean_replace(
    X: np.ndarray, names: Sequence[str], weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean replacement: each missing (NaN) answer becomes its item's observed mean.

    ``x~_ik = x_ik`` if answered, else ``mean_{i' answered k} x_i'k`` (as SmartPLS and
    seminr's ``mean_replacement``; Hair et al. 2017, *A Primer on PLS-SEM*, sec. 2.4);
    with ``weights`` the weighted mean of the answers, ``sum w_i x_ik / sum w_i`` over
    the respondents who answered. Returns a new matrix and the mask of replaced cells;
    ``X`` is not modified. An item nobody answered (with a positive weight) is an error
    naming it.
    """
    missing = np.isnan(X)
    out = np.array(X, dtype=float, copy=True)
    if not missing.any():
        return out, missing
    w = np.ones(X.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    answered = (~missing * w[:, None]).sum(axis=0)
    empty = np.flatnonzero(answered <= 0)
    if empty.size:
        raise CsiInputError(
            f"item {names[int(empty[0])]!r} has no answers at all"
            + ("" if weights is None else " from respondents with a positive weight")
            + "; it cannot be replaced by its mean: drop it from the model"
        )
    means = (np.where(missing, 0.0, out) * w[:, None]).sum(axis=0) / answered
    rows, cols = np.nonzero(missing)
    out[rows, cols] = means[cols]
    return out, missing


def check_weights(weights: Any, data: pd.DataFrame, *, weight_kind: str = "sampling") -> np.ndarray:
    """One survey weight per row of ``data``, checked, as a new float array.

    ``weights`` is a column name of ``data``, or values in row order (an array, a list
    or a Series; a Series with ``data``'s index labels is aligned on them). Weights
    must be numbers, finite and not negative (zero is allowed: the respondent then
    contributes nothing) and not all zero; frequency weights must be whole numbers.
    Errors name the column or position, the row label and the value.
    """
    check_choice(weight_kind, WEIGHT_KINDS, name="weight_kind")
    if isinstance(weights, bool | np.bool_) or weights is None:
        raise CsiInputError(f"weights must be a column name or one weight per row, got {weights!r}")
    rows = data.index
    if isinstance(weights, str):
        if weights not in data.columns:
            raise CsiInputError(
                f"weight column {weights!r} not found in data (columns: {list(data.columns)})"
            )
        values = data[weights]
        what = f"weight column {weights!r}"
    elif isinstance(weights, pd.Series) and rows.isin(weights.index).all():
        values = weights.loc[rows] if not weights.index.equals(rows) else weights
        what = f"weights {weights.name!r}" if weights.name is not None else "weights"
    else:
        arr = np.asarray(weights)
        if arr.ndim != 1 or arr.shape[0] != len(rows):
            raise CsiInputError(
                f"weights: got {arr.shape[0] if arr.ndim == 1 else arr.shape} values, "
                f"expected one per row of the data ({len(rows)})"
            )
        values = pd.Series(arr, index=rows)
        what = "weights"
    if len(values) != len(rows):
        raise CsiInputError(f"{what}: got {len(values)} values, expected {len(rows)}")
    num = pd.to_numeric(pd.Series(np.asarray(values, dtype=object), index=rows), errors="coerce")
    w = num.to_numpy(dtype=float, na_value=np.nan)
    given = pd.Series(np.asarray(values, dtype=object), index=rows)
    text = np.isnan(w) & given.notna().to_numpy()
    checks = (
        (text, "a non-numeric weight"),
        (np.isnan(w) & ~text, "a missing weight"),
        (np.isinf(w), "an infinite weight"),
        (w < 0, "a negative weight"),
    )
    for bad, problem in checks:
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise CsiInputError(
                f"{what} has {problem} ({given.iloc[pos]!r}) at row {plain(rows[pos])!r}"
            )
    if weight_kind == "frequency":
        frac = w != np.round(w)
        if frac.any():
            pos = int(np.flatnonzero(frac)[0])
            raise CsiInputError(
                f"{what}: frequency weights count identical respondents and must be whole "
                f"numbers; got {float(w[pos])!r} at row {plain(rows[pos])!r}"
            )
    if not (w > 0).any():
        raise CsiInputError(f"{what}: every weight is zero")
    return w


def effective_weights(w: np.ndarray, weight_kind: str) -> np.ndarray:
    """Weights as used in the sums: frequency as given; sampling ``w n+ / sum w``.

    ``n+`` is the number of positive weights, so sampling weights have mean 1 over
    those respondents (module docstring: the divisor convention).
    """
    w = np.asarray(w, dtype=float)
    if weight_kind == "frequency":
        return w.copy()
    total = w.sum()
    return w * (np.count_nonzero(w > 0) / total) if total > 0 else w.copy()


def kish_n_eff(w: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)² / sum w²`` (Kish 1965, sec. 11.7)."""
    w = np.asarray(w, dtype=float)
    sq = float((w * w).sum())
    return float(w.sum()) ** 2 / sq if sq > 0 else 0.0


def weighted_moments(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Means ``sum w x / W`` and covariance ``sum w (x - m)(x - m)' / (W - 1)`` of complete rows.

    ``w`` are effective weights (:func:`effective_weights`); returns ``(means, cov, W)``.
    """
    total = float(w.sum())
    means = (w @ X) / total
    centred = X - means
    cov = (centred * w[:, None]).T @ centred / (total - 1.0)
    return means, cov, total


def weighted_pairwise(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete weighted moments of ``X`` (NaN = missing).

    For the respondents ``A`` answering both items ``k`` and ``l``, with
    ``W_kl = sum_A w``: ``cov_kl = (sum_A w x_k x_l - sum_A w x_k sum_A w x_l / W_kl)
    / (W_kl - 1)`` (each pair centred on its own weighted means, as
    ``pandas.DataFrame.cov`` does unweighted); item means over each item's answers.
    Returns ``(means, cov, W_kl)``.
    """
    obs = ~np.isnan(X)
    o = obs.astype(float)
    ow = o * w[:, None]
    count = ow.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(obs, X, 0.0).T @ w / count
    # centre on the item means first (smaller sums, less rounding), then per pair
    Z = np.where(obs, X - means, 0.0)
    Zw = Z * w[:, None]
    pair_w = ow.T @ o
    S = Zw.T @ o  # S[k, l] = sum_{A_kl} w z_k
    P = Zw.T @ Z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (P - S * S.T / pair_w) / (pair_w - 1.0)
    return means, cov, pair_w


def moments_from_frame(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    missing: str = "listwise",
    weights: Any = None,
    weight_kind: str = "sampling",
) -> Moments:
    """Moments of ``items`` (default: all columns) of a pandas DataFrame.

    ``missing="listwise"`` uses only respondents who answered every item (the number
    left out is kept in ``n_excluded``); ``"pairwise"`` uses every available pair
    (``n`` is then the smallest pairwise count); ``"mean"`` replaces each missing
    answer by its item's observed mean (:func:`mean_replace`; ``n`` is every
    respondent, ``n_replaced`` the cells replaced).

    ``weights`` (a column name or one weight per row, :func:`check_weights`) makes
    every moment weighted, ``weight_kind`` ``"sampling"`` (default) or
    ``"frequency"``; the divisor convention is in the module docstring. Listwise
    uses the weights of the complete rows; mean replacement the weighted mean of
    each item's answers; pairwise the weights of each pair's respondents
    (:func:`weighted_pairwise`). ``n`` is the number of respondents used (the
    smallest pair count for pairwise), for frequency weights the sum of their
    weights.

    Examples
    --------
    >>> import pandas as pd
    >>> from csi import moments_from_frame
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, None], "b": [2, 4, 5, 9, 3]})
    >>> m = moments_from_frame(df)  # listwise: the last row is left out
    >>> m.n, m.n_excluded, m.means.tolist(), m.cov.round(3).to_numpy().tolist()
    (4, 1, [2.5, 5.0], [[1.667, 3.667], [3.667, 8.667]])
    >>> m = moments_from_frame(df.dropna(), weights=[1, 1, 1, 2], weight_kind="frequency")
    >>> m.n, m.means.round(3).tolist()  # as if the last complete row were there twice
    (5, [2.8, 5.8])
    """
    check_frame(data)
    cols = list(data.columns if items is None else items)
    check_columns(data, cols, what="item")
    check_numeric(data, cols)
    if missing not in ("listwise", "pairwise", "mean"):
        raise CsiInputError(f"missing must be 'listwise', 'pairwise' or 'mean', got {missing!r}")
    if weights is not None:
        w = check_weights(weights, data, weight_kind=weight_kind)
        X = data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return weighted_frame_moments(X, w, cols, missing=missing, weight_kind=weight_kind)
    block = data[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    if missing == "listwise":
        complete = block.dropna()
        n_excluded = len(block) - len(complete)
        n = len(complete)
        if n < 2:
            raise CsiInputError(
                f"only {n} respondent(s) answered every item; at least 2 are needed"
            )
        return Moments(
            n=n, means=complete.mean(), cov=complete.cov(), missing=missing, n_excluded=n_excluded
        )
    if missing == "pairwise":
        counts = block.notna().astype(float)
        pair_n = counts.T @ counts
        n = int(pair_n.to_numpy().min())
        if n < 2:
            raise CsiInputError("some pair of items has fewer than 2 respondents answering both")
        return Moments(n=n, means=block.mean(), cov=block.cov(), missing=missing)
    filled, replaced = mean_replace(block.to_numpy(dtype=float), cols)
    if len(filled) < 2:
        raise CsiInputError(f"only {len(filled)} respondent(s); at least 2 are needed")
    frame = pd.DataFrame(filled, index=block.index, columns=block.columns)
    return Moments(
        n=len(frame),
        means=frame.mean(),
        cov=frame.cov(),
        missing=missing,
        n_replaced=int(replaced.sum()),
    )


def weighted_frame_moments(
    X: np.ndarray,
    w: np.ndarray,
    items: Sequence[str],
    *,
    missing: str,
    weight_kind: str,
    used: np.ndarray | None = None,
) -> Moments:
    """Weighted moments of the item matrix ``X`` (NaN = missing) with checked weights ``w``.

    The work of :func:`moments_from_frame` with ``weights``; ``used`` (optional) is
    the rows' matrix after the missing-data policy when the caller has it already.
    """
    labels = pd.Index(list(items), dtype=object)
    frequency = weight_kind == "frequency"
    if missing == "pairwise":
        eff = effective_weights(w, weight_kind)
        means, cov, pair_w = weighted_pairwise(X, eff)
        obs = (~np.isnan(X)).astype(float)
        pair_n = (obs * (w > 0)[:, None]).T @ obs
        bad = (pair_n < 2) | ~(pair_w > 1.0)
        if bad.any():
            k, m = (int(v) for v in np.argwhere(bad)[0])
            raise CsiInputError(
                f"only {pair_n[k, m]:g} respondent(s) with a positive weight answer both "
                f"{labels[k]!r} and {labels[m]!r} (sum of weights {pair_w[k, m]:g}); "
                "pairwise covariances need at least 2"
            )
        return Moments(
            n=round(float(pair_w.min())) if frequency else int(pair_n.min()),
            means=pd.Series(means, index=labels),
            cov=pd.DataFrame(cov, index=labels, columns=labels),
            missing=missing,
            weight_kind=weight_kind,
            sum_weights=float(w.sum()),
            n_eff=kish_n_eff(w),
        )
    n_replaced = 0
    if missing == "mean":
        rows = np.ones(X.shape[0], dtype=bool)
        if used is None:
            used, replaced = mean_replace(X, items, weights=w)
            n_replaced = int(replaced.sum())
        else:
            n_replaced = int(np.isnan(X).sum())
    else:
        rows = ~np.isnan(X).any(axis=1)
        if used is None:
            used = X[rows]
    wu = w[rows]
    eff = effective_weights(wu, weight_kind)
    positive = int(np.count_nonzero(wu > 0))
    if positive < 2 or eff.sum() < 2.0:
        raise CsiInputError(
            f"only {positive} respondent(s) with a positive weight "
            + ("answered every item" if missing == "listwise" else "")
            + "; at least 2 are needed (frequency weights: a total of at least 2)"
        )
    means, cov, total = weighted_moments(used, eff)
    n = round(total) if frequency else int(used.shape[0])
    return Moments(
        n=n,
        means=pd.Series(means, index=labels),
        cov=pd.DataFrame(cov, index=labels, columns=labels),
        missing=missing,
        n_excluded=int(X.shape[0] - used.shape[0]),
        n_replaced=n_replaced,
        weight_kind=weight_kind,
        sum_weights=float(wu.sum()),
        n_eff=kish_n_eff(wu),
    )
