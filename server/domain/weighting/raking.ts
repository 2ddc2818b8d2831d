/**
 * Raking (iterative proportional fitting) of design weights to population margins. Pure: units are given as one
 * category code per margin variable, the result is a weight per unit with a report. Weights are scaled to the
 * design-weight total (n when design weights are 1), so shares or totals can be given as margins alike.
 *
 * With bounds (trimming), the weights are R's bounded raking calibration,
 * calibrate(calfun = "raking", bounds = c(lower, upper)) with design weights 1: w_i = clamp(exp(x_i'η), L, U)
 * meeting every margin, L and U the bounds times the mean weight. That solution is unique when it exists; it is
 * found by raking in which each category's factor is solved exactly with the clamp applied (coordinate ascent on
 * the dual of the calibration problem, which converges wherever the bounds and margins can both hold). When they
 * cannot, a TrimmingError says so with the range the margins need.
 */
import type { RakingReport } from '../../../schemas/generated/api.types.js';

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
  /**
   * Weights to start from (ignored with `trim`): the raked weights of an earlier sample on the same margins, which
   * are the design weights times exp(x'λ) like every raking step's, so raking from them converges to the weights
   * raking from the design weights gives (the one set of that form meeting the margins), in fewer iterations when
   * the sample changed little.
   */
  start?: ArrayLike<number>;
  /** Bounds on the weights relative to their mean, e.g. {lower: 0.3, upper: 3}: bounded raking calibration. */
  trim?: { lower: number; upper: number };
}

/** What trimming did: the bounds, how many respondents sit on them, and the weights' range relative to their mean
 * (the tallies answer's schema defines it, `schemas/api/tallies-report.schema.json`). */
export type TrimReport = NonNullable<RakingReport['trimming']>;

export interface RakeReport {
  iterations: number;
  converged: boolean;
  /** Largest |weighted total - target| / target over all categories of all margins, of the returned weights. */
  maxMarginError: number;
  /** With trimming: the bounds and what they did. */
  trimming?: TrimReport;
}

export interface Raked extends RakeReport {
  weights: Float64Array;
}

/** Who a RakingError is about: how many respondents, and (when the caller knows them) a few of their response ids. */
export interface RakingErrorSubjects {
  respondents?: number;
  responseIds?: string[];
}

export class RakingError extends Error {
  constructor(message: string, readonly variable: string, readonly category: string | null, readonly subjects: RakingErrorSubjects = {}) {
    super(message);
    this.name = 'RakingError';
  }
}

/** The bounds and the margins cannot both hold. */
export class TrimmingError extends Error {
  constructor(message: string, readonly details: {
    bounds: { lower: number; upper: number };
    /** The range (relative to the mean) of the raked weights without bounds: what the margins need. */
    achievedRange: [number, number];
    /** The closest the bounded weights came to the margins (largest relative gap), or null when ruled out at once. */
    maxMarginError: number | null;
    iterations: number;
    /** A margin category that cannot reach its target within the bounds, when one alone rules them out. */
    variable?: string;
    category?: string;
  }) {
    super(message);
    this.name = 'TrimmingError';
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
      column[i] = code ?? -1;
    });
    const missing = units.map((u, i) => (column[i] === -1 ? i : -1)).filter((i) => i >= 0);
    if (missing.length > 0) {
      const value = String(units[missing[0] as number]?.[m.variable]);
      const count = missing.filter((i) => String(units[i]?.[m.variable]) === value).length;
      throw new RakingError(`${m.variable}: ${count} respondent(s) (units ${missing.slice(0, 5).join(', ')}) have "${value}", which the margin does not list`, m.variable, value, { respondents: count });
    }
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

/**
 * A margin category with a target and nobody in it cannot be raked to, and one with respondents and a share of 0
 * would give them weight 0 (R's rake refuses both): an error naming it, with how many respondents it has.
 */
