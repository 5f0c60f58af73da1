"""Higher-order constructs in lavaan-like model text, and the models that estimate them.

A higher-order construct (HOC) is a ``=~`` or ``<~`` statement whose right-hand
names are all constructs of the model (its *dimensions*, the lower-order
constructs), e.g. ``Quality =~ Product + Service``. ``=~`` makes a reflective
higher-order block (mode A), ``<~`` a formative one (mode B). Only two levels are
supported: a dimension is measured by items, and belongs to one HOC.

From one :class:`HigherOrderModel` this module builds the three plain models of the
estimation approaches (Lohmöller 1989; Becker, Klein & Wetzels 2012, *Long Range
Planning* 45(5-6), 359-394; Sarstedt, Hair, Cheah, Becker & Ringle 2019,
*Australasian Marketing Journal* 27(3), 197-211):

* :meth:`~HigherOrderModel.repeated_spec` (repeated indicators): the HOC is measured
  by all items of its dimensions, repeated under the names ``item@HOC``; paths
  HOC -> dimension (``=~``) or dimension -> HOC (``<~``) are added.
* :meth:`~HigherOrderModel.disjoint_spec` (stage one of the disjoint two-stage
  approach): the HOC is left out and each path into or out of it goes into or out
  of each of its dimensions.
* :meth:`~HigherOrderModel.stage_two_spec` (stage two of both two-stage
  approaches): the HOC is measured by its dimensions' scores (columns named after
  the dimensions); the dimensions are no constructs of this model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from csi._checks import CsiInputError
from csi.spec import ModelSpec, ModelSpecError

__all__ = [
    "REPEAT_MARK",
    "HigherOrder",
    "HigherOrderModel",
    "has_higher_order",
    "parse_higher_order",
]

#: Repeated indicators are named ``item + REPEAT_MARK + HOC``, e.g. ``pq1@Quality``.
REPEAT_MARK = "@"

_NAME = r"[^\s=~<+*;#]+"
_STATEMENT = re.compile(rf"\s*({_NAME})\s*(=~|<~|~~|~)\s*(.+)")


@dataclass(frozen=True)
class HigherOrder:
    """One higher-order construct: its ``name``, ``dimensions`` and ``mode`` (A or B)."""

    name: str
    dimensions: tuple[str, ...]
    mode: str


@dataclass(frozen=True)
class HigherOrderModel:
    """A model with higher-order constructs, read by :func:`parse_higher_order`.

    ``indicators`` and ``modes`` hold the first-order constructs (those measured by
    items, the dimensions included), in the order of the text; ``hocs`` the
    higher-order constructs; ``paths`` the structural paths as written (the HOCs
    among their ends); ``order`` every construct in order of first appearance.
    """

    indicators: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    hocs: tuple[HigherOrder, ...]
    paths: tuple[tuple[str, str], ...]
    covariances: tuple[tuple[str, str], ...]
    order: tuple[str, ...]
    _specs: dict[str, ModelSpec] = field(default_factory=dict, repr=False, compare=False)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """All dimensions, HOC by HOC."""
        return tuple(d for h in self.hocs for d in h.dimensions)

    @property
    def items(self) -> tuple[str, ...]:
        """The observed items (of the first-order constructs), each once."""
        return tuple(i for c in self.indicators for i in self.indicators[c])

    def hoc(self, name: str) -> HigherOrder:
        """The HOC called ``name``."""
        for h in self.hocs:
            if h.name == name:
                return h
        raise KeyError(name)

    def repeated_items(self) -> dict[str, str]:
        """Repeated indicator name -> original item, e.g. ``pq1@Quality -> pq1``."""
        return {
            f"{i}{REPEAT_MARK}{h.name}": i
            for h in self.hocs
            for d in h.dimensions
            for i in self.indicators[d]
        }

    def repeated_spec(self) -> ModelSpec:
        """The repeated-indicators model (also stage one of the embedded approach)."""
        if "repeated_spec" not in self._specs:
            self._specs["repeated_spec"] = self._repeated_spec()
        return self._specs["repeated_spec"]

    def _repeated_spec(self) -> ModelSpec:
        hoc_of = {h.name: h for h in self.hocs}
        indicators: dict[str, tuple[str, ...]] = {}
        modes: dict[str, str] = {}
        for c in self.order:
            if c in hoc_of:
                h = hoc_of[c]
                indicators[c] = tuple(
                    f"{i}{REPEAT_MARK}{c}" for d in h.dimensions for i in self.indicators[d]
                )
                modes[c] = h.mode
            else:
                indicators[c] = self.indicators[c]
                modes[c] = self.modes[c]
        paths = list(self.paths)
        for h in self.hocs:
            for d in h.dimensions:
                paths.append((h.name, d) if h.mode == "A" else (d, h.name))
        return ModelSpec(indicators=indicators, paths=tuple(paths), modes=modes)

    def disjoint_spec(self) -> ModelSpec:
        """Stage one of the disjoint approach: each HOC replaced by its dimensions."""
        if "disjoint_spec" not in self._specs:
            self._specs["disjoint_spec"] = self._disjoint_spec()
        return self._specs["disjoint_spec"]

    def _disjoint_spec(self) -> ModelSpec:
        hoc_of = {h.name: h.dimensions for h in self.hocs}
        paths: list[tuple[str, str]] = []
        for s, t in self.paths:
            for s1 in hoc_of.get(s, (s,)):
                for t1 in hoc_of.get(t, (t,)):
                    paths.append((s1, t1))
        constructs = [c for c in self.order if c not in hoc_of]
        return ModelSpec(
            indicators={c: self.indicators[c] for c in constructs},
            paths=tuple(paths),
            modes={c: self.modes[c] for c in constructs},
        )

    def stage_two_spec(self) -> ModelSpec:
        """Stage two: each HOC measured by its dimensions' scores; dimensions dropped."""
        if "stage_two_spec" not in self._specs:
            self._specs["stage_two_spec"] = self._stage_two_spec()
        return self._specs["stage_two_spec"]

    def _stage_two_spec(self) -> ModelSpec:
        hoc_of = {h.name: h for h in self.hocs}
        dims = set(self.dimensions)
        indicators: dict[str, tuple[str, ...]] = {}
        modes: dict[str, str] = {}
        for c in self.order:
            if c in dims:
                continue
            if c in hoc_of:
                indicators[c] = hoc_of[c].dimensions
                modes[c] = hoc_of[c].mode
            else:
                indicators[c] = self.indicators[c]
                modes[c] = self.modes[c]
        return ModelSpec(indicators=indicators, paths=self.paths, modes=modes)


