/**
 * The `csi` command line: import, export and seed, on the store the configuration selects (MONGODB_URI, else the
 * embedded file in DATA_DIR), through the same services as the API.
 *
 *   csi import <survey> <file.csv|file.ndjson> [--interviewer NAME] [--version V]   keyed-in paper questionnaires, credited to the
 *                                                interviewer the form names (ps_interviewer_id) or NAME; idempotent;
 *                                                error report beside the file, with each bad value
 *   csi export <survey> [--format csv|ndjson|sav|dta|xlsx] [--lang en|ru|kk] [--labels codes|en|ru|kk] [--codes text|numeric] [--headers ids|questions] [--bom] [--status S] [--trim lo,hi] [--out FILE]
 *   csi export <survey> --paradata [--format csv|xlsx] [--lang en|ru|kk] [--bom] [--status S] [--out FILE]
 *   csi seed <survey> [--count N] [--seed S]      synthetic demo data through the ingestion path (and demo social concerns if none are set)
 *   csi tallies <survey> --items a,b [--by v1[,v2]] [--unweighted] [--trim lo,hi] [--ci logit|beta|wald] [--stat share|mean] [--min-cell N]
 *               [--format table|csv|json]
 *   csi indicators [--format table|csv|json] [--lang en|ru|kk] [--weighted] [--by ps_region|ps_age_band|ps_ethnicity]
 *   csi users add <username> --role R [--regions a,b] [--password P]   (password read from CSI_NEW_PASSWORD or generated)
 *   csi users list | disable <username> | enable <username> | reset-password <username> [--password P]
 *   csi tokens list | create <username> --name N [--days D] | revoke <token-id>
 *
 * A problem (a refused input) is printed as its list of errors with the values allowed, and exits 2.
 *   csi backup <file> [--force]     the embedded store, copied consistently while the server runs
 *   csi restore <file> [--force]    a backup into DATA_DIR (the server stopped; an existing store only with --force)
 */
