"""Read lavaan model syntax and translate it for semopy.

lavaan syntax (Rosseel 2012, *J. Stat. Softw.* 48(2)) as used by csi:

* ``F =~ x1 + x2 + x3``  latent F measured by x1..x3 (first loading fixed to 1);
* ``y ~ x + z``          regression (structural path);
* ``a ~~ b``             (residual) variance or covariance;
* modifiers: ``1*x`` fixes a value, ``a*x`` labels a parameter (equal labels mean
  equal parameters, lavaan's equality constraint), ``NA*x`` frees a marker,
  ``start(0.5)*x`` / ``0.5?x`` give a starting value, ``c(a1, a2)*x`` one modifier per
  group;
* ``y ~ 1``, ``F ~ 1``   a free intercept or latent mean, ``x1 ~ 0*1`` a fixed one
  (turns on the mean structure; :mod:`csi.sem.means`);
* ``ab := a*b``          a defined parameter (:mod:`csi.sem.defined`);
* ``a == b``, ``a > 0``  linear constraints (:mod:`csi.sem.constraints`).

Every variable and label is renamed to a safe alias (``o0``, ``f0``, ``l0``) before the
text goes to semopy, so item names with spaces, dashes or Chinese characters work and
cannot clash with semopy's own names. The lavaan defaults csi reproduces are listed in
:func:`build_model` (``auto.fix.first``, ``std.lv``, ``auto.cov.y``, ``auto.fix.single``,
``fixed.x``); syntax csi does not read is an error naming the token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from csi.sem.constraints import Constraint, parse_constraint
from csi.sem.defined import Defined, DefinedSyntaxError, check_defined, parse_defined
from csi.spec import ModelSpec, ModelSpecError

_NAME = r"[^\s=~<+*;#()]+"
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class SemSyntaxError(ModelSpecError):
    """Model text that csi's SEM cannot read (the message quotes the statement)."""


@dataclass(frozen=True)
class Term:
    """One parameter statement: ``lhs op rhs`` with an optional fixed value or label."""

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    label: str | None = None
    na: bool = False  # ``NA*x``: explicitly free (lavaan's way to free a marker)
    start: float | None = None  # ``start(0.5)*x`` or ``0.5?x``: a starting value only
    #: ``c(a1, a2)*x``: one modifier per group (a label, a number or ``NA``)
    per_group: tuple[str, ...] | None = None

    def in_group(self, g: int) -> Term:
        """The term as group ``g`` sees it (``c()`` resolved; others unchanged)."""
        if self.per_group is None:
            return self
        mod = self.per_group[g]
        if _NUMBER.fullmatch(mod):
            return replace(self, fixed=float(mod), label=None, na=False, per_group=None)
        if mod.upper() == "NA":
            return replace(self, fixed=None, label=None, na=True, per_group=None)
        # a label: a marker stays fixed at 1 (csi's rule for a labelled first indicator)
        return replace(self, label=mod, per_group=None)


@dataclass(frozen=True)
class SemModel:
    """A parsed model: the user's terms plus what csi added (``auto``)."""

    terms: tuple[Term, ...]
    latents: tuple[str, ...]
    observed: tuple[str, ...]
    auto: tuple[Term, ...] = field(default=())
    defined: tuple[Defined, ...] = field(default=())  # ``name := expression``
    constraints: tuple[Constraint, ...] = field(default=())  # ``a == b``, ``a > 0``
    #: variables with a ``v ~ 1`` statement: the fit models means (lavaan's meanstructure)
    intercepts: tuple[str, ...] = field(default=())
    #: the fixed ones among them (``x1 ~ 0*1``), as (variable, value)
    fixed_means: tuple[tuple[str, float], ...] = field(default=())

    @property
    def all_terms(self) -> tuple[Term, ...]:
        return self.terms + self.auto

    def n_per_group(self) -> int | None:
        """Number of modifiers in the ``c(...)`` terms (``None`` without any)."""
        sizes = {len(t.per_group) for t in self.all_terms if t.per_group is not None}
        if len(sizes) > 1:
            raise SemSyntaxError("the c(...) modifiers have different lengths")
        return sizes.pop() if sizes else None

    def in_group(self, g: int) -> SemModel:
        """The model of group ``g``: each ``c(...)`` modifier resolved to its element."""
        return replace(
            self,
            terms=tuple(t.in_group(g) for t in self.terms),
            auto=tuple(t.in_group(g) for t in self.auto),
        )

    def indicators(self, latent: str) -> tuple[str, ...]:
        return tuple(t.rhs for t in self.terms if t.op == "=~" and t.lhs == latent)

    def exogenous_observed(self) -> tuple[str, ...]:
        """Observed predictors that no statement explains (lavaan's ``ov.x``)."""
        predictors = {t.rhs for t in self.terms if t.op == "~"}
        explained = {t.lhs for t in self.terms if t.op == "~"}
        explained |= {t.rhs for t in self.terms if t.op == "=~"}
        return tuple(v for v in self.observed if v in predictors and v not in explained)

    def single_item_latents(self) -> tuple[str, ...]:
        """Latents measured by exactly one observed item."""
        return tuple(
            lat
            for lat in self.latents
            if len(self.indicators(lat)) == 1 and self.indicators(lat)[0] in self.observed
        )


