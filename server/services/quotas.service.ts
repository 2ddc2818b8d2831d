/**
 * Quotas as coordinators and interviewers use them: the plan (set as JSON or imported from CSV, or drafted by the
 * allocation helper), screening with reservations, consumption at submission and release on rejection, and
 * progress per cell. The guarantee that a cell never overshoots under `refuse` lives in the store's slots (see
 * domain/quotas/slots.ts); this service only decides which slots to claim and what the answers mean.
 *
 * A reservation's id is the response id the form minted before screening, so one reservation can only ever be
 * consumed by one response (the store's consumption is not atomic on FerretDB). A submission is never refused for a
 * quota: a response that finds its cell full (flag policy, an interview completed offline, a lapsed reservation)
 * is accepted and marked `overQuota`; refusing happens at screening, before anybody's time is spent.
 */
import type { ResponseStatus } from '../../schemas/api.js';
import type { QuotaProgress, QuotaStatus } from '../../schemas/generated/api.types.js';
import type { RuleParams } from '../../schemas/quota-plan-rules.js';
import { regionItem, regionOf } from '../../schemas/survey-definition.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { canSee, isRegionScoped } from '../domain/access.js';
import { counts } from '../domain/counting.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import { AllocationError, allocateFromJoint, allocateFromMargins, shareVariables, type ShareVariable } from '../domain/quotas/allocation.js';
import { matchCells, planCells, type CellMatch } from '../domain/quotas/matching.js';
import { quotaPlanFromCsv } from '../domain/quotas/plan-csv.js';
import { checkQuotaPlan, makeQuotaPlan, planSpace, type PlanError, type Quota, type QuotaPlan, type QuotaPolicy } from '../domain/quotas/plan.js';
import { carryOverClaims, quotaProgress, type CellProgress } from '../domain/quotas/progress.js';
import { cellsToClaim, decideScreening, type ScreeningDecision } from '../domain/quotas/screening.js';
import { isLiveReservation, type QuotaSlot } from '../domain/quotas/slots.js';
import { receiptOf, type StoredResponse } from '../domain/response.js';
import type { Store } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import type { FieldworkEvents, FieldworkEventKind } from './fieldwork-events.js';
import { requireSurvey, type Clock, type ResponseHooks } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';
import type { WeightingService } from './weighting.service.js';
import { mapToCurrent } from '../../schemas/versions.js';

/** How long a reservation holds its slot: a long interview plus travel to a connection (interviews take ~40 min). */
export const RESERVATION_MS = 3 * 60 * 60_000;

/**
 * Live reservations one person may hold in one cell at a time: an interviewer screens one respondent after another,
 * so a few cover a real doorstep, and screening made-up ids cannot close a cell for everyone else.
 */
export const MAX_LIVE_RESERVATIONS = 3;

export interface QuotaOptions {
  reservationMs?: number;
  maxLiveReservations?: number;
}

/** The region of a quota cell; undefined for a cell that is in no region (it concerns the whole survey). */
function cellRegion(survey: SurveyId, categories: Record<string, string>): string | undefined {
  return categories[regionItem(survey)];
}

/** Regions of the cells a change touched; undefined (the whole survey) when one of them is in no region. */
function regionsOfCells(survey: SurveyId, cells: ReadonlyArray<{ categories: Record<string, string> }>): string[] | undefined {
  const regions = cells.map((c) => cellRegion(survey, c.categories));
  return regions.every((r) => r !== undefined) ? (regions as string[]) : undefined;
}

const planKey = (survey: SurveyId) => `quotas:${survey}`;

/**
 * Set once the responses that count hold their slots in a plan version's key space, the ones accepted over quota
 * included. Plans stored before slots beyond the target existed (and before has_issues counted) are brought there
 * by one carry-over, the first time their progress or status is asked for; every later answer reads the slots.
 */
const countedKey = (space: string) => `quota-counts:${space}`;

export interface QuotaPlanInput {
  policy?: QuotaPolicy;
  countStatuses?: ResponseStatus[];
  quotas: Quota[];
}

interface AllocationInput {
  total: number;
  minimum?: number;
  policy?: QuotaPolicy;
  quotas: Array<{ id?: string; label?: string; variables: string[]; total?: number; minimum?: number; shares?: Record<string, Record<string, number>>; joint?: Array<{ categories: Record<string, string>; share: number }> }>;
}

