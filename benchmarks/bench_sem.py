"""CB-SEM benchmark: ``csi.fit_sem`` vs plain semopy on the six-construct CSI model.

Data: ``csi.datasets.simulate_csi(n, seed=2026, segments=False, waves=None)``, the 17
model items on the 10-point scale (discrete ratings, as in a real survey), at
n = 250, 25,000 and 1,000,000 respondents. Each size runs in its own process with
BLAS/OpenMP limited to one thread (``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=
MKL_NUM_THREADS=1``), after one untimed warm-up of each tool; the timed repeats
alternate between the tools so that load on a shared machine hits both alike, and
the table gives the median (``time.perf_counter``).

What is timed:

* csi: ``csi.fit_sem(items, spec)`` with ``spec = ModelSpec.acsi(...)``: input checks,
  listwise moments, semopy model build, estimation to lavaan's solution, standard
  errors, the parameter table (CIs, standardized solutions), R², effects with SEs, all
  fit indices (chi-square, baseline, CFI, TLI, NFI, GFI, AGFI, RMSEA with CI and
  close-fit test, SRMR, log-likelihood, AIC, BIC), residual and implied matrices and
  the diagnostics.
* semopy: ``m = semopy.Model(desc); m.fit(items); m.inspect()`` with ``desc`` the same
  model in lavaan syntax plus ``COMP1 ~~ 0*COMP1`` (the single-item construct, as csi
  fixes it): model build, moments, SLSQP, and estimates with standard errors.

FIML (issue 20): ``csi.fit_sem(items, spec, missing="fiml")`` against lavaan 0.6.14's
``sem(model, data, missing = "ml")`` timed by ``system.time`` inside R (``Rscript``, the
same data written to CSV, one BLAS thread for both), n = 2,500 with 15% of the answers
missing at random (``simulate_csi(..., missing_rate=0.15)``; the "don't know" code 99 set
to missing), the tools alternating, median of ``CSI_BENCH_FIML_REPEATS`` (default 3)
runs each; skipped when ``Rscript`` or lavaan is not installed. Both sides estimate the
model and its standard errors from the observed information (lavaan's default with
``missing = "ml"``).

HS CFA (issue 20): the same comparison on lavaan's three-factor CFA of
``HolzingerSwineford1939`` (``tests/reference/lavaan/``, n = 301), one process,
``HS_REPEATS`` alternating repeats.

Environment: ``CSI_BENCH_SEM_SIZES`` (comma-separated) replaces the default sizes;
``CSI_BENCH_FIML_N`` the FIML sample size (0 skips the FIML comparison).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HS_DATA = HERE.parent / "tests" / "reference" / "lavaan" / "HolzingerSwineford1939.csv"
HS_REPEATS = 21
SIZES = (250, 25_000, 1_000_000)
REPEATS = {250: 21, 25_000: 11, 1_000_000: 5}
THREADS = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}

CHILD = r"""
import json, logging, sys, time, warnings
import numpy as np
logging.disable(logging.WARNING)  # semopy logs through the root logger
warnings.simplefilter("ignore")
import semopy
from csi.datasets import simulate_csi
from csi.sem import fit_sem
from csi.spec import ModelSpec

n, repeats, case = json.loads(sys.argv[1])
if case == "hs":  # lavaan's tutorial CFA on HolzingerSwineford1939 (n = 301)
    import pandas as pd
    items = pd.read_csv(sys.argv[2])[[f"x{k}" for k in range(1, 10)]]
    spec = desc = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    latents = {"visual", "textual", "speed"}
else:
    sim = simulate_csi(n, seed=2026, segments=False, waves=None)
    spec = ModelSpec.acsi(indicators=sim.roles)
    items = sim.data[list(spec.items)].copy()
    desc = spec.to_lavaan() + "\nCOMP1 ~~ 0*COMP1\n"
    latents = set(spec.constructs)


def run_csi():
    return fit_sem(items, spec)


def run_semopy():
    m = semopy.Model(desc)
    m.fit(items)
    return m, m.inspect()


