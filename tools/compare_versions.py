"""Compare the numbers of two versions of csi: "all earlier results unchanged to 1e-12".

Issue 14's done-criterion says that the redesign of the layers changed no result. This
script checks it: it checks out an old revision into a git worktree under /tmp, runs
the same battery of public-API computations with each version (in a separate Python
process, ``PYTHONPATH=<version>/src``), stores every number of each run in a pickle,
and compares them key by key.

Usage (from the repository root)::

    .venv/bin/python tools/compare_versions.py                  # a885b1a^ vs the working tree
    .venv/bin/python tools/compare_versions.py --old v1 --new v2 --tol 1e-10
    .venv/bin/python tools/compare_versions.py --only pls,sem     # parts of the battery

Both runs use ``PYTHONHASHSEED=0``: semopy keeps some parameter names in sets, so with
a random string-hash seed the order of the variance parameters (and so of some
floating-point sums) changes from one process to the next, which moves the CB-SEM
standardized SEs by ~4e-11 and the MLR scaled chi-square by ~2e-12 (relative) within
one version; the comparison would then see noise, not a change between versions.

A number passes when ``|old - new| <= tol * max(1, |old|, |new|)``: absolute near 0,
relative for large values (both NaN, or the same infinity, count as equal; text values
must be equal). A quantity passes when every key of it is present in both runs and
every number passes. The script exits with 1 when some quantity fails.

The battery
-----------
Only names that exist in both versions (``/work/shared/DESIGN.md``'s public API and
the README) are called, with the same inputs read from the working tree (so a data file
changed since the old revision cannot make a difference):

* ``pls.*``: :func:`csi.fit_pls` on the ECSI mobi data (``tests/reference/mobi.csv``,
  the model of ``ecsi_measurement.csv`` / ``ecsi_structural.csv``, scale 1-10): path
  coefficients, outer weights, loadings, R², total and indirect effects, cross-loadings,
  construct correlations, rho_A, construct scores, ``index()``, ``respondent_index()``,
  ``index_by`` a fixed three-way split of the rows, ``impacts(points=5)``,
  ``ipma("Loyalty")``, ``rescaled_weights()``, ``selection_criteria()``,
  ``model_fit()`` and the tables of ``quality()``; the centroid and factorial schemes
  and consistent PLS (paths, weights, loadings).
* ``pls.from_lavaan``, ``pls.dask``: the same model read back from its lavaan syntax
  (``ModelSpec.from_lavaan(spec.to_lavaan())``), and fitted to a Dask frame of mobi
  (three partitions): paths, weights, index.
* ``pls.long_table``: the long table of the fit keyed by (parameter, construct or
  source, indicator or target). ``to_frame()`` changed its layout on purpose in
  the redesign (old: ``parameter, lhs, rhs`` with ``lhs`` the source of a path; new:
  ``lhs, op, rhs`` in lavaan's orientation, with ``lhs`` the outcome, see
  ``docs/model.md``), so each version's frame is read in its own layout and the
  values are compared by what they mean, not by the frame.
* ``pls.higher_order_*``, ``pls.interaction``: :func:`csi.pls.fit_higher_order` (two-stage
  and repeated indicators) and a two-stage interaction model on the sample survey:
  paths, weights, loadings, index, dimension weights; interaction effects and
  :func:`csi.pls.simple_slopes`.
* ``quality.*``: :func:`csi.pls_predict` and :func:`csi.cvpat` of the mobi fit (10 folds,
  2 repeats, seed 1), the tables of ``quality()`` and ``modification_indices()`` of the
  CB-SEM fit of the simulated CSI survey.
* ``pls.bootstrap``: ``bootstrap(n=500, seed=1)`` (estimates, bootstrap means, SEs,
  t, p-values, percentile CI; and the ``"bca"`` interval with 300 draws).
* ``pls.compare_groups``: :func:`csi.compare_groups` between the odd and even rows of
  mobi (permutation test, 200 draws, seed 1).
* ``sem.*``: :func:`csi.fit_sem` on a simulated CSI survey (``simulate_csi(500,
  seed=11)``, ACSI model) and on Holzinger-Swineford 1939 (three-factor CFA; ML,
  MLR, and two groups by school): estimates, SEs, z, p, CIs, the standardized
  solution with its delta-method SEs (every numeric column of ``estimates``), fit
  indices, R², effects; the configural-metric-scalar invariance ladder.
* ``weighting.*``: :func:`csi.ahp_weights` on a 9x9 judgment matrix (eigenvector and
  geometric): weights, lambda_max, CI, CR; entropy, CRITIC and CV weights of the 24
  mobi items; :func:`csi.combine_weights` (linear, multiplicative, game theory).
* ``fuzzy.*``: :func:`csi.membership_matrix` of mobi's satisfaction and loyalty items
  and :func:`csi.fuzzy_evaluation` with their entropy weights.
* ``system.*``: the sample indicator system (``data/samples/indicator_system.yaml``
  on ``data/samples/survey.csv``): global weights, ranking, consistency ratio, scores
  overall and by region, the seven-level distribution, and the root's fuzzy reading.
* ``metrics.*``: NPS, CSAT (top two boxes), box scores, segment comparison, the
  satisfaction-loyalty groups of the sample survey, :func:`csi.level_distribution`;
  and ``index_by("region")`` of the ACSI model fitted to that survey.
* ``report.*``: :func:`csi.report.run_analysis` on the sample survey (ACSI, segment
  region, bootstrap 200, seed 1, no figures): every cell of every table (by table
  key, row and column) and every key figure's number.

Known, intended API differences are handled as such (the ``to_frame`` layout above);
anything else that fails is reported, and a quantity that raises in one version shows
its error.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OLD = "a885b1a^"
Flat = dict[str, float | str]

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


# ------------------------------------------------------------------ flattening
def _label(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return str(value)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _number(value: Any) -> float | str:
    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        if pd.isna(value):
            return float("nan")
    except (TypeError, ValueError):
        pass
    return str(value)


def flatten(obj: Any, keys: list[str] | None = None, positional: bool = False) -> Flat:
    """Every number (and text cell) of ``obj`` under a key naming where it is.

    A DataFrame's rows are keyed by its index (unless a RangeIndex) and its label
    columns (``keys``, default: the non-numeric columns; ``positional=True``: by row
    position), each cell then by its column.
    """
    out: Flat = {}
    if isinstance(obj, pd.DataFrame):
        frame = obj
        labels = (
            []
            if positional
            else (
                keys
                if keys is not None
                else [c for c in frame.columns if not _is_numeric(frame[c])]
            )
        )
        values = [c for c in frame.columns if c not in labels]
        seen: dict[str, int] = {}
        use_index = positional or not isinstance(frame.index, pd.RangeIndex)
        for pos in range(len(frame)):
            parts = [_label(frame.index[pos])] if use_index else []
            parts += [_label(frame[c].iloc[pos]) for c in labels]
            row = "|".join(parts)
            k = seen.get(row, 0)
            seen[row] = k + 1
            if k:
                row += f"#{k}"
            for c in values:
                out[f"[{row}].{c}"] = _number(frame[c].iloc[pos])
        return out
    if isinstance(obj, pd.Series):
        return {f"[{_label(i)}]": _number(v) for i, v in obj.items()}
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            for sub, val in flatten(v, keys, positional).items():
                out[f"{k}{sub}" if sub.startswith("[") else f"{k}.{sub}"] = val
        return out
    if isinstance(obj, np.ndarray):
        arr = np.asarray(obj)
        return {str(ix): _number(v) for ix, v in np.ndenumerate(arr)}
    return {"": _number(obj)}


# ------------------------------------------------------------------ the battery
def _mobi() -> tuple[pd.DataFrame, Any]:
    import csi

    ref = ROOT / "tests" / "reference"
    mobi = pd.read_csv(ref / "mobi.csv", index_col=0)
    spec = csi.ModelSpec.from_tables(ref / "ecsi_measurement.csv", ref / "ecsi_structural.csv")
    return mobi, spec


def long_table(result: Any) -> pd.DataFrame:
    """A PLS fit's long table as ``parameter, a, b, estimate`` whatever its layout.

    ``parameter`` is path (a = source, b = target), weight, loading (a = construct,
    b = indicator) or r2 (a = b = construct). Reads the new ``lhs, op, rhs`` layout
    (lavaan's orientation) and the old ``parameter, lhs, rhs`` one.
    """
    frame = result.to_frame()
    if "op" in frame.columns:
        names = {"=~": "loading", "<~": "weight", "~": "path", "r2": "r2"}
        parameter = frame["op"].map(names)
        is_path = frame["op"] == "~"
        a = frame["lhs"].where(~is_path, frame["rhs"])
        b = frame["rhs"].where(~is_path, frame["lhs"])
    else:
        parameter = frame["parameter"]
        a = frame["lhs"]
        b = frame["rhs"].where(parameter != "r2", frame["lhs"])
    return pd.DataFrame(
        {"parameter": parameter, "a": a, "b": b, "estimate": frame["estimate"]}
    ).sort_values(["parameter", "a", "b"], ignore_index=True)


def battery_pls() -> dict[str, Any]:
    import csi

    mobi, spec = _mobi()
    res = csi.fit_pls(mobi, spec, scale=(1, 10))
    split = pd.Series(np.array(["a", "b", "c"])[np.arange(len(mobi)) % 3], index=mobi.index)
    out: dict[str, Any] = {
        "pls.path_coefficients": res.path_coefficients,
        "pls.outer_weights": res.outer_weights,
        "pls.loadings": res.loadings,
        "pls.r2": res.r2,
        "pls.total_effects": res.total_effects,
        "pls.indirect_effects": res.indirect_effects,
        "pls.cross_loadings": res.cross_loadings,
        "pls.construct_correlations": res.construct_correlations,
        "pls.rho_a": res.rho_a,
        "pls.scores": res.scores,
        "pls.fit_info": {"n": res.n, "iterations": res.iterations, "converged": res.converged},
        "pls.index": res.index(),
        "pls.respondent_index": res.respondent_index(),
        "pls.index_by": res.index_by(split),
        "pls.impacts": res.impacts(points=5),
        "pls.ipma": res.ipma("Loyalty"),
        "pls.rescaled_weights": res.rescaled_weights(),
        "pls.selection_criteria": res.selection_criteria(),
        "pls.model_fit": res.model_fit().table,
        "pls.long_table": long_table(res),
    }
    lavaan_spec = csi.ModelSpec.from_lavaan(spec.to_lavaan())
    out["pls.from_lavaan"] = csi.fit_pls(mobi, lavaan_spec, scale=(1, 10)).path_coefficients
    import dask.dataframe as dd

    from_dask = csi.fit_pls(dd.from_pandas(mobi, npartitions=3), spec, scale=(1, 10))
    out["pls.dask"] = {
        "paths": from_dask.path_coefficients,
        "weights": from_dask.outer_weights,
        "index": from_dask.index(),
    }
    quality = res.quality()
    out["pls.quality"] = {
        k: v for k, v in quality.tables().items() if isinstance(v, pd.DataFrame | pd.Series)
    }
    variants: dict[str, dict[str, Any]] = {
        "centroid": {"scheme": "centroid"},
        "factorial": {"scheme": "factorial"},
        "plsc": {"consistent": True},
    }
    for label, options in variants.items():
        other = csi.fit_pls(mobi, spec, scale=(1, 10), **options)
        out[f"pls.{label}"] = {
            "paths": other.path_coefficients,
            "weights": other.outer_weights,
            "loadings": other.loadings,
            "r2": other.r2,
            "index": other.index(),
        }
    return out


HIGHER_ORDER_MODEL = """
Expectation  =~ EXP1 + EXP2 + EXP3
Product      =~ QUAL1 + QUAL2
Service      =~ QUAL3 + QUAL4 + QUAL5
Quality      =~ Product + Service
Value        =~ VAL1 + VAL2
Satisfaction =~ SAT1 + SAT2 + SAT3
Loyalty      =~ LOY1 + LOY2 + LOY3
Quality      ~ Expectation
Value        ~ Expectation + Quality
Satisfaction ~ Expectation + Quality + Value
Loyalty      ~ Satisfaction
"""
INTERACTION_MODEL = """
Expectation  =~ EXP1 + EXP2 + EXP3
Quality      =~ QUAL1 + QUAL2 + QUAL3 + QUAL4 + QUAL5
Satisfaction =~ SAT1 + SAT2 + SAT3
Satisfaction ~ Expectation + Quality + Quality:Expectation
"""


def battery_pls_models() -> dict[str, Any]:
    import csi
    from csi.pls import fit_higher_order, simple_slopes

    data = _sample_survey().public_data(all_respondents=True)
    out: dict[str, Any] = {}
    for method in ("two_stage", "repeated_indicators"):
        fit = fit_higher_order(data, HIGHER_ORDER_MODEL, method=method, scale=(1, 10))
        out[f"pls.higher_order_{method}"] = {
            "paths": fit.path_coefficients,
            "weights": fit.outer_weights,
            "loadings": fit.loadings,
            "index": fit.index(),
        }
        if method == "two_stage":
            out[f"pls.higher_order_{method}"]["dimension_weights"] = fit.dimension_weights()
    moderated: Any = csi.fit_pls(data, INTERACTION_MODEL, scale=(1, 10))
    out["pls.interaction"] = {
        "paths": moderated.path_coefficients,
        "interaction_effects": moderated.interaction_effects,
        "slopes": simple_slopes(moderated, "Quality", "Expectation", at=(-1, 0, 1)),
    }
    return out


def battery_quality() -> dict[str, Any]:
    import csi

    mobi, spec = _mobi()
    res = csi.fit_pls(mobi, spec, scale=(1, 10))
    prediction = csi.pls_predict(res, folds=10, repeats=2, seed=1)
    test = csi.cvpat(res, folds=10, repeats=2, seed=1)
    sim = csi.simulate_csi(500, seed=11)
    sem = csi.fit_sem(sim.data, csi.ModelSpec.acsi(indicators=dict(sim.roles)))
    quality = sem.quality()
    return {
        "quality.pls_predict": {"items": prediction.items, "predictions": prediction.predictions},
        "quality.cvpat": (test.table, ["construct"]),
        "quality.sem": {
            k: v for k, v in quality.tables().items() if isinstance(v, pd.DataFrame | pd.Series)
        },
        "quality.sem_modindices": (sem.modification_indices(), ["lhs", "op", "rhs"]),
    }


def battery_bootstrap() -> dict[str, Any]:
    import csi

    mobi, spec = _mobi()
    res = csi.fit_pls(mobi, spec, scale=(1, 10))
    boot = res.bootstrap(n=500, seed=1)
    bca = res.bootstrap(n=300, seed=2, ci="bca")
    keys = ["kind", "source", "target", "construct", "indicator", "segment", "route"]
    return {
        "pls.bootstrap": (boot.table, keys),
        "pls.bootstrap_bca": (bca.table, keys),
    }


def battery_groups() -> dict[str, Any]:
    import csi

    mobi, spec = _mobi()
    data = mobi.assign(grp=np.where(np.arange(len(mobi)) % 2 == 0, "even", "odd"))
    comparison = csi.compare_groups(data, spec, "grp", n=200, seed=1, scale=(1, 10))
    keys = ["kind", "source", "target", "construct", "indicator", "route"]
    return {"pls.compare_groups": (comparison.table, keys)}


def _sem_parts(prefix: str, sem: Any) -> dict[str, Any]:
    keys = [c for c in ("group", "lhs", "op", "rhs") if c in sem.estimates.columns]
    return {
        f"{prefix}.estimates": (sem.estimates, keys),
        f"{prefix}.fit_indices": sem.fit_indices,
        f"{prefix}.r2": sem.r2,
        f"{prefix}.effects": sem.effects,
    }


def battery_sem() -> dict[str, Any]:
    import csi

    sim = csi.simulate_csi(500, seed=11)
    spec = csi.ModelSpec.acsi(indicators=dict(sim.roles))
    hs = pd.read_csv(ROOT / "tests" / "reference" / "lavaan" / "HolzingerSwineford1939.csv")
    out: dict[str, Any] = {}
    out.update(_sem_parts("sem.csi", csi.fit_sem(sim.data, spec)))
    out.update(_sem_parts("sem.hs", csi.fit_sem(hs, HS_MODEL)))
    out.update(_sem_parts("sem.hs_mlr", csi.fit_sem(hs, HS_MODEL, estimator="MLR")))
    out.update(_sem_parts("sem.hs_groups", csi.fit_sem(hs, HS_MODEL, group="school")))
    ladder = csi.invariance(hs, HS_MODEL, group="school", levels=("configural", "metric", "scalar"))
    out["sem.invariance"] = (ladder.table, ["model"])
    return out


def _ahp_matrix() -> np.ndarray:
    """A 9x9 reciprocal judgment matrix on Saaty's scale, not perfectly consistent."""
    priority = np.array([9, 8, 7, 5, 4, 3, 3, 2, 1], dtype=float)
    ratio = priority[:, None] / priority[None, :]
    scale = np.array(
        [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    )
    m = np.ones((9, 9))
    for i in range(9):
        for j in range(i + 1, 9):
            nearest = scale[np.argmin(np.abs(np.log(scale) - np.log(ratio[i, j])))]
            m[i, j] = nearest
            m[j, i] = 1 / nearest
    m[0, 8], m[8, 0] = 7.0, 1 / 7  # one judgment off the ratio scale
    return m


def battery_weighting() -> dict[str, Any]:
    import csi

    mobi, _ = _mobi()
    items = [f"C{k}" for k in range(1, 10)]
    matrix = pd.DataFrame(_ahp_matrix(), index=items, columns=items)
    out: dict[str, Any] = {}
    ahp = None
    for method in ("eigenvector", "geometric"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = csi.ahp_weights(matrix, method=method)
        out[f"weighting.ahp_{method}"] = {
            "weights": a.weights,
            "lambda_max": a.lambda_max,
            "ci": a.ci,
            "cr": a.cr,
            "consistent": a.consistent,
        }
        ahp = ahp if ahp is not None else a
    data = mobi.iloc[:, :9].set_axis(items, axis=1)
    entropy = csi.entropy_weights(mobi)
    out["weighting.entropy"] = entropy
    out["weighting.critic"] = csi.critic_weights(mobi)
    out["weighting.cv"] = csi.cv_weights(mobi)
    assert ahp is not None
    sources = {"ahp": ahp.weights, "entropy": csi.entropy_weights(data)}
    for method in ("linear", "multiplicative", "game"):
        combined = csi.combine_weights(sources, method=method)
        out[f"weighting.combine_{method}"] = {
            "weights": combined.weights,
            "coefficients": combined.coefficients,
        }
    return out


def battery_fuzzy() -> dict[str, Any]:
    import csi

    mobi, _ = _mobi()
    items = ["CUSA1", "CUSA2", "CUSA3", "CUSL1", "CUSL2", "CUSL3"]
    membership = csi.membership_matrix(mobi, items, scales=(1, 10))
    weights = csi.entropy_weights(mobi[items])
    result = csi.fuzzy_evaluation(weights, membership)
    return {
        "fuzzy.membership": membership,
        "fuzzy.evaluation": {
            "raw": result.raw,
            "membership": result.membership,
            "level": result.level,
            "score": result.score,
            "ambiguous": result.ambiguous,
        },
    }


def _sample_survey() -> Any:
    import csi

    samples = ROOT / "data" / "samples"
    return csi.read_survey(samples / "survey.csv", samples / "codebook.yaml")


def battery_system() -> dict[str, Any]:
    import csi

    survey = _sample_survey()
    system = csi.IndicatorSystem.from_yaml(ROOT / "data" / "samples" / "indicator_system.yaml")
    fitted = system.fit(survey)
    scores = fitted.score(survey, by="region")
    evaluation = fitted.fuzzy(survey)[system.root.id]
    return {
        "system.global_weights": fitted.global_weights,
        "system.ranking": (fitted.ranking(1), ["node"]),
        "system.consistency_ratio": fitted.consistency_ratio,
        "system.index": scores.index,
        "system.overall": (scores.overall, ["node"]),
        "system.segments": scores.segments,
        "system.distribution": scores.distribution,
        "system.respondents": scores.respondents,
        "system.fuzzy_root": {"membership": evaluation.membership, "score": evaluation.score},
    }


def battery_metrics() -> dict[str, Any]:
    import csi

    survey = _sample_survey()
    data = survey.data
    spec = csi.ModelSpec.acsi(
        indicators={
            "expectation": ["EXP1", "EXP2", "EXP3"],
            "quality": ["QUAL1", "QUAL2", "QUAL3", "QUAL4", "QUAL5"],
            "value": ["VAL1", "VAL2"],
            "satisfaction": ["SAT1", "SAT2", "SAT3"],
            "complaints": ["COMP1"],
            "loyalty": ["LOY1", "LOY2", "LOY3"],
        }
    )
    res = csi.fit_pls(survey, spec)
    return {
        "metrics.nps": csi.nps(survey),
        "metrics.nps_by_region": csi.nps(survey, by="region"),
        "metrics.csat": csi.csat(survey, "SAT1", top=2),
        "metrics.csat_by_channel": csi.csat(survey, "SAT1", top=2, by="channel"),
        "metrics.box_scores": csi.metrics.box_scores(survey, ["SAT1", "SAT2", "LOY1"], top=2),
        "metrics.compare_segments": csi.metrics.compare_segments(survey, "SAT1", by="region"),
        "metrics.loyalty_groups": csi.metrics.loyalty_group_shares(
            data, "SAT1", "LOY1", scale=(1, 10)
        ),
        "metrics.levels": csi.level_distribution(res.respondent_index()["Satisfaction"]),
        "metrics.index": res.index(),
        "metrics.index_by_region": res.index_by("region"),
        "metrics.impacts": res.impacts(points=5),
    }


def battery_report() -> dict[str, Any]:
    from csi.report import run_analysis

    survey = _sample_survey()
    report = run_analysis(survey, "acsi", segment="region", bootstrap=200, seed=1, figures=False)
    tables: dict[str, Any] = {}
    for table in report.tables:
        tables[table.key] = table.frame
    figures = {
        f"{section.key}.{k}.{figure.label}": figure.number
        for section in report.sections
        for k, figure in enumerate(section.key_figures)
    }
    return {
        "report.tables": ({k: v for k, v in tables.items()}, "positional"),
        "report.key_figures": figures,
    }


BATTERY: dict[str, Callable[[], dict[str, Any]]] = {
    "pls": battery_pls,
    "pls_models": battery_pls_models,
    "quality": battery_quality,
    "bootstrap": battery_bootstrap,
    "groups": battery_groups,
    "sem": battery_sem,
    "weighting": battery_weighting,
    "fuzzy": battery_fuzzy,
    "system": battery_system,
    "metrics": battery_metrics,
    "report": battery_report,
}


def _flatten_entry(value: Any) -> Flat:
    if isinstance(value, tuple) and len(value) == 2:
        obj, how = value
        if how == "positional":
            return flatten(obj, positional=True)
        return flatten(obj, keys=[k for k in how if k in obj.columns])
    return flatten(value)


def run_battery(out: Path, parts: list[str]) -> None:
    """Run every part of the battery with the csi on ``sys.path``; pickle the numbers."""
    import csi

    warnings.simplefilter("ignore")
    values: dict[str, Flat] = {}
    errors: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for name in parts:
        part = BATTERY[name]
        start = time.perf_counter()
        try:
            for quantity, value in part().items():
                values[quantity] = _flatten_entry(value)
        except Exception as err:
            errors[name] = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=-3)}"
        seconds[name] = time.perf_counter() - start
    payload = {"csi": csi.__file__, "values": values, "errors": errors, "seconds": seconds}
    with out.open("wb") as fh:
        pickle.dump(payload, fh)


# ------------------------------------------------------------------ comparison
def difference(a: float | str, b: float | str) -> tuple[float, float]:
    """``(|a - b|, |a - b| / max(1, |a|, |b|))``; text: 0 when equal, else inf."""
    if isinstance(a, str) or isinstance(b, str):
        return (0.0, 0.0) if a == b else (math.inf, math.inf)
    if math.isnan(a) and math.isnan(b):
        return 0.0, 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf, math.inf
    if a == b:
        return 0.0, 0.0
    d = abs(a - b)
    return d, d / max(1.0, abs(a), abs(b))


def _column(key: str) -> str:
    """The column part of a flattened key (``[row].column`` -> ``column``)."""
    return key.rsplit("].", 1)[1] if "]." in key else key


def compare(old: dict[str, Any], new: dict[str, Any], tol: float) -> pd.DataFrame:
    """One row per quantity: keys, missing keys, max absolute and scaled differences,
    the worst key and the columns (or keys) with a difference over ``tol``."""
    rows = []
    for quantity in sorted(set(old["values"]) | set(new["values"])):
        a = old["values"].get(quantity)
        b = new["values"].get(quantity)
        if a is None or b is None:
            rows.append(
                (
                    quantity,
                    0,
                    -1,
                    math.nan,
                    math.nan,
                    "",
                    "",
                    f"FAIL: only in {'new' if a is None else 'old'}",
                )
            )
            continue
        keys = set(a) | set(b)
        missing = sorted(keys - (set(a) & set(b)))
        worst_abs = worst = 0.0
        worst_key = ""
        over: set[str] = set()
        for key in set(a) & set(b):
            d_abs, d = difference(a[key], b[key])
            if d > worst or (d == worst and d_abs > worst_abs):
                worst_abs, worst, worst_key = d_abs, d, key
            if d > tol:
                over.add(_column(key))
        ok = not missing and worst <= tol
        note = "" if not missing else f"{len(missing)} keys in one only, e.g. {missing[0]}"
        rows.append(
            (
                quantity,
                len(keys),
                len(missing),
                worst_abs,
                worst,
                worst_key,
                ", ".join(sorted(over)),
                ("pass" if ok else "FAIL") + (f" ({note})" if note else ""),
            )
        )
    for side, run in (("old", old), ("new", new)):
        for part, message in run["errors"].items():
            rows.append(
                (
                    f"<{part}>",
                    0,
                    -1,
                    math.nan,
                    math.nan,
                    "",
                    "",
                    f"FAIL: raised in {side}: {message.splitlines()[0]}",
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "quantity",
            "keys",
            "missing",
            "max_abs_diff",
            "max_scaled_diff",
            "worst_key",
            "over_tol",
            "result",
        ],
    )


# ------------------------------------------------------------------ worktrees
def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def _run_version(src: Path, out: Path, parts: list[str]) -> dict[str, Any]:
    # a fixed string-hash seed: with a random one, the CB-SEM standardized SEs move by
    # ~4e-11 (relative) and the MLR scaled chi-square by ~2e-12 from one process to the
    # next in the same version (the order of some set of names changes the order of the
    # floating-point sums), which is noise, not a change between versions
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--battery",
            str(out),
            "--only",
            ",".join(parts),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with out.open("rb") as fh:
        payload: dict[str, Any] = pickle.load(fh)
    if not Path(payload["csi"]).resolve().is_relative_to(src.resolve()):
        raise RuntimeError(f"the battery imported {payload['csi']}, not the csi in {src}")
    payload["wall"] = time.perf_counter() - start
    return payload


def _run_both(
    old: str, new: str | None, tmp: Path, parts: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Run the battery with each version (a worktree per revision, removed at the end)."""
    trees: list[Path] = []
    sources: dict[str, tuple[Path, str]] = {}
    try:
        for side, rev in (("old", old), ("new", new)):
            if rev is None:
                sources[side] = (ROOT / "src", "working tree")
                continue
            commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
            tree = Path(f"/tmp/csi-{side}")
            if tree.exists():
                _git("worktree", "remove", "--force", str(tree))
            _git("worktree", "add", "--detach", str(tree), commit)
            trees.append(tree)
            sources[side] = (tree / "src", f"{rev} = {commit[:10]}")
        runs = {
            side: _run_version(src, tmp / f"{side}.pkl", parts)
            for side, (src, _) in sources.items()
        }
    finally:
        for tree in trees:
            _git("worktree", "remove", "--force", str(tree))
    return runs, {side: label for side, (_, label) in sources.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--old", default=DEFAULT_OLD, help="old revision (default a885b1a^)")
    parser.add_argument("--new", default=None, help="new revision (default: the working tree)")
    parser.add_argument("--tol", type=float, default=1e-12)
    parser.add_argument(
        "--only", default=",".join(BATTERY), help=f"parts of the battery, of {','.join(BATTERY)}"
    )
    parser.add_argument("--battery", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(BATTERY))
    if unknown:
        parser.error(f"unknown parts {unknown}; known: {', '.join(BATTERY)}")
    if args.battery is not None:
        run_battery(args.battery, parts)
        return 0

    with tempfile.TemporaryDirectory(prefix="csi-compare-") as tmp:
        runs, labels = _run_both(args.old, args.new, Path(tmp), parts)
    table = compare(runs["old"], runs["new"], args.tol)
    print(f"old: {labels['old']} ({runs['old']['wall']:.0f} s)")
    print(f"new: {labels['new']} ({runs['new']['wall']:.0f} s)")
    print(f"tolerance: |old - new| <= {args.tol:g} * max(1, |old|, |new|)\n")
    failing = table[table["result"] != "pass"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 90):
        print(
            table[["quantity", "keys", "max_abs_diff", "max_scaled_diff", "result"]].to_string(
                index=False, float_format=lambda v: f"{v:.2e}"
            )
        )
        if len(failing):
            print("\nfailures, with the worst key:")
            for _, row in failing.iterrows():
                print(f"{row['quantity']}: {row['result']}; worst at {row['worst_key']}")
                if row["over_tol"]:
                    print(f"    over the tolerance: {row['over_tol']}")
    print(
        f"\n{len(table) - len(failing)} of {len(table)} quantities pass, "
        f"{int(table['keys'].sum())} numbers compared"
    )
    return 1 if len(failing) else 0


if __name__ == "__main__":
    sys.exit(main())
