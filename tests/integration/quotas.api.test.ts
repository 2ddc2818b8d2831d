// Quotas and fieldwork through the API on every store: 50 screenings racing for the last 5 slots of a cell through
// two app instances on two connections to one store (exactly 5 win, the cell ends at its target, lapsed
// reservations free their slots), consumption at submission, release on rejection, the flag policy, an interview
// completed offline in a cell that filled meanwhile, plan validation and CSV import, allocation, progress and
// fieldwork numbers, and the event stream. Time is the app's injected clock, moved by the test, never waited for.
import { randomUUID } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { buildApp } from '../../server/app.js';
import { planSpace } from '../../server/domain/quotas/plan.js';
import { QUOTA_GRACE_MS } from '../../server/domain/quotas/slots.js';
import { RESERVATION_MS } from '../../server/services/quotas.service.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const BASE = '/api/v1/surveys/population';
const QUOTAS = `${BASE}/quotas`;
const FEMALE = 'gender:ps_gender=female';
const T0 = Date.parse('2009-07-01T09:00:00.000Z');
const UNCAPPED = { maxLiveReservations: 1000 };

function genderPlan(female: number, policy: 'refuse' | 'flag' = 'refuse') {
  return { policy, quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 1000 }, { categories: { ps_gender: 'female' }, target: female }] }] };
}

