/**
 * Weighting as analysts use it: population margins per survey (the shipped Kazakhstan 2009 figures until someone
 * sets their own), and weighted estimates for items, overall and by a breakdown, from the responses the actor may
 * see (rejected and withdrawn ones never count). The statistics are the pure functions of domain/weighting.
 */
import type { Margins as MarginsBody } from '../domain/weighting/margins.js';
import { itemsOf, type Item } from '../../schemas/items.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import { isClosed, type StoredResponse } from '../domain/response.js';
import { estimateItem, type ItemEstimates } from '../domain/weighting/estimates.js';
import { calibrationProjection } from '../domain/weighting/linearization.js';
import { KAZAKHSTAN_2009_MARGINS, marginCategory, rakingMargins, type MarginVariable } from '../domain/weighting/margins.js';
import { codeUnits, rakeCoded, RakingError, type RakeReport } from '../domain/weighting/raking.js';
import type { ResponseFilter, ResponseStore, SettingsStore } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import { requireSurvey } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';

export interface StoredMargins extends MarginsBody {
  /** True while nobody has set margins: these are the shipped defaults. */
  default: boolean;
}

export interface EstimatesReport {
  survey: SurveyId;
  weighted: boolean;
  respondents: number;
  raking: RakeReport | null;
  margins: Array<Pick<MarginVariable, 'variable' | 'source' | 'status' | 'year'>>;
  items: Array<{ item: string; overall: ItemEstimates; by?: { variable: string; groups: Array<{ value: string } & ItemEstimates> } }>;
}

const SPECIAL = new Set(['dk', 'ref']);

function populationOnly(surveyParam: string): SurveyId {
  const survey = requireSurvey(surveyParam);
  if (survey !== 'population') throw problem('notWeighted', { survey });
  return survey;
}

function unitValue(answers: Record<string, unknown>, derived: Record<string, unknown>, id: string): unknown {
  return answers[id] ?? derived[id];
}

export class WeightingService {
  constructor(private readonly store: ResponseStore & SettingsStore, private readonly validators: Validators, private readonly audit: Audit) {}

  async margins(surveyParam: string): Promise<StoredMargins> {
    const survey = populationOnly(surveyParam);
    const stored = (await this.store.getSetting(`margins:${survey}`)) as MarginsBody | null;
    return stored ? { ...stored, default: false } : { ...KAZAKHSTAN_2009_MARGINS, default: true };
  }

  async putMargins(surveyParam: string, body: unknown, actor: Actor): Promise<StoredMargins> {
    const survey = populationOnly(surveyParam);
    const errors = apiErrors(this.validators.api.margins, body);
    if (errors) throw problem('schemaInvalid', { errors });
    const margins = body as MarginsBody;
    const unknown = margins.variables.flatMap((v) => Object.keys(v.shares).filter((code) => !this.codesOf(v.variable).includes(code)).map((code) => ({ v, code })));
    if (unknown.length > 0) {
      throw problem('schemaInvalid', { errors: unknown.map(({ v, code }) => ({ path: `/variables/${margins.variables.indexOf(v)}/shares/${code}`, item: v.variable, keyword: 'enum', message: `${code} is not a category of ${v.variable}` })) });
    }
    const before = await this.margins(survey);
    await this.store.putSetting(`margins:${survey}`, margins);
    await this.audit(actor, 'margins.updated', `margins:${survey}`, { before, after: margins });
    return { ...margins, default: false };
  }

  private codesOf(variable: string): string[] {
    if (variable === 'ps_age_band') return ['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus'];
    return (itemsOf('population').find((i) => i.id === variable)?.codes ?? []).map(String);
  }

