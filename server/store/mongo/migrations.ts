/**
 * The MongoDB store's migrations, in order: its layout is its indexes (documents carry no schema of their own).
 * The version reached is one document, `{_id: 'schema', version}` in the `store_meta` collection, raised with
 * `$max` after each migration so it never goes back.
 *
 * Several app instances may start at once on one database, and there are no transactions to serialise them: every
 * migration must be idempotent (createIndex is), so two instances running it together do no harm. Never edit a
 * migration that has shipped: add the next one.
 */
import { MongoBulkWriteError, MongoServerError, type Db } from 'mongodb';
import type { QuotaSlot } from '../../domain/quotas/slots.js';
import type { CountDoc as QuotaCountDoc, OpenDoc as QuotaOpenDoc } from './quota-counts.js';
import { latestVersion, pendingMigrations, type Migration, type SchemaUpgrade } from '../migrations.js';

export const META_COLLECTION = 'store_meta';
const DUPLICATE_KEY = 11000;
const SCHEMA_ID = 'schema';

type Up = (db: Db) => Promise<void>;
type QuotaSlotDoc = Omit<QuotaSlot, 'id'> & { _id: string };

/**
 * One index per command: FerretDB 1.24 drops the connection when one createIndexes command names several indexes
 * that already exist (a second app instance starting on the same database).
 */
async function createIndexes(db: Db, collection: string, indexes: Array<{ name: string; key: Record<string, 1>; unique?: boolean }>): Promise<void> {
  for (const { name, key, unique } of indexes) await db.collection(collection).createIndex(key, { name, ...(unique ? { unique } : {}) });
}

/**
 * The slots stored before counts were kept, counted into each cell's log, and a marker for each reservation.
 * Idempotent and the same in every instance that runs it at once: each cell's entries are built in one order (by
 * slot id) under their fixed `_id`s, so a second run only meets duplicate keys. Also for slots an import writes
 * itself (the quota status benchmark), before any slot write of the app.
 */
