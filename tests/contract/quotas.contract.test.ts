// One contract for quota slots on every store: a cell never holds more than its target, under concurrency across two
// connections (two app instances), with lapsed reservations reclaimed and consumption and release working the same.
// Times are given, never waited for: `now` is an argument of every call.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QuotaSlot } from '../../server/domain/quotas/slots.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import type { SlotClaim, Store } from '../../server/store/store.port.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const T0 = '2009-07-01T09:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const SPACE = 'population@1';
const CELL = 'ps_region*ps_gender:ps_region=akmola&ps_gender=female';

function claim(store: Store, overrides: Partial<SlotClaim> = {}): Promise<QuotaSlot | null> {
  return store.claimQuotaSlot({
    space: SPACE, cell: CELL, target: 20, reservationId: randomUUID(), now: T0, expiresAt: at(600), ...overrides,
  });
}

/** Fills slots with responses (consumed at once), as accepted interviews would. */
async function fillWithResponses(store: Store, count: number, overrides: Partial<SlotClaim> = {}): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const slot = await claim(store, { expiresAt: null, responseId: randomUUID(), ...overrides });
    expect(slot).not.toBeNull();
  }
}

describe.each(STORE_KINDS)('%s quota slots contract', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makeTestStore(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('hands out slots 0..target-1 and then refuses', async () => {
    const slots = [];
    for (let i = 0; i < 3; i += 1) slots.push(await claim(t.store, { target: 3 }));
    expect(slots.map((s) => s?.slot)).toEqual([0, 1, 2]);
    expect(await claim(t.store, { target: 3 })).toBeNull();
    const listed = await t.store.listQuotaSlots(SPACE, { cell: CELL });
    expect(listed).toEqual(slots);
    expect(listed[0]).toMatchObject({ space: SPACE, cell: CELL, claimedAt: T0, expiresAt: at(600), responseId: null, consumedAt: null });
    expect(await claim(t.store, { target: 0, cell: 'closed' })).toBeNull();
  });

  it('refuses a reservation that could never lapse', async () => {
    await expect(claim(t.store, { expiresAt: null })).rejects.toThrow(/needs an expiry/);
    expect(await t.store.listQuotaSlots(SPACE)).toEqual([]);
  });

  it('lets exactly 5 of 50 concurrent claims take the last 5 slots, across two connections', async () => {
    await fillWithResponses(t.store, 15);
    const other = await t.reopen();
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => claim(i % 2 ? other : t.store)));
    const won = outcomes.filter((o): o is QuotaSlot => o !== null);
    expect(won).toHaveLength(5);
    expect(new Set(won.map((s) => s.slot)).size).toBe(5);
    const cell = await other.listQuotaSlots(SPACE, { cell: CELL });
    expect(cell).toHaveLength(20);
    expect(cell.map((s) => s.slot)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await claim(t.store)).toBeNull();
  });

  it('frees lapsed reservations for concurrent claimants: exactly as many win as lapsed, never more', async () => {
    await fillWithResponses(t.store, 15);
    for (let i = 0; i < 5; i += 1) expect(await claim(t.store, { expiresAt: at(60) })).not.toBeNull();
    const other = await t.reopen();
    const later = at(60 + 61);
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => claim(i % 2 ? other : t.store, { now: later, expiresAt: at(1000) })));
    expect(outcomes.filter((o) => o !== null)).toHaveLength(5);
    const cell = await t.store.listQuotaSlots(SPACE, { cell: CELL });
    expect(cell).toHaveLength(20);
    expect(cell.filter((s) => s.responseId === null && s.expiresAt === at(1000))).toHaveLength(5);
  });

  it('gives a reservation one slot per cell, however often and concurrently it claims, across two connections', async () => {
    const reservationId = randomUUID();
    const other = await t.reopen();
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => claim(i % 2 ? other : t.store, { reservationId })));
    const ids = new Set(outcomes.map((o) => o?.id));
    expect(ids.size).toBe(1);
    expect(await t.store.listQuotaSlots(SPACE, { reservationId })).toEqual([outcomes[0]]);
    // Once consumed, claiming again (even naming another response) gives back the consumed slot.
    const responseId = randomUUID();
    await t.store.consumeQuotaReservation(SPACE, reservationId, responseId, T0);
    expect(await claim(t.store, { reservationId, responseId: randomUUID(), expiresAt: null })).toMatchObject({ id: outcomes[0]?.id, responseId });
  });

  it('lets a lapsed reservation claim afresh, with its new expiry', async () => {
    const reservationId = randomUUID();
    const first = await claim(t.store, { reservationId, target: 1, expiresAt: at(60) });
    const again = await claim(t.store, { reservationId, target: 1, now: at(61), expiresAt: at(661) });
    expect(again).toMatchObject({ slot: 0, reservationId, expiresAt: at(661), claimedAt: at(61) });
    expect(again?.id).not.toBe(first?.id);
    expect(await t.store.listQuotaSlots(SPACE)).toEqual([again]);
  });

  it('keeps a lapsed reservation within the grace period, reclaims it after', async () => {
    const first = await claim(t.store, { target: 1, expiresAt: at(60) });
    expect(first).not.toBeNull();
    expect(await claim(t.store, { target: 1, now: at(60 + 30) })).toBeNull();
    const second = await claim(t.store, { target: 1, now: at(60 + 61), expiresAt: at(700) });
    expect(second).toMatchObject({ slot: 0 });
    expect(second?.id).not.toBe(first?.id);
    // The first reservation lost its slot: consuming it now gives nothing, and leaves the new claim alone.
    expect(await t.store.consumeQuotaReservation(SPACE, first?.reservationId as string, randomUUID(), at(62))).toEqual([]);
    expect(await t.store.listQuotaSlots(SPACE)).toEqual([second]);
  });

  it('consumes a reservation in every cell it holds, idempotently, up to its expiry only', async () => {
    const reservationId = randomUUID();
    const other = 'ps_ethnicity:ps_ethnicity=kazakh';
    await claim(t.store, { reservationId });
    await claim(t.store, { reservationId, cell: other });
    const responseId = randomUUID();
    const consumed = await t.store.consumeQuotaReservation(SPACE, reservationId, responseId, at(600));
    expect(consumed).toHaveLength(2);
    for (const s of consumed) expect(s).toMatchObject({ reservationId, responseId, consumedAt: at(600) });
    expect(await t.store.consumeQuotaReservation(SPACE, reservationId, responseId, at(601))).toEqual(consumed);
    expect(await t.store.listQuotaSlots(SPACE, { responseId })).toEqual(consumed);

    const late = await claim(t.store, { expiresAt: at(60) });
    expect(await t.store.consumeQuotaReservation(SPACE, late?.reservationId as string, randomUUID(), at(61))).toEqual([]);
  });

  it('a consumed slot is never reclaimed, however old', async () => {
    const slot = await claim(t.store, { target: 1, expiresAt: at(60) });
    await t.store.consumeQuotaReservation(SPACE, slot?.reservationId as string, randomUUID(), at(30));
    expect(await claim(t.store, { target: 1, now: at(86_400) })).toBeNull();
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(86_400))).toBe(0);
  });

  it('releases the slots of a rejected response and cancels unconsumed reservations', async () => {
    const responseId = randomUUID();
    await claim(t.store, { target: 2, expiresAt: null, responseId });
    await claim(t.store, { target: 2, expiresAt: null, responseId, cell: 'ps_ethnicity:ps_ethnicity=kazakh' });
    const reservation = await claim(t.store, { target: 2 });
    expect(await claim(t.store, { target: 2 })).toBeNull();

    expect(await t.store.releaseQuotaSlotsOfResponse(SPACE, responseId)).toBe(2);
    expect(await claim(t.store, { target: 2 })).not.toBeNull();

    expect(await t.store.cancelQuotaReservation(SPACE, reservation?.reservationId as string)).toBe(1);
    expect(await t.store.cancelQuotaReservation(SPACE, reservation?.reservationId as string)).toBe(0);
    expect(await t.store.listQuotaSlots(SPACE, { cell: CELL })).toHaveLength(1);
  });

  it('cancelling never touches a consumed slot', async () => {
    const reservation = await claim(t.store);
    await t.store.consumeQuotaReservation(SPACE, reservation?.reservationId as string, randomUUID(), T0);
    expect(await t.store.cancelQuotaReservation(SPACE, reservation?.reservationId as string)).toBe(0);
    expect(await t.store.listQuotaSlots(SPACE)).toHaveLength(1);
  });

  it('reclaims only reservations lapsed beyond the grace period', async () => {
    await claim(t.store, { expiresAt: at(10) });
    await claim(t.store, { expiresAt: at(100) });
    await claim(t.store, { expiresAt: null, responseId: randomUUID() });
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(100), 60_000)).toBe(1);
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(100), 60_000)).toBe(0);
    expect((await t.store.listQuotaSlots(SPACE)).map((s) => s.expiresAt)).toEqual([at(100), null]);
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(100), 0)).toBe(0);
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(101), 0)).toBe(1);
  });

  it('keeps plan versions apart: a new space starts empty, and an old one can be deleted', async () => {
    await fillWithResponses(t.store, 2, { target: 2 });
    expect(await claim(t.store, { target: 2 })).toBeNull();
    const next = 'population@2';
    expect(await claim(t.store, { target: 2, space: next })).toMatchObject({ space: next, slot: 0 });
    expect(await t.store.deleteQuotaSpace(SPACE)).toBe(2);
    expect(await t.store.listQuotaSlots(SPACE)).toEqual([]);
    expect(await t.store.listQuotaSlots(next)).toHaveLength(1);
  });

  it('lists slots by cell, reservation or response, ordered by cell and slot', async () => {
    const reservationId = randomUUID();
    const b = await claim(t.store, { cell: 'b', reservationId });
    const a = await claim(t.store, { cell: 'a', reservationId });
    const a2 = await claim(t.store, { cell: 'a' });
    expect(await t.store.listQuotaSlots(SPACE)).toEqual([a, a2, b]);
    expect(await t.store.listQuotaSlots(SPACE, { reservationId })).toEqual([a, b]);
    expect(await t.store.listQuotaSlots(SPACE, { cell: 'a' })).toEqual([a, a2]);
    expect(await t.store.listQuotaSlots(SPACE, { responseId: 'nobody' })).toEqual([]);
  });

  it('records who screened, lists by owner, and cancels only the owner\'s reservation when told whose', async () => {
    const reservationId = randomUUID();
    const mine = await claim(t.store, { reservationId, owner: 'ainur' });
    const theirs = await claim(t.store, { owner: 'boris' });
    await fillWithResponses(t.store, 1);
    expect(mine).toMatchObject({ owner: 'ainur' });
    expect(await t.store.listQuotaSlots(SPACE, { owner: 'ainur' })).toEqual([mine]);
    expect(await t.store.listQuotaSlots(SPACE, { owner: 'boris' })).toEqual([theirs]);
    expect((await t.store.listQuotaSlots(SPACE)).filter((s) => s.responseId !== null).map((s) => s.owner)).toEqual([null]);
    expect(await t.store.cancelQuotaReservation(SPACE, reservationId, 'boris')).toBe(0);
    expect(await t.store.listQuotaSlots(SPACE, { reservationId })).toEqual([mine]);
    expect(await t.store.cancelQuotaReservation(SPACE, reservationId, 'ainur')).toBe(1);
    expect(await t.store.listQuotaSlots(SPACE, { owner: 'ainur' })).toEqual([]);
  });
  it('takes a slot beyond the target for a response in a full cell when told to, marked over, once per response', async () => {
    await fillWithResponses(t.store, 2, { target: 2 });
    expect(await claim(t.store, { target: 2, expiresAt: null, responseId: randomUUID() })).toBeNull();
    const late = randomUUID();
    const over = await claim(t.store, { target: 2, expiresAt: null, responseId: late, reservationId: late, overflow: true });
    expect(over).toMatchObject({ slot: 2, over: true, responseId: late });
    // A retry gets the same slot back; a reservation never overflows.
    expect(await claim(t.store, { target: 2, expiresAt: null, responseId: late, reservationId: late, overflow: true })).toEqual(over);
    expect(await claim(t.store, { target: 2, overflow: true })).toBeNull();
    const other = await t.reopen();
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => claim(i % 2 ? other : t.store, { target: 2, expiresAt: null, responseId: randomUUID(), overflow: true })));
    expect(racing.every((r) => r?.over === true)).toBe(true);
    expect(new Set(racing.map((r) => r?.slot)).size).toBe(6);
    expect((await t.store.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 9, over: 7, reserved: 0, lapsed: 0 });
    // A slot within the target freed by a rejection goes to the next claimant, not beyond the target.
    const [first] = await t.store.listQuotaSlots(SPACE, { cell: CELL });
    await t.store.releaseQuotaSlotsOfResponse(SPACE, first?.responseId as string);
    const next = await claim(t.store, { target: 2, expiresAt: null, responseId: randomUUID(), overflow: true });
    expect(next?.slot).toBe(first?.slot);
    expect(next?.over).toBeUndefined();
  });

  it('counts 40 concurrent direct claims on one cell exactly, within and over the target, across two connections, and again after releases', async () => {
    const other = await t.reopen();
    const responses: string[] = Array.from({ length: 40 }, () => randomUUID());
    const won = await Promise.all(responses.map((responseId, i) => claim(i % 2 ? other : t.store, { target: 10, expiresAt: null, responseId, reservationId: responseId, overflow: true })));
    expect(won.every((s) => s !== null)).toBe(true);
    // What the slots say, and what the counts say, read from the other connection.
    const slots = await t.store.listQuotaSlots(SPACE, { cell: CELL });
    expect(slots).toHaveLength(40);
    expect(slots.filter((s) => s.over)).toHaveLength(30);
    expect((await other.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 40, over: 30, reserved: 0, lapsed: 0 });
    // 15 releases at once, 5 of them twice: each slot counted out once. Which were over decides the over count.
    const released = responses.slice(0, 15);
    const overReleased = slots.filter((s) => s.over && released.includes(s.responseId as string)).length;
    const counts = await Promise.all([...released, ...released.slice(0, 5)].map((responseId, i) => (i % 2 ? other : t.store).releaseQuotaSlotsOfResponse(SPACE, responseId)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(15);
    expect((await t.store.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 25, over: 30 - overReleased, reserved: 0, lapsed: 0 });
    expect(await t.store.listQuotaSlots(SPACE, { cell: CELL })).toHaveLength(25);
  });

  it('counts 40 reservations consumed concurrently once each, however often each consumption is retried', async () => {
    const other = await t.reopen();
    const reservations = Array.from({ length: 40 }, () => randomUUID());
    for (const reservationId of reservations) expect(await claim(t.store, { target: 40, reservationId })).not.toBeNull();
    expect((await other.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 0, over: 0, reserved: 40, lapsed: 0 });
    // Each reservation consumed by its own response (reservation id = response id), three times at once.
    await Promise.all(reservations.flatMap((id) => [0, 1, 2].map((k) => (k % 2 ? other : t.store).consumeQuotaReservation(SPACE, id, id, T0))));
    expect((await t.store.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 40, over: 0, reserved: 0, lapsed: 0 });
    await Promise.all(reservations.slice(0, 10).map((id, i) => (i % 2 ? other : t.store).releaseQuotaSlotsOfResponse(SPACE, id)));
    expect((await other.countQuotaSlots(SPACE, [CELL], T0)).get(CELL)).toEqual({ consumed: 30, over: 0, reserved: 0, lapsed: 0 });
  });

  it('stops counting reservations that were cancelled or reclaimed', async () => {
    const cancelled = randomUUID();
    await claim(t.store, { reservationId: cancelled });
    await claim(t.store, { expiresAt: at(60) });
    await claim(t.store);
    expect((await t.store.countQuotaSlots(SPACE, [CELL], at(120))).get(CELL)).toEqual({ consumed: 0, over: 0, reserved: 2, lapsed: 1 });
    expect(await t.store.cancelQuotaReservation(SPACE, cancelled)).toBe(1);
    expect(await t.store.reclaimLapsedQuotaSlots(SPACE, at(200))).toBe(1);
    expect((await t.store.countQuotaSlots(SPACE, [CELL], at(120))).get(CELL)).toEqual({ consumed: 0, over: 0, reserved: 1, lapsed: 0 });
  });

  it('counts each cell\'s slots as consumed, over, live and lapsed at the time asked, and nothing of other spaces', async () => {
    await fillWithResponses(t.store, 3);
    await claim(t.store, { expiresAt: at(60) });
    await claim(t.store, { expiresAt: at(600) });
    await claim(t.store, { cell: 'other', expiresAt: at(600) });
    await claim(t.store, { space: 'population@2', expiresAt: at(600) });
    const counts = await t.store.countQuotaSlots(SPACE, [CELL, 'other'], at(120));
    expect(new Map(counts)).toEqual(new Map([
      [CELL, { consumed: 3, over: 0, reserved: 1, lapsed: 1 }],
      ['other', { consumed: 0, over: 0, reserved: 1, lapsed: 0 }],
    ]));
    expect(await t.store.countQuotaSlots('population@3', [CELL], T0)).toEqual(new Map());
  });
});

