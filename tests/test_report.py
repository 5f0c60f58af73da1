"""The report: valid self-contained HTML, Excel sheets, privacy, suppression, atomic writes."""

from __future__ import annotations

import base64
import os
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.codebook import Codebook
from csi.pls.result import PLSResult
from csi.report import (
    SECTIONS,
    Bullets,
    PrivacyError,
    PrivacyGuard,
    PrivacyWarning,
    Report,
    Section,
    Table,
    Text,
    construct_roles,
    render_html,
    run_analysis,
    spec_from_codebook,
    write_excel,
    write_html,
    write_report,
)
from csi.report.atomic import write_atomic
from csi.report.excel import sheet_name, sheet_names
from csi.report.labels import TEXT
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"
SYSTEM = ROOT / "data" / "samples" / "indicator_system.yaml"
PRIVATE = ["respondent_id", "name", "phone", "email"]
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}


# ---------------------------------------------------------------------------- helpers
class StrictHTML(HTMLParser):
    """Collects tags, checks that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.h2: list[str] = []
        self.h3: list[str] = []
        self.imgs: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self._heading: str | None = None
        self._text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key] or "")
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("h2", "h3"):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == self._heading:
            (self.h2 if tag == "h2" else self.h3).append("".join(self._text).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading:
            self._text.append(data)


def parse(doc: str) -> StrictHTML:
    p = StrictHTML()
    p.feed(doc)
    p.close()
    return p


def private_values() -> set[str]:
    raw = pd.read_csv(SURVEY, dtype=str)
    return {v for c in PRIVATE for v in raw[c].dropna()}


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


@pytest.fixture(scope="module")
def report_en(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, "acsi", system=SYSTEM, segment="region")  # 1000 resamples


@pytest.fixture(scope="module")
def written_en(report_en, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_en")
    return write_report(report_en, out)


@pytest.fixture(scope="module")
def report_zh(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(
            survey, system=SYSTEM, segment="region", lang="zh", bootstrap=0, figures=False
        )


# ---------------------------------------------------------------------------- HTML
def test_html_is_valid_and_has_every_section(written_en):
    doc = written_en["html"].read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>")
    p = parse(doc)
    assert p.errors == []
    assert p.stack == []  # every element closed
    assert {"html", "head", "body", "title", "style", "table"} <= p.tags
    contents = TEXT["en"]["contents"]
    assert p.h2 == [contents] + [TEXT["en"][k] for k in SECTIONS]
    # the summary first, results before methods, the technical tables last
    assert p.h2[1] == "At a glance" and p.h2[-1] == "Appendix: technical detail"
    assert p.h2.index("Satisfaction indices") < p.h2.index("Reliability and validity")
    assert '<div class="cards" id="k-glance">' in doc and doc.count('<div class="card">') == 4


def test_html_is_self_contained_with_embedded_png_figures(written_en):
    doc = written_en["html"].read_text(encoding="utf-8")
    p = parse(doc)
    # path diagram, index, index by segment, index trend, impacts, IPMA, hierarchy,
    # weights, seven levels, NPS per segment
    assert len(p.imgs) == 10
    for src in p.imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(not link.startswith(("http:", "https:", "//")) for link in p.links)
    assert "<script" not in doc and "<link" not in doc and "@import" not in doc
    assert [link for link in p.links if not link.startswith(("data:", "#"))] == []


def test_html_contains_no_private_column_or_value(written_en, report_en):
    doc = written_en["html"].read_text(encoding="utf-8")
    visible = " ".join(parse(re.sub(r"data:image/png;base64,[^\"]+", "", doc)).text)
    values = private_values()
    assert len(values) > 9_000  # 3,000 ids, phones and e-mails, and the (repeating) names
    leaked = [v for v in values if v in visible]
    assert leaked == []
    headers = re.findall(r"<th>([^<]*)</th>", doc)
    assert not set(PRIVATE) & set(headers)
    # the cleaning report holds the ids of the excluded respondents: none is shown
    excluded = list(report_en.guard and survey_ids_excluded())
    assert len(excluded) == 264 and not any(i in visible for i in excluded)


def survey_ids_excluded() -> list[str]:
    return [str(i) for i in read_survey(SURVEY, CODEBOOK).report.excluded["id"]]


def test_html_shows_figures_tables_and_the_index(report_en, survey):
    index = report_en.table("index").frame
    assert list(index.columns) == ["construct", "index", "std. error", "lower limit", "upper limit"]
    assert index["index"].between(0, 100).all()
    assert list(index["construct"]) == list(survey.codebook.constructs)
    # bootstrap intervals around every construct's index, a fraction of a point wide here
    lo, hi = index["lower limit"], index["upper limit"]
    assert ((lo <= index["index"]) & (index["index"] <= hi)).all()
    assert ((hi - lo).between(0.5, 5)).all()
    doc = render_html(report_en)
    assert "Not available" not in doc  # every section has its content
    assert "1000 resamples of the respondents, seed 1 (fixed, so the report is reproducible" in doc


def _standardised_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the standardised items (as SmartPLS and csi report it):
    alpha = k / (k - 1) * (1 - k / variance of the sum of the z-scores) (Cronbach 1951)."""
    k = items.shape[1]
    z = (items - items.mean()) / items.std(ddof=1)
    return k / (k - 1) * (1 - k / z.sum(axis=1).var(ddof=1))


