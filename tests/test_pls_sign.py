"""fit_pls(sign=...): the orientation rule of each construct, in the fit and the bootstrap.

The case where the rules differ: construct A has one strong item (a1, loading 0.9)
and two weaker reverse-coded ones (a2, a3, loadings -0.35). "Most loadings positive"
orients A with a2 and a3 (a1 negative); seminr applies no rule and keeps the
orientation of its unit-weight start (the item sum, which follows a1 because
0.9 - 0.35 - 0.35 > 0); an anchor on a1 gives that orientation on purpose.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.pls import fit_pls
from csi.pls.bootstrap import resample_indices
from csi.spec import ModelSpec

SPEC = ModelSpec.from_lavaan("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A")


@pytest.fixture(scope="module")
def reversed_block() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 300
    eta = rng.standard_normal(n)
    zeta = 0.5 * eta + np.sqrt(0.75) * rng.standard_normal(n)

    def item(f: np.ndarray, lam: float) -> np.ndarray:
        return lam * f + np.sqrt(1 - lam**2) * rng.standard_normal(n)

    return pd.DataFrame(
        {
            "a1": item(eta, 0.9),
            "a2": item(eta, -0.35),
            "a3": item(eta, -0.35),
            "b1": item(zeta, 0.8),
            "b2": item(zeta, 0.7),
            "b3": item(zeta, 0.75),
        }
    )


def _seminr_fit(seminr, data: pd.DataFrame):
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in SPEC.indicators.items()])
    sm = seminr.relationships(seminr.paths(from_=["A"], to=["B"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(data, mm, sm)


def test_rules_differ_and_seminr_agrees_with_sign_seminr(reversed_block: pd.DataFrame) -> None:
    seminr = pytest.importorskip("seminr")
    ref = _seminr_fit(seminr, reversed_block)
    W = pd.DataFrame(ref.outer_weights.values, ref.outer_weights.rows, ref.outer_weights.cols)
    L = pd.DataFrame(ref.outer_loadings.values, ref.outer_loadings.rows, ref.outer_loadings.cols)
    P = pd.DataFrame(ref.path_coef.values, ref.path_coef.rows, ref.path_coef.cols)
    default = fit_pls(reversed_block, SPEC)
    mine = fit_pls(reversed_block, SPEC, sign="seminr")
    anchored = fit_pls(reversed_block, SPEC, sign={"A": "a1"})
    for res in (mine, anchored):
        for c, i, est in res.outer_weights.itertuples(index=False):
            assert est == pytest.approx(W.loc[i, c], abs=1e-6)
        for c, i, est in res.loadings.itertuples(index=False):
            assert est == pytest.approx(L.loc[i, c], abs=1e-6)
        assert res.path_coefficients["estimate"].iloc[0] == pytest.approx(P.loc["A", "B"], abs=1e-6)
    # the default rule orients A the other way: a2, a3 positive, a1 and the path negative
    load = default.loadings.set_index("indicator")["estimate"]
    assert load["a1"] < 0 < min(load["a2"], load["a3"])
    assert default.path_coefficients["estimate"].iloc[0] == pytest.approx(
        -P.loc["A", "B"], abs=1e-6
    )
    np.testing.assert_allclose(default.r2["r2"], mine.r2["r2"], atol=1e-12)
    np.testing.assert_allclose(
        default.outer_weights["estimate"].to_numpy()[:3],
        -mine.outer_weights["estimate"].to_numpy()[:3],
        atol=1e-10,
    )


def test_bootstrap_with_sign_seminr_equals_seminr(reversed_block: pd.DataFrame) -> None:
    """seminr corrects no signs in its bootstrap either: same resamples, same SDs; here
    A's orientation flips between resamples, so the path SD is inflated (0.34 vs 0.05)."""
    seminr = pytest.importorskip("seminr")
    ref = seminr.bootstrap_model(
        _seminr_fit(seminr, reversed_block), 100, indices=resample_indices(300, 100, 3)
    )
    desc = pd.DataFrame(
        ref.paths_descriptives.values, ref.paths_descriptives.rows, ref.paths_descriptives.cols
    )
    boot = fit_pls(reversed_block, SPEC, sign="seminr").bootstrap(100, seed=3, progress=False)
    assert boot.sign_flips.sum() == 0
    path = boot.select("path").iloc[0]
    assert path["se"] == pytest.approx(desc.loc["A", "B Boot SD"], rel=1e-6)
    assert path["se"] > 0.3
    # the default rule and an anchor both keep A's orientation fixed across resamples
    for sign in ("loadings", {"A": "a1"}):
        steady = fit_pls(reversed_block, SPEC, sign=sign).bootstrap(100, seed=3, progress=False)
        assert steady.select("path")["se"].iloc[0] < 0.08


def test_anchor_bootstrap_equals_separate_fits(reversed_block: pd.DataFrame) -> None:
    res = fit_pls(reversed_block, SPEC, sign={"A": "a1"})
    boot = res.bootstrap(20, seed=5, keep_draws=True, progress=False)
    assert boot.sign_flips["A"] == 0
    idx = resample_indices(300, 20, 5)
    assert boot.draws is not None
    paths = boot.draws.loc[:, boot.table["kind"].to_numpy() == "path"].to_numpy()[:, 0]
    for k in range(5):
        one = fit_pls(reversed_block.iloc[idx[k]], SPEC, sign={"A": "a1"})
        assert paths[k] == pytest.approx(one.path_coefficients["estimate"].iloc[0], abs=1e-5)
        assert one.loadings.set_index("indicator")["estimate"]["a1"] > 0


def test_default_is_unchanged_and_sign_is_stored(reversed_block: pd.DataFrame) -> None:
    a = fit_pls(reversed_block, SPEC)
    b = fit_pls(reversed_block, SPEC, sign="loadings")
    pd.testing.assert_frame_equal(a.outer_weights, b.outer_weights)
    anchors = {"A": "a2"}
    res = fit_pls(reversed_block, SPEC, sign=anchors)
    assert res.sign == anchors and res.sign is not anchors  # the result's own copy
    assert res.loadings.set_index("indicator")["estimate"]["a2"] > 0


def test_sign_errors_name_the_problem(reversed_block: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="'Z' is not a construct"):
        fit_pls(reversed_block, SPEC, sign={"Z": "a1"})
    with pytest.raises(ValueError, match=r"anchor 'b1' of construct 'A' is not one of its items"):
        fit_pls(reversed_block, SPEC, sign={"A": "b1"})
    with pytest.raises(ValueError, match="sign must be one of"):
        fit_pls(reversed_block, SPEC, sign="smartpls")
    with pytest.raises(ValueError, match="sign must be one of"):
        fit_pls(reversed_block, SPEC, sign=1)
