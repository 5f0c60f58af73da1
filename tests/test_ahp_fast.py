"""The fast path of ahp_weights gives what the plain route gives.

ahp_weights validates arrays vectorised, reads ``{(a, b): value}`` mappings directly
(instead of formatting and re-parsing ``"a vs b: value"``) and builds its ``matrix`` and
``judgments`` tables on first read. These tests compare each shortcut with the route
it replaces; speed itself is measured in benchmarks/bench_speed.py.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import pickle
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.weighting import SAATY_SCALE, ahp_weights
from csi.weighting.ahp_core import _diagnose
from csi.weighting.ahp_judgments import _as_array, _fmt, _plain_mapping


def _outcome(matrix: Any, **options: Any) -> tuple[str, list[tuple[type, str]]]:
    """Everything ahp_weights returns, raises and warns, in comparable form."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = ahp_weights(matrix, **options)
            got: tuple[Any, ...] = (
                r.weights.to_dict(),
                list(r.weights.index),
                r.lambda_max,
                r.cr,
                r.notes,
                r.matrix.to_numpy().tobytes(),
                r.judgments.to_dict("list"),
            )
        except (CsiInputError, OverflowError) as e:  # OverflowError: 1 / 1e-309 as before
            got = (type(e).__name__, str(e))
    # repr: exact for floats, and NaN (a share of 0 / 0 for absurd values) equals NaN
    return repr(got), [(w.category, str(w.message)) for w in caught]


plain_names = st.sampled_from(["service", "price", "after sales", "质量", "a.b", "x vsy", "v"])
names = st.one_of(
    plain_names,
    st.sampled_from(["a vs", "vs b", "p vs. q", "x:y", "k=v", " pad", "pad ", "质量 比 价格"]),
    st.text(alphabet=st.sampled_from(list("ab xy:=/.vsersu对比\t\n")), min_size=1, max_size=8),
)
values = st.one_of(
    st.sampled_from(SAATY_SCALE),
    st.sampled_from(range(1, 10)),
    st.floats(min_value=-2, max_value=20),
    st.sampled_from([float("nan"), float("inf"), 10**400]),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from(["1/3", "3", " 5", "2.5", "x", "0", True, np.float64(1 / 7), np.float32(3)]),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(names, names), values, min_size=1, max_size=6))
def test_mapping_read_directly_as_the_text_route(judgments: dict[Any, Any]) -> None:
    """A mapping gives what its judgments typed as text give, errors included."""
    text = [f"{a} vs {b}: {v}" for (a, b), v in judgments.items()]
    assert _outcome(judgments) == _outcome(text)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.tuples(plain_names, plain_names).filter(lambda k: k[0] != k[1]),
        st.one_of(st.sampled_from(SAATY_SCALE), st.integers(1, 9), st.floats(0.05, 20)),
        min_size=1,
        max_size=8,
    )
)
def test_plain_mappings_take_the_direct_route(judgments: dict[Any, Any]) -> None:
    assert _plain_mapping(judgments) is not None
    text = [f"{a} vs {b}: {v}" for (a, b), v in judgments.items()]
    assert _outcome(judgments) == _outcome(text)


def _validate_by_loops(arr: np.ndarray, labels: list[str], tol: float = 0.02) -> np.ndarray:
    """The element-by-element validation that the vectorised one replaced."""
    n = arr.shape[0]
    out = arr.copy()
    for i in range(n):
        if not (np.isfinite(arr[i, i]) and abs(arr[i, i] - 1) < 1e-9):
            raise CsiInputError(
                f"comparison matrix: diagonal entry ({labels[i]}, {labels[i]}) is "
                f"{float(arr[i, i])!r}, must be 1"
            )
        for j in range(n):
            v = arr[i, j]
            if np.isnan(v):
                continue
            if not np.isfinite(v) or v <= 0:
                raise CsiInputError(
                    f"comparison matrix: entry ({labels[i]}, {labels[j]}) is {float(v)!r}, "
                    "must be a positive number"
                )
    for i, j in itertools.combinations(range(n), 2):
        a, b = arr[i, j], arr[j, i]
        if np.isnan(a) and np.isnan(b):
            continue
        if np.isnan(a):
            out[i, j] = 1 / b
            continue
        if np.isnan(b):
            out[j, i] = 1 / a
            continue
        if abs(a * b - 1) > tol:
            raise CsiInputError(
                f"comparison matrix: entry ({labels[i]}, {labels[j]}) = {_fmt(a)} but "
                f"({labels[j]}, {labels[i]}) = {_fmt(b)}; a reciprocal matrix needs "
                f"({labels[j]}, {labels[i]}) = {_fmt(1 / a)}"
            )
        g = float(np.sqrt(a / b))
        out[i, j], out[j, i] = g, 1 / g
    return out


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_validation_matches_the_loops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 8))
    a = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        v = SAATY_SCALE[rng.integers(len(SAATY_SCALE))]
        a[i, j], a[j, i] = v, 1 / v
        if rng.random() < 0.3:
            a[j, i] = round(1 / v, 2)  # typed 0.33 for 1/3
    for _ in range(int(rng.integers(0, 3))):  # missing, wrong or non-reciprocal entries
        i, j = (int(x) for x in rng.integers(0, n, size=2))
        a[i, j] = rng.choice([np.nan, -1.0, 0.0, np.inf, 2.7, 1.0])
    labels = [f"x{k + 1}" for k in range(n)]
    try:
        expected: Any = _validate_by_loops(a, labels)
    except CsiInputError as e:
        expected = str(e)
    try:
        got: Any = _as_array(a, None, check_scale=False, reciprocal_tol=0.02)[0]
    except CsiInputError as e:
        got = str(e)
    if isinstance(expected, str):
        assert got == expected
    else:
        np.testing.assert_array_equal(got, expected)


