/**
 * The real app on a real store, for supertest: each call gets its own store (its own database) and a cast of
 * users with API tokens, one per role and scope. `as(user)` is a supertest agent sending that user's token.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import type { Role } from '../../schemas/api.js';
import { buildApp, type AppDeps } from '../../server/app.js';
import type { User } from '../../server/domain/accounts.js';
import type { AccountsService } from '../../server/services/accounts.service.js';
import { hashPassword } from '../../server/services/passwords.js';
import { compileAllValidators, type Validators } from '../../server/services/validation.js';
import type { AccountStore } from '../../server/store/store.port.js';
import { makeTestStore, type StoreKind, type TestStore } from './stores.js';

export const TEST_PASSWORD = 'correct horse battery staple';

/** The cast: two interviewers, a coordinator for all regions, one scoped to two regions, an analyst, an admin. */
export const CAST: Record<string, { role: Role; regions?: string[] }> = {
  ainur: { role: 'interviewer' },
  boris: { role: 'interviewer' },
  coord: { role: 'coordinator' },
  coord_akm: { role: 'coordinator', regions: ['akmola', 'aktobe'] },
  analyst: { role: 'analyst' },
  admin: { role: 'admin' },
};

export type CastMember = keyof typeof CAST;

let passwordHash: Promise<string> | null = null;
let shippedValidators: Validators | null = null;

/** Users straight into the store (one scrypt hash shared by all, to keep tests fast) and an API token each. */
export async function seedCast(store: AccountStore, accounts: AccountsService): Promise<Record<string, string>> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const hash = await passwordHash;
  const tokens: Record<string, string> = {};
  for (const [username, { role, regions }] of Object.entries(CAST)) {
    const now = new Date().toISOString();
    const user: User = { id: randomUUID(), username, role, regions: regions ?? [], passwordHash: hash, disabled: false, mustChangePassword: false, createdAt: now, updatedAt: now };
    await store.insertUser(user);
    tokens[username] = (await accounts.createApiToken({ username, name: 'test' }, 'test')).token;
  }
  return tokens;
}

export interface TestApp {
  app: Express;
  t: TestStore;
  accounts: AccountsService;
  tokens: Record<string, string>;
  /** A supertest agent authenticated as a cast member. */
  as(user: string): ReturnType<typeof request.agent>;
}

export async function makeTestApp(kind: StoreKind, deps: Partial<AppDeps> = {}, logger: Logger = pino({ level: 'silent' })): Promise<TestApp> {
  const t = await makeTestStore(kind);
  // Compiling every validator takes about a second; most apps of a test process use the same set, compiled once.
  const validators = deps.validators ?? (deps.pinnedVersions ? undefined : (shippedValidators ??= compileAllValidators()));
  const { app, accounts } = buildApp({ store: t.store, logger, limits: { writesPerMinute: 100_000 }, ...deps, validators });
  const tokens = await seedCast(t.store, accounts);
  return {
    app, t, accounts, tokens,
    as: (user) => {
      const token = tokens[user];
      if (!token) throw new Error(`no test user ${user}`);
      return request.agent(app).set('Authorization', `Bearer ${token}`);
    },
  };
}
