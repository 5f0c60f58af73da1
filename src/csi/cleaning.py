"""Cleaning the columns of a survey, for :func:`csi.survey.read_survey`, and the
:class:`CleaningReport` of what it changed.

One item's answers (:func:`clean_item`): blank cells, numeric and text missing codes,
values outside the scale, infinite values, stray decimals on a rating scale, reverse
coding, each counted for the report. The survey weights and design columns
(:func:`_check_weights`, :func:`check_design_columns`). Every problem raises a
:class:`csi.survey_files.SurveyError` naming the row as it is seen in the file. The
order of the steps is described in :mod:`csi.survey`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi._checks import check_choice
from csi.codebook import Codebook, ItemInfo
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.survey_files import Place, SurveyError, show, where

__all__ = ["CleaningReport"]


# ---------------------------------------------------------------------------- report
@dataclass(frozen=True)
class CleaningReport:
    """What :func:`csi.survey.read_survey` changed, counted per item and per respondent.

    Attributes
    ----------
    items:
        One row per item: ``item, construct, n_answers`` (numeric answers read),
        ``blank`` (empty cells), ``set_missing`` (missing codes set to NaN),
        ``out_of_scale`` (values outside the scale set to NaN), ``recoded``
        (reverse-coded answers), ``replaced`` (cells filled by mean replacement),
        ``n_missing`` (missing cells left in the cleaned data).
    respondents:
        One row per input respondent: ``row`` (1-based data row), ``file_row`` (the
        row as seen in the file: spreadsheet row number, CSV line; ``row`` for a
        DataFrame), ``id``,
        ``n_missing`` (missing model items after coding), ``n_replaced``,
        ``excluded`` and ``reason``.
    """

    source: str
    missing: str
    n_input: int
    items: pd.DataFrame
    respondents: pd.DataFrame
    unknown_columns: tuple[str, ...] = ()

    @property
    def excluded(self) -> pd.DataFrame:
        """The excluded respondents: row, id, n_missing, reason."""
        r = self.respondents
        return r.loc[r["excluded"], ["row", "id", "n_missing", "reason"]].reset_index(drop=True)

    @property
    def n_excluded(self) -> int:
        return int(self.respondents["excluded"].sum())

    @property
    def n_kept(self) -> int:
        return self.n_input - self.n_excluded

    @property
    def n_affected(self) -> int:
        """Respondents with at least one missing model item (after coding)."""
        return int((self.respondents["n_missing"] > 0).sum())

    def to_frame(self, what: str = "items") -> pd.DataFrame:
        """``"items"`` (per item counts), ``"respondents"`` or ``"excluded"`` as a DataFrame."""
        check_choice(what, ("items", "respondents", "excluded"), name="what")
        if what == "items":
            return self.items.copy()
        if what == "respondents":
            return self.respondents.copy()
        return self.excluded

    def summary(self, *, lang: str = "en") -> Summary:
        """A few lines: respondents read, kept and excluded; cells recoded and set missing."""
        t = phrases("cleaning", check_lang(lang))
        it = self.items
        counts = [
            ("read", self.n_input),
            ("kept", self.n_kept),
            ("excluded", self.n_excluded),
            ("affected", self.n_affected),
            ("set_missing", int(it["set_missing"].sum())),
            ("blank", int(it["blank"].sum())),
            ("out_of_scale", int(it["out_of_scale"].sum())),
            ("recoded", int(it["recoded"].sum())),
            ("replaced", int(it["replaced"].sum())),
        ]
        title = t["title"].format(source=self.source, missing=repr(self.missing))
        lines = [title] + [f"  {_pad(t[k], 22)}{v}" for k, v in counts]
        if self.unknown_columns:
            lines.append("  " + t["unknown"].format(columns=", ".join(self.unknown_columns)))
        changed = it[(it[["set_missing", "blank", "out_of_scale", "replaced"]].sum(axis=1)) > 0]
        tables = {}
        if len(changed):
            lines.append("  " + t["per_item"])
            cols = ["item", "blank", "set_missing", "out_of_scale", "replaced", "n_missing"]
            tables["items"] = changed[cols].reset_index(drop=True)
            lines += ["    " + s for s in changed[cols].to_string(index=False).splitlines()]
        return Summary.plain("\n".join(lines), title=title, tables=tables, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


def _pad(label: str, width: int) -> str:
    """``label`` padded to ``width`` display columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)
    return label + " " * max(width - used, 1)


# ---------------------------------------------------------------------------- cleaning
def _blank(s: pd.Series) -> np.ndarray:
    blank = s.isna().to_numpy()
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        stripped = s.astype("string").str.strip()
        blank = blank | (stripped == "").fillna(True).to_numpy(dtype=bool)
    return blank


