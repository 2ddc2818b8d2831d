import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indicatorsOf } from '../../../schemas/csi/indicators.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import { formatScore } from '../../../server/domain/indicators/aggregation.js';
import { computeMatrix, type IndicatorResult } from '../../../server/domain/indicators/compute.js';
import type { ResponseRecord } from '../../../server/domain/indicators/records.js';
import type { SecondaryData } from '../../../server/domain/indicators/secondary.js';
import { countsOf, recordsFromShares, type Shares } from '../../fixtures/indicators/responses.js';

interface SurveyCase {
  indicator: string;
  survey: SurveyId;
  size: number;
  dontKnow: number;
  published: string;
  shares: Record<string, Shares>;
}

interface SecondaryCase {
  indicator: string;
  published: string;
  inputs: Record<string, number>;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/indicators/verified-rules.json', import.meta.url), 'utf8')) as {
  cases: SurveyCase[];
  secondary: SecondaryCase[];
};

function withDontKnow(records: ResponseRecord[], c: SurveyCase): ResponseRecord[] {
  const dk = Array.from({ length: c.dontKnow }, () => ({ answers: Object.fromEntries(Object.keys(c.shares).map((item) => [item, 'dk'])) }));
  return [...records, ...dk];
}

function indicatorOf(survey: SurveyId, records: ResponseRecord[], id: string): IndicatorResult {
  const result = computeMatrix({ responses: { [survey]: records }, secondary: {} });
  const found = result.indicators.find((i) => i.id === id);
  if (!found) throw new Error(`no indicator ${id}`);
  return found;
}

describe('the ten V-marked rules on responses built to the report\'s component shares', () => {
  it('the fixture covers exactly the V-marked indicators of the matrix', () => {
    const covered = [...fixture.cases, ...fixture.secondary].map((c) => c.indicator).sort();
    expect(covered).toEqual(indicatorsOf().filter((i) => i.confidence === 'V').map((i) => i.id).sort());
    expect(covered).toHaveLength(10);
  });

  it.each(fixture.cases.map((c) => [c.indicator, c.published, c] as const))('%s = %s', (id, published, c) => {
    const indicator = indicatorOf(c.survey, withDontKnow(recordsFromShares(c.shares, c.size), c), id);
    expect(indicator.status).toBe('ok');
    expect(formatScore(indicator.value)).toBe(published);
    expect(indicator.confidence).toBe('V');
    expect(indicator.base).toBe(c.size);
  });

  it.each(fixture.cases.map((c) => [c.indicator, c] as const))('%s: don\'t-know answers stay out of the base', (id, c) => {
    const plain = indicatorOf(c.survey, recordsFromShares(c.shares, c.size), id);
    const withDk = indicatorOf(c.survey, withDontKnow(recordsFromShares(c.shares, c.size), c), id);
    expect(withDk.value).toBe(plain.value);
    if (Object.keys(c.shares).length === 1) expect(withDk.excluded).toEqual(c.dontKnow > 0 ? { dk: c.dontKnow } : {});
  });

  it('3.5.5 is 85.2 although its printed components add up to 85.3', () => {
    const c = fixture.cases.find((x) => x.indicator === '3.5.5') as SurveyCase;
    const printed = Object.fromEntries(Object.entries(c.shares.os_intolerant_forces_weight as Shares).map(([code, pct]) => [code, (Math.round(pct * 10) / 10).toFixed(1)]));
    expect(printed).toEqual({ isolated_and_denounced: '23.9', marginal_actors: '61.4', significant_actors: '12.5', dominate: '2.2' });
  });

  it('the fixture shares give whole counts', () => {
    for (const c of fixture.cases) for (const shares of Object.values(c.shares)) expect(() => countsOf(shares, c.size)).not.toThrow();
  });

  it.each(fixture.secondary.map((c) => [c.indicator, c.published, c] as const))('%s = %s from its secondary inputs', (id, published, c) => {
    const secondary: SecondaryData = Object.fromEntries(Object.entries(c.inputs).map(([key, value]) => [key, { value, source: 'test', year: 2007 }]));
    const indicator = computeMatrix({ responses: {}, secondary }).indicators.find((i) => i.id === id);
    expect(indicator?.status).toBe('ok');
    expect(formatScore(indicator?.value ?? null)).toBe(published);
  });
});

describe('the V-marked rules respond to the data', () => {
  it('3.1.1 counts the democratic decision-makers only', () => {
    const records = recordsFromShares({ os_decision_maker: { appointed_board: 50, appointed_leader: 25, other: 25 } }, 100);
    expect(indicatorOf('organisational', records, '3.1.1').value).toBe(0);
    const all = recordsFromShares({ os_decision_maker: { members: 25, elected_board: 25, elected_leader: 25, staff: 25 } }, 100);
    expect(indicatorOf('organisational', all, '3.1.1').value).toBe(100);
  });

  it('5.2.4 moves with restrictions as 100 - % restricted', () => {
    const records = recordsFromShares({ os_legal_framework: { fully_enabling: 50, quite_limiting: 50 }, os_illegitimate_restriction: { true: 100 } }, 10);
    expect(indicatorOf('organisational', records, '5.2.4').value).toBe(25);
  });
});
