// The ingestion API end to end on each real store: every status code the API promises, idempotent retries
// (including two identical submissions at once), conflicts, listing, review with revisions.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const POST = '/api/v1/surveys/population/responses';

describe.each(STORE_KINDS)('responses API on the %s store', (kind) => {
  let ctx: TestApp;
  let gen: SyntheticGenerator;
  beforeEach(async () => {
    ctx = await makeTestApp(kind, { bodyLimit: '64kb' });
    gen = new SyntheticGenerator('population', { seed: 99 });
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });
  const post = (body: unknown, path = POST) => ctx.as('ainur').post(path).send(body as object);
  const count = () => ctx.t.store.countResponses({ survey: 'population' });

  describe('POST', () => {
    it('201 for a new id, with the stored resource and its location', async () => {
      const s = gen.nextSubmission('form');
      const res = await post(s).expect(201);
      expect(res.body).toMatchObject({ id: s.id, survey: 'population', status: 'submitted', answers: s.answers, interviewer: 'ainur', revision: 1 });
      expect(res.body.derived.ps_age_band).toBeDefined();
      expect(res.headers.location).toBe(`/api/v1/surveys/population/responses/${s.id}`);
      expect(await count()).toBe(1);
    });

    it('200 with the original receipt for a retry, whatever the key order', async () => {
      const s = gen.nextSubmission();
      const first = await post(s).expect(201);
      const reordered = { meta: s.meta, answers: Object.fromEntries(Object.entries(s.answers).reverse()), id: s.id };
      const retry = await post(reordered).expect(200);
      expect(retry.body).toEqual(first.body);
      expect(await count()).toBe(1);
    });

    it('stores exactly one of two identical submissions sent at once, answering both 2xx with one receipt', async () => {
      for (let round = 0; round < 5; round += 1) {
        const s = gen.nextSubmission();
        const [a, b] = await Promise.all([post(s), post(s)]);
        expect([a.status, b.status].sort()).toEqual([200, 201]);
        expect(a.body).toEqual(b.body);
      }
      expect(await count()).toBe(5);
    });

    it('409.1 for the same id with different answers', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      const res = await post({ ...s, answers: { ...s.answers, ps_age_years: (s.answers.ps_age_years as number) === 40 ? 41 : 40 } }).expect(409);
      expect(res.body).toMatchObject({ code: '409.1', details: { id: s.id } });
      expect(await count()).toBe(1);
    });

    it('409.2 when resubmitting a rejected response, identical or not: never resurrected', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      await ctx.as('coord').patch(`${POST}/${s.id}`).send({ status: 'rejected', comment: 'fabricated' }).expect(200);
      expect((await post(s).expect(409)).body.code).toBe('409.2');
      expect((await post({ ...s, meta: { ...s.meta, device: 'other' } }).expect(409)).body.code).toBe('409.2');
      expect((await ctx.as('ainur').get(`${POST}/${s.id}`).expect(200)).body.status).toBe('rejected');
    });

    it('400.2 listing every answer error as {path, item, keyword, message}, in the interview language', async () => {
      const s = gen.nextSubmission();
      const answers = { ...s.answers, ps_age_years: 15, ps_gender: 'x', ps_favourite: 1 } as Record<string, unknown>;
      delete answers.ps_region;
      const res = await post({ ...s, answers, meta: { ...s.meta, language: 'kk' } }).expect(400);
      expect(res.body.code).toBe('400.2');
      const errors = res.body.details.errors as Array<Record<string, unknown>>;
      expect(errors.map((e) => [e.path, e.item, e.keyword]).sort()).toEqual([
        ['/answers/ps_age_years', 'ps_age_years', 'minimum'],
        ['/answers/ps_favourite', 'ps_favourite', 'additionalProperties'],
        ['/answers/ps_gender', 'ps_gender', 'enum'],
        ['/answers/ps_region', 'ps_region', 'required'],
      ]);
      expect(errors.find((e) => e.item === 'ps_region')?.message).toBe('Бұл сұраққа жауап беру міндетті.');
      expect(await count()).toBe(0);
    });

    it('400.2 for unknown envelope fields and a bad id: rejected, not stripped', async () => {
      const s = gen.nextSubmission();
      const res = await post({ ...s, id: 'not-a-uuid', extra: true, meta: { ...s.meta, hacked: 1 } }).expect(400);
      const paths = (res.body.details.errors as Array<{ path: string }>).map((e) => e.path).sort();
      expect(paths).toEqual(['/extra', '/id', '/meta/hacked']);
      expect(await count()).toBe(0);
    });

    it('400.1 for malformed JSON, 415 for another content type, 413 over the limit, 404 for an unknown survey', async () => {
      expect((await ctx.as('ainur').post(POST).set('content-type', 'application/json').send('{"id": ').expect(400)).body.code).toBe('400.1');
      expect((await ctx.as('ainur').post(POST).set('content-type', 'text/plain').send('hello').expect(415)).body.code).toBe('415.1');
      const utf16 = Buffer.from(JSON.stringify(gen.nextSubmission()), 'utf16le');
      const asUtf16 = ctx.as('ainur').post(POST).set('content-type', 'application/json; charset=utf-16le').serialize((b: unknown) => b as string).send(utf16 as never);
      expect((await asUtf16.expect(415)).body.code).toBe('415.1');
      const huge = { ...gen.nextSubmission(), answers: { ps_ethnicity_other: 'x'.repeat(70 * 1024) } };
      expect((await post(huge).expect(413)).body.code).toBe('413.1');
      expect((await post(gen.nextSubmission(), '/api/v1/surveys/census/responses').expect(404)).body.code).toBe('404.1');
      const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
      const raw = ctx.as('ainur').post(POST).set('content-type', 'application/json').serialize((b: unknown) => b as string).send(invalidUtf8 as never);
      expect((await raw.expect(400)).body.code).toBe('400.4');
      expect(await count()).toBe(0);
    });

    it('a submission for another survey\'s URL is validated against that survey', async () => {
      const s = gen.nextSubmission();
      // In a version that survey has (1.0.0), its answers are checked against it; in one it lacks, the version is refused.
      const res = await post({ ...s, meta: { ...s.meta, formVersion: '1.0.0' } }, '/api/v1/surveys/external/responses').expect(400);
      expect((res.body.details.errors as Array<{ keyword: string }>).some((e) => e.keyword === 'additionalProperties')).toBe(true);
      expect((await post(s, '/api/v1/surveys/external/responses').expect(400)).body.code).toBe(s.meta.formVersion === '1.0.0' ? '400.2' : '400.8');
    });
  });

  describe('GET', () => {
    it('one response, or 404.2', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      expect((await ctx.as('admin').get(`${POST}/${s.id.toUpperCase()}`).expect(200)).body.id).toBe(s.id);
      expect((await ctx.as('admin').get(`${POST}/00000000-0000-4000-8000-000000000000`).expect(404)).body.code).toBe('404.2');
      expect((await ctx.as('admin').get(`/api/v1/surveys/external/responses/${s.id}`).expect(404)).body.code).toBe('404.2');
    });

    it('lists with filters and cursor pagination', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const s = gen.nextSubmission();
        ids.push(s.id);
        await ctx.as(i % 2 ? 'boris' : 'ainur').post(POST).send(s).expect(201);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await ctx.as('admin').get(POST).query({ limit: '3', ...(cursor ? { cursor } : {}) }).expect(200);
        seen.push(...res.body.items.map((r: { id: string }) => r.id));
        cursor = res.body.next;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids].sort());
      const boris = await ctx.as('admin').get(POST).query({ interviewer: 'boris' }).expect(200);
      expect(boris.body.items).toHaveLength(3);
      expect(boris.body.items[0].revisions).toBeUndefined();
    });

    it('400.3 for operator objects, $-keys, repeated or unknown parameters and foreign cursors', async () => {
      for (const qs of ['ps_region[$ne]=x', 'region[$ne]=x', '$where=1', 'status=approved&status=rejected', 'limit=0', 'limit=1000', 'cursor=bm90LWEtY3Vyc29y', 'since=yesterday']) {
        const res = await ctx.as('admin').get(`${POST}?${qs}`).expect(400);
        expect(res.body.code, qs).toBe('400.3');
      }
    });
  });

  describe('PATCH (review)', () => {
    it('sets a status with a comment, then corrects answers as a new revision, keeping the history', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      const url = `${POST}/${s.id}`;
      const reviewed = await ctx.as('coord').patch(url).send({ status: 'has_issues', comment: 'age looks wrong', revision: 1 }).expect(200);
      expect(reviewed.body).toMatchObject({ status: 'has_issues', revision: 2 });
      const newAge = (s.answers.ps_age_years as number) === 44 ? 45 : 44;
      const corrected = await ctx.as('coord').patch(url).send({ corrections: { ps_age_years: newAge }, status: 'approved' }).expect(200);
      expect(corrected.body).toMatchObject({ status: 'approved', revision: 3, answers: { ps_age_years: newAge }, derived: { ps_age_band: '36_45' } });
      const history = (await ctx.as('admin').get(`${url}/revisions`).expect(200)).body.items;
      expect(history.map((r: { action: string }) => r.action)).toEqual(['created', 'reviewed', 'corrected']);
      expect(history[0].answers).toEqual(s.answers);
      expect(history[2]).toMatchObject({ actor: 'coord', changes: [{ item: 'ps_age_years', before: s.answers.ps_age_years, after: newAge }] });
      expect(history[2].answers.ps_age_years).toBe(newAge);
    });

    it('validates corrections as a whole: an invalid one is 400.2 and changes nothing', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      const res = await ctx.as('coord').patch(`${POST}/${s.id}`).send({ corrections: { ps_ethnicity: 'other' } }).expect(400);
      expect(res.body.details.errors).toContainEqual(expect.objectContaining({ item: 'ps_ethnicity_other', keyword: 'required' }));
      expect((await ctx.as('admin').get(`${POST}/${s.id}`).expect(200)).body.revision).toBe(1);
    });

    it('409.3 when the response moved on since the reviewed revision; 400 for an empty review', async () => {
      const s = gen.nextSubmission();
      await post(s).expect(201);
      await ctx.as('coord').patch(`${POST}/${s.id}`).send({ status: 'approved', revision: 1 }).expect(200);
      expect((await ctx.as('coord').patch(`${POST}/${s.id}`).send({ status: 'rejected', revision: 1 }).expect(409)).body.code).toBe('409.3');
      expect((await ctx.as('coord').patch(`${POST}/${s.id}`).send({ comment: 'only a comment' }).expect(400)).body.code).toBe('400.2');
    });
  });
});

