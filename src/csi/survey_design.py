"""The survey design (weights, strata, PSUs and replicates) used by :mod:`csi.metrics.design`
and by the PLS design-based bootstrap.

:class:`Design` checks and holds the design row by row; :func:`design_for` picks the
design a metric uses. The estimates computed with a design are in
:mod:`csi.metrics.design_estimates`; the formulas are described in
:mod:`csi.metrics.design`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, plain
from csi.survey import Survey

#: Replicate-weight types (R ``svrepdesign(type=)``).
REPLICATE_TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay", "successive-difference", "other")
#: Rules for a stratum with a single PSU (R ``options(survey.lonely.psu=)``).
LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")
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
    ``scale``/``rscales`` default as in :mod:`csi.metrics.design` (``rho`` for Fay).
    ``kind`` is ``"sampling"`` or ``"frequency"``; ``lonely_psu`` one of
    :data:`LONELY_PSU`. Build it with :meth:`from_survey` or :meth:`from_frame`.

    Derived on construction (read-only): ``stratum_codes`` and ``psu_codes`` (an integer
    per row; PSU codes are unique across strata), ``psu_strata`` (the stratum code of each
    PSU) and ``stratum_labels`` (the stratum value of each code, for messages).
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
    stratum_codes: np.ndarray = field(init=False, repr=False)
    psu_codes: np.ndarray = field(init=False, repr=False)
    psu_strata: np.ndarray = field(init=False, repr=False)
    stratum_labels: np.ndarray = field(init=False, repr=False)

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
        set_(self, "stratum_codes", stratum)
        set_(self, "psu_codes", psu)
        set_(self, "psu_strata", psu_stratum)
        set_(self, "stratum_labels", labels)
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
        return effective_n(self, np.ones(self.n, dtype=bool))

    @property
    def has_replicates(self) -> bool:
        return self.replicates is not None

    @property
    def df(self) -> float:
        """Degrees of freedom of the whole design (R ``degf``)."""
        return design_df(self, np.ones(self.n, dtype=bool))

    def __repr__(self) -> str:
        parts = [f"n={self.n}", f"kind={self.kind!r}"]
        if self.strata is not None:
            parts.append(f"strata={int(self.stratum_codes.max()) + 1}")
        if self.clusters is not None:
            parts.append(f"psu={int(self.psu_codes.max()) + 1}")
        if self.replicates is not None:
            parts.append(f"replicates={self.replicates.shape[1]} ({self.replicate_type})")
        return f"Design({', '.join(parts)})"


def effective_n(design: Design, mask: np.ndarray) -> float:
    """Effective sample size of the respondents in ``mask``: the sum of frequency
    weights, else Kish's ``(sum w)^2 / sum w^2`` (Kish 1965)."""
    w = design.weights[mask]
    if design.kind == "frequency":
        return float(w.sum())
    return kish_n_effective(w)


def design_df(design: Design, mask: np.ndarray) -> float:
    """Degrees of freedom of a design-based variance for the respondents in ``mask``:
    rank of the replicate weights minus 1, else number of PSUs minus number of strata
    (frequency weights without clusters: sum of weights minus strata; R ``survey::degf``)."""
    if design.replicates is not None:
        reps = design.replicates[mask]
        if reps.size == 0:
            return np.nan
        sv = np.linalg.svd(reps, compute_uv=False)
        rank = int(np.sum(sv > _RANK_TOL * sv[0])) if sv[0] > 0 else 0
        return float(rank - 1)
    used = mask & (design.weights > 0)
    n_strata = np.unique(design.stratum_codes[used]).size
    if design.kind == "frequency" and design.clusters is None:
        return float(design.weights[used].sum() - n_strata)
    return float(np.unique(design.psu_codes[used]).size - n_strata)


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
