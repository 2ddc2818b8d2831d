// Questionnaire versions (issue 20): published versions never change (their files are held to the checked-in
// hashes), a version that loses a code or an item or changes a type needs a mapping, 1.1.0's changes are the ones
// it was made for, mappings recode answers, and the form picks the version new interviews use.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseVersion } from '../../../forms/model/version-choice.js';
import { compileVersionValidators } from '../../../schemas/ajv.js';
import { compatibilityErrors, versionChanges, type VersionChanges } from '../../../schemas/changes.js';
import { LANGUAGES } from '../../../schemas/labels.js';
import { standaloneVersionValidators } from '../../../schemas/standalone.js';
import { SURVEY_IDS } from '../../../schemas/surveys.js';
import { SyntheticGenerator } from '../../../schemas/synthetic.js';
import { absentItems, applyMappings, mapToCurrent, publishedVersions, unionItemIds, versionPolicy, type VersionMapping } from '../../../schemas/versions.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('published questionnaire versions', () => {
  const listed = (JSON.parse(readFileSync(join(ROOT, 'schemas', 'questionnaires', 'published.json'), 'utf8')) as { files: Record<string, string> }).files;

  it.each(SURVEY_IDS)('%s: every file of every published version is listed and unchanged', (survey) => {
    for (const version of publishedVersions(survey)) {
      const files = [`schemas/questionnaires/${survey}/${version}.schema.json`, ...LANGUAGES.map((l) => `schemas/i18n/${l}/${survey}/${version}.json`)];
      for (const file of files) {
        const hash = createHash('sha256').update(readFileSync(join(ROOT, file))).digest('hex');
        expect(listed[file], `${file} is not in schemas/questionnaires/published.json`).toBeDefined();
        expect(hash, `${file} changed after ${survey} ${version} was published: make a new version instead`).toBe(listed[file]);
      }
    }
  });

  it('lists 1.1.0\'s mapping with it', () => {
    const file = 'schemas/questionnaires/population/1.1.0.mapping.json';
    expect(createHash('sha256').update(readFileSync(join(ROOT, file))).digest('hex')).toBe(listed[file]);
  });
});

describe('population 1.1.0', () => {
  const changes = versionChanges('population', '1.0.0', '1.1.0');

  it('adds one item and one code, corrects one Russian label, and removes nothing', () => {
    expect(changes.itemsAdded).toEqual(['ps_household_size']);
    expect(changes.codesAdded).toEqual([{ item: 'ps_ethnicity', codes: ['azerbaijani'] }]);
    expect(changes.relabelled).toEqual([{ item: 'ps_ethnicity', lang: 'ru', what: 'code other', from: 'Другое', to: 'Другая национальность' }]);
    expect([changes.itemsRemoved, changes.codesRemoved, changes.typeChanged, changes.skipChanged]).toEqual([[], [], [], []]);
    expect(compatibilityErrors(changes, { from: '1.0.0', items: {} })).toEqual([]);
  });

  it('keeps the numeric export code of every 1.0.0 answer and gives the new code a new number', async () => {
    const { itemsOf } = await import('../../../schemas/items.js');
    const before = itemsOf('population', '1.0.0').find((i) => i.id === 'ps_ethnicity')!.numericCodes;
    const after = itemsOf('population', '1.1.0').find((i) => i.id === 'ps_ethnicity')!.numericCodes;
    expect(after).toMatchObject(before);
    expect(Object.values(before)).not.toContain(after.azerbaijani);
  });

  it('reads 1.0.0 answers as they are, and knows the new item was not asked of them', () => {
    const answers = { ps_ethnicity: 'other', ps_age_years: 30 };
    expect(mapToCurrent('population', '1.0.0', answers)).toBe(answers);
    expect([...absentItems('population', '1.0.0')]).toEqual(['ps_household_size']);
    expect(absentItems('population', '1.1.0').size).toBe(0);
    expect(unionItemIds('population')).toContain('ps_household_size');
  });

  it('is validated alike by ajv and the standalone validators, and 1.0.0 answers fail it only for the new item', () => {
    const ajv = compileVersionValidators();
    for (const s of new SyntheticGenerator('population', { seed: 9, version: '1.1.0' }).take(50)) {
      expect(ajv.population['1.1.0']!(s)).toEqual({ valid: true, errors: [] });
      expect(standaloneVersionValidators.population['1.1.0']!(s)).toEqual({ valid: true, errors: [] });
    }
    for (const s of new SyntheticGenerator('population', { seed: 10, version: '1.0.0' }).take(20)) {
      expect(ajv.population['1.0.0']!(s).valid).toBe(true);
      expect(ajv.population['1.1.0']!(s).errors.map((e) => [e.item, e.keyword])).toEqual([['ps_household_size', 'required']]);
    }
  });
});

