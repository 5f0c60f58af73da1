"""Intervals for a proportion and a quantile, against published figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.metrics.intervals import (
    clopper_pearson_interval,
    proportion_interval,
    quantile_interval,
    wilson_interval,
)

# Newcombe (1998), "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Statistics in Medicine 17:857-872, Table II,
# methods 3 (Wilson score, no continuity correction) and 5 (Clopper-Pearson exact).
NEWCOMBE = [
    # (k, n, wilson lower, wilson upper, exact lower, exact upper)
    (81, 263, 0.2553, 0.3662, 0.2527, 0.3676),
    (15, 148, 0.0624, 0.1605, 0.0578, 0.1617),
    (0, 20, 0.0000, 0.1611, 0.0000, 0.1684),
    (1, 29, 0.0061, 0.1718, 0.0009, 0.1776),
]


@pytest.mark.parametrize(("k", "n", "wl", "wu", "el", "eu"), NEWCOMBE)
def test_wilson_and_exact_match_newcombe_1998(k, n, wl, wu, el, eu):
    lo, hi = wilson_interval(k, n)
    assert (round(lo, 4), round(hi, 4)) == (wl, wu)
    lo, hi = clopper_pearson_interval(k, n)
    assert (round(lo, 4), round(hi, 4)) == (el, eu)


def test_wilson_by_hand_half():
    # Wilson (1927): p = 0.5, n = 100, z = 1.959964: centre 0.5,
    # half-width z/(1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
    #   = 1.959964 / 1.0384146 * sqrt(0.0025 + 0.00009604) = 0.0961685
    lo, hi = wilson_interval(50, 100)
    assert lo == pytest.approx(0.5 - 0.0961685, abs=1e-7)
    assert hi == pytest.approx(0.5 + 0.0961685, abs=1e-7)


def test_vectorised_and_empty():
    lo, hi = wilson_interval(np.array([0, 5]), np.array([0, 10]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert 0 < lo[1] < 0.5 < hi[1] < 1


def test_proportion_interval_dispatch_and_errors():
    assert proportion_interval(81, 263, method="exact") == clopper_pearson_interval(81, 263)
    with pytest.raises(CsiInputError, match="method must be one of"):
        proportion_interval(1, 2, method="wald")
    with pytest.raises(CsiInputError, match="successes <= n"):
        wilson_interval(5, 3)
    with pytest.raises(CsiInputError, match="level"):
        wilson_interval(1, 3, level=95)


@given(st.integers(0, 500), st.integers(1, 500), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_intervals_contain_estimate_and_stay_in_unit_interval(k, n, level):
    k = min(k, n)
    p = k / n
    for f in (wilson_interval, clopper_pearson_interval):
        lo, hi = f(k, n, level=level)
        assert 0 <= lo <= p <= hi <= 1
    # a higher level never gives a shorter interval
    lo1, hi1 = wilson_interval(k, n, level=0.8)
    lo2, hi2 = wilson_interval(k, n, level=0.99)
    assert lo2 <= lo1 + 1e-12 and hi2 >= hi1 - 1e-12


def test_median_interval_n10_conover():
    # Conover (1999, §3.2): for n = 10 the 95% interval for the median is
    # (X(2), X(9)), with confidence P(2 <= B <= 8), B ~ Bin(10, 1/2), = 0.9785.
    est, lo, hi = quantile_interval(np.arange(1.0, 11.0), 0.5)
    assert (est, lo, hi) == (5.5, 2.0, 9.0)


def test_p90_interval_n10_has_no_upper_limit():
    # B ~ Bin(10, 0.9): F(6) = 0.0128 < 0.025 <= F(7) = 0.0702, so l = 7; the upper
    # rank would be 11 > n, so the sample cannot bound the 90th percentile from above.
    est, lo, hi = quantile_interval(np.arange(1.0, 11.0), 0.9)
    assert est == pytest.approx(9.1)
    assert lo == 7.0
    assert np.isnan(hi)


def test_quantile_interval_ignores_nan_and_checks_q():
    est, lo, hi = quantile_interval([1, 2, np.nan, 3], 0.5)
    assert est == 2.0
    assert np.isnan(lo) and np.isnan(hi)  # n = 3 is too small for a 95% median interval
    with pytest.raises(CsiInputError, match="q must be between 0 and 1"):
        quantile_interval([1, 2, 3], 1.5)
    assert all(np.isnan(quantile_interval([], 0.5)))
