"""Screening of indicators: near-duplicate and weak items, flagged with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_numeric
from csi.i18n import check_lang, text
from csi.indicators_data import RespondentData, _check_public, _respondent_data
from csi.quality.item_correlations import item_rest_correlations, near_duplicate_pairs

__all__ = ["screen_indicators"]


def screen_indicators(
    data: RespondentData,
    items: Sequence[str],
    *,
    duplicate_threshold: float = 0.9,
    weak_threshold: float = 0.3,
    lang: str = "en",
) -> pd.DataFrame:
    """Flag near-duplicate and weak items, with reasons; nothing is dropped.

    * near-duplicate: Pearson correlation of two items with ``|r| >= duplicate_threshold``
      (pairwise complete answers; :mod:`csi.quality.item_correlations`, the rule
      :func:`csi.quality.screen_items` uses too): one of them adds little (handbooks:
      drop repeated or similar indicators);
    * weak: corrected item-total correlation (item vs the sum of the *other* items,
      respondents complete on all items) ``< weak_threshold``: the item hardly moves with
      the rest of the system.

    Returns columns ``item, check, value, threshold, other, reason`` (one row per
    finding; empty if none). Constant items are reported as weak (no variance).
    ``data``: a DataFrame or a Survey (every respondent read, items as cleaned).
    ``attrs["n_complete"]``: respondents complete on all items.
    """
    frame, survey = _respondent_data(data)
    items = [str(i) for i in items]
    _check_public(survey, items, what="item")
    check_columns(frame, items, what="item")
    check_numeric(frame, items)
    check_lang(lang)
    for name, t in (
        ("duplicate_threshold", duplicate_threshold),
        ("weak_threshold", weak_threshold),
    ):
        if not -1 <= t <= 1:
            raise CsiInputError(f"{name} must lie in [-1, 1], got {t!r}")
    x = frame[items].apply(pd.to_numeric).astype(float)
    rows: list[tuple[Any, ...]] = []
    const = [c for c in items if x[c].nunique(dropna=True) <= 1]
    corr = x.corr()
    for a, b, r in near_duplicate_pairs(corr.to_numpy(), items, duplicate_threshold):
        reason = text("indicators.duplicate", lang, a=a, b=b, r=r, threshold=duplicate_threshold)
        rows.append((a, "near_duplicate", r, duplicate_threshold, b, reason))
    complete = x.dropna()
    item_rest = item_rest_correlations(complete.to_numpy())
    for pos, c in enumerate(items):
        if c in const:
            reason = text("indicators.constant", lang)
            rows.append((c, "weak", np.nan, weak_threshold, None, reason))
            continue
        r = float(item_rest[pos])
        if np.isfinite(r) and r < weak_threshold:
            reason = text("indicators.weak", lang, item=c, r=r, threshold=weak_threshold)
            rows.append((c, "weak", r, weak_threshold, None, reason))
    out = pd.DataFrame(rows, columns=["item", "check", "value", "threshold", "other", "reason"])
    out.attrs["n_complete"] = len(complete)
    return out
