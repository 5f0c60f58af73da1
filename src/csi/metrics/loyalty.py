"""Satisfaction and loyalty: the curve, the zone of indifference, and the four groups.

Jones & Sasser (1995, "Why satisfied customers defect", Harvard Business Review
73(6)) and Heskett et al. (1994) found loyalty is not linear in satisfaction: it
stays flat over a middle "zone of indifference" and climbs only at the top, where
satisfied customers become loyal "apostles". Here:

* **Curve.** Mean loyalty per satisfaction bin (t intervals) and a LOWESS smooth
  (Cleveland 1979; statsmodels) evaluated on ``grid`` equally spaced points from
  the lowest to the highest observed satisfaction.
* **Zone of indifference** (definition used by this library). Let ``f`` be the
  smooth, ``S = (f(max) - f(min)) / (max - min)`` its average slope and ``f'`` its
  local slope (central differences on the grid). Grid points with
  ``f' < flat_fraction · S`` are *flat*; the zone is the longest run of consecutive
  flat points, reported only if ``S > 0`` and the run spans at least ``min_width``
  of the satisfaction range. Within it satisfaction rises but loyalty barely does.
* **Four groups** (Jones & Sasser 1995), with "high" meaning ``>= threshold``:
  high satisfaction & high loyalty = loyalist / apostle (忠诚者/传道者);
  high satisfaction & low loyalty = mercenary (图利者); low satisfaction & high
  loyalty = hostage (人质); low & low = defector / terrorist (叛逃者/恐怖分子).
  Default thresholds are 75% of the way up each scale (1-10 scale: 7.75, so 8-10 is
  high; 1-5 scale: 4; 0-100 index: 75).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_count, check_frame
from csi.display import Summary
from csi.i18n import LANGS, phrases, text
from csi.metrics._common import (
    as_by,
    check_lang,
    check_level,
    check_min_size,
    check_scale,
    iter_groups,
    numeric_column,
    suppress,
    t_interval,
)
from csi.metrics.intervals import wilson_interval

#: Group codes in display order and their labels.
GROUPS = ("loyalist", "mercenary", "hostage", "defector")
GROUP_LABELS: dict[str, dict[str, str]] = {lang: phrases("loyalty.group", lang) for lang in LANGS}


@dataclass(frozen=True)
class IndifferenceZone:
    """Satisfaction range where the smoothed loyalty curve is flat (see module notes)."""

    lower: float
    upper: float
    loyalty_lower: float
    loyalty_upper: float
    mean_slope: float
    overall_slope: float

    def describe(self, *, lang: str = "en", digits: int = 1) -> str:
        lang = check_lang(lang)
        lo, hi = f"{self.lower:.{digits}f}", f"{self.upper:.{digits}f}"
        gain = f"{self.loyalty_upper - self.loyalty_lower:.{digits + 1}f}"
        return text("loyalty.zone", lang, lower=lo, upper=hi, gain=gain)


@dataclass(frozen=True)
class SatisfactionLoyalty:
    """Result of :func:`satisfaction_loyalty`.

    ``bins``: bin, satisfaction, n, loyalty, ci_lower, ci_upper, suppressed.
    ``curve``: satisfaction, loyalty (LOWESS), slope. ``zone``: the zone of
    indifference or None. ``groups``: the four-group shares (see
    :func:`loyalty_group_shares`).
    """

    bins: pd.DataFrame
    curve: pd.DataFrame
    zone: IndifferenceZone | None
    groups: pd.DataFrame
    satisfaction_threshold: float
    loyalty_threshold: float
    n: int
    n_missing: int

    def to_frame(self) -> pd.DataFrame:
        return self.bins.copy()

    def summary(self, *, lang: str = "en", digits: int = 1) -> Summary:
        """The mean loyalty per satisfaction bin, the zone of indifference, the four groups."""
        lab = phrases("loyalty", check_lang(lang))
        lines = [
            lab["title"],
            lab["n"].format(n=self.n, missing=self.n_missing),
            lab["bins"],
        ]
        for _, r in self.bins.iterrows():
            val = "—" if r["suppressed"] else f"{r['loyalty']:.{digits}f}"
            lines.append(f"{r['bin']!s:<12} {int(r['n']):>4}   {val:>8}")
        if self.zone is not None:
            lines.append(self.zone.describe(lang=lang, digits=digits))
        else:
            lines.append(lab["no_zone"])
        for _, r in self.groups.iterrows():
            share = "—" if r["suppressed"] else f"{r['share']:.{digits}f}%"
            lines.append(f"{GROUP_LABELS[lang][r['code']]}: {share}")
        return Summary("\n".join(lines), title=lab["title"], lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


def loyalty_groups(
    data: pd.DataFrame,
    satisfaction: str,
    loyalty: str,
    *,
    scale: tuple[float, float] | None = None,
    loyalty_scale: tuple[float, float] | None = None,
    satisfaction_threshold: float | None = None,
    loyalty_threshold: float | None = None,
    lang: str = "en",
) -> pd.Series:
    """Each respondent's group (loyalist, mercenary, hostage, defector) as a categorical.

    Labels follow ``lang``; NaN when either answer is missing. Thresholds default to
    75% of the way up ``scale`` / ``loyalty_scale`` (give a scale or the thresholds).
    """
    data = check_frame(data)
    lang = check_lang(lang)
    codes = _group_codes(
        data, satisfaction, loyalty, scale, loyalty_scale, satisfaction_threshold, loyalty_threshold
    )
    labels = [GROUP_LABELS[lang][g] for g in GROUPS]
    cat = pd.Categorical.from_codes(codes.astype(int), categories=pd.Index(labels))
    return pd.Series(cat, index=data.index, name="group")


def loyalty_group_shares(
    data: pd.DataFrame,
    satisfaction: str,
    loyalty: str,
    *,
    by: str | Sequence[str] | None = None,
    scale: tuple[float, float] | None = None,
    loyalty_scale: tuple[float, float] | None = None,
    satisfaction_threshold: float | None = None,
    loyalty_threshold: float | None = None,
    lang: str = "en",
    level: float = 0.95,
    min_size: int = 30,
) -> pd.DataFrame:
    """Percent of respondents in each of the four groups, per segment, with Wilson intervals.

    Columns: the ``by`` columns, ``code``, ``group`` (label in ``lang``), ``n``,
    ``n_missing``, ``count``, ``share``, ``ci_lower``, ``ci_upper``, ``suppressed``.
    """
    data = check_frame(data)
    lang = check_lang(lang)
    level = check_level(level)
    check_min_size(min_size)
    groups = as_by(by)
    codes = _group_codes(
        data, satisfaction, loyalty, scale, loyalty_scale, satisfaction_threshold, loyalty_threshold
    )
    return _shares(data.assign(_c=codes), groups, lang, level, min_size)


def satisfaction_loyalty(
    data: pd.DataFrame,
    satisfaction: str,
    loyalty: str,
    *,
    scale: tuple[float, float] | None = None,
    loyalty_scale: tuple[float, float] | None = None,
    bins: int | Sequence[float] | None = None,
    frac: float = 2 / 3,
    grid: int = 101,
    flat_fraction: float = 0.25,
    min_width: float = 0.1,
    satisfaction_threshold: float | None = None,
    loyalty_threshold: float | None = None,
    lang: str = "en",
    level: float = 0.95,
    min_size: int = 30,
) -> SatisfactionLoyalty:
    """Loyalty as a function of satisfaction: binned means, LOWESS curve, zone, groups.

    ``bins``: None = one bin per satisfaction value when there are at most 15 values,
    else 10 equal-width bins; an int = that many equal-width bins; a sequence = bin
    edges. ``frac``: LOWESS span. Zone and groups as defined in the module notes.
    Bins with fewer than ``min_size`` respondents are kept and flagged ``suppressed``.
    """
    data = check_frame(data)
    lang = check_lang(lang)
    level = check_level(level)
    check_min_size(min_size)
    if not 0 < frac <= 1:
        raise CsiInputError(f"frac must be in (0, 1], got {frac!r}")
    if not 0 <= flat_fraction < 1:
        raise CsiInputError(f"flat_fraction must be in [0, 1), got {flat_fraction!r}")
    if not 0 < min_width < 1:
        raise CsiInputError(f"min_width must be in (0, 1), got {min_width!r}")
    check_count(grid, "grid", 5)
    sat, loy, t_sat, t_loy = _prepare(
        data,
        satisfaction,
        loyalty,
        scale,
        loyalty_scale,
        satisfaction_threshold,
        loyalty_threshold,
    )
    ok = (sat.notna() & loy.notna()).to_numpy()
    x, y = sat.to_numpy()[ok], loy.to_numpy()[ok]
    if np.unique(x).size < 3:
        raise CsiInputError(
            f"column {satisfaction!r} needs at least 3 distinct answers to draw a curve"
        )
    bin_table = _bins(x, y, bins, level, min_size)
    xs = np.linspace(x.min(), x.max(), grid)
    # statsmodels is heavy to import (about 1 s): loaded when a curve is drawn
    from statsmodels.nonparametric.smoothers_lowess import lowess

    fit = np.asarray(lowess(y, x, frac=frac, xvals=xs), dtype=float)
    slope = np.gradient(fit, xs)
    curve = pd.DataFrame({"satisfaction": xs, "loyalty": fit, "slope": slope})
    zone = _zone(xs, fit, slope, flat_fraction, min_width)
    codes = _codes(sat.to_numpy(), loy.to_numpy(), t_sat, t_loy)
    shares = _shares(data.assign(_c=codes), [], lang, level, min_size)
    return SatisfactionLoyalty(
        bins=bin_table,
        curve=curve,
        zone=zone,
        groups=shares,
        satisfaction_threshold=t_sat,
        loyalty_threshold=t_loy,
        n=int(ok.sum()),
        n_missing=int((~ok).sum()),
    )


# --------------------------------------------------------------------------- helpers


def _prepare(
    data: pd.DataFrame,
    satisfaction: str,
    loyalty: str,
    scale: Any,
    loyalty_scale: Any,
    t_sat: float | None,
    t_loy: float | None,
) -> tuple[pd.Series, pd.Series, float, float]:
    s_scale = check_scale(scale) if scale is not None else None
    l_scale = check_scale(loyalty_scale, name="loyalty_scale") if loyalty_scale else s_scale
    sat = numeric_column(data, satisfaction, scale=s_scale)
    loy = numeric_column(data, loyalty, scale=l_scale)
    thresholds = []
    for t, sc, what in ((t_sat, s_scale, "satisfaction"), (t_loy, l_scale, "loyalty")):
        if t is None:
            if sc is None:
                raise CsiInputError(
                    f"give scale=(lowest, highest) or {what}_threshold= to split high from low"
                )
            t = sc[0] + 0.75 * (sc[1] - sc[0])
        if not np.isfinite(float(t)):
            raise CsiInputError(f"{what}_threshold must be a finite number, got {t!r}")
        thresholds.append(float(t))
    return sat, loy, thresholds[0], thresholds[1]


def _codes(sat: np.ndarray, loy: np.ndarray, t_sat: float, t_loy: float) -> np.ndarray:
    hs, hl = sat >= t_sat, loy >= t_loy
    codes = np.where(hs & hl, 0, np.where(hs, 1, np.where(hl, 2, 3)))
    return np.where(np.isnan(sat) | np.isnan(loy), -1, codes)


def _group_codes(
    data: pd.DataFrame,
    satisfaction: str,
    loyalty: str,
    scale: Any,
    loyalty_scale: Any,
    satisfaction_threshold: float | None,
    loyalty_threshold: float | None,
) -> np.ndarray:
    """Each respondent's group code (index into GROUPS; -1 when an answer is missing)."""
    sat, loy, t_sat, t_loy = _prepare(
        data, satisfaction, loyalty, scale, loyalty_scale, satisfaction_threshold, loyalty_threshold
    )
    return _codes(sat.to_numpy(), loy.to_numpy(), t_sat, t_loy)


