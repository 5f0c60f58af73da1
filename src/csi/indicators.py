"""Indicator systems (指标体系): a weighted hierarchy of survey items, scored 0-100.

The handbooks' procedure: list the factors, survey, build the factor system,
screen the indicators (drop repeated, near-duplicate and weak ones), weight and
rank them, and finish the system with the indicators of each level ordered by
weight. In csi::

    system = IndicatorSystem.from_yaml("data/samples/indicator_system.yaml")
    system.screen(data)                    # flags with reasons; nothing is dropped
    fitted = system.fit(data)              # weights of every node
    fitted.to_frame()                      # hierarchy, local/global weights, ranks
    scores = fitted.score(data, by="region")  # 0-100 per respondent, segment, overall
    fitted.fuzzy(data)                     # fuzzy comprehensive evaluation

Hierarchy: the root is the overall index; its children are level-1 indicators
(一级指标), theirs level 2 (二级), then level 3 (三级), ... Leaves are survey items.

Weights per node (``weights:`` of the node; they weigh the node's children):

* ``equal`` (default), ``given`` (``values: {child: value}``, rescaled to sum 1);
* ``ahp``: ``judgments`` (``"a vs b: 3"``) or ``matrix``, or ``experts``
  (``{name: {weight, judgments}}``) aggregated by ``aggregation: aij|aip``;
  options ``random_index``, ``threshold``, ``ahp_method`` (eigenvector | geometric);
* ``entropy`` / ``critic`` / ``cv``: from the data, computed on the children's
  0-100 scores (a leaf's rescaled answers; an inner node's own score), on the
  respondents complete on those children; options as in
  :func:`csi.weighting.entropy_weights` (e.g. ``normalisation``, ``zeros``);
* ``combined``: ``sources`` (a list of the specs above), ``combine``
  (linear | multiplicative | game), ``alpha``;
* ``pls``: the PLS outer weights of ``construct`` (pass ``pls_weights`` to ``fit``).

Data: every method that takes respondents accepts a DataFrame or a
:class:`csi.survey.Survey`. From a Survey it reads every respondent read
(:meth:`~csi.survey.Survey.all_responses`, before the survey's missing-data
policy) without the id, personal and free-text columns; an item the codebook marks
``reverse: true`` is already recoded, so a node that also says ``reverse: true`` is
an error (reverse coding happens once); scale end points declared by the system must
agree with the codebook's, and ``scale: codebook`` (at the root) takes each item's
end points from the codebook.

Scoring: each answer is rescaled with its item's end points,
``(x - min) / (max - min) * 100`` (``100 - that`` for ``reverse: true`` items);
a node's score is the weighted mean of its children's scores. When a respondent
lacks some children, the available ones are used with their weights rescaled
to sum 1 (the respondent is counted in ``n_incomplete``); with none available
the node score is missing (counted in ``n_unscored`` for the root). Scores are
read on the seven-level satisfaction scale (:func:`csi.scales.classify`). Every
score table has an ``n`` column: the respondents scored at that node.
"""

from __future__ import annotations

import dataclasses
import html
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import yaml

from csi._checks import CsiInputError, check_choice, check_columns, check_frame, check_numeric
from csi.codebook import ItemInfo
from csi.fuzzy import FuzzyResult, fuzzy_hierarchy, membership_matrix
from csi.scales import RatingScale, classify, level_distribution, level_label
from csi.survey import Survey
from csi.weighting.ahp import AHPResult, GroupAHPResult, ahp_group, ahp_weights
from csi.weighting.combine import CombinedWeights, combine_weights, weights_from_pls
from csi.weighting.objective import critic_weights, cv_weights, entropy_weights

__all__ = [
    "FittedIndicatorSystem",
    "IndicatorNode",
    "IndicatorScores",
    "IndicatorSystem",
    "screen_indicators",
]

METHODS = ("equal", "given", "ahp", "entropy", "critic", "cv", "combined", "pls")
_LEVEL_ZH = {0: "总指标", 1: "一级指标", 2: "二级指标", 3: "三级指标", 4: "四级指标"}


