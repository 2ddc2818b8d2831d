/**
 * Why an indicator, sub-dimension or dimension has no value (or a flag on one that has), each reason written once:
 * its technical text (ids and codes, what the API answers without a language and what exports and the command line
 * carry) and its words in each language. The computation writes `reasonText(code, params)`; localize.ts reads the
 * technical text back with the same template and words it, its params in the reader's terms (reasonParams below).
 */
import type { Language } from '../../../schemas/labels.js';

interface ReasonDefinition {
  /** {name} placeholders; a name may appear twice (the same value). */
  technical: string;
  words: Record<Language, string>;
}

export const REASONS = {
  noResponses: {
    technical: 'no responses',
    words: { en: 'no responses', ru: 'нет ответов', kk: 'жауаптар жоқ' },
  },
  emptyBase: {
    technical: 'empty base: no response with {what}',
    words: { en: 'empty base: no response with the answers the rule needs', ru: 'пустая база: нет ответов, нужных правилу', kk: 'база бос: ережеге қажет жауаптар жоқ' },
  },
  emptyBaseInGroup: {
    technical: 'empty base in this group: no response with {what}',
    words: { en: 'empty base in this group: no response with the answers the rule needs', ru: 'пустая база в этой группе: нет ответов, нужных правилу', kk: 'бұл топта база бос: ережеге қажет жауаптар жоқ' },
  },
  indicatorsMissing: {
    technical: 'indicator {ids} missing',
    words: { en: 'no data: indicator {ids}', ru: 'нет данных: индикатор {ids}', kk: 'дерек жоқ: {ids} индикаторы' },
  },
  subDimensionsMissing: {
    technical: 'sub-dimension {ids} missing',
    words: { en: 'no data: sub-dimension {ids}', ru: 'нет данных: субизмерение {ids}', kk: 'дерек жоқ: {ids} кіші өлшемі' },
  },
  noIndicator: {
    technical: 'no indicator available',
    words: { en: 'no indicator with data', ru: 'ни одного индикатора с данными', kk: 'деректері бар индикатор жоқ' },
  },
  noGroup: {
    technical: 'no group can be scored',
    words: { en: 'no group can be scored', ru: 'ни одну группу нельзя оценить', kk: 'бірде-бір топты бағалау мүмкін емес' },
  },
  inputNotProvided: {
    technical: 'secondary input {input} ({label}) not provided',
    words: { en: 'secondary input not provided: {input}', ru: 'не заданы вторичные данные: {input}', kk: 'қосымша деректер берілмеген: {input}' },
  },
  inputNotNumber: {
    technical: 'secondary input {input} is not a number of at least 0',
    words: { en: 'the secondary input {input} is not a number of at least 0', ru: 'вторичные данные {input} — не число от 0 и больше', kk: '{input} қосымша деректері 0-ден кем емес сан емес' },
  },
  ratioUndefined: {
    technical: 'secondary input {input} is 0, so the ratio is undefined',
    words: { en: 'the secondary input {input} is 0, so the ratio cannot be computed', ru: 'вторичные данные {input} равны 0, поэтому отношение не определено', kk: '{input} қосымша деректері 0-ге тең, сондықтан қатынасты есептеу мүмкін емес' },
  },
  outOfRange: {
    technical: "the transformed value {value} is outside 0-100: check the inputs' scales",
    words: { en: 'the computed value {value} is outside 0–100: check the scales of the secondary inputs', ru: 'вычисленное значение {value} вне диапазона 0–100: проверьте шкалы вторичных данных', kk: 'есептелген мән {value} 0–100 аралығынан тыс: қосымша деректердің шкалаларын тексеріңіз' },
  },
  needsSurvey: {
    technical: 'a {kind} rule needs a survey',
    words: { en: 'the rule needs survey answers, and this indicator has none', ru: 'правилу нужны ответы опроса, а у этого индикатора их нет', kk: 'ережеге сауалнама жауаптары қажет, ал бұл индикаторда олар жоқ' },
  },
  partMissing: {
    technical: 'a part has no data: {parts}',
    words: { en: 'a part has no data: {parts}', ru: 'у одной из частей нет данных: {parts}', kk: 'бір бөліктің деректері жоқ: {parts}' },
  },
  membersMissing: {
    technical: 'members: {reason}',
    words: { en: 'members: {reason}', ru: 'члены: {reason}', kk: 'мүшелер: {reason}' },
  },
  nonMembersMissing: {
    technical: 'non-members: {reason}',
    words: { en: 'non-members: {reason}', ru: 'нечлены: {reason}', kk: 'мүше еместер: {reason}' },
  },
  belowFloor: {
    technical: 'the difference ({raw} points) is below {floor} and is reported as {floor}',
    words: { en: 'the difference ({raw} points) is below {floor} and is reported as {floor}', ru: 'разница ({raw} пункта) ниже {floor} и показана как {floor}', kk: 'айырма ({raw} пункт) {floor}-ден төмен, сондықтан {floor} ретінде көрсетілген' },
  },
  nobodyEngaged: {
    technical: 'nobody in the base is engaged, so the make-up of the engaged is undefined',
    words: { en: 'nobody in the base is engaged, so the make-up of the engaged cannot be described', ru: 'в базе нет ни одного вовлечённого, поэтому состав вовлечённых не определён', kk: 'базада бірде-бір қатысушы жоқ, сондықтан қатысушылардың құрамы анықталмайды' },
  },
  groupAbsent: {
    technical: 'group absent from the sample',
    words: { en: 'the group is absent from the sample', ru: 'этой группы нет в выборке', kk: 'бұл топ іріктемеде жоқ' },
  },
  leftOutOfMean: {
    technical: 'left out of the mean: {parts}',
    words: { en: 'left out of the mean: {parts}', ru: 'не вошли в среднее: {parts}', kk: 'орташаға кірмеді: {parts}' },
  },
  // Last: its template matches the most.
  groupNotAnswered: {
    technical: '{variable} not answered',
    words: { en: 'no answers to {variable}', ru: 'нет ответов на вопрос {variable}', kk: '{variable} сұрағына жауаптар жоқ' },
  },
} as const satisfies Record<string, ReasonDefinition>;

