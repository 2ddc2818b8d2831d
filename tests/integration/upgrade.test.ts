/**
 * Upgrading a store: a store written by release 0.1.0 (tests/fixtures/stores/release-0.1.0, made by
 * scripts/make-store-fixture.ts on that release's code) is opened by this release, which migrates it, and every
 * response with its revisions, every user, token and audit entry reads back exactly as 0.1.0 read it. A store
 * written by a newer release is refused, untouched, by the store and by the server process.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { BSON, MongoClient, type Document } from 'mongodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { systemActor } from '../../server/domain/actor.js';
import { AccountsService } from '../../server/services/accounts.service.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { ResponsesService } from '../../server/services/responses.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { LATEST_VERSION as SQLITE_LATEST, MIGRATIONS as SQLITE_MIGRATIONS } from '../../server/store/embedded/migrations.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { StoreTooNewError } from '../../server/store/migrations.js';
import { LATEST_VERSION as MONGO_LATEST, META_COLLECTION } from '../../server/store/mongo/migrations.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store } from '../../server/store/store.port.js';
import { readStoreContents, type StoreContents } from '../support/store-contents.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'stores', 'release-0.1.0');
const released = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { embedded: StoreContents; mongodb: StoreContents };
/** What release 0.1.0 read back, plus what later migrations add: users never asked to change their password. */
const upgraded = (c: StoreContents): StoreContents => ({ ...c, users: c.users.map((u) => ({ ...u, mustChangePassword: false })) });
const expected = { embedded: upgraded(released.embedded), mongodb: upgraded(released.mongodb) };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csi-upgrade-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The fixture's SQLite file copied to a directory of its own (the migration writes to it). */
function embeddedFixture(): string {
  const file = join(tempDir(), 'csi.sqlite');
  copyFileSync(join(FIXTURE, 'csi.sqlite'), file);
  return file;
}

