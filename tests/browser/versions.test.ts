// Tablets update safely (issue 20): a tablet whose form was loaded while the server offered population 1.0.0 only
// starts an interview offline; mid-interview it comes back online and the server now offers 1.1.0 as current. The
// interview finishes and uploads in 1.0.0 (stored as 1.0.0), and the next new interview is 1.1.0, with its new item.
// One origin, one store: the server "upgrades" by swapping the app behind the listening socket.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { buildApp } from '../../server/app.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { CHROMIUM, interview, logIn, shellReady, TABLET, type Page } from './support/form-harness.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const SYSTEM = new Set(itemsOf('population').filter((i) => i.system).map((i) => i.id));
// Kazakh respondents: the ethnicity buttons of the two versions then sit at the same place (1.1.0 adds a code before "other").
const answersOf = (version: string, seed: number) =>
  Object.fromEntries(Object.entries(new SyntheticGenerator('population', { seed, version, mix: { ps_ethnicity: { kazakh: 1 } } }).next()).filter(([id]) => !SYSTEM.has(id)));

const shownVersion = (page: Page) => page.locator('#questionnaire-version').getAttribute('data-version');

describe('questionnaire versions on a tablet', () => {
  let ctx: TestApp;
  let base: string;
  let current: Handler;
  let close: () => Promise<void>;
  let upgrade: () => void;
  const browser = chromium.launch(CHROMIUM);

  beforeAll(async () => {
    // Before the upgrade: 1.1.0 is shipped but held back, as CSI_PIN_VERSIONS=population@1.0.0 does.
    ctx = await makeTestApp('embedded', { validators: compileAllValidators({ population: '1.0.0' }) });
    current = ctx.app;
    upgrade = () => {
      current = buildApp({ store: ctx.t.store, logger: pino({ level: 'silent' }), limits: { writesPerMinute: 100_000 } }).app;
    };
    const server = createServer((req, res) => current(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }, 120_000);
  afterAll(async () => {
    await (await browser).close();
    await close?.();
    await ctx?.t.dispose();
  });

  it('finishes an interview started offline in 1.0.0 after 1.1.0 became current, and starts the next in 1.1.0', async () => {
    const context = await (await browser).newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, base, 'population', 'ainur');
    await shellReady(page, 'population');
    expect(await shownVersion(page)).toBe('1.0.0');

    await context.setOffline(true);
    let upgraded = false;
    await interview(page, 'population', answersOf('1.0.0', 701), {
      onPage: async (section) => {
        if (section !== 'trust_tolerance' || upgraded) return;
        // Mid-interview: the server now offers 1.1.0, and the tablet finds the network again.
        upgrade();
        upgraded = true;
        await context.setOffline(false);
      },
    });
    expect(upgraded).toBe(true);

    // Back home, the form learns 1.1.0 is current (its bundle lacked it: it reloads to the new one).
    await page.locator('#questionnaire-version[data-version="1.1.0"]').waitFor({ timeout: 60_000 });
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    const first = (await ctx.t.store.listResponses({ survey: 'population' }, 10)).items;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ questionnaireVersion: '1.0.0', meta: { formVersion: '1.0.0' } });
    expect(first[0]!.answers).not.toHaveProperty('ps_household_size');

    const next = answersOf('1.1.0', 702);
    const sections = await interview(page, 'population', next);
    expect(sections).toContain('background');
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    const stored = (await ctx.t.store.listResponses({ survey: 'population' }, 10)).items;
    expect(stored).toHaveLength(2);
    const second = stored.find((r) => r.id !== first[0]!.id)!;
    expect(second).toMatchObject({ questionnaireVersion: '1.1.0', meta: { formVersion: '1.1.0' } });
    expect(second.answers.ps_household_size).toBe(next.ps_household_size);
    await context.close();
  }, 300_000);
});
