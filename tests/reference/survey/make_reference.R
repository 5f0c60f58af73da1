# Reference figures from R `survey` for tests/test_design_metrics.py.
#
# Run from the repository root (needs R with the survey package; tests never do):
#   Rscript tests/reference/survey/make_reference.R
# Reads sample.csv and margins.csv (written by make_sample.py) and writes
# replicates.csv, replicate_info.csv, results.csv, raked_weights.csv and versions.csv.
suppressPackageStartupMessages(library(survey))
options(digits = 15)
dir <- "tests/reference/survey"
d <- read.csv(file.path(dir, "sample.csv"), stringsAsFactors = FALSE)
d$nps_points <- ifelse(d$recommend >= 9, 100, ifelse(d$recommend <= 6, -100, 0))
d$top2 <- as.numeric(d$rating >= 9)  # NA where the rating is missing
segments <- sort(unique(d$segment))

out <- list()
add <- function(design, statistic, variable, domain, est, se, lo = NA, hi = NA,
                deff = NA, deff_replace = NA, df = NA) {
  out[[length(out) + 1]] <<- data.frame(
    design = design, statistic = statistic, variable = variable, domain = domain,
    estimate = unname(est), se = unname(se), ci_lower = unname(lo), ci_upper = unname(hi),
    deff = unname(deff), deff_replace = unname(deff_replace), df = unname(df)
  )
}

# mean (with deff=TRUE and deff="replace", t interval on degf), total, svyciprop
figures <- function(name, des, variable, domain = "all") {
  f <- as.formula(paste0("~", variable))
  m <- svymean(f, des, deff = TRUE)
  mr <- svymean(f, des, deff = "replace")
  df <- degf(des)
  ci <- confint(m, df = df)
  add(name, "mean", variable, domain, coef(m), SE(m), ci[1], ci[2],
      deff(m), deff(mr), df)
  t <- svytotal(f, des, deff = TRUE)
  tr <- svytotal(f, des, deff = "replace")
  add(name, "total", variable, domain, coef(t), SE(t), deff = deff(t),
      deff_replace = deff(tr), df = df)
}
ciprop <- function(name, des, domain = "all") {
  for (method in c("logit", "mean")) {
    p <- svyciprop(~top2, des, method = method)
    ci <- confint(p)
    add(name, paste0("ciprop_", method), "top2", domain, as.vector(p), sqrt(as.vector(vcov(p))), ci[1], ci[2],
        df = degf(des))
  }
}
all_figures <- function(name, des) {
  rated <- subset(des, !is.na(rating))
  figures(name, rated, "rating")
  figures(name, des, "nps_points")
  ciprop(name, rated)
  for (s in segments) {
    figures(name, subset(rated, segment == s), "rating", s)
    figures(name, subset(des, segment == s), "nps_points", s)
    ciprop(name, subset(rated, segment == s), s)
  }
  # svyby gives the same domain estimates as the subsets above
  by <- svyby(~nps_points, ~segment, des, svymean, deff = TRUE)
  sub <- sapply(segments, function(s) coef(svymean(~nps_points, subset(des, segment == s))))
  stopifnot(max(abs(coef(by) - sub)) < 1e-12)
  by_se <- sapply(segments, function(s) SE(svymean(~nps_points, subset(des, segment == s))))
  stopifnot(max(abs(SE(by) - by_se)) < 1e-12)
}

# ---- Taylor linearisation: with-replacement PSUs within strata
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
all_figures("taylor", des)

# ---- single-PSU stratum (S4) under each lonely.psu rule
des_l <- svydesign(ids = ~psu, strata = ~stratum_lonely, weights = ~w, data = d)
for (rule in c("adjust", "remove", "certainty", "average")) {
  options(survey.lonely.psu = rule)
  m <- svymean(~nps_points, des_l)
  add(paste0("lonely_", rule), "mean", "nps_points", "all", coef(m), SE(m))
  for (s in segments) {
    m <- svymean(~nps_points, subset(des_l, segment == s))
    add(paste0("lonely_", rule), "mean", "nps_points", s, coef(m), SE(m))
  }
}
options(survey.lonely.psu = "fail")

