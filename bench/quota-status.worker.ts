/**
 * Quota status on MongoDB (FerretDB 1.24 unless MONGODB_URI is set) at 1,000 and at `LARGE` stored responses, in
 * its own process (`tsx bench/quota-status.worker.ts [large]`). Prints one JSON line of timings (ms).
 *
 * Each size gets a database of its own with the same plan (32 cells, target 50). The responses are written straight
 * into the store, as an import would, and each holds its slot in its cell (within the target, then over it), so
 * the slots grow with the responses: 1,000 and `LARGE` of them. Their per-cell counts are built the way the store's
 * migration builds them for slots written without counts (countExistingSlots). Then, through the API, quota status
 * as a tablet asks for it on reconnecting: 5 to warm up, then 50 at each size, alternately, medians. (Submissions
 * through the API are left out: on FerretDB their slot queries scan the slots, minutes each at 30,000.)
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { deriveVariables } from '../schemas/derived.js';
import { regionOf } from '../schemas/survey-definition.js';
import { SyntheticGenerator } from '../schemas/synthetic.js';
import { questionnaireVersion } from '../schemas/surveys.js';
import { buildApp } from '../server/app.js';
import { listen } from './api-client.js';
import { planSpace, type QuotaPlan } from '../server/domain/quotas/plan.js';
import { carryOverClaims } from '../server/domain/quotas/progress.js';
import type { QuotaSlot } from '../server/domain/quotas/slots.js';
import type { StoredResponse } from '../server/domain/response.js';
import { hashPassword } from '../server/services/passwords.js';
import { countExistingSlots } from '../server/store/mongo/migrations.js';
import { MongoStore } from '../server/store/mongo/mongo.store.js';
import { startMongo } from '../tests/support/ferretdb.js';

const LARGE = Number(process.argv[2] ?? 100_000);
const SMALL = 1_000;
const POOL = 2_000;
const WARM_UP = 5;
const STATUS_RUNS = 50;
const START = Date.now() - 2 * 24 * 3_600_000;

const REGIONS = ['akmola', 'aktobe', 'almaty_oblast', 'atyrau', 'east_kazakhstan', 'zhambyl', 'karaganda', 'kostanay', 'kyzylorda', 'mangystau', 'north_kazakhstan', 'pavlodar', 'south_kazakhstan', 'west_kazakhstan', 'almaty_city', 'astana_city'];
const PLAN = { policy: 'flag', quotas: [{ id: 'region_gender', variables: ['ps_region', 'ps_gender'], cells: REGIONS.flatMap((r) => ['male', 'female'].map((g) => ({ categories: { ps_region: r, ps_gender: g }, target: 50 }))) }] };

const ms = (start: number) => performance.now() - start;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return ms(start);
}

/** An app on the store with an interviewer and a coordinator, listening on a free port; `call` makes one request. */
async function serve(store: MongoStore) {
  const { app, accounts } = buildApp({ store, logger: pino({ level: 'silent' }), limits: { writesPerMinute: 1_000_000 } });
  const hash = await hashPassword('correct horse battery staple');
  const tokens: Record<string, string> = {};
  for (const [username, role] of [['ainur', 'interviewer'], ['coord', 'coordinator']] as const) {
    const now = new Date().toISOString();
    await store.insertUser({ id: randomUUID(), username, role, regions: [], passwordHash: hash, disabled: false, mustChangePassword: false, createdAt: now, updatedAt: now });
    tokens[username] = (await accounts.createApiToken({ username, name: 'bench' }, 'bench')).token;
  }
  return listen(app, tokens);
}

/** `count` population responses written straight into the store, with the slot each holds in its cell. */
async function load(store: MongoStore, client: MongoClient, db: string, plan: QuotaPlan, count: number): Promise<void> {
  const gen = new SyntheticGenerator('population', { seed: 2024 });
  const submissions = Array.from({ length: Math.min(POOL, count) }, () => gen.nextSubmission());
  const taken = new Map<string, number>();
  for (let start = 0; start < count; start += 1_000) {
    const responses: StoredResponse[] = [];
    for (let i = start; i < Math.min(count, start + 1_000); i += 1) {
      const s = submissions[i % submissions.length] as (typeof submissions)[number];
      const at = new Date(START + i * 1_000).toISOString();
      responses.push({
        id: randomUUID(), survey: 'population', questionnaireVersion: questionnaireVersion('population'), status: 'submitted', answers: s.answers,
        derived: deriveVariables('population', s.answers), meta: s.meta, region: regionOf('population', s.answers), interviewer: 'ainur', receivedAt: at, updatedAt: at,
        submissionHash: randomUUID(), revision: 1, revisions: [{ revision: 1, at, actor: 'ainur', action: 'created', status: 'submitted' }],
      });
    }
    await Promise.all(responses.map((r) => store.insertResponse(r)));
    const slots = carryOverClaims(plan, responses).map((c) => {
      const slot = taken.get(c.cell) ?? 0;
      taken.set(c.cell, slot + 1);
      const at = new Date().toISOString();
      const s: QuotaSlot = { id: randomUUID(), space: planSpace(plan), cell: c.cell, slot, reservationId: c.responseId, owner: null, claimedAt: at, expiresAt: null, responseId: c.responseId, consumedAt: at, ...(slot >= c.target ? { over: true as const } : {}) };
      const { id, ...rest } = s;
      return { _id: id, ...rest };
    });
    if (slots.length > 0) await client.db(db).collection<{ _id: string }>('quota_slots').insertMany(slots);
  }
  await countExistingSlots(client.db(db));
}

const server = await startMongo();
const client = await new MongoClient(server.uri).connect();
const opened: Array<{ store: MongoStore; close: () => Promise<unknown> }> = [];
try {
  const result: Record<string, number | string> = { large: LARGE, small: SMALL, server: server.kind };
  const status: Record<string, () => Promise<string>> = {};
  for (const [name, size] of [['small', SMALL], ['large', LARGE]] as const) {
    const db = `csi_quota_status_${name}_${Date.now()}`;
    const store = await MongoStore.connect(server.uri, db);
    const app = await serve(store);
    opened.push({ store, close: app.close });
    const plan = JSON.parse(await app.call('coord', '/surveys/population/quotas', { method: 'PUT', body: JSON.stringify(PLAN) })) as QuotaPlan;
    const start = performance.now();
    await load(store, client, db, plan, size);
    result[`${name}LoadMs`] = ms(start);
    result[`${name}Slots`] = await client.db(db).collection('quota_slots').countDocuments({});
    status[name] = () => app.call('ainur', '/surveys/population/quotas/status');
    for (let i = 0; i < WARM_UP; i += 1) await status[name]();
  }
  // Alternately, so that the load of a shared machine falls on both sizes alike.
  const runs: Record<string, number[]> = { small: [], large: [] };
  for (let i = 0; i < STATUS_RUNS; i += 1) {
    for (const name of ['small', 'large'] as const) runs[name]?.push(await timed(status[name] as () => Promise<string>));
  }
  result.smallStatusMs = median(runs.small as number[]);
  result.largeStatusMs = median(runs.large as number[]);
  console.log(JSON.stringify(result));
} finally {
  for (const { store, close } of opened) {
    await close();
    await store.dropDatabaseForTests();
    await store.close();
  }
  await client.close();
  await server.stop();
}
