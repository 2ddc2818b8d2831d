// tsx accepts imports that tsc and plain node reject: this builds with tsc, runs the compiled server with node,
// submits through it, and checks that SIGTERM lets an in-flight request finish before a clean exit.
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { freePort } from '../support/ferretdb.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN_PASSWORD = 'first-admin-password';

async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

describe('compiled build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-dist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds with tsc, serves with node, and shuts down gracefully on SIGTERM', async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/server/main.js'], { cwd: ROOT, env: { ...process.env, PORT: String(port), DATA_DIR: dir, MONGODB_URI: '', LOG_LEVEL: 'info', CSI_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(base);

    // The first start created the admin from CSI_ADMIN_PASSWORD.
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    expect(login.status).toBe(201);
    const authorization = `Bearer ${((await login.json()) as { token: string }).token}`;
    const s = new SyntheticGenerator('population', { seed: 1 }).nextSubmission();
    const post = () => fetch(`${base}/api/v1/surveys/population/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(s) });
    expect((await post()).status).toBe(201);

    // A request whose body is still arriving when SIGTERM lands must be finished, not cut.
    const body = Buffer.from(JSON.stringify(s));
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/v1/surveys/population/responses`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.subarray(0, 100));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(100)), 300);
      }, 200);
    });
    expect(await inFlight).toBe(200);
    expect(await exited).toBe(0);
    expect(log).toMatch(/"msg":"stopped"/);
  }, 120_000);
});
