"""``import csi`` is light: public names are imported from their submodules on first use.

Not timed (the speed target is in benchmarks/bench_speed.py); these tests check which
modules an import loads, in a fresh interpreter, and that every public name resolves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

import csi

HEAVY = ("scipy.stats", "semopy", "matplotlib", "dask", "statsmodels")


def _loaded_after(code: str) -> dict[str, bool]:
    """Which of HEAVY are in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps({{m: m in sys.modules for m in {list(HEAVY)!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_csi_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import csi")
    assert not any(loaded.values()), {m for m, v in loaded.items() if v}


def test_cli_help_loads_nothing_heavy() -> None:
    code = (
        "import contextlib, io\n"
        "from csi.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass"
    )
    loaded = _loaded_after(code)
    assert not any(loaded.values()), {m for m, v in loaded.items() if v}


def test_layers_load_heavy_packages_only_when_used() -> None:
    """Importing the report, plots, SEM and metrics layers loads neither matplotlib,
    semopy, statsmodels nor dask (each is imported where a figure, a CB-SEM fit, a
    LOWESS curve or a Dask frame needs it); scipy.stats is the one heavy package the
    estimators load at import."""
    loaded = _loaded_after("import csi.report, csi.plots, csi.sem, csi.metrics, csi.quality")
    assert {m for m, v in loaded.items() if v} <= {"scipy.stats"}


def test_light_names_stay_light() -> None:
    """Reading a light name (AHP, scales) must not drag in the estimators."""
    loaded = _loaded_after("import csi\ncsi.ahp_weights\ncsi.SEVEN_LEVELS")
    assert not loaded["semopy"]
    assert not loaded["matplotlib"]


@pytest.mark.parametrize("name", csi.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(csi, name) is not None


def test_from_import_star_and_dir() -> None:
    namespace: dict[str, object] = {}
    exec("from csi import *", namespace)
    assert set(csi.__all__) <= set(namespace)
    assert set(csi.__all__) <= set(dir(csi))


def test_export_table_matches_all() -> None:
    lazy = set(csi._EXPORTS) | set(csi._SUBMODULES) | {"__version__"}
    assert lazy == set(csi.__all__)


def test_names_are_the_submodule_objects() -> None:
    from csi.pls import fit_pls
    from csi.weighting import ahp_weights

    assert csi.fit_pls is fit_pls
    assert csi.ahp_weights is ahp_weights
    assert isinstance(csi.metrics, types.ModuleType)
    assert csi.metrics.nps is csi.nps


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = csi.not_a_name  # type: ignore[attr-defined]
    assert not hasattr(csi, "not_a_name")


def test_rake_stays_the_function_after_importing_its_module() -> None:
    """``csi.rake`` is the function (as with eager imports) even once the module
    ``csi.rake`` has been imported, before or after the first read."""
    code = (
        "import csi.rake, csi\n"
        "first = csi.rake\n"
        "import csi.survey, csi.report\n"
        "import csi.rake as again\n"
        "print(callable(first), first is csi.rake, again is csi.rake, "
        "type(csi.rake).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["True", "True", "True", "function"]
    assert callable(csi.rake)
    assert csi.rake.__module__ == "csi.rake"


def test_every_warning_is_exported_and_a_csi_warning() -> None:
    """One base class: every warning class defined in src/csi is a CsiWarning and is a
    public name of csi (so users can filter them all, or one by one)."""
    import ast
    from pathlib import Path

    defined = set()
    for path in Path(csi.__file__).parent.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Warning"):
                defined.add(node.name)
    assert defined <= set(csi.__all__), sorted(defined - set(csi.__all__))
    for name in defined - {"CsiWarning"}:
        assert issubclass(getattr(csi, name), csi.CsiWarning), name
    assert issubclass(csi.CsiWarning, UserWarning)


def test_every_warning_given_is_a_csi_warning() -> None:
    """Each ``warnings.warn`` call in src/csi names its category, and the category is a
    public CsiWarning subclass (a bare call would give a plain UserWarning, which
    ``simplefilter("error", csi.CsiWarning)`` misses)."""
    import ast
    from pathlib import Path

    bad = []
    for path in Path(csi.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "warnings.warn"):
                continue
            given = node.args[1] if len(node.args) > 1 else None
            given = given or next((k.value for k in node.keywords if k.arg == "category"), None)
            name = ast.unparse(given).rsplit(".", 1)[-1] if given is not None else None
            cls = getattr(csi, name, None) if name else None
            if not (isinstance(cls, type) and issubclass(cls, csi.CsiWarning)):
                bad.append(f"{path.name}:{node.lineno} category={name}")
    assert not bad, bad
