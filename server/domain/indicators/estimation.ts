/**
 * The one estimator behind every survey-based indicator: the (weighted) share of respondents with y = 1 among
 * those in a base, with its influence values, so composites (means of shares, member/non-member differences)
 * get linearised standard errors by adding influences. Variance as server/domain/weighting/linearization.ts: the
 * influence values residualised on the calibration model when a projection is given (raked weights), otherwise
 * as they are (unweighted data or fixed weights), then the with-replacement variance over all n respondents.
 * A domain (breakdown cell, members) is estimated by leaving its complement out of the base; the vector keeps n.
 */
import { linearizedVariance, type Projection } from '../weighting/linearization.js';

/** Per respondent: 1 (favourable), 0 (in the base, not favourable) or NaN (not in the base). */
export type Binary = Float64Array;

export interface ShareEstimate {
  /** Share in 0..1. */
  p: number;
  /** Unweighted respondents with y = 1. */
  n: number;
  /** Unweighted respondents in the base. */
  base: number;
  weightedBase: number;
  influence: Float64Array;
  inBase: Uint8Array;
}

export function shareOf(y: Binary, weights: Float64Array, domain?: Uint8Array): ShareEstimate | null {
  const size = y.length;
  const inBase = new Uint8Array(size);
  let total = 0;
  let weightedBase = 0;
  let n = 0;
  let base = 0;
  for (let i = 0; i < size; i += 1) {
    const v = y[i] as number;
    if (Number.isNaN(v) || (domain !== undefined && domain[i] !== 1)) continue;
    const w = weights[i] as number;
    inBase[i] = 1;
    base += 1;
    weightedBase += w;
    total += w * v;
    if (v === 1) n += 1;
  }
  if (base === 0 || weightedBase <= 0) return null;
  const p = total / weightedBase;
  const influence = new Float64Array(size);
  for (let i = 0; i < size; i += 1) if (inBase[i]) influence[i] = ((weights[i] as number) * ((y[i] as number) - p)) / weightedBase;
  return { p, n, base, weightedBase, influence, inBase };
}

/** Standard error (same unit as the estimate the influences belong to) of a linear combination of shares. */
export function standardError(influence: Float64Array, projection?: Projection): number | null {
  const u = projection ? projection.residualize(influence) : influence;
  const variance = linearizedVariance(u);
  return Number.isFinite(variance) ? Math.sqrt(variance) : null;
}

export function combine(influences: Float64Array[], coefficients: number[]): Float64Array {
  const out = new Float64Array(influences[0]?.length ?? 0);
  influences.forEach((u, k) => {
    const c = coefficients[k] as number;
    for (let i = 0; i < out.length; i += 1) out[i] = (out[i] as number) + c * (u[i] as number);
  });
  return out;
}

/** Respondents in at least one of the bases. */
export function unionCount(masks: Uint8Array[]): number {
  const size = masks[0]?.length ?? 0;
  let count = 0;
  for (let i = 0; i < size; i += 1) if (masks.some((m) => m[i] === 1)) count += 1;
  return count;
}

export function ones(size: number): Float64Array {
  return new Float64Array(size).fill(1);
}
