"""Modification indices against lavaan and against the likelihood-ratio test they approximate.

Reference: lavaan tutorial, "Modification indices"
(https://lavaan.ugent.be/tutorial/modindices.html), Holzinger-Swineford CFA:
``visual =~ x9 mi 36.411 epc 0.577 sepc.all 0.515; x7 ~~ x8 34.145 0.536;
visual =~ x7 18.631 -0.422; x8 ~~ x9 14.946 -0.423; textual =~ x3 9.151 -0.272``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from lavaan_models import HS


@pytest.fixture(scope="module")
def hs(reference) -> pd.DataFrame:
    return pd.read_csv(reference("lavaan", "HolzingerSwineford1939.csv"))


def test_matches_lavaan_tutorial(hs):
    mi = fit_sem(hs, HS).modification_indices()
    top = mi.head(5)
    expected = [
        ("visual", "=~", "x9", 36.411, 0.577),
        ("x7", "~~", "x8", 34.145, 0.536),
        ("visual", "=~", "x7", 18.631, -0.422),
        ("x8", "~~", "x9", 14.946, -0.423),
        ("textual", "=~", "x3", 9.151, -0.272),
    ]
    for row, (lhs, op, rhs, value, epc) in zip(top.itertuples(), expected, strict=True):
        assert (row.lhs, row.op, row.rhs) == (lhs, op, rhs)
        assert row.mi == pytest.approx(value, abs=5e-4)
        assert row.epc == pytest.approx(epc, abs=5e-4)
    assert top["sepc_all"].iloc[0] == pytest.approx(0.515, abs=5e-4)
    # 18 cross-loadings + 36 item residual covariances; latent paths equivalent to the
    # free latent covariances are not testable and left out
    assert len(mi) == 54 and mi["mi"].is_monotonic_decreasing


def test_mi_approximates_chi_square_drop(hs):
    base = fit_sem(hs, HS)
    mi = base.modification_indices().set_index(["lhs", "op", "rhs"])
    freed = fit_sem(hs, HS + "\nx7 ~~ x8")
    drop = base.fit_indices["chisq"] - freed.fit_indices["chisq"]
    assert mi.loc[("x7", "~~", "x8"), "mi"] == pytest.approx(drop, rel=0.2)
    # the EPC is only a first-order guess of the freed estimate; its sign is right
    est = freed.estimates
    value = est[(est.lhs == "x7") & (est.op == "~~") & (est.rhs == "x8")]["estimate"].iloc[0]
    assert np.sign(mi.loc[("x7", "~~", "x8"), "epc"]) == np.sign(value)


def test_minimum_and_single_group_only(hs):
    res = fit_sem(hs, HS)
    assert (res.modification_indices(minimum=10)["mi"] >= 10).all()
    multi = fit_sem(hs, HS, group="school")
    with pytest.raises(CsiInputError, match="single-group"):
        multi.modification_indices()
    assert np.isfinite(res.modification_indices()["mi"]).all()


def test_modification_indices_of_an_ordinal_fit_is_an_input_error() -> None:
    """An ordinal (DWLS) fit carries no ML state: the same error type as any other fit
    modification indices are not defined for, naming the estimator."""
    rng = np.random.default_rng(3)
    f = rng.normal(size=400)
    noise = rng.normal(scale=0.6, size=(400, 4))
    data = pd.DataFrame(
        {f"y{i}": np.digitize(0.8 * f + noise[:, i], [-0.5, 0.5]) for i in range(4)}
    )
    res = fit_sem(data, "F =~ y0 + y1 + y2 + y3", ordered=list(data.columns), estimator="DWLS")
    assert res.fitted_state is None
    with pytest.raises(CsiInputError, match=r"single-group ML fit; this is a DWLS fit"):
        res.modification_indices()
