"""Path diagram of a fitted CSI model.

Constructs are ellipses, laid out left to right by *causal depth*: an exogenous
construct (no path points to it) has depth 0 and every other construct has
depth ``1 + max(depth of its predecessors)``, i.e. the length of the longest
path reaching it from an exogenous construct. For the ACSI model this gives
Expectation -> Quality -> Value -> Satisfaction -> Complaints -> Loyalty.

Each path is an arrow labelled with its coefficient and significance stars
(``***`` p < .001, ``**`` p < .01, ``*`` p < .05; shown only when p-values are
given). Negative paths are red and dashed. R² is written inside each
endogenous construct. An arrow that would pass through another construct is
bent (a quadratic curve), trying gentle bends first, until it clears every
other ellipse.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_columns, check_frame
from csi.display import significance_stars as significance_stars
from csi.plots import fonts
from csi.plots._common import (
    MAX_WIDTH,
    MIN_FONT,
    check_lang,
    display_name,
    get_renderer,
    new_axes,
    numeric_column,
    text,
)
from csi.plots.fonts import apply_cjk_font, has_cjk, quiet_missing_glyphs
from csi.spec import ROLE_NAMES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse
    from matplotlib.text import Text

__all__ = ["causal_depth", "path_diagram", "significance_stars"]

POSITIVE_COLOR = "#37474f"
NEGATIVE_COLOR = "#c62828"
ELLIPSE_WIDTH = 1.7
ELLIPSE_HEIGHT = 0.85
COLUMN_STEP = 2.9
ROW_STEP = 1.5
_RADS = (0.0, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4, 0.55, -0.55, 0.7, -0.7)

# Default construct names (csi.spec presets) shown in the other language.
_EN_ZH = {ROLE_NAMES["en"][role]: name for role, name in ROLE_NAMES["zh"].items()}
_ZH_EN = {v: k for k, v in _EN_ZH.items()}
_OTHER_NAMES = {"zh": _EN_ZH, "en": _ZH_EN}


def causal_depth(
    paths: pd.DataFrame | list[tuple[str, str]], constructs: list[str] | None = None
) -> dict[str, int]:
    """Depth of each construct: longest path from an exogenous construct.

    ``paths`` is a frame with ``source`` and ``target`` columns or a list of
    ``(source, target)`` pairs. Raises :class:`csi.CsiInputError` naming a
    cycle if the paths are not recursive.
    """
    if isinstance(paths, pd.DataFrame):
        pairs = list(zip(paths["source"], paths["target"], strict=True))
    else:
        pairs = [(s, t) for s, t in paths]
    nodes = list(constructs or [])
    for s, t in pairs:
        for c in (s, t):
            if c not in nodes:
                nodes.append(c)
    preds: dict[str, list[str]] = {c: [] for c in nodes}
    for s, t in pairs:
        preds[t].append(s)
    depth: dict[str, int] = {}
    visiting: list[str] = []

    def visit(c: str) -> int:
        if c in depth:
            return depth[c]
        if c in visiting:
            cycle = [*visiting[visiting.index(c) :], c]
            raise CsiInputError("the paths contain a cycle: " + " -> ".join(map(str, cycle)))
        visiting.append(c)
        d = 1 + max((visit(p) for p in preds[c]), default=-1)
        visiting.pop()
        depth[c] = d
        return d

    for c in nodes:
        visit(c)
    return depth


def _paths_from_result(obj: Any) -> tuple[pd.DataFrame, Any, list[str] | None]:
    """(paths frame, r2 or None, construct order or None) from a result object."""
    spec = getattr(obj, "spec", None)
    order = list(getattr(spec, "constructs", ())) or None
    r2 = getattr(obj, "r2", None)
    if hasattr(obj, "path_coefficients"):
        return obj.path_coefficients, r2, order
    est = getattr(obj, "estimates", None)
    if isinstance(est, pd.DataFrame) and {"lhs", "op", "rhs", "estimate"} <= set(est.columns):
        if "group" in est.columns and est["group"].nunique() > 1:
            raise CsiInputError(
                "the SEM result has several groups: draw one group at a time, e.g. pass "
                "its '~' rows as a DataFrame source, target, estimate, pvalue"
            )
        rows = est[est["op"] == "~"]
        # standardised coefficients (std_all) when the table has them, as usual in diagrams
        column = "std_all" if "std_all" in rows.columns else "estimate"
        frame = pd.DataFrame(
            {
                "source": rows["rhs"].to_numpy(),
                "target": rows["lhs"].to_numpy(),
                "estimate": rows[column].to_numpy(),
            }
        )
        if "pvalue" in rows.columns:
            frame["pvalue"] = rows["pvalue"].to_numpy()
        return frame, r2, order
    raise TypeError(
        "path_diagram needs a DataFrame with columns source, target, estimate, or a result "
        f"with .path_coefficients; got {type(obj).__name__}"
    )


def _r2_series(r2: Any) -> pd.Series:
    """R² as a Series construct -> value, from a Series, mapping or ``construct, r2`` frame."""
    if isinstance(r2, pd.Series):
        return r2
    if isinstance(r2, pd.DataFrame):
        if {"construct", "r2"} <= set(r2.columns):
            return pd.Series(r2["r2"].to_numpy(), index=r2["construct"].to_numpy())
        if r2.shape[1] == 1:
            return r2.iloc[:, 0]
        raise CsiInputError(
            "r2 frame needs columns 'construct' and 'r2' (or a single column of values)"
        )
    if isinstance(r2, Mapping):
        return pd.Series(dict(r2))
    raise TypeError(f"r2 must be a Series, mapping or DataFrame, got {type(r2).__name__}")


def _pvalue_lookup(pvalues: Any, paths: pd.DataFrame) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    if "pvalue" in paths.columns:
        p = numeric_column(paths, "pvalue", name="paths", allow_nan=True)
        for s, t, v in zip(paths["source"], paths["target"], p, strict=True):
            out[(s, t)] = float(v)
    if pvalues is None:
        return out
    if isinstance(pvalues, pd.DataFrame):
        check_columns(pvalues, ["source", "target", "pvalue"], name="pvalues")
        p = numeric_column(pvalues, "pvalue", name="pvalues", allow_nan=True)
        items: Any = zip(zip(pvalues["source"], pvalues["target"], strict=True), p, strict=True)
    elif isinstance(pvalues, pd.Series | Mapping):
        items = pvalues.items()
    else:
        raise TypeError(
            "pvalues must be a DataFrame (source, target, pvalue) or a Series indexed by "
            f"(source, target); got {type(pvalues).__name__}"
        )
    known = set(zip(paths["source"], paths["target"], strict=True))
    for key, v in items:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise CsiInputError(f"pvalues: index entry {key!r} is not a (source, target) pair")
        if key not in known:
            raise CsiInputError(f"pvalues: path {key[0]} -> {key[1]} is not in the paths")
        out[(key[0], key[1])] = float(v)
    return out


def _display_name(name: str, lang: str) -> str:
    return _OTHER_NAMES[lang].get(name, name)


def _layout(constructs: list[str], pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    depth = causal_depth(pairs, constructs)
    columns: dict[int, list[str]] = {}
    for c in constructs:
        columns.setdefault(depth[c], []).append(c)
    pos: dict[str, tuple[float, float]] = {}
    preds: dict[str, list[str]] = {c: [s for s, t in pairs if t == c] for c in constructs}
    for d in sorted(columns):
        members = columns[d]
        if d > 0:
            # barycentre ordering: sort by the mean height of the predecessors (stable)
            def key(c: str) -> float:
                ys = [pos[p][1] for p in preds[c] if p in pos]
                return -float(np.mean(ys)) if ys else 0.0

            members = sorted(members, key=key)
        k = len(members)
        for i, c in enumerate(members):
            pos[c] = (d * COLUMN_STEP, ((k - 1) / 2 - i) * ROW_STEP)
    return pos


def _bezier(p0: np.ndarray, p2: np.ndarray, rad: float, n: int = 60) -> np.ndarray:
    """Points of matplotlib's ``arc3,rad=rad`` curve from p0 to p2 (equal aspect)."""
    mid = (p0 + p2) / 2
    d = p2 - p0
    ctrl = mid + rad * np.array([d[1], -d[0]])
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p2


