"""Survey scores: Net Promoter Score, CSAT (top-box share), box shares and 0-100 means.

All shares are reported in percent (0-100) and NPS in points (-100 to 100), with
their confidence limits in the same units. Every table has one row per segment;
segments with fewer than ``min_size`` valid answers keep their row, with figures
blanked (NaN) and ``suppressed=True``. Unanswered items (NaN) are counted in
``n_missing``, never dropped silently.

**Weights.** ``weights=`` (default: the Survey's design when its codebook names a
``weight``; ``False`` switches it off; a column name, an array, or a
:class:`csi.metrics.Design`) makes every figure design-based
(:mod:`csi.metrics.design`, Lumley 2010): shares and means are weighted, ``se`` and
the intervals come from Taylor linearisation (or the replicate weights) with Student's
t on the design's degrees of freedom, and the table gains ``n_weighted`` (sum of the
weights), ``n_effective`` (Kish) and ``deff`` (design effect against simple random
sampling with replacement of the same size, R ``deff="replace"``). ``n`` and the
counts (``promoters``, ``satisfied``, ...) stay unweighted answer counts, and
``min_size`` applies to ``n``. Without weights every table is exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_count, check_frame, check_rng
from csi.metrics._common import (
    as_by,
    check_level,
    check_min_size,
    check_scale,
    item_scale,
    iter_groups,
    numeric_column,
    suppress,
    survey_frame,
    t_interval,
    to_100,
    z_value,
)
from csi.metrics.design import (
    Design,
    design_for,
    weighted_mean,
    weighted_proportion,
)
from csi.metrics.intervals import proportion_interval

NPS_SCALE = (0.0, 10.0)


#: The figure columns of :func:`nps` (blanked for a segment below ``min_size``).
NPS_FIGURES = (
    "promoters",
    "passives",
    "detractors",
    "pct_promoters",
    "pct_passives",
    "pct_detractors",
    "nps",
    "se",
    "ci_lower",
    "ci_upper",
)
#: The figure columns of :func:`csat` (blanked for a segment below ``min_size``).
CSAT_FIGURES = ("satisfied", "csat", "ci_lower", "ci_upper")


def nps_points(answers: Any) -> np.ndarray:
    """Each 0-10 answer as its NPS contribution: +100 promoter (9-10), 0 passive (7-8),
    -100 detractor (0-6); NaN (no answer) stays NaN. NPS is their mean."""
    v = np.asarray(answers, dtype=float)
    return np.where(np.isnan(v), np.nan, np.where(v >= 9, 100.0, np.where(v <= 6, -100.0, 0.0)))


def nps_interval(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    level: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: Any = None,
) -> tuple[float, float, float, float]:
    """NPS in points with standard error and confidence limits, from the three counts.

    ``NPS = 100 (p_P - p_D)``. With the counts trinomial,
    ``Var(p_P - p_D) = [p_P + p_D - (p_P - p_D)²] / n`` (Rocks 2016, The American
    Statistician 70(4); the multinomial variance and covariance ``-p_P p_D / n``).
    ``method="wald"``: ``NPS ± z·SE``, clipped to [-100, 100];
    ``method="bootstrap"``: percentile interval of ``n_boot`` trinomial resamples
    drawn with ``seed`` (SE = standard deviation of the resamples).
    Returns ``(nps, se, lower, upper)``; all NaN when n = 0.

    When every answer falls in one category the SE is 0 and both methods would give
    a zero-width interval. The interval is then the exact one implied by the
    Clopper-Pearson bound for that category's share, ``L = (α/2)^(1/n)``: all
    promoters ``[100(2L - 1), 100]``, all detractors ``[-100, -100(2L - 1)]``, all
    passives ``±100(1 - L)`` (the range of ``p_P - p_D`` over shares with
    ``p_c ≥ L``); the SE stays 0.
    """
    level = check_level(level)
    check_choice(method, ("wald", "bootstrap"), name="method")
    counts = np.array([promoters, passives, detractors], dtype=float)
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise CsiInputError(f"counts must be non-negative integers, got {counts.tolist()}")
    n = counts.sum()
    if n == 0:
        return (np.nan,) * 4
    p_pro, p_det = counts[0] / n, counts[2] / n
    score = p_pro - p_det
    if method == "wald":
        se = float(np.sqrt(max(p_pro + p_det - score**2, 0.0) / n))
        z = z_value(level)
        lower, upper = max(score - z * se, -1.0), min(score + z * se, 1.0)
    else:
        check_count(n_boot, "n_boot", 100)
        rng = check_rng(seed)
        draws = rng.multinomial(int(n), counts / n, size=n_boot)
        reps = (draws[:, 0] - draws[:, 2]) / n
        se = float(reps.std(ddof=1))
        alpha = 1 - level
        lower, upper = (float(v) for v in np.quantile(reps, [alpha / 2, 1 - alpha / 2]))
    single = np.flatnonzero(counts == n)
    if single.size:  # every answer in one category: an exact interval, not a point
        bound = (1 - level) / 2
        low_share = bound ** (1 / n)
        lower, upper = {
            0: (2 * low_share - 1, 1.0),
            1: (-(1 - low_share), 1 - low_share),
            2: (-1.0, -(2 * low_share - 1)),
        }[int(single[0])]
    return 100 * score, 100 * se, 100 * lower, 100 * upper


def nps(
    data: Any,
    column: str | None = None,
    *,
    by: str | Sequence[str] | None = None,
    method: str = "wald",
    level: float = 0.95,
    n_boot: int = 2000,
    seed: Any = None,
    min_size: int = 30,
    weights: Any = None,
) -> pd.DataFrame:
    """Net Promoter Score per segment (Reichheld 2003) with a confidence interval.

    Answers are 0-10 likelihood to recommend: promoters 9-10, passives 7-8,
    detractors 0-6. See :func:`nps_interval` for the interval (``method`` "wald"
    from the trinomial variance, or "bootstrap" with ``seed``).

    ``data`` is a DataFrame or a :class:`csi.Survey`; from a Survey, NPS uses every
    respondent with a valid answer to the codebook's ``recommend`` question (whatever
    the model's missing-data policy left out). ``column`` defaults to the codebook's
    ``recommend`` column, else ``"recommend"``. ``n`` counts the valid answers.

    Columns: the ``by`` columns, ``n``, ``n_missing``, ``promoters``, ``passives``,
    ``detractors``, ``pct_promoters``, ``pct_passives``, ``pct_detractors``, ``nps``,
    ``se``, ``ci_lower``, ``ci_upper``, ``suppressed``.

    Weighted (``weights=``, see the module docstring): NPS is the weighted mean of
    +100 (promoter), 0 (passive) and -100 (detractor) per respondent, its SE
    design-based and its interval ``NPS ± t_df·SE`` clipped to [-100, 100]
    (``method="wald"`` only); ``pct_*`` are weighted shares, and ``n_weighted``,
    ``n_effective`` and ``deff`` are added after ``n_missing``.

    Examples
    --------
    Ten answers: 5 promoters (9-10), 2 passives (7-8), 3 detractors (0-6), so
    NPS = 50% - 30% = 20 points. ``min_size=1`` because the default (30) would blank
    so small a sample:

    >>> import pandas as pd
    >>> from csi import nps
    >>> df = pd.DataFrame({"recommend": [10, 9, 9, 8, 7, 6, 5, 10, 3, 9]})
    >>> table = nps(df, min_size=1)
    >>> table[["n", "promoters", "passives", "detractors"]].iloc[0].tolist(), table["nps"].tolist()
    ([10, 5, 2, 3], [20.0])
    >>> nps(df)["suppressed"].tolist()
    [True]
    """
    groups = as_by(by)
    source = data
    data, codebook = survey_frame(data, groups)
    data = check_frame(data)
    if column is None:
        column = getattr(codebook, "recommend", None) or "recommend"
    check_min_size(min_size)
    check_choice(method, ("wald", "bootstrap"), name="method")
    values = numeric_column(data, column, scale=NPS_SCALE, integer=True)
    design = design_for(source, data, weights)
    if design is not None:
        if method != "wald":
            raise CsiInputError(
                "method='bootstrap' resamples unweighted answers; with weights the SE is "
                "design-based: use method='wald' (or replicate weights), or weights=False"
            )
        return _weighted_nps(data, values, design, groups, level=level, min_size=min_size)
    rng = check_rng(seed)
    rows = []
    for keys, sub in iter_groups(data.assign(_v=values.to_numpy()), groups):
        v = sub["_v"].dropna().to_numpy()
        pro, det = int((v >= 9).sum()), int((v <= 6).sum())
        pas = int(v.size - pro - det)
        score, se, lower, upper = nps_interval(
            pro, pas, det, level=level, method=method, n_boot=n_boot, seed=rng
        )
        n = v.size
        rows.append(
            {
                **keys,
                "n": n,
                "n_missing": int(sub["_v"].isna().sum()),
                "promoters": pro,
                "passives": pas,
                "detractors": det,
                "pct_promoters": _pct(pro, n),
                "pct_passives": _pct(pas, n),
                "pct_detractors": _pct(det, n),
                "nps": score,
                "se": se,
                "ci_lower": lower,
                "ci_upper": upper,
            }
        )
    return suppress(pd.DataFrame(rows), list(NPS_FIGURES), min_size)


def csat(
    data: Any,
    column: str | None = None,
    *,
    scale: tuple[float, float] | None = None,
    top: int = 2,
    by: str | Sequence[str] | None = None,
    method: str | None = None,
    level: float = 0.95,
    min_size: int = 30,
    weights: Any = None,
) -> pd.DataFrame:
    """CSAT: percent of answers in the ``top`` boxes of an integer rating ``scale``.

    With ``scale=(1, 5)`` and ``top=2`` (the default) CSAT is the share answering 4 or 5.
    The interval is Wilson's (1927) score interval (``method="wilson"``, the default
    without weights) or Clopper-Pearson's exact interval (``method="exact"``).
    Weighted (``weights=``, see the module docstring) CSAT is a weighted proportion
    with R ``svyciprop``'s intervals: ``method="logit"`` (the default with weights) or
    ``"mean"`` (see :func:`csi.metrics.design.weighted_proportion`); the table gains
    ``n_weighted``, ``n_effective``, ``deff`` and ``se`` (percent).

    ``data`` is a DataFrame or a :class:`csi.Survey`. From a Survey, ``column``
    defaults to the codebook's ``csat`` item and ``scale`` to that item's end points,
    and every respondent with a valid answer counts (before the model's missing-data
    policy). For a DataFrame ``column`` is required and ``scale`` defaults to (1, 5).

    Columns: the ``by`` columns, ``n``, ``n_missing``, ``satisfied``, ``csat``,
    ``ci_lower``, ``ci_upper``, ``suppressed`` (percent).

    Examples
    --------
    Answers of 4 or 5 on a 1-5 scale: 3 of 4 in the north, 2 of 4 in the south:

    >>> import pandas as pd
    >>> from csi import csat
    >>> df = pd.DataFrame({"sat": [5, 4, 4, 3, 2, 5, 1, 4], "region": list("NNNNSSSS")})
    >>> csat(df, "sat", scale=(1, 5), min_size=1)["csat"].tolist()
    [62.5]
    >>> csat(df, "sat", scale=(1, 5), by="region", min_size=1)["csat"].tolist()
    [75.0, 50.0]
    """
    groups = as_by(by)
    source = data
    data, codebook = survey_frame(data, groups)
    data = check_frame(data)
    if column is None:
        named = tuple(getattr(codebook, "csat", ()) or ())
        if len(named) != 1:
            raise CsiInputError(
                "csat needs column=: the codebook names "
                + (f"several csat items {list(named)}" if named else "no csat item")
            )
        column = named[0]
    scale = item_scale(codebook, column, scale)
    check_min_size(min_size)
    design = design_for(source, data, weights)
    if design is None:
        method = "wilson" if method is None else method
        check_choice(method, ("wilson", "exact"), name="method")
    else:
        method = "logit" if method is None else method
        if method not in ("logit", "mean"):
            raise CsiInputError(
                f"method={method!r} is for unweighted counts; with weights use 'logit' or "
                "'mean' (or weights=False)"
            )
    lo, hi = check_scale((1, 5) if scale is None else scale)
    _check_boxes(top, lo, hi, name="top")
    values = numeric_column(data, column, scale=(lo, hi), integer=True)
    cut = hi - top + 1
    if design is not None:
        return _weighted_csat(
            data, values, cut, design, groups, method=method, level=level, min_size=min_size
        )
    rows = []
    for keys, sub in iter_groups(data.assign(_v=values.to_numpy()), groups):
        v = sub["_v"].dropna().to_numpy()
        k = int((v >= cut).sum())
        lower, upper = proportion_interval(k, v.size, level=level, method=method)
        rows.append(
            {
                **keys,
                "n": v.size,
                "n_missing": int(sub["_v"].isna().sum()),
                "satisfied": k,
                "csat": 100 * k / v.size if v.size else np.nan,
                "ci_lower": 100 * lower,
                "ci_upper": 100 * upper,
            }
        )
    return suppress(pd.DataFrame(rows), list(CSAT_FIGURES), min_size)


def box_scores(
    data: Any,
    columns: str | Sequence[str] | None = None,
    *,
    scale: tuple[float, float] | None = None,
    top: int = 1,
    bottom: int = 1,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_size: int = 30,
    weights: Any = None,
) -> pd.DataFrame:
    """Top-box and bottom-box shares and the mean rescaled to 0-100, per item and segment.

    ``index = 100 (mean - lowest) / (highest - lowest)`` with a t interval; shares in
    percent of valid answers (``top`` highest / ``bottom`` lowest categories).

    ``data`` is a DataFrame (``columns`` and ``scale`` required) or a
    :class:`csi.Survey`: ``columns`` default to the model items, each item on its own
    codebook scale unless ``scale`` is given, every valid answer counted (``n`` per
    item, before the model's missing-data policy).

    Columns: the ``by`` columns, ``item``, ``n``, ``n_missing``, ``mean``, ``index``,
    ``index_lower``, ``index_upper``, ``top_box``, ``bottom_box``, ``suppressed``.
    Weighted (``weights=``, see the module docstring): weighted mean and shares, the
    index interval from the design SE with t on the design's df, and the columns
    ``n_weighted``, ``n_effective``, ``deff`` and ``se`` (of ``mean``, item units).

    Examples
    --------
    Mean 3.5 on 1-5 is ``100 * (3.5 - 1) / 4 = 62.5``; two 5s and one 1 of eight answers:

    >>> import pandas as pd
    >>> from csi.metrics import box_scores
    >>> df = pd.DataFrame({"sat": [5, 4, 4, 3, 2, 5, 1, 4]})
    >>> row = box_scores(df, "sat", scale=(1, 5), min_size=1).iloc[0]
    >>> float(row["mean"]), float(row["index"]), float(row["top_box"]), float(row["bottom_box"])
    (3.5, 62.5, 25.0, 12.5)
    """
    groups = as_by(by)
    source = data
    data, codebook = survey_frame(data, groups)
    data = check_frame(data)
    check_min_size(min_size)
    level = check_level(level)
    design = design_for(source, data, weights)
    if columns is None:
        if codebook is None:
            raise CsiInputError("box_scores needs columns= (the rated items)")
        columns = list(codebook.items)
    if scale is None and codebook is None:
        raise CsiInputError("box_scores needs scale=(lowest, highest)")
    items = [columns] if isinstance(columns, str) else list(columns)
    if not items:
        raise CsiInputError("columns must name at least one item")
    rows = []
    for item in items:
        own = item_scale(codebook, item, scale)
        if own is None:
            raise CsiInputError(f"item {item!r} has no scale end points; pass scale=")
        lo, hi = check_scale(own)
        _check_boxes(top, lo, hi, name="top")
        _check_boxes(bottom, lo, hi, name="bottom")
        values = numeric_column(data, item, scale=(lo, hi), integer=True)
        if design is not None:
            rows += _weighted_boxes(
                data, values, item, (lo, hi), top, bottom, design, groups, level=level
            )
            continue
        for keys, sub in iter_groups(data.assign(_v=values.to_numpy()), groups):
            v = sub["_v"].dropna().to_numpy()
            mean, _, m_lo, m_hi = t_interval(v, level)
            n = v.size
            if n and np.all(v == v[0]):  # identical answers: an exact, not a zero-width, interval
                m_lo, m_hi = _identical_answers_interval(float(v[0]), n, (lo, hi), level)
            rows.append(
                {
                    **keys,
                    "item": item,
                    "n": n,
                    "n_missing": int(sub["_v"].isna().sum()),
                    "mean": mean,
                    "index": to_100(mean, (lo, hi)),
                    "index_lower": to_100(m_lo, (lo, hi)),
                    "index_upper": to_100(m_hi, (lo, hi)),
                    "top_box": 100 * (v >= hi - top + 1).sum() / n if n else np.nan,
                    "bottom_box": 100 * (v <= lo + bottom - 1).sum() / n if n else np.nan,
                }
            )
    figures = ["mean", "index", "index_lower", "index_upper", "top_box", "bottom_box"]
    if design is not None:
        figures += ["se", "deff"]
    return suppress(pd.DataFrame(rows), figures, min_size)


def _identical_answers_interval(
    value: float, n: int, scale: tuple[float, float], level: float
) -> tuple[float, float]:
    """Interval of a mean when all ``n`` answers equal ``value`` (the t interval has zero
    width): the Clopper-Pearson lower bound ``L = (α/2)^(1/n)`` of the share answering
    ``value`` bounds the mean by ``L·value + (1 - L)·lowest`` and ``L·value + (1 - L)·highest``.
    """
    low_share = ((1 - level) / 2) ** (1 / n)
    lo, hi = scale
    return low_share * value + (1 - low_share) * lo, low_share * value + (1 - low_share) * hi


def _pct(count: int, n: int) -> float:
    return 100 * count / n if n else np.nan


def _check_boxes(k: int, lo: float, hi: float, *, name: str) -> None:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= hi - lo:
        raise CsiInputError(
            f"{name} must be an integer from 1 to {int(hi - lo)} (number of boxes), got {k!r}"
        )


# ----------------------------------------------------------------- weighted figures
def _domains(
    data: pd.DataFrame, values: pd.Series, groups: list[str]
) -> list[tuple[dict[str, Any], np.ndarray, pd.Series]]:
    """``(keys, domain mask over all rows, the segment's values)`` per segment."""
    frame = data.assign(_v=values.to_numpy(), _pos=np.arange(len(data)))
    out = []
    for keys, sub in iter_groups(frame, groups):
        mask = np.zeros(len(data), dtype=bool)
        mask[sub["_pos"].to_numpy()] = True
        out.append((keys, mask, sub["_v"]))
    return out


def _share(design: Design, hit: np.ndarray, valid: np.ndarray) -> float:
    """Weighted percent of ``hit`` among ``valid`` rows."""
    w = design.weights * valid
    total = float(w.sum())
    return 100 * float(np.sum(w * hit)) / total if total > 0 else np.nan


def _weighted_nps(
    data: pd.DataFrame,
    values: pd.Series,
    design: Design,
    groups: list[str],
    *,
    level: float,
    min_size: int,
) -> pd.DataFrame:
    v = values.to_numpy()
    points = nps_points(v)
    rows = []
    for keys, dom, seg in _domains(data, values, groups):
        est = weighted_mean(design, points, domain=dom, level=level)
        valid = dom & ~np.isnan(v)
        answers = seg.dropna().to_numpy()
        pro, det = int((answers >= 9).sum()), int((answers <= 6).sum())
        rows.append(
            {
                **keys,
                "n": est.n,
                "n_missing": int(seg.isna().sum()),
                "n_weighted": est.n_weighted,
                "n_effective": est.n_effective,
                "deff": est.deff,
                "promoters": pro,
                "passives": int(answers.size - pro - det),
                "detractors": det,
                "pct_promoters": _share(design, v >= 9, valid),
                "pct_passives": _share(design, (v >= 7) & (v <= 8), valid),
                "pct_detractors": _share(design, v <= 6, valid),
                "nps": est.estimate,
                "se": est.se,
                "ci_lower": max(est.ci_lower, -100.0),
                "ci_upper": min(est.ci_upper, 100.0),
            }
        )
    return suppress(pd.DataFrame(rows), [*NPS_FIGURES, "deff"], min_size)


def _weighted_csat(
    data: pd.DataFrame,
    values: pd.Series,
    cut: float,
    design: Design,
    groups: list[str],
    *,
    method: str,
    level: float,
    min_size: int,
) -> pd.DataFrame:
    v = values.to_numpy()
    top = np.where(np.isnan(v), np.nan, (v >= cut).astype(float))
    rows = []
    for keys, dom, seg in _domains(data, values, groups):
        est = weighted_proportion(design, top, domain=dom, level=level, method=method)
        rows.append(
            {
                **keys,
                "n": est.n,
                "n_missing": int(seg.isna().sum()),
                "n_weighted": est.n_weighted,
                "n_effective": est.n_effective,
                "deff": est.deff,
                "satisfied": int((seg.dropna() >= cut).sum()),
                "csat": 100 * est.estimate,
                "se": 100 * est.se,
                "ci_lower": 100 * est.ci_lower,
                "ci_upper": 100 * est.ci_upper,
            }
        )
    return suppress(pd.DataFrame(rows), [*CSAT_FIGURES, "se", "deff"], min_size)


def _weighted_boxes(
    data: pd.DataFrame,
    values: pd.Series,
    item: str,
    scale: tuple[float, float],
    top: int,
    bottom: int,
    design: Design,
    groups: list[str],
    *,
    level: float,
) -> list[dict[str, Any]]:
    lo, hi = scale
    v = values.to_numpy()
    valid_all = ~np.isnan(v)
    rows = []
    for keys, dom, seg in _domains(data, values, groups):
        est = weighted_mean(design, v, domain=dom, level=level)
        valid = dom & valid_all
        rows.append(
            {
                **keys,
                "item": item,
                "n": est.n,
                "n_missing": int(seg.isna().sum()),
                "n_weighted": est.n_weighted,
                "n_effective": est.n_effective,
                "deff": est.deff,
                "mean": est.estimate,
                "se": est.se,
                "index": to_100(est.estimate, scale),
                "index_lower": to_100(est.ci_lower, scale),
                "index_upper": to_100(est.ci_upper, scale),
                "top_box": _share(design, v >= hi - top + 1, valid),
                "bottom_box": _share(design, v <= lo + bottom - 1, valid),
            }
        )
    return rows
