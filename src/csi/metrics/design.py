"""Design-based estimates for weighted and complex survey samples.

A :class:`Design` holds, row by row, the survey weights and optionally the strata,
the primary sampling units (clusters) and replicate weights. The functions
:func:`weighted_total`, :func:`weighted_mean`, :func:`weighted_proportion` and
:func:`weighted_by` estimate totals, means and shares, for the whole sample or a
domain (segment), with standard errors as R ``survey`` computes them by default
(Lumley 2010, *Complex Surveys*):

* **Taylor linearisation**, PSUs drawn with replacement within strata (R
  ``svydesign(ids=~cluster, strata=~stratum, weights=~w)``, no ``fpc``). With the
  linearised score ``z_i`` of each row (total: ``w_i y_i``; mean: ``w_i (y_i - ȳ) / Σw``)
  and ``t_hk`` the sum of ``z`` over PSU ``k`` of stratum ``h`` (``n_h`` PSUs),
  ``Var = Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)²``. Without clusters every row is a PSU;
  without strata there is one stratum. Cluster ids are taken within their stratum
  (R's ``nest=TRUE``).
* **Replicate weights** (R ``svrepdesign``): with ``θ_r`` the estimate under replicate
  ``r``, ``Var = scale Σ_r rscale_r (θ_r - c)²``, ``c`` the mean of the ``θ_r`` (R's
  default ``mse=FALSE``) or the full-sample estimate (``mse=True``). Default scales:
  JK1 ``(R-1)/R``; bootstrap ``1/(R-1)``; BRR ``1/R``; Fay ``1/(R(1-ρ)²)``;
  successive-difference ``4/R``; JKn needs ``rscales`` ((n_h-1)/n_h per replicate).

**Domains** (segments, and the respondents who answered a question) are estimated as
R's ``svyby``/``subset``: the full design is kept and rows outside the domain get a
zero score, so every stratum keeps all its PSUs.

**Single-PSU strata** (``lonely_psu``, R's ``options(survey.lonely.psu=)``):
``"fail"`` (default, as R) raises naming the stratum; ``"remove"`` and
``"certainty"`` let the stratum add nothing; ``"adjust"`` centres its PSU total at
the mean PSU total of the whole sample instead of its stratum mean; ``"average"``
multiplies the variance of the other strata by (all strata / strata with 2+ PSUs).

**Degrees of freedom** (R ``degf``): PSUs minus strata among the rows of the domain
with a positive weight; with replicate weights the numerical rank of the domain's
replicate weights minus one. Intervals use Student's t with these df.

**Design effect** (Kish 1965; R ``deff=``): ``deff = Var_design / Var_SRS`` with the
SRS variance of a sample of the same size ``n`` (rows with a positive weight):
``deff="replace"`` (the default here, R ``deff="replace"``): ``Var_SRS = s²/n``;
``deff="without"`` (R ``deff=TRUE``): ``Var_SRS = s²/n · (1 - n/N̂)``, ``N̂ = Σw``
(NaN when ``N̂ ≤ n``, e.g. weights scaled to the sample size). ``s²`` is the weighted
variance ``n/(n-1) Σw(y-ȳ)²/Σw`` (R ``svyvar``); a total's SRS variance is
``N̂² Var_SRS`` of the mean. **Kish's effective sample size** is
``n_eff = (Σw)² / Σw²`` (Kish 1965, §11.7).

**Frequency weights** (``kind="frequency"``): each row stands for ``w`` identical
respondents. Point estimates are those of sampling weights; standard errors, df,
``n_effective`` (``= Σw``) and the design effect are those of the data with every row
repeated ``w`` times (with clusters: copies stay in their PSU).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError, check_choice, plain
from csi.metrics._common import check_level
from csi.survey import Survey

__all__ = [
    "LONELY_PSU",
    "REPLICATE_TYPES",
    "Design",
    "Estimate",
    "design_for",
    "kish_n_effective",
    "weighted_by",
    "weighted_difference",
    "weighted_mean",
    "weighted_proportion",
    "weighted_total",
]

#: Replicate-weight types (R ``svrepdesign(type=)``).
REPLICATE_TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay", "successive-difference", "other")
#: Rules for a stratum with a single PSU (R ``options(survey.lonely.psu=)``).
LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")
DEFF_KINDS = ("replace", "without")
_RANK_TOL = 1e-5


def kish_n_effective(weights: Any) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (Kish 1965); NaN without weight."""
    w = np.asarray(weights, dtype=float)
    ss = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / ss if ss > 0 else np.nan


