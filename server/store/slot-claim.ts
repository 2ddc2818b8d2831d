/**
 * The quota slot claim, written once for both stores (store.port.ts, QuotaStore.claimQuotaSlot): each adapter gives
 * the few single-statement reads and writes below, and the cap rests on its unique keys alone (space, cell, slot;
 * space, cell, reservation), never on a transaction or an atomic update, which FerretDB 1.24 does not have.
 *
 * A claim takes back the slot its reservation already holds in the cell (a lapsed one is let go first), else tries
 * the free slot numbers below the target in turn (losing one to a concurrent claim only means trying the next);
 * with none free, lapsed reservations past their grace are deleted, each by its own id, and the cell read again.
 * A response that finds the cell full may take a slot beyond the target (`overflow`), marked `over`: its interview
 * was accepted over quota, and the slots stay the cell's count of achieved interviews (domain/quotas/slots.ts).
 */
import { randomUUID } from 'node:crypto';
import { freeSlotNumbers, QUOTA_GRACE_MS, reclaimCutoff, type QuotaSlot } from '../domain/quotas/slots.js';
import type { SlotClaim } from './store.port.js';

/** What an adapter provides: one statement each. */
export interface SlotTable {
  /** The slot a reservation holds in a cell, if any. */
  findOwn(space: string, cell: string, reservationId: string): Promise<QuotaSlot | null>;
  /** The slot numbers held below `target` in a cell, with what the reclaim needs to know of each. */
  held(space: string, cell: string, target: number): Promise<QuotaSlot[]>;
  /** The highest slot number held in a cell, or null when it holds none. */
  highest(space: string, cell: string): Promise<number | null>;
  /** Inserts the slot; false when a unique key (its number, or its reservation in the cell) is already taken. */
  insert(slot: QuotaSlot): Promise<boolean>;
  /** Deletes the slot by id if it is still an unconsumed reservation that expired before `before` (any expiry when absent). */
  deleteReservation(id: string, before?: string): Promise<void>;
}

// Claims that lost every free slot to others re-read the cell; past this many rounds of churn the cell counts as full.
const CLAIM_ROUNDS = 20;
// Beyond the target nothing caps a cell: each round one of the racers for the next number wins it, so n concurrent
// responses need n rounds. Giving up earlier would leave an accepted interview out of its cell's count.
const OVERFLOW_ROUNDS = 10_000;

const iso = (at: string) => new Date(at).toISOString();

export async function claimSlot(table: SlotTable, claim: SlotClaim): Promise<QuotaSlot | null> {
  if (claim.expiresAt === null && !claim.responseId) throw new Error('a quota reservation needs an expiry, or a response that consumes it');
  const now = iso(claim.now);
  const cutoff = reclaimCutoff(now, claim.graceMs ?? QUOTA_GRACE_MS);
  const own = await table.findOwn(claim.space, claim.cell, claim.reservationId);
  if (own && (own.responseId !== null || own.expiresAt === null || own.expiresAt >= now)) return own;
  if (own) await table.deleteReservation(own.id);
  const make = (slot: number, over: boolean): QuotaSlot => {
    const responseId = claim.responseId ?? null;
    return {
      id: randomUUID(), space: claim.space, cell: claim.cell, slot, reservationId: claim.reservationId, owner: claim.owner ?? null, claimedAt: now,
      expiresAt: claim.expiresAt === null ? null : iso(claim.expiresAt), responseId, consumedAt: responseId ? now : null, ...(over ? { over: true } : {}),
    };
  };
  // A lost insert may have lost to a concurrent claim of this very reservation: its slot is then the answer.
  const tryInsert = async (slot: QuotaSlot): Promise<QuotaSlot | 'taken' | null> => {
    if (await table.insert(slot)) return slot;
    const twin = await table.findOwn(claim.space, claim.cell, claim.reservationId);
    return twin ?? 'taken';
  };
  for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
    const held = await table.held(claim.space, claim.cell, claim.target);
    const free = freeSlotNumbers(claim.target, held.map((s) => s.slot));
    for (const number of free) {
      const won = await tryInsert(make(number, false));
      if (won !== 'taken') return won;
    }
    const lapsed = held.filter((s) => s.responseId === null && s.expiresAt !== null && s.expiresAt < cutoff);
    if (free.length === 0 && lapsed.length === 0) break;
    for (const s of lapsed) await table.deleteReservation(s.id, cutoff);
  }
  if (!claim.overflow || !claim.responseId) return null;
  for (let round = 0; round < OVERFLOW_ROUNDS; round += 1) {
    const highest = await table.highest(claim.space, claim.cell);
    const won = await tryInsert(make(Math.max(claim.target, (highest ?? -1) + 1), true));
    if (won !== 'taken') return won;
  }
  return null;
}
