// The account side of the store contract (users, tokens, audit), on every store.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, Token, User } from '../../server/domain/accounts.js';
import Database from 'better-sqlite3';
import type { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function user(username: string): User {
  return { id: randomUUID(), username, role: 'interviewer', regions: ['akmola'], passwordHash: 'scrypt$x', disabled: false, failedLogins: 0, lockedUntil: null, createdAt: at(0), updatedAt: at(0) };
}

function token(u: User, hash: string): Token {
  return { id: randomUUID(), tokenHash: hash, userId: u.id, username: u.username, kind: 'api', name: 't', createdAt: at(0), expiresAt: at(60), revokedAt: null };
}

function entry(minute: number, action: string, actor = 'admin'): AuditEntry {
  return { id: randomUUID(), at: at(minute), actor, action, target: 'user:1', beforeHash: null, afterHash: 'ab'.repeat(32) };
}

describe.each(STORE_KINDS)('%s account store contract', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makeTestStore(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keeps usernames unique and finds users by id and name', async () => {
    const a = user('ainur');
    expect(await t.store.insertUser(a)).toBe(true);
    expect(await t.store.insertUser({ ...user('ainur') })).toBe(false);
    expect(await t.store.findUserById(a.id)).toEqual(a);
    expect(await t.store.findUserByUsername('ainur')).toEqual(a);
    expect(await t.store.findUserByUsername('nobody')).toBeNull();
    expect(await t.store.countUsers()).toBe(1);
  });

  // Sequential on purpose: FerretDB 1.24 applies updates as read-modify-write outside a transaction (FerretDB
  // issue #3040), so concurrent $inc lose counts there; MongoDB and SQLite do not. The lockout tolerates it: a
  // lost count costs an attacker one more try, within the per-address login rate limit.
  it('counts failed logins, from either connection', async () => {
    const a = user('boris');
    await t.store.insertUser(a);
    const other = await t.reopen();
    const counts: number[] = [];
    for (let i = 0; i < 10; i += 1) counts.push(await (i % 2 ? other : t.store).incrementFailedLogins(a.id));
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await t.store.findUserById(a.id))?.failedLogins).toBe(10);
    await t.store.replaceUser({ ...a, failedLogins: 0, disabled: true });
    expect(await t.store.findUserById(a.id)).toMatchObject({ failedLogins: 0, disabled: true });
  });

  it('finds tokens by hash and revokes them once', async () => {
    const a = user('coord');
    await t.store.insertUser(a);
    const tk = token(a, 'f'.repeat(64));
    await t.store.insertToken(tk);
    expect(await t.store.findTokenByHash('f'.repeat(64))).toEqual(tk);
    expect(await t.store.revokeToken(tk.id, at(5))).toBe(true);
    expect(await t.store.revokeToken(tk.id, at(6))).toBe(false);
    expect((await t.store.findTokenById(tk.id))?.revokedAt).toBe(at(5));
    expect(await t.store.listTokens()).toHaveLength(1);
  });

  it('pages the audit trail in time order, filtered', async () => {
    for (let m = 0; m < 12; m += 1) await t.store.appendAudit(entry(m, m % 3 === 0 ? 'user.created' : 'auth.login', m % 2 ? 'ainur' : 'admin'));
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await t.store.listAudit({}, 5, after);
      seen.push(...page.items.map((e) => e.at));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toHaveLength(12);
    expect((await t.store.listAudit({ action: 'user.created' }, 100)).items).toHaveLength(4);
    expect((await t.store.listAudit({ actor: 'ainur', since: at(6) }, 100)).items).toHaveLength(3);
  });

  it('keeps every one of many entries appended at once (written together), and answers only once they are stored', async () => {
    const entries = Array.from({ length: 40 }, (_, m) => entry(m, 'auth.login', `user${m}`));
    await Promise.all(entries.map((e) => t.store.appendAudit(e)));
    const other = await t.reopen();
    const { items } = await other.listAudit({ action: 'auth.login' }, 100);
    expect(items).toEqual(entries);
  });

});

describe('embedded audit trail', () => {
  it('refuses to change or delete audit entries, even from SQL', async () => {
    const t = await makeTestStore('embedded');
    try {
      await t.store.appendAudit(entry(1, 'user.created'));
      const db = new Database((t.store as SqliteStore).file);
      expect(() => db.exec("UPDATE audit SET action = 'x'")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit')).toThrow(/append-only/);
      db.close();
    } finally {
      await t.dispose();
    }
  });
});

describe.each(STORE_KINDS)('%s settings contract', (kind) => {
  it('stores one JSON value per key and replaces it whole', async () => {
    const t = await makeTestStore(kind);
    try {
      expect(await t.store.getSetting('margins:population')).toBeNull();
      await t.store.putSetting('margins:population', { variables: [{ variable: 'ps_gender', shares: { male: 48.2, female: 51.8 } }] });
      await t.store.putSetting('margins:population', { variables: [{ variable: 'ps_gender', shares: { male: 50, female: 50 } }] });
      expect(await t.store.getSetting('margins:population')).toEqual({ variables: [{ variable: 'ps_gender', shares: { male: 50, female: 50 } }] });
      expect(await (await t.reopen()).getSetting('margins:population')).toEqual({ variables: [{ variable: 'ps_gender', shares: { male: 50, female: 50 } }] });
    } finally {
      await t.dispose();
    }
  });

  it('answers many reads at once, each with its own key\'s value, and every read sees writes completed before it', async () => {
    const t = await makeTestStore(kind);
    try {
      const other = await t.reopen();
      await t.store.putSetting('a', 1);
      await t.store.putSetting('b', { x: [2] });
      const keys = ['a', 'b', 'missing', 'a', 'b', 'missing'];
      expect(await Promise.all(keys.map((k) => other.getSetting(k)))).toEqual([1, { x: [2] }, null, 1, { x: [2] }, null]);
      for (let v = 0; v < 5; v += 1) {
        const reads = [other.getSetting('a'), t.store.putSetting('a', v).then(() => other.getSetting('a'))];
        expect((await Promise.all(reads))[1]).toBe(v);
      }
    } finally {
      await t.dispose();
    }
  });
});