_OPERATORS = re.compile(r"=~|<~|~\*~|~~|~")
_UNSUPPORTED = (
    (":=", "defined parameters (:=) are read by build_model only"),
    ("==", "equality constraints (==) are not supported; use equal labels (a*x)"),
    ("|", "thresholds (|) are not supported; ordinal items use estimator='DWLS'"),
    ("~*~", "scaling factors (~*~) are not supported"),
    ("%", "the % operator is not supported"),
)


class _Mod(NamedTuple):
    name: str
    fixed: float | None = None
    label: str | None = None
    na: bool = False
    start: float | None = None
    per_group: tuple[str, ...] | None = None


def _modifier(stmt: str, op: str, raw: str) -> _Mod:
    """The variable and modifier of one right-hand term ``[modifier*]name``."""
    start_q = re.fullmatch(rf"\s*({_NUMBER.pattern})\s*\?\s*(.+)", raw)
    if start_q:  # lavaan's ``0.5?x``: a starting value
        name = start_q.group(len(start_q.groups())).strip()
        if "*" in name or "?" in name:
            raise SemSyntaxError(
                f"statement {stmt!r}: modifiers after a start value ({raw!r}) are not "
                "supported; write start(value)*name alone"
            )
        return _modifier(stmt, op, name)._replace(start=float(start_q.group(1)))
    if "*" not in raw:
        name, mod = raw, None
    else:
        mod, _, name = (p.strip() for p in raw.rpartition("*"))
    if "?" in raw:
        raise SemSyntaxError(f"statement {stmt!r}: cannot read the start value in {raw!r}")
    per_group = re.fullmatch(r"c\((.*)\)", mod or "")
    if per_group:  # lavaan's c(a1, a2)*x: one label / value / NA per group
        items = tuple(v.strip() for v in per_group.group(1).split(","))
        if not all(_NUMBER.fullmatch(v) or re.fullmatch(r"[A-Za-z_][\w.]*", v) for v in items):
            raise SemSyntaxError(
                f"statement {stmt!r}: cannot read {mod!r} (c() takes labels, numbers or NA)"
            )
        return _modifier(stmt, op, name)._replace(per_group=items)
    start_f = re.fullmatch(rf"start\(\s*({_NUMBER.pattern})\s*\)", mod or "")
    if start_f:  # lavaan's ``start(0.5)*x``
        return _modifier(stmt, op, name)._replace(start=float(start_f.group(1)))
    if ":" in name:
        raise SemSyntaxError(f"statement {stmt!r}: interaction terms ({name!r}) are not supported")
    if name == "1" and op == "~":
        if mod is not None and _NUMBER.fullmatch(mod):
            return _Mod("1", fixed=float(mod))  # lavaan's ``x1 ~ 0*1``: a fixed intercept
        if mod is not None:
            raise SemSyntaxError(
                f"statement {stmt!r}: the modifier {mod!r} on an intercept ({raw!r}) is not "
                "supported; csi reads a free ('~ 1') or fixed ('~ 0*1') intercept or mean"
            )
        return _Mod("1")
    if not re.fullmatch(_NAME, name) or any(ch in name for ch in "?:|!'\"{}[],"):
        raise SemSyntaxError(f"statement {stmt!r}: cannot read the term {raw!r}")
    if mod is None:
        return _Mod(name)
    if _NUMBER.fullmatch(mod):
        return _Mod(name, fixed=float(mod))
    if mod.upper() == "NA":
        return _Mod(name, na=True)
    if "*" in mod or "(" in mod or "?" in mod or not re.fullmatch(r"[A-Za-z_][\w.]*", mod):
        raise SemSyntaxError(
            f"statement {stmt!r}: modifier {mod!r} of {name!r} is not supported (csi reads "
            "a number to fix a value, NA to free a marker, a name to label a parameter, "
            "start(number) for a starting value or c(...) with one of these per group; "
            "not equal(), label() or several modifiers)"
        )
    return _Mod(name, label=mod)


