"""Run every benchmark and write docs/benchmarks.md.

Each ``benchmarks/bench_*.py`` module defines ``run() -> str`` returning a Markdown
section (tables of times and ratios measured in this run, side by side with the peer
tools). Run with ``make bench``; pass module names to run only some of them:
``python benchmarks/run.py bench_pls`` (prints the sections, leaves the page alone), or
``python benchmarks/run.py --update bench_speed`` to replace those modules' sections of
docs/benchmarks.md (matched by their ``## `` title; a new one is appended) and keep the rest.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numpy

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}; {dt.date.today().isoformat()}"
    )


def _write(text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=DOC.parent, suffix=".md.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, DOC)


def splice(page: str, sections: list[str]) -> str:
    """``page`` with each of ``sections`` in place of the section with its ``## `` title
    (appended when the page has none)."""
    lines = page.rstrip("\n").split("\n")
    starts = [k for k, line in enumerate(lines) if line.startswith("## ")]
    head = "\n".join(lines[: starts[0]] if starts else lines).rstrip("\n")
    blocks = [
        "\n".join(lines[a:b]).strip("\n")
        for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)
    ]
    for section in sections:
        title = section.split("\n", 1)[0]
        where = [k for k, b in enumerate(blocks) if b.split("\n", 1)[0] == title]
        if where:
            blocks[where[0]] = section.strip("\n")
        else:
            blocks.append(section.strip("\n"))
    return head + "\n\n" + "\n\n".join(blocks) + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    sections = []
    for name in names:
        print(f"running {name} ...", flush=True)
        module = importlib.import_module(name)
        sections.append(module.run())
    text = (
        "# Benchmarks\n\n"
        "Produced by `make bench` (`benchmarks/run.py`); every ratio compares tools timed in "
        "the same run on the same machine.\n\n"
        f"Machine: {machine()}\n\n" + "\n\n".join(sections) + "\n"
    )
    if update and DOC.exists():  # only these sections change on the page
        _write(splice(DOC.read_text(encoding="utf-8"), sections))
        print(f"updated {', '.join(names)} in {DOC}")
        return 0
    if argv:  # a partial run prints its sections and leaves the full page alone
        print(text)
        return 0
    _write(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
