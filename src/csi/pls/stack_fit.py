"""The result of a batched PLS fit on a stack of resamples, its failure codes, and the
two helpers the resampling loops share (counts from row indices, an ordered thread pool).

Split from :mod:`csi.pls.batched` (the engine), which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from csi.pls.algorithm import Layout

__all__ = [
    "DEGENERATE",
    "ESTIMATION_ERROR",
    "INADMISSIBLE",
    "INADMISSIBLE_RULES",
    "NON_FINITE",
    "NON_POSITIVE_RHO",
    "NOT_CONVERGED",
    "OK",
    "REASONS",
    "StackFit",
    "bootstrap_counts",
    "run_ordered",
]

_R = TypeVar("_R")

#: Failure reasons, in code order (code 0 = success).
REASONS = (
    "ok",
    "degenerate",
    "not converged",
    "estimation error",
    "non-positive rho_A",
    "inadmissible",
    "non-finite statistic",
)
(
    OK,
    DEGENERATE,
    NOT_CONVERGED,
    ESTIMATION_ERROR,
    NON_POSITIVE_RHO,
    INADMISSIBLE,
    NON_FINITE,
) = range(7)
#: How PLSc solutions with a reliability above 1 or a correlation beyond ±1 are treated.
INADMISSIBLE_RULES = ("keep", "drop")


@dataclass(frozen=True)
class StackFit:
    """PLS estimates for a stack of ``B`` weighted copies of the data.

    ``status`` ``(B,)`` holds a code from :data:`REASONS`; ``detail`` a message per
    failed member. Arrays are ``(B, ...)`` in layout order: ``corr`` item
    correlations, ``weights``, ``loadings`` ``(B, p)``, ``cross_loadings``
    ``(B, p, J)``, ``construct_corr``, ``paths``, ``total`` ``(B, J, J)``, ``r2``
    ``(B, J)``; ``means`` and ``sd`` the items' means and standard deviations on the
    raw answer scale (divisor ``sum(c)``); ``cov_z`` the item covariances in
    full-sample z units; ``weight_total`` ``sum(c)``; ``flips`` ``(B, J)`` True where
    a construct's sign was corrected; ``inadmissible`` ``(B,)`` PLSc reliability
    above 1 or correlation beyond ±1 among the valid members (kept and only counted
    with ``Engine.inadmissible="keep"``); ``counts`` the count rows; ``rho_a``
    ``(B, J)`` the PLSc reliabilities (``None`` for plain PLS). With segments
    (:meth:`Engine.set_groups`): ``segment_sums`` ``(B, G, p)`` each segment's
    weighted sums of the z scores and ``segment_totals`` ``(B, G)`` its sum of
    counts x weights.
    """

    layout: Layout
    status: np.ndarray
    detail: dict[int, str]
    corr: np.ndarray
    cov_z: np.ndarray
    weights: np.ndarray
    loadings: np.ndarray
    cross_loadings: np.ndarray
    construct_corr: np.ndarray
    paths: np.ndarray
    total: np.ndarray
    r2: np.ndarray
    means: np.ndarray
    sd: np.ndarray
    weight_total: np.ndarray
    flips: np.ndarray
    inadmissible: np.ndarray
    n_rows: int = 0
    raw_counts: np.ndarray | None = None
    rho_a: np.ndarray | None = None
    row_weights: np.ndarray | None = None
    segment_sums: np.ndarray | None = None
    segment_totals: np.ndarray | None = None
    positions: np.ndarray | None = None  # raw_counts in visiting order: column of each row

    @cached_property
    def counts(self) -> np.ndarray | None:
        """The count rows x survey weights ``(B, N)``, float (built on first use)."""
        if self.raw_counts is None:
            return None
        raw = self.raw_counts if self.positions is None else self.raw_counts[:, self.positions]
        return np.asarray(raw, dtype=float) if self.row_weights is None else raw * self.row_weights

    @property
    def valid(self) -> np.ndarray:
        """``(B,)`` True for members that were estimated without failure."""
        return self.status == OK


def bootstrap_counts(indices: np.ndarray, n_rows: int) -> np.ndarray:
    """Counts ``(B, N)`` (how often each row is drawn) from resample row indices ``(B, N)``."""
    flat = (indices + np.arange(indices.shape[0])[:, None] * n_rows).ravel()
    return np.bincount(flat, minlength=indices.shape[0] * n_rows).reshape(-1, n_rows).astype(float)


def run_ordered(
    work: Callable[[Any], _R],
    jobs: Iterable[Any],
    *,
    workers: int,
    on_result: Callable[[_R], None],
) -> None:
    """Apply ``work`` to each job with up to ``workers`` threads; results in job order.

    Jobs are produced by the iterator in the calling thread (so any random draws
    happen there, in order) and at most ``2 * workers`` are in flight, which bounds
    memory. NumPy releases the GIL in the matrix products and batched solves, so
    threads run the heavy parts in parallel.
    """
    if workers <= 1:
        for job in jobs:
            result = work(job)
            del job  # the next job is drawn without this one's data held
            on_result(result)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[_R]] = []
        for job in jobs:
            pending.append(pool.submit(work, job))
            while len(pending) > 2 * workers:
                on_result(pending.pop(0).result())
        for fut in pending:
            on_result(fut.result())
