"""``fit_sem``: covariance-based SEM with semopy as the optimiser and lavaan's numbers.

Pipeline: model text -> :mod:`csi.sem.syntax` (lavaan defaults, safe aliases) ->
semopy ``Model`` per group (a few steps of semopy's SLSQP from the moments: three for
ML, ten otherwise; SLSQP to its own convergence if what follows fails) -> Fisher
scoring (Newton steps with ML) to full precision and across-group constraints
(:mod:`csi.sem.engine`) -> standard errors from the expected
information -> fit indices, parameter table, R², effects and diagnostics computed by csi
(:mod:`csi.sem.fitindices`, :mod:`csi.sem.estimates`). The data checks and group
moments are in :mod:`csi.sem.fit_checks`, the estimation and the assembly of the result
in :mod:`csi.sem.fit_estimation`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from csi._checks import CsiInputError, check_choice, check_frame, check_level
from csi.i18n import check_lang
from csi.moments import Moments
from csi.moments_dask import is_dask_frame, moments_from_dask
from csi.sem.fiml import fit_fiml
from csi.sem.fiml_groups import fit_fiml_groups
from csi.sem.fit_checks import _apply_reliability, _group_data, _resolve_weights
from csi.sem.fit_estimation import FitState, _fit_moments
from csi.sem.groups import check_group_equal
from csi.sem.ordinal import fit_ordinal
from csi.sem.result import SEMResult
from csi.sem.syntax import SemModel, build_model, split_statements
from csi.spec import ModelSpec
from csi.survey import Survey

__all__ = ["ESTIMATORS", "FitState", "fit_sem"]

ESTIMATORS = ("ML", "GLS", "ULS", "MLM", "MLR", "DWLS", "WLSMV")
#: Estimators for ordinal items (``ordered=``; :mod:`csi.sem.ordinal`).
ORDINAL_ESTIMATORS = ("DWLS", "WLSMV")


def _check_means(sm: SemModel, weighted: bool) -> None:
    """Refuse the ``~ 1`` statements a fit would not honour (never a different model)."""
    special = [v for v in sm.intercepts if v in sm.latents] + [v for v, _ in sm.fixed_means]
    if not special:
        return
    v = special[0]
    value = dict(sm.fixed_means).get(v)
    token = f"{v} ~ 1" if value is None else f"{v} ~ {value:g}*1"
    if weighted:
        raise CsiInputError(
            f"statement '{token}': latent means and fixed intercepts are not available with weights"
        )


def fit_sem(
    data: pd.DataFrame | Moments | Survey,
    model: ModelSpec | str,
    *,
    estimator: str = "ML",
    missing: str = "listwise",
    group: str | None = None,
    group_equal: Sequence[str] = (),
    ordered: Sequence[str] | bool | None = None,
    single_item_reliability: float | Mapping[str, float] | None = None,
    level: float = 0.95,
    lang: str = "en",
    max_iter: int = 200,
    client: Any = None,
    weights: Any = None,
    weight_kind: str | None = None,
    std_lv: bool = False,
    group_partial: Sequence[str] = (),
    fixed_x: bool | None = None,
) -> SEMResult:
    """Fit a covariance-based structural equation model.

    Parameters
    ----------
    data:
        Respondents x items DataFrame, a :class:`csi.survey.Survey` (every respondent
        read, before its missing-data policy; choose ``missing`` here: listwise or
        FIML), :class:`csi.moments.Moments` (sufficient
        statistics; ML, GLS and ULS only), or a Dask DataFrame (reduced to its
        moments in one pass by :func:`csi.scaleout.moments_from_dask`, listwise;
        ``client`` is the optional ``dask.distributed.Client`` to compute on).
    model:
        A :class:`csi.ModelSpec` or lavaan text (``=~``, ``~``, ``~~``, ``1*x``, ``a*x``,
        ``NA*x`` on a marker, ``y1 + y2 ~ x``, ``start(0.5)*x``, ``c(a1, a2)*x``,
        ``y ~ 1``, ``F ~ 1`` (a latent mean), ``x1 ~ 0*1`` (a fixed intercept),
        ``ab := a*b`` with a delta-method row, ``a == b`` / ``a > 0`` linear
        constraints), read with lavaan's ``sem()`` defaults;
        anything else is an error naming the token (see the lavaan-options page).
    estimator:
        ``"ML"`` (default), ``"GLS"``, ``"ULS"``, ``"MLM"`` (ML with Satorra-Bentler scaled
        chi-square and robust standard errors), ``"MLR"`` (ML with Huber-White sandwich
        standard errors from the observed information and the Yuan-Bentler scaled
        chi-square, lavaan's ``"yuan.bentler.mplus"``; also with ``missing="fiml"``) or
        ``"DWLS"`` / ``"WLSMV"`` (ordinal items, polychoric correlations; see ``ordered``:
        DWLS with lavaan's standard errors and test, WLSMV with robust standard errors
        and the mean-and-variance adjusted test and indices, as lavaan). MLM and MLR
        add the scaled and robust fit indices (``chisq_scaled``, ``scaling_factor``,
        ``cfi_robust``, ``tli_robust``, ``rmsea_robust`` with its interval, ...).
    missing:
        ``"listwise"`` (default; excluded respondents are counted in ``n_excluded`` and
        reported in ``diagnostics``), ``"pairwise"`` (ordinal items only: each threshold
        from the item's answers, each polychoric correlation from the pairs answered, as
        lavaan) or ``"fiml"`` (full-information ML, estimator ML or
        MLR, also with ``group``/``group_equal`` and observed covariates held at their
        EM moments (``fixed.x``); standard errors from the
        observed information as lavaan; lavaan's ``"ml"`` and ``"direct"`` are accepted
        as aliases).
    group, group_equal:
        Column defining groups for a multi-group fit, and the parameters held equal
        across groups (lavaan's ``group.equal``: ``loadings``, ``intercepts``, ``means``,
        ``residuals``, ``residual_covariances``, ``lv_variances``, ``lv_covariances``,
        ``regressions``). Labels (``a*x``) are shared by all groups; ``c(a1, a2)*x``
        gives each group its own label, value or ``NA`` (free).
    group_partial:
        lavaan's ``group.partial``: parameters freed from ``group_equal``, as
        ``"visual=~x2"``, ``"x1~~x1"`` or ``"x3~1"`` (an intercept). ML, MLM and MLR on
        complete data.
    ordered:
        Items to treat as ordinal (``True`` = all; the items not named are continuous,
        single group); requires ``estimator="DWLS"`` or ``"WLSMV"``, and those estimators
        require it (lavaan's continuous DWLS is not offered). Multi-group ordinal fits take
        ``group_equal`` (thresholds, loadings, ...; :mod:`csi.sem.ordinal_groups`).
    single_item_reliability:
        For constructs with a single item: ``None`` (default) fixes the item's error
        variance to 0, so the construct equals the item (lavaan's ``auto.fix.single``);
        a reliability ``r`` (one value, or item -> value) fixes it to ``(1 - r) var(item)``.
    level:
        Confidence level of the parameter intervals (default 0.95).
    lang:
        ``"en"`` or ``"zh"`` for diagnostics and the summary.
    weights, weight_kind:
        Survey weights: a column name or one weight per row; a Survey uses its
        codebook's ``weight`` (and ``weight_kind``) by default, ``weights=False`` fits
        unweighted (for a DataFrame ``None`` is unweighted). ``"sampling"`` (default)
        weights follow lavaan's ``sampling.weights`` (:mod:`csi.sem.weights`; estimator
        ML only): weighted moments, pseudo-ML estimates, robust (sandwich) standard
        errors from the observed information, the Yuan-Bentler scaled chi-square and
        robust CFI, TLI and RMSEA. ``"frequency"`` weights (whole numbers; ML, MLM, GLS,
        ULS) give exactly the fit of the repeated rows. ``missing="fiml"``, ordered
        items, Moments and Dask input are not available with weights.

    std_lv:
        lavaan's ``std.lv``: identify each latent by fixing its variance (residual
        variance for an endogenous one) to 1 instead of its first loading. Single-group
        fits and multi-group fits without ``group_equal``.
    fixed_x:
        lavaan's ``fixed.x`` for observed exogenous variables (regressors that are
        nobody's outcome): ``None`` (default) as lavaan, True for ML, MLM and MLR (their
        (co)variances held at the sample values, not estimated), False for GLS and ULS.
        ``fixed_x=False`` with ML (single group, complete data) estimates them as free
        parameters (in ``npar``; the log-likelihood is then unconditional; the baseline
        keeps their covariances, as lavaan). ``True`` is refused for GLS and ULS. With
        MLM the moments among them leave the Satorra-Bentler ``Gamma``, which is that of
        the items net of their regression on the covariates (lavaan's convention).

    Notes
    -----
    ML follows lavaan's defaults: ``S`` with divisor N, ``chisq = N F_ML``, standard
    errors from the expected information. Reference: Rosseel (2012), lavaan, *J. Stat.
    Softw.* 48(2); Bollen (1989), *Structural Equations with Latent Variables*.
    """
    if isinstance(data, Survey):
        if weights is None:
            weights = data.weight
        if weight_kind is None:
            weight_kind = data.codebook.weight_kind
        # every respondent read, without id, personal or free-text columns
        data = data.public_data(all_respondents=True)
    row_weights, weight_kind = _resolve_weights(data, weights, weight_kind, estimator, missing)
    estimator = str(check_choice(str(estimator).upper(), ESTIMATORS, name="estimator"))
    missing = str(
        check_choice(missing, ("listwise", "fiml", "ml", "direct", "pairwise"), name="missing")
    )
    if missing in ("ml", "direct"):  # lavaan's names for full-information ML
        missing = "fiml"
    check_lang(lang)
    level = check_level(level)
    group_equal = check_group_equal(group_equal)
    if group_equal and group is None:
        raise CsiInputError("group_equal needs a group column (group=...)")
    std_lv = bool(std_lv)
    group_partial = tuple(str(v) for v in group_partial)
    if group_partial and not group_equal:
        raise CsiInputError("group_partial frees parameters from group_equal; give group_equal")
    if std_lv and group_equal:
        # lavaan then frees the latent variances of the later groups; csi does not
        raise CsiInputError("std_lv=True is not available with group_equal")
    if std_lv and estimator in ORDINAL_ESTIMATORS:
        raise CsiInputError(f"std_lv=True is not available with estimator={estimator!r}")
    if missing == "pairwise" and estimator not in ORDINAL_ESTIMATORS:
        raise CsiInputError(
            "missing='pairwise' is available for ordinal items (estimator 'DWLS' or "
            "'WLSMV') only; use 'listwise' or 'fiml'"
        )
    if is_dask_frame(data):
        # a Dask table is reduced to the moments of the model's items in one pass
        table: Any = data
        observed = build_model(
            model, columns={str(c) for c in table.columns}, std_lv=std_lv
        ).observed
        data = moments_from_dask(table, list(observed), client=client)
    if isinstance(data, Moments):
        if estimator not in ("ML", "GLS", "ULS"):
            raise CsiInputError(
                f"estimator {estimator!r} needs the raw responses; sufficient statistics "
                "(Moments) support ML, GLS and ULS"
            )
        if missing != "listwise" or group is not None or ordered:
            raise CsiInputError(
                "Moments input supports neither missing='fiml', group= nor ordered=; "
                "pass the DataFrame"
            )
    if ordered and estimator not in ORDINAL_ESTIMATORS:
        raise CsiInputError("ordered items need estimator='DWLS' or 'WLSMV'")
    if estimator in ORDINAL_ESTIMATORS:
        if not ordered:
            raise CsiInputError(
                f"estimator={estimator!r} is for ordinal items: name them with ordered= "
                "(True for all items); csi does not offer lavaan's continuous DWLS"
            )
        if isinstance(model, str) and any(split_statements(model)[1:]):
            raise CsiInputError(
                "defined parameters (:=) and constraints (==, <, >) are not available "
                f"with estimator={estimator!r}"
            )
        if group_partial or (isinstance(model, str) and re.search(r"\bc\(", model)):
            raise CsiInputError(
                f"c(...) modifiers and group_partial are not available with estimator={estimator!r}"
            )
        return fit_ordinal(
            data,
            model,
            ordered=ordered,
            group=group,
            group_equal=group_equal,
            level=level,
            lang=lang,
            max_iter=max_iter,
            estimator=estimator,
            missing=missing,
        )
    if missing == "fiml" and estimator not in ("ML", "MLR"):
        raise CsiInputError("missing='fiml' needs estimator='ML' or 'MLR'")

    columns = set(data.items) if isinstance(data, Moments) else None
    if not isinstance(data, Moments):
        check_frame(data)
        columns = {str(c) for c in data.columns}
    # lavaan's fixed.x default: TRUE for ML, MLM and MLR, FALSE for GLS and ULS
    if fixed_x is None:
        fixed_x = estimator not in ("GLS", "ULS")
    elif not isinstance(fixed_x, bool):
        raise CsiInputError(f"fixed_x must be True, False or None, got {fixed_x!r}")
    elif fixed_x and estimator in ("GLS", "ULS"):
        raise CsiInputError(f"fixed_x=True is not available with estimator={estimator!r}")
    elif not fixed_x and (estimator != "ML" or missing != "listwise" or group is not None):
        # checked against lavaan for single-group ML on complete data only
        raise CsiInputError(
            "fixed_x=False is available with estimator='ML', missing='listwise' and one "
            "group; leave it out for lavaan's default"
        )
    sm = build_model(model, columns=columns, std_lv=std_lv, fixed_x=fixed_x)
    _check_means(sm, row_weights is not None)
    if sm.intercepts and group is None and missing != "fiml":
        if row_weights is not None or isinstance(data, Moments):
            raise CsiInputError(
                f"intercepts ('{sm.intercepts[0]} ~ 1') in a single-group fit are available "
                "on a DataFrame without weights"
            )
    per_group = sm.n_per_group() is not None
    if (per_group or group_partial) and missing == "fiml":
        raise CsiInputError(
            "c(...) modifiers and group_partial are not available with missing='fiml'"
        )
    if per_group and group is None:
        raise CsiInputError("c(...) modifiers give one value per group; set group=")
    if sm.constraints and (missing == "fiml" or estimator != "ML" or row_weights is not None):
        # lavaan 0.6.14 leaves a == 2*b + c unmet with GLS (tests/reference/lavaan_parity)
        raise CsiInputError(
            f"constraint {sm.constraints[0].text!r}: constraints (==, <, >) are available "
            "with estimator 'ML' on complete data without weights"
        )
    if row_weights is not None and isinstance(weights, str) and weights in sm.observed:
        raise CsiInputError(f"weight column {weights!r} is also an item of the model")
    groups, n_excluded = _group_data(data, sm, group, missing, row_weights, weight_kind)
    if single_item_reliability is not None:
        sm = _apply_reliability(
            model, sm, groups, columns, single_item_reliability, std_lv, fixed_x
        )
    if missing == "fiml" and group is not None:
        return fit_fiml_groups(
            sm,
            groups,
            n_excluded,
            group_equal=group_equal,
            level=level,
            lang=lang,
            max_iter=max_iter,
            estimator=estimator,
        )
    if missing == "fiml":
        return fit_fiml(
            sm,
            groups[0],
            n_excluded,
            level=level,
            lang=lang,
            max_iter=max_iter,
            estimator=estimator,
        )
    return _fit_moments(
        sm,
        groups,
        n_excluded,
        estimator=estimator,
        group_equal=group_equal,
        multigroup=group is not None,
        group_partial=group_partial,
        level=level,
        lang=lang,
        max_iter=max_iter,
        weight_kind=weight_kind if row_weights is not None else None,
    )
