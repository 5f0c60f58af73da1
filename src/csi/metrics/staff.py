"""Staff appraisal from customer ratings: shrunk means and rankings with intervals.

Raw means of employees with few ratings are noisy; ranking them over-reads luck.
Each employee's mean is shrunk toward the team mean by a normal-normal
empirical-Bayes model (Morris 1983, JASA 78:47-55):

* ratings of employee j: ``ȳ_j ~ N(θ_j, v_j)``, ``v_j = σ²/n_j``, with ``σ²`` the
  pooled within-employee variance ``Σ(n_j-1)s_j² / Σ(n_j-1)`` (all employees);
* employees of a team: ``θ_j ~ N(μ, τ²)``; ``τ²`` by the method of moments of
  DerSimonian & Laird (1986): ``τ² = max(0, (Q - (J-1)) / (Σw - Σw²/Σw))``,
  ``w_j = 1/v_j``, ``Q = Σ w_j (ȳ_j - ȳ_w)²``;
* team mean ``μ = Σu_j ȳ_j / Σu_j`` with ``u_j = 1/(v_j + τ²)``;
* shrinkage ``B_j = v_j/(v_j + τ²)``, estimate ``θ̂_j = μ + (1 - B_j)(ȳ_j - μ)``,
  variance ``(1 - B_j) v_j + B_j² / Σu_j`` (the second term for estimating μ);
  interval ``θ̂_j ± z·sd``.

With survey weights (``weights=``, or a Survey's codebook weight) ``ȳ_j`` is the
employee's weighted mean and ``v_j`` its design-based variance (Taylor or replicate
weights, :func:`csi.metrics.design.weighted_mean` over the employee's ratings as a
domain); an employee whose design variance is not positive (one rating, or all
ratings equal) gets ``σ_w²/n_eff,j``, the pooled weighted within-employee variance over
the employee's Kish effective size. The shrinkage is then the same.

A team with a single employee has no between-employee information: its employee is
not shrunk (B = 0). Ranks (1 = best) use the shrunk means of employees with at
least ``min_ratings`` ratings; rank intervals are the ``level`` percentile range of
ranks over ``n_draws`` draws of ``θ_j ~ N(θ̂_j, sd_j²)`` (seeded).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import (
    CsiInputError,
    DataWarning,
    check_choice,
    check_columns,
    check_count,
    check_frame,
    check_rng,
)
from csi.display import Summary
from csi.i18n import phrases
from csi.metrics._common import (
    check_lang,
    check_level,
    check_min_size,
    check_scale,
    numeric_column,
    survey_frame,
    to_100,
    z_value,
)
from csi.metrics.design import design_for, weighted_mean

_TEAM = "_team"


@dataclass(frozen=True)
class StaffAppraisal:
    """Result of :func:`staff_appraisal`.

    ``table``: one row per employee (team, employee, n, mean, shrunk, se, ci_lower,
    ci_upper, reliability = 1 - B, rank, rank_lower, rank_upper, ranked_among,
    suppressed). ``teams``: team, employees, ratings, team_mean, tau2.
    """

    table: pd.DataFrame
    teams: pd.DataFrame
    within_variance: float
    min_ratings: int
    level: float
    n_unassigned: int

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self, *, lang: str = "en", digits: int = 1) -> Summary:
        """Employees by rank: ratings, raw and shrunk mean, interval, rank range."""
        lab = phrases("staff", check_lang(lang))
        t = self.table.sort_values(["rank"], na_position="last")
        head = [lab[k] for k in ("employee", "n", "mean", "shrunk", "interval", "rank")]
        lines = [lab["title"], "  ".join(f"{h:>14}" for h in head)]
        for _, r in t.iterrows():
            if r["suppressed"]:
                note = lab["too_few"]
                cells = [str(r["employee"]), str(int(r["n"])), note, "", "", ""]
            else:
                cells = [
                    str(r["employee"]),
                    str(int(r["n"])),
                    f"{r['mean']:.{digits}f}",
                    f"{r['shrunk']:.{digits}f}",
                    f"[{r['ci_lower']:.{digits}f}, {r['ci_upper']:.{digits}f}]",
                    f"{int(r['rank'])} ({int(r['rank_lower'])}-{int(r['rank_upper'])})",
                ]
            lines.append("  ".join(f"{c:>14}" for c in cells))
        html = str(self.table.to_html(index=False, float_format=lambda v: f"{v:.2f}"))
        return Summary(
            "\n".join(lines), title=lab["title"], tables={lab["title"]: t}, html=html, lang=lang
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def staff_appraisal(
    data: Any,
    score: str,
    employee: str,
    *,
    team: str | None = None,
    min_ratings: int = 10,
    scale: tuple[float, float] | None = None,
    rank_within: str = "team",
    level: float = 0.95,
    n_draws: int = 4000,
    seed: Any = None,
    weights: Any = None,
) -> StaffAppraisal:
    """Mean customer rating per employee, shrunk toward the team mean, ranked with intervals.

    ``score``: rating column (rescaled to 0-100 when ``scale=(lowest, highest)`` is given).
    Employees with fewer than ``min_ratings`` ratings keep a row with ``suppressed=True``
    and no figures (their ratings still inform σ², τ² and the team mean). Ratings with no
    employee are counted in ``n_unassigned`` (with a warning). ``rank_within``: "team"
    or "all". ``data`` may be a :class:`csi.Survey`; ``weights`` as in
    :func:`csi.metrics.nps` (default: the Survey's design when its codebook names a
    weight). Formulas in the module docstring.
    """
    source = data
    data, _ = survey_frame(data, [employee] + ([team] if team else []))
    data = check_frame(data)
    design = design_for(source, data, weights)
    level = check_level(level)
    min_ratings = check_min_size(min_ratings)
    check_choice(rank_within, ("team", "all"), name="rank_within")
    check_count(n_draws, "n_draws", 100)
    check_columns(data, [employee] + ([team] if team else []))
    if scale is not None:
        sc = check_scale(scale)
        values = to_100(numeric_column(data, score, scale=sc), sc)
    else:
        values = numeric_column(data, score)
    frame = pd.DataFrame(
        {
            "employee": data[employee].to_numpy(),
            _TEAM: data[team].to_numpy() if team else "all",
            "_v": values.to_numpy(),
            "_pos": np.arange(len(data)),
        }
    )
    unassigned = frame["employee"].isna() & frame["_v"].notna()
    if unassigned.any():
        warnings.warn(
            f"{int(unassigned.sum())} ratings have no employee in column {employee!r}; "
            "they are left out (counted in n_unassigned)",
            DataWarning,
            stacklevel=2,
        )
    frame = frame[frame["employee"].notna() & frame["_v"].notna()]
    if frame.empty:
        raise CsiInputError(f"no ratings with an employee in column {employee!r}")
    teams_per_emp = frame.groupby("employee", sort=False)[_TEAM].nunique()
    if (teams_per_emp > 1).any():
        who = teams_per_emp.index[(teams_per_emp > 1).to_numpy()][0]
        raise CsiInputError(f"employee {who!r} appears in more than one team (column {team!r})")
    emp = (
        frame.groupby([_TEAM, "employee"], sort=True, observed=True)["_v"]
        .agg(n="size", mean="mean", var=lambda s: s.var(ddof=1))
        .reset_index()
    )
    dof = (emp["n"] - 1).sum()
    if dof <= 0:
        raise CsiInputError("need at least one employee with two or more ratings")
    sigma2 = float(((emp["n"] - 1) * emp["var"].fillna(0.0)).sum() / dof)
    if sigma2 <= 0:
        raise CsiInputError(f"all ratings in column {score!r} are identical within employees")
    emp["v"] = sigma2 / emp["n"]
    if design is not None:
        _design_means(emp, frame, design, values.to_numpy(dtype=float))
    team_rows = []
    parts = []
    for t, g in emp.groupby(_TEAM, sort=True):
        g = g.copy()
        tau2 = _dl_tau2(g["mean"].to_numpy(), g["v"].to_numpy())
        if np.isnan(tau2):  # one employee: no shrinkage
            b = np.zeros(len(g))
            u = 1 / g["v"].to_numpy()
        else:
            b = g["v"].to_numpy() / (g["v"].to_numpy() + tau2)
            u = 1 / (g["v"].to_numpy() + tau2)
        mu = float((u * g["mean"]).sum() / u.sum())
        g["shrunk"] = mu + (1 - b) * (g["mean"] - mu)
        var_mu = 1 / u.sum() if not np.isnan(tau2) else 0.0
        g["se"] = np.sqrt((1 - b) * g["v"] + b**2 * var_mu)
        g["reliability"] = 1 - b
        parts.append(g)
        team_rows.append(
            {
                "team": t,
                "employees": len(g),
                "ratings": int(g["n"].sum()),
                "team_mean": mu,
                "tau2": tau2,
            }
        )
    tab = pd.concat(parts, ignore_index=True)
    z = z_value(level)
    tab["ci_lower"] = tab["shrunk"] - z * tab["se"]
    tab["ci_upper"] = tab["shrunk"] + z * tab["se"]
    tab["suppressed"] = tab["n"] < min_ratings
    _rank(tab, rank_within, level, n_draws, check_rng(seed))
    figures = ["mean", "shrunk", "se", "ci_lower", "ci_upper", "reliability"]
    tab.loc[tab["suppressed"], figures] = np.nan
    tab = tab.rename(columns={_TEAM: "team"})
    cols = [
        "team",
        "employee",
        "n",
        *figures[:5],
        "reliability",
        "rank",
        "rank_lower",
        "rank_upper",
        "ranked_among",
        "suppressed",
    ]
    table = tab[cols] if team else tab[cols[1:]]
    return StaffAppraisal(
        table=table.reset_index(drop=True),
        teams=pd.DataFrame(team_rows),
        within_variance=sigma2,
        min_ratings=min_ratings,
        level=level,
        n_unassigned=int(unassigned.sum()),
    )


def _design_means(emp: pd.DataFrame, frame: pd.DataFrame, design: Any, values: np.ndarray) -> None:
    """Weighted mean and design-based variance of each employee's mean (in place)."""
    w = design.weights
    groups = frame.groupby([_TEAM, "employee"], sort=True, observed=True)["_pos"]
    rows = {key: pos.to_numpy() for key, pos in groups}
    means, variances, n_eff = [], [], []
    within, weight_sum = 0.0, 0.0
    for key in zip(emp[_TEAM], emp["employee"], strict=True):
        mask = np.zeros(design.n, dtype=bool)
        mask[rows[key]] = True
        est = weighted_mean(design, values, domain=mask)
        means.append(est.estimate)
        variances.append(est.se**2)
        n_eff.append(est.n_effective)
        wj, yj = w[mask], values[mask]
        within += float(np.sum(wj * (yj - est.estimate) ** 2))
        weight_sum += float(wj.sum())
    n_eff_arr = np.asarray(n_eff, dtype=float)
    dof = float(np.sum(np.maximum(n_eff_arr - 1, 0)))
    pooled = within / weight_sum * (n_eff_arr.sum() / dof) if dof > 0 else np.nan
    v = np.asarray(variances, dtype=float)
    fallback = ~(np.isfinite(v) & (v > 0))
    v[fallback] = pooled / n_eff_arr[fallback]
    emp["mean"] = means
    emp["v"] = v


