// Region scope on writes (issue 14, point 3) and quota reservations that belong to their screener (point 5), on
// every store: a coordinator scoped to akmola and aktobe gets "not found" for every write outside those regions
// (submissions, corrections that would move a response out, imports, screening, national settings) and nothing is
// stored; their event stream carries only their regions' changes. Reservations: another interviewer's is not found
// (cancel or screen again), and one person holds at most the configured number of live reservations per cell, even
// when their screenings race.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { KAZAKHSTAN_SECONDARY } from '../../server/domain/indicators/secondary.js';
import { KAZAKHSTAN_2009_MARGINS } from '../../server/domain/weighting/margins.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { importFile } from '../../server/services/import.service.js';
import { ResponsesService } from '../../server/services/responses.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { CAST, makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const BASE = '/api/v1/surveys/population';
const RESPONSES = `${BASE}/responses`;
const QUOTAS = `${BASE}/quotas`;
const FEMALE = 'gender:ps_gender=female';
const GENDER_PLAN = { quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 100 }, { categories: { ps_gender: 'female' }, target: 100 }] }] };
const REGION_PLAN = { quotas: [{ id: 'region', variables: ['ps_region'], cells: ['akmola', 'aktobe', 'almaty_city'].map((r) => ({ categories: { ps_region: r }, target: 10 })) }] };

/** An open event stream of `user`, with what it received so far and a wait for a number of matches. */
async function openStream(port: number, token: string) {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: `${BASE}/fieldwork/events`, headers: { authorization: `Bearer ${token}` } }, resolve).on('error', reject);
  });
  const stream = { res, text: '' };
  const waiters: Array<() => void> = [];
  res.on('data', (chunk: Buffer) => {
    stream.text += chunk.toString();
    for (const w of [...waiters]) w();
  });
  const count = (pattern: RegExp) => (stream.text.match(new RegExp(pattern.source, 'g')) ?? []).length;
  const until = (pattern: RegExp, n: number) => new Promise<void>((resolve) => {
    const check = () => {
      if (count(pattern) < n) return;
      waiters.splice(waiters.indexOf(check), 1);
      resolve();
    };
    waiters.push(check);
    check();
  });
  return { ...stream, get received() { return stream.text; }, count, until };
}

