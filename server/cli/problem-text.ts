/**
 * A problem as an operator at a terminal reads it: the code and message, then each error on a line of its own
 * (where, which rule, what is wrong) with the values allowed where the list is closed. The API's body points its
 * reader at `details.errors`; here there is nothing to look up, so that pointer is dropped and the list printed.
 */
import type { Problem } from '../domain/problems.js';

interface ErrorLike {
  path?: unknown;
  item?: unknown;
  keyword?: unknown;
  message?: unknown;
  allowedValues?: unknown;
}

/** A detail value in words: lists joined, records as `key=value` pairs, never a JSON blob. */
function plain(value: unknown): string {
  if (Array.isArray(value)) return value.map(plain).join(', ');
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => `${k}=${plain(v)}`).join(' ');
  return String(value);
}

function errorLines(e: ErrorLike): string[] {
  const path = typeof e.path === 'string' && e.path !== '' ? e.path : '(whole input)';
  const item = typeof e.item === 'string' && !path.includes(e.item) ? ` [${e.item}]` : '';
  const rule = typeof e.keyword === 'string' ? ` (rule: ${e.keyword})` : '';
  const lines = [`  ${path}${item}${rule}: ${plain(e.message ?? 'is invalid')}`];
  if (Array.isArray(e.allowedValues)) lines.push(`    allowed: ${plain(e.allowedValues)}`);
  return lines;
}

export function problemText(p: Problem): string {
  const headline = `${p.code} ${p.message.replace(/:? *see details(\.\w+)?\.?$/, '')}`.trimEnd();
  const { errors, ...rest } = p.details;
  const lines = Array.isArray(errors) ? errors.flatMap((e) => errorLines(typeof e === 'object' && e !== null ? e : { message: e })) : [];
  for (const [key, value] of Object.entries(rest)) lines.push(`  ${key}: ${plain(value)}`);
  return [lines.length > 0 ? `${headline.replace(/\.$/, '')}:` : headline, ...lines].join('\n');
}
