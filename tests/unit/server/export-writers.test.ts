// The .sav and .dta writers against their format descriptions (GNU PSPP Developers Guide "System File Format";
// Stata `help dta`, format 118): header fields, bytecode compression, very long string segments, the dta map,
// missing values and value-label tables. Expected bytes are spelled out from the descriptions, not from the
// writers. Reading the files back with PSPP and R haven is tests/integration/analysis-files.test.ts.
import { describe, expect, it } from 'vitest';
import { exportColumnModel, fitUtf8, variableLabel, type ExportColumn } from '../../../server/domain/export/columns.js';
import { DtaWriter, StringWidths } from '../../../server/domain/export/dta-writer.js';
import { SavWriter } from '../../../server/domain/export/sav-writer.js';
import { cellValue } from '../../../server/domain/import-rows.js';
import { itemById } from '../../../schemas/items.js';

const numeric = (name: string, labels: Array<[number, string]> = [], missing: number[] = []): ExportColumn => ({
  name, question: `${name} question`, type: 'numeric', width: 8, decimals: 0, measure: 'nominal', valueLabels: labels, missing, value: () => null,
});
const text = (name: string, width: number): ExportColumn => ({
  name, question: `${name} question`, type: 'string', width, decimals: 0, measure: 'nominal', valueLabels: [], missing: [], value: () => null,
});
const created = new Date(Date.UTC(2026, 11, 7, 5, 4, 3));

/** Undoes bytecode compression (bias 100) into raw 8-byte units, straight from the format description. */
function decompress(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const codes = data.subarray(at, at + 8);
    at += 8;
    for (const code of codes) {
      if (code === 0) continue;
      if (code === 253) {
        units.push(data.subarray(at, at + 8));
        at += 8;
      } else if (code === 254) units.push(Buffer.from('        '));
      else if (code === 255) units.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff]));
      else {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(code - 100);
        units.push(b);
      }
    }
  }
  return units;
}

