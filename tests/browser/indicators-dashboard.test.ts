// The CSI indicators dashboard in headless Chromium on the real app, from responses of all three surveys
// submitted through the API: an analyst signs in and sees the matrix in Appendix 1 order with the API's scores,
// the Diamond (the server's SVG, its circle sized by dimension 5), bars per sub-dimension, a drill-down to an
// indicator's items and bases, Russian and Kazakh labels, and a print layout without the controls. The Diamond
// SVG is rendered to PNG by Chromium; screenshots go to artifacts/screenshots/ (not committed).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, TABLET, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const SIZES: Record<SurveyId, number> = { population: 120, organisational: 40, external: 20 };

interface Row { id: string; level: string; value: number | null; status: string }
interface Report { indicators: Row[]; subDimensions: Row[]; dimensions: Row[] }

async function signIn(page: Page, base: string, username: string, query = ''): Promise<void> {
  await page.goto(`${base}/dashboard/indicators${query}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
}

const halfUp = (v: number) => (Math.floor(Number((v * 10).toPrecision(12)) + 0.5) / 10).toFixed(1);

describe('indicators dashboard', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    for (const [k, survey] of (Object.keys(SIZES) as SurveyId[]).entries()) {
      const gen = new SyntheticGenerator(survey, { seed: 62 + k });
      for (let i = 0; i < SIZES[survey]; i += 1) await h.ctx.as('ainur').post(`/api/v1/surveys/${survey}/responses`).send(gen.nextSubmission()).expect(201);
    }
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('shows the matrix in Appendix 1 order with the API\'s scores, the Diamond, bars and a drill-down', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst');
    await page.locator('#matrix table.matrix tbody tr').first().waitFor();
    await page.locator('#diamond svg.csi-diamond').waitFor();
    const api = (await h.ctx.as('analyst').get('/api/v1/indicators').expect(200)).body as Report;

    const rows = await page.locator('#matrix table.matrix > tbody > tr').evaluateAll((trs) => trs.map((tr) => ({
      id: tr.getAttribute('data-id'), level: tr.getAttribute('data-level'), score: tr.querySelector(':scope > td.score')?.textContent ?? '',
    })));
    expect(rows).toHaveLength(5 + 27 + 65);
    expect(rows.slice(0, 4).map((r) => `${r.level} ${r.id}`)).toEqual(['dimension 1', 'subDimension 1.1', 'indicator 1.1.1', 'indicator 1.1.2']);
    const all = [...api.dimensions, ...api.subDimensions, ...api.indicators];
    for (const r of rows) {
      const v = all.find((x) => x.id === r.id) as Row;
      expect(r.score, r.id as string).toBe(v.value === null ? 'missing' : halfUp(v.value));
    }
    expect(await page.locator('#matrix tr.indicator.default').count()).toBe(api.indicators.filter((i) => (i as Row & { default: boolean }).default).length);
    expect(await page.locator('#summary').textContent()).toMatch(/120 population, 40 organisational and 20 external responses · population indicators unweighted/);

    // The Diamond: four axes, four points, dimension 5 as a circle whose radius is its score.
    const svg = page.locator('#diamond svg.csi-diamond');
    expect(await svg.locator('.axis').count()).toBe(4);
    expect(await svg.locator('.point').count()).toBe(4);
    const env = api.dimensions.find((d) => d.id === '5') as Row;
    const circle = svg.locator('circle.environment');
    expect(Number(await circle.getAttribute('data-value'))).toBe(env.value);
    expect(Number(await circle.getAttribute('data-radius'))).toBeCloseTo(((env.value as number) / 100) * 160, 9);
    expect(await svg.textContent()).toContain(halfUp(env.value as number));

    // Bars: one per sub-dimension, length by score.
    const bars = page.locator('#bars svg .bar');
    expect(await bars.count()).toBe(27);
    const first = api.subDimensions[0] as Row;
    expect(Number(await bars.first().getAttribute('width'))).toBeCloseTo(((first.value ?? 0) / 100) * 400, 1);

    // Drill-down: items and components with their bases.
    const drill = page.locator('#matrix tr[data-id="1.1.1"] details');
    await drill.locator('summary').click();
    await expect.poll(() => drill.locator('ul.items li').count()).toBe(4);
    // Items by their questions, never their ids.
    expect(await drill.locator('li[data-item="ps_member_religious"]').textContent()).toMatch(/religious/i);
    expect(await drill.textContent()).not.toMatch(/ps_member_religious/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-indicators-en-tablet.png'), fullPage: true });

    // Printable: the controls and the top bar are not printed; the matrix and the Diamond are.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#controls').isVisible()).toBe(false);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('#matrix').isVisible()).toBe(true);
    expect(await page.locator('#diamond svg').isVisible()).toBe(true);
    await page.pdf({ path: join(SHOTS, 'dashboard-indicators-en.pdf'), format: 'A4' });
    await context.close();
  }, 120_000);

  it('renders the Diamond SVG to PNG', async () => {
    const svg = (await h.ctx.as('analyst').get('/api/v1/indicators/diamond.svg').buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => done(null, text));
    }).expect(200)).body as string;
    const context = await h.browser.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    const file = join(SHOTS, 'csi-diamond-en.png');
    await page.locator('svg.csi-diamond').screenshot({ path: file });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const box = await page.locator('svg.csi-diamond').boundingBox();
    expect(width).toBe(Math.round(box?.width ?? 0));
    expect(height).toBe(Math.round(box?.height ?? 0));
    // Drawn, not blank: the diamond polygon has a size on screen.
    const polygon = await page.locator('svg.csi-diamond polygon.diamond').boundingBox();
    expect(polygon?.width).toBeGreaterThan(50);
    await context.close();
  }, 60_000);

  it('speaks Russian and Kazakh, the Diamond too, and restores a weighted view by region from the URL', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst', '?weighted=true&by=ps_region');
    await page.locator('#diamond svg.csi-diamond').waitFor();
    expect(await page.locator('#summary').textContent()).toMatch(/weighted to the population margins|взвешены|салмақталған/);
    await page.locator('#lang-ru').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Индикаторы ИГО');
    await expect.poll(() => page.locator('#diamond svg').textContent()).toMatch(/Гражданская\s*активность/);
    const drill = page.locator('#matrix tr[data-id="5.3.1"] details');
    await drill.locator('summary').click();
    await expect.poll(() => drill.textContent()).toMatch(/В разбивке: Регион проживания/);
    expect(await drill.locator('table.numbers tbody tr').count()).toBeGreaterThanOrEqual(16);
    await page.screenshot({ path: join(SHOTS, 'dashboard-indicators-ru-tablet.png'), fullPage: true });
    await page.locator('#lang-kk').click();
    await expect.poll(() => page.locator('#diamond svg').textContent()).toMatch(/Азаматтық\s*белсенділік/);
    expect(page.url()).toContain('weighted=true&by=ps_region');
    await context.close();
  }, 120_000);

  it('tells an interviewer the indicators are not for their role', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'ainur');
    await expect.poll(() => page.locator('#results .error').textContent()).toBe('Your role cannot see the indicators.');
    await context.close();
  }, 60_000);
});
