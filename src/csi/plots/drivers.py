"""Drivers of a target construct: the impact of each driver, as sorted bars.

The impact is the total effect of a driver on the target in index points: how many
points (on the 0-100 index) the target gains when the driver's index rises by
``points`` points (:meth:`csi.pls.PLSResult.impacts`). Largest impact on top;
negative impacts (e.g. complaints) are red and drawn to the left of zero. Each bar
is labelled with its value, inside the axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame
from csi.plots._common import (
    MIN_FONT,
    capped,
    check_lang,
    display_name,
    new_axes,
    numeric_column,
    text,
    tight_layout,
)
from csi.plots.fonts import apply_cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["impact_plot"]

POSITIVE = "#1565c0"
NEGATIVE = "#c62828"


def impact_plot(
    frame: pd.DataFrame,
    *,
    target: str | None = None,
    points: float = 5.0,
    lang: str = "en",
    decimals: int = 2,
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of the impact of each driver on ``target``, largest on top.

    ``frame`` has columns ``source`` (the driver) and ``impact`` (index points per
    ``points`` points of the driver), and ``target`` when it holds several targets
    (as :meth:`csi.pls.PLSResult.impacts` does): the rows of ``target`` are drawn.
    ``target`` is the name shown in the title and axis label (and the value of the
    ``target`` column to select). ``codebook`` or ``labels`` name the drivers in ``lang``.
    """
    lang = check_lang(lang)
    data = check_frame(frame, name="frame")
    check_columns(data, ["source", "impact"], name="frame")
    shown_target = None
    if "target" in data.columns:
        targets = list(dict.fromkeys(data["target"].astype(str)))
        if target is None and len(targets) > 1:
            raise CsiInputError(f"frame has several targets {targets}: pass target=")
        if target is not None and target in targets:
            data = data[data["target"].astype(str) == target]
        elif target is not None and len(targets) > 1:
            raise CsiInputError(f"target {target!r} not found in frame; targets: {targets}")
    if target is not None:
        shown_target = display_name(target, lang, codebook=codebook, labels=labels)
    if data.empty:
        raise CsiInputError("frame has no driver to plot")
    values = numeric_column(data, "impact", name="frame")
    names = [str(s) for s in data["source"]]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise CsiInputError(f"frame: driver {dup!r} appears more than once")
    order = np.argsort(-values, kind="stable")
    values = values[order]
    names = [names[i] for i in order]
    own_figure = ax is None
    fig, ax = new_axes(ax, (capped(7.0), 1.5 + 0.45 * len(names)))
    y = np.arange(len(names))[::-1].astype(float)
    colors = [NEGATIVE if v < 0 else POSITIVE for v in values]
    ax.barh(y, values, color=colors, height=0.6, zorder=2)
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    span = (hi - lo) or 1.0
    for yi, v in zip(y, values, strict=True):
        ax.annotate(
            f"{v:+.{decimals}f}",
            (v, yi),
            xytext=(4 if v >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            va="center",
            fontsize=MIN_FONT + 1.5,
            zorder=3,
        )
    # room for the labels inside the axes on both sides
    ax.set_xlim(lo - (0.22 * span if lo < 0 else 0.0), hi + 0.22 * span)
    ax.axvline(0.0, color="#424242", linewidth=0.8, zorder=3)
    ax.set_yticks(y, [display_name(n, lang, codebook=codebook, labels=labels) for n in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    if shown_target is not None:
        ax.set_xlabel(text("impact", lang, target=shown_target, points=points))
        ax.set_title(text("impact_title", lang, target=shown_target))
    else:
        ax.set_xlabel(text("impact_plain", lang, points=points))
        ax.set_title(text("impact_title_plain", lang))
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig
