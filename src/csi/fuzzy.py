"""Fuzzy comprehensive evaluation (模糊综合评价) on the seven satisfaction levels.

Given indicator weights ``A`` (1 x m) and a membership matrix ``R`` (m x g: row i
is how indicator i's evaluation spreads over the g grades), the evaluation
vector is ``B = A o R`` with one of the composition operators (Zadeh operator
notation, e.g. Wang Peizhuang 1983, *Fuzzy sets and their applications*):

=============  ==================================  =====================
operator       ``b_j``                             aliases
=============  ==================================  =====================
``M(·,⊕)``     ``min(1, sum_i a_i r_ij)``          ``"weighted_average"``
``M(∧,∨)``     ``max_i min(a_i, r_ij)``            ``"min_max"``
``M(·,∨)``     ``max_i a_i r_ij``                  ``"product_max"``
``M(∧,⊕)``     ``min(1, sum_i min(a_i, r_ij))``    ``"min_bounded_sum"``
=============  ==================================  =====================

``M(·,⊕)`` (default) is the weighted average and uses all the information; the
others keep only the dominant factor. ``B`` is reported as computed and
normalised to sum 1 (``membership``) before it is read:

* by **maximum membership**: the grade with the largest ``b_j``; when the two
  largest normalised memberships differ by less than ``ambiguity`` (default 0.05)
  the reading is flagged ambiguous, with a note, because a small change in the
  data could swap them;
* by **level score**: ``S = sum_j b_j v_j`` with grade scores ``v`` (default the
  seven levels' 0-100 anchors 0, 16.7, ..., 100), itself read on the seven levels.

Membership matrices on the seven levels (:func:`membership_matrix`):

* ``method="distribution"`` (default): each answer is rescaled to 0-100 with its
  item's scale end points, ``(x - min) / (max - min) * 100``, and classified with
  :func:`csi.scales.classify` (default cut points ``100 k / 7``); ``r_ij`` is the
  share of the item's valid answers in level ``j``. A 7-point item maps one to one
  onto the levels; a 10-point item maps 1, 2 -> 1; 3 -> 2; 4 -> 3; 5, 6 -> 4;
  7 -> 5; 8 -> 6; 9, 10 -> 7.
* ``method="triangular"``: triangular membership functions centred on the level
  anchors with feet on the neighbouring anchors,
  ``mu_j(s) = max(0, 1 - |s - v_j| / (100/6))`` (they sum to 1 at every score);
  ``r_ij`` is the mean membership over the item's answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_columns, check_frame, check_numeric
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.scales import SEVEN_LEVELS, RatingScale, classify

__all__ = [
    "OPERATORS",
    "FuzzyResult",
    "fuzzy_composite",
    "fuzzy_evaluation",
    "fuzzy_hierarchy",
    "membership_matrix",
    "triangular_membership",
]

_ALIASES = {
    "M(·,⊕)": "M(·,⊕)",
    "M(*,+)": "M(·,⊕)",
    "weighted_average": "M(·,⊕)",
    "M(∧,∨)": "M(∧,∨)",
    "M(min,max)": "M(∧,∨)",
    "min_max": "M(∧,∨)",
    "M(·,∨)": "M(·,∨)",
    "M(*,max)": "M(·,∨)",
    "product_max": "M(·,∨)",
    "M(∧,⊕)": "M(∧,⊕)",
    "M(min,+)": "M(∧,⊕)",
    "min_bounded_sum": "M(∧,⊕)",
}
#: Operator names accepted (canonical names and ASCII aliases).
OPERATORS = tuple(_ALIASES)


def _operator(op: str) -> str:
    check_choice(op, OPERATORS, name="operator")
    return _ALIASES[op]


def fuzzy_composite(weights: Any, membership: Any, operator: str = "M(·,⊕)") -> np.ndarray:
    """``B = A o R`` for weights ``A`` (length m) and membership ``R`` (m x g), unnormalised."""
    op = _operator(operator)
    a = np.asarray(weights, dtype=float).ravel()
    r = np.asarray(membership, dtype=float)
    if r.ndim != 2 or r.shape[0] != a.size:
        raise CsiInputError(
            f"membership matrix has shape {r.shape}; it needs one row per weight ({a.size})"
        )
    if op == "M(·,⊕)":
        b = np.minimum(1.0, a @ r)
    elif op == "M(∧,∨)":
        b = np.minimum(a[:, None], r).max(axis=0)
    elif op == "M(·,∨)":
        b = (a[:, None] * r).max(axis=0)
    else:
        b = np.minimum(1.0, np.minimum(a[:, None], r).sum(axis=0))
    return np.asarray(b, dtype=float)


@dataclass(frozen=True)
class FuzzyResult:
    """Result of a fuzzy comprehensive evaluation.

    ``raw`` (B as composed), ``membership`` (B normalised to sum 1), ``level`` and
    ``label`` by maximum membership, ``ambiguous`` (top two memberships closer than
    ``ambiguity``), ``score`` (level score ``sum b_j v_j``), ``score_level`` /
    ``score_label`` (the score read on the seven levels, when there are seven grades),
    ``operator``, ``notes``.
    """

    raw: pd.Series
    membership: pd.Series
    level: int
    label: str
    ambiguous: bool
    score: float
    score_level: int | None
    score_label: str | None
    operator: str
    ambiguity: float
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per grade: level, label, raw, membership."""
        return pd.DataFrame(
            {
                "level": np.arange(1, self.membership.size + 1),
                "label": list(self.membership.index),
                "raw": self.raw.to_numpy(),
                "membership": self.membership.to_numpy(),
            }
        )

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """The membership vector, its maximum-membership reading and the level score.

        Grade labels are in the language the evaluation was made in
        (``fuzzy_evaluation(lang=...)``)."""
        t = phrases("fuzzy", check_lang(lang))
        title = t["title"].format(operator=self.operator)
        lines = [title, "-" * 40]
        for lab, b in self.membership.items():
            lines.append(f"{lab!s:<24}{b:{digits + 4}.{digits}f}")
        lines.append(
            t["maximum"].format(level=self.level, label=self.label)
            + (t["ambiguous"] if self.ambiguous else "")
        )
        score_read = (
            t["score_read"].format(level=self.score_level, label=self.score_label)
            if self.score_level
            else ""
        )
        lines.append(t["score"].format(score=self.score) + score_read)
        lines += [t["note"].format(note=n) for n in self.notes]
        return Summary.plain(
            "\n".join(lines), title=title, tables={"membership": self.to_frame()}, lang=lang
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def fuzzy_evaluation(
    weights: Any,
    membership: Any,
    *,
    operator: str = "M(·,⊕)",
    level_scores: Sequence[float] | None = None,
    ambiguity: float = 0.05,
    lang: str = "en",
) -> FuzzyResult:
    """Fuzzy comprehensive evaluation ``B = A o R`` read by maximum membership and level score.

    ``weights``: Series (aligned to ``membership``'s rows by label) or array summing to
    1 (rescaled if not). ``membership``: DataFrame or array (indicators x grades), rows
    of memberships in [0, 1]. ``level_scores``: score of each grade (default: the seven
    levels' 0-100 anchors; required for other numbers of grades). ``ambiguity``: gap
    between the two largest normalised memberships below which the maximum-membership
    reading is flagged.

    Examples
    --------
    Two indicators weighted 0.6 and 0.4, each spread over the seven levels:

    >>> from csi import fuzzy_evaluation
    >>> R = [[0, 0, 0, 0.2, 0.3, 0.4, 0.1],
    ...      [0, 0, 0.1, 0.3, 0.4, 0.2, 0]]
    >>> result = fuzzy_evaluation([0.6, 0.4], R)
    >>> result.membership.round(2).tolist()  # 0.6 * row 1 + 0.4 * row 2
    [0.0, 0.0, 0.04, 0.24, 0.34, 0.32, 0.06]
    >>> result.level, result.label, result.ambiguous  # 0.34 vs 0.32: closer than 0.05
    (5, 'somewhat satisfied', True)
    >>> round(result.score, 1), result.score_label
    (68.7, 'somewhat satisfied')
    """
    check_lang(lang)
    op = _operator(operator)
    if not 0 <= ambiguity < 1:
        raise CsiInputError(f"ambiguity must lie in [0, 1), got {ambiguity!r}")
    if isinstance(membership, pd.DataFrame):
        r_frame = membership
    else:
        arr = np.asarray(membership, dtype=float)
        if arr.ndim != 2:
            raise CsiInputError(f"membership matrix must be 2-dimensional, got shape {arr.shape}")
        r_frame = pd.DataFrame(arr)
    r = r_frame.to_numpy(dtype=float)
    g = r.shape[1]
    bad = ~np.isfinite(r) | (r < 0) | (r > 1)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise CsiInputError(
            f"membership of {r_frame.index[i]!r} in grade {r_frame.columns[j]!r} is "
            f"{float(r[i, j])!r}; memberships must lie in [0, 1]"
        )
    if isinstance(weights, pd.Series):
        absent = [k for k in r_frame.index if k not in weights.index]
        if absent:
            raise CsiInputError(f"no weight for indicator(s) {absent} of the membership matrix")
        a = weights.loc[list(r_frame.index)].to_numpy(dtype=float)
    else:
        a = np.asarray(weights, dtype=float).ravel()
    if a.size != r.shape[0]:
        raise CsiInputError(f"{a.size} weights for {r.shape[0]} indicators")
    if (~np.isfinite(a) | (a < 0)).any() or a.sum() <= 0:
        raise CsiInputError(f"weights must be >= 0 and not all 0, got {a.tolist()}")
    a = a / a.sum()
    b = fuzzy_composite(a, r, op)
    if b.sum() <= 0:
        raise CsiInputError("every grade has membership 0; nothing to read")
    bn = b / b.sum()
    if g == 7:
        labels = SEVEN_LEVELS.labels(lang)
    else:
        labels = [str(c) for c in r_frame.columns]
    if level_scores is None:
        if g != 7:
            raise CsiInputError(f"give level_scores for {g} grades (defaults exist for 7 levels)")
        v = SEVEN_LEVELS.anchors
    else:
        v = np.asarray(level_scores, dtype=float)
        if v.size != g:
            raise CsiInputError(f"{v.size} level_scores for {g} grades")
    order = np.argsort(-bn, kind="stable")
    top = int(order[0])
    gap = float(bn[order[0]] - bn[order[1]]) if g > 1 else 1.0
    ambiguous = gap < ambiguity
    notes = []
    if ambiguous:
        notes.append(
            f"maximum membership is ambiguous: {labels[order[0]]} ({bn[order[0]]:.3f}) and "
            f"{labels[order[1]]} ({bn[order[1]]:.3f}) differ by {gap:.3f} < {ambiguity:g}; "
            "prefer the level score"
        )
    score = float(bn @ v)
    if g == 7 and level_scores is None:
        sl = int(classify(score))
        slabel: str | None = labels[sl - 1]
        score_level: int | None = sl
    else:
        score_level, slabel = None, None
    return FuzzyResult(
        raw=pd.Series(b, index=labels, name="raw"),
        membership=pd.Series(bn, index=labels, name="membership"),
        level=top + 1,
        label=labels[top],
        ambiguous=bool(ambiguous),
        score=score,
        score_level=score_level,
        score_label=slabel,
        operator=op,
        ambiguity=float(ambiguity),
        notes=tuple(notes),
    )


def triangular_membership(scores: Any) -> np.ndarray:
    """Memberships (n x 7) of 0-100 scores in the seven levels, triangular functions.

    ``mu_j(s) = max(0, 1 - |s - v_j| / (100/6))`` with ``v_j`` the level anchors; rows
    sum to 1. NaN scores give NaN rows.
    """
    s = np.asarray(scores, dtype=float).ravel()
    bad = np.isfinite(s) & ((s < 0) | (s > 100))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise CsiInputError(f"score {float(s[k])!r} at position {k} is outside 0-100")
    mu = np.maximum(0.0, 1 - np.abs(s[:, None] - SEVEN_LEVELS.anchors[None, :]) / (100 / 6))
    mu[~np.isfinite(s)] = np.nan
    return mu


def _scale_of(item: str, scales: Any) -> RatingScale:
    per_item = isinstance(scales, Mapping) and set(scales) != {"min", "max"}
    sc = scales.get(item) if per_item else scales
    if sc is None:
        raise CsiInputError(f"no scale given for item {item!r}")
    return RatingScale.of(sc, name=f"scale of item {item!r}")


def membership_matrix(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    scales: Any,
    method: str = "distribution",
    cuts: Sequence[float] | str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Membership matrix (items x seven levels) from survey answers.

    ``scales``: one :class:`~csi.scales.RatingScale`, ``(min, max)`` or ``{"min", "max"}`` for
    all items (read by :func:`~csi.scales.scale_bounds`), or
    a dict item -> scale. Answers outside the scale are an error naming the item, row
    and value; missing answers are left out of that item's shares (the count of valid
    answers per item is in ``attrs["n_valid"]``). ``method``: ``"distribution"`` or
    ``"triangular"`` (see the module notes).

    Examples
    --------
    A 7-point item maps one to one onto the seven levels:

    >>> import pandas as pd
    >>> from csi import membership_matrix
    >>> df = pd.DataFrame({"q1": [1, 4, 7, 7], "q2": [4, 4, 5, None]})
    >>> R = membership_matrix(df, ["q1", "q2"], scales=(1, 7))
    >>> R.loc["q1"].tolist()
    [0.25, 0.0, 0.0, 0.25, 0.0, 0.0, 0.5]
    >>> R.loc["q2"].round(3).tolist(), R.attrs["n_valid"]  # the missing answer left out
    ([0.0, 0.0, 0.0, 0.667, 0.333, 0.0, 0.0], {'q1': 4, 'q2': 3})
    """
    frame = check_frame(data)
    check_choice(method, ["distribution", "triangular"], name="method")
    items = [str(i) for i in items]
    check_columns(frame, items, what="item")
    check_numeric(frame, items)
    rows = []
    n_valid = {}
    for item in items:
        sc = _scale_of(item, scales)
        x = pd.to_numeric(frame[item]).astype(float)
        sc.check(x, name=item)
        s = np.asarray(sc.to_100(x.to_numpy()), dtype=float)
        s = s[np.isfinite(s)]
        n_valid[item] = int(s.size)
        if s.size == 0:
            raise CsiInputError(f"item {item!r} has no valid answers")
        if method == "distribution":
            lv = np.asarray(classify(s, cuts), dtype=int)
            rows.append(np.bincount(lv - 1, minlength=7) / s.size)
        else:
            rows.append(triangular_membership(s).mean(axis=0))
    out = pd.DataFrame(np.vstack(rows), index=items, columns=SEVEN_LEVELS.labels(lang))
    out.index.name = "indicator"
    out.attrs["n_valid"] = n_valid
    return out


def fuzzy_hierarchy(
    children_weights: Mapping[str, pd.Series],
    membership: pd.DataFrame,
    *,
    root: str,
    operator: str = "M(·,⊕)",
    ambiguity: float = 0.05,
    lang: str = "en",
) -> dict[str, FuzzyResult]:
    """Multi-level fuzzy synthesis: ``B_node = A_node o R_node`` from the leaves up.

    ``children_weights[node]`` holds the local weights of ``node``'s children (Series
    indexed by child); a child that is not itself a node is a leaf and must be a row of
    ``membership`` (leaves x 7 levels). The rows of ``R_node`` are the children's
    normalised evaluation vectors. Returns a result for every node (root included).
    """
    results: dict[str, FuzzyResult] = {}
    leaf_rows = {str(k): membership.loc[k] for k in membership.index}

    def visit(node: str, path: tuple[str, ...]) -> pd.Series:
        if node in path:
            raise CsiInputError(f"hierarchy has a cycle through {node!r}")
        if node not in children_weights:
            if node not in leaf_rows:
                raise CsiInputError(f"leaf {node!r} has no row in the membership matrix")
            return leaf_rows[node]
        w = children_weights[node]
        rows = [visit(str(c), (*path, node)).to_numpy(dtype=float) for c in w.index]
        r = pd.DataFrame(np.vstack(rows), index=[str(c) for c in w.index])
        res = fuzzy_evaluation(
            pd.Series(w.to_numpy(dtype=float), index=r.index),
            r,
            operator=operator,
            ambiguity=ambiguity,
            lang=lang,
        )
        results[node] = res
        return res.membership

    if root not in children_weights:
        raise CsiInputError(f"root {root!r} has no children weights")
    visit(root, ())
    return results
