/**
 * Analysis exports: 100,000 population responses on the embedded store exported as Excel
 * (GET …/export?format=xlsx: data and codebook sheets) and as paradata CSV (GET …/paradata: one row per response and
 * section), from the app in a child process, the body written to a file as it arrives while the server's RSS is
 * sampled every 50 ms (as the CSV export bench does). Flat means RSS stops growing: the last tenth of the bytes peaks
 * within 32 MiB of the second tenth. The Excel export runs again with V8's old generation capped well below what it
 * streams, though that cap says nothing of buffers outside the heap (a first version held the zip's backlog there:
 * 513 MiB peak under a 64 MiB heap). Rows are counted afterwards from the files (the
 * worksheet's <row> elements, the CSV's records), never held in the server.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { questionnaires } from '../schemas/surveys.js';
import { exportColumns } from '../server/services/export.service.js';
import { SqliteStore } from '../server/store/embedded/sqlite.store.js';
import { concurrentInserts, CsvRowCounter, load } from './export.bench.js';
import { authHeaders, rssOf, startServer, tempDir } from './processes.js';
import { MiB, num, type BenchSection } from './report.js';

/** Well below the worksheet XML the export writes (hundreds of MiB at 100,000 rows), yet not so tight that GC dominates. */
const CAPPED_HEAP_MIB = 64;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Measure {
  bytes: number;
  seconds: number;
  rssBefore: number;
  peak: number;
  /** Highest RSS seen in each tenth of the bytes received. */
  deciles: number[];
  failure: string | null;
}

/** Whether RSS stopped growing: the last tenth of the export peaks at most 32 MiB above the second tenth. */
const FLAT_SLACK = 32 * MiB;
function isFlat(m: Measure): boolean {
  const seen = m.deciles.slice(1).filter(Number.isFinite); // a tenth can pass between two samples
  return seen.length > 0 && (seen.at(-1) as number) - (seen[0] as number) <= FLAT_SLACK;
}

function tryRss(pid: number): number | null {
  try {
    return rssOf(pid);
  } catch {
    return null;
  }
}

async function measure(dir: string, path: string, file: string, nodeArgs: string[]): Promise<Measure> {
  const server = await startServer('server/main.ts', { DATA_DIR: dir }, nodeArgs);
  try {
    const headers = await authHeaders(server.url);
    await (await fetch(`${server.url}/api/v1/surveys/population/responses?limit=1`, { headers })).arrayBuffer();
    await sleep(1000);
    const rssBefore = rssOf(server.pid);
    let bytes = 0;
    const samples: Array<{ bytes: number; rss: number }> = [];
    const sampler = setInterval(() => {
      const rss = tryRss(server.pid);
      if (rss !== null) samples.push({ bytes, rss });
    }, 50);
    const started = performance.now();
    let failure: string | null = null;
    try {
      const res = await fetch(`${server.url}${path}`, { headers });
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
      const body = Readable.fromWeb(res.body as WebReadableStream);
      body.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      await pipeline(body, createWriteStream(file));
    } catch (error) {
      failure = `${(error as Error).message}${tryRss(server.pid) === null ? ' (the server process died)' : ''}`;
    } finally {
      clearInterval(sampler);
    }
    const tenth = (d: number) => samples.filter((x) => x.bytes > (d / 10) * bytes && x.bytes <= ((d + 1) / 10) * bytes).map((x) => x.rss);
    return {
      bytes, seconds: (performance.now() - started) / 1000, rssBefore, failure,
      peak: samples.reduce((m, x) => Math.max(m, x.rss), rssBefore),
      deciles: Array.from({ length: 10 }, (_, d) => (tenth(d).length ? Math.max(...tenth(d)) : NaN)),
    };
  } finally {
    await server.stop();
  }
}

/** Uncompressed size of the data worksheet's XML, from the zip's directory. */
async function sheetXmlBytes(file: string): Promise<number> {
  const unzip = spawn('unzip', ['-l', file, 'xl/worksheets/sheet1.xml']);
  let listing = '';
  for await (const chunk of unzip.stdout) listing += (chunk as Buffer).toString('utf8');
  return Number(/^\s*(\d+)\s+\S+\s+\S+\s+xl\/worksheets\/sheet1\.xml/m.exec(listing)?.[1] ?? NaN);
}

/** Rows of the first worksheet: its <row> elements, read through unzip without unpacking the file. */
async function xlsxRows(file: string): Promise<number> {
  const unzip = spawn('unzip', ['-p', file, 'xl/worksheets/sheet1.xml']);
  let rows = 0;
  let tail = '';
  for await (const chunk of unzip.stdout) {
    const text = tail + (chunk as Buffer).toString('latin1');
    rows += text.split('<row ').length - 1;
    tail = text.slice(-4);
  }
  return rows - 1; // the header row
}

async function csvRows(file: string): Promise<number> {
  const counter = new CsvRowCounter();
  for await (const chunk of createReadStream(file)) counter.feed(chunk as Buffer);
  return counter.records - 1;
}

