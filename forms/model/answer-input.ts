/**
 * What the interviewer types or taps, turned into the answer codes the schema expects: choice inputs carry the
 * index of the code (so `true`, `7` and `"active"` all round-trip through a DOM string), numbers are parsed, and
 * text that is not a number is kept as typed so the validator can say what is wrong with it.
 */
import type { Code, Item } from '../../schemas/items.js';

export const SPECIAL = ['dk', 'ref'] as const;

/** The DOM value of a code of a choice item. */
export function choiceValue(item: Item, code: unknown): string {
  const i = item.codes.findIndex((c) => c === code);
  return i < 0 ? '' : String(i);
}

/** The code behind a DOM value of a choice item, or undefined for an unknown value. */
export function choiceCode(item: Item, value: string): Code | undefined {
  return /^\d+$/.test(value) ? item.codes[Number(value)] : undefined;
}

/** A typed number: undefined when empty, a number when it reads as one, the raw text otherwise. */
export function parseNumber(text: string): number | string | undefined {
  const t = text.trim().replace(',', '.');
  if (t === '') return undefined;
  const n = Number(t);
  return /^-?\d+(\.\d+)?$/.test(t) && Number.isFinite(n) ? n : text;
}

/** Typed text: undefined when blank. */
export function parseText(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

export function isSpecial(value: unknown): value is (typeof SPECIAL)[number] {
  return value === 'dk' || value === 'ref';
}