export async function countExistingSlots(db: Db): Promise<void> {
  const durable = { writeConcern: { w: 'majority' as const, journal: true } };
  const slots = await db.collection<QuotaSlotDoc>('quota_slots').find({}).sort({ _id: 1 }).toArray();
  const logs = new Map<string, QuotaCountDoc[]>();
  const markers: QuotaOpenDoc[] = [];
  const at = new Date().toISOString();
  for (const slot of slots) {
    if (slot.responseId === null) {
      markers.push({ _id: `+${slot._id}`, space: slot.space, cell: slot.cell, slotId: slot._id, over: false, at });
      continue;
    }
    const key = JSON.stringify([slot.space, slot.cell]);
    const log = logs.get(key) ?? (logs.set(key, []).get(key) as QuotaCountDoc[]);
    const last = log[log.length - 1];
    const seq = log.length;
    log.push({ _id: JSON.stringify([slot.space, slot.cell, seq]), space: slot.space, cell: slot.cell, seq, change: `+${slot._id}`, consumed: (last?.consumed ?? 0) + 1, over: (last?.over ?? 0) + (slot.over ? 1 : 0) });
  }
  const insertAll = async <T extends { _id: string }>(collection: string, docs: T[]) => {
    for (let start = 0; start < docs.length; start += 1_000) {
      await db.collection<T>(collection, durable).insertMany(docs.slice(start, start + 1_000) as never, { ordered: false }).catch((error: unknown) => {
        const writeErrors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
        if (writeErrors.length === 0 || writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw error;
      });
    }
  };
  await insertAll('quota_counts', [...logs.values()].flat());
  await insertAll('quota_open', markers);
}

export const MIGRATIONS: readonly Migration<Up>[] = [
  {
    version: 1,
    description: 'the indexes of release 0.1.0 (created if missing, so it adopts a database that release made)',
    up: async (db) => {
      await createIndexes(db, 'responses', [
        { name: 'by_time', key: { survey: 1, receivedAt: 1, _id: 1 } },
        { name: 'by_status', key: { survey: 1, status: 1, receivedAt: 1, _id: 1 } },
        { name: 'by_region', key: { survey: 1, region: 1, receivedAt: 1, _id: 1 } },
        { name: 'by_interviewer', key: { survey: 1, interviewer: 1, receivedAt: 1, _id: 1 } },
      ]);
      await createIndexes(db, 'users', [{ name: 'username', key: { username: 1 }, unique: true }]);
      await createIndexes(db, 'tokens', [{ name: 'token_hash', key: { tokenHash: 1 }, unique: true }]);
      await createIndexes(db, 'audit', [{ name: 'by_time', key: { at: 1, _id: 1 } }]);
      await createIndexes(db, 'quota_slots', [
        { name: 'quota_slot', key: { space: 1, cell: 1, slot: 1 }, unique: true },
        { name: 'quota_reservation', key: { space: 1, cell: 1, reservationId: 1 }, unique: true },
        { name: 'by_reservation', key: { space: 1, reservationId: 1 } },
        { name: 'by_response', key: { space: 1, responseId: 1 } },
      ]);
    },
  },
  {
    version: 2,
    description: 'audit entries by target: the history of one response or user reads its own entries, not the whole trail',
    up: (db) => createIndexes(db, 'audit', [{ name: 'by_target', key: { target: 1, at: 1, _id: 1 } }]),
  },
  {
    version: 3,
    description: 'login attempts by account and address: lockout counted atomically (domain/accounts.ts, LOCKOUT)',
    up: (db) => createIndexes(db, 'login_attempts', [{ name: 'by_pair', key: { account: 1, address: 1 } }]),
  },
  {
    version: 4,
    description: 'responses by time of their last change: the analysis dataset reads only what changed since it last looked (services/analysis-dataset.ts)',
    up: (db) => createIndexes(db, 'responses', [{ name: 'by_change', key: { survey: 1, updatedAt: 1 } }]),
  },
  {
    version: 5,
    description: 'users say whether they must choose a new password at the next sign-in; users made before were never asked (false)',
    // Idempotent: only users without the field are touched, so two instances running it together agree.
    up: async (db) => {
      await db.collection('users').updateMany({ mustChangePassword: { $exists: false } }, { $set: { mustChangePassword: false } });
    },
  },
  {
    version: 6,
    description: 'versioned settings: every quota plan version kept as its own document (_id key@version, so its number is taken once); the plan stored before moves there',
    up: async (db) => {
      await createIndexes(db, 'setting_versions', [{ name: 'by_key', key: { key: 1, version: 1 } }]);
      const settings = db.collection<{ _id: string; value: unknown }>('settings', { writeConcern: { w: 'majority', journal: true } });
      const versions = db.collection<{ _id: string; key: string; version: number; value: unknown; at: string; by: null; published: boolean }>('setting_versions', { writeConcern: { w: 'majority', journal: true } });
      // Copied, then removed: idempotent (a copy already there is a duplicate key), so instances may run it together.
      for (const old of await settings.find({ _id: { $regex: '^quotas:' } }).toArray()) {
        const version = (old.value as { version: number }).version;
        await versions.insertOne({ _id: `${old._id}@${version}`, key: old._id, version, value: old.value, at: new Date().toISOString(), by: null, published: true }).catch((error: unknown) => {
          if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
        });
        await settings.deleteOne({ _id: old._id });
      }
    },
  },
  {
    version: 7,
    description: 'per-cell counts of consumed quota slots kept by the slot writes, and markers of the reservations (quota-counts.ts, QUOTA_COUNTS): quota status no longer reads every slot',
    up: async (db) => {
      await createIndexes(db, 'quota_counts', [{ name: 'by_change', key: { change: 1 }, unique: true }, { name: 'by_space', key: { space: 1 } }]);
      await createIndexes(db, 'quota_open', [{ name: 'by_space', key: { space: 1 } }]);
      await countExistingSlots(db);
    },
  },
];

export const LATEST_VERSION = latestVersion(MIGRATIONS);

export async function schemaVersionOf(db: Db): Promise<number> {
  const doc = await db.collection<{ _id: string; version: number }>(META_COLLECTION).findOne({ _id: SCHEMA_ID });
  return doc?.version ?? 0;
}

/** Brings the database up to date; throws StoreTooNewError, changing nothing, for a database of a newer release. */
export async function migrate(db: Db, where: string): Promise<SchemaUpgrade> {
  const from = await schemaVersionOf(db);
  const meta = db.collection<{ _id: string; version: number }>(META_COLLECTION, { writeConcern: { w: 'majority', journal: true } });
  for (const m of pendingMigrations(MIGRATIONS, from, where)) {
    await m.up(db);
    const record = () => meta.updateOne({ _id: SCHEMA_ID }, { $max: { version: m.version } }, { upsert: true });
    // Two instances upserting the first version at once: one inserts, the other may get a duplicate key; its
    // second try finds the document and raises it (or leaves it, already as high).
    await record().catch((error: unknown) => {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return record();
      throw error;
    });
  }
  return { from, to: LATEST_VERSION };
}
