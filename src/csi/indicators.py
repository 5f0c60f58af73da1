"""Indicator systems (指标体系): a weighted hierarchy of survey items, scored 0-100.

The handbooks' procedure: list the factors, survey, build the factor system,
screen the indicators (drop repeated, near-duplicate and weak ones), weight and
rank them, and finish the system with the indicators of each level ordered by
weight. In csi::

    system = IndicatorSystem.from_yaml("data/samples/indicator_system.yaml")
    system.screen(data)                    # flags with reasons; nothing is dropped
    fitted = system.fit(data)              # weights of every node
    fitted.to_frame()                      # hierarchy, local/global weights, ranks
    scores = fitted.score(data, by="region")  # 0-100 per respondent, segment, overall
    fitted.fuzzy(data)                     # fuzzy comprehensive evaluation

Hierarchy: the root is the overall index; its children are level-1 indicators
(一级指标), theirs level 2 (二级), then level 3 (三级), ... Leaves are survey items.

Weights per node (``weights:`` of the node; they weigh the node's children):

* ``equal`` (default), ``given`` (``values: {child: value}``, rescaled to sum 1);
* ``ahp``: ``judgments`` (``"a vs b: 3"``) or ``matrix``, or ``experts``
  (``{name: {weight, judgments}}``) aggregated by ``aggregation: aij|aip``;
  options ``random_index``, ``threshold``, ``ahp_method`` (eigenvector | geometric);
* ``entropy`` / ``critic`` / ``cv``: from the data, computed on the children's
  0-100 scores (a leaf's rescaled answers; an inner node's own score), on the
  respondents complete on those children; options as in
  :func:`csi.weighting.entropy_weights` (e.g. ``normalisation``, ``zeros``);
* ``combined``: ``sources`` (a list of the specs above), ``combine``
  (linear | multiplicative | game), ``alpha``;
* ``pls``: the PLS outer weights of ``construct`` (pass ``pls_weights`` to ``fit``).

Data: every method that takes respondents accepts a DataFrame or a
:class:`csi.survey.Survey`. From a Survey it reads every respondent read
(:meth:`~csi.survey.Survey.all_responses`, before the survey's missing-data
policy) without the id, personal and free-text columns; an item the codebook marks
``reverse: true`` is already recoded, so a node that also says ``reverse: true`` is
an error (reverse coding happens once); scale end points declared by the system must
agree with the codebook's, and ``scale: codebook`` (at the root) takes each item's
end points from the codebook.

Scoring: each answer is rescaled with its item's end points,
``(x - min) / (max - min) * 100`` (``100 - that`` for ``reverse: true`` items);
a node's score is the weighted mean of its children's scores. When a respondent
lacks some children, the available ones are used with their weights rescaled
to sum 1 (the respondent is counted in ``n_incomplete``); with none available
the node score is missing (counted in ``n_unscored`` for the root). Scores are
read on the seven-level satisfaction scale (:func:`csi.scales.classify`). Every
score table has an ``n`` column: the respondents scored at that node.
"""

from __future__ import annotations

from csi.indicators_data import RespondentData as RespondentData
from csi.indicators_fitted import FittedIndicatorSystem, IndicatorScores
from csi.indicators_nodes import METHODS as METHODS
from csi.indicators_nodes import IndicatorNode
from csi.indicators_screening import screen_indicators
from csi.indicators_system import IndicatorSystem

__all__ = [
    "FittedIndicatorSystem",
    "IndicatorNode",
    "IndicatorScores",
    "IndicatorSystem",
    "screen_indicators",
]
