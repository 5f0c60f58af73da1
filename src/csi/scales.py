"""Rating scales, rescaling to 0-100, and the seven-level satisfaction scale.

Rescaling (the usual CSI convention, e.g. the ACSI 0-100 index)::

    score = (x - min) / (max - min) * 100        x = min + score / 100 * (max - min)

A scale's end points may be given as a :class:`RatingScale`, a pair ``(lo, hi)``, a
mapping ``{"min": lo, "max": hi}`` (codebook and indicator-system files) or a codebook
item; :func:`scale_bounds` is the one place that reads and checks them (every
``scale=`` argument of the library goes through it).

The seven-level satisfaction scale comes from the Chinese customer-satisfaction
handbooks (很不满意 ... 很满意). Each level has three numeric codings: ``1..7``,
``-3..+3`` and a 0-100 *anchor* ``(level - 1) / 6 * 100`` (the point a 7-point
answer lands on after rescaling).

Default cut points for reading a 0-100 score as a level are the equal-width
bins ``100 * k / 7`` (k = 1..6): every level covers the same share of the
0-100 range, and a 7-point answer rescaled to 0-100 lands in its own level
(each anchor lies inside its bin). A score exactly on a cut point belongs to the
**upper** level (bins are ``[c[k-1], c[k])``, the last one closed at 100).
The alternative preset ``cuts="anchor_midpoints"`` puts the cuts half way
between neighbouring anchors (8.33, 25, 41.67, 58.33, 75, 91.67): a score is
then read as the level whose anchor is nearest.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.formulas import from_100 as _from_100
from csi.formulas import to_100 as _to_100
from csi.i18n import LANGS, check_lang, phrases

__all__ = [
    "DEFAULT_CUTS",
    "SEVEN_LEVELS",
    "RatingScale",
    "SevenLevelScale",
    "classify",
    "level_distribution",
    "level_groups",
    "level_label",
    "scale_bounds",
    "validate_cuts",
]


def _shown(value: Any) -> str:
    """A scale as the user gave it, shortly (a pair of numbers as ``(5, 1)``)."""
    if isinstance(value, tuple | list) and all(_is_number(v) for v in value):
        return "(" + ", ".join(f"{float(v):g}" for v in value) + ")"
    return repr(value)


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real | np.number) and not isinstance(v, bool | np.bool_)


def _ordered(lo: Any, hi: Any, *, name: str, given: Any) -> tuple[float, float]:
    """``(lo, hi)`` as floats when both are finite numbers with ``lo < hi``, else raise."""
    if not (_is_number(lo) and _is_number(hi)):
        raise CsiInputError(
            f"{name} must be a pair of numbers (lowest, highest), got {_shown(given)}"
        )
    a, b = float(lo), float(hi)
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise CsiInputError(
            f"{name} must satisfy lowest < highest (both finite), got {_shown((lo, hi))}"
        )
    return a, b


def scale_bounds(obj: Any, *, name: str = "scale") -> tuple[float, float]:
    """The end points ``(lowest, highest)`` of a rating scale given in any accepted form.

    The one reader of scale end points: a :class:`RatingScale`, a pair ``(lo, hi)``
    (tuple, list, array), a mapping ``{"min": lo, "max": hi}`` (codebook and
    indicator-system files) or an object with numeric ``min`` / ``max`` attributes (a
    codebook :class:`~csi.codebook.ItemInfo`). Both must be finite numbers with
    ``lowest < highest``; otherwise a :class:`~csi.CsiInputError` names ``name`` and the
    value (``name`` says what it is, e.g. ``"scale of item 'q3'"``).

    Examples
    --------
    >>> from csi.scales import RatingScale, scale_bounds
    >>> scale_bounds((1, 10)), scale_bounds({"min": 0, "max": 10})
    ((1.0, 10.0), (0.0, 10.0))
    >>> scale_bounds(RatingScale(points=5))
    (1.0, 5.0)
    >>> scale_bounds((5, 1), name="q3")
    Traceback (most recent call last):
    ...
    csi._checks.CsiInputError: q3 must satisfy lowest < highest (both finite), got (5, 1)
    """
    if isinstance(obj, RatingScale):
        assert obj.max is not None
        return float(obj.min), float(obj.max)
    if isinstance(obj, Mapping):
        if "min" not in obj or "max" not in obj:
            raise CsiInputError(f"{name} must be a mapping with keys 'min' and 'max', got {obj!r}")
        return _ordered(obj["min"], obj["max"], name=name, given=dict(obj))
    if isinstance(obj, str | bytes):
        raise CsiInputError(f"{name} must be a pair of numbers (lowest, highest), got {obj!r}")
    lo, hi = getattr(obj, "min", None), getattr(obj, "max", None)
    if not (lo is None or callable(lo) or hi is None or callable(hi)):
        return _ordered(lo, hi, name=name, given=(lo, hi))
    if isinstance(obj, Iterable):
        pair = list(obj)
        if len(pair) == 2:
            return _ordered(pair[0], pair[1], name=name, given=pair)
    raise CsiInputError(
        f"{name} must be a pair (lowest, highest), a {{'min', 'max'}} mapping or a "
        f"RatingScale, got {obj!r}"
    )


@dataclass(frozen=True)
class RatingScale:
    """A k-point rating scale with end points ``min`` .. ``max`` and optional labels.

    ``RatingScale(points=10)`` is the 1-10 scale; ``RatingScale(min=0, max=10)``
    the 0-10 recommend question. ``labels`` maps answer values to text (any
    language); ``to_100`` / ``from_100`` rescale numbers, arrays, Series and
    DataFrames (missing values stay missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from csi.scales import RatingScale
    >>> ten = RatingScale(points=10)
    >>> ten.min, ten.max, ten.to_100(pd.Series([1, 5.5, 10, None])).tolist()
    (1.0, 10.0, [0.0, 50.0, 100.0, nan])
    >>> RatingScale(min=0, max=10).to_100(7), ten.from_100(50)
    (70.0, 5.5)
    """

    points: int | None = None
    min: float = 1.0
    max: float | None = None
    labels: dict[float, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lo = float(self.min)
        if self.max is None:
            if self.points is None:
                raise CsiInputError("RatingScale needs points or max (e.g. points=10 or max=10)")
            if int(self.points) != self.points or self.points < 2:
                raise CsiInputError(
                    f"RatingScale points must be an integer >= 2, got {self.points}"
                )
            hi = lo + int(self.points) - 1
        else:
            lo, hi = _ordered(lo, float(self.max), name="RatingScale(min, max)", given=None)
            if self.points is not None and lo + int(self.points) - 1 != hi:
                raise CsiInputError(
                    f"RatingScale points={self.points} does not match min={lo}, max={hi} "
                    f"(expected max={lo + int(self.points) - 1})"
                )
        object.__setattr__(self, "min", lo)
        object.__setattr__(self, "max", hi)
        if self.points is None and float(hi - lo).is_integer():
            object.__setattr__(self, "points", int(hi - lo) + 1)

    @classmethod
    def of(cls, obj: Any, *, name: str = "scale") -> RatingScale:
        """``obj`` as a RatingScale: itself, or one built from :func:`scale_bounds`.

        >>> RatingScale.of({"min": 0, "max": 10}).points
        11
        """
        if isinstance(obj, RatingScale):
            return obj
        lo, hi = scale_bounds(obj, name=name)
        return cls(min=lo, max=hi)

    @property
    def span(self) -> float:
        """``max - min``."""
        assert self.max is not None
        return float(self.max) - float(self.min)

    @overload
    def to_100(self, x: pd.DataFrame) -> pd.DataFrame: ...
    @overload
    def to_100(self, x: pd.Series) -> pd.Series: ...
    @overload
    def to_100(self, x: Any) -> Any: ...

    def to_100(self, x: Any) -> Any:
        """Rescale answers to 0-100: ``(x - min) / (max - min) * 100``."""
        return _affine(x, lambda v: _to_100(v, self.min, self.max))

    @overload
    def from_100(self, score: pd.DataFrame) -> pd.DataFrame: ...
    @overload
    def from_100(self, score: pd.Series) -> pd.Series: ...
    @overload
    def from_100(self, score: Any) -> Any: ...

    def from_100(self, score: Any) -> Any:
        """Map a 0-100 score back to the scale: ``min + score / 100 * (max - min)``."""
        return _affine(score, lambda v: _from_100(v, self.min, self.max))

    def check(self, values: pd.Series, *, name: str | None = None) -> None:
        """Raise naming the first row and value outside ``min..max`` (NaN allowed)."""
        s = pd.to_numeric(values, errors="coerce")
        bad = s.notna() & ((s < self.min) | (s > self.max))
        if bad.any():
            pos = int(np.argmax(bad.to_numpy()))
            row = values.index[pos]
            col = name if name is not None else values.name
            raise CsiInputError(
                f"column {col!r} has value {float(s.iloc[pos])!r} at row {row!r} outside the scale "
                f"{self.min:g}-{self.max:g}"
            )


def _affine(x: Any, f: Any) -> Any:
    if isinstance(x, pd.DataFrame | pd.Series):
        return f(x.astype(float))
    if np.isscalar(x):
        return float(f(float(x)))  # type: ignore[arg-type]
    return f(np.asarray(x, dtype=float))


@dataclass(frozen=True)
class SatisfactionLevel:
    """One level of the seven-level scale."""

    level: int
    label_zh: str
    label_en: str
    behaviour_zh: str
    behaviour_en: str

    @property
    def centred(self) -> int:
        """The -3..+3 coding."""
        return self.level - 4

    @property
    def anchor(self) -> float:
        """The 0-100 anchor ``(level - 1) / 6 * 100``."""
        return (self.level - 1) / 6 * 100.0

    def label(self, lang: str = "en") -> str:
        return {"en": self.label_en, "zh": self.label_zh}[check_lang(lang)]

    def behaviour(self, lang: str = "en") -> str:
        return {"en": self.behaviour_en, "zh": self.behaviour_zh}[check_lang(lang)]


_LEVELS = (
    SatisfactionLevel(1, "很不满意", "very dissatisfied", "愤慨恼怒", "indignant, furious"),
    SatisfactionLevel(2, "不满意", "dissatisfied", "气愤恼火", "angry, irritated"),
    SatisfactionLevel(3, "不太满意", "somewhat dissatisfied", "抱怨", "complaining"),
    SatisfactionLevel(4, "一般", "neutral", "无明显正负情绪", "no clear feeling either way"),
    SatisfactionLevel(5, "较满意", "somewhat satisfied", "好感赞许", "favourable, approving"),
    SatisfactionLevel(6, "满意", "satisfied", "赞扬愉快", "praising, pleased"),
    SatisfactionLevel(7, "很满意", "very satisfied", "激动满足", "delighted, fulfilled"),
)

#: Default cut points: equal-width bins of the 0-100 range, ``100 * k / 7``.
DEFAULT_CUTS: tuple[float, ...] = tuple(100.0 * k / 7 for k in range(1, 7))
#: Cut points half way between neighbouring anchors (nearest-anchor reading).
ANCHOR_MIDPOINT_CUTS: tuple[float, ...] = tuple((2 * k - 1) * 100.0 / 12 for k in range(1, 7))


@dataclass(frozen=True)
class SevenLevelScale:
    """The seven-level satisfaction scale (levels 1..7, worst to best)."""

    levels: tuple[SatisfactionLevel, ...] = _LEVELS

    def __len__(self) -> int:
        return len(self.levels)

    def __getitem__(self, level: int) -> SatisfactionLevel:
        if not 1 <= int(level) <= 7:
            raise CsiInputError(f"satisfaction level must be 1..7, got {level!r}")
        return self.levels[int(level) - 1]

    def labels(self, lang: str = "en") -> list[str]:
        """Labels of levels 1..7 in ``lang``."""
        return [lv.label(lang) for lv in self.levels]

    @property
    def codes(self) -> np.ndarray:
        """Codings 1..7."""
        return np.arange(1, 8)

    @property
    def centred_codes(self) -> np.ndarray:
        """Codings -3..+3."""
        return np.arange(-3, 4)

    @property
    def anchors(self) -> np.ndarray:
        """0-100 anchors ``(level - 1) / 6 * 100``: 0, 16.7, 33.3, 50, 66.7, 83.3, 100."""
        return np.arange(7) / 6 * 100.0

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per level: level, label, behaviour, code_centred, anchor, lower, upper."""
        check_lang(lang)
        cuts = (0.0, *DEFAULT_CUTS, 100.0)
        return pd.DataFrame(
            {
                "level": self.codes,
                "label": self.labels(lang),
                "behaviour": [lv.behaviour(lang) for lv in self.levels],
                "code_centred": self.centred_codes,
                "anchor": self.anchors,
                "lower": cuts[:-1],
                "upper": cuts[1:],
            }
        )


SEVEN_LEVELS = SevenLevelScale()


def validate_cuts(cuts: Sequence[float] | str | None) -> np.ndarray:
    """Return the six cut points as an array; raise naming the bad one.

    ``None`` or ``"equal"`` -> :data:`DEFAULT_CUTS`; ``"anchor_midpoints"`` ->
    :data:`ANCHOR_MIDPOINT_CUTS`; otherwise six strictly increasing numbers in [0, 100].
    """
    if cuts is None or (isinstance(cuts, str) and cuts == "equal"):
        return np.asarray(DEFAULT_CUTS)
    if isinstance(cuts, str):
        check_choice(cuts, ["equal", "anchor_midpoints"], name="cuts")
        return np.asarray(ANCHOR_MIDPOINT_CUTS)
    arr = np.asarray(list(cuts), dtype=float)
    if arr.ndim != 1 or arr.size != 6:
        raise CsiInputError(f"cuts must be 6 cut points between the 7 levels, got {arr.size}")
    for k, c in enumerate(arr):
        if not np.isfinite(c) or c < 0 or c > 100:
            raise CsiInputError(f"cut point {k + 1} ({float(c)!r}) must lie within [0, 100]")
        if k > 0 and c <= arr[k - 1]:
            raise CsiInputError(
                f"cuts must be strictly increasing: cut {k + 1} ({c:g}) <= cut {k} ({arr[k - 1]:g})"
            )
    return arr


def _levels_array(scores: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    out = np.full(scores.shape, np.nan)
    ok = np.isfinite(scores)
    # side="right": a score equal to a cut is counted in the level above the cut.
    out[ok] = np.searchsorted(cuts, scores[ok], side="right") + 1
    return out


def _check_scores(arr: np.ndarray) -> None:
    bad = np.isfinite(arr) & ((arr < 0) | (arr > 100))
    if bad.any():
        idx = int(np.flatnonzero(bad.ravel())[0])
        raise CsiInputError(
            f"score {float(arr.ravel()[idx])!r} at position {idx} is outside the 0-100 range"
        )


def classify(
    score_0_100: Any,
    cuts: Sequence[float] | str | None = None,
    *,
    lang: str = "en",
    labels: bool = False,
) -> Any:
    """Read 0-100 scores as satisfaction levels 1..7 (or their labels).

    A score on a cut point belongs to the upper level; 100 is level 7; NaN stays
    missing. Scalars give an ``int`` (or ``str``), arrays an array, Series a
    Series (nullable ``Int64``) with the same index.

    Examples
    --------
    Default cut points ``100 k / 7`` (14.29, 28.57, ..., 85.71):

    >>> from csi.scales import classify
    >>> classify([0, 14.3, 50, 100]).tolist()
    [1.0, 2.0, 4.0, 7.0]
    >>> classify(50, labels=True), classify(90, lang="zh", labels=True)
    ('neutral', '很满意')
    """
    check_lang(lang)
    c = validate_cuts(cuts)
    names = np.array(SEVEN_LEVELS.labels(lang), dtype=object)
    if isinstance(score_0_100, pd.DataFrame):
        cl = [float(x) for x in c]
        return score_0_100.apply(lambda s: classify(s, cl, lang=lang, labels=labels))
    if isinstance(score_0_100, pd.Series):
        arr = pd.to_numeric(score_0_100, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        _check_scores(arr)
        lv = _levels_array(arr, c)
        if labels:
            lab = [names[int(v) - 1] if np.isfinite(v) else None for v in lv]
            return pd.Series(lab, index=score_0_100.index, name=score_0_100.name, dtype=object)
        return pd.Series(
            pd.array([int(v) if np.isfinite(v) else None for v in lv], dtype="Int64"),
            index=score_0_100.index,
            name=score_0_100.name,
        )
    if np.isscalar(score_0_100):
        arr = np.asarray([float(score_0_100)])  # type: ignore[arg-type]
        _check_scores(arr)
        v = _levels_array(arr, c)[0]
        if not np.isfinite(v):
            return None
        return str(names[int(v) - 1]) if labels else int(v)
    arr = np.asarray(score_0_100, dtype=float)
    _check_scores(arr)
    lv = _levels_array(arr, c)
    if labels:
        out = np.empty(arr.shape, dtype=object)
        flat = lv.ravel()
        out.ravel()[:] = [names[int(v) - 1] if np.isfinite(v) else None for v in flat]
        return out
    return lv


def level_label(level: int, lang: str = "en") -> str:
    """Label of satisfaction level ``level`` (1..7) in ``lang``."""
    return SEVEN_LEVELS[level].label(lang)


def level_distribution(
    scores: Any,
    cuts: Sequence[float] | str | None = None,
    *,
    lang: str = "en",
    weights: Any = None,
) -> pd.DataFrame:
    """Distribution of 0-100 scores over the seven levels.

    Returns columns ``level, label, count, share`` with all seven levels (zero
    counts included). Missing scores are left out of ``count`` and ``share``; the
    number left out is in ``frame.attrs["n_missing"]``. With ``weights`` (one per
    score, e.g. survey weights) ``count`` is the weighted count.

    Examples
    --------
    >>> from csi.scales import level_distribution
    >>> dist = level_distribution([5, 20, 55, 60, 90, None])
    >>> dist["count"].tolist(), dist["share"].tolist(), dist.attrs["n_missing"]
    ([1, 1, 0, 1, 1, 0, 1], [0.2, 0.2, 0.0, 0.2, 0.2, 0.0, 0.2], 1)
    """
    s = pd.Series(np.asarray(scores, dtype=float).ravel())
    lv = np.asarray(classify(s.to_numpy(), cuts, lang=lang), dtype=float)
    ok = np.isfinite(lv)
    w: np.ndarray
    if weights is None:
        w = np.ones(lv.shape)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape != lv.shape:
            raise CsiInputError(f"weights has {w.size} values but there are {lv.size} scores")
        if (~np.isfinite(w) | (w < 0)).any():
            i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
            raise CsiInputError(f"weight {float(w[i])!r} at position {i} must be finite and >= 0")
    counts = np.array([w[ok & (lv == k)].sum() for k in range(1, 8)])
    total = counts.sum()
    out = pd.DataFrame(
        {
            "level": np.arange(1, 8),
            "label": SEVEN_LEVELS.labels(lang),
            "count": counts if weights is not None else counts.astype(int),
            "share": counts / total if total > 0 else np.zeros(7),
        }
    )
    out.attrs["n_missing"] = int((~ok).sum())
    return out


#: The seven levels read in three groups: dissatisfied (levels 1-3), neutral (4) and
#: satisfied (5-7), the split the handbooks use for "share of satisfied customers".
LEVEL_GROUPS: dict[str, tuple[int, ...]] = {
    "dissatisfied": (1, 2, 3),
    "neutral": (4,),
    "satisfied": (5, 6, 7),
}
_GROUP_LABELS = {lang: phrases("levels.group", lang) for lang in LANGS}


def level_groups(
    scores: Any,
    cuts: Sequence[float] | str | None = None,
    *,
    lang: str = "en",
    weights: Any = None,
) -> pd.DataFrame:
    """Shares of 0-100 scores read as dissatisfied, neutral and satisfied.

    The seven levels (:func:`level_distribution`) are summed in the groups of
    :data:`LEVEL_GROUPS`: ``share_g = sum_{k in g} count_k / sum_k count_k``.
    Returns one row per group (dissatisfied, neutral, satisfied) with columns
    ``group, label, levels`` (e.g. ``"5-7"``), ``count`` and ``share`` (0-1; the three
    shares sum to 1). Missing scores are left out; their number is in
    ``frame.attrs["n_missing"]``.

    Examples
    --------
    Levels 1, 2 | 4 | 5, 7:

    >>> from csi.scales import level_groups
    >>> groups = level_groups([5, 20, 55, 60, 90])
    >>> groups["group"].tolist(), groups["share"].tolist()
    (['dissatisfied', 'neutral', 'satisfied'], [0.4, 0.2, 0.4])
    """
    check_lang(lang)
    dist = level_distribution(scores, cuts, lang=lang, weights=weights)
    counts = dist.set_index("level")["count"]
    total = counts.sum()
    rows = []
    for group, levels in LEVEL_GROUPS.items():
        count = counts.loc[list(levels)].sum()
        rows.append(
            {
                "group": group,
                "label": _GROUP_LABELS[lang][group],
                "levels": f"{levels[0]}-{levels[-1]}" if len(levels) > 1 else str(levels[0]),
                "count": count,
                "share": float(count / total) if total > 0 else 0.0,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["n_missing"] = dist.attrs["n_missing"]
    return out
