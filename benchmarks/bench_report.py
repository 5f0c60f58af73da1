"""Report benchmark: ``csi report`` stage by stage at 3,000, 100,000 and 1,000,000
respondents, and with 500 segments.

Surveys are simulated with the sample's parameters (``csi.datasets.SAMPLE_PARAMS``:
the sample's codebook, items, segments and waves) at each size and written as CSV under
``benchmarks/.peers/report/`` (git-ignored; made once). The 500-segment case adds a
``store`` column (500 stores drawn uniformly) to 20,000 respondents and reports by it.

Each case runs in its own process, as ``make demo`` does (indicator system, bootstrap
1,000 by one segment, figures, CB-SEM), timing the stages of
:data:`csi.report.context.STAGES`: reading the file, cleaning (the rest of
``read_survey``), the PLS fit, its bootstrap, the CB-SEM fit, the sections, the privacy
guard with disclosure control, and the HTML and Excel writers. Peak memory is the
process's own peak resident size (VmHWM).

The targets of issues 18 and 20 are checked on the figures of this run (never in a
unit test): 1,000,000 respondents under 5 minutes and 2 GB; 100,000 within 3x of the
sample's time; 500 segments on 20,000 respondents under 2 minutes, 1 GB and an HTML
file under 5 MB.

Environment: ``CSI_BENCH_REPORT_MAX`` (default 1,000,000) caps the largest survey
(the 1,000,000 case takes minutes: set 100000 to leave it out);
``CSI_BENCH_REPORT_BOOTSTRAP`` (default 1000) the resamples;
``CSI_BENCH_REPORT_TIMEOUT`` (default 1200) stops a case after that many seconds (its
row says so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STORE = HERE / ".peers" / "report"
SYSTEM = ROOT / "data" / "samples" / "indicator_system.yaml"
SIZES = (3_000, 100_000, 1_000_000)
SEGMENT_CASE = (20_000, 500)
SHOWN = ("read", "clean", "fit", "bootstrap", "sem", "sections", "privacy")

CHILD = r"""
import json, sys, time, tempfile, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import csi.survey as survey_module
from csi.report import run_analysis, write_excel, write_html
csv, codebook, system, segment, boot = json.loads(sys.argv[1])
times = {}
load = survey_module.load_table
def timed_load(*args, **kwargs):
    t = time.perf_counter()
    try:
        return load(*args, **kwargs)
    finally:
        times["read"] = time.perf_counter() - t
survey_module.load_table = timed_load
t0 = time.perf_counter()
survey = survey_module.read_survey(csv, codebook)
times["clean"] = time.perf_counter() - t0 - times["read"]
report = run_analysis(survey, system=system, segment=segment, bootstrap=boot, timings=times)
out = Path(tempfile.mkdtemp())
t = time.perf_counter()
html = write_html(report, out / "report.html")
times["write_html"] = time.perf_counter() - t
t = time.perf_counter()
xlsx = write_excel(report, out / "report.xlsx")
times["write_excel"] = time.perf_counter() - t
total = time.perf_counter() - t0
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({"times": times, "total": total, "peak_mb": peak, "n": survey.n_read,
                  "html_mb": html.stat().st_size / 2**20, "xlsx_mb": xlsx.stat().st_size / 2**20}))
