"""The PLS path modelling algorithm, working on an indicator correlation matrix.

Everything here is plain numpy on arrays, with an optional leading batch axis: a
stack of ``B`` correlation matrices of shape ``(B, p, p)`` is estimated in one go
(the bootstrap feeds resampled correlation matrices this way). Names, checks and
tables are added by :func:`csi.pls.fit_pls` and :class:`csi.pls.result.PLSResult`.

The algorithm (Wold 1982; Lohmöller 1989, ch. 2; Tenenhaus, Esposito Vinzi, Chatelin
& Lauro 2005, *Computational Statistics & Data Analysis* 48, 159-205), with
standardised indicators ``x`` (correlation matrix ``S``) and constructs ``j``:

1. Outer proxies ``Y_j = X_j w_j`` scaled to unit variance (``w_j' S_jj w_j = 1``);
   initial weights all 1 (as SmartPLS).
2. Inner weights ``e_ij`` between adjacent constructs (``r_ij = cor(Y_i, Y_j)``):

   * centroid: ``e_ij = sign(r_ij)``;
   * factorial: ``e_ij = r_ij``;
   * path: for a predecessor ``i`` of ``j`` (``i -> j``), ``e_ij`` is the coefficient
     of ``Y_i`` in the least-squares regression of ``Y_j`` on all its predecessors;
     for a successor ``i`` of ``j`` (``j -> i``), ``e_ij = r_ij``.

   Inner proxies ``Z_j = sum_i e_ij Y_i``. A construct without neighbours uses its
   own proxy (``Z_j = Y_j``, which gives its first principal component in Mode A).
3. New outer weights: Mode A (reflective) ``w_j = cov(X_j, Z_j)``; Mode B (formative)
   ``w_j = S_jj^-1 cov(X_j, Z_j)``; then rescaled to unit-variance proxies. All
   blocks are updated at once (Lohmöller's variant, as SmartPLS and plspm).
4. Stop when the largest absolute change of any outer weight between two
   iterations (the max norm of the change) is below ``tol``.

Signs: every step commutes with flipping the sign of a construct, so a rule
picks each construct's orientation (``sign=`` of :func:`csi.fit_pls`, see
:func:`sign_anchors`). After each update each construct's weights are flipped,
if needed:

* ``"loadings"`` (default): so that most of its loadings are positive (ties
  broken by the sign of the loading sum). A negative Satisfaction -> Complaints
  path then comes out negative instead of being absorbed in a flipped Complaints
  score.
* an anchor item per construct (a dict construct -> item): so that the anchor's
  loading is positive (constructs not named follow ``"loadings"``).
* ``"seminr"``: never; the orientation is the one the iterations reach from the
  unit starting weights, as in seminr (Ray, Danks & Calero Valdez, R package
  ``seminr``), which applies no sign rule.

After convergence, paths are the least-squares regressions of each endogenous
construct on its predecessors, all from ``R = W' S W`` (construct correlations).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from csi._checks import CsiInputError, CsiWarning
from csi.pls.layout import CONSTANTS, Layout

#: The inner weighting schemes.
SCHEMES = ("path", "centroid", "factorial")
#: The named sign rules of ``fit_pls(sign=...)`` (a dict construct -> anchor item too).
SIGN_RULES = ("loadings", "seminr")
#: Codes of :func:`sign_anchors`: majority of loadings positive / no sign rule.
MAJORITY, NO_RULE = -1, -2


class PLSConvergenceWarning(CsiWarning):
    """The PLS algorithm stopped at ``max_iter`` before the outer weights converged."""


class PLSEstimationError(ArithmeticError):
    """The PLS algorithm met a singular matrix (collinear indicators or constructs)."""


@dataclass(frozen=True)
class WeightFit:
    """Converged outer weights (per item, giving unit-variance construct proxies).

    Arrays have the batch shape of the input in front: ``weights`` is ``(..., p)``,
    the others ``(...)``. ``change`` is the max-norm change of the last iteration.
    """

    weights: np.ndarray
    iterations: np.ndarray | np.integer[Any]  # a numpy scalar for one matrix
    converged: np.ndarray | np.bool_
    change: np.ndarray | np.floating[Any]


@dataclass(frozen=True)
class InnerFit:
    """Everything that follows from the weights and the correlation matrix.

    ``construct_corr`` ``(..., J, J)``; ``cross_loadings`` ``(..., p, J)`` (correlation
    of each item with each construct); ``paths`` ``(..., J, J)`` with ``paths[s, t]``
    the standardised coefficient of ``s -> t``; ``r2`` ``(..., J)`` (NaN for
    exogenous constructs).
    """

    construct_corr: np.ndarray
    cross_loadings: np.ndarray
    paths: np.ndarray
    r2: np.ndarray


def sign_anchors(sign: Any, layout: Layout) -> np.ndarray | None:
    """The sign rule as one code per construct (``None`` for the default rule).

    ``sign`` is ``"loadings"`` (every construct: most loadings positive; returns
    ``None``), ``"seminr"`` (every construct :data:`NO_RULE`) or a mapping
    construct -> anchor item: the anchor's position in ``layout.items`` for the
    constructs named, :data:`MAJORITY` for the others. Raises naming an unknown
    construct, or an item that is not one of its construct's.
    """
    if isinstance(sign, str):
        if sign == "loadings":
            return None
        if sign == "seminr":
            return np.full(layout.n_constructs, NO_RULE, dtype=np.intp)
        raise CsiInputError(
            f"sign must be one of {SIGN_RULES} or a dict construct -> anchor item, got {sign!r}"
        )
    if not isinstance(sign, Mapping):
        raise CsiInputError(
            f"sign must be one of {SIGN_RULES} or a dict construct -> anchor item, "
            f"got {type(sign).__name__}"
        )
    codes = np.full(layout.n_constructs, MAJORITY, dtype=np.intp)
    pos = {c: j for j, c in enumerate(layout.constructs)}
    for construct, item in sign.items():
        if construct not in pos:
            raise CsiInputError(
                f"sign: {construct!r} is not a construct of the model "
                f"(constructs: {', '.join(layout.constructs)})"
            )
        j = pos[construct]
        own = [layout.items[k] for k in layout.block_items(j)]
        if item not in own:
            raise CsiInputError(
                f"sign: anchor {item!r} of construct {construct!r} is not one of its items "
                f"({', '.join(own)})"
            )
        codes[j] = layout.items.index(item)
    return codes


def _orientation(SW: np.ndarray, layout: Layout, anchors: np.ndarray | None) -> np.ndarray:
    """``(B, J)`` factors ±1 that orient every construct by the sign rule ``anchors``."""
    sign = np.sign(np.einsum("bpj,pj->bj", np.sign(SW), layout.mask))
    if not sign.all():  # as many negative as positive loadings: sign of their sum
        total = np.einsum("bpj,pj->bj", SW, layout.mask)
        sign = np.where(sign != 0, sign, np.where(total < 0, -1.0, 1.0))
    if anchors is None:
        return sign
    cols = np.arange(layout.n_constructs)
    anchored = anchors >= 0
    if anchored.any():
        own = SW[:, np.maximum(anchors, 0), cols]  # (B, J) anchor loadings
        by_anchor = np.where(own < 0, -1.0, np.where(own > 0, 1.0, sign))
        sign = np.where(anchored, by_anchor, sign)
    return np.where(anchors == NO_RULE, 1.0, sign)


def _normalise(
    S: np.ndarray, W: np.ndarray, layout: Layout, anchors: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scale each construct's weights to a unit-variance proxy and fix its sign (in place).

    Returns ``(W, S @ W)``; ``(S @ W)[k, j]`` is the correlation of item ``k`` with
    proxy ``j`` (the loadings and cross-loadings). ``anchors``: the sign rule
    (:func:`sign_anchors`; ``None``: most loadings positive).
    """
    SW = S @ W
    var = np.einsum("bpj,bpj->bj", W, SW)
    if not np.all(var > 0):
        b, j = (int(v) for v in np.argwhere(~(var > 0))[0])
        raise PLSEstimationError(
            f"construct {layout.constructs[j]!r} got a proxy of zero variance"
            + (f" (resample {b})" if W.shape[0] > 1 else "")
            + "; it may have no path to a correlated construct"
        )
    sign = _orientation(SW, layout, anchors)
    factor = (sign / np.sqrt(var))[:, None, :]
    W *= factor
    SW *= factor
    return W, SW


