/**
 * Which cell of each quota a respondent falls in, from the screening answers (or a stored response's answers).
 * Derived variables are computed here through schemas/derived.ts, the one place that computes them, so screening
 * and counting can never band an age differently. A quota whose variables are not all answered is `missing`
 * (screening is incomplete); a respondent whose categories the quota does not list is `unmatched` (outside the
 * plan: the service decides whether that screens out).
 */
import { deriveVariables } from '../../../schemas/derived.js';
import { isSpecialAnswer } from '../../../schemas/keywords.js';
import { cellKey, type Quota, type QuotaCell, type QuotaPlan } from './plan.js';

export type CellMatch =
  | { quota: string; status: 'matched'; cell: string; categories: Record<string, string>; target: number }
  | { quota: string; status: 'missing'; variables: string[] }
  | { quota: string; status: 'unmatched'; categories: Record<string, string> };

/** Answers plus the derived variables computed from them. */
export function screeningValues(survey: QuotaPlan['survey'], answers: Record<string, unknown>): Record<string, unknown> {
  return { ...answers, ...deriveVariables(survey, answers) };
}

/** The category a value counts as on a quota variable; undefined when there is no substantive answer. */
export function categoryOf(quota: Pick<Quota, 'collapse'>, variable: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '' || isSpecialAnswer(value)) return undefined;
  const code = String(value);
  return quota.collapse?.[variable]?.[code] ?? code;
}

function sameCategories(cell: QuotaCell, categories: Record<string, string>, variables: string[]): boolean {
  return variables.every((v) => cell.categories[v] === categories[v]);
}

/** The match of one quota, given answers already enriched with derived variables. */
export function matchQuota(quota: Quota, values: Record<string, unknown>): CellMatch {
  const categories: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of quota.variables) {
    const category = categoryOf(quota, v, values[v]);
    if (category === undefined) missing.push(v);
    else categories[v] = category;
  }
  if (missing.length > 0) return { quota: quota.id, status: 'missing', variables: missing };
  const cell = quota.cells.find((c) => sameCategories(c, categories, quota.variables));
  if (!cell) return { quota: quota.id, status: 'unmatched', categories };
  return { quota: quota.id, status: 'matched', cell: cellKey(quota, categories), categories, target: cell.target };
}

/** One match per quota of the plan, in plan order. */
export function matchCells(plan: QuotaPlan, answers: Record<string, unknown>): CellMatch[] {
  const values = screeningValues(plan.survey, answers);
  return plan.quotas.map((q) => matchQuota(q, values));
}

/** Every cell of a plan with its key, in plan order: for progress tables that must list empty cells too. */
export function planCells(plan: QuotaPlan): Array<{ quota: string; cell: string; categories: Record<string, string>; target: number }> {
  return plan.quotas.flatMap((q) => q.cells.map((c) => ({ quota: q.id, cell: cellKey(q, c.categories), categories: c.categories, target: c.target })));
}
