/**
 * What a failed API call says to the person at the screen, in their language. The server's problem messages are
 * English and written for developers, and a dropped connection surfaces as the browser's own "Failed to fetch":
 * neither belongs on a page. The code stays in the message where it helps whoever is asked for help.
 */
import type { Language } from '../../schemas/labels.js';
import { text } from './texts.js';

/** A fetch that never got an answer (no network, server down): browsers reject it with a TypeError. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError;
}

export function problemText(lang: Language, status: number, code: string | undefined): string {
  if (status === 0) return text(lang, 'errNetwork');
  if (status === 503) return text(lang, 'errUnavailable');
  if (status === 429) return text(lang, 'errRateLimited');
  if (status === 404) return text(lang, 'errNotFound');
  if (status === 403) return text(lang, 'errForbidden');
  // The weighting refuses margins the data contradict, or bounds on the weights the margins cannot meet.
  if (code === '409.5') return text(lang, 'errWeights');
  if (code === '422.1') return text(lang, 'errTrim');
  if (status >= 500) return text(lang, 'errServer', { code: code ?? String(status) });
  return text(lang, 'errRefused', { code: code ?? String(status) });
}
