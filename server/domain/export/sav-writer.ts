/**
 * An SPSS system file (.sav) writer, written against the GNU PSPP Developers Guide, chapter "System File Format",
 * because the npm writers are few and unmaintained (`sav-writer` 1.0.0: one release, no repository). Pure: it
 * turns columns into the dictionary's bytes and each case into compressed bytes; the caller does the I/O.
 *
 * Choices, each for streaming or for reading back right:
 * - The case count in the header is -1 (unknown), so the dictionary goes out before the first row is read.
 * - Bytecode compression (the format's standard "compression 1"): blank string chunks and small integer codes
 *   take one byte, so wide text fields and -98..151 codes cost almost nothing.
 * - UTF-8 throughout, declared by the character-encoding record (7/20) and code page 65001 in record 7/3, so PSPP,
 *   SPSS and haven read Kazakh and Russian labels as written.
 * - Short names are V1, V2, …: item ids are longer than 8 bytes, so the long-names record (7/13) carries them.
 * - Strings wider than 255 bytes are "very long strings": segments of 255 bytes for every 252 of width (7/14).
 */
import { fitUtf8, variableLabel, type ExportColumn, type Measure } from './columns.js';

const BIAS = 100;
const SYSMIS = -Number.MAX_VALUE;
/** Limits SPSS documents: labels past them are cut (between characters) rather than making a file SPSS refuses. */
const MAX_VARIABLE_LABEL = 255;
const MAX_VALUE_LABEL = 120;
const MAX_MISSING = 3;
const VLS_CHUNK = 252;
const MIN_VERY_LONG = 256;

/** One variable record group of the file: a column has one, a very long string one per segment. */
interface Segment {
  shortName: string;
  /** 0 numeric, else string width in bytes (at most 255). */
  width: number;
  /** Bytes of the column's value this segment holds, and from where. */
  offset: number;
  used: number;
}

interface Layout {
  column: ExportColumn;
  /** Declared width: numerics 0, strings the full (possibly very long) width. */
  width: number;
  segments: Segment[];
  /** 1-based dictionary index of the first variable record (value labels point at it). */
  index: number;
}

const units = (width: number) => (width === 0 ? 1 : Math.ceil(width / 8));

function segmentsOf(width: number, name: () => string): Segment[] {
  if (width < MIN_VERY_LONG) return [{ shortName: name(), width, offset: 0, used: width === 0 ? 8 : width }];
  const n = Math.ceil(width / VLS_CHUNK);
  return Array.from({ length: n }, (_, i) => {
    const segWidth = i < n - 1 ? 255 : width - (n - 1) * VLS_CHUNK;
    // Data is packed 255 bytes per segment: the last holds what is left, at most its width.
    return { shortName: name(), width: segWidth, offset: i * 255, used: Math.max(0, Math.min(segWidth, width - i * 255)) };
  });
}

function layoutOf(columns: ExportColumn[]): Layout[] {
  let counter = 0;
  let index = 1;
  const name = () => `V${(counter += 1)}`;
  return columns.map((column) => {
    const width = column.type === 'numeric' ? 0 : Math.min(32767, Math.max(1, column.width));
    const segments = segmentsOf(width, name);
    const layout = { column, width, segments, index };
    index += segments.reduce((n, s) => n + units(s.width), 0);
    return layout;
  });
}

/** A little-endian byte builder: the dictionary is a few kilobytes, built once. */
class Bytes {
  private parts: Buffer[] = [];
  int(...values: number[]): this {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, i * 4));
    this.parts.push(b);
    return this;
  }
  double(...values: number[]): this {
    const b = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => b.writeDoubleLE(v, i * 8));
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** Text padded with spaces (or cut) to exactly `size` bytes. */
  fixed(text: string, size: number): this {
    const b = Buffer.alloc(size, 0x20);
    Buffer.from(fitUtf8(text, size)).copy(b);
    return this.raw(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const pad = (n: number, to: number) => Math.ceil(n / to) * to;

function format(column: ExportColumn, segmentWidth: number): number {
  if (column.type === 'string') return (1 << 16) | (Math.min(255, segmentWidth) << 8);
  return (5 << 16) | (Math.min(40, column.width) << 8) | column.decimals;
}

function variableRecords(out: Bytes, layout: Layout): void {
  const { column } = layout;
  layout.segments.forEach((segment, i) => {
    const first = i === 0;
    const label = first ? Buffer.from(variableLabel(column, MAX_VARIABLE_LABEL)) : null;
    const missing = first && column.type === 'numeric' ? column.missing.slice(0, MAX_MISSING) : [];
    const fmt = format(column, segment.width);
    out.int(2, segment.width, label ? 1 : 0, missing.length, fmt, fmt).fixed(segment.shortName, 8);
    if (label) out.int(label.length).raw(Buffer.concat([label, Buffer.alloc(pad(label.length, 4) - label.length)]));
    if (missing.length) out.double(...missing);
    // A string wider than 8 bytes takes one dummy record per further 8 bytes.
    for (let k = 1; k < units(segment.width); k += 1) out.int(2, -1, 0, 0, 0, 0).fixed('', 8);
  });
}

function valueLabelRecords(out: Bytes, layout: Layout): void {
  const labels = layout.column.type === 'numeric' ? layout.column.valueLabels : [];
  if (labels.length === 0) return;
  out.int(3, labels.length);
  for (const [code, text] of labels) {
    const bytes = Buffer.from(fitUtf8(text, MAX_VALUE_LABEL));
    const size = pad(bytes.length + 1, 8);
    const entry = Buffer.alloc(size, 0x20);
    entry.writeUInt8(bytes.length, 0);
    bytes.copy(entry, 1);
    out.double(code).raw(entry);
  }
  out.int(4, 1, layout.index);
}

const MEASURE_CODES: Record<Measure, number> = { nominal: 1, ordinal: 2, scale: 3 };

function extension(out: Bytes, subtype: number, size: number, body: Buffer): void {
  out.int(7, subtype, size, body.length / size).raw(body);
}

function machineRecords(out: Bytes): void {
  const ints = new Bytes().int(1, 0, 0, -1, 1, 1, 2, 65001).done();
  extension(out, 3, 4, ints);
  const lowest = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff]);
  extension(out, 4, 8, Buffer.concat([new Bytes().double(SYSMIS, Number.MAX_VALUE).done(), lowest]));
}

