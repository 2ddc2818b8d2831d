// The dashboards' download buttons in headless Chromium, in Kazakh, as an analyst uses them: the tallies and the
// indicator matrix as CSV (a UTF-8 BOM first, numbers rounded as the page shows them, never 17 digits, Kazakh names)
// and as Excel (read back by R's readxl with the same rounded numbers). At 800px wide the buttons are on screen.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { readxlSheet } from '../support/readxl.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';

const SIZES: Record<SurveyId, number> = { population: 120, organisational: 30, external: 15 };
const NARROW = { width: 800, height: 900 };

async function signInKazakh(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('#lang-kk').click();
  await page.locator('#username').fill('analyst');
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
}

/** Clicks a button and returns the file the browser saved, with the name it offered. */
async function downloadVia(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

const decimals = (cell: string) => (cell.includes('.') ? cell.split('.')[1]!.length : 0);
const KAZAKH = /[әғқңөұүһі]/i;

describe('dashboard downloads in Kazakh', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // 120 synthetic respondents leave some region of the shipped margins empty: weight to sex alone.
    await h.ctx.as('coord').put('/api/v1/surveys/population/margins')
      .send({ variables: [{ variable: 'ps_gender', shares: { male: 0.47, female: 0.53 }, source: 'test', status: 'sourced' }] }).expect(200);
    for (const [k, survey] of (Object.keys(SIZES) as SurveyId[]).entries()) {
      const gen = new SyntheticGenerator(survey, { seed: 1900 + k });
      for (let i = 0; i < SIZES[survey]; i += 1) await h.ctx.as('ainur').post(`/api/v1/surveys/${survey}/responses`).send(gen.nextSubmission()).expect(201);
    }
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('tallies: CSV with a BOM and displayed rounding, and Excel with the same numbers', async () => {
    const context = await h.browser.newContext({ viewport: NARROW, locale: 'kk-KZ', acceptDownloads: true });
    const page = await context.newPage();
    await signInKazakh(page, `${h.base}/dashboard/tallies?survey=population&items=ps_trust_people,ps_age_years&by=ps_gender`);
    await page.locator('section.tally[data-item="ps_trust_people"] svg .bar, #results .error').first().waitFor();
    expect(await page.locator('#results .error').count(), await page.locator('#results').textContent() ?? '').toBe(0);
    expect(await page.locator('#csv').textContent()).toBe('CSV жүктеу');
    expect(await page.locator('#xlsx').textContent()).toBe('Excel жүктеу');
    expect(await page.locator('#xlsx').evaluate((b) => b.getBoundingClientRect().right <= window.innerWidth)).toBe(true);

    const csv = await downloadVia(page, '#csv');
    expect(csv.name).toBe('population-tallies.csv');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csv.bytes, { columns: true, bom: true }) as Array<Record<string, string>>;
    const api = (await h.ctx.as('analyst').get('/api/v1/surveys/population/tallies').query({ items: 'ps_trust_people,ps_age_years', by: 'ps_gender', weighted: 'true' }).expect(200)).body;
    const overall = api.items[0].overall.estimates[0];
    const row = rows.find((r) => r.item === 'ps_trust_people' && r.group === 'all' && r.category === overall.category);
    expect(Math.abs(Number(row?.estimate) - overall.estimate)).toBeLessThanOrEqual(0.0005 + 1e-12);
    // The page shows this share as a percentage to one decimal: the file's proportion to three decimals says the same.
    const shown = await page.locator('section.tally[data-item="ps_trust_people"] table.numbers tbody tr').first().locator('td.num').first().textContent();
    expect(shown).toBe(`${(Number(row?.estimate) * 100).toFixed(1)}%`);
    for (const r of rows) {
      for (const column of ['estimate', 'se', 'ci95_low', 'ci95_high', 'deff', 'kish_effective_n', 'weighted_total']) {
        expect(decimals(r[column]!), `${r.item} ${r.group} ${r.category} ${column}=${r[column]}`).toBeLessThanOrEqual(3);
      }
    }

    const xlsx = await downloadVia(page, '#xlsx');
    expect(xlsx.name).toBe('population-tallies.xlsx');
    const sheet = readxlSheet(xlsx.bytes, 'tallies');
    expect(sheet.rows.map((r) => Number(r.estimate))).toEqual(rows.map((r) => Number(r.estimate)));
    expect(sheet.types.estimate).toBe('numeric');
    await context.close();
  });

  it('indicators: CSV with a BOM, Kazakh names and scores to one decimal, and Excel with the same', async () => {
    const context = await h.browser.newContext({ viewport: NARROW, locale: 'kk-KZ', acceptDownloads: true });
    const page = await context.newPage();
    await signInKazakh(page, `${h.base}/dashboard/indicators`);
    await page.locator('#matrix table.matrix tbody tr').first().waitFor();
    expect(await page.locator('#xlsx').textContent()).toBe('Excel жүктеу');

    const csv = await downloadVia(page, '#csv');
    expect(csv.name).toBe('csi-indicators.csv');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csv.bytes, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.filter((r) => r.level === 'dimension').every((r) => KAZAKH.test(r.name!))).toBe(true);
    for (const r of rows) {
      expect(decimals(r.value!), `${r.id} value=${r.value}`).toBeLessThanOrEqual(1);
      expect(decimals(r.se!), `${r.id} se=${r.se}`).toBeLessThanOrEqual(1);
    }
    // The file's value is the score on the page.
    const first = await page.locator('#matrix table.matrix > tbody > tr[data-level="indicator"]').first().evaluate((tr) => ({ id: tr.getAttribute('data-id'), score: tr.querySelector(':scope > td.score')?.textContent }));
    expect(rows.find((r) => r.level === 'indicator' && r.id === first.id)?.value).toBe(first.score);

    const xlsx = await downloadVia(page, '#xlsx');
    expect(xlsx.name).toBe('csi-indicators.xlsx');
    const sheet = readxlSheet(xlsx.bytes, 'indicators');
    expect(sheet.rows.map((r) => r.name)).toEqual(rows.map((r) => r.name));
    expect(sheet.rows.map((r) => (r.value === '' ? null : Number(r.value)))).toEqual(rows.map((r) => (r.value === '' ? null : Number(r.value))));
    await context.close();
  });
});
