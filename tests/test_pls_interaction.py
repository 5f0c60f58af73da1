"""Interaction terms in PLS (product indicator, orthogonal, two-stage) and the refit
bootstrap: against the seminr Python port, population values and hand computations."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.datasets import simulate_csi
from csi.pls import BootstrapFailureWarning, PLSResult, fit_pls
from csi.pls.bootstrap import resample_indices
from csi.pls.interaction import InteractionResult, simple_slopes
from csi.pls.refit_bootstrap import refit_bootstrap
from csi.spec import ModelSpec, ModelSpecError

LABELS = ["kind", "source", "target", "construct", "indicator"]


# ------------------------------------------------------------ refit bootstrap
@pytest.fixture(scope="module")
def plain() -> tuple[pd.DataFrame, ModelSpec, PLSResult]:
    sim = simulate_csi(200, seed=3, waves=None)
    data = sim.data.assign(rid=np.arange(len(sim.data)))
    spec = ModelSpec.acsi(indicators=sim.roles)
    return data, spec, fit_pls(data, spec)


def test_refit_of_a_one_stage_fit_equals_the_standard_bootstrap(plain) -> None:
    """Refitting fit_pls per resample reproduces the vectorised bootstrap (same draws)."""
    _, spec, res = plain
    standard = res.bootstrap(60, seed=5, progress=False)
    refit = dataclasses.replace(res, refit=lambda f: fit_pls(f, spec)).bootstrap(
        60, seed=5, progress=False
    )
    assert refit.resampling == "respondents (refit)"
    assert set(refit.table["kind"]) == {
        "path",
        "outer_weight",
        "loading",
        "total_effect",
        "indirect_effect",
        "r2",
    }
    both = refit.table.merge(standard.table, on=LABELS, suffixes=("", "_std"))
    assert len(both) == len(refit.table)
    for col in ("estimate", "boot_mean", "se", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(both[col], both[f"{col}_std"], atol=1e-6, rtol=1e-6)


def test_refit_failures_are_counted_warned_and_left_out_of_every_statistic(plain) -> None:
    data, spec, res = plain

    def fragile(frame: pd.DataFrame) -> PLSResult:
        if frame["rid"].iloc[0] < 20:
            raise ValueError("refused on purpose")
        return fit_pls(frame, spec)

    idx = resample_indices(len(data), 80, 9)
    expected = np.flatnonzero(idx[:, 0] < 20)
    assert expected.size > 1  # more than 1% of 80 resamples
    with pytest.warns(BootstrapFailureWarning, match=rf"{expected.size} of 80"):
        boot = dataclasses.replace(res, refit=fragile).bootstrap(
            80, seed=9, keep_draws=True, progress=False
        )
    assert boot.n_failed == expected.size
    np.testing.assert_array_equal(boot.failures["resample"], expected)
    assert (boot.failures["reason"] == "estimation error").all()
    assert boot.failures["detail"].str.contains("refused on purpose").all()
    assert boot.failure_counts["estimation error"] == expected.size
    draws = boot.draws
    assert draws is not None
    assert draws.iloc[expected].isna().all(axis=None)
    kept = np.setdiff1d(np.arange(80), expected)
    assert np.isfinite(draws.iloc[kept].to_numpy()).all()
    # the SE of every row is the SD of the same kept draws of the standard bootstrap
    standard = res.bootstrap(80, seed=9, keep_draws=True, progress=False)
    sd = standard.draws.iloc[kept].std(ddof=1).to_numpy()
    both = boot.table.merge(standard.table.assign(sd_kept=sd), on=LABELS, suffixes=("", "_std"))
    np.testing.assert_allclose(both["se"], both["sd_kept"], atol=1e-6)


def test_refit_bootstrap_refuses_unsupported_options(plain) -> None:
    _, spec, res = plain
    refitting = dataclasses.replace(res, refit=lambda f: fit_pls(f, spec))
    for option, value in (
        ("segment", "wave"),
        ("scale", (1, 10)),
        ("design", True),
        ("ci", "bca"),
        ("inadmissible", "drop"),
    ):
        with pytest.raises(CsiInputError, match=option):
            refitting.bootstrap(10, seed=1, progress=False, **{option: value})
    with pytest.raises(CsiInputError, match="no refit procedure"):
        refit_bootstrap(res, 10, seed=1)


# ------------------------------------------------------------------ ModelSpec
MODERATION = """
Image =~ im1 + im2 + im3
Expectation =~ ex1 + ex2 + ex3
Satisfaction =~ sa1 + sa2 + sa3
Satisfaction ~ Image + Expectation + Image:Expectation
"""


def test_spec_reads_interaction_terms_and_round_trips() -> None:
    spec = ModelSpec.from_lavaan(MODERATION)
    assert spec.constructs == ("Image", "Expectation", "Satisfaction")
    assert spec.interactions == ("Image:Expectation",)
    assert spec.interaction_parts("Image:Expectation") == ("Image", "Expectation")
    assert spec.predecessors("Satisfaction") == ("Image", "Expectation", "Image:Expectation")
    assert ("Image:Expectation", "Satisfaction") in spec.paths
    assert "Satisfaction ~ Image + Expectation + Image:Expectation" in spec.to_lavaan()
    assert ModelSpec.from_lavaan(spec.to_lavaan()) == spec
    assert spec.main_effects().interactions == ()
    assert len(spec.main_effects().paths) == 2
    assert spec.topological_order() == ("Image", "Expectation", "Satisfaction")
    renamed = spec.rename({"Image": "Brand"})
    assert renamed.interactions == ("Brand:Expectation",)
    assert "2 constructs" not in repr(spec) and "1 interaction terms" in repr(spec)
    # the same model built from tuples equals the parsed one, whatever the path order
    built = ModelSpec(
        indicators=spec.indicators,
        paths=[
            ("Image:Expectation", "Satisfaction"),
            ("Expectation", "Satisfaction"),
            ("Image", "Satisfaction"),
        ],
    )
    assert built == spec and hash(built) == hash(spec)


@given(
    st.lists(
        st.sampled_from(["A:B", "B:A", "A:A", "B:B", "A:C", "C:C"]),
        unique=True,
        max_size=4,
    ),
    st.permutations(range(3)),
)
@settings(max_examples=40, deadline=None)
def test_spec_with_interactions_round_trips_through_lavaan(terms: list[str], order) -> None:
    items = {"A": ("a1", "a2"), "B": ("b1",), "C": ("c1", "c2"), "Y": ("y1", "y2")}
    paths = [("A", "Y"), ("B", "Y"), ("C", "Y")] + [(t, "Y") for t in terms]
    spec = ModelSpec(indicators=items, paths=[paths[k] for k in order] + paths[3:])
    assert set(spec.interactions) == set(terms)
    back = ModelSpec.from_lavaan(spec.to_lavaan())
    assert back == spec and back.to_lavaan() == spec.to_lavaan()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("Satisfaction ~ Image:Loyalty", "'Loyalty' is not one"),
        ("Image ~ Image:Expectation", "predict its own part 'Image'"),
        ("Image:Expectation ~ Satisfaction", "'Image:Expectation' cannot be an outcome"),
        ("Satisfaction ~ Image*Expectation", "write Image:Expectation"),
        ("Satisfaction ~ Image:Expectation:Image", "only two-way"),
        (
            "Image:Expectation ~~ Satisfaction",
            "'Image:Expectation': an interaction term only predicts",
        ),
    ],
)
def test_spec_interaction_errors_name_the_token(statement: str, message: str) -> None:
    text = MODERATION.replace("Satisfaction ~ Image + Expectation + Image:Expectation", statement)
    with pytest.raises(ModelSpecError, match=message):
        ModelSpec.from_lavaan(text)


def test_spec_cycle_through_an_interaction_term_is_refused() -> None:
    text = MODERATION + "Expectation ~ Satisfaction\n"
    with pytest.raises(ModelSpecError, match="cycle"):
        ModelSpec.from_lavaan(text)


# ------------------------------------------------------ simulated moderation
def simulate_moderation(
    n: int,
    seed: int,
    paths: tuple[float, float, float] = (0.4, 0.3, 0.25),
    rho: float = 0.3,
    loading: float = 0.8,
) -> pd.DataFrame:
    """Image and Expectation (latent, correlation ``rho``) and Satisfaction =
    b1 Image + b2 Expectation + b3 Image x Expectation + error, three items each with
    the given loading (continuous items; fresh data, numpy seeded)."""
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n)
    im, ex = latent[:, 0], latent[:, 1]
    b1, b2, b3 = paths
    explained = b1**2 + b2**2 + 2 * b1 * b2 * rho + b3**2 * (1 + rho**2)
    sat = b1 * im + b2 * ex + b3 * im * ex + rng.normal(0, np.sqrt(1 - explained), n)
    items = {}
    for prefix, score in (("im", im), ("ex", ex), ("sa", sat)):
        for k in (1, 2, 3):
            items[f"{prefix}{k}"] = loading * score + rng.normal(0, np.sqrt(1 - loading**2), n)
    return pd.DataFrame(items)


MODEL = MODERATION
METHOD_NAMES = ["two_stage", "product_indicator", "orthogonal"]


@pytest.fixture(scope="module")
def moderated() -> pd.DataFrame:
    return simulate_moderation(300, seed=20261130)


def _seminr_fit(seminr, data: pd.DataFrame, method: str):
    mm = seminr.constructs(
        seminr.composite("Image", ["im1", "im2", "im3"]),
        seminr.composite("Expectation", ["ex1", "ex2", "ex3"]),
        seminr.composite("Satisfaction", ["sa1", "sa2", "sa3"]),
        seminr.interaction_term("Image", "Expectation", method=getattr(seminr, method)),
    )
    sm = seminr.relationships(
        seminr.paths(from_=["Image", "Expectation", "Image*Expectation"], to=["Satisfaction"])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(data, mm, sm)


def _cell(matrix, row: str, col: str) -> float:
    return float(matrix.values[matrix.rows.index(row), matrix.cols.index(col)])


def _seminr_name(name: str) -> str:
    """csi's generated item / construct name -> seminr's."""
    if name.endswith("_product"):
        return name[: -len("_product")].replace(":", "*") + "_intxn"
    return name.replace(":", "*")


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_estimates_equal_seminr(moderated: pd.DataFrame, method: str) -> None:
    """Paths, interaction effect, weights, loadings and R² as seminr, by each method.

    seminr rescales the interaction construct's score to the loading-weighted SD of
    its items before the path regression (Henseler & Chin 2010): its interaction path
    is csi's ``interaction_effects`` and its loadings of the interaction items are
    covariances, csi's loadings (correlations) times ``product_sd``.
    """
    seminr = pytest.importorskip("seminr")
    ref = _seminr_fit(seminr, moderated, method)
    res = fit_pls(moderated, MODEL, interaction=method)
    assert isinstance(res, InteractionResult) and res.method == method
    term = "Image:Expectation"
    for row in res.path_coefficients.itertuples():
        if row.source != term:
            assert row.estimate == pytest.approx(
                _cell(ref.path_coef, row.source, row.target), abs=1e-8
            )
    effect = res.interaction_effects.set_index("source").loc[term]
    assert effect["target"] == "Satisfaction"
    assert effect["estimate"] == pytest.approx(
        _cell(ref.path_coef, "Image*Expectation", "Satisfaction"), abs=1e-8
    )
    assert effect["standardized"] == pytest.approx(
        effect["estimate"] * res.product_sd[term], abs=1e-12
    )
    n_items = 1 if method == "two_stage" else 9
    assert len(res.terms[term]) == n_items
    for w, lo in zip(res.outer_weights.itertuples(), res.loadings.itertuples(), strict=True):
        item, construct = _seminr_name(w.indicator), _seminr_name(w.construct)
        assert w.estimate == pytest.approx(_cell(ref.outer_weights, item, construct), abs=1e-8)
        factor = res.product_sd[term] if w.construct == term else 1.0
        assert lo.estimate * factor == pytest.approx(
            _cell(ref.outer_loadings, item, construct), abs=1e-8
        )
    assert res.r2["r2"].iloc[0] == pytest.approx(
        _cell(ref.r_squared, "Rsq", "Satisfaction"), abs=1e-8
    )


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_bootstrap_standard_errors_equal_seminr_on_the_same_resamples(
    moderated: pd.DataFrame, method: str
) -> None:
    """Every stage redone per resample, as seminr: identical SDs on identical resamples."""
    seminr = pytest.importorskip("seminr")
    ref = _seminr_fit(seminr, moderated, method)
    B = 25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_boot = seminr.bootstrap_model(ref, B, indices=resample_indices(len(moderated), B, 11))
    boot = fit_pls(moderated, MODEL, interaction=method).bootstrap(B, seed=11, progress=False)
    assert boot.n_failed == 0 and boot.sign_flips.sum() == 0
    theirs = {}
    for kind, desc in (
        ("path", ref_boot.paths_descriptives),
        ("outer_weight", ref_boot.weights_descriptives),
        ("loading", ref_boot.loadings_descriptives),
    ):
        frame = pd.DataFrame(desc.values, index=list(desc.rows), columns=list(desc.cols))
        for col in frame.columns:
            if col.endswith(" Boot SD"):
                for row in frame.index:
                    theirs[(kind, str(row), col[: -len(" Boot SD")])] = float(frame.loc[row, col])
    checked = 0
    for r in boot.table.itertuples():
        if r.kind == "path" and ":" not in r.source:
            key = ("path", r.source, r.target)
        elif r.kind == "interaction_effect":
            key = ("path", "Image*Expectation", r.target)
        elif r.kind == "outer_weight" or (r.kind == "loading" and ":" not in r.construct):
            key = (r.kind, _seminr_name(r.indicator), _seminr_name(r.construct))
        else:
            continue
        assert r.se == pytest.approx(theirs[key], rel=1e-7, abs=1e-9), key
        checked += 1
    assert checked == 3 + (10 if method == "two_stage" else 18) + 9


def test_estimates_are_close_to_the_population_interaction() -> None:
    """n = 5,000, true paths 0.4, 0.3 and interaction 0.25 between the latent scores.

    Items with loading 0.98 (composite reliability about 0.99) make the composites
    nearly the latent scores, so the estimates must be near the population values:
    within 0.02 (the SE of the interaction effect at n = 5,000 is about 0.01). With
    loading 0.8 the composites are attenuated (reliability 0.84) and so is the
    effect, which is still clearly positive; without moderation it is near 0."""
    sharp = simulate_moderation(5000, seed=77, loading=0.98)
    for method in METHOD_NAMES:
        res = fit_pls(sharp, MODEL, interaction=method)
        assert float(res.interaction_effects["estimate"].iloc[0]) == pytest.approx(
            0.25, abs=0.02
        ), method
        paths = res.path_coefficients.set_index("source")["estimate"]
        assert paths["Image"] == pytest.approx(0.4, abs=0.02), method
        assert paths["Expectation"] == pytest.approx(0.3, abs=0.02), method
    noisy = fit_pls(simulate_moderation(5000, seed=77), MODEL)
    assert noisy.method == "two_stage"  # the default
    assert 0.15 < float(noisy.interaction_effects["estimate"].iloc[0]) < 0.25
    null = fit_pls(simulate_moderation(5000, seed=78, paths=(0.4, 0.3, 0.0)), MODEL)
    assert abs(float(null.interaction_effects["estimate"].iloc[0])) < 0.03


# ------------------------------------------------------ tables of the result
@pytest.fixture(scope="module")
def rated() -> pd.DataFrame:
    """The moderation data on a 1-10 answer scale, with a segment column."""
    data = (simulate_moderation(300, seed=5) * 1.5 + 6).round().clip(1, 10)
    return data.assign(region=np.where(np.arange(300) % 3 == 0, "north", "south"))


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_every_table_works_and_the_term_has_no_index(rated: pd.DataFrame, method: str) -> None:
    res = fit_pls(rated, MODEL, interaction=method, scale=(1, 10))
    term = "Image:Expectation"
    assert term in set(res.path_coefficients["source"])
    assert term in set(res.outer_weights["construct"]) and term in res.rho_a.index
    idx = res.index()
    assert list(idx.index) == ["Image", "Expectation", "Satisfaction"]
    assert term in idx.attrs["note"]
    assert (idx > 0).all() and (idx < 100).all()
    assert term not in set(res.impacts()["source"])
    ipma = res.ipma("Satisfaction")
    assert set(ipma.loc[ipma["kind"] == "construct", "name"]) == {"Image", "Expectation"}
    by = res.index_by("region")
    assert set(by["construct"]) == {"Image", "Expectation", "Satisfaction"}
    assert by.groupby("segment")["n"].first().sum() == 300
    assert term not in res.respondent_index().columns
    assert term not in set(res.rescaled_weights()["construct"])
    text = res.summary()
    assert "Interaction effects" in text and "Image:Expectation -> Satisfaction" in text
    long = res.to_frame()
    effect = long[(long["op"] == "~") & (long["rhs"] == term)]
    assert list(effect["lhs"]) == ["Satisfaction"]
    quality = res.quality()
    assert "Image:Expectation" in str(quality.summary())
    with pytest.raises(CsiInputError, match="interaction term"):
        res.ipma(term)
    with pytest.raises(CsiInputError, match="interaction terms"):
        res.compare_groups("region")


def test_refit_reproduces_the_fit_and_missing_answers_are_listwise(rated: pd.DataFrame) -> None:
    data = rated.copy()
    data.loc[[3, 10, 11], "ex2"] = np.nan
    res = fit_pls(data, MODEL, interaction="product_indicator")
    assert res.n == 297 and res.n_excluded == 3
    assert data["ex2"].isna().sum() == 3 and "im1:ex1" not in data.columns  # caller's frame
    complete = data.dropna().reset_index(drop=True)
    again = fit_pls(complete, MODEL, interaction="product_indicator")
    np.testing.assert_allclose(res.arrays.paths, again.arrays.paths, atol=1e-12)
    assert res.refit is not None
    refitted = res.refit(res.source_data.iloc[res.row_positions].reset_index(drop=True))
    np.testing.assert_allclose(refitted.arrays.weights, res.arrays.weights, atol=1e-12)


def test_product_items_by_hand(moderated: pd.DataFrame) -> None:
    """Product of z-scored items (SD with n - 1); orthogonal: OLS residuals on all items."""
    res = fit_pls(moderated, MODEL, interaction="orthogonal")
    z = (moderated - moderated.mean()) / moderated.std(ddof=1)
    product = (z["im2"] * z["ex3"]).to_numpy()
    X = np.column_stack(
        [np.ones(len(moderated)), moderated[["im1", "im2", "im3", "ex1", "ex2", "ex3"]]]
    )
    residual = product - X @ np.linalg.lstsq(X, product, rcond=None)[0]
    assert res.source_data is not None
    np.testing.assert_allclose(res.source_data["im2:ex3"], residual, atol=1e-12)
    pi = fit_pls(moderated, MODEL, interaction="product_indicator")
    np.testing.assert_allclose(pi.source_data["im2:ex3"], product, atol=1e-12)
    ts = fit_pls(moderated, MODEL)
    scores = ts.stage_one.scores
    np.testing.assert_allclose(
        ts.source_data["Image:Expectation_product"], scores["Image"] * scores["Expectation"]
    )
    assert ts.product_sd["Image:Expectation"] == pytest.approx(
        float(np.std(scores["Image"] * scores["Expectation"], ddof=1)), rel=1e-12
    )


def test_simple_slopes_by_hand(moderated: pd.DataFrame) -> None:
    res = fit_pls(moderated, MODEL)
    table = simple_slopes(res, "Image", "Expectation", at=(-1, 0, 1))
    paths = res.path_coefficients.set_index("source")["estimate"]
    b_int = float(res.interaction_effects["estimate"].iloc[0])
    np.testing.assert_allclose(
        table["slope"], [paths["Image"] - b_int, paths["Image"], paths["Image"] + b_int]
    )
    np.testing.assert_allclose(
        table["intercept"], [-paths["Expectation"], 0.0, paths["Expectation"]]
    )
    # the moderator's own order does not matter
    swapped = simple_slopes(res, "Expectation", "Image", at=(2,))
    assert float(swapped["slope"].iloc[0]) == pytest.approx(paths["Expectation"] + 2 * b_int)
    with pytest.raises(CsiInputError, match="no interaction term Image:Satisfaction"):
        simple_slopes(res, "Image", "Satisfaction")


def test_quadratic_term_equals_seminr(moderated: pd.DataFrame) -> None:
    seminr = pytest.importorskip("seminr")
    model = MODEL.replace("Image:Expectation", "Image:Image")
    res = fit_pls(moderated, model)
    assert res.terms == {"Image:Image": ("Image:Image_product",)}
    mm = seminr.constructs(
        seminr.composite("Image", ["im1", "im2", "im3"]),
        seminr.composite("Expectation", ["ex1", "ex2", "ex3"]),
        seminr.composite("Satisfaction", ["sa1", "sa2", "sa3"]),
        seminr.quadratic_term("Image"),
    )
    sm = seminr.relationships(
        seminr.paths(from_=["Image", "Expectation", "Image*Image"], to=["Satisfaction"])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(moderated, mm, sm)
    effect = float(res.interaction_effects["estimate"].iloc[0])
    assert effect == pytest.approx(_cell(ref.path_coef, "Image*Image", "Satisfaction"), abs=1e-8)
    slopes = simple_slopes(res, "Image", "Image", at=(1,))
    b = float(res.path_coefficients.set_index("source").loc["Image", "estimate"])
    assert float(slopes["slope"].iloc[0]) == pytest.approx(b + 2 * effect)


def test_slope_plot(moderated: pd.DataFrame) -> None:
    pytest.importorskip("matplotlib")
    from csi.plots import slope_plot

    res = fit_pls(moderated, MODEL)
    fig = slope_plot(res, "Image", "Expectation")
    lines = fig.axes[0].get_lines()
    table = simple_slopes(res, "Image", "Expectation")
    drawn = [ln for ln in lines if len(ln.get_xdata()) > 2]
    assert len(drawn) == 3
    for ln, row in zip(drawn, table.itertuples(), strict=True):
        x, y = np.asarray(ln.get_xdata()), np.asarray(ln.get_ydata())
        np.testing.assert_allclose(y, row.intercept + row.slope * x)
    assert "Expectation at +1 SD" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()][2]


def test_interaction_option_errors(moderated: pd.DataFrame) -> None:
    with pytest.raises(CsiInputError, match="interaction"):
        fit_pls(moderated, MODEL, interaction="latent_product")
    for option, value in (
        ("consistent", True),
        ("missing", "mean"),
        ("weights", np.ones(len(moderated))),
    ):
        with pytest.raises(CsiInputError, match=option):
            fit_pls(moderated, MODEL, **{option: value})
    from csi.moments import moments_from_frame
    from csi.pls import fit_pls_moments

    with pytest.raises(CsiInputError, match="not from moments"):
        fit_pls_moments(moments_from_frame(moderated), MODEL)
    clash = moderated.assign(**{"Image:Expectation_product": 1.0})
    with pytest.raises(CsiInputError, match="'Image:Expectation_product' is already a column"):
        fit_pls(clash, MODEL)
    # a model without interaction terms is unchanged by the option
    plain_model = MODEL.replace(" + Image:Expectation", "")
    a = fit_pls(moderated, plain_model, interaction="orthogonal")
    b = fit_pls(moderated, plain_model)
    assert type(a) is PLSResult and a.refit is None
    np.testing.assert_array_equal(a.arrays.paths, b.arrays.paths)


def _negate(res: PLSResult, construct: str) -> PLSResult:
    """The same fit with ``construct``'s score multiplied by -1 (by hand)."""
    j = res.layout.constructs.index(construct)
    d = np.ones(res.layout.n_constructs)
    d[j] = -1.0
    item_sign = d[np.asarray(res.layout.block)]
    a = res.arrays
    arrays = dataclasses.replace(
        a,
        weights=a.weights * item_sign,
        loadings=a.loadings * item_sign,
        paths=a.paths * np.outer(d, d),
        total=a.total * np.outer(d, d),
    )
    return dataclasses.replace(res, arrays=arrays)


