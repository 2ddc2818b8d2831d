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
import { AnalysisDataset, CHANGE_OVERLAP_MS, type DatasetView } from '../../server/services/analysis-dataset.js';
import { createServices } from '../../server/services/services.js';
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

  it('folds only the responses added since, and the whole view again after a change to a held one', async () => {
    for (let i = 0; i < 4; i += 1) await t.store.insertResponse(response('akmola', NOW - 3_600_000 * (4 - i)));
    const dataset = new AnalysisDataset(t.store);
    let added = 0;
    const ids = (view: DatasetView) => dataset.fold('ids', view, {
      start: () => [] as string[],
      add: (list, r) => {
        added += 1;
        list.push(r.id);
      },
      finish: (list) => [...list],
    });
    const first = await dataset.view('population', ANALYST);
    expect(ids(first)).toEqual(first.counted.map((r) => r.id));
    expect(added).toBe(4);

    const newer = response('aktobe', NOW);
    await t.store.insertResponse(newer);
    const second = await dataset.view('population', ANALYST);
    expect(second.extends).toEqual({ key: first.key, counted: 4 });
    expect(ids(second)).toEqual([...first.counted.map((r) => r.id), newer.id]);
    expect(added).toBe(5);

    const target = second.counted[1] as StoredResponse;
    await t.store.replaceResponse({ ...target, status: 'withdrawn', updatedAt: new Date(NOW + 1_000).toISOString(), revision: 2 }, 1);
    const third = await dataset.view('population', ANALYST);
    expect(third.extends).toBeNull();
    expect(ids(third)).toEqual(second.counted.filter((r) => r.id !== target.id).map((r) => r.id));
    expect(added).toBe(9);
  });

  it('gives the same tallies after new responses, columns appended and the raking warm-started, as computed cold', async () => {
    const margins = { variables: [
      { variable: 'ps_region', shares: { akmola: 55, aktobe: 45 }, source: 'test', status: 'sourced' },
      { variable: 'ps_gender', shares: { male: 48, female: 52 }, source: 'test', status: 'sourced' },
    ] };
    await t.store.putSetting('margins:population', margins);
    const sample = (region: string, gender: string, at: number) => {
      const r = response(region, at);
      const answers = { ...r.answers, ps_gender: gender };
      return { ...r, answers, derived: deriveVariables('population', answers) };
    };
    // Region and gender strongly associated: the raking takes many iterations, from the last weights or from 1.
    for (let i = 0; i < 80; i += 1) {
      const region = i % 3 ? 'akmola' : 'aktobe';
      const gender = (region === 'akmola') === (i % 7 !== 0) ? 'female' : 'male';
      await t.store.insertResponse(sample(region, gender, NOW - 60_000 * (80 - i)));
    }
    // Raked to 1e-12: both weightings then agree to well within 1e-9 on every figure, weighted totals included.
    const params = { items: ['ps_trust_people', 'ps_age_years'], by: ['ps_age_band'], tolerance: 1e-12 };
    const warm = createServices({ store: t.store });
    const before = await warm.tallies.tallies('population', params, ANALYST);
    for (let i = 0; i < 3; i += 1) await t.store.insertResponse(sample(i % 2 ? 'akmola' : 'aktobe', 'male', NOW + i));
    const incremental = await warm.tallies.tallies('population', params, ANALYST);
    const cold = await createServices({ store: t.store }).tallies.tallies('population', params, ANALYST);
    expect(incremental.respondents).toBe(before.respondents + 3);
    expect(cold.respondents).toBe(incremental.respondents);
    const close = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'number' && typeof b === 'number') return void expect(Math.abs(a - b), path).toBeLessThan(1e-9);
      if (a === null || typeof a !== 'object') return void expect(a, path).toEqual(b);
      for (const k of Object.keys(a)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    };
    close(incremental.items, cold.items, 'items');
  });
});
