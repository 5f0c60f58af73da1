"""IndicatorSystem on a Survey: item data, codebook scales, reverse coding exactly once.

Every figure is checked against a hand computation in pandas on the raw answers.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import csi
from csi._checks import CsiInputError
from csi.indicators import IndicatorSystem, screen_indicators

CODEBOOK: dict[str, Any] = {
    "id": "rid",
    "private": ["phone"],
    "free_text": ["comment"],
    "segments": ["channel"],
    "scale": {"min": 1, "max": 7},
    "missing": [99],
    "items": {
        "q1": {"construct": "S"},
        "q2": {"construct": "S", "reverse": True},
        "q3": {"construct": "S", "min": 0, "max": 10},
    },
}

PHONES = ["13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006"]
COMMENTS = ["slow delivery", "great", "rude staff", "fine thanks", "too pricey", "never again"]


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rid": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "phone": PHONES,
            "comment": COMMENTS,
            "channel": ["a", "a", "b", "b", "a", "b"],
            "q1": [7, 5, 3, 99, 6, 1],  # 99 = missing code
            "q2": [1, 2, 6, 4, np.nan, 7],  # reverse-coded by the codebook: 8 - x
            "q3": [10, 8, 2, 5, 9, np.nan],  # 0-10
        }
    )


def _tree(**leaf: Any) -> list[Any]:
    """product = q1 (0.25) + q2 (0.75); service = q3; ``leaf`` adds keys to every leaf."""
    return [
        {
            "id": "product",
            "weights": {"method": "given", "values": {"q1": 0.25, "q2": 0.75}},
            "children": [
                {"id": "q1", **leaf.get("q1", {})},
                {"id": "q2", **leaf.get("q2", {})},
            ],
        },
        {"id": "service", "children": [{"id": "q3", **leaf.get("q3", {})}]},
    ]


# the system as written for a Survey: scales from the codebook, no reverse flag
ON_SURVEY: dict[str, Any] = {
    "id": "CSI",
    "scale": "codebook",
    "weights": {"method": "given", "values": {"product": 3, "service": 1}},
    "children": _tree(),
}
# the same system for the raw DataFrame: its own scales, missing code and reversal
ON_FRAME: dict[str, Any] = {
    "id": "CSI",
    "scale": [1, 7],
    "missing": [99],
    "weights": {"method": "given", "values": {"product": 3, "service": 1}},
    "children": _tree(q2={"reverse": True}, q3={"scale": [0, 10]}),
}


def _by_hand(raw: pd.DataFrame) -> pd.DataFrame:
    """Leaf, node and root scores per respondent, computed in pandas from raw answers."""
    x = raw[["q1", "q2", "q3"]].astype(float).replace(99.0, np.nan)
    s = pd.DataFrame(
        {
            "q1": (x["q1"] - 1) / 6 * 100,
            "q2": ((8 - x["q2"]) - 1) / 6 * 100,  # reversed once
            "q3": x["q3"] / 10 * 100,
        }
    )

    def wmean(cols: pd.DataFrame, w: pd.Series) -> pd.Series:
        avail = cols.notna().mul(w).sum(axis=1)
        return cols.mul(w).sum(axis=1, min_count=1) / avail.where(avail > 0)

    s["product"] = wmean(s[["q1", "q2"]], pd.Series({"q1": 0.25, "q2": 0.75}))
    s["service"] = s["q3"]
    s["CSI"] = wmean(s[["product", "service"]], pd.Series({"product": 0.75, "service": 0.25}))
    return s


def _survey(raw: pd.DataFrame | None = None) -> csi.survey.Survey:
    return csi.read_survey(_raw() if raw is None else raw, CODEBOOK)


# ---------------------------------------------------------------- (a) figures by hand
def test_hand_figures_of_the_hand_computation() -> None:
    hand = _by_hand(_raw())
    # respondent 1: q1 7 -> 100, q2 1 -> 7 -> 100, q3 10 -> 100: every score 100
    assert hand.loc[0, "CSI"] == pytest.approx(100.0)
    # respondent 4: q1 missing, q2 4 -> 4 -> 50, q3 5 -> 50: product 50, CSI 50
    assert [hand.loc[3, "product"], hand.loc[3, "CSI"]] == pytest.approx([50.0, 50.0])
    # respondent 6: q1 1 -> 0, q2 7 -> 1 -> 0, q3 missing: CSI from product alone, 0
    assert hand.loc[5, "CSI"] == pytest.approx(0.0)
    # all six: 100, 79.375, 20.625, 50, 85, 0
    assert hand["CSI"].tolist() == pytest.approx([100, 79.375, 20.625, 50, 85, 0])


def test_score_on_survey_equals_hand_computation() -> None:
    survey = _survey()
    assert survey.n == 3  # listwise keeps 3 of 6, but the indicator system reads all 6
    fitted = IndicatorSystem.from_dict(ON_SURVEY).fit(survey)
    scores = fitted.score(survey, by="channel")
    hand = _by_hand(_raw())
    cols = ["q1", "q2", "q3", "product", "service", "CSI"]
    pd.testing.assert_frame_equal(
        scores.respondents[cols].reset_index(drop=True), hand[cols], check_names=False
    )
    assert scores.n_respondents == 6
    assert scores.index == pytest.approx(hand["CSI"].mean())
    # CSI per respondent: 100, 79.375, 20.625, 50, 85, 0 -> mean 335 / 6
    assert scores.index == pytest.approx(335 / 6)
    # every table states its n: respondents scored at each node
    o = scores.overall.set_index("node")
    assert o.loc["product", "score"] == pytest.approx(hand["product"].mean())
    assert o.loc["service", "score"] == pytest.approx(hand["service"].mean())
    assert o["n"].to_dict() == {"CSI": 6, "product": 6, "q1": 5, "q2": 5, "service": 5, "q3": 5}
    seg = scores.segments
    assert seg is not None
    for ch, sub in hand.groupby(_raw()["channel"]):
        row = seg[(seg["channel"] == ch) & (seg["node"] == "CSI")].iloc[0]
        assert row["score"] == pytest.approx(sub["CSI"].mean())
        assert row["n"] == 3
    assert int(scores.distribution["count"].sum()) == 6
    assert scores.n_incomplete == 3 and scores.n_unscored == 0
    assert any("every respondent read (6)" in t for t in scores.notes)
    assert any("reverse-coded once, by the survey codebook: q2" in t for t in scores.notes)
    assert "n = 6" in scores.summary()


def test_objective_weights_and_screening_on_survey_use_every_respondent() -> None:
    spec = copy.deepcopy(ON_SURVEY)
    spec["children"][0]["weights"] = {"method": "entropy"}
    survey = _survey()
    fitted = IndicatorSystem.from_dict(spec).fit(survey)
    hand = _by_hand(_raw())[["q1", "q2"]].dropna()  # complete on the node's children: 4
    w = csi.entropy_weights(hand)
    pd.testing.assert_series_equal(
        fitted.local_weights["product"], w.rename("weight"), check_names=False
    )
    # screening reads the recoded answers: q2 moves with q1 once reversed by the codebook
    x = survey.all_responses()[["q1", "q2", "q3"]]
    flags = IndicatorSystem.from_dict(ON_SURVEY).screen(survey, duplicate_threshold=0.9)
    r12 = x["q1"].corr(x["q2"])
    # pairs (7, 7), (5, 6), (3, 2), (1, 1): r = 22 / sqrt(20 * 26)
    assert r12 == pytest.approx(22 / np.sqrt(520))
    dup = flags[flags["check"] == "near_duplicate"].set_index(["item", "other"])["value"]
    assert dup.to_dict() == pytest.approx(
        {
            ("q1", "q2"): r12,
            ("q1", "q3"): x["q1"].corr(x["q3"]),
            ("q2", "q3"): x["q2"].corr(x["q3"]),
        }
    )
    direct = screen_indicators(survey, ["q1", "q2", "q3"], duplicate_threshold=0.9)
    pd.testing.assert_frame_equal(direct, flags)


def test_fuzzy_on_survey_counts_answers_per_item() -> None:
    survey = _survey()
    fitted = IndicatorSystem.from_dict(ON_SURVEY).fit(survey)
    ev = fitted.fuzzy(survey)
    hand = _by_hand(_raw())

    def shares(col: str) -> np.ndarray:
        lv = pd.Series(csi.scales.classify(hand[col].dropna()), dtype=int)
        return lv.value_counts().reindex(range(1, 8), fill_value=0).to_numpy() / len(lv)

    # q1: 100, 66.7, 33.3, -, 83.3, 0 -> levels 7, 5, 3, 6, 1
    assert shares("q1") == pytest.approx(np.array([1, 0, 1, 0, 1, 1, 1]) / 5)
    # q2 recoded once: 100, 83.3, 16.7, 50, -, 0 -> levels 7, 6, 2, 4, 1
    assert shares("q2") == pytest.approx(np.array([1, 1, 0, 1, 0, 1, 1]) / 5)
    product = 0.25 * shares("q1") + 0.75 * shares("q2")
    assert product == pytest.approx([0.2, 0.15, 0.05, 0.15, 0.05, 0.2, 0.2])
    assert ev["product"].membership.to_numpy() == pytest.approx(product)
    assert ev["CSI"].notes[-1].endswith("q1 n = 5, q2 n = 5, q3 n = 5")


# ---------------------------------------------------------------- (b) reverse coded twice
def test_double_reversal_is_an_error_naming_item_and_both_places() -> None:
    spec = copy.deepcopy(ON_FRAME)
    spec["scale"] = "codebook"
    spec["children"][1]["children"][0].pop("scale")
    system = IndicatorSystem.from_dict(spec)  # q2 reverse: true, as for raw data
    survey = _survey()
    fitted = system.fit()
    pattern = (
        r"item 'q2' would be reverse-coded twice: the codebook entry items: q2 .*"
        r"has reverse: true .* indicator-system node 'q2' has reverse: true"
    )
    with pytest.raises(CsiInputError, match=pattern):
        fitted.score(survey)
    with pytest.raises(CsiInputError, match=pattern):
        fitted.fuzzy(survey)
    with pytest.raises(CsiInputError, match=pattern):
        system.screen(survey)
    with pytest.raises(CsiInputError, match=pattern):
        system.leaf_scores(survey)


def test_declared_scale_must_agree_with_the_codebook() -> None:
    spec = copy.deepcopy(ON_SURVEY)
    spec["scale"] = [1, 7]  # default for q3 too, but the codebook says 0-10
    with pytest.raises(
        CsiInputError,
        match=r"item 'q3' has two different scales: the codebook entry items: q3 .* says "
        r"0-10 and the indicator system's default scale \(root scale\) says 1-7",
    ):
        IndicatorSystem.from_dict(spec).fit().score(_survey())
    spec["children"][1]["children"][0]["scale"] = [0, 10]  # now consistent
    scores = IndicatorSystem.from_dict(spec).fit().score(_survey())
    assert scores.index == pytest.approx(335 / 6)


def test_codebook_scales_need_a_survey_and_a_codebook_entry() -> None:
    system = IndicatorSystem.from_dict(ON_SURVEY)
    with pytest.raises(CsiInputError, match=r"leaf 'q1' takes its scale from the codebook"):
        system.fit().score(_raw())
    spec = copy.deepcopy(ON_SURVEY)
    spec["children"][1]["children"].append({"id": "q9"})
    raw = _raw().assign(q9=[1, 2, 3, 4, 5, 6])
    with pytest.raises(CsiInputError, match=r"item 'q9' .* has no entry for it"):
        IndicatorSystem.from_dict(spec).fit().score(csi.read_survey(raw, CODEBOOK))


# ---------------------------------------------------------------- (c) DataFrame unchanged
def test_dataframe_path_is_unchanged() -> None:
    raw = _raw()
    system = IndicatorSystem.from_dict(ON_FRAME)
    scores = system.fit(raw).score(raw, by="channel")
    hand = _by_hand(raw)
    cols = ["q1", "q2", "q3", "product", "service", "CSI"]
    pd.testing.assert_frame_equal(scores.respondents[cols], hand[cols], check_names=False)
    assert scores.index == pytest.approx(335 / 6)
    # the same figure as from the survey, where the codebook did the reversal
    survey_index = IndicatorSystem.from_dict(ON_SURVEY).fit().score(_survey()).index
    assert scores.index == pytest.approx(survey_index)
    # a DataFrame of already-recoded answers is taken as given (reversed by the node)
    recoded = _survey().all_responses()
    again = system.fit().score(recoded[["q1", "q2", "q3"]])
    assert again.respondents.loc[0, "q2"] == pytest.approx(0.0)  # 7 (recoded) -> 100 - 100


# ---------------------------------------------------------------- (d) private columns
def _texts(obj: Any) -> str:
    if isinstance(obj, pd.DataFrame):
        return " ".join(map(str, obj.columns)) + obj.to_string() + str(obj.attrs)
    if isinstance(obj, pd.Series):
        return str(obj.name) + obj.to_string()
    return str(obj)


def test_private_and_free_text_never_reach_a_result() -> None:
    survey = _survey()
    system = IndicatorSystem.from_dict(ON_SURVEY)
    fitted = system.fit(survey)
    scores = fitted.score(survey, by="channel")
    ev = fitted.fuzzy(survey)
    outputs: list[Any] = [
        scores.respondents,
        scores.overall,
        scores.segments,
        scores.distribution,
        scores.to_frame(),
        scores.summary(),
        scores.notes,
        fitted.to_frame(),
        fitted.summary(),
        system.leaf_scores(survey),
        fitted.respondent_scores(survey),
        system.screen(survey),
        *(r.to_frame() for r in ev.values()),
        *(r.summary() for r in ev.values()),
    ]
    banned = ["phone", "comment", "rid", *PHONES, *COMMENTS]
    for out in outputs:
        text = _texts(out)
        for word in banned:
            assert word not in text
    with pytest.raises(CsiInputError, match=r"segment column 'phone' is the survey's private"):
        fitted.score(survey, by="phone")
    spec = copy.deepcopy(ON_SURVEY)
    spec["children"][1]["children"].append({"id": "comment", "scale": [1, 7]})
    with pytest.raises(CsiInputError, match=r"item 'comment' is the survey's free-text column"):
        IndicatorSystem.from_dict(spec).fit().score(survey)
    with pytest.raises(CsiInputError, match=r"item 'rid' is the survey's respondent id"):
        screen_indicators(survey, ["q1", "rid"])


# ---------------------------------------------------------------- (e) caller's data kept
def test_callers_data_and_survey_are_not_modified() -> None:
    raw = _raw()
    before = raw.copy(deep=True)
    survey = csi.read_survey(raw, CODEBOOK)
    responses = survey.all_responses().copy(deep=True)
    fitted = IndicatorSystem.from_dict(ON_SURVEY).fit(survey)
    fitted.score(survey, by="channel")
    fitted.fuzzy(survey)
    IndicatorSystem.from_dict(ON_SURVEY).screen(survey)
    frame_system = IndicatorSystem.from_dict(ON_FRAME)
    frame_system.fit(raw).score(raw, by="channel")
    frame_system.fit(raw).fuzzy(raw)
    frame_system.screen(raw)
    pd.testing.assert_frame_equal(raw, before)
    pd.testing.assert_frame_equal(survey.all_responses(), responses)


def test_yaml_cycles_are_named_not_recursion_errors(tmp_path):
    path = tmp_path / "cycle.yaml"
    path.write_text(
        "id: CSI\nname: {en: x}\nscale: {min: 1, max: 10}\nchildren: &kids\n"
        "  - {id: a, item: Q1}\n  - id: b\n    children: *kids\n",
        encoding="utf-8",
    )
    with pytest.raises(CsiInputError, match=r"child 2 'b': its children contain the node itself"):
        IndicatorSystem.from_yaml(path)
    node = {"id": "x", "children": []}
    node["children"].append(node)
    with pytest.raises(CsiInputError, match="this node contains itself"):
        IndicatorSystem.from_dict({"id": "CSI", "scale": {"min": 1, "max": 10}, "children": [node]})