def _column(frame: pd.DataFrame, col: str, what: str) -> pd.Series:
    if col not in frame.columns:
        raise CsiInputError(f"{what} column {col!r} not found in the data")
    return frame[col]


def _weights_array(values: Any, n: int | None, what: str = "weights") -> np.ndarray:
    """Weights as a float array; raise naming the row of a missing/negative/infinite one."""
    if isinstance(values, pd.Series):
        index = values.index
        raw = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise CsiInputError(f"{what} must be one-dimensional, got shape {arr.shape}")
        index = pd.RangeIndex(arr.size)
        raw = pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype=float)
    if n is not None and raw.size != n:
        raise CsiInputError(f"{what} has {raw.size} values but the data has {n} rows")
    for bad, text in (
        (np.isnan(raw), "a missing or non-numeric"),
        (np.isinf(raw), "an infinite"),
        (raw < 0, "a negative"),
    ):
        if bad.any():
            pos = int(np.argmax(bad))
            value = values.iloc[pos] if isinstance(values, pd.Series) else np.asarray(values)[pos]
            raise CsiInputError(
                f"{what} has {text} weight ({plain(value)!r}) at row {plain(index[pos])!r}"
            )
    return raw.copy()


def _codes(values: Any, n: int, what: str) -> np.ndarray:
    """Integer codes of a design column; raise naming the first missing row."""
    s = pd.Series(np.asarray(values, dtype=object))
    if s.size != n:
        raise CsiInputError(f"{what} has {s.size} values but the data has {n} rows")
    if s.isna().any():
        pos = int(np.argmax(s.isna().to_numpy()))
        raise CsiInputError(f"{what} has no value at row {pos}")
    codes, _ = pd.factorize(s, sort=True)
    return codes.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Design:
    """A survey design: weights, optional strata, clusters (PSUs) and replicate weights.

    Arrays are row-aligned with the data (for a Survey: :meth:`csi.Survey.all_responses`)
    and copied. ``replicates`` is an ``(n, R)`` array of full replicate weights (R's
    ``combined.weights=TRUE``) with ``replicate_type`` one of :data:`REPLICATE_TYPES`;
    ``scale``/``rscales`` default as in the module docstring (``rho`` for Fay).
    ``kind`` is ``"sampling"`` or ``"frequency"``; ``lonely_psu`` one of
    :data:`LONELY_PSU`. Build it with :meth:`from_survey` or :meth:`from_frame`.
    """

    weights: np.ndarray
    strata: Any = None
    clusters: Any = None
    replicates: Any = None
    replicate_type: str | None = None
    scale: float | None = None
    rscales: Any = None
    mse: bool = False
    rho: float | None = None
    kind: str = "sampling"
    lonely_psu: str = "fail"
    _stratum: np.ndarray = field(init=False, repr=False)
    _psu: np.ndarray = field(init=False, repr=False)
    _psu_stratum: np.ndarray = field(init=False, repr=False)
    _stratum_labels: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        w = _weights_array(self.weights, None)
        n = w.size
        if n == 0:
            raise CsiInputError("a design needs at least one row")
        check_choice(self.kind, ("sampling", "frequency"), name="kind")
        check_choice(self.lonely_psu, LONELY_PSU, name="lonely_psu")
        if self.kind == "frequency" and np.any(w != np.round(w)):
            pos = int(np.argmax(w != np.round(w)))
            raise CsiInputError(
                f"frequency weights must be whole numbers; row {pos} has {plain(w[pos])!r}"
            )
        set_ = object.__setattr__
        w.flags.writeable = False
        set_(self, "weights", w)
        if self.strata is None:
            stratum = np.zeros(n, dtype=np.int64)
            labels = np.array([None], dtype=object)
        else:
            strata = np.asarray(self.strata, dtype=object).copy()
            stratum = _codes(strata, n, "strata")
            labels = pd.Series(strata).drop_duplicates().sort_values().to_numpy(dtype=object)
            set_(self, "strata", strata)
        if self.clusters is None:
            psu = np.arange(n, dtype=np.int64)
        else:
            clusters = np.asarray(self.clusters, dtype=object).copy()
            cl = _codes(clusters, n, "clusters")
            psu, _ = pd.factorize(pd.Series(list(zip(stratum, cl, strict=True))))
            psu = psu.astype(np.int64)
            set_(self, "clusters", clusters)
        psu_stratum = np.zeros(int(psu.max()) + 1, dtype=np.int64)
        psu_stratum[psu] = stratum
        set_(self, "_stratum", stratum)
        set_(self, "_psu", psu)
        set_(self, "_psu_stratum", psu_stratum)
        set_(self, "_stratum_labels", labels)
        if self.replicates is not None:
            self._set_replicates(n)
        elif self.replicate_type is not None:
            raise CsiInputError("replicate_type given without replicate weights")

    def _set_replicates(self, n: int) -> None:
        reps = np.array(self.replicates, dtype=float, copy=True)
        if reps.ndim != 2 or reps.shape[0] != n:
            raise CsiInputError(
                f"replicate weights must be an array of {n} rows (one column per replicate), "
                f"got shape {reps.shape}"
            )
        bad = ~np.isfinite(reps) | (reps < 0)
        if bad.any():
            i, j = (int(v) for v in np.argwhere(bad)[0])
            raise CsiInputError(
                f"replicate weight {j + 1} has a missing, infinite or negative value "
                f"({reps[i, j]!r}) at row {i}"
            )
        n_rep = reps.shape[1]
        if n_rep < 2:
            raise CsiInputError("a replicate design needs at least two replicate weights")
        rtype = self.replicate_type
        if rtype is None:
            raise CsiInputError(
                f"replicate_type is needed with replicate weights: one of {list(REPLICATE_TYPES)}"
            )
        check_choice(rtype, REPLICATE_TYPES, name="replicate_type")
        scale = self.scale
        if scale is None:
            if rtype == "JK1":
                scale = (n_rep - 1) / n_rep
            elif rtype == "bootstrap":
                scale = 1 / (n_rep - 1)
            elif rtype == "BRR":
                scale = 1 / n_rep
            elif rtype == "Fay":
                if self.rho is None or not 0 <= float(self.rho) < 1:
                    raise CsiInputError(f"Fay replicates need rho in [0, 1), got {self.rho!r}")
                scale = 1 / (n_rep * (1 - float(self.rho)) ** 2)
            elif rtype == "successive-difference":
                scale = 4 / n_rep
            elif rtype == "JKn":
                scale = 1.0
            else:
                raise CsiInputError("replicate_type='other' needs scale= (and rscales=)")
        if self.rscales is None:
            if rtype == "JKn":
                raise CsiInputError(
                    "replicate_type='JKn' needs rscales= ((n_h - 1) / n_h for each replicate)"
                )
            rscales = np.ones(n_rep)
        else:
            rscales = np.array(self.rscales, dtype=float, copy=True).ravel()
            if rscales.size != n_rep or not np.all(np.isfinite(rscales)):
                raise CsiInputError(
                    f"rscales must hold {n_rep} finite numbers (one per replicate), "
                    f"got {rscales.size}"
                )
        if not np.isfinite(float(scale)) or float(scale) <= 0:
            raise CsiInputError(f"scale must be a positive number, got {scale!r}")
        reps.flags.writeable = False
        rscales.flags.writeable = False
        object.__setattr__(self, "replicates", reps)
        object.__setattr__(self, "scale", float(scale))
        object.__setattr__(self, "rscales", rscales)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        weights: str | None,
        *,
        strata: str | None = None,
        cluster: str | None = None,
        replicate_weights: Sequence[str] = (),
        replicate_type: str | None = None,
        scale: float | None = None,
        rscales: Any = None,
        mse: bool = False,
        rho: float | None = None,
        kind: str = "sampling",
        lonely_psu: str = "fail",
    ) -> Design:
        """A design from the columns of ``frame`` (``weights=None``: every weight 1)."""
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
        n = len(frame)
        if weights is None:
            w = np.ones(n)
        else:
            col = _column(frame, weights, "weight")
            w = _weights_array(col, n, f"weight column {weights!r}")
        reps = None
        if replicate_weights:
            reps = np.column_stack(
                [
                    _weights_array(_column(frame, c, "replicate weight"), n, f"column {c!r}")
                    for c in replicate_weights
                ]
            )
        return cls(
            weights=w,
            strata=None if strata is None else _column(frame, strata, "strata").to_numpy(),
            clusters=None if cluster is None else _column(frame, cluster, "cluster").to_numpy(),
            replicates=reps,
            replicate_type=replicate_type,
            scale=scale,
            rscales=rscales,
            mse=mse,
            rho=rho,
            kind=kind,
            lonely_psu=lonely_psu,
        )

    @classmethod
    def from_survey(
        cls,
        survey: Survey,
        *,
        weights: str | None = None,
        replicate_type: str | None = None,
        scale: float | None = None,
        rscales: Any = None,
        mse: bool = False,
        rho: float | None = None,
        lonely_psu: str = "fail",
    ) -> Design:
        """The design the Survey's codebook names (``weight``, ``weight_kind``, ``strata``,
        ``cluster``, ``replicate_weights``), over every respondent read.

        ``weights`` names another weight column (strata and clusters are kept; the
        codebook's replicate weights belong to its own weight and are then not used).
        Replicate weights need their type: ``replicate_type``, else the codebook's
        ``replicate_type``.
        """
        if not isinstance(survey, Survey):
            raise TypeError(f"survey must be a csi.Survey, got {type(survey).__name__}")
        cb = survey.codebook
        frame = survey.all_responses()
        own = weights is None or weights == cb.weight
        column = cb.weight if weights is None else weights
        reps: Sequence[str] = cb.replicate_weights if own else ()
        if replicate_type is None and own:
            replicate_type = cb.replicate_type
        if reps and replicate_type is None:
            raise CsiInputError(
                f"the codebook names replicate weights {list(reps)} but not their type: add "
                f"replicate_type: (one of {list(REPLICATE_TYPES)}) to it or pass weights="
                "csi.metrics.Design.from_survey(survey, replicate_type='JK1')"
            )
        return cls.from_frame(
            frame,
            column,
            strata=cb.strata,
            cluster=cb.cluster,
            replicate_weights=reps,
            replicate_type=replicate_type if reps else None,
            scale=scale,
            rscales=rscales,
            mse=mse,
            rho=rho,
            kind=cb.weight_kind if own else "sampling",
            lonely_psu=lonely_psu,
        )

    # ------------------------------------------------------------------ facts
    @property
    def n(self) -> int:
        """Rows of the design."""
        return int(self.weights.size)

    @property
    def n_weighted(self) -> float:
        """Sum of the weights (estimated population size)."""
        return float(self.weights.sum())

    @property
    def n_effective(self) -> float:
        """Kish's effective sample size (``Σw`` for frequency weights)."""
        return _n_eff(self, np.ones(self.n, dtype=bool))

    @property
    def has_replicates(self) -> bool:
        return self.replicates is not None

    @property
    def df(self) -> float:
        """Degrees of freedom of the whole design (R ``degf``)."""
        return _df(self, np.ones(self.n, dtype=bool))

    def __repr__(self) -> str:
        parts = [f"n={self.n}", f"kind={self.kind!r}"]
        if self.strata is not None:
            parts.append(f"strata={int(self._stratum.max()) + 1}")
        if self.clusters is not None:
            parts.append(f"psu={int(self._psu.max()) + 1}")
        if self.replicates is not None:
            parts.append(f"replicates={self.replicates.shape[1]} ({self.replicate_type})")
        return f"Design({', '.join(parts)})"


