/**
 * The allocation helper: a proportional quota plan from population shares and a sample size, which the coordinator
 * then edits. Rounding is by largest remainder (Hamilton), so targets always sum exactly to the total, and the
 * result is deterministic: ties go to the larger exact quota, then to the cell listed first.
 *
 * A minimum per cell is honoured by fixing every cell whose proportional share falls below it at the minimum and
 * sharing what is left among the others in proportion, repeated until no cell is below (small groups such as the
 * Korean minority would otherwise get two or three interviews, too few to say anything about them).
 *
 * Interlocking cells come from the product of the margins (independence, when only margins are known) or from a
 * joint table (e.g. census age x sex).
 */
import type { MarginVariable, Margins } from '../weighting/margins.js';
import { defaultQuotaId, type Quota } from './plan.js';

export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

/** Shares of the categories of one variable, in any unit (percentages, counts): only ratios matter. */
export interface ShareVariable {
  variable: string;
  shares: Record<string, number>;
  collapse?: Record<string, string>;
}

/** One row of a joint table: a category of every variable and its share. */
export interface JointRow {
  categories: Record<string, string>;
  share: number;
}

// Exact quotas like 542 * 0.05 are not exact in binary floating point; 1e-9 absorbs that before flooring.
const EPSILON = 1e-9;

function checkShares(shares: readonly number[]): void {
  if (shares.length === 0) throw new AllocationError('there is nothing to allocate over: no categories');
  if (shares.some((s) => !Number.isFinite(s) || s < 0)) throw new AllocationError('shares are finite numbers, 0 or more');
  if (shares.reduce((a, b) => a + b, 0) <= 0) throw new AllocationError('the shares sum to 0');
}

/** Cells held at the minimum, found by fixing the ones below it until every free cell's quota reaches it. */
function cellsAtMinimum(total: number, shares: readonly number[], minimum: number): Set<number> {
  const fixed = new Set<number>();
  for (;;) {
    const free = shares.map((_, i) => i).filter((i) => !fixed.has(i));
    const remaining = total - minimum * fixed.size;
    const sum = free.reduce((s, i) => s + (shares[i] as number), 0);
    // Only zero shares left: largestRemainder splits what remains equally, at least the minimum each.
    if (sum === 0) return fixed;
    const below = free.filter((i) => (remaining * (shares[i] as number)) / sum + EPSILON < minimum);
    if (below.length === 0) return fixed;
    for (const i of below) fixed.add(i);
  }
}

/** Largest-remainder rounding of `total` over cells in proportion to `shares` (equally when all are 0). */
function largestRemainder(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (sum === 0 ? total / shares.length : (total * s) / sum));
  const counts = exact.map((q) => Math.floor(q + EPSILON));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((q, i) => ({ i, remainder: Math.max(0, q - (counts[i] as number)), q }))
    .sort((a, b) => b.remainder - a.remainder || b.q - a.q || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    left -= 1;
  }
  return counts;
}

/**
 * Whole-number targets in proportion to `shares`, each at least `minimum`, summing exactly to `total`. Throws
 * when the minimum cannot be met (more cells times the minimum than the total).
 */
export function allocateProportional(total: number, shares: readonly number[], minimum = 0): number[] {
  if (!Number.isInteger(total) || total < 0) throw new AllocationError('the total is a whole number, 0 or more');
  if (!Number.isInteger(minimum) || minimum < 0) throw new AllocationError('the minimum per cell is a whole number, 0 or more');
  checkShares(shares);
  if (minimum * shares.length > total) {
    throw new AllocationError(`${shares.length} cells of at least ${minimum} need ${minimum * shares.length}, more than the total ${total}`);
  }
  const fixed = cellsAtMinimum(total, shares, minimum);
  const free = shares.map((_, i) => i).filter((i) => !fixed.has(i));
  const rounded = largestRemainder(total - minimum * fixed.size, free.map((i) => shares[i] as number));
  const counts = shares.map(() => minimum);
  free.forEach((i, k) => {
    counts[i] = rounded[k] as number;
  });
  return counts;
}

/** The joint shares of independent margins: every combination of categories, share = product of the shares. */
export function productOfMargins(variables: readonly ShareVariable[]): JointRow[] {
  let rows: JointRow[] = [{ categories: {}, share: 1 }];
  for (const v of variables) {
    const entries = Object.entries(v.shares);
    checkShares(entries.map(([, s]) => s));
    const sum = entries.reduce((s, [, x]) => s + x, 0);
    rows = rows.flatMap((row) => entries.map(([category, share]) => ({
      categories: { ...row.categories, [v.variable]: category },
      share: row.share * (share / sum),
    })));
  }
  return rows;
}

export interface AllocationSpec {
  /** Sample size the quota's targets sum to. */
  total: number;
  minimum?: number;
  id?: string;
  label?: string;
}

function quotaFromRows(variables: string[], rows: readonly JointRow[], spec: AllocationSpec, collapse?: Quota['collapse']): Quota {
  const targets = allocateProportional(spec.total, rows.map((r) => r.share), spec.minimum ?? 0);
  return {
    id: spec.id ?? defaultQuotaId(variables),
    ...(spec.label !== undefined ? { label: spec.label } : {}),
    variables,
    ...(collapse && Object.keys(collapse).length > 0 ? { collapse } : {}),
    cells: rows.map((r, i) => ({ categories: r.categories, target: targets[i] as number })),
  };
}

function collapseOf(variables: readonly ShareVariable[]): Quota['collapse'] {
  return Object.fromEntries(variables.filter((v) => v.collapse && Object.keys(v.collapse).length > 0).map((v) => [v.variable, v.collapse as Record<string, string>]));
}

/**
 * A quota from margins: marginal when one variable is given, interlocking (cells from the product of the margins)
 * when several are. Collapsed codes carry over, so matching counts an uzbek respondent as `other`.
 */
export function allocateFromMargins(variables: readonly ShareVariable[], spec: AllocationSpec): Quota {
  if (variables.length === 0) throw new AllocationError('name at least one variable');
  return quotaFromRows(variables.map((v) => v.variable), productOfMargins(variables), spec, collapseOf(variables));
}

/** An interlocking quota from a joint table, e.g. census counts by age band and sex. */
export function allocateFromJoint(variables: string[], rows: readonly JointRow[], spec: AllocationSpec, collapse?: Quota['collapse']): Quota {
  if (variables.length === 0) throw new AllocationError('name at least one variable');
  rows.forEach((r, i) => {
    const missing = variables.filter((v) => r.categories[v] === undefined);
    if (missing.length > 0) throw new AllocationError(`joint table row ${i + 1} has no category for ${missing.join(', ')}`);
  });
  const keys = rows.map((r) => variables.map((v) => r.categories[v]).join('\u0000'));
  if (new Set(keys).size !== keys.length) throw new AllocationError('the joint table lists a combination twice');
  return quotaFromRows(variables, rows, spec, collapse);
}

/** The share variables of stored margins (the weighting margins, or the shipped Kazakhstan 2009 figures). */
export function shareVariables(margins: Margins, variables: readonly string[]): ShareVariable[] {
  return variables.map((name) => {
    const found: MarginVariable | undefined = margins.variables.find((v) => v.variable === name);
    if (!found) throw new AllocationError(`the margins have no ${name}`);
    return { variable: found.variable, shares: found.shares, ...(found.collapse ? { collapse: found.collapse } : {}) };
  });
}
