import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateItem } from '../../../server/domain/weighting/estimates.js';
import { calibrationProjection } from '../../../server/domain/weighting/linearization.js';
import { rake, RakingError, type Margin } from '../../../server/domain/weighting/raking.js';

const REGIONS = ['a', 'b', 'c'];
const GENDERS = ['f', 'm'];
const unitArb = fc.record({ region: fc.constantFrom(...REGIONS), gender: fc.constantFrom(...GENDERS), y: fc.constantFrom('yes', 'no', null) });
const sampleArb = fc.array(unitArb, { minLength: 30, maxLength: 200 }).filter((units) =>
  REGIONS.every((r) => units.some((u) => u.region === r)) && GENDERS.every((g) => units.some((u) => u.gender === g)));
const margins: Margin[] = [
  { variable: 'region', targets: { a: 50, b: 30, c: 20 } },
  { variable: 'gender', targets: { f: 52, m: 48 } },
];

function shareOf(units: Array<Record<string, unknown>>, weights: Float64Array, variable: string, category: string): number {
  let hit = 0;
  let total = 0;
  units.forEach((u, i) => {
    total += weights[i] as number;
    if (u[variable] === category) hit += weights[i] as number;
  });
  return hit / total;
}

describe('rake', () => {
  it('reproduces every margin within the tolerance', () => {
    fc.assert(fc.property(sampleArb, (units) => {
      const raked = rake(units, margins, { tolerance: 1e-10 });
      expect(raked.converged).toBe(true);
      for (const m of margins) {
        const sum = Object.values(m.targets).reduce((a, b) => a + b, 0);
        for (const [c, t] of Object.entries(m.targets)) expect(Math.abs(shareOf(units, raked.weights, m.variable, c) - t / sum)).toBeLessThan(1e-9);
      }
      expect(raked.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(units.length, 6);
    }), { numRuns: 100, seed: 11 });
  });

  it('keeps every weight at 1 when the margins are the sample\'s own distribution', () => {
    fc.assert(fc.property(sampleArb, (units) => {
      const own: Margin[] = ['region', 'gender'].map((variable) => ({
        variable, targets: Object.fromEntries((variable === 'region' ? REGIONS : GENDERS).map((c) => [c, units.filter((u) => (u as Record<string, unknown>)[variable] === c).length])),
      }));
      const raked = rake(units, own);
      for (const w of raked.weights) expect(Math.abs(w - 1)).toBeLessThan(1e-12);
      expect(raked.iterations).toBe(0);
    }), { numRuns: 100, seed: 12 });
  });

  it('gives estimates that do not depend on the order of the responses', () => {
    fc.assert(fc.property(sampleArb, fc.integer(), (units, seed) => {
      const order = units.map((_, i) => i).sort((a, b) => Math.sin(a * 7919 + seed) - Math.sin(b * 7919 + seed));
      const shuffled = order.map((i) => units[i] as (typeof units)[number]);
      const estimate = (us: typeof units) => {
        const raked = rake(us, margins, { tolerance: 1e-12 });
        return estimateItem({ values: us.map((u) => u.y) }, raked.weights, calibrationProjection(raked.coded, raked.weights), { categories: ['no', 'yes'] });
      };
      const a = estimate(units);
      const b = estimate(shuffled);
      a.estimates.forEach((e, k) => {
        expect(Math.abs(e.estimate - (b.estimates[k]?.estimate ?? NaN))).toBeLessThan(1e-9);
        expect(Math.abs(e.se - (b.estimates[k]?.se ?? NaN))).toBeLessThan(1e-9);
      });
      expect(a.base).toBe(b.base);
    }), { numRuns: 50, seed: 13 });
  });

  it('names the margin and category nobody is in, and the category a margin does not list', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'b', gender: 'm' }];
    expect(() => rake(units, margins)).toThrow(RakingError);
    expect(() => rake(units, margins)).toThrow(/region: no respondent in category "c"/);
    expect(() => rake([...units, { region: 'c', gender: 'x' }], margins)).toThrow(/gender: respondent 2 has "x"/);
  });

  it('reports don\'t-know and refused outside the base, counted', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'b', gender: 'm' }, { region: 'c', gender: 'f' }, { region: 'a', gender: 'm' }];
    const raked = rake(units, margins);
    const result = estimateItem({ values: ['yes', null, 'no', null], excludedAs: [null, 'dk', null, 'ref'] }, raked.weights, calibrationProjection(raked.coded, raked.weights));
    expect(result.base).toBe(2);
    expect(result.excluded).toEqual({ dk: 1, ref: 1 });
    expect(result.estimates.map((e) => e.category)).toEqual(['no', 'yes']);
    expect(result.estimates[0]!.estimate + result.estimates[1]!.estimate).toBeCloseTo(1, 12);
  });
});

describe('trimming', () => {
  const skewed = [
    ...Array.from({ length: 30 }, (_, i) => ({ region: 'a', gender: i < 25 ? 'f' : 'm' })),
    ...Array.from({ length: 20 }, (_, i) => ({ region: 'b', gender: i < 10 ? 'f' : 'm' })),
    ...Array.from({ length: 10 }, (_, i) => ({ region: 'c', gender: i < 5 ? 'f' : 'm' })),
  ];
  const ratio = (w: Float64Array, pick: (a: number, b: number) => number) => w.reduce(pick) / (w.reduce((a, b) => a + b, 0) / w.length);

  it('brings weights within bounds relative to the mean while the margins still hold', () => {
    expect(ratio(rake(skewed, margins, { tolerance: 1e-10 }).weights, (a, b) => Math.max(a, b))).toBeGreaterThan(1.7);
    const trimmed = rake(skewed, margins, { tolerance: 1e-10, trim: { lower: 0.5, upper: 1.6 } });
    expect(trimmed.trimming?.withinBounds).toBe(true);
    expect(trimmed.trimming?.rounds).toBeGreaterThan(0);
    expect(ratio(trimmed.weights, (a, b) => Math.max(a, b))).toBeLessThanOrEqual(1.6 * 1.001);
    expect(trimmed.maxMarginError).toBeLessThan(1e-9);
  });

  it('says so when the margins make the bounds impossible, and keeps the margins', () => {
    const trimmed = rake(skewed, margins, { tolerance: 1e-10, trim: { lower: 0.5, upper: 1.4 } });
    expect(trimmed.trimming?.withinBounds).toBe(false);
    expect(trimmed.maxMarginError).toBeLessThan(1e-9);
  });

  it('leaves weights alone when they are already within the bounds', () => {
    const units = Array.from({ length: 60 }, (_, i) => ({ region: REGIONS[i % 3] as string, gender: GENDERS[i % 2] as string }));
    const plain = rake(units, margins);
    const trimmed = rake(units, margins, { trim: { lower: 0.1, upper: 10 } });
    expect(Array.from(trimmed.weights)).toEqual(Array.from(plain.weights));
    expect(trimmed.trimming).toEqual({ rounds: 0, clamped: 0, withinBounds: true });
  });
});
