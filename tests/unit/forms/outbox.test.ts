// The outbox's rules, with an in-memory store and a scripted transport: removed only after a 2xx, retried with
// backoff on network errors and server trouble, waiting for a login on 401, refused interviews kept and marked,
// and a lost response (the server stored it, the device never heard) resolved by resending the same id.
import { describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../../schemas/synthetic.js';
import { backoffMs, Outbox, type EntryStore, type OutboxEntry, type Send } from '../../../forms/offline/outbox.js';

class MemoryStore implements EntryStore<OutboxEntry> {
  readonly rows = new Map<string, OutboxEntry>();
  async all() { return [...this.rows.values()].map((r) => structuredClone(r)); }
  async put(v: OutboxEntry) { this.rows.set(v.id, structuredClone(v)); }
  async delete(id: string) { this.rows.delete(id); }
}

/** A server that stores by id (idempotent), behind a transport that can fail in scripted ways. */
function harness(script: Array<'ok' | 'offline' | 'lost' | number> = []) {
  const stored = new Map<string, string>();
  let now = 1_000_000;
  const calls: string[] = [];
  const send: Send = async (entry) => {
    calls.push(entry.id);
    const step = script.shift() ?? 'ok';
    if (step === 'offline') throw new TypeError('Failed to fetch');
    if (typeof step === 'number') return { status: step, message: 'scripted' };
    const created = !stored.has(entry.id);
    stored.set(entry.id, JSON.stringify(entry.body));
    if (step === 'lost') throw new TypeError('network error after the request arrived');
    return { status: created ? 201 : 200 };
  };
  const store = new MemoryStore();
  const outbox = new Outbox(store, send, () => now);
  return { outbox, store, stored, calls, advance: (ms: number) => { now += ms; } };
}

const gen = new SyntheticGenerator('population', { seed: 21 });

describe('outbox', () => {
  it('sends and removes on 2xx', async () => {
    const t = harness();
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    await t.outbox.flush();
    expect(t.store.rows.size).toBe(0);
    expect(t.stored.size).toBe(2);
    expect(await t.outbox.status()).toMatchObject({ pending: 0, rejected: 0, lastError: null });
  });

  it('keeps everything while offline, backs off, and sends once the connection returns', async () => {
    const t = harness(['offline']);
    const s = gen.nextSubmission('api');
    await t.outbox.enqueue('population', s);
    await t.outbox.flush();
    expect(t.store.rows.get(s.id)).toMatchObject({ attempts: 1, state: 'pending', lastError: 'network' });
    expect(await t.outbox.nextDue()).toBe(1_000_000 + backoffMs(1));
    await t.outbox.flush();
    expect(t.calls).toHaveLength(1);
    t.advance(backoffMs(1));
    await t.outbox.flush();
    expect(t.store.rows.size).toBe(0);
    expect(t.stored.has(s.id)).toBe(true);
  });

  it('resends after a lost response without creating a second response', async () => {
    const t = harness(['lost']);
    const s = gen.nextSubmission('api');
    await t.outbox.enqueue('population', s);
    await t.outbox.flush();
    expect(t.stored.size).toBe(1);
    expect(t.store.rows.size).toBe(1);
    await t.outbox.flush(true);
    expect(t.calls).toEqual([s.id, s.id]);
    expect(t.stored.size).toBe(1);
    expect(t.store.rows.size).toBe(0);
  });

  it('retries 5xx, 408 and 429 with growing delays', async () => {
    const t = harness([503, 429, 408]);
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    for (let i = 1; i <= 3; i += 1) {
      await t.outbox.flush(true);
      expect([...t.store.rows.values()][0]).toMatchObject({ attempts: i, state: 'pending' });
    }
    await t.outbox.flush(true);
    expect(t.store.rows.size).toBe(0);
    expect([1, 2, 3, 10, 20].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 300_000, 300_000]);
  });

  it('waits for a new login after a 401, then sends', async () => {
    const t = harness([401]);
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    await t.outbox.flush(true);
    expect(await t.outbox.status()).toMatchObject({ pending: 1, needsLogin: true });
    await t.outbox.flush(true);
    expect(t.calls).toHaveLength(1);
    t.outbox.loggedIn();
    await t.outbox.flush(true);
    expect(t.store.rows.size).toBe(0);
  });

  it('keeps a refused interview, marked with the error, and goes on with the others', async () => {
    const t = harness([400, 'ok']);
    const bad = gen.nextSubmission('api');
    await t.outbox.enqueue('population', bad);
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    await t.outbox.flush(true);
    expect([...t.store.rows.values()]).toEqual([expect.objectContaining({ id: bad.id, state: 'rejected', lastError: '400 scripted' })]);
    expect(await t.outbox.status()).toMatchObject({ pending: 0, rejected: 1 });
    await t.outbox.flush(true);
    expect(t.calls).toHaveLength(2);
  });

  it("sends only what the session may send: another interviewer's interviews wait for them", async () => {
    const store = new MemoryStore();
    const sent: string[] = [];
    let user = 'ainur';
    const outbox = new Outbox(store, async (e) => { sent.push(e.id); return { status: 201 }; }, () => 0, () => {}, (e) => e.owner === user);
    const boris = gen.nextSubmission('api');
    const ainur = gen.nextSubmission('api');
    await outbox.enqueue('population', boris, 'boris');
    await outbox.enqueue('population', ainur, 'ainur');
    await outbox.flush(true);
    expect(sent).toEqual([ainur.id]);
    expect(await outbox.nextDue()).toBeNull();
    // Boris's waiting interview is not Ainur's to see: her status counts nothing waiting.
    expect(await outbox.status()).toMatchObject({ pending: 0, rejected: 0, lastError: null });
    user = 'boris';
    expect(await outbox.status()).toMatchObject({ pending: 1 });
    await outbox.flush(true);
    expect(sent).toEqual([ainur.id, boris.id]);
    expect(store.rows.size).toBe(0);
  });

  it('shares one run between concurrent flushes (two triggers never send the same entry twice at once)', async () => {
    const t = harness();
    await t.outbox.enqueue('population', gen.nextSubmission('api'));
    await Promise.all([t.outbox.flush(true), t.outbox.flush(true), t.outbox.flush(true)]);
    expect(t.calls).toHaveLength(1);
  });
});
