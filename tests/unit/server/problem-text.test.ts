// How the command line words a problem: the catalogue's pointer to `details` dropped, every error on its own line
// with its rule and allowed values, other details as words, never JSON.
import { describe, expect, it } from 'vitest';
import { problem } from '../../../server/domain/problems.js';
import { problemText } from '../../../server/cli/problem-text.js';

describe('problemText', () => {
  it.each([
    ['an error list with allowed values', problem('schemaInvalid', { errors: [
      { path: '/role', item: null, keyword: 'enum', message: 'must be equal to one of the allowed values', allowedValues: ['interviewer', 'admin'] },
      { path: '', item: null, keyword: 'required', message: 'must have required property' },
    ] }), '400.2 The request does not match the schema:\n  /role (rule: enum): must be equal to one of the allowed values\n    allowed: interviewer, admin\n  (whole input) (rule: required): must have required property'],
    ['an answer error naming its item', problem('schemaInvalid', { errors: [{ path: '/answers/ps_age', item: 'ps_age', keyword: 'minimum', message: 'too small' }] }),
      '400.2 The request does not match the schema:\n  /answers/ps_age (rule: minimum): too small'],
    ['a plan error without a rule', problem('invalidQuotaPlan', { errors: [{ path: '/quotas/0', message: 'unknown variable' }] }),
      '400.6 The quota plan is not valid:\n  /quotas/0: unknown variable'],
    ['nested details as words', problem('quotaFull', { cells: [{ quota: 'ps_region', categories: { ps_region: 'akmola' } }] }),
      '409.6 A quota cell of this respondent is full:\n  cells: quota=ps_region categories=ps_region=akmola'],
    ['no details', problem('userNotFound'), '404.4 There is no such user.'],
  ])('%s', (_name, p, expected) => {
    expect(problemText(p)).toBe(expected);
  });
});