function displayRecord(out: Bytes, layouts: Layout[]): void {
  const body = new Bytes();
  for (const { column, segments } of layouts) {
    const shown = column.type === 'string' ? Math.min(40, column.width) : Math.min(40, column.width);
    for (let i = 0; i < segments.length; i += 1) body.int(MEASURE_CODES[column.measure], shown, column.type === 'string' ? 0 : 1);
  }
  extension(out, 11, 4, body.done());
}

function namesRecords(out: Bytes, layouts: Layout[]): void {
  const names = layouts.map((l) => `${l.segments[0]?.shortName}=${l.column.name}`).join('\t');
  extension(out, 13, 1, Buffer.from(names));
  const vls = layouts.filter((l) => l.segments.length > 1).map((l) => `${l.segments[0]?.shortName}=${String(l.width).padStart(5, '0')}\0\t`).join('');
  if (vls) extension(out, 14, 1, Buffer.from(vls));
  extension(out, 20, 1, Buffer.from('UTF-8'));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

function fileHeader(out: Bytes, caseUnits: number, fileLabel: string, created: Date): void {
  const date = `${two(created.getUTCDate())} ${MONTHS[created.getUTCMonth()]} ${two(created.getUTCFullYear() % 100)}`;
  const time = `${two(created.getUTCHours())}:${two(created.getUTCMinutes())}:${two(created.getUTCSeconds())}`;
  out.fixed('$FL2', 4).fixed('@(#) SPSS DATA FILE csi-survey', 60);
  out.int(2, caseUnits, 1, 0, -1).double(BIAS).fixed(date, 9).fixed(time, 8).fixed(fileLabel, 64).raw(Buffer.alloc(3));
}

export interface SavOptions {
  fileLabel: string;
  created: Date;
}

/**
 * Writes one file: `dictionary()` first, then `row()` per case, then `end()`. Rows come back as the compressed bytes
 * completed so far: a block of eight codes is written once full, so a few bytes wait between calls.
 */
export class SavWriter {
  private readonly layouts: Layout[];
  private codes: number[] = [];
  private data: Buffer[] = [];

  constructor(columns: ExportColumn[], private readonly options: SavOptions) {
    this.layouts = layoutOf(columns);
  }

  dictionary(): Buffer {
    const out = new Bytes();
    const caseUnits = this.layouts.reduce((n, l) => n + l.segments.reduce((m, s) => m + units(s.width), 0), 0);
    fileHeader(out, caseUnits, this.options.fileLabel, this.options.created);
    for (const layout of this.layouts) variableRecords(out, layout);
    for (const layout of this.layouts) valueLabelRecords(out, layout);
    machineRecords(out);
    displayRecord(out, this.layouts);
    namesRecords(out, this.layouts);
    out.int(999, 0);
    return out.done();
  }

  row(values: ReadonlyArray<number | string | null>): Buffer {
    const out: Buffer[] = [];
    this.layouts.forEach((layout, i) => {
      const value = values[i] ?? null;
      if (layout.width === 0) this.number(typeof value === 'number' ? value : null, out);
      else this.string(value === null ? '' : String(value), layout, out);
    });
    return Buffer.concat(out);
  }

  /** Flushes the last, partly filled block of codes (padded with code 0, which readers skip). */
  end(): Buffer {
    if (this.codes.length === 0) return Buffer.alloc(0);
    while (this.codes.length < 8) this.codes.push(0);
    const out: Buffer[] = [];
    this.flush(out);
    return Buffer.concat(out);
  }

  private number(value: number | null, out: Buffer[]): void {
    if (value === null || !Number.isFinite(value)) return this.code(255, null, out);
    if (Number.isInteger(value) && value + BIAS >= 1 && value + BIAS <= 251) return this.code(value + BIAS, null, out);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.code(253, b, out);
  }

  private string(value: string, layout: Layout, out: Buffer[]): void {
    const bytes = Buffer.from(fitUtf8(value, layout.width));
    for (const segment of layout.segments) {
      const slot = Buffer.alloc(units(segment.width) * 8, 0x20);
      if (segment.offset < bytes.length) bytes.copy(slot, 0, segment.offset, Math.min(bytes.length, segment.offset + segment.used));
      for (let k = 0; k < slot.length; k += 8) {
        const chunk = slot.subarray(k, k + 8);
        if (chunk.every((c) => c === 0x20)) this.code(254, null, out);
        else this.code(253, chunk, out);
      }
    }
  }

  private code(code: number, data: Buffer | null, out: Buffer[]): void {
    this.codes.push(code);
    if (data) this.data.push(data);
    if (this.codes.length === 8) this.flush(out);
  }

  private flush(out: Buffer[]): void {
    out.push(Buffer.from(this.codes), ...this.data);
    this.codes = [];
    this.data = [];
  }
}
