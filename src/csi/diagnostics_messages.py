"""The message catalogue of :mod:`csi.diagnostics`: every finding's text and advice in
English and Chinese, keyed by its stable code.

A message is a format string; its arguments are kept by the
:class:`~csi.diagnostics.Diagnostic` so that it can be rendered again in the other
language. :class:`Phrase` is an argument that has its own text in both languages (a
matrix name, a construct "in group g").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from csi.i18n import LANGS, TEXT, text

#: Message and advice templates by finding code and language (a view of the ``diag.*``
#: phrases of the :mod:`csi.i18n` catalogue).
_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    key[len("diag.") : -len(".message")]: {
        lang: (TEXT[lang][key], TEXT[lang][key[: -len("message")] + "advice"]) for lang in LANGS
    }
    for key in TEXT["en"]
    if key.startswith("diag.") and key.endswith(".message")
}


@dataclass(frozen=True)
class Phrase:
    """A short text in both languages, used as a format argument (e.g. a matrix name)."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return {"en": self.en, "zh": self.zh}.get(lang, self.en)

    def __str__(self) -> str:
        return self.en


def _phrase(key: str) -> Phrase:
    return Phrase(*(text(f"diag.phrase.{key}", lang) for lang in LANGS))


#: Names of the matrices the checks are run on.
COVARIANCE_MATRIX = _phrase("covariance_matrix")
SAMPLE_CORRELATION_MATRIX = _phrase("sample_correlation_matrix")
ITEM_CORRELATION_MATRIX = _phrase("item_correlation_matrix")
LATENT_COVARIANCE_MATRIX = _phrase("latent_covariance_matrix")
SOME_PARAMETER = _phrase("some_parameter")

_HOW = {how: _phrase(f"how_{how}") for how in ("listwise", "pairwise", "mean")}


def in_group(name: str | Phrase, group: object | None) -> str | Phrase:
    """``name`` of one group of a multi-group fit (``name (group g)``)."""
    if group is None:
        return name
    en, zh = (name.en, name.zh) if isinstance(name, Phrase) else (name, name)
    return Phrase(
        text("diag.in_group", "en", name=en, group=group),
        text("diag.in_group", "zh", name=zh, group=group),
    )


def _render(code: str, fmt: Mapping[str, Any], lang: str) -> tuple[str, str]:
    texts = _TEXT[code]
    msg, advice = texts.get(lang, texts["en"])
    args = {k: v.get(lang) if isinstance(v, Phrase) else v for k, v in fmt.items()}
    if code == "not_converged":
        it = args.pop("iterations", None)
        if it is None:
            args["detail"] = ""
        else:
            args["detail"] = text("diag.after_iterations", lang, n=it)
    return msg.format(**args), advice.format(**args)
