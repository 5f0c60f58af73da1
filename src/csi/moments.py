"""Sufficient statistics of the items: respondent count, means and covariance.

PLS weights, paths, R², effects and the index, and maximum-likelihood SEM, need
only these moments; raw rows are needed only for construct scores and resampling.
Computing them once lets the estimators run on data of any size (see the Dask
support in :mod:`csi.dask`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame, check_numeric


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
    """

    n: int
    means: pd.Series
    cov: pd.DataFrame
    missing: str = "listwise"
    n_excluded: int = 0
    n_replaced: int = 0

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
        )


def mean_replace(X: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mean replacement: each missing (NaN) answer becomes its item's observed mean.

    ``x~_ik = x_ik`` if answered, else ``mean_{i' answered k} x_i'k`` (as SmartPLS and
    seminr's ``mean_replacement``; Hair et al. 2017, *A Primer on PLS-SEM*, sec. 2.4).
    Returns a new matrix and the mask of replaced cells; ``X`` is not modified. An item
    nobody answered is an error naming it.
    """
    missing = np.isnan(X)
    out = np.array(X, dtype=float, copy=True)
    if not missing.any():
        return out, missing
    answered = (~missing).sum(axis=0)
    empty = np.flatnonzero(answered == 0)
    if empty.size:
        raise CsiInputError(
            f"item {names[int(empty[0])]!r} has no answers at all; it cannot be replaced by "
            "its mean: drop it from the model"
        )
    means = np.where(missing, 0.0, out).sum(axis=0) / answered
    rows, cols = np.nonzero(missing)
    out[rows, cols] = means[cols]
    return out, missing


def moments_from_frame(
    data: pd.DataFrame, items: Sequence[str] | None = None, *, missing: str = "listwise"
) -> Moments:
    """Moments of ``items`` (default: all columns) of a pandas DataFrame.

    ``missing="listwise"`` uses only respondents who answered every item (the number
    left out is kept in ``n_excluded``); ``"pairwise"`` uses every available pair
    (``n`` is then the smallest pairwise count); ``"mean"`` replaces each missing
    answer by its item's observed mean (:func:`mean_replace`; ``n`` is every
    respondent, ``n_replaced`` the cells replaced).
    """
    check_frame(data)
    cols = list(data.columns if items is None else items)
    check_columns(data, cols, what="item")
    check_numeric(data, cols)
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
    if missing == "mean":
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
    raise CsiInputError(f"missing must be 'listwise', 'pairwise' or 'mean', got {missing!r}")
