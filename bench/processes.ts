/**
 * Child processes of the benchmarks (the app, the baseline server) and everything else that must be undone on exit
 * (FerretDB, temp dirs). Servers run in their own process so the load generator never shares their event loop;
 * each is `node --import tsx <script>` started directly, so the pid we sample is the server's own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { freePort, startMongo, type MongoServer } from '../tests/support/ferretdb.js';

export const ROOT = join(import.meta.dirname, '..');

type Cleanup = () => void | Promise<void>;
const cleanups = new Set<Cleanup>();
const children = new Set<ChildProcess>();

/** Registers an undo step; returns a function that runs it once and forgets it. */
export function onCleanup(step: Cleanup): () => Promise<void> {
  cleanups.add(step);
  return async () => {
    if (!cleanups.delete(step)) return;
    await step();
  };
}

/** Runs every pending undo step (latest first). Safe to call more than once. */
export async function cleanupAll(): Promise<void> {
  for (const step of [...cleanups].reverse()) {
    cleanups.delete(step);
    try {
      await step();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

// Last resort when the process dies without running cleanupAll: no child outlives the benchmark.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ADMIN_PASSWORD = `bench-${randomBytes(12).toString('hex')}`;

/**
 * Request headers that authenticate as the first admin, if the app has accounts (POST /api/v1/auth/login); none if
 * it has no login route (a server without access control).
 */
export async function authHeaders(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const text = await res.text();
  if (res.status === 404) return {};
  const token = res.ok ? (JSON.parse(text) as { token?: unknown }).token : undefined;
  if (typeof token !== 'string') throw new Error(`login as the bench admin failed: HTTP ${res.status} ${text.slice(0, 200)}`);
  return { authorization: `Bearer ${token}` };
}

export interface ServerProcess {
  pid: number;
  url: string;
  /** SIGTERM, SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export type StoreEnv = { DATA_DIR: string } | { MONGODB_URI: string; MONGODB_DB: string };

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `script` (relative to the repository) as a server on a free loopback port and waits until it accepts;
 * `nodeArgs` go to node (e.g. --cpu-prof when looking into a result), `extraEnv` to its environment.
 */
export async function startServer(script: string, store: StoreEnv, nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production',
    // Where the app has accounts: a known first admin, and no write rate limit in the way of a load test.
    CSI_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMIT_WRITES_PER_MINUTE: '10000000',
  };
  delete env.MONGODB_URI;
  delete env.MONGODB_DB;
  delete env.DATA_DIR;
  Object.assign(env, store, extraEnv);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  // The server's own warnings and errors are shown while it runs; once we stop it, what it logs about requests cut
  // short by the shutdown is counted, not shown.
  let stopping = false;
  let hidden = 0;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
      if (stopping) hidden += 1;
      else process.stderr.write(`  [${script}] ${line.length > 300 ? `${line.slice(0, 300)}…` : line}\n`);
    });
  }
  const stop = onCleanup(async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    }
    children.delete(child);
    if (hidden > 0) console.log(`  (${script} logged ${hidden} line(s) while shutting down)`);
  });
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`${script} exited (${child.exitCode ?? child.signalCode}) before listening`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${script} did not listen within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid as number, url: `http://127.0.0.1:${port}`, stop };
}

/** Resident set size of a process in bytes (Linux: /proc; elsewhere: ps). */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux, or the process is gone: fall through to ps
  }
  const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  return Number(out) * 1024;
}

let mongo: Promise<MongoServer> | null = null;

/** One MongoDB for the whole run (FerretDB started on first use, or MONGODB_URI), stopped by cleanupAll. */
export function sharedMongo(): Promise<MongoServer> {
  mongo ??= startMongo().then((server) => {
    onCleanup(() => server.stop());
    return server;
  });
  return mongo;
}

export function mongoLabel(server: MongoServer): string {
  return server.kind === 'ferretdb' ? 'MongoDB (FerretDB 1.24, SQLite backend)' : 'MongoDB (MONGODB_URI)';
}

let ticksPerSecond: number | null = null;

/** CPU time (user + system) a process has used, in ms; null where /proc is not available. */
export function cpuMillisOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}
