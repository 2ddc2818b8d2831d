/**
 * Ingestion: POST /api/v1/surveys/population/responses under autocannon (64 connections), every request a distinct
 * synthetic population submission, on both stores. The app (server/main.ts) and a bare baseline
 * (bench/baseline-server.ts: Express + express.json() + the same store insert, no validation) each run in a child
 * process on a fresh store of the same kind, so the load generator never shares their event loop.
 * On the embedded store a third server sits between them: the baseline plus issue 3's own checks (validation,
 * derived variables, content hash), so the table shows what the checks cost and what access control adds.
 * Target: app throughput at least 0.8 × the baseline's, p99 under 50 ms.
 */
import autocannon from 'autocannon';
import { BodySupply } from './bodies.js';
import { cpuByPart, PARTS } from './cpu-profile.js';
import { authHeaders, cpuMillisOf, mongoLabel, sharedMongo, startServer, tempDir, type StoreEnv } from './processes.js';
import { markdownTable, num, type BenchSection } from './report.js';

export interface IngestionOptions {
  /** Pre-generated submissions (JSON); each server gets them from the start, on a fresh store. */
  bodies: readonly string[];
  connections?: number;
  /** Measured rounds per server, alternating baseline and app so both see the same background load. */
  rounds?: number;
  roundSeconds?: number;
  warmupSeconds?: number;
}

interface Round {
  /** Server CPU time over the round (null where unknown). */
  cpuMs: number | null;
  ok: number;
  seconds: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
}

interface Measure {
  reqPerSec: number;
  /** Server CPU time per successful request, ms. */
  cpuPerRequest: number;
  /** Median of the rounds' p50. */
  p50: number;
  /** Highest of the rounds' p99 (the p99 of all requests together is at most this). */
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  statuses: string;
  perRound: number[];
  /** Requests that got a pool body again under a new id (the run outlasted the pool). */
  reused: number;
}

const PATH = '/api/v1/surveys/population/responses';
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 50;

interface Target {
  url: string;
  headers: Record<string, string>;
  pid: number;
}

async function drive(target: Target, supply: BodySupply, connections: number, seconds: number): Promise<Round> {
  const cpuBefore = cpuMillisOf(target.pid);
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    requests: [{ method: 'POST', path: PATH, setupRequest: (req) => ({ ...req, body: supply.take() }) }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) if (!code.startsWith('2')) statuses[code] = stat.count ?? 0;
  const cpuAfter = cpuMillisOf(target.pid);
  return {
    cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    ok: result['2xx'],
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses,
  };
}

