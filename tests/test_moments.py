"""Moments: the sufficient statistics the estimators start from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.moments import moments_from_frame


def test_listwise_moments_match_numpy_and_count_exclusions():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    df.loc[[3, 7], "b"] = np.nan
    before = df.copy()
    m = moments_from_frame(df)
    complete = df.dropna().to_numpy()
    assert m.n == 48 and m.n_excluded == 2
    np.testing.assert_allclose(m.cov.to_numpy(), np.cov(complete, rowvar=False), atol=1e-12)
    np.testing.assert_allclose(m.corr.to_numpy(), np.corrcoef(complete, rowvar=False), atol=1e-12)
    pd.testing.assert_frame_equal(df, before)


def test_pairwise_uses_the_smallest_pair_count():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, np.nan], "b": [2.0, 1, 4, 3, 5], "c": [1.0, 2, 2, 1, 3]})
    m = moments_from_frame(df, missing="pairwise")
    assert m.n == 4
    assert m.cov.loc["b", "c"] == pytest.approx(np.cov([2, 1, 4, 3, 5], [1, 2, 2, 1, 3])[0, 1])


def test_errors_name_the_problem():
    df = pd.DataFrame({"a": [1, 2, "x"], "b": [1, 2, 3]})
    with pytest.raises(CsiInputError, match="column 'a' has a non-numeric answer 'x' at row 2"):
        moments_from_frame(df)
    with pytest.raises(CsiInputError, match="item not found in data: 'z'"):
        moments_from_frame(df, ["b", "z"])
    with pytest.raises(CsiInputError, match="missing must be"):
        moments_from_frame(df, ["b"], missing="median")
    with pytest.raises(CsiInputError, match="only 1 respondent"):
        moments_from_frame(pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 2.0]}))
