// Every route x every kind of caller: anonymous, expired, revoked and disabled tokens get 401, roles a route does not
// allow get 403, roles it allows get 2xx. Who may call what is written out here, in ALLOWED, independently of the
// app's POLICY: the test would agree with any policy row it derived its expectations from, so a wrong row (an
// analyst let into user management, an interviewer shut out of screening) must disagree with this table to fail.
// Both tables are typed by the policy's keys, so a route added to the policy without a request and an expected
// outcome here does not compile, and a route served without a policy entry stops the app from starting (and fails
// the OpenAPI route check).
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import type { Token, User } from '../../server/domain/accounts.js';
import { POLICY, type PolicyKey } from '../../server/domain/policy.js';
import { KAZAKHSTAN_SECONDARY } from '../../server/domain/indicators/secondary.js';
import { KAZAKHSTAN_2009_MARGINS } from '../../server/domain/weighting/margins.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';

type Subject = Role | 'anonymous' | 'expired' | 'revoked' | 'disabled';
const SUBJECTS: Subject[] = ['anonymous', 'expired', 'revoked', 'disabled', ...ROLES];
/** Which cast member acts for a role: the coordinator without a region scope. */
const ACTOR_OF: Record<Role, string> = { interviewer: 'ainur', coordinator: 'coord', analyst: 'analyst', admin: 'admin' };

type Call = (agent: request.Agent, ctx: TestApp, subject: Subject) => Promise<request.Response>;

const gen = new SyntheticGenerator('population', { seed: 77 });
let seeded: { responseId: string; userId: string };

const QUOTAS = '/api/v1/surveys/population/quotas';
const QUOTA_PLAN = { quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 500 }, { categories: { ps_gender: 'female' }, target: 500 }] }] };
let planned: Promise<unknown> | null = null;
/** The quota routes that need a plan get one, set once by the admin. */
const withPlan = (ctx: TestApp) => (planned ??= ctx.as('admin').put(QUOTAS).send(QUOTA_PLAN).expect(200));

/** Reads a JSON body, or just the opening of an event stream (which never ends by itself). */
function firstChunk(res: NodeJS.ReadableStream & { headers: Record<string, string> }, done: (err: Error | null, body: unknown) => void): void {
  let text = '';
  let finished = false;
  const finish = (body: unknown) => {
    Object.assign(res, { text });
    if (!finished) done(null, body);
    finished = true;
  };
  res.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (String(res.headers['content-type']).startsWith('text/event-stream')) {
      (res as unknown as { destroy(): void }).destroy();
      finish({ stream: text });
    }
  });
  res.on('end', () => finish(text ? JSON.parse(text) : {}));
}

