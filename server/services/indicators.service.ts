/**
 * The CSI indicator matrix from the live responses: every response of the three surveys the actor may see that
 * counts (domain/counting.ts), read from the analysis dataset (analysis-dataset.ts), and the secondary data (the report's Kazakhstan inputs until someone
 * stores their own, flagged `default`), through the pure engine of domain/indicators. Population indicators are
 * unweighted unless asked (the report appears unweighted); weighted, they use the raking of the tallies (same
 * margins, same region scoping for coordinators, the same cached design) and standard errors that account for it.
 * A matrix is cached until the data, the margins or the secondary inputs change.
 */
import { withConcernsIn } from '../../schemas/concerns.js';
import type { Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import type { Actor } from '../domain/actor.js';
import { formatScore, roundHalfUp } from '../domain/indicators/aggregation.js';
import { computeMatrix, type IndicatorOptions, type MatrixResult } from '../domain/indicators/compute.js';
import { diamondSvg } from '../domain/indicators/diamond.js';
import { localizeMatrix, ruleTextsInWords } from '../domain/indicators/localize.js';
import { matrixRows } from '../domain/indicators/rows.js';
import { KAZAKHSTAN_SECONDARY, SECONDARY_LABELS, type SecondaryData } from '../domain/indicators/secondary.js';
import { problem } from '../domain/problems.js';
import type { Margins } from '../domain/weighting/margins.js';
import { RakingError, type RakeReport } from '../domain/weighting/raking.js';
import type { CellDesign } from '../domain/weighting/design.js';
import type { ResponseStore, SettingsStore } from '../store/store.port.js';
import type { DatasetView } from './analysis-dataset.js';
import type { Audit } from './audit.service.js';
import type { ConcernsService } from './concerns.service.js';
import { apiErrors, type Validators } from './validation.js';
import { tableCsv, type DownloadOptions, type Precision, type Table } from './tables.js';
import type { WeightingService } from './weighting.service.js';
import { xlsxBuffer } from './xlsx.js';

export interface IndicatorsParams {
  /** Population indicators from weights raked to the margins (default: unweighted, as the report). */
  weighted?: boolean;
  /** Break the population indicators down by this variable. */
  by?: 'ps_region' | 'ps_age_band' | 'ps_ethnicity';
  /** Rule texts, notes and reasons in words of this language (default: rule texts in English words, reasons and flags technical, with item ids). */
  lang?: Language;
}

export interface DiamondParams {
  lang?: Language;
  weighted?: boolean;
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
    private readonly concerns: Pick<ConcernsService, 'current'>,
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

  async matrix(params: IndicatorsParams, actor: Actor): Promise<IndicatorsReport> {
    const report = await this.compute(actor, params.weighted === true, params.by);
    // A language asked for: rule texts, notes and reasons in words of that language, for readers (pages, files).
    // Without one, the rules are still in words: a rule written with item ids serves nobody.
    const worded = params.lang ? { ...report, ...localizeMatrix(report, params.lang) } : { ...report, ...ruleTextsInWords(report) };
    // The impact questions' labels name the concerns the national team chose (a neutral phrase while none are set).
    return withConcernsIn(worded, params.lang ?? 'en', (await this.concerns.current()).concerns);
  }

  async diamond(q: DiamondParams, actor: Actor): Promise<string> {
    const report = await this.compute(actor, q.weighted === true);
    return diamondSvg(report.dimensions, { lang: q.lang ?? 'en' });
  }

  private async compute(actor: Actor, weighted: boolean, breakdown?: string): Promise<IndicatorsReport> {
    const dataset = this.weighting.dataset;
    const views = {} as Record<SurveyId, DatasetView>;
    for (const survey of SURVEY_IDS) views[survey] = await dataset.view(survey, actor);
    const secondary = await this.secondary();
    const margins = weighted ? await this.weighting.margins('population') : null;
    const key = JSON.stringify(['indicators', SURVEY_IDS.map((s) => views[s].key), weighted, breakdown ?? null, secondary, margins?.variables ?? null]);
    return dataset.cached(key, async (): Promise<IndicatorsReport> => {
      const design = margins ? await this.design(views.population, margins, actor) : null;
      const options: IndicatorOptions = {
        ...(design ? { design } : {}),
        ...(breakdown ? { breakdown } : {}),
      };
      const result = computeMatrix({ responses: { population: views.population.counted, organisational: views.organisational.counted, external: views.external.counted }, secondary: secondary.values }, options);
      return {
        ...result,
        respondents: { population: views.population.counted.length, organisational: views.organisational.counted.length, external: views.external.counted.length },
        secondaryDefault: secondary.default,
        raking: design?.report ?? null,
      };
    });
  }

  /** The raked design of the population's counted responses in their order: the one the tallies use. */
  private async design(view: DatasetView, margins: Margins, actor: Actor): Promise<CellDesign> {
    try {
      return await this.weighting.design(view, margins, actor, { tolerance: 1e-10 });
    } catch (error) {
      if (error instanceof RakingError) throw problem('weightingFailed', { variable: error.variable, category: error.category, reason: error.message });
      throw error;
    }
  }
}

const COLUMNS = ['level', 'id', 'name', 'group', 'score', 'value', 'status', 'reason', 'source', 'confidence', 'default', 'n', 'base', 'se', 'rule', 'flags', 'published'];

/** Decimals of the displayed value and standard error (the report prints scores to one decimal, half up). */
const DISPLAY_DECIMALS = 1;

/**
 * One row per dimension, sub-dimension and indicator in Appendix 1 order (rows.ts), group `all`; with a breakdown,
 * each population indicator is followed by one row per group (`ps_region=akmola`). `score` is always the displayed
 * text; `precision: 'display'` rounds `value` and `se` the same way.
 */
export function indicatorsTable(report: MatrixResult, lang: Language = 'en', precision: Precision = 'full'): Table {
  const round = (v: number | null) => (v === null || !Number.isFinite(v) ? null : precision === 'full' ? v : roundHalfUp(v, DISPLAY_DECIMALS));
  const byId = new Map(report.indicators.map((i) => [i.id, i]));
  const rows: unknown[][] = [];
  for (const row of matrixRows(report, lang)) {
    rows.push([row.level, row.id, row.name, 'all', row.display, round(row.value), row.status, row.reason, row.source, row.confidence, row.default, row.n, row.base, round(row.se), row.rule, row.flags, row.published]);
    const cells = row.level === 'indicator' ? byId.get(row.id)?.breakdown ?? [] : [];
    for (const c of cells) {
      rows.push(['group', row.id, row.name, `${report.breakdownBy}=${c.category}`, formatScore(c.value) ?? '', round(c.value), c.status, c.reason ?? '', row.source, row.confidence, row.default, c.n, c.base, round(c.se), row.rule, '', '']);
    }
  }
  return { columns: COLUMNS, rows };
}

export function indicatorsCsv(report: MatrixResult, lang: Language = 'en', options: DownloadOptions = {}): string {
  return tableCsv(indicatorsTable(report, lang, options.precision), options.bom);
}

/** As the CSV, on one sheet; the displayed score is a number there, so Excel does not flag numbers stored as text. */
export function indicatorsXlsx(report: MatrixResult, lang: Language = 'en', precision: Precision = 'full'): Promise<Buffer> {
  const table = indicatorsTable(report, lang, precision);
  const score = table.columns.indexOf('score');
  const rows = table.rows.map((r) => r.map((cell, k) => (k === score && cell !== '' ? Number(cell) : cell)));
  return xlsxBuffer([{ name: 'indicators', columns: table.columns, rows, widths: [12, 8, 48, 20, 8, 10] }]);
}
