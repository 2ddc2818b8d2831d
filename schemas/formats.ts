/**
 * String formats used by the questionnaires. Kept here (not taken from ajv-formats) so the server's ajv and the
 * generated standalone validators shipped to the browser run the very same check.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A calendar date as RFC 3339 full-date (YYYY-MM-DD), with real month lengths and leap years. */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time with a time zone (`2009-06-01T10:15:00Z`, `...+06:00`). */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m || !isDate(m[1] as string)) return false;
  const zone = /^[+-](\d{2}):(\d{2})$/.exec(m[6] as string);
  if (zone && (Number(zone[1]) > 23 || Number(zone[2]) > 59)) return false;
  // Years are four digits, so every accepted value is a real instant both stores compare alike.
  return Number(m[2]) <= 23 && Number(m[3]) <= 59 && Number(m[4]) <= 59 && Number.isFinite(Date.parse(value));
}

/**
 * Characters no text the app keeps may hold: C0 and C1 control characters (NUL included) and DEL, bidirectional
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they make a stored name or comment display as
 * something else), and lone surrogates (not Unicode at all: MongoDB-compatible stores replace them with U+FFFD, so
 * what is stored would differ from what was acknowledged). Long text may also hold tabs and newlines.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_LONG = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One line of text (a name, an id, a short answer, a password): none of the characters above. */
export function isText(value: string): boolean {
  return !UNSAFE.test(value);
}

/** Longer text (an open answer, a comment): as `text`, but tabs and newlines are allowed. */
export function isLongText(value: string): boolean {
  return !UNSAFE_LONG.test(value);
}

/** In ajv's format-definition shape, which the standalone validators call as `formats.date.validate`. */
export const formats = {
  date: { type: 'string', validate: isDate },
  'date-time': { type: 'string', validate: isDateTime },
  text: { type: 'string', validate: isText },
  'long-text': { type: 'string', validate: isLongText },
} as const;

/**
 * String length in Unicode code points, as JSON Schema's minLength/maxLength count it (ajv's own helper does the
 * same). The standalone validators import it from here instead of from ajv's runtime.
 */
export function ucs2length(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}
