"""Shared diagnostics: each check fires on an improper value and stays quiet otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from csi import diagnostics as dg
from csi.sem import fit_sem


def test_negative_variance():
    out = dg.negative_variances({"x1": 0.5, "x2": -0.1})
    assert [d.code for d in out] == ["negative_variance"]
    assert "x2" in out[0].message and out[0].severity == "error" and out[0].advice


def test_loadings_correlations_and_r2():
    assert dg.standardized_loadings_above_one({"F -> a": 0.9, "F -> b": 1.02})[0].message.count(
        "F -> b"
    )
    assert dg.standardized_loadings_above_one({"F -> a": -1.0}) == []
    assert dg.correlations_above_one({"F ~~ G": 1.1})[0].code == "correlation_above_one"
    assert [d.code for d in dg.r2_out_of_range({"a": 1.2, "b": -0.1, "c": 0.5})] == [
        "r2_out_of_range",
        "r2_out_of_range",
    ]


def test_not_positive_definite_and_convergence():
    assert dg.not_positive_definite(np.eye(3)) == []
    bad = dg.not_positive_definite(np.array([[1.0, 2.0], [2.0, 1.0]]), name="sample matrix")
    assert bad[0].code == "not_positive_definite" and "sample matrix" in bad[0].message
    assert dg.not_converged(True) == []
    assert "12" in dg.not_converged(False, iterations=12)[0].message


def test_chinese_text():
    d = dg.negative_variances({"题1": -0.2}, lang="zh")[0]
    assert "方差为负" in d.message and "题1" in d.message


def test_collect_keeps_order_and_drops_duplicates():
    a = dg.negative_variances({"x": -1.0})
    b = dg.not_converged(False)
    assert dg.collect(a, b, a) == a + b


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0, 10), max_size=6))
def test_non_negative_variances_never_flagged(values):
    assert dg.negative_variances(values) == []


def test_heywood_case_is_reported_by_fit_sem():
    """Two-indicator factor whose data imply a loading above one: lavaan also gives a
    negative error variance here (the ML solution is outside the admissible region)."""
    rng = np.random.default_rng(4)
    n = 400
    f = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "a": f + 0.05 * rng.normal(size=n),
            "b": 0.9 * f + 0.5 * rng.normal(size=n),
            "c": 0.5 * f + 0.8 * rng.normal(size=n),
            "d": 0.6 * rng.normal(size=n) + 0.55 * f,
        }
    )
    # a correlated error between a and b that the model ignores pushes a's error below 0
    data["b"] = data["b"] + 0.6 * (data["a"] - f) * 10
    res = fit_sem(data, "F =~ a + b + c + d")
    err = res.estimates[(res.estimates.op == "~~") & (res.estimates.lhs == "a")]["estimate"]
    assert float(err.iloc[0]) < 0  # unbounded like lavaan, not clipped at 0 as semopy does
    codes = {d.code for d in res.diagnostics}
    assert "negative_variance" in codes and "loading_above_one" in codes
