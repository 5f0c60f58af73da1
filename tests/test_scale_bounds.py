"""One reader of a rating scale's end points: csi.scales.scale_bounds (issue 14).

Every accepted form (RatingScale, pair, {"min", "max"} mapping, codebook ItemInfo)
gives the same bounds through every parser of the library; bad forms raise one
message naming the value and what it is the scale of.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi import formulas
from csi._checks import CsiInputError
from csi.codebook import ItemInfo
from csi.fuzzy import _scale_of, membership_matrix
from csi.indicators_nodes import _scale as node_scale
from csi.metrics._common import check_scale, to_100
from csi.pls import fit_pls
from csi.pls.index import normalise_scale
from csi.scales import RatingScale, scale_bounds

SRC = Path(__file__).resolve().parents[1] / "src" / "csi"


def forms(lo: float, hi: float) -> dict[str, Any]:
    """The same scale in every accepted representation."""
    return {
        "RatingScale": RatingScale(min=lo, max=hi),
        "tuple": (lo, hi),
        "list": [lo, hi],
        "array": np.array([lo, hi]),
        "int pair": (int(lo), int(hi))
        if float(lo).is_integer() and float(hi).is_integer()
        else (lo, hi),
        "mapping": {"min": lo, "max": hi},
        "ItemInfo": ItemInfo(name="q1", min=lo, max=hi),
    }


@pytest.mark.parametrize("form", list(forms(1, 10)))
def test_every_form_gives_the_same_bounds_in_every_parser(form: str) -> None:
    obj = forms(1, 10)[form]
    assert scale_bounds(obj) == (1.0, 10.0)
    assert RatingScale.of(obj) == RatingScale(points=10)
    assert check_scale(obj) == (1.0, 10.0)
    assert _scale_of("q1", obj) == RatingScale(points=10)
    assert normalise_scale(obj, ("q1", "q2")) == (1.0, 10.0)
    assert normalise_scale({"q1": obj, "q2": obj}, ("q1", "q2")) == (1.0, 10.0)
    if form in ("tuple", "list", "mapping"):  # the forms an indicator-system file can hold
        assert node_scale(obj, "node 'a'") == (1.0, 10.0)


def test_mixed_per_item_scales_stay_per_item() -> None:
    got = normalise_scale({"q1": {"min": 1, "max": 5}, "q2": RatingScale(points=10)}, ("q1", "q2"))
    assert got == {"q1": (1.0, 5.0), "q2": (1.0, 10.0)}


def test_membership_matrix_is_the_same_for_every_form() -> None:
    # 1-7 answers: level k gets the share of answers equal to k (hand count: 1,1,4,7 of 4).
    data = pd.DataFrame({"q1": [1, 1, 4, 7], "q2": [7, 7, 7, 6]})
    want = np.array([[0.5, 0, 0, 0.25, 0, 0, 0.25], [0, 0, 0, 0, 0, 0.25, 0.75]])
    for obj in forms(1, 7).values():
        got = membership_matrix(data, ["q1", "q2"], scales=obj)
        np.testing.assert_allclose(got.to_numpy(), want, atol=1e-15)
        per_item = membership_matrix(data, ["q1", "q2"], scales={"q1": obj, "q2": obj})
        np.testing.assert_allclose(per_item.to_numpy(), want, atol=1e-15)


bounds = st.tuples(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
    st.floats(min_value=1e-2, max_value=1e3, allow_nan=False),
).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=60, deadline=None)
@given(bounds, st.floats(min_value=0, max_value=1))
def test_bounds_round_trip_and_rescaling_agrees_for_every_form(
    lohi: tuple[float, float], share: float
) -> None:
    lo, hi = lohi
    x = lo + share * (hi - lo)
    for name, obj in forms(lo, hi).items():
        assert scale_bounds(obj) == (lo, hi), name
        assert scale_bounds(scale_bounds(obj)) == (lo, hi), name
        sc = RatingScale.of(obj)
        # end points go to 0 and 100; a point share of the way up goes to 100 * share
        assert sc.to_100(lo) == 0.0 and sc.to_100(hi) == pytest.approx(100.0, abs=1e-9)
        assert sc.to_100(x) == pytest.approx(100 * share, abs=1e-7)
        assert to_100(x, obj) == pytest.approx(100 * share, abs=1e-7)
        assert sc.from_100(sc.to_100(x)) == pytest.approx(x, rel=1e-9, abs=1e-9)
        assert formulas.from_100(100 * share, *scale_bounds(obj)) == pytest.approx(
            x, rel=1e-9, abs=1e-9
        )


@settings(max_examples=40, deadline=None)
@given(bounds)
def test_reversed_or_equal_end_points_raise_for_every_form(lohi: tuple[float, float]) -> None:
    lo, hi = lohi
    for obj in ((hi, lo), [lo, lo], {"min": hi, "max": lo}, ItemInfo(name="q", min=hi, max=lo)):
        with pytest.raises(CsiInputError, match="lowest < highest"):
            scale_bounds(obj)


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ((5, 1), "(5, 1)"),
        ((3, 3), "(3, 3)"),
        ((1, math.nan), "(1, nan)"),
        ((-math.inf, 5), "(-inf, 5)"),
        ({"min": 7, "max": 1}, "(7, 1)"),
        ("1-5", "'1-5'"),
        (("1", "5"), "['1', '5']"),
        ((1, 2, 3), "(1, 2, 3)"),
        ((True, 5), "[True, 5]"),
        ({"min": 1}, "{'min': 1}"),
        (10, "10"),
        (None, "None"),
    ],
)
def test_bad_forms_raise_naming_the_item_and_the_value(bad: Any, shown: str) -> None:
    name = "scale of item '质量3'"
    with pytest.raises(CsiInputError, match=re.escape(name)) as err:
        scale_bounds(bad, name=name)
    assert shown in str(err.value)


def test_parsers_name_the_item_in_the_unified_message() -> None:
    msg = r"scale of 'q2' must satisfy lowest < highest \(both finite\), got \(5, 1\)"
    with pytest.raises(CsiInputError, match=msg):
        normalise_scale({"q1": (1, 5), "q2": (5, 1)}, ("q1", "q2"))
    with pytest.raises(CsiInputError, match=r"scale of item 'q2' must satisfy .* got \(5, 1\)"):
        membership_matrix(
            pd.DataFrame({"q1": [1], "q2": [1]}), ["q1", "q2"], scales={"q1": (1, 5), "q2": (5, 1)}
        )
    with pytest.raises(CsiInputError, match=r"node 'a': scale must satisfy .* got \(5, 1\)"):
        node_scale({"min": 5, "max": 1}, "node 'a'")
    with pytest.raises(CsiInputError, match=r"loyalty_scale must be a pair .* got 7"):
        check_scale(7, name="loyalty_scale")


def test_caller_objects_are_not_changed() -> None:
    m = {"min": 1, "max": 5}
    pair = [1, 5]
    scale_bounds(m), scale_bounds(pair), RatingScale.of(m)
    assert m == {"min": 1, "max": 5} and pair == [1, 5]


# A scale is read only by csi.scales.scale_bounds: no other module picks "min"/"max"
# keys out of a mapping or builds a RatingScale from the pieces of a pair by hand.
AD_HOC = [
    re.compile(r"""\[\s*["'](min|max)["']\s*\](?!\s*=[^=])"""),  # reading sc["min"]
    re.compile(r"""\.get\(\s*["'](min|max)["']"""),  # sc.get("min")
    re.compile(r"RatingScale\(\s*min\s*=[^,]*\[\s*0\s*\]"),  # RatingScale(min=sc[0], ...)
]
ALLOWED = {
    "scales.py",  # the reader itself
    "formulas.py",
    # builds ItemInfo(min=..., max=...) from a codebook file, where an item may give
    # one end point and inherit the other from the codebook-wide scale
    "codebook_parse.py",
}


def test_no_module_reads_scale_end_points_by_hand() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ALLOWED and path.parent == SRC:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in AD_HOC):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not offenders, "read the scale with csi.scales.scale_bounds:\n" + "\n".join(offenders)


