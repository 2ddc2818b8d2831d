/**
 * The analysis dataset over the API, in its own process (`tsx bench/analysis-dataset.worker.ts`), on the embedded
 * store: 100,000 population (with 1,000 organisational and 100 expert) responses, and a second store of 1,000.
 * Prints one JSON line of timings (ms). What is timed, in this order:
 *
 * - a plain read: every population response streamed from the store (and parsed), nothing else;
 * - the engine's own time on those responses in memory: coded columns, raking to the shipped margins and the
 *   20 items x 5 breakdowns the service computes (one `tallyItem` per item and breakdown), and the indicator matrix
 *   weighted on its raked design;
 * - over HTTP, a fresh app each: the five tallies requests (one per breakdown, 20 items each) cold, again with no
 *   new data, and after one submission through the API; the same for the weighted indicator matrix;
 * - quota status at 1,000 and at 100,000 stored responses, same plan: median of 50 requests each.
 *
 * Responses are written straight into the store (distinct ids, drawn from a pool of generated answers, received
 * over the two days before the run), as an import would; the quota plan is set before they are, so they hold no
 * slots, and 100 submissions through the API then claim slots in both stores.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { deriveVariables } from '../schemas/derived.js';
import { SyntheticGenerator } from '../schemas/synthetic.js';
import { questionnaireVersion, type SurveyId } from '../schemas/surveys.js';
import { buildApp } from '../server/app.js';
import { listen } from './api-client.js';
import { computeMatrix } from '../server/domain/indicators/compute.js';
import { KAZAKHSTAN_SECONDARY } from '../server/domain/indicators/secondary.js';
import { regionOf } from '../schemas/survey-definition.js';
import type { StoredResponse } from '../server/domain/response.js';
import { ColumnsBuilder } from '../server/domain/weighting/columns.js';
import { KAZAKHSTAN_2009_MARGINS, rakingMargins } from '../server/domain/weighting/margins.js';
import { designFor } from '../server/domain/weighting/design.js';
import { breakdownOf, tallyItem } from '../server/domain/weighting/tally.js';
import { hashPassword } from '../server/services/passwords.js';
import { breakdownsOf, tallyItemsOf } from '../server/services/tallies.service.js';
import { SqliteStore } from '../server/store/embedded/sqlite.store.js';
import { BREAKDOWNS, TALLY_ITEMS } from './tallies.spec.js';

const LARGE = Number(process.argv[2] ?? 100_000);
const SMALL = 1_000;
const POOL = 2_000;
const STATUS_RUNS = 50;
const START = Date.now() - 2 * 24 * 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'csi-dataset-bench-'));
const ms = (start: number) => performance.now() - start;

function pool(survey: SurveyId, size: number, seed: number) {
  const gen = new SyntheticGenerator(survey, { seed });
  return Array.from({ length: size }, () => gen.nextSubmission());
}

/** `count` responses of a survey written straight into the store, in batches that share one commit. */
async function load(store: SqliteStore, survey: SurveyId, count: number, seed: number): Promise<void> {
  const submissions = pool(survey, Math.min(POOL, count), seed);
  for (let start = 0; start < count; start += 2_000) {
    const batch: Array<Promise<unknown>> = [];
    for (let i = start; i < Math.min(count, start + 2_000); i += 1) {
      const s = submissions[i % submissions.length] as (typeof submissions)[number];
      const at = new Date(START + i * 1_000).toISOString();
      const response: StoredResponse = {
        id: randomUUID(), survey, questionnaireVersion: questionnaireVersion(survey), status: 'submitted', answers: s.answers,
        derived: deriveVariables(survey, s.answers), meta: s.meta, region: regionOf(survey, s.answers), interviewer: 'ainur', receivedAt: at, updatedAt: at,
        submissionHash: randomUUID(), revision: 1, revisions: [{ revision: 1, at, actor: 'ainur', action: 'created', status: 'submitted' }],
      };
      batch.push(store.insertResponse(response));
    }
    await Promise.all(batch);
  }
}

async function users(store: SqliteStore) {
  const { accounts } = buildApp({ store, logger: pino({ level: 'silent' }) });
  const hash = await hashPassword('correct horse battery staple');
  const tokens: Record<string, string> = {};
  for (const [username, role] of [['ainur', 'interviewer'], ['analyst', 'analyst'], ['coord', 'coordinator']] as const) {
    const now = new Date().toISOString();
    await store.insertUser({ id: randomUUID(), username, role, regions: [], passwordHash: hash, disabled: false, mustChangePassword: false, createdAt: now, updatedAt: now });
    tokens[username] = (await accounts.createApiToken({ username, name: 'bench' }, 'bench')).token;
  }
  return tokens;
}

/** A fresh app (an empty dataset) on the store, listening on a free port; `call` times one request. */
async function serve(store: SqliteStore, tokens: Record<string, string>) {
  const { app } = buildApp({ store, logger: pino({ level: 'silent' }), limits: { writesPerMinute: 1_000_000 } });
  return listen(app, tokens);
}

