/**
 * Raking (iterative proportional fitting) of design weights to population margins. Pure: units are given as one
 * category code per margin variable, the result is a weight per unit with a report. Weights are scaled to the
 * design-weight total (n when design weights are 1), so shares or totals can be given as margins alike.
 */

export interface Margin {
  variable: string;
  /** Population share (or total) per category; scaled to the weight total. */
  targets: Record<string, number>;
}

export interface RakeOptions {
  /** Convergence: the largest relative gap between a margin's weighted total and its target. */
  tolerance?: number;
  maxIterations?: number;
  designWeights?: ArrayLike<number>;
  /** Bounds on the weights relative to their mean, e.g. {lower: 0.3, upper: 3}: clamped, then raked again. */
  trim?: { lower: number; upper: number };
}

export interface RakeReport {
  iterations: number;
  converged: boolean;
  /** Largest |weighted total - target| / target over all categories of all margins, after the last cycle. */
  maxMarginError: number;
  /** With trimming: rounds of clamping and re-raking, and how many weights the last clamp moved. */
  trimming?: { rounds: number; clamped: number; withinBounds: boolean };
}

export interface Raked extends RakeReport {
  weights: Float64Array;
}

export class RakingError extends Error {
  constructor(message: string, readonly variable: string, readonly category: string | null) {
    super(message);
    this.name = 'RakingError';
  }
}

/** Units coded for the margins: for each margin variable, the category index of every unit. */
export interface CodedMargins {
  /** Number of units (also without margins: unweighted estimates rake to nothing). */
  units: number;
  margins: Margin[];
  categories: string[][];
  codes: Int32Array[];
  targets: Float64Array[];
  /** When units are cells of identical respondents: respondents per unit (absent: one each). Weights stay per respondent. */
  counts?: Float64Array;
}

/** Codes every unit on every margin; a unit outside a margin's categories, or a category nobody is in, is an error. */
export function codeUnits(units: ReadonlyArray<Record<string, unknown>>, margins: Margin[], total: number): CodedMargins {
  const categories = margins.map((m) => Object.keys(m.targets));
  const codes = margins.map((m, k) => {
    const index = new Map((categories[k] as string[]).map((c, i) => [c, i]));
    const column = new Int32Array(units.length);
    units.forEach((u, i) => {
      const code = index.get(String(u[m.variable]));
      if (code === undefined) throw new RakingError(`${m.variable}: respondent ${i} has "${String(u[m.variable])}", which the margin does not list`, m.variable, String(u[m.variable]));
      column[i] = code;
    });
    return column;
  });
  const targets = marginTargets(margins, categories, total);
  requireRespondents(margins, categories, codes, targets);
  return { units: units.length, margins, categories, codes, targets };
}

/** Each margin's shares scaled to the weight total, in category order. */
export function marginTargets(margins: Margin[], categories: string[][], total: number): Float64Array[] {
  return margins.map((m, k) => {
    const shares = (categories[k] as string[]).map((c) => m.targets[c] as number);
    const sum = shares.reduce((a, b) => a + b, 0);
    return Float64Array.from(shares, (s) => (s / sum) * total);
  });
}

/** A margin category with a target and nobody in it cannot be raked to: an error naming it. */
export function requireRespondents(margins: Margin[], categories: string[][], codes: Int32Array[], targets: Float64Array[]): void {
  margins.forEach((m, k) => {
    const seen = new Uint8Array((categories[k] as string[]).length);
    const column = codes[k] as Int32Array;
    for (let i = 0; i < column.length; i += 1) seen[column[i] as number] = 1;
    const empty = (categories[k] as string[]).find((c, i) => seen[i] === 0 && ((targets[k] as Float64Array)[i] as number) > 0);
    if (empty !== undefined) throw new RakingError(`${m.variable}: no respondent in category "${empty}"; collapse it with a neighbour`, m.variable, empty);
  });
}

function marginTotals(weights: Float64Array, codes: Int32Array, size: number, counts?: Float64Array): Float64Array {
  const totals = new Float64Array(size);
  for (let i = 0; i < weights.length; i += 1) {
    const c = codes[i] as number;
    totals[c] = (totals[c] as number) + (weights[i] as number) * (counts ? (counts[i] as number) : 1);
  }
  return totals;
}

