/**
 * Weighted tallies at scale. Raked weights depend only on a respondent's margin cell (the combination of their
 * categories on every margin variable), and so does their row of the calibration model. So everything the
 * linearised variance needs reduces to per-cell sums: a million respondents fall into a few thousand cells, the
 * raking runs on cells, and each estimate costs one pass over the cells instead of the respondents.
 *
 * The numbers are those of the per-respondent reference (estimates.ts with linearization.ts: R's
 * calibrate(calfun = "raking"), design weights 1, no clusters or strata); a property test holds them equal.
 * For a proportion p of domain D with base weight W, influence z_i = (y_i - p) 1[i in D and base] / W; the
 * projection residual of respondent i in cell c is (z_i - f_c) w_c with f_c the fitted value of the cell, so
 * sum and sum of squares of the residuals need only, per cell, the count and sums of z and z^2.
 */
import type { Estimate, ItemEstimates } from './estimates.js';
import { cholesky, choleskySolve } from './linearization.js';
import { rakeCoded, RakingError, type CodedMargins, type Margin, type RakeOptions, type RakeReport } from './raking.js';

/** A categorical variable coded per respondent: index into `levels`, or -1 when missing. */
export interface CodedColumn {
  levels: string[];
  codes: Int32Array;
}

/** An item per respondent: codes index `categories` (numeric items: 0 with the value in `numbers`); -1 - r marks exclusion reason r. */
export interface ItemColumn {
  item: string;
  numeric: boolean;
  categories: string[];
  codes: Int32Array;
  numbers?: Float64Array;
  /** Why a respondent is out of the base, e.g. ['dk', 'ref', 'blank']. */
  reasons: string[];
}

/** A breakdown: one or two variables, each group one combination of their levels. */
export interface Breakdown {
  variables: string[];
  levels: string[][];
  codes: Int32Array;
}

export interface CellDesign {
  /** Respondents. */
  n: number;
  cellOf: Int32Array;
  /** Respondents per cell. */
  counts: Float64Array;
  /** Raked weight of each respondent in the cell. */
  weights: Float64Array;
  report: RakeReport;
  /** Calibration-model columns of each cell (intercept, then one per non-first category of every margin). */
  rows: Int32Array[];
  columns: number;
  chol: Float64Array;
}

export interface GroupEstimates extends ItemEstimates {
  /** The breakdown's value for each of its variables. */
  values: Record<string, string>;
  /** The base is under the small-cell threshold: show, but do not trust. */
  small: boolean;
}

export interface ItemTally {
  item: string;
  overall: ItemEstimates;
  by?: { variables: string[]; groups: GroupEstimates[] };
}

const Z95 = 1.959963984540054;

/**
 * Groups respondents into margin cells and rakes the cells. With no margins every respondent shares one cell of
 * weight 1 (unweighted estimates, with the same variance formula). A respondent outside a margin's categories,
 * or a margin category with a target and nobody in it, is a RakingError naming it.
 */
export function designFor(n: number, margins: Margin[], columns: CodedColumn[], options: RakeOptions = {}): CellDesign {
  const perMargin = margins.map((m, k) => marginCodes(m, columns[k] as CodedColumn, n));
  const categories = margins.map((m) => Object.keys(m.targets));
  const { cellOf, cellCodes } = cellsOf(n, perMargin, categories.map((c) => c.length));
  const cells = cellCodes.length === 0 ? 1 : (cellCodes[0] as Int32Array).length;
  const counts = new Float64Array(cells);
  for (let i = 0; i < n; i += 1) counts[cellOf[i] as number] = (counts[cellOf[i] as number] as number) + 1;
  const targets = margins.map((m, k) => {
    const shares = (categories[k] as string[]).map((c) => m.targets[c] as number);
    const sum = shares.reduce((a, b) => a + b, 0);
    return Float64Array.from(shares, (s) => (s / sum) * n);
  });
  margins.forEach((m, k) => {
    const seen = new Uint8Array((categories[k] as string[]).length);
    for (const c of cellCodes[k] as Int32Array) seen[c] = 1;
    const empty = (categories[k] as string[]).find((_, i) => seen[i] === 0 && ((targets[k] as Float64Array)[i] as number) > 0);
    if (empty !== undefined) throw new RakingError(`${m.variable}: no respondent in category "${empty}"; collapse it with a neighbour`, m.variable, empty);
  });
  const coded: CodedMargins = { units: cells, margins, categories, codes: cellCodes, targets, counts };
  const { weights, ...report } = rakeCoded(coded, options);
  const model = modelOf(coded);
  return { n, cellOf, counts, weights, report, ...model };
}

