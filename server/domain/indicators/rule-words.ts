/**
 * An indicator's rule in plain words for a reader, in English, Russian or Kazakh: items named by their question
 * labels and answers by their option labels, secondary inputs by their names, never an item id or a code. Generated
 * from the same declarative rule as rule-text.ts (the technical text with ids that exports and the command line
 * carry), so neither can drift from what is computed. Each language is one table of sentence builders: the word
 * order differs too much between the three for one template with slots.
 */
import { indicatorTexts, secondaryLabel } from '../../../schemas/csi/indicator-texts.js';
import type { CountSpec, Measure, Rule, SecondaryTransform, ShareRule } from '../../../schemas/csi/indicators.js';
import { itemById, type Code } from '../../../schemas/items.js';
import { bundles, optionLabel, type Language } from '../../../schemas/labels.js';
import { isSurveyId, type SurveyId } from '../../../schemas/surveys.js';

interface Words {
  quote(s: string): string;
  or: string;
  share(p: { item: string; codes: string; base: { variable: string; codes: string } | null; note: string }): string;
  note(p: { ignored: string | null; blanks: boolean; empty: number | null }): string;
  count(p: CountWords & { ignored: string | null }): string;
  depth(p: CountWords & { among: number }): string;
  part(p: { item: string; codes: string }): string;
  mean(parts: string[]): string;
  members(spec: CountWords): string;
  difference(p: { measure: string; floor: number; members: string }): string;
  indicator(id: string): string;
  diversity(p: { method: 'representationRatio' | 'absoluteGap'; engaged: string; groups: string }): string;
  threshold(p: { numerator: string; denominator: string; atMost: number }): string;
  comparison(p: { left: string; right: string }): string;
  asIs(sum: string): string;
}

interface CountWords {
  items: string;
  codes: string;
  /** 'all' when every item must match. */
  atLeast: number | 'all';
}

const EN: Words = {
  quote: (s) => `“${s}”`,
  or: ' or ',
  share: ({ item, codes, base, note }) => (base
    ? `among respondents who answered ${base.codes} to ${base.variable}: % who answered ${codes} to ${item} ${note}`
    : `% of those answering ${item} who answered ${codes} ${note}`),
  note: ({ ignored, blanks, empty }) => `(don't know, refused and blank left out of the base${ignored ? `; ${ignored} also left out` : ''}${blanks ? '; a skipped question counts as not favourable' : ''}${empty !== null ? `; empty base: ${empty}` : ''})`,
  count: ({ items, codes, atLeast, ignored }) => `% of respondents who answered ${codes} to ${atLeast === 'all' ? 'all' : `at least ${atLeast}`} of: ${items}; base: a substantive answer to any of them${ignored ? ` (${ignored} not valid)` : ''}`,
  depth: ({ items, codes, atLeast, among }) => `% who answered ${codes} to at least ${atLeast} of: ${items}, among those who did so to at least ${among}`,
  part: ({ item, codes }) => `% who answered ${codes} to ${item}`,
  mean: (parts) => `mean of: ${parts.join('; ')} (each among respondents answering it)`,
  members: ({ items, codes, atLeast }) => `answered ${codes} to ${atLeast === 'all' ? 'all' : `at least ${atLeast}`} of: ${items}`,
  difference: ({ measure, floor, members }) => `${measure} among members minus among non-members, in points, at least ${floor}; members: ${members}`,
  indicator: (id) => `indicator ${id}`,
  diversity: ({ method, engaged, groups }) => `${method === 'representationRatio'
    ? '100 × mean over groups of min(1, share among the engaged ÷ share among all)'
    : '100 × (1 − mean over groups of |share among the engaged − share among all|)'}; engaged: ${engaged}; groups: ${groups}`,
  threshold: ({ numerator, denominator, atMost }) => `% of respondents for whom (${numerator}) ÷ (${denominator}) ≤ ${atMost}, among those with a total above 0`,
  comparison: ({ left, right }) => `% of respondents whose answer to ${left} is at least their answer to ${right}, among those answering both`,
  asIs: (sum) => `${sum}, as is`,
};