export interface ScreeningResult extends ScreeningDecision {
  planVersion: number;
  /** The slots held for the response id, until `expiresAt`; null when no quota cell matched. */
  reservation: { id: string; expiresAt: string; cells: string[] } | null;
}

/**
 * What the form keeps for offline screening: the plan's variables and which cells are full (no counts, so it is
 * safe for interviewers, who see nobody else's work), as of `at`.
 */
// What status and progress answer is described once, in schemas/api/; the service is held to it by these types.
export type { QuotaProgress, QuotaStatus } from '../../schemas/generated/api.types.js';

/** Plan errors in the shared `{path, item, keyword, message}` shape; item is the variable a path names, if any. */
function planErrors(errors: ReadonlyArray<PlanError>): Array<{ path: string; item: string | null; keyword: string; params?: RuleParams; message: string }> {
  return errors.map((e) => ({ path: e.path, item: e.item ?? /\/(?:categories|collapse)\/([^/]+)$/.exec(e.path)?.[1] ?? null, keyword: e.keyword, ...(e.params ? { params: e.params } : {}), message: e.message }));
}

/** The plan readers see: the newest published version (see replacePlan). */
export async function loadPlan(store: Pick<Store, 'listSettingVersions'>, survey: SurveyId): Promise<QuotaPlan | null> {
  const [latest] = await store.listSettingVersions(planKey(survey), { limit: 1, published: true });
  return latest ? (latest.value as QuotaPlan) : null;
}

/** Rounds a replacement without If-Match retries after losing its version number to another. */
const REPLACE_ROUNDS = 10;

/** Versions kept in the history a coordinator sees (the store keeps every one). */
export const PLAN_HISTORY = 50;

export interface PlanVersion {
  version: number;
  at: string;
  by: string | null;
  plan: QuotaPlan;
}

const matchedCells = (matches: readonly CellMatch[]) => matches.flatMap((m) => (m.status === 'matched' ? [m] : []));
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));


/** A response's answers as the current questionnaire version reads them: quota cells are counted across versions. */
const current = (r: StoredResponse): Record<string, unknown> => mapToCurrent(r.survey, r.questionnaireVersion, r.answers);
export class QuotasService {
  constructor(
    private readonly store: Store,
    private readonly validators: Validators,
    private readonly clock: Clock,
    private readonly audit: Audit,
    private readonly weighting: WeightingService,
    private readonly events: FieldworkEvents,
    private readonly options: QuotaOptions = {},
  ) {}

  private get reservationMs(): number {
    return this.options.reservationMs ?? RESERVATION_MS;
  }

  async getPlan(surveyParam: string): Promise<QuotaPlan> {
    const survey = requireSurvey(surveyParam);
    const plan = await loadPlan(this.store, survey);
    if (!plan) throw problem('quotaPlanNotFound', { survey });
    return plan;
  }

  /** The stored versions, newest first (the current one included). */
  async planVersions(surveyParam: string): Promise<{ survey: SurveyId; versions: PlanVersion[] }> {
    const survey = requireSurvey(surveyParam);
    const versions = await this.store.listSettingVersions(planKey(survey), { limit: PLAN_HISTORY, published: true });
    return { survey, versions: versions.map((v) => ({ version: v.version, at: v.at, by: v.by, plan: v.value as QuotaPlan })) };
  }

  /** A plan as JSON; `ifMatch`, the version the editor started from, refuses the change if the plan moved on. */
  async putPlan(surveyParam: string, body: unknown, actor: Actor, ifMatch?: number | null): Promise<QuotaPlan> {
    const survey = requireSurvey(surveyParam);
    const errors = apiErrors(this.validators.api.quotaPlan, body);
    if (errors) throw problem('schemaInvalid', { errors });
    const input = body as QuotaPlanInput;
    return this.replacePlan(survey, input.quotas, { policy: input.policy, countStatuses: input.countStatuses }, actor, ifMatch);
  }

  /** A plan from a spreadsheet (see domain/quotas/plan-csv.ts); every problem reported with its line. */
  async importPlanCsv(surveyParam: string, text: string, options: { policy?: QuotaPolicy; countStatuses?: ResponseStatus[] }, actor: Actor, ifMatch?: number | null): Promise<QuotaPlan> {
    const survey = requireSurvey(surveyParam);
    const parsed = quotaPlanFromCsv(survey, text, options);
    if (!parsed.ok) {
      throw problem('invalidQuotaPlan', { errors: parsed.errors.map((e) => ({ path: `/lines/${e.line}`, item: null, keyword: e.rule, ...(e.params ? { params: e.params } : {}), message: `line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.message}` })) });
    }
    return this.replacePlan(survey, parsed.plan.quotas, options, actor, ifMatch);
  }

