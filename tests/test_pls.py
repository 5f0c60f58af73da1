"""PLS path modelling: estimates against independent computations, errors, invariants."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.moments import moments_from_frame
from csi.pls import PLSConvergenceWarning, fit_pls, fit_pls_moments
from csi.pls.algorithm import Layout, inner_estimates, outer_weights
from csi.pls.effects import total_effects
from csi.spec import ModelSpec

SCHEMES = ["path", "centroid", "factorial"]


def one_factor_data(
    n: int, loadings: dict[str, list[float]], paths: dict[tuple[str, str], float], seed: int
) -> pd.DataFrame:
    """Continuous items from a recursive model of standardised latents (construct order)."""
    rng = np.random.default_rng(seed)
    names = list(loadings)
    phi = np.eye(len(names))  # population latent correlations, filled in causal order
    eta: dict[str, np.ndarray] = {}
    for j, c in enumerate(names):
        pred = [(names.index(s), b) for (s, t), b in paths.items() if t == c]
        idx = [k for k, _ in pred]
        beta = np.array([b for _, b in pred])
        explained = float(beta @ phi[np.ix_(idx, idx)] @ beta) if pred else 0.0
        signal = sum((b * eta[names[k]] for k, b in pred), start=np.zeros(n))
        eta[c] = signal + np.sqrt(1 - explained) * rng.standard_normal(n)
        for k in range(j):
            phi[j, k] = phi[k, j] = float(sum(b * phi[s, k] for s, b in pred))
    cols = {}
    for c, lams in loadings.items():
        for k, lam in enumerate(lams, start=1):
            cols[f"{c}{k}"] = lam * eta[c] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
    return pd.DataFrame(cols)


def spec_for(loadings: dict[str, list[float]], paths: dict[tuple[str, str], float]) -> ModelSpec:
    return ModelSpec(
        indicators={c: tuple(f"{c}{k}" for k in range(1, len(v) + 1)) for c, v in loadings.items()},
        paths=tuple(paths),
    )


LOAD = {"A": [0.8, 0.7, 0.75], "B": [0.85, 0.8, 0.7], "C": [0.9, 0.8]}
PATHS = {("A", "B"): 0.5, ("A", "C"): 0.2, ("B", "C"): -0.5}


@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, ModelSpec]:
    return one_factor_data(300, LOAD, PATHS, seed=3), spec_for(LOAD, PATHS)


# --------------------------------------------------------------- estimates
def test_paths_and_r2_equal_ols_on_the_scores(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    """Paths and R² are the least-squares regression of the construct scores (numpy lstsq)."""
    data, spec = small
    res = fit_pls(data, spec)
    scores = res.scores
    X = np.column_stack([np.ones(len(scores)), scores[["A", "B"]].to_numpy()])
    coef, *_ = np.linalg.lstsq(X, scores["C"].to_numpy(), rcond=None)
    pc = res.path_coefficients.set_index(["source", "target"])["estimate"]
    assert pc[("A", "C")] == pytest.approx(coef[1], abs=1e-10)
    assert pc[("B", "C")] == pytest.approx(coef[2], abs=1e-10)
    resid = scores["C"].to_numpy() - X @ coef
    r2 = 1 - resid.var() / scores["C"].var(ddof=0)
    row = res.r2.set_index("construct").loc["C"]
    assert row["r2"] == pytest.approx(r2, abs=1e-10)
    n, k = len(scores), 2
    assert row["r2_adj"] == pytest.approx(1 - (1 - r2) * (n - 1) / (n - k - 1), abs=1e-10)


def test_scores_loadings_and_correlations_are_consistent(
    small: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = small
    res = fit_pls(data, spec, scheme="factorial")
    scores = res.scores
    np.testing.assert_allclose(scores.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(scores.std(ddof=1), 1, atol=1e-12)
    np.testing.assert_allclose(scores.corr(), res.construct_correlations, atol=1e-12)
    # loadings and cross-loadings: correlations of the items with the scores (pandas)
    cross = pd.concat([data, scores], axis=1).corr().loc[list(spec.items), list(spec.constructs)]
    np.testing.assert_allclose(res.cross_loadings, cross, atol=1e-12)
    own = [
        cross.loc[i, c] for c, i in zip(res.loadings.construct, res.loadings.indicator, strict=True)
    ]
    np.testing.assert_allclose(res.loadings["estimate"], own, atol=1e-12)
    # scores are the weighted sums of the standardised items
    z = (data - data.mean()) / data.std()
    w = res.outer_weights.set_index("indicator")["estimate"]
    np.testing.assert_allclose(scores["A"], z[["A1", "A2", "A3"]] @ w[["A1", "A2", "A3"]])


def test_fixed_point_of_mode_a_and_mode_b(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    """At convergence (centroid scheme) Mode A weights are proportional to the covariance of
    the items with the inner proxy, Mode B weights to their OLS weights (numpy lstsq)."""
    data, spec = small
    specb = ModelSpec(indicators=spec.indicators, paths=spec.paths, modes={"B": "B"})
    res = fit_pls(data, specb, scheme="centroid", tol=1e-12)
    scores = res.scores
    corr = res.construct_correlations
    z = ((data - data.mean()) / data.std()).to_numpy()
    # inner proxy of B: sign(r_AB) Y_A + sign(r_BC) Y_C
    zb = np.sign(corr.loc["A", "B"]) * scores["A"] + np.sign(corr.loc["B", "C"]) * scores["C"]
    coef, *_ = np.linalg.lstsq(z[:, 3:6], zb.to_numpy(), rcond=None)
    w = res.outer_weights["estimate"].to_numpy()
    np.testing.assert_allclose(w[3:6] / np.linalg.norm(w[3:6]), coef / np.linalg.norm(coef))
    za = np.sign(corr.loc["A", "B"]) * scores["B"] + np.sign(corr.loc["A", "C"]) * scores["C"]
    cov = z[:, 0:3].T @ za.to_numpy()
    np.testing.assert_allclose(w[0:3] / np.linalg.norm(w[0:3]), cov / np.linalg.norm(cov))


def test_mode_b_and_consistent_match_seminr(
    mobi: pd.DataFrame, ecsi: ModelSpec, seminr_structure
) -> None:
    """Independent reference: the seminr Python port (a port of R seminr) on mobi."""
    seminr = pytest.importorskip("seminr")
    modes = {"Image": "B", "Value": "B"}
    spec = ModelSpec(indicators=ecsi.indicators, paths=ecsi.paths, modes=modes)
    specs = [
        seminr.composite(
            c, list(i), weights=seminr.mode_B if c in modes else seminr.correlation_weights
        )
        for c, i in spec.indicators.items()
    ]
    rel = seminr_structure(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(mobi, seminr.constructs(*specs), rel)
    res = fit_pls(mobi, spec)  # path scheme, as seminr's default
    W = pd.DataFrame(ref.outer_weights.values, ref.outer_weights.rows, ref.outer_weights.cols)
    P = pd.DataFrame(ref.path_coef.values, ref.path_coef.rows, ref.path_coef.cols)
    for c, i, est in res.outer_weights.itertuples(index=False):
        assert est == pytest.approx(W.loc[i, c], abs=1e-6)
    for s, t, est in res.path_coefficients.itertuples(index=False):
        assert est == pytest.approx(P.loc[s, t], abs=1e-6)


def test_single_construct_mode_a_gives_first_principal_component() -> None:
    """A construct without paths uses its own proxy: weights ∝ the first eigenvector."""
    data = one_factor_data(200, {"A": [0.9, 0.6, 0.4, 0.7]}, {}, seed=1)
    res = fit_pls(data, ModelSpec(indicators={"A": ("A1", "A2", "A3", "A4")}), tol=1e-12)
    _, vecs = np.linalg.eigh(data.corr().to_numpy())
    first = vecs[:, -1] * np.sign(vecs[:, -1].sum())
    w = res.outer_weights["estimate"].to_numpy()
    np.testing.assert_allclose(w / np.linalg.norm(w), first, atol=1e-8)


def test_total_effects_by_hand() -> None:
    """A -> B -> C and A -> C: total A->C = c + a*b; 4-chain adds products of 3 paths."""
    a, b, c = 0.5, -0.4, 0.3
    B = np.array([[0, a, c], [0, 0, b], [0, 0, 0]])
    T = total_effects(B)
    assert T[0, 2] == pytest.approx(c + a * b)
    assert T[0, 1] == pytest.approx(a)
    chain = np.diag([0.5, 0.6, 0.7], k=1)
    assert total_effects(chain)[0, 3] == pytest.approx(0.5 * 0.6 * 0.7)


def test_effect_tables(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    res = fit_pls(data, spec)
    pc = res.path_coefficients.set_index(["source", "target"])["estimate"]
    te = res.total_effects.set_index(["source", "target"])["estimate"]
    ie = res.indirect_effects.set_index(["source", "target"])["estimate"]
    assert list(ie.index) == [("A", "C")]
    assert ie[("A", "C")] == pytest.approx(pc[("A", "B")] * pc[("B", "C")])
    assert te[("A", "C")] == pytest.approx(pc[("A", "C")] + ie[("A", "C")])
    assert res.direct is res.path_coefficients
    assert list(res.path_coefficients.columns) == ["source", "target", "estimate"]


# -------------------------------------------------------------------- signs
@pytest.mark.parametrize("scheme", SCHEMES)
def test_negative_path_comes_out_negative(
    small: tuple[pd.DataFrame, ModelSpec], scheme: str
) -> None:
    data, spec = small
    res = fit_pls(data, spec, scheme=scheme)
    pc = res.path_coefficients.set_index(["source", "target"])["estimate"]
    assert pc[("B", "C")] < -0.3
    assert (res.loadings["estimate"] > 0).all()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_satisfaction_to_complaints_negative_single_item(scheme: str) -> None:
    """A single-item Complaints construct with a negative path (the case peers get wrong)."""
    load = {"Sat": [0.9, 0.85, 0.8], "Comp": [1.0], "Loy": [0.85, 0.8]}
    paths = {("Sat", "Comp"): -0.45, ("Sat", "Loy"): 0.6, ("Comp", "Loy"): -0.2}
    data = one_factor_data(500, load, paths, seed=11)
    res = fit_pls(data, spec_for(load, paths), scheme=scheme)
    pc = res.path_coefficients.set_index(["source", "target"])["estimate"]
    assert pc[("Sat", "Comp")] < -0.35
    assert pc[("Comp", "Loy")] < 0
    assert res.outer_weights.set_index("indicator").loc["Comp1", "estimate"] == pytest.approx(1)


def test_reverse_coded_construct_flips_paths_not_loadings(
    small: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = small
    base = fit_pls(data, spec)
    flipped = data.copy()
    flipped[["B1", "B2", "B3"]] *= -1
    res = fit_pls(flipped, spec)
    assert (res.loadings["estimate"] > 0).all()
    pc0 = base.path_coefficients.set_index(["source", "target"])["estimate"]
    pc1 = res.path_coefficients.set_index(["source", "target"])["estimate"]
    np.testing.assert_allclose(pc1[("A", "B")], -pc0[("A", "B")], atol=1e-10)
    np.testing.assert_allclose(pc1[("B", "C")], -pc0[("B", "C")], atol=1e-10)
    np.testing.assert_allclose(pc1[("A", "C")], pc0[("A", "C")], atol=1e-10)


# --------------------------------------------------------------- interfaces
def test_lavaan_text_and_modelspec_agree(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    a = fit_pls(data, spec)
    b = fit_pls(data, spec.to_lavaan())
    pd.testing.assert_frame_equal(a.path_coefficients, b.path_coefficients)


def test_moments_only_fit_equals_data_fit(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    a = fit_pls(data, spec, scale=(-5, 5))
    m = moments_from_frame(data, list(spec.items))
    b = fit_pls_moments(m, spec, scale=(-5, 5))
    pd.testing.assert_frame_equal(a.outer_weights, b.outer_weights, atol=1e-12)
    pd.testing.assert_frame_equal(a.total_effects, b.total_effects, atol=1e-12)
    pd.testing.assert_series_equal(a.index(), b.index(), atol=1e-10)
    assert b.scores is None
    with pytest.raises(CsiInputError, match="moments only"):
        b.respondent_index()


def test_moments_with_extra_items_in_other_order(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    data = data.assign(extra=np.arange(len(data), dtype=float))
    m = moments_from_frame(data, ["extra", *reversed(spec.items)])
    b = fit_pls_moments(m, spec)
    a = fit_pls(data, spec)
    pd.testing.assert_frame_equal(a.outer_weights, b.outer_weights, atol=1e-12)


def test_batched_weights_equal_single_fits(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    """A stack of resampled correlation matrices gives each resample's own fit."""
    data, spec = small
    layout = Layout.from_spec(spec)
    X = data[list(layout.items)].to_numpy()
    rng = np.random.default_rng(0)
    stack = np.stack(
        [np.corrcoef(X[rng.integers(0, len(X), len(X))], rowvar=False) for _ in range(5)]
    )
    batch = outer_weights(stack, layout, scheme="path")
    inner = inner_estimates(stack, batch.weights, layout)
    for b in range(5):
        one = outer_weights(stack[b], layout, scheme="path")
        np.testing.assert_array_equal(batch.weights[b], one.weights)
        assert batch.iterations[b] == one.iterations
        np.testing.assert_allclose(
            inner.paths[b], inner_estimates(stack[b], one.weights, layout).paths, atol=1e-14
        )


