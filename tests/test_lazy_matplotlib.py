"""Matplotlib is loaded when a figure is drawn, not when ``csi.plots`` or ``csi.report``
is imported (issue 14: the report imports ``csi.plots`` at module level, and
``import csi.report`` stays light for the CLI start-up).

The import checks run in a fresh interpreter (this test process has matplotlib loaded
already). Not timed: ``python -X importtime -c "import csi.report"`` is the measure.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PLOTS = Path(__file__).resolve().parents[1] / "src" / "csi" / "plots"

_MODEL = (
    "Quality =~ QUAL1 + QUAL2 + QUAL3\nSatisfaction =~ SAT1 + SAT2 + SAT3\nSatisfaction ~ Quality"
)


def _run(code: str) -> list[dict[str, Any]]:
    """Run ``code`` in a fresh interpreter; every line it prints is a JSON object."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    return [json.loads(line) for line in out.stdout.strip().splitlines()]


def _probe(label: str) -> str:
    return (
        "print(json.dumps({"
        f"'step': {label!r}, "
        "'matplotlib': 'matplotlib' in sys.modules, "
        "'pyplot': 'matplotlib.pyplot' in sys.modules}))\n"
    )


def test_importing_plots_and_report_leaves_matplotlib_out() -> None:
    code = (
        "import json, sys\n"
        "import csi.plots, csi.report\n"
        "import csi.plots._common, csi.plots.fonts, csi.plots.levels, csi.plots.nps\n"
        "import csi.report.build, csi.report.context, csi.report.sections_index\n"
        "import csi.report.sections_metrics, csi.report.sections_model\n"
        "import csi.report.sections_system\n"
        "from csi import MissingCJKFontWarning\n" + _probe("import")
    )
    (state,) = _run(code)
    assert state == {"step": "import", "matplotlib": False, "pyplot": False}


def test_drawing_a_figure_loads_matplotlib_and_fitting_does_not() -> None:
    code = (
        "import json, sys\n"
        "import csi, csi.plots, csi.report\n"
        "from csi.datasets import simulate_csi\n"
        "sim = simulate_csi(150, seed=3)\n"
        f"result = csi.fit_pls(sim.data, {_MODEL!r}, scale=(1, 10))\n"
        + _probe("fitted")
        + "fig = csi.plots.index_plot(result.index())\n"
        + _probe("drawn")
        + "print(json.dumps({'step': 'figure', 'type': type(fig).__module__ + '.' + "
        "type(fig).__name__, 'bars': len(fig.axes[0].patches)}))\n"
    )
    fitted, drawn, figure = _run(code)
    assert fitted == {"step": "fitted", "matplotlib": False, "pyplot": False}
    # the plots build plain Agg figures: pyplot (and its global state) stays out
    assert drawn == {"step": "drawn", "matplotlib": True, "pyplot": False}
    assert figure == {"step": "figure", "type": "matplotlib.figure.Figure", "bars": 2}


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, module)`` of the imports run when the module is imported: the module
    body and its plain ``if``/``try`` blocks, but not ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((node.lineno, node.module))
            elif isinstance(node, ast.If):
                test = node.test
                guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
                )
                if not guarded:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for part in (node.body, node.orelse, node.finalbody):
                    visit(part)
                for handler in node.handlers:
                    visit(handler.body)

    visit(tree.body)
    return found


@pytest.mark.parametrize("path", sorted(PLOTS.glob("*.py")), ids=lambda p: p.name)
def test_no_plot_module_imports_matplotlib_at_module_level(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    heavy = [
        (line, name)
        for line, name in _module_level_imports(tree)
        if name == "matplotlib" or name.startswith("matplotlib.")
    ]
    assert heavy == [], f"{path.name} imports matplotlib when imported: {heavy}"


def test_module_level_import_finder() -> None:
    """The finder above sees plain and nested imports and skips TYPE_CHECKING ones."""
    tree = ast.parse(
        "import a\n"
        "from b.c import d\n"
        "if TYPE_CHECKING:\n    import hidden\n"
        "if typing.TYPE_CHECKING:\n    import hidden2\nelse:\n    import e\n"
        "try:\n    import f\nexcept ImportError:\n    import g\n"
        "def later():\n    import h\n"
    )
    assert [m for _, m in _module_level_imports(tree)] == ["a", "b.c", "e", "f", "g"]


def test_level_colours_are_the_matplotlib_colour_map() -> None:
    """``LEVEL_COLORS`` is written out (no matplotlib at import); it must equal the
    colour map it stands for, red -> grey -> green sampled at k / 6."""
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    from csi.plots.levels import LEVEL_COLORS

    cmap = LinearSegmentedColormap.from_list("levels", ["#b2182b", "#bdbdbd", "#1a9850"])
    assert LEVEL_COLORS == tuple(to_hex(cmap(k / 6)) for k in range(7))
