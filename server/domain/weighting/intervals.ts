/**
 * 95% confidence intervals as R's survey package gives them (docs/methods.md has the formulas and the R calls):
 *
 * - `logit` (the default for proportions): svyciprop(method = "logit"), a Wald interval for logit(p) with the
 *   linearised SE carried over by the delta method, t quantile on the design's degrees of freedom, mapped back;
 * - `beta`: svyciprop(method = "beta"), Korn and Graubard's Clopper-Pearson interval on the effective sample size
 *   p(1 - p) / Var(p), adjusted for the degrees of freedom;
 * - `wald`: confint() of svymean, estimate ± z SE (the only interval for means; for proportions on request, and it
 *   can leave [0, 1]).
 *
 * Proportions of 0 or 1 have no variance, so R's logit and beta intervals are not defined there (NaN, or a
 * logistic fit that does not converge); for them both methods give the Clopper-Pearson interval on the base n,
 * [0, 1 - (α/2)^(1/n)] or [(α/2)^(1/n), 1], which is what the beta method tends to as the variance goes to 0 with
 * the design effect 1. A share the calibration fixes (a margin variable's own categories) has SE 0 and the
 * interval [p, p] (R's beta method gives nonsense there). Quantiles are @stdlib's (ports of Boost's, accurate to a few ulps).
 */
import qbeta from '@stdlib/stats-base-dists-beta-quantile';
import qt from '@stdlib/stats-base-dists-t-quantile';

export const INTERVAL_METHODS = ['logit', 'beta', 'wald'] as const;
export type IntervalMethod = (typeof INTERVAL_METHODS)[number];

/** The standard normal 0.975 quantile (qnorm(0.975)). */
export const Z95 = 1.959963984540054;
const ALPHA = 0.05;

/** What an interval of a proportion needs beyond the estimate and its SE. */
export interface ProportionDesign {
  /** Respondents in the base of the group (units with a non-zero weight): the design's df are base - 1. */
  base: number;
  /** R's nrow(design) for the beta method's df adjustment: the whole sample when calibrated, else the base. */
  rows: number;
}

/** The t quantile for `df` degrees of freedom at probability p (NaN for df < 1, as confint.svyglm gives). */
function tQuantile(p: number, df: number): number {
  if (!(df >= 1)) return NaN;
  return qt(p, df);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Clopper-Pearson on n respondents when the proportion is 0 or 1 (no variance to work with). */
function degenerate(p: number, n: number): [number, number] | null {
  if (!(n >= 1)) return null;
  const edge = (ALPHA / 2) ** (1 / n);
  return p <= 0 ? [0, 1 - edge] : [edge, 1];
}

/** svyciprop(method = "logit"): expit(logit(p) ± t(df) · se / (p (1 - p))). */
export function logitInterval(p: number, se: number, design: ProportionDesign): [number, number] | null {
  if (!Number.isFinite(p) || !Number.isFinite(se)) return null;
  if (p <= 0 || p >= 1) return degenerate(p, design.base);
  const t = -tQuantile(ALPHA / 2, design.base - 1);
  if (!Number.isFinite(t)) return null;
  const centre = Math.log(p / (1 - p));
  const half = (t * se) / (p * (1 - p));
  const expit = (x: number) => 1 / (1 + Math.exp(-x));
  return [expit(centre - half), expit(centre + half)];
}

/**
 * svyciprop(method = "beta"): n_eff = p (1 - p) / se² · (qt(α/2, rows - 1) / qt(α/2, df))², then
 * [qbeta(α/2, n_eff p, n_eff (1 - p) + 1), qbeta(1 - α/2, n_eff p + 1, n_eff (1 - p))].
 */
export function betaInterval(p: number, se: number, design: ProportionDesign): [number, number] | null {
  if (!Number.isFinite(p) || !Number.isFinite(se)) return null;
  if (p <= 0 || p >= 1) return degenerate(p, design.base);
  // Fixed by the calibration (a margin variable's own shares): no sampling variance, a zero-width interval.
  if (se === 0) return [p, p];
  const ratio = tQuantile(ALPHA / 2, design.rows - 1) / tQuantile(ALPHA / 2, design.base - 1);
  const nEff = ((p * (1 - p)) / (se * se)) * ratio * ratio;
  if (!Number.isFinite(nEff)) return null;
  return [qbeta(ALPHA / 2, nEff * p, nEff * (1 - p) + 1), qbeta(1 - ALPHA / 2, nEff * p + 1, nEff * (1 - p))];
}

/** confint(svymean(...)): estimate ± qnorm(0.975) · se. */
export function waldInterval(x: number, se: number): [number, number] | null {
  if (!Number.isFinite(x) || !Number.isFinite(se)) return null;
  return [x - Z95 * se, x + Z95 * se];
}

/** A proportion's interval by the chosen method; Wald is not clamped (it is what confint gives). */
export function proportionInterval(method: IntervalMethod, p: number, se: number, design: ProportionDesign): [number, number] | null {
  if (method === 'wald') return waldInterval(p, se);
  const ci = method === 'logit' ? logitInterval(p, se, design) : betaInterval(p, se, design);
  return ci && [clamp01(ci[0]), clamp01(ci[1])];
}
