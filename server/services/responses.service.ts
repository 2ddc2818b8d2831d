/**
 * Use cases on responses: submit (idempotent on the client's id), read, list, review and correct. Each method
 * validates what it is given, talks to the store through the port, and throws a Problem for anything a client
 * should hear about.
 */
import type { ResponseStatus, Review, Submission } from '../../schemas/api.js';
import { deriveVariables } from '../../schemas/derived.js';
import { isLanguage } from '../../schemas/labels.js';
import { regionOf } from '../../schemas/survey-definition.js';
import { isSurveyId, type SurveyId } from '../../schemas/surveys.js';
import { versionsOf } from '../../schemas/versions.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { canSee, redactFor, scopeFilter, visibleChanges } from '../domain/access.js';
import type { Actor } from '../domain/actor.js';
import { contentHash } from '../domain/canonical.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { problem } from '../domain/problems.js';
import {
  answersAtRevision, applyCorrections, diffAnswers, isClosed, receiptOf,
  type ResponseReceipt, type Revision, type StoredResponse,
} from '../domain/response.js';
import type { ResponseFilter, ResponseStore } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import { answerErrors, apiErrors, type Validators } from './validation.js';

export type Clock = () => Date;

export interface SubmitOutcome {
  created: boolean;
  receipt: ResponseReceipt;
}

/** Which responses: by status, region, interviewer, and when they were received (ISO instants). */
export interface ResponseSelection {
  status?: ResponseStatus;
  region?: string;
  interviewer?: string;
  since?: string;
  until?: string;
}

export interface ListParams extends ResponseSelection {
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

const DEFAULT_PAGE = 50;

/**
 * Optional collaborators told about changes (quotas, the fieldwork stream), so this service knows nothing of them.
 * `onSubmitted` also runs on an accepted retry (its work must be idempotent), and may return the response as it
 * stored it afterwards (e.g. flagged over quota) for the receipt.
 */
export interface ResponseHooks {
  onSubmitted?(response: StoredResponse): Promise<StoredResponse | void>;
  onReviewed?(before: StoredResponse, after: StoredResponse): Promise<StoredResponse | void>;
}

export function requireSurvey(survey: string): SurveyId {
  if (!isSurveyId(survey)) throw problem('unknownSurvey', { survey });
  return survey;
}

export class ResponsesService {
  constructor(private readonly store: ResponseStore, private readonly validators: Validators, private readonly clock: Clock, private readonly audit: Audit, private readonly hooks: ResponseHooks = {}) {}

  /**
   * Validates a submission: the envelope first, then the questionnaire version the form names (`meta.formVersion`,
   * one this server accepts), then the answers against that version.
   */
  validateSubmission(survey: SurveyId, body: unknown): Submission {
    const envelope = apiErrors(this.validators.api.submission, body);
    if (envelope) throw problem('schemaInvalid', { errors: envelope });
    const submission = body as Submission;
    const version = this.acceptedVersion(survey, submission.meta.formVersion);
    const lang = isLanguage(submission.meta.language) ? submission.meta.language : 'en';
    const errors = answerErrors(version, submission.answers, lang);
    if (errors) throw problem('schemaInvalid', { errors });
    return submission;
  }

  /** The validator of a version new responses may be given in; any other (unknown, retired, held back) is a 400.8. */
  private acceptedVersion(survey: SurveyId, version: string) {
    const { active } = this.validators.policy[survey];
    const validator = active.includes(version) ? this.validators.versions[survey][version] : undefined;
    if (validator) return validator;
    const known = versionsOf(survey).find((v) => v.version === version);
    const why = !known ? `${survey} has no questionnaire version ${version}` : known.status === 'retired' ? `${survey} ${version} is retired` : `${survey} ${version} is not in use on this server`;
    throw problem('unknownVersion', {
      survey, version,
      errors: [{ path: '/meta/formVersion', item: null, keyword: 'questionnaireVersion', message: `${why}: new responses are accepted in ${active.join(', ')}`, allowedValues: active }],
    });
  }

