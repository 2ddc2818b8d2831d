/**
 * Label bundles per language: questions, options, sections, grids and validation messages. English is the source;
 * Russian and Kazakh are working translations (see each bundle's `_meta`).
 */
import enCommon from './i18n/en/common.json' with { type: 'json' };
import enPopulation from './i18n/en/population.json' with { type: 'json' };
import enOrganisational from './i18n/en/organisational.json' with { type: 'json' };
import enExternal from './i18n/en/external.json' with { type: 'json' };
import ruCommon from './i18n/ru/common.json' with { type: 'json' };
import ruPopulation from './i18n/ru/population.json' with { type: 'json' };
import ruOrganisational from './i18n/ru/organisational.json' with { type: 'json' };
import ruExternal from './i18n/ru/external.json' with { type: 'json' };
import kkCommon from './i18n/kk/common.json' with { type: 'json' };
import kkPopulation from './i18n/kk/population.json' with { type: 'json' };
import kkOrganisational from './i18n/kk/organisational.json' with { type: 'json' };
import kkExternal from './i18n/kk/external.json' with { type: 'json' };
import type { SurveyId } from './surveys.js';

export const LANGUAGES = ['en', 'ru', 'kk'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface BundleMeta {
  language: string;
  status: string;
  note: string;
}

export interface CommonBundle {
  _meta: BundleMeta;
  options: Record<string, Record<string, string>>;
  messages: Record<string, string>;
  types: Record<string, string>;
  formats: Record<string, string>;
  ui: Record<string, string>;
}

export interface SurveyBundle {
  _meta: BundleMeta;
  title: string;
  description: string;
  sections: Record<string, string>;
  grids: Record<string, string>;
  items: Record<string, { label: string; hint?: string }>;
  options: Record<string, Record<string, string>>;
}

export interface Bundles {
  common: CommonBundle;
  surveys: Record<SurveyId, SurveyBundle>;
}

const cast = (common: unknown, population: unknown, organisational: unknown, external: unknown): Bundles => ({
  common: common as CommonBundle,
  surveys: {
    population: population as SurveyBundle,
    organisational: organisational as SurveyBundle,
    external: external as SurveyBundle,
  },
});

export const bundles: Readonly<Record<Language, Bundles>> = {
  en: cast(enCommon, enPopulation, enOrganisational, enExternal),
  ru: cast(ruCommon, ruPopulation, ruOrganisational, ruExternal),
  kk: cast(kkCommon, kkPopulation, kkOrganisational, kkExternal),
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Replaces `{name}` placeholders; unknown names are left visible rather than silently dropped. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The label of one answer code of an item, looked up in the item's own set, then the shared sets. */
export function optionLabel(lang: Language, survey: SurveyId, optionSet: string, code: string | number | boolean): string | undefined {
  const key = String(code);
  const b = bundles[lang];
  return b.surveys[survey].options[optionSet]?.[key] ?? b.common.options[optionSet]?.[key] ?? b.common.options.special?.[key];
}
