/**
 * Weighted tallies at scale: raking plus 20 items x 5 breakdowns with standard errors, on 10,000 and 1,000,000
 * synthetic population responses, each size in its own process (bench/tallies.worker.ts) so peak memory is its
 * own; at 10,000 the same computation in R's survey package (bench/tallies.R) in the same run, when R is present.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KAZAKHSTAN_2009_MARGINS } from '../server/domain/weighting/margins.js';
import { ROOT, tempDir } from './processes.js';
import { num, type BenchSection } from './report.js';

const run = promisify(execFile);

interface WorkerResult {
  n: number; pool: number; cells: number; iterations: number; converged: boolean; estimates: number;
  buildMs: number; rakeMs: number; talliesMs: number; computeMs: number; computeCpuMs: number; warmMs: number; maxRssMiB: number;
}
interface RResult { rows: number; rakeSeconds: number; talliesSeconds: number; cpuSeconds: number; estimates: number }

const TARGET_MS = 3_000;
const TARGET_MIB = 1_536;

async function worker(n: number, csv?: string): Promise<WorkerResult> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'tallies.worker.ts'), String(n), ...(csv ? [csv] : [])], { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as WorkerResult;
}

async function rSurvey(csv: string, margins: string): Promise<RResult | string> {
  try {
    await run('Rscript', ['-e', 'suppressPackageStartupMessages({library(survey); library(MASS)})']);
  } catch {
    return 'R with the survey and MASS packages is not installed: no R comparison in this run';
  }
  const { stdout } = await run('Rscript', [join(ROOT, 'bench', 'tallies.R'), csv, margins], { timeout: 60 * 60_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as RResult;
}

export async function runTalliesBench(): Promise<BenchSection> {
  const dir = tempDir('csi-tallies-bench-');
  const csv = join(dir, 'population-10000.csv');
  const margins = join(dir, 'margins.csv');
  writeFileSync(margins, ['variable,category,share', ...KAZAKHSTAN_2009_MARGINS.variables.flatMap((v) => Object.entries(v.shares).map(([c, s]) => `${v.variable},${c},${s}`))].join('\n'));
  console.log('  10,000 responses (TypeScript)');
  const small = await worker(10_000, csv);
  console.log('  1,000,000 responses (TypeScript)');
  const large = await worker(1_000_000);
  console.log('  10,000 responses (R survey; minutes)');
  const r = await rSurvey(csv, margins);

  const rows: string[][] = [];
  const rMs = typeof r === 'string' ? null : (r.rakeSeconds + r.talliesSeconds) * 1000;
  if (typeof r !== 'string') {
    rows.push(['10,000', 'baseline: R survey (calibrate + svymean/svyby)', num(r.rakeSeconds * 1000), num(r.talliesSeconds * 1000), num(rMs as number), 'n/a', num(r.cpuSeconds * 1000), 'n/a', num(r.estimates), '1.0000', 'n/a']);
  }
  for (const w of [small, large]) {
    const ratio = (ms: number) => (rMs && w.n === 10_000 ? num(ms / rMs, 4) : 'n/a');
    rows.push([num(w.n), 'csi-survey (domain/weighting/tally.ts)', num(w.rakeMs), num(w.talliesMs), num(w.computeMs), num(w.warmMs), num(w.computeCpuMs), num(w.maxRssMiB), num(w.estimates), ratio(w.computeMs), ratio(w.warmMs)]);
  }
  const speedup = rMs ? rMs / small.computeMs : null;
  const warmSpeedup = rMs ? rMs / small.warmMs : null;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return {
    title: 'Weighted tallies: raking + 20 items x 5 breakdowns with standard errors',
    columns: [{ name: 'Responses' }, { name: 'Engine', align: 'left' }, { name: 'raking ms' }, { name: 'tallies ms' }, { name: 'total ms (cold)' }, { name: 'total ms (warm)' },
      { name: 'CPU ms (cold)' }, { name: 'peak RSS MiB' }, { name: 'estimates' }, { name: '× R time (cold)' }, { name: '× R time (warm)' }],
    rows,
    notes: [
      `Responses are drawn with replacement from ${num(small.pool)} distinct synthetic population responses (the generator is too slow to make a million distinct ones), raked to the shipped Kazakhstan 2009 margins (${KAZAKHSTAN_2009_MARGINS.variables.map((v) => v.variable).join(', ')}; ${large.cells} margin cells at 1,000,000, ${large.iterations} raking cycles to a tolerance of 1e-10, converged: ${large.converged}), then 20 closed items each overall and by region, age band, ethnicity, gender and settlement type: every category share with its linearised SE, CI, bases, effective n and deff. Times are for the computation from coded columns; streaming the responses into columns took a further ${num(small.buildMs)} ms at 10,000 and ${num(large.buildMs)} ms at 1,000,000 (in the service this overlaps reading the store). Peak RSS is the whole worker process (pool of generated responses included). Cold is the first run in a fresh process (the first request after a start, JIT compilation included); warm is the median of 3 further runs in the same process (the requests after it). Times are elapsed, compared with R's elapsed time; CPU time is the whole process's, background compiler and GC threads included (R's is single-threaded).`,
      `R: ${typeof r === 'string' ? r : `${r.rows} rows, survey::calibrate(calfun = "raking", epsilon = 1e-10) then svymean and svyby(~factor(item), ~breakdown, subset(design, !is.na(item)), svymean) for the same 20 x (1 + 5) tallies (bench/tallies.R); ${num(r.estimates)} estimates against our ${num(small.estimates)}.`}`,
      `- 1,000,000 responses: ${num(large.computeMs)} ms cold (${num(large.warmMs)} ms warm) and ${num(large.maxRssMiB)} MiB peak (target at most ${num(TARGET_MS)} ms and ${num(TARGET_MIB)} MiB): ${met(large.computeMs <= TARGET_MS && large.maxRssMiB <= TARGET_MIB)}.`,
      `- 10,000 responses: ${speedup === null || warmSpeedup === null ? 'no R in this run, so the 100x target was not measured' : `${num(speedup, 0)}x faster than R survey cold (${num(rMs as number)} ms against ${num(small.computeMs)} ms): ${met(speedup >= 100)}; ${num(warmSpeedup, 0)}x warm (${num(small.warmMs)} ms): ${met(warmSpeedup >= 100)} (target at least 100x)`}.`,
    ],
  };
}
