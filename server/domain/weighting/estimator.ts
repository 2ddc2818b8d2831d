/**
 * The one estimator: weighted shares and means of a domain with their linearised variance on a cell design
 * (design.ts), as R's svymean on a design calibrated with calibrate(calfun = "raking"), design weights 1, no
 * clusters or strata (docs/methods.md). Tallies (tally.ts) and the indicators (domain/indicators) both estimate
 * here; the slow per-respondent reference the tests hold this to is tests/support/reference-estimator.ts.
 *
 * For a statistic p of domain D with base weight W, the influence of respondent i is z_i w_i with
 * z_i = (y_i - p) 1[i in D and base] / W (a linear combination of statistics: the same combination of influences).
 * The projection residual on the calibration model of respondent i in cell c is (z_i - f_c) w_c, f_c the fitted
 * value of the cell, and Var = n / (n - 1) * sum (e_i - mean(e))^2 over all n respondents. So the variance needs
 * only, per cell holding influence, the sums of z and z^2; the residual sums of every other cell (z = 0) follow
 * from the design's outer sums, so a domain costs a pass over its own cells.
 */
import type { CellDesign } from './design.js';
import { choleskySolve } from './linearization.js';

/**
 * Per unit j of a domain (a margin cell's respondents in the base; a cell may be split over several units): its
 * margin cell, its base count, and per statistic k (of K) the sum of y and of squared deviations from the unit's mean.
 */
export interface UnitSums {
  cells: ArrayLike<number>;
  count: Float64Array;
  /** [j][k] */
  sum: Float64Array;
  /** [j][k] */
  squares: Float64Array;
  K: number;
}

export interface DomainEstimates {
  /** Respondents in the base. */
  base: number;
  weightedBase: number;
  /** Sum of the squared weights over the base (Kish's effective sample size). */
  sumW2: number;
  /** Per statistic: the weighted mean (a share for 0/1), NaN when the base is empty. */
  p: Float64Array;
  /** Per statistic: the weighted sum of y. */
  total: Float64Array;
  /** Per statistic: the linearised variance (NaN for n < 2). */
  variance: Float64Array;
  /** Per statistic: sum w (y - p)^2 over the base (the weighted variance of the item times W, for the deff). */
  weightedSquares: Float64Array;
}

/** Weighted means of K statistics over a domain's units, with their linearised variances. */
export function domainEstimates(design: CellDesign, s: UnitSums): DomainEstimates {
  const { weights } = design;
  const { cells, count, sum, squares, K } = s;
  const J = cells.length;
  let weightedBase = 0;
  let sumW2 = 0;
  let base = 0;
  const total = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const w = weights[cells[j] as number] as number;
    const a = count[j] as number;
    weightedBase += w * a;
    sumW2 += w * w * a;
    base += a;
    for (let k = 0; k < K; k += 1) total[k] = (total[k] as number) + w * (sum[j * K + k] as number);
  }
  const W = weightedBase;
  const p = Float64Array.from(total, (t) => (W > 0 ? t / W : NaN));
  // Per unit and statistic: the sum of z = a (ybar - p) / W and of z^2 = (squares + a (ybar - p)^2) / W^2.
  const z = new Float64Array(J * K);
  const zz = new Float64Array(J * K);
  const weightedSquares = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const w = weights[cells[j] as number] as number;
    const a = count[j] as number;
    for (let k = 0; k < K; k += 1) {
      const dev = (sum[j * K + k] as number) / a - (p[k] as number);
      const dev2 = (squares[j * K + k] as number) + a * dev * dev;
      z[j * K + k] = (a * dev) / W;
      zz[j * K + k] = dev2 / (W * W);
      weightedSquares[k] = (weightedSquares[k] as number) + w * dev2;
    }
  }
  return { base, weightedBase, sumW2, p, total, variance: linearizedVariances(design, cells, K, z, zz), weightedSquares };
}

/**
 * The linearised variances of K linear statistics from their influence sums per unit: z[j][k] the sum of z over
 * unit j (cell cells[j]) and zz[j][k] the sum of z^2, z the influence over the respondent's weight; every respondent
 * of no unit has z = 0.
 */
export function linearizedVariances(design: CellDesign, cells: ArrayLike<number>, K: number, z: Float64Array, zz: Float64Array): Float64Array {
  const { weights, rowCols, stride, columns, chol, n, wx, w2xx } = design;
  const J = cells.length;
  const size = columns + 1;
  // X'z for the projection, and the sums of w z and w^2 z^2.
  const xtz = new Float64Array(K * size);
  const sumWz = new Float64Array(K);
  const sumW2z2 = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const c = cells[j] as number;
    const w = weights[c] as number;
    for (let k = 0; k < K; k += 1) {
      const zj = z[j * K + k] as number;
      sumWz[k] = (sumWz[k] as number) + w * zj;
      sumW2z2[k] = (sumW2z2[k] as number) + w * w * (zz[j * K + k] as number);
      for (let t = c * stride, end = t + stride; t < end; t += 1) {
        const col = k * size + (rowCols[t] as number);
        xtz[col] = (xtz[col] as number) + zj;
      }
    }
  }
  const beta = new Float64Array(K * size);
  for (let k = 0; k < K; k += 1) beta.set(choleskySolve(chol, columns, xtz.subarray(k * size, k * size + columns)), k * size);
  // Residual sums over every respondent: sum w (z - m f) and sum w^2 (z^2 - 2 f z + m f^2) per cell; the f-only
  // terms over all cells come from the design's outer sums.
  const sumWfz = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const c = cells[j] as number;
    const w2 = (weights[c] as number) ** 2;
    for (let k = 0; k < K; k += 1) {
      let f = 0;
      for (let t = c * stride, end = t + stride; t < end; t += 1) f += beta[k * size + (rowCols[t] as number)] as number;
      sumWfz[k] = (sumWfz[k] as number) + w2 * f * (z[j * K + k] as number);
    }
  }
  const variance = new Float64Array(K);
  for (let k = 0; k < K; k += 1) {
    const sumOut = (sumWz[k] as number) - dot(beta, k * size, wx, columns);
    const sumOut2 = (sumW2z2[k] as number) - 2 * (sumWfz[k] as number) + symmetricForm(w2xx, size, beta, k * size, columns);
    variance[k] = n < 2 ? NaN : Math.max(0, (n / (n - 1)) * (sumOut2 - (sumOut * sumOut) / n));
  }
  return variance;
}

