"""Finding a font that can show Chinese labels.

Matplotlib's default font (DejaVu Sans) has no Chinese characters, so Chinese
construct names would show as empty boxes. The plots look for an installed
CJK font, in this order:

1. ``CSI_CJK_FONT`` environment variable: a font family name or a font file
   (``.ttf``, ``.otf``, ``.ttc``);
2. a font matplotlib already knows: Noto Sans CJK SC, Source Han Sans SC,
   WenQuanYi Zen Hei / Micro Hei, SimHei, Microsoft YaHei, PingFang SC, ...;
3. a CJK font file in the system font folders that matplotlib's font cache
   does not list yet (e.g. installed after the cache was built);
4. the PyPI package ``noto-cjk-sans-otc`` (Noto Sans CJK, OFL licence).

Fonts found in steps 1 (file), 3 or 4 are registered with matplotlib's font
manager (``fontManager.addfont``), which is what matplotlib needs to use a font
file by name; no rcParams are changed. The chosen family is set on the texts
of each figure the plots draw, so it holds whenever the figure is saved.

One policy for every figure (:func:`apply_cjk_font`):

* the best family wins, whichever step found it: steps 2-4 are all searched and
  the family earliest in :data:`CJK_FONT_FAMILIES` is used (so the Noto Sans CJK
  of the PyPI package beats a system fallback font such as Droid Sans Fallback);
* every text, tick labels included, gets ``[cjk family, "DejaVu Sans"]``, so digits
  and Latin letters a CJK font lacks still come from DejaVu Sans (no empty boxes);
* every text of a figure with Chinese text is drawn in the regular weight (the CJK
  fonts found are usually a single regular face: a bold request would mix bold Latin
  glyphs with regular Chinese ones, and matplotlib would log "Failed to find font
  weight bold" for each text);
* a missing font is reported once per figure by :class:`MissingCJKFontWarning`,
  and matplotlib's one-warning-per-missing-glyph is silenced while the plots lay
  themselves out (:func:`quiet_missing_glyphs`).

When no font is found and a label contains Chinese characters, a
:class:`MissingCJKFontWarning` says how to install one:

* Debian / Ubuntu: ``apt-get install fonts-noto-cjk``
* any system, from PyPI: ``pip install noto-cjk-sans-otc``
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from csi._checks import CsiWarning

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CJK_FONT_FAMILIES",
    "MissingCJKFontWarning",
    "apply_cjk_font",
    "find_cjk_font",
    "has_cjk",
]

#: Family names tried first, best for Simplified Chinese first.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UKai CN",
    "AR PL UMing CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "Droid Sans Fallback",
    "Arial Unicode MS",
)

_NAME_HINT = re.compile(r"CJK|Han Sans|Han Serif|WenQuanYi|Hei\b|YaHei|Droid Sans Fallback", re.I)
_FILE_HINT = re.compile(r"cjk|wqy|wenquanyi|sourcehan|simhei|msyh|droidsansfallback", re.I)
#: Chinese, Japanese and Korean characters: CJK radicals to unified ideographs, Hangul
#: syllables, compatibility ideographs, half- and full-width forms.
_CJK_CHARS = "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"

INSTALL_HINT = (
    "Install one and restart Python: on Debian/Ubuntu `apt-get install fonts-noto-cjk`; "
    "from PyPI `pip install noto-cjk-sans-otc` (Noto Sans CJK, found automatically); "
    "or set the environment variable CSI_CJK_FONT to a font file (.ttf/.otf/.ttc) "
    "or to the family name of an installed font."
)


class MissingCJKFontWarning(CsiWarning):
    """No installed font can show the Chinese labels of a plot."""


def has_cjk(strings: Iterable[str]) -> bool:
    """True if any of ``strings`` contains a Chinese, Japanese or Korean character."""
    pattern = _cjk_pattern()
    return any(pattern.search(s) for s in strings if s)


@functools.cache
def _cjk_pattern() -> re.Pattern[str]:
    """:data:`_CJK_CHARS` compiled on first use (compiling its wide ranges takes about
    10 ms, which ``import csi.report`` would otherwise pay)."""
    return re.compile(_CJK_CHARS)


def _known_families() -> list[str]:
    from matplotlib import font_manager

    return [f.name for f in font_manager.fontManager.ttflist]


def _pick_family(known: Iterable[str]) -> str | None:
    """The best CJK family among ``known`` family names (pure; for tests)."""
    names = list(dict.fromkeys(known))
    present = set(names)
    for family in CJK_FONT_FAMILIES:
        if family in present:
            return family
    for family in names:
        if _NAME_HINT.search(family):
            return family
    return None


def _register(path: Path) -> str | None:
    """Register a font file (every face of a ``.ttc`` collection); the best CJK family
    it added (e.g. Noto Sans CJK SC rather than the collection's first face, JP)."""
    from matplotlib import font_manager

    before = set(_known_families())
    try:
        font_manager.fontManager.addfont(str(path))
        first = str(font_manager.FontProperties(fname=str(path)).get_name())
    except (OSError, RuntimeError, ValueError):
        return None
    added = [f for f in _known_families() if f not in before]
    return _pick_family(added) or first


def _from_environment() -> str | None:
    value = os.environ.get("CSI_CJK_FONT", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.is_file():
        return _register(path)
    return value if value in set(_known_families()) else None


def _from_system_folders() -> list[str]:
    from matplotlib import font_manager

    found = []
    for file in sorted(font_manager.findSystemFonts()):
        if _FILE_HINT.search(Path(file).name):
            family = _register(Path(file))
            if family:
                found.append(family)
    return found


def _from_pypi_package() -> list[str]:
    spec = importlib.util.find_spec("noto_cjk_sans_otc")
    if spec is None or not spec.submodule_search_locations:
        return []
    found = []
    for folder in spec.submodule_search_locations:
        for file in sorted(Path(folder).glob("*.tt[cf]")) + sorted(Path(folder).glob("*.otf")):
            family = _register(file)
            if family:
                found.append(family)
    return found


def _rank(family: str) -> int:
    """Position of ``family`` in :data:`CJK_FONT_FAMILIES` (unlisted families last)."""
    try:
        return CJK_FONT_FAMILIES.index(family)
    except ValueError:
        return len(CJK_FONT_FAMILIES)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Family name of an installed font with Chinese characters, or None.

    The search (see the module docstring) runs once per Python session; call
    ``find_cjk_font.cache_clear()`` after installing a font to search again.
    """
    chosen = _from_environment()
    if chosen:
        return chosen
    candidates: list[str] = []
    known = _pick_family(_known_families())
    if known:
        candidates.append(known)
    if known is None or _rank(known) > 0:  # a better family may be installed but unlisted
        candidates += _from_system_folders()
        candidates += _from_pypi_package()
    if not candidates:
        return None
    return min(candidates, key=_rank)  # stable: the first found among equals


@contextlib.contextmanager
def quiet_missing_glyphs() -> Iterator[None]:
    """Silence matplotlib's one-warning-per-glyph while a plot measures its own text.

    Used only after :class:`MissingCJKFontWarning` has said the same thing once.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        yield


def apply_cjk_font(fig: Figure, *, stacklevel: int = 3) -> str | None:
    """Give every text of ``fig`` a CJK-capable font if any text needs one.

    Sets the font family on the figure's own texts and on its tick labels (now
    and when they are re-created), leaving rcParams alone. Returns the family
    used, or None. Warns with :class:`MissingCJKFontWarning` when Chinese text
    is present but no font for it is installed.
    """
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    texts = [t for t in fig.findobj(Text) if isinstance(t, Text)]
    if not has_cjk(t.get_text() for t in texts):
        return None
    family = find_cjk_font()
    if family is None:
        warnings.warn(
            "No font with Chinese characters was found, so Chinese labels will show as "
            "empty boxes. " + INSTALL_HINT,
            MissingCJKFontWarning,
            stacklevel=stacklevel,
        )
        return None
    families = [family, "DejaVu Sans"]
    for t in texts:
        t.set_fontfamily(families)
        t.set_fontweight("normal")
    for ax in fig.findobj(Axes):
        if isinstance(ax, Axes):
            ax.tick_params(labelfontfamily=families)
    return family
