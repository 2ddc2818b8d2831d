/**
 * What the items of a survey mean to the system, read once from the questionnaire's annotations: which item places
 * a response in a region (and scopes coordinators), which names the interviewer (hidden from analysts), which is
 * the respondent's key (import ids), when the interview happened, and which derived variables exist with their
 * codes. Services, the form and the dashboards ask here instead of keeping their own lists of item ids, so a
 * questionnaire that gains a role (or a version that moves one) changes one JSON file.
 *
 * Roles are `x-csi-role` on the item; derived variables are the properties of the questionnaire's `$defs.derived`
 * (their codes are its enum, their export codes `x-csi-codes`). Read lazily, per survey: a form bundle carries only
 * its own questionnaire (the others are empty objects there), so nothing here may walk every survey at load.
 */
import { itemsOf } from './items.js';
import { questionnaires, type SchemaObject, type SurveyId } from './surveys.js';

export const ITEM_ROLES = ['region', 'interviewer', 'respondent-key', 'interview-date'] as const;
export type ItemRole = (typeof ITEM_ROLES)[number];

export interface DerivedVariable {
  id: string;
  /** The codes it takes, in order. */
  codes: string[];
  /** Numeric export code of each code. */
  numericCodes: Record<string, number>;
  measure: 'nominal' | 'ordinal';
  /** Indicator ids it feeds. */
  feeds: string[];
}

export interface SurveyDefinition {
  survey: SurveyId;
  /** The choice item whose code is the response's region: every survey has one, since coordinators are scoped by region. */
  region: string;
  /** Items that identify who conducted the interview. */
  interviewers: readonly string[];
  /** The item that identifies the respondent (or organisation, or expert) across re-entries of a paper form. */
  respondentKey: string | null;
  /** The date the interview took place, as the form records it. */
  interviewDate: string | null;
  derived: readonly DerivedVariable[];
}

const isRole = (value: unknown): value is ItemRole => (ITEM_ROLES as readonly unknown[]).includes(value);

function derivedOf(survey: SurveyId): DerivedVariable[] {
  const node = questionnaires[survey].$defs?.derived as { properties?: Record<string, SchemaObject> } | undefined;
  return Object.entries(node?.properties ?? {}).map(([id, v]) => ({
    id,
    codes: (v.enum ?? []).map(String),
    numericCodes: v['x-csi-codes'] ?? {},
    measure: v['x-csi-measure'] === 'ordinal' ? 'ordinal' : 'nominal',
    feeds: v['x-csi-feeds'] ?? [],
  }));
}

/** Reads and checks the roles: a role nobody understands, or two regions, is a schema error found at first use. */
function define(survey: SurveyId): SurveyDefinition {
  const byRole = new Map<ItemRole, string[]>(ITEM_ROLES.map((r) => [r, []]));
  for (const item of itemsOf(survey)) {
    const role = questionnaires[survey].properties[item.id]?.['x-csi-role'];
    if (role === undefined) continue;
    if (!isRole(role)) throw new Error(`${survey}: ${item.id} has an unknown x-csi-role "${String(role)}" (known: ${ITEM_ROLES.join(', ')})`);
    if (role === 'region' && item.kind !== 'choice') throw new Error(`${survey}: the region item ${item.id} must be a choice item`);
    byRole.get(role)?.push(item.id);
  }
  const single = (role: ItemRole): string | null => {
    const ids = byRole.get(role) ?? [];
    if (ids.length > 1) throw new Error(`${survey}: more than one item has x-csi-role "${role}": ${ids.join(', ')}`);
    return ids[0] ?? null;
  };
  const region = single('region');
  if (region === null) throw new Error(`${survey}: no item has x-csi-role "region" (responses and coordinators are scoped by it)`);
  return {
    survey,
    region,
    interviewers: byRole.get('interviewer') ?? [],
    respondentKey: single('respondent-key'),
    interviewDate: single('interview-date'),
    derived: derivedOf(survey),
  };
}

const cache = new Map<SurveyId, SurveyDefinition>();

export function surveyDefinition(survey: SurveyId): SurveyDefinition {
  let hit = cache.get(survey);
  if (!hit) {
    hit = define(survey);
    cache.set(survey, hit);
  }
  return hit;
}

export const regionItem = (survey: SurveyId): string => surveyDefinition(survey).region;
export const interviewerItems = (survey: SurveyId): readonly string[] => surveyDefinition(survey).interviewers;
export const respondentKey = (survey: SurveyId): string | null => surveyDefinition(survey).respondentKey;
export const interviewDateItem = (survey: SurveyId): string | null => surveyDefinition(survey).interviewDate;
export const derivedVariables = (survey: SurveyId): readonly DerivedVariable[] => surveyDefinition(survey).derived;

export function derivedVariable(survey: SurveyId, id: string): DerivedVariable | undefined {
  return derivedVariables(survey).find((d) => d.id === id);
}

/** The region a response's answers place it in; null while unanswered. */
export function regionOf(survey: SurveyId, answers: Record<string, unknown>): string | null {
  const value = answers[regionItem(survey)];
  return typeof value === 'string' ? value : null;
}

/** Whether a variable is an item or a derived variable of the survey. */
export function isKnownVariable(survey: SurveyId, variable: string): boolean {
  return itemsOf(survey).some((i) => i.id === variable) || derivedVariable(survey, variable) !== undefined;
}

/** Codes a variable can take: a choice item's codes, or a derived variable's. Null when unknown or not coded. */
export function variableCodes(survey: SurveyId, variable: string): string[] | null {
  const item = itemsOf(survey).find((i) => i.id === variable);
  if (item) return item.kind === 'choice' ? item.codes.map(String) : null;
  return derivedVariable(survey, variable)?.codes ?? null;
}
