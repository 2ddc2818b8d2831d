/**
 * Streamed exports: CSV (a header row of item ids or question text, one row per response with meta and derived
 * columns, optional BOM, spreadsheet formulas escaped, text codes or their labels in en/ru/kk, or the codebook's
 * numeric codes), NDJSON (the stored resources), SPSS .sav and Stata .dta (numeric codes with variable and value
 * labels in en/ru/kk). Every format but NDJSON reads one column model (domain/export/columns.ts), so a code is the
 * same number everywhere. The store is read in batches under backpressure, so memory stays flat whatever the
 * number of responses; a .dta states its row count in its header, so it reads the store twice (count, then write).
 */
import type { SocialConcerns } from '../../schemas/concerns.js';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { SAFE_CSV_CAST } from '../domain/csv-cells.js';
import { unionItemsOf, type Item } from '../../schemas/items.js';
import { bundles, optionLabel, type Language } from '../../schemas/labels.js';
import { derivedVariables } from '../../schemas/survey-definition.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { problem } from '../domain/problems.js';
import { redactFor, scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { exportColumnModel, META_COLUMNS, variableLabel, WEIGHTED, type ExportColumn, type ExportRow } from '../domain/export/columns.js';
import { DtaWriter, StringWidths } from '../domain/export/dta-writer.js';
import { SavWriter } from '../domain/export/sav-writer.js';
import { receiptOf, type StoredResponse } from '../domain/response.js';
import type { ResponseFilter, ResponseStore } from '../store/store.port.js';
import { requireSurvey, toFilter, type ResponseSelection } from './responses.service.js';
import { xlsxExport } from './xlsx-export.js';
import { XLSX_TYPE } from './xlsx.js';
import { mapToCurrent } from '../../schemas/versions.js';

export interface ExportParams extends ResponseSelection {
  format?: 'csv' | 'ndjson' | 'sav' | 'dta' | 'xlsx';
  labels?: 'codes' | Language;
  codes?: 'text' | 'numeric';
  headers?: 'ids' | 'questions';
  lang?: Language;
  bom?: boolean;
  /** Bounds on the weights relative to their mean (population only). */
  trim?: { lower: number; upper: number };
}

export interface ExportResult {
  contentType: string;
  filename: string;
  stream: Readable;
  /** Settles once the weights are known: a rejection (e.g. trimming bounds the margins rule out) comes before any byte. */
  ready: Promise<void>;
}

/** Column names of a survey's export, in order (the same in every format). */
export function exportColumns(survey: SurveyId): string[] {
  return exportColumnModel(survey, 'en').map((c) => c.name);
}

/** A cell as text formats write it: objects as JSON, nothing as `blank` (empty in CSV, a true blank in Excel). */
const cellOr = (blank: unknown) => (value: unknown): unknown => {
  if (value === undefined || value === null) return blank;
  return typeof value === 'object' ? JSON.stringify(value) : value;
};
const cell = cellOr('');

/** A response with its answers as the current questionnaire version reads them (NDJSON keeps them as collected). */
function inCurrentVersion(r: StoredResponse): StoredResponse {
  return { ...r, answers: mapToCurrent(r.survey, r.questionnaireVersion, r.answers) };
}

/** A CSV (or Excel) row with text codes (or their labels), as the CSV export has always written it. */
function textRow(survey: SurveyId, labels: 'codes' | Language, blank: unknown = ''): (row: ExportRow) => unknown[] {
  const cell = cellOr(blank);
  const items = unionItemsOf(survey);
  const derived = derivedVariables(survey).map((v) => v.id);
  const label = (item: Item, value: unknown): unknown => {
    const labelled = labels !== 'codes' && (item.kind === 'choice' || value === 'dk' || value === 'ref');
    return labelled ? optionLabel(labels, survey, item.optionSet, value as string) ?? value : value;
  };
  return ({ response: r, weight }) => [
    ...META_COLUMNS.map(([, get]) => cell(get(r))),
    ...items.map((item) => cell(r.answers[item.id] === undefined ? undefined : label(item, r.answers[item.id]))),
    ...derived.map((id) => cell(labels === 'codes' ? r.derived[id] : optionLabel(labels, survey, id, r.derived[id] as string) ?? r.derived[id])),
    ...(WEIGHTED.includes(survey) ? [cell(weight)] : []),
  ];
}

/** Parameters that shape a text table, and the formats that take each. */
const TABLE_ONLY: Record<'labels' | 'bom' | 'codes' | 'headers', readonly string[]> = {
  labels: ['csv', 'xlsx'], bom: ['csv'], codes: ['csv'], headers: ['csv'],
};

/** Combinations the schema cannot say: each names the parameter and the rule it breaks. */
function combinationErrors(q: ExportParams): Array<{ path: string; item: null; keyword: string; message: string }> {
  const format = q.format ?? 'csv';
  const errors = [];
  for (const [name, formats] of Object.entries(TABLE_ONLY) as Array<[keyof typeof TABLE_ONLY, readonly string[]]>) {
    if (q[name] !== undefined && !formats.includes(format)) {
      errors.push({ path: `/${name}`, item: null, keyword: 'format', message: `applies to format=${formats.join(' or ')} only, not ${format}` });
    }
  }
  if (format === 'ndjson' && q.lang !== undefined) errors.push({ path: '/lang', item: null, keyword: 'format', message: 'applies to csv, sav, dta and xlsx, not ndjson' });
  if (q.codes === 'numeric' && q.labels !== undefined && q.labels !== 'codes') {
    errors.push({ path: '/labels', item: null, keyword: 'codes', message: 'labels are for text codes: with codes=numeric, value labels come with sav and dta' });
  }
  return errors;
}

/** Gathers small buffers into chunks of about this size, so 100,000 rows are not 100,000 stream writes. */
const CHUNK = 64 * 1024;

export type WeightsFor = (survey: SurveyId, actor: Actor, options?: { trim?: { lower: number; upper: number } }) => Promise<Map<string, number> | null>;
type Weighing = ReturnType<WeightsFor>;

/** Rows as the analysis writers read them: each response's values in column order. */
function valuesOf(columns: ExportColumn[], row: ExportRow): Array<number | string | null> {
  return columns.map((c) => c.value(row));
}

/** Feeds buffers out in chunks of about CHUNK bytes. */
async function* chunked(parts: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const part of parts) {
    pending.push(part);
    size += part.length;
    if (size >= CHUNK) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

export class ExportService {
  constructor(private readonly store: ResponseStore, private readonly weightsFor: WeightsFor = async () => null) {}

  /** `concerns`: the study's social concerns, named in the impact questions' labels (a neutral phrase without). */
  export(surveyParam: string, q: ExportParams, actor: Actor, concerns: SocialConcerns | null = null): ExportResult {
    const survey = requireSurvey(surveyParam);
    const errors = combinationErrors(q);
    if (errors.length > 0) throw problem('invalidQuery', { errors });
    if (q.trim && !WEIGHTED.includes(survey)) throw problem('notWeighted', { survey });
    const trim = q.trim;
    const filter = scopeFilter(actor, toFilter(survey, q));
    const lang = q.lang ?? (q.labels && q.labels !== 'codes' ? q.labels : 'en');
    // Weights need every counted response first (one pass, an id and a number each); rows stream after.
    const weighing = q.format === 'ndjson' ? Promise.resolve(null) : this.weightsFor(survey, actor, trim ? { trim } : {});
    const ready = weighing.then(() => undefined);
    // The stream reports the failure too; a caller that answered from `ready` and never reads it is not left with an
    // unhandled rejection or error event.
    ready.catch(() => undefined);
    const result = this.formatted(survey, filter, actor, q, lang, weighing, concerns);
    return { ...result, stream: result.stream.on('error', () => undefined), ready };
  }

  private formatted(survey: SurveyId, filter: ResponseFilter, actor: Actor, q: ExportParams, lang: Language, weighing: Weighing, concerns: SocialConcerns | null): Omit<ExportResult, 'ready'> {
    switch (q.format ?? 'csv') {
      case 'ndjson': return this.ndjson(survey, filter, actor);
      case 'sav': return this.sav(survey, filter, actor, lang, weighing, concerns);
      case 'dta': return this.dta(survey, filter, actor, lang, weighing, concerns);
      case 'xlsx': return this.xlsx(survey, filter, actor, q, weighing, concerns);
      default: return this.csv(survey, filter, actor, q, lang, weighing, concerns);
    }
  }

  /**
   * Responses as the actor may see them, each with its weight (weights need every counted response first), their
   * answers read in the current questionnaire version (tabular exports put every version in one file).
   */
  private async *rows(filter: ResponseFilter, actor: Actor, weighing: Weighing): AsyncGenerator<ExportRow> {
    const weights = await weighing;
    for await (const r of this.store.streamResponses(filter)) yield { response: inCurrentVersion(redactFor(actor, r)), weight: weights?.get(r.id) };
  }

  private ndjson(survey: SurveyId, filter: ResponseFilter, actor: Actor): Omit<ExportResult, 'ready'> {
    const store = this.store;
    const lines = Readable.from((async function* ndjsonLines() {
      for await (const r of store.streamResponses(filter)) yield `${JSON.stringify(receiptOf(redactFor(actor, r)))}\n`;
    })());
    return { contentType: 'application/x-ndjson; charset=utf-8', filename: `${survey}.ndjson`, stream: lines };
  }

  private csv(survey: SurveyId, filter: ResponseFilter, actor: Actor, q: ExportParams, lang: Language, weighing: Weighing, concerns: SocialConcerns | null): Omit<ExportResult, 'ready'> {
    const columns = exportColumnModel(survey, lang, concerns);
    const toRow = q.codes === 'numeric' ? (row: ExportRow) => valuesOf(columns, row).map(cell) : textRow(survey, q.labels ?? 'codes');
    const rows = this.rows(filter, actor, weighing);
    const source = Readable.from((async function* csvRows() {
      for await (const row of rows) yield toRow(row);
    })());
    const header = q.headers === 'questions' ? columns.map((c) => variableLabel(c, Infinity)) : columns.map((c) => c.name);
    // csv-stringify writes false as an empty cell by default, which would read back as "not answered".
    const csv = stringify({
      header: true, columns: header, bom: q.bom === true,
      cast: { ...SAFE_CSV_CAST, boolean: (value) => (value ? 'true' : 'false') },
    });
    // pipe() does not pass errors on: a store failure mid-export must end this stream, not the process.
    source.on('error', (e) => csv.destroy(e));
    return { contentType: 'text/csv; charset=utf-8', filename: `${survey}.csv`, stream: source.pipe(csv) };
  }

  /** A data sheet as the CSV's (numbers as numbers, blanks blank) and a codebook sheet, streamed (xlsx-export.ts). */
  private xlsx(survey: SurveyId, filter: ResponseFilter, actor: Actor, q: ExportParams, weighing: Weighing, concerns: SocialConcerns | null): Omit<ExportResult, 'ready'> {
    const toCells = textRow(survey, q.labels ?? 'codes', null);
    const rows = this.rows(filter, actor, weighing);
    const cells = (async function* xlsxCells() {
      for await (const row of rows) yield toCells(row);
    })();
    const lang = q.lang ?? (q.labels === undefined || q.labels === 'codes' ? 'en' : q.labels);
    return { contentType: XLSX_TYPE, filename: `${survey}.xlsx`, stream: xlsxExport({ survey, lang, columns: exportColumns(survey), rows: cells, concerns }) };
  }

  private sav(survey: SurveyId, filter: ResponseFilter, actor: Actor, lang: Language, weighing: Weighing, concerns: SocialConcerns | null): Omit<ExportResult, 'ready'> {
    const columns = exportColumnModel(survey, lang, concerns);
    const writer = new SavWriter(columns, { fileLabel: bundles[lang].surveys[survey].title, created: new Date() });
    const rows = this.rows(filter, actor, weighing);
    const bytes = (async function* savBytes() {
      yield writer.dictionary();
      for await (const row of rows) yield writer.row(valuesOf(columns, row));
      yield writer.end();
    })();
    return { contentType: 'application/x-spss-sav', filename: `${survey}.sav`, stream: Readable.from(chunked(bytes)) };
  }

  /**
   * A .dta states its row count before the first row, and its strings are fixed-width: a first pass counts the
   * rows and measures each string column, a second writes them. Both read responses received before the export
   * began (a watermark), so submissions arriving meanwhile do not change the count; a status changed between the
   * passes would, and then the download fails rather than ship a file whose header disagrees with its data.
   */
  private dta(survey: SurveyId, filter: ResponseFilter, actor: Actor, lang: Language, weighing: Weighing, concerns: SocialConcerns | null): Omit<ExportResult, 'ready'> {
    const now = new Date().toISOString();
    const frozen: ResponseFilter = { ...filter, until: filter.until !== undefined && filter.until < now ? filter.until : now };
    const columns = exportColumnModel(survey, lang, concerns);
    const store = this.store;
    const rows = () => this.rows(frozen, actor, weighing);
    const bytes = (async function* dtaBytes() {
      const widths = new StringWidths(columns);
      let observations = 0;
      for await (const response of store.streamResponses(frozen)) {
        const row = { response: inCurrentVersion(redactFor(actor, response)), weight: undefined };
        widths.see(columns.map((c) => (c.type === 'string' ? c.value(row) : null)));
        observations += 1;
      }
      const sized = widths.apply();
      const writer = new DtaWriter(sized, { label: bundles[lang].surveys[survey].title, created: new Date(), observations });
      yield writer.header();
      for await (const row of rows()) yield writer.row(valuesOf(sized, row));
      yield writer.end();
    })();
    return { contentType: 'application/x-stata-dta', filename: `${survey}.dta`, stream: Readable.from(chunked(bytes)) };
  }
}
