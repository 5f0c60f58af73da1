"""The report's figures: the new NPS and driver charts, the trend with intervals, and the
legibility rules every figure follows (no text under 9 pixels as the report shows it,
labels inside the axes, no rotated box labels, one CJK font policy)."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from csi._checks import CsiInputError
from csi.plots import (
    fonts,
    hierarchy_plot,
    impact_plot,
    index_plot,
    level_distribution_plot,
    nps_plot,
    path_diagram,
    trend_plot,
    weights_plot,
)
from csi.plots._common import MAX_WIDTH, REPORT_DPI, get_renderer, text_pixels
from csi.plots.drivers import NEGATIVE, POSITIVE
from csi.plots.nps import NPS_COLORS
from csi.plots.path_diagram import ELLIPSE_WIDTH

MIN_PX = 9.0


@pytest.fixture(autouse=True)
def _no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)]


def assert_legible(fig: Figure) -> None:
    """No text under 9 pixels at the report's dpi (scaled as the page shows it)."""
    fig.set_dpi(REPORT_DPI)
    small = [(t, round(px, 1)) for t, px in text_pixels(fig) if px < MIN_PX]
    assert small == [], small


def assert_inside_axes(fig: Figure) -> None:
    """Every data label and bar of each axes lies inside that axes."""
    fig.set_dpi(REPORT_DPI)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.canvas.draw()
    renderer = get_renderer(fig)
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            if t.get_transform() == ax.transAxes:
                continue  # a caption placed on purpose in axes coordinates
            e = t.get_window_extent(renderer)
            assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1, t.get_text()
            assert box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, t.get_text()
        for p in ax.patches:
            if isinstance(p, Rectangle) and p.get_visible():
                e = p.get_window_extent(renderer)
                assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1
                assert box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1


def assert_width_fits_the_page(fig: Figure) -> None:
    assert fig.get_figwidth() <= MAX_WIDTH + 1e-9


# ----------------------------------------------------------------------------- NPS
NPS = pd.DataFrame(
    {
        "segment": ["East", "North", "South", "West"],
        "pct_detractors": [35.2, 35.8, 40.0, 41.1],
        "pct_passives": [36.1, 34.9, 34.8, 34.7],
        "pct_promoters": [28.7, 29.3, 25.2, 24.2],
        "nps": [-6.5, -6.4, -14.8, -17.0],
    }
)


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_nps_plot_stacks_the_three_groups_per_segment() -> None:
    fig = nps_plot(NPS)
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 3 * len(NPS)
    # per colour one bar per segment; each segment's bar runs 0 -> 100
    for colour in NPS_COLORS:
        mine = [b for b in bars if np.allclose(b.get_facecolor()[:3], to_rgb(colour))]
        assert len(mine) == len(NPS)
    rows: dict[float, list[Rectangle]] = {}
    for b in bars:
        rows.setdefault(round(b.get_y() + b.get_height() / 2, 6), []).append(b)
    for parts in rows.values():
        parts.sort(key=lambda b: b.get_x())
        assert parts[0].get_x() == pytest.approx(0)
        assert parts[-1].get_x() + parts[-1].get_width() == pytest.approx(100)
    # segments top to bottom in the frame's order, the NPS written beside each bar
    assert [t.get_text() for t in ax.get_yticklabels()] == list(NPS["segment"])
    texts = _texts(fig)
    for v in NPS["nps"]:
        assert f"{v:+.1f}" in texts
    assert "35" in texts and "NPS" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["detractors (0-6)", "passives (7-8)", "promoters (9-10)"]
    assert_legible(fig)
    assert_inside_axes(fig)
    assert_width_fits_the_page(fig)


def test_nps_plot_refuses_blank_or_bad_rows() -> None:
    blank = NPS.copy()
    blank.loc[3, ["pct_detractors", "pct_passives", "pct_promoters", "nps"]] = np.nan
    with pytest.raises(CsiInputError, match="not a finite number"):
        nps_plot(blank)
    with pytest.raises(CsiInputError, match="is empty"):
        nps_plot(NPS.iloc[:0])
    with pytest.raises(CsiInputError, match="not found"):
        nps_plot(NPS.drop(columns="pct_passives"))


def test_nps_plot_in_chinese() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = nps_plot(NPS, lang="zh")
    assert "净推荐值" in _texts(fig)
    assert_legible(fig)


