// Every reason an indicator, sub-dimension or dimension can be missing for (and every flag the computation writes),
// enumerated from its one definition (server/domain/indicators/reasons.ts): read back from its technical text and
// worded in each language through the same path as the API (localizeMatrix), with questions and secondary inputs
// by their names, never an item id, never the English text in Russian or Kazakh.
import { describe, expect, it } from 'vitest';
import { indicatorTexts } from '../../../schemas/csi/indicator-texts.js';
import { bundles, LANGUAGES } from '../../../schemas/labels.js';
import { computeMatrix } from '../../../server/domain/indicators/compute.js';
import { localizeMatrix, ruleTextsInWords } from '../../../server/domain/indicators/localize.js';
import { REASON_CODES, REASONS, readReason, reasonText } from '../../../server/domain/indicators/reasons.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';

const ID = /\b[a-z]+_[a-z0-9_]+\b/;
/** A value for each placeholder a technical text can have, as the computation writes them (ids and codes). */
const SAMPLE: Record<string, string> = {
  what: 'an answer to ps_trust_people', ids: '5.3.1, 5.3.2', input: 'externalDebt', label: 'External debt stocks', value: '180.5',
  kind: 'share', parts: 'ps_trust_people (no responses); women (ps_gender not answered)', reason: 'no responses', raw: '-3.20', floor: '0',
  variable: 'ps_gender',
};

const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

describe('missing-data reasons', () => {
  const base = computeMatrix({ responses: {}, secondary: KAZAKHSTAN_SECONDARY });
  /** A matrix whose first population indicator and first sub-dimension give this reason, worded in a language. */
  const worded = (technical: string, lang: (typeof LANGUAGES)[number]) => {
    const at = base.indicators.findIndex((i) => i.source === 'population');
    const result = {
      ...base,
      indicators: base.indicators.map((i, k) => (k === at ? { ...i, reason: technical, flags: [technical] } : i)),
      subDimensions: base.subDimensions.map((s, k) => (k === 0 ? { ...s, reason: technical } : s)),
    };
    const out = localizeMatrix(result, lang);
    return { indicator: out.indicators[at]?.reason, flag: out.indicators[at]?.flags[0], subDimension: out.subDimensions[0]?.reason };
  };

  it('has a sample for every placeholder, and reads every technical text back as its own code', () => {
    for (const code of REASON_CODES) {
      for (const name of placeholders(REASONS[code].technical)) expect(SAMPLE[name], `${code} {${name}}`).toBeDefined();
      expect(readReason(reasonText(code, SAMPLE))?.code, code).toBe(code);
    }
  });

  it.each(LANGUAGES)('%s: words every reason, with names instead of ids', (lang) => {
    for (const code of REASON_CODES) {
      const technical = reasonText(code, SAMPLE);
      const { indicator, flag, subDimension } = worded(technical, lang);
      for (const text of [indicator, flag, subDimension]) {
        expect(text, code).toBeTruthy();
        expect(text, code).not.toMatch(ID);
        expect(text, code).not.toMatch(/[{}]/);
        if (lang !== 'en') {
          expect(text, code).not.toBe(technical);
          expect(text, code).not.toBe(REASONS[code].words.en);
          // No English word left: Latin letters only in a name (none of the samples has one) or "min".
          expect(text?.match(/[A-Za-z]{3,}/g) ?? [], `${lang} ${code}: ${text}`).toEqual([]);
        }
      }
    }
  });

  it('names questions, secondary inputs and nested reasons in the reader\'s language', () => {
    const gender = bundles.kk.surveys.population.items.ps_gender?.label;
    expect(worded(reasonText('groupNotAnswered', { variable: 'ps_gender' }), 'kk').indicator).toBe(`«${gender}» сұрағына жауаптар жоқ`);
    expect(worded(reasonText('ratioUndefined', { input: 'gni' }), 'ru').indicator).toBe(`вторичные данные ${indicatorTexts.ru.secondary.gni} равны 0, поэтому отношение не определено`);
    expect(worded(reasonText('membersMissing', { reason: reasonText('noResponses') }), 'ru').indicator).toBe('члены: нет ответов');
    const trust = bundles.ru.surveys.population.items.ps_trust_people?.label;
    expect(worded(reasonText('leftOutOfMean', { parts: `ps_trust_people (${reasonText('groupAbsent')})` }), 'ru').flag).toBe(`не вошли в среднее: ${trust} (этой группы нет в выборке)`);
  });

  it('gives rule texts in English words, never ids, when no language is asked for', () => {
    const result = computeMatrix({ responses: {}, secondary: KAZAKHSTAN_SECONDARY });
    expect(result.indicators.some((i) => ID.test(i.rule))).toBe(true);
    const words = ruleTextsInWords(result);
    for (const i of words.indicators) {
      expect(i.rule, i.id).not.toMatch(ID);
      for (const a of i.alternatives) expect(a.rule, i.id).not.toMatch(ID);
    }
    const trust = words.indicators.find((i) => i.id === '5.3.1');
    expect(trust?.rule).toContain(`“${bundles.en.surveys.population.items.ps_trust_people?.label}”`);
    expect(words.indicators.map((i) => i.value)).toEqual(result.indicators.map((i) => i.value));
  });
});
