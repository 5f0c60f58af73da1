"""Weights of indicators (AHP, entropy, CRITIC, combined), the indicator hierarchy,
and the AHP consistency ratio per judgment matrix.

* ``weights_plot``: horizontal bars sorted from the largest weight (top) down,
  as the handbooks order indicators of one level by weight.
* ``hierarchy_plot``: an *icicle* view of the indicator system. Each level is a
  row (top level first); each node is a box whose width is its global weight,
  placed under its parent's box; siblings are ordered by weight, largest first.
  Boxes are labelled with the node name and its local and global weights.
* ``consistency_plot``: consistency ratio CR = CI / RI per matrix with the
  acceptance threshold (Saaty's CR < 0.1) as a dashed line; matrices at or
  above it are red.

Reference: Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame
from csi.plots import fonts
from csi.plots._common import (
    MIN_FONT,
    as_series,
    capped,
    check_lang,
    display_name,
    get_renderer,
    new_axes,
    numeric_column,
    text,
    tight_layout,
)
from csi.plots.fonts import apply_cjk_font, has_cjk, quiet_missing_glyphs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = ["consistency_plot", "hierarchy_plot", "weights_plot"]

BAR_COLOR = "#1565c0"
OK_COLOR = "#2e7d32"
BAD_COLOR = "#c62828"
_LEVEL_COLORS = ("#1565c0", "#42a5f5", "#90caf9", "#bbdefb", "#e3f2fd")


def _weights_series(weights: Any) -> pd.Series:
    if hasattr(weights, "weights") and not isinstance(weights, pd.DataFrame | pd.Series):
        weights = weights.weights
    if isinstance(weights, pd.DataFrame) and weights.shape[1] > 1:
        frame = check_frame(weights, name="weights")
        name_col = next((c for c in ("indicator", "node", "criterion", "item") if c in frame), None)
        if name_col is None or "weight" not in frame.columns:
            raise CsiInputError(
                "weights frame needs a 'weight' column and a name column "
                "('indicator', 'node', 'criterion' or 'item')"
            )
        weights = pd.Series(
            numeric_column(frame, "weight", name="weights"),
            index=frame[name_col].astype(str).to_numpy(),
        )
    s = as_series(weights, name="weights")
    if s.isna().any():
        raise CsiInputError(f"weights: the weight of {s.index[s.isna()][0]!r} is missing")
    if s.index.duplicated().any():
        raise CsiInputError(f"weights: {s.index[s.index.duplicated()][0]!r} appears twice")
    return s


def weights_plot(
    weights: Any,
    *,
    lang: str = "en",
    decimals: int = 3,
    title: str | None = None,
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of the weights, largest at the top, each labelled with its value.

    ``weights`` is a Series (name -> weight), a mapping, a frame with columns
    ``indicator`` (or ``node``) and ``weight``, or an object with ``.weights``
    (e.g. an AHP result).
    ``codebook`` (a :class:`csi.Codebook` or a Survey) or ``labels`` (``{name: text}`` or
    ``{name: {"en": ..., "zh": ...}}``) name the bars in ``lang``; a name without a
    label in ``lang`` is shown as is, never with the other language's label.
    """
    lang = check_lang(lang)
    s = _weights_series(weights)
    if s.empty:
        raise CsiInputError("weights is empty: there is nothing to plot")
    ordered = s.sort_values(ascending=False, kind="stable")
    own_figure = ax is None
    fig, ax = new_axes(ax, (6.0, 1.0 + 0.32 * len(ordered)))
    y = np.arange(len(ordered))[::-1]
    ax.barh(y, ordered.to_numpy(), color=BAR_COLOR, height=0.7, zorder=2)
    for yi, v in zip(y, ordered.to_numpy(), strict=True):
        ax.annotate(
            f"{v:.{decimals}f}",
            (v, yi),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(
        y, [display_name(i, lang, codebook=codebook, labels=labels) for i in ordered.index]
    )
    ax.set_xlim(min(0.0, float(ordered.min()) * 1.15), max(float(ordered.max()) * 1.18, 1e-12))
    ax.set_xlabel(text("weight", lang))
    ax.set_title(title if title is not None else text("weights_title", lang))
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig


def _missing(value: Any) -> bool:
    return value is None or value == "" or bool(pd.isna(value))


def _hierarchy_frame(frame: Any, lang: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) and hasattr(frame, "to_frame"):
        try:
            frame = frame.to_frame(lang=lang)
        except TypeError:
            frame = frame.to_frame()
    data = check_frame(frame, name="frame")
    # a numeric 'depth' column (as in IndicatorSystem.to_frame) wins over a level *name*
    level_col = "depth" if "depth" in data.columns else "level"
    check_columns(data, [level_col, "node", "parent", "local_weight"], name="frame")
    out = pd.DataFrame(
        {
            "level": numeric_column(data, level_col, name="frame").astype(int),
            "node": data["node"].astype(str).to_numpy(),
            "label": (data["name"] if "name" in data.columns else data["node"])
            .astype(str)
            .to_numpy(),
            "parent": pd.Series(
                [None if _missing(p) else str(p) for p in data["parent"]], dtype=object
            ),
            "local_weight": numeric_column(data, "local_weight", name="frame"),
        }
    )
    if "global_weight" in data.columns:
        out["global_weight"] = numeric_column(data, "global_weight", name="frame", allow_nan=True)
    else:
        out["global_weight"] = np.nan
    dup = out["node"].duplicated()
    if dup.any():
        raise CsiInputError(f"frame: node {out['node'][dup].iloc[0]!r} appears more than once")
    for col in ("local_weight", "global_weight"):
        neg = out[col] < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise CsiInputError(
                f"frame: {col} of node {out['node'].iloc[i]!r} is negative ({out[col].iloc[i]!r})"
            )
    nodes = dict(zip(out["node"], out["level"], strict=True))
    # top-level nodes may name a root that is not a row of the frame (e.g. the goal)
    top = int(out["level"].min()) if len(out) else 0
    outside = {
        p
        for p, lv in zip(out["parent"], out["level"], strict=True)
        if p is not None and p not in nodes and lv == top
    }
    if len(outside) == 1:
        root = outside.pop()
        out["parent"] = pd.Series([None if p == root else p for p in out["parent"]], dtype=object)
    for node, parent, lv in zip(out["node"], out["parent"], out["level"], strict=True):
        if parent is None:
            continue
        if parent not in nodes:
            raise CsiInputError(f"frame: parent {parent!r} of node {node!r} is not a node")
        if nodes[parent] != lv - 1:
            raise CsiInputError(
                f"frame: node {node!r} is at level {lv} but its parent {parent!r} is at level "
                f"{nodes[parent]} (expected {lv - 1})"
            )
    # global weight = local weight x parent's global weight where it is not given
    glob = dict(zip(out["node"], out["global_weight"], strict=True))
    local = dict(zip(out["node"], out["local_weight"], strict=True))
    parent_of = dict(zip(out["node"], out["parent"], strict=True))
    for node in sorted(glob, key=lambda n: nodes[n]):
        if not np.isfinite(glob[node]):
            par = parent_of[node]
            glob[node] = local[node] * (glob[par] if par is not None else 1.0)
    out["global_weight"] = [glob[n] for n in out["node"]]
    return out


def hierarchy_plot(
    frame: Any,
    *,
    lang: str = "en",
    decimals: int = 3,
    ax: Axes | None = None,
) -> Figure:
    """Icicle view of an indicator system: one row per level, box width = global weight.

    ``frame`` has columns ``level, node, parent, local_weight`` and optionally
    ``global_weight`` (computed as local x parent's global where missing) and
    ``name`` (shown instead of ``node``). Top nodes have an empty ``parent`` or
    all name the same root that is not a row. A numeric ``depth`` column is
    used as the level when present (``level`` may then be a level name).
    Children sit under their parent, ordered by weight, largest first. An
    indicator system with ``to_frame()`` (e.g. a fitted ``IndicatorSystem``)
    is accepted too.
    """
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import ScaledTranslation

    lang = check_lang(lang)
    data = _hierarchy_frame(frame, lang)
    if data.empty:
        raise CsiInputError("frame is empty: there is no indicator to plot")
    levels = sorted(data["level"].unique())
    top = levels[0]
    roots = data[[p is None for p in data["parent"]]]
    bad_roots = roots[roots["level"] != top]
    if not bad_roots.empty:
        raise CsiInputError(
            f"frame: node {bad_roots['node'].iloc[0]!r} has no parent but is not at the top "
            f"level {top}"
        )
    children: dict[str | None, list[int]] = {}
    for i, p in enumerate(data["parent"]):
        children.setdefault(p, []).append(i)
    spans: dict[str, tuple[float, float]] = {}

    def lay(parent: str | None, start: float) -> None:
        idx = sorted(children.get(parent, []), key=lambda i: -data["global_weight"].iloc[i])
        x = start
        for i in idx:
            w = float(data["global_weight"].iloc[i])
            node = data["node"].iloc[i]
            spans[node] = (x, w)
            lay(node, x)
            x += w

    lay(None, 0.0)
    total = max((x + w for x, w in spans.values()), default=1.0) or 1.0
    own_figure = ax is None
    fig, ax = new_axes(ax, (capped(9.0), 1.0 + 1.1 * len(levels)))
    boxes: list[tuple[int, float, float, float]] = []  # row of data, x, y, width
    for i in range(len(data)):
        node = data["node"].iloc[i]
        lv = int(data["level"].iloc[i])
        row = levels.index(lv)
        x, w = spans[node]
        y = len(levels) - 1 - row
        color = _LEVEL_COLORS[min(row, len(_LEVEL_COLORS) - 1)]
        ax.add_patch(
            Rectangle((x, y), w, 0.9, facecolor=color, edgecolor="white", linewidth=1.2, label=node)
        )
        boxes.append((i, x, y, w))
    ax.set_xlim(0, total)
    ax.set_ylim(0, len(levels))
    ax.set_yticks(
        [len(levels) - 1 - r + 0.45 for r in range(len(levels))],
        [text("level", lang, level=lv) for lv in levels],
    )
    ax.set_xlabel(text("weight", lang) + f" ({text('global', lang)})")
    ax.set_title(text("hierarchy_title", lang))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if own_figure:
        tight_layout(fig)
    keyed = _label_boxes(fig, ax, data, boxes, lang, decimals)
    if keyed:
        # boxes too narrow for a horizontal label carry a number, explained below
        handles = [Rectangle((0, 0), 0, 0, visible=False) for _ in keyed]
        ax.legend(
            handles,
            keyed,
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            bbox_transform=ax.transAxes + ScaledTranslation(0.0, -0.45, fig.dpi_scale_trans),
            ncol=2 if len(keyed) > 3 else 1,
            fontsize=MIN_FONT + 1,
            frameon=False,
            handlelength=0,
            handletextpad=0,
            columnspacing=1.5,
        )
        if own_figure:
            fig.set_size_inches(
                fig.get_figwidth(), fig.get_figheight() + 0.25 * ((len(keyed) + 1) // 2) + 0.3
            )
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig


def _fits(fig: Figure, label: Text, width_px: float) -> bool:
    """Whether ``label`` (drawn with the figure's fonts) is narrower than ``width_px``."""
    with quiet_missing_glyphs():
        return bool(label.get_window_extent(get_renderer(fig)).width <= 0.92 * width_px)


def _label_boxes(
    fig: Figure,
    ax: Axes,
    data: pd.DataFrame,
    boxes: list[tuple[int, float, float, float]],
    lang: str,
    decimals: int,
) -> list[str]:
    """Label each box horizontally, never rotated or below :data:`MIN_FONT`: the name with
    its local and global weights, else the name and global weight on one line, else a
    number explained in a key (returned: ``"1  name  global 0.087"`` per numbered box)."""
    family = fonts.find_cjk_font() if has_cjk(data["label"].astype(str)) else None
    keyed: list[str] = []
    x0 = ax.transData.transform((0.0, 0.0))[0]
    for i, x, y, w in boxes:
        row = len(ax.get_yticks()) - 1 - round(y)
        shown = str(data["label"].iloc[i])
        local = data["local_weight"].iloc[i]
        glob = data["global_weight"].iloc[i]
        width_px = ax.transData.transform((w, 0.0))[0] - x0
        colour = "white" if row < 2 else "black"
        options = [
            f"{shown}\n{text('local', lang)} {local:.{decimals}f}\n"
            f"{text('global', lang)} {glob:.{decimals}f}",
            f"{shown}\n{glob:.{decimals}f}",
            f"{shown} {glob:.{decimals}f}",
        ]
        for option in options:
            label = ax.text(
                x + w / 2,
                y + 0.45,
                option,
                ha="center",
                va="center",
                fontsize=MIN_FONT + 0.5,
                color=colour,
                clip_on=True,
            )
            if family is not None:
                label.set_fontfamily([family, "DejaVu Sans"])
            if _fits(fig, label, width_px):
                break
            label.remove()
        else:
            number = str(len(keyed) + 1)
            ax.text(
                x + w / 2,
                y + 0.45,
                number,
                ha="center",
                va="center",
                fontsize=MIN_FONT + 0.5,
                fontweight="bold",
                color=colour,
                clip_on=True,
            )
            keyed.append(f"{number}  {shown}  {text('global', lang)} {glob:.{decimals}f}")
    return keyed


def consistency_plot(
    cr_series: Any,
    *,
    threshold: float = 0.1,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Consistency ratio per judgment matrix, with the threshold as a dashed line.

    ``cr_series`` maps matrix names to CR values (a Series or mapping), or to
    AHP results with a ``.cr`` attribute. Bars with CR >= ``threshold`` are red
    (Saaty: a matrix is acceptably consistent when CR < 0.1).
    """
    lang = check_lang(lang)
    if not np.isfinite(threshold) or threshold <= 0:
        raise CsiInputError(f"threshold must be a positive number, got {threshold!r}")
    if isinstance(cr_series, Mapping) and not isinstance(cr_series, pd.Series):
        cr_series = {k: getattr(v, "cr", v) for k, v in cr_series.items()}
    s = as_series(cr_series, name="cr_series")
    if s.empty:
        raise CsiInputError("cr_series is empty: there is no matrix to plot")
    if s.isna().any():
        raise CsiInputError(f"cr_series: the CR of {s.index[s.isna()][0]!r} is missing")
    own_figure = ax is None
    fig, ax = new_axes(ax, (max(4.5, 0.7 * len(s) + 2.0), 4.0))
    x = np.arange(len(s))
    colors = [BAD_COLOR if v >= threshold else OK_COLOR for v in s.to_numpy()]
    ax.bar(x, s.to_numpy(), color=colors, width=0.6, zorder=2)
    for xi, v in zip(x, s.to_numpy(), strict=True):
        ax.annotate(
            f"{v:.3f}",
            (xi, v),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.axhline(
        threshold,
        color=BAD_COLOR,
        linestyle="--",
        linewidth=1.2,
        zorder=3,
        label=text("cr_threshold", lang, threshold=threshold),
    )
    ax.set_xticks(
        x,
        [str(i) for i in s.index],
        rotation=30 if len(s) > 5 else 0,
        ha="right" if len(s) > 5 else "center",
    )
    ax.set_ylim(0, max(float(s.max()), threshold) * 1.25)
    ax.set_ylabel(text("cr", lang))
    ax.set_title(text("cr_title", lang))
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig
