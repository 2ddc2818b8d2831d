/**
 * `npm run bench`: runs every benchmark and rewrites BENCHMARKS.md with this run's figures. Every figure is
 * reported next to a baseline measured in the same run, as a ratio, so results compare across machines.
 *
 * Order: validation (in process), then the synthetic load is generated, then ingestion and export against the
 * servers in child processes (FerretDB started once for both). Children, FerretDB and temp dirs are removed on
 * exit, on error and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { generateBodies } from './bodies.js';
import { runAnalysisDatasetBench } from './analysis-dataset.bench.js';
import { runAnalysisFilesBench } from './analysis-files.bench.js';
import { runAnalysisExportBench } from './analysis-export.bench.js';
import { runExportBench } from './export.bench.js';
import { runFormBench } from './form.bench.js';
import { runIndicatorsBench } from './indicators.bench.js';
import { runIngestionBench } from './ingestion.bench.js';
import { QUOTA_STATUS_TITLE, runQuotaStatusBench } from './quota-status.bench.js';
import { runTalliesBench } from './tallies.bench.js';
import { cleanupAll, ROOT } from './processes.js';
import { markdownTable, num, type BenchSection } from './report.js';
import { runValidationBench } from './validation.bench.js';

/** Enough distinct submissions for the fastest server's warm-up and measured run, and most of the export. */
const POOL = 60_000;

async function validationSection(): Promise<BenchSection> {
  const r = await runValidationBench();
  return {
    title: r.title,
    columns: [{ name: 'Task', align: 'left' }, { name: 'µs per response' }, { name: '× baseline' }],
    rows: r.rows.map((row) => [row.name, num(row.perItemMicros, 2), num(row.ratioToBaseline, 2)]),
    notes: r.notes,
  };
}

/** The commit measured, and whether the working tree differed from it. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'server', 'schemas').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in server/ or schemas/' : ''}`;
  } catch {
    return 'unknown';
  }
}

function show(section: BenchSection): void {
  console.log(`\n${section.title}`);
  console.table(section.rows.map((row) => Object.fromEntries(section.columns.map((c, i) => [c.name, row[i]]))));
  for (const n of section.notes) console.log(n);
}

/** `npm run bench -- --only tallies,form`: run some sections; the others keep their figures from the last full run. */
function selected(): Set<string> | null {
  const at = process.argv.indexOf('--only');
  return at < 0 ? null : new Set((process.argv[at + 1] ?? '').split(',').filter(Boolean));
}

/** The sections of the current BENCHMARKS.md by title, each with its body (table and notes). */
function previousSections(): Map<string, string> {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  if (!existsSync(file)) return new Map();
  const parts = readFileSync(file, 'utf8').split(/^## /m).slice(1);
  return new Map(parts.map((p) => [p.slice(0, p.indexOf('\n')), p.slice(p.indexOf('\n') + 1).trim()]));
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = selected();
  const previous = previousSections();
  const entries: Array<{ title: string; body: string }> = [];
  const load = loadavg()[0] ?? 0;
  const code = codeVersion();
  const step = async (name: string, run: () => Promise<BenchSection>, title: string) => {
    if (only && !only.has(name)) {
      const body = previous.get(title);
      if (body) entries.push({ title, body });
      return;
    }
    console.log(`\n▶ ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    const section = await run();
    show(section);
    entries.push({ title: section.title, body: `${markdownTable(section)}\n\n${section.notes.join('\n')}` });
  };

  await step('validation', validationSection, 'Validation of one population response');
  await step('form', runFormBench, 'Interviewer form (population): size and first render');
  const needBodies = !only || only.has('ingestion') || only.has('export') || only.has('analysis-export');
  if (needBodies) console.log(`\n▶ generating ${num(POOL)} synthetic population submissions`);
  const bodies = needBodies ? await generateBodies(POOL, 2024) : [];
  await step('ingestion', () => runIngestionBench({ bodies }), 'Ingestion: POST a population response, 64 connections');
  await step('export', () => runExportBench({ bodies }), 'Export: population responses as CSV, streamed');
  await step('analysis', () => runAnalysisFilesBench({ bodies }), 'Analysis files: 100,000 population responses as .sav, .dta and numeric CSV');
  await step('analysis-export', () => runAnalysisExportBench({ bodies }), 'Analysis exports: 100,000 population responses as Excel and as paradata CSV, streamed');
  await step('tallies', runTalliesBench, 'Weighted tallies: raking + 20 items x 5 breakdowns with standard errors');
  await step('indicators', runIndicatorsBench, 'CSI indicator matrix: 10,000 population, 1,000 organisational and 100 expert responses');
  await step('dataset', runAnalysisDatasetBench, 'Analysis dataset: tallies and indicators over the API at 100,000 population responses; quota status');
  await step('quota-status', runQuotaStatusBench, QUOTA_STATUS_TITLE);

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const partial = only ? ` (this run: ${[...only].join(', ')}; the other sections are from an earlier run)` : '';
  const doc = `# Benchmarks\n\nWritten by \`npm run bench\`${partial} (${new Date().toISOString().slice(0, 10)}, ${machine}, load average ${load.toFixed(1)} at start, code ${code}). ` +
    `Each table has a baseline measured in\nthe same run; compare ratios, not absolute times, across machines. Benchmarks are never timed unit tests.\n\n` +
    `${entries.map((s) => `## ${s.title}\n\n${s.body}`).join('\n\n')}\n`;
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), doc);
  console.log(`\nwrote BENCHMARKS.md (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

try {
  await main();
} finally {
  await cleanupAll();
}
