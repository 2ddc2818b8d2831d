/** The real app on a real store, for supertest: each call gets its own store (its own database). */
import type { Express, Request } from 'express';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../server/app.js';
import { makeTestStore, type StoreKind, type TestStore } from './stores.js';

export interface TestApp {
  app: Express;
  t: TestStore;
}

/** Tests name the acting user with a header; the access issue replaces this with real authentication. */
export const actorFromTestHeader = (req: Request) => ({ username: (req.headers['x-test-user'] as string | undefined) ?? null });

export async function makeTestApp(kind: StoreKind, deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const t = await makeTestStore(kind);
  const app = createApp({ store: t.store, logger: pino({ level: 'silent' }), actorOf: actorFromTestHeader, ...deps });
  return { app, t };
}
