"""The survey codebook: what each column of a survey is and how to clean it.

A codebook names, for every questionnaire item, the construct it measures, the
scale end points, whether it is reverse-coded, the codes that mean "no answer"
(e.g. ``99`` = don't know) and a label in English and Chinese. It also names the
respondent id column, the personal columns (names, phone numbers, e-mail) that
are carried for joins but must never reach a result table or report, the
free-text columns (comments) that are never copied into anything, the segment
columns (region, channel, ...), an optional period column (wave), the questions
behind NPS and CSAT, a survey-weight column, and for spreadsheets the sheet and
header row to read.

YAML layout (every key except ``items`` is optional)::

    id: respondent_id
    private: [name, phone, email]
    free_text: [comment]            # never copied into a result, table, figure or file
    segments: [region, channel]
    period: wave
    recommend: recommend            # the 0-10 "would you recommend" question (NPS)
    csat: SAT1                      # the item(s) behind CSAT (top-box share)
    weight: w                       # survey weight (used where weights are supported)
    weight_kind: sampling           # sampling (default) or frequency (integer counts of copies)
    strata: stratum                 # design: stratum of each respondent (optional)
    cluster: psu                    # design: primary sampling unit (optional)
    replicate_weights: [rw1, rw2]   # design: replicate-weight columns, as published (optional)
    replicate_type: JK1             # their kind: JK1, JKn, bootstrap, BRR, Fay, ...
    sheet: 数据                      # spreadsheet: sheet name or 0-based number
    header_row: 1                   # spreadsheet: 1-based row holding the column names
    decimal_answers: false          # true: answers between scale points are real (sliders)
    scale: {min: 1, max: 10}        # default end points of every item
    missing: [99, 不知道, n/a]       # default missing-value codes (numbers or text)
    constructs:                     # optional: labels and order of constructs
      Satisfaction: {label_en: Satisfaction, label_zh: 顾客满意度}
    items:
      SAT1: {construct: Satisfaction, label_en: Overall satisfaction, label_zh: 总体满意度}
      SAT4: {construct: Satisfaction, reverse: true}
    extras:                         # rated questions outside the model (e.g. NPS)
      recommend: {min: 0, max: 10, label_en: Likelihood to recommend}

An item-level ``missing`` list *replaces* the codebook-wide one for that item.
A ``recommend`` column not declared under ``items`` or ``extras`` is added to
the extras on the 0-10 scale with the codebook-wide missing codes; ``csat``
columns must be declared items or extras (their scale defines the top box).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csi._checks import copy_on_write
from csi.codebook_parse import (
    CodebookError,
    ItemInfo,
    _codebook_fields,
    _num_out,
)
from csi.display import Summary
from csi.i18n import check_lang, text

__all__ = ["Codebook", "CodebookError", "ItemInfo"]


@dataclass(frozen=True)
class Codebook:
    """What each column of a survey is: items, constructs, scales, codes, labels.

    Build it with :meth:`from_yaml` or :meth:`from_dict`; it is checked when built.
    Item entries hold resolved values (codebook-wide defaults already applied).
    """

    entries: tuple[ItemInfo, ...]
    extras: tuple[ItemInfo, ...] = ()
    id: str | None = None
    private: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    period: str | None = None
    scale: tuple[float | None, float | None] = (None, None)
    missing_codes: tuple[float, ...] = ()
    construct_labels: tuple[tuple[str, str, str], ...] = field(default=())
    """``(construct, label_en, label_zh)`` in construct order."""
    free_text: tuple[str, ...] = ()
    """Free-text columns (comments): never copied into a result, table, figure or file."""
    recommend: str | None = None
    """The 0-10 recommendation question behind NPS."""
    csat: tuple[str, ...] = ()
    """The rated item(s) behind CSAT (top-box share)."""
    weight: str | None = None
    """The survey-weight column."""
    weight_kind: str = "sampling"
    """``"sampling"`` (inverse selection probability or calibrated weight) or
    ``"frequency"`` (each row stands for that many identical respondents)."""
    strata: str | None = None
    """Design: the stratum column."""
    cluster: str | None = None
    """Design: the primary-sampling-unit (cluster) column."""
    replicate_weights: tuple[str, ...] = ()
    """Design: replicate-weight columns."""
    replicate_type: str | None = None
    """Design: the kind of replicate weights (``JK1``, ``JKn``, ``bootstrap``, ``BRR``,
    ``Fay``, ``successive-difference``, ``other``; as R ``survey::svrepdesign``)."""
    sheet: str | int | None = None
    """Spreadsheet sheet to read (name or 0-based number); None = the first."""
    header_row: int = 1
    """Spreadsheet row (1-based) that holds the column names."""
    missing_text: tuple[str, ...] = ()
    """Codebook-wide text missing codes (e.g. ``不知道``)."""
    decimal_answers: bool = False
    """True when answers between the scale points are real (a slider); otherwise an
    answer like 7.5 on a 1-10 item is an error (a typing or export slip)."""

    def __post_init__(self) -> None:
        self._validate()

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        if not self.entries:
            raise CodebookError("codebook has no items")
        seen: dict[str, str] = {}

        def claim(name: str, role: str) -> None:
            if name in seen:
                raise CodebookError(
                    f"column {name!r} is declared twice in the codebook: as {seen[name]} "
                    f"and as {role}"
                )
            seen[name] = role

        for e in self.entries:
            claim(e.name, "item")
        for e in self.extras:
            claim(e.name, "extra")
        if self.id is not None:
            claim(self.id, "id")
        for c in self.private:
            claim(c, "private column")
        for c in self.free_text:
            claim(c, "free-text column")
        for c in self.segments:
            claim(c, "segment")
        if self.period is not None:
            claim(self.period, "period")
        if self.weight is not None:
            claim(self.weight, "weight")
        for key in ("strata", "cluster"):
            col = getattr(self, key)
            if col is not None:
                claim(col, key)
        for c in self.replicate_weights:
            claim(c, "replicate weight")
        if self.weight_kind not in ("sampling", "frequency"):
            raise CodebookError(
                f"weight_kind must be 'sampling' or 'frequency', got {self.weight_kind!r}"
            )
        if self.weight_kind == "frequency" and self.weight is None:
            raise CodebookError("weight_kind: frequency needs a weight column ('weight')")
        if self.replicate_weights and self.weight is None:
            raise CodebookError("replicate_weights need the full-sample weight column ('weight')")
        if self.replicate_type is not None and not self.replicate_weights:
            raise CodebookError("replicate_type is given but no replicate_weights")
        rated = {e.name for e in (*self.entries, *self.extras)}
        if self.recommend is not None and self.recommend not in rated:
            raise CodebookError(
                f"recommend column {self.recommend!r} is not an item or extra of the codebook"
            )
        for c in self.csat:
            if c not in rated:
                raise CodebookError(
                    f"csat column {c!r} is not an item or extra of the codebook; declare it "
                    "under 'items' or 'extras' with its scale"
                )
            if not self.item(c).bounded:
                raise CodebookError(f"csat column {c!r} needs scale end points (min, max)")
        if self.recommend is not None:
            rec = self.item(self.recommend)
            if rec.bounded and (rec.min, rec.max) != (0, 10):
                raise CodebookError(
                    f"recommend column {self.recommend!r} must be on the 0-10 scale, "
                    f"got {_num_out(rec.min)}-{_num_out(rec.max)}"
                )
        if isinstance(self.header_row, bool) or not isinstance(self.header_row, int):
            raise CodebookError(f"header_row must be a whole number, got {self.header_row!r}")
        if self.header_row < 1:
            raise CodebookError(f"header_row is a 1-based row number, got {self.header_row}")

        with_construct = [e.name for e in self.entries if e.construct is not None]
        if with_construct and len(with_construct) < len(self.entries):
            orphan = next(e.name for e in self.entries if e.construct is None)
            raise CodebookError(
                f"item {orphan!r} has no construct while other items have one; give it a "
                "construct or move it to 'extras'"
            )
        for e in (*self.entries, *self.extras):
            if (e.min is None) != (e.max is None):
                raise CodebookError(
                    f"item {e.name!r}: give both scale end points (min and max) or neither"
                )
            if e.min is not None and e.max is not None:
                if e.min >= e.max:
                    raise CodebookError(
                        f"item {e.name!r}: scale minimum {_num_out(e.min)} must be below "
                        f"maximum {_num_out(e.max)}"
                    )
                inside = [c for c in e.missing if e.min <= c <= e.max]
                if inside:
                    raise CodebookError(
                        f"item {e.name!r}: missing code {_num_out(inside[0])} lies inside its "
                        f"scale {_num_out(e.min)}-{_num_out(e.max)}; it could be a real answer"
                    )
            elif e.reverse:
                raise CodebookError(
                    f"item {e.name!r} is reverse-coded but has no scale end points (min, max)"
                )
        labelled = [c for c, _, _ in self.construct_labels]
        if len(set(labelled)) != len(labelled):
            raise CodebookError("a construct is declared twice under 'constructs'")
        used = {e.construct for e in self.entries}
        empty = [c for c in labelled if c not in used]
        if empty:
            raise CodebookError(
                f"construct {empty[0]!r} has no items (no item names it as its construct)"
            )

    # ------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Codebook:
        """Build from a mapping laid out like the YAML file (see the module docstring).

        Examples
        --------
        Codebook-wide defaults (``scale``, ``missing``) fill in each item's entry:

        >>> from csi import Codebook
        >>> cb = Codebook.from_dict({
        ...     "id": "respondent_id", "scale": {"min": 1, "max": 10}, "missing": [99],
        ...     "items": {"SAT1": {"construct": "Satisfaction"},
        ...               "SAT2": {"construct": "Satisfaction", "reverse": True}},
        ... })
        >>> cb.items, cb.indicators
        (('SAT1', 'SAT2'), {'Satisfaction': ('SAT1', 'SAT2')})
        >>> sat2 = cb.item("SAT2")
        >>> sat2.min, sat2.max, sat2.reverse, sat2.missing
        (1.0, 10.0, True, (99.0,))
        """
        return cls(**_codebook_fields(d))

    @classmethod
    def from_yaml(cls, path: str | Path) -> Codebook:
        """Read a codebook from a YAML file (UTF-8)."""
        import yaml

        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CodebookError(f"codebook file not found: {p}") from None
        try:
            d = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CodebookError(f"{p}: not valid YAML: {exc}") from None
        try:
            return cls.from_dict(d)
        except CodebookError as exc:
            raise CodebookError(f"{p}: {exc}") from None

    @classmethod
    def infer(
        cls,
        data: pd.DataFrame,
        *,
        id: str | None = None,
        scale: tuple[float, float] | None = None,
        missing_codes: Iterable[float] = (),
        labels: Mapping[str, str] | None = None,
    ) -> Codebook:
        """A minimal codebook: every numeric column except ``id`` is an item without construct.

        ``labels`` (column -> English label, e.g. SPSS variable labels) label the items.
        """
        names = [
            str(c)
            for c in data.columns
            if c != id
            and pd.api.types.is_numeric_dtype(data[c])
            and not pd.api.types.is_bool_dtype(data[c])
        ]
        if not names:
            raise CodebookError("no numeric columns to use as items and no codebook given")
        labels = labels or {}
        d: dict[str, Any] = {
            "items": {c: ({"label_en": labels[c]} if labels.get(c) else {}) for c in names},
            "missing": list(missing_codes),
        }
        if id is not None:
            d["id"] = id
        if scale is not None:
            d["scale"] = list(scale)
        return cls.from_dict(d)

    def to_dict(self) -> dict[str, Any]:
        """The codebook as a plain mapping (YAML layout); defaults are not repeated per item."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.private:
            out["private"] = list(self.private)
        if self.free_text:
            out["free_text"] = list(self.free_text)
        if self.segments:
            out["segments"] = list(self.segments)
        if self.period is not None:
            out["period"] = self.period
        if self.recommend is not None:
            out["recommend"] = self.recommend
        if self.csat:
            out["csat"] = list(self.csat) if len(self.csat) > 1 else self.csat[0]
        if self.weight is not None:
            out["weight"] = self.weight
        if self.weight_kind != "sampling":
            out["weight_kind"] = self.weight_kind
        if self.strata is not None:
            out["strata"] = self.strata
        if self.cluster is not None:
            out["cluster"] = self.cluster
        if self.replicate_weights:
            out["replicate_weights"] = list(self.replicate_weights)
        if self.replicate_type is not None:
            out["replicate_type"] = self.replicate_type
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.header_row != 1:
            out["header_row"] = self.header_row
        if self.decimal_answers:
            out["decimal_answers"] = True
        if self.scale != (None, None):
            out["scale"] = {"min": _num_out(self.scale[0]), "max": _num_out(self.scale[1])}
        if self.missing_codes or self.missing_text:
            out["missing"] = [_num_out(c) for c in self.missing_codes] + list(self.missing_text)
        if self.construct_labels:
            out["constructs"] = {
                c: {k: v for k, v in (("label_en", en), ("label_zh", zh)) if v}
                for c, en, zh in self.construct_labels
            }

        def entry(e: ItemInfo) -> dict[str, Any]:
            x: dict[str, Any] = {}
            if e.construct is not None:
                x["construct"] = e.construct
            if e.min != self.scale[0]:
                x["min"] = _num_out(e.min)
            if e.max != self.scale[1]:
                x["max"] = _num_out(e.max)
            if e.reverse:
                x["reverse"] = True
            if e.missing != self.missing_codes or e.missing_text != self.missing_text:
                x["missing"] = [_num_out(c) for c in e.missing] + list(e.missing_text)
            if e.label_en:
                x["label_en"] = e.label_en
            if e.label_zh:
                x["label_zh"] = e.label_zh
            return x

        out["items"] = {e.name: entry(e) for e in self.entries}
        if self.extras:
            out["extras"] = {e.name: entry(e) for e in self.extras}
        return out

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The codebook as YAML text (Chinese kept readable); written to ``path`` if given."""
        import yaml

        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ----------------------------------------------------------------- queries
    @property
    def items(self) -> tuple[str, ...]:
        """Names of the model items, in codebook order."""
        return tuple(e.name for e in self.entries)

    @property
    def extra_items(self) -> tuple[str, ...]:
        """Names of rated questions outside the model (e.g. ``recommend``)."""
        return tuple(e.name for e in self.extras)

    @property
    def constructs(self) -> tuple[str, ...]:
        """Construct names in order (declared order, then order of first use)."""
        return tuple(c for c, _, _ in self.construct_labels)

    @property
    def indicators(self) -> dict[str, tuple[str, ...]]:
        """Construct -> its items, ready for :class:`csi.ModelSpec`."""
        return {c: self.items_of(c) for c in self.constructs}

    def items_of(self, construct: str) -> tuple[str, ...]:
        """The items measuring ``construct``; raises for an unknown construct."""
        if construct not in self.constructs:
            raise CodebookError(
                f"unknown construct {construct!r}; the codebook has {list(self.constructs)}"
            )
        return tuple(e.name for e in self.entries if e.construct == construct)

    def item(self, name: str) -> ItemInfo:
        """The entry of item or extra ``name``."""
        for e in (*self.entries, *self.extras):
            if e.name == name:
                return e
        raise CodebookError(f"{name!r} is not an item of the codebook")

    def label(self, name: str, lang: str = "en") -> str:
        """Label of an item, extra or construct in ``lang`` ("en" or "zh"); else the name."""
        check_lang(lang)
        for c, en, zh in self.construct_labels:
            if c == name:
                return {"en": en, "zh": zh}[lang] or c
        return self.item(name).label(lang)

    @property
    def hidden_columns(self) -> tuple[str, ...]:
        """The columns that never reach a result, table, figure or file: the personal
        (``private``) and ``free_text`` columns and the respondent ``id``."""
        return (*self.private, *self.free_text, *(() if self.id is None else (self.id,)))

    @property
    def known_columns(self) -> tuple[str, ...]:
        """Every column the codebook declares."""
        cols = [*self.items, *self.extra_items]
        if self.id is not None:
            cols.append(self.id)
        cols += list(self.private)
        cols += list(self.free_text)
        cols += list(self.segments)
        if self.period is not None:
            cols.append(self.period)
        for c in (self.weight, self.strata, self.cluster, *self.replicate_weights):
            if c is not None:
                cols.append(c)
        return tuple(cols)

    def public_columns(self, columns: Iterable[Any], *, keep_id: bool = False) -> list[Any]:
        """``columns`` without the personal and free-text columns (and the id unless ``keep_id``).

        Use it before anything reaches a result table or report.
        """
        banned = set(self.hidden_columns)
        if keep_id and self.id is not None:
            banned.discard(self.id)
        return [c for c in columns if c not in banned]

    def strip_private(self, frame: pd.DataFrame, *, keep_id: bool = False) -> pd.DataFrame:
        """A copy of ``frame`` without personal and free-text columns (and the id unless
        ``keep_id``).

        With pandas' copy-on-write (pandas 3) the selection already behaves as a copy
        (changing either frame leaves the other as it was), so the columns are not
        duplicated in memory; without it, a deep copy."""
        kept = frame.loc[:, self.public_columns(frame.columns, keep_id=keep_id)]
        return kept if copy_on_write() else kept.copy()

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per item and extra: item, construct, min, max, reverse, missing, label."""
        check_lang(lang)
        rows = [
            {
                "item": e.name,
                "construct": e.construct,
                "min": e.min,
                "max": e.max,
                "reverse": e.reverse,
                "missing": ", ".join([str(_num_out(c)) for c in e.missing] + list(e.missing_text)),
                "label": e.label(lang),
                "kind": kind,
            }
            for kind, group in (("item", self.entries), ("extra", self.extras))
            for e in group
        ]
        return pd.DataFrame(rows)

    def summary(self, lang: str = "en") -> Summary:
        """A short text table of the items."""
        head = text("codebook.head", check_lang(lang), n=len(self.entries))
        if self.constructs:
            head += text("codebook.constructs", lang, k=len(self.constructs))
        if self.extras:
            head += text("codebook.extras", lang, k=len(self.extras))
        frame = self.to_frame(lang)
        return Summary(
            head + "\n" + frame.to_string(index=False),
            title=head,
            tables={"items": frame},
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html

    def __repr__(self) -> str:
        return (
            f"Codebook(items={len(self.entries)}, constructs={list(self.constructs)}, "
            f"id={self.id!r}, private={list(self.private)}, segments={list(self.segments)}, "
            f"period={self.period!r}, recommend={self.recommend!r}, csat={list(self.csat)})"
        )
