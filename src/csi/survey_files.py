"""Reading survey files: CSV (encoding and delimiter found or given), Excel (sheet and
header row), SPSS and Parquet, and naming a row as the user sees it in the file.

:func:`load_table` returns the raw table and a :class:`Place` that maps each data
row to the file's own row (spreadsheet row, or line of a text file), so that every
cleaning error in :mod:`csi.survey` can say ``row 7 of sheet '数据'``. Bad files get
one clear error naming the file and the fix: empty files, files with column names
but no respondents, duplicated column names (which pandas would silently rename to
``SAT1.1``), undecodable text, unreadable workbooks.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, copy_on_write


class SurveyError(CsiInputError):
    """Bad survey data (the message names the file, column, row and value)."""


_PANDAS_NA = (
    *("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND"),
    *("1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"),
)
"""Texts pandas reads as missing by default (``na_values`` of read_csv / read_excel)."""

_HEADER_SEARCH = 30
"""Rows searched for the codebook items when they are not on the header row."""


@dataclass(frozen=True)
class Place:
    """Where the data rows sit in the source, to name a row as the user sees it.

    ``kind``: ``"data"`` (DataFrame, .sav, .parquet: data rows 1, 2, ...), ``"sheet"``
    (spreadsheet rows) or ``"lines"`` (lines of a text file). ``rows`` holds the
    file's own row (line) number of each data row.
    """

    kind: str = "data"
    rows: np.ndarray | None = field(default=None, compare=False)
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    header_row: int = 1
    short: bool = False
    """The sheet ends before ``header_row`` (nothing was read)."""
    text: str | None = field(default=None, repr=False, compare=False)
    """A text file's decoded content (to find the rows and the header again)."""
    sep: str = ","
    """A text file's delimiter."""

    def file_rows(self, n: int) -> np.ndarray:
        return np.arange(1, n + 1) if self.rows is None else self.rows

    def file_row(self, pos: int) -> int:
        return pos + 1 if self.rows is None else int(self.rows[pos])


