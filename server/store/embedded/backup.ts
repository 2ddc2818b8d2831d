/**
 * Backup and restore of the embedded store, with SQLite's online backup API (better-sqlite3's `db.backup()`).
 *
 * A backup is consistent while the server keeps writing: the source connection opens a read transaction before the
 * first page is copied and holds it to the last, so every step copies the same snapshot (in WAL mode a reader
 * never blocks the server's writers). Without it, each commit by the server restarts the copy from the first page,
 * and under steady load the copy never ends. Everything committed before the snapshot is in the backup.
 *
 * Both directions write to a temporary file and rename it into place: an interrupted run never leaves a partial
 * file under the real name.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LATEST_VERSION, schemaVersionOf } from './migrations.js';

/** A refusal or failure to tell the operator as it is: the message is the whole story. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface CopyProgress {
  copiedPages: number;
  totalPages: number;
  /** Bytes per page of this store, for showing sizes. */
  pageSize: number;
}

export interface StoreSummary {
  responses: number;
  users: number;
  auditEntries: number;
  schemaVersion: number;
  bytes: number;
}

export interface CopyOptions {
  force?: boolean;
  onProgress?: (progress: CopyProgress) => void;
}

/** Pages copied per step (4 KiB each by default): small enough for a live progress bar, large enough to be quick. */
const PAGES_PER_STEP = 256;

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function summarise(db: Database.Database, file: string): StoreSummary {
  return {
    responses: count(db, 'responses'), users: count(db, 'users'), auditEntries: count(db, 'audit'),
    schemaVersion: schemaVersionOf(db), bytes: statSync(file).size,
  };
}

/** Opens a file that must be a csi-survey store this release can read, or says plainly what it is instead. */
function openStoreFile(file: string, what: string): Database.Database {
  if (!existsSync(file)) throw new BackupError(`There is no ${what} at ${file}.`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch {
    throw new BackupError(`${file} is not a csi-survey store: it is not an SQLite database.`);
  }
  const tables = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
  const missing = ['responses', 'users', 'audit'].filter((t) => !tables.has(t));
  if (missing.length > 0) {
    db.close();
    throw new BackupError(`${file} is an SQLite database but not a csi-survey store (it has no ${missing.join(', ')} table).`);
  }
  const version = schemaVersionOf(db);
  if (version > LATEST_VERSION) {
    db.close();
    throw new BackupError(`${file} was made by a newer release of csi-survey (store schema version ${version}; this release knows versions up to ${LATEST_VERSION}). Use that release.`);
  }
  return db;
}

async function copy(source: Database.Database, target: string, onProgress: CopyOptions['onProgress']): Promise<void> {
  rmSync(target, { force: true });
  const pageSize = source.pragma('page_size', { simple: true }) as number;
  const done = await source.backup(target, {
    progress: ({ totalPages, remainingPages }) => {
      onProgress?.({ copiedPages: totalPages - remainingPages, totalPages, pageSize });
      return PAGES_PER_STEP;
    },
  });
  // better-sqlite3 reports only the steps before the last.
  onProgress?.({ copiedPages: done.totalPages, totalPages: done.totalPages, pageSize });
}

/** Checks a copied file and makes it one self-contained file (no WAL beside it), flushed to disk. */
function seal(file: string): void {
  const db = new Database(file);
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The copy at ${file} failed SQLite's integrity check (${String(check)}); nothing was replaced.`);
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * Copies the store at `storeFile` to `backupFile` while the server may be writing. Refuses to overwrite an
 * existing file unless `force`.
 */
export async function backupEmbeddedStore(storeFile: string, backupFile: string, options: CopyOptions = {}): Promise<StoreSummary> {
  if (!existsSync(storeFile)) throw new BackupError(`There is no embedded store at ${storeFile}: nothing to back up. Is DATA_DIR the same as the server's?`);
  if (existsSync(backupFile) && !options.force) throw new BackupError(`${backupFile} already exists. Choose another name, or add --force to replace it.`);
  if (!existsSync(dirname(backupFile))) throw new BackupError(`The folder ${dirname(backupFile)} does not exist.`);
  const source = openStoreFile(storeFile, 'embedded store');
  const partial = `${backupFile}.partial`;
  try {
    // The snapshot: a read transaction holding one version of the database for the whole copy (see the top).
    source.exec('BEGIN');
    source.prepare('SELECT count(*) FROM responses').get();
    await copy(source, partial, options.onProgress);
    source.exec('COMMIT');
    seal(partial);
    renameSync(partial, backupFile);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  const done = new Database(backupFile, { readonly: true });
  try {
    return summarise(done, backupFile);
  } finally {
    done.close();
  }
}

/** True when another connection (a running server, another csi command) has the store open. */
function inUse(storeFile: string): boolean {
  const db = new Database(storeFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

/**
 * Restores a backup as the store at `storeFile`. The server must be stopped. An existing store that holds anything
 * (responses, users or audit entries: a server that started once has its admin) is replaced only with `force`.
 */
export async function restoreEmbeddedStore(backupFile: string, storeFile: string, options: CopyOptions = {}): Promise<StoreSummary> {
  const source = openStoreFile(backupFile, 'backup file');
  try {
    const check = source.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${backupFile} is damaged (SQLite integrity check: ${String(check)}). Restore another backup.`);
    if (existsSync(storeFile)) {
      const current = openStoreFile(storeFile, 'store');
      const held = summarise(current, storeFile);
      current.close();
      if (inUse(storeFile)) throw new BackupError(`The store ${storeFile} is in use: stop the server (and any other csi command) before restoring.`);
      if ((held.responses > 0 || held.users > 0 || held.auditEntries > 0) && !options.force) {
        throw new BackupError(
          `${dirname(storeFile)} already holds a store (${held.responses} responses, ${held.users} users, ${held.auditEntries} audit entries). ` +
          'Restoring would replace all of it: restore into an empty DATA_DIR, or back this store up first and run again with --force.',
        );
      }
    }
    mkdirSync(dirname(storeFile), { recursive: true });
    const incoming = `${storeFile}.restoring`;
    try {
      await copy(source, incoming, options.onProgress);
      seal(incoming);
      // The old store's WAL belongs to the old file: left beside the new one, SQLite would replay it into it.
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${storeFile}${suffix}`, { force: true });
      renameSync(incoming, storeFile);
    } catch (error) {
      rmSync(incoming, { force: true });
      throw error;
    }
  } finally {
    source.close();
  }
  const restored = new Database(storeFile, { readonly: true });
  try {
    return summarise(restored, storeFile);
  } finally {
    restored.close();
  }
}
