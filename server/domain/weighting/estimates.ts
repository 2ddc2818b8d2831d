/**
 * Weighted estimates for one item: the share of each category (or the mean of a number) among the respondents in
 * the item's base (don't-know, refused and blanks excluded, and counted), with a linearised standard error that
 * accounts for the raking, a 95% confidence interval, the unweighted base, the weighted total, Kish's effective
 * sample size and the design effect as R's svymean(deff = "replace"). A domain (a breakdown cell) is estimated by
 * zeroing weights outside it. This is the per-respondent reference; tally.ts computes the same from cell sums.
 * docs/methods.md gives every formula and the R call that reproduces it.
 */
import { linearizedVariance, type Projection } from './linearization.js';
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

export interface ItemData {
  /** Per respondent: the category code, a number, or null (not in the base: dk, ref, blank). */
  values: ReadonlyArray<string | number | null>;
  /** Per respondent: the raw answer when it is left out (for the excluded counts). */
  excludedAs?: ReadonlyArray<string | null>;
}

function inDomain(domain: ArrayLike<number> | undefined, i: number): boolean {
  return domain === undefined || domain[i] === 1;
}

export function estimateItem(
  item: ItemData, weights: Float64Array, projection: Projection,
  options: { numeric?: boolean; categories?: string[]; domain?: ArrayLike<number> } & EstimateOptions = {},
): ItemEstimates {
  const n = weights.length;
  const base = new Uint8Array(n);
  const excluded: Record<string, number> = {};
  let weightedBase = 0;
  let sumW2 = 0;
  let count = 0;
  for (let i = 0; i < n; i += 1) {
    if (!inDomain(options.domain, i)) continue;
    if (item.values[i] === null || item.values[i] === undefined) {
      const why = item.excludedAs?.[i] ?? 'blank';
      excluded[why] = (excluded[why] ?? 0) + 1;
      continue;
    }
    base[i] = 1;
    const w = weights[i] as number;
    weightedBase += w;
    sumW2 += w * w;
    count += 1;
  }
  const kishEffectiveN = sumW2 > 0 ? (weightedBase * weightedBase) / sumW2 : 0;
  const estimateOf = (category: string | null, y: (i: number) => number): Estimate => {
    let total = 0;
    let members = 0;
    for (let i = 0; i < n; i += 1) {
      if (!base[i]) continue;
      total += (weights[i] as number) * y(i);
      if (category === null || y(i) === 1) members += 1;
    }
    const p = weightedBase > 0 ? total / weightedBase : NaN;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i += 1) if (base[i]) x[i] = ((weights[i] as number) * (y(i) - p)) / weightedBase;
    const variance = count > 0 ? linearizedVariance(projection.residualize(x)) : NaN;
    const srs = srsVariance(category === null ? null : p, base, weights, y, p, weightedBase, count);
    return finishEstimate({
      category, p, variance, srsVariance: srs, n: members, weightedTotal: category === null ? weightedBase : total, base: count, sample: n, options,
    });
  };
  const estimates = options.numeric
    ? [estimateOf(null, (i) => item.values[i] as number)]
    : (options.categories ?? [...new Set(item.values.filter((v): v is string => typeof v === 'string'))].sort())
      .map((c) => estimateOf(c, (i) => (item.values[i] === c ? 1 : 0)));
  return { base: count, excluded, weightedBase, kishEffectiveN, estimates };
}

/**
 * svymean(deff = "replace")'s denominator: svyvar(y) / n, svyvar the weighted variance with the factor n / (n - 1)
 * (n the respondents of non-zero weight): p (1 - p) / (n - 1) for a share, sum w (y - mean)^2 / sum w / (n - 1) for
 * a mean.
 */
function srsVariance(share: number | null, base: Uint8Array, weights: Float64Array, y: (i: number) => number, mean: number, weightedBase: number, count: number): number {
  if (count < 2) return NaN;
  if (share !== null) return (share * (1 - share)) / (count - 1);
  let ss = 0;
  for (let i = 0; i < base.length; i += 1) if (base[i]) ss += (weights[i] as number) * (y(i) - mean) ** 2;
  return ss / weightedBase / (count - 1);
}
