import { describe, expect, it } from 'vitest';
import { toValidationErrors, type RawError } from '../../../schemas/validation-errors.js';

const raw = (keyword: string, instancePath: string, params: Record<string, unknown> = {}): RawError => ({ keyword, instancePath, params, schemaPath: '#' });

describe('toValidationErrors', () => {
  it.each([
    ['required', raw('required', '', { missingProperty: 'ps_region' }), { path: '/ps_region', item: 'ps_region', keyword: 'required' }],
    ['unknown field', raw('additionalProperties', '', { additionalProperty: 'a/b' }), { path: '/a~1b', item: 'a/b', keyword: 'additionalProperties' }],
    ['skipped item', raw('false schema', '/ps_ethnicity_other'), { path: '/ps_ethnicity_other', item: 'ps_ethnicity_other', keyword: 'skipped' }],
    ['whole response', raw('type', '', { type: 'object' }), { path: '', item: null, keyword: 'type' }],
  ])('%s', (_name, error, expected) => {
    expect(toValidationErrors([error], 'population')).toEqual([expect.objectContaining(expected)]);
  });

  it('drops ajv\'s "if" noise and duplicates', () => {
    const errors = [raw('if', ''), raw('enum', '/ps_region'), raw('enum', '/ps_region')];
    expect(toValidationErrors(errors, 'population')).toHaveLength(1);
  });

  it.each([
    ['en', 'Must be at most 110.'],
    ['ru', '110'],
    ['kk', '110'],
  ] as const)('fills the limit into the %s message', (lang, fragment) => {
    const [error] = toValidationErrors([raw('maximum', '/ps_age_years', { limit: 110 })], 'population', lang);
    expect(error?.message).toContain(fragment);
  });

  it('uses the item\'s own message where the schema names one (ineligible age)', () => {
    const [en] = toValidationErrors([raw('minimum', '/ps_age_years', { limit: 18 })], 'population', 'en');
    expect(en?.message).toMatch(/under 18 are not eligible/);
    const [ru] = toValidationErrors([raw('minimum', '/ps_age_years', { limit: 18 })], 'population', 'ru');
    expect(ru?.message).not.toBe(en?.message);
  });

  it('names the expected type in the interviewer\'s language', () => {
    const [kk] = toValidationErrors([raw('type', '/ps_age_years', { type: 'integer' })], 'population', 'kk');
    expect(kk?.message).toContain('бүтін сан');
  });
});