"""


def _make_survey(n: int, stores: int = 0) -> tuple[Path, Path]:
    """The simulated survey of ``n`` respondents (and ``stores`` stores), made once."""
    folder = STORE / (f"n{n}" + (f"_stores{stores}" if stores else ""))
    csv, codebook = folder / "survey.csv", folder / "codebook.yaml"
    if csv.exists() and codebook.exists():
        return csv, codebook
    import numpy as np

    from csi.datasets import SAMPLE_PARAMS, simulate_csi

    folder.mkdir(parents=True, exist_ok=True)
    sim = simulate_csi(**{**SAMPLE_PARAMS, "n": n})
    data = sim.data
    if stores:
        rng = np.random.default_rng(500)
        data["store"] = [f"S{k:03d}" for k in rng.integers(0, stores, size=n)]
    tmp = folder / "survey.csv.tmp"
    data.to_csv(tmp, index=False, lineterminator="\n")
    codebook.write_text(sim.codebook.to_yaml(), encoding="utf-8")
    os.replace(tmp, csv)
    return csv, codebook


def _child(csv: Path, codebook: Path, segment: str, boot: int) -> dict[str, Any]:
    limit = float(os.environ.get("CSI_BENCH_REPORT_TIMEOUT", 1200))
    try:
        out = _run_child(csv, codebook, segment, boot, limit)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {limit:.0f} s (CSI_BENCH_REPORT_TIMEOUT)"}
    if out.returncode != 0:  # e.g. out of memory: the row says so, the others still run
        last = (out.stderr.strip().splitlines() or [f"exit code {out.returncode}"])[-1]
        return {"error": last[:200]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _run_child(
    csv: Path, codebook: Path, segment: str, boot: int, limit: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            json.dumps([str(csv), str(codebook), str(SYSTEM), segment, boot]),
        ],
        capture_output=True,
        text=True,
        timeout=limit,
    )


def _slowest(times: dict[str, float], k: int = 3) -> str:
    sections = {s[len("section:") :]: v for s, v in times.items() if s.startswith("section:")}
    top = sorted(sections.items(), key=lambda kv: -kv[1])[:k]
    return ", ".join(f"{name} {v:.1f}" for name, v in top)


def _mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def run() -> str:
    largest = int(os.environ.get("CSI_BENCH_REPORT_MAX", 1_000_000))
    boot = int(os.environ.get("CSI_BENCH_REPORT_BOOTSTRAP", 1000))
    cases: list[tuple[str, int, str, dict[str, Any]]] = []
    for n in (s for s in SIZES if s <= largest):
        csv, codebook = _make_survey(n)
        cases.append((f"{n:,} respondents", n, "region", _child(csv, codebook, "region", boot)))
    n_seg, stores = SEGMENT_CASE
    csv, codebook = _make_survey(n_seg, stores)
    cases.append(
        (
            f"{n_seg:,} respondents, {stores} segments",
            n_seg,
            "store",
            _child(csv, codebook, "store", boot),
        )
    )
    lines = [
        "## Report: `csi report` stage by stage (3k, 100k, 1M respondents; 500 segments)",
        "",
        f"The sample survey's model, codebook and indicator system on simulated surveys of each "
        f"size (`csi.datasets.SAMPLE_PARAMS`); bootstrap {boot:,} resamples by one segment "
        "(region, or 500 stores), figures and CB-SEM on, as `make demo`. Each case runs in "
        "its own process; seconds per stage, peak memory is the process's peak resident "
        "size (VmHWM). `read` is reading the file, `clean` the rest of `read_survey`.",
        "",
        "| case | " + " | ".join(SHOWN) + " | write HTML | write Excel | total (s) "
        "| total without bootstrap (s) | peak memory (MB) | HTML (MB) | workbook (MB) "
        "| slowest sections (s) |",
        "|---|" + "---:|" * (len(SHOWN) + 7) + "---|",
    ]
    for label, _n, _seg, r in cases:
        if "error" in r:
            lines.append(f"| {label} | failed: {r['error']} |" + " |" * (len(SHOWN) + 7))
            continue
        t = r["times"]
        stages = " | ".join(f"{t.get(s, 0.0):.1f}" for s in SHOWN)
        lines.append(
            f"| {label} | {stages} | {t.get('write_html', 0.0):.1f} | "
            f"{t.get('write_excel', 0.0):.1f} | {r['total']:.1f} | "
            f"{r['total'] - t.get('bootstrap', 0.0):.1f} | {r['peak_mb']:.0f} | "
            f"{r['html_mb']:.2f} | {r['xlsx_mb']:.2f} | {_slowest(t)} |"
        )
    by_n = {n: r for _l, n, seg, r in cases if seg == "region" and "error" not in r}
    checks = []
    if 1_000_000 in by_n:
        r = by_n[1_000_000]
        checks.append(
            f"- 1,000,000 respondents: {r['total']:.0f} s (target under 300 s: "
            f"{_mark(r['total'] < 300)}), peak {r['peak_mb']:.0f} MB (target under 2,048 MB: "
            f"{_mark(r['peak_mb'] < 2048)})."
        )
    if 3_000 in by_n and 100_000 in by_n:
        small, big = by_n[3_000], by_n[100_000]
        ratio = big["total"] / small["total"]
        rest = (big["total"] - big["times"].get("bootstrap", 0.0)) / (
            small["total"] - small["times"].get("bootstrap", 0.0)
        )
        checks.append(
            f"- 100,000 respondents: {ratio:.2f}x the 3,000-respondent report's time (target "
            f"within 3x: {_mark(ratio <= 3)}); without the bootstrap {rest:.2f}x (target "
            f"within 2x: {_mark(rest <= 2)})."
        )
    seg = cases[-1][3]
    if "error" in seg:
        checks.append(f"- {n_seg:,} respondents in {stores} segments: failed ({seg['error']}).")
    else:
        checks.append(
            f"- {n_seg:,} respondents in {stores} segments: {seg['total']:.0f} s (target "
            f"under 120 s: {_mark(seg['total'] < 120)}), peak {seg['peak_mb']:.0f} MB (target "
            f"under 1,024 MB: {_mark(seg['peak_mb'] < 1024)}), HTML {seg['html_mb']:.2f} MB "
            f"(target under 5 MB: {_mark(seg['html_mb'] < 5)})."
        )
    if largest < 1_000_000:
        checks.append(
            f"- The 1,000,000-respondent case was left out (CSI_BENCH_REPORT_MAX={largest})."
        )
    lines += ["", "Targets (issues 18 and 20), on this run's figures:", "", *checks]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
