/**
 * Imports a file of responses (CSV with a header of item ids, or NDJSON) through the same ingestion path as the
 * API: every row validated, valid rows stored idempotently, failures collected row by row.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { SurveyId } from '../../schemas/surveys.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { systemActor, type Actor } from '../domain/actor.js';
import { canonicalJson } from '../domain/canonical.js';
import { answersFromCsv, interviewerOf, metaFromCsv, shownValueAt, submissionFromRow } from '../domain/import-rows.js';
import { isProblem } from '../domain/problems.js';
import type { Submission } from '../../schemas/api.js';
import type { ResponsesService } from './responses.service.js';

export interface RowFailure {
  line: number;
  id: string | null;
  code: string;
  message: string;
  /** Each with the value the row gave (as text, '' when the item was blank), so the report shows what to fix. */
  errors: Array<ValidationError & { value: string }>;
}

export interface ImportOptions {
  /** Interviewer credited with rows whose form does not name one (ps_interviewer_id). */
  interviewer?: string;
  /**
   * The questionnaire version of the paper forms, for rows that do not name theirs (a `meta_form_version` or
   * `questionnaire_version` column, an NDJSON line's `meta.formVersion`); the current version when not given.
   */
  version?: string;
}

export interface ImportReport {
  rows: number;
  imported: number;
  alreadyPresent: number;
  failed: RowFailure[];
}

interface Row {
  line: number;
  submission: Submission | null;
  parseError?: string;
}

/** Counts earlier identical answer sets in the file, for the ids of rows without a respondent key. */
function occurrences(): (answers: Record<string, unknown>) => number {
  const seen = new Map<string, number>();
  return (answers) => {
    const key = canonicalJson(answers);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  };
}

async function* csvRows(file: string, survey: SurveyId, version: string | undefined): AsyncIterable<Row> {
  // Rows of the wrong length are reported one by one rather than ending the import.
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  const occurrence = occurrences();
  let invalid = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string | undefined>; info: { lines: number; invalid_field_length: number } }>) {
    if (info.invalid_field_length > invalid) {
      invalid = info.invalid_field_length;
      yield { line: info.lines, submission: null, parseError: 'the row has a different number of cells than the header' };
      continue;
    }
    const own = record.questionnaire_version?.trim();
    const meta = { ...(version ? { formVersion: version } : {}), ...(own ? { formVersion: own } : {}), ...metaFromCsv(record) };
    // Cells are read as the row's own version types them (an item an older version had is still typed).
    const answers = answersFromCsv(survey, record, meta.formVersion);
    yield { line: info.lines, submission: submissionFromRow(survey, answers, { id: record.id, meta, occurrence: occurrence(answers) }) };
  }
}

async function* ndjsonRows(file: string, survey: SurveyId, version: string | undefined): AsyncIterable<Row> {
  const occurrence = occurrences();
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, submission: null, parseError: `not JSON: ${(error as Error).message}` };
      continue;
    }
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const wrapped = typeof obj.answers === 'object' && obj.answers !== null;
    const answers = (wrapped ? obj.answers : obj) as Record<string, unknown>;
    const meta = { ...(version ? { formVersion: version } : {}), ...(wrapped ? (obj.meta as Submission['meta']) : {}) };
    yield { line, submission: submissionFromRow(survey, answers, { id: obj.id, meta, occurrence: occurrence(answers) }) };
  }
}

export function rowsOf(file: string, survey: SurveyId, version?: string): AsyncIterable<Row> {
  return /\.ndjson$|\.jsonl$/i.test(file) ? ndjsonRows(file, survey, version) : csvRows(file, survey, version);
}

/** A row whose answers are already stored under its id (only paradata differ, e.g. our own export re-imported). */
async function sameAnswersStored(responses: ResponsesService, survey: SurveyId, submission: Submission): Promise<boolean> {
  const stored = await responses.get(survey, submission.id, systemActor('import'));
  return canonicalJson(stored.answers) === canonicalJson(submission.answers);
}

export async function importFile(
  responses: ResponsesService, survey: SurveyId, file: string, actor: Actor, onRow: (report: ImportReport) => void = () => {}, options: ImportOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = { rows: 0, imported: 0, alreadyPresent: 0, failed: [] };
  for await (const row of rowsOf(file, survey, options.version)) {
    report.rows += 1;
    if (!row.submission) {
      report.failed.push({ line: row.line, id: null, code: '400.1', message: row.parseError ?? 'unreadable row', errors: [] });
    } else {
      try {
        const credit = { interviewer: interviewerOf(survey, row.submission.answers, options.interviewer ?? null) };
        const outcome = await responses.submit(survey, row.submission, actor, credit);
        if (outcome.created) report.imported += 1;
        else report.alreadyPresent += 1;
      } catch (error) {
        if (!isProblem(error)) throw error;
        if (error.code === '409.1' && (await sameAnswersStored(responses, survey, row.submission))) {
          report.alreadyPresent += 1;
          onRow(report);
          continue;
        }
        const submission = row.submission;
        const errors = (Array.isArray(error.details.errors) ? (error.details.errors as ValidationError[]) : [])
          .map((e) => ({ ...e, value: shownValueAt(submission, e.path) }));
        report.failed.push({ line: row.line, id: row.submission.id, code: error.code, message: error.message, errors });
      }
    }
    onRow(report);
  }
  return report;
}
