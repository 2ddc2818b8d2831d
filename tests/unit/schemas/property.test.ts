// Property tests over the synthetic generator and both validators: generated responses are valid; breaking any
// one item makes the response invalid with an error that names that item; skip rules read by conditions.ts
// agree with the schema as ajv applies it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileValidators } from '../../../schemas/ajv.js';
import { itemStates } from '../../../schemas/conditions.js';
import { itemsOf, type Item } from '../../../schemas/items.js';
import { standaloneValidators } from '../../../schemas/standalone.js';
import { SURVEY_IDS } from '../../../schemas/surveys.js';
import { SyntheticGenerator } from '../../../schemas/synthetic.js';

const validators = compileValidators();
const RUNS = 1000;

/** Values that break an item: outside its codes, its range, its type or its length limits. */
function brokenValue(item: Item): fc.Arbitrary<unknown> {
  const allowed = new Set<unknown>([...item.codes, ...(item.special ? ['dk', 'ref'] : [])]);
  switch (item.kind) {
    case 'choice':
      return fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)).filter((v) => !allowed.has(v));
    case 'integer':
    case 'number': {
      const lo = item.minimum ?? 0;
      const hi = item.maximum ?? 1e13;
      return fc.oneof(
        fc.integer({ min: -1e6, max: lo - 1 }),
        fc.constant(hi + 1),
        fc.constant(null),
        fc.boolean(),
        ...(item.kind === 'integer' ? [fc.constant(lo + 0.5)] : []),
      );
    }
    case 'date':
      return fc.constantFrom('2009-13-01', '2009-02-29', '01.06.2009', '', 20090601);
    case 'text':
      return fc.oneof(fc.constant(''), fc.integer(), fc.constant('x'.repeat((item.maxLength ?? 64) + 1)));
  }
}

describe.each(SURVEY_IDS)('%s', (survey) => {
  const items = itemsOf(survey);

  it(`${RUNS} generated responses are all valid`, () => {
    const generator = new SyntheticGenerator(survey, { seed: 20091 });
    for (const answers of generator.take(RUNS)) {
      const result = validators[survey](answers);
      expect(result.errors).toEqual([]);
    }
  });

  it('mutating any one answered item to an invalid value makes the response invalid, naming that item', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.nat(),
        fc.gen(),
        (seed, pick, gen) => {
          const answers = new SyntheticGenerator(survey, { seed }).next();
          const answered = items.filter((i) => answers[i.id] !== undefined);
          const item = answered[pick % answered.length] as Item;
          const mutated = { ...answers, [item.id]: gen(() => brokenValue(item)) };
          const result = validators[survey](mutated);
          expect(result.valid).toBe(false);
          expect(result.errors.map((e) => e.item)).toContain(item.id);
          expect(standaloneValidators[survey](mutated)).toEqual(result);
        },
      ),
      { numRuns: RUNS, seed: 42 },
    );
  });

  it('an answer to an item the skip rules make irrelevant is an error naming it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const answers = new SyntheticGenerator(survey, { seed }).next();
        const states = itemStates(survey, answers);
        for (const item of items) {
          if (states.get(item.id)?.relevant !== false) continue;
          const donor = new SyntheticGenerator(survey, { seed: seed + 1 });
          const value = item.kind === 'choice' ? item.codes[0] : item.kind === 'text' ? 'text' : donor.next()[item.id] ?? 1;
          const result = validators[survey]({ ...answers, [item.id]: value });
          expect(result.errors).toContainEqual(expect.objectContaining({ item: item.id, keyword: 'skipped' }));
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
