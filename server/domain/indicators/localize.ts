/**
 * A computed matrix in a reader's language: rule texts in words with labels (rule-words.ts), notes and alternative
 * labels from the language's bundle (schemas/i18n/<lang>/indicators.json), components named by their questions or
 * groups, and the flags and reasons the computation writes in English put into words too. Pure: the numbers are
 * untouched, only text changes. Without a language the API keeps the technical texts (ids and codes), which the
 * exports and the command line carry for analysts.
 */
import { indicatorTexts } from '../../../schemas/csi/indicator-texts.js';
import { indicatorMatrix, indicatorsOf, type IndicatorMatrix } from '../../../schemas/csi/indicators.js';
import { bundles, type Language } from '../../../schemas/labels.js';
import { isSurveyId } from '../../../schemas/surveys.js';
import type { MatrixResult } from './compute.js';
import { groupLabel, ruleWords } from './rule-words.js';

interface Phrases {
  members: string;
  nonMembers: string;
  differenceBeforeFloor: string;
  belowFloor(raw: string, floor: string): string;
  noResponses: string;
  emptyBase: string;
  missing(what: string, ids: string): string;
  noIndicator: string;
  notProvided(input: string): string;
}

const PHRASES: Record<Language, Phrases> = {
  en: {
    members: 'members', nonMembers: 'non-members', differenceBeforeFloor: 'difference before the floor',
    belowFloor: (raw, floor) => `the difference (${raw} points) is below ${floor} and is reported as ${floor}`,
    noResponses: 'no responses', emptyBase: 'empty base: no response with the answers the rule needs',
    missing: (what, ids) => `${what} ${ids} missing`, noIndicator: 'no indicator available',
    notProvided: (input) => `secondary input not provided: ${input}`,
  },
  ru: {
    members: 'члены', nonMembers: 'нечлены', differenceBeforeFloor: 'разница до ограничения снизу',
    belowFloor: (raw, floor) => `разница (${raw} пункта) ниже ${floor} и показана как ${floor}`,
    noResponses: 'нет ответов', emptyBase: 'пустая база: нет ответов, нужных правилу',
    missing: (what, ids) => `нет данных: ${what === 'indicator' ? 'индикатор' : 'субизмерение'} ${ids}`, noIndicator: 'ни одного индикатора с данными',
    notProvided: (input) => `не заданы вторичные данные: ${input}`,
  },
  kk: {
    members: 'мүшелер', nonMembers: 'мүше еместер', differenceBeforeFloor: 'төменгі шекке дейінгі айырма',
    belowFloor: (raw, floor) => `айырма (${raw} пункт) ${floor}-ден төмен, сондықтан ${floor} ретінде көрсетілген`,
    noResponses: 'жауаптар жоқ', emptyBase: 'база бос: ережеге қажет жауаптар жоқ',
    missing: (what, ids) => `дерек жоқ: ${ids} ${what === 'indicator' ? 'индикаторы' : 'кіші өлшемі'}`, noIndicator: 'деректері бар индикатор жоқ',
    notProvided: (input) => `қосымша деректер берілмеген: ${input}`,
  },
};

/** A reason or flag the computation wrote, in words of the language (what it cannot read, it leaves as it is). */
function reasonIn(lang: Language, text: string | null, id?: string): string | null {
  if (text === null) return null;
  const p = PHRASES[lang];
  const own = id ? indicatorTexts[lang].emptyBase?.[id] : undefined;
  if (own) return own;
  if (text === 'no responses') return p.noResponses;
  if (text.startsWith('empty base')) return p.emptyBase;
  if (text === 'no indicator available') return p.noIndicator;
  const missing = /^(indicator|sub-dimension) (.+) missing$/.exec(text);
  if (missing) return p.missing(missing[1] as string, missing[2] as string);
  const below = /^the difference \((-?[\d.]+) points\) is below (-?[\d.]+) and is reported as/.exec(text);
  if (below) return p.belowFloor(below[1] as string, below[2] as string);
  const input = /^secondary input (\w+) /.exec(text);
  if (input) return p.notProvided(indicatorTexts[lang].secondary[input[1] as keyof typeof indicatorTexts.en.secondary] ?? input[1]);
  return text;
}

export function localizeMatrix(result: MatrixResult, lang: Language, matrix: IndicatorMatrix = indicatorMatrix): MatrixResult {
  const defs = new Map(indicatorsOf(matrix).map((d) => [d.id, d]));
  const t = indicatorTexts[lang];
  const p = PHRASES[lang];
  return {
    ...result,
    indicators: result.indicators.map((i) => {
      const def = defs.get(i.id);
      if (!def) return i;
      const survey = isSurveyId(i.source) ? i.source : null;
      const fixed: Record<string, string> = { members: p.members, 'non-members': p.nonMembers, 'difference before the floor': p.differenceBeforeFloor };
      const componentLabel = (label: string) => fixed[label]
        ?? (survey ? bundles[lang].surveys[survey].items[label]?.label : undefined)
        ?? groupLabel(lang, label);
      return {
        ...i,
        rule: ruleWords(def.rule, lang, def.source),
        note: lang === 'en' ? i.note : t.notes?.[i.id] ?? i.note,
        reason: reasonIn(lang, i.reason),
        flags: i.flags.map((f) => (def.rule.kind === 'share' && def.rule.emptyBase?.reason === f ? reasonIn(lang, f, i.id) ?? f : reasonIn(lang, f) ?? f)),
        components: i.components.map((c) => ({ ...c, label: componentLabel(c.label), reason: reasonIn(lang, c.reason) })),
        alternatives: i.alternatives.map((a, k) => {
          const alt = def.alternatives?.[k];
          return { ...a, label: t.alternatives?.[a.label] ?? a.label, rule: alt ? ruleWords(alt.rule, lang, def.source) : a.rule, reason: reasonIn(lang, a.reason) };
        }),
        breakdown: i.breakdown?.map((c) => ({ ...c, reason: reasonIn(lang, c.reason) })) ?? null,
      };
    }),
    subDimensions: result.subDimensions.map((s) => ({ ...s, reason: reasonIn(lang, s.reason) })),
    dimensions: result.dimensions.map((d) => ({ ...d, reason: reasonIn(lang, d.reason) })),
  };
}
