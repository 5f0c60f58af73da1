"""Higher-order constructs (issue 17): fit_higher_order, the index per level, errors.

Oracles:

* the seminr Python port's ``higher_composite`` (method ``two_stage``: the disjoint
  two-stage approach) for the disjoint two-stage fits, reflective and formative
  higher-order blocks, on data simulated here;
* the embedded approach run by hand in seminr: stage one is seminr's fit of the
  repeated-indicators model (items duplicated under new column names), stage two its
  fit of the model measuring the HOC by stage one's scores;
* repeated indicators: csi's own plain fit of the expanded model built by hand, and
  population values of the simulation;
* the index, impacts and IPMA: computed here by hand with pandas/numpy from the
  fitted outer weights and the items (ACSI formulas, Fornell et al. 1996; Ringle &
  Sarstedt 2016).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.pls import fit_pls
from csi.pls.higher_order import HigherOrderResult, fit_higher_order, has_higher_order
from csi.spec import ModelSpec, ModelSpecError

LAMBDAS = {
    "ex": (0.8, 0.7, 0.75),
    "pq": (0.85, 0.8, 0.7),
    "sq": (0.8, 0.75, 0.7),
    "sat": (0.85, 0.8, 0.8),
    "loy": (0.8, 0.75),
}


def simulate(n: int = 400, seed: int = 7, *, continuous: bool = False) -> pd.DataFrame:
    """Expectation -> Quality (of Product and Service) -> Satisfaction -> Loyalty.

    Standardised population model: Quality = .5 Expectation + e; Product = .8
    Quality + e; Service = .7 Quality + e; Satisfaction = .6 Quality + e; Loyalty =
    .5 Satisfaction + .2 Quality + e; item = lambda x construct + e. Items are put on
    1-10 (rounded) unless ``continuous``.
    """
    rng = np.random.default_rng(seed)
    exp = rng.standard_normal(n)
    quality = 0.5 * exp + np.sqrt(0.75) * rng.standard_normal(n)
    product = 0.8 * quality + 0.6 * rng.standard_normal(n)
    service = 0.7 * quality + np.sqrt(0.51) * rng.standard_normal(n)
    sat = 0.6 * quality + 0.8 * rng.standard_normal(n)
    loy = 0.5 * sat + 0.2 * quality + np.sqrt(1 - 0.25 - 0.04 - 0.2 * 0.6) * rng.standard_normal(n)
    factors = {"ex": exp, "pq": product, "sq": service, "sat": sat, "loy": loy}
    out = {}
    for name, lam in LAMBDAS.items():
        for k, load in enumerate(lam, 1):
            x = load * factors[name] + np.sqrt(1 - load * load) * rng.standard_normal(n)
            out[f"{name}{k}"] = x if continuous else np.clip(np.round(5.5 + 1.6 * x), 1, 10)
    return pd.DataFrame(out)


def model_text(op: str = "=~") -> str:
    return f"""
    Expectation =~ ex1 + ex2 + ex3
    Product =~ pq1 + pq2 + pq3
    Service =~ sq1 + sq2 + sq3
    Quality {op} Product + Service
    Satisfaction =~ sat1 + sat2 + sat3
    Loyalty =~ loy1 + loy2
    Quality ~ Expectation
    Satisfaction ~ Quality
    Loyalty ~ Satisfaction + Quality
    """


FIRST_ORDER = {
    "Expectation": ["ex1", "ex2", "ex3"],
    "Product": ["pq1", "pq2", "pq3"],
    "Service": ["sq1", "sq2", "sq3"],
    "Satisfaction": ["sat1", "sat2", "sat3"],
    "Loyalty": ["loy1", "loy2"],
}
STRUCTURE = [
    (["Expectation"], ["Quality"]),
    (["Quality"], ["Satisfaction"]),
    (["Satisfaction", "Quality"], ["Loyalty"]),
]
TIGHT: dict[str, Any] = {"tol": 1e-12, "max_iter": 1000, "sign": "seminr"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate(400, seed=20261130)


def _matrix(m: Any) -> pd.DataFrame:
    return pd.DataFrame(m.values, index=list(m.rows), columns=list(m.cols))


def _seminr_fit(seminr: Any, frame: pd.DataFrame, specs: list[Any], structure: Any) -> Any:
    sm = seminr.relationships(*[seminr.paths(from_=s, to=t) for s, t in structure])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(
            frame,
            seminr.constructs(*specs),
            sm,
            inner_weights=seminr.path_weighting,
            stop_criterion=12,
            max_it=1000,
        )


def _assert_matches(res: HigherOrderResult, ref: Any, stage_one_ref: Any = None) -> float:
    """Paths, R², stage-two and stage-one weights and loadings against seminr; worst gap."""
    paths = _matrix(ref.path_coef)
    weights = _matrix(ref.outer_weights)
    loadings = _matrix(ref.outer_loadings)
    r2 = _matrix(ref.r_squared)
    gaps = []
    for s, t, est in res.path_coefficients.itertuples(index=False):
        gaps.append(abs(est - paths.loc[s, t]))
    for c, r2_value in zip(res.r2["construct"], res.r2["r2"], strict=True):
        gaps.append(abs(r2_value - r2.loc["Rsq", c]))
    for table, ref_table in ((res.outer_weights, weights), (res.loadings, loadings)):
        for c, i, est in table.itertuples(index=False):
            gaps.append(abs(est - ref_table.loc[i, c]))
    assert res.stage_one is not None
    one_w = _matrix(stage_one_ref.outer_weights) if stage_one_ref is not None else weights
    one_l = _matrix(stage_one_ref.outer_loadings) if stage_one_ref is not None else loadings
    for table, ref_table in ((res.stage_one.outer_weights, one_w), (res.stage_one.loadings, one_l)):
        for c, i, est in table.itertuples(index=False):
            if c in ("Product", "Service"):
                gaps.append(abs(est - ref_table.loc[i, c]))
    assert len(gaps) > 20
    worst = max(gaps)
    assert worst < 1e-8
    return worst


# ------------------------------------------------------------------ seminr
@pytest.mark.parametrize("op", ["=~", "<~"])
def test_disjoint_two_stage_matches_seminr(data: pd.DataFrame, op: str) -> None:
    """Reflective-reflective (=~, mode A) and reflective-formative (<~, mode B) HOC."""
    seminr = pytest.importorskip("seminr")
    res = fit_higher_order(data, model_text(op), approach="disjoint", **TIGHT)
    weights = seminr.mode_B if op == "<~" else seminr.correlation_weights
    specs = [seminr.composite(c, items) for c, items in FIRST_ORDER.items()]
    specs.append(seminr.higher_composite("Quality", ["Product", "Service"], weights=weights))
    ref = _seminr_fit(seminr, data, specs, STRUCTURE)
    _assert_matches(res, ref)
    assert res.layout.mode_b[res.layout.constructs.index("Quality")] == (op == "<~")


@pytest.mark.parametrize("op", ["=~", "<~"])
def test_embedded_two_stage_matches_seminr_by_hand(data: pd.DataFrame, op: str) -> None:
    """Embedded approach: seminr's fit of the repeated-indicators model, then its fit
    of the model measuring Quality by the stage-one scores of Product and Service."""
    seminr = pytest.importorskip("seminr")
    res = fit_higher_order(data, model_text(op), approach="embedded", **TIGHT)
    weights = seminr.mode_B if op == "<~" else seminr.correlation_weights
    quality_items = FIRST_ORDER["Product"] + FIRST_ORDER["Service"]
    expanded = data.copy()
    for item in quality_items:
        expanded[f"rep_{item}"] = data[item]
    specs1 = [seminr.composite(c, items) for c, items in FIRST_ORDER.items()]
    specs1.append(seminr.composite("Quality", [f"rep_{i}" for i in quality_items], weights=weights))
    links = (["Quality"], ["Product", "Service"])
    if op == "<~":
        links = (["Product", "Service"], ["Quality"])
    one = _seminr_fit(seminr, expanded, specs1, [*STRUCTURE, links])
    scores = _matrix(one.construct_scores)
    stage2 = data.copy()
    stage2["Product"] = scores["Product"].to_numpy()
    stage2["Service"] = scores["Service"].to_numpy()
    specs2 = [
        seminr.composite(c, items)
        for c, items in FIRST_ORDER.items()
        if c not in ("Product", "Service")
    ]
    specs2.append(seminr.composite("Quality", ["Product", "Service"], weights=weights))
    two = _seminr_fit(seminr, stage2, specs2, STRUCTURE)
    _assert_matches(res, two, stage_one_ref=one)


# ------------------------------------------------------------ repeated items
def test_repeated_indicators_equal_the_expanded_plain_fit(data: pd.DataFrame) -> None:
    """The expanded model written by hand (items copied into new columns) fitted by
    fit_pls gives the same estimates; the HOC's items keep their own names."""
    res = fit_higher_order(data, model_text(), method="repeated_indicators", tol=1e-10)
    quality = FIRST_ORDER["Product"] + FIRST_ORDER["Service"]
    expanded = data.assign(**{f"copy_{i}": data[i] for i in quality})
    spec = ModelSpec(
        indicators={
            **{c: tuple(items) for c, items in FIRST_ORDER.items()},
            "Quality": tuple(f"copy_{i}" for i in quality),
        },
        paths=(
            ("Expectation", "Quality"),
            ("Quality", "Satisfaction"),
            ("Satisfaction", "Loyalty"),
            ("Quality", "Loyalty"),
            ("Quality", "Product"),
            ("Quality", "Service"),
        ),
    )
    plain = fit_pls(expanded, spec, tol=1e-10)
    key = ["construct", "indicator"]
    ours = res.loadings.set_index(key)["estimate"]
    renamed = plain.loadings.assign(indicator=lambda f: f["indicator"].str.removeprefix("copy_"))
    theirs = renamed.set_index(key)["estimate"]
    assert set(ours.index) == set(theirs.index)
    assert ("Quality", "pq1") in ours.index and ("Product", "pq1") in ours.index
    np.testing.assert_allclose(ours.loc[theirs.index], theirs, atol=1e-12)
    merged = res.path_coefficients.merge(plain.path_coefficients, on=["source", "target"])
    assert len(merged) == 6
    np.testing.assert_allclose(merged["estimate_x"], merged["estimate_y"], atol=1e-12)
    w = res.outer_weights.set_index(key)["estimate"]
    assert w.loc[("Quality", "sq3")] == pytest.approx(
        plain.outer_weights.set_index(key)["estimate"].loc[("Quality", "copy_sq3")], abs=1e-12
    )


