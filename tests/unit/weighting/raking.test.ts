import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampedFactor, rake, RakingError, TrimmingError, type Margin } from '../../../server/domain/weighting/raking.js';
import { calibrationProjection, estimateItem } from '../../support/reference-estimator.js';

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
        expect(Math.abs((e.estimate ?? NaN) - (b.estimates[k]?.estimate ?? NaN))).toBeLessThan(1e-9);
        expect(Math.abs((e.se ?? NaN) - (b.estimates[k]?.se ?? NaN))).toBeLessThan(1e-9);
      });
      expect(a.base).toBe(b.base);
    }), { numRuns: 50, seed: 13 });
  });

  it('names the margin and category nobody is in, and the category a margin does not list', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'b', gender: 'm' }];
    expect(() => rake(units, margins)).toThrow(RakingError);
    expect(() => rake(units, margins)).toThrow(/region: no respondent in category "c"/);
    expect(() => rake([...units, { region: 'c', gender: 'x' }], margins)).toThrow(/gender: 1 respondent\(s\) \(units 2\) have "x"/);
    expect(() => rake([...units, { region: 'c', gender: 'f' }], [margins[0] as Margin, { variable: 'gender', targets: { f: 1, m: 0 } }])).toThrow(/gender: category "m" has 1 respondent\(s\) but a population share of 0/);
  });

  it('reports don\'t-know and refused outside the base, counted', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'b', gender: 'm' }, { region: 'c', gender: 'f' }, { region: 'a', gender: 'm' }];
    const raked = rake(units, margins);
    const result = estimateItem({ values: ['yes', null, 'no', null], excludedAs: [null, 'dk', null, 'ref'] }, raked.weights, calibrationProjection(raked.coded, raked.weights));
    expect(result.base).toBe(2);
    expect(result.excluded).toEqual({ dk: 1, ref: 1 });
    expect(result.estimates.map((e) => e.category)).toEqual(['no', 'yes']);
    expect(result.estimates[0]!.estimate! + result.estimates[1]!.estimate!).toBeCloseTo(1, 12);
  });
});

