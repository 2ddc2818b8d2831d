/**
 * The interviewer's session and the API calls the form makes: log in (once, online), then keep the token on the
 * device so interviews can start and be completed offline; uploads use it when the connection returns.
 */
import type { OutboxEntry } from '../offline/outbox.js';

export interface Session {
  id: 'session';
  token: string;
  username: string;
}

/** A failed login: wrong credentials, no connection, or another refusal recorded as "status code" (Texts.problem). */
export type LoginResult = { ok: true; session: Session } | { ok: false; reason: 'credentials' | 'offline' | 'other'; problem?: string };

export async function login(username: string, password: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  const body = (await res.json().catch(() => ({}))) as { token?: string; code?: string };
  if (res.ok && body.token) return { ok: true, session: { id: 'session', token: body.token, username } };
  return { ok: false, reason: res.status === 401 ? 'credentials' : 'other', problem: `${res.status} ${body.code ?? ''}`.trim() };
}

export async function logout(session: Session): Promise<void> {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${session.token}` } }).catch(() => undefined);
}

/** One upload of an outbox entry: the status and the problem code, or a rejection when the network failed. */
export async function upload(entry: OutboxEntry, token: string): Promise<{ status: number; message?: string }> {
  const res = await fetch(`/api/v1/surveys/${entry.survey}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(entry.body),
    cache: 'no-store',
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string };
  return { status: res.status, message: body.code };
}