# ----------------------------------------------------------------------------- drivers
IMPACTS = pd.DataFrame(
    {
        "source": ["Expectation", "Quality", "Value", "Satisfaction", "Quality"],
        "target": ["Satisfaction", "Satisfaction", "Satisfaction", "Loyalty", "Loyalty"],
        "impact": [2.46, 3.18, 1.37, 2.80, 1.78],
    }
)


def test_impact_plot_draws_the_targets_drivers_sorted() -> None:
    fig = impact_plot(IMPACTS, target="Satisfaction")
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 3
    order = sorted(bars, key=lambda b: -b.get_y())  # top first
    assert [b.get_width() for b in order] == pytest.approx([3.18, 2.46, 1.37])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Quality", "Expectation", "Value"]
    assert {"+3.18", "+2.46", "+1.37"} <= set(_texts(fig))
    assert "index points" in ax.get_xlabel().lower() or "Index points" in ax.get_xlabel()
    assert ax.get_title() == "Drivers of Satisfaction"
    assert_legible(fig)
    assert_inside_axes(fig)
    assert_width_fits_the_page(fig)


def test_impact_plot_negative_drivers_are_red_and_inside() -> None:
    frame = pd.DataFrame({"source": ["Satisfaction", "Complaints"], "impact": [2.8, -0.76]})
    fig = impact_plot(frame, target="Loyalty", points=5)
    bars = _bars(fig.axes[0])
    colours = {round(b.get_width(), 2): b.get_facecolor()[:3] for b in bars}
    assert np.allclose(colours[-0.76], to_rgb(NEGATIVE))
    assert np.allclose(colours[2.8], to_rgb(POSITIVE))
    assert "-0.76" in _texts(fig)
    assert_inside_axes(fig)
    with pytest.raises(CsiInputError, match="several targets"):
        impact_plot(IMPACTS)
    with pytest.raises(CsiInputError, match="'Image' not found"):
        impact_plot(IMPACTS, target="Image")


# ----------------------------------------------------------------------------- trend
def test_trend_plot_with_intervals_has_a_band_per_series() -> None:
    frame = pd.DataFrame(
        {
            "period": ["2025H1", "2025H2", "2026H1"],
            "construct": "Satisfaction",
            "index": [67.5, 68.2, 69.1],
            "ci_lower": [66.4, 67.2, 68.1],
            "ci_upper": [68.6, 69.2, 70.1],
        }
    )
    fig = trend_plot(frame)
    ax = fig.axes[0]
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_ydata()) == pytest.approx([67.5, 68.2, 69.1])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025H1", "2025H2", "2026H1"]
    assert_legible(fig)
    assert_width_fits_the_page(fig)


# ----------------------------------------------------------------------------- others
def test_index_plot_with_many_bars_stays_on_the_page_and_legible() -> None:
    constructs = ["Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"]
    rows = [
        {"construct": c, "region": r, "index": 60.0 + i + j}
        for i, c in enumerate(constructs)
        for j, r in enumerate(["East", "North", "South", "West"])
    ]
    fig = index_plot(pd.DataFrame(rows), by="region")
    assert_width_fits_the_page(fig)
    assert_legible(fig)
    assert_inside_axes(fig)


def test_level_distribution_plot_is_legible() -> None:
    dist = pd.DataFrame(
        {
            "group": ["all"] * 7 + ["East"] * 7,
            "level": list(range(1, 8)) * 2,
            "share": [1, 2, 5, 12, 30, 35, 15, 2, 3, 5, 10, 30, 35, 15],
        }
    )
    fig = level_distribution_plot(dist, by="group")
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 8  # seven levels, neutral split in two halves
    assert_legible(fig)
    assert_inside_axes(fig)


def test_weights_plot_is_legible() -> None:
    fig = weights_plot(pd.Series({"a": 0.5, "b": 0.3, "c": 0.2}))
    assert_legible(fig)
    assert_inside_axes(fig)


HIERARCHY = pd.DataFrame(
    {
        "level": [1, 1, 1, 2, 2, 2, 2, 3, 3],
        "node": ["P", "S", "V", "P1", "P2", "S1", "S2", "V1", "V2"],
        "name": [
            "Product",
            "Service",
            "Price",
            "Function and design",
            "Reliability",
            "Process",
            "Staff",
            "Price given quality",
            "Quality given price",
        ],
        "parent": [None, None, None, "P", "P", "S", "S", "V", "V"],
        "local_weight": [0.53, 0.30, 0.17, 0.52, 0.48, 0.67, 0.33, 0.5, 0.5],
    }
)


