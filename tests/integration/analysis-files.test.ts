// SPSS and Stata files read back by the real tools analysts use: PSPP opens the .sav, lists its variable and value
// labels and missing values, and its FREQUENCIES equal the API's unweighted tallies for every closed item; R's
// haven reads the .sav and the .dta with labels intact in kk, ru and en, and a weighted mean in R with the exported
// weight equals the API's weighted tally. Expected labels come from the label bundles and codes from the
// questionnaire schemas (the codebook), not from the export code. Embedded store: the store is not what is tested.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';

const run = promisify(execFile);
const BASE = '/api/v1/surveys';

type Json = Record<string, unknown>;
const SCHEMAS = join(import.meta.dirname, '..', '..', 'schemas');
/** The version new interviews use, read off versions.json: its items are every version's (1.1.0 only adds). */
const current = (survey: string) => (JSON.parse(readFileSync(join(SCHEMAS, 'questionnaires', 'versions.json'), 'utf8')) as Record<string, { current: string }>)[survey]?.current as string;
const bundle = (lang: string, survey: string) => JSON.parse(readFileSync(join(SCHEMAS, 'i18n', lang, survey, `${current(survey)}.json`), 'utf8')) as {
  title: string; items: Record<string, { label: string }>; grids: Record<string, string>; options: Record<string, Record<string, string>>;
};
const common = (lang: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'i18n', lang, 'common.json'), 'utf8')) as {
  options: Record<string, Record<string, string>>;
};
const schema = (survey: string) => JSON.parse(readFileSync(join(SCHEMAS, 'questionnaires', survey, `${current(survey)}.schema.json`), 'utf8')) as {
  properties: Record<string, Json>; $defs: Record<string, Json>;
};

/** Closed items of a questionnaire and their codes (x-csi-codes), read straight off the schema file. */
function closedItems(survey: string): Array<{ id: string; codes: Record<string, number> }> {
  const s = schema(survey);
  return Object.entries(s.properties).flatMap(([id, node]) => {
    const ref = typeof node.$ref === 'string' ? s.$defs[node.$ref.split('/').pop() as string] ?? {} : {};
    const codes = (node['x-csi-codes'] ?? ref['x-csi-codes']) as Record<string, number> | undefined;
    return codes ? [{ id, codes }] : [];
  });
}

const LANGS = ['kk', 'ru', 'en'] as const;

