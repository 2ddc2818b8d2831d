import { describe, expect, it } from 'vitest';
import { canSee, redactFor, scopeFilter } from '../../../server/domain/access.js';
import type { Actor } from '../../../server/domain/actor.js';
import { decide, POLICY } from '../../../server/domain/policy.js';

const actor = (role: Actor['role'], username = 'ainur', regions: string[] = []): Actor => ({ username, userId: 'u', role, regions });

describe('scopeFilter', () => {
  it.each([
    ['interviewer sees only their own', actor('interviewer'), {}, { interviewer: 'ainur' }],
    ['interviewer asking for another sees nothing', actor('interviewer'), { interviewer: 'boris' }, { interviewer: 'ainur', regions: [] }],
    ['scoped coordinator sees their regions', actor('coordinator', 'c', ['akmola', 'aktobe']), {}, { regions: ['akmola', 'aktobe'] }],
    ['scoped coordinator asking for one of them', actor('coordinator', 'c', ['akmola', 'aktobe']), { region: 'aktobe' }, { region: 'aktobe', regions: ['aktobe'] }],
    ['scoped coordinator asking outside sees nothing', actor('coordinator', 'c', ['akmola']), { region: 'pavlodar' }, { region: 'pavlodar', regions: [] }],
    ['unscoped coordinator sees all', actor('coordinator', 'c'), { region: 'pavlodar' }, { region: 'pavlodar' }],
    ['analyst sees all', actor('analyst', 'a'), {}, {}],
  ])('%s', (_name, who, filter, expected) => {
    expect(scopeFilter(who, filter)).toEqual(expected);
  });
});

describe('canSee', () => {
  it.each([
    [actor('interviewer'), { interviewer: 'ainur', region: 'akmola' }, true],
    [actor('interviewer'), { interviewer: 'boris', region: 'akmola' }, false],
    [actor('interviewer'), { interviewer: null, region: 'akmola' }, false],
    [actor('coordinator', 'c', ['akmola']), { interviewer: 'boris', region: 'akmola' }, true],
    [actor('coordinator', 'c', ['akmola']), { interviewer: 'boris', region: null }, false],
    [actor('analyst', 'a'), { interviewer: 'boris', region: 'x' }, true],
    [{ username: null, userId: null, role: null, regions: [] } as Actor, { interviewer: 'boris', region: 'x' }, false],
  ])('%j sees %j: %s', (who, response, expected) => {
    expect(canSee(who, response)).toBe(expected);
  });
});

describe('redactFor', () => {
  it('hides the interviewer from analysts only', () => {
    const r = { survey: 'population' as const, interviewer: 'ainur', answers: { ps_interviewer_id: 'int-01', ps_region: 'akmola' } };
    expect(redactFor(actor('analyst', 'a'), r)).toEqual({ survey: 'population', interviewer: null, answers: { ps_region: 'akmola' } });
    expect(redactFor(actor('coordinator', 'c'), r)).toBe(r);
  });
});

describe('policy', () => {
  it('lets anyone reach public routes and nobody else unauthenticated', () => {
    for (const policy of Object.values(POLICY)) {
      expect(decide(policy, null)).toBe(policy.allow === 'public' ? 'allow' : 'unauthenticated');
      expect(decide(policy, 'admin')).toBe('allow');
    }
  });
});