def test_hierarchy_plot_numbers_narrow_boxes_instead_of_rotating_tiny_labels() -> None:
    frame = HIERARCHY.assign(level=[1, 1, 1, 2, 2, 2, 2, 2, 2])
    fig = hierarchy_plot(frame)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text().strip()]
    assert all(t.get_rotation() == 0 for t in texts)
    legend = ax.get_legend()
    assert legend is not None
    keyed = [t.get_text() for t in legend.get_texts()]
    assert keyed and all(k.split()[0].isdigit() for k in keyed)
    assert any("Price given quality" in k for k in keyed)
    numbers = {t.get_text() for t in texts if t.get_text().isdigit()}
    assert numbers == {k.split()[0] for k in keyed}
    assert_legible(fig)
    assert_width_fits_the_page(fig)


def test_hierarchy_plot_wide_boxes_keep_their_full_label() -> None:
    frame = HIERARCHY.iloc[:3]
    fig = hierarchy_plot(frame)
    assert fig.axes[0].get_legend() is None
    assert any("Product\nlocal 0.530" in t for t in _texts(fig))


ACSI = pd.DataFrame(
    {
        "source": ["Image", "Image", "Expectation", "Quality", "Value", "Satisfaction"],
        "target": ["Expectation", "Satisfaction", "Quality", "Value", "Satisfaction", "Loyalty"],
        "estimate": [0.5, 0.2, 0.46, 0.48, 0.3, 0.51],
        "pvalue": [1e-5, 0.02, 1e-4, 1e-6, 0.004, 1e-8],
    }
)


def test_long_path_diagram_fits_the_page_with_a_legible_significance_note() -> None:
    ecsi = pd.concat(
        [
            ACSI,
            pd.DataFrame(
                {
                    "source": ["Loyalty"],
                    "target": ["Complaints"],
                    "estimate": [-0.2],
                    "pvalue": [0.01],
                }
            ),
        ],
        ignore_index=True,
    )
    fig = path_diagram(ecsi)
    assert_width_fits_the_page(fig)
    note = next(t for t in fig.axes[0].texts if t.get_text().startswith("***"))
    assert note.get_fontsize() * REPORT_DPI / 72 >= MIN_PX
    assert_legible(fig)
    # each construct name fits inside its ellipse
    renderer = get_renderer(fig)
    ax = fig.axes[0]
    room = ax.transData.transform((ELLIPSE_WIDTH, 0))[0] - ax.transData.transform((0, 0))[0]
    for t in ax.texts:
        if t.get_text() in {"Image", "Expectation", "Satisfaction", "Complaints"}:
            assert t.get_window_extent(renderer).width <= room


# ----------------------------------------------------------------------------- fonts
def test_tick_labels_get_the_latin_fallback_and_text_the_regular_weight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: "Fake CJK Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = path_diagram(ACSI, lang="zh")
        fig.canvas.draw()
    for t in fig.axes[0].texts:
        assert t.get_fontfamily()[:2] == ["Fake CJK Sans", "DejaVu Sans"]
        assert t.get_fontweight() in ("normal", 400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = index_plot(pd.Series({"顾客满意度": 70.0, "感知质量": 68.0}), lang="zh")
        fig.canvas.draw()
    ticks = fig.axes[0].get_yticklabels()
    assert ticks and all(t.get_fontfamily()[:2] == ["Fake CJK Sans", "DejaVu Sans"] for t in ticks)


def test_best_cjk_family_wins_over_a_fallback_font() -> None:
    ranked = sorted(["Droid Sans Fallback", "Noto Sans CJK SC", "Some CJK Font"], key=fonts._rank)
    assert ranked == ["Noto Sans CJK SC", "Droid Sans Fallback", "Some CJK Font"]


def test_index_plot_value_labels_never_overlap():
    import matplotlib

    matplotlib.use("Agg")
    from csi.plots import index_plot

    constructs = ["Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"]
    single = pd.DataFrame({"construct": constructs, "index": [72.2, 69.8, 65.2, 68.6, 29.4, 67.8]})
    fig = index_plot(single)
    assert len(fig.axes[0].texts) == 6  # one label per bar when there is room
    rows = [
        {"segment": s, "construct": c, "index": 60 + k}
        for k, s in enumerate(["East", "North", "South", "West"])
        for c in constructs
    ]
    fig = index_plot(pd.DataFrame(rows), by="segment")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # a gap of at least 4 px between labels: labels closer than that read as one number
    boxes = [t.get_window_extent(renderer).padded(2) for t in fig.axes[0].texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)  # labels too wide for their bars are left out
