"""Small-sample guards: a warning when n is below the rules of thumb, and no bootstrap
interval or "significant" difference for a segment of one or a few respondents."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import csi
from csi._checks import CsiInputError
from csi.datasets import simulate_csi
from csi.pls import SmallSampleWarning
from csi.pls.bootstrap import BootstrapFailureWarning, SmallSegmentWarning


def _fit(n: int, **kw):
    sim = simulate_csi(n, seed=2, waves=None)
    spec = csi.ModelSpec.acsi(indicators=sim.roles)
    return sim, spec, csi.fit_pls(sim.data, spec, scale=(1, 10), **kw)


def test_few_respondents_warn_with_the_rule():
    # ACSI: Satisfaction has 3 predecessors -> 10 x 3 = 30; 17 items -> at least 18
    with pytest.warns(SmallSampleWarning, match=r"only 12 respondents .* at least 30"):
        _fit(12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        _fit(30)  # exactly the advised size: no warning


def test_one_respondent_segment_gets_no_interval_and_no_test():
    sim, _, res = _fit(300)
    region = sim.data["region"].to_numpy(copy=True)
    region[5] = "Tiny"  # a one-respondent segment
    with pytest.warns(SmallSegmentWarning, match=r"'Tiny' \(n = 1\) left out"):
        boot = res.bootstrap(200, seed=1, segment=region)
    table = boot.table
    seg_rows = table[table["kind"] == "index"]["segment"].astype(str)
    assert "Tiny" not in set(seg_rows)
    diffs = table[table["kind"] == "index_difference"]["segment"].astype(str)
    assert not any("Tiny" in d for d in diffs)
    # with the guard lowered the segment is there again, and every resample that draws
    # no one from it fails (its index is not finite): they are counted and warned about
    with pytest.warns(BootstrapFailureWarning, match="non-finite statistic"):
        boot_all = res.bootstrap(200, seed=1, segment=region, min_size=1)
    assert boot_all.n_failed > 0
    assert "Tiny" in set(boot_all.table["segment"].astype(str))
    with pytest.raises(CsiInputError, match="fewer than two segments have 400"):
        res.bootstrap(50, seed=1, segment=region, min_size=400)
    with pytest.raises(CsiInputError, match="min_size must be a whole number"):
        res.bootstrap(50, seed=1, segment=region, min_size=0)
    assert np.isfinite(boot.table["se"]).all()
