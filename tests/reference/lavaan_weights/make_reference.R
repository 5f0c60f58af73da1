# Reference outputs of lavaan with sampling weights, for tests/test_sem_weights.py.
# Inputs: hs_weighted.csv and pd_weighted.csv (written by make_data.py).
# Run from this folder:  Rscript make_reference.R
suppressMessages(library(lavaan))

hs <- read.csv("hs_weighted.csv")
pdem <- read.csv("pd_weighted.csv")

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

write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  labels <- lavInspect(fit, "group.label")
  pe$group_label <- if (length(labels)) labels[pe$group] else NA
  keep <- c("lhs", "op", "rhs", "group", "group_label", "est", "se", "z", "pvalue",
            "ci.lower", "ci.upper", "std.lv", "std.all")
  write.csv(pe[, keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  opt <- lavInspect(fit, "options")
  cat(prefix, ": estimator", opt$estimator, "se", opt$se, "test", paste(opt$test),
      "information", paste(opt$information), "\n")
}

# default estimator with sampling weights (lavaan: robust.huber.white SEs,
# yuan.bentler.mplus scaled test, observed information)
hs_ml <- sem(HS, data = hs, sampling.weights = "w")
write_fit(hs_ml, "hs_ml")
# estimator = "ML" given explicitly: the same options and numbers
hs_ml2 <- sem(HS, data = hs, sampling.weights = "w", estimator = "ML")
stopifnot(isTRUE(all.equal(coef(hs_ml), coef(hs_ml2))),
          isTRUE(all.equal(vcov(hs_ml), vcov(hs_ml2))),
          isTRUE(all.equal(fitMeasures(hs_ml), fitMeasures(hs_ml2))))
# Satorra-Bentler with sampling weights
write_fit(sem(HS, data = hs, sampling.weights = "w", estimator = "MLM"), "hs_mlm")
# a structural model with residual covariances
write_fit(sem(PD, data = pdem, sampling.weights = "w"), "pd_ml")
# two groups (weights normalised to the total N, lavaan's default)
write_fit(sem(HS, data = hs, sampling.weights = "w", group = "school"), "hs_mg")
# equality constraints across groups
hs_mg <- sem(HS, data = hs, sampling.weights = "w", group = "school")
hs_mg_loadings <- sem(HS, data = hs, sampling.weights = "w", group = "school",
                      group.equal = "loadings")
write_fit(hs_mg_loadings, "hs_mg_loadings")
# scaled chi-square difference of configural vs metric (satorra.bentler.2001)
lrt <- as.data.frame(lavTestLRT(hs_mg, hs_mg_loadings))
write.csv(data.frame(model = c("configural", "metric"), df = lrt$Df, chisq = lrt$Chisq,
                     chisq_diff = lrt$`Chisq diff`, df_diff = lrt$`Df diff`,
                     pvalue = lrt$`Pr(>Chisq)`),
          "hs_mg_lrt.csv", row.names = FALSE)

writeLines(c(paste("R", paste(R.version$major, R.version$minor, sep = ".")),
             paste("lavaan", as.character(packageVersion("lavaan")))),
           "versions.txt")
