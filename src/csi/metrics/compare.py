"""Differences of a score between segments and between periods, with tests and intervals.

Two measures, one table shape:

* ``measure="mean"`` - mean score (optionally rescaled to 0-100 with ``scale``);
  Welch's (1947) t test for independent samples, Student's paired t test when the
  same customers answered twice (``id`` given; matched by id).
* ``measure="nps"`` - Net Promoter Score in points. Each answer is scored
  ``s = +100`` (9-10), ``0`` (7-8), ``-100`` (0-6), so NPS is the mean of ``s`` and
  its plug-in variance ``var(s)/n`` is the trinomial variance of Rocks (2016).
  Independent groups: ``se = sqrt(se_1² + se_2²)``; paired: the variance of the
  per-customer differences. Both use a normal (z) test and interval.

p-values across the rows of a table are adjusted for multiple comparisons by
``correction``: "holm" (Holm 1979, default), "bonferroni", "bh" (Benjamini &
Hochberg 1995) or "none". Rows with fewer than ``min_size`` answers on either side
are kept, blanked and flagged ``suppressed`` and take no part in the adjustment.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError, DataWarning, check_choice, check_columns, check_frame
from csi.i18n import text
from csi.metrics._common import (
    as_by,
    check_lang,
    check_level,
    check_min_size,
    check_scale,
    item_scale,
    iter_groups,
    numeric_column,
    suppress,
    survey_frame,
    to_100,
    z_value,
)
from csi.metrics.design import Design, design_for, weighted_difference
from csi.metrics.multiplicity import CORRECTIONS as CORRECTIONS
from csi.metrics.multiplicity import adjust_pvalues as adjust_pvalues
from csi.metrics.scores import nps_points

MEASURES = ("mean", "nps")
_RESULT = ["difference", "se", "df", "ci_lower", "ci_upper", "stat", "pvalue"]


def mean_difference(
    a: Any, b: Any, *, paired: bool = False, level: float = 0.95
) -> dict[str, float]:
    """Difference ``mean(a) - mean(b)`` with its t test and confidence interval.

    Independent (Welch 1947): ``se² = s_a²/n_a + s_b²/n_b``, Welch-Satterthwaite df
    ``se⁴ / [(s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1)]``. Paired (Student 1908):
    ``d = a - b`` element-wise, ``se = s_d/√n``, df = n - 1. Interval:
    ``difference ± t_{df} · se``. Keys: difference, se, df, ci_lower, ci_upper, stat (t),
    pvalue (two-sided); NaN where not estimable.
    """
    level = check_level(level)
    x, y = _clean(a, paired, b)
    return _finish(*_mean_parts(x, y, paired), level)


def _mean_parts(x: np.ndarray, y: np.ndarray, paired: bool) -> tuple[float, float, float]:
    """Difference, standard error and df of :func:`mean_difference` (clean arrays)."""
    if paired:
        d = x - y
        n = d.size
        diff = float(d.mean()) if n else np.nan
        se = float(d.std(ddof=1) / np.sqrt(n)) if n >= 2 else np.nan
        df = float(n - 1) if n >= 2 else np.nan
    else:
        diff = float(x.mean() - y.mean()) if x.size and y.size else np.nan
        if x.size >= 2 and y.size >= 2:
            va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
            se = float(np.sqrt(va + vb))
            denom = va**2 / (x.size - 1) + vb**2 / (y.size - 1)
            df = float((va + vb) ** 2 / denom) if denom > 0 else np.nan
        else:
            se = df = np.nan
    return diff, se, df


def nps_difference(
    a: Any, b: Any, *, paired: bool = False, level: float = 0.95
) -> dict[str, float]:
    """Difference ``NPS(a) - NPS(b)`` in points with a z test and Wald interval.

    With ``s = +100/0/-100`` for promoters/passives/detractors, NPS is ``mean(s)`` and
    ``Var(NPS) = mean((s - NPS)²)/n`` = ``10⁴[p_P + p_D - (p_P - p_D)²]/n`` (Rocks 2016).
    Independent groups: ``se = sqrt(se_a² + se_b²)``; paired (same customers, ``a[i]``
    and ``b[i]`` from one person): ``se = sd(s_a - s_b)/√n`` (plug-in, ddof 0).
    Answers must be integers 0-10. Same keys as :func:`mean_difference` (df is NaN).
    """
    level = check_level(level)
    x, y = _clean(a, paired, b)
    for arr in (x, y):
        bad = (arr < 0) | (arr > 10) | (arr != np.round(arr))
        if bad.any():
            raise CsiInputError(
                f"NPS answers must be integers 0-10, got {arr[bad][0]:g} "
                f"at position {int(np.argmax(bad))}"
            )
    sx, sy = nps_points(x), nps_points(y)
    if paired:
        d = sx - sy
        diff = float(d.mean()) if d.size else np.nan
        se = float(np.sqrt(d.var() / d.size)) if d.size else np.nan
    else:
        diff = float(sx.mean() - sy.mean()) if sx.size and sy.size else np.nan
        if sx.size and sy.size:
            se = float(np.sqrt(sx.var() / sx.size + sy.var() / sy.size))
        else:
            se = np.nan
    return _finish(diff, se, np.nan, level)


def compare_segments(
    data: Any,
    column: str,
    *,
    by: str | Sequence[str],
    reference: Any = None,
    measure: str = "mean",
    scale: tuple[float, float] | None = None,
    level: float = 0.95,
    correction: str = "holm",
    min_size: int = 30,
    weights: Any = None,
) -> pd.DataFrame:
    """Each segment against the rest of the respondents (default) or a ``reference`` segment.

    ``value`` is the segment's mean (``measure="mean"``; 0-100 if ``scale`` is given) or
    NPS; ``difference = value - value_reference``. See the module notes for the tests.
    ``data`` may be a :class:`csi.Survey`: every respondent who answered ``column``
    counts, and a mean is on 0-100 from the item's codebook scale unless ``scale`` is
    given.

    ``weights`` (as in :func:`csi.metrics.nps`: ``None`` = the Survey's design when its
    codebook names a weight, ``False`` = unweighted, a column, an array or a
    :class:`csi.metrics.design.Design`): values are weighted means and the test is the
    design-based t test of the difference of domain means (``test = "design t"``; R
    ``svycontrast`` of ``svyby``), on the design's degrees of freedom.

    Columns: the ``by`` columns, ``reference``, ``measure``, ``test``, ``n``, ``value``,
    ``n_reference``, ``value_reference``, ``difference``, ``se``, ``df``, ``ci_lower``,
    ``ci_upper``, ``stat``, ``pvalue``, ``p_adjusted``, ``significant``, ``suppressed``.

    Examples
    --------
    North (mean 4.4, variance 0.3) against south (mean 2.2, variance 0.7), five answers
    each: Welch's ``se = sqrt(0.3 / 5 + 0.7 / 5) = 0.447``:

    >>> import pandas as pd
    >>> from csi.metrics import compare_segments
    >>> df = pd.DataFrame({"sat": [5, 4, 4, 5, 4, 2, 3, 1, 2, 3], "region": list("NNNNNSSSSS")})
    >>> t = compare_segments(df, "sat", by="region", reference="S", min_size=1)
    >>> t[["difference", "se", "stat", "pvalue"]].round(4).iloc[0].tolist()
    [2.2, 0.4472, 4.9193, 0.0018]
    >>> t["significant"].tolist()
    [True]
    """
    groups = as_by(by)
    source = data
    data, codebook = survey_frame(data, groups)
    data = check_frame(data)
    if measure == "mean":
        scale = item_scale(codebook, column, scale)
    if not groups:
        raise CsiInputError("by must name at least one segment column")
    level, min_size = check_level(level), check_min_size(min_size)
    check_choice(correction, CORRECTIONS, name="correction")
    values = _measure_values(data, column, measure, scale)
    design = design_for(source, data, weights)
    points = nps_points(values) if measure == "nps" else values.to_numpy(dtype=float)
    frame = data.assign(_v=values.to_numpy(), _pos=np.arange(len(data)))
    segments = list(iter_groups(frame, groups))
    ref_rows: pd.DataFrame | None = None
    ref_label = "rest"
    if reference is not None:
        ref_key = reference if isinstance(reference, tuple) else (reference,)
        found = [rows for keys, rows in segments if _same(tuple(keys.values()), ref_key)]
        if not found:
            names = [_key_label(k) for k, _ in segments]
            raise CsiInputError(
                f"reference segment {reference!r} not found in {groups}; segments are {names}"
            )
        ref_rows, ref_label = found[0], str(reference)
    rows = []
    all_values = frame["_v"].to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(all_values)
    for keys, sub in segments:
        if ref_rows is not None and sub is ref_rows:
            continue
        pos = sub["_pos"].to_numpy()
        if ref_rows is not None:
            other_pos = ref_rows["_pos"].to_numpy()
        else:  # the rest, by position (safe with duplicated index labels)
            rest = np.ones(len(frame), dtype=bool)
            rest[pos] = False
            other_pos = np.flatnonzero(rest)
        a = all_values[pos[answered[pos]]]
        b = all_values[other_pos[answered[other_pos]]]
        if design is None and measure == "mean":
            parts, test, value, value_ref = _mean_parts(a, b, False), "welch t", None, None
        elif design is None:
            r = nps_difference(a, b, level=level)
            parts, test, value, value_ref = (r["difference"], r["se"], r["df"]), "z", None, None
        else:
            d, se, df, value, value_ref = _design_parts(design, points, pos, other_pos)
            parts = (d, se, df)
            test = "design t"
        rows.append(
            {
                **keys,
                "reference": ref_label,
                "measure": measure,
                "test": test,
                "n": a.size,
                "value": _value(measure, a) if value is None else value,
                "n_reference": b.size,
                "value_reference": _value(measure, b) if value_ref is None else value_ref,
                **dict(zip(("difference", "se", "df"), parts, strict=True)),
            }
        )
    out = _finish_rows(pd.DataFrame(rows), level)
    small = np.minimum(out["n"], out["n_reference"])
    return _adjust(out.assign(_n=small), level, correction, min_size, ["value", "value_reference"])


def compare_periods(
    data: Any,
    column: str,
    *,
    period: str,
    current: Any,
    previous: Any,
    by: str | Sequence[str] | None = None,
    id: str | None = None,
    measure: str = "mean",
    scale: tuple[float, float] | None = None,
    level: float = 0.95,
    correction: str = "holm",
    min_size: int = 30,
    lang: str = "en",
    weights: Any = None,
) -> pd.DataFrame:
    """Change from the ``previous`` to the ``current`` period, overall or per segment.

    Independent samples unless ``id`` names a customer id column: then customers who
    answered in both periods are matched by id and compared with a paired test; a
    customer's segment is taken from the current period. Customers answering in one
    period only are counted in ``n_unmatched`` (and a warning says how many).
    ``text`` reads like "85.6, up 3.2 points" (``lang="zh"``: "85.6，上升3.2分").
    ``data`` may be a :class:`csi.Survey` (every respondent who answered ``column``;
    means on 0-100 from the codebook scale unless ``scale`` is given). ``weights`` as in
    :func:`compare_segments` (design-based difference of the two periods' weighted
    means; not with ``id``).

    Columns: the ``by`` columns, ``previous``, ``current``, ``measure``, ``test``,
    ``n_previous``, ``n_current``, ``n_unmatched``, ``n_missing``, ``value_previous``,
    ``value_current``, ``difference``, ``se``, ``df``, ``ci_lower``, ``ci_upper``,
    ``stat``, ``pvalue``, ``p_adjusted``, ``significant``, ``text``, ``suppressed``.
    """
    groups = as_by(by)
    source = data
    data, codebook = survey_frame(data, groups)
    data = check_frame(data)
    if measure == "mean":
        scale = item_scale(codebook, column, scale)
    design = design_for(source, data, weights)
    if design is not None and id is not None:
        raise CsiInputError(
            "a paired comparison (id=) with survey weights is not available; compare the "
            "periods as independent samples (id=None) or with weights=False"
        )
    level, min_size = check_level(level), check_min_size(min_size)
    check_choice(correction, CORRECTIONS, name="correction")
    lang = check_lang(lang)
    check_columns(data, [period])
    present = list(pd.unique(data[period].dropna()))
    for label, what in ((current, "current"), (previous, "previous")):
        if label not in present:
            raise CsiInputError(
                f"{what} period {label!r} not found in column {period!r}; values are {present}"
            )
    if current == previous:
        raise CsiInputError(f"current and previous period are the same: {current!r}")
    values = _measure_values(data, column, measure, scale)
    points = nps_points(values) if measure == "nps" else values.to_numpy(dtype=float)
    frame = data.assign(_v=values.to_numpy(), _pos=np.arange(len(data)))
    frame = frame[frame[period].isin([current, previous])]
    rows = []
    if id is None:
        for keys, sub in iter_groups(frame, groups):
            cur = sub.loc[sub[period] == current, "_v"]
            prev = sub.loc[sub[period] == previous, "_v"]
            a, b = cur.dropna().to_numpy(), prev.dropna().to_numpy()
            if design is None:
                res = _difference(measure, a, b, paired=False, level=level)
                v_cur, v_prev = _value(measure, a), _value(measure, b)
            else:
                res, v_cur, v_prev = _design_difference(
                    design,
                    points,
                    sub.loc[sub[period] == current, "_pos"].to_numpy(),
                    sub.loc[sub[period] == previous, "_pos"].to_numpy(),
                    level,
                )
            rows.append(
                {
                    **keys,
                    "n_previous": b.size,
                    "n_current": a.size,
                    "n_unmatched": 0,
                    "n_missing": int(cur.isna().sum() + prev.isna().sum()),
                    "value_previous": v_prev,
                    "value_current": v_cur,
                    **res,
                }
            )
        test = "welch t" if measure == "mean" else "z"
        if design is not None:
            test = "design t"
    else:
        pairs = _match(frame, id, period, current, previous, groups)
        total_unmatched = int(pairs["_unmatched"].sum())
        if total_unmatched:
            warnings.warn(
                f"{total_unmatched} customers answered in only one of the periods "
                f"{previous!r}, {current!r}; they are left out of the paired comparison "
                "and counted in n_unmatched",
                DataWarning,
                stacklevel=2,
            )
        for keys, sub in iter_groups(pairs, groups):
            ok = sub["_pair"]
            a, b = sub.loc[ok, "_v_cur"].to_numpy(), sub.loc[ok, "_v_prev"].to_numpy()
            rows.append(
                {
                    **keys,
                    "n_previous": b.size,
                    "n_current": a.size,
                    "n_unmatched": int(sub["_unmatched"].sum()),
                    "n_missing": int(sub["_missing"].sum()),
                    "value_previous": _value(measure, b),
                    "value_current": _value(measure, a),
                    **_difference(measure, a, b, paired=True, level=level),
                }
            )
        test = "paired t" if measure == "mean" else "paired z"
    out = pd.DataFrame(rows)
    front = pd.DataFrame(
        {"previous": previous, "current": current, "measure": measure, "test": test},
        index=out.index,
    )
    out = pd.concat([out[groups], front, out.drop(columns=groups)], axis=1)
    small = np.minimum(out["n_previous"], out["n_current"])
    values_cols = ["value_previous", "value_current"]
    out = _adjust(out.assign(_n=small), level, correction, min_size, values_cols)
    out.insert(
        len(out.columns) - 1,
        "text",
        [
            describe_change(v, d, lang=lang)
            for v, d in zip(out["value_current"], out["difference"], strict=True)
        ],
    )
    return out


def describe_change(value: float, change: float, *, lang: str = "en", digits: int = 1) -> str:
    """Text such as "85.6, up 3.2 points" / "85.6，上升3.2分" ("" when value is NaN)."""
    lang = check_lang(lang)
    if value is None or not np.isfinite(value):
        return ""
    v = f"{value:.{digits}f}"
    if change is None or not np.isfinite(change):
        return v
    c = round(abs(change), digits)
    if c == 0:
        return text("change.unchanged", lang, value=v)
    key = ("change.up" if change > 0 else "change.down") + ("_one" if c == 1 else "")
    return text(key, lang, value=v, amount=f"{c:.{digits}f}")


# --------------------------------------------------------------------------- helpers


def _measure_values(
    data: pd.DataFrame, column: str, measure: str, scale: tuple[float, float] | None
) -> pd.Series:
    check_choice(measure, MEASURES, name="measure")
    if measure == "nps":
        if scale is not None:
            raise CsiInputError("scale is not used with measure='nps' (answers are 0-10)")
        return numeric_column(data, column, scale=(0, 10), integer=True)
    if scale is None:
        return numeric_column(data, column)
    sc = check_scale(scale)
    return to_100(numeric_column(data, column, scale=sc), sc)


def _value(measure: str, v: np.ndarray) -> float:
    if v.size == 0:
        return np.nan
    return float(nps_points(v).mean() if measure == "nps" else v.mean())


def _difference(
    measure: str, a: np.ndarray, b: np.ndarray, *, paired: bool, level: float
) -> dict[str, float]:
    if measure == "nps":
        return nps_difference(a, b, paired=paired, level=level)
    return mean_difference(a, b, paired=paired, level=level)


def _clean(a: Any, paired: bool, b: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if paired:
        if x.size != y.size:
            raise CsiInputError(f"paired samples need equal lengths, got {x.size} and {y.size}")
        keep = ~(np.isnan(x) | np.isnan(y))
        return x[keep], y[keep]
    return x[~np.isnan(x)], y[~np.isnan(y)]


def _design_parts(
    design: Design, points: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray
) -> tuple[float, float, float, float, float]:
    """Design-based difference of the weighted means of two sets of rows (segment and
    rest or reference): :func:`csi.metrics.design.weighted_difference` (difference, SE,
    the design's df, and the two weighted means)."""
    a = np.zeros(len(points), dtype=bool)
    b = np.zeros(len(points), dtype=bool)
    a[rows_a], b[rows_b] = True, True
    diff, se, df, mean_a, mean_b = weighted_difference(design, points, a, b)
    return float(diff), float(se), float(df), float(mean_a), float(mean_b)


def _design_difference(
    design: Design, points: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray, level: float
) -> tuple[dict[str, float], float, float]:
    """:func:`_design_parts` with its t test and interval (:func:`_finish`); returns the
    result columns and the two weighted means."""
    diff, se, df, mean_a, mean_b = _design_parts(design, points, rows_a, rows_b)
    return _finish(diff, se, df, level), mean_a, mean_b


def _finish_rows(out: pd.DataFrame, level: float) -> pd.DataFrame:
    """:func:`_finish` on every row (``difference``, ``se``, ``df``) in one SciPy call
    per distribution: t with ``df``, normal where ``df`` is NaN; NaN where se <= 0."""
    if out.empty:
        return out.assign(ci_lower=[], ci_upper=[], stat=[], pvalue=[])
    diff = out["difference"].to_numpy(dtype=float)
    se = out["se"].to_numpy(dtype=float)
    df = out["df"].to_numpy(dtype=float)
    ok = np.isfinite(se) & (se > 0)
    normal = np.isnan(df)
    safe_df = np.where(normal, 1.0, df)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.where(ok, diff / np.where(ok, se, 1.0), np.nan)
        crit = np.where(normal, z_value(level), stats.t.ppf(0.5 + level / 2, safe_df))
        p = np.where(normal, 2 * stats.norm.sf(np.abs(stat)), 2 * stats.t.sf(np.abs(stat), safe_df))
    out = out.copy()
    out["ci_lower"] = np.where(ok, diff - crit * se, np.nan)
    out["ci_upper"] = np.where(ok, diff + crit * se, np.nan)
    out["stat"] = stat
    out["pvalue"] = np.where(ok, p, np.nan)
    return out


def _finish(diff: float, se: float, df: float, level: float) -> dict[str, float]:
    if not np.isfinite(se) or se <= 0:
        return dict(zip(_RESULT, [diff, se, df, np.nan, np.nan, np.nan, np.nan], strict=True))
    stat = diff / se
    if np.isnan(df):
        crit = z_value(level)
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        crit = float(stats.t.ppf(0.5 + level / 2, df))
        p = float(2 * stats.t.sf(abs(stat), df))
    return dict(
        zip(_RESULT, [diff, se, df, diff - crit * se, diff + crit * se, stat, p], strict=True)
    )


def _adjust(
    out: pd.DataFrame, level: float, correction: str, min_size: int, values: list[str]
) -> pd.DataFrame:
    figures = [*values, *_RESULT]
    out = suppress(out, figures, min_size, n_column="_n").drop(columns="_n")
    out["p_adjusted"] = adjust_pvalues(out["pvalue"].to_numpy(), method=correction)
    out["significant"] = out["p_adjusted"].to_numpy() < 1 - level
    cols = [c for c in out.columns if c != "suppressed"] + ["suppressed"]
    return out[cols]


def _key_label(keys: dict[str, Any]) -> Any:
    vals = tuple(keys.values())
    return vals if len(vals) > 1 else vals[0]


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if len(a) != len(b):
        return False
    return all((x == y) or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b, strict=True))


