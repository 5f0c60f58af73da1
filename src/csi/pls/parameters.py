"""Tables of PLS estimates: the wide tables of a result and the one long table.

Wide tables (:attr:`PLSResult.path_coefficients`, ``outer_weights``, ``loadings``,
``r2``, the effects) have the same label columns for every fit of a model, so each is
built once per model as a template (label columns as pandas builds them from lists,
estimates 0) and a fit's table is a shallow copy of it with the estimate columns
replaced (``DataFrame.isetitem``; copy-on-write keeps the template and every table
apart; without it, pandas 2 copies deeply): about a fifth of the cost of building
the DataFrame from lists.

:func:`parameter_table` is the long table in lavaan's orientation (Rosseel 2012,
*Journal of Statistical Software* 48(2); ``parameterEstimates``): ``lhs, op, rhs,
estimate``, one row per parameter:

* ``=~`` loadings, ``lhs`` the construct, ``rhs`` the indicator (correlation of the item
  with its construct score; PLSc: consistent loadings);
* ``<~`` outer weights, ``lhs`` the construct, ``rhs`` the indicator;
* ``~`` paths, ``lhs`` the outcome (target), ``rhs`` the predictor (source);
* ``r2`` R² of each endogenous construct, ``lhs = rhs`` = the construct (as lavaan's
  ``r2`` rows with ``rsquare = TRUE``).

Every PLS construct has both loadings and weights, so both ``=~`` and ``<~`` rows
appear for each (the mode of the construct is in the model, not in the table).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, copy_on_write
from csi.pls.algorithm import Layout
from csi.pls.effects import effect_pairs, indirectly_reachable, reachable
from csi.spec import ModelSpec

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = [
    "INFERENCE_COLUMNS",
    "OPERATORS",
    "PARAMETER_COLUMNS",
    "effects_table",
    "measurement_table",
    "parameter_table",
    "r2_table",
]

#: Columns of :func:`parameter_table` (a multi-group table has ``group`` first).
PARAMETER_COLUMNS = ("lhs", "op", "rhs", "estimate")
#: Columns added from a bootstrap (names as in :attr:`BootstrapResult.table`).
INFERENCE_COLUMNS = ("se", "t", "pvalue", "ci_lower", "ci_upper")
#: Operator -> (bootstrap ``kind``, label column of lhs, label column of rhs).
OPERATORS: dict[str, tuple[str, str, str]] = {
    "=~": ("loading", "construct", "indicator"),
    "<~": ("outer_weight", "construct", "indicator"),
    "~": ("path", "target", "source"),
    "r2": ("r2", "construct", "construct"),
}
_EFFECT_MASKS = ("direct", "total", "indirect")


# ------------------------------------------------------------------ wide tables
@functools.lru_cache(maxsize=128)
def _effect_template(spec: ModelSpec, which: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    layout = Layout.from_spec(spec)
    return _build_effect_template(layout, which)


def _build_effect_template(
    layout: Layout, which: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    mask = {
        "direct": layout.path,
        "total": reachable(layout),
        "indirect": indirectly_reachable(layout),
    }[which]
    pairs = effect_pairs(mask, layout)
    names = layout.constructs
    frame = pd.DataFrame(
        {
            "source": [names[s] for s, _ in pairs],
            "target": [names[t] for _, t in pairs],
            "estimate": np.zeros(len(pairs)),
        }
    )
    src = np.array([s for s, _ in pairs], dtype=np.intp)
    tgt = np.array([t for _, t in pairs], dtype=np.intp)
    return frame, src, tgt


@functools.lru_cache(maxsize=128)
def _measurement_template(spec: ModelSpec) -> pd.DataFrame:
    return _build_measurement_template(Layout.from_spec(spec))


def _build_measurement_template(layout: Layout) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "construct": [layout.constructs[b] for b in layout.block],
            "indicator": list(layout.items),
            "estimate": np.zeros(layout.n_items),
        }
    )


@functools.lru_cache(maxsize=128)
def _r2_template(spec: ModelSpec) -> pd.DataFrame:
    return _build_r2_template(Layout.from_spec(spec))


def _build_r2_template(layout: Layout) -> pd.DataFrame:
    endo = _endogenous(layout)
    zeros = np.zeros(len(endo))
    return pd.DataFrame(
        {"construct": [layout.constructs[t] for t in endo], "r2": zeros, "r2_adj": zeros}
    )


def _endogenous(layout: Layout) -> list[int]:
    return [t for t, pred in enumerate(layout.predecessors) if pred.size]


def _cached(result: PLSResult) -> bool:
    """True when the result's layout is its spec's (the templates are keyed by spec)."""
    mine = Layout.from_spec(result.spec)
    return mine is result.layout or (
        mine.constructs == result.layout.constructs
        and mine.items == result.layout.items
        and np.array_equal(mine.path, result.layout.path)
    )


def effects_table(result: PLSResult, which: str, values: np.ndarray) -> pd.DataFrame:
    """``source, target, estimate`` for the ``which`` pairs (``"direct"``: paths, ``"total"``:
    joined by a route, ``"indirect"``: by a route of two or more paths), ordered by
    target then source; ``estimate = values[source, target]``."""
    if which not in _EFFECT_MASKS:
        raise ValueError(f"which must be one of {_EFFECT_MASKS}, got {which!r}")
    if _cached(result):
        frame, src, tgt = _effect_template(result.spec, which)
    else:
        frame, src, tgt = _build_effect_template(result.layout, which)
    out = frame.copy(deep=not copy_on_write())
    out.isetitem(2, np.asarray(values, dtype=float)[src, tgt])
    return out


def measurement_table(result: PLSResult, values: np.ndarray) -> pd.DataFrame:
    """``construct, indicator, estimate`` in layout order (weights or loadings)."""
    frame = (
        _measurement_template(result.spec)
        if _cached(result)
        else _build_measurement_template(result.layout)
    )
    out = frame.copy(deep=not copy_on_write())
    out.isetitem(2, np.array(values, dtype=float))  # the table's own copy
    return out


def r2_table(result: PLSResult, r2: np.ndarray, r2_adj: np.ndarray) -> pd.DataFrame:
    """``construct, r2, r2_adj`` for the endogenous constructs (values in that order)."""
    frame = _r2_template(result.spec) if _cached(result) else _build_r2_template(result.layout)
    out = frame.copy(deep=not copy_on_write())
    out.isetitem(1, np.array(r2, dtype=float))
    out.isetitem(2, np.array(r2_adj, dtype=float))
    return out


# ------------------------------------------------------------------ long table
def parameter_table(result: Any, boot: Any = None) -> pd.DataFrame:
    """All estimates of a PLS fit in one long table, lavaan's orientation.

    Parameters
    ----------
    result:
        A :class:`csi.pls.result.PLSResult`; or a multi-group result: a
        :class:`csi.pls.mga.GroupComparison` (rows of each group from its
        ``estimate_a`` / ``estimate_b``) or a mapping group -> PLSResult.
    boot:
        A :class:`csi.pls.bootstrap.BootstrapResult` of ``result`` (single results
        only): adds ``se, t, pvalue, ci_lower, ci_upper`` from its table (NaN for a
        parameter the bootstrap did not report).

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, estimate`` (module docstring: ``=~`` loadings, ``<~`` weights,
        ``~`` paths with the outcome in ``lhs``, ``r2``), then the bootstrap columns
        when ``boot`` is given; a multi-group table has a ``group`` column first and
        the rows of each group in turn.
    """
    if _is_group_comparison(result):
        if boot is not None:
            raise CsiInputError(
                "boot= is for a single fit: a group comparison's se and p-values are those "
                "of the differences (see its table)"
            )
        return _group_comparison_table(result)
    if isinstance(result, Mapping):
        if boot is not None:
            raise CsiInputError("boot= is for a single fit, not a mapping of group fits")
        if not result:
            raise CsiInputError("no groups: the mapping of group fits is empty")
        parts = []
        for group, fit in result.items():
            one = _single(fit)
            one.insert(0, "group", [group] * len(one))
            parts.append(one)
        return pd.concat(parts, ignore_index=True)
    table = _single(result)
    if boot is not None:
        table = _with_inference(table, boot)
    return table


def _single(result: Any) -> pd.DataFrame:
    for name in ("path_coefficients", "outer_weights", "loadings", "r2"):
        if not hasattr(result, name):
            raise CsiInputError(
                "parameter_table needs a PLS result (csi.fit_pls), a group comparison or a "
                f"mapping group -> PLS result; got {type(result).__name__}"
            )
    paths = result.path_coefficients
    loadings = result.loadings
    weights = result.outer_weights
    r2 = result.r2
    lhs = [
        *loadings["construct"],
        *weights["construct"],
        *paths["target"],
        *r2["construct"],
    ]
    rhs = [
        *loadings["indicator"],
        *weights["indicator"],
        *paths["source"],
        *r2["construct"],
    ]
    op = ["=~"] * len(loadings) + ["<~"] * len(weights) + ["~"] * len(paths) + ["r2"] * len(r2)
    estimate = np.concatenate(
        [
            loadings["estimate"].to_numpy(dtype=float),
            weights["estimate"].to_numpy(dtype=float),
            paths["estimate"].to_numpy(dtype=float),
            r2["r2"].to_numpy(dtype=float),
        ]
    )
    return pd.DataFrame({"lhs": lhs, "op": op, "rhs": rhs, "estimate": estimate})


def _with_inference(table: pd.DataFrame, boot: Any) -> pd.DataFrame:
    frame = getattr(boot, "table", None)
    if not isinstance(frame, pd.DataFrame) or not {"kind", *INFERENCE_COLUMNS} <= set(
        frame.columns
    ):
        raise CsiInputError(
            f"boot must be a BootstrapResult (result.bootstrap(...)), got {type(boot).__name__}"
        )
    found: dict[tuple[str, str, str], tuple[float, ...]] = {}
    for op, (kind, left, right) in OPERATORS.items():
        rows = frame[frame["kind"] == kind]
        values = rows[list(INFERENCE_COLUMNS)].to_numpy(dtype=float)
        for key_l, key_r, vals in zip(rows[left], rows[right], values, strict=True):
            found[(op, str(key_l), str(key_r))] = tuple(vals)
    missing = (np.nan,) * len(INFERENCE_COLUMNS)
    matched = np.array(
        [
            found.get((o, str(lh), str(rh)), missing)
            for lh, o, rh in zip(table["lhs"], table["op"], table["rhs"], strict=True)
        ],
        dtype=float,
    ).reshape(len(table), len(INFERENCE_COLUMNS))
    out = table.copy()
    for k, name in enumerate(INFERENCE_COLUMNS):
        out[name] = matched[:, k]
    return out


def _is_group_comparison(result: Any) -> bool:
    table = getattr(result, "table", None)
    return (
        isinstance(table, pd.DataFrame)
        and {"kind", "estimate_a", "estimate_b"} <= set(table.columns)
        and len(getattr(result, "groups", ())) == 2
    )


def _group_comparison_table(result: Any) -> pd.DataFrame:
    table = result.table
    parts = []
    for group, column in zip(result.groups, ("estimate_a", "estimate_b"), strict=True):
        for op, (kind, left, right) in OPERATORS.items():
            rows = table[table["kind"] == kind]
            parts.append(
                pd.DataFrame(
                    {
                        "group": [group] * len(rows),
                        "lhs": rows[left].to_numpy(),
                        "op": [op] * len(rows),
                        "rhs": rows[right].to_numpy(),
                        "estimate": rows[column].to_numpy(dtype=float),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)