export function requireRespondents(margins: Margin[], categories: string[][], codes: Int32Array[], targets: Float64Array[], counts?: Float64Array): void {
  margins.forEach((m, k) => {
    const cats = categories[k] as string[];
    const seen = new Float64Array(cats.length);
    const column = codes[k] as Int32Array;
    for (let i = 0; i < column.length; i += 1) seen[column[i] as number] = (seen[column[i] as number] as number) + (counts ? (counts[i] as number) : 1);
    const target = targets[k] as Float64Array;
    const empty = cats.findIndex((_, i) => seen[i] === 0 && (target[i] as number) > 0);
    if (empty >= 0) throw new RakingError(`${m.variable}: no respondent in category "${cats[empty]}"; collapse it with a neighbour`, m.variable, cats[empty] as string, { respondents: 0 });
    const zero = cats.findIndex((_, i) => (seen[i] as number) > 0 && !((target[i] as number) > 0));
    if (zero >= 0) {
      const count = seen[zero] as number;
      throw new RakingError(`${m.variable}: category "${cats[zero]}" has ${count} respondent(s) but a population share of 0; give it its share or collapse it with a neighbour`, m.variable, cats[zero] as string, { respondents: count });
    }
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

export function maxError(weights: Float64Array, coded: CodedMargins): number {
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

/** Rakes to convergence (or maxIterations full cycles over the margins); with bounds, the bounded calibration. */
export function rakeCoded(coded: CodedMargins, options: RakeOptions = {}): Raked {
  const weights = Float64Array.from({ length: coded.units }, (_, i) => (options.designWeights ? Number(options.designWeights[i]) : 1));
  if (!options.trim) return rakeFrom(options.start ? Float64Array.from(options.start) : weights, coded, options);
  const plain = rakeFrom(Float64Array.from(weights), coded, options);
  return boundedRake(weights, coded, options, options.trim, relativeRange(plain.weights, coded.counts));
}

/** Smallest and largest weight over the mean weight (units with no respondents left out). */
function relativeRange(weights: Float64Array, counts?: Float64Array): [number, number] {
  const mean = meanWeight(weights, counts);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < weights.length; i += 1) {
    if (counts && !((counts[i] as number) > 0)) continue;
    lo = Math.min(lo, (weights[i] as number) / mean);
    hi = Math.max(hi, (weights[i] as number) / mean);
  }
  return [lo, hi];
}

/**
 * The factor s that brings a category's total to its target: sum of m_i clamp(s r_i, L, U) = T, solved exactly
 * (the sum is piecewise linear and non-decreasing in s). Null when even all units at a bound miss the target.
 */
export function clampedFactor(r: ArrayLike<number>, m: ArrayLike<number>, members: ArrayLike<number>, lower: number, upper: number, target: number): number | null {
  const k = members.length;
  let atLower = 0;
  let atUpper = 0;
  for (let j = 0; j < k; j += 1) {
    const mi = m[members[j] as number] as number;
    atLower += mi * lower;
    atUpper += mi * upper;
  }
  if (target < atLower * (1 - 1e-12) || target > atUpper * (1 + 1e-12)) return null;
  // Breakpoints: unit i leaves the lower bound at s = L / r_i and reaches the upper bound at s = U / r_i.
  const events: Array<[number, number, number]> = [];
  for (let j = 0; j < k; j += 1) {
    const i = members[j] as number;
    const ri = r[i] as number;
    events.push([lower / ri, i, 0], [upper / ri, i, 1]);
  }
  events.sort((a, b) => a[0] - b[0]);
  // f(s) = A + B s on each stretch between breakpoints: A from units at a bound, B from the free ones.
  let a = atLower;
  let b = 0;
  let previous = 0;
  for (const [s, i, kind] of events) {
    const value = a + b * s;
    if (value >= target && s > previous) return b > 0 ? (target - a) / b : s;
    const mi = m[i] as number;
    const ri = r[i] as number;
    if (kind === 0) {
      a -= mi * lower;
      b += mi * ri;
    } else {
      b -= mi * ri;
      a += mi * upper;
    }
    previous = s;
  }
  return events.length > 0 ? (events[events.length - 1] as [number, number, number])[0] : null;
}

function respondentsOf(counts: Float64Array | undefined, units: number): Float64Array {
  return counts ?? new Float64Array(units).fill(1);
}

/**
 * Bounded raking: r_i = d_i exp(x_i'η) raked category by category with each factor solved under the clamp,
 * w_i = clamp(r_i, L, U); to the tolerance, or a TrimmingError after maxIterations cycles (or at once when one
 * category cannot reach its target even with all its respondents at a bound).
 */
function boundedRake(start: Float64Array, coded: CodedMargins, options: RakeOptions, bounds: { lower: number; upper: number }, untrimmedRange: [number, number]): Raked {
  const n = coded.units;
  const m = respondentsOf(coded.counts, n);
  let respondents = 0;
  for (let i = 0; i < n; i += 1) respondents += m[i] as number;
  const total = (coded.targets[0] as Float64Array | undefined)?.reduce((x, y) => x + y, 0) ?? meanWeight(start, coded.counts) * respondents;
  const mean = total / respondents;
  const lower = bounds.lower * mean;
  const upper = bounds.upper * mean;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 1000;
  const fail = (message: string, maxMarginError: number | null, iterations: number, where?: { variable: string; category: string }) => new TrimmingError(message, {
    bounds: { ...bounds }, achievedRange: untrimmedRange, maxMarginError, iterations, ...(where ?? {}),
  });
  // Members of each category of each margin.
  const members = coded.codes.map((codes, k) => {
    const size = (coded.targets[k] as Float64Array).length;
    const lists: number[][] = Array.from({ length: size }, () => []);
    for (let i = 0; i < n; i += 1) (lists[codes[i] as number] as number[]).push(i);
    return lists.map((l) => Int32Array.from(l));
  });
  // A category whose target lies outside [L, U] times its respondents rules the bounds out whatever the rest does.
  coded.codes.forEach((_, k) => {
    (members[k] as Int32Array[]).forEach((list, c) => {
      let count = 0;
      for (const i of list) count += m[i] as number;
      const t = (coded.targets[k] as Float64Array)[c] as number;
      if (count > 0 && (t < count * lower * (1 - 1e-12) || t > count * upper * (1 + 1e-12))) {
        const variable = (coded.margins[k] as Margin).variable;
        const category = (coded.categories[k] as string[])[c] as string;
        throw fail(`${variable}=${category}: ${count} respondent(s) for a weighted total of ${t.toPrecision(4)} need a mean weight of ${(t / count / mean).toPrecision(3)} × the mean, outside the bounds ${bounds.lower}-${bounds.upper}; the margins need weights from ${untrimmedRange[0].toPrecision(3)} to ${untrimmedRange[1].toPrecision(3)} × the mean`, null, 0, { variable, category });
      }
    });
  });
  const r = Float64Array.from(start);
  const weights = new Float64Array(n);
  const clampAll = () => {
    for (let i = 0; i < n; i += 1) weights[i] = Math.min(upper, Math.max(lower, r[i] as number));
  };
  clampAll();
  let iterations = 0;
  let error = maxError(weights, coded);
  while (error > tolerance && iterations < maxIterations) {
    coded.codes.forEach((_, k) => {
      const target = coded.targets[k] as Float64Array;
      (members[k] as Int32Array[]).forEach((list, c) => {
        if (list.length === 0) return;
        const s = clampedFactor(r, m, list, lower, upper, target[c] as number);
        if (s === null || !(s > 0) || !Number.isFinite(s)) return;
        for (const i of list) r[i] = (r[i] as number) * s;
      });
    });
    clampAll();
    iterations += 1;
    error = maxError(weights, coded);
  }
  if (!(error <= tolerance)) {
    throw fail(`the weights cannot be kept within ${bounds.lower}-${bounds.upper} × the mean while meeting the margins (after ${iterations} cycles the largest margin gap is ${error.toPrecision(3)}); the margins need weights from ${untrimmedRange[0].toPrecision(3)} to ${untrimmedRange[1].toPrecision(3)} × the mean`, error, iterations);
  }
  let atLower = 0;
  let atUpper = 0;
  for (let i = 0; i < n; i += 1) {
    const w = weights[i] as number;
    if (w <= lower * (1 + 1e-9)) atLower += m[i] as number;
    if (w >= upper * (1 - 1e-9)) atUpper += m[i] as number;
  }
  const trimming: TrimReport = { lower: bounds.lower, upper: bounds.upper, atLower, atUpper, range: relativeRange(weights, coded.counts), untrimmedRange };
  return { weights, iterations, converged: true, maxMarginError: error, trimming };
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