def _hits(points: np.ndarray, centre: tuple[float, float], *, margin: float = 1.15) -> bool:
    a = ELLIPSE_WIDTH / 2 * margin
    b = ELLIPSE_HEIGHT / 2 * margin
    x = (points[:, 0] - centre[0]) / a
    y = (points[:, 1] - centre[1]) / b
    return bool(np.any(x**2 + y**2 < 1.0))


def _route(
    pos: dict[str, tuple[float, float]], pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """Choose a bend for each arrow so that it misses every other ellipse.

    Shorter arrows are routed first. Among the bends that clear every other
    ellipse, the gentlest is taken, with a penalty for running close to an
    arrow already placed (so parallel long arrows go one above, one below).
    """
    rads: dict[tuple[str, str], float] = {}
    placed: list[np.ndarray] = []
    centres = list(pos.values())
    order = sorted(pairs, key=lambda st: np.hypot(*np.subtract(pos[st[1]], pos[st[0]])))
    for s, t in order:
        p0, p2 = np.asarray(pos[s], float), np.asarray(pos[t], float)
        others = [pos[c] for c in pos if c not in (s, t)]
        best: tuple[float, float, np.ndarray] | None = None  # (score, rad, free points)
        for rad in _RADS:
            pts = _bezier(p0, p2, rad)
            if any(_hits(pts, o) for o in others):
                continue
            middle = pts[len(pts) // 5 : -len(pts) // 5]
            free = middle[
                [not any(_hits(q[None, :], c, margin=1.3) for c in centres) for q in middle]
            ]
            gap = min(
                (
                    float(np.min(np.hypot(*(free[:, None, :] - q[None, :, :]).T)))
                    for q in placed
                    if len(q) and len(free)
                ),
                default=np.inf,
            )
            score = abs(rad) + 1.5 * max(0.0, 0.4 - gap)
            if best is None or score < best[0] - 1e-12:
                best = (score, rad, free)
        if best is None:
            rad, free = _RADS[-1], np.empty((0, 2))
        else:
            _, rad, free = best
        rads[(s, t)] = rad
        placed.append(free)
    return rads


def path_diagram(
    result_or_paths: Any,
    *,
    r2: Any = None,
    pvalues: Any = None,
    layout: Mapping[str, tuple[float, float]] | None = None,
    lang: str = "en",
    decimals: int = 2,
    codebook: Any = None,
    labels: Mapping[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the structural model: constructs, path coefficients, R².

    Parameters
    ----------
    result_or_paths
        A DataFrame with columns ``source, target, estimate`` (optional
        ``pvalue``), or a fitted result with ``.path_coefficients`` (and ``.r2``,
        ``.spec``), or a SEM result with ``.estimates`` (lavaan-style ``~`` rows;
        ``std_all`` is drawn when present, with the ``pvalue`` column for stars).
    r2
        Series construct -> R² or a frame ``construct, r2`` (default: ``result.r2``);
        shown in endogenous constructs. With a result object, R² of names that are
        not constructs (e.g. indicators in a SEM result) are ignored.
    pvalues
        Optional p-values: a DataFrame ``source, target, pvalue`` or a Series
        indexed by ``(source, target)``; they add significance stars.
    layout
        Optional positions ``{construct: (x, y)}`` overriding the automatic
        left-to-right layout (units: ellipse centres, about 2.3 apart).
    lang
        ``"en"`` or ``"zh"``: the default construct names of the ACSI/ECSI
        presets are shown in this language; other names as given.
    codebook, labels
        Optional construct labels (a :class:`csi.Codebook` or a Survey; ``{name: text}`` or
        ``{name: {"en": ..., "zh": ...}}``): the label in ``lang`` is shown when there
        is one, else the name as above, never the other language's label.
    ax
        Axes to draw into (a new figure otherwise).
    """
    from matplotlib.patches import Ellipse, FancyArrowPatch

    lang = check_lang(lang)
    order: list[str] | None = None
    strict_r2 = r2 is not None  # an r2 the caller passed must match the paths
    if isinstance(result_or_paths, pd.DataFrame):
        paths = result_or_paths
    else:
        paths, r2_from, order = _paths_from_result(result_or_paths)
        if r2 is None:
            r2 = r2_from
    check_frame(paths, name="paths")
    check_columns(paths, ["source", "target", "estimate"], name="paths")
    if paths.empty:
        raise CsiInputError("paths is empty: there is no path to draw")
    estimates = numeric_column(paths, "estimate", name="paths")
    pairs = [(str(s), str(t)) for s, t in zip(paths["source"], paths["target"], strict=True)]
    dup = pd.Index(pairs).duplicated()
    if dup.any():
        s, t = pairs[int(np.flatnonzero(dup)[0])]
        raise CsiInputError(f"paths: the path {s} -> {t} appears more than once")
    constructs = [c for c in (order or []) if any(c in st for st in pairs)]
    for st in pairs:
        for c in st:
            if c not in constructs:
                constructs.append(c)
    r2_values: dict[str, float] = {}
    if r2 is not None:
        for key, v in _r2_series(r2).items():
            if str(key) not in constructs:
                if strict_r2:
                    raise CsiInputError(f"r2: construct {key!r} is not in the paths")
                continue  # e.g. a SEM result's R² of observed indicators
            r2_values[str(key)] = float(v)
    p_lookup = _pvalue_lookup(pvalues, paths)

    pos = _layout(constructs, pairs)
    if layout is not None:
        for c, xy in layout.items():
            if c not in pos:
                raise CsiInputError(f"layout: construct {c!r} is not in the paths")
            pos[c] = (float(xy[0]), float(xy[1]))
    rads = _route(pos, pairs)

    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    curve_pts = np.vstack(
        [_bezier(np.asarray(pos[s]), np.asarray(pos[t]), rads[(s, t)]) for s, t in pairs]
    )
    x0, x1 = xs.min() - ELLIPSE_WIDTH / 2 - 0.3, xs.max() + ELLIPSE_WIDTH / 2 + 0.3
    y0 = min(ys.min() - ELLIPSE_HEIGHT / 2, curve_pts[:, 1].min()) - 0.45
    y1 = max(ys.max() + ELLIPSE_HEIGHT / 2, curve_pts[:, 1].max()) + 0.3
    # inches per unit; a long chain is drawn smaller rather than wider than the page
    scale = min(0.8, MAX_WIDTH / (x1 - x0))
    own_figure = ax is None
    fig, ax = new_axes(ax, ((x1 - x0) * scale, (y1 - y0) * scale))
    if own_figure:
        ax.set_position((0.0, 0.0, 1.0, 1.0))

    endogenous = {t for _, t in pairs}
    ellipses: dict[str, Ellipse] = {}
    names: list[Text] = []
    for c in constructs:
        cx, cy = pos[c]
        e = Ellipse(
            (cx, cy),
            ELLIPSE_WIDTH,
            ELLIPSE_HEIGHT,
            facecolor="#e3f2fd",
            edgecolor="#1565c0",
            linewidth=1.4,
            zorder=2,
        )
        ax.add_patch(e)
        ellipses[c] = e
        shown = display_name(c, lang, codebook=codebook, labels=labels)
        if shown == c:
            shown = _display_name(c, lang)
        name = "\n".join(textwrap.wrap(shown, 14)) or c
        has_r2 = c in endogenous and c in r2_values and np.isfinite(r2_values[c])
        names.append(
            ax.text(
                cx,
                cy + (0.11 if has_r2 else 0.0),
                name,
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                zorder=3,
            )
        )
        if has_r2:
            ax.text(
                cx,
                cy - 0.2,
                f"R² = {r2_values[c]:.{decimals}f}",
                ha="center",
                va="center",
                fontsize=8,
                zorder=3,
            )

    any_p = False
    for (s, t), est in zip(pairs, estimates, strict=True):
        negative = est < 0
        rad = rads[(s, t)]
        arrow = FancyArrowPatch(
            pos[s],
            pos[t],
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>",
            mutation_scale=13,
            patchA=ellipses[s],
            patchB=ellipses[t],
            shrinkA=0,
            shrinkB=1,
            color=NEGATIVE_COLOR if negative else POSITIVE_COLOR,
            linestyle="--" if negative else "-",
            linewidth=1.0 + 2.0 * min(abs(est), 1.0),
            zorder=1,
        )
        ax.add_patch(arrow)
        p = p_lookup.get((s, t))
        any_p = any_p or (p is not None and np.isfinite(p))
        mid = _bezier(np.asarray(pos[s]), np.asarray(pos[t]), rad)[30]
        ax.text(
            mid[0],
            mid[1],
            f"{est:.{decimals}f}{significance_stars(p)}",
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
            color=NEGATIVE_COLOR if negative else "black",
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.9,
            },
        )
    if any_p:
        ax.text(
            x0 + 0.05,
            y0 + 0.05,
            text("stars_note", lang),
            ha="left",
            va="bottom",
            fontsize=8,
            color="#424242",
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _fit_names(fig, ax, names)
    apply_cjk_font(fig)
    return fig


def _fit_names(fig: Figure, ax: Axes, names: list[Text]) -> None:
    """Shrink a construct name that is wider than its ellipse, down to :data:`MIN_FONT`."""
    if not names:
        return
    family = fonts.find_cjk_font() if has_cjk(t.get_text() for t in names) else None
    renderer = get_renderer(fig)
    left = ax.transData.transform((0.0, 0.0))[0]
    room = 0.88 * (ax.transData.transform((ELLIPSE_WIDTH, 0.0))[0] - left)
    with quiet_missing_glyphs():
        for t in names:
            if family is not None:
                t.set_fontfamily([family, "DejaVu Sans"])
                t.set_fontweight("normal")
            size = float(t.get_fontsize())
            while size > MIN_FONT and t.get_window_extent(renderer).width > room:
                size = max(MIN_FONT, size - 0.5)
                t.set_fontsize(size)
