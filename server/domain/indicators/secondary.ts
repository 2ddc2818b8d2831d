/**
 * Secondary data (data dictionary §5): the native-scale inputs with source and year, their transformations to
 * 0-100, and the Kazakhstan values the report used, shipped as the example. Several Kazakhstan inputs are not
 * printed in the report and are backed out of the published indicator score (status `derived`); they reproduce
 * the report, not the original sources, and say so.
 */
import { indicatorTexts } from '../../../schemas/csi/indicator-texts.js';
import type { SecondaryKey, SecondaryRule } from '../../../schemas/csi/indicators.js';
import type { SecondaryData, SecondaryValue } from '../../../schemas/csi/secondary.js';
import { reasonText } from './reasons.js';

export type { SecondaryData, SecondaryValue } from '../../../schemas/csi/secondary.js';

/** The inputs' names in English (schemas/i18n/<lang>/indicators.json has them in each language). */
export const SECONDARY_LABELS: Readonly<Record<SecondaryKey, string>> = indicatorTexts.en.secondary;

/** The report's Kazakhstan inputs (section III.5, footnotes and Appendix 1; data dictionary §5). */
export const KAZAKHSTAN_SECONDARY: Readonly<Required<SecondaryData>> = {
  bci: { value: 98, source: 'Social Watch, Basic Capabilities Index 2008', year: 2008, status: 'reported' },
  cpi: {
    value: 2.2, source: 'Transparency International, Corruption Perceptions Index 2008', year: 2008, status: 'derived',
    note: 'Backed out of the published score 22.0; the report\'s narrative cites 2.7 for 2009, but footnote 14 says CPI 2008 was used.',
  },
  gini: {
    value: 33.9, source: 'Gini index (source not stated in the report; likely World Bank WDI)', year: null, status: 'derived',
    note: 'Backed out of the published score 66.1; the national figures in the report (26.7 for 2009, 34.7 for 1998) give neither.',
  },
  externalDebt: { value: 96360, source: 'World Bank, World Development Indicators: external debt stocks', year: 2007, status: 'reported' },
  gni: { value: 78281, source: 'World Bank, World Development Indicators: GNI', year: 2007, status: 'reported' },
  fhPoliticalRights: {
    value: 8, source: 'Freedom House, Freedom in the World (edition not stated; the bibliography lists 2008)', year: 2008, status: 'derived',
    note: 'Backed out of the published score 20.0 (8 / 40).',
  },
  fhCivilLibertiesDFG: {
    value: 18, source: 'Freedom House, Freedom in the World, subcategories D + F + G (edition not stated; the bibliography lists 2008)', year: 2008,
    status: 'derived', note: 'Backed out of the published score 37.5 (18 / 48); the split between D, F and G is not known.',
  },
  fhAssociationalRights: {
    value: 4, source: 'Freedom House, Freedom in the World, subcategory E (edition not stated; the bibliography lists 2008)', year: 2008,
    status: 'derived', note: 'Backed out of the published score 33.3 (4 / 12); the transformation itself is inferred.',
  },
  wgiGovernmentEffectiveness: {
    value: 36.7, source: 'World Bank, Worldwide Governance Indicators: Government Effectiveness (percentile rank)', year: 2007, status: 'reported',
  },
  uiaIngosInCountry: {
    value: 4.4, source: 'Union of International Associations, Yearbook of International Organizations', year: null, status: 'derived',
    note: 'The report gives only the ratio, 4.4 INGOs in Kazakhstan per 100 worldwide; the counts are not published, so the example stores 4.4 of 100.',
  },
  uiaIngosWorldwide: {
    value: 100, source: 'Union of International Associations, Yearbook of International Organizations', year: null, status: 'derived',
    note: 'See uiaIngosInCountry: a per-100 base, not a count.',
  },
};

export interface SecondaryOutcome {
  value: number | null;
  reason: string | null;
  inputs: Array<{ key: SecondaryKey } & SecondaryValue>;
}

function transform(rule: SecondaryRule, values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const [a = NaN, b = NaN] = values;
  switch (rule.transform) {
    case 'identity': return sum;
    case 'rescale': return (sum * 100) / (rule.max as number);
    case 'complement': return 100 - sum;
    case 'ratio': return (100 * a) / b;
    case 'cappedRatioComplement': return 100 - Math.min(100, (100 * a) / b);
  }
}

export function evaluateSecondary(rule: SecondaryRule, data: SecondaryData): SecondaryOutcome {
  const inputs: SecondaryOutcome['inputs'] = [];
  for (const key of rule.inputs) {
    const given = data[key];
    if (!given) return { value: null, reason: reasonText('inputNotProvided', { input: key, label: SECONDARY_LABELS[key] }), inputs };
    if (!Number.isFinite(given.value) || given.value < 0) return { value: null, reason: reasonText('inputNotNumber', { input: key }), inputs };
    inputs.push({ key, ...given });
  }
  if ((rule.transform === 'ratio' || rule.transform === 'cappedRatioComplement') && inputs[1]?.value === 0) {
    return { value: null, reason: reasonText('ratioUndefined', { input: rule.inputs[1] as string }), inputs };
  }
  const value = transform(rule, inputs.map((i) => i.value));
  if (value < 0 || value > 100) return { value: null, reason: reasonText('outOfRange', { value }), inputs };
  return { value, reason: null, inputs };
}
