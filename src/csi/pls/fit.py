"""``fit_pls``: the entry point of PLS path modelling.

A plain model is fitted in one stage (:func:`csi.pls.fit_single.fit_single`: data
checks, missing-data policy, item moments, then :mod:`csi.pls.estimate`). A model
with interaction terms goes to :mod:`csi.pls.interaction`, one with higher-order
constructs to :mod:`csi.pls.higher_order`; both call the one-stage fit for each
stage, so this module is the only one that knows all three.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from csi._checks import CsiInputError, check_choice
from csi.moments import Moments
from csi.pls.fit_single import (
    MISSING,
    SmallSampleWarning,
    _check_n,
    _codebook_scale,
    _design_roles,
    _item_matrix,
    fit_pls_moments,
    fit_single,
)
from csi.pls.higher_order import APPROACHES as HOC_APPROACHES
from csi.pls.higher_order import METHODS as HOC_METHODS
from csi.pls.higher_order import fit_higher_order
from csi.pls.higher_order_spec import has_higher_order
from csi.pls.interaction import METHODS as _METHODS
from csi.pls.interaction import fit_interaction
from csi.pls.result import PLSResult
from csi.spec import ModelSpec, as_spec
from csi.survey import Survey

__all__ = ["MISSING", "SmallSampleWarning", "fit_pls", "fit_pls_moments"]

# names other modules imported from here before the split (kept working)
_REEXPORTED = (_check_n, _codebook_scale, _design_roles, _item_matrix)


@functools.lru_cache(maxsize=64)
def _has_higher_order(text: str) -> bool:
    return has_higher_order(text)


@functools.lru_cache(maxsize=64)
def _spec_from_text(text: str) -> ModelSpec:
    """The model of lavaan text, read once per text (a ModelSpec is immutable; the
    caches keyed by it then find the same object; a text that does not parse raises
    every time)."""
    return ModelSpec.from_lavaan(text)


def fit_pls(
    data: pd.DataFrame | Moments | Survey | Any,
    spec: ModelSpec | str,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool = False,
    scale: Any = None,
    missing: str | None = None,
    client: Any = None,
    progress: bool = False,
    weights: Any = None,
    weight_kind: str | None = None,
    sign: Any = "loadings",
    interaction: str = "two_stage",
    higher_order: str = "two_stage",
    higher_order_approach: str = "embedded",
) -> PLSResult:
    """Fit a PLS path model (Lohmöller/Wold algorithm) to survey data.

    Parameters
    ----------
    data:
        Respondents x items: a pandas DataFrame, a :class:`csi.survey.Survey`, a Dask
        DataFrame, or a :class:`csi.Moments` (sufficient statistics). Never modified;
        the result keeps its own copy (:attr:`PLSResult.source_data`): the whole frame
        for a DataFrame, :meth:`Survey.public_data` (``all_respondents=True``: no id,
        personal or free-text column) for a Survey. Other columns are ignored by the
        fit; :meth:`PLSResult.index_by` reads segment columns from that copy. A Survey
        is fitted on every respondent read (:meth:`Survey.all_responses`), with
        ``missing`` and ``scale`` defaulting to its policy and codebook.
    spec:
        A :class:`csi.ModelSpec` or lavaan model text.
    scheme:
        Inner weighting scheme: ``"path"`` (default), ``"centroid"`` or ``"factorial"``
        (formulas in :mod:`csi.pls.algorithm`).
    tol, max_iter:
        Stop when the largest absolute change of an outer weight is below ``tol``
        (default 1e-7); warn with :class:`PLSConvergenceWarning` after ``max_iter``
        (default 300) iterations.
    consistent:
        Consistent PLS (Dijkstra & Henseler 2015) for the reflective constructs:
        corrected loadings, construct correlations, paths, R² and effects.
    scale:
        Item scale end points for the index: ``(lo, hi)`` for every item, a dict
        item -> ``(lo, hi)``, or a :class:`csi.Codebook` (its item end points).
        Answers outside the scale are an error. Without it, the index methods ask
        for ``scale=``: end points are never guessed from the data. Default for a
        Survey: its codebook (when it gives every item's end points).
    missing:
        How respondents with missing answers are used (default ``"listwise"``; for a
        Survey its policy, ``"keep"`` read as listwise):

        * ``"listwise"``: respondents with any missing item are left out (counted in
          ``n_excluded``); ``n`` = complete respondents.
        * ``"mean"``: each missing answer is replaced by the mean of its item's
          observed answers, ``x~_ik = mean_{answered} x_k`` (SmartPLS, seminr's
          ``mean_replacement``; Hair et al. 2017, sec. 2.4); ``n`` = every respondent,
          ``n_excluded = 0``, ``n_replaced`` = cells replaced.
        * ``"pairwise"``: each covariance from the respondents answering both items
          (``pandas.DataFrame.cov``); ``n`` = every respondent. Construct scores (and
          so the per-respondent and per-segment index) exist only for the respondents
          who answered every item; ``n_unscored`` counts the others.

    client, progress:
        For a Dask DataFrame only: the ``dask.distributed.Client`` to compute on
        (default: the current scheduler) and whether to show Dask's progress bar.
        A Dask table is reduced to its moments in one pass (:mod:`csi.scaleout`);
        ``scores`` is then ``None`` (see :func:`csi.scaleout.score_to_parquet`).
    weights, weight_kind:
        Survey weights: weighted PLS (WPLS; Becker & Ismail 2016, *European
        Management Journal* 34(6), 606-617; as SmartPLS). ``weights`` is a column
        name, or one weight per row (array, list, Series); for a Survey, ``None``
        (default) uses its codebook's ``weight`` column and ``False`` fits unweighted
        (for a DataFrame ``None`` is unweighted). ``weight_kind`` is ``"sampling"``
        (default; a Survey: its codebook's) or ``"frequency"`` (whole-number counts
        of identical respondents: the fit equals that of the repeated rows). The
        weights enter the item means and covariances (:mod:`csi.moments`, divisor
        conventions there), hence every correlation and regression of the algorithm,
        the standardisation of the construct scores (weighted mean 0, variance 1),
        the index and impacts (weighted item means and sds), IPMA, ``index_by``
        (weighted segment means) and the bootstrap (respondents resampled with their
        weights; design-based - PSUs within strata, or replicate weights - when a
        Survey's codebook names ``strata``, ``cluster`` or ``replicate_weights``: the
        result records them as ``design_roles``). Missing answers: listwise uses the
        weights of the complete rows; ``"mean"`` replaces a missing answer by the
        weighted mean of the item's answers; pairwise uses weighted pairwise
        moments. A respondent with weight 0
        is counted in ``n`` (sampling weights) and gets a score, but contributes
        nothing to any estimate. Weights must be finite and not negative (an error
        names the row). The result records ``weighted``, ``sum_weights`` and Kish's
        effective sample size ``n_eff = (sum w)² / sum w²``.
    sign:
        How each construct's orientation is chosen (a PLS construct is identified
        only up to its sign; :mod:`csi.pls.algorithm`):

        * ``"loadings"`` (default): most of its loadings positive (ties: the sign of
          the loading sum);
        * a dict construct -> anchor item, e.g. ``{"Complaints": "CMP1"}``: the
          anchor's loading positive (constructs not named: ``"loadings"``);
        * ``"seminr"``: no sign rule; the orientation the iterations reach from unit
          starting weights (roughly: the loadings' sum positive), as seminr.

        The bootstrap follows the same rule (:mod:`csi.pls.batched`). Paths, loadings
        and weights of a flipped construct change sign; R², the index and all fit
        and quality measures do not.
    interaction:
        How interaction terms of the model (``Satisfaction ~ Image + Expectation +
        Image:Expectation``; :attr:`csi.ModelSpec.interactions`) are built:
        ``"two_stage"`` (default, as seminr and SmartPLS), ``"product_indicator"``
        or ``"orthogonal"`` (:mod:`csi.pls.interaction`). Such a model is fitted
        from a DataFrame or a Survey (its public data), listwise, unweighted and
        without ``consistent``; the result is a
        :class:`csi.pls.interaction.InteractionResult` whose bootstrap re-runs every
        stage on each resample. Not used by a model without interaction terms.
    higher_order, higher_order_approach:
        For a model with higher-order constructs (a ``=~`` or ``<~`` statement whose
        right-hand names are constructs, e.g. ``Quality =~ Product + Service``):
        ``"two_stage"`` (default) or ``"repeated_indicators"``, and for two-stage
        its stage one, ``"embedded"`` (default) or ``"disjoint"`` (seminr's
        convention); see :func:`csi.pls.higher_order.fit_higher_order`. Not used by a
        model without them.

    Returns
    -------
    PLSResult
    """
    if isinstance(spec, str) and _has_higher_order(spec):
        check_choice(higher_order, HOC_METHODS, name="higher_order")
        check_choice(higher_order_approach, HOC_APPROACHES, name="higher_order_approach")
        return fit_higher_order(
            data,
            spec,
            method=higher_order,
            approach=higher_order_approach,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            consistent=consistent,
            scale=scale,
            missing=missing,
            weights=weights,
            weight_kind=weight_kind,
            sign=sign,
        )
    spec = _spec_from_text(spec) if isinstance(spec, str) else as_spec(spec)
    check_choice(interaction, _METHODS, name="interaction")
    if spec.interactions:
        if isinstance(data, Survey):
            if weights is None and data.weight is not None:
                raise CsiInputError(
                    f"the codebook weights respondents by {data.weight!r}, but a model with "
                    f"interaction terms ({', '.join(spec.interactions)}) is fitted "
                    "unweighted: pass weights=False to fit it without the weights"
                )
            if missing is None and data.missing not in ("keep", "listwise"):
                missing = data.missing
            if scale is None:
                scale = _codebook_scale(data.codebook, spec.items)
            data = data.public_data(all_respondents=True)
            weights = None
        refused = [
            (consistent, "consistent=True"),
            (missing not in (None, "listwise"), f"missing={missing!r}"),
            (weights is not None and weights is not False, "weights="),
            (weight_kind is not None, "weight_kind="),
            (client is not None, "client="),
        ]
        for bad, option in refused:
            if bad:
                raise CsiInputError(
                    f"{option} is not available for a model with interaction terms "
                    f"({', '.join(spec.interactions)}); leave it out"
                )
        if not isinstance(data, pd.DataFrame):
            raise CsiInputError(
                "a model with interaction terms is fitted from the respondents' answers: a "
                f"pandas DataFrame or a csi.Survey (got {type(data).__name__})"
            )
        return fit_interaction(
            data,
            spec,
            method=interaction,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            scale=scale,
            sign=sign,
        )
    return fit_single(
        data,
        spec,
        scheme=scheme,
        tol=tol,
        max_iter=max_iter,
        consistent=consistent,
        scale=scale,
        missing=missing,
        client=client,
        progress=progress,
        weights=weights,
        weight_kind=weight_kind,
        sign=sign,
    )
