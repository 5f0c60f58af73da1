"""The documentation's code examples run, and its API pages name modules that import.

Every fenced ```python block of a page under docs/ (the API reference, the generated
benchmarks page and the glossary excepted) is executed in order, in one namespace
per page, from the repository root, as a reader would paste them. A block preceded
by the line ``<!-- no-test -->`` is shown but not run (e.g. one that starts a Dask
cluster).
"""

from __future__ import annotations

import importlib
import re
import tempfile
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SKIP_PAGES = {"benchmarks.md", "glossary.md"}
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def _pages() -> list[Path]:
    if not DOCS.is_dir():
        return []
    return sorted(
        p
        for p in DOCS.rglob("*.md")
        if p.name not in SKIP_PAGES and "api" not in p.relative_to(DOCS).parts
    )


def _blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each runnable python block."""
    out = []
    for m in FENCE.finditer(text):
        before = text[: m.start()].rstrip("\n").splitlines()
        if before and before[-1].strip() == "<!-- no-test -->":
            continue
        out.append((text.count("\n", 0, m.start()) + 2, m.group(1)))
    return out


def test_block_extraction() -> None:
    text = "x\n```python\na = 1\n```\n<!-- no-test -->\n```python\nb = 2\n```\n```bash\nls\n```\n"
    assert _blocks(text) == [(3, "a = 1\n")]


PAGES = [p for p in _pages() if _blocks(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    # examples write to tempfile.mkdtemp(): keep that inside pytest's temporary folder
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code in _blocks(page.read_text(encoding="utf-8")):
        try:
            exec(compile(code, f"{page.relative_to(ROOT)}:{line}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{page.relative_to(ROOT)}, block at line {line}: {exc!r}")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_api_pages_name_importable_modules() -> None:
    names = []
    for page in sorted((DOCS / "api").glob("*.md")):
        names += re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M)
    assert names, "no API reference pages"
    for name in names:
        importlib.import_module(name)


def test_nav_pages_exist() -> None:
    nav = re.findall(r":\s*([\w/.-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert "glossary.md" in nav and "benchmarks.md" in nav
    absent = [p for p in nav if not (DOCS / p).is_file()]
    assert not absent, f"pages named in mkdocs.yml nav but missing: {absent}"


YAML_FENCE = re.compile(r"^```yaml[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def test_yaml_examples_are_valid() -> None:
    """YAML blocks headed '# codebook.yaml' or '# indicator_system.yaml' load without error."""
    import yaml

    from csi.codebook import Codebook
    from csi.indicators import IndicatorSystem

    checked = 0
    for page in _pages():
        for m in YAML_FENCE.finditer(page.read_text(encoding="utf-8")):
            text = m.group(1)
            first = text.lstrip().splitlines()[0]
            if first.startswith("# codebook.yaml"):
                Codebook.from_dict(yaml.safe_load(text))
            elif first.startswith("# indicator_system.yaml"):
                IndicatorSystem.from_dict(yaml.safe_load(text))
            else:
                continue
            checked += 1
    assert checked >= 1


def test_ahp_random_index_table_matches_code() -> None:
    """The RI table printed in docs/methods/ahp.md is the one the code uses."""
    from csi.weighting import RANDOM_INDEX_TABLES

    text = (DOCS / "methods" / "ahp.md").read_text(encoding="utf-8")
    header = re.search(r"^\| n \|(.*)\|$", text, re.M)
    assert header is not None
    sizes = [int(x) for x in header.group(1).split("|")]
    rows = re.findall(r'^\| `"(\w+)"`[^|]*\|(.*)\|$', text, re.M)
    assert {name for name, _ in rows} == set(RANDOM_INDEX_TABLES)
    for name, cells in rows:
        table = RANDOM_INDEX_TABLES[name][0]
        for n, cell in zip(sizes, cells.split("|"), strict=True):
            assert float(cell) == pytest.approx(table[n], abs=1e-12), (name, n)
