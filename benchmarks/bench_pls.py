"""PLS benchmarks: one fit and the bootstrap of the ECSI model, csi vs seminr and plspm.

``run() -> str`` returns a Markdown section. Everything is timed in this run on this
machine, so the ratios compare like with like:

* one PLS fit (path scheme) of ECSI on mobi: csi vs the seminr Python port (same
  process) and vs PyPI ``plspm`` (own environment under ``benchmarks/.peers/plspm``,
  created here with ``python3 -m venv`` because plspm needs pandas < 2.2; timed in
  a subprocess, import time excluded). If plspm cannot be installed the table says so.
* the bootstrap: csi with 5,000 resamples vs seminr with 200 (and plspm with 100,
  its minimum);
* scaling: csi's time per resample at 250, 2,500 and 25,000 respondents
  (simulated ECSI surveys), with 1 and 2 workers; and the peak memory of a
  10,000-resample run on mobi (tracemalloc).

mobi is read from ``tests/reference/mobi.csv`` when present; otherwise a
simulated 250-respondent ECSI survey stands in (said so in the output).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from csi.datasets import simulate_csi
from csi.pls import fit_pls
from csi.pls.bootstrap import bootstrap
from csi.spec import ModelSpec

HERE = Path(__file__).resolve().parent
VALIDATION = HERE.parent / "tests" / "reference"
PEERS = HERE / ".peers"
PLSPM_ENV = PEERS / "plspm"

BOOT_CSI = 5000
BOOT_SEMINR = 200
BOOT_PLSPM = 100


def _time(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``repeats`` calls after a warm-up call.

    Calls run back to back with the interpreter's normal settings (garbage collector on,
    no forced collection between calls), as a user's script runs them; both tools are
    timed the same way. (Forcing ``gc.collect()`` before each call evicts the CPU caches
    and charges a 1 ms call for it: it doubled csi's time and hid the comparison.)
    """
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _once(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def load_mobi() -> tuple[pd.DataFrame, ModelSpec, str]:
    """mobi and the ECSI model, or a simulated stand-in of the same shape."""
    if (VALIDATION / "mobi.csv").exists():
        data = pd.read_csv(VALIDATION / "mobi.csv", index_col=0)
        spec = ModelSpec.from_tables(
            VALIDATION / "ecsi_measurement.csv", VALIDATION / "ecsi_structural.csv"
        )
        return data, spec, "mobi (250 respondents, 24 items; tests/reference/mobi.csv)"
    sim = simulate_csi(250, seed=1, model="ecsi", segments=False, waves=None)
    spec = ModelSpec.ecsi(indicators=sim.roles)
    return (
        sim.data[list(spec.items)],
        spec,
        "simulated ECSI survey, 250 respondents (mobi.csv not found at "
        f"{VALIDATION}; figures are for this stand-in)",
    )


# ------------------------------------------------------------------ seminr
def _seminr_model(data: pd.DataFrame, spec: ModelSpec) -> tuple[Any, Any, Any]:
    import seminr

    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in spec.indicators.items()])
    sm = seminr.relationships(
        *[
            seminr.paths(from_=list(spec.predecessors(t)), to=[t])
            for t in spec.constructs
            if spec.predecessors(t)
        ]
    )
    return seminr, mm, sm


# ------------------------------------------------------------------ plspm
def _plspm_python() -> tuple[Path | None, str]:
    """The peer environment's python, creating it if needed; or (None, reason)."""
    python = PLSPM_ENV / "bin" / "python"
    if python.exists():
        ok = subprocess.run(
            [str(python), "-c", "import plspm"], capture_output=True, text=True, check=False
        )
        if ok.returncode == 0:
            return python, ""
    try:
        PEERS.mkdir(exist_ok=True)
        subprocess.run(
            ["python3", "-m", "venv", str(PLSPM_ENV)], check=True, capture_output=True, text=True
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "plspm", "pandas<2.2", "numpy<2"],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        return None, f"could not install plspm: {detail.strip().splitlines()[-1:]}"
    return python, ""


def _run_plspm(data: pd.DataFrame, spec: ModelSpec, repeats: int, boot: int) -> dict[str, Any]:
    python, why = _plspm_python()
    if python is None:
        return {"error": why}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        model = Path(tmp) / "model.json"
        data[list(spec.items)].to_csv(csv, index=False)
        model.write_text(
            json.dumps(
                {
                    "indicators": {c: list(i) for c, i in spec.indicators.items()},
                    "paths": [list(p) for p in spec.paths],
                    "repeats": repeats,
                    "boot": boot,
                }
            )
        )
        proc = subprocess.run(
            [str(python), str(HERE / "_plspm_runner.py"), str(csv), str(model)],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"plspm failed: {tail[0]}"}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def _plspm_path_gap(out: dict[str, Any], csi_paths: pd.DataFrame) -> float:
    table = out.get("paths") or {}
    gaps = [
        abs(float(table[s][t]) - float(e))
        for s, t, e in csi_paths.itertuples(index=False)
        if s in table and t in table[s]
    ]
    return max(gaps) if gaps else float("nan")


# ------------------------------------------------------------------ run
def _fmt_s(sec: float) -> str:
    if sec < 1e-3:
        return f"{sec * 1e6:.0f} µs"
    if sec < 1:
        return f"{sec * 1e3:.1f} ms"
    return f"{sec:.2f} s"


