"""Reading a codebook mapping (the YAML layout of :mod:`csi.codebook`) into checked values.

The pieces a :class:`csi.codebook.Codebook` is built from: :class:`CodebookError`, one
item's entry (:class:`ItemInfo`), the checks of single values (column names, numbers,
missing-value codes, flags) and :func:`_codebook_fields`, which turns the whole mapping
into the Codebook's fields with the codebook-wide defaults applied to every item.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from csi._checks import CsiInputError
from csi.i18n import check_lang

__all__ = ["CodebookError", "ItemInfo"]


class CodebookError(CsiInputError):
    """An inconsistent codebook (the message names the item, construct or key at fault)."""


_ITEM_KEYS = {"construct", "min", "max", "reverse", "missing", "label_en", "label_zh", "name"}
_TOP_KEYS = {
    "id",
    "private",
    "free_text",
    "segments",
    "period",
    "recommend",
    "csat",
    "weight",
    "weight_kind",
    "strata",
    "cluster",
    "replicate_weights",
    "replicate_type",
    "sheet",
    "header_row",
    "decimal_answers",
    "scale",
    "missing",
    "constructs",
    "items",
    "extras",
}


@dataclass(frozen=True)
class ItemInfo:
    """One column of rated answers: its construct, scale, coding and labels.

    ``min``/``max`` of ``None`` mean an open scale (no range check; continuous data).
    """

    name: str
    construct: str | None = None
    min: float | None = None
    max: float | None = None
    reverse: bool = False
    missing: tuple[float, ...] = ()
    label_en: str = ""
    label_zh: str = ""
    missing_text: tuple[str, ...] = ()
    """Text answers that mean "no answer" (e.g. ``不知道``, ``n/a``), matched after
    stripping blanks, case-insensitively."""

    def label(self, lang: str = "en") -> str:
        """The item's label in ``lang`` ("en" or "zh"), falling back to its name."""
        text = {"en": self.label_en, "zh": self.label_zh}[check_lang(lang)]
        return text or self.name

    @property
    def bounded(self) -> bool:
        """True when both scale end points are set."""
        return self.min is not None and self.max is not None


