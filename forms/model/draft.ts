/**
 * A draft is everything an unfinished interview is: saved whole on every answer, so reopening the app (or the
 * browser, or the device) resumes it exactly. Plain data, structured-clone safe, for IndexedDB.
 */
import type { Language } from '../../schemas/labels.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { versionsOf } from '../../schemas/versions.js';

export interface Draft {
  /** The client-minted UUID that becomes the response id: the idempotency key of the upload. */
  id: string;
  survey: SurveyId;
  /**
   * The questionnaire version the interview is conducted in, fixed when it starts: it finishes in it whatever
   * becomes current meanwhile. Drafts saved before versions were recorded have none (see draftVersion).
   */
  version?: string;
  answers: Record<string, unknown>;
  /** Index of the current page; equal to the number of pages on the review page. */
  page: number;
  language: Language;
  startedAt: string;
  updatedAt: string;
  /** Seconds spent per section id so far. */
  sectionDurations: Record<string, number>;
  /** The interviewer (user name) conducting it: each sees only their own drafts on a shared device. */
  interviewer?: string;
  /** Set when the screening check stopped the interview. */
  stopped?: boolean;
  /** A response a coordinator returned (has_issues), reopened to be fixed and sent again under its id. */
  returned?: boolean;
  /** The full quota cells that stopped it (variable -> category code), to name them on the stop screen. */
  fullCells?: Array<Record<string, string>>;
}

export function newDraft(id: string, survey: SurveyId, language: Language, now: Date, interviewer?: string, version?: string): Draft {
  const at = now.toISOString();
  return { id, survey, ...(version ? { version } : {}), answers: {}, page: 0, language, startedAt: at, updatedAt: at, sectionDurations: {}, ...(interviewer ? { interviewer } : {}) };
}

/** A draft's questionnaire version; one saved before versions were recorded was started in the first version, the only one then. */
export function draftVersion(draft: Pick<Draft, 'survey' | 'version'>): string {
  return draft.version ?? (versionsOf(draft.survey)[0] as { version: string }).version;
}
