/**
 * Query strings into typed parameters, before any service sees them: each is checked against its schema in
 * schemas/api/ (400.3 naming the parameter and the rule, the same validators compiled once for the app) and then
 * converted: lists split, numbers and booleans read, dates brought to ISO. Services take these parameters, so the
 * CLI calls them with values of its own, never with a made-up query string.
 */
import type { ResponseStatus } from '../../schemas/api.js';
import type { Language } from '../../schemas/labels.js';
import type { RawValidate } from '../../schemas/validation.js';
import { problem } from '../domain/problems.js';
import type { IntervalMethod } from '../domain/weighting/intervals.js';
import type { AuditParams } from '../services/audit.service.js';
import type { ExportParams } from '../services/export.service.js';
import type { FieldworkParams } from '../services/fieldwork.service.js';
import type { DiamondParams, IndicatorsParams } from '../services/indicators.service.js';
import type { ParadataParams } from '../services/paradata.service.js';
import type { ListParams, ResponseSelection } from '../services/responses.service.js';
import type { ReviewParams, ReviewQuery } from '../services/review.service.js';
import type { TalliesParams } from '../services/tallies.service.js';
import type { DownloadOptions, Precision } from '../services/tables.js';
import { apiErrors } from '../services/validation.js';
import { parseTrim } from '../services/weighting.service.js';

type Flag = 'true' | 'false';

/** The query string checked against its schema: a 400.3 problem listing every parameter that breaks a rule. */
export function validQuery<Q>(validate: RawValidate, query: unknown): Q {
  const errors = apiErrors(validate, query);
  if (errors) throw problem('invalidQuery', { errors });
  return query as Q;
}

const flag = (value: Flag | undefined): boolean | undefined => (value === undefined ? undefined : value === 'true');
const iso = (value: string | undefined): string | undefined => (value === undefined ? undefined : new Date(value).toISOString());
const int = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
/** Drops the parameters not given, so `{...params}` never carries an explicit undefined. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

interface SelectionQuery { status?: string; region?: string; interviewer?: string; since?: string; until?: string }
function selection(q: SelectionQuery): ResponseSelection {
  return defined({ status: q.status as ResponseStatus | undefined, region: q.region, interviewer: q.interviewer, since: iso(q.since), until: iso(q.until) });
}

export function listParams(q: SelectionQuery & { limit?: string; cursor?: string }): ListParams {
  return defined({ ...selection(q), limit: int(q.limit), cursor: q.cursor });
}

export interface ExportQuery extends SelectionQuery {
  format?: ExportParams['format'];
  labels?: 'codes' | Language;
  codes?: 'text' | 'numeric';
  headers?: 'ids' | 'questions';
  lang?: Language;
  bom?: Flag;
  trim?: string;
}
export function exportParams(q: ExportQuery): ExportParams {
  const { format, labels, codes, headers, lang } = q;
  return defined({ ...selection(q), format, labels, codes, headers, lang, bom: flag(q.bom), trim: parseTrim(q.trim) });
}

export function paradataParams(q: SelectionQuery & { format?: 'csv' | 'xlsx'; lang?: Language; bom?: Flag }): ParadataParams {
  return defined({ ...selection(q), format: q.format, lang: q.lang, bom: flag(q.bom) });
}

export function auditParams(q: { actor?: string; action?: string; target?: string; since?: string; until?: string; limit?: string; cursor?: string; order?: 'asc' | 'desc' }): AuditParams {
  return defined({ actor: q.actor, action: q.action, target: q.target, since: iso(q.since), until: iso(q.until), limit: int(q.limit), cursor: q.cursor, order: q.order });
}

/** How a table answer is sent: JSON, or a download (CSV, Excel) at a precision. */
export interface TableFormat {
  format: 'json' | 'csv' | 'xlsx';
  precision?: Precision;
  bom: boolean;
}
interface TableQuery { format?: TableFormat['format']; precision?: Precision; bom?: Flag }
function tableFormat(q: TableQuery): TableFormat {
  return defined({ format: q.format ?? 'json', precision: q.precision, bom: q.bom === 'true' });
}
export const downloadOptions = (f: TableFormat): DownloadOptions => defined({ precision: f.precision, bom: f.bom });

export interface TalliesQuery extends TableQuery {
  items: string;
  by?: string;
  weighted?: Flag;
  trim?: string;
  ci?: IntervalMethod;
  stat?: 'share' | 'mean';
  tolerance?: string;
  maxIterations?: string;
  minCell?: string;
}
export function talliesParams(q: TalliesQuery): { params: TalliesParams; table: TableFormat } {
  const params = defined({
    items: q.items.split(','), by: q.by ? q.by.split(',') : undefined, weighted: flag(q.weighted), trim: parseTrim(q.trim), ci: q.ci, stat: q.stat,
    tolerance: q.tolerance === undefined ? undefined : Number(q.tolerance), maxIterations: int(q.maxIterations), minCell: int(q.minCell),
  });
  return { params, table: tableFormat(q) };
}

export function indicatorsParams(q: TableQuery & { lang?: Language; weighted?: Flag; by?: IndicatorsParams['by'] }): { params: IndicatorsParams; table: TableFormat; lang: Language } {
  return { params: defined({ weighted: flag(q.weighted), by: q.by, lang: q.lang }), table: tableFormat(q), lang: q.lang ?? 'en' };
}

export function diamondParams(q: { lang?: Language; weighted?: Flag }): DiamondParams {
  return defined({ lang: q.lang, weighted: flag(q.weighted) });
}

export function fieldworkParams(q: { utcOffset?: string }): FieldworkParams {
  return defined({ utcOffsetMinutes: int(q.utcOffset) });
}

export function reviewParams(q: ReviewQuery): ReviewParams {
  return defined({ ...selection(q), flag: q.flag, overQuota: flag(q.overQuota), id: q.id, sort: q.sort, limit: int(q.limit), cursor: q.cursor });
}
