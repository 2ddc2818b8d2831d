/**
 * The CSI indicator matrix computed from the three surveys and the secondary data: the engine's entry point.
 * Pure: responses, weights and secondary inputs in; every indicator's value (0-100, full precision) with its
 * n, base, standard error, source, confidence, rule text and default flag, or `missing` with the reason; then
 * sub-dimensions and dimensions (aggregation.ts). Population indicators are unweighted unless weights are given
 * (the report appears unweighted, data dictionary §0.2), and can be broken down by a variable (ps_region,
 * ps_age_band, ps_ethnicity, ...) as domains of the same estimate. Rules are interpreted from the matrix data
 * (schemas/csi/indicators.json); the engine holds no per-indicator code.
 *
 * Missing values (aggregation.ts has the details): an indicator without data is `missing` with the reason; its
 * sub-dimension is missing too unless the indicator is declared `whenMissing: "exclude"` (none is in the shipped
 * matrix, since the report gives no rule for it), and a dimension is missing when any sub-dimension is.
 *
 * Weighted estimates: pass the raked cell design of the population responses (server/domain/weighting/design.ts,
 * the tallies' own), so shares and standard errors are the tallies' estimator's and account for the raking.
 */
import type { IndicatorsReport } from '../../../schemas/generated/api.types.js';
import {
  indicatorMatrix, indicatorsOf, type Confidence, type IndicatorDefinition, type IndicatorMatrix, type IndicatorSource,
  type LocalisedName, type Rule,
} from '../../../schemas/csi/indicators.js';
import { itemById } from '../../../schemas/items.js';
import { questionnaires, type SchemaObject, type SurveyId } from '../../../schemas/surveys.js';
import { designFor, respondentWeights, type CellDesign } from '../weighting/design.js';
import { aggregateScores } from './aggregation.js';
import { isAnswer, tableOf, type ResponseRecord, type Table } from './records.js';
import { ruleText } from './rule-text.js';
import { evaluateSecondary, type SecondaryData, type SecondaryOutcome } from './secondary.js';
import { evaluateSurveyRule, missing, type Component, type Evaluation, type SurveyContext } from './survey-rules.js';
import { reasonText } from './reasons.js';

export interface IndicatorInputs {
  responses: Partial<Record<SurveyId, readonly ResponseRecord[]>>;
  secondary: SecondaryData;
}

export interface IndicatorOptions {
  /** The raked design of the population responses, in their order; absent: unweighted. */
  design?: CellDesign;
  /** Break population indicators down by this variable (item or derived variable). */
  breakdown?: string;
  /** Another matrix (tests, a country's variant); default: the shipped one. */
  matrix?: IndicatorMatrix;
}

export interface BreakdownCell {
  category: string;
  status: 'ok' | 'missing';
  value: number | null;
  reason: string | null;
  n: number | null;
  base: number | null;
  se: number | null;
}

export interface AlternativeResult {
  label: string;
  rule: string;
  value: number | null;
  reason: string | null;
}

export interface IndicatorResult {
  id: string;
  dimension: string;
  subDimension: string;
  name: LocalisedName;
  source: IndicatorSource;
  confidence: Confidence;
  /** The rule is a documented default for an unknown CIVICUS rule: show it as such. */
  default: boolean;
  rule: string;
  note: string;
  items: string[];
  status: 'ok' | 'missing';
  /** 0-100, full precision; null when missing (never 0 for want of data). */
  value: number | null;
  reason: string | null;
  n: number | null;
  base: number | null;
  weightedBase: number | null;
  /** Standard error in points; null for secondary data and rules without one. */
  se: number | null;
  /** Population indicators computed with weights. */
  weighted: boolean;
  /** Share rules: respondents left out of the base by answer (dk, ref, blank, ...); null for other rules. */
  excluded: Record<string, number> | null;
  flags: string[];
  components: Component[];
  /** Secondary inputs used, with source and year. */
  inputs: SecondaryOutcome['inputs'];
  alternatives: AlternativeResult[];
  breakdown: BreakdownCell[] | null;
  /** The Kazakhstan 2009-10 value, for comparison. */
  published: number;
}

/** The matrix part of the indicators answer (`schemas/api/indicators-report.schema.json`); the service adds the rest;
 * the indicators keep their inputs' secondary keys typed. */
export type MatrixResult = Pick<IndicatorsReport, 'matrixVersion' | 'weighted' | 'breakdownBy' | 'subDimensions' | 'dimensions' | 'defaults'>
  & { indicators: IndicatorResult[] };

interface Prepared {
  tables: Record<SurveyId, Table>;
  /** Each survey's design and its respondents' weights, made when a rule first needs them. */
  design(survey: SurveyId): { design: CellDesign; weights: Float64Array };
  weighted: boolean;
  ruleOf(id: string): Rule | undefined;
}

