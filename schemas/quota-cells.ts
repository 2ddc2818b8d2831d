/**
 * Which cell of a quota a respondent falls in: the one rule the server (screening, counting, progress) and the
 * interviewer's form (screening offline against the last synced quota status) both apply, so the form can never
 * stop an interview the server would take, or let through one it would refuse. Derived variables (schemas/derived.ts)
 * are passed in rather than computed here: a form bundle carries only its own survey's code, and the population
 * rules name population items. They win over any answer of the same name (answers never carry them). Don't know,
 * refused and blanks are no category at all (the variable is missing), never a category named "dk".
 */
import { isSpecialAnswer } from './keywords.js';

/** What matching needs of a quota: its variables and how their codes collapse (the plan's cells are elsewhere). */
export interface QuotaVariables {
  id: string;
  variables: readonly string[];
  /** Answer codes counted as another category, per variable: `{ps_ethnicity: {uzbek: 'other'}}`. */
  collapse?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Answers plus the derived variables computed from them (`deriveVariables(survey, answers)`). */
export function screeningValues(answers: Readonly<Record<string, unknown>>, derived: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...answers, ...derived };
}

/** The category a value counts as on a quota variable; undefined when there is no substantive answer. */
export function categoryOf(quota: Pick<QuotaVariables, 'collapse'>, variable: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '' || isSpecialAnswer(value)) return undefined;
  const code = String(value);
  return quota.collapse?.[variable]?.[code] ?? code;
}

/** The respondent's category on each variable of a quota, and the variables without one. */
export function quotaCategories(quota: QuotaVariables, values: Readonly<Record<string, unknown>>): { categories: Record<string, string>; missing: string[] } {
  const categories: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of quota.variables) {
    const category = categoryOf(quota, v, values[v]);
    if (category === undefined) missing.push(v);
    else categories[v] = category;
  }
  return { categories, missing };
}

/** Whether a cell with these categories is the respondent's cell of the quota (every variable answered and equal). */
export function sameCell(quota: QuotaVariables, cell: Readonly<Record<string, string>>, categories: Readonly<Record<string, string>>): boolean {
  return quota.variables.every((v) => categories[v] !== undefined && cell[v] === categories[v]);
}
