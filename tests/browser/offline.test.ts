// Offline-first: interviews completed without a connection survive a reload (the service worker serves the app
// shell, IndexedDB holds the outbox) and arrive exactly once when the network returns; an upload whose response
// is lost after the server stored it is resent and still stored once; a draft survives closing and reopening the
// browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { answer, CHROMIUM, interview, logIn, PHONE, shellReady, startHarness, storedResponses, TABLET, type Harness } from './support/form-harness.js';

const SYSTEM = new Set(itemsOf('population').filter((i) => i.system).map((i) => i.id));
const answersOf = (gen: SyntheticGenerator) => Object.fromEntries(Object.entries(gen.next()).filter(([id]) => !SYSTEM.has(id)));

describe('offline', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('three interviews completed offline, a reload, the network back: exactly three responses', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population', 'ainur');
    await shellReady(page, 'population');
    await context.setOffline(true);
    const gen = new SyntheticGenerator('population', { seed: 501 });
    for (let i = 0; i < 3; i += 1) await interview(page, 'population', answersOf(gen));
    await page.reload();
    await page.locator('#sync-status[data-pending="3"]').waitFor();
    expect(await page.locator('#uploads li').count()).toBe(3);
    expect(await storedResponses(h, 'population')).toHaveLength(0);
    await context.setOffline(false);
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('#uploads li').count()).toBe(0);
    const stored = (await storedResponses(h, 'population')).filter((r) => r.interviewer === 'ainur');
    expect(stored).toHaveLength(3);
    await context.close();
  }, 240_000);

  it('uploads whose responses are lost after the server stored them are resent: still exactly three', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population', 'boris');
    const lost = new Set<string>();
    let resent = 0;
    // The first upload of each interview reaches the server (route.fetch) but its answer never reaches the page.
    await context.route('**/api/v1/surveys/population/responses', async (route) => {
      const id = (route.request().postDataJSON() as { id: string }).id;
      if (!lost.has(id)) {
        await route.fetch();
        lost.add(id);
        await route.abort('connectionreset');
        return;
      }
      resent += 1;
      await route.continue();
    });
    const gen = new SyntheticGenerator('population', { seed: 601 });
    for (let i = 0; i < 3; i += 1) await interview(page, 'population', answersOf(gen));
    await expect.poll(() => lost.size, { timeout: 30_000 }).toBe(3);
    await page.locator('#sync-now').click();
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    expect(resent).toBeGreaterThanOrEqual(3);
    const stored = (await storedResponses(h, 'population')).filter((r) => r.interviewer === 'boris');
    expect(stored.map((r) => r.id).sort()).toEqual([...lost].sort());
    await context.close();
  }, 240_000);

  it('the same interview submitted from two tabs is stored once', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const one = await context.newPage();
    await logIn(one, h.base, 'external', 'ainur');
    const before = (await storedResponses(h, 'external')).length;
    const answers = new SyntheticGenerator('external', { seed: 700 }).next();
    await interview(one, 'external', answers, { stopAtReview: true });
    const two = await context.newPage();
    await two.goto(`${h.base}/forms/external`);
    await two.locator('#drafts li').first().locator('button.primary').click();
    await two.locator('#review').waitFor();
    await two.locator('button[data-lang=en]').click();
    await one.locator('#submit').click();
    await one.locator('#notice').waitFor();
    await two.locator('#submit').click();
    await two.locator('#notice').waitFor();
    expect(await two.locator('#notice').textContent()).toBe(bundles.en.common.ui.already_submitted);
    for (const page of [one, two]) await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    expect(await two.locator('#rejected').count()).toBe(0);
    expect(await storedResponses(h, 'external')).toHaveLength(before + 1);
    await context.close();
  }, 120_000);

  it("on a shared tablet an interview is uploaded only under the interviewer who did it", async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'external', 'ainur');
    const byAinur = async () => (await storedResponses(h, 'external')).filter((r) => r.interviewer === 'ainur').length;
    const ainurBefore = await byAinur();
    await context.setOffline(true);
    const gen = new SyntheticGenerator('external', { seed: 800 });
    await interview(page, 'external', gen.next());
    // Logging out with it waiting asks first (tests/browser/shared-tablet.test.ts); she leaves it for later.
    await page.locator('#logout').click();
    await page.locator('#logout-anyway').click();
    await context.setOffline(false);
    await page.locator('#username').fill('boris');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await page.locator('#new-interview').waitFor();
    expect(await page.locator('#uploads').count()).toBe(0);
    await interview(page, 'external', gen.next());
    await expect.poll(async () => (await storedResponses(h, 'external')).filter((r) => r.interviewer === 'boris').length, { timeout: 30_000 }).toBe(1);
    expect(await byAinur()).toBe(ainurBefore);
    await page.locator('#logout').click();
    await page.locator('#username').fill('ainur');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await expect.poll(byAinur, { timeout: 30_000 }).toBe(ainurBefore + 1);
    await context.close();
  }, 180_000);

  it('a draft survives closing and reopening the browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-profile-'));
    try {
      const items = new Map(itemsOf('population').map((i) => [i.id, i]));
      const first = await chromium.launchPersistentContext(dir, { ...CHROMIUM, viewport: PHONE });
      try {
        const page = first.pages()[0] ?? await first.newPage();
        await logIn(page, h.base, 'population', 'ainur');
        await page.locator('#new-interview').click();
        await answer(page, items.get('ps_region')!, 'pavlodar');
        await answer(page, items.get('ps_age_years')!, 47);
        await answer(page, items.get('ps_ethnicity')!, 'other');
        await answer(page, items.get('ps_ethnicity_other')!, 'Dungan');
      } finally {
        await first.close();
      }
      const second = await chromium.launchPersistentContext(dir, { ...CHROMIUM, viewport: PHONE });
      try {
        const again = second.pages()[0] ?? await second.newPage();
        await again.goto(`${h.base}/forms/population`);
        await again.locator('#drafts li').first().locator('button.primary').click();
        const region = items.get('ps_region')!.codes.indexOf('pavlodar');
        await expect.poll(() => again.locator(`#q-ps_region-${region}`).isChecked()).toBe(true);
        expect(await again.locator('#q-ps_age_years').inputValue()).toBe('47');
        expect(await again.locator('#q-ps_ethnicity_other').inputValue()).toBe('Dungan');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
