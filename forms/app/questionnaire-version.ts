/**
 * Which questionnaire version new interviews use. The bundle carries every version the server accepted when it was
 * built, and names its current one; when online, the form asks the server which version is current now (a newer
 * one may have been published, or an older one pinned). Interviews already started keep their own version (the
 * draft records it); only new ones change.
 */
import type { SurveyId } from '../../schemas/surveys.js';

const TIMEOUT_MS = 8000;

export interface ServerVersions {
  current: string;
  active: string[];
}

/** The server's current and accepted versions of the survey, or null offline (or on any failure: keep what we have). */
export async function fetchServerVersions(survey: SurveyId, token: string | undefined): Promise<ServerVersions | null> {
  if (!token || !navigator.onLine) return null;
  try {
    const res = await fetch('/api/v1/surveys', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return null;
    const body = (await res.json()) as { items?: Array<{ id: string; version: string; active?: string[] }> };
    const item = body.items?.find((i) => i.id === survey);
    return item ? { current: item.version, active: item.active ?? [item.version] } : null;
  } catch {
    return null;
  }
}

/**
 * The version for new interviews: the server's current one when this bundle has it; otherwise the version used
 * until now (`known`, if still accepted), else the bundle's own current. `update` is true when the server's current
 * is newer than this bundle: the page should reload (the service worker fetches the new bundle first, online).
 */
export function chooseVersion(server: ServerVersions | null, bundled: readonly string[], bundleCurrent: string, known: string | undefined): { version: string; update: boolean } {
  const fallback = known !== undefined && bundled.includes(known) && (!server || server.active.includes(known)) ? known : bundleCurrent;
  if (!server) return { version: fallback, update: false };
  if (bundled.includes(server.current)) return { version: server.current, update: false };
  return { version: fallback, update: true };
}