describe('trimming (bounded raking calibration)', () => {
  const skewed = [
    ...Array.from({ length: 30 }, (_, i) => ({ region: 'a', gender: i < 25 ? 'f' : 'm' })),
    ...Array.from({ length: 20 }, (_, i) => ({ region: 'b', gender: i < 10 ? 'f' : 'm' })),
    ...Array.from({ length: 10 }, (_, i) => ({ region: 'c', gender: i < 5 ? 'f' : 'm' })),
  ];
  const ratio = (w: Float64Array, pick: (a: number, b: number) => number) => w.reduce(pick) / (w.reduce((a, b) => a + b, 0) / w.length);

  it('brings weights within bounds relative to the mean while the margins hold, measured on the returned weights', () => {
    expect(ratio(rake(skewed, margins, { tolerance: 1e-10 }).weights, (a, b) => Math.max(a, b))).toBeGreaterThan(1.7);
    const trimmed = rake(skewed, margins, { tolerance: 1e-12, trim: { lower: 0.5, upper: 1.6 } });
    expect(trimmed.converged).toBe(true);
    expect(trimmed.trimming?.atUpper).toBeGreaterThan(0);
    expect(ratio(trimmed.weights, (a, b) => Math.max(a, b))).toBeLessThanOrEqual(1.6 * (1 + 1e-12));
    expect(ratio(trimmed.weights, (a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0.5 * (1 - 1e-12));
    for (const m of margins) {
      const sum = Object.values(m.targets).reduce((a, b) => a + b, 0);
      for (const [c, t] of Object.entries(m.targets)) expect(Math.abs(shareOf(skewed, trimmed.weights, m.variable, c) - t / sum)).toBeLessThan(1e-11);
    }
    expect(trimmed.maxMarginError).toBeLessThan(1e-12);
  });

  it('is a TrimmingError with the range the margins need when the bounds cannot hold (never weights off the margins)', () => {
    expect(() => rake(skewed, margins, { tolerance: 1e-10, trim: { lower: 0.5, upper: 1.4 } })).toThrow(TrimmingError);
    try {
      rake(skewed, margins, { tolerance: 1e-10, trim: { lower: 0.5, upper: 1.4 } });
    } catch (error) {
      const details = (error as TrimmingError).details;
      expect(details.bounds).toEqual({ lower: 0.5, upper: 1.4 });
      expect(details.achievedRange[1]).toBeGreaterThan(1.7);
      // Men are a third of the sample and 48% of the population: 1.44 times the mean weight each, above 1.4.
      expect(details).toMatchObject({ variable: 'gender', category: 'm', iterations: 0, maxMarginError: null });
    }
    // Each category can reach its target alone, not all together: the raking says so after its cycles.
    const joint = [...Array.from({ length: 20 }, () => ({ region: 'a', gender: 'f' })), ...Array.from({ length: 20 }, () => ({ region: 'b', gender: 'm' })),
      ...Array.from({ length: 20 }, (_, i) => ({ region: 'c', gender: i < 10 ? 'f' : 'm' }))];
    const jointMargins: Margin[] = [{ variable: 'region', targets: { a: 45, b: 10, c: 45 } }, { variable: 'gender', targets: { f: 10, m: 90 } }];
    try {
      rake(joint, jointMargins, { tolerance: 1e-10, maxIterations: 200, trim: { lower: 0.2, upper: 3 } });
      expect.unreachable('the bounds cannot hold');
    } catch (error) {
      expect(error).toBeInstanceOf(TrimmingError);
      expect((error as TrimmingError).details.iterations).toBe(200);
      expect((error as TrimmingError).details.maxMarginError).toBeGreaterThan(1e-3);
    }
    // A category that cannot reach its target even with all its respondents at a bound is named at once.
    expect(() => rake(skewed, margins, { trim: { lower: 0.5, upper: 1.2 } })).toThrow(/gender=m: 20 respondent\(s\) for a weighted total of 28\.80 need a mean weight of 1\.44 × the mean, outside the bounds 0\.5-1\.2/);
  });

  it('equals the plain raking when the bounds do not bind', () => {
    const units = Array.from({ length: 60 }, (_, i) => ({ region: REGIONS[i % 3] as string, gender: GENDERS[i % 2] as string }));
    const plain = rake(units, margins, { tolerance: 1e-13 });
    const trimmed = rake(units, margins, { tolerance: 1e-13, trim: { lower: 0.1, upper: 10 } });
    trimmed.weights.forEach((w, i) => expect(Math.abs(w - (plain.weights[i] as number))).toBeLessThan(1e-12));
    expect(trimmed.trimming).toMatchObject({ lower: 0.1, upper: 10, atLower: 0, atUpper: 0 });
  });

  it('gives weights within the bounds that meet the margins, or says it cannot, whatever the sample (order does not matter)', () => {
    fc.assert(fc.property(sampleArb, fc.constantFrom(0.3, 0.5, 0.7, 0.9), fc.constantFrom(1.1, 1.5, 2, 3), fc.integer(), (units, lower, upper, seed) => {
      const attempt = (us: typeof units) => {
        try {
          return rake(us, margins, { tolerance: 1e-11, trim: { lower, upper } });
        } catch (error) {
          if (error instanceof TrimmingError) return null;
          throw error;
        }
      };
      const trimmed = attempt(units);
      const order = units.map((_, i) => i).sort((a, b) => Math.sin(a * 7919 + seed) - Math.sin(b * 7919 + seed));
      const shuffled = attempt(order.map((i) => units[i] as (typeof units)[number]));
      if (!trimmed) return;
      const mean = trimmed.weights.reduce((a, b) => a + b, 0) / units.length;
      for (const w of trimmed.weights) {
        expect(w / mean).toBeGreaterThanOrEqual(lower * (1 - 1e-12));
        expect(w / mean).toBeLessThanOrEqual(upper * (1 + 1e-12));
      }
      for (const m of margins) {
        const sum = Object.values(m.targets).reduce((a, b) => a + b, 0);
        for (const [c, t] of Object.entries(m.targets)) expect(Math.abs(shareOf(units, trimmed.weights, m.variable, c) - t / sum)).toBeLessThan(1e-9);
      }
      // The bounded calibration is unique: the same weights whatever the order of the responses.
      expect(shuffled).not.toBeNull();
      order.forEach((from, to) => expect(Math.abs((shuffled?.weights[to] as number) - (trimmed.weights[from] as number))).toBeLessThan(1e-8));
    }), { numRuns: 60, seed: 14 });
  });
});

describe('clampedFactor', () => {
  it('solves sum m clamp(s r, L, U) = T exactly, or says no factor can', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (r, at) => {
      const m = r.map((_, i) => 1 + (i % 3));
      const members = r.map((_, i) => i);
      const [lower, upper] = [0.2, 4];
      const lowest = m.reduce((a, b) => a + b * lower, 0);
      const highest = m.reduce((a, b) => a + b * upper, 0);
      const target = lowest + at * (highest - lowest);
      const s = clampedFactor(r, m, members, lower, upper, target) as number;
      const total = r.reduce((sum, ri, i) => sum + (m[i] as number) * Math.min(upper, Math.max(lower, s * ri)), 0);
      expect(Math.abs(total - target)).toBeLessThan(1e-9 * Math.max(1, target));
      expect(clampedFactor(r, m, members, lower, upper, highest * 1.01)).toBeNull();
      expect(clampedFactor(r, m, members, lower, upper, lowest * 0.99)).toBeNull();
    }), { numRuns: 300, seed: 15 });
  });
});
