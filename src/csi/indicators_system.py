"""The indicator system: a hierarchy of survey items, read from a dict or YAML, with
the leaves' 0-100 scores, screening and fitting (see :mod:`csi.indicators`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from csi._checks import CsiInputError, check_columns, check_numeric
from csi.indicators_data import (
    RespondentData,
    _check_public,
    _codebook_entry,
    _respondent_data,
)
from csi.indicators_fitted import FittedIndicatorSystem
from csi.indicators_nodes import IndicatorNode, _fmt_scale, _node, _scale
from csi.indicators_screening import screen_indicators
from csi.indicators_weights import _node_weights, _weighted_score
from csi.scales import RatingScale, scale_bounds
from csi.survey import Survey

__all__ = ["IndicatorSystem"]


@dataclass(frozen=True)
class IndicatorSystem:
    """A hierarchy of indicators with survey items as leaves (see :mod:`csi.indicators`)."""

    root: IndicatorNode
    scale: tuple[float, float] | None = None
    missing_codes: tuple[float, ...] = ()
    codebook_scales: bool = False
    """True for ``scale: codebook``: leaves without a scale take the survey codebook's."""

    # ------------------------------------------------------------------ building
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> IndicatorSystem:
        """Build from a dict: the root node's keys plus ``scale`` (default item end
        points, or ``"codebook"``: each item's end points from the survey's codebook)
        and ``missing`` (answer codes such as 99 treated as missing).

        Examples
        --------
        Two level-1 indicators: ``product`` (items q1, q2 weighted 3 : 1) and
        ``service`` (a leaf asking item q3); the root weighs them equally:

        >>> from csi import IndicatorSystem
        >>> system = IndicatorSystem.from_dict({"scale": {"min": 1, "max": 5}, "children": [
        ...     {"id": "product", "weights": {"method": "given", "values": {"q1": 3, "q2": 1}},
        ...      "children": [{"id": "q1", "item": "q1"}, {"id": "q2", "item": "q2"}]},
        ...     {"id": "service", "item": "q3"}]})
        >>> system.items, [leaf.id for leaf in system.leaves]
        (['q1', 'q2', 'q3'], ['q1', 'q2', 'service'])
        """
        if not isinstance(spec, Mapping):
            raise CsiInputError(f"indicator system must be a mapping, got {type(spec).__name__}")
        body = {k: v for k, v in spec.items() if k not in ("scale", "missing")}
        body.setdefault("id", "overall")
        if not body.get("children"):
            raise CsiInputError("indicator system has no children (level-1 indicators)")
        root = _node(body, "root")
        from_codebook = spec.get("scale") == "codebook"
        scale = None if from_codebook else _scale(spec.get("scale"), "indicator system")
        codes = spec.get("missing") or []
        if not isinstance(codes, Sequence) or isinstance(codes, str):
            codes = [codes]
        system = cls(
            root=root,
            scale=scale,
            missing_codes=tuple(float(c) for c in codes),
            codebook_scales=from_codebook,
        )
        system._validate()
        return system

    @classmethod
    def from_yaml(cls, source: str | Path) -> IndicatorSystem:
        """Build from a YAML file path (or YAML text containing a newline)."""
        if isinstance(source, Path) or "\n" not in str(source):
            path = Path(source)
            if not path.exists():
                raise CsiInputError(f"indicator-system file not found: {path}")
            text = path.read_text(encoding="utf-8")
        else:
            text = str(source)
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CsiInputError(f"indicator system: invalid YAML: {exc}") from None
        return cls.from_dict(spec)

    def _validate(self) -> None:
        seen: dict[str, str] = {}
        items: dict[str, str] = {}
        for node, _, parent in self.root.walk():
            if node.id in seen:
                raise CsiInputError(
                    f"node id {node.id!r} is used twice (under {seen[node.id]!r} and {parent!r})"
                )
            seen[node.id] = str(parent)
            if node.is_leaf:
                assert node.item is not None
                if node.item in items:
                    raise CsiInputError(
                        f"item {node.item!r} appears twice "
                        f"(leaves {items[node.item]!r} and {node.id!r})"
                    )
                items[node.item] = node.id
                if node.scale is None and self.scale is None and not self.codebook_scales:
                    raise CsiInputError(
                        f"leaf {node.id!r} has no scale and the system has no default scale "
                        "(declare one, or 'scale: codebook' to take the survey codebook's)"
                    )

    # ------------------------------------------------------------------ views
    def nodes(self) -> list[tuple[IndicatorNode, int, str | None]]:
        """All nodes as (node, depth, parent id), root first (depth 0)."""
        return list(self.root.walk())

    def node(self, node_id: str) -> IndicatorNode:
        for n, _, _ in self.root.walk():
            if n.id == node_id:
                return n
        raise CsiInputError(f"no node {node_id!r} in the indicator system")

    @property
    def leaves(self) -> list[IndicatorNode]:
        return [n for n, _, _ in self.root.walk() if n.is_leaf]

    @property
    def items(self) -> list[str]:
        """Survey items (leaves), in hierarchy order."""
        return [str(n.item) for n in self.leaves]

    def item_scale(self, node: IndicatorNode) -> RatingScale:
        """The declared scale of a leaf (its own, else the system's default)."""
        sc = node.scale if node.scale is not None else self.scale
        if sc is None:
            raise CsiInputError(
                f"leaf {node.id!r} takes its scale from the codebook ('scale: codebook'): "
                "pass a Survey (csi.read_survey), or declare the scale"
            )
        return RatingScale.of(sc, name=f"scale of leaf {node.id!r}")

    def _leaf_plan(self, survey: Survey | None) -> dict[str, tuple[RatingScale, bool]]:
        """Leaf id -> (scale, reverse here?), checked against the survey's codebook.

        Raises when the node and the codebook both reverse an item, or when a declared
        scale disagrees with the codebook's end points.
        """
        plan: dict[str, tuple[RatingScale, bool]] = {}
        for leaf in self.leaves:
            item = str(leaf.item)
            info, entry = _codebook_entry(survey, item)
            declared: tuple[float, float] | None
            if leaf.scale is not None:
                declared, where = leaf.scale, f"the indicator-system node {leaf.id!r} (scale)"
            else:
                declared, where = self.scale, "the indicator system's default scale (root scale)"
            if info is not None and info.min is not None and info.max is not None:
                cb_scale = scale_bounds(info, name=f"codebook scale of item {item!r}")
                if declared is not None and scale_bounds(declared, name=where) != cb_scale:
                    raise CsiInputError(
                        f"item {item!r} has two different scales: {entry} says "
                        f"{_fmt_scale(cb_scale)} and {where} says {_fmt_scale(declared)}; "
                        "remove one (or use 'scale: codebook' in the indicator system)"
                    )
                sc = RatingScale.of(cb_scale)
            elif declared is not None:
                sc = RatingScale.of(declared, name=where)
            elif survey is None:
                sc = self.item_scale(leaf)  # raises: the scale comes from a codebook
            else:
                raise CsiInputError(
                    f"item {item!r} (node {leaf.id!r}) has no scale: the indicator system "
                    f"takes it from the codebook, and the codebook of {survey.source!r} "
                    + ("gives no min and max for it" if info is not None else "has no entry for it")
                )
            if leaf.reverse and info is not None and info.reverse:
                raise CsiInputError(
                    f"item {item!r} would be reverse-coded twice: {entry} has reverse: true "
                    "(read_survey already recoded it, x' = min + max - x) and the "
                    f"indicator-system node {leaf.id!r} has reverse: true; keep one of them"
                )
            plan[leaf.id] = (sc, leaf.reverse)
        return plan

    @property
    def needs_data(self) -> bool:
        """True if some node's weights come from the data (entropy, CRITIC, CV, PLS)."""

        def objective(spec: Mapping[str, Any]) -> bool:
            m = spec.get("method", "equal")
            if m == "combined":
                return any(objective(s) for s in spec["sources"])
            return m in ("entropy", "critic", "cv")

        return any(objective(n.weights) for n, _, _ in self.root.walk() if not n.is_leaf)

    # ------------------------------------------------------------------ data
    def leaf_scores(self, data: RespondentData) -> pd.DataFrame:
        """0-100 score of each leaf per respondent (columns = leaf ids).

        ``data``: a DataFrame, or a Survey (every respondent read; see :mod:`csi.indicators`).
        Declared missing codes become NaN; any other answer outside the item's scale is
        an error naming the item, row and value. Never modifies ``data``.
        """
        frame, survey = _respondent_data(data)
        _check_public(survey, self.items, what="item")
        check_columns(frame, self.items, what="item")
        check_numeric(frame, self.items)
        plan = self._leaf_plan(survey)
        out = {}
        for leaf in self.leaves:
            assert leaf.item is not None
            x = pd.to_numeric(frame[leaf.item]).astype(float)
            if self.missing_codes:
                x = x.mask(x.isin(self.missing_codes))
            sc, reverse = plan[leaf.id]
            sc.check(x, name=leaf.item)
            s = sc.to_100(x)
            out[leaf.id] = 100.0 - s if reverse else s
        return pd.DataFrame(out, index=frame.index)

    def screen(
        self,
        data: RespondentData,
        *,
        duplicate_threshold: float = 0.9,
        weak_threshold: float = 0.3,
        lang: str = "en",
    ) -> pd.DataFrame:
        """Screening of the leaves (see :func:`screen_indicators`), on 0-100 scores."""
        scores = self.leaf_scores(data)
        scores.columns = self.items
        return screen_indicators(
            scores,
            self.items,
            duplicate_threshold=duplicate_threshold,
            weak_threshold=weak_threshold,
            lang=lang,
        )

    def fit(
        self, data: RespondentData | None = None, *, pls_weights: pd.DataFrame | None = None
    ) -> FittedIndicatorSystem:
        """Weights of every node (bottom-up, so objective weights of an inner node can use
        its children's scores). ``data`` (DataFrame or Survey) is needed for entropy /
        CRITIC / CV weights, computed on the respondents complete on the node's children
        (the count dropped is in ``notes``); ``pls_weights`` (columns construct,
        indicator, estimate) for ``pls`` weights.

        Examples
        --------
        Global weight of a leaf = product of the local weights down its path
        (q1: 0.5 x 0.75):

        >>> from csi import IndicatorSystem
        >>> system = IndicatorSystem.from_dict({"scale": {"min": 1, "max": 5}, "children": [
        ...     {"id": "product", "weights": {"method": "given", "values": {"q1": 3, "q2": 1}},
        ...      "children": [{"id": "q1", "item": "q1"}, {"id": "q2", "item": "q2"}]},
        ...     {"id": "service", "item": "q3"}]})
        >>> system.fit().global_weights.to_dict()
        {'q1': 0.375, 'q2': 0.125, 'q3': 0.5}
        """
        leaf = self.leaf_scores(data) if data is not None else None
        local: dict[str, pd.Series] = {}
        details: dict[str, Any] = {}
        notes: list[str] = []
        node_scores: dict[str, pd.Series] = {}

        def visit(node: IndicatorNode) -> None:
            for c in node.children:
                if not c.is_leaf:
                    visit(c)
            spec = node.weights or {"method": "equal"}
            child_ids = [c.id for c in node.children]
            child_scores = None
            if leaf is not None:
                child_scores = pd.DataFrame(
                    {c.id: (leaf[c.id] if c.is_leaf else node_scores[c.id]) for c in node.children}
                )
            w, det = _node_weights(node, spec, child_ids, child_scores, pls_weights, notes)
            local[node.id] = w
            details[node.id] = det
            if child_scores is not None:
                node_scores[node.id] = _weighted_score(child_scores, w)

        visit(self.root)
        return FittedIndicatorSystem(
            system=self, local_weights=local, details=details, notes=tuple(notes)
        )

    def to_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """Hierarchy with local/global weights and ranks (needs no data unless some
        node's weights come from the data; then call ``fit(data).to_frame()``)."""
        if self.needs_data:
            raise CsiInputError(
                "some weights come from the data (entropy, CRITIC or CV): use "
                "system.fit(data).to_frame()"
            )
        return self.fit().to_frame(lang=lang)
