// Versioned settings (the quota plan's versions) on every store: a version number goes to exactly one writer, under
// concurrency across two connections (two app instances); its audit entry is kept with it and only with it; readers
// list published versions newest first; publishing is idempotent.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../server/domain/accounts.js';
import type { SettingVersion } from '../../server/store/store.port.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const KEY = 'quotas:population';
const AT = '2009-07-01T09:00:00.000Z';

const version = (n: number, by: string, published = false): SettingVersion => ({ key: KEY, version: n, value: { version: n, by, quotas: [] }, at: AT, by, published });
const entry = (by: string): AuditEntry => ({ id: randomUUID(), at: AT, actor: by, action: 'quotas.updated', target: KEY, beforeHash: null, afterHash: null });

describe.each(STORE_KINDS)('%s versioned settings contract', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makeTestStore(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('gives one version number to exactly one of many concurrent writers across two connections, each audited only if it won', async () => {
    const other = await t.reopen();
    const writers = Array.from({ length: 10 }, (_, i) => `editor${i}`);
    const won = await Promise.all(writers.map((by, i) => (i % 2 ? other : t.store).insertSettingVersion(version(1, by), entry(by))));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = writers[won.indexOf(true)] as string;
    expect(await t.store.findSettingVersion(KEY, 1)).toEqual(version(1, winner));
    const trail = (await t.store.listAudit({ target: KEY }, 100)).items;
    expect(trail.map((e) => e.actor)).toEqual([winner]);
  });

  it('lists versions newest first, published ones only when asked; publishing twice is publishing once', async () => {
    for (const n of [1, 2, 3]) expect(await t.store.insertSettingVersion(version(n, 'coord'))).toBe(true);
    await t.store.publishSettingVersion(KEY, 1);
    await t.store.publishSettingVersion(KEY, 2);
    await t.store.publishSettingVersion(KEY, 2);
    expect((await t.store.listSettingVersions(KEY, { limit: 10 })).map((v) => [v.version, v.published])).toEqual([[3, false], [2, true], [1, true]]);
    expect(await t.store.listSettingVersions(KEY, { limit: 1, published: true })).toEqual([version(2, 'coord', true)]);
    expect(await t.store.listSettingVersions('quotas:organisational', { limit: 10 })).toEqual([]);
    expect(await t.store.findSettingVersion(KEY, 4)).toBeNull();
  });
});
