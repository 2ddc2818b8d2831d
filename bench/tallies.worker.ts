/**
 * One tallies benchmark run in its own process, so its peak memory is its own: `tsx bench/tallies.worker.ts N [csv]`.
 * N synthetic population responses are drawn (with replacement) from a pool of distinct generated ones, streamed
 * into coded columns, raked to the shipped margins, and tallied: 20 items x 5 breakdowns with standard errors.
 * With a csv path, the same data is written for R. Prints one JSON line.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { derivePopulation } from '../schemas/derived.js';
import { SyntheticGenerator } from '../schemas/synthetic.js';
import { ColumnsBuilder } from '../server/domain/weighting/columns.js';
import { KAZAKHSTAN_2009_MARGINS, rakingMargins } from '../server/domain/weighting/margins.js';
import { designFor } from '../server/domain/weighting/design.js';
import { breakdownOf, frameFor, tallyFrame } from '../server/domain/weighting/tally.js';
import { breakdownsOf, tallyItemsOf } from '../server/services/tallies.service.js';
import { BREAKDOWNS, POOL, TALLY_ITEMS } from './tallies.spec.js';

const n = Number(process.argv[2]);
const csvPath = process.argv[3];

const gen = new SyntheticGenerator('population', { seed: 2010 });
const pool = Array.from({ length: Math.min(POOL, n) }, () => {
  const answers = gen.next() as Record<string, unknown>;
  return { answers, derived: derivePopulation(answers) as Record<string, unknown> };
});

const margins = KAZAKHSTAN_2009_MARGINS;
const items = tallyItemsOf('population', TALLY_ITEMS);
const by = breakdownsOf('population', BREAKDOWNS);
let state = 12345;
const draw = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state % pool.length;
};

const t0 = performance.now();
const builder = new ColumnsBuilder({ margins: margins.variables, by, items });
const drawn: number[] = [];
for (let i = 0; i < n; i += 1) {
  const k = draw();
  if (csvPath) drawn.push(k);
  const row = pool[k] as (typeof pool)[number];
  builder.add(row);
}
const columns = builder.done();
// The generator's garbage is not the computation's: collect it first (the worker runs with --expose-gc).
(globalThis as { gc?: () => void }).gc?.();
const t1 = performance.now();
const cpu1 = process.cpuUsage();
/** Raking and every tally: what the benchmark times. */
function compute(): { design: ReturnType<typeof designFor>; estimates: number; rakeMs: number } {
  const start = performance.now();
  const design = designFor(columns.n, rakingMargins(margins, []), columns.margins, { tolerance: 1e-10 });
  const rakeMs = performance.now() - start;
  const frame = frameFor(design, columns.by.map((column, k) => breakdownOf([BREAKDOWNS[k] as string], [column])));
  let estimates = 0;
  for (const item of columns.items) {
    const tally = tallyFrame(frame, item);
    estimates += tally.overall.estimates.length + tally.by.flat().reduce((s, g) => s + g.estimates.length, 0);
  }
  return { design, estimates, rakeMs };
}

// Cold: the first run in a fresh process, as the first request after a start meets it.
const { design, estimates, rakeMs } = compute();
const t3 = performance.now();
const cpu = process.cpuUsage(cpu1);
// Warm: the same computation again in the same process (a server answering its next requests); median of 3.
const warm = [0, 1, 2].map(() => {
  const start = performance.now();
  compute();
  return performance.now() - start;
}).sort((a, b) => a - b)[1] as number;

if (csvPath) {
  const out = createWriteStream(csvPath);
  const vars = [...new Set([...margins.variables.map((m) => m.variable), ...BREAKDOWNS, ...TALLY_ITEMS])];
  out.write(`${vars.join(',')}\n`);
  for (const k of drawn) {
    const row = pool[k] as (typeof pool)[number];
    const cell = (v: string) => {
      const margin = margins.variables.find((m) => m.variable === v);
      const value = row.answers[v] ?? row.derived[v];
      const coded = margin?.collapse?.[String(value)] ?? value;
      return coded === undefined || coded === 'dk' || coded === 'ref' ? '' : String(coded);
    };
    if (!out.write(`${vars.map(cell).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

console.log(JSON.stringify({
  n, pool: pool.length, cells: design.counts.length, iterations: design.report.iterations, converged: design.report.converged, estimates,
  buildMs: t1 - t0, rakeMs, talliesMs: t3 - t1 - rakeMs, computeMs: t3 - t1, computeCpuMs: (cpu.user + cpu.system) / 1000, warmMs: warm, maxRssMiB: process.resourceUsage().maxRSS / 1024,
}));
