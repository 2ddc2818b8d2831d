/** The audit trail: every write appended with actor, time, action, target and hashes of before and after. */
import { randomUUID } from 'node:crypto';
import type { AuditAction } from '../../schemas/generated/api.types.js';
import type { AuditEntry } from '../domain/accounts.js';
import type { Actor } from '../domain/actor.js';
import { contentHash } from '../domain/canonical.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { problem } from '../domain/problems.js';
import type { AccountStore } from '../store/store.port.js';
import type { Clock } from './responses.service.js';

/** `keep`: store the before and after records in the entry, not only their hashes (AuditEntry.before). */
type Change = { before?: unknown; after?: unknown; details?: Record<string, unknown>; keep?: boolean };
type AuditActor = Actor | string | null;

export interface Audit {
  /** Appends an entry for a write that has happened. */
  (actor: AuditActor, action: AuditAction, target: string, change?: Change): Promise<void>;
  /** The entry that call would append, for a store that records it together with the write (one commit). */
  entry(actor: AuditActor, action: AuditAction, target: string, change?: Change): AuditEntry;
}

export function auditTrail(store: AccountStore, clock: Clock): Audit {
  const entry = (actor: AuditActor, action: AuditAction, target: string, change: Change = {}): AuditEntry => ({
    id: randomUUID(),
    at: clock().toISOString(),
    actor: typeof actor === 'string' || actor === null ? actor : actor.username,
    action,
    target,
    beforeHash: change.before === undefined ? null : contentHash(change.before),
    afterHash: change.after === undefined ? null : contentHash(change.after),
    ...(change.keep && change.before !== undefined ? { before: change.before } : {}),
    ...(change.keep && change.after !== undefined ? { after: change.after } : {}),
    ...(change.details ? { details: change.details } : {}),
  });
  const append = async (actor: AuditActor, action: AuditAction, target: string, change?: Change) => {
    await store.appendAudit(entry(actor, action, target, change));
  };
  return Object.assign(append, { entry });
}

/** A page of the audit trail: by actor, action, target and time (ISO instants), after a cursor. */
export interface AuditParams {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
  /** `desc`: newest first (the console's audit page). */
  order?: 'asc' | 'desc';
}

export async function listAudit(store: AccountStore, q: AuditParams): Promise<{ items: AuditEntry[]; next: string | null }> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (after === null) throw problem('invalidQuery', { errors: [{ path: '/cursor', item: null, keyword: 'cursor', message: 'is not a cursor this server issued' }] });
  const page = await store.listAudit({
    ...(q.order === 'desc' ? { newestFirst: true } : {}),
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.target ? { target: q.target } : {}),
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
  }, q.limit ?? 100, after ? { at: after.receivedAt, id: after.id } : undefined);
  return { items: page.items, next: page.next ? encodeCursor({ receivedAt: page.next.at, id: page.next.id }) : null };
}
