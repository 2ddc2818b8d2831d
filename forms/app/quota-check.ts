/**
 * The quota question at screening (issue 6): asks the server whether the respondent's cell is open and, when it
 * is, holds a slot under the interview's own id until the response arrives. Only a definite "full" stops the
 * interview: the server's 409.6 online, or offline the last synced quota status (which cells were full when the
 * form last had a connection). Without a plan, or on any other failure, the interview goes on, because the server
 * accepts the response at submission and flags it over quota if the cell filled meanwhile: nothing is lost.
 */
import type { QuotaStatus } from '../../schemas/generated/api.types.js';
import { quotaCategories, sameCell, screeningValues } from '../../schemas/quota-cells.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { Draft } from '../model/draft.js';
import type { ScreeningVerdict } from '../model/form-model.js';

const TIMEOUT_MS = 10_000;

/** GET …/quotas/status as the form keeps it: typed from its schema (schemas/api/quota-status.schema.json). */
export type { QuotaStatus } from '../../schemas/generated/api.types.js';

/** The current status, or null without a connection, a plan or a token (the caller keeps what it had). */
export async function fetchQuotaStatus(survey: SurveyId, token: string | undefined): Promise<QuotaStatus | null> {
  if (!token || !navigator.onLine) return null;
  try {
    const res = await fetch(`/api/v1/surveys/${survey}/quotas/status`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    return res.ok ? ((await res.json()) as QuotaStatus) : null;
  } catch {
    return null;
  }
}

/** The survey's derived variables (population: age band, SES group) from the answers; none for the others. */
export type Derive = (answers: Record<string, unknown>) => Record<string, unknown>;

/**
 * Offline: the cells the last synced status showed full that the respondent falls in (refuse policy only), matched
 * by the server's own rule (schemas/quota-cells.ts).
 */
export function fullOffline(status: QuotaStatus | null, answers: Record<string, unknown>, derive?: Derive): Array<Record<string, string>> {
  if (!status || status.policy !== 'refuse') return [];
  const values = screeningValues(answers, derive ? derive(answers) : {});
  return status.full.filter((cell) => {
    const quota = status.quotas.find((q) => q.id === cell.quota);
    return quota !== undefined && sameCell(quota, cell.categories, quotaCategories(quota, values).categories);
  }).map((cell) => cell.categories);
}

export async function screenQuota(survey: SurveyId, draft: Readonly<Draft>, token: string | undefined, lastStatus: QuotaStatus | null = null, derive?: Derive): Promise<ScreeningVerdict> {
  const offline = (): ScreeningVerdict => {
    const full = fullOffline(lastStatus, draft.answers, derive);
    return full.length > 0 ? { open: false, full } : { open: true };
  };
  if (!token || !navigator.onLine) return offline();
  try {
    const res = await fetch(`/api/v1/surveys/${survey}/quotas/screen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ responseId: draft.id, answers: draft.answers }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
    if (res.status !== 409) return { open: true };
    const body = (await res.json().catch(() => ({}))) as { code?: string; details?: { cells?: Array<{ status?: string; categories?: Record<string, string> }> } };
    if (body.code !== '409.6') return { open: true };
    const full = (body.details?.cells ?? []).flatMap((c) => (c.status !== 'open' && c.categories ? [c.categories] : []));
    return { open: false, full };
  } catch {
    // The request failed on the way (the connection dropped): decide as offline.
    return offline();
  }
}

/** Gives back a slot held for an interview that was discarded (best effort: it lapses on its own anyway). */
export function releaseQuota(survey: SurveyId, draftId: string, token: string | undefined): void {
  if (!token || !navigator.onLine) return;
  void fetch(`/api/v1/surveys/${survey}/quotas/reservations/${encodeURIComponent(draftId)}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
}
