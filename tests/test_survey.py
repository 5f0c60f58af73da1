"""Codebook and read_survey: cleaning counts, missing-data handling and every error message.

Expected values are worked out by hand from the small survey below.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.codebook import Codebook, CodebookError
from csi.survey import CleaningReport, Survey, SurveyError, read_survey

CB = {
    "id": "rid",
    "private": ["name", "email"],
    "segments": ["region"],
    "period": "wave",
    "scale": {"min": 1, "max": 10},
    "missing": [99],
    "constructs": {
        "Sat": {"label_en": "Satisfaction", "label_zh": "顾客满意度"},
        "Loy": {"label_en": "Loyalty", "label_zh": "顾客忠诚"},
    },
    "items": {
        "s1": {"construct": "Sat", "label_en": "Overall satisfaction", "label_zh": "总体满意度"},
        "s2": {"construct": "Sat", "reverse": True},
        "l1": {"construct": "Loy"},
        "l2": {"construct": "Loy", "missing": [0, 99]},
    },
    "extras": {"rec": {"min": 0, "max": 10}},
}


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rid": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "name": ["A", "B", "C", "D", "E", "F"],
            "email": ["a@x", "b@x", "c@x", "d@x", "e@x", "f@x"],
            "region": ["N", "S", "N", "S", "N", "S"],
            "wave": ["w1", "w1", "w1", "w2", "w2", "w2"],
            "s1": [8, 99, 7, 10, 6, 9],
            "s2": [3, 2, 4, 1, 99, 2],
            "l1": [7, 8, np.nan, 9, 5, 6],
            "l2": [6, 7, 8, 0, 5, 4],
            "rec": [9, 10, 99, 8, 7, 0],
        }
    )


@pytest.fixture
def cb() -> Codebook:
    return Codebook.from_dict(CB)


# ----------------------------------------------------------------------------- Codebook
def test_codebook_queries(cb: Codebook) -> None:
    assert cb.items == ("s1", "s2", "l1", "l2")
    assert cb.constructs == ("Sat", "Loy")
    assert cb.items_of("Loy") == ("l1", "l2")
    assert cb.indicators == {"Sat": ("s1", "s2"), "Loy": ("l1", "l2")}
    assert cb.label("s1", "zh") == "总体满意度"
    assert cb.label("s1") == "Overall satisfaction"
    assert cb.label("s2", "zh") == "s2"  # no label: falls back to the name
    assert cb.label("Loy", "zh") == "顾客忠诚"
    assert cb.item("l2").missing == (0.0, 99.0)  # item-level codes replace the default
    assert cb.item("s1").missing == (99.0,)
    assert cb.item("rec").min == 0 and cb.item("s1").min == 1
    with pytest.raises(CsiInputError, match="lang must be one of"):
        cb.label("s1", "fr")
    with pytest.raises(CodebookError, match="unknown construct 'Img'"):
        cb.items_of("Img")


def test_codebook_dict_and_yaml_round_trip(cb: Codebook, tmp_path: Path) -> None:
    assert Codebook.from_dict(cb.to_dict()) == cb
    path = tmp_path / "cb.yaml"
    cb.to_yaml(path)
    assert "总体满意度" in path.read_text(encoding="utf-8")
    assert Codebook.from_yaml(path) == cb


def test_codebook_list_layout() -> None:
    cb = Codebook.from_dict({"items": ["a", {"name": "b", "min": 1, "max": 5}]})
    assert cb.items == ("a", "b")
    assert cb.constructs == ()
    assert cb.item("b").max == 5


def test_public_columns_and_strip_private(cb: Codebook) -> None:
    df = frame()
    assert cb.public_columns(df.columns) == [
        c for c in df.columns if c not in ("rid", "name", "email")
    ]
    assert "rid" in cb.public_columns(df.columns, keep_id=True)
    stripped = cb.strip_private(df)
    assert not {"rid", "name", "email"} & set(stripped.columns)
    assert "name" in df.columns  # the input frame keeps them


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": {**CB["items"], "x": {}}}, "item 'x' has no construct while other items"),
        ({"items": {"s1": {"construct": "Sat", "min": 10, "max": 1}}}, "scale minimum 10"),
        (
            {"constructs": {**CB["constructs"], "Img": {}}},
            "construct 'Img' has no items",
        ),
        ({"items": {"s1": {"construct": "Sat", "missing": [5]}}}, "missing code 5 lies inside"),
        ({"items": {"s1": {"construct": "Sat", "revers": True}}}, "unknown key 'revers'"),
        ({"segments": ["s1"]}, "column 's1' is declared twice"),
        ({"scale": None, "items": {"s1": {"reverse": True}}}, "reverse-coded but has no scale"),
        ({"items": {"s1": {"min": 1}}, "scale": None}, "give both scale end points"),
        ({"items": {}}, "codebook has no items"),
        ({"wiegths": 1}, "unknown codebook key 'wiegths'"),
        ({"items": {"s1": {"max": "ten"}}}, "item 's1' max must be a number, got 'ten'"),
    ],
)
def test_codebook_errors(change: dict, message: str) -> None:
    d = {**CB, **change}
    if "constructs" not in change and "items" in change:
        d.pop("constructs")
    with pytest.raises(CodebookError, match=message):
        Codebook.from_dict(d)


def test_codebook_yaml_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match=r"codebook file not found: .*nope\.yaml"):
        Codebook.from_yaml(tmp_path / "nope.yaml")
    p = tmp_path / "bad.yaml"
    p.write_text("items:\n  a: {construct: A, min: 5, max: 5}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad.yaml: item 'a': scale minimum 5"):
        Codebook.from_yaml(p)


# ----------------------------------------------------------------------------- cleaning
def test_cleaning_values_and_counts(cb: Codebook) -> None:
    sv = read_survey(frame(), cb, missing="keep")
    d = sv.data
    # 99 -> NaN; s2 reverse-coded as 1 + 10 - x; l2 code 0 -> NaN; rec code 99 -> NaN
    assert d["s1"].tolist()[2:] == [7.0, 10.0, 6.0, 9.0] and np.isnan(d["s1"].iloc[1])
    assert d["s2"].tolist()[:4] == [8.0, 9.0, 7.0, 10.0] and np.isnan(d["s2"].iloc[4])
    assert np.isnan(d["l2"].iloc[3]) and d["l2"].iloc[0] == 6.0
    assert np.isnan(d["rec"].iloc[2]) and d["rec"].iloc[5] == 0.0
    assert all(d[c].dtype == float for c in ("s1", "s2", "l1", "l2", "rec"))
    items = sv.report.to_frame().set_index("item")
    assert items.loc["s1", "set_missing"] == 1
    assert items.loc["s2", "recoded"] == 5
    assert items.loc["l1", "blank"] == 1
    assert items.loc["l2", "set_missing"] == 1
    assert items.loc["rec", "set_missing"] == 1
    assert items["out_of_scale"].sum() == 0
    per_resp = sv.report.to_frame("respondents")
    assert per_resp["n_missing"].tolist() == [0, 1, 1, 1, 1, 0]
    assert sv.report.n_affected == 4 and sv.n_excluded == 0


def test_listwise_lists_excluded_respondents(cb: Codebook) -> None:
    sv = read_survey(frame(), cb)
    assert sv.n == 2 and sv.n_excluded == 4
    ex = sv.report.to_frame("excluded")
    assert ex["id"].tolist() == ["r2", "r3", "r4", "r5"]
    assert ex["reason"].tolist() == ["missing s1", "missing l1", "missing l2", "missing s2"]
    assert sv.ids is not None and sv.ids.tolist() == ["r1", "r6"]
    assert "respondents excluded  4" in sv.report.summary()
    assert sv.report.n_kept + sv.report.n_excluded == 6


def test_pairwise_keeps_everyone(cb: Codebook) -> None:
    sv = read_survey(frame(), cb, missing="pairwise")
    assert sv.pairwise and sv.n == 6 and sv.n_excluded == 0
    assert int(sv.data[list(sv.items)].isna().sum().sum()) == 4


def test_mean_replacement(cb: Codebook) -> None:
    sv = read_survey(frame(), cb, missing="mean")
    # s1 observed: 8, 7, 10, 6, 9 -> mean 8; l1 observed 7, 8, 9, 5, 6 -> 7
    assert sv.data["s1"].iloc[1] == 8.0
    assert sv.data["l1"].iloc[2] == 7.0
    # s2 after reversal: 8, 9, 7, 10, 9 -> 43/5
    assert sv.data["s2"].iloc[4] == pytest.approx(43 / 5)
    items = sv.report.items.set_index("item")
    assert items["replaced"].to_dict() == {"s1": 1, "s2": 1, "l1": 1, "l2": 1, "rec": 0}
    assert items.loc["rec", "n_missing"] == 1  # extras are not replaced
    assert sv.report.respondents["n_replaced"].tolist() == [0, 1, 1, 1, 1, 0]
    assert sv.report.n_affected == 4
    assert "mean-replaced cells   4" in sv.report.summary()


def test_input_frame_not_mutated(cb: Codebook) -> None:
    df = frame()
    before = df.copy()
    for m in ("listwise", "pairwise", "mean", "keep"):
        read_survey(df, cb, missing=m)
    pd.testing.assert_frame_equal(df, before)


def test_survey_object(cb: Codebook) -> None:
    sv = read_survey(frame(), cb, missing="keep")
    assert isinstance(sv, Survey) and isinstance(sv.report, CleaningReport)
    assert sv.items == ("s1", "s2", "l1", "l2") and sv.extra_items == ("rec",)
    assert sv.segments == ("region",) and sv.period == "wave"
    pub = sv.public_data()
    assert not {"rid", "name", "email"} & set(pub.columns)
    assert list(sv.item_data().columns) == ["s1", "s2", "l1", "l2"]
    assert "<pre>" in sv._repr_html_() and "Survey(" in repr(sv)


def test_out_of_scale_as_missing(cb: Codebook) -> None:
    df = frame()
    df.loc[0, "s1"] = 11
    sv = read_survey(df, cb, out_of_scale="missing", missing="keep")
    assert np.isnan(sv.data["s1"].iloc[0])
    assert sv.report.items.set_index("item").loc["s1", "out_of_scale"] == 1


def test_unknown_columns_kept_or_rejected(cb: Codebook) -> None:
    df = frame().assign(note=["x"] * 6)
    sv = read_survey(df, cb, missing="keep")
    assert sv.report.unknown_columns == ("note",) and "note" in sv.data
    with pytest.raises(SurveyError, match=r"data: column 'note' not in the codebook \(strict"):
        read_survey(df, cb, strict=True)


def test_blank_strings_are_missing_and_text_numbers_read(cb: Codebook) -> None:
    df = frame().astype({"l1": object})
    df["l1"] = ["7", " 8 ", "", "9", "5", "6"]
    sv = read_survey(df, cb, missing="keep")
    assert sv.data["l1"].tolist()[:2] == [7.0, 8.0] and np.isnan(sv.data["l1"].iloc[2])


def test_codebook_none_infers_items() -> None:
    df = pd.DataFrame({"id": [1, 2, 3], "a": [1, 2, 3], "b": [3, 99, 1], "seg": ["x", "y", "x"]})
    sv = read_survey(df, id="id", scale=(1, 5), missing_codes=(99,), missing="keep")
    assert sv.items == ("a", "b")
    assert np.isnan(sv.data["b"].iloc[1])


# ----------------------------------------------------------------------------- errors
def test_error_codebook_item_missing_from_data(cb: Codebook) -> None:
    with pytest.raises(SurveyError, match=r"data: codebook item 'l2' not found in the data"):
        read_survey(frame().drop(columns="l2"), cb)


def test_error_declared_column_missing_from_data(cb: Codebook) -> None:
    with pytest.raises(SurveyError, match=r"codebook column 'region' not found"):
        read_survey(frame().drop(columns="region"), cb)


def test_error_non_numeric_answer(cb: Codebook) -> None:
    df = frame().astype({"s1": object})
    df.loc[2, "s1"] = "very good"
    with pytest.raises(
        SurveyError,
        match=r"data: column 's1' has a non-numeric answer 'very good' at row 3 \(rid 'r3'\)",
    ):
        read_survey(df, cb)


def test_error_out_of_scale(cb: Codebook) -> None:
    df = frame()
    df.loc[1, "l1"] = 12
    with pytest.raises(
        SurveyError,
        match=r"column 'l1' has value 12 at row 2 \(rid 'r2'\), outside the scale 1-10 and "
        r"not a declared missing code \(declared: 99\)",
    ):
        read_survey(df, cb)


def test_error_duplicated_id(cb: Codebook) -> None:
    df = frame()
    df.loc[4, "rid"] = "r2"
    with pytest.raises(
        SurveyError, match=r"column 'rid' has duplicated respondent id 'r2' at rows 2, 5"
    ):
        read_survey(df, cb)


def test_error_missing_id(cb: Codebook) -> None:
    df = frame()
    df.loc[3, "rid"] = None
    with pytest.raises(SurveyError, match=r"column 'rid' has no respondent id at row 4"):
        read_survey(df, cb)


def test_error_item_without_variance(cb: Codebook) -> None:
    df = frame()
    df["l1"] = 7
    with pytest.raises(SurveyError, match=r"item 'l1' has no variance \(every answer is 7\)"):
        read_survey(df, cb)
    with pytest.warns(UserWarning, match="item 'l1' has no variance"):
        read_survey(df, cb, constant="warn")


def test_error_item_without_variance_after_listwise(cb: Codebook) -> None:
    df = frame()
    df["s1"] = [5, 99, 99, 99, 99, 5]  # only r1 and r6 answer s1 and both say 5
    with pytest.raises(SurveyError, match=r"item 's1' has no variance .* among the 2 respondents"):
        read_survey(df, cb)


def test_error_construct_without_items() -> None:
    d = {**CB, "constructs": {**CB["constructs"], "Value": {"label_en": "Value"}}}
    with pytest.raises(CodebookError, match="construct 'Value' has no items"):
        read_survey(frame(), d)


def test_error_bad_options(cb: Codebook) -> None:
    with pytest.raises(CsiInputError, match="missing must be one of"):
        read_survey(frame(), cb, missing="fiml")
    with pytest.raises(TypeError, match="source must be a file path or a pandas DataFrame"):
        read_survey([1, 2], cb)
    with pytest.raises(CsiInputError, match="with a codebook, declare them in it"):
        read_survey(frame(), cb, id="rid")


def test_error_mean_replacement_of_empty_item(cb: Codebook) -> None:
    df = frame()
    df["l1"] = np.nan
    with pytest.raises(SurveyError, match="item 'l1' has no answers at all"):
        read_survey(df, cb, missing="mean")


# ----------------------------------------------------------------------------- files
def test_csv_errors_name_the_file(cb: Codebook, tmp_path: Path) -> None:
    df = frame()
    df.loc[5, "s1"] = 0
    path = tmp_path / "wave1.csv"
    df.to_csv(path, index=False)
    with pytest.raises(
        SurveyError, match=r"wave1.csv: column 's1' has value 0 at row 6 \(rid 'r6'\)"
    ):
        read_survey(path, cb)
    with pytest.raises(SurveyError, match=r"survey file not found: .*other.csv"):
        read_survey(tmp_path / "other.csv", cb)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(SurveyError, match=r"x.json: unknown file type '.json'"):
        read_survey(tmp_path / "x.json", cb)


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_file_formats_read_alike(cb: Codebook, tmp_path: Path, ext: str) -> None:
    df = frame()
    path = tmp_path / f"s.{ext}"
    if ext == "csv":
        df.to_csv(path, index=False)
    elif ext == "xlsx":
        df.to_excel(path, index=False)
    else:
        df.to_parquet(path)
    expected = read_survey(df, cb, missing="keep").data
    got = read_survey(path, cb, missing="keep").data
    cols = ["s1", "s2", "l1", "l2", "rec"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])
    assert got["rid"].tolist() == df["rid"].tolist()


def test_codebook_from_yaml_path(cb: Codebook, tmp_path: Path) -> None:
    path = tmp_path / "cb.yaml"
    cb.to_yaml(path)
    assert read_survey(frame(), path).codebook == cb


def test_spss_keeps_value_labels_and_user_missing(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame(
        {"rid": [1.0, 2.0, 3.0, 4.0], "q1": [1.0, 5.0, 9.0, 3.0], "q2": [2.0, 4, 5, 1]}
    )
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels=["Respondent", "Overall satisfaction", "Loyalty"],
        variable_value_labels={"q1": {1.0: "very bad", 5.0: "very good", 9.0: "don't know"}},
        missing_ranges={"q1": [9.0]},
    )
    cb = Codebook.from_dict({"id": "rid", "scale": [1, 5], "items": ["q1", "q2"]})
    sv = read_survey(path, cb, missing="keep")
    assert sv.value_labels["q1"][5.0] == "very good"
    assert sv.variable_labels["q1"] == "Overall satisfaction"
    assert np.isnan(sv.data["q1"].iloc[2])  # SPSS user-missing 9 honoured
    assert sv.report.items.set_index("item").loc["q1", "set_missing"] == 1
    inferred = read_survey(path, id="rid", scale=(1, 5), missing="keep")
    assert inferred.codebook.label("q1") == "Overall satisfaction"


# ----------------------------------------------------------------------------- properties
ANSWERS = st.sampled_from([1.0, 2.0, 5.0, 7.0, 10.0, 99.0, np.nan])
PROP_CB = Codebook.from_dict(
    {
        "id": "rid",
        "scale": [1, 10],
        "missing": [99],
        "items": {
            "a": {"construct": "A"},
            "b": {"construct": "A", "reverse": True},
            "c": {"construct": "B"},
        },
    }
)


@st.composite
def surveys(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=15))
    cols = {c: draw(st.lists(ANSWERS, min_size=n, max_size=n)) for c in "abc"}
    return pd.DataFrame({"rid": [f"id{i}" for i in range(n)], **cols, "seg": ["x"] * n})


def _read(df: pd.DataFrame, missing: str) -> Survey | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read_survey(df, PROP_CB, missing=missing, constant="warn")
        except SurveyError as exc:  # mean replacement of an item nobody answered
            assert missing == "mean" and "no answers at all" in str(exc)
            return None


@given(surveys(), st.sampled_from(["listwise", "pairwise", "mean", "keep"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_counts_add_up_and_input_untouched(df: pd.DataFrame, missing: str) -> None:
    before = df.copy()
    sv = _read(df, missing)
    pd.testing.assert_frame_equal(df, before)
    if sv is None:
        return
    rep = sv.report
    assert rep.n_input == len(df)
    assert rep.n_kept + rep.n_excluded == len(df) == sv.n + sv.n_excluded
    items = rep.items.set_index("item")
    for c in "abc":
        assert items.loc[c, "set_missing"] == int((df[c] == 99).sum())
        assert items.loc[c, "blank"] == int(df[c].isna().sum())
    any_missing = ((df[list("abc")] == 99) | df[list("abc")].isna()).any(axis=1)
    assert rep.n_affected == int(any_missing.sum())
    if missing == "listwise":
        assert rep.n_excluded == int(any_missing.sum())
        assert not sv.data[list("abc")].isna().any().any()
    else:
        assert rep.n_excluded == 0
    if missing == "mean":
        assert not sv.data[list("abc")].isna().any().any()
        assert items["replaced"].sum() == rep.respondents["n_missing"].sum()


@given(
    surveys(), st.permutations(["rid", "a", "b", "c", "seg"]), st.sampled_from(["listwise", "mean"])
)
@settings(max_examples=40, deadline=None)
def test_property_column_order_does_not_matter(
    df: pd.DataFrame, order: list[str], missing: str
) -> None:
    a = _read(df, missing)
    b = _read(df[order], missing)
    if a is None or b is None:
        assert a is None and b is None
        return
    pd.testing.assert_frame_equal(a.data, b.data[list(df.columns)])
    pd.testing.assert_frame_equal(a.report.items, b.report.items)
    pd.testing.assert_frame_equal(a.report.respondents, b.report.respondents)
