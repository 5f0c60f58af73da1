"""Design-based resampling for the PLS bootstrap: Rao-Wu rescaling and replicate weights.

:func:`csi.pls.bootstrap.bootstrap` with a known survey design (``design=``; by
default the strata, clusters and replicate weights named by the codebook of a Survey
fitted with its weights) replaces the resampling of respondents by:

* **Rao-Wu rescaling bootstrap** (Rao & Wu 1988, *JASA* 83(401), 231-241; Rao, Wu &
  Yue 1992, *Survey Methodology* 18(2), 209-217), PSUs with replacement within
  strata. In stratum ``h`` with ``n_h`` PSUs, ``m_h = n_h - 1`` PSUs are drawn with
  replacement (equal probabilities); with ``r_hk`` the number of times PSU ``k`` is
  drawn, every unit ``i`` of that PSU gets the replicate weight::

      w*_i = w_i (1 - sqrt(m_h/(n_h-1)) + sqrt(m_h/(n_h-1)) (n_h/m_h) r_hk)
           = w_i n_h/(n_h-1) r_hk                (m_h = n_h - 1)

  so ``E*(w*_i) = w_i`` and the bootstrap variance of a linear statistic equals the
  with-replacement design variance ``Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)²`` (the Taylor
  variance of :mod:`csi.metrics.design`). This is R ``survey::as.svrepdesign(type=
  "subbootstrap")`` and Canty & Davison's (1999) rescaled bootstrap. The engine
  receives the per-row multipliers ``n_h/(n_h-1) r_hk`` as "counts" and multiplies
  them by the fit's weights (:meth:`csi.pls.batched.Engine.weighted_counts`).
  Without clusters every respondent is a PSU; without strata there is one stratum.
  No finite-population correction (PSUs drawn with replacement, as the Taylor SEs).
* **Replicate weights** (R ``svrepdesign``, ``combined.weights=TRUE``): replicate
  ``r`` is fitted with the weights ``w_ri`` (as multipliers ``w_ri / w_i`` of the
  fit's weights), nothing is drawn, and ``SE = sqrt(scale Σ_r rscale_r (θ_r - c)²)``
  with ``c`` the mean of the ``θ_r`` (``mse=False``, R's default) or the full-sample
  estimate (``mse=True``); ``scale`` and ``rscales`` as
  :class:`csi.metrics.design.Design` sets them for the type (JK1 ``(R-1)/R``,
  bootstrap ``1/(R-1)``, BRR ``1/R``, Fay ``1/(R(1-ρ)²)``, successive difference
  ``4/R``, JKn the given ``rscales``).

**Single-PSU strata** (among the respondents used): the design's ``lonely_psu``
``"fail"`` (default) raises naming the stratum; ``"certainty"`` and ``"remove"`` keep
the lone PSU in every resample with its own weight (it adds no variance, as R's
``survey.lonely.psu="certainty"``); ``"adjust"`` and ``"average"`` are not available
for the bootstrap and raise.

**Degrees of freedom** of the t tests and replicate intervals: PSUs minus strata
(Rao-Wu), or the rank of the replicate weights minus one (R ``degf``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, plain
from csi.pls.batched import bootstrap_counts
from csi.survey_design import Design

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = ["DESIGN_KEYS", "RaoWu", "ResampleDesign", "rao_wu_factors", "resolve_design"]

#: Keys of a ``design=`` mapping (columns of the data given to ``fit_pls``, and options).
DESIGN_KEYS = (
    "strata",
    "cluster",
    "replicate_weights",
    "replicate_type",
    "scale",
    "rscales",
    "mse",
    "rho",
    "lonely_psu",
)
_RANK_TOL = 1e-5


@dataclass(frozen=True)
class RaoWu:
    """Rao-Wu rescaling bootstrap draws for rows grouped in PSUs within strata.

    ``row_psu`` gives each row's PSU (``0..K-1``, PSUs of a stratum consecutive),
    ``psu_stratum`` each PSU's stratum; ``fixed`` marks the PSUs of single-PSU strata
    kept in every resample (``lonely_psu="certainty"``).
    """

    row_psu: np.ndarray
    psu_stratum: np.ndarray
    stratum_labels: tuple[Any, ...]
    fixed: np.ndarray
    _highs: np.ndarray
    _offsets: np.ndarray
    _factor: np.ndarray

    @classmethod
    def from_codes(cls, strata: Any, clusters: Any, *, n: int, lonely_psu: str = "fail") -> RaoWu:
        """From per-row strata and cluster labels (either may be ``None``; cluster ids
        are taken within their stratum, R's ``nest=TRUE``)."""
        if strata is None:
            s_codes = np.zeros(n, dtype=np.int64)
            labels: tuple[Any, ...] = (None,)
        else:
            s_codes, s_uniques = pd.factorize(
                pd.Series(np.asarray(strata, dtype=object)), sort=True
            )
            labels = tuple(plain(v) for v in s_uniques)
        if clusters is None:
            c_codes = np.arange(n)
        else:
            c_codes, _ = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)), sort=True)
        if len(s_codes) != n or len(c_codes) != n:
            raise CsiInputError(f"strata and clusters need {n} values, one per row")
        # PSU = (stratum, cluster); number them stratum by stratum
        key = s_codes.astype(np.int64) * (int(c_codes.max()) + 1) + c_codes
        uniq, row_psu = np.unique(key, return_inverse=True)
        psu_stratum = (uniq // (int(c_codes.max()) + 1)).astype(np.int64)
        n_h = np.bincount(psu_stratum, minlength=len(labels))
        lone = np.flatnonzero(n_h == 1)
        if lone.size:
            if lonely_psu == "fail":
                raise CsiInputError(
                    f"stratum {labels[int(lone[0])]!r} has a single PSU among the respondents "
                    "used: the Rao-Wu bootstrap draws n_h - 1 PSUs per stratum and needs at "
                    "least 2; merge it with a similar stratum, or pass a Design with "
                    "lonely_psu='certainty' to keep it fixed in every resample"
                )
            if lonely_psu not in ("certainty", "remove"):
                raise CsiInputError(
                    f"lonely_psu={lonely_psu!r} is not available for the bootstrap (stratum "
                    f"{labels[int(lone[0])]!r} has a single PSU): use 'fail', 'certainty' or "
                    "'remove'"
                )
        fixed = n_h[psu_stratum] == 1
        starts = np.concatenate([[0], np.cumsum(n_h)[:-1]])
        draw_strata = np.flatnonzero(n_h >= 2)
        highs = np.repeat(n_h[draw_strata], n_h[draw_strata] - 1)
        offsets = np.repeat(starts[draw_strata], n_h[draw_strata] - 1)
        with np.errstate(divide="ignore"):
            factor = np.where(fixed, 1.0, n_h[psu_stratum] / (n_h[psu_stratum] - 1.0))
        return cls(
            row_psu=row_psu.astype(np.intp),
            psu_stratum=psu_stratum,
            stratum_labels=labels,
            fixed=fixed,
            _highs=highs,
            _offsets=offsets,
            _factor=factor,
        )

    @property
    def n_psu(self) -> int:
        return int(self.psu_stratum.size)

    @property
    def n_strata(self) -> int:
        return int(np.unique(self.psu_stratum).size)

    @property
    def df(self) -> int:
        """PSUs minus strata (R ``degf``)."""
        return self.n_psu - self.n_strata

    def draw(self, rng: np.random.Generator, b: int) -> np.ndarray:
        """PSU draw counts ``r_hk`` ``(b, K)`` of ``b`` resamples: ``n_h - 1`` draws with
        replacement in each stratum (one ``rng.integers`` call, so consecutive batches
        continue the same stream); the PSUs of single-PSU strata count 1."""
        idx = rng.integers(0, self._highs, size=(b, self._highs.size)) + self._offsets
        counts = bootstrap_counts(idx, self.n_psu)
        counts[:, self.fixed] = 1.0
        return counts

    def row_factors(self, psu_counts: np.ndarray) -> np.ndarray:
        """Per-row multipliers of the weights ``n_h/(n_h-1) r_hk`` ``(b, N)``."""
        return (psu_counts * self._factor)[:, self.row_psu]


def rao_wu_factors(
    strata: Any, clusters: Any, n: int, *, seed: Any = None, lonely_psu: str = "fail"
) -> np.ndarray:
    """The multipliers ``n_h/(n_h-1) r_hk`` ``(n, N)`` of ``n`` Rao-Wu resamples.

    Row ``r`` multiplied by the weights gives resample ``r``'s replicate weights
    (module docstring); the values :func:`csi.pls.bootstrap.bootstrap` uses for the
    same seed, strata and clusters (of the respondents used).
    """
    size = len(strata) if strata is not None else len(clusters)
    rw = RaoWu.from_codes(strata, clusters, n=size, lonely_psu=lonely_psu)
    return rw.row_factors(rw.draw(np.random.default_rng(seed), n))


@dataclass(frozen=True)
class ResampleDesign:
    """The design of a bootstrap run over the engine's rows (see :func:`resolve_design`).

    ``rao_wu`` for drawn resamples, or ``multipliers`` ``(R, N)`` (replicate weight /
    full weight) with ``scale``, ``rscales``, ``mse`` and ``replicate_type``.
    """

    df: float
    description: str
    rao_wu: RaoWu | None = None
    multipliers: np.ndarray | None = None
    replicate_type: str | None = None
    scale: float = 1.0
    rscales: np.ndarray | None = None
    mse: bool = False

    @property
    def method(self) -> str:
        return "rao-wu" if self.rao_wu is not None else "replicates"

    @property
    def jackknife_groups(self) -> np.ndarray | None:
        """PSU of each row (delete-a-PSU jackknife for BCa), or None."""
        return None if self.rao_wu is None else self.rao_wu.row_psu

    def replicate_se(self, dev: np.ndarray) -> np.ndarray:
        """``sqrt(scale Σ_r rscale_r (θ_r - c)²)`` from ``dev = θ_r - θ`` ``(R, K)``."""
        assert self.rscales is not None
        d = dev.astype(float)
        if not self.mse:
            d = d - d.mean(axis=0)
        return np.sqrt(self.scale * np.einsum("r,rk->k", self.rscales, d * d))


def _fit_weights(result: PLSResult, n_read: int) -> np.ndarray:
    if result.row_weights is None:
        return np.ones(n_read)
    return np.asarray(result.row_weights, dtype=float)


def _from_mapping(result: PLSResult, spec: Mapping[str, Any], frame: pd.DataFrame) -> Design:
    unknown = [k for k in spec if k not in DESIGN_KEYS]
    if unknown:
        raise CsiInputError(f"design= has unknown key(s) {unknown}: use {list(DESIGN_KEYS)}")
    options = {k: spec[k] for k in ("scale", "rscales", "mse", "rho", "lonely_psu") if k in spec}
    reps = spec.get("replicate_weights") or ()
    if isinstance(reps, str):
        reps = (reps,)
    base = Design.from_frame(
        frame,
        None,
        strata=spec.get("strata"),
        cluster=spec.get("cluster"),
        replicate_weights=tuple(reps),
        replicate_type=spec.get("replicate_type") if reps else None,
        **options,
    )
    return replace(base, weights=_fit_weights(result, len(frame)))  # the fit's weights


def _check_weights_match(design: Design, fit_w: np.ndarray) -> None:
    dw = design.weights
    if dw.size != fit_w.size:
        raise CsiInputError(
            f"the design has {dw.size} rows but the data given to fit_pls has {fit_w.size} "
            "(every respondent read)"
        )
    a = dw / dw.mean() if dw.mean() > 0 else dw
    b = fit_w / fit_w.mean() if fit_w.mean() > 0 else fit_w
    bad = ~np.isclose(a, b, rtol=1e-9, atol=1e-12)
    if bad.any():
        row = int(np.argmax(bad))
        raise CsiInputError(
            f"the design's weights are not those of the fit (row {row}: {plain(dw[row])!r} "
            f"against {plain(fit_w[row])!r}, after scaling both to mean 1); refit with "
            "fit_pls(..., weights=design.weights) or build the design with the fit's weights"
        )


def resolve_design(result: PLSResult, design: Any, n_rows: int) -> ResampleDesign | None:
    """The design of a bootstrap run, or None for resampling respondents.

    ``design``: ``None`` - the design recorded at fit time (``result.design_roles``,
    from a Survey's codebook) when there is one, else None; ``False`` - None;
    ``True`` - the recorded design (error if none); a :class:`Design` over every
    respondent read (rows of the data given to ``fit_pls``; its weights must be the
    fit's, up to a constant); a mapping with keys :data:`DESIGN_KEYS` naming columns
    of that data (weights: the fit's).
    """
    if design is False:
        return None
    if design is None or design is True:
        roles = result.design_roles
        if roles is None:
            if design is True:
                raise CsiInputError(
                    "design=True needs a design: fit a Survey whose codebook names strata, "
                    "cluster or replicate_weights with its weights, or pass design="
                    "{'strata': ..., 'cluster': ...} or a csi.metrics.Design"
                )
            return None
        design = dict(roles)
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError("a design-based bootstrap needs the raw data (use fit_pls on the data)")
    frame = result.source_data
    n_read = len(frame)
    fit_w = _fit_weights(result, n_read)
    if isinstance(design, Design):
        _check_weights_match(design, fit_w)
        full = design
    elif isinstance(design, Mapping):
        full = _from_mapping(result, design, frame)
    else:
        raise CsiInputError(
            "design must be None, True, False, a csi.metrics.Design or a mapping of "
            f"{list(DESIGN_KEYS)}, got {type(design).__name__}"
        )
    rows = np.arange(n_read) if result.moments.missing == "pairwise" else result.row_positions
    if rows.size != n_rows:  # pragma: no cover - raw_items and the positions agree
        raise CsiInputError("the design rows do not match the respondents resampled")
    if full.replicates is not None:
        return _replicate_design(full, rows)
    if full.strata is None and full.clusters is None:
        raise CsiInputError(
            "the design names no strata, clusters or replicate weights: nothing to resample "
            "by design; use design=False for the bootstrap of respondents"
        )
    rw = RaoWu.from_codes(
        None if full.strata is None else np.asarray(full.strata)[rows],
        None if full.clusters is None else np.asarray(full.clusters)[rows],
        n=rows.size,
        lonely_psu=full.lonely_psu,
    )
    text = (
        f"Rao-Wu rescaling bootstrap, PSUs resampled within strata ({rw.n_strata} strata, "
        f"{rw.n_psu} PSUs, df {rw.df})"
    )
    return ResampleDesign(df=float(max(rw.df, 1)), description=text, rao_wu=rw)


def _replicate_design(full: Design, rows: np.ndarray) -> ResampleDesign:
    reps = np.asarray(full.replicates, dtype=float)[rows]
    w = full.weights[rows]
    stray = (w == 0) & (reps > 0).any(axis=1)
    if stray.any():
        pos = int(rows[int(np.argmax(stray))])
        raise CsiInputError(
            f"row {pos} has weight 0 but a positive replicate weight: replicate weights "
            "must be full weights for the fit's weights (R combined.weights=TRUE)"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        mult = np.where(w[:, None] > 0, reps / np.where(w > 0, w, 1.0)[:, None], 0.0)
    empty = np.flatnonzero(~(reps.sum(axis=0) > 0))
    if empty.size:
        raise CsiInputError(
            f"replicate weight {int(empty[0]) + 1} is zero for every respondent used"
        )
    n_rep = reps.shape[1]
    sv = np.linalg.svd(reps, compute_uv=False)  # rank as R degf (and csi.metrics.design)
    rank = int(np.sum(sv > _RANK_TOL * sv[0]))
    df = float(max(rank - 1, 1))
    assert full.scale is not None
    text = (
        f"replicate weights ({full.replicate_type}, {n_rep} replicates, df {df:g}): "
        "SE = sqrt(scale x sum rscale_r (theta_r - c)^2), t intervals"
    )
    return ResampleDesign(
        df=df,
        description=text,
        multipliers=np.ascontiguousarray(mult.T),
        replicate_type=full.replicate_type,
        scale=float(full.scale),
        rscales=np.asarray(full.rscales, dtype=float),
        mse=bool(full.mse),
    )
