"""Bilingual (English / Chinese) titles, column headers and phrases of the report.

Every string a reader sees goes through :func:`text` (titles, phrases) or
:func:`header` (column headers); unknown column names are shown as they are. The
catalogue itself is :mod:`csi.i18n` (one catalogue for the library, its plots and the
report); this module re-exports it and adds the report's small phrase helpers.
"""

from __future__ import annotations

from csi.i18n import HEADERS, LANGS, TEXT, check_lang, header, text

__all__ = [
    "HEADERS",
    "LANGS",
    "TEXT",
    "check_lang",
    "header",
    "method_text",
    "missing_text",
    "reason_text",
    "text",
]


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
