import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, uuidFromName } from '../../../server/domain/canonical.js';

/** The definition: keys sorted by code unit at every level, undefined members left out, no whitespace. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const members = Object.keys(value).sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
  return `{${members.join(',')}}`;
}

describe('canonicalJson', () => {
  it('equals the reference definition on any JSON, odd keys and repeated key sets included', () => {
    const oddKey = fc.constantFrom('__proto__', 'constructor', 'a\u0000b', 'a', 'b', '\u0000', 'é', '😀', '"', '\\', '10', '9', '');
    const value = fc.oneof(fc.jsonValue(), fc.dictionary(oddKey, fc.jsonValue()), fc.array(fc.dictionary(oddKey, fc.jsonValue({ maxDepth: 1 }))));
    fc.assert(fc.property(value, (v) => {
      const parsed: unknown = JSON.parse(JSON.stringify(v));
      expect(canonicalJson(parsed)).toBe(reference(parsed));
      expect(canonicalJson(parsed)).toBe(reference(parsed));
    }), { numRuns: 1000, seed: 11 });
  });

  it('tells apart key sets that join to the same text', () => {
    expect(canonicalJson(JSON.parse('{"a\\u0000":1,"b":2}'))).toBe('{"a\\u0000":1,"b":2}');
    expect(canonicalJson(JSON.parse('{"a":1,"\\u0000b":2}'))).toBe('{"\\u0000b":2,"a":1}');
    expect(canonicalJson({ 'a,b': 1 })).toBe('{"a,b":1}');
    expect(canonicalJson({ a: 1, b: 1 })).toBe('{"a":1,"b":1}');
  });

  it('writes numbers, strings that need escaping and non-finite numbers as JSON does', () => {
    for (const v of [-0, 1e21, 1.5e-7, 0.1 + 0.2, 'a"b', 'line\nbreak', 'tab\t', '\ud800', 'ok value: 1+2.3-4']) {
      expect(canonicalJson(v)).toBe(JSON.stringify(v));
    }
    expect(canonicalJson([Number.NaN, Number.POSITIVE_INFINITY])).toBe('[null,null]');
  });

  it('is the same for any key order and parses back to the same value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const shuffled = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
      expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }), { numRuns: 300, seed: 3 });
  });

  it.each([
    [{ b: 1, a: [2, { d: null, c: 'x' }] }, '{"a":[2,{"c":"x","d":null}],"b":1}'],
    [{ a: undefined, b: true }, '{"b":true}'],
    [{}, '{}'],
    ['é', '"é"'],
  ])('%j -> %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('hashes content, and names give stable UUIDs', () => {
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(uuidFromName('x')).toBe(uuidFromName('x'));
    expect(uuidFromName('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
