// Tallies and the indicator matrix as downloads: CSV with a BOM on request, at full precision (the JSON's numbers
// exactly) or rounded as displayed (shares to 0.001, means to 0.01, scores to 0.1: never 17 digits), and Excel with
// the same values, read back by R's readxl. The tables' layout does not depend on the store (the numbers' equality
// across stores is the tallies and indicators suites' business), so this runs on the embedded store.
import type { Response } from 'superagent';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { readxlSheet, sameCell } from '../support/readxl.js';

const SIZES: Record<SurveyId, number> = { population: 120, organisational: 30, external: 15 };
const TALLIES = '/api/v1/surveys/population/tallies';
const QUERY = { items: 'ps_trust_people,ps_age_years', by: 'ps_gender' };

const binary = (r: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};
const decimals = (cell: string) => (cell.includes('.') ? cell.split('.')[1]!.length : 0);

interface Est { category: string | null; estimate: number; se: number; ci95: [number, number]; deff: number }
interface TallyJson { items: Array<{ item: string; overall: { estimates: Est[] }; by?: { groups: Array<{ values: Record<string, string>; estimates: Est[] }> } }> }

/** The JSON's estimates keyed as the CSV's rows are: item, group, category. */
function estimatesOf(report: TallyJson): Map<string, Est> {
  const out = new Map<string, Est>();
  for (const t of report.items) {
    for (const e of t.overall.estimates) out.set(`${t.item}|all|${e.category ?? ''}`, e);
    for (const g of t.by?.groups ?? []) {
      const label = Object.entries(g.values).map(([k, v]) => `${k}=${v}`).join(';');
      for (const e of g.estimates) out.set(`${t.item}|${label}|${e.category ?? ''}`, e);
    }
  }
  return out;
}