export type ReasonCode = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** A reason's technical text; `params` fill its placeholders. */
export function reasonText(code: ReasonCode, params: Record<string, string | number> = {}): string {
  return REASONS[code].technical.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Parts of a mean, or groups, each with why it has no value: `label (reason); …`. */
export function partsText(parts: ReadonlyArray<{ label: string; reason: string | null }>): string {
  return parts.map((p) => `${p.label} (${p.reason ?? ''})`).join('; ');
}

/** The parts partsText wrote, read back. */
export function readParts(text: string): Array<{ label: string; reason: string }> {
  return text.split('; ').map((p) => {
    const m = /^(.+?) \((.*)\)$/.exec(p);
    return m ? { label: m[1] as string, reason: m[2] as string } : { label: p, reason: '' };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PATTERNS: Array<[ReasonCode, RegExp]> = REASON_CODES.map((code) => {
  const seen = new Set<string>();
  const source = REASONS[code].technical.split(/(\{\w+\})/).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (!name) return escape(part);
    if (seen.has(name)) return `\\k<${name}>`;
    seen.add(name);
    return `(?<${name}>.+?)`;
  }).join('');
  return [code, new RegExp(`^${source}$`)];
});

/** Which reason a technical text is, with its params; null for a text no reason wrote (a rule's own empty-base note). */
export function readReason(text: string): { code: ReasonCode; params: Record<string, string> } | null {
  for (const [code, pattern] of PATTERNS) {
    const m = pattern.exec(text);
    if (m) return { code, params: { ...m.groups } };
  }
  return null;
}

/** A reason in a language's words, its params already in the reader's terms. */
export function reasonWords(lang: Language, code: ReasonCode, params: Record<string, string>): string {
  return REASONS[code].words[lang].replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m);
}
