// Concurrent edits of the quota plan, on every store: the plan's version is its ETag; a replacement sent with a stale
// If-Match is refused (412.1, naming the current version); of many replacements from one version racing through two
// app instances exactly one is stored; without If-Match racing replacements each get a version of their own; a
// version a crash left unpublished is completed by the next writer; every version is kept, audited, and listed.
import { pino } from 'pino';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { buildApp } from '../../server/app.js';
import { makeQuotaPlan, planSpace } from '../../server/domain/quotas/plan.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const QUOTAS = '/api/v1/surveys/population/quotas';

const plan = (female: number) => ({ quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 100 }, { categories: { ps_gender: 'female' }, target: female }] }] });

describe.each(STORE_KINDS)('%s quota plan versions', (kind) => {
  let ctx: TestApp;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('gives the version as ETag and refuses a replacement from a stale version with the current one named', async () => {
    const first = await ctx.as('coord').put(QUOTAS).set('If-Match', '"0"').send(plan(10)).expect(200);
    expect(first.headers.etag).toBe('"1"');
    expect((await ctx.as('ainur').get(QUOTAS).expect(200)).headers.etag).toBe('"1"');
    await ctx.as('admin').put(QUOTAS).set('If-Match', '"1"').send(plan(11)).expect(200);
    const stale = await ctx.as('coord').put(QUOTAS).set('If-Match', '"1"').send(plan(12)).expect(412);
    expect(stale.body).toMatchObject({ code: '412.1', details: { current: 2, given: 1 } });
    // A CSV upload is held to the same rule.
    const csv = await ctx.as('coord').put(QUOTAS).set('If-Match', '"1"').type('text/csv').send('variables,categories,target\nps_gender,female,5\n').expect(412);
    expect(csv.body.code).toBe('412.1');
    const odd = await ctx.as('coord').put(QUOTAS).set('If-Match', 'version two').send(plan(12)).expect(412);
    expect(odd.body.details).toMatchObject({ given: 'version two', rule: expect.stringMatching(/entity tag/) });
    // The first plan cannot be sent twice as "the first".
    await ctx.as('coord').put(QUOTAS).set('If-Match', '"0"').send(plan(12)).expect(412);
    expect((await ctx.as('coord').get(QUOTAS).expect(200)).body.quotas[0].cells[1].target).toBe(11);
  });

  it('stores exactly one of many replacements from one version racing through two app instances', async () => {
    await ctx.as('coord').put(QUOTAS).send(plan(10)).expect(200);
    const second = buildApp({ store: await ctx.t.reopen(), logger: pino({ level: 'silent' }), limits: { writesPerMinute: 100_000 } }).app;
    const token = ctx.tokens.coord as string;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      request(i % 2 ? second : ctx.app).put(QUOTAS).set('Authorization', `Bearer ${token}`).set('If-Match', '"1"').send(plan(20 + i))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)?.body as { version: number; quotas: Array<{ cells: Array<{ target: number }> }> };
    expect(winner.version).toBe(2);
    const history = (await ctx.as('analyst').get(`${QUOTAS}/versions`).expect(200)).body as { versions: Array<{ version: number; by: string; plan: unknown }> };
    expect(history.versions.map((v) => [v.version, v.by])).toEqual([[2, 'coord'], [1, 'coord']]);
    expect(history.versions[0]?.plan).toEqual(winner);
    expect((await ctx.as('coord').get(QUOTAS).expect(200)).body).toEqual(winner);
    const audited = (await ctx.as('admin').get('/api/v1/audit').query({ action: 'quotas.updated' }).expect(200)).body.items as Array<{ details: { version: number } }>;
    expect(audited.map((e) => e.details.version)).toEqual([1, 2]);
  });

  it('gives racing replacements without If-Match one version each', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => ctx.as('coord').put(QUOTAS).send(plan(30 + i))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.body.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const history = (await ctx.as('coord').get(`${QUOTAS}/versions`).expect(200)).body.versions as Array<{ version: number }>;
    expect(history.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });

  it('completes a version a crash left unpublished: its slots carried over, then it is current, and the late editor is told', async () => {
    await ctx.as('coord').put(QUOTAS).send(plan(10)).expect(200);
    const s = new SyntheticGenerator('population', { seed: 3 }).nextSubmission();
    await ctx.as('ainur').post('/api/v1/surveys/population/responses').send({ ...s, answers: { ...s.answers, ps_gender: 'female' } }).expect(201);
    // Version 2 stored by a writer that died before publishing it.
    const orphan = makeQuotaPlan('population', plan(3).quotas, { version: 2 });
    expect(await ctx.t.store.insertSettingVersion({ key: 'quotas:population', version: 2, value: orphan, at: new Date().toISOString(), by: 'coord', published: false })).toBe(true);
    expect((await ctx.as('coord').get(QUOTAS).expect(200)).headers.etag).toBe('"1"');
    const late = await ctx.as('admin').put(QUOTAS).set('If-Match', '"1"').send(plan(50)).expect(412);
    expect(late.body.details).toMatchObject({ current: 2 });
    expect((await ctx.as('coord').get(QUOTAS).expect(200)).body).toEqual(orphan);
    expect(await ctx.t.store.listQuotaSlots(planSpace({ survey: 'population', version: 1 }))).toEqual([]);
    expect((await ctx.t.store.listQuotaSlots(planSpace(orphan))).map((x) => [x.cell, x.responseId])).toEqual([['gender:ps_gender=female', s.id]]);
    await ctx.as('admin').put(QUOTAS).set('If-Match', '"2"').send(plan(50)).expect(200);
  });
});
