"""Combining weight vectors from several sources (subjective, objective, PLS).

Methods (``w_k`` = normalised weight vectors of the sources):

* ``"linear"``: ``w = sum_k a_k w_k`` with ``a = (alpha, 1 - alpha)`` for two
  sources or ``coefficients`` given (normalised to sum 1).
* ``"multiplicative"``: ``w_j = prod_k w_kj / sum_i prod_k w_ki``.
* ``"game"``: game-theoretic optimal linear combination (the "博弈论组合赋权"
  of the Chinese literature): the coefficients ``a`` minimise
  ``sum_l || sum_k a_k w_k - w_l ||^2``, i.e. solve ``W W^T a = diag(W W^T)`` with
  ``W`` the sources as rows. They are then normalised, ``a*_k = |a_k| / sum |a_k|``;
  a negative raw coefficient is reported in ``notes``.

``weights_from_pls`` turns a PLS outer-weight table (columns ``construct,
indicator, estimate``) into weights that sum to 1 within each construct.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, MethodWarning, check_choice, check_columns, check_frame
from csi.display import Summary
from csi.i18n import check_lang, phrases

__all__ = ["CombinedWeights", "combine_weights", "weights_from_pls"]


@dataclass(frozen=True)
class CombinedWeights:
    """Combined ``weights`` (Series, sums to 1), the normalised ``coefficients`` of each
    source (Series; NaN for ``"multiplicative"``), the ``raw_coefficients`` (game
    theory: the solution before normalisation), the ``sources`` and ``notes``."""

    weights: pd.Series
    coefficients: pd.Series
    raw_coefficients: pd.Series
    method: str
    sources: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: indicator, one column per source, combined."""
        out = self.sources.copy()
        out["combined"] = self.weights
        out.index.name = "indicator"
        return out.reset_index()

    def summary(self, *, lang: str = "en", digits: int = 4) -> Summary:
        """The weights of every source and the combined weights."""
        lab = phrases("ahp", check_lang(lang))
        frame = self.to_frame().set_index("indicator").round(digits)
        title = lab["combined"].format(method=self.method)
        text = f"{title}\n" + frame.to_string()
        coef = ", ".join(f"{k}: {v:.{digits}f}" for k, v in self.coefficients.items())
        if self.method != "multiplicative":
            text += "\n" + lab["coefficients"].format(coefficients=coef)
        if self.notes:
            text += "\n" + "\n".join(lab["note"].format(note=t) for t in self.notes)
        return Summary.plain(text, title=title, tables={"weights": frame}, lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().html


def _as_series(w: Any, name: str) -> pd.Series:
    if hasattr(w, "weights") and isinstance(w.weights, pd.Series):
        w = w.weights  # an AHPResult, GroupAHPResult or CombinedWeights
    if isinstance(w, Mapping):
        w = pd.Series(dict(w))
    if not isinstance(w, pd.Series):
        raise CsiInputError(
            f"weight source {name!r} must be a Series indexed by indicator (or a dict, or a "
            f"result with .weights), got {type(w).__name__}"
        )
    s = pd.to_numeric(w, errors="coerce").astype(float)
    bad = ~np.isfinite(s.to_numpy()) | (s.to_numpy() < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        val = w.iloc[k]
        shown = val.item() if isinstance(val, np.generic) else val
        raise CsiInputError(
            f"weight source {name!r}: weight of {s.index[k]!r} is {shown!r}; weights must "
            "be finite and >= 0"
        )
    if s.sum() <= 0:
        raise CsiInputError(f"weight source {name!r}: weights sum to 0")
    return s / s.sum()


def combine_weights(
    sources: Mapping[str, Any] | Sequence[Any],
    *,
    method: str = "linear",
    alpha: float | None = None,
    coefficients: Sequence[float] | None = None,
) -> CombinedWeights:
    """Combine two or more weight vectors over the same indicators.

    ``sources``: ``{"ahp": w1, "entropy": w2, ...}`` or a list (named ``source1``...);
    each a Series indexed by indicator, a dict, or a result with ``.weights``. Each is
    rescaled to sum 1 first. ``method``: ``"linear"`` (``alpha`` = coefficient of the
    first of two sources, default 0.5, or ``coefficients`` for any number),
    ``"multiplicative"`` or ``"game"`` (game-theoretic optimal linear combination).

    Examples
    --------
    >>> from csi.weighting import combine_weights
    >>> ahp = {"price": 0.5, "service": 0.3, "speed": 0.2}
    >>> entropy = {"price": 0.2, "service": 0.2, "speed": 0.6}
    >>> combine_weights({"ahp": ahp, "entropy": entropy}, alpha=0.5).weights.round(3).tolist()
    [0.35, 0.25, 0.4]
    >>> combined = combine_weights([ahp, entropy], method="multiplicative")
    >>> combined.weights.round(3).tolist()  # 0.10, 0.06, 0.12 rescaled to sum 1
    [0.357, 0.214, 0.429]
    """
    check_choice(method, ["linear", "multiplicative", "game"], name="method")
    named = (
        {str(k): v for k, v in sources.items()}
        if isinstance(sources, Mapping)
        else {f"source{k + 1}": v for k, v in enumerate(sources)}
    )
    if len(named) < 2:
        raise CsiInputError(f"combine_weights needs at least 2 sources, got {len(named)}")
    series = {k: _as_series(v, k) for k, v in named.items()}
    first_name, first = next(iter(series.items()))
    index = list(first.index)
    for k, s in series.items():
        if set(s.index) != set(index):
            extra = sorted(set(s.index) - set(index), key=str)
            absent = sorted(set(index) - set(s.index), key=str)
            raise CsiInputError(
                f"weight source {k!r} covers different indicators from {first_name!r}: "
                f"extra {extra}, missing {absent}"
            )
    frame = pd.DataFrame({k: s.loc[index] for k, s in series.items()})
    w_mat = frame.to_numpy().T  # sources x indicators
    notes: list[str] = []
    names = list(frame.columns)
    if method == "linear":
        if alpha is not None and coefficients is not None:
            raise CsiInputError("give either alpha or coefficients, not both")
        if coefficients is None:
            if len(names) != 2 and alpha is not None:
                raise CsiInputError(
                    f"alpha combines exactly 2 sources; with {len(names)} give coefficients"
                )
            if alpha is None:
                a = np.full(len(names), 1 / len(names))
            else:
                if not 0 <= alpha <= 1:
                    raise CsiInputError(f"alpha must lie in [0, 1], got {alpha!r}")
                a = np.array([alpha, 1 - alpha])
        else:
            a = np.asarray(coefficients, dtype=float)
            if a.size != len(names):
                raise CsiInputError(f"{a.size} coefficients for {len(names)} sources")
            if (~np.isfinite(a) | (a < 0)).any() or a.sum() <= 0:
                raise CsiInputError(f"coefficients must be >= 0 and not all 0, got {a.tolist()}")
            a = a / a.sum()
        raw = a.copy()
        w = a @ w_mat
    elif method == "multiplicative":
        prod = np.prod(w_mat, axis=0)
        if prod.sum() <= 0:
            raise CsiInputError(
                "multiplicative combination: every indicator has weight 0 in some source"
            )
        w = prod / prod.sum()
        a = raw = np.full(len(names), np.nan)
    else:
        gram = w_mat @ w_mat.T
        rhs = np.diag(gram).copy()
        try:
            if np.linalg.cond(gram) > 1e10:
                raise np.linalg.LinAlgError
            raw = np.linalg.solve(gram, rhs)
        except np.linalg.LinAlgError:
            raise CsiInputError(
                "game-theoretic combination: the sources are linearly dependent (e.g. two "
                "identical weight vectors); drop one of them"
            ) from None
        a = np.abs(raw) / np.abs(raw).sum()
        negative = [f"{n} ({r:.4f})" for n, r in zip(names, raw, strict=True) if r < 0]
        if negative:
            msg = (
                f"game-theoretic coefficient(s) negative: {', '.join(negative)}; "
                "normalised by absolute values, as is usual for this method"
            )
            notes.append(msg)
            warnings.warn(msg, MethodWarning, stacklevel=2)
        w = a @ w_mat
    weights = pd.Series(w / w.sum(), index=index, name="weight")
    return CombinedWeights(
        weights=weights,
        coefficients=pd.Series(a, index=names, name="coefficient"),
        raw_coefficients=pd.Series(raw, index=names, name="raw_coefficient"),
        method=method,
        sources=frame,
        notes=tuple(notes),
    )


def weights_from_pls(outer_weights: pd.DataFrame, *, construct: str | None = None) -> Any:
    """Indicator weights from PLS outer weights, rescaled to sum 1 within each construct.

    ``outer_weights``: DataFrame with columns ``construct, indicator, estimate`` (as
    ``fit_pls(...).outer_weights``). Returns a DataFrame ``construct, indicator,
    weight`` or, with ``construct``, a Series indexed by indicator. Negative outer
    weights (a sign of suppression or multicollinearity) cannot be read as shares:
    they raise a clear error naming the indicator.

    Examples
    --------
    >>> import pandas as pd
    >>> from csi.weighting import weights_from_pls
    >>> outer = pd.DataFrame({"construct": ["Q", "Q", "S"], "indicator": ["q1", "q2", "s1"],
    ...                       "estimate": [0.6, 0.2, 1.0]})
    >>> weights_from_pls(outer, construct="Q").round(3).tolist()
    [0.75, 0.25]
    """
    frame = check_frame(outer_weights, name="outer_weights")
    check_columns(frame, ["construct", "indicator", "estimate"], name="outer_weights")
    df = frame[["construct", "indicator", "estimate"]].copy()
    df["estimate"] = pd.to_numeric(df["estimate"], errors="coerce")
    for row in df.itertuples(index=False):
        est = float(row.estimate)  # type: ignore[arg-type]
        if not np.isfinite(est) or est < 0:
            raise CsiInputError(
                f"outer weight of indicator {row.indicator!r} in construct {row.construct!r} "
                f"is {est!r}; only non-negative outer weights can be rescaled to shares"
            )
    if construct is not None:
        if construct not in set(df["construct"]):
            raise CsiInputError(
                f"construct {construct!r} not in outer_weights; constructs are "
                f"{sorted(set(df['construct']))}"
            )
        sub = df[df["construct"] == construct]
        total = float(sub["estimate"].sum())
        if total <= 0:
            raise CsiInputError(f"outer weights of construct {construct!r} sum to 0")
        return pd.Series(
            sub["estimate"].to_numpy() / total, index=sub["indicator"].to_numpy(), name="weight"
        )
    totals = df.groupby("construct", sort=False)["estimate"].transform("sum")
    zero = df.loc[totals <= 0, "construct"]
    if len(zero):
        raise CsiInputError(f"outer weights of construct {zero.iloc[0]!r} sum to 0")
    df["weight"] = df["estimate"] / totals
    return df[["construct", "indicator", "weight"]].reset_index(drop=True)
