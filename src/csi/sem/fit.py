"""``fit_sem``: covariance-based SEM with semopy as the optimiser and lavaan's numbers.

Pipeline: model text -> :mod:`csi.sem.syntax` (lavaan defaults, safe aliases) ->
semopy ``Model`` per group (ten steps of semopy's SLSQP from the moments; SLSQP to its
own convergence if what follows fails) -> Fisher scoring to full precision and
across-group constraints (:mod:`csi.sem.engine`) -> standard errors from the expected
information -> fit indices, parameter table, R², effects and diagnostics computed by csi
(:mod:`csi.sem.fitindices`, :mod:`csi.sem.estimates`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from csi import diagnostics as dg
from csi._checks import CsiInputError, check_choice, check_columns, check_frame, check_numeric
from csi.moments import WEIGHT_KINDS, Moments, check_weights
from csi.scaleout import is_dask_frame, moments_from_dask
from csi.sem.effects import effects_table
from csi.sem.engine import Engine, GroupMap, GroupStats
from csi.sem.estimates import ESTIMATE_COLUMNS, parameter_table, r_squared, variances
from csi.sem.fitindices import fit_indices, gls_baseline_chisq, uls_baseline_chisq
from csi.sem.groups import build_maps, check_group_equal, start_values
from csi.sem.result import SEMResult
from csi.sem.structure import Structure
from csi.sem.syntax import SemModel, build_model
from csi.spec import ModelSpec
from csi.survey import Survey

_log = logging.getLogger(__name__)

ESTIMATORS = ("ML", "GLS", "ULS", "MLM", "DWLS")
_SEMOPY_OBJ = {"ML": "MLW", "MLM": "MLW", "GLS": "GLS", "ULS": "ULS"}
#: SLSQP iterations of semopy before Fisher scoring takes over, and the Fisher scoring
#: iterations allowed from there before falling back to a fully converged SLSQP start.
_QUICK_SLSQP, _QUICK_FISHER = 10, 100


@dataclass
class _GroupData:
    label: Any
    n: float  # respondents (frequency weights: their sum; sampling, groups: sum of weights)
    cov: np.ndarray  # divisor n, in the model's observed order (sm.observed)
    mean: np.ndarray
    raw: np.ndarray | None  # complete rows (listwise) or all rows (fiml)
    #: survey weights of the rows of ``raw`` as used (sampling: rescaled to sum to the
    #: total N over all groups; frequency: as given), None when unweighted
    w: np.ndarray | None = None


@dataclass
class FitState:
    """What a result keeps for later computations (modification indices)."""

    sm: SemModel
    engine: Engine
    theta: np.ndarray
    estimator: str
    groups: list[_GroupData]
    weight_kind: str | None = None


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
        ``NA*x`` on a marker, ``y1 + y2 ~ x``), read with lavaan's ``sem()`` defaults;
        anything else is an error naming the token (see the lavaan-options page).
    estimator:
        ``"ML"`` (default), ``"GLS"``, ``"ULS"``, ``"MLM"`` (ML with Satorra-Bentler scaled
        chi-square and robust standard errors) or ``"DWLS"`` (ordinal items, polychoric
        correlations; see ``ordered``).
    missing:
        ``"listwise"`` (default; excluded respondents are counted in ``n_excluded`` and
        reported in ``diagnostics``) or ``"fiml"`` (full-information ML, estimator ML;
        lavaan's ``"ml"`` and ``"direct"`` are accepted as aliases).
    group, group_equal:
        Column defining groups for a multi-group fit, and the parameters held equal
        across groups (lavaan's ``group.equal``: ``loadings``, ``intercepts``, ``means``,
        ``residuals``, ``residual_covariances``, ``lv_variances``, ``lv_covariances``,
        ``regressions``). Labels (``a*x``) are shared by all groups.
    ordered:
        Items to treat as ordinal (``True`` = all); requires ``estimator="DWLS"``.
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
    missing = str(check_choice(missing, ("listwise", "fiml", "ml", "direct"), name="missing"))
    if missing in ("ml", "direct"):  # lavaan's names for full-information ML
        missing = "fiml"
    check_choice(lang, ("en", "zh"), name="lang")
    if not 0 < level < 1:
        raise CsiInputError(f"level must be between 0 and 1, got {level!r}")
    group_equal = check_group_equal(group_equal)
    if group_equal and group is None:
        raise CsiInputError("group_equal needs a group column (group=...)")
    std_lv = bool(std_lv)
    if std_lv and group_equal:
        # lavaan then frees the latent variances of the later groups; csi does not
        raise CsiInputError("std_lv=True is not available with group_equal")
    if std_lv and estimator.upper() == "DWLS":
        raise CsiInputError("std_lv=True is not available with estimator='DWLS'")
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
    if group is not None and estimator in ("GLS", "ULS"):
        raise CsiInputError("multi-group fits support estimator 'ML' and 'MLM'")
    if ordered and estimator != "DWLS":
        raise CsiInputError("ordered items need estimator='DWLS'")
    if estimator == "DWLS":
        from csi.sem.ordinal import fit_ordinal

        return fit_ordinal(
            data, model, ordered=ordered, group=group, level=level, lang=lang, max_iter=max_iter
        )
    if missing == "fiml" and estimator != "ML":
        raise CsiInputError("missing='fiml' needs estimator='ML'")
    if missing == "fiml" and group is not None:
        raise CsiInputError("missing='fiml' is available for single-group fits only")

    columns = set(data.items) if isinstance(data, Moments) else None
    if not isinstance(data, Moments):
        check_frame(data)
        columns = {str(c) for c in data.columns}
    # lavaan's fixed.x default: TRUE for ML and MLM, FALSE for GLS and ULS
    fixed_x = estimator not in ("GLS", "ULS")
    sm = build_model(model, columns=columns, std_lv=std_lv, fixed_x=fixed_x)
    if row_weights is not None and isinstance(weights, str) and weights in sm.observed:
        raise CsiInputError(f"weight column {weights!r} is also an item of the model")
    groups, n_excluded = _group_data(data, sm, group, missing, row_weights, weight_kind)
    if single_item_reliability is not None:
        sm = _apply_reliability(
            model, sm, groups, columns, single_item_reliability, std_lv, fixed_x
        )
    if missing == "fiml":
        from csi.sem.fiml import fit_fiml

        return fit_fiml(sm, groups[0], n_excluded, level=level, lang=lang, max_iter=max_iter)
    return _fit_moments(
        sm,
        groups,
        n_excluded,
        estimator=estimator,
        group_equal=group_equal,
        multigroup=group is not None,
        level=level,
        lang=lang,
        max_iter=max_iter,
        weight_kind=weight_kind if row_weights is not None else None,
    )


# ------------------------------------------------------------------ data
def _resolve_weights(
    data: Any, weights: Any, weight_kind: str | None, estimator: str, missing: str
) -> tuple[np.ndarray | None, str]:
    """Checked survey weights per row (None: unweighted) and their kind."""
    kind = "sampling" if weight_kind is None else str(weight_kind)
    check_choice(kind, WEIGHT_KINDS, name="weight_kind")
    if weights is None or weights is False:
        if isinstance(data, Moments) and data.weighted:
            raise CsiInputError(
                f"fit_sem does not use weighted Moments ({data.weight_kind} weights); "
                "pass the DataFrame with weights="
            )
        return None, kind
    if weights is True:
        raise CsiInputError(
            "weights=True: give the weight column's name or one weight per row "
            "(a Survey uses its codebook's weight column by default)"
        )
    if isinstance(data, Moments) or is_dask_frame(data):
        raise CsiInputError("weights= needs the responses as a pandas DataFrame or a Survey")
    est = str(estimator).upper()
    if kind == "sampling" and est == "MLM":
        # lavaan 0.6.14 combines the weighted estimates with an unweighted Gamma here,
        # which ignores the design; csi does not reproduce that
        raise CsiInputError(
            "estimator 'MLM' is not available with sampling weights (lavaan's MLM uses "
            "unweighted fourth moments there); use estimator='ML', which gives robust "
            "sandwich standard errors and the Yuan-Bentler scaled chi-square with the weights"
        )
    allowed = ("ML",) if kind == "sampling" else ("ML", "MLM", "GLS", "ULS")
    if est not in allowed:
        raise CsiInputError(
            f"estimator {est!r} is not available with {kind} weights (available: "
            f"{', '.join(allowed)}); use weights=False for an unweighted fit"
        )
    if missing != "listwise":
        raise CsiInputError(
            f"missing={missing!r} is not available with survey weights; use "
            "missing='listwise' or weights=False"
        )
    check_frame(data)
    return check_weights(weights, data, weight_kind=kind), kind


def _group_data(
    data: pd.DataFrame | Moments,
    sm: SemModel,
    group: str | None,
    missing: str,
    weights: np.ndarray | None = None,
    weight_kind: str | None = None,
) -> tuple[list[_GroupData], int]:
    items = list(sm.observed)
    if isinstance(data, Moments):
        n = int(data.n)
        cov = data.cov.loc[items, items].to_numpy(dtype=float) * (n - 1) / n
        mean = data.means[items].to_numpy(dtype=float)
        _check_cov(cov, items, "the covariance matrix in the Moments")
        return [_GroupData(None, n, cov, mean, None)], int(data.n_excluded)
    cols = items + ([group] if group is not None else [])
    check_columns(data, cols, what="item")
    check_numeric(data, items)
    block = data[items]
    if not all(pd.api.types.is_numeric_dtype(block[c]) for c in items):
        block = block.apply(pd.to_numeric, errors="coerce")
    x = block.to_numpy(dtype=float)
    bad = np.isinf(x)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise CsiInputError(
            f"item {items[c]!r} has a non-finite answer {x[r, c]!r} at row {data.index[r]!r}"
        )
    complete = ~np.isnan(x).any(axis=1)
    if group is None:
        labels: list[Any] = [None]
        member = [np.ones(len(x), dtype=bool)]
        n_excluded = 0
    else:
        gcol = data[group]
        has_group = gcol.notna().to_numpy()
        labels = list(pd.unique(gcol[has_group]))  # order of appearance, as lavaan
        if len(labels) < 2:
            raise CsiInputError(f"group column {group!r} has fewer than 2 groups: {labels}")
        gv = gcol.to_numpy()
        member = [has_group & (gv == lab) for lab in labels]
        n_excluded = int((~has_group).sum())
    selections = []
    for mem in member:
        keep = mem & complete if missing == "listwise" else mem
        if missing == "listwise":
            n_excluded += int((mem & ~complete).sum())
        if weights is not None and weight_kind == "frequency":
            keep = keep & (weights > 0)  # a count of 0: no respondent
        selections.append(keep)
    w_used = None
    if weights is not None:
        w_used = weights.copy()
        if weight_kind == "sampling":
            # lavaan's sampling.weights.normalization = "total": the weights of the rows
            # used sum to their number N (over all groups)
            used = np.logical_or.reduce(selections)
            total = float(w_used[used].sum())
            if not total > 0:
                raise CsiInputError("every respondent with complete answers has weight 0")
            w_used = w_used * (int(used.sum()) / total)
    out = []
    for lab, keep in zip(labels, selections, strict=True):
        n_group: float | None = None
        rows = x if keep.all() else x[keep]  # read-only from here: no copy needed
        wg = None if w_used is None else w_used[keep]
        if missing == "fiml":
            empty = np.isnan(rows).all(axis=1)
            n_excluded += int(empty.sum())
            rows = rows[~empty]
        n = len(rows)
        where = "" if lab is None else f" in group {lab!r}"
        if wg is not None and weight_kind == "frequency":
            n = round(float(wg.sum()))
        if n < 2:
            raise CsiInputError(f"only {n} respondent(s) with complete answers{where}")
        if missing == "fiml":
            mean = np.nanmean(rows, axis=0)
            cov = pd.DataFrame(rows).cov().to_numpy() * (n - 1) / n
            cov = _near_pd(cov)
        elif wg is not None:
            # weighted moments, divisor the sum of the weights (lavaan: cov.wt "ML")
            total_w = float(wg.sum())
            if not total_w > 0:
                raise CsiInputError(f"every respondent{where} has weight 0")
            mean = (wg @ rows) / total_w
            centred = rows - mean
            cov = (centred * wg[:, None]).T @ centred / total_w
            _check_cov(cov, items, f"the items{where} (weighted)")
            if weight_kind == "sampling" and group is not None:
                # lavaan: a group counts with the sum of its (rescaled) weights
                n_group = total_w
        else:
            mean = rows.mean(axis=0)
            centred = rows - mean
            cov = centred.T @ centred / n
            _check_cov(cov, items, f"the items{where}")
        out.append(_GroupData(lab, n if n_group is None else n_group, cov, mean, rows, wg))
    return out, n_excluded


def _near_pd(cov: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(cov)
    if w.min() > 1e-8 * max(w.max(), 1.0):
        return cov
    w = np.maximum(w, 1e-6 * max(w.max(), 1.0))
    return (v * w) @ v.T


def _check_cov(cov: np.ndarray, items: list[str], what: str) -> None:
    var = np.diag(cov)
    const = [items[k] for k in np.flatnonzero(~(var > 0))]
    if const:
        raise CsiInputError(f"item(s) {const} have no variance in {what}")
    smallest = float(np.linalg.eigvalsh(cov).min())
    if smallest <= 1e-12 * float(var.max()):
        raise CsiInputError(
            f"the covariance matrix of {what} is not positive definite (smallest "
            f"eigenvalue {smallest:.3g}): some item is a linear combination of others, "
            "or there are fewer respondents than items"
        )


def _apply_reliability(
    model: ModelSpec | str,
    sm: SemModel,
    groups: list[_GroupData],
    columns: set[str] | None,
    reliability: float | Mapping[str, float],
    std_lv: bool = False,
    fixed_x: bool = True,
) -> SemModel:
    items = list(sm.observed)
    single = [sm.indicators(lat)[0] for lat in sm.single_item_latents()]
    rel = (
        dict(reliability)
        if isinstance(reliability, Mapping)
        else dict.fromkeys(single, float(reliability))
    )
    errors = {}
    for item, r in rel.items():
        if item not in single:
            raise CsiInputError(f"single_item_reliability: {item!r} is not a single-item construct")
        if not 0 < r <= 1:
            raise CsiInputError(f"single_item_reliability of {item!r} must be in (0, 1], got {r}")
        n = sum(g.n for g in groups)
        var = sum(g.n * g.cov[items.index(item), items.index(item)] for g in groups) / n
        errors[item] = (1.0 - r) * var
    return build_model(
        model, columns=columns, single_item_error=errors, std_lv=std_lv, fixed_x=fixed_x
    )


# -------------------------------------------------------------- estimation
def _fit_moments(
    sm: SemModel,
    groups: list[_GroupData],
    n_excluded: int,
    *,
    estimator: str,
    group_equal: Sequence[str],
    multigroup: bool,
    level: float,
    lang: str,
    max_iter: int,
    weight_kind: str | None = None,
) -> SEMResult:
    structs = [Structure(sm) for _ in groups]
    if weight_kind == "sampling" and structs[0].n_fixed_x:
        raise CsiInputError(
            "sampling weights with exogenous observed variables (fixed.x) are not "
            f"available: {', '.join(structs[0].fixed_x_vars)}; model them as constructs "
            "or use weights=False"
        )
    if estimator in ("GLS", "ULS"):
        # lavaan's sample covariance for GLS and ULS has the divisor N - 1
        groups = [dc_replace(g, cov=g.cov * (g.n / (g.n - 1.0))) for g in groups]
    perm = [list(sm.observed).index(v) for v in structs[0].obs]
    stats_ = [GroupStats(g.n, g.cov[np.ix_(perm, perm)], g.mean[perm]) for g in groups]
    core = "ML" if estimator == "MLM" else estimator
    maps, names = build_maps(structs, meanstructure=multigroup, group_equal=group_equal)
    n_par = len(names)
    engine = Engine(structs, stats_, maps, n_par, meanstructure=multigroup)
    engine.require_pd = core == "ML"

    def solve(slsqp_iter: int | None, fisher_iter: int) -> tuple[np.ndarray, bool, int, bool]:
        group_x = []
        ok_all = True
        for st, gs in zip(structs, stats_, strict=True):
            n_g = round(gs.n)  # semopy's starting values only (a sum of weights in groups)
            x, ok = st.semopy_fit(gs.cov, n_g, _SEMOPY_OBJ[estimator], maxiter=slsqp_iter)
            if not np.all(np.isfinite(x)):
                x = st.prepare(gs.cov, n_g)
            group_x.append(x)
            ok_all &= ok
        theta0 = start_values(structs, maps, n_par, group_x, [s.mean for s in stats_])
        return (*engine.fisher_scoring(theta0, core, max_iter=fisher_iter), ok_all)

    # a few SLSQP steps bring semopy's starting values near the solution and Fisher
    # scoring finishes; should that fail, semopy's SLSQP runs to its own convergence first
    theta, converged, iters, ok_all = solve(_QUICK_SLSQP, min(max_iter, _QUICK_FISHER))
    if not converged:
        theta, converged, iters, ok_all = solve(None, max_iter)
    if not converged and ok_all and not multigroup:
        _log.info("Fisher scoring did not converge; keeping semopy's solution")
    diags: list[dg.Diagnostic] = []
    n_total = engine.n_total
    # lavaan: GLS and ULS statistics use N - 1 (with S of divisor N - 1), ML uses N
    n_stat = n_total - 1.0 if core in ("GLS", "ULS") else float(n_total)
    # covariance matrix of the estimates: (n_stat H / 2)^-1 with H the expected Hessian
    # of F; for ULS that is lavaan's "standard" (Delta' Delta)^-1 / (N - 1)
    _, hess = engine.gradient_information(theta, core)
    vcov, singular = _invert_information(hess * n_stat / 2.0)
    if singular:
        diags += dg.not_identified(
            ", ".join(names[k] for k in singular[:5]) or dg.SOME_PARAMETER, lang=lang
        )
    robust: dict[str, float] = {}
    if estimator == "MLM":
        from csi.sem.robust import satorra_bentler

        raw = [g.raw[:, perm] for g in groups if g.raw is not None]
        row_w = [g.w for g in groups if g.w is not None] if weight_kind else None
        vcov, robust = satorra_bentler(engine, theta, raw, row_w, weight_kind)
    elif weight_kind == "sampling":
        vcov, robust = _sampling_robust(engine, theta, groups, perm, structs[0].p, multigroup)
    # fit
    f = engine.objective(theta, core)
    chisq = n_stat * f
    p = structs[0].p
    moments_per_group = p * (p + 1) // 2 + (p if multigroup else 0)
    df = len(groups) * moments_per_group - n_par - sum(st.n_fixed_x for st in structs)
    sigmas, mus = [], []
    for g in range(len(groups)):
        s = engine.state(theta, g, derivatives=False)
        sigmas.append(s.sigma)
        mus.append(s.mu)
    fixed_idx = [structs[0].obs.index(v) for v in structs[0].fixed_x_vars]
    # lavaan's baseline keeps the exogenous observed block at S_xx, fixed.x or not
    exo_idx = [structs[0].obs.index(v) for v in sm.exogenous_observed()]
    covs, ns_stat = [s.cov for s in stats_], [n_stat * s.n / n_total for s in stats_]
    if core == "GLS":
        baseline: float | None = gls_baseline_chisq(covs, ns_stat, exo_idx)
    elif core == "ULS":
        baseline = uls_baseline_chisq(covs, ns_stat, exo_idx)
    else:
        baseline = _baseline_fixed_x(structs, stats_)
    fit = fit_indices(
        chisq=chisq,
        df=df,
        npar=n_par,
        covs=covs,
        sigmas=sigmas,
        ns=[s.n for s in stats_],
        means=[s.mean for s in stats_] if multigroup else None,
        mus=mus if multigroup else None,
        likelihood=core == "ML",
        baseline=baseline,
        fixed_x=len(exo_idx) * (len(exo_idx) + 1) // 2,
        estimator=core,
        n_test=n_stat,
        x_index=fixed_idx,
    )
    if robust:
        if "chisq_scaled" in robust and df > 0:
            robust["pvalue_scaled"] = float(stats.chi2.sf(robust["chisq_scaled"], df))
        fit = pd.concat([fit, pd.Series(robust, dtype=float)])
        fit.name = "value"
    state = FitState(sm, engine, theta, estimator, groups, weight_kind)
    return _assemble(
        state,
        structs,
        maps,
        theta,
        vcov,
        names,
        fit,
        diags,
        n_excluded=n_excluded,
        converged=converged,
        iterations=iters,
        multigroup=multigroup,
        level=level,
        lang=lang,
    )


def _sampling_robust(
    engine: Engine,
    theta: np.ndarray,
    groups: list[_GroupData],
    perm: list[int],
    p: int,
    multigroup: bool,
) -> tuple[np.ndarray, dict[str, float]]:
    """Sandwich covariance and Yuan-Bentler (Mplus) scaled fit with sampling weights."""
    from csi.sem.weights import baseline_trace, robust_fit, sandwich

    raw = [g.raw[:, perm] for g in groups if g.raw is not None]
    row_w = [g.w for g in groups if g.w is not None]
    vcov, tr0, tr1 = sandwich(engine, theta, raw, row_w)
    trb = baseline_trace(engine, raw, row_w)
    per_group = p * (p + 1) // 2 + (p if multigroup else 0)
    n_groups = len(groups)
    df = n_groups * per_group - engine.n_par
    b_df = n_groups * p * (p - 1) // 2
    b_chisq = sum(s.n * (float(np.sum(np.log(np.diag(s.cov)))) - s.logdet) for s in engine.stats)
    chisq = engine.n_total * engine.objective(theta, "ML")
    robust = robust_fit(
        chisq=chisq,
        df=df,
        baseline_chisq=b_chisq,
        baseline_df=b_df,
        trace_h0=tr0,
        trace_h1=tr1,
        trace_b=trb,
        n=engine.n_total,
        groups=n_groups,
        # lavaan divides by its free parameters before equality constraints
        npar=sum(_local_free(m) for m in engine.maps),
        moments=n_groups * per_group,
    )
    return vcov, robust


def _local_free(mp: GroupMap) -> int:
    """Free parameters of one group, each shared one counted in every place it appears."""
    extra = sum(int(np.sum(ix >= 0)) for ix in (mp.nu_idx, mp.alpha_idx) if ix is not None)
    return len(mp.cov_idx) + extra


def _baseline_fixed_x(structs: list[Structure], stats_: list[GroupStats]) -> float | None:
    """ML baseline when exogenous observed variables keep their sample covariances.

    lavaan's independence model with ``fixed.x``: the x block stays at ``S_xx``, every
    other variable is uncorrelated, ``chisq_b = sum_g n_g (log|S_xx| + sum log s_jj -
    log|S|)``; ``None`` (the plain independence model) without exogenous observed items.
    """
    if not structs[0].fixed_x_vars:
        return None
    total = 0.0
    for st, gs in zip(structs, stats_, strict=True):
        xs = [st.obs.index(v) for v in st.fixed_x_vars]
        rest = [k for k in range(st.p) if k not in xs]
        logdet_x = float(np.linalg.slogdet(gs.cov[np.ix_(xs, xs)])[1])
        total += gs.n * (logdet_x + float(np.sum(np.log(np.diag(gs.cov)[rest]))) - gs.logdet)
    return total


def _invert_information(info: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Inverse of the information matrix; indices of (near-)null directions if singular."""
    if info.size == 0:
        return info.copy(), []
    w, v = np.linalg.eigh((info + info.T) / 2)
    tol = max(w.max(), 1.0) * 1e-10
    if w.min() > tol:
        return linalg.inv(info), []
    null = v[:, w <= tol]
    involved = [int(k) for k in np.flatnonzero(np.abs(null).max(axis=1) > 1e-3)]
    return np.linalg.pinv(info), involved


