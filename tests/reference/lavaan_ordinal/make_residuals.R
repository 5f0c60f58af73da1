# lavaan's residual correlations (resid(fit, type = "cor")) of the two-group WLSMV CFA with
# equal thresholds and loadings (the model of hs4_mg_thr_load_wlsmv in make_reference.R),
# for tests/test_sem_ordinal_lavaan.py. Run from this folder:  Rscript make_residuals.R
suppressMessages(library(lavaan))
cat4 <- read.csv("hs_cat4.csv")
items <- paste0("x", 1:9)
HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(HS, data = cat4, ordered = items, estimator = "WLSMV", group = "school",
           group.equal = c("thresholds", "loadings"))
r <- resid(fit, type = "cor")
out <- do.call(rbind, lapply(names(r), function(g) {
  m <- r[[g]]$cov
  data.frame(group = g, row = rep(rownames(m), ncol(m)), col = rep(colnames(m), each = nrow(m)),
             value = as.numeric(m))
}))
write.csv(out, "hs4_mg_thr_load_wlsmv_resid.csv", row.names = FALSE)
