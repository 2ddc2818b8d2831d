// The social concerns in headless Chromium on the real app: until they are set the console says so and an
// organisational interview in Russian asks about "первая социальная проблема"; a coordinator sets them in Russian on
// the console page at 800 px, the API stores them, and the next interview names them in the question, with no
// "{concern" anywhere on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { interview, logIn, startHarness, type Harness } from './support/form-harness.js';

const TABLET = { width: 800, height: 1280 };
const ORG = new Map(itemsOf('organisational').map((i) => [i.id, i]));

/** The Russian labels of the two impact questions as an interviewer sees them, and whether any page showed a placeholder. */
async function impactLabels(h: Harness): Promise<{ labels: string[]; placeholder: boolean }> {
  const context = await h.browser.newContext({ viewport: TABLET, locale: 'ru' });
  const page = await context.newPage();
  const concerns = page.waitForResponse((r) => r.url().endsWith('/api/v1/social-concerns'));
  await logIn(page, h.base, 'organisational');
  await concerns;
  const base = new SyntheticGenerator('organisational', { seed: 5 }).next();
  const answers = Object.fromEntries(Object.entries(base).filter(([id]) => !ORG.get(id)?.system));
  const labels: string[] = [];
  let placeholder = false;
  await interview(page, 'organisational', answers, {
    stopAtReview: true,
    onPage: async (section) => {
      placeholder ||= ((await page.locator('#page').textContent()) ?? '').includes('{concern');
      if (section !== 'impact') return;
      for (const id of ['os_impact_concern_1', 'os_impact_concern_2']) labels.push((await page.locator(`[data-item="${id}"] legend, [data-item="${id}"] label.field`).first().textContent()) ?? '');
    },
  });
  placeholder ||= ((await page.locator('body').textContent()) ?? '').includes('{concern');
  await context.close();
  return { labels, placeholder };
}

describe('social concerns page and form', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('asks about the neutral phrase while no concerns are set', async () => {
    const { labels, placeholder } = await impactLabels(h);
    expect(labels).toHaveLength(2);
    expect(labels[0]).toContain(bundles.ru.common.ui.concern1_neutral);
    expect(labels[1]).toContain(bundles.ru.common.ui.concern2_neutral);
    expect(placeholder).toBe(false);
  }, 180_000);

  it('lets a coordinator set them in Russian at 800 px, and the form then names them', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'ru' });
    const page = await context.newPage();
    await page.addInitScript(() => localStorage.setItem('csi-dashboard-lang', 'ru'));
    await page.goto(`${h.base}/dashboard/concerns`);
    await page.locator('#username').fill('coord');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await page.locator('#concern1-ru').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Социальные проблемы');
    // The console says the setting is missing.
    expect(await page.locator('#default').textContent()).toContain('не заданы');
    const names = { concern1: { kk: 'Кедейлік', ru: 'Бедность', en: 'Poverty' }, concern2: { kk: 'Жұмыссыздық', ru: 'Безработица', en: 'Unemployment' } };
    await page.locator('#concern1-ru').fill('Бедность');
    await page.locator('#save').click();
    expect(await page.locator('#message').textContent()).toBe('Сначала исправьте отмеченные поля.');
    expect(await page.locator('#concern1-kk-err').textContent()).toBe('Обязательно, не более 80 символов.');
    for (const [slot, byLang] of Object.entries(names)) {
      for (const [lang, text] of Object.entries(byLang)) await page.locator(`#${slot}-${lang}`).fill(` ${text} `);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Сохранено.');
    expect(await page.locator('#default').count()).toBe(0);
    expect((await h.ctx.as('ainur').get('/api/v1/social-concerns').expect(200)).body).toEqual({ concerns: names, version: 1 });
    await context.close();

    const { labels, placeholder } = await impactLabels(h);
    expect(labels[0]).toContain('Бедность');
    expect(labels[1]).toContain('Безработица');
    expect(placeholder).toBe(false);
  }, 240_000);
});
