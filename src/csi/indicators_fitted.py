"""A fitted indicator system (weights of every node) and its scores.

Scoring, the seven-level reading and the fuzzy evaluation are described in
:mod:`csi.indicators`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns
from csi.display import Summary
from csi.fuzzy import FuzzyResult, fuzzy_hierarchy, membership_matrix
from csi.i18n import check_lang, phrases
from csi.indicators_data import (
    RespondentData,
    _check_public,
    _codebook_entry,
    _respondent_data,
)
from csi.indicators_nodes import IndicatorNode, _level_name
from csi.indicators_weights import _weighted_score
from csi.scales import classify, level_distribution, level_label
from csi.survey import Survey
from csi.weighting.ahp import AHPResult, GroupAHPResult

if TYPE_CHECKING:
    from csi.indicators_system import IndicatorSystem

__all__ = ["FittedIndicatorSystem", "IndicatorScores"]


@dataclass(frozen=True)
class FittedIndicatorSystem:
    """An indicator system with the weights of every node: ``local_weights`` (node ->
    Series over its children), ``details`` (node -> AHP / combination result or
    objective-weight info), ``notes`` (consistency warnings, dropped rows, ...)."""

    system: IndicatorSystem
    local_weights: dict[str, pd.Series]
    details: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def global_weights(self) -> pd.Series:
        """Global weight of each leaf (product of local weights down the path), by item."""
        f = self.to_frame()
        leaves = f[f["item"].notna()]
        return pd.Series(
            leaves["global_weight"].to_numpy(), index=leaves["item"].to_numpy(), name="weight"
        )

    @property
    def consistency_ratio(self) -> float:
        """Hierarchy CR over the AHP nodes: ``sum g_p CI_p / sum g_p RI_p`` (Saaty 1980)."""
        g = self.to_frame().set_index("node")["global_weight"]
        num = den = 0.0
        for node_id, det in self.details.items():
            r = det.aggregate if isinstance(det, GroupAHPResult) else det
            if isinstance(r, AHPResult):
                gp = 1.0 if node_id == self.system.root.id else float(g[node_id])
                num += gp * r.ci
                den += gp * r.ri
        return num / den if den > 0 else 0.0

    def to_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """One row per node below the root: node, name, parent, depth, level,
        item, method, local_weight, global_weight, rank_in_parent, rank_in_level.
        Rows follow the hierarchy with siblings ordered by weight (the handbooks'
        finished system)."""
        check_lang(lang)
        rows: list[dict[str, Any]] = []

        def visit(node: IndicatorNode, depth: int, g: float) -> None:
            if node.is_leaf:
                return
            w = self.local_weights[node.id]
            ranks = w.rank(ascending=False, method="min").astype(int)
            method = (node.weights or {}).get("method", "equal")
            order = sorted(node.children, key=lambda c: -float(w[c.id]))
            for c in order:
                lw = float(w[c.id])
                rows.append(
                    {
                        "node": c.id,
                        "name": c.name(lang),
                        "parent": node.id,
                        "depth": depth + 1,
                        "level": _level_name(depth + 1, lang),
                        "item": c.item if c.is_leaf else None,
                        "method": method,
                        "local_weight": lw,
                        "global_weight": g * lw,
                        "rank_in_parent": int(ranks[c.id]),
                    }
                )
                visit(c, depth + 1, g * lw)

        visit(self.system.root, 0, 1.0)
        frame = pd.DataFrame(rows)
        frame["rank_in_level"] = (
            frame.groupby("depth")["global_weight"].rank(ascending=False, method="min").astype(int)
        )
        return frame

    def ranking(self, depth: int, *, lang: str = "en") -> pd.DataFrame:
        """Indicators of one level ordered by global weight (the handbooks' step 5)."""
        f = self.to_frame(lang=lang)
        if depth not in set(f["depth"]):
            raise CsiInputError(
                f"the system has no level {depth}; levels are {sorted(set(f['depth']))}"
            )
        return (
            f[f["depth"] == depth]
            .sort_values("rank_in_level", kind="stable")
            .reset_index(drop=True)
        )

    # ------------------------------------------------------------------ scoring
    def respondent_scores(self, data: RespondentData) -> pd.DataFrame:
        """0-100 score of every node (columns: node ids, root included) per respondent
        (DataFrame or Survey; a missing answer leaves that leaf NaN)."""
        return self._node_scores(self.system.leaf_scores(data))

    def _node_scores(self, leaf: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, pd.Series] = {}

        def visit(node: IndicatorNode) -> pd.Series:
            if node.is_leaf:
                out[node.id] = leaf[node.id]
                return leaf[node.id]
            cs = pd.DataFrame({c.id: visit(c) for c in node.children})
            s = _weighted_score(cs, self.local_weights[node.id])
            out[node.id] = s
            return s

        visit(self.system.root)
        ids = [n.id for n, _, _ in self.system.root.walk()]
        return pd.DataFrame({k: out[k] for k in ids}, index=leaf.index)

    def score(
        self,
        data: RespondentData,
        *,
        by: str | Sequence[str] | None = None,
        cuts: Sequence[float] | str | None = None,
        lang: str = "en",
    ) -> IndicatorScores:
        """Scores per respondent, per segment (``by``) and overall, read on the seven levels.

        ``data``: a DataFrame or a Survey (every respondent read, private columns left
        out). Missing answers are left out; each table's ``n`` is the number of
        respondents scored at that node; ``notes`` say where the data came from.

        Examples
        --------
        The first respondent: q1 = 5 -> 100, q2 = 1 -> 0, q3 = 4 -> 75; product
        ``0.75 * 100 + 0.25 * 0 = 75``, overall ``0.5 * 75 + 0.5 * 75 = 75``:

        >>> from csi import IndicatorSystem
        >>> system = IndicatorSystem.from_dict({"scale": {"min": 1, "max": 5}, "children": [
        ...     {"id": "product", "weights": {"method": "given", "values": {"q1": 3, "q2": 1}},
        ...      "children": [{"id": "q1", "item": "q1"}, {"id": "q2", "item": "q2"}]},
        ...     {"id": "service", "item": "q3"}]})
        >>> import pandas as pd
        >>> df = pd.DataFrame({"q1": [5, 4, 3], "q2": [1, 3, 5], "q3": [4, 4, 2]})
        >>> scores = system.fit().score(df)
        >>> scores.respondents["overall"].round(2).tolist(), round(scores.index, 2)
        ([75.0, 71.88, 43.75], 63.54)
        >>> scores.respondents["level"].tolist()
        [6, 6, 4]
        """
        check_lang(lang)
        frame, survey = _respondent_data(data)
        by_cols = [by] if isinstance(by, str) else list(by or [])
        _check_public(survey, by_cols, what="segment column")
        check_columns(frame, by_cols, what="segment column")
        resp = self._node_scores(self.system.leaf_scores(data))
        leaf_ids = [n.id for n in self.system.leaves]
        n_incomplete = int(resp[leaf_ids].isna().any(axis=1).sum())
        root = self.system.root.id
        n_unscored = int(resp[root].isna().sum())
        meta = {n.id: (n, d) for n, d, _ in self.system.root.walk()}

        def table(sub: pd.DataFrame) -> pd.DataFrame:
            rows = []
            for node_id in resp.columns:
                n, d = meta[node_id]
                col = sub[node_id]
                mean = float(col.mean()) if col.notna().any() else np.nan
                lv = classify(mean, cuts) if np.isfinite(mean) else None
                rows.append(
                    {
                        "node": node_id,
                        "name": n.name(lang),
                        "depth": d,
                        "score": mean,
                        "level": lv,
                        "label": level_label(lv, lang) if lv is not None else None,
                        "n": int(col.notna().sum()),
                    }
                )
            return pd.DataFrame(rows)

        overall = table(resp)
        segments = None
        if by_cols:
            parts = []
            keys = frame[by_cols]
            for key, sub in keys.groupby(by_cols, sort=True, dropna=False):
                t = table(resp.loc[sub.index])
                key_t = key if isinstance(key, tuple) else (key,)
                for c, v in zip(by_cols, key_t, strict=True):
                    t.insert(0, str(c), cast(Any, v))
                parts.append(t)
            segments = pd.concat(parts, ignore_index=True)[[*by_cols, *overall.columns]]
        dist = level_distribution(resp[root], cuts, lang=lang)
        levels = classify(resp[root], cuts)
        resp_out = resp.copy()
        resp_out["level"] = levels
        resp_out["label"] = classify(resp[root], cuts, lang=lang, labels=True)
        notes = _data_notes(self.system, survey, n_unscored=n_unscored, n=len(resp))
        return IndicatorScores(
            respondents=resp_out,
            overall=overall,
            segments=segments,
            distribution=dist,
            root=root,
            n_respondents=len(resp),
            n_incomplete=n_incomplete,
            n_unscored=n_unscored,
            lang=lang,
            notes=notes,
        )

    def fuzzy(
        self,
        data: RespondentData,
        *,
        operator: str = "M(·,⊕)",
        method: str = "distribution",
        cuts: Sequence[float] | str | None = None,
        ambiguity: float = 0.05,
        lang: str = "en",
    ) -> dict[str, FuzzyResult]:
        """Fuzzy comprehensive evaluation through the hierarchy (node -> result; the root
        is ``system.root.id``). The membership of each leaf comes from the distribution of
        its answers over the seven levels (or triangular functions, ``method``), on the
        respondents who answered it; each result's notes give these counts (n per item).
        ``data``: a DataFrame or a Survey."""
        leaf = self.system.leaf_scores(data)
        memb = membership_matrix(
            leaf, list(leaf.columns), scales=(0.0, 100.0), method=method, cuts=cuts, lang=lang
        )
        results = fuzzy_hierarchy(
            self.local_weights,
            memb,
            root=self.system.root.id,
            operator=operator,
            ambiguity=ambiguity,
            lang=lang,
        )
        n_valid: dict[str, int] = memb.attrs["n_valid"]
        under = {
            n.id: [x.id for x, _, _ in n.walk() if x.is_leaf] for n, _, _ in self.system.nodes()
        }
        out = {}
        for node_id, r in results.items():
            counts = ", ".join(f"{i} n = {n_valid[i]}" for i in under.get(node_id, []))
            note = f"answers per item (missing answers left out): {counts}"
            out[node_id] = dataclasses.replace(r, notes=(*r.notes, note))
        return out

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """Every node with its local and global weight, the hierarchy CR, the notes."""
        t = phrases("system", check_lang(lang))
        f = self.to_frame(lang=lang)
        title = t["title"].format(name=self.system.root.name(lang))
        lines = [title, "-" * 60]
        for r in f.to_dict("records"):
            lines.append(
                "  " * (int(r["depth"]) - 1)
                + t["node"].format(
                    name=r["name"],
                    node=r["node"],
                    local=f"{float(r['local_weight']):.{digits}f}",
                    glob=f"{float(r['global_weight']):.{digits}f}",
                )
            )
        if any(isinstance(d, AHPResult | GroupAHPResult) for d in self.details.values()):
            lines.append(t["cr"].format(cr=f"{self.consistency_ratio:.{digits}f}"))
        lines += [t["note"].format(note=n) for n in self.notes]
        return Summary.plain("\n".join(lines), title=title, tables={"weights": f}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


@dataclass(frozen=True)
class IndicatorScores:
    """Scores of an indicator system.

    ``respondents``: one row per respondent, one 0-100 column per node (root
    included) plus ``level`` and ``label`` of the overall score. ``overall``: node,
    name, depth, score (mean), level, label, n. ``segments``: the same per segment
    (None without ``by``). ``distribution``: respondents over the seven levels
    (overall score). ``n_incomplete``: respondents scored from part of their items;
    ``n_unscored``: respondents with no overall score (no valid answer). ``notes``:
    where the respondents came from and how missing answers were handled.
    """

    respondents: pd.DataFrame
    overall: pd.DataFrame
    segments: pd.DataFrame | None
    distribution: pd.DataFrame
    root: str
    n_respondents: int
    n_incomplete: int
    n_unscored: int
    lang: str = "en"
    notes: tuple[str, ...] = ()

    @property
    def index(self) -> float:
        """The overall 0-100 score (mean over respondents)."""
        return float(self.overall.loc[self.overall["node"] == self.root, "score"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        return self.overall.copy()

    def summary(self, *, lang: str = "en", digits: int = 1) -> Summary:
        """The 0-100 score of every node with its level, and the respondents counted.

        Node names and level labels are in the language the scores were computed in."""
        t = phrases("scores", check_lang(lang))
        o = self.overall
        title = t["title"].format(n=self.n_respondents)
        lines = [title, "-" * 50]
        for r in o.to_dict("records"):
            lines.append(
                "  " * int(r["depth"])
                + t["node"].format(
                    name=r["name"],
                    score=f"{float(r['score']):.{digits}f}",
                    label=r["label"],
                    n=int(r["n"]),
                )
            )
        lines.append(t["counts"].format(incomplete=self.n_incomplete, unscored=self.n_unscored))
        lines += [t["note"].format(note=n) for n in self.notes]
        return Summary.plain("\n".join(lines), title=title, tables={"scores": o}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


def _data_notes(
    system: IndicatorSystem, survey: Survey | None, *, n_unscored: int, n: int
) -> tuple[str, ...]:
    """Where the scored respondents came from and how missing answers were handled."""
    notes = [
        f"{n - n_unscored} of {n} respondents scored; a missing answer is left out and the "
        "node is scored from the answered children, their weights rescaled to sum 1; "
        "n in each table = respondents scored at that node"
    ]
    if survey is not None:
        notes.insert(
            0,
            f"survey {survey.source!r}: every respondent read ({survey.n_read}), before its "
            f"missing-data policy ({survey.missing!r}); id, personal and free-text columns "
            "left out",
        )
        recoded = [
            i
            for i in system.items
            if (info := _codebook_entry(survey, i)[0]) is not None and info.reverse
        ]
        if recoded:
            notes.append(f"reverse-coded once, by the survey codebook: {', '.join(recoded)}")
        if survey.weight is not None:
            notes.append(f"survey weights (column {survey.weight!r}) are not applied")
    return tuple(notes)
