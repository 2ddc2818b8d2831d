/** A sheet of an .xlsx as R's readxl reads it (tests/fixtures/xlsx/read-sheet.R): rows as strings and column classes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'xlsx', 'read-sheet.R');

export interface ReadSheet {
  columns: string[];
  rows: Array<Record<string, string>>;
  /** R class of each column: numeric, character, logical. */
  types: Record<string, string>;
}

export function readxlSheet(xlsx: Buffer, sheet: string): ReadSheet {
  const dir = mkdtempSync(join(tmpdir(), 'csi-readxl-'));
  const file = join(dir, 'in.xlsx');
  const out = join(dir, `${sheet}.csv`);
  writeFileSync(file, xlsx);
  execFileSync('Rscript', [SCRIPT, file, sheet, out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const text = readFileSync(out, 'utf8');
  const [header] = parse(text, { to_line: 1 }) as string[][];
  const types = parse(readFileSync(`${out}.types.csv`, 'utf8'), { columns: true }) as Array<{ column: string; class: string }>;
  return { columns: header ?? [], rows: parse(text, { columns: true }) as Array<Record<string, string>>, types: Object.fromEntries(types.map((t) => [t.column, t.class])) };
}

/** Two cells as the same value: numerically when both read as numbers, otherwise as text. */
export function sameCell(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
}
