import { describe, expect, it } from 'vitest';
import { indicatorMatrix, indicatorsOf, type IndicatorMatrix } from '../../../schemas/csi/indicators.js';
import { computeMatrix, type IndicatorResult } from '../../../server/domain/indicators/compute.js';
import type { ResponseRecord } from '../../../server/domain/indicators/records.js';
import { matrixRows } from '../../../server/domain/indicators/rows.js';
import { ruleText } from '../../../server/domain/indicators/rule-text.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';
import { designFor } from '../../../server/domain/weighting/design.js';
import { rake } from '../../../server/domain/weighting/raking.js';
import { recordsOf } from '../../fixtures/indicators/responses.js';
import { calibrationProjection, estimateItem } from '../../support/reference-estimator.js';

function indicator(records: ResponseRecord[], id: string, survey: 'population' | 'organisational' | 'external' = 'population', options = {}): IndicatorResult {
  const found = computeMatrix({ responses: { [survey]: records }, secondary: {} }, options).indicators.find((i) => i.id === id);
  if (!found) throw new Error(id);
  return found;
}

const SOCIAL = ['religious', 'sport_recreation', 'art_music_education', 'humanitarian_charitable'].map((t) => `ps_member_${t}`);

/** Ten people: active in 0, 1, 2 or 3 social types; one answers dk everywhere. */
const members = recordsOf({
  ps_member_religious: ['active', 'active', 'active', 'active', 'inactive', 'not_member', 'not_member', 'not_member', 'not_member', 'dk'],
  ps_member_sport_recreation: ['active', 'active', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'dk'],
  ps_member_art_music_education: ['active', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'ref', 'dk'],
  ps_member_humanitarian_charitable: ['not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'not_member', 'dk'],
  ps_trust_people: ['most_can_be_trusted', 'most_can_be_trusted', 'most_can_be_trusted', 'need_to_be_careful', 'most_can_be_trusted', 'need_to_be_careful', 'need_to_be_careful', 'need_to_be_careful', 'most_can_be_trusted', 'most_can_be_trusted'],
}, 10);

describe('count, depth and share rules', () => {
  it.each<[string, number, number, number]>([
    // id, value, n, base
    ['1.1.1', 400 / 9, 4, 9], // active in >= 1 social type, among the 9 with any substantive answer
    ['1.2.1', 50, 2, 4], // active in >= 2 among the 4 active in >= 1
    ['5.3.1', 60, 6, 10],
  ])('%s = %s (n %s, base %s)', (id, value, n, base) => {
    expect(indicator(members, id)).toMatchObject({ status: 'ok', value, n, base });
  });

  it('counts inactive membership as not active', () => {
    const one = recordsOf({ [SOCIAL[0] as string]: ['inactive'] }, 1);
    expect(indicator(one, '1.1.1').value).toBe(0);
  });

  it('1.2.3 is a share among the engaged, and a blank base condition leaves the respondent out', () => {
    const records = recordsOf({ ps_social_time_sports_voluntary: ['weekly', 'once_twice_month', 'few_times_year', 'not_at_all', 'dk', undefined] }, 6);
    expect(indicator(records, '1.2.3')).toMatchObject({ value: (2 / 3) * 100, n: 2, base: 3, excluded: {} });
    expect(indicator(records, '1.1.3')).toMatchObject({ value: 75, n: 3, base: 4, excluded: { dk: 1, blank: 1 } });
    expect(indicator(records, '1.1.1').excluded).toBeNull();
  });

  it('4.3.3 counts CSOs that did not push as not approved, 4.3.3 <= 4.3.2', () => {
    const orgs = recordsOf({ os_policy_pushed_2y: [true, true, true, false, false], os_policy_outcome: ['approved', 'pending', 'dk', undefined, undefined] }, 5);
    const result = indicator(orgs, '4.3.3', 'organisational');
    expect(result).toMatchObject({ value: 25, n: 1, base: 4 });
    expect(result.alternatives).toEqual([expect.objectContaining({ label: 'among CSOs that pushed for a policy', value: 50 })]);
  });

  it('4.6.1 leaves "dont_know" outcomes out of the base', () => {
    const experts = recordsOf({
      es_policy_outcome_1: ['policy_approved', 'policy_rejected', 'dont_know', 'pending'],
      es_policy_outcome_2: ['policy_rejected', 'policy_approved', 'dont_know', undefined],
    }, 4);
    expect(indicator(experts, '4.6.1', 'external')).toMatchObject({ value: (2 / 3) * 100, n: 2, base: 3 });
  });

  it('2.4.1 takes unpaid staff as a share of all staff, without CSOs that have none', () => {
    const orgs = recordsOf({
      os_paid_staff_fulltime: [3, 1, 0, 0, 2],
      os_paid_staff_parttime: [1, 0, 0, 0, undefined],
      os_volunteers_regular: [1, 5, 0, 4, 0],
    }, 5);
    expect(indicator(orgs, '2.4.1', 'organisational')).toMatchObject({ value: (1 / 3) * 100, n: 1, base: 3 });
  });

  it('2.5.1 compares income with expenditure; its report-wording alternative is computed beside it', () => {
    const orgs = recordsOf({
      os_income_last_fy: [100, 50, 10, 'dk'], os_expenditure_last_fy: [100, 60, 5, 1], os_stable_financial_base: [true, false, false, true],
    }, 4);
    const result = indicator(orgs, '2.5.1', 'organisational');
    expect(result).toMatchObject({ value: (2 / 3) * 100, default: true, confidence: 'U' });
    expect(result.alternatives[0]).toMatchObject({ value: 50 });
  });

  it('2.5.2 needs regular access to all three technologies', () => {
    const orgs = recordsOf({
      os_access_computer: ['regular', 'regular', 'none'], os_access_phone: ['regular', 'regular', 'regular'], os_access_email_internet: ['regular', 'irregular', 'regular'],
    }, 3);
    expect(indicator(orgs, '2.5.2', 'organisational').value).toBeCloseTo(100 / 3, 12);
  });
});

describe('differences between members and non-members', () => {
  it('4.7.1 is trust among active members minus among non-members', () => {
    const result = indicator(members, '4.7.1');
    // members (active in any of the 9 types): rows 0-3, trust 3/4; non-members: rows 4-8, trust 2/5; row 9 dk.
    expect(result.value).toBeCloseTo(75 - 40, 12);
    expect(result.components.map((c) => [c.label, c.value])).toEqual([['members', 75], ['non-members', 40], ['difference before the floor', 35]]);
  });

  it('floors a negative difference at 0 and says so', () => {
    const flipped = members.map((r) => ({ answers: { ...r.answers, ps_trust_people: r.answers.ps_trust_people === 'most_can_be_trusted' ? 'need_to_be_careful' : 'most_can_be_trusted' } }));
    const result = indicator(flipped, '4.7.1');
    expect(result.value).toBe(0);
    expect(result.flags[0]).toMatch(/below 0/);
  });

  it('4.7.2 uses the rule of 5.3.2 through its reference', () => {
    const tolerance = ['different_race', 'different_language', 'different_religion', 'immigrants_foreign_workers', 'homosexuals', 'hiv_aids'];
    const records = recordsOf({
      ps_member_religious: ['active', 'not_member'],
      ...Object.fromEntries(tolerance.map((g, k) => [`ps_neighbour_${g}`, ['not_mentioned', k < 3 ? 'mentioned' : 'not_mentioned']])),
    }, 2);
    expect(indicator(records, '5.3.2').value).toBe(75);
    expect(indicator(records, '4.7.2').value).toBe(50);
  });
});

describe('diversity (default rule)', () => {
  const people = recordsOf({
    ps_member_religious: ['active', 'active', 'not_member', 'not_member', 'not_member', 'not_member'],
    ps_gender: ['female', 'male', 'female', 'male', 'female', 'male'],
    ps_settlement_type: ['urban', 'urban', 'rural', 'rural', 'rural', 'urban'],
    ps_ethnicity: ['russian', 'kazakh', 'kazakh', 'kazakh', 'korean', 'kazakh'],
    ps_income_step: [2, 9, 5, 5, 5, 5],
  }, 6);

  it('1.3.1 averages min(1, share among the engaged / share among all) over the groups', () => {
    const result = indicator(people, '1.3.1');
    // women 1/2 vs 3/6 -> 1; rural 0 vs 3/6 -> 0; minorities 1/2 vs 2/6 -> 1 (capped); low SES 1/2 vs 1/6 -> 1 (capped)
    expect(result.components.map((c) => c.value)).toEqual([100, 0, 100, 100]);
    expect(result.value).toBe(75);
    expect(result.se).toBeNull();
    expect(result.alternatives[0]?.value).toBeCloseTo(100 * (1 - (0 + 0.5 + 1 / 6 + 1 / 3) / 4), 12);
  });

  it('leaves a group absent from the sample out of the mean, with a flag', () => {
    expect(indicator(people, '1.6.1')).toMatchObject({ status: 'missing', reason: expect.stringMatching(/^empty base: no response with an answer to ps_member_labour_union/) });
    const inactive = people.map((r) => ({ answers: { ...r.answers, ps_member_labour_union: 'inactive' } }));
    expect(indicator(inactive, '1.6.1')).toMatchObject({ status: 'missing', reason: expect.stringMatching(/nobody in the base is engaged/) });
    const politicians = people.map((r, i) => ({ answers: { ...r.answers, ps_member_labour_union: i < 2 ? 'active' : 'not_member', ps_age_years: 40 } }));
    const scored = indicator(politicians, '1.6.1');
    expect(scored.status).toBe('ok');
    expect(scored.flags[0]).toMatch(/youngest \(18-25\) \(group absent from the sample\)/);
  });
});

describe('weights, standard errors and breakdowns', () => {
  const size = 60;
  const regions = ['akmola', 'aktobe', 'atyrau'];
  const units = Array.from({ length: size }, (_, i) => ({
    ps_region: regions[i % 3] as string,
    ps_gender: i % 4 === 0 ? 'female' : 'male',
    ps_trust_people: (i * 7) % 5 < 2 ? 'most_can_be_trusted' : i % 11 === 0 ? 'dk' : 'need_to_be_careful',
  }));
  const raked = rake(units, [
    { variable: 'ps_region', targets: { akmola: 50, aktobe: 30, atyrau: 20 } },
    { variable: 'ps_gender', targets: { female: 52, male: 48 } },
  ], { tolerance: 1e-12 });
  const projection = calibrationProjection(raked.coded, raked.weights);
  // The engine's own design: the same margins raked over cells (the reference above rakes per respondent).
  const coded = (variable: 'ps_region' | 'ps_gender') => {
    const levels = [...new Set(units.map((u) => u[variable]))];
    return { levels, codes: Int32Array.from(units, (u) => levels.indexOf(u[variable])) };
  };
  const design = designFor(size, [
    { variable: 'ps_region', targets: { akmola: 50, aktobe: 30, atyrau: 20 } },
    { variable: 'ps_gender', targets: { female: 52, male: 48 } },
  ], [coded('ps_region'), coded('ps_gender')], { tolerance: 1e-12 });
  const records = units.map((answers) => ({ answers }));
  const reference = estimateItem(
    { values: units.map((u) => (u.ps_trust_people === 'dk' ? null : u.ps_trust_people)) }, raked.weights, projection,
    { categories: ['most_can_be_trusted'] },
  );

  it('a weighted share and its standard error match the per-respondent reference on the same margins', () => {
    const result = indicator(records, '5.3.1', 'population', { design });
    expect(result.weighted).toBe(true);
    expect(result.value).toBeCloseTo(100 * (reference.estimates[0]?.estimate as number), 10);
    expect(result.se).toBeCloseTo(100 * (reference.estimates[0]?.se as number), 10);
    expect(result.base).toBe(reference.base);
    expect(result.weightedBase).toBeCloseTo(reference.weightedBase, 10);
  });

  it('is unweighted by default and then differs from the weighted share', () => {
    const plain = indicator(records, '5.3.1');
    expect(plain.weighted).toBe(false);
    expect(plain.value).not.toBeCloseTo(100 * (reference.estimates[0]?.estimate as number), 3);
    const trusting = units.filter((u) => u.ps_trust_people === 'most_can_be_trusted').length;
    expect(plain.value).toBeCloseTo((100 * trusting) / reference.base, 12);
  });

  it('breaks a population indicator down by region as domains of the same estimate', () => {
    const result = indicator(records, '5.3.1', 'population', { design, breakdown: 'ps_region' });
    for (const region of regions) {
      const domain = Uint8Array.from(units, (u) => (u.ps_region === region ? 1 : 0));
      const expected = estimateItem({ values: units.map((u) => (u.ps_trust_people === 'dk' ? null : u.ps_trust_people)) }, raked.weights, projection, { categories: ['most_can_be_trusted'], domain });
      const cell = result.breakdown?.find((c) => c.category === region);
      expect(cell?.value).toBeCloseTo(100 * (expected.estimates[0]?.estimate as number), 10);
      expect(cell?.se).toBeCloseTo(100 * (expected.estimates[0]?.se as number), 10);
      expect(cell?.base).toBe(expected.base);
    }
  });

  it('breaks down by a derived variable (age band) computed from the answers', () => {
    const people = recordsOf({ ps_age_years: [20, 22, 70], ps_trust_people: ['most_can_be_trusted', 'need_to_be_careful', 'most_can_be_trusted'] }, 3);
    const cells = indicator(people, '5.3.1', 'population', { breakdown: 'ps_age_band' }).breakdown;
    expect(cells?.map((c) => [c.category, c.value])).toEqual([['18_25', 50], ['26_35', null], ['36_45', null], ['46_55', null], ['56_60', null], ['61_plus', 100]]);
  });

  it('gives no breakdown to indicators of the other surveys', () => {
    const orgs = recordsOf({ os_has_board: [true, false] }, 2);
    expect(indicator(orgs, '2.1.1', 'organisational', { breakdown: 'ps_region' }).breakdown).toBeNull();
  });

  it('refuses a design that does not match the responses', () => {
    const small = designFor(3, [], []);
    expect(() => computeMatrix({ responses: { population: records }, secondary: {} }, { design: small })).toThrow(/design: 3 respondents for 60/);
  });
});

describe('outputs', () => {
  const result = computeMatrix({ responses: {}, secondary: {} });

  it('every indicator shows its rule text, source, confidence and default flag', () => {
    for (const i of result.indicators) {
      expect(i.rule.length, i.id).toBeGreaterThan(20);
      expect(i.rule).toBe(ruleText(indicatorsOf().find((d) => d.id === i.id)?.rule as never));
      expect(i.source).toBeTruthy();
      expect(i.confidence).toMatch(/^[VSPIU]$/);
    }
    expect(result.defaults).toEqual(['1.3.1', '1.6.1', '2.5.1', '4.7.4', '5.3.2', '5.3.3']);
  });

  it.each<[string, RegExp]>([
    ['3.1.1', /% of respondents answering whose os_decision_maker is in \{members, elected_board, elected_leader, staff\}/],
    ['1.2.1', /at least 2 of .* among those with at least 1/],
    ['5.1.4', /100 - min\(100, 100 x externalDebt \/ gni\)/],
    ['5.2.1', /fhPoliticalRights x 100 \/ 40/],
    ['5.1.3', /100 - gini/],
    ['4.7.2', /indicator 5\.3\.2 among members minus among non-members, in points, floored at 0/],
    ['5.2.4', /^mean of: % os_legal_framework in \{moderately_enabling, fully_enabling\}; % os_illegitimate_restriction in \{false\}/],
  ])('the rule text of %s says what is computed', (id, text) => {
    expect(result.indicators.find((i) => i.id === id)?.rule).toMatch(text);
  });

  it('lays the matrix out as rows in the order of Appendix 1, with display values', () => {
    const rows = matrixRows(computeMatrix({ responses: {}, secondary: KAZAKHSTAN_SECONDARY }), 'kk');
    expect(rows).toHaveLength(5 + 27 + 65);
    expect(rows.slice(0, 4).map((r) => [r.level, r.id])).toEqual([['dimension', '1'], ['subDimension', '1.1'], ['indicator', '1.1.1'], ['indicator', '1.1.2']]);
    expect(rows.map((r) => r.id).filter((id) => id.startsWith('5'))).toEqual([
      '5', '5.1', '5.1.1', '5.1.2', '5.1.3', '5.1.4', '5.2', '5.2.1', '5.2.2', '5.2.3', '5.2.4', '5.2.5', '5.3', '5.3.1', '5.3.2', '5.3.3',
    ]);
    expect(rows.find((r) => r.id === '5.1')).toMatchObject({ display: '46.5', status: 'ok', name: 'Әлеуметтік-экономикалық жағдай' });
    expect(rows.find((r) => r.id === '5.1.4')).toMatchObject({ display: '0.0', value: 0, confidence: 'V', source: 'secondary' });
    expect(rows.find((r) => r.id === '5.3.2')).toMatchObject({ display: '', value: null, status: 'missing', default: true, reason: 'no responses' });
    expect(rows.find((r) => r.id === '5.3')).toMatchObject({ display: '', status: 'missing', default: false });
  });

  it('computes a matrix it is given rather than the shipped one', () => {
    const small: IndicatorMatrix = { ...indicatorMatrix, dimensions: indicatorMatrix.dimensions.slice(4) };
    const out = computeMatrix({ responses: {}, secondary: {} }, { matrix: small });
    expect(out.dimensions.map((d) => d.id)).toEqual(['5']);
    expect(out.indicators).toHaveLength(12);
  });
});
