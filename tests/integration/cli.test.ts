// The csi command line as an operator uses it, on a real embedded store: seed, export, and the import of keyed-in
// paper questionnaires (idempotent, with a row-level error report and a non-zero exit when a row fails).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCsi, runCsiEntry } from '../support/csi-cli.js';
import { questionnaires } from '../../schemas/surveys.js';
import { verifyPassword } from '../../server/services/passwords.js';
import { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { readxlSheet } from '../support/readxl.js';

const run = promisify(execFile);
/**
 * A safety net for a hung command, not a bound on speed: each test runs several CLI processes, and with the test
 * files running in parallel on a 2-core machine each waits its turn for a core.
 */
const HUNG = 300_000;

describe('csi CLI', () => {
  let dir: string;
  const csi = (...args: string[]) => runCsi({ DATA_DIR: dir }, ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csi-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds synthetic responses idempotently', async () => {
    expect((await csi('seed', 'organisational', '--count', '25', '--seed', '3')).stdout).toMatch(/25 new, 0 already present/);
    expect((await csi('seed', 'organisational', '--count', '25', '--seed', '3')).stdout).toMatch(/0 new, 25 already present/);
  }, HUNG);

  it('exports to a file', async () => {
    const out = join(dir, 'org.csv');
    expect((await csi('export', 'organisational', '--out', out)).code).toBe(0);
    expect(parse(readFileSync(out, 'utf8'), { columns: true })).toHaveLength(25);
  }, HUNG);

  it('exports SPSS and Stata files that R haven reads, with Russian labels, and refuses options of another format', async () => {
    for (const format of ['sav', 'dta']) {
      const out = join(dir, `org.${format}`);
      expect((await csi('export', 'organisational', '--format', format, '--lang', 'ru', '--out', out)).code).toBe(0);
      const code = `suppressMessages(library(haven)); d <- read_${format}('${out}'); cat(nrow(d), attr(d$os_has_board, 'label'), sep='\\n')`;
      const [rows, label] = (await run('Rscript', ['-e', code])).stdout.trim().split('\n');
      expect(rows).toBe('25');
      const ru = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'i18n', 'ru', 'organisational', '1.0.0.json'), 'utf8')) as { items: Record<string, { label: string }> };
      expect(label).toBe(ru.items.os_has_board?.label.slice(0, format === 'dta' ? 80 : undefined));
    }
    const refused = await csi('export', 'organisational', '--format', 'sav', '--bom');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^400\.3 .*:\n {2}\/bom /);
  }, HUNG);

  it('exports Excel (data and codebook sheets) and paradata', async () => {
    expect((await csi('seed', 'external', '--count', '6', '--seed', '4')).code).toBe(0);
    const xlsx = join(dir, 'external.xlsx');
    expect((await csi('export', 'external', '--format', 'xlsx', '--labels', 'ru', '--out', xlsx)).code).toBe(0);
    const data = readxlSheet(readFileSync(xlsx), 'data');
    expect(data.rows).toHaveLength(6);
    expect(data.rows.every((r) => /[а-яА-Я]/.test(r.es_region ?? ''))).toBe(true);
    expect(readxlSheet(readFileSync(xlsx), 'codebook').rows.map((r) => r.item)).toContain('es_sector');
    const paradata = join(dir, 'external-paradata.csv');
    expect((await csi('export', 'external', '--paradata', '--out', paradata)).code).toBe(0);
    const rows = parse(readFileSync(paradata, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(new Set(rows.map((r) => r.id)).size).toBe(6);
    expect(rows.length).toBeGreaterThan(6);
    expect(rows.every((r) => Number(r.section_seconds) > 0)).toBe(true);
  }, HUNG);

  it('imports paper questionnaires once, reports bad rows by line and item, and exits non-zero for them', async () => {
    const exported = parse(readFileSync(join(dir, 'org.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const columns = Object.keys(exported[0] ?? {}).filter((c) => c.startsWith('os_'));
    const rows: Array<Record<string, string>> = exported.slice(0, 6).map((r, i) => ({ ...Object.fromEntries(columns.map((c) => [c, r[c] ?? ''])), os_org_id: `paper-${i}` }));
    rows[2] = { ...rows[2], os_year_founded: '1850' };
    rows[4] = { ...rows[4], os_has_board: '98' }; // numeric export code of don't know
    const file = join(dir, 'paper.csv');
    writeFileSync(file, `${columns.join(',')}\n${rows.map((r) => columns.map((c) => JSON.stringify(r[c] ?? '')).join(',')).join('\n')}\n`);

    const first = await csi('import', 'organisational', file);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/6 rows: 5 imported, 0 already present, 1 failed/);
    const report = parse(readFileSync(`${file}.errors.csv`, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(report).toEqual([expect.objectContaining({ line: '4', item: 'os_year_founded', value: '1850', keyword: 'minimum' })]);

    const again = await csi('import', 'organisational', file);
    expect(again.stdout).toMatch(/6 rows: 0 imported, 5 already present, 1 failed/);
    expect((await csi('seed', 'organisational', '--count', '1', '--seed', '99')).code).toBe(0);
    const all = parse((await csi('export', 'organisational')).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(all).toHaveLength(25 + 5 + 1);
    expect(all.find((r) => r.os_org_id === 'paper-4')?.os_has_board).toBe('dk');
  }, HUNG);

  it('manages users and tokens: add, list, disable; create and revoke a token', async () => {
    const added = await csi('users', 'add', 'dana', '--role', 'coordinator', '--regions', 'akmola,aktobe');
    expect(added.stdout).toMatch(/created dana \(coordinator\)/);
    expect(added.stdout).toMatch(/password \(shown once\): \S{20,}/);
    expect((await csi('users', 'list')).stdout).toMatch(/dana\tcoordinator\takmola,aktobe\tactive/);
    const token = await csi('tokens', 'create', 'dana', '--name', 'nightly');
    const id = /token (\S+) for dana/.exec(token.stdout)?.[1];
    expect(token.stdout).toMatch(/secret \(shown once\): csi_/);
    expect((await csi('tokens', 'revoke', id ?? 'x')).stdout).toMatch(/revoked/);
    expect((await csi('users', 'disable', 'dana')).stdout).toMatch(/disabled dana/);
    expect((await csi('users', 'list')).stdout).toMatch(/dana\tcoordinator\takmola,aktobe\tdisabled/);
    expect((await csi('users', 'add', 'dana', '--role', 'analyst')).code).toBe(2);
  }, HUNG);

  it('resets a password (shown once, every token revoked), enables a user again, and lists tokens without secrets', async () => {
    expect((await csi('users', 'add', 'erlan', '--role', 'interviewer')).code).toBe(0);
    const token = await csi('tokens', 'create', 'erlan', '--name', 'tablet-sync');
    const id = /token (\S+) for erlan/.exec(token.stdout)?.[1] ?? 'none';
    const secret = /secret \(shown once\): (\S+)/.exec(token.stdout)?.[1] ?? 'none';

    const listed = await csi('tokens', 'list');
    expect(listed.stdout).toMatch(/^id +user +name +kind +created +expires +revoked\n/);
    const row = () => listed.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(row()).toMatch(new RegExp(`^${id} +erlan +tablet-sync +api +\\S+Z +\\S+Z$`));
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain(createHash('sha256').update(secret).digest('hex'));

    const reset = await csi('users', 'reset-password', 'erlan');
    expect(reset.code).toBe(0);
    const password = /password \(shown once\): (\S{20,})/.exec(reset.stdout)?.[1] ?? '';
    const store = new SqliteStore(join(dir, 'csi.sqlite'));
    try {
      const erlan = await store.findUserByUsername('erlan');
      expect(await verifyPassword(password, erlan?.passwordHash ?? '')).toBe(true);
      const audited = await store.listAudit({ target: `user:${erlan?.id ?? ''}` }, 10);
      expect(audited.items.map((e) => [e.actor, e.action, e.details])).toContainEqual(['cli', 'user.updated', { passwordChanged: true, tokensRevoked: 1 }]);
    } finally {
      await store.close();
    }
    expect((await csi('tokens', 'list')).stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/ \S+Z +\S+Z +\S+Z$/);

    const chosen = await csi('users', 'reset-password', 'erlan', '--password', 'a chosen long password');
    expect(chosen.stdout).toMatch(/new password set for erlan/);
    expect(chosen.stdout).not.toMatch(/shown once/);
    expect((await csi('users', 'disable', 'erlan')).code).toBe(0);
    expect((await csi('users', 'enable', 'erlan')).stdout).toMatch(/enabled erlan/);
    expect((await csi('users', 'list')).stdout).toMatch(/erlan\tinterviewer\tall regions\tactive/);
    const nobody = await csi('users', 'reset-password', 'nobody');
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/^404\.4 There is no such user:\n {2}username: nobody\n$/);
  }, HUNG);

  it('prints a refused input as its error list with the allowed values, never a pointer to details or JSON', async () => {
    const role = await csi('users', 'add', 'farida', '--role', 'boss');
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('400.2 The request does not match the schema:\n  /role (rule: enum): must be equal to one of the allowed values\n    allowed: interviewer, coordinator, analyst, admin\n');
    const region = await csi('users', 'add', 'farida', '--role', 'coordinator', '--regions', 'akmola,atlantis');
    expect(region.code).toBe(2);
    const regions = (questionnaires.population.$defs.region as { enum: string[] }).enum;
    expect(region.stderr).toContain(`  /regions/1 (rule: enum): "atlantis" is not a region: must be one of the ps_region codes\n    allowed: ${regions.join(', ')}\n`);
    for (const { stderr } of [role, region]) {
      expect(stderr).not.toMatch(/details|[{}[\]]/);
    }
    expect((await csi('users', 'list')).stdout).not.toContain('farida');
  }, HUNG);

  it('prints weighted tallies as a table, and the same numbers as CSV and JSON', async () => {
    expect((await csi('seed', 'population', '--count', '120', '--seed', '5')).code).toBe(0);
    const table = await csi('tallies', 'population', '--items', 'ps_trust_people', '--by', 'ps_gender');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/population: 120 responses, weighted: raked to ps_region, ps_ethnicity, ps_gender, ps_settlement_type \((NOT )?converged in \d+ iterations, largest margin gap [\d.]+e-?\d+\); 95% CI of shares: logit; of means: wald/);
    expect(table.stdout).toMatch(/ps_trust_people by ps_gender · Kish effective n \d+\ngroup +category +estimate +se +95% CI +n +base +deff/);
    const json = JSON.parse((await csi('tallies', 'population', '--items', 'ps_trust_people', '--by', 'ps_gender', '--format', 'json')).stdout);
    const all = json.items[0].overall.estimates.find((e: { category: string }) => e.category === 'most_can_be_trusted');
    expect(table.stdout).toContain(`all     most_can_be_trusted  ${`${(all.estimate * 100).toFixed(1)}%`.padStart(8)}`);
    // The interval printed is the API's logit interval, inside [0, 100%].
    expect(table.stdout).toContain(`${(all.ci95[0] * 100).toFixed(1)}% - ${(all.ci95[1] * 100).toFixed(1)}%`);
    expect(all.interval).toBe('logit');
    const beta = await csi('tallies', 'population', '--items', 'ps_trust_people', '--ci', 'beta');
    expect(beta.stdout).toMatch(/95% CI of shares: beta \(Korn-Graubard\)/);
    const scale = await csi('tallies', 'population', '--items', 'ps_justify_cheat_taxes', '--stat', 'mean', '--by', 'ps_gender');
    expect(scale.code).toBe(0);
    expect(scale.stdout).toMatch(/ps_justify_cheat_taxes \(mean\) by ps_gender/);
    expect(scale.stdout).toMatch(/\nall +mean +\d+\.\d\d +\d\.\d{3} +\d+\.\d\d - \d+\.\d\d +\d+ +\d+ +\d\.\d\d\n/);
    const trimmed = await csi('tallies', 'population', '--items', 'ps_gender', '--trim', '0.9,1.1');
    expect(trimmed.code).toBe(2);
    expect(trimmed.stderr).toMatch(/422\.1 [\s\S]*the margins need weights from/);
    const csv = parse((await csi('tallies', 'population', '--items', 'ps_trust_people', '--by', 'ps_gender', '--format', 'csv')).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Number(csv.find((r) => r.group === 'all' && r.category === 'most_can_be_trusted')?.estimate)).toBe(all.estimate);
    const unweighted = await csi('tallies', 'population', '--items', 'ps_trust_people', '--unweighted');
    expect(unweighted.stdout).toMatch(/120 responses, unweighted/);
    const bad = await csi('tallies', 'population', '--items', 'ps_nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^400\.3 [^\n]*:\n( {2}.*\n)* {2}.*ps_nope/);
  }, HUNG);

  it('prints the CSI indicator matrix as a table in Appendix 1 order, and the same numbers as CSV and JSON', async () => {
    for (const [survey, seed] of [['population', '5'], ['organisational', '3'], ['external', '6']]) expect((await csi('seed', survey as string, '--count', '40', '--seed', seed as string)).code).toBe(0);
    const table = await csi('indicators');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/CSI indicators \(matrix [\d.]+\) from \d+ population, \d+ organisational and \d+ external responses; population indicators unweighted/);
    expect(table.stdout).toMatch(/\nid +name +score +n +base +se +source +conf +default +reason\n/);
    const json = JSON.parse((await csi('indicators', '--format', 'json')).stdout);
    expect(json.indicators).toHaveLength(65);
    const trust = json.indicators.find((i: { id: string }) => i.id === '5.3.1');
    expect(table.stdout).toMatch(new RegExp(`\\n    5\\.3\\.1 +    .*? +${(Math.floor(trust.value * 10 + 0.5) / 10).toFixed(1)} +${trust.n} +${trust.base} `));
    const csv = parse((await csi('indicators', '--format', 'csv', '--lang', 'kk', '--by', 'ps_region')).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv[0]).toMatchObject({ level: 'dimension', id: '1', name: 'Азаматтық белсенділік' });
    expect(Number(csv.find((r) => r.id === '5.3.1' && r.group === 'all')?.value)).toBe(trust.value);
    expect((await csi('indicators', '--format', 'xml')).code).toBe(2);
  }, HUNG);

  // Through the operator's entry (bin/csi.js and tsx); the other tests run the same CLI bundled once (csi-cli.ts).
  it('refuses unknown commands and surveys with usage', async () => {
    const entry = (...args: string[]) => runCsiEntry({ DATA_DIR: dir }, ...args);
    const bad = await entry('frobnicate', 'population');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/usage/);
    expect((await entry('seed', 'census')).code).toBe(2);
    expect(existsSync(join(dir, 'csi.sqlite'))).toBe(true);
  }, HUNG);
});
