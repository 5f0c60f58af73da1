"""AHP core: priorities (eigenvector or geometric), consistency (CI, CR) and the result.

See :mod:`csi.weighting.ahp` for the method and references.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, CsiWarning, check_choice
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.weighting.ahp_judgments import _as_array, _fmt, _pairs
from csi.weighting.ahp_tables import RANDOM_INDEX_TABLES, SAATY_SCALE
from csi.weighting.ahp_tables import random_index as _random_index

__all__ = ["AHPConsistencyWarning", "AHPResult", "ahp_weights"]

_T = TypeVar("_T")


class AHPConsistencyWarning(CsiWarning):
    """A comparison matrix is not acceptably consistent (CR above the threshold)."""


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
    completed = np.where(missing, np.outer(w, 1 / w), a) if missing.any() else a
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

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """Priorities, lambda_max, CI, RI, CR and the consistency verdict."""
        lab = phrases("ahp", check_lang(lang))
        rows = [(str(k), f"{v:.{digits}f}") for k, v in self.weights.items()]
        verdict = lab["yes"] if self.consistent else lab["no"]
        rows += [
            ("lambda_max", f"{self.lambda_max:.{digits}f}"),
            ("CI", f"{self.ci:.{digits}f}"),
            (f"RI ({self.random_index_table})", f"{self.ri:.{digits}f}"),
            ("CR", f"{self.cr:.{digits}f}"),
            (lab["consistent"], f"{verdict} (CR <= {self.threshold:g})"),
        ]
        if self.n_missing:
            rows.append((lab["missing"], f"{self.n_missing} (Harker)"))
        title = lab["title"].format(method=self.method)
        text = _table(rows, title)
        if self.notes:
            text += "\n" + "\n".join(lab["note"].format(note=t) for t in self.notes)
        return Summary.plain(text, title=title, tables={"weights": self.to_frame()}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


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
    top = back[share[::-1].argsort(kind="stable")][::-1][:k]
    r, c = i[top], j[top]
    cons = w[r] / w[c]
    nearest = np.abs(_LOG_SCALE[None, :] - np.log(cons)[:, None]).argmin(axis=1)
    return [
        (labels[r[m]], labels[c[m]], float(a[r[m], c[m]]), float(cons[m]),
         float(_SCALE[nearest[m]]), float(share[top[m]]))
        for m in range(top.size)
    ]  # fmt: skip


#: Saaty's scale and its logarithms (nearest scale value of a consistent ratio).
_SCALE = np.array(SAATY_SCALE)
_LOG_SCALE = np.log(_SCALE)


@functools.lru_cache(maxsize=256)
def _item_index(labels: tuple[str, ...]) -> pd.Index:
    """The item labels as a pandas Index, built once per list of items (inferring the
    string dtype is most of a Series' cost); callers get a view of it (own name)."""
    return pd.Index(list(labels))


def _square_frame(values: np.ndarray, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values, index=labels, columns=labels, copy=True)


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
        weights=pd.Series(w, index=_item_index(tuple(labels)).view(), name="weight"),
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
