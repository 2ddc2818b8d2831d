// The form's offline quota check and the server's cell matching are one rule (schemas/quota-cells.ts). Here both are
// run side by side on the same answers: with every cell of the plan marked full, the cells the form stops at must be
// exactly the cells the server matches. Named for what once differed: the form took "dk" and "ref" as categories
// and let an answer override a derived variable, the server did neither.
import { describe, expect, it } from 'vitest';
import { fullOffline, type QuotaStatus } from '../../../forms/app/quota-check.js';
import { deriveVariables } from '../../../schemas/derived.js';
import { generateResponses } from '../../../schemas/synthetic.js';
import { matchCells } from '../../../server/domain/quotas/matching.js';
import { makeQuotaPlan, type Quota, type QuotaPlan } from '../../../server/domain/quotas/plan.js';

const cells = (variable: string, codes: readonly string[]) => codes.map((c) => ({ categories: { [variable]: c }, target: 1 }));

const QUOTAS: Quota[] = [
  // Attitude items take don't know and refused; a cell named after them must never match (they are no category).
  { id: 'trust', variables: ['ps_trust_people'], cells: cells('ps_trust_people', ['most_can_be_trusted', 'need_to_be_careful', 'dk', 'ref']) },
  // Derived from answers that may be don't know: the income step and the material status.
  { id: 'ses', variables: ['ps_ses_group'], cells: cells('ps_ses_group', ['low', 'middle', 'high']) },
  {
    id: 'region_age', variables: ['ps_region', 'ps_age_band'],
    cells: ['akmola', 'almaty_city'].flatMap((r) => ['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus'].map((b) => ({ categories: { ps_region: r, ps_age_band: b }, target: 1 }))),
  },
  { id: 'ethnicity', variables: ['ps_ethnicity'], collapse: { ps_ethnicity: { uzbek: 'other', tatar: 'other' } }, cells: cells('ps_ethnicity', ['kazakh', 'russian', 'other']) },
];
const PLAN: QuotaPlan = { ...makeQuotaPlan('population', QUOTAS), policy: 'refuse' };
/** The plan as GET …/quotas/status would report it with every cell full. */
const ALL_FULL: QuotaStatus = {
  survey: 'population', version: PLAN.version, policy: 'refuse', at: '2026-12-07T00:00:00.000Z',
  quotas: PLAN.quotas.map((q) => ({ id: q.id, variables: q.variables, ...(q.collapse ? { collapse: q.collapse } : {}) })),
  full: PLAN.quotas.flatMap((q) => q.cells.map((c) => ({ quota: q.id, categories: c.categories }))),
};

const serverCells = (answers: Record<string, unknown>) => matchCells(PLAN, answers).flatMap((m) => (m.status === 'matched' ? [m.categories] : []));
// The population form bundle passes the survey's derived variables in, as here (server/http/pages.routes.ts).
const formCells = (answers: Record<string, unknown>) => fullOffline(ALL_FULL, answers, (a) => deriveVariables('population', a));

describe('form and server place a respondent in the same quota cells', () => {
  it.each([
    { description: "don't know is no category", answers: { ps_trust_people: 'dk', ps_region: 'akmola', ps_age_years: 30 }, cells: [{ ps_region: 'akmola', ps_age_band: '26_35' }] },
    { description: 'refused is no category', answers: { ps_trust_people: 'ref', ps_ethnicity: 'tatar' }, cells: [{ ps_ethnicity: 'other' }] },
    { description: 'a substantive answer is its category', answers: { ps_trust_people: 'need_to_be_careful' }, cells: [{ ps_trust_people: 'need_to_be_careful' }] },
    { description: 'a derived value is computed, whatever an answer of its name says', answers: { ps_region: 'almaty_city', ps_age_years: 70, ps_age_band: '18_25' }, cells: [{ ps_region: 'almaty_city', ps_age_band: '61_plus' }] },
    { description: "a derived value from a don't-know input (income step) and a material status", answers: { ps_income_step: 'dk', ps_material_status: 'food_only' }, cells: [{ ps_ses_group: 'low' }] },
    { description: "no derived value when every input is don't know or refused", answers: { ps_income_step: 'ref', ps_material_status: 'dk' }, cells: [] },
  ])('$description', ({ answers, cells: expected }) => {
    expect(serverCells(answers)).toEqual(expected);
    expect(formCells(answers)).toEqual(expected);
  });

  it('agrees on every synthetic respondent (special answers and derived values included)', () => {
    const sample = generateResponses('population', 400, { seed: 13 });
    // The sample must exercise what differed, or agreeing on it proves nothing.
    expect(sample.some((a) => a.ps_trust_people === 'dk' || a.ps_trust_people === 'ref')).toBe(true);
    expect(sample.some((a) => a.ps_income_step === 'dk' || a.ps_income_step === 'ref')).toBe(true);
    for (const answers of sample) expect(formCells(answers)).toEqual(serverCells(answers));
  });
});