@dataclass(frozen=True)
class Estimate:
    """A design-based estimate with its standard error, t interval and sample sizes.

    ``n`` counts the rows used (valid answers in the domain), ``n_weighted`` their
    weights, ``n_effective`` Kish's effective size, ``deff`` the design effect and
    ``df`` the degrees of freedom of the interval.
    """

    statistic: str
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    level: float
    df: float
    n: int
    n_weighted: float
    n_effective: float
    deff: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "se": self.se,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "df": self.df,
            "n": self.n,
            "n_weighted": self.n_weighted,
            "n_effective": self.n_effective,
            "deff": self.deff,
        }


# ------------------------------------------------------------------ internals
def _n_eff(design: Design, mask: np.ndarray) -> float:
    w = design.weights[mask]
    if design.kind == "frequency":
        return float(w.sum())
    return kish_n_effective(w)


def _nobs(design: Design, mask: np.ndarray) -> float:
    """Sample size of the SRS comparison: rows with a positive weight (copies for
    frequency weights)."""
    w = design.weights[mask]
    return float(w.sum()) if design.kind == "frequency" else float(np.count_nonzero(w))


def _df(design: Design, mask: np.ndarray) -> float:
    if design.replicates is not None:
        reps = design.replicates[mask]
        if reps.size == 0:
            return np.nan
        sv = np.linalg.svd(reps, compute_uv=False)
        rank = int(np.sum(sv > _RANK_TOL * sv[0])) if sv[0] > 0 else 0
        return float(rank - 1)
    used = mask & (design.weights > 0)
    n_strata = np.unique(design._stratum[used]).size
    if design.kind == "frequency" and design.clusters is None:
        return float(design.weights[used].sum() - n_strata)
    return float(np.unique(design._psu[used]).size - n_strata)


