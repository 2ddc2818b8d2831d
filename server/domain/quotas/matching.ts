/**
 * Which cell of each quota a respondent falls in, from the screening answers (or a stored response's answers). The
 * rule itself (derived variables, collapsing, don't know and refused) is schemas/quota-cells.ts, shared with the
 * form's offline check, so screening online, offline and counting never disagree. A quota whose variables are not
 * all answered is `missing` (screening is incomplete); a respondent whose categories the quota does not list is
 * `unmatched` (outside the plan: the service decides whether that screens out).
 */
import { deriveVariables } from '../../../schemas/derived.js';
import { quotaCategories, sameCell, screeningValues } from '../../../schemas/quota-cells.js';
import { cellKey, type Quota, type QuotaPlan } from './plan.js';

export type CellMatch =
  | { quota: string; status: 'matched'; cell: string; categories: Record<string, string>; target: number }
  | { quota: string; status: 'missing'; variables: string[] }
  | { quota: string; status: 'unmatched'; categories: Record<string, string> };

/** The match of one quota, given answers already enriched with derived variables. */
export function matchQuota(quota: Quota, values: Record<string, unknown>): CellMatch {
  const { categories, missing } = quotaCategories(quota, values);
  if (missing.length > 0) return { quota: quota.id, status: 'missing', variables: missing };
  const cell = quota.cells.find((c) => sameCell(quota, c.categories, categories));
  if (!cell) return { quota: quota.id, status: 'unmatched', categories };
  return { quota: quota.id, status: 'matched', cell: cellKey(quota, categories), categories, target: cell.target };
}

/** One match per quota of the plan, in plan order. */
export function matchCells(plan: QuotaPlan, answers: Record<string, unknown>): CellMatch[] {
  const values = screeningValues(answers, deriveVariables(plan.survey, answers));
  return plan.quotas.map((q) => matchQuota(q, values));
}

/** Every cell of a plan with its key, in plan order: for progress tables that must list empty cells too. */
export function planCells(plan: QuotaPlan): Array<{ quota: string; cell: string; categories: Record<string, string>; target: number }> {
  return plan.quotas.flatMap((q) => q.cells.map((c) => ({ quota: q.id, cell: cellKey(q, c.categories), categories: c.categories, target: c.target })));
}
