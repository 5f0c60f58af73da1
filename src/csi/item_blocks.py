"""Shared plumbing: a correlation matrix in the model's item order, and item blocks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.spec import ModelSpec


def item_blocks(spec: ModelSpec) -> list[np.ndarray]:
    """Positions (in ``spec.items``) of each construct's items, in construct order."""
    out, start = [], 0
    for c in spec.constructs:
        k = len(spec.indicators[c])
        out.append(np.arange(start, start + k))
        start += k
    return out


def model_corr(corr: Any, spec: ModelSpec, *, name: str = "corr") -> np.ndarray:
    """``corr`` as a float array ``(p, p)`` or ``(B, p, p)`` in ``spec.items`` order.

    A DataFrame is reordered by its labels (extra items are ignored); a plain array
    must already be in ``spec.items`` order.
    """
    items = list(spec.items)
    if isinstance(corr, pd.DataFrame):
        missing = [i for i in items if i not in corr.index or i not in corr.columns]
        if missing:
            raise CsiInputError(f"{name} lacks the item(s) {missing}")
        arr = corr.loc[items, items].to_numpy(dtype=float)
    else:
        arr = np.asarray(corr, dtype=float)
    if arr.ndim not in (2, 3) or arr.shape[-1] != arr.shape[-2]:
        raise CsiInputError(f"{name} must have shape (p, p) or (B, p, p), got {arr.shape}")
    if arr.shape[-1] != len(items):
        raise CsiInputError(
            f"{name} has {arr.shape[-1]} rows, but the model has {len(items)} items "
            f"({', '.join(items)})"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        i, j = where[-2:]
        raise CsiInputError(
            f"{name} entry ({items[i]!r}, {items[j]!r}) is not finite: {arr[where]!r}"
        )
    return arr
