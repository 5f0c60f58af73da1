"""The shared elementary formulas: 0-100 rescaling and adjusted R² (csi.formulas)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csi.formulas import adjusted_r2, from_100, to_100
from csi.scales import RatingScale

ends = st.tuples(st.integers(-5, 5), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1]))


@given(ends, st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_rescaling_stays_in_0_100_and_round_trips(scale, fractions) -> None:
    lo, hi = scale
    x = lo + np.array(fractions) * (hi - lo)  # answers inside the scale
    y = to_100(x, lo, hi)
    assert ((y >= -1e-9) & (y <= 100 + 1e-9)).all()
    np.testing.assert_allclose(from_100(y, lo, hi), x, atol=1e-9)
    # the RatingScale method is the same formula
    np.testing.assert_allclose(RatingScale(min=lo, max=hi).to_100(x), y)


def test_rescaling_by_hand_and_pandas_index_kept() -> None:
    s = pd.Series([1, 4, 7], index=["a", "b", "c"], dtype=float)
    out = to_100(s, 1, 7)
    assert list(out.index) == ["a", "b", "c"]
    assert out.tolist() == [0.0, 50.0, 100.0]


def test_adjusted_r2_by_hand() -> None:
    # R² = 0.5, n = 101, k = 4: 1 - 0.5 * 100 / 96
    assert float(adjusted_r2(0.5, 101, 4)) == pytest.approx(1 - 0.5 * 100 / 96, rel=1e-15)
    assert np.isnan(adjusted_r2(0.5, 5, 4))  # n - k - 1 = 0: undefined, no warning
    np.testing.assert_allclose(
        adjusted_r2([0.2, 0.6], 50, [1, 3]), [1 - 0.8 * 49 / 48, 1 - 0.4 * 49 / 46]
    )
