// Regression tests for defects a review found: each named for what broke.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { systemActor } from '../../server/domain/actor.js';
import { answersFromCsv } from '../../server/domain/import-rows.js';
import { auditTrail } from '../../server/services/audit.service.js';
import { importFile } from '../../server/services/import.service.js';
import { ResponsesService } from '../../server/services/responses.service.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const RESPONSES = '/api/v1/surveys/population/responses';

describe.each(STORE_KINDS)('review fixes on the %s store', (kind) => {
  let ctx: TestApp;
  const gen = new SyntheticGenerator('population', { seed: 404 });
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('analysts cannot learn the interviewer by filtering, by the submission hash, or from corrections', async () => {
    const s = gen.nextSubmission();
    s.answers.ps_interviewer_id = 'int-07';
    await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    expect((await ctx.as('analyst').get(RESPONSES).query({ interviewer: 'ainur' }).expect(200)).body.items).toEqual([]);
    const one = (await ctx.as('analyst').get(`${RESPONSES}/${s.id}`).expect(200)).body;
    expect(one.submissionHash).toBeUndefined();
    await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ corrections: { ps_interviewer_id: 'int-08' } }).expect(200);
    const revisions = JSON.stringify((await ctx.as('analyst').get(`${RESPONSES}/${s.id}/revisions`).expect(200)).body);
    expect(revisions).not.toMatch(/int-0[78]/);
    expect(JSON.stringify((await ctx.as('coord').get(`${RESPONSES}/${s.id}/revisions`).expect(200)).body)).toMatch(/int-08/);
  });

  it('a region-scoped coordinator\'s retry of their own submission is recognised, not a conflict', async () => {
    const s = gen.nextSubmission();
    s.answers.ps_region = 'aktobe';
    await ctx.as('coord_akm').post(RESPONSES).send(s).expect(201);
    expect((await ctx.as('coord_akm').post(RESPONSES).send(s).expect(200)).body.id).toBe(s.id);
    // Outside their regions they could not submit it in the first place (issue 14): see scope-writes.test.ts.
  });

  it('a new password ends the user\'s existing tokens', async () => {
    const boris = await ctx.t.store.findUserByUsername('boris');
    await ctx.as('boris').get('/api/v1/me').expect(200);
    await ctx.as('admin').patch(`/api/v1/users/${boris!.id}`).send({ password: 'a brand new password' }).expect(200);
    await ctx.as('boris').get('/api/v1/me').expect(401);
    await request(ctx.app).post('/api/v1/auth/login').send({ username: 'boris', password: 'a brand new password' }).expect(201);
  });

  it('a store failure in the middle of an NDJSON export fails that request, not the process', async () => {
    await ctx.as('ainur').post(RESPONSES).send(gen.nextSubmission()).expect(201);
    const analyst = ctx.as('analyst');
    // The token is checked (and cached) before the store goes away, so the failure lands in the export stream.
    await analyst.get('/api/v1/me').expect(200);
    await ctx.t.store.close();
    const res = await analyst.get('/api/v1/surveys/population/export?format=ndjson').ok(() => true).catch((e: Error) => e);
    if (!(res instanceof Error)) expect(res.status).toBeGreaterThanOrEqual(500);
    expect((await request(ctx.app).get('/healthz')).status).toBe(503);
  });

  it('a time zone offset out of range is a 400, not a 500', async () => {
    expect((await ctx.as('admin').get(`${RESPONSES}?since=${encodeURIComponent('2020-01-01T00:00:00+99:99')}`).expect(400)).body.code).toBe('400.3');
  });
});

describe('lockout under parallel guessing (embedded store)', () => {
  // FerretDB 1.24 may lose concurrent counter increments (FerretDB#3040), so this bound is checked where updates are atomic.
  it('evaluates at most five passwords however many guesses arrive at once', async () => {
    const ctx = await makeTestApp('embedded');
    try {
      const guesses = Array.from({ length: 20 }, (_, i) => request(ctx.app).post('/api/v1/auth/login').send({ username: 'boris', password: i === 19 ? TEST_PASSWORD : `wrong ${i}` }));
      const statuses = (await Promise.all(guesses)).map((r) => r.status);
      expect(statuses.filter((s) => s === 401 || s === 201).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    } finally {
      await ctx.t.dispose();
    }
  });
});

describe('import', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csi-import-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('ignores the columns an export adds (meta, derived, weight) when reading answers back', () => {
    expect(answersFromCsv('population', { id: 'x', weight: '1.25', ps_age_band: '26_35', meta_language: 'ru', ps_gender: 'female' })).toEqual({ ps_gender: 'female' });
  });

  it('gets free text back exactly as exported, formula escaping undone', () => {
    expect(answersFromCsv('external', { es_policy_issue_1: "'- land reform", es_policy_issue_2: '  spaced  ', es_sector: ' media ' }))
      .toEqual({ es_policy_issue_1: '- land reform', es_policy_issue_2: '  spaced  ', es_sector: 'media' });
  });

  it('reports a row of the wrong length and goes on; keeps identical rows without a key as separate respondents', async () => {
    const ctx = await makeTestApp('embedded');
    try {
      const clock = () => new Date();
      const service = new ResponsesService(ctx.t.store, compileAllValidators(), clock, auditTrail(ctx.t.store, clock));
      const row = 'media,almaty_city,limited,high,education,high,health,limited,limited,no_impact';
      const header = 'es_sector,es_region,es_impact_concern_1,es_impact_concern_2,es_cs_field_1,es_cs_impact_field_1,es_cs_field_2,es_cs_impact_field_2,es_cs_general_social_impact,es_cs_general_policy_impact';
      const file = join(dir, 'experts.csv');
      writeFileSync(file, `${header}\n${row}\n${row},extra\n${row}\n`);
      const report = await importFile(service, 'external', file, systemActor('import'));
      expect(report).toMatchObject({ rows: 3, imported: 2, alreadyPresent: 0 });
      expect(report.failed).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/number of cells/) })]);
      const again = await importFile(service, 'external', file, systemActor('import'));
      expect(again).toMatchObject({ imported: 0, alreadyPresent: 2 });
      expect(readFileSync(file, 'utf8')).toContain('extra');
    } finally {
      await ctx.t.dispose();
    }
  });
});
