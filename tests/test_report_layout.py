"""The report's layout: contents, workbook (sheet names, widths, formats, frozen
headers), the exclusion reasons summarised, the new figures, and the sentences that
tell competing figures apart."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import csi.report.sections_metrics
import csi.report.sections_system
from csi.report import run_analysis, write_report
from csi.report.build import hidden_segments
from csi.report.document import Report, Section, Table
from csi.report.excel import SHEETS_ZH, display_width, sheet_names, sheet_title
from csi.report.html import render_html
from csi.report.labels import TEXT
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"
SYSTEM = ROOT / "data" / "samples" / "indicator_system.yaml"
PRIVATE = ["respondent_id", "name", "phone", "email"]


def _run(survey, **options) -> Report:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, segment="region", sem=False, **options)


@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


@pytest.fixture(scope="module")
def report_en(survey):
    return _run(survey, bootstrap=30)  # no indicator system: two sections not available


@pytest.fixture(scope="module")
def report_zh(survey):
    return _run(survey, system=SYSTEM, lang="zh", bootstrap=0)


@pytest.fixture(scope="module")
def book_zh(report_zh, tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    return write_report(report_zh, out)["xlsx"]


@pytest.fixture(scope="module")
def book_en(report_en, tmp_path_factory):
    out = tmp_path_factory.mktemp("en")
    return write_report(report_en, out)


def _nav(doc: str) -> list[str]:
    nav = re.search(r"<nav>.*?</nav>", doc, re.S)
    assert nav is not None
    return re.findall(r'<a href="#s-([^"]+)">', nav.group(0))


# ---------------------------------------------------------------------------- contents
def test_contents_list_only_sections_with_content(report_en, book_en):
    missing = [s.key for s in report_en.sections if not s.available]
    assert set(missing) == {"system", "fuzzy"}
    doc = render_html(report_en)
    nav = _nav(doc)
    assert nav == [s.key for s in report_en.sections if s.available]
    # the sections keep their place and say why they are empty
    for key in missing:
        assert f'<section id="s-{key}">' in doc
    assert doc.count('class="note unavailable"') == len(missing)
    wb = openpyxl.load_workbook(book_en["xlsx"])
    rows = [r for r in wb["Contents"].iter_rows(values_only=True) if any(r)]
    listed = {r[1] for r in rows if r[0]}
    for s in report_en.sections:
        if not s.available:
            assert s.title not in listed
    assert (
        rows[-1][0]
        == "Not in this report: "
        + "; ".join(s.title for s in report_en.sections if not s.available)
        + "."
    )


# ---------------------------------------------------------------------------- workbook
def test_chinese_workbook_has_chinese_valid_unique_sheet_names(report_zh, book_zh):
    wb = openpyxl.load_workbook(book_zh)
    names = wb.sheetnames
    assert names == sheet_names(report_zh)
    assert names[:2] == ["目录", "概览"]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    for key in ("index", "index_segment", "nps_segment", "levels", "system_weights", "impacts"):
        assert SHEETS_ZH[key] in names
    # every table sheet has a Chinese name (keys with a column keep the column)
    chinese = re.compile("[\u4e00-\u9fff]")
    for table, name in zip(report_zh.tables, names[2:], strict=True):
        assert chinese.search(name) or name in ("HTMT", "CSAT", "Fornell-Larcker"), (
            table.key,
            name,
        )
    assert sheet_title("sizes_region", "zh") == "细分群体样本量_region"
    assert sheet_title("index_segment_渠道", "zh") == "细分群体指数_渠道"
    assert sheet_title("index_segment", "en") == "index_segment"
    # the sheets read back as the tables
    back = pd.read_excel(book_zh, sheet_name=SHEETS_ZH["index"])
    assert list(back.columns) == list(report_zh.table("index").frame.columns)


def test_columns_are_as_wide_as_their_display_width(report_zh, book_zh):
    assert display_width("顾客满意度") == 10 and display_width("abc") == 3
    assert display_width("ab\n顾客") == 4
    wb = openpyxl.load_workbook(book_zh)
    ws = wb[SHEETS_ZH["index"]]
    frame = report_zh.table("index").frame
    widest = max(display_width(v) for v in [frame.columns[0], *frame.iloc[:, 0]])
    assert ws.column_dimensions["A"].width == pytest.approx(min(max(8, widest + 2), 60))
    # a column of Chinese labels is wider than its character count
    ws = wb[SHEETS_ZH["measurement_model"]]
    labels = report_zh.table("measurement_model").frame["标签"].astype(str)
    col = list(report_zh.table("measurement_model").frame.columns).index("标签") + 1
    letter = openpyxl.utils.get_column_letter(col)
    assert ws.column_dimensions[letter].width >= min(60, max(len(x) for x in labels) * 2)


def test_number_formats_follow_the_digits_and_headers_are_frozen(report_zh, book_zh):
    wb = openpyxl.load_workbook(book_zh)
    ws = wb[SHEETS_ZH["index_segment"]]
    head = [c.value for c in ws[1]]
    n_col = head.index("样本量") + 1
    value_col = head.index("顾客满意度") + 1
    assert ws.cell(2, n_col).number_format == "0"
    assert ws.cell(2, value_col).number_format == "0.0"  # digits=1
    assert ws.freeze_panes == "A2"
    ws = wb[SHEETS_ZH["htmt"]]
    assert ws.cell(2, 3).number_format == "0.000"  # digits=3
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes == "A2", name
    contents = wb["目录"]
    assert contents.freeze_panes is not None
    header_row = int(contents.freeze_panes[1:]) - 1
    assert [c.value for c in contents[header_row]][:3] == ["工作表", "目录", "标题"]


# ---------------------------------------------------------------------------- reasons
def test_exclusion_reasons_are_summarised_in_the_report_and_listed_in_the_workbook(
    report_en, book_en
):
    full = report_en.table("exclusion_reasons").frame
    top = report_en.table("exclusion_reasons_top").frame
    assert len(full) > 11 and len(top) == 11
    assert list(top["reason"][:10]) == list(full["reason"][:10])
    assert top["reason"].iloc[-1] == f"other reasons ({len(full) - 10})"
    assert top["count"].sum() == full["count"].sum()
    assert top["share (%)"].sum() == pytest.approx(100)
    note = report_en.table("exclusion_reasons_top").note
    assert f"{len(full)} distinct reasons" in note and "exclusion_reasons" in note
    doc = book_en["html"].read_text(encoding="utf-8")
    assert 'id="t-exclusion_reasons_top"' in doc and 'id="t-exclusion_reasons"' not in doc
    last = full["reason"].iloc[-1]
    assert last not in doc  # only in the workbook
    back = pd.read_excel(book_en["xlsx"], sheet_name="exclusion_reasons")
    assert len(back) == len(full) and back["reason"].iloc[-1] == last


# ---------------------------------------------------------------------------- figures
def test_report_draws_the_new_figures(report_en, report_zh):
    keys = [f.key for f in report_en.figures]
    for key in ("index_trend", "impacts", "nps_segment", "levels", "index_segment"):
        assert key in keys
    for f in report_en.figures:
        assert f.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert report_en.section("metrics").figures[0].key == "nps_segment"
    assert report_en.section("impacts").figures[0].key == "impacts"
    assert "index_trend" in [f.key for f in report_en.section("index").figures]
    zh = [f.key for f in report_zh.figures]
    for key in ("index_trend", "impacts", "nps_segment", "levels", "hierarchy"):
        assert key in zh


def test_figures_leave_out_suppressed_segments(survey, monkeypatch):
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    west = raw.index[raw["region"] == "West"]
    small = read_survey(raw.drop(index=west[12:]).reset_index(drop=True), CODEBOOK)
    drawn: dict[str, pd.DataFrame] = {}
    metrics, system = csi.report.sections_metrics, csi.report.sections_system
    real_nps, real_levels = metrics.nps_plot, system.level_distribution_plot

    def nps_spy(frame, **kw):
        drawn["nps"] = frame.copy()
        return real_nps(frame, **kw)

    def levels_spy(frame, **kw):
        drawn["levels"] = frame.copy()
        return real_levels(frame, **kw)

    # the report sections import the plot functions at module level: patch them there
    monkeypatch.setattr(metrics, "nps_plot", nps_spy)
    monkeypatch.setattr(system, "level_distribution_plot", levels_spy)
    report = _run(small, bootstrap=0)
    hidden = hidden_segments(report, {"nps_segment", "levels_segment", "sizes_region"})
    assert "West" in hidden and len(hidden) >= 2  # West and its complement
    assert not set(drawn["nps"]["segment"]) & hidden
    assert not set(drawn["levels"]["group"]) & hidden
    assert len(drawn["nps"]) == 4 - len(hidden)


def test_hidden_segments_read_the_finished_tables():
    frame = pd.DataFrame({"segment": ["A", "B", "C"], "n": [10, 50, 60], "note": ["x", "", None]})
    report = Report("t", "en", (Section("s", "s", (Table("nps_segment", "t", frame),)),))
    assert hidden_segments(report, {"nps_segment"}) == {"A"}
    assert hidden_segments(report, {"other"}) == set()


# ---------------------------------------------------------------------------- wording
def test_competing_figures_are_explained_in_both_languages(report_en, report_zh):
    for report in (report_en, report_zh):
        lang = report.lang
        start = TEXT[lang]["satisfied_vs_csat"][:8]
        for key in ("glance", "levels", "metrics"):
            texts = [b.text for b in report.section(key).blocks if hasattr(b, "text")]
            assert any(t.startswith(start) for t in texts), (lang, key)
    system = [b.text for b in report_zh.section("system").blocks if hasattr(b, "text")]
    assert any(t.startswith("两个指数的含义不同") for t in system)
    index = [b.text for b in report_zh.section("index").blocks if hasattr(b, "text")]
    assert any(t.startswith("此处为模型指数") for t in index)
    en = [b.text for b in report_en.section("glance").blocks if hasattr(b, "text")]
    assert any('"satisfied (levels 5-7)"' in t and "CSAT is the share" in t for t in en)


def test_impacts_state_their_units(report_en, report_zh):
    table = report_en.table("impacts")
    assert "index points (0-100)" in table.title
    assert "impact (index points, 0-100)" in table.frame.columns
    notes = [b.text for b in report_en.section("impacts").blocks if hasattr(b, "text")]
    assert any("index points on the 0-100 scale" in t for t in notes)
    assert "指数分" in report_zh.table("impacts").title
    glance = render_html(report_en)
    assert "points to the Satisfaction index (index points, 0-100)" in glance
