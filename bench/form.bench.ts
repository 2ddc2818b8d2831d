/**
 * The interviewer form's budget (issue 5): the population form's JavaScript, gzipped, questionnaire, labels and
 * standalone validator included (target: at most 100 KB), and its first render in headless Chromium on this
 * machine (target: under 300 ms). Baselines from the same run: the generated validator alone for size, and the
 * page's DOMContentLoaded for time (HTML and stylesheet parsed, the module loaded). The bundle is the one the
 * server serves, built the same way; the app runs in this process on a temporary embedded store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { buildApp } from '../server/app.js';
import { SqliteStore } from '../server/store/embedded/sqlite.store.js';
import { ROOT } from './processes.js';
import { num, type BenchSection } from './report.js';

const RUNS = 15;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const KB = 1024;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export async function runFormBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'csi-form-bench-'));
  const store = new SqliteStore(join(dir, 'csi.sqlite'));
  const { app, accounts } = buildApp({ store, logger: pino({ level: 'silent' }) });
  await accounts.createUser({ username: 'bench', password: 'a long enough password', role: 'interviewer' }, 'bench');
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const js = Buffer.from(await (await fetch(`${base}/assets/form-population.js`)).arrayBuffer());
    const validator = readFileSync(join(ROOT, 'schemas', 'generated', 'population.validate.js'));
    const gz = gzipSync(js).length;
    const validatorGz = gzipSync(validator).length;

    const firstRender: number[] = [];
    const loaded: number[] = [];
    const pageRender: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.goto(`${base}/forms/population`);
      await page.waitForFunction(() => performance.getEntriesByName('csi:first-render').length > 0);
      const t = await page.evaluate(() => ({
        render: performance.getEntriesByName('csi:first-render')[0]?.startTime ?? NaN,
        dcl: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.domContentLoadedEventEnd ?? NaN,
      }));
      firstRender.push(t.render);
      loaded.push(t.dcl);
      await page.locator('#username').fill('bench');
      await page.locator('#password').fill('a long enough password');
      await page.locator('#login button[type=submit]').click();
      await page.locator('#new-interview').waitFor();
      // The first questionnaire page is drawn synchronously in the click handler.
      pageRender.push(await page.evaluate(() => {
        const t0 = performance.now();
        (document.getElementById('new-interview') as HTMLButtonElement).click();
        return performance.now() - t0;
      }));
      await context.close();
    }
    const render = median(firstRender);
    const dcl = median(loaded);
    return {
      title: 'Interviewer form (population): size and first render',
      columns: [{ name: 'Measure', align: 'left' }, { name: 'Value' }, { name: 'Baseline' }, { name: '× baseline' }, { name: 'Target', align: 'left' }],
      rows: [
        ['JavaScript, gzipped (KB)', num(gz / KB, 1), num(validatorGz / KB, 1), num(gz / validatorGz, 2), `≤ 100 KB: ${gz <= 100 * KB ? 'met' : 'NOT met'}`],
        ['JavaScript, raw (KB)', num(js.length / KB, 1), num(validator.length / KB, 1), num(js.length / validator.length, 2), ''],
        ['First render after navigation (ms, median)', num(render, 1), num(dcl, 1), num(render / dcl, 2), `< 300 ms: ${render < 300 ? 'met' : 'NOT met'}`],
        ['First questionnaire page drawn (ms, median)', num(median(pageRender), 1), '', '', ''],
      ],
      notes: [
        `Size baseline: the generated standalone validator of the population questionnaire alone (gzip, default level). Time baseline: DOMContentLoaded of the same navigation. ${RUNS} fresh browser contexts (no service worker, empty IndexedDB), headless Debian Chromium; the bundle is built once before the first run.`,
      ],
    };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
