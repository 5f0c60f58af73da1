"""Design-based PLS bootstrap: Rao-Wu rescaling draws and replicate weights.

Expected values are computed here by hand: the Rao-Wu multipliers from their
definition, the replicate-weight SE from separate weighted fits of every replicate
(``sqrt(scale Σ rscale_r (θ_r - c)²)``), and the variance of a weighted total under
Rao-Wu against the Taylor variance of :mod:`csi.metrics.design`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csi
from csi._checks import CsiInputError
from csi.datasets.design_sim import simulate_design_population
from csi.metrics.design import Design, weighted_total
from csi.pls import fit_pls, resample_indices
from csi.pls.batched import bootstrap_counts
from csi.pls.bootstrap import evaluate, make_engine, make_plan, segment_context
from csi.pls.design_bootstrap import RaoWu, rao_wu_factors
from csi.pls.statistics import builtin_statistics

COLUMNS = {"strata": "stratum", "cluster": "cluster"}


@pytest.fixture(scope="module")
def population():
    return simulate_design_population(0)


@pytest.fixture(scope="module")
def sample(population) -> pd.DataFrame:
    return population.sample(n_psu=6, per_psu=5, seed=4)


@pytest.fixture(scope="module")
def wfit(population, sample):
    return fit_pls(sample, population.model, weights="w", scale=population.scale)


# ------------------------------------------------------------------ Rao-Wu draws
def test_rao_wu_draws_n_h_minus_1_psus_per_stratum() -> None:
    strata = np.repeat(["a", "b", "c"], [12, 6, 20])
    clusters = np.concatenate([np.arange(12) // 3, np.arange(6) // 2, np.arange(20) // 4])
    rw = RaoWu.from_codes(strata, clusters, n=strata.size)
    n_h = np.bincount(rw.psu_stratum)
    assert n_h.tolist() == [4, 3, 5] and rw.df == 12 - 3
    counts = rw.draw(np.random.default_rng(1), 500)
    for h in range(3):
        per = counts[:, rw.psu_stratum == h].sum(axis=1)
        assert (per == n_h[h] - 1).all()
    # multiplier of a row = n_h/(n_h-1) x draws of its PSU; rows of a PSU share it
    factors = rw.row_factors(counts)
    h_row = rw.psu_stratum[rw.row_psu]
    expected = n_h[h_row] / (n_h[h_row] - 1.0) * counts[:, rw.row_psu]
    np.testing.assert_array_equal(factors, expected)
    # E*(w*) = w: the multipliers average 1
    np.testing.assert_allclose(factors.mean(axis=0), 1.0, atol=0.1)
    # the public helper gives the same stream for the same seed
    np.testing.assert_array_equal(rao_wu_factors(strata, clusters, 500, seed=1), factors)


def test_rao_wu_variance_of_a_total_is_the_taylor_variance() -> None:
    """Var*(Σ w* y) = Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)² exactly in expectation."""
    rng = np.random.default_rng(3)
    strata = np.repeat(["x", "y"], [40, 30])
    clusters = np.concatenate([np.arange(40) // 5, np.arange(30) // 6])
    w = rng.uniform(1, 4, size=70)
    y = rng.normal(size=70) + (strata == "x")
    factors = rao_wu_factors(strata, clusters, 40_000, seed=2)
    boot_var = np.var(factors @ (w * y), ddof=1)
    taylor = weighted_total(Design(weights=w, strata=strata, clusters=clusters), y).se ** 2
    assert boot_var == pytest.approx(taylor, rel=0.03)


def test_single_psu_stratum_names_the_stratum_or_is_kept_fixed() -> None:
    strata = np.array(["a"] * 4 + ["lonely"] * 3)
    clusters = np.array([1, 1, 2, 2, 9, 9, 9])
    with pytest.raises(CsiInputError, match="stratum 'lonely' has a single PSU"):
        RaoWu.from_codes(strata, clusters, n=7)
    with pytest.raises(CsiInputError, match="lonely_psu='adjust' is not available"):
        RaoWu.from_codes(strata, clusters, n=7, lonely_psu="adjust")
    rw = RaoWu.from_codes(strata, clusters, n=7, lonely_psu="certainty")
    factors = rw.row_factors(rw.draw(np.random.default_rng(0), 50))
    assert (factors[:, 4:] == 1.0).all()  # the lone PSU: its own weight in every resample
    assert set(np.unique(factors[:, :4])) <= {0.0, 2.0}  # n_h/(n_h-1) = 2, one draw


def test_single_psu_stratum_in_the_bootstrap(population, wfit, sample) -> None:
    lonely = sample.assign(
        stratum=np.where(sample["cluster"] == sample["cluster"].iloc[0], "solo", sample["stratum"])
    )
    res = fit_pls(lonely, population.model, weights="w", scale=population.scale)
    with pytest.raises(CsiInputError, match="stratum 'solo' has a single PSU"):
        res.bootstrap(10, seed=1, design=COLUMNS)
    fixed = res.bootstrap(20, seed=1, design={**COLUMNS, "lonely_psu": "certainty"})
    assert fixed.resampling == "rao-wu" and fixed.df == 24 - 5


# ------------------------------------------------------------------ the bootstrap
def test_design_bootstrap_uses_the_rao_wu_weights(population, wfit, sample) -> None:
    boot = wfit.bootstrap(30, seed=5, design=COLUMNS, keep_draws=True)
    assert boot.resampling == "rao-wu" and boot.df == 24 - 4
    assert "Rao-Wu rescaling bootstrap" in boot.summary()
    assert "naive" not in boot.summary()
    # by hand: resample r is the weighted fit with weights w x multipliers_r
    factors = rao_wu_factors(sample["stratum"], sample["cluster"], 30, seed=5)
    draws = boot.draws
    assert draws is not None
    paths = boot.table["kind"].to_numpy() == "path"
    index = (boot.table["kind"] == "index").to_numpy()
    for r in (0, 17):
        fr = fit_pls(
            sample,
            population.model,
            weights=sample["w"] * factors[r],
            scale=population.scale,
            tol=1e-10,
        )
        assert draws.iloc[r, np.flatnonzero(paths)[0]] == pytest.approx(
            fr.path_coefficients["estimate"].iloc[0], abs=1e-5
        )
        got = draws.loc[r, np.flatnonzero(index)].to_numpy()
        np.testing.assert_allclose(got, fr.index().to_numpy(), atol=1e-3)
    # p-values on PSUs - strata degrees of freedom
    row = boot.table[paths].iloc[0]
    assert row["pvalue"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), 20))


def test_same_seed_same_design_result_for_any_workers_and_batches(wfit) -> None:
    a = wfit.bootstrap(50, seed=11, design=COLUMNS)
    b = wfit.bootstrap(50, seed=11, design=COLUMNS, workers=2, batch_size=7)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_bca_with_a_design_leaves_out_one_psu_at_a_time(wfit) -> None:
    boot = wfit.bootstrap(40, seed=2, design=COLUMNS, ci="bca")
    assert (boot.table["interval"] == "bca").all() and boot.acceleration is not None
    assert np.isfinite(boot.table["ci_lower"]).all()


def test_no_design_keeps_the_draws_of_before(population, sample) -> None:
    """Unweighted, and weighted without a design: respondents resampled, same stream."""
    plain = fit_pls(sample, population.model, scale=population.scale)
    for res in (plain, fit_pls(sample, population.model, weights="w", scale=population.scale)):
        boot = res.bootstrap(25, seed=3, keep_draws=True)
        assert boot.resampling == "respondents" and boot.design is None
        assert boot.df == len(sample) - 1
        pd.testing.assert_frame_equal(boot.table, res.bootstrap(25, seed=3, design=False).table)
        engine = make_engine(res)
        ctx = segment_context(res, engine, None, None)
        stats_ = builtin_statistics(ctx)
        plan = make_plan(engine, ctx, stats_)
        idx = resample_indices(len(sample), 25, 3)
        values = evaluate(engine.fit(bootstrap_counts(idx, len(sample))), ctx, stats_)
        assert boot.draws is not None
        np.testing.assert_allclose(boot.draws.to_numpy(), values, atol=1e-5)
        assert plan.estimate.size == values.shape[1]
    assert "design" not in plain.bootstrap(5, seed=1).summary()


# ------------------------------------------------------------- replicate weights
def _jk1(sample: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Delete-one-PSU JK1 replicate weights (one stratum): w_r = w n/(n-1), 0 in PSU r."""
    psus = sorted(sample["cluster"].unique())
    n = len(psus)
    out = sample.copy()
    names = []
    for r, k in enumerate(psus):
        out[f"rw{r}"] = np.where(sample["cluster"] == k, 0.0, sample["w"] * n / (n - 1))
        names.append(f"rw{r}")
    return out, names


