"""The one-stage fit behind :func:`csi.fit_pls`, and :func:`fit_pls_moments`.

:func:`fit_single` checks the data (a DataFrame or a :class:`csi.survey.Survey`), applies
the missing-data policy (listwise, pairwise or mean replacement), computes the item
moments (n, means, covariance) and fits the model from them; the raw rows are used
only for construct scores. The algorithm itself (:mod:`csi.pls.algorithm`) works on the indicator
correlation matrix, so it accepts a stack of resampled matrices as well.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import (
    CsiInputError,
    CsiWarning,
    check_choice,
    check_frame,
    check_numeric,
    copy_on_write,
    plain,
)
from csi.moments import (
    WEIGHT_KINDS,
    Moments,
    check_weights,
    mean_replace,
    weighted_frame_moments,
)
from csi.moments_dask import is_dask_frame, moments_from_dask
from csi.pls import index as _ix
from csi.pls.estimate import _fit
from csi.pls.result import MomentArrays, PLSResult
from csi.spec import ModelSpec, as_spec
from csi.survey import Survey

__all__ = ["MISSING", "SmallSampleWarning", "fit_pls_moments", "fit_single"]


class SmallSampleWarning(CsiWarning):
    """Fewer respondents than the rules of thumb advise for the model (see ``fit_pls``)."""


def fit_single(
    data: pd.DataFrame | Moments | Survey | Any,
    spec: ModelSpec | str,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool = False,
    scale: Any = None,
    missing: str | None = None,
    client: Any = None,
    progress: bool = False,
    weights: Any = None,
    weight_kind: str | None = None,
    sign: Any = "loadings",
) -> PLSResult:
    """Fit a model without interaction terms or higher-order constructs in one stage.

    The options are :func:`csi.fit_pls`'s (documented there); the multi-stage fits
    (:mod:`csi.pls.interaction`, :mod:`csi.pls.higher_order`) call this for each stage.
    """
    spec = as_spec(spec)
    if spec.interactions:
        raise CsiInputError(
            f"interaction terms ({', '.join(spec.interactions)}) need the staged fit: "
            "use csi.fit_pls"
        )
    source: pd.DataFrame | None = None
    roles: dict[str, Any] | None = None
    if isinstance(data, Survey):
        if weights is None:
            weights = data.weight
        roles = _design_roles(data, weights)
        if weight_kind is None:
            weight_kind = data.codebook.weight_kind
        if missing is None:
            missing = "listwise" if data.missing == "keep" else data.missing
        if scale is None:
            scale = _codebook_scale(data.codebook, spec.items)
        source = data.public_data(all_respondents=True)
        hidden = [i for i in spec.items if i not in source.columns]
        if hidden:
            raise CsiInputError(
                f"item(s) {hidden} are id, personal or free-text columns of the survey's "
                "codebook; they cannot be model items"
            )
        data = data.all_responses()
    if missing is None:
        missing = "listwise"
    weights, weight_kind = _weight_options(weights, weight_kind)
    if is_dask_frame(data):
        if missing != "listwise":
            raise CsiInputError("a Dask table is read listwise; pass missing='listwise'")
        if weights is not None and not isinstance(weights, str):
            raise CsiInputError("a Dask table takes weights= as the name of its weight column")
        data = moments_from_dask(
            data,
            spec.items,
            client=client,
            progress=progress,
            weights=weights,
            weight_kind=weight_kind,
        )
        weights = None  # in the moments now
    if isinstance(data, Moments):
        if weights is not None:
            raise CsiInputError(
                "weights= cannot be applied to moments: compute weighted moments with "
                "moments_from_frame(..., weights=...) and fit those"
            )
        return fit_pls_moments(
            data,
            spec,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            consistent=consistent,
            scale=scale,
            sign=sign,
        )
    check_choice(missing, MISSING, name="missing")
    if not isinstance(data, pd.DataFrame) or not data.columns.is_unique:  # (cached by pandas)
        check_frame(data)  # raises naming the problem
    spec_items = spec.items
    items = list(spec_items)
    X = _item_matrix(data, items, spec=spec)
    n_read = len(X)
    # (ufunc reductions called directly here and below: the ndarray methods add a layer)
    sums = np.add.reduce(X, axis=0)
    every = bool(np.logical_and.reduce(np.isfinite(sums)))  # no NaN (missing answer) in X
    if every:
        complete = np.ones(n_read, dtype=bool)
    else:
        complete = ~np.logical_or.reduce(np.isnan(X), axis=1)
        every = bool(np.logical_and.reduce(complete))
    replaced = None
    w_read = None
    moments: Moments | MomentArrays
    centred = None
    if weights is not None:
        w_read = check_weights(weights, data, weight_kind=weight_kind)
        if missing == "mean":
            used, replaced = mean_replace(X, items, weights=w_read)
            positions = np.arange(n_read)
        else:
            used = X[complete]
            positions = np.flatnonzero(complete)
        moments = weighted_frame_moments(
            X, w_read, items, missing=missing, weight_kind=weight_kind, used=used
        )
        in_moments = w_read if missing == "pairwise" else w_read[positions]
        n_used = (
            round(float(in_moments.sum()))
            if weight_kind == "frequency"
            else (n_read if missing == "pairwise" else used.shape[0])
        )
        _check_n(moments.n, moments.n_excluded, spec)
    elif missing == "pairwise":
        moments = _pairwise_moments(X, _labels(spec_items))
        used = X[complete]
        positions = np.flatnonzero(complete)
        n_used = n_read
    else:
        if missing == "mean":
            used, replaced = mean_replace(X, items)
            positions = np.arange(n_read)
        else:
            # every respondent complete: the matrix itself, not a copy of it
            used = X if every else X[complete]
            positions = np.arange(n_read) if every else np.flatnonzero(complete)
        n_used = used.shape[0]
        _check_n(n_used, n_read - n_used, spec)
        # what used.mean(axis=0) computes (the column sums of X when every row is used)
        means = (sums if used is X else np.add.reduce(used, axis=0)) / n_used
        centred = used - means  # kept for the construct scores
        cov = (centred.T @ centred) / (n_used - 1)
        # kept as arrays: the result builds the csi.Moments when it is first read
        moments = MomentArrays(
            n=n_used,
            means=means,
            cov=cov,
            items=spec_items,
            missing=missing,
            n_excluded=n_read - n_used,
            n_replaced=0 if replaced is None else int(replaced.sum()),
        )
    norm_scale = _ix.normalise_scale(scale, spec_items)
    if norm_scale is not None:
        _check_range(X, norm_scale, spec_items)
    if source is None:
        # the result's own copy: later edits of data change nothing (with pandas'
        # copy-on-write a shallow copy already guarantees that, at a fraction of the cost)
        source = data.copy(deep=not copy_on_write())
    if replaced is not None:
        for k, item in enumerate(items):
            if replaced[:, k].any():
                source[item] = used[:, k]
    return _fit(
        moments,
        spec,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        consistent=consistent,
        scale=norm_scale,
        raw=used,
        centred=centred,
        # every row used: a view of the frame's index (its own name) rather than a copy
        rows=data.index.view() if positions.size == n_read else data.index[positions],
        positions=positions,
        source=source,
        n_used=n_used,
        n_unscored=n_read - positions.size,
        replaced=replaced,
        row_weights=w_read,
        design_roles=roles if w_read is not None else None,
        sign=sign,
    )


def fit_pls_moments(
    moments: Moments,
    spec: ModelSpec | str,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool = False,
    scale: Any = None,
    sign: Any = "loadings",
) -> PLSResult:
    """Fit a PLS path model from item moments only (e.g. computed from a Dask frame).

    Same options as :func:`fit_pls`. Everything but construct scores (and so the
    per-respondent and per-segment index) follows from ``n``, the means and the
    covariance matrix; ``scores`` is ``None``.
    """
    spec = as_spec(spec)
    if spec.interactions:
        raise CsiInputError(
            f"interaction terms ({', '.join(spec.interactions)}) are built from the "
            "respondents' answers, not from moments: use fit_pls on the data"
        )
    if not isinstance(moments, Moments):
        raise TypeError(f"moments must be a csi.Moments, got {type(moments).__name__}")
    spec.check_data(moments.items, name="the moments")
    if tuple(moments.items) != spec.items:
        moments = moments.subset(spec.items)
    _check_n(moments.n, moments.n_excluded, spec)
    norm_scale = _ix.normalise_scale(scale, spec.items)
    if norm_scale is not None:
        lo, hi = _ix.scale_arrays(norm_scale, spec.items)
        means = moments.means.to_numpy(dtype=float)
        outside = np.flatnonzero((means < lo) | (means > hi))
        if outside.size:
            k = int(outside[0])
            raise CsiInputError(
                f"item {spec.items[k]!r} has mean {means[k]:g}, outside its scale "
                f"({lo[k]:g}, {hi[k]:g}); check scale="
            )
    return _fit(
        moments,
        spec,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        consistent=consistent,
        scale=norm_scale,
        raw=None,
        rows=None,
        positions=None,
        source=None,
        sign=sign,
    )


# ------------------------------------------------------------------ helpers
#: Missing-data policies of :func:`fit_pls` for a DataFrame or a Survey.
MISSING = ("listwise", "pairwise", "mean")


def _design_roles(survey: Survey, weights: Any) -> dict[str, Any] | None:
    """The codebook's design columns (strata, cluster, replicate weights) for the bootstrap.

    Replicate weights belong to the codebook's own weight column: with other weights
    only the strata and clusters are kept (as :meth:`csi.metrics.Design.from_survey`).
    """
    if weights is None or weights is False:
        return None
    cb = survey.codebook
    own = isinstance(weights, str) and weights == cb.weight
    roles: dict[str, Any] = {}
    if cb.strata is not None:
        roles["strata"] = cb.strata
    if cb.cluster is not None:
        roles["cluster"] = cb.cluster
    if own and cb.replicate_weights:
        roles["replicate_weights"] = tuple(cb.replicate_weights)
        roles["replicate_type"] = cb.replicate_type
    return roles or None


def _weight_options(weights: Any, weight_kind: str | None) -> tuple[Any, str]:
    """``weights`` (None for unweighted) and the checked ``weight_kind``."""
    kind = "sampling" if weight_kind is None else weight_kind
    check_choice(kind, WEIGHT_KINDS, name="weight_kind")
    if weights is False:
        return None, kind
    if weights is True:
        raise CsiInputError(
            "weights=True: give the weight column's name or one weight per row "
            "(a Survey uses its codebook's weight column by default)"
        )
    return weights, kind


def _codebook_scale(codebook: Any, items: tuple[str, ...]) -> Any:
    """The codebook as ``scale=`` when it gives every item's end points, else None."""
    for name in items:
        try:
            info = codebook.item(name)
        except CsiInputError:  # an item the codebook does not know (CodebookError)
            return None
        if getattr(info, "min", None) is None or getattr(info, "max", None) is None:
            return None
    return codebook


