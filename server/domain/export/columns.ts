/**
 * The column model of every export: built once per survey and language from the questionnaire, the codebook's
 * numeric codes and the label bundles, then read by the CSV, SPSS and Stata writers alike, so a code, a label or a
 * missing-value declaration is decided in one place and is the same number in every format.
 */
import { withConcerns, type SocialConcerns } from '../../../schemas/concerns.js';
import { unionItemsOf, type Item } from '../../../schemas/items.js';
import { NUMBER_SPECIAL_CODES, SPECIAL_ANSWERS } from '../../../schemas/keywords.js';
import { bundles, optionLabel, type Language } from '../../../schemas/labels.js';
import { derivedVariables, type DerivedVariable } from '../../../schemas/survey-definition.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import type { StoredResponse } from '../response.js';
import { META_LABELS } from './column-labels.js';

export type Measure = 'nominal' | 'ordinal' | 'scale';

/** What every column reads: a stored response and its weight (population only; undefined when it has none). */
export interface ExportRow {
  response: StoredResponse;
  weight: number | undefined;
}

export interface ExportColumn {
  name: string;
  /** Question text (or a meta column's description) in the chosen language; `grid` is the grid's stem, if any. */
  question: string;
  grid?: string;
  type: 'numeric' | 'string';
  /** Strings: the widest value in UTF-8 bytes the schema allows. Numerics: display width. */
  width: number;
  decimals: number;
  measure: Measure;
  /** Codes and their labels, in questionnaire order, special answers last. */
  valueLabels: ReadonlyArray<readonly [number, string]>;
  /** Codes declared user-missing (don't know, refused). */
  missing: readonly number[];
  /** The value as analysis files hold it: a number (a code for closed answers), a string, or null when blank. */
  value(row: ExportRow): number | string | null;
}