res, (model, table) = run_csi(), run_semopy()  # warm-up (imports, caches)
t_csi, t_sem = [], []
for r in range(repeats):
    order = (run_csi, run_semopy) if r % 2 == 0 else (run_semopy, run_csi)
    for fn in order:
        t0 = time.perf_counter()
        fn()
        (t_csi if fn is run_csi else t_sem).append(time.perf_counter() - t0)

# agreement on the free parameters, matched by (lhs, op, rhs)
sem_rows = {}
for lval, op, rval, est, se in zip(table["lval"], table["op"], table["rval"],
                                   table["Estimate"], table["Std. Err"]):
    if op == "~" and rval in latents and lval not in latents:
        key = (rval, "=~", lval)
    elif op == "~~":
        key = tuple(sorted((lval, rval))) + ("~~",)
    else:
        key = (lval, op, rval)
    sem_rows[key] = (float(est), float(se) if se != "-" else np.nan)
d_est, d_se = [], []
for lhs, op, rhs, est, se in zip(res.estimates["lhs"], res.estimates["op"],
                                 res.estimates["rhs"], res.estimates["estimate"],
                                 res.estimates["se"]):
    key = tuple(sorted((lhs, rhs))) + ("~~",) if op == "~~" else (lhs, op, rhs)
    if se == 0:  # fixed parameter
        continue
    s_est, s_se = sem_rows[key]
    d_est.append(abs(est - s_est))
    d_se.append(abs(se - s_se) / se)
f_csi = float(res.fit_indices["chisq"]) / res.n
f_sem = float(model.last_result.fun)
print(json.dumps({
    "n": res.n, "csi": t_csi, "semopy": t_sem, "iterations": res.iterations,
    "max_abs_est": max(d_est), "max_rel_se": max(d_se), "n_free": len(d_est),
    "f_csi": f_csi, "f_semopy": f_sem, "cfi": float(res.fit_indices["cfi"]),
    "rmsea": float(res.fit_indices["rmsea"]),
}))
"""


def _child(n: int, case: str = "csi") -> dict[str, object]:
    env = {**os.environ, **THREADS}
    repeats = HS_REPEATS if case == "hs" else REPEATS.get(n, 5)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([n, repeats, case]), str(HS_DATA)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


FIML_DATA = r"""
import sys
import numpy as np
from csi.datasets import simulate_csi
from csi.spec import ModelSpec

n, folder = int(sys.argv[1]), sys.argv[2]
sim = simulate_csi(n, seed=2026, segments=False, waves=None, missing_rate=0.15)
spec = ModelSpec.acsi(indicators=sim.roles)
items = sim.data[list(spec.items)].replace(99.0, np.nan)
items.to_csv(folder + "/items.csv", index=False)
with open(folder + "/model.txt", "w") as fh:
    fh.write(spec.to_lavaan() + "\nCOMP1 ~~ 0*COMP1\n")
"""

FIML_CSI = r"""
import json, logging, sys, time, warnings
import pandas as pd
logging.disable(logging.WARNING)
warnings.simplefilter("ignore")
from csi.sem import fit_sem

folder = sys.argv[1]
items = pd.read_csv(folder + "/items.csv")
model = open(folder + "/model.txt").read()
t0 = time.perf_counter()
res = fit_sem(items, model, missing="fiml")
elapsed = time.perf_counter() - t0
est = res.estimates[res.estimates["op"] != "~1"]
print(json.dumps({"seconds": elapsed, "iterations": res.iterations,
                  "chisq": float(res.fit_indices["chisq"]),
                  "rows": [[a, b, c, float(e), float(s)] for a, b, c, e, s in
                           zip(est["lhs"], est["op"], est["rhs"], est["estimate"], est["se"])]}))
"""

FIML_R = r"""
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(file.path(args[1], "items.csv"))
m <- paste(readLines(file.path(args[1], "model.txt")), collapse = "\n")
t <- system.time(fit <- sem(m, data = d, missing = "ml"))
pe <- parameterEstimates(fit)
write.csv(pe[, c("lhs", "op", "rhs", "est", "se")], file.path(args[1], "lavaan.csv"),
          row.names = FALSE)
