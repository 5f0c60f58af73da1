"""The statistics computed on every resample, and the hook for adding more.

Each :class:`ResampleStatistic` turns a stack of resample fits
(:class:`csi.pls.batched.StackFit`) into a ``(B, k)`` array, with one label row per
column. The bootstrap (:mod:`csi.pls.bootstrap`) and the group comparison
(:mod:`csi.pls.mga`) evaluate the built-in statistics below plus any passed for one run as
``statistics=`` (there is no global registry); this is the hook for statistics
that live elsewhere, e.g. one of the resample's item correlation matrix ``fit.corr``::

    extra = ResampleStatistic(
        kind="item_correlation",
        labels=lambda ctx: [{"source": "QUAL1", "target": "QUAL2"}],
        compute=lambda fit, ctx: fit.corr[:, 3:4, 4],
    )
    result.bootstrap(n=2000, seed=1, statistics=[extra])

Label keys are the table's label columns :data:`LABEL_COLUMNS` (missing keys are
empty strings).

Built-in kinds: ``path`` (source, target), ``outer_weight`` and ``loading``
(construct, indicator), ``total_effect`` and ``indirect_effect`` (source,
target; indirect = total - direct), ``specific_indirect_effect`` (source,
target, route: the product of the paths along one chain of two or more paths),
``r2`` (construct), ``index`` (construct; segment for a segment's index) and
``index_difference`` (construct; segment ``"a - b"``) when the items' scale is
known, and ``htmt`` (source, target: every pair of constructs in model order; the
heterotrait-monotrait ratio of :func:`csi.quality.validity.htmt` on the resample's
item correlations; t and p are NaN since "HTMT = 0" is no hypothesis of interest:
read the upper interval bound against 0.85 or 0.90, Henseler, Ringle & Sarstedt
2015).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from csi.formulas import to_100
from csi.htmt import htmt
from csi.pls.algorithm import Layout
from csi.pls.batched import Engine, StackFit
from csi.pls.effects import effect_pairs, indirectly_reachable, reachable
from csi.spec import ModelSpec

#: Label columns of the bootstrap table, in order.
LABEL_COLUMNS = ("kind", "source", "target", "construct", "indicator", "segment", "route")


@dataclass(frozen=True)
class Context:
    """What a statistic may need besides the fits.

    ``lo``/``hi`` are the items' scale end points (``None`` when unknown: no index);
    ``segment_codes`` ``(N,)`` gives each respondent's segment number (``None``: no
    segments) and ``segment_names`` the segment labels.
    """

    layout: Layout
    engine: Engine
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    segment_codes: np.ndarray | None = None
    segment_names: tuple[str, ...] = ()
    segment_pairs: tuple[tuple[int, int], ...] = field(default=())
    spec: ModelSpec | None = None


@dataclass(frozen=True)
class ResampleStatistic:
    """A statistic evaluated on every resample.

    ``labels(ctx)`` gives one dict of label columns per value; ``compute(fit, ctx)``
    the values ``(B, k)``; ``se(fit, ctx)``, when given, a cheap standard error per
    value ``(B, k)`` used by studentized intervals; ``test_zero`` False when a test
    of "value = 0" means nothing (e.g. a 0-100 index): t and p are then NaN.
    ``counts`` True when ``compute`` needs the resample counts (``fit.counts``).
    """

    kind: str
    labels: Callable[[Context], list[dict[str, str]]]
    compute: Callable[[StackFit, Context], np.ndarray]
    se: Callable[[StackFit, Context], np.ndarray] | None = None
    test_zero: bool = True


def check_extra_statistics(extra: Sequence[ResampleStatistic]) -> tuple[ResampleStatistic, ...]:
    """Validate statistics passed for one run: the right type, and no kind given twice
    or clashing with a built-in kind."""
    seen: set[str] = set()
    for stat in extra:
        if not isinstance(stat, ResampleStatistic):
            raise TypeError(f"expected a ResampleStatistic, got {type(stat).__name__}")
        if stat.kind in _BUILTIN_KINDS or stat.kind in seen:
            raise ValueError(f"a statistic of kind {stat.kind!r} is already computed")
        seen.add(stat.kind)
    return tuple(extra)


# ------------------------------------------------------------------ helpers
def _pairs_labels(mask: np.ndarray, layout: Layout) -> list[dict[str, str]]:
    names = layout.constructs
    return [{"source": names[s], "target": names[t]} for s, t in effect_pairs(mask, layout)]


def _pairs_values(values: np.ndarray, mask: np.ndarray, layout: Layout) -> np.ndarray:
    pairs = effect_pairs(mask, layout)
    if not pairs:
        return np.zeros((values.shape[0], 0))
    s, t = (np.array(v) for v in zip(*pairs, strict=True))
    return values[:, s, t]


def routes(layout: Layout) -> list[tuple[int, ...]]:
    """Every directed chain of two or more paths, ordered by target, source, then route."""
    out: list[tuple[int, ...]] = []

    def walk(chain: tuple[int, ...]) -> None:
        for nxt in np.flatnonzero(layout.path[chain[-1]]):
            longer = (*chain, int(nxt))
            if len(longer) >= 3:
                out.append(longer)
            walk(longer)

    for start in range(layout.n_constructs):
        walk((start,))
    return sorted(out, key=lambda r: (r[-1], r[0], r))


def _path_se(fit: StackFit, ctx: Context) -> np.ndarray:
    """OLS SEs of the paths given the scores: ``sqrt((1-R²) [R_PP^-1]_ss / (n-k-1))``."""
    layout = ctx.layout
    n = np.maximum(fit.weight_total, 1.0)
    out = np.zeros_like(fit.paths)
    for t in layout.targets:
        pred = layout.predecessors[t]
        k = pred.size
        sub = fit.construct_corr[:, pred[:, None], pred[None, :]]
        with np.errstate(invalid="ignore", divide="ignore"):
            try:
                diag = np.einsum("bii->bi", np.linalg.inv(sub))
            except np.linalg.LinAlgError:
                diag = np.full((sub.shape[0], k), np.nan)
            resid = (1.0 - fit.r2[:, t])[:, None] / (n - k - 1)[:, None]
            out[:, pred, t] = np.sqrt(np.abs(resid * diag))
    return _pairs_values(out, layout.path, layout)


def _index_weights(fit: StackFit, ctx: Context) -> np.ndarray:
    """``u`` ``(B, p)``: weights on 0-100 item units normalised within each construct."""
    assert ctx.lo is not None and ctx.hi is not None
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = fit.weights / (fit.sd * 100.0 / (ctx.hi - ctx.lo))
        sums = raw @ ctx.layout.mask
        return raw / sums[:, ctx.layout.block]


def _to_100(means: np.ndarray, ctx: Context) -> np.ndarray:
    assert ctx.lo is not None and ctx.hi is not None
    return np.asarray(to_100(means, ctx.lo, ctx.hi))


def _index(fit: StackFit, ctx: Context) -> np.ndarray:
    return (_to_100(fit.means, ctx) * _index_weights(fit, ctx)) @ ctx.layout.mask


def _index_se(fit: StackFit, ctx: Context) -> np.ndarray:
    """SE of the index as a weighted mean with the weights held fixed: ``sqrt(u' Σ u / n)``."""
    assert ctx.lo is not None and ctx.hi is not None
    u = _index_weights(fit, ctx)
    scale = ctx.engine.sd * 100.0 / (ctx.hi - ctx.lo)  # z units -> 0-100 units
    uz = u * scale
    out = np.empty((u.shape[0], ctx.layout.n_constructs))
    for j in range(ctx.layout.n_constructs):
        k = ctx.layout.block_items(j)
        quad = np.einsum("bk,bkl,bl->b", uz[:, k], fit.cov_z[:, k[:, None], k[None, :]], uz[:, k])
        out[:, j] = np.sqrt(np.maximum(quad, 0.0) / np.maximum(fit.weight_total - 1.0, 1.0))
    return out


def _segment_means_z(fit: StackFit, ctx: Context) -> np.ndarray:
    """Each segment's item means in z units ``(B, G, p)``: ``c_g'Z_g / sum(c_g)``, from the
    engine's per-segment sums when it has the context's segments (one pass over the
    rows, :meth:`csi.pls.batched.Engine.set_groups`), else from the counts."""
    assert ctx.segment_codes is not None
    eng = ctx.engine
    with np.errstate(invalid="ignore", divide="ignore"):
        if (
            fit.segment_sums is not None
            and fit.segment_totals is not None
            and eng.groups is ctx.segment_codes
        ):
            return fit.segment_sums / fit.segment_totals[:, :, None]
        assert fit.counts is not None
        parts = []
        for g in range(len(ctx.segment_names)):
            rows = ctx.segment_codes == g
            c = fit.counts[:, rows]
            parts.append((c @ eng.z[rows]) / c.sum(axis=1)[:, None])
        return np.stack(parts, axis=1)


def _segment_index(fit: StackFit, ctx: Context) -> np.ndarray:
    """Each segment's index with the resample's own weights ``(B, G * J)``."""
    u = _index_weights(fit, ctx)
    eng = ctx.engine
    means = eng.mu + eng.sd * _segment_means_z(fit, ctx)
    index = (_to_100(means, ctx) * u[:, None, :]) @ ctx.layout.mask
    return index.reshape(index.shape[0], -1)


def _segment_difference(fit: StackFit, ctx: Context) -> np.ndarray:
    J = ctx.layout.n_constructs
    seg = _segment_index(fit, ctx).reshape(-1, len(ctx.segment_names), J)
    if not ctx.segment_pairs:
        return np.zeros((seg.shape[0], 0))
    G = seg.shape[1]
    if len(ctx.segment_pairs) == G * (G - 1) // 2 and ctx.segment_pairs == _all_pairs(G):
        # every pair in combinations order: segment i minus each later one, by slices
        out = np.empty((seg.shape[0], len(ctx.segment_pairs), J))
        pos = 0
        for i in range(G - 1):
            np.subtract(seg[:, i : i + 1, :], seg[:, i + 1 :, :], out=out[:, pos : pos + G - 1 - i])
            pos += G - 1 - i
        return out.reshape(seg.shape[0], -1)
    a, b = (np.array(v) for v in zip(*ctx.segment_pairs, strict=True))
    return (seg[:, a, :] - seg[:, b, :]).reshape(seg.shape[0], -1)


@functools.lru_cache(maxsize=8)
def _all_pairs(n: int) -> tuple[tuple[int, int], ...]:
    return tuple(itertools.combinations(range(n), 2))


def _specific(fit: StackFit, ctx: Context) -> np.ndarray:
    chains = routes(ctx.layout)
    out = np.ones((fit.paths.shape[0], len(chains)))
    for k, chain in enumerate(chains):
        for s, t in itertools.pairwise(chain):
            out[:, k] *= fit.paths[:, s, t]
    return out


def _htmt_pairs(layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(layout.n_constructs, 1)


def _htmt(fit: StackFit, ctx: Context) -> np.ndarray:
    assert ctx.spec is not None
    i, j = _htmt_pairs(ctx.layout)
    with np.errstate(invalid="ignore", divide="ignore"):
        return htmt(fit.corr, ctx.spec)[:, i, j]


def _endogenous(layout: Layout) -> list[int]:
    return [t for t, pred in enumerate(layout.predecessors) if pred.size]


# ------------------------------------------------------------------ built-ins
def builtin_statistics(ctx: Context) -> tuple[ResampleStatistic, ...]:
    """The built-in statistics for this context (index ones only when the scale is known)."""
    L = ctx.layout
    names = L.constructs
    owner = [names[b] for b in L.block]
    stats = [
        ResampleStatistic(
            "path",
            lambda c: _pairs_labels(c.layout.path, c.layout),
            lambda f, c: _pairs_values(f.paths, c.layout.path, c.layout),
            se=_path_se,
        ),
        ResampleStatistic(
            "outer_weight",
            lambda c: [
                {"construct": o, "indicator": i} for o, i in zip(owner, L.items, strict=True)
            ],
            lambda f, c: f.weights,
        ),
        ResampleStatistic(
            "loading",
            lambda c: [
                {"construct": o, "indicator": i} for o, i in zip(owner, L.items, strict=True)
            ],
            lambda f, c: f.loadings,
        ),
        ResampleStatistic(
            "total_effect",
            lambda c: _pairs_labels(reachable(c.layout), c.layout),
            lambda f, c: _pairs_values(f.total, reachable(c.layout), c.layout),
        ),
        ResampleStatistic(
            "indirect_effect",
            lambda c: _pairs_labels(indirectly_reachable(c.layout), c.layout),
            lambda f, c: _pairs_values(f.total - f.paths, indirectly_reachable(c.layout), c.layout),
        ),
        ResampleStatistic(
            "specific_indirect_effect",
            lambda c: [
                {
                    "source": names[r[0]],
                    "target": names[r[-1]],
                    "route": " -> ".join(names[k] for k in r),
                }
                for r in routes(c.layout)
            ],
            _specific,
        ),
        ResampleStatistic(
            "r2",
            lambda c: [{"construct": names[t]} for t in _endogenous(c.layout)],
            lambda f, c: f.r2[:, _endogenous(c.layout)],
        ),
    ]
    if ctx.spec is not None and tuple(ctx.spec.items) == L.items:
        stats.append(
            ResampleStatistic(
                "htmt",
                lambda c: [
                    {"source": names[a], "target": names[b]}
                    for a, b in zip(*_htmt_pairs(c.layout), strict=True)
                ],
                _htmt,
                test_zero=False,
            )
        )
    if ctx.lo is not None:
        stats.append(
            ResampleStatistic(
                "index",
                lambda c: [{"construct": n} for n in names],
                _index,
                se=_index_se,
                test_zero=False,
            )
        )
        if ctx.segment_codes is not None:
            stats.append(
                ResampleStatistic(
                    "index",
                    lambda c: [
                        {"construct": n, "segment": g} for g in c.segment_names for n in names
                    ],
                    _segment_index,
                    test_zero=False,
                )
            )
        if ctx.segment_codes is not None and ctx.segment_pairs:
            stats.append(
                ResampleStatistic(
                    "index_difference",
                    lambda c: [
                        {
                            "construct": n,
                            "segment": f"{c.segment_names[a]} - {c.segment_names[b]}",
                        }
                        for a, b in c.segment_pairs
                        for n in names
                    ],
                    _segment_difference,
                )
            )
    return tuple(stats)


_BUILTIN_KINDS = frozenset(
    {
        "path",
        "outer_weight",
        "loading",
        "total_effect",
        "indirect_effect",
        "specific_indirect_effect",
        "r2",
        "index",
        "index_difference",
        "htmt",
    }
)
