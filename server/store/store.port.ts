/**
 * The storage port: what the services need from a store, nothing more. Two adapters implement it (embedded SQLite,
 * MongoDB) and pass one contract suite (tests/contract). Store-specific errors, such as a duplicate key, are
 * translated inside the adapters; a lookup that finds nothing returns null and the caller decides.
 */
import type { ResponseStatus } from '../../schemas/api.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { AuditEntry, LoginAttempt, LoginClaim, Token, User } from '../domain/accounts.js';
import type { CellUsage, QuotaSlot } from '../domain/quotas/slots.js';
import type { StoredResponse } from '../domain/response.js';
import type { SchemaUpgrade } from './migrations.js';

export interface ResponseFilter {
  survey: SurveyId;
  status?: ResponseStatus;
  region?: string;
  /** Any of these regions (access scoping); an empty list matches nothing. */
  regions?: string[];
  interviewer?: string;
  /** Received at or after (ISO date-time). */
  since?: string;
  /** Received strictly before (ISO date-time). */
  until?: string;
  /** Created or changed (updatedAt) at or after (ISO date-time): what the analysis dataset has not seen yet. */
  changedSince?: string;
}

/** Position after which a page starts: responses are ordered by (receivedAt, id). */
export interface PagePosition {
  receivedAt: string;
  id: string;
}

export interface Page {
  items: StoredResponse[];
  /** Position of the last item when more may follow, else null. */
  next: PagePosition | null;
}

export type InsertOutcome = { inserted: true; response: StoredResponse } | { inserted: false; response: StoredResponse };