/** Maps a column's levels onto the margin's categories; a level the margin does not list is an error when used. */
function marginCodes(margin: Margin, column: CodedColumn, n: number): Int32Array {
  const index = new Map(Object.keys(margin.targets).map((c, i) => [c, i]));
  const map = column.levels.map((l) => index.get(l) ?? -1);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    const level = column.codes[i] as number;
    const code = level < 0 ? -1 : (map[level] as number);
    if (code < 0) {
      const value = level < 0 ? 'blank' : (column.levels[level] as string);
      throw new RakingError(`${margin.variable}: respondent ${i} has "${value}", which the margin does not list`, margin.variable, value);
    }
    out[i] = code;
  }
  return out;
}

/** Dense cell numbers for the respondents' combinations of margin categories, and each cell's categories. */
function cellsOf(n: number, perMargin: Int32Array[], sizes: number[]): { cellOf: Int32Array; cellCodes: Int32Array[] } {
  const cellOf = new Int32Array(n);
  const dense = new Map<number, number>();
  const keys: number[] = [];
  for (let i = 0; i < n; i += 1) {
    let key = 0;
    for (let k = 0; k < perMargin.length; k += 1) key = key * (sizes[k] as number) + ((perMargin[k] as Int32Array)[i] as number);
    let cell = dense.get(key);
    if (cell === undefined) {
      cell = keys.length;
      dense.set(key, cell);
      keys.push(key);
    }
    cellOf[i] = cell;
  }
  if (n === 0) keys.push(0);
  const cellCodes = perMargin.map(() => new Int32Array(keys.length));
  keys.forEach((key, cell) => {
    let rest = key;
    for (let k = perMargin.length - 1; k >= 0; k -= 1) {
      (cellCodes[k] as Int32Array)[cell] = rest % (sizes[k] as number);
      rest = Math.floor(rest / (sizes[k] as number));
    }
  });
  return { cellOf, cellCodes };
}

function modelOf(coded: CodedMargins): Pick<CellDesign, 'rows' | 'columns' | 'chol'> {
  const offsets: number[] = [];
  let columns = 1;
  for (const cats of coded.categories) {
    offsets.push(columns);
    columns += cats.length - 1;
  }
  const rows = Array.from({ length: coded.units }, (_, cell) => {
    const cols = [0];
    coded.codes.forEach((codes, k) => {
      const c = codes[cell] as number;
      if (c > 0) cols.push((offsets[k] as number) + c - 1);
    });
    return Int32Array.from(cols);
  });
  const xtx = new Float64Array(columns * columns);
  rows.forEach((cols, cell) => {
    const m = (coded.counts as Float64Array)[cell] as number;
    for (const a of cols) for (const b of cols) xtx[a * columns + b] = (xtx[a * columns + b] as number) + m;
  });
  return { rows, columns, chol: cholesky(xtx, columns) };
}

/** Per cell and group: what the estimates of one item need. */
interface ItemSums {
  groups: number;
  slots: number;
  /** [group][cell][slot]: categorical: count per category; numeric: count, mean, sum of squared deviations. */
  sums: Float64Array;
  /** [group][reason]: respondents out of the base. */
  excluded: Float64Array;
  present: Uint8Array;
}