cat(sprintf("%.6f %.6f\n", t[["elapsed"]], fitMeasures(fit, "chisq")))
"""


def _fiml_section(n: int, repeats: int) -> list[str]:
    """Median wall time of csi's FIML and lavaan's missing = "ml" fit of the same data."""
    rscript = shutil.which("Rscript")
    title = [
        "",
        f'### FIML: `csi.fit_sem(..., missing="fiml")` vs lavaan (n = {n:,}, 15% missing)',
        "",
    ]
    if rscript is None:
        return [*title, "Skipped: `Rscript` (with lavaan) is not installed on this machine."]
    env = {**os.environ, **THREADS}
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-c", FIML_DATA, str(n), folder], check=True, env=env)
        script = Path(folder) / "fit.R"
        script.write_text(FIML_R)
        t_csi, t_lav = [], []
        out_csi: dict[str, object] = {}
        chisq_lav = float("nan")
        for r in range(repeats):
            for tool in ("csi", "lavaan") if r % 2 == 0 else ("lavaan", "csi"):
                if tool == "csi":
                    proc = subprocess.run(
                        [sys.executable, "-c", FIML_CSI, folder],
                        check=True,
                        capture_output=True,
                        text=True,
                        env=env,
                    )
                    out_csi = json.loads(proc.stdout.strip().splitlines()[-1])
                    t_csi.append(float(out_csi["seconds"]))  # type: ignore[arg-type]
                else:
                    proc = subprocess.run(
                        [rscript, str(script), folder],
                        check=True,
                        capture_output=True,
                        text=True,
                        env=env,
                    )
                    secs, chisq = proc.stdout.strip().splitlines()[-1].split()
                    t_lav.append(float(secs))
                    chisq_lav = float(chisq)
        lav = {}
        for line in (Path(folder) / "lavaan.csv").read_text().splitlines()[1:]:
            lhs, op, rhs, est, se = (v.strip('"') for v in line.split(","))
            lav[(lhs, op, rhs)] = (float(est), float(se) if se != "NA" else 0.0)
    d_est, d_se = [], []
    for lhs, op, rhs, est, se in out_csi["rows"]:  # type: ignore[attr-defined]
        ref = lav.get((lhs, op, rhs))
        if ref is None or se == 0:
            continue
        d_est.append(abs(est - ref[0]))
        d_se.append(abs(se - ref[1]) / ref[1])
    med_csi, med_lav = _median(t_csi), _median(t_lav)
    chisq_csi = float(out_csi["chisq"])  # type: ignore[arg-type]
    return [
        *title,
        "| respondents | repeats | csi (s) | lavaan (s) | csi / lavaan "
        "| max abs diff of estimates | max rel diff of SEs | chisq csi - lavaan |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {n:,} | {repeats} | {med_csi:.2f} | {med_lav:.2f} | {med_csi / med_lav:.2f} "
        f"| {max(d_est):.1e} | {max(d_se):.1e} | {chisq_csi - chisq_lav:.1e} |",
        "",
        "Both times are wall-clock times of the fit alone, measured in the same run with the "
        "tools alternating (csi: `time.perf_counter` around `fit_sem`; lavaan: "
        "`system.time(sem(...))` inside R). csi's standard errors come from the exact "
        "Hessian of the casewise log-likelihood computed analytically per missing-data "
        "pattern (`csi.sem.fiml_information`); lavaan differentiates its analytic gradient "
        "numerically. The difference columns compare the free parameters matched by "
        "`lhs op rhs`.",
    ]


def _hs_section() -> list[str]:
    """csi vs semopy on lavaan's three-factor CFA of HolzingerSwineford1939 (issue 20)."""
    r = _child(301, "hs")
    t_csi, t_sem = _median(r["csi"]), _median(r["semopy"])
    gap = float(r["f_semopy"]) - float(r["f_csi"])  # type: ignore[arg-type]
    return [
        "",
        "### CB-SEM: the Holzinger-Swineford CFA (lavaan's tutorial model)",
        "",
        "`visual =~ x1 + x2 + x3`, `textual =~ x4 + x5 + x6`, `speed =~ x7 + x8 + x9` on "
        "`HolzingerSwineford1939` (n = 301, `tests/reference/lavaan/`): a model that does "
        "not fit exactly (chi-square 85.3 on 24 df), where the expected-information "
        "(Fisher scoring) iterations converge only linearly; csi takes Newton steps with "
        "the exact Hessian of F_ML once it is positive definite. Same method as above "
        f"({HS_REPEATS} alternating repeats, one thread, median).",
        "",
        "| model | iterations (csi) | csi (s) | semopy fit + inspect (s) | csi / semopy "
        "| max abs diff of estimates | max rel diff of SEs | F_ML semopy - csi |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| HS CFA | {r['iterations']} | {t_csi:.3f} | {t_sem:.3f} | {t_csi / t_sem:.2f} "
        f"| {float(r['max_abs_est']):.1e} | {float(r['max_rel_se']):.1e} | {gap:.1e} |",  # type: ignore[arg-type]
    ]


