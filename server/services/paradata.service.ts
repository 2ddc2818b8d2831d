/**
 * The paradata export: one row per response and section (domain/paradata.ts), as CSV or Excel, streamed from the
 * store in batches like the data export, over the responses the actor may see, without who interviewed for
 * analysts (the data export's redaction).
 */
import { SAFE_CSV_CAST } from '../domain/csv-cells.js';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Language } from '../../schemas/labels.js';
import { redactFor, scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { PARADATA_COLUMNS, paradataRows } from '../domain/paradata.js';
import type { ResponseStore } from '../store/store.port.js';
import type { ExportResult } from './export.service.js';
import { requireSurvey, toFilter, type ResponseSelection } from './responses.service.js';
import { XLSX_TYPE, xlsxStream } from './xlsx.js';

export interface ParadataParams extends ResponseSelection {
  format?: 'csv' | 'xlsx';
  lang?: Language;
  bom?: boolean;
}

/** Paradata need no weights: nothing can fail before the first byte. */
const NOTHING_TO_WAIT_FOR = Promise.resolve();

export class ParadataService {
  constructor(private readonly store: ResponseStore) {}

  export(surveyParam: string, q: ParadataParams, actor: Actor): ExportResult {
    const survey = requireSurvey(surveyParam);
    const visible = this.store.streamResponses(scopeFilter(actor, toFilter(survey, q)));
    const lang = q.lang ?? 'en';
    const rows = (async function* rows() {
      for await (const r of visible) yield* paradataRows(redactFor(actor, r), lang);
    })();
    if (q.format === 'xlsx') {
      return { contentType: XLSX_TYPE, filename: `${survey}-paradata.xlsx`, stream: xlsxStream([{ name: 'paradata', columns: PARADATA_COLUMNS, rows }]), ready: NOTHING_TO_WAIT_FOR };
    }
    const csv = stringify({ header: true, columns: [...PARADATA_COLUMNS], bom: q.bom === true, cast: SAFE_CSV_CAST });
    const source = Readable.from(rows);
    // pipe() does not pass errors on: a store failure mid-export must end this stream, not the process.
    source.on('error', (e) => csv.destroy(e));
    // Nor does it stop the source when the reader goes away: close it, and with it the store's cursor.
    csv.on('close', () => source.destroy());
    return { contentType: 'text/csv; charset=utf-8', filename: `${survey}-paradata.csv`, stream: source.pipe(csv), ready: NOTHING_TO_WAIT_FOR };
  }
}
