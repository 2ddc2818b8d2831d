// The analysis dataset (server/services/analysis-dataset.ts) on every store: it holds what the store holds after
// any write (another connection's included), re-reads only what changed, counts by the counting policy, scopes by
// region, and a cached result is reused until the data version changes. Times are given to the responses, never
// waited for.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseStatus } from '../../schemas/api.js';
import { deriveVariables } from '../../schemas/derived.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { questionnaireVersion } from '../../schemas/surveys.js';
import type { Actor } from '../../server/domain/actor.js';
import { regionOf } from '../../schemas/survey-definition.js';
import type { StoredResponse } from '../../server/domain/response.js';
import { AnalysisDataset, CHANGE_OVERLAP_MS } from '../../server/services/analysis-dataset.js';
import type { ResponseFilter, Store } from '../../server/store/store.port.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const ANALYST: Actor = { username: 'analyst', userId: null, role: 'analyst', regions: [] };
const AKMOLA: Actor = { username: 'coord', userId: null, role: 'coordinator', regions: ['akmola'] };
const NOW = Date.parse('2009-07-10T09:00:00.000Z');

describe.each(STORE_KINDS)('%s analysis dataset', (kind) => {
  let t: TestStore;
  let gen: SyntheticGenerator;
  beforeEach(async () => {
    t = await makeTestStore(kind);
    gen = new SyntheticGenerator('population', { seed: 31 });
  });
  afterEach(async () => {
    await t.dispose();
  });

  function response(region: string, at: number, status: ResponseStatus = 'submitted'): StoredResponse {
    const answers = { ...gen.next(), ps_region: region } as Record<string, unknown>;
    const iso = new Date(at).toISOString();
    return {
      id: randomUUID(), survey: 'population', questionnaireVersion: questionnaireVersion('population'), status, answers, derived: deriveVariables('population', answers),
      meta: { startedAt: iso, completedAt: iso, language: 'en', source: 'seed' } as StoredResponse['meta'], region: regionOf('population', answers), interviewer: 'ainur',
      receivedAt: iso, updatedAt: iso, submissionHash: randomUUID(), revision: 1, revisions: [{ revision: 1, at: iso, actor: 'ainur', action: 'created', status }],
    };
  }

  /** Counts store reads of the survey, and how many responses each returned. */
  function counting(store: Store) {
    const reads: Array<{ filter: ResponseFilter; rows: number }> = [];
    const spy = Object.create(store) as Store;
    spy.streamResponses = (filter, batchSize) => {
      const read = { filter, rows: 0 };
      reads.push(read);
      return (async function* rows() {
        for await (const r of store.streamResponses(filter, batchSize)) {
          read.rows += 1;
          yield r;
        }
      })();
    };
    return { spy, reads };
  }

  it('reads the survey once, then only what changed, and follows inserts and reviews from another connection', async () => {
    for (let i = 0; i < 5; i += 1) await t.store.insertResponse(response(i % 2 ? 'akmola' : 'aktobe', NOW - 3_600_000 * (5 - i)));
    const { spy, reads } = counting(t.store);
    const dataset = new AnalysisDataset(spy);
    const first = await dataset.view('population', ANALYST);
    expect(first.counted).toHaveLength(5);
    expect(reads).toEqual([{ filter: { survey: 'population' }, rows: 5 }]);

    // Nothing changed: one re-read from a minute before the newest change (which finds only that one), the same key.
    const again = await dataset.view('population', ANALYST);
    expect(again.key).toBe(first.key);
    expect(reads[1]).toEqual({ filter: { survey: 'population', changedSince: new Date(NOW - 3_600_000 - CHANGE_OVERLAP_MS).toISOString() }, rows: 1 });

    const other = await t.reopen();
    const added = response('akmola', NOW);
    await other.insertResponse(added);
    const target = first.counted[0] as StoredResponse;
    await other.replaceResponse({ ...target, status: 'rejected', updatedAt: new Date(NOW).toISOString(), revision: 2 }, 1);
    const after = await dataset.view('population', ANALYST);
    expect(after.key).not.toBe(first.key);
    expect(after.counted.map((r) => r.id).sort()).toEqual([...first.counted.slice(1).map((r) => r.id), added.id].sort());
    expect(after.all).toHaveLength(6);
    expect(reads[2]?.rows).toBe(3);
  });

  it('reloads when a write older than the overlap turns up late, rather than miss it', async () => {
    await t.store.insertResponse(response('akmola', NOW));
    const dataset = new AnalysisDataset(t.store);
    expect((await dataset.view('population', ANALYST)).counted).toHaveLength(1);
    const late = response('akmola', NOW - 10 * CHANGE_OVERLAP_MS);
    await t.store.insertResponse(late);
    expect((await dataset.view('population', ANALYST)).counted.map((r) => r.id)).toContain(late.id);
  });

  it('scopes a region-scoped coordinator to their regions, counts by the policy, and reuses a result until the data changes', async () => {
    await t.store.insertResponse(response('akmola', NOW, 'has_issues'));
    await t.store.insertResponse(response('akmola', NOW, 'withdrawn'));
    await t.store.insertResponse(response('aktobe', NOW, 'approved'));
    const dataset = new AnalysisDataset(t.store);
    const scoped = await dataset.view('population', AKMOLA);
    expect(scoped.all.map((r) => r.status).sort()).toEqual(['has_issues', 'withdrawn']);
    expect(scoped.counted.map((r) => r.status)).toEqual(['has_issues']);
    expect((await dataset.view('population', ANALYST)).counted).toHaveLength(2);

    let made = 0;
    const make = () => {
      made += 1;
      return made;
    };
    expect(await dataset.cached(`n|${scoped.key}`, make)).toBe(1);
    expect(await dataset.cached(`n|${(await dataset.view('population', AKMOLA)).key}`, make)).toBe(1);
    await t.store.insertResponse(response('akmola', NOW));
    expect(await dataset.cached(`n|${(await dataset.view('population', AKMOLA)).key}`, make)).toBe(2);
  });
});