def _assemble(
    state: FitState,
    structs: list[Structure],
    maps: list[GroupMap],
    theta: np.ndarray,
    vcov: np.ndarray,
    names: list[str],
    fit: pd.Series,
    diags: list[dg.Diagnostic],
    *,
    n_excluded: int,
    converged: bool,
    iterations: int,
    multigroup: bool,
    level: float,
    lang: str,
    estimator: str | None = None,
) -> SEMResult:
    """Parameter tables, R², effects, matrices and diagnostics of a fitted model."""
    groups = state.groups
    tables, r2s, effs, implied, resid = [], {}, [], {}, {}
    engine = state.engine
    for g, (st, mp) in enumerate(zip(structs, maps, strict=True)):
        x = theta[mp.cov_idx]
        v_loc = vcov[np.ix_(mp.cov_idx, mp.cov_idx)]
        tab = parameter_table(st, x, v_loc, level=level)
        if engine.meanstructure:
            tab = pd.concat([tab, _mean_rows(st, mp, theta, vcov, level)], ignore_index=True)
        eff = effects_table(st, x, v_loc, level=level)
        r2 = r_squared(st, x)
        s = engine.state(theta, g, derivatives=False)
        order = list(state.sm.observed)
        labels_ix = pd.Index(order)  # built once, shallow copies below
        perm = [st.obs.index(v) for v in order]
        sig = s.sigma[np.ix_(perm, perm)]
        implied[groups[g].label] = pd.DataFrame(sig, index=labels_ix, columns=labels_ix.copy())
        cov = groups[g].cov
        sd_s, sd_m = np.sqrt(np.diag(cov)), np.sqrt(np.diag(sig))
        rc = cov / np.outer(sd_s, sd_s) - sig / np.outer(sd_m, sd_m)
        resid[groups[g].label] = pd.DataFrame(rc, index=labels_ix.copy(), columns=labels_ix.copy())
        r2s[groups[g].label] = r2
        label = groups[g].label
        if multigroup:
            tab.insert(0, "group", label)
            eff.insert(0, "group", label)
        tables.append(tab)
        effs.append(eff)
        diags += _improper(st, x, tab, r2, label if multigroup else None, lang)
    diags = dg.collect(
        dg.not_converged(converged, iterations=iterations, lang=lang),
        diags,
        dg.respondents_excluded(n_excluded, lang=lang),
    )
    estimates = pd.concat(tables, ignore_index=True)
    effects = pd.concat(effs, ignore_index=True)
    names_ix = pd.Index(names)
    vc = pd.DataFrame(vcov, index=names_ix, columns=names_ix.copy())
    if multigroup:
        r2_out: pd.Series | pd.DataFrame = pd.DataFrame(r2s)
        implied_out: Any = implied
        resid_out: Any = resid
        labels: tuple[Any, ...] | None = tuple(g.label for g in groups)
    else:
        r2_out = r2s[None]
        implied_out, resid_out, labels = implied[None], resid[None], None
    return SEMResult(
        estimates=estimates,
        fit_indices=fit,
        r2=r2_out,
        effects=effects,
        implied_cov=implied_out,
        residual_corr=resid_out,
        diagnostics=diags,
        n=engine.n_total,
        n_excluded=n_excluded,
        estimator=estimator or state.estimator,
        converged=converged,
        iterations=iterations,
        groups=labels,
        vcov=vc,
        lang=lang,
        weight_kind=state.weight_kind,
        _state=state,
    )


