"""lavaan's explicit constraints: ``a == b``, ``a == 1.2*b``, ``a > 0``, ``a < 0.3``.

Linear equalities ``C theta = d`` are imposed exactly by reparametrisation,
``theta = theta_0 + T phi`` with ``T`` an orthonormal basis of the null space of ``C``
and ``theta_0`` a particular solution; the estimator then runs over ``phi`` and the
covariance of the estimates is ``T (T' I T)^-1 T'`` (the restricted information; Silvey
1959, *Ann. Math. Stat.* 30; lavaan's augmented information gives the same matrix).
A linear inequality (one side a number) is handled by an active set: an inequality the
unconstrained optimum violates is held at its bound, as lavaan reports it. As lavaan
0.6.14, equalities reduce ``npar`` and raise ``df``, inequalities do neither.
Nonlinear constraints are refused naming the statement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from csi.sem.defined import Defined, DefinedSyntaxError, Node, evaluate, parse_expression

#: lavaan's constraint operators (``<=`` and ``>=`` are lavaan's ``<`` and ``>`` too).
_CONSTRAINT = r"(?P<lhs>.+?)\s*(?P<op>==|<|>)\s*(?P<rhs>.+)"


@dataclass(frozen=True)
class Constraint:
    """``lhs op rhs`` with ``op`` one of ``==``, ``<``, ``>``, as the user wrote it."""

    text: str
    op: str
    lhs: Node
    rhs: Node

    def names(self) -> set[str]:
        """Labels (and defined parameters) the constraint uses."""
        return Defined("_", "", ("-", self.lhs, self.rhs)).names()


def parse_constraint(stmt: str) -> Constraint:
    """Parse one constraint statement (the caller knows it has ``==``, ``<`` or ``>``)."""
    m = re.fullmatch(_CONSTRAINT, stmt.strip())
    if m is None or "=" in m["rhs"] or "<" in m["rhs"] or ">" in m["rhs"]:
        raise DefinedSyntaxError(f"cannot read the constraint {stmt.strip()!r}")
    return Constraint(
        re.sub(r"\s+", " ", stmt.strip()),
        m["op"],
        parse_expression(m["lhs"]),
        parse_expression(m["rhs"]),
    )


@dataclass(frozen=True)
class Linear:
    """``row @ theta - value`` (``== 0``, ``>= 0`` for an inequality) of one constraint."""

    text: str
    row: np.ndarray
    value: float
    equality: bool


def linearize(
    constraints: Sequence[Constraint],
    defined: Sequence[Defined],
    label_index: Mapping[str, int],
    n_par: int,
) -> list[Linear]:
    """Each constraint as ``row @ theta (==|>=) value``; nonlinear ones are refused.

    ``g(theta) = lhs - rhs`` (``rhs - lhs`` for ``<``) is evaluated with its exact
    gradient at two points; a linear ``g`` has the same gradient at both.
    """
    out = []
    rng = np.random.default_rng(20240515)
    for c in constraints:
        unknown = sorted(c.names() - set(label_index) - {d.name for d in defined})
        if unknown:
            raise DefinedSyntaxError(
                f"constraint {c.text!r}: {unknown[0]!r} is not the label of a free parameter"
            )
        grads, values = [], []
        for point in (rng.uniform(0.5, 1.5, n_par), rng.uniform(0.5, 1.5, n_par)):
            vals = _values(point, label_index, defined)
            v, g = evaluate(("-", c.lhs, c.rhs), vals)
            grads.append(g)
            values.append(v - float(g @ point))
        if not (np.allclose(grads[0], grads[1], atol=1e-12) and abs(values[0] - values[1]) < 1e-10):
            raise DefinedSyntaxError(
                f"constraint {c.text!r} is not linear in the parameters; csi imposes linear "
                "constraints only"
            )
        if not np.any(grads[0]):
            raise DefinedSyntaxError(f"constraint {c.text!r} involves no free parameter")
        sign = -1.0 if c.op == "<" else 1.0
        out.append(Linear(c.text, sign * grads[0], -sign * values[0], c.op == "=="))
    return out


def _values(
    theta: np.ndarray, label_index: Mapping[str, int], defined: Sequence[Defined]
) -> dict[str, tuple[float, np.ndarray]]:
    vals: dict[str, tuple[float, np.ndarray]] = {}
    for lab, idx in label_index.items():
        g = np.zeros(len(theta))
        g[idx] = 1.0
        vals[lab] = (float(theta[idx]), g)
    for d in defined:
        if d.names() <= set(vals):
            vals[d.name] = evaluate(d.tree, vals)
    return vals


@dataclass(frozen=True)
class Affine:
    """``theta = offset + basis @ phi``: the parameters that satisfy linear equalities."""

    basis: np.ndarray
    offset: np.ndarray

    def project(self, theta: np.ndarray) -> np.ndarray:
        """The nearest point of the constraint set (orthogonal projection)."""
        return self.offset + self.basis @ (self.basis.T @ (theta - self.offset))

    def vcov(self, information: np.ndarray) -> np.ndarray:
        """``T (T' I T)^-1 T'``: covariance of the estimates under the constraints."""
        inner = self.basis.T @ information @ self.basis
        return self.basis @ linalg.pinvh(inner) @ self.basis.T


def affine(active: Sequence[Linear], n_par: int) -> Affine | None:
    """The reparametrisation of ``row @ theta = value`` for the active constraints."""
    if not active:
        return None
    c = np.array([a.row for a in active])
    d = np.array([a.value for a in active])
    if np.linalg.matrix_rank(c) < len(active):
        raise DefinedSyntaxError(
            "the constraints " + ", ".join(repr(a.text) for a in active) + " are redundant "
            "or contradict each other"
        )
    offset = np.linalg.lstsq(c, d, rcond=None)[0]
    basis = linalg.null_space(c)
    basis[np.abs(basis) < 1e-12] = 0.0  # a parameter held at a bound gets an SE of exactly 0
    return Affine(basis.reshape(n_par, -1), offset)


def violated(inequalities: Sequence[Linear], theta: np.ndarray, tol: float = 1e-10) -> list[int]:
    """Indices of the inequalities ``row @ theta >= value`` that ``theta`` breaks."""
    return [
        k
        for k, c in enumerate(inequalities)
        if float(c.row @ theta) < c.value - tol * max(1.0, abs(c.value))
    ]
