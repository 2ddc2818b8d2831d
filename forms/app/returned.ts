/**
 * Interviews a coordinator sent back: returned (`has_issues`, to be fixed and sent again) and rejected (closed,
 * shown with the reason, read-only). Fetched when online, with the coordinator's latest comment from the revision
 * history, and kept in IndexedDB so that the list, and a fix, are there offline too. Only the interviewer's own
 * responses are ever listed: the API scopes an interviewer to them.
 */
import type { ResponseList, RevisionList } from '../../schemas/generated/api.types.js';
import type { SurveyId } from '../../schemas/surveys.js';

export interface ReturnedInterview {
  id: string;
  status: 'has_issues' | 'rejected';
  receivedAt: string;
  /** When the coordinator acted, and what they wrote. */
  at: string;
  comment: string | null;
  answers: Record<string, unknown>;
  meta: { language: string; startedAt: string; completedAt: string; sectionDurations?: Record<string, number> };
  /** The questionnaire version it was collected in: the fix is made and validated in that version. */
  questionnaireVersion?: string;
}

async function getJson<T>(path: string, token: string): Promise<T | null> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  return res.ok ? ((await res.json()) as T) : null;
}

/** The interviewer's returned and rejected interviews, or null when they cannot be fetched (offline, signed out). */
export async function fetchReturned(survey: SurveyId, token: string | undefined): Promise<ReturnedInterview[] | null> {
  if (!token) return null;
  try {
    const out: ReturnedInterview[] = [];
    for (const status of ['has_issues', 'rejected'] as const) {
      const page = await getJson<ResponseList>(`/api/v1/surveys/${survey}/responses?status=${status}&limit=200`, token);
      if (!page) return null;
      for (const r of page.items) {
        const history = await getJson<RevisionList>(`/api/v1/surveys/${survey}/responses/${r.id}/revisions`, token);
        // The revision that set the status now held carries the coordinator's comment.
        const setting = [...(history?.items ?? [])].reverse().find((rev) => rev.status === status);
        out.push({ id: r.id, status, receivedAt: r.receivedAt, at: setting?.at ?? r.receivedAt, comment: setting?.comment ?? null, answers: r.answers, meta: r.meta, ...(r.questionnaireVersion ? { questionnaireVersion: r.questionnaireVersion } : {}) });
      }
    }
    return out;
  } catch {
    return null;
  }
}
