/**
 * Calls the settings pages make beyond the shell's reads: writes (PUT/POST with JSON or CSV bodies and If-Match) and
 * reads that need a header (Accept: text/csv). Same session as the shell (forms/app/session.ts), same rule: a 401
 * signs out.
 * A request that never reached the server is a `network` failure, so pages say so in their language rather than
 * showing the browser's "Failed to fetch".
 */
import { clearSession, readSession } from '../app/session.js';
import { h } from '../render/dom.js';

export interface ApiProblem {
  /** 0 when the server was not reached. */
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export class SettingsCallError extends Error {
  constructor(readonly problem: ApiProblem) {
    super(problem.message);
  }
}

export interface CallOptions {
  method?: 'GET' | 'PUT' | 'POST';
  json?: unknown;
  csv?: string;
  ifMatch?: number;
  accept?: string;
}

/** A call of the API; resolves with the response when it is 2xx, else rejects with the problem. */
export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const token = (await readSession().catch(() => null))?.token;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.csv !== undefined) headers['content-type'] = 'text/csv';
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  if (options.accept) headers.accept = options.accept;
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.csv;
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? 'GET', headers, cache: 'no-store', ...(body !== undefined ? { body } : {}) });
  } catch {
    throw new SettingsCallError({ status: 0, code: 'network', message: 'network', details: {} });
  }
  if (res.status === 401) {
    // Signed out elsewhere or expired: the shell shows its sign-in form on the next load.
    await clearSession().catch(() => undefined);
    location.reload();
  }
  if (!res.ok) {
    const b = (await res.json().catch(() => ({}))) as { code?: string; message?: string; details?: Record<string, unknown> };
    throw new SettingsCallError({ status: res.status, code: b.code ?? String(res.status), message: b.message ?? res.statusText, details: b.details ?? {} });
  }
  return res;
}

export async function callJson<T>(path: string, options: CallOptions = {}): Promise<T> {
  return (await (await call(path, options)).json()) as T;
}

/** The errors of a 400 problem, in the API's shared shape. */
export function problemErrors(error: unknown): Array<{ path: string; item: string | null; keyword: string; message: string }> {
  if (!(error instanceof SettingsCallError)) return [];
  const errors = error.problem.details.errors;
  return Array.isArray(errors) ? (errors as Array<{ path: string; item: string | null; keyword: string; message: string }>) : [];
}

/** A status line under a page's buttons: polite, read by screen readers when it changes. */
export function statusLine(id: string, message: string | null, kind: 'error' | 'ok' | 'muted' = 'muted'): HTMLElement {
  return h('p', { id, class: kind === 'error' ? 'error' : kind === 'ok' ? 'ok' : 'muted', role: kind === 'error' ? 'alert' : 'status' }, message ?? '');
}
