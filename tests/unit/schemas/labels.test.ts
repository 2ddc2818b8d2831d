// Every label key exists in en, ru and kk: items, options of every code, sections, grids and messages.
import { describe, expect, it } from 'vitest';
import { itemsOf } from '../../../schemas/items.js';
import { bundles, fill, LANGUAGES, optionLabel } from '../../../schemas/labels.js';
import { questionnaires, SURVEY_IDS } from '../../../schemas/surveys.js';

function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => (k === '_meta' ? [] : keyPaths(v, `${prefix}/${k}`)));
}

function placeholders(value: unknown): string[] {
  return typeof value === 'string' ? [...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort() : [];
}

function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => (k === '_meta' ? [] : leaves(v, `${prefix}/${k}`)));
}

describe.each(LANGUAGES)('%s bundles', (lang) => {
  const b = bundles[lang];

  it('have the same keys as English, with the same placeholders', () => {
    expect(keyPaths(b.common)).toEqual(keyPaths(bundles.en.common));
    for (const s of SURVEY_IDS) expect(keyPaths(b.surveys[s])).toEqual(keyPaths(bundles.en.surveys[s]));
    const en = new Map([...leaves(bundles.en.common), ...SURVEY_IDS.flatMap((s) => leaves(bundles.en.surveys[s], s))]);
    for (const [path, value] of [...leaves(b.common), ...SURVEY_IDS.flatMap((s) => leaves(b.surveys[s], s))]) {
      expect(typeof value, path).toBe('string');
      expect((value as string).trim(), path).not.toBe('');
      expect(placeholders(value), path).toEqual(placeholders(en.get(path)));
    }
  });

  it('say whether they are reviewed', () => {
    for (const meta of [b.common._meta, ...SURVEY_IDS.map((s) => b.surveys[s]._meta)]) {
      expect(meta.language).toBe(lang);
      if (lang !== 'en') expect(meta.note).toMatch(/not yet reviewed by a native speaker/);
    }
  });

  it.each(SURVEY_IDS)('label every item, code, section and grid of %s', (survey) => {
    const sb = b.surveys[survey];
    for (const item of itemsOf(survey)) {
      expect(sb.items[item.id]?.label, item.id).toBeTruthy();
      for (const code of [...item.codes, ...(item.special ? ['dk', 'ref'] : [])]) {
        expect(optionLabel(lang, survey, item.optionSet, code), `${item.id}=${String(code)}`).toBeTruthy();
      }
      if (item.grid) expect(sb.grids[item.grid], item.grid).toBeTruthy();
    }
    for (const section of questionnaires[survey]['x-csi-sections']) expect(sb.sections[section.id], section.id).toBeTruthy();
    const derived = (questionnaires[survey].$defs.derived?.properties ?? {}) as Record<string, { enum: string[] }>;
    for (const [id, def] of Object.entries(derived)) {
      expect(sb.items[id]?.label, id).toBeTruthy();
      for (const code of def.enum) expect(sb.options[id]?.[code], `${id}=${code}`).toBeTruthy();
    }
  });

  it('have a message for every item-level message override', () => {
    for (const survey of SURVEY_IDS) {
      for (const item of itemsOf(survey)) for (const id of Object.values(item.messages)) expect(b.common.messages[id], id).toBeTruthy();
    }
  });
});

describe('fill', () => {
  it.each([
    ['Must be at least {limit}.', { limit: 18 }, 'Must be at least 18.'],
    ['{type} күтіледі.', { type: 'бүтін сан' }, 'бүтін сан күтіледі.'],
    ['Unknown {name} stays', {}, 'Unknown {name} stays'],
  ])('%s', (template, params, expected) => {
    expect(fill(template, params)).toBe(expected);
  });
});