RespondentData = pd.DataFrame | Survey
"""Respondent data: a DataFrame (one row per respondent) or a :class:`Survey`."""


def _respondent_data(data: Any) -> tuple[pd.DataFrame, Survey | None]:
    """(frame, survey): a Survey's respondents without private columns, or the checked frame."""
    if isinstance(data, Survey):
        return data.public_data(all_respondents=True), data
    return check_frame(data), None


def _check_public(survey: Survey | None, columns: Sequence[str], *, what: str) -> None:
    """Raise if a column is the survey's id, a personal or a free-text column."""
    if survey is None:
        return
    cb = survey.codebook
    for c in columns:
        role = (
            "private (personal) column"
            if c in cb.private
            else "free-text column"
            if c in cb.free_text
            else "respondent id column"
            if c == cb.id
            else None
        )
        if role is not None:
            raise CsiInputError(
                f"{what} {c!r} is the survey's {role} (codebook of {survey.source!r}); "
                "it never reaches a result"
            )


def _codebook_entry(survey: Survey | None, item: str) -> tuple[ItemInfo | None, str]:
    """(ItemInfo or None, where it is declared) of ``item`` in the survey's codebook."""
    if survey is None:
        return None, ""
    cb = survey.codebook
    section = "items" if item in cb.items else "extras" if item in cb.extra_items else None
    if section is None:
        return None, ""
    return cb.item(item), f"the codebook entry {section}: {item} (survey {survey.source!r})"


def _fmt_scale(sc: tuple[float, float]) -> str:
    return "-".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in sc)


def _level_name(depth: int, lang: str) -> str:
    if lang == "zh":
        return _LEVEL_ZH.get(depth, f"{depth}级指标")
    return "overall" if depth == 0 else f"level {depth}"


@dataclass(frozen=True)
class IndicatorNode:
    """One node: ``id``, bilingual name, ``children`` (empty for a leaf), the survey
    ``item`` of a leaf, its ``scale`` (min, max) and ``reverse`` flag, and the
    ``weights`` spec for the children (a dict, see the module notes)."""

    id: str
    name_zh: str
    name_en: str
    children: tuple[IndicatorNode, ...] = ()
    item: str | None = None
    scale: tuple[float, float] | None = None
    reverse: bool = False
    weights: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def name(self, lang: str = "en") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def walk(
        self, depth: int = 0, parent: str | None = None
    ) -> Iterator[tuple[IndicatorNode, int, str | None]]:
        yield self, depth, parent
        for c in self.children:
            yield from c.walk(depth + 1, self.id)


def _names(d: Mapping[str, Any], fallback: str) -> tuple[str, str]:
    name = d.get("name", fallback)
    if isinstance(name, Mapping):
        zh = str(name.get("zh", name.get("en", fallback)))
        en = str(name.get("en", name.get("zh", fallback)))
        return zh, en
    return str(d.get("name_zh", name)), str(d.get("name_en", name))


def _scale(v: Any, where: str) -> tuple[float, float] | None:
    if v is None:
        return None
    if isinstance(v, Mapping):
        lo, hi = v.get("min"), v.get("max")
    elif isinstance(v, Sequence) and len(v) == 2:
        lo, hi = v
    else:
        raise CsiInputError(f"{where}: scale must be {{min, max}} or [min, max], got {v!r}")
    try:
        sc = RatingScale(min=float(lo), max=float(hi))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CsiInputError(f"{where}: scale end points must be numbers, got {v!r}") from None
    assert sc.max is not None
    return (sc.min, sc.max)


