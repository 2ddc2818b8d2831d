import { describe, expect, it } from 'vitest';
import { trackInFlight } from '../../../server/store/in-flight.js';

describe('trackInFlight', () => {
  it('waits for calls in flight, passes results and plain values through', async () => {
    let release: (v: number) => void = () => {};
    const target = { kind: 'x', slow: () => new Promise<number>((r) => { release = r; }), sync: () => 7 };
    const { store, idle } = trackInFlight(target);
    expect(store.kind).toBe('x');
    expect(store.sync()).toBe(7);
    const call = store.slow();
    let idled = false;
    const waiting = idle(5_000).then(() => { idled = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(idled).toBe(false);
    release(42);
    expect(await call).toBe(42);
    await waiting;
    expect(idled).toBe(true);
    await idle(5_000);
  });

  it('gives up waiting after the timeout', async () => {
    const { store, idle } = trackInFlight({ never: () => new Promise(() => {}) });
    void store.never();
    const started = Date.now();
    await idle(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});

describe('trackInFlight between two calls of one handler', () => {
  it('does not call the store idle in the gap between an insert and the audit that follows it', async () => {
    const events: string[] = [];
    const target = {
      insert: () => new Promise<void>((r) => setTimeout(() => { events.push('insert'); r(); }, 10)),
      audit: () => new Promise<void>((r) => setTimeout(() => { events.push('audit'); r(); }, 10)),
    };
    const { store, idle } = trackInFlight(target);
    const handler = (async () => {
      await store.insert();
      await store.audit();
    })();
    await new Promise((r) => setTimeout(r, 1));
    await idle(5_000);
    events.push('idle');
    await handler;
    expect(events).toEqual(['insert', 'audit', 'idle']);
  });
});
