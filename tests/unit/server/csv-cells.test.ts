// CSV formula escaping (issue 14, point 6): leading whitespace before a formula character, `|` (DDE) and the
// full-width forms are escaped as well as what csv-stringify's escape_formulas already caught.
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { SAFE_CSV_CAST, spreadsheetSafe } from '../../../server/domain/csv-cells.js';

describe('spreadsheetSafe', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+7 701 000', "'+7 701 000"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [' =HYPERLINK("http://x")', '\' =HYPERLINK("http://x")'],
    ['\u00a0\u00a0+1', "'\u00a0\u00a0+1"],
    ['\n=1', "'\n=1"],
    ['|cmd /c calc', "'|cmd /c calc"],
    ['  |cmd', "'  |cmd"],
    ['\uff1d1+1', "'\uff1d1+1"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['Алматы', 'Алматы'],
    ['a=1', 'a=1'],
    ['a | b', 'a | b'],
    ['', ''],
    ['   ', '   '],
  ])('%j -> %j', (input, expected) => {
    expect(spreadsheetSafe(input)).toBe(expected);
  });

  it('applies to string cells and headers through csv-stringify, leaving numbers alone', () => {
    const csv = stringify([[' =1+1', -3, '|x']], { header: true, columns: ['=a', 'b', 'c'], cast: SAFE_CSV_CAST });
    expect(csv).toBe("'=a,b,c\n' =1+1,-3,'|x\n");
  });
});
