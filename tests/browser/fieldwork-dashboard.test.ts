// The coordinators' fieldwork dashboard in headless Chromium on the real app: sign in, see the quota cells' bars,
// the region x age-band table and the interviewers; a response submitted through the API moves the cell's bar
// without a reload (the page follows the event stream); the labels switch language. Screenshots are written to
// artifacts/screenshots/ (not committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, TABLET, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const BASE = '/api/v1/surveys/population';
const FEMALE = 'gender:ps_gender=female';

async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/dashboard/fieldwork`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
}

describe('fieldwork dashboard', () => {
  let h: Harness;
  const gen = new SyntheticGenerator('population', { seed: 11 });
  const respondent = (gender: 'male' | 'female'): Submission => {
    const s = gen.nextSubmission();
    return { ...s, answers: { ...s.answers, ps_gender: gender } };
  };
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    const plan = { quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 10 }, { categories: { ps_gender: 'female' }, target: 10 }] }] };
    await h.ctx.as('coord').put(`${BASE}/quotas`).send(plan).expect(200);
    for (let i = 0; i < 2; i += 1) await h.ctx.as('ainur').post(`${BASE}/responses`).send(respondent('female')).expect(201);
    await h.ctx.as('boris').post(`${BASE}/responses`).send(respondent('male')).expect(201);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('moves a cell\'s progress bar when a response is submitted, without reloading', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord');
    const cell = page.locator(`#progress li[data-cell="${FEMALE}"]`);
    await page.locator(`#progress li[data-cell="${FEMALE}"][data-achieved="2"]`).waitFor();
    await page.locator('#live.on').waitFor();
    const before = Number(await cell.locator('rect.achieved').getAttribute('width'));
    expect(await cell.locator('.cell-numbers').textContent()).toBe('2 of 10 (20%) · 0 reserved · 8 remaining');
    expect(await page.locator('#interviewers tr[data-interviewer]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-interviewer')))).toEqual(['ainur', 'boris']);
    expect(await page.locator('#heat td').count()).toBeGreaterThan(0);
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    await h.ctx.as('ainur').post(`${BASE}/responses`).send(respondent('female')).expect(201);
    await page.locator(`#progress li[data-cell="${FEMALE}"][data-achieved="3"]`).waitFor();
    expect(Number(await cell.locator('rect.achieved').getAttribute('width'))).toBeGreaterThan(before);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'dashboard-fieldwork-en-tablet.png'), fullPage: true });

    await page.locator('#lang-ru').click();
    await expect.poll(() => page.locator('#progress h2').textContent()).toBe('Выполнение квот');
    expect(await cell.locator('.cell-label').textContent()).toMatch(/Женский/);
    await page.locator('#lang-kk').click();
    await expect.poll(() => page.locator('#progress h2').textContent()).toBe('Квоталардың орындалуы');
    await page.screenshot({ path: join(SHOTS, 'dashboard-fieldwork-kk-tablet.png'), fullPage: true });
    await context.close();
  }, 120_000);

  it('tells an interviewer that fieldwork monitoring is not for their role', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'ainur');
    await expect.poll(() => page.locator('main .error').textContent()).toBe('Your role cannot see fieldwork monitoring.');
    await context.close();
  }, 60_000);
});