def _mean_rows(
    st: Structure, mp: GroupMap, theta: np.ndarray, vcov: np.ndarray, level: float
) -> pd.DataFrame:
    """Intercept (``item ~1``) and latent-mean (``construct ~1``) rows."""
    zq = stats.norm.ppf(0.5 + level / 2)
    rows = []
    assert mp.nu_idx is not None and mp.alpha_idx is not None
    entries = [(v, int(i)) for v, i in zip(st.obs, mp.nu_idx, strict=True)]
    entries += [(st.inner[k], int(i)) for k, i in zip(st.latent_idx, mp.alpha_idx, strict=True)]
    total, _ = variances(st, theta[mp.cov_idx])
    latents = set(st.sm.latents)
    for var, idx in entries:
        if idx >= 0:
            est = float(theta[idx])
            se = float(np.sqrt(max(vcov[idx, idx], 0.0)))
            z = est / se if se > 0 else np.nan
            p = float(2 * stats.norm.sf(abs(z))) if se > 0 else np.nan
        else:
            est, se, z, p = 0.0, 0.0, np.nan, np.nan
        sd = np.sqrt(total[var]) if total.get(var, 0) > 0 else np.nan
        std_all = est / sd
        std_lv = std_all if var in latents else est
        rows.append(
            (var, "~1", "", None, est, se, z, p, est - zq * se, est + zq * se, std_lv, std_all)
        )
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)


