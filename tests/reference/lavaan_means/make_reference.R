# Reference outputs of lavaan for tests/test_sem_latent_means.py: `~ 1` statements
# (latent means, fixed intercepts, intercepts of observed regression variables) and
# observed covariates in multi-group fits on complete data.
# Inputs: ../lavaan/HolzingerSwineford1939.csv and ../lavaan/PoliticalDemocracy.csv.
# Run from this folder:  Rscript make_reference.R
suppressMessages(library(lavaan))

hs <- read.csv("../lavaan/HolzingerSwineford1939.csv")
pdem <- read.csv("../lavaan/PoliticalDemocracy.csv")

HS <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
HS_COVARIATE <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~ ageyr
textual ~ ageyr
"
PD_OBSERVED <- "
y1 ~ x1
y2 ~ x1
y3 ~ y1
"

# every row (group 1 in single-group fits) and every fit measure
write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  keep <- c("group", "lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower",
            "ci.upper", "std.lv", "std.all")
  write.csv(pe[pe$op != "==", keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  cat(prefix, ": npar", fitMeasures(fit, "npar"), "chisq", fitMeasures(fit, "chisq"),
      "df", fitMeasures(fit, "df"), "\n")
}

# single group: a latent mean identified by a fixed intercept
write_fit(sem(paste(HS, "visual ~ 1\nx1 ~ 0*1"), data = hs), "hs_visual_mean")
# every latent mean free, every marker's intercept fixed at 0
write_fit(sem(paste(HS, "visual ~ 1\ntextual ~ 1\nspeed ~ 1\nx1 ~ 0*1\nx4 ~ 0*1\nx7 ~ 0*1"),
              data = hs), "hs_marker_means")
# fixed values other than 0: x2's intercept at 6, the mean of speed at 4.2 (x7 ~ 0*1)
write_fit(sem(paste(HS, "x2 ~ 6*1\nspeed ~ 4.2*1\nx7 ~ 0*1"), data = hs), "hs_fixed_means")
# multi-group scalar invariance: latent means 0 in group 1, free in group 2
write_fit(sem(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts")),
          "hs_mg_scalar")
# ... with the user's `visual ~ 0*1` (fixed in both groups)
write_fit(sem(paste(HS, "visual ~ 0*1"), data = hs, group = "school",
              group.equal = c("loadings", "intercepts")), "hs_mg_scalar_fixed")
# ... latent means free in both groups, identified by x1, x4, x7 ~ 0*1 (equal intercepts)
HS_MARKERS <- paste(HS, "visual ~ 1\ntextual ~ 1\nspeed ~ 1\nx1 ~ 0*1\nx4 ~ 0*1\nx7 ~ 0*1")
write_fit(sem(HS_MARKERS, data = hs, group = "school", group.equal = c("loadings", "intercepts")),
          "hs_mg_marker_means")
# ... and with equal means: one latent mean per factor shared by the groups
write_fit(sem(HS_MARKERS, data = hs, group = "school",
              group.equal = c("loadings", "intercepts", "means")), "hs_mg_marker_equal_means")
# `y ~ 1` with observed regressions (meanstructure, fixed.x = TRUE)
write_fit(sem(paste(PD_OBSERVED, "y1 ~ 1"), data = pdem), "pd_observed_intercept")
write_fit(sem(paste(HS, "visual ~ ageyr\nx1 ~ 1"), data = hs), "hs_covariate_intercept")
write_fit(sem(paste(PD_OBSERVED, "y1 ~ 1"), data = pdem, fixed.x = FALSE),
          "pd_observed_intercept_freex")
# observed covariate in multi-group fits on complete data
write_fit(sem(HS_COVARIATE, data = hs, group = "school"), "hs_covariate_mg")
write_fit(sem(HS_COVARIATE, data = hs, group = "school",
              group.equal = c("loadings", "intercepts")), "hs_covariate_mg_scalar")
write_fit(sem(HS_COVARIATE, data = hs, group = "school", estimator = "MLR",
              group.equal = c("loadings", "intercepts")), "hs_covariate_mg_scalar_mlr")
write_fit(sem(HS_COVARIATE, data = hs, group = "school", estimator = "ULS",
              group.equal = c("loadings", "intercepts")), "hs_covariate_mg_scalar_uls")
write_fit(sem(HS_COVARIATE, data = hs, group = "school", estimator = "GLS",
              group.equal = c("loadings", "intercepts")), "hs_covariate_mg_scalar_gls")
# the same `~ 1` models with the other estimators (lavaan's meanstructure with each)
for (e in c("MLR", "MLM", "GLS", "ULS")) {
  write_fit(sem(paste(HS, "visual ~ 1\nx1 ~ 0*1"), data = hs, estimator = e),
            paste0("hs_visual_mean_", tolower(e)))
}
for (e in c("MLR", "GLS", "ULS")) {
  write_fit(sem(paste(PD_OBSERVED, "y1 ~ 1"), data = pdem, estimator = e),
            paste0("pd_observed_intercept_", tolower(e)))
}
write_fit(sem(HS_MARKERS, data = hs, group = "school", estimator = "MLR",
              group.equal = c("loadings", "intercepts")), "hs_mg_marker_means_mlr")
write_fit(sem(HS_MARKERS, data = hs, group = "school", estimator = "GLS",
              group.equal = c("loadings", "intercepts")), "hs_mg_marker_means_gls")
# FIML (missing = "ml") on ../lavaan_robust/hs_missing.csv (HS with answers removed at random)
hs_na <- read.csv("../lavaan_robust/hs_missing.csv")
write_fit(sem(paste(HS, "visual ~ 1\nx1 ~ 0*1"), data = hs_na, missing = "ml"),
          "hs_visual_mean_fiml")
write_fit(sem(paste(HS, "visual ~ 1\nx1 ~ 0*1"), data = hs_na, missing = "ml", estimator = "MLR"),
          "hs_visual_mean_fiml_mlr")
write_fit(sem(HS_MARKERS, data = hs_na, missing = "ml", group = "school",
              group.equal = c("loadings", "intercepts")), "hs_mg_marker_means_fiml")

writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), "versions.txt")
