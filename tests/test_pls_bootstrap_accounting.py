"""Honest bootstrap accounting: failed resamples are counted by reason, warned about, and
left out of every statistic alike (PLSc at n = 30, where rho_A <= 0 happens)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.datasets import simulate_csi
from csi.pls import BootstrapFailureWarning, PLSResult, ResampleStatistic, fit_pls
from csi.pls.batched import REASONS
from csi.pls.bootstrap import resample_indices
from csi.spec import ModelSpec


def _plsc_fit(seed: int) -> PLSResult:
    sim = simulate_csi(30, seed=seed)
    spec = ModelSpec.acsi(indicators=sim.roles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small sample, inadmissible full-sample PLSc
        return fit_pls(sim.data, spec, consistent=True)


@pytest.fixture(scope="module")
def small_plsc() -> PLSResult:
    """seed 7: 27 of 500 resamples (seed 1) have a construct with rho_A <= 0."""
    return _plsc_fit(7)


def _draws_per_kind(boot) -> pd.Series:
    draws = boot.draws
    kinds = boot.table["kind"].to_numpy()
    finite = np.isfinite(draws.to_numpy())
    return pd.Series(
        {k: int(finite[:, kinds == k].all(axis=1).sum()) for k in dict.fromkeys(kinds)}
    )


def test_non_positive_rho_a_resamples_are_failures(small_plsc: PLSResult) -> None:
    with pytest.warns(BootstrapFailureWarning, match=r"27 of 500 .*non-positive rho_A: 27"):
        boot = small_plsc.bootstrap(500, seed=1, keep_draws=True, progress=False)
    assert boot.n_failed == 27 and boot.n_valid == 473
    counts = boot.failure_counts
    assert list(counts.index) == list(REASONS[1:])
    assert counts["non-positive rho_A"] == 27 and counts.sum() == 27
    assert boot.failures["detail"].str.contains("rho_A = ").all()
    # every statistic rests on the same 473 draws (before: paths 473, weights/HTMT 500)
    per_kind = _draws_per_kind(boot)
    assert {"path", "outer_weight", "loading", "r2", "htmt"} <= set(per_kind.index)
    assert (per_kind == 473).all(), per_kind.to_dict()
    failed = boot.failures["resample"].to_numpy()
    assert boot.draws.iloc[failed].isna().all(axis=None)
    # kept inadmissible solutions (rho_A > 1 or |r| > 1) are counted, not failed
    assert boot.n_inadmissible == 391
    assert "non-positive rho_A 27" in boot.summary()


def test_failed_resamples_match_separate_fits(small_plsc: PLSResult) -> None:
    """A failed resample refitted on its own has rho_A <= 0; a kept one has none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BootstrapFailureWarning)
        boot = small_plsc.bootstrap(500, seed=1, progress=False)
    idx = resample_indices(30, 500, 1)
    data = small_plsc.source_data
    assert data is not None
    failed = boot.failures["resample"].to_numpy()
    kept = np.setdiff1d(np.arange(500), failed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in failed[:3]:
            res = fit_pls(
                data.iloc[idx[k]].reset_index(drop=True), small_plsc.spec, consistent=True
            )
            assert res.rho_a.min() <= 0
        for k in kept[:3]:
            res = fit_pls(
                data.iloc[idx[k]].reset_index(drop=True), small_plsc.spec, consistent=True
            )
            assert res.rho_a.min() > 0


def test_inadmissible_drop_makes_them_failures() -> None:
    """seed 13: the full-sample PLSc solution is admissible; 7 of 200 resamples are not."""
    res = _plsc_fit(13)
    keep = res.bootstrap(200, seed=1, keep_draws=True, progress=False)
    assert keep.n_failed == 0 and keep.n_inadmissible == 7
    with pytest.warns(BootstrapFailureWarning, match="inadmissible: 7"):
        drop = res.bootstrap(200, seed=1, keep_draws=True, inadmissible="drop", progress=False)
    assert drop.failure_counts["inadmissible"] == 7 and drop.n_failed == 7
    assert drop.n_inadmissible == 0
    assert drop.failures["detail"].str.contains("PLSc").all()
    assert (_draws_per_kind(drop) == 193).all()


def test_drop_with_an_inadmissible_full_sample_is_refused(small_plsc: PLSResult) -> None:
    with pytest.raises(ValueError, match="inadmissible='keep'"):
        small_plsc.bootstrap(20, seed=1, inadmissible="drop", progress=False)
    with pytest.raises(ValueError, match="inadmissible"):
        small_plsc.bootstrap(20, seed=1, inadmissible="sometimes", progress=False)


def test_a_non_finite_extra_statistic_fails_the_whole_resample() -> None:
    """A statistic NaN when respondent 0 is not drawn: those resamples fail for every row."""
    sim = simulate_csi(60, seed=2)
    spec = ModelSpec.acsi(indicators=sim.roles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_pls(sim.data, spec)
    extra = ResampleStatistic(
        kind="first_drawn",
        labels=lambda ctx: [{"construct": "row 0"}],
        compute=lambda fit, ctx: np.where(fit.counts[:, 0] > 0, 1.0, np.nan)[:, None],
        test_zero=False,
    )
    with pytest.warns(BootstrapFailureWarning, match="non-finite statistic"):
        boot = res.bootstrap(200, seed=4, statistics=[extra], keep_draws=True, progress=False)
    absent = np.flatnonzero(~(resample_indices(60, 200, 4) == 0).any(axis=1))
    assert absent.size > 0
    np.testing.assert_array_equal(boot.failures["resample"], absent)
    assert (boot.failures["reason"] == "non-finite statistic").all()
    assert boot.failures["detail"].str.contains("first_drawn").all()
    assert (_draws_per_kind(boot) == 200 - absent.size).all()


def test_statistics_nan_in_the_full_sample_are_not_checked() -> None:
    sim = simulate_csi(60, seed=2)
    spec = ModelSpec.acsi(indicators=sim.roles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_pls(sim.data, spec)
    always_nan = ResampleStatistic(
        kind="undefined",
        labels=lambda ctx: [{"construct": "x"}],
        compute=lambda fit, ctx: np.full((fit.paths.shape[0], 1), np.nan),
        test_zero=False,
    )
    boot = res.bootstrap(50, seed=4, statistics=[always_nan], progress=False)
    assert boot.n_failed == 0
