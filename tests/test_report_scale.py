"""A report that scales with the data (issues 18 and 20): segment comparisons linear in
the number of segments (each segment against the rest; every pair only on request and
only in the workbook), figures capped, the stage timer, and the vectorised helpers
behind them (p-value adjustments, the privacy guard's value keys).

Timings are never asserted here: the targets are checked by ``make bench``
(``benchmarks/bench_report.py``).
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from csi.report import render_html, run_analysis, write_excel
from csi.report.build import SECTIONS
from csi.report.context import MAX_FIGURE_SEGMENTS, StageTimer
from csi.report.document import Section, Table, Text
from csi.report.privacy import PrivacyWarning
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SURVEY, CODEBOOK = SAMPLES / "survey.csv", SAMPLES / "codebook.yaml"
N_STORES = 200


def _quiet_report(survey, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, "acsi", **options)


@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


@pytest.fixture(scope="module")
def timed(survey):
    times: dict[str, float] = {}
    report = _quiet_report(
        survey, segment="region", bootstrap=30, figures=False, pairs=True, timings=times
    )
    return report, times


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The sample with a ``store`` column: 200 stores of about 15 respondents."""
    raw = pd.read_csv(SURVEY, dtype=str)
    rng = np.random.default_rng(7)
    raw["store"] = [f"S{k:03d}" for k in rng.integers(0, N_STORES, size=len(raw))]
    path = tmp_path_factory.mktemp("stores") / "survey.csv"
    raw.to_csv(path, index=False)
    return read_survey(path, CODEBOOK)


def _html_size(survey, segment):
    report = _quiet_report(
        survey, segment=segment, bootstrap=20, sem=False, figures=True, min_segment_size=5
    )
    return report, render_html(report)


# ------------------------------------------------------------ each segment vs the rest
def test_each_segment_against_the_rest_equals_a_hand_computation(survey, timed):
    """Welch's t test of the respondents' 0-100 scores, segment against everyone else,
    Holm over the segments of each construct, computed here with pandas and scipy."""
    from csi.pls import fit_pls
    from csi.report import load_model

    report, _ = timed
    shown = report.table("index_vs_rest").frame
    spec = load_model("acsi", survey.codebook)
    fitted = fit_pls(survey.public_data(), spec, scale=survey.codebook)
    scores = fitted.respondent_index()
    region = survey.all_responses().loc[scores.index, "region"].astype(str)
    assert len(shown) == scores.shape[1] * region.nunique()  # G rows per construct
    for construct in scores.columns:
        rows = []
        for g in sorted(region.unique()):
            a = scores.loc[region == g, construct]
            b = scores.loc[region != g, construct]
            va, vb = a.var() / len(a), b.var() / len(b)
            se = np.sqrt(va + vb)
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            diff = a.mean() - b.mean()
            half = stats.t.ppf(0.975, df) * se
            p = 2 * stats.t.sf(abs(diff / se), df)
            rows.append(
                [g, len(a), a.mean(), len(b), b.mean(), diff, se, diff - half, diff + half, p]
            )
        hand = pd.DataFrame(
            rows,
            columns=[
                *("segment", "n", "index", "n (rest)", "index of the rest", "difference"),
                *("std. error", "lower limit", "upper limit", "p"),
            ],
        )
        # Holm (1979): sort, multiply by m, m-1, ..., running maximum, cap at 1
        order = np.argsort(hand["p"].to_numpy())
        m = len(hand)
        stepped = np.maximum.accumulate((m - np.arange(m)) * hand["p"].to_numpy()[order])
        holm = np.empty(m)
        holm[order] = np.minimum(stepped, 1)
        hand["p (Holm)"] = holm
        got = shown[shown["construct"] == construct].drop(columns=["construct", "note"])
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), hand, check_dtype=False, rtol=1e-9, atol=1e-9
        )
    # the body lists exactly the significant ones
    body = report.table("index_vs_rest_significant").frame
    expected = shown[shown["p (Holm)"] < 0.05]
    assert sorted(zip(body["construct"], body["segment"], strict=True)) == sorted(
        zip(expected["construct"], expected["segment"], strict=True)
    )


def test_every_pair_only_on_request_and_only_in_the_workbook(survey, timed, tmp_path):
    report, _ = timed  # pairs=True
    pairs = report.table("index_differences")
    assert pairs.workbook_only
    assert len(pairs.frame) == 6 * 4 * 3 // 2  # six constructs, six pairs of four regions
    html = render_html(report)
    assert 'id="t-index_differences"' not in html and 'id="t-index_vs_rest"' in html
    openpyxl = pytest.importorskip("openpyxl")
    path = write_excel(report, tmp_path / "r.xlsx")
    assert "index_differences" in openpyxl.load_workbook(path, read_only=True).sheetnames
    plain = _quiet_report(survey, segment="region", bootstrap=30, figures=False, sem=False)
    assert "index_differences" not in [t.key for t in plain.tables]
    assert "index_vs_rest" in [t.key for t in plain.tables]


def test_pairs_must_be_a_flag(survey):
    from csi import CsiInputError

    with pytest.raises(CsiInputError, match="pairs must be True or False"):
        run_analysis(survey, "acsi", pairs="yes", bootstrap=0)


