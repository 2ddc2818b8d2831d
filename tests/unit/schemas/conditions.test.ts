import { describe, expect, it } from 'vitest';
import { itemStates, matches, withoutIrrelevant } from '../../../schemas/conditions.js';
import { questionnaires, SURVEY_IDS } from '../../../schemas/surveys.js';

describe('matches', () => {
  it.each([
    [{ const: 'other' }, 'other', true],
    [{ const: true }, 'dk', false],
    [{ enum: [1, 2] }, 2, true],
    [{ not: { const: 'x' } }, 'x', false],
    [{ type: 'string' }, 3, false],
    [{ type: 'integer', minimum: 18 }, 17, false],
    [{ required: ['a'] }, { b: 1 }, false],
    [{ properties: { a: { const: 1 } }, required: ['a'] }, { a: 1 }, true],
    [{ properties: { a: { const: 1 } } }, {}, true],
    [false, 'anything', false],
  ])('%j against %j -> %s', (schema, value, expected) => {
    expect(matches(schema, value)).toBe(expected);
  });

  it('refuses keywords it does not understand rather than guessing', () => {
    expect(() => matches({ pattern: '^a' } as never, 'a')).toThrow(/pattern/);
  });

  it.each(SURVEY_IDS)('understands every skip rule of %s', (survey) => {
    for (const rule of questionnaires[survey].allOf) {
      expect(() => matches(rule.if, {})).not.toThrow();
      for (const branch of [rule.then, rule.else]) {
        if (typeof branch !== 'object') continue;
        for (const sub of Object.values(branch.properties ?? {})) expect(() => matches(sub, 'x')).not.toThrow();
      }
    }
  });
});

describe('itemStates', () => {
  it('makes the nationality specification relevant and required only for "other"', () => {
    expect(itemStates('population', { ps_ethnicity: 'kazakh' }).get('ps_ethnicity_other')).toMatchObject({ relevant: false, required: false });
    expect(itemStates('population', { ps_ethnicity: 'other' }).get('ps_ethnicity_other')).toMatchObject({ relevant: true, required: true });
    expect(itemStates('population', {}).get('ps_ethnicity_other')).toMatchObject({ relevant: false });
  });

  it('keeps the policy text optional but relevant when a policy was pushed', () => {
    const states = itemStates('organisational', { os_policy_pushed_2y: true });
    expect(states.get('os_policy_text')).toMatchObject({ relevant: true, required: false });
    expect(states.get('os_policy_outcome')).toMatchObject({ relevant: true, required: true });
  });

  it('collects the constraint that the second choice differs from the first', () => {
    const states = itemStates('population', { ps_problem_first: 'crime' });
    expect(states.get('ps_problem_second')?.constraints).toEqual([{ not: { const: 'crime' } }]);
  });
});

describe('withoutIrrelevant', () => {
  it('clears answers to items that earlier answers skip', () => {
    expect(withoutIrrelevant('organisational', { os_violent_forces_exist: false, os_violent_forces_description: 'extremely_rare', os_has_board: true }))
      .toEqual({ os_violent_forces_exist: false, os_has_board: true });
  });
});
