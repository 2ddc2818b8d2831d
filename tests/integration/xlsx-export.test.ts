// The Excel export read back by R's readxl, as an analyst opens it: the data sheet holds the same values as the
// API's CSV export (codes or labels, numbers as numbers, the raked weight), text verbatim (no formula), analysts
// without who interviewed; the codebook sheet describes every item as docs/codebook.csv does, in the language asked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Response } from 'superagent';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { itemsOf } from '../../schemas/items.js';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { readxlSheet, sameCell } from '../support/readxl.js';
import { STORE_KINDS } from '../support/stores.js';

const URL = '/api/v1/surveys/population/export';
const HOSTILE = '=HYPERLINK("http://x","y")';

const binary = (r: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe.each(STORE_KINDS)('xlsx export on the %s store', (kind) => {
  let ctx: TestApp;
  const gen = new SyntheticGenerator('population', { seed: 19 });
  // Both sexes present, so the responses rake to a sex margin and every counted row gets a weight.
  const submissions: Submission[] = Array.from({ length: 14 }, (_, i) => {
    const s = gen.nextSubmission();
    return { ...s, answers: { ...s.answers, ps_gender: i % 2 === 0 ? 'female' : 'male' } };
  });
  submissions[0] = { ...submissions[0]!, answers: { ...submissions[0]!.answers, ps_ethnicity: 'other', ps_ethnicity_other: HOSTILE } };

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    await ctx.as('coord').put('/api/v1/surveys/population/margins')
      .send({ variables: [{ variable: 'ps_gender', shares: { male: 0.47, female: 0.53 }, source: 'test', status: 'sourced' }] }).expect(200);
    for (const s of submissions) await ctx.as('ainur').post('/api/v1/surveys/population/responses').send(s).expect(201);
    await ctx.as('coord').patch(`${URL.replace('/export', '/responses')}/${submissions[1]!.id}`).send({ status: 'rejected' }).expect(200);
  }, 60_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const download = async (user: string, query: Record<string, string>) => {
    const res = await ctx.as(user).get(URL).query(query).buffer(true).parse(binary).expect(200);
    return { body: res.body as Buffer, res };
  };
  const csvOf = async (user: string, query: Record<string, string>) =>
    parse((await download(user, { ...query, format: 'csv' })).body.toString('utf8'), { columns: true }) as Array<Record<string, string>>;

  /** Every cell of the sheet equals the CSV's, the CSV's formula escape (a leading ') aside. */
  const expectSameTable = (sheet: Array<Record<string, string>>, csv: Array<Record<string, string>>) => {
    expect(sheet).toHaveLength(csv.length);
    const byId = new Map(sheet.map((r) => [r.id, r]));
    const mismatches: string[] = [];
    for (const row of csv) {
      const read = byId.get(row.id ?? '');
      for (const [column, value] of Object.entries(row)) {
        const expected = value.startsWith("'=") ? value.slice(1) : value;
        if (!sameCell(read?.[column] ?? '<missing>', expected)) mismatches.push(`${row.id} ${column}: ${read?.[column]} vs ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  };

  it('opens in readxl with the CSV export\'s columns and values, numbers read as numbers, the weight included', async () => {
    const { body, res } = await download('coord', { format: 'xlsx' });
    expect(res.headers['content-type']).toMatch(/spreadsheetml\.sheet/);
    expect(res.headers['content-disposition']).toMatch(/population\.xlsx/);
    const csv = await csvOf('coord', {});
    const data = readxlSheet(body, 'data');
    expect(data.columns).toEqual(Object.keys(csv[0]!));
    expectSameTable(data.rows, csv);
    expect(data.types.ps_age_years).toBe('numeric');
    expect(data.types.weight).toBe('numeric');
    expect(data.types.revision).toBe('numeric');
    // Counted responses carry a weight; the rejected one does not.
    const weights = data.rows.filter((r) => r.weight !== '');
    expect(weights).toHaveLength(13);
    // Raked to the margin: the female share of the weights is 0.53.
    const total = weights.reduce((a, r) => a + Number(r.weight), 0);
    expect(weights.filter((r) => r.ps_gender === 'female').reduce((a, r) => a + Number(r.weight), 0) / total).toBeCloseTo(0.53, 9);
    expect(data.rows.find((r) => r.id === submissions[1]!.id)?.weight).toBe('');
    // Text is kept verbatim as text: the workbook holds no formula for Excel to run.
    expect(data.rows.find((r) => r.id === submissions[0]!.id)?.ps_ethnicity_other).toBe(HOSTILE);
    expect(body.toString('latin1')).not.toContain('<f>');
  });

  it('writes labels in Kazakh with the codebook in Kazakh, and equals the Kazakh CSV', async () => {
    const { body } = await download('coord', { format: 'xlsx', labels: 'kk' });
    const data = readxlSheet(body, 'data');
    expectSameTable(data.rows, await csvOf('coord', { labels: 'kk' }));
    expect(data.rows.find((r) => r.id === submissions[0]!.id)?.ps_ethnicity).toBe(bundles.kk.surveys.population.options.ps_ethnicity?.other);
    const codebook = readxlSheet(body, 'codebook');
    const trust = codebook.rows.find((r) => r.item === 'ps_trust_people');
    expect(trust?.question).toBe(bundles.kk.surveys.population.items.ps_trust_people?.label);
    expect(trust?.codes).toContain(`dk (98) = ${bundles.kk.common.options.special?.dk}`);
  });

  it('has a codebook sheet agreeing with docs/codebook.csv: every item, its type, codes, skip rule; then derived variables and the weight', async () => {
    const { body } = await download('analyst', { format: 'xlsx', lang: 'en' });
    const codebook = readxlSheet(body, 'codebook');
    expect(codebook.columns).toEqual(['item', 'section', 'question', 'type', 'codes', 'skip']);
    const docs = (parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'codebook.csv'), 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>)
      .filter((r) => r.survey === 'population');
    expect(codebook.rows.map((r) => r.item)).toEqual([...itemsOf('population').map((i) => i.id), 'ps_age_band', 'ps_ses_group', 'weight']);
    for (const doc of docs) {
      const row = codebook.rows.find((r) => r.item === doc.item);
      expect({ item: row?.item, type: row?.type, codes: row?.codes, skip: row?.skip, question: row?.question })
        .toEqual({ item: doc.item, type: doc.type, codes: doc.codes, skip: doc.skip, question: doc.question_en });
    }
    expect(codebook.rows.find((r) => r.item === 'ps_problem_second')?.skip).toBe('must differ from ps_problem_first');
    expect(codebook.rows.find((r) => r.item === 'ps_age_band')?.codes).toMatch(/^18_25 \(1\) = /);
  });

  it('leaves out who interviewed for analysts, as the CSV export does', async () => {
    const coord = readxlSheet((await download('coord', { format: 'xlsx' })).body, 'data');
    const analyst = readxlSheet((await download('analyst', { format: 'xlsx' })).body, 'data');
    expect(coord.rows.some((r) => r.interviewer === 'ainur')).toBe(true);
    expect(coord.rows.some((r) => r.ps_interviewer_id !== '')).toBe(true);
    expect(analyst.rows.every((r) => r.interviewer === '' && r.ps_interviewer_id === '')).toBe(true);
    expectSameTable(analyst.rows, await csvOf('analyst', {}));
  });

  it('rejects an unknown language for the codebook, naming the parameter', async () => {
    const res = await ctx.as('coord').get(URL).query({ format: 'xlsx', lang: 'de' }).expect(400);
    expect(res.body.code).toBe('400.3');
    expect(res.body.details.errors[0]).toMatchObject({ path: '/lang', keyword: 'enum' });
  });
});

describe('a store failure during an Excel or paradata export', () => {
  it('fails those requests, not the process', async () => {
    const ctx = await makeTestApp('embedded');
    try {
      await ctx.as('ainur').post('/api/v1/surveys/population/responses').send(new SyntheticGenerator('population', { seed: 3 }).nextSubmission()).expect(201);
      const analyst = ctx.as('analyst');
      // The token is checked (and cached) before the store goes away, so the failure lands in the export stream.
      await analyst.get('/api/v1/me').expect(200);
      await ctx.t.store.close();
      for (const url of [URL + '?format=xlsx', '/api/v1/surveys/population/paradata', '/api/v1/surveys/population/paradata?format=xlsx']) {
        const res = await analyst.get(url).buffer(true).parse(binary).ok(() => true).catch((e: Error) => e);
        if (!(res instanceof Error)) expect(res.status, url).toBeGreaterThanOrEqual(500);
      }
      expect((await request(ctx.app).get('/healthz')).status).toBe(503);
    } finally {
      await ctx.t.dispose();
    }
  });
});