def _pairwise_moments(X: np.ndarray, labels: pd.Index) -> Moments:
    """Pairwise-complete moments: ``cov_kl`` from the respondents answering both items.

    ``cov_kl = sum_{i in A_kl} (x_ik - m_k^(kl))(x_il - m_l^(kl)) / (n_kl - 1)``, means
    over the pair's respondents ``A_kl`` (as ``pandas.DataFrame.cov``); item means
    over each item's answers; ``n`` the smallest ``n_kl``.
    """
    frame = pd.DataFrame(X, columns=labels)
    answered = (~np.isnan(X)).astype(float)
    pair_n = answered.T @ answered
    n_min = int(pair_n.min()) if pair_n.size else 0
    if n_min < 2:
        k, m = (int(v) for v in np.argwhere(pair_n < 2)[0])
        raise CsiInputError(
            f"only {int(pair_n[k, m])} respondent(s) answer both {labels[k]!r} and "
            f"{labels[m]!r}; pairwise covariances need at least 2"
        )
    return Moments(n=n_min, means=frame.mean(), cov=frame.cov(), missing="pairwise", n_excluded=0)


def _item_matrix(
    data: pd.DataFrame, items: list[str], *, spec: ModelSpec | None = None
) -> np.ndarray:
    """The items as a float matrix (NaN for missing); raise naming a bad value.

    With ``spec``, an item missing from the columns raises :meth:`ModelSpec.check_data`'s
    error (naming it and its construct).
    """
    pos = _positions(data.columns, items)
    if pos is None:
        where = {c: k for k, c in enumerate(data.columns.tolist())}
        if spec is not None:
            spec.check_data(list(where))  # raises naming the missing items
        pos = [where[i] for i in items]  # KeyError naming the first
    dtypes = _column_dtypes(data)
    kinds = [getattr(t, "kind", "O") for t in dtypes]
    numeric = set(kinds) <= _NUMBER_KINDS  # every column bool, integer or float
    text = [] if numeric else [items[j] for j, k in enumerate(pos) if kinds[k] not in "biuf"]
    if text:
        check_numeric(data, text)
    if numeric:
        if all(isinstance(t, np.dtype) for t in dtypes):
            # plain numpy columns: missing values are already NaN
            X = data.to_numpy(dtype=float)[:, pos]
        else:
            X = data.to_numpy(dtype=float, na_value=np.nan)[:, pos]
    else:
        block = data.iloc[:, pos]
        if text:
            block = block.apply(pd.to_numeric, errors="coerce")
        X = block.to_numpy(dtype=float, na_value=np.nan)
    integers = numeric and "f" not in kinds  # (else: ask the item columns only)
    if not integers and any(kinds[k] not in "biu" for k in pos) and np.isinf(X).any():
        r, c = (int(v) for v in np.argwhere(np.isinf(X))[0])
        raise CsiInputError(
            f"data: column {items[c]!r} has an infinite value {float(X[r, c])!r} "
            f"at row {plain(data.index[r])!r}"
        )
    return X


