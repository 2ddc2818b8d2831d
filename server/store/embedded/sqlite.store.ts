/**
 * The embedded store: SQLite through better-sqlite3, the zero-setup default. WAL with synchronous=FULL, so a
 * commit that returned survives a crash or power cut. The whole response is one JSON document per row, with the
 * filter columns copied out and indexed.
 *
 * Inserts and audit entries are group-committed: those arriving in the same turn of the event loop are written in
 * one transaction, so concurrent submissions share one fsync instead of queueing behind one each. No write is
 * acknowledged before its transaction committed.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry, Token, User } from '../../domain/accounts.js';
import { freeSlotNumbers, QUOTA_GRACE_MS, reclaimCutoff, type QuotaSlot } from '../../domain/quotas/slots.js';
import type { StoredResponse } from '../../domain/response.js';
import {
  streamByPages, type AuditFilter, type AuditPosition, type InsertOutcome, type Page, type PagePosition, type ResponseFilter, type SlotClaim,
  type SlotFilter, type Store,
} from '../store.port.js';

const SCHEMA = `
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
  owner TEXT,
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
`;

interface Row {
  doc: string;
}

interface SlotRow {
  id: string;
  space: string;
  cell: string;
  slot: number;
  reservation_id: string;
  owner: string | null;
  claimed_at: string;
  expires_at: string | null;
  response_id: string | null;
  consumed_at: string | null;
}

function slotOf(r: SlotRow): QuotaSlot {
  return {
    id: r.id, space: r.space, cell: r.cell, slot: r.slot, reservationId: r.reservation_id, owner: r.owner, claimedAt: r.claimed_at,
    expiresAt: r.expires_at, responseId: r.response_id, consumedAt: r.consumed_at,
  };
}

const iso = (at: string) => new Date(at).toISOString();

interface PendingWrite {
  run: () => unknown;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

function where(filter: ResponseFilter, after?: PagePosition): { sql: string; params: unknown[] } {
  const clauses = ['survey = ?'];
  const params: unknown[] = [filter.survey];
  const add = (clause: string, value: unknown) => {
    clauses.push(clause);
    params.push(value);
  };
  if (filter.status) add('status = ?', filter.status);
  if (filter.region) add('region = ?', filter.region);
  if (filter.regions) {
    clauses.push(`region IN (${filter.regions.map(() => '?').join(', ')})`);
    params.push(...filter.regions);
  }
  if (filter.interviewer) add('interviewer = ?', filter.interviewer);
  if (filter.since) add('received_at >= ?', filter.since);
  if (filter.until) add('received_at < ?', filter.until);
  if (after) {
    clauses.push('(received_at > ? OR (received_at = ? AND id > ?))');
    params.push(after.receivedAt, after.receivedAt, after.id);
  }
  return { sql: clauses.join(' AND '), params };
}

const STATEMENTS_MAX = 256;

export class SqliteStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly replace: Database.Statement;
  private readonly appendAuditStatement: Database.Statement;
  private pending: PendingWrite[] = [];
  private readonly commitBatch: (batch: PendingWrite[]) => unknown[];
  private readonly replaceWithAudit: (r: StoredResponse, expectedRevision: number, audit?: AuditEntry) => boolean;
  /** Prepared statements by SQL text: compiling one costs more than running it (queries built from filters included, so bounded). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Files made before reservations had owners: the column is added once (their old slots stay ownerless).
    const slotColumns = this.db.prepare('SELECT name FROM pragma_table_info(\'quota_slots\')').all() as Array<{ name: string }>;
    if (!slotColumns.some((c) => c.name === 'owner')) this.db.exec('ALTER TABLE quota_slots ADD COLUMN owner TEXT');
    this.insert = this.db.prepare(
      'INSERT INTO responses (id, survey, status, region, interviewer, received_at, revision, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.byId = this.db.prepare('SELECT doc FROM responses WHERE id = ?');
    this.replace = this.db.prepare(
      'UPDATE responses SET status = ?, region = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?',
    );
    this.appendAuditStatement = this.db.prepare('INSERT INTO audit (id, at, actor, action, target, doc) VALUES (?, ?, ?, ?, ?, ?)');
    this.commitBatch = this.db.transaction((batch: PendingWrite[]) => batch.map((w) => w.run()));
    this.replaceWithAudit = this.db.transaction((r: StoredResponse, expectedRevision: number, audit?: AuditEntry) => {
      const replaced = this.replace.run(r.status, r.region, r.revision, JSON.stringify(r), r.id, expectedRevision).changes === 1;
      if (replaced && audit) this.appendOne(audit);
      return replaced;
    });
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENTS_MAX) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Inside a transaction: insert, or read back the row that holds the id (possibly from this very batch). */
  private insertOne(r: StoredResponse, audit?: AuditEntry): InsertOutcome {
    const result = this.insert.run(r.id, r.survey, r.status, r.region, r.interviewer, r.receivedAt, r.revision, JSON.stringify(r));
    if (result.changes === 1) {
      if (audit) this.appendOne(audit);
      return { inserted: true, response: r };
    }
    const row = this.byId.get(r.id) as Row | undefined;
    if (!row) throw new Error(`response ${r.id} conflicted on insert but cannot be read back`);
    return { inserted: false, response: JSON.parse(row.doc) as StoredResponse };
  }

  insertResponse(r: StoredResponse, audit?: AuditEntry): Promise<InsertOutcome> {
    return this.enqueue(() => this.insertOne(r, audit)) as Promise<InsertOutcome>;
  }

  /** Queues a write for the next group commit. */
  private enqueue(run: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ run, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    try {
      const results = this.commitBatch(batch);
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  async findResponseById(id: string): Promise<StoredResponse | null> {
    const row = this.byId.get(id) as Row | undefined;
    return row ? (JSON.parse(row.doc) as StoredResponse) : null;
  }

  async replaceResponse(r: StoredResponse, expectedRevision: number, audit?: AuditEntry): Promise<boolean> {
    return this.replaceWithAudit(r, expectedRevision, audit);
  }

  async listResponses(filter: ResponseFilter, limit: number, after?: PagePosition): Promise<Page> {
    const w = where(filter, after);
    const rows = this.db
      .prepare(`SELECT doc FROM responses WHERE ${w.sql} ORDER BY received_at, id LIMIT ?`)
      .all(...w.params, limit + 1) as Row[];
    const items = rows.slice(0, limit).map((row) => JSON.parse(row.doc) as StoredResponse);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { receivedAt: last.receivedAt, id: last.id } : null };
  }

  streamResponses(filter: ResponseFilter, batchSize = 500): AsyncIterable<StoredResponse> {
    return streamByPages(this, filter, batchSize);
  }

  async countResponses(filter: ResponseFilter): Promise<number> {
    const w = where(filter);
    return (this.sql(`SELECT count(*) AS n FROM responses WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  private docs<T>(sql: string, ...params: unknown[]): T[] {
    return (this.sql(sql).all(...params) as Row[]).map((r) => JSON.parse(r.doc) as T);
  }

  private doc<T>(sql: string, ...params: unknown[]): T | null {
    const row = this.sql(sql).get(...params) as Row | undefined;
    return row ? (JSON.parse(row.doc) as T) : null;
  }

  async insertUser(u: User): Promise<boolean> {
    return this.sql('INSERT INTO users (id, username, failed_logins, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(u.id, u.username, u.failedLogins, JSON.stringify(u)).changes === 1;
  }

  async findUserById(id: string): Promise<User | null> {
    return this.withFailures(this.doc<User>('SELECT doc FROM users WHERE id = ?', id), id);
  }

  async findUserByUsername(username: string): Promise<User | null> {
    const u = this.doc<User>('SELECT doc FROM users WHERE username = ?', username);
    return u ? this.withFailures(u, u.id) : null;
  }

  /** The failed-login counter lives in its own column so that it can be incremented atomically. */
  private withFailures(u: User | null, id: string): User | null {
    if (!u) return null;
    const row = this.sql('SELECT failed_logins AS n FROM users WHERE id = ?').get(id) as { n: number };
    return { ...u, failedLogins: row.n };
  }

  async listUsers(): Promise<User[]> {
    return this.docs<User>('SELECT doc FROM users ORDER BY username');
  }

  async countUsers(): Promise<number> {
    return (this.sql('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async replaceUser(u: User): Promise<void> {
    this.sql('UPDATE users SET username = ?, failed_logins = ?, doc = ? WHERE id = ?').run(u.username, u.failedLogins, JSON.stringify(u), u.id);
  }

  async incrementFailedLogins(userId: string): Promise<number> {
    const row = this.sql('UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins AS n').get(userId) as { n: number } | undefined;
    return row?.n ?? 0;
  }

  async setLoginState(userId: string, failedLogins: number, lockedUntil: string | null): Promise<void> {
    this.sql("UPDATE users SET failed_logins = ?, doc = json_set(doc, '$.lockedUntil', ?) WHERE id = ?").run(failedLogins, lockedUntil, userId);
  }

  async revokeTokensOfUser(userId: string, at: string): Promise<number> {
    return this.sql("UPDATE tokens SET doc = json_set(doc, '$.revokedAt', ?) WHERE json_extract(doc, '$.userId') = ? AND json_extract(doc, '$.revokedAt') IS NULL")
      .run(at, userId).changes;
  }

  async getSetting(key: string): Promise<unknown | null> {
    const row = this.sql('SELECT doc FROM settings WHERE key = ?').get(key) as Row | undefined;
    return row ? (JSON.parse(row.doc) as unknown) : null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    this.sql('INSERT INTO settings (key, doc) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc').run(key, JSON.stringify(value));
  }

  async insertToken(t: Token): Promise<void> {
    this.sql('INSERT INTO tokens (id, token_hash, doc) VALUES (?, ?, ?)').run(t.id, t.tokenHash, JSON.stringify(t));
  }

  async findTokenByHash(tokenHash: string): Promise<Token | null> {
    return this.doc<Token>('SELECT doc FROM tokens WHERE token_hash = ?', tokenHash);
  }

  async findTokenById(id: string): Promise<Token | null> {
    return this.doc<Token>('SELECT doc FROM tokens WHERE id = ?', id);
  }

  async listTokens(): Promise<Token[]> {
    return this.docs<Token>('SELECT doc FROM tokens ORDER BY id');
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.sql("UPDATE tokens SET doc = json_set(doc, '$.revokedAt', ?) WHERE id = ? AND json_extract(doc, '$.revokedAt') IS NULL")
      .run(at, id).changes === 1;
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.enqueue(() => this.appendOne(e));
  }

  private appendOne(e: AuditEntry): void {
    this.appendAuditStatement.run(e.id, e.at, e.actor, e.action, e.target, JSON.stringify(e));
  }

  async listAudit(filter: AuditFilter, limit: number, after?: AuditPosition): Promise<{ items: AuditEntry[]; next: AuditPosition | null }> {
    const clauses: string[] = ['1 = 1'];
    const params: unknown[] = [];
    for (const [column, value] of [['actor', filter.actor], ['action', filter.action], ['target', filter.target]] as const) {
      if (value !== undefined) {
        clauses.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (filter.since) { clauses.push('at >= ?'); params.push(filter.since); }
    if (filter.until) { clauses.push('at < ?'); params.push(filter.until); }
    if (after) { clauses.push('(at > ? OR (at = ? AND id > ?))'); params.push(after.at, after.at, after.id); }
    const items = this.docs<AuditEntry>(`SELECT doc FROM audit WHERE ${clauses.join(' AND ')} ORDER BY at, id LIMIT ?`, ...params, limit + 1);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, next: items.length > limit && last ? { at: last.at, id: last.id } : null };
  }

  /**
   * One IMMEDIATE transaction: the slot the reservation already holds in the cell (a lapsed one is let go), else
   * the lowest free one, reclaiming lapsed reservations first when none is free. The write lock serialises claims
   * across connections; the unique keys are the backstop.
   */
  async claimQuotaSlot(claim: SlotClaim): Promise<QuotaSlot | null> {
    if (claim.expiresAt === null && !claim.responseId) throw new Error('a quota reservation needs an expiry, or a response that consumes it');
    const now = iso(claim.now);
    const cutoff = reclaimCutoff(now, claim.graceMs ?? QUOTA_GRACE_MS);
    const claimOnce = this.db.transaction((): QuotaSlot | null => {
      const own = this.sql('SELECT * FROM quota_slots WHERE space = ? AND cell = ? AND reservation_id = ?')
        .get(claim.space, claim.cell, claim.reservationId) as SlotRow | undefined;
      if (own && (own.response_id !== null || own.expires_at === null || own.expires_at >= now)) return slotOf(own);
      if (own) this.sql('DELETE FROM quota_slots WHERE id = ? AND response_id IS NULL').run(own.id);
      const held = () => (this.sql('SELECT slot FROM quota_slots WHERE space = ? AND cell = ? AND slot < ?')
        .all(claim.space, claim.cell, claim.target) as Array<{ slot: number }>).map((r) => r.slot);
      let free = freeSlotNumbers(claim.target, held());
      if (free.length === 0) {
        const lapsed = this.sql('SELECT id FROM quota_slots WHERE space = ? AND cell = ? AND response_id IS NULL AND expires_at < ?')
          .all(claim.space, claim.cell, cutoff) as Array<{ id: string }>;
        for (const { id } of lapsed) this.sql('DELETE FROM quota_slots WHERE id = ? AND response_id IS NULL AND expires_at < ?').run(id, cutoff);
        free = freeSlotNumbers(claim.target, held());
      }
      const slot = free[0];
      if (slot === undefined) return null;
      const row: SlotRow = {
        id: randomUUID(), space: claim.space, cell: claim.cell, slot, reservation_id: claim.reservationId, owner: claim.owner ?? null, claimed_at: now,
        expires_at: claim.expiresAt === null ? null : iso(claim.expiresAt), response_id: claim.responseId ?? null,
        consumed_at: claim.responseId ? now : null,
      };
      this.sql(`INSERT INTO quota_slots (id, space, cell, slot, reservation_id, owner, claimed_at, expires_at, response_id, consumed_at)
        VALUES (@id, @space, @cell, @slot, @reservation_id, @owner, @claimed_at, @expires_at, @response_id, @consumed_at)`).run(row);
      return slotOf(row);
    });
    return claimOnce.immediate();
  }

  async consumeQuotaReservation(space: string, reservationId: string, responseId: string, now: string): Promise<QuotaSlot[]> {
    const at = iso(now);
    this.sql('UPDATE quota_slots SET response_id = ?, consumed_at = ? WHERE space = ? AND reservation_id = ? AND response_id IS NULL AND expires_at >= ?')
      .run(responseId, at, space, reservationId, at);
    return this.listQuotaSlots(space, { reservationId, responseId });
  }

  async cancelQuotaReservation(space: string, reservationId: string, owner?: string): Promise<number> {
    if (owner !== undefined) {
      return this.sql('DELETE FROM quota_slots WHERE space = ? AND reservation_id = ? AND response_id IS NULL AND owner = ?').run(space, reservationId, owner).changes;
    }
    return this.sql('DELETE FROM quota_slots WHERE space = ? AND reservation_id = ? AND response_id IS NULL').run(space, reservationId).changes;
  }

  async releaseQuotaSlotsOfResponse(space: string, responseId: string): Promise<number> {
    return this.sql('DELETE FROM quota_slots WHERE space = ? AND response_id = ?').run(space, responseId).changes;
  }

  async listQuotaSlots(space: string, filter: SlotFilter = {}): Promise<QuotaSlot[]> {
    const clauses = ['space = ?'];
    const params: unknown[] = [space];
    for (const [column, value] of [['cell', filter.cell], ['reservation_id', filter.reservationId], ['response_id', filter.responseId], ['owner', filter.owner]] as const) {
      if (value !== undefined) {
        clauses.push(`${column} = ?`);
        params.push(value);
      }
    }
    const rows = this.sql(`SELECT * FROM quota_slots WHERE ${clauses.join(' AND ')} ORDER BY cell, slot`).all(...params) as SlotRow[];
    return rows.map(slotOf);
  }

  async reclaimLapsedQuotaSlots(space: string, now: string, graceMs = QUOTA_GRACE_MS): Promise<number> {
    const cutoff = reclaimCutoff(iso(now), graceMs);
    const lapsed = this.sql('SELECT id FROM quota_slots WHERE space = ? AND response_id IS NULL AND expires_at < ?').all(space, cutoff) as Array<{ id: string }>;
    const remove = this.sql('DELETE FROM quota_slots WHERE id = ? AND response_id IS NULL AND expires_at < ?');
    return lapsed.reduce((n, { id }) => n + remove.run(id, cutoff).changes, 0);
  }

  async deleteQuotaSpace(space: string): Promise<number> {
    return this.sql('DELETE FROM quota_slots WHERE space = ?').run(space).changes;
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    if (this.db.open) this.db.close();
  }
}
