"""The rules of thumb a quality report flags against, in one settable object.

Defaults follow Hair, Hult, Ringle & Sarstedt, *A Primer on Partial Least Squares
Structural Equation Modeling* (2nd ed. 2017, 3rd ed. 2022, ch. 4-6), Henseler, Ringle &
Sarstedt (2015, *J. Acad. Mark. Sci.* 43, 115-135) for HTMT and Fornell & Larcker (1981,
*J. Mark. Res.* 18, 39-50). Change any of them with :meth:`Thresholds.replace` or by
passing ``thresholds=Thresholds(htmt=0.90)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from csi._checks import CsiInputError


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs used to flag quality statistics (all documented, all settable).

    alpha, rho_a, rho_c:
        Minimum internal-consistency reliability (0.7; 0.6 is acceptable in exploratory
        research, Hair et al. 2017, p. 112).
    rho_c_max:
        Reliability above this (0.95) suggests redundant, near-identical items.
    ave:
        Minimum average variance extracted (0.5: the construct explains at least half of
        its items' variance).
    loading:
        Minimum indicator loading (0.708, whose square is 0.5).
    htmt:
        Maximum heterotrait-monotrait ratio (0.85, conservative; 0.90 for conceptually
        similar constructs such as expectations and perceived quality).
    outer_vif:
        Maximum VIF of a formative construct's indicators (5; 3.3 is a stricter choice).
    inner_vif:
        Maximum VIF of the predictors of an endogenous construct (5; 3.3 stricter).
    construct_correlation:
        Construct correlations whose absolute value exceeds this (0.9) make two
        constructs near-collinear.
    dominant_share:
        A multi-item construct is dominated by one item when that item carries more than
        this share (0.75) of the absolute weights of the construct score.
    near_duplicate:
        Two items whose correlation is at least this (0.9) in absolute value are near
        duplicates (screening; :mod:`csi.quality.item_correlations`).
    srmr:
        Maximum standardized root mean square residual of the estimated model (0.08; Hu
        & Bentler 1999, for PLS Henseler et al. 2014).
    item_total:
        Minimum corrected item-total correlation (0.3; Nunnally & Bernstein 1994,
        *Psychometric Theory*, 3rd ed.) in item screening.
    f2_small, f2_medium, f2_large:
        Cohen's (1988) effect-size labels for f² (0.02, 0.15, 0.35).
    """

    alpha: float = 0.7
    rho_a: float = 0.7
    rho_c: float = 0.7
    rho_c_max: float = 0.95
    ave: float = 0.5
    loading: float = 0.708
    htmt: float = 0.85
    outer_vif: float = 5.0
    inner_vif: float = 5.0
    construct_correlation: float = 0.9
    dominant_share: float = 0.75
    near_duplicate: float = 0.9
    item_total: float = 0.3
    srmr: float = 0.08
    f2_small: float = 0.02
    f2_medium: float = 0.15
    f2_large: float = 0.35

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise CsiInputError(f"threshold {f.name} must be a number, got {value!r}")
            if value <= 0:
                raise CsiInputError(f"threshold {f.name} must be positive, got {value!r}")
        bounded = ("alpha", "rho_a", "rho_c", "rho_c_max", "ave", "loading", "dominant_share")
        for name in (*bounded, "near_duplicate", "item_total", "construct_correlation", "srmr"):
            if getattr(self, name) > 1:
                raise CsiInputError(
                    f"threshold {name} must be at most 1, got {getattr(self, name)!r}"
                )
        if not self.f2_small < self.f2_medium < self.f2_large:
            raise CsiInputError(
                "f² labels need f2_small < f2_medium < f2_large, got "
                f"{self.f2_small}, {self.f2_medium}, {self.f2_large}"
            )

    def replace(self, **changes: Any) -> Thresholds:
        """A copy with some cut-offs changed, e.g. ``Thresholds().replace(htmt=0.9)``."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise CsiInputError(f"unknown threshold(s) {unknown}; known: {sorted(names)}")
        return dataclasses.replace(self, **changes)


def as_thresholds(value: Thresholds | dict[str, float] | None) -> Thresholds:
    """``None`` -> defaults; a dict -> defaults with those entries changed."""
    if value is None:
        return Thresholds()
    if isinstance(value, Thresholds):
        return value
    if isinstance(value, dict):
        return Thresholds().replace(**value)
    raise TypeError(f"thresholds must be a Thresholds or a dict, got {type(value).__name__}")