export async function runAnalysisExportBench(opts: { bodies: readonly string[]; rows?: number }): Promise<BenchSection> {
  const rows = opts.rows ?? 100_000;
  const dir = tempDir('csi-bench-analysis-');
  const sqlite = new SqliteStore(join(dir, 'csi.sqlite'));
  let loadSeconds = 0;
  try {
    loadSeconds = await load('embedded', rows, opts.bodies, concurrentInserts(sqlite, 2000));
  } finally {
    await sqlite.close();
  }
  const sections = questionnaires.population['x-csi-sections'].length;
  const cases = [
    { name: 'Excel (data + codebook sheets)', heap: 'default', path: '/api/v1/surveys/population/export?format=xlsx', file: 'population.xlsx', nodeArgs: [] as string[], expected: rows, count: xlsxRows },
    {
      name: 'Excel (data + codebook sheets)', heap: `old space ${CAPPED_HEAP_MIB} MiB`, path: '/api/v1/surveys/population/export?format=xlsx', file: 'population-capped.xlsx',
      nodeArgs: [`--max-old-space-size=${CAPPED_HEAP_MIB}`], expected: rows, count: xlsxRows,
    },
    { name: 'paradata CSV (response x section)', heap: 'default', path: '/api/v1/surveys/population/paradata', file: 'paradata.csv', nodeArgs: [] as string[], expected: rows * sections, count: csvRows },
  ];
  const results: Array<{ name: string; heap: string; expected: number; rows: number; m: Measure }> = [];
  for (const c of cases) {
    process.stdout.write(`  ${c.name}, ${c.heap} heap: `);
    const m = await measure(dir, c.path, join(dir, c.file), c.nodeArgs);
    const counted = m.failure ? 0 : await c.count(join(dir, c.file));
    if (!m.failure && counted !== c.expected) m.failure = `${num(counted)} of ${num(c.expected)} rows`;
    console.log(`${m.failure ? `FAILED (${m.failure}), ` : ''}${num(counted)} rows, ${num(m.bytes / MiB, 1)} MiB in ${m.seconds.toFixed(1)} s; RSS ${num(m.rssBefore / MiB)} → peak ${num(m.peak / MiB)} MiB`);
    results.push({ name: c.name, heap: c.heap, expected: c.expected, rows: counted, m });
  }
  const [full, capped, paradata] = results;
  const xml = full && !full.m.failure ? await sheetXmlBytes(join(dir, cases[0]!.file)) : NaN;
  const notes = [
    `${num(rows)} population responses loaded straight into the embedded store (as the CSV export bench loads them) in ${loadSeconds.toFixed(0)} s. ` +
    `The body is written to a file as it arrives; RSS is the server process's (VmRSS), sampled every 50 ms; "before" is after one small ` +
    `request and a second idle. Rows are counted afterwards from the files.`,
    '',
  ];
  const profile = (m: Measure) => `highest RSS per tenth of the bytes, MiB: ${m.deciles.map((r) => num(r / MiB)).join(', ')}`;
  if (full && capped) {
    const xmlNote = `${num(full.m.bytes / MiB)} MiB zipped, a data sheet of ${num(xml / MiB)} MiB of XML; strings are written inline, with no shared-strings table`;
    notes.push(
      `- Excel, default heap: ${profile(full.m)}. ${isFlat(full.m) ? 'Flat' : 'NOT flat'} (last tenth within ${num(FLAT_SLACK / MiB)} MiB of the second: ` +
      `${isFlat(full.m) ? 'yes' : 'no'}); ${xmlNote}. exceljs's streaming writer costs about ${num((full.m.seconds / full.rows) * 1e6)} µs per row of ` +
      `${num(exportColumns('population').length)} cells.`,
      capped.m.failure
        ? `- Excel with V8's old generation capped at ${CAPPED_HEAP_MIB} MiB: FAILED (${capped.m.failure}).`
        : `- Excel with V8's old generation capped at ${CAPPED_HEAP_MIB} MiB (\`--max-old-space-size=${CAPPED_HEAP_MIB}\`): all ${num(capped.rows)} rows in ` +
          `${capped.m.seconds.toFixed(1)} s, peak RSS ${num(capped.m.peak / MiB)} MiB, ${profile(capped.m)}; ${isFlat(capped.m) ? 'flat' : 'NOT flat'}. ` +
          `The cap bounds the JavaScript heap only; buffers (the zip's backlog) live outside it, which is why flatness is judged on RSS along the export.`,
    );
  }
  if (paradata) {
    notes.push(`- Paradata: ${num(paradata.rows)} rows (${num(rows)} responses x ${sections} timed sections), peak RSS ${num(paradata.m.peak / MiB)} MiB, ` +
      `${(paradata.m.peak / paradata.m.rssBefore).toFixed(2)} x the ${num(paradata.m.rssBefore / MiB)} MiB before; ${profile(paradata.m)}; ${isFlat(paradata.m) ? 'flat' : 'NOT flat'}.`);
  }
  return {
    title: 'Analysis exports: 100,000 population responses as Excel and as paradata CSV, streamed',
    columns: [
      { name: 'Export', align: 'left' }, { name: 'server heap', align: 'left' }, { name: 'rows' }, { name: 'MiB' }, { name: 's' }, { name: 'rows/s' },
      { name: 'RSS before, MiB' }, { name: 'peak RSS, MiB' }, { name: 'peak × before' },
    ],
    rows: results.map(({ name, heap, rows: counted, m }) => [
      name, heap, m.failure ? `${num(counted)} (${m.failure})` : num(counted), num(m.bytes / MiB, 1), num(m.seconds, 1), num(counted / m.seconds),
      num(m.rssBefore / MiB), num(m.peak / MiB), num(m.peak / m.rssBefore, 2),
    ]),
    notes,
  };
}