def test_200_segments_stay_small_in_html(survey, stores):
    """No pairwise table in the HTML, no figure of 200 segments, and a page that grows
    with the number of segments (not with their pairs)."""
    few, few_html = _html_size(stores, "region")
    many, many_html = _html_size(stores, "store")
    keys = [t.key for t in many.tables]
    assert "index_differences" not in keys and 'id="t-index_differences"' not in many_html
    assert len(many.table("index_vs_rest").frame) == 6 * N_STORES
    # the bootstrap never computes the 19,900 pairs of stores (pairs=False): every
    # segment still gets its bootstrap interval, and no difference row exists
    assert len(many.table("index_segment_ci").frame) > 0
    assert "index_differences" not in keys
    # segment-by-construct tables of more than 50 segments: workbook only, a line instead
    assert many.table("index_vs_rest").workbook_only and 'id="t-index_vs_rest"' not in many_html
    assert not few.table("index_vs_rest").workbook_only and 'id="t-index_vs_rest"' in few_html
    assert f"{6 * N_STORES} rows ({N_STORES} segments), in the workbook only" in many_html
    # segment figures give way to a note; the overall figures stay
    figures = [f.key for f in many.figures]
    assert "index_segment" not in figures and "nps_segment" not in figures
    assert "index_segment" in [f.key for f in few.figures]
    notes = [b.text for s in many.sections for b in s.blocks if isinstance(b, Text)]
    assert any(f"{N_STORES} segments are more than a figure can show" in t for t in notes)
    assert N_STORES > MAX_FIGURE_SEGMENTS
    # per extra segment: a row in each per-segment table and six in the comparisons
    # (about 4 kB); every pair of 200 stores would be 6 x 19,900 rows (over 20 MB)
    per_segment = (len(many_html) - len(few_html)) / (N_STORES - 4)
    assert per_segment < 8_000, per_segment
    assert len(many_html) < len(few_html) + 8_000 * N_STORES


# ------------------------------------------------------------ stage timer
def test_stage_timer_reports_every_stage(timed):
    _, times = timed
    for stage in ("privacy", "fit", "bootstrap", "sem", "sections"):
        assert times[stage] > 0, stage
    for key in SECTIONS:
        assert f"section:{key}" in times, key
    inner = sum(v for k, v in times.items() if k.startswith("section:"))
    assert inner == pytest.approx(times["sections"], rel=0.05, abs=0.05)


def test_stage_timer_adds_up_repeated_stages():
    times = {"read": 1.0}
    timer = StageTimer(times)
    for _ in range(3):
        with timer("fit"):
            pass
    with pytest.raises(ValueError), timer("read"):
        raise ValueError("timed even when it fails")
    assert set(times) == {"read", "fit"} and times["fit"] >= 0 and times["read"] > 1.0


# ------------------------------------------------------------ privacy: one pass
def test_a_cleaned_report_is_not_cleaned_again_unless_changed(timed):
    report, _ = timed
    guard = report.guard
    assert guard is not None and guard.has_cleaned(report)
    private = sorted(v for v in guard.values if len(v) > 8)[0]
    leak = Table("leak", "leak", pd.DataFrame({"who": [private]}))
    changed = replace(report, sections=(*report.sections, Section("x", "x", (leak,))))
    assert not guard.has_cleaned(changed)
    with pytest.warns(PrivacyWarning, match="removed 1 private"):
        html = render_html(changed)  # cleaned again: the value is redacted
    assert private not in html.casefold() and "[redacted]" in html


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True, allow_infinity=False, width=32),
            st.integers(-(10**12), 10**12),
            st.text(max_size=6),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_value_keys_equal_the_cell_by_cell_keys(values):
    from csi.report.privacy import _key, _keys_of

    for column in (pd.Series(values, dtype=object), pd.Series(values)):
        assert _keys_of(column) == {k for k in map(_key, column.tolist()) if k}


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 1e-6, 0.001, 0.01, 0.02, 0.04, 0.3, 0.5, 1.0]), max_size=15),
    st.lists(st.floats(0, 1), max_size=15),
)
def test_adjusted_pvalues_match_statsmodels(ties, free):
    from statsmodels.stats.multitest import multipletests

    from csi.metrics import adjust_pvalues

    p = np.array(ties + free, dtype=float)
    if not p.size:
        return
    for ours, theirs in (("holm", "holm"), ("bonferroni", "bonferroni"), ("bh", "fdr_bh")):
        expected = multipletests(p, method=theirs)[1]
        # atol 1e-300: p-values that underflow to subnormals differ in their last bits
        np.testing.assert_allclose(
            adjust_pvalues(p, method=ours), expected, rtol=1e-12, atol=1e-300
        )


def test_guard_holds_every_private_value_of_the_survey(survey):
    """The vectorised guard holds exactly the cell-by-cell keys of the private columns
    and of the cleaning report's ids."""
    from csi.report.privacy import PrivacyGuard, _key

    frame = survey.all_responses()
    expected = set()
    for c in survey.codebook.hidden_columns:
        if c in frame.columns:
            expected |= {k for k in map(_key, frame[c].tolist()) if k}
    expected |= {k for k in map(_key, survey.report.respondents["id"].tolist()) if k}
    guard = PrivacyGuard.from_survey(survey)
    assert guard.values == expected and len(expected) > 4 * 2000
