// Built-in HTTPS: the real server process (tsx server/main.ts) with TLS_CERT/TLS_KEY serves HTTPS; SIGHUP makes
// it read renewed files without closing the listener (and a bad pair leaves the previous certificate in place);
// TRUST_PROXY decides whose address is recorded and rate-limited; /healthz warns about plain HTTP beyond localhost.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { makeCert, type TestCert } from '../support/certs.js';
import { freePort } from '../support/ferretdb.js';
import { STORE_KINDS } from '../support/stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN_PASSWORD = 'first-admin-password';

/** The fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

function getJson(port: number, path: string, ca: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: 'localhost', headers: { host: `localhost:${port}` }, ca }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('built-in HTTPS (server process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-tls-'));
  const certFile = join(dir, 'live.crt');
  const keyFile = join(dir, 'live.key');
  let first: TestCert;
  let port: number;
  let child: ChildProcess;
  let log = '';
  /** Resolves once the log has `count` lines matching `pattern`. */
  const logged = async (pattern: RegExp, count = 1) => {
    while ((log.match(new RegExp(pattern, 'g')) ?? []).length < count) {
      if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    first = makeCert(dir, 'first');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: join(dir, 'data'), MONGODB_URI: '', LOG_LEVEL: 'info', CSI_ADMIN_PASSWORD: ADMIN_PASSWORD, TLS_CERT: certFile, TLS_KEY: keyFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
    await logged(/csi-survey listening on https:/);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS with the configured certificate, and /healthz has no transport warning', async () => {
    expect(await servedFingerprint(port, first.pem)).toBe(first.fingerprint);
    const health = await getJson(port, '/healthz', first.pem);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', store: 'embedded' });
    // Plain HTTP to the TLS port is not served.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('on SIGHUP serves the renewed certificate from the same process; a bad pair keeps the previous one', async () => {
    const pid = child.pid;
    const second = makeCert(dir, 'second');
    copyFileSync(second.certFile, certFile);
    copyFileSync(second.keyFile, keyFile);
    child.kill('SIGHUP');
    await logged(/TLS certificate reloaded/);
    expect(await servedFingerprint(port, second.pem)).toBe(second.fingerprint);
    expect(child.pid).toBe(pid);
    expect(child.exitCode).toBeNull();

    // A renewal caught half-written: the key no longer matches. The server says so and keeps the second pair.
    writeFileSync(keyFile, makeCert(dir, 'third').pem.replace(/CERTIFICATE/g, 'PRIVATE KEY'));
    child.kill('SIGHUP');
    await logged(/TLS reload failed/);
    expect(await servedFingerprint(port, second.pem)).toBe(second.fingerprint);
    expect((await getJson(port, '/healthz', second.pem)).status).toBe(200);
  }, 60_000);
});

describe('plain HTTP beyond loopback (server process)', () => {
  it('warns on the console at start that tablets get no offline form, survives SIGHUP, and still serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-plain-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '0.0.0.0', DATA_DIR: join(dir, 'data'), MONGODB_URI: '', LOG_LEVEL: 'info', CSI_ADMIN_PASSWORD: ADMIN_PASSWORD, TLS_CERT: '', TLS_KEY: '', TRUST_PROXY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      while (!/csi-survey listening on http:/.test(log)) {
        if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const warning = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /offline form/.test(l.msg));
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toMatch(/HTTPS/);
      // A reload signal without TLS files is logged, not fatal.
      child.kill('SIGHUP');
      while (!/no TLS_CERT\/TLS_KEY to reload/.test(log)) {
        if (child.exitCode !== null) throw new Error(`server exited on SIGHUP: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('TLS and proxy configuration', () => {
  it('refuses half a TLS pair, a missing file, and TRUST_PROXY=true', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-tlsconf-'));
    try {
      const cert = makeCert(dir, 'c');
      expect(() => loadConfig({ TLS_CERT: cert.certFile })).toThrow(ConfigError);
      expect(() => loadConfig({ TLS_CERT: cert.certFile, TLS_KEY: join(dir, 'missing.key') })).toThrow(/TLS_KEY: no such file/);
      expect(loadConfig({ TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile }).tls).toEqual({ certFile: cert.certFile, keyFile: cert.keyFile });
      expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
      expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback,10.0.0.0/8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(STORE_KINDS)('TRUST_PROXY on the %s store', (kind) => {
  let direct: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    direct = await makeTestApp(kind, { limits: { writesPerMinute: 100_000, loginsPerMinute: 2 } });
    proxied = await makeTestApp(kind, { limits: { writesPerMinute: 100_000, loginsPerMinute: 2 }, trustProxy: 'loopback' });
  }, 120_000);
  afterAll(async () => {
    await direct?.t.dispose();
    await proxied?.t.dispose();
  });

  const login = (app: TestApp, forwardedFor: string, password = TEST_PASSWORD) =>
    request(app.app).post('/api/v1/auth/login').set('X-Forwarded-For', forwardedFor).send({ username: 'ainur', password });
  const loginAddresses = async (app: TestApp) => ((await app.as('admin').get('/api/v1/audit').query({ action: 'auth.login_failed' }).expect(200)).body.items as Array<{ details?: { address?: string } }>).map((e) => e.details?.address);

  it('behind a trusted proxy, the audit trail records the forwarded client address; without one, the connection\'s', async () => {
    await login(proxied, '203.0.113.7', 'wrong password!').expect(401);
    await login(direct, '203.0.113.7', 'wrong password!').expect(401);
    expect(await loginAddresses(proxied)).toEqual(['203.0.113.7']);
    const recorded = await loginAddresses(direct);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatch(/127\.0\.0\.1|::1/);
  });

  it('rate-limits logins per forwarded client behind a trusted proxy, and ignores the header otherwise', async () => {
    // Each app allows 2 logins a minute per address; the first test used one from each address above.
    await login(proxied, '203.0.113.7').expect(201);
    await login(proxied, '203.0.113.7').expect(429);
    await login(proxied, '198.51.100.9').expect(201);
    await login(direct, '198.51.100.9').expect(201);
    await login(direct, '192.0.2.1').expect(429);
  });

  it('/healthz warns when the app is reached over plain HTTP under another host name, not on localhost or behind HTTPS', async () => {
    expect((await request(direct.app).get('/healthz').set('Host', 'localhost:3000').expect(200)).body.warning).toBeUndefined();
    const lan = (await request(direct.app).get('/healthz').set('Host', '192.168.1.20:3000').expect(200)).body;
    expect(lan.warning).toMatchObject({ code: 'plain_http' });
    expect(lan.warning.message).toMatch(/192\.168\.1\.20/);
    // A proxy that terminates HTTPS says so in X-Forwarded-Proto; only a trusted one is believed.
    const viaProxy = (h: TestApp) => request(h.app).get('/healthz').set('Host', 'csi.example.org').set('X-Forwarded-Proto', 'https').expect(200);
    expect((await viaProxy(proxied)).body.warning).toBeUndefined();
    expect((await viaProxy(direct)).body.warning).toMatchObject({ code: 'plain_http' });
  });
});
