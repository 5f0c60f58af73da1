"""The summary's headline figures with their margin of error and n: each margin against a
hand computation (bootstrap interval half-width, t interval of the mean respondent
score, Wilson's formula, the trinomial NPS variance, the design-based SE of a
weighted mean)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from csi.pls import fit_pls
from csi.report import run_analysis
from csi.report.document import Bullets, Report, Text
from csi.report.html import render_html
from csi.report.labels import TEXT
from csi.report.model import load_model
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"
PRIVATE = ["respondent_id", "name", "phone", "email"]
N_BOOT, SEED = 40, 5
Z = stats.norm.ppf(0.975)


def _run(survey, **options) -> Report:
    # no segment: the margins do not depend on it, and the group comparison is skipped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, segment=[], sem=False, figures=False, **options)


@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


@pytest.fixture(scope="module")
def fitted(survey):
    return fit_pls(survey, load_model(None, survey.codebook), scale=survey.codebook)


@pytest.fixture(scope="module")
def report_boot(survey):
    return _run(survey, bootstrap=N_BOOT, seed=SEED)


@pytest.fixture(scope="module")
def report_plain(survey):
    return _run(survey, bootstrap=0)


def _margins(report: Report) -> list[str]:
    title = TEXT[report.lang]["m_title"]
    lists = [b for b in report.section("glance").blocks if isinstance(b, Bullets)]
    found = [b for b in lists if b.title == title]
    assert len(found) == 1
    return list(found[0].items)


def _wilson_half(k: int, n: int) -> float:
    """Half the width of Wilson's (1927) score interval, by its formula."""
    p = k / n
    return Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)


def _context(fitted, survey):
    from csi.report.context import Context

    return Context(
        survey=survey,
        spec=fitted.spec,
        result=fitted,
        lang="en",
        min_size=30,
        segment=None,
        period=None,
        target="Satisfaction",
        scheme="path",
        figures=False,
        sem=False,
        recommend=None,
        csat_column=None,
        csat_top=2,
        n_boot=0,
        seed=1,
        fuzzy=False,
        system=None,
        progress=lambda _: None,
    )


def test_index_margin_is_the_bootstrap_interval_half_width(report_boot, fitted, survey):
    boot = fitted.bootstrap(N_BOOT, seed=SEED, progress=False)
    rows = boot.table[(boot.table["kind"] == "index") & (boot.table["segment"] == "")]
    row = rows[rows["construct"] == "Satisfaction"].iloc[0]
    half = (row["ci_upper"] - row["ci_lower"]) / 2
    index = fitted.index()["Satisfaction"]
    line = _margins(report_boot)[0]
    assert line == (
        f"Satisfaction index {index:.1f} (±{half:.1f} index points, 95% interval, n = 2,736)"
    )
    assert 0 < half < 2
    from csi.report.glance import index_margin

    ctx = _context(fitted, survey)
    ctx.boot, ctx.n_boot = boot, N_BOOT
    moe, n_used, _ = index_margin(ctx)
    assert moe == half and n_used == 2736  # unrounded: the same interval
    note = [b.text for b in report_boot.section("glance").blocks if isinstance(b, Text)]
    assert any(f"bootstrap percentile interval ({N_BOOT} resamples)" in t for t in note)


def test_index_margin_without_bootstrap_is_the_t_interval_of_the_scores(
    report_plain, fitted, survey
):
    scores = fitted.respondent_index()["Satisfaction"].to_numpy()
    n = scores.size
    assert scores.mean() == pytest.approx(fitted.index()["Satisfaction"], abs=1e-9)
    half = stats.t.ppf(0.975, n - 1) * scores.std(ddof=1) / np.sqrt(n)
    line = _margins(report_plain)[0]
    assert line.startswith(f"Satisfaction index {scores.mean():.1f} (±{half:.1f} index points")
    assert line.endswith(f"n = {n:,})")
    # the unrounded margin, through the summary's helper on a context of the fit
    from csi.report.glance import index_margin

    ctx = _context(fitted, survey)
    moe, n_used, _ = index_margin(ctx)
    assert moe == pytest.approx(half, rel=1e-10) and n_used == n


def test_share_nps_and_csat_margins_by_hand(report_plain, fitted, survey):
    lines = _margins(report_plain)
    # satisfied: levels 5-7 of the seven equal-width levels, i.e. a score >= 400/7
    scores = fitted.respondent_index()["Satisfaction"].to_numpy()
    k, n = int((scores >= 400 / 7).sum()), scores.size
    sat = [x for x in lines if x.startswith("Satisfied (levels 5-7)")]
    assert sat == [
        f"Satisfied (levels 5-7) {100 * k / n:.1f}% (±{100 * _wilson_half(k, n):.1f} "
        f"percentage points, 95% interval, n = {n:,})"
    ]
    # NPS: Var(p_P - p_D) = [p_P + p_D - (p_P - p_D)²] / n (trinomial)
    rec = pd.to_numeric(survey.all_responses()["recommend"]).dropna().to_numpy()
    m = rec.size
    pro, det = (rec >= 9).mean(), (rec <= 6).mean()
    half = 100 * Z * np.sqrt((pro + det - (pro - det) ** 2) / m)
    nps = [x for x in lines if x.startswith("Net Promoter Score")]
    assert nps == [
        f"Net Promoter Score {100 * (pro - det):+.1f} (±{half:.1f} points, 95% interval, n = {m:,})"
    ]
    # CSAT: top 2 boxes of SAT1 on its 1-10 scale, Wilson
    sat1 = pd.to_numeric(survey.all_responses()["SAT1"]).dropna().to_numpy()
    k1, n1 = int((sat1 >= 9).sum()), sat1.size
    csat = [x for x in lines if x.startswith("CSAT")]
    assert csat == [
        f"CSAT (top 2 boxes of SAT1) {100 * k1 / n1:.1f}% (±{100 * _wilson_half(k1, n1):.1f} "
        f"percentage points, 95% interval, n = {n1:,})"
    ]
    # the satisfied share is the card's
    glance = report_plain.section("glance").key_figures
    card = [f for f in glance if f.label == TEXT["en"]["g_card_satisfied"]]
    assert card[0].number == pytest.approx(100 * k / n)