def _column_dtypes(data: pd.DataFrame) -> list[Any]:
    """``data.dtypes.tolist()``, read from pandas' block manager when it offers
    ``get_dtypes`` (the same list, without building the ``dtypes`` Series: ~14 µs of a
    ~0.4 ms fit); ``data.dtypes`` otherwise."""
    get = getattr(getattr(data, "_mgr", None), "get_dtypes", None)
    if get is not None:
        found = list(get())
        if len(found) == len(data.columns):
            return found
    return data.dtypes.tolist()


#: dtype kinds of the columns :func:`_item_matrix` reads directly (bool, integer, float)
_NUMBER_KINDS = frozenset("biuf")

#: column positions of the items, per columns Index (immutable, so the answer cannot go stale;
#: the weak reference tells a recycled ``id`` from the same Index)
_POSITIONS: dict[int, tuple[weakref.ref[pd.Index], tuple[str, ...], list[int]]] = {}


def _positions(columns: pd.Index, items: list[str]) -> list[int] | None:
    """Positions of ``items`` among ``columns`` (None when one is missing)."""
    key = tuple(items)
    hit = _POSITIONS.get(id(columns))
    if hit is not None and hit[0]() is columns and hit[1] == key:
        return hit[2]
    where = {c: k for k, c in enumerate(columns.tolist())}
    if any(i not in where for i in items):
        return None
    pos = [where[i] for i in items]
    if len(_POSITIONS) >= 64:
        _POSITIONS.clear()
    _POSITIONS[id(columns)] = (weakref.ref(columns), key, pos)
    return pos


