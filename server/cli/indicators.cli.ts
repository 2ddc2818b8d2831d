/**
 * `csi indicators`: the CSI matrix from the store's responses, through the same service as the API, as a table in
 * Appendix 1 order (dimensions, sub-dimensions indented, indicators under them), CSV or JSON. Kept out of csi.ts so
 * the command line's entry point stays a dispatcher.
 */
import { parseArgs } from 'node:util';
import { apiSchemas } from '../../schemas/api.js';
import { LANGUAGES, type Language } from '../../schemas/labels.js';
import { systemActor } from '../domain/actor.js';
import { matrixRows } from '../domain/indicators/rows.js';
import { indicatorsCsv, type IndicatorsParams, type IndicatorsReport } from '../services/indicators.service.js';
import type { Services } from '../services/services.js';
import { choice } from './options.js';
import { renderTable } from './table.js';

export const INDICATORS_USAGE = 'csi indicators [--format table|csv|json] [--lang en|ru|kk] [--weighted] [--by ps_region|ps_age_band|ps_ethnicity]';

const INDENT = { dimension: '', subDimension: '  ', indicator: '    ' } as const;

/** Scores as the report prints them; D marks a defaulted (U) rule, missing values show their reason. */
export function indicatorsTable(report: IndicatorsReport, lang: Language): string {
  const rows = matrixRows(report, lang).map((r) => [
    `${INDENT[r.level]}${r.id}`, `${INDENT[r.level]}${r.name}`, r.status === 'ok' ? r.display : 'missing', r.n ?? '', r.base ?? '',
    r.se === null ? '' : r.se.toFixed(1), r.source, r.confidence, r.default ? 'D' : '', r.status === 'ok' ? '' : r.reason,
  ]);
  const r = report.respondents;
  const head = `CSI indicators (matrix ${report.matrixVersion}) from ${r.population} population, ${r.organisational} organisational and ${r.external} external responses; ` +
    `population indicators ${report.weighted ? `weighted (raking ${report.raking?.converged ? 'converged' : 'NOT converged'})` : 'unweighted'}; ` +
    `secondary data: ${report.secondaryDefault ? 'the report\'s Kazakhstan inputs (default)' : 'as stored'}. D = a default for an unknown rule.`;
  return `${head}\n\n${renderTable(['id', 'name', 'score', 'n', 'base', 'se', 'source', 'conf', 'default', 'reason'], rows)}`;
}

export async function runIndicators({ indicators }: Services, args: string[], fail: (message: string) => never): Promise<number> {
  const { values } = parseArgs({ args, options: {
    format: { type: 'string', default: 'table' }, lang: { type: 'string', default: 'en' }, weighted: { type: 'boolean' }, by: { type: 'string' },
  } });
  if (!['table', 'csv', 'json'].includes(values.format)) fail(`--format must be table, csv or json\nusage: ${INDICATORS_USAGE}`);
  if (!(LANGUAGES as readonly string[]).includes(values.lang)) fail(`--lang must be en, ru or kk\nusage: ${INDICATORS_USAGE}`);
  const lang = values.lang as Language;
  const by = choice<NonNullable<IndicatorsParams['by']>>(fail, 'by', values.by, apiSchemas.indicatorsQuery);
  const report = await indicators.matrix({ ...(values.weighted ? { weighted: true } : {}), ...(by ? { by } : {}) }, systemActor('indicators'));
  if (values.format === 'json') console.log(JSON.stringify(report, null, 2));
  else if (values.format === 'csv') process.stdout.write(indicatorsCsv(report, lang));
  else console.log(indicatorsTable(report, lang));
  return 0;
}
