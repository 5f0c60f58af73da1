"""Codebook roles (recommend, csat, free_text, weight, sheet, header_row, text codes) and
metrics that take a Survey: each figure on the respondents who answered its question."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csi
from csi.codebook import Codebook, CodebookError
from csi.metrics import box_scores, compare_segments, csat, nps
from csi.survey import read_survey


def _frame(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "rid": [f"R{i:03d}" for i in range(n)],
            "phone": [f"138{i:08d}" for i in range(n)],
            "comment": [f"call me on 139{i:08d}" for i in range(n)],
            "region": rng.choice(["north", "south"], n),
            "Q1": rng.integers(1, 11, n).astype(object),
            "Q2": rng.integers(1, 11, n).astype(object),
            "Q3": rng.integers(1, 11, n).astype(object),
            "rec": rng.integers(0, 11, n).astype(object),
        }
    )
    df.loc[[1, 5, 9], "Q1"] = 99
    df.loc[[2, 7], "Q2"] = "不知道"
    df.loc[[4], "Q3"] = None
    df.loc[[3, 8], "rec"] = 99
    return df


BOOK = {
    "id": "rid",
    "private": ["phone"],
    "free_text": ["comment"],
    "segments": ["region"],
    "recommend": "rec",
    "csat": "Q3",
    "scale": {"min": 1, "max": 10},
    "missing": [99, "不知道"],
    "items": {
        "Q1": {"construct": "A"},
        "Q2": {"construct": "A"},
        "Q3": {"construct": "A", "reverse": True},
    },
}


def test_roles_round_trip_and_defaults():
    cb = Codebook.from_dict(BOOK)
    assert cb.recommend == "rec"
    assert cb.csat == ("Q3",)
    assert cb.free_text == ("comment",)
    # an undeclared recommend column becomes a 0-10 extra with the codebook-wide codes
    rec = cb.item("rec")
    assert (rec.min, rec.max) == (0, 10)
    assert rec.missing == (99.0,) and rec.missing_text == ("不知道",)
    again = Codebook.from_dict(cb.to_dict())
    assert again == cb
    assert "comment" not in cb.public_columns(["Q1", "comment", "phone", "rid"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"csat": "nope"}, "csat column 'nope' is not an item or extra"),
        ({"header_row": 0}, "header_row is a 1-based row number"),
        ({"recommend": ["a", "b"]}, "codebook 'recommend' must be a single column name"),
        ({"free_text": ["Q1"]}, "column 'Q1' is declared twice"),
        ({"sheet": 1.5}, "codebook 'sheet' must be a sheet name or number"),
    ],
)
def test_role_errors_name_the_key(change, message):
    with pytest.raises(CodebookError, match=message):
        Codebook.from_dict({**BOOK, **change})


def test_recommend_must_be_0_10():
    book = {**BOOK, "extras": {"rec": {"min": 1, "max": 5}}}
    with pytest.raises(CodebookError, match="must be on the 0-10 scale"):
        Codebook.from_dict(book)


def test_responses_keep_everyone_and_metrics_use_every_valid_answer():
    df = _frame()
    before = df.copy()
    s = read_survey(df, BOOK, missing="listwise")
    pd.testing.assert_frame_equal(df, before)  # caller's frame untouched
    incomplete = {1, 5, 9, 2, 7, 4}
    assert s.n == len(df) - len(incomplete)  # the model's data, listwise
    assert s.n_read == len(df)
    assert len(s.all_responses()) == len(df)

    # NPS by hand on every valid answer (99 -> missing), not on the listwise subsample
    rec = pd.to_numeric(df["rec"]).replace(99, np.nan).dropna()
    by_hand = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    table = nps(s)
    assert int(table["n"].iloc[0]) == len(df) - 2
    assert table["nps"].iloc[0] == pytest.approx(by_hand, abs=1e-12)
    # per segment, by hand
    region = df.loc[rec.index, "region"]
    seg = nps(s, by="region", min_size=1).set_index("region")
    for name, part in rec.groupby(region):
        expected = 100 * ((part >= 9).mean() - (part <= 6).mean())
        assert seg.loc[name, "nps"] == pytest.approx(expected, abs=1e-12)
        assert seg.loc[name, "n"] == len(part)

    # CSAT of the codebook's csat item, on its own scale, reversed once by the codebook
    q3 = 11 - pd.to_numeric(df["Q3"]).dropna()
    table = csat(s, top=2)
    assert int(table["n"].iloc[0]) == len(df) - 1
    assert table["csat"].iloc[0] == pytest.approx(100 * (q3 >= 9).mean(), abs=1e-12)


def test_mean_policy_does_not_leak_into_metrics():
    df = _frame()
    s = read_survey(df, BOOK, missing="mean")
    # the model data hold replaced (non-integer) answers; CSAT still works on real ones
    assert s.data["Q3"].round().ne(s.data["Q3"]).any()
    q3 = 11 - pd.to_numeric(df["Q3"]).dropna()
    assert csat(s)["csat"].iloc[0] == pytest.approx(100 * (q3 >= 9).mean(), abs=1e-12)


def test_box_scores_and_comparisons_from_a_survey():
    df = _frame()
    s = read_survey(df, BOOK)
    q1 = pd.to_numeric(df["Q1"]).replace(99, np.nan).dropna()
    table = box_scores(s, min_size=1).set_index("item")
    assert table.loc["Q1", "n"] == len(q1)
    assert table.loc["Q1", "mean"] == pytest.approx(q1.mean(), abs=1e-12)
    assert table.loc["Q1", "index"] == pytest.approx(100 * (q1.mean() - 1) / 9, abs=1e-12)
    assert table.loc["Q1", "top_box"] == pytest.approx(100 * (q1 == 10).mean(), abs=1e-12)
    comp = compare_segments(s, "Q1", by="region", min_size=1).set_index("region")
    north = q1[df.loc[q1.index, "region"] == "north"]
    assert comp.loc["north", "n"] == len(north)
    assert comp.loc["north", "value"] == pytest.approx(100 * (north.mean() - 1) / 9, abs=1e-12)


@pytest.mark.parametrize("column", ["phone", "comment", "rid"])
def test_metrics_refuse_private_grouping(column):
    s = read_survey(_frame(), BOOK)
    with pytest.raises(csi.CsiInputError, match="never reaches a table"):
        nps(s, by=column)


def test_public_data_drops_free_text_and_private():
    s = read_survey(_frame(), BOOK)
    for frame in (s.public_data(), s.public_data(all_respondents=True)):
        assert not {"comment", "phone", "rid"} & set(frame.columns)
    assert len(s.public_data(all_respondents=True)) == 60


def test_weight_column_is_checked_row_by_row():
    df = _frame().assign(w=1.0)
    df.loc[6, "w"] = -2.0
    with pytest.raises(csi.CsiInputError, match=r"negative weight \(-2.0\) at row 7"):
        read_survey(df, {**BOOK, "weight": "w"})
    df.loc[6, "w"] = 0.0
    s = read_survey(df, {**BOOK, "weight": "w"})
    assert s.weight == "w" and s.all_responses()["w"].sum() == 59.0


def test_design_columns_are_checked():
    df = _frame().assign(w=1.0, stratum="a", psu=np.arange(60) // 3, f=2)
    book = {**BOOK, "weight": "w", "strata": "stratum", "cluster": "psu"}
    s = read_survey(df, book)
    assert (s.codebook.strata, s.codebook.cluster) == ("stratum", "psu")
    assert Codebook.from_dict(s.codebook.to_dict()) == s.codebook
    gap = df.copy()
    gap.loc[4, "psu"] = None
    with pytest.raises(csi.CsiInputError, match="design column 'psu' has no value at row 5"):
        read_survey(gap, book)
    frac = df.assign(f=1.5)
    with pytest.raises(csi.CsiInputError, match="non-integer count"):
        read_survey(frac, {**BOOK, "weight": "f", "weight_kind": "frequency"})
    with pytest.raises(CodebookError, match="weight_kind must be"):
        Codebook.from_dict({**BOOK, "weight": "w", "weight_kind": "design"})
    with pytest.raises(CodebookError, match="replicate_weights need"):
        Codebook.from_dict({**BOOK, "replicate_weights": ["r1"]})


def test_an_unanswered_item_is_named_and_decimals_refused():
    df = _frame()
    df["Q2"] = None  # nobody answered Q2: listwise would leave nobody, and name Q1
    with pytest.raises(csi.CsiInputError, match="item 'Q2' has no answers at all"):
        read_survey(df, BOOK)
    df = _frame()
    df["Q1"] = df["Q1"].astype(object)
    df.loc[10, "Q1"] = 7.5
    with pytest.raises(csi.CsiInputError, match=r"answer 7.5 at row 11 \(rid 'R010'\)"):
        read_survey(df, BOOK)
    s = read_survey(df, {**BOOK, "decimal_answers": True})
    assert s.all_responses().loc[10, "Q1"] == 7.5
