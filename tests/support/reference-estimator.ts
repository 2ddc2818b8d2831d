/**
 * The slow reference the estimator is held to (server/domain/weighting/estimator.ts): per respondent, as R's
 * survey package computes for a design calibrated with calibrate(calfun = "raking") and no clusters or strata.
 * Influence values u_i = w_i (y_i - p) / sum(w) over the base, replaced by their residuals from the least-squares
 * projection on the calibration model (an intercept and the indicator columns of every margin, one category
 * dropped per margin), then Var = n / (n - 1) * sum (u_i - mean(u))^2 over all n respondents. A domain (a breakdown
 * cell) is estimated by zeroing weights outside it; the projection keeps the full sample. Tests only: it visits
 * every respondent for every estimate.
 */
import { finishEstimate, type Estimate, type EstimateOptions, type ItemEstimates } from '../../server/domain/weighting/estimates.js';
import { cholesky, choleskySolve } from '../../server/domain/weighting/linearization.js';
import type { CodedMargins } from '../../server/domain/weighting/raking.js';

export interface Projection {
  /** Residuals of the influence values `x` (length n) after projection, scaled back to influence units. */
  residualize(x: Float64Array): Float64Array;
}

/**
 * The projection of R's calibrate: `qr.resid(qr(X * sqrt(d)), x / (w / sqrt(d))) * (w / sqrt(d))`, with X the
 * calibration model matrix, d the design weights and w the calibrated weights.
 */
export function calibrationProjection(coded: CodedMargins, weights: Float64Array, designWeights?: ArrayLike<number>): Projection {
  const n = weights.length;
  // Column of (margin k, category c): 0 is the intercept, the first category of each margin has none.
  const offsets: number[] = [];
  let columns = 1;
  for (const cats of coded.categories) {
    offsets.push(columns);
    columns += cats.length - 1;
  }
  const rowColumns = (i: number): number[] => {
    const cols = [0];
    coded.codes.forEach((codes, k) => {
      const c = codes[i] as number;
      if (c > 0) cols.push((offsets[k] as number) + c - 1);
    });
    return cols;
  };
  const rows = Array.from({ length: n }, (_, i) => rowColumns(i));
  const d = Float64Array.from({ length: n }, (_, i) => (designWeights ? Number(designWeights[i]) : 1));
  const xtx = new Float64Array(columns * columns);
  rows.forEach((cols, i) => {
    for (const a of cols) for (const b of cols) xtx[a * columns + b] = (xtx[a * columns + b] as number) + (d[i] as number);
  });
  const l = cholesky(xtx, columns);
  const scale = Float64Array.from({ length: n }, (_, i) => (weights[i] as number) / Math.sqrt(d[i] as number));
  return {
    residualize(x) {
      // z = x / scale on the sqrt(d)-weighted model; residual r = z - X b; back to influence units: r * scale.
      const xtz = new Float64Array(columns);
      const z = new Float64Array(n);
      for (let i = 0; i < n; i += 1) {
        z[i] = (scale[i] as number) > 0 ? (x[i] as number) / (scale[i] as number) : 0;
        const rootD = Math.sqrt(d[i] as number);
        for (const a of rows[i] as number[]) xtz[a] = (xtz[a] as number) + rootD * (z[i] as number);
      }
      const beta = choleskySolve(l, columns, xtz);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i += 1) {
        let fitted = 0;
        for (const a of rows[i] as number[]) fitted += beta[a] as number;
        out[i] = ((z[i] as number) - Math.sqrt(d[i] as number) * fitted) * (scale[i] as number);
      }
      return out;
    },
  };
}

/** With-replacement variance of a total of influence values over n units (one stratum, each unit its own PSU). */
export function linearizedVariance(u: Float64Array): number {
  const n = u.length;
  if (n < 2) return NaN;
  let mean = 0;
  for (const v of u) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of u) ss += (v - mean) * (v - mean);
  return (n / (n - 1)) * ss;
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
