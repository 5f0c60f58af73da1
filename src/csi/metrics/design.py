"""Design-based estimates for weighted and complex survey samples.

A :class:`Design` holds, row by row, the survey weights and optionally the strata,
the primary sampling units (clusters) and replicate weights. The functions
:func:`weighted_total`, :func:`weighted_mean`, :func:`weighted_proportion` and
:func:`weighted_by` estimate totals, means and shares, for the whole sample or a
domain (segment), with standard errors as R ``survey`` computes them by default
(Lumley 2010, *Complex Surveys*):

* **Taylor linearisation**, PSUs drawn with replacement within strata (R
  ``svydesign(ids=~cluster, strata=~stratum, weights=~w)``, no ``fpc``). With the
  linearised score ``z_i`` of each row (total: ``w_i y_i``; mean: ``w_i (y_i - ȳ) / Σw``)
  and ``t_hk`` the sum of ``z`` over PSU ``k`` of stratum ``h`` (``n_h`` PSUs),
  ``Var = Σ_h n_h/(n_h-1) Σ_k (t_hk - t̄_h)²``. Without clusters every row is a PSU;
  without strata there is one stratum. Cluster ids are taken within their stratum
  (R's ``nest=TRUE``).
* **Replicate weights** (R ``svrepdesign``): with ``θ_r`` the estimate under replicate
  ``r``, ``Var = scale Σ_r rscale_r (θ_r - c)²``, ``c`` the mean of the ``θ_r`` (R's
  default ``mse=FALSE``) or the full-sample estimate (``mse=True``). Default scales:
  JK1 ``(R-1)/R``; bootstrap ``1/(R-1)``; BRR ``1/R``; Fay ``1/(R(1-ρ)²)``;
  successive-difference ``4/R``; JKn needs ``rscales`` ((n_h-1)/n_h per replicate).

**Domains** (segments, and the respondents who answered a question) are estimated as
R's ``svyby``/``subset``: the full design is kept and rows outside the domain get a
zero score, so every stratum keeps all its PSUs.

**Single-PSU strata** (``lonely_psu``, R's ``options(survey.lonely.psu=)``):
``"fail"`` (default, as R) raises naming the stratum; ``"remove"`` and
``"certainty"`` let the stratum add nothing; ``"adjust"`` centres its PSU total at
the mean PSU total of the whole sample instead of its stratum mean; ``"average"``
multiplies the variance of the other strata by (all strata / strata with 2+ PSUs).

**Degrees of freedom** (R ``degf``): PSUs minus strata among the rows of the domain
with a positive weight; with replicate weights the numerical rank of the domain's
replicate weights minus one. Intervals use Student's t with these df.

**Design effect** (Kish 1965; R ``deff=``): ``deff = Var_design / Var_SRS`` with the
SRS variance of a sample of the same size ``n`` (rows with a positive weight):
``deff="replace"`` (the default here, R ``deff="replace"``): ``Var_SRS = s²/n``;
``deff="without"`` (R ``deff=TRUE``): ``Var_SRS = s²/n · (1 - n/N̂)``, ``N̂ = Σw``
(NaN when ``N̂ ≤ n``, e.g. weights scaled to the sample size). ``s²`` is the weighted
variance ``n/(n-1) Σw(y-ȳ)²/Σw`` (R ``svyvar``); a total's SRS variance is
``N̂² Var_SRS`` of the mean. **Kish's effective sample size** is
``n_eff = (Σw)² / Σw²`` (Kish 1965, §11.7).

**Frequency weights** (``kind="frequency"``): each row stands for ``w`` identical
respondents. Point estimates are those of sampling weights; standard errors, df,
``n_effective`` (``= Σw``) and the design effect are those of the data with every row
repeated ``w`` times (with clusters: copies stay in their PSU).
"""

from __future__ import annotations

from csi.metrics.design_estimates import (
    DEFF_KINDS,
    Estimate,
    weighted_by,
    weighted_difference,
    weighted_mean,
    weighted_proportion,
    weighted_total,
)
from csi.survey_design import (
    LONELY_PSU,
    REPLICATE_TYPES,
    Design,
    design_for,
    kish_n_effective,
)

__all__ = [
    "DEFF_KINDS",
    "LONELY_PSU",
    "REPLICATE_TYPES",
    "Design",
    "Estimate",
    "design_for",
    "kish_n_effective",
    "weighted_by",
    "weighted_difference",
    "weighted_mean",
    "weighted_proportion",
    "weighted_total",
]
