"""Analytic hierarchy process (AHP): priorities from pairwise comparisons.

A pairwise comparison matrix ``A`` on Saaty's 1-9 scale holds ``a_ij`` = how
much more important item ``i`` is than item ``j`` (``a_ji = 1 / a_ij``,
``a_ii = 1``). Priorities ``w`` (summing to 1):

* ``method="eigenvector"`` (default): principal right eigenvector, ``A w = lambda_max w``
  (Saaty 1977, 1980).
* ``method="geometric"``: row geometric means, ``w_i ∝ (prod_j a_ij)^(1/n)``
  (logarithmic least squares; Crawford & Williams 1985).

Consistency: ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)``, with
``lambda_max`` the principal eigenvalue of ``A`` for either method. ``CR <= 0.1``
(settable) counts as consistent. Random index tables, see :data:`RANDOM_INDEX_TABLES`.

For a consistent matrix ``a_ij = w_i / w_j``. With the eigenvector the excess
``n (lambda_max - n) = sum_{i<j} (e_ij + 1/e_ij - 2)``, ``e_ij = a_ij w_j / w_i``,
splits exactly into one non-negative share per judgment; the judgments with the
largest shares are reported with the value ``w_i / w_j`` that would make them
consistent. Nothing is changed for the user.

Incomplete matrices (missing judgments as NaN or left out of a judgment list)
are solved by Harker's (1987) method: missing ``a_ij`` set to 0 and ``1 + m_i``
on the diagonal (``m_i`` = missing judgments in row ``i``); its principal
eigenvector is the priority vector and the completed matrix (missing entries
``w_i / w_j``) has the same ``lambda_max``. The geometric method uses
logarithmic least squares on the known judgments.

Group decisions (Forman & Peniwati 1998): ``AIJ`` aggregates the judgments by
the weighted geometric mean and derives one priority vector; ``AIP`` derives each
expert's priorities and averages them (weighted arithmetic mean by default, or
weighted geometric mean renormalised).

References: Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill.
Harker, P. T. (1987) Incomplete pairwise comparisons in the AHP, *Mathematical
Modelling* 9(11), 837-848. Forman, E. & Peniwati, K. (1998) Aggregating
individual judgments and priorities with the AHP, *EJOR* 108, 165-169.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice

__all__ = [
    "RANDOM_INDEX_TABLES",
    "SAATY_SCALE",
    "AHPConsistencyWarning",
    "AHPHierarchyResult",
    "AHPResult",
    "GroupAHPResult",
    "ahp_group",
    "ahp_hierarchy",
    "ahp_weights",
    "comparison_matrix",
    "random_index",
    "simulate_random_index",
]

_T = TypeVar("_T")

#: Saaty's 1-9 scale and reciprocals.
SAATY_SCALE: tuple[float, ...] = tuple(
    sorted({float(k) for k in range(1, 10)} | {1 / k for k in range(2, 10)})
)


class AHPConsistencyWarning(UserWarning):
    """A comparison matrix is not acceptably consistent (CR above the threshold)."""


# --------------------------------------------------------------------------- random index
# Saaty's classic table (Saaty 1980, The Analytic Hierarchy Process, Table 1.7, from
# simulations at Oak Ridge / Wharton) for n <= 10, continued for n = 11..15 with the
# figures of Saaty (2005) Theory and Applications of the Analytic Network Process,
# RWS Publications, p. 31.
_SAATY = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
          10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}  # fmt: skip
# Saaty (2005), p. 31 (50 000 matrices per n).
_SAATY_2005 = {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
               10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}  # fmt: skip
# Donegan, H. A. & Dodd, F. J. (1991) A note on Saaty's random indexes, Mathematical and
# Computer Modelling 15(10), 135-137. Sizes between listed ones are interpolated linearly.
_DONEGAN_DODD = {1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
                 8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
                 14: 1.4822, 15: 1.4969, 16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313,
                 20: 1.5371, 25: 1.5619, 30: 1.5772, 40: 1.5976, 50: 1.6102, 60: 1.6178,
                 70: 1.6237, 80: 1.6277, 90: 1.6213, 100: 1.6339}  # fmt: skip
# Monte Carlo by csi (simulate_random_index(n, size=100_000, seed=2026)): mean CI of
# random reciprocal matrices whose upper-triangle entries are drawn uniformly from the
# 17 values of Saaty's scale (1/9 .. 1 .. 9), the same design as Saaty's and
# Alonso & Lamata (2006). Monte Carlo standard error about 0.002 at n = 3-4,
# 0.0007 at n = 10 and 0.0002 at n = 30.
_SIMULATED = {1: 0.0, 2: 0.0}  # filled below
_SIMULATED_VALUES = (
    0.5230, 0.8852, 1.1062, 1.2493, 1.3419, 1.4049, 1.4508, 1.4858, 1.5141, 1.5364,
    1.5547, 1.5707, 1.5840, 1.5958, 1.6054, 1.6145, 1.6219, 1.6294, 1.6353, 1.6411,
    1.6464, 1.6511, 1.6551, 1.6592, 1.6628, 1.6665, 1.6695, 1.6726,
)  # fmt: skip
_SIMULATED.update({n: v for n, v in zip(range(3, 31), _SIMULATED_VALUES, strict=True)})

#: name -> (table n -> RI, source)
RANDOM_INDEX_TABLES: dict[str, tuple[dict[int, float], str]] = {
    "saaty": (
        _SAATY,
        "Saaty (1980) The Analytic Hierarchy Process, n <= 10; n = 11..15 from Saaty (2005) "
        "Theory and Applications of the Analytic Network Process, p. 31",
    ),
    "saaty2005": (_SAATY_2005, "Saaty (2005) Theory and Applications of the ANP, p. 31"),
    "donegan_dodd": (
        _DONEGAN_DODD,
        "Donegan & Dodd (1991) Mathematical and Computer Modelling 15(10), 135-137; "
        "linear interpolation between listed sizes",
    ),
    "simulated": (
        _SIMULATED,
        "csi Monte Carlo: 100 000 random reciprocal matrices per n on Saaty's 17-value scale, "
        "seed 2026 (simulate_random_index); n <= 30",
    ),
}


def random_index(n: int, table: str = "saaty") -> float:
    """Random index RI(n) from a named table (see :data:`RANDOM_INDEX_TABLES`)."""
    check_choice(table, RANDOM_INDEX_TABLES, name="random_index")
    tab = RANDOM_INDEX_TABLES[table][0]
    if n in tab:
        return tab[n]
    sizes = sorted(tab)
    if n < 1 or n > sizes[-1]:
        raise CsiInputError(
            f"random index table {table!r} covers n = 1..{sizes[-1]}, not n = {n}; "
            "use random_index='simulated' (n <= 30) or 'donegan_dodd' (n <= 100)"
        )
    lo = max(s for s in sizes if s < n)
    hi = min(s for s in sizes if s > n)
    return tab[lo] + (tab[hi] - tab[lo]) * (n - lo) / (hi - lo)


_random_index = random_index


def simulate_random_index(n: int, *, size: int = 100_000, seed: int = 2026) -> float:
    """Monte Carlo random index: mean ``(lambda_max - n) / (n - 1)`` of random matrices.

    Upper-triangle entries are drawn uniformly from the 17 values of Saaty's scale
    (1/9..1/2, 1, 2..9) with ``numpy.random.default_rng([seed, n])``; this reproduces
    the ``"simulated"`` table.
    """
    if n < 3:
        return 0.0
    rng = np.random.default_rng([seed, n])
    scale = np.array(SAATY_SCALE)
    iu = np.triu_indices(n, 1)
    total, done = 0.0, 0
    while done < size:
        b = min(5000, size - done)
        m = np.ones((b, n, n))
        v = scale[rng.integers(0, scale.size, size=(b, iu[0].size))]
        m[:, iu[0], iu[1]] = v
        m[:, iu[1], iu[0]] = 1 / v
        lam = np.linalg.eigvals(m).real.max(axis=1)
        total += float(((lam - n) / (n - 1)).sum())
        done += b
    return total / size


# --------------------------------------------------------------------------- input
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
        if not (type(key) is tuple and len(key) == 2):
            return None
        a, b = key
        if type(a) is not str or type(b) is not str or a == b:
            return None
        for name in (a, b):
            if name not in plain:
                if not name or name.strip() != name or _UNSAFE_NAME.search(name + " "):
                    return None
                plain.add(name)
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
        if not (0 < x < np.inf):
            return None
        out.append((a, b, x))
    return out


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
            UserWarning,
            stacklevel=stacklevel,
        )


# --------------------------------------------------------------------------- solve
def _principal(m: np.ndarray) -> tuple[float, np.ndarray]:
    vals, vecs = np.linalg.eig(m)
    k = int(np.argmax(vals.real))
    v = np.abs(vecs[:, k].real)
    return float(vals[k].real), v / v.sum()


def _connected_groups(known: np.ndarray) -> list[list[int]]:
    n = known.shape[0]
    seen: set[int] = set()
    groups = []
    for s in range(n):
        if s in seen:
            continue
        stack, comp = [s], []
        seen.add(s)
        while stack:
            i = stack.pop()
            comp.append(i)
            for j in np.flatnonzero(known[i]):
                if int(j) not in seen:
                    seen.add(int(j))
                    stack.append(int(j))
        groups.append(sorted(comp))
    return groups


def _solve(a: np.ndarray, method: str) -> tuple[np.ndarray, float, np.ndarray]:
    """Weights, lambda_max and completed matrix from a (possibly incomplete) matrix."""
    n = a.shape[0]
    missing = np.isnan(a)
    if method == "eigenvector":
        if missing.any():
            c = np.where(missing, 0.0, a)
            c[np.diag_indices(n)] = 1 + missing.sum(axis=1)
            lam, w = _principal(c)
        else:
            lam, w = _principal(a)
    else:
        if missing.any():
            known = ~missing
            np.fill_diagonal(known, False)
            lap = np.diag(known.sum(axis=1)).astype(float) - known
            r = np.where(known, np.log(np.where(known, a, 1.0)), 0.0).sum(axis=1)
            x = np.linalg.lstsq(lap, r, rcond=None)[0]
        else:
            x = np.log(a).mean(axis=1)
        w = np.exp(x - x.max())
        w = w / w.sum()
    completed = np.where(missing, np.outer(w, 1 / w), a)
    if method == "geometric":
        # lambda_max of the (completed) matrix, as for the eigenvector method
        lam = _principal(completed)[0]
    return w, lam, completed


# --------------------------------------------------------------------------- results
def _table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(k) for k, _ in rows)
    lines = [title, "-" * max(len(title), 30)]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    return "\n".join(lines)


class _Deferred(Generic[_T]):
    """A value computed on first read: ``make(*args)`` (picklable: ``make`` is a
    module-level function)."""

    __slots__ = ("args", "make")

    def __init__(self, make: Callable[..., _T], *args: Any) -> None:
        self.make = make
        self.args = args


class _Lazy(Generic[_T]):
    """A dataclass field that may be given as a :class:`_Deferred`: the table is built
    the first time it is read, then kept (results stay frozen and compare as before).
    ``ahp_weights`` defers its pandas tables so that a call costs little more than the
    eigenvector."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Lazy[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> _T | _Lazy[_T]:
        if obj is None:  # no class-level default: the dataclass field stays required
            raise AttributeError(self.name)
        value = obj.__dict__[self.name]
        if type(value) is _Deferred:
            value = value.make(*value.args)
            obj.__dict__[self.name] = value
        return cast(_T, value)

    def __set__(self, obj: object, value: _T | _Deferred[_T]) -> None:
        obj.__dict__[self.name] = value


