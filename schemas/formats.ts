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

/** In ajv's format-definition shape, which the standalone validators call as `formats.date.validate`. */
export const formats = {
  date: { type: 'string', validate: isDate },
  'date-time': { type: 'string', validate: isDateTime },
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
