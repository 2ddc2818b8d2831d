/**
 * Weighting as analysts use it: population margins per survey (the shipped Kazakhstan 2009 figures until someone
 * sets their own), and each response's raked weight over what the actor may see (rejected and withdrawn ones never
 * count) for exports. Tallies are in tallies.service.ts; the statistics are the pure functions of domain/weighting.
 */
import type { Margins as MarginsBody } from '../domain/weighting/margins.js';
import { variableCodes } from '../../schemas/survey-definition.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import { ColumnsBuilder } from '../domain/weighting/columns.js';
import { KAZAKHSTAN_2009_MARGINS, rakingMargins } from '../domain/weighting/margins.js';
import { RakingError, TrimmingError, type RakeOptions } from '../domain/weighting/raking.js';
import { designFor, respondentWeights, type CellDesign } from '../domain/weighting/design.js';
import type { ResponseStore, SettingsStore } from '../store/store.port.js';
import { AnalysisDataset, type DatasetView } from './analysis-dataset.js';
import type { Audit } from './audit.service.js';
import { requireSurvey } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';

export interface StoredMargins extends MarginsBody {
  /** True while nobody has set margins: these are the shipped defaults. */
  default: boolean;
}

/** Trimming bounds from a query's `trim=lower,upper` (the schema checked the form): lower below 1, upper above. */
export function parseTrim(trim: string | undefined): { lower: number; upper: number } | undefined {
  if (!trim) return undefined;
  const [lower, upper] = trim.split(',').map(Number);
  if (lower === undefined || upper === undefined || !(lower < 1 && upper > 1)) {
    throw problem('invalidQuery', { errors: [{ path: '/trim', item: null, keyword: 'trim', message: 'lower must be below 1 and upper above 1' }] });
  }
  return { lower, upper };
}

/**
 * A raking or trimming failure as its problem: 409 when the margins do not fit the responses (naming the variable,
 * the category, how many respondents and a few response ids), 422 when the bounds and the margins cannot both hold
 * (with the range the margins need).
 */
export function weightingProblem(error: unknown): unknown {
  if (error instanceof RakingError) {
    return problem('weightingFailed', { variable: error.variable, category: error.category, ...error.subjects, reason: error.message });
  }
  if (error instanceof TrimmingError) return problem('trimmingImpossible', { ...error.details, reason: error.message });
  return error;
}

function populationOnly(surveyParam: string): SurveyId {
  const survey = requireSurvey(surveyParam);
  if (survey !== 'population') throw problem('notWeighted', { survey });
  return survey;
}

export class WeightingService {
  constructor(
    private readonly store: ResponseStore & SettingsStore, private readonly validators: Validators, private readonly audit: Audit,
    /** The survey data every analytic reader shares (analysis-dataset.ts). */
    readonly dataset: AnalysisDataset = new AnalysisDataset(store),
  ) {}

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
    return variableCodes('population', variable) ?? [];
  }

  /**
   * The raking design of a view to the survey's margins (coordinators' margins restricted to their regions), built
   * from the margin columns of the view's counted responses in their order; cached with the view (survey, scope,
   * data version), the margins and the options, so tallies, indicators and export weights of one data version rake
   * once. When the view only adds responses to the last one designed (analysis-dataset.ts `fold`), their margin
   * columns are appended to the last ones and the raking starts from the last weights. A raking or trimming failure
   * is thrown as is (see weightingProblem).
   */
  design(view: DatasetView, margins: MarginsBody, actor: Actor, options: RakeOptions = {}): Promise<CellDesign> {
    const regions = actor.role === 'coordinator' ? actor.regions : [];
    const name = JSON.stringify(['design', margins.variables, regions, options]);
    return this.dataset.cached(JSON.stringify([name, view.key]), () => this.dataset.fold(name, view, {
      start: () => ({ builder: new ColumnsBuilder({ margins: margins.variables, by: [], items: [] }), previous: undefined as CellDesign | undefined }),
      add: (state, r) => state.builder.add(r, r.id),
      finish: (state) => {
        const columns = state.builder.done();
        state.previous = designFor(columns.n, rakingMargins(margins, regions), columns.margins, options, state.previous);
        return state.previous;
      },
    }));
  }

  /**
   * Each counted response's weight, raked to the margins over what the actor may see (within `trim` bounds when
   * given); null when the responses cannot be weighted (a margin category nobody is in) or the survey is not
   * weighted. Bounds that the margins rule out are a 422 problem, never weights that miss the margins.
   */
  async weightsFor(survey: SurveyId, actor: Actor, options: { trim?: { lower: number; upper: number } } = {}): Promise<Map<string, number> | null> {
    if (survey !== 'population') return null;
    const margins = await this.margins(survey);
    const view = await this.dataset.view(survey, actor);
    try {
      const weights = respondentWeights(await this.design(view, margins, actor, { tolerance: 1e-10, ...(options.trim ? { trim: options.trim } : {}) }));
      return new Map(view.counted.map((r, i) => [r.id, weights[i] as number]));
    } catch (error) {
      if (error instanceof RakingError) return null;
      throw weightingProblem(error);
    }
  }
}
