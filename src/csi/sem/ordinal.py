"""DWLS and WLSMV for ordinal items, as lavaan 0.6.14 (``ordered=``).

Sample statistics: thresholds and polychoric correlations with Muthen's casewise-score
``Gamma`` (:mod:`csi.sem.polychoric`; with continuous items also means, variances,
polyserial and plain covariances, :mod:`csi.sem.ordinal_mixed`). The model reproduces
them with ``Sigma* = Lambda C Psi C' Lambda' + Theta`` whose diagonal is 1 for the
ordinal items (lavaan's "delta" parameterization): their error variances are not free
but ``theta_jj = 1 - (Lambda C Psi C' Lambda')_jj`` (no SE, as lavaan). Thresholds (and
the continuous items' intercepts) are saturated, so they equal the sample values and only
the correlations (and the continuous items' variances) enter the fit function::

    F_DWLS = sum_k (s_k - sigma_k(theta))^2 / gamma_kk,   gamma = N / (N - 1) Gamma

(Muthen, du Toit & Spisic 1997), ``chisq = N F_DWLS``. ``estimator="DWLS"``: standard
errors ``(Delta' W Delta)^-1 / N`` and the plain test (lavaan's ``estimator = "DWLS"``);
``"WLSMV"``: the same estimates, robust covariance ``A^-1 Delta' W gamma W Delta A^-1 / N``
(``A = Delta' W Delta``) and the mean-and-variance adjusted test with scaled and robust
indices (:mod:`csi.sem.ordinal_fitmeasures`). A single-item construct keeps its item's
error variance at 0 and gets a derived (residual) variance instead, so the construct is
the item's latent response on the unit scale. Several groups: :mod:`csi.sem.ordinal_groups`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from csi import diagnostics as dg
from csi._checks import CsiInputError, check_columns, check_frame
from csi.sem.assemble import FitRun, GroupPieces, assemble_result
from csi.sem.effects import effects_table
from csi.sem.estimates import ESTIMATE_COLUMNS, parameter_table, r_squared
from csi.sem.ordinal_fitmeasures import ordinal_fit_measures
from csi.sem.ordinal_groups import fit_ordinal_groups
from csi.sem.ordinal_mixed import mixed_stats
from csi.sem.polychoric import OrdinalStats, near_pd_correlation, ordinal_stats
from csi.sem.result import SEMResult
from csi.sem.structure import PSI, THETA, Structure, readable_names
from csi.sem.syntax import build_model
from csi.spec import ModelSpec


def fit_ordinal(
    data: Any,
    model: ModelSpec | str,
    *,
    ordered: Sequence[str] | bool | None,
    group: str | None,
    level: float,
    lang: str,
    max_iter: int,
    estimator: str = "DWLS",
    missing: str = "listwise",
    group_equal: Sequence[str] | None = None,
) -> SEMResult:
    """DWLS or WLSMV fit of ``model`` with every item ordinal (see module docstring).

    ``estimator="DWLS"`` gives lavaan's DWLS (standard errors from ``(Delta' W Delta)^-1``,
    the plain test), ``"WLSMV"`` the same estimates with robust standard errors and the
    mean-and-variance adjusted test. ``missing="listwise"`` drops every respondent with
    an unanswered item (counted in ``n_excluded``), ``"pairwise"`` uses every answer:
    each threshold from the respondents who answered the item, each polychoric
    correlation from those who answered both (lavaan's ``missing = "pairwise"``).
    ``group`` fits each group's statistics (:mod:`csi.sem.ordinal_groups`; ``group_equal``
    may hold ``"thresholds"``, ``"loadings"``, ...).
    """
    estimator = str(estimator).upper()
    if estimator not in ("DWLS", "WLSMV"):
        raise CsiInputError(f"ordinal items need estimator 'DWLS' or 'WLSMV', got {estimator!r}")
    if missing in ("fiml", "ml", "direct"):
        raise CsiInputError(
            f"missing={missing!r} is not available with ordinal items (lavaan refuses it "
            "for DWLS and WLSMV too); use missing='pairwise' or missing='listwise'"
        )
    if missing not in ("listwise", "pairwise"):
        raise CsiInputError(
            f"missing must be 'listwise' or 'pairwise' with ordinal items, got {missing!r}"
        )
    check_frame(data)
    sm = build_model(model, columns={str(c) for c in data.columns})
    items = list(sm.observed)
    continuous: list[str] = []
    if ordered is not None and ordered is not True:
        listed = [str(v) for v in ordered]  # type: ignore[union-attr]
        check_columns(data, listed, what="ordered item")
        continuous = [v for v in items if v not in listed]
        if len(continuous) == len(items):
            raise CsiInputError("ordered= names none of the model's items")
    check_columns(data, items, what="item")
    fixed_means = dict(sm.fixed_means)
    for v in sm.intercepts:  # continuous items' intercepts are free already
        if v not in continuous or v in fixed_means:
            token = f"{v} ~ 1" if v not in fixed_means else f"{v} ~ {fixed_means[v]:g}*1"
            raise CsiInputError(
                f"statement '{token}': latent means, intercepts of ordinal items and fixed "
                "intercepts are not available with ordered items (thresholds carry the "
                "item means; multi-group fits free the latent means of groups 2..G)"
            )
    if continuous and (group is not None or missing == "pairwise"):
        raise CsiInputError(
            f"continuous items {continuous} (not in ordered=) with ordinal ones are available "
            "for single-group fits with missing='listwise' only"
        )
    if group is not None:
        check_columns(data, [group], what="group column")
        if group in items:
            raise CsiInputError(f"group column {group!r} is also an item of the model")
    block = data[items]
    answered = block.notna().to_numpy()
    keep = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    if group is not None:
        keep &= data[group].notna().to_numpy()
    n_excluded = int((~keep).sum())
    codes = np.full((int(keep.sum()), len(items)), -1, dtype=int)
    numeric = np.zeros(codes.shape)
    for j, item in enumerate(items):
        col = block[item][keep]
        if item in continuous:
            num = pd.to_numeric(col, errors="coerce")
            if num.isna().any():
                row = col.index[int(np.argmax(num.isna().to_numpy()))]
                raise CsiInputError(f"item {item!r} has a non-numeric answer at row {row!r}")
            numeric[:, j] = num.to_numpy(dtype=float)
            continue
        seen = col.notna().to_numpy()
        values = pd.to_numeric(col, errors="coerce")
        bad = values.isna().to_numpy() & seen
        if bad.any():
            row = col.index[int(np.argmax(bad))]
            raise CsiInputError(f"ordinal item {item!r} has a non-numeric answer at row {row!r}")
        vals = values.to_numpy(dtype=float)[seen]
        levels, inverse = np.unique(vals, return_inverse=True)
        if len(levels) < 2:
            raise CsiInputError(f"ordinal item {item!r} has a single answer category")
        if len(levels) > 20:
            raise CsiInputError(
                f"item {item!r} has {len(levels)} distinct answers; treat it as continuous"
            )
        if not np.allclose(levels, np.round(levels)):
            raise CsiInputError(f"ordinal item {item!r} has non-integer answers")
        codes[seen, j] = inverse.ravel()
    if group is not None:
        if group_equal is None:  # a caller that cannot pass constraints on
            raise CsiInputError(
                "multi-group ordinal fits need group_equal= passed on (use () for none); "
                "call csi.sem.ordinal.fit_ordinal(..., group=..., group_equal=...)"
            )
        return _fit_groups(
            data[group][keep],
            codes,
            sm,
            items,
            group_equal,
            n_excluded,
            estimator=estimator,
            level=level,
            lang=lang,
            max_iter=max_iter,
        )
    if group_equal:
        raise CsiInputError("group_equal needs a group column (group=...)")
    if continuous:
        is_ord = np.array([v not in continuous for v in items])
        numeric[:, is_ord] = codes[:, is_ord]
        st_ = mixed_stats(numeric, is_ord)
    else:
        st_ = ordinal_stats(codes)
    st = Structure(sm)
    perm = [items.index(v) for v in st.obs]
    return _dwls(
        sm,
        st,
        st_,
        perm,
        n_excluded,
        estimator=estimator,
        level=level,
        lang=lang,
        max_iter=max_iter,
    )


def _fit_groups(
    gcol: pd.Series,
    codes: np.ndarray,
    sm: Any,
    items: list[str],
    group_equal: Sequence[str],
    n_excluded: int,
    **kw: Any,
) -> SEMResult:

    labels = list(pd.unique(gcol))  # order of appearance, as lavaan
    if len(labels) < 2:
        raise CsiInputError(f"group column {gcol.name!r} has fewer than 2 groups: {labels}")
    per_group = []
    for label in labels:
        part = codes[(gcol == label).to_numpy()]
        for j, item in enumerate(items):
            k = int(codes[:, j].max()) + 1
            empty = sorted(set(range(k)) - set(part[:, j][part[:, j] >= 0].tolist()))
            if empty:
                raise CsiInputError(
                    f"ordinal item {item!r} has no answer in category {empty[0] + 1} (of "
                    f"{k}) in group {label!r}; merge categories before a multi-group fit"
                )
        per_group.append(ordinal_stats(part))
    return fit_ordinal_groups(sm, per_group, labels, tuple(group_equal), n_excluded, **kw)


def _dwls(
    sm: Any,
    st: Structure,
    os_: OrdinalStats,
    perm: list[int],
    n_excluded: int,
    *,
    estimator: str,
    level: float,
    lang: str,
    max_iter: int,
) -> SEMResult:
    n, p = os_.n, st.p
    corr = os_.corr[np.ix_(perm, perm)]
    # fitted moments: every pair (i < j in structure order), then the variances of the
    # continuous items; each mapped to its row in Gamma
    where = {(lab[1], lab[2]): k for k, lab in enumerate(os_.labels) if lab[0] == "rho"}
    var_row = {lab[1]: k for k, lab in enumerate(os_.labels) if lab[0] == "var"}
    cont = [a for a in range(p) if perm[a] in var_row]
    iu, ju = np.triu_indices(p, 1)
    idx = []
    for a, b in zip(iu, ju, strict=True):
        oa, ob = perm[a], perm[b]
        idx.append(where[(min(oa, ob), max(oa, ob))])
    idx += [var_row[perm[a]] for a in cont]
    rows, cols = np.r_[iu, cont].astype(int), np.r_[ju, cont].astype(int)
    idx_arr = np.array(idx, dtype=int)
    gamma = os_.gamma[np.ix_(idx_arr, idx_arr)]
    w = (n - 1) / n / np.diag(gamma)  # lavaan: Gamma rescaled by N / (N - 1)
    r = corr[rows, cols]
    # Derived parameters keep the unit diagonal of Sigma*: the error variance of each item
    # of a multi-item construct, and the (residual) variance of each single-item construct
    # (its item's error variance stays fixed at 0, so construct and item share one scale).
    derived = _derived(st, sm, {st.obs[a] for a in range(p) if a not in cont})
    dset = {k for k, _ in derived}
    keep = np.array([k for k in range(st.k) if k not in dset], dtype=int)
    x0, _ok = st.semopy_fit(near_pd_correlation(corr), n, "MLW")

    def full(xk: np.ndarray) -> np.ndarray:
        x = x0.copy()
        x[keep] = xk
        for k, j in derived:  # single-item construct variances first, then error variances
            sigma, _m, _c = st.implied(x)
            x[k] += 1.0 - sigma[j, j]
        return x

    def jac_full(x: np.ndarray, ds: np.ndarray) -> np.ndarray:
        """d x / d x_keep through the derived parameters (chain rule, in order)."""
        jf = np.zeros((st.k, len(keep)))
        jf[keep, np.arange(len(keep))] = 1.0
        for k, j in derived:
            others = [m_ for m_ in range(st.k) if m_ != k]
            jf[k] = -(ds[others, j, j] @ jf[others]) / ds[k, j, j]
        return jf

    def resid_jac(xk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = full(xk)
        sigma, m, c = st.implied(x)
        ds = st.dsigma(m, c)
        jf = jac_full(x, ds)
        return r - sigma[rows, cols], ds[:, rows, cols].T @ jf, jf

    xk = x0[keep].copy()
    res, jac, jf = resid_jac(xk)
    f = float(res @ (w * res))
    converged, it = False, 0
    while it < max_iter:
        it += 1
        a = jac.T @ (w[:, None] * jac)
        g = jac.T @ (w * res)
        step = _solve(a, g)
        t = 1.0
        while True:
            new = xk + t * step
            try:
                res_n, jac_n, jf_n = resid_jac(new)
                f_n = float(res_n @ (w * res_n))
            except np.linalg.LinAlgError:
                f_n = np.inf
            if np.isfinite(f_n) and f_n <= f + 1e-15:
                break
            t /= 2
            if t < 1e-8:
                break
        if t < 1e-8:
            converged = bool(np.max(np.abs(g)) < 1e-8)
            break
        size = float(np.max(np.abs(t * step) / np.maximum(1.0, np.abs(new))))
        xk, res, jac, jf, f = new, res_n, jac_n, jf_n, f_n
        if size < 1e-9:
            converged = True
            break
    x = full(xk)
    # covariance of the free parameters: robust (WLSMV) or (Delta' W Delta)^-1 / N (DWLS),
    # then of the derived ones by the delta method; the error variances of the items are
    # not parameters (they keep the unit diagonal), so lavaan gives them no SE
    a = jac.T @ (w[:, None] * jac)
    a_inv = np.linalg.pinv(a)
    if estimator == "WLSMV":
        gamma_c = gamma * n / (n - 1)
        b = jac.T @ (w[:, None] * gamma_c * w[None, :]) @ jac
        v_keep = a_inv @ b @ a_inv / n
    else:
        v_keep = a_inv / n
    vcov = jf @ v_keep @ jf.T
    for k, _row in derived:
        if _theta_diag(st, st.free_names[k]) is not None:
            vcov[k, :] = vcov[:, k] = 0.0
    sigma, _m, _c = st.implied(x)
    tab = parameter_table(st, x, vcov, level=level)
    tab = pd.concat([tab, _threshold_rows(os_, sm, level, sigma, st.obs)], ignore_index=True)
    r2 = r_squared(st, x)
    eff = effects_table(st, x, vcov, level=level)
    n_tau = sum(1 for lab in os_.labels if lab[0] in ("tau", "mean"))
    # npar counts the thresholds (and means) too, as lavaan; saturated, df is unaffected
    fit = ordinal_fit_measures(
        n=n,
        corr=corr,
        implied=sigma,
        gamma=gamma,
        delta=jac,
        npar=len(keep) + n_tau,
        robust=estimator == "WLSMV",
        continuous=cont,
        saturated=_saturated_weight(os_),
    )
    found = [
        *dg.negative_variances(
            {
                dg.Phrase(f"{v} (error)", f"{v}（误差）"): float(1 - r2.get(v, 0.0))
                for v in st.obs
                if v in r2
            },
            lang=lang,
        ),
        *dg.standardized_loadings_above_one(
            {
                f"{a_} -> {b_}": float(v)
                for a_, b_, v in zip(
                    tab[tab.op == "=~"].lhs,
                    tab[tab.op == "=~"].rhs,
                    tab[tab.op == "=~"].std_all,
                    strict=True,
                )
            },
            lang=lang,
        ),
    ]
    order = list(sm.observed)
    back = [st.obs.index(v) for v in order]
    implied = pd.DataFrame(sigma[np.ix_(back, back)], index=order, columns=order)
    sample = os_.corr
    resid = pd.DataFrame(sample - sigma[np.ix_(back, back)], index=order, columns=order)
    piece = GroupPieces(None, tab, eff, r2, implied, resid)
    return assemble_result(
        [piece],
        FitRun(converged, it, n_excluded, lang),
        fit=fit,
        vcov=vcov,
        names=readable_names([st], st.free_names),
        diagnostics=found,
        n=n,
        estimator=estimator,
        multigroup=False,
    )


def _saturated_weight(os_: OrdinalStats) -> tuple[float, int]:
    """``(sum_k s_k^2 w_k, count)`` over the saturated statistics (thresholds, means)."""
    total, count = 0.0, 0
    for k, lab in enumerate(os_.labels):
        if lab[0] == "tau":
            value = float(os_.thresholds[lab[1]][lab[2]])
        elif lab[0] == "mean":
            assert os_.means is not None
            value = float(os_.means[lab[1]])
        else:
            continue
        total += value**2 * (os_.n - 1) / os_.n / float(os_.gamma[k, k])
        count += 1
    return total, count


def _solve(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error", linalg.LinAlgWarning)
        try:
            return linalg.solve(a, g, assume_a="sym")
        except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            return np.linalg.lstsq(a, g, rcond=None)[0]


def _derived(st: Structure, sm: Any, ordinal: set[str]) -> list[tuple[int, int]]:
    """(free-parameter index, item row) of each derived variance, in evaluation order
    (the ``ordinal`` items' error variances and their single-item constructs' variances)."""
    single = {
        lat: sm.indicators(lat)[0]
        for lat in sm.single_item_latents()
        if sm.indicators(lat)[0] in ordinal
    }
    order = list(sm.latents)
    psi: list[tuple[int, int, int]] = []
    theta: list[tuple[int, int]] = []
    for k, name in enumerate(st.free_names):
        j = _theta_diag(st, name)
        if j is not None:
            if st.obs[j] in ordinal:
                theta.append((k, j))
            continue
        e = next(e for e in st.entries if e.name == name)
        if e.op == "~~" and e.lhs == e.rhs and e.lhs in single and e.matrix == PSI:
            psi.append((order.index(e.lhs), k, st.obs.index(single[e.lhs])))
    # upstream constructs first (their variance feeds the downstream ones)
    topo = _topological(sm)
    psi.sort(key=lambda t: topo.index(order[t[0]]))
    return [(k, j) for _, k, j in psi] + theta


def _topological(sm: Any) -> list[str]:
    preds: dict[str, set[str]] = {lat: set() for lat in sm.latents}
    for t in sm.terms:
        if t.op == "~" and t.lhs in preds and t.rhs in preds:
            preds[t.lhs].add(t.rhs)
    out: list[str] = []
    while len(out) < len(preds):
        for lat in sm.latents:
            if lat not in out and preds[lat] <= set(out):
                out.append(lat)
                break
        else:  # a cycle: keep the given order for the rest
            out += [lat for lat in sm.latents if lat not in out]
    return out


def _theta_diag(st: Structure, name: str) -> int | None:
    for e in st.entries:
        if e.name == name and e.matrix == THETA and e.row == e.col:
            return e.row
    return None


def _threshold_rows(
    os_: OrdinalStats, sm: Any, level: float, sigma: np.ndarray, obs: list[str]
) -> pd.DataFrame:
    """Thresholds (``|``) and the continuous items' intercepts (``~1``): saturated, so the
    sample values with SE ``sqrt(Gamma_kk / (N - 1))`` (lavaan's N / (N - 1) Gamma)."""
    items = list(sm.observed)
    zq = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for k, lab in enumerate(os_.labels):
        if lab[0] not in ("tau", "mean"):
            continue
        item = items[lab[1]]
        if lab[0] == "tau":
            key, est = ("|", f"t{lab[2]}"), float(os_.thresholds[lab[1]][lab[2]])
            std = est
        else:
            assert os_.means is not None
            key, est = ("~1", ""), float(os_.means[lab[1]])
            std = est / float(np.sqrt(sigma[obs.index(item), obs.index(item)]))
        se = float(np.sqrt(os_.gamma[k, k] / (os_.n - 1)))
        z = est / se
        pv = float(2 * stats.norm.sf(abs(z)))
        lo, hi = est - zq * se, est + zq * se
        rows.append((item, *key, None, est, se, z, pv, lo, hi, est, std))
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