def _dl_tau2(means: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird (1986) method-of-moments between-employee variance (NaN if J < 2)."""
    j = means.size
    if j < 2:
        return float("nan")
    w = 1 / v
    ybar = (w * means).sum() / w.sum()
    q = (w * (means - ybar) ** 2).sum()
    denom = w.sum() - (w**2).sum() / w.sum()
    return float(max(0.0, (q - (j - 1)) / denom))


def _rank(
    tab: pd.DataFrame, rank_within: str, level: float, n_draws: int, rng: np.random.Generator
) -> None:
    tab["rank"] = np.nan
    tab["rank_lower"] = np.nan
    tab["rank_upper"] = np.nan
    tab["ranked_among"] = 0
    alpha = 1 - level
    keys = tab[_TEAM] if rank_within == "team" else pd.Series("all", index=tab.index)
    for _, idx in tab.groupby(keys, sort=False).groups.items():
        sel = [i for i in idx if not tab.at[i, "suppressed"]]
        if not sel:
            continue
        est = tab.loc[sel, "shrunk"].to_numpy()
        sd = tab.loc[sel, "se"].to_numpy()
        point = pd.Series(-est).rank(method="min").to_numpy()
        draws = rng.normal(est, sd, size=(n_draws, len(sel)))
        ranks = (-draws).argsort(axis=1).argsort(axis=1) + 1
        tab.loc[sel, "rank"] = point
        tab.loc[sel, "rank_lower"] = np.quantile(ranks, alpha / 2, axis=0, method="lower")
        tab.loc[sel, "rank_upper"] = np.quantile(ranks, 1 - alpha / 2, axis=0, method="higher")
        tab.loc[sel, "ranked_among"] = len(sel)
