/**
 * The two social concerns the national team chose (data dictionary: "concern text injected from config"): the
 * organisational and external questionnaires ask about civil society's impact on `{concern1}` and `{concern2}`.
 * Every reader of those labels (the form, the indicator rule texts, the codebook) fills them here, so a label never
 * shows a raw placeholder: without a setting, a neutral phrase in the reader's language stands in.
 */
import schema from './api/social-concerns.schema.json' with { type: 'json' };
import { bundles, type Language } from './labels.js';

export const CONCERN_SLOTS = ['concern1', 'concern2'] as const;
export type ConcernSlot = (typeof CONCERN_SLOTS)[number];

/** A concern's name in each language, and the setting and its published version: generated from
 * schemas/api/social-concerns.schema.json and published-concerns.schema.json. */
export type { ConcernName, PublishedConcerns, SocialConcerns } from './generated/api.types.js';
import type { SocialConcerns } from './generated/api.types.js';

/** The longest name a concern may have in one language (the schema's rule, for the console's fields). */
export const CONCERN_MAX_LENGTH: number = schema.$defs.text.maxLength;


/** The words that stand for each placeholder in one language. */
export function concernWords(lang: Language, concerns: SocialConcerns | null): Record<ConcernSlot, string> {
  const ui = bundles[lang].common.ui;
  const neutral = (slot: ConcernSlot) => ui[`${slot}_neutral`] ?? bundles.en.common.ui[`${slot}_neutral`] ?? slot;
  return { concern1: concerns?.concern1[lang] ?? neutral('concern1'), concern2: concerns?.concern2[lang] ?? neutral('concern2') };
}

/** A label with `{concern1}` / `{concern2}` filled; other placeholders are left as they are. */
export function withConcerns(label: string, lang: Language, concerns: SocialConcerns | null): string {
  if (!label.includes('{concern')) return label;
  const words = concernWords(lang, concerns);
  return label.replace(/\{(concern[12])\}/g, (_whole, slot: ConcernSlot) => words[slot]);
}

/** Every string in a JSON-like value with the concerns filled (a computed report's rule texts, labels and reasons). */
export function withConcernsIn<T>(value: T, lang: Language, concerns: SocialConcerns | null): T {
  if (typeof value === 'string') return withConcerns(value, lang, concerns) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withConcernsIn(v, lang, concerns)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withConcernsIn(v, lang, concerns)])) as T;
  }
  return value;
}