describe('embedded store made before reservations had owners', () => {
  it('adds the owner column on opening, keeping the old slots as ownerless', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-old-'));
    const file = join(dir, 'csi.sqlite');
    try {
      const old = new Database(file);
      old.exec(`CREATE TABLE quota_slots (id TEXT PRIMARY KEY, space TEXT NOT NULL, cell TEXT NOT NULL, slot INTEGER NOT NULL,
        reservation_id TEXT NOT NULL, claimed_at TEXT NOT NULL, expires_at TEXT, response_id TEXT, consumed_at TEXT,
        UNIQUE (space, cell, slot), UNIQUE (space, cell, reservation_id)) STRICT`);
      old.prepare('INSERT INTO quota_slots VALUES (?, ?, ?, 0, ?, ?, ?, NULL, NULL)').run('s0', SPACE, CELL, 'r0', T0, at(600));
      old.close();
      const store = new SqliteStore(file);
      try {
        expect(await store.listQuotaSlots(SPACE)).toEqual([expect.objectContaining({ reservationId: 'r0', owner: null, slot: 0 })]);
        expect(await claim(store, { owner: 'ainur' })).toMatchObject({ slot: 1, owner: 'ainur' });
      } finally {
        await store.close();
      }
      // Opening again finds the column there and leaves it be.
      await new SqliteStore(file).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