def _numeric(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    return pd.to_numeric(s.astype("string").str.strip(), errors="coerce").astype(float)


def _text_code(s: pd.Series, codes: tuple[str, ...]) -> np.ndarray:
    """Cells whose stripped text is one of ``codes`` (case-insensitive)."""
    if not codes or pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return np.zeros(len(s), dtype=bool)
    folded = {c.casefold() for c in codes}
    text = s.astype("string").str.strip().str.casefold()
    return text.isin(folded).fillna(False).to_numpy(dtype=bool)


def format_number(x: float) -> str:
    """``x`` for a message: a whole number without decimals, else Python's repr."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_design_columns(
    raw: pd.DataFrame, cb: Codebook, name: str, ids: pd.Series | None, place: Place
) -> dict[str, pd.Series]:
    """The weight columns (full-sample and replicate) as float, after checking them and
    the design columns (frequency weights whole numbers, strata and clusters present);
    raise naming the row of a bad value."""
    weights: dict[str, pd.Series] = {}
    for col in (cb.weight, *cb.replicate_weights):
        if col is not None:
            weights[col] = _check_weights(raw[col], col, name, ids, cb, place)
    if cb.weight is not None and cb.weight_kind == "frequency":
        w = weights[cb.weight].to_numpy()
        frac = np.flatnonzero(w != np.round(w))
        if frac.size:
            pos = int(frac[0])
            raise SurveyError(
                f"{name}: frequency weight column {cb.weight!r} has a non-integer count "
                f"({show(raw[cb.weight].iloc[pos])}) at {where(pos, ids, cb.id, place)}"
            )
    for col in (cb.strata, cb.cluster):
        if col is not None:
            gap = np.flatnonzero(_blank(raw[col]))
            if gap.size:
                pos = int(gap[0])
                raise SurveyError(
                    f"{name}: design column {col!r} has no value at {where(pos, ids, cb.id, place)}"
                )
    return weights


def _check_weights(
    s: pd.Series, col: str, name: str, ids: pd.Series | None, cb: Codebook, place: Place
) -> pd.Series:
    """The survey-weight column as float; raise naming the row of a bad weight.

    Weights must be present, numeric, finite and not negative; zero is allowed.
    """
    blank = _blank(s)
    num = _numeric(s)
    values = num.to_numpy()
    checks = (
        (blank, "no weight"),
        (np.isnan(values) & ~blank, "a non-numeric weight"),
        (np.isinf(values), "an infinite weight"),
        (~np.isnan(values) & (values < 0), "a negative weight"),
    )
    for bad, what in checks:
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise SurveyError(
                f"{name}: weight column {col!r} has {what} ({show(s.iloc[pos])}) at "
                f"{where(pos, ids, cb.id, place)}"
            )
    return num.astype(float)


def clean_item(
    s: pd.Series,
    info: ItemInfo,
    spss_missing: Mapping[str, list[float]],
    name: str,
    ids: pd.Series | None,
    cb: Codebook,
    out_of_scale: str,
    place: Place,
    decimals: bool = False,
) -> tuple[pd.Series, dict[str, int]]:
    """Cleaned float column and counts for one item.

    Numeric codes (also written as text, ``"99"``) and text codes (``不知道``, matched
    stripped and case-insensitively) become NaN and are counted in ``set_missing``.
    """
    col = info.name
    blank = _blank(s)
    num = _numeric(s)
    codes = list(info.missing) + [c for c in spss_missing.get(col, []) if c not in info.missing]
    declared = ", ".join([format_number(c) for c in codes] + list(info.missing_text)) or "none"
    text_code = _text_code(s, info.missing_text) & ~blank
    bad = num.isna().to_numpy() & ~blank & ~text_code
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise SurveyError(
            f"{name}: column {col!r} has a non-numeric answer {show(s.iloc[pos])} at "
            f"{where(pos, ids, cb.id, place)}, not a declared missing code "
            f"(declared: {declared})"
        )
    is_code = num.isin(codes).to_numpy() if codes else np.zeros(len(num), dtype=bool)
    is_code = is_code | text_code
    values = num.to_numpy()
    oos = np.zeros(len(num), dtype=bool)
    if info.bounded:
        assert info.min is not None and info.max is not None
        with np.errstate(invalid="ignore"):
            oos = ~is_code & ~np.isnan(values) & ((values < info.min) | (values > info.max))
        if oos.any() and out_of_scale == "error":
            pos = int(np.flatnonzero(oos)[0])
            raise SurveyError(
                f"{name}: column {col!r} has value {format_number(values[pos])} at "
                f"{where(pos, ids, cb.id, place)}, outside the scale "
                f"{format_number(info.min)}-{format_number(info.max)} "
                "and not a declared missing code "
                f"(declared: {declared})"
            )
    inf = np.isinf(values) & ~oos & ~is_code
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise SurveyError(
            f"{name}: column {col!r} has an infinite value at {where(pos, ids, cb.id, place)}"
        )
    if (
        not decimals
        and info.min is not None
        and info.max is not None
        and float(info.min).is_integer()
    ):
        with np.errstate(invalid="ignore"):
            frac = ~is_code & ~oos & np.isfinite(values) & (values != np.round(values))
        if frac.any():
            pos = int(np.flatnonzero(frac)[0])
            raise SurveyError(
                f"{name}: column {col!r} has the answer {format_number(values[pos])} at "
                f"{where(pos, ids, cb.id, place)}, not a whole number on the rating scale "
                f"{format_number(info.min)}-{format_number(info.max)}; "
                "if decimal answers are real (a slider), "
                "add `decimal_answers: true` to the codebook"
            )
    clean = num.mask(is_code | oos)
    recoded = 0
    if info.reverse:
        assert info.min is not None and info.max is not None
        clean = info.min + info.max - clean
        recoded = int(clean.notna().sum())
    counts = {
        "n_answers": int((~blank).sum()),
        "blank": int(blank.sum()),
        "set_missing": int(is_code.sum()),
        "out_of_scale": int(oos.sum()),
        "recoded": recoded,
    }
    return clean.astype(float), counts
