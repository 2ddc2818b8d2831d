// The first admin, on an empty store: from CSI_ADMIN_PASSWORD, or a generated password shown once; never twice.
import { pino } from 'pino';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

describe.each(STORE_KINDS)('admin bootstrap on the %s store', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makeTestStore(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('creates the admin from the configured password once, and can log in with it', async () => {
    const { app, accounts } = buildApp({ store: t.store, logger: pino({ level: 'silent' }) });
    expect(await accounts.bootstrapAdmin('configured-password')).toEqual({ created: true, username: 'admin' });
    expect((await accounts.bootstrapAdmin('another-password')).created).toBe(false);
    await request(app).post('/api/v1/auth/login').send({ username: 'admin', password: 'configured-password' }).expect(201);
    expect(await t.store.countUsers()).toBe(1);
  });

  it('generates a password when none is configured, and returns it to be shown once', async () => {
    const { app, accounts } = buildApp({ store: t.store, logger: pino({ level: 'silent' }) });
    const result = await accounts.bootstrapAdmin(undefined);
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await request(app).post('/api/v1/auth/login').send({ username: 'admin', password: result.generatedPassword }).expect(201);
    const users = await t.store.listUsers();
    expect(JSON.stringify(users)).not.toContain(result.generatedPassword as string);
  });
});
