// The reverse-proxy recipe, run as shipped: real Caddy with deploy/Caddyfile (`tls internal`, its own CA in a temp
// data dir, admin off, free ports) in front of the app (TRUST_PROXY=loopback), and Chromium on a name that is not
// localhost (csi.test mapped to 127.0.0.1) trusting only Caddy's certificate. Over HTTPS the page is a secure
// context: the service worker controls it, an interview done offline survives a reload, and once back online it
// is stored exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/ferretdb.js';
import { CHROMIUM, interview, logIn, shellReady, TABLET } from './support/form-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SITE = 'csi.test';
const SYSTEM = new Set(itemsOf('population').filter((i) => i.system).map((i) => i.id));

/** GET over HTTPS to csi.test on 127.0.0.1, verifying the certificate against `ca` (Caddy's root). */
function get(port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: SITE, headers: { host: `${SITE}:${port}` }, ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The base64 SHA-256 of the served leaf certificate's public key (what Chromium is told to accept). */
function leafSpki(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: SITE, ca }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.on('error', reject);
  });
}

describe('behind Caddy (deploy/Caddyfile, tls internal)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-caddy-'));
  let ctx: TestApp;
  let server: Server;
  let caddy: ChildProcess;
  let caddyLog = '';
  let browser: Browser;
  let httpsPort: number;
  let root: string;
  let base: string;

  beforeAll(async () => {
    ctx = await makeTestApp('embedded', { trustProxy: 'loopback' });
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const upstream = (server.address() as AddressInfo).port;
    httpsPort = await freePort();
    const httpPort = await freePort();
    caddy = spawn('caddy', ['run', '--config', join(ROOT, 'deploy', 'Caddyfile'), '--adapter', 'caddyfile'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'),
        CSI_SITE: SITE, CSI_UPSTREAM: `127.0.0.1:${upstream}`, CSI_HTTPS_PORT: String(httpsPort), CSI_HTTP_PORT: String(httpPort), CSI_CADDY_ADMIN: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout?.on('data', (c: Buffer) => { caddyLog += c.toString(); });
    caddy.stderr?.on('data', (c: Buffer) => { caddyLog += c.toString(); });
    // Caddy's local CA appears in its data dir; then the site answers over HTTPS with a certificate from it.
    const rootFile = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
    for (;;) {
      if (caddy.exitCode !== null) throw new Error(`caddy exited: ${caddyLog}`);
      if (existsSync(rootFile)) {
        root = readFileSync(rootFile, 'utf8');
        const ok = await get(httpsPort, '/healthz', root).then((r) => r.status === 200, () => false);
        if (ok) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    base = `https://${SITE}:${httpsPort}`;
    const spki = await leafSpki(httpsPort, root);
    browser = await chromium.launch({ ...CHROMIUM, args: [...(CHROMIUM.args ?? []), `--host-resolver-rules=MAP ${SITE} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spki}`] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx?.t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the app over HTTPS with a certificate from Caddy\'s CA; the app sees HTTPS and no transport warning', async () => {
    const health = await get(httpsPort, '/healthz', root);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', store: 'embedded' });
  });

  it('a secure context on csi.test: the service worker controls the form, an offline interview survives a reload and is stored once', async () => {
    const context = await browser.newContext({ viewport: TABLET, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await logIn(page, base, 'population', 'ainur');
    expect(await page.evaluate(() => [location.host, window.isSecureContext, typeof crypto.randomUUID])).toEqual([`${SITE}:${httpsPort}`, true, 'function']);
    expect(await page.locator('#insecure').count()).toBe(0);
    await shellReady(page, 'population');
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${base}/assets/sw.js`);

    await context.setOffline(true);
    const answers = Object.fromEntries(Object.entries(new SyntheticGenerator('population', { seed: 1501 }).next()).filter(([id]) => !SYSTEM.has(id)));
    await interview(page, 'population', answers);
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.locator('#sync-status[data-pending="1"]').waitFor();
    const queued = await page.locator('#uploads li').getAttribute('data-upload');
    expect((await ctx.t.store.listResponses({ survey: 'population' }, 100)).items).toHaveLength(0);

    await context.setOffline(false);
    await page.locator('#sync-now').click();
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    const stored = (await ctx.t.store.listResponses({ survey: 'population' }, 100)).items;
    expect(stored.map((r) => [r.id, r.interviewer])).toEqual([[queued, 'ainur']]);
    // A second round of sync (another tap, another tab) adds nothing.
    await page.locator('#sync-now').click();
    await page.locator('#sync-status[data-pending="0"]').waitFor();
    expect((await ctx.t.store.listResponses({ survey: 'population' }, 100)).items).toHaveLength(1);
    await context.close();
  }, 240_000);
});
