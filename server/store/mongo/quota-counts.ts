/**
 * QUOTA_COUNTS: the consumed and over-quota slots of each cell, kept on MongoDB without an update that must be
 * atomic (FerretDB 1.24 loses concurrent `$inc`s and compare-and-sets) and read without a query FerretDB would scan
 * (it pushes only an `_id` equality down to SQLite: any other filter or sort reads the whole collection).
 *
 * Each cell has a log: entry n+1 holds the running totals after one change (a slot consumed, `+<slot id>`, or a
 * consumed slot released, `-<slot id>`) and has the `_id` [space, cell, n+1], so of two writers that read entry n
 * only one can append; the other reads again and appends after it. A unique index on the change makes applying it
 * twice a no-op. The numbers are dense, so the newest entry is found by `_id` alone: from the last one this
 * process saw, one lookup when nothing changed, a gallop and a bisection when others wrote.
 *
 * Every slot that may still change a count has a marker in `quota_open`, written before the slot write and keyed
 * by the change it stands for: `+<slot id>` while the slot is a reservation (and until its consumption is
 * counted), `-<slot id>` until its release is counted. The markers are few (live reservations and changes under
 * way), so counting reads them all: the reservations come from them, and a marker left by a crash longer than
 * SETTLE_AFTER_MS ago is completed there (its change applied), so no count stays wrong after a crash.
 */
import { MongoServerError, type Collection } from 'mongodb';
import { cellUsage, type CellUsage, type QuotaSlot } from '../../domain/quotas/slots.js';

export interface CountDoc {
  /** JSON of [space, cell, seq]. */
  _id: string;
  space: string;
  cell: string;
  seq: number;
  /** The change this entry applied (`+<slot id>` or `-<slot id>`): unique, so no change counts twice. */
  change: string;
  consumed: number;
  over: number;
}

export interface OpenDoc {
  /** The change the marker stands for: `+<slot id>` or `-<slot id>`. */
  _id: string;
  space: string;
  cell: string;
  slotId: string;
  over: boolean;
  /** When it was written (ISO), by the server clock. */
  at: string;
}

/** A marker this much older than its write is a writer's crash, not a write under way (a slow one takes seconds). */
export const SETTLE_AFTER_MS = 60_000;

const DUPLICATE_KEY = 11000;
const isDuplicate = (error: unknown) => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

const countId = (space: string, cell: string, seq: number) => JSON.stringify([space, cell, seq]);
const added = (slotId: string) => `+${slotId}`;
const removed = (slotId: string) => `-${slotId}`;

/** The slot fields the counts need. */
type Counted = Pick<QuotaSlot, 'id' | 'space' | 'cell' | 'responseId' | 'expiresAt'> & { over?: boolean };

export class QuotaCounts {
  /** The newest entry this process has seen per cell: entries never change, so it is where the next look starts. */
  private readonly newest = new Map<string, CountDoc>();

  constructor(
    private readonly counts: Collection<CountDoc>,
    private readonly open: Collection<OpenDoc>,
    private readonly slots: Collection<Counted & { _id: string }>,
  ) {}

  /** Before a slot is inserted: its consumption, now or later, will be counted even if this process dies. */
  async opening(slot: Counted): Promise<void> {
    await this.mark(added(slot.id), slot);
  }

  /** After the slot insert: counts a slot consumed at once, forgets the marker of one that lost its key. */
  async opened(slot: Counted, inserted: boolean): Promise<void> {
    if (inserted && slot.responseId !== null) await this.consumed(slot);
    else if (!inserted) await this.open.deleteOne({ _id: added(slot.id) });
  }

  /** After a reservation's slot was consumed (or found consumed): counted once, however often this runs. */
  async consumed(slot: Counted): Promise<void> {
    await this.apply(slot.space, slot.cell, added(slot.id), 1, slot.over ? 1 : 0);
    await this.open.deleteOne({ _id: added(slot.id) });
  }

  /** After an unconsumed slot was deleted (cancelled, reclaimed): it no longer counts as a reservation. */
  async deleted(slotId: string): Promise<void> {
    await this.open.deleteOne({ _id: added(slotId) });
  }

  /** Releases a consumed slot: marked, deleted, then counted out (its consumption counted first, if a crash left it). */
  async release(slot: Counted, remove: () => Promise<number>): Promise<number> {
    await this.mark(removed(slot.id), slot);
    const deleted = await remove();
    await this.apply(slot.space, slot.cell, added(slot.id), 1, slot.over ? 1 : 0);
    await this.apply(slot.space, slot.cell, removed(slot.id), -1, slot.over ? -1 : 0);
    await this.open.deleteOne({ _id: added(slot.id) });
    await this.open.deleteOne({ _id: removed(slot.id) });
    return deleted;
  }

