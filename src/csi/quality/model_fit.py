"""Model fit of a PLS path model: SRMR, d_ULS and d_G with the bootstrap test of exact fit.

A PLS model implies a correlation matrix of the indicators, ``Sigma``; the fit
measures compare it with the sample correlation matrix ``S`` (``p`` items):

* ``SRMR = sqrt( sum_{i <= j} (s_ij - sigma_ij)² / (p (p + 1) / 2) )``, the
  standardised root mean square residual (Hu & Bentler 1999; for PLS Henseler et
  al. 2014, *Organizational Research Methods* 17(2), 182-209); below 0.08 is the
  usual cut-off;
* ``d_ULS = 1/2 sum_{i, j} (s_ij - sigma_ij)²`` (squared Euclidean distance), and
* ``d_G = 1/2 sum_k (log phi_k)²`` with ``phi_k`` the eigenvalues of
  ``S^-1 Sigma`` (geodesic distance), both Dijkstra & Henseler (2015, *MIS
  Quarterly* 39(2), 297-316).

The implied matrix (:func:`implied_correlation`). Each construct ``j`` has loadings
``lambda_j`` (its items' correlations with the construct, ``S_jj w_j`` for a
composite; PLSc: the consistent loadings ``c_j w_j``) and the constructs have
correlations ``Phi``; between two blocks ``Sigma_ij = lambda_i Phi_ij lambda_j'``.
Within a block the measurement model decides: a common factor (a reflective
multi-item construct of a PLSc fit) implies ``lambda_j lambda_j'`` off the
diagonal; a composite (every construct of a plain PLS fit, and formative and
single-item constructs under PLSc) leaves the block free: ``Sigma_jj = S_jj``
(Dijkstra 2017; Schuberth, Henseler & Dijkstra 2018, *Frontiers in Psychology* 9,
2541). The diagonal is 1 (standardised items).

* **Saturated model**: ``Phi`` = the estimated construct correlations (the
  structural model unrestricted; only the measurement model is tested).
* **Estimated model**: ``Phi`` implied by the paths of a recursive model,
  ``eta = B' eta + zeta``: ``Phi = (I - B')^-1 Psi (I - B')^-T`` with ``Psi`` the
  estimated correlations among the exogenous constructs and ``1 - R²_t`` for the
  disturbance of each endogenous construct (uncorrelated disturbances). Constructs
  keep unit variance inside their blocks (``Phi_jj`` is taken as 1 there).

Test of exact fit (Dijkstra & Henseler 2015; Henseler et al. 2014): under
``H0: Sigma`` holds in the population, the distribution of a discrepancy is found
by the Bollen-Stine bootstrap (Bollen & Stine 1992, *Sociological Methods &
Research* 21(2), 205-229): the standardised data are transformed,
``Z* = Z S^-1/2 Sigma^1/2`` (:func:`bollen_stine`), so that their correlation
matrix is ``Sigma`` exactly; the model is refitted on resamples of ``Z*`` (same
options as the fit, one transformation per model) and the discrepancy recomputed.
``hi95`` and ``hi99`` are the 95% and 99% quantiles of the draws; the model is not
rejected at the 5% (1%) level when its value is at most ``hi95`` (``hi99``). A
resample is left out of both models when either refit fails or gives a non-finite
discrepancy (the rules of :mod:`csi.pls.bootstrap`).

What SmartPLS does is documented in its manual (SRMR of the saturated and the
estimated model, d_ULS and d_G, HI95/HI99 from the Bollen-Stine bootstrap); its
exact choice of the implied matrix for plain PLS could not be verified here, so
numbers may differ from SmartPLS for plain (non-consistent) PLS fits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_rng
from csi.display import Summary
from csi.i18n import check_lang, text
from csi.pls.algorithm import Layout, as_stack, sign_anchors
from csi.pls.batched import INADMISSIBLE_RULES, OK, REASONS, Engine, bootstrap_counts
from csi.pls.resampling import BootstrapFailureWarning

if TYPE_CHECKING:
    from csi.pls.result import PLSResult

__all__ = [
    "FIT_COLUMNS",
    "MEASURES",
    "MODELS",
    "SRMR_THRESHOLD",
    "ModelFit",
    "bollen_stine",
    "discrepancies",
    "implied_correlation",
    "model_fit",
]

#: The usual SRMR cut-off: below it the fit is read as good (Hu & Bentler 1999).
SRMR_THRESHOLD = 0.08
#: The fit measures, in table order.
MEASURES = ("srmr", "d_uls", "d_g")
#: The two models compared with the data.
MODELS = ("saturated", "estimated")
#: Columns of :attr:`ModelFit.table`.
FIT_COLUMNS = ("model", "measure", "value", "hi95", "hi99", "exact_fit_95", "exact_fit_99")


def common_factors(layout: Layout, consistent: bool) -> np.ndarray:
    """``(J,)`` True for constructs modelled as common factors (PLSc, reflective, 2+ items)."""
    many = layout.mask.sum(axis=0) > 1
    return np.asarray(bool(consistent) & many & ~layout.mode_b)


def structural_correlation(
    construct_corr: np.ndarray, paths: np.ndarray, r2: np.ndarray, layout: Layout
) -> np.ndarray:
    """Construct correlations implied by a recursive structural model, ``(..., J, J)``.

    ``Phi = (I - B')^-1 Psi (I - B')^-T``; ``Psi`` holds the correlations among the
    exogenous constructs and ``1 - R²_t`` for each endogenous ``t`` (Bollen 1989, ch. 4).
    """
    R, single = as_stack(construct_corr)
    B = np.asarray(paths, dtype=float).reshape(R.shape)
    r2b = np.asarray(r2, dtype=float).reshape(R.shape[:2])
    J = layout.n_constructs
    exo = np.array([pred.size == 0 for pred in layout.predecessors])
    psi = np.where((exo[:, None] & exo[None, :])[None], R, 0.0)
    endo = np.flatnonzero(~exo)
    psi[:, endo, endo] = 1.0 - r2b[:, endo]
    A = np.linalg.inv(np.eye(J)[None] - np.swapaxes(B, 1, 2))
    phi = A @ psi @ np.swapaxes(A, 1, 2)
    return phi[0] if single else phi


def implied_correlation(
    corr: np.ndarray,
    loadings: np.ndarray,
    construct_corr: np.ndarray,
    layout: Layout,
    *,
    consistent: bool,
    paths: np.ndarray | None = None,
    r2: np.ndarray | None = None,
) -> np.ndarray:
    """Model-implied item correlations ``(..., p, p)`` (module docstring).

    ``paths`` and ``r2`` given: the estimated model (``Phi`` from the structural
    model); else the saturated model (``Phi = construct_corr``).
    """
    S, single = as_stack(corr)
    n_batch = S.shape[0]
    phi = np.asarray(construct_corr, dtype=float).reshape(n_batch, *layout.path.shape)
    if paths is not None:
        if r2 is None:
            raise ValueError("the estimated model needs both paths and r2")
        phi = structural_correlation(phi, paths, r2, layout)
    L = np.asarray(loadings, dtype=float).reshape(n_batch, -1)[:, :, None] * layout.mask
    sigma = L @ phi @ np.swapaxes(L, 1, 2)
    factor = common_factors(layout, consistent)
    for j in range(layout.n_constructs):
        idx = layout.block_items(j)
        block = (slice(None), idx[:, None], idx[None, :])
        if factor[j]:
            lam = L[:, idx, j]
            sigma[block] = lam[:, :, None] * lam[:, None, :]
        else:
            sigma[block] = S[block]
    p = S.shape[-1]
    sigma[:, np.arange(p), np.arange(p)] = 1.0
    return sigma[0] if single else sigma


def discrepancies(corr: np.ndarray, implied: np.ndarray) -> np.ndarray:
    """``(..., 3)``: SRMR, d_ULS and d_G of ``implied`` against ``corr`` (module docstring).

    d_G is NaN when a matrix is not positive definite.
    """
    S, single = as_stack(corr)
    Sig = np.asarray(implied, dtype=float).reshape(S.shape)
    p = S.shape[-1]
    diff = S - Sig
    low = np.tril_indices(p)
    srmr = np.sqrt((diff[:, low[0], low[1]] ** 2).mean(axis=1))
    d_uls = 0.5 * (diff**2).sum(axis=(1, 2))
    d_g = np.full(S.shape[0], np.nan)
    for b in range(S.shape[0]):
        try:
            chol = np.linalg.cholesky(S[b])
        except np.linalg.LinAlgError:
            continue
        half = np.linalg.solve(chol, Sig[b])
        M = np.linalg.solve(chol, half.T)  # L^-1 Sigma L^-T: eigenvalues of S^-1 Sigma
        phi = np.linalg.eigvalsh((M + M.T) / 2.0)
        if np.all(phi > 0):
            d_g[b] = 0.5 * float((np.log(phi) ** 2).sum())
    out = np.stack([srmr, d_uls, d_g], axis=1)
    return out[0] if single else out


def _sym_power(A: np.ndarray, power: float, name: str) -> np.ndarray:
    vals, vecs = np.linalg.eigh((A + A.T) / 2.0)
    if not vals.min() > 1e-12 * max(1.0, float(vals.max())):
        raise CsiInputError(
            f"the {name} is not positive definite (smallest eigenvalue {vals.min():.3g}); "
            "the Bollen-Stine transformation needs a positive definite matrix"
        )
    return (vecs * vals**power) @ vecs.T


def bollen_stine(data: Any, implied: Any) -> np.ndarray:
    """The Bollen-Stine transformation ``Z* = Z S^-1/2 Sigma^1/2`` (Bollen & Stine 1992).

    ``data``: respondents x items (array or DataFrame, complete rows; never modified);
    ``implied``: the ``p x p`` correlation matrix to impose. ``Z`` are the data
    standardised (mean 0, sd 1 with divisor ``n - 1``) and ``S`` their correlation
    matrix; the result has mean 0 and correlation (and covariance) matrix ``Sigma``
    exactly. Symmetric square roots from the eigendecomposition.
    """
    X = np.array(data, dtype=float)  # a copy
    Sig = np.asarray(implied, dtype=float)
    if X.ndim != 2 or Sig.shape != (X.shape[1], X.shape[1]):
        raise CsiInputError(
            f"bollen_stine: data has shape {X.shape}, implied {Sig.shape}; "
            "need n x p data and a p x p matrix"
        )
    if not np.isfinite(X).all():
        r, c = (int(v) for v in np.argwhere(~np.isfinite(X))[0])
        raise CsiInputError(
            f"bollen_stine: data has a missing or infinite value at row {r}, column {c}"
        )
    sd = X.std(axis=0, ddof=1)
    if not (sd > 0).all():
        raise CsiInputError(f"bollen_stine: column {int(np.flatnonzero(~(sd > 0))[0])} is constant")
    Z = (X - X.mean(axis=0)) / sd
    S = (Z.T @ Z) / (X.shape[0] - 1)
    return (
        Z
        @ _sym_power(S, -0.5, "sample correlation matrix")
        @ _sym_power(Sig, 0.5, "model-implied correlation matrix")
    )


@dataclass(frozen=True, repr=False)
class ModelFit:
    """Fit measures of a PLS model (:func:`model_fit`).

    Attributes
    ----------
    table:
        Columns :data:`FIT_COLUMNS`: ``model`` (``saturated``, ``estimated``),
        ``measure`` (``srmr``, ``d_uls``, ``d_g``), ``value``, ``hi95`` and ``hi99``
        (95% and 99% quantiles of the Bollen-Stine bootstrap; NaN without bootstrap)
        and ``exact_fit_95`` / ``exact_fit_99`` (value <= quantile: exact fit not
        rejected at 5% / 1%; ``<NA>`` without bootstrap).
    implied:
        The implied item correlation matrices, ``{"saturated": ..., "estimated": ...}``.
    n_bootstrap, n_failed, failures:
        Resamples drawn, how many failed (``failures``: ``resample, reason, detail``).
    seed, consistent, n:
        The seed used, whether the fit was PLSc, respondents.
    """

    table: pd.DataFrame
    implied: dict[str, pd.DataFrame] = field(repr=False)
    n_bootstrap: int
    n_failed: int
    failures: pd.DataFrame
    seed: Any
    consistent: bool
    n: int

    @property
    def srmr(self) -> float:
        """SRMR of the estimated model."""
        return self.value("srmr")

    def value(self, measure: str, model: str = "estimated") -> float:
        """One value of the table, e.g. ``value("d_g", "saturated")``."""
        check_choice(measure, MEASURES, name="measure")
        check_choice(model, MODELS, name="model")
        row = self.table[(self.table["measure"] == measure) & (self.table["model"] == model)]
        return float(row["value"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    def summary(self, digits: int = 3, *, lang: str = "en") -> Summary:
        """A text table: measures x models with the bootstrap quantiles."""
        check_lang(lang)
        head = [
            text("model_fit.title", lang, kind="PLSc" if self.consistent else "PLS", n=self.n),
            text("model_fit.bootstrap", lang, resamples=self.n_bootstrap, failed=self.n_failed)
            + (text("model_fit.seed", lang, seed=self.seed) if self.n_bootstrap else ""),
        ]
        frame = self.table.copy()
        for c in ("value", "hi95", "hi99"):
            frame[c] = frame[c].round(digits)
        return Summary(
            "\n".join([*head, "", frame.to_string(index=False)]),
            title=head[0],
            notes=head[1:],
            tables={"SRMR, d_ULS, d_G": frame},
            lang=lang,
        )

    def __repr__(self) -> str:
        return (
            f"ModelFit(srmr={self.srmr:.4f}, n_bootstrap={self.n_bootstrap}, "
            f"n_failed={self.n_failed})"
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _fit_values(fit: Any, layout: Layout, consistent: bool) -> tuple[np.ndarray, np.ndarray]:
    """Implied matrices (saturated, estimated) of a fit's arrays (a PLSArrays or StackFit)."""
    sat = implied_correlation(
        fit.corr, fit.loadings, fit.construct_corr, layout, consistent=consistent
    )
    est = implied_correlation(
        fit.corr,
        fit.loadings,
        fit.construct_corr,
        layout,
        consistent=consistent,
        paths=fit.paths,
        r2=np.nan_to_num(fit.r2, nan=0.0),
    )
    return sat, est


