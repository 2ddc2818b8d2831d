/**
 * Crash safety of ingestion, end to end: the real server process is killed with SIGKILL at random moments while
 * a client submits 2,000 responses and retries each until it is acknowledged. An interviewer's tablet behaves
 * like this client on a bad connection, so the promise under test is the one the field relies on: after any
 * number of crashes and restarts, every acknowledged response is stored exactly once, with the content that was
 * sent, and a retry is recognised rather than stored again. Runs on both stores.
 */
import { AccountsService } from '../../server/services/accounts.service.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { seedCast } from '../support/app.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { afterEach, describe, expect, inject, test } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { contentHash } from '../../server/domain/canonical.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store } from '../../server/store/store.port.js';
import { freePort } from '../support/ferretdb.js';
import type { StoreKind } from '../support/stores.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SURVEY = 'population';
const TOTAL = 2_000;
const WORKERS = 8;
/** Acknowledgements between kills, and a delay after that, so kills land at random moments, mid-request. */
const ACKS_BETWEEN_KILLS: readonly [number, number] = [50, 250];
const KILL_DELAY_MS: readonly [number, number] = [0, 250];
const MIN_KILLS = 3;
/** Every n-th acknowledged id is also looked up by id: a lookup costs tens of ms on FerretDB, 2,000 would dominate the run. */
const LOOKUP_EVERY = 20;
const SEED = 20_240_611;
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** A response still unacknowledged after this long means the server is not coming back, not bad luck. */
const GIVE_UP_MS = 60_000;

// Whatever a test started, stopped even when it fails: children first (they hold the data), then the data.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Where a server keeps its data: the environment that points it there, and a direct way in for verification. */
interface Deployment {
  env: Record<string, string>;
  openStore(): Promise<Store>;
}

