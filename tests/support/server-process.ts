/**
 * The real server (`node --import tsx server/main.ts`) as a child process on a free port, for tests that need it
 * to run beside another process (a backup taken while it writes). Ready when /healthz answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ferretdb.js';

const ROOT = join(import.meta.dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;

export class ServerProcess {
  private output = '';

  private constructor(readonly url: string, private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(env: Record<string, string>): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_WRITES_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(`http://127.0.0.1:${port}`, child);
    try {
      await server.waitUntilReady();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** SIGTERM, the graceful shutdown of main.ts, and wait for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** A bearer token for a user, by logging in as a client would. */
  async login(username: string, password: string): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login as ${username} failed: HTTP ${res.status} ${await res.text()}`);
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`server exited during start (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`server not ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }
}
