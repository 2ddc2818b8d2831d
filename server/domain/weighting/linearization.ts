/**
 * The least-squares solve of the calibration projection (estimator.ts): the model's cross-product matrix X'X is
 * factored once per design (design.ts) and every estimate's projection is two triangular solves.
 */

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
