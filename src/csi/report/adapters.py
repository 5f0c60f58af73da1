"""Reach the optional parts of the library (quality, bootstrap, CB-SEM, indicator systems).

They are written by other modules and may not exist yet in an installation; the
report includes their section when they do, and says "not available" (with the
reason) when they do not. These helpers only find and call library functions;
they compute nothing themselves.
"""

from __future__ import annotations

import inspect
from dataclasses import fields, is_dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd


class Unavailable(Exception):
    """A part of the library the report needs is not available (message = reason)."""


def frames_of(obj: Any) -> list[tuple[str, pd.DataFrame]]:
    """The public tables a result object carries: ``(name, DataFrame)`` in a stable order.

    Looks at dataclass fields and properties (DataFrames, and Series as two-column
    tables); falls back to ``to_frame()``.
    """
    if isinstance(obj, pd.DataFrame):
        return [("table", obj)]
    names: list[str] = []
    if is_dataclass(obj):
        names += [f.name for f in fields(obj)]
    for name, member in inspect.getmembers(type(obj)):
        if isinstance(member, property | cached_property) and name not in names:
            names.append(name)
    out: list[tuple[str, pd.DataFrame]] = []
    for name in names:
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # a property that cannot be computed for this result
            continue
        if isinstance(value, pd.DataFrame) and not value.empty:
            out.append((name, value))
        elif isinstance(value, pd.Series) and not value.empty:
            frame = value.to_frame(name=value.name or "value")
            frame = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
            out.append((name, frame))
    if not out and callable(getattr(obj, "to_frame", None)):
        frame = obj.to_frame()
        if isinstance(frame, pd.DataFrame):
            out.append(("table", frame))
    return out


def quality(result: Any) -> Any:
    """``result.quality()``, or :class:`Unavailable`."""
    method = getattr(result, "quality", None)
    if not callable(method):
        raise Unavailable("no_quality")
    return method()


def bootstrap(result: Any, *, n: int, seed: int) -> Any:
    """``result.bootstrap(n=n, seed=seed)``, or :class:`Unavailable`."""
    method = getattr(result, "bootstrap", None)
    if not callable(method):
        raise Unavailable("no_bootstrap")
    return method(n=n, seed=seed)


def index_intervals(boot: Any) -> pd.DataFrame | None:
    """``construct, ci_lower, ci_upper`` of the indices from a bootstrap result, if it has them."""
    for name in ("index_intervals", "index", "indices"):
        value = getattr(boot, name, None)
        if callable(value):
            try:
                value = value()
            except Exception:
                continue
        frame = _ci_frame(value)
        if frame is not None:
            return frame
    to_frame = getattr(boot, "to_frame", None)
    if callable(to_frame):
        try:
            table = to_frame()
        except Exception:
            return None
        if isinstance(table, pd.DataFrame):
            for col in ("parameter", "kind", "what", "statistic"):
                if col in table.columns:
                    rows = table[table[col].astype(str) == "index"]
                    if len(rows):
                        name_col = next(
                            (c for c in ("construct", "lhs", "name") if c in rows.columns), None
                        )
                        if name_col is not None:
                            return _ci_frame(rows.rename(columns={name_col: "construct"}))
    return None


def _ci_frame(value: Any) -> pd.DataFrame | None:
    if not isinstance(value, pd.DataFrame):
        return None
    frame = value
    if "construct" not in frame.columns and frame.index.name == "construct":
        frame = frame.reset_index()
    if {"construct", "ci_lower", "ci_upper"} <= set(frame.columns):
        return frame.loc[:, ["construct", "ci_lower", "ci_upper"]].reset_index(drop=True)
    return None


def fit_sem(data: pd.DataFrame, spec: Any) -> Any:
    """``csi.sem.fit_sem(data, spec)``, or :class:`Unavailable` when CB-SEM is not installed."""
    try:
        from csi.sem import fit_sem as _fit_sem
    except ImportError:
        raise Unavailable("no_sem") from None
    return _fit_sem(data, spec)


def load_system(system: Any) -> Any:
    """An indicator system from a YAML path (or the object itself), or :class:`Unavailable`."""
    if system is None:
        raise Unavailable("no_system")
    if not isinstance(system, str | Path):
        return system
    path = Path(system)
    if not path.exists():
        raise Unavailable("system_missing")
    try:
        from csi.indicators import IndicatorSystem
    except ImportError:
        raise Unavailable("no_system_module") from None
    return IndicatorSystem.from_yaml(path)


def call_first(obj: Any, names: tuple[str, ...], *args: Any, **kwargs: Any) -> Any:
    """Call the first of ``names`` that ``obj`` has; :class:`Unavailable` if none."""
    for name in names:
        method = getattr(obj, name, None)
        if callable(method):
            return method(*args, **kwargs)
    raise Unavailable(f"{type(obj).__name__} has none of {', '.join(names)}")