def _match(
    frame: pd.DataFrame, id: str, period: str, current: Any, previous: Any, groups: list[str]
) -> pd.DataFrame:
    """One row per customer: values in both periods, segment from the current period."""
    check_columns(frame, [id], what="id column")
    if frame[id].isna().any():
        row = frame.index[frame[id].isna().to_numpy()][0]
        raise CsiInputError(f"id column {id!r} is missing at row {row!r}")
    parts = {}
    for label, tag in ((current, "cur"), (previous, "prev")):
        part = frame.loc[frame[period] == label, [id, *groups, "_v"]]
        dup = part[id].duplicated()
        if dup.any():
            first = part.loc[dup, id].iloc[0]
            count = int((part[id] == first).sum())
            raise CsiInputError(
                f"id {first!r} appears {count} times in period {label!r} (column {id!r}); "
                "paired comparison needs one answer per customer and period"
            )
        parts[tag] = part.rename(columns={g: f"{g}_{tag}" for g in [*groups, "_v"]})
    m = parts["cur"].merge(parts["prev"], on=id, how="outer", indicator=True)
    in_cur = (m["_merge"] != "right_only").to_numpy()
    for g in groups:
        m[g] = np.where(in_cur, m[f"{g}_cur"], m[f"{g}_prev"])
    has_cur, has_prev = m["_v_cur"].notna(), m["_v_prev"].notna()
    m["_pair"] = has_cur & has_prev
    m["_unmatched"] = has_cur ^ has_prev
    m["_missing"] = (in_cur & ~has_cur).astype(int) + (
        (m["_merge"] != "left_only") & ~has_prev
    ).astype(int)
    return m