def population_items(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Continuous data whose sample covariance is exactly the population covariance of
    the items of :func:`simulate` (built here by hand from its equations)."""
    # constructs E, Q, P, S, Sat, Loy as combinations of six independent unit shocks
    a = np.zeros((6, 6))
    a[0, 0] = 1.0
    a[1] = 0.5 * a[0]
    a[1, 1] = np.sqrt(0.75)
    a[2] = 0.8 * a[1]
    a[2, 2] = 0.6
    a[3] = 0.7 * a[1]
    a[3, 3] = np.sqrt(0.51)
    a[4] = 0.6 * a[1]
    a[4, 4] = 0.8
    a[5] = 0.5 * a[4] + 0.2 * a[1]
    a[5, 5] = np.sqrt(0.59)
    phi = a @ a.T
    np.testing.assert_allclose(np.diag(phi), 1.0)
    factor = {"ex": 0, "pq": 2, "sq": 3, "sat": 4, "loy": 5}
    names, rows = [], []
    for name, lam in LAMBDAS.items():
        for k, load in enumerate(lam, 1):
            names.append(f"{name}{k}")
            rows.append((factor[name], load))
    lam_m = np.zeros((len(rows), 6))
    for r, (f, load) in enumerate(rows):
        lam_m[r, f] = load
    sigma = lam_m @ phi @ lam_m.T
    np.fill_diagonal(sigma, 1.0)
    z = np.random.default_rng(seed).standard_normal((n, len(names)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return pd.DataFrame(z @ np.linalg.cholesky(sigma).T, columns=names)


def test_repeated_indicators_recover_population_values() -> None:
    """Population values: seminr's fit of the repeated-indicators model on data whose
    covariance is exactly the population one. csi on a simulated sample of 20000 is
    within sampling error (SEs about .005 here) of them: paths, R², HOC weights."""
    seminr = pytest.importorskip("seminr")
    pop = population_items()
    quality = FIRST_ORDER["Product"] + FIRST_ORDER["Service"]
    pop = pop.assign(**{f"rep_{i}": pop[i] for i in quality})
    specs = [seminr.composite(c, items) for c, items in FIRST_ORDER.items()]
    specs.append(seminr.composite("Quality", [f"rep_{i}" for i in quality]))
    ref = _seminr_fit(seminr, pop, specs, [*STRUCTURE, (["Quality"], ["Product", "Service"])])
    paths, r2, weights = _matrix(ref.path_coef), _matrix(ref.r_squared), _matrix(ref.outer_weights)
    big = simulate(20000, seed=5, continuous=True)
    res = fit_higher_order(big, model_text(), method="repeated_indicators")
    for s, t, est in res.path_coefficients.itertuples(index=False):
        assert est == pytest.approx(paths.loc[s, t], abs=0.03), (s, t)
    for c, value in zip(res.r2["construct"], res.r2["r2"], strict=True):
        assert value == pytest.approx(r2.loc["Rsq", c], abs=0.03), c
    hoc = res.outer_weights[res.outer_weights["construct"] == "Quality"]
    for item, est in zip(hoc["indicator"], hoc["estimate"], strict=True):
        assert est == pytest.approx(weights.loc[f"rep_{item}", "Quality"], abs=0.03), item
    # the repeated items' part-whole overlap lifts a dimension's R² above the share of
    # it that Quality explains in the population (.7² = .49): a known bias of the approach
    assert r2.to_numpy()[0, list(r2.columns).index("Service")] > 0.49


# ------------------------------------------------------------------- index
def _zero100(frame: pd.DataFrame, lo: float = 1.0, hi: float = 10.0) -> pd.DataFrame:
    return (frame - lo) / (hi - lo) * 100.0


def _dimension_scores_by_hand(res: HigherOrderResult, data: pd.DataFrame) -> pd.DataFrame:
    """Each dimension's 0-100 respondent score from stage one's outer weights, by hand."""
    assert res.stage_one is not None
    ow = res.stage_one.outer_weights
    x100 = _zero100(data)
    out = {}
    for dim in ("Product", "Service"):
        part = ow[ow["construct"] == dim].set_index("indicator")["estimate"]
        raw = part / x100[part.index].std()
        u = raw / raw.sum()
        out[dim] = x100[part.index] @ u
    return pd.DataFrame(out)


@pytest.mark.parametrize("approach", ["embedded", "disjoint"])
def test_hoc_index_is_the_weighted_mean_of_dimension_indices(
    data: pd.DataFrame, approach: str
) -> None:
    res = fit_higher_order(data, model_text(), approach=approach, scale=(1, 10))
    s = _dimension_scores_by_hand(res, data)
    w = res.outer_weights.set_index(["construct", "indicator"])["estimate"]
    ratio = pd.Series({d: w[("Quality", d)] / s[d].std() for d in s.columns})
    u = ratio / ratio.sum()
    expected = float((u * s.mean()).sum())
    index = res.index()
    assert index["Quality"] == pytest.approx(expected, abs=1e-9)
    assert index["Product"] == pytest.approx(s["Product"].mean(), abs=1e-9)
    assert index["Service"] == pytest.approx(s["Service"].mean(), abs=1e-9)
    # the same as a weighted mean of the original items on 0-100
    ow = res.stage_one.outer_weights if res.stage_one is not None else None
    assert ow is not None
    x100 = _zero100(data)
    total = 0.0
    for d in ("Product", "Service"):
        part = ow[ow["construct"] == d].set_index("indicator")["estimate"]
        ui = (part / x100[part.index].std()) / (part / x100[part.index].std()).sum()
        total += u[d] * float((ui * x100[part.index].mean()).sum())
    assert index["Quality"] == pytest.approx(total, abs=1e-9)
    # respondents' 0-100 HOC scores average to the index; the stage-two generic
    # computation (dimension scores as items on 0-100) agrees with hoc_index
    resp = res.respondent_index()
    assert resp["Quality"].mean() == pytest.approx(expected, abs=1e-9)
    np.testing.assert_allclose(resp["Quality"], s @ u, atol=1e-9)
    weights = res.dimension_weights().set_index("dimension")["rescaled_weight"]
    np.testing.assert_allclose(weights[u.index], u, atol=1e-12)


def test_hoc_impacts_and_ipma_by_hand(data: pd.DataFrame) -> None:
    """Total effects between 0-100 scores by OLS along the structural model; a dimension's
    impact is its rescaled weight times its HOC's."""
    res = fit_higher_order(data, model_text(), approach="disjoint", scale=(1, 10))
    resp = res.respondent_index()

    def ols(y: str, xs: list[str]) -> np.ndarray:
        X = np.column_stack([np.ones(len(resp)), resp[xs].to_numpy()])
        return np.linalg.lstsq(X, resp[y].to_numpy(), rcond=None)[0][1:]

    (q_sat,) = ols("Satisfaction", ["Quality"])
    sat_loy, q_loy = ols("Loyalty", ["Satisfaction", "Quality"])
    total = q_loy + q_sat * sat_loy
    s = _dimension_scores_by_hand(res, data)
    w = res.outer_weights.set_index(["construct", "indicator"])["estimate"]
    ratio = pd.Series({d: w[("Quality", d)] / s[d].std() for d in s.columns})
    u = ratio / ratio.sum()
    imp = res.impacts(points=5).set_index(["source", "target"])
    assert imp.loc[("Quality", "Loyalty"), "total_effect_100"] == pytest.approx(total, abs=1e-9)
    for d in ("Product", "Service"):
        assert imp.loc[(d, "Loyalty"), "impact"] == pytest.approx(5 * u[d] * total, abs=1e-9)
        assert imp.loc[(d, "Quality"), "total_effect_100"] == pytest.approx(u[d], abs=1e-12)
    ipma = res.ipma("Loyalty").set_index(["kind", "name"])
    for d in ("Product", "Service"):
        assert ipma.loc[("dimension", d), "importance"] == pytest.approx(u[d] * total, abs=1e-9)
        assert ipma.loc[("dimension", d), "performance"] == pytest.approx(s[d].mean(), abs=1e-9)
    x100 = _zero100(data)
    ow = res.stage_one.outer_weights if res.stage_one is not None else None
    assert ow is not None
    part = ow[ow["construct"] == "Service"].set_index("indicator")["estimate"]
    ui = (part / x100[part.index].std()) / (part / x100[part.index].std()).sum()
    assert ipma.loc[("indicator", "sq2"), "importance"] == pytest.approx(
        ui["sq2"] * u["Service"] * total, abs=1e-9
    )
    assert ipma.loc[("indicator", "sq2"), "performance"] == pytest.approx(
        x100["sq2"].mean(), abs=1e-9
    )
    # a target the HOC does not drive: no dimension rows, numeric columns stay numeric
    no_hoc = res.ipma("Quality")
    assert set(no_hoc["kind"]) == {"construct", "indicator"}
    assert no_hoc["importance"].dtype.kind == "f"


def test_repeated_indicators_index_uses_the_original_items(data: pd.DataFrame) -> None:
    res = fit_higher_order(data, model_text(), method="repeated_indicators", scale=(1, 10))
    w = res.outer_weights
    part = w[w["construct"] == "Quality"].set_index("indicator")["estimate"]
    x100 = _zero100(data)
    raw = part / x100[part.index].std()
    expected = float((raw / raw.sum() * x100[part.index].mean()).sum())
    assert res.index()["Quality"] == pytest.approx(expected, abs=1e-9)
    dict_scale = {c: (1, 10) for c in data.columns}
    assert res.index(scale=dict_scale)["Quality"] == pytest.approx(expected, abs=1e-9)
    names = set(res.ipma("Loyalty")["name"])
    assert "pq1" in names and not any("@" in n for n in names)


@settings(max_examples=8, deadline=None)
@given(a=st.floats(0.5, 20), b=st.floats(-50, 50))
def test_index_per_level_unchanged_by_recoding_items(a: float, b: float) -> None:
    """Recoding every item x -> a x + b with the scale recoded alike leaves each level's
    index unchanged (the index is defined on the 0-100 scale of the items)."""
    frame = simulate(150, seed=3)
    base = fit_higher_order(frame, model_text(), scale=(1, 10)).index()
    recoded = fit_higher_order(frame * a + b, model_text(), scale=(a + b, 10 * a + b)).index()
    np.testing.assert_allclose(recoded[base.index], base, atol=1e-7)


def test_two_stage_index_needs_the_fit_time_scale(data: pd.DataFrame) -> None:
    res = fit_higher_order(data, model_text())
    with pytest.raises(CsiInputError, match="fit_higher_order"):
        res.index(scale=(1, 10))
    scaled = fit_higher_order(data, model_text(), scale=(1, 10))
    with pytest.raises(CsiInputError, match="scale given to fit_higher_order"):
        scaled.index(scale=(0, 10))
    assert scaled.index(scale=(1, 10)).equals(scaled.index())


# ---------------------------------------------------------------- behaviour
def test_data_is_not_mutated(data: pd.DataFrame) -> None:
    before = data.copy()
    for method in ("two_stage", "repeated_indicators"):
        fit_higher_order(data, model_text(), method=method, scale=(1, 10))
    pd.testing.assert_frame_equal(data, before)


def test_listwise_missing_keeps_rows_aligned(data: pd.DataFrame) -> None:
    """With missing answers, stage two uses the same respondents as stage one."""
    holes = data.copy()
    holes.loc[[3, 50, 51], "pq2"] = np.nan
    holes.loc[[7], "sat1"] = np.nan
    res = fit_higher_order(holes, model_text(), scale=(1, 10))
    assert res.stage_one is not None
    assert res.n == res.stage_one.n == len(data) - 4
    complete = holes.dropna()
    direct = fit_higher_order(complete, model_text(), scale=(1, 10))
    np.testing.assert_allclose(res.index(), direct.index()[res.index().index], atol=1e-9)
    with pytest.raises(CsiInputError, match="pairwise"):
        fit_higher_order(holes, model_text(), missing="pairwise")


def test_has_higher_order() -> None:
    assert has_higher_order(model_text())
    assert not has_higher_order("A =~ a1 + a2\nB =~ b1\nB ~ A")
    assert not has_higher_order(ModelSpec(indicators={"A": ("a",)}))


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("A =~ a1 + a2\nB =~ b1 + b2\nH =~ A + b3\nB ~ H", "'b3'"),
        ("A =~ a1 + a2\nB =~ b1 + b2\nH =~ A\nB ~ H", "'A'"),
        ("A =~ a1\nB =~ b1\nC =~ c1\nH =~ A + G\nG =~ H + C", "H -> G -> H"),
        ("A =~ a1\nB =~ b1\nC =~ c1 + c2\nH =~ A + B\nC ~ H + A:B", "'A:B'"),
        ("A =~ a1\nB =~ b1\nC =~ c1 + c2\nH =~ A + B\nC ~ H + A", "'A'"),
        ("A =~ a1\nB =~ b1\nC =~ c1\nH =~ A + B\nG =~ B + C", "'B'"),
        ("A =~ a1\nB =~ b1\nC =~ c1\nH =~ A + B\nG =~ H + C", "'H'"),
        ("A =~ a1 + a2\nB ~ A", "no higher-order"),
    ],
)
def test_errors_name_the_token(text: str, token: str) -> None:
    frame = pd.DataFrame(np.ones((5, 1)), columns=["a1"])
    with pytest.raises(ModelSpecError, match=token.replace("(", r"\(")):
        fit_higher_order(frame, text)


