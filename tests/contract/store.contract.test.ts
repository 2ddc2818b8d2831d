// One contract, every store: the embedded and the MongoDB adapters must behave identically, so neither can drift.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../server/domain/accounts.js';
import type { StoredResponse } from '../../server/domain/response.js';
import type { ResponseStore } from '../../server/store/store.port.js';
import { makeRecords } from '../support/records.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function insertAll(store: ResponseStore, records: StoredResponse[]): Promise<void> {
  for (const r of records) await store.insertResponse(r);
}

describe.each(STORE_KINDS)('%s store contract', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makeTestStore(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('stores a response and reads it back exactly', async () => {
    const [r] = makeRecords('population', 1) as [StoredResponse];
    expect(await t.store.insertResponse(r)).toEqual({ inserted: true, response: r });
    expect(await t.store.findResponseById(r.id)).toEqual(r);
  });

  it('returns null for an unknown id', async () => {
    expect(await t.store.findResponseById('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('keeps the first of two inserts with one id and returns it to the second', async () => {
    const [a, b] = makeRecords('organisational', 2) as [StoredResponse, StoredResponse];
    await t.store.insertResponse(a);
    const second = await t.store.insertResponse({ ...b, id: a.id });
    expect(second).toEqual({ inserted: false, response: a });
    expect(await t.store.countResponses({ survey: 'organisational' })).toBe(1);
  });

  it('lets exactly one of many concurrent inserts of one id win, across two connections', async () => {
    const [r] = makeRecords('population', 1) as [StoredResponse];
    const other = await t.reopen();
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : t.store).insertResponse({ ...r, interviewer: `i${i}` })));
    expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
    const winner = outcomes.find((o) => o.inserted)?.response;
    for (const o of outcomes) expect(o.response).toEqual(winner);
    expect(await t.store.countResponses({ survey: 'population' })).toBe(1);
  });

  // A crash between a write and its entry, simulated by a fault hook that throws at exactly that point: whatever
  // the store kept, it keeps audited once the retry (or the repair at start) has run.
  it('never keeps a response without its entry once a retry or the repair has run after a crash between them', async () => {
    const [r, s] = makeRecords('population', 2) as [StoredResponse, StoredResponse];
    const entry = (target: StoredResponse): AuditEntry => ({
      id: crypto.randomUUID(), at: target.receivedAt, actor: 'ivan', action: 'response.created', target: `response:${target.id}`, beforeHash: null, afterHash: 'h',
    });
    const crashing = await t.reopen({ beforeAudit: () => { throw new Error('crashed between the write and its entry'); } });
    const trail = async (target: StoredResponse) => (await t.store.listAudit({ target: `response:${target.id}` }, 10)).items;
    await expect(crashing.insertResponse(r, entry(r))).rejects.toThrow('crashed');
    // The client retries (a new request, so a new entry): the response ends up stored, with exactly one entry.
    await t.store.insertResponse(r, entry(r));
    expect(await t.store.findResponseById(r.id)).toEqual(r);
    expect(await trail(r)).toHaveLength(1);
    // No retry this time: the repair at start completes what was stored, and stores nothing new.
    await expect(crashing.insertResponse(s, entry(s))).rejects.toThrow('crashed');
    const stored = (await t.store.findResponseById(s.id)) !== null;
    expect(await t.store.repairAudit()).toBe(stored ? 1 : 0);
    expect(await trail(s)).toHaveLength(stored ? 1 : 0);
    expect(await t.store.repairAudit()).toBe(0);
    // A review after a crash before its entry: the next change settles the earlier entry first.
    const reviewed = { ...r, status: 'approved' as const, revision: 2 };
    await expect(crashing.replaceResponse(reviewed, 1, { ...entry(r), action: 'response.reviewed' })).rejects.toThrow('crashed');
    const revision = (await t.store.findResponseById(r.id))!.revision;
    expect(await t.store.replaceResponse({ ...reviewed, revision: revision + 1 }, revision, { ...entry(r), action: 'response.reviewed' })).toBe(true);
    expect((await trail(r)).filter((e) => e.action === 'response.reviewed')).toHaveLength(revision === 2 ? 2 : 1);
  });

  it('appends the audit entry given with an insert only when that insert stored the response', async () => {
    const [r, other] = makeRecords('population', 2) as [StoredResponse, StoredResponse];
    const entry = (id: string): AuditEntry => ({
      id, at: r.receivedAt, actor: 'ivan', action: 'response.created', target: `response:${r.id}`, beforeHash: null, afterHash: 'h',
    });
    const first = entry('00000000-0000-4000-8000-00000000a001');
    const again = entry('00000000-0000-4000-8000-00000000a002');
    expect((await t.store.insertResponse(r, first)).inserted).toBe(true);
    expect((await t.store.insertResponse({ ...other, id: r.id }, again)).inserted).toBe(false);
    const { items } = await t.store.listAudit({ target: `response:${r.id}` }, 10);
    expect(items).toEqual([first]);
  });

  it('appends the audit entry given with a replacement only when it replaced', async () => {
    const [r] = makeRecords('population', 1) as [StoredResponse];
    await t.store.insertResponse(r);
    const entry = (id: string): AuditEntry => ({
      id, at: r.receivedAt, actor: 'coord', action: 'response.reviewed', target: `response:${r.id}`, beforeHash: 'b', afterHash: 'a',
    });
    const won = entry('00000000-0000-4000-8000-00000000b001');
    expect(await t.store.replaceResponse({ ...r, status: 'approved', revision: 2 }, 1, won)).toBe(true);
    expect(await t.store.replaceResponse({ ...r, status: 'rejected', revision: 2 }, 1, entry('00000000-0000-4000-8000-00000000b002'))).toBe(false);
    expect((await t.store.listAudit({ target: `response:${r.id}` }, 10)).items).toEqual([won]);
  });

  it('lets exactly one of 10 concurrent replacements from one revision win, across two connections, with its entry only', async () => {
    const [r] = makeRecords('population', 1) as [StoredResponse];
    await t.store.insertResponse(r);
    const other = await t.reopen();
    const reviews = Array.from({ length: 10 }, (_, i) => {
      const next: StoredResponse = { ...r, status: 'approved', revision: 2, revisions: [...r.revisions, { revision: 2, at: r.receivedAt, actor: `coord${i}`, action: 'reviewed', status: 'approved' }] };
      const audit: AuditEntry = { id: crypto.randomUUID(), at: r.receivedAt, actor: `coord${i}`, action: 'response.reviewed', target: `response:${r.id}`, beforeHash: 'b', afterHash: 'a' };
      return { next, audit };
    });
    const outcomes = await Promise.all(reviews.map(({ next, audit }, i) => (i % 2 ? other : t.store).replaceResponse(next, 1, audit)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = reviews[outcomes.indexOf(true)] as (typeof reviews)[number];
    expect(await other.findResponseById(r.id)).toEqual(winner.next);
    expect((await t.store.listAudit({ target: `response:${r.id}` }, 20)).items).toEqual([winner.audit]);
  });

  it('keeps every successful replacement in the history, without a gap or a repeat, when 8 writers race for 5 rounds', async () => {
    const [r] = makeRecords('population', 1) as [StoredResponse];
    await t.store.insertResponse(r);
    const other = await t.reopen();
    // Each writer, as a reviewer does: read the response, add its revision on top, write it back unless it moved on.
    const writer = async (name: string, store: ResponseStore) => {
      let won = 0;
      for (let round = 0; round < 5; round += 1) {
        const current = (await store.findResponseById(r.id)) as StoredResponse;
        const revision = current.revision + 1;
        const next: StoredResponse = { ...current, revision, revisions: [...current.revisions, { revision, at: r.receivedAt, actor: name, action: 'reviewed', status: current.status }] };
        if (await store.replaceResponse(next, current.revision)) won += 1;
      }
      return won;
    };
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => writer(`coord${i}`, i % 2 ? other : t.store)));
    const stored = (await t.store.findResponseById(r.id)) as StoredResponse;
    const total = wins.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(5);
    expect(stored.revision).toBe(1 + total);
    expect(stored.revisions.map((v) => v.revision)).toEqual(Array.from({ length: 1 + total }, (_, i) => i + 1));
    // Every write reported as won is in the history, once: none was silently overwritten.
    wins.forEach((n, i) => expect(stored.revisions.filter((v) => v.actor === `coord${i}`)).toHaveLength(n));
  });

  it('replaces only when the revision is the expected one', async () => {
    const [r] = makeRecords('external', 1) as [StoredResponse];
    await t.store.insertResponse(r);
    const next = { ...r, status: 'approved' as const, revision: 2 };
    expect(await t.store.replaceResponse(next, 1)).toBe(true);
    expect(await t.store.replaceResponse({ ...r, status: 'rejected', revision: 2 }, 1)).toBe(false);
    expect(await t.store.findResponseById(r.id)).toEqual(next);
  });

  it('pages in (receivedAt, id) order, ties included, without gaps or repeats', async () => {
    const records = makeRecords('population', 23, { stepMs: 0 }).concat(makeRecords('population', 7, { seed: 2, start: new Date('2009-07-02T00:00:00Z') }));
    await insertAll(t.store, [...records].reverse());
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await t.store.listResponses({ survey: 'population' }, 4, after);
      seen.push(...page.items.map((r) => r.id));
      if (!page.next) break;
      after = page.next;
    }
    const expected = [...records].sort((a, b) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? -1 : 1) : a.receivedAt < b.receivedAt ? -1 : 1)).map((r) => r.id);
    expect(seen).toEqual(expected);
  });

  it('filters by status, region, interviewer and time window', async () => {
    const records = makeRecords('population', 30);
    await insertAll(t.store, records);
    const first = records[0] as StoredResponse;
    await t.store.replaceResponse({ ...first, status: 'approved', revision: 2 }, 1);
    const count = (f: object) => t.store.countResponses({ survey: 'population', ...f });
    expect(await count({ status: 'approved' })).toBe(1);
    expect(await count({ region: first.region })).toBe(records.filter((r) => r.region === first.region).length);
    expect(await count({ interviewer: 'ainur' })).toBe(15);
    expect(await count({ since: (records[10] as StoredResponse).receivedAt, until: (records[20] as StoredResponse).receivedAt })).toBe(10);
    const listed = await t.store.listResponses({ survey: 'population', interviewer: 'boris', status: 'submitted' }, 100);
    expect(listed.items.every((r) => r.interviewer === 'boris' && r.status === 'submitted')).toBe(true);
    expect(await t.store.countResponses({ survey: 'external' })).toBe(0);
  });

  it('streams every matching response in order, batch by batch', async () => {
    const records = makeRecords('organisational', 57);
    await insertAll(t.store, records);
    const streamed = await collect(t.store.streamResponses({ survey: 'organisational' }, 10));
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('shows one connection\'s writes to another', async () => {
    const other = await t.reopen();
    const [r] = makeRecords('population', 1) as [StoredResponse];
    await other.insertResponse(r);
    expect(await t.store.findResponseById(r.id)).toEqual(r);
  });

  it('answers a ping', async () => {
    await expect(t.store.ping()).resolves.toBeUndefined();
  });
});