def test_tables_built_on_first_read_equal_the_eager_ones() -> None:
    rng = np.random.default_rng(3)
    n = 6
    a = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        v = SAATY_SCALE[rng.integers(len(SAATY_SCALE))]
        a[i, j], a[j, i] = v, 1 / v
    a[0, 4] = a[4, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ahp_weights(a)
    w = res.weights.to_numpy()
    labels = list(res.weights.index)
    pd.testing.assert_frame_equal(res.judgments, _diagnose(a, w, labels, np.isnan(a)))
    expected = np.where(np.isnan(a), np.outer(w, 1 / w), a)
    pd.testing.assert_frame_equal(res.matrix, pd.DataFrame(expected, index=labels, columns=labels))
    assert res.judgments is res.judgments  # built once, then kept


def test_lazy_result_pickles_copies_and_replaces() -> None:
    res = ahp_weights({("a", "b"): 3, ("b", "c"): 2, ("a", "c"): 5})
    for other in (
        pickle.loads(pickle.dumps(res)),
        copy.deepcopy(res),
        dataclasses.replace(res, notes=("x",)),
    ):
        pd.testing.assert_frame_equal(other.judgments, res.judgments)
        pd.testing.assert_frame_equal(other.matrix, res.matrix)
        pd.testing.assert_series_equal(other.weights, res.weights)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.matrix = res.matrix  # type: ignore[misc]
    assert [f.name for f in dataclasses.fields(res)][9:11] == ["matrix", "judgments"]
    with pytest.raises(TypeError):
        type(res)(  # type: ignore[call-arg]
            weights=res.weights,
            lambda_max=3.0,
            ci=0.0,
            ri=0.58,
            cr=0.0,
            consistent=True,
            threshold=0.1,
            method="eigenvector",
            random_index_table="saaty",
        )


def test_results_share_no_mutable_state() -> None:
    """The item Index is built once per item list and shared: each result gets its own
    view (renaming one result's index leaves the others alone), and the matrix table of
    a complete matrix is its own copy (editing it leaves the judgments table alone)."""
    judgments = {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2}
    first, second = ahp_weights(judgments), ahp_weights(judgments)
    first.weights.index.name = "criterion"
    assert second.weights.index.name is None
    assert ahp_weights(judgments).weights.index.name is None
    assert first.weights.index.dtype == pd.Series([1.0], index=["a"]).index.dtype
    before = second.judgments.copy()
    third = ahp_weights(judgments)
    third.matrix.iloc[0, 1] = 9.0
    pd.testing.assert_frame_equal(third.judgments, before)
    assert ahp_weights(judgments).matrix.iloc[0, 1] == 3.0


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(names, names), values, min_size=0, max_size=6))
def test_one_pass_mapping_reader_equals_the_two_step_one(judgments: dict[Any, Any]) -> None:
    """_plain_matrix gives _judgment_matrix(_plain_mapping(...)) or declines (None) when
    the general route must read the mapping (text names or values, a repeated pair)."""
    from csi.weighting.ahp_judgments import _judgment_matrix, _plain_matrix

    fast = _plain_matrix(judgments)
    parsed = _plain_mapping(judgments)
    if fast is None:
        if parsed is not None:  # declined only for a repeated pair, which the loop rejects
            with pytest.raises(CsiInputError, match="repeats the pair"):
                _judgment_matrix(parsed, None)
        return
    assert parsed is not None
    m, labels = _judgment_matrix(parsed, None)
    assert fast[1] == labels
    np.testing.assert_array_equal(fast[0], m)
