"""Weighted moments and weighted PLS (WPLS): survey weights, frequency weights.

Expected values are computed here independently: frequency weights against the
fit of the data with each row repeated ``w`` times (``df.loc[df.index.repeat(w)]``),
equal weights against the unweighted fit, and weighted means and covariances with
``numpy.average`` and ``numpy.cov(aweights=..., fweights=...)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csi
from csi._checks import CsiInputError
from csi.moments import kish_n_eff, moments_from_frame
from csi.pls import fit_pls
from csi.spec import ModelSpec

pytestmark = pytest.mark.filterwarnings("ignore::csi.pls.NegativeWeightWarning")
TIGHT = 1e-12  # PLS stop criterion for the 1e-10 comparisons
POLICIES = ["listwise", "pairwise", "mean"]


@pytest.fixture(scope="module")
def weighted_mobi(mobi: pd.DataFrame) -> pd.DataFrame:
    """mobi with a segment, integer counts ``f`` (0 to 3) and sampling weights ``w``."""
    rng = np.random.default_rng(7)
    out = mobi.astype(float).copy()
    out["group"] = np.where(np.arange(len(out)) % 3 == 0, "a", "b")
    out["f"] = rng.integers(0, 4, size=len(out))
    out.loc[out.index[:3], "f"] = [0, 3, 1]  # at least one zero count
    out["w"] = rng.gamma(2.0, 1.5, size=len(out))
    return out


@pytest.fixture(scope="module")
def holes(weighted_mobi: pd.DataFrame, ecsi: ModelSpec) -> pd.DataFrame:
    """The same with 4% of the item answers missing."""
    rng = np.random.default_rng(11)
    out = weighted_mobi.copy()
    items = list(ecsi.items)
    out[items] = out[items].mask(rng.random((len(out), len(items))) < 0.04)
    return out


def _same_fit(a, b, *, atol: float = 1e-10, index: bool = True) -> None:
    for table in ("path_coefficients", "outer_weights", "loadings", "total_effects"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), atol=atol, rtol=0)
    pd.testing.assert_frame_equal(a.r2[["construct", "r2"]], b.r2[["construct", "r2"]], atol=atol)
    if index:
        pd.testing.assert_series_equal(a.index(), b.index(), atol=atol, rtol=0)
        pd.testing.assert_frame_equal(a.impacts(), b.impacts(), atol=atol, rtol=0)


# ------------------------------------------------------------ moments by hand
def test_weighted_listwise_moments_by_hand(holes: pd.DataFrame) -> None:
    items = ["CUEX1", "CUEX2", "CUSA1", "CUSA2"]
    before = holes.copy()
    complete = holes[items].notna().all(axis=1).to_numpy()
    X = holes[items].to_numpy()[complete]
    w = holes["w"].to_numpy()[complete]
    m = moments_from_frame(holes, items, weights="w")
    assert m.weighted and m.weight_kind == "sampling"
    assert m.n == complete.sum() and m.n_excluded == len(holes) - complete.sum()
    np.testing.assert_allclose(m.means, np.average(X, axis=0, weights=w), rtol=0, atol=1e-12)
    # sampling weights: rescaled to mean 1, divisor n - 1 (np.cov's ddof=0 form x n/(n-1))
    n = len(w)
    want = np.cov(X, rowvar=False, aweights=w, ddof=0) * n / (n - 1)
    np.testing.assert_allclose(m.cov.to_numpy(), want, rtol=0, atol=1e-12)
    assert m.sum_weights == pytest.approx(w.sum(), rel=1e-14)
    assert m.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-14)
    # frequency weights: np.cov's fweights exactly
    f = holes["f"].to_numpy()[complete]
    mf = moments_from_frame(holes, items, weights="f", weight_kind="frequency")
    assert mf.n == f.sum()
    np.testing.assert_allclose(mf.means, np.average(X, axis=0, weights=f), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        mf.cov.to_numpy(), np.cov(X, rowvar=False, fweights=f), rtol=0, atol=1e-12
    )
    pd.testing.assert_frame_equal(holes, before)


def test_weighted_correlation_by_hand(weighted_mobi: pd.DataFrame) -> None:
    items = ["CUEX1", "CUEX2", "CUEX3"]
    X = weighted_mobi[items].to_numpy()
    w = weighted_mobi["w"].to_numpy()
    c = np.cov(X, rowvar=False, aweights=w)
    sd = np.sqrt(np.diag(c))
    m = moments_from_frame(weighted_mobi, items, weights="w")
    np.testing.assert_allclose(m.corr.to_numpy(), c / np.outer(sd, sd), rtol=0, atol=1e-12)


def test_weighted_mean_replacement_and_pairwise_by_hand(holes: pd.DataFrame) -> None:
    items = ["CUEX1", "CUEX2", "CUSA1"]
    X = holes[items].to_numpy()
    f = holes["f"].to_numpy()
    # mean: each missing answer takes its item's weighted mean of the answers
    filled = X.copy()
    for k in range(X.shape[1]):
        ok = ~np.isnan(X[:, k])
        filled[~ok, k] = np.average(X[ok, k], weights=f[ok])
    m = moments_from_frame(holes, items, missing="mean", weights="f", weight_kind="frequency")
    assert m.n_replaced == int(np.isnan(X).sum())
    np.testing.assert_allclose(
        m.cov.to_numpy(), np.cov(filled, rowvar=False, fweights=f), rtol=0, atol=1e-12
    )
    # pairwise: each pair from the respondents answering both
    p = moments_from_frame(holes, items, missing="pairwise", weights="f", weight_kind="frequency")
    for a in range(3):
        for b in range(3):
            ok = ~np.isnan(X[:, a]) & ~np.isnan(X[:, b])
            want = np.cov(X[ok][:, [a, b]], rowvar=False, fweights=f[ok])[0, 1]
            assert p.cov.iloc[a, b] == pytest.approx(want, abs=1e-12)
    for k in range(3):
        ok = ~np.isnan(X[:, k])
        assert p.means.iloc[k] == pytest.approx(np.average(X[ok, k], weights=f[ok]), abs=1e-12)


def test_kish_effective_sample_size() -> None:
    assert kish_n_eff(np.full(10, 2.5)) == pytest.approx(10.0)
    assert kish_n_eff(np.array([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)


# ----------------------------------------------------- frequency = duplicated rows
@pytest.mark.parametrize("policy", POLICIES)
def test_frequency_weights_equal_repeated_rows(holes, ecsi: ModelSpec, policy: str) -> None:
    data = holes if policy != "listwise" else holes.fillna({"CUEX1": 5.0})
    repeated = data.loc[data.index.repeat(data["f"].to_numpy())]
    opts = {"scale": (1, 10), "missing": policy, "tol": TIGHT}
    got = fit_pls(data, ecsi, weights="f", weight_kind="frequency", **opts)
    want = fit_pls(repeated, ecsi, **opts)
    assert got.weighted and got.weight_kind == "frequency"
    assert got.n == want.n and got.sum_weights == pytest.approx(float(want.n))
    _same_fit(got, want)
    pd.testing.assert_frame_equal(got.r2, want.r2, atol=1e-10, rtol=0)  # n enters r2_adj
    got_by = got.index_by("group").drop(columns="sum_weights")
    pd.testing.assert_frame_equal(got_by, want.index_by("group"), atol=1e-10, rtol=0)
    # IPMA too
    pd.testing.assert_frame_equal(got.ipma("Loyalty"), want.ipma("Loyalty"), atol=1e-10, rtol=0)


def test_frequency_weights_given_as_an_array(weighted_mobi, ecsi: ModelSpec) -> None:
    data = weighted_mobi.drop(columns=["f", "w"])
    counts = weighted_mobi["f"].to_numpy()
    got = fit_pls(data, ecsi, weights=counts, weight_kind="frequency", tol=TIGHT, scale=(1, 10))
    want = fit_pls(data.loc[data.index.repeat(counts)], ecsi, tol=TIGHT, scale=(1, 10))
    _same_fit(got, want)


# ------------------------------------------------------ equal weights = unweighted
@pytest.mark.parametrize("policy", POLICIES)
def test_equal_weights_equal_the_unweighted_fit(holes, ecsi: ModelSpec, policy: str) -> None:
    opts = {"scale": (1, 10), "missing": policy, "tol": TIGHT}
    got = fit_pls(holes, ecsi, weights=np.full(len(holes), 2.5), **opts)
    want = fit_pls(holes, ecsi, **opts)
    assert got.weighted and not want.weighted
    assert got.n == want.n and got.n_eff == pytest.approx(got.n)
    np.testing.assert_allclose(got.moments.cov, want.moments.cov, rtol=0, atol=1e-10)
    _same_fit(got, want)
    pd.testing.assert_frame_equal(got.r2, want.r2, atol=1e-10, rtol=0)
    pd.testing.assert_frame_equal(got.scores, want.scores, atol=1e-10, rtol=0)
    by = got.index_by("group")
    pd.testing.assert_frame_equal(
        by.drop(columns="sum_weights"), want.index_by("group"), atol=1e-10, rtol=0
    )


# ---------------------------------------------------------- weighted estimates
def test_weighted_fit_differs_and_its_scores_are_weighted_standardised(
    weighted_mobi, ecsi: ModelSpec
) -> None:
    res = fit_pls(weighted_mobi, ecsi, weights="w", scale=(1, 10), tol=TIGHT)
    plain = fit_pls(weighted_mobi, ecsi, scale=(1, 10), tol=TIGHT)
    assert not np.allclose(res.path_coefficients["estimate"], plain.path_coefficients["estimate"])
    w = weighted_mobi["w"].to_numpy()
    scores = res.scores.to_numpy()
    np.testing.assert_allclose(np.average(scores, axis=0, weights=w), 0.0, atol=1e-10)
    np.testing.assert_allclose(
        np.diag(np.cov(scores, rowvar=False, aweights=w, ddof=0)) * len(w) / (len(w) - 1),
        1.0,
        atol=1e-10,
    )
    # the index is the weighted mean of the respondents' 0-100 scores
    per = res.respondent_index()
    np.testing.assert_allclose(np.average(per, axis=0, weights=w), res.index(), atol=1e-9)
    # ... and by hand from weighted item means and sds
    items = list(ecsi.items)
    X100 = (weighted_mobi[items].to_numpy() - 1) / 9 * 100
    means = np.average(X100, axis=0, weights=w)
    sd = np.sqrt(np.diag(np.cov(X100, rowvar=False, aweights=w)))
    ow = res.outer_weights
    for construct in ecsi.constructs:
        k = (ow["construct"] == construct).to_numpy()
        u = ow["estimate"].to_numpy()[k] / sd[k]
        want = (u / u.sum()) @ means[k]
        assert res.index()[construct] == pytest.approx(want, abs=1e-9)
    # segment index: weighted means within each segment
    by = res.index_by("group").set_index(["segment", "construct"])
    for g in ("a", "b"):
        rows = (weighted_mobi["group"] == g).to_numpy()
        want = np.average(per.to_numpy()[rows], axis=0, weights=w[rows])
        np.testing.assert_allclose(by.loc[g, "index"].to_numpy(), want, atol=1e-9)
        assert by.loc[(g, "Loyalty"), "n"] == rows.sum()
        assert by.loc[(g, "Loyalty"), "sum_weights"] == pytest.approx(w[rows].sum())
    text = res.summary()
    assert "weights: sampling" in text and "Kish effective n" in text
    assert f"{res.n_eff:.1f}" in text
    assert "加权" in res.summary(lang="zh")
    assert res.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_a_zero_weight_counts_in_n_but_changes_nothing(weighted_mobi, ecsi: ModelSpec) -> None:
    w = weighted_mobi["w"].to_numpy().copy()
    w[[5, 17]] = 0.0
    res = fit_pls(weighted_mobi, ecsi, weights=w, scale=(1, 10), tol=TIGHT)
    keep = w > 0
    ref = fit_pls(weighted_mobi[keep], ecsi, weights=w[keep], scale=(1, 10), tol=TIGHT)
    assert res.n == len(weighted_mobi) and ref.n == len(weighted_mobi) - 2
    _same_fit(res, ref)
    np.testing.assert_allclose(res.moments.cov, ref.moments.cov, rtol=0, atol=1e-10)
    assert res.scores.shape[0] == len(weighted_mobi)  # they still get a score


def test_input_data_and_weights_are_not_modified(weighted_mobi, ecsi: ModelSpec) -> None:
    data = weighted_mobi.copy()
    w = data["w"].to_numpy().copy()
    given = w.copy()
    fit_pls(data, ecsi, weights=w, missing="mean")
    pd.testing.assert_frame_equal(data, weighted_mobi)
    np.testing.assert_array_equal(w, given)


# ---------------------------------------------------------------------- errors
def test_bad_weights_are_named(weighted_mobi, ecsi: ModelSpec) -> None:
    df = weighted_mobi.copy()
    bad = df["w"].to_numpy().copy()
    bad[4] = -1.0
    with pytest.raises(CsiInputError, match=r"weights has a negative weight \(-1.0\) at row 5"):
        fit_pls(df, ecsi, weights=bad)
    bad[4] = np.nan
    with pytest.raises(CsiInputError, match=r"a missing weight .* at row 5"):
        fit_pls(df, ecsi, weights=bad)
    with pytest.raises(CsiInputError, match=r"got 3 values, expected one per row .*\(250\)"):
        fit_pls(df, ecsi, weights=[1.0, 2.0, 3.0])
    df["wt"] = "one"
    with pytest.raises(
        CsiInputError, match=r"weight column 'wt' has a non-numeric weight \('one'\) at row 1"
    ):
        fit_pls(df, ecsi, weights="wt")
    with pytest.raises(CsiInputError, match="weight column 'nope' not found"):
        fit_pls(df, ecsi, weights="nope")
    df["wt"] = np.inf
    with pytest.raises(CsiInputError, match="weight column 'wt' has an infinite weight"):
        fit_pls(df, ecsi, weights="wt")
    with pytest.raises(CsiInputError, match=r"whole numbers; got 2\.5 at row 1"):
        fit_pls(df, ecsi, weights=np.full(len(df), 2.5), weight_kind="frequency")
    with pytest.raises(CsiInputError, match="every weight is zero"):
        fit_pls(df, ecsi, weights=np.zeros(len(df)))
    with pytest.raises(CsiInputError, match="weight_kind must be one of"):
        fit_pls(df, ecsi, weights="w", weight_kind="design")
    with pytest.raises(CsiInputError, match="weights=True"):
        fit_pls(df, ecsi, weights=True)
    with pytest.raises(CsiInputError, match="weight column 'wt' has a negative"):
        moments_from_frame(df.assign(wt=-2.0), ["CUEX1", "CUEX2"], weights="wt")


# ---------------------------------------------------------------------- survey
SURVEY_CB = {
    "id": "rid",
    "weight": "wt",
    "segments": ["region"],
    "scale": {"min": 1, "max": 7},
    "constructs": {"Q": {}, "S": {}},
    "items": {
        "q1": {"construct": "Q"},
        "q2": {"construct": "Q"},
        "q3": {"construct": "Q"},
        "s1": {"construct": "S"},
        "s2": {"construct": "S"},
    },
}
SURVEY_SPEC = "Q =~ q1 + q2 + q3\nS =~ s1 + s2\nS ~ Q"


def _survey_frame(n: int = 150, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    s = 0.6 * q + 0.8 * rng.normal(size=n)

    def item(f: np.ndarray) -> np.ndarray:
        return np.clip(np.round(4 + 1.2 * f + rng.normal(size=n)), 1, 7)

    return pd.DataFrame(
        {
            "rid": [f"r{k}" for k in range(n)],
            "region": np.where(np.arange(n) % 2 == 0, "N", "S"),
            "wt": np.round(rng.gamma(2.0, 1.0, size=n) + (q > 0) * 2.0, 3),
            "q1": item(q),
            "q2": item(q),
            "q3": item(q),
            "s1": item(s),
            "s2": item(s),
        }
    )


def test_a_survey_is_fitted_with_its_weight_column() -> None:
    df = _survey_frame()
    survey = csi.read_survey(df, SURVEY_CB)
    res = fit_pls(survey, SURVEY_SPEC, tol=TIGHT)
    by_hand = fit_pls(df, SURVEY_SPEC, weights="wt", scale=(1, 7), tol=TIGHT)
    assert res.weighted and res.weight_kind == "sampling"
    assert res.sum_weights == pytest.approx(df["wt"].sum())
    _same_fit(res, by_hand)
    plain = fit_pls(survey, SURVEY_SPEC, weights=False, tol=TIGHT)
    assert not plain.weighted and "weights:" not in plain.summary()
    _same_fit(plain, fit_pls(df, SURVEY_SPEC, scale=(1, 7), tol=TIGHT))
    assert abs(res.index()["S"] - plain.index()["S"]) > 0.1
    boot = res.bootstrap(40, seed=3, segment="region")
    assert boot.weight_kind == "sampling" and "naive weighted bootstrap" in boot.summary()
    assert np.isfinite(boot.table["se"]).all()
    seg = boot.select("index").query("segment != ''").set_index(["segment", "construct"])
    by = res.index_by("region").set_index(["segment", "construct"])
    np.testing.assert_allclose(
        seg["estimate"].to_numpy(), by.loc[seg.index, "index"].to_numpy(), atol=1e-9
    )


def test_a_frequency_survey() -> None:
    df = _survey_frame()
    df["wt"] = np.arange(len(df)) % 3 + 1
    cb = {**SURVEY_CB, "weight_kind": "frequency"}
    res = fit_pls(csi.read_survey(df, cb), SURVEY_SPEC, tol=TIGHT)
    repeated = df.loc[df.index.repeat(df["wt"].to_numpy())]
    _same_fit(res, fit_pls(repeated, SURVEY_SPEC, scale=(1, 7), tol=TIGHT))
    assert res.n == df["wt"].sum()


# ------------------------------------------------------------------- bootstrap
@pytest.mark.parametrize("policy", POLICIES)
def test_weighted_bootstrap_runs_with_finite_ses(holes, ecsi: ModelSpec, policy: str) -> None:
    res = fit_pls(holes, ecsi, weights="w", missing=policy, scale=(1, 10))
    boot = res.bootstrap(60, seed=5, segment="group")
    assert boot.n_failed == 0
    table = boot.table
    paths = table[table["kind"] == "path"]
    np.testing.assert_allclose(
        paths["estimate"].to_numpy(), res.path_coefficients["estimate"].to_numpy(), atol=1e-6
    )
    assert np.isfinite(table["se"]).all() and (paths["se"] > 0).all()
    # the same seed gives the same draws
    again = res.bootstrap(60, seed=5, segment="group")
    pd.testing.assert_frame_equal(table, again.table)


def test_frequency_bootstrap_resamples_respondents(weighted_mobi, ecsi: ModelSpec) -> None:
    res = fit_pls(weighted_mobi, ecsi, weights="f", weight_kind="frequency", scale=(1, 10))
    boot = res.bootstrap(80, seed=1)
    assert boot.n_respondents == weighted_mobi["f"].sum() and boot.n_failed == 0
    assert np.isfinite(boot.table["se"]).all()
    # the SEs are those of a bootstrap of the repeated rows, up to Monte Carlo error
    rep = weighted_mobi.loc[weighted_mobi.index.repeat(weighted_mobi["f"].to_numpy())]
    ref = fit_pls(rep, ecsi, scale=(1, 10)).bootstrap(80, seed=2)
    a = boot.select("path")["se"].to_numpy()
    b = ref.select("path")["se"].to_numpy()
    assert np.median(a / b) == pytest.approx(1.0, abs=0.25)


def test_weighted_group_comparison_is_refused(weighted_mobi, ecsi: ModelSpec) -> None:
    res = fit_pls(weighted_mobi, ecsi, weights="w")
    with pytest.raises(CsiInputError, match="weighted fit is not supported"):
        res.compare_groups("group")


# ------------------------------------------------------------------------ dask
@pytest.mark.parametrize("kind", ["sampling", "frequency"])
def test_dask_weighted_moments_equal_in_memory(kind: str) -> None:
    dd = pytest.importorskip("dask.dataframe")
    from csi.scaleout import moments_from_dask

    rng = np.random.default_rng(2)
    n = 3000
    z = rng.normal(size=(n, 1))
    df = pd.DataFrame(5 + 2 * z + rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    df.loc[rng.choice(n, 41, replace=False), "c"] = np.nan
    df["w"] = rng.integers(0, 5, size=n) if kind == "frequency" else rng.gamma(1.5, 2.0, n)
    df.loc[[0, 9], "w"] = 0
    items = ["a", "b", "c", "d"]
    want = moments_from_frame(df, items, weights="w", weight_kind=kind)
    for parts in (1, 7, 16):
        got = moments_from_dask(
            dd.from_pandas(df, npartitions=parts), items, weights="w", weight_kind=kind
        )
        assert (got.n, got.n_excluded, got.weight_kind) == (want.n, want.n_excluded, kind)
        np.testing.assert_allclose(got.means, want.means, rtol=0, atol=1e-10)
        np.testing.assert_allclose(got.cov, want.cov, rtol=0, atol=1e-10)
        assert got.sum_weights == pytest.approx(want.sum_weights, rel=1e-12)
        assert got.n_eff == pytest.approx(want.n_eff, rel=1e-12)


def test_fit_pls_on_a_weighted_dask_table(weighted_mobi, ecsi: ModelSpec) -> None:
    dd = pytest.importorskip("dask.dataframe")
    table = dd.from_pandas(weighted_mobi.drop(columns="group"), npartitions=4)
    got = fit_pls(table, ecsi, weights="w", scale=(1, 10), tol=TIGHT)
    want = fit_pls(weighted_mobi, ecsi, weights="w", scale=(1, 10), tol=TIGHT)
    assert got.weighted and got.scores is None
    _same_fit(got, want)
    bad = weighted_mobi.drop(columns="group").assign(w=-1.0)
    with pytest.raises(CsiInputError, match="weight column 'w' has a negative weight"):
        fit_pls(dd.from_pandas(bad, npartitions=2), ecsi, weights="w")
    with pytest.raises(CsiInputError, match="name of its weight column"):
        fit_pls(table, ecsi, weights=np.ones(len(weighted_mobi)))


def test_compare_groups_of_a_weighted_survey_warns_that_it_is_unweighted() -> None:
    survey = csi.read_survey(_survey_frame(), SURVEY_CB)
    with pytest.warns(UserWarning, match="weight column 'wt' is ignored"):
        out = csi.compare_groups(survey, SURVEY_SPEC, "region", n=20, seed=1)
    assert out is not None
