"""Disclosure control of per-segment tables: nothing recoverable, nothing silent.

Blanking the figures of a small segment (*primary* suppression, ``n < min_size``)
protects nothing on its own: the overall figure minus the published segments gives
the blanked one back. This module adds the rest (see ``docs/disclosure.md``):

* :func:`complementary` and :func:`suppression_mask`, the rule: when a segment is
  suppressed, more segments are suppressed with it (the smallest ones left) until at
  least two segments with respondents are hidden *and* together they hold at least
  ``min_size`` respondents; in a table split by several columns the rule holds along
  every one of them (each line of the table adds up to a published margin).
  :func:`csi.metrics._common.suppress` applies it to every ``csi.metrics`` table;
* :func:`protect_report`, run by :meth:`csi.report.privacy.PrivacyGuard.clean_report`
  on every finished report: one decision per segmentation for all its tables (a
  segment hidden in one table is hidden in all of them), the figures of hidden rows
  blanked, then :func:`differencing_attack` - the overall table minus the published
  segments, for counts (Fréchet bounds) and for n-weighted means and shares, on the
  values as displayed (rounded to the table's digits) - and more suppression until no
  primary cell is recovered within 5 points or one count, else :class:`DisclosureError`.

The size ``n`` of every segment stays visible: it is the size of a group, not an
answer; it is published in the segment-size table anyway, and with at least two
segments hidden the answers of each are mixed with the others'.

The differencing attack itself is in :mod:`csi.disclosure_check`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.blocks import Report, Table
from csi.disclosure_check import (
    COUNTS,
    POINTS,
    Recovery,
    _attack_tables,
    _families,
    _Family,
    _isna,
    _Layout,
    _min_size,
    attack_table,
    differencing_attack,
    layout,
)
from csi.i18n import LANGS, text

__all__ = [
    "COMPLEMENTARY_NOTE",
    "COUNTS",
    "LAYERS",
    "POINTS",
    "DisclosureError",
    "Recovery",
    "attack_table",
    "complementary",
    "differencing_attack",
    "infer_segments",
    "layout",
    "note_for",
    "protect_report",
    "suppression_mask",
]

#: Columns of csi.metrics tables that split a segment's rows into layers (each layer
#: is its own partition of the total), never segment columns.
LAYERS = (
    "item",
    "measure",
    "code",
    "group",
    "limit",
    "quantile",
    "construct",
    "test",
    "reference",
    "previous",
    "current",
)


class DisclosureError(CsiInputError):
    """A suppressed figure could be recovered from the published ones; nothing written."""


# ------------------------------------------------------------------------------ the rule
def complementary(
    sizes: Mapping[Hashable, float], primary: Iterable[Hashable], min_size: int
) -> set[Hashable]:
    """The segments to hide in one line of a table: ``primary`` and complementary ones.

    ``sizes`` maps every segment of the line (a partition of a published total) to its
    n. Nothing is hidden when nothing is primary. Otherwise the smallest segments left
    (ties by name) are added until at least two hidden segments have respondents and
    the hidden segments hold at least ``min_size`` respondents together - or until all
    are hidden.
    """
    hidden = {k for k in primary if k in sizes}
    if not hidden:
        return set()

    def enough() -> bool:
        filled = [k for k in hidden if sizes[k] > 0]
        return len(filled) >= 2 and sum(sizes[k] for k in hidden) >= min_size

    rest = sorted((k for k in sizes if k not in hidden), key=lambda k: (sizes[k], str(k)))
    while not enough():
        grow = [k for k in rest if k not in hidden and sizes[k] > 0]
        if not grow:
            break
        hidden.add(grow[0])
    return hidden


def suppression_mask(
    frame: pd.DataFrame,
    primary: Sequence[bool] | np.ndarray,
    *,
    segments: Sequence[str],
    layers: Sequence[str] = (),
    n_column: str = "n",
    min_size: int,
) -> np.ndarray:
    """Rows to hide: ``primary`` rows and their complements (:func:`complementary`).

    A line is the set of rows that differ only in one segment column (all other
    segment and layer columns equal); the rule is applied to every line, again and
    again until nothing changes. Rows of one segment in a line share its decision.
    """
    hidden = np.asarray(primary, dtype=bool).copy()
    segments = [c for c in segments if c in frame.columns]
    if not segments or not hidden.any() or len(frame) < 2:
        return hidden
    keys = frame.loc[:, [*layers, *segments]].astype(str).reset_index(drop=True)
    n = pd.to_numeric(frame[n_column], errors="coerce").fillna(0).to_numpy(dtype=float)
    changed = True
    while changed:
        changed = False
        for dim in segments:
            fixed = [c for c in [*layers, *segments] if c != dim]
            groups = (
                keys.groupby(fixed, sort=False).indices if fixed else {(): np.arange(len(keys))}
            )
            for rows in groups.values():
                rows = np.asarray(rows)
                labels = keys[dim].to_numpy()[rows]
                sizes: dict[Hashable, float] = {}
                for lab, size in zip(labels, n[rows], strict=True):
                    sizes[lab] = min(sizes.get(lab, size), size)
                prim = set(labels[hidden[rows]])
                new = complementary(sizes, prim, min_size)
                add = rows[np.isin(labels, np.array(list(new), dtype=object)) & ~hidden[rows]]
                if add.size:
                    hidden[add] = True
                    changed = True
    return hidden


def infer_segments(frame: pd.DataFrame, n_column: str = "n") -> tuple[list[str], list[str]]:
    """``(segment columns, layer columns)`` of a csi.metrics table: the columns before
    the first count column (``n``, ``n_...`` or ``n_column``) that are not floats;
    those named in :data:`LAYERS` are layers."""
    cols: list[str] = []
    for c in frame.columns:
        name = str(c)
        if name in (n_column, "n") or name.startswith("n_"):
            break
        cols.append(name)
    label = [c for c in cols if not pd.api.types.is_float_dtype(frame[c])]
    return [c for c in label if c not in LAYERS], [c for c in label if c in LAYERS]


# ------------------------------------------------------------------------- the report
COMPLEMENTARY_NOTE = {lang: text("suppressed_complementary", lang) for lang in LANGS}


def _split_comparison(value: str, labels: set[str]) -> tuple[str, str] | None:
    for a in labels:
        if value.startswith(f"{a} - ") and value[len(a) + 3 :] in labels:
            return a, value[len(a) + 3 :]
    return None


def _comparison_tables(tables: Sequence[Table], fam: _Family, lay: _Layout) -> list[int]:
    out = []
    for i, t in enumerate(tables):
        f = t.frame
        if lay.comparison not in f.columns or lay.segment in f.columns:
            continue
        values = [str(v) for v in f[lay.comparison]]
        if values and all(_split_comparison(v, fam.labels) for v in values):
            out.append(i)
    return out


def _blank(table: Table, rows: np.ndarray, notes: Sequence[str | None], lay: _Layout) -> Table:
    """``table`` with every figure of ``rows`` blanked and their note set (``None``:
    keep the note already there)."""
    f = table.frame.copy()
    protected = {lay.segment, lay.comparison, lay.note, *lay.sizes}
    for col in f.columns:
        if str(col) in protected or not rows.any():
            continue
        s = f[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if str(col) in lay.derived_text and not pd.api.types.is_numeric_dtype(s):
            f[col] = s.astype(object)
            f.loc[rows, col] = None
            continue
        if pd.api.types.is_integer_dtype(s):
            f[col] = s.astype("Int64")
            f.loc[rows, col] = pd.NA
        elif pd.api.types.is_numeric_dtype(s):
            f[col] = s.astype(float)
            f.loc[rows, col] = np.nan
        elif s.dtype == object and any(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in s
        ):
            f[col] = s.astype(object)
            f.loc[rows, col] = None
    old = f[lay.note].tolist() if lay.note in f.columns else [""] * len(f)
    f[lay.note] = [
        ("" if _isna(o) else o) if not r or new is None else new
        for o, r, new in zip(old, rows, notes, strict=True)
    ]
    return replace(table, frame=f)


def note_for(n: float, min_size: int, lang: str, existing: str = "") -> str | None:
    """The note of a hidden row: the primary note (kept when already there) below
    ``min_size``, else the complementary one."""
    if not math.isnan(n) and n < min_size:
        return None if existing.strip() else text("suppressed", lang, min_size=min_size)
    return text("suppressed_complementary", lang, min_size=min_size)


def _apply(
    tables: list[Table], fam: _Family, lay: _Layout, lang: str, min_size: int
) -> list[Table]:
    out = list(tables)
    for i in fam.tables:
        f = out[i].frame
        rows = f[lay.segment].astype(str).isin(fam.hidden).to_numpy()
        n = pd.to_numeric(f[lay.n], errors="coerce").to_numpy(dtype=float)
        old = _notes(f, lay)
        notes = [note_for(x, min_size, lang, o) for x, o in zip(n, old, strict=True)]
        out[i] = _blank(out[i], rows, notes, lay)
    for i in _comparison_tables(out, fam, lay):
        f = out[i].frame
        pairs = [_split_comparison(str(v), fam.labels) for v in f[lay.comparison]]
        rows = np.array([p is not None and bool(set(p) & fam.hidden) for p in pairs], dtype=bool)
        marks: list[str | None] = []
        for p, o in zip(pairs, _notes(f, lay), strict=True):
            small = p is not None and any(fam.sizes.get(s, 0) < min_size for s in p)
            size = 0.0 if small else float(min_size)  # primary note if a side is small
            marks.append(note_for(size, min_size, lang, o))
        out[i] = _blank(out[i], rows, marks, lay)
    return out


def _notes(frame: pd.DataFrame, lay: _Layout) -> list[str]:
    if lay.note not in frame.columns:
        return [""] * len(frame)
    return ["" if _isna(v) else str(v) for v in frame[lay.note]]


def protect_report(report: Report) -> Report:
    """``report`` with complementary suppression in every per-segment table, checked.

    Idempotent (the writers run it again). Raises :class:`DisclosureError` if a
    primary-suppressed figure can still be recovered with every segment hidden.
    """
    tables = list(report.tables)
    if not tables:
        return report
    lay = _Layout.of(report.lang)
    families = _families(tables, lay)
    active = [f for f in families if f.hidden]
    if not active:
        return report
    min_size = _min_size((tables[i].frame for f in active for i in f.tables), lay.note)
    if min_size is None:
        min_size = 1
    for fam in active:
        primary = {s for s, n in fam.sizes.items() if n < min_size} | fam.hidden
        fam_sizes: dict[Hashable, float] = {k: v for k, v in fam.sizes.items()}
        fam.hidden |= {str(s) for s in complementary(fam_sizes, primary, min_size)}
        while True:
            tables = _apply(tables, fam, lay, report.lang, min_size)
            found = _attack_tables(tables, fam, lay, min_size)
            if not found:
                break
            left = sorted(
                (s for s in fam.sizes if s not in fam.hidden and fam.sizes[s] > 0),
                key=lambda s: (fam.sizes[s], s),
            )
            if not left:
                raise DisclosureError(
                    "suppressed figures could be recovered from the published ones even with "
                    "every segment hidden; nothing was written:\n"
                    + "\n".join(f"  {r}" for r in found[:10])
                )
            fam.hidden.add(left[0])
    # put the tables back in their blocks
    it = iter(tables)
    return report.map_blocks(lambda b: next(it) if isinstance(b, Table) else b)
