/**
 * Standard errors by Taylor linearisation that account for the raking, as R's survey package computes them for a
 * design calibrated with calibrate(calfun = "raking") and no clusters or strata: influence values
 * u_i = w_i (y_i - p) / sum(w), replaced by their residuals from the least-squares projection on the calibration
 * model (an intercept and the indicator columns of every margin, one category dropped per margin), then
 * Var = n / (n - 1) * sum (u_i - mean(u))^2 over all n respondents. Domains are estimated by zeroing the
 * weights outside them; the projection keeps the full sample.
 */
import type { CodedMargins } from './raking.js';

export interface Projection {
  /** Residuals of the influence values `x` (length n) after projection, scaled back to influence units. */
  residualize(x: Float64Array): Float64Array;
}

export function cholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = a[i * k + j] as number;
      for (let p = 0; p < j; p += 1) sum -= (l[i * k + p] as number) * (l[j * k + p] as number);
      if (i === j) {
        if (sum <= 0) throw new Error('calibration model is singular: a margin category has no respondents');
        l[i * k + i] = Math.sqrt(sum);
      } else {
        l[i * k + j] = sum / (l[j * k + j] as number);
      }
    }
  }
  return l;
}

export function choleskySolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i += 1) {
    let sum = b[i] as number;
    for (let p = 0; p < i; p += 1) sum -= (l[i * k + p] as number) * (y[p] as number);
    y[i] = sum / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i -= 1) {
    let sum = y[i] as number;
    for (let p = i + 1; p < k; p += 1) sum -= (l[p * k + i] as number) * (x[p] as number);
    x[i] = sum / (l[i * k + i] as number);
  }
  return x;
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
