/**
 * The CSI indicator matrix (schemas/csi/indicators.json) with its TypeScript types. The JSON is the source of
 * truth and is validated against indicators.schema.json by the tests and by `validateIndicatorMatrix`; these
 * types mirror that schema by hand (the generated-types pipeline covers the questionnaires only), so a change to
 * either is a change to both. Rules are data interpreted by server/domain/indicators: nothing here computes.
 */
import matrixJson from './indicators.json' with { type: 'json' };
import type { Code } from '../items.js';

export type IndicatorSource = 'population' | 'organisational' | 'external' | 'secondary';
/** Data dictionary §0.1: verified, stated, public source, inferred, unknown (a documented default). */
export type Confidence = 'V' | 'S' | 'P' | 'I' | 'U';

export interface LocalisedName {
  en: string;
  ru?: string;
  kk?: string;
}

/** A respondent is in a base only when `variable` (an item or a derived variable) has one of these codes. */
export interface Condition {
  variable: string;
  in: Code[];
}

export interface SharePart {
  item: string;
  favourable: Code[];
}

export interface CountSpec {
  items: string[];
  favourable: Code[];
  atLeast: number;
}

export interface ShareRule {
  kind: 'share';
  item: string;
  favourable: Code[];
  base?: Condition;
  /** Codes treated like don't-know: out of the base. */
  ignore?: Code[];
  /** A blank item for a respondent in the base: left out (default) or counted as not favourable. */
  blankAs?: 'excluded' | 'unfavourable';
  /** The value when the base is empty, with the reason shown as a flag. Without it an empty base is missing. */
  emptyBase?: { value: number; reason: string };
}

export interface CountRule {
  kind: 'count';
  items: string[];
  favourable: Code[];
  atLeast: number;
  ignore?: Code[];
}

export interface DepthRule {
  kind: 'depth';
  items: string[];
  favourable: Code[];
  atLeast: number;
  amongAtLeast: number;
}

export interface MeanOfSharesRule {
  kind: 'meanOfShares';
  parts: SharePart[];
}

/** The measure compared between members and non-members: another indicator's rule, or a rule given inline. */
export type Measure = { indicator: string } | ShareRule | MeanOfSharesRule;

export interface DifferenceRule {
  kind: 'difference';
  members: CountSpec;
  measure: Measure;
  floor: number;
}

export interface DiversityGroup {
  label: string;
  variable: string;
  in: Code[];
}

export interface DiversityRule {
  kind: 'diversity';
  engaged: CountSpec;
  groups: DiversityGroup[];
  method: 'representationRatio' | 'absoluteGap';
}

export interface ThresholdRule {
  kind: 'threshold';
  numerator: string[];
  denominator: string[];
  atMost: number;
}

export interface ComparisonRule {
  kind: 'comparison';
  left: string;
  right: string;
  op: '>=';
}

export const SECONDARY_KEYS = [
  'bci', 'cpi', 'gini', 'externalDebt', 'gni', 'fhPoliticalRights', 'fhCivilLibertiesDFG', 'fhAssociationalRights',
  'wgiGovernmentEffectiveness', 'uiaIngosInCountry', 'uiaIngosWorldwide',
] as const;
export type SecondaryKey = (typeof SECONDARY_KEYS)[number];

export type SecondaryTransform = 'identity' | 'rescale' | 'complement' | 'ratio' | 'cappedRatioComplement';

export interface SecondaryRule {
  kind: 'secondary';
  inputs: SecondaryKey[];
  transform: SecondaryTransform;
  max?: number;
}

export type Rule =
  | ShareRule | CountRule | DepthRule | MeanOfSharesRule | DifferenceRule | DiversityRule | ThresholdRule
  | ComparisonRule | SecondaryRule;

export interface IndicatorDefinition {
  id: string;
  name: LocalisedName;
  source: IndicatorSource;
  items: string[];
  relatedItems?: string[];
  rule: Rule;
  alternatives?: Array<{ label: string; rule: Rule }>;
  confidence: Confidence;
  /** A documented default standing in for an unknown CIVICUS rule (mark U). */
  default: boolean;
  whenMissing: 'propagate' | 'exclude';
  /** The Kazakhstan 2009-10 value of Appendix 1. */
  published: number;
  note: string;
}

export interface SubDimensionDefinition {
  id: string;
  name: LocalisedName;
  published: number;
  indicators: IndicatorDefinition[];
}

export interface DimensionDefinition {
  id: string;
  name: LocalisedName;
  published: number;
  subDimensions: SubDimensionDefinition[];
}

export interface IndicatorMatrix {
  version: string;
  reference: string;
  translations: string;
  dimensions: DimensionDefinition[];
}

/** The shipped matrix: 5 dimensions, 27 sub-dimensions, 65 indicators (the report's Appendix 1). */
export const indicatorMatrix: IndicatorMatrix = matrixJson as unknown as IndicatorMatrix;

/** Every indicator of a matrix in matrix order. */
export function indicatorsOf(matrix: IndicatorMatrix = indicatorMatrix): IndicatorDefinition[] {
  return matrix.dimensions.flatMap((d) => d.subDimensions.flatMap((s) => s.indicators));
}