@pytest.mark.parametrize("mse", [False, True])
def test_replicate_weight_se_by_hand(population, sample, mse: bool) -> None:
    data, names = _jk1(sample)
    res = fit_pls(data, population.model, weights="w", scale=population.scale, tol=1e-10)
    boot = res.bootstrap(
        999, design={"replicate_weights": names, "replicate_type": "JK1", "mse": mse}
    )
    R = len(names)
    assert boot.resampling == "replicates" and boot.n_resamples == R
    theta = []
    for c in names:
        fr = fit_pls(data, population.model, weights=c, scale=population.scale, tol=1e-10)
        theta.append([fr.path_coefficients["estimate"].iloc[0], fr.index()["Satisfaction"]])
    th = np.array(theta)
    est = np.array([res.path_coefficients["estimate"].iloc[0], res.index()["Satisfaction"]])
    centre = est if mse else th.mean(axis=0)
    se = np.sqrt((R - 1) / R * ((th - centre) ** 2).sum(axis=0))
    tab = boot.table
    path = tab[tab["kind"] == "path"].iloc[0]
    idx = tab[(tab["kind"] == "index") & (tab["construct"] == "Satisfaction")].iloc[0]
    assert path["se"] == pytest.approx(se[0], rel=1e-4)
    assert idx["se"] == pytest.approx(se[1], rel=1e-4)
    df = R - 1  # rank of the replicate weights - 1
    assert boot.df == df
    q = stats.t.ppf(0.975, df)
    assert idx["ci_lower"] == pytest.approx(idx["estimate"] - q * idx["se"])
    assert (tab["interval"] == "t").all()
    assert "replicate weights (JK1, 24 replicates" in boot.summary()
    with pytest.raises(CsiInputError, match="replicate weights the intervals"):
        res.bootstrap(10, design={"replicate_weights": names, "replicate_type": "JK1"}, ci="bca")


