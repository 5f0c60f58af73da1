"""ModelSpec: lavaan syntax in and out, presets, and the errors a user meets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csi.spec import ModelSpec, ModelSpecError, as_spec

ACSI_ITEMS = {
    "expectation": ["EXP1", "EXP2", "EXP3"],
    "quality": ["QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5"],
    "value": ["VAL1", "VAL2"],
    "satisfaction": ["SAT1", "SAT2", "SAT3"],
    "complaints": ["COMP1"],
    "loyalty": ["LOY1", "LOY2", "LOY3"],
}


def test_acsi_has_the_nine_standard_paths():
    spec = ModelSpec.acsi(indicators=ACSI_ITEMS)
    assert spec.constructs == (
        "Expectation",
        "Quality",
        "Value",
        "Satisfaction",
        "Complaints",
        "Loyalty",
    )
    assert set(spec.paths) == {
        ("Expectation", "Quality"),
        ("Expectation", "Value"),
        ("Expectation", "Satisfaction"),
        ("Quality", "Value"),
        ("Quality", "Satisfaction"),
        ("Value", "Satisfaction"),
        ("Satisfaction", "Complaints"),
        ("Satisfaction", "Loyalty"),
        ("Complaints", "Loyalty"),
    }
    assert spec.exogenous == ("Expectation",)
    assert spec.predecessors("Loyalty") == ("Satisfaction", "Complaints")


def test_ecsi_adds_image_paths_and_chinese_names():
    spec = ModelSpec.ecsi(indicators={**ACSI_ITEMS, "image": ["IM1", "IM2"]}, lang="zh")
    assert spec.constructs[0] == "品牌形象"
    assert len(spec.paths) == 12
    assert ("品牌形象", "顾客忠诚") in spec.paths
    assert spec.predecessors("顾客满意度") == ("品牌形象", "预期质量", "感知质量", "感知价值")


def test_acsi_without_complaints_drops_its_paths():
    items = {k: v for k, v in ACSI_ITEMS.items() if k != "complaints"}
    spec = ModelSpec.acsi(indicators=items)
    assert len(spec.paths) == 7
    assert "Complaints" not in spec.constructs


def test_lavaan_round_trip():
    spec = ModelSpec.acsi(indicators=ACSI_ITEMS, names={"satisfaction": "CSI"})
    again = ModelSpec.from_lavaan(spec.to_lavaan())
    assert again == spec
    assert "CSI =~ SAT1 + SAT2 + SAT3" in spec.to_lavaan()


def test_from_lavaan_reads_modes_comments_and_semicolons():
    spec = ModelSpec.from_lavaan("# a model\n F =~ a + b ; G <~ c + d\n G ~ F  # path\n a ~~ c")
    assert spec.modes == {"F": "A", "G": "B"}
    assert spec.paths == (("F", "G"),)
    assert spec.covariances == (("a", "c"),)


def test_from_tables_reads_the_validation_layout(reference):
    spec = ModelSpec.from_tables(
        reference("ecsi_measurement.csv"), reference("ecsi_structural.csv")
    )
    assert len(spec.constructs) == 7 and len(spec.items) == 24 and len(spec.paths) == 12
    assert spec.indicators["Complaints"] == ("CUSCO",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("F =~ a + b\nG =~ b + c", "indicator 'b' is used by two constructs: 'F' and 'G'"),
        ("F =~ a + b\nG ~ F", "unknown construct 'G'"),
        ("F =~ a\nG =~ b\nH =~ c\nG ~ F + H\nH ~ G", "cycle: G -> H -> G"),
        ("F =~ a\nG =~ b\nG ~ F + F", "given twice"),
        ("F =~ 1*a + b", "fixed values and labels"),
        ("F = a", "not lavaan syntax"),
        ("", "empty"),
    ],
)
def test_errors_name_the_fault(text, message):
    with pytest.raises(ModelSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ModelSpec.from_lavaan(text)


def test_construct_without_indicators_is_an_error():
    with pytest.raises(ModelSpecError, match="construct 'F' has no indicators"):
        ModelSpec(indicators={"F": ()})


def test_bad_mode_and_roles():
    with pytest.raises(ModelSpecError, match="mode must be 'A'"):
        ModelSpec(indicators={"F": ("a",)}, modes={"F": "C"})
    with pytest.raises(ModelSpecError, match="unknown construct role"):
        ModelSpec.acsi(indicators={**ACSI_ITEMS, "trust": ["T1"]})
    with pytest.raises(
        ModelSpecError, match=r"no indicators given for construct role\(s\) \['value'\]"
    ):
        ModelSpec.acsi(indicators={k: v for k, v in ACSI_ITEMS.items() if k != "value"})


def test_check_data_names_missing_indicator():
    spec = ModelSpec.acsi(indicators=ACSI_ITEMS)
    with pytest.raises(ModelSpecError, match="'VAL2' \\(construct 'Value'\\)"):
        spec.check_data([i for i in spec.items if i != "VAL2"])


def test_as_spec_rejects_other_types():
    with pytest.raises(TypeError, match="got int"):
        as_spec(3)


@given(st.permutations(list(ACSI_ITEMS)))
def test_topological_order_respects_paths_whatever_the_construct_order(roles):
    base = ModelSpec.acsi(indicators=ACSI_ITEMS)
    spec = ModelSpec(
        indicators={
            base.constructs[list(ACSI_ITEMS).index(r)]: base.indicators[
                base.constructs[list(ACSI_ITEMS).index(r)]
            ]
            for r in roles
        },
        paths=base.paths,
    )
    order = spec.topological_order()
    assert sorted(order) == sorted(spec.constructs)
    for s, t in spec.paths:
        assert order.index(s) < order.index(t)


def test_equal_specs_hash_equal_and_can_key_a_cache():
    a = ModelSpec.acsi(indicators=ACSI_ITEMS)
    b = ModelSpec.from_lavaan(a.to_lavaan())
    assert a == b and hash(a) == hash(b)
    assert {a: "fitted"}[b] == "fitted"
    c = ModelSpec.acsi(indicators={**ACSI_ITEMS, "value": ["VAL1"]})
    assert c != a
