/** Stores for tests: a fresh embedded store in a temp dir, or a MongoDB store on a database of its own. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store, StoreOptions } from '../../server/store/store.port.js';

export interface TestStore {
  store: Store;
  /** Another connection to the same data, as a second app instance would have (with options of its own: a fault hook). */
  reopen(options?: StoreOptions): Promise<Store>;
  dispose(): Promise<void>;
}

export type StoreKind = 'embedded' | 'mongodb';
export const STORE_KINDS: StoreKind[] = ['embedded', 'mongodb'];

export async function makeTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'csi-sqlite-'));
    const file = join(dir, 'csi.sqlite');
    const store = new SqliteStore(file);
    const others: Store[] = [];
    return {
      store,
      reopen: async (options?: StoreOptions) => {
        const other = new SqliteStore(file, options);
        others.push(other);
        return other;
      },
      dispose: async () => {
        for (const s of [store, ...others]) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const uri = inject('mongoUri');
  const db = `csi_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const store = await MongoStore.connect(uri, db);
  const others: MongoStore[] = [];
  return {
    store,
    reopen: async (options?: StoreOptions) => {
      const other = await MongoStore.connect(uri, db, options);
      others.push(other);
      return other;
    },
    dispose: async () => {
      // A fresh connection: the test may have closed its own on purpose.
      const cleaner = await MongoStore.connect(uri, db);
      await cleaner.dropDatabaseForTests();
      for (const s of [store, ...others, cleaner]) await s.close();
    },
  };
}
