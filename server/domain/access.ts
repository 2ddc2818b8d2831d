/**
 * Row-level access: which responses an actor may see. Interviewers see only their own; a coordinator scoped to
 * regions sees only those; analysts see all but not who interviewed. Applied to lists, reads and exports alike, by
 * narrowing the store filter rather than filtering afterwards, so counts and pages never leak.
 */
import { interviewerItems } from '../../schemas/survey-definition.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { Actor } from './actor.js';
import type { ResponseReceipt } from './response.js';

/** A coordinator limited to some regions (everyone else's row-level scope is not by region). */
export function isRegionScoped(actor: Actor): boolean {
  return actor.role === 'coordinator' && actor.regions.length > 0;
}

/**
 * Whether an actor may hear of a change that concerns these regions: undefined means the whole survey (a plan
 * replaced, a quota cell that is in no region), null a response without a region (only unscoped staff see those).
 */
export function canHear(actor: Actor, regions: ReadonlyArray<string | null> | undefined): boolean {
  if (!isRegionScoped(actor) || regions === undefined) return true;
  return regions.some((r) => r !== null && actor.regions.includes(r));
}

export interface ScopableFilter {
  region?: string;
  regions?: string[];
  interviewer?: string;
}

/** The filter narrowed to what the actor may see. A filter outside the actor's scope matches nothing. */
export function scopeFilter<F extends ScopableFilter>(actor: Actor, filter: F): F {
  const scoped: F = { ...filter };
  if (actor.role === 'interviewer') {
    if (filter.interviewer !== undefined && filter.interviewer !== actor.username) scoped.regions = [];
    scoped.interviewer = actor.username ?? '\u0000';
  }
  // Analysts do not see who interviewed: a filter by interviewer would tell them, so it matches nothing.
  if (actor.role === 'analyst' && filter.interviewer !== undefined) scoped.regions = [];
  if (isRegionScoped(actor)) {
    scoped.regions = filter.region === undefined ? [...actor.regions] : actor.regions.filter((r) => r === filter.region);
  }
  return scoped;
}

/** Whether the actor may see one response. */
export function canSee(actor: Actor, response: Pick<ResponseReceipt, 'interviewer' | 'region'>): boolean {
  if (actor.role === 'interviewer') return response.interviewer !== null && response.interviewer === actor.username;
  if (isRegionScoped(actor)) return response.region !== null && actor.regions.includes(response.region);
  return actor.role !== null;
}

/**
 * What an analyst gets: the response without who conducted it. The submission hash goes too: it covers the
 * original answers, so trying candidate interviewer ids against it would reveal the one removed.
 */
export function redactFor<R extends Pick<ResponseReceipt, 'survey' | 'interviewer' | 'answers'> & { submissionHash?: string }>(actor: Actor, response: R): R {
  if (actor.role !== 'analyst') return response;
  const answers = { ...response.answers };
  for (const id of interviewerItems(response.survey)) delete answers[id];
  const { submissionHash: _hash, ...rest } = response;
  return { ...rest, interviewer: null, answers } as R;
}

/** Changes of a revision as an actor may see them: analysts do not see interviewer items change. */
export function visibleChanges<C extends { item: string }>(actor: Actor, survey: SurveyId, changes: C[] | undefined): C[] | undefined {
  if (actor.role !== 'analyst' || changes === undefined) return changes;
  const hidden = interviewerItems(survey);
  return changes.filter((c) => !hidden.includes(c.item));
}
