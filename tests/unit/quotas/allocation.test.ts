// The allocation helper: proportional targets by largest remainder that always sum to the total, a minimum per cell,
// interlocking cells from the product of margins or from a joint table. Expected plans are worked out by hand below.
import { describe, expect, it } from 'vitest';
import {
  AllocationError, allocateFromJoint, allocateFromMargins, allocateProportional, productOfMargins, shareVariables,
} from '../../../server/domain/quotas/allocation.js';
import { checkQuotaPlan, makeQuotaPlan, quotaTotal } from '../../../server/domain/quotas/plan.js';
import { KAZAKHSTAN_2009_MARGINS } from '../../../server/domain/weighting/margins.js';

/** Table A7.1 of the report: the achieved sample's age structure, used as the plan's shares. */
const REPORT_AGE_BANDS = { '18_25': 20.0, '26_35': 31.7, '36_45': 21.7, '46_55': 16.4, '56_60': 5.2, '61_plus': 5.0 };

describe('allocateProportional', () => {
  // 542 interviews over the report's age bands (Table A7.1), by hand:
  //   band     share  exact quota        floor  remainder
  //   18_25    20.0   542 x .200 = 108.400  108   .400
  //   26_35    31.7   542 x .317 = 171.814  171   .814  (+1, 2nd largest)
  //   36_45    21.7   542 x .217 = 117.614  117   .614  (+1, 3rd largest)
  //   46_55    16.4   542 x .164 =  88.888   88   .888  (+1, largest)
  //   56_60     5.2   542 x .052 =  28.184   28   .184
  //   61_plus   5.0   542 x .050 =  27.100   27   .100
  //   floors sum to 539: the 3 left go to the three largest remainders -> 108, 172, 118, 89, 28, 27 = 542.
  it('reproduces the hand-checked plan of 542 interviews over the report age bands', () => {
    const quota = allocateFromMargins([{ variable: 'ps_age_band', shares: REPORT_AGE_BANDS }], { total: 542 });
    expect(quota.id).toBe('ps_age_band');
    expect(quota.cells).toEqual([
      { categories: { ps_age_band: '18_25' }, target: 108 },
      { categories: { ps_age_band: '26_35' }, target: 172 },
      { categories: { ps_age_band: '36_45' }, target: 118 },
      { categories: { ps_age_band: '46_55' }, target: 89 },
      { categories: { ps_age_band: '56_60' }, target: 28 },
      { categories: { ps_age_band: '61_plus' }, target: 27 },
    ]);
    expect(quotaTotal(quota)).toBe(542);
    expect(checkQuotaPlan(makeQuotaPlan('population', [quota]))).toEqual([]);
  });

  it.each([
    { description: 'exact quotas stay exact despite binary fractions', total: 100, shares: [7, 93], minimum: 0, expected: [7, 93] },
    { description: 'shares in any unit: counts work as well as percentages', total: 10, shares: [300, 100, 100], minimum: 0, expected: [6, 2, 2] },
    { description: 'a tie in remainders goes to the larger exact quota', total: 4, shares: [1.5, 2.5], minimum: 0, expected: [1, 3] },
    { description: 'equal ties go to the cell listed first', total: 2, shares: [1, 1, 1], minimum: 0, expected: [1, 1, 0] },
    { description: 'zero shares get nothing without a minimum', total: 5, shares: [1, 0, 1], minimum: 0, expected: [3, 0, 2] },
    { description: 'a zero share gets the minimum', total: 10, shares: [1, 0, 1], minimum: 2, expected: [4, 2, 4] },
    { description: 'total 0', total: 0, shares: [1, 2], minimum: 0, expected: [0, 0] },
    { description: 'the minimum equals the total per cell', total: 6, shares: [5, 1, 0], minimum: 2, expected: [2, 2, 2] },
  ])('$description', ({ total, shares, minimum, expected }) => {
    const result = allocateProportional(total, shares, minimum);
    expect(result).toEqual(expected);
    expect(result.reduce((a, b) => a + b, 0)).toBe(total);
  });

  // Ethnicity, 2009 census shares (data dictionary 4.2), 542 interviews, at least 20 per group, by hand:
  //   proportional quotas: ukrainian 11.38, uighur 7.59, german 5.96, korean 3.52 are below 20 -> fixed at 20 (80).
  //   462 left over kazakh 63.1, russian 23.7, other 7.95 (sum 94.75): 307.675, 115.561, 38.764, all >= 20.
  //   floors 307 + 115 + 38 = 460; 2 left to the largest remainders, other (.764) and kazakh (.675).
  it('respects a minimum per cell and still sums to the total (hand-checked on the census ethnicity shares)', () => {
    const quota = allocateFromMargins(shareVariables(KAZAKHSTAN_2009_MARGINS, ['ps_ethnicity']), { total: 542, minimum: 20 });
    expect(Object.fromEntries(quota.cells.map((c) => [c.categories.ps_ethnicity, c.target]))).toEqual({
      kazakh: 308, russian: 115, ukrainian: 20, uighur: 20, german: 20, korean: 20, other: 39,
    });
    expect(quotaTotal(quota)).toBe(542);
    expect(quota.collapse).toEqual({ ps_ethnicity: { uzbek: 'other', tatar: 'other' } });
    expect(checkQuotaPlan(makeQuotaPlan('population', [quota]))).toEqual([]);
  });

  it('sums exactly to the total for any size, with and without a minimum', () => {
    const shares = Object.values(KAZAKHSTAN_2009_MARGINS.variables[0]?.shares ?? {});
    for (const total of [16, 17, 100, 541, 542, 543, 1000, 1501]) {
      for (const minimum of [0, 1]) {
        const targets = allocateProportional(total, shares, minimum);
        expect(targets.reduce((a, b) => a + b, 0), `${total}/${minimum}`).toBe(total);
        expect(Math.min(...targets)).toBeGreaterThanOrEqual(minimum);
      }
    }
  });

  it.each([
    { description: 'a minimum the total cannot meet', total: 10, shares: [1, 1, 1], minimum: 4, message: /need 12, more than the total 10/ },
    { description: 'negative shares', total: 10, shares: [1, -1], minimum: 0, message: /finite numbers, 0 or more/ },
    { description: 'all shares 0', total: 10, shares: [0, 0], minimum: 0, message: /sum to 0/ },
    { description: 'no cells', total: 10, shares: [], minimum: 0, message: /no categories/ },
    { description: 'a fractional total', total: 10.5, shares: [1], minimum: 0, message: /whole number/ },
  ])('refuses $description', ({ total, shares, minimum, message }) => {
    expect(() => allocateProportional(total, shares, minimum)).toThrow(AllocationError);
    expect(() => allocateProportional(total, shares, minimum)).toThrow(message);
  });
});