def _node(d: Any, where: str, _open: tuple[int, ...] = ()) -> IndicatorNode:
    """Build a node; ``_open`` holds the mappings and lists being built above it, so a
    YAML alias that refers back to an enclosing node (a cycle) is an error, not a
    ``RecursionError``."""
    if id(d) in _open:
        raise CsiInputError(
            f"{where}: this node contains itself (a YAML alias such as '*name' refers back "
            "to an enclosing node); a hierarchy cannot repeat itself"
        )
    if isinstance(d, str):
        d = {"id": d, "item": d}
    if not isinstance(d, Mapping):
        raise CsiInputError(f"{where}: a node must be a mapping, got {d!r}")
    known = {"id", "name", "name_zh", "name_en", "children", "item", "scale", "reverse", "weights"}
    unknown = sorted(set(d) - known)
    if unknown:
        raise CsiInputError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    node_id = d.get("id", d.get("item"))
    if node_id is None:
        raise CsiInputError(f"{where}: node has no id (or item)")
    node_id = str(node_id)
    where = f"{where} {node_id!r}"
    children_raw = d.get("children") or []
    if id(children_raw) in _open:
        raise CsiInputError(
            f"{where}: its children contain the node itself (a YAML alias such as '*name' "
            "refers back to an enclosing list); a hierarchy cannot repeat itself"
        )
    inside = (*_open, id(d), id(children_raw))
    children = tuple(
        _node(c, f"{where} > child {k + 1}", inside) for k, c in enumerate(children_raw)
    )
    item = d.get("item")
    if children and item is not None:
        raise CsiInputError(f"{where}: a node with children cannot also be the item {item!r}")
    if not children:
        item = str(item if item is not None else node_id)
    weights = dict(d.get("weights") or {})
    if weights:
        if children:
            _check_spec(weights, where, [c.id for c in children])
        else:
            raise CsiInputError(f"{where}: a leaf has no children to weigh (remove 'weights')")
    zh, en = _names(d, node_id)
    return IndicatorNode(
        id=node_id,
        name_zh=zh,
        name_en=en,
        children=children,
        item=item,
        scale=_scale(d.get("scale"), where),
        reverse=bool(d.get("reverse", False)),
        weights=weights,
    )


def _check_spec(spec: Mapping[str, Any], where: str, children: list[str]) -> None:
    method = spec.get("method", "equal")
    if method not in METHODS:
        raise CsiInputError(
            f"{where}: weights method must be one of {list(METHODS)}, got {method!r}"
        )
    if method == "given":
        values = spec.get("values")
        if not isinstance(values, Mapping):
            raise CsiInputError(f"{where}: 'given' weights need values: {{child: weight}}")
        if set(map(str, values)) != set(children):
            raise CsiInputError(
                f"{where}: given weights name {sorted(map(str, values))} but the children are "
                f"{sorted(children)}"
            )
    if method == "ahp" and not any(k in spec for k in ("judgments", "matrix", "experts")):
        raise CsiInputError(f"{where}: 'ahp' weights need judgments, matrix or experts")
    if method == "combined":
        sources = spec.get("sources")
        if not isinstance(sources, Sequence) or len(sources) < 2:
            raise CsiInputError(f"{where}: 'combined' weights need at least 2 sources")
        for k, s in enumerate(sources):
            if not isinstance(s, Mapping):
                raise CsiInputError(f"{where}: combined source {k + 1} must be a mapping")
            if s.get("method") in ("combined", None):
                raise CsiInputError(
                    f"{where}: combined source {k + 1} needs a method (not 'combined')"
                )
            _check_spec(s, f"{where} source {k + 1}", children)
    if method == "pls" and "construct" not in spec:
        raise CsiInputError(f"{where}: 'pls' weights need the construct name")


@dataclass(frozen=True)
class IndicatorSystem:
    """A hierarchy of indicators with survey items as leaves (see the module notes)."""

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
        return RatingScale(min=sc[0], max=sc[1])

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
                cb_scale = (float(info.min), float(info.max))
                if declared is not None and tuple(map(float, declared)) != cb_scale:
                    raise CsiInputError(
                        f"item {item!r} has two different scales: {entry} says "
                        f"{_fmt_scale(cb_scale)} and {where} says {_fmt_scale(declared)}; "
                        "remove one (or use 'scale: codebook' in the indicator system)"
                    )
                sc = RatingScale(min=cb_scale[0], max=cb_scale[1])
            elif declared is not None:
                sc = RatingScale(min=declared[0], max=declared[1])
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

        ``data``: a DataFrame, or a Survey (every respondent read; see the module notes).
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