describe('compatibility of a new version', () => {
  const none: VersionChanges = { survey: 'population', from: '1.1.0', to: '1.2.0', itemsAdded: [], itemsRemoved: [], typeChanged: [], codesAdded: [], codesRemoved: [], relabelled: [], skipChanged: [] };

  it('refuses a removed code without a mapping, saying which code, of which item, and where to map it', () => {
    const errors = compatibilityErrors({ ...none, codesRemoved: [{ item: 'ps_ethnicity', codes: ['other_asian'] }] }, { from: '1.1.0', items: {} });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/removes code other_asian of ps_ethnicity: map it in schemas\/questionnaires\/population\/1\.2\.0\.mapping\.json/);
    expect(compatibilityErrors({ ...none, codesRemoved: [{ item: 'ps_ethnicity', codes: ['other_asian'] }] }, { from: '1.1.0', items: { ps_ethnicity: { other_asian: 'other' } } })).toEqual([]);
  });

  it('refuses a removed item or a changed type without a mapping, and a mapping of an item that did not change', () => {
    expect(compatibilityErrors({ ...none, itemsRemoved: ['ps_household_size'] }, undefined)[0]).toMatch(/removes item ps_household_size/);
    expect(compatibilityErrors({ ...none, itemsRemoved: ['ps_household_size'] }, { from: '1.1.0', items: { ps_household_size: null } })).toEqual([]);
    expect(compatibilityErrors({ ...none, typeChanged: [{ item: 'ps_age_years', from: 'integer', to: 'choice' }] }, { from: '1.1.0', items: {} })[0]).toMatch(/changes the type of ps_age_years from integer to choice/);
    expect(compatibilityErrors(none, { from: '1.1.0', items: { ps_region: { a: 'b' } } })[0]).toMatch(/maps ps_region, which neither lost a code nor changed type nor was removed/);
  });

  it('recodes answers through successive mappings, dropping those with no equivalent', () => {
    const steps: Array<VersionMapping['items']> = [{ ps_ethnicity: { other_asian: 'other', uighur: 'uighur' } }, { ps_ethnicity: { other: 'other_group' }, ps_gone: null }, { ps_region: { old_region: null } }];
    expect(applyMappings(steps, { ps_ethnicity: 'other_asian', ps_region: 'old_region', ps_gone: 1 })).toEqual({ ps_ethnicity: 'other_group', ps_gone: 1 });
    const untouched = { ps_ethnicity: 'kazakh' };
    expect(applyMappings(steps, untouched)).toBe(untouched);
  });
});

describe('which version a server offers and a tablet uses', () => {
  it('offers the shipped current version, or holds a newer one back when pinned', () => {
    expect(versionPolicy('population')).toEqual({ current: '1.1.0', active: ['1.0.0', '1.1.0'] });
    expect(versionPolicy('population', '1.0.0')).toEqual({ current: '1.0.0', active: ['1.0.0'] });
    expect(() => versionPolicy('population', '2.0.0')).toThrow(/no active version 2\.0\.0/);
  });

  it.each([
    ['offline: what was used before', null, ['1.0.0', '1.1.0'], '1.1.0', '1.0.0', { version: '1.0.0', update: false }],
    ['offline, first start: the bundle\'s current', null, ['1.0.0'], '1.0.0', undefined, { version: '1.0.0', update: false }],
    ['online: the server\'s current, which the bundle has', { current: '1.1.0', active: ['1.0.0', '1.1.0'] }, ['1.0.0', '1.1.0'], '1.0.0', '1.0.0', { version: '1.1.0', update: false }],
    ['online: a current newer than the bundle needs the new bundle', { current: '1.1.0', active: ['1.0.0', '1.1.0'] }, ['1.0.0'], '1.0.0', '1.0.0', { version: '1.0.0', update: true }],
    ['online: a pinned older current', { current: '1.0.0', active: ['1.0.0'] }, ['1.0.0', '1.1.0'], '1.1.0', '1.1.0', { version: '1.0.0', update: false }],
  ] as const)('%s', (_why, server, bundled, bundleCurrent, known, expected) => {
    expect(chooseVersion(server ? { current: server.current, active: [...server.active] } : null, bundled, bundleCurrent, known)).toEqual(expected);
  });
});
