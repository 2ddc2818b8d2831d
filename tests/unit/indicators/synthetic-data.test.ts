import { describe, expect, it } from 'vitest';
import { generateResponses } from '../../../schemas/synthetic.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import { computeMatrix } from '../../../server/domain/indicators/compute.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';

/** The sizes of the Kazakhstan study (542 / 170 / 41), seeded: what `npm run seed:demo` loads. */
const records = (survey: SurveyId, count: number) => generateResponses(survey, count, { seed: 8 }).map((answers) => ({ answers }));
const result = computeMatrix({
  responses: { population: records('population', 542), organisational: records('organisational', 170), external: records('external', 41) },
  secondary: KAZAKHSTAN_SECONDARY,
}, { breakdown: 'ps_ethnicity' });

describe('the whole matrix from seeded synthetic responses of the study\'s size', () => {
  it.each(result.indicators.map((i) => [i.id, i] as const))('%s is computed, in 0-100, with its base', (_id, indicator) => {
    expect(indicator.status, indicator.reason ?? '').toBe('ok');
    expect(indicator.value).toBeGreaterThanOrEqual(0);
    expect(indicator.value).toBeLessThanOrEqual(100);
    if (indicator.source !== 'secondary') expect(indicator.base).toBeGreaterThan(0);
    if (indicator.source !== 'secondary' && indicator.id !== '1.3.1' && indicator.id !== '1.6.1') expect(indicator.se).toBeGreaterThan(0);
  });

  it('scores every sub-dimension and dimension', () => {
    for (const s of [...result.subDimensions, ...result.dimensions]) expect(s.status, `${s.id}: ${s.reason}`).toBe('ok');
  });

  it('breaks the population indicators down by ethnicity (always answered; the code list of 1.1.0, azerbaijani included), with bases that add up', () => {
    const trust = result.indicators.find((i) => i.id === '5.3.1');
    const cells = trust?.breakdown ?? [];
    expect(cells.map((c) => c.category)).toEqual(['kazakh', 'russian', 'uzbek', 'ukrainian', 'uighur', 'tatar', 'german', 'korean', 'azerbaijani', 'other']);
    const answered = cells.reduce((a, c) => a + (c.base ?? 0), 0);
    expect(answered).toBe(trust?.base);
    expect(result.indicators.filter((i) => i.source !== 'population').every((i) => i.breakdown === null)).toBe(true);
  });
});
