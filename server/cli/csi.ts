/**
 * The `csi` command line: import, export and seed, on the store the configuration selects (MONGODB_URI, else the
 * embedded file in DATA_DIR), through the same services as the API.
 *
 *   csi import <survey> <file.csv|file.ndjson>   keyed-in paper questionnaires; idempotent; error report beside the file
 *   csi export <survey> [--format csv|ndjson|xlsx] [--labels codes|en|ru|kk] [--lang en|ru|kk] [--bom] [--status S] [--out FILE]
 *   csi export <survey> --paradata [--format csv|xlsx] [--lang en|ru|kk] [--bom] [--status S] [--out FILE]
 *   csi seed <survey> [--count N] [--seed S]      synthetic demo data through the ingestion path
 *   csi tallies <survey> --items a,b [--by v1[,v2]] [--unweighted] [--trim lo,hi] [--min-cell N] [--format table|csv|json]
 *   csi indicators [--format table|csv|json] [--lang en|ru|kk] [--weighted] [--by ps_region|ps_age_band|ps_ethnicity]
 *   csi users add <username> --role R [--regions a,b] [--password P]   (password read from CSI_NEW_PASSWORD or generated)
 *   csi users list | csi users disable <username>
 *   csi tokens create <username> --name N [--days D] | csi tokens revoke <token-id>
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { isSurveyId, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { loadConfig } from '../config.js';
import { systemActor } from '../domain/actor.js';
import { isProblem } from '../domain/problems.js';
import { AccountsService } from '../services/accounts.service.js';
import { auditTrail } from '../services/audit.service.js';
import { generatePassword } from '../services/passwords.js';
import { ExportService } from '../services/export.service.js';
import { FieldworkEvents } from '../services/fieldwork-events.js';
import { importFile, type ImportReport } from '../services/import.service.js';
import { ParadataService } from '../services/paradata.service.js';
import { QuotasService } from '../services/quotas.service.js';
import { ResponsesService } from '../services/responses.service.js';
import { talliesCsv, TalliesService, type TalliesReport } from '../services/tallies.service.js';
import { compileAllValidators } from '../services/validation.js';
import { WeightingService } from '../services/weighting.service.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.port.js';
import { INDICATORS_USAGE, runIndicators } from './indicators.cli.js';
import { renderTable } from './table.js';

const USAGE = `usage:
  csi import <survey> <file.csv|file.ndjson>
  csi export <survey> [--format csv|ndjson|xlsx] [--labels codes|en|ru|kk] [--lang en|ru|kk] [--bom] [--status STATUS] [--out FILE]
  csi export <survey> --paradata [--format csv|xlsx] [--lang en|ru|kk] [--bom] [--status STATUS] [--out FILE]
  csi seed <survey> [--count N] [--seed S]
  csi tallies <survey> --items ITEM[,ITEM...] [--by VAR[,VAR]] [--unweighted] [--trim LO,HI] [--min-cell N] [--format table|csv|json]
  ${INDICATORS_USAGE}
  csi users add <username> --role interviewer|coordinator|analyst|admin [--regions r1,r2] [--password P]
  csi users list
  csi users disable <username>
  csi tokens create <username> --name NAME [--days D]
  csi tokens revoke <token-id>
surveys: population, organisational, external`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function surveyArg(value: string | undefined): SurveyId {
  if (!isSurveyId(value)) fail(`unknown survey "${value ?? ''}"\n${USAGE}`);
  return value;
}

function progress(label: string, total: number): SingleBar {
  const bar = new SingleBar({ format: `${label} {bar} {value}/{total} | {eta_formatted} left | {status}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { status: '' });
  return bar;
}

async function countLines(file: string): Promise<number> {
  const { createReadStream } = await import('node:fs');
  let lines = 0;
  for await (const chunk of createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  return lines;
}

function writeErrorReport(file: string, report: ImportReport): string | null {
  if (report.failed.length === 0) return null;
  const rows = report.failed.flatMap((f) => (f.errors.length > 0 ? f.errors : [{ path: '', item: null, keyword: f.code, message: f.message }]).map((e) => ({
    line: f.line, id: f.id ?? '', code: f.code, path: e.path, item: e.item ?? '', keyword: e.keyword, message: e.message,
  })));
  const out = `${file}.errors.csv`;
  createWriteStream(out).end(stringify(rows, { header: true, escape_formulas: true }));
  return out;
}

async function runImport(store: Store, survey: SurveyId, file: string | undefined): Promise<number> {
  if (!file) fail(USAGE);
  const service = responsesService(store);
  const bar = progress(`import ${survey}`, Math.max(0, (await countLines(file)) - (/\.csv$/i.test(file) ? 1 : 0)));
  const report = await importFile(service, survey, file, systemActor('import'), (r) => bar.update(r.rows, { status: `${r.imported} new, ${r.alreadyPresent} already there, ${r.failed.length} failed` }));
  bar.stop();
  const errorFile = writeErrorReport(file, report);
  console.log(`${report.rows} rows: ${report.imported} imported, ${report.alreadyPresent} already present, ${report.failed.length} failed`);
  if (errorFile) console.log(`row errors written to ${errorFile}`);
  return report.failed.length > 0 ? 1 : 0;
}

async function runExport(store: Store, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
    format: { type: 'string' }, labels: { type: 'string' }, lang: { type: 'string' }, bom: { type: 'boolean' }, status: { type: 'string' }, out: { type: 'string' },
    paradata: { type: 'boolean' },
  } });
  const query = {
    ...(values.format ? { format: values.format } : {}), ...(values.labels ? { labels: values.labels } : {}), ...(values.lang ? { lang: values.lang } : {}),
    ...(values.bom ? { bom: 'true' } : {}), ...(values.status ? { status: values.status } : {}),
  };
  const validators = compileAllValidators();
  const weighting = new WeightingService(store, validators, auditTrail(store, clock));
  const result = values.paradata
    ? new ParadataService(store, validators).export(survey, query, systemActor('export'))
    : new ExportService(store, validators, (s, a) => weighting.weightsFor(s, a)).export(survey, query, systemActor('export'));
  await pipeline(result.stream, values.out ? createWriteStream(values.out) : process.stdout);
  if (values.out) console.error(`wrote ${values.out}`);
  return 0;
}

async function runSeed(store: Store, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { count: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } } });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) fail('--count must be a positive integer');
  const service = responsesService(store);
  const generator = new SyntheticGenerator(survey, { seed: Number(values.seed) });
  const bar = progress(`seed ${survey}`, count);
  let created = 0;
  for (let i = 0; i < count; i += 1) {
    if ((await service.submit(survey, generator.nextSubmission('seed'), systemActor('seed'))).created) created += 1;
    bar.increment();
  }
  bar.stop();
  console.log(`${count} synthetic ${survey} responses: ${created} new, ${count - created} already present`);
  return 0;
}

async function runTallies(store: Store, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
    items: { type: 'string' }, by: { type: 'string' }, unweighted: { type: 'boolean' }, trim: { type: 'string' }, 'min-cell': { type: 'string' }, format: { type: 'string', default: 'table' },
  } });
  if (!values.items) fail(`--items is required\n${USAGE}`);
  if (!['table', 'csv', 'json'].includes(values.format)) fail('--format must be table, csv or json');
  const validators = compileAllValidators();
  const weighting = new WeightingService(store, validators, auditTrail(store, clock));
  const query = {
    items: values.items, ...(values.by ? { by: values.by } : {}), ...(values.unweighted ? { weighted: 'false' } : {}),
    ...(values.trim ? { trim: values.trim } : {}), ...(values['min-cell'] ? { minCell: values['min-cell'] } : {}),
  };
  const report = await new TalliesService(store, validators, weighting).tallies(survey, query, systemActor('tallies'));
  if (values.format === 'json') console.log(JSON.stringify(report, null, 2));
  else if (values.format === 'csv') process.stdout.write(talliesCsv(report));
  else console.log(talliesTable(report));
  return 0;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '');
const num = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '');

/** Shares as percentages with their 95% CI, means as numbers; small groups marked with an asterisk. */
function talliesTable(report: TalliesReport): string {
  const blocks = report.items.map((tally) => {
    const groups = [{ label: 'all', small: false, est: tally.overall }, ...(tally.by?.groups ?? []).map((g) => ({ label: Object.values(g.values).join(' / '), small: g.small, est: g }))];
    const rows = groups.flatMap(({ label, small, est }) => est.estimates.map((e) => {
      const share = e.category !== null;
      return [`${label}${small ? ' *' : ''}`, e.category ?? 'mean', share ? pct(e.estimate) : num(e.estimate), share ? pct(e.se) : num(e.se, 3),
        share ? `${pct(e.ci95[0])} - ${pct(e.ci95[1])}` : `${num(e.ci95[0])} - ${num(e.ci95[1])}`, e.n, est.base, num(e.deff)];
    }));
    const title = `${tally.item}${tally.by ? ` by ${tally.by.variables.join(' x ')}` : ''}`;
    return `${title}\n${renderTable(['group', 'category', 'estimate', 'se', '95% CI', 'n', 'base', 'deff'], rows)}`;
  });
  const how = report.weighted
    ? `weighted: raked to ${report.margins.map((m) => m.variable).join(', ')} (${report.raking?.converged ? 'converged' : 'NOT converged'} in ${report.raking?.iterations} iterations)`
    : 'unweighted';
  return [`${report.survey}: ${report.respondents} responses, ${how}; * = base under ${report.minCell}`, ...blocks].join('\n\n');
}

