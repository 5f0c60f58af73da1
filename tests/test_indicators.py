"""IndicatorSystem: definition, weights, ranking, screening, scoring, fuzzy reading."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.fuzzy import fuzzy_composite
from csi.indicators import IndicatorSystem, screen_indicators
from csi.scales import SEVEN_LEVELS
from csi.weighting import ahp_group, entropy_weights

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

GIVEN = {
    "id": "CSI",
    "name": {"zh": "满意度", "en": "Satisfaction"},
    "scale": {"min": 1, "max": 7},
    "missing": [99],
    "weights": {"method": "given", "values": {"product": 3, "service": 1}},
    "children": [
        {
            "id": "product",
            "name": {"zh": "产品", "en": "Product"},
            "weights": {"method": "given", "values": {"q1": 0.25, "q2": 0.75}},
            "children": ["q1", {"id": "q2", "item": "q2"}],
        },
        {
            "id": "service",
            "name": {"zh": "服务", "en": "Service"},
            "children": [
                {"id": "q3", "item": "q3", "scale": [0, 10]},
                {"id": "q4", "item": "q4", "reverse": True},
            ],
        },
    ],
}


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "q1": [7, 1, 4, 99],
            "q2": [7, 1, 1, 7],
            "q3": [10, 0, 5, np.nan],
            "q4": [1, 7, 4, np.nan],
            "seg": ["a", "a", "b", "b"],
        }
    )


def test_given_weights_frame_global_weights_and_ranks() -> None:
    system = IndicatorSystem.from_dict(GIVEN)
    assert system.items == ["q1", "q2", "q3", "q4"]
    f = system.to_frame(lang="zh")
    assert list(f.columns) == [
        "node",
        "name",
        "parent",
        "depth",
        "level",
        "item",
        "method",
        "local_weight",
        "global_weight",
        "rank_in_parent",
        "rank_in_level",
    ]
    row = f.set_index("node")
    assert row.loc["product", "local_weight"] == pytest.approx(0.75)
    assert row.loc["product", "level"] == "一级指标"
    assert row.loc["q2", "global_weight"] == pytest.approx(0.75 * 0.75)
    assert row.loc["q3", "global_weight"] == pytest.approx(0.25 * 0.5)
    assert row.loc["q2", "level"] == "二级指标"
    # ranks within level by global weight: q2 .5625, q1 .1875, q3 = q4 .125
    assert row.loc[["q2", "q1", "q3", "q4"], "rank_in_level"].tolist() == [1, 2, 3, 3]
    # siblings are listed in order of weight (the finished system)
    assert f["node"].tolist() == ["product", "q2", "q1", "service", "q3", "q4"]
    fitted = system.fit()
    assert fitted.global_weights.sum() == pytest.approx(1.0)
    assert fitted.ranking(1)["node"].tolist() == ["product", "service"]


def test_scores_by_hand_with_missing_code_reverse_and_reweighting() -> None:
    system = IndicatorSystem.from_dict(GIVEN)
    data = _data()
    before = data.copy()
    scores = system.fit().score(data, by="seg")
    pd.testing.assert_frame_equal(data, before)
    r = scores.respondents
    # respondent 0: q1 = q2 = 100, q3 = 100, q4 reversed: 100 - 0 = 100 -> 100
    assert r.loc[0, "CSI"] == pytest.approx(100.0)
    # respondent 2: q1 = 50, q2 = 0 -> product 12.5; q3 = 50, q4 = 100 - 50 = 50 -> 50
    assert r.loc[2, "product"] == pytest.approx(12.5)
    assert r.loc[2, "CSI"] == pytest.approx(0.75 * 12.5 + 0.25 * 50)
    # respondent 3: q1 = 99 is missing, so product = q2 = 100; service has no answer,
    # so the overall score rests on product alone
    assert r.loc[3, "product"] == pytest.approx(100.0)
    assert np.isnan(r.loc[3, "service"])
    assert r.loc[3, "CSI"] == pytest.approx(100.0)
    assert scores.n_incomplete == 1 and scores.n_unscored == 0
    assert r.loc[3, "level"] == 7 and r.loc[3, "label"] == "very satisfied"
    o = scores.overall.set_index("node")
    assert o.loc["CSI", "score"] == pytest.approx(r["CSI"].mean())
    assert o.loc["q1", "n"] == 3
    seg = scores.segments
    a = seg[(seg["seg"] == "a") & (seg["node"] == "CSI")].iloc[0]
    assert a["score"] == pytest.approx(r.loc[[0, 1], "CSI"].mean())
    assert scores.distribution["count"].sum() == 4
    assert scores.index == pytest.approx(r["CSI"].mean())
    assert "incomplete respondents: 1" in scores.summary()


def test_out_of_scale_answer_is_an_error() -> None:
    system = IndicatorSystem.from_dict(GIVEN)
    bad = _data().assign(q2=[7, 1, 8, 7])
    with pytest.raises(
        CsiInputError, match=r"column 'q2' has value 8.0 at row 2 outside the scale 1-7"
    ):
        system.fit().score(bad)
    with pytest.raises(CsiInputError, match="item not found in data: 'q4'"):
        system.fit().score(_data().drop(columns="q4"))


def test_ahp_experts_node_equals_group_ahp() -> None:
    experts = {
        "E1": {"weight": 2, "judgments": ["a vs b: 3", "a vs c: 5", "b vs c: 2"]},
        "E2": {"weight": 1, "judgments": ["a vs b: 1", "a vs c: 3", "b vs c: 3"]},
    }
    spec = {
        "scale": [1, 10],
        "weights": {"method": "ahp", "experts": experts, "aggregation": "aij"},
        "children": ["a", "b", "c"],
    }
    fitted = IndicatorSystem.from_dict(spec).fit()
    ref = ahp_group(
        {"E1": experts["E1"]["judgments"], "E2": experts["E2"]["judgments"]},
        expert_weights={"E1": 2, "E2": 1},
    )
    assert fitted.local_weights["overall"].to_numpy() == pytest.approx(
        ref.weights.loc[["a", "b", "c"]].to_numpy()
    )
    assert fitted.consistency_ratio == pytest.approx(ref.aggregate.cr)


def test_entropy_node_uses_rescaled_scores() -> None:
    rng = np.random.default_rng(4)
    data = pd.DataFrame(rng.integers(2, 8, size=(200, 3)), columns=["x", "y", "z"])
    data["z"] = np.where(rng.random(200) < 0.8, 7, data["z"])  # skewed: low entropy
    spec = {"scale": [1, 7], "weights": {"method": "entropy"}, "children": ["x", "y", "z"]}
    w = IndicatorSystem.from_dict(spec).fit(data).local_weights["overall"]
    ref = entropy_weights((data - 1) / 6 * 100)
    assert w.to_numpy() == pytest.approx(ref.to_numpy(), abs=1e-12)
    assert w.idxmin() == "z"  # mostly the same answer: little dispersion, low weight
    with pytest.raises(CsiInputError, match="pass data to fit"):
        IndicatorSystem.from_dict(spec).fit()
    with pytest.raises(CsiInputError, match=r"use system.fit\(data\).to_frame\(\)"):
        IndicatorSystem.from_dict(spec).to_frame()


def test_definition_errors_are_clear() -> None:
    def bad(**changes: object) -> dict:
        spec = {"scale": [1, 7], "children": ["a", "b"]}
        spec.update(changes)
        return spec

    with pytest.raises(CsiInputError, match="node id 'a' is used twice"):
        IndicatorSystem.from_dict(bad(children=["a", {"id": "g", "children": ["a"]}]))
    with pytest.raises(CsiInputError, match="item 'q' appears twice"):
        IndicatorSystem.from_dict(
            bad(children=[{"id": "a", "item": "q"}, {"id": "b", "item": "q"}])
        )
    with pytest.raises(CsiInputError, match=r"unknown key\(s\) \['weight'\]"):
        IndicatorSystem.from_dict(bad(children=[{"id": "a", "weight": 1}, "b"]))
    with pytest.raises(
        CsiInputError, match=r"given weights name \['a', 'c'\] but the children are \['a', 'b'\]"
    ):
        IndicatorSystem.from_dict(bad(weights={"method": "given", "values": {"a": 1, "c": 1}}))
    with pytest.raises(CsiInputError, match="weights method must be one of"):
        IndicatorSystem.from_dict(bad(weights={"method": "delphi"}))
    with pytest.raises(CsiInputError, match="leaf 'a' has no scale"):
        IndicatorSystem.from_dict({"children": ["a", "b"]})
    with pytest.raises(CsiInputError, match="'ahp' weights need judgments"):
        IndicatorSystem.from_dict(bad(weights={"method": "ahp"}))
    with pytest.raises(CsiInputError, match="no children"):
        IndicatorSystem.from_dict({"scale": [1, 7]})
    with pytest.raises(CsiInputError, match="file not found"):
        IndicatorSystem.from_yaml("no/such/file.yaml")


def test_screening_flags_with_reasons_and_drops_nothing() -> None:
    rng = np.random.default_rng(2)
    f = rng.normal(size=400)
    data = pd.DataFrame(
        {
            "a": f + rng.normal(scale=0.6, size=400),
            "b": f + rng.normal(scale=0.6, size=400),
            "a_copy": f + rng.normal(scale=0.6, size=400),
            "noise": rng.normal(size=400),
        }
    )
    data["a_copy"] = data["a"] + rng.normal(scale=0.05, size=400)
    before = data.copy()
    out = screen_indicators(data, list(data.columns))
    pd.testing.assert_frame_equal(data, before)
    dup = out[out["check"] == "near_duplicate"]
    assert dup[["item", "other"]].values.tolist() == [["a", "a_copy"]]
    weak = out[out["check"] == "weak"]
    assert weak["item"].tolist() == ["noise"]
    assert "item-total correlation" in weak["reason"].iloc[0]
    zh = screen_indicators(data, list(data.columns), lang="zh")
    assert "重复" in zh.loc[zh["check"] == "near_duplicate", "reason"].iloc[0]
    with pytest.raises(CsiInputError, match="duplicate_threshold must lie in"):
        screen_indicators(data, ["a", "b"], duplicate_threshold=2)


def test_fuzzy_through_the_system_by_hand() -> None:
    system = IndicatorSystem.from_dict(GIVEN)
    data = _data().iloc[:3]
    res = system.fit().fuzzy(data)
    # levels: q1 answers 7, 1, 4 -> levels 7, 1, 4; q2 7, 1, 1 -> 7, 1, 1
    r_prod = np.array([[1, 0, 0, 1, 0, 0, 1], [2, 0, 0, 0, 0, 0, 1]]) / 3
    b_prod = fuzzy_composite([0.25, 0.75], r_prod)
    assert res["product"].membership.to_numpy() == pytest.approx(b_prod)
    # q3 (0-10): 10, 0, 5 -> 100, 0, 50 -> levels 7, 1, 4; q4 reversed: 100, 0, 50 -> same
    r_serv = np.array([[1, 0, 0, 1, 0, 0, 1], [1, 0, 0, 1, 0, 0, 1]]) / 3
    b_root = fuzzy_composite([0.75, 0.25], np.vstack([b_prod, fuzzy_composite([0.5, 0.5], r_serv)]))
    assert res["CSI"].membership.to_numpy() == pytest.approx(b_root / b_root.sum())
    assert res["CSI"].score == pytest.approx(b_root @ SEVEN_LEVELS.anchors)


@pytest.mark.skipif(
    not (SAMPLES / "survey.csv").exists(), reason="data/samples/survey.csv not built yet"
)
def test_sample_indicator_system_end_to_end() -> None:
    system = IndicatorSystem.from_yaml(SAMPLES / "indicator_system.yaml")
    data = pd.read_csv(SAMPLES / "survey.csv")
    assert set(system.items) <= set(data.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # notes are collected, not raised
        fitted = system.fit(data)
        scores = fitted.score(data, by=["region"], lang="zh")
    frame = fitted.to_frame(lang="zh")
    assert set(frame["level"]) == {"一级指标", "二级指标", "三级指标"}
    assert fitted.global_weights.sum() == pytest.approx(1.0)
    for parent, grp in frame.groupby("parent"):
        assert grp["local_weight"].sum() == pytest.approx(1.0), parent
    assert fitted.consistency_ratio < 0.1
    # missing code 99 never reaches a score; every respondent has an overall score
    assert scores.respondents.drop(columns=["level", "label"]).max().max() <= 100
    assert scores.n_unscored == 0 and scores.n_respondents == len(data)
    assert 0 < scores.index < 100
    assert scores.distribution["count"].sum() == len(data)
    assert set(scores.segments["region"]) == {"North", "East", "South", "West"}
    assert any("dropped" in n for n in fitted.notes)  # rows with 99 left out of entropy
    fz = fitted.fuzzy(data)
    assert fz[system.root.id].membership.sum() == pytest.approx(1.0)
    assert "一级指标" not in fitted.summary()  # English by default
