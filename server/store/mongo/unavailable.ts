/**
 * A MongoDB server that is down or does not answer must cost a client a quick `503.1` (with Retry-After, which the
 * error handler adds), not a 500 after the driver's own ten-second wait. Every promise a store method returns is
 * raced against `timeoutMs`; the driver's "cannot reach the server" errors and the timeout both become the
 * catalogue's `storeUnavailable`. The call that timed out may still complete on the server: every write here is
 * idempotent on retry (client ids, conditional replaces, AUDIT_OUTBOX), so a client told 503 simply retries.
 * Streams are left alone: an export that started is not a call with one answer.
 */
import { MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { problem } from '../../domain/problems.js';

export function isUnreachable(error: unknown): boolean {
  // MongoNetworkError covers timeouts and a cleared connection pool too (their classes extend it).
  return error instanceof MongoServerSelectionError || error instanceof MongoNetworkError || error instanceof MongoTopologyClosedError;
}

function unavailable(timeoutMs: number, cause?: unknown) {
  const p = problem('storeUnavailable', { store: 'mongodb', timeoutMs });
  if (cause !== undefined) Object.assign(p, { cause });
  return p;
}

function bounded<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(unavailable(timeoutMs)), timeoutMs);
    timer.unref();
  });
  return Promise.race([call, late])
    .catch((error: unknown) => {
      throw isUnreachable(error) ? unavailable(timeoutMs, error) : error;
    })
    .finally(() => clearTimeout(timer));
}

/** Not requests' calls: closing waits on writes in flight, the repair at start reads whole collections. */
const UNBOUNDED = new Set<string | symbol>(['close', 'repairAudit']);

/** The store, with every promise-returning method a request calls bounded by `timeoutMs`. */
export function guardedStore<T extends object>(store: T, timeoutMs: number): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || UNBOUNDED.has(key)) return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? bounded(result, timeoutMs) : result;
      };
    },
  });
}
