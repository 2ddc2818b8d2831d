/**
 * The session, one for the whole site: log in once (online), at the console or at a form, and the token is kept on
 * the device (IndexedDB's settings store, record `session`), where the forms and every console page read it. Kept,
 * not per tab, so interviews can start and be completed offline and uploads use it when the connection returns;
 * signing out anywhere (or a 401) removes it everywhere.
 */
import { IdbStore, openDb } from '../offline/idb.js';
import type { OutboxEntry } from '../offline/outbox.js';

export interface Session {
  id: 'session';
  token: string;
  username: string;
}

/** A failed login: wrong credentials, no connection, or another refusal recorded as "status code" (Texts.problem). */
export type LoginResult = { ok: true; session: Session; mustChangePassword: boolean } | { ok: false; reason: 'credentials' | 'offline' | 'other'; problem?: string };

/** The settings record of the interface language, shared by the forms and the console like the session. */
export interface LanguageSetting {
  id: 'language';
  value: string;
}

let settings: Promise<IdbStore<Session | LanguageSetting>> | null = null;

function settingsStore(): Promise<IdbStore<Session | LanguageSetting>> {
  settings ??= openDb().then((db) => new IdbStore<Session | LanguageSetting>(db, 'settings'));
  return settings;
}

export async function readSession(): Promise<Session | null> {
  return ((await (await settingsStore()).get('session')) as Session | undefined) ?? null;
}

export async function saveSession(session: Session): Promise<void> {
  await (await settingsStore()).put(session);
}

export async function clearSession(): Promise<void> {
  await (await settingsStore()).delete('session');
}

export async function readLanguage(): Promise<string | null> {
  return ((await (await settingsStore()).get('language')) as LanguageSetting | undefined)?.value ?? null;
}

export async function saveLanguage(value: string): Promise<void> {
  await (await settingsStore()).put({ id: 'language', value });
}

export async function login(username: string, password: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  const body = (await res.json().catch(() => ({}))) as { token?: string; code?: string; mustChangePassword?: boolean };
  if (res.ok && body.token) return { ok: true, session: { id: 'session', token: body.token, username }, mustChangePassword: body.mustChangePassword === true };
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
