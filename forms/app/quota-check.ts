/**
 * The quota question at screening (issue 6): asks the server whether the respondent's cell is open and, when it
 * is, holds a slot under the interview's own id until the response arrives. Only a definite "full" (409.6) stops
 * the interview: offline, without a plan, or on any other failure the interview goes on, because the server
 * accepts the response at submission and flags it over quota if the cell filled meanwhile — nothing is lost.
 */
import type { SurveyId } from '../../schemas/surveys.js';
import type { Draft } from '../model/draft.js';
import type { ScreeningVerdict } from '../model/form-model.js';

const TIMEOUT_MS = 10_000;

export async function screenQuota(survey: SurveyId, draft: Readonly<Draft>, token: string | undefined): Promise<ScreeningVerdict> {
  if (!token || !navigator.onLine) return { open: true };
  try {
    const res = await fetch(`/api/v1/surveys/${survey}/quotas/screen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ responseId: draft.id, answers: draft.answers }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
    if (res.status !== 409) return { open: true };
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return { open: body.code !== '409.6' };
  } catch {
    return { open: true };
  }
}

/** Gives back a slot held for an interview that was discarded (best effort: it lapses on its own anyway). */
export function releaseQuota(survey: SurveyId, draftId: string, token: string | undefined): void {
  if (!token || !navigator.onLine) return;
  void fetch(`/api/v1/surveys/${survey}/quotas/reservations/${encodeURIComponent(draftId)}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
}
