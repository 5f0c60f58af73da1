"""A whole PLS fit of the ECSI model on mobi against the stored seminr reference.

Reference: ``tests/reference/seminr_ecsi/`` (made by ``make_reference.py`` there with
the seminr Python port, path weighting, weights converged to 1e-12; the 0-100 index
computed in that script from seminr's weights by the ACSI formula). Fitted to the
same convergence, csi's weights, loadings, paths, R², adjusted R², construct scores
(every respondent, indexed as the data) and index agree to 1e-12; the default fit
(stopped at tol 1e-7) to 1e-8 (the 0-100 index to 1e-6). This pins the numbers of the fast fit path
(:mod:`csi.pls.algorithm`, :mod:`csi.pls.fit_single`) to an independent program.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.pls import fit_pls
from csi.pls.result import PLSResult
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def seminr_ref(reference: Callable[..., Path]) -> dict[str, pd.DataFrame]:
    names = ("outer", "paths", "r2", "scores", "index")
    return {
        name: pd.read_csv(
            reference("seminr_ecsi", f"{name}.csv"),
            index_col=0 if name in ("scores", "index") else None,
        )
        for name in names
    }


def gaps(res: PLSResult, ref: dict[str, pd.DataFrame], mobi: pd.DataFrame) -> dict[str, float]:
    """Largest absolute difference per table."""
    outer = ref["outer"].merge(res.outer_weights, on=["construct", "indicator"])
    outer = outer.merge(
        res.loadings.rename(columns={"estimate": "csi_loading"}), on=["construct", "indicator"]
    )
    assert len(outer) == 24
    paths = ref["paths"].merge(
        res.path_coefficients, on=["source", "target"], suffixes=("_ref", "_csi")
    )
    assert len(paths) == len(ref["paths"]) == 12
    r2 = ref["r2"].merge(res.r2, on="construct", suffixes=("_ref", "_csi"))
    assert len(r2) == 6
    scores = res.scores
    assert scores.index.equals(mobi.index) and list(scores.columns) == list(ref["scores"].columns)
    index = res.index()
    return {
        "weights": float(np.abs(outer["weight"] - outer["estimate"]).max()),
        "loadings": float(np.abs(outer["loading"] - outer["csi_loading"]).max()),
        "paths": float(np.abs(paths["estimate_ref"] - paths["estimate_csi"]).max()),
        "r2": float(np.abs(r2["r2_ref"] - r2["r2_csi"]).max()),
        "r2_adj": float(np.abs(r2["r2_adj_ref"] - r2["r2_adj_csi"]).max()),
        "scores": float(np.abs(scores.to_numpy() - ref["scores"].to_numpy()).max()),
        "index": float(np.abs(index[ref["index"].index].to_numpy() - ref["index"]["index"]).max()),
    }


def test_converged_fit_equals_seminr_to_1e12(
    mobi: pd.DataFrame, ecsi: ModelSpec, seminr_ref: dict[str, pd.DataFrame]
) -> None:
    res = fit_pls(mobi, ecsi, tol=1e-12, sign="seminr", scale=(1, 10))
    assert res.converged
    for table, gap in gaps(res, seminr_ref, mobi).items():
        assert gap < 1e-12, (table, gap)


def test_default_fit_is_within_its_stopping_tolerance_of_seminr(
    mobi: pd.DataFrame, ecsi: ModelSpec, seminr_ref: dict[str, pd.DataFrame]
) -> None:
    res = fit_pls(mobi, ecsi, scale=(1, 10))  # tol 1e-7, the default sign rule
    found = gaps(res, seminr_ref, mobi)
    for table, gap in found.items():
        assert gap < (1e-6 if table == "index" else 1e-8), (table, gap)  # index: 0-100
    assert max(found.values()) > 1e-13  # it did stop earlier than the reference
