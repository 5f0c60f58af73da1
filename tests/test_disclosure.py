"""Disclosure control: complementary suppression, rounding and the differencing attack."""

from __future__ import annotations

import math
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.disclosure import (
    complementary,
    differencing_attack,
    infer_segments,
    protect_report,
    suppression_mask,
)
from csi.metrics import box_scores, nps
from csi.metrics._common import suppress
from csi.report import run_analysis, write_excel, write_html
from csi.report.document import Report, Section, Table
from csi.report.privacy import mark_suppressed
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"
PRIMARY = "suppressed, n < 30"
COMPLEMENT = "suppressed to protect a segment with n < 30"


# ------------------------------------------------------------------------------ the rule
def test_one_small_segment_takes_the_smallest_other_with_it():
    sizes = {"A": 2, "B": 559, "C": 738, "D": 926}
    assert complementary(sizes, {"A"}, 30) == {"A", "B"}
    assert complementary(sizes, set(), 30) == set()  # nothing small: nothing hidden


def test_complements_are_added_until_two_segments_hold_min_size():
    sizes = {"A": 2, "B": 3, "C": 40, "D": 900}
    assert complementary(sizes, {"A", "B"}, 30) == {"A", "B", "C"}  # 5 < 30: one more
    assert complementary({"A": 2, "B": 3, "C": 40}, {"A", "B"}, 3) == {"A", "B"}
    # an empty segment protects nothing: the next one with respondents is taken
    assert complementary({"A": 2, "Z": 0, "C": 40}, {"A"}, 30) == {"A", "C"}
    # ties are broken by name, so every table of the report takes the same one
    assert complementary({"A": 2, "C": 50, "B": 50}, {"A"}, 30) == {"A", "B"}
    # two segments only: both hidden (the overall is the pair)
    assert complementary({"A": 2, "B": 5000}, {"A"}, 30) == {"A", "B"}


def test_two_way_table_is_protected_along_both_columns():
    frame = pd.DataFrame(
        {
            "region": ["N", "N", "S", "S"],
            "channel": ["web", "shop", "web", "shop"],
            "n": [2, 100, 200, 300],
        }
    )
    hidden = suppression_mask(frame, frame["n"] < 30, segments=["region", "channel"], min_size=30)
    # N/web is small: N/shop hides it within region N, S/web within channel web,
    # and then S/shop so that region S and channel shop are protected in turn
    assert hidden.tolist() == [True, True, True, True]
    rows = pd.DataFrame({"region": ["N", "S", "W"], "n": [2, 100, 200]})
    assert suppression_mask(rows, rows["n"] < 30, segments=["region"], min_size=30).tolist() == [
        True,
        True,
        False,
    ]


def test_segment_and_layer_columns_are_inferred():
    frame = pd.DataFrame(
        {"region": ["a"], "item": ["x"], "n": [3], "n_missing": [0], "mean": [1.0]}
    )
    assert infer_segments(frame) == (["region"], ["item"])


# --------------------------------------------------------------------- the metrics helper
def test_metrics_suppress_adds_the_complement_and_keeps_n():
    frame = pd.DataFrame(
        {"region": ["E", "N", "S", "W"], "n": [900, 700, 650, 2], "promoters": [300, 200, 150, 1]}
    )
    out = suppress(frame, ["promoters"], 30)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["promoters"].isna().tolist() == [False, False, True, True]
    assert out["n"].tolist() == [900, 700, 650, 2]  # sizes stay
    only = suppress(frame, ["promoters"], 30, complementary=False)
    assert only["suppressed"].tolist() == [False, False, False, True]
    single = suppress(frame.iloc[[3]], ["promoters"], 30)  # no segments: primary only
    assert single["suppressed"].tolist() == [True]


def test_nps_by_segment_cannot_be_recovered_from_the_overall():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(
        {
            "recommend": rng.integers(0, 11, 1000).astype(float),
            "region": rng.choice(["E", "N", "S"], 1000).tolist(),
        }
    )
    data.loc[:1, "region"] = "W"  # two respondents
    overall = nps(data, min_size=30).iloc[0]
    t = nps(data, by="region", min_size=30)
    hidden = t[t["suppressed"]]
    assert len(hidden) == 2 and "W" in set(hidden["region"])
    shown = t[~t["suppressed"]]
    for col in ("promoters", "passives", "detractors"):
        rest = int(overall[col]) - int(shown[col].sum())
        w_n = int(t.loc[t["region"] == "W", "n"].iloc[0])
        other_n = int(hidden["n"].sum()) - w_n
        # what subtraction leaves for W: the Fréchet bounds, wider than one count
        low, high = max(0, rest - other_n), min(w_n, rest)
        assert high - low >= min(2, w_n)


