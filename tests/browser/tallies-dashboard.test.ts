// The analysts' tallies dashboard in headless Chromium on the real app: sign in, choose items and a breakdown, and
// see bars whose values and intervals are the API's numbers, small groups starred; labels switch language without
// a new request; the URL holds the view; an interviewer is told they cannot see tallies. Screenshots are written to
// artifacts/screenshots/ (not committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_TEXTS } from '../../forms/dashboard/texts.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, TABLET, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const BASE = '/api/v1/surveys/population';

async function signIn(page: Page, base: string, username: string, query = ''): Promise<void> {
  await page.goto(`${base}/dashboard/tallies${query}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
}

describe('tallies dashboard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    const gen = new SyntheticGenerator('population', { seed: 31 });
    for (let i = 0; i < 160; i += 1) await h.ctx.as('ainur').post(`${BASE}/responses`).send(gen.nextSubmission()).expect(201);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('shows weighted bars with the API\'s estimates and intervals, by a breakdown, small groups starred', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst');
    await page.locator('#items').selectOption(['ps_trust_people', 'ps_age_years']);
    await page.locator('#by1').selectOption('ps_gender');
    await page.locator('#show').click();
    await page.locator('section.tally[data-item="ps_age_years"] svg .bar').first().waitFor();

    const api = (await h.ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people,ps_age_years', by: 'ps_gender', weighted: 'true' }).expect(200)).body;
    const trust = api.items[0];
    const bars = page.locator('section.tally[data-item="ps_trust_people"] svg .bar');
    expect(await bars.count()).toBe(trust.overall.estimates.length * (1 + trust.by.groups.length));
    const first = await bars.first().evaluate((el) => ({ estimate: Number(el.getAttribute('data-estimate')), low: Number(el.getAttribute('data-low')), high: Number(el.getAttribute('data-high')) }));
    expect(first).toEqual({ estimate: trust.overall.estimates[0].estimate, low: trust.overall.estimates[0].ci95[0], high: trust.overall.estimates[0].ci95[1] });
    expect(await page.locator('section.tally[data-item="ps_trust_people"] svg .ci').count()).toBe(await bars.count());
    expect(await page.locator('#summary').textContent()).toMatch(/160 responses · weighted: raked to Region of residence \(unverified\)/);
    // A bar's drawn length is its share of the axis.
    const width = Number(await bars.first().getAttribute('width'));
    expect(width / 470).toBeCloseTo(trust.overall.estimates[0].estimate, 2);
    expect(page.url()).toContain('items=ps_age_years%2Cps_trust_people&by=ps_gender');
    await page.screenshot({ path: join(SHOTS, 'dashboard-tallies-en-tablet.png'), fullPage: true });

    // Two-way breakdown with a high small-cell threshold is not offered in the UI; groups under 30 are starred.
    await page.locator('#by1').selectOption('ps_region');
    await page.locator('#show').click();
    await page.locator('section.tally svg .group.small').first().waitFor();
    const smallGroups = await page.locator('section.tally[data-item="ps_trust_people"] svg .group.small').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    expect(smallGroups.length).toBeGreaterThan(0);
    for (const label of smallGroups) expect(label).toContain('*');
    await context.close();
  }, 120_000);

  it('switches labels to Russian and Kazakh without asking the server again, and restores the view from the URL', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst', '?survey=population&items=ps_trust_people&by=ps_gender');
    await page.locator('section.tally svg .bar').first().waitFor();
    let requests = 0;
    page.on('request', (r) => { if (r.url().includes('/tallies')) requests += 1; });
    await page.locator('#lang-ru').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Таблицы');
    expect(await page.locator('section.tally svg').textContent()).toMatch(/Все респонденты/);
    expect(await page.locator('section.tally svg').textContent()).toMatch(/Мужской/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-tallies-ru-tablet.png'), fullPage: true });
    await page.locator('#lang-kk').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Кестелер');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: join(SHOTS, 'dashboard-tallies-kk-phone.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(requests).toBe(0);
    await context.close();
  }, 120_000);

  it('shows the interval method asked for (Korn-Graubard), and means of a 1-10 scale with their intervals', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst', '?survey=population&items=ps_trust_people&ci=beta');
    await page.locator('section.tally svg .bar').first().waitFor();
    expect(await page.locator('#ci').inputValue()).toBe('beta');
    expect(await page.locator('#summary').textContent()).toMatch(/95% CI of shares: Korn–Graubard \(beta\); of means: Wald/);
    const beta = (await h.ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', weighted: 'true', ci: 'beta' }).expect(200)).body.items[0].overall.estimates;
    const bars = await page.locator('section.tally svg .bar').evaluateAll((els) => els.map((el) => [Number(el.getAttribute('data-low')), Number(el.getAttribute('data-high'))]));
    expect(bars).toEqual(beta.map((e: { ci95: [number, number] }) => e.ci95));
    for (const [low, high] of bars as Array<[number, number]>) {
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(1);
    }

    await page.locator('#stat').selectOption('mean');
    await page.locator('#items').selectOption(['ps_justify_cheat_taxes']);
    await page.locator('#by1').selectOption('ps_gender');
    await page.locator('#show').click();
    await page.locator('section.tally[data-item="ps_justify_cheat_taxes"] svg .bar').first().waitFor();
    const api = (await h.ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_justify_cheat_taxes', by: 'ps_gender', weighted: 'true', stat: 'mean', ci: 'beta' }).expect(200)).body.items[0];
    const means = page.locator('section.tally[data-item="ps_justify_cheat_taxes"] svg .bar');
    expect(await means.count()).toBe(1 + api.by.groups.length);
    const first = await means.first().evaluate((el) => ({ estimate: Number(el.getAttribute('data-estimate')), low: Number(el.getAttribute('data-low')), high: Number(el.getAttribute('data-high')) }));
    expect(first).toEqual({ estimate: api.overall.estimates[0].estimate, low: api.overall.estimates[0].ci95[0], high: api.overall.estimates[0].ci95[1] });
    expect(page.url()).toContain('stat=mean');
    await page.screenshot({ path: join(SHOTS, 'dashboard-tallies-means-tablet.png'), fullPage: true });
    await context.close();
  }, 120_000);

  it('tells an interviewer that tallies are not for their role', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'ainur');
    await page.locator('#show').click();
    await expect.poll(() => page.locator('#results .error').textContent()).toBe('Your role cannot see tallies.');
    await context.close();
  }, 60_000);

  it('says in the page\'s language that the server cannot be reached, never the browser\'s "Failed to fetch"', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'ru-RU' });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst', '?survey=population&items=ps_trust_people');
    await page.locator('section.tally[data-item="ps_trust_people"]').waitFor();
    await context.setOffline(true);
    await page.locator('#show').click();
    await expect.poll(() => page.locator('#results .error').textContent()).toBe(DASHBOARD_TEXTS.ru.errNetwork);
    await context.close();
  }, 60_000);
});
