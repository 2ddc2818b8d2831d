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
import { finishEstimate, type Estimate, type EstimateOptions, type ItemEstimates } from './estimates.js';
import { cholesky, choleskySolve } from './linearization.js';
import { marginTargets, rakeCoded, RakingError, requireRespondents, type CodedMargins, type Margin, type RakeOptions, type RakeReport } from './raking.js';

/** A categorical variable coded per respondent: index into `levels`, or -1 when missing. */
export interface CodedColumn {
  levels: string[];
  codes: Int32Array;
  /** A few response ids per level code (-1: missing), for problems that name respondents. */
  examples?: Map<number, string[]>;
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
  /** Raked to margins (false: every weight 1, no margins). */
  calibrated: boolean;
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

/** Everyone: flagged small like a group when the base is under the threshold (0 when nobody answered). */
export interface OverallEstimates extends ItemEstimates {
  small: boolean;
}

export interface ItemTally {
  item: string;
  /** share: one estimate per category; mean: the mean of the numbers (or of a scale's codes). */
  stat: 'share' | 'mean';
  overall: OverallEstimates;
  by?: { variables: string[]; groups: GroupEstimates[] };
}

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
  const { weights, ...report } = rakeCoded(coded, options);
  const model = modelOf(coded);
  return { n, calibrated: margins.length > 0, cellOf, counts, weights, report, ...model, ...outerSums(model, counts, weights) };
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
  /** Per fine cell: its margin cell. */
  fineCell: Int32Array;
  /** Everyone (overall), then each breakdown: the (group, margin cell) pairs that occur. */
  partitions: Partition[];
}

/**
 * The (group, margin cell) pairs of one breakdown that hold respondents ("units"): per fine cell its unit (-1: in
 * no group), per unit its margin cell, and the units of each group (groups in code order, empty ones left out).
 */
interface Partition {
  unitOfFine: Int32Array;
  unitCell: Int32Array;
  groups: Array<{ code: number; units: Int32Array }>;
}

function partitionOf(fineCell: Int32Array, fineGroup: Int32Array | null): Partition {
  const unitOfFine = new Int32Array(fineCell.length).fill(-1);
  const key = new Map<number, number>();
  const unitCell: number[] = [];
  const unitGroup: number[] = [];
  for (let f = 0; f < fineCell.length; f += 1) {
    const g = fineGroup ? (fineGroup[f] as number) : 0;
    if (g < 0) continue;
    const c = fineCell[f] as number;
    const k = g * fineCell.length * 4 + c;
    let u = key.get(k);
    if (u === undefined) {
      u = unitCell.length;
      key.set(k, u);
      unitCell.push(c);
      unitGroup.push(g);
    }
    unitOfFine[f] = u;
  }
  const codes = [...new Set(unitGroup)].sort((x, y) => x - y);
  const members = new Map<number, number[]>(codes.map((code) => [code, []]));
  unitGroup.forEach((g, u) => members.get(g)?.push(u));
  const groups = codes.map((code) => ({ code, units: Int32Array.from(members.get(code) ?? []) }));
  return { unitOfFine, unitCell: Int32Array.from(unitCell), groups };
}