export interface ResponseStore {
  readonly kind: 'embedded' | 'mongodb';
  /** The schema version found on opening and the one the store is at now (./migrations.ts). */
  readonly schema: SchemaUpgrade;
  /**
   * Inserts unless a response with this id exists; then returns the existing one. Atomic and race-free. `audit`,
   * the entry recording the creation, is appended only when this call inserted, and the two never part: in the
   * same commit (embedded); on MongoDB (no multi-document transactions) the entry travels inside the response
   * document and is copied to the trail right after, by this call, by a retry that finds the response, or by the
   * repair at start (see AUDIT_OUTBOX in mongo.store.ts).
   */
  insertResponse(response: StoredResponse, audit?: AuditEntry): Promise<InsertOutcome>;
  findResponseById(id: string): Promise<StoredResponse | null>;
  /**
   * Replaces a response if its stored revision is still `expectedRevision`; false when it moved on. `audit` is
   * appended only when it replaced, and never parts from the change (as for insertResponse).
   */
  replaceResponse(response: StoredResponse, expectedRevision: number, audit?: AuditEntry): Promise<boolean>;
  listResponses(filter: ResponseFilter, limit: number, after?: PagePosition): Promise<Page>;
  /** Every matching response in (receivedAt, id) order, fetched in batches: constant memory for any count. */
  streamResponses(filter: ResponseFilter, batchSize?: number): AsyncIterable<StoredResponse>;
  countResponses(filter: ResponseFilter): Promise<number>;
  /**
   * Completes what a crash left between a write and its audit entry (on MongoDB, entries still waiting inside
   * their documents); how many. The composition root runs it at every start, before serving.
   */
  repairAudit(): Promise<number>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AuditFilter {
  /** Newest entries first (the console's trail); oldest first otherwise. A cursor continues in the order it was made in. */
  newestFirst?: boolean;
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

export interface AuditPosition {
  at: string;
  id: string;
}

/**
 * Every write that takes an `audit` entry records it with the change, never apart (as insertResponse does):
 * the entry is appended if and only if the write happened.
 */
export interface AccountStore {
  /** False when the username is taken. */
  insertUser(user: User, audit?: AuditEntry): Promise<boolean>;
  findUserById(id: string): Promise<User | null>;
  findUserByUsername(username: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  countUsers(): Promise<number>;
  replaceUser(user: User, audit?: AuditEntry): Promise<void>;
  /**
   * Takes the lowest free slot of the attempt's account and address, before its password is checked: under any
   * concurrency, across app instances, on both stores, at most `max` attempts hold slots (a unique key on account,
   * address and slot; no update needs to be atomic). A set whose newest slot is older than `lapseBefore` is
   * deleted first. Not allowed when every slot is taken: `lastAt` is the newest.
   */
  claimLoginAttempt(attempt: LoginAttempt): Promise<LoginClaim>;
  /** Forgets the attempts of an account, from one address or (none given) from all; how many. */
  clearLoginAttempts(account: string, address?: string): Promise<number>;
  insertToken(token: Token, audit?: AuditEntry): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<Token | null>;
  findTokenById(id: string): Promise<Token | null>;
  listTokens(): Promise<Token[]>;
  /** Marks a token revoked; false when it does not exist or already was (and then `audit` is not appended). */
  revokeToken(id: string, at: string, audit?: AuditEntry): Promise<boolean>;
  /** Revokes every live token of a user; returns how many. */
  revokeTokensOfUser(userId: string, at: string): Promise<number>;
  /** Appended only: there is no update or delete. Idempotent by the entry's id (a repeated append is a no-op). */
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(filter: AuditFilter, limit: number, after?: AuditPosition): Promise<{ items: AuditEntry[]; next: AuditPosition | null }>;
}

/**
 * One version of a versioned setting (a survey's quota plan): every version is a record of its own under (key,
 * version), never overwritten, so the history stays readable.
 */
export interface SettingVersion {
  key: string;
  version: number;
  value: unknown;
  /** When it was stored, and by whom (null: the system). */
  at: string;
  by: string | null;
  /**
   * Readers see only published versions. A version is inserted unpublished, which decides who gets its number;
   * its writer then prepares what must exist before anyone reads it (a plan's quota slots) and publishes it.
   */
  published: boolean;
}

/** Survey settings such as population margins: one JSON value per key, replaced whole; and versioned settings. */
export interface SettingsStore {
  getSetting(key: string): Promise<unknown | null>;
  putSetting(key: string, value: unknown): Promise<void>;
  /**
   * Inserts a version unless that (key, version) exists; false then (and `audit` is not appended). Atomic on both
   * stores (a unique key, no update), so two writers never get one version number. `audit` never parts from it.
   */
  insertSettingVersion(version: SettingVersion, audit?: AuditEntry): Promise<boolean>;
  /** Marks a version published (idempotent). */
  publishSettingVersion(key: string, version: number): Promise<void>;
  findSettingVersion(key: string, version: number): Promise<SettingVersion | null>;
  /** Versions of a key, newest first; only published ones with `published: true`. */
  listSettingVersions(key: string, options: { limit: number; published?: boolean }): Promise<SettingVersion[]>;
}

/** A request for one slot of a quota cell (see domain/quotas/slots.ts for why slots, not counters). */
export interface SlotClaim {
  /** Key space of the plan version (planSpace). */
  space: string;
  /** Cell key (cellKey). */
  cell: string;
  /** The cell's target: slots 0..target-1 exist. */
  target: number;
  reservationId: string;
  /** Who screens (see QuotaSlot.owner); null or absent for a response's direct claim. */
  owner?: string | null;
  /** The current time (ISO): lapsed reservations are judged against it. */
  now: string;
  /** When the reservation lapses; null when a response claims the slot directly (it is consumed at once). */
  expiresAt: string | null;
  /** Set when a response claims directly (an offline interview, a plan replaced): the slot is consumed at once. */
  responseId?: string | null;
  /** How long past its expiry a reservation must be before its slot is taken back (default QUOTA_GRACE_MS). */
  graceMs?: number;
  /**
   * A response's direct claim only: when the cell is full, take a slot beyond the target, marked `over`, rather
   * than nothing, so that the cell's slots keep counting its achieved interviews.
   */
  overflow?: boolean;
}

export interface SlotFilter {
  cell?: string;
  reservationId?: string;
  responseId?: string;
  owner?: string;
}

/**
 * Quota slots. The one guarantee: a cell never holds more than `target` slots, under any concurrency, across app
 * instances, on both stores, without transactions (a unique index on space, cell and slot number). Reservations,
 * consumption and release are single-claim writes keyed by ids only their owner knows.
 */
export interface QuotaStore {
  /**
   * Takes a free slot of the cell, reclaiming lapsed reservations (expired more than the grace period) when no slot
   * is free; null when every slot is held (by responses, live reservations or reservations within their grace).
   * Idempotent per reservation and cell, concurrent retries included: a reservation that holds a live or consumed
   * slot there gets that slot back (unchanged, even if this claim names a response); a lapsed one is let go and
   * the claim starts afresh.
   */
  claimQuotaSlot(claim: SlotClaim): Promise<QuotaSlot | null>;
  /**
   * Writes the response id on the reservation's slots whose expiry is not before `now`; returns every slot of the
   * reservation the response holds (idempotent: a retry returns the same slots). Lapsed slots are not consumed.
   * Updates are not atomic on FerretDB, so one reservation must only ever be consumed by one response: use the
   * response id (the form makes it before screening) as the reservation id, and consume with that same id.
   */
  consumeQuotaReservation(space: string, reservationId: string, responseId: string, now: string): Promise<QuotaSlot[]>;
  /**
   * Deletes the reservation's unconsumed slots (screening abandoned, or a partial claim rolled back); how many.
   * With `owner`, only slots that owner claimed: someone else's reservation is left alone (and counts 0).
   */
  cancelQuotaReservation(space: string, reservationId: string, owner?: string): Promise<number>;
  /** Deletes the slots a response holds (it was rejected or withdrawn): the cells reopen. How many. */
  releaseQuotaSlotsOfResponse(space: string, responseId: string): Promise<number>;
  /**
   * The given cells of a space (a plan's cells), their slots counted at `now`: consumed (achieved interviews, over
   * quota included), over, live and lapsed reservations; a cell that never held a slot is absent. Consumed and over
   * come from per-cell counts every slot write keeps, exact under concurrency (a row per cell in the slot write's
   * transaction, embedded; a log per cell numbered by unique keys, MongoDB), reservations from the unconsumed slots:
   * the cost follows the cells and the reservations held, never the number of responses or slots stored.
   */
  countQuotaSlots(space: string, cells: readonly string[], now: string): Promise<Map<string, CellUsage>>;
  /** The slots of a space, optionally of one cell, reservation or response, ordered by cell and slot. */
  listQuotaSlots(space: string, filter?: SlotFilter): Promise<QuotaSlot[]>;
  /** Deletes every reservation of the space lapsed more than the grace period at `now`, each by its own id. */
  reclaimLapsedQuotaSlots(space: string, now: string, graceMs?: number): Promise<number>;
  /** Deletes every slot of a space (a replaced plan version); how many. */
  deleteQuotaSpace(space: string): Promise<number>;
}

/** What the composition root tells an adapter besides where its data is. */
export interface StoreOptions {
  /**
   * Called where a write has happened and the audit entry that records it is not yet written, with the entry's
   * action. A fault hook: main.ts passes one that kills the process at a configured action (CSI_FAULT_KILL_BEFORE_AUDIT),
   * so that tests can crash a server at exactly that point; nothing else passes one.
   */
  beforeAudit?: (action: string) => void;
  /** A call the store has not answered within this many milliseconds fails as `storeUnavailable` (MongoDB). */
  timeoutMs?: number;
}

/** Everything the app stores: both adapters implement all of it. */
export type Store = ResponseStore & AccountStore & SettingsStore & QuotaStore;

/** Shared by adapters: pages through listResponses to stream without holding more than one batch. */
export async function* streamByPages(store: Pick<ResponseStore, 'listResponses'>, filter: ResponseFilter, batchSize = 500): AsyncIterable<StoredResponse> {
  let after: PagePosition | undefined;
  for (;;) {
    const page = await store.listResponses(filter, batchSize, after);
    yield* page.items;
    if (!page.next) return;
    after = page.next;
  }
}
