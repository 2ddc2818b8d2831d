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
  /**
   * Calibration-model columns of each cell (intercept, then one per non-first category of every margin), flattened
   * with `stride` entries per cell; a margin whose first category the cell is in points at column `columns`, a
   * padding slot that is always zero.
   */
  rowCols: Int32Array;
  stride: number;
  columns: number;
  /**
   * Sums over all cells of w m x (a vector) and w^2 m x x' (a matrix), x a cell's model row (padding included):
   * the residual sums of respondents outside a domain follow from them, so estimates loop over the domain's cells only.
   */
  wx: Float64Array;
  w2xx: Float64Array;
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
  return { n, cellOf, counts, weights, report, ...model, ...outerSums(model, counts, weights) };
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

function outerSums(model: { rowCols: Int32Array; stride: number; columns: number }, counts: Float64Array, weights: Float64Array): { wx: Float64Array; w2xx: Float64Array } {
  const size = model.columns + 1;
  const wx = new Float64Array(size);
  const w2xx = new Float64Array(size * size);
  for (let c = 0; c < counts.length; c += 1) {
    const w = weights[c] as number;
    const m = counts[c] as number;
    for (let i = c * model.stride; i < (c + 1) * model.stride; i += 1) {
      const a = model.rowCols[i] as number;
      wx[a] = (wx[a] as number) + w * m;
      for (let j = c * model.stride; j < (c + 1) * model.stride; j += 1) {
        const b = model.rowCols[j] as number;
        w2xx[a * size + b] = (w2xx[a * size + b] as number) + w * w * m;
      }
    }
  }
  return { wx, w2xx };
}

function modelOf(coded: CodedMargins): Pick<CellDesign, 'rowCols' | 'stride' | 'columns' | 'chol'> {
  const offsets: number[] = [];
  let columns = 1;
  for (const cats of coded.categories) {
    offsets.push(columns);
    columns += cats.length - 1;
  }
  const stride = 1 + coded.codes.length;
  const rowCols = new Int32Array(coded.units * stride).fill(columns);
  const xtx = new Float64Array(columns * columns);
  for (let cell = 0; cell < coded.units; cell += 1) {
    const cols = [0];
    coded.codes.forEach((codes, k) => {
      const c = codes[cell] as number;
      if (c > 0) cols.push((offsets[k] as number) + c - 1);
    });
    rowCols.set(cols, cell * stride);
    const m = (coded.counts as Float64Array)[cell] as number;
    for (const a of cols) for (const b of cols) xtx[a * columns + b] = (xtx[a * columns + b] as number) + m;
  }
  return { rowCols, stride, columns, chol: cholesky(xtx, columns) };
}

/**
 * Respondents grouped at once by margin cell and by the group of every breakdown asked for ("fine cells"): each
 * item then takes one pass over the respondents, and every breakdown is an aggregation of its fine-cell table.
 */
export interface TallyFrame {
  design: CellDesign;
  breakdowns: Breakdown[];
  fineOf: Int32Array;
  /** Per fine cell: its margin cell, and its group in each breakdown (-1: in none). */
  fineCell: Int32Array;
  fineGroups: Int32Array[];
}

export function frameFor(design: CellDesign, breakdowns: Breakdown[]): TallyFrame {
  let fineOf: Int32Array = Int32Array.from(design.cellOf);
  let fineCell: Int32Array = Int32Array.from({ length: design.counts.length }, (_, c) => c);
  let fineGroups: Int32Array[] = [];
  for (const by of breakdowns) {
    const width = by.levels.reduce((p, l) => p * l.length, 1) + 1;
    const next = densify(fineOf, by.codes, width, fineCell.length);
    fineCell = pick(fineCell, next.parents);
    fineGroups = fineGroups.map((groups) => pick(groups, next.parents));
    fineGroups.push(Int32Array.from(next.extras, (g) => g - 1));
    fineOf = next.ids;
  }
  return { design, breakdowns, fineOf, fineCell, fineGroups };
}

function pick(values: Int32Array, at: number[]): Int32Array {
  const out = new Int32Array(at.length);
  for (let k = 0; k < at.length; k += 1) out[k] = values[at[k] as number] as number;
  return out;
}

