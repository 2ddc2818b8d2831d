/**
 * Weighted estimates for one item: the share of each category (or the mean of a number) among the respondents in
 * the item's base (don't-know, refused and blanks excluded, and counted), with a linearised standard error that
 * accounts for the raking, a 95% confidence interval, the unweighted base, the weighted total, Kish's effective
 * sample size and the design effect. A domain (a breakdown cell) is estimated by zeroing weights outside it.
 */
import { linearizedVariance, type Projection } from './linearization.js';

export interface Estimate {
  /** Category code, or null for the mean of a numeric item. */
  category: string | null;
  estimate: number;
  se: number;
  ci95: [number, number];
  /** Unweighted respondents in the category (for a mean: in the base). */
  n: number;
  /** Weighted total of the category (for a mean: of the base). */
  weightedTotal: number;
  /** Variance relative to simple random sampling of the same base size. */
  deff: number;
}

export interface ItemEstimates {
  /** Respondents in the item's base (domain members with a substantive answer). */
  base: number;
  /** Domain members left out of the base (don't know, refused, blank), by code. */
  excluded: Record<string, number>;
  weightedBase: number;
  /** Kish's effective sample size of the base: (sum w)^2 / sum w^2. */
  effectiveN: number;
  estimates: Estimate[];
}

const Z95 = 1.959963984540054;

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
  item: ItemData, weights: Float64Array, projection: Projection, options: { numeric?: boolean; categories?: string[]; domain?: ArrayLike<number> } = {},
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
  const effectiveN = sumW2 > 0 ? (weightedBase * weightedBase) / sumW2 : 0;
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
    const variance = linearizedVariance(projection.residualize(x));
    const se = Math.sqrt(variance);
    const srs = srsVariance(category === null ? null : p, base, y, p, count);
    return {
      category, estimate: p, se, ci95: [p - Z95 * se, p + Z95 * se], n: members,
      weightedTotal: category === null ? weightedBase : total, deff: srs > 0 ? variance / srs : NaN,
    };
  };
  const estimates = options.numeric
    ? [estimateOf(null, (i) => item.values[i] as number)]
    : (options.categories ?? [...new Set(item.values.filter((v): v is string => typeof v === 'string'))].sort())
      .map((c) => estimateOf(c, (i) => (item.values[i] === c ? 1 : 0)));
  return { base: count, excluded, weightedBase, effectiveN, estimates };
}

/** The variance the same estimate would have under simple random sampling of the base. */
function srsVariance(share: number | null, base: Uint8Array, y: (i: number) => number, mean: number, count: number): number {
  if (count < 2) return NaN;
  if (share !== null) return (share * (1 - share)) / count;
  let ss = 0;
  for (let i = 0; i < base.length; i += 1) if (base[i]) ss += (y(i) - mean) ** 2;
  return ss / (count - 1) / count;
}
