/** Chooses the store from configuration: MongoDB when MONGODB_URI is set, else the embedded SQLite file. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import { SqliteStore } from './embedded/sqlite.store.js';
import { MongoStore } from './mongo/mongo.store.js';
import type { Store, StoreOptions } from './store.port.js';

export async function openStore(config: Pick<Config, 'mongodbUri' | 'mongodbDb' | 'dataDir' | 'storeTimeoutMs'>, options: StoreOptions = {}): Promise<Store> {
  if (config.mongodbUri) return MongoStore.connect(config.mongodbUri, config.mongodbDb, { timeoutMs: config.storeTimeoutMs, ...options });
  return new SqliteStore(join(config.dataDir, 'csi.sqlite'), options);
}
