# Reference outputs of lavaan for tests/test_sem_mlr.py and tests/test_sem_fiml.py:
# FIML standard errors, MLR (complete data and FIML), robust fit indices of MLM and MLR,
# observed covariates under FIML. Run from this folder:  Rscript make_reference.R
suppressMessages(library(lavaan))

hs <- read.csv("../lavaan/HolzingerSwineford1939.csv")
pdem <- read.csv("../lavaan/PoliticalDemocracy.csv")

# incomplete copies (missing at random given x1 / x1 of PD; a few answers completely at
# random), written once so that the tests read the same data as lavaan
set.seed(20261130)
hs_na <- hs[, c("school", paste0("x", 1:9))]
p <- plogis(1.5 * (hs$x1 - mean(hs$x1)))
hs_na$x3[runif(nrow(hs)) < 0.5 * p] <- NA
hs_na$x6[runif(nrow(hs)) < 0.4 * p] <- NA
hs_na$x9[runif(nrow(hs)) < 0.3 * p] <- NA
hs_na$x2[runif(nrow(hs)) < 0.08] <- NA
hs_na$x5[runif(nrow(hs)) < 0.08] <- NA
write.csv(hs_na, "hs_missing.csv", row.names = FALSE)
pd_na <- pdem
q <- plogis(1.5 * (pdem$x1 - mean(pdem$x1)))
pd_na$y1[runif(nrow(pdem)) < 0.4 * q] <- NA
pd_na$y3[runif(nrow(pdem)) < 0.3 * q] <- NA
pd_na$y2[runif(nrow(pdem)) < 0.1] <- NA
write.csv(pd_na, "pd_missing.csv", row.names = FALSE)

HS <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
PD <- "
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"
PD_OBSERVED <- "
y1 ~ x1
y2 ~ x1
y3 ~ y1
"
HS_COVARIATE <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~ x7
textual ~ x7
"

write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "ci.lower",
            "ci.upper", "std.lv", "std.all")
  if (is.null(pe$group)) pe$group <- 1L
  write.csv(pe[, keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  opt <- lavInspect(fit, "options")
  cat(prefix, ": estimator", opt$estimator, "se", opt$se, "test", paste(opt$test),
      "information", paste(opt$information), "h1", paste(opt$h1.information),
      "observed", paste(opt$observed.information), "fixed.x", opt$fixed.x,
      "npar", fitMeasures(fit, "npar"), "ntotal", lavInspect(fit, "ntotal"), "\n")
}

# FIML (missing = "ml"), ML and MLR
write_fit(sem(HS, data = hs_na, missing = "ml"), "hs_fiml")
write_fit(sem(PD, data = pd_na, missing = "ml"), "pd_fiml")
write_fit(sem(HS, data = hs_na, missing = "ml", estimator = "MLR"), "hs_fiml_mlr")
# MLR and MLM with complete data
write_fit(sem(HS, data = hs, estimator = "MLR"), "hs_mlr")
write_fit(sem(PD, data = pdem, estimator = "MLR"), "pd_mlr")
write_fit(sem(HS, data = hs, estimator = "MLM"), "hs_mlm")
write_fit(sem(PD, data = pdem, estimator = "MLM"), "pd_mlm")
write_fit(sem(HS, data = hs, estimator = "MLR", group = "school"), "hs_mg_mlr")
write_fit(sem(PD_OBSERVED, data = pdem, estimator = "MLR"), "pd_observed_mlr")
write_fit(sem(PD_OBSERVED, data = pd_na, estimator = "MLR", missing = "ml"),
          "pd_observed_fiml_mlr")
# observed covariates (fixed.x = TRUE, lavaan's default) under FIML
write_fit(sem(PD_OBSERVED, data = pd_na, missing = "ml"), "pd_observed_fiml")
write_fit(sem(HS_COVARIATE, data = hs_na, missing = "ml"), "hs_covariate_fiml")
write_fit(sem(HS_COVARIATE, data = hs_na, missing = "ml", group = "school"),
          "hs_covariate_mg_fiml")
write_fit(sem(HS, data = hs_na, missing = "ml", group = "school"), "hs_mg_fiml")
write_fit(sem(HS, data = hs_na, missing = "ml", group = "school",
              group.equal = c("loadings", "intercepts")), "hs_mg_equal_fiml")
write_fit(sem(HS, data = hs_na, missing = "ml", group = "school", estimator = "MLR",
              group.equal = "loadings"), "hs_mg_fiml_mlr")

writeLines(c(paste("R", paste(R.version$major, R.version$minor, sep = ".")),
             paste("lavaan", as.character(packageVersion("lavaan")))),
           "versions.txt")
