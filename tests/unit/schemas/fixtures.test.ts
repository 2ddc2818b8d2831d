// Data-driven schema fixtures (ajv's spec-folder style): each valid case passes and each invalid case fails with
// exactly its listed errors, identically in the ajv-compiled and the standalone validators. A fixture file is
// written for one questionnaire version (`version`, else the first): published versions never change, so neither
// do their cases.
import { describe, expect, it } from 'vitest';
import { compileVersionValidators } from '../../../schemas/ajv.js';
import { standaloneVersionValidators } from '../../../schemas/standalone.js';
import { SURVEY_IDS } from '../../../schemas/surveys.js';
import { loadFixtures, materialize } from './fixture-cases.js';

const ajvVersions = compileVersionValidators();
const RULES = ['type', 'range', 'enum', 'missing', 'skipped', 'unknown', 'ineligible', 'consistency', 'format', 'length', 'several'];

describe.each(SURVEY_IDS)('%s fixtures', (survey) => {
  const file = loadFixtures(survey);
  const version = file.version ?? '1.0.0';
  const ajvValidate = ajvVersions[survey][version]!;
  const standaloneValidate = standaloneVersionValidators[survey][version]!;

  it('has at least 5 valid and 25 invalid cases covering every kind of rule', () => {
    expect(file.valid.length).toBeGreaterThanOrEqual(5);
    expect(file.invalid.length).toBeGreaterThanOrEqual(25);
    for (const c of file.invalid) expect(RULES).toContain(c.rule);
    const covered = new Set(file.invalid.map((c) => c.rule));
    for (const rule of ['type', 'enum', 'missing', 'skipped', 'unknown']) expect(covered).toContain(rule);
    // The expert survey has no numbers: its out-of-range cases are text lengths.
    expect(covered.has('range') || covered.has('length')).toBe(true);
  });

  it.each(file.valid.map((c) => [c.description, c] as const))('valid: %s', (_d, c) => {
    expect(ajvValidate(c.data)).toEqual({ valid: true, errors: [] });
    expect(standaloneValidate(c.data)).toEqual({ valid: true, errors: [] });
  });

  it.each(file.invalid.map((c) => [c.description, c] as const))('invalid (%s)', (_d, c) => {
    const data = materialize(file, c);
    const fromAjv = ajvValidate(data);
    const fromStandalone = standaloneValidate(data);
    expect(fromAjv.valid).toBe(false);
    const found = fromAjv.errors.map((e) => ({ item: e.item, keyword: e.keyword }));
    expect(found).toEqual(expect.arrayContaining(c.errors));
    expect(found).toHaveLength(c.errors.length);
    expect(fromStandalone).toEqual(fromAjv);
  });
});