@functools.lru_cache(maxsize=64)
def _item_labels(items: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(items), dtype=object)


def _labels(items: tuple[str, ...]) -> pd.Index:
    """The items as an object Index (3x cheaper to build frames on than arrow strings).

    Built once per item list; each fit gets its own view, so renaming one result's
    index cannot reach another's.
    """
    return _item_labels(items).view()


@functools.lru_cache(maxsize=64)
def _size_rules(spec: ModelSpec) -> tuple[int, int, int, int]:
    """``(most predecessors, largest formative block, respondents needed, advised)``.

    The "10-times rule" (Barclay, Higgins & Thompson 1995; Hair et al. 2017, ch. 1): at
    least 10 x the largest number of arrows pointing at one construct (structural
    predecessors, or formative items); and never fewer respondents than items.
    """
    most_pred = max((len(spec.predecessors(c)) for c in spec.constructs), default=0)
    largest_b = max(
        (len(spec.indicators[c]) for c in spec.constructs if spec.modes[c] == "B"), default=0
    )
    needed = max(3, most_pred + 2, largest_b + 1)
    advised = max(10 * max(most_pred, largest_b), len(spec.items) + 1)
    return most_pred, largest_b, needed, advised


def _check_n(n: int, excluded: int, spec: ModelSpec) -> None:
    most_pred, largest_b, needed, advised = _size_rules(spec)
    if n < needed:
        why = f" ({excluded} left out for missing answers)" if excluded else ""
        raise CsiInputError(
            f"too few respondents: {n} with complete answers{why}; this model needs at "
            f"least {needed} (more than the largest number of predictors of a construct "
            f"plus one, {most_pred + 1}, and at least 3)"
        )
    arrows = max(most_pred, largest_b)
    if n < advised:
        warnings.warn(
            f"only {n} respondents for a model with {len(spec.items)} items and up to "
            f"{arrows} arrows into one construct; at least {advised} are advised (10 x the "
            "arrows into a construct, and more respondents than items): estimates and "
            "intervals are unstable at this size",
            SmallSampleWarning,
            stacklevel=3,
        )


def _check_range(X: np.ndarray, scale: Any, items: tuple[str, ...]) -> None:
    """Raise naming the first item with an answer outside its scale (NaN ignored)."""
    lo, hi = _ix.scale_arrays(scale, items)
    outside = (X < lo) | (X > hi)  # NaN compares False
    if outside.any():
        k = int(np.flatnonzero(outside.any(axis=0))[0])
        col = X[:, k][~np.isnan(X[:, k])]
        raise CsiInputError(
            f"item {items[k]!r} has answers from {col.min():g} to {col.max():g}, outside its "
            f"scale ({lo[k]:g}, {hi[k]:g}); check scale= (or recode missing-value codes "
            "such as 99 to NaN first)"
        )
