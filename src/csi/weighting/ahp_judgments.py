"""AHP input: judgments (``"service vs price: 3"``, tuples, dicts) and matrices, validated.

Reads the forms :func:`csi.weighting.ahp.ahp_weights` accepts into a reciprocal
matrix (NaN for missing judgments) with its item labels.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, MethodWarning

__all__ = ["comparison_matrix"]

_JUDGMENT = re.compile(
    r"^\s*(?P<a>.+?)\s+(?:vs\.?|versus|对|比)\s+(?P<b>.+?)\s*[:：=]\s*(?P<v>\S+)\s*$"
)


def _number(v: Any, where: str) -> float:
    if isinstance(v, str):
        t = v.strip()
        try:
            if "/" in t:
                num, den = t.split("/", 1)
                x = float(num) / float(den)
            else:
                x = float(t)
        except (ValueError, ZeroDivisionError):
            raise CsiInputError(f"{where}: value {v!r} is not a number") from None
    else:
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise CsiInputError(f"{where}: value {v!r} is not a number") from None
    if not np.isfinite(x) or x <= 0:
        raise CsiInputError(f"{where}: value {v!r} must be a positive number")
    return x


def _fmt(x: float) -> str:
    if x >= 1:
        return f"{x:.4g}"
    inv = 1 / x
    if abs(inv - round(inv)) < 1e-6:
        return f"1/{round(inv)}"
    return f"{x:.4g}"


def _parse_judgments(judgments: Iterable[Any]) -> list[tuple[str, str, float]]:
    out = []
    for k, j in enumerate(judgments):
        where = f"judgment {k + 1} ({j!r})"
        if isinstance(j, str):
            m = _JUDGMENT.match(j)
            if not m:
                raise CsiInputError(f"{where}: expected the form 'service vs price: 3'")
            a, b, v = m.group("a").strip(), m.group("b").strip(), m.group("v")
        elif isinstance(j, Sequence) and len(j) == 3:
            a, b, v = str(j[0]), str(j[1]), j[2]
        else:
            raise CsiInputError(f"{where}: expected 'a vs b: value' or a tuple (a, b, value)")
        if a == b:
            raise CsiInputError(f"{where}: compares {a!r} with itself")
        out.append((a, b, _number(v, where)))
    return out


def comparison_matrix(judgments: Iterable[Any], items: Sequence[str] | None = None) -> pd.DataFrame:
    """Pairwise comparison matrix (DataFrame) from judgments.

    Each judgment is ``"service vs price: 3"`` (service is 3 times as important as
    price; ``1/3`` the other way) or a tuple ``("service", "price", 3)``. Items
    keep the order of ``items`` or of first appearance. Pairs not judged are NaN.
    """
    m, labels = _judgment_matrix(_parse_judgments(judgments), items)
    return pd.DataFrame(m, index=labels, columns=labels)


def _judgment_matrix(
    parsed: list[tuple[str, str, float]], items: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    """The matrix (NaN where not judged) and item labels of parsed judgments."""
    if items is None:
        order: dict[str, None] = {}
        for a, b, _ in parsed:
            order.setdefault(a)
            order.setdefault(b)
        items = list(order)
    items = [str(i) for i in items]
    if len(set(items)) != len(items):
        raise CsiInputError(f"items contain duplicates: {items}")
    idx = {name: i for i, name in enumerate(items)}
    n = len(items)
    m = np.full((n, n), np.nan)
    np.fill_diagonal(m, 1.0)
    seen: dict[tuple[int, int], tuple[str, str, float]] = {}
    rows, cols, vals = [], [], []
    for k, (a, b, v) in enumerate(parsed):
        ia, ib = idx.get(a), idx.get(b)
        if ia is None or ib is None:
            unknown = a if ia is None else b
            raise CsiInputError(f"judgment {k + 1}: unknown item {unknown!r}; items are {items}")
        key = (ia, ib) if ia < ib else (ib, ia)
        if key in seen:
            pa, pb, pv = seen[key]
            raise CsiInputError(
                f"judgment {k + 1} ({a} vs {b}: {_fmt(v)}) repeats the pair already judged "
                f"as {pa} vs {pb}: {_fmt(pv)}"
            )
        seen[key] = (a, b, v)
        rows.append(ia)
        cols.append(ib)
        vals.append(v)
    if vals:
        values = np.array(vals, dtype=float)
        m[rows, cols] = values
        m[cols, rows] = 1 / values
    return m, items


# a name that the text form "a vs b: v" would not give back unchanged
_UNSAFE_NAME = re.compile(r"\s(?:vs\.?|versus|对|比)\s|[:：=\n]")


def _plain_mapping(matrix: Mapping[Any, Any]) -> list[tuple[str, str, float]] | None:
    """The judgments of a ``{(a, b): value}`` mapping, read directly, or None when its
    names or values need the text route (``"a vs b: value"``, parsed as typed text).

    Direct reading gives what the text route gives: names that the text form returns
    unchanged, values read as ``float(str(value))``.
    """
    out = []
    plain: set[str] = set()
    for key, v in matrix.items():
        entry = _plain_entry(key, v, plain)
        if entry is None:
            return None
        plain.update(entry[:2])
        out.append(entry)
    return out


def _plain_entry(key: Any, v: Any, known: Container[str]) -> tuple[str, str, float] | None:
    """``(a, b, value)`` of one judgment with plain names (``known`` names are not
    checked again) and a plain value; None when it needs the text route."""
    if not (type(key) is tuple and len(key) == 2):
        return None
    a, b = key
    if type(a) is not str or type(b) is not str or a == b:
        return None
    for name in (a, b):
        if name not in known and (
            not name or name.strip() != name or _UNSAFE_NAME.search(name + " ")
        ):
            return None
    x = _plain_value(v)
    return None if x is None else (a, b, x)


def _plain_value(v: Any) -> float | None:
    """``float(str(v))`` for a plain positive finite number, else None (text route)."""
    if type(v) is float:  # str(float) reads back as the same float
        x = v
    elif type(v) is int:
        try:
            x = float(v)
        except OverflowError:
            return None
    else:
        t = str(v)
        if "/" in t or t.split() != [t]:
            return None
        try:
            x = float(t)
        except ValueError:
            return None
    return x if 0 < x < np.inf else None


def _plain_matrix(matrix: Mapping[Any, Any]) -> tuple[np.ndarray, list[str]] | None:
    """``_judgment_matrix(_plain_mapping(matrix), None)`` in one pass, for a mapping of
    plain names and values without a repeated pair; None otherwise (the general route
    then reads it, and reports any problem)."""
    idx: dict[str, int] = {}
    rows, cols, vals = [], [], []
    seen: set[tuple[int, int]] = set()
    for key, v in matrix.items():
        entry = _plain_entry(key, v, idx)
        if entry is None:
            return None
        a, b, x = entry
        ia = idx.setdefault(a, len(idx))
        ib = idx.setdefault(b, len(idx))
        pair = (ia, ib) if ia < ib else (ib, ia)
        if pair in seen:
            return None
        seen.add(pair)
        rows.append(ia)
        cols.append(ib)
        vals.append(x)
    n = len(idx)
    m = np.full((n, n), np.nan)
    np.fill_diagonal(m, 1.0)
    if vals:
        values = np.array(vals, dtype=float)
        m[rows, cols] = values
        m[cols, rows] = 1 / values
    return m, list(idx)


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the pairs ``i < j`` of an ``n x n`` matrix, row-major (the order of
    ``itertools.combinations``); cached, read-only."""
    iu, ju = np.triu_indices(n, 1)
    iu.flags.writeable = False
    ju.flags.writeable = False
    return iu, ju