@dataclass(frozen=True)
class AHPResult:
    """Priorities and consistency of one pairwise comparison matrix.

    ``weights`` (Series, sums to 1), ``lambda_max``, ``ci``, ``ri``, ``cr``,
    ``consistent`` (``cr <= threshold``), ``matrix`` (the matrix used; missing
    judgments filled with ``w_i / w_j`` when ``n_missing > 0``), ``judgments``
    (one row per pair: row, column, judgment, consistent_value, suggested (nearest
    value on Saaty's scale), ratio ``a_ij w_j / w_i``, share of the inconsistency),
    ``notes``.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    threshold: float
    method: str
    random_index_table: str
    matrix: _Lazy[pd.DataFrame] = _Lazy()
    judgments: _Lazy[pd.DataFrame] = _Lazy()
    n_missing: int = 0
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.weights.size)

    def inconsistent_judgments(self, k: int = 3) -> pd.DataFrame:
        """The ``k`` judgments contributing most to the inconsistency."""
        return self.judgments.head(k)

    def to_frame(self) -> pd.DataFrame:
        """One row per item: item, weight, rank."""
        return pd.DataFrame(
            {
                "item": self.weights.index,
                "weight": self.weights.to_numpy(),
                "rank": self.weights.rank(ascending=False, method="min").astype(int).to_numpy(),
            }
        )

    def summary(self) -> str:
        rows = [(str(k), f"{v:.4f}") for k, v in self.weights.items()]
        rows += [
            ("lambda_max", f"{self.lambda_max:.4f}"),
            ("CI", f"{self.ci:.4f}"),
            (f"RI ({self.random_index_table})", f"{self.ri:.4f}"),
            ("CR", f"{self.cr:.4f}"),
            ("consistent", f"{'yes' if self.consistent else 'no'} (CR <= {self.threshold:g})"),
        ]
        if self.n_missing:
            rows.append(("missing judgments", f"{self.n_missing} (Harker)"))
        text = _table(rows, f"AHP priorities ({self.method})")
        if self.notes:
            text += "\n" + "\n".join(f"note: {t}" for t in self.notes)
        return text

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _diagnose(a: np.ndarray, w: np.ndarray, labels: list[str], missing: np.ndarray) -> pd.DataFrame:
    n = len(labels)
    rows = []
    for i, j in itertools.combinations(range(n), 2):
        if missing[i, j]:
            continue
        e = a[i, j] * w[j] / w[i]
        cons = w[i] / w[j]
        scale = np.array(SAATY_SCALE)
        suggested = float(scale[np.argmin(np.abs(np.log(scale) - np.log(cons)))])
        rows.append((labels[i], labels[j], a[i, j], cons, suggested, e, e + 1 / e - 2))
    df = pd.DataFrame(
        rows,
        columns=["row", "column", "judgment", "consistent_value", "suggested", "ratio", "excess"],
    )
    total = df["excess"].sum()
    df["share"] = df["excess"] / total if total > 1e-12 else 0.0
    df = df.drop(columns="excess")
    return df.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def _top_judgments(
    a: np.ndarray, w: np.ndarray, labels: list[str], missing: np.ndarray, k: int = 3
) -> list[tuple[str, str, float, float, float, float]]:
    """The first ``k`` rows of :func:`_diagnose`'s table (row, column, judgment,
    consistent_value, suggested, share), computed without building the table."""
    iu, ju = _pairs(len(labels))
    keep = ~missing[iu, ju]
    i, j = iu[keep], ju[keep]
    e = a[i, j] * w[j] / w[i]
    excess = e + 1 / e - 2
    total = excess.sum()
    share = excess / total if total > 1e-12 else np.zeros_like(excess)
    # the order of sort_values(ascending=False, kind="stable"): ties keep their order
    back = np.arange(share.size)[::-1]
    order = back[share[::-1].argsort(kind="stable")][::-1]
    scale = np.array(SAATY_SCALE)
    out = []
    for t in order[:k]:
        r, c = int(i[t]), int(j[t])
        cons = w[r] / w[c]
        suggested = float(scale[np.argmin(np.abs(np.log(scale) - np.log(cons)))])
        out.append((labels[r], labels[c], float(a[r, c]), float(cons), suggested, float(share[t])))
    return out


def _square_frame(values: np.ndarray, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values, index=labels, columns=labels)


def ahp_weights(
    matrix: Any,
    *,
    items: Sequence[str] | None = None,
    method: str = "eigenvector",
    random_index: str = "saaty",
    threshold: float = 0.1,
    check_scale: bool = True,
    reciprocal_tol: float = 0.02,
    warn: bool = True,
) -> AHPResult:
    """AHP priorities, ``lambda_max``, CI and CR of a pairwise comparison matrix.

    ``matrix``: square array or DataFrame (NaN = judgment missing), a list of
    judgments (``"service vs price: 3"`` or ``(a, b, value)``) or a dict
    ``{(a, b): value}``. ``items`` names the rows of an array (or fixes the order for
    judgments). ``method``: ``"eigenvector"`` or ``"geometric"``. ``random_index``: a
    table name of :data:`RANDOM_INDEX_TABLES`. ``threshold``: largest acceptable CR.
    Off-scale values give a warning (``check_scale``); ``a_ij a_ji`` may differ from 1
    by ``reciprocal_tol`` (typed 0.33 for 1/3), else a clear error. An inconsistent
    matrix gives an :class:`AHPConsistencyWarning` (``warn``) naming the judgments to
    revisit; the matrix itself is never changed.
    """
    check_choice(method, ["eigenvector", "geometric"], name="method")
    check_choice(random_index, RANDOM_INDEX_TABLES, name="random_index")
    if not (0 < threshold < 1):
        raise CsiInputError(f"threshold must be between 0 and 1, got {threshold!r}")
    a, labels = _as_array(matrix, items, check_scale=check_scale, reciprocal_tol=reciprocal_tol)
    # column-major, as a DataFrame's values: the row means of the geometric method then
    # add up in the same order (same last bit) as when the matrix went through pandas
    a = np.asfortranarray(a)
    n = len(labels)
    missing = np.isnan(a)
    iu, ju = _pairs(n)
    n_missing = int(missing[iu, ju].sum())
    if n_missing:
        known = ~missing
        groups = _connected_groups(known)
        if len(groups) > 1:
            names = [[labels[i] for i in g] for g in groups]
            raise CsiInputError(
                "comparison matrix: the judgments do not link all items; separate groups "
                f"{names}; add at least one judgment between each pair of groups"
            )
    w, lam, completed = _solve(a, method)
    ri = _random_index(n, random_index)
    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri if ri > 0 else 0.0
    consistent = bool(cr <= threshold)
    notes: list[str] = []
    if n_missing:
        notes.append(f"{n_missing} missing judgment(s) estimated by Harker's method")
    if not consistent:
        parts = [
            f"{row} vs {col} = {_fmt(judgment)} (consistent value "
            f"{cons:.3g}, nearest scale value "
            f"{_fmt(suggested)}; {100 * share:.0f}% of the inconsistency)"
            for row, col, judgment, cons, suggested, share in _top_judgments(a, w, labels, missing)
        ]
        msg = (
            f"CR = {cr:.3f} > {threshold:g}: judgments contributing most to the "
            f"inconsistency: {'; '.join(parts)}. The matrix was not changed; revise these "
            "judgments with the experts."
        )
        notes.append(msg)
        if warn:
            warnings.warn(msg, AHPConsistencyWarning, stacklevel=2)
    return AHPResult(
        weights=pd.Series(w, index=labels, name="weight"),
        lambda_max=float(lam),
        ci=float(ci),
        ri=float(ri),
        cr=float(cr),
        consistent=consistent,
        threshold=float(threshold),
        method=method,
        random_index_table=random_index,
        matrix=_Deferred(_square_frame, completed, labels),
        judgments=_Deferred(_diagnose, a, w, labels, missing),
        n_missing=n_missing,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class GroupAHPResult:
    """Group priorities: ``weights``, the aggregation, each expert's ``individual``
    result, ``expert_weights`` and (AIJ) the ``aggregate`` result of the combined matrix."""

    weights: pd.Series
    aggregation: str
    expert_weights: pd.Series
    individual: dict[str, AHPResult]
    aggregate: AHPResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def cr(self) -> float:
        """CR of the aggregated matrix (AIJ) or the expert-weighted mean CR (AIP)."""
        if self.aggregate is not None:
            return self.aggregate.cr
        return float(sum(self.expert_weights[k] * r.cr for k, r in self.individual.items()))

    def to_frame(self) -> pd.DataFrame:
        """Long table: expert (``"group"`` for the aggregate), item, weight."""
        rows = [("group", k, v) for k, v in self.weights.items()]
        for e, r in self.individual.items():
            rows += [(e, k, v) for k, v in r.weights.items()]
        return pd.DataFrame(rows, columns=["expert", "item", "weight"])

    def summary(self) -> str:
        rows = [(str(k), f"{v:.4f}") for k, v in self.weights.items()]
        rows.append(("group CR", f"{self.cr:.4f}"))
        for e, r in self.individual.items():
            rows.append(
                (
                    f"expert {e}",
                    f"weight {self.expert_weights[e]:.3f}, CR {r.cr:.4f}"
                    + ("" if r.consistent else " (inconsistent)"),
                )
            )
        text = _table(rows, f"Group AHP ({self.aggregation.upper()})")
        if self.notes:
            text += "\n" + "\n".join(f"note: {t}" for t in self.notes)
        return text

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def ahp_group(
    matrices: Mapping[str, Any] | Sequence[Any],
    *,
    expert_weights: Mapping[str, float] | Sequence[float] | None = None,
    aggregation: str = "aij",
    aip_mean: str = "arithmetic",
    items: Sequence[str] | None = None,
    method: str = "eigenvector",
    random_index: str = "saaty",
    threshold: float = 0.1,
    check_scale: bool = True,
    warn: bool = True,
) -> GroupAHPResult:
    """Group AHP by aggregating individual judgments (AIJ) or priorities (AIP).

    AIJ: ``a_ij = prod_k a_ij^(k) ^ lambda_k`` (weighted geometric mean over the
    experts who judged the pair, ``lambda`` renormalised over them), then one
    priority vector. AIP: each expert's priorities, combined by the weighted
    arithmetic mean (``aip_mean="arithmetic"``) or weighted geometric mean
    (``"geometric"``, renormalised). ``expert_weights`` default to equal.
    """
    check_choice(aggregation, ["aij", "aip"], name="aggregation")
    check_choice(aip_mean, ["arithmetic", "geometric"], name="aip_mean")
    if isinstance(matrices, Mapping):
        named = {str(k): v for k, v in matrices.items()}
    else:
        named = {f"E{k + 1}": v for k, v in enumerate(matrices)}
    if len(named) == 0:
        raise CsiInputError("ahp_group needs at least one expert's judgments")
    if expert_weights is None:
        ew = pd.Series(1.0, index=list(named))
    elif isinstance(expert_weights, Mapping):
        unknown = [k for k in expert_weights if str(k) not in named]
        absent = [k for k in named if k not in {str(x) for x in expert_weights}]
        if unknown or absent:
            raise CsiInputError(
                f"expert_weights do not match the experts: unknown {unknown}, missing {absent}"
            )
        ew = pd.Series({str(k): float(v) for k, v in expert_weights.items()}).loc[list(named)]
    else:
        if len(expert_weights) != len(named):
            raise CsiInputError(f"{len(expert_weights)} expert weights for {len(named)} experts")
        ew = pd.Series([float(v) for v in expert_weights], index=list(named))
    bad = ew[~np.isfinite(ew) | (ew <= 0)]
    if len(bad):
        raise CsiInputError(
            f"expert weight for {bad.index[0]!r} is {float(bad.iloc[0])!r}, must be positive"
        )
    ew = ew / ew.sum()
    frames = {
        e: _as_matrix(m, items, check_scale=check_scale, reciprocal_tol=0.02,
                      name=f"comparison matrix of expert {e}")
        for e, m in named.items()
    }  # fmt: skip
    labels = list(next(iter(frames.values())).columns)
    for e, f in frames.items():
        if set(f.columns) != set(labels):
            raise CsiInputError(
                f"expert {e} compares {sorted(f.columns)} but the first expert compares "
                f"{sorted(labels)}"
            )
        frames[e] = f.loc[labels, labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AHPConsistencyWarning)
        individual = {
            e: ahp_weights(f, method=method, random_index=random_index,
                           threshold=threshold, check_scale=False, warn=False)
            for e, f in frames.items()
        }  # fmt: skip
    notes = [
        f"expert {e}: CR = {r.cr:.3f} > {threshold:g}"
        for e, r in individual.items()
        if not r.consistent
    ]
    aggregate = None
    if aggregation == "aij":
        stack = np.stack([frames[e].to_numpy(dtype=float) for e in named])
        lam = ew.to_numpy()[:, None, None] * np.ones_like(stack)
        known = ~np.isnan(stack)
        lam = np.where(known, lam, 0.0)
        tot = lam.sum(axis=0)
        logs = np.where(known, np.log(np.where(known, stack, 1.0)), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            agg = np.exp((lam * logs).sum(axis=0) / tot)
        agg[tot == 0] = np.nan
        aggregate = ahp_weights(
            pd.DataFrame(agg, index=labels, columns=labels),
            method=method,
            random_index=random_index,
            threshold=threshold,
            check_scale=False,
            warn=warn,
        )
        w = aggregate.weights
    else:
        wmat = np.stack([individual[e].weights.loc[labels].to_numpy() for e in named])
        if aip_mean == "arithmetic":
            wv = ew.to_numpy() @ wmat
        else:
            wv = np.exp(ew.to_numpy() @ np.log(wmat))
        w = pd.Series(wv / wv.sum(), index=labels, name="weight")
    return GroupAHPResult(
        weights=w,
        aggregation=aggregation,
        expert_weights=ew,
        individual=individual,
        aggregate=aggregate,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- hierarchy
@dataclass(frozen=True)
class AHPHierarchyResult:
    """A hierarchy of AHP matrices: local and global weights and hierarchy consistency.

    ``nodes``: one result per parent; ``to_frame()`` one row per node (below the goal):
    node, parent, level, local_weight, global_weight, rank (within its parent).
    ``cr_levels``: hierarchical consistency per level; ``cr``: of the whole hierarchy
    (Saaty 1980): ``sum_p g_p CI_p / sum_p g_p RI_p`` over parents ``p`` with global weight ``g_p``.
    """

    root: str
    nodes: dict[str, AHPResult | GroupAHPResult]
    frame: pd.DataFrame
    cr_levels: pd.Series
    cr: float
    threshold: float

    @property
    def consistent(self) -> bool:
        return bool(self.cr <= self.threshold)

    @property
    def global_weights(self) -> pd.Series:
        """Global weights of the bottom nodes (leaves), summing to 1."""
        leaves = self.frame[~self.frame["node"].isin(self.frame["parent"])]
        return pd.Series(
            leaves["global_weight"].to_numpy(), index=leaves["node"].to_numpy(), name="weight"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        lines = [f"AHP hierarchy '{self.root}'", "-" * 30]
        for r in self.frame.to_dict("records"):
            lines.append(
                f"{'  ' * (int(r['level']) - 1)}{r['node']}: local {float(r['local_weight']):.4f}, "
                f"global {float(r['global_weight']):.4f}"
            )
        for lv, cr in self.cr_levels.items():
            lines.append(f"level {lv} CR: {cr:.4f}")
        lines.append(
            f"hierarchy CR: {self.cr:.4f} ({'consistent' if self.consistent else 'NOT consistent'})"
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _ci_ri(res: AHPResult | GroupAHPResult) -> tuple[float, float]:
    r = res.aggregate if isinstance(res, GroupAHPResult) else res
    if r is None:  # AIP: expert-weighted CI and RI
        assert isinstance(res, GroupAHPResult)
        first = next(iter(res.individual.values()))
        ci = float(sum(res.expert_weights[e] * x.ci for e, x in res.individual.items()))
        return ci, first.ri
    return r.ci, r.ri


def ahp_hierarchy(
    matrices: Mapping[str, Any],
    *,
    root: str,
    threshold: float = 0.1,
    **options: Any,
) -> AHPHierarchyResult:
    """AHP on a hierarchy: ``matrices[parent]`` compares the children of ``parent``.

    Each value is anything :func:`ahp_weights` accepts, or an :class:`AHPResult` /
    :class:`GroupAHPResult` already computed. A child with its own entry is expanded;
    other children are leaves. Global weight = product of local weights down the
    path. ``options`` go to :func:`ahp_weights`.
    """
    if root not in matrices:
        raise CsiInputError(f"root {root!r} has no comparison matrix; parents are {list(matrices)}")
    results: dict[str, AHPResult | GroupAHPResult] = {}
    rows: list[tuple[str, str, int, float, float, int]] = []
    level_num: dict[int, float] = {}
    level_den: dict[int, float] = {}
    visited: set[str] = set()

    def visit(node: str, g: float, depth: int) -> None:
        if node in visited:
            raise CsiInputError(f"hierarchy: node {node!r} appears twice (a cycle or shared child)")
        visited.add(node)
        spec = matrices[node]
        if isinstance(spec, AHPResult | GroupAHPResult):
            res = spec
        else:
            res = ahp_weights(spec, threshold=threshold, **options)
        results[node] = res
        ci, ri = _ci_ri(res)
        level_num[depth + 1] = level_num.get(depth + 1, 0.0) + g * ci
        level_den[depth + 1] = level_den.get(depth + 1, 0.0) + g * ri
        ranks = res.weights.rank(ascending=False, method="min").astype(int).to_numpy()
        for (child, lw), rk in zip(res.weights.items(), ranks, strict=True):
            rows.append((str(child), node, depth + 1, float(lw), g * float(lw), int(rk)))
            if child in matrices:
                visit(str(child), g * float(lw), depth + 1)

    visit(root, 1.0, 0)
    unused = [k for k in matrices if k not in visited]
    if unused:
        raise CsiInputError(f"hierarchy: matrices {unused} are not reachable from root {root!r}")
    frame = pd.DataFrame(
        rows, columns=["node", "parent", "level", "local_weight", "global_weight", "rank"]
    )
    cr_levels = pd.Series(
        {lv: (level_num[lv] / level_den[lv] if level_den[lv] > 0 else 0.0) for lv in level_num},
        name="cr",
    )
    cr_levels.index.name = "level"
    num, den = sum(level_num.values()), sum(level_den.values())
    return AHPHierarchyResult(
        root=root,
        nodes=results,
        frame=frame,
        cr_levels=cr_levels,
        cr=float(num / den) if den > 0 else 0.0,
        threshold=float(threshold),
    )