/** One request per policy key that succeeds for anyone the policy allows. */
const REQUESTS: Record<PolicyKey, Call> = {
  'GET /healthz': (a) => a.get('/healthz'),
  'GET /openapi.json': (a) => a.get('/openapi.json'),
  'POST /api/v1/auth/login': (a) => a.post('/api/v1/auth/login').send({ username: 'admin', password: TEST_PASSWORD }),
  'POST /api/v1/auth/logout': (a) => a.post('/api/v1/auth/logout'),
  'GET /api/v1/me': (a) => a.get('/api/v1/me'),
  // A password change ends every token of its user: a role changes the password of a user of its own, made for the call.
  'POST /api/v1/me/password': async (a, ctx, subject) => {
    const body = { currentPassword: 'a long enough password', newPassword: 'another long password' };
    if (!(ROLES as readonly string[]).includes(subject)) return a.post('/api/v1/me/password').send(body);
    const username = `p${randomUUID().slice(0, 8)}`;
    await ctx.accounts.createUser({ username, password: body.currentPassword, role: subject as Role }, 'test');
    const { token } = await ctx.accounts.createApiToken({ username, name: 'own' }, 'test');
    return request(ctx.app).post('/api/v1/me/password').set('Authorization', `Bearer ${token}`).send(body);
  },
  'GET /api/v1/surveys': (a) => a.get('/api/v1/surveys'),
  'GET /api/v1/surveys/:survey/schema': (a) => a.get('/api/v1/surveys/population/schema'),
  'POST /api/v1/surveys/:survey/responses': (a) => a.post('/api/v1/surveys/population/responses').send(gen.nextSubmission()),
  'GET /api/v1/surveys/:survey/responses': (a) => a.get('/api/v1/surveys/population/responses'),
  'GET /api/v1/surveys/:survey/responses/:id': (a) => a.get(`/api/v1/surveys/population/responses/${seeded.responseId}`),
  'GET /api/v1/surveys/:survey/responses/:id/revisions': (a) => a.get(`/api/v1/surveys/population/responses/${seeded.responseId}/revisions`),
  'PATCH /api/v1/surveys/:survey/responses/:id': (a) => a.patch(`/api/v1/surveys/population/responses/${seeded.responseId}`).send({ status: 'approved' }),
  'GET /api/v1/surveys/:survey/review': (a) => a.get('/api/v1/surveys/population/review'),
  'GET /api/v1/surveys/:survey/review/:id': (a) => a.get(`/api/v1/surveys/population/review/${seeded.responseId}`),
  'GET /api/v1/surveys/:survey/export': (a) => a.get('/api/v1/surveys/population/export'),
  'GET /api/v1/surveys/:survey/paradata': (a) => a.get('/api/v1/surveys/population/paradata'),
  'GET /api/v1/surveys/:survey/margins': (a) => a.get('/api/v1/surveys/population/margins'),
  'PUT /api/v1/surveys/:survey/margins': (a) => a.put('/api/v1/surveys/population/margins').send({ variables: KAZAKHSTAN_2009_MARGINS.variables }),
  'GET /api/v1/surveys/:survey/tallies': (a) => a.get('/api/v1/surveys/population/tallies?items=ps_trust_people&weighted=false'),
  'GET /api/v1/surveys/:survey/quotas': async (a, ctx) => (await withPlan(ctx), a.get(QUOTAS)),
  'PUT /api/v1/surveys/:survey/quotas': (a) => a.put(QUOTAS).send(QUOTA_PLAN),
  'GET /api/v1/surveys/:survey/quotas/versions': async (a, ctx) => (await withPlan(ctx), a.get(`${QUOTAS}/versions`)),
  'POST /api/v1/surveys/:survey/quotas/allocation': (a) => a.post(`${QUOTAS}/allocation`).send({ total: 542, quotas: [{ variables: ['ps_gender'] }] }),
  'POST /api/v1/surveys/:survey/quotas/screen': async (a, ctx) => (await withPlan(ctx), a.post(`${QUOTAS}/screen`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } })),
  'DELETE /api/v1/surveys/:survey/quotas/reservations/:id': async (a, ctx) => {
    await withPlan(ctx);
    const responseId = randomUUID();
    // A reservation is its screener's own to give back (issue 14): the caller screens first, where its role may.
    await a.post(`${QUOTAS}/screen`).send({ responseId, answers: { ps_gender: 'male' } });
    return a.delete(`${QUOTAS}/reservations/${responseId}`);
  },
  'GET /api/v1/surveys/:survey/quotas/status': async (a, ctx) => (await withPlan(ctx), a.get(`${QUOTAS}/status`)),
  'GET /api/v1/surveys/:survey/quotas/progress': async (a, ctx) => (await withPlan(ctx), a.get(`${QUOTAS}/progress`)),
  'GET /api/v1/surveys/:survey/fieldwork': (a) => a.get('/api/v1/surveys/population/fieldwork'),
  'GET /api/v1/surveys/:survey/fieldwork/events': (a) => a.get('/api/v1/surveys/population/fieldwork/events').buffer(true).parse((res, done) => firstChunk(res as unknown as Parameters<typeof firstChunk>[0], done)),
  'GET /api/v1/indicators': (a) => a.get('/api/v1/indicators'),
  'GET /api/v1/indicators/diamond.svg': (a) => a.get('/api/v1/indicators/diamond.svg?lang=ru').buffer(true).parse((res, done) => {
    // SVG is an image type to superagent: read it as text, so the assertions below can quote it (problems stay JSON).
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => { text += chunk; });
    res.on('end', () => {
      Object.assign(res, { text });
      done(null, /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : text);
    });
  }),
  'GET /api/v1/indicators/secondary': (a) => a.get('/api/v1/indicators/secondary'),
  'PUT /api/v1/indicators/secondary': (a) => a.put('/api/v1/indicators/secondary').send(KAZAKHSTAN_SECONDARY),
  'GET /api/v1/social-concerns': (a) => a.get('/api/v1/social-concerns'),
  'PUT /api/v1/social-concerns': (a) => a.put('/api/v1/social-concerns').send({ concern1: { kk: 'Кедейлік', ru: 'Бедность', en: 'Poverty' }, concern2: { kk: 'Жұмыссыздық', ru: 'Безработица', en: 'Unemployment' } }),
  'GET /api/v1/users': (a) => a.get('/api/v1/users'),
  'POST /api/v1/users': (a) => a.post('/api/v1/users').send({ username: `u${randomUUID().slice(0, 8)}`, password: 'a long enough password', role: 'interviewer' }),
  'PATCH /api/v1/users/:id': (a) => a.patch(`/api/v1/users/${seeded.userId}`).send({ regions: ['akmola'] }),
  'POST /api/v1/users/:id/password': async (a, ctx) => {
    const victim = await ctx.accounts.createUser({ username: `r${randomUUID().slice(0, 8)}`, role: 'interviewer' }, 'test');
    return a.post(`/api/v1/users/${victim.id}/password`);
  },
  'GET /api/v1/tokens': (a) => a.get('/api/v1/tokens'),
  'POST /api/v1/tokens': (a) => a.post('/api/v1/tokens').send({ username: 'boris', name: 'script' }),
  'DELETE /api/v1/tokens/:id': async (a, ctx) => {
    const victim = await ctx.accounts.createApiToken({ username: 'boris', name: 'to revoke' }, 'test');
    return a.delete(`/api/v1/tokens/${victim.id}`);
  },
  'GET /api/v1/audit': (a) => a.get('/api/v1/audit?action=user.created'),
  'GET /': (a) => a.get('/'),
  'GET /forms/:survey': (a) => a.get('/forms/population'),
  'GET /dashboard/:page': (a) => a.get('/dashboard/tallies'),
  'GET /assets/:file': (a) => a.get('/assets/app.css'),
};

