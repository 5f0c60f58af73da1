"""One display contract over every public result class (issue 14).

Every public class with a ``summary`` method (found by walking the ``__all__`` of every
public module of csi, so a new result class is picked up) is built once from small
data and checked in English and Chinese: ``summary(lang=...)`` returns a
:class:`csi.display.Summary` in that language (the Chinese text contains Chinese
characters), ``_repr_html_()`` is ``summary().html``, and an unknown language is a
:class:`csi.CsiInputError` naming it. A public class with a ``summary`` but no factory
below fails :func:`test_every_summary_class_has_a_factory`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import csi
from csi import CsiInputError
from csi.display import Summary

CJK = re.compile(r"[\u4e00-\u9fff]")


def _public_summary_classes() -> dict[str, type]:
    """Class name -> class, for every class with a ``summary`` exported by a public module
    of csi (``__all__``; modules whose name starts with ``_`` skipped). Keyed by name, not
    module, so that moving a class between modules keeps its factory; two public classes
    of one name fail here."""
    found: dict[str, type] = {}
    modules = [csi.__name__] + [
        m.name
        for m in pkgutil.walk_packages(csi.__path__, "csi.")
        if not any(part.startswith("_") for part in m.name.split(".")[1:])
    ]
    for name in modules:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if inspect.isclass(obj) and callable(getattr(obj, "summary", None)):
                other = found.setdefault(obj.__qualname__, obj)
                assert other is obj, f"two public classes named {obj.__qualname__}"
    return dict(sorted(found.items()))


CLASSES = _public_summary_classes()


# ---------------------------------------------------------------------------- data
class Built:
    """Shared small fits, each made on first use (one per module run)."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._cache[key] = make()
        return self._cache[key]

    @property
    def sim(self) -> Any:
        return self.get("sim", lambda: csi.simulate_csi(240, seed=5, waves=None))

    @property
    def spec(self) -> csi.ModelSpec:
        return self.get("spec", lambda: csi.ModelSpec.acsi(indicators=self.sim.roles))

    @property
    def pls(self) -> csi.PLSResult:
        return self.get("pls", lambda: csi.fit_pls(self.sim.data, self.spec))

    @property
    def survey(self) -> csi.Survey:
        return self.get("survey", csi.load_sample)


def _ahp() -> csi.AHPResult:
    return csi.ahp_weights([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]], items=list("abc"))


def _indicator_system() -> Any:
    from csi.indicators import IndicatorSystem

    return IndicatorSystem.from_dict(
        {
            "id": "CSI",
            "name": {"zh": "满意度", "en": "Satisfaction"},
            "scale": {"min": 1, "max": 7},
            "weights": {"method": "given", "values": {"product": 3, "service": 1}},
            "children": [
                {"id": "product", "name": {"zh": "产品", "en": "Product"}, "children": ["q1"]},
                {
                    "id": "service",
                    "name": {"zh": "服务", "en": "Service"},
                    "children": ["q2", "q3"],
                },
            ],
        }
    ).fit()


def _indicator_data() -> pd.DataFrame:
    return pd.DataFrame({"q1": [7, 1, 4, 6], "q2": [7, 1, 1, 7], "q3": [5, 2, 6, 3]})


def _loyalty() -> Any:
    rng = np.random.default_rng(3)
    sat = rng.integers(1, 11, 400)
    loy = np.clip(sat + rng.normal(0, 2, 400), 1, 10)
    frame = pd.DataFrame({"sat": sat, "loy": loy})
    return csi.metrics.satisfaction_loyalty(frame, "sat", "loy", scale=(1, 10), min_size=5)


def _staff() -> Any:
    frame = pd.DataFrame(
        {
            "agent": ["E1"] * 4 + ["E2"] * 4 + ["E3"] * 4,
            "score": [8, 9, 10, 9, 6, 7, 8, 7, 4, 5, 6, 5],
        }
    )
    return csi.metrics.staff_appraisal(frame, "score", "agent", min_ratings=4, seed=1)


def _rake(b: Built) -> csi.RakeResult:
    shares = b.survey.data["region"].value_counts(normalize=True)
    even = {region: 1 / len(shares) for region in shares.index}
    return csi.rake(b.survey, {"region": even})


def _interaction(b: Built) -> Any:
    text = b.spec.to_lavaan().replace(
        "Satisfaction ~ Expectation + Quality + Value",
        "Satisfaction ~ Expectation + Quality + Value + Quality:Value",
    )
    assert "Quality:Value" in text
    return csi.fit_pls(b.sim.data, text)