describe.each(STORE_KINDS)('%s store: region scope on writes', (kind) => {
  let ctx: TestApp;
  let gen: SyntheticGenerator;
  const inRegion = (region: string): Submission => {
    const s = gen.nextSubmission();
    return { ...s, answers: { ...s.answers, ps_region: region } };
  };
  beforeEach(async () => {
    gen = new SyntheticGenerator('population', { seed: 14 });
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('refuses a scoped coordinator\'s submission outside their regions as not found, and stores nothing', async () => {
    const outside = inRegion('almaty_city');
    const refused = await ctx.as('coord_akm').post(RESPONSES).send(outside).expect(404);
    expect(refused.body).toMatchObject({ code: '404.2', details: { id: outside.id } });
    expect(await ctx.t.store.findResponseById(outside.id)).toBeNull();
    const inside = inRegion('aktobe');
    await ctx.as('coord_akm').post(RESPONSES).send(inside).expect(201);
    // The same content from an unscoped coordinator is fine: the refusal was the scope, not the answers.
    await ctx.as('coord').post(RESPONSES).send(outside).expect(201);
    const created = (await ctx.as('admin').get('/api/v1/audit').query({ action: 'response.created' }).expect(200)).body.items as Array<{ target: string }>;
    expect(created.map((e) => e.target).sort()).toEqual([`response:${inside.id}`, `response:${outside.id}`].sort());
  });

  it('refuses a correction that would move a response out of the reviewer\'s regions, before and after the change', async () => {
    const inside = inRegion('aktobe');
    await ctx.as('ainur').post(RESPONSES).send(inside).expect(201);
    const moved = await ctx.as('coord_akm').patch(`${RESPONSES}/${inside.id}`).send({ corrections: { ps_region: 'almaty_city' }, revision: 1 }).expect(404);
    expect(moved.body.code).toBe('404.2');
    expect(await ctx.t.store.findResponseById(inside.id)).toMatchObject({ region: 'aktobe', revision: 1, answers: { ps_region: 'aktobe' } });
    // Within their regions the correction goes through; a response already outside them stays not found.
    await ctx.as('coord_akm').patch(`${RESPONSES}/${inside.id}`).send({ corrections: { ps_region: 'akmola' }, revision: 1 }).expect(200);
    const outside = inRegion('pavlodar');
    await ctx.as('ainur').post(RESPONSES).send(outside).expect(201);
    await ctx.as('coord_akm').patch(`${RESPONSES}/${outside.id}`).send({ corrections: { ps_region: 'akmola' } }).expect(404);
    expect(await ctx.t.store.findResponseById(outside.id)).toMatchObject({ region: 'pavlodar', revision: 1 });
  });

  it('refuses national settings and out-of-region screening to a scoped coordinator as not found', async () => {
    for (const [path, body] of [[QUOTAS, REGION_PLAN], [`${BASE}/margins`, { variables: KAZAKHSTAN_2009_MARGINS.variables }], ['/api/v1/indicators/secondary', KAZAKHSTAN_SECONDARY]] as const) {
      const res = await ctx.as('coord_akm').put(path).send(body).expect(404);
      expect(res.body).toMatchObject({ code: '404.9', details: { regions: CAST.coord_akm?.regions } });
    }
    await ctx.as('coord').put(QUOTAS).send(REGION_PLAN).expect(200);
    const screen = (region: string) => ctx.as('coord_akm').post(`${QUOTAS}/screen`).send({ responseId: randomUUID(), answers: { ps_region: region } });
    expect((await screen('almaty_city').expect(404)).body.code).toBe('404.2');
    expect(await ctx.t.store.listQuotaSlots('population@1', { cell: 'region:ps_region=almaty_city' })).toEqual([]);
    await screen('aktobe').expect(200);
  });

  it('imports by a scoped user store only the rows within their regions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-scope-'));
    try {
      const file = join(dir, 'rows.ndjson');
      const rows = [inRegion('akmola'), inRegion('almaty_city')];
      writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
      const service = new ResponsesService(ctx.t.store, compileAllValidators(), () => new Date(), auditTrail(ctx.t.store, () => new Date()));
      const report = await importFile(service, 'population', file, { username: 'coord_akm', userId: null, role: 'coordinator', regions: ['akmola', 'aktobe'] });
      expect(report).toMatchObject({ rows: 2, imported: 1, failed: [{ line: 2, id: rows[1]!.id, code: '404.2' }] });
      expect(await ctx.t.store.findResponseById(rows[1]!.id)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams to a scoped coordinator only the changes in their regions', async () => {
    const server = ctx.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const all = await openStream(port, ctx.tokens.coord as string);
    const scoped = await openStream(port, ctx.tokens.coord_akm as string);
    try {
      await all.until(/: connected/, 1);
      await scoped.until(/: connected/, 1);
      const outside = inRegion('pavlodar');
      await ctx.as('ainur').post(RESPONSES).send(outside).expect(201);
      await ctx.as('coord').patch(`${RESPONSES}/${outside.id}`).send({ status: 'approved' }).expect(200);
      await ctx.as('ainur').post(RESPONSES).send(inRegion('aktobe')).expect(201);
      // One connection delivers in order: when the in-scope event has arrived, any earlier one would have too.
      await scoped.until(/event: submitted/, 1);
      await all.until(/event: submitted/, 2);
      await all.until(/event: reviewed/, 1);
      expect(scoped.count(/event: /)).toBe(1);
      expect(scoped.received).not.toContain('pavlodar');
      expect(all.received).not.toContain('pavlodar');
    } finally {
      all.res.destroy();
      scoped.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.each(STORE_KINDS)('%s store: quota reservations belong to their screener', (kind) => {
  let ctx: TestApp;
  const screen = (user: string, responseId: string) => ctx.as(user).post(`${QUOTAS}/screen`).send({ responseId, answers: { ps_gender: 'female' } });
  const liveOf = async (owner: string) => (await ctx.t.store.listQuotaSlots('population@1', { cell: FEMALE, owner })).filter((s) => s.responseId === null);
  beforeEach(async () => {
    ctx = await makeTestApp(kind, { quotas: { maxLiveReservations: 3 } });
    await ctx.as('coord').put(QUOTAS).send(GENDER_PLAN).expect(200);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('lets nobody but its screener cancel a reservation or screen under its id', async () => {
    const id = randomUUID();
    await screen('ainur', id).expect(200);
    expect((await ctx.as('boris').delete(`${QUOTAS}/reservations/${id}`).expect(404)).body.code).toBe('404.8');
    expect((await screen('boris', id).expect(404)).body.code).toBe('404.8');
    expect((await ctx.as('coord').delete(`${QUOTAS}/reservations/${id}`).expect(404)).body.code).toBe('404.8');
    expect((await liveOf('ainur')).map((s) => s.reservationId)).toEqual([id]);
    expect(await liveOf('boris')).toEqual([]);
    await screen('ainur', id).expect(200);
    await ctx.as('ainur').delete(`${QUOTAS}/reservations/${id}`).expect(204);
    expect(await liveOf('ainur')).toEqual([]);
    // A plan that does not ask the region at screening: a scoped coordinator screens like anyone else.
    await screen('coord_akm', randomUUID()).expect(200);
  });

  it('gives an id two people screen at the same moment to exactly one of them', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const outcomes = await Promise.all(ids.flatMap((id) => [screen('ainur', id), screen('boris', id)]));
    for (const [i, id] of ids.entries()) {
      const pair = [outcomes[2 * i], outcomes[2 * i + 1]];
      expect(pair.map((r) => r?.status).sort()).toEqual([200, 404]);
      const winner = pair[0]?.status === 200 ? 'ainur' : 'boris';
      expect((await ctx.t.store.listQuotaSlots('population@1', { reservationId: id })).map((s) => s.owner)).toEqual([winner]);
    }
  });

  it('holds one person to 3 live reservations per cell (429.3 beyond), others unaffected', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await screen('ainur', id).expect(200);
    const fourth = await screen('ainur', randomUUID()).expect(429);
    expect(fourth.body).toMatchObject({ code: '429.3', details: { cells: [FEMALE], limit: 3 } });
    expect((await liveOf('ainur')).map((s) => s.reservationId).sort()).toEqual([...ids].sort());
    await screen('ainur', ids[0] as string).expect(200);
    await screen('boris', randomUUID()).expect(200);
    // Giving one back makes room again.
    await ctx.as('ainur').delete(`${QUOTAS}/reservations/${ids[1]}`).expect(204);
    await screen('ainur', randomUUID()).expect(200);
    await screen('ainur', randomUUID()).expect(429);
  });

  it('keeps the cap when 12 screenings of one person race', async () => {
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => screen('boris', randomUUID())));
    expect(outcomes.every((r) => r.status === 200 || (r.status === 429 && r.body.code === '429.3'))).toBe(true);
    const held = await liveOf('boris');
    expect(held.length).toBeLessThanOrEqual(3);
    expect(held.map((s) => s.reservationId).sort()).toEqual(outcomes.filter((r) => r.status === 200).map((r) => r.body.reservation.id).sort());
  });
});
