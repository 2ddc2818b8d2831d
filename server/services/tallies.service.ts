/**
 * Tallies as analysts ask for them: items, overall and by one or two variables, from the responses the actor may
 * see that count (domain/counting.ts), read from the analysis dataset (analysis-dataset.ts), not from the store.
 * The population survey is raked to its margins by default (the design shared with indicators and exports); the
 * organisational and external surveys are tallied unweighted, with the same estimator (standard errors as for a
 * simple random sample with replacement). The numbers come from the cell-aggregated engine of
 * domain/weighting/tally.ts; a report is cached until the data, the margins or the question change.
 */
import { itemsOf, unionItemsOf } from '../../schemas/items.js';
import { derivedVariables } from '../../schemas/survey-definition.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { Actor } from '../domain/actor.js';
import { roundHalfUp } from '../domain/indicators/aggregation.js';
import { problem } from '../domain/problems.js';
import { ColumnsBuilder, type ColumnItem, type Columns } from '../domain/weighting/columns.js';
import type { MarginVariable } from '../domain/weighting/margins.js';
import type { IntervalMethod } from '../domain/weighting/intervals.js';
import type { RakeOptions, RakeReport } from '../domain/weighting/raking.js';
import type { CellDesign, CodedColumn } from '../domain/weighting/design.js';
import { breakdownOf, tallyItem, type ItemColumn, type ItemTally } from '../domain/weighting/tally.js';
import type { ResponseStore } from '../store/store.port.js';
import type { DatasetView } from './analysis-dataset.js';
import { requireSurvey } from './responses.service.js';
import { tableCsv, type DownloadOptions, type Precision, type Table } from './tables.js';
import { weightingProblem, type WeightingService } from './weighting.service.js';
import { xlsxBuffer } from './xlsx.js';

/** What to tally and how (the route reads it from the query string, the CLI from its options). */
export interface TalliesParams {
  items: string[];
  /** One or two breakdown variables. */
  by?: string[];
  /** Raked to the margins: the population survey's default; the others cannot be weighted. */
  weighted?: boolean;
  trim?: { lower: number; upper: number };
  ci?: IntervalMethod;
  stat?: 'share' | 'mean';
  tolerance?: number;
  maxIterations?: number;
  minCell?: number;
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
  return new Map(derivedVariables(survey).map((d) => [d.id, d.codes]));
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
  constructor(private readonly store: ResponseStore, private readonly weighting: WeightingService) {}

  async tallies(surveyParam: string, q: TalliesParams, actor: Actor): Promise<TalliesReport> {
    const survey = requireSurvey(surveyParam);
    if (survey !== 'population' && q.weighted === true) throw problem('notWeighted', { survey });
    if (survey !== 'population' && q.trim) throw problem('notWeighted', { survey });
    const weighted = survey === 'population' && q.weighted !== false;
    const stat = q.stat ?? 'share';
    const ci = q.ci ?? 'logit';
    const items = tallyItemsOf(survey, q.items, stat);
    const by = breakdownsOf(survey, q.by ?? []);
    const trim = q.trim;
    const minCell = q.minCell ?? DEFAULT_MIN_CELL;
    const margins = weighted ? await this.weighting.margins(survey) : { variables: [] };
    const options: RakeOptions = { tolerance: q.tolerance ?? 1e-10, ...(q.maxIterations ? { maxIterations: q.maxIterations } : {}), ...(trim ? { trim } : {}) };
    const view = await this.weighting.dataset.view(survey, actor);
    // The report depends on nothing else: the same question on the same data version is answered from the cache.
    const key = JSON.stringify(['tallies', view.key, weighted, stat, ci, minCell, items.map((i) => i.id), by.map((b) => b.variable), margins.variables, options]);
    return this.weighting.dataset.cached(key, async (): Promise<TalliesReport> => {
      const design = await this.design(view, margins, actor, options);
      const columns = this.columns(view, by, items);
      const breakdown = by.length > 0 ? breakdownOf(by.map((b) => b.variable), columns.by) : undefined;
      return {
        survey,
        weighted,
        respondents: view.counted.length,
        by: by.map((b) => b.variable),
        minCell,
        stat,
        ci,
        raking: weighted ? design.report : null,
        margins: margins.variables.map(({ variable, source, status, year }) => ({ variable, source, status, ...(year ? { year } : {}) })),
        items: columns.items.map((item) => tallyItem(design, item, breakdown, { minCell, ci })),
      };
    });
  }

  /**
   * The coded columns of a view, each built once per data version and shared by every request that names it (the
   * five breakdowns of one table read the same item columns); after new responses only (analysis-dataset.ts
   * `fold`), a column is the last one with theirs appended.
   */
  private columns(view: DatasetView, by: Array<{ variable: string; levels: string[] }>, items: ColumnItem[]): { by: CodedColumn[]; items: ItemColumn[] } {
    const column = <T>(name: unknown[], spec: { by: Array<{ variable: string; levels: string[] }>; items: ColumnItem[] }, pick: (c: Columns) => T): T => this.weighting.dataset.fold(JSON.stringify(name), view, {
      start: () => new ColumnsBuilder({ margins: [], ...spec }),
      add: (builder, r) => builder.add(r),
      finish: (builder) => pick(builder.done()),
    });
    return {
      by: by.map((b) => column(['by', b], { by: [b], items: [] }, (c) => c.by[0] as CodedColumn)),
      items: items.map((i) => column(['item', i], { by: [], items: [i] }, (c) => c.items[0] as ItemColumn)),
    };
  }

  private async design(view: DatasetView, margins: { variables: MarginVariable[] }, actor: Actor, options: RakeOptions): Promise<CellDesign> {
    try {
      return await this.weighting.design(view, margins, actor, options);
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
