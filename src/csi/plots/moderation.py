"""Simple-slope plot of a moderation (interaction term ``iv:moderator``).

The outcome's predicted standardized score ``y = b_iv x + b_mod m + b_int x m``
against the iv's standardized score ``x`` (from -2 to +2 SD), one line per moderator
level ``m`` (default -1, 0 and +1 SD), from :func:`csi.pls.interaction.simple_slopes`
(the convention of seminr's ``slope_analysis`` and SmartPLS; Hair et al. 2017,
*A Primer on PLS-SEM*, ch. 7). Diverging lines show the moderation: with a positive
interaction effect, the iv matters more when the moderator is high. A quadratic term
``A:A`` is drawn as the curve ``y = b x + c x²``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from csi._checks import CsiInputError
from csi.plots._common import MIN_FONT, new_axes, tight_layout
from csi.pls.interaction import simple_slopes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["slope_plot"]

_STYLES = ("--", "-", ":", "-.")


def slope_plot(
    result: Any,
    iv: str,
    moderator: str,
    *,
    target: str | None = None,
    at: Sequence[float] = (-1, 0, 1),
    ax: Axes | None = None,
) -> Figure:
    """Simple slopes of ``iv`` on ``target`` at moderator levels ``at`` (in SDs).

    ``result`` is a fit with the interaction term ``iv:moderator`` (or
    ``moderator:iv``); ``target`` is needed when the term predicts several
    constructs. Returns the :class:`matplotlib.figure.Figure`.
    """
    table = simple_slopes(result, iv, moderator, at=at)
    targets = list(dict.fromkeys(table["target"]))
    if target is None:
        if len(targets) > 1:
            raise CsiInputError(
                f"the term {iv}:{moderator} predicts {targets}: pass target= to choose one"
            )
        target = targets[0]
    elif target not in targets:
        raise CsiInputError(
            f"target {target!r} is not predicted by the term {iv}:{moderator}; it predicts "
            f"{targets}"
        )
    rows = table[table["target"] == target]
    fig, axes = new_axes(ax, (5.5, 4.0))
    x = np.linspace(-2.0, 2.0, 81)
    if iv == moderator:
        effects = result.interaction_effects
        c = float(effects.loc[effects["target"] == target, "estimate"].iloc[0])
        pc = result.path_coefficients
        b = float(pc.loc[(pc["source"] == iv) & (pc["target"] == target), "estimate"].sum())
        axes.plot(x, b * x + c * x * x, color="#1565c0", label=f"{target} ({iv}²)")
    else:
        levels = rows["at"].to_numpy(dtype=float)
        intercepts = rows["intercept"].to_numpy(dtype=float)
        slopes = rows["slope"].to_numpy(dtype=float)
        for k in range(len(levels)):
            level = "mean" if levels[k] == 0 else f"{levels[k]:+g} SD"
            axes.plot(
                x,
                intercepts[k] + slopes[k] * x,
                linestyle=_STYLES[k % len(_STYLES)],
                color="black",
                label=f"{moderator} at {level} (slope {slopes[k]:.2f})",
            )
    axes.axhline(0.0, color="#bdbdbd", linewidth=0.8, zorder=0)
    axes.axvline(0.0, color="#bdbdbd", linewidth=0.8, zorder=0)
    axes.set_xlabel(f"{iv} (standardized score)")
    axes.set_ylabel(f"{target} (predicted standardized score)")
    axes.set_title(f"Moderation: {iv} x {moderator} on {target}")
    axes.legend(fontsize=max(MIN_FONT, 8.0), frameon=False)
    if ax is None:
        tight_layout(fig)
    return fig
