"""Small helpers shared by the plot modules: figure/axes creation, labels, checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, plain
from csi.i18n import LANGS, phrases
from csi.i18n import check_lang as check_lang  # re-exported: the one language check
from csi.i18n import text as _text
from csi.plots.fonts import quiet_missing_glyphs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

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

#: Every fixed piece of text the plots show, in both languages (a view of the
#: ``plot.*`` phrases of the :mod:`csi.i18n` catalogue).
TEXT: dict[str, dict[str, str]] = {lang: phrases("plot", lang) for lang in LANGS}


def text(key: str, lang: str, **kwargs: Any) -> str:
    """The fixed label ``key`` in ``lang``, formatted with ``kwargs``."""
    return _text(f"plot.{key}", lang, **kwargs)


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
    with pyplot), so nothing global changes and nothing needs closing. Matplotlib is
    imported here, when the first figure is drawn, not when :mod:`csi.plots` is imported.
    """
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

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
