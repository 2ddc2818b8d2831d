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
  /** The block being filled: eight codes, then the 8-byte data units of the codes that carry one. */
  private readonly block = Buffer.alloc(8 + 64);
  private codes = 0;
  private dataBytes = 0;
  /** Completed blocks of the current row, reused from row to row. */
  private out = Buffer.alloc(64 * 1024);
  private outBytes = 0;

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
    this.layouts.forEach((layout, i) => {
      const value = values[i] ?? null;
      if (layout.width === 0) this.number(typeof value === 'number' ? value : null);
      else this.string(value === null ? '' : String(value), layout);
    });
    return this.take();
  }

  /** Flushes the last, partly filled block of codes (padded with code 0, which readers skip). */
  end(): Buffer {
    if (this.codes > 0) {
      this.block.fill(0, this.codes, 8);
      this.codes = 8;
      this.flush();
    }
    return this.take();
  }

  private take(): Buffer {
    const done = Buffer.from(this.out.subarray(0, this.outBytes));
    this.outBytes = 0;
    return done;
  }

  private number(value: number | null): void {
    if (value === null || !Number.isFinite(value)) return this.code(255);
    if (Number.isInteger(value) && value + BIAS >= 1 && value + BIAS <= 251) return this.code(value + BIAS);
    this.block.writeDoubleLE(value, 8 + this.dataBytes);
    this.dataBytes += 8;
    this.code(253);
  }

  /** Each 8-byte unit of the string: blank ones as code 254 (most of a wide field), the others as raw bytes. */
  private string(value: string, layout: Layout): void {
    const bytes = value === '' ? EMPTY : Buffer.from(fitUtf8(value, layout.width));
    for (const segment of layout.segments) {
      const end = Math.min(bytes.length, segment.offset + segment.used);
      const held = Math.max(0, end - segment.offset);
      const unitsHeld = Math.ceil(held / 8);
      for (let k = 0; k < unitsHeld; k += 1) {
        const from = segment.offset + k * 8;
        const to = Math.min(end, from + 8);
        const at = 8 + this.dataBytes;
        this.block.fill(0x20, at, at + 8);
        bytes.copy(this.block, at, from, to);
        if (this.block.subarray(at, at + 8).every((c) => c === 0x20)) this.code(254);
        else {
          this.dataBytes += 8;
          this.code(253);
        }
      }
      for (let k = unitsHeld; k < units(segment.width); k += 1) this.code(254);
    }
  }

  private code(code: number): void {
    this.block[this.codes] = code;
    this.codes += 1;
    if (this.codes === 8) this.flush();
  }

  private flush(): void {
    const size = 8 + this.dataBytes;
    if (this.outBytes + size > this.out.length) {
      const bigger = Buffer.alloc(this.out.length * 2);
      this.out.copy(bigger, 0, 0, this.outBytes);
      this.out = bigger;
    }
    this.block.copy(this.out, this.outBytes, 0, size);
    this.outBytes += size;
    this.codes = 0;
    this.dataBytes = 0;
  }
}

const EMPTY = Buffer.alloc(0);