/** Dense ids for the pairs (id, code + 1) that occur: for each new id its old id (parent) and its code + 1 (extra). */
function densify(ids: Int32Array, codes: Int32Array, width: number, size: number): { ids: Int32Array; parents: number[]; extras: number[] } {
  const out = new Int32Array(ids.length);
  const parents: number[] = [];
  const extras: number[] = [];
  const span = size * width;
  const table = span <= 1 << 24 ? new Int32Array(span).fill(-1) : null;
  const map = table ? null : new Map<number, number>();
  for (let i = 0; i < ids.length; i += 1) {
    const extra = (codes[i] as number) + 1;
    const key = (ids[i] as number) * width + extra;
    let id = table ? (table[key] as number) : (map?.get(key) ?? -1);
    if (id < 0) {
      id = parents.length;
      parents.push(ids[i] as number);
      extras.push(extra);
      if (table) table[key] = id;
      else map?.set(key, id);
    }
    out[i] = id;
  }
  return { ids: out, parents, extras };
}

/** Per fine cell (or, aggregated, per group and margin cell): what the estimates of one item need. */
interface ItemSums {
  slots: number;
  /** [unit][slot]: categorical: count per category; numeric: count, mean, sum of squared deviations. */
  sums: Float64Array;
  /** [unit][reason]: respondents out of the base. */
  excluded: Float64Array;
  /** Respondents in the unit (in the base or not). */
  present: Float64Array;
}

function emptySums(units: number, item: ItemColumn): ItemSums {
  const slots = item.numeric ? 3 : item.categories.length;
  return { slots, sums: new Float64Array(units * slots), excluded: new Float64Array(units * item.reasons.length), present: new Float64Array(units) };
}

/** The one pass over the respondents for an item. */
function fineSums(frame: TallyFrame, item: ItemColumn): ItemSums {
  const out = emptySums(frame.fineCell.length, item);
  const { sums, excluded, present, slots } = out;
  const reasons = item.reasons.length;
  const { fineOf } = frame;
  const { codes } = item;
  const n = fineOf.length;
  if (item.numeric) {
    const numbers = item.numbers as Float64Array;
    for (let i = 0; i < n; i += 1) {
      const f = fineOf[i] as number;
      present[f] = (present[f] as number) + 1;
      const code = codes[i] as number;
      if (code < 0) {
        excluded[f * reasons - code - 1] = (excluded[f * reasons - code - 1] as number) + 1;
        continue;
      }
      // Welford's running mean and squared deviations: sums of y^2 would cancel catastrophically.
      const at = f * 3;
      const y = numbers[i] as number;
      const count = (sums[at] as number) + 1;
      const delta = y - (sums[at + 1] as number);
      const mean = (sums[at + 1] as number) + delta / count;
      sums[at] = count;
      sums[at + 1] = mean;
      sums[at + 2] = (sums[at + 2] as number) + delta * (y - mean);
    }
    return out;
  }
  for (let i = 0; i < n; i += 1) {
    const f = fineOf[i] as number;
    present[f] = (present[f] as number) + 1;
    const code = codes[i] as number;
    if (code < 0) excluded[f * reasons - code - 1] = (excluded[f * reasons - code - 1] as number) + 1;
    else sums[f * slots + code] = (sums[f * slots + code] as number) + 1;
  }
  return out;
}

/** Fine cells into (group, margin cell) units; numeric summaries merged with Chan's formula. */
function aggregate(frame: TallyFrame, fine: ItemSums, item: ItemColumn, groupOf: Int32Array | null, groups: number): ItemSums {
  const cells = frame.design.counts.length;
  const out = emptySums(groups * cells, item);
  const { slots } = fine;
  const reasons = item.reasons.length;
  for (let f = 0; f < frame.fineCell.length; f += 1) {
    const g = groupOf ? (groupOf[f] as number) : 0;
    if (g < 0) continue;
    const u = g * cells + (frame.fineCell[f] as number);
    out.present[u] = (out.present[u] as number) + (fine.present[f] as number);
    for (let r = 0; r < reasons; r += 1) out.excluded[u * reasons + r] = (out.excluded[u * reasons + r] as number) + (fine.excluded[f * reasons + r] as number);
    if (!item.numeric) {
      for (let k = 0; k < slots; k += 1) out.sums[u * slots + k] = (out.sums[u * slots + k] as number) + (fine.sums[f * slots + k] as number);
      continue;
    }
    const nb = fine.sums[f * 3] as number;
    if (nb === 0) continue;
    const na = out.sums[u * 3] as number;
    const delta = (fine.sums[f * 3 + 1] as number) - (out.sums[u * 3 + 1] as number);
    const count = na + nb;
    out.sums[u * 3] = count;
    out.sums[u * 3 + 1] = (out.sums[u * 3 + 1] as number) + (delta * nb) / count;
    out.sums[u * 3 + 2] = (out.sums[u * 3 + 2] as number) + (fine.sums[f * 3 + 2] as number) + (delta * delta * na * nb) / count;
  }
  return out;
}

/**
 * The estimates of one group (a domain, or everyone) from its per-cell sums: each category's share (or the mean)
 * with its linearised variance, the residuals of the influence values projected on the calibration model summed per
 * cell, and the SRS variance for the deff. Tight loops without closures: this runs for every category of every group
 * of every item.
 */
function groupEstimates(design: CellDesign, item: ItemColumn, s: ItemSums, g: number): ItemEstimates {
  const { weights, rowCols, stride, columns, chol, n, wx, w2xx } = design;
  const cells = design.counts.length;
  const { sums, slots } = s;
  const first = g * cells;
  const excluded: Record<string, number> = {};
  const reasons = item.reasons.length;
  for (let r = 0; r < reasons; r += 1) {
    let count = 0;
    for (let c = 0; c < cells; c += 1) count += s.excluded[(first + c) * reasons + r] as number;
    if (count > 0) excluded[item.reasons[r] as string] = count;
  }
  // The cells with respondents of the domain in the base: the only ones the loops below visit.
  const active: number[] = [];
  const a = new Float64Array(cells);
  let weightedBase = 0;
  let sumW2 = 0;
  let base = 0;
  for (let c = 0; c < cells; c += 1) {
    let ac = 0;
    if (item.numeric) ac = sums[(first + c) * 3] as number;
    else for (let k = 0; k < slots; k += 1) ac += sums[(first + c) * slots + k] as number;
    if (ac === 0) continue;
    active.push(c);
    a[c] = ac;
    const w = weights[c] as number;
    weightedBase += w * ac;
    sumW2 += w * w * ac;
    base += ac;
  }
  const size = columns + 1;
  const xtz = new Float64Array(size);
  const beta = new Float64Array(size);
  const W = weightedBase;
  const numeric = item.numeric;

  const estimate = (category: string | null, k: number): Estimate => {
    let total = 0;
    let members = 0;
    for (const c of active) {
      const y = numeric ? (a[c] as number) * (sums[(first + c) * 3 + 1] as number) : (sums[(first + c) * slots + k] as number);
      total += (weights[c] as number) * y;
      members += numeric ? (a[c] as number) : y;
    }
    const p = W > 0 ? total / W : NaN;
    xtz.fill(0);
    let ssSrs = 0;
    let sumWz = 0;
    let sumW2s2 = 0;
    for (const c of active) {
      const ac = a[c] as number;
      let z: number;
      let dev2: number;
      if (numeric) {
        const dev = (sums[(first + c) * 3 + 1] as number) - p;
        dev2 = (sums[(first + c) * 3 + 2] as number) + ac * dev * dev;
        z = (ac * dev) / W;
      } else {
        // A 0/1 variable with b ones among a: squared deviations from p are b(1-p)^2 + (a-b)p^2, never cancelling.
        const b = sums[(first + c) * slots + k] as number;
        dev2 = b * (1 - p) * (1 - p) + (ac - b) * p * p;
        z = (b - p * ac) / W;
      }
      ssSrs += dev2;
      const w = weights[c] as number;
      sumWz += w * z;
      sumW2s2 += w * w * (dev2 / (W * W));
      for (let j = c * stride, end = j + stride; j < end; j += 1) {
        const col = rowCols[j] as number;
        xtz[col] = (xtz[col] as number) + z;
      }
    }
    beta.set(choleskySolve(chol, columns, xtz));
    beta[columns] = 0;
    // Residual sums over every respondent: sum w (z - m f) and sum w^2 (sum z^2 - 2 f z + m f^2) per cell, the
    // f-only terms over all cells taken from the design's outer sums (cells outside the domain have z = 0).
    let sumWfz = 0;
    for (const c of active) {
      let f = 0;
      for (let j = c * stride, end = j + stride; j < end; j += 1) f += beta[rowCols[j] as number] as number;
      const w = weights[c] as number;
      let z = 0;
      if (numeric) z = ((a[c] as number) * ((sums[(first + c) * 3 + 1] as number) - p)) / W;
      else z = ((sums[(first + c) * slots + k] as number) - p * (a[c] as number)) / W;
      sumWfz += w * w * f * z;
    }
    let betaWx = 0;
    let quadratic = 0;
    for (let i = 0; i < size; i += 1) {
      const bi = beta[i] as number;
      if (bi === 0) continue;
      betaWx += bi * (wx[i] as number);
      let row = 0;
      for (let j = 0; j < size; j += 1) row += (w2xx[i * size + j] as number) * (beta[j] as number);
      quadratic += bi * row;
    }
    const sumOut = sumWz - betaWx;
    const sumOut2 = sumW2s2 - 2 * sumWfz + quadratic;
    const variance = n < 2 ? NaN : Math.max(0, (n / (n - 1)) * (sumOut2 - (sumOut * sumOut) / n));
    const se = Math.sqrt(variance);
    const srs = base < 2 ? NaN : category === null ? ssSrs / (base - 1) / base : (p * (1 - p)) / base;
    return {
      category, estimate: p, se, ci95: [p - Z95 * se, p + Z95 * se], n: Math.round(members),
      weightedTotal: category === null ? W : total, deff: srs > 0 ? variance / srs : NaN,
    };
  };

  const estimates = numeric ? [estimate(null, 0)] : item.categories.map((category, k) => estimate(category, k));
  return { base, excluded, weightedBase, effectiveN: sumW2 > 0 ? (weightedBase * weightedBase) / sumW2 : 0, estimates };
}

