"""Simulated CSI surveys drawn from a known population model.

The population is a standardised linear structural model (every latent
construct has variance 1)::

    eta_j = sum_i beta_ij eta_i + zeta_j,   Var(zeta_j) = 1 - b_j' R_j b_j

with ``R_j`` the correlation matrix of the predecessors of ``j`` (exogenous
constructs are independent standard normal). Each indicator is
``x = lambda * eta + e`` with ``Var(e) = 1 - lambda**2``, so ``lambda`` is the
standardised loading and the implied indicator correlation matrix is
``Lambda Phi Lambda' + Theta`` (Bollen 1989, ch. 8).

Answers are then cut into ``k`` categories at thresholds chosen so that the
category shares follow a normal curve centred above the scale midpoint
(``skew``), which gives the top-heavy answers typical of satisfaction surveys;
the single complaints item leans to the bottom instead. The true paths and
loadings refer to the continuous latent model: discretisation attenuates
correlations a little (polychoric vs Pearson), so recovery from discrete
answers is approximate; ``continuous=True`` skips it for exact-recovery checks.

Segments (region, channel) and waves shift the mean of the first exogenous
construct (Expectation in ACSI, Image in ECSI); its within-segment variance is
reduced so that its total variance stays 1, which keeps every population
covariance, path and loading exactly as stated while segment indices differ.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError, check_choice, check_rng
from csi.codebook import Codebook
from csi.spec import ACSI_PATHS, ECSI_IMAGE_PATHS, ROLE_NAMES
from csi.survey import Survey, read_survey

__all__ = ["DEFAULT_LOADINGS", "DEFAULT_PATHS", "SimulatedSurvey", "simulate_csi"]

#: Items per role, with English and Chinese labels.
ITEMS: dict[str, list[tuple[str, str, str]]] = {
    "image": [
        ("IMG1", "Company reputation", "企业声誉"),
        ("IMG2", "Trustworthy company", "企业值得信赖"),
        ("IMG3", "Innovative and forward-looking", "企业创新与前瞻"),
    ],
    "expectation": [
        ("EXP1", "Overall expected quality", "总体质量预期"),
        ("EXP2", "Expected reliability", "可靠性预期"),
        ("EXP3", "Expected fit to needs", "满足需求程度预期"),
    ],
    "quality": [
        ("QUAL1", "Product reliability", "产品可靠性"),
        ("QUAL2", "Product features and design", "产品功能与设计"),
        ("QUAL3", "Staff friendliness", "员工友好程度"),
        ("QUAL4", "Speed of service", "服务速度"),
        ("QUAL5", "Problem resolution / after-sales", "问题解决与售后服务"),
    ],
    "value": [
        ("VAL1", "Price given quality", "给定质量下对价格的评价"),
        ("VAL2", "Quality given price", "给定价格下对质量的评价"),
    ],
    "satisfaction": [
        ("SAT1", "Overall satisfaction", "总体满意度"),
        ("SAT2", "Satisfaction compared with expectations", "与预期相比的满意度"),
        ("SAT3", "Satisfaction compared with ideal", "与理想相比的满意度"),
    ],
    "complaints": [
        ("COMP1", "Complaints (higher = complained more)", "抱怨程度(越高抱怨越多)"),
    ],
    "loyalty": [
        ("LOY1", "Repurchase intention", "重复购买意愿"),
        ("LOY2", "Price tolerance", "价格容忍度"),
        ("LOY3", "Recommend to others", "向他人推荐的意愿"),
    ],
}

#: Default standardised path coefficients by role (realistic ACSI-like values).
DEFAULT_PATHS: dict[tuple[str, str], float] = {
    ("expectation", "quality"): 0.55,
    ("expectation", "value"): 0.15,
    ("expectation", "satisfaction"): 0.10,
    ("quality", "value"): 0.55,
    ("quality", "satisfaction"): 0.50,
    ("value", "satisfaction"): 0.30,
    ("satisfaction", "complaints"): -0.40,
    ("satisfaction", "loyalty"): 0.60,
    ("complaints", "loyalty"): -0.15,
    # ECSI only
    ("image", "expectation"): 0.50,
    ("image", "satisfaction"): 0.15,
    ("image", "loyalty"): 0.15,
}
# ECSI satisfaction keeps the ACSI coefficients plus image; its R2 stays below 1.

#: Default standardised loadings.
DEFAULT_LOADINGS: dict[str, float] = {
    "IMG1": 0.80,
    "IMG2": 0.85,
    "IMG3": 0.75,
    "EXP1": 0.80,
    "EXP2": 0.75,
    "EXP3": 0.70,
    "QUAL1": 0.85,
    "QUAL2": 0.80,
    "QUAL3": 0.78,
    "QUAL4": 0.75,
    "QUAL5": 0.80,
    "VAL1": 0.90,
    "VAL2": 0.88,
    "SAT1": 0.90,
    "SAT2": 0.87,
    "SAT3": 0.85,
    "COMP1": 1.00,
    "LOY1": 0.88,
    "LOY2": 0.70,
    "LOY3": 0.85,
}

#: Item-specific lean of the answers, as a share of the scale range added to the centre
#: of the category curve (value and price tolerance rate lower, reliability higher).
ITEM_LEAN: dict[str, float] = {
    "IMG1": 0.03,
    "IMG2": 0.02,
    "IMG3": -0.02,
    "EXP1": 0.04,
    "EXP2": 0.03,
    "EXP3": 0.02,
    "QUAL1": 0.03,
    "QUAL2": 0.01,
    "QUAL3": 0.02,
    "QUAL4": -0.04,
    "QUAL5": -0.06,
    "VAL1": -0.08,
    "VAL2": -0.05,
    "SAT1": 0.0,
    "SAT2": -0.02,
    "SAT3": -0.05,
    "COMP1": 0.0,
    "LOY1": 0.0,
    "LOY2": -0.10,
    "LOY3": -0.02,
}

#: Segment levels, shares and latent mean shifts (in latent SD units, before centring).
REGIONS = (
    ("North", 0.25, 0.10),
    ("East", 0.30, 0.20),
    ("South", 0.25, -0.10),
    ("West", 0.20, -0.25),
)
CHANNELS = (("online", 0.45, 0.10), ("store", 0.40, 0.00), ("phone", 0.15, -0.25))
WAVE_STEP = 0.10  # latent mean gain from one wave to the next

_FIRST = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"]
_GIVEN = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Xin", "Hui", "Qiang"]


@dataclass(frozen=True)
class SimulatedSurvey:
    """A simulated survey and the population values it was drawn from.

    ``true_paths`` (source, target, estimate) and ``true_loadings`` (construct,
    indicator, estimate) are standardised population values of the continuous
    latent model; ``true_r2`` the population R2 of each endogenous construct;
    ``true_item_means`` the exact population mean answer of each item (on the
    answer scale, accounting for segment shifts and discretisation) and
    ``true_index`` the equally weighted 0-100 index of each construct built from
    them, ``100 * (mean - min) / (max - min)`` (means after undoing reverse coding;
    NaN index for continuous data).
    """

    data: pd.DataFrame
    codebook: Codebook
    true_paths: pd.DataFrame
    true_loadings: pd.DataFrame
    true_r2: pd.Series
    true_latent_correlation: pd.DataFrame
    true_item_means: pd.Series
    true_index: pd.Series
    latent_scores: pd.DataFrame | None
    roles: Mapping[str, tuple[str, ...]]
    """Role key (``expectation`` ...) -> items, for ``ModelSpec.acsi(indicators=...)``."""
    model: str
    scale: int
    continuous: bool
    seed: Any

    @property
    def indicators(self) -> dict[str, tuple[str, ...]]:
        """Construct name -> items."""
        return self.codebook.indicators

    def implied_correlation(self) -> pd.DataFrame:
        """Population correlation of the continuous indicators: Lambda Phi Lambda' + Theta."""
        items = list(self.codebook.items)
        lam = pd.DataFrame(0.0, index=items, columns=self.true_latent_correlation.columns)
        tl = self.true_loadings
        for c, ind, est in zip(tl["construct"], tl["indicator"], tl["estimate"], strict=True):
            lam.loc[ind, c] = float(est)
        phi = self.true_latent_correlation.to_numpy()
        sigma = lam.to_numpy() @ phi @ lam.to_numpy().T
        np.fill_diagonal(sigma, 1.0)
        return pd.DataFrame(sigma, index=items, columns=items)

    def survey(self, **kwargs: Any) -> Survey:
        """The data read through :func:`csi.survey.read_survey` with this codebook."""
        return read_survey(self.data, self.codebook, **kwargs)


