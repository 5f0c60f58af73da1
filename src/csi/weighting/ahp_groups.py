"""Group AHP (Forman & Peniwati 1998): aggregation of individual judgments (AIJ) or
priorities (AIP)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.weighting.ahp_core import AHPConsistencyWarning, AHPResult, _table, ahp_weights
from csi.weighting.ahp_judgments import _as_matrix

__all__ = ["GroupAHPResult", "ahp_group"]


@dataclass(frozen=True)
class GroupAHPResult:
    """Group priorities: ``weights``, the aggregation, each expert's ``individual``
    result, ``expert_weights`` and (AIJ) the ``aggregate`` result of the combined matrix."""

    weights: pd.Series
    aggregation: str
    expert_weights: pd.Series
    individual: dict[str, AHPResult]
    aggregate: AHPResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def cr(self) -> float:
        """CR of the aggregated matrix (AIJ) or the expert-weighted mean CR (AIP)."""
        if self.aggregate is not None:
            return self.aggregate.cr
        return float(sum(self.expert_weights[k] * r.cr for k, r in self.individual.items()))

    def to_frame(self) -> pd.DataFrame:
        """Long table: expert (``"group"`` for the aggregate), item, weight."""
        rows = [("group", k, v) for k, v in self.weights.items()]
        for e, r in self.individual.items():
            rows += [(e, k, v) for k, v in r.weights.items()]
        return pd.DataFrame(rows, columns=["expert", "item", "weight"])

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """Group priorities, group CR and each expert's weight and CR."""
        lab = phrases("ahp", check_lang(lang))
        rows = [(str(k), f"{v:.{digits}f}") for k, v in self.weights.items()]
        rows.append((lab["group_cr"], f"{self.cr:.{digits}f}"))
        for e, r in self.individual.items():
            rows.append(
                (
                    lab["expert"].format(expert=e),
                    lab["expert_row"].format(weight=self.expert_weights[e], cr=r.cr)
                    + ("" if r.consistent else lab["inconsistent"]),
                )
            )
        title = lab["group_title"].format(aggregation=self.aggregation.upper())
        text = _table(rows, title)
        if self.notes:
            text += "\n" + "\n".join(lab["note"].format(note=t) for t in self.notes)
        return Summary.plain(text, title=title, tables={"weights": self.to_frame()}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


def ahp_group(
    matrices: Mapping[str, Any] | Sequence[Any],
    *,
    expert_weights: Mapping[str, float] | Sequence[float] | None = None,
    aggregation: str = "aij",
    aip_mean: str = "arithmetic",
    items: Sequence[str] | None = None,
    method: str = "eigenvector",
    random_index: str = "saaty",
    threshold: float = 0.1,
    check_scale: bool = True,
    warn: bool = True,
) -> GroupAHPResult:
    """Group AHP by aggregating individual judgments (AIJ) or priorities (AIP).

    AIJ: ``a_ij = prod_k a_ij^(k) ^ lambda_k`` (weighted geometric mean over the
    experts who judged the pair, ``lambda`` renormalised over them), then one
    priority vector. AIP: each expert's priorities, combined by the weighted
    arithmetic mean (``aip_mean="arithmetic"``) or weighted geometric mean
    (``"geometric"``, renormalised). ``expert_weights`` default to equal.
    """
    check_choice(aggregation, ["aij", "aip"], name="aggregation")
    check_choice(aip_mean, ["arithmetic", "geometric"], name="aip_mean")
    if isinstance(matrices, Mapping):
        named = {str(k): v for k, v in matrices.items()}
    else:
        named = {f"E{k + 1}": v for k, v in enumerate(matrices)}
    if len(named) == 0:
        raise CsiInputError("ahp_group needs at least one expert's judgments")
    if expert_weights is None:
        ew = pd.Series(1.0, index=list(named))
    elif isinstance(expert_weights, Mapping):
        unknown = [k for k in expert_weights if str(k) not in named]
        absent = [k for k in named if k not in {str(x) for x in expert_weights}]
        if unknown or absent:
            raise CsiInputError(
                f"expert_weights do not match the experts: unknown {unknown}, missing {absent}"
            )
        ew = pd.Series({str(k): float(v) for k, v in expert_weights.items()}).loc[list(named)]
    else:
        if len(expert_weights) != len(named):
            raise CsiInputError(f"{len(expert_weights)} expert weights for {len(named)} experts")
        ew = pd.Series([float(v) for v in expert_weights], index=list(named))
    bad = ew[~np.isfinite(ew) | (ew <= 0)]
    if len(bad):
        raise CsiInputError(
            f"expert weight for {bad.index[0]!r} is {float(bad.iloc[0])!r}, must be positive"
        )
    ew = ew / ew.sum()
    frames = {
        e: _as_matrix(m, items, check_scale=check_scale, reciprocal_tol=0.02,
                      name=f"comparison matrix of expert {e}")
        for e, m in named.items()
    }  # fmt: skip
    labels = list(next(iter(frames.values())).columns)
    for e, f in frames.items():
        if set(f.columns) != set(labels):
            raise CsiInputError(
                f"expert {e} compares {sorted(f.columns)} but the first expert compares "
                f"{sorted(labels)}"
            )
        frames[e] = f.loc[labels, labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AHPConsistencyWarning)
        individual = {
            e: ahp_weights(f, method=method, random_index=random_index,
                           threshold=threshold, check_scale=False, warn=False)
            for e, f in frames.items()
        }  # fmt: skip
    notes = [
        f"expert {e}: CR = {r.cr:.3f} > {threshold:g}"
        for e, r in individual.items()
        if not r.consistent
    ]
    aggregate = None
    if aggregation == "aij":
        stack = np.stack([frames[e].to_numpy(dtype=float) for e in named])
        lam = ew.to_numpy()[:, None, None] * np.ones_like(stack)
        known = ~np.isnan(stack)
        lam = np.where(known, lam, 0.0)
        tot = lam.sum(axis=0)
        logs = np.where(known, np.log(np.where(known, stack, 1.0)), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            agg = np.exp((lam * logs).sum(axis=0) / tot)
        agg[tot == 0] = np.nan
        aggregate = ahp_weights(
            pd.DataFrame(agg, index=labels, columns=labels),
            method=method,
            random_index=random_index,
            threshold=threshold,
            check_scale=False,
            warn=warn,
        )
        w = aggregate.weights
    else:
        wmat = np.stack([individual[e].weights.loc[labels].to_numpy() for e in named])
        if aip_mean == "arithmetic":
            wv = ew.to_numpy() @ wmat
        else:
            wv = np.exp(ew.to_numpy() @ np.log(wmat))
        w = pd.Series(wv / wv.sum(), index=labels, name="weight")
    return GroupAHPResult(
        weights=w,
        aggregation=aggregation,
        expert_weights=ew,
        individual=individual,
        aggregate=aggregate,
        notes=tuple(notes),
    )
