"""A PLS model in index form (:class:`Layout`): the arrays the algorithm works with.

Items and constructs by position, the block of each item, the paths, and the
index arrays that gather each endogenous construct's regression system and the
path-scheme inner weights from the construct correlations in one ``take``
(:mod:`csi.pls.algorithm`). Built once per :class:`csi.ModelSpec` (cached).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from csi.spec import ModelSpec

__all__ = ["CONSTANTS", "Layout"]


@dataclass(frozen=True)
class Layout:
    """A model in index form: which item belongs to which construct, and the paths.

    ``mask[k, j]`` is 1 when item ``k`` belongs to construct ``j``; ``path[s, t]`` is
    True for a path ``s -> t``; ``predecessors[j]`` holds the indices of the
    constructs with a path into ``j``; ``targets`` are the endogenous constructs and
    ``pred_mask[k, i]`` is True when ``i`` is a predecessor of ``targets[k]``;
    ``pred_pairs[k]`` marks the predecessor block of the correlation matrix and
    ``pred_padding[k]`` is 1 on the diagonal outside it (the padded systems of
    :func:`csi.pls.algorithm.regress_paths`). ``matrix_take``, ``rhs_take`` and
    ``path_take`` index the flat array ``[C.ravel(), 0, 1, beta.ravel()]``
    (construct correlations ``C``; :data:`CONSTANTS`; regression weights ``beta``
    ``(T, J)``): ``take`` by ``matrix_take`` ``(T, J, J)`` and ``rhs_take`` ``(T, J)``
    gives each target's padded system ``A beta_k = rhs``, by ``path_take`` ``(J, J)``
    the path-scheme inner weights (``C`` for a successor, ``beta`` for a
    predecessor, 1 for an isolated construct). Each entry is one value of that
    array, so these are the same numbers as building
    the matrices step by step. ``own_take`` ``(p,)`` picks each item's own construct
    from a flat ``(p, J)`` array (the loadings from the cross-loadings).
    """

    constructs: tuple[str, ...]
    items: tuple[str, ...]
    block: np.ndarray
    mask: np.ndarray
    mode_b: np.ndarray
    path: np.ndarray
    predecessors: tuple[np.ndarray, ...]
    adjacent: np.ndarray
    isolated: np.ndarray
    targets: np.ndarray
    pred_mask: np.ndarray
    pred_pairs: np.ndarray
    pred_padding: np.ndarray
    matrix_take: np.ndarray
    rhs_take: np.ndarray
    path_take: np.ndarray
    own_take: np.ndarray

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> Layout:
        """The layout of ``spec`` (cached per spec: specs are immutable, arrays read-only)."""
        return _layout_of(spec)

    @classmethod
    def _build(cls, spec: ModelSpec) -> Layout:
        constructs = spec.constructs
        items = spec.items
        pos = {c: j for j, c in enumerate(constructs)}
        block = np.repeat(np.arange(len(constructs)), [len(spec.indicators[c]) for c in constructs])
        mask = np.zeros((len(items), len(constructs)))
        mask[np.arange(len(items)), block] = 1.0
        path = np.zeros((len(constructs), len(constructs)), dtype=bool)
        for s, t in spec.paths:
            path[pos[s], pos[t]] = True
        adjacent = path | path.T
        targets = np.flatnonzero(path.any(axis=0))
        pred_mask = path[:, targets].T.copy()
        pred_pairs = pred_mask[:, :, None] & pred_mask[:, None, :]
        pred_padding = np.zeros(pred_pairs.shape)
        free = np.arange(len(constructs))
        pred_padding[:, free, free] = ~pred_mask
        layout = cls(
            constructs=constructs,
            items=items,
            block=block,
            mask=mask,
            mode_b=np.array([spec.modes[c] == "B" for c in constructs]),
            path=path,
            predecessors=tuple(np.flatnonzero(col) for col in path.T),
            adjacent=adjacent,
            isolated=np.flatnonzero(~adjacent.any(axis=0)),
            targets=targets,
            pred_mask=pred_mask,
            pred_pairs=pred_pairs,
            pred_padding=pred_padding,
            **_take_indices(path, targets, pred_mask, pred_pairs),
            own_take=np.arange(len(items)) * len(constructs) + block,
        )
        for value in vars(layout).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
        return layout

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_constructs(self) -> int:
        return len(self.constructs)

    def block_items(self, j: int) -> np.ndarray:
        """Indices of the items of construct ``j``."""
        return np.flatnonzero(self.block == j)


#: The constants after ``C.ravel()`` in the arrays that :class:`Layout`'s ``*_take`` index.
CONSTANTS = np.array([0.0, 1.0])
CONSTANTS.setflags(write=False)


def _take_indices(
    path: np.ndarray, targets: np.ndarray, pred_mask: np.ndarray, pred_pairs: np.ndarray
) -> dict[str, np.ndarray]:
    """``matrix_take``, ``rhs_take`` and ``path_take`` of :class:`Layout` (see there)."""
    J = path.shape[0]
    flat = np.arange(J * J).reshape(J, J)  # C[i, j] sits at i * J + j
    zero, one, beta0 = J * J, J * J + 1, J * J + 2
    cols = np.arange(J)
    padding = np.where(np.eye(J, dtype=bool), one, zero)
    matrix = np.where(pred_pairs, flat, padding).astype(np.intp)  # (T, J, J)
    rhs = np.where(pred_mask, flat[:, targets].T, zero).astype(np.intp)  # C[i, t_k]
    inner = np.where(path.T, flat, zero)  # successors i of j (j -> i): C[i, j]
    for k, t in enumerate(targets):
        inner[pred_mask[k], t] = beta0 + k * J + cols[pred_mask[k]]  # beta[k, i]
    isolated = np.flatnonzero(~(path | path.T).any(axis=0))
    inner[isolated, isolated] = one
    return {"matrix_take": matrix, "rhs_take": rhs, "path_take": inner.astype(np.intp)}


@functools.lru_cache(maxsize=64)
def _layout_of(spec: ModelSpec) -> Layout:
    return Layout._build(spec)