def _statements(text: str) -> list[str]:
    return [
        s.strip()
        for line in str(text).splitlines()
        for s in line.split("#", 1)[0].split(";")
        if s.strip()
    ]


def _is_constraint(stmt: str) -> bool:
    if "==" in stmt:
        return True
    arrows = "~" in stmt or "->" in stmt or "<-" in stmt
    return not arrows and ("<" in stmt or ">" in stmt)


def split_statements(text: str) -> tuple[str, tuple[Defined, ...], tuple[Constraint, ...]]:
    """The model text without ``name := expression`` and constraint statements, and those
    parsed (:mod:`csi.sem.defined`, :mod:`csi.sem.constraints`)."""
    rest, defined, constraints = [], [], []
    for stmt in _statements(text):
        try:
            if ":=" in stmt:
                name, _, expression = (p.strip() for p in stmt.partition(":="))
                defined.append(parse_defined(name, expression))
            elif _is_constraint(stmt):
                constraints.append(parse_constraint(stmt))
            else:
                rest.append(stmt)
        except DefinedSyntaxError as err:
            raise SemSyntaxError(f"statement {stmt!r}: {err}") from None
    if (defined or constraints) and not rest:
        raise SemSyntaxError(
            f"statement {_statements(text)[0]!r}: defined parameters (:=) and constraints "
            "(==, <, >) need a model whose parameters carry the labels they use"
        )
    return "\n".join(rest), tuple(defined), tuple(constraints)


def parse_lavaan(text: str) -> list[Term]:
    """Parse lavaan model text into :class:`Term` objects, one per left/right pair.

    ``y1 + y2 ~ x`` gives one term per outcome (lavaan's several left-hand sides, for
    ``~`` and ``~~``). Anything else csi does not read is an error naming the token.
    """
    statements = _statements(text)
    if not statements:
        raise SemSyntaxError("the model text is empty")
    terms: list[Term] = []
    for stmt in statements:
        for token, why in _UNSUPPORTED:
            if token in stmt:
                raise SemSyntaxError(f"statement {stmt!r}: {why}")
        if re.fullmatch(rf"{_NAME}\s*[<>]=?\s*\S+", stmt):
            raise SemSyntaxError(
                f"statement {stmt!r}: inequality constraints (<, >) are not supported"
            )
        match = _OPERATORS.search(stmt)
        if not match:
            raise SemSyntaxError(f"statement {stmt!r} is not lavaan syntax (lhs =~|~|~~ rhs)")
        op = match.group()
        lhs_text, rhs = stmt[: match.start()].strip(), stmt[match.end() :].strip()
        if op == "<~":
            raise SemSyntaxError(
                f"statement {stmt!r}: formative constructs (<~) are not estimable by "
                "covariance-based SEM here; use csi.fit_pls"
            )
        if _OPERATORS.search(rhs):
            raise SemSyntaxError(f"statement {stmt!r} has more than one operator")
        lhs_names = [v.strip() for v in lhs_text.split("+")]
        if not rhs or not all(re.fullmatch(_NAME, v) for v in lhs_names):
            raise SemSyntaxError(f"statement {stmt!r} is not lavaan syntax (lhs =~|~|~~ rhs)")
        if op == "=~" and len(lhs_names) > 1:
            raise SemSyntaxError(
                f"statement {stmt!r}: several latent variables left of =~ are not "
                "supported; write one =~ statement per latent variable"
            )
        for lhs in lhs_names:
            for raw in rhs.split("+"):
                m = _modifier(stmt, op, raw.strip())
                if m.name == "1":  # an intercept or latent mean: lavaan's ``y ~ 1``
                    if op != "~" or m.per_group is not None or m.start is not None:
                        raise SemSyntaxError(
                            f"statement {stmt!r}: {raw.strip()!r} is not supported; csi "
                            "reads a free ('~ 1') or fixed ('~ 0*1') intercept or mean"
                        )
                    terms.append(Term(lhs, "~1", "", m.fixed))
                    continue
                terms.append(Term(lhs, op, m.name, m.fixed, m.label, m.na, m.start, m.per_group))
    return terms


def _classify(terms: list[Term], columns: set[str] | None) -> tuple[list[str], list[str]]:
    latents: list[str] = []
    for t in terms:
        if t.op == "=~" and t.lhs not in latents:
            latents.append(t.lhs)
    observed: list[str] = []
    for t in terms:
        names = (t.rhs, t.lhs) if t.op == "=~" else (t.lhs, t.rhs)
        for v in names:
            if v not in latents and v not in observed:
                observed.append(v)
    if columns is not None:
        missing = [v for v in observed if v not in columns]
        if missing:
            raise SemSyntaxError(
                f"variable(s) {missing} are neither latent (left of =~) nor columns of the data"
            )
    return latents, observed


def build_model(
    model: ModelSpec | str,
    *,
    columns: set[str] | None = None,
    single_item_error: Mapping[str, float] | None = None,
    fix_single: bool = True,
    std_lv: bool = False,
    fixed_x: bool = True,
) -> SemModel:
    """Parse ``model`` and apply lavaan's ``sem()`` defaults (Rosseel 2012, lavaan 0.6).

    * ``auto.fix.first``: the first loading of each latent is fixed to 1 (the marker)
      unless it carries its own modifier (``2*x`` fixes another value, ``NA*x`` frees it);
      other loadings fixed by the user do not change the marker;
    * ``std_lv=True`` (lavaan's ``std.lv``): no marker; the variance of every latent
      (the residual variance of an endogenous one) is fixed to 1 unless the model gives
      it;
    * ``auto.cov.y``: the residuals of the pure outcomes (left of some ``~``, right of
      none, not an indicator) covary freely, pairwise, unless the model sets that pair;
    * single-item constructs: the item's error variance is fixed to
      ``single_item_error[item]`` (default 0, lavaan's ``auto.fix.single``: the construct
      *is* the item). Callers that trust a reliability ``r`` pass ``(1 - r) * var(item)``.
      A user's own ``item ~~ item`` statement is left alone. ``fix_single=False`` skips
      this (ordinal items, whose error variances are derived from the unit scale);
    * ``fixed_x=False`` (lavaan's default for GLS and ULS): the variances and covariances
      of the exogenous observed variables are free parameters instead of being held at
      their sample values.
    """
    if isinstance(model, ModelSpec):
        formative = [c for c, m in model.modes.items() if m == "B"]
        if formative:
            raise SemSyntaxError(
                f"construct(s) {formative} are formative (mode B); covariance-based SEM "
                "needs reflective constructs - use csi.fit_pls for composites"
            )
        text = model.to_lavaan()
    elif isinstance(model, str):
        text = model
    else:
        raise TypeError(f"model must be a csi.ModelSpec or lavaan text, got {type(model).__name__}")
    text, defined, constraints = split_statements(text)
    terms = parse_lavaan(text)
    intercepts = tuple(dict.fromkeys(t.lhs for t in terms if t.op == "~1"))
    fixed_means = tuple((t.lhs, t.fixed) for t in terms if t.op == "~1" and t.fixed is not None)
    for v in intercepts:
        if sum(t.lhs == v for t in terms if t.op == "~1") > 1:
            raise SemSyntaxError(f"the intercept or mean of {v!r} ('{v} ~ 1') is given twice")
    terms = [t for t in terms if t.op != "~1"]
    if not terms:
        raise SemSyntaxError("the model has intercepts ('~ 1') only")
    labels = {t.label for t in terms if t.label is not None}
    labels |= {
        v
        for t in terms
        for v in t.per_group or ()
        if not _NUMBER.fullmatch(v) and v.upper() != "NA"
    }
    try:
        check_defined(defined, labels)
    except DefinedSyntaxError as err:
        raise SemSyntaxError(str(err)) from None
    for c in constraints:
        unknown = sorted(c.names() - labels - {d.name for d in defined})
        if unknown:
            raise SemSyntaxError(
                f"constraint {c.text!r}: {unknown[0]!r} is not a parameter label (a*x)"
            )
    seen: set[tuple[str, str, str]] = set()
    first: dict[str, int] = {}
    for k, t in enumerate(terms):
        if t.op == "=~":
            first.setdefault(t.lhs, k)
    for k, t in enumerate(terms):
        key = (t.lhs, t.op, t.rhs)
        if t.op == "~~":
            key = (min(t.lhs, t.rhs), "~~", max(t.lhs, t.rhs))
        if key in seen:
            raise SemSyntaxError(f"parameter {t.lhs} {t.op} {t.rhs} is given twice")
        seen.add(key)
        if t.op == "~" and t.lhs == t.rhs:
            raise SemSyntaxError(f"regression {t.lhs} ~ {t.rhs} points to itself")
        if t.na and first.get(t.lhs) != k:
            raise SemSyntaxError(
                f"modifier 'NA*{t.rhs}' in {t.lhs} {t.op} {t.rhs} is not supported: csi "
                "reads NA* only on the first indicator of a latent (to free the marker); "
                "other parameters are free already"
            )
    latents, observed = _classify(terms, columns)
    for v in intercepts:
        if v not in observed and v not in latents:
            raise SemSyntaxError(f"statement '{v} ~ 1': {v!r} takes no other part in the model")
    if not std_lv:  # auto.fix.first
        for k in first.values():
            if terms[k].fixed is None and not terms[k].na:
                terms[k] = replace(terms[k], fixed=1.0)
    sm = SemModel(tuple(terms), tuple(latents), tuple(observed))
    auto: list[Term] = []
    user_cov = {frozenset((t.lhs, t.rhs)) for t in terms if t.op == "~~"}
    if std_lv:
        auto += [Term(v, "~~", v, 1.0) for v in latents if frozenset((v,)) not in user_cov]
    for lat in sm.single_item_latents() if fix_single else ():
        item = sm.indicators(lat)[0]
        if frozenset((item,)) not in user_cov:
            value = float((single_item_error or {}).get(item, 0.0))
            auto.append(Term(item, "~~", item, value, None))
    # auto.cov.y, in lavaan's order: latent outcomes first, then observed ones
    predictors = {t.rhs for t in terms if t.op == "~"}
    indicators = {t.rhs for t in terms if t.op == "=~"}
    outcomes = {t.lhs for t in terms if t.op == "~"} - predictors - indicators
    pure = [v for v in (*latents, *observed) if v in outcomes]
    for i, a in enumerate(pure):
        for b in pure[i + 1 :]:
            if frozenset((a, b)) not in user_cov:
                auto.append(Term(a, "~~", b))
    if not fixed_x:
        exo = sm.exogenous_observed()
        for i, a in enumerate(exo):
            for b in exo[i:]:
                if frozenset((a, b)) not in user_cov:
                    auto.append(Term(a, "~~", b))
    return replace(
        sm,
        auto=tuple(auto),
        defined=defined,
        constraints=constraints,
        intercepts=intercepts,
        fixed_means=fixed_means,
    )


@dataclass(frozen=True)
class Aliases:
    """Safe semopy names for variables and labels, both ways."""

    to_alias: dict[str, str]
    to_name: dict[str, str]


def to_semopy(sm: SemModel) -> tuple[str, Aliases]:
    """semopy model description of ``sm`` with every name replaced by a safe alias."""
    to_alias: dict[str, str] = {}
    for k, v in enumerate(sm.observed):
        to_alias[v] = f"o{k}"
    for k, v in enumerate(sm.latents):
        to_alias[v] = f"f{k}"
    labels: dict[str, str] = {}
    lines: list[str] = []
    # semopy fixes the first plain loading of a latent without a fixed one; csi names
    # every loading of such a latent (NA* marker, std_lv) so that they all stay free
    marked = {t.lhs for t in sm.all_terms if t.op == "=~" and t.fixed is not None}
    n_free = 0
    for t in sm.all_terms:
        if t.fixed is not None:
            mod = f"{t.fixed!r}*"
        elif t.label is not None:
            labels.setdefault(t.label, f"l{len(labels)}")
            mod = f"{labels[t.label]}*"
        elif t.op == "=~" and t.lhs not in marked:
            mod = f"_csi{n_free}*"  # leading "_": an unlabelled parameter for csi
            n_free += 1
        else:
            mod = ""
        lines.append(f"{to_alias[t.lhs]} {t.op} {mod}{to_alias[t.rhs]}")
    to_name = {a: n for n, a in to_alias.items()}
    to_name.update({a: n for n, a in labels.items()})
    return "\n".join(lines), Aliases(to_alias, to_name)
