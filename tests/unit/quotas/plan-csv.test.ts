// Quota plans imported from CSV: marginal and interlocking rows, spreadsheet dialects, and every problem reported
// with its line so a coordinator can fix the file.
import { describe, expect, it } from 'vitest';
import { quotaPlanFromCsv, type CsvError } from '../../../server/domain/quotas/plan-csv.js';

const GOOD = [
  'variables,categories,target',
  'ps_ethnicity,kazakh,349',
  'ps_ethnicity,russian,125',
  'ps_ethnicity,other,68',
  'ps_region|ps_gender,akmola|female,13',
  'ps_region | ps_gender,akmola | male,12',
  'ps_age_band,18_25,108',
].join('\n');

describe('quotaPlanFromCsv', () => {
  it('reads marginal and interlocking quotas, grouping rows by their variables', () => {
    const result = quotaPlanFromCsv('population', GOOD, { policy: 'flag' });
    expect(result).toEqual({
      ok: true,
      plan: {
        survey: 'population', version: 1, policy: 'flag', countStatuses: ['submitted', 'approved', 'has_issues'],
        quotas: [
          { id: 'ps_ethnicity', variables: ['ps_ethnicity'], cells: [
            { categories: { ps_ethnicity: 'kazakh' }, target: 349 },
            { categories: { ps_ethnicity: 'russian' }, target: 125 },
            { categories: { ps_ethnicity: 'other' }, target: 68 },
          ] },
          { id: 'ps_region*ps_gender', variables: ['ps_region', 'ps_gender'], cells: [
            { categories: { ps_region: 'akmola', ps_gender: 'female' }, target: 13 },
            { categories: { ps_region: 'akmola', ps_gender: 'male' }, target: 12 },
          ] },
          { id: 'ps_age_band', variables: ['ps_age_band'], cells: [{ categories: { ps_age_band: '18_25' }, target: 108 }] },
        ],
      },
    });
  });

  it('reads a semicolon-separated file with a byte-order mark, CRLF, blank lines, quotes and singular headers', () => {
    const text = '\uFEFFquota;Variable;Category;Target\r\nA;"ps_gender";male;10\r\n\r\nB;ps_gender;female;12\r\nA;ps_gender;female;11\r\n';
    const result = quotaPlanFromCsv('population', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.quotas.map((q) => [q.id, q.cells.map((c) => c.target)])).toEqual([['A', [10, 11]], ['B', [12]]]);
  });

  const errorsOf = (text: string): CsvError[] => {
    const result = quotaPlanFromCsv('population', text);
    expect(result.ok).toBe(false);
    return result.ok ? [] : result.errors;
  };

  it.each([
    { description: 'an empty file', text: '', errors: [{ line: 0, rule: 'csvEmpty', message: 'the file is empty' }] },
    { description: 'a header and nothing else', text: 'variables,categories,target\n', errors: [{ line: 0, rule: 'csvNoCells', message: 'the file has a header but no cells' }] },
    {
      description: 'missing and unknown columns',
      text: 'variables,cats,target\nps_gender,male,1',
      errors: [
        { line: 1, column: 'categories', rule: 'csvMissingColumn', params: { column: 'categories' }, message: 'the header has no categories column (expected categories or category)' },
        { line: 1, column: 'cats', rule: 'csvUnknownColumn', params: { column: 'cats' }, message: 'unknown column cats' },
      ],
    },
    {
      description: 'targets that are not whole numbers, on their lines',
      text: 'variables,categories,target\nps_gender,male,12.5\n\nps_gender,female,-3\nps_region,akmola,',
      errors: [
        { line: 2, column: 'target', rule: 'csvTarget', params: { value: '12.5' }, message: 'target "12.5" is not a whole number, 0 or more' },
        { line: 4, column: 'target', rule: 'csvTarget', params: { value: '-3' }, message: 'target "-3" is not a whole number, 0 or more' },
        { line: 5, column: 'target', rule: 'csvTarget', params: { value: '' }, message: 'target "" is not a whole number, 0 or more' },
      ],
    },
    {
      description: 'more variables than categories',
      text: 'variables,categories,target\nps_region|ps_gender,akmola,3',
      errors: [{ line: 2, column: 'categories', rule: 'csvCategoryCount', params: { categories: 1, variables: 2 }, message: '1 categories for 2 variables (join them with | in the same order)' }],
    },
    {
      description: 'a cell listed twice',
      text: 'variables,categories,target\nps_gender,male,3\nps_gender,female,3\nps_gender,male,4',
      errors: [{ line: 4, rule: 'csvDuplicateCell', params: { line: 2 }, message: 'the same cell as line 2' }],
    },
    {
      description: 'one quota id on different variables',
      text: 'quota,variables,categories,target\nq,ps_gender,male,3\nq,ps_region,akmola,3',
      errors: [{ line: 3, column: 'variables', rule: 'csvQuotaVariables', params: { quota: 'q' }, message: 'quota q is on ps_gender, this row names ps_region' }],
    },
    {
      description: 'an unknown variable, on the line of its first row',
      text: 'variables,categories,target\nps_gender,male,3\nps_shoe_size,42,1',
      errors: [{ line: 3, rule: 'unknownVariable', params: { variable: 'ps_shoe_size' }, message: 'ps_shoe_size is not an item or derived variable of the population survey' }],
    },
    {
      description: 'an unknown category, on its line',
      text: 'variables,categories,target\nps_gender,male,3\nps_gender,female,3\nps_age_band,18_25,3\nps_age_band,over_60,3',
      errors: [{ line: 5, rule: 'unknownCategory', params: { category: 'over_60', variable: 'ps_age_band' }, message: 'over_60 is not a category of ps_age_band' }],
    },
  ])('reports $description', ({ text, errors }) => {
    expect(errorsOf(text)).toEqual(errors);
  });

  it('reports a file that is not CSV with the line where reading stopped', () => {
    const [error] = errorsOf('variables,categories,target\nps_gender,"male,3\n');
    expect(error?.message).toMatch(/^not readable as CSV: /);
    expect(error?.rule).toBe('csvUnreadable');
  });
});
