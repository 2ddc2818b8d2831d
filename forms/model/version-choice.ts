/**
 * Which questionnaire version new interviews use, decided from what the server says (when online), what this
 * bundle carries and what was used until now. DOM-free, tested in Node; forms/app/questionnaire-version.ts asks the
 * server.
 */
export interface ServerVersions {
  current: string;
  active: string[];
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
