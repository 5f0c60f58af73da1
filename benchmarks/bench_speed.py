"""Speed where users wait: ``import csi``, the report's privacy guard, AHP weights.

* **Import.** Wall time of fresh interpreters running ``python -c "import csi"``, ``python
  -c "import pandas"``, ``python -c "pass"`` (interpreter start) and the ``csi --help``
  command (``csi.cli.main(["--help"])``), ``csi validate`` on the sample survey and
  ``import csi.report``, the commands alternating, median of the repeats. Targets:
  ``import csi`` under 1.5 times ``import pandas``; ``csi validate`` well under a second
  beyond ``import pandas`` (taken as under 0.5 s).
* **Privacy guard.** A guard holding 100,000 private values (ids, names, phones and
  e-mails of about 26,000 respondents) cleans a report-sized document: 40 tables (20 segments x 6
  columns), 400 texts (titles, notes, bullets) and the final check of the whole HTML
  text (``assert_clean``). The old guard (``find`` before the index, every long value
  checked against each text) runs the same work once; the new one (prefix index, built
  on the first search and included in the time) three times, median.
* **AHP.** ``csi.ahp_weights(judgments).weights`` against AHPy 2.1's
  ``ahpy.Compare(name, judgments).target_weights``, both from the same
  ``{(a, b): value}`` dict (AHPy's input), and csi also from a NumPy array; blocks of
  calls alternate between the tools, median time per call. Consistent judgments
  (Saaty-scale values nearest to ``w_i / w_j``) and random ones (CR > 0.1: csi also
  builds the warning naming the judgments to revisit, AHPy only reports the CR).

Environment: ``CSI_BENCH_SPEED_QUICK=1`` runs fewer repeats (a smoke test).
"""

from __future__ import annotations

import itertools
import os
import re
import statistics
import subprocess
import sys
import time
import timeit
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

QUICK = os.environ.get("CSI_BENCH_SPEED_QUICK", "") not in ("", "0")
HERE = Path(__file__).resolve().parent
#: the last commit before the AHP speed-up: its ahp_weights is timed beside the new one
AHP_BEFORE = "87645fc7156d8a3bab6aee5139852ab8a96597d4"


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


