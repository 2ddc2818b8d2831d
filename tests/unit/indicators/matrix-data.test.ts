import { describe, expect, it } from 'vitest';
import { indicatorMatrix, indicatorsOf, type IndicatorDefinition, type Rule } from '../../../schemas/csi/indicators.js';
import { validateIndicatorMatrix, validateSecondaryData } from '../../../schemas/csi/validate.js';
import { KAZAKHSTAN_SECONDARY } from '../../../server/domain/indicators/secondary.js';
import { itemsOf } from '../../../schemas/items.js';
import { questionnaires, SURVEY_IDS, type SurveyId } from '../../../schemas/surveys.js';

const indicators = indicatorsOf();
const SURVEY_OF: Record<string, SurveyId> = { ps: 'population', os: 'organisational', es: 'external' };
const itemIds = new Map(SURVEY_IDS.map((s) => [s, new Set(itemsOf(s).map((i) => i.id))]));
const derived = Object.keys((questionnaires.population.$defs.derived as { properties: Record<string, unknown> }).properties);

/** Every variable a rule reads: items, base and group variables, member items. */
function variablesOf(rule: Rule): string[] {
  switch (rule.kind) {
    case 'share': return [rule.item, ...(rule.base ? [rule.base.variable] : [])];
    case 'count': case 'depth': return rule.items;
    case 'meanOfShares': return rule.parts.map((p) => p.item);
    case 'difference': return [...rule.members.items, ...('indicator' in rule.measure ? [] : variablesOf(rule.measure))];
    case 'diversity': return [...rule.engaged.items, ...rule.groups.map((g) => g.variable)];
    case 'threshold': return [...rule.numerator, ...rule.denominator];
    case 'comparison': return [rule.left, rule.right];
    case 'secondary': return [];
  }
}

function allRules(i: IndicatorDefinition): Rule[] {
  return [i.rule, ...(i.alternatives ?? []).map((a) => a.rule)];
}

const clone = (): typeof indicatorMatrix => structuredClone(indicatorMatrix);