/** Sum of a[offset + i] * b[i] for i < length. */
function dot(a: Float64Array, offset: number, b: Float64Array, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i += 1) sum += (a[offset + i] as number) * (b[i] as number);
  return sum;
}

/** x' M x for the symmetric M (row stride `size`) and x = v[offset .. offset + length). */
function symmetricForm(m: Float64Array, size: number, v: Float64Array, offset: number, length: number): number {
  let total = 0;
  for (let i = 0; i < length; i += 1) {
    const xi = v[offset + i] as number;
    if (xi === 0) continue;
    let row = 0;
    for (let t = i + 1; t < length; t += 1) row += (m[i * size + t] as number) * (v[offset + t] as number);
    total += xi * ((m[i * size + i] as number) * xi + 2 * row);
  }
  return total;
}

// --- per respondent: shares of derived 0/1 variables and combinations of them (the indicators) ----------------

/** Per respondent: 1 (favourable), 0 (in the base, not favourable) or NaN (not in the base). */
export type Binary = Float64Array;

export interface ShareEstimate {
  /** Share in 0..1. */
  p: number;
  /** Standard error of p. */
  se: number | null;
  /** Unweighted respondents with y = 1. */
  n: number;
  /** Unweighted respondents in the base. */
  base: number;
  weightedBase: number;
  /** Per respondent: w (y - p) / W in the base, else 0; combine() these for a combination of shares. */
  influence: Float64Array;
  inBase: Uint8Array;
}

/**
 * The weighted share of y = 1 among the respondents in the base (and in `domain`), by domainEstimates over the
 * design's margin cells, with each respondent's influence for combinations; null when the base is empty.
 */
export function shareOf(y: Binary, design: CellDesign, domain?: Uint8Array): ShareEstimate | null {
  const { cellOf, weights } = design;
  const size = y.length;
  const cells = weights.length;
  const inBase = new Uint8Array(size);
  const count = new Float64Array(cells);
  const hits = new Float64Array(cells);
  for (let i = 0; i < size; i += 1) {
    const v = y[i] as number;
    if (Number.isNaN(v) || (domain !== undefined && domain[i] !== 1)) continue;
    const c = cellOf[i] as number;
    inBase[i] = 1;
    count[c] = (count[c] as number) + 1;
    if (v === 1) hits[c] = (hits[c] as number) + 1;
  }
  const active: number[] = [];
  for (let c = 0; c < cells; c += 1) if ((count[c] as number) > 0) active.push(c);
  const a = Float64Array.from(active, (c) => count[c] as number);
  const b = Float64Array.from(active, (c) => hits[c] as number);
  // Squared deviations of a 0/1 variable from its cell mean: b (a - b) / a.
  const squares = Float64Array.from(active, (_, j) => ((b[j] as number) * ((a[j] as number) - (b[j] as number))) / (a[j] as number));
  const e = domainEstimates(design, { cells: active, count: a, sum: b, squares, K: 1 });
  if (e.base === 0 || !(e.weightedBase > 0)) return null;
  const p = e.p[0] as number;
  const influence = new Float64Array(size);
  for (let i = 0; i < size; i += 1) if (inBase[i]) influence[i] = ((weights[cellOf[i] as number] as number) * ((y[i] as number) - p)) / e.weightedBase;
  const n = b.reduce((sum, x) => sum + x, 0);
  return { p, se: standardErrorOf(e.variance[0] as number), n, base: e.base, weightedBase: e.weightedBase, influence, inBase };
}

/** A linear combination of influences (of shares of the same respondents). */
export function combine(influences: Float64Array[], coefficients: number[]): Float64Array {
  const out = new Float64Array(influences[0]?.length ?? 0);
  influences.forEach((u, k) => {
    const c = coefficients[k] as number;
    for (let i = 0; i < out.length; i += 1) out[i] = (out[i] as number) + c * (u[i] as number);
  });
  return out;
}

/** Standard error of the statistic whose per-respondent influences (w z) are `influence`, as linearizedVariances. */
export function standardError(design: CellDesign, influence: Float64Array): number | null {
  const { cellOf, weights } = design;
  const cells = weights.length;
  const z = new Float64Array(cells);
  const zz = new Float64Array(cells);
  for (let i = 0; i < influence.length; i += 1) {
    const c = cellOf[i] as number;
    const zi = (influence[i] as number) / (weights[c] as number);
    z[c] = (z[c] as number) + zi;
    zz[c] = (zz[c] as number) + zi * zi;
  }
  const all = Int32Array.from({ length: cells }, (_, c) => c);
  return standardErrorOf(linearizedVariances(design, all, 1, z, zz)[0] as number);
}

function standardErrorOf(variance: number): number | null {
  return Number.isFinite(variance) ? Math.sqrt(variance) : null;
}