def _higher_order(b: Built) -> Any:
    model = """
    Product =~ QUAL1 + QUAL2 + QUAL3
    Service =~ QUAL4 + QUAL5
    Quality =~ Product + Service
    Satisfaction =~ SAT1 + SAT2 + SAT3
    Loyalty =~ LOY1 + LOY2 + LOY3
    Satisfaction ~ Quality
    Loyalty ~ Satisfaction
    """
    return csi.fit_higher_order(b.sim.data, model)


def _report() -> Any:
    from csi.report import Figure, Report, Section, Table

    table = Table("sizes", "Segment sizes", pd.DataFrame({"segment": ["a"], "n": [40]}))
    figure = Figure("index", "Index by construct", b"")
    sections = (
        Section("overview", "Overview", (table, figure)),
        Section("nps", "NPS", (), available=False),
    )
    return Report(title="Report", lang="en", sections=sections)


SEM_MODEL = "Quality =~ QUAL1 + QUAL2 + QUAL3\nSatisfaction =~ SAT1 + SAT2 + SAT3\n" + (
    "Satisfaction ~ Quality"
)

#: How to build one instance of each public class with a ``summary``.
FACTORIES: dict[str, Callable[[Built], Any]] = {
    "CleaningReport": lambda b: b.survey.report,
    "Codebook": lambda b: b.survey.codebook,
    "FuzzyResult": lambda b: csi.fuzzy_evaluation(
        [0.6, 0.4], [[0, 0, 0, 0.2, 0.3, 0.4, 0.1], [0, 0, 0.1, 0.3, 0.4, 0.2, 0]]
    ),
    "FittedIndicatorSystem": lambda b: _indicator_system(),
    "IndicatorScores": lambda b: _indicator_system().score(_indicator_data()),
    "SatisfactionLoyalty": lambda b: _loyalty(),
    "StaffAppraisal": lambda b: _staff(),
    "BootstrapResult": lambda b: b.pls.bootstrap(30, seed=1),
    "HigherOrderResult": _higher_order,
    "InteractionResult": _interaction,
    "GroupComparison": lambda b: csi.compare_groups(
        b.sim.data, b.spec, "channel", groups=("online", "store"), n=30, seed=1
    ),
    "MICOMResult": lambda b: csi.micom(
        b.pls, group="channel", groups=("online", "store"), permutations=30, seed=1
    ),
    "PLSResult": lambda b: b.pls,
    "CVPATResult": lambda b: csi.cvpat(b.pls, folds=5, repeats=1, seed=1),
    "ModelFit": lambda b: b.pls.model_fit(),
    "PredictionResult": lambda b: csi.pls_predict(b.pls, folds=5, repeats=1, seed=1),
    "QualityReport": lambda b: b.pls.quality(),
    "ItemScreening": lambda b: csi.screen_items(b.sim.data, b.spec),
    "RakeResult": _rake,
    "Report": lambda b: _report(),
    "InvarianceResult": lambda b: csi.invariance(
        b.sim.data, SEM_MODEL, group="channel", levels=("configural", "metric")
    ),
    "SEMResult": lambda b: csi.fit_sem(b.sim.data, SEM_MODEL),
    "ModelSpec": lambda b: b.spec,
    "Survey": lambda b: b.survey,
    "AHPResult": lambda b: _ahp(),
    "GroupAHPResult": lambda b: csi.ahp_group(
        {"e1": [[1, 3], [1 / 3, 1]], "e2": [[1, 2], [1 / 2, 1]]}, items=["a", "b"]
    ),
    "AHPHierarchyResult": lambda b: csi.ahp_hierarchy(
        {
            "G": pd.DataFrame([[1, 2], [1 / 2, 1]], index=["x1", "x2"], columns=["x1", "x2"]),
            "x1": pd.DataFrame(
                [[1, 3, 1 / 2], [1 / 3, 1, 1 / 5], [2, 5, 1]],
                index=list("abc"),
                columns=list("abc"),
            ),
        },
        root="G",
    ),
    "CombinedWeights": lambda b: csi.combine_weights(
        {"ahp": {"a": 0.5, "b": 0.3, "c": 0.2}, "entropy": {"a": 0.2, "b": 0.2, "c": 0.6}},
        alpha=0.5,
    ),
}

#: Classes expected to fail the contract (strict xfail), with the reason; empty when
#: every public result follows it.
PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _params() -> list[Any]:
    out = []
    for name in CLASSES:
        for lang in ("en", "zh"):
            marks = (
                [pytest.mark.xfail(strict=True, reason=PENDING[name])] if name in PENDING else []
            )
            out.append(pytest.param(name, lang, marks=marks, id=f"{name}-{lang}"))
    return out


