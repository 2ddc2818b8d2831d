/**
 * Counts store calls in flight, so that shutdown closes the store only after the last one settled. Waiting for
 * HTTP connections is not enough: a client that hangs up leaves its handler still awaiting a write.
 */
export interface InFlight<T> {
  store: T;
  /** Resolves when no call is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>;
}

export function trackInFlight<T extends object>(target: T): InFlight<T> {
  let pending = 0;
  let waiters: Array<() => void> = [];
  // A handler awaiting one store call often makes the next right after it settles (insert, then audit): only when
  // the count is still zero a turn of the event loop later is the store really idle.
  const wakeIfIdle = () => {
    if (pending !== 0) return;
    setImmediate(() => {
      if (pending !== 0) return;
      for (const w of waiters) w();
      waiters = [];
    });
  };
  const settle = () => {
    pending -= 1;
    wakeIfIdle();
  };
  const store = new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (!(result instanceof Promise)) return result;
        pending += 1;
        return result.finally(settle);
      };
    },
  });
  return {
    store,
    idle: (timeoutMs) => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, timeoutMs).unref();
    })),
  };
}