describe('tallies and indicator downloads', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await makeTestApp('embedded');
    for (const survey of Object.keys(SIZES) as SurveyId[]) {
      const gen = new SyntheticGenerator(survey, { seed: 190 + Object.keys(SIZES).indexOf(survey) });
      for (let i = 0; i < SIZES[survey]; i += 1) await ctx.as('ainur').post(`/api/v1/surveys/${survey}/responses`).send(gen.nextSubmission()).expect(201);
    }
  }, 120_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const get = async (url: string, query: Record<string, string>) => ctx.as('analyst').get(url).query(query).buffer(true).parse(binary).expect(200);
  const csvRows = (body: Buffer) => parse(body, { columns: true, bom: true }) as Array<Record<string, string>>;

  it('tallies CSV at full precision carries the JSON\'s numbers exactly, without a BOM unless asked', async () => {
    const json = estimatesOf((await ctx.as('analyst').get(TALLIES).query(QUERY).expect(200)).body as TallyJson);
    const res = await get(TALLIES, { ...QUERY, format: 'csv' });
    expect(res.body[0]).not.toBe(0xef);
    const rows = csvRows(res.body as Buffer);
    expect(rows).toHaveLength(json.size);
    for (const r of rows) {
      const e = json.get(`${r.item}|${r.group}|${r.category}`);
      expect(Number(r.estimate), `${r.item} ${r.group} ${r.category}`).toBe(e?.estimate);
      expect(Number(r.ci95_low)).toBe(e?.ci95[0]);
    }
    expect(rows.some((r) => decimals(r.estimate!) > 6)).toBe(true);
  });

  it('tallies CSV rounded as displayed, with a BOM: shares to 0.001, means to 0.01, within half a unit of the JSON', async () => {
    const json = estimatesOf((await ctx.as('analyst').get(TALLIES).query(QUERY).expect(200)).body as TallyJson);
    const res = await get(TALLIES, { ...QUERY, format: 'csv', precision: 'display', bom: 'true' });
    expect([...(res.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csvRows(res.body as Buffer);
    expect(rows).toHaveLength(json.size);
    for (const r of rows) {
      const e = json.get(`${r.item}|${r.group}|${r.category}`) as Est;
      const places = r.category === '' ? 2 : 3;
      for (const [cell, exact] of [[r.estimate, e.estimate], [r.ci95_low, e.ci95[0]], [r.ci95_high, e.ci95[1]]] as Array<[string, number]>) {
        expect(decimals(cell), `${r.item} ${r.group} ${r.category} ${cell}`).toBeLessThanOrEqual(places);
        expect(Math.abs(Number(cell) - exact)).toBeLessThanOrEqual(0.5 * 10 ** -places + 1e-12);
      }
      expect(decimals(r.deff!)).toBeLessThanOrEqual(2);
      expect(decimals(r.kish_effective_n!)).toBe(0);
    }
  });

  it('tallies as Excel: readxl reads the CSV\'s values, estimates as numbers', async () => {
    for (const precision of ['full', 'display']) {
      const xlsx = await get(TALLIES, { ...QUERY, format: 'xlsx', precision });
      expect(xlsx.headers['content-type']).toMatch(/spreadsheetml\.sheet/);
      expect(xlsx.headers['content-disposition']).toMatch(/population-tallies\.xlsx/);
      const sheet = readxlSheet(xlsx.body as Buffer, 'tallies');
      const rows = csvRows((await get(TALLIES, { ...QUERY, format: 'csv', precision })).body as Buffer);
      expect(sheet.columns).toEqual(Object.keys(rows[0]!));
      const mismatches = rows.flatMap((r, i) => Object.entries(r).filter(([k, v]) => !sameCell(sheet.rows[i]?.[k] ?? '<missing>', v)).map(([k, v]) => `${i} ${k}: ${sheet.rows[i]?.[k]} vs ${v}`));
      expect(mismatches, precision).toEqual([]);
      expect(sheet.types.estimate).toBe('numeric');
      expect(sheet.types.small).toBe('logical');
    }
  });

  it('the indicator matrix rounded as displayed: value equals the score to one decimal; full precision equals the JSON', async () => {
    const json = (await ctx.as('analyst').get('/api/v1/indicators').expect(200)).body as { indicators: Array<{ id: string; value: number | null }> };
    const full = csvRows((await get('/api/v1/indicators', { format: 'csv' })).body as Buffer);
    const display = csvRows((await get('/api/v1/indicators', { format: 'csv', precision: 'display', bom: 'true', lang: 'kk' })).body as Buffer);
    expect(display).toHaveLength(full.length);
    for (const i of json.indicators) {
      const row = full.find((r) => r.level === 'indicator' && r.id === i.id);
      expect(row?.value === '' ? null : Number(row?.value), i.id).toBe(i.value);
    }
    expect(full.some((r) => decimals(r.value!) > 6)).toBe(true);
    for (const r of display) {
      expect(decimals(r.value!), `${r.id} ${r.value}`).toBeLessThanOrEqual(1);
      expect(decimals(r.se!), `${r.id} ${r.se}`).toBeLessThanOrEqual(1);
      if (r.value !== '') expect(Number(r.value)).toBe(Number(r.score));
    }
    expect(display.find((r) => r.level === 'dimension')?.name).toMatch(/[әғқңөұүһіӘҒҚҢӨҰҮҺІа-яА-Я]/);
  });

  it('the indicator matrix as Excel in Kazakh: readxl reads the CSV\'s values, the score as a number', async () => {
    const query = { precision: 'display', lang: 'kk' };
    const xlsx = await get('/api/v1/indicators', { ...query, format: 'xlsx' });
    expect(xlsx.headers['content-disposition']).toMatch(/csi-indicators\.xlsx/);
    const sheet = readxlSheet(xlsx.body as Buffer, 'indicators');
    const rows = csvRows((await get('/api/v1/indicators', { ...query, format: 'csv' })).body as Buffer);
    expect(sheet.rows).toHaveLength(rows.length);
    const mismatches = rows.flatMap((r, i) => Object.entries(r).filter(([k, v]) => !sameCell(sheet.rows[i]?.[k] ?? '<missing>', v)).map(([k, v]) => `${i} ${k}: ${sheet.rows[i]?.[k]} vs ${v}`));
    expect(mismatches).toEqual([]);
    expect(sheet.types.score).toBe('numeric');
    expect(sheet.types.value).toBe('numeric');
  });

  it('refuses an unknown precision or format, naming the parameter', async () => {
    const a = (await ctx.as('analyst').get(TALLIES).query({ ...QUERY, format: 'csv', precision: 'exact' }).expect(400)).body;
    expect(a).toMatchObject({ code: '400.3', details: { errors: [{ path: '/precision', keyword: 'enum' }] } });
    const b = (await ctx.as('analyst').get('/api/v1/indicators').query({ format: 'pdf' }).expect(400)).body;
    expect(b).toMatchObject({ code: '400.3', details: { errors: [{ path: '/format', keyword: 'enum' }] } });
  });
});
