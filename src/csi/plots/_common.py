"""Small helpers shared by the plot modules: figure/axes creation, labels, checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from csi._checks import CsiInputError, check_choice, plain
from csi.plots.fonts import quiet_missing_glyphs

LANGS = ("en", "zh")

#: Resolution of the figures in the report (``csi.report`` saves its PNGs at this dpi).
REPORT_DPI = 110
#: Widest figure (inches) that the report shows at full size: the HTML page is at most
#: about 1,070 pixels wide, so a wider PNG would be scaled down, and its text with it.
MAX_WIDTH = 9.0
#: Smallest font size (points) any figure uses: 7 pt is 10.7 pixels at the report's
#: dpi, above the 9-pixel floor a reader needs.
MIN_FONT = 7.0
#: Displayed width (pixels) the legibility check assumes for the report's page.
PAGE_WIDTH_PX = 1000

#: Every fixed piece of text the plots show, in both languages.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "stars_note": "*** p < .001   ** p < .01   * p < .05",
        "importance": "Importance (total effect on {target})",
        "importance_plain": "Importance (total effect)",
        "performance": "Performance (0-100)",
        "ipma_title": "Importance-performance map: {target}",
        "ipma_title_plain": "Importance-performance map",
        "q_keep": "Keep up the good work",
        "q_focus": "Concentrate here",
        "q_overkill": "Possible overkill",
        "q_low": "Low priority",
        "index": "Index (0-100)",
        "index_title": "Index by construct",
        "period": "Period",
        "trend_title": "Index over periods",
        "share": "Share of respondents (%)",
        "dissatisfied": "dissatisfied",
        "satisfied": "satisfied",
        "levels_title": "Seven-level distribution",
        "weight": "Weight",
        "weights_title": "Weights",
        "hierarchy_title": "Indicator system: global weights",
        "level": "Level {level}",
        "local": "local",
        "global": "global",
        "cr": "Consistency ratio (CR)",
        "cr_threshold": "threshold CR = {threshold:g}",
        "cr_title": "Consistency of the judgment matrices",
        "detractors": "detractors (0-6)",
        "passives": "passives (7-8)",
        "promoters": "promoters (9-10)",
        "nps_share": "Share of respondents (%)",
        "nps_title": "Promoters, passives and detractors",
        "nps": "NPS",
        "impact": "Index points gained by {target} when the driver rises {points:g} points",
        "impact_plain": "Index points gained when the driver rises {points:g} points",
        "impact_title": "Drivers of {target}",
        "impact_title_plain": "Drivers",
    },
    "zh": {
        "stars_note": "*** p < .001   ** p < .01   * p < .05",
        "importance": "重要性（对{target}的总效应）",
        "importance_plain": "重要性（总效应）",
        "performance": "表现（0-100）",
        "ipma_title": "重要性-表现矩阵：{target}",
        "ipma_title_plain": "重要性-表现矩阵",
        "q_keep": "继续保持",
        "q_focus": "重点改进",
        "q_overkill": "可能过度投入",
        "q_low": "次要改进",
        "index": "指数（0-100）",
        "index_title": "各结构变量指数",
        "period": "时期",
        "trend_title": "指数变化趋势",
        "share": "受访者比例（%）",
        "dissatisfied": "不满意",
        "satisfied": "满意",
        "levels_title": "七级满意度分布",
        "weight": "权重",
        "weights_title": "权重",
        "hierarchy_title": "指标体系：全局权重",
        "level": "第{level}级",
        "local": "局部",
        "global": "全局",
        "cr": "一致性比率（CR）",
        "cr_threshold": "阈值 CR = {threshold:g}",
        "cr_title": "判断矩阵一致性检验",
        "detractors": "贬损者（0-6）",
        "passives": "中立者（7-8）",
        "promoters": "推荐者（9-10）",
        "nps_share": "受访者比例（%）",
        "nps_title": "推荐者、中立者与贬损者",
        "nps": "净推荐值",
        "impact": "驱动因素提高{points:g}分时{target}指数提高的分数",
        "impact_plain": "驱动因素提高{points:g}分时指数提高的分数",
        "impact_title": "{target}的驱动因素",
        "impact_title_plain": "驱动因素",
    },
}


def text(key: str, lang: str, **kwargs: Any) -> str:
    """The fixed label ``key`` in ``lang``, formatted with ``kwargs``."""
    return TEXT[lang][key].format(**kwargs)


def check_lang(lang: str) -> str:
    return str(check_choice(lang, LANGS, name="lang"))


def display_name(
    name: Any, lang: str, *, codebook: Any = None, labels: Mapping[Any, Any] | None = None
) -> str:
    """How ``name`` (an item or construct) is shown in ``lang``.

    ``labels`` (``{name: text}`` or ``{name: {"en": ..., "zh": ...}}``) wins, then the
    ``codebook``'s label in ``lang``; without a label in ``lang`` the name itself is
    shown, never the other language's label.
    """
    key = str(name)
    codebook = getattr(codebook, "codebook", codebook)  # a Survey carries its codebook
    if labels is not None:
        value = labels.get(name, labels.get(key))
        if isinstance(value, Mapping):
            value = value.get(lang)
        if value is not None and str(value).strip():
            return str(value)
    if codebook is not None:
        known = set(getattr(codebook, "constructs", ())) | set(getattr(codebook, "items", ()))
        known |= set(getattr(codebook, "extra_items", ()))
        if key in known:
            return str(codebook.label(key, lang))
    return key


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)``: the given axes and its figure, or a new Agg figure.

    New figures are plain :class:`matplotlib.figure.Figure` objects (not registered
    with pyplot), so nothing global changes and nothing needs closing.
    """
    if ax is None:
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        return fig, fig.add_subplot()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    root = ax.get_figure(root=True)
    assert isinstance(root, Figure)
    return root, ax


