"""English phrases of the library's own displays (summaries, plots, diagnostics),
looked up through :func:`csi.i18n.text`. Keys are unique across the catalogue.
"""

from __future__ import annotations

#: Phrases of summaries, plots and diagnostics outside the report.
LIBRARY_EN: dict[str, str] = {
    "summary_n": "n = {n:,}",
    # pls
    "pls.title": "PLS path model",
    "pls.scheme": "inner weighting scheme",
    "pls.plsc": "consistent PLS (PLSc)",
    "pls.yes": "yes",
    "pls.no": "no",
    "pls.n": "respondents used",
    "pls.excluded": "excluded (missing answers)",
    "pls.replaced": "missing answers replaced by item means",
    "pls.unscored": "respondents without scores (missing answers, pairwise)",
    "pls.iterations": "iterations",
    "pls.converged": "converged",
    "pls.not_converged": "NOT converged",
    "pls.paths": "Path coefficients",
    "pls.r2": "R²",
    "pls.outer": "Outer model",
    "pls.index": "Index (0-100)",
    "pls.construct": "construct",
    "pls.indicator": "indicator",
    "pls.weight": "weight",
    "pls.loading": "loading",
    "pls.path": "path",
    "pls.estimate": "estimate",
    "pls.r2_adj": "adj. R²",
    "pls.weights": "weights",
    "pls.sum_weights": "sum of weights",
    "pls.n_eff": "Kish effective n",
    # boot
    "boot.title": "PLS bootstrap",
    "boot.resamples": "resamples",
    "boot.failed": "failed",
    "boot.respondents": "respondents",
    "boot.seed": "seed",
    "boot.interval": "interval",
    "boot.flips": "sign corrections",
    "boot.reasons": "failed resamples by reason",
    "boot.inadmissible": "PLSc resamples with an inadmissible solution (kept)",
    "boot.weighted": "weighted ({kind} weights): naive weighted bootstrap, design ignored",
    "boot.design": "design-based ({kind}): {text}",
    "boot.kind_none": "unweighted",
    "boot.kind_w": "{kind} weights",
    "boot.parameter": "parameter",
    "boot.estimate": "estimate",
    "boot.se": "SE",
    "boot.t": "t",
    "boot.p": "p",
    "boot.ci": "CI",
    "boot.kinds.path": "Path coefficients",
    "boot.kinds.outer_weight": "Outer weights",
    "boot.kinds.loading": "Loadings",
    "boot.kinds.total_effect": "Total effects",
    "boot.kinds.indirect_effect": "Indirect effects",
    "boot.kinds.specific_indirect_effect": "Specific indirect effects",
    "boot.kinds.r2": "R²",
    "boot.kinds.index": "Index (0-100)",
    "boot.kinds.index_difference": "Index differences between segments",
    "boot.kinds.htmt": "HTMT",
    "boot.kinds.interaction_effect": "Interaction effects",
    # mga
    "mga.title": "PLS multi-group comparison",
    "mga.method": "method",
    "mga.groups": "groups",
    "mga.resamples": "resamples",
    "mga.failed": "failed",
    "mga.excluded": "excluded",
    "mga.parameter": "parameter",
    "mga.difference": "difference",
    "mga.p": "p",
    # micom
    "micom.title": "MICOM: measurement invariance of composites",
    "micom.groups": "groups",
    "micom.perm": "permutations",
    "micom.failed": "failed",
    "micom.excluded": "left out",
    "micom.configural": "Step 1, configural invariance",
    "micom.steps": "Steps 2 and 3 (composition: c; mean and log variance: differences a - b)",
    "micom.verdict": "Invariance per construct",
    "micom.full": "full",
    "micom.partial": "partial",
    "micom.none": "none",
    "micom.same constructs, items and paths": "same constructs, items and paths",
    "micom.same data treatment": "same data treatment",
    "micom.same algorithm settings": "same algorithm settings",
    "micom.model estimable in each group": "model estimable in each group",
    "micom.check": "check",
    "micom.ok": "ok",
    "micom.detail": "detail",
    # quality
    "quality.title": "Measurement and structural quality",
    "quality.estimator": "estimator",
    "quality.pls": "PLS path modelling",
    "quality.plsc": "consistent PLS (PLSc)",
    "quality.sem": "covariance-based SEM",
    "quality.n": "respondents used",
    "quality.reliability": "Reliability and convergent validity",
    "quality.htmt": "HTMT (heterotrait-monotrait ratio)",
    "quality.fl": "Fornell-Larcker (diagonal: sqrt(AVE))",
    "quality.structural": "Structural model: R²",
    "quality.f2": "Effect sizes f² and inner VIF",
    "quality.outer_vif": "Formative indicators: VIF",
    "quality.diagnostics": "Diagnostics",
    "quality.none": "no problems found",
    "quality.flag": "* below / above the threshold",
    "quality.thresholds": "thresholds",
    "quality.fit": "Model fit: SRMR",
    "quality.saturated": "saturated model",
    "quality.estimated": "estimated model",
    "quality.threshold": "threshold",
    "quality.corr_scores": "Fornell-Larcker and inner VIF from the construct-score correlations",
    "quality.corr_disattenuated": (
        "Fornell-Larcker and inner VIF from the PLSc (disattenuated) construct correlations"
    ),
    "quality.col.construct": "construct",
    "quality.col.mode": "mode",
    "quality.col.n_items": "n_items",
    "quality.col.alpha": "alpha",
    "quality.col.rho_a": "rho_a",
    "quality.col.rho_c": "rho_c",
    "quality.col.ave": "ave",
    "quality.col.r2": "r2",
    "quality.col.r2_adj": "r2_adj",
    "quality.col.source": "source",
    "quality.col.target": "target",
    "quality.col.f2": "f2",
    "quality.col.effect": "effect",
    "quality.col.vif": "vif",
    "quality.col.indicator": "indicator",
    "quality.effect.none": "none",
    "quality.effect.small": "small",
    "quality.effect.medium": "medium",
    "quality.effect.large": "large",
    # interaction
    "interaction.title": (
        "Interaction effects ({method} method; per unit of the product of standardized scores)"
    ),
    "interaction.path": "path",
    "interaction.effect": "effect",
    "interaction.standardized": "standardized",
    "interaction.note": (
        "no index for the interaction term(s) {terms}: a product of standardized "
        "scores has no 0-100 scale"
    ),
    # cvpat
    "cvpat.title": (
        "CVPAT ({folds} folds, {repeats} repeats, {technique}); difference = other's "
        "loss - model's loss"
    ),
    "predict.title": "PLSpredict ({folds} folds, {repeats} repeats, {technique})",
    "predict.power": "predictive power: {power}",
    "predict.power_high": "high",
    "predict.power_medium": "medium",
    "predict.power_low": "low",
    "predict.power_none": "none",
    "screening.title": "Item screening",
    "screening.used": "respondents used {n} ({excluded} left out for missing answers)",
    "screening.items": "Items",
    "screening.groups": "Groups",
    "screening.pairs": "Near-duplicate items",
    "screening.no_pairs": "No near-duplicate items",
    "model_fit.title": "PLS model fit ({kind}; n = {n})",
    "model_fit.bootstrap": "Bollen-Stine bootstrap: {resamples} resamples, {failed} failed",
    "model_fit.seed": "; seed {seed}",
    # change
    "change.unchanged": "{value}, unchanged",
    "change.up": "{value}, up {amount} points",
    "change.up_one": "{value}, up {amount} point",
    "change.down": "{value}, down {amount} points",
    "change.down_one": "{value}, down {amount} point",
    "loyalty.title": "Satisfaction and loyalty",
    "loyalty.n": "n = {n}, missing = {missing}",
    "loyalty.bins": "bin            n   mean loyalty",
    "loyalty.no_zone": "no zone of indifference found",
    "loyalty.zone": (
        "zone of indifference: satisfaction {lower}-{upper}, loyalty changes by only {gain}"
    ),
    "loyalty.group.loyalist": "Loyalist (apostle)",
    "loyalty.group.mercenary": "Mercenary",
    "loyalty.group.hostage": "Hostage",
    "loyalty.group.defector": "Defector (terrorist)",
    "staff.title": "Staff appraisal (empirical-Bayes shrinkage)",
    "staff.employee": "employee",
    "staff.n": "n",
    "staff.mean": "mean",
    "staff.shrunk": "shrunk",
    "staff.interval": "interval",
    "staff.rank": "rank (range)",
    "staff.too_few": "too few ratings",
    # ahp
    "ahp.title": "AHP priorities ({method})",
    "ahp.yes": "yes",
    "ahp.no": "no",
    "ahp.consistent": "consistent",
    "ahp.missing": "missing judgments",
    "ahp.note": "note: {note}",
    "ahp.group_cr": "group CR",
    "ahp.expert": "expert {expert}",
    "ahp.expert_row": "weight {weight:.3f}, CR {cr:.4f}",
    "ahp.inconsistent": " (inconsistent)",
    "ahp.group_title": "Group AHP ({aggregation})",
    "ahp.hierarchy": "AHP hierarchy '{root}'",
    "ahp.node": "{node}: local {local}, global {glob}",
    "ahp.level_cr": "level {level} CR: {cr}",
    "ahp.hierarchy_cr": "hierarchy CR: {cr} ({verdict})",
    "ahp.is_consistent": "consistent",
    "ahp.not_consistent": "NOT consistent",
    "ahp.combined": "Combined weights ({method})",
    "ahp.coefficients": "coefficients: {coefficients}",
    # fuzzy
    "fuzzy.title": "Fuzzy comprehensive evaluation {operator}",
    "fuzzy.maximum": "maximum membership: level {level} ({label})",
    "fuzzy.ambiguous": " - ambiguous",
    "fuzzy.score_read": " -> level {level} ({label})",
    "fuzzy.score": "level score: {score:.2f}",
    "fuzzy.note": "note: {note}",
    # indicators
    "indicators.duplicate": (
        "{a} and {b} correlate {r:.2f} (|r| >= {threshold:g}): near-duplicate, consider keeping one"
    ),
    "indicators.constant": "no variance (every answer is the same)",
    "indicators.weak": (
        "corrected item-total correlation {r:.2f} < {threshold:g}: {item} hardly moves "
        "with the other items"
    ),
    "indicators.level.0": "overall",
    "indicators.level.n": "level {depth}",
    "indicators.level.1": "level 1",
    "indicators.level.2": "level 2",
    "indicators.level.3": "level 3",
    "indicators.level.4": "level 4",
    # system
    "system.title": "Indicator system '{name}'",
    "system.node": "{name} [{node}]  local {local}  global {glob}",
    "system.cr": "hierarchy CR (AHP nodes): {cr}",
    "system.note": "note: {note}",
    "scores.title": "Indicator scores (n = {n})",
    "scores.node": "{name}: {score}  ({label}, n = {n})",
    "scores.counts": "incomplete respondents: {incomplete}; without a score: {unscored}",
    "scores.note": "note: {note}",
    # cleaning
    "cleaning.title": "Survey cleaning ({source}), missing = {missing}",
    "cleaning.read": "respondents read",
    "cleaning.kept": "respondents kept",
    "cleaning.excluded": "respondents excluded",
    "cleaning.affected": "with missing answers",
    "cleaning.set_missing": "missing codes -> NaN",
    "cleaning.blank": "blank cells",
    "cleaning.out_of_scale": "out of scale -> NaN",
    "cleaning.recoded": "reverse-coded cells",
    "cleaning.replaced": "mean-replaced cells",
    "cleaning.unknown": "columns not in codebook (kept): {columns}",
    "cleaning.per_item": "per item:",
    "rake.converged": (
        "Raking converged after {iterations} iterations; largest margin error {error:.3g}"
    ),
    "rake.not_converged": (
        "Raking did NOT converge after {iterations} iterations; largest margin error {error:.3g}"
    ),
    "rake.weights": "weights: sum {total:.6g}, min {low:.4g}, max {high:.4g}, max/min {ratio:.3g}",
    "rake.kish": "Kish effective sample size {n_eff:.1f} of {n}",
    "rake.capped": "weights held at a cap bound: {n}",
    "rake.replicates": "some replicate weights did not converge",
    "survey.head": "Survey from {source}: {n} respondents kept, {excluded} excluded, {items} items",
    "survey.constructs": " in {k} constructs",
    # spec
    "spec.head": (
        "ModelSpec({constructs} constructs, {indicators} indicators, {paths} paths{terms})"
    ),
    "spec.terms": ", {k} interaction terms",
    "codebook.head": "Codebook: {n} items",
    "codebook.constructs": " in {k} constructs",
    "codebook.extras": ", {k} extra",
    # levels
    "levels.group.dissatisfied": "dissatisfied (levels 1-3)",
    "levels.group.neutral": "neutral (level 4)",
    "levels.group.satisfied": "satisfied (levels 5-7)",
    "diag.after_iterations": " after {n} iterations",
    "diag.severity.info": "info",
    "diag.severity.warning": "warning",
    "diag.severity.error": "error",
    "diag.with_advice": "{message} {advice}",
    # plot
    "plot.stars_note": "*** p < .001   ** p < .01   * p < .05",
    "plot.importance": "Importance (total effect on {target})",
    "plot.importance_plain": "Importance (total effect)",
    "plot.performance": "Performance (0-100)",
    "plot.ipma_title": "Importance-performance map: {target}",
    "plot.ipma_title_plain": "Importance-performance map",
    "plot.q_keep": "Keep up the good work",
    "plot.q_focus": "Concentrate here",
    "plot.q_overkill": "Possible overkill",
    "plot.q_low": "Low priority",
    "plot.index": "Index (0-100)",
    "plot.index_title": "Index by construct",
    "plot.period": "Period",
    "plot.trend_title": "Index over periods",
    "plot.share": "Share of respondents (%)",
    "plot.dissatisfied": "dissatisfied",
    "plot.satisfied": "satisfied",
    "plot.levels_title": "Seven-level distribution",
    "plot.weight": "Weight",
    "plot.weights_title": "Weights",
    "plot.hierarchy_title": "Indicator system: global weights",
    "plot.level": "Level {level}",
    "plot.local": "local",
    "plot.global": "global",
    "plot.cr": "Consistency ratio (CR)",
    "plot.cr_threshold": "threshold CR = {threshold:g}",
    "plot.cr_title": "Consistency of the judgment matrices",
    "plot.detractors": "detractors (0-6)",
    "plot.passives": "passives (7-8)",
    "plot.promoters": "promoters (9-10)",
    "plot.nps_share": "Share of respondents (%)",
    "plot.nps_title": "Promoters, passives and detractors",
    "plot.nps": "NPS",
    "plot.impact": "Index points gained by {target} when the driver rises {points:g} points",
    "plot.impact_plain": "Index points gained when the driver rises {points:g} points",
    "plot.impact_title": "Drivers of {target}",
    "plot.impact_title_plain": "Drivers",
    # invariance
    "invariance.title": "Measurement invariance across {group}",
    "invariance.table": "Fit per model and tests between neighbouring models",
    # outline
    "outline.title": "{title}",
    "outline.unavailable": " (not available)",
    "outline.table": "table  {name}: {title} ({rows} rows)",
    "outline.figure": "figure {name}: {title}",
    # diag
    "diag.negative_variance.message": (
        "The variance of {name} is negative ({value:.4g}): an improper solution (Heywood case)."
    ),
    "diag.negative_variance.advice": (
        "Check the construct's indicators (too few, or one nearly duplicating "
        "another), look for outliers, or fix the variance to a small positive value."
    ),
    "diag.loading_above_one.message": (
        "The standardized loading of {name} is {value:.4g}, above 1: an improper solution."
    ),
    "diag.loading_above_one.advice": (
        "Usually a negative error variance of the same item; see that diagnostic."
    ),
    "diag.r2_out_of_range.message": "R² of {name} is {value:.4g}, outside [0, 1].",
    "diag.r2_out_of_range.advice": (
        "The explained part exceeds the total variance: the model is misspecified for "
        "these data or the estimates are improper."
    ),
    "diag.not_positive_definite.message": (
        "The {name} is not positive definite (smallest eigenvalue {value:.4g})."
    ),
    "diag.not_positive_definite.advice": (
        "Look for items that are linear combinations of others, constant items, or too "
        "few respondents for the number of items."
    ),
    "diag.not_converged.message": "The estimation did not converge{detail}.",
    "diag.not_converged.advice": (
        "Do not interpret the estimates; simplify the model, check the data, or allow "
        "more iterations."
    ),
    "diag.respondents_excluded.message": (
        "{count} respondent(s) were left out because of missing answers ({how})."
    ),
    "diag.respondents_excluded.advice": (
        "Use missing='fiml' to keep everyone, or check why the answers are missing."
    ),
    "diag.respondents_excluded_pls.message": (
        "{count} respondent(s) were left out because of missing answers ({how})."
    ),
    "diag.respondents_excluded_pls.advice": (
        "Use missing='mean' (mean replacement) or missing='pairwise' to keep everyone, "
        "or check why the answers are missing."
    ),
    "diag.not_identified.message": (
        "The information matrix is singular: {detail} cannot be estimated uniquely."
    ),
    "diag.not_identified.advice": (
        "Fix a loading or variance per construct, add indicators, or remove redundant "
        "parameters; standard errors are not trustworthy."
    ),
    "diag.correlation_above_one.message": (
        "The correlation of {name} is {value:.4g}, beyond ±1: an improper solution."
    ),
    "diag.correlation_above_one.advice": (
        "The two constructs may not be distinct; consider merging them."
    ),
    "diag.dominant_item.message": (
        "{name} rests on a single item: {item} carries {share:.0%} of the weight of "
        "the construct score (loadings: {loadings})."
    ),
    "diag.dominant_item.advice": (
        "The other items add little, so the construct and its index are in effect "
        "{item} alone. Check the other items for wording, reverse coding or "
        "missing-value codes; improve or drop them, or report {name} as a single-item "
        "measure."
    ),
    "diag.collinear_constructs.message": (
        "{first} and {second} are nearly collinear (correlation {value:.3f}, above "
        "{threshold:g}): respondents hardly tell them apart."
    ),
    "diag.collinear_constructs.advice": (
        "Their separate effects are unstable and may even get the wrong sign. Check "
        "the HTMT ratio; consider merging the two constructs, keeping only one of them "
        "as a predictor, or rewording the items so that they ask about different "
        "things."
    ),
    "diag.inner_collinearity.message": (
        "The predictors of {target} are collinear: {source} has VIF {value:.2f} (above "
        "{threshold:g})."
    ),
    "diag.inner_collinearity.advice": (
        "The path coefficients into {target} are unstable. Consider merging highly "
        "correlated predictors into one construct, dropping one of them, or a "
        "second-order construct."
    ),
    "diag.formative_collinearity.message": (
        "The items of formative construct {name} are collinear: {item} has VIF "
        "{value:.2f} (above {threshold:g})."
    ),
    "diag.formative_collinearity.advice": (
        "Its weights are unstable and may have the wrong sign. Drop or merge redundant "
        "items, or model the construct as reflective if the items are interchangeable."
    ),
    "diag.low_reliability.message": (
        "The reliability of {name} is low: {statistic} = {value:.3f} (below {threshold:g})."
    ),
    "diag.low_reliability.advice": (
        "Its items do not measure it consistently. Look for items with low loadings or "
        "low item-total correlations (reverse-coded or ambiguous questions) and revise "
        "or drop them."
    ),
    "diag.redundant_items.message": (
        "The reliability of {name} is very high: {statistic} = {value:.3f} (above {threshold:g})."
    ),
    "diag.redundant_items.advice": (
        "Its items may be near repetitions of one question, which inflates the "
        "reliability and burdens respondents; consider dropping repeated items."
    ),
    "diag.low_ave.message": (
        "{name} explains less than half of its items' variance: AVE = {value:.3f} "
        "(below {threshold:g})."
    ),
    "diag.low_ave.advice": (
        "On average its items carry more error than construct; drop or revise the "
        "items with the lowest loadings."
    ),
    "diag.low_loading.message": (
        "Item {item} of {name} has a low loading ({value:.3f}, below {threshold:g})."
    ),
    "diag.low_loading.advice": (
        "It shares little with the other items of {name}. Check its wording and "
        "coding; drop it if that raises the construct's reliability or AVE and the "
        "content is still covered."
    ),
    "diag.poor_model_fit.message": (
        "The model reproduces the item correlations loosely: SRMR = {value:.3f} (above "
        "{threshold:g})."
    ),
    "diag.poor_model_fit.advice": (
        "Some item correlations are far from what the model implies. Look for missing "
        "paths, items that belong to another construct, or a construct that is really "
        "two."
    ),
    "diag.discriminant_validity.message": (
        "{first} and {second} are not clearly distinct: {statistic} = {value:.3f} "
        "(above {threshold:g})."
    ),
    "diag.discriminant_validity.advice": (
        "Their items correlate nearly as strongly across the two constructs as within "
        "each. Check whether they measure the same thing; merge them, or reword items "
        "that belong to both."
    ),
    "diag.phrase.covariance_matrix": "covariance matrix",
    "diag.phrase.sample_correlation_matrix": "sample correlation matrix",
    "diag.phrase.item_correlation_matrix": "item correlation matrix",
    "diag.phrase.latent_covariance_matrix": "latent covariance matrix",
    "diag.phrase.some_parameter": "some parameter",
    "diag.phrase.how_listwise": "listwise",
    "diag.phrase.how_pairwise": "pairwise",
    "diag.phrase.how_mean": "mean replacement",
    "diag.in_group": "{name} (group {group})",
    # role
    "role.image": "Image",
    "role.expectation": "Expectation",
    "role.quality": "Quality",
    "role.value": "Value",
    "role.satisfaction": "Satisfaction",
    "role.complaints": "Complaints",
    "role.loyalty": "Loyalty",
    "target.below": "below target",
    "target.falling": "falling",
    "target.sep": "; ",
    # sem
    "sem.chisq": "Chi-square",
    "sem.df": "Degrees of freedom",
    "sem.pvalue": "P-value (chi-square)",
    "sem.cfi": "CFI",
    "sem.tli": "TLI",
    "sem.rmsea": "RMSEA",
    "sem.rmsea_ci": "RMSEA 90% CI",
    "sem.srmr": "SRMR",
    "sem.loglik": "Log-likelihood",
    "sem.aic": "AIC",
    "sem.bic": "BIC",
    "sem.title": "Covariance-based SEM",
    "sem.n": "Respondents used",
    "sem.excluded": "Respondents excluded (missing answers)",
    "sem.estimator": "Estimator",
    "sem.params": "Parameter estimates",
    "sem.diagnostics": "Diagnostics",
    "sem.groups": "Groups",
    "sem.weights": "Survey weights",
    "sem.sampling": "sampling (robust SEs, Yuan-Bentler scaled chi-square)",
    "sem.frequency": "frequency (repeated respondents)",
    "sem.chisq_scaled": "Chi-square (scaled)",
    "sem.scaling": "Scaling factor",
}
