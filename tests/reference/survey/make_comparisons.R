# Reference differences of domain means from R `survey` for the weighted
# csi.metrics.compare_segments (tests/test_design_metrics.py).
#
# Run from the repository root (needs R with the survey package; tests never do):
#   Rscript tests/reference/survey/make_comparisons.R
# Reads sample.csv (written by make_sample.py); writes comparisons.csv with, for the
# Taylor design (PSUs within strata) and the JKn replicate design, each segment against
# the rest and each pair of segments: the difference of weighted means (rating and
# NPS points), its standard error (svyby + svycontrast) and the design's df.
suppressPackageStartupMessages(library(survey))
options(digits = 15)
dir <- "tests/reference/survey"
d <- read.csv(file.path(dir, "sample.csv"), stringsAsFactors = FALSE)
d$nps_points <- ifelse(d$recommend >= 9, 100, ifelse(d$recommend <= 6, -100, 0))
segments <- sort(unique(d$segment))

reps <- read.csv(file.path(dir, "replicates.csv"), stringsAsFactors = FALSE)
info <- read.csv(file.path(dir, "replicate_info.csv"), stringsAsFactors = FALSE)
jk <- info[info$design == "jkn", ]
dr <- merge(d, reps, by = "id", sort = FALSE)
dr <- dr[match(d$id, dr$id), ]

designs <- list(
  taylor = svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d),
  jkn = svrepdesign(data = dr, repweights = "^jk", weights = ~w, type = "JKn",
                    scale = jk$scale[1], rscales = jk$rscale, combined.weights = TRUE)
)
out <- list()
for (name in names(designs)) {
  des <- designs[[name]]
  for (variable in c("rating", "nps_points")) {
    f <- as.formula(paste0("~", variable))
    used <- subset(des, !is.na(get(variable)))
    df <- degf(used)
    for (s in segments) {
      used <- update(used, g = factor(segment == s, levels = c(FALSE, TRUE)))
      by <- svyby(f, ~g, used, svymean, covmat = TRUE)
      ct <- svycontrast(by, c(-1, 1))  # segment minus the rest
      out[[length(out) + 1]] <- data.frame(
        design = name, variable = variable, a = s, b = "rest",
        difference = unname(coef(ct)), se = unname(SE(ct)), df = df
      )
    }
    by <- svyby(f, ~segment, used, svymean, covmat = TRUE)
    for (i in seq_along(segments)) for (j in seq_along(segments)) if (i < j) {
      w <- numeric(length(segments)); w[i] <- 1; w[j] <- -1
      ct <- svycontrast(by, w)
      out[[length(out) + 1]] <- data.frame(
        design = name, variable = variable, a = segments[i], b = segments[j],
        difference = unname(coef(ct)), se = unname(SE(ct)), df = df
      )
    }
  }
}
write.csv(do.call(rbind, out), file.path(dir, "comparisons.csv"), row.names = FALSE)