def test_replicate_weights_from_a_survey_codebook(population, sample) -> None:
    data, names = _jk1(sample)
    book = {
        "weight": "w",
        "strata": "stratum",
        "cluster": "cluster",
        "replicate_weights": names,
        "replicate_type": "JK1",
        "scale": {"min": 1, "max": 10},
        "constructs": {"Quality": {}, "Satisfaction": {}},
        "items": {
            i: {"construct": "Quality" if i[0] == "q" else "Satisfaction"}
            for i in ["q1", "q2", "q3", "s1", "s2", "s3"]
        },
    }
    survey = csi.read_survey(data, book)
    res = fit_pls(survey, population.model)
    assert res.design_roles is not None and res.design_roles["replicate_type"] == "JK1"
    boot = res.bootstrap(10, seed=1)
    assert boot.resampling == "replicates" and boot.n_resamples == len(names)
    design = Design.from_survey(survey)
    by_design = res.bootstrap(10, seed=1, design=design)
    pd.testing.assert_frame_equal(boot.table, by_design.table)
    # other weights: the codebook's strata and clusters only (Rao-Wu)
    other = fit_pls(survey, population.model, weights=data["w"].to_numpy() * 2)
    assert other.bootstrap(10, seed=1).resampling == "rao-wu"
    # unweighted: no design, respondents resampled as before
    unw = fit_pls(survey, population.model, weights=False)
    assert unw.design_roles is None and unw.bootstrap(10, seed=1).resampling == "respondents"


def test_survey_strata_and_clusters_are_the_default(population, sample, wfit) -> None:
    book = {
        "weight": "w",
        "strata": "stratum",
        "cluster": "cluster",
        "scale": {"min": 1, "max": 10},
        "constructs": {"Quality": {}, "Satisfaction": {}},
        "items": {
            i: {"construct": "Quality" if i[0] == "q" else "Satisfaction"}
            for i in ["q1", "q2", "q3", "s1", "s2", "s3"]
        },
    }
    res = fit_pls(csi.read_survey(sample, book), population.model)
    boot = res.bootstrap(30, seed=8)
    assert boot.resampling == "rao-wu"
    assert "design-based (sampling weights): Rao-Wu" in boot.summary()
    assert "基于抽样设计" in boot.summary(lang="zh")
    pd.testing.assert_frame_equal(boot.table, wfit.bootstrap(30, seed=8, design=COLUMNS).table)
    naive = res.bootstrap(30, seed=8, design=False)
    assert "naive weighted bootstrap" in naive.summary()


def test_design_errors(population, sample, wfit) -> None:
    with pytest.raises(CsiInputError, match="design=True needs a design"):
        wfit.bootstrap(5, design=True)
    with pytest.raises(CsiInputError, match=r"unknown key\(s\) \['psu'\]"):
        wfit.bootstrap(5, design={"psu": "cluster"})
    with pytest.raises(CsiInputError, match="cluster column 'nope' not found"):
        wfit.bootstrap(5, design={"cluster": "nope"})
    other = Design(weights=np.ones(len(sample)), strata=sample["stratum"].to_numpy())
    with pytest.raises(CsiInputError, match="design's weights are not those of the fit"):
        wfit.bootstrap(5, design=other)
    with pytest.raises(CsiInputError, match="names no strata, clusters or replicate"):
        wfit.bootstrap(5, design={})
    scaled = Design(weights=sample["w"].to_numpy() * 3, clusters=sample["cluster"].to_numpy())
    assert wfit.bootstrap(5, seed=1, design=scaled).resampling == "rao-wu"
    before = sample.copy()
    wfit.bootstrap(5, seed=1, design=COLUMNS)
    pd.testing.assert_frame_equal(sample, before)  # the caller's data is untouched


def test_intervals_of_kept_replicate_draws(population, sample) -> None:
    data, names = _jk1(sample)
    res = fit_pls(data, population.model, weights="w", scale=population.scale)
    boot = res.bootstrap(
        5, design={"replicate_weights": names, "replicate_type": "JK1"}, keep_draws=True
    )
    ninety = boot.intervals(level=0.9)
    q = stats.t.ppf(0.95, boot.df)
    np.testing.assert_allclose(ninety["ci_upper"], boot.table["estimate"] + q * boot.table["se"])