  /**
   * Usage of the given cells at `now`: consumed and over from the newest log entry of each, reservations from the
   * markers (each checked against its slot). Markers a crash left are completed first.
   */
  async usage(space: string, cells: readonly string[], now: string): Promise<Map<string, CellUsage>> {
    const usage = new Map<string, CellUsage>();
    const of = (cell: string) => usage.get(cell) ?? (usage.set(cell, { consumed: 0, over: 0, reserved: 0, lapsed: 0 }).get(cell) as CellUsage);
    const wanted = new Set(cells);
    const markers = await this.open.find({ space }).toArray();
    const stale = new Date(Date.now() - SETTLE_AFTER_MS).toISOString();
    const reservations: QuotaSlot[] = [];
    await Promise.all(markers.map(async (marker) => {
      const slot = await this.slots.findOne({ _id: marker.slotId });
      if (marker.at < stale) await this.settle(marker, slot);
      // Settling leaves a reservation as it is, so what it found still holds.
      if (slot && slot.responseId === null && marker._id === added(marker.slotId) && wanted.has(slot.cell)) reservations.push({ ...slot, id: slot._id } as unknown as QuotaSlot);
    }));
    for (const [cell, u] of cellUsage(reservations, now)) usage.set(cell, u);
    await Promise.all(cells.map(async (cell) => {
      const head = await this.head(space, cell);
      if (head) Object.assign(of(cell), { consumed: head.consumed, over: head.over });
    }));
    return usage;
  }

  /** Forgets the counts and markers of a replaced plan version. */
  async deleteSpace(space: string): Promise<void> {
    await this.counts.deleteMany({ space });
    await this.open.deleteMany({ space });
    for (const key of this.newest.keys()) if (JSON.parse(key)[0] === space) this.newest.delete(key);
  }

  /** Completes what a crashed writer left: a consumption or release counted, a marker of a vanished slot dropped. */
  private async settle(marker: OpenDoc, slot: Counted | null): Promise<void> {
    const counted: Counted = { id: marker.slotId, space: marker.space, cell: marker.cell, responseId: null, expiresAt: null, over: marker.over };
    if (marker._id === removed(marker.slotId)) await this.release(counted, async () => (await this.slots.deleteOne({ _id: marker.slotId })).deletedCount);
    else if (slot === null) await this.open.deleteOne({ _id: marker._id });
    else if (slot.responseId !== null) await this.consumed(counted);
  }

  private async mark(id: string, slot: Counted): Promise<void> {
    const marker: OpenDoc = { _id: id, space: slot.space, cell: slot.cell, slotId: slot.id, over: slot.over === true, at: new Date().toISOString() };
    await this.open.insertOne(marker).catch((error: unknown) => {
      if (!isDuplicate(error)) throw error;
    });
  }

  /** Appends the change to the cell's log unless it is there: the next number goes to one writer only. */
  private async apply(space: string, cell: string, change: string, consumed: number, over: number): Promise<void> {
    for (let round = 0; round < 10_000; round += 1) {
      const head = await this.head(space, cell);
      const seq = head ? head.seq + 1 : 0;
      const entry: CountDoc = { _id: countId(space, cell, seq), space, cell, seq, change, consumed: (head?.consumed ?? 0) + consumed, over: (head?.over ?? 0) + over };
      try {
        await this.counts.insertOne(entry);
        this.newest.set(JSON.stringify([space, cell]), entry);
        return;
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
      // Lost to another writer (entry `seq` exists now), or the change is in the log already (then `seq` is free).
      const there = await this.counts.findOne({ _id: entry._id });
      if (!there || there.change === change) return;
    }
    throw new Error(`quota count of ${cell} in ${space}: no entry appended after 10,000 rounds`);
  }

  /** The newest entry of a cell's log, found by `_id` lookups only. */
  private async head(space: string, cell: string): Promise<CountDoc | null> {
    const key = JSON.stringify([space, cell]);
    let low: CountDoc | null = this.newest.get(key) ?? null;
    let high: number | null = null;
    const at = (seq: number) => this.counts.findOne({ _id: countId(space, cell, seq) });
    for (let step = 1; high === null; step *= 2) {
      const seq = (low?.seq ?? -1) + step;
      const found = await at(seq);
      if (found) low = found;
      else high = seq;
    }
    while (high - (low?.seq ?? -1) > 1) {
      const middle = Math.floor(((low?.seq ?? -1) + high) / 2);
      const found = await at(middle);
      if (found) low = found;
      else high = middle;
    }
    if (low) this.newest.set(key, low);
    return low;
  }
}