const I = 'interviewer', C = 'coordinator', N = 'analyst', A = 'admin';
const EVERY_ROLE: Role[] = [I, C, N, A];
/**
 * Who is meant to get through each route, written by hand from the README's account of roles (interviewers collect
 * and screen, coordinators run fieldwork and review, analysts read aggregates, admins manage accounts), not read
 * from POLICY.
 */
const ALLOWED: Record<PolicyKey, Role[] | 'public'> = {
  'GET /': 'public',
  'GET /healthz': 'public',
  'GET /openapi.json': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': EVERY_ROLE,
  'GET /api/v1/me': EVERY_ROLE,
  'POST /api/v1/me/password': EVERY_ROLE,
  'GET /api/v1/surveys': EVERY_ROLE,
  'GET /api/v1/surveys/:survey/schema': EVERY_ROLE,
  'POST /api/v1/surveys/:survey/responses': [I, C, A],
  'GET /api/v1/surveys/:survey/responses': EVERY_ROLE,
  'GET /api/v1/surveys/:survey/responses/:id': EVERY_ROLE,
  'GET /api/v1/surveys/:survey/responses/:id/revisions': EVERY_ROLE,
  'PATCH /api/v1/surveys/:survey/responses/:id': [C, A],
  'GET /api/v1/surveys/:survey/review': [C, N, A],
  'GET /api/v1/surveys/:survey/review/:id': [C, N, A],
  'GET /api/v1/surveys/:survey/export': [C, N, A],
  'GET /api/v1/surveys/:survey/paradata': [C, N, A],
  'GET /api/v1/surveys/:survey/margins': [C, N, A],
  'PUT /api/v1/surveys/:survey/margins': [C, A],
  'GET /api/v1/surveys/:survey/tallies': [C, N, A],
  'GET /api/v1/surveys/:survey/quotas': EVERY_ROLE,
  'PUT /api/v1/surveys/:survey/quotas': [C, A],
  'GET /api/v1/surveys/:survey/quotas/versions': [C, N, A],
  'POST /api/v1/surveys/:survey/quotas/allocation': [C, A],
  'POST /api/v1/surveys/:survey/quotas/screen': [I, C, A],
  'DELETE /api/v1/surveys/:survey/quotas/reservations/:id': [I, C, A],
  'GET /api/v1/surveys/:survey/quotas/status': EVERY_ROLE,
  'GET /api/v1/surveys/:survey/quotas/progress': [C, N, A],
  'GET /api/v1/surveys/:survey/fieldwork': [C, N, A],
  'GET /api/v1/surveys/:survey/fieldwork/events': [C, N, A],
  'GET /api/v1/indicators': [C, N, A],
  'GET /api/v1/indicators/diamond.svg': [C, N, A],
  'GET /api/v1/indicators/secondary': [C, N, A],
  'PUT /api/v1/indicators/secondary': [C, A],
  'GET /api/v1/social-concerns': EVERY_ROLE,
  'PUT /api/v1/social-concerns': [C, A],
  'GET /api/v1/users': [A],
  'POST /api/v1/users': [A],
  'PATCH /api/v1/users/:id': [A],
  'POST /api/v1/users/:id/password': [A],
  'GET /api/v1/tokens': [A],
  'POST /api/v1/tokens': [A],
  'DELETE /api/v1/tokens/:id': [A],
  'GET /api/v1/audit': [A],
  'GET /forms/:survey': 'public',
  'GET /dashboard/:page': 'public',
  'GET /assets/:file': 'public',
};

function expected(key: PolicyKey, subject: Subject): 'ok' | 401 | 403 {
  const allowed = ALLOWED[key];
  if (allowed === 'public') return 'ok';
  if (subject === 'anonymous' || subject === 'expired' || subject === 'revoked' || subject === 'disabled') return 401;
  return allowed.includes(subject) ? 'ok' : 403;
}

