"""The command registry of the csi command line (:data:`csi.cli.COMMANDS`, issue 14) and
what start-up loads (issue 20).

Not timed (the speed target is in benchmarks/bench_speed.py): the start-up checks look
at which modules a run leaves in ``sys.modules``, in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from csi import cli
from csi._checks import CsiInputError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "csi"
SURVEY = str(ROOT / "data" / "samples" / "survey.csv")
CODEBOOK = str(ROOT / "data" / "samples" / "codebook.yaml")

#: What a light start must not load (the report package brings statsmodels and the
#: estimators; matplotlib comes with its figures).
HEAVY = ("scipy.stats", "semopy", "matplotlib", "statsmodels", "dask", "csi.report")


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def _loaded_after(argv: list[str]) -> dict[str, object]:
    """Exit code, and the heavy and csi.cli_commands modules loaded, after
    ``csi.cli.main(argv)`` in a fresh interpreter."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from csi.cli import main\n"
        "sink = io.StringIO()\n"
        "with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):\n"
        f"    code = main({argv!r})\n"
        f"heavy = [m for m in {list(HEAVY)!r} if m in sys.modules]\n"
        "commands = sorted(m for m in sys.modules if m.startswith('csi.cli_commands'))\n"
        "print(json.dumps({'code': code, 'heavy': heavy, 'commands': commands}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------- the registry
def test_the_registry_covers_every_subcommand():
    assert set(cli.COMMANDS) == _subcommands(cli.build_parser())
    assert set(cli.COMMANDS) == {"report", "fit", "ahp", "weights", "validate"}


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_module_imports_and_offers_run(name):
    module = importlib.import_module(cli.COMMANDS[name])
    assert module.__name__.startswith("csi.cli_commands.")
    assert callable(module.run)
    assert list(inspect.signature(module.run).parameters) == ["args", "out", "err"]
    errors = module.INPUT_ERRORS
    assert isinstance(errors, tuple)
    assert all(isinstance(e, type) and issubclass(e, BaseException) for e in errors)
    assert {CsiInputError, OSError, UnicodeError} <= set(errors)
    assert not any(issubclass(e, (RuntimeError, KeyError, ImportError)) for e in errors)


def test_a_broken_registry_entry_is_a_bug_not_bad_input(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "validate", "csi.cli_commands.no_such_command")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["validate", SURVEY, "--codebook", CODEBOOK], stdout=out, stderr=err)
    assert code == cli.EXIT_ERROR and out.getvalue() == ""
    assert err.getvalue().startswith("csi: unexpected error: ModuleNotFoundError:")
    assert "Traceback" not in err.getvalue()


def _cli_modules() -> dict[str, Path]:
    paths = {"csi.cli": SRC / "cli.py"}
    for path in sorted((SRC / "cli_commands").glob("*.py")):
        name = "csi.cli_commands" + ("" if path.stem == "__init__" else f".{path.stem}")
        paths[name] = path
    return paths


def _function_level_csi_imports(tree: ast.AST) -> list[int]:
    found = []
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for node in ast.walk(func):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] if not node.level else ["csi"]
                else:
                    continue
                if any(n == "csi" or n.startswith("csi.") for n in names):
                    found.append(node.lineno)
    return found


def test_the_registry_is_the_only_import_by_name():
    """No csi module imported inside a function in the CLI, and one ``import_module``
    call (in :func:`csi.cli.main`, reading :data:`COMMANDS`)."""
    modules = _cli_modules()
    assert set(cli.COMMANDS.values()) < set(modules)
    by_name = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert _function_level_csi_imports(tree) == [], name
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            in ("import_module", "__import__")
        ]
        if calls:
            by_name[name] = len(calls)
    assert by_name == {"csi.cli": 1}


def test_the_checker_finds_function_level_imports():
    code = (
        "import csi.survey\n"
        "def f():\n    from csi.report import x\n    import yaml\n"
        "def g():\n    from . import y\n"
    )
    assert _function_level_csi_imports(ast.parse(code)) == [3, 6]


# ---------------------------------------------------------------------------- start-up
@pytest.mark.parametrize(
    "argv", [["--help"], ["validate", "--help"], ["report", "--help"], ["--version"], []]
)
def test_help_and_usage_load_no_command(argv):
    """Building the parser imports no command module, hence nothing heavy."""
    loaded = _loaded_after(argv)
    assert loaded["code"] == (2 if not argv else 0)
    assert loaded["heavy"] == []
    assert loaded["commands"] == ["csi.cli_commands"]


def test_validate_loads_only_its_command():
    """``csi validate`` runs without csi.report, matplotlib, semopy, statsmodels or dask
    (scipy.stats comes with the PLS package, which the default model check imports)."""
    loaded = _loaded_after(["validate", SURVEY, "--codebook", CODEBOOK])
    assert loaded["code"] == 0
    assert set(loaded["heavy"]) <= {"scipy.stats"}  # type: ignore[arg-type]
    assert loaded["commands"] == [
        "csi.cli_commands",
        "csi.cli_commands.common",
        "csi.cli_commands.validate",
    ]
