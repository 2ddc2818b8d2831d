// Issue 14, point 6, through the API on every store: text arrives in NFC and what is stored equals what was
// acknowledged; NUL, control characters, bidi overrides and lone surrogates are refused in answers, comments and
// passwords; API answers carry Cache-Control: no-store; collapse codes are checked against the variable's codes (a
// dotted one used to be a 500 on FerretDB); exported cells starting with whitespace before a formula character, or
// with `|`, are escaped; progress reports a cell's commitment and the responses accepted over quota.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const EXTERNAL = '/api/v1/surveys/external/responses';
const POPULATION = '/api/v1/surveys/population';

const META = { formVersion: '1.0.0', language: 'ru', startedAt: '2009-08-01T10:00:00Z', completedAt: '2009-08-01T10:40:00Z' };
function expert(issue: string): Submission {
  return {
    id: randomUUID(),
    answers: {
      es_sector: 'media', es_region: 'almaty_city', es_impact_concern_1: 'limited', es_impact_concern_2: 'some_tangible',
      es_cs_field_1: 'education', es_cs_impact_field_1: 'high', es_cs_field_2: 'health', es_cs_impact_field_2: 'dk',
      es_cs_general_social_impact: 'limited', es_cs_general_policy_impact: 'no_impact', es_policy_issue_1: issue, es_policy_outcome_1: 'pending',
    },
    meta: META,
  } as Submission;
}

function raw(res: request.Response, done: (err: Error | null, body: string) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  let body = '';
  stream.on('data', (c: Buffer) => {
    body += c.toString();
  });
  stream.on('end', () => done(null, body));
}