/**
 * One item, overall and by every breakdown of the frame; domains zero the weights outside them (n stays the
 * sample). Groups with respondents only, their bases under `minCell` flagged small.
 */
export function tallyFrame(frame: TallyFrame, item: ItemColumn, options: { minCell?: number } = {}): { overall: ItemEstimates; by: GroupEstimates[][] } {
  const minCell = options.minCell ?? 30;
  const fine = fineSums(frame, item);
  const overall = groupEstimates(frame.design, item, aggregate(frame, fine, item, null, 1), 0);
  const cells = frame.design.counts.length;
  const by = frame.breakdowns.map((breakdown, b) => {
    const groupCount = breakdown.levels.reduce((p, l) => p * l.length, 1);
    const s = aggregate(frame, fine, item, frame.fineGroups[b] as Int32Array, groupCount);
    const groups: GroupEstimates[] = [];
    for (let g = 0; g < groupCount; g += 1) {
      let present = 0;
      for (let c = 0; c < cells; c += 1) present += s.present[g * cells + c] as number;
      if (present === 0) continue;
      const estimates = groupEstimates(frame.design, item, s, g);
      groups.push({ values: valuesOf(breakdown, g), small: estimates.base < minCell, ...estimates });
    }
    return groups;
  });
  return { overall, by };
}

/** One item, overall and (optionally) by one breakdown. */
export function tallyItem(design: CellDesign, item: ItemColumn, by?: Breakdown, options: { minCell?: number } = {}): ItemTally {
  const result = tallyFrame(frameFor(design, by ? [by] : []), item, options);
  if (!by) return { item: item.item, overall: result.overall };
  return { item: item.item, overall: result.overall, by: { variables: by.variables, groups: result.by[0] as GroupEstimates[] } };
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
