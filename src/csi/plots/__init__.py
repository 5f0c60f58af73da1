"""Plots for CSI results (matplotlib only).

Every function takes tidy DataFrames (or result objects that carry them),
draws into the optional ``ax`` (a new figure otherwise) and returns the
:class:`matplotlib.figure.Figure`. New figures are not registered with pyplot:
save them with ``fig.savefig(...)`` or display them in a notebook. No rcParams
are changed; Chinese labels get a CJK font per figure (see :mod:`csi.plots.fonts`).
Importing :mod:`csi.plots` does not import matplotlib: it is loaded when the first
figure is drawn (so :mod:`csi.report` imports the plots without the start-up cost).

=========================== =================================================
``path_diagram``            structural model: paths, stars, R²
``ipma_plot``               importance-performance map
``index_plot``              index by construct (and segment) with intervals
``trend_plot``              index over periods
``level_distribution_plot`` seven-level distribution, diverging stacked bar
``weights_plot``            weights as sorted bars
``hierarchy_plot``          indicator system as an icicle (nested boxes)
``consistency_plot``        AHP consistency ratio per matrix with threshold
``nps_plot``                detractors / passives / promoters per segment, NPS
``impact_plot``             drivers of a target: impacts in index points
``slope_plot``              moderation: simple slopes at moderator levels
=========================== =================================================
"""

from __future__ import annotations

from csi.plots.drivers import impact_plot
from csi.plots.fonts import MissingCJKFontWarning, find_cjk_font
from csi.plots.index import index_plot, trend_plot
from csi.plots.ipma import ipma_plot
from csi.plots.levels import level_distribution_plot
from csi.plots.moderation import slope_plot
from csi.plots.nps import nps_plot
from csi.plots.path_diagram import path_diagram, significance_stars
from csi.plots.weights import consistency_plot, hierarchy_plot, weights_plot

__all__ = [
    "MissingCJKFontWarning",
    "consistency_plot",
    "find_cjk_font",
    "hierarchy_plot",
    "impact_plot",
    "index_plot",
    "ipma_plot",
    "level_distribution_plot",
    "nps_plot",
    "path_diagram",
    "significance_stars",
    "slope_plot",
    "trend_plot",
    "weights_plot",
]
