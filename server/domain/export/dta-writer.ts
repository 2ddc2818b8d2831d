/**
 * A Stata .dta writer, format 118 (Stata 14 and later, UTF-8), written against Stata's `help dta`, for want of a
 * maintained JavaScript writer. Pure: it turns columns into bytes; the caller does the I/O.
 *
 * Format 118 puts the number of observations and a map of section offsets in the header, so the caller must know
 * how many rows it will write before the first one (the export counts them in a first pass over the store). Every
 * other section is fixed-size or comes after the data, so rows still stream one at a time. Choices:
 * - Numbers are doubles (codes too), blanks Stata's system missing `.`. Don't know (98) and refused (99) stay
 *   codes with value labels, as in the .sav: Stata has no user-missing values, and one number per answer in every
 *   format matters more (`mvdecode _all, mv(98 99 -98 -99)` makes them missing; the README says so).
 * - Strings are fixed-width `str1`…`str2045`, as wide as the widest value the caller measured. Longer text (over
 *   2045 bytes, possible only for the 2000-character policy answers in a non-Latin script) is cut between
 *   characters: Stata's strL would need every long value held until after the data, breaking flat memory.
 * - Each variable with value labels gets a label set of its own name.
 */
import { fitUtf8, variableLabel, type ExportColumn } from './columns.js';

const TYPE_DOUBLE = 65526;
export const DTA_MAX_STR = 2045;
/** Stata's system missing `.` as a double. */
const MISSING_DOUBLE = Buffer.from([0, 0, 0, 0, 0, 0, 0xe0, 0x7f]);
const NAME_BYTES = 129;
const FORMAT_BYTES = 57;
const LABEL_BYTES = 321;
/** Stata shows labels of up to 80 characters; format 118 stores them in 320 bytes of UTF-8. */
const MAX_LABEL_CHARS = 80;

const tag = (name: string, body: Buffer = Buffer.alloc(0)) => Buffer.concat([Buffer.from(`<${name}>`), body, Buffer.from(`</${name}>`)]);

/** Text in a NUL-padded field of `size` bytes (at most size - 1 bytes of text). */
function field(text: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  Buffer.from(fitUtf8(text, size - 1)).copy(b);
  return b;
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
}

function i32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
}

/** Storage width of a column: 8 bytes for a double, the string's own width (1 to 2045) otherwise. */
function storage(column: ExportColumn): number {
  return column.type === 'numeric' ? 8 : Math.min(DTA_MAX_STR, Math.max(1, column.width));
}

function displayFormat(column: ExportColumn): string {
  if (column.type === 'string') return `%-${Math.min(storage(column), 60)}s`;
  return column.decimals > 0 ? `%${column.width}.${column.decimals}f` : `%${Math.min(column.width, 12)}.0g`;
}

