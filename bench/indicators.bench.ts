/**
 * The whole CSI indicator matrix (65 indicators, 27 sub-dimensions, 5 dimensions) from 10,000 population, 1,000
 * organisational and 100 expert synthetic responses, as the indicators service computes it: unweighted (the
 * report's way), weighted (raking to the shipped margins, the cell design's calibration model, raking-aware standard
 * errors) and broken down by region. The baseline, measured in the same run, is one plain pass over the same
 * responses reading every answer once: the least any computation from them costs. Responses carry their derived
 * variables, as stored ones do. Each task runs after a warm-up; the median of the measured runs is reported.
 */
import { derivePopulation } from '../schemas/derived.js';
import { SyntheticGenerator } from '../schemas/synthetic.js';
import type { SurveyId } from '../schemas/surveys.js';
import { computeMatrix, type IndicatorInputs } from '../server/domain/indicators/compute.js';
import type { ResponseRecord } from '../server/domain/indicators/records.js';
import { KAZAKHSTAN_SECONDARY } from '../server/domain/indicators/secondary.js';
import { ColumnsBuilder } from '../server/domain/weighting/columns.js';
import { KAZAKHSTAN_2009_MARGINS, rakingMargins } from '../server/domain/weighting/margins.js';
import { designFor } from '../server/domain/weighting/design.js';
import { num, type BenchSection } from './report.js';

const SIZES: Record<SurveyId, number> = { population: 10_000, organisational: 1_000, external: 100 };
const TARGET_MS = 1_000;
const WARMUP = 2;
const RUNS = 7;

function records(survey: SurveyId, count: number, seed: number): ResponseRecord[] {
  const gen = new SyntheticGenerator(survey, { seed });
  return Array.from({ length: count }, () => {
    const { answers } = gen.nextSubmission();
    return survey === 'population' ? { answers, derived: { ...derivePopulation(answers) } } : { answers };
  });
}

function median(run: () => unknown): number {
  for (let i = 0; i < WARMUP; i += 1) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] as number;
}

/** The raked design of the population records, as IndicatorsService computes it. */
function weighting(population: readonly ResponseRecord[]) {
  const builder = new ColumnsBuilder({ margins: KAZAKHSTAN_2009_MARGINS.variables, by: [], items: [] });
  for (const r of population) builder.add(r);
  const columns = builder.done();
  const design = designFor(columns.n, rakingMargins(KAZAKHSTAN_2009_MARGINS, []), columns.margins, { tolerance: 1e-10 });
  return { design };
}

export async function runIndicatorsBench(): Promise<BenchSection> {
  console.log('  generating 10,000 + 1,000 + 100 synthetic responses (about 12 s)');
  const responses = {
    population: records('population', SIZES.population, 2024),
    organisational: records('organisational', SIZES.organisational, 2025),
    external: records('external', SIZES.external, 2026),
  };
  const inputs: IndicatorInputs = { responses, secondary: KAZAKHSTAN_SECONDARY };
  let sink = 0;
  const baseline = median(() => {
    for (const list of Object.values(responses)) {
      for (const r of list) for (const key in r.answers) if (r.answers[key] !== undefined) sink += 1;
    }
  });
  let missing = 0;
  const unweighted = median(() => {
    const result = computeMatrix(inputs);
    missing = result.indicators.filter((i) => i.status === 'missing').length;
    sink += result.dimensions.length;
  });
  const raking = median(() => { sink += weighting(responses.population).design.n; });
  const weighted = median(() => { sink += computeMatrix(inputs, weighting(responses.population)).indicators.length; });
  const byRegion = median(() => { sink += computeMatrix(inputs, { breakdown: 'ps_region' }).indicators.length; });
  if (sink === 0) throw new Error('benchmark did no work');

  const row = (task: string, ms: number) => [task, num(ms, 1), num(ms / baseline, 1)];
  return {
    title: 'CSI indicator matrix: 10,000 population, 1,000 organisational and 100 expert responses',
    columns: [{ name: 'Task', align: 'left' }, { name: 'ms (median)' }, { name: '× baseline' }],
    rows: [
      row('baseline: one pass over every answer of every response', baseline),
      row('whole matrix, unweighted (the report\'s way)', unweighted),
      row('raking to the margins (the cell design and its calibration model)', raking),
      row('whole matrix, weighted (raking included), raking-aware standard errors', weighted),
      row('whole matrix, unweighted, population indicators by region (16 cells)', byRegion),
    ],
    notes: [
      `Target: the whole matrix in under ${num(TARGET_MS)} ms. Measured: ${num(unweighted, 1)} ms unweighted, ${num(weighted, 1)} ms weighted — ` +
        `${unweighted < TARGET_MS && weighted < TARGET_MS ? 'met' : 'NOT met'}. Median of ${RUNS} runs after ${WARMUP} warm-ups; ${missing} of 65 indicators missing on this data.`,
    ],
  };
}
