/**
 * What a coordinator's review screen reads: the list of responses with the quality flags and over-quota marks
 * fieldwork monitoring computes, filtered, counted per status, sorted by received time or interview length and paged
 * by cursor; and one response with everything a reviewer weighs (its flags and why, its seconds per section beside
 * the medians, the quota cells it counts in, its revisions). Writes go through ResponsesService.review and submit.
 *
 * Flags depend on the other responses (a speeder is judged against the median, a duplicate against the rest), so
 * the list is computed over every response the actor may see, as the fieldwork report is: a few thousand per
 * survey, read once per request. Scope is the store filter's (scopeFilter), so a region-scoped coordinator's list,
 * counts, medians and detail never include another region's response.
 */
import type { ResponseStatus } from '../../schemas/api.js';
import { RESPONSE_STATUSES } from '../../schemas/api.js';
import type { ReviewDetail, ReviewList, ReviewRow } from '../../schemas/generated/api.types.js';
import { questionnaires, type SurveyId } from '../../schemas/surveys.js';
import { canSee, redactFor, scopeFilter, visibleChanges } from '../domain/access.js';
import { counts } from '../domain/counting.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import { matchCells } from '../domain/quotas/matching.js';
import { interviewSeconds, median, qualityFlags, type QualityFlag, type QualityFlagKind } from '../domain/quotas/quality.js';
import { receiptOf, type StoredResponse } from '../domain/response.js';
import type { ResponseFilter, ResponseStore, SettingsStore } from '../store/store.port.js';
import { loadPlan } from './quotas.service.js';
import { requireSurvey, toFilter, type ResponseSelection } from './responses.service.js';

export interface ReviewQuery {
  status?: ResponseStatus;
  region?: string;
  interviewer?: string;
  flag?: QualityFlagKind;
  overQuota?: 'true';
  since?: string;
  until?: string;
  id?: string;
  sort?: 'received' | '-received' | 'duration' | '-duration';
  limit?: string;
  cursor?: string;
}

/** The review list's filters, sort and page, as typed parameters (the route reads them from the query string). */
export interface ReviewParams extends ResponseSelection {
  flag?: QualityFlagKind;
  overQuota?: boolean;
  /** A response id or its first characters. */
  id?: string;
  sort?: 'received' | '-received' | 'duration' | '-duration';
  limit?: number;
  cursor?: string;
}

/** The list, a row of it and the detail are what the API answers: schemas/api/review-list and review-detail. */
export type { ReviewDetail, ReviewList, ReviewRow };

const DEFAULT_PAGE = 50;

/** Sort key of a row: its received time, or its length (unknown lengths last whichever way). */
function sortKey(row: ReviewRow, sort: NonNullable<ReviewQuery['sort']>): string | number {
  if (sort === 'received' || sort === '-received') return row.receivedAt;
  return row.durationSeconds ?? (sort === 'duration' ? Number.MAX_SAFE_INTEGER : -1);
}

/** Where a row stands against a position (key, id) in the sort order. */
function comparePosition(row: ReviewRow, position: { key: string | number; id: string }, sort: NonNullable<ReviewQuery['sort']>): number {
  const key = sortKey(row, sort);
  const sign = sort.startsWith('-') ? -1 : 1;
  if (key !== position.key) return (key < position.key ? -1 : 1) * sign;
  return (row.id < position.id ? -1 : row.id > position.id ? 1 : 0) * sign;
}

const compare = (a: ReviewRow, b: ReviewRow, sort: NonNullable<ReviewQuery['sort']>) => comparePosition(a, { key: sortKey(b, sort), id: b.id }, sort);

/** The cursor is the last row's (key, id): pages stay put when responses arrive meanwhile. */
function encodePosition(row: ReviewRow, sort: NonNullable<ReviewQuery['sort']>): string {
  return Buffer.from(JSON.stringify([sort, sortKey(row, sort), row.id])).toString('base64url');
}

function decodePosition(cursor: string, sort: NonNullable<ReviewQuery['sort']>): { key: string | number; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value[0] === sort && (typeof value[1] === 'string' || typeof value[1] === 'number') && typeof value[2] === 'string') {
      return { key: value[1], id: value[2] };
    }
  } catch {
    // not ours: fall through
  }
  return null;
}

export class ReviewService {
  constructor(private readonly store: ResponseStore & SettingsStore) {}

  /** Every response the actor may see, with the quality flags over those (as fieldwork monitoring computes them). */
  private async scoped(survey: SurveyId, actor: Actor, filter: Partial<ResponseFilter> = {}): Promise<{ responses: StoredResponse[]; flags: QualityFlag[] }> {
    const responses: StoredResponse[] = [];
    for await (const r of this.store.streamResponses(scopeFilter<ResponseFilter>(actor, { survey, ...filter }))) responses.push(r);
    const flags = qualityFlags(responses.filter((r) => counts(r.status)).map((r) => ({ id: r.id, survey: r.survey, answers: r.answers, meta: r.meta })));
    return { responses, flags };
  }

