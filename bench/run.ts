/**
 * `npm run bench`: runs every benchmark and rewrites BENCHMARKS.md with this run's figures. Every figure is
 * reported next to a baseline measured in the same run, as a ratio, so results compare across machines.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runValidationBench, type BenchRow } from './validation.bench.js';

function table(rows: BenchRow[]): string {
  const lines = ['| Task | µs per response | × baseline |', '|---|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.perItemMicros.toFixed(2)} | ${r.ratioToBaseline.toFixed(2)} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const sections: string[] = [];
  const results = [await runValidationBench()];
  for (const r of results) {
    console.log(`\n${r.title}`);
    console.table(r.rows.map((row) => ({ task: row.name, 'µs/response': row.perItemMicros.toFixed(2), 'x baseline': row.ratioToBaseline.toFixed(2) })));
    for (const n of r.notes) console.log(n);
    sections.push(`## ${r.title}\n\n${table(r.rows)}\n\n${r.notes.join('\n')}`);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const doc = `# Benchmarks\n\nWritten by \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${machine}). Each table has a baseline measured in\nthe same run; compare ratios, not absolute times, across machines. Benchmarks are never timed unit tests.\n\n${sections.join('\n\n')}\n`;
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), doc);
  console.log('\nwrote BENCHMARKS.md');
}

await main();
