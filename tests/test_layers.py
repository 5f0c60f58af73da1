"""Layers that only point down (issue 14), read from the source with ``ast``.

The layers, lowest first (a module may import its own layer and the ones below it;
the mapping is by longest module prefix, see :data:`LAYERS`):

0. **base** - checks, formulas, the translation catalogue (``csi.i18n``), display
   types, the model specification, scales, codebook, survey reading and cleaning,
   raking, weighting (AHP, entropy, ...), simulated data sets, the report's plain
   blocks (``csi.blocks``) and disclosure control (``csi.disclosure*``: the
   suppression rule ``csi.metrics`` applies to every table, so it sits below metrics;
   it reads a report only through ``csi.blocks``), and ``csi.diagnostics*`` (the
   ``Diagnostic`` value and its message catalogue; the estimators attach diagnostics to
   their results, so they sit below them; nothing in them imports above the base).
   The root package ``csi`` is lazy (PEP 562): it imports nothing at module level.
1. **moments** - sufficient statistics (``csi.moments``) and the Dask/Parquet moments
   (``csi.moments_dask``).
2. **estimators** - ``csi.pls``, ``csi.sem`` and the preset models built from a
   codebook (``csi.models``, which reads lavaan text with ``csi.pls.higher_order_spec``).
3. **post-estimation** - ``csi.quality``, ``csi.metrics``, ``csi.fuzzy``,
   ``csi.indicators*`` (estimator-neutral: they take a result or a table) and the
   scoring of fitted results on Dask (``csi.scaleout``).
4. **plots** - ``csi.plots`` (matplotlib).
5. **report** - ``csi.report``.
6. **cli** - ``csi.cli``, ``csi.cli_commands``.

Imports under ``if TYPE_CHECKING:`` are for annotations only and are not counted.
Importing ``a.b.c`` also runs the packages ``a.b``: the cycle test counts those too.

Function-level imports of csi modules are allowed only where listed in
:data:`FUNCTION_LEVEL`, each with its reason, and every entry must still be in use (a
stale entry fails). Heavy third-party packages (matplotlib, semopy, dask, openpyxl) are
imported inside functions where they are used; that is not counted here. The CLI loads a
command's module by name from one table (``csi.cli.COMMANDS``), which
``tests/test_cli_commands.py`` checks.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Layer name and the module prefixes in it (longest prefix wins).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "csi",
            "csi._checks",
            "csi._lazy",
            "csi.formulas",
            "csi.i18n",
            "csi.display",
            "csi.spec",
            "csi.scales",
            "csi.codebook",
            "csi.codebook_parse",
            "csi.survey",
            "csi.survey_files",
            "csi.survey_design",
            "csi.item_blocks",
            "csi.htmt",
            "csi.cleaning",
            "csi.rake",
            "csi.weighting",
            "csi.datasets",
            "csi.blocks",
            "csi.disclosure",
            "csi.disclosure_check",
            "csi.diagnostics",
            "csi.diagnostics_messages",
        ),
    ),
    ("moments", ("csi.moments", "csi.moments_dask")),
    ("estimators", ("csi.pls", "csi.sem", "csi.models")),
    (
        "post-estimation",
        (
            "csi.quality",
            "csi.metrics",
            "csi.scaleout",
            "csi.fuzzy",
            "csi.indicators",
            "csi.indicators_data",
            "csi.indicators_fitted",
            "csi.indicators_nodes",
            "csi.indicators_screening",
            "csi.indicators_system",
            "csi.indicators_weights",
        ),
    ),
    ("plots", ("csi.plots",)),
    ("report", ("csi.report",)),
    ("cli", ("csi.cli", "csi.cli_commands")),
)

#: Module-level imports from a lower layer to a higher one that remain
#: (importer, imported) -> reason.
UPWARD: Mapping[tuple[str, str], str] = {}

#: Function-level csi imports that are allowed: (importer pattern, imported pattern)
#: -> reason (``fnmatch`` patterns).
FUNCTION_LEVEL: Mapping[tuple[str, str], str] = {
    # design: results' thin methods call their post-estimation modules lazily
    ("csi.pls.result", "csi.quality*"): "thin result methods",
    ("csi.sem.result", "csi.quality*"): "thin result methods",
    # design: PLSResult.bootstrap/compare_groups/micom are thin methods too; the functions
    # they call take a result and refit the model, so they import the fit (and the fit
    # the result class): a module-level import here would be a cycle by construction
    ("csi.pls.result", "csi.pls.bootstrap"): "thin result methods (refitting)",
    ("csi.pls.result", "csi.pls.mga"): "thin result methods (refitting)",
    ("csi.pls.result", "csi.pls.micom"): "thin result methods (refitting)",
}


# ---------------------------------------------------------------------------- reading
def _modules(root: Path = SRC) -> dict[str, Path]:
    """Every module of ``root`` by its dotted name (packages by the package name)."""
    out = {}
    for path in root.rglob("*.py"):
        name = ".".join(path.with_suffix("").relative_to(root).parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(name: str, source: str, known: Mapping[str, object]) -> Iterator[tuple[str, bool]]:
    """(imported csi module, inside a function?) for every import in ``source``; imports
    under ``if TYPE_CHECKING:`` are skipped."""
    is_package = name in known and str(known[name]).endswith("__init__.py")
    package = name if is_package else name.rpartition(".")[0]

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            where = ".".join(base + ([node.module] if node.module else []))
        else:
            where = node.module or ""
        return [f"{where}.{a.name}" if f"{where}.{a.name}" in known else where for a in node.names]

    def walk(node: ast.AST, inside: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                for t in targets(child):
                    if t == "csi" or t.startswith("csi."):
                        while t not in known and "." in t:
                            t = t.rpartition(".")[0]
                        yield t, inside
            func = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from walk(child, inside or func)

    yield from walk(ast.parse(source), False)


def _graph(sources: Mapping[str, str], known: Mapping[str, object]) -> dict[str, set[str]]:
    """Module-level import edges, with the packages an import runs (``a.b`` for
    ``a.b.c``; not the lazy root ``csi``)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for name, source in sources.items():
        for target, inside in _imports(name, source, known):
            if inside:
                continue
            edges[name].add(target)
            parts = target.split(".")
            for k in range(2, len(parts)):
                parent = ".".join(parts[:k])
                if parent in known and not (name == parent or name.startswith(parent + ".")):
                    edges[name].add(parent)
    return edges


