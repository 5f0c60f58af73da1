"""Model specification: constructs, their indicators, and the structural paths.

A :class:`ModelSpec` is estimator-neutral: the same spec is fitted by PLS path
modelling (:func:`csi.fit_pls`) and by covariance-based SEM (:func:`csi.fit_sem`).
It reads and writes the lavaan model syntax (Rosseel 2012):

* ``C =~ a + b + c``  reflective construct C measured by items a, b, c (mode A)
* ``C <~ a + b``      formative composite C formed by items a, b (mode B)
* ``T ~ S1 + S2``     structural paths S1 -> T and S2 -> T
* ``T ~ A + B + A:B`` interaction term ``A:B`` (``A:A`` quadratic; ``fit_pls(interaction=)``)
* ``A ~~ B``          a (residual) covariance, kept for covariance-based SEM

Presets: :meth:`ModelSpec.acsi` (the six-construct CSI model of Fornell et al. 1996)
and :meth:`ModelSpec.ecsi` (adds brand image, as in the ECSI model, Eklöf & Westlund 2002).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from csi._checks import CsiInputError
from csi.display import Summary
from csi.i18n import LANGS, check_lang, phrases, text


class ModelSpecError(CsiInputError):
    """An inconsistent model specification (the message names the construct, item or path)."""


#: Role keys of the CSI presets, in causal order.
ACSI_ROLES = ("expectation", "quality", "value", "satisfaction", "complaints", "loyalty")
ECSI_ROLES = ("image", *ACSI_ROLES)

#: Default construct names per role and language.
ROLE_NAMES: dict[str, dict[str, str]] = {lang: phrases("role", lang) for lang in LANGS}

#: The nine ACSI paths (source role, target role).
ACSI_PATHS = (
    ("expectation", "quality"),
    ("expectation", "value"),
    ("expectation", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
    ("satisfaction", "complaints"),
    ("satisfaction", "loyalty"),
    ("complaints", "loyalty"),
)

#: The paths ECSI adds from brand image.
ECSI_IMAGE_PATHS = (
    ("image", "expectation"),
    ("image", "satisfaction"),
    ("image", "loyalty"),
)

_NAME = r"[^\s=~<+*;#]+"

#: Separator of an interaction term's parts: ``Image:Expectation``.
INTERACTION_SEP = ":"


@dataclass(frozen=True, eq=True)
class ModelSpec:
    """Constructs with their indicators, measurement modes and structural paths.

    Parameters
    ----------
    indicators:
        Construct name -> ordered indicator (item) names. Construct order is kept.
    paths:
        Structural paths ``(source, target)``; a source may be a term ``"A:B"`` (interactions).
    modes:
        Construct -> ``"A"`` (reflective, default) or ``"B"`` (formative).
    covariances:
        Extra ``(a, b)`` covariances (lavaan ``~~``), used only by covariance-based SEM.
    """

    indicators: Mapping[str, tuple[str, ...]]
    paths: tuple[tuple[str, str], ...] = ()
    modes: Mapping[str, str] = field(default_factory=dict)
    covariances: tuple[tuple[str, str], ...] = ()

    def __hash__(self) -> int:
        # the mappings are never changed after construction, so a spec can key a cache
        return hash(self._key)

    @cached_property
    def _key(self) -> tuple[Any, ...]:
        return (
            tuple(self.indicators.items()),
            self.paths,
            tuple(self.modes.items()),
            self.covariances,
        )

    @cached_property
    def _predecessors(self) -> dict[str, tuple[str, ...]]:
        sources: dict[str, set[str]] = {c: set() for c in self.indicators}
        for s, t in self.paths:
            sources[t].add(s)
        order = (*self.indicators, *self.interactions)
        return {t: tuple(c for c in order if c in src) for t, src in sources.items()}

    @cached_property
    def interactions(self) -> tuple[str, ...]:
        """Interaction terms ``"A:B"`` (two constructs joined by ``:``; ``"A:A"``:
        quadratic) used as path sources, in path order; parts: :meth:`interaction_parts`."""
        return tuple(dict.fromkeys(s for s, _ in self.paths if s not in self.indicators))

    def interaction_parts(self, term: str) -> tuple[str, str]:
        """The two constructs of an interaction term: ``"Image:Expectation"`` -> both."""
        if term not in self.interactions:
            raise ModelSpecError(
                f"{term!r} is not an interaction term of the model; its interaction terms "
                f"are {list(self.interactions)}"
            )
        return self._parts(term)

    def _parts(self, term: str) -> tuple[str, str]:
        return _split_term(term, self.indicators)  # type: ignore[return-value]

    def main_effects(self) -> ModelSpec:
        """The model without its interaction terms (the first stage of a two-stage fit)."""
        return ModelSpec(
            indicators=self.indicators,
            paths=tuple(p for p in self.paths if p[0] in self.indicators),
            modes=self.modes,
            covariances=self.covariances,
        )

    def __post_init__(self) -> None:
        ind = {str(c): tuple(str(i) for i in items) for c, items in self.indicators.items()}
        object.__setattr__(self, "indicators", ind)
        object.__setattr__(self, "paths", tuple((str(s), str(t)) for s, t in self.paths))
        modes = {c: str(self.modes.get(c, "A")).upper() for c in ind}
        object.__setattr__(self, "modes", modes)
        object.__setattr__(
            self, "covariances", tuple((str(a), str(b)) for a, b in self.covariances)
        )
        self._validate()
        # canonical path order (by target, then source, in construct order, then terms by
        # their parts), so that specs with the same paths compare equal however listed
        pos = {c: k for k, c in enumerate(ind)}
        for term in sorted(
            {s for s, _ in self.paths if s not in ind},
            key=lambda x: tuple(pos[p] for p in _split_term(x, ind) or ()),
        ):
            pos[term] = len(pos)
        object.__setattr__(
            self, "paths", tuple(sorted(self.paths, key=lambda p: (pos[p[1]], pos[p[0]])))
        )
        for name in ("interactions", "_predecessors"):  # recomputed in canonical order
            self.__dict__.pop(name, None)

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        if not self.indicators:
            raise ModelSpecError("the model has no constructs")
        owner: dict[str, str] = {}
        for construct, items in self.indicators.items():
            if not items:
                raise ModelSpecError(f"construct {construct!r} has no indicators")
            for item in items:
                if item in self.indicators:
                    raise ModelSpecError(
                        f"{item!r} is used both as a construct and as an indicator of {construct!r}"
                    )
                if item in owner:
                    raise ModelSpecError(
                        f"indicator {item!r} is used by two constructs: "
                        f"{owner[item]!r} and {construct!r}"
                    )
                owner[item] = construct
        extra = set(self.modes) - set(self.indicators)
        if extra:
            raise ModelSpecError(f"measurement mode given for unknown construct {sorted(extra)}")
        for construct, mode in self.modes.items():
            if mode not in ("A", "B"):
                raise ModelSpecError(
                    f"construct {construct!r}: mode must be 'A' (reflective) or 'B' "
                    f"(formative), got {mode!r}"
                )
        seen: set[tuple[str, str]] = set()
        for source, target in self.paths:
            if target not in self.indicators and _split_term(target, self.indicators):
                raise ModelSpecError(
                    f"path {source} -> {target}: the interaction term {target!r} cannot be an "
                    "outcome; it can only predict a construct (T ~ A + B + A:B)"
                )
            for end in (source, target):
                if end not in self.indicators and not (end == source and INTERACTION_SEP in end):
                    raise ModelSpecError(
                        f"path {source} -> {target} refers to unknown construct {end!r}; "
                        f"constructs are {list(self.indicators)}"
                    )
            if source not in self.indicators:
                self._check_interaction(source, target)
            if source == target:
                raise ModelSpecError(f"path {source} -> {target} points to itself")
            if (source, target) in seen:
                raise ModelSpecError(f"path {source} -> {target} is given twice")
            seen.add((source, target))
        for end in (e for pair in self.covariances for e in pair if e not in self.indicators):
            if INTERACTION_SEP in end:
                raise ModelSpecError(f"covariance with {end!r}: an interaction term only predicts")
        cycle = self._find_cycle()
        if cycle:
            raise ModelSpecError(
                "the structural model has a cycle: "
                + " -> ".join(cycle)
                + " (PLS path modelling and the index need a recursive model)"
            )

    def _check_interaction(self, term: str, target: str) -> None:
        parts = _split_term(term, self.indicators)
        if parts is None:
            unknown = [p for p in term.split(INTERACTION_SEP) if p not in self.indicators]
            raise ModelSpecError(
                f"interaction term {term!r} (path {term} -> {target}): "
                + (
                    f"its parts must be two constructs of the model; {unknown[0]!r} is not one "
                    f"(constructs are {list(self.indicators)})"
                    if unknown
                    else "only two-way terms A:B (and quadratic A:A) are supported"
                )
            )
        if target in parts:
            raise ModelSpecError(
                f"path {term} -> {target}: the interaction term {term!r} would predict its own "
                f"part {target!r} (an interaction cannot be a predictor of itself)"
            )

    def _find_cycle(self) -> list[str] | None:
        succ: dict[str, list[str]] = {c: [] for c in (*self.indicators, *self.interactions)}
        for s, t in self.paths:
            succ[s].append(t)
        for term in self.interactions:  # a term follows from its parts
            for part in dict.fromkeys(self.interaction_parts(term)):
                succ[part].append(term)
        state: dict[str, int] = {}
        stack: list[str] = []

        def visit(node: str) -> list[str] | None:
            state[node] = 1
            stack.append(node)
            for nxt in succ[node]:
                if state.get(nxt) == 1:
                    return [*stack[stack.index(nxt) :], nxt]
                if nxt not in state:
                    found = visit(nxt)
                    if found:
                        return found
            stack.pop()
            state[node] = 2
            return None

        for c in succ:
            if c not in state:
                found = visit(c)
                if found:
                    return found
        return None

    # ------------------------------------------------------------- structure
    @property
    def constructs(self) -> tuple[str, ...]:
        """Construct names in the order they were given."""
        return tuple(self.indicators)

    @property
    def items(self) -> tuple[str, ...]:
        """All indicator names, construct by construct."""
        return tuple(i for items in self.indicators.values() for i in items)

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Constructs that are the target of at least one path."""
        targets = {t for _, t in self.paths}
        return tuple(c for c in self.constructs if c in targets)

    @property
    def exogenous(self) -> tuple[str, ...]:
        """Constructs that no path points to."""
        targets = {t for _, t in self.paths}
        return tuple(c for c in self.constructs if c not in targets)

    def construct_of(self, item: str) -> str:
        """The construct an indicator belongs to."""
        for construct, items in self.indicators.items():
            if item in items:
                return construct
        raise ModelSpecError(f"{item!r} is not an indicator of any construct")

    def predecessors(self, construct: str) -> tuple[str, ...]:
        """Constructs (then interaction terms) with a path into ``construct``, in order."""
        self._check_construct(construct)
        return self._predecessors[construct]

    def successors(self, construct: str) -> tuple[str, ...]:
        """Constructs that ``construct`` has a path into, in construct order."""
        self._check_construct(construct)
        targets = {t for s, t in self.paths if s == construct}
        return tuple(c for c in self.constructs if c in targets)

    def topological_order(self) -> tuple[str, ...]:
        """Constructs ordered so that every path goes from an earlier to a later one."""
        order: list[str] = []
        remaining = list(self.constructs)

        def ready(p: str) -> bool:  # a construct placed, or the parts of an interaction
            return all(q in order for q in (self._parts(p) if p in self.interactions else (p,)))

        while remaining:
            for c in remaining:
                if all(ready(p) for p in self.predecessors(c)):
                    order.append(c)
                    remaining.remove(c)
                    break
        return tuple(order)

    def path_matrix(self) -> pd.DataFrame:
        """0/1 matrix with a 1 in (source, target) for each path."""
        m = pd.DataFrame(0, index=list(self.constructs), columns=list(self.constructs))
        for s, t in self.paths:
            m.loc[s, t] = 1
        m.index.name = "source"
        m.columns.name = "target"
        return m

    def _check_construct(self, construct: str) -> None:
        if construct not in self.indicators:
            raise ModelSpecError(
                f"unknown construct {construct!r}; constructs are {list(self.constructs)}"
            )

    def check_data(self, columns: Iterable[str], *, name: str = "data") -> None:
        """Raise naming every indicator of the model that is not among ``columns``."""
        present = set(columns.tolist() if isinstance(columns, pd.Index) else columns)
        missing = [
            (i, c) for c, items in self.indicators.items() for i in items if i not in present
        ]
        if missing:
            listed = ", ".join(f"{i!r} (construct {c!r})" for i, c in missing)
            raise ModelSpecError(f"indicator(s) missing from {name}: {listed}")

    def rename(self, names: Mapping[str, str]) -> ModelSpec:
        """A copy with constructs renamed by ``names`` (old -> new); others keep their name."""

        def new(c: str) -> str:
            if c not in self.indicators and c in self.interactions:
                return INTERACTION_SEP.join(new(p) for p in self.interaction_parts(c))
            return names.get(c, c)

        return ModelSpec(
            indicators={new(c): items for c, items in self.indicators.items()},
            paths=tuple((new(s), new(t)) for s, t in self.paths),
            modes={new(c): m for c, m in self.modes.items()},
            covariances=tuple((new(a), new(b)) for a, b in self.covariances),
        )

    # --------------------------------------------------------------- lavaan io
    @classmethod
    def from_lavaan(cls, text: str) -> ModelSpec:
        """Read lavaan model syntax (``=~``, ``<~``, ``~``, ``~~``; ``#`` comments).

        Fixed values and labels (``1*x1``, ``a*x1``) belong to covariance-based SEM:
        pass such text to :func:`csi.fit_sem` directly. Interaction terms as in lavaan:
        ``Satisfaction ~ Image + Expectation + Image:Expectation`` (``A:A``: quadratic).

        Examples
        --------
        >>> from csi import ModelSpec
        >>> spec = ModelSpec.from_lavaan('''
        ... Quality =~ q1 + q2
        ... Satisfaction =~ s1 + s2   # reflective (mode A)
        ... Satisfaction ~ Quality
        ... ''')
        >>> spec.constructs, spec.items, spec.paths
        (('Quality', 'Satisfaction'), ('q1', 'q2', 's1', 's2'), (('Quality', 'Satisfaction'),))
        """
        indicators: dict[str, list[str]] = {}
        modes: dict[str, str] = {}
        paths: list[tuple[str, str]] = []
        covs: list[tuple[str, str]] = []
        statements = [
            s.strip()
            for line in str(text).splitlines()
            for s in line.split("#", 1)[0].split(";")
            if s.strip()
        ]
        if not statements:
            raise ModelSpecError("the model text is empty")
        for number, stmt in enumerate(statements, start=1):
            match = re.fullmatch(rf"\s*({_NAME})\s*(=~|<~|~~|~)\s*(.+)", stmt)
            if not match:
                raise ModelSpecError(f"statement {number} is not lavaan syntax: {stmt!r}")
            lhs, op, rhs = match.groups()
            terms = [t.strip() for t in rhs.split("+")]
            for term in terms:
                if "*" in term:
                    colon = re.sub(r"\s*\*\s*", INTERACTION_SEP, term)
                    hint = f" (for an interaction term write {colon})" if op == "~" else ""
                    raise ModelSpecError(
                        f"statement {stmt!r}: fixed values and labels ({term!r}) are not part "
                        "of a ModelSpec; pass the lavaan text to csi.fit_sem directly" + hint
                    )
                if not re.fullmatch(_NAME, term):
                    raise ModelSpecError(f"statement {stmt!r}: cannot read the term {term!r}")
            if op in ("=~", "<~"):
                indicators.setdefault(lhs, []).extend(terms)
                modes[lhs] = "A" if op == "=~" else "B"
            elif op == "~":
                paths.extend((t, lhs) for t in terms)
            else:
                covs.extend((lhs, t) for t in terms)
        return cls(
            indicators={c: tuple(v) for c, v in indicators.items()},
            paths=tuple(paths),
            modes=modes,
            covariances=tuple(covs),
        )

    def to_lavaan(self) -> str:
        """The model in lavaan syntax, one statement per line."""
        lines = [
            f"{c} {'=~' if self.modes[c] == 'A' else '<~'} {' + '.join(items)}"
            for c, items in self.indicators.items()
        ]
        for target in self.constructs:
            sources = self.predecessors(target)
            if sources:
                lines.append(f"{target} ~ {' + '.join(sources)}")
        lines.extend(f"{a} ~~ {b}" for a, b in self.covariances)
        return "\n".join(lines) + "\n"

    @classmethod
    def from_tables(
        cls, measurement: pd.DataFrame | str | Path, structural: pd.DataFrame | str | Path
    ) -> ModelSpec:
        """Build from two tables: ``construct, indicator`` and ``source, target``."""
        meas = pd.read_csv(measurement) if isinstance(measurement, str | Path) else measurement
        struct = pd.read_csv(structural) if isinstance(structural, str | Path) else structural
        for frame, cols, what in (
            (meas, ("construct", "indicator"), "measurement"),
            (struct, ("source", "target"), "structural"),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise ModelSpecError(f"{what} table lacks column(s) {missing}")
        indicators: dict[str, list[str]] = {}
        for construct, item in zip(meas["construct"], meas["indicator"], strict=True):
            indicators.setdefault(str(construct), []).append(str(item))
        paths = tuple(zip(struct["source"].astype(str), struct["target"].astype(str), strict=True))
        return cls(indicators={c: tuple(v) for c, v in indicators.items()}, paths=paths)

    # ----------------------------------------------------------------- presets
    @classmethod
    def acsi(
        cls,
        indicators: Mapping[str, Sequence[str]],
        *,
        names: Mapping[str, str] | None = None,
        lang: str = "en",
        modes: Mapping[str, str] | None = None,
    ) -> ModelSpec:
        """The six-construct CSI (ACSI) model with its nine standard paths.

        ``indicators`` maps the role keys ``expectation, quality, value, satisfaction,
        complaints, loyalty`` to item names. Leave out ``complaints`` for the variant
        without it (its paths are dropped). ``names`` renames constructs (role -> name);
        ``lang="zh"`` uses the Chinese construct names. Reference: Fornell, Johnson,
        Anderson, Cha & Bryant (1996), *Journal of Marketing* 60(4), 7-18.

        Examples
        --------
        >>> from csi import ModelSpec
        >>> spec = ModelSpec.acsi({
        ...     "expectation": ["EXP1", "EXP2"], "quality": ["QUAL1", "QUAL2"],
        ...     "value": ["VAL1"], "satisfaction": ["SAT1", "SAT2"],
        ...     "complaints": ["COMP1"], "loyalty": ["LOY1"],
        ... })
        >>> len(spec.paths), spec.predecessors("Satisfaction")
        (9, ('Expectation', 'Quality', 'Value'))
        >>> spec.successors("Complaints")
        ('Loyalty',)
        """
        return cls._preset(ACSI_ROLES, ACSI_PATHS, indicators, names, lang, modes)

    @classmethod
    def ecsi(
        cls,
        indicators: Mapping[str, Sequence[str]],
        *,
        names: Mapping[str, str] | None = None,
        lang: str = "en",
        modes: Mapping[str, str] | None = None,
    ) -> ModelSpec:
        """The ECSI model: the ACSI model plus image -> expectation, satisfaction, loyalty.

        Role keys as in :meth:`acsi` plus ``image``. Reference: Eklöf & Westlund (2002),
        *Total Quality Management* 13(8), 1099-1106.
        """
        return cls._preset(
            ECSI_ROLES, ECSI_IMAGE_PATHS + ACSI_PATHS, indicators, names, lang, modes
        )

    @classmethod
    def _preset(
        cls,
        roles: tuple[str, ...],
        role_paths: tuple[tuple[str, str], ...],
        indicators: Mapping[str, Sequence[str]],
        names: Mapping[str, str] | None,
        lang: str,
        modes: Mapping[str, str] | None,
    ) -> ModelSpec:
        if lang not in ROLE_NAMES:
            raise ModelSpecError(f"lang must be one of {list(ROLE_NAMES)}, got {lang!r}")
        unknown = [k for k in indicators if k not in roles]
        if unknown:
            raise ModelSpecError(
                f"unknown construct role(s) {unknown}; the roles are {list(roles)}"
            )
        required = [r for r in roles if r != "complaints" and r not in indicators]
        if required:
            raise ModelSpecError(f"no indicators given for construct role(s) {required}")
        bad_names = [k for k in (names or {}) if k not in roles]
        if bad_names:
            raise ModelSpecError(f"names given for unknown role(s) {bad_names}")
        label = {r: (names or {}).get(r, ROLE_NAMES[lang][r]) for r in roles}
        present = [r for r in roles if r in indicators]
        return cls(
            indicators={label[r]: tuple(indicators[r]) for r in present},
            paths=tuple(
                (label[s], label[t]) for s, t in role_paths if s in indicators and t in indicators
            ),
            modes={label[r]: m for r, m in (modes or {}).items() if r in indicators},
        )

    # ---------------------------------------------------------------- display
    def to_frame(self) -> pd.DataFrame:
        """Measurement model as a tidy table: construct, indicator, mode."""
        return pd.DataFrame(
            [(c, i, self.modes[c]) for c, items in self.indicators.items() for i in items],
            columns=["construct", "indicator", "mode"],
        )

    def __repr__(self) -> str:
        terms = f", {len(self.interactions)} interaction terms" if self.interactions else ""
        return (
            f"ModelSpec({len(self.constructs)} constructs, {len(self.items)} indicators, "
            f"{len(self.paths)} paths{terms})"
        )

    def summary(self, *, lang: str = "en") -> Summary:
        """The model in lavaan syntax with a one-line header."""
        terms = text("spec.terms", check_lang(lang), k=len(self.interactions))
        head = text(
            "spec.head",
            lang,
            constructs=len(self.constructs),
            indicators=len(self.items),
            paths=len(self.paths),
            terms=terms if self.interactions else "",
        )
        return Summary.plain(
            head + "\n" + self.to_lavaan(),
            title=head,
            tables={"measurement": self.to_frame()},
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _split_term(term: str, constructs: Mapping[str, Any]) -> tuple[str, str] | None:
    """``"A:B"`` -> ``("A", "B")`` when both are constructs (every ``:`` tried), else None."""
    for k, ch in enumerate(term):
        if ch == INTERACTION_SEP and term[:k] in constructs and term[k + 1 :] in constructs:
            return term[:k], term[k + 1 :]
    return None


def as_spec(model: Any) -> ModelSpec:
    """Accept a ModelSpec or lavaan text; raise a clear TypeError otherwise."""
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, str):
        return ModelSpec.from_lavaan(model)
    raise TypeError(f"model must be a csi.ModelSpec or lavaan text, got {type(model).__name__}")
