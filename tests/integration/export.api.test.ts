// Exports as analysts open them: CSV with a header of item ids, codes or labels, BOM on request, spreadsheet
// formulas neutralised; NDJSON with the stored resources; .sav and .dta read by R haven. On both stores.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { exportColumns } from '../../server/services/export.service.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const URL = '/api/v1/surveys/population/export';
const run = promisify(execFile);

describe.each(STORE_KINDS)('export on the %s store', (kind) => {
  let ctx: TestApp;
  const gen = new SyntheticGenerator('population', { seed: 5 });
  const submissions = Array.from({ length: 12 }, () => gen.nextSubmission());
  const hostile = { ...submissions[0]!, answers: { ...submissions[0]!.answers, ps_ethnicity: 'other', ps_ethnicity_other: '=HYPERLINK("http://x","y")' } };
  submissions[0] = hostile;

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    for (const s of submissions) await ctx.as('ainur').post('/api/v1/surveys/population/responses').send(s).expect(201);
    await ctx.as('coord').patch(`/api/v1/surveys/population/responses/${submissions[1]!.id}`).send({ status: 'rejected' }).expect(200);
  });
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const download = async (query: Record<string, string>) => {
    const res = await ctx.as('coord').get(URL).query(query).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    }).expect(200);
    return { text: res.body as string, res };
  };

  it('streams CSV with a header row of meta, item and derived columns and one row per response', async () => {
    const { text, res } = await download({ format: 'csv' });
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/population\.csv/);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {})).toEqual(exportColumns('population'));
    expect(exportColumns('population')).toEqual(expect.arrayContaining([...itemsOf('population').map((i) => i.id), 'ps_age_band', 'ps_ses_group']));
    expect(rows).toHaveLength(12);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const s = submissions[3]!;
    expect(byId.get(s.id)?.ps_region).toBe(s.answers.ps_region);
    expect(byId.get(s.id)?.ps_age_years).toBe(String(s.answers.ps_age_years));
  });

  it('neutralises spreadsheet formulas', async () => {
    const { text } = await download({});
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((r) => r.id === hostile.id)?.ps_ethnicity_other).toBe(`'=HYPERLINK("http://x","y")`);
  });

  it('writes labels in the language asked and a BOM on request', async () => {
    const { text } = await download({ labels: 'ru', bom: 'true' });
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;
    // The label as population 1.1.0 corrected it (1.0.0 said «Другое»): exports label every version in the current one.
    expect(rows.find((r) => r.id === hostile.id)?.ps_ethnicity).toBe('Другая национальность');
    expect(rows.every((r) => /[а-яА-Я]/.test(r.ps_region ?? ''))).toBe(true);
  });

  it('filters by status and streams NDJSON resources', async () => {
    const { text, res } = await download({ format: 'ndjson', status: 'rejected' });
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: submissions[1]!.id, status: 'rejected', answers: submissions[1]!.answers });
  });

  it('streams .sav and .dta from this store, filtered by status, that R haven reads row for row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csi-export-'));
    try {
      for (const [format, status, rows] of [['sav', undefined, 12], ['dta', undefined, 12], ['dta', 'rejected', 1], ['sav', 'rejected', 1]] as const) {
        const res = await ctx.as('coord').get(URL).query({ format, ...(status ? { status } : {}) }).buffer(true).parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        }).expect(200);
        expect(res.headers['content-disposition']).toContain(`population.${format}`);
        const file = join(dir, `p.${format}`);
        writeFileSync(file, res.body as Buffer);
        const code = `suppressMessages(library(haven)); d <- read_${format}('${file}'); cat(nrow(d), paste(sort(d$id), collapse=','))`;
        const [n, ids] = (await run('Rscript', ['-e', code])).stdout.trim().split(' ');
        expect(Number(n), `${format} ${status ?? ''}`).toBe(rows);
        const expected = status ? [submissions[1]!.id] : submissions.map((x) => x.id);
        expect(ids?.split(',')).toEqual(expected.map((id) => id.toLowerCase()).sort());
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('rejects unknown parameters', async () => {
    expect((await ctx.as('coord').get(URL).query({ format: 'pdf' }).expect(400)).body.code).toBe('400.3');
  });
});
