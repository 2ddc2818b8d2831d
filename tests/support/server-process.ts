/**
 * The real server (server/main.ts, bundled once per test process) as a child process that can be killed and
 * started again on the same port and data, and the deployments it runs on (an embedded store in a temp dir, or a database of its
 * own on the test run's MongoDB). For the fault tests: whatever they start is registered with `cleanups`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { AccountsService } from '../../server/services/accounts.service.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store } from '../../server/store/store.port.js';
import { seedCast } from './app.js';
import { bundled } from './bundle.js';
import { freePort } from './ferretdb.js';
import type { StoreKind } from './stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** A loaded 2-core CI machine starts a server (tsx, schemas, FerretDB connection) in seconds, not milliseconds. */
const READY_TIMEOUT_MS = 60_000;

export type Cleanups = Array<() => Promise<void> | void>;

/** Where a server keeps its data: the environment that points it there, and a direct way in for verification. */
export interface Deployment {
  env: Record<string, string>;
  openStore(): Promise<Store>;
}

function embeddedDeployment(cleanups: Cleanups): Deployment {
  const dir = mkdtempSync(join(tmpdir(), 'csi-fault-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // An empty MONGODB_URI selects the embedded store even when the test run itself has a MongoDB.
  return { env: { DATA_DIR: dir, MONGODB_URI: '' }, openStore: async () => new SqliteStore(join(dir, 'csi.sqlite')) };
}

function mongoDeployment(cleanups: Cleanups): Deployment {
  const uri = inject('mongoUri');
  const db = `csi_fault_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  cleanups.push(async () => {
    const store = await MongoStore.connect(uri, db);
    await store.dropDatabaseForTests();
    await store.close();
  });
  return { env: { MONGODB_URI: uri, MONGODB_DB: db }, openStore: () => MongoStore.connect(uri, db) };
}

export function deployment(kind: StoreKind, cleanups: Cleanups): Deployment {
  return kind === 'embedded' ? embeddedDeployment(cleanups) : mongoDeployment(cleanups);
}

/** The cast of tests/support/app.ts straight into the deployment's store, before the first start: their tokens. */
export async function seedDeployment(d: Deployment): Promise<Record<string, string>> {
  const store = await d.openStore();
  try {
    const clock = () => new Date();
    return await seedCast(store, new AccountsService(store, compileAllValidators(), clock, auditTrail(store, clock)));
  } finally {
    await store.close();
  }
}

export class ServerProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<void> = Promise.resolve();
  private output = '';

  constructor(readonly url: string, private readonly env: Record<string, string>) {}

  /** Starts on the same port and data; `extraEnv` for this run only (a fault to inject, say). */
  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const { port } = new URL(this.url);
    // Bundled once per test process (bundle.ts): a fault test starts the server many times. Other suites start
    // server/main.ts through tsx as deployed (https.test.ts, upgrade.test.ts).
    const child = spawn(process.execPath, [await bundled('server/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_WRITES_PER_MINUTE: '1000000', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.waitUntilReady(child);
  }

  /** Resolves when the process has exited (it killed itself at an injected fault, say). */
  async exited(): Promise<{ signal: NodeJS.Signals | null; code: number | null }> {
    const child = this.child;
    await this.exit;
    this.child = null;
    return { signal: child?.signalCode ?? null, code: child?.exitCode ?? null };
  }

  /** SIGKILL: no shutdown handler runs, in-flight requests die with the process. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** A bearer token for a user, by logging in as a client would. */
  async login(username: string, password: string): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login as ${username} failed: HTTP ${res.status} ${await res.text()}`);
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  }

  /** SIGTERM: the graceful shutdown of main.ts. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exit;
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited during start (${child.exitCode ?? child.signalCode}):\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
        await res.body?.cancel();
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`server not ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }
}

/** A server on a free port, killed by `cleanups` whatever the test's outcome. */
export async function startServer(env: Record<string, string>, cleanups: Cleanups, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const server = new ServerProcess(`http://127.0.0.1:${await freePort()}`, env);
  cleanups.push(() => server.kill());
  await server.start(extraEnv);
  return server;
}
