// Paper questionnaires imported with the csi command line are credited to the interviewer the form names
// (ps_interviewer_id) or the one the import names (--interviewer), never to the operator; the error report shows
// each bad value beside its item. On a real embedded store of its own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCsi } from '../support/csi-cli.js';


describe('csi import of paper questionnaires', () => {
  let dir: string;
  const csi = (...args: string[]) => runCsi({ DATA_DIR: dir }, ...args);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csi-import-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('credits imported paper forms to the interviewer they name, or to --interviewer, and shows each bad value in the error report', async () => {
    expect((await csi('seed', 'population', '--count', '6', '--seed', '21')).code).toBe(0);
    const exported = parse((await csi('export', 'population', '--status', 'submitted')).stdout, { columns: true }) as Array<Record<string, string>>;
    const columns = [...new Set([...Object.keys(exported[0] ?? {}).filter((c) => c.startsWith('ps_') && c !== 'ps_age_band' && c !== 'ps_ses_group'), 'ps_interviewer_id'])];
    const rows: Array<Record<string, string>> = exported.slice(0, 5).map((r, i) => ({ ...Object.fromEntries(columns.map((c) => [c, r[c] ?? ''])), ps_respondent_id: `paper-pop-${i}`, ps_interviewer_id: '' }));
    rows[0] = { ...rows[0], ps_interviewer_id: 'zhanna' };
    rows[1] = { ...rows[1], ps_interviewer_id: ' zhanna ' };
    rows[3] = { ...rows[3], ps_region: 'atlantis' };
    rows[4] = { ...rows[4], ps_age_years: '12' };
    const file = join(dir, 'paper-population.csv');
    writeFileSync(file, `${columns.join(',')}\n${rows.map((r) => columns.map((c) => JSON.stringify(r[c] ?? '')).join(',')).join('\n')}\n`);

    const imported = await csi('import', 'population', file, '--interviewer', 'marat');
    expect(imported.stdout).toMatch(/5 rows: 3 imported, 0 already present, 2 failed/);
    const report = parse(readFileSync(`${file}.errors.csv`, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(report).toEqual(expect.arrayContaining([
      expect.objectContaining({ line: '5', item: 'ps_region', value: 'atlantis' }),
      expect.objectContaining({ line: '6', item: 'ps_age_years', value: '12', keyword: 'minimum' }),
    ]));
    const all = parse((await csi('export', 'population')).stdout, { columns: true }) as Array<Record<string, string>>;
    const credited = Object.fromEntries(all.filter((r) => r.ps_respondent_id?.startsWith('paper-pop-')).map((r) => [r.ps_respondent_id, r.interviewer]));
    expect(credited).toEqual({ 'paper-pop-0': 'zhanna', 'paper-pop-1': 'zhanna', 'paper-pop-2': 'marat' });

    // Without --interviewer and without a name on the form, nobody is credited (never the operator's "import").
    const unnamed = join(dir, 'paper-unnamed.csv');
    writeFileSync(unnamed, `${columns.join(',')}\n${columns.map((c) => JSON.stringify(c === 'ps_respondent_id' ? 'paper-pop-9' : c === 'ps_interviewer_id' ? '' : (rows[2]?.[c] ?? ''))).join(',')}\n`);
    expect((await csi('import', 'population', unnamed)).stdout).toMatch(/1 rows: 1 imported/);
    const after = parse((await csi('export', 'population')).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(after.find((r) => r.ps_respondent_id === 'paper-pop-9')?.interviewer).toBe('');
    expect(after.some((r) => r.interviewer === 'import')).toBe(false);
  }, 120_000);

});
