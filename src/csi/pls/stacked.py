"""The PLS weight iterations on a stack of correlation matrices (:mod:`csi.pls.batched`).

:func:`iterate_weights` runs the steps of :func:`csi.pls.algorithm.outer_weights` on a
stack ``(B, p, p)`` at once, each member stopping on its own convergence; the
path-scheme regressions of all members are solved together (:func:`_solve_spd`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csi.pls.algorithm import Layout, PLSEstimationError, _inner_weights, _mode_b, _normalise


@dataclass(frozen=True)
class _Weights:
    weights: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    change: np.ndarray


def _solve_spd(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``A x = b`` for stacks of small symmetric positive definite systems.

    Gaussian elimination without pivoting (stable for SPD matrices), vectorised over
    the leading axes: much faster than one LAPACK call per tiny system. A singular
    system gives non-finite values.
    """
    k = A.shape[-1]
    if k == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            return b / A[..., 0, :]
    A = A.copy()
    x = b.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(k - 1):
            f = A[..., i + 1 :, i] / A[..., i, i, None]
            A[..., i + 1 :, i:] -= f[..., :, None] * A[..., i, None, i:]
            x[..., i + 1 :] -= f * x[..., i, None]
        for i in range(k - 1, -1, -1):
            acc = x[..., i]
            if i < k - 1:
                acc = acc - np.einsum("...j,...j->...", A[..., i, i + 1 :], x[..., i + 1 :])
            x[..., i] = acc / A[..., i, i]
    return x


class _PathScheme:
    """Path-scheme inner weights with the predecessor regressions grouped by size."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        groups: dict[int, list[tuple[int, np.ndarray]]] = {}
        for t in layout.targets:
            pred = layout.predecessors[int(t)]
            groups.setdefault(pred.size, []).append((int(t), pred))
        self.groups = [
            (np.array([t for t, _ in g])[:, None], np.stack([p for _, p in g]))
            for g in groups.values()
        ]

    def __call__(self, C: np.ndarray) -> np.ndarray:
        E = C * self.layout.path.T  # successors: correlation
        for tg, pr in self.groups:
            A = C[:, pr[:, :, None], pr[:, None, :]]
            beta = _solve_spd(A, C[:, pr, tg])
            if not np.isfinite(beta).all():
                raise PLSEstimationError("the predecessors of a construct are perfectly collinear")
            E[:, pr, tg] += beta
        if self.layout.isolated.size:
            E[:, self.layout.isolated, self.layout.isolated] = 1.0
        return E


def iterate_weights(
    S: np.ndarray,
    layout: Layout,
    *,
    scheme: str,
    tol: float,
    max_iter: int,
    anchors: np.ndarray | None = None,
) -> _Weights:
    """The PLS iterations of :func:`csi.pls.algorithm.outer_weights` on a stack ``(B, p, p)``.

    Same steps, start (all weights 1), sign rule (``anchors``) and stop rule, so each member's
    weights equal a separate fit of its matrix; faster for large stacks because the
    path-scheme regressions use :func:`_solve_spd` and members leave the stack once
    they have converged.
    """
    n_batch = S.shape[0]
    path = _PathScheme(layout) if scheme == "path" else None
    W = np.broadcast_to(layout.mask, (n_batch, *layout.mask.shape)).copy()
    W, SW = _normalise(S, W, layout, anchors)
    final = W.copy()
    iterations = np.zeros(n_batch, dtype=np.intp)
    change = np.full(n_batch, np.inf)
    live = np.arange(n_batch)
    S_live = S
    for it in range(1, max_iter + 1):
        C = np.swapaxes(W, 1, 2) @ SW
        E = path(C) if path is not None else _inner_weights(C, layout, scheme)
        T = (SW @ E) * layout.mask
        if layout.mode_b.any():
            T = _mode_b(S_live, T, layout)
        W_new, SW_new = _normalise(S_live, T, layout, anchors)
        delta = np.abs(W_new - W).max(axis=(1, 2))
        iterations[live] = it
        change[live] = delta
        W, SW = W_new, SW_new
        done = delta < tol
        if done.any():
            final[live[done]] = W[done]
            keep = ~done
            live = live[keep]
            if not live.size:
                break
            S_live, W, SW = S_live[keep], W[keep], SW[keep]
    if live.size:
        final[live] = W
    return _Weights(final.sum(axis=2), iterations, change < tol, change)
