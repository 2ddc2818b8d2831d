// Text the app keeps (issue 14, point 6): the `text` and `long-text` formats refuse control characters, bidi
// embeddings, overrides and isolates and lone surrogates (long text allows tab and newline); both validators say so
// in the interviewer's language; request strings are brought to NFC.
import { describe, expect, it } from 'vitest';
import { compileValidators } from '../../../schemas/ajv.js';
import { isLongText, isText } from '../../../schemas/formats.js';
import { standaloneValidators } from '../../../schemas/standalone.js';
import { normalizeText } from '../../../schemas/text.js';

describe('text formats', () => {
  it.each([
    ['plain Kazakh', 'Қазақстан Республикасы', true, true],
    ['an emoji (a surrogate pair)', 'ok \u{1F600}', true, true],
    ['a tab', 'a\tb', false, true],
    ['a newline', 'a\nb', false, true],
    ['a carriage return', 'a\rb', false, false],
    ['NUL', 'a\u0000b', false, false],
    ['DEL', 'a\u007fb', false, false],
    ['a C1 control (next line)', 'a\u0085b', false, false],
    ['left-to-right embedding U+202A', 'a\u202ab', false, false],
    ['right-to-left override U+202E', 'a\u202eb', false, false],
    ['left-to-right isolate U+2066', 'a\u2066b', false, false],
    ['pop directional isolate U+2069', 'a\u2069b', false, false],
    ['the right-to-left mark U+200F (not an override)', 'a\u200fb', true, true],
    ['a lone high surrogate', 'a\ud800b', false, false],
    ['a lone low surrogate', 'a\udc00b', false, false],
    ['a lone high surrogate at the end', 'ab\ud83d', false, false],
  ])('%s: text %s, long text %s', (_name, value, text, long) => {
    expect(isText(value)).toBe(text);
    expect(isLongText(value)).toBe(long);
  });

  const ajv = compileValidators();
  const base = {
    es_sector: 'media', es_region: 'almaty_city', es_impact_concern_1: 'limited', es_impact_concern_2: 'some_tangible',
    es_cs_field_1: 'education', es_cs_impact_field_1: 'high', es_cs_field_2: 'health', es_cs_impact_field_2: 'dk',
    es_cs_general_social_impact: 'limited', es_cs_general_policy_impact: 'no_impact',
  };

  it('accepts tabs and newlines in an open answer on both validators', () => {
    const answers = { ...base, es_policy_issue_1: 'Law on NGOs\n\tsecond line', es_policy_outcome_1: 'pending' };
    expect(ajv.external(answers, 'en')).toEqual({ valid: true, errors: [] });
    expect(standaloneValidators.external(answers, 'en')).toEqual({ valid: true, errors: [] });
  });

  it.each([
    ['en', /control characters/],
    ['ru', /управляющие символы/],
    ['kk', /басқару таңбаларын/],
  ] as const)('says what to fix in %s', (lang, message) => {
    const answers = { ...base, es_policy_issue_1: 'Law \u202eon NGOs', es_policy_outcome_1: 'pending' };
    for (const validate of [ajv.external, standaloneValidators.external]) {
      const result = validate(answers, lang);
      expect(result.errors).toEqual([{ path: '/es_policy_issue_1', item: 'es_policy_issue_1', keyword: 'format', message: expect.stringMatching(message) }]);
    }
  });
});

describe('normalizeText', () => {
  it('brings every string value of a document to NFC, nested ones included, and leaves the rest alone', () => {
    const decomposed = 'Ana\u0301 Ж\u0306'; // a + combining acute, Ж + combining breve
    const doc = { id: 'x', answers: { a: decomposed, n: 3, b: true, none: null, list: [decomposed, 1] } };
    expect(normalizeText(doc)).toEqual({ id: 'x', answers: { a: 'Aná Ӂ', n: 3, b: true, none: null, list: ['Aná Ӂ', 1] } });
    expect('Aná Ӂ'.normalize('NFC')).toBe('Aná Ӂ');
    expect(normalizeText(decomposed)).not.toBe(decomposed);
  });
});
