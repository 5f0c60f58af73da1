"""read_survey on real files: sheets, header rows, text missing codes, file row numbers.

Workbooks and CSV files are written in ``tmp_path`` with openpyxl and plain text; the
expected values are worked out by hand from the cells written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.codebook import Codebook
from csi.survey import SurveyError, read_survey

openpyxl = pytest.importorskip("openpyxl")

nan = np.nan

# the data sheet: title on row 1, column names on row 2, respondents on rows 3-11
HEADER = ["编号", "满意度1", "满意度2", "满意度3", "推荐", "地区", "备注", "权重"]
ROWS: list[list[Any]] = [
    ["001", 8, 9, 3, 10, "北", "很好", 1.0],
    ["002", 99, 7, " 不知道", 9, "南", None, 1.5],
    ["003", "不知道", None, 5, "不知道", "北", "一般", 0.5],
    ["004", 10, " N/A ", 2, 6, "南", None, 1.0],
    ["005", 6, 5, None, 0, "北", None, 2.0],
    ["006", "99", 4, 1, 8, "南", None, 1.0],
    ["007", 7, 8, 99, 7, "北", None, 1.0],
    ["008", 5, 6, 4, 99, "南", None, 1.0],
    ["009", 9, 3, 7, 10, "北", None, 1.0],
]

CB: dict[str, Any] = {
    "id": "编号",
    "free_text": ["备注"],
    "segments": ["地区"],
    "recommend": "推荐",
    "csat": "满意度1",
    "weight": "权重",
    "sheet": "数据",
    "header_row": 2,
    "scale": {"min": 1, "max": 10},
    "missing": [99, "不知道", "n/a"],
    "items": {
        "满意度1": {"construct": "满意"},
        "满意度2": {"construct": "满意"},
        "满意度3": {"construct": "满意", "reverse": True},
    },
}

# cleaned by hand: codes and blanks -> NaN, 满意度3 reversed (11 - x)
EXPECTED = {
    "满意度1": [8, nan, nan, 10, 6, nan, 7, 5, 9],
    "满意度2": [9, 7, nan, nan, 5, 4, 8, 6, 3],
    "满意度3": [8, nan, 6, 9, nan, 10, nan, 7, 4],
    "推荐": [10, 9, nan, 6, 0, 8, 7, nan, 10],
}
# per item: (answers, blank, set_missing)
COUNTS = {
    "满意度1": (9, 0, 3),  # 99, 不知道, "99"
    "满意度2": (8, 1, 1),  # " N/A "
    "满意度3": (8, 1, 2),  # " 不知道", 99
    "推荐": (9, 0, 2),  # 不知道, 99
}


def workbook(path: Path, rows: list[list[Any]] = ROWS, *, cover_first: bool = True) -> Path:
    """A cover sheet '封面' first (unless ``cover_first=False``), then the data sheet '数据'."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = "2024年顾客满意度调查"
    cover["A3"] = "数据见下一页"
    data = wb.create_sheet("数据")
    data.append(["2024年顾客满意度调查 原始数据"])
    data.append(HEADER)
    for row in rows:
        data.append(row)
    if not cover_first:
        wb.move_sheet("数据", offset=-1)
    wb.save(path)
    return path


def changed(row: int, column: str, value: Any) -> list[list[Any]]:
    """ROWS with the cell of data row ``row`` (0-based) in ``column`` replaced."""
    rows = [list(r) for r in ROWS]
    rows[row][HEADER.index(column)] = value
    return rows


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return workbook(tmp_path / "survey.xlsx")


# ----------------------------------------------------------------------------- values
def test_xlsx_sheet_header_row_and_text_codes(book: Path) -> None:
    sv = read_survey(book, CB, missing="keep")
    got = sv.data
    for col, values in EXPECTED.items():
        np.testing.assert_array_equal(got[col].to_numpy(), np.array(values, dtype=float))
    assert got["编号"].tolist() == [r[0] for r in ROWS]  # read as text: zeros kept
    assert got["权重"].tolist() == [r[7] for r in ROWS]
    items = sv.report.items.set_index("item")
    for col, (answers, blank, set_missing) in COUNTS.items():
        assert tuple(items.loc[col, ["n_answers", "blank", "set_missing"]]) == (
            answers,
            blank,
            set_missing,
        ), col
    assert items.loc["满意度3", "recoded"] == 6
    # the same figures computed in pandas from the raw cells
    raw = pd.DataFrame(ROWS, columns=HEADER)
    text = raw["满意度1"].astype(str).str.strip().str.casefold()
    assert items.loc["满意度1", "set_missing"] == text.isin(["99", "不知道", "n/a"]).sum()
    answered = pd.to_numeric(raw["满意度1"], errors="coerce")
    answered = answered[answered != 99]
    assert got["满意度1"].mean() == pytest.approx(answered.mean())
    assert "备注" not in sv.public_data().columns


