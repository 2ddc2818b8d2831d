/**
 * One analysis dataset per survey, read from the store once and kept up to date by reading only what changed: the
 * tallies, the indicator matrix, the export's weights and fieldwork monitoring all read their responses here, so a
 * request no longer re-reads and re-parses the whole survey, and raking runs once per data version, not per GET.
 *
 * What is kept: every response of a survey (all statuses: a review can make one count again), with its derived
 * variables as stored at write. Who sees what is a view: the responses that count (domain/counting.ts) within the
 * actor's scope (domain/access.ts scopeFilter), in stored order. Results computed from a view (a raking design,
 * a report) are cached under the view's key, which names the survey, the scope and the data version; any change
 * read from the store bumps the version, so nothing stale is ever served.
 *
 * Keeping up: each read asks the store for the responses whose `updatedAt` is at or after the newest one already
 * held less CHANGE_OVERLAP_MS (an index range: a handful of rows when nothing happened). The overlap covers a write
 * whose clock reading preceded another's commit (slow requests, app instances' clocks within a minute of each
 * other, as for quota reservations' grace); a response is applied again only if its revision, time or over-quota
 * mark differ from what is held. A count of the survey's responses that disagrees with what is held (a write older
 * than the overlap, committed late) reloads the survey from scratch.
 *
 * Appending: while the store's changes only add responses (none changed, reviewed or withdrawn), a new data version
 * holds the previous one's responses in the same order with the new ones after them, and a view says so (`extends`):
 * results built by folding a view's counted responses in order (`fold`: coded columns, the raking design) then add
 * only the new responses to what they held. Any change to a held response starts them again from the first.
 *
 * Questionnaire versions: a response is held as the current version reads it (schemas/versions.ts mapToCurrent, by
 * item id), with the current items its own version did not have (`notAsked`), so every reader sees one layout.
 */
import type { SurveyId } from '../../schemas/surveys.js';
import { absentItems, mapToCurrent } from '../../schemas/versions.js';
import { scopeFilter } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { counts } from '../domain/counting.js';
import type { StoredResponse } from '../domain/response.js';
import type { ResponseFilter, ResponseStore } from '../store/store.port.js';

/** How far behind the newest change already held a re-read starts (see above). */
export const CHANGE_OVERLAP_MS = 60_000;

/** Cached results kept per dataset (designs, coded columns, reports): the most recently used ones. */
const CACHE_ENTRIES = 256;

/** A survey's responses as held, with the version every cached result is keyed by. */
interface SurveyRows {
  responses: AnalysedResponse[];
  index: Map<string, number>;
  /** What each held response looked like (revision, updatedAt, over-quota mark): a re-read response is applied only if this changed. */
  signatures: string[];
  /** The newest updatedAt held (ISO), the start of the next re-read less the overlap. */
  newest: string | null;
  version: number;
  /** The oldest data version whose responses are still held as they were, in order, with only new ones after them. */
  appendedSince: number;
}

/** The responses an actor may see, and of those the ones that count, with the key results from them are cached by. */
export interface DatasetView {
  survey: SurveyId;
  /** Survey, scope and data version: any change to what the view holds changes it. */
  key: string;
  /** Survey and scope: the views of one scope, whatever the data version. */
  scope: string;
  /**
   * This view's counted responses are those of the view `key` (its first `counted`, the same objects in the same
   * order) followed by new ones; null when anything else changed since the last view of this scope.
   */
  extends: { key: string; counted: number } | null;
  /** Counted responses in scope, in stored order. */
  counted: readonly AnalysedResponse[];
  /** Every response in scope (all statuses), in stored order. */
  all: readonly AnalysedResponse[];
}

/** A stored response as the analytic readers see it: in the current questionnaire version. */
export type AnalysedResponse = StoredResponse & { notAsked?: ReadonlySet<string> };

function asCurrent(r: StoredResponse): AnalysedResponse {
  const answers = mapToCurrent(r.survey, r.questionnaireVersion, r.answers);
  const notAsked = absentItems(r.survey, r.questionnaireVersion);
  return answers === r.answers && notAsked.size === 0 ? r : { ...r, answers, notAsked };
}

const signature = (r: StoredResponse) => `${r.revision}|${r.updatedAt}|${(r.overQuota ?? []).join(',')}`;

export class AnalysisDataset {
  private readonly surveys = new Map<SurveyId, SurveyRows>();
  /** One refresh at a time per survey: concurrent requests share the store reads. */
  private readonly refreshing = new Map<SurveyId, Promise<SurveyRows>>();
  private readonly views = new Map<string, DatasetView>();
  /** The last view of each scope, with its data version and how many held responses it was made from. */
  private readonly lastViews = new Map<string, { view: DatasetView; version: number; held: number }>();
  private readonly results = new Map<string, Promise<unknown>>();
  /** Each fold's state and result at the last view it was asked for. */
  private readonly folds = new Map<string, { key: string; counted: number; state: unknown; result: unknown }>();

  constructor(private readonly store: ResponseStore, private readonly options: { overlapMs?: number } = {}) {}

