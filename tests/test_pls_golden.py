"""Golden tests: csi's PLS on the ECSI mobile-phone data against SmartPLS 2.0.

Reference: tests/reference/smartpls_ecsi/{centroid,factorial,path}/ (SmartPLS
2.0.M3, all constructs Mode A, standardised indicators, stop criterion 1e-7,
initial weights 1). The issue asks for agreement within 1e-5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.pls import fit_pls
from csi.spec import ModelSpec

TOL = 1e-5
SCHEMES = ["centroid", "factorial", "path"]


def _reference(reference, scheme: str, name: str) -> pd.DataFrame:
    return pd.read_csv(reference("smartpls_ecsi", scheme, f"{name}.csv"))


def _max_diff(ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str]) -> float:
    merged = ref.merge(ours, on=keys, how="left", validate="one_to_one")
    assert merged["estimate"].notna().all(), merged[merged["estimate"].isna()]
    return float(np.abs(merged["estimate"] - merged["value"]).max())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_paths_weights_effects_loadings_match_smartpls(
    mobi: pd.DataFrame, ecsi: ModelSpec, reference, scheme: str
) -> None:
    res = fit_pls(mobi, ecsi, scheme=scheme)
    assert res.converged

    ref_paths = _reference(reference, scheme, "path_coefficients")
    assert len(res.path_coefficients) == len(ref_paths) == 12
    assert _max_diff(res.path_coefficients, ref_paths, ["source", "target"]) < TOL

    ref_w = _reference(reference, scheme, "outer_weights")
    assert len(res.outer_weights) == len(ref_w) == 24
    assert _max_diff(res.outer_weights, ref_w, ["construct", "indicator"]) < TOL

    ref_total = _reference(reference, scheme, "total_effects")
    # SmartPLS lists every pair joined by a route; so do we
    assert len(res.total_effects) == len(ref_total)
    assert _max_diff(res.total_effects, ref_total, ["source", "target"]) < TOL

    ref_cross = _reference(reference, scheme, "cross_loadings")
    own = ref_cross.merge(res.loadings[["construct", "indicator"]], on=["construct", "indicator"])
    assert len(own) == 24
    assert _max_diff(res.loadings, own, ["construct", "indicator"]) < TOL

    # every cross-loading too
    cross = res.cross_loadings.stack().rename("estimate").reset_index()
    assert _max_diff(cross, ref_cross, ["indicator", "construct"]) < TOL


def test_smartpls_schemes_differ(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    """The three schemes give different weights, so the golden tests do test the scheme."""
    w = {s: fit_pls(mobi, ecsi, scheme=s).outer_weights["estimate"].to_numpy() for s in SCHEMES}
    assert np.abs(w["centroid"] - w["path"]).max() > 1e-3
    assert np.abs(w["centroid"] - w["factorial"]).max() > 1e-4


def test_satisfaction_index_centroid(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    """mobi's Satisfaction index with centroid-scheme weights on the 1-10 scale is 72.54."""
    res = fit_pls(mobi, ecsi, scheme="centroid", scale=(1, 10))
    assert round(res.index()["Satisfaction"], 2) == 72.54


def test_index_unchanged_when_items_recoded_to_0_100(mobi: pd.DataFrame, ecsi: ModelSpec) -> None:
    res = fit_pls(mobi, ecsi, scheme="centroid", scale=(1, 10))
    recoded = (mobi - 1) / 9 * 100
    res100 = fit_pls(recoded, ecsi, scheme="centroid", scale=(0, 100))
    np.testing.assert_allclose(res100.index(), res.index(), atol=1e-9)
    assert round(res100.index()["Satisfaction"], 2) == 72.54


def test_index_by_hand_for_satisfaction(mobi: pd.DataFrame, ecsi: ModelSpec, reference) -> None:
    """The index formula applied by hand (pandas) to SmartPLS's centroid weights."""
    ref_w = _reference(reference, "centroid", "outer_weights")
    w = ref_w[ref_w["construct"] == "Satisfaction"].set_index("indicator")["value"]
    sd = mobi[w.index].std()
    u = (w / sd) / (w / sd).sum()
    by_hand = float((u * (mobi[w.index].mean() - 1) / 9 * 100).sum())
    res = fit_pls(mobi, ecsi, scheme="centroid")
    assert res.index(scale=(1, 10))["Satisfaction"] == pytest.approx(by_hand, abs=1e-6)
