// The screening decision from matches and claim outcomes, under each policy.
import { describe, expect, it } from 'vitest';
import { matchCells } from '../../../server/domain/quotas/matching.js';
import { makeQuotaPlan, type Quota, type QuotaPolicy } from '../../../server/domain/quotas/plan.js';
import { cellsToClaim, decideScreening } from '../../../server/domain/quotas/screening.js';

const gender: Quota = { id: 'g', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 1 }, { categories: { ps_gender: 'female' }, target: 1 }] };
const age: Quota = { id: 'a', variables: ['ps_age_band'], cells: [{ categories: { ps_age_band: '18_25' }, target: 1 }] };
const plan = makeQuotaPlan('population', [gender, age]);
const MALE = 'g:ps_gender=male';
const YOUNG = 'a:ps_age_band=18_25';

describe('decideScreening', () => {
  it.each<{ description: string; policy: QuotaPolicy; answers: Record<string, unknown>; claimed: Array<[string, boolean]>; decision: string; statuses: string[]; overQuota: string[] }>([
    { description: 'every cell open', policy: 'refuse', answers: { ps_gender: 'male', ps_age_years: 20 }, claimed: [[MALE, true], [YOUNG, true]], decision: 'open', statuses: ['open', 'open'], overQuota: [] },
    { description: 'one cell full closes screening under refuse', policy: 'refuse', answers: { ps_gender: 'male', ps_age_years: 20 }, claimed: [[MALE, true], [YOUNG, false]], decision: 'full', statuses: ['open', 'full'], overQuota: ['a'] },
    { description: 'one cell full is over quota under flag', policy: 'flag', answers: { ps_gender: 'male', ps_age_years: 20 }, claimed: [[MALE, true], [YOUNG, false]], decision: 'open', statuses: ['open', 'full'], overQuota: ['a'] },
    { description: 'outside the plan counts as full under refuse', policy: 'refuse', answers: { ps_gender: 'male', ps_age_years: 40 }, claimed: [[MALE, true]], decision: 'full', statuses: ['open', 'outside'], overQuota: ['a'] },
    { description: 'outside the plan is over quota under flag', policy: 'flag', answers: { ps_gender: 'male', ps_age_years: 40 }, claimed: [[MALE, true]], decision: 'open', statuses: ['open', 'outside'], overQuota: ['a'] },
  ])('$description', ({ policy, answers, claimed, decision, statuses, overQuota }) => {
    const result = decideScreening(policy, matchCells(plan, answers), new Map(claimed));
    expect(result.decision).toBe(decision);
    expect(result.cells.map((c) => c.status)).toEqual(statuses);
    expect(result.overQuota).toEqual(overQuota);
  });

  it('claims nothing and lists what is missing when screening is incomplete', () => {
    const matches = matchCells(plan, { ps_gender: 'male' });
    expect(cellsToClaim(matches)).toEqual([]);
    expect(decideScreening('refuse', matches, new Map())).toEqual({ decision: 'incomplete', cells: [], missing: [{ quota: 'a', variables: ['ps_age_band'] }], overQuota: [] });
  });

  it('claims only matched cells', () => {
    expect(cellsToClaim(matchCells(plan, { ps_gender: 'female', ps_age_years: 70 })).map((m) => m.cell)).toEqual(['g:ps_gender=female']);
  });
});
