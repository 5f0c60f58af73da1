"""PLS with missing answers: listwise, pairwise and mean replacement; fitting a Survey.

Expected values are computed here independently: counts and means with pandas, the
mean-replaced data by hand, pairwise covariances with ``pandas.DataFrame.cov``, the
resampled data sets by indexing rows, and the seminr Python port (its own
``mean_replacement`` strategy, seminr's default) as the external reference.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import csi
from csi._checks import CsiInputError
from csi.pls import fit_pls, fit_pls_moments, resample_indices
from csi.spec import ModelSpec

POLICIES = ["listwise", "pairwise", "mean"]
# listwise keeps 43 of mobi's 250 respondents here: one Loyalty weight turns negative
pytestmark = pytest.mark.filterwarnings("ignore::csi.pls.NegativeWeightWarning")
TIGHT = 1e-12  # stop criterion for the comparisons at 1e-8


@pytest.fixture(scope="module")
def holes(mobi: pd.DataFrame) -> pd.DataFrame:
    """mobi with 7% of the answers set missing at random (a copy; the segment column
    ``group`` is not an item)."""
    rng = np.random.default_rng(20240611)
    out = mobi.astype(float).mask(rng.random(mobi.shape) < 0.07)
    out["group"] = np.where(np.arange(len(out)) % 3 == 0, "a", "b")
    return out


def _by_hand_mean_replaced(frame: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    out = frame[items].copy()
    for c in items:
        out[c] = out[c].fillna(out[c].mean())
    return out


def _nm(m) -> pd.DataFrame:
    return pd.DataFrame(m.values, index=list(m.rows), columns=list(m.cols))


# ---------------------------------------------------------------- seminr
def test_mean_replacement_matches_seminr(holes, ecsi: ModelSpec, seminr_structure) -> None:
    """seminr port with ``missing=mean_replacement`` (its own imputation, not ours).

    The port is fitted on the data with missing answers and does the mean replacement
    itself; paths, outer weights and loadings must agree to 1e-8.
    """
    seminr = pytest.importorskip("seminr")
    items = list(ecsi.items)
    assert holes[items].isna().to_numpy().mean() > 0.05
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in ecsi.indicators.items()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = seminr.estimate_pls(
            holes[items],
            mm,
            seminr_structure(ecsi),
            missing=seminr.mean_replacement,
            stop_criterion=12,
            max_it=1000,
        )
    res = fit_pls(holes, ecsi, missing="mean", tol=TIGHT, max_iter=1000)
    W, P, L = _nm(ref.outer_weights), _nm(ref.path_coef), _nm(ref.outer_loadings)
    diffs = []
    for c, i, est in res.outer_weights.itertuples(index=False):
        diffs.append(abs(est - W.loc[i, c]))
    for c, i, est in res.loadings.itertuples(index=False):
        diffs.append(abs(est - L.loc[i, c]))
    for s, t, est in res.path_coefficients.itertuples(index=False):
        diffs.append(abs(est - P.loc[s, t]))
    assert len(diffs) == 24 + 24 + 12
    assert max(diffs) < 1e-8, max(diffs)
    # and seminr's na_omit equals our listwise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        omit = seminr.estimate_pls(
            holes[items],
            mm,
            seminr_structure(ecsi),
            missing=seminr.na_omit,
            stop_criterion=12,
            max_it=1000,
        )
    lw = fit_pls(holes, ecsi, missing="listwise", tol=TIGHT, max_iter=1000)
    P2 = _nm(omit.path_coef)
    for s, t, est in lw.path_coefficients.itertuples(index=False):
        assert est == pytest.approx(P2.loc[s, t], abs=1e-8)


# ----------------------------------------------------------------- counts
def test_counts_per_policy(holes, ecsi: ModelSpec) -> None:
    items = list(ecsi.items)
    n_all = len(holes)
    complete = int(holes[items].notna().all(axis=1).sum())
    cells = int(holes[items].isna().to_numpy().sum())
    lw = fit_pls(holes, ecsi)  # default listwise
    assert (lw.missing, lw.n, lw.n_excluded, lw.n_unscored) == (
        "listwise",
        complete,
        n_all - complete,
        n_all - complete,
    )
    mean = fit_pls(holes, ecsi, missing="mean")
    assert (mean.n, mean.n_excluded, mean.n_replaced, mean.n_unscored) == (n_all, 0, cells, 0)
    assert len(mean.scores) == n_all
    assert "missing answers replaced by item means: " + str(cells) in mean.summary()
    pw = fit_pls(holes, ecsi, missing="pairwise")
    assert (pw.n, pw.n_excluded, pw.n_unscored) == (n_all, 0, n_all - complete)
    assert len(pw.scores) == complete
    assert f"respondents without scores (missing answers, pairwise): {n_all - complete}" in (
        pw.summary()
    )


def test_mean_moments_by_hand(holes, ecsi: ModelSpec) -> None:
    items = list(ecsi.items)
    filled = _by_hand_mean_replaced(holes, items)
    res = fit_pls(holes, ecsi, missing="mean")
    np.testing.assert_allclose(res.moments.means[items], holes[items].mean(), atol=1e-12)
    np.testing.assert_allclose(res.moments.cov.loc[items, items], filled.cov(), atol=1e-12)
    ref = fit_pls(filled, ecsi)  # complete data after replacement by hand
    pd.testing.assert_frame_equal(res.outer_weights, ref.outer_weights, atol=1e-12)
    # the result's items are the replaced answers; the caller's frame still has NaN
    pd.testing.assert_frame_equal(res.source_data[items], filled, check_dtype=False)
    assert holes[items].isna().any(axis=None)
    np.testing.assert_array_equal(res.replaced, holes[items].isna().to_numpy())


def test_pairwise_moments_by_hand(holes, ecsi: ModelSpec) -> None:
    items = list(ecsi.items)
    res = fit_pls(holes, ecsi, missing="pairwise")
    np.testing.assert_allclose(res.moments.cov.loc[items, items], holes[items].cov(), atol=1e-12)
    answered = holes[items].notna().astype(int)
    assert res.moments.n == int((answered.T @ answered).to_numpy().min())
    mom = csi.moments.moments_from_frame(holes, items, missing="pairwise")
    pd.testing.assert_frame_equal(res.outer_weights, fit_pls_moments(mom, ecsi).outer_weights)


# -------------------------------------------------------------- bootstrap
@pytest.mark.parametrize("missing", POLICIES)
def test_bootstrap_runs_for_every_policy(holes, ecsi: ModelSpec, missing: str) -> None:
    res = fit_pls(holes, ecsi, missing=missing, scale=(1, 10))
    boot = res.bootstrap(60, seed=3, segment="group")
    assert boot.n_failed == 0
    assert boot.n_respondents == (res.n if missing != "pairwise" else len(holes))
    se = boot.table["se"].to_numpy()
    assert np.isfinite(se).all()
    paths = boot.select("path")
    assert (paths["se"] > 0).all()
    seg = boot.table[(boot.table["kind"] == "index") & (boot.table["segment"] != "")]
    by = res.index_by("group").set_index(["segment", "construct"])["index"]
    for row in seg.itertuples(index=False):
        assert row.estimate == pytest.approx(by.loc[(row.segment, row.construct)], abs=1e-8)


def _resampled(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    out = frame.iloc[rows].copy()
    out.index = range(len(out))
    return out


@pytest.mark.parametrize("missing", ["mean", "pairwise"])
def test_bootstrap_redoes_the_policy_in_each_resample(holes, ecsi: ModelSpec, missing: str) -> None:
    """Each draw equals a fit of the resampled rows (drawn by hand with the same seed),
    with the mean replacement or the pairwise covariances computed on the resample."""
    res = fit_pls(holes, ecsi, missing=missing, scale=(1, 10), tol=TIGHT, max_iter=1000)
    boot = res.bootstrap(4, seed=11, keep_draws=True)
    draws = boot.draws
    rows = resample_indices(len(holes), 4, seed=11)
    table = boot.table
    for r in range(4):
        sample = _resampled(holes, rows[r])
        if missing == "mean":  # by hand, without csi
            items = list(ecsi.items)
            sample[items] = _by_hand_mean_replaced(sample, items)
            one = fit_pls(sample, ecsi, tol=TIGHT, max_iter=1000, scale=(1, 10))
        else:
            one = fit_pls(sample, ecsi, missing="pairwise", tol=TIGHT, max_iter=1000, scale=(1, 10))
        paths = draws.loc[r, (table["kind"] == "path").to_numpy()].to_numpy()
        np.testing.assert_allclose(paths, one.path_coefficients["estimate"], atol=2e-6)
        index = draws.loc[
            r, ((table["kind"] == "index") & (table["segment"] == "")).to_numpy()
        ].to_numpy()
        np.testing.assert_allclose(index, one.index().to_numpy(), atol=2e-4)


# ---------------------------------------------------- index, scores, quality
@pytest.mark.parametrize("missing", POLICIES)
def test_index_by_and_quality_for_every_policy(holes, ecsi: ModelSpec, missing: str) -> None:
    res = fit_pls(holes, ecsi, missing=missing, scale=(1, 10))
    by = res.index_by("group")
    scored = res.n - (res.n_unscored if missing == "pairwise" else 0)
    assert by[by["construct"] == "Satisfaction"]["n"].sum() == scored
    assert by.attrs["n_unscored"] == res.n_unscored
    # by hand: sum_i u_i * segment mean of the 0-100 answers the model saw
    items = list(ecsi.items)
    seen = holes[items]
    if missing == "mean":
        seen = _by_hand_mean_replaced(holes, items)
    seen = seen.loc[res.scores.index]
    u = res.rescaled_weights().set_index("indicator")
    sat = u[u["construct"] == "Satisfaction"]["weight"]
    for g, part in seen.groupby(holes.loc[seen.index, "group"]):
        expected = float(((part[sat.index] - 1) / 9 * 100).mean() @ sat)
        got = by[(by["segment"] == g) & (by["construct"] == "Satisfaction")]["index"].item()
        assert got == pytest.approx(expected, abs=1e-9)
    assert len(res.respondent_index()) == scored
    report = res.quality()
    assert len(report.reliability) == len(ecsi.constructs)


def test_pairwise_segment_values_count_scored_rows(holes, ecsi: ModelSpec) -> None:
    res = fit_pls(holes, ecsi, missing="pairwise")
    with pytest.raises(CsiInputError, match=r"expected one per respondent used \(\d+\)"):
        res.index_by(["x"] * len(holes), scale=(1, 10))


# ---------------------------------------------------------- copies held
def test_editing_the_callers_frame_changes_nothing(holes, ecsi: ModelSpec) -> None:
    data = holes.copy()
    res = fit_pls(data, ecsi, scale=(1, 10))
    assert res.source_data is not data
    before = res.index_by("group")
    data["group"] = "z"
    data.loc[:, "CUSA1"] = 1.0
    pd.testing.assert_frame_equal(res.index_by("group"), before)
    boot = res.bootstrap(20, seed=1)  # and the data did not "change after the fit"
    assert boot.n_failed == 0


def test_unknown_policy_is_refused(holes, ecsi: ModelSpec) -> None:
    with pytest.raises(CsiInputError, match="missing must be one of"):
        fit_pls(holes, ecsi, missing="keep")


# ------------------------------------------------------------------ survey
SURVEY_CB = {
    "id": "rid",
    "private": ["phone"],
    "free_text": ["comment"],
    "segments": ["region"],
    "scale": {"min": 1, "max": 7},
    "missing": [99],
    "constructs": {"Q": {}, "S": {}},
    "items": {
        "q1": {"construct": "Q"},
        "q2": {"construct": "Q"},
        "q3": {"construct": "Q"},
        "s1": {"construct": "S"},
        "s2": {"construct": "S"},
    },
}
SURVEY_SPEC = "Q =~ q1 + q2 + q3\nS =~ s1 + s2\nS ~ Q"


def _survey_frame(n: int = 120, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    s = 0.6 * q + 0.8 * rng.normal(size=n)

    def item(f: np.ndarray) -> np.ndarray:
        return np.clip(np.round(4 + 1.2 * f + rng.normal(size=n)), 1, 7)

    df = pd.DataFrame(
        {
            "rid": [f"r{k}" for k in range(n)],
            "phone": [f"555-{k:04d}" for k in range(n)],
            "comment": ["fine"] * n,
            "region": np.where(np.arange(n) % 2 == 0, "N", "S"),
            "q1": item(q),
            "q2": item(q),
            "q3": item(q),
            "s1": item(s),
            "s2": item(s),
        }
    )
    df.loc[[3, 10, 40], "q2"] = 99  # don't know
    df.loc[[7, 50], "s1"] = np.nan
    df.loc[[10], "s2"] = np.nan
    return df


@pytest.mark.parametrize("policy", ["listwise", "mean", "pairwise", "keep"])
def test_fit_a_survey(policy: str) -> None:
    df = _survey_frame()
    survey = csi.read_survey(df, SURVEY_CB, missing=policy)
    res = fit_pls(survey, SURVEY_SPEC)
    expected = "listwise" if policy == "keep" else policy
    assert res.missing == expected
    # fitted on every respondent read, whatever survey.data kept
    answers = df[["q1", "q2", "q3", "s1", "s2"]].replace(99, np.nan)
    complete = int(answers.notna().all(axis=1).sum())
    assert complete == 115  # rows 3, 7, 10, 40, 50 have a missing answer
    if expected == "listwise":
        assert (res.n, res.n_excluded) == (complete, len(df) - complete)
    else:
        assert (res.n, res.n_excluded) == (len(df), 0)
    if expected == "mean":
        assert res.n_replaced == int(answers.isna().to_numpy().sum()) == 6
    # the same model from the survey's own policy-applied data
    ref = fit_pls(survey.data, SURVEY_SPEC, missing="pairwise" if policy == "pairwise" else None)
    pd.testing.assert_frame_equal(res.path_coefficients, ref.path_coefficients, atol=1e-12)
    # the codebook's scale is the default
    assert res.index().notna().all()
    by = res.index_by("region")
    assert set(by["segment"]) == {"N", "S"}
    # no private or free-text column is held
    held = set(res.source_data.columns)
    assert not held & {"rid", "phone", "comment"}
    assert {"q1", "s2", "region"} <= held
    boot = res.bootstrap(30, seed=2)
    assert np.isfinite(boot.table["se"]).all()


def test_survey_policy_can_be_overridden() -> None:
    survey = csi.read_survey(_survey_frame(), SURVEY_CB, missing="listwise")
    res = fit_pls(survey, SURVEY_SPEC, missing="mean")
    assert (res.missing, res.n, res.n_replaced) == ("mean", 120, 6)
    res2 = fit_pls(survey, SURVEY_SPEC, scale=(0, 7))
    assert res2.scale == (0.0, 7.0)
