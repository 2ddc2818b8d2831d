/**
 * Fieldwork monitoring for coordinators: per interviewer, per region and per day (domain/quotas/monitoring.ts),
 * quality flags with the responses they concern (domain/quotas/quality.ts), responses accepted over quota, and a
 * region x age-band table of counted interviews against the plan's targets when the plan has that quota. Always
 * computed over what the actor may see, from the analysis dataset (kept up to date with the store); analysts get no
 * per-interviewer figures (they are not told who interviewed).
 */
import type { FieldworkReport } from '../../schemas/generated/api.types.js';
import { regionItem, variableCodes } from '../../schemas/survey-definition.js';
import type { Actor } from '../domain/actor.js';
import { counts, isFieldworkWork } from '../domain/counting.js';
import { problem } from '../domain/problems.js';
import type { QuotaPlan } from '../domain/quotas/plan.js';
import { fieldworkSummary, type MonitoredResponse } from '../domain/quotas/monitoring.js';
import { flagsByResponse, qualityFlags, type CheckedResponse } from '../domain/quotas/quality.js';
import type { StoredResponse } from '../domain/response.js';
import type { Store } from '../store/store.port.js';
import { AnalysisDataset } from './analysis-dataset.js';
import { loadPlan } from './quotas.service.js';
import { requireSurvey, type Clock } from './responses.service.js';

/** Almaty time (UTC+6), where "today" is judged unless the caller says otherwise. */
export const DEFAULT_UTC_OFFSET = 360;

export interface FieldworkParams {
  /** Where "today" is judged, in minutes east of UTC (default Almaty). */
  utcOffsetMinutes?: number;
}

// What the route answers is described once, in schemas/api/fieldwork-report.schema.json; the service is held to it.
export type { FieldworkReport, HeatCell } from '../../schemas/generated/api.types.js';

/** The heat table crosses the population survey's region item with its age band (a derived variable). */
const REGION = regionItem('population');
const BAND = 'ps_age_band';

/** The plan's quota on exactly region x age band, if any: its targets fill the heat table. */
function heatTargets(plan: QuotaPlan | null): Map<string, number> {
  const quota = plan?.quotas.find((q) => q.variables.length === 2 && q.variables.includes(REGION) && q.variables.includes(BAND));
  const targets = new Map<string, number>();
  for (const c of quota?.cells ?? []) targets.set(`${c.categories[REGION]}|${c.categories[BAND]}`, c.target);
  return targets;
}

function heatTable(responses: readonly StoredResponse[], plan: QuotaPlan | null, actor: Actor): FieldworkReport['heat'] {
  const scoped = actor.role === 'coordinator' && actor.regions.length > 0;
  const regions = (variableCodes('population', REGION) ?? []).filter((r) => !scoped || actor.regions.includes(r));
  const bands = variableCodes('population', BAND) ?? [];
  const achieved = new Map<string, number>();
  for (const r of responses) {
    if (!counts(r.status)) continue;
    const key = `${String(r.answers[REGION])}|${String(r.derived[BAND])}`;
    achieved.set(key, (achieved.get(key) ?? 0) + 1);
  }
  const targets = heatTargets(plan);
  const cells = regions.flatMap((region) => bands.map((band) => ({ region, band, achieved: achieved.get(`${region}|${band}`) ?? 0, target: targets.get(`${region}|${band}`) ?? null })));
  return { regions, bands, cells };
}

export class FieldworkService {
  constructor(
    private readonly store: Store, private readonly clock: Clock,
    /** The survey data the analytic readers share (analysis-dataset.ts): monitoring reads it rather than the store. */
    private readonly dataset: AnalysisDataset = new AnalysisDataset(store),
  ) {}

  async fieldwork(surveyParam: string, params: FieldworkParams, actor: Actor): Promise<FieldworkReport> {
    const survey = requireSurvey(surveyParam);
    const utcOffsetMinutes = params.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET;
    if (utcOffsetMinutes < -720 || utcOffsetMinutes > 840) {
      throw problem('invalidQuery', { errors: [{ path: '/utcOffset', item: null, keyword: 'maximum', message: 'an offset is between -720 and 840 minutes' }] });
    }
    const responses = (await this.dataset.view(survey, actor)).all.filter((r) => isFieldworkWork(r.status));
    const checked: CheckedResponse[] = responses.filter((r) => counts(r.status)).map((r) => ({ id: r.id, survey: r.survey, answers: r.answers, meta: r.meta }));
    const flags = qualityFlags(checked);
    const now = this.clock().toISOString();
    const summary = fieldworkSummary(responses as MonitoredResponse[], { now, utcOffsetMinutes, flagged: new Set(flagsByResponse(flags).keys()) });
    const byId = new Map(responses.map((r) => [r.id, r]));
    const analyst = actor.role === 'analyst';
    const who = (r: StoredResponse | undefined) => (analyst ? null : (r?.interviewer ?? null));
    const plan = await loadPlan(this.store, survey);
    return {
      survey, at: now, utcOffsetMinutes, ...summary,
      interviewers: analyst ? [] : summary.interviewers,
      flags: flags.map((f) => {
        const r = byId.get(f.response) as StoredResponse;
        return { ...f, interviewer: who(r), region: r.region, status: r.status, receivedAt: r.receivedAt };
      }),
      overQuota: responses.filter((r) => (r.overQuota?.length ?? 0) > 0).map((r) => ({ response: r.id, quotas: r.overQuota ?? [], interviewer: who(r), region: r.region })),
      heat: survey === 'population' ? heatTable(responses, plan, actor) : null,
    };
  }
}