def test_other_bad_input(data: pd.DataFrame) -> None:
    with pytest.raises(CsiInputError, match="method"):
        fit_higher_order(data, model_text(), method="three_stage")
    with pytest.raises(CsiInputError, match="approach"):
        fit_higher_order(data, model_text(), approach="nested")
    clash = data.assign(Product=1.0)
    with pytest.raises(CsiInputError, match="'Product'"):
        fit_higher_order(clash, model_text())
    with pytest.raises(CsiInputError, match="consistent"):
        fit_higher_order(data, model_text(), consistent=True)
    with pytest.raises(CsiInputError, match="group comparison"):
        fit_higher_order(data, model_text()).compare_groups(data["ex1"] > 5)
    from csi.moments import moments_from_frame

    with pytest.raises(CsiInputError, match="rows"):
        fit_higher_order(moments_from_frame(data), model_text())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="DataFrame"):
        fit_higher_order(data.to_numpy(), model_text())  # type: ignore[arg-type]


# --------------------------------------------------------------- bootstrap
def test_bootstrap_refits_both_stages_as_seminr_on_the_same_resamples(data: pd.DataFrame) -> None:
    """Refit bootstrap of a disjoint two-stage fit: on the resamples of
    ``resample_indices`` the SEs equal the SDs of seminr's two-stage estimates on the
    same rows (stage one re-estimated each time). The bootstrap keeps deviations in
    float32, hence 1e-7."""
    seminr = pytest.importorskip("seminr")
    from csi.pls import resample_indices

    res = fit_higher_order(data, model_text(), approach="disjoint", **TIGHT)
    assert res.refit is not None
    boot = res.bootstrap(25, seed=11)
    table = boot.table
    idx = resample_indices(len(data), 25, 11)
    specs = [seminr.composite(c, items) for c, items in FIRST_ORDER.items()]
    specs.append(seminr.higher_composite("Quality", ["Product", "Service"]))
    draws_p, draws_w = [], []
    for rows in idx:
        ref = _seminr_fit(seminr, data.iloc[rows].reset_index(drop=True), specs, STRUCTURE)
        draws_p.append(_matrix(ref.path_coef))
        draws_w.append(_matrix(ref.outer_weights))
    paths = table[table["kind"] == "path"]
    assert len(paths) == 4
    for r in paths.itertuples(index=False):
        sd = np.std([m.loc[str(r.source), str(r.target)] for m in draws_p], ddof=1)
        assert r.se == pytest.approx(sd, abs=1e-7)
    hoc = table[(table["kind"] == "outer_weight") & (table["construct"] == "Quality")]
    assert set(hoc["indicator"]) == {"Product", "Service"}
    for r in hoc.itertuples(index=False):
        sd = np.std([m.loc[str(r.indicator), "Quality"] for m in draws_w], ddof=1)
        assert r.se == pytest.approx(sd, abs=1e-7)