def _taylor_variance(design: Design, score: np.ndarray) -> float:
    """Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)² for the per-unit ``score`` (times the weight)."""
    w = design.weights
    if design.kind == "frequency" and design.clusters is None:
        totals, mult, psu_h = score, w, design._stratum  # each copy is its own PSU
    else:
        n_psu = design._psu_stratum.size
        totals = np.bincount(design._psu, weights=w * score, minlength=n_psu)
        mult, psu_h = np.ones(n_psu), design._psu_stratum
    n_strata = int(design._stratum.max()) + 1
    n_h = np.bincount(psu_h, weights=mult, minlength=n_strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_h = np.bincount(psu_h, weights=mult * totals, minlength=n_strata) / n_h
    dev = totals - mean_h[psu_h]
    ss_h = np.bincount(psu_h, weights=mult * dev * dev, minlength=n_strata)
    ok = n_h > 1
    var_h = np.zeros(n_strata)
    var_h[ok] = n_h[ok] / (n_h[ok] - 1) * ss_h[ok]
    lonely = (n_h > 0) & ~ok
    if lonely.any():
        rule = design.lonely_psu
        if rule == "fail":
            label = design._stratum_labels[int(np.argmax(lonely))]
            raise CsiInputError(
                f"stratum {plain(label)!r} has only one PSU, so its variance cannot be "
                "estimated; choose lonely_psu= 'remove', 'certainty', 'adjust' or 'average'"
            )
        if rule == "adjust":
            grand = float(np.sum(mult * totals) / np.sum(mult))
            dev_all = totals - grand
            lone_ss = np.bincount(psu_h, weights=mult * dev_all * dev_all, minlength=n_strata)
            var_h[lonely] = lone_ss[lonely]
        elif rule == "average":
            present = int(np.sum(n_h > 0))
            n_ok = int(ok.sum())
            return float(var_h[ok].sum() * present / n_ok) if n_ok else np.nan
    return float(var_h.sum())


def _replicate_variance(design: Design, theta: float, theta_r: np.ndarray) -> float:
    assert design.replicates is not None and design.scale is not None
    centre = theta if design.mse else float(np.mean(theta_r))
    return float(design.scale * np.sum(np.asarray(design.rscales) * (theta_r - centre) ** 2))


def _prepare(design: Design, values: Any, domain: Any) -> tuple[np.ndarray, np.ndarray]:
    """(values with NaN set to 0, domain mask of valid rows)."""
    if not isinstance(design, Design):
        raise TypeError(f"design must be a csi.metrics.Design, got {type(design).__name__}")
    if isinstance(values, pd.Series):
        y = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float)
    if y.ndim != 1 or y.size != design.n:
        raise CsiInputError(
            f"values must be one value per row of the design ({design.n}), got shape {y.shape}"
        )
    if np.isinf(y).any():
        raise CsiInputError(f"values has an infinite value at row {int(np.argmax(np.isinf(y)))}")
    mask = ~np.isnan(y)
    if domain is not None:
        d = np.asarray(domain)
        if d.dtype != bool or d.shape != y.shape:
            raise CsiInputError(
                f"domain must be a boolean mask with one entry per row ({design.n})"
            )
        mask &= d
    return np.where(mask, y, 0.0), mask