def _statements(text: str) -> list[str]:
    return [
        s.strip()
        for line in text.splitlines()
        for s in line.split("#", 1)[0].split(";")
        if s.strip()
    ]


def _read(text: str) -> list[tuple[str, str, list[str]]]:
    out = []
    for number, stmt in enumerate(_statements(text), start=1):
        match = _STATEMENT.fullmatch(stmt)
        if not match:
            raise ModelSpecError(f"statement {number} is not lavaan syntax: {stmt!r}")
        lhs, op, rhs = match.groups()
        out.append((lhs, op, [t.strip() for t in rhs.split("+")]))
    return out


def has_higher_order(model: Any) -> bool:
    """True when ``model`` is lavaan text with a higher-order construct.

    A higher-order construct is a ``=~`` / ``<~`` statement whose right-hand names
    are all constructs of the model. A :class:`csi.ModelSpec` never has one.
    """
    if not isinstance(model, str):
        return False
    try:
        statements = _read(model)
    except ModelSpecError:
        return False
    constructs = {lhs for lhs, op, _ in statements if op in ("=~", "<~")}
    return any(
        op in ("=~", "<~") and all(t in constructs for t in terms) for _, op, terms in statements
    )


def parse_higher_order(text: str) -> HigherOrderModel:
    """Read lavaan-like model text with higher-order constructs (cached per text).

    Raises :class:`csi.spec.ModelSpecError` naming the token for: a higher-order
    statement mixing constructs and items, a HOC of one dimension, a dimension in
    two HOCs, a HOC of HOCs (a cycle or a third level), a structural path or
    covariance to a dimension, an interaction term, or no HOC at all.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"a model with higher-order constructs is lavaan text, got {type(text).__name__}"
        )
    return _parse(text)


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> HigherOrderModel:
    statements = _read(text)
    if not statements:
        raise ModelSpecError("the model text is empty")
    measured = {lhs for lhs, op, _ in statements if op in ("=~", "<~")}
    blocks: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    paths: list[tuple[str, str]] = []
    covs: list[tuple[str, str]] = []
    order: list[str] = []

    def seen(name: str) -> None:
        if name not in order:
            order.append(name)

    for lhs, op, terms in statements:
        for term in terms:
            if ":" in term or "*" in term:
                raise ModelSpecError(
                    f"term {term!r} of {lhs!r}: interaction terms and labels cannot be "
                    "combined with higher-order constructs"
                )
            if not re.fullmatch(_NAME, term):
                raise ModelSpecError(f"statement of {lhs!r}: cannot read the term {term!r}")
        if op in ("=~", "<~"):
            seen(lhs)
            mode = "A" if op == "=~" else "B"
            if lhs in modes and modes[lhs] != mode:
                raise ModelSpecError(f"construct {lhs!r} is given both with =~ and <~")
            modes[lhs] = mode
            blocks.setdefault(lhs, []).extend(terms)
        elif op == "~":
            for t in terms:
                paths.append((t, lhs))
        else:
            covs.extend((lhs, t) for t in terms)
    for lhs, op, terms in statements:
        if op == "~":
            seen(lhs)
            for t in terms:
                seen(t)

    hocs: list[HigherOrder] = []
    owner: dict[str, str] = {}
    for c, terms in blocks.items():
        inner = [t for t in terms if t in measured]
        if not inner:
            continue
        items = [t for t in terms if t not in measured]
        if items:
            raise ModelSpecError(
                f"higher-order construct {c!r}: {items[0]!r} is not a construct of the "
                f"model (the dimensions of a higher-order construct are constructs; "
                f"constructs are {sorted(measured)})"
            )
        if len(set(inner)) < 2:
            raise ModelSpecError(
                f"higher-order construct {c!r} has one dimension ({inner[0]!r}); it needs "
                "at least two"
            )
        if len(set(inner)) < len(inner):
            dup = next(t for t in inner if inner.count(t) > 1)
            raise ModelSpecError(f"higher-order construct {c!r} lists {dup!r} twice")
        for d in inner:
            if d in owner:
                raise ModelSpecError(
                    f"dimension {d!r} belongs to two higher-order constructs: "
                    f"{owner[d]!r} and {c!r}"
                )
            owner[d] = c
        hocs.append(HigherOrder(c, tuple(inner), modes[c]))
    if not hocs:
        raise ModelSpecError(
            "the model has no higher-order construct (a =~ or <~ statement whose "
            "right-hand names are all constructs); fit it with csi.fit_pls"
        )
    hoc_names = {h.name for h in hocs}
    for h in hocs:
        nested = [d for d in h.dimensions if d in hoc_names]
        if nested:
            chain = _chain(h.name, owner)
            if chain:
                raise ModelSpecError("higher-order constructs form a cycle: " + " -> ".join(chain))
            raise ModelSpecError(
                f"dimension {nested[0]!r} of {h.name!r} is itself a higher-order "
                "construct: only two levels (items -> dimensions -> HOC) are supported"
            )
    for s, t in paths:
        for end in (s, t):
            if end in owner:
                raise ModelSpecError(
                    f"path {s} -> {t}: {end!r} is a dimension of {owner[end]!r}; relate "
                    f"{owner[end]!r} to other constructs instead"
                )
            if end not in measured:
                raise ModelSpecError(
                    f"path {s} -> {t} refers to unknown construct {end!r}; constructs "
                    f"are {sorted(measured)}"
                )
    for a, b in covs:
        for end in (a, b):
            if end in owner or end in hoc_names:
                raise ModelSpecError(
                    f"covariance {a} ~~ {b}: {end!r} is part of a higher-order construct; "
                    "covariances are not used by PLS"
                )
    first = {c: tuple(blocks[c]) for c in order if c in blocks and c not in hoc_names}
    return HigherOrderModel(
        indicators=first,
        modes={c: modes[c] for c in first},
        hocs=tuple(hocs),
        paths=tuple(paths),
        covariances=tuple(covs),
        order=tuple(order),
    )


def _chain(start: str, owner: dict[str, str]) -> list[str] | None:
    """The cycle of 'is a dimension of' links through ``start``, if any."""
    walk = [start]
    node = start
    while node in owner:
        node = owner[node]
        if node == start:
            return [*walk, start]
        if node in walk:
            return None
        walk.append(node)
    return None


def check_columns_free(columns: Any, names: list[str]) -> None:
    """Raise when the data already has a column the procedure must add."""
    taken = [n for n in names if n in set(columns)]
    if taken:
        raise CsiInputError(
            f"data already has a column {taken[0]!r}, a name the higher-order estimation "
            "adds (a dimension's scores or a repeated indicator); rename that column"
        )
