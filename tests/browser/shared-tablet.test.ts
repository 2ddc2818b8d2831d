// A shared tablet: logging out with interviews waiting asks first and offers to upload them; the next interviewer
// never sees someone else's waiting interviews as their own or as an error; upload failures (no network, a server
// error) are worded in the interface language, never the browser's "Failed to fetch" or the server's English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { interview, logIn, startHarness, storedResponses, TABLET, type Harness, type Page } from './support/form-harness.js';

const ui = (lang: 'en' | 'ru' | 'kk', key: string, params: Record<string, string | number> = {}) =>
  (bundles[lang].common.ui[key] as string).replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));

async function logInAs(page: Page, username: string): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#new-interview').waitFor();
}

describe('a shared tablet', () => {
  let h: Harness;
  const gen = new SyntheticGenerator('external', { seed: 900 });
  const storedBy = async (who: string) => (await storedResponses(h, 'external')).filter((r) => r.interviewer === who).length;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('logging out with an interview waiting asks, offers to upload it first, and says so in the interface language when it cannot', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await logIn(page, h.base, 'external', 'ainur');
    await context.setOffline(true);
    await interview(page, 'external', gen.next());
    await page.locator('#sync-now').click();
    await expect.poll(() => page.locator('#sync-status').textContent()).toContain(ui('en', 'error_network'));
    expect(await page.locator('#sync-status').textContent()).not.toMatch(/fetch/i);

    await page.locator('#logout').click();
    expect(await page.locator('#logout-confirm #logout-question').textContent()).toBe(ui('en', 'logout_pending', { count: 1 }));
    await page.locator('#logout-cancel').click();
    expect(await page.locator('#logout-confirm').count()).toBe(0);
    expect(await page.locator('#new-interview').count()).toBe(1);

    // Still offline: "upload, then log out" cannot upload, so the interviewer stays logged in and is told.
    await page.locator('#logout').click();
    await page.locator('button[data-lang=ru]').click();
    expect(await page.locator('#logout-question').textContent()).toBe(ui('ru', 'logout_pending', { count: 1 }));
    await page.locator('#logout-upload').click();
    await expect.poll(() => page.locator('#logout-question').textContent()).toBe(ui('ru', 'logout_still_pending', { count: 1 }));
    expect(await storedBy('ainur')).toBe(0);

    // Back online: the same button uploads, then logs out.
    await context.setOffline(false);
    await page.locator('#logout-upload').click();
    await page.locator('#login').waitFor();
    expect(await storedBy('ainur')).toBe(1);
    await context.close();
  }, 180_000);

  it("the next interviewer sees nothing waiting and no error for someone else's interview; its owner's next login uploads it", async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await logIn(page, h.base, 'external', 'ainur');
    await context.setOffline(true);
    await interview(page, 'external', gen.next());
    await page.locator('#logout').click();
    await page.locator('#logout-anyway').click();
    await page.locator('#login').waitFor();
    await context.setOffline(false);

    await logInAs(page, 'boris');
    await page.locator('#sync-status[data-pending="0"]').waitFor();
    const status = page.locator('#sync-status');
    expect(await status.textContent()).toBe(ui('en', 'sync_done'));
    expect(await status.getAttribute('class')).not.toMatch(/error/);
    expect(await page.locator('#uploads, #rejected').count()).toBe(0);
    // Boris logs out without being asked: nothing of his waits.
    await page.locator('#logout').click();
    await page.locator('#login').waitFor();

    const before = await storedBy('ainur');
    await logInAs(page, 'ainur');
    await expect.poll(() => storedBy('ainur'), { timeout: 30_000 }).toBe(before + 1);
    await context.close();
  }, 180_000);

  it('a server error while uploading is shown in the interface language, with its code', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-GB' });
    const page = await context.newPage();
    await logIn(page, h.base, 'external', 'boris');
    await page.locator('button[data-lang=kk]').click();
    await context.route('**/api/v1/surveys/external/responses', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: '503.1', message: 'The store is unavailable.', details: {} }) }));
    await interview(page, 'external', gen.next());
    await expect.poll(() => page.locator('#sync-status').textContent(), { timeout: 30_000 }).toContain(ui('kk', 'error_server', { code: '503.1' }));
    expect(await page.locator('#sync-status').textContent()).not.toMatch(/unavailable/);
    await context.unroute('**/api/v1/surveys/external/responses');
    await page.locator('#sync-now').click();
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    await context.close();
  }, 180_000);
});