  async estimates(surveyParam: string, query: unknown, actor: Actor): Promise<EstimatesReport> {
    const survey = populationOnly(surveyParam);
    const errors = apiErrors(this.validators.api.estimatesQuery, query);
    if (errors) throw problem('invalidQuery', { errors });
    const q = query as { items: string; by?: string; weighted?: 'true' | 'false'; trim?: string };
    const items = this.itemsNamed(survey, q.items.split(','));
    const weighted = q.weighted !== 'false';
    const margins = await this.margins(survey);
    const responses: StoredResponse[] = [];
    const filter = scopeFilter<ResponseFilter>(actor, { survey });
    for await (const r of this.store.streamResponses(filter)) if (!isClosed(r.status)) responses.push(r);
    const units = responses.map((r) => Object.fromEntries(margins.variables.map((v) => [v.variable, marginCategory(v, unitValue(r.answers, r.derived, v.variable))])));
    const [lower, upper] = (q.trim ?? '').split(',').map(Number);
    const trim = q.trim && lower !== undefined && upper !== undefined && lower < 1 && upper > 1 ? { lower, upper } : undefined;
    if (q.trim && !trim) throw problem('invalidQuery', { errors: [{ path: '/trim', item: null, keyword: 'trim', message: 'lower must be below 1 and upper above 1' }] });
    const { weights, report, coded } = this.weigh(units, weighted ? rakingMargins(margins, actor.role === 'coordinator' ? actor.regions : []) : [], trim);
    const projection = calibrationProjection(coded, weights);
    const byValues = q.by ? responses.map((r) => String(unitValue(r.answers, r.derived, q.by as string))) : null;
    return {
      survey,
      weighted,
      respondents: responses.length,
      raking: weighted ? report : null,
      margins: weighted ? margins.variables.map(({ variable, source, status, year }) => ({ variable, source, status, ...(year ? { year } : {}) })) : [],
      items: items.map((item) => {
        const data = {
          values: responses.map((r) => {
            const v = r.answers[item.id];
            return v === undefined || SPECIAL.has(v as string) ? null : item.kind === 'choice' ? String(v) : (v as number);
          }),
          excludedAs: responses.map((r) => (r.answers[item.id] === undefined ? 'blank' : String(r.answers[item.id]))),
        };
        const options = item.kind === 'choice' ? { categories: item.codes.map(String) } : { numeric: true };
        const overall = estimateItem(data, weights, projection, options);
        if (!byValues || !q.by) return { item: item.id, overall };
        const groups = [...new Set(byValues)].sort().map((value) => ({
          value, ...estimateItem(data, weights, projection, { ...options, domain: Uint8Array.from(byValues, (b) => (b === value ? 1 : 0)) }),
        }));
        return { item: item.id, overall, by: { variable: q.by, groups } };
      }),
    };
  }

  /**
   * Each counted response's weight, raked to the margins over what the actor may see; null when the responses
   * cannot be weighted (a margin category nobody is in) or the survey is not weighted.
   */
  async weightsFor(survey: SurveyId, actor: Actor): Promise<Map<string, number> | null> {
    if (survey !== 'population') return null;
    const margins = await this.margins(survey);
    const ids: string[] = [];
    const units: Array<Record<string, string>> = [];
    for await (const r of this.store.streamResponses(scopeFilter<ResponseFilter>(actor, { survey }))) {
      if (isClosed(r.status)) continue;
      ids.push(r.id);
      units.push(Object.fromEntries(margins.variables.map((v) => [v.variable, marginCategory(v, unitValue(r.answers, r.derived, v.variable))])));
    }
    try {
      const { weights } = this.weigh(units, rakingMargins(margins, actor.role === 'coordinator' ? actor.regions : []));
      return new Map(ids.map((id, i) => [id, weights[i] as number]));
    } catch (error) {
      if ((error as { code?: string }).code === '409.5') return null;
      throw error;
    }
  }

  private itemsNamed(survey: SurveyId, ids: string[]): Item[] {
    const all = itemsOf(survey);
    const found = ids.map((id) => all.find((i) => i.id === id && (i.kind === 'choice' || i.kind === 'integer' || i.kind === 'number')));
    const missing = ids.filter((_, k) => found[k] === undefined);
    if (missing.length > 0) {
      throw problem('invalidQuery', { errors: missing.map((id) => ({ path: '/items', item: id, keyword: 'enum', message: `${id} is not a closed or numeric item of ${survey}` })) });
    }
    return found as Item[];
  }

  private weigh(units: Array<Record<string, string>>, margins: ReturnType<typeof rakingMargins>, trim?: { lower: number; upper: number }) {
    try {
      const coded = codeUnits(units, margins, units.length);
      const raked = rakeCoded(coded, { tolerance: 1e-10, ...(trim ? { trim } : {}) });
      const { weights, ...report } = raked;
      return { weights, report, coded };
    } catch (error) {
      if (error instanceof RakingError) throw problem('weightingFailed', { variable: error.variable, category: error.category, reason: error.message });
      throw error;
    }
  }
}
