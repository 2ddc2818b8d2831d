/**
 * One error shape for every validator, on the server and in the browser: `{path, item, keyword, message}`, with the
 * JSON pointer of the offending value, the item id, the rule that failed and a message in the interviewer's
 * language. Built from ajv's raw errors (the runtime and the standalone validators produce the same ones).
 */
import { bundles, fill, type Language } from './labels.js';
import { questionnaires, type SurveyId } from './surveys.js';

/** The subset of ajv's ErrorObject that the standalone validators also produce. */
export interface RawError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface ValidationError {
  /** JSON pointer to the value (or, for a missing item, where it should be). */
  path: string;
  /** The item id, or null when the error concerns the whole response. */
  item: string | null;
  /** The rule that failed: a JSON Schema keyword, or `skipped` for an answer to a question that does not apply. */
  keyword: string;
  message: string;
  /** For a value outside a closed list (`enum`): the values it may take, so a caller can offer them. */
  allowedValues?: Array<string | number | boolean | null>;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface Located {
  path: string;
  item: string | null;
  keyword: string;
}

function locate(e: RawError): Located {
  if (e.keyword === 'required') {
    const item = String(e.params.missingProperty);
    return { path: `${e.instancePath}/${escapePointer(item)}`, item, keyword: 'required' };
  }
  if (e.keyword === 'additionalProperties') {
    const item = String(e.params.additionalProperty);
    return { path: `${e.instancePath}/${escapePointer(item)}`, item, keyword: 'additionalProperties' };
  }
  const first = e.instancePath.split('/')[1];
  const item = first === undefined ? null : unescapePointer(first);
  return { path: e.instancePath, item, keyword: e.keyword === 'false schema' ? 'skipped' : e.keyword };
}

function messageFor(lang: Language, survey: SurveyId, loc: Located, e: RawError): string {
  const common = bundles[lang].common;
  const override = loc.item ? questionnaires[survey].properties[loc.item]?.['x-csi-messages']?.[loc.keyword] : undefined;
  // A format with a message of its own (the text formats) says what to fix rather than "enter a valid …".
  const formatKey = loc.keyword === 'format' && typeof e.params.format === 'string' ? `format_${e.params.format}` : undefined;
  const key = override ?? (loc.keyword === 'additionalProperties' ? 'unknown_item' : formatKey && common.messages[formatKey] ? formatKey : loc.keyword);
  const template = common.messages[key] ?? common.messages.invalid ?? 'Invalid answer.';
  const params: Record<string, string | number> = { item: loc.item ?? '' };
  if (typeof e.params.limit === 'number') params.limit = e.params.limit;
  if (typeof e.params.type === 'string') params.type = common.types[e.params.type] ?? e.params.type;
  if (typeof e.params.format === 'string') params.format = common.formats[e.params.format] ?? e.params.format;
  return fill(template, params);
}

/**
 * Turns raw validator errors into the shared shape. Drops ajv's `if` errors (noise that only repeats the branch
 * error) and duplicates of the same rule at the same path.
 */
export function toValidationErrors(raw: readonly RawError[] | null | undefined, survey: SurveyId, lang: Language = 'en'): ValidationError[] {
  const seen = new Set<string>();
  const out: ValidationError[] = [];
  for (const e of raw ?? []) {
    if (e.keyword === 'if') continue;
    const loc = locate(e);
    const key = `${loc.path}\u0000${loc.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...loc, message: messageFor(lang, survey, loc, e) });
  }
  return out;
}
