"""PLS estimation of higher-order constructs: :func:`fit_higher_order`.

Write the hierarchy in the model text, e.g. perceived quality made of product and
service quality (the dimensions)::

    Product =~ pq1 + pq2 + pq3
    Service =~ sq1 + sq2 + sq3
    Quality =~ Product + Service      # reflective higher-order block (<~: formative)
    Satisfaction ~ Quality

Methods (Becker, Klein & Wetzels 2012, *Long Range Planning* 45(5-6), 359-394;
Sarstedt, Hair, Cheah, Becker & Ringle 2019, *Australasian Marketing Journal*
27(3), 197-211):

* ``method="repeated_indicators"``: one PLS fit in which the HOC is measured by all
  items of its dimensions (repeated under the names ``item@HOC``, in a copy of the
  data) with paths HOC -> dimension (``=~``) or dimension -> HOC (``<~``). Its
  tables report the HOC's items under their original names.
* ``method="two_stage"``: stage one estimates the dimensions' scores; stage two
  fits the model in which each HOC is measured by those scores (columns named
  after the dimensions) and the dimensions are no constructs. Stage one is the
  repeated-indicators model (``approach="embedded"``) or the model without the
  HOCs, each path into or out of a HOC going into or out of each of its
  dimensions (``approach="disjoint"``, as seminr's ``two_stage``).

The index per level (:class:`HigherOrderResult`): with ``scale=`` the dimensions'
scores enter stage two as their 0-100 respondent scores, so the HOC's index is on
the 0-100 scale of the original items (formula in :func:`csi.pls.index.hoc_index`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_frame
from csi.moments import Moments
from csi.moments_dask import is_dask_frame
from csi.pls import index as _ix
from csi.pls.fit_single import _codebook_scale, _design_roles
from csi.pls.fit_single import fit_single as fit_pls
from csi.pls.higher_order_spec import (
    REPEAT_MARK,
    HigherOrder,
    HigherOrderModel,
    check_columns_free,
    has_higher_order,
    parse_higher_order,
)
from csi.pls.result import PLSResult
from csi.spec import ModelSpec
from csi.survey import Survey

__all__ = [
    "APPROACHES",
    "METHODS",
    "HigherOrderResult",
    "fit_higher_order",
    "has_higher_order",
]

#: Estimation methods of :func:`fit_higher_order`.
METHODS = ("two_stage", "repeated_indicators")
#: Stage one of the two-stage method.
APPROACHES = ("embedded", "disjoint")


@dataclass(frozen=True, repr=False, eq=False)
class HigherOrderResult(PLSResult):
    """A :class:`PLSResult` of a model with higher-order constructs.

    For ``method="two_stage"`` the fields of :class:`PLSResult` are those of stage
    two (the HOC measured by its dimensions' scores) and :attr:`stage_one` is the
    stage-one fit (the dimensions measured by their items). For
    ``"repeated_indicators"`` they are those of the one fit, and
    :attr:`repeated` maps the repeated item names (``pq1@Quality``) to the
    original ones, used in ``outer_weights``, ``loadings`` and the IPMA tables.

    The index methods (:meth:`index`, :meth:`impacts`, :meth:`ipma`) give every
    level: the HOCs and the other constructs, and each dimension (see
    :func:`csi.pls.index.hoc_index`). A two-stage result's index uses the scale
    given to :func:`fit_higher_order`.
    """

    higher_order: tuple[HigherOrder, ...] = ()
    method: str = "two_stage"
    approach: str | None = None
    stage_one: PLSResult | None = field(default=None, repr=False)
    repeated: Mapping[str, str] = field(default_factory=dict, repr=False)
    item_scale: Any = None
    original_items: tuple[str, ...] = ()

    @property
    def dimensions(self) -> tuple[str, ...]:
        """All dimensions (lower-order constructs of a HOC), HOC by HOC."""
        return tuple(d for h in self.higher_order for d in h.dimensions)

    def _dimension_owner(self) -> dict[str, HigherOrder]:
        return {d: h for h in self.higher_order for d in h.dimensions}

    # ---------------------------------------------------------------- tables
    def _original(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        if not self.repeated:
            return frame
        out = frame.copy()
        out[column] = [self.repeated.get(v, v) for v in out[column]]
        return out

    @cached_property
    def outer_weights(self) -> pd.DataFrame:
        """``construct, indicator, estimate`` (repeated items under their own names)."""
        return self._original(super().outer_weights, "indicator")

    @cached_property
    def loadings(self) -> pd.DataFrame:
        """``construct, indicator, estimate`` (repeated items under their own names)."""
        return self._original(super().loadings, "indicator")

    def rescaled_weights(self, scale: Any = None) -> pd.DataFrame:
        """``construct, indicator, weight``: the index weights (repeated items under
        their own names; two-stage: the HOC's weights on its dimensions)."""
        return self._original(super().rescaled_weights(scale), "indicator")

    # ----------------------------------------------------------------- index
    def _scale(self, scale: Any) -> tuple[np.ndarray, np.ndarray]:
        if self.stage_one is not None:
            if (
                scale is not None
                and _ix.normalise_scale(scale, self.original_items) != self.item_scale
            ):
                raise CsiInputError(
                    "the index of a two-stage higher-order model uses the scale given to "
                    "fit_higher_order (the dimensions' 0-100 scores enter stage two); refit "
                    "with that scale= instead of passing another one here"
                )
            if self.scale is None:
                raise CsiInputError(
                    "the index of a two-stage higher-order model needs the items' scale end "
                    "points at fit time: pass scale=(lo, hi) to fit_higher_order"
                )
            return super()._scale(None)
        if scale is not None and self.repeated:
            originals = tuple(self.repeated.get(i, i) for i in self.layout.items)
            norm = _ix.normalise_scale(scale, tuple(dict.fromkeys(originals)))
            expanded = (
                {i: norm[o] for i, o in zip(self.layout.items, originals, strict=True)}
                if isinstance(norm, dict)
                else norm
            )
            return _ix.scale_arrays(expanded, self.layout.items)
        return super()._scale(scale)

    def index(self, scale: Any = None) -> pd.Series:
        """The 0-100 index per construct, the dimensions of a two-stage fit included.

        A dimension's index is the mean of its respondents' 0-100 scores from stage
        one; a HOC's is :func:`csi.pls.index.hoc_index` of them.
        """
        base = super().index(scale)
        if self.stage_one is None:
            return base
        one = self.stage_one
        _, _, idx1, slopes1, _ = one._index_parts(None, warn=False)
        where = {name: k for k, name in enumerate(self.layout.items)}
        values: dict[str, float] = {}
        for h in self.higher_order:
            cols = [one.layout.constructs.index(d) for d in h.dimensions]
            w = self.arrays.weights[[where[d] for d in h.dimensions]]
            base[h.name] = _ix.hoc_index(idx1[cols], w, slopes1[cols])[0]
            values.update({d: float(idx1[c]) for d, c in zip(h.dimensions, cols, strict=True)})
        dims = pd.Series(values, name="index")
        dims.index.name = "construct"
        return pd.concat([base, dims])

    def dimension_weights(self, scale: Any = None) -> pd.DataFrame:
        """``construct, dimension, weight, rescaled_weight``: each HOC's stage-two outer
        weight ``w_k`` and index weight ``u_k`` on its dimensions (two-stage only)."""
        if self.stage_one is None:
            raise CsiInputError("dimension weights exist for two-stage fits only")
        u = self._index_parts(scale)[0]
        where = {name: k for k, name in enumerate(self.layout.items)}
        rows = [
            (h.name, d, float(self.arrays.weights[where[d]]), float(u[where[d]]))
            for h in self.higher_order
            for d in h.dimensions
        ]
        return pd.DataFrame(rows, columns=["construct", "dimension", "weight", "rescaled_weight"])

    def index_by(self, segment: Any, scale: Any = None) -> pd.DataFrame:
        """The index per segment (:meth:`PLSResult.index_by`), with the dimensions of a
        two-stage fit (their segment means of the 0-100 scores of stage one)."""
        base = super().index_by(segment, scale)
        if self.stage_one is None:
            return base
        one = self.stage_one.index_by(segment)
        out = pd.concat(
            [base, one[one["construct"].isin(list(self.dimensions))]], ignore_index=True
        )
        out.attrs = dict(base.attrs)
        return out

    def compare_groups(self, group: Any, **options: Any) -> Any:
        """Not supported yet: each group would need its own stage one (raises)."""
        raise CsiInputError(
            "group comparison of a model with higher-order constructs is not supported yet "
            "(each group needs its own stage one); fit each group with fit_higher_order"
        )

    def __repr__(self) -> str:
        how = self.method if self.approach is None else f"{self.method}, {self.approach}"
        hocs = ", ".join(f"{h.name} <- {' + '.join(h.dimensions)}" for h in self.higher_order)
        return (
            f"HigherOrderResult({how}; {hocs}; n={self.n}, "
            f"constructs={len(self.layout.constructs)}, converged={self.converged})"
        )

    def impacts(self, points: float = 5, scale: Any = None) -> pd.DataFrame:
        """Impacts (:meth:`PLSResult.impacts`), with rows for each dimension of a two-stage
        fit: on its HOC ``total_effect = w_k``, ``total_effect_100 = u_k``; on each
        construct the HOC reaches, the HOC's effects times ``w_k`` and ``u_k``."""
        base = super().impacts(points, scale)
        if self.stage_one is None:
            return base
        dim = self.dimension_weights(scale)
        rows = []
        for hoc, d, w, u in dim.itertuples(index=False):
            rows.append((d, hoc, w, u))
            for r in base[base["source"] == hoc].itertuples(index=False):
                rows.append((d, r.target, w * r.total_effect, u * r.total_effect_100))
        extra = pd.DataFrame(rows, columns=["source", "target", "total_effect", "total_effect_100"])
        extra["impact"] = float(points) * extra["total_effect_100"]
        return pd.concat([base, extra], ignore_index=True)

    def ipma(self, target: str, scale: Any = None, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """Importance-performance map (:meth:`PLSResult.ipma`) for every level.

        Two-stage: a HOC driver's dimensions are rows of ``kind="dimension"``
        (importance ``u_k`` x the HOC's, performance the dimension's index), and the
        dimensions' items follow as ``kind="indicator"`` rows (importance
        ``u_i`` x their dimension's, performance their 0-100 mean, from stage one).
        Repeated indicators: items under their original names.
        """
        base = super().ipma(target, scale, exclude=exclude)
        if self.stage_one is None:
            return self._original(base, "name")
        owner = self._dimension_owner()
        is_dim = (base["kind"] == "indicator") & base["name"].isin(list(owner))
        base.loc[is_dim, "kind"] = "dimension"
        u1, means1, *_ = self.stage_one._index_parts(None, warn=False)
        lay = self.stage_one.layout
        rows = []
        for r in base[is_dim].itertuples(index=False):
            j = lay.constructs.index(r.name)
            for k in lay.block_items(j):
                rows.append(
                    (
                        "indicator",
                        lay.items[k],
                        r.name,
                        float(u1[k] * r.importance),
                        float(means1[k]),
                    )
                )
        if not rows:
            return base
        extra = pd.DataFrame(rows, columns=list(base.columns))
        return pd.concat([base, extra], ignore_index=True)


# ------------------------------------------------------------------ fitting
def fit_higher_order(
    data: pd.DataFrame | Survey | Any,
    model: str,
    *,
    method: str = "two_stage",
    approach: str = "embedded",
    **options: Any,
) -> HigherOrderResult:
    """Fit a PLS path model with higher-order constructs (two levels).

    Parameters
    ----------
    data:
        Respondents x items: a pandas DataFrame (never modified: the repeated items
        and the dimensions' scores are added to a copy), or a :class:`csi.Survey` (its
        public data, every respondent read; ``weights``, ``weight_kind``, ``missing``
        and ``scale`` default to its codebook and policy, as :func:`csi.fit_pls`).
    model:
        lavaan-like text; a ``=~`` / ``<~`` statement whose right-hand names are all
        constructs defines a reflective / formative higher-order construct
        (:func:`csi.pls.higher_order_spec.parse_higher_order`).
    method:
        ``"two_stage"`` (default) or ``"repeated_indicators"`` (see the module).
    approach:
        Stage one of ``"two_stage"``: ``"embedded"`` (default; the repeated-indicators
        model) or ``"disjoint"`` (the model without the HOCs; seminr's convention).
    options:
        Passed to :func:`csi.fit_pls` for every fit: ``scheme``, ``tol``,
        ``max_iter``, ``scale`` (of the original items), ``missing``
        (``"listwise"`` or ``"mean"``; two-stage cannot use ``"pairwise"``),
        ``weights``, ``weight_kind``, ``sign`` (a dict construct -> anchor: a HOC's
        anchor is one of its items - for the repeated block - or one of its dimensions -
        for stage two). ``consistent=True`` (PLSc) is refused.

    Returns
    -------
    HigherOrderResult
        Two-stage: its ``refit`` re-runs both stages, so :meth:`PLSResult.bootstrap`
        re-estimates stage one in every resample (:mod:`csi.pls.refit_bootstrap`).
    """
    roles = None
    if isinstance(data, Moments) or is_dask_frame(data):
        raise CsiInputError(
            "higher-order constructs need the respondents' rows (stage one scores them, "
            "or the items are repeated): moments or a Dask table are not enough; pass a "
            "pandas DataFrame or a csi.Survey"
        )
    if isinstance(data, Survey):
        data, options, roles = _survey_frame(data, model, options)
    frame = check_frame(data)
    check_choice(method, METHODS, name="method")
    check_choice(approach, APPROACHES, name="approach")
    hm = parse_higher_order(model)
    for key in ("spec", "client", "progress"):
        if key in options:
            raise CsiInputError(f"fit_higher_order does not take {key}=")
    if options.get("consistent"):
        raise CsiInputError(
            "consistent=True: consistent PLS of higher-order constructs (van Riel, Henseler, "
            "Kemény & Sasovova 2017) is not implemented; fit with consistent=False"
        )
    scale = options.pop("scale", None)
    norm = _ix.normalise_scale(scale, hm.items)
    if method == "repeated_indicators":
        result = _fit_repeated(frame, hm, norm, options)
    else:
        if options.get("missing") == "pairwise":
            raise CsiInputError(
                "missing='pairwise' gives no scores to respondents with a missing answer, "
                "so stage two would lose them: use 'listwise' or 'mean' for two-stage"
            )
        result = _fit_two_stage(frame, hm, approach, norm, options)
    if roles is not None and result.weighted:
        result = replace(result, design_roles=roles)
    return _with_refit(result, model, method, approach, scale, options)


def _survey_frame(
    survey: Survey, model: str, options: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any] | None]:
    """A Survey as :func:`csi.fit_pls` reads it: its public data (every respondent
    read) and, unless given, its weight column, weight kind, missing-data policy and
    codebook scale; plus its design columns (strata, clusters, replicate weights)."""
    opts = dict(options)
    if opts.get("weights") is None:
        opts["weights"] = survey.weight
    if opts.get("weight_kind") is None:
        opts["weight_kind"] = survey.codebook.weight_kind
    if opts.get("missing") is None:
        opts["missing"] = "listwise" if survey.missing == "keep" else survey.missing
    items = parse_higher_order(model).items
    if opts.get("scale") is None:
        opts["scale"] = _codebook_scale(survey.codebook, items)
    frame = survey.public_data(all_respondents=True)
    hidden = [i for i in items if i not in frame.columns]
    if hidden:
        raise CsiInputError(
            f"item(s) {hidden} are not in the survey's public data (id, personal or "
            "free-text columns cannot be model items)"
        )
    return frame, opts, _design_roles(survey, opts["weights"])


def _with_refit(
    result: HigherOrderResult,
    model: str,
    method: str,
    approach: str,
    scale: Any,
    options: dict[str, Any],
) -> HigherOrderResult:
    """Two-stage: set ``refit`` so that the bootstrap re-runs both stages per resample.

    Repeated indicators is one fit (its repeated columns are in ``source_data``): the
    standard bootstrap resamples it correctly and ``refit`` stays ``None``.
    """
    if method != "two_stage":
        return result
    again = functools.partial(
        _refit_two_stage,
        model=model,
        approach=approach,
        scale=scale,
        added=tuple(d for h in result.higher_order for d in h.dimensions),
        options=dict(options),
    )
    return replace(result, refit=again)


def _refit_two_stage(
    frame: pd.DataFrame,
    *,
    model: str,
    approach: str,
    scale: Any,
    added: tuple[str, ...],
    options: dict[str, Any],
) -> HigherOrderResult:
    """Both stages on ``frame`` (rows of a result's ``source_data``: its dimension-score
    columns, added by the first fit, are dropped first)."""
    present = [c for c in added if c in frame.columns]
    return fit_higher_order(
        frame.drop(columns=present),
        model,
        method="two_stage",
        approach=approach,
        scale=scale,
        **options,
    )


def _split_sign(options: dict[str, Any], spec: ModelSpec, hm: HigherOrderModel) -> dict[str, Any]:
    """The sign anchors (construct -> item) that apply to ``spec``.

    A HOC anchored on an original item uses its repeated copy (``pq1@Quality``); a
    HOC anchored on a dimension applies to stage two only (the dimension's scores
    are its items there); constructs absent from ``spec`` are left out.
    """
    sign = options.get("sign")
    if not isinstance(sign, Mapping):
        return options
    hocs = {h.name: h for h in hm.hocs}
    kept: dict[str, str] = {}
    for construct, anchor in sign.items():
        if construct not in spec.indicators:
            continue
        block = spec.indicators[construct]
        repeated = f"{anchor}{REPEAT_MARK}{construct}"
        if anchor not in block and repeated in block:
            kept[construct] = repeated
        elif construct in hocs and anchor in hocs[construct].dimensions and anchor not in block:
            continue
        else:
            kept[construct] = anchor
    return {**options, "sign": kept}


def _expanded_scale(norm: Any, hm: HigherOrderModel) -> Any:
    if not isinstance(norm, dict):
        return norm
    out = dict(norm)
    out.update({rep: norm[item] for rep, item in hm.repeated_items().items()})
    return out


def _with_repeated(frame: pd.DataFrame, hm: HigherOrderModel) -> pd.DataFrame:
    repeated = hm.repeated_items()
    check_columns_free(frame.columns, list(repeated))
    missing = [i for i in hm.items if i not in frame.columns]
    if missing:
        raise CsiInputError(f"item(s) missing from data: {missing}")
    return frame.assign(**{rep: frame[item] for rep, item in repeated.items()})


def _build(base: PLSResult, hm: HigherOrderModel, **extra: Any) -> HigherOrderResult:
    values = {f.name: getattr(base, f.name) for f in fields(PLSResult)}
    return HigherOrderResult(**values, higher_order=hm.hocs, original_items=hm.items, **extra)


def _fit_repeated(
    frame: pd.DataFrame, hm: HigherOrderModel, norm: Any, options: dict[str, Any]
) -> HigherOrderResult:
    spec = hm.repeated_spec()
    fitted = fit_pls(
        _with_repeated(frame, hm),
        spec,
        scale=_expanded_scale(norm, hm),
        **_split_sign(options, spec, hm),
    )
    return _build(
        fitted,
        hm,
        method="repeated_indicators",
        repeated=hm.repeated_items(),
        item_scale=norm,
    )


def _fit_two_stage(
    frame: pd.DataFrame, hm: HigherOrderModel, approach: str, norm: Any, options: dict[str, Any]
) -> HigherOrderResult:
    dims = list(hm.dimensions)
    check_columns_free(frame.columns, dims)
    if approach == "embedded":
        spec1 = hm.repeated_spec()
        frame1 = _with_repeated(frame, hm)
        scale1 = _expanded_scale(norm, hm)
    else:
        spec1 = hm.disjoint_spec()
        frame1 = frame
        scale1 = norm
    stage1 = fit_pls(frame1, spec1, scale=scale1, **_split_sign(options, spec1, hm))
    if stage1.score_array is None or stage1.row_positions is None:  # pragma: no cover
        raise CsiInputError("stage one gave no construct scores")
    cols = [stage1.layout.constructs.index(d) for d in dims]
    scores = stage1.score_array[:, cols]
    if norm is not None:  # 0-100 scores: index + slope x standardised score
        _, _, idx1, slopes1, _ = stage1._index_parts(None, warn=False)
        scores = idx1[cols] + scores * slopes1[cols]
        scores = _within_0_100(scores, dims, stage1)
    full = np.full((len(frame), len(dims)), np.nan)
    full[stage1.row_positions] = scores
    frame2 = frame.assign(**{d: full[:, k] for k, d in enumerate(dims)})
    spec2 = hm.stage_two_spec()
    scale2 = None
    if norm is not None:
        per_item = norm if isinstance(norm, dict) else dict.fromkeys(hm.items, norm)
        scale2 = {i: per_item[i] for i in spec2.items if i in per_item}
        scale2.update(dict.fromkeys(dims, (0.0, 100.0)))
    stage2 = fit_pls(frame2, spec2, scale=scale2, **_split_sign(options, spec2, hm))
    return _build(
        stage2,
        hm,
        method="two_stage",
        approach=approach,
        stage_one=stage1,
        item_scale=norm,
    )


def _within_0_100(scores: np.ndarray, dims: list[str], stage1: PLSResult) -> np.ndarray:
    """Dimension scores on 0-100, those within 1e-9 of an end put on it; raise for a
    score beyond (possible only with a negative rescaled weight)."""
    scores = np.where(np.abs(scores) <= 1e-9, 0.0, scores)
    scores = np.where(np.abs(scores - 100.0) <= 1e-9, 100.0, scores)
    outside = np.flatnonzero(((scores < 0) | (scores > 100)).any(axis=0))
    if outside.size:
        dim = dims[int(outside[0])]
        u = stage1.rescaled_weights()
        negative = u[(u["construct"] == dim) & (u["weight"] < 0)]["indicator"].tolist()
        raise CsiInputError(
            f"dimension {dim!r} has 0-100 scores outside [0, 100]: its rescaled weight(s) "
            f"for {negative} are negative, so it is no weighted mean of its items and "
            "cannot be an item of its HOC's index; fit without scale= (no index), or "
            "revise the dimension's items"
        )
    return scores