def test_listwise_on_the_workbook_and_file_rows(book: Path) -> None:
    sv = read_survey(book, CB)
    assert sv.data["编号"].tolist() == ["001", "008", "009"]
    resp = sv.report.respondents
    assert resp["row"].tolist() == list(range(1, 10))
    assert resp["file_row"].tolist() == list(range(3, 12))  # spreadsheet rows 3-11
    assert sv.report.excluded["id"].tolist() == ["002", "003", "004", "005", "006", "007"]
    assert int(sv.report.items["set_missing"].sum()) == 8


def test_arguments_override_the_codebook(book: Path, tmp_path: Path) -> None:
    expected = read_survey(book, CB, missing="keep").data
    wrong = {**CB, "sheet": "封面", "header_row": 1}
    for options in ({"sheet": "数据", "header_row": 2}, {"sheet": 1, "header_row": 2}):
        got = read_survey(book, wrong, missing="keep", **options).data
        pd.testing.assert_frame_equal(got, expected)
    # neither in the codebook nor given: the first sheet, header row 1
    first = workbook(tmp_path / "first.xlsx", cover_first=False)
    no_place = {k: v for k, v in CB.items() if k not in ("sheet", "header_row")}
    got = read_survey(first, no_place, missing="keep", header_row=2).data
    pd.testing.assert_frame_equal(got, expected)
    assert Codebook.from_dict(CB).sheet == "数据"


def test_caller_frame_with_text_codes_not_mutated() -> None:
    df = pd.DataFrame(ROWS, columns=HEADER)
    before = df.copy()
    sv = read_survey(df, CB, missing="keep")
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(sv.data["满意度3"].to_numpy(), np.array(EXPECTED["满意度3"]))
    assert sv.report.respondents["file_row"].tolist() == list(range(1, 10))


# ----------------------------------------------------------------------------- errors
def test_items_on_another_sheet_are_named(book: Path) -> None:
    no_place = {k: v for k, v in CB.items() if k not in ("sheet", "header_row")}
    with pytest.raises(SurveyError) as err:
        read_survey(book, no_place)
    msg = str(err.value)
    assert msg.startswith(f"{book}: codebook items '满意度1', '满意度2', '满意度3' not found")
    assert "in the columns of sheet '封面' (column names on row 1)" in msg
    assert "the workbook's sheets: '封面', '数据'" in msg
    assert "found on sheet '数据', row 2: add `sheet: 数据` and `header_row: 2`" in msg

    with pytest.raises(SurveyError) as err:
        read_survey(book, {**no_place, "header_row": 2})
    assert "found on sheet '数据': add `sheet: 数据` to the codebook" in str(err.value)
    assert "--sheet 数据" in str(err.value)

    with pytest.raises(SurveyError) as err:
        read_survey(book, {**no_place, "sheet": "数据"})
    assert "found on row 2 of sheet '数据': add `header_row: 2`" in str(err.value)

    with pytest.raises(
        SurveyError, match=r"codebook column '渠道' not found in the columns of sheet '数据'"
    ):
        read_survey(book, {**CB, "segments": ["地区", "渠道"]})


def test_unknown_sheet_and_header_row(book: Path) -> None:
    with pytest.raises(
        SurveyError, match=r"no sheet '数据2'; the workbook's sheets: '封面', '数据'"
    ):
        read_survey(book, CB, sheet="数据2")
    with pytest.raises(SurveyError, match=r"no sheet number 5 \(numbers start at 0\)"):
        read_survey(book, CB, sheet=5)
    with pytest.raises(SurveyError) as err:
        read_survey(book, CB, header_row=50)
    assert "not found in the columns of sheet '数据' (the sheet ends before row 50)" in str(
        err.value
    )
    assert "found on row 2 of sheet '数据': add `header_row: 2`" in str(err.value)
    with pytest.raises(
        SurveyError, match=r"sheet '封面' ends before row 5, where the column names"
    ):
        read_survey(book, header_row=5)
    with pytest.raises(CsiInputError, match="header_row must be a 1-based row number, got 0"):
        read_survey(book, CB, header_row=0)
    with pytest.raises(CsiInputError, match="sheet must be a sheet name or a 0-based number"):
        read_survey(book, CB, sheet=True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            4,
            "满意度2",
            "很好",
            "column '满意度2' has a non-numeric answer '很好' at row 7 of sheet '数据' "
            "(编号 '005'), not a declared missing code (declared: 99, 不知道, n/a)",
        ),
        (
            6,
            "满意度1",
            12,
            "column '满意度1' has value 12 at row 9 of sheet '数据' (编号 '007'), outside "
            "the scale 1-10 and not a declared missing code (declared: 99, 不知道, n/a)",
        ),
        (
            2,
            "权重",
            -1,
            "weight column '权重' has a negative weight (-1.0) at row 5 of sheet '数据'",
        ),
        (3, "权重", None, "weight column '权重' has no weight (nan) at row 6 of sheet '数据'"),
        (5, "编号", "002", "duplicated respondent id '002' at rows 4, 8 of sheet '数据'"),
        (3, "编号", None, "column '编号' has no respondent id at row 6 of sheet '数据'"),
    ],
)
def test_xlsx_errors_name_sheet_row_and_value(
    tmp_path: Path, row: int, column: str, value: Any, message: str
) -> None:
    path = workbook(tmp_path / "bad.xlsx", changed(row, column, value))
    with pytest.raises(SurveyError) as err:
        read_survey(path, CB)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