describe.each(STORE_KINDS)('%s store: hardening', (kind) => {
  let ctx: TestApp;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('stores text in NFC, acknowledges exactly what it stored, and recognises the decomposed retry', async () => {
    const decomposed = 'Закон о НКО: Ана\u0301 и Ж\u0306'; // combining acute and breve
    const composed = decomposed.normalize('NFC');
    expect(composed).not.toBe(decomposed);
    const s = expert(decomposed);
    const created = await ctx.as('ainur').post(EXTERNAL).send(s).expect(201);
    expect(created.body.answers.es_policy_issue_1).toBe(composed);
    const stored = await ctx.t.store.findResponseById(s.id);
    expect(stored?.answers.es_policy_issue_1).toBe(composed);
    expect((await ctx.as('ainur').get(`${EXTERNAL}/${s.id}`).expect(200)).body).toEqual(created.body);
    const retried = await ctx.as('ainur').post(EXTERNAL).send(s).expect(200);
    expect(retried.body.submissionHash).toBe(created.body.submissionHash);
    // The composed form is the same answer.
    await ctx.as('ainur').post(EXTERNAL).send({ ...s, answers: { ...s.answers, es_policy_issue_1: composed } }).expect(200);
  });

  it.each([
    ['a NUL byte', 'Law\u0000on NGOs'],
    ['a right-to-left override', 'Law \u202eon NGOs'],
    ['a lone surrogate', 'Law \ud800on NGOs'],
    ['an escape character', 'Law \u001b[31mon NGOs'],
  ])('refuses %s in a text answer, a review comment and a password, storing nothing', async (_name, bad) => {
    const s = expert(bad);
    const refused = await ctx.as('ainur').post(EXTERNAL).send(s).expect(400);
    expect(refused.body).toMatchObject({ code: '400.2', details: { errors: [{ path: '/answers/es_policy_issue_1', item: 'es_policy_issue_1', keyword: 'format' }] } });
    expect(refused.body.details.errors[0].message).toMatch(/управляющие символы/);
    expect(await ctx.t.store.findResponseById(s.id)).toBeNull();

    const ok = expert('Law on NGOs');
    await ctx.as('ainur').post(EXTERNAL).send(ok).expect(201);
    const review = await ctx.as('coord').patch(`${EXTERNAL}/${ok.id}`).send({ status: 'approved', comment: `checked ${bad}` }).expect(400);
    expect(review.body).toMatchObject({ code: '400.2', details: { errors: [{ path: '/comment', keyword: 'format' }] } });
    expect(await ctx.t.store.findResponseById(ok.id)).toMatchObject({ status: 'submitted', revision: 1 });
    await ctx.as('coord').patch(`${EXTERNAL}/${ok.id}`).send({ status: 'approved', comment: 'checked\n\tby phone' }).expect(200);

    const user = await ctx.as('admin').post('/api/v1/users').send({ username: 'dana', password: `long enough ${bad}`, role: 'interviewer' }).expect(400);
    expect(user.body).toMatchObject({ code: '400.2', details: { errors: [{ path: '/password', keyword: 'format' }] } });
    expect(await ctx.t.store.findUserByUsername('dana')).toBeNull();
  });

  it('sends Cache-Control: no-store on API answers, errors and exports included', async () => {
    const s = expert('Law on NGOs');
    await ctx.as('ainur').post(EXTERNAL).send(s).expect(201);
    const answers = [
      await ctx.as('ainur').get(`${EXTERNAL}/${s.id}`).expect(200),
      await ctx.as('ainur').get('/api/v1/me').expect(200),
      await ctx.as('coord').get('/api/v1/surveys/external/export').buffer(true).parse(raw).expect(200),
      await ctx.as('ainur').get(`${EXTERNAL}/${randomUUID()}`).expect(404),
      await request(ctx.app).get('/api/v1/audit').set('Authorization', 'Bearer not-a-real-token-at-all').expect(401),
    ];
    for (const res of answers) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('checks collapse codes against the variable\'s codes, naming the code, and stores no such plan', async () => {
    const plan = (collapse: Record<string, string>) => ({
      quotas: [{ id: 'eth', variables: ['ps_ethnicity'], collapse: { ps_ethnicity: collapse }, cells: [{ categories: { ps_ethnicity: 'kazakh' }, target: 5 }, { categories: { ps_ethnicity: 'other' }, target: 5 }] }],
    });
    for (const code of ['uz.bek', 'martian']) {
      const res = await ctx.as('admin').put(`${POPULATION}/quotas`).send(plan({ [code]: 'other' })).expect(400);
      expect(res.body).toMatchObject({ code: '400.6', details: { errors: [{ path: `/quotas/0/collapse/ps_ethnicity/${code}`, item: 'ps_ethnicity', keyword: 'collapseUnknownCode', message: `${code} is not a code of ps_ethnicity` }] } });
      expect((await ctx.as('admin').get(`${POPULATION}/quotas`).expect(404)).body.code).toBe('404.7');
    }
    await ctx.as('admin').put(`${POPULATION}/quotas`).send(plan({ uzbek: 'other', tatar: 'other' })).expect(200);
  });

  it('escapes exported cells that start with whitespace before a formula character, or with |', async () => {
    const cells = [' =HYPERLINK("http://x")', '|cmd /c calc', '\u00a0+1', 'plain = text'];
    for (const c of cells) await ctx.as('ainur').post(EXTERNAL).send(expert(c)).expect(201);
    const csv = (await ctx.as('coord').get('/api/v1/surveys/external/export').buffer(true).parse(raw).expect(200)).body as string;
    expect(csv).toContain('"\' =HYPERLINK(""http://x"")"');
    expect(csv).toContain(',\'|cmd /c calc,');
    expect(csv).toContain(',\'\u00a0+1,');
    expect(csv).toContain(',plain = text,');
  });

  it('reports over on a cell\'s commitment, and the responses accepted over quota', async () => {
    const gen = new SyntheticGenerator('population', { seed: 6 });
    const female = (): Submission => {
      const s = gen.nextSubmission();
      return { ...s, answers: { ...s.answers, ps_gender: 'female' } };
    };
    const plan = { quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 50 }, { categories: { ps_gender: 'female' }, target: 3 }] }] };
    await ctx.as('coord').put(`${POPULATION}/quotas`).send(plan).expect(200);
    await ctx.as('ainur').post(`${POPULATION}/responses`).send(female()).expect(201);
    await ctx.as('ainur').post(`${POPULATION}/quotas/screen`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } }).expect(200);
    await ctx.as('boris').post(`${POPULATION}/quotas/screen`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } }).expect(200);
    // The cell is full (1 achieved + 2 reserved): an interview done offline is accepted over quota.
    const offline = await ctx.as('boris').post(`${POPULATION}/responses`).send(female()).expect(201);
    expect(offline.body.overQuota).toEqual(['gender']);
    const cells = (await ctx.as('coord').get(`${POPULATION}/quotas/progress`).expect(200)).body.cells as Array<Record<string, unknown>>;
    expect(cells.find((c) => c.cell === 'gender:ps_gender=female')).toMatchObject({ target: 3, achieved: 2, reserved: 2, committed: 4, remaining: 0, over: 1, acceptedOver: 1, full: true });
  });
});