describe('service endpoints', () => {
  let ctx: TestApp;
  beforeEach(async () => {
    ctx = await makeTestApp('embedded');
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('lists surveys and serves each schema, with labels on request', async () => {
    const list = await ctx.as('admin').get('/api/v1/surveys').expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(['population', 'organisational', 'external']);
    const plain = await ctx.as('admin').get('/api/v1/surveys/external/schema').expect(200);
    expect(plain.body.$id).toMatch(/external/);
    const ru = await ctx.as('admin').get('/api/v1/surveys/external/schema?lang=ru').expect(200);
    expect(ru.body.labels.survey.items.es_sector.label).toMatch(/[а-я]/);
    await ctx.as('admin').get('/api/v1/surveys/external/schema?lang=de').expect(400);
    await ctx.as('admin').get('/api/v1/surveys/nope/schema').expect(404);
  });

  it('reports store reachability on /healthz, and 503 once the store is gone', async () => {
    // Monitoring calls it without a token.
    expect((await request(ctx.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok', store: 'embedded' });
    await ctx.t.store.close();
    expect((await request(ctx.app).get('/healthz').expect(503)).body.code).toBe('503.1');
  });

  it('answers unknown routes with 404.3 and hides internals on 500', async () => {
    expect((await ctx.as('admin').get('/api/v1/nothing').expect(404)).body.code).toBe('404.3');
    await ctx.t.store.close();
    const res = await ctx.as('admin').get('/api/v1/surveys/population/responses').expect(500);
    expect(res.body).toEqual({ code: '500.1', message: expect.any(String), details: { requestId: res.headers['x-request-id'] } });
  });
});