function combine(rounds: Round[], supply: BodySupply): Measure {
  const sum = (f: (r: Round) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const p50s = rounds.map((r) => r.p50).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const notes = Object.entries(statuses).map(([code, n]) => `${code}×${n}`);
  const cpu = rounds.every((r) => r.cpuMs !== null) ? sum((r) => r.cpuMs ?? 0) / sum((r) => r.ok) : NaN;
  return {
    reqPerSec: sum((r) => r.ok) / sum((r) => r.seconds),
    cpuPerRequest: cpu,
    p50: p50s[Math.floor(p50s.length / 2)] ?? NaN,
    p99: Math.max(...rounds.map((r) => r.p99)),
    requests: sum((r) => r.ok + r.non2xx),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    statuses: notes.join(', '),
    perRound: rounds.map((r) => r.ok / r.seconds),
    reused: supply.reused,
  };
}

const describe = (r: Round) => `${num(r.ok / r.seconds)} req/s, p50 ${num(r.p50, 1)}, p99 ${num(r.p99, 1)} ms` +
  `${r.cpuMs === null || r.ok === 0 ? '' : `, server CPU ${num(r.cpuMs / r.ok, 2)} ms/request`}${r.non2xx + r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`;

interface TargetSpec {
  name: 'baseline' | 'checks' | 'app';
  script: string;
  env?: Record<string, string>;
}

const BASELINE: TargetSpec = { name: 'baseline', script: 'bench/baseline-server.ts' };
const CHECKS: TargetSpec = { name: 'checks', script: 'bench/baseline-server.ts', env: { BASELINE_CHECKS: '1' } };
const APP: TargetSpec = { name: 'app', script: 'server/main.ts' };

/** Servers on fresh stores of one kind, all running; warm-up each, then measured rounds taking turns. */
async function compare(env: (target: string) => StoreEnv, options: Required<IngestionOptions>, specs: TargetSpec[]): Promise<{ measures: Map<TargetSpec['name'], Measure>; authenticated: boolean }> {
  const targets = specs.map((t) => ({ ...t, rounds: [] as Round[], supply: new BodySupply(options.bodies) }));
  const servers = await Promise.all(targets.map((t) => startServer(t.script, env(t.name), [], t.env)));
  let authenticated = false;
  try {
    // The app may require a bearer token (accounts); the baselines never do.
    const endpoints: Target[] = await Promise.all(servers.map(async (s, i) => ({
      url: s.url,
      pid: s.pid,
      headers: targets[i]?.name === 'app' ? await authHeaders(s.url) : {},
    })));
    authenticated = Object.keys(endpoints[targets.findIndex((t) => t.name === 'app')]?.headers ?? {}).length > 0;
    if (authenticated) console.log('  app requires authentication: requests carry the bench admin\'s bearer token');
    for (const [i, t] of targets.entries()) {
      const w = await drive(endpoints[i] as Target, t.supply, options.connections, options.warmupSeconds);
      console.log(`  ${t.name} warm-up ${options.warmupSeconds} s: ${describe(w)}`);
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const [i, t] of targets.entries()) {
        const r = await drive(endpoints[i] as Target, t.supply, options.connections, options.roundSeconds);
        t.rounds.push(r);
        console.log(`  ${t.name} round ${round}/${options.rounds}, ${options.roundSeconds} s: ${describe(r)}`);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return { measures: new Map(targets.map((t) => [t.name, combine(t.rounds, t.supply)])), authenticated };
}

/**
 * Where the CPU goes: baseline and app once more on fresh embedded stores, each under `node --cpu-prof`, one
 * warm-up and one measured round; the profiles are charged part by part per request (bench/cpu-profile.ts).
 */
async function profileParts(options: Required<IngestionOptions>): Promise<string[]> {
  const columns: Array<Map<string, number>> = [];
  for (const script of ['bench/baseline-server.ts', 'server/main.ts']) {
    const dir = tempDir('csi-bench-profile-');
    const server = await startServer(script, { DATA_DIR: tempDir('csi-bench-profiled-') }, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const supply = new BodySupply(options.bodies);
    let round: Round;
    try {
      const target = { url: server.url, pid: server.pid, headers: script.startsWith('server/') ? await authHeaders(server.url) : {} };
      await drive(target, supply, options.connections, options.warmupSeconds);
      round = await drive(target, supply, options.connections, options.roundSeconds);
    } finally {
      await server.stop();
    }
    columns.push(cpuByPart(dir, round.seconds * 1000, round.ok));
  }
  const [base, app] = columns as [Map<string, number>, Map<string, number>];
  const parts = [...PARTS.map(([part]) => part), 'other'];
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const rows = parts.map((part) => {
    const b = base.get(part) ?? 0;
    const a = app.get(part) ?? 0;
    return [part, num(b), num(a), num(a - b)];
  });
  rows.push(['**all (idle left out)**', num(total(base)), num(total(app)), num(total(app) - total(base))]);
  const extra = parts.map((part) => [part, (app.get(part) ?? 0) - (base.get(part) ?? 0)] as const).sort((x, y) => y[1] - x[1]).slice(0, 4);
  return [
    '',
    `Where the server's CPU goes, µs per request (embedded store; one more warm-up and ${options.roundSeconds} s round per server ` +
    'under `node --cpu-prof`; each sample charged to the nearest frame on its stack that belongs to a part, bench/cpu-profile.ts):',
    '',
    markdownTable({
      columns: [{ name: 'Part', align: 'left' }, { name: 'baseline' }, { name: 'app' }, { name: 'app − baseline' }],
      rows,
    }),
    '',
    `The app's largest extra costs: ${extra.map(([part, us]) => `${part} ${num(us)} µs`).join(', ')}. For the app to reach ` +
    `${TARGET_RATIO} × the baseline's throughput while both are bound by one core, its CPU per request may exceed the ` +
    `baseline's by at most ${num(total(base) * (1 / TARGET_RATIO - 1))} µs (a quarter of it).`,
  ];
}

export async function runIngestionBench(opts: IngestionOptions): Promise<BenchSection> {
  const options: Required<IngestionOptions> = { connections: 64, rounds: 3, roundSeconds: 4, warmupSeconds: 2, ...opts };
  const rows: string[][] = [];
  const notes: string[] = [];
  const mongo = await sharedMongo();
  let anyAuth = false;
  // The middle server (the baseline plus issue 3's own checks) only where the store is cheap enough for the
  // app's own work to decide the ratio: the embedded store.
  const stores: Array<{ name: string; env: (target: string) => StoreEnv; specs: TargetSpec[] }> = [
    { name: 'embedded (SQLite)', env: (target) => ({ DATA_DIR: tempDir(`csi-bench-${target}-`) }), specs: [BASELINE, CHECKS, APP] },
    { name: mongoLabel(mongo), env: (target) => ({ MONGODB_URI: mongo.uri, MONGODB_DB: `csi_bench_${target}_${Date.now()}` }), specs: [BASELINE, APP] },
  ];
  const labels: Record<TargetSpec['name'], string> = {
    baseline: 'baseline: Express + store insert',
    checks: 'baseline + issue 3\'s checks (validation, derived variables, content hash)',
    app: 'app (server/main.ts)',
  };
  for (const store of stores) {
    console.log(` ${store.name}`);
    const { measures, authenticated } = await compare(store.env, options, store.specs);
    if (authenticated) anyAuth = true;
    const base = measures.get('baseline') as Measure;
    const app = measures.get('app') as Measure;
    const checks = measures.get('checks');
    const ratio = app.reqPerSec / base.reqPerSec;
    for (const [name, m] of measures) {
      rows.push([
        store.name, labels[name], num(m.reqPerSec), num(m.p50, 1), num(m.p99, 1), num(m.cpuPerRequest, 2), num(m.requests),
        `${m.non2xx + m.errors}${m.statuses ? ` (${m.statuses})` : ''}`, num(m.reqPerSec / base.reqPerSec, 2),
      ]);
    }
    if (checks) {
      notes.push(
        `- ${store.name}: issue 3's own checks alone (validation, derived variables, canonical content hash, with the app's code) ` +
        `bring the bare insert to ${(checks.reqPerSec / base.reqPerSec).toFixed(2)} × its throughput ` +
        `(${(checks.cpuPerRequest / base.cpuPerRequest).toFixed(2)} × its CPU per request), p99 ${checks.p99.toFixed(1)} ms; ` +
        `the app's further drop to ${ratio.toFixed(2)} × is access control, rate limit, audit, request ids and security headers (issue 4).`,
      );
    }
    for (const [name, m] of measures) {
      if (m.reused > 0) {
        notes.push(`- ${store.name}, ${name}: the run outlasted the ${num(options.bodies.length)} pre-generated submissions; ` +
          `${num(m.reused)} requests sent one again under a new id (same answers).`);
      }
    }
    const ratioMet = ratio >= TARGET_RATIO;
    const p99Met = app.p99 < TARGET_P99_MS;
    const perRound = app.perRound.map((a, i) => (a / (base.perRound[i] ?? NaN)).toFixed(2)).join(', ');
    notes.push(
      `- ${store.name}: app at ${ratio.toFixed(2)} × baseline (target ≥ ${TARGET_RATIO}: ${ratioMet ? 'met' : 'NOT met'}; ` +
      `round by round ${perRound}), p99 ${app.p99.toFixed(1)} ms (target < ${TARGET_P99_MS} ms: ${p99Met ? 'met' : 'NOT met'}). ` +
      `${Number.isFinite(app.cpuPerRequest) ? `The app spends ${(app.cpuPerRequest / base.cpuPerRequest).toFixed(1)} × the baseline's server CPU per request. ` : ''}` +
      `Closed loop: with ${options.connections} connections always waiting, mean latency ≈ connections ÷ throughput = ` +
      `${(1000 * options.connections / app.reqPerSec).toFixed(0)} ms for the app, ${(1000 * options.connections / base.reqPerSec).toFixed(0)} ms for the baseline.`,
    );
  }
  notes.push(...await profileParts(options));
  notes.push(
    '',
    `A p99 under ${TARGET_P99_MS} ms with ${options.connections} connections needs more than ` +
    `${num(options.connections / (TARGET_P99_MS / 1000))} requests/s (Little's law), whatever the validation costs.`,
  );
  notes.unshift(
    `Each server runs in its own process on a fresh store of the same kind; autocannon (${options.connections} ` +
    `connections) runs in the benchmark process: ${options.warmupSeconds} s warm-up each, then ${options.rounds} rounds of ` +
    `${options.roundSeconds} s in which the servers take turns, so all see the same background load. Every request is a distinct ` +
    `pre-generated synthetic population submission. Requests/s counts 2xx responses only; p50 is the median of the rounds' p50, ` +
    `p99 the highest round's p99; server CPU is the server process's user + system time over the rounds per 2xx response ` +
    `(less sensitive to other load on the machine than throughput); errors are non-2xx responses plus connection errors ` +
    `and timeouts. The baseline answers 201 ` +
    `with the same receipt but skips validation, derived variables, the content hash and request logging` +
    `${anyAuth ? '; the app requires a bearer token (access control), so its requests carry one of the first admin, and it ' +
      'authenticates, rate-limits and audits every request, which the baseline does not' : ''}.`,
    '',
  );
  return {
    title: `Ingestion: POST a population response, ${options.connections} connections`,
    columns: [
      { name: 'Store', align: 'left' }, { name: 'Server', align: 'left' }, { name: 'requests/s' }, { name: 'p50 ms' },
      { name: 'p99 ms' }, { name: 'server CPU ms/request' }, { name: 'requests' }, { name: 'errors' }, { name: '× baseline' },
    ],
    rows,
    notes,
  };
}
