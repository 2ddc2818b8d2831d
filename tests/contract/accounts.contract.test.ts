// The account side of the store contract (users, tokens, audit), on every store.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, LoginAttempt, LoginClaim, Token, User } from '../../server/domain/accounts.js';
import Database from 'better-sqlite3';
import type { SqliteStore } from '../../server/store/embedded/sqlite.store.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function user(username: string): User {
  return { id: randomUUID(), username, role: 'interviewer', regions: ['akmola'], passwordHash: 'scrypt$x', disabled: false, mustChangePassword: false, createdAt: at(0), updatedAt: at(0) };
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

  const attempt = (account: string, minute: number, address = '10.0.0.1'): LoginAttempt =>
    ({ account, address, max: 5, now: at(minute), lapseBefore: at(minute - 15) });

  it('counts login attempts in slots, from either connection, and refuses beyond the last', async () => {
    const other = await t.reopen();
    const claims: LoginClaim[] = [];
    for (let i = 0; i < 7; i += 1) claims.push(await (i % 2 ? other : t.store).claimLoginAttempt(attempt('boris', i)));
    expect(claims).toEqual([0, 1, 2, 3, 4].map((slot) => ({ allowed: true, slot }))
      .concat([{ allowed: false, lastAt: at(4) } as never, { allowed: false, lastAt: at(4) } as never]));
    // Another address, or another account, has slots of its own.
    expect(await t.store.claimLoginAttempt(attempt('boris', 7, '10.0.0.2'))).toEqual({ allowed: true, slot: 0 });
    expect(await t.store.claimLoginAttempt(attempt('admin', 7))).toEqual({ allowed: true, slot: 0 });
  });

  // The lockout's whole promise: FerretDB applies updates as read-modify-write outside a transaction (FerretDB
  // issue #3040), so only inserts under a unique key may decide; 40 guesses at once, through two connections.
  it('lets exactly max of 40 simultaneous attempts through, on both connections together', async () => {
    const other = await t.reopen();
    const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : t.store).claimLoginAttempt(attempt('admin', 0))));
    const allowed = claims.filter((c): c is { allowed: true; slot: number } => c.allowed);
    expect(allowed.map((c) => c.slot).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(claims.filter((c) => !c.allowed)).toHaveLength(35);
  });

  it('starts afresh once the newest attempt is older than the lapse time, and clears by address or account', async () => {
    for (let i = 0; i < 5; i += 1) await t.store.claimLoginAttempt(attempt('coord', i));
    // Fifteen minutes after the first but not after the newest: still full.
    expect(await t.store.claimLoginAttempt(attempt('coord', 16))).toEqual({ allowed: false, lastAt: at(4) });
    expect(await t.store.claimLoginAttempt(attempt('coord', 20))).toEqual({ allowed: true, slot: 0 });
    expect(await t.store.claimLoginAttempt(attempt('coord', 21))).toEqual({ allowed: true, slot: 1 });
    await t.store.claimLoginAttempt(attempt('coord', 21, '10.0.0.9'));
    expect(await t.store.clearLoginAttempts('coord', '10.0.0.1')).toBe(2);
    expect(await t.store.claimLoginAttempt(attempt('coord', 22))).toEqual({ allowed: true, slot: 0 });
    expect(await t.store.clearLoginAttempts('coord')).toBe(2);
  });

  it('records the audit entry of a user, token or revocation with the write, and none when nothing was written', async () => {
    const a = user('dana');
    const created = entry(1, 'user.created');
    expect(await t.store.insertUser(a, created)).toBe(true);
    expect(await t.store.insertUser({ ...user('dana') }, entry(2, 'user.created'))).toBe(false);
    await t.store.replaceUser({ ...a, disabled: true }, entry(3, 'user.disabled'));
    const tk = token(a, 'e'.repeat(64));
    await t.store.insertToken(tk, entry(4, 'token.created'));
    expect(await t.store.revokeToken(tk.id, at(5), entry(5, 'token.revoked'))).toBe(true);
    expect(await t.store.revokeToken(tk.id, at(6), entry(6, 'token.revoked'))).toBe(false);
    // Appending an entry already in the trail (a retry after a crash) changes nothing.
    await t.store.appendAudit(created);
    const trail = await t.store.listAudit({}, 100);
    expect(trail.items.map((e) => `${e.action}@${e.at}`)).toEqual([
      `user.created@${at(1)}`, `user.disabled@${at(3)}`, `token.created@${at(4)}`, `token.revoked@${at(5)}`,
    ]);
    // The entry never shows in what is read back.
    expect(await t.store.findUserById(a.id)).toEqual({ ...a, disabled: true });
    expect(await t.store.findTokenById(tk.id)).toEqual({ ...tk, revokedAt: at(5) });
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

  it('revokes a token once under 10 concurrent revocations across two connections: one wins, one entry', async () => {
    const a = user('revoker');
    await t.store.insertUser(a);
    const tk = token(a, 'a'.repeat(64));
    await t.store.insertToken(tk);
    const other = await t.reopen();
    const entries = Array.from({ length: 10 }, (_, i) => entry(10 + i, 'token.revoked'));
    const outcomes = await Promise.all(entries.map((e, i) => (i % 2 ? other : t.store).revokeToken(tk.id, at(10 + i), e)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes.indexOf(true);
    expect((await other.findTokenById(tk.id))?.revokedAt).toBe(at(10 + winner));
    expect((await t.store.listAudit({ action: 'token.revoked' }, 20)).items).toEqual([entries[winner]]);
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