def _interval(est: float, se: float, df: float, level: float) -> tuple[float, float]:
    if not (np.isfinite(se) and np.isfinite(df) and df >= 1):
        return np.nan, np.nan
    t = float(stats.t.ppf(0.5 + level / 2, df))
    return est - t * se, est + t * se


def _srs_var_mean(design: Design, y: np.ndarray, mask: np.ndarray, mean: float, deff: str) -> float:
    """SRS variance of the mean for the design effect (R ``svyvar``/n, see module doc)."""
    w = design.weights * mask
    n = _nobs(design, mask)
    total_w = float(w.sum())
    if n < 2 or total_w <= 0:
        return np.nan
    s2 = n / (n - 1) * float(np.sum(w * (y - mean) ** 2)) / total_w
    if deff == "replace":
        return s2 / n
    if total_w <= n:
        return np.nan
    return s2 * (total_w - n) / (total_w * n)


def _ratio(num: float, den: float) -> float:
    return num / den if np.isfinite(den) and den > 0 and np.isfinite(num) else np.nan


def _mean_and_var(design: Design, y: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    """(mean, variance, sum of weights) of the domain mean."""
    w = design.weights * mask
    total_w = float(w.sum())
    if total_w <= 0:
        return np.nan, np.nan, total_w
    mean = float(np.sum(w * y) / total_w)
    if design.replicates is not None:
        wr = design.replicates * mask[:, None]
        den = wr.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            theta_r = (wr * y[:, None]).sum(axis=0) / den
        var = _replicate_variance(design, mean, theta_r)
    else:
        var = _taylor_variance(design, mask * (y - mean) / total_w)
    return mean, var, total_w


# ------------------------------------------------------------------ estimates
def weighted_total(
    design: Design,
    values: Any,
    *,
    domain: Any = None,
    level: float = 0.95,
    deff: str = "replace",
) -> Estimate:
    """Estimated population total ``Σ w_i y_i`` over the domain (R ``svytotal``).

    Linearised score ``w_i y_i``; SRS comparison for ``deff``: ``N̂² s²/n`` (see
    the module docstring). Missing values (NaN) are outside the domain.
    """
    level = check_level(level)
    check_choice(deff, DEFF_KINDS, name="deff")
    y, mask = _prepare(design, values, domain)
    w = design.weights * mask
    total = float(np.sum(w * y))
    if design.replicates is not None:
        theta_r = (design.replicates * (mask * y)[:, None]).sum(axis=0)
        var = _replicate_variance(design, total, theta_r)
    else:
        var = _taylor_variance(design, mask * y)
    total_w = float(w.sum())
    mean = float(np.sum(w * y) / total_w) if total_w > 0 else np.nan
    srs = _srs_var_mean(design, y, mask, mean, deff) * total_w**2
    se = float(np.sqrt(var))
    df = _df(design, mask)
    lo, hi = _interval(total, se, df, level)
    return Estimate(
        "total",
        total,
        se,
        lo,
        hi,
        level,
        df,
        int(mask.sum()),
        total_w,
        _n_eff(design, mask),
        _ratio(var, srs),
    )


def weighted_mean(
    design: Design,
    values: Any,
    *,
    domain: Any = None,
    level: float = 0.95,
    deff: str = "replace",
) -> Estimate:
    """Weighted mean ``ȳ = Σ w_i y_i / Σ w_i`` over the domain (R ``svymean``).

    Linearised score ``w_i (y_i - ȳ) / Σw`` (Lumley 2010, §2.3); t interval with the
    design's df (R ``confint(svymean(...), df=degf(design))``). Missing values (NaN)
    are outside the domain (R ``na.rm=TRUE``).
    """
    level = check_level(level)
    check_choice(deff, DEFF_KINDS, name="deff")
    y, mask = _prepare(design, values, domain)
    mean, var, total_w = _mean_and_var(design, y, mask)
    se = float(np.sqrt(var))
    df = _df(design, mask)
    lo, hi = _interval(mean, se, df, level)
    srs = _srs_var_mean(design, y, mask, mean, deff)
    return Estimate(
        "mean",
        mean,
        se,
        lo,
        hi,
        level,
        df,
        int(mask.sum()),
        total_w,
        _n_eff(design, mask),
        _ratio(var, srs),
    )


def weighted_difference(
    design: Design, values: Any, a: Any, b: Any
) -> tuple[float, float, float, float, float]:
    """Difference of two domain means ``ȳ_a - ȳ_b`` with its design-based SE.

    Linearised score ``1_a (y - ȳ_a)/Ŵ_a - 1_b (y - ȳ_b)/Ŵ_b`` (Taylor), or the
    replicate differences (replicate weights): R ``svycontrast(svyby(...), c(1, -1))``
    (Lumley 2010, §2.4). ``a`` and ``b`` are boolean masks (overlapping allowed).
    Returns ``(difference, se, df, mean_a, mean_b)``; df is the design's over the rows
    of either domain with a value.
    """
    y, valid = _prepare(design, values, None)
    in_a = valid & np.asarray(a, dtype=bool)
    in_b = valid & np.asarray(b, dtype=bool)
    w = design.weights
    wa, wb = float(np.sum(w * in_a)), float(np.sum(w * in_b))
    if wa <= 0 or wb <= 0:
        return np.nan, np.nan, np.nan, np.nan, np.nan
    mean_a, mean_b = float(np.sum(w * in_a * y) / wa), float(np.sum(w * in_b * y) / wb)
    diff = mean_a - mean_b
    if design.replicates is not None:
        wr = design.replicates
        with np.errstate(invalid="ignore", divide="ignore"):
            ra = (wr * (in_a * y)[:, None]).sum(axis=0) / (wr * in_a[:, None]).sum(axis=0)
            rb = (wr * (in_b * y)[:, None]).sum(axis=0) / (wr * in_b[:, None]).sum(axis=0)
        var = _replicate_variance(design, diff, ra - rb)
    else:
        score = in_a * (y - mean_a) / wa - in_b * (y - mean_b) / wb
        var = _taylor_variance(design, score)
    return diff, float(np.sqrt(var)), _df(design, valid), mean_a, mean_b


def weighted_proportion(
    design: Design,
    values: Any,
    *,
    domain: Any = None,
    level: float = 0.95,
    method: str = "logit",
    deff: str = "replace",
) -> Estimate:
    """Weighted share of 1s among 0/1 ``values`` (NaN = missing), as R ``svyciprop``.

    ``p̂`` and its SE are those of :func:`weighted_mean`. ``method="logit"`` (R's
    default): ``expit(logit p̂ ± t_df · SE/(p̂(1-p̂)))``, the Wald interval of the
    intercept of a survey logistic regression (with replicate weights its SE is the
    replicates' spread of ``logit p̂_r``); ``method="mean"``: ``p̂ ± t_df · SE``.
    A share of exactly 0 or 1 has a single-point logit interval.
    """
    check_choice(method, ("logit", "mean"), name="method")
    y = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float)
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        pos = int(np.argmax(bad))
        raise CsiInputError(f"proportion values must be 0 or 1; row {pos} has {plain(y[pos])!r}")
    est = weighted_mean(design, y, domain=domain, level=level, deff=deff)
    if method == "mean":
        return Estimate(**{**est.__dict__, "statistic": "proportion"})
    p, se = est.estimate, est.se
    if not np.isfinite(p):
        lo = hi = np.nan
    elif p <= 0 or p >= 1:
        lo = hi = p
    else:
        eta = float(np.log(p / (1 - p)))
        se_eta = _logit_se_replicates(design, y, domain, eta)
        if se_eta is None:
            se_eta = se / (p * (1 - p))
        lo_eta, hi_eta = _interval(eta, se_eta, est.df, est.level)
        lo, hi = (float(1 / (1 + np.exp(-v))) for v in (lo_eta, hi_eta))
    return Estimate(**{**est.__dict__, "statistic": "proportion", "ci_lower": lo, "ci_upper": hi})