  async list(surveyParam: string, q: ReviewParams, actor: Actor): Promise<ReviewList> {
    const survey = requireSurvey(surveyParam);
    const sort = q.sort ?? '-received';
    const after = q.cursor === undefined ? undefined : decodePosition(q.cursor, sort);
    if (after === null) throw problem('invalidQuery', { errors: [{ path: '/cursor', item: null, keyword: 'cursor', message: 'is not a cursor this server issued for this sort' }] });
    const { status: _status, ...narrowing } = toFilter(survey, q);
    const { responses, flags } = await this.scoped(survey, actor);
    const flagsOf = new Map<string, QualityFlagKind[]>();
    for (const f of flags) flagsOf.set(f.response, [...(flagsOf.get(f.response) ?? []), f.flag]);
    const analyst = actor.role === 'analyst';
    const idPrefix = q.id?.toLowerCase();
    const rows = responses
      .filter((r) => (narrowing.region === undefined || r.region === narrowing.region)
        && (narrowing.interviewer === undefined || r.interviewer === narrowing.interviewer)
        && (narrowing.since === undefined || r.receivedAt >= narrowing.since)
        && (narrowing.until === undefined || r.receivedAt < narrowing.until)
        && (idPrefix === undefined || r.id.startsWith(idPrefix))
        && (q.flag === undefined || (flagsOf.get(r.id) ?? []).includes(q.flag))
        && (q.overQuota !== true || (r.overQuota?.length ?? 0) > 0))
      .map((r): ReviewRow => ({
        id: r.id, status: r.status, region: r.region, interviewer: analyst ? null : r.interviewer, receivedAt: r.receivedAt, updatedAt: r.updatedAt,
        durationSeconds: interviewSeconds(r.meta), language: r.meta.language, revision: r.revision, flags: flagsOf.get(r.id) ?? [], overQuota: r.overQuota ?? [],
      }));
    // An analyst filtering by interviewer would learn who interviewed: as in the listing, that matches nothing.
    const visible = analyst && q.interviewer !== undefined ? [] : rows;
    const counts = Object.fromEntries(RESPONSE_STATUSES.map((s) => [s, 0])) as Record<ResponseStatus, number>;
    for (const r of visible) counts[r.status] += 1;
    const matching = visible.filter((r) => q.status === undefined || r.status === q.status).sort((a, b) => compare(a, b, sort));
    const start = after ? matching.findIndex((r) => comparePosition(r, after, sort) > 0) : 0;
    const from = start < 0 ? matching.length : start;
    const limit = q.limit ?? DEFAULT_PAGE;
    const items = matching.slice(from, from + limit);
    const last = items.at(-1);
    return { items, counts, total: matching.length, next: last && from + limit < matching.length ? encodePosition(last, sort) : null };
  }

  async detail(surveyParam: string, id: string, actor: Actor): Promise<ReviewDetail> {
    const survey = requireSurvey(surveyParam);
    const response = await this.store.findResponseById(id.toLowerCase());
    if (!response || response.survey !== survey || !canSee(actor, response)) throw problem('responseNotFound', { id });
    const { responses, flags } = await this.scoped(survey, actor);
    const order = questionnaires[survey]['x-csi-sections'].map((s) => s.id);
    const durations = response.meta.sectionDurations ?? {};
    const sectionMedian = (section: string) => median(responses.flatMap((r) => (r.meta.sectionDurations?.[section] === undefined ? [] : [r.meta.sectionDurations[section] as number])));
    const plan = await loadPlan(this.store, survey);
    const analyst = actor.role === 'analyst';
    return {
      response: redactFor(actor, receiptOf(response)),
      revisions: response.revisions.map((rev) => {
        const changes = visibleChanges(actor, survey, rev.changes);
        return { ...rev, actor: analyst ? null : rev.actor, ...(changes ? { changes } : {}) };
      }),
      flags: flags.filter((f) => f.response === response.id).map(({ flag, detail }) => ({ flag, detail })),
      durationSeconds: interviewSeconds(response.meta),
      medianSeconds: median(responses.flatMap((r) => {
        const s = interviewSeconds(r.meta);
        return s === null ? [] : [s];
      })),
      sections: [...order.filter((s) => s in durations), ...Object.keys(durations).filter((s) => !order.includes(s))]
        .map((s) => ({ id: s, seconds: durations[s] as number, medianSeconds: sectionMedian(s) })),
      quotaCells: plan ? matchCells(plan, response.answers).flatMap((m) => (m.status === 'matched' ? [{ quota: m.quota, categories: m.categories }] : [])) : [],
    };
  }
}
