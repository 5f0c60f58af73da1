"""Run every benchmark and write docs/benchmarks.md.

Each ``benchmarks/bench_*.py`` module defines ``run() -> str`` returning a Markdown
section (tables of times and ratios measured in this run, side by side with the peer
tools). Run with ``make bench``; pass module names to run only some of them:
``python benchmarks/run.py bench_pls``.
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


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
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
    if argv:  # a partial run prints its sections and leaves the full page alone
        print(text)
        return 0
    fd, tmp = tempfile.mkstemp(dir=DOC.parent, suffix=".md.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, DOC)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