def get_renderer(fig: Figure) -> RendererBase:
    """A renderer for measuring text, whatever canvas the figure has."""
    canvas = fig.canvas
    getter = getattr(canvas, "get_renderer", None)
    if callable(getter):
        return getter()
    return fig._get_renderer()  # type: ignore[attr-defined]


def numeric_column(
    frame: pd.DataFrame, column: str, *, name: str, allow_nan: bool = False
) -> np.ndarray:
    """``frame[column]`` as floats; raise naming the row of the first bad value."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if allow_nan:
        bad &= frame[column].notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CsiInputError(
            f"{name}: column {column!r} has a value that is not a finite number, "
            f"{frame[column].iloc[i]!r} at row {plain(frame.index[i])!r}"
        )
    return values


def as_series(values: Any, *, name: str) -> pd.Series:
    """A numeric Series from a Series, a mapping or a one-column frame."""
    if isinstance(values, pd.Series):
        s = values
    elif isinstance(values, Mapping):
        s = pd.Series(dict(values))
    elif isinstance(values, pd.DataFrame) and values.shape[1] == 1:
        s = values.iloc[:, 0]
    else:
        raise TypeError(f"{name} must be a pandas Series or a mapping, got {type(values).__name__}")
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        key = bad.idxmax()
        raise CsiInputError(f"{name}: value {s[bad].iloc[0]!r} for {key!r} is not a number")
    return out.astype(float)


def capped(width: float) -> float:
    """``width`` (inches), at most :data:`MAX_WIDTH`."""
    return float(min(width, MAX_WIDTH))


def text_pixels(
    fig: Figure, *, dpi: float = REPORT_DPI, page_width: float = PAGE_WIDTH_PX
) -> list[tuple[str, float]]:
    """``(text, height in pixels)`` of every visible text of ``fig`` as a reader of the
    report sees it: the font size at ``dpi``, scaled down when the saved figure is wider
    than the page (``page_width`` pixels), as a browser does."""
    from matplotlib.text import Text

    with quiet_missing_glyphs():
        fig.canvas.draw()
        bbox = fig.get_tightbbox(get_renderer(fig))
    width_px = bbox.width * dpi if bbox is not None else fig.get_figwidth() * dpi
    shrink = min(1.0, page_width / width_px) if width_px > 0 else 1.0
    out = []
    for t in fig.findobj(Text):
        if not isinstance(t, Text) or not t.get_visible() or not t.get_text().strip():
            continue
        out.append((t.get_text(), float(t.get_fontsize()) * dpi / 72.0 * shrink))
    return out


def tight_layout(fig: Figure) -> None:
    """``fig.tight_layout()`` without a warning per missing glyph."""
    with quiet_missing_glyphs():
        fig.tight_layout()
