/**
 * The design every weighted estimate reads: respondents grouped into margin cells (the combination of their
 * categories on every margin variable), the cells raked to the margins, and the calibration model of the cells.
 * Raked weights depend only on a respondent's margin cell, and so does their row of the calibration model, so a
 * million respondents fall into a few thousand cells and the raking and the projection run on cells
 * (estimator.ts computes every estimate and its linearised variance from per-cell sums).
 */
import { cholesky } from './linearization.js';
import { marginTargets, rakeCoded, RakingError, requireRespondents, type CodedMargins, type Margin, type RakeOptions, type RakeReport } from './raking.js';

/** A categorical variable coded per respondent: index into `levels`, or -1 when missing. */
export interface CodedColumn {
  levels: string[];
  codes: Int32Array;
  /** A few response ids per level code (-1: missing), for problems that name respondents. */
  examples?: Map<number, string[]>;
}

export interface CellDesign {
  /** Respondents. */
  n: number;
  /** Raked to margins (false: every weight 1, no margins). */
  calibrated: boolean;
  cellOf: Int32Array;
  /** Respondents per cell. */
  counts: Float64Array;
  /** Raked weight of each respondent in the cell. */
  weights: Float64Array;
  /** Each cell's combination of margin categories as one number (the same for the same margins). */
  keys: Float64Array;
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

/**
 * Groups respondents into margin cells and rakes the cells. With no margins every respondent shares one cell of
 * weight 1 (unweighted estimates, with the same variance formula). A respondent outside a margin's categories,
 * or a margin category with a target and nobody in it, is a RakingError naming it. `previous`, a design of the
 * same margins (an earlier sample of the survey), is where the raking starts when it has every cell and no bounds
 * are asked for: the weights are the same as from a cold start, to the raking tolerance, in fewer iterations when
 * few responses were added.
 */
export function designFor(n: number, margins: Margin[], columns: CodedColumn[], options: RakeOptions = {}, previous?: CellDesign): CellDesign {
  const perMargin = margins.map((m, k) => marginCodes(m, columns[k] as CodedColumn, n));
  const categories = margins.map((m) => Object.keys(m.targets));
  const { cellOf, cellCodes, keys } = cellsOf(n, perMargin, categories.map((c) => c.length));
  const cells = cellCodes.length === 0 ? 1 : (cellCodes[0] as Int32Array).length;
  const counts = new Float64Array(cells);
  for (let i = 0; i < n; i += 1) counts[cellOf[i] as number] = (counts[cellOf[i] as number] as number) + 1;
  const targets = marginTargets(margins, categories, n);
  try {
    requireRespondents(margins, categories, cellCodes, targets, counts);
  } catch (error) {
    if (!(error instanceof RakingError) || error.category === null) throw error;
    const k = margins.findIndex((m) => m.variable === error.variable);
    const column = columns[k] as CodedColumn;
    const level = column.levels.findIndex((l) => l === error.category);
    const ids = column.examples?.get(level) ?? [];
    throw new RakingError(ids.length > 0 ? `${error.message} (e.g. response ${ids.join(', ')})` : error.message, error.variable, error.category, { ...error.subjects, ...(ids.length > 0 ? { responseIds: ids } : {}) });
  }
  const coded: CodedMargins = { units: cells, margins, categories, codes: cellCodes, targets, counts };
  const start = options.trim ? null : warmStart(keys, previous);
  const { weights, ...report } = rakeCoded(coded, start ? { ...options, start } : options);
  const model = modelOf(coded);
  return { n, calibrated: margins.length > 0, cellOf, counts, weights, report, keys: Float64Array.from(keys), ...model, ...outerSums(model, counts, weights) };
}

/**
 * The previous design's weights for these cells (the same margins), or null when a cell is new: raked weights are
 * exp(x'λ) per cell, so raking from them converges to the weights raking from 1 gives (raking.ts `start`); a new
 * cell has no such weight to start from.
 */
function warmStart(keys: number[], previous: CellDesign | undefined): Float64Array | null {
  if (!previous?.calibrated) return null;
  const weightOf = new Map<number, number>();
  previous.keys.forEach((key, cell) => weightOf.set(key, previous.weights[cell] as number));
  const start = new Float64Array(keys.length);
  for (let cell = 0; cell < keys.length; cell += 1) {
    const w = weightOf.get(keys[cell] as number);
    if (w === undefined) return null;
    start[cell] = w;
  }
  return start;
}

/**
 * Maps a column's levels onto the margin's categories; respondents with a level the margin does not list (or with
 * no value) are an error naming the value, how many have it and a few of their response ids.
 */
function marginCodes(margin: Margin, column: CodedColumn, n: number): Int32Array {
  const index = new Map(Object.keys(margin.targets).map((c, i) => [c, i]));
  const map = column.levels.map((l) => index.get(l) ?? -1);
  const out = new Int32Array(n);
  let firstBad: number | null = null;
  let count = 0;
  for (let i = 0; i < n; i += 1) {
    const level = column.codes[i] as number;
    const code = level < 0 ? -1 : (map[level] as number);
    if (code < 0) {
      firstBad ??= level;
      if (level === firstBad) count += 1;
    }
    out[i] = code;
  }
  if (firstBad !== null) {
    const value = firstBad < 0 ? null : (column.levels[firstBad] as string);
    const ids = column.examples?.get(firstBad) ?? [];
    const who = `${count} respondent(s)${ids.length > 0 ? ` (e.g. response ${ids.join(', ')})` : ''}`;
    const message = value === null ? `${margin.variable}: ${who} have no value for it` : `${margin.variable}: ${who} have "${value}", which the margin does not list`;
    throw new RakingError(message, margin.variable, value, { respondents: count, ...(ids.length > 0 ? { responseIds: ids } : {}) });
  }
  return out;
}

/** Dense cell numbers for the respondents' combinations of margin categories, and each cell's categories. */
function cellsOf(n: number, perMargin: Int32Array[], sizes: number[]): { cellOf: Int32Array; cellCodes: Int32Array[]; keys: number[] } {
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
  return { cellOf, cellCodes, keys };
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

/** Each respondent's raked weight. */
export function respondentWeights(design: CellDesign): Float64Array {
  return Float64Array.from(design.cellOf, (c) => design.weights[c] as number);
}
