/**
 * A stored response and its revisions, and the pure rules that create and change one. Revisions live inside the
 * response document, so every change is one atomic single-document write on either store (no transactions).
 */
import type { ResponseStatus, SubmissionMeta } from '../../schemas/api.js';
import type { SurveyId } from '../../schemas/surveys.js';

export interface Revision {
  revision: number;
  at: string;
  actor: string | null;
  /**
   * created: first submission; reviewed: a status or comment; corrected: answers changed by a reviewer;
   * resubmitted: the interviewer's own fix of a response returned to them (has_issues); flagged: the server marked
   * it over quota (or no longer over).
   */
  action: 'created' | 'reviewed' | 'corrected' | 'resubmitted' | 'flagged';
  status: ResponseStatus;
  comment?: string;
  /** Quotas over which the response was accepted, as a `flagged` revision set them. */
  overQuota?: string[];
  /** Items changed by a correction, with their values before and after (absent = not answered). */
  changes?: Array<{ item: string; before?: unknown; after?: unknown }>;
}

export interface StoredResponse {
  id: string;
  survey: SurveyId;
  questionnaireVersion: string;
  status: ResponseStatus;
  answers: Record<string, unknown>;
  derived: Record<string, unknown>;
  meta: SubmissionMeta;
  /** Region of the respondent or organisation, copied out of the answers for filtering. */
  region: string | null;
  /** Who submitted it (the authenticated user), null when unknown. */
  interviewer: string | null;
  receivedAt: string;
  updatedAt: string;
  /** Hash of the submission as first received: the idempotency check compares retries against it. */
  submissionHash: string;
  revision: number;
  revisions: Revision[];
  /** Quotas (ids) whose cell was full when this response was accepted: flag policy, or completed offline. */
  overQuota?: string[];
}

/** The receipt a client gets for a submission: the stored resource without the revision history. */
export type ResponseReceipt = Omit<StoredResponse, 'revisions'>;

export function receiptOf(response: StoredResponse): ResponseReceipt {
  const { revisions: _revisions, ...receipt } = response;
  return receipt;
}

/** Rejected and withdrawn responses are closed: a resubmission never brings them back. */
export function isClosed(status: ResponseStatus): boolean {
  return status === 'rejected' || status === 'withdrawn';
}

export function diffAnswers(before: Record<string, unknown>, after: Record<string, unknown>): NonNullable<Revision['changes']> {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return ids
    .filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]))
    .map((item) => ({ item, ...(item in before ? { before: before[item] } : {}), ...(item in after ? { after: after[item] } : {}) }));
}

/** Corrections applied to answers: a value sets an item, null removes it. */
export function applyCorrections(answers: Record<string, unknown>, corrections: Record<string, unknown>): Record<string, unknown> {
  const next = { ...answers };
  for (const [id, value] of Object.entries(corrections)) {
    if (value === null) delete next[id];
    else next[id] = value;
  }
  return next;
}

/**
 * The answers as they were at a given revision: the current answers with later corrections undone. Revisions
 * store only what changed, so the history costs nothing until someone corrects.
 */
export function answersAtRevision(response: StoredResponse, revision: number): Record<string, unknown> {
  const answers = { ...response.answers };
  for (const rev of [...response.revisions].reverse()) {
    if (rev.revision <= revision) break;
    for (const change of rev.changes ?? []) {
      if ('before' in change) answers[change.item] = change.before;
      else delete answers[change.item];
    }
  }
  return answers;
}
