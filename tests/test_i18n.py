"""The one translation catalogue (csi.i18n): every key in both languages, defined once."""

from __future__ import annotations

import re
import string

import pytest

from csi import CsiInputError
from csi.i18n import HEADERS, TEXT, check_lang, header, text
from csi.i18n.headers import HEADERS_EN, HEADERS_ZH
from csi.i18n.library_en import LIBRARY_EN
from csi.i18n.library_zh import LIBRARY_ZH
from csi.i18n.report_en import TEXT_EN
from csi.i18n.report_zh import TEXT_ZH

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("en", "zh"), [(TEXT_EN, TEXT_ZH), (LIBRARY_EN, LIBRARY_ZH), (HEADERS_EN, HEADERS_ZH)]
)
def test_every_key_in_both_languages(en: dict[str, str], zh: dict[str, str]) -> None:
    assert set(en) - set(zh) == set()
    assert set(zh) - set(en) == set()


def test_keys_defined_once_across_domains() -> None:
    assert set(TEXT_EN) & set(LIBRARY_EN) == set()
    assert len(TEXT["en"]) == len(TEXT_EN) + len(LIBRARY_EN)


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("key", sorted(TEXT["en"]))
def test_same_placeholders_in_both_languages(key: str) -> None:
    assert _fields(TEXT["en"][key]) == _fields(TEXT["zh"][key]), key


def test_chinese_phrases_are_chinese() -> None:
    # a phrase that is only placeholders, numbers or symbols may stay as it is
    untranslated = [
        k
        for k, v in TEXT["zh"].items()
        if not CJK.search(v)
        and re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", v))
        and v == TEXT["en"][k]
    ]
    assert len(untranslated) <= 0.05 * len(TEXT["zh"]), untranslated[:20]


def test_lookup_and_fallbacks() -> None:
    assert text("summary_n", "en", n=1200) == "n = 1,200"
    assert text("summary_n", "zh", n=1200) == "样本量 n = 1,200"
    assert text("no_such_key", "zh") == "no_such_key"
    assert header("no_such_column", "zh") == "no_such_column"
    assert HEADERS["en"] is HEADERS_EN


def test_bad_language_names_the_value() -> None:
    with pytest.raises(CsiInputError, match="'fr'"):
        check_lang("fr")


def test_report_labels_reexport_the_catalogue() -> None:
    from csi.report import labels

    assert labels.TEXT is TEXT
    assert labels.text is text
