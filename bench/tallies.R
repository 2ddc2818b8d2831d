# The tallies benchmark's computation in R's survey package, timed: raking of the data to the margins with
# calibrate(calfun = "raking"), then for each item svymean overall and svyby over each of the five breakdowns, with
# standard errors (the same calls as tests/fixtures/weighting/cross-check.R documents).
#
#   Rscript bench/tallies.R data.csv margins.csv
#
# Prints one JSON line: rows, seconds for the raking and for the tallies (elapsed), CPU seconds of both, estimates.
suppressPackageStartupMessages({ library(survey); library(MASS) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "")
m <- read.csv(args[2], stringsAsFactors = FALSE)
n <- nrow(d)
vars <- unique(m$variable)
breakdowns <- c("ps_region", "ps_age_band", "ps_ethnicity", "ps_gender", "ps_settlement_type")
items <- setdiff(names(d), c(vars, breakdowns))
for (v in vars) d[[v]] <- factor(d[[v]], levels = m$category[m$variable == v])
for (b in setdiff(breakdowns, vars)) d[[b]] <- factor(d[[b]])
d$w0 <- 1

cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }
t0 <- proc.time()[["elapsed"]]
c0 <- cpu()
shares <- function(v) { s <- m$share[m$variable == v]; names(s) <- m$category[m$variable == v]; s / sum(s) * n }
totals <- c("(Intercept)" = n)
for (v in vars) { s <- shares(v); totals <- c(totals, setNames(s[-1], paste0(v, names(s)[-1]))) }
des <- svydesign(ids = ~1, weights = ~w0, data = d)
cal <- calibrate(des, as.formula(paste("~", paste(vars, collapse = " + "))), population = totals, calfun = "raking", epsilon = 1e-10, maxit = 1000)
t1 <- proc.time()[["elapsed"]]

estimates <- 0
for (item in items) {
  f <- as.formula(paste0("~factor(", item, ")"))
  sub <- subset(cal, !is.na(d[[item]]))
  estimates <- estimates + length(coef(svymean(f, sub, na.rm = TRUE)))
  for (b in breakdowns) {
    by <- svyby(f, as.formula(paste0("~", b)), sub, svymean, na.rm = TRUE)
    estimates <- estimates + length(grep("^factor", colnames(by))) * nrow(by)
  }
}
t2 <- proc.time()[["elapsed"]]
c2 <- cpu()
cat(sprintf('{"rows": %d, "rakeSeconds": %.3f, "talliesSeconds": %.3f, "cpuSeconds": %.3f, "estimates": %d}\n', n, t1 - t0, t2 - t1, c2 - c0, estimates))