def _improper(
    st: Structure,
    x: np.ndarray,
    tab: pd.DataFrame,
    r2: pd.Series,
    group: Any,
    lang: str,
) -> list[dg.Diagnostic]:
    """Improper estimates of one group (``group``: its label in a multi-group fit)."""

    def where(name: str) -> str | dg.Phrase:
        return dg.in_group(name, group)

    # plain arrays: element-wise comparisons of pandas string columns are slow
    lhs, op, rhs = (tab[c].to_numpy(dtype=object) for c in ("lhs", "op", "rhs"))
    est, std_all = tab["estimate"].to_numpy(dtype=float), tab["std_all"].to_numpy(dtype=float)
    negative = dg.negative_variances(
        {
            where(str(lhs[k])): float(est[k])
            for k in range(len(tab))
            if op[k] == "~~" and lhs[k] == rhs[k]
        },
        lang=lang,
    )
    above = dg.standardized_loadings_above_one(
        {
            where(f"{lhs[k]} -> {rhs[k]}"): float(std_all[k])
            for k in range(len(tab))
            if op[k] == "=~"
        },
        lang=lang,
    )
    r2d = dg.r2_out_of_range({where(str(k)): v for k, v in r2.items()}, lang=lang)
    st.model.update_matrices(x)
    _sigma, _m, c = st.implied(x)
    psi = st.model.matrices[2]
    lat = st.latent_idx
    cov_lat = (c @ psi @ c.T)[np.ix_(lat, lat)]
    names = [st.inner[k] for k in lat]
    corr = {}
    sd = np.sqrt(np.clip(np.diag(cov_lat), 1e-300, None))
    for i in range(len(lat)):
        for j in range(i + 1, len(lat)):
            corr[where(f"{names[i]} ~~ {names[j]}")] = cov_lat[i, j] / (sd[i] * sd[j])
    pd_lat = (
        dg.not_positive_definite(
            cov_lat, name=dg.in_group(dg.LATENT_COVARIANCE_MATRIX, group), tol=-1e-10, lang=lang
        )
        if len(lat)
        else []
    )
    return [
        *negative,
        *above,
        *r2d,
        *dg.correlations_above_one(corr, lang=lang),
        *pd_lat,
    ]