# ----------------------------------------------------------------------------- import
IMPORTS = {
    "python -c pass": "pass",
    "import pandas": "import pandas",
    "import csi": "import csi",
    "csi --help": (
        "import contextlib, io\nfrom csi.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    ),
    "csi validate (sample survey)": (
        "import contextlib, io, pathlib\nfrom csi.cli import main\n"
        f"root = pathlib.Path({str(HERE.parent)!r})\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['validate', str(root / 'data/samples/survey.csv'),\n"
        "               '--codebook', str(root / 'data/samples/codebook.yaml')])\n"
        "raise SystemExit(rc)  # a failed validation fails the benchmark"
    ),
    "import csi.report": "import csi.report",
}
HEAVY = ("scipy.stats", "statsmodels", "semopy", "matplotlib", "dask", "pandas")


def _wall(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def bench_import() -> str:
    repeats = 3 if QUICK else 11
    for code in IMPORTS.values():  # warm the file cache
        _wall(code)
    times: dict[str, list[float]] = {k: [] for k in IMPORTS}
    for _ in range(repeats):
        for name, code in IMPORTS.items():
            times[name].append(_wall(code))
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["python -c pass"]
    rows = [
        "| command | wall time (median) | minus interpreter start | modules loaded (of "
        + ", ".join(HEAVY)
        + ") |",
        "|---|---:|---:|---|",
    ]
    for name, code in IMPORTS.items():
        loaded = ", ".join(_loaded(code)) or "none"
        rows.append(
            f"| `{name}` | {_fmt_time(med[name])} | {_fmt_time(max(med[name] - base, 0))} "
            f"| {loaded} |"
        )
    ratio = med["import csi"] / med["import pandas"]
    validate = med["csi validate (sample survey)"] - med["import pandas"]
    return (
        "### `import csi`\n\n"
        f"Fresh interpreters, {repeats} runs of each command alternating, median.\n\n"
        + "\n".join(rows)
        + f"\n\n`import csi` / `import pandas`: **{ratio:.2f}** (target below 1.5: "
        + ("met" if ratio < 1.5 else "NOT met")
        + "). Public names are imported from their submodules on first use "
        "(`csi.fit_pls` loads the PLS code, `csi.fit_sem` semopy, and so on).\n\n"
        f"`csi validate` on the sample survey (3,000 respondents, read and checked) takes "
        f"{_fmt_time(validate)} beyond `import pandas` (target of issue 20: well under a "
        "second beyond Python and pandas: " + ("met" if validate < 0.5 else "NOT met") + "; "
        "the CLI loads only the command that runs, from `csi.cli.COMMANDS`)."
    )


# ----------------------------------------------------------------------------- privacy
def _old_find(self: Any, text: str) -> list[str]:
    """PrivacyGuard.find before the index: every long private value checked against the text."""
    from csi.report.privacy import MIN_SUBSTRING

    if not self.values or not text:
        return []
    folded = text.casefold()
    hits = [folded.strip()] if folded.strip() in self.values else []
    if len(folded) >= MIN_SUBSTRING:
        grams = {folded[i : i + MIN_SUBSTRING] for i in range(len(folded) - MIN_SUBSTRING + 1)}
        hits += [v for v in self._long() if v[:MIN_SUBSTRING] in grams and v in folded]
    return hits


def _private_values(n_values: int, rng: np.random.Generator) -> tuple[list[str], int]:
    """Id, name, phone and e-mail of respondents until ``n_values`` distinct values;
    and the number of respondents."""
    syll = ["zhang", "wang", "li", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu",
            "xin", "wei", "fang", "min", "jing", "lei", "yan", "hua", "jun", "mei"]  # fmt: skip
    values: dict[str, None] = {}
    k = 0
    while len(values) < n_values:
        given = "".join(rng.choice(syll, size=2)).title()
        name = f"{rng.choice(syll).title()} {given}"
        phone = f"1{rng.integers(30, 90)}{rng.integers(0, 10**8):08d}"
        for v in (f"R{k:07d}", name, phone, f"{given.lower()}{k}@example.com"):
            if len(values) < n_values:
                values[v] = None
        k += 1
    return list(values), k


def _report_work(rng: np.random.Generator) -> tuple[list[Any], list[str], str]:
    import pandas as pd

    segments = [f"Region {k} / Channel {c}" for k in range(10) for c in ("online", "store")]
    tables = []
    for t in range(40):
        tables.append(
            pd.DataFrame(
                {
                    "segment": segments,
                    "n": rng.integers(30, 3000, size=len(segments)),
                    "index": rng.uniform(55, 85, size=len(segments)).round(1),
                    "ci_low": rng.uniform(50, 60, size=len(segments)).round(1),
                    "level": rng.choice(["satisfied", "somewhat satisfied", "neutral"], 20),
                    "note": [f"table {t}: {s}, wave 2026-Q{1 + t % 4}" for s in segments],
                }
            )
        )
    words = "satisfaction quality value loyalty complaints expectations image index".split()
    texts = [
        " ".join(rng.choice(words, size=int(rng.integers(4, 30)))).capitalize()
        + f" (section {k}, n = {int(rng.integers(100, 25_000)):,})"
        for k in range(400)
    ]
    document = "\n".join(t.to_html() for t in tables) + "\n".join(f"<p>{x}</p>" for x in texts)
    return tables, texts, document


def bench_privacy() -> str:
    from csi.report.privacy import PrivacyGuard

    rng = np.random.default_rng(2026)
    values, n_respondents = _private_values(100_000, rng)
    tables, texts, document = _report_work(rng)

    class OldGuard(PrivacyGuard):
        find = _old_find

    def work(cls: type[PrivacyGuard]) -> float:
        guard = cls.of(["id", "name", "phone", "email"], values)
        t = time.perf_counter()
        for x in texts:
            guard.clean_text(x)
        for f in tables:
            guard.clean_frame(f)
            guard.clean_text(f"Table of {len(f)} segments")
        guard.assert_clean(document)
        return time.perf_counter() - t

    new = statistics.median(work(PrivacyGuard) for _ in range(1 if QUICK else 3))
    old = work(OldGuard)
    n_values = len(PrivacyGuard.of([], values).values)
    n_texts = len(texts) + len(tables)
    return (
        "### Privacy guard on a finished report (`PrivacyGuard`)\n\n"
        f"{n_values:,} private values ({n_respondents:,} respondents: id, name, phone, "
        "e-mail); "
        f"{len(tables)} tables of {len(tables[0])} rows x {tables[0].shape[1]} columns, "
        f"{n_texts} texts, and `assert_clean` on the whole document "
        f"({len(document) / 1e3:,.0f} kB).\n\n"
        "| guard | time | per text searched |\n|---|---:|---:|\n"
        "| old: every private value checked against each text (before this change) "
        f"| {_fmt_time(old)} "
        f"| {_fmt_time(old / (n_texts + 1))} |\n"
        f"| new: one pass over the text, prefix index of the values | {_fmt_time(new)} "
        f"| {_fmt_time(new / (n_texts + 1))} |\n\n"
        f"New / old: {new / old:.3f} ({old / new:.0f}x faster); same hits, redactions and "
        "errors (tests/test_privacy_speed.py checks them against the old rule)."
    )


# ----------------------------------------------------------------------------- AHP
def _ahp_case(n: int, consistent: bool, seed: int) -> tuple[dict[tuple[str, str], float], Any]:
    from csi.weighting import SAATY_SCALE

    rng = np.random.default_rng(seed)
    scale = np.array(SAATY_SCALE)
    w = rng.uniform(1, 9, size=n)
    a = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        if consistent:
            v = float(scale[np.argmin(np.abs(np.log(scale) - np.log(w[i] / w[j])))])
        else:
            v = float(scale[rng.integers(scale.size)])
        a[i, j], a[j, i] = v, 1 / v
    items = [f"criterion {k + 1}" for k in range(n)]
    judgments = {
        (items[i], items[j]): float(a[i, j]) for i, j in itertools.combinations(range(n), 2)
    }
    return judgments, a


def _ahp_before() -> Callable[..., Any] | None:
    """``ahp_weights`` as of :data:`AHP_BEFORE`, read from git (None without the history)."""
    try:
        source = subprocess.run(
            ["git", "-C", str(HERE), "show", f"{AHP_BEFORE}:src/csi/weighting/ahp.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("csi_ahp_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"ahp.py@{AHP_BEFORE[:7]}", "exec"), module.__dict__)
    return module.ahp_weights  # type: ignore[no-any-return]


def _per_call(fns: dict[str, Callable[[], Any]], number: int, repeats: int) -> dict[str, float]:
    for f in fns.values():
        f()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):  # blocks alternate between the tools
        for k, f in fns.items():
            times[k].append(timeit.timeit(f, number=number) / number)
    return {k: statistics.median(v) for k, v in times.items()}


def bench_ahp() -> str:
    import ahpy

    from csi.weighting import ahp_weights

    before = _ahp_before()
    head = "| matrix | CR | csi from dict | csi from array | AHPy 2.1 | csi (dict) / AHPy |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if before is not None:
        head += f" csi before ({AHP_BEFORE[:7]}, dict) | before / AHPy |"
        rule += "---:|---:|"
    rows = [head + " max abs weight diff vs AHPy |", rule + "---:|"]
    ratios = {}
    for n, consistent in [(4, True), (9, True), (9, False), (15, True)]:
        judgments, a = _ahp_case(n, consistent, seed=2026 + n)
        items = list(dict.fromkeys(k for pair in judgments for k in pair))
        fns: dict[str, Callable[[], Any]] = {
            "dict": lambda j=judgments: ahp_weights(j).weights,
            "array": lambda a=a, it=items: ahp_weights(a, items=it).weights,
            "ahpy": lambda j=judgments: ahpy.Compare("m", j).target_weights,
        }
        if before is not None:
            fns["before"] = lambda j=judgments: before(j).weights
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ahp_weights(judgments)
            ref = ahpy.Compare("m", judgments, precision=12)
            times = _per_call(fns, number=20 if QUICK else 100, repeats=3 if QUICK else 9)
        diff = max(abs(res.weights[k] - ref.local_weights[k]) for k in items)
        ratios[(n, consistent)] = (
            times["dict"] / times["ahpy"],
            times["before"] / times["ahpy"] if "before" in times else None,
        )
        row = (
            f"| {n} x {n}, {'consistent' if consistent else 'random'} judgments | {res.cr:.3f} "
            f"| {_fmt_time(times['dict'])} | {_fmt_time(times['array'])} "
            f"| {_fmt_time(times['ahpy'])} | {times['dict'] / times['ahpy']:.2f} |"
        )
        if before is not None:
            row += f" {_fmt_time(times['before'])} | {times['before'] / times['ahpy']:.1f} |"
        rows.append(row + f" {diff:.1e} |")
    ratio, old = ratios[(9, True)]
    summary = f"On the 9 x 9 matrix of consistent judgments csi takes {ratio:.1f}x AHPy's time"
    if old is not None:
        summary += f" (before the speed-up: {old:.1f}x)"
    return (
        "### AHP: `csi.ahp_weights` vs AHPy\n\n"
        "Time per call (median of alternating blocks). csi returns the weights, "
        "lambda_max, CI, CR and (built when first read) the completed matrix and the "
        "table of judgments with each one's share of the inconsistency; AHPy's "
        "`Compare` its weights and CR (`precision=4`, its default). The last column is the "
        "largest difference between the two tools' weights.\n\n"
        + "\n".join(rows)
        + f"\n\n{summary}."
    )


def run() -> str:
    from run import machine  # benchmarks/run.py, on sys.path when run from there

    parts = [bench_import(), bench_privacy(), bench_ahp()]
    return (
        "## Speed where users wait: import, privacy guard, AHP\n\n"
        f"Machine for this section: {machine()}\n\n" + "\n\n".join(parts)
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    text = run()
    print(re.sub(r"\n{3,}", "\n\n", text))
