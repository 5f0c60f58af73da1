"""Importance-performance map (IPMA).

Each driver is a point: x = importance (its total effect on the target
construct), y = performance (its 0-100 index). The map is split into four
quadrants at the **mean importance and mean performance of the drivers shown**
(unweighted means, dotted lines):

* high importance, low performance: *concentrate here* (improve first);
* high importance, high performance: *keep up the good work*;
* low importance, high performance: *possible overkill*;
* low importance, low performance: *low priority*.

Reference: Ringle, C. M. & Sarstedt, M. (2016). Gain more insight from your
PLS-SEM results: the importance-performance map analysis. Industrial
Management & Data Systems 116(9), 1865-1886.

Driver labels are placed so that no two labels (nor a label and a point, nor a
quadrant name) overlap: each label takes the nearest free spot on rings around
its point (measured on the drawn text boxes); labels placed far from their
point get a thin leader line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame
from csi.plots._common import (
    check_lang,
    display_name,
    get_renderer,
    new_axes,
    numeric_column,
    text,
)
from csi.plots.fonts import apply_cjk_font, quiet_missing_glyphs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

__all__ = ["ipma_plot", "label_boxes", "place_labels"]

_POINT_HALF = 4.0  # half size, in pixels at 100 dpi, of the box kept free around each point


def label_boxes(labels: list[Annotation], renderer: Any) -> list[Bbox]:
    """Display-space boxes of the label texts (without any leader line)."""
    from matplotlib.text import Text

    boxes = []
    for a in labels:
        a.update_positions(renderer)
        boxes.append(Text.get_window_extent(a, renderer))
    return boxes


def _overlap_area(a: Bbox, b: Bbox, pad: float) -> float:
    ox = min(a.x1, b.x1) - max(a.x0, b.x0) + pad
    oy = min(a.y1, b.y1) - max(a.y0, b.y0) + pad
    return ox * oy if ox > 0 and oy > 0 else 0.0


def _outside(box: Bbox, inside: Bbox | None) -> float:
    if inside is None:
        return 0.0
    return (
        max(0.0, inside.x0 - box.x0)
        + max(0.0, box.x1 - inside.x1)
        + max(0.0, inside.y0 - box.y0)
        + max(0.0, box.y1 - inside.y1)
    )


def place_labels(
    labels: list[Annotation],
    obstacles: list[Bbox],
    renderer: Any,
    *,
    inside: Bbox | None = None,
    pad: float = 2.0,
) -> bool:
    """Place centred offset-point annotations so that no two labels overlap.

    Labels are placed one after another. For each, candidate positions are
    tried on rings of growing radius around its point (8 directions on the
    first rings, 16 further out); the first candidate whose text box overlaps
    no label already placed, no fixed ``obstacles`` (display-space boxes,
    e.g. the points themselves) and stays ``inside`` (e.g. the axes box) is
    taken. If none fits, the candidate with the least overlap is taken.
    Returns True when every label found a free spot.
    """
    from matplotlib.text import Text

    fig = labels[0].get_figure(root=True) if labels else None
    if fig is None:
        return True
    pt_to_px = fig.dpi / 72.0
    placed: list[Bbox] = []
    all_free = True
    for a in labels:
        a.xyann = (0.0, 0.0)
        a.update_positions(renderer)
        base = Text.get_window_extent(a, renderer)  # centred on the point
        w, h = base.width / pt_to_px, base.height / pt_to_px  # in points
        best: tuple[float, tuple[float, float]] | None = None
        for ring in range(40):
            radius = 4.0 + 6.0 * ring
            n_dir = 8 if ring < 4 else 16
            for k in range(n_dir):
                theta = np.pi / 4 + 2 * np.pi * k / n_dir  # up-right first
                dx = np.cos(theta) * (radius + w / 2)
                dy = np.sin(theta) * (radius + h / 2)
                box = base.translated(dx * pt_to_px, dy * pt_to_px)
                cost = sum(_overlap_area(box, o, pad) for o in placed + obstacles)
                cost += 1e3 * _outside(box, inside)
                if best is None or cost < best[0]:
                    best = (cost, (float(dx), float(dy)))
                if cost == 0.0:
                    break
            if best is not None and best[0] == 0.0:
                break
        assert best is not None
        all_free = all_free and best[0] == 0.0
        a.xyann = best[1]
        a.update_positions(renderer)
        placed.append(Text.get_window_extent(a, renderer))
    return all_free


def ipma_plot(
    ipma_frame: pd.DataFrame,
    *,
    target: str | None = None,
    kind: str | None = "construct",
    lang: str = "en",
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Importance-performance map with quadrants at the mean importance and performance.

    ``ipma_frame`` has columns ``driver, importance, performance``, one row per
    driver. Also accepted: ``name`` instead of ``driver``, an optional ``target``
    column (filtered to ``target``) and an optional ``kind`` column (as from
    ``PLSResult.ipma``: ``"construct"`` or ``"indicator"`` rows), filtered to
    ``kind`` (default ``"construct"``; ``None`` keeps every row).
    ``target`` names the target construct in the title and axis label.
    ``codebook`` (a :class:`csi.Codebook` or a Survey) or ``labels`` (``{name: text}`` or
    ``{name: {"en": ..., "zh": ...}}``) name the drivers and the target in ``lang``; a
    name without a label in ``lang`` is shown as is, never with the other language's label.
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    lang = check_lang(lang)
    frame = check_frame(ipma_frame, name="ipma_frame")
    if "driver" not in frame.columns and "name" in frame.columns:
        frame = frame.rename(columns={"name": "driver"})
    check_columns(frame, ["driver", "importance", "performance"], name="ipma_frame")
    if kind is not None and "kind" in frame.columns:
        kinds = list(dict.fromkeys(frame["kind"]))
        if kind not in kinds:
            raise CsiInputError(f"kind {kind!r} not found in ipma_frame (has {kinds})")
        frame = frame[frame["kind"] == kind]
    if "target" in frame.columns:
        targets = list(dict.fromkeys(frame["target"]))
        if target is None:
            if len(targets) > 1:
                raise CsiInputError(
                    f"ipma_frame has several targets {targets}: choose one with target="
                )
        elif target not in targets:
            raise CsiInputError(f"target {target!r} not found in ipma_frame (has {targets})")
        else:
            frame = frame[frame["target"] == target]
        if target is None and targets:
            target = str(targets[0])
    if frame.empty:
        raise CsiInputError("ipma_frame has no driver to plot")
    if frame["driver"].duplicated().any():
        raise CsiInputError(
            f"ipma_frame: driver {frame['driver'][frame['driver'].duplicated()].iloc[0]!r} "
            "appears more than once"
        )
    imp = numeric_column(frame, "importance", name="ipma_frame")
    perf = numeric_column(frame, "performance", name="ipma_frame")
    names = [display_name(d, lang, codebook=codebook, labels=labels) for d in frame["driver"]]
    if target is not None:
        target = display_name(target, lang, codebook=codebook, labels=labels)

    own_figure = ax is None
    fig, ax = new_axes(ax, (7.0, 5.5))
    ax.scatter(imp, perf, s=36, color="#1565c0", zorder=3)
    mean_imp, mean_perf = float(imp.mean()), float(perf.mean())
    ax.axvline(mean_imp, color="#888888", linestyle=":", linewidth=1.2, zorder=1)
    ax.axhline(mean_perf, color="#888888", linestyle=":", linewidth=1.2, zorder=1)

    def padded(v: np.ndarray, centre: float) -> tuple[float, float]:
        lo, hi = min(float(v.min()), centre), max(float(v.max()), centre)
        span = hi - lo or max(abs(hi), 1.0)
        return lo - 0.2 * span, hi + 0.2 * span

    ax.set_xlim(*padded(imp, mean_imp))
    ax.set_ylim(*padded(perf, mean_perf))
    corners = [
        (0.98, 0.98, "right", "top", "q_keep"),
        (0.98, 0.02, "right", "bottom", "q_focus"),
        (0.02, 0.98, "left", "top", "q_overkill"),
        (0.02, 0.02, "left", "bottom", "q_low"),
    ]
    corner_texts = []
    for x, y, ha, va, key in corners:
        t = ax.text(
            x,
            y,
            text(key, lang),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=8,
            color="#c62828" if key == "q_focus" else "#555555",
            style="italic",
        )
        corner_texts.append(t)
    ax.set_xlabel(
        text("importance", lang, target=target) if target else text("importance_plain", lang)
    )
    ax.set_ylabel(text("performance", lang))
    ax.set_title(
        text("ipma_title", lang, target=target) if target else text("ipma_title_plain", lang)
    )
    notes = [
        ax.annotate(
            name,
            xy=(x, y),
            xytext=(0.0, 0.0),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="center",
            zorder=4,
        )
        for name, x, y in zip(names, imp, perf, strict=True)
    ]
    if own_figure:
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.11, top=0.92)
    apply_cjk_font(fig)

    with quiet_missing_glyphs():
        renderer = get_renderer(fig)
        half = _POINT_HALF * fig.dpi / 100.0
        pts = ax.transData.transform(np.column_stack([imp, perf]))
        point_boxes = [Bbox([[px - half, py - half], [px + half, py + half]]) for px, py in pts]
        fixed = point_boxes + [t.get_window_extent(renderer) for t in corner_texts]
        place_labels(notes, fixed, renderer, inside=ax.get_window_extent(renderer))
        for a, x, y in zip(notes, imp, perf, strict=True):
            box = Text.get_window_extent(a, renderer)
            ox, oy = a.xyann
            reach = np.hypot(box.width, box.height) / 2 * 72.0 / fig.dpi
            if np.hypot(ox, oy) > reach + 12.0:  # far from its point: draw a leader line
                ax.annotate(
                    "",
                    xy=(x, y),
                    xytext=(ox, oy),
                    textcoords="offset points",
                    arrowprops={
                        "arrowstyle": "-",
                        "color": "#999999",
                        "lw": 0.6,
                        "shrinkA": float(reach) * 0.8,
                        "shrinkB": 3,
                    },
                    zorder=2,
                )
    return fig
