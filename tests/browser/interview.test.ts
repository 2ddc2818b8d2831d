// Complete population interviews through the real form in headless Chromium, one in Russian and one in Kazakh:
// each arrives on the server valid, with the answers given, by the interviewer who gave them, with its paradata
// (form and app version, language, device, start and end, a duration per section visited).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { questionnaires } from '../../schemas/surveys.js';
import { standaloneValidators } from '../../schemas/standalone.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { interview, logIn, startHarness, storedResponses, TABLET, type Harness } from './support/form-harness.js';

const APP_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const SYSTEM = new Set(itemsOf('population').filter((i) => i.system).map((i) => i.id));

describe('a complete population interview', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it.each<[Language, number]>([['ru', 41], ['kk', 42]])('in %s arrives valid with correct paradata', async (lang, seed) => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator(`button[data-lang=${lang}]`).click();
    await page.locator('html').and(page.locator(`[lang=${lang}]`)).waitFor();
    const answers = Object.fromEntries(Object.entries(new SyntheticGenerator('population', { seed }).next()).filter(([id]) => !SYSTEM.has(id)));
    const before = new Date();
    const visited = await interview(page, 'population', answers, {
      onPage: async (section) => {
        expect(await page.locator('#section-title').textContent()).toBe(bundles[lang].surveys.population.sections[section]);
      },
    });
    expect(visited).toEqual(questionnaires.population['x-csi-sections'].map((s) => s.id));
    await expect.poll(async () => (await page.locator('#sync-status').getAttribute('data-pending')), { timeout: 20_000 }).toBe('0');

    const stored = (await storedResponses(h, 'population')).filter((r) => r.meta.language === lang);
    expect(stored).toHaveLength(1);
    const response = stored[0]!;
    expect(standaloneValidators.population(response.answers).errors).toEqual([]);
    const { ps_interview_date: date, ...given } = response.answers as Record<string, unknown>;
    expect(given).toEqual(answers);
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(response.interviewer).toBe('ainur');
    const meta = response.meta;
    expect(meta).toMatchObject({ formVersion: questionnaires.population['x-csi-version'], appVersion: APP_VERSION, language: lang, source: 'form' });
    expect(meta.device).toMatch(/Chrome/);
    expect(Date.parse(meta.startedAt)).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(Date.parse(meta.completedAt)).toBeGreaterThanOrEqual(Date.parse(meta.startedAt));
    expect(Object.keys(meta.sectionDurations ?? {}).sort()).toEqual([...visited].sort());
    for (const seconds of Object.values(meta.sectionDurations ?? {})) expect(seconds).toBeGreaterThanOrEqual(0);
    await context.close();
  }, 180_000);
});