function labelTable(column: ExportColumn): Buffer {
  const entries = column.valueLabels;
  const texts = entries.map(([, text]) => Buffer.concat([Buffer.from(text), Buffer.alloc(1)]));
  const offsets: number[] = [];
  let at = 0;
  for (const t of texts) {
    offsets.push(at);
    at += t.length;
  }
  const table = Buffer.concat([i32(entries.length, at), i32(...offsets), i32(...entries.map(([code]) => code)), ...texts]);
  return tag('lbl', Buffer.concat([i32(table.length), field(column.name, NAME_BYTES), Buffer.alloc(3), table]));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

function timestamp(d: Date): string {
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

export interface DtaOptions {
  label: string;
  created: Date;
  /** Rows the caller will write: the header states it, and `end()` refuses any other number. */
  observations: number;
}

/** Writes one file: `header()`, then `row()` for each of exactly `observations` rows, then `end()`. */
export class DtaWriter {
  private readonly widths: number[];
  private readonly valueLabels: Buffer;
  private written = 0;

  constructor(private readonly columns: ExportColumn[], private readonly options: DtaOptions) {
    this.widths = columns.map(storage);
    this.valueLabels = tag('value_labels', Buffer.concat(columns.filter((c) => c.type === 'numeric' && c.valueLabels.length > 0).map(labelTable)));
  }

  get rowBytes(): number {
    return this.widths.reduce((a, b) => a + b, 0);
  }

  /** Everything before the first row: header, map, dictionary sections, and the opening `<data>` tag. */
  header(): Buffer {
    const { columns, options } = this;
    const label = Buffer.from(fitUtf8(options.label, 320, MAX_LABEL_CHARS));
    const stamp = Buffer.from(timestamp(options.created));
    const head = Buffer.concat([
      Buffer.from('<stata_dta>'),
      tag('header', Buffer.concat([
        tag('release', Buffer.from('118')), tag('byteorder', Buffer.from('LSF')), tag('K', u16(columns.length)),
        tag('N', u64(options.observations)), tag('label', Buffer.concat([u16(label.length), label])),
        tag('timestamp', Buffer.concat([Buffer.from([stamp.length]), stamp])),
      ])),
    ]);
    const sections = [
      tag('variable_types', u16(...columns.map((c, i) => (c.type === 'numeric' ? TYPE_DOUBLE : this.widths[i] as number)))),
      tag('varnames', Buffer.concat(columns.map((c) => field(c.name, NAME_BYTES)))),
      tag('sortlist', u16(...new Array<number>(columns.length + 1).fill(0))),
      tag('formats', Buffer.concat(columns.map((c) => field(displayFormat(c), FORMAT_BYTES)))),
      tag('value_label_names', Buffer.concat(columns.map((c) => field(c.type === 'numeric' && c.valueLabels.length > 0 ? c.name : '', NAME_BYTES)))),
      tag('variable_labels', Buffer.concat(columns.map((c) => field(variableLabel(c, LABEL_BYTES - 1, MAX_LABEL_CHARS), LABEL_BYTES)))),
      tag('characteristics'),
    ];
    const mapBytes = tag('map', Buffer.alloc(14 * 8)).length;
    const offsets: number[] = [0, head.length];
    let at = head.length + mapBytes;
    for (const s of sections) {
      offsets.push(at);
      at += s.length;
    }
    const dataBytes = '<data></data>'.length + options.observations * this.rowBytes;
    const strls = tag('strls').length;
    offsets.push(at, at + dataBytes, at + dataBytes + strls);
    const closing = at + dataBytes + strls + this.valueLabels.length;
    offsets.push(closing, closing + '</stata_dta>'.length);
    const map = tag('map', Buffer.concat(offsets.map(u64)));
    return Buffer.concat([head, map, ...sections, Buffer.from('<data>')]);
  }

  row(values: ReadonlyArray<number | string | null>): Buffer {
    this.written += 1;
    if (this.written > this.options.observations) throw new Error(`dta: more rows than the ${this.options.observations} announced`);
    const out = Buffer.alloc(this.rowBytes);
    let at = 0;
    this.columns.forEach((column, i) => {
      const value = values[i] ?? null;
      const width = this.widths[i] as number;
      if (column.type === 'numeric') {
        if (typeof value === 'number' && Number.isFinite(value)) out.writeDoubleLE(value, at);
        else MISSING_DOUBLE.copy(out, at);
      } else if (value !== null) {
        Buffer.from(fitUtf8(String(value), width)).copy(out, at);
      }
      at += width;
    });
    return out;
  }

  end(): Buffer {
    if (this.written !== this.options.observations) throw new Error(`dta: ${this.written} rows written, ${this.options.observations} announced`);
    return Buffer.concat([Buffer.from('</data>'), tag('strls'), this.valueLabels, Buffer.from('</stata_dta>')]);
  }
}

/** Keeps the widest value of each string column in UTF-8 bytes, as rows go past (the first of the two passes). */
export class StringWidths {
  private readonly widest: number[];
  constructor(private readonly columns: ExportColumn[]) {
    this.widest = columns.map(() => 1);
  }
  see(values: ReadonlyArray<number | string | null>): void {
    this.columns.forEach((c, i) => {
      const v = values[i];
      if (c.type === 'string' && typeof v === 'string') this.widest[i] = Math.max(this.widest[i] as number, Buffer.byteLength(v));
    });
  }
  /** The columns with each string's width set to its widest value, within what a .dta can hold. */
  apply(): ExportColumn[] {
    return this.columns.map((c, i) => (c.type === 'string' ? { ...c, width: Math.min(DTA_MAX_STR, this.widest[i] as number) } : c));
  }
}