function sumsOf(design: CellDesign, item: ItemColumn, groups: number, groupOf: (i: number) => number): ItemSums {
  const cells = design.counts.length;
  const slots = item.numeric ? 3 : item.categories.length;
  const sums = new Float64Array(groups * cells * slots);
  const excluded = new Float64Array(groups * item.reasons.length);
  const present = new Uint8Array(groups);
  const { cellOf } = design;
  const { codes, numbers } = item;
  for (let i = 0; i < design.n; i += 1) {
    const g = groupOf(i);
    if (g < 0) continue;
    present[g] = 1;
    const code = codes[i] as number;
    if (code < 0) {
      const slot = g * item.reasons.length - code - 1;
      excluded[slot] = (excluded[slot] as number) + 1;
      continue;
    }
    const at = (g * cells + (cellOf[i] as number)) * slots;
    if (item.numeric) {
      // Welford's running mean and sum of squared deviations: sums of y^2 would cancel catastrophically.
      const y = (numbers as Float64Array)[i] as number;
      const count = (sums[at] as number) + 1;
      const delta = y - (sums[at + 1] as number);
      sums[at] = count;
      const mean = (sums[at + 1] as number) + delta / count;
      sums[at + 1] = mean;
      sums[at + 2] = (sums[at + 2] as number) + delta * (y - mean);
    } else {
      sums[at + code] = (sums[at + code] as number) + 1;
    }
  }
  return { groups, slots, sums, excluded, present };
}

/**
 * Per cell: a = respondents in the base, mean = their mean y, m2 = their sum of squared deviations from it (for a
 * category y is 0/1). The estimate, its linearised variance (projection on the calibration model) and the SRS
 * variance for the deff.
 */
function estimateFromCells(design: CellDesign, a: (c: number) => number, mean: (c: number) => number, m2: (c: number) => number, category: string | null): Estimate & { base: number; weightedBase: number; sumW2: number } {
  const cells = design.counts.length;
  const { weights, rows, columns, chol, counts, n } = design;
  let weightedBase = 0;
  let total = 0;
  let sumW2 = 0;
  let base = 0;
  let members = 0;
  for (let c = 0; c < cells; c += 1) {
    const w = weights[c] as number;
    weightedBase += w * a(c);
    total += w * a(c) * mean(c);
    sumW2 += w * w * a(c);
    base += a(c);
    members += category === null ? a(c) : Math.round(a(c) * mean(c));
  }
  const p = weightedBase > 0 ? total / weightedBase : NaN;
  const s1 = new Float64Array(cells);
  const s2 = new Float64Array(cells);
  const xtz = new Float64Array(columns);
  let ssSrs = 0;
  for (let c = 0; c < cells; c += 1) {
    const dev = a(c) > 0 ? mean(c) - p : 0;
    const dev2 = m2(c) + a(c) * dev * dev;
    ssSrs += dev2;
    s1[c] = (a(c) * dev) / weightedBase;
    s2[c] = dev2 / (weightedBase * weightedBase);
    for (const col of rows[c] as Int32Array) xtz[col] = (xtz[col] as number) + (s1[c] as number);
  }
  const beta = choleskySolve(chol, columns, xtz);
  let sumOut = 0;
  let sumOut2 = 0;
  for (let c = 0; c < cells; c += 1) {
    let f = 0;
    for (const col of rows[c] as Int32Array) f += beta[col] as number;
    const w = weights[c] as number;
    const m = counts[c] as number;
    sumOut += w * ((s1[c] as number) - m * f);
    sumOut2 += w * w * ((s2[c] as number) - 2 * f * (s1[c] as number) + m * f * f);
  }
  const variance = n < 2 ? NaN : Math.max(0, (n / (n - 1)) * (sumOut2 - (sumOut * sumOut) / n));
  const se = Math.sqrt(variance);
  const srs = base < 2 ? NaN : category === null ? ssSrs / (base - 1) / base : (p * (1 - p)) / base;
  return {
    category, estimate: p, se, ci95: [p - Z95 * se, p + Z95 * se], n: members,
    weightedTotal: category === null ? weightedBase : total, deff: srs > 0 ? variance / srs : NaN,
    base, weightedBase, sumW2,
  };
}