def test_refit_bootstrap_orients_constructs_like_the_full_sample(plain) -> None:
    """A refit whose Complaints comes out reversed is flipped back, and counted."""
    _, spec, res = plain
    same = dataclasses.replace(res, refit=lambda f: fit_pls(f, spec)).bootstrap(
        30, seed=2, progress=False
    )
    reversed_ = dataclasses.replace(
        res, refit=lambda f: _negate(fit_pls(f, spec), "Complaints")
    ).bootstrap(30, seed=2, progress=False)
    assert reversed_.sign_flips["Complaints"] == 30
    assert reversed_.sign_flips.drop("Complaints").sum() == 0
    np.testing.assert_allclose(reversed_.table["se"], same.table["se"], atol=1e-12)
    np.testing.assert_allclose(reversed_.table["boot_mean"], same.table["boot_mean"], atol=1e-12)
    # sign="seminr": nothing is flipped (as seminr's bootstrap)
    seminr_rule = dataclasses.replace(
        res, sign="seminr", refit=lambda f: _negate(fit_pls(f, spec), "Complaints")
    ).bootstrap(30, seed=2, progress=False)
    assert seminr_rule.sign_flips.sum() == 0


def test_refit_bootstrap_failure_reasons(plain) -> None:
    """Non-converged and degenerate refits are failures with their own reason."""
    data, spec, res = plain
    idx = resample_indices(len(data), 60, 4)
    slow = np.flatnonzero(idx[:, 0] < 10)
    flat = np.flatnonzero((idx[:, 0] >= 10) & (idx[:, 0] < 20))

    def refit(frame: pd.DataFrame) -> PLSResult:
        first = frame["rid"].iloc[0]
        if first < 10:
            return fit_pls(frame, spec, max_iter=1)
        if first < 20:
            return fit_pls(frame.assign(EXP1=5), spec)
        return fit_pls(frame, spec)

    with pytest.warns(BootstrapFailureWarning, match="not converged"):
        boot = dataclasses.replace(res, refit=refit).bootstrap(60, seed=4, progress=False)
    counts = boot.failure_counts
    assert counts["not converged"] == slow.size and counts["degenerate"] == flat.size
    assert counts.sum() == boot.n_failed == slow.size + flat.size
    reasons = boot.failures.set_index("resample")["reason"]
    assert (reasons.loc[slow] == "not converged").all()
    assert (reasons.loc[flat] == "degenerate").all()