def _as_matrix(
    matrix: Any,
    items: Sequence[str] | None,
    *,
    check_scale: bool,
    reciprocal_tol: float,
    name: str = "comparison matrix",
) -> pd.DataFrame:
    """Validate and return a reciprocal matrix (DataFrame), NaN for missing judgments."""
    arr, labels = _as_array(
        matrix,
        items,
        check_scale=check_scale,
        reciprocal_tol=reciprocal_tol,
        name=name,
        stacklevel=5,
    )
    return pd.DataFrame(arr, index=labels, columns=labels)


def _as_array(
    matrix: Any,
    items: Sequence[str] | None,
    *,
    check_scale: bool,
    reciprocal_tol: float,
    name: str = "comparison matrix",
    stacklevel: int = 4,
) -> tuple[np.ndarray, list[str]]:
    """Validate a reciprocal matrix: the array (NaN for missing judgments) and its labels.

    Vectorised; the first problem in row-major order is reported (diagonal entry of a row
    before the row's other entries, then the pairs ``i < j`` in order).
    """
    if isinstance(matrix, pd.DataFrame):
        labels = [str(c) for c in matrix.columns]
        if [str(i) for i in matrix.index] != labels:
            raise CsiInputError(
                f"{name}: row labels {list(matrix.index)} must equal column labels {labels}"
            )
        arr = matrix.to_numpy(dtype=float, na_value=np.nan)
        if items is not None:
            raise CsiInputError(f"{name}: give items only with a plain array, not a DataFrame")
    elif isinstance(matrix, Mapping) or (
        isinstance(matrix, Iterable)
        and not isinstance(matrix, np.ndarray)
        and _looks_like_judgments(matrix)
    ):
        fast = _plain_matrix(matrix) if isinstance(matrix, Mapping) and items is None else None
        if fast is not None:
            m, labels = fast
        else:
            parsed = _plain_mapping(matrix) if isinstance(matrix, Mapping) else None
            if parsed is None:
                judg = (
                    [f"{k[0]} vs {k[1]}: {v}" for k, v in matrix.items()]
                    if isinstance(matrix, Mapping)
                    else list(matrix)
                )
                parsed = _parse_judgments(judg)
            m, labels = _judgment_matrix(parsed, items)
        if check_scale:
            _warn_off_scale(m, labels, name, stacklevel)
        return m, labels
    else:
        arr = np.asarray(matrix, dtype=float)
        if arr.ndim != 2:
            raise CsiInputError(f"{name} must be 2-dimensional, got shape {arr.shape}")
        labels = (
            [str(i) for i in items] if items is not None else [f"x{i + 1}" for i in range(len(arr))]
        )
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise CsiInputError(f"{name} must be square, got shape {arr.shape}")
    n = arr.shape[0]
    if len(labels) != n:
        raise CsiInputError(f"{name}: {len(labels)} items for a {n} x {n} matrix")
    if n == 0:
        raise CsiInputError(f"{name} is empty")
    diag = np.diagonal(arr)
    diag_bad = ~(np.isfinite(diag) & (np.abs(diag - 1) < 1e-9))
    entry_bad = ~np.isnan(arr) & ~(np.isfinite(arr) & (arr > 0))
    row_bad = diag_bad | entry_bad.any(axis=1)
    if row_bad.any():
        i = int(np.argmax(row_bad))
        if diag_bad[i]:
            raise CsiInputError(
                f"{name}: diagonal entry ({labels[i]}, {labels[i]}) is "
                f"{float(arr[i, i])!r}, must be 1"
            )
        j = int(np.argmax(entry_bad[i]))
        raise CsiInputError(
            f"{name}: entry ({labels[i]}, {labels[j]}) is {float(arr[i, j])!r}, "
            "must be a positive number"
        )
    out = arr.copy()
    iu, ju = _pairs(n)  # the pairs i < j in row-major order
    a, b = arr[iu, ju], arr[ju, iu]
    a_missing, b_missing = np.isnan(a), np.isnan(b)
    both = ~a_missing & ~b_missing
    unreciprocal = both & (np.abs(a * b - 1) > reciprocal_tol)
    if unreciprocal.any():
        k = int(np.argmax(unreciprocal))
        i, j, x, y = int(iu[k]), int(ju[k]), a[k], b[k]
        raise CsiInputError(
            f"{name}: entry ({labels[i]}, {labels[j]}) = {_fmt(x)} but "
            f"({labels[j]}, {labels[i]}) = {_fmt(y)}; a reciprocal matrix needs "
            f"({labels[j]}, {labels[i]}) = {_fmt(1 / x)}"
        )
    only_b = a_missing & ~b_missing
    out[iu[only_b], ju[only_b]] = 1 / b[only_b]
    only_a = b_missing & ~a_missing
    out[ju[only_a], iu[only_a]] = 1 / a[only_a]
    # rounding such as 3 and 0.33: use the geometric mean of a and 1/b
    g = np.sqrt(a[both] / b[both])
    out[iu[both], ju[both]] = g
    out[ju[both], iu[both]] = 1 / g
    if check_scale:
        _warn_off_scale(out, labels, name, stacklevel)
    return out, labels


def _looks_like_judgments(x: Any) -> bool:
    try:
        first = next(iter(x))
    except (StopIteration, TypeError):
        return False
    return isinstance(first, str) or (
        isinstance(first, tuple) and len(first) == 3 and isinstance(first[0], str)
    )


def _warn_off_scale(arr: np.ndarray, labels: list[str], name: str, stacklevel: int) -> None:
    """Warn about judgments off Saaty's scale: upper-triangle entries ``x`` whose ``y = max(x,
    1/x)`` is not within 2% of a whole number ``r`` from 1 to 9."""
    iu, ju = _pairs(len(labels))
    v = arr[iu, ju]
    y = np.where(v >= 1, v, 1 / v)
    r = np.round(y)  # half to even, as round()
    on = (r >= 1) & (r <= 9) & (np.abs(y - r) <= 0.02 * r)
    off_k = np.flatnonzero(np.isfinite(v) & ~on)
    if off_k.size:
        off = [f"({labels[iu[k]]}, {labels[ju[k]]}) = {_fmt(v[k])}" for k in off_k]
        warnings.warn(
            f"{name}: values off Saaty's 1-9 scale (used as given): {', '.join(off)}",
            MethodWarning,
            stacklevel=stacklevel,
        )
