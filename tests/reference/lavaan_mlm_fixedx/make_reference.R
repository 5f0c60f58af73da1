# Reference outputs of lavaan for tests/test_sem_mlm_fixedx.py: estimator = "MLM"
# (Satorra-Bentler scaled test, robust.sem standard errors) with observed exogenous
# covariates under lavaan's default fixed.x = TRUE, single- and multi-group.
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
PD_TWO_X <- "
y1 ~ x1 + x2
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
      "df", fitMeasures(fit, "df"), "chisq.scaled", fitMeasures(fit, "chisq.scaled"),
      "scaling", fitMeasures(fit, "chisq.scaling.factor"), "\n")
}

# lavInspect(fit, "gamma") of a single-group fit: the asymptotic covariance of the
# sample moments lavaan's MLM uses (rows and columns in lavaan's order, named)
write_gamma <- function(fit, prefix) {
  g <- lavInspect(fit, "gamma")
  write.csv(data.frame(g, check.names = FALSE), paste0(prefix, "_gamma.csv"))
}

fit <- sem(PD_OBSERVED, data = pdem, estimator = "MLM")
write_fit(fit, "pd_observed_mlm")
write_gamma(fit, "pd_observed_mlm")
write_fit(sem(PD_TWO_X, data = pdem, estimator = "MLM"), "pd_twox_mlm")
fit <- sem(paste(PD_OBSERVED, "y1 ~ 1"), data = pdem, estimator = "MLM")
write_fit(fit, "pd_observed_intercept_mlm")
write_gamma(fit, "pd_observed_intercept_mlm")
fit <- sem(paste(HS, "visual ~ ageyr"), data = hs, estimator = "MLM")
write_fit(fit, "hs_covariate_mlm")
# standardizedSolution's delta-method SEs from the robust covariance of the estimates
std <- function(type) {
  s <- standardizedSolution(fit, type = type)
  data.frame(lhs = s$lhs, op = s$op, rhs = s$rhs, type = type, est.std = s$est.std, se = s$se)
}
write.csv(rbind(std("std.lv"), std("std.all")), "hs_covariate_mlm_std.csv", row.names = FALSE)
write_fit(sem(HS_COVARIATE, data = hs, group = "school", estimator = "MLM"),
          "hs_covariate_mg_mlm")
write_fit(sem(HS_COVARIATE, data = hs, group = "school", estimator = "MLM",
              group.equal = c("loadings", "intercepts")), "hs_covariate_mg_scalar_mlm")

# the invariance ladder with the covariate: configural, metric, scalar, strict and
# lavTestLRT's scaled difference tests (method "satorra.bentler.2001", lavaan's default)
ladder <- lapply(list("", "loadings", c("loadings", "intercepts"),
                      c("loadings", "intercepts", "residuals")),
                 function(eq) sem(HS_COVARIATE, data = hs, group = "school",
                                  estimator = "MLM", group.equal = eq))
lrt <- do.call(lavTestLRT, unname(ladder))
write.csv(data.frame(model = c("configural", "metric", "scalar", "strict"),
                     df = lrt$Df, chisq = lrt$Chisq,
                     chisq_scaled = sapply(ladder, fitMeasures, "chisq.scaled"),
                     scaling_factor = sapply(ladder, fitMeasures, "chisq.scaling.factor"),
                     chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                     pvalue_diff = lrt[["Pr(>Chisq)"]]),
          "hs_covariate_mlm_ladder.csv", row.names = FALSE)

writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), "versions.txt")
