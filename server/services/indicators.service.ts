/**
 * The CSI indicator matrix from the live responses: every response of the three surveys the actor may see
 * (rejected and withdrawn ones never count) and the secondary data (the report's Kazakhstan inputs until someone
 * stores their own, flagged `default`), through the pure engine of domain/indicators. Population indicators are
 * unweighted unless asked (the report appears unweighted); weighted, they use the raking of the tallies (same
 * margins, same region scoping for coordinators) and standard errors that account for it.
 */
import { stringify } from 'csv-stringify/sync';
import { SAFE_CSV_CAST } from '../domain/csv-cells.js';
import type { Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { formatScore } from '../domain/indicators/aggregation.js';
import { designProjection } from '../domain/indicators/calibration.js';
import { computeMatrix, type IndicatorOptions, type MatrixResult } from '../domain/indicators/compute.js';
import { diamondSvg } from '../domain/indicators/diamond.js';
import type { ResponseRecord } from '../domain/indicators/records.js';
import { matrixRows } from '../domain/indicators/rows.js';
import { KAZAKHSTAN_SECONDARY, SECONDARY_LABELS, type SecondaryData } from '../domain/indicators/secondary.js';
import { problem } from '../domain/problems.js';
import { isClosed } from '../domain/response.js';
import { ColumnsBuilder } from '../domain/weighting/columns.js';
import { rakingMargins } from '../domain/weighting/margins.js';
import { RakingError, type RakeReport } from '../domain/weighting/raking.js';
import { designFor, respondentWeights } from '../domain/weighting/tally.js';
import type { ResponseFilter, ResponseStore, SettingsStore } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import { apiErrors, type Validators } from './validation.js';
import type { WeightingService } from './weighting.service.js';

export interface IndicatorsQuery {
  format?: 'json' | 'csv';
  lang?: Language;
  weighted?: 'true' | 'false';
  by?: 'ps_region' | 'ps_age_band' | 'ps_ethnicity';
}

export interface StoredSecondary {
  /** True while nobody has stored secondary data: these are the report's Kazakhstan inputs. */
  default: boolean;
  values: SecondaryData;
  labels: Record<string, string>;
}

export interface IndicatorsReport extends MatrixResult {
  /** Responses counted per survey. */
  respondents: Record<SurveyId, number>;
  /** Whether the secondary inputs are the shipped example. */
  secondaryDefault: boolean;
  raking: RakeReport | null;
}

const SETTING = 'indicators:secondary';

export class IndicatorsService {
  constructor(
    private readonly store: ResponseStore & SettingsStore, private readonly validators: Validators,
    private readonly weighting: WeightingService, private readonly audit: Audit,
  ) {}

  async secondary(): Promise<StoredSecondary> {
    const stored = (await this.store.getSetting(SETTING)) as SecondaryData | null;
    return { default: stored === null, values: stored ?? { ...KAZAKHSTAN_SECONDARY }, labels: { ...SECONDARY_LABELS } };
  }

  async putSecondary(body: unknown, actor: Actor): Promise<StoredSecondary> {
    const errors = apiErrors(this.validators.api.secondaryData, body);
    if (errors) throw problem('schemaInvalid', { errors: errors.map((e) => ({ ...e, item: e.path.split('/')[1] || null })) });
    const before = await this.secondary();
    await this.store.putSetting(SETTING, body);
    await this.audit(actor, 'indicators.secondary.updated', SETTING, { before: before.default ? null : before.values, after: body });
    return { default: false, values: body as SecondaryData, labels: { ...SECONDARY_LABELS } };
  }

  async matrix(query: unknown, actor: Actor): Promise<IndicatorsReport> {
    const errors = apiErrors(this.validators.api.indicatorsQuery, query);
    if (errors) throw problem('invalidQuery', { errors });
    const q = query as IndicatorsQuery;
    return this.compute(actor, q.weighted === 'true', q.by);
  }

  async diamond(query: unknown, actor: Actor): Promise<string> {
    const errors = apiErrors(this.validators.api.diamondQuery, query);
    if (errors) throw problem('invalidQuery', { errors });
    const q = query as { lang?: Language; weighted?: 'true' | 'false' };
    const report = await this.compute(actor, q.weighted === 'true');
    return diamondSvg(report.dimensions, { lang: q.lang ?? 'en' });
  }

  private async compute(actor: Actor, weighted: boolean, breakdown?: string): Promise<IndicatorsReport> {
    const responses = {} as Record<SurveyId, ResponseRecord[]>;
    for (const survey of SURVEY_IDS) responses[survey] = await this.records(survey, actor);
    const secondary = await this.secondary();
    const weights = weighted ? await this.weights(responses.population, actor) : null;
    const options: IndicatorOptions = {
      ...(weights ? { weights: weights.weights, projection: weights.projection } : {}),
      ...(breakdown ? { breakdown } : {}),
    };
    const result = computeMatrix({ responses, secondary: secondary.values }, options);
    return {
      ...result,
      respondents: { population: responses.population.length, organisational: responses.organisational.length, external: responses.external.length },
      secondaryDefault: secondary.default,
      raking: weights?.report ?? null,
    };
  }

  private async records(survey: SurveyId, actor: Actor): Promise<ResponseRecord[]> {
    const out: ResponseRecord[] = [];
    for await (const r of this.store.streamResponses(scopeFilter<ResponseFilter>(actor, { survey }))) {
      if (!isClosed(r.status)) out.push({ answers: r.answers, ...(r.derived ? { derived: r.derived } : {}) });
    }
    return out;
  }

  /** Raked weights of the population records in their order, as the tallies rake them, with their projection. */
  private async weights(records: ResponseRecord[], actor: Actor): Promise<{ weights: Float64Array; projection: IndicatorOptions['projection']; report: RakeReport }> {
    const margins = await this.weighting.margins('population');
    const builder = new ColumnsBuilder({ margins: margins.variables, by: [], items: [] });
    for (const r of records) builder.add(r.answers, r.derived);
    const columns = builder.done();
    try {
      const design = designFor(columns.n, rakingMargins(margins, actor.role === 'coordinator' ? actor.regions : []), columns.margins, { tolerance: 1e-10 });
      return { weights: respondentWeights(design), projection: designProjection(design), report: design.report };
    } catch (error) {
      if (error instanceof RakingError) throw problem('weightingFailed', { variable: error.variable, category: error.category, reason: error.message });
      throw error;
    }
  }
}

const CSV_COLUMNS = ['level', 'id', 'name', 'group', 'score', 'value', 'status', 'reason', 'source', 'confidence', 'default', 'n', 'base', 'se', 'rule', 'flags', 'published'];

/**
 * One row per dimension, sub-dimension and indicator in Appendix 1 order (rows.ts), group `all`; with a breakdown,
 * each population indicator is followed by one row per group (`ps_region=akmola`).
 */
export function indicatorsCsv(report: MatrixResult, lang: Language = 'en'): string {
  const byId = new Map(report.indicators.map((i) => [i.id, i]));
  const rows: unknown[][] = [];
  for (const row of matrixRows(report, lang)) {
    rows.push([row.level, row.id, row.name, 'all', row.display, row.value, row.status, row.reason, row.source, row.confidence, row.default, row.n, row.base, row.se, row.rule, row.flags, row.published]);
    const cells = row.level === 'indicator' ? byId.get(row.id)?.breakdown ?? [] : [];
    for (const c of cells) {
      rows.push(['group', row.id, row.name, `${report.breakdownBy}=${c.category}`, formatScore(c.value) ?? '', c.value, c.status, c.reason ?? '', row.source, row.confidence, row.default, c.n, c.base, c.se, row.rule, '', '']);
    }
  }
  const number = (v: number) => (Number.isFinite(v) ? String(v) : '');
  return stringify(rows, { header: true, columns: CSV_COLUMNS, cast: { ...SAFE_CSV_CAST, number, boolean: (b) => (b ? 'true' : 'false') } });
}