def _weighted_score(child_scores: pd.DataFrame, w: pd.Series) -> pd.Series:
    s = child_scores[list(w.index)].to_numpy(dtype=float)
    wv = w.to_numpy(dtype=float)
    avail = np.isfinite(s)
    wsum = (avail * wv).sum(axis=1)
    num = np.where(avail, s, 0.0) @ wv
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(wsum > 0, num / np.where(wsum > 0, wsum, 1.0), np.nan)
    return pd.Series(out, index=child_scores.index)


def _node_weights(
    node: IndicatorNode,
    spec: Mapping[str, Any],
    child_ids: list[str],
    child_scores: pd.DataFrame | None,
    pls_weights: pd.DataFrame | None,
    notes: list[str],
) -> tuple[pd.Series, Any]:
    method = spec.get("method", "equal")
    where = f"node {node.id!r}"
    if len(child_ids) == 1:
        return pd.Series([1.0], index=child_ids, name="weight"), None
    if method == "equal":
        return pd.Series(1 / len(child_ids), index=child_ids, name="weight"), None
    if method == "given":
        values = {str(k): float(v) for k, v in spec["values"].items()}
        s = pd.Series(values).loc[child_ids]
        if (~np.isfinite(s) | (s < 0)).any() or s.sum() <= 0:
            raise CsiInputError(f"{where}: given weights must be >= 0 and not all 0, got {values}")
        return (s / s.sum()).rename("weight"), None
    if method == "ahp":
        opts = {k: spec[k] for k in ("random_index", "threshold") if k in spec}
        if "ahp_method" in spec:
            opts["method"] = spec["ahp_method"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if "experts" in spec:
                experts = spec["experts"]
                if not isinstance(experts, Mapping) or not experts:
                    raise CsiInputError(f"{where}: experts must map names to judgments")
                mats = {}
                ew = {}
                for name, e in experts.items():
                    if isinstance(e, Mapping):
                        mats[str(name)] = e.get("judgments", e.get("matrix"))
                        ew[str(name)] = float(e.get("weight", 1.0))
                    else:
                        mats[str(name)] = e
                        ew[str(name)] = 1.0
                res: AHPResult | GroupAHPResult = ahp_group(
                    mats,
                    expert_weights=ew,
                    aggregation=spec.get("aggregation", "aij"),
                    items=child_ids,
                    **opts,
                )
            else:
                m = spec.get("judgments", spec.get("matrix"))
                res = ahp_weights(m, items=child_ids, **opts)
        for wmsg in caught:
            notes.append(f"{where}: {wmsg.message}")
        return res.weights.loc[child_ids].rename("weight"), res
    if method in ("entropy", "critic", "cv"):
        if child_scores is None:
            raise CsiInputError(f"{where}: {method} weights come from the data; pass data to fit()")
        opts = {k: v for k, v in spec.items() if k != "method"}
        f = {"entropy": entropy_weights, "critic": critic_weights, "cv": cv_weights}[method]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = f(child_scores[child_ids], missing="drop", **opts)
        for wmsg in caught:
            notes.append(f"{where}: {wmsg.message}")
        return w.loc[child_ids].rename("weight"), w.attrs
    if method == "pls":
        if pls_weights is None:
            raise CsiInputError(f"{where}: 'pls' weights need fit(..., pls_weights=outer_weights)")
        w = weights_from_pls(pls_weights, construct=str(spec["construct"]))
        lookup = {c.id: (c.item if c.is_leaf else c.id) for c in node.children}
        absent = [c for c, it in lookup.items() if it not in w.index]
        if absent:
            raise CsiInputError(
                f"{where}: no PLS outer weight for {absent} in construct {spec['construct']!r}"
            )
        s = pd.Series({c: float(w[it]) for c, it in lookup.items()})
        return (s / s.sum()).rename("weight"), None
    # combined
    parts = {}
    for k, src in enumerate(spec["sources"]):
        w, _ = _node_weights(node, src, child_ids, child_scores, pls_weights, notes)
        parts[f"{src['method']}" if src["method"] not in parts else f"{src['method']}{k + 1}"] = w
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comb: CombinedWeights = combine_weights(
            parts, method=spec.get("combine", "linear"), alpha=spec.get("alpha")
        )
    for wmsg in caught:
        notes.append(f"{where}: {wmsg.message}")
    return comb.weights.loc[child_ids].rename("weight"), comb


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
        check_choice(lang, ["en", "zh"], name="lang")
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
        check_choice(lang, ["en", "zh"], name="lang")
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

    def summary(self, *, lang: str = "en") -> str:
        f = self.to_frame(lang=lang)
        lines = [f"Indicator system '{self.system.root.name(lang)}'", "-" * 60]
        for r in f.to_dict("records"):
            lines.append(
                f"{'  ' * (int(r['depth']) - 1)}{r['name']} [{r['node']}]  local "
                f"{float(r['local_weight']):.4f}  global {float(r['global_weight']):.4f}"
            )
        if any(isinstance(d, AHPResult | GroupAHPResult) for d in self.details.values()):
            lines.append(f"hierarchy CR (AHP nodes): {self.consistency_ratio:.4f}")
        lines += [f"note: {t}" for t in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


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

    def summary(self) -> str:
        o = self.overall
        lines = [f"Indicator scores (n = {self.n_respondents})", "-" * 50]
        for r in o.to_dict("records"):
            lines.append(
                f"{'  ' * int(r['depth'])}{r['name']}: {float(r['score']):.1f}  "
                f"({r['label']}, n = {int(r['n'])})"
            )
        lines.append(
            f"incomplete respondents: {self.n_incomplete}; without a score: {self.n_unscored}"
        )
        lines += [f"note: {t}" for t in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


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


def screen_indicators(
    data: RespondentData,
    items: Sequence[str],
    *,
    duplicate_threshold: float = 0.9,
    weak_threshold: float = 0.3,
    lang: str = "en",
) -> pd.DataFrame:
    """Flag near-duplicate and weak items, with reasons; nothing is dropped.

    * near-duplicate: Pearson correlation of two items ``>= duplicate_threshold``
      (pairwise complete answers): one of them adds little (handbooks: drop repeated or
      similar indicators);
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
    check_choice(lang, ["en", "zh"], name="lang")
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
    for a_pos, a in enumerate(items):
        for b in items[a_pos + 1 :]:
            r = corr.loc[a, b]
            if np.isfinite(r) and r >= duplicate_threshold:
                reason = (
                    f"{a} 与 {b} 相关系数 {r:.2f} ≥ {duplicate_threshold:g}，"
                    "内容可能重复，考虑删除其一"
                    if lang == "zh"
                    else f"{a} and {b} correlate {r:.2f} >= {duplicate_threshold:g}: "
                    "near-duplicate, consider keeping one"
                )
                rows.append((a, "near_duplicate", float(r), duplicate_threshold, b, reason))
    complete = x.dropna()
    total = complete.sum(axis=1)
    for c in items:
        if c in const:
            reason = (
                "无变异（所有回答相同）"
                if lang == "zh"
                else "no variance (every answer is the same)"
            )
            rows.append((c, "weak", np.nan, weak_threshold, None, reason))
            continue
        rest = total - complete[c]
        r = (
            float(np.corrcoef(complete[c], rest)[0, 1])
            if len(complete) > 2 and rest.std() > 0
            else np.nan
        )
        if np.isfinite(r) and r < weak_threshold:
            reason = (
                f"{c} 的校正项目-总分相关 {r:.2f} < {weak_threshold:g}，与其他指标关联弱"
                if lang == "zh"
                else f"corrected item-total correlation {r:.2f} < {weak_threshold:g}: {c} hardly "
                "moves with the other items"
            )
            rows.append((c, "weak", r, weak_threshold, None, reason))
    out = pd.DataFrame(rows, columns=["item", "check", "value", "threshold", "other", "reason"])
    out.attrs["n_complete"] = len(complete)
    return out
