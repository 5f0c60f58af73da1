# Reference outputs of lavaan 0.6.14 for tests/test_sem_standardized.py: standard errors
# of the standardized solution (standardizedSolution, delta method), standardized
# defined effects (:=) and multi-group GLS / ULS.
# Inputs: ../lavaan/HolzingerSwineford1939.csv, ../lavaan/PoliticalDemocracy.csv and
# ../lavaan_robust/hs_missing.csv.  Run from this folder:  Rscript make_reference.R
suppressMessages(library(lavaan))

hs <- read.csv("../lavaan/HolzingerSwineford1939.csv")
pdem <- read.csv("../lavaan/PoliticalDemocracy.csv")
hs_na <- read.csv("../lavaan_robust/hs_missing.csv")

HS <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
# PD SEM with the structural paths labelled and the effects of ind60 on dem65 defined;
# the labels and := lines do not change the model (csi fits it without them)
PD_EFFECTS <- "
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
indirect := a*b
total := c + a*b
"

write_std <- function(fit, prefix) {
  for (type in c("std.all", "std.lv")) {
    ss <- standardizedSolution(fit, type = type)
    if (is.null(ss$group)) ss$group <- 1L
    keep <- c("lhs", "op", "rhs", "group", "est.std", "se", "z", "pvalue", "ci.lower",
              "ci.upper")
    write.csv(ss[, keep], paste0(prefix, "_", sub(".", "", type, fixed = TRUE), ".csv"),
              row.names = FALSE)
  }
  opt <- lavInspect(fit, "options")
  cat(prefix, ": estimator", opt$estimator, "se", opt$se, "npar",
      fitMeasures(fit, "npar"), "ntotal", lavInspect(fit, "ntotal"), "\n")
}

write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "ci.lower",
            "ci.upper", "std.lv", "std.all")
  if (is.null(pe$group)) pe$group <- 1L
  write.csv(pe[, keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  write_std(fit, prefix)
}

# part 1: standardized solution with standard errors
write_std(sem(HS, data = hs), "hs_ml")
write_std(sem(PD_EFFECTS, data = pdem), "pd_ml")
write_std(sem(HS, data = hs, estimator = "MLM"), "hs_mlm")
write_std(sem(PD_EFFECTS, data = pdem, estimator = "MLR"), "pd_mlr")
write_std(sem(HS, data = hs, group = "school"), "hs_mg")
write_std(sem(HS, data = hs, group = "school", group.equal = "loadings"), "hs_mg_equal")
write_std(sem(HS, data = hs_na, missing = "ml"), "hs_fiml")

# part 3: multi-group GLS and ULS
write_fit(sem(HS, data = hs, group = "school", estimator = "GLS"), "hs_mg_gls")
write_fit(sem(HS, data = hs, group = "school", estimator = "ULS"), "hs_mg_uls")
write_fit(sem(HS, data = hs, group = "school", estimator = "GLS",
              group.equal = c("loadings", "intercepts")), "hs_mg_gls_equal")
write_fit(sem(HS, data = hs, group = "school", estimator = "ULS",
              group.equal = c("loadings", "intercepts")), "hs_mg_uls_equal")

writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), "versions.txt")
