"""Tests for csi.plots: each figure is checked for the elements it must contain."""

from __future__ import annotations

import itertools
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
from matplotlib.text import Annotation, Text

from csi._checks import CsiInputError
from csi.plots import (
    MissingCJKFontWarning,
    consistency_plot,
    fonts,
    hierarchy_plot,
    index_plot,
    ipma_plot,
    level_distribution_plot,
    path_diagram,
    significance_stars,
    trend_plot,
    weights_plot,
)
from csi.plots.path_diagram import causal_depth

# ----------------------------------------------------------------------------- fixtures

ACSI = pd.DataFrame(
    {
        "source": [
            "Expectation",
            "Expectation",
            "Expectation",
            "Quality",
            "Quality",
            "Value",
            "Satisfaction",
            "Satisfaction",
            "Complaints",
        ],
        "target": [
            "Quality",
            "Value",
            "Satisfaction",
            "Value",
            "Satisfaction",
            "Satisfaction",
            "Complaints",
            "Loyalty",
            "Loyalty",
        ],
        "estimate": [0.55, 0.12, 0.08, 0.61, 0.52, 0.28, -0.35, 0.62, -0.11],
        "pvalue": [1e-5, 0.02, 0.3, 1e-6, 1e-4, 0.004, 1e-5, 1e-8, 0.04],
    }
)
R2 = pd.Series(
    {"Quality": 0.30, "Value": 0.45, "Satisfaction": 0.71, "Complaints": 0.12, "Loyalty": 0.52}
)