def _cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan 1972)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w == v:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _layer(module: str) -> int | None:
    """The layer of ``module``: its longest matching prefix in :data:`LAYERS`."""
    best: tuple[int, int] | None = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            matches = module == p or (p != "csi" and module.startswith(p + "."))
            if matches and (best is None or len(p) > best[1]):
                best = (rank, len(p))
    return None if best is None else best[0]


def _upward(edges: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (a, b)
        for a, targets in edges.items()
        for b in targets
        if (la := _layer(a)) is not None and (lb := _layer(b)) is not None and lb > la
    )


def _allowed(module: str, target: str) -> bool:
    return any(
        fnmatch.fnmatchcase(module, m) and fnmatch.fnmatchcase(target, t) for m, t in FUNCTION_LEVEL
    )


def _lang_branches(source: str) -> list[int]:
    """Lines comparing a ``lang`` with a language code (``lang == "zh"`` and the like)."""
    codes = {"en", "zh", "zh-CN"}

    def is_lang(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id == "lang") or (
            isinstance(node, ast.Attribute) and node.attr == "lang"
        )

    def is_code(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in codes
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(is_code(e) for e in node.elts)
        return False

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_lang(s) for s in sides) and any(is_code(s) for s in sides):
                lines.append(node.lineno)
    return lines


MODULES = _modules()
SOURCES = {name: path.read_text(encoding="utf-8") for name, path in MODULES.items()}
EDGES = _graph(SOURCES, MODULES)


# ---------------------------------------------------------------------------- the checks
def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if _layer(m) is None] == []


def test_no_import_cycle_at_module_level() -> None:
    assert _cycles(EDGES) == []


def test_layers_point_down() -> None:
    crossing = [e for e in _upward(EDGES) if e not in UPWARD]
    assert crossing == [], "a module imports a higher layer at module level"


def test_function_level_imports_are_listed() -> None:
    unlisted = sorted(
        {
            (name, target)
            for name, source in SOURCES.items()
            for target, inside in _imports(name, source, MODULES)
            if inside and not _allowed(name, target)
        }
    )
    assert unlisted == [], "import these at module level, or list them with their reason"


def test_every_allowed_function_level_import_is_in_use() -> None:
    used = {
        (imp, tgt)
        for name, source in SOURCES.items()
        for target, inside in _imports(name, source, MODULES)
        if inside
        for imp, tgt in FUNCTION_LEVEL
        if fnmatch.fnmatch(name, imp) and fnmatch.fnmatch(target, tgt)
    }
    assert sorted(set(FUNCTION_LEVEL) - used) == [], "remove the stale entries"


def test_the_report_speaks_through_the_catalogue() -> None:
    report = [m for m in MODULES if m.startswith(("csi.report", "csi.disclosure", "csi.blocks"))]
    branches = {m: _lang_branches(SOURCES[m]) for m in report}
    assert {m: lines for m, lines in branches.items() if lines} == {}


# ---------------------------------------------------------------------------- the checkers
def test_checkers_find_what_they_look_for() -> None:
    known = {"csi.a": "a.py", "csi.b": "b.py", "csi.pkg": "pkg/__init__.py", "csi.pkg.c": "c.py"}
    sources = {
        "csi.a": "from csi import b\nfrom csi.pkg.c import f\n",
        "csi.b": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from csi.a import x\n"
            "def g():\n    from csi.a import y\n    return lambda: 0\n"
        ),
        "csi.pkg": "",
        "csi.pkg.c": "import csi.a\n",
    }
    edges = _graph(sources, known)
    assert edges["csi.a"] == {"csi.b", "csi.pkg.c", "csi.pkg"}
    assert "csi.a" not in edges.get("csi.b", set())  # TYPE_CHECKING and function level
    assert _cycles(edges) == [["csi.a", "csi.pkg.c"]]
    assert list(_imports("csi.b", sources["csi.b"], known)) == [("csi.a", True)]
    assert _layer("csi.report.glance") == 5 and _layer("csi.pls.result") == 2
    assert _layer("csi") == 0 and _layer("csi.cli_commands") == 6
    assert _upward({"csi.pls.fit": {"csi.report.build", "csi.spec"}}) == [
        ("csi.pls.fit", "csi.report.build")
    ]
    assert _allowed("csi.pls.result", "csi.quality.pls")
    assert not _allowed("csi.report.glance", "csi.plots.index")


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ('sep = "" if ctx.lang == "zh" else " "', True),
        ('if lang != "en":\n    pass', True),
        ('ok = lang in ("en", "zh")', True),
        ('sep = text("sep_items", lang)', False),
        ("same = lang == other", False),
    ],
)
def test_language_branches_are_found(code: str, found: bool) -> None:
    assert bool(_lang_branches(code)) is found
