"""The arrays a PLS fit stores: its estimates (:class:`PLSArrays`) and its item
moments (:class:`MomentArrays`), in index form; :class:`csi.pls.result.PLSResult`
builds its tables from them when they are first read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd

from csi.moments import Moments
from csi.pls.effects import total_effects

__all__ = ["MomentArrays", "PLSArrays"]


class _TotalEffects:
    """The ``total`` field of :class:`PLSArrays`: the array given, or else the total
    effects of ``paths``, ``T = (I - B)^-1 - I`` (:func:`csi.pls.effects.total_effects`),
    computed when first read and kept: a fit pays for them only when a table, the
    impacts or the bootstrap needs them."""

    slot = "_total"

    @overload
    def __get__(self, obj: None, owner: Any = None) -> None: ...

    @overload
    def __get__(self, obj: PLSArrays, owner: Any = None) -> np.ndarray: ...

    def __get__(self, obj: PLSArrays | None, owner: Any = None) -> np.ndarray | None:
        if obj is None:
            return None  # the dataclass default: not given
        held: np.ndarray | None = obj.__dict__.get(self.slot)
        if held is None:
            held = total_effects(obj.paths)
            obj.__dict__[self.slot] = held
        return held

    def __set__(self, obj: PLSArrays, value: np.ndarray | None) -> None:
        obj.__dict__[self.slot] = value  # (frozen: only the dataclass __init__ sets it)


@dataclass(frozen=True)
class PLSArrays:
    """The estimates in index form (order of ``Layout.items`` / ``Layout.constructs``).

    ``weights``, ``loadings`` ``(p,)``; ``cross_loadings`` ``(p, J)``; ``construct_corr``,
    ``paths`` (``paths[s, t]`` for ``s -> t``), ``total`` ``(J, J)``; ``r2``, ``rho_a``
    ``(J,)`` (R² NaN for exogenous constructs); ``corr`` the item correlation matrix
    ``(p, p)`` the model was estimated from. Paths, total effects, R², loadings and
    construct correlations are the PLSc ones when the fit was consistent (and then
    ``consistent_rho_a`` holds the reliabilities used). ``total`` may be left out: it
    is then ``(I - B)^-1 - I`` of ``paths``, computed when first read.
    """

    weights: np.ndarray
    loadings: np.ndarray
    cross_loadings: np.ndarray
    construct_corr: np.ndarray
    paths: np.ndarray
    r2: np.ndarray
    corr: np.ndarray
    total: _TotalEffects = _TotalEffects()
    consistent_rho_a: np.ndarray | None = None


@dataclass(frozen=True)
class MomentArrays:
    """Unweighted item moments held as arrays until :attr:`PLSResult.moments` is read.

    The attributes the result reads often (``missing``, ``weight_kind``, ...) are those
    of :class:`csi.Moments`; :meth:`build` gives the Moments (means Series, covariance
    DataFrame, both indexed by the ``items``, an object Index built then).
    """

    n: int
    means: np.ndarray
    cov: np.ndarray
    items: tuple[str, ...]
    missing: str
    n_excluded: int = 0
    n_replaced: int = 0
    weight_kind: None = None
    sum_weights: None = None
    n_eff: None = None
    weighted: bool = False

    def build(self) -> Moments:
        labels = pd.Index(list(self.items), dtype=object)  # (frames build 3x faster on it)
        return Moments(
            n=self.n,
            means=pd.Series(self.means, index=labels, copy=False),
            cov=pd.DataFrame(self.cov, index=labels, columns=labels, copy=False),
            missing=self.missing,
            n_excluded=self.n_excluded,
            n_replaced=self.n_replaced,
        )
