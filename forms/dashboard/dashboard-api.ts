/**
 * What a console page is given (the shell builds it, shell.ts): the user, the language, and API calls that carry
 * the session. Apart from the shell so the forms the shell itself shows (account-form.ts) can use it too.
 */
import type { User } from '../../schemas/generated/api.types.js';
import type { Language } from '../../schemas/labels.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string, readonly details: { errors?: Array<{ path: string; keyword: string; message: string }>; [k: string]: unknown } = {}) {
    super(message);
  }
}

/** The signed-in user, as /api/v1/me answers. */
export type Me = User;

export interface Dashboard {
  lang: Language;
  /** The signed-in user. */
  me: Me;
  /** GET a JSON resource of the API. */
  get<T>(path: string): Promise<T>;
  /** GET a resource as a Blob (downloads). */
  blob(path: string): Promise<Blob>;
  /** GET a resource as the raw Response, for streams read as they arrive (the event stream). */
  open(path: string, signal?: AbortSignal): Promise<Response>;
  /** A write (POST, PUT, PATCH, DELETE) with a JSON body; the answer as JSON (null for 204). Refusals throw ApiError with the details. */
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** Keeps a fresh session token (a password change ends every earlier one and answers a new one). */
  adoptToken(token: string): Promise<void>;
  /** Re-render the page (after a state change). */
  refresh(): void;
}

export type Render = (dashboard: Dashboard, main: HTMLElement) => void;