function prepare(inputs: IndicatorInputs, options: IndicatorOptions, matrix: IndicatorMatrix): Prepared {
  const records = (s: SurveyId): readonly ResponseRecord[] => inputs.responses[s] ?? [];
  const population = records('population');
  if (options.design && options.design.n !== population.length) {
    throw new Error(`design: ${options.design.n} respondents for ${population.length} population responses`);
  }
  const rules = new Map(indicatorsOf(matrix).map((i) => [i.id, i.rule]));
  const designs = new Map<SurveyId, { design: CellDesign; weights: Float64Array }>();
  return {
    tables: { population: tableOf(population), organisational: tableOf(records('organisational')), external: tableOf(records('external')) },
    design(survey) {
      let made = designs.get(survey);
      if (!made) {
        // Unweighted: one cell of weight 1, the same estimator with the variance of a simple random sample.
        const design = survey === 'population' && options.design ? options.design : designFor(records(survey).length, [], []);
        made = { design, weights: respondentWeights(design) };
        designs.set(survey, made);
      }
      return made;
    },
    weighted: options.design !== undefined,
    ruleOf: (id) => rules.get(id),
  };
}

function evaluate(rule: Rule, source: IndicatorSource, prepared: Prepared, secondary: SecondaryData, domain?: Uint8Array): Evaluation & { inputs: SecondaryOutcome['inputs'] } {
  if (rule.kind === 'secondary') {
    const out = evaluateSecondary(rule, secondary);
    const value: Evaluation = out.value === null
      ? missing(out.reason ?? 'missing')
      : { value: out.value, reason: null, n: null, base: null, weightedBase: null, se: null, flags: [], components: [] };
    return { ...value, inputs: out.inputs };
  }
  if (source === 'secondary') return { ...missing(reasonText('needsSurvey', { kind: rule.kind })), inputs: [] };
  const table = prepared.tables[source];
  if (table.size === 0) return { ...missing(reasonText('noResponses')), inputs: [] };
  const ctx: SurveyContext = { table, ...prepared.design(source), ruleOf: prepared.ruleOf, domain };
  return { ...evaluateSurveyRule(rule, ctx), inputs: [] };
}

/** The categories of a breakdown variable: its codes in questionnaire order, else the values seen, sorted. */
function categoriesOf(variable: string, table: Table): string[] {
  const derived = (questionnaires.population.$defs.derived as SchemaObject | undefined)?.properties?.[variable];
  const codes = itemById('population', variable)?.codes ?? (typeof derived === 'object' ? derived.enum : undefined);
  if (codes && codes.length > 0) return codes.map(String);
  const seen = new Set<string>();
  for (const v of table.column(variable)) if (isAnswer(v)) seen.add(String(v));
  return [...seen].sort();
}

interface Cell {
  category: string;
  domain: Uint8Array;
}

/** One domain per category of the breakdown variable, built once for all indicators. */
function cellsOf(variable: string, table: Table): Cell[] {
  const column = table.column(variable);
  return categoriesOf(variable, table).map((category) => {
    const domain = new Uint8Array(table.size);
    for (let i = 0; i < table.size; i += 1) {
      const v = column[i];
      if (isAnswer(v) && String(v) === category) domain[i] = 1;
    }
    return { category, domain };
  });
}

function breakdownOf(def: IndicatorDefinition, cells: Cell[], prepared: Prepared, secondary: SecondaryData): BreakdownCell[] {
  return cells.map(({ category, domain }) => {
    const e = evaluate(def.rule, def.source, prepared, secondary, domain);
    return { category, status: e.value === null ? 'missing' : 'ok', value: e.value, reason: e.reason, n: e.n, base: e.base, se: e.se };
  });
}

function computeIndicator(
  def: IndicatorDefinition, location: { dimension: string; subDimension: string }, prepared: Prepared,
  secondary: SecondaryData, cells: Cell[] | null,
): IndicatorResult {
  const e = evaluate(def.rule, def.source, prepared, secondary);
  const alternatives = (def.alternatives ?? []).map((a): AlternativeResult => {
    const alt = evaluate(a.rule, def.source, prepared, secondary);
    return { label: a.label, rule: ruleText(a.rule), value: alt.value, reason: alt.reason };
  });
  return {
    id: def.id, ...location, name: def.name, source: def.source, confidence: def.confidence, default: def.default,
    rule: ruleText(def.rule), note: def.note, items: def.items,
    status: e.value === null ? 'missing' : 'ok', value: e.value, reason: e.reason,
    n: e.n, base: e.base, weightedBase: e.weightedBase, se: e.se, excluded: e.excluded ?? null,
    weighted: def.source === 'population' && prepared.weighted,
    flags: e.flags, components: e.components, inputs: e.inputs, alternatives,
    breakdown: cells && def.source === 'population' ? breakdownOf(def, cells, prepared, secondary) : null,
    published: def.published,
  };
}

/** Every indicator, sub-dimension and dimension of the matrix. */
export function computeMatrix(inputs: IndicatorInputs, options: IndicatorOptions = {}): MatrixResult {
  const matrix = options.matrix ?? indicatorMatrix;
  const prepared = prepare(inputs, options, matrix);
  const cells = options.breakdown ? cellsOf(options.breakdown, prepared.tables.population) : null;
  const indicators = matrix.dimensions.flatMap((d) => d.subDimensions.flatMap((s) => s.indicators.map((def) =>
    computeIndicator(def, { dimension: d.id, subDimension: s.id }, prepared, inputs.secondary, cells))));
  const { subDimensions, dimensions } = aggregateScores(matrix, new Map(indicators.map((i) => [i.id, i])));
  return {
    matrixVersion: matrix.version,
    weighted: options.design !== undefined,
    breakdownBy: options.breakdown ?? null,
    indicators, subDimensions, dimensions,
    defaults: indicators.filter((i) => i.default).map((i) => i.id),
  };
}
