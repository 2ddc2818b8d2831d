// Quotas at screening in the form: with a full cell (refuse policy) the interview stops politely after the
// screening page, naming the full cell by its labels, with a way back to correct the screening answers; nothing is
// stored; in an open cell the form holds a slot under the interview's id, and the
// submitted response consumes it; a discarded interview gives its slot back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { answer, interview, logIn, startHarness, storedResponses, TABLET, type Harness, type Page } from './support/form-harness.js';

const POP = new Map(itemsOf('population').map((i) => [i.id, i]));
const QUOTAS = '/api/v1/surveys/population/quotas';
const SCREENING = ['ps_interview_language', 'ps_region', 'ps_settlement_type', 'ps_gender', 'ps_age_years', 'ps_ethnicity', 'ps_ethnicity_other'];

function respondent(gender: 'male' | 'female', seed: number): Record<string, unknown> {
  const base = new SyntheticGenerator('population', { seed }).next();
  return Object.fromEntries(Object.entries({ ...base, ps_gender: gender }).filter(([id]) => !POP.get(id)?.system));
}

async function screen(page: Page, answers: Record<string, unknown>): Promise<void> {
  await page.locator('#new-interview').click();
  for (const id of SCREENING) if (answers[id] !== undefined) await answer(page, POP.get(id)!, answers[id]);
  await page.locator('#next').click();
}

describe('quotas at screening in the form', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const plan = { policy: 'refuse', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 0 }, { categories: { ps_gender: 'female' }, target: 5 }] }] };
    await h.ctx.as('coord').put(QUOTAS).send(plan).expect(200);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('stops politely when the respondent\'s cell is full, storing nothing', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await screen(page, respondent('male', 3));
    await page.locator('#stopped').waitFor();
    expect(await page.locator('#stopped').getAttribute('role')).toBe('alert');
    expect(await storedResponses(h, 'population')).toHaveLength(0);
    await context.close();
  }, 120_000);

  it('offline, decides from the last synced status: a cell full then stops the interview, an open one goes on', async () => {
    const status = (await h.ctx.as('ainur').get(`${QUOTAS}/status`).expect(200)).body;
    expect(status.full).toEqual([{ quota: 'gender', categories: { ps_gender: 'male' } }]);
    expect(JSON.stringify(status)).not.toMatch(/achieved|reserved|target/);
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    const synced = page.waitForResponse((r) => r.url().endsWith('/quotas/status') && r.ok());
    await logIn(page, h.base, 'population');
    await synced;
    await context.setOffline(true);
    await screen(page, respondent('male', 6));
    await page.locator('#stopped').waitFor();
    await page.locator('#end-interview').click();
    await screen(page, respondent('female', 7));
    await page.locator('#page:not([data-section="screening"])').waitFor();
    await context.close();
  }, 120_000);

  it('holds a slot for an open cell under the interview\'s id, which the submission consumes', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    const screened = page.waitForResponse((r) => r.url().endsWith('/quotas/screen'));
    await interview(page, 'population', respondent('female', 4));
    expect((await screened).status()).toBe(200);
    await expect.poll(async () => (await storedResponses(h, 'population')).length, { timeout: 20_000 }).toBe(1);
    const progress = JSON.stringify((await h.ctx.as('coord').get(`${QUOTAS}/progress`).expect(200)).body);
    expect(progress).toMatch(/"achieved":1/);
    expect(progress).not.toMatch(/"reserved":[1-9]/);
    await context.close();
  }, 180_000);

  it('gives the slot back when a screened interview is discarded', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await logIn(page, h.base, 'population');
    const reservedSlots = async () => [...JSON.stringify((await h.ctx.as('coord').get(`${QUOTAS}/progress`).expect(200)).body).matchAll(/"reserved":(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const released = page.waitForRequest((r) => r.method() === 'DELETE' && r.url().includes('/quotas/reservations/'));
    const screened = page.waitForResponse((r) => r.url().endsWith('/quotas/screen'));
    await screen(page, respondent('female', 5));
    // Its body is not read here: since API answers are Cache-Control: no-store, the DevTools protocol has no body
    // to hand over for this one (getResponseBody: no data found). The slot it held is counted below instead.
    expect((await screened).status()).toBe(200);
    await page.locator('#page:not([data-section="screening"])').waitFor();
    expect(await reservedSlots()).toBe(1);
    await page.goto(`${h.base}/forms/population`);
    const draft = page.locator('#drafts li').first();
    const draftId = await draft.getAttribute('data-draft');
    await draft.locator('button:not(.primary)').click();
    const request = await released;
    expect(request.url()).toMatch(new RegExp(`/quotas/reservations/${draftId}$`));
    await expect.poll(reservedSlots).toBe(0);
    await context.close();
  }, 120_000);

  // Last: it leaves a slot held (the corrected respondent's), which the counts above do not expect.
  it('names the full cell by its labels and lets the interviewer go back to correct a mistaken screening answer', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator('button[data-lang=ru]').click();
    const stored = (await storedResponses(h, 'population')).length;
    await screen(page, respondent('male', 8));
    await page.locator('#stopped').waitFor();
    const gender = bundles.ru.surveys.population.items.ps_gender?.label;
    const male = bundles.ru.surveys.population.options.ps_gender?.male;
    expect(await page.locator('#full-cells li').allTextContents()).toEqual([bundles.ru.common.ui.quota_full_cell?.replace('{cell}', `${gender}: ${male}`)]);
    // The gender was tapped wrongly: back to screening, the answers kept, correct it, and the interview goes on.
    await page.locator('#correct-screening').click();
    await page.locator('#page[data-section="screening"]').waitFor();
    expect(await page.locator(`#q-ps_age_years`).inputValue()).not.toBe('');
    await answer(page, POP.get('ps_gender')!, 'female');
    await page.locator('#next').click();
    await page.locator('#page:not([data-section="screening"])').waitFor();
    expect(await storedResponses(h, 'population')).toHaveLength(stored);
    await context.close();
  }, 120_000);
});