/** Mean weight per respondent. */
function meanWeight(weights: Float64Array, counts?: Float64Array): number {
  let total = 0;
  let n = 0;
  for (let i = 0; i < weights.length; i += 1) {
    const m = counts ? (counts[i] as number) : 1;
    total += (weights[i] as number) * m;
    n += m;
  }
  return total / n;
}

function maxError(weights: Float64Array, coded: CodedMargins): number {
  let worst = 0;
  coded.codes.forEach((codes, k) => {
    const target = coded.targets[k] as Float64Array;
    const totals = marginTotals(weights, codes, target.length, coded.counts);
    target.forEach((t, c) => {
      if (t > 0) worst = Math.max(worst, Math.abs((totals[c] as number) - t) / t);
    });
  });
  return worst;
}

/** Rakes to convergence (or maxIterations full cycles over the margins), then trims if asked. */
export function rakeCoded(coded: CodedMargins, options: RakeOptions = {}): Raked {
  const weights = Float64Array.from({ length: coded.units }, (_, i) => (options.designWeights ? Number(options.designWeights[i]) : 1));
  const raked = rakeFrom(weights, coded, options);
  return options.trim ? trimAndRerake(raked, coded, options, options.trim) : raked;
}

/**
 * Trimming: weights outside [lower, upper] x mean are clamped to the bound, and the rest raked again so the
 * margins hold; repeated until no weight is outside by more than 0.01% or 50 rounds have passed. The margins always
 * hold at the end; `withinBounds` says whether the bounds do too (to 0.1%): with bounds the margins make
 * impossible, they cannot.
 */
function trimAndRerake(first: Raked, coded: CodedMargins, options: RakeOptions, bounds: { lower: number; upper: number }): Raked {
  let raked = first;
  let rounds = 0;
  let clamped = 0;
  for (; rounds < 50; rounds += 1) {
    const mean = meanWeight(raked.weights, coded.counts);
    const lo = bounds.lower * mean;
    const hi = bounds.upper * mean;
    clamped = 0;
    for (let i = 0; i < raked.weights.length; i += 1) {
      const w = raked.weights[i] as number;
      if (w < lo * (1 - 1e-4) || w > hi * (1 + 1e-4)) clamped += coded.counts ? (coded.counts[i] as number) : 1;
      raked.weights[i] = Math.min(hi, Math.max(lo, w));
    }
    if (clamped === 0) break;
    raked = rakeFrom(raked.weights, coded, options);
  }
  const mean = meanWeight(raked.weights, coded.counts);
  const withinBounds = raked.weights.every((w) => w >= bounds.lower * mean * (1 - 1e-3) && w <= bounds.upper * mean * (1 + 1e-3));
  return { ...raked, trimming: { rounds, clamped, withinBounds } };
}

function rakeFrom(weights: Float64Array, coded: CodedMargins, options: RakeOptions): Raked {
  const n = coded.units;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 1000;
  let iterations = 0;
  let error = maxError(weights, coded);
  while (error > tolerance && iterations < maxIterations) {
    coded.codes.forEach((codes, k) => {
      const target = coded.targets[k] as Float64Array;
      const totals = marginTotals(weights, codes, target.length, coded.counts);
      const factor = Float64Array.from(target, (t, c) => ((totals[c] as number) > 0 ? t / (totals[c] as number) : 0));
      for (let i = 0; i < n; i += 1) weights[i] = (weights[i] as number) * (factor[codes[i] as number] as number);
    });
    iterations += 1;
    error = maxError(weights, coded);
  }
  return { weights, iterations, converged: error <= tolerance, maxMarginError: error };
}

export function rake(units: ReadonlyArray<Record<string, unknown>>, margins: Margin[], options: RakeOptions = {}): Raked & { coded: CodedMargins } {
  const total = options.designWeights ? Array.from(options.designWeights).reduce((a, b) => a + Number(b), 0) : units.length;
  const coded = codeUnits(units, margins, total);
  return { ...rakeCoded(coded, options), coded };
}
