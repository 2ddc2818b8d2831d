/**
 * Excel workbooks, streamed with exceljs's WorkbookWriter: each row is committed (written as XML into the zip) as
 * soon as it is added, strings are written inline rather than through a shared-strings table (which would hold
 * every distinct string until the end), and the producer waits whenever the zip or its reader lags behind.
 * Memory so stays flat whatever the number of rows. No cell styles: exceljs's style bookkeeping
 * doubles the time per cell, and a frozen header row tells the columns apart as well as bold would.
 */
import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';

export interface Sheet {
  name: string;
  columns: readonly string[];
  rows: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>;
  /** Column widths in characters (default 14). */
  widths?: readonly number[];
}

/** A cell as Excel types it: numbers and booleans as such, everything structured as JSON text, blanks empty. */
export function xlsxCell(value: unknown): ExcelJS.CellValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Resolves when `stream` has passed on what it buffered, or when the reader went away (`output` was destroyed). */
async function drained(stream: Writable, output: PassThrough): Promise<void> {
  const ac = new AbortController();
  await Promise.race([once(stream, 'drain', { signal: ac.signal }), once(output, 'close', { signal: ac.signal })]).finally(() => ac.abort());
}

/**
 * Where a worksheet's XML goes before the zip deflates it: exceljs writes each sheet into a buffer of its own
 * (`stream`) that pushes 64 KiB batches into the zip entry's input (`pipes[0]`, a PassThrough) without heeding its
 * backpressure. Deflating is slower than writing XML, so without waiting on that input the zip's backlog grows with
 * the rows (hundreds of MiB for 100,000 responses). Internal to exceljs 4.4: pinned in package.json.
 */
function entryInput(ws: ExcelJS.Worksheet): Writable | undefined {
  return (ws as unknown as { stream?: { pipes?: Writable[] } }).stream?.pipes?.[0];
}

/** Whether a writable asked its writer to wait; archiver's PassThrough comes from readable-stream 2, which predates `writableNeedDrain`. */
function needsDrain(w: Writable): boolean {
  return w.writableNeedDrain ?? (w as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain ?? false;
}

/** Writes one sheet; false when the reader went away (leaving the loop closes the row source, e.g. a store cursor). */
async function writeSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, output: PassThrough, sheet: Sheet): Promise<boolean> {
  const ws = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = sheet.columns.map((header, i) => ({ header, key: `c${i}`, width: sheet.widths?.[i] ?? 14 }));
  ws.getRow(1).commit();
  for await (const row of sheet.rows) {
    ws.addRow(row.map(xlsxCell)).commit();
    // Stop producing while the zip lags behind the rows, or the reader behind the zip.
    const input = entryInput(ws);
    if (input && needsDrain(input)) await drained(input, output);
    if (output.writableNeedDrain) await drained(output, output);
    if (output.destroyed) return false;
  }
  ws.commit();
  return true;
}

/** The workbook as a stream; an error in a row source destroys the stream with it. */
export function xlsxStream(sheets: readonly Sheet[]): Readable {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: false, useSharedStrings: false });
  void (async () => {
    for (const sheet of sheets) if (!(await writeSheet(workbook, output, sheet))) return;
    await workbook.commit();
  })().catch((error: unknown) => output.destroy(error as Error));
  return output;
}

/** A small workbook in memory (tallies, the indicator matrix). */
export async function xlsxBuffer(sheets: readonly Sheet[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of xlsxStream(sheets)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
