// The migration plan shared by both stores: which migrations a store at a version needs, and refusals.
import { describe, expect, it } from 'vitest';
import { latestVersion, pendingMigrations, StoreTooNewError, type Migration } from '../../../server/store/migrations.js';

const m = (version: number): Migration<string> => ({ version, description: `step ${version}`, up: `up ${version}` });
const three = [m(1), m(2), m(3)];

describe('pendingMigrations', () => {
  it.each([
    { current: 0, pending: [1, 2, 3] },
    { current: 1, pending: [2, 3] },
    { current: 2, pending: [3] },
    { current: 3, pending: [] },
  ])('a store at version $current needs $pending', ({ current, pending }) => {
    expect(pendingMigrations(three, current, 'the store').map((x) => x.up)).toEqual(pending.map((v) => `up ${v}`));
  });

  it('refuses a store ahead of the list, naming both versions', () => {
    const refuse = () => pendingMigrations(three, 4, 'The store x');
    expect(refuse).toThrow(StoreTooNewError);
    expect(refuse).toThrow('The store x was written by a newer release of csi-survey (store schema version 4; this release knows versions up to 3)');
  });

  it.each([
    { list: [m(2), m(1)], why: 'out of order' },
    { list: [m(1), m(3)], why: 'a gap' },
    { list: [m(1), m(1)], why: 'a repeat' },
  ])('rejects a list with $why as a programmer error', ({ list }) => {
    expect(() => pendingMigrations(list, 0, 'the store')).toThrow(/numbered 1, 2, 3/);
  });

  it('rejects a recorded version that is not a whole number', () => {
    expect(() => pendingMigrations(three, -1, 'the store')).toThrow(/invalid schema version/);
    expect(() => pendingMigrations(three, 1.5, 'the store')).toThrow(/invalid schema version/);
  });

  it('the latest version is the length of the list', () => {
    expect(latestVersion(three)).toBe(3);
    expect(latestVersion([])).toBe(0);
  });
});
