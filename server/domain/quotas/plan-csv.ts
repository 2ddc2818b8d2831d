/**
 * A quota plan from a CSV file, as coordinators keep plans in spreadsheets. One row per cell:
 *
 *   variables,categories,target
 *   ps_ethnicity,kazakh,349
 *   ps_region|ps_gender,akmola|female,13
 *
 * Interlocking variables and their categories are joined by `|` (or `*`, `+`, `×`), in the same order; rows
 * sharing their variables form one quota. An optional `quota` column names quotas (two quotas on the same
 * variables need it); `variable`/`category` are accepted for the headers too. Semicolon-separated files (Excel in a
 * Russian locale) and a byte-order mark are read as well. Every problem is reported with its line, all at once.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ResponseStatus } from '../../../schemas/api.js';
import type { QuotaPlanRule, RuleParams } from '../../../schemas/quota-plan-rules.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import { cellKey, checkQuotaPlan, defaultQuotaId, makeQuotaPlan, type Quota, type QuotaPlan, type QuotaPolicy } from './plan.js';

export interface CsvError {
  /** 1-based line of the file (the header is usually line 1); 0 for the file as a whole. */
  line: number;
  column?: string;
  /** The rule broken (schemas/quota-plan-rules.ts) and its values: what pages word in the reader's language. */
  rule: QuotaPlanRule;
  params?: RuleParams;
  message: string;
}

export type CsvPlanResult = { ok: true; plan: QuotaPlan } | { ok: false; errors: CsvError[] };

const SEPARATOR = /\s*[|*+×]\s*/;
const HEADERS = { quota: ['quota', 'quota_id'], variables: ['variables', 'variable'], categories: ['categories', 'category'], target: ['target'] } as const;

type Column = keyof typeof HEADERS;

function delimiterOf(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}

interface Row {
  line: number;
  fields: string[];
}