def test_box_scores_protect_each_item_separately():
    data = pd.DataFrame(
        {
            "a": [1, 2, 3, 4, 5] * 20,
            "b": [5, 4, 3, 2, 1] * 20,
            "g": ["x"] * 60 + ["y"] * 38 + ["z"] * 2,
        }
    )
    t = box_scores(data, ["a", "b"], scale=(1, 5), by="g", min_size=30)
    for _, part in t.groupby("item"):
        assert dict(zip(part["g"], part["suppressed"], strict=True)) == {
            "x": False,
            "y": True,
            "z": True,
        }


def test_mark_suppressed_notes_primary_and_complementary_segments():
    frame = pd.DataFrame({"segment": ["E", "S", "W"], "n": [900, 650, 2], "index": [70.0] * 3})
    out = mark_suppressed(frame, min_size=30, lang="en", figures=["index"])
    assert out["note"].tolist() == ["", COMPLEMENT, PRIMARY]
    assert out["index"].isna().tolist() == [False, True, True]
    zh = mark_suppressed(frame, min_size=30, lang="zh", figures=["index"])
    assert zh["note"].iloc[1].startswith("不予显示")


# ---------------------------------------------------------------- the attack on a Report
def _hand_report(note: list[str], index: list[float]) -> Report:
    seg = pd.DataFrame(
        {"segment": ["E", "S", "W"], "n": [900, 650, 2], "Satisfaction": index, "note": note}
    )
    n = np.array([900, 650, 2])
    true = np.array([70.0, 60.0, 95.0])
    overall = pd.DataFrame({"construct": ["Satisfaction"], "index": [float(n @ true / n.sum())]})
    counts = pd.DataFrame(
        {
            "segment": ["E", "S", "W"],
            "n": [900, 650, 2],
            "promoters": pd.array([300, 200, 2 if not note[2] else None], dtype="Int64"),
            "note": note,
        }
    )
    nps_overall = pd.DataFrame({"n": [1552], "promoters": [502]})
    tables = (
        Table("index", "index", overall, digits=1),
        Table("index_segment", "by segment", seg, digits=1),
        Table("nps", "nps", nps_overall, digits=1),
        Table("nps_segment", "nps by segment", counts, digits=1),
    )
    return Report("r", "en", (Section("s", "s", tables),))


def test_primary_suppression_alone_is_recovered_and_protect_report_stops_it():
    weak = _hand_report(["", "", PRIMARY], [70.0, 60.0, float("nan")])
    found = differencing_attack(weak, rounded=False)
    assert {(r.table, r.column) for r in found} == {
        ("index_segment", "Satisfaction"),
        ("nps_segment", "promoters"),
    }
    hit = next(r for r in found if r.column == "promoters")
    assert hit.low == hit.high == 2  # 502 - 300 - 200
    safe = protect_report(weak)
    assert differencing_attack(safe, rounded=False) == []
    frame = safe.table("nps_segment").frame
    assert frame["note"].tolist() == ["", COMPLEMENT, PRIMARY]
    assert frame["promoters"].isna().tolist() == [False, True, True]
    assert frame["n"].tolist() == [900, 650, 2]
    again = protect_report(safe)  # the writers run it again: nothing changes
    pd.testing.assert_frame_equal(again.table("nps_segment").frame, frame)


# ------------------------------------------------------------------ whole reports, files
def _report(shrink: dict[str, int]) -> Report:
    raw = pd.read_csv(SURVEY, dtype={c: str for c in ("respondent_id", "name", "phone", "email")})
    for region, keep in shrink.items():
        rows = raw.index[raw["region"] == region]
        raw.loc[rows[keep:], "region"] = "East"  # relabelled: the region keeps `keep` rows
    survey = read_survey(raw, CODEBOOK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, "acsi", segment="region", bootstrap=0, figures=False, sem=False)


@pytest.fixture(scope="module", params=[{"West": 2}, {"West": 2, "South": 3}], ids=["one", "two"])
def written(request, tmp_path_factory):
    report = _report(request.param)
    folder = tmp_path_factory.mktemp("disclosure")
    html = write_html(report, folder / "report.html")
    xlsx = write_excel(report, folder / "report.xlsx")
    return request.param, report, html, xlsx


