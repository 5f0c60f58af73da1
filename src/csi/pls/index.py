"""The ACSI 0-100 index, impacts and the importance-performance map.

Index (Fornell, Johnson, Anderson, Cha & Bryant 1996, *Journal of Marketing* 60(4);
ACSI methodology report): each item is put on 0-100, ``x' = (x - lo) / (hi - lo) * 100``;
the PLS outer weights (which give standardised scores) are turned into weights on
these raw units, ``w_i / sd(x'_i)``, and normalised to sum to 1 within the
construct, ``u_i``. Then

    index_j = sum_i u_i mean(x'_i)

and a respondent's 0-100 construct score is ``sum_i u_i x'_ri``. With one scale
for all items this is ``sum_i u_i (mean_i - lo) / (hi - lo) * 100`` with
``u_i ∝ w_i / sd(x_i)``; with per-item scales each item is first put on 0-100, so
recoding items to 0-100 (and saying so with ``scale=(0, 100)``) leaves the index
unchanged. A negative ``u_i`` makes the index a non-convex combination that can
leave [0, 100]: :class:`NegativeWeightWarning`.

Impacts and importance: the 0-100 construct score is an affine function of the
standardised PLS score, ``score_j = a_j + c_j Y_j`` with
``c_j = 1 / sum_i (w_i / sd(x'_i))``, so the total effect between 0-100 scores
(the unstandardised total effect, i.e. what a regression of the 0-100 scores
along the structural model gives) is ``T_st * c_t / c_s`` for the standardised
total effect ``T_st``. ``impact = points * that``: how many index points the target
gains when the driver's index rises by ``points`` (ACSI reports 5).

Importance-performance map analysis (Ringle & Sarstedt 2016, *Industrial Management
& Data Systems* 116(9), 1865-1886): for a target construct, each driver's importance
is its unstandardised total effect on the target's 0-100 score and its performance
is its index; for an indicator, importance is ``u_i`` times its construct's
unstandardised total effect and performance is its 0-100 mean.
:func:`ipma_priorities` sorts the drivers into the map's four quadrants, split at the
mean importance and mean performance (Ringle & Sarstedt 2016, Fig. 2; Martilla &
James 1977, *Journal of Marketing* 41(1)), and ranks them for improvement.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from csi import formulas as _formulas
from csi._checks import CsiInputError, CsiWarning, check_columns, check_frame, check_numeric, plain
from csi.pls.algorithm import Layout
from csi.scales import scale_bounds

#: What ``scale`` may be: one scale for every item (``(lo, hi)``, ``{"min", "max"}`` or a
#: RatingScale; see :func:`csi.scales.scale_bounds`), a mapping item -> scale, or a
#: codebook (anything with ``.item(name)`` returning an object with ``min``/``max``).
ScaleLike = Any


class NegativeWeightWarning(CsiWarning):
    """A rescaled outer weight is negative: the index is then not a weighted mean."""


def normalise_scale(scale: ScaleLike, items: tuple[str, ...]) -> Any:
    """Check ``scale`` and return it as ``(lo, hi)`` or a dict item -> ``(lo, hi)``.

    Returns ``None`` for ``None``. A codebook is read into a dict (an item without
    end points in the codebook raises).
    """
    if scale is None:
        return None
    is_array = isinstance(scale, np.ndarray | pd.Series)  # .item() is not a codebook's
    if not is_array and hasattr(scale, "item") and callable(scale.item):
        out: dict[str, tuple[float, float]] = {}
        for name in items:
            info = scale.item(name)
            lo, hi = getattr(info, "min", None), getattr(info, "max", None)
            if lo is None or hi is None:
                raise CsiInputError(
                    f"the codebook gives no scale end points for item {name!r}; pass scale=(lo, hi)"
                )
            out[name] = scale_bounds(info, name=f"codebook scale of {name!r}")
        return _collapse(out)
    if isinstance(scale, Mapping) and set(scale) != {"min", "max"}:
        missing = [i for i in items if i not in scale]
        if missing:
            raise CsiInputError(f"scale gives no end points for item(s) {missing}")
        return _collapse({i: scale_bounds(scale[i], name=f"scale of {i!r}") for i in items})
    return scale_bounds(scale, name="scale")


def _collapse(per_item: dict[str, tuple[float, float]]) -> Any:
    values = set(per_item.values())
    return next(iter(values)) if len(values) == 1 else per_item


def scale_arrays(scale: Any, items: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-item ``lo`` and ``hi`` arrays from a normalised scale."""
    if isinstance(scale, dict):
        lo = np.array([scale[i][0] for i in items])
        hi = np.array([scale[i][1] for i in items])
    else:
        lo = np.full(len(items), float(scale[0]))
        hi = np.full(len(items), float(scale[1]))
    return lo, hi


def rescaled_weights(
    weights: np.ndarray,
    sd: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    layout: Layout,
    *,
    warn: bool = True,
) -> np.ndarray:
    """``u_i = (w_i / sd(x'_i)) / sum_{k in block} (w_k / sd(x'_k))`` with ``x'`` on 0-100.

    Warns with :class:`NegativeWeightWarning` naming the items with ``u_i < 0``.
    """
    raw = weights / (sd * 100.0 / (hi - lo))
    sums = np.bincount(layout.block, weights=raw, minlength=layout.n_constructs)
    u = raw / sums[layout.block]
    if warn and np.any(u < 0):
        bad = [
            f"{layout.items[k]} ({layout.constructs[layout.block[k]]})"
            for k in np.flatnonzero(u < 0)
        ]
        warnings.warn(
            "negative rescaled outer weight(s) for " + ", ".join(bad) + ": the index of "
            "their construct is not a weighted mean of its items and may leave [0, 100]",
            NegativeWeightWarning,
            stacklevel=4,
        )
    return u


