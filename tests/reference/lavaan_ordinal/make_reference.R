# Reference outputs of lavaan for tests/test_sem_ordinal_lavaan.py (ordinal items:
# DWLS and WLSMV on polychoric correlations).
# Input: ../lavaan/HolzingerSwineford1939.csv. Run from this folder:  Rscript make_reference.R
#
# Cut points (the ordinal data are written out too, so the tests never recompute them):
# each of x1..x9 is standardised with its sample mean and SD (divisor N - 1), z = (x - m) / s,
# then cut with right-closed intervals, cut(z, c(-Inf, cuts, Inf)), category codes 1..K:
#   4 categories: cuts at z = -0.8, 0, 0.8              -> hs_cat4.csv
#   5 categories: cuts at z = -1.2, -0.4, 0.4, 1.2      -> hs_cat5.csv
# hs_cat4_na.csv: hs_cat4 with answers removed for the pairwise-missing fit: row r
# (1-based) loses x1 when r %% 7 == 0, x5 when r %% 11 == 3, x9 when r %% 13 == 5.
suppressMessages(library(lavaan))

hs <- read.csv("../lavaan/HolzingerSwineford1939.csv")
items <- paste0("x", 1:9)
cut_items <- function(cuts) {
  out <- hs[, c("id", "school")]
  for (v in items) {
    z <- (hs[[v]] - mean(hs[[v]])) / sd(hs[[v]])
    out[[v]] <- as.integer(cut(z, c(-Inf, cuts, Inf), right = TRUE))
  }
  out
}
cat4 <- cut_items(c(-0.8, 0, 0.8))
cat5 <- cut_items(c(-1.2, -0.4, 0.4, 1.2))
na4 <- cat4
r <- seq_len(nrow(na4))
na4$x1[r %% 7 == 0] <- NA
na4$x5[r %% 11 == 3] <- NA
na4$x9[r %% 13 == 5] <- NA
write.csv(cat4, "hs_cat4.csv", row.names = FALSE)
write.csv(cat5, "hs_cat5.csv", row.names = FALSE)
write.csv(na4, "hs_cat4_na.csv", row.names = FALSE)

HS <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
HS_SEM <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
textual ~ visual
speed ~ visual + textual
"

write_fit <- function(fit, prefix) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  keep <- c("lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
            "std.lv", "std.all")
  keep <- intersect(keep, names(pe))
  write.csv(pe[, keep], paste0(prefix, "_params.csv"), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            paste0(prefix, "_fit.csv"), row.names = FALSE)
  ts <- lavInspect(fit, "test")
  if (!is.null(ts$scaled.shifted)) {
    # the shift of the scaled-and-shifted test is not among fitMeasures()
    write.csv(data.frame(measure = c("shift.parameter", "trace.UGamma", "trace.UGamma2"),
                         value = c(ts$scaled.shifted$shift.parameter,
                                   ts$scaled.shifted$trace.UGamma,
                                   ts$scaled.shifted$trace.UGamma2)),
              paste0(prefix, "_test.csv"), row.names = FALSE)
  }
  opt <- lavInspect(fit, "options")
  cat(prefix, ": estimator", opt$estimator, "se", opt$se, "test", paste(opt$test),
      "missing", opt$missing, "npar", fitMeasures(fit, "npar"), "\n")
}

for (k in c(4, 5)) {
  d <- if (k == 4) cat4 else cat5
  for (est in c("DWLS", "WLSMV")) {
    fit <- cfa(HS, data = d, ordered = items, estimator = est)
    write_fit(fit, sprintf("hs%d_%s", k, tolower(est)))
  }
}
# the sample statistics and their asymptotic covariance (NACOV, lavaan's "gamma":
# thresholds then polychoric correlations, order of lavInspect(fit, "wls.obs"))
fit <- cfa(HS, data = cat4, ordered = items, estimator = "WLSMV")
obs <- lavInspect(fit, "wls.obs")
write.csv(data.frame(stat = names(obs), value = as.numeric(obs)), "hs4_wls_obs.csv",
          row.names = FALSE)
g <- lavInspect(fit, "gamma")
write.csv(data.frame(g), "hs4_gamma.csv", row.names = FALSE)
# a structural model (WLSMV), 5 categories
write_fit(cfa(HS_SEM, data = cat5, ordered = items, estimator = "WLSMV"), "hs5_sem_wlsmv")
# pairwise deletion of missing answers (lavaan's missing = "pairwise")
write_fit(cfa(HS, data = na4, ordered = items, estimator = "WLSMV", missing = "pairwise"),
          "hs4na_pairwise_wlsmv")
# mixed: x1..x6 ordinal, x7..x9 continuous
fit <- cfa(HS, data = cbind(cat4[, c("id", "school", paste0("x", 1:6))],
                            hs[, c("x7", "x8", "x9")]),
           ordered = paste0("x", 1:6), estimator = "WLSMV")
write_fit(fit, "hs4_mixed_wlsmv")
obs <- lavInspect(fit, "wls.obs")
write.csv(data.frame(stat = names(obs), value = as.numeric(obs)), "hs4_mixed_wls_obs.csv",
          row.names = FALSE)
write.csv(data.frame(lavInspect(fit, "gamma")), "hs4_mixed_gamma.csv", row.names = FALSE)
# multi-group (school) with thresholds and loadings equal (lavaan's usual invariance step)
write_fit(cfa(HS, data = cat4, ordered = items, estimator = "WLSMV", group = "school",
              group.equal = c("thresholds", "loadings")), "hs4_mg_thr_load_wlsmv")
write_fit(cfa(HS, data = cat4, ordered = items, estimator = "WLSMV", group = "school"),
          "hs4_mg_wlsmv")
# multi-group with pairwise deletion and equal thresholds and loadings
write_fit(cfa(HS, data = na4, ordered = items, estimator = "WLSMV", group = "school",
              missing = "pairwise", group.equal = c("thresholds", "loadings")),
          "hs4na_mg_pairwise_wlsmv")

writeLines(c(paste("R", paste(R.version$major, R.version$minor, sep = ".")),
             paste("lavaan", as.character(packageVersion("lavaan")))),
           "versions.txt")
