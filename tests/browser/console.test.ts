// The console (issue 17) in headless Chromium on the real app, per role: one sign-in at / serves every page and the
// forms; each role's home page and header offer exactly what its role may open; a page opened anyway says so in
// the user's language; an interviewer created in the browser must choose a new password, then interviews; an
// admin resets a password and revokes a token in the browser and finds both in the audit trail. Screenshots of each
// role's home page go to artifacts/screenshots/, or to docs/screenshots/ for the README (`npm run screenshots`).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = process.env.CSI_DOCS_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'artifacts', 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
/** Sign-ins and password checks are scrypt on a shared machine: answers may take seconds. */
const SLOW = { timeout: 15_000 };

async function signIn(page: Page, base: string, username: string, password = TEST_PASSWORD, path = '/'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#login button[type=submit]').click();
}

/** The pages the header links to, by id (nav-<id>). */
async function navIds(page: Page): Promise<string[]> {
  await page.locator('.console-nav').waitFor();
  return page.locator('.console-nav a').evaluateAll((links) => links.map((a) => a.id.replace(/^nav-/, '')));
}

describe('console', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    await h.ctx.as('ainur').post('/api/v1/surveys/population/responses').send(new SyntheticGenerator('population', { seed: 5 }).nextSubmission('form')).expect(201);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const EXPECTED: Record<Role, { user: string; has: string[]; hasNot: string[] }> = {
    interviewer: { user: 'ainur', has: ['home', 'form-population', 'form-organisational', 'form-external', 'account'], hasNot: ['fieldwork', 'tallies', 'indicators', 'quotas', 'users', 'tokens', 'audit', 'review'] },
    coordinator: { user: 'coord', has: ['home', 'form-population', 'fieldwork', 'review', 'quotas', 'margins', 'secondary', 'tallies', 'indicators', 'account'], hasNot: ['users', 'tokens', 'audit'] },
    analyst: { user: 'analyst', has: ['home', 'fieldwork', 'review', 'tallies', 'indicators', 'account'], hasNot: ['form-population', 'quotas', 'margins', 'secondary', 'users', 'tokens', 'audit'] },
    admin: { user: 'admin', has: ['home', 'form-population', 'fieldwork', 'review', 'quotas', 'tallies', 'indicators', 'users', 'tokens', 'audit', 'account'], hasNot: [] },
  };

  it.each(Object.entries(EXPECTED))('shows the %s only the pages the role may open, on the home page and in the header', async (role, { user, has, hasNot }) => {
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, user);
    const ids = await navIds(page);
    for (const id of has) expect(ids, `${role} should see ${id}`).toContain(id);
    for (const id of hasNot) expect(ids, `${role} should not see ${id}`).not.toContain(id);
    // The home page offers the same pages (all but itself), grouped.
    const home = await page.locator('.console-home a').evaluateAll((links) => links.map((a) => a.id.replace(/^home-/, '')));
    expect(new Set(home)).toEqual(new Set(ids.filter((id) => id !== 'home')));
    expect(await page.locator('#who').textContent()).toContain(user);
    // Interviewers see their own uploads; whoever may export gets the files.
    if (role === 'interviewer') {
      await expect.poll(() => page.locator('#uploads .uploads[data-survey="population"] tbody tr').count(), SLOW).toBe(1);
      expect(await page.locator('#exports').count()).toBe(0);
    } else {
      if (role === 'analyst') {
        // An export from the home page: the file the API makes, under the survey's name.
        const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-population-csv').click()]);
        expect(download.suggestedFilename()).toBe('population.csv');
      }
      expect(await page.locator('#uploads').count()).toBe(0);
      expect(await page.locator('#exports').count()).toBe(role === 'coordinator' || role === 'analyst' || role === 'admin' ? 1 : 0);
    }
    await page.screenshot({ path: join(SHOTS, `console-${role}.png`), fullPage: true });
    await context.close();
  }, 60_000);

  it('tells a role that a page is not theirs, in their language, instead of showing it', async () => {
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'analyst', TEST_PASSWORD, '/dashboard/users');
    await expect.poll(() => page.locator('#forbidden .error').textContent(), SLOW).toBe('Your role (analyst) cannot open this page.');
    expect(await page.locator('#users').count()).toBe(0);
    await page.locator('#lang-ru').click();
    await expect.poll(() => page.locator('#forbidden .error').textContent(), SLOW).toBe('Ваша роль (аналитик) не позволяет открыть эту страницу.');
    await page.locator('#lang-kk').click();
    await expect.poll(() => page.locator('#forbidden h1').textContent(), SLOW).toBe('Сіздің рөліңізге арналмаған');
    // Signed in once: another page needs no second sign-in, and the language chosen stays.
    await page.goto(`${h.base}/dashboard/tokens`);
    await expect.poll(() => page.locator('#forbidden .error').textContent(), SLOW).toBe('Сіздің рөліңіз (талдаушы) бұл бетті ашуға рұқсат бермейді.');
    await context.close();
  }, 60_000);

  it('has an interviewer created in the browser choose a password at the first sign-in, then open a form signed in', async () => {
    const admin = await (await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' })).newPage();
    await signIn(admin, h.base, 'admin');
    await admin.locator('#nav-users').click();
    await admin.locator('#new-username').fill('dana');
    await admin.locator('#new-role').selectOption('interviewer');
    await admin.locator('#new-region-akmola').check();
    await admin.locator('#create-user').click();
    const oneTime = (await admin.locator('#one-time-password').textContent()) ?? '';
    expect(oneTime.length).toBeGreaterThanOrEqual(10);
    const row = admin.locator('#users tr[data-user="dana"]');
    expect(await row.locator('td').nth(1).textContent()).toBe('Akmola oblast');
    expect(await row.locator('td').nth(2).textContent()).toContain('must choose a new password');

    const context = await h.browser.newContext({ viewport: { width: 800, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'dana', oneTime);
    await page.locator('#must-change').waitFor();
    // Nothing else is offered until the password is changed.
    expect(await page.locator('.console-nav').count()).toBe(0);
    await page.locator('#current-password').fill(oneTime);
    await page.locator('#new-password').fill('short');
    await page.locator('#repeat-password').fill('short');
    await page.locator('#change-password-submit').click();
    expect(await page.locator('#new-password-error').textContent()).toBe('The new password needs at least 10 characters.');
    await page.locator('#current-password').fill('not the one-time password');
    await page.locator('#new-password').fill('dana chooses her own');
    await page.locator('#repeat-password').fill('dana chooses her own');
    await page.locator('#change-password-submit').click();
    // The server checks it (scrypt, like a login): wait for its answer, however slow.
    await page.locator('#current-password-error', { hasText: 'This is not your current password.' }).waitFor();
    await page.locator('#current-password').fill(oneTime);
    await page.locator('#change-password-submit').click();
    await page.locator('#console-notice').waitFor();
    expect(await navIds(page)).toContain('form-population');

    // The server agrees: the flag is cleared, the one-time password is dead, the new one works.
    const dana = await h.ctx.t.store.findUserByUsername('dana');
    expect(dana?.mustChangePassword).toBe(false);
    await request(h.ctx.app).post('/api/v1/auth/login').send({ username: 'dana', password: oneTime }).expect(401);
    await request(h.ctx.app).post('/api/v1/auth/login').send({ username: 'dana', password: 'dana chooses her own' }).expect(201);

    // The same sign-in serves the form: no second login.
    await page.locator('#home-form-population').click();
    await page.locator('#new-interview').waitFor();
    expect(await page.locator('#login').count()).toBe(0);
    await context.close();
    await admin.context().close();
  }, 120_000);

  it('lets an admin reset a password and revoke a token in the browser, and shows both in the audit trail', async () => {
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, h.base, 'admin');

    // A token for a script: its secret is shown once and works, until revoked.
    await page.locator('#nav-tokens').click();
    await page.locator('#token-user').fill('boris');
    await page.locator('#token-name').fill('nightly export');
    await page.locator('#create-token').click();
    const secret = (await page.locator('#token-secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^csi_/);
    await request(h.ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(200);
    const tokenRow = page.locator('#tokens tr[data-name="nightly export"]');
    const tokenId = (await tokenRow.getAttribute('data-token')) ?? '';
    await tokenRow.locator('.revoke').click();
    await expect.poll(() => page.locator('#tokens tr[data-name="nightly export"] .state').textContent(), SLOW).toMatch(/^revoked /);
    await request(h.ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(401);

    // A password reset: a one-time password shown once, which boris must replace at the next sign-in.
    await page.locator('#nav-users').click();
    await page.locator('#users tr[data-user="boris"] .reset').click();
    const oneTime = (await page.locator('#one-time-password').textContent()) ?? '';
    const login = await request(h.ctx.app).post('/api/v1/auth/login').send({ username: 'boris', password: oneTime }).expect(201);
    expect(login.body.mustChangePassword).toBe(true);
    const boris = await h.ctx.t.store.findUserByUsername('boris');

    // The trail, newest first: both changes, each with its before and after.
    await page.locator('#nav-audit').click();
    await page.locator('#audit-entries').waitFor();
    const actions = await page.locator('#audit-entries > li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-action')} ${li.getAttribute('data-target')}`));
    expect(actions).toContain(`user.password_reset user:${boris?.id}`);
    expect(actions).toContain(`token.revoked token:${tokenId}`);
    expect(actions.indexOf(`user.password_reset user:${boris?.id}`)).toBeLessThan(actions.indexOf(`token.revoked token:${tokenId}`));

    // Filtered by action and target: exactly the reset, whose after says a new password must be chosen.
    await page.locator('#filter-action').fill('user.password_reset');
    await page.locator('#filter-target').fill(`user:${boris?.id}`);
    await page.locator('#audit-apply').click();
    await expect.poll(() => page.locator('#audit-entries > li').count(), SLOW).toBe(1);
    const entry = page.locator('#audit-entries > li').first();
    await entry.locator('summary').click();
    expect(JSON.parse((await entry.locator('.audit-before').textContent()) ?? '{}')).toMatchObject({ username: 'boris', mustChangePassword: false });
    expect(JSON.parse((await entry.locator('.audit-after').textContent()) ?? '{}')).toMatchObject({ username: 'boris', mustChangePassword: true });
    expect(JSON.parse((await entry.locator('.audit-details').textContent()) ?? '{}')).toMatchObject({ passwordChanged: true });

    await page.locator('#filter-action').fill('token.revoked');
    await page.locator('#filter-target').fill(`token:${tokenId}`);
    await page.locator('#audit-apply').click();
    await expect.poll(() => page.locator('#audit-entries > li').getAttribute('data-action')).toBe('token.revoked');
    await page.locator('#audit-entries > li summary').click();
    expect(JSON.parse((await page.locator('#audit-entries .audit-before').textContent()) ?? '{}')).toMatchObject({ revokedAt: null, name: 'nightly export' });
    expect(JSON.parse((await page.locator('#audit-entries .audit-after').textContent()) ?? '{}').revokedAt).toEqual(expect.any(String));

    // Signing out at the console signs out the form too: one session.
    await page.locator('#sign-out').click();
    await page.goto(`${h.base}/forms/population`);
    await page.locator('#login').waitFor();
    await context.close();
  }, 120_000);
});
