/**
 * Completed interviews wait here until the server has them. An entry leaves the outbox only on a 2xx: the
 * response id is minted by the client and the API is idempotent on it, so resending after a lost response (the
 * request arrived, the answer did not) or from a second tab stores nothing twice. Network errors, 408, 429 and
 * 5xx are retried with exponential backoff; 401 waits for a new login; other refusals (an invalid or conflicting
 * interview) are kept, marked, and shown, never dropped.
 *
 * Storage and transport are injected, so the rules are tested in Node.
 */
import type { Submission } from '../../schemas/api.js';
import type { SurveyId } from '../../schemas/surveys.js';

export interface OutboxEntry {
  id: string;
  /** Who completed the interview: only their session uploads it (a shared tablet never misattributes one). */
  owner?: string;
  survey: SurveyId;
  body: Submission;
  queuedAt: string;
  attempts: number;
  /** Epoch ms before which no retry is made (unless forced). */
  nextAttemptAt: number;
  /** `network`, or the HTTP status and problem code ("400 400.2"): the form words it in the interface language. */
  lastError: string | null;
  state: 'pending' | 'rejected';
}

export interface EntryStore<T> {
  all(): Promise<T[]>;
  put(value: T): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Sends one entry; resolves with the HTTP status (and the problem code, if any); rejects on network failure. */
export type Send = (entry: OutboxEntry) => Promise<{ status: number; message?: string }>;

export interface SyncStatus {
  pending: number;
  rejected: number;
  sending: boolean;
  needsLogin: boolean;
  lastError: string | null;
  lastSuccessAt: string | null;
}

const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;

/** Delay before retry number `attempts` (1-based): 2 s, 4 s, 8 s ... capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export class Outbox {
  private flushing: Promise<void> | null = null;
  private state: Omit<SyncStatus, 'pending' | 'rejected'> = { sending: false, needsLogin: false, lastError: null, lastSuccessAt: null };

  constructor(
    private readonly store: EntryStore<OutboxEntry>,
    private readonly send: Send,
    private readonly now: () => number = Date.now,
    private readonly onStatus: (status: SyncStatus) => void = () => {},
    /** Which entries the current session may send (others wait for their interviewer to log in). */
    private readonly sendable: (entry: OutboxEntry) => boolean = () => true,
  ) {}

  async enqueue(survey: SurveyId, body: Submission, owner?: string): Promise<void> {
    const at = this.now();
    await this.store.put({ id: body.id, ...(owner ? { owner } : {}), survey, body, queuedAt: new Date(at).toISOString(), attempts: 0, nextAttemptAt: at, lastError: null, state: 'pending' });
    await this.report();
  }

  /** What the current session has waiting: another interviewer's entries on a shared tablet are not its business. */
  async status(): Promise<SyncStatus> {
    const entries = (await this.store.all()).filter((e) => this.sendable(e));
    return { ...this.state, pending: entries.filter((e) => e.state === 'pending').length, rejected: entries.filter((e) => e.state === 'rejected').length };
  }

  /** When the next retry is due (epoch ms), or null when nothing waits. */
  async nextDue(): Promise<number | null> {
    const due = (await this.store.all()).filter((e) => e.state === 'pending' && this.sendable(e)).map((e) => e.nextAttemptAt);
    return due.length > 0 ? Math.min(...due) : null;
  }

  /** Sends what is due (everything pending when forced), one at a time. Concurrent calls share one run. */
  flush(force = false): Promise<void> {
    this.flushing ??= this.run(force).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** After a new login: entries waiting for one are due again. */
  loggedIn(): void {
    this.state.needsLogin = false;
    this.state.lastError = null;
  }

  private async run(force: boolean): Promise<void> {
    if (this.state.needsLogin) return;
    this.state.sending = true;
    await this.report();
    try {
      const entries = (await this.store.all()).filter((e) => e.state === 'pending' && this.sendable(e) && (force || e.nextAttemptAt <= this.now()));
      for (const entry of entries) {
        const go = await this.attempt(entry);
        if (!go) break;
      }
    } finally {
      this.state.sending = false;
      await this.report();
    }
  }

  /** One upload; false when the rest should wait (no connection, server trouble, login needed). */
  private async attempt(entry: OutboxEntry): Promise<boolean> {
    let outcome: { status: number; message?: string };
    try {
      outcome = await this.send(entry);
    } catch {
      // Recorded as `network`, shown in the interface language (never the browser's "Failed to fetch").
      await this.retryLater(entry, 'network');
      return false;
    }
    if (outcome.status >= 200 && outcome.status < 300) {
      await this.store.delete(entry.id);
      this.state.lastError = null;
      this.state.lastSuccessAt = new Date(this.now()).toISOString();
      return true;
    }
    const message = `${outcome.status}${outcome.message ? ` ${outcome.message}` : ''}`;
    if (outcome.status === 401) {
      this.state.needsLogin = true;
      this.state.lastError = message;
      return false;
    }
    if (retryable(outcome.status)) {
      await this.retryLater(entry, message);
      return false;
    }
    await this.store.put({ ...entry, attempts: entry.attempts + 1, lastError: message, state: 'rejected' });
    this.state.lastError = message;
    return true;
  }

  private async retryLater(entry: OutboxEntry, message: string): Promise<void> {
    const attempts = entry.attempts + 1;
    await this.store.put({ ...entry, attempts, lastError: message, nextAttemptAt: this.now() + backoffMs(attempts) });
    this.state.lastError = message;
  }

  private async report(): Promise<void> {
    this.onStatus(await this.status());
  }
}
