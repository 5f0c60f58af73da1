"""The differencing-attack check of :mod:`csi.disclosure`.

The overall table of a report minus its published segments, for counts (Fréchet
bounds) and for n-weighted means and shares, on the values as displayed (rounded to
the table's digits): :func:`attack_table` for one table, :func:`differencing_attack`
for a whole report. Also the display layout the check reads (:func:`layout`) and the
grouping of a report's tables by segmentation, shared with
:func:`csi.disclosure.protect_report`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi.blocks import Report, Table
from csi.i18n import header

#: Attack tolerance: a hidden mean, share or index known to within this many points
#: (half the width of the interval the published figures leave) counts as recovered.
POINTS = 5.0
#: ... and a hidden count known to within one (interval at most 1 wide).
COUNTS = 1

_NOTE_MIN = re.compile(r"n\s*<\s*(\d+)")
#: Figures never attacked: not additive over respondents (blanked all the same).
_NONLINEAR = (
    "se",
    "ci_lower",
    "ci_upper",
    "pvalue",
    "p_adjusted",
    "difference",
    "deff",
    "z",
    "t",
    "estimate",
)
_COUNTS = ("promoters", "passives", "detractors", "satisfied", "count", "events", "within")
_SIZE = ("n", "n_missing", "n_weighted", "n_effective")
#: Shares of the segment's respondents (percent): judged as the counts they stand for.
_SHARES = ("share", "pct_promoters", "pct_passives", "pct_detractors", "csat", "top_box")
_OVERALL_VALUE = ("index", "share", "score", "value")


@dataclass(frozen=True)
class Recovery:
    """One hidden figure the differencing attack narrows to ``[low, high]``."""

    table: str
    segment: str
    column: str
    low: float
    high: float
    kind: str  # "count" or "mean"
    label: str = ""  # the layer (e.g. the construct of a long table)

    def __str__(self) -> str:
        where = f"{self.column}" + (f" ({self.label})" if self.label else "")
        return (
            f"{self.table}: {where} of segment {self.segment!r} lies in "
            f"[{self.low:.2f}, {self.high:.2f}]"
        )


def _h(key: str, lang: str) -> str:
    return header(key, lang)


@dataclass(frozen=True)
class _Layout:
    """Where a report table keeps its segment, n and note (display headers)."""

    segment: str
    n: str
    note: str
    comparison: str
    sizes: tuple[str, ...]
    counts: tuple[str, ...]
    shares: tuple[str, ...]
    nonlinear: tuple[str, ...]
    nps: str
    overall_values: tuple[str, ...]
    derived_text: tuple[str, ...] = ()
    """Text columns derived from a figure (a seven-level label): blanked with it."""

    @classmethod
    def of(cls, lang: str) -> _Layout:
        return cls(
            segment=_h("segment", lang),
            n=_h("n", lang),
            note=_h("note", lang),
            comparison=_h("comparison", lang),
            sizes=tuple(_h(k, lang) for k in _SIZE),
            counts=tuple(_h(k, lang) for k in _COUNTS),
            shares=tuple(_h(k, lang) for k in _SHARES),
            nonlinear=tuple(_h(k, lang) for k in _NONLINEAR),
            nps=_h("nps", lang),
            overall_values=tuple(_h(k, lang) for k in _OVERALL_VALUE),
            derived_text=tuple(_h(k, lang) for k in ("label", "level")),
        )


def _marked(frame: pd.DataFrame, note: str) -> np.ndarray:
    if note not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.array([bool(str(v).strip()) and not _isna(v) for v in frame[note]], dtype=bool)


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _min_size(frames: Iterable[pd.DataFrame], note: str) -> int | None:
    """The threshold written in the notes (``"suppressed, n < 30"``), if any."""
    for f in frames:
        if note in f.columns:
            for v in f[note]:
                m = _NOTE_MIN.search(str(v))
                if m:
                    return int(m.group(1))
    return None


@dataclass
class _Family:
    """The tables of one segmentation (e.g. region) and its hidden segments."""

    labels: set[str]
    tables: list[int]
    hidden: set[str]
    sizes: dict[str, float]


def _families(tables: Sequence[Table], lay: _Layout) -> list[_Family]:
    groups: list[_Family] = []
    for i, t in enumerate(tables):
        f = t.frame
        if lay.segment not in f.columns or lay.n not in f.columns:
            continue
        labels = {str(v) for v in f[lay.segment]}
        joined = [g for g in groups if g.labels & labels]
        fam = _Family(labels, [i], set(), {})
        for g in joined:
            fam.labels |= g.labels
            fam.tables += g.tables
            groups.remove(g)
        groups.append(fam)
    for fam in groups:
        for i in fam.tables:
            f = tables[i].frame
            seg = f[lay.segment].astype(str).to_numpy()
            n = pd.to_numeric(f[lay.n], errors="coerce").to_numpy(dtype=float)
            marked = _marked(f, lay.note)
            for s, size, m in zip(seg, n, marked, strict=True):
                if not math.isnan(size):
                    fam.sizes[s] = min(fam.sizes.get(s, size), size)
                if m:
                    fam.hidden.add(s)
        fam.tables.sort()
    return groups


# ---------------------------------------------------------------------------- the attack
def _overall_key(key: str, keys: set[str]) -> str | None:
    for cut in ("_segment", "_period"):
        if cut in key:
            base = key.split(cut)[0]
            if base in keys:
                return base
    return None


def _text_columns(frame: pd.DataFrame, skip: set[str]) -> list[str]:
    return [
        str(c)
        for c in frame.columns
        if str(c) not in skip and not pd.api.types.is_numeric_dtype(frame[c])
    ]


def _number(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return x


def _slack(kind: str, digits: int, rounded: bool) -> float:
    """Half a unit of the last digit shown; 0 for counts (whole numbers) or unrounded
    values."""
    if not rounded or kind == "count":
        return 0.0
    return 0.5 * 10.0**-digits


def _lookup(
    overall: pd.DataFrame, column: str, label: str | None, lay: _Layout
) -> tuple[float, str] | None:
    """The overall value of figure ``column`` (of layer ``label``) and where it was found."""
    texts = _text_columns(overall, {lay.note})
    if column in overall.columns:
        if label is None and len(overall) == 1:
            return _number(overall[column].iloc[0]), column
        for t in texts:
            hit = overall[overall[t].astype(str) == label] if label is not None else overall[:0]
            if len(hit) == 1:
                return _number(hit[column].iloc[0]), column
        return None
    if label is None:  # a wide table: the figure names a row of the overall table
        for t in texts:
            hit = overall[overall[t].astype(str) == column]
            if len(hit) == 1:
                for v in lay.overall_values:
                    if v in overall.columns:
                        return _number(hit[v].iloc[0]), v
    return None


def attack_table(
    table: Table, overall: Table, lay: _Layout, min_size: int, *, rounded: bool = True
) -> list[Recovery]:
    """The differencing attack on one per-segment table against its overall table.

    For each hidden primary segment (``n < min_size``) and each additive figure: the
    interval the overall and the published segments leave for it (counts: Fréchet
    bounds; means, shares, indices: n-weighted, within the scale, widened by the
    rounding of every displayed value when ``rounded``). A figure is recovered when
    that interval is at most one count wide (counts, and shares of the segment's
    respondents: one respondent is 100/n points), or at most 2 x 5 points wide (means,
    indices, NPS: the midpoint is then within 5 points), while the overall alone
    (every segment hidden) leaves a wider one. Only primary cells (``n < min_size``)
    are judged: a complementary cell is hidden to protect them, not for itself.
    """
    f = table.frame
    if lay.segment not in f.columns or lay.n not in f.columns:
        return []
    skip = {lay.segment, lay.note, lay.n, *lay.sizes}
    layers = _text_columns(f, skip)
    parts: list[tuple[str | None, pd.DataFrame]]
    if layers:
        parts = [(str(k), p) for k, p in f.groupby(layers[0], sort=False)]
    else:
        parts = [(None, f)]
    out: list[Recovery] = []
    hidden_all = _marked(f, lay.note)
    for label, part in parts:
        hidden = hidden_all[f.index.get_indexer(part.index)]
        if not hidden.any():
            continue
        n = pd.to_numeric(part[lay.n], errors="coerce").to_numpy(dtype=float)
        if np.isnan(n).any():
            continue
        total_n = float(n.sum())
        if lay.n in overall.frame.columns and len(overall.frame) == 1 and label is None:
            given = _number(overall.frame[lay.n].iloc[0])
            if not math.isnan(given):
                total_n = given
        for col in part.columns:
            col = str(col)
            if col in skip or col in layers or col in lay.nonlinear:
                continue
            if not pd.api.types.is_numeric_dtype(part[col]) and part[col].dtype != object:
                continue
            found = _lookup(overall.frame, col, label, lay)
            if found is None or math.isnan(found[0]):
                continue
            value, where = found
            cells = [_number(v) for v in part[col]]
            whole = all(math.isnan(x) or float(x).is_integer() for x in cells)
            if col in lay.counts and whole:
                kind = "count"
            elif col in lay.shares or where in lay.shares:
                kind = "share"
            else:
                kind = "mean"
            h = _slack(kind, table.digits, rounded)
            hm = _slack(kind, overall.digits, rounded)
            lo_b, hi_b = (-100.0, 100.0) if col == lay.nps else (0.0, 100.0)
            pub = [(n[j], cells[j]) for j in range(len(cells)) if not hidden[j]]
            if any(math.isnan(x) for _, x in pub):
                continue
            for j in np.flatnonzero(hidden):
                nj = n[j]
                if nj <= 0 or nj >= min_size:
                    continue  # only primary cells are sensitive
                others = float(sum(n[k] for k in np.flatnonzero(hidden) if k != j))
                if kind == "count":
                    t_lo = value - hm - sum(x + h for _, x in pub)
                    t_hi = value + hm - sum(x - h for _, x in pub)
                    low, high = max(0.0, t_lo - others), min(nj, t_hi)
                    base = min(nj, value + hm) - max(0.0, value - hm - (total_n - nj))
                    limit = min(float(COUNTS), nj - 1.0)
                else:
                    t_lo = total_n * (value - hm) - sum(m * (x + h) for m, x in pub)
                    t_hi = total_n * (value + hm) - sum(m * (x - h) for m, x in pub)
                    low = max(lo_b, (t_lo - others * hi_b) / nj)
                    high = min(hi_b, (t_hi - others * lo_b) / nj)
                    rest = total_n - nj
                    b_lo = max(lo_b, (total_n * (value - hm) - rest * hi_b) / nj)
                    b_hi = min(hi_b, (total_n * (value + hm) - rest * lo_b) / nj)
                    base = b_hi - b_lo
                    limit = 2 * POINTS
                    if kind == "share":  # a share is a count of the segment: one count
                        limit = min(float(COUNTS), nj - 1.0) * 100.0 / nj
                if high < low - 1e-6:
                    continue  # the figures do not add up (not an n-weighted mean): no attack
                if high - low <= limit + 1e-9 and base > limit + 1e-9:
                    seg = str(part[lay.segment].iloc[j])
                    out.append(Recovery(table.key, seg, col, low, high, kind, label or ""))
    return out


def _attack_tables(
    tables: Sequence[Table], fam: _Family, lay: _Layout, min_size: int, *, rounded: bool = True
) -> list[Recovery]:
    keys = {t.key: t for t in tables}
    out: list[Recovery] = []
    for i in fam.tables:
        t = tables[i]
        base = _overall_key(t.key, set(keys))
        if base is None:
            continue
        out += attack_table(t, keys[base], lay, min_size, rounded=rounded)
    return out


def differencing_attack(
    report: Report, *, min_size: int | None = None, rounded: bool = True
) -> list[Recovery]:
    """Every hidden primary figure of ``report`` the overall-minus-published-segments
    attack recovers within 5 points or one count (empty when the report is safe).

    ``rounded=False`` attacks full-precision values (as a workbook without rounding
    would give them); ``min_size`` defaults to the threshold written in the notes.
    """
    tables = list(report.tables)
    lay = _Layout.of(report.lang)
    families = _families(tables, lay)
    if min_size is None:
        min_size = _min_size((t.frame for t in tables), lay.note) or 1
    out: list[Recovery] = []
    for fam in families:
        out += _attack_tables(tables, fam, lay, min_size, rounded=rounded)
    return out


def layout(lang: str = "en") -> _Layout:
    """The display headers the attack reads (segment, n, note, ...) in ``lang``."""
    return _Layout.of(lang)