# ---- replicate weights: stratified jackknife (JKn) and bootstrap, written to a CSV
jkn <- as.svrepdesign(des, type = "JKn", compress = FALSE)
set.seed(20240501)
boot <- as.svrepdesign(des, type = "bootstrap", replicates = 50, compress = FALSE)
jk_w <- unclass(as.matrix(weights(jkn, "analysis")))
bs_w <- unclass(as.matrix(weights(boot, "analysis")))
colnames(jk_w) <- sprintf("jk%02d", seq_len(ncol(jk_w)))
colnames(bs_w) <- sprintf("bs%02d", seq_len(ncol(bs_w)))
write.csv(data.frame(id = d$id, jk_w, bs_w), file.path(dir, "replicates.csv"), row.names = FALSE)
write.csv(rbind(
  data.frame(design = "jkn", replicate = colnames(jk_w), scale = jkn$scale,
             rscale = jkn$rscales, mse = jkn$mse),
  data.frame(design = "bootstrap", replicate = colnames(bs_w), scale = boot$scale,
             rscale = boot$rscales, mse = boot$mse)
), file.path(dir, "replicate_info.csv"), row.names = FALSE)

reps <- read.csv(file.path(dir, "replicates.csv"), stringsAsFactors = FALSE)
dr <- merge(d, reps, by = "id", sort = FALSE)
dr <- dr[match(d$id, dr$id), ]
rep_jk <- svrepdesign(data = dr, repweights = "^jk", weights = ~w, type = "JKn",
                      scale = jkn$scale, rscales = jkn$rscales, combined.weights = TRUE)
rep_bs <- svrepdesign(data = dr, repweights = "^bs", weights = ~w, type = "bootstrap",
                      scale = boot$scale, rscales = boot$rscales, combined.weights = TRUE)
for (x in list(list("jkn", rep_jk), list("bootstrap", rep_bs))) {
  name <- x[[1]]
  rd <- x[[2]]
  rated <- subset(rd, !is.na(rating))
  for (v in list(list("rating", rated), list("nps_points", rd))) {
    f <- as.formula(paste0("~", v[[1]]))
    m <- svymean(f, v[[2]])
    add(name, "mean", v[[1]], "all", coef(m), SE(m), df = degf(v[[2]]))
    t <- svytotal(f, v[[2]])
    add(name, "total", v[[1]], "all", coef(t), SE(t))
    by <- svyby(f, ~segment, v[[2]], svymean)
    for (i in seq_along(segments)) {
      add(name, "mean", v[[1]], segments[i], coef(by)[i], SE(by)[i])
    }
  }
  p <- svyciprop(~top2, rated, method = "logit")
  ci <- confint(p)
  add(name, "ciprop_logit", "top2", "all", as.vector(p), sqrt(as.vector(vcov(p))), ci[1], ci[2],
      df = degf(rated))
}

res <- do.call(rbind, out)
write.csv(res, file.path(dir, "results.csv"), row.names = FALSE)

# ---- raking the base weights to the region and age-band margins
mg <- read.csv(file.path(dir, "margins.csv"), stringsAsFactors = FALSE)
pop_region <- data.frame(region = mg$category[mg$variable == "region"],
                         Freq = mg$target[mg$variable == "region"])
pop_age <- data.frame(age_band = mg$category[mg$variable == "age_band"],
                      Freq = mg$target[mg$variable == "age_band"])
raked <- rake(des, list(~region, ~age_band), list(pop_region, pop_age),
              control = list(maxit = 500, epsilon = 1e-14, verbose = FALSE))
write.csv(data.frame(id = d$id, w_raked = weights(raked)), file.path(dir, "raked_weights.csv"),
          row.names = FALSE)

write.csv(data.frame(
  what = c("R", "survey", "lonely.psu default", "replicates.mse default",
           "adjust.domain.lonely default"),
  version = c(paste(R.version$major, R.version$minor, sep = "."),
              as.character(packageVersion("survey")), "fail", "FALSE", "FALSE")
), file.path(dir, "versions.csv"), row.names = FALSE)
