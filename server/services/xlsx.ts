/**
 * Excel workbooks, streamed with exceljs's WorkbookWriter: each row is committed (written as XML into the zip) as
 * soon as it is added, strings are written inline rather than through a shared-strings table (which would hold
 * every distinct string until the end), and the producer waits whenever the consumer has not taken the bytes
 * already zipped. Memory so stays flat whatever the number of rows. No cell styles: exceljs's style bookkeeping
 * doubles the time per cell, and a frozen header row tells the columns apart as well as bold would.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
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

async function writeSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, output: PassThrough, sheet: Sheet): Promise<void> {
  const ws = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = sheet.columns.map((header, i) => ({ header, key: `c${i}`, width: sheet.widths?.[i] ?? 14 }));
  ws.getRow(1).commit();
  for await (const row of sheet.rows) {
    ws.addRow(row.map(xlsxCell)).commit();
    // The zip pipes into `output`; when the reader lags, stop producing until it catches up.
    if (output.writableNeedDrain) await once(output, 'drain');
  }
  ws.commit();
}

/** The workbook as a stream; an error in a row source destroys the stream with it. */
export function xlsxStream(sheets: readonly Sheet[]): Readable {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: false, useSharedStrings: false });
  void (async () => {
    for (const sheet of sheets) await writeSheet(workbook, output, sheet);
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