def test_missing_answers_are_counted_and_scores_aligned(
    small: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = small
    holes = data.copy()
    holes.index = [f"r{k}" for k in range(len(holes))]
    holes.loc[["r3", "r10"], "A1"] = np.nan
    holes.loc["r20", "C2"] = np.nan
    res = fit_pls(holes, spec)
    assert res.n == len(data) - 3 and res.n_excluded == 3
    assert "r3" not in res.scores.index and "r4" in res.scores.index
    assert "excluded (missing answers): 3" in res.summary()
    ref = fit_pls(holes.drop(index=["r3", "r10", "r20"]), spec)
    pd.testing.assert_frame_equal(res.scores, ref.scores)
    assert holes.loc["r3", "A1"] != holes.loc["r3", "A1"]  # caller's frame untouched (NaN)


def test_pairwise_missing(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    holes = data.copy()
    holes.loc[:9, "A1"] = np.nan
    res = fit_pls(holes, spec, missing="pairwise")
    ref = moments_from_frame(holes, list(spec.items), missing="pairwise")
    # n counts every respondent; the moments' n is the smallest pairwise count
    assert res.n == len(data) and res.moments.n == ref.n == len(data) - 10
    b = fit_pls_moments(ref, spec)
    pd.testing.assert_frame_equal(res.outer_weights, b.outer_weights)
    assert len(res.scores) == len(data) - 10  # scores only for complete respondents
    assert res.n_unscored == 10  # and the others are counted, never silently missing


def test_caller_frame_not_modified(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    before = data.copy()
    fit_pls(data, spec, consistent=True)
    pd.testing.assert_frame_equal(data, before)


def test_convergence_warning_names_iterations(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    with pytest.warns(PLSConvergenceWarning, match="did not converge in 2 iterations"):
        res = fit_pls(data, spec, max_iter=2)
    assert not res.converged and res.iterations == 2
    assert "NOT converged" in res.summary()


def test_summary_and_html(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    res = fit_pls(data, spec, scale=(-5, 5))
    text = res.summary()
    assert "A -> B" in text and "Index (0-100)" in text
    assert "路径系数" in res.summary(lang="zh")
    assert "<table" in res._repr_html_()
    long = res.to_frame()  # lavaan orientation: a path's outcome on the left
    assert set(long["op"]) == {"=~", "<~", "~", "r2"}
    paths = long[long["op"] == "~"]
    assert set(zip(paths["lhs"], paths["rhs"], strict=True)) == {("B", "A"), ("C", "A"), ("C", "B")}


# -------------------------------------------------------------------- errors
def test_error_indicator_missing(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    with pytest.raises(CsiInputError, match=r"'B2' \(construct 'B'\)"):
        fit_pls(data.drop(columns="B2"), spec)


def test_error_non_numeric(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    bad = data.astype({"A2": object})
    bad.loc[7, "A2"] = "seven"
    with pytest.raises(
        CsiInputError, match=r"column 'A2' has a non-numeric answer 'seven' at row 7"
    ):
        fit_pls(bad, spec)


def test_numeric_text_is_accepted(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    text = data.astype({"A2": str})
    a = fit_pls(text, spec)
    b = fit_pls(data, spec)
    np.testing.assert_allclose(a.outer_weights["estimate"], b.outer_weights["estimate"])


def test_error_constant_item(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    with pytest.raises(CsiInputError, match=r"zero variance: 'C2' \(always 4\)"):
        fit_pls(data.assign(C2=4.0), spec)


def test_error_infinite_value(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    bad = data.copy()
    bad.loc[5, "B1"] = np.inf
    with pytest.raises(CsiInputError, match=r"'B1' has an infinite value inf at row 5"):
        fit_pls(bad, spec)


def test_error_too_few_respondents(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    with pytest.raises(CsiInputError, match="too few respondents: 3 with complete answers"):
        fit_pls(data.head(3), spec)
    holes = data.head(6).copy()
    holes.loc[[0, 1, 2], "A1"] = np.nan
    with pytest.raises(CsiInputError, match=r"3 left out for missing answers"):
        fit_pls(holes, spec)


def test_error_unknown_scheme_and_bad_options(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    with pytest.raises(CsiInputError, match=r"scheme must be one of .* got 'centroids'"):
        fit_pls(data, spec, scheme="centroids")
    with pytest.raises(CsiInputError, match="tol must be a positive number"):
        fit_pls(data, spec, tol=0)
    with pytest.raises(CsiInputError, match="max_iter must be a positive integer"):
        fit_pls(data, spec, max_iter=0)
    with pytest.raises(CsiInputError, match="missing must be one of"):
        fit_pls(data, spec, missing="drop")
    with pytest.raises(TypeError, match="DataFrame"):
        fit_pls(data.to_numpy(), spec)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"moments must be a csi\.Moments"):
        fit_pls_moments(data, spec)  # type: ignore[arg-type]


def test_error_collinear_formative_block(small: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = small
    specb = ModelSpec(indicators=spec.indicators, paths=spec.paths, modes={"B": "B"})
    dup = data.assign(B3=data["B1"] * 2)
    with pytest.raises(CsiInputError, match="formative construct 'B' are perfectly collinear"):
        fit_pls(dup, specb)


# ---------------------------------------------------------------- properties
item_data = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=item_data, scheme=st.sampled_from(SCHEMES))
def test_row_and_column_order_do_not_matter(seed: int, scheme: str) -> None:
    data = one_factor_data(80, LOAD, PATHS, seed=seed)
    spec = spec_for(LOAD, PATHS)
    rng = np.random.default_rng(seed)
    shuffled = data.iloc[rng.permutation(len(data)), rng.permutation(data.shape[1])]
    a = fit_pls(data, spec, scheme=scheme, tol=1e-10)
    b = fit_pls(shuffled, spec, scheme=scheme, tol=1e-10)
    for table in ("path_coefficients", "outer_weights", "loadings", "total_effects", "r2"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), atol=1e-8)
    pd.testing.assert_frame_equal(a.scores, b.scores.loc[a.scores.index], atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(seed=item_data, n=st.integers(min_value=10, max_value=60))
def test_single_item_construct_has_weight_one(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a1", "a2", "s", "b1"])
    spec = ModelSpec.from_lavaan("A =~ a1 + a2\nS =~ s\nB =~ b1\nS ~ A\nB ~ S")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PLSConvergenceWarning)
        res = fit_pls(data, spec)
    w = res.outer_weights.set_index("indicator")["estimate"]
    assert w["s"] == pytest.approx(1.0) and w["b1"] == pytest.approx(1.0)
    load = res.loadings.set_index("indicator")["estimate"]
    assert load["s"] == pytest.approx(1.0)
