"""Net Promoter Score per segment: detractors, passives and promoters as stacked shares.

One horizontal bar per segment (first segment on top), 100 % wide: detractors
(answers 0-6, red) from the left, passives (7-8, grey), promoters (9-10, green)
to the right; each part is labelled with its share when it is wide enough, and
the NPS (promoters minus detractors, in points) is written at the end of the bar.
Input: the ``pct_detractors, pct_passives, pct_promoters`` (and ``nps``) columns of
:func:`csi.metrics.nps` with ``by=``. Rows whose shares are missing (suppressed
segments) must be left out by the caller; they are refused here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame, plain
from csi.plots._common import (
    MIN_FONT,
    capped,
    check_lang,
    new_axes,
    numeric_column,
    text,
    tight_layout,
)
from csi.plots.fonts import apply_cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["NPS_COLORS", "nps_plot"]

#: Colours of detractors, passives and promoters.
NPS_COLORS = ("#c62828", "#bdbdbd", "#2e7d32")
_PARTS = ("pct_detractors", "pct_passives", "pct_promoters")
#: Share (%) below which a part is not labelled (its label would not fit).
MIN_LABELLED = 7.0


def nps_plot(
    frame: pd.DataFrame,
    *,
    by: str = "segment",
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Stacked shares of detractors, passives and promoters per ``by`` value, with the NPS.

    ``frame`` has the column ``by`` and ``pct_detractors, pct_passives, pct_promoters``
    (percent; each row is normalised to 100) and optionally ``nps``, written at the
    end of each bar (else computed as promoters minus detractors).
    """
    from matplotlib.transforms import ScaledTranslation

    lang = check_lang(lang)
    data = check_frame(frame, name="frame")
    check_columns(data, [by, *_PARTS], name="frame")
    if data.empty:
        raise CsiInputError("frame is empty: there is no segment to plot")
    shares = np.column_stack([numeric_column(data, c, name="frame") for c in _PARTS])
    if (shares < 0).any():
        i = int(np.flatnonzero((shares < 0).any(axis=1))[0])
        raise CsiInputError(f"frame: row {plain(data.index[i])!r} has a negative share")
    totals = shares.sum(axis=1)
    if (totals <= 0).any():
        i = int(np.flatnonzero(totals <= 0)[0])
        raise CsiInputError(f"frame: the shares of row {plain(data.index[i])!r} add up to 0")
    shares = 100.0 * shares / totals[:, None]
    if "nps" in data.columns:
        score = numeric_column(data, "nps", name="frame")
    else:
        score = shares[:, 2] - shares[:, 0]
    groups = [str(g) for g in data[by]]
    own_figure = ax is None
    fig, ax = new_axes(ax, (capped(8.0), 1.7 + 0.5 * len(groups)))
    y = np.arange(len(groups))[::-1].astype(float)
    keys = ("detractors", "passives", "promoters")
    left = np.zeros(len(groups))
    for k, (key, color) in enumerate(zip(keys, NPS_COLORS, strict=True)):
        width = shares[:, k]
        ax.barh(
            y,
            width,
            left=left,
            height=0.62,
            color=color,
            edgecolor="white",
            linewidth=0.6,
            label=text(key, lang),
            zorder=2,
        )
        for yi, start, w in zip(y, left, width, strict=True):
            if w >= MIN_LABELLED:
                ax.text(
                    start + w / 2,
                    yi,
                    f"{w:.0f}",
                    ha="center",
                    va="center",
                    fontsize=MIN_FONT + 1,
                    color="black" if k == 1 else "white",
                    zorder=3,
                )
        left = left + width
    # the NPS in a column of its own, inside the axes right of the bars
    for yi, v in zip(y, score, strict=True):
        ax.text(
            112.0,
            yi,
            f"{v:+.1f}",
            ha="center",
            va="center",
            fontsize=MIN_FONT + 2,
            fontweight="bold",
            color=NPS_COLORS[2] if v > 0 else NPS_COLORS[0] if v < 0 else "black",
        )
    ax.text(112.0, len(groups) - 0.45, text("nps", lang), ha="center", va="bottom", fontsize=9)
    ax.set_xlim(0, 124)
    ax.set_ylim(-0.6, len(groups) - 0.1)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"])
    ax.set_yticks(y, groups)
    ax.set_xlabel(text("nps_share", lang))
    ax.set_title(text("nps_title", lang))
    ax.legend(
        ncol=3,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + ScaledTranslation(0.0, -0.45, fig.dpi_scale_trans),
        fontsize=MIN_FONT + 1,
        frameon=False,
        handlelength=1.2,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig
