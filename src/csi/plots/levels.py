"""Seven-level satisfaction distribution as a diverging stacked bar.

One horizontal bar per group. Levels 1-3 (dissatisfied) stack to the left of
zero, levels 5-7 (satisfied) to the right, each starting at zero with the
level nearest neutral. Level 4 (neutral, 一般) is **split half and half**
across zero, so the bar's centre stays at zero and the left and right ends
read as "dissatisfied + half of neutral" and "satisfied + half of neutral".
Shares are normalised within each group and shown in percent.

Colours run red (very dissatisfied) -> grey (neutral) -> green (very satisfied).
Level names come from :data:`csi.scales.SEVEN_LEVELS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame, plain
from csi.plots._common import check_lang, new_axes, numeric_column, text, tight_layout
from csi.plots.fonts import apply_cjk_font
from csi.scales import SEVEN_LEVELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LEVEL_COLORS", "level_distribution_plot"]

#: Colours of levels 1..7 (red -> grey -> green): the linear colour map through
#: #b2182b, #bdbdbd and #1a9850 sampled at k/6 (matplotlib's
#: ``LinearSegmentedColormap.from_list``, 256 steps), written out so that importing
#: the module needs no matplotlib (tests/test_lazy_matplotlib.py recomputes them).
LEVEL_COLORS: tuple[str, ...] = (
    "#b2182b",
    "#b64e5b",
    "#b9868c",
    "#bcbdbd",
    "#87b199",
    "#50a474",
    "#1a9850",
)


def level_distribution_plot(
    dist: pd.DataFrame,
    *,
    by: str | None = "group",
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Diverging stacked bar of the seven satisfaction levels, one bar per group.

    ``dist`` has columns ``level`` (1..7), ``share`` and optionally the group
    column ``by`` (default ``"group"``; ignored if absent), e.g. the output of
    :func:`csi.scales.level_distribution`. Missing levels count as 0. Shares
    are normalised to 100 % within each group. The bar segments are ordered
    level 1..7 within each group (neutral as two halves), groups top to bottom
    in the order of the frame.
    """
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation

    lang = check_lang(lang)
    frame = check_frame(dist, name="dist")
    check_columns(frame, ["level", "share"], name="dist")
    level = numeric_column(frame, "level", name="dist")
    bad = (level < 1) | (level > 7) | (level != np.round(level))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CsiInputError(
            f"dist: level {level[i]:g} at row {plain(frame.index[i])!r} is not 1..7"
        )
    share = numeric_column(frame, "share", name="dist")
    if (share < 0).any():
        i = int(np.flatnonzero(share < 0)[0])
        raise CsiInputError(
            f"dist: share {share[i]:g} at row {plain(frame.index[i])!r} is negative"
        )
    use_groups = by is not None and by in frame.columns
    groups = list(dict.fromkeys(frame[by])) if use_groups else [None]
    table = np.zeros((len(groups), 7))
    for g_i, g in enumerate(groups):
        mask = np.ones(len(frame), bool) if g is None else (frame[by] == g).to_numpy()
        lv = level[mask].astype(int)
        if len(np.unique(lv)) != len(lv):
            dup = int(pd.Series(lv).loc[pd.Series(lv).duplicated()].iloc[0])
            where = f" in group {g!r}" if g is not None else ""
            raise CsiInputError(f"dist: level {dup} appears more than once{where}")
        np.add.at(table[g_i], lv - 1, share[mask])
        total = table[g_i].sum()
        if total <= 0:
            raise CsiInputError(f"dist: the shares of group {g!r} add up to 0")
        table[g_i] *= 100.0 / total

    labels = SEVEN_LEVELS.labels(lang)
    own_figure = ax is None
    fig, ax = new_axes(ax, (8.0, 1.6 + 0.55 * len(groups)))
    y = np.arange(len(groups))[::-1].astype(float)  # first group on top
    for g_i in range(len(groups)):
        row = table[g_i]
        # left of zero: half of neutral, then 3, 2, 1 going outwards
        left = -row[3] / 2
        segments = [(left, row[3] / 2, 3)]
        for k in (2, 1, 0):
            left -= row[k]
            segments.append((left, row[k], k))
        right = 0.0
        segments.append((right, row[3] / 2, 3))
        right += row[3] / 2
        for k in (4, 5, 6):
            segments.append((right, row[k], k))
            right += row[k]
        segments.sort(key=lambda s: (s[2], s[0]))
        for start, width, k in segments:
            ax.barh(
                y[g_i],
                width,
                left=start,
                height=0.6,
                color=LEVEL_COLORS[k],
                edgecolor="white",
                linewidth=0.5,
                zorder=2,
            )
            full = row[k]
            if width >= 4.0 and (k != 3 or start >= 0):
                centre = start + width / 2 if k != 3 else 0.0
                ax.text(
                    centre,
                    y[g_i],
                    f"{full:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if k in (0, 1, 5, 6) else "black",
                    zorder=3,
                )
    ax.axvline(0.0, color="#424242", linewidth=0.8, zorder=3)
    extent = max(
        50.0,
        float(np.ceil(np.abs(table[:, :3].sum(1) + table[:, 3] / 2).max() / 10) * 10),
        float(np.ceil((table[:, 4:].sum(1) + table[:, 3] / 2).max() / 10) * 10),
    )
    ax.set_xlim(-extent, extent)
    step = 25.0 if extent > 50 else 10.0
    reach = np.floor(extent / step) * step
    ticks = np.arange(-reach, reach + step / 2, step)
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_yticks(y, ["" if g is None else str(g) for g in groups])
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_xlabel(text("share", lang))
    ax.set_title(text("levels_title", lang))
    ax.text(
        0.0,
        1.0,
        "← " + text("dissatisfied", lang),
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=8,
        color=LEVEL_COLORS[0],
    )
    ax.text(
        1.0,
        1.0,
        text("satisfied", lang) + " →",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color=LEVEL_COLORS[6],
    )
    handles = [Patch(facecolor=LEVEL_COLORS[k], label=labels[k]) for k in range(7)]
    ax.legend(
        handles=handles,
        ncol=7,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        # a fixed distance below the axes (clear of the axis label) whatever its height
        bbox_transform=ax.transAxes + ScaledTranslation(0.0, -0.5, fig.dpi_scale_trans),
        fontsize=7,
        frameon=False,
        handlelength=1.2,
        columnspacing=0.8,
    )
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig
