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
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { freeLoginSlots, type AuditEntry, type LoginAttempt, type LoginClaim, type Token, type User } from '../../domain/accounts.js';
import { QUOTA_GRACE_MS, reclaimCutoff, type CellUsage, type QuotaSlot } from '../../domain/quotas/slots.js';
import { GroupCommit, type Outcome } from '../group-commit.js';
import { auditPosition, pageOf, responsePosition } from '../paging.js';
import { claimSlot, type SlotTable } from '../slot-claim.js';
import type { StoredResponse } from '../../domain/response.js';
import type { SchemaUpgrade } from '../migrations.js';
import { migrate } from './migrations.js';
import {
  streamByPages, type AuditFilter, type AuditPosition, type InsertOutcome, type Page, type PagePosition, type ResponseFilter, type SlotClaim,
  type SettingVersion, type SlotFilter, type Store, type StoreOptions,
} from '../store.port.js';


interface Row {
  doc: string;
}

interface SettingVersionRow {
  key: string;
  version: number;
  doc: string;
  at: string;
  by: string | null;
  published: number;
}

const settingVersionOf = (r: SettingVersionRow): SettingVersion =>
  ({ key: r.key, version: r.version, value: JSON.parse(r.doc) as unknown, at: r.at, by: r.by, published: r.published === 1 });

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
  over: number;
}

function slotOf(r: SlotRow): QuotaSlot {
  return {
    id: r.id, space: r.space, cell: r.cell, slot: r.slot, reservationId: r.reservation_id, owner: r.owner, claimedAt: r.claimed_at,
    expiresAt: r.expires_at, responseId: r.response_id, consumedAt: r.consumed_at, ...(r.over ? { over: true as const } : {}),
  };
}

const iso = (at: string) => new Date(at).toISOString();


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
  if (filter.changedSince) add('updated_at >= ?', iso(filter.changedSince));
  if (after) {
    clauses.push('(received_at > ? OR (received_at = ? AND id > ?))');
    params.push(after.receivedAt, after.receivedAt, after.id);
  }
  return { sql: clauses.join(' AND '), params };
}

const STATEMENTS_MAX = 256;

export class SqliteStore implements Store {
  readonly kind = 'embedded' as const;
  readonly schema: SchemaUpgrade;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly replace: Database.Statement;
  private readonly appendAuditStatement: Database.Statement;
  /** Inserts and audit appends of one turn of the event loop, committed in one transaction (../group-commit.ts). */
  private readonly group: GroupCommit<() => unknown, unknown>;
  private readonly replaceWithAudit: (r: StoredResponse, expectedRevision: number, audit?: AuditEntry) => boolean;
  /** Prepared statements by SQL text: compiling one costs more than running it (queries built from filters included, so bounded). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string, private readonly options: StoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Migrations first, WAL after: a store of a newer release is refused before anything, its journal mode
    // included, is written to it.
    try {
      this.schema = migrate(this.db, `The embedded store ${file}`);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.db.pragma('journal_mode = WAL');
    this.insert = this.db.prepare(
      'INSERT INTO responses (id, survey, status, region, interviewer, received_at, updated_at, revision, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.byId = this.db.prepare('SELECT doc FROM responses WHERE id = ?');
    this.replace = this.db.prepare(
      'UPDATE responses SET status = ?, region = ?, updated_at = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?',
    );
    this.appendAuditStatement = this.db.prepare('INSERT INTO audit (id, at, actor, action, target, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    // All or nothing: a failed write rolls back the transaction, and every write of the batch fails with it.
    const commitBatch = this.db.transaction((writes: Array<() => unknown>) => writes.map((run): Outcome<unknown> => ({ ok: true, value: run() })));
    this.group = new GroupCommit(commitBatch);
    this.replaceWithAudit = this.db.transaction((r: StoredResponse, expectedRevision: number, audit?: AuditEntry) => {
      const replaced = this.replace.run(r.status, r.region, iso(r.updatedAt), r.revision, JSON.stringify(r), r.id, expectedRevision).changes === 1;
      if (replaced && audit) this.appendAfterWrite(audit);
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
    const result = this.insert.run(r.id, r.survey, r.status, r.region, r.interviewer, r.receivedAt, iso(r.updatedAt), r.revision, JSON.stringify(r));
    if (result.changes === 1) {
      if (audit) this.appendAfterWrite(audit);
      return { inserted: true, response: r };
    }
    const row = this.byId.get(r.id) as Row | undefined;
    if (!row) throw new Error(`response ${r.id} conflicted on insert but cannot be read back`);
    return { inserted: false, response: JSON.parse(row.doc) as StoredResponse };
  }

  insertResponse(r: StoredResponse, audit?: AuditEntry): Promise<InsertOutcome> {
    return this.group.add(() => this.insertOne(r, audit)) as Promise<InsertOutcome>;
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
    return pageOf(rows, limit, (row) => JSON.parse(row.doc) as StoredResponse, responsePosition);
  }

  streamResponses(filter: ResponseFilter, batchSize = 500): AsyncIterable<StoredResponse> {
    return streamByPages(this, filter, batchSize);
  }

  async countResponses(filter: ResponseFilter): Promise<number> {
    const w = where(filter);
    return (this.sql(`SELECT count(*) AS n FROM responses WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** Nothing to repair: a write and its entry are one transaction here. */
  async repairAudit(): Promise<number> {
    return 0;
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

  /** Runs a write and, when it wrote (returns true), its audit entry: one transaction, so they never part. */
  private audited(write: () => boolean, audit?: AuditEntry): boolean {
    return this.db.transaction(() => {
      const wrote = write();
      if (wrote && audit) this.appendAfterWrite(audit);
      return wrote;
    })();
  }

  /** Inside a transaction: the fault hook sits between the write and its entry (a kill there rolls both back). */
  private appendAfterWrite(e: AuditEntry): void {
    this.options.beforeAudit?.(e.action);
    this.appendOne(e);
  }

  async insertUser(u: User, audit?: AuditEntry): Promise<boolean> {
    return this.audited(() => this.sql('INSERT INTO users (id, username, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(u.id, u.username, JSON.stringify(u)).changes === 1, audit);
  }

  async findUserById(id: string): Promise<User | null> {
    return this.doc<User>('SELECT doc FROM users WHERE id = ?', id);
  }

  async findUserByUsername(username: string): Promise<User | null> {
    return this.doc<User>('SELECT doc FROM users WHERE username = ?', username);
  }

  async listUsers(): Promise<User[]> {
    return this.docs<User>('SELECT doc FROM users ORDER BY username');
  }

  async countUsers(): Promise<number> {
    return (this.sql('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async replaceUser(u: User, audit?: AuditEntry): Promise<void> {
    this.audited(() => this.sql('UPDATE users SET username = ?, doc = ? WHERE id = ?').run(u.username, JSON.stringify(u), u.id).changes === 1, audit);
  }

  /** One IMMEDIATE transaction: the write lock serialises claims across connections; the primary key is the backstop. */
  async claimLoginAttempt(a: LoginAttempt): Promise<LoginClaim> {
    const claim = this.db.transaction((): LoginClaim => {
      const held = () => this.sql('SELECT slot, at FROM login_attempts WHERE account = ? AND address = ?').all(a.account, a.address) as Array<{ slot: number; at: string }>;
      let rows = held();
      if (rows.length > 0 && rows.every((r) => r.at < a.lapseBefore)) {
        this.sql('DELETE FROM login_attempts WHERE account = ? AND address = ? AND at < ?').run(a.account, a.address, a.lapseBefore);
        rows = held();
      }
      const slot = freeLoginSlots(a.max, rows.map((r) => r.slot))[0];
      if (slot === undefined) return { allowed: false, lastAt: rows.reduce((m, r) => (r.at > m ? r.at : m), '') };
      this.sql('INSERT INTO login_attempts (account, address, slot, at) VALUES (?, ?, ?, ?)').run(a.account, a.address, slot, a.now);
      return { allowed: true, slot };
    });
    return claim.immediate();
  }

  async clearLoginAttempts(account: string, address?: string): Promise<number> {
    if (address === undefined) return this.sql('DELETE FROM login_attempts WHERE account = ?').run(account).changes;
    return this.sql('DELETE FROM login_attempts WHERE account = ? AND address = ?').run(account, address).changes;
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

  async insertSettingVersion(v: SettingVersion, audit?: AuditEntry): Promise<boolean> {
    return this.audited(() => this.sql('INSERT INTO setting_versions (key, version, doc, at, by, published) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(v.key, v.version, JSON.stringify(v.value), v.at, v.by, v.published ? 1 : 0).changes === 1, audit);
  }

  async publishSettingVersion(key: string, version: number): Promise<void> {
    this.sql('UPDATE setting_versions SET published = 1 WHERE key = ? AND version = ?').run(key, version);
  }

  async findSettingVersion(key: string, version: number): Promise<SettingVersion | null> {
    const row = this.sql('SELECT * FROM setting_versions WHERE key = ? AND version = ?').get(key, version) as SettingVersionRow | undefined;
    return row ? settingVersionOf(row) : null;
  }

  async listSettingVersions(key: string, options: { limit: number; published?: boolean }): Promise<SettingVersion[]> {
    const rows = this.sql(`SELECT * FROM setting_versions WHERE key = ?${options.published ? ' AND published = 1' : ''} ORDER BY version DESC LIMIT ?`)
      .all(key, options.limit) as SettingVersionRow[];
    return rows.map(settingVersionOf);
  }

  async insertToken(t: Token, audit?: AuditEntry): Promise<void> {
    this.audited(() => this.sql('INSERT INTO tokens (id, token_hash, doc) VALUES (?, ?, ?)').run(t.id, t.tokenHash, JSON.stringify(t)).changes === 1, audit);
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

  async revokeToken(id: string, at: string, audit?: AuditEntry): Promise<boolean> {
    return this.audited(() => this.sql("UPDATE tokens SET doc = json_set(doc, '$.revokedAt', ?) WHERE id = ? AND json_extract(doc, '$.revokedAt') IS NULL")
      .run(at, id).changes === 1, audit);
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.group.add(() => this.appendOne(e));
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
    const [beyond, order] = filter.newestFirst ? ['<', 'DESC'] : ['>', 'ASC'];
    if (after) { clauses.push(`(at ${beyond} ? OR (at = ? AND id ${beyond} ?))`); params.push(after.at, after.at, after.id); }
    const items = this.docs<AuditEntry>(`SELECT doc FROM audit WHERE ${clauses.join(' AND ')} ORDER BY at ${order}, id ${order} LIMIT ?`, ...params, limit + 1);
    return pageOf(items, limit, (e) => e, auditPosition);
  }

  /** The shared claim (../slot-claim.ts) on this table: single statements, the unique keys enforce the cap. */
  async claimQuotaSlot(claim: SlotClaim): Promise<QuotaSlot | null> {
    return claimSlot(this.slotTable, claim);
  }

  private readonly slotTable: SlotTable = {
    findOwn: async (space, cell, reservationId) => {
      const row = this.sql('SELECT * FROM quota_slots WHERE space = ? AND cell = ? AND reservation_id = ?').get(space, cell, reservationId) as SlotRow | undefined;
      return row ? slotOf(row) : null;
    },
    held: async (space, cell, target) => (this.sql('SELECT * FROM quota_slots WHERE space = ? AND cell = ? AND slot < ?').all(space, cell, target) as SlotRow[]).map(slotOf),
    highest: async (space, cell) => (this.sql('SELECT max(slot) AS top FROM quota_slots WHERE space = ? AND cell = ?').get(space, cell) as { top: number | null }).top,
    insert: async (s) => this.db.transaction(() => {
      const inserted = this.sql(`INSERT INTO quota_slots (id, space, cell, slot, reservation_id, owner, claimed_at, expires_at, response_id, consumed_at, over)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
        .run(s.id, s.space, s.cell, s.slot, s.reservationId, s.owner, s.claimedAt, s.expiresAt, s.responseId, s.consumedAt, s.over ? 1 : 0).changes === 1;
      if (inserted && s.responseId !== null) this.countSlot(s.space, s.cell, 1, s.over ? 1 : 0);
      return inserted;
    })(),
    deleteReservation: async (id, before) => {
      if (before === undefined) this.sql('DELETE FROM quota_slots WHERE id = ? AND response_id IS NULL').run(id);
      else this.sql('DELETE FROM quota_slots WHERE id = ? AND response_id IS NULL AND expires_at < ?').run(id, before);
    },
  };

  /** Inside the transaction of the slot write it counts: consumed slots of a cell, and those beyond the target. */
  private countSlot(space: string, cell: string, consumed: number, over: number): void {
    this.sql(`INSERT INTO quota_counts (space, cell, consumed, over) VALUES (?, ?, ?, ?)
      ON CONFLICT (space, cell) DO UPDATE SET consumed = consumed + excluded.consumed, over = over + excluded.over`).run(space, cell, consumed, over);
  }

  async countQuotaSlots(space: string, cells: readonly string[], now: string): Promise<Map<string, CellUsage>> {
    const usage = new Map<string, CellUsage>();
    const wanted = new Set(cells);
    const add = (key: string, counts: Partial<CellUsage>) => {
      if (wanted.has(key)) usage.set(key, { ...(usage.get(key) ?? { consumed: 0, over: 0, reserved: 0, lapsed: 0 }), ...counts });
    };
    for (const r of this.sql('SELECT cell, consumed, over FROM quota_counts WHERE space = ?').all(space) as Array<{ cell: string; consumed: number; over: number }>) {
      add(r.cell, { consumed: r.consumed, over: r.over });
    }
    const reservations = this.sql(`SELECT cell, sum(expires_at >= ?) AS reserved, sum(expires_at < ?) AS lapsed FROM quota_slots
      WHERE space = ? AND response_id IS NULL GROUP BY cell`).all(iso(now), iso(now), space) as Array<{ cell: string; reserved: number; lapsed: number }>;
    for (const r of reservations) add(r.cell, { reserved: r.reserved, lapsed: r.lapsed });
    return usage;
  }

  async consumeQuotaReservation(space: string, reservationId: string, responseId: string, now: string): Promise<QuotaSlot[]> {
    const at = iso(now);
    this.db.transaction(() => {
      const live = this.sql('SELECT id, cell, over FROM quota_slots WHERE space = ? AND reservation_id = ? AND response_id IS NULL AND expires_at >= ?')
        .all(space, reservationId, at) as Array<{ id: string; cell: string; over: number }>;
      for (const slot of live) {
        this.sql('UPDATE quota_slots SET response_id = ?, consumed_at = ? WHERE id = ?').run(responseId, at, slot.id);
        this.countSlot(space, slot.cell, 1, slot.over);
      }
    }).immediate();
    return this.listQuotaSlots(space, { reservationId, responseId });
  }

  async cancelQuotaReservation(space: string, reservationId: string, owner?: string): Promise<number> {
    if (owner !== undefined) {
      return this.sql('DELETE FROM quota_slots WHERE space = ? AND reservation_id = ? AND response_id IS NULL AND owner = ?').run(space, reservationId, owner).changes;
    }
    return this.sql('DELETE FROM quota_slots WHERE space = ? AND reservation_id = ? AND response_id IS NULL').run(space, reservationId).changes;
  }

  async releaseQuotaSlotsOfResponse(space: string, responseId: string): Promise<number> {
    return this.db.transaction(() => {
      const held = this.sql('SELECT id, cell, over FROM quota_slots WHERE space = ? AND response_id = ?').all(space, responseId) as Array<{ id: string; cell: string; over: number }>;
      for (const slot of held) {
        this.sql('DELETE FROM quota_slots WHERE id = ?').run(slot.id);
        this.countSlot(space, slot.cell, -1, -slot.over);
      }
      return held.length;
    }).immediate();
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
    return this.db.transaction(() => {
      this.sql('DELETE FROM quota_counts WHERE space = ?').run(space);
      return this.sql('DELETE FROM quota_slots WHERE space = ?').run(space).changes;
    })();
  }

  async close(): Promise<void> {
    await this.group.drain();
    if (this.db.open) this.db.close();
  }
}