def _median(values: object) -> float:
    xs = sorted(float(v) for v in values)  # type: ignore[attr-defined]
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def run() -> str:
    env_sizes = os.environ.get("CSI_BENCH_SEM_SIZES")
    sizes = [int(s) for s in env_sizes.split(",")] if env_sizes else list(SIZES)
    rows = [_child(n) for n in sizes]
    lines = [
        "## CB-SEM: `csi.fit_sem` vs plain semopy (CSI model)",
        "",
        "Six-construct ACSI model (17 items on a 10-point scale, complaints measured by one "
        "item), data from `simulate_csi` (discrete ratings). One process per size, one "
        "BLAS/OpenMP thread; median of the repeats after a warm-up, the tools alternating. "
        "**csi** times `csi.fit_sem(items, spec)`; **semopy** times `semopy.Model(desc)`, "
        "`.fit(items)` and `.inspect()` (the same model, `COMP1 ~~ 0*COMP1`).",
        "",
        "| respondents | repeats | csi (s) | semopy fit + inspect (s) | csi / semopy "
        "| max abs diff of estimates | max rel diff of SEs | F_ML semopy - csi |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        t_csi, t_sem = _median(r["csi"]), _median(r["semopy"])
        gap = float(r["f_semopy"]) - float(r["f_csi"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['n']:,} | {len(r['csi'])} | {t_csi:.3f} | {t_sem:.3f} "  # type: ignore[arg-type]
            f"| {t_csi / t_sem:.2f} | {float(r['max_abs_est']):.1e} "  # type: ignore[arg-type]
            f"| {float(r['max_rel_se']):.1e} | {gap:.1e} |"  # type: ignore[arg-type]
        )
    worst = max(_median(r["csi"]) / _median(r["semopy"]) for r in rows)
    lines += [
        "",
        f"Largest ratio: {worst:.2f} (target of issue 6: csi's overhead over semopy under "
        "20%, a ratio below 1.20). The two sides do not deliver the same thing. semopy's "
        "`inspect()` gives estimates, standard errors, z and p, at the point where its SLSQP "
        "stops (scipy's default ftol 1e-6): the last column is how much lower csi's minimum "
        "of F_ML is, and the two difference columns (over the free parameters) are semopy's "
        "distance from the optimum, not an error of csi, whose estimates match lavaan's "
        "(golden tests). csi's time includes estimation to lavaan's solution (three semopy "
        "SLSQP steps, then Newton steps with the exact Hessian of F_ML, Fisher scoring "
        "where that Hessian is not positive definite, to a relative step below 1e-7; a "
        "fully converged SLSQP start is the fallback), standard errors from the expected "
        "information, the "
        "parameter table with confidence intervals and standardized solutions (their "
        "delta-method SEs from the analytic Jacobian), R², direct, "
        "indirect and total effects with delta-method SEs, every fit index (chi-square, "
        "baseline, CFI, TLI, NFI, GFI, AGFI, RMSEA with CI and close-fit test, SRMR, "
        "log-likelihood, AIC, BIC; semopy's `calc_stats`, not timed, would add a baseline "
        "fit), implied and residual matrices and the improper-solution diagnostics. "
        "Modification indices are computed on request and are not in the timing.",
    ]
    lines += _hs_section()
    fiml_n = int(os.environ.get("CSI_BENCH_FIML_N", "2500"))
    if fiml_n > 0:
        lines += _fiml_section(fiml_n, int(os.environ.get("CSI_BENCH_FIML_REPEATS", "3")))
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
