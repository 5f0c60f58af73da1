"""Invariants of the quality statistics (hypothesis), and PLSc reliability vs seminr."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.pls import fit_pls
from csi.quality import cronbach_alpha, htmt, outer_vif
from csi.quality.reliability import alpha_from_matrix
from csi.spec import ModelSpec

SPEC = ModelSpec.from_lavaan("A =~ a1 + a2 + a3\nB =~ b1 + b2\nC =~ c1\nB ~ A\nC ~ B")


def _corr(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(80, 3))
    X = f[:, [0, 0, 0, 1, 1, 2]] + rng.normal(size=(80, 6)) * rng.uniform(0.3, 2, size=6)
    return np.corrcoef(X, rowvar=False)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.permutations([0, 1, 2]), st.sampled_from([0, 3, 5]))
def test_htmt_invariants(seed: int, perm: list[int], flip: int) -> None:
    R = _corr(seed)
    H = htmt(R, SPEC)
    assert np.allclose(H, H.T, equal_nan=True) and (H[~np.isnan(H)] >= 0).all()
    # reordering the items within a construct changes nothing
    order = [*perm, 3, 4, 5]
    Rp = R[np.ix_(order, order)]
    spec_p = ModelSpec.from_lavaan(
        "A =~ " + " + ".join(["a1", "a2", "a3"][i] for i in perm) + "\nB =~ b1 + b2\nC =~ c1"
    )
    np.testing.assert_allclose(htmt(Rp, spec_p), H, atol=1e-12)
    # reverse-coding an item leaves the absolute-value HTMT (and HTMT2) unchanged
    D = np.ones(6)
    D[flip] = -1
    np.testing.assert_allclose(htmt(R * np.outer(D, D), SPEC), H, atol=1e-12)
    np.testing.assert_allclose(
        htmt(R * np.outer(D, D), SPEC, kind="htmt2"), htmt(R, SPEC, kind="htmt2"), atol=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.floats(0.1, 10), min_size=6, max_size=6))
def test_alpha_and_vif_invariants(seed: int, scales: list[float]) -> None:
    R = _corr(seed)
    alpha = cronbach_alpha(R, SPEC)
    assert (alpha <= 1 + 1e-12).all() and alpha[2] == 1.0
    # alpha on a covariance matrix is the raw alpha; with equal item variances it equals
    # the standardized alpha, whatever the common scale
    s = scales[0]
    assert alpha_from_matrix(R[:3, :3] * s**2) == pytest.approx(alpha[0], abs=1e-12)
    vif = outer_vif(R, SPEC)["vif"].to_numpy()
    assert (vif >= 1 - 1e-12).all()
    # VIFs depend on correlations only: rescaled items give the same
    d = np.array(scales)
    cov = R * np.outer(d, d)
    corr_back = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    np.testing.assert_allclose(outer_vif(corr_back, SPEC)["vif"], vif, atol=1e-9)


def test_plsc_reliability_matches_seminr(reference, seminr_structure) -> None:
    """PLSc: rho_C and AVE from the consistent loadings, as seminr reports them."""
    seminr = pytest.importorskip("seminr")
    from seminr.evaluate import reliability_table

    mobi = pd.read_csv(reference("mobi.csv"), index_col=0)
    ecsi = ModelSpec.from_tables(
        reference("ecsi_measurement.csv"), reference("ecsi_structural.csv")
    )
    specs = [
        seminr.reflective(c, list(i)) if len(i) > 1 else seminr.composite(c, list(i))
        for c, i in ecsi.indicators.items()
    ]
    rel = seminr_structure(ecsi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(mobi, seminr.constructs(*specs), rel)
        ours = fit_pls(mobi, ecsi, consistent=True).quality().reliability.set_index("construct")
    table = reliability_table(ref)
    R = pd.DataFrame(table.values, index=list(table.rows), columns=list(table.cols))
    for col, name in (("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"), ("ave", "AVE")):
        np.testing.assert_allclose(ours.loc[R.index, col], R[name], atol=1e-6)