const clock = () => new Date();

/** Imported and seeded responses count towards quotas like submissions: they claim their cells (over quota when full). */
function responsesService(store: Store): ResponsesService {
  const validators = compileAllValidators();
  const audit = auditTrail(store, clock);
  const quotas = new QuotasService(store, validators, clock, audit, new WeightingService(store, validators, audit), new FieldworkEvents());
  return new ResponsesService(store, validators, clock, audit, quotas.hooks());
}

function accountsService(store: Store): AccountsService {
  return new AccountsService(store, compileAllValidators(), clock, auditTrail(store, clock));
}

async function runUsers(store: Store, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, regions: { type: 'string' }, password: { type: 'string' } } });
  const [action, username] = positionals;
  const accounts = accountsService(store);
  if (action === 'list') {
    for (const u of await accounts.listUsers()) console.log(`${u.username}\t${u.role}\t${u.regions.join(',') || 'all regions'}\t${u.disabled ? 'disabled' : 'active'}`);
    return 0;
  }
  if (!username) fail(USAGE);
  if (action === 'add') {
    const password = values.password ?? process.env.CSI_NEW_PASSWORD ?? generatePassword();
    const regions = values.regions ? values.regions.split(',').map((r) => r.trim()).filter(Boolean) : [];
    const user = await accounts.createUser({ username, password, role: values.role, ...(regions.length ? { regions } : {}) }, 'cli');
    console.log(`created ${user.username} (${user.role})`);
    if (!values.password && !process.env.CSI_NEW_PASSWORD) console.log(`password (shown once): ${password}`);
    return 0;
  }
  if (action === 'disable') {
    const user = await store.findUserByUsername(username);
    if (!user) fail(`no user ${username}`);
    await accounts.updateUser(user.id, { disabled: true }, systemActor('cli'));
    console.log(`disabled ${username}`);
    return 0;
  }
  fail(USAGE);
}