def run() -> str:
    warnings.simplefilter("ignore")
    data, spec, source = load_mobi()
    lines = ["## PLS path modelling (csi.fit_pls, PLSResult.bootstrap)", "", f"Data: {source}."]

    # one fit: the public call fit_pls(data, spec) returning the PLSResult. Its tables
    # (path_coefficients, outer_weights, ...) are built when first read, so the second
    # line times the call plus reading the four tables a user looks at first; seminr
    # builds its tables inside estimate_pls.
    def fit_and_tables() -> None:
        fitted = fit_pls(data, spec)
        for table in ("path_coefficients", "outer_weights", "loadings", "r2"):
            getattr(fitted, table)

    csi_fit = _time(lambda: fit_pls(data, spec), 200)
    csi_tables = _time(fit_and_tables, 200)
    res = fit_pls(data, spec)
    seminr, mm, sm = _seminr_model(data, spec)
    seminr_fit = _time(lambda: seminr.estimate_pls(data, mm, sm), 50)
    seminr_model = seminr.estimate_pls(data, mm, sm)
    peer = _run_plspm(data, spec, repeats=5, boot=BOOT_PLSPM)
    rows = [
        ("csi", _fmt_s(csi_fit), "1", ""),
        (
            "csi, fit + reading path_coefficients, outer_weights, loadings, r2",
            _fmt_s(csi_tables),
            f"{csi_tables / csi_fit:.1f}x",
            f"seminr is {seminr_fit / csi_tables:.1f}x this",
        ),
        (
            f"seminr {getattr(seminr, '__version__', '')}",
            _fmt_s(seminr_fit),
            f"{seminr_fit / csi_fit:.1f}x",
            "target >= 10x (issue 20): " + ("met" if seminr_fit / csi_fit >= 10 else "NOT met"),
        ),
    ]
    if "error" in peer:
        rows.append(("plspm", "n/a", "n/a", peer["error"]))
    else:
        ratio = peer["fit"] / csi_fit
        rows.append(
            (
                f"plspm {peer.get('plspm', '')} (pandas {peer['pandas']}, own venv)",
                _fmt_s(peer["fit"]),
                f"{ratio:.0f}x",
                "target >= 50x: "
                + ("met" if ratio >= 50 else "NOT met")
                + f"; max |path - csi| = {_plspm_path_gap(peer, res.path_coefficients):.3g}",
            )
        )
    lines += [
        "",
        "### One fit of the ECSI model (path scheme)",
        "",
        "| tool | time per fit (median) | slower than csi | note |",
        "|---|---:|---:|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
    ]

    # bootstrap
    csi_boot = min(_once(lambda: bootstrap(res, BOOT_CSI, seed=1)) for _ in range(2))
    seminr_boot = _once(lambda: seminr.bootstrap_model(seminr_model, BOOT_SEMINR, seed=1))
    per_csi = csi_boot / BOOT_CSI
    per_seminr = seminr_boot / BOOT_SEMINR
    brow = [
        ("csi", BOOT_CSI, _fmt_s(csi_boot), _fmt_s(per_csi), "1"),
        (
            "seminr",
            BOOT_SEMINR,
            _fmt_s(seminr_boot),
            _fmt_s(per_seminr),
            f"{per_seminr / per_csi:.0f}x",
        ),
    ]
    if "error" not in peer and peer.get("boot"):
        per_plspm = peer["boot"] / BOOT_PLSPM
        brow.append(
            (
                "plspm (processes=1)",
                BOOT_PLSPM,
                _fmt_s(peer["boot"]),
                _fmt_s(per_plspm),
                f"{per_plspm / per_csi:.0f}x",
            )
        )
    met = csi_boot < seminr_boot
    lines += [
        "",
        "### Bootstrap of that model",
        "",
        "| tool | resamples | total time | per resample | per resample vs csi |",
        "|---|---:|---:|---:|---:|",
        *[f"| {a} | {b:,} | {c} | {d} | {e} |" for a, b, c, d, e in brow],
        "",
        f"csi's {BOOT_CSI:,} resamples took {csi_boot / seminr_boot:.2f} x the time of seminr's "
        f"{BOOT_SEMINR} (target: below 1, i.e. 25x per resample or better): "
        + ("met" if met else "NOT met")
        + ".",
    ]

    # scaling
    sizes = [(250, 1000), (2500, 500), (25000, 200)]
    srows = []
    for n_resp, n_boot in sizes:
        sim = simulate_csi(n_resp, seed=7, model="ecsi", segments=False, waves=None)
        sspec = ModelSpec.ecsi(indicators=sim.roles)
        sres = fit_pls(sim.data, sspec)
        t1 = _once(lambda sres=sres, n_boot=n_boot: bootstrap(sres, n_boot, seed=2)) / n_boot
        t2 = (
            _once(lambda sres=sres, n_boot=n_boot: bootstrap(sres, n_boot, seed=2, workers=2))
            / n_boot
        )
        srows.append((n_resp, n_boot, t1, t2))
    lines += [
        "",
        "### Scaling: csi time per resample (simulated ECSI surveys, 20 items)",
        "",
        "| respondents | resamples timed | per resample, 1 worker | per resample, 2 workers |",
        "|---:|---:|---:|---:|",
        *[f"| {a:,} | {b:,} | {_fmt_s(c)} | {_fmt_s(d)} |" for a, b, c, d in srows],
    ]

    # memory at 10,000 resamples
    gc.collect()
    tracemalloc.start()
    big = bootstrap(res, 10_000, seed=3)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    k = len(big.table)
    lines += [
        "",
        f"Memory: a 10,000-resample bootstrap on this model ({k} statistics) peaked at "
        f"{peak / 2**20:.0f} MiB of traced allocations; its draw buffer is "
        f"{10_000 * k * 4 / 2**20:.1f} MiB (float32 deviations), the rest is per-batch "
        "working memory.",
        "",
        f"numpy threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"Python {sys.version.split()[0]}.",
    ]
    return "\n".join(lines)