def _na_options(columns: Any, text_codes: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """pandas NA options keeping an item's declared text codes (e.g. ``n/a``) as text."""
    folded = {c: {t.casefold() for t in codes} for c, codes in text_codes.items()}
    na = {
        c: [v for v in _PANDAS_NA if v.casefold() not in folded.get(str(c), set())] for c in columns
    }
    return {"keep_default_na": False, "na_values": na}


def _clashes(text_codes: Mapping[str, tuple[str, ...]]) -> bool:
    """True when a text code is one pandas would read as a blank cell."""
    default = {v.casefold() for v in _PANDAS_NA}
    return any(t.casefold() in default for codes in text_codes.values() for t in codes)


def _sheet_name(sheet: str | int | None, sheets: tuple[str, ...], name: str) -> str:
    """The name of the sheet to read (``None``: the first)."""
    listed = ", ".join(map(repr, sheets))
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
        raise SurveyError(
            f"{name}: no sheet number {sheet} (numbers start at 0); the workbook's sheets: {listed}"
        )
    if sheet in sheets:
        return sheet
    raise SurveyError(f"{name}: no sheet {sheet!r}; the workbook's sheets: {listed}")


def _blank_record(rec: list[str]) -> bool:
    return not rec or (len(rec) == 1 and not rec[0].strip())


#: Encodings tried, in order, when none is given: UTF-8 (with or without a byte-order
#: mark), then GB18030 (a superset of GBK and GB2312, what Chinese Excel writes as "CSV").
ENCODINGS = ("utf-8-sig", "gb18030")
#: Delimiters recognised in a text file's header line.
SEPARATORS = (",", ";", "\t", "|")


def decode_text(path: Path, name: str, encoding: str | None) -> tuple[str, str]:
    """The file's text and the encoding that decoded it (``encoding``, else :data:`ENCODINGS`)."""
    data = path.read_bytes()
    tried = (encoding,) if encoding else ENCODINGS
    for enc in tried:
        try:
            return data.decode(enc), enc
        except LookupError:
            raise SurveyError(f"{name}: unknown encoding {enc!r} (encoding=)") from None
        except UnicodeDecodeError as exc:
            if encoding:
                raise SurveyError(
                    f"{name}: cannot be read as {enc} (byte {exc.start}); give the file's "
                    "encoding with encoding= (--encoding), e.g. 'gbk' or 'utf-16'"
                ) from None
    raise SurveyError(
        f"{name}: cannot be read as {' or '.join(tried)}; give the file's encoding with "
        "encoding= (--encoding), e.g. 'utf-16' or 'big5'"
    )


def sniff_sep(text: str, header_row: int) -> str:
    """The delimiter of the header line: the candidate in :data:`SEPARATORS` found most
    often outside quotes (a comma when none is found)."""
    lines = text.splitlines()
    if len(lines) < header_row:
        return ","
    line = lines[header_row - 1]
    unquoted = "".join(part for k, part in enumerate(line.split('"')) if k % 2 == 0)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def _csv_lines(text: str, header_row: int, n: int, sep: str = ",") -> np.ndarray:
    """The line of the file on which each of the ``n`` data records starts.

    Counts quoted line breaks and skipped blank lines as pandas does; falls back to
    ``header_row + 1, header_row + 2, ...`` when the file cannot be followed.
    """
    starts: list[int] = []
    try:
        with io.StringIO(text, newline="") as fh:
            reader = csv.reader(fh, delimiter=sep)
            line = 0
            header_seen = False
            for k, rec in enumerate(reader):
                start, line = line + 1, reader.line_num
                if k < header_row - 1 or _blank_record(rec):
                    continue
                if header_seen:
                    starts.append(start)
                header_seen = True
    except csv.Error:
        starts = []
    if len(starts) != n:
        return header_row + 1 + np.arange(n)
    return np.asarray(starts, dtype=int)


def load_table(
    source: Any,
    sheet: str | int | None,
    header_row: int = 1,
    text_columns: tuple[str, ...] = (),
    text_codes: Mapping[str, tuple[str, ...]] | None = None,
    *,
    encoding: str | None = None,
    sep: str | None = None,
) -> tuple[
    pd.DataFrame, str, dict[str, dict[Any, str]], dict[str, str], dict[str, list[float]], Place
]:
    """Read ``source``; return frame, name, value labels, variable labels, SPSS missing
    codes and where the rows are (:class:`Place`).

    ``sheet`` and ``header_row`` (1-based) apply to spreadsheets, ``header_row`` to CSV
    too; ``text_codes`` (column -> text missing codes) are kept as text, not read as blank.
    A text file is decoded with ``encoding`` (default: UTF-8 with or without BOM, else
    GB18030) and split at ``sep`` (default: found from the header line, see
    :func:`sniff_sep`).
    """
    if isinstance(source, pd.DataFrame):
        return source.copy(deep=not copy_on_write()), "data", {}, {}, {}, Place()
    if not isinstance(source, (str, Path)):
        raise TypeError(
            f"source must be a file path or a pandas DataFrame, got {type(source).__name__}"
        )
    path = Path(source)
    name = str(source)
    if not path.exists():
        raise SurveyError(f"survey file not found: {name}")
    if path.is_dir():
        raise SurveyError(f"{name} is a folder, not a survey file")
    ext = path.suffix.lower()
    as_text = dict.fromkeys(text_columns, str)
    codes = dict(text_codes or {})
    if ext in (".csv", ".txt", ".tsv"):
        text, _ = decode_text(path, name, encoding)
        if not text.strip():
            raise SurveyError(
                f"{name}: the file is empty; export the survey again with its column names "
                "on the first line and one respondent per line"
            )
        delimiter = sep or sniff_sep(text, header_row)
        skip = header_row - 1

        def read(**options: Any) -> pd.DataFrame:
            return pd.read_csv(io.StringIO(text), sep=delimiter, skiprows=skip, **options)

        try:
            header = read(header=None, nrows=1, dtype=str, keep_default_na=False)
            na = {}
            if _clashes(codes):
                na = _na_options(read(nrows=0).columns, codes)
            frame = read(dtype=as_text, **na)
        except pd.errors.EmptyDataError:
            raise SurveyError(
                f"{name}: no column names on line {header_row} (header_row): the file ends "
                "before it"
            ) from None
        except pd.errors.ParserError as exc:
            raise SurveyError(
                f"{name}: not a readable {delimiter!r}-separated file ({_first_line(exc)}); "
                "give the delimiter with sep= (--sep)"
            ) from None
        _check_header(list(header.iloc[0]) if len(header) else [], name, f"line {header_row}")
        if frame.empty:
            raise SurveyError(
                f"{name}: column names on line {header_row} but no respondents below them"
            )
        rows = _csv_lines(text, header_row, len(frame), delimiter)
        place = Place("lines", rows, header_row=header_row, text=text, sep=delimiter)
        return frame, name, {}, {}, {}, place
    if ext in (".xlsx", ".xlsm"):
        try:
            import openpyxl  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("reading .xlsx needs openpyxl: pip install 'csi[excel]'") from None
        try:
            book = pd.ExcelFile(path)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SurveyError(
                f"{name}: not a readable .xlsx workbook ({_first_line(exc)}); open it in Excel "
                "and save it again as .xlsx, or export it as CSV"
            ) from None
        with book:
            sheets = tuple(str(s) for s in book.sheet_names)
            use = _sheet_name(sheet, sheets, name)
            try:
                na = {}
                if _clashes(codes):
                    # nrows=1: pandas fails on nrows=0 under a blank header row
                    head = pd.read_excel(book, sheet_name=use, header=header_row - 1, nrows=1)
                    na = _na_options(head.columns, codes)
                frame = pd.read_excel(
                    book, sheet_name=use, header=header_row - 1, dtype=as_text, **na
                )
            except ValueError:
                if len(pd.read_excel(book, sheet_name=use, header=None)) >= header_row:
                    raise
                # the sheet ends before the header row: no columns (read_survey says so)
                place = Place("sheet", sheet=use, sheets=sheets, header_row=header_row, short=True)
                return pd.DataFrame(), name, {}, {}, {}, place
            top = pd.read_excel(book, sheet_name=use, header=None, nrows=header_row, dtype=str)
        if len(top) >= header_row:
            where = f"row {header_row} of sheet {use!r}"
            _check_header(list(top.iloc[header_row - 1]), name, where)
        rows = header_row + 1 + np.arange(len(frame))
        place = Place("sheet", rows, sheet=use, sheets=sheets, header_row=header_row)
        return frame, name, {}, {}, {}, place
    if ext == ".parquet":
        return pd.read_parquet(path), name, {}, {}, {}, Place()
    if ext in (".sav", ".zsav"):
        try:
            import pyreadstat
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("reading .sav needs pyreadstat: pip install 'csi[spss]'") from None
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
        value_labels = {str(k): dict(v) for k, v in meta.variable_value_labels.items()}
        var_labels = {str(k): str(v) for k, v in meta.column_names_to_labels.items() if v}
        spss_missing: dict[str, list[float]] = {}
        ranges_by_col: dict[str, Any] = dict(meta.missing_ranges or {})
        for col, ranges in ranges_by_col.items():
            spss_codes = [float(r["lo"]) for r in ranges if r["lo"] == r["hi"]]
            if spss_codes:
                spss_missing[str(col)] = spss_codes
        return frame, name, value_labels, var_labels, spss_missing, Place()
    if ext in (".xls", ".ods", ".numbers"):
        raise SurveyError(
            f"{name}: {ext} workbooks are not read; save the file as .xlsx (Excel: File > "
            "Save As > Excel Workbook) or export it as CSV"
        )
    raise SurveyError(
        f"{name}: unknown file type {ext!r}; read .csv, .xlsx, .sav or .parquet, "
        "or pass a DataFrame"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _column_letter(k: int) -> str:
    """Spreadsheet letter of the 0-based column ``k`` (0 -> A, 26 -> AA)."""
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(65 + r) + out
    return out


def _check_header(names: list[Any], name: str, where: str) -> None:
    """Refuse duplicated column names (pandas would silently rename the copy ``X.1``)."""
    seen: dict[str, int] = {}
    for k, raw in enumerate(names):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        label = str(raw).strip()
        if not label:
            continue
        if label in seen:
            first = seen[label]
            raise SurveyError(
                f"{name}: column name {label!r} appears twice on {where} (columns "
                f"{_column_letter(first)} and {_column_letter(k)}, numbers {first + 1} and "
                f"{k + 1}); rename one so each question has its own column"
            )
        seen[label] = k


def where(pos: int, ids: pd.Series | None, id_name: str | None, place: Place | None = None) -> str:
    """Data row ``pos`` (0-based) as the user sees it in the source.

    ``row 5 (rid 'R005')`` for a DataFrame, ``row 7 of sheet '数据' (rid 'R005')`` for a
    spreadsheet (its own row number), ``row 5 (rid 'R005'), line 6 of the file`` for CSV.
    """
    place = place or Place()
    who = "" if ids is None else f" ({id_name} {show(ids.iloc[pos])})"
    if place.kind == "sheet":
        return f"row {place.file_row(pos)} of sheet {place.sheet!r}{who}"
    if place.kind == "lines":
        return f"row {pos + 1}{who}, line {place.file_row(pos)} of the file"
    return f"row {pos + 1}{who}"


def where_rows(positions: Any, place: Place) -> str:
    """Several data rows (0-based positions) as the user sees them: ``rows 2, 5``."""
    data = ", ".join(str(int(p) + 1) for p in positions)
    own = ", ".join(str(place.file_row(int(p))) for p in positions)
    if place.kind == "sheet":
        return f"rows {own} of sheet {place.sheet!r}"
    if place.kind == "lines":
        return f"rows {data} (lines {own} of the file)"
    return f"rows {data}"


def _yaml_text(text: str) -> str:
    """``text`` as a YAML value that reads back as that text (quoted when needed)."""

    import yaml

    try:
        plain = yaml.safe_load(text) == text and ": " not in text and "#" not in text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _header_at(rows: Any, wanted: set[str]) -> int | None:
    """The 1-based number of the first of ``rows`` holding every name in ``wanted``."""
    for r, values in enumerate(rows, 1):
        cells = {str(v).strip() for v in values if v is not None and not pd.isna(v)}
        if wanted <= cells:
            return r
    return None


def _locate(path: Path, place: Place, items: tuple[str, ...]) -> str:
    """Where the codebook items are when not on the header row read ('' if not found)."""
    wanted = set(items)
    try:
        if place.kind == "lines":
            with io.StringIO(place.text or "", newline="") as fh:
                reader = csv.reader(fh, delimiter=place.sep)
                head = [rec for _, rec in zip(range(_HEADER_SEARCH), reader, strict=False)]
            r = _header_at(head, wanted)
            if r is None or r == place.header_row:
                return ""
            return (
                f"found on line {r}: add `header_row: {r}` to the codebook or pass header_row={r}"
            )
        if place.kind != "sheet":
            return ""
        with pd.ExcelFile(path) as book:
            current = str(place.sheet)
            for s in (current, *(s for s in place.sheets if s != current)):
                top = pd.read_excel(book, sheet_name=s, header=None, nrows=_HEADER_SEARCH)
                r = _header_at(top.itertuples(index=False), wanted)
                if r is None or (s == current and r == place.header_row):
                    continue
                if s == current:
                    return (
                        f"found on row {r} of sheet {s!r}: add `header_row: {r}` to the "
                        f"codebook or pass header_row={r}"
                    )
                if r == place.header_row:
                    return (
                        f"found on sheet {s!r}: add `sheet: {_yaml_text(str(s))}` to the "
                        f"codebook or pass sheet={s!r} (--sheet {s})"
                    )
                return (
                    f"found on sheet {s!r}, row {r}: add `sheet: {_yaml_text(str(s))}` and "
                    f"`header_row: {r}` to the codebook or pass sheet={s!r}, header_row={r}"
                )
    except (OSError, ValueError, UnicodeDecodeError, csv.Error):
        return ""
    return ""


def not_found(
    name: str,
    what: str,
    absent: list[str],
    place: Place,
    path: Path | None,
    items: tuple[str, ...],
) -> str:
    """The message for codebook columns missing from the data, with where to look."""
    msg = (
        f"{name}: codebook {what}{'s' if len(absent) > 1 else ''} "
        f"{', '.join(map(repr, absent))} not found"
    )
    if place.kind == "sheet":
        where = "the sheet ends before row" if place.short else "column names on row"
        msg += (
            f" in the columns of sheet {place.sheet!r} ({where} {place.header_row}); "
            f"the workbook's sheets: {', '.join(map(repr, place.sheets))}"
        )
    else:
        msg += " in the data columns"
        if place.kind == "lines" and place.header_row != 1:
            msg += f" (column names on line {place.header_row})"
    hint = _locate(path, place, items) if path is not None and items else ""
    return msg + (f"; {hint}" if hint else "")


def show(value: Any) -> str:
    """A cell value as written in messages: ``'abc'``, ``-1`` (not ``np.int64(-1)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)