def _shares(
    frame: pd.DataFrame, groups: list[str], lang: str, level: float, min_size: int
) -> pd.DataFrame:
    rows = []
    for keys, sub in iter_groups(frame, groups):
        c = sub["_c"].to_numpy()
        n = int((c >= 0).sum())
        for i, code in enumerate(GROUPS):
            k = int((c == i).sum())
            lower, upper = wilson_interval(k, n, level=level)
            rows.append(
                {
                    **keys,
                    "code": code,
                    "group": GROUP_LABELS[lang][code],
                    "n": n,
                    "n_missing": int((c < 0).sum()),
                    "count": k,
                    "share": 100 * k / n if n else np.nan,
                    "ci_lower": 100 * lower,
                    "ci_upper": 100 * upper,
                }
            )
    return suppress(pd.DataFrame(rows), ["count", "share", "ci_lower", "ci_upper"], min_size)


def _bins(x: np.ndarray, y: np.ndarray, bins: Any, level: float, min_size: int) -> pd.DataFrame:
    values = np.unique(x)
    if bins is None and values.size <= 15:
        labels = pd.Series(x).map(lambda v: f"{v:g}")
        order = [f"{v:g}" for v in values]
    else:
        edges = 10 if bins is None else bins
        if isinstance(edges, int) and edges < 2:
            raise CsiInputError(f"bins must be at least 2, got {edges!r}")
        cut = pd.cut(pd.Series(x), bins=edges, include_lowest=True)
        if cut.isna().any():
            raise CsiInputError(
                f"satisfaction value {x[cut.isna().to_numpy()][0]:g} is outside the bin edges"
            )
        labels = cut.astype(str)
        order = [str(c) for c in cut.cat.categories]
    rows = []
    lab = labels.to_numpy()
    for name in order:
        sel = lab == name
        mean, _, lo, hi = t_interval(y[sel], level)
        rows.append(
            {
                "bin": name,
                "satisfaction": float(x[sel].mean()) if sel.any() else np.nan,
                "n": int(sel.sum()),
                "loyalty": mean,
                "ci_lower": lo,
                "ci_upper": hi,
            }
        )
    return suppress(pd.DataFrame(rows), ["loyalty", "ci_lower", "ci_upper"], min_size)


def _zone(
    xs: np.ndarray, fit: np.ndarray, slope: np.ndarray, flat_fraction: float, min_width: float
) -> IndifferenceZone | None:
    overall = (fit[-1] - fit[0]) / (xs[-1] - xs[0])
    if not overall > 0:
        return None
    flat = slope < flat_fraction * overall
    best: tuple[int, int] | None = None
    start = None
    for i, f in enumerate([*flat, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if best is None or (i - 1 - start) > (best[1] - best[0]):
                best = (start, i - 1)
            start = None
    if best is None:
        return None
    a, b = best
    if xs[b] - xs[a] < min_width * (xs[-1] - xs[0]):
        return None
    return IndifferenceZone(
        lower=float(xs[a]),
        upper=float(xs[b]),
        loyalty_lower=float(fit[a]),
        loyalty_upper=float(fit[b]),
        mean_slope=float((fit[b] - fit[a]) / (xs[b] - xs[a])),
        overall_slope=float(overall),
    )