describe('SPSS .sav writer', () => {
  it('writes the file header: $FL2, layout 2, case size in 8-byte units, compressed, unknown case count, bias 100', () => {
    const w = new SavWriter([numeric('a'), text('b', 10), text('c', 600)], { fileLabel: 'Сауалнама', created });
    const dict = w.dictionary();
    expect(dict.subarray(0, 4).toString()).toBe('$FL2');
    expect(dict.subarray(4, 64).toString().trimEnd()).toMatch(/^@\(#\) SPSS DATA FILE/);
    // 1 numeric unit + 2 for a 10-byte string + 32 + 32 + 12 for a 600-byte very long string.
    expect([dict.readInt32LE(64), dict.readInt32LE(68), dict.readInt32LE(72), dict.readInt32LE(76), dict.readInt32LE(80)]).toEqual([2, 79, 1, 0, -1]);
    expect(dict.readDoubleLE(84)).toBe(100);
    expect(dict.subarray(92, 101).toString()).toBe('07 Dec 26');
    expect(dict.subarray(101, 109).toString()).toBe('05:04:03');
    expect(dict.subarray(109, 173).toString().trimEnd()).toBe('Сауалнама');
    expect(dict.readInt32LE(176)).toBe(2);
    expect(dict.subarray(dict.length - 8)).toEqual(Buffer.from([0xe7, 0x03, 0, 0, 0, 0, 0, 0])); // 999, 0
  });

  it('declares long names, the very long string, UTF-8, missing values and value labels', () => {
    const w = new SavWriter([numeric('ps_trust_people', [[1, 'Иә'], [98, 'Білмеймін']], [98, 99]), text('os_policy_text', 600)], { fileLabel: '', created });
    const dict = w.dictionary();
    expect(dict.includes(Buffer.from('V1=ps_trust_people\tV2=os_policy_text'))).toBe(true);
    expect(dict.includes(Buffer.from('V2=00600\0\t'))).toBe(true);
    expect(dict.includes(Buffer.from('UTF-8'))).toBe(true);
    // Record 7/3 says code page 65001 (UTF-8), little-endian.
    const at = dict.indexOf(Buffer.from([7, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0]));
    expect(dict.readInt32LE(at + 16 + 6 * 4)).toBe(2);
    expect(dict.readInt32LE(at + 16 + 7 * 4)).toBe(65001);
    // First variable record: numeric, labelled, two missing values 98 and 99 after its label.
    expect([dict.readInt32LE(176), dict.readInt32LE(180), dict.readInt32LE(184), dict.readInt32LE(188)]).toEqual([2, 0, 1, 2]);
    const labelLength = dict.readInt32LE(208);
    const afterLabel = 212 + Math.ceil(labelLength / 4) * 4;
    expect([dict.readDoubleLE(afterLabel), dict.readDoubleLE(afterLabel + 8)]).toEqual([98, 99]);
    // Value labels: record 3 with two labels, then record 4 naming dictionary index 1.
    const three = dict.indexOf(Buffer.from([3, 0, 0, 0, 2, 0, 0, 0]));
    expect(dict.readDoubleLE(three + 8)).toBe(1);
    expect(dict.readUInt8(three + 16)).toBe(Buffer.byteLength('Иә'));
    expect(dict.subarray(three + 17, three + 17 + 4).toString()).toBe('Иә');
    const four = dict.indexOf(Buffer.from([4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
    expect(four).toBeGreaterThan(three);
  });

  it('compresses cases: small integers as one code, system-missing 255, blank chunks 254, others 253 plus raw bytes', () => {
    const w = new SavWriter([numeric('a'), text('b', 10)], { fileLabel: '', created });
    w.dictionary();
    expect(w.row([1, 'abc'])).toHaveLength(0); // three codes: the block of eight is not full yet
    expect(w.row([null, '12345678x'])).toHaveLength(0);
    const tail = w.end();
    expect([...tail.subarray(0, 8)]).toEqual([101, 253, 254, 255, 253, 253, 0, 0]);
    expect(tail.subarray(8).toString()).toBe('abc     12345678x       ');
  });

  it('codes -99..151 in one byte and anything else as a raw double', () => {
    const w = new SavWriter([numeric('a'), numeric('b'), numeric('c'), numeric('d')], { fileLabel: '', created });
    w.dictionary();
    const rows = Buffer.concat([w.row([-99, 151, 152, 1.5]), w.row([-98, 0, -100, 98]), w.end()]);
    expect(decompress(rows).map((u) => u.readDoubleLE(0))).toEqual([-99, 151, 152, 1.5, -98, 0, -100, 98]);
  });

  it('packs a very long string 255 bytes to a segment, padding each segment to its 8-byte units', () => {
    const w = new SavWriter([text('t', 600)], { fileLabel: '', created });
    w.dictionary();
    const value = 'x'.repeat(254) + 'Ә' + 'y'.repeat(300);
    const units = decompress(Buffer.concat([w.row([value]), w.end()]));
    expect(units).toHaveLength(32 + 32 + 12);
    const raw = Buffer.concat(units);
    const bytes = Buffer.from(value);
    expect(raw.subarray(0, 255)).toEqual(bytes.subarray(0, 255));
    expect(raw[255]).toBe(0x20);
    expect(raw.subarray(256, 511)).toEqual(bytes.subarray(255, 510));
    expect(raw.subarray(512, 512 + 46).toString()).toBe(bytes.subarray(510).toString());
    expect(raw.subarray(512 + 46).toString().trim()).toBe('');
  });
});

describe('Stata .dta writer (format 118)', () => {
  const columns = [numeric('os_has_board', [[1, 'Иә'], [0, 'Жоқ'], [98, 'Білмеймін']]), text('os_org_id', 5), numeric('weight')];
  const file = () => {
    const w = new DtaWriter(columns, { label: 'Ұйымдар', created, observations: 2 });
    return Buffer.concat([w.header(), w.row([1, 'Әділ', 1.25]), w.row([null, null, null]), w.end()]);
  };

  it('writes the header: release 118, LSF, K, N, label and timestamp', () => {
    const f = file();
    const head = '<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>';
    expect(f.subarray(0, head.length).toString()).toBe(head);
    expect(f.readUInt16LE(head.length)).toBe(3);
    expect(f.subarray(head.length + 2, head.length + 9).toString()).toBe('</K><N>');
    expect(Number(f.readBigUInt64LE(head.length + 9))).toBe(2);
    expect(f.includes(Buffer.from('07 Dec 2026 05:04'))).toBe(true);
  });

  it('has a map whose 14 offsets point at each section and the end of the file', () => {
    const f = file();
    const map = f.indexOf('<map>') + 5;
    const offsets = Array.from({ length: 14 }, (_, i) => Number(f.readBigUInt64LE(map + 8 * i)));
    const tags = ['<stata_dta>', '<map>', '<variable_types>', '<varnames>', '<sortlist>', '<formats>', '<value_label_names>', '<variable_labels>',
      '<characteristics>', '<data>', '<strls>', '<value_labels>', '</stata_dta>'];
    tags.forEach((tag, i) => expect(f.subarray(offsets[i], (offsets[i] as number) + tag.length).toString(), tag).toBe(tag));
    expect(offsets[13]).toBe(f.length);
  });

  it('stores doubles, Stata missing as 2^1023, and NUL-padded fixed strings cut between characters', () => {
    const f = file();
    const types = f.indexOf('<variable_types>') + '<variable_types>'.length;
    expect([f.readUInt16LE(types), f.readUInt16LE(types + 2), f.readUInt16LE(types + 4)]).toEqual([65526, 5, 65526]);
    const data = f.indexOf('<data>') + 6;
    expect(f.readDoubleLE(data)).toBe(1);
    expect(f.subarray(data + 8, data + 13)).toEqual(Buffer.concat([Buffer.from('Әд'), Buffer.alloc(1)])); // 'Әділ' is 8 bytes
    expect(f.readDoubleLE(data + 13)).toBe(1.25);
    expect(f.readDoubleLE(data + 21)).toBe(2 ** 1023);
    expect(f.subarray(data + 29, data + 34)).toEqual(Buffer.alloc(5));
  });

  it('writes a value-label table of n, text length, offsets, values and NUL-terminated texts', () => {
    const f = file();
    const lbl = f.indexOf('<lbl>') + 5;
    const len = f.readInt32LE(lbl);
    expect(f.subarray(lbl + 4, lbl + 4 + 12).toString()).toBe('os_has_board');
    const table = f.subarray(lbl + 4 + 129 + 3, lbl + 4 + 129 + 3 + len);
    const texts = ['Иә', 'Жоқ', 'Білмеймін'].map((t) => Buffer.from(`${t}\0`));
    expect(table.readInt32LE(0)).toBe(3);
    expect(table.readInt32LE(4)).toBe(texts.reduce((n, t) => n + t.length, 0));
    expect([table.readInt32LE(8), table.readInt32LE(12), table.readInt32LE(16)]).toEqual([0, texts[0]!.length, texts[0]!.length + texts[1]!.length]);
    expect([table.readInt32LE(20), table.readInt32LE(24), table.readInt32LE(28)]).toEqual([1, 0, 98]);
    expect(table.subarray(32)).toEqual(Buffer.concat(texts));
    expect(f.subarray(lbl + 4 + 129 + 3 + len, lbl + 4 + 129 + 3 + len + 6).toString()).toBe('</lbl>');
  });

  it('refuses to write more or fewer rows than its header announced', () => {
    const w = new DtaWriter(columns, { label: '', created, observations: 1 });
    w.header();
    w.row([1, 'a', 1]);
    expect(() => w.row([1, 'a', 1])).toThrow(/more rows/);
    const short = new DtaWriter(columns, { label: '', created, observations: 2 });
    short.header();
    short.row([1, 'a', 1]);
    expect(() => short.end()).toThrow(/1 rows written, 2 announced/);
  });

  it('sizes each string column to its widest value in bytes, within 2045', () => {
    const widths = new StringWidths([text('a', 100), text('b', 9000), numeric('c')]);
    widths.see(['Әб', 'x'.repeat(3000), 5]);
    widths.see(['abc', null, null]);
    expect(widths.apply().map((c) => c.width)).toEqual([4, 2045, 8]);
  });
});

describe('export column model', () => {
  const byName = (survey: 'population' | 'organisational', lang: 'en' | 'ru' | 'kk') => new Map(exportColumnModel(survey, lang).map((c) => [c.name, c]));

  it('codes closed items by the codebook, with dk 98 and refused 99 user-missing, and numbers -98/-99', () => {
    const p = byName('population', 'en');
    expect(p.get('ps_trust_people')).toMatchObject({ type: 'numeric', missing: [98, 99], measure: 'nominal' });
    expect(p.get('ps_confidence_police')?.measure).toBe('ordinal');
    expect(p.get('ps_age_band')?.measure).toBe('ordinal');
    expect(p.get('ps_age_years')).toMatchObject({ measure: 'scale', missing: [] });
    expect(p.get('ps_region')?.missing).toEqual([]);
    const o = byName('organisational', 'ru');
    expect(o.get('os_income_last_fy')).toMatchObject({ missing: [-98, -99], valueLabels: [[-98, 'Затрудняюсь ответить'], [-99, 'Отказ от ответа']] });
    expect(o.get('os_has_board')?.valueLabels.map(([code]) => code)).toEqual([1, 0, 98, 99]);
    const read = (name: string, answers: Record<string, unknown>) => o.get(name)?.value({ response: { answers, derived: {} } as never, weight: undefined });
    expect([read('os_has_board', { os_has_board: false }), read('os_income_last_fy', { os_income_last_fy: 'ref' }), read('os_staff_union_pct', { os_staff_union_pct: 98 })]).toEqual([0, -99, 98]);
  });

  it('cuts text between characters and keeps a grid item\'s own words when its label is too long', () => {
    expect(fitUtf8('Әділет', 5)).toBe('Әд');
    expect(fitUtf8('abcdef', 10, 3)).toBe('abc');
    const column = { ...text('x', 1), question: 'Полиция', grid: 'Я'.repeat(200) };
    const label = variableLabel(column, 255);
    expect(Buffer.byteLength(label)).toBeLessThanOrEqual(255);
    expect(label.endsWith('… — Полиция')).toBe(true);
    expect(variableLabel({ ...column, grid: 'Доверие' }, 255)).toBe('Доверие — Полиция');
  });

  it('reads the exported numbers back on import: -98/-99 on number items, 98/99 on closed ones', () => {
    const income = itemById('organisational', 'os_income_last_fy');
    const pct = itemById('organisational', 'os_staff_union_pct');
    const board = itemById('organisational', 'os_has_board');
    expect([cellValue(income, '-98'), cellValue(income, '-99'), cellValue(pct, '98'), cellValue(board, '98'), cellValue(board, '0')]).toEqual(['dk', 'ref', 98, 'dk', false]);
  });
});