def _thresholds(k: int, centre: float) -> np.ndarray:
    """Cut points on N(0, 1) giving category shares proportional to phi((c - centre) / s).

    Categories c = 1..k, s = (k - 1) / 4.
    """
    c = np.arange(1, k + 1)
    p = stats.norm.pdf((c - centre) / ((k - 1) / 4))
    p = p / p.sum()
    return np.asarray(stats.norm.ppf(np.cumsum(p)[:-1]))


def _structure(
    constructs: list[str], coef: Mapping[tuple[str, str], float]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Topological order, B (target x source), residual variances, latent correlations."""
    idx = {c: i for i, c in enumerate(constructs)}
    for s, t in coef:
        for c in (s, t):
            if c not in idx:
                raise CsiInputError(
                    f"path {s} -> {t}: construct {c!r} is not in the model {constructs}"
                )
    order: list[str] = []
    pending = list(constructs)
    while pending:
        ready = [c for c in pending if all(s in order for (s, t) in coef if t == c)]
        if not ready:
            raise CsiInputError(f"paths form a cycle among {pending}")
        order += ready
        pending = [c for c in pending if c not in ready]
    m = len(order)
    pos = {c: i for i, c in enumerate(order)}
    b = np.zeros((m, m))
    for (s, t), v in coef.items():
        b[pos[t], pos[s]] = v
    phi = np.eye(m)
    psi = np.ones(m)
    for j in range(m):
        preds = np.flatnonzero(b[j])
        if preds.size == 0:
            continue
        bj = b[j, preds]
        explained = float(bj @ phi[np.ix_(preds, preds)] @ bj)
        psi[j] = 1.0 - explained
        if psi[j] <= 1e-9:
            raise CsiInputError(
                f"paths into {order[j]!r} explain {explained:.3f} of its variance (must be < 1); "
                "use smaller path coefficients"
            )
        for k in range(j):
            phi[j, k] = phi[k, j] = float(b[j, :j] @ phi[:j, k])
    return order, b, psi, phi


def simulate_csi(
    n: int,
    seed: Any = None,
    *,
    scale: int = 10,
    skew: float = 0.5,
    missing_rate: float = 0.0,
    segments: bool = True,
    waves: Sequence[str] | None = ("2025H2", "2026H1"),
    model: str = "acsi",
    paths: Mapping[tuple[str, str], float] | pd.DataFrame | None = None,
    loadings: Mapping[str, float] | None = None,
    reverse: Sequence[str] = (),
    continuous: bool = False,
    latent_scores: bool = False,
) -> SimulatedSurvey:
    """Draw ``n`` respondents from a CSI population model with known parameters.

    Parameters
    ----------
    n, seed:
        Number of respondents; seed for :func:`numpy.random.default_rng`.
    scale:
        Number of answer points ``k`` (answers 1..k, e.g. 10 or 7).
    skew:
        Lean of the answers: category shares follow a normal curve centred at
        ``mid + skew * (k - mid)`` with sd ``(k - 1) / 4`` (``mid = (1 + k) / 2``);
        0 is symmetric, 0.5 (default) leans to the top like real satisfaction data.
        The complaints item leans the opposite way; items differ a little around
        that centre (:data:`ITEM_LEAN`, scaled by ``2 * skew``) so item means differ.
    missing_rate:
        Share of model-item answers replaced by the code 99 ("don't know"), at random.
    segments, waves:
        Add ``region`` and ``channel`` columns / a ``wave`` column; each shifts the mean
        of the first exogenous construct a little (see the module docstring).
    model:
        ``"acsi"`` (six constructs) or ``"ecsi"`` (adds Image -> Expectation,
        Satisfaction, Loyalty; Eklöf & Westlund 2002).
    paths:
        Standardised path coefficients replacing the defaults, keyed by
        ``(source, target)`` construct names or role keys, or a DataFrame with
        columns source, target, estimate. Paths not listed are absent.
    loadings:
        Standardised loadings by item (0 < |lambda| <= 1), updating the defaults.
    reverse:
        Items stored reverse-coded (``k + 1 - answer``) and flagged so in the codebook.
    continuous:
        Keep the continuous indicators (no discretisation) for exact recovery checks.
    latent_scores:
        Also return the true latent scores.

    Returns
    -------
    SimulatedSurvey
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise CsiInputError(f"n must be a positive integer, got {n!r}")
    if not isinstance(scale, (int, np.integer)) or not 3 <= scale <= 11:
        raise CsiInputError(
            f"scale must be an integer number of points from 3 to 11, got {scale!r}"
        )
    if not 0.0 <= missing_rate < 1.0:
        raise CsiInputError(f"missing_rate must be in [0, 1), got {missing_rate!r}")
    if not -1.0 <= skew <= 1.0:
        raise CsiInputError(f"skew must be between -1 and 1, got {skew!r}")
    check_choice(model, ("acsi", "ecsi"), name="model")
    rng = check_rng(seed)
    k = int(scale)

    roles = [r for r in ITEMS if model == "ecsi" or r != "image"]
    names = {r: ROLE_NAMES["en"][r] for r in roles}
    constructs = [names[r] for r in roles]

    if paths is None:
        role_paths = ACSI_PATHS if model == "acsi" else (*ECSI_IMAGE_PATHS, *ACSI_PATHS)
        coef = {(names[s], names[t]): DEFAULT_PATHS[(s, t)] for s, t in role_paths}
    else:
        if isinstance(paths, pd.DataFrame):
            pairs = {
                (str(s), str(t)): float(v)
                for s, t, v in zip(paths["source"], paths["target"], paths["estimate"], strict=True)
            }
        else:
            pairs = {(str(s), str(t)): float(v) for (s, t), v in paths.items()}
        coef = {(names.get(s, s), names.get(t, t)): v for (s, t), v in pairs.items()}
    order, b, psi, phi = _structure(constructs, coef)
    pos = {c: i for i, c in enumerate(order)}

    lam = dict(DEFAULT_LOADINGS)
    for item, v in (loadings or {}).items():
        if item not in lam or _construct_of(item, names) is None:
            raise CsiInputError(f"loadings: {item!r} is not an item of the {model} model")
        if not 0 < abs(v) <= 1:
            raise CsiInputError(f"loadings: {item!r} must satisfy 0 < |loading| <= 1, got {v!r}")
        lam[item] = float(v)
    item_rows = [(r, names[r], it) for r in roles for it in ITEMS[r]]
    items = [it[0] for _, _, it in item_rows]
    if reverse and continuous:
        raise CsiInputError("reverse-coded items need a bounded scale; not with continuous=True")
    for it in reverse:
        if it not in items:
            raise CsiInputError(f"reverse: {it!r} is not an item of the {model} model")

    # -- segments and their latent shifts (centred so the population mean stays 0)
    factors: list[tuple[str, list[str], np.ndarray, np.ndarray]] = []
    if segments:
        for col, levels in (("region", REGIONS), ("channel", CHANNELS)):
            labels = [lv[0] for lv in levels]
            p = np.array([lv[1] for lv in levels])
            shift = np.array([lv[2] for lv in levels])
            factors.append((col, labels, p, shift - p @ shift))
    if waves is not None:
        wl = [str(w) for w in waves]
        if not wl:
            raise CsiInputError("waves must name at least one wave (or be None)")
        p = np.full(len(wl), 1.0 / len(wl))
        shift = WAVE_STEP * np.arange(len(wl))
        factors.append(("wave", wl, p, shift - p @ shift))
    var_delta = float(sum(p @ s**2 for _, _, p, s in factors))
    segment_cols: dict[str, np.ndarray] = {}
    delta = np.zeros(n)
    for col, labels, p, shift in factors:
        g = rng.choice(len(labels), size=n, p=p)
        segment_cols[col] = np.asarray(labels, dtype=object)[g]
        delta += shift[g]

    # -- latent variables
    m = len(order)
    eta = np.zeros((n, m))
    driver = next(j for j in range(m) if not b[j].any())
    z = rng.standard_normal((n, m))
    for j in range(m):
        if j == driver:
            eta[:, j] = delta + np.sqrt(1.0 - var_delta) * z[:, j]
        else:
            eta[:, j] = eta @ b[j] + np.sqrt(psi[j]) * z[:, j]

    # -- indicators
    e = rng.standard_normal((n, len(items)))
    x = np.empty((n, len(items)))
    for jc, (_, cname, (item, _, _)) in enumerate(item_rows):
        lj = lam[item]
        x[:, jc] = lj * eta[:, pos[cname]] + np.sqrt(1.0 - lj**2) * e[:, jc]
    mid = (1 + k) / 2
    up = mid + skew * (k - mid)
    down = mid - skew * (mid - 1)
    cuts = {
        item: _thresholds(
            k, (down if role == "complaints" else up) + ITEM_LEAN[item] * skew * 2 * (k - 1)
        )
        for role, _, (item, _, _) in item_rows
    }
    if continuous:
        answers = x.copy()
    else:
        answers = np.column_stack(
            [1 + np.searchsorted(cuts[item], x[:, c]) for c, item in enumerate(items)]
        ).astype(float)
    for c, item in enumerate(items):
        if item in reverse:
            answers[:, c] = 1 + k - answers[:, c]
    if missing_rate > 0:
        answers[rng.random(answers.shape) < missing_rate] = 99.0

    loy = eta[:, pos[names["loyalty"]]]
    rec_latent = 0.8 * loy + 0.6 * rng.standard_normal(n)
    rec_cuts = _thresholds(11, 6 + skew * 5)  # categories 1..11 -> answers 0..10
    recommend = np.searchsorted(rec_cuts, rec_latent)

    width = max(5, len(str(n)))
    ids = [f"R{i:0{width}d}" for i in range(1, n + 1)]
    first = rng.choice(_FIRST, size=n)
    given = rng.choice(_GIVEN, size=n)
    phone_digits = rng.integers(0, 10**8, size=n)

    frame: dict[str, Any] = {
        "respondent_id": ids,
        "name": [f"{a} {b_}" for a, b_ in zip(first, given, strict=True)],
        "phone": [f"100{d:08d}" for d in phone_digits],
        "email": [
            f"{b_.lower()}.{a.lower()}.{i}@example.com"
            for a, b_, i in zip(first, given, ids, strict=True)
        ],
    }
    if "wave" in segment_cols:
        frame["wave"] = segment_cols["wave"]
    for col in ("region", "channel"):
        if col in segment_cols:
            frame[col] = segment_cols[col]
    for c, item in enumerate(items):
        frame[item] = answers[:, c] if continuous else answers[:, c].astype(int)
    frame["recommend"] = recommend.astype(int)
    data = pd.DataFrame(frame)

    codebook = Codebook.from_dict(
        {
            "id": "respondent_id",
            "private": ["name", "phone", "email"],
            "segments": [c for c in ("region", "channel") if c in segment_cols],
            "period": "wave" if "wave" in segment_cols else None,
            "scale": None if continuous else {"min": 1, "max": k},
            "missing": [99],
            "recommend": "recommend",
            "constructs": {
                names[r]: {"label_en": names[r], "label_zh": ROLE_NAMES["zh"][r]} for r in roles
            },
            "items": {
                item: {
                    "construct": cname,
                    "label_en": en,
                    "label_zh": zh,
                    **({"reverse": True} if item in reverse else {}),
                }
                for _, cname, (item, en, zh) in item_rows
            },
            "extras": {
                "recommend": {
                    "min": 0,
                    "max": 10,
                    "label_en": "Likelihood to recommend (0-10)",
                    "label_zh": "向亲友推荐的可能性(0-10)",
                }
            },
        }
    )

    true_paths = pd.DataFrame(
        [{"source": s, "target": t, "estimate": v} for (s, t), v in coef.items()],
        columns=["source", "target", "estimate"],
    )
    true_loadings = pd.DataFrame(
        [
            {"construct": cname, "indicator": item, "estimate": lam[item]}
            for _, cname, (item, _, _) in item_rows
        ]
    )
    endo = [c for c in order if b[pos[c]].any()]
    true_r2 = pd.Series({c: 1.0 - psi[pos[c]] for c in endo}, name="r2", dtype=float)
    true_r2.index.name = "construct"
    phi_df = pd.DataFrame(phi, index=order, columns=order).loc[constructs, constructs]

    # -- exact population item means: x | cell ~ N(lambda t delta, 1 - lambda^2 t^2 V)
    total = np.linalg.inv(np.eye(m) - b)[:, driver]  # total effect of the driver
    cells = list(itertools.product(*[range(len(f[1])) for f in factors]))
    cell_p = np.array([np.prod([f[2][i] for f, i in zip(factors, c, strict=True)]) for c in cells])
    cell_d = np.array([sum(f[3][i] for f, i in zip(factors, c, strict=True)) for c in cells])
    means = {}
    for _role, cname, (item, _, _) in item_rows:
        lt = lam[item] * total[pos[cname]]
        if continuous:
            mu = 0.0
        else:
            sd = np.sqrt(1.0 - lt**2 * var_delta)
            # E[answer] = 1 + sum_c P(x > tau_c)
            exceed = stats.norm.sf((cuts[item][None, :] - lt * cell_d[:, None]) / sd)
            mu = float(cell_p @ (1.0 + exceed.sum(axis=1)))
        means[item] = mu
    true_item_means = pd.Series(means, name="mean", dtype=float)
    true_item_means.index.name = "item"
    true_index = pd.Series(
        {
            cname: float(np.mean([100 * (means[it[0]] - 1) / (k - 1) for it in ITEMS[role]]))
            for role, cname in names.items()
        },
        name="index",
        dtype=float,
    )
    if continuous:
        true_index[:] = np.nan
    true_index.index.name = "construct"
    scores = pd.DataFrame(eta, columns=order)[constructs] if latent_scores else None
    return SimulatedSurvey(
        data=data,
        codebook=codebook,
        true_paths=true_paths,
        true_loadings=true_loadings,
        true_r2=true_r2,
        true_latent_correlation=phi_df,
        true_item_means=true_item_means,
        true_index=true_index,
        latent_scores=scores,
        roles={r: tuple(it[0] for it in ITEMS[r]) for r in roles},
        model=model,
        scale=k,
        continuous=continuous,
        seed=seed,
    )


def _construct_of(item: str, names: Mapping[str, str]) -> str | None:
    for role, rows in ITEMS.items():
        if any(r[0] == item for r in rows):
            return names.get(role)
    return None