const RU: Words = {
  quote: (s) => `«${s}»`,
  or: ' или ',
  share: ({ item, codes, base, note }) => (base
    ? `среди респондентов, ответивших ${base.codes} на вопрос ${base.variable}: % ответивших ${codes} на вопрос ${item} ${note}`
    : `% ответивших ${codes} среди ответивших на вопрос ${item} ${note}`),
  note: ({ ignored, blanks, empty }) => `(ответы «затрудняюсь ответить», отказы и пропуски в базу не входят${ignored ? `; не входят и ответы ${ignored}` : ''}${blanks ? '; пропущенный вопрос считается неблагоприятным ответом' : ''}${empty !== null ? `; при пустой базе: ${empty}` : ''})`,
  count: ({ items, codes, atLeast, ignored }) => `% респондентов, ответивших ${codes} ${atLeast === 'all' ? 'на все вопросы' : `хотя бы на ${atLeast} из вопросов`}: ${items}; база — ответившие по существу хотя бы на один из них${ignored ? ` (ответы ${ignored} не учитываются)` : ''}`,
  depth: ({ items, codes, atLeast, among }) => `% ответивших ${codes} хотя бы на ${atLeast} из вопросов: ${items} — среди тех, кто так ответил хотя бы на ${among}`,
  part: ({ item, codes }) => `% ответивших ${codes} на вопрос ${item}`,
  mean: (parts) => `среднее из: ${parts.join('; ')} (каждая доля — среди ответивших на вопрос)`,
  members: ({ items, codes, atLeast }) => `ответившие ${codes} ${atLeast === 'all' ? 'на все вопросы' : `хотя бы на ${atLeast} из вопросов`}: ${items}`,
  difference: ({ measure, floor, members }) => `${measure} среди членов минус среди нечленов, в пунктах, не ниже ${floor}; члены — ${members}`,
  indicator: (id) => `индикатор ${id}`,
  diversity: ({ method, engaged, groups }) => `${method === 'representationRatio'
    ? '100 × среднее по группам min(1, доля среди вовлечённых ÷ доля среди всех)'
    : '100 × (1 − среднее по группам |доля среди вовлечённых − доля среди всех|)'}; вовлечённые — ${engaged}; группы: ${groups}`,
  threshold: ({ numerator, denominator, atMost }) => `% респондентов, у которых (${numerator}) ÷ (${denominator}) ≤ ${atMost}, среди тех, у кого сумма больше 0`,
  comparison: ({ left, right }) => `% респондентов, у которых ответ на вопрос ${left} не меньше ответа на вопрос ${right}, среди ответивших на оба`,
  asIs: (sum) => `${sum} без изменений`,
};

const KK: Words = {
  quote: (s) => `«${s}»`,
  or: ' немесе ',
  share: ({ item, codes, base, note }) => (base
    ? `${base.variable} сұрағына ${base.codes} деп жауап бергендер ішінде ${item} сұрағына ${codes} деп жауап бергендердің үлесі, % ${note}`
    : `${item} сұрағына жауап бергендер ішінде ${codes} деп жауап бергендердің үлесі, % ${note}`),
  note: ({ ignored, blanks, empty }) => `(«білмеймін», жауап беруден бас тарту және бос жауаптар базаға кірмейді${ignored ? `; ${ignored} жауаптары да кірмейді` : ''}${blanks ? '; өткізіп жіберілген сұрақ қолайсыз жауап болып саналады' : ''}${empty !== null ? `; база бос болса: ${empty}` : ''})`,
  count: ({ items, codes, atLeast, ignored }) => `${items}: ${atLeast === 'all' ? 'барлық' : `кемінде ${atLeast}`} сұраққа ${codes} деп жауап берген респонденттердің үлесі, %; база — олардың кемінде біреуіне мәнді жауап бергендер${ignored ? ` (${ignored} жауаптары есепке алынбайды)` : ''}`,
  depth: ({ items, codes, atLeast, among }) => `${items}: кемінде ${among} сұраққа осылай жауап бергендер ішінде кемінде ${atLeast} сұраққа ${codes} деп жауап бергендердің үлесі, %`,
  part: ({ item, codes }) => `${item} сұрағына ${codes} деп жауап бергендердің үлесі, %`,
  mean: (parts) => `мына үлестердің орташасы: ${parts.join('; ')} (әрқайсысы сол сұраққа жауап бергендер ішінде)`,
  members: ({ items, codes, atLeast }) => `${items}: ${atLeast === 'all' ? 'барлық' : `кемінде ${atLeast}`} сұраққа ${codes} деп жауап бергендер`,
  difference: ({ measure, floor, members }) => `${measure}: мүшелер арасындағы мән минус мүше еместер арасындағы мән, пункттармен, ${floor}-ден төмен емес; мүшелер — ${members}`,
  indicator: (id) => `${id} индикаторы`,
  diversity: ({ method, engaged, groups }) => `${method === 'representationRatio'
    ? '100 × топтар бойынша min(1, қатысушылар арасындағы үлес ÷ барлығы арасындағы үлес) орташасы'
    : '100 × (1 − топтар бойынша |қатысушылар арасындағы үлес − барлығы арасындағы үлес| орташасы)'}; қатысушылар — ${engaged}; топтар: ${groups}`,
  threshold: ({ numerator, denominator, atMost }) => `(${numerator}) ÷ (${denominator}) ≤ ${atMost} болатын респонденттердің үлесі, %, жиыны 0-ден асатындар арасында`,
  comparison: ({ left, right }) => `${left} сұрағына жауабы ${right} сұрағына жауабынан кем емес респонденттердің үлесі, %, екеуіне де жауап бергендер арасында`,
  asIs: (sum) => `${sum}, өзгеріссіз`,
};

