"""The one assembly path of CB-SEM results (csi.sem.assemble)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi import diagnostics as dg
from csi import fit_sem
from csi.sem.assemble import FitRun, GroupPieces, assemble_result, with_entries

ITEMS = ["a", "b"]


def _piece(label: object, shift: float) -> GroupPieces:
    est = pd.DataFrame({"lhs": ["F"], "op": ["=~"], "rhs": ["a"], "estimate": [1.0 + shift]})
    eff = pd.DataFrame({"from": ["F"], "to": ["G"], "total": [0.5 + shift]})
    mat = pd.DataFrame(np.eye(2) + shift, index=ITEMS, columns=ITEMS)
    return GroupPieces(label, est, eff, pd.Series({"a": 0.3 + shift}), mat, mat - 1.0)


def _assemble(pieces: list[GroupPieces], run: FitRun, **kw: object):
    return assemble_result(
        pieces,
        run,
        fit=pd.Series({"chisq": 1.5}, name="value"),
        vcov=np.eye(1),
        names=["F=~a"],
        diagnostics=kw.pop("diagnostics", []),  # type: ignore[arg-type]
        n=10,
        estimator="ML",
        multigroup=len(pieces) > 1,
    )


def test_single_group_shapes():
    res = _assemble([_piece(None, 0.0)], FitRun(True, 3, 0, "en"))
    assert "group" not in res.estimates.columns
    assert isinstance(res.r2, pd.Series) and res.r2["a"] == 0.3
    assert isinstance(res.implied_cov, pd.DataFrame)
    assert res.groups is None
    assert res.diagnostics == []
    assert list(res.vcov.index) == ["F=~a"]
    assert (res.converged, res.iterations, res.n_excluded, res.n) == (True, 3, 0, 10)


def test_multi_group_shapes_keep_group_order():
    res = _assemble([_piece("y", 0.0), _piece("x", 1.0)], FitRun(True, 3, 0, "en"))
    assert list(res.estimates["group"]) == ["y", "x"]
    assert list(res.estimates["estimate"]) == [1.0, 2.0]
    assert list(res.effects["group"]) == ["y", "x"]
    assert list(res.r2.columns) == ["y", "x"] and res.r2.loc["a", "x"] == 1.3
    assert res.groups == ("y", "x")
    assert res.implied_cov["x"].iloc[0, 0] == 2.0


def test_diagnostics_order_and_no_duplicates():
    own = dg.not_identified("F=~a", lang="en")
    res = _assemble([_piece(None, 0.0)], FitRun(False, 7, 4, "en"), diagnostics=[*own, *own])
    expected = [
        *dg.not_converged(False, iterations=7, lang="en"),
        *own,
        *dg.respondents_excluded(4, lang="en"),
    ]
    assert res.diagnostics == expected


def test_with_entries_appends_floats():
    out = with_entries(pd.Series({"chisq": 1.0}, name="value"), {"scaling_factor": 2})
    assert out.name == "value"
    assert out.to_dict() == {"chisq": 1.0, "scaling_factor": 2.0}
    assert out.dtype == float


@pytest.mark.parametrize("estimator", ["ML", "DWLS"])
def test_fits_by_group_match_their_separate_fits(estimator):
    """Without equality constraints, a two-group fit is two separate fits: each group's
    table, R², implied and residual matrices are the single-group results (a check of
    the multi-group assembly against the single-group one, for both estimator paths).
    Off-diagonal residuals only: the multi-group ordinal fit's implied item variances
    are not exactly 1 (its scale parameters), so its diagonal residuals are not 0."""
    rng = np.random.default_rng(3)
    n = 600
    f = rng.normal(size=(n, 1))
    data = pd.DataFrame(f @ [[0.8, 0.7, 0.6]] + rng.normal(size=(n, 3)) * 0.6, columns=list("xyz"))
    if estimator == "DWLS":
        data = data.apply(lambda c: np.digitize(c, [-0.5, 0.5]) + 1)
    data["g"] = np.where(np.arange(n) < n // 2, "first", "second")
    opts = {"estimator": estimator, "ordered": True} if estimator == "DWLS" else {}
    model = "F =~ x + y + z"
    both = fit_sem(data, model, group="g", **opts)
    for label in ("first", "second"):
        alone = fit_sem(data[data.g == label].drop(columns="g"), model, **opts)
        mine = both.estimates[both.estimates.group == label]
        loads = mine[mine.op == "=~"].estimate.to_numpy()
        np.testing.assert_allclose(
            loads, alone.estimates[alone.estimates.op == "=~"].estimate.to_numpy(), atol=1e-5
        )
        np.testing.assert_allclose(both.r2[label], alone.r2, atol=1e-5)
        off = ~np.eye(3, dtype=bool)  # the items' own residuals: see the note above
        np.testing.assert_allclose(
            both.residual_corr[label].to_numpy()[off],
            alone.residual_corr.to_numpy()[off],
            atol=1e-5,
        )