async function secretToken(ctx: TestApp, user: User, patch: Partial<Token>): Promise<string> {
  const secret = `csi_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
  const now = new Date().toISOString();
  await ctx.t.store.insertToken({
    id: randomUUID(), tokenHash: createHash('sha256').update(secret).digest('hex'), userId: user.id, username: user.username, kind: 'api', name: 'matrix',
    createdAt: now, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), revokedAt: null, ...patch,
  });
  return secret;
}

describe('route x role matrix', () => {
  let ctx: TestApp;
  const bearer: Partial<Record<Subject, string>> = {};

  beforeAll(async () => {
    ctx = await makeTestApp('embedded');
    const s = gen.nextSubmission();
    await ctx.as('ainur').post('/api/v1/surveys/population/responses').send(s).expect(201);
    const boris = (await ctx.t.store.findUserByUsername('boris')) as User;
    seeded = { responseId: s.id, userId: boris.id };
    bearer.expired = await secretToken(ctx, boris, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    bearer.revoked = await secretToken(ctx, boris, { revokedAt: new Date().toISOString() });
    const gone = await ctx.accounts.createUser({ username: 'gone', password: 'a long enough password', role: 'admin' }, 'test');
    bearer.disabled = (await ctx.accounts.createApiToken({ username: 'gone', name: 'old' }, 'test')).token;
    await ctx.accounts.updateUser(gone.id, { disabled: true }, { username: 'test', userId: null, role: 'admin', regions: [] });
  });
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const cases = (Object.keys(POLICY) as PolicyKey[]).flatMap((key) => SUBJECTS.map((subject) => [key, subject] as const));

  it.each(cases)('%s as %s', async (key, subject) => {
    let agent = request.agent(ctx.app);
    if (subject in ACTOR_OF) {
      const role = subject as Role;
      // Logging out revokes the token used: give that call a session of its own.
      const token = key === 'POST /api/v1/auth/logout' ? (await ctx.accounts.createApiToken({ username: ACTOR_OF[role], name: 'session' }, 'test')).token : ctx.tokens[ACTOR_OF[role]];
      agent = agent.set('Authorization', `Bearer ${token}`);
    } else if (subject !== 'anonymous') {
      agent = agent.set('Authorization', `Bearer ${bearer[subject]}`);
    }
    const res = await REQUESTS[key](agent, ctx, subject);
    const want = expected(key, subject);
    if (want === 'ok') {
      expect(res.status, `${key} as ${subject}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${key} as ${subject}: ${res.text.slice(0, 200)}`).toBeLessThan(300);
    } else {
      expect(res.status, `${key} as ${subject}: ${res.text.slice(0, 200)}`).toBe(want);
      expect(res.body.code).toBe(want === 403 ? '403.1' : subject === 'anonymous' ? '401.2' : '401.1');
    }
  });

  it('refuses operator objects and $-keys in the query of every GET route before any store sees them', async () => {
    const urls = [
      '/api/v1/me', '/api/v1/surveys', '/api/v1/surveys/population/schema', '/api/v1/surveys/population/responses',
      `/api/v1/surveys/population/responses/${seeded.responseId}`, `/api/v1/surveys/population/responses/${seeded.responseId}/revisions`,
      '/api/v1/surveys/population/export', '/api/v1/users', '/api/v1/tokens', '/api/v1/audit',
      '/api/v1/surveys/population/margins', '/api/v1/surveys/population/tallies',
      QUOTAS, `${QUOTAS}/status`, `${QUOTAS}/progress`, '/api/v1/surveys/population/fieldwork', '/api/v1/surveys/population/fieldwork/events',
      '/api/v1/indicators', '/api/v1/indicators/diamond.svg', '/api/v1/indicators/secondary',
      '/api/v1/social-concerns',
    ];
    for (const url of urls) {
      for (const qs of ['region[$ne]=x', '$where=1', 'status[$gt]=', 'interviewer[$regex]=.*']) {
        const res = await ctx.as('admin').get(`${url}?${qs}`);
        expect(res.status, `${url}?${qs}`).toBe(400);
        expect(res.body.code, `${url}?${qs}`).toBe('400.3');
      }
    }
  });

  it('covers every route of the policy for every kind of caller', () => {
    expect(cases).toHaveLength(Object.keys(POLICY).length * SUBJECTS.length);
  });

  it('states the same roles as the policy, route by route (the requests above show each one is enforced)', () => {
    for (const key of Object.keys(POLICY) as PolicyKey[]) {
      const sorted = (allow: readonly Role[] | 'public') => (allow === 'public' ? allow : [...allow].sort());
      expect(sorted(POLICY[key].allow), key).toEqual(sorted(ALLOWED[key]));
    }
  });
});