/** A database made the old way: the fixture's documents and the indexes release 0.1.0 created, and no version. */
async function mongoFixture(): Promise<{ uri: string; db: string }> {
  const uri = inject('mongoUri');
  const db = `csi_upgrade_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = await MongoClient.connect(uri);
  cleanups.push(async () => {
    await client.db(db).dropDatabase();
    await client.close();
  });
  const indexes = JSON.parse(readFileSync(join(FIXTURE, 'mongo', 'indexes.json'), 'utf8')) as Record<string, Array<{ name: string; key: Record<string, 1>; unique?: boolean }>>;
  for (const [name, specs] of Object.entries(indexes)) {
    const collection = client.db(db).collection(name);
    const docs = readFileSync(join(FIXTURE, 'mongo', `${name}.ndjson`), 'utf8').split('\n').filter(Boolean)
      .map((line) => BSON.EJSON.parse(line, { relaxed: false }) as Document);
    if (docs.length > 0) await collection.insertMany(docs);
    for (const { name: index, key, unique } of specs) await collection.createIndex(key, { name: index, ...(unique ? { unique } : {}) });
  }
  return { uri, db };
}

async function withStore<T>(open: () => Promise<Store>, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await open();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The app's own writes on the upgraded store: the fixture's admin logs in, reviews an old response, submits a new one. */
async function stillWorks(store: Store): Promise<void> {
  const clock = () => new Date();
  const validators = compileAllValidators();
  const audit = auditTrail(store, clock);
  const accounts = new AccountsService(store, validators, clock, audit);
  const responses = new ResponsesService(store, validators, clock, audit);
  expect((await accounts.login({ username: 'admin', password: 'fixture-admin-password' }, '127.0.0.1')).token).toMatch(/^csi_/);
  const old = (await store.listResponses({ survey: 'population', status: 'submitted' }, 1)).items[0];
  if (!old) throw new Error('the fixture has no submitted population response');
  const reviewed = await responses.review('population', old.id, { status: 'approved' }, systemActor('coord'));
  expect(reviewed.revision).toBe(2);
  const fresh = await responses.submit('population', new SyntheticGenerator('population', { seed: 99 }).nextSubmission('form'), systemActor('ainur'));
  expect(fresh.created).toBe(true);
}

describe('upgrading a store made by release 0.1.0', () => {
  it('embedded: migrates from version 0 and finds every response, revision, user, token and audit entry', async () => {
    const file = embeddedFixture();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    raw.close();
    expect(expected.embedded.responses.some((r) => r.revisions.some((v) => v.action === 'corrected'))).toBe(true);

    await withStore(async () => new SqliteStore(file), async (store) => {
      expect(store.schema).toEqual({ from: 0, to: SQLITE_LATEST });
      expect(await readStoreContents(store)).toEqual(expected.embedded);
      await stillWorks(store);
    });
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SQLITE_LATEST);
    expect(after.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'audit_by_target'").get()).toBeTruthy();
    after.close();
    // Opened again: nothing left to do.
    await withStore(async () => new SqliteStore(file), async (store) => expect(store.schema).toEqual({ from: SQLITE_LATEST, to: SQLITE_LATEST }));
  });

  it('embedded: a new store gets every migration, and the audit trail stays append-only', async () => {
    const file = join(tempDir(), 'csi.sqlite');
    await withStore(async () => new SqliteStore(file), async (store) => expect(store.schema).toEqual({ from: 0, to: SQLITE_MIGRATIONS.length }));
    const raw = new Database(file);
    expect(() => raw.prepare("INSERT INTO audit (id, at, actor, action, target, doc) VALUES ('a', 'now', null, 'x', 'y', '{}')").run()).not.toThrow();
    expect(() => raw.prepare("DELETE FROM audit WHERE id = 'a'").run()).toThrow(/append-only/);
    raw.close();
  });

  it('mongodb: migrates a database made the old way and finds every response, revision, user, token and audit entry', async () => {
    const { uri, db } = await mongoFixture();
    await withStore(() => MongoStore.connect(uri, db), async (store) => {
      expect(store.schema).toEqual({ from: 0, to: MONGO_LATEST });
      expect(await readStoreContents(store)).toEqual(expected.mongodb);
      await stillWorks(store);
    });
    const client = await MongoClient.connect(uri);
    try {
      expect(await client.db(db).collection(META_COLLECTION).findOne({ _id: 'schema' as never })).toMatchObject({ version: MONGO_LATEST });
      expect((await client.db(db).collection('audit').listIndexes().toArray()).map((i) => i.name)).toContain('by_target');
    } finally {
      await client.close();
    }
    await withStore(() => MongoStore.connect(uri, db), async (store) => expect(store.schema).toEqual({ from: MONGO_LATEST, to: MONGO_LATEST }));
  });

  it('mongodb: app instances starting together on an old database both migrate it, without harm', async () => {
    const { uri, db } = await mongoFixture();
    const stores = await Promise.all([MongoStore.connect(uri, db), MongoStore.connect(uri, db), MongoStore.connect(uri, db)]);
    try {
      for (const store of stores) expect(store.schema.to).toBe(MONGO_LATEST);
      expect(await readStoreContents(stores[0] as Store)).toEqual(expected.mongodb);
    } finally {
      for (const store of stores) await store.close();
    }
    const client = await MongoClient.connect(uri);
    try {
      expect(await client.db(db).collection(META_COLLECTION).find({}).toArray()).toEqual([{ _id: 'schema', version: MONGO_LATEST }]);
    } finally {
      await client.close();
    }
  });
});

describe('a store written by a newer release', () => {
  it('embedded: is refused with a plain message and left untouched', async () => {
    const file = embeddedFixture();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SQLITE_LATEST + 1}`);
    raw.close();
    const before = readFileSync(file);
    const error = await (async () => new SqliteStore(file))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreTooNewError);
    expect((error as Error).message).toContain(`store schema version ${SQLITE_LATEST + 1}; this release knows versions up to ${SQLITE_LATEST}`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('mongodb: is refused with a plain message and gets no new index', async () => {
    const { uri, db } = await mongoFixture();
    const client = await MongoClient.connect(uri);
    cleanups.push(() => client.close());
    await client.db(db).collection(META_COLLECTION).insertOne({ _id: 'schema' as never, version: MONGO_LATEST + 1 });
    await expect(MongoStore.connect(uri, db)).rejects.toThrow(/newer release of csi-survey \(store schema version \d+; this release knows versions up to \d+\)/);
    expect((await client.db(db).collection('audit').listIndexes().toArray()).map((i) => i.name)).not.toContain('by_target');
  });

  it('the csi command refuses it too, saying why, with exit code 2', async () => {
    const file = embeddedFixture();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SQLITE_LATEST + 1}`);
    raw.close();
    const result = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'csi.js'), 'users', 'list'], {
      env: { ...process.env, DATA_DIR: join(file, '..'), MONGODB_URI: '' },
    }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^The embedded store .*csi\.sqlite was written by a newer release of csi-survey/);
  }, 60_000);

  it('the server process refuses to start on it, saying why, with exit code 2', async () => {
    const file = embeddedFixture();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SQLITE_LATEST + 1}`);
    raw.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT, env: { ...process.env, DATA_DIR: join(file, '..'), MONGODB_URI: '', PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot start: The embedded store .*csi\.sqlite was written by a newer release/);
  }, 60_000);
});