def _logit_se_replicates(design: Design, y: np.ndarray, domain: Any, eta: float) -> float | None:
    """Replicate SE of ``logit p̂`` (R's svyglm on a replicate design), else None."""
    if design.replicates is None:
        return None
    y0, mask = _prepare(design, y, domain)
    wr = design.replicates * mask[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        p_r = (wr * y0[:, None]).sum(axis=0) / wr.sum(axis=0)
        eta_r = np.log(p_r / (1 - p_r))
    return float(np.sqrt(_replicate_variance(design, eta, eta_r)))


def weighted_by(
    design: Design,
    frame: pd.DataFrame,
    column: str,
    by: str | Sequence[str],
    *,
    statistic: str = "mean",
    level: float = 0.95,
    method: str = "logit",
    deff: str = "replace",
) -> pd.DataFrame:
    """Domain estimates per segment (R ``svyby``): one row per value of ``by``.

    ``frame`` holds the rows of the design in order; ``statistic`` is ``"mean"``,
    ``"total"`` or ``"proportion"`` (``method`` as :func:`weighted_proportion`).
    Columns: the ``by`` columns, ``estimate``, ``se``, ``ci_lower``, ``ci_upper``,
    ``df``, ``n``, ``n_weighted``, ``n_effective``, ``deff``.
    """
    check_choice(statistic, ("mean", "total", "proportion"), name="statistic")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) != design.n:
        raise CsiInputError(f"frame has {len(frame)} rows but the design has {design.n}")
    groups = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [column, *groups] if c not in frame.columns]
    if missing:
        raise CsiInputError(f"column not found in frame: {', '.join(map(repr, missing))}")
    values = frame[column].to_numpy()
    positions = pd.Series(np.arange(design.n), index=frame.index)
    rows = []
    keyed = frame[groups].assign(_pos=positions.to_numpy())
    for key, sub in keyed.groupby(groups, dropna=False, sort=True, observed=True):
        keys = key if isinstance(key, tuple) else (key,)
        dom = np.zeros(design.n, dtype=bool)
        dom[sub["_pos"].to_numpy()] = True
        if statistic == "mean":
            est = weighted_mean(design, values, domain=dom, level=level, deff=deff)
        elif statistic == "total":
            est = weighted_total(design, values, domain=dom, level=level, deff=deff)
        else:
            est = weighted_proportion(
                design, values, domain=dom, level=level, method=method, deff=deff
            )
        rows.append({**dict(zip(groups, keys, strict=True)), **est.as_dict()})
    return pd.DataFrame(rows)


