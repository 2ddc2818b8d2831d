/**
 * A write and its audit entry never part, even when the server dies between them (issue 14). The real server is
 * started with CSI_FAULT_KILL_BEFORE_AUDIT=<action>, which makes it SIGKILL itself exactly after the write and
 * before the entry, not at some lucky moment; it is then started again (without the fault) and the client retries
 * as a tablet would. Afterwards each write that is stored has exactly one entry. On MongoDB the write survives
 * the kill with its entry inside the document (proof the kill fell between the two), and the start or the retry
 * completes it; on the embedded store the write and the entry are one transaction, and the kill takes both.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import type { AuditEntry } from '../../server/domain/accounts.js';
import { MongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store } from '../../server/store/store.port.js';
import { deployment, seedDeployment, startServer, type Cleanups, type ServerProcess } from '../support/server-process.js';
import { STORE_KINDS } from '../support/stores.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const RESPONSES = '/api/v1/surveys/population/responses';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(server: ServerProcess, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The request during which the server kills itself: it gets no answer, and the process is gone after it. */
async function callIntoTheFault(server: ServerProcess, token: string, method: string, path: string, body: unknown): Promise<void> {
  await expect(call(server, token, method, path, body)).rejects.toThrow();
  expect(await server.exited()).toEqual({ signal: 'SIGKILL', code: null });
}

async function entries(store: Store, target: string, action: string): Promise<AuditEntry[]> {
  return (await store.listAudit({ target, action }, 100)).items;
}

/** On MongoDB: the entry still waiting inside the document, found before anything restarted. */
async function waitingEntries(store: Store, collection: string, id: string): Promise<string[]> {
  if (!(store instanceof MongoStore)) return [];
  const docs = (await store.dumpCollectionForTests(collection)) as Array<{ _id: string; auditOutbox?: Record<string, AuditEntry> }>;
  return docs.filter((d) => d._id === id).flatMap((d) => Object.values(d.auditOutbox ?? {}).map((e) => e.action));
}

describe.each(STORE_KINDS)('killed between a write and its audit entry (%s store)', (kind) => {
  test('every stored response, review, user and token has its one entry after restart and retry', async () => {
    const d = deployment(kind, cleanups);
    const tokens = await seedDeployment(d);
    const ainur = tokens.ainur as string;
    const coord = tokens.coord as string;
    const admin = tokens.admin as string;
    const submission = new SyntheticGenerator('population', { seed: 14 }).nextSubmission();
    const server = await startServer(d.env, cleanups, { CSI_FAULT_KILL_BEFORE_AUDIT: 'response.created' });

    // 1. A submission: killed after the response is written, before its entry.
    await callIntoTheFault(server, ainur, 'POST', RESPONSES, submission);
    let store = await d.openStore();
    const stored = await store.findResponseById(submission.id);
    expect(await entries(store, `response:${submission.id}`, 'response.created')).toEqual([]);
    if (kind === 'mongodb') {
      expect(stored?.id).toBe(submission.id);
      expect(await waitingEntries(store, 'responses', submission.id)).toEqual(['response.created']);
    } else {
      expect(stored).toBeNull();
    }
    await store.close();
    // The retry: a recognised resubmission where the response survived, a creation where it did not.
    await server.start({ CSI_FAULT_KILL_BEFORE_AUDIT: 'response.reviewed' });
    const retried = await call(server, ainur, 'POST', RESPONSES, submission);
    expect(retried.status).toBe(kind === 'mongodb' ? 200 : 201);

    // 2. A review: killed after the new revision is written, before its entry.
    await callIntoTheFault(server, coord, 'PATCH', `${RESPONSES}/${submission.id}`, { status: 'approved', comment: 'checked', revision: 1 });
    await server.start({ CSI_FAULT_KILL_BEFORE_AUDIT: 'user.created' });
    const review = await call(server, coord, 'PATCH', `${RESPONSES}/${submission.id}`, { status: 'approved', comment: 'checked', revision: 1 });
    // Stored before the kill (MongoDB): the retry of the same revision is a conflict, and nothing is lost.
    expect(review.status).toBe(kind === 'mongodb' ? 409 : 200);

    // 3. A user: killed after the user is written, before its entry.
    const dana = { username: 'dana', password: 'a long enough password', role: 'analyst' };
    await callIntoTheFault(server, admin, 'POST', '/api/v1/users', dana);
    await server.start({ CSI_FAULT_KILL_BEFORE_AUDIT: 'token.created' });
    expect((await call(server, admin, 'POST', '/api/v1/users', dana)).status).toBe(kind === 'mongodb' ? 409 : 201);

    // 4. An API token: killed after the token is written, before its entry. The retry issues another (a secret
    //    never answered is lost to its requester), and each token stored has its entry.
    await callIntoTheFault(server, admin, 'POST', '/api/v1/tokens', { username: 'dana', name: 'script' });
    await server.start();
    expect((await call(server, admin, 'POST', '/api/v1/tokens', { username: 'dana', name: 'script' })).status).toBe(201);
    await server.stop();

    store = await d.openStore();
    cleanups.push(() => store.close());
    const response = await store.findResponseById(submission.id);
    expect(response?.revisions.map((r) => r.action)).toEqual(['created', 'reviewed']);
    expect(await entries(store, `response:${submission.id}`, 'response.created')).toHaveLength(1);
    expect(await entries(store, `response:${submission.id}`, 'response.reviewed')).toHaveLength(1);
    const user = await store.findUserByUsername('dana');
    expect(await entries(store, `user:${user!.id}`, 'user.created')).toHaveLength(1);
    const danaTokens = (await store.listTokens()).filter((t) => t.username === 'dana');
    expect(danaTokens).toHaveLength(kind === 'mongodb' ? 2 : 1);
    for (const t of danaTokens) expect(await entries(store, `token:${t.id}`, 'token.created')).toHaveLength(1);
    for (const [collection, id] of [['responses', submission.id], ['users', user!.id], ...danaTokens.map((t) => ['tokens', t.id])] as const) {
      expect(await waitingEntries(store, collection, id), `${collection} ${id}`).toEqual([]);
    }
  }, 300_000);
});