def test_bootstrap_differs_from_a_fixed_stage_one(data: pd.DataFrame) -> None:
    """Same draws, stage one held fixed (the standard bootstrap of stage two alone)
    against stage one re-estimated: finite SEs that differ. On these data (n = 400,
    clear dimensions) stage one adds little: the SEs differ by up to about 0.5%; with
    stage one fixed they would agree to float32 rounding (1e-6)."""
    from dataclasses import replace

    res = fit_higher_order(data, model_text(), scale=(1, 10))
    refit = res.bootstrap(200, seed=3).table
    fixed = replace(res, refit=None).bootstrap(200, seed=3).table
    key = ["kind", "source", "target", "construct", "indicator"]
    both = refit.merge(fixed[[*key, "estimate", "se"]], on=key, suffixes=("", "_fixed"))
    assert len(both) == len(refit) == 36
    assert np.isfinite(both["se"]).all() and (both["se"] > 0).all()
    np.testing.assert_allclose(both["estimate"], both["estimate_fixed"], atol=1e-12)
    ratio = both["se"] / both["se_fixed"]
    assert (ratio - 1).abs().max() > 3e-3
    assert (ratio - 1).abs().max() < 0.2


def test_repeated_indicators_use_the_standard_bootstrap(data: pd.DataFrame) -> None:
    res = fit_higher_order(data, model_text(), method="repeated_indicators")
    assert res.refit is None
    table = res.bootstrap(30, seed=2).table
    assert np.isfinite(table["se"]).all()


