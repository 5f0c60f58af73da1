"""HTMT and HTMT2 of every pair of constructs from item correlations (one matrix or a stack).

HTMT (Henseler, Ringle & Sarstedt 2015, eq. 6): for constructs ``i`` and ``j``,
``HTMT_ij = mean(|r_gh|, g in i, h in j) / sqrt(mean(|r_gg'|, g < g' in i) *
mean(|r_hh'|, h < h' in j))``; HTMT2 (Roemer, Schuberth & Henseler 2021) uses geometric
means. The discussion and the other validity criteria are in :mod:`csi.quality.validity`,
which re-exports :func:`htmt`; the kernel sits here, in the base layer, because the PLS
bootstrap computes it on every resample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from csi._checks import check_choice
from csi.item_blocks import item_blocks, model_corr
from csi.spec import ModelSpec

__all__ = ["HTMT_KINDS", "htmt"]

HTMT_KINDS = ("htmt", "htmt2")


def _mean(values: np.ndarray, kind: str) -> np.ndarray:
    """Arithmetic (htmt) or geometric (htmt2) mean over the last axis."""
    if values.shape[-1] == 0:
        return np.ones(values.shape[:-1])
    if kind == "htmt":
        return values.mean(axis=-1)
    with np.errstate(divide="ignore"):
        return np.exp(np.log(values).mean(axis=-1))


def htmt(corr: Any, spec: ModelSpec, *, kind: str = "htmt", absolute: bool = True) -> np.ndarray:
    """HTMT (or HTMT2 with ``kind="htmt2"``) for every pair of constructs.

    ``corr``: item correlation matrix ``(p, p)`` in ``spec.items`` order (a labelled
    DataFrame is reordered), or a stack ``(B, p, p)`` of resampled matrices, as the
    bootstrap gives. Returns ``(J, J)`` (or ``(B, J, J)``) in ``spec.constructs`` order,
    symmetric, NaN on the diagonal. ``kind="htmt2"`` needs positive correlations: with
    ``absolute=False`` a negative one gives NaN.
    """
    check_choice(kind, HTMT_KINDS, name="kind")
    R = model_corr(corr, spec)
    single = R.ndim == 2
    if single:
        R = R[None]
    if absolute:
        R = np.abs(R)
    blocks = item_blocks(spec)
    mono = []
    for b in blocks:
        iu = np.triu_indices(b.size, 1)
        sub = R[:, b[:, None], b[None, :]]
        with np.errstate(invalid="ignore"):
            mono.append(_mean(sub[:, iu[0], iu[1]], kind))
    J = len(blocks)
    out = np.full((R.shape[0], J, J), np.nan)
    for i in range(J):
        for j in range(i + 1, J):
            hetero = R[:, blocks[i][:, None], blocks[j][None, :]].reshape(R.shape[0], -1)
            with np.errstate(invalid="ignore", divide="ignore"):
                value = _mean(hetero, kind) / np.sqrt(mono[i] * mono[j])
            out[:, i, j] = out[:, j, i] = value
    return out[0] if single else out
