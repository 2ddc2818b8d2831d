// What the form says about failures (a recorded `network` or "status code", worded in the interface language, never
// the browser's or the server's English), quota cells by their labels, and interview ids without randomUUID.
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundles, LANGUAGES } from '../../../schemas/labels.js';
import { newId } from '../../../forms/model/ids.js';
import { Texts } from '../../../forms/model/texts.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('failures in the interface language', () => {
  it.each([
    ['network', 'error_network', {}],
    ['401 401.1', 'error_session', {}],
    ['429 429.2', 'error_locked', {}],
    ['429 429.1', 'error_rate_limited', {}],
    ['409 409.1', 'error_conflict', { code: '409.1' }],
    ['400 400.2', 'error_invalid', { code: '400.2' }],
    ['500 500.1', 'error_server', { code: '500.1' }],
    ['502', 'error_server', { code: '502' }],
  ])('%s is %s', (recorded, key, params: Record<string, string>) => {
    for (const lang of LANGUAGES) {
      const text = new Texts(lang, 'population').problem(recorded);
      const template = bundles[lang].common.ui[key] as string;
      expect(template).toBeTruthy();
      expect(text).toBe(template.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? `{${name}}`));
      expect(text).not.toMatch(/Failed to fetch|\{/);
    }
  });
});

describe('quota cells by their labels', () => {
  it('names the variable and the category in each language, derived variables included', () => {
    const label = (id: string) => bundles.en.surveys.population.items[id]?.label;
    expect(new Texts('en', 'population').cell({ ps_gender: 'male', ps_age_band: '18_25' })).toBe(`${label('ps_gender')}: Male, ${label('ps_age_band')}: 18–25`);
    const ru = new Texts('ru', 'population').cell({ ps_gender: 'male' });
    expect(ru).not.toMatch(/ps_gender|male/);
    const kk = new Texts('kk', 'population').cell({ ps_gender: 'male' });
    expect(kk).not.toMatch(/ps_gender|male/);
    expect(kk).not.toBe(ru);
  });
});

describe('interview ids', () => {
  it('uses randomUUID where there is one, and getRandomValues (version 4, distinct) where there is not', () => {
    expect(newId({ getRandomValues: (a) => a, randomUUID: () => 'from-randomUUID' })).toBe('from-randomUUID');
    const plain = { getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) };
    const ids = new Set(Array.from({ length: 1000 }, () => newId(plain)));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
