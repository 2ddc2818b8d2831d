// The social concerns setting on every store: unset it is published as null (version 0); a body without a name, with
// an empty or over-long one, or with an unknown field is refused naming the field and the rule; staff set it (audited,
// before and after kept), each change a new version refused from a stale If-Match; other roles and a coordinator of
// some regions cannot; the indicator matrix's texts and the export's question headers name the concerns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const URL = '/api/v1/social-concerns';
const CONCERNS = {
  concern1: { kk: 'Кедейлік', ru: 'Бедность', en: 'Poverty' },
  concern2: { kk: 'Жұмыссыздық', ru: 'Безработица', en: 'Unemployment' },
};

describe.each(STORE_KINDS)('%s social concerns', (kind) => {
  let ctx: TestApp;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
  });
  afterEach(async () => {
    await ctx.t.dispose();
  });

  it('publishes none until set, then the names to every role, with the version as ETag', async () => {
    const none = await ctx.as('ainur').get(URL).expect(200);
    expect(none.body).toEqual({ concerns: null, version: 0 });
    expect(none.headers.etag).toBe('"0"');
    const saved = await ctx.as('coord').put(URL).set('If-Match', '"0"').send({ ...CONCERNS, concern1: { ...CONCERNS.concern1, ru: '  Бедность ' } }).expect(200);
    expect(saved.body).toEqual({ concerns: CONCERNS, version: 1 });
    for (const user of ['ainur', 'analyst', 'coord_akm', 'admin']) {
      const res = await ctx.as(user).get(URL).expect(200);
      expect(res.body, user).toEqual({ concerns: CONCERNS, version: 1 });
      expect(res.headers.etag).toBe('"1"');
    }
  });

  it('refuses invalid names with the field and the rule', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ concern1: CONCERNS.concern1 }, '/concern2', 'required'],
      [{ ...CONCERNS, concern2: { kk: 'Жұмыссыздық', en: 'Unemployment' } }, '/concern2/ru', 'required'],
      [{ ...CONCERNS, concern1: { ...CONCERNS.concern1, kk: '   ' } }, '/concern1/kk', 'minLength'],
      [{ ...CONCERNS, concern1: { ...CONCERNS.concern1, en: 'x'.repeat(81) } }, '/concern1/en', 'maxLength'],
      [{ ...CONCERNS, concern3: CONCERNS.concern1 }, '/concern3', 'additionalProperties'],
      [{ ...CONCERNS, concern2: { ...CONCERNS.concern2, ru: 7 } }, '/concern2/ru', 'type'],
    ];
    for (const [body, path, keyword] of cases) {
      const res = await ctx.as('admin').put(URL).send(body as object).expect(400);
      expect(res.body.code, path).toBe('400.2');
      expect(res.body.details.errors, path).toContainEqual(expect.objectContaining({ path, keyword }));
    }
    expect((await ctx.as('admin').get(URL).expect(200)).body).toEqual({ concerns: null, version: 0 });
  });

  it('audits each change with before and after, and refuses a change from a stale version', async () => {
    await ctx.as('coord').put(URL).send(CONCERNS).expect(200);
    const second = { ...CONCERNS, concern2: { kk: 'Сыбайлас жемқорлық', ru: 'Коррупция', en: 'Corruption' } };
    await ctx.as('admin').put(URL).set('If-Match', '"1"').send(second).expect(200);
    const stale = await ctx.as('coord').put(URL).set('If-Match', '"1"').send(CONCERNS).expect(412);
    expect(stale.body).toMatchObject({ code: '412.2', details: { current: 2, given: 1 } });
    expect((await ctx.as('coord').get(URL).expect(200)).body).toEqual({ concerns: second, version: 2 });
    const audited = (await ctx.as('admin').get('/api/v1/audit').query({ action: 'concerns.updated' }).expect(200)).body.items as Array<{ actor: string; target: string; details: { version: number }; before?: unknown; after?: unknown }>;
    expect(audited.map((e) => [e.actor, e.target, e.details.version])).toEqual([['coord', 'social-concerns', 1], ['admin', 'social-concerns', 2]]);
    expect(audited[0]?.before).toBeUndefined();
    expect(audited[1]).toMatchObject({ before: CONCERNS, after: second });
  });

  it('lets only staff of the whole country set them', async () => {
    for (const user of ['ainur', 'analyst']) {
      const res = await ctx.as(user).put(URL).send(CONCERNS).expect(403);
      expect(res.body.code, user).toBe('403.1');
    }
    expect((await ctx.as('coord_akm').put(URL).send(CONCERNS).expect(404)).body.code).toBe('404.9');
    expect((await ctx.as('admin').get(URL).expect(200)).body.version).toBe(0);
    expect((await ctx.as('admin').get('/api/v1/audit').query({ action: 'concerns.updated' }).expect(200)).body.items).toEqual([]);
  });

  it('names the concerns in the indicator rule texts, in the language asked', async () => {
    const texts = async (lang: string) => JSON.stringify((await ctx.as('analyst').get('/api/v1/indicators').query({ lang }).expect(200)).body);
    const before = await texts('ru');
    expect(before).not.toContain('{concern');
    await ctx.as('coord').put(URL).send(CONCERNS).expect(200);
    expect(await texts('ru')).toContain('Бедность');
    expect(await texts('kk')).toContain('Жұмыссыздық');
    expect(await texts('kk')).not.toContain('{concern');
  });

  it('names the concerns in the export\'s question headers, and the neutral phrase before', async () => {
    const header = async () => ((await ctx.as('analyst').get('/api/v1/surveys/external/export').query({ format: 'csv', headers: 'questions', lang: 'ru' }).buffer(true).expect(200)).text.split('\n')[0] ?? '');
    const before = await header();
    expect(before).not.toContain('{concern');
    expect(before).toContain('первая социальная проблема');
    await ctx.as('coord').put(URL).send(CONCERNS).expect(200);
    const after = await header();
    expect(after).toContain('Бедность');
    expect(after).toContain('Безработица');
  });
});
