"""English titles and phrases of the report (looked up through
:mod:`csi.i18n`).
"""

from __future__ import annotations

#: Section titles, table titles and phrases.
TEXT_EN: dict[str, str] = {
    "table_in_workbook": "{title}: {rows} rows ({k} segments), in the workbook only.",
    "figure_too_many_segments": (
        "Figure left out ({title}): {k} segments are more than a figure can show "
        "(at most {most}); the tables list every segment."
    ),
    # segment comparisons that scale (issue 18): each segment against the rest
    "t_index_vs_rest": "Each segment against the rest ({segment})",
    "t_index_vs_rest_significant": (
        "Segments that differ from the rest ({segment}; Holm-adjusted p < {alpha:g})"
    ),
    "vs_rest_note": (
        "Each segment of {segment} is compared with all other respondents: difference = "
        "the segment's index minus the index of the rest, {test} of the respondent scores; "
        "p-values are Holm-adjusted over the segments of each construct (one family per "
        "construct). Differences between pairs of segments are written to the workbook "
        "only when asked for (pairs=True, --pairs)."
    ),
    "vs_rest_none": (
        "No segment of {segment} differs significantly from the rest on any construct "
        "(Holm-adjusted p < {alpha:g})."
    ),
    "pairs_workbook_note": (
        "Every pair of segments, from the bootstrap ({level:.0%} percentile intervals); "
        "in the workbook only. p (Holm) is adjusted over the pairs of each construct."
    ),
    # appendix: PLS detail (SmartPLS level) and group comparison
    "appendix_intro_detail": (
        "Then the PLS detail a SmartPLS results report gives: the significance of the "
        "outer weights and loadings, cross-loadings, the VIF of every indicator, "
        "specific and total indirect effects, model fit (SRMR, d_ULS, d_G), predictive "
        "relevance (PLSpredict and Q²) and, with a segment, MICOM and the multi-group "
        "comparison of the paths."
    ),
    "detail_unavailable": "{table}: not available ({reason}).",
    "t_outer_weights_boot": "Outer weights: bootstrap significance",
    "t_loadings_boot": "Outer loadings: bootstrap significance",
    "t_cross_loadings": "Cross-loadings (correlation of each item with each construct)",
    "cross_note": (
        "Each item should correlate more with its own construct than with any other "
        "(Chin 1998); the last column says whether it does."
    ),
    "t_outer_vif_items": "Collinearity of the indicators (outer VIF)",
    "outer_vif_note": (
        "VIF of each indicator within its construct's block; it matters for formative "
        "(mode B) blocks, where a VIF above {vif:g} signals collinearity (Hair et al. 2017)."
    ),
    "t_indirect_effects": "Indirect effects (specific and total) with bootstrap intervals",
    "indirect_specific": "specific indirect",
    "indirect_total": "total indirect",
    "indirect_note": (
        "A specific indirect effect is the product of the paths along one route; the "
        "total indirect effect of a pair is the sum over its routes (standardised)."
    ),
    "indirect_none": "The model has no indirect effect (no route of two or more paths).",
    "t_model_fit": "Model fit (SRMR, d_ULS, d_G)",
    "fit_model_saturated": "saturated model",
    "fit_model_estimated": "estimated model",
    "fit_d_uls": "d_ULS (squared Euclidean distance)",
    "fit_d_g": "d_G (geodesic distance)",
    "fit_note": (
        "Distances between the item correlations and those the model implies (Henseler "
        "et al. 2014; Dijkstra & Henseler 2015): SRMR below 0.08 is the usual cut-off. "
        "Values only: the bootstrap test of exact fit is not run for the report."
    ),
    "no_model_fit": "the fitted result has no model_fit() method",
    "t_pls_predict": "Predictive relevance: PLSpredict (endogenous items)",
    "predict_note": (
        "{folds}-fold cross-validation, {repeats} run(s), seed {seed} (Shmueli et "
        "al. 2019): Q²predict above 0 means the model predicts better than the item's "
        "mean; PLS errors below the linear model's (LM) show predictive power. "
        "Predictive power: {power}."
    ),
    "predict_unweighted": (
        "Unweighted: the cross-validation refits the model without the survey weights."
    ),
    "power_high": "high (PLS below LM for every item)",
    "power_medium": "medium (PLS below LM for most items)",
    "power_low": "low (PLS below LM for a minority of items)",
    "power_none": "none (Q²predict not above 0 for every item, or PLS never below LM)",
    "t_q2_blindfolding": "Predictive relevance: Q² by blindfolding (endogenous constructs)",
    "q2_note": (
        "Stone-Geisser Q² (cross-validated redundancy, omission distance {d}): above 0 "
        "means predictive relevance for the construct (Hair et al. 2017)."
    ),
    "t_micom": "Measurement invariance between segments ({segment}): MICOM",
    "micom_composition": "compositional invariance (c)",
    "micom_mean": "equal means",
    "micom_log_variance": "equal variances (log ratio)",
    "invariance_full": "full",
    "invariance_partial": "partial",
    "invariance_none": "none",
    "micom_note": (
        "MICOM (Henseler, Ringle & Sarstedt 2016): step 2 compares the correlation c of "
        "the composite scores under both groups' weights with the permutation 5% "
        "quantile (lower limit); step 3 compares the difference of the means and of the "
        "log variances with the permutation interval. Partial invariance (step 2 met) "
        "allows comparing the paths; full invariance (steps 2 and 3) also allows "
        "pooling the groups."
    ),
    "t_mga_paths": "Path coefficients compared between segments ({segment}): PLS-MGA",
    "mga_note": (
        "Each group's own path coefficients; difference = group A minus group B; p from "
        "the permutation test (Chin & Dibbern 2010), not corrected for the number of "
        "comparisons. n (A), n (B): respondents of each group used."
    ),
    "mga_note_micom": (
        "Only paths between constructs with at least partial measurement invariance "
        "(MICOM) are compared."
    ),
    "mga_note_no_micom": (
        "Measurement invariance (MICOM) could not be checked ({reason}): read the "
        "differences with care."
    ),
    "no_micom": "MICOM is not available in this version of csi",
    "mga_permutations": "{n} permutations, seed {seed}.",
    "mga_interaction": "the model has interaction terms (a moderator is already a group effect)",
    "sem_interaction": (
        "the model has interaction terms ({terms}), which csi's CB-SEM does not "
        "estimate; the PLS results above include them"
    ),
    "predict_sampled": (
        "With {n_all:,} respondents, PLSpredict is run on a simple random sample of "
        "n = {n:,} of them (seed {seed}), the model refitted on that sample with the same "
        "settings; every other figure of the report uses all respondents."
    ),
    "mga_sampled": (
        "Groups larger than {cap:,} respondents are compared on a simple random sample of "
        "{cap:,} of their respondents (seed {seed}), the model refitted on those samples "
        "with the same settings; every other figure of the report uses all respondents."
    ),
    "mga_groups": (
        "Groups of {segment} with at least {min_group} respondents are compared (the {most} "
        "largest at most, every pair); segments the "
        "report suppresses (fewer than {min_size} respondents, or hidden to protect "
        "one) never are; {k} group(s) are not compared."
    ),
    "mga_unavailable": "Multi-group comparison by {segment}: not available ({reason}).",
    "mga_too_few": "fewer than two segments with at least {min_size} respondents to compare",
    "mga_no_resamples": "it needs resamples: bootstrap = 0 (turned off)",
    "mga_weighted": (
        "the model is weighted and the group comparison of a weighted fit is not available yet"
    ),
    "mga_hidden": (
        "Comparisons of a segment the finished report hides (to protect a small one) are left out."
    ),
    "mga_no_method": "the fitted result has no compare_groups() method",
    "mga_pair_failed": "Multi-group comparison of {a} and {b} failed ({reason}).",
    # at a glance: margins of error
    "m_title": "How precise the headline figures are (margin of error)",
    "m_index": "{target} index {value:.1f} (±{moe:.1f} index points, {level:.0%} interval, "
    "n = {n:,})",
    "m_share": "{what} {value:.1f}% (±{moe:.1f} percentage points, {level:.0%} interval, "
    "n = {n:,})",
    "m_nps": "Net Promoter Score {value:+.1f} (±{moe:.1f} points, {level:.0%} interval, n = {n:,})",
    "m_satisfied": "Satisfied (levels 5-7)",
    "m_csat": "CSAT (top {top} boxes of {column})",
    "m_note": (
        "The margin of error is half the width of the 95% interval: the range the figure "
        "would most likely fall in had everyone been surveyed. Index: {index_method}. "
        "Shares: {share_method}. NPS: the variance of promoters minus detractors "
        "(Rocks 2016){nps_method}."
    ),
    "m_index_boot": "bootstrap percentile interval ({n:,} resamples)",
    "m_index_t": ("t interval of the mean respondent score, the model's item weights held fixed"),
    "m_share_wilson": "Wilson score interval",
    "m_share_design": "design-based interval (design standard error)",
    "m_nps_design": ", design-based",
    "report_title": "Customer satisfaction report",
    "contents": "Contents",
    "generated": "Generated by csi {version} from {source}",
    # sections
    "glance": "At a glance",
    "appendix": "Appendix: technical detail",
    "summary": "Data summary",
    "model": "Model",
    "quality": "Reliability and validity",
    "paths": "Path model and fit",
    "index": "Satisfaction indices",
    "impacts": "Impacts and priorities for improvement",
    "system": "Indicator system: weights and scores",
    "levels": "Seven-level reading",
    "fuzzy": "Fuzzy comprehensive evaluation",
    "metrics": "Service metrics (NPS, CSAT)",
    # tables and figures
    "t_respondents": "Respondents",
    "t_reasons": "Respondents excluded, by reason",
    "t_items": "Cleaning per item",
    "t_segment_sizes": "Respondents per segment ({segment})",
    "t_measurement": "Measurement model",
    "t_structural": "Structural paths",
    "t_paths": "Path coefficients",
    "t_r2": "Explained variance (R²)",
    "t_outer": "Outer weights and loadings",
    "t_sem_fit": "CB-SEM fit indices",
    "t_sem_paths": "CB-SEM structural paths",
    "t_index": "Index per construct (0-100)",
    "t_index_segment": "Index per segment ({segment})",
    "t_index_period": "Index per period ({segment})",
    "t_impacts": ("Impacts: index points (0-100) gained when a driver rises by {points} points"),
    "t_ipma": "Priorities for improvement (importance-performance map of {target})",
    "t_levels": "Respondents per satisfaction level ({construct})",
    "t_levels_segment": "Satisfaction levels per segment ({segment})",
    "t_nps": "Net Promoter Score ({column})",
    "t_nps_segment": "Net Promoter Score per segment ({segment})",
    "t_csat": "CSAT: share in the top {top} boxes ({column})",
    "t_csat_segment": "CSAT per segment ({segment})",
    "t_bootstrap": "Bootstrap ({n} resamples): {what}",
    "t_system_weights": "Indicator weights",
    "t_system_scores": "Indicator-system scores",
    "t_system_segment": "Indicator-system scores per segment ({segment})",
    "t_system_levels": "Respondents per satisfaction level ({name})",
    "t_fuzzy_system": "Fuzzy evaluation through the indicator system (memberships in %)",
    "t_fuzzy_membership": "Membership matrix R of the {name} items (%)",
    "t_fuzzy_result": "Evaluation B = A ∘ R of {name} ({operator})",
    "system_cr": ("Consistency ratio of the AHP hierarchy: CR = {cr:.3f} (acceptable below 0.10)."),
    "system_incomplete": (
        "{incomplete} respondents were scored from part of their items; {unscored} have no score."
    ),
    "fuzzy_note": (
        "Memberships: share of answers in each of the seven levels; B = A ∘ R with the "
        "weighted-average operator M(·,⊕); read by the level score and by maximum membership."
    ),
    "ambiguous": "ambiguous",
    "sem_off": "CB-SEM was not requested",
    "no_cjk_font": (
        "No font with Chinese characters is installed, so Chinese labels in the figures "
        "show as boxes: install one (Debian: apt install fonts-noto-cjk) or set "
        "CSI_CJK_FONT to a font file."
    ),
    "f_path": "Path diagram",
    "f_index": "Index per construct",
    "f_index_segment": "Index per segment",
    "f_ipma": "Importance-performance map",
    "f_levels": "Distribution over the seven levels",
    "f_weights": "Indicator weights",
    "f_hierarchy": "Indicator hierarchy",
    # phrases
    "not_available": "Not available: {reason}",
    "no_quality": "the fitted result has no quality() method",
    "no_bootstrap": "the fitted result has no bootstrap() method",
    "no_sem": "covariance-based SEM (csi.sem.fit_sem) is not installed",
    "sem_failed": "the CB-SEM fit failed ({error})",
    "no_system": "no indicator system given (--system)",
    "no_system_module": "the indicator-system module (csi.indicators) is not installed",
    "system_missing": "indicator-system file not found: {path}",
    "no_fuzzy": "no fuzzy evaluation configured",
    "no_fuzzy_method": "the indicator system has no fuzzy evaluation method",
    "no_metric_column": "the survey has no column {column!r}",
    "no_recommend": "no 0-10 recommendation question (codebook key 'recommend')",
    "scores_outside": (
        "{k} respondents' {name} scores fall outside 0-100 because some outer weights are "
        "negative (items that do not measure the construct): the seven levels cannot be "
        "read; see the warning on the weights"
    ),
    "model_n": (
        "Model-based figures use {n} respondents (missing answers: {method}; {left} left out)."
    ),
    "weighting_note": (
        "Figures are weighted by {weight} ({kind} weights; sum {total:,.1f}, Kish effective "
        "sample size {n_eff:,.0f} of {n}){design}. Tables give the unweighted n, the "
        "weighted n and the effective n."
    ),
    "weighting_design": "; design-based standard errors with {parts}",
    "weighting_off": "Weights are switched off for this report (--no-weights): {weight} is "
    "not used.",
    "model_n_unscored": (
        "{k} of them answered too few items for a score (pairwise): they are not in the "
        "per-respondent and per-segment figures."
    ),
    "n_per_figure": (
        "Each figure states its n: model-based figures use the respondents of the model; "
        "NPS, CSAT and item figures use everyone who answered their question."
    ),
    "no_segment": "no segment column given (--segment)",
    "figure_failed": "figure not drawn ({error})",
    "no_scores": "respondent scores are not available for this fit",
    "suppression_note": (
        "Segments with fewer than {min_size} respondents are suppressed: their rows are "
        "kept and marked, their figures are left blank."
    ),
    "suppressed": "suppressed, n < {min_size}",
    "suppressed_complementary": "suppressed to protect a segment with n < {min_size}",
    "index_note": (
        "Index = weighted mean of the construct's items rescaled to 0-100, with the "
        "PLS outer weights rescaled to sum to 1 (Fornell et al. 1996)."
    ),
    "segment_index_note": (
        "Segment indices apply the full-sample weights to each segment's answers."
    ),
    "ipma_note": (
        "Importance = total effect on {target} (index points per point of the driver); "
        "performance = the driver's index. Drivers with above-average importance and "
        "below-average performance come first."
    ),
    "ipma_excluded": (
        "{names} is left out of the priorities (a company cannot act on customers' "
        "expectations directly); it stays in the map and in the impacts."
    ),
    "levels_note": (
        "Each respondent's 0-100 {construct} score read on the seven-level scale "
        "(equal-width bands of the 0-100 range)."
    ),
    "nps_note": "Promoters answer 9-10, passives 7-8, detractors 0-6; interval from the "
    "trinomial variance.",
    "csat_note": "Wilson score interval.",
    "model_note": "{n} constructs, {k} items, {p} structural paths; estimator: PLS ({scheme}).",
    "excluded_none": "No respondent was excluded.",
    "quad_hi_lo": "high importance, low performance",
    "quad_hi_hi": "high importance, high performance",
    "quad_lo_lo": "low importance, low performance",
    "quad_lo_hi": "low importance, high performance",
    "kind_construct": "construct",
    "kind_indicator": "indicator",
    # reliability and validity
    "t_reliability": "Reliability and convergent validity",
    "t_fornell_larcker": "Fornell-Larcker criterion (diagonal: square root of AVE)",
    "t_fornell_larcker_check": "Fornell-Larcker check per construct",
    "t_htmt": "Discriminant validity: HTMT",
    "t_f2_vif": "Effect sizes f² and collinearity of the predictors (inner VIF)",
    "t_outer_vif": "Collinearity of formative indicators (VIF)",
    "t_sem_reliability": "CB-SEM: composite reliability (omega) and AVE",
    "quality_intro": (
        "Quality of the measurement and structural model ({estimator}, n = {n}). "
        "Rules of thumb: alpha, rho_A and rho_C at least {rel:.2f} (rho_C above {rel_max:.2f} "
        "suggests redundant items), AVE at least {ave:.2f}, loadings at least {loading:.3f}, "
        "HTMT below {htmt:.2f}, VIF below {vif:g} (Hair et al. 2017; Henseler et al. 2015)."
    ),
    "quality_pls": "PLS path modelling",
    "quality_sem": "covariance-based SEM",
    "reliability_note": "The check column lists the statistics that miss their threshold.",
    "check_ok": "meets every threshold",
    "check_single": "single item: reliability not assessed",
    "check_low": "{stat} below {value:.2f}",
    "check_range": "{stat} outside {lo:.2f}-{hi:.2f}",
    "htmt_note": (
        "HTMT below {htmt:.2f} supports discriminant validity; so does an upper limit of "
        "the 95% bootstrap interval below 1 (Henseler et al. 2015)."
    ),
    "htmt_no_boot": "Bootstrap upper limits of the HTMT are not available ({reason}).",
    "f2_note": "f²: 0.02 small, 0.15 medium, 0.35 large effect (Cohen 1988).",
    "diagnostics": "Diagnostics ({estimator})",
    "diagnostics_none": "Diagnostics ({estimator}): no problems found.",
    "quality_failed": "the quality report could not be computed ({error})",
    "yes": "yes",
    "no": "no",
    "sev_info": "note",
    "sev_warning": "warning",
    "sev_error": "error",
    "effect_none": "none",
    "effect_small": "small",
    "effect_medium": "medium",
    "effect_large": "large",
    # bootstrap
    "bootstrap_note": (
        "Standard errors, p-values and {level:.0%} percentile intervals come from the "
        "bootstrap: {n} resamples of the respondents, seed {seed} (fixed, so the report "
        "is reproducible: the same data and seed give the same figures){failed}."
    ),
    "bootstrap_failed": "; {k} resamples failed and were left out",
    "bootstrap_none": "Standard errors, p-values and intervals are not available ({reason}).",
    "bootstrap_off": "bootstrap = 0 (turned off)",
    "bootstrap_error": "the bootstrap failed ({error})",
    "bootstrap_staged": (
        "Segment intervals are not available: a model estimated in stages (interaction "
        "terms) is bootstrapped as a whole, each resample re-running every stage; the "
        "segments of {segment} are compared from the respondent scores."
    ),
    "bootstrap_no_segment": (
        "Segment intervals are not available: the bootstrap by {segment} failed ({error})."
    ),
    "stars_note": "*** p < 0.001, ** p < 0.01, * p < 0.05 (two-sided, bootstrap).",
    "t_total_effects": "Total effects (standardised) with bootstrap intervals",
    "t_index_segment_ci": "Index per segment ({segment}) with {level:.0%} intervals",
    "t_index_differences": "Index differences between segments ({segment})",
    "differences_note": (
        "Difference = index of the first segment minus the second; an interval that "
        "excludes 0 marks a difference beyond sampling noise for that one comparison. "
        "p (Holm) corrects for the comparisons of each construct (Holm 1979). "
        "Comparisons involving a suppressed segment are blanked."
    ),
    # fuzzy
    "fuzzy_reading": (
        "Read the level score first: the weighted mean of the level anchors (0, 16.7, "
        "..., 100) over the memberships, itself placed on the seven levels. Maximum "
        "membership is shown for reference: on skewed 10-point data it tends to pick the "
        "top level, because answers 9 and 10 both fall in 'very satisfied'."
    ),
    "fuzzy_ambiguous": (
        "{name}: maximum membership is ambiguous ({a} {pa:.1%}, {b} {pb:.1%}: closer than "
        "{gap:g} percentage points); read the level score."
    ),
    # CB-SEM fit indices
    "fit_chisq": "chi-square",
    "fit_df": "degrees of freedom",
    "fit_pvalue": "p-value of the chi-square test",
    "fit_cfi": "CFI (comparative fit index)",
    "fit_tli": "TLI (Tucker-Lewis index)",
    "fit_rmsea": "RMSEA (root mean square error of approximation)",
    "fit_rmsea_ci_lower": "RMSEA, lower limit of the 90% interval",
    "fit_rmsea_ci_upper": "RMSEA, upper limit of the 90% interval",
    "fit_srmr": "SRMR (standardised root mean square residual)",
    "fit_aic": "AIC (Akaike information criterion)",
    "fit_bic": "BIC (Bayesian information criterion)",
    "fit_n": "respondents used",
    "sem_fit_note": "Good fit: CFI and TLI at least 0.95, RMSEA at most 0.06, SRMR at most "
    "0.08 (Hu & Bentler 1999).",
    # exclusion reasons and missing-answer handling
    "reason_missing": "missing answer(s): {items}",
    "missing_listwise": "listwise (respondents with a missing model item are excluded)",
    "missing_pairwise": "pairwise",
    "missing_mean": "mean replacement",
    "missing_keep": "kept as missing",
    "method_equal": "equal",
    "method_given": "given",
    "method_ahp": "AHP",
    "method_entropy": "entropy",
    "method_critic": "CRITIC",
    "method_cv": "coefficient of variation",
    "method_combined": "combined",
    "method_pls": "PLS weights",
    # respondent summary rows
    "r_read": "respondents read",
    "r_kept": "respondents kept after cleaning",
    "r_excluded": "respondents left out of the model",
    "r_with_missing": "respondents with missing answers",
    "r_codes": "missing codes set to missing (cells)",
    "r_blank": "blank cells",
    "r_oos": "out-of-scale values set to missing (cells)",
    "r_recoded": "reverse-coded cells",
    "r_replaced": "mean-replaced cells",
    "r_used": "respondents used in the model",
    "r_missing_method": "missing-answer handling",
    "all": "all respondents",
    # main body pointers to the appendix
    "appendix_intro": (
        "The full technical tables behind the sections above, for researchers: data "
        "cleaning, the measurement model, outer weights and loadings, total effects, "
        "CB-SEM paths, the index of each segment with its interval and every comparison "
        "between segments. The workbook (report.xlsx) "
        "holds each table on its own sheet."
    ),
    "excluded_missing": (
        "{n} respondents ({pct:.1f}%) were left out because of a missing answer to a "
        "model item; the reasons, and the cleaning per item, are in the appendix."
    ),
    "excluded_line": (
        "{n} respondents ({pct:.1f}%) were left out ({k} distinct reasons, listed in the "
        "appendix with the cleaning per item)."
    ),
    "model_appendix": "The items of each construct (measurement model) are listed in the appendix.",
    "paths_appendix": "Outer weights and loadings, total effects and the CB-SEM structural "
    "paths (where estimated) are in the appendix.",
    "t_index_differences_significant": (
        "Significant index differences between segments ({segment}; Holm-adjusted p < {alpha:g})"
    ),
    "differences_significant_note": (
        "Only the differences that stay significant after Holm's correction for the "
        "comparisons of each construct (Holm 1979); difference = first segment minus the "
        "second. Every comparison is in the appendix."
    ),
    "differences_none": (
        "No index difference between segments ({segment}) stays significant after Holm's "
        "correction (p < {alpha:g}); every comparison is in the appendix."
    ),
    # at a glance
    "g_findings": "Key findings",
    "g_priorities": "Top priorities for improving {target}",
    "g_where": "Details follow in the sections below; the technical tables are in the appendix.",
    "g_card_index": "{target} index (0-100)",
    "g_interval": "{level:.0%} interval {lo:.1f} to {hi:.1f}",
    "g_no_interval": "no interval (no bootstrap)",
    "g_no_interval_staged": "no interval (the bootstrap of a model with interaction terms "
    "has no index rows)",
    "g_index": "The {target} index is {value:.1f} out of 100 ({level:.0%} interval "
    "{lo:.1f} to {hi:.1f}).",
    "g_index_plain": "The {target} index is {value:.1f} out of 100.",
    "g_card_change": "Change since {previous}",
    "g_change_sig": "significant; 95% interval {lo:+.1f} to {hi:+.1f}",
    "g_change_ns": "no significant change; 95% interval {lo:+.1f} to {hi:+.1f}",
    "g_change": (
        "{current} against {previous}: {text} (95% interval of the change {lo:+.1f} to "
        "{hi:+.1f}; {test}, {p})."
    ),
    "g_change_none": (
        "{current} against {previous}: {text}, no significant change (the 95% interval of "
        "the change, {lo:+.1f} to {hi:+.1f}, covers 0; {test}, {p})."
    ),
    "g_test_welch_t": "Welch t test",
    "g_test_design_t": "design-based t test",
    "g_test_paired_t": "paired t test",
    "g_test_z": "z test",
    "g_test_paired_z": "paired z test",
    "g_card_satisfied": "Satisfied (levels 5-7)",
    "g_card_dissatisfied": "dissatisfied (levels 1-3): {dis:.1f}%",
    "g_levels": (
        "Reading each respondent's {target} score on the seven-level scale, {sat:.1f}% are "
        "satisfied (levels 5-7, somewhat satisfied to very satisfied) and {dis:.1f}% "
        "dissatisfied (levels 1-3)."
    ),
    "g_no_weak_spot": (
        "No item combines high importance with low performance, so the list starts with "
        "the most important items, which already perform above average: keep them up."
    ),
    "g_card_nps": "Net Promoter Score",
    "g_ci": "95% interval {lo:+.1f} to {hi:+.1f}",
    "g_nps": (
        "Net Promoter Score {nps:+.1f} (95% interval {lo:+.1f} to {hi:+.1f}): "
        "{pro:.1f}% promoters, {det:.1f}% detractors."
    ),
    "g_segment_item": "{segment} {value:.1f}, {diff:.1f} points lower (95% interval "
    "{lo:.1f} to {hi:.1f})",
    "g_segment_above": "{segment} {value:.1f}, {diff:.1f} points higher",
    "g_segments_below": (
        "Significantly below the rest of the respondents in {target} ({segment}; {test}, "
        "Holm correction): {items}."
    ),
    "g_segments_above_only": (
        "No {segment} segment is significantly below the rest of the respondents in "
        "{target} ({test}, Holm correction)."
    ),
    "g_segments_above": " Significantly above: {items}.",
    "g_segments_none": (
        "No {segment} segment differs significantly from the rest of the respondents in "
        "{target} ({test}, Holm correction)."
    ),
    "g_segments_small": " {k} segment(s) are not compared (fewer than {min_size} "
    "respondents, or hidden to protect such a segment; marked as suppressed in the "
    "tables).",
    "g_quality_ok": "Model quality: all reliability and validity checks passed.",
    "g_quality_notes": "Model quality: all reliability and validity checks passed "
    "({k} {notes}: see {section}).",
    "g_note_1": "note",
    "g_note_n": "notes",
    "g_quality_problems": "Model quality: {k} {warnings}: see {section}.",
    "g_warning_1": "warning",
    "g_warning_n": "warnings",
    "g_priority": (
        "{what}: {quadrant}; performance {performance:.1f} of 100, and each point gained "
        "adds {importance:.2f} points to the {target} index (index points, 0-100)."
    ),
    "g_item": "{label} ({item}, {construct})",
    "x_figure": "figure",
    "x_value": "value",
    "x_detail": "detail",
    # figures and explanations added with the layout work
    "f_impacts": "Drivers of {target}: impacts",
    "f_nps_segment": "Promoters, passives and detractors per segment ({segment})",
    "f_index_trend": "{target} index over the periods",
    "trend_note": "The {target} index of each period (its table is above).",
    "trend_note_ci": (
        "The {target} index of each period; the band is the 95% t interval of the mean "
        "respondent score of the period."
    ),
    "impacts_units": (
        "Impacts are in index points on the 0-100 scale: the points the target's index "
        "gains when the driver's index rises by {points} points (total effect, direct "
        "and indirect)."
    ),
    "satisfied_vs_csat": (
        'Two shares of satisfied customers, measuring different things: "satisfied '
        "(levels 5-7)\" reads each respondent's model-based 0-100 {target} score (all "
        "its items, weighted) on the seven-level scale; CSAT is the share of answers in "
        "the top {top} boxes of the single question {column}."
    ),
    "system_vs_model": (
        "Two indices, measuring different things: the indicator-system score weights every "
        "indicator of the system by its hierarchy weights (AHP, entropy, ...) into one "
        "overall score; the model index of {target} ({value:.1f}) is the PLS "
        "measurement of that one construct, its items weighted by the outer weights. They "
        "need not agree."
    ),
    "index_vs_system": (
        "This is the model index (PLS, per construct); the indicator-system score, which "
        "weights every indicator by the hierarchy weights, is a different measure (see "
        "the indicator-system section)."
    ),
    "t_reasons_top": "Respondents excluded: the {k} most frequent reasons",
    "reasons_other": "other reasons ({k})",
    "reasons_top_note": (
        "{total} distinct reasons in all; the full list is in the workbook (report.xlsx, "
        "sheet {sheet})."
    ),
    "not_included": "Not in this report: {sections}.",
    # how the report writes in each language (no inline language branches in csi.report)
    "html_lang": "en",
    "figure_font": "latin",
    "sep_items": "; ",
    "sep_names": "; ",
    "sep_advice": " ",
    "flag_paren": " ({flag})",
}