def test_margins_in_chinese(survey):
    report = _run(survey, bootstrap=0, lang="zh")
    lines = _margins(report)
    assert (
        lines[0].startswith("顾客满意度指数 ") and "个指数点，95% 置信区间，n = 2,736）" in lines[0]
    )
    assert any(x.startswith("净推荐值 ") and "分，95% 置信区间" in x for x in lines)
    assert any(x.startswith("满意（5-7级）") and "个百分点" in x for x in lines)
    doc = render_html(report)
    assert TEXT["zh"]["m_title"] in doc and lines[0] in doc


def test_weighted_index_margin_is_the_design_based_se(tmp_path):
    """A weighted report: the index margin without bootstrap is t_{n-1} times the
    linearised SE of the weighted mean, sqrt(n/(n-1) sum w²(y - ȳ)²) / sum w."""
    book = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    book["weight"] = "w"
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(book), encoding="utf-8")
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    raw["w"] = np.where(raw["channel"] == "online", 0.6, 1.5)
    weighted = read_survey(raw, tmp_path / "codebook.yaml")
    report = _run(weighted, bootstrap=0)
    fit = fit_pls(weighted, load_model(None, weighted.codebook), scale=weighted.codebook)
    y = fit.respondent_index()["Satisfaction"]
    w = raw.loc[y.index, "w"].to_numpy()
    y = y.to_numpy()
    n = y.size
    mean = np.sum(w * y) / w.sum()
    assert mean == pytest.approx(fit.index()["Satisfaction"], abs=1e-9)
    se = np.sqrt(n / (n - 1) * np.sum(w**2 * (y - mean) ** 2)) / w.sum()
    half = stats.t.ppf(0.975, n - 1) * se
    line = _margins(report)[0]
    assert line == (
        f"Satisfaction index {mean:.1f} (±{half:.1f} index points, 95% interval, n = {n:,})"
    )
    note = [b.text for b in report.section("glance").blocks if isinstance(b, Text)]
    assert any("design-based interval" in t for t in note)
    # the cross-validated tables of the appendix say they ignore the weights
    for key in ("pls_predict", "q2_blindfolding"):
        assert TEXT["en"]["predict_unweighted"] in report.table(key).note


# ---------------------------------------------------------------------------- properties
class _Result:
    """The parts of a fitted result the margins read: scores, 0-100 scores, the index."""

    def __init__(self, scores: np.ndarray) -> None:
        self.index_values = pd.DataFrame({"Satisfaction": scores})
        self.scores = self.index_values
        self.n = scores.size

    def respondent_index(self) -> pd.DataFrame:
        return self.index_values

    def index(self) -> pd.Series:
        return self.index_values.mean()


def _fake_context(scores: np.ndarray):
    from types import SimpleNamespace

    return SimpleNamespace(
        result=_Result(scores),
        target="Satisfaction",
        boot=None,
        n_boot=0,
        lang="en",
        score_design=lambda rows: False,
        boot_rows=lambda kind: None,
        t=lambda key, **fmt: TEXT["en"][key].format(**fmt),
    )


scores_0_100 = st.lists(
    st.floats(min_value=0, max_value=100, allow_nan=False), min_size=2, max_size=200
).map(np.array)


@settings(max_examples=60, deadline=None)
@given(scores_0_100)
def test_satisfied_margin_is_wilsons_half_width_for_any_scores(scores):
    from csi.report.glance import satisfied_margin

    share, moe, n = satisfied_margin(_fake_context(scores))
    k = int((scores >= 400 / 7).sum())  # levels 5-7: from the fifth of seven equal cuts
    assert n == scores.size and share == pytest.approx(100 * k / n)
    assert moe == pytest.approx(100 * _wilson_half(k, n), abs=1e-9)
    assert 0 <= moe <= 50


@settings(max_examples=60, deadline=None)
@given(scores_0_100)
def test_index_margin_is_the_t_half_width_for_any_scores(scores):
    from csi.report.glance import index_margin

    n = scores.size
    moe, n_used, _ = index_margin(_fake_context(scores))
    half = stats.t.ppf(0.975, n - 1) * scores.std(ddof=1) / np.sqrt(n)
    assert n_used == n and moe == pytest.approx(half, rel=1e-9, abs=1e-9)
