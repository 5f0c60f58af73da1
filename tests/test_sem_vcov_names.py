"""``SEMResult.vcov`` is labelled with lavaan's parameter names (``visual=~x2``,
``x1~~x1``, ``x1~1``, ``x1|t1``, a label for a labelled parameter, ``.g2`` for group 2),
and each name is the parameter whose standard error the table reports: the square root
of the named diagonal entry equals the ``se`` of that row of ``estimates``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.sem import fit_sem
from lavaan_models import HS, PD


@pytest.fixture(scope="module")
def hs(reference) -> pd.DataFrame:
    return pd.read_csv(reference("lavaan", "HolzingerSwineford1939.csv"))


def _check_names_match_the_table(res, skip_ops: tuple[str, ...] = ()) -> int:
    """Every free row of the table finds its name in vcov, with its SE on the diagonal."""
    vc = res.vcov
    assert vc.index.is_unique and list(vc.index) == list(vc.columns)
    sd = pd.Series(np.sqrt(np.diag(vc.to_numpy())), index=vc.index)
    est = res.estimates
    free = est[(est["se"] > 0) & ~est["op"].isin((":=", *skip_ops))]
    groups = list(res.groups) if res.groups else [None]
    checked = 0
    for row in free.itertuples():
        g = groups.index(row.group) + 1 if res.groups else 1
        base = f"{row.lhs}{row.op}{row.rhs}" if row.op != "~1" else f"{row.lhs}~1"
        label = getattr(row, "label", None)
        names = [n for n in (label, f"{base}.g{g}" if g > 1 else None, base) if n]
        name = next((n for n in names if n in sd.index), None)
        assert name is not None, (row.lhs, row.op, row.rhs, g, list(sd.index)[:10])
        assert sd[name] == pytest.approx(row.se, rel=1e-8), name
        checked += 1
    return checked


def test_single_group_names_are_lavaans(hs) -> None:
    res = fit_sem(hs, HS)
    assert list(res.vcov.index[:3]) == ["visual=~x2", "visual=~x3", "textual=~x5"]
    assert {"x1~~x1", "visual~~textual"} <= set(res.vcov.index)
    assert _check_names_match_the_table(res) == len(res.vcov)


def test_structural_model_with_residual_covariances(reference) -> None:
    pd_data = pd.read_csv(reference("lavaan", "PoliticalDemocracy.csv"))
    res = fit_sem(pd_data, PD)
    assert {"dem60~ind60", "dem65~dem60", "y1~~y5"} <= set(res.vcov.index)
    assert _check_names_match_the_table(res) == len(res.vcov)


def test_groups_get_lavaans_suffix_and_shared_parameters_one_name(hs) -> None:
    res = fit_sem(hs, HS, group="school", group_equal=["loadings"])
    names = set(res.vcov.index)
    assert "visual=~x2" in names and "visual=~x2.g2" not in names  # one shared loading
    assert {"x1~~x1", "x1~~x1.g2", "x1~1", "x1~1.g2"} <= names
    assert _check_names_match_the_table(res) > 0


def test_labels_and_fiml_means(hs) -> None:
    res = fit_sem(hs, "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + x5 + x6", missing="fiml")
    assert "a" in set(res.vcov.index)
    assert {"x1~1", "x6~1"} <= set(res.vcov.index)
    assert _check_names_match_the_table(res) > 0


def test_ordinal_names(hs) -> None:
    items = hs[["x1", "x2", "x3", "x4"]].apply(lambda c: pd.cut(c, 3, labels=False))
    one = fit_sem(items, "F =~ x1 + x2 + x3 + x4", ordered=list(items.columns), estimator="DWLS")
    # the thresholds come from the first step (not in vcov); every other free row is
    one_names = set(one.vcov.index)
    assert {"F=~x2", "F=~x4"} <= one_names and not any("|" in n for n in one_names)
    assert _check_names_match_the_table(one, skip_ops=("|",)) > 0
    two = fit_sem(
        items.assign(school=hs["school"]),
        "F =~ x1 + x2 + x3 + x4",
        ordered=["x1", "x2", "x3", "x4"],
        estimator="WLSMV",
        group="school",
    )
    assert {"F=~x2", "F=~x2.g2", "x1|t1", "x1|t2", "x4|t2.g2"} <= set(two.vcov.index)
    assert _check_names_match_the_table(two) > 0


def test_an_unidentified_model_names_its_parameters_as_lavaan(hs) -> None:
    res = fit_sem(hs, HS + "\nvisual ~ 1", missing="fiml")
    (diag,) = [d for d in res.diagnostics if d.code == "not_identified"]
    assert "visual~1" in diag.message and "nu." not in diag.message
    with pytest.raises(CsiInputError):
        res.modification_indices()


def test_vcov_follows_the_parameter_table_whatever_the_hash_seed(reference) -> None:
    """semopy's internal parameter order depends on Python's string hashing; vcov is
    put in the table's order, so two processes with other seeds give the same layout."""
    import subprocess
    import sys

    code = (
        "import pandas as pd\nfrom csi.sem import fit_sem\nfrom lavaan_models import HS\n"
        f"d = pd.read_csv({str(reference('lavaan', 'HolzingerSwineford1939.csv'))!r})\n"
        "print(','.join(fit_sem(d, HS, group='school').vcov.index))"
    )
    tests_dir = str(Path(__file__).parent)
    layouts = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": tests_dir}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        layouts.add(out.stdout.strip().splitlines()[-1])
    assert len(layouts) == 1
    (layout,) = layouts
    assert layout.startswith("visual=~x2,visual=~x3,textual=~x5,textual=~x6,speed=~x8")