function embeddedDeployment(): Deployment {
  const dir = mkdtempSync(join(tmpdir(), 'csi-fault-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // An empty MONGODB_URI selects the embedded store even when the test run itself has a MongoDB.
  return { env: { DATA_DIR: dir, MONGODB_URI: '' }, openStore: async () => new SqliteStore(join(dir, 'csi.sqlite')) };
}

function mongoDeployment(): Deployment {
  const uri = inject('mongoUri');
  const db = `csi_fault_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  cleanups.push(async () => {
    const store = await MongoStore.connect(uri, db);
    await store.dropDatabaseForTests();
    await store.close();
  });
  return { env: { MONGODB_URI: uri, MONGODB_DB: db }, openStore: () => MongoStore.connect(uri, db) };
}

const deployments: Record<StoreKind, () => Deployment> = { embedded: embeddedDeployment, mongodb: mongoDeployment };

/** The real server (`node --import tsx server/main.ts`) as a child process that can be killed and started again. */
class ServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(readonly url: string, private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const { port } = new URL(this.url);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_WRITES_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.waitUntilReady(child);
  }

  /** SIGKILL: no shutdown handler runs, in-flight requests die with the process. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the graceful shutdown of main.ts. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited during start (${child.exitCode ?? child.signalCode}):\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
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

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = new ServerProcess(`http://127.0.0.1:${await freePort()}`, env);
  cleanups.push(() => server.kill());
  await server.start();
  return server;
}

function submissions(seed: number): Submission[] {
  const generator = new SyntheticGenerator(SURVEY, { seed });
  return Array.from({ length: TOTAL }, () => generator.nextSubmission());
}

type Attempt =
  | { kind: 'acknowledged'; status: number; receiptId: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; status: number; body: string };

/** The interviewer's token the client submits with, issued straight into the store before the first start. */
let bearer = '';

async function issueInterviewerToken(deployment: Deployment): Promise<string> {
  const store = await deployment.openStore();
  try {
    const clock = () => new Date();
    const tokens = await seedCast(store, new AccountsService(store, compileAllValidators(), clock, auditTrail(store, clock)));
    return `Bearer ${tokens.ainur}`;
  } finally {
    await store.close();
  }
}

async function post(url: string, body: string): Promise<Attempt> {
  try {
    const res = await fetch(`${url}/api/v1/surveys/${SURVEY}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // The body is read in full before anything counts as acknowledged: a process killed mid-response acknowledged nothing.
    const text = await res.text();
    if (res.status === 200 || res.status === 201) return { kind: 'acknowledged', status: res.status, receiptId: (JSON.parse(text) as { id: string }).id };
    if (res.status >= 500) return { kind: 'retry', reason: `HTTP ${res.status}` };
    return { kind: 'refused', status: res.status, body: text };
  } catch (error) {
    return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
  }
}

interface ClientReport {
  /** id -> the status of the acknowledgement (201 created, 200 recognised retry). */
  acknowledged: Map<string, number>;
  refused: string[];
  retries: number;
  serverErrors: number;
}

/** Posts the same body again after a failure until the server acknowledges it or refuses it for good. */
async function submitUntilAcknowledged(url: string, submission: Submission, report: ClientReport, stop: AbortSignal): Promise<void> {
  const body = JSON.stringify(submission);
  const deadline = Date.now() + GIVE_UP_MS;
  for (let attempt = 1; ; attempt += 1) {
    stop.throwIfAborted();
    const outcome = await post(url, body);
    if (outcome.kind === 'acknowledged') {
      if (outcome.receiptId !== submission.id) report.refused.push(`${submission.id}: receipt for ${outcome.receiptId}`);
      else report.acknowledged.set(submission.id, outcome.status);
      return;
    }
    if (outcome.kind === 'refused') {
      report.refused.push(`${submission.id}: HTTP ${outcome.status} ${outcome.body}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`${submission.id} unacknowledged after ${attempt} attempts: ${outcome.reason}`);
    report.retries += 1;
    if (outcome.reason.startsWith('HTTP 5')) report.serverErrors += 1;
    await sleep(25 * Math.min(attempt, 4));
  }
}

/** A few requests in flight at all times, so that kills land mid-request. */
async function submitAll(url: string, all: Submission[], report: ClientReport, stop: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let s = all[next++]; s; s = all[next++]) await submitUntilAcknowledged(url, s, report, stop);
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}

/**
 * Kills the server at random moments and starts it again on the same port and data, until told to stop. Kills are
 * paced by the client's progress rather than by the clock: a store that restarts slowly (FerretDB) would otherwise
 * get a kill before it acknowledges much, and the run would be dozens of restarts long.
 */
async function killRepeatedly(server: ServerProcess, rng: RandomGenerator, acknowledged: () => number, finished: () => boolean): Promise<number> {
  let kills = 0;
  while (!finished()) {
    const target = acknowledged() + uniformInt(rng, ...ACKS_BETWEEN_KILLS);
    while (!finished() && acknowledged() < target) await sleep(10);
    if (finished()) break;
    await sleep(uniformInt(rng, ...KILL_DELAY_MS));
    if (finished()) break;
    await server.kill();
    kills += 1;
    await server.start();
  }
  return kills;
}

/** Submits everything while the killer works: the killer stops when the client is done, the client when the killer fails. */
async function submitUnderFire(server: ServerProcess, sent: Submission[]): Promise<{ report: ClientReport; kills: number }> {
  const report: ClientReport = { acknowledged: new Map(), refused: [], retries: 0, serverErrors: 0 };
  let clientDone = false;
  const killerFailed = new AbortController();
  const [, kills] = await Promise.all([
    submitAll(server.url, sent, report, killerFailed.signal).finally(() => {
      clientDone = true;
    }),
    killRepeatedly(server, xoroshiro128plus(SEED), () => report.acknowledged.size, () => clientDone).catch((error: unknown) => {
      killerFailed.abort(error);
      throw error;
    }),
  ]);
  return { report, kills };
}

interface StoredCopy {
  copies: number;
  /** Hash of the content as stored now, and the hash recorded when it was submitted. */
  contentHash: string;
  submissionHash: string;
}

async function storedById(store: Store): Promise<Map<string, StoredCopy>> {
  const stored = new Map<string, StoredCopy>();
  for await (const r of store.streamResponses({ survey: SURVEY })) {
    stored.set(r.id, {
      copies: (stored.get(r.id)?.copies ?? 0) + 1,
      contentHash: contentHash({ survey: r.survey, answers: r.answers, meta: r.meta }),
      submissionHash: r.submissionHash,
    });
  }
  return stored;
}

function sameContent(copy: StoredCopy | undefined, sent: string | undefined): boolean {
  return copy !== undefined && copy.contentHash === sent && copy.submissionHash === sent;
}

async function expectStoredExactlyOnce(store: Store, acknowledged: string[], sentHash: Map<string, string>): Promise<void> {
  const stored = await storedById(store);
  expect(acknowledged.filter((id) => !stored.has(id)), 'acknowledged but not stored').toEqual([]);
  expect([...stored].filter(([, r]) => r.copies > 1).map(([id, r]) => `${id} x${r.copies}`), 'stored twice').toEqual([]);
  expect([...stored.keys()].filter((id) => !sentHash.has(id)), 'stored but never sent').toEqual([]);
  expect([...stored.keys()].filter((id) => !sameContent(stored.get(id), sentHash.get(id))), 'stored content differs from what was sent').toEqual([]);
  expect(stored.size).toBe(TOTAL);
  expect(await store.countResponses({ survey: SURVEY })).toBe(TOTAL);
  for (const id of acknowledged.filter((_, i) => i % LOOKUP_EVERY === 0)) {
    expect((await store.findResponseById(id))?.submissionHash, id).toBe(sentHash.get(id));
  }
}

describe.each(['embedded', 'mongodb'] as const)('SIGKILL during ingestion (%s store)', (kind) => {
  test('every acknowledged response is stored exactly once across crashes and restarts', async () => {
    const deployment = deployments[kind]();
    const sent = submissions(SEED);
    const sentHash = new Map(sent.map((s) => [s.id, contentHash({ survey: SURVEY, answers: s.answers, meta: s.meta })]));
    expect(sentHash.size, 'the generator gave distinct ids').toBe(TOTAL);

    bearer = await issueInterviewerToken(deployment);
    const server = await startServer(deployment.env);
    const started = Date.now();
    const { report, kills } = await submitUnderFire(server, sent);
    const recognised = [...report.acknowledged.values()].filter((status) => status === 200).length;
    console.info(`[fault ${kind}] ${kills} kills, ${report.retries} retries (${report.serverErrors} after a 5xx), ` +
      `${recognised} acknowledged as a retry of a stored response, client ran ${Date.now() - started} ms`);
    expect(report.refused, 'refused submissions').toEqual([]);
    expect(report.acknowledged.size).toBe(TOTAL);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

    // The last crash; the data as it is on disk (or in MongoDB) after it.
    await server.kill();
    const store = await deployment.openStore();
    cleanups.push(() => store.close());
    await expectStoredExactlyOnce(store, [...report.acknowledged.keys()], sentHash);

    // A fresh process recognises a retry of anything acknowledged before the crashes, and stores nothing again.
    await server.start();
    for (const s of [0, TOTAL / 2, TOTAL - 1].map((i) => sent[i] as Submission)) {
      expect(await post(server.url, JSON.stringify(s))).toEqual({ kind: 'acknowledged', status: 200, receiptId: s.id });
    }
    await server.stop();
    expect(await store.countResponses({ survey: SURVEY })).toBe(TOTAL);
  }, 240_000);
});