def _inner_weights(C: np.ndarray, layout: Layout, scheme: str) -> np.ndarray:
    """Inner weights ``E[..., i, j]``: weight of proxy ``i`` in the inner proxy of ``j``."""
    if scheme == "centroid":
        E = np.sign(C) * layout.adjacent
    elif scheme == "factorial":
        E = C * layout.adjacent
    elif scheme == "path":
        E = C * layout.path.T  # successors: correlation
        if layout.targets.size:
            E[:, :, layout.targets] += np.swapaxes(_regressions(C, layout), 1, 2)
    else:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if layout.isolated.size:
        E[:, layout.isolated, layout.isolated] = 1.0
    return E


def _regressions(C: np.ndarray, layout: Layout) -> np.ndarray:
    """Regression weights of each endogenous construct on its predecessors, ``(B, T, J)``.

    All targets are solved in one batched call: target ``k``'s system is
    ``C[P, P] beta = C[P, t]`` padded with the identity outside its predecessors ``P``
    (so ``beta`` is 0 there).
    """
    pm = layout.pred_mask  # (T, J)
    A = np.where(layout.pred_pairs, C[:, None, :, :], layout.pred_padding)
    rhs = np.swapaxes(C[:, :, layout.targets], 1, 2) * pm  # (B, T, J)
    try:
        return np.linalg.solve(A, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError as exc:
        bad = []
        for k, t in enumerate(layout.targets):
            try:
                np.linalg.solve(A[:, k], rhs[:, k, :, None])
            except np.linalg.LinAlgError:
                bad.append(layout.constructs[t])
        raise PLSEstimationError(
            f"the predecessors of {', '.join(map(repr, bad))} are perfectly collinear"
        ) from exc


def _mode_b(S: np.ndarray, T: np.ndarray, layout: Layout) -> np.ndarray:
    """Replace the Mode B blocks of ``T`` (covariances with Z) by regression weights."""
    for j in np.flatnonzero(layout.mode_b):
        idx = layout.block_items(int(j))
        try:
            T[:, idx, j] = np.linalg.solve(
                S[:, idx[:, None], idx[None, :]], T[:, idx, j][..., None]
            )[..., 0]
        except np.linalg.LinAlgError as exc:
            raise PLSEstimationError(
                f"the indicators of formative construct {layout.constructs[j]!r} "
                "are perfectly collinear"
            ) from exc
    return T


def check_formative_blocks(corr: np.ndarray, layout: Layout, *, rcond: float = 1e-10) -> None:
    """Raise if the items of a Mode B construct are (nearly) perfectly collinear.

    The smallest eigenvalue of the block's correlation matrix must exceed ``rcond``
    times its largest; otherwise the regression weights are not identified.
    """
    S, _ = as_stack(corr)
    for j in np.flatnonzero(layout.mode_b):
        idx = layout.block_items(int(j))
        vals = np.linalg.eigvalsh(S[:, idx[:, None], idx[None, :]])
        if np.any(vals[:, 0] <= rcond * vals[:, -1]):
            raise PLSEstimationError(
                f"the indicators of formative construct {layout.constructs[j]!r} are "
                "perfectly collinear (one is a linear combination of the others); drop one"
            )


def as_stack(corr: np.ndarray) -> tuple[np.ndarray, bool]:
    """``corr`` as a stack ``(B, p, p)`` and whether it was one ``(p, p)`` matrix."""
    S = np.asarray(corr, dtype=float)
    if S.ndim == 2:
        return S[None], True
    if S.ndim == 3:
        return S, False
    raise ValueError(f"corr must have shape (p, p) or (B, p, p), got {S.shape}")


try:  # the gufunc behind np.linalg.solve, without its checks and error-state set-up
    from numpy.linalg import _umath_linalg

    _solve1: Any = _umath_linalg.solve1
except (ImportError, AttributeError):  # pragma: no cover - numpy without it
    _solve1 = None


def solve_vectors_checked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`solve_vectors` by ``np.linalg.solve`` (the reference): NaN for a singular
    system of the stack, the solution for the others."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        a, b = np.broadcast_arrays(a, b[..., None])
        out = np.full(b.shape[:-1], np.nan)
        for k in np.ndindex(a.shape[:-2]):
            try:
                out[k] = np.linalg.solve(a[k], b[k])[:, 0]
            except np.linalg.LinAlgError:
                pass  # stays NaN
        return out


def solve_vectors(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` with ``a[k] @ x[k] = b[k]`` for a stack of square systems (LAPACK ``gesv``).

    The same LU solve as ``np.linalg.solve`` (same numbers), called directly: about
    half its time for the small systems of the PLS iterations. A singular system gives
    NaN (with numpy's "invalid value" floating-point flag; callers that check for NaN
    run it under ``np.errstate(invalid="ignore")``) instead of ``LinAlgError``.
    ``out``: an array to write ``x`` into (returned).
    """
    if _solve1 is None:  # pragma: no cover
        x = solve_vectors_checked(a, b)
        if out is None:
            return x
        out[...] = x
        return out
    return _solve1(a, b, out=out)


def outer_weights(
    corr: np.ndarray,
    layout: Layout,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    anchors: np.ndarray | None = None,
) -> WeightFit:
    """Run the PLS iterations on a correlation matrix ``(p, p)`` or a stack ``(B, p, p)``.

    Items must be in ``layout.items`` order. In a stack, each member stops updating
    once it has converged, so its result equals a fit of that matrix alone.
    Non-convergence is reported in ``converged`` (no warning here). ``anchors``: the
    sign rule (:func:`sign_anchors`; default most loadings positive).
    """
    S, single = as_stack(corr)
    if single:
        return _outer_weights_one(S[0], layout, scheme, tol, max_iter, anchors)
    n_batch = S.shape[0]
    W = np.broadcast_to(layout.mask, (n_batch, *layout.mask.shape)).copy()
    W, SW = _normalise(S, W, layout, anchors)
    active = np.ones(n_batch, dtype=bool)
    iterations = np.zeros(n_batch, dtype=np.intp)
    change = np.full(n_batch, np.inf)
    for it in range(1, max_iter + 1):
        C = np.swapaxes(W, 1, 2) @ SW
        T = (SW @ _inner_weights(C, layout, scheme)) * layout.mask
        if layout.mode_b.any():
            T = _mode_b(S, T, layout)
        W_new, SW_new = _normalise(S, T, layout, anchors)
        delta = np.abs(W_new - W).max(axis=(1, 2))
        if active.all():
            W, SW = W_new, SW_new
        else:
            keep = active[:, None, None]
            W, SW = np.where(keep, W_new, W), np.where(keep, SW_new, SW)
        iterations[active] = it
        change[active] = delta[active]
        active &= ~(delta < tol)
        if not active.any():
            break
    w = W.sum(axis=2)
    converged = change < tol
    if single:
        return WeightFit(w[0], iterations[0], converged[0], change[0])
    return WeightFit(w, iterations, converged, change)


def _outer_weights_one(
    S: np.ndarray,
    layout: Layout,
    scheme: str,
    tol: float,
    max_iter: int,
    anchors: np.ndarray | None,
) -> WeightFit:
    """:func:`outer_weights` of one ``(p, p)`` matrix: the same steps on 2-d arrays,
    without the bookkeeping of a stack (about half the numpy calls per iteration)."""
    mask = layout.mask
    formative = bool(layout.mode_b.any())
    W, SW = _normalise_one(S, mask.copy(), layout, anchors)
    if scheme == "path" and not formative and anchors is None:
        return _path_iterations(S, W, SW, layout, tol, max_iter)
    change, it = np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the last value is the count
        C = W.T @ SW
        E = _path_weights_one(C, layout) if scheme == "path" else None
        if E is None:
            E = _inner_weights(C[None], layout, scheme)[0]
        T = (SW @ E) * mask
        if formative:
            T = _mode_b(S[None], T[None], layout)[0]
        W_new, SW = _normalise_one(S, T, layout, anchors)
        change = float(np.maximum.reduce(np.abs(W_new - W), axis=None))
        W = W_new
        if change < tol:
            break
    last = np.full(1, change)  # numpy scalars, as the stacked path returns
    w = np.add.reduce(W, axis=1)
    return WeightFit(w, np.full(1, it, dtype=np.intp)[0], (last < tol)[0], last[0])


def _path_iterations(
    S: np.ndarray, W: np.ndarray, SW: np.ndarray, layout: Layout, tol: float, max_iter: int
) -> WeightFit:
    """The iterations of :func:`_outer_weights_one` for the common case (path scheme,
    reflective and formative-free model, default sign rule), with the steps of
    :func:`_path_weights_one` and :func:`_normalise_one` written out: ``C`` and the
    regression weights are written into one buffer, from which ``take``
    (:class:`csi.pls.layout.Layout`) gathers the regression systems and the inner
    weights, and the count of positive loadings is a product with ones (exact): the
    same numbers in fewer numpy calls. A singular regression gives NaN weights
    (:func:`solve_vectors`), caught by the variance check, which then names it."""
    mask, path_take = layout.mask, layout.path_take
    matrix_take, rhs_take = layout.matrix_take, layout.rhs_take
    J, n_targets = layout.n_constructs, layout.targets.size
    flat = np.empty(J * J + CONSTANTS.size + n_targets * J)  # [C.ravel(), 0, 1, beta.ravel()]
    flat[J * J : J * J + CONSTANTS.size] = CONSTANTS
    C = flat[: J * J].reshape(J, J)  # views of the buffer, written in place below
    beta = flat[J * J + CONSTANTS.size :].reshape(n_targets, J)
    ones = np.ones(layout.n_items)
    add, minimum, maximum, both = (
        np.add.reduce,
        np.minimum.reduce,
        np.maximum.reduce,
        np.logical_and.reduce,
    )
    matmul, sign_of, solve, absolute, sqrt = np.matmul, np.sign, solve_vectors, np.abs, np.sqrt
    change, it = np.inf, 0
    with np.errstate(invalid="ignore"):  # NaN from a singular system: checked below
        for it in range(1, max_iter + 1):  # noqa: B007 - the last value is the count
            matmul(W.T, SW, out=C)
            if n_targets:
                solve(flat.take(matrix_take), flat.take(rhs_take), out=beta)
            T = (SW @ flat.take(path_take)) * mask
            SW = S @ T
            var = add(T * SW, axis=0)
            if not minimum(var) > 0:  # also NaN
                _regressions(C[None], layout)  # raises naming collinear predecessors
                _normalise_one(S, T, layout, None)  # raises naming the construct
            sign = sign_of(ones @ (sign_of(SW) * mask))
            if not both(sign):
                sign = _orientation(SW[None], layout, None)[0]
            factor = sign / sqrt(var)
            T *= factor
            SW *= factor
            change = float(maximum(absolute(T - W), axis=None))
            W = T
            if change < tol:
                break
    last = np.float64(change)  # numpy scalars, as the stacked path returns
    return WeightFit(add(W, axis=1), np.intp(it), np.bool_(last < tol), last)


def _path_weights_one(C: np.ndarray, layout: Layout) -> np.ndarray:
    """:func:`_inner_weights` of the path scheme for one ``(J, J)`` matrix (same values).

    Successors get the correlation, predecessors the regression weight: both
    gathered by ``take`` (:class:`csi.pls.layout.Layout`), each entry one value.
    """
    flat = np.concatenate((C.ravel(), CONSTANTS))
    if layout.targets.size:
        with np.errstate(invalid="ignore"):  # NaN from a singular system: checked below
            beta = solve_vectors(flat.take(layout.matrix_take), flat.take(layout.rhs_take))
        if math.isnan(np.add.reduce(beta, axis=None)):
            _regressions(C[None], layout)  # raises naming the collinear predecessors
        flat = np.concatenate((flat, beta.ravel()))
    return flat.take(layout.path_take)


def _normalise_one(
    S: np.ndarray, W: np.ndarray, layout: Layout, anchors: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_normalise` of one ``(p, J)`` weight matrix (in place)."""
    SW = S @ W
    # ufunc reductions called directly: the ndarray methods add a Python layer per call
    var = np.add.reduce(W * SW, axis=0)
    if not np.minimum.reduce(var) > 0:  # also catches NaN
        j = int(np.flatnonzero(~(var > 0))[0])
        raise PLSEstimationError(
            f"construct {layout.constructs[j]!r} got a proxy of zero variance"
            "; it may have no path to a correlated construct"
        )
    sign = np.sign(np.add.reduce(np.sign(SW) * layout.mask, axis=0))
    if anchors is not None or not np.logical_and.reduce(sign):
        sign = _orientation(SW[None], layout, anchors)[0]
    factor = sign / np.sqrt(var)
    W *= factor
    SW *= factor
    return W, SW


def inner_estimates(corr: np.ndarray, weights: np.ndarray, layout: Layout) -> InnerFit:
    """Construct correlations, cross-loadings, path coefficients and R² from the weights."""
    S, single = as_stack(corr)
    if single:
        return _inner_one(S[0], np.asarray(weights, dtype=float).reshape(-1), layout)
    W = np.asarray(weights, dtype=float).reshape(S.shape[0], -1)[:, :, None] * layout.mask
    SW = S @ W
    C = np.swapaxes(W, 1, 2) @ SW
    paths, r2 = regress_paths(C, layout)
    if single:
        return InnerFit(C[0], SW[0], paths[0], r2[0])
    return InnerFit(C, SW, paths, r2)


def _inner_one(S: np.ndarray, w: np.ndarray, layout: Layout) -> InnerFit:
    """:func:`inner_estimates` of one ``(p, p)`` matrix (the steps of the stack on 2-d
    arrays; the systems gathered by ``take`` and solved by :func:`solve_vectors`)."""
    W = w[:, None] * layout.mask
    SW = S @ W
    C = W.T @ SW
    J = layout.n_constructs
    paths = np.zeros((J, J))
    r2 = np.empty(J)
    r2.fill(np.nan)
    targets = layout.targets
    if targets.size:
        flat = np.concatenate((C.ravel(), CONSTANTS))
        rhs = flat.take(layout.rhs_take)
        with np.errstate(invalid="ignore"):  # NaN from a singular system: checked below
            beta = solve_vectors(flat.take(layout.matrix_take), rhs)
        explained = np.add.reduce(beta * rhs, axis=1)  # R² = C[t, P] beta
        if math.isnan(np.add.reduce(explained)):
            _regressions(C[None], layout)  # raises naming the collinear predecessors
        paths[:, targets] = beta.T
        r2[targets] = explained
    return InnerFit(C, SW, paths, r2)


def regress_paths(C: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Standardised path coefficients and R² by least squares on construct correlations.

    ``C`` is ``(B, J, J)``. For each endogenous ``t`` with predecessors ``P``:
    ``beta = C[P, P]^-1 C[P, t]`` and ``R² = C[t, P] beta``.
    """
    n_batch, J = C.shape[0], C.shape[1]
    paths = np.zeros((n_batch, J, J))
    r2 = np.full((n_batch, J), np.nan)
    if layout.targets.size:
        beta = _regressions(C, layout)  # (B, T, J)
        paths[:, :, layout.targets] = np.swapaxes(beta, 1, 2)
        r2[:, layout.targets] = np.einsum("bkj,bjk->bk", beta, C[:, :, layout.targets])
    return paths, r2
