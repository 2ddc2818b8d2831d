/**
 * Label bundles per language: questions, options, sections, grids and validation messages. English is the source;
 * Russian and Kazakh are working translations (see each bundle's `_meta`).
 */
import enCommon from './i18n/en/common.json' with { type: 'json' };
import enPopulation100 from './i18n/en/population/1.0.0.json' with { type: 'json' };
import enPopulation110 from './i18n/en/population/1.1.0.json' with { type: 'json' };
import enOrganisational100 from './i18n/en/organisational/1.0.0.json' with { type: 'json' };
import enExternal100 from './i18n/en/external/1.0.0.json' with { type: 'json' };
import ruCommon from './i18n/ru/common.json' with { type: 'json' };
import ruPopulation100 from './i18n/ru/population/1.0.0.json' with { type: 'json' };
import ruPopulation110 from './i18n/ru/population/1.1.0.json' with { type: 'json' };
import ruOrganisational100 from './i18n/ru/organisational/1.0.0.json' with { type: 'json' };
import ruExternal100 from './i18n/ru/external/1.0.0.json' with { type: 'json' };
import kkCommon from './i18n/kk/common.json' with { type: 'json' };
import kkPopulation100 from './i18n/kk/population/1.0.0.json' with { type: 'json' };
import kkPopulation110 from './i18n/kk/population/1.1.0.json' with { type: 'json' };
import kkOrganisational100 from './i18n/kk/organisational/1.0.0.json' with { type: 'json' };
import kkExternal100 from './i18n/kk/external/1.0.0.json' with { type: 'json' };
import { questionnaireVersion, type SurveyId } from './surveys.js';

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

type VersionBundles = Record<SurveyId, Record<string, unknown>>;

/** Each version of a questionnaire has its own bundles (a corrected label is a new version, like any change). */
const byVersion = (population100: unknown, population110: unknown, organisational100: unknown, external100: unknown): VersionBundles => ({
  population: { '1.0.0': population100, '1.1.0': population110 },
  organisational: { '1.0.0': organisational100 },
  external: { '1.0.0': external100 },
});

const VERSION_BUNDLES: Readonly<Record<Language, VersionBundles>> = {
  en: byVersion(enPopulation100, enPopulation110, enOrganisational100, enExternal100),
  ru: byVersion(ruPopulation100, ruPopulation110, ruOrganisational100, ruExternal100),
  kk: byVersion(kkPopulation100, kkPopulation110, kkOrganisational100, kkExternal100),
};

/** The bundle of one version of a survey in one language; the current version when none is named. */
export function surveyBundle(lang: Language, survey: SurveyId, version: string = questionnaireVersion(survey)): SurveyBundle {
  const bundle = VERSION_BUNDLES[lang][survey][version];
  if (!bundle) throw new Error(`no ${lang} labels for ${survey} ${version}`);
  return bundle as SurveyBundle;
}

const cast = (common: unknown, lang: Language): Bundles => ({
  common: common as CommonBundle,
  surveys: {
    population: surveyBundle(lang, 'population'),
    organisational: surveyBundle(lang, 'organisational'),
    external: surveyBundle(lang, 'external'),
  },
});

/** The shared bundles and each survey's current version's. */
export const bundles: Readonly<Record<Language, Bundles>> = {
  en: cast(enCommon, 'en'),
  ru: cast(ruCommon, 'ru'),
  kk: cast(kkCommon, 'kk'),
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Replaces `{name}` placeholders; unknown names are left visible rather than silently dropped. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The label of one answer code of an item, looked up in the item's own set, then the shared sets. */
export function optionLabel(lang: Language, survey: SurveyId, optionSet: string, code: string | number | boolean, version?: string): string | undefined {
  const key = String(code);
  const b = bundles[lang];
  return surveyBundle(lang, survey, version).options[optionSet]?.[key] ?? b.common.options[optionSet]?.[key] ?? b.common.options.special?.[key];
}