function groupEstimates(design: CellDesign, item: ItemColumn, s: ItemSums, g: number): ItemEstimates {
  const cells = design.counts.length;
  const at = (c: number, slot: number) => s.sums[(g * cells + c) * s.slots + slot] as number;
  const excluded: Record<string, number> = {};
  item.reasons.forEach((r, k) => {
    const count = s.excluded[g * item.reasons.length + k] as number;
    if (count > 0) excluded[r] = count;
  });
  let estimates: Array<ReturnType<typeof estimateFromCells>>;
  if (item.numeric) {
    estimates = [estimateFromCells(design, (c) => at(c, 0), (c) => at(c, 1), (c) => at(c, 2), null)];
  } else {
    const inBase = new Float64Array(cells);
    for (let c = 0; c < cells; c += 1) for (let k = 0; k < s.slots; k += 1) inBase[c] = (inBase[c] as number) + at(c, k);
    // A 0/1 variable with b ones among a: mean b/a, squared deviations b(a-b)/a.
    const share = (c: number, k: number) => ((inBase[c] as number) > 0 ? at(c, k) / (inBase[c] as number) : 0);
    estimates = item.categories.map((category, k) => estimateFromCells(design, (c) => inBase[c] as number, (c) => share(c, k), (c) => at(c, k) * (1 - share(c, k)), category));
  }
  const first = estimates[0];
  const weightedBase = first?.weightedBase ?? 0;
  const sumW2 = first?.sumW2 ?? 0;
  return {
    base: first?.base ?? 0,
    excluded,
    weightedBase,
    effectiveN: sumW2 > 0 ? (weightedBase * weightedBase) / sumW2 : 0,
    estimates: estimates.map(({ base: _b, weightedBase: _w, sumW2: _s, ...e }) => e),
  };
}

/** One item, overall and (optionally) by a breakdown; domains zero the weights outside them (n stays the sample). */
export function tallyItem(design: CellDesign, item: ItemColumn, by?: Breakdown, options: { minCell?: number } = {}): ItemTally {
  const overallSums = sumsOf(design, item, 1, () => 0);
  const overall = groupEstimates(design, item, overallSums, 0);
  if (!by) return { item: item.item, overall };
  const minCell = options.minCell ?? 30;
  const groupCount = by.levels.reduce((p, l) => p * l.length, 1);
  const byCodes = by.codes;
  const s = sumsOf(design, item, groupCount, (i) => byCodes[i] as number);
  const groups: GroupEstimates[] = [];
  for (let g = 0; g < groupCount; g += 1) {
    if (!s.present[g]) continue;
    const estimates = groupEstimates(design, item, s, g);
    groups.push({ values: valuesOf(by, g), small: estimates.base < minCell, ...estimates });
  }
  return { item: item.item, overall, by: { variables: by.variables, groups } };
}

function valuesOf(by: Breakdown, g: number): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = g;
  for (let k = by.variables.length - 1; k >= 0; k -= 1) {
    const levels = by.levels[k] as string[];
    out[by.variables[k] as string] = levels[rest % levels.length] as string;
    rest = Math.floor(rest / levels.length);
  }
  return out;
}

/** A breakdown over one or two coded variables; a respondent missing any of them is in no group. */
export function breakdownOf(variables: string[], columns: CodedColumn[]): Breakdown {
  const n = (columns[0] as CodedColumn).codes.length;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    let g = 0;
    for (const column of columns) {
      const code = column.codes[i] as number;
      if (code < 0 || g < 0) {
        g = -1;
        continue;
      }
      g = g * column.levels.length + code;
    }
    codes[i] = g;
  }
  return { variables, levels: columns.map((c) => c.levels), codes };
}

/** Each respondent's raked weight. */
export function respondentWeights(design: CellDesign): Float64Array {
  return Float64Array.from(design.cellOf, (c) => design.weights[c] as number);
}
