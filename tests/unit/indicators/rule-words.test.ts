// Rule texts, notes and reasons for readers in each language: generated from the same rules as the technical text,
// naming items and answers by their labels, never by an id or a code; every note translated.
import { describe, expect, it } from 'vitest';
import { indicatorTexts } from '../../../schemas/csi/indicator-texts.js';
import { indicatorsOf, SECONDARY_KEYS } from '../../../schemas/csi/indicators.js';
import { bundles, LANGUAGES } from '../../../schemas/labels.js';
import { computeMatrix } from '../../../server/domain/indicators/compute.js';
import { localizeMatrix } from '../../../server/domain/indicators/localize.js';
import { ruleWords } from '../../../server/domain/indicators/rule-words.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';

const ID = /\b(ps|os|es)_[a-z0-9_]+/;

describe('rule words', () => {
  it.each(LANGUAGES)('%s: every rule in words, without item ids', (lang) => {
    for (const def of indicatorsOf()) {
      const words = ruleWords(def.rule, lang, def.source);
      expect(words, def.id).not.toMatch(ID);
      expect(words.length, def.id).toBeGreaterThan(20);
    }
  });

  it('names the question and the answers by their labels', () => {
    const def = indicatorsOf().find((d) => d.id === '3.1.1');
    const ru = ruleWords(def?.rule as never, 'ru', 'organisational');
    expect(ru).toContain(`«${bundles.ru.surveys.organisational.items.os_decision_maker?.label}»`);
    expect(ru).toContain('«затрудняюсь ответить»');
    const kk = ruleWords(indicatorsOf().find((d) => d.id === '5.1.4')?.rule as never, 'kk', 'secondary');
    expect(kk).toBe(`100 − min(100, 100 × «${indicatorTexts.kk.secondary.externalDebt}» ÷ «${indicatorTexts.kk.secondary.gni}»)`);
  });

  it('has every note, group, alternative and secondary input in Russian and Kazakh', () => {
    const defs = indicatorsOf();
    for (const lang of ['ru', 'kk'] as const) {
      const t = indicatorTexts[lang];
      expect(Object.keys(t.notes ?? {}).sort()).toEqual(defs.filter((d) => d.note).map((d) => d.id).sort());
      expect(Object.keys(t.secondary).sort()).toEqual([...SECONDARY_KEYS].sort());
      const alternatives = defs.flatMap((d) => (d.alternatives ?? []).map((a) => a.label));
      for (const a of alternatives) expect(t.alternatives?.[a], a).toBeTruthy();
      const groups = defs.flatMap((d) => (d.rule.kind === 'diversity' ? d.rule.groups.map((g) => g.label) : []));
      for (const g of groups) expect(t.groups?.[g], g).toBeTruthy();
    }
  });

  it('localises a computed matrix without touching a number', () => {
    const result = computeMatrix({ responses: {}, secondary: KAZAKHSTAN_SECONDARY });
    const ru = localizeMatrix(result, 'ru');
    expect(ru.indicators.map((i) => i.value)).toEqual(result.indicators.map((i) => i.value));
    const i = ru.indicators.find((x) => x.id === '5.3.2');
    expect(i?.reason).toBe('нет ответов');
    expect(i?.note).toBe(indicatorTexts.ru.notes?.['5.3.2']);
    expect(ru.subDimensions.find((s) => s.id === '5.3')?.reason).toMatch(/^нет данных: индикатор /);
    for (const x of ru.indicators) expect(`${x.rule} ${x.note} ${x.reason ?? ''} ${x.flags.join(' ')}`, x.id).not.toMatch(ID);
  });
});
