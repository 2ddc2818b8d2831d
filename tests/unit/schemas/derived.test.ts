import { describe, expect, it } from 'vitest';
import { ageBand, derivePopulation, deriveVariables, sesGroup } from '../../../schemas/derived.js';
import { questionnaires } from '../../../schemas/surveys.js';
import { generateResponses } from '../../../schemas/synthetic.js';

describe('ageBand (bands of the report\'s Table A7.1)', () => {
  it.each([
    [17, undefined], [18, '18_25'], [25, '18_25'], [26, '26_35'], [35, '26_35'], [36, '36_45'], [45, '36_45'],
    [46, '46_55'], [55, '46_55'], [56, '56_60'], [60, '56_60'], [61, '61_plus'], [110, '61_plus'], [30.5, undefined],
  ])('%s -> %s', (age, band) => {
    expect(ageBand(age)).toBe(band);
  });
});

describe('sesGroup (the dictionary\'s default rule, marked U)', () => {
  it.each([
    [1, 'durables_ok', 'low'],
    [3, undefined, 'low'],
    [4, undefined, 'middle'],
    [7, 'food_and_clothes', 'middle'],
    [8, undefined, 'high'],
    [10, 'can_afford_anything', 'high'],
    [9, 'food_only', 'low'],
    ['dk', 'not_enough_for_food', 'low'],
    ['dk', 'durables_ok', 'middle'],
    ['ref', 'dk', undefined],
    [undefined, undefined, undefined],
  ])('income step %s, material %s -> %s', (step, material, group) => {
    expect(sesGroup(step, material)).toBe(group);
  });
});

describe('derivePopulation', () => {
  it('derives only codes the schema declares for derived variables', () => {
    const derived = questionnaires.population.$defs.derived as { properties: Record<string, { enum: string[] }> };
    for (const answers of generateResponses('population', 300, { seed: 5 })) {
      const d = derivePopulation(answers);
      expect(d.ps_age_band).toBeDefined();
      for (const [id, value] of Object.entries(d)) expect(derived.properties[id]?.enum).toContain(value);
    }
  });

  it('leaves out what cannot be derived', () => {
    expect(derivePopulation({})).toEqual({});
    expect(derivePopulation({ ps_age_years: 40, ps_income_step: 'ref', ps_material_status: 'dk' })).toEqual({ ps_age_band: '36_45' });
  });

  it('only the population survey has derived variables', () => {
    expect(deriveVariables('organisational', { os_region: 'akmola' })).toEqual({});
    expect(deriveVariables('population', { ps_age_years: 19 })).toEqual({ ps_age_band: '18_25' });
  });
});
