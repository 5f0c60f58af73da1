"""lavaan's defined parameters (``ab := a*b``) and their delta-method standard errors.

A defined parameter is a function ``g(theta)`` of labelled parameters. Its estimate is
``g(theta_hat)``, its covariance by the delta method ``J V J'`` with ``J = dg/dtheta``
(Rosseel 2012, *J. Stat. Softw.* 48(2), section on ``:=``; Sobel 1982). The
expression is read by a small recursive-descent parser over labels, numbers,
``+ - * / ^``, parentheses and ``sqrt exp log abs``; it is never handed to ``eval``.
Values and exact gradients are carried together (forward-mode differentiation).
The standardized columns apply ``g`` to the standardized values of the labels, as
lavaan's ``standardizedSolution``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_.][\w.]*)"
    r"|(?P<op>[-+*/^()]))"
)
_FUNCTIONS: dict[str, tuple[Callable[[float], Any], Callable[[float], Any]]] = {
    "sqrt": (np.sqrt, lambda v: 0.5 / np.sqrt(v)),
    "exp": (np.exp, np.exp),
    "log": (np.log, lambda v: 1.0 / v),
    "abs": (np.abs, np.sign),
}


class DefinedSyntaxError(ValueError):
    """An expression right of ``:=`` that csi cannot read (the message names the token)."""


#: A parsed expression: ("num", value) | ("name", label) | (op, left, right) |
#: ("neg", operand) | ("call", function, operand).
Node = tuple[Any, ...]


@dataclass(frozen=True)
class Defined:
    """One ``name := expression`` statement, parsed."""

    name: str
    text: str  # the expression without spaces (lavaan's ``rhs``)
    tree: Node

    def names(self) -> set[str]:
        """Labels and defined parameters the expression uses."""
        out: set[str] = set()
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node[0] == "name":
                out.add(node[1])
            else:
                stack += [n for n in node[1:] if isinstance(n, tuple)]
        return out


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise DefinedSyntaxError(f"cannot read {text[pos:].strip()!r} in {text.strip()!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse_defined(name: str, expression: str) -> Defined:
    """Parse ``name := expression`` (lavaan's defined parameter)."""
    if not re.fullmatch(r"[A-Za-z_.][\w.]*", name):
        raise DefinedSyntaxError(f"cannot use {name!r} as the name of a defined parameter")
    return Defined(name, re.sub(r"\s+", "", expression), parse_expression(expression))


def parse_expression(expression: str) -> Node:
    """Parse an arithmetic expression over labels and numbers.

    Grammar (R's precedence): ``sum = product (('+'|'-') product)*``, ``product =
    unary (('*'|'/') unary)*``, ``unary = ('-'|'+') unary | power``, ``power = atom
    ('^' unary)?``, ``atom = number | label | function '(' sum ')' | '(' sum ')'``.
    """
    toks = _tokens(expression)
    if not toks:
        raise DefinedSyntaxError("the expression is empty")
    pos = 0

    def peek() -> tuple[str, str] | None:
        return toks[pos] if pos < len(toks) else None

    def take(value: str) -> None:
        nonlocal pos
        tok = peek()
        if tok is None or tok[1] != value:
            got = "the end" if tok is None else repr(tok[1])
            raise DefinedSyntaxError(f"expected {value!r} but found {got} in {expression!r}")
        pos += 1

    def sum_() -> Node:
        nonlocal pos
        node = product()
        while (tok := peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            pos += 1
            node = (tok[1], node, product())
        return node

    def product() -> Node:
        nonlocal pos
        node = unary()
        while (tok := peek()) is not None and tok[1] in "*/" and tok[0] == "op":
            pos += 1
            node = (tok[1], node, unary())
        return node

    def unary() -> Node:
        nonlocal pos
        tok = peek()
        if tok is not None and tok[1] in ("-", "+"):
            pos += 1
            operand = unary()
            return ("neg", operand) if tok[1] == "-" else operand
        return power()

    def power() -> Node:  # binds tighter than a sign, right-associative (as R)
        nonlocal pos
        node = atom()
        if (tok := peek()) is not None and tok[1] == "^":
            pos += 1
            node = ("^", node, unary())
        return node

    def atom() -> Node:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise DefinedSyntaxError(f"the expression {expression!r} ends too early")
        pos += 1
        kind, value = tok
        if kind == "num":
            return ("num", float(value))
        if kind == "name":
            nxt = peek()
            if nxt is not None and nxt[1] == "(":
                if value not in _FUNCTIONS:
                    raise DefinedSyntaxError(
                        f"function {value!r} in {expression!r} is not supported (csi reads "
                        f"{', '.join(_FUNCTIONS)})"
                    )
                take("(")
                inner = sum_()
                take(")")
                return ("call", value, inner)
            return ("name", value)
        if value == "(":
            inner = sum_()
            take(")")
            return inner
        raise DefinedSyntaxError(f"unexpected {value!r} in {expression!r}")

    tree = sum_()
    if pos != len(toks):
        raise DefinedSyntaxError(f"unexpected {toks[pos][1]!r} in {expression!r}")
    return tree


def evaluate(
    tree: Node, values: Mapping[str, tuple[float, np.ndarray]]
) -> tuple[float, np.ndarray]:
    """Value and gradient of ``tree``; ``values`` maps each name to (value, gradient)."""
    kind = tree[0]
    if kind == "num":
        size = len(next(iter(values.values()))[1]) if values else 0
        return float(tree[1]), np.zeros(size)
    if kind == "name":
        v, g = values[tree[1]]
        return v, g
    if kind == "neg":
        v, g = evaluate(tree[1], values)
        return -v, -g
    if kind == "call":
        fun, deriv = _FUNCTIONS[tree[1]]
        v, g = evaluate(tree[2], values)
        with np.errstate(all="ignore"):
            return float(fun(v)), float(deriv(v)) * g
    (a, ga), (b, gb) = evaluate(tree[1], values), evaluate(tree[2], values)
    with np.errstate(all="ignore"):
        if kind == "+":
            return a + b, ga + gb
        if kind == "-":
            return a - b, ga - gb
        if kind == "*":
            return a * b, b * ga + a * gb
        if kind == "/":
            a, b = np.float64(a), np.float64(b)  # 1/0 is inf (a warning), not an exception
            return float(a / b), ga / b - a * gb / b**2
        value = float(np.power(a, b))
        log_a = np.log(a) if a > 0 else 0.0  # d/db a^b = a^b log a (0 when b is a number)
        return value, b * np.power(a, b - 1) * ga + value * log_a * gb


def check_defined(defined: Sequence[Defined], labels: set[str]) -> None:
    """Every name in an expression is a label or an earlier defined parameter."""
    known = set(labels)
    for d in defined:
        if d.name in known:
            raise DefinedSyntaxError(f"{d.name!r} := ... reuses the name of a label")
        unknown = sorted(d.names() - known)
        if unknown:
            raise DefinedSyntaxError(
                f"{d.name} := {d.text}: {unknown[0]!r} is neither a parameter label "
                "(a*x) nor an earlier defined parameter"
            )
        known.add(d.name)


def defined_rows(
    defined: Sequence[Defined],
    label_index: Mapping[str, int],
    theta: np.ndarray,
    vcov: np.ndarray,
    std: Mapping[str, tuple[float, float]],
    *,
    level: float,
    columns: Sequence[str],
) -> pd.DataFrame:
    """``:=`` rows of the parameter table (lavaan's ``parameterEstimates``).

    ``label_index``: global parameter index of each free label; ``std``: ``(std_lv,
    std_all)`` of each label. A label of a fixed parameter is refused, as lavaan does.
    SE ``sqrt(J V J')``, Wald z and p, CI ``est +- z_q se``.
    """
    k = len(theta)
    values: dict[str, tuple[float, np.ndarray]] = {}
    for lab, idx in label_index.items():
        grad = np.zeros(k)
        grad[idx] = 1.0
        values[lab] = (float(theta[idx]), grad)
    std_values = [{lab: (s[j], np.zeros(0)) for lab, s in std.items()} for j in range(2)]
    zq = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for d in defined:
        fixed = sorted(d.names() - set(values))
        if fixed:
            raise DefinedSyntaxError(
                f"{d.name} := {d.text}: {fixed[0]!r} labels a fixed parameter; defined "
                "parameters use free ones (as lavaan)"
            )
        est, grad = evaluate(d.tree, values)
        values[d.name] = (est, grad)
        se = float(np.sqrt(max(float(grad @ vcov @ grad), 0.0)))
        z = est / se if se > 0 else np.nan
        p = float(2 * special.ndtr(-abs(z))) if se > 0 else np.nan
        stds = []
        for sv in std_values:
            if d.names() <= set(sv):
                v, _ = evaluate(d.tree, sv)
                sv[d.name] = (v, np.zeros(0))
                stds.append(v)
            else:
                stds.append(np.nan)
        rows.append(
            (d.name, ":=", d.text, d.name, est, se, z, p, est - zq * se, est + zq * se, *stds)
        )
    return pd.DataFrame(rows, columns=list(columns))
