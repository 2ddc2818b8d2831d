/**
 * Tallies as analysts ask for them: items, overall and by one or two variables, from the responses the actor may
 * see (rejected and withdrawn ones never count). The population survey is raked to its margins by default; the
 * organisational and external surveys are tallied unweighted, with the same estimator (standard errors as for a
 * simple random sample with replacement). Responses stream into coded columns; the numbers come from the
 * cell-aggregated engine of domain/weighting/tally.ts.
 */
import { itemsOf, unionItemsOf } from '../../schemas/items.js';
import { questionnaires, type SurveyId } from '../../schemas/surveys.js';
import { scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { roundHalfUp } from '../domain/indicators/aggregation.js';
import { problem } from '../domain/problems.js';
import { isClosed } from '../domain/response.js';
import { ColumnsBuilder, type ColumnItem } from '../domain/weighting/columns.js';
import { rakingMargins, type MarginVariable } from '../domain/weighting/margins.js';
import type { IntervalMethod } from '../domain/weighting/intervals.js';
import type { RakeOptions, RakeReport } from '../domain/weighting/raking.js';
import { breakdownOf, designFor, tallyItem, type CellDesign, type ItemTally } from '../domain/weighting/tally.js';
import type { ResponseFilter, ResponseStore } from '../store/store.port.js';
import { requireSurvey } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';
import { tableCsv, type DownloadOptions, type Precision, type Table } from './tables.js';
import { parseTrim, weightingProblem, type WeightingService } from './weighting.service.js';
import { xlsxBuffer } from './xlsx.js';
import { absentItems, mapToCurrent } from '../../schemas/versions.js';

export interface TalliesQuery {
  items: string;
  by?: string;
  weighted?: 'true' | 'false';
  trim?: string;
  ci?: IntervalMethod;
  stat?: 'share' | 'mean';
  tolerance?: string;
  maxIterations?: string;
  minCell?: string;
  format?: 'json' | 'csv' | 'xlsx';
  precision?: Precision;
  bom?: 'true' | 'false';
}

export interface TalliesReport {
  survey: SurveyId;
  weighted: boolean;
  respondents: number;
  by: string[];
  minCell: number;
  /** share: categories' shares of closed items (numeric items: their mean); mean: means of scales and numeric items. */
  stat: 'share' | 'mean';
  /** The interval method of the proportions (means are always Wald). */
  ci: IntervalMethod;
  raking: RakeReport | null;
  margins: Array<Pick<MarginVariable, 'variable' | 'source' | 'status' | 'year'>>;
  items: ItemTally[];
}

const DEFAULT_MIN_CELL = 30;

function invalid(path: string, item: string | null, keyword: string, message: string) {
  return problem('invalidQuery', { errors: [{ path, item, keyword, message }] });
}

function derivedLevels(survey: SurveyId): Map<string, string[]> {
  const derived = questionnaires[survey].$defs.derived as { properties?: Record<string, { enum?: string[] }> } | undefined;
  return new Map(Object.entries(derived?.properties ?? {}).map(([id, node]) => [id, node.enum ?? []]));
}

/** A closed item whose codes are all numbers (the 1-10 scales): its mean is the mean of the codes. */
export function isScale(item: { kind: string; codes: unknown[] }): boolean {
  return item.kind === 'choice' && item.codes.length > 0 && item.codes.every((c) => typeof c === 'number');
}

/**
 * Items that can be tallied: closed single-choice items (shares) and numbers (means); with stat=mean, scales and
 * numbers (means), other closed items refused.
 */
export function tallyItemsOf(survey: SurveyId, ids: string[], stat: 'share' | 'mean' = 'share'): ColumnItem[] {
  // Items of every questionnaire version: one a later version removed is still tallied over the responses that have it.
  const all = unionItemsOf(survey);
  return ids.map((id) => {
    const item = all.find((i) => i.id === id);
    if (!item || !(item.kind === 'choice' || item.kind === 'integer' || item.kind === 'number')) {
      throw invalid('/items', id, 'enum', `${id} is not a closed or numeric item of ${survey}`);
    }
    if (stat === 'mean' && item.kind === 'choice' && !isScale(item)) {
      throw invalid('/items', id, 'stat', `${id} has no numeric codes: stat=mean is for scales and numeric items`);
    }
    return { id, numeric: item.kind !== 'choice' || stat === 'mean', categories: item.codes.map(String) };
  });
}

/** Breakdown variables: closed items or derived variables of the survey, with their levels in questionnaire order. */
export function breakdownsOf(survey: SurveyId, ids: string[]): Array<{ variable: string; levels: string[] }> {
  const derived = derivedLevels(survey);
  if (new Set(ids).size !== ids.length) throw invalid('/by', ids[0] ?? null, 'uniqueItems', 'a breakdown variable is named twice');
  return ids.map((id) => {
    const item = itemsOf(survey).find((i) => i.id === id && i.kind === 'choice');
    const levels = item ? item.codes.map(String) : derived.get(id);
    if (!levels) throw invalid('/by', id, 'enum', `${id} is not a closed item or derived variable of ${survey}`);
    return { variable: id, levels };
  });
}

export class TalliesService {
  constructor(private readonly store: ResponseStore, private readonly validators: Validators, private readonly weighting: WeightingService) {}

  async tallies(surveyParam: string, query: unknown, actor: Actor): Promise<TalliesReport> {
    const survey = requireSurvey(surveyParam);
    const errors = apiErrors(this.validators.api.talliesQuery, query);
    if (errors) throw problem('invalidQuery', { errors });
    const q = query as TalliesQuery;
    if (survey !== 'population' && q.weighted === 'true') throw problem('notWeighted', { survey });
    if (survey !== 'population' && q.trim) throw problem('notWeighted', { survey });
    const weighted = survey === 'population' && q.weighted !== 'false';
    const stat = q.stat ?? 'share';
    const ci = q.ci ?? 'logit';
    const items = tallyItemsOf(survey, q.items.split(','), stat);
    const by = breakdownsOf(survey, q.by ? q.by.split(',') : []);
    const trim = parseTrim(q.trim);
    const minCell = q.minCell === undefined ? DEFAULT_MIN_CELL : Number(q.minCell);
    const margins = weighted ? await this.weighting.margins(survey) : { variables: [] };

    const builder = new ColumnsBuilder({ margins: margins.variables, by, items });
    for await (const r of this.store.streamResponses(scopeFilter<ResponseFilter>(actor, { survey }))) {
      // Every version read as the current one, by item id; an item its version lacked is excluded as not asked.
      if (!isClosed(r.status)) builder.add(mapToCurrent(survey, r.questionnaireVersion, r.answers), r.derived, r.id, absentItems(survey, r.questionnaireVersion));
    }
    const columns = builder.done();
    const options = { tolerance: q.tolerance ? Number(q.tolerance) : 1e-10, ...(q.maxIterations ? { maxIterations: Number(q.maxIterations) } : {}), ...(trim ? { trim } : {}) };
    const design = this.design(columns.n, rakingMargins(margins, actor.role === 'coordinator' ? actor.regions : []), columns.margins, options);
    const breakdown = by.length > 0 ? breakdownOf(by.map((b) => b.variable), columns.by) : undefined;
    return {
      survey,
      weighted,
      respondents: columns.n,
      by: by.map((b) => b.variable),
      minCell,
      stat,
      ci,
      raking: weighted ? design.report : null,
      margins: margins.variables.map(({ variable, source, status, year }) => ({ variable, source, status, ...(year ? { year } : {}) })),
      items: columns.items.map((item) => tallyItem(design, item, breakdown, { minCell, ci })),
    };
  }

  private design(n: number, margins: ReturnType<typeof rakingMargins>, columns: Parameters<typeof designFor>[2], options: RakeOptions): CellDesign {
    try {
      return designFor(n, margins, columns, options);
    } catch (error) {
      throw weightingProblem(error);
    }
  }
}

const COLUMNS = ['item', 'stat', 'group', 'category', 'estimate', 'se', 'ci95_low', 'ci95_high', 'ci_method', 'n', 'base', 'weighted_total', 'weighted_base', 'kish_effective_n', 'deff', 'small', 'excluded_dk', 'excluded_ref', 'excluded_blank', 'excluded_not_asked'];

/**
 * Decimals of the displayed figures: a share shown as a percentage to one decimal is a proportion to three; means to
 * two; standard errors as the CLI table shows them; design effects to two; Kish's effective n whole; weighted totals to one.
 */
const DISPLAY = { share: 3, mean: 2, se: 3, deff: 2, effectiveN: 0, weighted: 1 };

/** One row per item, group (overall first) and category; a mean has an empty category. Not-a-number cells are null. */
export function talliesTable(report: TalliesReport, precision: Precision = 'full'): Table {
  const round = (decimals: number) => (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : precision === 'full' ? v : roundHalfUp(v, decimals));
  const [se, deff, effectiveN, weighted] = [round(DISPLAY.se), round(DISPLAY.deff), round(DISPLAY.effectiveN), round(DISPLAY.weighted)];
  const rows: unknown[][] = [];
  for (const tally of report.items) {
    const groups = [{ label: 'all', small: tally.overall.small, est: tally.overall }, ...(tally.by?.groups ?? []).map((g) => ({
      label: Object.entries(g.values).map(([k, v]) => `${k}=${v}`).join(';'), small: g.small, est: g,
    }))];
    for (const { label, small, est } of groups) {
      for (const e of est.estimates) {
        const value = round(e.category === null ? DISPLAY.mean : DISPLAY.share);
        rows.push([tally.item, tally.stat, label, e.category ?? '', value(e.estimate), se(e.se), value(e.ci95?.[0]), value(e.ci95?.[1]), e.interval, e.n, est.base, weighted(e.weightedTotal),
          weighted(est.weightedBase), effectiveN(est.kishEffectiveN), deff(e.deff), small, est.excluded.dk ?? 0, est.excluded.ref ?? 0, est.excluded.blank ?? 0, est.excluded.not_asked ?? 0]);
      }
    }
  }
  return { columns: COLUMNS, rows };
}

export function talliesCsv(report: TalliesReport, options: DownloadOptions = {}): string {
  return tableCsv(talliesTable(report, options.precision), options.bom);
}

export function talliesXlsx(report: TalliesReport, precision: Precision = 'full'): Promise<Buffer> {
  const table = talliesTable(report, precision);
  return xlsxBuffer([{ name: 'tallies', columns: table.columns, rows: table.rows, widths: [24, 28, 16] }]);
}
