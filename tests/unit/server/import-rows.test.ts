// Who an imported paper form is credited to, and the value an error report shows for an error's path.
import { describe, expect, it } from 'vitest';
import { interviewerOf, shownValueAt, submissionFromRow } from '../../../server/domain/import-rows.js';

describe('interviewerOf', () => {
  it.each([
    { survey: 'population', answers: { ps_interviewer_id: 'zhanna' }, fallback: 'marat', credited: 'zhanna', why: 'the form names one' },
    { survey: 'population', answers: { ps_interviewer_id: '  zhanna ' }, fallback: null, credited: 'zhanna', why: 'spaces trimmed' },
    { survey: 'population', answers: { ps_interviewer_id: '  ' }, fallback: 'marat', credited: 'marat', why: 'a blank name falls back' },
    { survey: 'population', answers: {}, fallback: 'marat', credited: 'marat', why: 'no name: the import\'s' },
    { survey: 'population', answers: {}, fallback: null, credited: null, why: 'neither: nobody' },
    { survey: 'organisational', answers: { ps_interviewer_id: 'zhanna' }, fallback: 'marat', credited: 'marat', why: 'no interviewer item in this survey' },
  ] as const)('$why', ({ survey, answers, fallback, credited }) => {
    expect(interviewerOf(survey, answers, fallback)).toBe(credited);
  });
});

describe('shownValueAt', () => {
  const submission = submissionFromRow('population', { ps_age_years: 12, ps_region: 'atlantis', 'a/b': 'slash', grid: { x: [1, 2] } });
  it.each([
    { pointer: '/answers/ps_age_years', shown: '12' },
    { pointer: '/answers/ps_region', shown: 'atlantis' },
    { pointer: '/answers/a~1b', shown: 'slash' },
    { pointer: '/answers/grid', shown: '{"x":[1,2]}' },
    { pointer: '/answers/ps_gender', shown: '' },
    { pointer: '/answers/ps_region/deeper', shown: '' },
    { pointer: '', shown: '' },
  ])('$pointer shows "$shown"', ({ pointer, shown }) => {
    expect(shownValueAt(submission, pointer)).toBe(shown);
  });
});