@pytest.fixture(autouse=True)
def _no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend no CJK font is installed unless a test says otherwise (same result anywhere)."""
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)]


def _ellipses(fig: Figure) -> list[Ellipse]:
    return [p for p in fig.axes[0].patches if isinstance(p, Ellipse)]


def _arrows(fig: Figure) -> list[FancyArrowPatch]:
    return [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]


# ----------------------------------------------------------------------------- path diagram


def test_significance_stars_thresholds() -> None:
    assert significance_stars(0.0009) == "***"
    assert significance_stars(0.001) == "**"
    assert significance_stars(0.0099) == "**"
    assert significance_stars(0.01) == "*"
    assert significance_stars(0.049) == "*"
    assert significance_stars(0.05) == ""
    assert significance_stars(None) == ""
    assert significance_stars(float("nan")) == ""


def test_causal_depth_of_acsi_is_the_longest_path() -> None:
    # Expectation -> Quality -> Value -> Satisfaction -> Complaints -> Loyalty is the longest chain
    assert causal_depth(ACSI) == {
        "Expectation": 0,
        "Quality": 1,
        "Value": 2,
        "Satisfaction": 3,
        "Complaints": 4,
        "Loyalty": 5,
    }


def test_causal_depth_names_a_cycle() -> None:
    with pytest.raises(CsiInputError, match=r"cycle: (A -> B -> A|B -> A -> B)"):
        causal_depth([("A", "B"), ("B", "A")])


def test_path_diagram_has_one_ellipse_per_construct_and_one_arrow_per_path() -> None:
    fig = path_diagram(ACSI, r2=R2)
    assert isinstance(fig, Figure)
    assert len(_ellipses(fig)) == 6
    assert len(_arrows(fig)) == 9


def test_path_diagram_layout_runs_left_to_right_by_depth() -> None:
    fig = path_diagram(ACSI, r2=R2)
    ax = fig.axes[0]
    centre = {}
    for t in ax.texts:
        for e in _ellipses(fig):
            if np.allclose(t.get_position()[0], e.center[0]) and t.get_text() in {
                "Expectation",
                "Quality",
                "Value",
                "Satisfaction",
                "Complaints",
                "Loyalty",
            }:
                centre[t.get_text()] = e.center[0]
    xs = [
        centre[c]
        for c in ["Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"]
    ]
    assert all(a < b for a, b in itertools.pairwise(xs))


def test_negative_paths_are_red_and_dashed() -> None:
    fig = path_diagram(ACSI, r2=R2)
    arrows = _arrows(fig)
    negative = [a for a, e in zip(arrows, ACSI["estimate"], strict=True) if e < 0]
    positive = [a for a, e in zip(arrows, ACSI["estimate"], strict=True) if e > 0]
    assert len(negative) == 2
    for a in negative:
        r, g, b = to_rgb(a.get_edgecolor())
        assert r > 0.6 and g < 0.3 and b < 0.3
        assert a.get_linestyle() == "--"
    for a in positive:
        r, g, b = to_rgb(a.get_edgecolor())
        assert not (r > 0.6 and g < 0.3)
        assert a.get_linestyle() == "-"


def test_path_labels_show_coefficients_stars_and_r2() -> None:
    fig = path_diagram(ACSI, r2=R2)
    texts = _texts(fig)
    for expected in ["0.55***", "0.12*", "0.08", "0.28**", "-0.35***", "-0.11*", "0.62***"]:
        assert expected in texts
    for value in ["0.30", "0.45", "0.71", "0.12", "0.52"]:
        assert f"R² = {value}" in texts
    # no R² for the exogenous construct, and the star legend is present
    assert sum(t.startswith("R² =") for t in texts) == 5
    assert any("p < .001" in t for t in texts)


def _bezier_points(arrow: FancyArrowPatch) -> np.ndarray:
    path = arrow.get_path()  # data coordinates of the drawn arrow (line and head)
    pts = [seg(np.linspace(0, 1, 25)) for seg, _ in path.iter_bezier()]
    return np.vstack(pts)


def test_arrows_do_not_cross_any_ellipse() -> None:
    fig = path_diagram(ACSI, r2=R2)
    fig.canvas.draw()
    ellipses = _ellipses(fig)
    for arrow in _arrows(fig):
        pts = _bezier_points(arrow)
        for e in ellipses:
            a, b = e.width / 2 * 0.97, e.height / 2 * 0.97  # a hair inside the outline
            inside = ((pts[:, 0] - e.center[0]) / a) ** 2 + ((pts[:, 1] - e.center[1]) / b) ** 2
            assert (inside >= 1.0).all(), f"an arrow passes through the ellipse at {e.center}"


def test_path_diagram_accepts_result_objects_by_duck_typing() -> None:
    spec = SimpleNamespace(
        constructs=("Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty")
    )
    res = SimpleNamespace(
        path_coefficients=ACSI[["source", "target", "estimate"]], r2=R2, spec=spec
    )
    pv = pd.Series(
        [1e-5, 0.5],
        index=pd.MultiIndex.from_tuples([("Expectation", "Quality"), ("Quality", "Value")]),
    )
    fig = path_diagram(res, pvalues=pv)
    texts = _texts(fig)
    assert len(_arrows(fig)) == 9
    assert "R² = 0.71" in texts
    assert "0.55***" in texts and "0.61" in texts


def test_path_diagram_reads_sem_estimates() -> None:
    est = pd.DataFrame(
        {
            "lhs": ["Sat", "Sat", "Loy", "Sat"],
            "op": ["~", "~", "~", "=~"],
            "rhs": ["Qual", "Val", "Sat", "SAT1"],
            "estimate": [0.5, 0.3, 0.7, 1.0],
            "pvalue": [0.0001, 0.2, 0.0, np.nan],
        }
    )
    fig = path_diagram(SimpleNamespace(estimates=est, r2=pd.Series({"Sat": 0.4, "Loy": 0.49})))
    assert len(_ellipses(fig)) == 4
    assert len(_arrows(fig)) == 3
    assert "0.50***" in _texts(fig)


def test_path_diagram_chinese_names_and_missing_font_warning() -> None:
    with pytest.warns(MissingCJKFontWarning, match="fonts-noto-cjk") as rec:
        fig = path_diagram(ACSI, r2=R2, lang="zh")
    assert "noto-cjk-sans-otc" in str(rec[0].message)
    texts = _texts(fig)
    for name in ["预期质量", "感知质量", "感知价值", "顾客满意度", "顾客抱怨", "顾客忠诚"]:
        assert name in texts


def test_english_figures_do_not_warn_about_fonts() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingCJKFontWarning)
        path_diagram(ACSI, r2=R2)


def test_cjk_font_is_set_on_the_figure_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: "Fake CJK Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingCJKFontWarning)
        fig = path_diagram(ACSI, r2=R2, lang="zh")
    label = next(t for t in fig.axes[0].texts if t.get_text() == "顾客满意度")
    assert label.get_fontfamily()[0] == "Fake CJK Sans"


def test_pick_cjk_family_prefers_simplified_chinese_fonts() -> None:
    assert fonts._pick_family(["DejaVu Sans", "Noto Sans CJK JP", "WenQuanYi Zen Hei"]) == (
        "WenQuanYi Zen Hei"
    )
    assert fonts._pick_family(["DejaVu Sans", "Some CJK Font"]) == "Some CJK Font"
    assert fonts._pick_family(["DejaVu Sans", "STIXGeneral"]) is None
    assert fonts.has_cjk(["Quality", "感知质量"]) and not fonts.has_cjk(["Quality", "R²"])


def test_path_diagram_bad_input_messages() -> None:
    with pytest.raises(CsiInputError, match="'estimate'"):
        path_diagram(ACSI.drop(columns="estimate"))
    bad = ACSI.astype({"estimate": object})
    bad.loc[3, "estimate"] = "high"
    with pytest.raises(CsiInputError, match="'high' at row 3"):
        path_diagram(bad)
    with pytest.raises(CsiInputError, match="Quality -> Value appears more than once"):
        path_diagram(pd.concat([ACSI, ACSI.iloc[[3]]], ignore_index=True))
    with pytest.raises(CsiInputError, match="r2: construct 'Image'"):
        path_diagram(ACSI, r2=pd.Series({"Image": 0.3}))
    with pytest.raises(CsiInputError, match="cycle"):
        path_diagram(pd.DataFrame({"source": ["A", "B"], "target": ["B", "A"], "estimate": [1, 1]}))
    with pytest.raises(TypeError, match="path_coefficients"):
        path_diagram(object())


def test_path_diagram_draws_into_given_axes_and_keeps_input() -> None:
    before = ACSI.copy()
    fig = Figure()
    ax = fig.add_subplot()
    assert path_diagram(ACSI, r2=R2, ax=ax) is fig
    pd.testing.assert_frame_equal(ACSI, before)


# ----------------------------------------------------------------------------- IPMA


def _crowded_ipma() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 14
    frame = pd.DataFrame(
        {
            "driver": [f"QUAL{i} driver" for i in range(n)],
            "importance": 0.2 + rng.normal(0, 0.01, n),
            "performance": 70 + rng.normal(0, 0.5, n),
        }
    )
    frame.loc[13, ["importance", "performance"]] = [0.5, 40.0]
    return frame


def _label_annotations(fig: Figure) -> list[Annotation]:
    return [t for t in fig.axes[0].texts if isinstance(t, Annotation) and t.get_text()]


def test_ipma_labels_do_not_overlap_in_a_crowded_map() -> None:
    frame = _crowded_ipma()
    fig = ipma_plot(frame, target="Satisfaction")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = _label_annotations(fig)
    assert [a.get_text() for a in labels] == list(frame["driver"])
    boxes = [Text.get_window_extent(a, renderer) for a in labels]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), f"labels {i} and {j} overlap"
    axes_box = fig.axes[0].get_window_extent(renderer)
    for b in boxes:
        assert axes_box.x0 <= b.x0 and b.x1 <= axes_box.x1
        assert axes_box.y0 <= b.y0 and b.y1 <= axes_box.y1
    # a naive layout (every label up-right of its point) would overlap here
    for a in labels:
        a.xyann = (5.0, 5.0)
        a.update_positions(renderer)
    naive = [Text.get_window_extent(a, renderer) for a in labels]
    assert any(a.overlaps(b) for a, b in itertools.combinations(naive, 2))


def test_ipma_quadrants_split_at_the_means() -> None:
    frame = pd.DataFrame(
        {"driver": ["A", "B", "C"], "importance": [0.1, 0.2, 0.6], "performance": [50, 80, 65]}
    )
    fig = ipma_plot(frame)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    xs = {tuple(np.round(ln.get_xdata(), 9)) for ln in lines}
    ys = {tuple(np.round(ln.get_ydata(), 9)) for ln in lines}
    assert (0.3, 0.3) in xs  # mean importance (0.1 + 0.2 + 0.6) / 3
    assert (65.0, 65.0) in ys  # mean performance (50 + 80 + 65) / 3
    texts = _texts(fig)
    for q in ["Keep up the good work", "Concentrate here", "Possible overkill", "Low priority"]:
        assert q in texts
    assert len(ax.collections[0].get_offsets()) == 3


def test_ipma_target_column_and_chinese_labels() -> None:
    frame = pd.DataFrame(
        {
            "target": ["Sat", "Sat", "Loy"],
            "driver": ["A", "B", "A"],
            "importance": [0.1, 0.2, 0.3],
            "performance": [50, 80, 70],
        }
    )
    with pytest.raises(CsiInputError, match="several targets"):
        ipma_plot(frame)
    with pytest.raises(CsiInputError, match="'Image' not found"):
        ipma_plot(frame, target="Image")
    with pytest.warns(MissingCJKFontWarning):
        fig = ipma_plot(frame, target="Sat", lang="zh")
    assert len(_label_annotations(fig)) == 2
    assert "重点改进" in _texts(fig)


def test_ipma_bad_value_names_row() -> None:
    frame = pd.DataFrame({"driver": ["A", "B"], "importance": [0.1, None], "performance": [1, 2]})
    with pytest.raises(CsiInputError, match=r"'importance'.*row 1"):
        ipma_plot(frame)


# ----------------------------------------------------------------------------- index / trend

INDEX = pd.DataFrame(
    {
        "construct": ["Quality", "Value", "Satisfaction"] * 2,
        "segment": ["North"] * 3 + ["South"] * 3,
        "index": [72.0, 65.0, 70.0, 68.0, 60.0, 66.0],
        "ci_lower": [70.0, 62.0, 68.0, 65.0, 57.0, 63.0],
        "ci_upper": [74.0, 68.0, 72.0, 71.0, 63.0, 69.0],
    }
)


def test_index_plot_bars_and_intervals_by_segment() -> None:
    fig = index_plot(INDEX, by="segment")
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 6
    assert sorted(b.get_height() for b in bars) == sorted(INDEX["index"])
    # error bars span exactly the intervals
    spans = set()
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            for seg in coll.get_segments():
                spans.add((round(float(seg[0][1]), 6), round(float(seg[1][1]), 6)))
    for lo, hi in zip(INDEX["ci_lower"], INDEX["ci_upper"], strict=True):
        assert (lo, hi) in spans
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["North", "South"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Quality", "Value", "Satisfaction"]


def test_index_plot_from_series_without_intervals() -> None:
    fig = index_plot(pd.Series({"Quality": 71.2, "Loyalty": 64.9}))
    ax = fig.axes[0]
    assert [round(p.get_height(), 1) for p in ax.patches] == [71.2, 64.9]
    assert not any(isinstance(c, LineCollection) for c in ax.collections)
    assert "71.2" in _texts(fig)


def test_index_plot_errors() -> None:
    with pytest.raises(CsiInputError, match="by="):
        index_plot(INDEX)
    bad = INDEX.copy()
    bad.loc[2, "ci_upper"] = 60.0
    with pytest.raises(CsiInputError, match="row 2 has index 70 outside its interval"):
        index_plot(bad, by="segment")
    with pytest.raises(CsiInputError, match="'region'"):
        index_plot(INDEX, by="region")


def test_trend_plot_lines_bands_and_period_order() -> None:
    frame = pd.DataFrame(
        {
            "period": ["2025H1", "2025H2", "2026H1"] * 2,
            "construct": ["Satisfaction"] * 3 + ["Loyalty"] * 3,
            "index": [70.0, 72.0, 71.0, 60.0, 63.0, 65.0],
            "ci_lower": [68.0, 70.0, 69.0, 58.0, 61.0, 63.0],
            "ci_upper": [72.0, 74.0, 73.0, 62.0, 65.0, 67.0],
        }
    )
    fig = trend_plot(frame)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_label() in {"Satisfaction", "Loyalty"}]
    assert len(lines) == 2
    sat = next(ln for ln in lines if ln.get_label() == "Satisfaction")
    assert list(sat.get_ydata()) == [70.0, 72.0, 71.0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025H1", "2025H2", "2026H1"]
    with pytest.raises(CsiInputError, match="more than one index for period='2025H1'"):
        trend_plot(pd.concat([frame, frame.iloc[[0]]]))


# ----------------------------------------------------------------------------- seven levels

SHARES = {"North": [2, 3, 10, 20, 30, 25, 10], "South": [5, 8, 12, 25, 25, 15, 10]}


def _dist(scale: float = 0.01) -> pd.DataFrame:
    rows = [
        {"group": g, "level": k + 1, "share": s * scale}
        for g, sh in SHARES.items()
        for k, s in enumerate(sh)
    ]
    return pd.DataFrame(rows)


def test_level_distribution_diverges_at_zero_with_neutral_split() -> None:
    fig = level_distribution_plot(_dist())
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2 * 8  # seven levels, neutral drawn as two halves
    for g_i, (_group, sh) in enumerate(SHARES.items()):
        y = 1 - g_i  # first group on top
        row = [b for b in bars if abs(b.get_y() + b.get_height() / 2 - y) < 1e-9]
        assert len(row) == 8
        left = min(b.get_x() for b in row)
        right = max(b.get_x() + b.get_width() for b in row)
        # shares sum to 100: left end = levels 1-3 + half of 4; right end = half of 4 + 5-7
        assert left == pytest.approx(-(sum(sh[:3]) + sh[3] / 2))
        assert right == pytest.approx(sh[3] / 2 + sum(sh[4:]))
        outer_left = min(row, key=lambda b: b.get_x())
        outer_right = max(row, key=lambda b: b.get_x() + b.get_width())
        r, g, _ = to_rgb(outer_left.get_facecolor())
        assert r > g + 0.3  # very dissatisfied is red
        r, g, _ = to_rgb(outer_right.get_facecolor())
        assert g > r + 0.3  # very satisfied is green
        # the two bars touching zero are the halves of the neutral level
        neutral = [b for b in row if abs(b.get_x() + b.get_width()) < 1e-9 or b.get_x() == 0]
        assert [b.get_width() for b in neutral] == pytest.approx([sh[3] / 2] * 2)
        for b in neutral:
            r, g, b_ = to_rgb(b.get_facecolor())
            assert max(r, g, b_) - min(r, g, b_) < 0.05  # grey
    top_down = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in top_down] == ["North", "South"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "very dissatisfied",
        "dissatisfied",
        "somewhat dissatisfied",
        "neutral",
        "somewhat satisfied",
        "satisfied",
        "very satisfied",
    ]


def test_level_distribution_normalises_percent_shares() -> None:
    a = level_distribution_plot(_dist(0.01)).axes[0]
    b = level_distribution_plot(_dist(1.0)).axes[0]
    wa = [p.get_width() for p in a.patches]
    wb = [p.get_width() for p in b.patches]
    assert wa == pytest.approx(wb)


def test_level_distribution_chinese_labels_and_single_group() -> None:
    dist = pd.DataFrame({"level": range(1, 8), "share": [1, 1, 1, 1, 1, 1, 1]})
    with pytest.warns(MissingCJKFontWarning):
        fig = level_distribution_plot(dist, lang="zh")
    ax = fig.axes[0]
    assert len(ax.patches) == 8
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "很不满意",
        "不满意",
        "不太满意",
        "一般",
        "较满意",
        "满意",
        "很满意",
    ]


def test_level_distribution_errors() -> None:
    with pytest.raises(CsiInputError, match=r"level 8 at row 0 is not 1\.\.7"):
        level_distribution_plot(pd.DataFrame({"level": [8], "share": [1.0]}))
    with pytest.raises(CsiInputError, match=r"share -0\.1 at row 1 is negative"):
        level_distribution_plot(pd.DataFrame({"level": [1, 2], "share": [1.0, -0.1]}))
    with pytest.raises(CsiInputError, match="level 2 appears more than once in group 'A'"):
        level_distribution_plot(
            pd.DataFrame({"group": ["A", "A"], "level": [2, 2], "share": [0.5, 0.5]})
        )


# ----------------------------------------------------------------------------- weights


def test_weights_plot_sorted_largest_on_top() -> None:
    w = pd.Series({"QUAL1": 0.10, "QUAL2": 0.30, "VAL1": 0.20, "VAL2": 0.40})
    fig = weights_plot(w)
    ax = fig.axes[0]
    bars = sorted(ax.patches, key=lambda b: -b.get_y())  # top to bottom
    assert [b.get_width() for b in bars] == [0.40, 0.30, 0.20, 0.10]
    labels = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in labels] == ["VAL2", "QUAL2", "VAL1", "QUAL1"]
    assert "0.400" in _texts(fig)


def test_weights_plot_accepts_results_and_frames() -> None:
    res = SimpleNamespace(weights=pd.Series({"a": 0.7, "b": 0.3}))
    assert len(weights_plot(res).axes[0].patches) == 2
    frame = pd.DataFrame({"indicator": ["x", "y", "z"], "weight": [0.2, 0.5, 0.3]})
    assert len(weights_plot(frame).axes[0].patches) == 3
    with pytest.raises(CsiInputError, match="'b' appears twice"):
        weights_plot(pd.Series([0.5, 0.3, 0.2], index=["a", "b", "b"]))


HIERARCHY = pd.DataFrame(
    {
        "level": [1, 1, 1, 2, 2, 2, 2, 2, 2, 2],
        "node": [
            "Product",
            "Service",
            "Price",
            "QUAL1",
            "QUAL2",
            "QUAL3",
            "QUAL4",
            "QUAL5",
            "VAL1",
            "VAL2",
        ],
        "parent": [
            None,
            None,
            None,
            "Product",
            "Product",
            "Service",
            "Service",
            "Service",
            "Price",
            "Price",
        ],
        "local_weight": [0.4, 0.35, 0.25, 0.6, 0.4, 0.5, 0.3, 0.2, 0.7, 0.3],
    }
)
# global = local x parent's local, worked by hand
GLOBAL = {
    "Product": 0.4,
    "Service": 0.35,
    "Price": 0.25,
    "QUAL1": 0.24,
    "QUAL2": 0.16,
    "QUAL3": 0.175,
    "QUAL4": 0.105,
    "QUAL5": 0.07,
    "VAL1": 0.175,
    "VAL2": 0.075,
}


def test_hierarchy_plot_nests_children_under_parents() -> None:
    fig = hierarchy_plot(HIERARCHY)
    ax = fig.axes[0]
    boxes = {p.get_label(): p for p in ax.patches if isinstance(p, Rectangle)}
    assert set(boxes) == set(HIERARCHY["node"])
    for node, w in GLOBAL.items():
        assert boxes[node].get_width() == pytest.approx(w)
    for node, parent in zip(HIERARCHY["node"], HIERARCHY["parent"], strict=True):
        if pd.isna(parent):
            continue
        c, p = boxes[node], boxes[parent]
        assert p.get_x() - 1e-12 <= c.get_x()
        assert c.get_x() + c.get_width() <= p.get_x() + p.get_width() + 1e-12
        assert c.get_y() < p.get_y()  # children below
    # siblings ordered by weight, largest first (left)
    assert boxes["QUAL3"].get_x() < boxes["QUAL4"].get_x() < boxes["QUAL5"].get_x()


def test_hierarchy_plot_uses_given_global_weights_and_checks_input() -> None:
    frame = HIERARCHY.assign(global_weight=[GLOBAL[n] for n in HIERARCHY["node"]])
    with pytest.warns(MissingCJKFontWarning):
        fig = hierarchy_plot(frame, lang="zh")
    assert "第2级" in _texts(fig)
    bad = HIERARCHY.copy()
    bad.loc[3, "parent"] = "Brand"
    with pytest.raises(CsiInputError, match="parent 'Brand' of node 'QUAL1' is not a node"):
        hierarchy_plot(bad)
    bad = HIERARCHY.copy()
    bad.loc[3, "level"] = 3
    with pytest.raises(CsiInputError, match="'QUAL1' is at level 3 but its parent"):
        hierarchy_plot(bad)


def test_consistency_plot_threshold_line_and_colours() -> None:
    cr = pd.Series({"goal": 0.05, "product": 0.12, "service": 0.02})
    fig = consistency_plot(cr)
    ax = fig.axes[0]
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [0.1, 0.1]
    bars = ax.patches
    assert [round(b.get_height(), 3) for b in bars] == [0.05, 0.12, 0.02]
    red = [to_rgb(b.get_facecolor())[0] > 0.6 for b in bars]
    assert red == [False, True, False]
    fig = consistency_plot({"a": SimpleNamespace(cr=0.15), "b": 0.05}, threshold=0.2)
    dashed = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert list(dashed[0].get_ydata()) == [0.2, 0.2]
    assert not any(to_rgb(b.get_facecolor())[0] > 0.6 for b in fig.axes[0].patches)
    with pytest.raises(CsiInputError, match="threshold"):
        consistency_plot(cr, threshold=0)


def test_plots_never_register_with_pyplot() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    index_plot(INDEX, by="segment")
    weights_plot(pd.Series({"a": 1.0}))
    assert plt.get_fignums() == before


# ----------------------------------------------------------------------------- shapes of peers


def test_path_diagram_takes_r2_frame_and_sem_std_all() -> None:
    r2 = pd.DataFrame({"construct": ["Sat", "Loy"], "r2": [0.4, 0.49], "r2_adj": [0.39, 0.48]})
    paths = pd.DataFrame({"source": ["Qual", "Sat"], "target": ["Sat", "Loy"], "estimate": [1, 2]})
    assert {"R² = 0.40", "R² = 0.49"} <= set(_texts(path_diagram(paths, r2=r2)))
    est = pd.DataFrame(
        {
            "lhs": ["Sat", "Loy", "Sat"],
            "op": ["~", "~", "=~"],
            "rhs": ["Qual", "Sat", "SAT1"],
            "estimate": [1.7, 0.9, 1.0],
            "pvalue": [0.0001, 0.02, np.nan],
            "std_all": [0.55, 0.31, 0.8],
        }
    )
    # SEM R² also lists observed indicators (SAT1): ignored, not an error
    res = SimpleNamespace(estimates=est, r2=pd.Series({"Sat": 0.3, "Loy": 0.1, "SAT1": 0.64}))
    texts = _texts(path_diagram(res))
    assert "0.55***" in texts and "0.31*" in texts  # standardised, not 1.70 / 0.90
    assert "R² = 0.64" not in texts
    multi = est.assign(group=["a", "b", "a"])
    with pytest.raises(CsiInputError, match="several groups"):
        path_diagram(SimpleNamespace(estimates=multi, r2=None))


def test_ipma_plot_takes_kind_and_name_columns() -> None:
    frame = pd.DataFrame(
        {
            "kind": ["construct", "construct", "indicator", "indicator", "indicator"],
            "name": ["Quality", "Value", "QUAL1", "QUAL2", "VAL1"],
            "construct": ["Quality", "Value", "Quality", "Quality", "Value"],
            "importance": [0.6, 0.3, 0.2, 0.25, 0.15],
            "performance": [70, 65, 72, 68, 60],
        }
    )
    labels = [a.get_text() for a in _label_annotations(ipma_plot(frame))]
    assert labels == ["Quality", "Value"]
    labels = [a.get_text() for a in _label_annotations(ipma_plot(frame, kind="indicator"))]
    assert labels == ["QUAL1", "QUAL2", "VAL1"]
    assert len(_label_annotations(ipma_plot(frame, kind=None))) == 5


def test_hierarchy_plot_takes_depth_names_and_an_implicit_root() -> None:
    # shape of IndicatorSystem.to_frame(): level is a name, depth the number, parent of the
    # top level is the root id (not a row), name is what the reader sees
    frame = pd.DataFrame(
        {
            "node": ["product", "QUAL1", "QUAL2", "price", "VAL1"],
            "name": ["Product", "Reliability", "Design", "Price", "Price for quality"],
            "parent": ["csi", "product", "product", "csi", "price"],
            "depth": [1, 2, 2, 1, 2],
            "level": ["level 1", "level 2", "level 2", "level 1", "level 2"],
            "local_weight": [0.7, 0.6, 0.4, 0.3, 1.0],
            "global_weight": [0.7, 0.42, 0.28, 0.3, 0.3],
        }
    )
    system = SimpleNamespace(to_frame=lambda lang="en": frame)
    fig = hierarchy_plot(system)
    boxes = {p.get_label(): p for p in fig.axes[0].patches if isinstance(p, Rectangle)}
    assert boxes["VAL1"].get_width() == pytest.approx(0.3)
    assert boxes["product"].get_x() == 0.0 and boxes["price"].get_x() == pytest.approx(0.7)
    assert any(t.startswith("Price for quality") for t in _texts(fig))


def test_plots_of_a_real_pls_fit() -> None:
    pls = pytest.importorskip("csi.pls")
    from pathlib import Path

    from csi.spec import ModelSpec

    survey = Path(__file__).resolve().parents[1] / "data" / "samples" / "survey.csv"
    if not survey.exists():
        pytest.skip("sample survey not built")
    items = {
        "expectation": ["EXP1", "EXP2", "EXP3"],
        "quality": ["QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5"],
        "value": ["VAL1", "VAL2"],
        "satisfaction": ["SAT1", "SAT2", "SAT3"],
        "complaints": ["COMP1"],
        "loyalty": ["LOY1", "LOY2", "LOY3"],
    }
    cols = [i for v in items.values() for i in v]
    data = pd.read_csv(survey, usecols=cols).replace(99, np.nan).dropna().iloc[:800]
    res = pls.fit_pls(data, ModelSpec.acsi(indicators=items))
    fig = path_diagram(res)
    assert len(_ellipses(fig)) == 6 and len(_arrows(fig)) == 9
    r2 = res.r2.set_index("construct")["r2"]
    assert f"R² = {r2['Satisfaction']:.2f}" in _texts(fig)
    ip = res.ipma("Satisfaction", scale=(1, 10))
    assert len(_label_annotations(ipma_plot(ip, target="Satisfaction"))) == 3


def test_cjk_font_from_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    font_file = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv("CSI_CJK_FONT", str(font_file))
    assert fonts._from_environment() == "DejaVu Sans"
    monkeypatch.setenv("CSI_CJK_FONT", "No Such Font Family")
    assert fonts._from_environment() is None
    monkeypatch.delenv("CSI_CJK_FONT")
    assert fonts._from_environment() is None
