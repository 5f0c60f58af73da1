# Reference outputs of lavaan for tests/test_sem_parity.py (lavaan parity beyond plain ML).
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
# part 1: models that must not differ silently from lavaan
HS_FIXED <- "
visual  =~ x1 + 0.5*x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
HS_OUTCOMES <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
textual ~ visual
speed ~ visual
"
HS_MIXED <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
textual ~ x7
visual ~ x7
x9 ~ x7
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
HS_NA <- "
visual  =~ NA*x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
visual ~~ 1*visual
"

write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
            "std.lv", "std.all")
  write.csv(pe[, keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  opt <- lavInspect(fit, "options")
  cat(prefix, ": estimator", opt$estimator, "se", opt$se, "test", paste(opt$test),
      "information", paste(opt$information), "npar", fitMeasures(fit, "npar"), "\n")
}

# GLS and ULS (sample covariance with divisor N - 1, lavaan's defaults for these)
write_fit(sem(HS, data = hs, estimator = "GLS"), "hs_gls")
write_fit(sem(HS, data = hs, estimator = "ULS"), "hs_uls")
write_fit(sem(PD, data = pdem, estimator = "GLS"), "pd_gls")
write_fit(sem(PD, data = pdem, estimator = "ULS"), "pd_uls")
# the marker stays fixed when another loading is fixed (auto.fix.first)
write_fit(sem(HS_FIXED, data = hs), "hs_fixed")
# covariances among the residuals of pure outcomes (auto.cov.y)
write_fit(sem(HS_OUTCOMES, data = hs), "hs_outcomes")
write_fit(sem(HS_MIXED, data = hs), "hs_mixed")
write_fit(sem(PD_OBSERVED, data = pdem), "pd_observed")
# two exogenous observed variables (fixed.x) with GLS and ULS: the baselines keep S_xx
write_fit(sem(PD_TWO_X, data = pdem, estimator = "GLS"), "pd_twox_gls")
write_fit(sem(PD_TWO_X, data = pdem, estimator = "ULS"), "pd_twox_uls")
# NA* frees the marker; std.lv = TRUE fixes the latent (residual) variances instead
write_fit(sem(HS_NA, data = hs), "hs_na")
write_fit(sem(HS, data = hs, std.lv = TRUE), "hs_stdlv")
write_fit(sem(PD, data = pdem, std.lv = TRUE), "pd_stdlv")
# part 2: the syntax users write (issue 15; tests/test_sem_syntax_lavaan.py)
PD_DEFINED <- "
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
dem60 ~ a*ind60
dem65 ~ b*ind60 + c*dem60
indirect := a*c
total := b + a*c
share := (a*c) / (b + a*c)
curved := sqrt(a^2) - exp(-c)/2 + total^2
"
HS_DEFINED <- "
visual  =~ x1 + l2*x2 + l3*x3
textual =~ x4 + x5 + x6
speed   =~ x7 + l8*x8 + x9
diff := l3 - l2
ratio := l2 / l3
marked := l2 - 2 * l8
"
write_fit(sem(PD_DEFINED, data = pdem), "pd_defined")
write_fit(sem(HS_DEFINED, data = hs), "hs_defined")
# the same definitions with two groups (labels shared by both) and with FIML
hs_na <- read.csv("../lavaan_robust/hs_missing.csv")
write_defined <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op == ":=", c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower",
                              "ci.upper", "std.lv", "std.all")]
  write.csv(pe, paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
}
write_defined(sem(HS_DEFINED, data = hs, group = "school"), "hs_defined_groups")
write_defined(sem(HS_DEFINED, data = hs_na, missing = "fiml"), "hs_defined_fiml")
# linear equality constraints (==) and inequalities (<, >), slack and binding
HS_LABELLED <- "
visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed   =~ x7 + x8 + x9
"
write_fit(sem(paste(HS_LABELLED, "a == b\nc == 1.2*d"), data = hs), "hs_equal")
# with an inequality lavaan's constrained nlminb stops at rel.tol 1e-7 by default, ~1e-4 off
# in flat directions (x1 ~~ x1); a tighter tolerance reaches the optimum
TIGHT <- list(rel.tol = 1e-10)
write_fit(sem(paste(HS_LABELLED, "a > 0"), data = hs, control = TIGHT), "hs_above_slack")
write_fit(sem(paste(HS_LABELLED, "a > 0.8"), data = hs, control = TIGHT), "hs_above_bound")
write_fit(sem(paste(HS_LABELLED, "a < 0.3"), data = hs, control = TIGHT), "hs_below_bound")
write_fit(sem(paste(HS_LABELLED, "a == b\nc == 1.2*d\nb > 0.8"), data = hs, control = TIGHT), "hs_equal_bound")
PD_LABELLED <- sub("dem65 ~ ind60 + dem60", "dem65 ~ b*ind60 + c*dem60",
                   sub("dem60 ~ ind60", "dem60 ~ a*ind60", PD, fixed = TRUE), fixed = TRUE)
