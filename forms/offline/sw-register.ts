/**
 * Registers the service worker for the form pages and hands it the URLs this page was built from, so the app
 * shell is cached from the very first visit. Without service workers (or if registration fails) the form still
 * works online, and drafts and the outbox still live in IndexedDB.
 */
export async function registerServiceWorker(shellUrls: string[]): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/assets/sw.js', { scope: '/forms/', type: 'module' });
    const ready = await navigator.serviceWorker.ready;
    ready.active?.postMessage({ cache: shellUrls });
  } catch {
    // No offline shell on this device; nothing else depends on it.
  }
}

/** Resolves once the service worker has the shell (for the interviewer's peace of mind, and for tests). */
export async function shellCached(shellUrls: string[]): Promise<boolean> {
  if (!('caches' in globalThis)) return false;
  const hits = await Promise.all(shellUrls.map((u) => caches.match(u)));
  return hits.every((hit) => hit !== undefined);
}
