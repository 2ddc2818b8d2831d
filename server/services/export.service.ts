/**
 * Streamed exports: CSV (a header row of item ids, one row per response with meta and derived columns, optional
 * BOM, spreadsheet formulas escaped, codes or labels in en/ru/kk) or NDJSON (the stored resources). The store is
 * read in batches under backpressure, so memory stays flat whatever the number of responses.
 */
import { Readable, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { itemsOf, type Item } from '../../schemas/items.js';
import { optionLabel, type Language } from '../../schemas/labels.js';
import { questionnaires, type SurveyId } from '../../schemas/surveys.js';
import { problem } from '../domain/problems.js';
import { redactFor, scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { receiptOf, type StoredResponse } from '../domain/response.js';
import type { ResponseStore } from '../store/store.port.js';
import { requireSurvey, toFilter } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';
import { XLSX_TYPE } from './xlsx.js';
import { xlsxExport } from './xlsx-export.js';

export interface ExportQuery {
  format?: 'csv' | 'ndjson' | 'xlsx';
  labels?: 'codes' | Language;
  /** Language of the Excel codebook's questions (default: the labels' language, else en). */
  lang?: Language;
  bom?: 'true' | 'false';
  status?: string;
  region?: string;
}

export interface ExportResult {
  contentType: string;
  filename: string;
  stream: Readable;
}

const META_COLUMNS: Array<[string, (r: StoredResponse) => unknown]> = [
  ['id', (r) => r.id],
  ['status', (r) => r.status],
  ['questionnaire_version', (r) => r.questionnaireVersion],
  ['interviewer', (r) => r.interviewer],
  ['received_at', (r) => r.receivedAt],
  ['updated_at', (r) => r.updatedAt],
  ['revision', (r) => r.revision],
  ['meta_form_version', (r) => r.meta.formVersion],
  ['meta_app_version', (r) => r.meta.appVersion],
  ['meta_language', (r) => r.meta.language],
  ['meta_device', (r) => r.meta.device],
  ['meta_source', (r) => r.meta.source],
  ['meta_started_at', (r) => r.meta.startedAt],
  ['meta_completed_at', (r) => r.meta.completedAt],
  ['meta_duration_seconds', (r) => durationSeconds(r)],
];

function durationSeconds(r: StoredResponse): number | undefined {
  const ms = Date.parse(r.meta.completedAt) - Date.parse(r.meta.startedAt);
  return Number.isFinite(ms) ? Math.round(ms / 1000) : undefined;
}

function derivedColumns(survey: SurveyId): string[] {
  const derived = questionnaires[survey].$defs.derived as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(derived?.properties ?? {});
}

/** Surveys whose export carries a weight column (raked to the margins; blank when they cannot be). */
const WEIGHTED: readonly SurveyId[] = ['population'];

/** Column names of a survey's CSV export, in order. */
export function exportColumns(survey: SurveyId): string[] {
  return [...META_COLUMNS.map(([name]) => name), ...itemsOf(survey).map((i) => i.id), ...derivedColumns(survey), ...(WEIGHTED.includes(survey) ? ['weight'] : [])];
}

function rowMapper(survey: SurveyId, labels: 'codes' | Language, weights: () => Map<string, number> | null, blank: unknown = ''): (r: StoredResponse) => unknown[] {
  const cell = (value: unknown): unknown => {
    if (value === undefined || value === null) return blank;
    return typeof value === 'object' ? JSON.stringify(value) : value;
  };
  const items = itemsOf(survey);
  const derived = derivedColumns(survey);
  const label = (item: Item, value: unknown): unknown => {
    const labelled = labels !== 'codes' && (item.kind === 'choice' || value === 'dk' || value === 'ref');
    return labelled ? optionLabel(labels, survey, item.optionSet, value as string) ?? value : value;
  };
  return (r) => [
    ...META_COLUMNS.map(([, get]) => cell(get(r))),
    ...items.map((item) => cell(r.answers[item.id] === undefined ? undefined : label(item, r.answers[item.id]))),
    ...derived.map((id) => cell(labels === 'codes' ? r.derived[id] : optionLabel(labels, survey, id, r.derived[id] as string) ?? r.derived[id])),
    ...(WEIGHTED.includes(survey) ? [cell(weights()?.get(r.id))] : []),
  ];
}

export type WeightsFor = (survey: SurveyId, actor: Actor) => Promise<Map<string, number> | null>;

export class ExportService {
  constructor(private readonly store: ResponseStore, private readonly validators: Validators, private readonly weightsFor: WeightsFor = async () => null) {}

  export(surveyParam: string, query: unknown, actor: Actor): ExportResult {
    const survey = requireSurvey(surveyParam);
    const errors = apiErrors(this.validators.api.exportQuery, query);
    if (errors) throw problem('invalidQuery', { errors });
    const q = query as ExportQuery;
    const visible = this.store.streamResponses(scopeFilter(actor, toFilter(survey, q)));
    // Weights need every counted response first (one pass, an id and a number each); rows stream after.
    let weights: Map<string, number> | null = null;
    const weigh = q.format === 'ndjson' ? async () => null : () => this.weightsFor(survey, actor);
    const responses = Readable.from((async function* redacted() {
      weights = await weigh();
      for await (const r of visible) yield redactFor(actor, r);
    })());
    if ((q.format ?? 'csv') === 'ndjson') {
      const toLine = new Transform({
        writableObjectMode: true,
        transform(r: StoredResponse, _enc, done) {
          done(null, `${JSON.stringify(receiptOf(r))}\n`);
        },
      });
      // pipe() does not pass errors on: a store failure mid-export must end this stream, not the process.
      responses.on('error', (e) => toLine.destroy(e));
      return { contentType: 'application/x-ndjson; charset=utf-8', filename: `${survey}.ndjson`, stream: responses.pipe(toLine) };
    }
    if (q.format === 'xlsx') {
      const toCells = rowMapper(survey, q.labels ?? 'codes', () => weights, null);
      const rows = (async function* cells() {
        for await (const r of responses) yield toCells(r as StoredResponse);
      })();
      const lang = q.lang ?? (q.labels === undefined || q.labels === 'codes' ? 'en' : q.labels);
      return { contentType: XLSX_TYPE, filename: `${survey}.xlsx`, stream: xlsxExport({ survey, lang, columns: exportColumns(survey), rows }) };
    }
    const toRow = rowMapper(survey, q.labels ?? 'codes', () => weights);
    const rows = new Transform({
      objectMode: true,
      transform(r: StoredResponse, _enc, done) {
        done(null, toRow(r));
      },
    });
    // csv-stringify writes false as an empty cell by default, which would read back as "not answered".
    const csv = stringify({
      header: true, columns: exportColumns(survey), bom: q.bom === 'true', escape_formulas: true,
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    });
    responses.on('error', (e) => csv.destroy(e));
    return { contentType: 'text/csv; charset=utf-8', filename: `${survey}.csv`, stream: responses.pipe(rows).pipe(csv) };
  }
}
