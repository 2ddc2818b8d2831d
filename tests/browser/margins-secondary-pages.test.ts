// The population margins and secondary data pages in headless Chromium on the real app: the sum of a variable's
// shares is checked as it is typed (and a sum off 100 is not saved), a collapse, shares, source, year and status are
// saved and audited; secondary inputs are saved with value, source and year and shown again after a reload; a
// region-scoped coordinator sees both read-only with the reason, in their language. Tablet (800×1280) and desktop
// (1440×900) without sideways scrolling.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const TABLET = { width: 800, height: 1280 };
const DESKTOP = { width: 1440, height: 900 };

async function open(h: Harness, path: string, username: string, lang: 'en' | 'ru' | 'kk', viewport = TABLET): Promise<Page> {
  const context = await h.browser.newContext({ viewport, locale: lang });
  const page = await context.newPage();
  await page.addInitScript((l) => localStorage.setItem('csi-dashboard-lang', l), lang);
  await page.goto(`${h.base}/dashboard/${path}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('main h1 + *').waitFor();
  // The first thing after the title may be the loading line: the page is ready when it has gone.
  await page.locator('main .loading').waitFor({ state: 'detached' });
  return page;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('margins and secondary data pages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('checks the sum of the shares as they are typed, refuses a sum off 100, and saves a corrected one with its collapse', async () => {
    const page = await open(h, 'margins', 'coord', 'en');
    expect(await page.locator('#default').count()).toBe(1);
    const gender = page.locator('section[data-variable="ps_gender"]');
    expect(await gender.locator('h2').textContent()).toBe('Gender');
    expect(await gender.locator('#sum-ps_gender').textContent()).toBe('Sum: 100% · adds up to 100');
    await gender.locator('#share-ps_gender-female').fill('55');
    expect(await gender.locator('#sum-ps_gender').textContent()).toBe('Sum: 103.2% · must add up to 100 (± 0.5)');
    await page.locator('#save').click();
    expect(await page.locator('#message').textContent()).toBe('Correct the marked fields first.');
    expect((await h.ctx.as('coord').get('/api/v1/surveys/population/margins').expect(200)).body.default).toBe(true);
    await gender.locator('#share-ps_gender-male').fill('45');
    expect(await gender.locator('#sum-ps_gender').textContent()).toBe('Sum: 100% · adds up to 100');
    const ethnicity = page.locator('section[data-variable="ps_ethnicity"]');
    expect(await ethnicity.locator('h2').textContent()).toBe('Ethnic group');
    await ethnicity.locator('#collapse-ps_ethnicity-german').selectOption('other');
    expect(await ethnicity.locator('#share-ps_ethnicity-german').isDisabled()).toBe(true);
    expect(await ethnicity.locator('#sum-ps_ethnicity').textContent()).toBe('Sum: 98.9% · must add up to 100 (± 0.5)');
    await ethnicity.locator('#share-ps_ethnicity-other').fill('9.05');
    expect(await ethnicity.locator('#sum-ps_ethnicity').textContent()).toBe('Sum: 100% · adds up to 100');
    await page.locator('#source-ps_gender').fill('Census 2021');
    await page.locator('#year-ps_gender').fill('2021');
    await page.locator('#status-ps_gender').selectOption('sourced');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'dashboard-margins-en-tablet.png'), fullPage: true });
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Saved.');
    const stored = (await h.ctx.as('analyst').get('/api/v1/surveys/population/margins').expect(200)).body as { default: boolean; variables: Array<Record<string, unknown>> };
    expect(stored.default).toBe(false);
    expect(stored.variables.find((v) => v.variable === 'ps_gender')).toEqual({ variable: 'ps_gender', shares: { male: 45, female: 55 }, source: 'Census 2021', year: 2021, status: 'sourced' });
    expect((stored.variables.find((v) => v.variable === 'ps_ethnicity') as { collapse: Record<string, string> }).collapse).toEqual({ uzbek: 'other', tatar: 'other', german: 'other' });
    // The audit trail has the change.
    expect((await h.ctx.as('admin').get('/api/v1/audit').query({ action: 'margins.updated' }).expect(200)).body.items).toHaveLength(1);
    await page.context().close();
  }, 120_000);

  it('saves secondary inputs with value, source and year, and shows them again after a reload', async () => {
    const page = await open(h, 'secondary', 'admin', 'ru', DESKTOP);
    const cpi = page.locator('section[data-input="cpi"]');
    expect(await cpi.locator('h2').textContent()).toBe('Индекс восприятия коррупции Transparency International (0–10, 10 = совсем нет коррупции)');
    await cpi.locator('#value-cpi').fill('3,1');
    await cpi.locator('#source-cpi').fill('Transparency International, CPI 2024');
    await cpi.locator('#year-cpi').fill('24');
    expect(await cpi.locator('#year-cpi-err').textContent()).toBe('Год от 1900 до 2100.');
    await cpi.locator('#year-cpi').fill('2024');
    expect(await cpi.locator('#year-cpi-err').textContent()).toBe('');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Сохранено.');
    const stored = (await h.ctx.as('analyst').get('/api/v1/indicators/secondary').expect(200)).body;
    expect(stored.default).toBe(false);
    expect(stored.values.cpi).toEqual({ value: 3.1, source: 'Transparency International, CPI 2024', year: 2024, status: 'derived', note: expect.any(String) });
    await page.reload();
    await page.locator('#value-cpi').waitFor();
    expect(await page.locator('#value-cpi').inputValue()).toBe('3.1');
    expect(await page.locator('#year-cpi').inputValue()).toBe('2024');
    await page.screenshot({ path: join(SHOTS, 'dashboard-secondary-ru-desktop.png'), fullPage: true });
    await page.context().close();
  }, 120_000);

  it('shows a region-scoped coordinator both pages read-only, saying why, in Kazakh', async () => {
    for (const [path, viewport] of [['margins', TABLET], ['secondary', DESKTOP]] as const) {
      const page = await open(h, path, 'coord_akm', 'kk', viewport);
      expect(await page.locator('#read-only').textContent()).toMatch(/^Сіз үйлестіретін өңірлер: .+\. Жалпыұлттық баптауларды бүкіл елдің үйлестірушісі немесе әкімші өзгертеді\./);
      expect(await page.locator('#save').count()).toBe(0);
      expect(await page.locator('main input').first().isDisabled()).toBe(true);
      expect(await noSidewaysScroll(page)).toBe(true);
      await page.context().close();
    }
    await h.ctx.as('coord_akm').put('/api/v1/indicators/secondary').send({}).expect(404);
  }, 120_000);
});