class _Tables(HTMLParser):
    """``{table key: rows of cell text}`` from the report's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h3" and (a.get("id") or "").startswith("t-"):
            self._key = (a["id"] or "")[2:]
            self.tables[self._key] = []
        elif tag == "tr" and self._key is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key is not None:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _as_number(text: str) -> object:
    t = text.replace("\u202f", "").strip()
    if t in ("–", ""):
        return np.nan if t == "–" else ""
    try:
        return int(t) if t.lstrip("-").isdigit() else float(t)
    except ValueError:
        return text


def _html_report(path: Path, report: Report) -> Report:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    tables = []
    for t in report.tables:
        if t.key in report.summarised():
            continue  # a full list the HTML shows as its summary (the workbook has both)
        rows = parser.tables[t.key]
        frame = pd.DataFrame([[_as_number(c) for c in r] for r in rows[1:]], columns=rows[0])
        for col in frame.columns:
            if col not in ("segment", "note"):
                try:
                    frame[col] = pd.to_numeric(frame[col])
                except (TypeError, ValueError):
                    pass  # a text column
        tables.append(Table(t.key, t.title, frame, digits=t.digits))
    return Report("html", report.lang, (Section("all", "all", tuple(tables)),))


def _excel_report(path: Path, report: Report) -> Report:
    sheets = pd.read_excel(path, sheet_name=None)
    tables = []
    for t in report.tables:
        frame = sheets[t.key]
        if "note" in frame.columns:
            frame["note"] = ["" if pd.isna(v) else str(v) for v in frame["note"]]
        tables.append(Table(t.key, t.title, frame, digits=t.digits))
    return Report("xlsx", report.lang, (Section("all", "all", tuple(tables)),))


def test_nothing_is_recovered_from_the_html_or_the_workbook(written):
    shrink, report, html, xlsx = written
    for published in (_html_report(html, report), _excel_report(xlsx, report)):
        segment_tables = [t for t in published.tables if "segment" in t.frame.columns]
        assert len(segment_tables) >= 6  # sizes, index, period, levels, NPS, CSAT
        assert differencing_attack(published, min_size=30) == []
        for key in ("index_segment", "levels_segment", "nps_segment", "csat_segment"):
            frame = published.table(key).frame.set_index("segment")
            for region in shrink:
                assert frame.loc[region, "note"] == PRIMARY, key
            hidden = frame[frame["note"].astype(str) != ""]
            assert len(hidden) >= 2 and hidden["n"].sum() >= 30, key
            figures = hidden.drop(columns=["n", "note", "missing"], errors="ignore")
            assert figures.isna().all().all(), key


def test_nps_counts_minus_published_segments_leave_the_small_region_open(written):
    shrink, _, _, xlsx = written
    sheets = pd.read_excel(xlsx, sheet_name=["nps", "nps_segment"])
    overall, seg = sheets["nps"].iloc[0], sheets["nps_segment"]
    hidden = seg[seg["note"].notna()]
    shown = seg[seg["note"].isna()]
    for region in shrink:
        n_small = int(seg.loc[seg["segment"] == region, "n"].iloc[0])
        others = int(hidden["n"].sum()) - n_small
        for col in ("promoters", "passives", "detractors"):
            rest = int(overall[col]) - int(shown[col].sum())
            low, high = max(0, rest - others), min(n_small, rest)
            assert high - low >= min(2, n_small), (region, col)


def test_workbook_figures_are_rounded_to_the_digits_shown(written):
    _, report, _, xlsx = written
    sheets = pd.read_excel(xlsx, sheet_name=None)
    for t in report.tables:
        for col in sheets[t.key].columns:
            values = pd.to_numeric(sheets[t.key][col], errors="coerce").dropna().to_numpy()
            assert np.allclose(values, np.round(values, t.digits), atol=1e-12), (t.key, col)
    import openpyxl

    wb = openpyxl.load_workbook(xlsx, read_only=True)
    glance = [r for r in wb["At a glance"].iter_rows(values_only=True) if r and len(r) > 1]
    numbers = [r[1] for r in glance if isinstance(r[1], float)]
    assert numbers and all(math.isclose(x, round(x, 1)) for x in numbers)


def test_full_precision_would_have_given_the_small_region_away():
    """The attack itself: on an unprotected report (primary suppression only, figures
    at full precision) it recovers the 2-respondent region's index exactly."""
    report = _report({"West": 2})
    index = report.table("index_segment").frame
    overall = report.table("index").frame.set_index("construct")["index"]
    west = index["segment"] == "West"
    assert (index.loc[west, "note"] == PRIMARY).all()
    shown = index[index["note"] == ""]
    assert len(shown) == 2  # West and its complement hidden
    n_total = index["n"].sum()
    for construct in ("Satisfaction", "Loyalty"):
        rest = n_total * overall[construct] - (shown["n"] * shown[construct]).sum()
        hidden_n = index.loc[index["note"] != "", "n"].to_numpy()
        # even at full precision the two hidden segments leave West anywhere in
        # [(rest - 100 * other) / 2, rest / 2] clipped to 0-100: wider than 10 points
        other = hidden_n.sum() - index.loc[west, "n"].iloc[0]
        low = max(0.0, (rest - 100 * other) / index.loc[west, "n"].iloc[0])
        high = min(100.0, rest / index.loc[west, "n"].iloc[0])
        assert high - low > 10
