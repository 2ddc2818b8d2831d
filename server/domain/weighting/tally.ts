/**
 * Weighted tallies at scale: items coded per respondent (columns.ts) summed per margin cell and breakdown group in
 * one pass, each group's estimates then computed from its cells by the estimator (estimator.ts) on the cell design
 * (design.ts), so an estimate costs a pass over cells instead of respondents. A property test holds the numbers to
 * the per-respondent reference (tests/support/reference-estimator.ts), the R cross-check to R's.
 */
import type { CellDesign, CodedColumn } from './design.js';
import { finishEstimate, type Estimate, type EstimateOptions, type ItemEstimates } from './estimates.js';
import { domainEstimates } from './estimator.js';

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
 * with its linearised variance (estimator.ts) and the SRS variance for the deff. Only the cells holding members of
 * the domain are visited. All categories are computed together, over contiguous per-cell arrays: this runs for
 * every group of every item, so it is written as tight loops without closures.
 */
function groupEstimates(design: CellDesign, item: ItemColumn, s: ItemSums, partition: Partition, units: Int32Array, options: EstimateOptions): ItemEstimates {
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
  // The group's units with respondents in the base (index j): their margin cell, base count, and per category k
  // the sum of y and the squared deviations from the unit's mean.
  const cells: number[] = [];
  const active: number[] = [];
  for (let i = 0; i < units.length; i += 1) {
    const u = units[i] as number;
    let ac = 0;
    if (numeric) ac = sums[u * 3] as number;
    else for (let k = 0; k < slots; k += 1) ac += sums[u * slots + k] as number;
    if (ac > 0) {
      cells.push(partition.unitCell[u] as number);
      active.push(u);
    }
  }
  const J = active.length;
  const count = new Float64Array(J);
  const sum = new Float64Array(J * K);
  const squares = new Float64Array(J * K);
  for (let j = 0; j < J; j += 1) {
    const at = (active[j] as number) * slots;
    if (numeric) {
      const ac = sums[at] as number;
      count[j] = ac;
      sum[j] = ac * (sums[at + 1] as number);
      squares[j] = sums[at + 2] as number;
      continue;
    }
    let ac = 0;
    for (let k = 0; k < K; k += 1) ac += sums[at + k] as number;
    count[j] = ac;
    for (let k = 0; k < K; k += 1) {
      const b = sums[at + k] as number;
      sum[j * K + k] = b;
      squares[j * K + k] = (b * (ac - b)) / ac;
    }
  }
  const e = domainEstimates(design, { cells, count, sum, squares, K });
  const { base, weightedBase: W } = e;
  const estimates: Estimate[] = [];
  for (let k = 0; k < K; k += 1) {
    const pk = e.p[k] as number;
    // svymean(deff = "replace"): svyvar / base, svyvar = weighted variance x base / (base - 1).
    const srs = base < 2 ? NaN : numeric ? (e.weightedSquares[k] as number) / W / (base - 1) : (pk * (1 - pk)) / (base - 1);
    let members = 0;
    if (numeric) members = base;
    else for (let j = 0; j < J; j += 1) members += sum[j * K + k] as number;
    estimates.push(finishEstimate({
      category: numeric ? null : (item.categories[k] as string), p: pk, variance: e.variance[k] as number, srsVariance: srs, n: members,
      weightedTotal: numeric ? W : (e.total[k] as number), base, sample: design.n, options: { ...options, calibrated: design.calibrated },
    }));
  }
  return { base, excluded, weightedBase: W, kishEffectiveN: e.sumW2 > 0 ? (W * W) / e.sumW2 : 0, estimates };
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
