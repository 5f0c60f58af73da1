"""The ACSI 0-100 index, segment and respondent indices, impacts and IPMA.

Expected values are computed here by hand with pandas/numpy from the formulas of the
ACSI methodology (Fornell et al. 1996) and of Ringle & Sarstedt (2016), starting
from the fitted outer weights (themselves checked against SmartPLS in
test_pls_golden.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.codebook import Codebook
from csi.pls import NegativeWeightWarning, PLSResult, fit_pls
from csi.pls.index import QUADRANTS, ipma_priorities
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def fitted(mobi: pd.DataFrame, ecsi: ModelSpec) -> PLSResult:
    return fit_pls(mobi, ecsi, scheme="centroid", scale=(1, 10))


def _u(res: PLSResult, data: pd.DataFrame) -> pd.Series:
    """Rescaled weights by hand: (w / sd) / sum within construct (one scale for all)."""
    ow = res.outer_weights.set_index("indicator")
    raw = ow["estimate"] / data[ow.index].std()
    return raw / raw.groupby(ow["construct"]).transform("sum")


def _hand_scores(res: PLSResult, data: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    u = _u(res, data)
    owner = res.outer_weights.set_index("indicator")["construct"]
    x100 = (data[u.index] - lo) / (hi - lo) * 100
    return pd.DataFrame(
        {
            c: (x100[items] * u[items]).sum(axis=1)
            for c, items in owner.groupby(owner).groups.items()
        }
    )[list(res.spec.constructs)]


# ------------------------------------------------------------------- index
def test_index_by_hand(fitted: PLSResult, mobi: pd.DataFrame) -> None:
    hand = _hand_scores(fitted, mobi, 1, 10).mean()
    np.testing.assert_allclose(fitted.index().to_numpy(), hand.to_numpy(), atol=1e-9)
    rw = fitted.rescaled_weights()
    np.testing.assert_allclose(rw["weight"], _u(fitted, mobi)[rw["indicator"]], atol=1e-12)
    np.testing.assert_allclose(rw.groupby("construct")["weight"].sum(), 1.0)


def test_scale_argument_overrides_and_is_required(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    res = fit_pls(mobi, ecsi, scheme="centroid")
    with pytest.raises(CsiInputError, match=r"pass scale=\(lo, hi\)"):
        res.index()
    assert res.index(scale=(1, 10))["Satisfaction"] == pytest.approx(72.5428, abs=1e-4)
    # a wider scale lowers every index: (mean - 0) / 10 instead of (mean - 1) / 9
    assert (res.index(scale=(0, 10)) > res.index(scale=(1, 10))).all()


def test_per_item_scales_and_codebook(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    """Half of the items recoded to 0-100, the rest kept on 1-10: same index."""
    base = fit_pls(mobi, ecsi, scheme="centroid", scale=(1, 10)).index()
    recoded = mobi.copy()
    moved = list(mobi.columns[::2])
    recoded[moved] = (mobi[moved] - 1) / 9 * 100
    scale = {c: ((0, 100) if c in moved else (1, 10)) for c in mobi.columns}
    res = fit_pls(recoded, ecsi, scheme="centroid", scale=scale)
    np.testing.assert_allclose(res.index(), base, atol=1e-9)
    book = Codebook.from_dict(
        {"scale": {"min": 1, "max": 10}, "items": {c: {"construct": "x"} for c in mobi.columns}}
    )
    res_cb = fit_pls(mobi, ecsi, scheme="centroid", scale=book)
    np.testing.assert_allclose(res_cb.index(), base, atol=1e-12)
    assert res_cb.scale == (1.0, 10.0)


def test_scale_errors(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    with pytest.raises(CsiInputError, match=r"item 'IMAG1' has answers from 1 to 10, outside"):
        fit_pls(mobi, ecsi, scale=(1, 7))
    with pytest.raises(CsiInputError, match="lowest < highest"):
        fit_pls(mobi, ecsi, scale=(10, 1))
    with pytest.raises(CsiInputError, match=r"no end points for item\(s\) \['IMAG1'"):
        fit_pls(mobi, ecsi, scale={"CUEX1": (1, 10)})
    with pytest.raises(CsiInputError, match="must be a pair"):
        fit_pls(mobi, ecsi, scale=10)


def test_negative_weight_warning_names_the_item(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    """A reverse-coded item left as is gets a negative weight: the index is then no mean."""
    flipped = mobi.assign(CUSA2=11 - mobi["CUSA2"])
    res = fit_pls(flipped, ecsi, scheme="centroid", scale=(1, 10))
    with pytest.warns(NegativeWeightWarning, match=r"CUSA2 \(Satisfaction\)"):
        res.index()


def test_respondent_index(fitted: PLSResult, mobi: pd.DataFrame) -> None:
    per = fitted.respondent_index()
    hand = _hand_scores(fitted, mobi, 1, 10)
    np.testing.assert_allclose(per.to_numpy(), hand.to_numpy(), atol=1e-9)
    assert list(per.index) == list(mobi.index)
    np.testing.assert_allclose(per.mean(), fitted.index(), atol=1e-9)


# ----------------------------------------------------------------- segments
def test_index_by_segment_uses_full_sample_weights(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    data = mobi.assign(region=np.where(np.arange(len(mobi)) % 3 == 0, "North", "South"))
    res = fit_pls(data, ecsi, scheme="centroid", scale=(1, 10))
    out = res.index_by("region")
    assert list(out.columns) == ["segment", "construct", "n", "index"]
    u = _u(res, mobi)
    owner = res.outer_weights.set_index("indicator")["construct"]
    for region, rows in data.groupby("region"):
        means100 = (rows[u.index].mean() - 1) / 9 * 100
        expected = (means100 * u).groupby(owner).sum()
        got = out[out["segment"] == region].set_index("construct")
        np.testing.assert_allclose(got["index"], expected[got.index], atol=1e-9)
        assert (got["n"] == len(rows)).all()
    # the same grouping given as a Series or as a list
    series = pd.Series(data["region"].to_numpy(), index=data.index)
    pd.testing.assert_frame_equal(res.index_by(series), out, check_like=False)
    pd.testing.assert_frame_equal(res.index_by(list(data["region"])), out)


def test_index_by_keeps_missing_segment_as_group(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    seg = pd.Series(["a"] * 100 + [None] * 50 + ["b"] * 100, index=mobi.index, dtype=object)
    res = fit_pls(mobi.assign(seg=seg), ecsi, scheme="centroid", scale=(1, 10))
    out = res.index_by("seg")
    first = out.drop_duplicates("segment")
    assert first["n"].sum() == 250  # nobody dropped
    assert first.loc[first["segment"].isna(), "n"].tolist() == [50]
    assert first["segment"].tolist()[:2] == ["a", "b"]


def test_index_by_errors(fitted: PLSResult) -> None:
    with pytest.raises(CsiInputError, match="segment column 'region' not found"):
        fitted.index_by("region")
    with pytest.raises(CsiInputError, match="expected one per respondent used"):
        fitted.index_by(["a", "b"])


# ------------------------------------------------------------------ impacts
def _ols_total_effects_100(res: PLSResult) -> pd.DataFrame:
    """Regress each endogenous construct's 0-100 score on its predecessors' (with intercept)."""
    s100 = res.respondent_index()
    names = list(res.spec.constructs)
    B = pd.DataFrame(0.0, index=names, columns=names)
    for t in names:
        pred = list(res.spec.predecessors(t))
        if pred:
            X = np.column_stack([np.ones(len(s100)), s100[pred].to_numpy()])
            coef, *_ = np.linalg.lstsq(X, s100[t].to_numpy(), rcond=None)
            B.loc[pred, t] = coef[1:]
    total = np.linalg.inv(np.eye(len(names)) - B.to_numpy()) - np.eye(len(names))
    return pd.DataFrame(total, index=names, columns=names)


def test_impacts_equal_regression_of_0_100_scores(fitted: PLSResult) -> None:
    imp = fitted.impacts()
    ols = _ols_total_effects_100(fitted)
    for s, t, _, t100, impact in imp.itertuples(index=False):
        assert t100 == pytest.approx(ols.loc[s, t], abs=1e-9)
        assert impact == pytest.approx(5 * ols.loc[s, t], abs=1e-8)
    te = fitted.total_effects
    np.testing.assert_allclose(imp["total_effect"], te["estimate"])
    assert fitted.impacts(points=1)["impact"].to_numpy() == pytest.approx(
        imp["impact"].to_numpy() / 5
    )


def test_impacts_do_not_depend_on_item_units(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    a = fit_pls(mobi, ecsi, scheme="centroid", scale=(1, 10)).impacts()
    recoded = (mobi - 1) / 9 * 100
    b = fit_pls(recoded, ecsi, scheme="centroid", scale=(0, 100)).impacts()
    np.testing.assert_allclose(a["impact"], b["impact"], atol=1e-9)


# --------------------------------------------------------------------- IPMA
def test_ipma(fitted: PLSResult, mobi: pd.DataFrame) -> None:
    out = fitted.ipma("Loyalty")
    assert list(out.columns) == ["kind", "name", "construct", "importance", "performance"]
    cons = out[out["kind"] == "construct"].set_index("name")
    ols = _ols_total_effects_100(fitted)
    # every construct with a route to Loyalty, and only those
    assert set(cons.index) == {c for c in fitted.spec.constructs if c != "Loyalty"}
    for c, row in cons.iterrows():
        assert row["importance"] == pytest.approx(ols.loc[c, "Loyalty"], abs=1e-9)
        assert row["performance"] == pytest.approx(fitted.index()[c], abs=1e-9)
    ind = out[out["kind"] == "indicator"].set_index("name")
    np.testing.assert_allclose(
        ind["performance"], ((mobi[ind.index].mean() - 1) / 9 * 100), atol=1e-9
    )
    u = _u(fitted, mobi)
    np.testing.assert_allclose(
        ind["importance"], u[ind.index] * cons.loc[ind["construct"], "importance"].to_numpy()
    )
    summed = ind.groupby("construct")["importance"].sum()
    np.testing.assert_allclose(summed, cons.loc[summed.index, "importance"])
    assert "CUSL1" not in ind.index  # the target's own items are not drivers


def test_ipma_errors(fitted: PLSResult) -> None:
    with pytest.raises(CsiInputError, match="no drivers"):
        fitted.ipma("Image")
    with pytest.raises(CsiInputError, match="target must be one of"):
        fitted.ipma("Happiness")


def test_ipma_priorities_by_hand() -> None:
    # constructs: mean importance 0.3, mean performance 64; B sits exactly on the mean
    # importance (counts as high). Indicators are ranked separately, from 1.
    frame = pd.DataFrame(
        {
            "kind": ["indicator", "indicator", *["construct"] * 5],
            "name": ["i1", "i2", "A", "B", "C", "D", "E"],
            "importance": [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.4],
            "performance": [90.0, 10.0, 60.0, 80.0, 50.0, 75.0, 55.0],
        }
    )
    before = frame.copy()
    out = ipma_priorities(frame)
    pd.testing.assert_frame_equal(frame, before)  # caller's frame untouched
    assert list(out["name"]) == ["i2", "i1", "A", "E", "B", "C", "D"]
    assert list(out["priority"]) == [1, 2, 1, 2, 3, 4, 5]
    assert list(out["quadrant"]) == [
        "high_importance_low_performance",
        "low_importance_high_performance",
        "high_importance_low_performance",
        "high_importance_low_performance",
        "high_importance_high_performance",
        "low_importance_low_performance",
        "low_importance_high_performance",
    ]
    assert tuple(dict.fromkeys(out["quadrant"][2:])) == QUADRANTS


def test_ipma_priorities_errors() -> None:
    with pytest.raises(CsiInputError, match="'performance'"):
        ipma_priorities(pd.DataFrame({"kind": ["construct"], "importance": [0.1]}))
    bad = pd.DataFrame(
        {"kind": ["construct"] * 2, "importance": [0.1, np.nan], "performance": [50.0, 60.0]}
    )
    with pytest.raises(CsiInputError, match="row 1 has a missing importance"):
        ipma_priorities(bad)


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.floats(0.01, 1.0), st.floats(0.0, 100.0)), min_size=2, max_size=12
    ),
    seed=st.integers(0, 2**31 - 1),
)
def test_ipma_priorities_do_not_depend_on_row_order(
    values: list[tuple[float, float]], seed: int
) -> None:
    frame = pd.DataFrame(values, columns=["importance", "performance"])
    frame.insert(0, "kind", "construct")
    frame.insert(1, "name", [f"d{i}" for i in range(len(frame))])
    assume(not frame.duplicated(["importance", "performance"]).any())
    shuffled = frame.sample(frac=1.0, random_state=seed)
    a, b = ipma_priorities(frame), ipma_priorities(shuffled)
    assert list(a["name"]) == list(b["name"])
    assert sorted(a["priority"]) == list(range(1, len(frame) + 1))
    # a driver with high importance and low performance is never ranked after one without
    first = a["quadrant"] == QUADRANTS[0]
    assert list(np.flatnonzero(first)) == list(range(int(first.sum())))


# --------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    k=st.sampled_from([5, 7, 10]),
    n=st.integers(30, 150),
)
def test_indices_stay_in_0_100(seed: int, k: int, n: int) -> None:
    """Rated answers 1..k from a positive two-construct model: every index in [0, 100]."""
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal(n)
    cols = {}
    for name, loading in [("a1", 0.8), ("a2", 0.7), ("a3", 0.6), ("b1", 0.8), ("b2", 0.7)]:
        latent = eta if name[0] == "a" else 0.6 * eta + 0.8 * rng.standard_normal(n)
        x = loading * latent + np.sqrt(1 - loading**2) * rng.standard_normal(n)
        cols[name] = np.clip(np.round((k + 1) / 2 + x * k / 4), 1, k)
    data = pd.DataFrame(cols)
    assume((data.std() > 0).all())
    spec = ModelSpec.from_lavaan("A =~ a1 + a2 + a3\nB =~ b1 + b2\nB ~ A")
    res = fit_pls(data, spec, scale=(1, k))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeWeightWarning)
        try:
            idx = res.index()
            per = res.respondent_index()
        except NegativeWeightWarning:
            assume(False)
    assert ((idx >= 0) & (idx <= 100)).all()
    assert ((per.to_numpy() >= -1e-9) & (per.to_numpy() <= 100 + 1e-9)).all()


def test_respondent_scores_at_the_scale_ends_are_exactly_0_and_100():
    """All-top and all-bottom answers give 100 and 0, not 100.00000000000001."""
    from csi.datasets import simulate_csi
    from csi.spec import ModelSpec

    sim = simulate_csi(300, seed=4)
    items = {
        "expectation": ["EXP1", "EXP2", "EXP3"],
        "quality": ["QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5"],
        "value": ["VAL1", "VAL2"],
        "satisfaction": ["SAT1", "SAT2", "SAT3"],
        "complaints": ["COMP1"],
        "loyalty": ["LOY1", "LOY2", "LOY3"],
    }
    spec = ModelSpec.acsi(indicators=items)
    data = sim.data.copy()
    data.loc[data.index[:40], list(spec.items)] = 10
    data.loc[data.index[40:80], list(spec.items)] = 1
    scores = csi_fit(data, spec).respondent_index()
    assert (scores.iloc[:40] == 100.0).all().all()
    assert (scores.iloc[40:80] == 0.0).all().all()
    assert scores.to_numpy().min() >= 0 and scores.to_numpy().max() <= 100


def csi_fit(data, spec):
    from csi.pls import fit_pls

    return fit_pls(data, spec, scale=(1, 10))


def test_ipma_can_leave_out_constructs_that_cannot_be_acted_on():
    from csi.datasets import simulate_csi
    from csi.spec import ModelSpec

    sim = simulate_csi(500, seed=9)
    items = {
        "expectation": ["EXP1", "EXP2", "EXP3"],
        "quality": ["QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5"],
        "value": ["VAL1", "VAL2"],
        "satisfaction": ["SAT1", "SAT2", "SAT3"],
        "complaints": ["COMP1"],
        "loyalty": ["LOY1", "LOY2", "LOY3"],
    }
    res = csi_fit(sim.data, ModelSpec.acsi(indicators=items))
    full = res.ipma("Satisfaction")
    some = res.ipma("Satisfaction", exclude=["Expectation"])
    assert "Expectation" not in set(some["construct"])
    kept = full[full["construct"] != "Expectation"].reset_index(drop=True)
    pd.testing.assert_frame_equal(some, kept)
    with pytest.raises(CsiInputError, match="exclude must be one of"):
        res.ipma("Satisfaction", exclude=["Image"])