  /**
   * Stores a plan as the next version. The number is taken by inserting the version unpublished (a unique key on
   * both stores: of two replacements from one version, one gets it, the other a 412); then responses that count
   * claim their slots in the new key space before the version is published and once more after (new arrivals in
   * between), and the old key space is deleted. A version found unpublished was left so by a crash (or is being
   * published right now): every step is idempotent, so whoever meets it completes it.
   *
   * `ifMatch`: the version the caller edited (If-Match); null when the caller edited no plan (there was none);
   * undefined: replace whatever is current, as before If-Match existed.
   */
  private async replacePlan(survey: SurveyId, quotas: Quota[], options: { policy?: QuotaPolicy | undefined; countStatuses?: ResponseStatus[] | undefined }, actor: Actor, ifMatch?: number | null): Promise<QuotaPlan> {
    for (let attempt = 0; ; attempt += 1) {
      const previous = await loadPlan(this.store, survey);
      const current = previous?.version ?? 0;
      if (ifMatch !== undefined && (ifMatch ?? 0) !== current) throw problem('planChanged', { current, given: ifMatch });
      const plan = makeQuotaPlan(survey, quotas, {
        version: current + 1,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.countStatuses ? { countStatuses: options.countStatuses } : {}),
      });
      const errors = checkQuotaPlan(plan);
      if (errors.length > 0) throw problem('invalidQuotaPlan', { errors: planErrors(errors) });
      const entry = this.audit.entry(actor, 'quotas.updated', planKey(survey), { before: previous ?? undefined, after: plan, details: { version: plan.version } });
      const stored = { key: planKey(survey), version: plan.version, value: plan, at: this.now(), by: actor.username ?? null, published: false };
      if (await this.store.insertSettingVersion(stored, entry)) {
        await this.publish(plan, previous);
        this.emit('plan', survey);
        return plan;
      }
      const other = await this.store.findSettingVersion(planKey(survey), plan.version);
      if (other && !other.published) await this.publish(other.value as QuotaPlan, previous);
      // Without If-Match a lost race is retried on top of the winner (each round someone wins, so n racers need at
      // most n rounds); beyond REPLACE_ROUNDS it is contention no coordinator makes.
      if (ifMatch !== undefined || attempt + 1 >= REPLACE_ROUNDS) throw problem('planChanged', { current: plan.version, given: ifMatch ?? current });
    }
  }

  private async publish(plan: QuotaPlan, previous: QuotaPlan | null): Promise<void> {
    await this.carryOver(plan);
    await this.store.publishSettingVersion(planKey(plan.survey), plan.version);
    await this.carryOver(plan);
    await this.store.putSetting(countedKey(planSpace(plan)), true);
    if (previous) await this.store.deleteQuotaSpace(planSpace(previous));
  }

  private async carryOver(plan: QuotaPlan): Promise<void> {
    const responses: Array<Pick<StoredResponse, 'id' | 'status' | 'answers'>> = [];
    for await (const r of this.store.streamResponses({ survey: plan.survey })) responses.push({ id: r.id, status: r.status, answers: current(r) });
    const now = this.now();
    for (const c of carryOverClaims(plan, responses)) {
      await this.store.claimQuotaSlot({ space: planSpace(plan), cell: c.cell, target: c.target, reservationId: c.responseId, responseId: c.responseId, now, expiresAt: null, overflow: true });
    }
  }

  /** The plan's slots as per-cell counts, after the one-time carry-over of a plan stored by an older release. */
  private async usage(plan: QuotaPlan, now: string) {
    const space = planSpace(plan);
    if ((await this.store.getSetting(countedKey(space))) === null) {
      await this.carryOver(plan);
      await this.store.putSetting(countedKey(space), true);
    }
    return this.store.countQuotaSlots(space, planCells(plan).map((c) => c.cell), now);
  }

  /** A proportional plan to edit (not stored): shares given per variable, else the survey's population margins. */
  async allocate(surveyParam: string, body: unknown): Promise<QuotaPlan> {
    const survey = requireSurvey(surveyParam);
    const errors = apiErrors(this.validators.api.quotaAllocation, body);
    if (errors) throw problem('schemaInvalid', { errors });
    const input = body as AllocationInput;
    const previous = await loadPlan(this.store, survey);
    const quotas: Quota[] = [];
    for (const [i, q] of input.quotas.entries()) {
      try {
        quotas.push(await this.allocateQuota(survey, input, q));
      } catch (error) {
        if (!(error instanceof AllocationError)) throw error;
        throw problem('invalidQuotaPlan', { errors: [{ path: `/quotas/${i}`, item: null, keyword: 'allocation', message: error.message }] });
      }
    }
    const plan = makeQuotaPlan(survey, quotas, { version: (previous?.version ?? 0) + 1, ...(input.policy ? { policy: input.policy } : {}) });
    const problems = checkQuotaPlan(plan);
    if (problems.length > 0) throw problem('invalidQuotaPlan', { errors: planErrors(problems) });
    return plan;
  }

  private async allocateQuota(survey: SurveyId, input: AllocationInput, q: AllocationInput['quotas'][number]): Promise<Quota> {
    const spec = { total: q.total ?? input.total, minimum: q.minimum ?? input.minimum ?? 0, ...(q.id ? { id: q.id } : {}), ...(q.label ? { label: q.label } : {}) };
    if (q.joint) return allocateFromJoint(q.variables, q.joint, spec);
    const fromMargins = q.variables.filter((v) => !q.shares?.[v]);
    let margins: ShareVariable[] = [];
    if (fromMargins.length > 0) {
      if (survey !== 'population') throw new AllocationError(`give shares for ${fromMargins.join(', ')}: only the population survey has margins`);
      margins = shareVariables(await this.weighting.margins(survey), fromMargins);
    }
    const variables = q.variables.map((v) => (q.shares?.[v] ? { variable: v, shares: q.shares[v] } : (margins.find((m) => m.variable === v) as ShareVariable)));
    return allocateFromMargins(variables, spec);
  }

  /**
   * Screening: a slot in every matching cell, held for the response id until the reservation lapses. Under `refuse`
   * a full cell gives back what was claimed and answers 409.6; under `flag` the interview goes on, over quota.
   * The reservation is the screener's: a response id someone else holds is not found, a respondent outside a scoped
   * coordinator's regions too, and beyond `maxLiveReservations` live ones of the screener in a cell it is a 429.3.
   */
  async screen(surveyParam: string, body: unknown, actor: Actor): Promise<ScreeningResult> {
    const survey = requireSurvey(surveyParam);
    const errors = apiErrors(this.validators.api.quotaScreen, body);
    if (errors) throw problem('schemaInvalid', { errors });
    const { responseId: given, answers } = body as { responseId: string; answers: Record<string, unknown> };
    const responseId = given.toLowerCase();
    // Checked on the answers given, when they name a region (a plan need not ask it at screening): the respondent is
    // the one the screener would then interview and submit, and the submission is checked again.
    const region = regionOf(survey, answers);
    if (region !== null && !canSee(actor, { interviewer: actor.username, region })) throw problem('responseNotFound', { id: given });
    const plan = await this.getPlan(survey);
    const owner = actor.username ?? '';
    const existing = await this.store.listQuotaSlots(planSpace(plan), { reservationId: responseId });
    if (existing.some((s) => isLiveReservation(s, this.now()) && s.owner !== owner)) throw problem('reservationNotFound', { id: given });
    const matches = matchCells(plan, answers);
    const missing = matches.flatMap((m) => (m.status === 'missing' ? [{ quota: m.quota, variables: m.variables }] : []));
    if (missing.length > 0) throw problem('screeningIncomplete', { missing });
    const now = this.now();
    const expiresAt = new Date(Date.parse(now) + this.reservationMs).toISOString();
    const claimed = new Map<string, boolean>();
    let foreign = false;
    for (const m of cellsToClaim(matches)) {
      const slot = await this.store.claimQuotaSlot({ space: planSpace(plan), cell: m.cell, target: m.target, reservationId: responseId, owner, now, expiresAt });
      // A claim returns the slot the id already holds: someone else's if they screened under it at the same moment.
      if (slot && slot.responseId === null && slot.owner !== null && slot.owner !== owner) foreign = true;
      claimed.set(m.cell, slot !== null);
    }
    if (foreign) {
      await this.store.cancelQuotaReservation(planSpace(plan), responseId, owner);
      throw problem('reservationNotFound', { id: given });
    }
    const decision = decideScreening(plan.policy, matches, claimed);
    const held = [...claimed].filter(([, ok]) => ok).map(([cell]) => cell);
    const regions = regionsOfCells(survey, matchedCells(matches));
    // Counted after claiming, so that screenings racing each other can only both give back, never both keep.
    const crowded = await this.overLiveCap(plan, owner, held, now);
    if (crowded.length > 0 || decision.decision === 'full') {
      if (held.length > 0) await this.store.cancelQuotaReservation(planSpace(plan), responseId, owner);
      this.emit('reservation', survey, regions);
      if (crowded.length > 0) throw problem('tooManyReservations', { cells: crowded, limit: this.maxLive });
      throw problem('quotaFull', { decision: decision.decision, cells: decision.cells, overQuota: decision.overQuota, planVersion: plan.version });
    }
    if (held.length > 0) this.emit('reservation', survey, regions);
    return { ...decision, planVersion: plan.version, reservation: held.length > 0 ? { id: responseId, expiresAt, cells: held } : null };
  }

  private get maxLive(): number {
    return this.options.maxLiveReservations ?? MAX_LIVE_RESERVATIONS;
  }

  /** Cells among `cells` where the owner now holds more live reservations than allowed (this one included). */
  private async overLiveCap(plan: QuotaPlan, owner: string, cells: readonly string[], now: string): Promise<string[]> {
    if (cells.length === 0) return [];
    const live = (await this.store.listQuotaSlots(planSpace(plan), { owner })).filter((s) => isLiveReservation(s, now));
    return cells.filter((cell) => live.filter((s) => s.cell === cell).length > this.maxLive);
  }

  /** Gives a reservation's unconsumed slots back (the respondent broke off after screening); only its screener may. */
  async cancelReservation(surveyParam: string, id: string, actor: Actor): Promise<void> {
    const plan = await this.getPlan(surveyParam);
    const owner = actor.username ?? '';
    const slots = await this.store.listQuotaSlots(planSpace(plan), { reservationId: id.toLowerCase(), owner });
    const released = await this.store.cancelQuotaReservation(planSpace(plan), id.toLowerCase(), owner);
    if (released === 0) throw problem('reservationNotFound', { id });
    this.emit('reservation', plan.survey, this.regionsOfSlots(plan, slots));
  }

  private regionsOfSlots(plan: QuotaPlan, slots: readonly QuotaSlot[]): string[] | undefined {
    const cells = planCells(plan);
    return regionsOfCells(plan.survey, slots.map((s) => cells.find((c) => c.cell === s.cell) ?? { categories: {} }));
  }

  /**
   * Per cell target, achieved, reserved, remaining and percent, from the slots. A region-scoped coordinator sees the
   * cells of their regions and the cells in no region; those count the whole survey, as their targets do.
   */
  async progress(surveyParam: string, actor: Actor): Promise<QuotaProgress> {
    const plan = await this.getPlan(surveyParam);
    const now = this.now();
    const usage = await this.usage(plan, now);
    const scoped = isRegionScoped(actor);
    const inScope = (c: CellProgress) => {
      const region = cellRegion(plan.survey, c.categories);
      return !scoped || region === undefined || actor.regions.includes(region);
    };
    return { survey: plan.survey, version: plan.version, policy: plan.policy, at: now, cells: quotaProgress(plan, usage).filter(inScope) };
  }

  /** Which cells are full now, counted over every response (not only the caller's), from the slots alone. */
  async status(surveyParam: string): Promise<QuotaStatus> {
    const plan = await this.getPlan(surveyParam);
    const now = this.now();
    const full = quotaProgress(plan, await this.usage(plan, now)).filter((c) => c.full).map((c) => ({ quota: c.quota, categories: c.categories }));
    const quotas = plan.quotas.map((q) => ({ id: q.id, variables: q.variables, ...(q.collapse ? { collapse: q.collapse } : {}) }));
    return { survey: plan.survey, version: plan.version, policy: plan.policy, at: now, quotas, full };
  }

  /** The hooks the responses service calls: consumption at submission, release and re-claim on review. */
  hooks(): ResponseHooks {
    return {
      onSubmitted: (response) => this.submitted(response),
      onReviewed: (before, after) => this.reviewed(before, after),
    };
  }

  /**
   * Consumes the response's reservation; cells it holds no live slot in are claimed directly (reservation lapsed,
   * never screened, answers changed since screening). Cells found full, or outside the plan, flag it over quota.
   * Idempotent, so a retried submission repairs what a failure in between left undone.
   */
  private async submitted(response: StoredResponse): Promise<StoredResponse | void> {
    const plan = await loadPlan(this.store, response.survey);
    let result: StoredResponse | void = undefined;
    if (plan && counts(response.status)) {
      const matches = matchCells(plan, response.answers);
      const cells = matchedCells(matches);
      const space = planSpace(plan);
      const consumed = await this.store.consumeQuotaReservation(space, response.id, response.id, this.now());
      // A slot in a cell the answers no longer match (corrected after screening): start over with direct claims.
      const stale = consumed.some((s) => !cells.some((c) => c.cell === s.cell));
      if (stale) await this.store.releaseQuotaSlotsOfResponse(space, response.id);
      const held = new Set(stale ? [] : consumed.map((s) => s.cell));
      const full = await this.claimDirectly(plan, response.id, cells.filter((c) => !held.has(c.cell)));
      result = await this.flagOverQuota(response, [...full, ...matches.filter((m) => m.status === 'unmatched').map((m) => m.quota)]);
    }
    this.emit('submitted', response.survey, [response.region]);
    return result;
  }

  /** A review that stops a response counting releases its slots; one that makes it count (again) claims them. */
  private async reviewed(before: StoredResponse, after: StoredResponse): Promise<StoredResponse | void> {
    const plan = await loadPlan(this.store, after.survey);
    let result: StoredResponse | void = undefined;
    if (plan) {
      const counted = (r: StoredResponse) => counts(r.status);
      const cellsBefore = matchedCells(matchCells(plan, before.answers));
      const matchesAfter = matchCells(plan, after.answers);
      const cellsAfter = matchedCells(matchesAfter);
      const moved = !sameSet(cellsBefore.map((c) => c.cell), cellsAfter.map((c) => c.cell));
      if (counted(before) && (!counted(after) || moved)) await this.store.releaseQuotaSlotsOfResponse(planSpace(plan), after.id);
      if (counted(after) && (!counted(before) || moved)) {
        const full = await this.claimDirectly(plan, after.id, cellsAfter);
        result = await this.flagOverQuota(after, [...full, ...matchesAfter.filter((m) => m.status === 'unmatched').map((m) => m.quota)]);
      }
    }
    this.emit('reviewed', after.survey, [before.region, after.region]);
    return result;
  }

  /** Claims a consumed slot per cell for a response (beyond the target in a full cell); returns the quotas whose cell was full. */
  private async claimDirectly(plan: QuotaPlan, responseId: string, cells: ReadonlyArray<{ quota: string; cell: string; target: number }>): Promise<string[]> {
    const full: string[] = [];
    const now = this.now();
    for (const c of cells) {
      const slot = await this.store.claimQuotaSlot({ space: planSpace(plan), cell: c.cell, target: c.target, reservationId: responseId, responseId, now, expiresAt: null, overflow: true });
      if (!slot || slot.over) full.push(c.quota);
    }
    return full;
  }

  /**
   * Writes the over-quota mark when it changed, as every write: a revision (`flagged`, by the server, with the
   * quotas) and its audit entry, so the history says when and why a response became over quota.
   */
  private async flagOverQuota(response: StoredResponse, overQuota: string[]): Promise<StoredResponse | void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const latest = attempt === 0 ? response : await this.store.findResponseById(response.id);
      if (!latest || sameSet(latest.overQuota ?? [], overQuota)) return;
      const now = this.now();
      const { overQuota: _old, ...rest } = latest;
      const revision = { revision: latest.revision + 1, at: now, actor: null, action: 'flagged' as const, status: latest.status, overQuota };
      const next: StoredResponse = { ...rest, ...(overQuota.length > 0 ? { overQuota } : {}), updatedAt: now, revision: revision.revision, revisions: [...latest.revisions, revision] };
      const entry = this.audit.entry(null, 'response.flagged', `response:${latest.id}`, {
        before: receiptOf(latest), after: receiptOf(next), details: { revision: revision.revision, overQuota },
      });
      if (await this.store.replaceResponse(next, latest.revision, entry)) return next;
    }
  }

  private emit(kind: FieldworkEventKind, survey: SurveyId, regions?: Array<string | null>): void {
    this.events.emit({ kind, survey, at: this.now(), ...(regions ? { regions } : {}) });
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
