"""Reading and cleaning a survey: :func:`read_survey` -> :class:`Survey`.

Cleaning, item by item, in this order:

1. blank cells stay missing;
2. declared missing-value codes become NaN: numbers (``99`` = don't know, also
   when written as text) and texts (``不知道``, ``n/a``: stripped, any case);
   any other non-numeric answer is an error;
3. a value outside the scale that is not a missing code is an error
   (or, with ``out_of_scale="missing"``, becomes NaN and is counted);
4. reverse-coded items are recoded ``x' = min + max - x``;
5. missing answers of the model items are handled by ``missing``:
   ``"listwise"`` drops respondents with any missing model item,
   ``"pairwise"`` keeps them (estimators use pairwise-complete covariances),
   ``"mean"`` replaces a missing answer by the item mean of the observed answers,
   ``"keep"`` keeps them untouched.

Every recode, missing cell and excluded respondent is counted in the
:class:`CleaningReport`; nothing is dropped silently and nothing is printed.
The caller's DataFrame is never modified.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, DataWarning, check_choice, copy_on_write
from csi.cleaning import CleaningReport, check_design_columns, clean_item, format_number
from csi.codebook import Codebook, CodebookError, ItemInfo
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.survey_files import SurveyError, load_table, not_found, show, where, where_rows

__all__ = [
    "MISSING_METHODS",
    "CleaningReport",
    "Codebook",
    "CodebookError",
    "ItemInfo",
    "Survey",
    "SurveyError",
    "read_survey",
]

log = logging.getLogger(__name__)

MISSING_METHODS = ("listwise", "pairwise", "mean", "keep")


# ---------------------------------------------------------------------------- survey
@dataclass(frozen=True)
class Survey:
    """A cleaned survey: data, codebook and the report of what cleaning did.

    ``data`` holds every input column (personal ones too, for joins); items are
    float with missing codes as NaN and reverse-coded items recoded, and the
    missing-data policy ``missing`` is applied to the model items (listwise:
    incomplete respondents left out; mean: missing answers replaced).
    ``responses`` holds every respondent read, cleaned the same way but *before*
    the missing-data policy: figures that do not need the model (NPS, CSAT, item
    means, shares) use it, each on the respondents who answered its question.
    Use :meth:`public_data` for anything shown to people.
    """

    data: pd.DataFrame
    codebook: Codebook
    report: CleaningReport
    missing: str = "listwise"
    source: str = "data"
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    """Value labels read from an SPSS file (column -> value -> label)."""
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    """Variable labels read from an SPSS file (column -> label)."""
    responses: pd.DataFrame | None = field(default=None, repr=False)
    """Every respondent read, cleaned, before the missing-data policy (None: same as
    ``data``); read it through :meth:`all_responses`."""

    def all_responses(self) -> pd.DataFrame:
        """Every respondent read (cleaned, missing answers as NaN), before the policy.

        The frame is the survey's own: copy it before changing it.

        Examples
        --------
        >>> import pandas as pd
        >>> from csi import read_survey
        >>> df = pd.DataFrame({"q1": [5, 4, 99, 2], "q2": [1, 2, 4, 5]})
        >>> survey = read_survey(df, {"missing": [99], "items": {"q1": {}, "q2": {}}})
        >>> survey.all_responses()["q1"].tolist(), survey.data["q1"].tolist()
        ([5.0, 4.0, nan, 2.0], [5.0, 4.0, 2.0])
        """
        return self.data if self.responses is None else self.responses

    @property
    def n_read(self) -> int:
        """Respondents read (kept and excluded)."""
        return len(self.all_responses())

    @property
    def recommend(self) -> str | None:
        """The 0-10 recommendation column named by the codebook (``recommend:``)."""
        return self.codebook.recommend

    @property
    def csat(self) -> tuple[str, ...]:
        """The CSAT item(s) named by the codebook (``csat:``)."""
        return self.codebook.csat

    @property
    def weight(self) -> str | None:
        """The survey-weight column named by the codebook (``weight:``)."""
        return self.codebook.weight

    @property
    def items(self) -> tuple[str, ...]:
        """The model items."""
        return self.codebook.items

    @property
    def extra_items(self) -> tuple[str, ...]:
        return self.codebook.extra_items

    @property
    def constructs(self) -> tuple[str, ...]:
        return self.codebook.constructs

    @property
    def indicators(self) -> dict[str, tuple[str, ...]]:
        """Construct -> items, ready for :class:`csi.ModelSpec`."""
        return self.codebook.indicators

    @property
    def segments(self) -> tuple[str, ...]:
        """Segment columns present in the data."""
        return tuple(s for s in self.codebook.segments if s in self.data.columns)

    @property
    def period(self) -> str | None:
        p = self.codebook.period
        return p if p is not None and p in self.data.columns else None

    @property
    def ids(self) -> pd.Series | None:
        """The respondent ids (or None when the codebook names no id column)."""
        return None if self.codebook.id is None else self.data[self.codebook.id]

    @property
    def n(self) -> int:
        """Respondents kept."""
        return len(self.data)

    @property
    def n_excluded(self) -> int:
        return self.report.n_excluded

    @property
    def pairwise(self) -> bool:
        """True when estimators should use pairwise-complete covariances."""
        return self.missing == "pairwise"

    def public_data(self, *, all_respondents: bool = False) -> pd.DataFrame:
        """A copy of the data without the id, the personal and the free-text columns.

        ``all_respondents=True`` gives every respondent read, before the missing-data
        policy (see :meth:`all_responses`).

        Examples
        --------
        >>> import pandas as pd
        >>> from csi import read_survey
        >>> df = pd.DataFrame({"id": ["a", "b"], "phone": ["555-01", "555-02"], "q1": [4, 5]})
        >>> survey = read_survey(df, {"id": "id", "private": ["phone"], "items": {"q1": {}}})
        >>> survey.public_data().columns.tolist()
        ['q1']
        """
        frame = self.all_responses() if all_respondents else self.data
        return self.codebook.strip_private(frame, keep_id=False)

    def item_data(self) -> pd.DataFrame:
        """A copy of the model items only."""
        return self.data.loc[:, list(self.items)].copy()

    def summary(self, *, lang: str = "en") -> Summary:
        """One line on the survey, then the cleaning report's summary."""
        t = phrases("survey", check_lang(lang))
        head = t["head"].format(
            source=self.source, n=self.n, excluded=self.n_excluded, items=len(self.items)
        )
        if self.constructs:
            head += t["constructs"].format(k=len(self.constructs))
        report = self.report.summary(lang=lang)
        return Summary.plain(head + "\n" + report, title=head, tables=report.tables, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html

    def __repr__(self) -> str:
        return (
            f"Survey(source={self.source!r}, n={self.n}, excluded={self.n_excluded}, "
            f"items={len(self.items)}, missing={self.missing!r})"
        )


# ---------------------------------------------------------------------------- reading
def _source_name(source: Any) -> str:
    return "the DataFrame" if isinstance(source, pd.DataFrame) else str(source)


def read_survey(
    source: Any,
    codebook: Codebook | Mapping[str, Any] | str | Path | None = None,
    *,
    missing: str = "listwise",
    strict: bool = False,
    out_of_scale: str = "error",
    constant: str = "error",
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    id: str | None = None,
    scale: tuple[float, float] | None = None,
    missing_codes: tuple[float, ...] = (),
) -> Survey:
    """Read a survey file or DataFrame, check it against the codebook and clean it.

    Parameters
    ----------
    source:
        Path to a ``.csv``, ``.xlsx`` (openpyxl), ``.sav`` (pyreadstat; value labels
        kept in :attr:`Survey.value_labels`, SPSS discrete missing values honoured) or
        ``.parquet`` file, or a DataFrame (copied, never modified).
    codebook:
        A :class:`Codebook`, a mapping, or a path to a YAML codebook. ``None`` builds a
        minimal one (:meth:`Codebook.infer`): every numeric column except ``id`` is an
        item on the scale ``scale`` (open if None) with the codes ``missing_codes``.
    missing:
        ``"listwise"`` (default), ``"pairwise"``, ``"mean"`` or ``"keep"``; see the
        module docstring. Applies to the model items only.
    strict:
        If True, a data column the codebook does not declare is an error; otherwise
        it is kept and listed in ``report.unknown_columns``.
    out_of_scale:
        ``"error"`` (default) or ``"missing"`` (set to NaN and count).
    constant:
        What to do with a model item without variance: ``"error"`` (default) or ``"warn"``.
    sheet:
        Spreadsheet sheet name or 0-based number; default the codebook's ``sheet``,
        else the first sheet.
    header_row:
        1-based row holding the column names (spreadsheet row, or CSV line: lines
        before it are skipped); default the codebook's ``header_row``, else 1.
    encoding, sep:
        Text files only: the encoding (default: UTF-8 with or without byte-order mark,
        else GB18030/GBK) and the delimiter (default: found on the header line among
        ``,`` ``;`` tab ``|``).

    Returns
    -------
    Survey
        ``data``, ``codebook`` and ``report`` (:class:`CleaningReport`).

    Notes
    -----
    The id and personal columns are read as text from CSV and Excel files, so that
    leading zeros (``007``, phone numbers) are kept. Errors name a row as it is seen in
    the file: ``row 7 of sheet '数据'`` (the spreadsheet's row number), ``row 5, line 6
    of the file`` (CSV), ``row 5`` (DataFrame: the 1-based data row).

    Examples
    --------
    A 1-5 scale with 99 = don't know and a reverse-coded item; listwise by default:

    >>> import pandas as pd
    >>> from csi import read_survey
    >>> df = pd.DataFrame({"q1": [5, 4, 99, 2], "q2": [1, 2, 4, 5]})
    >>> cb = {"scale": {"min": 1, "max": 5}, "missing": [99],
    ...       "items": {"q1": {}, "q2": {"reverse": True}}}
    >>> survey = read_survey(df, cb)
    >>> survey.n, survey.n_excluded, survey.data["q2"].tolist()
    (3, 1, [5.0, 4.0, 1.0])
    """
    check_choice(missing, MISSING_METHODS, name="missing")
    check_choice(out_of_scale, ("error", "missing"), name="out_of_scale")
    check_choice(constant, ("error", "warn"), name="constant")
    if codebook is not None and (id is not None or scale is not None or missing_codes):
        raise CsiInputError(
            "id, scale and missing_codes build a codebook when none is given; with a "
            "codebook, declare them in it"
        )
    cb: Codebook | None
    if codebook is None:
        cb = None
    elif isinstance(codebook, Codebook):
        cb = codebook
    elif isinstance(codebook, Mapping):
        cb = Codebook.from_dict(codebook)
    elif isinstance(codebook, (str, Path)):
        cb = Codebook.from_yaml(codebook)
    else:
        raise TypeError(
            f"codebook must be a Codebook, a mapping or a YAML path, got {type(codebook).__name__}"
        )
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        raise CsiInputError(f"sheet must be a sheet name or a 0-based number, got {sheet!r}")
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        raise CsiInputError(f"header_row must be a 1-based row number, got {header_row!r}")
    spreadsheet = isinstance(source, str | Path) and Path(source).suffix.lower() in (
        ".xlsx",
        ".xlsm",
    )
    if sheet is not None and not spreadsheet:
        raise CsiInputError(
            f"sheet={sheet!r} applies to spreadsheets (.xlsx); {_source_name(source)} is not one"
        )
    use_sheet = sheet if sheet is not None else (cb.sheet if cb is not None else None)
    use_header = header_row if header_row is not None else (cb.header_row if cb else 1)
    text_codes = {
        e.name: e.missing_text for e in ((*cb.entries, *cb.extras) if cb else ()) if e.missing_text
    }
    # ids and personal columns are read as text from CSV/Excel (keeps leading zeros)
    text_cols = (
        *(() if cb is None or cb.id is None else (cb.id,)),
        *(cb.private if cb else ()),
        *(cb.free_text if cb else ()),
    )
    if cb is None and id is not None:
        text_cols = (id,)
    raw, name, value_labels, var_labels, spss_missing, place = load_table(
        source, use_sheet, use_header, text_cols, text_codes, encoding=encoding, sep=sep
    )
    path = None if isinstance(source, pd.DataFrame) else Path(source)
    raw.columns = [str(c) for c in raw.columns]
    if raw.columns.duplicated().any():
        dup = list(raw.columns[raw.columns.duplicated()])
        raise SurveyError(f"{name}: duplicated column names {dup}")

    if cb is None:
        if place.short:
            raise SurveyError(
                f"{name}: sheet {place.sheet!r} ends before row {place.header_row}, where the "
                f"column names should be; the workbook's sheets: "
                f"{', '.join(map(repr, place.sheets))}"
            )
        cb = Codebook.infer(raw, id=id, scale=scale, missing_codes=missing_codes, labels=var_labels)

    # -- columns
    absent = [c for c in cb.items if c not in raw.columns]
    if absent:
        raise SurveyError(not_found(name, "item", absent, place, path, cb.items))
    declared_other = [
        c
        for c in (
            *cb.extra_items,
            *cb.private,
            *cb.free_text,
            *cb.segments,
            cb.period,
            cb.id,
            cb.weight,
            cb.strata,
            cb.cluster,
            *cb.replicate_weights,
        )
        if c is not None and c not in raw.columns
    ]
    if declared_other:
        raise SurveyError(not_found(name, "column", declared_other, place, None, ()))
    unknown = tuple(c for c in raw.columns if c not in cb.known_columns)
    if unknown and strict:
        raise SurveyError(
            f"{name}: column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} not in the codebook (strict=True)"
        )

    # -- respondent ids
    ids: pd.Series | None = None
    if cb.id is not None:
        ids = raw[cb.id]
        if ids.isna().any():
            pos = int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise SurveyError(
                f"{name}: column {cb.id!r} has no respondent id at {where(pos, None, None, place)}"
            )
        dup_rows = ids.duplicated(keep=False).to_numpy()
        if dup_rows.any():
            first = int(np.flatnonzero(dup_rows)[0])
            value = ids.iloc[first]
            rows = np.flatnonzero((ids == value).to_numpy())
            raise SurveyError(
                f"{name}: column {cb.id!r} has duplicated respondent id {show(value)} "
                f"at {where_rows(rows, place)}"
            )

    # -- items (with copy-on-write, shallow copies are as safe as deep ones: every item
    # column is replaced below, the other columns are shared, not duplicated)
    shallow = copy_on_write()
    data = raw.copy(deep=not shallow)
    n = len(raw)
    item_rows = []
    for info in (*cb.entries, *cb.extras):
        clean, counts = clean_item(
            raw[info.name],
            info,
            spss_missing,
            name,
            ids,
            cb,
            out_of_scale,
            place,
            cb.decimal_answers,
        )
        data[info.name] = clean
        item_rows.append({"item": info.name, "construct": info.construct, **counts})
    items = pd.DataFrame(item_rows)
    for col, values in check_design_columns(raw, cb, name, ids, place).items():
        data[col] = values
    responses = data.copy(deep=not shallow)
    # an item nobody answered: named before the missing-data policy hides which one it is
    for col in cb.items:
        if responses[col].isna().all():
            row = items[items["item"] == col].iloc[0].to_dict()
            msg = (
                f"{name}: item {col!r} has no answers at all ({row['blank']} blank cells, "
                f"{row['set_missing']} missing codes, {row['out_of_scale']} out of "
                f"scale, of {len(responses)} respondents); check the column or drop the item"
            )
            if constant == "error" or missing == "mean":
                raise SurveyError(msg)
            warnings.warn(msg, DataWarning, stacklevel=2)

    # -- missing answers of the model items
    model = list(cb.items)
    miss = data[model].isna().to_numpy()
    n_missing = miss.sum(axis=1)
    excluded = np.zeros(n, dtype=bool)
    reason = np.array([""] * n, dtype=object)
    n_replaced = np.zeros(n, dtype=int)
    replaced_per_item = dict.fromkeys(cb.items, 0) | dict.fromkeys(cb.extra_items, 0)
    if missing == "listwise":
        excluded = n_missing > 0
        for p in np.flatnonzero(excluded):
            cols = [model[j] for j in np.flatnonzero(miss[p])]
            reason[p] = "missing " + ", ".join(cols)
        if excluded.any():
            log.info("%s: %d respondents excluded listwise", name, int(excluded.sum()))
    elif missing == "mean":
        for j, col in enumerate(model):
            if miss[:, j].any():
                mean = data[col].mean()
                if np.isnan(mean):
                    raise SurveyError(
                        f"{name}: column {col!r} has no answers at all; cannot replace by the mean"
                    )
                data[col] = data[col].fillna(mean)
                replaced_per_item[col] = int(miss[:, j].sum())
        n_replaced = n_missing.copy()
    items["replaced"] = [replaced_per_item[i] for i in items["item"]]
    items["n_missing"] = [int(data.loc[~excluded, i].isna().sum()) for i in items["item"]]
    respondents = pd.DataFrame(
        {
            "row": np.arange(1, n + 1),
            "file_row": place.file_rows(n),
            "id": ids.to_numpy() if ids is not None else np.arange(1, n + 1),
            "n_missing": n_missing.astype(int),
            "n_replaced": n_replaced.astype(int),
            "excluded": excluded,
            "reason": reason,
        }
    )
    if excluded.any() or not shallow:
        data = data.loc[~excluded]

    # -- items without variance (on the data the estimators will see)
    for col in model:
        values = data[col].dropna()
        if values.nunique() <= 1:
            what = (
                "has no answers"
                if values.empty
                else f"has no variance (every answer is {format_number(values.iloc[0])})"
            )
            msg = f"{name}: item {col!r} {what} among the {len(data)} respondents kept"
            if constant == "error":
                raise SurveyError(msg)
            warnings.warn(msg, DataWarning, stacklevel=2)

    report = CleaningReport(
        source=name,
        missing=missing,
        n_input=n,
        items=items,
        respondents=respondents,
        unknown_columns=unknown,
    )
    return Survey(
        data=data,
        codebook=cb,
        report=report,
        missing=missing,
        source=name,
        value_labels=value_labels,
        variable_labels=var_labels,
        responses=responses,
    )
