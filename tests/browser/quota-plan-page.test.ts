// The quota plan page in headless Chromium on the real app: a coordinator lowers a cell's target in the browser and
// screening then refuses that cell; a second editor who loaded the plan before is told, in Russian, that someone
// else saved meanwhile (412), and loads the current version; a target that is not a whole number is marked beside
// its cell; the allocation helper drafts cells shown by their labels (never item ids); CSV goes out and back in as
// a new version; a region-scoped coordinator sees the plan read-only with the reason. Tablet (800×1280) and desktop
// (1440×900) without sideways scrolling. Screenshots go to artifacts/screenshots/ (not committed).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const QUOTAS = '/api/v1/surveys/population/quotas';
const TABLET = { width: 800, height: 1280 };
const DESKTOP = { width: 1440, height: 900 };
const FEMALE = 'gender:female';

async function open(h: Harness, username: string, lang: 'en' | 'ru' | 'kk', viewport = TABLET): Promise<Page> {
  const context = await h.browser.newContext({ viewport, locale: lang, acceptDownloads: true });
  const page = await context.newPage();
  await page.addInitScript((l) => localStorage.setItem('csi-dashboard-lang', l), lang);
  await page.goto(`${h.base}/dashboard/quotas`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#version').waitFor();
  return page;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('quota plan page', () => {
  let h: Harness;
  const screenFemale = () => h.ctx.as('ainur').post(`${QUOTAS}/screen`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } });
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    const plan = { policy: 'refuse', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 10 }, { categories: { ps_gender: 'female' }, target: 10 }] }] };
    await h.ctx.as('coord').put(QUOTAS).send(plan).expect(200);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('saves a target edited in the browser, and screening follows it; a stale second editor is told in Russian', async () => {
    const first = await screenFemale().expect(200);
    await h.ctx.as('ainur').delete(`${QUOTAS}/reservations/${first.body.reservation.id}`).expect(204);
    const coord = await open(h, 'coord', 'en');
    const admin = await open(h, 'admin', 'ru');
    expect(await coord.locator('#version').textContent()).toMatch(/^Version 1, saved .* by coord$/);
    expect(await coord.locator('section.quota h2').textContent()).toBe('Gender');
    expect(await coord.locator(`tr[data-cell="${FEMALE}"] th`).textContent()).toBe('Female');

    await coord.locator(`tr[data-cell="${FEMALE}"] input.target`).fill('0');
    expect(await coord.locator('#total-0').textContent()).toBe('10');
    await coord.locator('#save').click();
    await expect.poll(() => coord.locator('#message').textContent()).toBe('Saved.');
    expect(await coord.locator('#version').textContent()).toMatch(/^Version 2,/);
    const refused = await screenFemale().expect(409);
    expect(refused.body).toMatchObject({ code: '409.6', details: { planVersion: 2 } });
    await coord.screenshot({ path: join(SHOTS, 'dashboard-quotas-en-tablet.png'), fullPage: true });

    // The admin loaded version 1 before the coordinator saved.
    await admin.locator(`tr[data-cell="${FEMALE}"] input.target`).fill('25');
    await admin.locator('#save').click();
    await expect.poll(() => admin.locator('#message').textContent()).toBe('Пока вы редактировали версию 1, кто-то другой сохранил версию 2 плана. Ваши изменения не сохранены. Загрузите текущую версию и внесите изменения заново.');
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.quotas[0].cells[1].target).toBe(0);
    await admin.locator('#load-current').click();
    await expect.poll(() => admin.locator('#version').textContent()).toMatch(/^Версия 2,/);
    expect(await admin.locator(`tr[data-cell="${FEMALE}"] input.target`).inputValue()).toBe('0');
    expect(await admin.locator(`tr[data-cell="${FEMALE}"] th`).textContent()).toBe('Женский');
    await admin.context().close();
    await coord.context().close();
  }, 180_000);

  it('marks a target that is not a whole number beside its cell, in the page\'s language, and saves nothing', async () => {
    const page = await open(h, 'coord', 'kk');
    const row = page.locator(`tr[data-cell="${FEMALE}"]`);
    await row.locator('input.target').fill('12,5');
    expect(await row.locator('td.error').textContent()).toBe('Мақсат — 0-ден 1 000 000-ға дейінгі бүтін сан.');
    expect(await row.locator('input.target').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#save').click();
    expect(await page.locator('#message').textContent()).toBe('Алдымен белгіленген өрістерді түзетіңіз.');
    expect((await h.ctx.as('coord').get(`${QUOTAS}/versions`).expect(200)).body.versions).toHaveLength(2);
    await page.context().close();
  }, 120_000);

  it('drafts region × gender cells from the margins, shown by their labels, and stores them as the next version', async () => {
    const page = await open(h, 'coord', 'ru', DESKTOP);
    await page.locator('#alloc-total').fill('600');
    await page.locator('#alloc-minimum').fill('5');
    await page.locator('#allocate').click();
    await expect.poll(() => page.locator('section.quota h2').allTextContents()).toEqual(['Регион × Пол']);
    const heads = await page.locator('section.quota thead th').allTextContents();
    expect(heads.slice(0, 3)).toEqual(['Регион', 'Пол', 'Цель']);
    expect(await page.locator('section.quota tbody tr').count()).toBe(32);
    expect(await page.locator('#total-0').textContent()).toBe('600');
    const text = (await page.locator('main').textContent()) as string;
    expect(text).not.toMatch(/ps_region|ps_gender|almaty_city|\bfemale\b/);
    expect(text).toContain('Алматы');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'dashboard-quotas-ru-desktop.png'), fullPage: true });
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Сохранено.');
    const stored = (await h.ctx.as('coord').get(QUOTAS).expect(200)).body;
    expect(stored).toMatchObject({ version: 3, quotas: [{ variables: ['ps_region', 'ps_gender'] }] });
    expect(await page.locator('#history tbody tr').count()).toBe(3);
    await page.context().close();
  }, 120_000);

  it('downloads the plan as CSV and stores an uploaded CSV as the next version', async () => {
    const page = await open(h, 'coord', 'en');
    const download = page.waitForEvent('download');
    await page.locator('#csv-download').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('quota,variables,categories,target');
    expect(csv).toContain('ps_region*ps_gender,ps_region|ps_gender,akmola|female,');
    await page.locator('#csv-file').setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,male,40\nps_gender,female,45\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('The file was stored as version 4.');
    expect(await page.locator(`tr[data-cell="ps_gender:female"] input.target`).inputValue()).toBe('45');
    await page.locator('#csv-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,female,many\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('The file was not stored. Line 2: the target must be a whole number, 0 or more');
    await page.locator('#lang-ru').click();
    await page.locator('#csv-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,male,3\nps_gender,akmola,4\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('Файл не сохранён. Строка 3: akmola — не категория переменной «Пол»');
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.version).toBe(4);
    await page.context().close();
  }, 120_000);

  it('shows a region-scoped coordinator the plan read-only, saying why', async () => {
    for (const viewport of [TABLET, DESKTOP]) {
      const page = await open(h, 'coord_akm', 'en', viewport);
      expect(await page.locator('#read-only').textContent()).toBe('You coordinate Akmola oblast, Aktobe oblast: national settings are for a coordinator of the whole country or an admin. You can look, not change.');
      expect(await page.locator('#save').count()).toBe(0);
      expect(await page.locator('#allocation').count()).toBe(0);
      expect(await page.locator('input.target').first().isDisabled()).toBe(true);
      expect(await noSidewaysScroll(page)).toBe(true);
      await page.context().close();
    }
    // The API refuses the write whatever the page shows.
    await h.ctx.as('coord_akm').put(QUOTAS).send({ quotas: [] }).expect(404);
  }, 120_000);

  it('shows an analyst the plan read-only and tells an interviewer the page is not for their role', async () => {
    const analyst = await open(h, 'analyst', 'ru');
    expect(await analyst.locator('#read-only').textContent()).toBe('Ваша роль может смотреть эти настройки, но не менять их.');
    expect(await analyst.locator('#save').count()).toBe(0);
    await analyst.context().close();
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await page.addInitScript(() => localStorage.setItem('csi-dashboard-lang', 'kk'));
    await page.goto(`${h.base}/dashboard/quotas`);
    await page.locator('#username').fill('ainur');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await expect.poll(() => page.locator('#page-error').textContent()).toBe('Сіздің рөліңізге бұл бет қолжетімсіз.');
    await context.close();
  }, 120_000);
});