export function frameFor(design: CellDesign, breakdowns: Breakdown[]): TallyFrame {
  let fineOf: Int32Array = Int32Array.from(design.cellOf);
  let fineCell: Int32Array = Int32Array.from({ length: design.counts.length }, (_, c) => c);
  let fineGroups: Int32Array[] = [];
  // Margin cells and breakdown codes are well under 2^21 each, so (cell, group) keys stay exact in a double.
  for (const by of breakdowns) {
    const width = by.levels.reduce((p, l) => p * l.length, 1) + 1;
    const next = densify(fineOf, by.codes, width, fineCell.length);
    fineCell = pick(fineCell, next.parents);
    fineGroups = fineGroups.map((groups) => pick(groups, next.parents));
    fineGroups.push(Int32Array.from(next.extras, (g) => g - 1));
    fineOf = next.ids;
  }
  const partitions = [partitionOf(fineCell, null), ...fineGroups.map((groups) => partitionOf(fineCell, groups))];
  return { design, breakdowns, fineOf, fineCell, partitions };
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

/** Fine cells into the units of a partition; numeric summaries merged with Chan's formula. */
function aggregate(fine: ItemSums, item: ItemColumn, partition: Partition): ItemSums {
  const out = emptySums(partition.unitCell.length, item);
  const { slots } = fine;
  const reasons = item.reasons.length;
  const { unitOfFine } = partition;
  for (let f = 0; f < unitOfFine.length; f += 1) {
    const u = unitOfFine[f] as number;
    if (u < 0) continue;
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
 * with its linearised variance and the SRS variance for the deff. Only the cells holding members of the domain are
 * visited: the influence values of everyone else are zero, and the sums of their projection residuals follow from
 * the design's outer sums. All categories are computed together, over contiguous per-cell arrays: this runs for
 * every group of every item, so it is written as tight loops without closures.
 */
function groupEstimates(design: CellDesign, item: ItemColumn, s: ItemSums, partition: Partition, units: Int32Array, options: EstimateOptions): ItemEstimates {
  const { weights, rowCols, stride, columns, chol, n, wx, w2xx } = design;
  const { sums, slots } = s;
  const excluded: Record<string, number> = {};
  const reasons = item.reasons.length;
  for (let r = 0; r < reasons; r += 1) {
    let count = 0;
    for (let i = 0; i < units.length; i += 1) count += s.excluded[(units[i] as number) * reasons + r] as number;
    if (count > 0) excluded[item.reasons[r] as string] = count;
  }
  const numeric = item.numeric;
  const K = numeric ? 1 : slots;
  // The group's units with respondents in the base (index j): their margin cell, base count a, and per category k
  // the mean y and squared deviations from it.
  const active: number[] = [];
  const activeUnit: number[] = [];
  for (let i = 0; i < units.length; i += 1) {
    const u = units[i] as number;
    let ac = 0;
    if (numeric) ac = sums[u * 3] as number;
    else for (let k = 0; k < slots; k += 1) ac += sums[u * slots + k] as number;
    if (ac > 0) {
      active.push(partition.unitCell[u] as number);
      activeUnit.push(u);
    }
  }
  const J = active.length;
  const a = new Float64Array(J);
  const ybar = new Float64Array(J * K);
  const m2 = new Float64Array(J * K);
  let weightedBase = 0;
  let sumW2 = 0;
  let base = 0;
  for (let j = 0; j < J; j += 1) {
    const c = active[j] as number;
    const at = (activeUnit[j] as number) * slots;
    let ac = 0;
    if (numeric) {
      ac = sums[at] as number;
      ybar[j] = sums[at + 1] as number;
      m2[j] = sums[at + 2] as number;
    } else {
      for (let k = 0; k < K; k += 1) ac += sums[at + k] as number;
      for (let k = 0; k < K; k += 1) {
        const b = sums[at + k] as number;
        ybar[j * K + k] = b / ac;
        m2[j * K + k] = (b * (ac - b)) / ac;
      }
    }
    a[j] = ac;
    const w = weights[c] as number;
    weightedBase += w * ac;
    sumW2 += w * w * ac;
    base += ac;
  }
  const W = weightedBase;
  const total = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const wa = (weights[active[j] as number] as number) * (a[j] as number);
    for (let k = 0; k < K; k += 1) total[k] = (total[k] as number) + wa * (ybar[j * K + k] as number);
  }
  const p = Float64Array.from(total, (t) => (W > 0 ? t / W : NaN));

  // Influence per active cell and category: z = a (ybar - p) / W; its sums, and X'z for the projection.
  const size = columns + 1;
  const z = new Float64Array(J * K);
  const xtz = new Float64Array(K * size);
  const sumWz = new Float64Array(K);
  const sumW2s2 = new Float64Array(K);
  const weightedSs = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const c = active[j] as number;
    const w = weights[c] as number;
    const ac = a[j] as number;
    for (let k = 0; k < K; k += 1) {
      const dev = (ybar[j * K + k] as number) - (p[k] as number);
      const dev2 = (m2[j * K + k] as number) + ac * dev * dev;
      const zz = (ac * dev) / W;
      z[j * K + k] = zz;
      weightedSs[k] = (weightedSs[k] as number) + w * dev2;
      sumWz[k] = (sumWz[k] as number) + w * zz;
      sumW2s2[k] = (sumW2s2[k] as number) + (w * w * dev2) / (W * W);
      for (let t = c * stride, end = t + stride; t < end; t += 1) {
        const col = k * size + (rowCols[t] as number);
        xtz[col] = (xtz[col] as number) + zz;
      }
    }
  }
  const beta = new Float64Array(K * size);
  for (let k = 0; k < K; k += 1) {
    beta.set(choleskySolve(chol, columns, xtz.subarray(k * size, k * size + columns)), k * size);
  }
  // Residual sums over every respondent: sum w (z - m f) and sum w^2 (z^2 terms - 2 f z + m f^2) per cell; the
  // f-only terms over all cells come from the design's outer sums (cells outside the domain have z = 0).
  const sumWfz = new Float64Array(K);
  for (let j = 0; j < J; j += 1) {
    const c = active[j] as number;
    const w2 = (weights[c] as number) ** 2;
    for (let k = 0; k < K; k += 1) {
      let f = 0;
      for (let t = c * stride, end = t + stride; t < end; t += 1) f += beta[k * size + (rowCols[t] as number)] as number;
      sumWfz[k] = (sumWfz[k] as number) + w2 * f * (z[j * K + k] as number);
    }
  }
  const estimates: Estimate[] = [];
  for (let k = 0; k < K; k += 1) {
    const betaWx = dot(beta, k * size, wx, columns);
    const quadratic = symmetricForm(w2xx, size, beta, k * size, columns);
    const sumOut = (sumWz[k] as number) - betaWx;
    const sumOut2 = (sumW2s2[k] as number) - 2 * (sumWfz[k] as number) + quadratic;
    const variance = n < 2 ? NaN : Math.max(0, (n / (n - 1)) * (sumOut2 - (sumOut * sumOut) / n));
    const pk = p[k] as number;
    // svymean(deff = "replace"): svyvar / base, svyvar = weighted variance x base / (base - 1).
    const srs = base < 2 ? NaN : numeric ? (weightedSs[k] as number) / W / (base - 1) : (pk * (1 - pk)) / (base - 1);
    let members = 0;
    if (numeric) members = base;
    else for (let j = 0; j < J; j += 1) members += (a[j] as number) * (ybar[j * K + k] as number);
    estimates.push(finishEstimate({
      category: numeric ? null : (item.categories[k] as string), p: pk, variance, srsVariance: srs, n: Math.round(members),
      weightedTotal: numeric ? W : (total[k] as number), base, sample: n, options: { ...options, calibrated: design.calibrated },
    }));
  }
  return { base, excluded, weightedBase, kishEffectiveN: sumW2 > 0 ? (weightedBase * weightedBase) / sumW2 : 0, estimates };
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

/** Options of a tally: the small-cell threshold and the interval method for proportions. */
export interface TallyOptions {
  minCell?: number;
  ci?: EstimateOptions['ci'];
}

/**
 * One item, overall and by every breakdown of the frame; domains zero the weights outside them (n stays the
 * sample). Groups with respondents only, their bases (and everyone's) under `minCell` flagged small.
 */
export function tallyFrame(frame: TallyFrame, item: ItemColumn, options: TallyOptions = {}): { overall: OverallEstimates; by: GroupEstimates[][] } {
  const minCell = options.minCell ?? 30;
  const estimateOptions: EstimateOptions = options.ci ? { ci: options.ci } : {};
  const fine = fineSums(frame, item);
  const [everyone, ...partitions] = frame.partitions as [Partition, ...Partition[]];
  const all = groupEstimates(frame.design, item, aggregate(fine, item, everyone), everyone, everyone.groups[0]?.units ?? new Int32Array(0), estimateOptions);
  const overall = { small: all.base < minCell, ...all };
  const by = frame.breakdowns.map((breakdown, b) => {
    const partition = partitions[b] as Partition;
    const s = aggregate(fine, item, partition);
    return partition.groups.map(({ code, units }) => {
      const estimates = groupEstimates(frame.design, item, s, partition, units, estimateOptions);
      return { values: valuesOf(breakdown, code), small: estimates.base < minCell, ...estimates };
    });
  });
  return { overall, by };
}

/** One item, overall and (optionally) by one breakdown. */
export function tallyItem(design: CellDesign, item: ItemColumn, by?: Breakdown, options: TallyOptions = {}): ItemTally {
  const result = tallyFrame(frameFor(design, by ? [by] : []), item, options);
  const stat = item.numeric ? 'mean' : 'share';
  if (!by) return { item: item.item, stat, overall: result.overall };
  return { item: item.item, stat, overall: result.overall, by: { variables: by.variables, groups: result.by[0] as GroupEstimates[] } };
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
    for (let k = 0; k < columns.length; k += 1) {
      const column = columns[k] as CodedColumn;
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
