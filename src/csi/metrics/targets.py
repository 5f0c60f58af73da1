"""Targets: gap to target per segment and indicator, flags, and the "hot spots" table.

``gap = value - target`` (negative = below target). A row is ``below_target`` when
``gap < 0`` and ``falling`` when its change against the previous period is negative
(and, if a p-value column is given, significant at ``alpha``). Suppressed rows keep
their place but get no gap and no flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame
from csi.i18n import LANGS, phrases
from csi.metrics._common import check_lang

_REASONS = {lang: phrases("target", lang) for lang in LANGS}


def target_gaps(
    scores: pd.DataFrame,
    *,
    target: float | Mapping[Any, float] | pd.DataFrame,
    value: str = "value",
    indicator: str | None = None,
    change: str | None = None,
    previous: str | None = None,
    pvalue: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Add ``target``, ``gap``, ``change``, ``below_target`` and ``falling`` to a score table.

    ``target``: one number for every row; a mapping from the values of the
    ``indicator`` column to targets; or a DataFrame with a ``target`` column and key
    columns shared with ``scores`` (joined on them). The change comes from the
    ``change`` column, or is ``value - previous`` from the ``previous`` column; without
    either, ``falling`` is False. With ``pvalue`` a fall counts only if ``p < alpha``
    (e.g. ``p_adjusted`` from :func:`compare_periods`). Returns a new DataFrame.
    """
    scores = check_frame(scores, name="scores")
    check_columns(scores, [value], name="scores")
    if change is not None and previous is not None:
        raise CsiInputError("give either change or previous, not both")
    for col in (indicator, change, previous, pvalue):
        if col is not None:
            check_columns(scores, [col], name="scores")
    out = scores.copy()
    if isinstance(target, pd.DataFrame):
        check_columns(target, ["target"], name="target")
        keys = [c for c in target.columns if c != "target" and c in out.columns]
        if not keys:
            raise CsiInputError("target table shares no key column with scores")
        if target.duplicated(keys).any():
            dup = target.loc[target.duplicated(keys), keys].iloc[0].tolist()
            raise CsiInputError(f"target table has more than one target for {keys} = {dup}")
        out = out.drop(columns=[c for c in ("target",) if c in out.columns])
        out = out.merge(target[[*keys, "target"]], on=keys, how="left")
        out.index = scores.index
    elif isinstance(target, Mapping):
        if indicator is None:
            raise CsiInputError("a mapping of targets needs indicator= (the column it maps)")
        out["target"] = out[indicator].map(dict(target)).astype(float)
    else:
        try:
            out["target"] = float(target)
        except (TypeError, ValueError):
            raise CsiInputError(
                f"target must be a number, mapping or DataFrame, got {target!r}"
            ) from None
    vals = pd.to_numeric(out[value], errors="coerce").astype(float)
    out["gap"] = vals - out["target"].astype(float)
    if change is not None:
        out["change"] = pd.to_numeric(out[change], errors="coerce").astype(float)
    elif previous is not None:
        out["change"] = vals - pd.to_numeric(out[previous], errors="coerce").astype(float)
    else:
        out["change"] = np.nan
    sup = (
        out["suppressed"].fillna(False).astype(bool).to_numpy()
        if "suppressed" in out.columns
        else np.zeros(len(out), dtype=bool)
    )
    out.loc[sup, "gap"] = np.nan
    out["below_target"] = (out["gap"] < 0).to_numpy() & ~sup
    falling = (out["change"] < 0).to_numpy()
    if pvalue is not None:
        falling = falling & (pd.to_numeric(out[pvalue], errors="coerce") < alpha).to_numpy()
    out["falling"] = falling & ~sup
    return out


def hot_spots(gaps: pd.DataFrame, *, top: int | None = None, lang: str = "en") -> pd.DataFrame:
    """Rows below target or falling, worst first, for the top of a report.

    Order: below target and falling, then below target only, then falling only;
    within each, the largest shortfall (most negative gap) first, then the largest
    fall. Adds ``priority`` (1 = first) and ``reason`` (e.g. "below target; falling",
    lang="zh": "低于目标；下降"). Input: the output of :func:`target_gaps`.
    """
    gaps = check_frame(gaps, name="gaps")
    check_columns(gaps, ["gap", "change", "below_target", "falling"], name="gaps")
    lang = check_lang(lang)
    words = _REASONS[lang]
    hot = gaps[gaps["below_target"] | gaps["falling"]].copy()
    tier = np.where(hot["below_target"] & hot["falling"], 0, np.where(hot["below_target"], 1, 2))
    hot["_tier"] = tier
    hot["_gap"] = hot["gap"].fillna(np.inf)
    hot["_change"] = hot["change"].fillna(np.inf)
    hot = hot.sort_values(["_tier", "_gap", "_change"], kind="stable").drop(
        columns=["_tier", "_gap", "_change"]
    )
    if top is not None:
        hot = hot.head(top)
    hot["reason"] = [
        words["sep"].join(w for w, flag in ((words["below"], b), (words["falling"], f)) if flag)
        for b, f in zip(hot["below_target"], hot["falling"], strict=True)
    ]
    hot.insert(0, "priority", np.arange(1, len(hot) + 1))
    return hot.reset_index(drop=True)
