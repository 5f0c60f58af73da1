"""Index by construct (and segment) with confidence intervals, and index over periods.

Inputs are tidy frames as produced by the index functions:

* ``index_plot``: ``construct, [segment column], index, [ci_lower, ci_upper]``
  (a Series construct -> index, e.g. ``result.index()``, also works);
* ``trend_plot``: ``period, <series column>, index, [ci_lower, ci_upper]``.

The interval is drawn as an error bar (bars) or a shaded band (trend); rows
without an interval (missing ``ci_lower`` / ``ci_upper``) get none. Periods are
shown in the order they first appear in the frame (sort it first if needed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame, plain
from csi.plots._common import (
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

__all__ = ["index_plot", "trend_plot"]

_PALETTE = (
    "#1565c0",
    "#ef6c00",
    "#2e7d32",
    "#6a1b9a",
    "#c62828",
    "#00838f",
    "#5d4037",
    "#ad1457",
    "#455a64",
    "#9e9d24",
)


def _interval(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    has = [c in frame.columns for c in ("ci_lower", "ci_upper")]
    if not any(has):
        return None
    if not all(has):
        missing = "ci_upper" if has[0] else "ci_lower"
        raise CsiInputError(f"{name} has one interval bound but not column {missing!r}")
    lo = numeric_column(frame, "ci_lower", name=name, allow_nan=True)
    hi = numeric_column(frame, "ci_upper", name=name, allow_nan=True)
    idx = numeric_column(frame, "index", name=name)
    bad = (lo > idx + 1e-9) | (hi < idx - 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CsiInputError(
            f"{name}: row {plain(frame.index[i])!r} has index {idx[i]:g} outside its interval "
            f"[{lo[i]:g}, {hi[i]:g}]"
        )
    return lo, hi


def _as_index_frame(frame: Any) -> pd.DataFrame:
    if isinstance(frame, pd.Series):
        return pd.DataFrame({"construct": frame.index.astype(str), "index": frame.to_numpy()})
    return check_frame(frame, name="frame")


def _finish(fig: Figure, ax: Axes, *, by: str | None, own_figure: bool) -> Figure:
    """Horizontal grid, the legend (titled ``by``) outside on the right, CJK font, layout."""
    ax.grid(axis="y", color="#e0e0e0", zorder=0)
    if by:
        ax.legend(
            title=by,
            fontsize=8,
            title_fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
        )
    apply_cjk_font(fig)
    if own_figure:
        tight_layout(fig)
    return fig


def index_plot(
    frame: pd.DataFrame | pd.Series,
    *,
    by: str | None = None,
    lang: str = "en",
    decimals: int = 1,
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bars of the 0-100 index per construct, grouped by segment when ``by`` is given.

    ``frame`` has columns ``construct, index`` and optionally ``ci_lower,
    ci_upper`` and the segment column named by ``by``. Constructs (and
    segments) appear in the order of the frame. Each bar is labelled with its
    value; intervals are error bars.
    ``codebook`` (a :class:`csi.Codebook` or a Survey) or ``labels`` (``{name: text}`` or
    ``{name: {"en": ..., "zh": ...}}``) name the constructs in ``lang``; a name without a
    label in ``lang`` is shown as is, never with the other language's label.
    """
    lang = check_lang(lang)
    data = _as_index_frame(frame)
    check_columns(data, ["construct", "index"], name="frame")
    if by is not None:
        check_columns(data, [by], what="segment column", name="frame")
    values = numeric_column(data, "index", name="frame")
    ci = _interval(data, "frame")
    keys = ["construct"] + ([by] if by else [])
    dup = data.duplicated(subset=keys)
    if dup.any():
        row = data.loc[dup].iloc[0]
        where = ", ".join(f"{k}={row[k]!r}" for k in keys)
        hint = "" if by else " (pass by= the segment column)"
        raise CsiInputError(f"frame has more than one index for {where}{hint}")
    constructs = list(dict.fromkeys(data["construct"].astype(str)))
    groups = list(dict.fromkeys(data[by])) if by else [None]
    n_groups = len(groups)
    width = 0.8 / n_groups
    own_figure = ax is None
    fig_width = capped(max(5.0, 0.9 * len(constructs) * max(1, n_groups) ** 0.5 + 2))
    fig, ax = new_axes(ax, (fig_width, 4.5))
    pos = {c: i for i, c in enumerate(constructs)}
    for g_i, g in enumerate(groups):
        mask = np.ones(len(data), bool) if g is None else (data[by] == g).to_numpy()
        x = np.array([pos[str(c)] for c in data["construct"][mask]], float)
        x = x - 0.4 + width * (g_i + 0.5)
        y = values[mask]
        color = _PALETTE[g_i % len(_PALETTE)]
        bars = ax.bar(
            x, y, width=width * 0.92, color=color, label=None if g is None else str(g), zorder=2
        )
        if ci is not None:
            lo, hi = ci[0][mask], ci[1][mask]
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.errorbar(
                    x[ok],
                    y[ok],
                    yerr=np.vstack([y[ok] - lo[ok], hi[ok] - y[ok]]),
                    fmt="none",
                    ecolor="#212121",
                    elinewidth=1.0,
                    capsize=3,
                    zorder=3,
                )
        # value labels only where they fit inside their bar (7 pt digits ~ 4.2 pt wide)
        axes_points = fig.get_size_inches()[0] * ax.get_position().width * 72
        bar_points = width * 0.92 * axes_points / max(1, len(constructs))
        fits = bar_points >= 4.2 * (len(f"{100:.{decimals}f}")) + 2
        for bar, v in zip(bars, y if fits else [], strict=False):
            ax.annotate(
                f"{v:.{decimals}f}",
                (bar.get_x() + bar.get_width() / 2, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color="white" if v > 12 else "black",
                zorder=4,
            )
    shown = [display_name(c, lang, codebook=codebook, labels=labels) for c in constructs]
    ax.set_xticks(range(len(constructs)), shown)
    ax.set_ylim(0, 100)
    ax.set_ylabel(text("index", lang))
    ax.set_title(text("index_title", lang))
    return _finish(fig, ax, by=by, own_figure=own_figure)


def trend_plot(
    frame: pd.DataFrame,
    *,
    by: str | None = "construct",
    lang: str = "en",
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Index over periods: one line per ``by`` value (construct or segment), CI as bands.

    ``frame`` has columns ``period, index``, the series column ``by`` (default
    ``"construct"``; ``None`` for a single line) and optionally ``ci_lower,
    ci_upper``. Periods are placed in the order they first appear.
    ``codebook`` (a :class:`csi.Codebook` or a Survey) or ``labels`` (``{name: text}`` or
    ``{name: {"en": ..., "zh": ...}}``) name the series (constructs) in ``lang``; a name without a
    label in ``lang`` is shown as is, never with the other language's label.
    """
    lang = check_lang(lang)
    data = check_frame(frame, name="frame")
    check_columns(data, ["period", "index"], name="frame")
    if by is not None:
        check_columns(data, [by], what="series column", name="frame")
    values = numeric_column(data, "index", name="frame")
    ci = _interval(data, "frame")
    keys = ["period"] + ([by] if by else [])
    dup = data.duplicated(subset=keys)
    if dup.any():
        row = data.loc[dup].iloc[0]
        where = ", ".join(f"{k}={row[k]!r}" for k in keys)
        raise CsiInputError(f"frame has more than one index for {where}")
    periods = list(dict.fromkeys(data["period"].astype(str)))
    pos = {p: i for i, p in enumerate(periods)}
    series = list(dict.fromkeys(data[by])) if by else [None]
    own_figure = ax is None
    fig, ax = new_axes(ax, (capped(max(5.0, 1.0 * len(periods) + 3)), 4.5))
    for s_i, s in enumerate(series):
        mask = np.ones(len(data), bool) if s is None else (data[by] == s).to_numpy()
        x = np.array([pos[str(p)] for p in data["period"][mask]], float)
        order = np.argsort(x, kind="stable")
        x, y = x[order], values[mask][order]
        color = _PALETTE[s_i % len(_PALETTE)]
        shown = None if s is None else display_name(s, lang, codebook=codebook, labels=labels)
        ax.plot(x, y, marker="o", color=color, label=shown, zorder=3)
        if ci is not None:
            lo, hi = ci[0][mask][order], ci[1][mask][order]
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(
                    x[ok], lo[ok], hi[ok], color=color, alpha=0.18, linewidth=0, zorder=2
                )
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.3, len(periods) - 0.7)
    ax.set_xlabel(text("period", lang))
    ax.set_ylabel(text("index", lang))
    ax.set_title(text("trend_title", lang))
    return _finish(fig, ax, by=by, own_figure=own_figure)
