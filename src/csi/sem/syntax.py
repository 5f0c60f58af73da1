"""Read lavaan model syntax and translate it for semopy.

lavaan syntax (Rosseel 2012, *J. Stat. Softw.* 48(2)) as used by csi:

* ``F =~ x1 + x2 + x3``  latent F measured by x1..x3 (first loading fixed to 1);
* ``y ~ x + z``          regression (structural path);
* ``a ~~ b``             (residual) variance or covariance;
* modifiers: ``1*x`` fixes a value, ``a*x`` labels a parameter (equal labels mean
  equal parameters, lavaan's equality constraint).

Every variable and label is renamed to a safe alias (``o0``, ``f0``, ``l0``) before the
text goes to semopy, so item names with spaces, dashes or Chinese characters work and
cannot clash with semopy's own names. The lavaan defaults csi reproduces: first loading
of each latent fixed to 1 (``auto.fix.first``); residual variance of the only indicator
of a single-item construct fixed (``auto.fix.single``, see :func:`build_model`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class SemModel:
    """A parsed model: the user's terms plus what csi added (``auto``)."""

    terms: tuple[Term, ...]
    latents: tuple[str, ...]
    observed: tuple[str, ...]
    auto: tuple[Term, ...] = field(default=())

    @property
    def all_terms(self) -> tuple[Term, ...]:
        return self.terms + self.auto

    def indicators(self, latent: str) -> tuple[str, ...]:
        return tuple(t.rhs for t in self.terms if t.op == "=~" and t.lhs == latent)

    def single_item_latents(self) -> tuple[str, ...]:
        """Latents measured by exactly one observed item."""
        return tuple(
            lat
            for lat in self.latents
            if len(self.indicators(lat)) == 1 and self.indicators(lat)[0] in self.observed
        )


def parse_lavaan(text: str) -> list[Term]:
    """Parse lavaan model text into :class:`Term` objects, one per right-hand term."""
    statements = [
        s.strip()
        for line in str(text).splitlines()
        for s in line.split("#", 1)[0].split(";")
        if s.strip()
    ]
    if not statements:
        raise SemSyntaxError("the model text is empty")
    terms: list[Term] = []
    for stmt in statements:
        if ":=" in stmt or "==" in stmt or re.fullmatch(rf"{_NAME}\s*[<>]\s*\S+", stmt):
            raise SemSyntaxError(
                f"statement {stmt!r}: defined parameters (:=) and constraints (==, <, >) "
                "are not supported; use equal labels (a*x) for equality constraints"
            )
        match = re.fullmatch(rf"({_NAME})\s*(=~|<~|~~|~)\s*(.+)", stmt)
        if not match:
            raise SemSyntaxError(f"statement {stmt!r} is not lavaan syntax (lhs =~|~|~~ rhs)")
        lhs, op, rhs = match.groups()
        if op == "<~":
            raise SemSyntaxError(
                f"statement {stmt!r}: formative constructs (<~) are not estimable by "
                "covariance-based SEM here; use csi.fit_pls"
            )
        for raw in rhs.split("+"):
            raw = raw.strip()
            fixed: float | None = None
            label: str | None = None
            if "*" in raw:
                mod, _, name = (p.strip() for p in raw.partition("*"))
                if _NUMBER.fullmatch(mod):
                    fixed = float(mod)
                elif mod.upper() == "NA" or "(" in mod:
                    raise SemSyntaxError(
                        f"statement {stmt!r}: modifier {mod!r} is not supported "
                        "(use a number to fix a value or a name to label a parameter)"
                    )
                elif re.fullmatch(r"[A-Za-z_][\w.]*", mod):
                    label = mod
                else:
                    raise SemSyntaxError(f"statement {stmt!r}: cannot read the modifier {mod!r}")
            else:
                name = raw
            if name == "1" and op == "~":
                raise SemSyntaxError(
                    f"statement {stmt!r}: intercepts (~ 1) are not supported; means are "
                    "modelled automatically for multi-group and FIML fits"
                )
            if not re.fullmatch(_NAME, name):
                raise SemSyntaxError(f"statement {stmt!r}: cannot read the term {raw!r}")
            terms.append(Term(lhs, op, name, fixed, label))
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
) -> SemModel:
    """Parse ``model`` and apply lavaan's identification defaults.

    * the first loading of each latent is fixed to 1 unless some loading is already fixed;
    * single-item constructs: the loading is 1 and the item's error variance is fixed to
      ``single_item_error[item]`` (default 0, lavaan's ``auto.fix.single``: the construct
      *is* the item). Callers that trust a reliability ``r`` pass ``(1 - r) * var(item)``.
      A user's own ``item ~~ item`` statement is left alone. ``fix_single=False`` skips
      this (ordinal items, whose error variances are derived from the unit scale).
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
    terms = parse_lavaan(text)
    seen: set[tuple[str, str, str]] = set()
    for t in terms:
        key = (t.lhs, t.op, t.rhs)
        if t.op == "~~":
            key = (min(t.lhs, t.rhs), "~~", max(t.lhs, t.rhs))
        if key in seen:
            raise SemSyntaxError(f"parameter {t.lhs} {t.op} {t.rhs} is given twice")
        seen.add(key)
        if t.op == "~" and t.lhs == t.rhs:
            raise SemSyntaxError(f"regression {t.lhs} ~ {t.rhs} points to itself")
    latents, observed = _classify(terms, columns)
    # auto.fix.first
    for lat in latents:
        loads = [k for k, t in enumerate(terms) if t.op == "=~" and t.lhs == lat]
        if all(terms[k].fixed is None for k in loads):
            terms[loads[0]] = replace(terms[loads[0]], fixed=1.0)
    sm = SemModel(tuple(terms), tuple(latents), tuple(observed))
    auto: list[Term] = []
    user_var = {t.lhs for t in terms if t.op == "~~" and t.lhs == t.rhs}
    for lat in sm.single_item_latents() if fix_single else ():
        item = sm.indicators(lat)[0]
        if item not in user_var:
            value = float((single_item_error or {}).get(item, 0.0))
            auto.append(Term(item, "~~", item, value, None))
    return replace(sm, auto=tuple(auto))


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
    for t in sm.all_terms:
        if t.fixed is not None:
            mod = f"{t.fixed!r}*"
        elif t.label is not None:
            labels.setdefault(t.label, f"l{len(labels)}")
            mod = f"{labels[t.label]}*"
        else:
            mod = ""
        lines.append(f"{to_alias[t.lhs]} {t.op} {mod}{to_alias[t.rhs]}")
    to_name = {a: n for n, a in to_alias.items()}
    to_name.update({a: n for n, a in labels.items()})
    return "\n".join(lines), Aliases(to_alias, to_name)