const tallyPaths = BREAKDOWNS.map((by) => `/surveys/population/tallies?items=${TALLY_ITEMS.join(',')}&by=${by}`);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return ms(start);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const large = new SqliteStore(join(dir, 'large.sqlite'));
const small = new SqliteStore(join(dir, 'small.sqlite'));
const gen = new SyntheticGenerator('population', { seed: 99 });
const plan = { policy: 'flag', quotas: [{ id: 'region_gender', variables: ['ps_region', 'ps_gender'], cells: ['akmola', 'aktobe', 'almaty_oblast', 'atyrau', 'east_kazakhstan', 'zhambyl', 'karaganda', 'kostanay', 'kyzylorda', 'mangystau', 'north_kazakhstan', 'pavlodar', 'south_kazakhstan', 'west_kazakhstan', 'almaty_city', 'astana_city'].flatMap((r) => ['male', 'female'].map((g) => ({ categories: { ps_region: r, ps_gender: g }, target: 50 }))) }] };

try {
  const t0 = performance.now();
  const tokens = { large: await users(large), small: await users(small) };
  for (const [store, t] of [[large, tokens.large], [small, tokens.small]] as const) {
    const { call, close } = await serve(store, t);
    await call('coord', '/surveys/population/quotas', { method: 'PUT', body: JSON.stringify(plan) });
    await close();
  }
  await load(large, 'population', LARGE, 2024);
  await load(large, 'organisational', 1_000, 2025);
  await load(large, 'external', 100, 2026);
  await load(small, 'population', SMALL, 2024);
  const loadMs = ms(t0);

  // A plain read, then the engine on what it read.
  let start = performance.now();
  const population: StoredResponse[] = [];
  for await (const r of large.streamResponses({ survey: 'population' })) population.push(r);
  const plainReadMs = ms(start);
  const others: Record<string, StoredResponse[]> = { organisational: [], external: [] };
  for (const survey of ['organisational', 'external'] as const) for await (const r of large.streamResponses({ survey })) others[survey]?.push(r);

  start = performance.now();
  const items = tallyItemsOf('population', TALLY_ITEMS);
  const by = breakdownsOf('population', BREAKDOWNS);
  const builder = new ColumnsBuilder({ margins: KAZAKHSTAN_2009_MARGINS.variables, by, items });
  for (const r of population) builder.add(r, r.id);
  const columns = builder.done();
  const design = designFor(columns.n, rakingMargins(KAZAKHSTAN_2009_MARGINS, []), columns.margins, { tolerance: 1e-10 });
  for (const [k, b] of by.entries()) {
    const breakdown = breakdownOf([b.variable], [columns.by[k] as (typeof columns.by)[number]]);
    for (const item of columns.items) tallyItem(design, item, breakdown, { minCell: 30, ci: 'logit' });
  }
  const tallyEngineMs = ms(start);

  start = performance.now();
  const weightBuilder = new ColumnsBuilder({ margins: KAZAKHSTAN_2009_MARGINS.variables, by: [], items: [] });
  for (const r of population) weightBuilder.add(r, r.id);
  const weightColumns = weightBuilder.done();
  const indicatorDesign = designFor(weightColumns.n, rakingMargins(KAZAKHSTAN_2009_MARGINS, []), weightColumns.margins, { tolerance: 1e-10 });
  computeMatrix({ responses: { population, organisational: others.organisational ?? [], external: others.external ?? [] }, secondary: KAZAKHSTAN_SECONDARY },
    { design: indicatorDesign });
  const indicatorEngineMs = ms(start);
  population.length = 0;

  const submit = (call: Awaited<ReturnType<typeof serve>>['call']) => call('ainur', '/surveys/population/responses', { method: 'POST', body: JSON.stringify(gen.nextSubmission()) });

  // Tallies over HTTP: five requests (one per breakdown) make one "request" of 20 items x 5 breakdowns.
  let app = await serve(large, tokens.large);
  const tallies = async () => { for (const path of tallyPaths) await app.call('analyst', path); };
  const talliesColdMs = await timed(tallies);
  const talliesRepeatMs = median([await timed(tallies), await timed(tallies), await timed(tallies)]);
  await submit(app.call);
  const talliesAfterWriteMs = await timed(tallies);
  await app.close();

  app = await serve(large, tokens.large);
  const indicators = () => app.call('analyst', '/indicators?weighted=true');
  const indicatorsColdMs = await timed(indicators);
  const indicatorsRepeatMs = median([await timed(indicators), await timed(indicators), await timed(indicators)]);
  await submit(app.call);
  const indicatorsAfterWriteMs = await timed(indicators);
  await app.close();

  // Quota status, same plan, 100 submissions through the API claiming slots in each store.
  const status: Record<string, number> = {};
  for (const [name, store, t] of [['small', small, tokens.small], ['large', large, tokens.large]] as const) {
    const served = await serve(store, t);
    for (let i = 0; i < 100; i += 1) await submit(served.call);
    for (let i = 0; i < 5; i += 1) await served.call('ainur', '/surveys/population/quotas/status');
    const runs: number[] = [];
    for (let i = 0; i < STATUS_RUNS; i += 1) runs.push(await timed(() => served.call('ainur', '/surveys/population/quotas/status')));
    status[name] = median(runs);
    await served.close();
  }
  console.log(JSON.stringify({
    large: LARGE, small: SMALL, loadMs, plainReadMs, tallyEngineMs, indicatorEngineMs, talliesColdMs, talliesRepeatMs, talliesAfterWriteMs,
    indicatorsColdMs, indicatorsRepeatMs, indicatorsAfterWriteMs, statusSmallMs: status.small, statusLargeMs: status.large,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
} finally {
  await large.close();
  await small.close();
  rmSync(dir, { recursive: true, force: true });
}
