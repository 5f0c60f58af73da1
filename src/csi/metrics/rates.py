"""Rates and times from operational records (one row per case, customer or contact).

* :func:`case_rates` - complaint, churn / retention, repurchase rates (share of rows
  where a yes/no column is true) with Wilson (1927) or exact Clopper-Pearson (1934)
  intervals.
* :func:`service_level` - share of cases answered within each service level
  (e.g. 15 minutes, 2 hours).
* :func:`time_summary` - median and 90th percentile of response or resolution time
  with distribution-free order-statistic intervals (Conover 1999, §3.2).
* :func:`durations` - elapsed time between two timestamp columns.

Tables are long and tidy, per segment (put the period column in ``by`` for
"per segment and period"). Rates are in percent. Segments with fewer than
``min_size`` cases keep their row, blanked and flagged ``suppressed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_columns, check_frame
from csi.metrics._common import (
    as_by,
    check_level,
    check_min_size,
    first_bad,
    iter_groups,
    numeric_column,
    suppress,
)
from csi.metrics.intervals import proportion_interval, quantile_interval


def case_rates(
    cases: pd.DataFrame,
    events: Sequence[str] | Mapping[str, str],
    *,
    complement: Mapping[str, str] | None = None,
    by: str | Sequence[str] | None = None,
    method: str = "wilson",
    level: float = 0.95,
    min_size: int = 30,
) -> pd.DataFrame:
    """Percent of cases where each yes/no column is true, with an interval.

    ``events``: column names, or a mapping ``{measure name: column}`` (e.g.
    ``{"complaint": "complained", "churn": "churned"}``). ``complement`` adds rates of
    the *false* answers, e.g. ``{"retention": "churned"}``. Columns must hold
    True/False or 1/0; NaN means unknown and is counted in ``n_missing``.
    ``method``: "wilson" or "exact" (Clopper-Pearson).

    Columns: the ``by`` columns, ``measure``, ``n``, ``n_missing``, ``events``, ``rate``,
    ``ci_lower``, ``ci_upper``, ``suppressed``.
    """
    cases = check_frame(cases, name="cases")
    groups = as_by(by)
    check_min_size(min_size)
    level = check_level(level)
    check_choice(method, ("wilson", "exact"), name="method")
    spec = dict(events) if isinstance(events, Mapping) else {c: c for c in events}
    if isinstance(events, str):
        spec = {events: events}
    measures = [(name, col, False) for name, col in spec.items()]
    measures += [(name, col, True) for name, col in (complement or {}).items()]
    if not measures:
        raise CsiInputError("events must name at least one yes/no column")
    names = [m[0] for m in measures]
    if len(set(names)) != len(names):
        raise CsiInputError(f"measure names must be unique, got {names}")
    rows = []
    for name, col, negate in measures:
        flags = _binary(cases, col)
        if negate:
            flags = 1.0 - flags
        for keys, sub in iter_groups(cases.assign(_v=flags.to_numpy()), groups):
            v = sub["_v"].dropna().to_numpy()
            k = int(v.sum())
            lower, upper = proportion_interval(k, v.size, level=level, method=method)
            rows.append(
                {
                    **keys,
                    "measure": name,
                    "n": v.size,
                    "n_missing": int(sub["_v"].isna().sum()),
                    "events": k,
                    "rate": 100 * k / v.size if v.size else np.nan,
                    "ci_lower": 100 * lower,
                    "ci_upper": 100 * upper,
                }
            )
    return suppress(pd.DataFrame(rows), ["events", "rate", "ci_lower", "ci_upper"], min_size)


def service_level(
    cases: pd.DataFrame,
    time: str,
    *,
    limits: Sequence[Any],
    unit: str = "min",
    unanswered: str = "missing",
    by: str | Sequence[str] | None = None,
    method: str = "wilson",
    level: float = 0.95,
    min_size: int = 30,
) -> pd.DataFrame:
    """Percent of cases handled within each service level (``time <= limit``).

    ``time``: a numeric column in ``unit`` ("s", "min", "h", "D") or a timedelta column.
    ``limits``: numbers in ``unit`` or durations such as ``"15min"``, ``"2h"``.
    A missing time (case not answered yet) is counted in ``n_missing`` and left out
    (``unanswered="missing"``), or counted as outside every limit (``"late"``).

    Columns: the ``by`` columns, ``limit`` (in ``unit``), ``n``, ``n_missing``, ``within``,
    ``share``, ``ci_lower``, ``ci_upper``, ``suppressed``.
    """
    cases = check_frame(cases, name="cases")
    groups = as_by(by)
    check_min_size(min_size)
    level = check_level(level)
    check_choice(method, ("wilson", "exact"), name="method")
    check_choice(unanswered, ("missing", "late"), name="unanswered")
    times = _times(cases, time, unit)
    lims = [_limit(x, unit) for x in limits]
    if not lims:
        raise CsiInputError("limits must list at least one service level")
    rows = []
    frame = cases.assign(_v=times.to_numpy())
    for lim in lims:
        for keys, sub in iter_groups(frame, groups):
            t = sub["_v"].to_numpy()
            missing = np.isnan(t)
            if unanswered == "late":
                n, k, n_missing = t.size, int((t[~missing] <= lim).sum()), 0
            else:
                n, k, n_missing = (
                    int((~missing).sum()),
                    int((t[~missing] <= lim).sum()),
                    int(missing.sum()),
                )
            lower, upper = proportion_interval(k, n, level=level, method=method)
            rows.append(
                {
                    **keys,
                    "limit": lim,
                    "n": n,
                    "n_missing": n_missing,
                    "within": k,
                    "share": 100 * k / n if n else np.nan,
                    "ci_lower": 100 * lower,
                    "ci_upper": 100 * upper,
                }
            )
    return suppress(pd.DataFrame(rows), ["within", "share", "ci_lower", "ci_upper"], min_size)


def time_summary(
    cases: pd.DataFrame,
    time: str,
    *,
    quantiles: Sequence[float] = (0.5, 0.9),
    unit: str = "min",
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_size: int = 30,
) -> pd.DataFrame:
    """Median, 90th percentile (by default) of a time column, with order-statistic intervals.

    See :func:`csi.metrics.intervals.quantile_interval`: the estimate is the
    interpolated sample quantile, the interval ``[x_(l), x_(u)]`` has at least the
    nominal coverage for any continuous distribution (NaN when n is too small).

    Columns: the ``by`` columns, ``quantile``, ``n``, ``n_missing``, ``estimate``,
    ``ci_lower``, ``ci_upper``, ``suppressed`` (times in ``unit``).
    """
    cases = check_frame(cases, name="cases")
    groups = as_by(by)
    check_min_size(min_size)
    level = check_level(level)
    qs = [float(q) for q in quantiles]
    for q in qs:
        if not 0 < q < 1:
            raise CsiInputError(f"quantiles must lie between 0 and 1, got {q!r}")
    times = _times(cases, time, unit)
    rows = []
    frame = cases.assign(_v=times.to_numpy())
    for q in qs:
        for keys, sub in iter_groups(frame, groups):
            t = sub["_v"].to_numpy()
            ok = t[~np.isnan(t)]
            est, lower, upper = quantile_interval(ok, q, level=level)
            rows.append(
                {
                    **keys,
                    "quantile": q,
                    "n": ok.size,
                    "n_missing": int(t.size - ok.size),
                    "estimate": est,
                    "ci_lower": lower,
                    "ci_upper": upper,
                }
            )
    return suppress(pd.DataFrame(rows), ["estimate", "ci_lower", "ci_upper"], min_size)


def durations(cases: pd.DataFrame, start: str, end: str, *, unit: str = "min") -> pd.Series:
    """Elapsed time ``end - start`` in ``unit`` (NaN where either is missing).

    Raises naming the row where ``end`` is before ``start``.
    """
    cases = check_frame(cases, name="cases")
    check_columns(cases, [start, end], name="cases")
    t0 = pd.to_datetime(cases[start], errors="raise")
    t1 = pd.to_datetime(cases[end], errors="raise")
    out = pd.Series((t1 - t0).dt.total_seconds() / _seconds(unit), index=cases.index)
    neg = out < 0
    if neg.any():
        row, _ = first_bad(out, neg)
        raise CsiInputError(f"cases: {end!r} is before {start!r} at row {row!r}")
    return out.astype(float).rename(f"{end}_minus_{start}")


# --------------------------------------------------------------------------- helpers

_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "D": 86400.0}


def _seconds(unit: str) -> float:
    """Seconds in one ``unit``."""
    return _SECONDS[check_choice(unit, _SECONDS, name="unit")]


def _times(cases: pd.DataFrame, column: str, unit: str) -> pd.Series:
    check_columns(cases, [column], name="cases")
    s = cases[column]
    if pd.api.types.is_timedelta64_dtype(s):
        t = (s.dt.total_seconds() / _seconds(unit)).astype(float)
    else:
        _seconds(unit)
        t = numeric_column(cases, column, name="cases")
    neg = t < 0
    if neg.any():
        row, val = first_bad(s, neg)
        raise CsiInputError(f"cases: column {column!r} has a negative time {val!r} at row {row!r}")
    return t


def _limit(x: Any, unit: str) -> float:
    if isinstance(x, bool):
        raise CsiInputError(f"service level must be a number or a duration, got {x!r}")
    if isinstance(x, int | float | np.integer | np.floating):
        val = float(x)
    else:
        try:
            val = pd.Timedelta(x).total_seconds() / _seconds(unit)
        except (TypeError, ValueError):
            raise CsiInputError(
                f"service level must be a number or a duration like '15min', got {x!r}"
            ) from None
    if not np.isfinite(val) or val < 0:
        raise CsiInputError(f"service level must be a non-negative duration, got {x!r}")
    return float(val)


def _binary(cases: pd.DataFrame, column: str) -> pd.Series:
    check_columns(cases, [column], name="cases")
    s = cases[column]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    num = pd.to_numeric(s, errors="coerce")
    bad = (s.notna() & num.isna()) | (num.notna() & ~num.isin([0, 1]))
    if bad.any():
        row, val = first_bad(s, bad)
        raise CsiInputError(
            f"cases: column {column!r} must be yes/no (True/False or 1/0), "
            f"got {val!r} at row {row!r}"
        )
    return num.astype(float)
