"""One translation catalogue (English / Chinese) for the library, its plots and the report.

Every phrase a reader sees is looked up by key: :func:`text` for titles and phrases,
:func:`header` for the column headers of tables. The phrases live in per-domain
modules (``report_en``/``report_zh`` for the report, ``library_en``/``library_zh``
for summaries, plots and diagnostics, ``headers`` for column headers); a key is
defined once, in both languages (``tests/test_i18n.py`` checks both).

Examples
--------
>>> from csi.i18n import text, header
>>> text("summary_n", "en", n=1200)
'n = 1,200'
>>> phrases("mga", "zh")["title"]
'PLS 多群组比较'
>>> check_lang("fr")
Traceback (most recent call last):
...
csi._checks.CsiInputError: lang must be one of ['en', 'zh'], got 'fr'
"""

from __future__ import annotations

from csi._checks import check_choice
from csi.i18n.headers import HEADERS_EN, HEADERS_ZH
from csi.i18n.library_en import LIBRARY_EN
from csi.i18n.library_zh import LIBRARY_ZH
from csi.i18n.report_en import TEXT_EN
from csi.i18n.report_zh import TEXT_ZH

__all__ = ["HEADERS", "LANGS", "TEXT", "check_lang", "header", "phrases", "text"]

#: The languages csi writes.
LANGS = ("en", "zh")

#: Titles and phrases by language (report and library domains merged; keys are unique).
TEXT: dict[str, dict[str, str]] = {
    "en": {**TEXT_EN, **LIBRARY_EN},
    "zh": {**TEXT_ZH, **LIBRARY_ZH},
}

#: Column headers for the tidy column names used by csi.
HEADERS: dict[str, dict[str, str]] = {"en": HEADERS_EN, "zh": HEADERS_ZH}


def check_lang(lang: object) -> str:
    """Return ``lang`` if it is "en" or "zh", else raise :class:`csi.CsiInputError`."""
    return str(check_choice(lang, LANGS, name="lang"))


def text(key: str, lang: str = "en", /, **fmt: object) -> str:
    """The phrase ``key`` in ``lang`` (English if untranslated), formatted with ``fmt``
    (``key`` and ``lang`` are positional, so a phrase may have ``{key}`` or ``{lang}``)."""
    template = TEXT[lang].get(key, TEXT["en"].get(key, key))
    return template.format(**fmt) if fmt else template


def phrases(prefix: str, lang: str = "en") -> dict[str, str]:
    """Every phrase whose key starts with ``prefix + "."``, keyed by the rest of the key.

    A display with many labels (``pls.title``, ``pls.paths``...) takes them in one call:
    ``phrases("pls", "zh")["paths"]``.
    """
    start = prefix + "."
    table = TEXT[lang]
    return {k[len(start) :]: table[k] for k in TEXT["en"] if k.startswith(start) and k in table}


def header(column: object, lang: str = "en") -> str:
    """The display header of a tidy column name (unknown names are shown as they are)."""
    name = str(column)
    return HEADERS[lang].get(name, name)