/** Meta columns in export order, with the stored value each reads. Their order is the CSV export's. */
export const META_COLUMNS: ReadonlyArray<readonly [string, (r: StoredResponse) => unknown]> = [
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

/**
 * Widest meta strings in UTF-8 bytes: ids, times, codes and user names are ASCII of a known length; versions and the
 * device are free text of the submission schema's maxLength in characters, four bytes each at most.
 */
const META_STRING_BYTES: Readonly<Record<string, number>> = {
  id: 36, status: 16, questionnaire_version: 40, interviewer: 64, received_at: 32, updated_at: 32, meta_form_version: 160,
  meta_app_version: 160, meta_language: 2, meta_device: 800, meta_source: 8, meta_started_at: 40, meta_completed_at: 40,
};
const META_NUMBERS: Readonly<Record<string, number>> = { revision: 0, meta_duration_seconds: 0 };

/** A code point is at most four bytes of UTF-8, and ajv's maxLength counts code points. */
const BYTES_PER_CHAR = 4;

/** Surveys whose export carries a weight column (raked to the margins; blank when they cannot be). */
export const WEIGHTED: readonly SurveyId[] = ['population'];

export function durationSeconds(r: StoredResponse): number | undefined {
  const ms = Date.parse(r.meta.completedAt) - Date.parse(r.meta.startedAt);
  return Number.isFinite(ms) ? Math.round(ms / 1000) : undefined;
}

function metaColumn(lang: Language, name: string, get: (r: StoredResponse) => unknown): ExportColumn {
  const question = META_LABELS[name]?.[lang] ?? name;
  const base = { name, question, valueLabels: [], missing: [] };
  if (name in META_NUMBERS) {
    return { ...base, type: 'numeric', width: 10, decimals: 0, measure: 'scale', value: ({ response }) => numberOrNull(get(response)) };
  }
  return { ...base, type: 'string', width: META_STRING_BYTES[name] ?? 64, decimals: 0, measure: 'nominal', value: ({ response }) => stringOrNull(get(response)) };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function stringOrNull(v: unknown): string | null {
  return v === undefined || v === null ? null : String(v);
}

function specialLabels(lang: Language, item: Item): Array<readonly [number, string]> {
  if (!item.special) return [];
  return SPECIAL_ANSWERS.map((s) => [item.numericCodes[s] ?? NUMBER_SPECIAL_CODES[s], optionLabel(lang, item.survey, item.optionSet, s) ?? s] as const);
}

/** Codes to numbers through the codebook; an answer without a code (never valid) is left blank, not guessed. */
function coded(numericCodes: Record<string, number>, answer: unknown): number | null {
  if (answer === undefined || answer === null) return null;
  return numericCodes[String(answer)] ?? null;
}

function itemColumn(lang: Language, item: Item, concerns: SocialConcerns | null): ExportColumn {
  const b = bundles[lang].surveys[item.survey];
  const question = withConcerns(b.items[item.id]?.label ?? item.id, lang, concerns);
  const grid = item.grid ? b.grids[item.grid] : undefined;
  const base = { name: item.id, question, ...(grid ? { grid } : {}), measure: item.measure };
  const read = (row: ExportRow) => row.response.answers[item.id];
  if (item.kind === 'choice') {
    const labels = item.codes.map((c) => [item.numericCodes[String(c)] as number, optionLabel(lang, item.survey, item.optionSet, c) ?? String(c)] as const);
    return {
      ...base, type: 'numeric', width: 8, decimals: 0, valueLabels: [...labels, ...specialLabels(lang, item)],
      missing: item.special ? SPECIAL_ANSWERS.map((s) => item.numericCodes[s] as number) : [], value: (row) => coded(item.numericCodes, read(row)),
    };
  }
  if (item.kind === 'integer' || item.kind === 'number') {
    const special = specialLabels(lang, item);
    return {
      ...base, type: 'numeric', width: item.kind === 'integer' ? 12 : 20, decimals: item.kind === 'integer' ? 0 : 2, valueLabels: special,
      missing: special.map(([code]) => code),
      value: (row) => {
        const v = read(row);
        return typeof v === 'number' ? v : coded(item.numericCodes, v);
      },
    };
  }
  const chars = item.kind === 'date' ? 10 : item.maxLength ?? 255;
  return { ...base, type: 'string', width: chars * BYTES_PER_CHAR, decimals: 0, valueLabels: [], missing: [], value: (row) => stringOrNull(read(row)) };
}

function derivedColumn(lang: Language, survey: SurveyId, variable: DerivedVariable): ExportColumn {
  const { id, numericCodes } = variable;
  const labels = variable.codes.map((c) => [numericCodes[c] as number, optionLabel(lang, survey, id, c) ?? c] as const);
  return {
    name: id, question: bundles[lang].surveys[survey].items[id]?.label ?? id, type: 'numeric', width: 8, decimals: 0,
    measure: variable.measure, valueLabels: labels, missing: [],
    value: ({ response }) => coded(numericCodes, response.derived[id]),
  };
}

function weightColumn(lang: Language): ExportColumn {
  return {
    name: 'weight', question: META_LABELS.weight?.[lang] ?? 'weight', type: 'numeric', width: 12, decimals: 6, measure: 'scale',
    valueLabels: [], missing: [], value: ({ weight }) => weight ?? null,
  };
}

/**
 * Every column of a survey's export, in the CSV export's order: meta, items, derived variables, weight. Items are
 * those of every questionnaire version (responses of each read through the mappings, see export.service.ts), so one
 * file holds them all, told apart by `questionnaire_version`.
 */
export function exportColumnModel(survey: SurveyId, lang: Language, concerns: SocialConcerns | null = null): ExportColumn[] {
  return [
    ...META_COLUMNS.map(([name, get]) => metaColumn(lang, name, get)),
    ...unionItemsOf(survey).map((item) => itemColumn(lang, item, concerns)),
    ...derivedVariables(survey).map((v) => derivedColumn(lang, survey, v)),
    ...(WEIGHTED.includes(survey) ? [weightColumn(lang)] : []),
  ];
}

/**
 * The longest prefix of `text` that fits in `maxBytes` of UTF-8 and `maxChars` characters, cut between
 * characters, never inside one.
 */
export function fitUtf8(text: string, maxBytes: number, maxChars = Infinity): string {
  if (Buffer.byteLength(text) <= maxBytes && text.length <= maxChars) return text;
  let bytes = 0;
  let chars = 0;
  let out = '';
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes || chars + 1 > maxChars) break;
    bytes += n;
    chars += 1;
    out += ch;
  }
  return out;
}

const fits = (text: string, maxBytes: number, maxChars: number) => Buffer.byteLength(text) <= maxBytes && [...text].length <= maxChars;

/**
 * A column's variable label within a format's limits. Grid items read "stem — item"; when that is too long the
 * stem is shortened first, since the item's own words are what tell the variables of one grid apart.
 */
export function variableLabel(column: ExportColumn, maxBytes: number, maxChars = Infinity): string {
  if (!column.grid) return fitUtf8(column.question, maxBytes, maxChars);
  const full = `${column.grid} — ${column.question}`;
  if (fits(full, maxBytes, maxChars)) return full;
  const tail = `… — ${column.question}`;
  const roomBytes = maxBytes - Buffer.byteLength(tail);
  const roomChars = maxChars - [...tail].length;
  return roomBytes > 0 && roomChars > 0 ? `${fitUtf8(column.grid, roomBytes, roomChars)}${tail}` : fitUtf8(column.question, maxBytes, maxChars);
}