function readRows(text: string): { rows: Row[] } | { error: CsvError } {
  try {
    const records = parse(text, { bom: true, delimiter: delimiterOf(text), skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return { rows: records.map((r) => ({ line: r.info.lines, fields: r.record })) };
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    return { error: { line: typeof lines === 'number' ? lines : 0, rule: 'csvUnreadable', message: `not readable as CSV: ${(error as Error).message}` } };
  }
}

function columnsOf(header: readonly string[], line: number): { columns: Partial<Record<Column, number>>; errors: CsvError[] } {
  const names = header.map((h) => h.toLowerCase());
  const columns: Partial<Record<Column, number>> = {};
  for (const [column, aliases] of Object.entries(HEADERS) as Array<[Column, readonly string[]]>) {
    const at = names.findIndex((n) => aliases.includes(n));
    if (at >= 0) columns[column] = at;
  }
  const errors: CsvError[] = (['variables', 'categories', 'target'] as const)
    .filter((c) => columns[c] === undefined)
    .map((c) => ({ line, column: c, rule: 'csvMissingColumn' as const, params: { column: c }, message: `the header has no ${c} column (expected ${HEADERS[c].join(' or ')})` }));
  const unknown = names.filter((n) => !Object.values(HEADERS).some((aliases) => (aliases as readonly string[]).includes(n)));
  for (const n of unknown) errors.push({ line, column: n, rule: 'csvUnknownColumn', params: { column: n }, message: `unknown column ${n}` });
  return { columns, errors };
}

interface CellRow {
  line: number;
  quota: string;
  variables: string[];
  categories: string[];
  target: number;
}

function parseTarget(raw: string): number | null {
  return /^\d+$/.test(raw) ? Number(raw) : null;
}

function cellRow(row: readonly string[], line: number, columns: Partial<Record<Column, number>>): { cell?: CellRow; errors: CsvError[] } {
  const at = (c: Column) => (columns[c] === undefined ? '' : (row[columns[c] as number] ?? ''));
  const errors: CsvError[] = [];
  const variables = at('variables').split(SEPARATOR).filter((v) => v !== '');
  const categories = at('categories').split(SEPARATOR).filter((c) => c !== '');
  const target = parseTarget(at('target'));
  if (variables.length === 0) errors.push({ line, column: 'variables', rule: 'csvNoVariable', message: 'no variable' });
  if (categories.length !== variables.length) {
    errors.push({ line, column: 'categories', rule: 'csvCategoryCount', params: { categories: categories.length, variables: variables.length }, message: `${categories.length} categories for ${variables.length} variables (join them with | in the same order)` });
  }
  if (target === null) errors.push({ line, column: 'target', rule: 'csvTarget', params: { value: at('target') }, message: `target ${JSON.stringify(at('target'))} is not a whole number, 0 or more` });
  if (errors.length > 0 || target === null) return { errors };
  return { cell: { line, quota: at('quota') || defaultQuotaId(variables), variables, categories, target }, errors };
}

/** Rows grouped into quotas; a quota's rows must all name the same variables in the same order. */
function groupQuotas(cells: readonly CellRow[]): { quotas: Quota[]; errors: CsvError[] } {
  const quotas = new Map<string, Quota>();
  const errors: CsvError[] = [];
  const seen = new Map<string, number>();
  for (const c of cells) {
    const quota = quotas.get(c.quota) ?? { id: c.quota, variables: c.variables, cells: [] };
    quotas.set(c.quota, quota);
    if (quota.variables.join('|') !== c.variables.join('|')) {
      errors.push({ line: c.line, column: 'variables', rule: 'csvQuotaVariables', params: { quota: c.quota }, message: `quota ${c.quota} is on ${quota.variables.join(' x ')}, this row names ${c.variables.join(' x ')}` });
      continue;
    }
    const categories = Object.fromEntries(c.variables.map((v, i) => [v, c.categories[i] as string]));
    const key = cellKey(quota, categories);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({ line: c.line, rule: 'csvDuplicateCell', params: { line: earlier }, message: `the same cell as line ${earlier}` });
      continue;
    }
    seen.set(key, c.line);
    quota.cells.push({ categories, target: c.target });
  }
  return { quotas: [...quotas.values()], errors };
}

/** The line of the first row of quota `index` and cell `cellIndex`, for translating plan errors back to lines. */
function lineOfPath(path: string, cells: readonly CellRow[], quotas: readonly Quota[]): number {
  const match = /^\/quotas\/(\d+)(?:\/cells\/(\d+))?/.exec(path);
  if (!match) return 0;
  const quota = quotas[Number(match[1])];
  const rows = cells.filter((c) => c.quota === quota?.id);
  return (match[2] !== undefined ? rows[Number(match[2])] : rows[0])?.line ?? 0;
}

export interface CsvPlanOptions {
  policy?: QuotaPolicy;
  countStatuses?: ResponseStatus[];
  version?: number;
}

/** Parses and checks a plan: unknown variables and categories, bad targets, duplicates, all with their lines. */
export function quotaPlanFromCsv(survey: SurveyId, text: string, options: CsvPlanOptions = {}): CsvPlanResult {
  const read = readRows(text);
  if ('error' in read) return { ok: false, errors: [read.error] };
  const [header, ...body] = read.rows;
  if (!header) return { ok: false, errors: [{ line: 0, rule: 'csvEmpty', message: 'the file is empty' }] };
  const { columns, errors } = columnsOf(header.fields, header.line);
  if (errors.length > 0) return { ok: false, errors };
  if (body.length === 0) return { ok: false, errors: [{ line: 0, rule: 'csvNoCells', message: 'the file has a header but no cells' }] };
  const cells: CellRow[] = [];
  body.forEach((row) => {
    const parsed = cellRow(row.fields, row.line, columns);
    errors.push(...parsed.errors);
    if (parsed.cell) cells.push(parsed.cell);
  });
  const grouped = groupQuotas(cells);
  errors.push(...grouped.errors);
  if (errors.length > 0) return { ok: false, errors };
  const plan = makeQuotaPlan(survey, grouped.quotas, options);
  const planErrors = checkQuotaPlan(plan).map((e) => ({ line: lineOfPath(e.path, cells, grouped.quotas), rule: e.keyword, ...(e.params ? { params: e.params } : {}), message: e.message }));
  return planErrors.length > 0 ? { ok: false, errors: planErrors } : { ok: true, plan };
}

/**
 * A plan as the CSV the parser above reads back (quota, variables, categories, target; interlocking parts joined by
 * `|`): what a coordinator downloads to edit in a spreadsheet. Policy and counted statuses are not columns (they go
 * in the upload's query). No formula escaping: ids and codes are `[A-Za-z0-9_.*-]` by the plan's schema, so no cell
 * can start a formula, and an escaped one would not read back.
 */
export function quotaPlanToCsv(plan: Pick<QuotaPlan, 'quotas'>): string {
  const rows = plan.quotas.flatMap((q) => q.cells.map((c) => [q.id, q.variables.join('|'), q.variables.map((v) => c.categories[v] ?? '').join('|'), String(c.target)]));
  return stringify([['quota', 'variables', 'categories', 'target'], ...rows]);
}
