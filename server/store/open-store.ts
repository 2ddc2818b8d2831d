/** Chooses the store from configuration: MongoDB when MONGODB_URI is set, else the embedded SQLite file. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import { SqliteStore } from './embedded/sqlite.store.js';
import { MongoStore } from './mongo/mongo.store.js';
import type { Store, StoreOptions } from './store.port.js';

export async function openStore(config: Pick<Config, 'mongodbUri' | 'mongodbDb' | 'dataDir' | 'storeTimeoutMs'>, options: StoreOptions = {}): Promise<Store> {
  if (config.mongodbUri) return MongoStore.connect(config.mongodbUri, config.mongodbDb, { timeoutMs: config.storeTimeoutMs, ...options });
  return new SqliteStore(embeddedStoreFile(config.dataDir), options);
}

/** Where the embedded store lives in DATA_DIR: the server, backup and restore agree on it here. */
export function embeddedStoreFile(dataDir: string): string {
  return join(dataDir, 'csi.sqlite');
}