  /**
   * Stores a new response, or recognises a retry: same id and same content answers with the original receipt,
   * same id and other content is a conflict, and a closed (rejected, withdrawn) response is never reopened.
   * `credit` names the interviewer when the submitter is not the one who interviewed (paper forms keyed in and
   * imported); otherwise the submitter is.
   */
  async submit(surveyParam: string, body: unknown, actor: Actor, credit?: { interviewer: string | null }): Promise<SubmitOutcome> {
    const survey = requireSurvey(surveyParam);
    const submission = this.validateSubmission(survey, body);
    const now = this.clock().toISOString();
    const response: StoredResponse = {
      id: submission.id.toLowerCase(),
      survey,
      // The version the form rendered, checked above: the response is read through it for good.
      questionnaireVersion: submission.meta.formVersion,
      status: 'submitted',
      answers: submission.answers,
      derived: deriveVariables(survey, submission.answers),
      meta: submission.meta,
      region: regionOf(survey, submission.answers),
      interviewer: credit ? credit.interviewer : actor.username,
      receivedAt: now,
      updatedAt: now,
      submissionHash: contentHash({ survey, answers: submission.answers, meta: submission.meta }),
      revision: 1,
      revisions: [{ revision: 1, at: now, actor: actor.username, action: 'created', status: 'submitted' }],
    };
    // Scope on writes as on reads: a region-scoped coordinator cannot create what they could not then see.
    if (!canSee(actor, response)) throw problem('responseNotFound', { id: response.id });
    const created = this.audit.entry(actor, 'response.created', `response:${response.id}`, { after: response.submissionHash, details: { survey } });
    const outcome = await this.store.insertResponse(response, created);
    if (outcome.inserted) {
      return { created: true, receipt: receiptOf((await this.hooks.onSubmitted?.(outcome.response)) ?? outcome.response) };
    }
    const existing = outcome.response;
    // Someone else's response is a conflict whatever its content: a retry returns the receipt only to its sender.
    const own = existing.interviewer !== null && existing.interviewer === actor.username;
    if (!own && !canSee(actor, existing)) throw problem('conflictingResubmission', { id: existing.id });
    if (isClosed(existing.status)) throw problem('resubmissionOfClosed', { id: existing.id, status: existing.status });
    if (existing.survey !== survey) throw problem('conflictingResubmission', { id: existing.id });
    if (existing.submissionHash !== response.submissionHash) {
      // Returned to its interviewer (has_issues): their fix, under the same id, is a new revision, not a conflict.
      if (own && existing.status === 'has_issues') return this.resubmit(existing, submission, response.submissionHash, actor);
      throw problem('conflictingResubmission', { id: existing.id });
    }
    return { created: false, receipt: redactFor(actor, receiptOf((await this.hooks.onSubmitted?.(existing)) ?? existing)) };
  }

  /**
   * The interviewer's fix of a response returned to them: the answers replaced as a new revision, back to
   * `submitted`. The paradata stays the interview's own (a fix is not an interview: its minutes would make a
   * speeder); the submission hash becomes the fix's, so a retry of the fix is recognised as one.
   */
  private async resubmit(current: StoredResponse, submission: Submission, hash: string, actor: Actor): Promise<SubmitOutcome> {
    const now = this.clock().toISOString();
    const changes = diffAnswers(current.answers, submission.answers);
    const revision: Revision = {
      revision: current.revision + 1, at: now, actor: actor.username, action: 'resubmitted', status: 'submitted',
      ...(changes.length > 0 ? { changes } : {}),
    };
    const next: StoredResponse = {
      ...current,
      status: 'submitted',
      answers: submission.answers,
      derived: deriveVariables(current.survey, submission.answers),
      region: regionOf(current.survey, submission.answers),
      updatedAt: now,
      submissionHash: hash,
      revision: revision.revision,
      revisions: [...current.revisions, revision],
    };
    if (!canSee(actor, next)) throw problem('responseNotFound', { id: current.id });
    const entry = this.audit.entry(actor, 'response.resubmitted', `response:${current.id}`, {
      before: receiptOf(current), after: receiptOf(next), details: { revision: revision.revision, status: 'submitted' },
    });
    if (!(await this.store.replaceResponse(next, current.revision, entry))) {
      throw problem('revisionConflict', { given: current.revision });
    }
    return { created: false, receipt: receiptOf((await this.hooks.onReviewed?.(current, next)) ?? next) };
  }

  async get(surveyParam: string, id: string, actor: Actor): Promise<ResponseReceipt> {
    return redactFor(actor, receiptOf(await this.find(surveyParam, id, actor)));
  }

  async revisions(surveyParam: string, id: string, actor: Actor): Promise<Array<Revision & { answers: Record<string, unknown> }>> {
    const response = await this.find(surveyParam, id, actor);
    return response.revisions.map((rev) => {
      const { answers } = redactFor(actor, { survey: response.survey, interviewer: null, answers: answersAtRevision(response, rev.revision) });
      const changes = visibleChanges(actor, response.survey, rev.changes);
      return { ...rev, actor: actor.role === 'analyst' ? null : rev.actor, ...(changes ? { changes } : {}), answers };
    });
  }