const WORDS: Record<Language, Words> = { en: EN, ru: RU, kk: KK };

/** Words for one survey's items in one language. */
function namer(lang: Language, survey: SurveyId) {
  const w = WORDS[lang];
  const item = (id: string) => w.quote(bundles[lang].surveys[survey].items[id]?.label ?? bundles.en.surveys[survey].items[id]?.label ?? id);
  const codes = (variable: string, list: readonly Code[]) => {
    const set = itemById(survey, variable)?.optionSet ?? variable;
    return list.map((c) => w.quote(optionLabel(lang, survey, set, c) ?? optionLabel('en', survey, set, c) ?? String(c))).join(w.or);
  };
  const items = (ids: readonly string[]) => ids.map(item).join(', ');
  const count = (spec: CountSpec): CountWords => ({
    items: items(spec.items), codes: codes(spec.items[0] ?? '', spec.favourable),
    atLeast: spec.atLeast === spec.items.length && spec.items.length > 1 ? 'all' : spec.atLeast,
  });
  return { w, item, codes, items, count };
}

function secondaryFormula(w: Words, transform: SecondaryTransform, names: string[], max: number | undefined): string {
  const [a = '', b = ''] = names;
  const sum = names.length > 1 ? `(${names.join(' + ')})` : a;
  switch (transform) {
    case 'identity': return w.asIs(sum);
    case 'rescale': return `${sum} × 100 ÷ ${max}`;
    case 'complement': return `100 − ${sum}`;
    case 'ratio': return `100 × ${a} ÷ ${b}`;
    case 'cappedRatioComplement': return `100 − min(100, 100 × ${a} ÷ ${b})`;
  }
}

/** The rule in words, in a language; `source` is the survey its items belong to (or 'secondary'). */
export function ruleWords(rule: Rule, lang: Language, source: string): string {
  const survey: SurveyId = isSurveyId(source) ? source : 'population';
  const { w, item, codes, count } = namer(lang, survey);
  const share = (r: ShareRule) => w.share({
    item: item(r.item), codes: codes(r.item, r.favourable),
    base: r.base ? { variable: item(r.base.variable), codes: codes(r.base.variable, r.base.in) } : null,
    note: w.note({ ignored: r.ignore ? codes(r.item, r.ignore) : null, blanks: r.blankAs === 'unfavourable', empty: r.emptyBase?.value ?? null }),
  });
  const measure = (m: Measure): string => ('indicator' in m ? w.indicator(m.indicator) : ruleWords(m, lang, source));
  switch (rule.kind) {
    case 'share':
      return share(rule);
    case 'count':
      return w.count({ ...count(rule), ignored: rule.ignore ? codes(rule.items[0] ?? '', rule.ignore) : null });
    case 'depth':
      return w.depth({ ...count(rule), among: rule.amongAtLeast });
    case 'meanOfShares':
      return w.mean(rule.parts.map((p) => w.part({ item: item(p.item), codes: codes(p.item, p.favourable) })));
    case 'difference':
      return w.difference({ measure: measure(rule.measure), floor: rule.floor, members: w.members(count(rule.members)) });
    case 'diversity': {
      const groups = rule.groups.map((g) => `${groupLabel(lang, g.label)} (${item(g.variable)}: ${codes(g.variable, g.in)})`).join('; ');
      return w.diversity({ method: rule.method, engaged: w.members(count(rule.engaged)), groups });
    }
    case 'threshold':
      return w.threshold({ numerator: rule.numerator.map(item).join(' + '), denominator: rule.denominator.map(item).join(' + '), atMost: rule.atMost });
    case 'comparison':
      return w.comparison({ left: item(rule.left), right: item(rule.right) });
    case 'secondary': {
      const names = rule.inputs.map((k) => w.quote(secondaryLabel(lang, k)));
      return secondaryFormula(w, rule.transform, names, rule.max);
    }
  }
}

/** A question by its label, quoted as the language quotes. */
export function itemName(lang: Language, survey: SurveyId, id: string): string {
  return namer(lang, survey).item(id);
}

/** A diversity group (women, rural residents, ...) in a language. */
export function groupLabel(lang: Language, label: string): string {
  return indicatorTexts[lang].groups?.[label] ?? label;
}