describe('SPSS and Stata files read back by PSPP and R haven', () => {
  let ctx: TestApp;
  let dir: string;
  const longText = `${'Қоғамдық кеңес туралы заң жобасы; '.repeat(55)}соңы`;

  const download = async (user: string, survey: string, query: Record<string, string>) => {
    const res = await ctx.as(user).get(`${BASE}/${survey}/export`).query(query).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    return { body: res.body as Buffer, res };
  };
  const save = async (user: string, survey: string, query: Record<string, string>, name: string) => {
    const file = join(dir, name);
    writeFileSync(file, (await download(user, survey, query)).body);
    return file;
  };
  /** Runs R and returns what the script printed as JSON (with jsonlite-free printing: one value per line). */
  const rscript = async (code: string) => (await run('Rscript', ['-e', code], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  const pspp = async (syntax: string) => {
    const sps = join(dir, `s${Math.random().toString(36).slice(2)}.sps`);
    const out = `${sps}.csv`;
    writeFileSync(sps, syntax);
    await run('pspp', ['-O', 'format=csv', '-o', out, sps], { maxBuffer: 64 * 1024 * 1024 });
    return readFileSync(out, 'utf8');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csi-analysis-'));
    ctx = await makeTestApp('embedded');
    const population = new SyntheticGenerator('population', { seed: 19 });
    for (let i = 0; i < 240; i += 1) await ctx.as(i % 2 ? 'ainur' : 'boris').post(`${BASE}/population/responses`).send(population.nextSubmission()).expect(201);
    const organisational = new SyntheticGenerator('organisational', { seed: 19 });
    for (let i = 0; i < 30; i += 1) await ctx.as('ainur').post(`${BASE}/organisational/responses`).send(organisational.nextSubmission()).expect(201);
    const special = organisational.nextSubmission();
    special.answers = { ...special.answers, os_org_id: 'org-vls', os_income_last_fy: 'dk', os_staff_in_unions: 'yes', os_staff_union_pct: 98, os_policy_pushed_2y: true, os_policy_outcome: 'pending', os_policy_text: longText };
    await ctx.as('ainur').post(`${BASE}/organisational/responses`).send(special).expect((r) => {
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    });
  }, 180_000);
  afterAll(async () => {
    await ctx.t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PSPP lists the variable labels, value labels and missing values of the .sav in Kazakh', async () => {
    const sav = await save('coord', 'population', { format: 'sav', lang: 'kk' }, 'population-kk.sav');
    const out = await pspp(`GET FILE='${sav}'.\nDISPLAY DICTIONARY /VARIABLES=ps_trust_people ps_age_years ps_age_band weight meta_duration_seconds ps_ethnicity_other.\n`);
    const kk = bundle('kk', 'population');
    const rows = parse(out.slice(out.indexOf('Name,Position')), { columns: true, relax_column_count: true, to_line: 7 }) as Array<Record<string, string>>;
    const byName = Object.fromEntries(rows.map((r) => [r.Name, r]));
    expect(byName.ps_trust_people).toMatchObject({ Label: kk.items.ps_trust_people?.label, 'Measurement Level': 'Nominal', 'Missing Values': '98; 99' });
    expect(byName.ps_age_years).toMatchObject({ Label: kk.items.ps_age_years?.label, 'Measurement Level': 'Scale' });
    expect(byName.ps_age_band).toMatchObject({ 'Measurement Level': 'Ordinal' });
    expect(byName.weight?.['Measurement Level']).toBe('Scale');
    expect(byName.weight?.Label).toMatch(/салмақ/);
    expect(byName.ps_ethnicity_other?.['Print Format']).toMatch(/^A\d+$/);
    const trust = kk.options.ps_trust_people ?? {};
    const special = common('kk').options.special ?? {};
    expect(out).toContain(`,1,${trust.most_can_be_trusted}`);
    expect(out).toContain(`,2,${trust.need_to_be_careful}`);
    expect(out).toContain(`,98[a],${special.dk}`);
    expect(out).toContain(`,99[a],${special.ref}`);
  }, 60_000);

  it("PSPP's frequencies of every closed item equal the API's unweighted tallies", async () => {
    const sav = await save('coord', 'population', { format: 'sav', lang: 'en' }, 'population-en.sav');
    const items = closedItems('population');
    // Numbers, not labels, in the output: each row of a frequency table starts with its code.
    const out = await pspp(`SET TNUMBERS=VALUES.\nGET FILE='${sav}'.\nFREQUENCIES VARIABLES=${items.map((i) => i.id).join(' ')}.\n`);
    // One table per variable after the Statistics table; long titles come quoted.
    const tables = out.split(/\n(?="?Table: )/).filter((t) => /^"?Table: /.test(t) && !t.startsWith('Table: Statistics'));
    expect(tables).toHaveLength(items.length);
    let checked = 0;
    for (let k = 0; k < items.length; k += 20) {
      const chunk = items.slice(k, k + 20);
      const report = (await ctx.as('analyst').get(`${BASE}/population/tallies`).query({ items: chunk.map((i) => i.id).join(','), weighted: 'false' }).expect(200)).body as {
        items: Array<{ item: string; overall: { estimates: Array<{ category: string; n: number }>; excluded: Record<string, number> } }>;
      };
      for (const [j, item] of chunk.entries()) {
        const table = tables[k + j] as string;
        const freq = new Map<number, number>();
        for (const line of table.split('\n')) {
          const cells = parse(line, { relax_column_count: true })[0] as string[] | undefined;
          if (!cells || !/^(Valid|Missing|)$/.test(cells[0] ?? '') || !/^-?\d+$/.test(cells[1] ?? '')) continue;
          freq.set(Number(cells[1]), Number(cells[2]));
        }
        expect(freq.size, item.id).toBeGreaterThan(0);
        const tally = report.items.find((t) => t.item === item.id);
        expect(tally, item.id).toBeDefined();
        for (const e of tally?.overall.estimates ?? []) {
          expect(freq.get(item.codes[e.category] as number) ?? 0, `${item.id}=${e.category}`).toBe(e.n);
        }
        for (const s of ['dk', 'ref'] as const) {
          if (item.codes[s] !== undefined) expect(freq.get(item.codes[s]) ?? 0, `${item.id}=${s}`).toBe(tally?.overall.excluded[s] ?? 0);
        }
        checked += 1;
      }
    }
    expect(checked).toBe(items.length);
  }, 120_000);

  it('R haven reads the .sav and the .dta with their labels in kk, ru and en', async () => {
    for (const lang of LANGS) {
      const b = bundle(lang, 'population');
      const sav = await save('coord', 'population', { format: 'sav', lang }, `p-${lang}.sav`);
      const dta = await save('coord', 'population', { format: 'dta', lang }, `p-${lang}.dta`);
      for (const file of [sav, dta]) {
        const reader = file.endsWith('.sav') ? 'read_sav' : 'read_dta';
        const printed = await rscript(`suppressMessages(library(haven)); d <- ${reader}('${file}');
          l <- attr(d$ps_trust_people, 'labels'); cat(nrow(d), attr(d$ps_trust_people, 'label'), sep='\\n'); cat(paste(l, names(l), sep='='), sep='\\n');
          cat('--', attr(d$ps_region, 'label'), attr(d$weight, 'label'), sep='\\n')`);
        const lines = printed.trim().split('\n');
        expect(lines[0], file).toBe('240');
        expect(lines[1], file).toBe(b.items.ps_trust_people?.label.slice(0, file.endsWith('.dta') ? 80 : undefined));
        const special = common(lang).options.special ?? {};
        expect(lines.slice(2, 6), file).toEqual([
          `1=${b.options.ps_trust_people?.most_can_be_trusted}`, `2=${b.options.ps_trust_people?.need_to_be_careful}`, `98=${special.dk}`, `99=${special.ref}`,
        ]);
        expect(lines[7], file).toBe(b.items.ps_region?.label);
      }
    }
  }, 120_000);

  it("a weighted mean in R with the exported weight equals the API's weighted tally, from the .sav and the .dta", async () => {
    const report = (await ctx.as('analyst').get(`${BASE}/population/tallies`).query({ items: 'ps_trust_people,ps_age_years,ps_income_step' }).expect(200)).body as {
      items: Array<{ item: string; overall: { estimates: Array<{ category: string | null; estimate: number }> } }>;
    };
    const est = (item: string, category: string | null) => report.items.find((i) => i.item === item)?.overall.estimates.find((e) => e.category === category)?.estimate;
    const sav = await save('analyst', 'population', { format: 'sav' }, 'w.sav');
    const dta = await save('analyst', 'population', { format: 'dta' }, 'w.dta');
    for (const [file, reader] of [[sav, 'read_sav'], [dta, 'read_dta']] as const) {
      // In the .sav 98/99 are user-missing (NA in haven); in the .dta they are labelled codes, dropped by hand.
      const printed = await rscript(`suppressMessages(library(haven)); d <- zap_labels(${reader}('${file}'));
        ok <- function(x) !is.na(x) & !(x %in% c(98, 99, -98, -99));
        t <- d[ok(d$ps_trust_people), ]; cat(sprintf('%.15f', weighted.mean(t$ps_trust_people == 1, t$weight)), sep='\\n');
        a <- d[ok(d$ps_age_years), ]; cat(sprintf('%.12f', weighted.mean(a$ps_age_years, a$weight)), sep='\\n');
        i <- d[ok(d$ps_income_step), ]; cat(sprintf('%.15f', weighted.mean(i$ps_income_step == 3, i$weight)), sep='\\n');
        cat(all(is.na(d$interviewer) | d$interviewer == ''), all(is.na(d$ps_interviewer_id) | d$ps_interviewer_id == ''), sep='\\n')`);
      const [trust, age, income, noInterviewer, noInterviewerItem] = printed.trim().split('\n');
      expect(Number(trust), file).toBeCloseTo(est('ps_trust_people', 'most_can_be_trusted') as number, 9);
      expect(Number(age), file).toBeCloseTo(est('ps_age_years', null) as number, 9);
      expect(Number(income), file).toBeCloseTo(est('ps_income_step', '3') as number, 9);
      // Analysts never see who interviewed: the columns are there, empty, as in the CSV export.
      expect([noInterviewer, noInterviewerItem], file).toEqual(['TRUE', 'TRUE']);
    }
  }, 120_000);

  it('keeps very long text, numbers with don\'t know and percentages of 98 apart, in the .sav and the .dta', async () => {
    const sav = await save('coord', 'organisational', { format: 'sav', lang: 'kk' }, 'org.sav');
    const dta = await save('coord', 'organisational', { format: 'dta', lang: 'kk' }, 'org.dta');
    for (const [file, reader] of [[sav, 'read_sav(f, user_na = TRUE)'], [dta, 'read_dta(f)']] as const) {
      const printed = await rscript(`suppressMessages(library(haven)); f <- '${file}'; d <- ${reader}; r <- d[d$os_org_id == 'org-vls', ];
        cat(nrow(d), as.numeric(r$os_income_last_fy), as.numeric(r$os_staff_union_pct), as.numeric(r$os_policy_pushed_2y), sep='\\n'); cat(r$os_policy_text, '\\n', sep='')`);
      const lines = printed.split('\n');
      expect(lines.slice(0, 4), file).toEqual(['31', '-98', '98', '1']);
      // Stata strings hold at most 2045 bytes: the .dta cuts the longest text between characters (documented).
      if (file.endsWith('.sav')) expect(lines[4]).toBe(longText);
      else expect(longText.startsWith(lines[4] as string) && Buffer.byteLength(lines[4] as string) > 2040).toBe(true);
    }
  }, 60_000);

  it('CSV with codes=numeric holds the numbers of the .sav; headers=questions gives the question text', async () => {
    const csv = (await download('coord', 'population', { format: 'csv', codes: 'numeric', headers: 'questions', lang: 'ru' })).body.toString('utf8');
    const [header, ...rows] = parse(csv) as string[][];
    const ru = bundle('ru', 'population');
    expect(header?.[0]).toBe('Идентификатор ответа');
    expect(header).toContain(ru.items.ps_region?.label);
    expect(rows).toHaveLength(240);
    const byId = (await download('coord', 'population', { format: 'csv', codes: 'numeric' })).body.toString('utf8');
    const records = parse(byId, { columns: true }) as Array<Record<string, string>>;
    const sav = join(dir, 'population-en.sav');
    const printed = await rscript(`suppressMessages(library(haven)); d <- read_sav('${sav}', user_na = TRUE);
      cat(paste(d$id, as.numeric(d$ps_trust_people), as.numeric(d$ps_confidence_police), as.numeric(d$ps_age_band), sep=','), sep='\\n')`);
    const fromSav = new Map(printed.trim().split('\n').map((l) => [l.split(',')[0], l.split(',').slice(1)]));
    for (const r of records) {
      const expected = fromSav.get(r.id as string)?.map((v) => (v === 'NA' ? '' : v));
      expect([r.ps_trust_people, r.ps_confidence_police, r.ps_age_band], r.id).toEqual(expected);
    }
    const schemaCodes = closedItems('population').find((i) => i.id === 'ps_trust_people')?.codes ?? {};
    expect(new Set(records.map((r) => r.ps_trust_people))).toEqual(new Set(Object.values(schemaCodes).map(String).filter((c) => records.some((r) => r.ps_trust_people === c))));
  }, 60_000);

  it('refuses options that do not apply to a format, naming the parameter', async () => {
    const bad = async (survey: string, query: Record<string, string>) => (await ctx.as('coord').get(`${BASE}/${survey}/export`).query(query).expect(400)).body as { code: string; details: { errors: Array<{ path: string; message: string }> } };
    const a = await bad('population', { format: 'sav', labels: 'ru' });
    expect(a.code).toBe('400.3');
    expect(a.details.errors).toEqual([expect.objectContaining({ path: '/labels', message: expect.stringMatching(/format=csv or xlsx only, not sav/) })]);
    expect((await bad('population', { format: 'xlsx', bom: 'true' })).details.errors).toEqual([expect.objectContaining({ path: '/bom', message: expect.stringMatching(/format=csv only, not xlsx/) })]);
    const b = await bad('population', { format: 'csv', codes: 'numeric', labels: 'kk' });
    expect(b.details.errors[0]?.path).toBe('/labels');
    expect((await bad('population', { format: 'dta', lang: 'de' })).details.errors[0]?.path).toBe('/lang');
    expect((await bad('population', { format: 'ndjson', lang: 'kk' })).details.errors[0]?.path).toBe('/lang');
  });
});
