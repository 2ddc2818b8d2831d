/**
 * The indicator matrix's words in each language beyond the names (which live in indicators.json): secondary
 * inputs, the diversity groups and alternative rules by their English label, the notes and empty-base reasons by
 * indicator id. English is the matrix itself, so its bundle holds only the secondary labels; a text missing from
 * a bundle falls back to English. Read by the server (rule texts and notes in the API's language) and the pages.
 */
import en from '../i18n/en/indicators.json' with { type: 'json' };
import kk from '../i18n/kk/indicators.json' with { type: 'json' };
import ru from '../i18n/ru/indicators.json' with { type: 'json' };
import type { Language } from '../labels.js';
import type { SecondaryKey } from './indicators.js';

export interface IndicatorTexts {
  secondary: Record<SecondaryKey, string>;
  groups?: Record<string, string>;
  alternatives?: Record<string, string>;
  notes?: Record<string, string>;
  emptyBase?: Record<string, string>;
}

export const indicatorTexts: Readonly<Record<Language, IndicatorTexts>> = {
  en: en as IndicatorTexts,
  ru: ru as IndicatorTexts,
  kk: kk as IndicatorTexts,
};

/** A secondary input by its name in a language (the index and its scale), English where no translation exists. */
export function secondaryLabel(lang: Language, key: SecondaryKey): string {
  return indicatorTexts[lang].secondary[key] ?? indicatorTexts.en.secondary[key];
}
