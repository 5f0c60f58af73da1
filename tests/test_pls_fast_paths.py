"""The single-matrix fast path of the PLS algorithm against its plain counterparts.

A fit of one correlation matrix gathers each target's regression system and the
path-scheme inner weights with ``take`` (:class:`csi.pls.layout.Layout`) and solves
them with :func:`csi.pls.algorithm.solve_vectors` (numpy's LAPACK gufunc called
directly). These tests hold it to the slow path: ``np.linalg.solve``, the matrices
built entry by entry here, and the stacked algorithm (the bootstrap's), which must
give the same weights bit for bit.
"""

from __future__ import annotations

import dataclasses
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.moments import Moments, moments_from_frame
from csi.pls import fit_pls, fit_pls_moments
from csi.pls.algorithm import (
    SCHEMES,
    inner_estimates,
    outer_weights,
    sign_anchors,
    solve_vectors,
    solve_vectors_checked,
)
from csi.pls.fit_single import _column_dtypes
from csi.pls.layout import CONSTANTS, Layout
from csi.spec import ModelSpec

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def random_model(seed: int) -> tuple[pd.DataFrame, ModelSpec]:
    """2-6 constructs (1-4 items each), random recursive paths (some constructs may
    have none), items from standardised latents with loadings 0.5-0.9."""
    rng = np.random.default_rng(seed)
    J = int(rng.integers(2, 7))
    names = [f"C{j}" for j in range(J)]
    paths = [(names[s], names[t]) for t in range(J) for s in range(t) if rng.random() < 0.5]
    n = 120
    latent = np.zeros((n, J))
    for t in range(J):
        preds = [s for s in range(t) if (names[s], names[t]) in paths]
        signal = latent[:, preds] @ rng.uniform(-0.6, 0.6, len(preds)) if preds else 0.0
        latent[:, t] = signal + rng.standard_normal(n)
    columns, indicators = {}, {}
    for j, c in enumerate(names):
        items = [f"{c}_{k}" for k in range(int(rng.integers(1, 5)))]
        indicators[c] = tuple(items)
        for item in items:
            columns[item] = rng.uniform(0.5, 0.9) * latent[:, j] + rng.standard_normal(n) * 0.6
    spec = ModelSpec(indicators=indicators, paths=tuple(paths))
    return pd.DataFrame(columns), spec


def correlation(data: pd.DataFrame, layout: Layout) -> np.ndarray:
    return np.corrcoef(data[list(layout.items)].to_numpy(), rowvar=False)


