"""Interaction terms in PLS (product indicator, orthogonal, two-stage) and the refit
bootstrap: against the seminr Python port, population values and hand computations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi._checks import CsiInputError
from csi.datasets import simulate_csi
from csi.pls import BootstrapFailureWarning, PLSResult, fit_pls
from csi.pls.bootstrap import resample_indices
from csi.pls.refit_bootstrap import refit_bootstrap
from csi.spec import ModelSpec, ModelSpecError

LABELS = ["kind", "source", "target", "construct", "indicator"]


# ------------------------------------------------------------ refit bootstrap
@pytest.fixture(scope="module")
def plain() -> tuple[pd.DataFrame, ModelSpec, PLSResult]:
    sim = simulate_csi(200, seed=3, waves=None)
    data = sim.data.assign(rid=np.arange(len(sim.data)))
    spec = ModelSpec.acsi(indicators=sim.roles)
    return data, spec, fit_pls(data, spec)


def test_refit_of_a_one_stage_fit_equals_the_standard_bootstrap(plain) -> None:
    """Refitting fit_pls per resample reproduces the vectorised bootstrap (same draws)."""
    _, spec, res = plain
    standard = res.bootstrap(60, seed=5, progress=False)
    refit = dataclasses.replace(res, refit=lambda f: fit_pls(f, spec)).bootstrap(
        60, seed=5, progress=False
    )
    assert refit.resampling == "respondents (refit)"
    assert set(refit.table["kind"]) == {
        "path",
        "outer_weight",
        "loading",
        "total_effect",
        "indirect_effect",
        "r2",
    }
    both = refit.table.merge(standard.table, on=LABELS, suffixes=("", "_std"))
    assert len(both) == len(refit.table)
    for col in ("estimate", "boot_mean", "se", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(both[col], both[f"{col}_std"], atol=1e-6, rtol=1e-6)


def test_refit_failures_are_counted_warned_and_left_out_of_every_statistic(plain) -> None:
    data, spec, res = plain

    def fragile(frame: pd.DataFrame) -> PLSResult:
        if frame["rid"].iloc[0] < 20:
            raise ValueError("refused on purpose")
        return fit_pls(frame, spec)

    idx = resample_indices(len(data), 80, 9)
    expected = np.flatnonzero(idx[:, 0] < 20)
    assert expected.size > 1  # more than 1% of 80 resamples
    with pytest.warns(BootstrapFailureWarning, match=rf"{expected.size} of 80"):
        boot = dataclasses.replace(res, refit=fragile).bootstrap(
            80, seed=9, keep_draws=True, progress=False
        )
    assert boot.n_failed == expected.size
    np.testing.assert_array_equal(boot.failures["resample"], expected)
    assert (boot.failures["reason"] == "estimation error").all()
    assert boot.failures["detail"].str.contains("refused on purpose").all()
    assert boot.failure_counts["estimation error"] == expected.size
    draws = boot.draws
    assert draws is not None
    assert draws.iloc[expected].isna().all(axis=None)
    kept = np.setdiff1d(np.arange(80), expected)
    assert np.isfinite(draws.iloc[kept].to_numpy()).all()
    # the SE of every row is the SD of the same kept draws of the standard bootstrap
    standard = res.bootstrap(80, seed=9, keep_draws=True, progress=False)
    sd = standard.draws.iloc[kept].std(ddof=1).to_numpy()
    both = boot.table.merge(standard.table.assign(sd_kept=sd), on=LABELS, suffixes=("", "_std"))
    np.testing.assert_allclose(both["se"], both["sd_kept"], atol=1e-6)


def test_refit_bootstrap_refuses_unsupported_options(plain) -> None:
    _, spec, res = plain
    refitting = dataclasses.replace(res, refit=lambda f: fit_pls(f, spec))
    for option, value in (
        ("segment", "wave"),
        ("scale", (1, 10)),
        ("design", True),
        ("ci", "bca"),
        ("inadmissible", "drop"),
    ):
        with pytest.raises(CsiInputError, match=option):
            refitting.bootstrap(10, seed=1, progress=False, **{option: value})
    with pytest.raises(CsiInputError, match="no refit procedure"):
        refit_bootstrap(res, 10, seed=1)


# ------------------------------------------------------------------ ModelSpec
MODERATION = """
Image =~ im1 + im2 + im3
Expectation =~ ex1 + ex2 + ex3
Satisfaction =~ sa1 + sa2 + sa3
Satisfaction ~ Image + Expectation + Image:Expectation
"""


def test_spec_reads_interaction_terms_and_round_trips() -> None:
    spec = ModelSpec.from_lavaan(MODERATION)
    assert spec.constructs == ("Image", "Expectation", "Satisfaction")
    assert spec.interactions == ("Image:Expectation",)
    assert spec.interaction_parts("Image:Expectation") == ("Image", "Expectation")
    assert spec.predecessors("Satisfaction") == ("Image", "Expectation", "Image:Expectation")
    assert ("Image:Expectation", "Satisfaction") in spec.paths
    assert "Satisfaction ~ Image + Expectation + Image:Expectation" in spec.to_lavaan()
    assert ModelSpec.from_lavaan(spec.to_lavaan()) == spec
    assert spec.main_effects().interactions == ()
    assert len(spec.main_effects().paths) == 2
    assert spec.topological_order() == ("Image", "Expectation", "Satisfaction")
    renamed = spec.rename({"Image": "Brand"})
    assert renamed.interactions == ("Brand:Expectation",)
    assert "2 constructs" not in repr(spec) and "1 interaction terms" in repr(spec)
    # the same model built from tuples equals the parsed one, whatever the path order
    built = ModelSpec(
        indicators=spec.indicators,
        paths=[
            ("Image:Expectation", "Satisfaction"),
            ("Expectation", "Satisfaction"),
            ("Image", "Satisfaction"),
        ],
    )
    assert built == spec and hash(built) == hash(spec)


@given(
    st.lists(
        st.sampled_from(["A:B", "B:A", "A:A", "B:B", "A:C", "C:C"]),
        unique=True,
        max_size=4,
    ),
    st.permutations(range(3)),
)
@settings(max_examples=40, deadline=None)
def test_spec_with_interactions_round_trips_through_lavaan(terms: list[str], order) -> None:
    items = {"A": ("a1", "a2"), "B": ("b1",), "C": ("c1", "c2"), "Y": ("y1", "y2")}
    paths = [("A", "Y"), ("B", "Y"), ("C", "Y")] + [(t, "Y") for t in terms]
    spec = ModelSpec(indicators=items, paths=[paths[k] for k in order] + paths[3:])
    assert set(spec.interactions) == set(terms)
    back = ModelSpec.from_lavaan(spec.to_lavaan())
    assert back == spec and back.to_lavaan() == spec.to_lavaan()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("Satisfaction ~ Image:Loyalty", "'Loyalty' is not one"),
        ("Image ~ Image:Expectation", "predict its own part 'Image'"),
        ("Image:Expectation ~ Satisfaction", "'Image:Expectation' cannot be an outcome"),
        ("Satisfaction ~ Image*Expectation", "write Image:Expectation"),
        ("Satisfaction ~ Image:Expectation:Image", "only two-way"),
        ("Image:Expectation ~~ Satisfaction", "'Image:Expectation' can only be a predictor"),
    ],
)
def test_spec_interaction_errors_name_the_token(statement: str, message: str) -> None:
    text = MODERATION.replace("Satisfaction ~ Image + Expectation + Image:Expectation", statement)
    with pytest.raises(ModelSpecError, match=message):
        ModelSpec.from_lavaan(text)


def test_spec_cycle_through_an_interaction_term_is_refused() -> None:
    text = MODERATION + "Expectation ~ Satisfaction\n"
    with pytest.raises(ModelSpecError, match="cycle"):
        ModelSpec.from_lavaan(text)
