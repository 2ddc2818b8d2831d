// A store written before plans had versions of their own kept the plan as one setting (`quotas:<survey>`). Opening
// it migrates the plan into the versioned settings, published under its own version number, and removes the old
// setting: the plan is read as before, and the next replacement is the version after it. Both stores.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { makeQuotaPlan } from '../../server/domain/quotas/plan.js';
import { loadPlan } from '../../server/services/quotas.service.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { META_COLLECTION } from '../../server/store/mongo/migrations.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';

const PLAN = makeQuotaPlan('population', [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'female' }, target: 7 }] }], { version: 4 });

describe('quota plans stored before versions', () => {
  it('embedded: moves the plan setting into its version, published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-plan-migration-'));
    const file = join(dir, 'csi.sqlite');
    try {
      await new SqliteStore(file).close();
      // Back to schema version 7, the one before versioned settings (embedded migration 8), with a plan stored its way.
      const raw = new Database(file);
      raw.exec('DROP TABLE setting_versions');
      raw.pragma('user_version = 7');
      raw.prepare('INSERT INTO settings (key, doc) VALUES (?, ?)').run('quotas:population', JSON.stringify(PLAN));
      raw.close();
      const store = new SqliteStore(file);
      try {
        expect(store.schema).toEqual({ from: 7, to: 8 });
        expect(await loadPlan(store, 'population')).toEqual(PLAN);
        expect(await store.getSetting('quotas:population')).toBeNull();
        expect((await store.listSettingVersions('quotas:population', { limit: 10 })).map((v) => [v.version, v.published, v.by])).toEqual([[4, true, null]]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mongodb: moves the plan setting into its version, published, and a second start changes nothing', async () => {
    const uri = inject('mongoUri');
    const db = `csi_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await (await MongoStore.connect(uri, db)).close();
    const client = await MongoClient.connect(uri);
    try {
      const raw = client.db(db);
      await raw.collection(META_COLLECTION).updateOne({ _id: 'schema' as never }, { $set: { version: 3 } });
      await raw.collection('settings').insertOne({ _id: 'quotas:population' as never, value: PLAN });
      for (let start = 0; start < 2; start += 1) {
        const store = await MongoStore.connect(uri, db);
        try {
          expect(store.schema.from).toBe(start === 0 ? 3 : store.schema.to);
          expect(await loadPlan(store, 'population')).toEqual(PLAN);
          expect(await store.getSetting('quotas:population')).toBeNull();
          expect((await store.listSettingVersions('quotas:population', { limit: 10 })).map((v) => [v.version, v.published])).toEqual([[4, true]]);
        } finally {
          await store.close();
        }
      }
    } finally {
      await client.db(db).dropDatabase();
      await client.close();
    }
  });
});