describe('interlocking quotas', () => {
  // 7 interviews over A (60/40) x B (50/50): exact 2.1, 2.1, 1.4, 1.4; floors 2, 2, 1, 1 = 6; the one left goes to
  // the larger remainder (.4, a tie between b|x and b|y, equal exact quotas: the first listed, b|x).
  it('takes cells from the product of the margins (hand-checked)', () => {
    const quota = allocateFromMargins([
      { variable: 'ps_gender', shares: { male: 60, female: 40 } },
      { variable: 'ps_settlement_type', shares: { urban: 1, rural: 1 } },
    ], { total: 7, id: 'gender_x_settlement' });
    expect(quota).toEqual({
      id: 'gender_x_settlement',
      variables: ['ps_gender', 'ps_settlement_type'],
      cells: [
        { categories: { ps_gender: 'male', ps_settlement_type: 'urban' }, target: 2 },
        { categories: { ps_gender: 'male', ps_settlement_type: 'rural' }, target: 2 },
        { categories: { ps_gender: 'female', ps_settlement_type: 'urban' }, target: 2 },
        { categories: { ps_gender: 'female', ps_settlement_type: 'rural' }, target: 1 },
      ],
    });
  });

  it('region x gender x age band for 542: every combination, summing to 542, marginals close to proportional', () => {
    const variables = [
      ...shareVariables(KAZAKHSTAN_2009_MARGINS, ['ps_region', 'ps_gender']),
      { variable: 'ps_age_band', shares: REPORT_AGE_BANDS },
    ];
    const quota = allocateFromMargins(variables, { total: 542 });
    expect(quota.id).toBe('ps_region*ps_gender*ps_age_band');
    expect(quota.cells).toHaveLength(16 * 2 * 6);
    expect(quotaTotal(quota)).toBe(542);
    const byBand = new Map<string, number>();
    for (const c of quota.cells) byBand.set(c.categories.ps_age_band as string, (byBand.get(c.categories.ps_age_band as string) ?? 0) + c.target);
    // Rounding 192 cells moves each marginal by less than one interview per cell of the band (32 cells).
    for (const [band, share] of Object.entries(REPORT_AGE_BANDS)) expect(Math.abs((byBand.get(band) as number) - (542 * share) / 100)).toBeLessThan(32);
    expect(checkQuotaPlan(makeQuotaPlan('population', [quota]))).toEqual([]);
  });

  it('product of margins: shares multiply and sum to 1', () => {
    const rows = productOfMargins([{ variable: 'a', shares: { x: 3, y: 1 } }, { variable: 'b', shares: { u: 1, v: 4 } }]);
    expect(rows.map((r) => [r.categories, r.share])).toEqual([
      [{ a: 'x', b: 'u' }, 0.75 * 0.2], [{ a: 'x', b: 'v' }, 0.75 * 0.8], [{ a: 'y', b: 'u' }, 0.25 * 0.2], [{ a: 'y', b: 'v' }, 0.25 * 0.8],
    ]);
  });

  it('takes cells from a joint table with a minimum', () => {
    const quota = allocateFromJoint(['ps_gender', 'ps_age_band'], [
      { categories: { ps_gender: 'male', ps_age_band: '18_25' }, share: 900 },
      { categories: { ps_gender: 'female', ps_age_band: '18_25' }, share: 880 },
      { categories: { ps_gender: 'male', ps_age_band: '61_plus' }, share: 60 },
      { categories: { ps_gender: 'female', ps_age_band: '61_plus' }, share: 160 },
    ], { total: 100, minimum: 5 });
    // Exact: 45, 44, 3, 8 -> male 61+ fixed at 5; 95 over 900/880/160 (1940): 44.07, 43.09, 7.84 -> 44, 43, 8 = 95.
    expect(quota.cells.map((c) => c.target)).toEqual([44, 43, 5, 8]);
  });

  it.each([
    { description: 'a row without a category of every variable', rows: [{ categories: { ps_gender: 'male' }, share: 1 }], message: /row 1 has no category for ps_age_band/ },
    {
      description: 'a combination listed twice',
      rows: [{ categories: { ps_gender: 'male', ps_age_band: '18_25' }, share: 1 }, { categories: { ps_gender: 'male', ps_age_band: '18_25' }, share: 2 }],
      message: /twice/,
    },
  ])('refuses a joint table with $description', ({ rows, message }) => {
    expect(() => allocateFromJoint(['ps_gender', 'ps_age_band'], rows, { total: 10 })).toThrow(message);
  });

  it('names a margin that does not exist', () => {
    expect(() => shareVariables(KAZAKHSTAN_2009_MARGINS, ['ps_age_band'])).toThrow(/the margins have no ps_age_band/);
  });
});
