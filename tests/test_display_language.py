"""Language at display time: one fitted result shows its diagnostics in English or Chinese,
and plots label items and constructs from a codebook in the requested language only."""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import csi
from csi import diagnostics as dg
from csi.plots import MissingCJKFontWarning, index_plot, ipma_plot, path_diagram, weights_plot

CJK = re.compile(r"[\u4e00-\u9fff]")
# identifiers that stay as given inside a Chinese message
_KEEP = re.compile(r"missing='[a-z]+'|rho_C|omega|HTMT|AVE|VIF|Heywood")


@pytest.fixture(scope="module")
def fitted() -> tuple[csi.SEMResult, csi.PLSResult, list[str]]:
    sim = csi.datasets.simulate_csi(300, seed=1)
    spec = csi.ModelSpec.acsi(indicators=sim.roles)
    data = sim.data.copy()
    data.loc[data.index[:7], "QUAL2"] = np.nan  # listwise exclusion: a diagnostic
    names = [*spec.constructs, *spec.items]
    return csi.fit_sem(data, spec), csi.fit_pls(data, spec), names


def _english_words(text: str, names: Iterable[str]) -> list[str]:
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, " ")
    return re.findall(r"[A-Za-z]{3,}", _KEEP.sub(" ", text))


def _check_both(diags: list[csi.Diagnostic], names: list[str]) -> None:
    assert diags
    for d in diags:
        en = d.line("en")
        zh = d.line("zh")
        assert not CJK.search(en), en
        assert CJK.search(zh) and not _english_words(zh, names), zh
        assert d.text("en") not in zh and d.advice_text("en") not in zh


def test_sem_diagnostics_in_both_languages_from_one_fit(fitted) -> None:
    sem, _, names = fitted
    assert sem.lang == "en"
    excluded = [d for d in sem.diagnostics if d.code == "respondents_excluded"]
    assert excluded and "7 respondent(s)" in excluded[0].message  # default: English
    _check_both(sem.diagnostics, names)
    zh = sem.diagnostics_in("zh")
    assert [d.code for d in zh] == [d.code for d in sem.diagnostics]
    assert all(d.lang == "zh" and CJK.search(d.message) for d in zh)
    assert "成列删除" in zh[0].message
    # the summary renders on request, labels and diagnostics alike
    text_zh = sem.summary(lang="zh")
    assert "诊断" in text_zh and "7 名受访者" in text_zh and "respondent(s)" not in text_zh
    assert "受访者" not in sem.summary() and "7 respondent(s)" in sem.summary()
    frame = sem.diagnostics_frame(lang="zh")
    assert list(frame.columns) == ["code", "severity", "message", "advice"]
    assert CJK.search(frame["message"].iloc[0])


def test_sem_quality_renders_the_fit_diagnostics_in_its_language(fitted) -> None:
    sem, _, names = fitted
    q_zh = sem.quality(lang="zh")
    q_en = sem.quality(lang="en")
    assert [d.code for d in q_zh.diagnostics] == [d.code for d in q_en.diagnostics]
    assert all(CJK.search(d.message) for d in q_zh.diagnostics)  # the fit's own ones too
    assert not any(CJK.search(d.message + d.advice) for d in q_en.diagnostics)
    _check_both(q_en.diagnostics, names)
    # and the report's own summary switches language from the same object
    part_zh = q_en.summary(lang="zh").split("诊断")[-1]
    assert "[提示]" in part_zh and not _english_words(part_zh, names)
    part_en = q_zh.summary(lang="en").split("Diagnostics")[-1]
    assert "[info]" in part_en and not CJK.search(part_en)


def test_pls_quality_diagnostics_in_both_languages(fitted) -> None:
    _, pls, names = fitted
    q = pls.quality()
    assert q.lang == "en"
    _check_both(q.diagnostics, names)
    frame_zh = q.diagnostics_frame(lang="zh")
    assert all(CJK.search(m) for m in frame_zh["message"])
    assert q.diagnostics_frame()["message"].tolist() == [d.message for d in q.diagnostics]
    assert [d.message for d in pls.quality(lang="zh").diagnostics] == frame_zh["message"].tolist()


def test_fit_language_stays_the_default_display_language(fitted) -> None:
    sim = csi.datasets.simulate_csi(300, seed=1)
    spec = csi.ModelSpec.acsi(indicators=sim.roles)
    data = sim.data.copy()
    data.loc[data.index[:3], "SAT1"] = np.nan
    sem = csi.fit_sem(data, spec, lang="zh")
    d = sem.diagnostics[0]
    assert d.lang == "zh" and "3 名受访者" in d.message
    assert d.text("en").startswith("3 respondent(s) were left out")
    assert "Diagnostics" in sem.summary(lang="en") and "诊断" in sem.summary()


