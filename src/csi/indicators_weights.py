"""Weights of an indicator node's children: equal, given, AHP, objective, PLS, combined.

See :mod:`csi.indicators` for the ``weights:`` spec of a node.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.indicators_nodes import IndicatorNode
from csi.weighting.ahp import AHPResult, GroupAHPResult, ahp_group, ahp_weights
from csi.weighting.combine import CombinedWeights, combine_weights, weights_from_pls
from csi.weighting.objective import critic_weights, cv_weights, entropy_weights


def _weighted_score(child_scores: pd.DataFrame, w: pd.Series) -> pd.Series:
    s = child_scores[list(w.index)].to_numpy(dtype=float)
    wv = w.to_numpy(dtype=float)
    avail = np.isfinite(s)
    wsum = (avail * wv).sum(axis=1)
    num = np.where(avail, s, 0.0) @ wv
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(wsum > 0, num / np.where(wsum > 0, wsum, 1.0), np.nan)
    return pd.Series(out, index=child_scores.index)


def _node_weights(
    node: IndicatorNode,
    spec: Mapping[str, Any],
    child_ids: list[str],
    child_scores: pd.DataFrame | None,
    pls_weights: pd.DataFrame | None,
    notes: list[str],
) -> tuple[pd.Series, Any]:
    method = spec.get("method", "equal")
    where = f"node {node.id!r}"
    if len(child_ids) == 1:
        return pd.Series([1.0], index=child_ids, name="weight"), None
    if method == "equal":
        return pd.Series(1 / len(child_ids), index=child_ids, name="weight"), None
    if method == "given":
        values = {str(k): float(v) for k, v in spec["values"].items()}
        s = pd.Series(values).loc[child_ids]
        if (~np.isfinite(s) | (s < 0)).any() or s.sum() <= 0:
            raise CsiInputError(f"{where}: given weights must be >= 0 and not all 0, got {values}")
        return (s / s.sum()).rename("weight"), None
    if method == "ahp":
        opts = {k: spec[k] for k in ("random_index", "threshold") if k in spec}
        if "ahp_method" in spec:
            opts["method"] = spec["ahp_method"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if "experts" in spec:
                experts = spec["experts"]
                if not isinstance(experts, Mapping) or not experts:
                    raise CsiInputError(f"{where}: experts must map names to judgments")
                mats = {}
                ew = {}
                for name, e in experts.items():
                    if isinstance(e, Mapping):
                        mats[str(name)] = e.get("judgments", e.get("matrix"))
                        ew[str(name)] = float(e.get("weight", 1.0))
                    else:
                        mats[str(name)] = e
                        ew[str(name)] = 1.0
                res: AHPResult | GroupAHPResult = ahp_group(
                    mats,
                    expert_weights=ew,
                    aggregation=spec.get("aggregation", "aij"),
                    items=child_ids,
                    **opts,
                )
            else:
                m = spec.get("judgments", spec.get("matrix"))
                res = ahp_weights(m, items=child_ids, **opts)
        for wmsg in caught:
            notes.append(f"{where}: {wmsg.message}")
        return res.weights.loc[child_ids].rename("weight"), res
    if method in ("entropy", "critic", "cv"):
        if child_scores is None:
            raise CsiInputError(f"{where}: {method} weights come from the data; pass data to fit()")
        opts = {k: v for k, v in spec.items() if k != "method"}
        f = {"entropy": entropy_weights, "critic": critic_weights, "cv": cv_weights}[method]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = f(child_scores[child_ids], missing="drop", **opts)
        for wmsg in caught:
            notes.append(f"{where}: {wmsg.message}")
        return w.loc[child_ids].rename("weight"), w.attrs
    if method == "pls":
        if pls_weights is None:
            raise CsiInputError(f"{where}: 'pls' weights need fit(..., pls_weights=outer_weights)")
        w = weights_from_pls(pls_weights, construct=str(spec["construct"]))
        lookup = {c.id: (c.item if c.is_leaf else c.id) for c in node.children}
        absent = [c for c, it in lookup.items() if it not in w.index]
        if absent:
            raise CsiInputError(
                f"{where}: no PLS outer weight for {absent} in construct {spec['construct']!r}"
            )
        s = pd.Series({c: float(w[it]) for c, it in lookup.items()})
        return (s / s.sum()).rename("weight"), None
    # combined
    parts = {}
    for k, src in enumerate(spec["sources"]):
        w, _ = _node_weights(node, src, child_ids, child_scores, pls_weights, notes)
        parts[f"{src['method']}" if src["method"] not in parts else f"{src['method']}{k + 1}"] = w
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comb: CombinedWeights = combine_weights(
            parts, method=spec.get("combine", "linear"), alpha=spec.get("alpha")
        )
    for wmsg in caught:
        notes.append(f"{where}: {wmsg.message}")
    return comb.weights.loc[child_ids].rename("weight"), comb
