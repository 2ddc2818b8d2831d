import { describe, expect, it } from 'vitest';
import { indicatorMatrix, indicatorsOf } from '../../../schemas/csi/indicators.js';
import { computeMatrix, type MatrixResult } from '../../../server/domain/indicators/compute.js';
import type { ResponseRecord } from '../../../server/domain/indicators/records.js';
import { KAZAKHSTAN_SECONDARY, type SecondaryData } from '../../../server/domain/indicators/secondary.js';
import { recordsFromShares } from '../../fixtures/indicators/responses.js';

const find = (result: MatrixResult, id: string) => {
  const hit = [...result.indicators, ...result.subDimensions, ...result.dimensions].find((x) => x.id === id);
  if (!hit) throw new Error(`no ${id}`);
  return hit;
};

function allDontKnow(survey: 'population' | 'organisational' | 'external', size: number): ResponseRecord[] {
  const items = [...new Set(indicatorsOf().filter((i) => i.source === survey).flatMap((i) => i.items))];
  return Array.from({ length: size }, () => ({ answers: Object.fromEntries(items.map((item) => [item, 'dk'])) }));
}

describe('missing data is reported missing, with a reason, never as 0', () => {
  const empty = computeMatrix({ responses: {}, secondary: {} });

  it.each(empty.indicators.map((i) => [i.id, i] as const))('%s without data', (_id, indicator) => {
    expect(indicator.status).toBe('missing');
    expect(indicator.value).toBeNull();
    expect(indicator.reason).toMatch(indicator.source === 'secondary' ? /secondary input \w+ .* not provided/ : /^no responses$/);
  });

  it('makes every sub-dimension and dimension missing, naming what is missing', () => {
    for (const score of [...empty.subDimensions, ...empty.dimensions]) {
      expect(score.status).toBe('missing');
      expect(score.value).toBeNull();
      expect(score.reason).toMatch(/^(indicator|sub-dimension) [\d., ]+ missing$/);
    }
  });

  it('treats don\'t-know and refused as no data: an empty base', () => {
    const result = computeMatrix({
      responses: { population: allDontKnow('population', 20), organisational: allDontKnow('organisational', 5), external: allDontKnow('external', 3) },
      secondary: {},
    });
    for (const i of result.indicators.filter((x) => x.source !== 'secondary')) {
      expect(i.value, i.id).toBeNull();
      expect(i.reason, i.id).toMatch(/empty base|no group|nobody|a part has no data|members: /);
    }
  });

  it('propagates a missing secondary input to its sub-dimension and dimension only', () => {
    const { cpi: _cpi, ...withoutCpi } = KAZAKHSTAN_SECONDARY;
    const result = computeMatrix({ responses: {}, secondary: withoutCpi });
    expect(find(result, '5.1.2')).toMatchObject({ status: 'missing', value: null, reason: expect.stringContaining('cpi') });
    expect(find(result, '5.1.1')).toMatchObject({ status: 'ok', value: 98 });
    expect(find(result, '5.1')).toMatchObject({ status: 'missing', reason: 'indicator 5.1.2 missing' });
    expect(find(result, '5')).toMatchObject({ status: 'missing', reason: expect.stringContaining('5.1') });
    expect(find(result, '2.6')).toMatchObject({ status: 'ok' });
  });

  it.each<[string, SecondaryData, RegExp]>([
    ['a GNI of 0', { externalDebt: { value: 1, source: 's', year: 2007 }, gni: { value: 0, source: 's', year: 2007 } }, /gni is 0/],
    ['a CPI on the wrong scale', { cpi: { value: 22, source: 's', year: 2008 } }, /outside 0-100/],
    ['a negative Gini', { gini: { value: -3, source: 's', year: 2008 } }, /not a number of at least 0/],
    ['a value that is not a number', { bci: { value: Number.NaN, source: 's', year: 2008 } }, /not a number/],
  ])('rejects %s as missing', (_name, secondary, reason) => {
    const result = computeMatrix({ responses: {}, secondary });
    const touched = result.indicators.filter((i) => i.inputs.length > 0 || (i.source === 'secondary' && !/not provided/.test(i.reason ?? '')));
    expect(touched.length).toBeGreaterThan(0);
    for (const i of touched) {
      expect(i.value).toBeNull();
      expect(i.reason).toMatch(reason);
    }
  });

  it('excludes a missing indicator from its sub-dimension only when its rule allows it', () => {
    const orgs = recordsFromShares({
      os_policy_equal_opportunity: { true: 50, false: 50 }, os_labour_rights_training: { true: 20, false: 80 },
      os_labour_standards_policy_public: { true: 30, false: 70 },
    }, 10);
    const strict = computeMatrix({ responses: { organisational: orgs }, secondary: {} });
    expect(find(strict, '3.2.2')).toMatchObject({ status: 'missing', reason: expect.stringContaining('os_staff_in_unions') });
    expect(find(strict, '3.2')).toMatchObject({ status: 'missing', reason: 'indicator 3.2.2 missing' });

    const lenient = structuredClone(indicatorMatrix);
    const def = indicatorsOf(lenient).find((i) => i.id === '3.2.2');
    if (def) def.whenMissing = 'exclude';
    const result = computeMatrix({ responses: { organisational: orgs }, secondary: {} }, { matrix: lenient });
    expect(find(result, '3.2')).toMatchObject({ status: 'ok', value: (50 + 20 + 30) / 3, excluded: ['3.2.2'], members: ['3.2.1', '3.2.3', '3.2.4'] });
  });

  it('reports a member/non-member difference as missing when there are no members', () => {
    const people = recordsFromShares({ ps_member_religious: { not_member: 100 }, ps_trust_people: { most_can_be_trusted: 50, need_to_be_careful: 50 } }, 10);
    const result = computeMatrix({ responses: { population: people }, secondary: {} });
    expect(find(result, '5.3.1')).toMatchObject({ status: 'ok', value: 50 });
    expect(find(result, '4.7.1')).toMatchObject({ status: 'missing', value: null, reason: expect.stringMatching(/^members: empty base/) });
  });

  it('scores 3.5.1 as the flagged default 100 when CSOs answered and none reports violent forces', () => {
    const orgs = recordsFromShares({ os_violent_forces_exist: { false: 100 } }, 4);
    const indicator = find(computeMatrix({ responses: { organisational: orgs }, secondary: {} }), '3.5.1');
    expect(indicator).toMatchObject({ status: 'ok', value: 100, base: 0 });
    expect((indicator as { flags: string[] }).flags[0]).toMatch(/no CSO reports violent forces/);
    const unanswered = find(computeMatrix({ responses: { organisational: allDontKnow('organisational', 4) }, secondary: {} }), '3.5.1');
    expect(unanswered).toMatchObject({ status: 'missing', value: null });
  });

  it('reports an empty breakdown cell as missing, not 0', () => {
    const people = recordsFromShares({ ps_trust_people: { most_can_be_trusted: 50, need_to_be_careful: 50 }, ps_region: { akmola: 100 } }, 10);
    const indicator = find(computeMatrix({ responses: { population: people }, secondary: {} }, { breakdown: 'ps_region' }), '5.3.1') as { breakdown: Array<{ category: string; status: string; value: number | null; reason: string | null }> };
    expect(indicator.breakdown.find((c) => c.category === 'akmola')).toMatchObject({ status: 'ok', value: 50 });
    const astana = indicator.breakdown.find((c) => c.category === 'astana_city');
    expect(astana).toMatchObject({ status: 'missing', value: null });
    expect(astana?.reason).toMatch(/empty base in this group/);
  });
});