# ------------------------------------------------------- surveys and weights
def test_survey_input_reads_like_fit_pls() -> None:
    """A Survey: stage one of the disjoint fit equals csi.fit_pls of the survey on the
    stage-one model (same respondents, policy and codebook scale)."""
    import csi

    survey = csi.load_sample()
    text = """
    Expectation =~ EXP1 + EXP2 + EXP3
    Product =~ QUAL1 + QUAL2
    Service =~ QUAL3 + QUAL4 + QUAL5
    Quality =~ Product + Service
    Satisfaction =~ SAT1 + SAT2 + SAT3
    Quality ~ Expectation
    Satisfaction ~ Expectation + Quality
    """
    res = fit_higher_order(survey, text, approach="disjoint")
    direct = fit_pls(
        survey,
        """
        Expectation =~ EXP1 + EXP2 + EXP3
        Product =~ QUAL1 + QUAL2
        Service =~ QUAL3 + QUAL4 + QUAL5
        Satisfaction =~ SAT1 + SAT2 + SAT3
        Product ~ Expectation
        Service ~ Expectation
        Satisfaction ~ Expectation + Product + Service
        """,
    )
    assert res.stage_one is not None
    assert res.n == direct.n and res.n_excluded == direct.n_excluded > 0
    pd.testing.assert_frame_equal(res.stage_one.path_coefficients, direct.path_coefficients)
    idx = res.index()
    np.testing.assert_allclose(idx[["Product", "Service"]], direct.index()[["Product", "Service"]])
    assert res.source_data is not None and "name" not in res.source_data.columns  # personal
    seg = res.index_by("region")
    assert set(seg["construct"]) == {"Expectation", "Quality", "Satisfaction", "Product", "Service"}
    east = seg[seg["segment"] == "East"].set_index("construct")["index"]
    by_hand = direct.respondent_index().loc[
        direct.source_data.loc[direct.rows, "region"] == "East"  # type: ignore[union-attr]
    ]
    assert east["Service"] == pytest.approx(by_hand["Service"].mean(), abs=1e-9)