# ------------------------------------------------------------------ solve_vectors
@settings(max_examples=60, deadline=None)
@given(seed=seeds, size=st.integers(1, 8), count=st.integers(1, 7))
def test_solve_vectors_is_numpys_solve(seed: int, size: int, count: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((count, size, size)) + size * np.eye(size)
    b = rng.standard_normal((count, size))
    expected = np.linalg.solve(a, b[..., None])[..., 0]
    np.testing.assert_array_equal(solve_vectors(a, b), expected)  # the same LAPACK call
    np.testing.assert_array_equal(solve_vectors_checked(a, b), expected)
    # views with other strides (as the fit passes them) give the same numbers
    both = np.concatenate((a, b[..., None]), axis=2)
    np.testing.assert_array_equal(solve_vectors(both[..., :size], both[..., size]), expected)


def test_a_singular_system_gives_nan_and_the_others_their_solution() -> None:
    a = np.stack([np.array([[2.0, 1.0], [1.0, 3.0]]), np.ones((2, 2))])
    b = np.array([[1.0, 2.0], [1.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore"):
            fast = solve_vectors(a, b)
        slow = solve_vectors_checked(a, b)
    for got in (fast, slow):
        np.testing.assert_allclose(got[0], [0.2, 0.6], rtol=1e-15)  # by hand: 2x+y=1, x+3y=2
        assert np.isnan(got[1]).all()


# ------------------------------------------------------------------ take indices
@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_take_indices_give_the_matrices_built_entry_by_entry(seed: int) -> None:
    _, spec = random_model(seed)
    layout = Layout.from_spec(spec)
    J = layout.n_constructs
    rng = np.random.default_rng(seed)
    C = rng.uniform(-1, 1, (J, J))
    beta = rng.uniform(-1, 1, (layout.targets.size, J)) * layout.pred_mask
    flat = np.concatenate((C.ravel(), CONSTANTS))
    matrices, rhs_all = flat.take(layout.matrix_take), flat.take(layout.rhs_take)
    inner = np.concatenate((C.ravel(), CONSTANTS, beta.ravel())).take(layout.path_take)
    E = np.zeros((J, J))
    for k, t in enumerate(layout.targets):
        preds = list(layout.predecessors[t])
        A = np.eye(J)
        A[np.ix_(preds, preds)] = C[np.ix_(preds, preds)]
        rhs = np.zeros(J)
        rhs[preds] = C[preds, t]
        np.testing.assert_array_equal(matrices[k], A)
        np.testing.assert_array_equal(rhs_all[k], rhs)
        E[preds, t] = beta[k, preds]
    for s, t in zip(*np.nonzero(layout.path), strict=True):
        E[t, s] = C[t, s]  # the successor t of s: their correlation
    for j in layout.isolated:
        E[j, j] = 1.0
    np.testing.assert_array_equal(inner, E)


# ------------------------------------------------------------------ fast == stacked
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=seeds,
    scheme=st.sampled_from(SCHEMES),
    rule=st.sampled_from(["loadings", "seminr", "anchor"]),
    formative=st.booleans(),
)
def test_one_matrix_equals_the_stacked_algorithm(
    seed: int, scheme: str, rule: str, formative: bool
) -> None:
    data, spec = random_model(seed)
    if formative:
        first = spec.constructs[0]
        spec = ModelSpec(indicators=spec.indicators, paths=spec.paths, modes={first: "B"})
    layout = Layout.from_spec(spec)
    S = correlation(data, layout)
    last = spec.constructs[-1]
    anchors = sign_anchors({last: spec.indicators[last][0]} if rule == "anchor" else rule, layout)
    kw = {"scheme": scheme, "tol": 1e-9, "max_iter": 300, "anchors": anchors}
    one = outer_weights(S, layout, **kw)
    stack = outer_weights(S[None], layout, **kw)
    np.testing.assert_array_equal(one.weights, stack.weights[0])
    assert one.iterations == stack.iterations[0]
    assert one.converged == stack.converged[0]
    single = inner_estimates(S, one.weights, layout)
    stacked = inner_estimates(S[None], stack.weights, layout)
    np.testing.assert_array_equal(single.construct_corr, stacked.construct_corr[0])
    np.testing.assert_allclose(single.paths, stacked.paths[0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(single.r2, stacked.r2[0], rtol=0, atol=1e-14)


# ------------------------------------------------------------------ singular systems
def collinear_predecessors() -> tuple[pd.DataFrame, ModelSpec]:
    """A and B measured by the same two items: C's predecessors are perfectly collinear."""
    rng = np.random.default_rng(1)
    n = 100
    a = rng.standard_normal(n)
    data = pd.DataFrame({"a1": a + rng.normal(0, 0.5, n), "a2": a + rng.normal(0, 0.5, n)})
    data["b1"], data["b2"] = data["a1"], data["a2"]
    data["c1"] = a + rng.normal(0, 1, n)
    data["c2"] = a + rng.normal(0, 1, n)
    spec = ModelSpec(
        indicators={"A": ("a1", "a2"), "B": ("b1", "b2"), "C": ("c1", "c2")},
        paths=(("A", "C"), ("B", "C")),
    )
    return data, spec


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("sign", ["loadings", "seminr"])
def test_collinear_predecessors_are_named_without_a_numpy_warning(scheme: str, sign: str) -> None:
    data, spec = collinear_predecessors()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from the NaN of the fast solve
        with pytest.raises(CsiInputError, match="predecessors of 'C' are perfectly collinear"):
            fit_pls(data, spec, scheme=scheme, sign=sign)


# ------------------------------------------------------------------ result assembly
def test_total_effects_are_computed_when_first_read_and_kept() -> None:
    data, spec = random_model(11)
    spec = ModelSpec(
        indicators=spec.indicators,
        paths=tuple((a, b) for a in spec.constructs for b in spec.constructs if a < b),
    )
    res = fit_pls(data, spec)
    assert res.arrays.__dict__["_total"] is None  # not computed by the fit
    B = res.arrays.paths
    by_routes = sum(np.linalg.matrix_power(B, k) for k in range(1, len(B)))  # B + B² + ...
    np.testing.assert_allclose(res.arrays.total, by_routes, rtol=0, atol=1e-14)
    assert res.arrays.total is res.arrays.total  # kept
    back = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(back.arrays.total, res.arrays.total)
    given = np.full_like(B, 0.5)
    assert dataclasses.replace(res.arrays, total=given).total is given


def test_column_dtypes_are_pandas_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "a": [1, 2],
            "b": ["x", "y"],
            "c": [1.5, 2.0],
            "d": pd.array([1, None], dtype="Int64"),
            "e": pd.Categorical(["p", "q"]),
            "f": [True, False],
            "g": np.array([1, 2], dtype=np.int8),
        }
    )
    frame["h"] = frame["a"] * 2  # a block of its own, after the others
    assert _column_dtypes(frame) == frame.dtypes.tolist()
    assert _column_dtypes(frame[["h", "b", "a"]]) == [frame["h"].dtype, frame["b"].dtype, np.int64]


# ------------------------------------------------------------------ moment checks
def test_moments_checks_after_the_one_sum_shortcut() -> None:
    data, spec = random_model(3)
    items = list(spec.items)
    base = moments_from_frame(data, items)
    res = fit_pls_moments(base, spec)
    # entries so large that their sum would overflow: still finite, so the same fit
    big = Moments(n=base.n, means=base.means, cov=base.cov * 1e307, missing="listwise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no overflow warning
        np.testing.assert_allclose(fit_pls_moments(big, spec).arrays.weights, res.arrays.weights)
    bad = base.cov.copy()
    bad.iloc[0, 1] = bad.iloc[1, 0] = np.inf
    with pytest.raises(CsiInputError, match=rf"covariance of {items[0]!r} and {items[1]!r}"):
        fit_pls_moments(Moments(n=base.n, means=base.means, cov=bad), spec)
    flat = base.cov.copy()
    flat.iloc[2, :] = flat.iloc[:, 2] = 0.0
    with pytest.raises(CsiInputError, match=rf"zero variance: {items[2]!r}"):
        fit_pls_moments(Moments(n=base.n, means=base.means, cov=flat), spec)
