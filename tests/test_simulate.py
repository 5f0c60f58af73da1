"""simulate_csi: population values, recovery at large n, reproducibility, the shipped sample.

Population values of the default ACSI model are worked out by hand from the
default paths (standardised model, every latent variance 1):
  E->Q .55, E->V .15, E->S .10, Q->V .55, Q->S .50, V->S .30, S->C -.40, S->L .60, C->L -.15.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.datasets import SAMPLE_PARAMS, load_sample, sample_paths, simulate_csi
from csi.survey import read_survey

ITEMS = [
    "EXP1", "EXP2", "EXP3",
    "QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5",
    "VAL1", "VAL2",
    "SAT1", "SAT2", "SAT3",
    "COMP1",
    "LOY1", "LOY2", "LOY3",
]  # fmt: skip
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small():
    return simulate_csi(400, seed=7, missing_rate=0.02)


@pytest.fixture(scope="module")
def big_continuous():
    return simulate_csi(20000, seed=11, continuous=True, latent_scores=True)


def test_columns_and_values_follow_conventions(small) -> None:
    d = small.data
    assert list(d.columns) == [
        "respondent_id", "name", "phone", "email", "wave", "region", "channel",
        *ITEMS, "recommend",
    ]  # fmt: skip
    assert len(d) == 400 and d["respondent_id"].is_unique
    assert set(d["region"]) == {"North", "East", "South", "West"}
    assert set(d["channel"]) == {"online", "store", "phone"}
    assert set(d["wave"]) == {"2025H2", "2026H1"}
    answers = d[ITEMS].to_numpy()
    assert set(np.unique(answers)) <= {*range(1, 11), 99}
    assert d["recommend"].between(0, 10).all()
    assert d["email"].str.endswith("@example.com").all()


def test_codebook_matches_data(small) -> None:
    cb = small.codebook
    assert cb.items == tuple(ITEMS)
    assert cb.constructs == (
        "Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty",
    )  # fmt: skip
    assert cb.items_of("Value") == ("VAL1", "VAL2")
    assert cb.id == "respondent_id" and cb.private == ("name", "phone", "email")
    assert cb.segments == ("region", "channel") and cb.period == "wave"
    assert cb.label("Satisfaction", "zh") == "顾客满意度"
    assert cb.label("QUAL4", "en") == "Speed of service"
    assert all(cb.label(i, "zh") != i for i in ITEMS)
    assert cb.item("SAT1").missing == (99.0,) and (cb.item("SAT1").min, cb.item("SAT1").max) == (
        1,
        10,
    )
    assert cb.extra_items == ("recommend",)
    assert dict(small.roles)["complaints"] == ("COMP1",)
    assert set(small.true_loadings["indicator"]) == set(ITEMS)


def test_roles_feed_the_acsi_spec(small) -> None:
    from csi.spec import ModelSpec

    spec = ModelSpec.acsi(indicators=dict(small.roles))
    assert set(spec.items) == set(ITEMS)
    assert {tuple(p) for p in small.true_paths[["source", "target"]].to_numpy()} == set(spec.paths)


def test_population_values_by_hand() -> None:
    sim = simulate_csi(10, seed=0)
    r2 = sim.true_r2
    assert r2["Quality"] == pytest.approx(0.55**2)
    # Value: .15^2 + .55^2 + 2 * .15 * .55 * corr(E, Q) = .41575
    assert r2["Value"] == pytest.approx(0.41575)
    # Satisfaction: b = (.10, .50, .30) on (E, Q, V); corr(E,V) = .4525, corr(Q,V) = .6325
    assert r2["Satisfaction"] == pytest.approx(0.35 + 2 * (0.0275 + 0.013575 + 0.094875))
    assert r2["Complaints"] == pytest.approx(0.16)
    assert r2["Loyalty"] == pytest.approx(0.36 + 0.0225 + 2 * 0.6 * -0.15 * -0.4)
    phi = sim.true_latent_correlation
    assert phi.loc["Expectation", "Value"] == pytest.approx(0.4525)
    assert phi.loc["Satisfaction", "Complaints"] == pytest.approx(-0.40)
    paths = sim.true_paths.set_index(["source", "target"])["estimate"]
    assert paths[("Satisfaction", "Complaints")] < 0
    assert len(paths) == 9


def test_reproducible_by_seed() -> None:
    a = simulate_csi(200, seed=3, missing_rate=0.05)
    b = simulate_csi(200, seed=3, missing_rate=0.05)
    c = simulate_csi(200, seed=4, missing_rate=0.05)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert not a.data[ITEMS].equals(c.data[ITEMS])


def test_indicator_correlations_recover_implied_matrix(big_continuous) -> None:
    """Sample correlations vs Lambda Phi Lambda' + Theta.

    SE of a correlation is at most 1/sqrt(n); 5 SE over 136 pairs bounds the
    family-wise chance of a false failure below 1e-4.
    """
    sim = big_continuous
    n = len(sim.data)
    sample = sim.data[ITEMS].corr()
    implied = sim.implied_correlation()
    assert np.abs(sample.to_numpy() - implied.to_numpy()).max() < 5 / np.sqrt(n)
    # the implied matrix itself: two Satisfaction items correlate lambda1 * lambda2
    assert implied.loc["SAT1", "SAT2"] == pytest.approx(0.90 * 0.87)


def test_paths_recovered_by_ols_on_latent_scores(big_continuous) -> None:
    """OLS on the true latent scores; SE of a standardised slope <= sqrt(1/(n (1 - R2_x)))."""
    sim = big_continuous
    eta = sim.latent_scores
    assert eta is not None
    n = len(eta)
    for target, group in sim.true_paths.groupby("target"):
        x = eta[group["source"].tolist()].to_numpy()
        y = eta[target].to_numpy()
        x1 = np.column_stack([np.ones(n), x])
        beta, *_ = np.linalg.lstsq(x1, y, rcond=None)
        np.testing.assert_allclose(beta[1:], group["estimate"].to_numpy(), atol=5 * np.sqrt(2 / n))
        r2 = 1 - np.var(y - x1 @ beta) / np.var(y)
        assert r2 == pytest.approx(sim.true_r2[target], abs=5 * 2 / np.sqrt(n))
    # every latent has variance 1 and mean 0 in the population
    np.testing.assert_allclose(eta.var().to_numpy(), 1, atol=5 * np.sqrt(2 / n))
    np.testing.assert_allclose(eta.mean().to_numpy(), 0, atol=5 / np.sqrt(n))


def test_discrete_item_means_match_population() -> None:
    """Exact population means (segment mixture + thresholds) vs sample means; SE <= 4.5/sqrt(n)."""
    sim = simulate_csi(20000, seed=5)
    n = len(sim.data)
    means = sim.data[ITEMS].mean()
    sd = sim.data[ITEMS].std()
    assert ((means - sim.true_item_means[ITEMS]).abs() < 5 * sd / np.sqrt(n)).all()
    # answers lean to the top, complaints to the bottom
    assert (means.drop("COMP1") > 5.5).all() and means["COMP1"] < 5.5
    idx = sim.true_index
    assert idx["Complaints"] < 50 < idx["Satisfaction"]
    assert idx["Value"] < idx["Quality"]
    # discretisation attenuates correlations a little, never inflates them much
    disc = sim.data[ITEMS].corr().to_numpy()
    implied = sim.implied_correlation().to_numpy()
    off = ~np.eye(len(ITEMS), dtype=bool)
    ratio = disc[off] / implied[off]
    assert 0.8 < np.median(ratio) < 1.0


def test_segments_and_waves_differ() -> None:
    sim = simulate_csi(20000, seed=9)
    by_region = sim.data.groupby("region")["SAT1"].mean()
    by_channel = sim.data.groupby("channel")["SAT1"].mean()
    by_wave = sim.data.groupby("wave")["SAT1"].mean()
    assert by_region["East"] > by_region["West"] + 0.2
    assert by_channel["online"] > by_channel["phone"] + 0.2
    assert by_wave["2026H1"] > by_wave["2025H2"]


def test_missing_rate_and_round_trip_through_read_survey() -> None:
    sim = simulate_csi(3000, seed=2, missing_rate=0.03)
    is99 = sim.data[ITEMS] == 99
    share = is99.to_numpy().mean()
    assert abs(share - 0.03) < 5 * np.sqrt(0.03 * 0.97 / is99.size)
    sv = read_survey(sim.data, sim.codebook)
    assert sv.n_excluded == int(is99.any(axis=1).sum())
    assert sv.report.items.set_index("item")["set_missing"][ITEMS].tolist() == is99.sum().tolist()
    assert sv.n == 3000 - sv.n_excluded
    assert sim.survey(missing="pairwise").n == 3000


def test_reverse_items_round_trip() -> None:
    plain = simulate_csi(300, seed=8)
    rev = simulate_csi(300, seed=8, reverse=["QUAL4"])
    assert (rev.data["QUAL4"] == 11 - plain.data["QUAL4"]).all()
    assert rev.codebook.item("QUAL4").reverse
    a = read_survey(plain.data, plain.codebook).data
    b = read_survey(rev.data, rev.codebook).data
    pd.testing.assert_series_equal(a["QUAL4"], b["QUAL4"])


def test_seven_point_and_ecsi() -> None:
    sim = simulate_csi(500, seed=1, scale=7, model="ecsi")
    assert set(np.unique(sim.data[ITEMS])) <= set(range(1, 8))
    assert sim.codebook.constructs[0] == "Image"
    assert {"IMG1", "IMG2", "IMG3"} <= set(sim.data.columns)
    paths = set(map(tuple, sim.true_paths[["source", "target"]].to_numpy()))
    assert ("Image", "Expectation") in paths and ("Image", "Loyalty") in paths
    assert "Expectation" in sim.true_r2.index
    assert (sim.codebook.item("SAT1").min, sim.codebook.item("SAT1").max) == (1, 7)


def test_custom_paths_and_loadings() -> None:
    paths = {("expectation", "quality"): 0.3, ("quality", "satisfaction"): 0.6}
    sim = simulate_csi(50, seed=1, paths=paths, loadings={"SAT1": 0.5})
    assert sim.true_r2["Quality"] == pytest.approx(0.09)
    assert sim.true_r2["Satisfaction"] == pytest.approx(0.36)
    lo = sim.true_loadings.set_index("indicator")["estimate"]
    assert lo["SAT1"] == 0.5
    frame = pd.DataFrame({"source": ["Expectation"], "target": ["Quality"], "estimate": [0.4]})
    assert simulate_csi(10, seed=1, paths=frame).true_r2["Quality"] == pytest.approx(0.16)


def test_no_segments_no_waves() -> None:
    sim = simulate_csi(50, seed=1, segments=False, waves=None)
    assert not {"region", "channel", "wave"} & set(sim.data.columns)
    assert sim.codebook.segments == () and sim.codebook.period is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a positive integer"),
        ({"scale": 12}, "scale must be an integer number of points from 3 to 11"),
        ({"missing_rate": 1.0}, r"missing_rate must be in \[0, 1\)"),
        ({"model": "scsi"}, "model must be one of"),
        (
            {
                "paths": {
                    ("quality", "satisfaction"): 0.9,
                    ("value", "satisfaction"): 0.9,
                    ("quality", "value"): 0.9,
                }
            },
            "paths into 'Satisfaction' explain .* of its variance",
        ),
        ({"paths": {("quality", "image"): 0.3}}, "construct 'image' is not in the model"),
        (
            {"paths": {("quality", "value"): 0.3, ("value", "quality"): 0.3}},
            "paths form a cycle",
        ),
        ({"loadings": {"SAT9": 0.5}}, "'SAT9' is not an item of the acsi model"),
        ({"loadings": {"SAT1": 1.2}}, r"'SAT1' must satisfy 0 < \|loading\| <= 1"),
        ({"reverse": ["XX1"]}, "reverse: 'XX1' is not an item"),
        ({"reverse": ["SAT1"], "continuous": True}, "need a bounded scale"),
    ],
)
def test_errors(kwargs: dict, message: str) -> None:
    args = {"n": 10, "seed": 1, **kwargs}
    with pytest.raises(CsiInputError, match=message):
        simulate_csi(**args)


# ----------------------------------------------------------------------------- sample
def test_load_sample() -> None:
    sv = load_sample()
    assert sv.report.n_input == 3000
    assert sv.n + sv.n_excluded == 3000 and 0 < sv.n_excluded < 600
    assert sv.period == "wave" and set(sv.data["wave"]) == {"2025H2", "2026H1"}
    assert sv.codebook.label("LOY3", "zh") == "向他人推荐的意愿"
    assert not {"respondent_id", "name", "phone", "email"} & set(sv.public_data().columns)
    csv, _ = sample_paths()
    assert csv.stat().st_size < 1_000_000


def test_sample_is_reproducible_from_its_parameters() -> None:
    csv, cb = sample_paths()
    shipped = pd.read_csv(csv, dtype={"phone": str})
    fresh = simulate_csi(**SAMPLE_PARAMS)
    pd.testing.assert_frame_equal(shipped, fresh.data, check_dtype=False)
    assert read_survey(csv, cb).codebook == fresh.codebook


def test_package_copy_equals_repository_copy() -> None:
    repo = REPO / "data" / "samples"
    if not (repo / "survey.csv").exists():
        pytest.skip("data/samples not present (installed package)")
    for f in sample_paths():
        assert f.read_bytes() == (repo / f.name).read_bytes()