def test_frequency_weights_equal_repeated_rows(data: pd.DataFrame) -> None:
    """Whole-number frequency weights give the fit (and index) of the repeated rows."""
    counts = np.random.default_rng(4).integers(1, 4, size=len(data))
    weighted = data.assign(count=counts)
    res = fit_higher_order(
        weighted, model_text(), weights="count", weight_kind="frequency", scale=(1, 10)
    )
    repeated = data.loc[data.index.repeat(counts)].reset_index(drop=True)
    plain = fit_higher_order(repeated, model_text(), scale=(1, 10))
    np.testing.assert_allclose(
        res.path_coefficients["estimate"], plain.path_coefficients["estimate"], atol=1e-10
    )
    np.testing.assert_allclose(res.index(), plain.index()[res.index().index], atol=1e-9)
    with pytest.raises(CsiInputError, match="weights"):
        res.bootstrap(5, seed=1)


def test_the_keywords_fit_pls_forwards_are_accepted(data: pd.DataFrame) -> None:
    """fit_pls dispatches a model with a HOC here with its own defaults."""
    defaults: dict[str, Any] = {
        "scheme": "path",
        "tol": 1e-7,
        "max_iter": 300,
        "consistent": False,
        "scale": None,
        "missing": None,
        "weights": None,
        "weight_kind": None,
        "sign": "loadings",
    }
    res = fit_higher_order(data, model_text(), **defaults)
    plain = fit_higher_order(data, model_text())
    pd.testing.assert_frame_equal(res.path_coefficients, plain.path_coefficients)
    assert repr(res).startswith("HigherOrderResult(two_stage, embedded; Quality <- Product")


