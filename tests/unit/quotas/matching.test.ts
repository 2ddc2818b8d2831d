// Cell matching from screening answers (derived age bands included) and the checks a plan must pass.
import { describe, expect, it } from 'vitest';
import { cellKey, checkQuotaPlan, makeQuotaPlan, planSpace, type Quota, type QuotaPlan } from '../../../server/domain/quotas/plan.js';
import { categoryOf } from '../../../schemas/quota-cells.js';
import { matchCells, planCells } from '../../../server/domain/quotas/matching.js';

const ETHNICITY: Quota = {
  id: 'ethnicity',
  variables: ['ps_ethnicity'],
  collapse: { ps_ethnicity: { uzbek: 'other', tatar: 'other' } },
  cells: ['kazakh', 'russian', 'other'].map((e) => ({ categories: { ps_ethnicity: e }, target: 10 })),
};

const REGION_GENDER_AGE: Quota = {
  id: 'rga',
  variables: ['ps_region', 'ps_gender', 'ps_age_band'],
  cells: [
    { categories: { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '18_25' }, target: 3 },
    { categories: { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '61_plus' }, target: 1 },
    { categories: { ps_region: 'almaty_city', ps_gender: 'male', ps_age_band: '26_35' }, target: 4 },
  ],
};

const PLAN: QuotaPlan = makeQuotaPlan('population', [ETHNICITY, REGION_GENDER_AGE]);
const RGA_AKMOLA_YOUNG = cellKey(REGION_GENDER_AGE, { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '18_25' });

describe('matchCells', () => {
  it.each([
    {
      description: 'a respondent in a cell of every quota, the age band derived from the age',
      answers: { ps_ethnicity: 'kazakh', ps_region: 'akmola', ps_gender: 'female', ps_age_years: 25 },
      expected: [
        { quota: 'ethnicity', status: 'matched', cell: 'ethnicity:ps_ethnicity=kazakh', categories: { ps_ethnicity: 'kazakh' }, target: 10 },
        { quota: 'rga', status: 'matched', cell: RGA_AKMOLA_YOUNG, categories: { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '18_25' }, target: 3 },
      ],
    },
    {
      description: 'a collapsed code counts in its category, and 61 is "over 60"',
      answers: { ps_ethnicity: 'uzbek', ps_region: 'akmola', ps_gender: 'female', ps_age_years: 61 },
      expected: [
        { quota: 'ethnicity', status: 'matched', cell: 'ethnicity:ps_ethnicity=other', categories: { ps_ethnicity: 'other' }, target: 10 },
        { quota: 'rga', status: 'matched', cell: cellKey(REGION_GENDER_AGE, { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '61_plus' }), categories: { ps_region: 'akmola', ps_gender: 'female', ps_age_band: '61_plus' }, target: 1 },
      ],
    },
    {
      description: 'screening not finished: unanswered, refused or too young to have a band',
      answers: { ps_ethnicity: 'ref', ps_region: 'akmola', ps_age_years: 17 },
      expected: [
        { quota: 'ethnicity', status: 'missing', variables: ['ps_ethnicity'] },
        { quota: 'rga', status: 'missing', variables: ['ps_gender', 'ps_age_band'] },
      ],
    },
    {
      description: 'categories the plan does not list are unmatched',
      answers: { ps_ethnicity: 'german', ps_region: 'astana_city', ps_gender: 'male', ps_age_years: 30 },
      expected: [
        { quota: 'ethnicity', status: 'unmatched', categories: { ps_ethnicity: 'german' } },
        { quota: 'rga', status: 'unmatched', categories: { ps_region: 'astana_city', ps_gender: 'male', ps_age_band: '26_35' } },
      ],
    },
  ])('$description', ({ answers, expected }) => {
    expect(matchCells(PLAN, answers)).toEqual(expected);
  });

  it('uses a given derived value when the age itself is not asked at screening', () => {
    const [, rga] = matchCells(PLAN, { ps_region: 'almaty_city', ps_gender: 'male', ps_age_band: '26_35' });
    expect(rga).toMatchObject({ status: 'matched', target: 4 });
  });

  it.each([
    [undefined, undefined], [null, undefined], ['', undefined], ['dk', undefined], ['ref', undefined], ['tatar', 'other'], [true, 'true'], [3, '3'],
  ])('categoryOf(%j) is %j', (value, expected) => {
    expect(categoryOf(ETHNICITY, 'ps_ethnicity', value)).toBe(expected);
  });

  it('lists every cell of a plan with its key, in plan order', () => {
    expect(planCells(PLAN).map((c) => [c.quota, c.cell, c.target])).toEqual([
      ['ethnicity', 'ethnicity:ps_ethnicity=kazakh', 10], ['ethnicity', 'ethnicity:ps_ethnicity=russian', 10], ['ethnicity', 'ethnicity:ps_ethnicity=other', 10],
      ['rga', RGA_AKMOLA_YOUNG, 3], ['rga', 'rga:ps_region=akmola&ps_gender=female&ps_age_band=61_plus', 1], ['rga', 'rga:ps_region=almaty_city&ps_gender=male&ps_age_band=26_35', 4],
    ]);
  });

  it('keys cells unambiguously whatever the characters in ids and categories', () => {
    const a = cellKey({ id: 'q', variables: ['v', 'w'] }, { v: 'a&w=b', w: 'c' });
    const b = cellKey({ id: 'q', variables: ['v', 'w'] }, { v: 'a', w: 'b&w=c' });
    expect(a).not.toBe(b);
    expect(planSpace({ survey: 'population', version: 3 })).toBe('population@3');
  });
});