def _instance(built: Built, name: str) -> Any:
    if name not in FACTORIES:
        pytest.fail(f"{name} has a summary but no factory in FACTORIES")
    obj = built.get(f"instance:{name}", lambda: FACTORIES[name](built))
    assert isinstance(obj, CLASSES[name]), f"the factory of {name} built a {type(obj)}"
    return obj


# ---------------------------------------------------------------------------- checks
def test_every_summary_class_has_a_factory() -> None:
    assert sorted(set(CLASSES) - set(FACTORIES)) == []
    assert sorted(set(FACTORIES) - set(CLASSES)) == [], "a factory for a class no longer public"


def test_discovery_finds_the_known_results() -> None:
    # the walk must see classes exported only by a subpackage or a module
    for name in (
        "PLSResult",
        "StaffAppraisal",
        "CombinedWeights",
        "ModelFit",
    ):
        assert name in CLASSES


@pytest.mark.parametrize(("name", "lang"), _params())
def test_summary_contract(built: Built, name: str, lang: str) -> None:
    obj = _instance(built, name)
    assert "lang" in inspect.signature(obj.summary).parameters
    s = obj.summary(lang=lang)
    assert isinstance(s, Summary)
    assert s.lang == lang
    assert str(s) == s.text and s.text.strip()
    if lang == "zh":
        assert CJK.search(s.text), f"{name}: the Chinese summary has no Chinese text"
    assert "<" in s.html
    assert all(isinstance(t, pd.DataFrame) for t in s.tables.values())


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=[pytest.mark.xfail(strict=True, reason=PENDING[n])])
        if n in PENDING
        else n
        for n in CLASSES
    ],
)
def test_html_is_the_summary_html_and_bad_language_is_named(built: Built, name: str) -> None:
    obj = _instance(built, name)
    assert obj._repr_html_() == obj.summary().html
    with pytest.raises(CsiInputError, match="'fr'"):
        obj.summary(lang="fr")


def test_english_and_chinese_summaries_differ_for_a_fit(built: Built) -> None:
    en, zh = built.pls.summary(lang="en"), built.pls.summary(lang="zh")
    assert en.text != zh.text
    assert list(en.tables) != list(zh.tables)  # table titles are translated
    assert [t.shape for t in en.tables.values()] == [t.shape for t in zh.tables.values()]


def test_positional_language_still_accepted(built: Built) -> None:
    assert built.pls.summary("zh").lang == "zh"
    assert built.survey.codebook.summary("zh").lang == "zh"


SRC = Path(__file__).resolve().parents[1] / "src" / "csi"


def _lang_branches(source: str) -> list[int]:
    """Lines comparing ``lang`` (or ``.lang``) with a language code."""
    import ast

    def is_lang(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id == "lang") or (
            isinstance(node, ast.Attribute) and node.attr == "lang"
        )

    def is_code(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in ("en", "zh")

    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Compare)
        and any(is_lang(s) for s in (node.left, *node.comparators))
        and any(is_code(s) for s in (node.left, *node.comparators))
    )


def test_language_branches_found_by_the_checker() -> None:
    assert _lang_branches('x = "a" if lang == "zh" else "b"\ny = self.lang != "en"\n') == [1, 2]
    assert _lang_branches("x = text('k', lang)\n") == []


#: Modules that still choose a phrase by comparing the language (files owned elsewhere).
LANG_BRANCH_DEBT: set[str] = set()


def test_no_inline_language_branches_outside_the_report() -> None:
    found = {
        str(p.relative_to(SRC)): lines
        for p in sorted(SRC.rglob("*.py"))
        if "report" not in p.relative_to(SRC).parts
        and str(p.relative_to(SRC)) not in LANG_BRANCH_DEBT
        and (lines := _lang_branches(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_summary_keeps_notes_tables_and_html_through_pickle() -> None:
    import pickle

    table = pd.DataFrame({"index": [74.2]})
    s = Summary("CSI\nn = 250", title="CSI", notes=["n = 250"], tables={"index": table})
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.notes == ("n = 250",) and back.heading == "CSI"
    assert back.html == s.html and "<p>n = 250</p>" in s.html and "<table" in s.html
    plain = Summary.plain("a < b", tables={"index": table})
    assert plain.html == "<pre>a &lt; b</pre>" and list(plain.tables) == ["index"]
