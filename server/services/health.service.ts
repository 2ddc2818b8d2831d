/** Whether the store answers: what /healthz reports, and what monitoring watches. */
import type { ResponseStore } from '../store/store.port.js';

export type Health = { ok: true; store: ResponseStore['kind'] } | { ok: false; store: ResponseStore['kind']; error: unknown };

export async function checkHealth(store: ResponseStore): Promise<Health> {
  try {
    await store.ping();
    return { ok: true, store: store.kind };
  } catch (error) {
    return { ok: false, store: store.kind, error };
  }
}