  /** The actor's view of a survey, up to date with the store. */
  async view(survey: SurveyId, actor: Actor): Promise<DatasetView> {
    const rows = await this.refresh(survey);
    const scope = scopeFilter<ResponseFilter>(actor, { survey });
    const scopeKey = `${survey}|${JSON.stringify([scope.regions ?? null, scope.interviewer ?? null])}`;
    const key = `${scopeKey}|${rows.version}`;
    const cached = this.views.get(key);
    if (cached) return cached;
    const regions = scope.regions ? new Set(scope.regions) : null;
    const inScope = (r: AnalysedResponse) => (regions === null || (r.region !== null && regions.has(r.region))) && (scope.interviewer === undefined || r.interviewer === scope.interviewer);
    const last = this.lastViews.get(scopeKey);
    // Only appended since the last view of this scope: it is this view's beginning.
    const appended = last !== undefined && last.version >= rows.appendedSince && last.version < rows.version ? last : null;
    const fresh = rows.responses.slice(appended?.held ?? 0).filter(inScope);
    const all = appended ? [...appended.view.all, ...fresh] : fresh;
    const counted = appended ? [...appended.view.counted, ...fresh.filter((r) => counts(r.status))] : all.filter((r) => counts(r.status));
    const view: DatasetView = {
      survey, key, scope: scopeKey, all, counted, extends: appended ? { key: appended.view.key, counted: appended.view.counted.length } : null,
    };
    remember(this.views, key, view);
    remember(this.lastViews, scopeKey, { view, version: rows.version, held: rows.responses.length });
    return view;
  }

  /**
   * A result folded from a view's counted responses in order (`add` each into the state from `start`, then
   * `finish`), kept per name and scope: when the view extends the one the fold last saw, only the new responses are
   * added to its state. `finish` must not hand out what later `add`s change. A failure forgets the fold.
   */
  fold<S, T>(name: string, view: DatasetView, steps: { start(): S; add(state: S, r: AnalysedResponse): void; finish(state: S): T }): T {
    const slot = JSON.stringify([name, view.scope]);
    const held = this.folds.get(slot);
    if (held?.key === view.key) return held.result as T;
    const resume = held !== undefined && view.extends !== null && held.key === view.extends.key && held.counted === view.extends.counted;
    this.folds.delete(slot);
    const state = resume ? (held.state as S) : steps.start();
    for (let i = resume ? held.counted : 0; i < view.counted.length; i += 1) steps.add(state, view.counted[i] as AnalysedResponse);
    const result = steps.finish(state);
    remember(this.folds, slot, { key: view.key, counted: view.counted.length, state, result });
    return result;
  }

  /**
   * A result computed from views, cached under `key` (which must name every view's key and every other input) until
   * one of them changes. A failed computation is not kept.
   */
  cached<T>(key: string, make: () => Promise<T> | T): Promise<T> {
    const hit = this.results.get(key);
    if (hit) {
      // Most recently used last: the oldest entries are the ones dropped.
      this.results.delete(key);
      this.results.set(key, hit);
      return hit as Promise<T>;
    }
    const made = Promise.resolve().then(make);
    remember(this.results, key, made);
    made.catch(() => this.results.delete(key));
    return made;
  }

  private refresh(survey: SurveyId): Promise<SurveyRows> {
    const previous = this.refreshing.get(survey) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.catchUp(survey));
    this.refreshing.set(survey, next);
    return next;
  }

  private async catchUp(survey: SurveyId): Promise<SurveyRows> {
    const held = this.surveys.get(survey);
    if (!held) return this.load(survey);
    // Counted first: responses arriving during the re-read only add to what is held, never make it look short.
    const stored = await this.store.countResponses({ survey });
    const overlap = this.options.overlapMs ?? CHANGE_OVERLAP_MS;
    const since = held.newest === null ? undefined : new Date(Date.parse(held.newest) - overlap).toISOString();
    let changed = false;
    let replaced = false;
    for await (const r of this.store.streamResponses({ survey, ...(since ? { changedSince: since } : {}) })) {
      const at = held.index.get(r.id);
      if (at === undefined) {
        held.index.set(r.id, held.responses.length);
        held.responses.push(asCurrent(r));
        held.signatures.push(signature(r));
      } else if (held.signatures[at] !== signature(r)) {
        held.responses[at] = asCurrent(r);
        held.signatures[at] = signature(r);
        replaced = true;
      } else continue;
      changed = true;
      if (held.newest === null || r.updatedAt > held.newest) held.newest = r.updatedAt;
    }
    if (held.responses.length < stored) return this.load(survey);
    if (changed) held.version += 1;
    if (replaced) held.appendedSince = held.version;
    return held;
  }

  /** Every response of the survey, read afresh. */
  private async load(survey: SurveyId): Promise<SurveyRows> {
    const version = (this.surveys.get(survey)?.version ?? 0) + 1;
    const rows: SurveyRows = { responses: [], index: new Map(), signatures: [], newest: null, version, appendedSince: version };
    for await (const r of this.store.streamResponses({ survey })) {
      rows.index.set(r.id, rows.responses.length);
      rows.responses.push(asCurrent(r));
      rows.signatures.push(signature(r));
      if (rows.newest === null || r.updatedAt > rows.newest) rows.newest = r.updatedAt;
    }
    this.surveys.set(survey, rows);
    return rows;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.set(key, value);
  while (map.size > CACHE_ENTRIES) map.delete(map.keys().next().value as string);
}
