// The login lockout under attack, on both stores (issue 14): 40 simultaneous wrong passwords lock the account at
// exactly five, because each attempt takes a numbered slot under a unique key before any password is checked
// (FerretDB's updates are not atomic, so a counter could not hold); the lock binds an account and an address, so a
// stranger elsewhere cannot keep `admin` out; an unknown name is answered exactly like a real one, locked included.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const GUESSES = 40;
/** Every answer costs one scrypt comparison (0.3 s and more on a loaded 2-core machine): bounded by count, timed generously. */
const SLOW = 180_000;

describe.each(STORE_KINDS)('login lockout on the %s store', (kind) => {
  let ctx: TestApp;
  beforeEach(async () => {
    // The per-address login rate limit (30 a minute) would answer 429.1 first: the lockout is what is under test.
    ctx = await makeTestApp(kind, { limits: { writesPerMinute: 100_000, loginsPerMinute: 100_000 } });
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  const login = (username: string, password: string) => request(ctx.app).post('/api/v1/auth/login').send({ username, password });
  const trail = async (action: string) => ((await ctx.as('admin').get('/api/v1/audit').query({ action, limit: '500' }).expect(200)).body.items as Array<{
    target: string; details?: { reason?: string };
  }>);

  it(`checks exactly five of ${GUESSES} simultaneous wrong passwords, then refuses even the right one`, async () => {
    const answers = await Promise.all(Array.from({ length: GUESSES }, (_, i) => login('admin', `wrong guess ${i}`)));
    const codes = answers.map((a) => `${a.status} ${a.body.code as string}`);
    expect(codes.filter((c) => c === '401 401.3')).toHaveLength(5);
    expect(codes.filter((c) => c === '429 429.2')).toHaveLength(GUESSES - 5);
    expect((await login('admin', TEST_PASSWORD).expect(429)).body.code).toBe('429.2');
    const admin = await ctx.t.store.findUserByUsername('admin');
    const failed = (await trail('auth.login_failed')).filter((e) => e.target === `user:${admin!.id}`);
    expect(failed.filter((e) => e.details?.reason === 'wrong password')).toHaveLength(5);
    expect(failed.filter((e) => e.details?.reason === 'locked')).toHaveLength(GUESSES - 5 + 1);
    expect(await trail('auth.locked')).toHaveLength(1);
  }, SLOW);

  it('locks the account only for the address the guesses came from', async () => {
    for (let i = 0; i < 5; i += 1) await login('admin', 'wrong').expect(401);
    await login('admin', TEST_PASSWORD).expect(429);
    // The same account from another address (the service is told the address the route reads from the socket).
    const issued = await ctx.accounts.login({ username: 'admin', password: TEST_PASSWORD }, '203.0.113.7');
    expect(issued.token).toMatch(/^csi_/);
    // A new password, set by an admin, forgives every address.
    const admin = await ctx.t.store.findUserByUsername('admin');
    await ctx.as('admin').patch(`/api/v1/users/${admin!.id}`).send({ password: 'another long password' }).expect(200);
    await login('admin', 'another long password').expect(201);
  }, SLOW);

  it('answers an unknown name exactly as a real one, before and after five failures', async () => {
    const strip = (body: { details: Record<string, unknown> }) => ({ ...body, details: { ...body.details, until: typeof body.details.until } });
    for (let i = 0; i < 5; i += 1) {
      const [real, unknown] = await Promise.all([login('boris', 'wrong'), login('nobody', 'wrong')]);
      expect([real.status, unknown.status]).toEqual([401, 401]);
      expect(unknown.body).toEqual(real.body);
    }
    const [real, unknown] = await Promise.all([login('boris', 'wrong'), login('nobody', 'wrong')]);
    expect([real.status, unknown.status]).toEqual([429, 429]);
    expect(strip(unknown.body)).toEqual(strip(real.body));
    expect(unknown.body.code).toBe('429.2');
  }, SLOW);

  it('does not bring back the tokens of a user disabled and enabled again', async () => {
    const session = (await login('boris', TEST_PASSWORD).expect(201)).body.token as string;
    await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${session}`).expect(200);
    const boris = await ctx.t.store.findUserByUsername('boris');
    await ctx.as('admin').patch(`/api/v1/users/${boris!.id}`).send({ disabled: true }).expect(200);
    await ctx.as('admin').patch(`/api/v1/users/${boris!.id}`).send({ disabled: false }).expect(200);
    for (const token of [session, ctx.tokens.boris as string]) {
      expect((await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401)).body.code).toBe('401.1');
    }
    // Enabled again, the user logs in afresh.
    await login('boris', TEST_PASSWORD).expect(201);
  });
});