def score_slopes(
    weights: np.ndarray, sd: np.ndarray, lo: np.ndarray, hi: np.ndarray, layout: Layout
) -> np.ndarray:
    """``c_j`` in ``score_j(0-100) = a_j + c_j Y_j``: ``1 / sum_i (w_i / sd(x'_i))``."""
    raw = weights / (sd * 100.0 / (hi - lo))
    return 1.0 / np.bincount(layout.block, weights=raw, minlength=layout.n_constructs)


def to_100(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Items on 0-100 (broadcast over the last axis): :func:`csi.formulas.to_100`."""
    return np.asarray(_formulas.to_100(x, lo, hi))


def construct_index(means100: np.ndarray, u: np.ndarray, layout: Layout) -> np.ndarray:
    """``index_j = sum_i u_i mean(x'_i)`` for item means already on 0-100 (last axis)."""
    return (means100 * u) @ layout.mask


def unstandardised_effects(total: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """Total effects between 0-100 scores: ``T[s, t] * c_t / c_s``."""
    return total * slopes[None, :] / slopes[:, None]


#: Quadrants of the importance-performance map, in the order they are ranked.
QUADRANTS = (
    "high_importance_low_performance",
    "high_importance_high_performance",
    "low_importance_low_performance",
    "low_importance_high_performance",
)


def ipma_priorities(ipma: pd.DataFrame) -> pd.DataFrame:
    """Quadrant and improvement priority of each driver of an importance-performance map.

    ``ipma`` has columns ``kind, importance, performance`` (as :meth:`PLSResult.ipma`).
    Within each ``kind`` (constructs and indicators separately), a driver has high
    importance when ``importance >= mean(importance)`` of its kind, and high
    performance when ``performance >= mean(performance)``: the cross-hairs of the map
    at the means. Drivers are ranked for improvement by quadrant, in the order of
    :data:`QUADRANTS` (high importance with low performance first), then by
    decreasing importance (ties: lower performance first). Returns a copy, sorted by
    ``kind`` (in order of first appearance) and ``priority``, with columns
    ``quadrant`` and ``priority`` (1, 2, ... within each kind) added.
    """
    frame = check_frame(ipma, name="ipma")
    check_columns(frame, ["kind", "importance", "performance"], name="ipma")
    check_numeric(frame, ["importance", "performance"], name="ipma")
    parts = []
    for _, part in frame.groupby("kind", sort=False):
        imp = pd.to_numeric(part["importance"]).to_numpy(dtype=float)
        perf = pd.to_numeric(part["performance"]).to_numpy(dtype=float)
        bad = ~np.isfinite(imp) | ~np.isfinite(perf)
        if bad.any():
            row = plain(part.index[int(np.flatnonzero(bad)[0])])
            raise CsiInputError(f"ipma: row {row!r} has a missing importance or performance")
        high_imp = imp >= imp.mean()
        high_perf = perf >= perf.mean()
        code = np.where(high_imp, np.where(high_perf, 1, 0), np.where(high_perf, 3, 2))
        order = np.lexsort((perf, -imp, code))
        out = part.iloc[order].copy()
        out["quadrant"] = [QUADRANTS[c] for c in code[order]]
        out["priority"] = np.arange(1, len(out) + 1)
        parts.append(out)
    if not parts:
        return frame.assign(quadrant=pd.Series(dtype=object), priority=pd.Series(dtype=int))
    return pd.concat(parts).reset_index(drop=True)


def hoc_index(
    dimension_index: np.ndarray, weights: np.ndarray, slopes: np.ndarray
) -> tuple[float, np.ndarray, float]:
    """0-100 index of a higher-order construct (HOC) built by two-stage estimation.

    Stage two measures the HOC by its dimensions' standardised scores ``Y_k`` with
    outer weights ``w_k``: ``H = sum_k w_k Y_k`` (unit variance). A dimension's
    0-100 score is ``s_k = I_k + c_k Y_k`` (``I_k`` its index, the mean of ``s_k``;
    ``c_k`` its score slope, :func:`score_slopes`, which is also the sd of ``s_k``).
    So ``sum_k (w_k / c_k) s_k = sum_k (w_k / c_k) I_k + H`` and the HOC's 0-100 score
    is

        s_H = sum_k u_k s_k,   u_k = (w_k / c_k) / sum_l (w_l / c_l),

    an affine function of ``H`` with slope ``c_H = 1 / sum_l (w_l / c_l)``, whose mean
    is the index

        index_H = sum_k u_k I_k:

    the weighted mean of the dimensions' indices with the HOC's rescaled
    unstandardised outer weights. As ``s_k = sum_{i in k} u_i x'_i`` (the items on
    0-100), ``s_H = sum_k sum_{i in k} u_k u_i x'_i`` with weights summing to 1: the
    0-100 scale of the original items. It is the ordinary index (:func:`rescaled_weights`,
    :func:`construct_index`) with the dimensions' 0-100 scores as the HOC's items
    on a (0, 100) scale (Fornell et al. 1996; Ringle & Sarstedt 2016 for the IPMA of
    HOCs). Returns ``(index_H, u, c_H)``.
    """
    ratio = np.asarray(weights, dtype=float) / np.asarray(slopes, dtype=float)
    total = float(ratio.sum())
    u = ratio / total
    return float(u @ np.asarray(dimension_index, dtype=float)), u, 1.0 / total
