// Access control as users meet it, on both stores: interviewers see only their own responses (lists, reads,
// revisions, exports, retries), region-scoped coordinators only their regions, analysts no interviewer; logins,
// lockout, logout, rate limits; the audit trail; and no token or password ever lands in the logs or the store.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import type { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const RESPONSES = '/api/v1/surveys/population/responses';

describe.each(STORE_KINDS)('access on the %s store', (kind) => {
  let ctx: TestApp;
  let logs: string;
  const gen = new SyntheticGenerator('population', { seed: 31 });
  const submit = async (user: string, region: string) => {
    const s = gen.nextSubmission();
    s.answers.ps_region = region;
    await ctx.as(user).post(RESPONSES).send(s).expect(201);
    return s;
  };

  beforeEach(async () => {
    logs = '';
    const sink = new Writable({ write(chunk, _enc, done) { logs += String(chunk); done(); } });
    ctx = await makeTestApp(kind, {}, pino({ level: 'trace' }, sink));
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  describe('interviewers', () => {
    it('list, read and see the revisions of their own responses only', async () => {
      const mine = [await submit('ainur', 'akmola'), await submit('ainur', 'pavlodar')];
      const theirs = await submit('boris', 'akmola');
      const listed = (await ctx.as('ainur').get(RESPONSES).expect(200)).body.items.map((r: { id: string }) => r.id);
      expect(listed.sort()).toEqual(mine.map((s) => s.id).sort());
      expect((await ctx.as('ainur').get(RESPONSES).query({ interviewer: 'boris' }).expect(200)).body.items).toEqual([]);
      expect((await ctx.as('ainur').get(`${RESPONSES}/${theirs.id}`).expect(404)).body.code).toBe('404.2');
      await ctx.as('ainur').get(`${RESPONSES}/${theirs.id}/revisions`).expect(404);
      await ctx.as('ainur').get(`${RESPONSES}/${mine[0]!.id}/revisions`).expect(200);
    });

    it('cannot export, review, or learn anything by resubmitting another interviewer\'s response', async () => {
      const theirs = await submit('boris', 'akmola');
      await ctx.as('ainur').get('/api/v1/surveys/population/export').expect(403);
      await ctx.as('ainur').patch(`${RESPONSES}/${theirs.id}`).send({ status: 'approved' }).expect(403);
      const replay = await ctx.as('ainur').post(RESPONSES).send(theirs).expect(409);
      expect(replay.body.code).toBe('409.1');
      expect(JSON.stringify(replay.body)).not.toContain('boris');
      expect((await ctx.as('boris').post(RESPONSES).send(theirs).expect(200)).body.id).toBe(theirs.id);
    });
  });

  describe('coordinators scoped to regions', () => {
    it('see, export and review only their regions', async () => {
      const inScope = [await submit('ainur', 'akmola'), await submit('boris', 'aktobe')];
      const outOfScope = await submit('ainur', 'pavlodar');
      const listed = (await ctx.as('coord_akm').get(RESPONSES).expect(200)).body.items.map((r: { id: string }) => r.id);
      expect(listed.sort()).toEqual(inScope.map((s) => s.id).sort());
      expect((await ctx.as('coord_akm').get(RESPONSES).query({ region: 'pavlodar' }).expect(200)).body.items).toEqual([]);
      await ctx.as('coord_akm').get(`${RESPONSES}/${outOfScope.id}`).expect(404);
      await ctx.as('coord_akm').patch(`${RESPONSES}/${outOfScope.id}`).send({ status: 'rejected' }).expect(404);
      await ctx.as('coord_akm').patch(`${RESPONSES}/${inScope[0]!.id}`).send({ status: 'approved' }).expect(200);
      const csv = (await ctx.as('coord_akm').get('/api/v1/surveys/population/export?format=ndjson').buffer(true).parse(text).expect(200)).body as string;
      expect(csv.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual(inScope.map((s) => s.id).sort());
      expect((await ctx.as('coord').get(RESPONSES).expect(200)).body.items).toHaveLength(3);
    });
  });

  describe('analysts', () => {
    it('read responses and exports without who interviewed, and write nothing', async () => {
      const s = await submit('ainur', 'akmola');
      const one = (await ctx.as('analyst').get(`${RESPONSES}/${s.id}`).expect(200)).body;
      expect(one.interviewer).toBeNull();
      expect(one.answers.ps_interviewer_id).toBeUndefined();
      const listed = (await ctx.as('analyst').get(RESPONSES).expect(200)).body.items;
      expect(listed.every((r: { interviewer: unknown }) => r.interviewer === null)).toBe(true);
      const exported = (await ctx.as('analyst').get('/api/v1/surveys/population/export?format=ndjson').buffer(true).parse(text).expect(200)).body as string;
      expect(exported).not.toContain('ainur');
      const revisions = (await ctx.as('analyst').get(`${RESPONSES}/${s.id}/revisions`).expect(200)).body.items;
      expect(JSON.stringify(revisions)).not.toContain('ainur');
      await ctx.as('analyst').post(RESPONSES).send(gen.nextSubmission()).expect(403);
      await ctx.as('analyst').patch(`${RESPONSES}/${s.id}`).send({ status: 'approved' }).expect(403);
    });
  });

  describe('logins', () => {
    it('issue a working session token; logout revokes it', async () => {
      const login = await request(ctx.app).post('/api/v1/auth/login').send({ username: 'boris', password: TEST_PASSWORD }).expect(201);
      expect(login.body.token).toMatch(/^csi_[A-Za-z0-9_-]{43}$/);
      const auth = { Authorization: `Bearer ${login.body.token as string}` };
      expect((await request(ctx.app).get('/api/v1/me').set(auth).expect(200)).body).toMatchObject({ username: 'boris', role: 'interviewer' });
      await request(ctx.app).post('/api/v1/auth/logout').set(auth).expect(204);
      expect((await request(ctx.app).get('/api/v1/me').set(auth).expect(401)).body.code).toBe('401.1');
    });

    it('lock an account after five failures, even for the right password, and do not reveal which users exist', async () => {
      const attempt = (password: string, username = 'boris') => request(ctx.app).post('/api/v1/auth/login').send({ username, password });
      for (let i = 0; i < 5; i += 1) expect((await attempt('wrong password').expect(401)).body.code).toBe('401.3');
      expect((await attempt(TEST_PASSWORD).expect(429)).body.code).toBe('429.2');
      expect((await attempt('whatever', 'nobody').expect(401)).body).toEqual((await attempt('wrong', 'ainur').expect(401)).body);
    });

    it('reject disabled users and their existing tokens', async () => {
      const boris = await ctx.t.store.findUserByUsername('boris');
      await ctx.as('admin').patch(`/api/v1/users/${boris!.id}`).send({ disabled: true }).expect(200);
      await ctx.as('boris').get('/api/v1/me').expect(401);
      await request(ctx.app).post('/api/v1/auth/login').send({ username: 'boris', password: TEST_PASSWORD }).expect(401);
    });
  });

  describe('the audit trail', () => {
    it('records every write with actor, action, target and hashes, and is only readable by admins', async () => {
      const s = await submit('ainur', 'akmola');
      await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ status: 'approved', comment: 'ok' }).expect(200);
      await request(ctx.app).post('/api/v1/auth/login').send({ username: 'ainur', password: 'wrong' }).expect(401);
      await ctx.as('admin').post('/api/v1/users').send({ username: 'dana', password: 'a long enough password', role: 'analyst' }).expect(201);
      const entries = (await ctx.as('admin').get('/api/v1/audit').query({ limit: '500' }).expect(200)).body.items as Array<Record<string, unknown>>;
      const find = (action: string) => entries.filter((e) => e.action === action);
      expect(find('response.created')).toContainEqual(expect.objectContaining({ actor: 'ainur', target: `response:${s.id}` }));
      expect(find('response.reviewed')).toContainEqual(expect.objectContaining({ actor: 'coord', beforeHash: expect.stringMatching(/^[0-9a-f]{64}$/), afterHash: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      expect(find('auth.login_failed').length).toBeGreaterThanOrEqual(1);
      expect(find('user.created')).toContainEqual(expect.objectContaining({ actor: 'admin' }));
      const onlyReviews = (await ctx.as('admin').get('/api/v1/audit').query({ action: 'response.reviewed' }).expect(200)).body.items;
      expect(onlyReviews).toHaveLength(1);
      await ctx.as('coord').get('/api/v1/audit').expect(403);
      await ctx.as('admin').delete('/api/v1/audit').expect(404);
      expect((await ctx.as('admin').get('/api/v1/audit?actor[$ne]=x').expect(400)).body.code).toBe('400.3');
    });
  });

  it('never keeps a token or password in clear, in the logs or in the store', async () => {
    const login = await request(ctx.app).post('/api/v1/auth/login').send({ username: 'admin', password: TEST_PASSWORD }).expect(201);
    const session = login.body.token as string;
    const api = (await request(ctx.app).post('/api/v1/tokens').set('Authorization', `Bearer ${session}`).send({ username: 'boris', name: 'nightly import' }).expect(201)).body.token as string;
    await request(ctx.app).get(RESPONSES).set('Authorization', `Bearer ${api}`).expect(200);
    await request(ctx.app).get(`${RESPONSES}?token=${encodeURIComponent('not-a-secret')}`).set('Authorization', `Bearer ${session}`).expect(400);
    const listed = (await request(ctx.app).get('/api/v1/tokens').set('Authorization', `Bearer ${session}`).expect(200)).body.items;
    expect(listed.every((t: Record<string, unknown>) => t.token === undefined && t.tokenHash === undefined)).toBe(true);
    const secrets = [session, api, ...Object.values(ctx.tokens), TEST_PASSWORD];
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    const stored = await dumpStore(ctx);
    expect(stored.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });

  it('rate-limits writes per token, and logins per address', async () => {
    const limited = await makeTestApp(kind, { limits: { writesPerMinute: 3, loginsPerMinute: 2 } });
    try {
      for (let i = 0; i < 3; i += 1) {
        const res = await limited.as('ainur').post(RESPONSES).send(gen.nextSubmission()).expect(201);
        // draft-7 headers: the client can see its budget before it is refused.
        expect(res.headers['ratelimit-policy']).toBe('3;w=60');
        expect(res.headers.ratelimit).toMatch(new RegExp(`^limit=3, remaining=${2 - i}, reset=\\d+$`));
      }
      expect((await limited.as('ainur').post(RESPONSES).send(gen.nextSubmission()).expect(429)).body.code).toBe('429.1');
      await limited.as('boris').post(RESPONSES).send(gen.nextSubmission()).expect(201);
      await limited.as('ainur').get(RESPONSES).expect(200);
      const login = () => request(limited.app).post('/api/v1/auth/login').send({ username: 'ainur', password: TEST_PASSWORD });
      await login().expect(201);
      await login().expect(201);
      expect((await login().expect(429)).body.code).toBe('429.1');
    } finally {
      await limited.t.dispose();
    }
  });

  it('sends security headers and no CORS permission', async () => {
    const res = await request(ctx.app).get('/healthz').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

function text(res: request.Response, cb: (err: Error | null, body: string) => void): void {
  let body = '';
  res.on('data', (c: Buffer) => { body += c.toString(); });
  res.on('end', () => cb(null, body));
}

/** Everything the store holds, as text: the SQLite files (main and WAL), or every Mongo document. */
async function dumpStore(ctx: TestApp): Promise<string> {
  const store = ctx.t.store;
  if (store instanceof MongoStore) {
    return JSON.stringify(await Promise.all(['responses', 'users', 'tokens', 'audit'].map((c) => store.dumpCollectionForTests(c))));
  }
  const dir = dirname((store as SqliteStore).file);
  return readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
}