# ----------------------------------------------------------------------------- CSV
CSV_TEXT = (
    "顾客满意度调查 2024,,,,\n"  # line 1: title
    "编号,满意度1,满意度2,满意度3,备注\n"  # line 2: column names
    "001,8,9,3,\n"  # line 3
    '002,不知道,7,2,"第一行\n第二行"\n'  # lines 4-5: a comment over two lines
    "003,N/A,NA,5,\n"  # line 6
    "\n"  # line 7: blank, skipped
    "004, 99 ,6, 不知道 ,\n"  # line 8
    "005,9,4,4,ok\n"  # line 9
)
CSV_CB: dict[str, Any] = {
    "id": "编号",
    "free_text": ["备注"],
    "header_row": 2,
    "scale": [1, 10],
    "missing": [99, "不知道", "n/a"],
    "items": {"满意度1": {}, "满意度2": {}, "满意度3": {"reverse": True}},
}


def test_csv_text_codes_and_header_row(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    sv = read_survey(path, CSV_CB, missing="keep")
    np.testing.assert_array_equal(sv.data["满意度1"].to_numpy(), [8, nan, nan, nan, 9])
    np.testing.assert_array_equal(sv.data["满意度2"].to_numpy(), [9, 7, nan, 6, 4])
    np.testing.assert_array_equal(sv.data["满意度3"].to_numpy(), [8, 9, 6, nan, 7])
    items = sv.report.items.set_index("item")
    # 不知道, N/A and " 99 " are codes; "NA" is read by pandas as a blank cell
    assert items["set_missing"].tolist() == [3, 0, 1]
    assert items["blank"].tolist() == [0, 1, 0]
    assert sv.data["编号"].tolist() == ["001", "002", "003", "004", "005"]
    assert sv.report.respondents["file_row"].tolist() == [3, 4, 6, 8, 9]


def test_csv_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV_TEXT.replace("005,9,4,4", "005,9,很好,4"), encoding="utf-8")
    with pytest.raises(SurveyError) as err:
        read_survey(path, CSV_CB, missing="keep")
    assert (
        f"{path}: column '满意度2' has a non-numeric answer '很好' at row 5 (编号 '005'), "
        "line 9 of the file" in str(err.value)
    )
    path.write_text(CSV_TEXT.replace("003,N/A", "003,inf"), encoding="utf-8")
    with pytest.raises(SurveyError, match=r"has an infinite value at row 3 \(编号 '003'\), line 6"):
        read_survey(path, {**CSV_CB, "scale": None, "items": ["满意度1", "满意度2"]})
    path.write_text(CSV_TEXT.replace("004,", "001,"), encoding="utf-8")
    with pytest.raises(SurveyError, match=re.escape("'001' at rows 1, 4 (lines 3, 8 of the file)")):
        read_survey(path, CSV_CB, missing="keep")


def test_csv_items_on_another_line(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    with pytest.raises(SurveyError) as err:
        read_survey(path, {**CSV_CB, "header_row": 1})
    assert "not found in the data columns" in str(err.value)
    assert "found on line 2: add `header_row: 2` to the codebook" in str(err.value)
    got = read_survey(path, {**CSV_CB, "header_row": 1}, header_row=2, missing="keep")
    assert got.report.n_input == 5


def test_dataframe_rows_stay_data_rows() -> None:
    df = pd.DataFrame(ROWS, columns=HEADER).astype({"满意度2": object})
    df.loc[4, "满意度2"] = "很好"
    with pytest.raises(SurveyError, match=r"'很好' at row 5 \(编号 '005'\), not a declared"):
        read_survey(df, CB)
