// Regression: a user's region scope once took any lower-case word (`atlantis`), scoping a coordinator to a region no
// response can have. The admin API now refuses a region that is not a ps_region code, on both stores, naming the
// offending entry and listing the codes; a refused write changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { questionnaires } from '../../schemas/surveys.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

// Read off the questionnaire file here rather than through the server's accessor, so the test does not share the
// code it checks.
const REGIONS = (questionnaires.population.$defs.region as { enum: string[] }).enum;

describe.each(STORE_KINDS)('user regions on the %s store', (kind) => {
  let ctx: TestApp;
  const users = async () => (await ctx.as('admin').get('/api/v1/users').expect(200)).body.items as Array<{ id: string; username: string; regions: string[] }>;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('refuses a new user scoped to an unknown region, naming regions/0 and the allowed codes', async () => {
    const res = await ctx.as('admin').post('/api/v1/users')
      .send({ username: 'dana', password: 'a long enough password', role: 'coordinator', regions: ['atlantis'] }).expect(400);
    expect(res.body.code).toBe('400.2');
    expect(res.body.details.errors).toEqual([expect.objectContaining({ path: '/regions/0', keyword: 'enum', allowedValues: REGIONS })]);
    expect(REGIONS).toContain('akmola');
    expect((await users()).map((u) => u.username)).not.toContain('dana');
    await ctx.as('admin').post('/api/v1/users')
      .send({ username: 'dana', password: 'a long enough password', role: 'coordinator', regions: ['akmola', 'astana_city'] }).expect(201);
  });

  it('refuses a patch to an unknown region at its index and keeps the scope it had', async () => {
    const coord = (await users()).find((u) => u.username === 'coord_akm');
    const res = await ctx.as('admin').patch(`/api/v1/users/${coord!.id}`).send({ regions: ['pavlodar', 'Atlantis'] }).expect(400);
    expect(res.body.code).toBe('400.2');
    // `Atlantis` also breaks the schema's pattern: one error for the entry, the one that lists the regions.
    expect(res.body.details.errors).toEqual([expect.objectContaining({ path: '/regions/1', keyword: 'enum', allowedValues: REGIONS })]);
    expect((await users()).find((u) => u.username === 'coord_akm')?.regions).toEqual(['akmola', 'aktobe']);
  });

  it('lists the roles with an unknown role', async () => {
    const res = await ctx.as('admin').post('/api/v1/users').send({ username: 'dana', password: 'a long enough password', role: 'boss' }).expect(400);
    expect(res.body.details.errors).toEqual([expect.objectContaining({ path: '/role', keyword: 'enum', allowedValues: ['interviewer', 'coordinator', 'analyst', 'admin'] })]);
  });
});