  async list(surveyParam: string, q: ListParams, actor: Actor): Promise<{ items: ResponseReceipt[]; next: string | null }> {
    const survey = requireSurvey(surveyParam);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (after === null) throw problem('invalidQuery', { errors: [{ path: '/cursor', item: null, keyword: 'cursor', message: 'is not a cursor this server issued' }] });
    const page = await this.store.listResponses(scopeFilter(actor, toFilter(survey, q)), q.limit ?? DEFAULT_PAGE, after);
    return { items: page.items.map((r) => redactFor(actor, receiptOf(r))), next: page.next ? encodeCursor(page.next) : null };
  }

  /** A coordinator's review: a status and comment, and/or corrections validated as a whole, as a new revision. */
  async review(surveyParam: string, id: string, body: unknown, actor: Actor): Promise<ResponseReceipt> {
    const survey = requireSurvey(surveyParam);
    const invalid = apiErrors(this.validators.api.review, body);
    if (invalid) throw problem('schemaInvalid', { errors: reviewErrors(invalid) });
    const review = body as Review;
    const current = await this.find(survey, id, actor);
    if (review.revision !== undefined && review.revision !== current.revision) {
      throw problem('revisionConflict', { current: current.revision, given: review.revision });
    }
    const answers = review.corrections ? applyCorrections(current.answers, review.corrections) : current.answers;
    if (review.corrections) {
      // Corrected within its own version: a correction never moves a response to another questionnaire.
      const validator = this.validators.versions[survey][current.questionnaireVersion] ?? this.validators.answers[survey];
      const errors = answerErrors(validator, answers, current.meta.language);
      if (errors) throw problem('schemaInvalid', { errors });
    }
    const now = this.clock().toISOString();
    const status = review.status ?? current.status;
    const changes = diffAnswers(current.answers, answers);
    const revision: Revision = {
      revision: current.revision + 1,
      at: now,
      actor: actor.username,
      action: changes.length > 0 ? 'corrected' : 'reviewed',
      status,
      ...(review.comment ? { comment: review.comment } : {}),
      ...(changes.length > 0 ? { changes } : {}),
    };
    const next: StoredResponse = {
      ...current,
      status,
      answers,
      derived: deriveVariables(survey, answers),
      region: regionOf(survey, answers),
      updatedAt: now,
      revision: revision.revision,
      revisions: [...current.revisions, revision],
    };
    // Checked after the change too: a correction must not move a response out of the reviewer's scope.
    if (!canSee(actor, next)) throw problem('responseNotFound', { id });
    const reviewed = this.audit.entry(actor, `response.${revision.action}`, `response:${id.toLowerCase()}`, {
      before: receiptOf(current), after: receiptOf(next), details: { revision: revision.revision, status },
    });
    if (!(await this.store.replaceResponse(next, current.revision, reviewed))) {
      throw problem('revisionConflict', { given: current.revision });
    }
    return receiptOf((await this.hooks.onReviewed?.(current, next)) ?? next);
  }

  /** A response the actor may see; one they may not is "not found", so that its existence does not leak. */
  private async find(surveyParam: string, id: string, actor: Actor): Promise<StoredResponse> {
    const survey = requireSurvey(surveyParam);
    const response = await this.store.findResponseById(id.toLowerCase());
    if (!response || response.survey !== survey || !canSee(actor, response)) throw problem('responseNotFound', { id });
    return response;
  }
}

/** Query-string filters as a store filter; times normalised so both stores compare them alike. */
export function toFilter(survey: SurveyId, q: ResponseSelection): ResponseFilter {
  return {
    survey,
    ...(q.status ? { status: q.status } : {}),
    ...(q.region ? { region: q.region } : {}),
    ...(q.interviewer ? { interviewer: q.interviewer } : {}),
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
  };
}

const REVIEW_FIELDS = 'a review may hold `status` (approved, rejected, has_issues, submitted), `comment`, `corrections` (item id to corrected value, null to remove the answer) and `revision`';

/**
 * A review's errors said in the terms of a review: ajv reports a body with neither `status` nor `corrections` as
 * two missing properties and an `anyOf`, which read as "status is required" to someone who sent `answers`.
 */
export function reviewErrors(errors: ValidationError[]): ValidationError[] {
  const shape = errors.some((e) => e.keyword === 'anyOf' && e.path === '');
  const rest = errors
    .filter((e) => !(shape && ((e.keyword === 'required' && (e.path === '/status' || e.path === '/corrections')) || (e.keyword === 'anyOf' && e.path === ''))))
    .map((e) => (e.keyword === 'additionalProperties' ? { ...e, message: `is not a field of a review: ${REVIEW_FIELDS}` } : e));
  return shape ? [{ path: '', item: null, keyword: 'anyOf', message: `needs \`status\` and/or \`corrections\`: ${REVIEW_FIELDS}` }, ...rest] : rest;
}
