/**
 * Rows of keyed-in paper questionnaires (CSV cells are text; NDJSON lines are JSON) turned into submissions.
 * Cells are read by item kind: choice codes by name or by numeric export code (98 = dk), numbers as numbers,
 * blank as unanswered. Ids are deterministic, so importing the same file twice imports nothing twice.
 */
import type { Submission, SubmissionMeta } from '../../schemas/api.js';
import { itemsOf, type Item } from '../../schemas/items.js';
import { derivedVariables, interviewDateItem, interviewerItems, respondentKey } from '../../schemas/survey-definition.js';
import { questionnaireVersion, type SurveyId } from '../../schemas/surveys.js';
import { questionnaireFor } from '../../schemas/versions.js';
import { canonicalJson, uuidFromName } from './canonical.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Stands for "when the interview happened is unknown": paper forms rarely say. Deterministic on purpose. */
export const UNKNOWN_TIME = '1970-01-01T00:00:00.000Z';


/**
 * Whom an imported row is credited to: the interviewer the paper form names, else the one the import names for the
 * whole file, else nobody (null: unknown). Never the operator who ran the import; the audit trail records that.
 */
export function interviewerOf(survey: SurveyId, answers: Record<string, unknown>, fallback: string | null = null): string | null {
  // The item where a paper questionnaire names who interviewed (only the population survey has one).
  const named = interviewerItems(survey).map((id) => answers[id]).find((v) => typeof v === 'string' && v.trim() !== '');
  return typeof named === 'string' ? named.trim() : fallback;
}

/** The value at a JSON pointer (RFC 6901) into a submission, as an error report shows it; '' when there is none. */
export function shownValueAt(submission: Submission, pointer: string): string {
  let value: unknown = submission;
  for (const token of pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (typeof value !== 'object' || value === null) return '';
    value = (value as Record<string, unknown>)[token];
  }
  if (value === undefined || pointer === '') return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function choiceValue(item: Item, cell: string): unknown {
  const special = item.special ? ['dk', 'ref'] : [];
  const byName = [...item.codes, ...special].find((c) => String(c) === cell);
  if (byName !== undefined) return byName;
  const byNumber = Object.entries(item.numericCodes).find(([, n]) => String(n) === cell)?.[0];
  if (byNumber !== undefined) return [...item.codes, ...special].find((c) => String(c) === byNumber);
  return cell; // left as given: validation names the item and the rule
}

/** One CSV cell as the answer its item expects (unknown columns are kept, so validation reports them). */
export function cellValue(item: Item | undefined, cell: string): unknown {
  if (!item) return cell;
  switch (item.kind) {
    case 'choice': return choiceValue(item, cell);
    case 'integer':
    case 'number': {
      if (item.special && (cell === 'dk' || cell === 'ref')) return cell;
      const special = Object.entries(item.numericCodes).find(([, n]) => String(n) === cell)?.[0];
      if (special !== undefined) return special;
      const n = Number(cell);
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    default: return cell;
  }
}

const META_COLUMNS = new Set(['id', 'status', 'questionnaire_version', 'interviewer', 'received_at', 'updated_at', 'revision', 'meta_duration_seconds', 'weight']);

/** Undoes the spreadsheet-formula escaping of our CSV export: a quote put before = + - @ tab or CR. */
function unescapeFormula(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** Answers from a CSV record keyed by item id; our own export's meta and derived columns are ignored. */
export function answersFromCsv(survey: SurveyId, record: Record<string, string | undefined>, version?: string): Record<string, unknown> {
  // A version this survey never had is refused when submitted (400.8); its cells are read as the current version's.
  const items = new Map(itemsOf(survey, version !== undefined && questionnaireFor(survey, version) ? version : undefined).map((i) => [i.id, i]));
  const derived = new Set(derivedVariables(survey).map((d) => d.id));
  const answers: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(record)) {
    if (raw === undefined || raw.trim() === '' || META_COLUMNS.has(column) || derived.has(column) || column.startsWith('meta_')) continue;
    const item = items.get(column);
    // Free text is kept as written; codes and numbers forgive stray spaces.
    answers[column] = item?.kind === 'text' ? unescapeFormula(raw) : cellValue(item, raw.trim());
  }
  return answers;
}

function metaFor(survey: SurveyId, answers: Record<string, unknown>, given: Partial<SubmissionMeta>): SubmissionMeta {
  const dateKey = interviewDateItem(survey);
  const date = dateKey && typeof answers[dateKey] === 'string' ? `${answers[dateKey] as string}T00:00:00.000Z` : UNKNOWN_TIME;
  return {
    formVersion: given.formVersion ?? questionnaireVersion(survey),
    language: given.language ?? 'en',
    source: 'import',
    startedAt: given.startedAt ?? date,
    completedAt: given.completedAt ?? given.startedAt ?? date,
    ...(given.device ? { device: given.device } : {}),
  };
}

/**
 * The submission for a row: its own id when it has one, else a name-based id from the respondent key, or without
 * one from the answers and how many identical rows came before it in the file (two paper forms with the same
 * answers are two respondents; re-running the file still gives the same ids).
 */
export function submissionFromRow(
  survey: SurveyId, answers: Record<string, unknown>, given: { id?: unknown; meta?: Partial<SubmissionMeta>; occurrence?: number } = {},
): Submission {
  const keyItem = respondentKey(survey);
  const key = keyItem === null ? undefined : answers[keyItem];
  const id = typeof given.id === 'string' && UUID.test(given.id)
    ? given.id
    : uuidFromName(`csi-import:${survey}:${typeof key === 'string' ? `key:${key}` : `answers:${canonicalJson(answers)}#${given.occurrence ?? 0}`}`);
  return { id, answers, meta: metaFor(survey, answers, given.meta ?? {}) };
}

/** CSV meta columns (as our export writes them) back into meta. */
export function metaFromCsv(record: Record<string, string | undefined>): Partial<SubmissionMeta> {
  const pick = (k: string) => (record[k]?.trim() ? record[k]?.trim() : undefined);
  const language = pick('meta_language');
  return {
    ...(pick('meta_form_version') ? { formVersion: pick('meta_form_version') } : {}),
    ...(language === 'en' || language === 'ru' || language === 'kk' ? { language } : {}),
    ...(pick('meta_started_at') ? { startedAt: pick('meta_started_at') } : {}),
    ...(pick('meta_completed_at') ? { completedAt: pick('meta_completed_at') } : {}),
    ...(pick('meta_device') ? { device: pick('meta_device') } : {}),
  };
}