async function runTokens(store: Store, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' }, days: { type: 'string' } } });
  const [action, subject] = positionals;
  const accounts = accountsService(store);
  if (action === 'create' && subject) {
    const issued = await accounts.createApiToken({ username: subject, name: values.name ?? 'script', ...(values.days ? { expiresInDays: Number(values.days) } : {}) }, 'cli');
    console.log(`token ${issued.id} for ${issued.username}, expires ${issued.expiresAt}`);
    console.log(`secret (shown once): ${issued.token}`);
    return 0;
  }
  if (action === 'revoke' && subject) {
    await accounts.revokeToken(subject, 'cli');
    console.log(`revoked ${subject}`);
    return 0;
  }
  fail(USAGE);
}

async function main(argv: string[]): Promise<number> {
  const [command, survey, ...rest] = argv;
  if (command === 'users' || command === 'tokens') {
    const store = await openStore(loadConfig());
    try {
      return command === 'users' ? await runUsers(store, argv.slice(1)) : await runTokens(store, argv.slice(1));
    } catch (error) {
      if (isProblem(error)) fail(`${error.code} ${error.message} ${JSON.stringify(error.details)}`);
      throw error;
    } finally {
      await store.close();
    }
  }
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const store = await openStore(loadConfig());
  try {
    switch (command) {
      case 'import': return await runImport(store, surveyArg(survey), rest[0]);
      case 'export': return await runExport(store, surveyArg(survey), rest);
      case 'seed': return await runSeed(store, surveyArg(survey), rest);
      case 'tallies': return await runTallies(store, surveyArg(survey), rest);
      case 'indicators': return await runIndicators(store, argv.slice(1), fail);
      default: fail(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    if (isProblem(error)) fail(`${error.code} ${error.message} ${JSON.stringify(error.details)}`);
    throw error;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
