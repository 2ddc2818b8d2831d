/**
 * Validation of population responses: the ajv-compiled and the standalone validators, on valid and on broken
 * responses, against a baseline in the same run (JSON.stringify of the same responses: of the order of what reading
 * the body costs). Each task validates a batch of 1,000 distinct synthetic responses, so timer overhead vanishes.
 */
import { Bench } from 'tinybench';
import { compileValidators, generateResponses, standaloneValidators } from '../schemas/index.js';

export interface BenchRow {
  name: string;
  perItemMicros: number;
  ratioToBaseline: number;
}

const BATCH = 1000;

export async function runValidationBench(): Promise<{ title: string; rows: BenchRow[]; notes: string[] }> {
  const valid = generateResponses('population', BATCH, { seed: 2024 });
  const broken = valid.map((r, i) => ({ ...r, ps_age_years: i % 2 ? 'x' : 150, ps_region: 'nowhere' }));
  const ajv = compileValidators().population;
  const standalone = standaloneValidators.population;
  let sink = 0;
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench
    .add('baseline: JSON.stringify of the response', () => { for (const r of valid) sink += JSON.stringify(r).length; })
    .add('ajv, valid responses', () => { for (const r of valid) sink += ajv(r).valid ? 1 : 0; })
    .add('standalone, valid responses', () => { for (const r of valid) sink += standalone(r).valid ? 1 : 0; })
    .add('ajv, invalid responses (errors shaped)', () => { for (const r of broken) sink += ajv(r).errors.length; })
    .add('standalone, invalid responses (errors shaped)', () => { for (const r of broken) sink += standalone(r).errors.length; });
  await bench.run();
  if (sink === 0) throw new Error('benchmark did no work');
  const perItem = (i: number) => ((bench.tasks[i]?.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? NaN) * 1000 / BATCH;
  const base = perItem(0);
  const rows = bench.tasks.map((t, i) => ({ name: t.name, perItemMicros: perItem(i), ratioToBaseline: perItem(i) / base }));
  const ajvValid = rows[1]?.perItemMicros ?? NaN;
  return {
    title: 'Validation of one population response',
    rows,
    notes: [`Target: under 20 µs per valid population response. Measured (ajv): ${ajvValid.toFixed(2)} µs — ${ajvValid < 20 ? 'met' : 'NOT met'}.`],
  };
}
