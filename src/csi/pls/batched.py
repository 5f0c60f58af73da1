"""PLS on many weighted copies of one data set at once (bootstrap, jackknife, permutations).

A resample of the ``N`` respondents is described by a row of counts ``c`` (how often
each respondent is drawn; 0/1 for a subgroup or a permutation). With the items
standardised once on the full sample, ``z = (x - mean) / sd``, the resample's moments
are weighted sums (Efron & Tibshirani 1993, ch. 6, "resampling vector")::

    m_c   = c' Z / sum(c)                        (item means, z units)
    M_c   = sum_i c_i z_i z_i' / sum(c)          (cross-products)
    cov_c = M_c - m_c m_c'                       (covariance, divisor sum(c))

and its correlation matrix is ``cov_c`` scaled to unit diagonal. For a stack of
``B`` count rows ``C`` (``B x N``) the sums and cross-products are one matrix product
``C [Z | P]``, ``P`` the ``N x p(p+1)/2`` products ``z_ik z_il`` (``k <= l``; built
once, or per batch in cache-sized chunks of :data:`_CHUNK_ROWS` rows for large ``N``),
run over row chunks of at most :data:`_COUNT_BLOCK` counts (compact ``uint8`` counts
become floats one chunk at a time): working memory does not grow with ``N``, the cost
per resample is linear in it (``2 (p + p(p+1)/2)`` flops per row and resample, 460 for
20 items, in one BLAS ``gemm`` per chunk; for a batch smaller than the product columns
the product is taken transposed, ``[Z | P]' C'``, which keeps OpenBLAS's threads busy;
see :meth:`Engine._sums`). With segments (:meth:`Engine.set_groups`) the rows are
visited in segment order and the product is taken per segment run, whose first ``p``
columns are the segment's sums ``c_g' Z_g``. The PLS iterations then run on the whole
stack of correlation matrices (:func:`csi.pls.stacked.iterate_weights`), each member
stopping on its own convergence.

Missing answers (``missing``): with ``"listwise"`` the rows are complete. With
``"mean"`` (mean replacement redone inside every resample) and ``"pairwise"`` the
rows keep their missing answers; with ``o_ik`` = 1 when respondent ``i`` answered
item ``k`` (``u = 1 - o``) and ``z`` set to 0 where an answer is missing, three more
weighted sums give every resample's moments in the same two matrix products
(``P = c'(z_k z_l)``, ``G = c'(z_k v_l)``, ``V = c'(v_k v_l)``, ``v = u`` for mean,
``v = o`` for pairwise)::

    mean:      m_k = c'z_k / (sum(c) - V_kk)              (observed mean)
               M   = (P + G diag(m) + diag(m) G' + V * m m') / sum(c),  cov = M - m m'
    pairwise:  cov_kl = (P_kl - G_kl G_lk / N_kl) / (N_kl - 1),  N_kl = V_kl,
               m_k = G_kk / N_kk

The first is the covariance of the resample after each missing answer is replaced
by the mean of the item's observed answers in that resample (what SmartPLS and
seminr do on the full sample); the second is the pairwise-complete covariance of
the resample (as ``pandas.DataFrame.cov``).

Survey weights (a weighted fit, ``Engine.row_weights``): each respondent's count is
multiplied by its weight, ``c_i -> c_i w_i``, before the sums above, so a
resample's moments are weighted by counts x weights (the weights are the fit's
effective ones, :func:`csi.moments.effective_weights`, so the full sample,
``c = 1``, reproduces the weighted fit, pairwise divisors included).

Failures are recorded per member, never dropped silently (reasons :data:`REASONS`,
explained in :mod:`csi.pls.bootstrap`, which adds ``non-finite statistic``). A failed
member's correlation matrix is replaced by the full-sample one so that the rest of
the stack runs; its values are marked invalid.

Sign correction (the rule used by :meth:`PLSResult.bootstrap`): the iterations
of every member use the fit's sign rule (``fit_pls(sign=...)``, see
:mod:`csi.pls.algorithm`), so a member's estimates equal a separate fit of its
data. Then, for the constructs under the default rule (``"loadings"``), each
construct's resample weights are compared with the full-sample weights; when
their inner product over the construct's items is negative, the construct's
weights are flipped (``w -> -w``) before paths, loadings and effects are
computed. Every PLS step commutes with such a flip, so this only picks the
orientation of the resample's construct that matches the full-sample construct
(construct-level sign change, Tenenhaus et al. 2005, sec. 2.6; Henseler, Ringle &
Sinkovics 2009). A construct with an anchor item keeps the anchor's orientation
(the anchor's loading positive: the rule the user chose identifies the sign),
and with ``sign="seminr"`` nothing is flipped (as seminr's bootstrap).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from csi.pls.algorithm import MAJORITY, Layout, PLSEstimationError, inner_estimates
from csi.pls.consistent import PLScWarning, consistent_estimates
from csi.pls.effects import total_effects
from csi.pls.stack_fit import (
    DEGENERATE,
    ESTIMATION_ERROR,
    INADMISSIBLE,
    INADMISSIBLE_RULES,
    NON_POSITIVE_RHO,
    NOT_CONVERGED,
    OK,
    StackFit,
)
from csi.pls.stack_fit import NON_FINITE as NON_FINITE
from csi.pls.stack_fit import REASONS as REASONS
from csi.pls.stack_fit import bootstrap_counts as bootstrap_counts
from csi.pls.stack_fit import run_ordered as run_ordered
from csi.pls.stacked import _solve_spd as _solve_spd
from csi.pls.stacked import _Weights, iterate_weights

#: Elements of the ``N x p(p+1)/2`` product matrix kept in memory at once (64 MB):
#: up to this size it is built once per engine, beyond it in row chunks per batch.
_PRODUCT_BLOCK = 8_000_000
#: Counts (batch x rows) converted to floats at once in the moments pass (32 MB).
_COUNT_BLOCK = 4_000_000
#: Rows per chunk when the products are built per batch (4,096 rows x 230 products of
#: 20 items = 7.5 MB: built, read by the matrix product while in cache, dropped).
_CHUNK_ROWS = 4096
#: Variance (in units of the full-sample variance) below which an item counts as constant.
_CONSTANT = 1e-10


@dataclass
class Engine:
    """The data and model prepared once for fitting many count vectors.

    ``raw`` is the item matrix ``(N, p)`` in layout order: complete cases for
    ``missing="listwise"``, with NaN for missing answers for ``"mean"`` and
    ``"pairwise"`` (see the module docstring); ``reference`` the full-sample
    weights used for sign correction. ``z`` is 0 where an answer is missing.
    ``row_weights`` ``(N,)`` (optional): survey weights multiplying every count row
    (see the module docstring); ``StackFit.counts`` then holds counts x weights.
    ``anchors``: the fit's sign rule (:func:`csi.pls.algorithm.sign_anchors`; ``None``
    for the default); ``inadmissible``: ``"keep"`` (default) or ``"drop"`` (PLSc
    members with a reliability above 1 or a correlation beyond ±1 fail).
    """

    layout: Layout
    raw: np.ndarray
    scheme: str
    tol: float
    max_iter: int
    consistent: bool
    reference: np.ndarray
    missing: str = "listwise"
    row_weights: np.ndarray | None = None
    anchors: np.ndarray | None = None
    inadmissible: str = "keep"
    #: True when ``raw`` was made for this engine alone: it is standardised in place
    #: (``raw`` and ``z`` are then one array), saving a copy of the data.
    own_raw: bool = False
    mu: np.ndarray = field(init=False)
    sd: np.ndarray = field(init=False)
    z: np.ndarray = field(init=False)
    _tri: tuple[np.ndarray, np.ndarray] = field(init=False)
    _products: np.ndarray | None = field(init=False, default=None)
    _observed: np.ndarray | None = field(init=False, default=None)
    _fallback_corr: np.ndarray = field(init=False)
    groups: np.ndarray | None = field(init=False, default=None)
    _order: np.ndarray | None = field(init=False, default=None)
    _runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(init=False, default=None)
    _n_groups: int = field(init=False, default=0)
    _zv: np.ndarray = field(init=False)
    _positions: np.ndarray | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.missing not in ("listwise", "mean", "pairwise"):
            raise ValueError(f"missing must be listwise, mean or pairwise, got {self.missing!r}")
        if self.inadmissible not in INADMISSIBLE_RULES:
            raise ValueError(
                f"inadmissible must be one of {INADMISSIBLE_RULES}, got {self.inadmissible!r}"
            )
        raw = np.asarray(self.raw, dtype=float)
        self.raw = raw
        p = raw.shape[1]
        observed = ~np.isnan(raw)
        self._observed = None if self.missing == "listwise" else observed
        rw = None
        if self.row_weights is not None:
            rw = np.asarray(self.row_weights, dtype=float)
            if rw.shape != (raw.shape[0],):
                raise ValueError(f"row_weights must have shape ({raw.shape[0]},), got {rw.shape}")
            self.row_weights = rw
        if (self.missing == "listwise" or observed.all()) and rw is None:
            self.mu = raw.mean(axis=0)
            sd = raw.std(axis=0)
        else:
            wcol = (np.ones(raw.shape[0]) if rw is None else rw)[:, None]
            count = (observed * wcol).sum(axis=0)
            filled = np.where(observed, raw, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                self.mu = np.where(count > 0, (filled * wcol).sum(axis=0) / count, 0.0)
                dev = np.where(observed, raw - self.mu, 0.0)
                sd = np.sqrt((dev**2 * wcol).sum(axis=0) / count)
            sd = np.where(np.isfinite(sd), sd, 0.0)
        self.sd = np.where(sd > 0, sd, 1.0)
        if self.own_raw:  # the same two operations, in the caller's spare array
            raw -= self.mu
            self.z = raw
        else:
            self.z = raw - self.mu
        self.z /= self.sd
        if self._observed is not None:
            self.z[~observed] = 0.0
        self._zv = self.z  # z in the visiting order of the rows (set_groups)
        self._tri = np.triu_indices(p)
        if raw.shape[0] * self._n_products <= _PRODUCT_BLOCK:
            self._products = self._product_rows(slice(None))
        _, cov, _ = self._finish(*self._sums(np.ones((1, raw.shape[0])), rw)[:3])
        sdz = np.sqrt(np.abs(np.diagonal(cov[0])))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov[0] / np.outer(sdz, sdz)
        self._fallback_corr = np.where(np.isfinite(corr), corr, np.eye(p))

    @property
    def n_rows(self) -> int:
        return int(self.raw.shape[0])

    @property
    def _n_products(self) -> int:
        """Columns of :meth:`_product_rows`: ``z``, then the products."""
        p, t = self.raw.shape[1], self._tri[0].size
        return p + (t if self._observed is None else 2 * t + p * p)

    def set_groups(self, codes: np.ndarray, n_groups: int) -> None:
        """Add each segment's sums to every fit (``StackFit.segment_sums``); ``codes`` ``(N,)``
        the segment (0 to ``n_groups - 1``, -1: none) of each row, visited in segment order."""
        codes = np.asarray(codes, dtype=np.intp)
        if codes.shape != (self.n_rows,) or codes.max(initial=-1) >= n_groups:
            raise ValueError(f"codes must be ({self.n_rows},) segment numbers below {n_groups}")
        order = np.argsort(codes, kind="stable")
        in_order = codes[order]
        starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1]])
        self._runs = (in_order[starts], starts, np.r_[starts[1:], self.n_rows])
        self._order, self.groups, self._n_groups = order, codes, n_groups
        self._zv, self._positions = self.z[order], np.argsort(order)
        self._products = None
        if self.n_rows * self._n_products <= _PRODUCT_BLOCK:
            self._products = self._product_rows(slice(None))

    def _product_rows(self, rows: slice, transposed: bool = False) -> np.ndarray:
        """Per row: ``z``, the products ``z_k z_l`` (k <= l); with missing answers also
        ``z_k v_l`` (all k, l) and ``v_k v_l`` (k <= l), ``v`` = missing (mean) or observed
        (pairwise). ``rows``: of the visiting order (segment order after :meth:`set_groups`).
        ``transposed``: the same numbers as a ``(columns, rows)`` array."""
        zr = self._zv[rows]
        (n, p), t = zr.shape, self._tri[0].size
        starts = np.r_[0, np.cumsum(np.arange(p, 0, -1))][:-1] + p
        if transposed and self._observed is None:  # built row by row of the transpose
            zt = np.ascontiguousarray(zr.T)
            out_t = np.empty((self._n_products, n))
            out_t[:p] = zt
            for k, at in enumerate(starts):
                np.multiply(zt[k : k + 1], zt[k:], out=out_t[at : at + p - k])
            return out_t
        out = np.empty((n, self._n_products))
        out[:, :p] = zr
        for k, at in enumerate(starts):
            np.multiply(zr[:, k : k + 1], zr[:, k:], out=out[:, at : at + p - k])  # z_k z_l, l >= k
        if self._observed is not None:
            i, j = self._tri
            zt = np.ascontiguousarray(zr.T)
            obs = self._observed[rows if self._order is None else self._order[rows]]
            vt = np.ascontiguousarray((~obs if self.missing == "mean" else obs).T, dtype=float)
            out[:, p + t : p + t + p * p] = (zt[:, None, :] * vt[None, :, :]).reshape(p * p, n).T
            out[:, p + t + p * p :] = (vt[i] * vt[j]).T
        return out.T if transposed else out

    # ------------------------------------------------------------ moments
    def weighted_counts(self, counts: np.ndarray) -> np.ndarray:
        """Counts x survey weights ``(B, N)`` (the counts themselves when unweighted)."""
        C = np.asarray(counts, dtype=float)
        return C if self.row_weights is None else C * self.row_weights

    def moments(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weighted means ``(B, p)``, covariances ``(B, p, p)`` (z units) and ``sum(c)``;
        ``counts`` are used as given (already multiplied by any survey weights)."""
        return self._finish(*self._sums(np.asarray(counts), None)[:3])

    def _sums(
        self, C: np.ndarray, weights: np.ndarray | None, visit_order: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """``sum(c)``, ``c'Z``, ``c'P`` and per segment ``c_g'Z_g``, ``sum(c_g)`` in one
        pass over row chunks (``c`` = counts x ``weights``; module docstring): one matrix
        product per chunk, or per segment run of a chunk (whose first ``p`` columns are
        the segment's sums).

        The product is taken with the larger of the batch and the product columns as
        the rows of the result (``C P``, or ``P' C'`` for a batch smaller than the
        columns): OpenBLAS shares that dimension among its threads; with the batch (127)
        as the rows of ``C P`` its two threads waited on each other (1-3 GFLOPS against
        12-18 for one thread, 2-core development machine under load). Products built
        per batch are built :data:`_CHUNK_ROWS` rows at a time, so they stay in cache."""
        n_batch, p, width = C.shape[0], self.z.shape[1], self._n_products
        flip = n_batch < width  # result (width, batch)
        step = max(1, _COUNT_BLOCK // max(n_batch, 1))
        if self._products is None:
            step = min(step, _CHUNK_ROWS)
        whole = step >= self.n_rows and (self._order is None or visit_order)
        total = np.zeros(n_batch)
        cross = np.zeros((width, n_batch) if flip else (n_batch, width))
        runs = self._runs
        seg = np.zeros((n_batch, self._n_groups, p)) if runs is not None else None
        seg_total = np.zeros((n_batch, self._n_groups))
        for start in range(0, self.n_rows, step):
            rows = slice(start, start + step)
            at = rows if self._order is None else self._order[rows]
            Cc = np.asarray(C if whole else C[:, rows if visit_order else at], dtype=float)
            if weights is not None:
                Cc = Cc * weights[at]
            if self._products is not None:
                part = self._products[rows].T if flip else self._products[rows]
            else:  # built as (columns, rows), 4x faster than row by row, used either way
                part_t = self._product_rows(rows, transposed=True)
                part = part_t if flip else part_t.T
            total += Cc.sum(axis=1)
            if runs is None or seg is None:
                cross += part @ Cc.T if flip else Cc @ part
                continue
            g, a, b = runs
            stop = start + Cc.shape[1]
            for k in np.flatnonzero((a < stop) & (b > start)):
                lo, hi = max(a[k], start) - start, min(b[k], stop) - start
                if flip:
                    piece_t = part[:, lo:hi] @ Cc[:, lo:hi].T
                    cross += piece_t
                    sums_g = piece_t[:p].T
                else:
                    piece = Cc[:, lo:hi] @ part[lo:hi]
                    cross += piece
                    sums_g = piece[:, :p]
                if g[k] >= 0:
                    seg[:, g[k]] += sums_g
                    seg_total[:, g[k]] += Cc[:, lo:hi].sum(axis=1)
        if flip:
            cross = np.ascontiguousarray(cross.T)
        return total, cross[:, :p], cross[:, p:], seg, None if seg is None else seg_total

    def _finish(
        self, total: np.ndarray, sums: np.ndarray, cross: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means, covariances and ``sum(c)`` from the weighted sums (module docstring)."""
        n_batch = total.shape[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = 1.0 / total
        p = self.z.shape[1]
        i, j = self._tri
        t = i.size

        def square(flat: np.ndarray) -> np.ndarray:
            out = np.empty((n_batch, p, p))
            out[:, i, j] = flat
            out[:, j, i] = flat
            return out

        P = square(cross[:, :t])
        if self._observed is None:
            means = sums * inv[:, None]
            cov = P * inv[:, None, None] - means[:, :, None] * means[:, None, :]
            return means, cov, total
        G = cross[:, t : t + p * p].reshape(-1, p, p)
        V = square(cross[:, t + p * p :])
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.missing == "mean":
                count = total[:, None] - np.einsum("bkk->bk", V)
                means = sums / count
                Gm = G * means[:, None, :]
                M = P + Gm + np.swapaxes(Gm, 1, 2) + V * means[:, :, None] * means[:, None, :]
                cov = M * inv[:, None, None] - means[:, :, None] * means[:, None, :]
                cov = np.where((count > 0)[:, :, None] & (count > 0)[:, None, :], cov, np.nan)
            else:
                means = np.einsum("bkk->bk", G) / np.einsum("bkk->bk", V)
                cov = (P - G * np.swapaxes(G, 1, 2) / V) / (V - 1.0)
                cov = np.where(V >= 2.0, cov, np.nan)
        return means, cov, total

    # ---------------------------------------------------------------- fit
    @property
    def positions(self) -> np.ndarray | None:
        """Column of each row in the visiting order (None: the rows' own order)."""
        return self._positions

    def fit(self, counts: np.ndarray, *, visit_order: bool = False) -> StackFit:
        """PLS estimates for each row of ``counts`` ``(B, N)`` (see :class:`StackFit`);
        ``visit_order``: the columns of ``counts`` are in the visiting order (:attr:`positions`)."""
        layout = self.layout
        counts = np.asarray(counts)
        if counts.dtype.kind not in "biuf":
            counts = counts.astype(float)
        sums = self._sums(counts, self.row_weights, visit_order)
        means_z, cov, total = self._finish(*sums[:3])
        n_batch, p = means_z.shape
        status = np.zeros(n_batch, dtype=np.int8)
        detail: dict[int, str] = {}
        var = np.einsum("bii->bi", cov)
        const = ~(var > _CONSTANT) | ~np.isfinite(var)
        no_pair = ~np.isfinite(cov).all(axis=(1, 2)) & ~const.any(axis=1)
        for b in np.flatnonzero(const.any(axis=1) | ~(total > 0) | no_pair):
            status[b] = DEGENERATE
            if not total[b] > 0:
                detail[int(b)] = "no respondents"
            elif no_pair[b]:
                k, m = (int(v) for v in np.argwhere(~np.isfinite(cov[b]))[0])
                detail[int(b)] = (
                    f"fewer than 2 respondents answer both {layout.items[k]!r} and "
                    f"{layout.items[m]!r} in the resample"
                )
            else:
                names = [layout.items[k] for k in np.flatnonzero(const[b])]
                detail[int(b)] = "constant item(s) in the resample: " + ", ".join(names)
        sdz = np.sqrt(np.where(const, 1.0, var))
        S = cov / sdz[:, :, None] / sdz[:, None, :]
        idx = np.arange(p)
        S[:, idx, idx] = 1.0
        bad = status != OK
        if bad.any():
            S[bad] = self._fallback_corr
        weights = self._weights(S, status, detail)
        # sign correction against the full-sample weights (default-rule constructs only)
        dots = np.einsum("bp,p,pj->bj", weights, self.reference, layout.mask)
        flips = dots < 0
        if self.anchors is not None:
            flips &= (self.anchors == MAJORITY)[None, :]
        weights = weights * np.where(flips[:, layout.block], -1.0, 1.0)
        flips &= (status == OK)[:, None]
        inner = inner_estimates(S, weights, layout)
        paths, r2, ccorr = inner.paths, inner.r2, inner.construct_corr
        loadings = inner.cross_loadings[:, np.arange(p), layout.block]
        inadmissible = np.zeros(n_batch, dtype=bool)
        rho = None
        if self.consistent:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PLScWarning)
                with np.errstate(invalid="ignore", divide="ignore"):
                    cf = consistent_estimates(S, weights, ccorr, layout)
            paths, r2, ccorr, loadings = cf.paths, cf.r2, cf.construct_corr, cf.loadings
            rho = cf.rho_a
            inadmissible = self._admissibility(rho, ccorr, status, detail)
        try:
            total_eff = total_effects(paths)
        except np.linalg.LinAlgError:  # pragma: no cover - acyclic models cannot be singular
            total_eff = np.full_like(paths, np.nan)
        sd_raw = self.sd * np.sqrt(np.where(const, 0.0, var))
        means_raw = self.mu + self.sd * means_z
        return StackFit(
            layout=layout,
            status=status,
            detail=detail,
            corr=S,
            cov_z=cov,
            weights=weights,
            loadings=loadings,
            cross_loadings=inner.cross_loadings,
            construct_corr=ccorr,
            paths=paths,
            total=total_eff,
            r2=r2,
            means=means_raw,
            sd=sd_raw,
            weight_total=total,
            flips=flips,
            inadmissible=inadmissible & (status == OK),
            n_rows=self.n_rows,
            raw_counts=counts,
            rho_a=rho,
            row_weights=self.row_weights,
            segment_sums=sums[3],
            segment_totals=sums[4],
            positions=self.positions if visit_order else None,
        )

    def _admissibility(
        self, rho: np.ndarray, ccorr: np.ndarray, status: np.ndarray, detail: dict[int, str]
    ) -> np.ndarray:
        """Mark PLSc members: ``rho_A <= 0`` (or NaN) fails; above 1 or ``|r| > 1`` is
        inadmissible (fails with ``inadmissible="drop"``). Returns the inadmissible ones."""
        layout = self.layout
        names = layout.constructs
        off = ~np.eye(layout.n_constructs, dtype=bool)
        for b in np.flatnonzero(~(rho > 0).all(axis=1) & (status == OK)):
            j = int(np.flatnonzero(~(rho[b] > 0))[0])
            status[b] = NON_POSITIVE_RHO
            detail[int(b)] = f"PLSc: construct {names[j]!r} has rho_A = {float(rho[b, j]):.4g} <= 0"
        with np.errstate(invalid="ignore"):
            high = rho > 1
            beyond = np.abs(ccorr) > 1 + 1e-12
            beyond &= off[None]
        inadmissible = high.any(axis=1) | beyond.any(axis=(1, 2))
        if self.inadmissible == "drop":
            for b in np.flatnonzero(inadmissible & (status == OK)):
                status[b] = INADMISSIBLE
                if high[b].any():
                    j = int(np.flatnonzero(high[b])[0])
                    detail[int(b)] = (
                        f"PLSc: construct {names[j]!r} has rho_A = {float(rho[b, j]):.4g} > 1"
                    )
                else:
                    i, j = (int(v) for v in np.argwhere(beyond[b])[0])
                    detail[int(b)] = (
                        f"PLSc: correlation of {names[i]!r} and {names[j]!r} is "
                        f"{float(ccorr[b, i, j]):.4g}, beyond ±1"
                    )
        return inadmissible

    def _weights(self, S: np.ndarray, status: np.ndarray, detail: dict[int, str]) -> np.ndarray:
        """Outer weights of the stack; members that raise are found one by one and replaced."""
        layout = self.layout
        try:
            wf = self._iterate(S)
            inner_estimates(S, wf.weights, layout)  # raises on collinear predecessors
        except PLSEstimationError:
            for b in range(S.shape[0]):
                if status[b] != OK:
                    continue
                try:
                    one = self._iterate(S[b : b + 1])
                    inner_estimates(S[b], one.weights[0], layout)
                except PLSEstimationError as exc:
                    status[b] = ESTIMATION_ERROR
                    detail[b] = str(exc)
                    S[b] = self._fallback_corr
            wf = self._iterate(S)
        late = ~np.asarray(wf.converged) & (status == OK)
        for m in np.flatnonzero(late):
            status[m] = NOT_CONVERGED
            detail[int(m)] = (
                f"no convergence in {int(wf.iterations[m])} iterations "
                f"(last change {float(wf.change[m]):.2e})"
            )
        return np.asarray(wf.weights, dtype=float)

    def _iterate(self, S: np.ndarray) -> _Weights:
        return iterate_weights(
            S,
            self.layout,
            scheme=self.scheme,
            tol=self.tol,
            max_iter=self.max_iter,
            anchors=self.anchors,
        )
