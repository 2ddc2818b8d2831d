/**
 * The embedded store's migrations, in order; `PRAGMA user_version` records the last one applied. All pending
 * migrations run in one IMMEDIATE transaction (SQLite's DDL is transactional): a store is upgraded whole or not at
 * all, and two processes opening it at once take turns, the second finding nothing left to do.
 *
 * Never edit a migration that has shipped: add the next one.
 */
import type Database from 'better-sqlite3';
import { pendingMigrations, latestVersion, type Migration, type SchemaUpgrade } from '../migrations.js';

export const MIGRATIONS: readonly Migration<string>[] = [
  {
    version: 1,
    description: 'the layout of release 0.1.0 (IF NOT EXISTS throughout, so it adopts a store that release made)',
    up: `
CREATE TABLE IF NOT EXISTS responses (
  id TEXT PRIMARY KEY,
  survey TEXT NOT NULL,
  status TEXT NOT NULL,
  region TEXT,
  interviewer TEXT,
  received_at TEXT NOT NULL,
  revision INTEGER NOT NULL,
  doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS responses_by_time ON responses (survey, received_at, id);
CREATE INDEX IF NOT EXISTS responses_by_status ON responses (survey, status, received_at, id);
CREATE INDEX IF NOT EXISTS responses_by_region ON responses (survey, region, received_at, id);
CREATE INDEX IF NOT EXISTS responses_by_interviewer ON responses (survey, interviewer, received_at, id);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  doc TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS audit (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at, id);
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  doc TEXT NOT NULL
) STRICT;
-- Quota slots: the unique key caps a cell at its target whatever the concurrency (domain/quotas/slots.ts).
CREATE TABLE IF NOT EXISTS quota_slots (
  id TEXT PRIMARY KEY,
  space TEXT NOT NULL,
  cell TEXT NOT NULL,
  slot INTEGER NOT NULL,
  reservation_id TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  expires_at TEXT,
  response_id TEXT,
  consumed_at TEXT,
  UNIQUE (space, cell, slot),
  UNIQUE (space, cell, reservation_id)
) STRICT;
CREATE INDEX IF NOT EXISTS quota_slots_by_reservation ON quota_slots (space, reservation_id);
CREATE INDEX IF NOT EXISTS quota_slots_by_response ON quota_slots (space, response_id);
-- The audit trail is append-only, in the store too.
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
`,
  },
  {
    version: 2,
    description: 'audit entries by target: the history of one response or user reads its own entries, not the whole trail',
    up: 'CREATE INDEX audit_by_target ON audit (target, at, id);',
  },
  {
    version: 3,
    description: 'login attempts, one row per failure under a key of account, address and slot: lockout counted atomically (domain/accounts.ts, LOCKOUT)',
    up: `
CREATE TABLE login_attempts (
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  slot INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (account, address, slot)
) STRICT;
`,
  },
  {
    version: 4,
    description: 'quota reservations have an owner: only who screened may release one, and live ones are capped per person and cell',
    up: 'ALTER TABLE quota_slots ADD COLUMN owner TEXT;',
  },
  {
    version: 5,
    description: 'quota slots beyond the target for interviews accepted over quota, and per-cell counts of consumed slots kept with every slot write (domain/quotas/slots.ts)',
    up: `
ALTER TABLE quota_slots ADD COLUMN over INTEGER NOT NULL DEFAULT 0;
-- Per cell, the consumed slots (achieved interviews) and those beyond the target, kept by every slot write in its
-- own transaction: quota status reads a row per cell, whatever the number of responses.
CREATE TABLE quota_counts (
  space TEXT NOT NULL,
  cell TEXT NOT NULL,
  consumed INTEGER NOT NULL,
  over INTEGER NOT NULL,
  PRIMARY KEY (space, cell)
) STRICT;
INSERT INTO quota_counts SELECT space, cell, count(*), sum(over) FROM quota_slots WHERE response_id IS NOT NULL GROUP BY space, cell;
`,
  },
  {
    version: 6,
    description: 'responses by time of their last change: the analysis dataset reads only what changed since it last looked (services/analysis-dataset.ts)',
    up: `
ALTER TABLE responses ADD COLUMN updated_at TEXT;
UPDATE responses SET updated_at = json_extract(doc, '$.updatedAt');
CREATE INDEX responses_by_change ON responses (survey, updated_at);
`,
  },
  {
    version: 7,
    description: 'users say whether they must choose a new password at the next sign-in; users made before were never asked (false)',
    up: `UPDATE users SET doc = json_set(doc, '$.mustChangePassword', json('false')) WHERE json_type(doc, '$.mustChangePassword') IS NULL;`,
  },
  {
    version: 8,
    description: 'versioned settings: every quota plan version kept under (key, version), its number taken by a unique key; the plan stored before moves there',
    up: `
CREATE TABLE setting_versions (
  key TEXT NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  at TEXT NOT NULL,
  by TEXT,
  published INTEGER NOT NULL,
  PRIMARY KEY (key, version)
) STRICT;
INSERT INTO setting_versions (key, version, doc, at, by, published)
  SELECT key, json_extract(doc, '$.version'), doc, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 1 FROM settings WHERE key LIKE 'quotas:%';
DELETE FROM settings WHERE key LIKE 'quotas:%';
`,
  },
];

export const LATEST_VERSION = latestVersion(MIGRATIONS);

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the store up to date; throws StoreTooNewError, changing nothing, for a store of a newer release. */
export function migrate(db: Database.Database, where: string): SchemaUpgrade {
  const upgrade = db.transaction((): SchemaUpgrade => {
    const from = schemaVersionOf(db);
    const pending = pendingMigrations(MIGRATIONS, from, where);
    for (const m of pending) db.exec(m.up);
    if (pending.length > 0) db.pragma(`user_version = ${LATEST_VERSION}`);
    return { from, to: LATEST_VERSION };
  });
  return upgrade.immediate();
}
