"""Bilingual (English / Chinese) titles, column headers and phrases of the report.

Every string a reader sees goes through :func:`text` (titles, phrases) or
:func:`header` (column headers); unknown column names are shown as they are. The
texts themselves are in :mod:`csi.report.labels_en` and :mod:`csi.report.labels_zh`,
the column headers of both languages in :mod:`csi.report.labels_headers`.
"""

from __future__ import annotations

from csi._checks import check_choice
from csi.report.labels_en import TEXT_EN
from csi.report.labels_headers import HEADERS_EN, HEADERS_ZH
from csi.report.labels_zh import TEXT_ZH

LANGS = ("en", "zh")

#: Section titles, table titles and phrases.
TEXT: dict[str, dict[str, str]] = {"en": TEXT_EN, "zh": TEXT_ZH}

#: Column headers for the tidy column names used by csi.
HEADERS: dict[str, dict[str, str]] = {"en": HEADERS_EN, "zh": HEADERS_ZH}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is "en" or "zh", else raise a clear error."""
    return str(check_choice(lang, LANGS, name="lang"))


def text(key: str, lang: str = "en", **fmt: object) -> str:
    """The phrase ``key`` in ``lang``, formatted with ``fmt``."""
    template = TEXT[lang].get(key, TEXT["en"].get(key, key))
    return template.format(**fmt) if fmt else template


def header(column: object, lang: str = "en") -> str:
    """The display header of a tidy column name (unknown names are shown as they are)."""
    name = str(column)
    return HEADERS[lang].get(name, name)


def reason_text(reason: str, lang: str = "en") -> str:
    """An exclusion reason of the survey's cleaning report (``"missing A, B"``) in ``lang``."""
    if reason.startswith("missing "):
        return text("reason_missing", lang, items=reason[len("missing ") :])
    return reason


def missing_text(method: str, lang: str = "en") -> str:
    """The missing-answer handling (``listwise``, ``pairwise``, ``mean``, ``keep``) in ``lang``."""
    key = f"missing_{method}"
    return text(key, lang) if key in TEXT["en"] else method


def method_text(method: str, lang: str = "en") -> str:
    """A weighting method of an indicator system (``ahp``, ``entropy``, ...) in ``lang``."""
    key = f"method_{method}"
    return text(key, lang) if key in TEXT["en"] else method
