// The form over plain HTTP on a name other than localhost (csi.test mapped to 127.0.0.1): no secure context, so no
// crypto.randomUUID and no service worker. The form still works online (ids from getRandomValues), tells the
// interviewer in their language that offline work needs HTTPS, and the dashboards tell an admin (from /healthz).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { CHROMIUM, interview, logIn, TABLET } from './support/form-harness.js';

describe('the form without a secure context', () => {
  let ctx: TestApp;
  let server: Server;
  let browser: Browser;
  let base: string;
  let local: string;
  beforeAll(async () => {
    ctx = await makeTestApp('embedded');
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    base = `http://csi.test:${port}`;
    local = `http://localhost:${port}`;
    browser = await chromium.launch({ ...CHROMIUM, args: [...(CHROMIUM.args ?? []), '--host-resolver-rules=MAP csi.test 127.0.0.1'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx?.t.dispose();
  });

  it('completes an interview online, ids from getRandomValues, and says offline work needs HTTPS in the interface language', async () => {
    const context = await browser.newContext({ viewport: TABLET, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${base}/forms/external`);
    expect(await page.evaluate(() => [window.isSecureContext, typeof crypto.randomUUID, 'serviceWorker' in navigator])).toEqual([false, 'undefined', false]);
    expect(await page.locator('#insecure').textContent()).toBe(bundles.ru.common.ui.offline_needs_https);
    await logIn(page, base, 'external');
    await page.locator('button[data-lang=kk]').click();
    expect(await page.locator('#insecure').textContent()).toBe(bundles.kk.common.ui.offline_needs_https);
    const before = (await ctx.t.store.listResponses({ survey: 'external' }, 100)).items.length;
    await interview(page, 'external', new SyntheticGenerator('external', { seed: 31 }).next());
    await expect.poll(async () => (await ctx.t.store.listResponses({ survey: 'external' }, 100)).items.length, { timeout: 30_000 }).toBe(before + 1);
    const stored = (await ctx.t.store.listResponses({ survey: 'external' }, 100)).items.at(-1);
    expect(stored?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await context.close();
  }, 180_000);

  it('on localhost, a secure context: no HTTPS notice', async () => {
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await page.goto(`${local}/forms/external`);
    await page.locator('#login').waitFor();
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(await page.locator('#insecure').count()).toBe(0);
    await context.close();
  }, 60_000);

  async function dashboardAs(url: string, username: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${url}/dashboard/fieldwork`);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await page.locator('#sign-out').waitFor();
    return { page, context };
  }

  it('the dashboards show an admin the plain-HTTP warning from /healthz, in the chosen language; not on localhost, not to others', async () => {
    const { page, context } = await dashboardAs(base, 'admin');
    await page.locator('#transport-warning').waitFor();
    expect(await page.locator('#transport-warning').textContent()).toMatch(/plain HTTP.*csi\.test/);
    await page.locator('#lang-ru').click();
    await expect.poll(() => page.locator('#transport-warning').textContent()).toMatch(/HTTP без шифрования.*csi\.test/);
    await context.close();

    const coordinator = await dashboardAs(base, 'coord');
    const me = coordinator.page.waitForResponse((r) => r.url().endsWith('/api/v1/me'));
    await coordinator.page.reload();
    await me;
    expect(await coordinator.page.locator('#transport-warning').count()).toBe(0);
    await coordinator.context.close();

    const onLocalhost = await dashboardAs(local, 'admin');
    // Asked directly: a /healthz response the page received may belong to the page the reload navigates away from,
    // and its body is then gone.
    expect(await (await onLocalhost.page.request.get(new URL('/healthz', onLocalhost.page.url()).href)).json()).toEqual({ status: 'ok', store: 'embedded' });
    const localMe = onLocalhost.page.waitForResponse((r) => r.url().endsWith('/api/v1/me'));
    await onLocalhost.page.reload();
    await localMe;
    expect(await onLocalhost.page.locator('#transport-warning').count()).toBe(0);
    await onLocalhost.context.close();
  }, 120_000);
});
