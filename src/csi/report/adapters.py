"""Reach the parts of the library a result may not offer (quality, bootstrap, CB-SEM,
indicator systems).

A PLS result from :func:`csi.fit_pls` has ``quality()`` and ``bootstrap()``, but a
result fitted from moments cannot be bootstrapped, CB-SEM may be missing or fail,
and an indicator-system file may be absent; the report then says "not available"
(with the reason) instead of failing. These helpers only find and call library
functions; they compute nothing themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from csi import sem
from csi.indicators import IndicatorSystem
from csi.pls.bootstrap import BootstrapResult
from csi.quality.report import QualityReport
from csi.sem.result import SEMResult


class Unavailable(Exception):
    """A part of the library the report needs is not available (message = reason)."""


def quality(result: Any, **options: Any) -> QualityReport:
    """``result.quality(**options)`` (a :class:`csi.quality.QualityReport`), or
    :class:`Unavailable` when the result has no ``quality()``."""
    method = getattr(result, "quality", None)
    if not callable(method):
        raise Unavailable("no_quality")
    return method(**options)


def bootstrap(
    result: Any,
    *,
    n: int,
    seed: int,
    segment: str | None = None,
    progress: bool | None = False,
    min_size: int = 10,
    pairs: bool = True,
) -> BootstrapResult:
    """``result.bootstrap(n, seed=, segment=, progress=, min_size=, pairs=)`` (a
    :class:`csi.pls.bootstrap.BootstrapResult`), or :class:`Unavailable`."""
    method = getattr(result, "bootstrap", None)
    if not callable(method):
        raise Unavailable("no_bootstrap")
    options: dict[str, Any] = {"segment": segment, "progress": progress, "min_size": min_size}
    if segment is not None:
        options["pairs"] = pairs
    return method(n, seed=seed, **options)


def bootstrap_rows(boot: Any, kind: str) -> pd.DataFrame | None:
    """The rows of one ``kind`` of a bootstrap result's tidy ``table`` (None if absent)."""
    table = getattr(boot, "table", None)
    if not isinstance(table, pd.DataFrame) or "kind" not in table.columns:
        return None
    rows = table[table["kind"] == kind]
    return rows.reset_index(drop=True) if len(rows) else None


def fit_sem(data: Any, spec: Any, *, missing: str = "listwise", weights: Any = None) -> SEMResult:
    """``csi.sem.fit_sem(data, spec, missing=, weights=)``, or :class:`Unavailable` when
    its optimiser (semopy, loaded by the first fit) is not installed."""
    try:
        return sem.fit_sem(data, spec, missing=missing, weights=weights)
    except ModuleNotFoundError as err:
        if err.name == "semopy":
            raise Unavailable("no_sem") from None
        raise


def load_system(system: Any) -> IndicatorSystem:
    """An indicator system from a YAML path (or the object itself), or :class:`Unavailable`."""
    if system is None:
        raise Unavailable("no_system")
    if not isinstance(system, str | Path):
        return system
    path = Path(system)
    if not path.exists():
        raise Unavailable("system_missing")
    return IndicatorSystem.from_yaml(path)
