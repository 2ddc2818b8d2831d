// The paradata export as an analyst or coordinator downloads it: one row per response and section with the seconds
// the form recorded, section shares, the interview length, language and device; responses without section times
// still listed; CSV (BOM on request) and Excel (read back by R's readxl); scoped and redacted as the data export.
import type { Response } from 'superagent';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { bundles } from '../../schemas/labels.js';
import { questionnaires } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { readxlSheet, sameCell } from '../support/readxl.js';
import { STORE_KINDS } from '../support/stores.js';

const URL = '/api/v1/surveys/population/paradata';
const SECTIONS = questionnaires.population['x-csi-sections'].map((s) => s.id);

const binary = (r: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe.each(STORE_KINDS)('paradata export on the %s store', (kind) => {
  let ctx: TestApp;
  const gen = new SyntheticGenerator('population', { seed: 23 });
  const submissions: Submission[] = Array.from({ length: 8 }, () => gen.nextSubmission('form'));
  // Keyed in from paper: no section times.
  const { sectionDurations: _none, ...untimed } = submissions[1]!.meta;
  submissions[1] = { ...submissions[1]!, meta: untimed };
  // An older form's page the questionnaire no longer has, and two sections only.
  submissions[3] = { ...submissions[3]!, answers: { ...submissions[3]!.answers, ps_region: 'akmola' }, meta: { ...submissions[3]!.meta } };
  submissions[4] = { ...submissions[4]!, answers: { ...submissions[4]!.answers, ps_region: 'almaty_city' } };
  submissions[2] = { ...submissions[2]!, meta: { ...submissions[2]!.meta, sectionDurations: { legacy_page: 30, [SECTIONS[1]!]: 90, [SECTIONS[0]!]: 60 } } };

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    for (const s of submissions) await ctx.as('ainur').post('/api/v1/surveys/population/responses').send(s).expect(201);
  }, 60_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const download = async (user: string, query: Record<string, string>) =>
    (await ctx.as(user).get(URL).query(query).buffer(true).parse(binary).expect(200));
  const csv = async (user: string, query: Record<string, string> = {}) =>
    parse((await download(user, query)).body as Buffer, { columns: true, bom: true }) as Array<Record<string, string>>;

  it('has one row per response and timed section, in questionnaire order, with the seconds sent and their shares', async () => {
    const rows = await csv('coord');
    const timed = submissions[0]!;
    const mine = rows.filter((r) => r.id === timed.id);
    const sent = timed.meta.sectionDurations!;
    expect(mine.map((r) => r.section)).toEqual(SECTIONS.filter((id) => sent[id] !== undefined));
    expect(mine.map((r) => Number(r.section_number))).toEqual(mine.map((r) => SECTIONS.indexOf(r.section!) + 1));
    for (const r of mine) expect(Number(r.section_seconds)).toBe(sent[r.section!]);
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    for (const r of mine) expect(Number(r.section_share)).toBeCloseTo(sent[r.section!]! / total, 12);
    expect(mine.every((r) => r.language === timed.meta.language && r.device === timed.meta.device && r.form_version === timed.meta.formVersion)).toBe(true);
    const length = (Date.parse(timed.meta.completedAt) - Date.parse(timed.meta.startedAt)) / 1000;
    expect(mine.every((r) => Number(r.interview_seconds) === length)).toBe(true);
    expect(rows).toHaveLength(submissions.reduce((n, s) => n + Math.max(1, Object.keys(s.meta.sectionDurations ?? {}).length), 0));
  });

  it('lists an untimed response once with empty section columns, and an unknown section last, unnumbered', async () => {
    const rows = await csv('coord');
    const untimedRows = rows.filter((r) => r.id === submissions[1]!.id);
    expect(untimedRows).toHaveLength(1);
    expect(untimedRows[0]).toMatchObject({ section: '', section_seconds: '', section_number: '', language: submissions[1]!.meta.language });
    expect(rows.filter((r) => r.id === submissions[2]!.id).map((r) => [r.section_number, r.section, r.section_seconds]))
      .toEqual([['1', SECTIONS[0], '60'], ['2', SECTIONS[1], '90'], ['', 'legacy_page', '30']]);
  });

  it('titles sections in Kazakh with a BOM, and leaves out who interviewed for analysts', async () => {
    const res = await download('analyst', { lang: 'kk', bom: 'true' });
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/population-paradata\.csv/);
    const rows = parse(body, { columns: true, bom: true }) as Array<Record<string, string>>;
    const first = rows.find((r) => r.section === SECTIONS[0]);
    expect(first?.section_title).toBe(bundles.kk.surveys.population.sections[SECTIONS[0]!]);
    expect(rows.every((r) => r.interviewer === '')).toBe(true);
    expect((await csv('coord')).every((r) => r.interviewer === 'ainur')).toBe(true);
  });

  it('gives a region-scoped coordinator only their regions', async () => {
    const rows = await csv('coord_akm');
    const expected = submissions.filter((s) => ['akmola', 'aktobe'].includes(String(s.answers.ps_region))).map((s) => s.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(submissions.length);
    expect([...new Set(rows.map((r) => r.id))].sort()).toEqual(expected.sort());
  });

  it('as Excel, opens in readxl with the CSV\'s values, seconds as numbers', async () => {
    const res = await download('coord', { format: 'xlsx' });
    expect(res.headers['content-type']).toMatch(/spreadsheetml\.sheet/);
    const sheet = readxlSheet(res.body as Buffer, 'paradata');
    const rows = await csv('coord');
    expect(sheet.columns).toEqual(Object.keys(rows[0]!));
    expect(sheet.rows).toHaveLength(rows.length);
    const mismatches = rows.flatMap((r, i) => Object.entries(r).filter(([k, v]) => !sameCell(sheet.rows[i]?.[k] ?? '<missing>', v)).map(([k, v]) => `${i} ${k}: ${sheet.rows[i]?.[k]} vs ${v}`));
    expect(mismatches).toEqual([]);
    expect(sheet.types.section_seconds).toBe('numeric');
    expect(sheet.types.interview_seconds).toBe('numeric');
  });

  it('refuses an unknown format or parameter, naming it', async () => {
    const bad = (await ctx.as('coord').get(URL).query({ format: 'sav' }).expect(400)).body;
    expect(bad).toMatchObject({ code: '400.3', details: { errors: [{ path: '/format', keyword: 'enum' }] } });
    const extra = (await ctx.as('coord').get(URL).query({ labels: 'kk' }).expect(400)).body;
    expect(extra.details.errors[0]).toMatchObject({ path: '/labels', keyword: 'additionalProperties' });
    await ctx.as('ainur').get(URL).expect(403);
  });
});
