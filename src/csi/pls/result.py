"""The result of a PLS path model fit: tidy tables, the index, impacts and IPMA.

The fit stores arrays; each table (and the item moments as pandas objects) is built
from them the first time it is read and then kept, so reading never re-estimates
anything. The index methods need only the stored weights, item moments and construct
scores (see :mod:`csi.pls.index` for the formulas).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.formulas import adjusted_r2
from csi.moments import Moments
from csi.pls import display as _display
from csi.pls import index as _ix
from csi.pls import parameters as _tables
from csi.pls import segments as _segments
from csi.pls.algorithm import Layout
from csi.pls.arrays import MomentArrays, PLSArrays
from csi.pls.consistent import rho_a
from csi.pls.effects import effect_pairs, reachable
from csi.spec import ModelSpec

if TYPE_CHECKING:
    from csi.pls.bootstrap import BootstrapResult
    from csi.pls.mga import GroupComparison


@dataclass(frozen=True, repr=False)
class PLSResult:
    """A fitted PLS path model (see :func:`csi.fit_pls`).

    The estimates are stored as arrays (:attr:`arrays`); each table below is built
    from them the first time it is read and then kept, so reading never recomputes.

    Tables
    ------
    path_coefficients (= direct_effects):
        DataFrame ``source, target, estimate`` (standardised; PLSc if ``consistent``).
    outer_weights:
        DataFrame ``construct, indicator, estimate``: weights of the standardised
        items giving construct scores of unit variance (as SmartPLS reports them).
    loadings:
        DataFrame ``construct, indicator, estimate``: correlation of each item with its
        construct score (PLSc: the consistent loadings ``c w``).
    cross_loadings:
        DataFrame indicator x construct: correlation of every item with every score
        (plain PLS, also when ``consistent``).
    r2:
        DataFrame ``construct, r2, r2_adj`` for the endogenous constructs;
        ``r2_adj = 1 - (1 - R²)(n - 1)/(n - k - 1)`` with ``k`` predictors.
    total_effects, indirect_effects:
        DataFrames ``source, target, estimate`` for every pair joined by a route of
        one or more (total) or two or more (indirect) paths.
    construct_correlations:
        Construct x construct correlations of the scores (PLSc: disattenuated).
    rho_a:
        Series: Dijkstra-Henseler reliability per construct (1 for single items,
        NaN for formative constructs).
    scores:
        Standardised construct scores (mean 0, variance 1 with ``n - 1``; a weighted
        fit: weighted mean 0 and variance 1 with the divisor of :mod:`csi.moments`),
        one row per respondent used, indexed like the input rows; ``None`` when fitted
        from moments only.

    Missing answers (``missing``, see :func:`csi.fit_pls`): ``n`` respondents enter the
    moments (listwise: the complete ones; mean and pairwise: all); ``n_excluded`` were
    left out (listwise only); ``n_replaced`` answers were replaced by their item's
    mean (mean only; ``replaced`` marks them, rows as ``scores``, items in layout
    order); ``n_unscored`` respondents read have no construct score (listwise: the
    excluded ones; pairwise: everyone with a missing answer; mean: none), so the
    per-respondent and per-segment index leave them out.

    Survey weights (``weights=`` of :func:`csi.fit_pls`): ``weighted``, ``weight_kind``,
    ``sum_weights`` (of the respondents used) and ``n_eff`` (Kish's effective sample
    size ``(sum w)² / sum w²``) read from :attr:`moments`; ``row_weights`` holds the
    weight of every respondent read (rows of ``source_data``), as given.
    ``design_roles``: for a Survey fitted with weights whose codebook names ``strata``,
    ``cluster`` or ``replicate_weights`` (with ``replicate_type``), those columns of
    ``source_data``; the bootstrap is then design-based by default (see
    :mod:`csi.pls.design_bootstrap`). ``None`` otherwise.

    Other attributes: ``spec``, ``scheme``, ``consistent``, ``tol``, ``max_iter``,
    ``iterations``, ``converged``, ``moments`` (the item moments used), ``scale`` (item
    scale end points given at fit time, used by the index methods), ``layout`` (the
    model in index form), ``source_data`` (the result's own copy of the data: never
    the caller's frame; for a Survey without id, personal and free-text columns;
    with ``missing="mean"`` its items hold the replaced answers), ``sign`` (the sign
    rule of :func:`csi.fit_pls`: ``"loadings"``, ``"seminr"`` or a dict construct ->
    anchor item), ``refit`` (``None``, or a callable that re-runs the whole procedure
    that produced this result - stage one included - on a frame of resampled rows;
    when set, :meth:`bootstrap` uses it: :mod:`csi.pls.refit_bootstrap`).
    """

    spec: ModelSpec
    scheme: str
    consistent: bool
    n: int
    n_excluded: int
    iterations: int
    converged: bool
    tol: float
    max_iter: int
    _moments: Moments | MomentArrays = field(repr=False, compare=False)
    layout: Layout
    arrays: PLSArrays
    scale: Any = None
    score_array: np.ndarray | None = field(default=None, repr=False)
    rows: pd.Index | None = field(default=None, repr=False)
    row_positions: np.ndarray | None = field(default=None, repr=False)
    source_data: pd.DataFrame | None = field(default=None, repr=False)
    n_replaced: int = 0
    n_unscored: int = 0
    replaced: np.ndarray | None = field(default=None, repr=False)
    row_weights: np.ndarray | None = field(default=None, repr=False)
    design_roles: Mapping[str, Any] | None = field(default=None, repr=False)
    sign: Any = "loadings"
    refit: Callable[[pd.DataFrame], PLSResult] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def moments(self) -> Moments:
        """The item moments the model was estimated from (a :class:`csi.Moments`)."""
        held = self._moments
        return held.build() if isinstance(held, MomentArrays) else held

    @property
    def missing(self) -> str:
        """The missing-data policy used: ``"listwise"``, ``"pairwise"`` or ``"mean"``."""
        return self._moments.missing

    @property
    def weighted(self) -> bool:
        """True for a weighted fit (WPLS)."""
        return self._moments.weighted

    @property
    def weight_kind(self) -> str | None:
        """``"sampling"``, ``"frequency"`` or ``None`` (unweighted)."""
        return self._moments.weight_kind

    @property
    def sum_weights(self) -> float:
        """Sum of the weights of the respondents used (unweighted: ``n``)."""
        total = self._moments.sum_weights
        return float(self.n if total is None else total)

    @property
    def n_eff(self) -> float:
        """Kish's effective sample size ``(sum w)² / sum w²`` (Kish 1965; unweighted: ``n``)."""
        kish = self._moments.n_eff
        return float(self.n if kish is None else kish)

    @property
    def scored_row_weights(self) -> np.ndarray | None:
        """The weights of the respondents with scores (rows of :attr:`scores`), or None."""
        if self.row_weights is None or self.row_positions is None:
            return None
        return np.asarray(self.row_weights, dtype=float)[self.row_positions]

    # ---------------------------------------------------------------- tables
    @cached_property
    def path_coefficients(self) -> pd.DataFrame:
        """``source, target, estimate``: standardised path coefficients."""
        return _tables.effects_table(self, "direct", self.arrays.paths)

    @cached_property
    def total_effects(self) -> pd.DataFrame:
        """``source, target, estimate``: total effects ``(I - B)^-1 - I``."""
        return _tables.effects_table(self, "total", self.arrays.total)

    @cached_property
    def indirect_effects(self) -> pd.DataFrame:
        """``source, target, estimate``: total minus direct effects."""
        return _tables.effects_table(self, "indirect", self.arrays.total - self.arrays.paths)

    @cached_property
    def outer_weights(self) -> pd.DataFrame:
        """``construct, indicator, estimate``: weights giving unit-variance scores."""
        return _tables.measurement_table(self, self.arrays.weights)

    @cached_property
    def loadings(self) -> pd.DataFrame:
        """``construct, indicator, estimate``: loadings on the own construct."""
        return _tables.measurement_table(self, self.arrays.loadings)

    @cached_property
    def cross_loadings(self) -> pd.DataFrame:
        """Indicator x construct correlations of items with construct scores."""
        return pd.DataFrame(
            self.arrays.cross_loadings,
            index=pd.Index(list(self.layout.items), name="indicator"),
            columns=pd.Index(list(self.layout.constructs), name="construct"),
        )

    @cached_property
    def r2(self) -> pd.DataFrame:
        """``construct, r2, r2_adj`` for the endogenous constructs."""
        endo = [t for t, pred in enumerate(self.layout.predecessors) if pred.size]
        k = np.array([self.layout.predecessors[t].size for t in endo], dtype=float)
        r2 = self.arrays.r2[endo]
        return _tables.r2_table(self, r2, adjusted_r2(r2, self.n, k))

    @cached_property
    def construct_correlations(self) -> pd.DataFrame:
        """Construct x construct correlation matrix of the scores."""
        names = list(self.layout.constructs)
        return pd.DataFrame(self.arrays.construct_corr, index=names, columns=names)

    @cached_property
    def rho_a(self) -> pd.Series:
        """Dijkstra-Henseler ``rho_A`` per construct (NaN for formative constructs)."""
        rho = self.arrays.consistent_rho_a
        if rho is None:
            rho = rho_a(self.arrays.corr, self.arrays.weights, self.layout)
        return pd.Series(
            np.where(self.layout.mode_b, np.nan, rho),
            index=pd.Index(list(self.layout.constructs), name="construct"),
            name="rho_a",
        )

    @cached_property
    def scores(self) -> pd.DataFrame | None:
        """Standardised construct scores (respondents used x constructs), or None."""
        if self.score_array is None:
            return None
        return pd.DataFrame(self.score_array, index=self.rows, columns=list(self.layout.constructs))

    # ---------------------------------------------------------------- views
    @property
    def direct_effects(self) -> pd.DataFrame:
        """Direct effects: the path coefficients (``source, target, estimate``)."""
        return self.path_coefficients

    direct = direct_effects

    def quality(self, **options: Any) -> Any:
        """Reliability, validity, R², f², VIF and diagnostics: a :class:`csi.quality.QualityReport`.

        Options (``thresholds``, ``f2``, ``correlations``, ``lang``) as
        :func:`csi.quality.pls_quality`; ``correlations="disattenuated"`` gives the PLSc
        Fornell-Larcker and inner VIF from the corrected construct correlations (the
        default uses score correlations, as seminr).
        """
        from csi.quality.pls import pls_quality

        return pls_quality(self, **options)

    def to_frame(self) -> pd.DataFrame:
        """All estimates in one long table: :meth:`parameter_table` without a bootstrap."""
        return _tables.parameter_table(self)

    def parameter_table(self, boot: BootstrapResult | None = None) -> pd.DataFrame:
        """``lhs, op, rhs, estimate`` in lavaan's orientation: ``=~`` loadings and ``<~``
        weights (lhs the construct), ``~`` paths (lhs the outcome), ``r2``; with ``se, t,
        pvalue, ci_lower, ci_upper`` from ``boot`` (:func:`csi.pls.parameters.parameter_table`)."""
        return _tables.parameter_table(self, boot)

    # ---------------------------------------------------------------- index
    def scale_end_points(self, scale: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """The lowest and highest answer of each item (in ``layout.items`` order) that
        0-100 rescaling uses: from ``scale`` (any form :func:`csi.scale_bounds` reads, or
        a per-item mapping) or else the fit's own scale; an error when neither is known."""
        return self._scale(scale)

    def _scale(self, scale: Any) -> tuple[np.ndarray, np.ndarray]:
        items = self.layout.items
        chosen = _ix.normalise_scale(scale, items) if scale is not None else self.scale
        if chosen is None:
            raise CsiInputError(
                "the index needs the items' scale end points: pass scale=(lo, hi), e.g. "
                "scale=(1, 10) for 10-point items (or give scale= or a codebook to fit_pls); "
                "they are not guessed from the data because a wrong guess is silent"
            )
        return _ix.scale_arrays(chosen, items)

    def _index_parts(
        self, scale: Any, *, warn: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = self._scale(scale)
        means = self.moments.means.to_numpy()
        sd = self.moments.std.to_numpy()
        u = _ix.rescaled_weights(self.arrays.weights, sd, lo, hi, self.layout, warn=warn)
        means100 = _ix.to_100(means, lo, hi)
        idx = _ix.construct_index(means100, u, self.layout)
        slopes = _ix.score_slopes(self.arrays.weights, sd, lo, hi, self.layout)
        return u, means100, idx, slopes, lo

    def rescaled_weights(self, scale: Any = None) -> pd.DataFrame:
        """``construct, indicator, weight``: the index weights ``u_i`` (sum 1 per construct)."""
        u = self._index_parts(scale)[0]
        return pd.DataFrame(
            {
                "construct": [self.layout.constructs[b] for b in self.layout.block],
                "indicator": list(self.layout.items),
                "weight": u,
            }
        )

    def index(self, scale: Any = None) -> pd.Series:
        """The ACSI 0-100 index per construct: ``sum_i u_i (mean_i - lo)/(hi - lo) * 100``.

        ``u_i`` are the outer weights divided by the items' standard deviations on the
        0-100 scale and normalised to sum to 1 within the construct (Fornell et al.
        1996). ``scale``: ``(lo, hi)`` for every item, a dict item -> ``(lo, hi)``,
        or a codebook; default: the scale given to :func:`csi.fit_pls`.
        Warns (:class:`NegativeWeightWarning`) when some ``u_i`` is negative.
        """
        idx = self._index_parts(scale)[2]
        return pd.Series(
            idx, index=pd.Index(self.layout.constructs, name="construct"), name="index"
        )

    def respondent_index(self, scale: Any = None) -> pd.DataFrame:
        """Each respondent's 0-100 construct scores, ``sum_i u_i x'_ri`` (rows as ``scores``).

        Equal to ``index_j + c_j * score_j`` with ``c_j = 1 / sum_i (w_i / sd(x'_i))``,
        so their mean over the respondents used is the index (a weighted fit: their
        weighted mean, with the survey weights).
        """
        if self.scores is None:
            raise CsiInputError(
                "respondent scores need the raw data: this model was fitted from moments "
                "only (fit_pls_moments); use fit_pls on the data"
            )
        _, _, idx, slopes, _ = self._index_parts(scale)
        values = idx + self.scores.to_numpy() * slopes
        # a respondent at the scale's end gets 0 or 100 up to rounding of the line above:
        # put values within 1e-9 of a bound on it (a real out-of-range score, possible
        # only with a negative weight, is left as it is)
        values = np.where(np.abs(values) <= 1e-9, 0.0, values)
        values = np.where(np.abs(values - 100.0) <= 1e-9, 100.0, values)
        return pd.DataFrame(values, index=self.scores.index, columns=self.scores.columns)

    def index_by(
        self, segment: Hashable | pd.Series | Sequence[Any], scale: Any = None
    ) -> pd.DataFrame:
        """The index per segment: ``segment, construct, n, index``.

        As the ACSI reports segment indices, the full-sample rescaled weights ``u_i``
        are applied to each segment's item means (the mean of its respondents' 0-100
        scores), so segments differ only by their answers, not by re-estimated
        weights. ``segment`` is a column of the data given to :func:`csi.fit_pls`, or
        values aligned with the input rows (a Series or a sequence as long as the
        rows used). Respondents with a missing segment form their own group (NaN).
        Only respondents with construct scores are counted (``n``); the table's
        ``attrs["n_unscored"]`` says how many respondents read have none (pairwise:
        those with a missing answer; see :attr:`n_unscored`). A weighted fit gives
        weighted segment means, ``sum_s w_r score_r / sum_s w_r``, and a column
        ``sum_weights`` (``n`` is then the respondents, for frequency weights the sum
        of their counts); a segment whose weights are all 0 has a NaN index.
        """
        return _segments.index_by(self, segment, self.respondent_index(scale))

    def impacts(self, points: float = 5, scale: Any = None) -> pd.DataFrame:
        """Index points a target gains when a driver's index rises by ``points``.

        ``source, target, total_effect, total_effect_100, impact``: ``total_effect`` is
        standardised; ``total_effect_100 = total_effect * c_t / c_s`` is the total
        effect between 0-100 scores (what regressing the 0-100 scores along the
        structural model gives); ``impact = points * total_effect_100`` (ACSI: 5).
        """
        _, _, _, slopes, _ = self._index_parts(scale, warn=False)
        t100 = _ix.unstandardised_effects(self.arrays.total, slopes)
        pairs = effect_pairs(reachable(self.layout), self.layout)
        names = self.layout.constructs
        return pd.DataFrame(
            {
                "source": [names[s] for s, _ in pairs],
                "target": [names[t] for _, t in pairs],
                "total_effect": [self.arrays.total[s, t] for s, t in pairs],
                "total_effect_100": [t100[s, t] for s, t in pairs],
                "impact": [float(points) * t100[s, t] for s, t in pairs],
            }
        )

    def ipma(self, target: str, scale: Any = None, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """Importance-performance map data for ``target`` (Ringle & Sarstedt 2016).

        ``kind, name, construct, importance, performance``: one row per driver construct
        (``kind="construct"``: importance = total effect between 0-100 scores,
        performance = index) and one per indicator of a driver (``kind="indicator"``:
        importance = ``u_i`` x its construct's importance, performance = 0-100 mean).
        ``exclude`` leaves out driver constructs (and their indicators) that cannot be
        acted on, e.g. customer expectations; the others' figures do not change.
        """
        names = self.layout.constructs
        check_choice(target, names, name="target")
        for name in exclude:
            check_choice(name, names, name="exclude")
        t = names.index(target)
        u, means100, idx, slopes, _ = self._index_parts(scale)
        t100 = _ix.unstandardised_effects(self.arrays.total, slopes)
        drivers = [
            s
            for s in range(len(names))
            if reachable(self.layout)[s, t] and names[s] not in set(exclude)
        ]
        if not drivers:
            raise CsiInputError(f"construct {target!r} has no drivers (no path leads into it)")
        rows: list[tuple[str, str, str, float, float]] = [
            ("construct", names[s], names[s], float(t100[s, t]), float(idx[s])) for s in drivers
        ]
        for s in drivers:
            for k in self.layout.block_items(s):
                rows.append(
                    (
                        "indicator",
                        self.layout.items[k],
                        names[s],
                        float(u[k] * t100[s, t]),
                        float(means100[k]),
                    )
                )
        return pd.DataFrame(
            rows, columns=["kind", "name", "construct", "importance", "performance"]
        )

    # ------------------------------------------------------------ inference
    def bootstrap(
        self,
        n: int = 5000,
        *,
        seed: Any = None,
        level: float = 0.95,
        ci: str = "percentile",
        workers: int = 1,
        progress: Any = None,
        keep_draws: bool = False,
        batch_size: int | None = None,
        segment: Hashable | pd.Series | Sequence[Any] | None = None,
        scale: Any = None,
        statistics: Sequence[Any] = (),
        design: Any = None,
        min_size: int = 10,
        inadmissible: str = "keep",
        pairs: bool = True,
    ) -> BootstrapResult:
        """Bootstrap SEs, p-values and intervals: see :func:`csi.pls.bootstrap.bootstrap`.

        A result with :attr:`refit` set (a model estimated in stages) is bootstrapped by
        re-running its whole procedure per resample:
        :func:`csi.pls.refit_bootstrap.refit_bootstrap`.
        """
        from csi.pls.bootstrap import bootstrap

        return bootstrap(
            self,
            n,
            seed=seed,
            level=level,
            ci=ci,
            workers=workers,
            progress=progress,
            keep_draws=keep_draws,
            batch_size=batch_size,
            segment=segment,
            scale=scale,
            statistics=statistics,
            design=design,
            min_size=min_size,
            inadmissible=inadmissible,
            pairs=pairs,
        )

    def model_fit(
        self,
        *,
        bootstrap: int = 0,
        seed: Any = None,
        inadmissible: str = "keep",
    ) -> Any:
        """SRMR, d_ULS and d_G of the estimated and saturated model, with the
        Bollen-Stine bootstrap test of exact fit: a :class:`csi.quality.model_fit.ModelFit`.

        See :func:`csi.quality.model_fit.model_fit` (formulas and references there).
        """
        from csi.quality.model_fit import model_fit

        return model_fit(self, bootstrap=bootstrap, seed=seed, inadmissible=inadmissible)

    def selection_criteria(self) -> pd.DataFrame:
        """AIC, AICc, BIC, HQ and GM per endogenous construct, for comparing models
        (Sharma et al. 2019): see :func:`csi.quality.selection.selection_criteria`."""
        from csi.quality.selection import selection_criteria

        return selection_criteria(self)

    def micom(self, group: Any, **options: Any) -> Any:
        """MICOM between two groups of this fit's respondents: a
        :class:`csi.pls.micom.MICOMResult` (see :func:`csi.pls.micom.micom`)."""
        from csi.pls.micom import micom

        return micom(self, group=group, **options)

    def compare_groups(self, group: Any, **options: Any) -> GroupComparison:
        """Multi-group comparison with these settings (:func:`csi.pls.mga.compare_groups`)."""
        from csi.pls.mga import compare_groups

        if self.weighted:
            raise CsiInputError(
                "group comparison of a weighted fit is not supported yet: it would ignore "
                "the weights; refit with weights=False to compare unweighted groups"
            )
        if self.source_data is None:
            raise CsiInputError(
                "group comparison needs the raw data: this model was fitted from moments "
                "only (fit_pls_moments); use fit_pls on the data"
            )
        options.setdefault("scheme", self.scheme)
        options.setdefault("consistent", self.consistent)
        options.setdefault("tol", self.tol)
        options.setdefault("max_iter", self.max_iter)
        if self.scale is not None:
            options.setdefault("scale", self.scale)
        return compare_groups(self.source_data, self.spec, group, **options)

    # -------------------------------------------------------------- display
    def _header(self, lang: str) -> list[str]:
        return _display.header(self, lang)

    def summary(self, lang: str = "en", digits: int = 3) -> str:
        """A compact text report: paths with R², outer weights and loadings, index."""
        return _display.summary(self, lang, digits)

    def __repr__(self) -> str:
        weighted = f", weighted={self.weight_kind!r}" if self.weighted else ""
        return (
            f"PLSResult(scheme={self.scheme!r}, n={self.n}{weighted}, "
            f"constructs={len(self.layout.constructs)}, "
            f"paths={len(self.path_coefficients)}, converged={self.converged})"
        )

    def _repr_html_(self) -> str:
        return _display.repr_html(self)
