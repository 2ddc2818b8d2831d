/**
 * The social concerns the impact questions name, as the server publishes them (GET /api/v1/social-concerns). The
 * form keeps the last answer in IndexedDB, so an interview offline still names them.
 */
import type { PublishedConcerns } from '../../schemas/concerns.js';

const TIMEOUT_MS = 10_000;

/** The published concerns, or null without a connection or a token (the caller keeps what it had). */
export async function fetchConcerns(token: string | undefined): Promise<PublishedConcerns | null> {
  if (!token || !navigator.onLine) return null;
  try {
    const res = await fetch('/api/v1/social-concerns', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    return res.ok ? ((await res.json()) as PublishedConcerns) : null;
  } catch {
    return null;
  }
}
