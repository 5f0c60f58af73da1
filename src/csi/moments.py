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
        ``"listwise"`` or ``"pairwise"``: how incomplete respondents were handled.
    n_excluded:
        Respondents left out because of a missing answer (listwise only).
    """

    n: int
    means: pd.Series
    cov: pd.DataFrame
    missing: str = "listwise"
    n_excluded: int = 0

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
        )


def moments_from_frame(
    data: pd.DataFrame, items: Sequence[str] | None = None, *, missing: str = "listwise"
) -> Moments:
    """Moments of ``items`` (default: all columns) of a pandas DataFrame.

    ``missing="listwise"`` uses only respondents who answered every item (the number
    left out is kept in ``n_excluded``); ``"pairwise"`` uses every available pair
    (``n`` is then the smallest pairwise count).
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
    raise CsiInputError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
