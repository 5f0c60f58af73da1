"""lavaan syntax reading, lavaan defaults, and fit_sem's input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.moments import moments_from_frame
from csi.sem import fit_sem
from csi.sem.syntax import SemSyntaxError, build_model, parse_lavaan, to_semopy
from csi.spec import ModelSpec


def test_parse_fixed_values_and_labels():
    terms = parse_lavaan("F =~ 1*a + lam*b + c  # comment\n a ~~ 0.5*a; y ~ g*F")
    assert [(t.lhs, t.op, t.rhs, t.fixed, t.label) for t in terms] == [
        ("F", "=~", "a", 1.0, None),
        ("F", "=~", "b", None, "lam"),
        ("F", "=~", "c", None, None),
        ("a", "~~", "a", 0.5, None),
        ("y", "~", "F", None, "g"),
    ]


def test_first_loading_fixed_and_single_item_error_variance():
    sm = build_model("F =~ a + b\nG =~ c\nG ~ F")
    assert sm.terms[0].fixed == 1.0 and sm.terms[1].fixed is None
    assert sm.single_item_latents() == ("G",)
    assert [(t.lhs, t.op, t.rhs, t.fixed) for t in sm.auto] == [("c", "~~", "c", 0.0)]
    custom = build_model("F =~ a + b\nG =~ c\nG ~ F", single_item_error={"c": 0.3})
    assert custom.auto[0].fixed == 0.3


def test_aliases_make_any_item_name_safe():
    sm = build_model("满意 =~ 题 1 + q-2 + q.3".replace("题 1", "题1"))
    desc, aliases = to_semopy(sm)
    assert "满意" not in desc and "q-2" not in desc
    assert aliases.to_name[aliases.to_alias["q-2"]] == "q-2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("F =~ a + b\nF =~ a", "given twice"),
        ("F <~ a + b", "formative"),
        ("F =~ a + NA*b", "not supported"),
        ("y ~ 1", "intercepts"),
        ("a := b*c", "defined parameters"),
        ("F -> a", "not lavaan syntax"),
        ("y ~ y", "points to itself"),
    ],
)
def test_bad_model_text_is_named(text, message):
    with pytest.raises(SemSyntaxError, match=message):
        build_model(text)


def test_unknown_variable_is_named():
    data = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 3)), columns=["a", "b", "c"])
    with pytest.raises(CsiInputError, match=r"\['zz'\]"):
        fit_sem(data, "F =~ a + b + zz")


def test_formative_spec_is_refused():
    spec = ModelSpec(indicators={"F": ("a", "b")}, modes={"F": "B"})
    with pytest.raises(SemSyntaxError, match="formative"):
        build_model(spec)


def _cfa_data(n=300, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    cols = {f"a{k}": 0.8 * f + 0.6 * rng.normal(size=n) for k in range(1, 4)}
    return pd.DataFrame(cols)


def test_input_errors_name_column_row_and_value():
    data = _cfa_data()
    bad = data.astype(object)
    bad.loc[7, "a2"] = "n/a"
    with pytest.raises(CsiInputError, match=r"'a2'.*'n/a'.*7"):
        fit_sem(bad, "F =~ a1 + a2 + a3")
    const = data.assign(a3=1.0)
    with pytest.raises(CsiInputError, match=r"\['a3'\] have no variance"):
        fit_sem(const, "F =~ a1 + a2 + a3")
    collinear = data.assign(a4=data["a1"] + data["a2"])
    with pytest.raises(CsiInputError, match="not positive definite"):
        fit_sem(collinear, "F =~ a1 + a2 + a3 + a4")
    with pytest.raises(CsiInputError, match="estimator"):
        fit_sem(data, "F =~ a1 + a2 + a3", estimator="PLS")
    with pytest.raises(CsiInputError, match="Moments"):
        fit_sem(moments_from_frame(data), "F =~ a1 + a2 + a3", estimator="MLM")
    with pytest.raises(TypeError, match="ModelSpec or lavaan text"):
        fit_sem(data, 42)  # type: ignore[arg-type]


def test_missing_answers_are_counted_not_hidden():
    data = _cfa_data()
    data.loc[[3, 10, 11], "a1"] = np.nan
    before = data.copy()
    res = fit_sem(data, "F =~ a1 + a2 + a3")
    pd.testing.assert_frame_equal(data, before)  # caller's frame untouched
    assert res.n == 297 and res.n_excluded == 3
    assert any(d.code == "respondents_excluded" and "3" in d.message for d in res.diagnostics)


def test_labels_impose_equality():
    data = _cfa_data(n=500, seed=3)
    free = fit_sem(data, "F =~ a1 + a2 + a3")
    equal = fit_sem(data, "F =~ a1 + l*a2 + l*a3")
    rows = equal.estimates[equal.estimates.op == "=~"]
    assert rows["estimate"].iloc[1] == pytest.approx(rows["estimate"].iloc[2], rel=1e-12)
    assert equal.fit_indices["df"] == free.fit_indices["df"] + 1
    assert equal.fit_indices["chisq"] >= free.fit_indices["chisq"] - 1e-9


def test_summary_and_html_in_both_languages():
    data = _cfa_data()
    res = fit_sem(data, "F =~ a1 + a2 + a3")
    assert "Chi-square" in res.summary() and "a1" in res.summary()
    assert "<table" in res._repr_html_()
    zh = fit_sem(data, "F =~ a1 + a2 + a3", lang="zh")
    assert "卡方" in zh.summary()
    assert "SEMResult" in repr(res)