describe('schemas/csi/indicators.json', () => {
  it('validates against its schema and has no structural problem', () => {
    expect(validateIndicatorMatrix(indicatorMatrix)).toEqual([]);
  });

  it('has 5 dimensions, 27 sub-dimensions and 65 indicators, as Appendix 1 (6+6+5+7+3; 14, 8, 14, 17, 12)', () => {
    expect(indicatorMatrix.dimensions).toHaveLength(5);
    expect(indicatorMatrix.dimensions.map((d) => d.subDimensions.length)).toEqual([6, 6, 5, 7, 3]);
    expect(indicatorMatrix.dimensions.map((d) => d.subDimensions.flatMap((s) => s.indicators).length)).toEqual([14, 8, 14, 17, 12]);
    expect(indicators).toHaveLength(65);
  });

  it('has unique ids, each under its parent', () => {
    const ids = [
      ...indicatorMatrix.dimensions.map((d) => d.id),
      ...indicatorMatrix.dimensions.flatMap((d) => d.subDimensions.map((s) => s.id)),
      ...indicators.map((i) => i.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(indicators.map((i) => [i.id, i] as const))('%s names only items of the questionnaires', (_id, indicator) => {
    for (const item of [...indicator.items, ...(indicator.relatedItems ?? [])]) {
      const survey = SURVEY_OF[item.slice(0, 2)] as SurveyId;
      expect(itemIds.get(survey)?.has(item), item).toBe(true);
    }
    for (const variable of allRules(indicator).flatMap(variablesOf)) {
      const survey = SURVEY_OF[variable.slice(0, 2)] as SurveyId;
      expect(itemIds.get(survey)?.has(variable) || derived.includes(variable), variable).toBe(true);
      if (indicator.source !== 'secondary') expect(survey).toBe(indicator.source);
    }
  });

  it.each(indicators.map((i) => [i.id, i] as const))('%s lists every questionnaire item its rule reads', (_id, indicator) => {
    const read = variablesOf(indicator.rule).filter((v) => !derived.includes(v));
    const resolved = indicator.rule.kind === 'difference' && 'indicator' in indicator.rule.measure
      ? variablesOf(indicators.find((i) => i.id === (indicator.rule as { measure: { indicator: string } }).measure.indicator)?.rule as Rule)
      : [];
    for (const v of [...read, ...resolved]) expect(indicator.items, v).toContain(v);
  });

  it('agrees with the questionnaires\' x-csi-feeds annotations', () => {
    const listed = new Map(indicators.map((i) => [i.id, new Set([...i.items, ...(i.relatedItems ?? []), ...variablesOf(i.rule)])]));
    const problems: string[] = [];
    for (const survey of SURVEY_IDS) {
      for (const item of itemsOf(survey)) {
        for (const id of item.feeds) if (!listed.get(id)?.has(item.id)) problems.push(`${item.id} feeds ${id}`);
      }
    }
    for (const [variable, node] of Object.entries((questionnaires.population.$defs.derived as { properties: Record<string, { 'x-csi-feeds'?: string[] }> }).properties)) {
      for (const id of node['x-csi-feeds'] ?? []) if (!listed.get(id)?.has(variable)) problems.push(`${variable} feeds ${id}`);
    }
    expect(problems).toEqual([]);
  });

  it('carries the confidence tally of data dictionary §2.6', () => {
    const byMark = (mark: string): string[] => indicators.filter((i) => i.confidence === mark).map((i) => i.id);
    expect(byMark('V')).toEqual(['3.1.1', '3.5.2', '3.5.4', '3.5.5', '3.5.6', '4.1.1', '4.1.2', '4.2.1', '5.1.4', '5.2.4']);
    expect(byMark('I')).toEqual(['1.1.3', '1.4.3', '1.5.3', '4.7.1', '4.7.2', '4.7.3', '5.2.3']);
    expect(byMark('U')).toEqual(['1.3.1', '1.6.1', '2.5.1', '4.7.4', '5.3.2', '5.3.3']);
    expect(byMark('S')).toHaveLength(42);
  });

  it('flags the six U-marked rules, and only those, as defaults', () => {
    expect(indicators.filter((i) => i.default).map((i) => i.id)).toEqual(['1.3.1', '1.6.1', '2.5.1', '4.7.4', '5.3.2', '5.3.3']);
  });

  it('uses the sources of the matrix: population for D1, secondary for 5.1 and 2.6', () => {
    expect(new Set(indicatorMatrix.dimensions[0]?.subDimensions.flatMap((s) => s.indicators.map((i) => i.source)))).toEqual(new Set(['population']));
    expect(indicators.filter((i) => i.source === 'secondary').map((i) => i.id)).toEqual(['2.6.1', '5.1.1', '5.1.2', '5.1.3', '5.1.4', '5.2.1', '5.2.2', '5.2.3', '5.2.5']);
  });

  it('names every dimension, sub-dimension and indicator in en, ru and kk', () => {
    for (const d of indicatorMatrix.dimensions) {
      for (const named of [d, ...d.subDimensions, ...d.subDimensions.flatMap((s) => s.indicators)]) {
        for (const lang of ['en', 'ru', 'kk'] as const) expect(named.name[lang], `${named.id} ${lang}`).toBeTruthy();
        expect(named.name.ru, named.id).toMatch(/[а-яё]/i);
        expect(named.name.kk, named.id).toMatch(/[а-яёәғқңөұүһі]/i);
      }
    }
  });
});

describe('validateIndicatorMatrix rejects', () => {
  const cases: Array<[string, (m: ReturnType<typeof clone>) => void, RegExp]> = [
    ['an unknown rule kind', (m) => { (m.dimensions[0]?.subDimensions[0]?.indicators[0]?.rule as { kind: string }).kind = 'median'; }, /must match exactly one schema/],
    ['an unknown field', (m) => { (m.dimensions[0] as unknown as Record<string, unknown>).colour = 'red'; }, /must NOT have additional properties/],
    ['a score above 100', (m) => { (m.dimensions[0] as { published: number }).published = 146.9; }, /must be <= 100/],
    ['a rescale without max', (m) => { delete (indicatorsOf(m).find((i) => i.id === '5.1.2')?.rule as { max?: number }).max; }, /must have required property 'max'/],
    ['a duplicate id', (m) => { (indicatorsOf(m).find((i) => i.id === '1.1.2') as { id: string }).id = '1.1.1'; }, /duplicate id 1\.1\.1/],
    ['an indicator under the wrong sub-dimension', (m) => { (indicatorsOf(m).find((i) => i.id === '1.1.2') as { id: string }).id = '1.2.9'; }, /1\.2\.9 is not under sub-dimension 1\.1/],
    ['a measure that does not resolve', (m) => { (indicatorsOf(m).find((i) => i.id === '4.7.1')?.rule as { measure: { indicator: string } }).measure.indicator = '5.3.9'; }, /unknown indicator 5\.3\.9/],
    ['a default flag on a stated rule', (m) => { (indicatorsOf(m).find((i) => i.id === '2.1.1') as { default: boolean }).default = true; }, /default must be true exactly for confidence U/],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const m = clone();
    mutate(m);
    expect(validateIndicatorMatrix(m).join('\n')).toMatch(message);
  });
});

describe('validateSecondaryData', () => {
  it('accepts the shipped Kazakhstan example and an empty payload', () => {
    expect(validateSecondaryData(KAZAKHSTAN_SECONDARY)).toEqual([]);
    expect(validateSecondaryData({})).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown input', { hdi: { value: 1, source: 's', year: 2008 } }, /additional properties/],
    ['a value without source', { cpi: { value: 2.2, year: 2008 } }, /required property 'source'/],
    ['a value without year', { cpi: { value: 2.2, source: 'TI' } }, /required property 'year'/],
    ['a negative value', { gini: { value: -1, source: 'WDI', year: 2008 } }, /must be >= 0/],
    ['a value that is a string', { bci: { value: '98', source: 'SW', year: 2008 } }, /must be number/],
  ])('rejects %s', (_name, payload, message) => {
    expect(validateSecondaryData(payload).join('\n')).toMatch(message);
  });
});
