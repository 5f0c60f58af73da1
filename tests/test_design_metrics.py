"""Design-based estimates, weighted metrics and raking, against R ``survey`` references.

The references in tests/reference/survey/ were made by make_reference.R (R survey; see
the README there); these tests only read the committed CSV files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csi
from csi.metrics import (
    Design,
    box_scores,
    compare_periods,
    compare_segments,
    csat,
    kish_n_effective,
    nps,
    weighted_by,
    weighted_mean,
    weighted_proportion,
    weighted_total,
)
from csi.metrics.scores import nps_interval

REF = Path(__file__).resolve().parent / "reference" / "survey"
EST_TOL = 1e-8  # estimates and raked weights (relative)
SE_TOL = 1e-6  # standard errors, intervals, design effects (relative)

BOOK = {
    "id": "id",
    "weight": "w",
    "strata": "stratum",
    "cluster": "psu",
    "segments": ["segment", "region", "age_band"],
    "recommend": "recommend",
    "csat": "rating",
    "items": {"rating": {"min": 1, "max": 10}},
}


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    d = pd.read_csv(REF / "sample.csv")
    d["nps_points"] = np.select([d.recommend >= 9, d.recommend <= 6], [100.0, -100.0], 0.0)
    d["top2"] = np.where(d.rating.isna(), np.nan, (d.rating >= 9).astype(float))
    return d


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(REF / "results.csv")


@pytest.fixture(scope="module")
def survey(sample: pd.DataFrame) -> csi.Survey:
    cols = ["id", "stratum", "psu", "w", "region", "age_band", "segment", "recommend", "rating"]
    return csi.read_survey(sample[cols], BOOK, missing="keep")


def _replicate_design(sample: pd.DataFrame, name: str) -> Design:
    reps = pd.read_csv(REF / "replicates.csv")
    info = pd.read_csv(REF / "replicate_info.csv")
    info = info[info.design == name]
    assert (reps["id"] == sample["id"]).all()
    return Design(
        weights=sample["w"].to_numpy(),
        replicates=reps[info.replicate].to_numpy(),
        replicate_type="JKn" if name == "jkn" else "bootstrap",
        scale=float(info.scale.iloc[0]),
        rscales=info.rscale.to_numpy(),
        mse=bool(info.mse.iloc[0]),
    )


def _design(sample: pd.DataFrame, name: str) -> Design:
    if name == "taylor":
        return Design.from_frame(sample, "w", strata="stratum", cluster="psu")
    if name.startswith("lonely_"):
        return Design.from_frame(
            sample, "w", strata="stratum_lonely", cluster="psu", lonely_psu=name[7:]
        )
    return _replicate_design(sample, name)


def _close(got: float, want: float, rtol: float) -> bool:
    return bool(np.isclose(got, want, rtol=rtol, atol=rtol * 1e-3))


# --------------------------------------------------------------- golden: estimates
def test_reference_files_and_versions() -> None:
    versions = pd.read_csv(REF / "versions.csv").set_index("what")["version"]
    assert versions["survey"] == "4.1.1"
    assert len(pd.read_csv(REF / "results.csv")) == 62


def test_design_estimates_match_r(sample: pd.DataFrame, ref: pd.DataFrame) -> None:
    designs: dict[str, Design] = {}
    for r in ref.itertuples():
        design = designs.setdefault(r.design, _design(sample, r.design))
        domain = None if r.domain == "all" else (sample.segment == r.domain).to_numpy()
        what = f"{r.design} {r.statistic} {r.variable} {r.domain}"
        if r.statistic == "mean":
            est = weighted_mean(design, sample[r.variable], domain=domain)
            wor = weighted_mean(design, sample[r.variable], domain=domain, deff="without")
        elif r.statistic == "total":
            est = weighted_total(design, sample[r.variable], domain=domain)
            wor = weighted_total(design, sample[r.variable], domain=domain, deff="without")
        else:
            method = r.statistic.split("_")[1]
            est = wor = weighted_proportion(design, sample.top2, domain=domain, method=method)
        assert _close(est.estimate, r.estimate, EST_TOL), what
        assert _close(est.se, r.se, SE_TOL), what
        if not np.isnan(r.ci_lower):
            assert _close(est.ci_lower, r.ci_lower, SE_TOL), what
            assert _close(est.ci_upper, r.ci_upper, SE_TOL), what
        if not np.isnan(r.deff):
            assert _close(wor.deff, r.deff, SE_TOL), what  # R deff=TRUE
            assert _close(est.deff, r.deff_replace, SE_TOL), what  # R deff="replace"
        if not np.isnan(r.df):
            assert est.df == r.df, what


def test_weighted_by_matches_r_svyby(sample: pd.DataFrame, ref: pd.DataFrame) -> None:
    design = _design(sample, "taylor")
    table = weighted_by(design, sample, "nps_points", "segment")
    want = ref[(ref.design == "taylor") & (ref.statistic == "mean")]
    want = want[(want.variable == "nps_points") & (want.domain != "all")].set_index("domain")
    for row in table.itertuples():
        assert _close(row.estimate, want.loc[row.segment, "estimate"], EST_TOL)
        assert _close(row.se, want.loc[row.segment, "se"], SE_TOL)
        assert _close(row.deff, want.loc[row.segment, "deff_replace"], SE_TOL)
    props = weighted_by(design, sample, "top2", ["segment"], statistic="proportion")
    want = ref[(ref.design == "taylor") & (ref.statistic == "ciprop_logit")].set_index("domain")
    for row in props.itertuples():
        assert _close(row.ci_upper, want.loc[row.segment, "ci_upper"], SE_TOL)


# --------------------------------------------------------------- golden: metrics
def _ref_row(ref: pd.DataFrame, design: str, statistic: str, variable: str, domain: str):
    rows = ref[
        (ref.design == design)
        & (ref.statistic == statistic)
        & (ref.variable == variable)
        & (ref.domain == domain)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_nps_of_a_weighted_survey_matches_r(survey: csi.Survey, ref: pd.DataFrame) -> None:
    table = nps(survey, by="segment")
    whole = nps(survey).iloc[0]
    for domain, row in [("all", whole), *((r.segment, r) for r in table.itertuples())]:
        want = _ref_row(ref, "taylor", "mean", "nps_points", domain)
        row = pd.Series(row._asdict()) if not isinstance(row, pd.Series) else row
        assert _close(row["nps"], want.estimate, EST_TOL)
        assert _close(row["se"], want.se, SE_TOL)
        assert _close(row["ci_lower"], want.ci_lower, SE_TOL)
        assert _close(row["ci_upper"], want.ci_upper, SE_TOL)
        assert _close(row["deff"], want.deff_replace, SE_TOL)
    assert whole["n"] == 603 and whole["promoters"] == 155  # unweighted counts
    assert whole["n_weighted"] == pytest.approx(survey.all_responses()["w"].sum(), rel=1e-12)
    assert whole["pct_promoters"] - whole["pct_detractors"] == pytest.approx(whole["nps"])


def test_csat_and_box_scores_of_a_weighted_survey_match_r(
    survey: csi.Survey, ref: pd.DataFrame
) -> None:
    c = csat(survey, top=2).iloc[0]
    want = _ref_row(ref, "taylor", "ciprop_logit", "top2", "all")
    assert _close(c["csat"], 100 * want.estimate, EST_TOL)
    assert _close(c["se"], 100 * want.se, SE_TOL)
    assert _close(c["ci_lower"], 100 * want.ci_lower, SE_TOL)
    assert _close(c["ci_upper"], 100 * want.ci_upper, SE_TOL)
    mean_ci = csat(survey, top=2, method="mean").iloc[0]
    want = _ref_row(ref, "taylor", "ciprop_mean", "top2", "all")
    assert _close(mean_ci["ci_upper"], 100 * want.ci_upper, SE_TOL)
    assert c["n"] == survey.all_responses()["rating"].notna().sum()

    b = box_scores(survey, columns="rating", by="segment")
    for row in b.itertuples():
        want = _ref_row(ref, "taylor", "mean", "rating", row.segment)
        assert _close(row.mean, want.estimate, EST_TOL)
        assert _close(row.se, want.se, SE_TOL)
        assert _close(row.index_lower, (want.ci_lower - 1) / 9 * 100, SE_TOL)
        assert _close(row.deff, want.deff_replace, SE_TOL)


def test_replicate_designs_through_the_metrics(
    survey: csi.Survey, sample: pd.DataFrame, ref: pd.DataFrame
) -> None:
    for name in ("jkn", "bootstrap"):
        design = _replicate_design(sample, name)
        table = nps(survey, by="segment", weights=design)
        for row in table.itertuples():
            want = _ref_row(ref, name, "mean", "nps_points", row.segment)
            assert _close(row.nps, want.estimate, EST_TOL)
            assert _close(row.se, want.se, SE_TOL)
        c = csat(survey, top=2, weights=design).iloc[0]
        want = _ref_row(ref, name, "ciprop_logit", "top2", "all")
        assert _close(c["ci_lower"], 100 * want.ci_lower, SE_TOL)
        assert _close(c["ci_upper"], 100 * want.ci_upper, SE_TOL)


def test_replicate_weights_named_by_the_codebook(sample: pd.DataFrame, ref: pd.DataFrame) -> None:
    reps = pd.read_csv(REF / "replicates.csv")
    info = pd.read_csv(REF / "replicate_info.csv")
    jk = list(info.replicate[info.design == "jkn"])
    frame = pd.concat([sample[["id", "w", "segment", "recommend", "rating"]], reps[jk]], axis=1)
    book = {
        "id": "id",
        "weight": "w",
        "replicate_weights": jk,
        "recommend": "recommend",
        "items": {"rating": {"min": 1, "max": 10}},
    }
    s = csi.read_survey(frame, book, missing="keep")
    with pytest.raises(csi.CsiInputError, match="replicate_type"):
        nps(s)
    design = Design.from_survey(
        s, replicate_type="JKn", rscales=info.rscale[info.design == "jkn"].to_numpy()
    )
    row = nps(s, weights=design).iloc[0]
    want = _ref_row(ref, "jkn", "mean", "nps_points", "all")
    assert _close(row["se"], want.se, SE_TOL)


# --------------------------------------------------------------- golden: raking
def _margins() -> dict[str, dict[str, float]]:
    m = pd.read_csv(REF / "margins.csv")
    return {v: dict(zip(g.category, g.target, strict=True)) for v, g in m.groupby("variable")}


def test_rake_matches_r(survey: csi.Survey) -> None:
    before = survey.all_responses()["w"].copy()
    result = csi.rake(survey, _margins(), tol=1e-13, max_iter=500)
    want = pd.read_csv(REF / "raked_weights.csv")
    np.testing.assert_allclose(result.weights.to_numpy(), want.w_raked.to_numpy(), rtol=EST_TOL)
    assert result.converged and result.iterations < 50
    assert result.max_error < 1e-6
    assert np.abs(result.margins["error"]).max() == pytest.approx(result.max_error)
    # the new survey carries the raked weights as its weight; the caller's is unchanged
    assert result.survey.weight == "w"
    np.testing.assert_array_equal(result.survey.all_responses()["w"], result.weights)
    pd.testing.assert_series_equal(survey.all_responses()["w"], before)
    assert nps(result.survey).iloc[0]["n_weighted"] == pytest.approx(24000.0)
    assert "converged" in result.summary()


def test_rake_shares_cap_and_errors(survey: csi.Survey) -> None:
    shares = {
        v: {k: t / sum(cats.values()) for k, t in cats.items()} for v, cats in _margins().items()
    }
    r = csi.rake(survey, shares)
    assert r.weights.sum() == pytest.approx(survey.all_responses()["w"].sum())
    capped = csi.rake(survey, _margins(), cap=(0.5, 1.2), name="w_raked")
    g = capped.weights.to_numpy() / survey.all_responses()["w"].to_numpy()
    assert g.min() >= 0.5 - 1e-12 and g.max() <= 1.2 + 1e-12
    assert capped.converged and capped.n_capped > 0
    assert capped.survey.weight == "w_raked"
    with pytest.warns(UserWarning, match="did not converge"):
        tight = csi.rake(survey, _margins(), cap=(0.9, 1.01))
    assert not tight.converged
    bad = _margins()
    bad["region"] = {"north": 9000.0, "south": 8000.0}
    with pytest.raises(csi.CsiInputError, match="no target for category 'west'"):
        csi.rake(survey, bad)
    bad["region"] = {"north": 9000.0, "south": 8000.0, "west": 1.0}
    with pytest.raises(csi.CsiInputError, match="must sum to the same total"):
        csi.rake(survey, bad)
    with pytest.raises(csi.CsiInputError, match="personal or free-text"):
        csi.rake(survey, {"id": {"r0001": 1.0}})


# --------------------------------------------------------------- properties
def _plain_frame(n: int = 80, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recommend": rng.integers(0, 11, n).astype(float),
            "sat": rng.integers(1, 6, n).astype(float),
            "seg": rng.choice(["a", "b"], n),
        }
    )


def test_equal_weights_give_the_unweighted_figures() -> None:
    df = _plain_frame()
    ones = np.ones(len(df))
    plain, weighted = nps(df, by="seg"), nps(df, by="seg", weights=ones)
    for col in ("n", "promoters", "pct_promoters", "pct_detractors", "nps"):
        np.testing.assert_allclose(weighted[col], plain[col], rtol=1e-12)
    # design SE of a (domain) mean under SRS = trinomial SE · sqrt(N/(N-1)), N the
    # whole sample: a segment is a domain of the design, as in R's svyby
    big = len(df)
    for row in plain.itertuples():
        assert weighted.loc[row.Index, "se"] == pytest.approx(
            row.se * np.sqrt(big / (big - 1)), rel=1e-12
        )
    n_seg = plain["n"].to_numpy()
    np.testing.assert_allclose(weighted["deff"], big / (big - 1) * (n_seg - 1) / n_seg)
    assert nps(df, weights=ones)["deff"].iloc[0] == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(weighted["n_effective"], plain["n"], rtol=1e-12)
    b0 = box_scores(df, "sat", scale=(1, 5), by="seg")
    b1 = box_scores(df, "sat", scale=(1, 5), by="seg", weights=ones * 2.5)
    for col in ("mean", "index", "top_box", "bottom_box"):
        np.testing.assert_allclose(b1[col], b0[col], rtol=1e-12)
    # the whole sample: the design t interval is the unweighted one (SE s/sqrt(n), n-1 df)
    b0, b1 = box_scores(df, "sat", scale=(1, 5)), box_scores(df, "sat", scale=(1, 5), weights=ones)
    for col in ("mean", "index", "index_lower", "index_upper", "top_box", "bottom_box"):
        np.testing.assert_allclose(b1[col], b0[col], rtol=1e-12)
    c0, c1 = csat(df, "sat", scale=(1, 5)), csat(df, "sat", scale=(1, 5), weights=ones)
    assert c1["csat"].iloc[0] == pytest.approx(c0["csat"].iloc[0], rel=1e-12)
    # without weights the tables are exactly as before (no new columns)
    assert list(plain.columns) == [
        "seg",
        "n",
        "n_missing",
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "nps",
        "se",
        "ci_lower",
        "ci_upper",
        "suppressed",
    ]
    pro, pas, det = (int(plain.loc[0, c]) for c in ("promoters", "passives", "detractors"))
    assert plain.loc[0, "se"] == nps_interval(pro, pas, det)[1]


def test_frequency_weights_equal_duplicated_rows() -> None:
    rng = np.random.default_rng(11)
    n = 40
    y = rng.integers(1, 11, n).astype(float)
    f = rng.integers(0, 5, n).astype(float)
    strata = rng.choice(["s1", "s2"], n)
    dom = rng.random(n) < 0.6
    freq = Design(weights=f, strata=strata, kind="frequency")
    rep = np.repeat(np.arange(n), f.astype(int))
    expanded = Design(weights=np.ones(rep.size), strata=strata[rep])
    for fn in (weighted_mean, weighted_total):
        a = fn(freq, y, domain=dom)
        b = fn(expanded, y[rep], domain=dom[rep])
        for field in ("estimate", "se", "ci_lower", "ci_upper", "df", "n_effective", "deff"):
            assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-10), field
    # through a Survey whose codebook says weight_kind: frequency
    df = _plain_frame(n)
    df["f"] = f
    book = {"weight": "f", "weight_kind": "frequency", "recommend": "recommend", "items": ["sat"]}
    s = csi.read_survey(df, {**book, "scale": [1, 5]})
    dup = df.loc[df.index.repeat(df["f"].astype(int))].drop(columns="f")
    got, want = nps(s).iloc[0], nps(dup).iloc[0]
    assert got["nps"] == pytest.approx(want["nps"], rel=1e-12)
    assert got["n_effective"] == want["n"] and got["n"] == n


def test_kish_effective_sample_size_by_hand() -> None:
    w = np.array([1.0, 2.0, 3.0, 4.0])
    assert kish_n_effective(w) == pytest.approx(10.0**2 / 30.0)
    d = Design(weights=w)
    assert d.n_effective == pytest.approx(100 / 30) and d.n_weighted == 10.0
    est = weighted_mean(d, [1.0, np.nan, 3.0, 4.0])
    assert est.n == 3 and est.n_effective == pytest.approx(8.0**2 / 26.0)


# --------------------------------------------------------------- bad inputs
def test_bad_inputs_give_clear_errors(survey: csi.Survey, sample: pd.DataFrame) -> None:
    with pytest.raises(csi.CsiInputError, match=r"by='id' is an id"):
        nps(survey, by="id")
    with pytest.raises(csi.CsiInputError, match="weights has 3 values but the data has 603 rows"):
        nps(survey, weights=[1.0, 2.0, 3.0])
    with pytest.raises(csi.CsiInputError, match=r"negative weight \(-1\.0\) at row 2"):
        nps(sample, weights=np.r_[1.0, 1.0, -1.0, np.ones(600)])
    with pytest.raises(csi.CsiInputError, match="weight column 'nope' not found"):
        csat(survey, weights="nope")
    with pytest.raises(csi.CsiInputError, match="method='bootstrap'"):
        nps(survey, method="bootstrap")
    with pytest.raises(csi.CsiInputError, match="with weights use 'logit' or 'mean'"):
        csat(survey, method="wilson")
    with pytest.raises(csi.CsiInputError, match=r"stratum 'S4' has only one PSU"):
        weighted_mean(
            Design.from_frame(sample, "w", strata="stratum_lonely", cluster="psu"),
            sample["nps_points"],
        )
    with pytest.raises(csi.CsiInputError, match="JKn' needs rscales"):
        Design(weights=np.ones(3), replicates=np.ones((3, 2)), replicate_type="JKn")
    with pytest.raises(csi.CsiInputError, match="proportion values must be 0 or 1"):
        weighted_proportion(Design(weights=np.ones(2)), [0.0, 2.0])


def test_switching_weights_off_and_no_weight_in_the_codebook(survey: csi.Survey) -> None:
    off = nps(survey, weights=False)
    frame = survey.all_responses()
    assert off.equals(nps(frame, "recommend"))
    assert "n_weighted" not in off.columns
    book = {k: v for k, v in BOOK.items() if k not in ("weight",)}
    unweighted = csi.read_survey(frame.copy(), book, missing="keep")
    assert nps(unweighted).equals(off)


def test_replicate_type_named_by_the_codebook():
    # the codebook's replicate_type gives the kind of replicates; R's scale for this
    # bootstrap (as.svrepdesign, not the plain 1/(R-1)) is passed as R was given it
    sample = pd.read_csv(REF / "sample.csv")
    reps = pd.read_csv(REF / "replicates.csv")
    info = pd.read_csv(REF / "replicate_info.csv")
    mine = info[info.design == "bootstrap"]
    boot = list(mine.replicate)
    frame = pd.concat([sample[["id", "w", "rating"]], reps[boot]], axis=1)
    book = {
        "id": "id",
        "weight": "w",
        "replicate_weights": boot,
        "replicate_type": "bootstrap",
        "items": {"rating": {"min": 1, "max": 10}},
    }
    s = csi.read_survey(frame, book, missing="keep")
    design = Design.from_survey(s, scale=float(mine.scale.iloc[0]))
    assert design.replicate_type == "bootstrap"  # from the codebook
    row = box_scores(s, "rating", weights=design).iloc[0]
    ref = pd.read_csv(REF / "results.csv")
    want = _ref_row(ref, "bootstrap", "mean", "rating", "all")
    assert _close(row["mean"], want.estimate, 1e-8)
    assert _close(row["se"], want.se, SE_TOL)


# --------------------------------------------------------------- golden: comparisons
@pytest.mark.parametrize("design_name", ["taylor", "jkn"])
def test_weighted_segment_comparisons_match_r_svycontrast(design_name):
    sample = pd.read_csv(REF / "sample.csv")
    ref = pd.read_csv(REF / "comparisons.csv")
    ref = ref[ref.design == design_name]
    if design_name == "taylor":
        design = Design.from_frame(sample, "w", strata="stratum", cluster="psu")
    else:
        reps = pd.read_csv(REF / "replicates.csv")
        info = pd.read_csv(REF / "replicate_info.csv")
        jk = info[info.design == "jkn"]
        frame = pd.concat([sample, reps[list(jk.replicate)]], axis=1)
        design = Design.from_frame(
            frame,
            "w",
            replicate_weights=list(jk.replicate),
            replicate_type="JKn",
            rscales=jk.rscale.to_numpy(),
        )
    for variable, measure, column in (
        ("rating", "mean", "rating"),
        ("nps_points", "nps", "recommend"),
    ):
        rest = compare_segments(
            sample, column, by="segment", measure=measure, weights=design, min_size=1
        ).set_index("segment")
        for _, r in ref[(ref.variable == variable) & (ref.b == "rest")].iterrows():
            row = rest.loc[r.a]
            assert row["test"] == "design t"
            assert _close(row["difference"], r.difference, 1e-8)
            assert _close(row["se"], r.se, SE_TOL)
            assert row["df"] == r.df
        a = sorted(sample.segment.unique())[0]
        pairs = compare_segments(
            sample, column, by="segment", measure=measure, weights=design, reference=a,
            min_size=1,
        ).set_index("segment")  # fmt: skip
        for _, r in ref[(ref.variable == variable) & (ref.a == a) & (ref.b != "rest")].iterrows():
            # R: a - b; csi: segment (b) - reference (a)
            assert _close(-pairs.loc[r.b, "difference"], r.difference, 1e-8)
            assert _close(pairs.loc[r.b, "se"], r.se, SE_TOL)


def test_weighted_comparisons_from_a_survey_and_switched_off():
    sample = pd.read_csv(REF / "sample.csv")
    book = {
        "id": "id",
        "weight": "w",
        "strata": "stratum",
        "cluster": "psu",
        "segments": ["segment"],
        "items": {"rating": {"min": 1, "max": 10}},
    }
    s = csi.read_survey(sample.drop(columns=["stratum_lonely"]), book, missing="keep")
    weighted = compare_segments(s, "rating", by="segment", min_size=1)
    plain = compare_segments(s, "rating", by="segment", min_size=1, weights=False)
    assert set(weighted["test"]) == {"design t"} and set(plain["test"]) == {"welch t"}
    # by hand: the weighted mean of the segment on 0-100
    seg = sample[sample.segment == "online"].dropna(subset=["rating"])
    by_hand = 100 * (np.average(seg.rating, weights=seg.w) - 1) / 9
    assert weighted.set_index("segment").loc["online", "value"] == pytest.approx(by_hand)
    with pytest.raises(csi.CsiInputError, match="paired comparison"):
        compare_periods(
            s.all_responses().assign(p=np.arange(len(sample)) % 2), "rating",
            period="p", current=1, previous=0, id="id", weights=s.all_responses()["w"],
        )  # fmt: skip