def _as_names(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise CodebookError(f"codebook key {key!r} must be a column name or a list of names")
    return tuple(str(v) for v in value)


def _as_number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CodebookError(f"{what} must be a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise CodebookError(f"{what} must be a number, got {value!r}") from None
    if math.isnan(out):
        raise CodebookError(f"{what} must be a number, got NaN")
    return out


def _split_codes(value: Any, what: str) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """Missing-value codes as (numbers, texts): ``[99, "不知道"]`` -> ``((99.0,), ("不知道",))``.

    A text that reads as a number (``"99"``) is the number.
    """
    if value is None:
        return (), ()
    if not isinstance(value, Iterable) or isinstance(value, str):
        value = [value]
    numbers: list[float] = []
    texts: list[str] = []
    for v in value:
        if isinstance(v, str):
            t = v.strip()
            if not t:
                raise CodebookError(f"{what} missing code is an empty text")
            try:
                numbers.append(float(t))
            except ValueError:
                texts.append(t)
            continue
        number = _as_number(v, f"{what} missing code")
        if number is not None:
            numbers.append(number)
    return tuple(numbers), tuple(texts)


def _as_flag(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise CodebookError(f"codebook {key!r} must be true or false, got {value!r}")
    return value


def _num_out(x: float | None) -> int | float | None:
    """A YAML-friendly number: 10.0 -> 10."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


def _codebook_fields(d: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a :class:`csi.codebook.Codebook` read from a mapping laid out like
    the YAML file; raises :class:`CodebookError` naming the key or item at fault.
    """
    if not isinstance(d, Mapping):
        raise CodebookError(f"a codebook must be a mapping, got {type(d).__name__}")
    unknown = sorted(set(d) - _TOP_KEYS)
    if unknown:
        raise CodebookError(f"unknown codebook key {unknown[0]!r}; known keys: {sorted(_TOP_KEYS)}")
    scale = d.get("scale") or {}
    if isinstance(scale, Sequence) and not isinstance(scale, str) and len(scale) == 2:
        scale = {"min": scale[0], "max": scale[1]}
    if not isinstance(scale, Mapping):
        raise CodebookError("codebook 'scale' must be {min: ..., max: ...} or [min, max]")
    smin = _as_number(scale.get("min"), "codebook scale min")
    smax = _as_number(scale.get("max"), "codebook scale max")
    codes, text_codes = _split_codes(d.get("missing"), "codebook")

    def entries(key: str) -> tuple[ItemInfo, ...]:
        raw = d.get(key) or {}
        if isinstance(raw, Mapping):
            pairs = [(str(k), v or {}) for k, v in raw.items()]
        elif isinstance(raw, Sequence) and not isinstance(raw, str):
            pairs = []
            for v in raw:
                if isinstance(v, str):
                    pairs.append((v, {}))
                elif isinstance(v, Mapping) and "name" in v:
                    pairs.append((str(v["name"]), v))
                else:
                    raise CodebookError(
                        f"each entry of {key!r} must be a name or a mapping with 'name'"
                    )
        else:
            raise CodebookError(f"codebook {key!r} must be a mapping or a list")
        out = []
        for name, spec in pairs:
            if not isinstance(spec, Mapping):
                raise CodebookError(f"item {name!r}: expected a mapping, got {spec!r}")
            bad = sorted(set(spec) - _ITEM_KEYS)
            if bad:
                raise CodebookError(
                    f"item {name!r}: unknown key {bad[0]!r}; known keys: "
                    f"{sorted(_ITEM_KEYS - {'name'})}"
                )
            construct = spec.get("construct")
            if "missing" in spec:
                item_codes, item_text = _split_codes(spec["missing"], f"item {name!r}")
            else:
                item_codes, item_text = codes, text_codes
            out.append(
                ItemInfo(
                    name=name,
                    construct=None if construct is None else str(construct),
                    min=_as_number(spec["min"], f"item {name!r} min") if "min" in spec else smin,
                    max=_as_number(spec["max"], f"item {name!r} max") if "max" in spec else smax,
                    reverse=bool(spec.get("reverse", False)),
                    missing=item_codes,
                    label_en=str(spec.get("label_en") or ""),
                    label_zh=str(spec.get("label_zh") or ""),
                    missing_text=item_text,
                )
            )
        return tuple(out)

    items = entries("items")
    extras = entries("extras")
    for key in (
        "id",
        "period",
        "recommend",
        "weight",
        "strata",
        "cluster",
        "weight_kind",
        "replicate_type",
    ):
        if d.get(key) is not None and not isinstance(d.get(key), str):
            raise CodebookError(f"codebook {key!r} must be a single column name")
    recommend = d.get("recommend")
    if recommend is not None and recommend not in {e.name for e in (*items, *extras)}:
        # the NPS question on its 0-10 scale, with the codebook-wide missing codes
        extras = (
            *extras,
            ItemInfo(name=recommend, min=0.0, max=10.0, missing=codes, missing_text=text_codes),
        )
    sheet = d.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        raise CodebookError(f"codebook 'sheet' must be a sheet name or number, got {sheet!r}")
    cons = d.get("constructs") or {}
    if isinstance(cons, Sequence) and not isinstance(cons, str):
        cons = {str(c): {} for c in cons}
    if not isinstance(cons, Mapping):
        raise CodebookError("codebook 'constructs' must be a mapping or a list of names")
    labels = []
    for c, spec in cons.items():
        spec = spec or {}
        labels.append((str(c), str(spec.get("label_en") or ""), str(spec.get("label_zh") or "")))
    declared = {c for c, _, _ in labels}
    for e in items:
        if e.construct is not None and e.construct not in declared:
            declared.add(e.construct)
            labels.append((e.construct, "", ""))
    return dict(
        entries=items,
        extras=extras,
        id=d.get("id"),
        private=_as_names(d.get("private"), "private"),
        segments=_as_names(d.get("segments"), "segments"),
        period=d.get("period"),
        scale=(smin, smax),
        missing_codes=codes,
        construct_labels=tuple(labels),
        free_text=_as_names(d.get("free_text"), "free_text"),
        recommend=recommend,
        csat=_as_names(d.get("csat"), "csat"),
        weight=d.get("weight"),
        weight_kind=d.get("weight_kind") or "sampling",
        strata=d.get("strata"),
        cluster=d.get("cluster"),
        replicate_weights=_as_names(d.get("replicate_weights"), "replicate_weights"),
        replicate_type=d.get("replicate_type"),
        sheet=sheet,
        header_row=d.get("header_row", 1),
        decimal_answers=_as_flag(d.get("decimal_answers", False), "decimal_answers"),
        missing_text=text_codes,
    )