write_fit(sem(paste(PD_LABELLED, "a == 2*b + c"), data = pdem), "pd_equal")
# lavaan 0.6.14 leaves the constraint unmet with GLS (a != 2 b + c): csi refuses it there
write_fit(sem(paste(PD_LABELLED, "a == 2*b + c"), data = pdem, estimator = "GLS"), "pd_equal_gls")
# two groups (the labels hold in both): only the labelled rows are kept
pe_groups <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$label != "", c("group", "lhs", "op", "rhs", "label", "est", "se", "std.all")]
  write.csv(pe, paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
}
pe_groups(sem(paste(HS_LABELLED, "a == b\nc > 1.2"), data = hs, group = "school",
              control = TIGHT), "hs_equal_groups")
# start values (start(v)*x, v?x) move only where the optimiser begins
HS_START <- "
visual  =~ x1 + start(0.5)*x2 + 0.8?x3
textual =~ x4 + x5 + start(2)*x6
speed   =~ x7 + x8 + x9
x1 ~~ 0.3?x1
"
write_fit(sem(HS_START, data = hs), "hs_start")
# group-specific modifiers c(...) and group.partial (two groups: every row, with group)
write_groups <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("group", "lhs", "op", "rhs", "label", "est", "se", "std.all")
  write.csv(pe[pe$op %in% c("=~", "~", "~~", "~1"), keep], paste0(prefix, "_params.csv"),
            row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
}
HS_C <- "
visual  =~ x1 + c(a1, a2)*x2 + c(b, b)*x3
textual =~ x4 + c(1, NA)*x5 + x6
speed   =~ x7 + x8 + x9
"
write_groups(sem(HS_C, data = hs, group = "school"), "hs_groups_c")
write_defined(sem(paste(HS_C, "ratio := a1 / a2"), data = hs, group = "school"),
              "hs_groups_c_defined")
write_groups(sem(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                 group.partial = c("visual=~x2", "x7~1")), "hs_partial")
# y ~ 1 in a single-group fit: lavaan's meanstructure (every observed intercept free)
write_fit(sem(paste(HS, "x1 ~ 1"), data = hs), "hs_intercepts")
write_fit(sem(paste(PD, "y3 ~ 1"), data = pdem), "pd_intercepts")

writeLines(c(paste("R", paste(R.version$major, R.version$minor, sep = ".")),
             paste("lavaan", as.character(packageVersion("lavaan")))),
           "versions.txt")

# fixed.x = FALSE with ML: the exogenous observed variables' (co)variances are free
# parameters (in npar), the log-likelihood unconditional, the baseline the plain one
write_fit(sem(PD_OBSERVED, data = pdem, fixed.x = FALSE), "pd_observed_freex")
write_fit(sem(PD_TWO_X, data = pdem, fixed.x = FALSE), "pd_twox_freex")
