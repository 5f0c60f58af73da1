"""Item screening for building an indicator system (the handbooks' step 4: drop repeated,
similar and weak indicators).

For the items ``x_1..x_k`` of one group (construct or indicator-system branch), on the raw
answers of the respondents who answered all of them:

* corrected item-total correlation: ``corr(x_i, sum_{j != i} x_j)`` (Nunnally & Bernstein
  1994); below 0.3 the item hardly goes with the rest;
* alpha if item deleted: Cronbach's alpha ``k/(k-1) (1 - sum var(x_j) / var(sum x_j))`` of
  the other ``k - 1`` items (raw, as SPSS reports it); higher than the group's alpha means
  the group is more consistent without the item;
* loading on the group's first principal component (the PLS Mode A weights of a construct
  without neighbours), flagged below 0.708 (Hair et al. 2017, p. 113);
* near-duplicate pairs: items, in any groups, whose correlation is at least 0.9 in
  absolute value (they ask the same question twice).

The near-duplicate rule and the item-rest correlation come from
:mod:`csi.quality.item_correlations`, shared with :func:`csi.indicators.screen_indicators`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame, check_numeric
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.quality.item_correlations import item_rest_correlations, near_duplicate_pairs
from csi.quality.reliability import alpha_from_matrix
from csi.quality.thresholds import Thresholds, as_thresholds
from csi.spec import ModelSpec

logger = logging.getLogger(__name__)


def _groups(
    groups: ModelSpec | Mapping[str, Sequence[str]] | Sequence[str],
) -> dict[str, list[str]]:
    if isinstance(groups, ModelSpec):
        return {c: list(v) for c, v in groups.indicators.items()}
    if isinstance(groups, Mapping):
        out = {str(c): list(v) for c, v in groups.items()}
    elif isinstance(groups, Sequence) and not isinstance(groups, str):
        out = {"items": list(groups)}
    else:
        raise TypeError(
            "groups must be a ModelSpec, a dict group -> items, or a list of items, got "
            f"{type(groups).__name__}"
        )
    seen: dict[str, str] = {}
    for g, items in out.items():
        if not items:
            raise CsiInputError(f"group {g!r} has no items")
        for i in items:
            if i in seen:
                raise CsiInputError(f"item {i!r} is listed in both {seen[i]!r} and {g!r}")
            seen[i] = g
    return out


@dataclass(frozen=True, repr=False)
class ItemScreening:
    """Item statistics, group reliabilities and near-duplicate pairs.

    items:
        ``group, indicator, mean, sd, item_total, alpha_if_deleted, loading,
        low_item_total, raises_alpha, low_loading``.
    groups:
        ``group, n_items, alpha, alpha_standardized``.
    near_duplicates:
        ``indicator_1, indicator_2, group_1, group_2, correlation``.
    n, n_excluded:
        Respondents used (complete on all items) and left out for missing answers.
    """

    items: pd.DataFrame
    groups: pd.DataFrame
    near_duplicates: pd.DataFrame
    n: int
    n_excluded: int
    thresholds: Thresholds = field(default_factory=Thresholds)

    def flagged(self) -> pd.DataFrame:
        """The items with at least one flag."""
        f = self.items
        return f[f["low_item_total"] | f["raises_alpha"] | f["low_loading"]]

    def summary(self, *, lang: str = "en", digits: int = 3) -> Summary:
        """The item table, group alphas and near-duplicate pairs."""
        lab = phrases("screening", check_lang(lang))
        used = lab["used"].format(n=self.n, excluded=self.n_excluded)
        items, groups = self.items.round(digits), self.groups.round(digits)
        tables = {lab["items"]: items, lab["groups"]: groups}
        lines = [lab["title"], used, "", items.to_string(index=False)]
        lines += ["", groups.to_string(index=False)]
        lines.append("")
        if len(self.near_duplicates):
            pairs = self.near_duplicates.round(digits)
            lines.append(lab["pairs"])
            lines.append(pairs.to_string(index=False))
            tables[lab["pairs"]] = pairs
        else:
            lines.append(lab["no_pairs"])
        return Summary("\n".join(lines), title=lab["title"], notes=[used], tables=tables, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html

    def __repr__(self) -> str:
        return (
            f"ItemScreening(items={len(self.items)}, flagged={len(self.flagged())}, "
            f"near_duplicates={len(self.near_duplicates)})"
        )


def screen_items(
    data: pd.DataFrame,
    groups: ModelSpec | Mapping[str, Sequence[str]] | Sequence[str],
    *,
    thresholds: Thresholds | dict[str, float] | None = None,
) -> ItemScreening:
    """Screen items: item-total correlations, alpha if deleted, loadings, near duplicates.

    ``groups``: a :class:`csi.ModelSpec`, a dict group -> items, or one list of items.
    Respondents with a missing answer on any screened item are left out (counted in
    ``n_excluded``). Cut-offs: ``thresholds.item_total`` (0.3), ``thresholds.loading``
    (0.708), ``thresholds.near_duplicate`` (0.9). ``data`` is not modified.
    """
    th = as_thresholds(thresholds)
    check_frame(data)
    by_group = _groups(groups)
    items = [i for v in by_group.values() for i in v]
    check_columns(data, items, what="item")
    check_numeric(data, items)
    X = data[items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    complete = ~np.isnan(X).any(axis=1)
    n_excluded = int((~complete).sum())
    X = X[complete]
    n = len(X)
    if n < 3:
        raise CsiInputError(
            f"too few respondents with complete answers to screen items: {n} "
            f"({n_excluded} left out for missing answers)"
        )
    if n_excluded:
        logger.info("screen_items: %d respondents left out for missing answers", n_excluded)
    sd = X.std(axis=0, ddof=1)
    if np.any(~(sd > 0)):
        k = int(np.flatnonzero(~(sd > 0))[0])
        raise CsiInputError(f"item {items[k]!r} has the same answer from every respondent")
    cov = np.cov(X, rowvar=False)
    R = cov / np.outer(sd, sd)
    col = {i: k for k, i in enumerate(items)}
    rows, group_rows = [], []
    for g, members in by_group.items():
        idx = np.array([col[i] for i in members])
        C = cov[np.ix_(idx, idx)]
        alpha = alpha_from_matrix(C) if idx.size > 1 else np.nan
        group_rows.append(
            (g, idx.size, alpha, alpha_from_matrix(R[np.ix_(idx, idx)]) if idx.size > 1 else np.nan)
        )
        vals, vecs = np.linalg.eigh(R[np.ix_(idx, idx)])
        pc = vecs[:, -1] * np.sqrt(vals[-1])
        if pc.sum() < 0:
            pc = -pc
        item_rest = item_rest_correlations(X[:, idx])
        for pos, item in enumerate(members):
            k = idx[pos]
            if idx.size > 1:
                it = float(item_rest[pos])
                keep = np.delete(np.arange(idx.size), pos)
                aid = alpha_from_matrix(C[np.ix_(keep, keep)]) if keep.size > 1 else np.nan
            else:
                it = aid = np.nan
            rows.append(
                (
                    g,
                    item,
                    float(X[:, k].mean()),
                    float(sd[k]),
                    it,
                    aid,
                    float(pc[pos]),
                    bool(it < th.item_total),
                    bool(aid > alpha),
                    bool(idx.size > 1 and pc[pos] < th.loading),
                )
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "group",
            "indicator",
            "mean",
            "sd",
            "item_total",
            "alpha_if_deleted",
            "loading",
            "low_item_total",
            "raises_alpha",
            "low_loading",
        ],
    )
    owner = {i: g for g, v in by_group.items() for i in v}
    pairs = near_duplicate_pairs(R, items, th.near_duplicate)
    dup = [(a, b, owner[a], owner[b], r) for a, b, r in pairs]
    return ItemScreening(
        items=table,
        groups=pd.DataFrame(
            group_rows, columns=["group", "n_items", "alpha", "alpha_standardized"]
        ),
        near_duplicates=pd.DataFrame(
            dup, columns=["indicator_1", "indicator_2", "group_1", "group_2", "correlation"]
        ),
        n=n,
        n_excluded=n_excluded,
        thresholds=th,
    )
