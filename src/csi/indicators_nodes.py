"""Indicator-system hierarchy: nodes built from a dict or YAML mapping, and checked.

A node has an id, a bilingual name, children (none for a leaf, which asks a survey
item), a scale, a reverse flag and the spec of its children's weights; see
:mod:`csi.indicators` for the keys and weighting methods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from csi._checks import CsiInputError
from csi.i18n import check_lang, phrases
from csi.scales import scale_bounds

__all__ = ["METHODS", "IndicatorNode"]

METHODS = ("equal", "given", "ahp", "entropy", "critic", "cv", "combined", "pls")


def _fmt_scale(sc: tuple[float, float]) -> str:
    return "-".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in sc)


def _level_name(depth: int, lang: str) -> str:
    named = phrases("indicators.level", lang)
    return named.get(str(depth), named["n"].format(depth=depth))


@dataclass(frozen=True)
class IndicatorNode:
    """One node: ``id``, bilingual name, ``children`` (empty for a leaf), the survey
    ``item`` of a leaf, its ``scale`` (min, max) and ``reverse`` flag, and the
    ``weights`` spec for the children (a dict, see :mod:`csi.indicators`)."""

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
        return {"en": self.name_en, "zh": self.name_zh}[check_lang(lang)]

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
    """A node's ``scale`` ({min, max} or [min, max]) as ``(min, max)``; None when absent."""
    return None if v is None else scale_bounds(v, name=f"{where}: scale")


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
