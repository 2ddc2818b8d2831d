import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indicatorMatrix, indicatorsOf } from '../../../schemas/csi/indicators.js';
import { aggregateScores, formatScore, roundHalfUp, type IndicatorValue } from '../../../server/domain/indicators/aggregation.js';
import { computeMatrix } from '../../../server/domain/indicators/compute.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';

interface Appendix {
  dimensions: Record<string, number>;
  subDimensions: Record<string, number>;
  indicators: Record<string, number>;
}

const appendix = JSON.parse(readFileSync(new URL('../../fixtures/indicators/appendix-1.json', import.meta.url), 'utf8')) as Appendix;

function fromAppendix(overrides: Record<string, number> = {}): Map<string, IndicatorValue> {
  return new Map(Object.entries({ ...appendix.indicators, ...overrides }).map(([id, value]) => [id, { value }]));
}

const { subDimensions, dimensions } = aggregateScores(indicatorMatrix, fromAppendix());
const scores = [...subDimensions, ...dimensions];
/** Data dictionary §1.3: from the rounded 66.7, 4.5 is 53.35 and rounds to 53.4; the report prints 53.3. */
const WITHIN_TENTH = new Set(['4.5']);

describe('reproduction of the report from the Appendix 1 indicator values', () => {
  it('covers every published score: 27 sub-dimensions and 5 dimensions', () => {
    expect(subDimensions.map((s) => s.id)).toEqual(Object.keys(appendix.subDimensions));
    expect(dimensions.map((d) => d.id)).toEqual(Object.keys(appendix.dimensions));
  });

  it.each(scores.filter((s) => !WITHIN_TENTH.has(s.id)).map((s) => [s.id, s] as const))('%s is published as printed', (id, score) => {
    const published = appendix.subDimensions[id] ?? appendix.dimensions[id];
    expect(score.status).toBe('ok');
    expect(formatScore(score.value)).toBe((published as number).toFixed(1));
  });

  it('4.5 is within 0.1 from the rounded 4.5.1, and exact from 4.5.1 = 2/3', () => {
    const rounded = subDimensions.find((s) => s.id === '4.5');
    expect(Math.abs((rounded?.value as number) - 53.3)).toBeLessThanOrEqual(0.1 + 1e-9);
    const exact = aggregateScores(indicatorMatrix, fromAppendix({ '4.5.1': 200 / 3 })).subDimensions.find((s) => s.id === '4.5');
    expect(formatScore(exact?.value ?? null)).toBe('53.3');
  });

  it('dimensions average unrounded sub-dimensions (D4 from 4.5 = 53.35 still prints 40.0)', () => {
    expect(formatScore(dimensions.find((d) => d.id === '4')?.value ?? null)).toBe('40.0');
  });

  it('the matrix carries the published values of Appendix 1', () => {
    expect(Object.fromEntries(indicatorsOf().map((i) => [i.id, i.published]))).toEqual(appendix.indicators);
    for (const d of indicatorMatrix.dimensions) {
      expect(d.published).toBe(appendix.dimensions[d.id]);
      for (const s of d.subDimensions) expect(s.published).toBe(appendix.subDimensions[s.id]);
    }
  });

  it('names the sub-dimensions that rest on a defaulted rule', () => {
    const defaults = Object.fromEntries(subDimensions.filter((s) => s.defaults.length > 0).map((s) => [s.id, s.defaults]));
    expect(defaults).toEqual({ '1.3': ['1.3.1'], '1.6': ['1.6.1'], '2.5': ['2.5.1'], '4.7': ['4.7.4'], '5.3': ['5.3.2', '5.3.3'] });
  });
});

describe('the shipped Kazakhstan secondary data', () => {
  const result = computeMatrix({ responses: {}, secondary: KAZAKHSTAN_SECONDARY });
  const secondary = result.indicators.filter((i) => i.source === 'secondary');

  it.each(secondary.map((i) => [i.id, i] as const))('%s reproduces the published value', (_id, indicator) => {
    expect(indicator.status).toBe('ok');
    expect(formatScore(indicator.value)).toBe(indicator.published.toFixed(1));
    expect(indicator.inputs.length).toBeGreaterThan(0);
    for (const input of indicator.inputs) {
      expect(input.source).not.toBe('');
      expect(input.year === null || Number.isInteger(input.year)).toBe(true);
    }
  });

  it('gives every secondary input a source and a year or an explicit null', () => {
    for (const value of Object.values(KAZAKHSTAN_SECONDARY)) {
      expect(value.source.length).toBeGreaterThan(10);
      expect(value).toHaveProperty('year');
      if (value.status === 'derived') expect(value.note).toBeTruthy();
    }
  });

  it('makes 5.1 the published 46.5 when the survey-free sub-dimension has all four inputs', () => {
    expect(formatScore(result.subDimensions.find((s) => s.id === '5.1')?.value ?? null)).toBe('46.5');
  });
});

describe('half-up display rounding', () => {
  it.each([
    [52.65, '52.7'], [77.65, '77.7'], [30.05, '30.1'], [53.35, '53.4'], [53.325, '53.3'], [(47.4 + 57.9) / 2, '52.7'],
    [(20.6 + 39.5) / 2, '30.1'], [0, '0.0'], [100, '100.0'], [99.95, '100.0'], [12.849999, '12.8'], [0.05, '0.1'],
  ])('%s prints as %s', (value, printed) => {
    expect(formatScore(value)).toBe(printed);
  });

  it('rounds to other precisions and keeps null as null', () => {
    expect(roundHalfUp(62.145, 2)).toBe(62.15);
    expect(roundHalfUp(-2.25)).toBe(-2.3);
    expect(formatScore(null)).toBeNull();
  });
});