def test_quality_section_has_reliability_validity_and_diagnostics(report_en, survey):
    section = report_en.section("quality")
    assert section.available
    rel = report_en.table("reliability").frame.set_index("construct")
    assert list(rel.index) == list(survey.codebook.constructs)
    stats = rel[["Cronbach's alpha", "rho_C", "AVE"]]
    assert np.isfinite(stats.to_numpy(dtype=float)).all()
    assert (stats.to_numpy(dtype=float) > 0.5).all()  # a clean simulated survey
    quality_items = survey.data[list(survey.codebook.items_of("Quality"))].dropna()
    assert rel.loc["Quality", "Cronbach's alpha"] == pytest.approx(
        _standardised_alpha(quality_items), abs=1e-9
    )
    assert rel.loc["Complaints", "check"] == "single item: reliability not assessed"
    assert (rel.drop(index="Complaints")["check"] == "meets every threshold").all()
    # Fornell-Larcker: lower triangle with sqrt(AVE) on the diagonal
    fl = report_en.table("fornell_larcker").frame.set_index("construct")
    assert np.diag(fl.to_numpy(dtype=float)) == pytest.approx(np.sqrt(rel["AVE"].to_numpy()))
    assert np.isnan(fl.loc["Expectation", "Loyalty"]) and np.isfinite(fl.loc["Loyalty", "Value"])
    # HTMT for every pair of constructs, with its bootstrap upper limit above the estimate
    htmt = report_en.table("htmt").frame
    assert len(htmt) == 15
    assert (htmt["upper limit (95% bootstrap)"] > htmt["HTMT"]).all()
    assert (htmt["meets the threshold"] == "yes").all()
    f2 = report_en.table("f2_vif").frame
    assert len(f2) == 9 and set(f2["effect size"]) <= {"none", "small", "medium", "large"}
    assert (f2["VIF"] >= 1).all()
    # plain-language diagnostics, each with its advice: PLS says how many respondents
    # listwise deletion left out (counted by hand) and how to keep them; CB-SEM flags two
    # low loadings
    lists = {b.title: b for b in section.blocks if isinstance(b, Bullets)}
    assert list(lists) == ["Diagnostics (PLS path modelling)", "Diagnostics (covariance-based SEM)"]
    items = list(survey.codebook.items)
    incomplete = int(survey.all_responses()[items].isna().any(axis=1).sum())
    assert incomplete == 264
    (pls_note,) = lists["Diagnostics (PLS path modelling)"].items
    assert f"{incomplete} respondent(s) were left out" in pls_note
    assert "missing='mean'" in pls_note and "fiml" not in pls_note
    sem_note, *sem_list = lists["Diagnostics (covariance-based SEM)"].items
    assert f"{incomplete} respondent(s) were left out" in sem_note  # CB-SEM listwise too
    assert [("EXP3" in i, "LOY2" in i) for i in sem_list] == [(True, False), (False, True)]
    assert all("Check its wording" in i for i in sem_list)
    doc = render_html(report_en)
    assert doc.count("<li>[note] Item ") == 2


def test_paths_carry_bootstrap_inference_and_stars(report_en):
    paths = report_en.table("path_coefficients").frame
    assert list(paths.columns) == [
        "from", "to", "estimate", "std. error", "t", "p", "lower limit", "upper limit",
        "significance",
    ]  # fmt: skip
    assert (
        (paths["lower limit"] < paths["estimate"]) & (paths["estimate"] < paths["upper limit"])
    ).all()
    assert (paths["std. error"] > 0).all()
    # every path of the simulated model is strong: p < 0.001, interval away from 0
    assert (paths["p"] < 0.001).all() and (paths["significance"] == "***").all()
    neg = paths[(paths["from"] == "Satisfaction") & (paths["to"] == "Complaints")]
    assert neg["upper limit"].iloc[0] < 0


def test_priorities_come_from_the_library(report_en, survey):
    from csi.pls import fit_pls
    from csi.pls.index import ipma_priorities
    from csi.report import load_model

    spec = load_model("acsi", survey.codebook)
    res = fit_pls(survey.public_data(), spec, scale=survey.codebook)
    # customer expectations are left out of the priorities (not actionable), and said so
    expected = ipma_priorities(res.ipma("Satisfaction", exclude=["Expectation"]))
    table = report_en.table("priorities").frame
    assert "Expectation" not in set(table["construct"])
    assert "Expectation is left out of the priorities" in report_en.table("priorities").note
    assert list(table["driver"]) == list(expected["name"])
    assert list(table["priority"]) == list(expected["priority"])
    quadrants = {
        "high_importance_low_performance": "high importance, low performance",
        "high_importance_high_performance": "high importance, high performance",
        "low_importance_low_performance": "low importance, low performance",
        "low_importance_high_performance": "low importance, high performance",
    }
    assert list(table["quadrant"]) == [quadrants[q] for q in expected["quadrant"]]


def test_fuzzy_reading_leads_with_the_level_score(report_en):
    result = report_en.table("fuzzy_result").frame
    assert list(result.columns[:4]) == [
        "indicator", "level score", "level of the score", "maximum membership",
    ]  # fmt: skip
    texts = [b.text for b in report_en.section("fuzzy").blocks if isinstance(b, Text)]
    assert any(
        "Read the level score first" in t and "tends to pick the top level" in t for t in texts
    )
    # Satisfaction: "very satisfied" barely ahead of "neutral" by maximum membership
    row = result.iloc[0]
    assert row["maximum membership"] == "very satisfied (ambiguous)"
    assert row["level of the score"] == "somewhat satisfied"
    assert any(t.startswith("Satisfaction: maximum membership is ambiguous") for t in texts)


