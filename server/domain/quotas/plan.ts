/**
 * Quota plans: what a coordinator sets for a survey. A plan holds any number of quotas; each quota is on one
 * variable (marginal, e.g. ethnicity) or on several (interlocking, e.g. region x gender x age band) and lists its
 * cells with a target each. A respondent falls in at most one cell of every quota, so screening claims one slot per
 * quota. Variables may be derived ones (`ps_age_band`): matching reads the answers and schemas/derived.ts.
 *
 * A cell is addressed by a key built from the quota id and its categories, stable across plan edits, so the
 * store's slots and the dashboard can refer to a cell without the plan at hand.
 */
import { RESPONSE_STATUSES, type ResponseStatus } from '../../../schemas/api.js';
import type { QuotaPlanRule, RuleParams } from '../../../schemas/quota-plan-rules.js';
import { isKnownVariable, variableCodes } from '../../../schemas/survey-definition.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import { COUNTED_STATUSES, counts } from '../counting.js';

/** `refuse`: a full cell closes screening. `flag`: accept and mark the response over quota. */
export type QuotaPolicy = 'refuse' | 'flag';
export const QUOTA_POLICIES: readonly QuotaPolicy[] = ['refuse', 'flag'];


export interface QuotaCell {
  /** Category of each of the quota's variables, e.g. `{ps_region: 'akmola', ps_gender: 'female'}`. */
  categories: Record<string, string>;
  target: number;
}

export interface Quota {
  id: string;
  label?: string;
  /** One variable (marginal) or several (interlocking), in the order cells are keyed. */
  variables: string[];
  /** Answer codes counted as another category, per variable: `{ps_ethnicity: {uzbek: 'other'}}`. */
  collapse?: Record<string, Record<string, string>>;
  cells: QuotaCell[];
}

export interface QuotaPlan {
  survey: SurveyId;
  /** Bumped on every replacement: the store keys slots by plan version, so a new plan starts a new key space. */
  version: number;
  policy: QuotaPolicy;
  /** Statuses of responses that count as achieved (default submitted and approved). */
  countStatuses: ResponseStatus[];
  quotas: Quota[];
}

export interface PlanError {
  /** JSON pointer into the plan. */
  path: string;
  message: string;
  /** The variable the error is about, when the path does not end in it. */
  item?: string;
  /** The rule broken (schemas/quota-plan-rules.ts), and what pages need to word it. */
  keyword: QuotaPlanRule;
  params?: RuleParams;
}

const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The cell key: quota id and categories in variable order, each part URI-encoded so no separator is ambiguous. */
export function cellKey(quota: Pick<Quota, 'id' | 'variables'>, categories: Record<string, string>): string {
  const parts = quota.variables.map((v) => `${encodeURIComponent(v)}=${encodeURIComponent(categories[v] ?? '')}`);
  return `${encodeURIComponent(quota.id)}:${parts.join('&')}`;
}

/** The store's key space for a plan version: slots of an older version are never counted again. */
export function planSpace(plan: Pick<QuotaPlan, 'survey' | 'version'>): string {
  return `${plan.survey}@${plan.version}`;
}

/** A plan's quota id for its variables, when none is given (CSV import, allocation). */
export function defaultQuotaId(variables: readonly string[]): string {
  return variables.join('*');
}

/**
 * A plan's `countStatuses` can only restate the counting policy (domain/counting.ts): which responses count is one
 * decision for quotas, fieldwork and the estimates alike, so a plan that narrowed it would make the quota progress
 * disagree with the tallies. The field stays in the plan so plans stored and sent before remain readable.
 */
function checkStatuses(statuses: readonly ResponseStatus[]): PlanError[] {
  const errors: PlanError[] = [];
  statuses.forEach((s, i) => {
    if (!(RESPONSE_STATUSES as readonly string[]).includes(s)) errors.push({ path: `/countStatuses/${i}`, keyword: 'unknownStatus', params: { status: s }, message: `unknown status ${s}` });
    else if (!counts(s)) errors.push({ path: `/countStatuses/${i}`, keyword: 'statusNeverCounts', params: { status: s }, message: `${s} responses never count` });
  });
  const same = statuses.length === COUNTED_STATUSES.length && COUNTED_STATUSES.every((s) => statuses.includes(s));
  if (errors.length === 0 && !same) {
    errors.push({ path: '/countStatuses', keyword: 'countingPolicy', message: `every reader counts ${COUNTED_STATUSES.join(', ')}: a plan cannot count other statuses` });
  }
  return errors;
}

/** Categories a variable's cells may use: its codes after collapsing, or anything when the codes are open. */
function allowedCategories(survey: SurveyId, quota: Quota, variable: string): Set<string> | null {
  const codes = variableCodes(survey, variable);
  if (!codes) return null;
  const collapse = quota.collapse?.[variable] ?? {};
  return new Set(codes.map((c) => collapse[c] ?? c));
}

function checkVariables(survey: SurveyId, quota: Quota, at: string): PlanError[] {
  const errors: PlanError[] = [];
  if (quota.variables.length === 0) errors.push({ path: `${at}/variables`, keyword: 'noVariables', message: 'a quota needs at least one variable' });
  if (new Set(quota.variables).size !== quota.variables.length) errors.push({ path: `${at}/variables`, keyword: 'variableTwice', message: 'a variable is listed twice' });
  quota.variables.forEach((v, i) => {
    if (!isKnownVariable(survey, v)) errors.push({ path: `${at}/variables/${i}`, keyword: 'unknownVariable', params: { variable: v }, message: `${v} is not an item or derived variable of the ${survey} survey` });
  });
  for (const [v, mapping] of Object.entries(quota.collapse ?? {})) {
    if (!quota.variables.includes(v)) {
      errors.push({ path: `${at}/collapse/${pointer(v)}`, keyword: 'collapseNotVariable', params: { variable: v }, message: `${v} is not a variable of this quota` });
      continue;
    }
    errors.push(...checkCollapse(survey, v, mapping, `${at}/collapse/${pointer(v)}`));
  }
  return errors;
}

