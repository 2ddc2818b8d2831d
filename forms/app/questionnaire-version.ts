/**
 * Which questionnaire version new interviews use. The bundle carries every version the server accepted when it was
 * built, and names its current one; when online, the form asks the server which version is current now (a newer
 * one may have been published, or an older one pinned). Interviews already started keep their own version (the
 * draft records it); only new ones change.
 */
import type { SurveyList } from '../../schemas/generated/api.types.js';
import type { SurveyId } from '../../schemas/surveys.js';
import type { ServerVersions } from '../model/version-choice.js';

const TIMEOUT_MS = 8000;

/** The server's current and accepted versions of the survey, or null offline (or on any failure: keep what we have). */
export async function fetchServerVersions(survey: SurveyId, token: string | undefined): Promise<ServerVersions | null> {
  if (!token || !navigator.onLine) return null;
  try {
    const res = await fetch('/api/v1/surveys', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return null;
    const body = (await res.json()) as SurveyList;
    const item = body.items?.find((i) => i.id === survey);
    return item ? { current: item.version, active: item.active ?? [item.version] } : null;
  } catch {
    return null;
  }
}
