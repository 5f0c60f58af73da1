"""A finite population with strata and clusters, and complex samples drawn from it.

Used to check design-based inference for PLS (:mod:`csi.pls.design_bootstrap`): the
population has a known CSI index, and the samples have unequal selection
probabilities by stratum, so the unweighted index is biased.

Population (:func:`simulate_design_population`): strata of different sizes (numbers
of clusters ``C_h``) and satisfaction levels; clusters of ``M`` units. For unit ``i``
of cluster ``c`` in stratum ``h``::

    Quality      = a_h + u_c + e_q,           u_c ~ N(0, icc/(1-icc)), e_q ~ N(0, 1)
    Satisfaction = b_h + 0.6 Quality + 0.5 u_c + 0.8 e_s,              e_s ~ N(0, 1)

``u_c`` is a cluster effect (intra-cluster correlation ``icc`` of Quality); each item
is ``round(5.5 + 1.2 x construct + N(0, 0.8²))`` clipped to the 1-10 scale (three per
construct). Sample (:meth:`DesignPopulation.sample`): in each stratum ``n_psu``
clusters by simple random sampling without replacement, then ``per_psu`` units per
cluster likewise; the weight is the inverse inclusion probability
``w = (C_h / n_psu) (M / per_psu)``. With equal allocation, small strata are
oversampled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError

__all__ = ["DESIGN_MODEL", "DesignPopulation", "simulate_design_population"]

#: The model of the simulated items (lavaan-style).
DESIGN_MODEL = "Quality =~ q1 + q2 + q3\nSatisfaction =~ s1 + s2 + s3\nSatisfaction ~ Quality"
#: Default strata: number of clusters and (Quality, Satisfaction) shifts.
DEFAULT_STRATA: dict[str, tuple[int, float, float]] = {
    "metro": (1200, -0.3, -0.5),
    "urban": (800, 0.0, 0.0),
    "town": (450, 0.2, 0.4),
    "rural": (250, 0.4, 0.9),
}


@dataclass(frozen=True)
class DesignPopulation:
    """A simulated finite population: ``frame`` has ``stratum``, ``cluster`` (ids unique
    over the population), the items ``q1..q3, s1..s3``; ``model`` and ``scale`` fit it."""

    frame: pd.DataFrame = field(repr=False)
    cluster_size: int
    clusters_per_stratum: Mapping[str, int]
    model: str = DESIGN_MODEL
    scale: tuple[float, float] = (1.0, 10.0)

    @property
    def size(self) -> int:
        return len(self.frame)

    def sample(self, n_psu: int = 15, per_psu: int = 8, *, seed: Any = None) -> pd.DataFrame:
        """A stratified two-stage sample with its weight column ``w`` (module docstring)."""
        m = self.cluster_size
        if not 1 <= per_psu <= m:
            raise CsiInputError(f"per_psu must be between 1 and the cluster size {m}")
        rng = np.random.default_rng(seed)
        rows = []
        weights = []
        first = 0
        for name, n_cl in self.clusters_per_stratum.items():
            if not 2 <= n_psu <= n_cl:
                raise CsiInputError(f"stratum {name!r} has {n_cl} clusters; n_psu={n_psu}")
            chosen = first + rng.choice(n_cl, size=n_psu, replace=False)
            units = np.argsort(rng.random((n_psu, m)), axis=1)[:, :per_psu]
            rows.append((chosen[:, None] * m + units).ravel())
            weights.append(np.full(n_psu * per_psu, (n_cl / n_psu) * (m / per_psu)))
            first += n_cl
        idx = np.concatenate(rows)
        out = self.frame.iloc[idx].reset_index(drop=True)
        out["w"] = np.concatenate(weights)
        return out


def simulate_design_population(
    seed: Any = 0,
    *,
    strata: Mapping[str, tuple[int, float, float]] | None = None,
    cluster_size: int = 30,
    icc: float = 0.15,
) -> DesignPopulation:
    """A stratified, clustered population (module docstring).

    ``strata`` maps a stratum name to (number of clusters, Quality shift,
    Satisfaction shift); default :data:`DEFAULT_STRATA` (84,000 units with clusters of
    30).
    """
    if not 0 <= icc < 1:
        raise CsiInputError(f"icc must be in [0, 1), got {icc!r}")
    spec = dict(DEFAULT_STRATA if strata is None else strata)
    rng = np.random.default_rng(seed)
    m = int(cluster_size)
    sizes = np.array([v[0] for v in spec.values()])
    n_clusters = int(sizes.sum())
    stratum = np.repeat(np.arange(len(spec)), sizes * m)
    cluster = np.repeat(np.arange(n_clusters), m)
    a = np.array([v[1] for v in spec.values()])[stratum]
    b = np.array([v[2] for v in spec.values()])[stratum]
    u = rng.normal(0.0, np.sqrt(icc / (1 - icc)), size=n_clusters)[cluster]
    n = stratum.size
    quality = a + u + rng.normal(size=n)
    satisfaction = b + 0.6 * quality + 0.5 * u + 0.8 * rng.normal(size=n)

    def item(f: np.ndarray) -> np.ndarray:
        return np.clip(np.round(5.5 + 1.2 * f + rng.normal(0.0, 0.8, size=n)), 1, 10)

    names = np.array(list(spec), dtype=object)
    frame = pd.DataFrame(
        {
            "stratum": names[stratum],
            "cluster": cluster,
            "q1": item(quality),
            "q2": item(quality),
            "q3": item(quality),
            "s1": item(satisfaction),
            "s2": item(satisfaction),
            "s3": item(satisfaction),
        }
    )
    return DesignPopulation(
        frame=frame,
        cluster_size=m,
        clusters_per_stratum={k: int(v[0]) for k, v in spec.items()},
    )
