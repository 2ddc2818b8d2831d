/**
 * Derived variables are computed from the answers, never entered: this is the one function that computes them,
 * declared next to the schemas (`$defs.derived` of the population questionnaire describes their codes).
 */
import type { SurveyId } from './surveys.js';

export type AgeBand = '18_25' | '26_35' | '36_45' | '46_55' | '56_60' | '61_plus';
export type SesGroup = 'low' | 'middle' | 'high';

export interface PopulationDerived {
  ps_age_band?: AgeBand;
  ps_ses_group?: SesGroup;
}

/** The age bands of the report's Table A7.1; "over 60" is 61 and older. */
const AGE_BANDS: ReadonlyArray<readonly [number, AgeBand]> = [
  [25, '18_25'], [35, '26_35'], [45, '36_45'], [55, '46_55'], [60, '56_60'],
];

export function ageBand(age: number): AgeBand | undefined {
  if (!Number.isInteger(age) || age < 18) return undefined;
  return AGE_BANDS.find(([upper]) => age <= upper)?.[1] ?? '61_plus';
}

const LOW_MATERIAL = new Set(['not_enough_for_food', 'food_only']);

/**
 * Socio-economic status, the data dictionary's default (marked U): low when the household places itself at 1-3
 * on the income ladder or cannot afford more than food; high at 8-10; middle otherwise. Unknown when neither
 * input has a substantive answer.
 */
export function sesGroup(incomeStep: unknown, materialStatus: unknown): SesGroup | undefined {
  const step = typeof incomeStep === 'number' ? incomeStep : undefined;
  const material = typeof materialStatus === 'string' && materialStatus !== 'dk' && materialStatus !== 'ref' ? materialStatus : undefined;
  if ((step !== undefined && step <= 3) || (material !== undefined && LOW_MATERIAL.has(material))) return 'low';
  if (step !== undefined && step >= 8) return 'high';
  if (step === undefined && material === undefined) return undefined;
  return 'middle';
}

export function derivePopulation(answers: Record<string, unknown>): PopulationDerived {
  const out: PopulationDerived = {};
  const band = typeof answers.ps_age_years === 'number' ? ageBand(answers.ps_age_years) : undefined;
  if (band) out.ps_age_band = band;
  const ses = sesGroup(answers.ps_income_step, answers.ps_material_status);
  if (ses) out.ps_ses_group = ses;
  return out;
}

/** The derived variables of any survey's answers (only the population survey has any). */
export function deriveVariables(survey: SurveyId, answers: Record<string, unknown>): Record<string, unknown> {
  return survey === 'population' ? { ...derivePopulation(answers) } : {};
}