def test_the_grep_patterns_catch_what_they_should() -> None:
    # the guard above can fail: each pattern flags the ad-hoc forms it is meant for
    flagged = [
        'lo = v["min"]',
        "hi = spec.get('max')",
        "RatingScale(min=sc[0], max=sc[1])",
        "RatingScale(min=float(sc[0]), max=float(sc[1]))",
    ]
    fine = ['x["min"] = 1', "scale_bounds(sc)", "RatingScale.of(sc)"]
    assert all(any(p.search(s) for p in AD_HOC) for s in flagged)
    assert not any(p.search(s) for p in AD_HOC for s in fine)


def test_pls_index_is_the_same_for_every_form(mobi: pd.DataFrame, ecsi: Any) -> None:
    res = fit_pls(mobi, ecsi, scheme="centroid")
    want = res.index(scale=(1, 10))
    for name, obj in forms(1, 10).items():
        pd.testing.assert_series_equal(res.index(scale=obj), want, obj=name)
    per_item = {i: {"min": 1, "max": 10} for i in res.layout.items}
    pd.testing.assert_series_equal(res.index(scale=per_item), want)
    with pytest.raises(CsiInputError, match=r"scale of 'CUEX1' must satisfy .* got \(10, 1\)"):
        res.index(scale={**per_item, "CUEX1": (10, 1)})


def test_result_scale_end_points_is_the_public_reader() -> None:
    """PLSResult.scale_end_points: the given scale per item, else the fit's, else an error."""
    from csi.datasets import simulate_csi
    from csi.pls import fit_pls
    from csi.spec import ModelSpec

    sim = simulate_csi(150, seed=3)
    spec = ModelSpec.acsi(indicators=sim.roles)
    data = sim.data[list(spec.items)]
    bare = fit_pls(data, spec)
    with pytest.raises(CsiInputError, match="scale end points"):
        bare.scale_end_points()
    lo, hi = bare.scale_end_points({"min": 1, "max": 10})
    assert lo.tolist() == [1.0] * len(spec.items) and hi.tolist() == [10.0] * len(spec.items)
    fitted = fit_pls(data, spec, scale=(0, 10))
    lo, hi = fitted.scale_end_points()
    assert set(lo) == {0.0} and set(hi) == {10.0}