describe('checkQuotaPlan', () => {
  it('accepts a sound plan', () => {
    expect(checkQuotaPlan(PLAN)).toEqual([]);
  });

  const cell = (categories: Record<string, string>, target = 1) => ({ categories, target });
  it.each([
    { description: 'an unknown variable', patch: { quotas: [{ id: 'x', variables: ['ps_shoe_size'], cells: [cell({ ps_shoe_size: '42' })] }] }, path: '/quotas/0/variables/0', message: /not an item or derived variable/ },
    { description: 'an unknown category', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [cell({ ps_gender: 'other' })] }] }, path: '/quotas/0/cells/0/categories/ps_gender', message: /not a category of ps_gender/ },
    { description: 'an unknown derived category', patch: { quotas: [{ id: 'x', variables: ['ps_age_band'], cells: [cell({ ps_age_band: '60_plus' })] }] }, path: '/quotas/0/cells/0/categories/ps_age_band', message: /not a category/ },
    { description: 'a cell without a category of every variable', patch: { quotas: [{ id: 'x', variables: ['ps_gender', 'ps_region'], cells: [cell({ ps_gender: 'male' })] }] }, path: '/quotas/0/cells/0/categories', message: /no category for ps_region/ },
    { description: 'a cell naming another variable', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [cell({ ps_gender: 'male', ps_region: 'akmola' })] }] }, path: '/quotas/0/cells/0/categories', message: /not variables of this quota: ps_region/ },
    { description: 'a negative target', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [cell({ ps_gender: 'male' }, -1)] }] }, path: '/quotas/0/cells/0/target', message: /whole number/ },
    { description: 'a fractional target', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [cell({ ps_gender: 'male' }, 1.5)] }] }, path: '/quotas/0/cells/0/target', message: /whole number/ },
    { description: 'a cell listed twice', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [cell({ ps_gender: 'male' }), cell({ ps_gender: 'male' })] }] }, path: '/quotas/0/cells/1', message: /twice/ },
    { description: 'a quota id used twice', patch: { quotas: [ETHNICITY, { ...ETHNICITY }] }, path: '/quotas/1/id', message: /used twice/ },
    { description: 'a quota without cells', patch: { quotas: [{ id: 'x', variables: ['ps_gender'], cells: [] }] }, path: '/quotas/0/cells', message: /at least one cell/ },
    { description: 'a collapse of a variable not in the quota', patch: { quotas: [{ ...ETHNICITY, collapse: { ps_region: { a: 'b' } } }] }, path: '/quotas/0/collapse/ps_region', message: /not a variable/ },
    { description: 'a dotted code in a collapse (issue 14)', patch: { quotas: [{ ...ETHNICITY, collapse: { ps_ethnicity: { 'uz.bek': 'other' } } }] }, path: '/quotas/0/collapse/ps_ethnicity/uz.bek', message: /uz\.bek is not a code of ps_ethnicity/ },
    { description: 'a collapsed code the variable does not have', patch: { quotas: [{ ...ETHNICITY, collapse: { ps_ethnicity: { martian: 'other' } } }] }, path: '/quotas/0/collapse/ps_ethnicity/martian', message: /martian is not a code/ },
    { description: 'a collapse of an item without codes', patch: { quotas: [{ id: 'age', variables: ['ps_age_years'], collapse: { ps_age_years: { '18': 'young' } }, cells: [cell({ ps_age_years: 'young' })] }] }, path: '/quotas/0/collapse/ps_age_years', message: /no answer codes/ },
    { description: 'rejected responses counting', patch: { countStatuses: ['submitted', 'rejected'] }, path: '/countStatuses/1', message: /never count/ },
    { description: 'no status counting', patch: { countStatuses: [] }, path: '/countStatuses', message: /every reader counts submitted, approved, has_issues/ },
    { description: 'a plan narrowing the counting policy (has_issues left out)', patch: { countStatuses: ['submitted', 'approved'] }, path: '/countStatuses', message: /cannot count other statuses/ },
    { description: 'an unknown policy', patch: { policy: 'ignore' }, path: '/policy', message: /refuse, flag/ },
    { description: 'version 0', patch: { version: 0 }, path: '/version', message: /1 or more/ },
  ])('reports $description', ({ patch, path, message }) => {
    const errors = checkQuotaPlan({ ...PLAN, ...patch } as QuotaPlan);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message).toMatch(message);
  });

  it('accepts a collapsed category that is not itself a code, and open codes of a non-choice item', () => {
    const quotas: Quota[] = [
      { id: 'eth', variables: ['ps_ethnicity'], collapse: { ps_ethnicity: { uzbek: 'central_asian', uighur: 'central_asian' } }, cells: [cell({ ps_ethnicity: 'central_asian' })] },
      { id: 'age', variables: ['ps_age_years'], cells: [cell({ ps_age_years: '18' })] },
    ];
    expect(checkQuotaPlan(makeQuotaPlan('population', quotas, { policy: 'flag', countStatuses: ['has_issues', 'approved', 'submitted'] }))).toEqual([]);
  });
});
