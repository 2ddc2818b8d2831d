/**
 * IndexedDB, reduced to what the form needs: three object stores keyed by `id` (drafts, the outbox, settings such
 * as the session), each read and written whole. Every write waits for its transaction to complete, so a draft
 * saved before a crash or a reload is on disk.
 */
import type { EntryStore } from './outbox.js';

const DB_NAME = 'csi-forms';
const DB_VERSION = 1;
export const STORES = ['drafts', 'outbox', 'settings'] as const;
export type StoreName = (typeof STORES)[number];

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export function openDb(): Promise<IDBDatabase> {
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = () => {
    for (const name of STORES) if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name, { keyPath: 'id' });
  };
  return promised(request);
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbStore<T extends { id: string }> implements EntryStore<T> {
  constructor(private readonly db: IDBDatabase, private readonly name: StoreName) {}

  all(): Promise<T[]> {
    return promised(this.db.transaction(this.name, 'readonly').objectStore(this.name).getAll() as IDBRequest<T[]>);
  }

  async get(id: string): Promise<T | undefined> {
    return promised(this.db.transaction(this.name, 'readonly').objectStore(this.name).get(id) as IDBRequest<T | undefined>);
  }

  async put(value: T): Promise<void> {
    const tx = this.db.transaction(this.name, 'readwrite');
    tx.objectStore(this.name).put(value);
    await done(tx);
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(this.name, 'readwrite');
    tx.objectStore(this.name).delete(id);
    await done(tx);
  }
}
