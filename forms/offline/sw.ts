/**
 * The service worker: keeps the app shell (the form page, its bundle with the questionnaire, labels and standalone
 * validator, the stylesheet) so the form opens without a connection. Network first, so a connected device always
 * gets the current version; the cache answers when the network does not. The API is never cached: answers travel
 * only through the outbox.
 *
 * The page's first load happens before the worker exists, so the page sends the URLs it was built from
 * (`{cache: [...]}`) once the worker is ready.
 */
const CACHE = 'csi-shell-v1';

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', fn: (e: ExtendableEvent & { data: unknown }) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const worker = self as unknown as WorkerScope;

const shellPath = (url: URL) => url.origin === worker.location.origin && (url.pathname.startsWith('/forms/') || url.pathname.startsWith('/assets/'));

worker.addEventListener('install', (e) => {
  e.waitUntil(worker.skipWaiting());
});

worker.addEventListener('activate', (e) => {
  e.waitUntil(worker.clients.claim());
});

worker.addEventListener('message', (e) => {
  const urls = (e.data as { cache?: unknown } | null)?.cache;
  if (!Array.isArray(urls)) return;
  e.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(urls.filter((u): u is string => typeof u === 'string'))));
});

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}

worker.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || !shellPath(url)) return;
  e.respondWith(networkFirst(e.request));
});
