/**
 * What the tallies report for one item: the share of each category (or the mean of a number) among the respondents
 * in the item's base (don't-know, refused and blanks excluded, and counted), with a linearised standard error that
 * accounts for the raking (estimator.ts), a 95% confidence interval, the unweighted base, the weighted total, Kish's
 * effective sample size and the design effect as R's svymean(deff = "replace"); and how an estimate is finished
 * from its share and variances. docs/methods.md gives every formula and the R call that reproduces it.
 */
import { proportionInterval, waldInterval, type IntervalMethod } from './intervals.js';

export interface Estimate {
  /** Category code, or null for the mean of a numeric item (or of a scale's codes). */
  category: string | null;
  /** The weighted share or mean; null when the base is empty. */
  estimate: number | null;
  /** Linearised standard error (R: SE(svymean(...)) on the calibrated design); null when the base is empty. */
  se: number | null;
  /** 95% confidence interval by `interval`; null when it cannot be computed (an empty base). */
  ci95: [number, number] | null;
  /** How ci95 was computed: logit or beta (proportions, as svyciprop) or wald (means always; proportions on request). */
  interval: IntervalMethod;
  /** Unweighted respondents in the category (for a mean: in the base). */
  n: number;
  /** Weighted total of the category (for a mean: of the base). */
  weightedTotal: number;
  /**
   * Design effect as svymean(deff = "replace"): the variance over the variance of a simple random sample with
   * replacement of the same size, p(1 - p) / (n - 1) or the weighted variance of the item / n (n the base); null
   * when the base has fewer than 2 respondents or the item does not vary.
   */
  deff: number | null;
}

export interface ItemEstimates {
  /** Respondents in the item's base (domain members with a substantive answer). */
  base: number;
  /** Domain members left out of the base (don't know, refused, blank), by code. */
  excluded: Record<string, number>;
  weightedBase: number;
  /** Kish's effective sample size of the base: (sum w)^2 / sum w^2 (a property of the weights alone, not of an item). */
  kishEffectiveN: number;
  estimates: Estimate[];
}

/** Options of the estimates that the design does not fix. */
export interface EstimateOptions {
  /** Interval method for proportions (default logit); means are always Wald. */
  ci?: IntervalMethod;
  /** The design is calibrated (weighted): the beta interval's df adjustment then uses the whole sample's size. */
  calibrated?: boolean;
}

/** One estimate's finishing: null where undefined, the interval, the deff. */
export function finishEstimate(args: {
  category: string | null; p: number; variance: number; srsVariance: number; n: number; weightedTotal: number;
  base: number; sample: number; options: EstimateOptions;
}): Estimate {
  const { category, p, variance, srsVariance, n, weightedTotal, base, sample, options } = args;
  if (!(base > 0) || !Number.isFinite(p)) {
    return { category, estimate: null, se: null, ci95: null, interval: category === null ? 'wald' : (options.ci ?? 'logit'), n, weightedTotal, deff: null };
  }
  const se = Math.sqrt(Math.max(0, variance));
  const method: IntervalMethod = category === null ? 'wald' : (options.ci ?? 'logit');
  const ci95 = category === null ? waldInterval(p, se) : proportionInterval(method, p, se, { base, rows: options.calibrated ? sample : base });
  const deff = srsVariance > 0 && Number.isFinite(srsVariance) && Number.isFinite(variance) ? variance / srsVariance : null;
  return { category, estimate: p, se: Number.isFinite(se) ? se : null, ci95, interval: method, n, weightedTotal, deff };
}
