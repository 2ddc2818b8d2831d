// One counting policy (server/domain/counting.ts), seen through every reader on every store: one response in each
// status, and every reader (quota progress and status, the fieldwork heat table and totals, tallies, the indicator
// matrix, the export's weights) counts exactly the submitted, approved and has_issues ones; a review that moves one
// response from has_issues to rejected and back moves every reader by one, in the same direction.
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import type { StoredResponse } from '../../server/domain/response.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const BASE = '/api/v1/surveys/population';
const FEMALE = 'gender:ps_gender=female';
const MALE = 'gender:ps_gender=male';

describe.each(STORE_KINDS)('%s: which responses count', (kind) => {
  let ctx: TestApp;
  let gen: SyntheticGenerator;
  const respondent = (gender: 'male' | 'female'): Submission => {
    const s = gen.nextSubmission();
    return { ...s, answers: { ...s.answers, ps_gender: gender } };
  };

  beforeEach(async () => {
    gen = new SyntheticGenerator('population', { seed: 13 });
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  /** What each reader says: counts per reader, and the ids the export weighted. */
  async function readers() {
    const cells = (await ctx.as('coord').get(`${BASE}/quotas/progress`).expect(200)).body.cells as Array<{ cell: string; achieved: number }>;
    const fieldwork = (await ctx.as('coord').get(`${BASE}/fieldwork`).expect(200)).body;
    const tallies = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender' }).expect(200)).body;
    const unweighted = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', weighted: 'false' }).expect(200)).body;
    const indicators = (await ctx.as('analyst').get('/api/v1/indicators').query({ weighted: 'true' }).expect(200)).body;
    const csv = (await ctx.as('analyst').get(`${BASE}/export`).query({ format: 'csv' }).expect(200)).text;
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    const female = unweighted.items[0].overall.estimates.find((e: { category: string }) => e.category === 'female');
    return {
      quotaFemale: cells.find((c) => c.cell === FEMALE)?.achieved,
      quotaMale: cells.find((c) => c.cell === MALE)?.achieved,
      heat: fieldwork.heat.cells.reduce((s: number, c: { achieved: number }) => s + c.achieved, 0),
      talliesWeighted: tallies.respondents,
      talliesFemale: female.n,
      indicators: indicators.respondents.population,
      weighted: rows.filter((r) => r.weight !== '').map((r) => r.id).sort(),
      exported: rows.length,
      fieldworkTotal: fieldwork.total.responsesTotal,
    };
  }

  it('counts submitted, approved and has_issues everywhere, rejected and withdrawn nowhere, and a review moves every reader alike', async () => {
    await ctx.as('coord').put(`${BASE}/margins`).send({ variables: [{ variable: 'ps_gender', shares: { male: 50, female: 50 }, source: 'test', status: 'placeholder' }] }).expect(200);
    await ctx.as('coord').put(`${BASE}/quotas`).send({ policy: 'flag', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 50 }, { categories: { ps_gender: 'female' }, target: 50 }] }] }).expect(200);
    const men = [respondent('male'), respondent('male')];
    for (const s of men) await ctx.as('ainur').post(`${BASE}/responses`).send(s).expect(201);
    const statuses = ['submitted', 'approved', 'has_issues', 'rejected'] as const;
    const women: Record<string, Submission> = {};
    for (const status of statuses) {
      const s = respondent('female');
      women[status] = s;
      await ctx.as('ainur').post(`${BASE}/responses`).send(s).expect(201);
      if (status !== 'submitted') await ctx.as('coord').patch(`${BASE}/responses/${s.id}`).send({ status }).expect(200);
    }
    // Withdrawn is set by no API route yet: a response stored so, as a withdrawal would leave it (no slot held).
    const withdrawn = respondent('female');
    const stored = (await ctx.t.store.findResponseById(women.submitted?.id as string)) as StoredResponse;
    await ctx.t.store.insertResponse({ ...stored, id: withdrawn.id, answers: withdrawn.answers, status: 'withdrawn', submissionHash: 'withdrawn' });

    const counted = [...men, women.submitted, women.approved, women.has_issues].map((s) => (s as Submission).id).sort();
    const before = await readers();
    expect(before).toEqual({
      quotaFemale: 3, quotaMale: 2, heat: 5, talliesWeighted: 5, talliesFemale: 3, indicators: 5, weighted: counted, exported: 7,
      // Fieldwork shows the interviewers' work: the rejected interview too, never the withdrawn one.
      fieldworkTotal: 6,
    });
    const status = (await ctx.as('ainur').get(`${BASE}/quotas/status`).expect(200)).body;
    expect(status.full).toEqual([]);

    const queried = women.has_issues as Submission;
    await ctx.as('coord').patch(`${BASE}/responses/${queried.id}`).send({ status: 'rejected' }).expect(200);
    const rejected = await readers();
    expect(rejected).toEqual({
      ...before, quotaFemale: 2, heat: 4, talliesWeighted: 4, talliesFemale: 2, indicators: 4, weighted: counted.filter((id) => id !== queried.id),
    });

    await ctx.as('coord').patch(`${BASE}/responses/${queried.id}`).send({ status: 'submitted' }).expect(200);
    expect(await readers()).toEqual(before);
  });
});

describe.each(STORE_KINDS)('%s: a quota plan stored by an older release', (kind) => {
  let ctx: TestApp;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('is counted from its responses once, the first time its progress is asked for, then from the slot counts', async () => {
    const gen = new SyntheticGenerator('population', { seed: 17 });
    // As an older release left it: responses holding no slots (two beyond the target, one has_issues), a plan
    // counting submitted and approved only, and no mark that the counts were taken.
    const stored = async (status: 'submitted' | 'has_issues' | 'rejected') => {
      const s = gen.nextSubmission();
      const receipt = (await ctx.as('ainur').post(`${BASE}/responses`).send({ ...s, answers: { ...s.answers, ps_gender: 'female' } }).expect(201)).body;
      const r = (await ctx.t.store.findResponseById(receipt.id)) as StoredResponse;
      if (status !== 'submitted') await ctx.t.store.replaceResponse({ ...r, status, revision: 2 }, 1);
    };
    await stored('submitted');
    await stored('submitted');
    await stored('has_issues');
    await stored('rejected');
    // Where the settings migration (embedded 8, MongoDB 6) moves a plan an older release kept under `settings`.
    const plan = {
      survey: 'population', version: 1, policy: 'flag', countStatuses: ['submitted', 'approved'],
      quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'female' }, target: 1 }, { categories: { ps_gender: 'male' }, target: 5 }] }],
    };
    expect(await ctx.t.store.insertSettingVersion({ key: 'quotas:population', version: 1, value: plan, at: new Date().toISOString(), by: null, published: true })).toBe(true);
    expect(await ctx.t.store.countQuotaSlots('population@1', [FEMALE], new Date().toISOString())).toEqual(new Map());
    const cells = (await ctx.as('coord').get(`${BASE}/quotas/progress`).expect(200)).body.cells as Array<{ cell: string; achieved: number; acceptedOver: number; full: boolean }>;
    expect(cells.find((c) => c.cell === FEMALE)).toMatchObject({ achieved: 3, acceptedOver: 2, full: true });
    expect((await ctx.as('ainur').get(`${BASE}/quotas/status`).expect(200)).body.full).toEqual([{ quota: 'gender', categories: { ps_gender: 'female' } }]);
    expect(await ctx.t.store.getSetting('quota-counts:population@1')).toBe(true);
  });
});