/**
 * A collapse maps answer codes of the variable to a category (uzbek -> other, or a new group such as central_asian):
 * the codes must be the variable's own. Checked here rather than trusted, because a code is stored as a key of the plan document, and a key
 * like `a.b` is refused by MongoDB-compatible stores while the embedded one would keep a mapping nothing matches.
 */
function checkCollapse(survey: SurveyId, variable: string, mapping: Record<string, string>, at: string): PlanError[] {
  const codes = isKnownVariable(survey, variable) ? variableCodes(survey, variable) : null;
  if (!codes) return isKnownVariable(survey, variable) ? [{ path: at, item: variable, keyword: 'collapseNoCodes', params: { variable }, message: `${variable} has no answer codes to collapse` }] : [];
  const errors: PlanError[] = [];
  for (const [code, into] of Object.entries(mapping)) {
    if (!codes.includes(code)) errors.push({ path: `${at}/${pointer(code)}`, item: variable, keyword: 'collapseUnknownCode', params: { code, variable }, message: `${code} is not a code of ${variable}` });
    if (into === '') errors.push({ path: `${at}/${pointer(code)}`, item: variable, keyword: 'collapseEmpty', params: { code, variable }, message: `${code} is collapsed into an empty category` });
  }
  return errors;
}

function checkCell(survey: SurveyId, quota: Quota, cell: QuotaCell, at: string): PlanError[] {
  const errors: PlanError[] = [];
  if (!Number.isInteger(cell.target) || cell.target < 0) errors.push({ path: `${at}/target`, keyword: 'target', message: 'a target is a whole number, 0 or more' });
  const extra = Object.keys(cell.categories).filter((v) => !quota.variables.includes(v));
  if (extra.length > 0) errors.push({ path: `${at}/categories`, keyword: 'extraCategories', params: { extra: extra.join(', ') }, message: `not variables of this quota: ${extra.join(', ')}` });
  for (const v of quota.variables) {
    const category = cell.categories[v];
    if (category === undefined) {
      errors.push({ path: `${at}/categories`, item: v, keyword: 'noCategory', params: { variable: v }, message: `no category for ${v}` });
      continue;
    }
    const allowed = isKnownVariable(survey, v) ? allowedCategories(survey, quota, v) : null;
    if (allowed && !allowed.has(category)) errors.push({ path: `${at}/categories/${v}`, keyword: 'unknownCategory', params: { category, variable: v }, message: `${category} is not a category of ${v}` });
  }
  return errors;
}

function checkQuota(survey: SurveyId, quota: Quota, at: string): PlanError[] {
  const errors = checkVariables(survey, quota, at);
  if (quota.cells.length === 0) errors.push({ path: `${at}/cells`, keyword: 'noCells', message: 'a quota needs at least one cell' });
  const seen = new Set<string>();
  quota.cells.forEach((cell, i) => {
    errors.push(...checkCell(survey, quota, cell, `${at}/cells/${i}`));
    const key = cellKey(quota, cell.categories);
    if (seen.has(key)) errors.push({ path: `${at}/cells/${i}`, keyword: 'duplicateCell', message: 'the same cell is listed twice' });
    seen.add(key);
  });
  return errors;
}

/**
 * What is wrong with a plan, beyond its JSON shape (the API schema checks that): unknown variables or categories,
 * duplicate quotas or cells, targets that are not whole numbers, statuses that can never count. Empty when sound.
 */
export function checkQuotaPlan(plan: QuotaPlan): PlanError[] {
  const errors: PlanError[] = [];
  if (!QUOTA_POLICIES.includes(plan.policy)) errors.push({ path: '/policy', keyword: 'policy', message: `policy is one of ${QUOTA_POLICIES.join(', ')}` });
  if (!Number.isInteger(plan.version) || plan.version < 1) errors.push({ path: '/version', keyword: 'version', message: 'version is a whole number, 1 or more' });
  errors.push(...checkStatuses(plan.countStatuses));
  const ids = new Set<string>();
  plan.quotas.forEach((quota, i) => {
    if (ids.has(quota.id)) errors.push({ path: `/quotas/${i}/id`, keyword: 'quotaIdTwice', params: { quota: quota.id }, message: `quota id ${quota.id} is used twice` });
    ids.add(quota.id);
    errors.push(...checkQuota(plan.survey, quota, `/quotas/${i}`));
  });
  return errors;
}

/** A plan with the defaults filled in: version 1, policy refuse, the statuses the counting policy counts. */
export function makeQuotaPlan(survey: SurveyId, quotas: Quota[], options: { policy?: QuotaPolicy; countStatuses?: ResponseStatus[]; version?: number } = {}): QuotaPlan {
  return {
    survey,
    version: options.version ?? 1,
    policy: options.policy ?? 'refuse',
    countStatuses: options.countStatuses ?? [...COUNTED_STATUSES],
    quotas,
  };
}

/** The total of a quota's targets (each quota of a national plan usually sums to the sample size). */
export function quotaTotal(quota: Quota): number {
  return quota.cells.reduce((sum, c) => sum + c.target, 0);
}