# ---------------------------------------------------------------------------- Excel
def test_excel_opens_with_expected_sheets(written_en, report_en):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(written_en["xlsx"], read_only=True)
    expected = ["Contents", "At a glance"] + [t.key for t in report_en.tables]
    assert wb.sheetnames == expected
    # the summary sheet: headline figures as shown, then the findings
    glance = [r for r in wb["At a glance"].iter_rows(values_only=True)]
    assert glance[0][0] == "At a glance"
    figures = {r[0]: r[1] for r in glance if r and r[0] and r[1] is not None}
    index = report_en.table("index").frame.set_index("construct")["index"]
    # the workbook holds figures rounded as shown (nothing recoverable from more digits)
    shown = round(float(index["Satisfaction"]), 1)
    assert figures["Satisfaction index (0-100)"] == pytest.approx(shown, abs=1e-9)
    lines = [r[0] for r in glance if r and r[0]]
    assert "Top priorities for improving Satisfaction" in lines
    assert any(str(x).startswith("1. Price given quality (VAL1") for x in lines)
    contents = [r for r in wb["Contents"].iter_rows(values_only=True)]
    assert ("At a glance", "At a glance", "At a glance", None) in contents
    # every model-based table's note (column 4) states the respondents the model used
    notes = {r[2]: r[3] for r in contents if r and len(r) > 3}
    assert "Model-based figures use 2736 respondents" in notes["Index per construct (0-100)"]
    appendix = [r[2] for r in contents if r[1] == "Appendix: technical detail"]
    # the exclusion reasons: the most frequent (as in the HTML), then the full list
    assert appendix[0] == "Cleaning per item"
    assert len(appendix) == len(report_en.section("appendix").tables)
    for key in (
        "respondents",
        "exclusion_reasons",
        "cleaning_items",
        "measurement_model",
        "outer_model",
        "total_effects",
        "sem_paths",
        "index_vs_rest",
        "index_vs_rest_significant",
        "path_coefficients",
        "r2",
        "index",
        "index_segment",
        "impacts",
        "priorities",
        "system_weights",
        "levels",
        "nps",
        "csat_segment",
    ):
        assert key in wb.sheetnames
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in wb.sheetnames)
    back = pd.read_excel(written_en["xlsx"], sheet_name="index")
    # rounded to the digits the table shows (1 for the index)
    np.testing.assert_allclose(back["index"], report_en.table("index").frame["index"].round(1))
    values = {v.casefold() for v in private_values()}
    cells = {
        str(c).strip().casefold()
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    assert not (cells & values)
    assert not (cells & set(PRIVATE))
    wb.close()


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    names = [
        sheet_name(k, taken) for k in ["a/b:c*?[x]", "x" * 40, "x" * 40, "Contents", "contents"]
    ]
    assert names[0] == "a_b_c___x_"
    assert names[1] == "x" * 31 and names[2] == "x" * 29 + "_2"
    assert names[4] == "contents_2"  # Excel sheet names are case-insensitive
    assert all(len(n) <= 31 for n in names)


# ---------------------------------------------------------------------------- Chinese
def test_chinese_report_has_chinese_titles_and_headers(report_zh, tmp_path):
    doc = render_html(report_zh)
    p = parse(doc)
    assert p.errors == [] and p.stack == []
    assert p.h2 == ["目录"] + [TEXT["zh"][k] for k in SECTIONS]
    for title in ("数据概况", "路径模型与拟合", "满意度指数", "七级满意度解读", "模糊综合评价"):
        assert title in p.h2
    assert '<html lang="zh-CN">' in doc
    assert list(report_zh.table("index").frame.columns) == ["潜变量", "指数"]
    assert "顾客满意度" in set(report_zh.table("index").frame["潜变量"])
    levels = report_zh.table("levels").frame
    assert list(levels["标签"]) == [
        "很不满意",
        "不满意",
        "不太满意",
        "一般",
        "较满意",
        "满意",
        "很满意",
    ]
    path = write_excel(report_zh, tmp_path / "zh.xlsx")
    assert pd.ExcelFile(path).sheet_names[:2] == ["目录", "概览"]
    reasons = report_zh.table("exclusion_reasons").frame["原因"]
    assert reasons.str.startswith("缺失回答：").all()
    fit = report_zh.table("sem_fit").frame.set_index("指标")["数值"]
    assert "比较拟合指数 CFI" in fit.index and "近似误差均方根 RMSEA" in fit.index
    assert not any(name.isascii() for name in fit.index)
    assert fit.loc["有效样本量"] == 2736 and isinstance(fit.loc["自由度"], int)  # no ".000"
    methods = set(report_zh.table("system_weights").frame["赋权方法"])
    assert {"层次分析法", "熵权法", "组合赋权"} <= methods
    assert not any(m.isascii() for m in methods)
    assert "自助法次数为 0（已关闭）" in doc  # bootstrap=0: said so, not hidden
    rel = report_zh.table("reliability").frame
    assert list(rel["检验"])[4] == "单题项：不评估信度"
    lists = [b for b in report_zh.section("quality").blocks if isinstance(b, Bullets)]
    shown = [i for b in lists for i in b.items]
    assert shown and all("Expectation" not in i for i in shown)  # construct names in Chinese
    assert any("预期质量" in i for i in shown)


# ---------------------------------------------------------------------------- suppression
@pytest.fixture(scope="module")
def small_west(survey):
    """The sample with only 12 respondents from West (below the default 30)."""
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    west = raw.index[raw["region"] == "West"]
    data = raw.drop(index=west[12:]).reset_index(drop=True)
    small = read_survey(data, CODEBOOK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return small, run_analysis(
            small, system=SYSTEM, segment="region", bootstrap=200, figures=False, sem=False
        )


def test_small_segments_are_suppressed_and_marked_in_every_segment_table(small_west):
    small, report = small_west
    n_west = int((small.data["region"] == "West").sum())
    assert 0 < n_west < 30
    per_segment = [
        "sizes_region",
        "index_segment",
        "levels_segment",
        "system_segment",
        "nps_segment",
        "csat_segment",
    ]
    complementary = "suppressed to protect a segment with n < 30"
    for key in per_segment:
        frame = report.table(key).frame
        rows = frame[frame["segment"] == "West"]
        assert len(rows) == 1, key  # kept, not dropped
        assert rows["note"].iloc[0] == "suppressed, n < 30", key
        counts = ["segment", "n", "note", "missing"]  # sizes stay visible
        figures = rows.drop(columns=counts, errors="ignore").iloc[0]
        assert figures.isna().all(), key  # figures blanked (sizes_region has none)
        # complementary suppression: South, the smallest other region, is hidden too,
        # so that the total minus the published regions does not give West's figures
        south = frame[frame["segment"] == "South"]
        assert south["note"].iloc[0] == complementary, key
        assert south.drop(columns=counts, errors="ignore").isna().all().all(), key
        others = frame[~frame["segment"].isin(["West", "South"])]
        assert (others["note"] == "").all(), key
        assert others.drop(columns=counts, errors="ignore").notna().all().all(), key
    # the index with its bootstrap interval: one row per segment and construct
    ci = report.table("index_segment_ci").frame
    west, south = ci["segment"] == "West", ci["segment"] == "South"
    assert west.sum() == 6 and (ci.loc[west, "note"] == "suppressed, n < 30").all()
    assert (ci.loc[south, "note"] == complementary).all()
    hidden = west | south
    assert ci.loc[hidden, ["index", "lower limit", "upper limit"]].isna().all().all()
    assert (ci.loc[west, "n"] == n_west).all()  # the size stays visible
    big = ci[~hidden]
    assert (big["note"] == "").all()
    assert ((big["lower limit"] <= big["index"]) & (big["index"] <= big["upper limit"])).all()
    # each segment against the rest: West (under 30) and South (its complement) are
    # blanked and marked for every construct, East and North are shown
    vs = report.table("index_vs_rest").frame
    west_v, south_v = vs["segment"] == "West", vs["segment"] == "South"
    assert west_v.sum() == 6 and (vs.loc[west_v, "note"] == "suppressed, n < 30").all()
    assert (vs.loc[south_v, "note"] == complementary).all()
    figures = ["index", "index of the rest", "difference", "std. error", "p", "p (Holm)"]
    figures += ["lower limit", "upper limit"]
    assert vs.loc[west_v | south_v, figures].isna().all().all()
    assert (vs.loc[west_v, "n"] == n_west).all()  # the size stays visible
    assert vs.loc[~(west_v | south_v), figures].notna().all().all()
    assert (vs.loc[~(west_v | south_v), "note"] == "").all()
    keys = [t.key for t in report.tables]
    assert "index_differences" not in keys  # every pair only with pairs=True
    if "index_vs_rest_significant" in keys:  # significant ones only: none is suppressed
        body = report.table("index_vs_rest_significant").frame
        assert not body["segment"].isin(["West", "South"]).any()
    doc = render_html(report)
    marked = 2 * len(per_segment) + int(hidden.sum()) + int((west_v | south_v).sum())
    assert doc.count('<tr class="suppressed">') == marked


def test_min_segment_size_is_settable(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(
            survey, segment="region", min_segment_size=700, bootstrap=0, figures=False, sem=False
        )
    frame = report.table("index_segment").frame
    marked = set(frame.loc[frame["note"] != "", "segment"])
    assert marked == {"South", "West"}  # 672 and 516 respondents
    assert set(frame.loc[frame["note"] == "", "segment"]) == {"East", "North"}
    assert (frame.loc[frame["note"] != "", "note"] == "suppressed, n < 700").all()


# ---------------------------------------------------------------------------- privacy guard
def test_guard_drops_private_columns_and_redacts_values():
    guard = PrivacyGuard.of(["name", "phone"], ["Zhang Xin", "10038163981", "Li"])
    frame = pd.DataFrame(
        {
            "name": ["Zhang Xin"],
            "segment": ["zhang xin "],
            "x": [10038163981.0],
            "who": ["Li"],
            "y": [0.5],
        }
    )
    out, found = guard.clean_frame(frame)
    assert "name" not in out.columns
    assert out["segment"].iloc[0] == "[redacted]"
    assert out["x"].iloc[0] == "[redacted]"  # a phone number read as a number
    assert out["who"].iloc[0] == "[redacted]"  # short values match whole cells
    assert out["y"].iloc[0] == 0.5
    assert found == 4
    assert frame["name"].iloc[0] == "Zhang Xin"  # caller's frame untouched
    assert guard.find("Oliver and Linda") == []  # "Li" is too short to match inside words
    assert guard.find("call Zhang Xin today") == ["zhang xin"]
    with pytest.raises(PrivacyError, match="private column"):
        guard.assert_clean("<p>phone 10038163981</p>")


def test_guard_is_applied_before_writing(tmp_path, survey):
    guard = PrivacyGuard.from_survey(survey)
    leak = survey.data["email"].iloc[0]
    bad = Table("leak", "Leak", pd.DataFrame({"email": [leak], "who": [leak], "n": [1]}))
    note = Text(f"contact {survey.data['name'].iloc[5]} for details")
    report = Report("t", "en", (Section("s", "S", (bad, note)),), guard=guard)
    with pytest.warns(PrivacyWarning, match="removed"):
        html_path = write_html(report, tmp_path / "r.html")
    doc = html_path.read_text(encoding="utf-8")
    assert leak not in doc and survey.data["name"].iloc[5] not in doc
    assert "[redacted]" in doc and ">email<" not in doc
    with pytest.warns(PrivacyWarning):
        xlsx = write_excel(report, tmp_path / "r.xlsx")
    back = pd.read_excel(xlsx, sheet_name="leak")
    assert list(back.columns) == ["who", "n"] and back["who"].iloc[0] == "[redacted]"


def test_private_segment_is_refused(survey):
    with pytest.raises(CsiInputError, match="'phone' is a private column"):
        run_analysis(survey, segment="phone", figures=False)
    with pytest.raises(CsiInputError, match="segment column 'nowhere' not found"):
        run_analysis(survey, segment="nowhere", figures=False)


# ---------------------------------------------------------------------------- atomic writes
def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "report.html"

    def half(tmp: Path) -> None:
        tmp.write_text("<html><body>half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, half)
    assert list(tmp_path.iterdir()) == []
    target.write_text("old report", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_atomic(target, half)
    assert target.read_text(encoding="utf-8") == "old report"  # previous file intact
    assert list(tmp_path.iterdir()) == [target]


def test_exception_inside_excel_writer_leaves_no_file(tmp_path, report_zh, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 partial")
        raise OSError("interrupted")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="interrupted"):
        write_report(report_zh, tmp_path / "out", formats=["xlsx"])
    assert list((tmp_path / "out").iterdir()) == []


def test_written_files_get_the_mode_of_a_normal_file(written_en):
    umask = os.umask(0o022)
    os.umask(umask)
    for path in written_en.values():
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


# ---------------------------------------------------------------------------- optional parts
def test_result_without_quality_or_bootstrap_is_marked_not_available(survey, monkeypatch):
    # e.g. an estimator that offers neither: the report says so instead of failing
    monkeypatch.delattr(PLSResult, "quality")
    monkeypatch.delattr(PLSResult, "bootstrap")
    report = run_analysis(survey, segment="region", figures=False, sem=False)
    quality = report.section("quality")
    assert not quality.available
    assert quality.blocks[0].text == ("Not available: the fitted result has no quality() method")
    assert list(report.table("index").frame.columns) == ["construct", "index"]
    assert list(report.table("path_coefficients").frame.columns) == ["from", "to", "estimate"]
    texts = [b.text for b in report.section("index").blocks if isinstance(b, Text)]
    assert (
        "Standard errors, p-values and intervals are not available (the fitted result has no "
        "bootstrap() method)." in texts
    )
    assert "index_segment_ci" not in [t.key for t in report.tables]
    assert report.section("index").available  # the rest of the section is there


def test_bootstrap_off_keeps_the_htmt_without_upper_limits(survey):
    report = run_analysis(survey, bootstrap=0, figures=False, sem=False)
    htmt = report.table("htmt")
    assert list(htmt.frame.columns) == ["construct 1", "construct 2", "HTMT", "meets the threshold"]
    assert "not available (bootstrap = 0 (turned off))" in htmt.note


def test_thresholds_are_settable_and_flagged_with_diagnostics(survey):
    report = run_analysis(survey, thresholds={"ave": 0.8}, bootstrap=0, figures=False, sem=False)
    rel = report.table("reliability").frame.set_index("construct")
    below = rel.index[rel["AVE"] < 0.8]
    assert set(below) == {"Expectation", "Quality", "Loyalty"}  # AVE 0.69, 0.68, 0.75
    assert (rel.loc[below, "check"] == "AVE below 0.80").all()
    lists = [b for b in report.section("quality").blocks if isinstance(b, Bullets)]
    assert lists[0].title == "Diagnostics (PLS path modelling)"
    assert sum("AVE" in i for i in lists[0].items) == 3
    with pytest.raises(CsiInputError, match="unknown threshold"):
        run_analysis(survey, thresholds={"nope": 1.0}, bootstrap=0, figures=False, sem=False)
    with pytest.raises(CsiInputError, match="at least 2 resamples"):
        run_analysis(survey, bootstrap=1, figures=False, sem=False)


def test_segment_with_one_value_keeps_the_overall_intervals(survey):
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    one = read_survey(raw[raw["region"] == "North"].reset_index(drop=True), CODEBOOK)
    report = run_analysis(one, segment="region", bootstrap=100, figures=False, sem=False)
    index = report.table("index").frame
    assert index["lower limit"].notna().all()
    texts = [b.text for b in report.section("index").blocks if isinstance(b, Text)]
    assert any(t.startswith("Segment intervals are not available") for t in texts)


def test_missing_indicator_system_is_marked_not_available(survey, tmp_path):
    report = run_analysis(
        survey, system=tmp_path / "absent.yaml", bootstrap=0, figures=False, sem=False
    )
    section = report.section("system")
    assert not section.available
    assert "indicator-system file not found" in section.blocks[0].text


def test_metrics_need_their_column(survey):
    # a recommend column asked for and absent is an error, never a silent "not available"
    with pytest.raises(CsiInputError, match="recommend column 'nps_question' not found"):
        run_analysis(survey, recommend="nps_question", bootstrap=0, figures=False, sem=False)


def test_nps_and_csat_use_every_valid_answer(survey):
    report = run_analysis(survey, bootstrap=0, figures=False, sem=False)
    answers = survey.all_responses()
    # CSAT: top-2 boxes of the 10-point SAT1 among everyone who answered SAT1 (by hand),
    # not only the respondents listwise deletion kept for the model
    sat1 = answers["SAT1"].dropna()
    csat = report.table("csat").frame
    assert csat["n"].iloc[0] == len(sat1) > survey.n
    assert csat["CSAT (%)"].iloc[0] == pytest.approx(100 * (sat1 >= 9).mean(), abs=1e-12)
    rec = answers["recommend"].dropna()
    nps = report.table("nps").frame
    assert nps["n"].iloc[0] == len(rec) == 3000
    expected = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    assert nps["NPS"].iloc[0] == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------------------- model mapping
def test_codebook_constructs_map_to_acsi_roles(survey):
    spec = spec_from_codebook(survey.codebook, "acsi")
    assert spec.constructs == survey.codebook.constructs
    assert ("Satisfaction", "Complaints") in spec.paths
    assert ("Expectation", "Quality") in spec.paths
    assert len(spec.paths) == 9


def _codebook(constructs: dict[str, dict]) -> Codebook:
    items = {}
    for k, c in enumerate(constructs):
        for j in range(2):
            items[f"I{k}{j}"] = {"construct": c}
    return Codebook.from_dict({"scale": [1, 10], "constructs": constructs, "items": items})


def test_chinese_names_labels_and_explicit_roles_map():
    cb = _codebook(
        {
            "预期质量": {},
            "PQ": {"label_en": "Quality"},
            "价值": {"label_zh": "感知价值"},
            "CSI": {},
            "LOY": {},
        }
    )
    roles = construct_roles(cb, {"CSI": "satisfaction", "LOY": "Loyalty"})
    assert roles == {
        "预期质量": "expectation",
        "PQ": "quality",
        "价值": "value",
        "CSI": "satisfaction",
        "LOY": "loyalty",
    }
    spec = spec_from_codebook(cb, roles={"CSI": "satisfaction", "LOY": "loyalty"})
    assert ("CSI", "LOY") in spec.paths and len(spec.paths) == 7  # no complaints
    with pytest.raises(CsiInputError, match="construct 'CSI' matches no CSI role"):
        spec_from_codebook(cb, roles={"LOY": "loyalty"})
    with pytest.raises(CsiInputError, match="unknown role 'delight'"):
        construct_roles(cb, {"CSI": "delight"})


def test_image_construct_selects_ecsi():
    cb = _codebook(
        {n: {} for n in ("Image", "Expectation", "Quality", "Value", "Satisfaction", "Loyalty")}
    )
    spec = spec_from_codebook(cb)
    assert ("Image", "Loyalty") in spec.paths
    with pytest.raises(CsiInputError, match="not part of the ACSI model"):
        spec_from_codebook(cb, "acsi")


def test_sheet_names_match_the_tables(report_zh):
    from csi.report.excel import sheet_title

    names = sheet_names(report_zh)
    # a Chinese workbook names its table sheets in Chinese (unique, valid)
    taken: set[str] = {"目录", "概览"}
    expected = [sheet_name(sheet_title(t.key, "zh"), taken) for t in report_zh.tables]
    assert names[:2] == ["目录", "概览"] and names[2:] == expected


def test_unusable_metric_column_fails_its_section_only(survey):
    # "wave" holds text (2025H2, 2026H1): NPS cannot use it
    report = run_analysis(survey, recommend="wave", bootstrap=0, figures=False, sem=False)
    section = report.section("metrics")
    assert not section.available
    assert section.blocks[0].text.startswith("Not available: CsiInputError")
    assert report.section("index").available  # the rest of the report is there
    # the failure is recorded (the CLI exits non-zero on it) and the summary quotes no NPS
    assert len(report.failures) == 1
    assert report.failures[0].startswith("Service metrics (NPS, CSAT): CsiInputError")
    cards, findings, _ = _glance(report)
    assert not any("Net Promoter" in f for f in findings)
    assert "NPS" not in [c.label for c in cards]


# ---------------------------------------------------------------------------- at a glance
@pytest.fixture(scope="module")
def fitted(survey):
    """The model fitted directly (not through the report), for independent checks."""
    from csi.pls import fit_pls
    from csi.report import load_model

    spec = load_model("acsi", survey.codebook)
    return fit_pls(survey.public_data(), spec, scale=survey.codebook)


def _glance(report: Report) -> tuple[list, list[str], list[str]]:
    """(key figures, findings, priorities) of the summary section."""
    section = report.section("glance")
    lists = [b for b in section.blocks if isinstance(b, Bullets)]
    findings = list(lists[0].items)
    priorities = list(lists[1].items) if len(lists) > 1 else []
    return list(section.key_figures), findings, priorities


def test_summary_comes_first_with_the_index_of_the_index_table(report_en):
    assert report_en.sections[0].key == "glance" and SECTIONS[0] == "glance"
    assert report_en.sections[0].title == "At a glance"
    cards, findings, _ = _glance(report_en)
    assert [c.label for c in cards] == [
        "Satisfaction index (0-100)",
        "Change since 2025H2",
        "Satisfied (levels 5-7)",
        "Net Promoter Score",
    ]
    index = report_en.table("index").frame.set_index("construct").loc["Satisfaction"]
    assert cards[0].number == index["index"]  # the same library result, not recomputed
    assert cards[0].value == f"{index['index']:.1f}"
    lo, hi = index["lower limit"], index["upper limit"]
    assert cards[0].detail == f"95% interval {lo:.1f} to {hi:.1f}"
    assert findings[0] == (
        f"The Satisfaction index is {index['index']:.1f} out of 100 "
        f"(95% interval {lo:.1f} to {hi:.1f})."
    )
    nps = report_en.table("nps").frame.iloc[0]
    assert cards[3].number == nps["NPS"]
    assert cards[3].detail == f"95% interval {nps['lower limit']:+.1f} to {nps['upper limit']:+.1f}"


def test_summary_period_change_is_compare_periods(report_en, survey, fitted):
    from csi.metrics import compare_periods

    scores = fitted.respondent_index()["Satisfaction"]
    frame = pd.DataFrame(
        {"s": scores.to_numpy(), "wave": survey.data.loc[scores.index, "wave"].to_numpy()}
    )
    row = compare_periods(frame, "s", period="wave", current="2026H1", previous="2025H2").iloc[0]
    assert row["text"] == "69.1, up 0.9 points"
    # Welch's t test by hand (scipy): the same p-value
    from scipy import stats

    cur, prev = frame.loc[frame["wave"] == "2026H1", "s"], frame.loc[frame["wave"] == "2025H2", "s"]
    assert row["pvalue"] == pytest.approx(stats.ttest_ind(cur, prev, equal_var=False).pvalue)
    cards, findings, _ = _glance(report_en)
    assert row["ci_lower"] < 0 < row["ci_upper"]  # the interval covers 0 ...
    change = cards[1]
    assert change.number == pytest.approx(row["difference"]) and change.muted
    assert change.detail.startswith("no significant change")  # ... and the report says so
    assert findings[1] == (
        f"2026H1 against 2025H2: {row['text']}, no significant change (the 95% interval of "
        f"the change, {row['ci_lower']:+.1f} to {row['ci_upper']:+.1f}, covers 0; Welch t "
        f"test, p = {row['pvalue']:.3f})."
    )


def test_summary_priorities_are_the_first_ipma_priorities(report_en, fitted, survey):
    from csi.pls.index import ipma_priorities

    expected = ipma_priorities(fitted.ipma("Satisfaction", exclude=["Expectation"]))
    first = expected[expected["kind"] == "indicator"].head(3)
    _, _, priorities = _glance(report_en)
    assert len(priorities) == 3
    for sentence, row in zip(priorities, first.itertuples(), strict=True):
        label = survey.codebook.label(row.name, lang="en")
        assert sentence.startswith(f"{label} ({row.name}, {row.construct}): ")
        assert f"performance {row.performance:.1f} of 100" in sentence
        assert f"adds {row.importance:.2f} points" in sentence
    # the sample's weak spot is value for money: high importance, low performance
    assert first["name"].iloc[0].startswith("VAL")
    assert "high importance, low performance" in priorities[0]
    notes = [b.text for b in report_en.section("glance").blocks if isinstance(b, Text)]
    assert not notes[0].startswith("No item combines high importance with low performance")


def test_summary_shares_segments_and_quality(report_en, survey, fitted):
    from scipy import stats

    cards, findings, _ = _glance(report_en)
    scores = fitted.respondent_index()["Satisfaction"].to_numpy()
    # seven equal-width levels of 0-100: satisfied from 400/7, dissatisfied below 300/7
    sat, dis = 100 * np.mean(scores >= 400 / 7), 100 * np.mean(scores < 300 / 7)
    assert cards[2].number == pytest.approx(sat) and cards[2].value == f"{sat:.1f}%"
    assert f"{sat:.1f}% are satisfied" in findings[2] and f"{dis:.1f}% dissatisfied" in findings[2]
    # West against the rest by Welch's t test, Holm over the four segments: below
    region = survey.data.loc[fitted.respondent_index().index, "region"].to_numpy()
    p = {
        r: stats.ttest_ind(scores[region == r], scores[region != r], equal_var=False).pvalue
        for r in ("East", "North", "South", "West")
    }
    assert min(p, key=p.get) == "West" and 4 * p["West"] < 0.05
    west = scores[region == "West"].mean()
    line = [f for f in findings if f.startswith("Significantly below")]
    assert line == [
        "Significantly below the rest of the respondents in Satisfaction (region; Welch t "
        f"test, Holm correction): West {west:.1f}, "
        f"{scores[region != 'West'].mean() - west:.1f} points lower"
        + line[0].split("points lower", 1)[1]
    ]
    assert findings[-1] == (
        # 4 notes: respondents left out listwise (PLS, CB-SEM), two low CB-SEM loadings
        "Model quality: all reliability and validity checks passed (4 notes: see Reliability "
        "and validity)."
    )


def test_summary_without_period_recommend_or_bootstrap(survey, tmp_path):
    import yaml

    book = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    del book["period"], book["extras"]["recommend"], book["recommend"]
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(book), encoding="utf-8")
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE}).drop(columns=["recommend", "wave"])
    plain = read_survey(raw, tmp_path / "codebook.yaml")
    report = run_analysis(plain, bootstrap=0, figures=False, sem=False)
    assert report.sections[0].key == "glance"
    cards, findings, priorities = _glance(report)
    assert [c.label for c in cards] == ["Satisfaction index (0-100)", "Satisfied (levels 5-7)"]
    assert cards[0].detail == "no interval (no bootstrap)"
    assert (
        cards[0].number
        == report.table("index").frame.set_index("construct")["index"].loc["Satisfaction"]
    )
    assert findings[0].startswith("The Satisfaction index is ") and "interval" not in findings[0]
    assert not any("against" in f or "Net Promoter" in f for f in findings)
    assert not any("segment" in f for f in findings)  # no segment given
    assert len(priorities) == 3
    write_report(report, tmp_path / "out")  # renders and writes without those parts


def test_suppressed_segment_is_never_named_below(small_west):
    _, report = small_west
    _, findings, _ = _glance(report)
    line = [f for f in findings if "region" in f]
    assert len(line) == 1
    head, _, small = line[0].partition(" 2 segment(s) are not compared")
    assert "West" not in head  # not named as falling behind ...
    assert small == (  # ... only counted (West, and South hidden to protect it)
        " (fewer than 30 respondents, or hidden to protect such a segment; marked as "
        "suppressed in the tables)."
    )
    doc = render_html(report)
    glance = doc[doc.index('<section id="s-glance">') : doc.index('<section id="s-summary">')]
    assert "West" not in glance  # the summary is read out of context: never named there


def test_appendix_holds_the_technical_tables(report_en, written_en):
    from csi.report.sections import APPENDIX

    appendix = report_en.section("appendix")
    # every pair of segments only with pairs=True (workbook); each segment against the
    # rest instead
    keys = [t.key for t in appendix.tables]
    assert keys == [k for k in APPENDIX if k in keys]  # in appendix order
    assert "index_vs_rest" in keys and "index_differences" not in keys
    body = [t.key for s in report_en.sections[:-1] for t in s.tables]
    assert not ({*APPENDIX, "index_vs_rest"} & set(body))
    # the exclusions become one line of the data summary
    texts = [b.text for b in report_en.section("summary").blocks if isinstance(b, Text)]
    assert texts[0] == (
        "264 respondents (8.8%) were left out because of a missing answer to a model item; "
        "the reasons, and the cleaning per item, are in the appendix."
    )
    assert report_en.table("exclusion_reasons").frame["count"].sum() == 264
    # each segment against the rest: Holm within each construct, significant ones in the
    # body (model order, lowest difference first), the full table in the appendix
    full = report_en.table("index_vs_rest").frame
    for _, part in full.groupby("construct"):
        p = part["p"].to_numpy()
        order = np.argsort(p)
        m = len(p)
        holm = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
        np.testing.assert_allclose(part["p (Holm)"].to_numpy()[order], holm)
    significant = report_en.table("index_vs_rest_significant").frame
    assert len(significant) and (significant["p (Holm)"] < 0.05).all()
    keep = full[full["p (Holm)"] < 0.05].drop(columns="note")
    key = ["construct", "segment"]
    pd.testing.assert_frame_equal(
        significant.sort_values(key).reset_index(drop=True),
        keep.sort_values(key).reset_index(drop=True),
    )
    assert "index_vs_rest_significant" in [t.key for t in report_en.section("index").tables]
    assert "index_differences" not in [t.key for t in report_en.tables]
    doc = written_en["html"].read_text(encoding="utf-8")
    assert doc.index('id="s-appendix"') > doc.index('id="s-paths"')
    assert doc.index('id="t-index_vs_rest"') > doc.index('id="s-appendix"')


def test_chinese_summary_is_in_chinese(report_zh, survey, fitted):
    from csi.metrics import compare_periods

    assert report_zh.sections[0].title == "概览"
    cards, findings, priorities = _glance(report_zh)
    assert cards[0].label == "顾客满意度指数（0-100）"
    assert cards[0].detail == "无置信区间（未做自助法）"  # bootstrap=0 in this report
    assert findings[0] == f"顾客满意度指数为 {cards[0].number:.1f}（满分 100）。"
    scores = fitted.respondent_index()["Satisfaction"]
    frame = pd.DataFrame(
        {"s": scores.to_numpy(), "wave": survey.data.loc[scores.index, "wave"].to_numpy()}
    )
    text = compare_periods(
        frame, "s", period="wave", current="2026H1", previous="2025H2", lang="zh"
    )["text"].iloc[0]
    assert text == "69.1，上升0.9分"
    assert findings[1].startswith(f"2026H1与2025H2相比：{text}，无显著变化")
    assert "按七级量表" in findings[2] and "净推荐值" in findings[3]
    assert findings[-1].startswith("模型质量：")
    assert priorities[0].startswith("给定质量下对价格的评价（VAL1，感知价值）：重要性高、表现低")
    assert report_zh.section("appendix").title == "附录：技术细节"
