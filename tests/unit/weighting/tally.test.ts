// The cell-aggregated tally engine: the same numbers as R (golden.json) and as the per-respondent reference
// (estimates.ts + linearization.ts), by one and two variables, weighted and not, whatever the order of responses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemEstimates } from '../../../server/domain/weighting/estimates.js';
import { rake, RakingError, type Margin } from '../../../server/domain/weighting/raking.js';
import { designFor, respondentWeights, type CodedColumn } from '../../../server/domain/weighting/design.js';
import { breakdownOf, tallyItem, type ItemColumn } from '../../../server/domain/weighting/tally.js';
import { calibrationProjection, estimateItem } from '../../support/reference-estimator.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'weighting');
const rows = parse(readFileSync(join(DIR, 'population-600.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
const marginRows = parse(readFileSync(join(DIR, 'margins.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
interface GoldenEstimate { design: string; item: string; domain: string; category: string | null; estimate: number; se: number }
const golden = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as { weights_calibrate: number[]; estimates: GoldenEstimate[] };

const REASONS = ['dk', 'ref', 'blank'];

function column(units: ReadonlyArray<Record<string, unknown>>, variable: string): CodedColumn {
  const levels = [...new Set(units.map((u) => u[variable]).filter((v) => v !== null && v !== undefined).map(String))].sort();
  return { levels, codes: Int32Array.from(units, (u) => (u[variable] === null || u[variable] === undefined ? -1 : levels.indexOf(String(u[variable])))) };
}

function itemColumn(units: ReadonlyArray<Record<string, unknown>>, item: string, numeric: boolean, categories?: string[]): ItemColumn {
  const cats = categories ?? (numeric ? [] : [...new Set(units.map((u) => u[item]).filter((v) => v !== null && v !== undefined && !REASONS.includes(String(v))).map(String))].sort());
  const codes = Int32Array.from(units, (u) => {
    const v = u[item];
    if (v === null || v === undefined) return -1 - REASONS.indexOf('blank');
    if (REASONS.includes(String(v))) return -1 - REASONS.indexOf(String(v));
    return numeric ? 0 : cats.indexOf(String(v));
  });
  return { item, numeric, categories: cats, codes, reasons: REASONS, ...(numeric ? { numbers: Float64Array.from(units, (u) => Number(u[item])) } : {}) };
}

function expectSame(mine: ItemEstimates, ref: ItemEstimates, label: string) {
  expect(mine.base, label).toBe(ref.base);
  expect(mine.excluded, label).toEqual(Object.fromEntries(Object.entries(ref.excluded).filter(([, v]) => v > 0)));
  expect(Math.abs(mine.weightedBase - ref.weightedBase), label).toBeLessThan(1e-8);
  expect(Math.abs(mine.kishEffectiveN - ref.kishEffectiveN), label).toBeLessThan(1e-8);
  expect(mine.estimates.map((e) => e.category), label).toEqual(ref.estimates.map((e) => e.category));
  mine.estimates.forEach((e, k) => {
    const r = ref.estimates[k] as (typeof ref.estimates)[number];
    expect(e.n, label).toBe(r.n);
    expect(e.interval, label).toBe(r.interval);
    if (r.estimate === null) return expect([e.estimate, e.se, e.ci95, e.deff]).toEqual([null, null, null, null]);
    expect(Math.abs((e.estimate as number) - r.estimate), label).toBeLessThan(1e-10);
    expect(Math.abs((e.se as number) - (r.se as number)), `${label} se ${e.se} vs ${r.se}`).toBeLessThan(1e-10 + 1e-8 * (r.se as number));
    if (r.deff === null) expect(e.deff === null || Math.abs(e.deff) < 1e-6 || (r.se as number) < 1e-9, `${label} deff ${e.deff}`).toBe(true);
    else expect(Math.abs((e.deff as number) - r.deff), `${label} deff ${e.deff} vs ${r.deff}`).toBeLessThan(1e-7 * Math.max(1, r.deff));
    if (r.ci95 === null) expect(e.ci95).toBeNull();
    else r.ci95.forEach((x, j) => expect(Math.abs((e.ci95 as [number, number])[j]! - x), `${label} ci`).toBeLessThan(1e-8));
  });
}

const VARIABLES = ['region', 'ethnicity', 'gender', 'age_band'];
const margins: Margin[] = VARIABLES.map((variable) => ({
  variable,
  targets: Object.fromEntries(marginRows.filter((m) => m.variable === variable).map((m) => [m.category as string, Number(m.share)])),
}));

describe('tally engine against R survey (golden.json)', () => {
  const design = designFor(rows.length, margins, VARIABLES.map((v) => column(rows, v)), { tolerance: 1e-13 });
  const region = breakdownOf(['region'], [column(rows, 'region')]);

  it('rakes the cells to calibrate()\'s weights', () => {
    expect(design.report.converged).toBe(true);
    const weights = respondentWeights(design);
    golden.weights_calibrate.forEach((w, i) => expect(Math.abs((weights[i] as number) - w), `unit ${i}`).toBeLessThan(1e-9));
    expect(design.counts.length).toBeLessThan(rows.length);
  });

  it.each(['trust', 'member_religious', 'social_time', 'justify_cheat_taxes'])('%s: estimates within 1e-9, SEs within 1e-6 relative', (item) => {
    const numeric = item === 'justify_cheat_taxes';
    const tally = tallyItem(design, itemColumn(rows, item, numeric), region);
    const cases = golden.estimates.filter((g) => g.design === 'calibrate' && g.item === item);
    expect(cases.length).toBeGreaterThan(0);
    for (const g of cases) {
      const result = g.domain === 'all' ? tally.overall : tally.by?.groups.find((x) => `region=${x.values.region}` === g.domain);
      const mine = result?.estimates.find((e) => e.category === g.category) ?? { estimate: 0, se: 0 };
      expect(Math.abs((mine.estimate as number) - g.estimate), `${g.domain} ${g.category}`).toBeLessThan(1e-9);
      if (g.se === 0) expect(mine.se).toBeLessThan(1e-12);
      else expect(Math.abs((mine.se as number) - g.se) / g.se, `${g.domain} ${g.category}`).toBeLessThan(1e-6);
    }
  });
});

const REGIONS = ['a', 'b', 'c'];
const GENDERS = ['f', 'm'];
const unitArb = fc.record({
  region: fc.constantFrom(...REGIONS),
  gender: fc.constantFrom(...GENDERS),
  age: fc.constantFrom('young', 'old', null),
  y: fc.constantFrom('yes', 'no', 'maybe', 'dk', 'ref', null),
  score: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom('dk', null)),
});
const sampleArb = fc.array(unitArb, { minLength: 20, maxLength: 150 }).filter((units) =>
  REGIONS.every((r) => units.some((u) => u.region === r)) && GENDERS.every((g) => units.some((u) => u.gender === g)));
const smallMargins: Margin[] = [
  { variable: 'region', targets: { a: 50, b: 30, c: 20 } },
  { variable: 'gender', targets: { f: 52, m: 48 } },
];

/** The per-respondent reference for one item in one domain. */
function reference(units: Array<Record<string, unknown>>, weighted: boolean, item: string, numeric: boolean, domain?: Uint8Array): ItemEstimates {
  const raked = rake(units, weighted ? smallMargins : [], { tolerance: 1e-13 });
  const values = units.map((u) => {
    const v = u[item];
    if (v === null || v === undefined || REASONS.includes(String(v))) return null;
    return numeric ? Number(v) : String(v);
  });
  const excludedAs = units.map((u) => (u[item] === null || u[item] === undefined ? 'blank' : String(u[item])));
  return estimateItem({ values, excludedAs }, raked.weights, calibrationProjection(raked.coded, raked.weights),
    numeric ? { numeric: true, ...(domain ? { domain } : {}) } : { categories: ['maybe', 'no', 'yes'], ...(domain ? { domain } : {}) });
}

describe('tally engine against the per-respondent reference', () => {
  const cases = [
    { weighted: true, item: 'y', numeric: false },
    { weighted: true, item: 'score', numeric: true },
    { weighted: false, item: 'y', numeric: false },
    { weighted: false, item: 'score', numeric: true },
  ];
  it.each(cases)('weighted=$weighted $item: overall, by one and by two variables', ({ weighted, item, numeric }) => {
    fc.assert(fc.property(sampleArb, (units) => {
      const design = designFor(units.length, weighted ? smallMargins : [], weighted ? ['region', 'gender'].map((v) => column(units, v)) : [], { tolerance: 1e-13 });
      const col = itemColumn(units, item, numeric, numeric ? [] : ['maybe', 'no', 'yes']);
      const byOne = tallyItem(design, col, breakdownOf(['gender'], [column(units, 'gender')]));
      expectSame(byOne.overall, reference(units, weighted, item, numeric), 'overall');
      for (const g of byOne.by?.groups ?? []) {
        expectSame(g, reference(units, weighted, item, numeric, Uint8Array.from(units, (u) => (u.gender === g.values.gender ? 1 : 0))), `gender=${g.values.gender}`);
      }
      const byTwo = tallyItem(design, col, breakdownOf(['region', 'age'], [column(units, 'region'), column(units, 'age')]), { minCell: 5 });
      for (const g of byTwo.by?.groups ?? []) {
        const domain = Uint8Array.from(units, (u) => (u.region === g.values.region && u.age === g.values.age ? 1 : 0));
        expectSame(g, reference(units, weighted, item, numeric, domain), `region=${g.values.region} age=${g.values.age}`);
        expect(g.small).toBe(units.filter((u, i) => domain[i] === 1 && u[item as 'y'] !== null && !REASONS.includes(String(u[item as 'y']))).length < 5);
      }
      // Respondents without an age are in no two-way group, but still in the sample.
      const grouped = (byTwo.by?.groups ?? []).reduce((s, g) => s + g.base + Object.values(g.excluded).reduce((a, b) => a + b, 0), 0);
      expect(grouped).toBe(units.filter((u) => u.age !== null).length);
    }), { numRuns: 40, seed: 21 });
  });

  it('does not depend on the order of the responses', () => {
    fc.assert(fc.property(sampleArb, fc.integer(), (units, seed) => {
      const order = units.map((_, i) => i).sort((a, b) => Math.sin(a * 7919 + seed) - Math.sin(b * 7919 + seed));
      const shuffled = order.map((i) => units[i] as (typeof units)[number]);
      const run = (us: typeof units) => tallyItem(
        designFor(us.length, smallMargins, ['region', 'gender'].map((v) => column(us, v)), { tolerance: 1e-13 }),
        itemColumn(us, 'y', false, ['maybe', 'no', 'yes']), breakdownOf(['region'], [column(us, 'region')]));
      const a = run(units);
      const b = run(shuffled);
      a.overall.estimates.forEach((e, k) => {
        expect(Math.abs((e.estimate ?? NaN) - (b.overall.estimates[k]?.estimate ?? NaN))).toBeLessThan(1e-12);
        expect(Math.abs((e.se ?? NaN) - (b.overall.estimates[k]?.se ?? NaN))).toBeLessThan(1e-12);
      });
      expect(b.by?.groups.map((g) => g.values.region)).toEqual(a.by?.groups.map((g) => g.values.region));
    }), { numRuns: 50, seed: 22 });
  });
});

describe('cell raking', () => {
  it('reproduces every margin within the tolerance, and keeps weights at 1 when the margins are the sample\'s own', () => {
    fc.assert(fc.property(sampleArb, (units) => {
      const columns = ['region', 'gender'].map((v) => column(units, v));
      const design = designFor(units.length, smallMargins, columns, { tolerance: 1e-11 });
      expect(design.report.converged).toBe(true);
      const weights = respondentWeights(design);
      for (const m of smallMargins) {
        const sum = Object.values(m.targets).reduce((a, b) => a + b, 0);
        for (const [c, t] of Object.entries(m.targets)) {
          const share = units.reduce((s, u, i) => s + (u[m.variable as 'region'] === c ? (weights[i] as number) : 0), 0) / units.length;
          expect(Math.abs(share - t / sum)).toBeLessThan(1e-10);
        }
      }
      const own: Margin[] = ['region', 'gender'].map((variable) => ({
        variable, targets: Object.fromEntries((variable === 'region' ? REGIONS : GENDERS).map((c) => [c, units.filter((u) => u[variable as 'region'] === c).length])),
      }));
      const flat = designFor(units.length, own, columns);
      for (const w of respondentWeights(flat)) expect(Math.abs(w - 1)).toBeLessThan(1e-12);
      expect(flat.report.iterations).toBe(0);
    }), { numRuns: 60, seed: 23 });
  });
});

describe('tally engine errors', () => {
  it('names the margin category nobody is in', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'b', gender: 'm' }];
    expect(() => designFor(2, smallMargins, ['region', 'gender'].map((v) => column(units, v)))).toThrow(RakingError);
    try {
      designFor(2, smallMargins, ['region', 'gender'].map((v) => column(units, v)));
    } catch (error) {
      expect(error).toMatchObject({ variable: 'region', category: 'c' });
    }
  });

  it('refuses a share of 0 for a category with respondents, naming it, their number and response ids (R\'s rake refuses it too)', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'z', gender: 'm' }, { region: 'a', gender: 'm' }, { region: 'z', gender: 'f' }];
    const columns = ['region', 'gender'].map((v) => column(units, v));
    (columns[0] as CodedColumn).examples = new Map([[1, ['id-1', 'id-3']]]);
    const zeroZ = () => designFor(4, [{ variable: 'region', targets: { a: 1, z: 0 } }, { variable: 'gender', targets: { f: 1, m: 1 } }], columns);
    expect(zeroZ).toThrow(RakingError);
    expect(zeroZ).toThrow(/region: category "z" has 2 respondent\(s\) but a population share of 0.*e\.g\. response id-1, id-3/);
    try {
      zeroZ();
    } catch (error) {
      expect(error).toMatchObject({ variable: 'region', category: 'z', subjects: { respondents: 2, responseIds: ['id-1', 'id-3'] } });
    }
  });

  it('names a respondent category the margin does not list, with how many have it and their response ids', () => {
    const units = [{ region: 'a', gender: 'f' }, { region: 'z', gender: 'm' }, { region: 'a', gender: 'm' }, { region: 'z', gender: 'f' }];
    const col = column(units, 'region');
    col.examples = new Map([[1, ['r-366', 'r-400']]]);
    expect(() => designFor(4, [{ variable: 'region', targets: { a: 1 } }], [col])).toThrow(/region: 2 respondent\(s\) \(e\.g\. response r-366, r-400\) have "z", which the margin does not list/);
    try {
      designFor(4, [{ variable: 'region', targets: { a: 1 } }], [col]);
    } catch (error) {
      expect(error).toMatchObject({ variable: 'region', category: 'z', subjects: { respondents: 2, responseIds: ['r-366', 'r-400'] } });
    }
  });
});
