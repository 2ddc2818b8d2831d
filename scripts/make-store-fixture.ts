/**
 * Builds the store fixtures that upgrade tests open: a small store as a given release of the app writes it, with
 * responses of every survey (some reviewed and corrected, so with revisions), users, API tokens and the audit
 * trail those writes left, all made through the app's own services.
 *
 *   npx tsx scripts/make-store-fixture.ts --out tests/fixtures/stores/<name>
 *
 * writes
 *   csi.sqlite          the embedded store (checkpointed, rollback journal: one self-contained file)
 *   mongo/<coll>.ndjson every MongoDB document as canonical Extended JSON (dates and all), one per line
 *   mongo/indexes.json  the indexes that release created, per collection
 *   expected.json       per store, what that release reads back through its store port: every response with its
 *                       revisions, every user, token and audit entry (the test compares the upgraded store to it)
 *
 * The MongoDB half runs on MONGODB_URI when set, else on a FerretDB started for the purpose (tests/support).
 * To remake the fixture of an older release, run this script from a checkout of that release: the fixture is
 * meant to be what that code wrote, not what today's code would write.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BSON, MongoClient } from 'mongodb';
import { itemsOf } from '../schemas/items.js';
import { SyntheticGenerator } from '../schemas/synthetic.js';
import { SURVEY_IDS, type SurveyId } from '../schemas/surveys.js';
import { systemActor, type Actor } from '../server/domain/actor.js';
import { isProblem } from '../server/domain/problems.js';
import { AccountsService } from '../server/services/accounts.service.js';
import { auditTrail } from '../server/services/audit.service.js';
import { ResponsesService } from '../server/services/responses.service.js';
import { compileAllValidators } from '../server/services/validation.js';
import { SqliteStore } from '../server/store/embedded/sqlite.store.js';
import { MongoStore } from '../server/store/mongo/mongo.store.js';
import type { Store } from '../server/store/store.port.js';
import { startMongo } from '../tests/support/ferretdb.js';
import { readStoreContents, type StoreContents } from '../tests/support/store-contents.js';

const PER_SURVEY = 8;
const COLLECTIONS = ['responses', 'users', 'tokens', 'audit', 'settings', 'quota_slots'];

/** A clock that moves one second per reading from a fixed start, so the fixture's times are plausible and ordered. */
function steppingClock(): () => Date {
  let t = Date.UTC(2026, 0, 15, 9, 0, 0);
  return () => new Date((t += 1000));
}

/** A correction the questionnaire accepts: the first answer (a number moved by one, or another code) that validates. */
async function correctOneAnswer(responses: ResponsesService, survey: SurveyId, id: string, actor: Actor): Promise<void> {
  const stored = await responses.get(survey, id, actor);
  const items = new Map(itemsOf(survey).map((i) => [i.id, i]));
  for (const [item, value] of Object.entries(stored.answers)) {
    const alternatives = typeof value === 'number' ? [value + 1, value - 1] : (items.get(item)?.codes ?? []).filter((c) => c !== value);
    for (const next of alternatives) {
      try {
        await responses.review(survey, id, { corrections: { [item]: next }, comment: 'keyed in wrong' }, actor);
        return;
      } catch (error) {
        if (!isProblem(error)) throw error;
      }
    }
  }
  throw new Error(`no answer of ${survey} response ${id} could be corrected`);
}

async function populate(store: Store): Promise<void> {
  const clock = steppingClock();
  const validators = compileAllValidators();
  const audit = auditTrail(store, clock);
  const accounts = new AccountsService(store, validators, clock, audit);
  const responses = new ResponsesService(store, validators, clock, audit);
  await accounts.createUser({ username: 'admin', password: 'fixture-admin-password', role: 'admin' }, 'fixture');
  await accounts.createUser({ username: 'ainur', password: 'fixture-password-1', role: 'interviewer' }, 'fixture');
  await accounts.createUser({ username: 'coord_akm', password: 'fixture-password-2', role: 'coordinator', regions: ['akmola', 'aktobe'] }, 'fixture');
  await accounts.createApiToken({ username: 'coord_akm', name: 'nightly export' }, 'fixture');
  const interviewer = { ...systemActor('ainur'), role: 'interviewer' as const };
  const coordinator = systemActor('coord');
  for (const survey of SURVEY_IDS) {
    const generator = new SyntheticGenerator(survey, { seed: 15 });
    const ids: string[] = [];
    for (let i = 0; i < PER_SURVEY; i += 1) ids.push((await responses.submit(survey, generator.nextSubmission('form'), interviewer)).receipt.id);
    // Revisions: one approved, one rejected with a comment, one corrected then approved.
    await responses.review(survey, ids[0] as string, { status: 'approved', comment: 'checked by phone' }, coordinator);
    await responses.review(survey, ids[1] as string, { status: 'rejected', comment: 'respondent under age' }, coordinator);
    await correctOneAnswer(responses, survey, ids[2] as string, coordinator);
    await responses.review(survey, ids[2] as string, { status: 'approved' }, coordinator);
  }
}

async function embedded(out: string): Promise<StoreContents> {
  const file = join(out, 'csi.sqlite');
  const store = new SqliteStore(file);
  await populate(store);
  const expected = await readStoreContents(store);
  await store.close(); // the last connection closing checkpoints the WAL into the file
  // A rollback journal instead of WAL, so that opening the fixture read-only leaves no -wal and -shm files beside it.
  // Only the journal mode byte of the header changes; the app switches a store back to WAL when it opens it.
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.close();
  return expected;
}

async function mongodb(out: string): Promise<StoreContents> {
  const server = await startMongo();
  const dbName = `csi_fixture_${Date.now()}`;
  try {
    const store = await MongoStore.connect(server.uri, dbName);
    await populate(store);
    const expected = await readStoreContents(store);
    await store.close();
    const client = await MongoClient.connect(server.uri);
    try {
      const db = client.db(dbName);
      const dir = join(out, 'mongo');
      mkdirSync(dir, { recursive: true });
      const indexes: Record<string, unknown[]> = {};
      for (const name of COLLECTIONS) {
        const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
        writeFileSync(join(dir, `${name}.ndjson`), docs.map((d) => `${BSON.EJSON.stringify(d, { relaxed: false })}\n`).join(''));
        indexes[name] = docs.length === 0 && !(await db.listCollections({ name }).hasNext())
          ? []
          : (await db.collection(name).listIndexes().toArray()).filter((i) => i.name !== '_id_').map(({ key, name: n, unique }) => ({ key, name: n, ...(unique ? { unique } : {}) }));
      }
      writeFileSync(join(dir, 'indexes.json'), `${JSON.stringify(indexes, null, 2)}\n`);
      await db.dropDatabase();
    } finally {
      await client.close();
    }
    return expected;
  } finally {
    await server.stop();
  }
}

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  console.error('usage: npx tsx scripts/make-store-fixture.ts --out tests/fixtures/stores/<name>');
  process.exit(2);
}
const out = resolve(values.out);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const expected = { embedded: await embedded(out), mongodb: await mongodb(out) };
writeFileSync(join(out, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`wrote ${out}`);
