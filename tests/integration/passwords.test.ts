// Passwords chosen by someone else and by their user (issue 17): a user created or reset by an admin, or the first
// admin whose password the first start printed, must choose their own at the next sign-in; the change needs the
// current password (counted like a login towards the lockout), ends every earlier token and answers a fresh one;
// each step is audited with the records before and after. Run on both stores.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKOUT } from '../../server/domain/accounts.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { AccountsService } from '../../server/services/accounts.service.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { makeTestStore, STORE_KINDS } from '../support/stores.js';

describe.each(STORE_KINDS)('passwords (%s store)', (kind) => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await makeTestApp(kind);
  }, 60_000);
  afterAll(async () => {
    await ctx?.t.dispose();
  });

  const login = (username: string, password: string) => request(ctx.app).post('/api/v1/auth/login').send({ username, password });
  const change = (token: string, body: object) => request(ctx.app).post('/api/v1/me/password').set('Authorization', `Bearer ${token}`).send(body);

  it('has a user created without a password get a one-time one, shown once, and asked to replace it', async () => {
    const created = await ctx.as('admin').post('/api/v1/users').send({ username: 'erlan', role: 'interviewer', regions: ['akmola'] }).expect(201);
    expect(created.body).toMatchObject({ username: 'erlan', mustChangePassword: true });
    expect(created.body.password).toEqual(expect.any(String));
    const listed = await ctx.as('admin').get('/api/v1/users').expect(200);
    const erlan = listed.body.items.find((u: { username: string }) => u.username === 'erlan');
    expect(erlan).toMatchObject({ mustChangePassword: true });
    expect(erlan.password).toBeUndefined();
    const session = await login('erlan', created.body.password).expect(201);
    expect(session.body.mustChangePassword).toBe(true);
    expect((await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${session.body.token}`).expect(200)).body.mustChangePassword).toBe(true);
  });

  it('has a user the admin gave a password asked to replace it too; the cast, never asked, is not', async () => {
    await ctx.as('admin').post('/api/v1/users').send({ username: 'gulnar', password: 'chosen by the admin', role: 'analyst' }).expect(201);
    expect((await login('gulnar', 'chosen by the admin').expect(201)).body.mustChangePassword).toBe(true);
    expect((await ctx.as('analyst').get('/api/v1/me').expect(200)).body.mustChangePassword).toBe(false);
  });

  it('refuses a wrong current password at its field, a new one too short or unchanged at its field', async () => {
    const created = await ctx.as('admin').post('/api/v1/users').send({ username: 'farida', role: 'interviewer' }).expect(201);
    const { token } = (await login('farida', created.body.password).expect(201)).body;
    const wrong = await change(token, { currentPassword: 'not it at all', newPassword: 'a brand new password' }).expect(400);
    expect(wrong.body.code).toBe('400.2');
    expect(wrong.body.details.errors).toEqual([expect.objectContaining({ path: '/currentPassword', keyword: 'currentPassword' })]);
    const short = await change(token, { currentPassword: created.body.password, newPassword: 'short' }).expect(400);
    expect(short.body.details.errors).toEqual([expect.objectContaining({ path: '/newPassword', keyword: 'minLength' })]);
    const same = await change(token, { currentPassword: created.body.password, newPassword: created.body.password }).expect(400);
    expect(same.body.details.errors).toEqual([expect.objectContaining({ path: '/newPassword', keyword: 'not' })]);
    const extra = await change(token, { currentPassword: created.body.password, newPassword: 'a brand new password', role: 'admin' }).expect(400);
    expect(extra.body.details.errors).toEqual([expect.objectContaining({ path: '/role', keyword: 'additionalProperties' })]);
  });

  it('changes one\'s own password: the flag clears, earlier tokens end, a fresh session is answered, and it is audited', async () => {
    const created = await ctx.as('admin').post('/api/v1/users').send({ username: 'hasan', role: 'coordinator' }).expect(201);
    const first = (await login('hasan', created.body.password).expect(201)).body.token as string;
    const other = (await login('hasan', created.body.password).expect(201)).body.token as string;
    const changed = await change(first, { currentPassword: created.body.password, newPassword: 'hasan picked this one' }).expect(200);
    expect(changed.body).toMatchObject({ username: 'hasan', kind: 'session', mustChangePassword: false });
    for (const old of [first, other]) await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${old}`).expect(401);
    const me = await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${changed.body.token}`).expect(200);
    expect(me.body.mustChangePassword).toBe(false);
    await login('hasan', created.body.password).expect(401);
    expect((await login('hasan', 'hasan picked this one').expect(201)).body.mustChangePassword).toBe(false);

    const trail = await ctx.as('admin').get(`/api/v1/audit?target=user:${created.body.id}&action=user.password_changed`).expect(200);
    expect(trail.body.items).toHaveLength(1);
    expect(trail.body.items[0]).toMatchObject({
      actor: 'hasan', before: { mustChangePassword: true }, after: { mustChangePassword: false }, details: { passwordChanged: true, tokensRevoked: 2 },
    });
    expect(JSON.stringify(trail.body.items[0])).not.toContain('passwordHash');
  });

  it('counts wrong current passwords towards the lockout of the account and address', async () => {
    const created = await ctx.as('admin').post('/api/v1/users').send({ username: 'ilyas', role: 'interviewer' }).expect(201);
    const { token } = (await login('ilyas', created.body.password).expect(201)).body;
    for (let i = 0; i < LOCKOUT.failures; i += 1) await change(token, { currentPassword: `wrong guess ${i}`, newPassword: 'a brand new password' }).expect(400);
    const locked = await change(token, { currentPassword: created.body.password, newPassword: 'a brand new password' }).expect(429);
    expect(locked.body.code).toBe('429.2');
    const failures = await ctx.as('admin').get(`/api/v1/audit?target=user:${created.body.id}&action=user.password_change_failed`).expect(200);
    expect(failures.body.items).toHaveLength(LOCKOUT.failures + 1);
  });

  it('resets a password: a one-time password answered once, every token of the user ends, the user must replace it', async () => {
    const boris = (await ctx.t.store.findUserByUsername('boris'))!;
    const reset = await ctx.as('admin').post(`/api/v1/users/${boris.id}/password`).expect(200);
    expect(reset.body).toMatchObject({ username: 'boris', mustChangePassword: true });
    await ctx.as('boris').get('/api/v1/me').expect(401);
    expect((await login('boris', reset.body.password).expect(201)).body.mustChangePassword).toBe(true);
    const trail = await ctx.as('admin').get(`/api/v1/audit?target=user:${boris.id}&action=user.password_reset`).expect(200);
    expect(trail.body.items[0]).toMatchObject({ actor: 'admin', before: { mustChangePassword: false }, after: { mustChangePassword: true }, details: { tokensRevoked: 1 } });
    expect(JSON.stringify(trail.body.items[0])).not.toContain(reset.body.password);
    await ctx.as('admin').post('/api/v1/users/00000000-0000-4000-8000-000000000000/password').expect(404);
  });

  it('lists the trail newest first on request, and pages on in that order', async () => {
    const all = (await ctx.as('admin').get('/api/v1/audit?limit=500').expect(200)).body.items as Array<{ id: string }>;
    const first = await ctx.as('admin').get('/api/v1/audit?order=desc&limit=3').expect(200);
    const second = await ctx.as('admin').get(`/api/v1/audit?order=desc&limit=3&cursor=${first.body.next}`).expect(200);
    expect([...first.body.items, ...second.body.items].map((e: { id: string }) => e.id)).toEqual(all.slice(-6).reverse().map((e) => e.id));
    const bad = await ctx.as('admin').get('/api/v1/audit?order=sideways').expect(400);
    expect(bad.body.details.errors[0]).toMatchObject({ path: '/order', keyword: 'enum' });
  });

  it.each([[undefined, true], ['configured by the operator', false]] as const)('has the first admin (password %s) replace it at the first sign-in: %s', async (password, expected) => {
    const t = await makeTestStore(kind);
    try {
      const clock = () => new Date();
      const accounts = new AccountsService(t.store, compileAllValidators(), clock, auditTrail(t.store, clock));
      expect((await accounts.bootstrapAdmin(password)).created).toBe(true);
      expect((await t.store.findUserByUsername('admin'))?.mustChangePassword).toBe(expected);
    } finally {
      await t.dispose();
    }
  });
});