def test_localised_arguments_and_hand_made_diagnostics() -> None:
    (nc,) = dg.not_converged(False, iterations=12)
    assert nc.text() == "The estimation did not converge after 12 iterations."
    assert nc.text("zh") == "估计未收敛（12 次迭代后）。"
    (pd_,) = dg.not_positive_definite(-np.eye(2), name=dg.in_group(dg.SAMPLE_CORRELATION_MATRIX, 2))
    assert "sample correlation matrix (group 2)" in pd_.text("en")
    assert "样本相关矩阵（组 2）" in pd_.text("zh")
    (custom,) = dg.not_positive_definite(-np.eye(2), name="my matrix", lang="zh")
    assert "my matrix" in custom.text("en") and "my matrix" in custom.message
    hand = csi.Diagnostic("x", "info", "Plain text.", "Advice.")
    assert hand.text("zh") == "Plain text." and hand.in_lang("zh") is hand
    assert str(hand) == "[info] Plain text. Advice."
    with pytest.raises(ValueError, match="lang"):
        nc.text("fr")
    # duplicates still collapse; languages are kept apart
    assert len(dg.collect(dg.not_converged(False), dg.not_converged(False))) == 1


# ------------------------------------------------------------------------------ plots
@pytest.fixture(scope="module")
def codebook() -> csi.Codebook:
    return csi.datasets.simulate_csi(50, seed=2).codebook


def _all_texts(fig: Figure) -> list[str]:
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


def _draw(make, lang: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCJKFontWarning)
        return _all_texts(make(lang))


ITEMS = ["QUAL1", "QUAL2", "VAL1", "SAT1"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ipma_labels_items_in_the_requested_language_only(codebook, lang) -> None:
    other = "zh" if lang == "en" else "en"
    frame = pd.DataFrame(
        {"driver": ITEMS, "importance": [0.1, 0.3, 0.2, 0.4], "performance": [70, 60, 80, 75]}
    )
    texts = _draw(
        lambda lg: ipma_plot(frame, target="Satisfaction", codebook=codebook, lang=lg), lang
    )
    for item in ITEMS:
        assert codebook.label(item, lang) in texts
        assert not any(codebook.label(item, other) in t for t in texts)
        assert item not in texts
    assert any(codebook.label("Satisfaction", lang) in t for t in texts)  # the title
    if lang == "en":
        assert not any(CJK.search(t) for t in texts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_construct_plots_use_codebook_labels_in_the_requested_language(codebook, lang) -> None:
    other = "zh" if lang == "en" else "en"
    constructs = ["Quality", "Value", "Satisfaction"]
    frame = pd.DataFrame({"construct": constructs, "index": [70.0, 65.0, 75.0]})
    texts = _draw(lambda lg: index_plot(frame, codebook=codebook, lang=lg), lang)
    texts += _draw(
        lambda lg: weights_plot(
            pd.Series([0.5, 0.3, 0.2], index=ITEMS[:3]), codebook=codebook, lang=lg
        ),
        lang,
    )
    paths = pd.DataFrame(
        {
            "source": ["Quality", "Value"],
            "target": ["Satisfaction", "Satisfaction"],
            "estimate": [0.4, 0.3],
        }
    )
    texts += _draw(lambda lg: path_diagram(paths, codebook=codebook, lang=lg), lang)
    flat = " ".join(texts).replace("\n", "")
    for name in [*constructs, *ITEMS[:3]]:
        assert codebook.label(name, lang).replace(" ", "") in flat.replace(" ", "")
        if codebook.label(name, other) != name:
            assert codebook.label(name, other).replace(" ", "") not in flat.replace(" ", "")


def test_missing_label_falls_back_to_the_name_not_the_other_language(codebook) -> None:
    entries = tuple(
        dataclasses.replace(e, label_en="") if e.name == "QUAL1" else e for e in codebook.entries
    )
    cb = dataclasses.replace(codebook, entries=entries)
    frame = pd.DataFrame(
        {"driver": ["QUAL1", "SAT1"], "importance": [0.2, 0.4], "performance": [60, 70]}
    )
    texts = _draw(lambda lg: ipma_plot(frame, codebook=cb, lang=lg), "en")
    assert "QUAL1" in texts and cb.item("QUAL1").label_zh not in texts
    assert cb.label("SAT1", "en") in texts
    # labels= given per language: the same rule
    labels = {"QUAL1": {"zh": "可靠"}, "SAT1": {"en": "Overall", "zh": "总体"}}
    texts = _draw(lambda lg: ipma_plot(frame, labels=labels, lang=lg), "en")
    assert "QUAL1" in texts and "Overall" in texts and "可靠" not in texts
    texts = _draw(lambda lg: ipma_plot(frame, labels=labels, lang=lg), "zh")
    assert "可靠" in texts and "总体" in texts and "Overall" not in texts
    # a Survey carries its codebook
    survey = csi.datasets.simulate_csi(50, seed=2).survey()
    texts = _draw(lambda lg: ipma_plot(frame, codebook=survey, lang=lg), "zh")
    assert survey.codebook.label("QUAL1", "zh") in texts
