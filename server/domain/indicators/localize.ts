/**
 * A computed matrix in a reader's language: rule texts in words with labels (rule-words.ts), notes and alternative
 * labels from the language's bundle (schemas/i18n/<lang>/indicators.json), components named by their questions or
 * groups, and the flags and reasons the computation writes in English put into words too. Pure: the numbers are
 * untouched, only text changes. Without a language the API keeps the technical texts (ids and codes), which the
 * exports and the command line carry for analysts.
 */
import { indicatorTexts, secondaryLabel } from '../../../schemas/csi/indicator-texts.js';
import { indicatorMatrix, indicatorsOf, SECONDARY_KEYS, type IndicatorMatrix, type SecondaryKey } from '../../../schemas/csi/indicators.js';
import { bundles, type Language } from '../../../schemas/labels.js';
import { isSurveyId, SURVEY_IDS, type SurveyId } from '../../../schemas/surveys.js';
import type { MatrixResult } from './compute.js';
import { readParts, readReason, reasonWords } from './reasons.js';
import { groupLabel, itemName, ruleWords } from './rule-words.js';

/** Component labels the computation writes in English (difference rules). */
const FIXED: Record<Language, Record<string, string>> = {
  en: { members: 'members', 'non-members': 'non-members', 'difference before the floor': 'difference before the floor' },
  ru: { members: 'члены', 'non-members': 'нечлены', 'difference before the floor': 'разница до ограничения снизу' },
  kk: { members: 'мүшелер', 'non-members': 'мүше еместер', 'difference before the floor': 'төменгі шекке дейінгі айырма' },
};

const isSecondaryKey = (key: string): key is SecondaryKey => (SECONDARY_KEYS as readonly string[]).includes(key);

/** A component's or a part's label: a fixed word, an item's question, or a diversity group. */
function labelIn(lang: Language, survey: SurveyId | null, label: string): string {
  const of = surveyOf(survey, label);
  return FIXED[lang][label] ?? (of ? bundles[lang].surveys[of].items[label]?.label : undefined) ?? groupLabel(lang, label);
}

/** The survey an item belongs to: the indicator's, or (for a sub-dimension's reason) whichever has the item. */
function surveyOf(survey: SurveyId | null, item: string): SurveyId | null {
  if (survey && bundles.en.surveys[survey].items[item]) return survey;
  return SURVEY_IDS.find((s) => bundles.en.surveys[s].items[item] !== undefined) ?? survey;
}

/** A reason's params in the reader's terms: questions by their labels, inputs by their names, nested reasons worded. */
function paramsIn(lang: Language, survey: SurveyId | null, params: Record<string, string>): Record<string, string> {
  const out = { ...params };
  if (params.variable !== undefined) out.variable = itemName(lang, surveyOf(survey, params.variable) ?? 'population', params.variable);
  if (params.input !== undefined) out.input = isSecondaryKey(params.input) ? secondaryLabel(lang, params.input) : params.input;
  if (params.reason !== undefined) out.reason = reasonIn(lang, survey, params.reason) ?? params.reason;
  if (params.parts !== undefined) {
    out.parts = readParts(params.parts).map((p) => `${labelIn(lang, survey, p.label)} (${reasonIn(lang, survey, p.reason) ?? p.reason})`).join('; ');
  }
  return out;
}

/** A reason or flag the computation wrote (reasons.ts), in words of the language; a rule's own empty-base note by its id. */
function reasonIn(lang: Language, survey: SurveyId | null, text: string | null, id?: string): string | null {
  if (text === null) return null;
  const own = id ? indicatorTexts[lang].emptyBase?.[id] : undefined;
  if (own) return own;
  const reason = readReason(text);
  return reason ? reasonWords(lang, reason.code, paramsIn(lang, survey, reason.params)) : text;
}

export function localizeMatrix(result: MatrixResult, lang: Language, matrix: IndicatorMatrix = indicatorMatrix): MatrixResult {
  const defs = new Map(indicatorsOf(matrix).map((d) => [d.id, d]));
  const t = indicatorTexts[lang];
  return {
    ...result,
    indicators: result.indicators.map((i) => {
      const def = defs.get(i.id);
      if (!def) return i;
      const survey = isSurveyId(i.source) ? i.source : null;
      return {
        ...i,
        rule: ruleWords(def.rule, lang, def.source),
        note: lang === 'en' ? i.note : t.notes?.[i.id] ?? i.note,
        reason: reasonIn(lang, survey, i.reason),
        flags: i.flags.map((f) => (def.rule.kind === 'share' && def.rule.emptyBase?.reason === f ? reasonIn(lang, survey, f, i.id) ?? f : reasonIn(lang, survey, f) ?? f)),
        components: i.components.map((c) => ({ ...c, label: labelIn(lang, survey, c.label), reason: reasonIn(lang, survey, c.reason) })),
        alternatives: i.alternatives.map((a, k) => {
          const alt = def.alternatives?.[k];
          return { ...a, label: t.alternatives?.[a.label] ?? a.label, rule: alt ? ruleWords(alt.rule, lang, def.source) : a.rule, reason: reasonIn(lang, survey, a.reason) };
        }),
        breakdown: i.breakdown?.map((c) => ({ ...c, reason: reasonIn(lang, survey, c.reason) })) ?? null,
      };
    }),
    subDimensions: result.subDimensions.map((s) => ({ ...s, reason: reasonIn(lang, null, s.reason) })),
    dimensions: result.dimensions.map((d) => ({ ...d, reason: reasonIn(lang, null, d.reason) })),
  };
}

/**
 * Only the rule texts in words, questions named by their labels: what the API answers without a language. Reasons
 * and flags keep their technical text (ids, for analysts), but no reader should have to decode a rule.
 */
export function ruleTextsInWords(result: MatrixResult, lang: Language = 'en', matrix: IndicatorMatrix = indicatorMatrix): MatrixResult {
  const defs = new Map(indicatorsOf(matrix).map((d) => [d.id, d]));
  return {
    ...result,
    indicators: result.indicators.map((i) => {
      const def = defs.get(i.id);
      if (!def) return i;
      return {
        ...i,
        rule: ruleWords(def.rule, lang, def.source),
        alternatives: i.alternatives.map((a, k) => {
          const alt = def.alternatives?.[k];
          return alt ? { ...a, rule: ruleWords(alt.rule, lang, def.source) } : a;
        }),
      };
    }),
  };
}
