/**
 * Analysis files: GET /api/v1/surveys/population/export as .sav, .dta and numeric CSV over 100,000 stored
 * responses (embedded store), from the app in a child process, with the server's resident set size sampled every
 * 50 ms. Each format is exported twice: with the default heap (the peak an operator sees) and with V8's old
 * generation capped well below the file's size (if anything were kept per row, that export would fail). The body
 * is streamed to a file, never held, and the file is read back by R haven afterwards, so a figure is only reported
 * for a file that holds all its rows. The baseline is the server's RSS before the export (started, one small
 * request, a second idle).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SqliteStore } from '../server/store/embedded/sqlite.store.js';
import { generateBodies } from './bodies.js';
import { concurrentInserts, load } from './export.bench.js';
import { authHeaders, rssOf, startServer, tempDir } from './processes.js';
import { MiB, num, type BenchSection } from './report.js';

const FORMATS = [
  { name: 'sav', query: 'format=sav&lang=kk', reader: 'read_sav' },
  { name: 'dta', query: 'format=dta&lang=kk', reader: 'read_dta' },
  { name: 'csv (codes=numeric)', query: 'format=csv&codes=numeric', reader: 'read.csv' },
] as const;

/** Well under every file's size: the .sav is the smallest, compressed. */
const CAPPED_HEAP_MIB = 48;

interface Measure {
  bytes: number;
  seconds: number;
  rssBefore: number;
  peak: number;
  rowsRead: number | null;
  failure: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryRss(pid: number): number | null {
  try {
    return rssOf(pid);
  } catch {
    return null;
  }
}

/** Rows in the file as R reads them (haven for .sav and .dta, base R for CSV), or null if R could not read it. */
function rowsInR(file: string, reader: string): number | null {
  const code = reader === 'read.csv' ? `cat(nrow(read.csv('${file}')))` : `suppressMessages(library(haven)); cat(nrow(${reader}('${file}')))`;
  try {
    return Number(execFileSync('Rscript', ['-e', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  } catch {
    return null;
  }
}

async function measure(dataDir: string, query: string, reader: string, file: string, nodeArgs: string[]): Promise<Measure> {
  const server = await startServer('server/main.ts', { DATA_DIR: dataDir }, nodeArgs);
  try {
    const headers = await authHeaders(server.url);
    await (await fetch(`${server.url}/api/v1/surveys/population/responses?limit=1`, { headers })).arrayBuffer();
    await sleep(1000);
    const rssBefore = rssOf(server.pid);
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, tryRss(server.pid) ?? 0);
    }, 50);
    const started = performance.now();
    let failure: string | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${server.url}/api/v1/surveys/population/export?${query}`, { headers }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          pipeline(res, createWriteStream(file)).then(() => (res.complete ? resolve() : reject(new Error('response ended early'))), reject);
        });
        req.once('error', reject);
        req.end();
      });
    } catch (error) {
      failure = `${(error as Error).message}${tryRss(server.pid) === null ? ' (the server process died)' : ''}`;
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const bytes = statSync(file).size;
    return { bytes, seconds, rssBefore, peak, rowsRead: failure ? null : rowsInR(file, reader), failure };
  } finally {
    await server.stop();
  }
}

export async function runAnalysisFilesBench(opts: { bodies?: readonly string[]; rows?: number } = {}): Promise<BenchSection> {
  const rows = opts.rows ?? 100_000;
  const bodies = opts.bodies?.length ? opts.bodies : await generateBodies(10_000, 2024);
  const dir = tempDir('csi-bench-analysis-');
  const sqlite = new SqliteStore(join(dir, 'csi.sqlite'));
  try {
    await load('embedded', rows, bodies, concurrentInserts(sqlite, 2000));
  } finally {
    await sqlite.close();
  }
  const table: string[][] = [];
  const notes: string[] = [];
  for (const format of FORMATS) {
    for (const heap of ['default', `old space ${CAPPED_HEAP_MIB} MiB`]) {
      const file = join(dir, `export.${format.name.slice(0, 3)}`);
      process.stdout.write(`  ${format.name}, heap ${heap}: `);
      const m = await measure(dir, format.query, format.reader, file, heap === 'default' ? [] : [`--max-old-space-size=${CAPPED_HEAP_MIB}`]);
      rmSync(file, { force: true });
      const ok = !m.failure && m.rowsRead === rows;
      console.log(`${ok ? '' : `FAILED (${m.failure ?? `R read ${m.rowsRead ?? 'nothing'}`}) `}${num(m.bytes / MiB, 1)} MiB in ${m.seconds.toFixed(1)} s; RSS ${num(m.rssBefore / MiB)} → peak ${num(m.peak / MiB)} MiB`);
      table.push([
        format.name, heap, ok ? num(rows) : `${num(m.rowsRead ?? 0)} (${m.failure ?? 'not all rows'})`, num(m.bytes / MiB, 1), num(m.seconds, 1),
        num(rows / m.seconds), num(m.rssBefore / MiB), num(m.peak / MiB), num(m.peak / m.rssBefore, 2),
      ]);
    }
  }
  notes.push(
    `${num(rows)} population responses loaded straight into the embedded store (as in the CSV export section), exported by ` +
    `the server in a child process; the body is written to a file as it arrives and the file is then read by R (haven's ` +
    `read_sav/read_dta, read.csv): "rows" is what R read. RSS is the server's VmRSS sampled every 50 ms.`,
    `The .dta reads the store twice (its header states the row count, and strings are sized to their widest value); the .sav ` +
    `states the case count as unknown (-1) and streams in one pass, but builds its compressed cases unit by unit, which costs ` +
    `more CPU per row than the .dta's fixed-width rows. Every export first reads each counted response's id and weight (the ` +
    `raking), as the CSV export does. Times are from a shared machine (see the load average above): compare peaks, not ` +
    `seconds. An export that still completes with the old generation capped at ${CAPPED_HEAP_MIB} MiB keeps nothing per row; ` +
    `the cap proves most where it is under the size of the file written (MiB column).`,
  );
  return {
    title: 'Analysis files: 100,000 population responses as .sav, .dta and numeric CSV',
    columns: [
      { name: 'Format', align: 'left' }, { name: 'server heap', align: 'left' }, { name: 'rows (read by R)' }, { name: 'MiB' }, { name: 's' },
      { name: 'rows/s' }, { name: 'RSS before, MiB' }, { name: 'peak RSS, MiB' }, { name: 'peak × before' },
    ],
    rows: table,
    notes,
  };
}
