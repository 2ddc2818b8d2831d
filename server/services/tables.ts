/**
 * Small result tables (tallies, the indicator matrix) as downloads: CSV with an optional byte-order mark, at full
 * precision or rounded as displayed; the Excel form of the same table is one sheet of xlsx.ts.
 */
import { stringify } from 'csv-stringify/sync';
import { SAFE_CSV_CAST } from '../domain/csv-cells.js';

/** `display`: numbers rounded as the dashboard and the CLI table show them; `full`: as computed. */
export type Precision = 'display' | 'full';

export interface Table {
  columns: string[];
  rows: unknown[][];
}

export interface DownloadOptions {
  precision?: Precision;
  /** Start with a UTF-8 byte-order mark, so Excel reads Kazakh and Russian text as UTF-8. */
  bom?: boolean;
}

/** A table as CSV: numbers in JavaScript's shortest round-trip form, booleans as true/false, formulas escaped. */
export function tableCsv(table: Table, bom = false): string {
  return stringify(table.rows, {
    header: true, columns: table.columns, bom,
    cast: { ...SAFE_CSV_CAST, number: (v) => (Number.isFinite(v) ? String(v) : ''), boolean: (b) => (b ? 'true' : 'false') },
  });
}
