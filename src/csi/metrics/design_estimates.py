"""Design-based estimates: totals, means, shares and differences with their variances.

The functions of :mod:`csi.metrics.design` (where the formulas are described):
:func:`weighted_total`, :func:`weighted_mean`, :func:`weighted_proportion`,
:func:`weighted_by` and :func:`weighted_difference`, with the Taylor-linearised and
replicate variances they share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError, check_choice, plain
from csi.metrics._common import check_level
from csi.survey_design import Design, design_df, effective_n

DEFF_KINDS = ("replace", "without")


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
def _nobs(design: Design, mask: np.ndarray) -> float:
    """Sample size of the SRS comparison: rows with a positive weight (copies for
    frequency weights)."""
    w = design.weights[mask]
    return float(w.sum()) if design.kind == "frequency" else float(np.count_nonzero(w))


def _taylor_variance(design: Design, score: np.ndarray) -> float:
    """Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)² for the per-unit ``score`` (times the weight)."""
    w = design.weights
    if design.kind == "frequency" and design.clusters is None:
        totals, mult, psu_h = score, w, design.stratum_codes  # each copy is its own PSU
    else:
        n_psu = design.psu_strata.size
        totals = np.bincount(design.psu_codes, weights=w * score, minlength=n_psu)
        mult, psu_h = np.ones(n_psu), design.psu_strata
    n_strata = int(design.stratum_codes.max()) + 1
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
            label = design.stratum_labels[int(np.argmax(lonely))]
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
    """SRS variance of the mean for the design effect (R ``svyvar``/n, see
    :mod:`csi.metrics.design`)."""
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


def _domain_mean(design: Design, y: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(weighted mean over the domain ``mask``, its sum of weights; NaN mean if none)."""
    total_w = float(np.sum(design.weights * mask))
    mean = float(np.sum(design.weights * mask * y) / total_w) if total_w > 0 else np.nan
    return mean, total_w


def _replicate_means(design: Design, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The domain mean under each replicate weight (``(R,)``)."""
    assert design.replicates is not None
    wr = design.replicates * mask[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (wr * y[:, None]).sum(axis=0) / wr.sum(axis=0)


def _mean_and_var(design: Design, y: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    """(mean, variance, sum of weights) of the domain mean."""
    mean, total_w = _domain_mean(design, y, mask)
    if total_w <= 0:
        return np.nan, np.nan, total_w
    if design.replicates is not None:
        var = _replicate_variance(design, mean, _replicate_means(design, y, mask))
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
    :mod:`csi.metrics.design`). Missing values (NaN) are outside the domain.
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
    mean, total_w = _domain_mean(design, y, mask)
    srs = _srs_var_mean(design, y, mask, mean, deff) * total_w**2
    return _estimate("total", total, var, srs, total_w, design, mask, level)


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
    srs = _srs_var_mean(design, y, mask, mean, deff)
    return _estimate("mean", mean, var, srs, total_w, design, mask, level)


def _estimate(
    statistic: str,
    value: float,
    var: float,
    srs: float,
    total_w: float,
    design: Design,
    mask: np.ndarray,
    level: float,
) -> Estimate:
    """An :class:`Estimate` from the design variance ``var`` (SE, t interval with the
    design's df) and the SRS variance ``srs`` (design effect)."""
    se = float(np.sqrt(var))
    df = design_df(design, mask)
    lo, hi = _interval(value, se, df, level)
    return Estimate(
        statistic,
        value,
        se,
        lo,
        hi,
        level,
        df,
        int(mask.sum()),
        total_w,
        effective_n(design, mask),
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
    mean_a, wa = _domain_mean(design, y, in_a)
    mean_b, wb = _domain_mean(design, y, in_b)
    if wa <= 0 or wb <= 0:
        return np.nan, np.nan, np.nan, np.nan, np.nan
    diff = mean_a - mean_b
    if design.replicates is not None:
        theta_r = _replicate_means(design, y, in_a) - _replicate_means(design, y, in_b)
        var = _replicate_variance(design, diff, theta_r)
    else:
        score = in_a * (y - mean_a) / wa - in_b * (y - mean_b) / wb
        var = _taylor_variance(design, score)
    return diff, float(np.sqrt(var)), design_df(design, valid), mean_a, mean_b


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