def _complete_data(result: PLSResult) -> np.ndarray:
    """The item data the model was fitted on (listwise rows; mean: replaced answers)."""
    if result.source_data is None or result.row_positions is None:
        raise CsiInputError(
            "the bootstrap of the fit measures needs the raw data: this model was fitted "
            "from moments only (fit_pls_moments); use fit_pls on the data"
        )
    if result.weighted:
        raise CsiInputError(
            "the Bollen-Stine bootstrap of a weighted fit is not supported: refit with "
            "weights=False, or use bootstrap=0 for the fit measures alone"
        )
    if result.missing == "pairwise":
        raise CsiInputError(
            "the Bollen-Stine bootstrap needs complete data: refit with missing='listwise' "
            "or 'mean', or use bootstrap=0 for the fit measures alone"
        )
    block = result.source_data[list(result.layout.items)].iloc[result.row_positions]
    return block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def model_fit(
    result: PLSResult,
    *,
    bootstrap: int = 0,
    seed: Any = None,
    inadmissible: str = "keep",
    batch_size: int = 200,
) -> ModelFit:
    """SRMR, d_ULS and d_G of the saturated and estimated model, with bootstrap quantiles.

    Parameters
    ----------
    result:
        A :class:`csi.pls.PLSResult`.
    bootstrap:
        Bollen-Stine resamples for the test of exact fit (default 0: values only);
        a few hundred to 5,000 are usual (needs the raw data, unweighted, listwise or
        mean replacement).
    seed:
        Seed for :func:`numpy.random.default_rng` (fresh entropy when None, stored).
    inadmissible:
        PLSc resamples with a reliability above 1 or a correlation beyond ±1:
        ``"keep"`` (default) or ``"drop"``, as :func:`csi.pls.bootstrap.bootstrap`.
    batch_size:
        Resamples fitted together.

    Returns
    -------
    ModelFit
    """
    check_choice(inadmissible, INADMISSIBLE_RULES, name="inadmissible")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer) or bootstrap < 0:
        raise CsiInputError(f"bootstrap must be a whole number >= 0, got {bootstrap!r}")
    if bootstrap == 1:
        raise CsiInputError("bootstrap=1 gives no quantiles: use 0 or at least 2 resamples")
    layout = result.layout
    a = result.arrays
    sat, est = _fit_values(a, layout, result.consistent)
    values = np.concatenate([discrepancies(a.corr, sat), discrepancies(a.corr, est)])
    hi95 = np.full(values.size, np.nan)
    hi99 = np.full(values.size, np.nan)
    failed = np.zeros(0, dtype=np.intp)
    reasons: list[str] = []
    details: list[str] = []
    n_boot = int(bootstrap)
    if n_boot:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        rng = check_rng(seed)
        X = _complete_data(result)
        anchors = sign_anchors(result.sign, layout)
        engines = [
            Engine(
                layout=layout,
                raw=bollen_stine(X, implied),
                scheme=result.scheme,
                tol=result.tol,
                max_iter=result.max_iter,
                consistent=result.consistent,
                reference=np.asarray(a.weights, dtype=float),
                anchors=anchors,
                inadmissible=inadmissible,
            )
            for implied in (sat, est)
        ]
        draws = np.full((n_boot, values.size), np.nan)
        status = np.zeros(n_boot, dtype=np.int8)
        why: dict[int, str] = {}
        n_rows = X.shape[0]
        for start in range(0, n_boot, batch_size):
            b = min(batch_size, n_boot - start)
            counts = bootstrap_counts(rng.integers(0, n_rows, size=(b, n_rows)), n_rows)
            for m, engine in enumerate(engines):
                fit = engine.fit(counts)
                with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                    implied_b = _fit_values(fit, layout, result.consistent)[m]
                    d = discrepancies(fit.corr, implied_b)
                draws[start : start + b, 3 * m : 3 * m + 3] = d
                for k in range(b):
                    if status[start + k] != OK:
                        continue
                    if fit.status[k] != OK:
                        status[start + k] = fit.status[k]
                        why[start + k] = f"{MODELS[m]} model: " + fit.detail.get(
                            k, REASONS[int(fit.status[k])]
                        )
                    elif not np.isfinite(d[k]).all():
                        status[start + k] = REASONS.index("non-finite statistic")
                        bad = MEASURES[int(np.flatnonzero(~np.isfinite(d[k]))[0])]
                        why[start + k] = f"{MODELS[m]} model: {bad} is not finite"
        failed = np.flatnonzero(status != OK)
        valid = draws[status == OK]
        if valid.shape[0] < 2:
            raise CsiInputError(
                f"only {valid.shape[0]} of {n_boot} Bollen-Stine resamples could be estimated"
            )
        if failed.size > 0.01 * n_boot:
            warnings.warn(
                f"{failed.size} of {n_boot} Bollen-Stine resamples ({failed.size / n_boot:.1%}) "
                "failed and are left out; see ModelFit.failures",
                BootstrapFailureWarning,
                stacklevel=3,
            )
        hi95, hi99 = np.quantile(valid, [0.95, 0.99], axis=0)
        reasons = [REASONS[int(status[k])] for k in failed]
        details = [why.get(int(k), "") for k in failed]
    tested = np.isfinite(hi95) & np.isfinite(values)
    table = pd.DataFrame(
        {
            "model": [m for m in MODELS for _ in MEASURES],
            "measure": list(MEASURES) * len(MODELS),
            "value": values,
            "hi95": hi95,
            "hi99": hi99,
            "exact_fit_95": pd.array(np.where(tested, values <= hi95, False), dtype="boolean"),
            "exact_fit_99": pd.array(np.where(tested, values <= hi99, False), dtype="boolean"),
        }
    )
    table.loc[~tested, ["exact_fit_95", "exact_fit_99"]] = pd.NA
    items = list(layout.items)
    return ModelFit(
        table=table[list(FIT_COLUMNS)],
        implied={
            m: pd.DataFrame(mat, index=items, columns=items)
            for m, mat in zip(MODELS, (sat, est), strict=True)
        },
        n_bootstrap=n_boot,
        n_failed=int(failed.size),
        failures=pd.DataFrame({"resample": failed, "reason": reasons, "detail": details}),
        seed=seed if n_boot and not isinstance(seed, np.random.Generator) else None,
        consistent=result.consistent,
        n=result.n,
    )