describe.each(STORE_KINDS)('%s quotas API', (kind) => {
  let ctx: TestApp;
  let now: number;
  let gen: SyntheticGenerator;
  const clock = () => new Date(now);
  /** A valid submission of a respondent of the given gender. */
  const respondent = (gender: 'male' | 'female'): Submission => {
    const s = gen.nextSubmission();
    return { ...s, answers: { ...s.answers, ps_gender: gender } };
  };
  const submit = (s: Submission, user = 'ainur') => ctx.as(user).post(`${BASE}/responses`).send(s);
  const screen = (responseId: string, gender = 'female', user = 'ainur') => ctx.as(user).post(`${QUOTAS}/screen`).send({ responseId, answers: { ps_gender: gender } });
  const femaleCell = async () => ((await ctx.as('coord').get(`${QUOTAS}/progress`).expect(200)).body.cells as Array<Record<string, unknown>>).find((c) => c.cell === FEMALE);

  beforeEach(async () => {
    now = T0;
    gen = new SyntheticGenerator('population', { seed: 5 });
    // One interviewer screens for the whole race here; the per-person cap on live reservations has its own test.
    ctx = await makeTestApp(kind, { clock, quotas: UNCAPPED });
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('lets exactly 5 of 50 concurrent screenings through two app instances take the last 5 slots; lapsed reservations free them', async () => {
    await ctx.as('coord').put(QUOTAS).send(genderPlan(20)).expect(200);
    for (let i = 0; i < 15; i += 1) await submit(respondent('female')).expect(201);
    const second = buildApp({ store: await ctx.t.reopen(), logger: pino({ level: 'silent' }), clock, limits: { writesPerMinute: 100_000 }, quotas: UNCAPPED }).app;
    const apps = [ctx.app, second];
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const outcomes = await Promise.all(ids.map((responseId, i) => request(apps[i % 2] as Express).post(`${QUOTAS}/screen`).set('Authorization', `Bearer ${ctx.tokens.ainur}`).send({ responseId, answers: { ps_gender: 'female' } })));
    const won = outcomes.filter((r) => r.status === 200);
    expect(won).toHaveLength(5);
    expect(outcomes.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(45).fill('409.6'));
    for (const r of won) expect(r.body).toMatchObject({ decision: 'open', reservation: { cells: [FEMALE] } });
    expect(outcomes.find((r) => r.status === 409)?.body.details.cells).toEqual([{ quota: 'gender', status: 'full', cell: FEMALE, categories: { ps_gender: 'female' }, target: 20 }]);
    expect(await ctx.t.store.listQuotaSlots('population@1', { cell: FEMALE })).toHaveLength(20);
    expect(await femaleCell()).toMatchObject({ target: 20, achieved: 15, reserved: 5, remaining: 0, full: true });

    // The reservations lapse (past their expiry and the grace period): their slots go to new screenings, no more.
    now = T0 + RESERVATION_MS + QUOTA_GRACE_MS + 1000;
    expect(await femaleCell()).toMatchObject({ achieved: 15, reserved: 0, remaining: 5, full: false });
    const again = await Promise.all(Array.from({ length: 12 }, (_, i) => request(apps[i % 2] as Express).post(`${QUOTAS}/screen`).set('Authorization', `Bearer ${ctx.tokens.boris}`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } })));
    expect(again.filter((r) => r.status === 200)).toHaveLength(5);
    expect(await ctx.t.store.listQuotaSlots('population@1', { cell: FEMALE })).toHaveLength(20);
    expect(await femaleCell()).toMatchObject({ achieved: 15, reserved: 5, remaining: 0 });
  }, 120_000);

  it('consumes the reservation at submission and releases the slot when the response is rejected', async () => {
    await ctx.as('coord').put(QUOTAS).send(genderPlan(3)).expect(200);
    const s = respondent('female');
    const screened = (await screen(s.id).expect(200)).body;
    expect(screened).toMatchObject({ decision: 'open', planVersion: 1, overQuota: [], reservation: { id: s.id, expiresAt: new Date(T0 + RESERVATION_MS).toISOString(), cells: [FEMALE] } });
    expect(await femaleCell()).toMatchObject({ achieved: 0, reserved: 1, remaining: 2 });

    now += 60_000;
    const receipt = (await submit(s).expect(201)).body;
    expect(receipt.overQuota).toBeUndefined();
    expect(await ctx.t.store.listQuotaSlots('population@1', { responseId: s.id })).toMatchObject([{ cell: FEMALE, reservationId: s.id, responseId: s.id }]);
    expect(await femaleCell()).toMatchObject({ achieved: 1, reserved: 0, remaining: 2, percent: 33.3 });
    // A retry of the same submission holds the same one slot.
    await submit(s).expect(200);
    expect(await ctx.t.store.listQuotaSlots('population@1', { cell: FEMALE })).toHaveLength(1);

    await ctx.as('coord').patch(`${BASE}/responses/${s.id}`).send({ status: 'rejected', comment: 'not in the sample' }).expect(200);
    expect(await ctx.t.store.listQuotaSlots('population@1', { responseId: s.id })).toEqual([]);
    expect(await femaleCell()).toMatchObject({ achieved: 0, reserved: 0, remaining: 3 });
  });

  it('under the flag policy screens a respondent of a full cell in and flags the response over quota', async () => {
    await ctx.as('coord').put(QUOTAS).send(genderPlan(1, 'flag')).expect(200);
    await submit(respondent('female')).expect(201);
    const late = respondent('female');
    expect((await screen(late.id).expect(200)).body).toMatchObject({ decision: 'open', overQuota: ['gender'], reservation: null });
    expect((await submit(late).expect(201)).body.overQuota).toEqual(['gender']);
    expect((await ctx.as('coord').get(`${BASE}/responses/${late.id}`).expect(200)).body.overQuota).toEqual(['gender']);
    expect(await femaleCell()).toMatchObject({ target: 1, achieved: 2, over: 1, remaining: 0 });
    const fieldwork = (await ctx.as('coord').get(`${BASE}/fieldwork`).expect(200)).body;
    expect(fieldwork.overQuota).toEqual([{ response: late.id, quotas: ['gender'], interviewer: 'ainur', region: late.answers.ps_region }]);
  });

  it('refuses screening into a full cell under refuse, but accepts and flags an interview completed offline meanwhile', async () => {
    await ctx.as('coord').put(QUOTAS).send(genderPlan(1)).expect(200);
    const offline = respondent('female');
    await screen(offline.id).expect(200);
    // The interviewer goes offline; the reservation lapses, and someone else takes the slot and submits.
    now = T0 + RESERVATION_MS + QUOTA_GRACE_MS + 1000;
    const other = respondent('female');
    await screen(other.id, 'female', 'boris').expect(200);
    await submit(other, 'boris').expect(201);
    const refused = await screen(randomUUID()).expect(409);
    expect(refused.body.code).toBe('409.6');
    // Back online: the interview is accepted, never lost, and marked over quota.
    const receipt = (await submit(offline).expect(201)).body;
    expect(receipt.overQuota).toEqual(['gender']);
    expect(await femaleCell()).toMatchObject({ target: 1, achieved: 2, over: 1 });
    // Rejecting the accepted one reopens the cell.
    await ctx.as('coord').patch(`${BASE}/responses/${other.id}`).send({ status: 'rejected' }).expect(200);
    await screen(randomUUID()).expect(200);
  });

  it('validates plans (schema, then variables and categories), imports CSV, versions replacements and keeps counted slots', async () => {
    const schemaInvalid = await ctx.as('coord').put(QUOTAS).send({ quotas: [{ id: 'x', variables: [], cells: [] }] }).expect(400);
    expect(schemaInvalid.body.code).toBe('400.2');
    const invalid = await ctx.as('coord').put(QUOTAS).send({ quotas: [{ id: 'g', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'other' }, target: 3 }] }, { id: 'n', variables: ['ps_nope'], cells: [{ categories: { ps_nope: 'a' }, target: 1 }] }] }).expect(400);
    expect(invalid.body.code).toBe('400.6');
    expect(invalid.body.details.errors).toEqual([
      { path: '/quotas/0/cells/0/categories/ps_gender', item: 'ps_gender', keyword: 'unknownCategory', params: { category: 'other', variable: 'ps_gender' }, message: 'other is not a category of ps_gender' },
      { path: '/quotas/1/variables/0', item: null, keyword: 'unknownVariable', params: { variable: 'ps_nope' }, message: 'ps_nope is not an item or derived variable of the population survey' },
    ]);
    await ctx.as('coord').get(QUOTAS).expect(404);
    await ctx.as('ainur').put(QUOTAS).send(genderPlan(5)).expect(403);

    await ctx.as('coord').put(QUOTAS).send(genderPlan(5)).expect(200);
    const a = respondent('female');
    await submit(a).expect(201);
    const csv = 'variables,categories,target\nps_gender,male,10\nps_gender,female,4\nps_region|ps_gender,akmola|female,2\n';
    const imported = await ctx.as('coord').put(`${QUOTAS}?policy=flag`).set('content-type', 'text/csv').send(csv).expect(200);
    expect(imported.body).toMatchObject({ survey: 'population', version: 2, policy: 'flag', countStatuses: ['submitted', 'approved', 'has_issues'] });
    expect(imported.body.quotas.map((q: { id: string }) => q.id)).toEqual(['ps_gender', 'ps_region*ps_gender']);
    expect((await ctx.as('ainur').get(QUOTAS).expect(200)).body.version).toBe(2);
    // The counted response holds its slot in the new version; the old version's slots are gone.
    expect(await ctx.t.store.listQuotaSlots(planSpace({ survey: 'population', version: 2 }), { responseId: a.id })).toHaveLength(a.answers.ps_region === 'akmola' ? 2 : 1);
    expect(await ctx.t.store.listQuotaSlots('population@1')).toEqual([]);

    const bad = await ctx.as('coord').put(QUOTAS).set('content-type', 'text/csv').send('variables,categories,target\nps_gender,female,x\n').expect(400);
    expect(bad.body).toMatchObject({ code: '400.6', details: { errors: [{ path: '/lines/2', item: null, keyword: 'csvTarget', params: { value: 'x' } }] } });
    expect(bad.body.details.errors[0].message).toMatch(/^line 2, target: /);
  });

  it('allocates a plan from the margins or given shares, summing exactly to the total, without storing it', async () => {
    const fromMargins = (await ctx.as('coord').post(`${QUOTAS}/allocation`).send({ total: 542, quotas: [{ variables: ['ps_gender'] }] }).expect(200)).body;
    expect(fromMargins.quotas[0].cells.reduce((s: number, c: { target: number }) => s + c.target, 0)).toBe(542);
    const shares = { ps_age_band: { '18_25': 17.6, '26_35': 21.2, '36_45': 19.4, '46_55': 17.5, '56_60': 6.3, '61_plus': 18 } };
    const plan = (await ctx.as('coord').post(`${QUOTAS}/allocation`).send({ total: 542, minimum: 40, quotas: [{ id: 'age', variables: ['ps_age_band'], shares }] }).expect(200)).body;
    const targets = plan.quotas[0].cells.map((c: { target: number }) => c.target);
    expect(targets.reduce((s: number, t: number) => s + t, 0)).toBe(542);
    expect(Math.min(...targets)).toBeGreaterThanOrEqual(40);
    await ctx.as('coord').get(QUOTAS).expect(404);
    const impossible = await ctx.as('coord').post(`${QUOTAS}/allocation`).send({ total: 10, minimum: 5, quotas: [{ variables: ['ps_age_band'], shares }] }).expect(400);
    expect(impossible.body).toMatchObject({ code: '400.6', details: { errors: [{ path: '/quotas/0', keyword: 'allocation' }] } });
  });

  it('answers incomplete screening, unknown plans and reservations with their problems, and gives a reservation back', async () => {
    await screen(randomUUID()).expect(404);
    await ctx.as('coord').put(QUOTAS).send({ quotas: [{ id: 'age', variables: ['ps_age_band'], cells: [{ categories: { ps_age_band: '18_25' }, target: 2 }] }] }).expect(200);
    const incomplete = await screen(randomUUID()).expect(400);
    expect(incomplete.body).toMatchObject({ code: '400.7', details: { missing: [{ quota: 'age', variables: ['ps_age_band'] }] } });
    const id = randomUUID();
    await ctx.as('ainur').post(`${QUOTAS}/screen`).send({ responseId: id, answers: { ps_age_years: 20 } }).expect(200);
    await ctx.as('ainur').delete(`${QUOTAS}/reservations/${id}`).expect(204);
    expect((await ctx.as('ainur').delete(`${QUOTAS}/reservations/${id}`).expect(404)).body.code).toBe('404.8');
    // Outside the plan's cells (age 40 has no cell) is full under refuse.
    expect((await ctx.as('ainur').post(`${QUOTAS}/screen`).send({ responseId: randomUUID(), answers: { ps_age_years: 40 } }).expect(409)).body.details.cells[0].status).toBe('outside');
  });

  it('reports fieldwork per interviewer, region and day, with quality flags naming responses; analysts see no interviewers', async () => {
    const a = respondent('female');
    const copy = { ...respondent('male'), answers: a.answers };
    await submit(a).expect(201);
    await submit(copy, 'boris').expect(201);
    await submit(respondent('male'), 'boris').expect(201);
    const rejected = respondent('male');
    await submit(rejected, 'boris').expect(201);
    await ctx.as('coord').patch(`${BASE}/responses/${rejected.id}`).send({ status: 'rejected' }).expect(200);
    const report = (await ctx.as('coord').get(`${BASE}/fieldwork?utcOffset=0`).expect(200)).body;
    expect(report).toMatchObject({ survey: 'population', today: '2009-07-01', utcOffsetMinutes: 0 });
    expect(report.total).toMatchObject({ responsesTotal: 4, responsesToday: 4, reviewed: 1, rejected: 1, rejectionRate: 1 });
    expect(report.interviewers.map((g: { key: string; responsesTotal: number }) => [g.key, g.responsesTotal])).toEqual([['ainur', 1], ['boris', 3]]);
    expect(report.days).toMatchObject([{ key: '2009-07-01', responsesTotal: 4 }]);
    expect(report.regions.reduce((s: number, g: { responsesTotal: number }) => s + g.responsesTotal, 0)).toBe(4);
    const duplicates = report.flags.filter((f: { flag: string }) => f.flag === 'duplicate');
    expect(duplicates.map((f: { response: string; interviewer: string }) => [f.response, f.interviewer]).sort()).toEqual([[a.id, 'ainur'], [copy.id, 'boris']].sort());
    expect(report.heat.bands).toEqual(['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus']);
    expect(report.heat.cells.reduce((s: number, c: { achieved: number }) => s + c.achieved, 0)).toBe(3);

    const analyst = (await ctx.as('analyst').get(`${BASE}/fieldwork`).expect(200)).body;
    expect(analyst.interviewers).toEqual([]);
    expect(analyst.flags.every((f: { interviewer: string | null }) => f.interviewer === null)).toBe(true);
    expect((await ctx.as('coord').get(`${BASE}/fieldwork?utcOffset=9999`).expect(400)).body.code).toBe('400.3');
  });

  it('shows a region-scoped coordinator only their regions\' cells and responses, and moves a slot when a correction moves the respondent', async () => {
    const region = (r: string) => ({ categories: { ps_region: r }, target: 5 });
    await ctx.as('coord').put(QUOTAS).send({ quotas: [{ id: 'region', variables: ['ps_region'], cells: [region('akmola'), region('aktobe'), region('atyrau')] }] }).expect(200);
    const livingIn = (r: string): Submission => {
      const s = respondent('male');
      return { ...s, answers: { ...s.answers, ps_region: r } };
    };
    const inAkmola = livingIn('akmola');
    const inAtyrau = livingIn('atyrau');
    await submit(inAkmola).expect(201);
    await submit(inAtyrau).expect(201);
    const scoped = (await ctx.as('coord_akm').get(`${QUOTAS}/progress`).expect(200)).body.cells;
    expect(scoped.map((c: { cell: string; achieved: number }) => [c.cell, c.achieved])).toEqual([['region:ps_region=akmola', 1], ['region:ps_region=aktobe', 0]]);
    const all = (await ctx.as('coord').get(`${QUOTAS}/progress`).expect(200)).body.cells;
    expect(all.map((c: { achieved: number }) => c.achieved)).toEqual([1, 0, 1]);

    // A correction that moves the respondent to another region moves the slot with them.
    await ctx.as('coord').patch(`${BASE}/responses/${inAtyrau.id}`).send({ corrections: { ps_region: 'aktobe' } }).expect(200);
    expect((await ctx.t.store.listQuotaSlots('population@1', { responseId: inAtyrau.id })).map((s) => s.cell)).toEqual(['region:ps_region=aktobe']);
    const after = (await ctx.as('coord').get(`${QUOTAS}/progress`).expect(200)).body.cells;
    expect(after.map((c: { achieved: number }) => c.achieved)).toEqual([1, 1, 0]);
  });

  it('streams an event on every submission to a coordinator holding the token in the Authorization header', async () => {
    const server = ctx.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path: `${BASE}/fieldwork/events`, headers: { authorization: `Bearer ${ctx.tokens.coord}` } }, resolve).on('error', reject);
    });
    try {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let received = '';
      const seen = (pattern: RegExp) => new Promise<void>((resolve) => {
        const check = () => {
          if (!pattern.test(received)) return;
          res.off('data', onData);
          resolve();
        };
        const onData = (chunk: Buffer) => {
          received += chunk.toString();
          check();
        };
        res.on('data', onData);
        check();
      });
      await seen(/: connected/);
      await submit(respondent('female')).expect(201);
      await seen(/event: submitted\ndata: \{"kind":"submitted","survey":"population","at":"2009-07-01T09:00:00.000Z"\}/);
    } finally {
      res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