def test_two_hocs_with_a_path_between_them_match_seminr(data: pd.DataFrame) -> None:
    """Two HOCs, one formative, and a HOC -> HOC path (stage one links every dimension
    of one to every dimension of the other)."""
    seminr = pytest.importorskip("seminr")
    text = """
    Expectation =~ ex1 + ex2 + ex3
    Product =~ pq1 + pq2 + pq3
    Service =~ sq1 + sq2 + sq3
    Satisfaction =~ sat1 + sat2 + sat3
    Loyalty =~ loy1 + loy2
    Quality =~ Product + Service
    Outcome <~ Satisfaction + Loyalty
    Quality ~ Expectation
    Outcome ~ Quality + Expectation
    """
    res = fit_higher_order(data, text, approach="disjoint", **TIGHT)
    assert res.stage_one is not None
    assert set(res.stage_one.path_coefficients["target"]) == {
        "Product",
        "Service",
        "Satisfaction",
        "Loyalty",
    }
    specs = [seminr.composite(c, items) for c, items in FIRST_ORDER.items()]
    specs.append(seminr.higher_composite("Quality", ["Product", "Service"]))
    specs.append(
        seminr.higher_composite("Outcome", ["Satisfaction", "Loyalty"], weights=seminr.mode_B)
    )
    ref = _seminr_fit(
        seminr,
        data,
        specs,
        [(["Expectation"], ["Quality"]), (["Quality", "Expectation"], ["Outcome"])],
    )
    paths, weights = _matrix(ref.path_coef), _matrix(ref.outer_weights)
    gaps = [abs(e - paths.loc[s, t]) for s, t, e in res.path_coefficients.itertuples(index=False)]
    gaps += [abs(e - weights.loc[i, c]) for c, i, e in res.outer_weights.itertuples(index=False)]
    assert len(gaps) == 3 + 7
    assert max(gaps) < 1e-8


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_hoc_index_lies_between_its_dimensions(seed: int) -> None:
    """With positive weights the HOC's index is a convex combination of its dimensions'."""
    frame = simulate(120, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_higher_order(frame, model_text(), scale=(1, 10))
    u = res.dimension_weights()["rescaled_weight"]
    idx = res.index()
    assume(bool((u > 0).all()))
    lo, hi = sorted((idx["Product"], idx["Service"]))
    assert lo - 1e-9 <= idx["Quality"] <= hi + 1e-9


def test_negative_dimension_weight_is_a_clear_error(data: pd.DataFrame) -> None:
    """A reverse-coded item left as it is gets a negative rescaled weight: the dimension's
    0-100 scores leave [0, 100] and cannot be items of the HOC's index."""
    reversed_item = data.assign(pq3=11 - data["pq3"])
    with (
        warnings.catch_warnings(),
        pytest.raises(CsiInputError, match=r"dimension 'Product'.*\['pq3'\]"),
    ):
        warnings.simplefilter("ignore")
        fit_higher_order(reversed_item, model_text(), scale=(1, 10))
    fit_higher_order(reversed_item, model_text())  # without an index: no error


def test_sign_anchors_go_to_the_stage_they_name(data: pd.DataFrame) -> None:
    res = fit_higher_order(data, model_text(), sign={"Quality": "Service", "Product": "pq2"})
    assert res.stage_one is not None
    assert res.sign == {"Quality": "Service"}
    assert res.stage_one.sign == {"Product": "pq2"}
    repeated = fit_higher_order(
        data, model_text(), method="repeated_indicators", sign={"Quality": "sq1"}
    )
    assert repeated.sign == {"Quality": "sq1@Quality"}
    with pytest.raises(CsiInputError, match="anchor 'pq1' of construct 'Quality'"):
        fit_higher_order(data, model_text(), sign={"Quality": "pq1"})


def test_fit_pls_reads_a_higher_order_model_and_passes_its_options() -> None:
    """csi.fit_pls on model text with a HOC gives fit_higher_order's result, with the
    method and approach passed through; a plain model is untouched."""
    data = simulate()
    for approach in ("embedded", "disjoint"):
        via_fit = fit_pls(data, model_text(), higher_order_approach=approach)
        direct = fit_higher_order(data, model_text(), approach=approach)
        assert isinstance(via_fit, HigherOrderResult)
        pd.testing.assert_frame_equal(via_fit.path_coefficients, direct.path_coefficients)
    repeated = fit_pls(data, model_text(), higher_order="repeated_indicators")
    direct = fit_higher_order(data, model_text(), method="repeated_indicators")
    pd.testing.assert_frame_equal(repeated.loadings, direct.loadings)
    with pytest.raises(CsiInputError, match="higher_order must be one of"):
        fit_pls(data, model_text(), higher_order="three_stage")
    with pytest.raises(CsiInputError, match="higher_order_approach must be one of"):
        fit_pls(data, model_text(), higher_order_approach="nested")