def test_two_interaction_terms_equal_seminr(moderated: pd.DataFrame) -> None:
    seminr = pytest.importorskip("seminr")
    model = MODEL.replace("Image:Expectation", "Image:Expectation + Expectation:Expectation")
    res = fit_pls(moderated, model)
    assert set(res.terms) == {"Image:Expectation", "Expectation:Expectation"}
    mm = seminr.constructs(
        seminr.composite("Image", ["im1", "im2", "im3"]),
        seminr.composite("Expectation", ["ex1", "ex2", "ex3"]),
        seminr.composite("Satisfaction", ["sa1", "sa2", "sa3"]),
        seminr.interaction_term("Image", "Expectation", method=seminr.two_stage),
        seminr.interaction_term("Expectation", "Expectation", method=seminr.two_stage),
    )
    sm = seminr.relationships(
        seminr.paths(
            from_=["Image", "Expectation", "Image*Expectation", "Expectation*Expectation"],
            to=["Satisfaction"],
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(moderated, mm, sm)
    for row in res.interaction_effects.itertuples():
        assert row.estimate == pytest.approx(
            _cell(ref.path_coef, row.source.replace(":", "*"), row.target), abs=1e-8
        )
    assert res.r2["r2"].iloc[0] == pytest.approx(
        _cell(ref.r_squared, "Rsq", "Satisfaction"), abs=1e-8
    )


@given(
    st.lists(st.floats(0.2, 5.0), min_size=9, max_size=9),
    st.lists(st.floats(-20.0, 20.0), min_size=9, max_size=9),
    st.sampled_from(METHOD_NAMES),
)
@settings(max_examples=15, deadline=None)
def test_estimates_do_not_depend_on_the_items_units(
    moderated: pd.DataFrame, scales: list[float], shifts: list[float], method: str
) -> None:
    """Items enter standardized (products of z-scores; residuals on the raw items,
    which span the same space): any x -> a x + b (a > 0) per item changes nothing."""
    reference = fit_pls(moderated, MODEL, interaction=method)
    changed = moderated * np.array(scales) + np.array(shifts)
    res = fit_pls(changed, MODEL, interaction=method)
    np.testing.assert_allclose(res.arrays.paths, reference.arrays.paths, atol=1e-9)
    np.testing.assert_allclose(res.arrays.weights, reference.arrays.weights, atol=1e-9)
    np.testing.assert_allclose(
        res.interaction_effects["estimate"], reference.interaction_effects["estimate"], atol=1e-9
    )


def test_order_of_the_parts_does_not_matter(moderated: pd.DataFrame) -> None:
    swapped = MODEL.replace("Image:Expectation", "Expectation:Image")
    for method in METHOD_NAMES:
        a = fit_pls(moderated, MODEL, interaction=method).interaction_effects
        b = fit_pls(moderated, swapped, interaction=method).interaction_effects
        assert b["source"].iloc[0] == "Expectation:Image"
        assert a["estimate"].iloc[0] == pytest.approx(b["estimate"].iloc[0], abs=1e-9)


def test_result_with_its_refit_can_be_pickled(moderated: pd.DataFrame) -> None:
    import pickle

    res = fit_pls(moderated, MODEL, interaction="orthogonal")
    back = pickle.loads(pickle.dumps(res))
    assert back.refit is not None and back.method == "orthogonal"
    again = back.refit(moderated)
    np.testing.assert_allclose(again.arrays.paths, res.arrays.paths, atol=1e-12)


def test_simple_slope_intervals_from_the_bootstrap_draws(moderated: pd.DataFrame) -> None:
    res = fit_pls(moderated, MODEL, interaction="product_indicator")
    boot = res.bootstrap(40, seed=3, keep_draws=True, progress=False)
    table = simple_slopes(res, "Image", "Expectation", at=(-1, 0, 2), boot=boot)
    draws = boot.draws
    rows = boot.table
    k_iv = rows.index[(rows["kind"] == "path") & (rows["source"] == "Image")][0]
    k_int = rows.index[rows["kind"] == "interaction_effect"][0]
    for r in table.itertuples():
        slope = draws[k_iv] + r.at * draws[k_int]
        assert r.slope == pytest.approx(
            res.path_coefficients["estimate"].iloc[0]
            + r.at * float(res.interaction_effects["estimate"].iloc[0])
        )
        assert r.se == pytest.approx(float(slope.std(ddof=1)), rel=1e-9)
        assert r.ci_lower == pytest.approx(float(np.quantile(slope, 0.025)), rel=1e-9)
        assert r.ci_upper == pytest.approx(float(np.quantile(slope, 0.975)), rel=1e-9)
    # at the mean of the moderator the slope is the path itself
    assert table.loc[1, "se"] == pytest.approx(float(rows.loc[k_iv, "se"]), rel=1e-9)
    with pytest.raises(CsiInputError, match="keep_draws"):
        simple_slopes(res, "Image", "Expectation", boot=res.bootstrap(5, seed=1, progress=False))


def test_refit_bootstrap_is_the_same_for_any_workers(moderated: pd.DataFrame) -> None:
    res = fit_pls(moderated, MODEL)
    one = res.bootstrap(12, seed=8, progress=False)
    two = res.bootstrap(12, seed=8, workers=2, progress=False)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.seed == 8 and one.n_respondents == len(moderated)


def test_negative_weights_of_generated_items_are_not_warned_about(rated: pd.DataFrame) -> None:
    from csi.pls import NegativeWeightWarning

    res = fit_pls(rated, MODEL, interaction="product_indicator", scale=(1, 10))
    items = list(res.layout.items)
    w = res.arrays.weights.copy()
    w[items.index("im1:ex2")] = -0.2  # a generated item: its construct has no index
    quiet = dataclasses.replace(res, arrays=dataclasses.replace(res.arrays, weights=w))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeWeightWarning)
        quiet.index()
    w[items.index("ex2")] = -0.2
    loud = dataclasses.replace(res, arrays=dataclasses.replace(res.arrays, weights=w))
    with pytest.warns(NegativeWeightWarning, match=r"ex2 \(Expectation\)") as caught:
        loud.index()
    assert "im1:ex2" not in str(caught[0].message)


def test_a_survey_is_fitted_on_its_public_cleaned_answers() -> None:
    """A csi.Survey with an interaction model: the fit equals the fit of its public data
    (cleaned, reversed items already recoded) with the codebook's scale; a weighted
    codebook asks for weights=False instead of silently dropping the weights."""
    import csi

    survey = csi.load_sample()
    text = """
    Expectation =~ EXP1 + EXP2 + EXP3
    Quality =~ QUAL1 + QUAL2 + QUAL3
    Satisfaction =~ SAT1 + SAT2 + SAT3
    Satisfaction ~ Expectation + Quality + Expectation:Quality
    """
    from_survey = fit_pls(survey, text)
    frame = survey.public_data(all_respondents=True)
    by_hand = fit_pls(frame, text, scale=(1, 10))
    pd.testing.assert_frame_equal(from_survey.path_coefficients, by_hand.path_coefficients)
    complete = frame[[f"{p}{k}" for p in ("EXP", "QUAL", "SAT") for k in (1, 2, 3)]]
    assert from_survey.n == by_hand.n == int(complete.notna().all(axis=1).sum())
    pd.testing.assert_series_equal(from_survey.index(), by_hand.index())
    assert "name" not in frame.columns
    weighted = csi.read_survey(
        frame.assign(wt=1.0, rid=range(len(frame))),
        {
            "id": "rid",
            "weight": "wt",
            "scale": {"min": 1, "max": 10},
            "items": {i: {"construct": "X"} for i in ("EXP1", "EXP2", "EXP3")}
            | {i: {"construct": "Y"} for i in ("QUAL1", "QUAL2", "QUAL3")}
            | {i: {"construct": "Z"} for i in ("SAT1", "SAT2", "SAT3")},
        },
    )
    with pytest.raises(CsiInputError, match="weights=False"):
        fit_pls(weighted, text)
    unweighted = fit_pls(weighted, text, weights=False)
    pd.testing.assert_frame_equal(unweighted.path_coefficients, by_hand.path_coefficients)


def test_the_bootstrap_function_and_method_agree_and_label_the_effects(rated) -> None:
    """csi.pls.bootstrap.bootstrap on an interaction result re-runs every stage (as the
    method does); the summary names the interaction effects in both languages."""
    from csi.pls.bootstrap import bootstrap

    res = fit_pls(rated, MODEL, scale=(1, 10))
    via_function = bootstrap(res, 30, seed=4)
    via_method = res.bootstrap(30, seed=4)
    pd.testing.assert_frame_equal(via_function.table, via_method.table)
    assert "interaction_effect" in set(via_method.table["kind"])
    assert "Interaction effects" in via_method.summary()
    assert "交互效应" in via_method.summary(lang="zh")