def design_for(source: Any, frame: pd.DataFrame, weights: Any) -> Design | None:
    """The design a metric uses, or None for unweighted figures.

    ``weights``: ``None`` - the Survey's design when its codebook names a weight, else
    unweighted; ``False`` - unweighted; ``True`` - the Survey's design (error if none);
    a column name - that column as sampling weights (a Survey's strata and clusters
    kept); an array or Series - one weight per row of ``frame``, in order; a
    :class:`Design` - used as it is.
    """
    n = len(frame)
    if weights is False:
        return None
    if isinstance(weights, Design):
        if weights.n != n:
            raise CsiInputError(f"the design has {weights.n} rows but the data has {n}")
        return weights
    survey = source if isinstance(source, Survey) else None
    if weights is None or weights is True:
        if survey is not None and survey.codebook.weight is not None:
            return Design.from_survey(survey)
        if weights is True:
            raise CsiInputError(
                "weights=True needs a Survey whose codebook names a weight column ('weight')"
            )
        return None
    if isinstance(weights, str):
        if weights not in frame.columns:
            raise CsiInputError(f"weight column {weights!r} not found in the data")
        if survey is not None:
            return Design.from_survey(survey, weights=weights)
        return Design.from_frame(frame, weights)
    if isinstance(weights, pd.Series | np.ndarray | list | tuple):
        w = _weights_array(weights, n)
        if survey is not None:
            cb = survey.codebook
            strata = None if cb.strata is None else frame[cb.strata].to_numpy()
            clusters = None if cb.cluster is None else frame[cb.cluster].to_numpy()
            return Design(weights=w, strata=strata, clusters=clusters)
        return Design(weights=w)
    raise CsiInputError(
        "weights must be None, False, True, a column name, an array of weights or a "
        f"csi.metrics.Design, got {type(weights).__name__}"
    )
