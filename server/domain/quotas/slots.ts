/**
 * Slots: how a cell's target is enforced without counters. A cell with target T has slot numbers 0..T-1; claiming
 * one inserts a document under a unique index on (space, cell, slot), so at most T claims can exist at any moment
 * whatever the concurrency, on either store and across app instances, with no transaction and no atomic update
 * (FerretDB 1.24 loses concurrent increments, but a unique index never admits two inserts of one key).
 *
 * A claim starts as a reservation with an expiry; submission consumes it (the response id is written on it);
 * rejection or withdrawal releases it. A reservation that lapsed is reclaimed only after a grace period, and
 * deleted by its own random id, while consumption is accepted only up to the expiry: a deleter and a consumer
 * never act on one claim in the same window, and a slow deleter can never remove someone else's newer claim.
 */
export interface QuotaSlot {
  /** Random id of this claim. */
  id: string;
  /** Key space: a plan version (planSpace), so a replaced plan's slots are never counted again. */
  space: string;
  /** Cell key (cellKey). */
  cell: string;
  /** 0..target-1. */
  slot: number;
  /** Shared by the slots one screening claimed in several quotas. */
  reservationId: string;
  /** Who screened (a username): only they may cancel the reservation. Null for slots a response claimed directly. */
  owner: string | null;
  claimedAt: string;
  /** When an unconsumed reservation lapses; null for a slot claimed directly by a response. */
  expiresAt: string | null;
  /** The response that consumed the slot; null while it is a reservation. */
  responseId: string | null;
  consumedAt: string | null;
  /**
   * A slot beyond the target (numbered from the target up), taken by a response accepted when the cell was full
   * (flag policy, an interview completed offline, a lapsed reservation): the slots of a cell are then the count of
   * its achieved interviews, with those over quota told apart, and nobody needs to scan the responses for it.
   */
  over?: true;
}

/** How long after its expiry a lapsed reservation may be deleted: far more than any clock skew or slow request. */
export const QUOTA_GRACE_MS = 60_000;

/** A reservation that still holds its slot and can be consumed. */
export function isLiveReservation(slot: QuotaSlot, now: string): boolean {
  return slot.responseId === null && slot.expiresAt !== null && Date.parse(slot.expiresAt) >= Date.parse(now);
}

/** A reservation that lapsed more than the grace period ago: its slot may be taken back. */
export function isReclaimable(slot: QuotaSlot, now: string, graceMs = QUOTA_GRACE_MS): boolean {
  return slot.responseId === null && slot.expiresAt !== null && Date.parse(slot.expiresAt) + graceMs < Date.parse(now);
}

/** The latest expiry a slot may have to be reclaimable at `now` (what the stores filter on). */
export function reclaimCutoff(now: string, graceMs = QUOTA_GRACE_MS): string {
  return new Date(Date.parse(now) - graceMs).toISOString();
}

export interface CellUsage {
  /** Slots consumed by responses (within the target and beyond it): the cell's achieved interviews. */
  consumed: number;
  /** Of those, slots beyond the target: interviews accepted over quota. */
  over: number;
  /** Live reservations. */
  reserved: number;
  /** Lapsed reservations not yet reclaimed: they still hold their slot until someone needs it. */
  lapsed: number;
}

/** Slot usage per cell key at `now`. */
export function cellUsage(slots: Iterable<QuotaSlot>, now: string): Map<string, CellUsage> {
  const usage = new Map<string, CellUsage>();
  for (const s of slots) {
    const u = usage.get(s.cell) ?? { consumed: 0, over: 0, reserved: 0, lapsed: 0 };
    if (s.over) u.over += 1;
    if (s.responseId !== null) u.consumed += 1;
    else if (isLiveReservation(s, now)) u.reserved += 1;
    else u.lapsed += 1;
    usage.set(s.cell, u);
  }
  return usage;
}

/** Slot numbers 0..target-1 not in `taken`, ascending. */
export function freeSlotNumbers(target: number, taken: Iterable<number>): number[] {
  const held = new Set(taken);
  return Array.from({ length: Math.max(0, target) }, (_, i) => i).filter((i) => !held.has(i));
}
