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

Environment: ``CSI_BENCH_SEM_SIZES`` (comma-separated) replaces the default sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
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

n, repeats = json.loads(sys.argv[1])
sim = simulate_csi(n, seed=2026, segments=False, waves=None)
spec = ModelSpec.acsi(indicators=sim.roles)
items = sim.data[list(spec.items)].copy()
desc = spec.to_lavaan() + "\nCOMP1 ~~ 0*COMP1\n"


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
latents = set(spec.constructs)
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


def _child(n: int) -> dict[str, object]:
    env = {**os.environ, **THREADS}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([n, REPEATS.get(n, 5)])],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


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
        "(golden tests). csi's time includes estimation to lavaan's solution (ten semopy "
        "SLSQP steps, then Fisher scoring to a relative step below 1e-7; a fully converged "
        "SLSQP start is the fallback), standard errors from the expected information, the "
        "parameter table with confidence intervals and standardized solutions, R², direct, "
        "indirect and total effects with delta-method SEs, every fit index (chi-square, "
        "baseline, CFI, TLI, NFI, GFI, AGFI, RMSEA with CI and close-fit test, SRMR, "
        "log-likelihood, AIC, BIC; semopy's `calc_stats`, not timed, would add a baseline "
        "fit), implied and residual matrices and the improper-solution diagnostics. "
        "Modification indices are computed on request and are not in the timing.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