import type { SocialConcerns } from '../../schemas/concerns.js';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { SAFE_CSV_CAST } from '../domain/csv-cells.js';
import { isSurveyId, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { loadConfig } from '../config.js';
import { systemActor } from '../domain/actor.js';
import { isProblem } from '../domain/problems.js';
import { apiSchemas } from '../../schemas/api.js';
import type { ExportParams } from '../services/export.service.js';
import { importFile, type ImportReport } from '../services/import.service.js';
import type { ParadataParams } from '../services/paradata.service.js';
import type { ResponseSelection } from '../services/responses.service.js';
import { createServices, type Services } from '../services/services.js';
import { talliesCsv, type TalliesParams, type TalliesReport } from '../services/tallies.service.js';
import { parseTrim } from '../services/weighting.service.js';
import { activeVersions, currentVersion } from '../../schemas/versions.js';
import { BackupError, backupEmbeddedStore, restoreEmbeddedStore, type CopyProgress, type StoreSummary } from '../store/embedded/backup.js';
import { StoreTooNewError } from '../store/migrations.js';
import { embeddedStoreFile, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.port.js';
import { ACCOUNTS_USAGE, runTokens, runUsers } from './accounts.cli.js';
import { INDICATORS_USAGE, runIndicators } from './indicators.cli.js';
import { choice } from './options.js';
import { problemText } from './problem-text.js';
import { renderTable } from './table.js';

const USAGE = `usage:
  csi import <survey> <file.csv|file.ndjson> [--interviewer NAME] [--version V]
  csi export <survey> [--format csv|ndjson|sav|dta|xlsx] [--lang en|ru|kk] [--labels codes|en|ru|kk] [--codes text|numeric] [--headers ids|questions] [--bom] [--status STATUS] [--trim LO,HI] [--out FILE]
  csi export <survey> --paradata [--format csv|xlsx] [--lang en|ru|kk] [--bom] [--status STATUS] [--out FILE]
  csi seed <survey> [--count N] [--seed S]
  csi tallies <survey> --items ITEM[,ITEM...] [--by VAR[,VAR]] [--unweighted] [--trim LO,HI] [--ci logit|beta|wald] [--stat share|mean]
              [--min-cell N] [--format table|csv|json]
  ${INDICATORS_USAGE}
  ${ACCOUNTS_USAGE}
  csi backup <file> [--force]
  csi restore <file> [--force]
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
  const rows = report.failed.flatMap((f) => (f.errors.length > 0 ? f.errors : [{ path: '', item: null, keyword: f.code, message: f.message, value: '' }]).map((e) => ({
    line: f.line, id: f.id ?? '', code: f.code, path: e.path, item: e.item ?? '', value: e.value, keyword: e.keyword, message: e.message,
  })));
  const out = `${file}.errors.csv`;
  createWriteStream(out).end(stringify(rows, { header: true, cast: SAFE_CSV_CAST }));
  return out;
}

async function runImport({ responses: service }: Services, survey: SurveyId, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { interviewer: { type: 'string' }, version: { type: 'string' } } });
  const [file] = positionals;
  if (!file || positionals.length > 1) fail(USAGE);
  if (values.interviewer !== undefined && values.interviewer.trim() === '') fail('--interviewer needs a name');
  const active = activeVersions(survey);
  if (values.version !== undefined && !active.includes(values.version)) fail(`--version must be a ${survey} questionnaire version accepted for new responses: ${active.join(', ')} (current: ${currentVersion(survey)})`);
  const bar = progress(`import ${survey}`, Math.max(0, (await countLines(file)) - (/\.csv$/i.test(file) ? 1 : 0)));
  const onRow = (r: ImportReport) => bar.update(r.rows, { status: `${r.imported} new, ${r.alreadyPresent} already there, ${r.failed.length} failed` });
  const report = await importFile(service, survey, file, systemActor('import'), onRow, { ...(values.interviewer ? { interviewer: values.interviewer.trim() } : {}), ...(values.version ? { version: values.version } : {}) });
  bar.stop();
  const errorFile = writeErrorReport(file, report);
  console.log(`${report.rows} rows: ${report.imported} imported, ${report.alreadyPresent} already present, ${report.failed.length} failed`);
  if (errorFile) console.log(`row errors written to ${errorFile}`);
  return report.failed.length > 0 ? 1 : 0;
}

async function runExport({ exports, paradata: paradataService, concerns }: Services, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: 'string' }, labels: { type: 'string' }, codes: { type: 'string' }, headers: { type: 'string' }, lang: { type: 'string' },
      bom: { type: 'boolean' }, status: { type: 'string' }, trim: { type: 'string' }, out: { type: 'string' }, paradata: { type: 'boolean' },
    },
  });
  const { paradata } = values;
  const schema = paradata ? apiSchemas.paradataQuery : apiSchemas.exportQuery;
  const selection: ResponseSelection = { ...(values.status ? { status: choice(fail, 'status', values.status, schema) } : {}) };
  const lang = choice<NonNullable<ExportParams['lang']>>(fail, 'lang', values.lang, schema);
  const result = paradata
    ? paradataService.export(survey, {
      ...selection, ...(lang ? { lang } : {}), ...(values.bom ? { bom: true } : {}),
      ...(values.format ? { format: choice<NonNullable<ParadataParams['format']>>(fail, 'format', values.format, schema) } : {}),
    }, systemActor('export'))
    : exports.export(survey, {
      ...selection, ...(lang ? { lang } : {}), ...(values.bom ? { bom: true } : {}),
      ...(values.format ? { format: choice<NonNullable<ExportParams['format']>>(fail, 'format', values.format, schema) } : {}),
      ...(values.labels ? { labels: choice<NonNullable<ExportParams['labels']>>(fail, 'labels', values.labels, schema) } : {}),
      ...(values.codes ? { codes: choice<NonNullable<ExportParams['codes']>>(fail, 'codes', values.codes, schema) } : {}),
      ...(values.headers ? { headers: choice<NonNullable<ExportParams['headers']>>(fail, 'headers', values.headers, schema) } : {}),
      ...(values.trim ? { trim: parseTrim(values.trim) } : {}),
    }, systemActor('export'), (await concerns.current()).concerns);
  await result.ready;
  await pipeline(result.stream, values.out ? createWriteStream(values.out) : process.stdout);
  if (values.out) console.error(`wrote ${values.out}`);
  return 0;
}

/** Demo social concerns, so a seeded study's impact questions name real ones (never replacing a team's own). */
const DEMO_CONCERNS: SocialConcerns = {
  concern1: { kk: 'кедейлік', ru: 'бедность', en: 'poverty' },
  concern2: { kk: 'жұмыссыздық', ru: 'безработица', en: 'unemployment' },
};

async function runSeed({ responses: service, concerns }: Services, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { count: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } } });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) fail('--count must be a positive integer');
  const generator = new SyntheticGenerator(survey, { seed: Number(values.seed) });
  const bar = progress(`seed ${survey}`, count);
  let created = 0;
  for (let i = 0; i < count; i += 1) {
    if ((await service.submit(survey, generator.nextSubmission('seed'), systemActor('seed'))).created) created += 1;
    bar.increment();
  }
  bar.stop();
  console.log(`${count} synthetic ${survey} responses: ${created} new, ${count - created} already present`);
  if (survey !== 'population' && (await concerns.current()).concerns === null) {
    await concerns.put(DEMO_CONCERNS, systemActor('seed'));
    console.log(`demo social concerns set: ${DEMO_CONCERNS.concern1.en}, ${DEMO_CONCERNS.concern2.en}`);
  }
  return 0;
}

async function runTallies({ tallies }: Services, survey: SurveyId, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
    items: { type: 'string' }, by: { type: 'string' }, unweighted: { type: 'boolean' }, trim: { type: 'string' }, ci: { type: 'string' }, stat: { type: 'string' },
    'min-cell': { type: 'string' }, format: { type: 'string', default: 'table' },
  } });
  if (!values.items) fail(`--items is required\n${USAGE}`);
  if (!['table', 'csv', 'json'].includes(values.format)) fail('--format must be table, csv or json');
  const schema = apiSchemas.talliesQuery;
  const ci = choice<NonNullable<TalliesParams['ci']>>(fail, 'ci', values.ci, schema);
  const stat = choice<NonNullable<TalliesParams['stat']>>(fail, 'stat', values.stat, schema);
  const minCell = values['min-cell'] === undefined ? undefined : Number(values['min-cell']);
  if (minCell !== undefined && !(Number.isInteger(minCell) && minCell >= 0)) fail('--min-cell must be a whole number, 0 or more');
  const params: TalliesParams = {
    items: values.items.split(','), ...(values.by ? { by: values.by.split(',') } : {}), ...(values.unweighted ? { weighted: false } : {}),
    ...(values.trim ? { trim: parseTrim(values.trim) } : {}), ...(ci ? { ci } : {}), ...(stat ? { stat } : {}), ...(minCell !== undefined ? { minCell } : {}),
  };
  const report = await tallies.tallies(survey, params, systemActor('tallies'));
  if (values.format === 'json') console.log(JSON.stringify(report, null, 2));
  else if (values.format === 'csv') process.stdout.write(talliesCsv(report));
  else console.log(talliesTable(report));
  return 0;
}

const pct = (x: number | null) => (x !== null && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
const num = (x: number | null, digits = 2) => (x !== null && Number.isFinite(x) ? x.toFixed(digits) : '-');

/**
 * Shares as percentages with their 95% CI (logit unless asked otherwise), means as numbers with their Wald CI;
 * design effects as svymean(deff = "replace"); small groups (and an overall base under the threshold) starred.
 */
function talliesTable(report: TalliesReport): string {
  const blocks = report.items.map((tally) => {
    const groups = [{ label: 'all', small: tally.overall.small, est: tally.overall }, ...(tally.by?.groups ?? []).map((g) => ({ label: Object.values(g.values).join(' / '), small: g.small, est: g }))];
    const rows = groups.flatMap(({ label, small, est }) => est.estimates.map((e) => {
      const share = e.category !== null;
      const show = (x: number | null) => (share ? pct(x) : num(x));
      return [`${label}${small ? ' *' : ''}`, e.category ?? 'mean', show(e.estimate), share ? pct(e.se) : num(e.se, 3),
        e.ci95 ? `${show(e.ci95[0])} - ${show(e.ci95[1])}` : '-', e.n, est.base, num(e.deff)];
    }));
    const title = `${tally.item}${tally.stat === 'mean' ? ' (mean)' : ''}${tally.by ? ` by ${tally.by.variables.join(' x ')}` : ''} · Kish effective n ${num(tally.overall.kishEffectiveN, 0)}`;
    return `${title}\n${renderTable(['group', 'category', 'estimate', 'se', '95% CI', 'n', 'base', 'deff'], rows)}`;
  });
  const trim = report.raking?.trimming;
  const how = report.weighted
    ? `weighted: raked to ${report.margins.map((m) => m.variable).join(', ')} (${report.raking?.converged ? 'converged' : 'NOT converged'} in ${report.raking?.iterations} iterations, largest margin gap ${(report.raking?.maxMarginError ?? NaN).toExponential(1)})` +
      (trim ? `; weights within ${trim.lower}-${trim.upper} x the mean (${trim.atLower} at the lower bound, ${trim.atUpper} at the upper; untrimmed ${num(trim.untrimmedRange[0], 3)}-${num(trim.untrimmedRange[1], 3)})` : '')
    : 'unweighted';
  const intervals = `95% CI of shares: ${report.ci}${report.ci === 'beta' ? ' (Korn-Graubard)' : ''}; of means: wald`;
  return [`${report.survey}: ${report.respondents} responses, ${how}; ${intervals}; * = base under ${report.minCell}`, ...blocks].join('\n\n');
}


const MONGODB_BACKUP_ADVICE = `This installation uses MongoDB (MONGODB_URI is set): csi backup and restore copy only the embedded store.
Back up MongoDB with its own tools, e.g.
  mongodump --uri="$MONGODB_URI" --db="\${MONGODB_DB:-csi}" --gzip --archive=csi-$(date +%F).archive.gz
  mongorestore --uri="$MONGODB_URI" --gzip --archive=csi-2026-01-31.archive.gz --drop
(see "Backups" in README.md for what to keep).`;

function pagesBar(label: string): { update: (p: CopyProgress) => void; stop: () => void } {
  let bar: SingleBar | null = null;
  return {
    update: ({ copiedPages, totalPages, pageSize }) => {
      bar ??= progress(`${label} (pages)`, totalPages);
      bar.setTotal(totalPages);
      bar.update(copiedPages, { status: `${((copiedPages * pageSize) / 1_048_576).toFixed(1)} of ${((totalPages * pageSize) / 1_048_576).toFixed(1)} MiB` });
    },
    stop: () => bar?.stop(),
  };
}

const describeStore = (s: StoreSummary) =>
  `${s.responses} responses, ${s.users} users, ${s.auditEntries} audit entries; schema version ${s.schemaVersion}; ${(s.bytes / 1_048_576).toFixed(1)} MiB`;

/** Backup and restore work on the file itself, not through the store port: the server may hold the store open. */
async function runBackupOrRestore(command: 'backup' | 'restore', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  const [file] = positionals;
  if (!file || positionals.length > 1) fail(USAGE);
  const config = loadConfig();
  if (config.mongodbUri) fail(MONGODB_BACKUP_ADVICE);
  const storeFile = embeddedStoreFile(config.dataDir);
  const bar = pagesBar(command);
  try {
    const options = { force: values.force ?? false, onProgress: bar.update };
    if (command === 'backup') {
      const summary = await backupEmbeddedStore(storeFile, resolve(file), options);
      bar.stop();
      console.log(`backed up ${storeFile} to ${resolve(file)}: ${describeStore(summary)}`);
    } else {
      const summary = await restoreEmbeddedStore(resolve(file), storeFile, options);
      bar.stop();
      console.log(`restored ${resolve(file)} as ${storeFile}: ${describeStore(summary)}`);
      console.log('Start the server: it brings the store up to date if the backup came from an older release.');
    }
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof BackupError) fail(error.message);
    throw error;
  }
}

async function openConfiguredStore(): Promise<Store> {
  try {
    return await openStore(loadConfig());
  } catch (error) {
    if (error instanceof StoreTooNewError) fail(error.message);
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, survey, ...rest] = argv;
  if (command === 'backup' || command === 'restore') return runBackupOrRestore(command, argv.slice(1));
  if (command === 'users' || command === 'tokens') {
    const store = await openConfiguredStore();
    try {
      const services = createServices({ store });
      return command === 'users' ? await runUsers(services, argv.slice(1), fail) : await runTokens(services, argv.slice(1), fail);
    } catch (error) {
      if (isProblem(error)) fail(problemText(error));
      throw error;
    } finally {
      await store.close();
    }
  }
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const store = await openConfiguredStore();
  try {
    // The app's composition: imported and seeded responses claim their quota cells like submissions.
    const services = createServices({ store });
    switch (command) {
      case 'import': return await runImport(services, surveyArg(survey), rest);
      case 'export': return await runExport(services, surveyArg(survey), rest);
      case 'seed': return await runSeed(services, surveyArg(survey), rest);
      case 'tallies': return await runTallies(services, surveyArg(survey), rest);
      case 'indicators': return await runIndicators(services, argv.slice(1), fail);
      default: fail(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    if (isProblem(error)) fail(problemText(error));
    throw error;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
