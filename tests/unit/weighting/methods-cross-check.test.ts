// The statistics around the estimates against R's survey package (golden.json's `skewed` part, written by
// tests/fixtures/weighting/cross-check.R from skewed-400.csv): raked weights spread over 1,000 to 1, a region of two
// respondents, an item everyone answered "don't know". Design effects as svymean(deff = "replace") to 1e-8
// relative, overall and by region, weighted and not; svyciprop's logit and beta intervals to 1e-8; means, their
// SEs and Wald intervals to 1e-9; trimmed weights as calibrate(calfun = "raking", bounds = ...) and the 422 where
// the bounds cannot hold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Estimate, ItemEstimates } from '../../../server/domain/weighting/estimates.js';
import type { IntervalMethod } from '../../../server/domain/weighting/intervals.js';
import { TrimmingError, type Margin } from '../../../server/domain/weighting/raking.js';
import { designFor, respondentWeights, type CodedColumn } from '../../../server/domain/weighting/design.js';
import { breakdownOf, tallyItem, type ItemColumn, type ItemTally } from '../../../server/domain/weighting/tally.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'weighting');
const rows = parse(readFileSync(join(DIR, 'skewed-400.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
const marginRows = parse(readFileSync(join(DIR, 'margins.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;

interface GoldenRow {
  design: 'calibrate' | 'unweighted'; item: string; domain: string; category: string | null;
  estimate: number; se: number; deff: number | null; wald?: number[];
  logit?: Array<number | null> | null; xlogit?: Array<number | null> | null; beta?: Array<number | null> | null;
}
interface GoldenTrim { lower: number; upper: number; calibrate: string; weights: number[] | null; trust?: { estimate: number[]; se: number[]; deff: number[] } }
const golden = (JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as { skewed: { weights: number[]; all_dk_base: number; estimates: GoldenRow[]; trimmed: GoldenTrim[] } }).skewed;

const VARIABLES = ['region', 'ethnicity', 'gender', 'age_band'];
const margins: Margin[] = VARIABLES.map((variable) => ({
  variable,
  targets: Object.fromEntries(marginRows.filter((m) => m.variable === variable).map((m) => [m.category as string, Number(m.share)])),
}));
const REASONS = ['dk', 'ref', 'blank'];

function column(variable: string): CodedColumn {
  const levels = [...new Set(rows.map((r) => r[variable] as string))].sort();
  return { levels, codes: Int32Array.from(rows, (r) => levels.indexOf(r[variable] as string)), examples: new Map(levels.map((_, i) => [i, [rows.find((r) => r[variable] === levels[i])?.id as string]])) };
}

function itemColumn(item: string, numeric: boolean): ItemColumn {
  const categories = numeric ? [] : [...new Set(rows.map((r) => r[item] as string).filter((v) => !REASONS.includes(v)))].sort();
  const codes = Int32Array.from(rows, (r) => {
    const v = r[item] as string;
    if (REASONS.includes(v)) return -1 - REASONS.indexOf(v);
    return numeric ? 0 : categories.indexOf(v);
  });
  return { item, numeric, categories, codes, reasons: REASONS, ...(numeric ? { numbers: Float64Array.from(rows, (r) => Number(r[item])) } : {}) };
}

const relative = (mine: number, theirs: number) => Math.abs(mine - theirs) / Math.max(Math.abs(theirs), 1e-300);
const region = breakdownOf(['region'], [column('region')]);
const columns = VARIABLES.map(column);
const designs = {
  calibrate: designFor(rows.length, margins, columns, { tolerance: 1e-13 }),
  unweighted: designFor(rows.length, [], []),
};

function tallies(design: 'calibrate' | 'unweighted', ci: IntervalMethod): Map<string, ItemTally> {
  return new Map(['trust', 'member_religious', 'justify_cheat_taxes', 'all_dk'].map((item) => [item, tallyItem(designs[design], itemColumn(item, item === 'justify_cheat_taxes'), region, { ci, minCell: 30 })]));
}
const computed = {
  calibrate: { logit: tallies('calibrate', 'logit'), beta: tallies('calibrate', 'beta') },
  unweighted: { logit: tallies('unweighted', 'logit'), beta: tallies('unweighted', 'beta') },
};

function find(t: ItemTally | undefined, g: GoldenRow): { group: ItemEstimates; estimate: Estimate } {
  const group = g.domain === 'all' ? t?.overall : t?.by?.groups.find((x) => `region=${x.values.region}` === g.domain);
  const estimate = group?.estimates.find((e) => e.category === g.category);
  if (!group || !estimate) throw new Error(`no estimate for ${g.item} ${g.domain} ${g.category}`);
  return { group, estimate };
}

describe('the skewed sample', () => {
  it('has raked weights spread over more than 100 to 1, equal to calibrate()\'s, a region of two and an all-don\'t-know item', () => {
    const weights = respondentWeights(designs.calibrate);
    expect(Math.max(...golden.weights) / Math.min(...golden.weights)).toBeGreaterThan(100);
    golden.weights.forEach((w, i) => expect(relative(weights[i] as number, w), `unit ${i}`).toBeLessThan(1e-9));
    expect(rows.filter((r) => r.region === 'mangystau')).toHaveLength(2);
    expect(golden.all_dk_base).toBe(0);
  });
});

describe.each(['calibrate', 'unweighted'] as const)('%s design against R', (design) => {
  const cases = golden.estimates.filter((g) => g.design === design);
  it.each(cases.map((g) => [`${g.item} ${g.domain} ${g.category ?? 'mean'}`, g] as const))('%s', (_label, g) => {
    const { estimate: logit } = find(computed[design].logit.get(g.item), g);
    const { estimate: beta } = find(computed[design].beta.get(g.item), g);
    expect(Math.abs((logit.estimate as number) - g.estimate)).toBeLessThan(1e-9);
    if (g.se === 0) expect(logit.se).toBeLessThan(1e-12);
    else expect(relative(logit.se as number, g.se)).toBeLessThan(1e-9);
    // deff: svymean(deff = "replace"); R gives none (NaN) where the item does not vary or the base is 1.
    if (g.deff === null || !Number.isFinite(g.deff)) expect(logit.deff).toBeNull();
    else expect(relative(logit.deff as number, g.deff), `deff ${logit.deff} vs ${g.deff}`).toBeLessThan(1e-8);
    if (g.category === null) {
      expect(logit.interval).toBe('wald');
      expect(Math.abs((logit.ci95 as [number, number])[0] - (g.wald as number[])[0]!)).toBeLessThan(1e-9);
      expect(Math.abs((logit.ci95 as [number, number])[1] - (g.wald as number[])[1]!)).toBeLessThan(1e-9);
      return;
    }
    // Intervals of a proportion, never outside [0, 1]; compared where R gives one: a share strictly between 0 and
    // 1, and for logit svyciprop's logistic fit when it came back proper (it degenerates to [0, 0] or NaN in some
    // small domains of very unequal weights), else method = "xlogit", the same interval without the fit.
    const proper = (ci: Array<number | null> | null | undefined): ci is [number, number] =>
      !!ci && ci.length === 2 && ci.every((x) => x !== null && Number.isFinite(x)) && (ci[0] as number) < g.estimate && g.estimate < (ci[1] as number);
    const rLogit = proper(g.logit) ? g.logit : proper(g.xlogit) ? g.xlogit : null;
    if (proper(g.logit) && proper(g.xlogit)) expect(Math.abs(g.logit[0] - g.xlogit[0]) + Math.abs(g.logit[1] - g.xlogit[1])).toBeLessThan(1e-8);
    for (const [mine, theirs] of [[logit, rLogit], [beta, proper(g.beta) ? g.beta : null]] as const) {
      const ci = mine.ci95 as [number, number];
      expect(ci[0]).toBeGreaterThanOrEqual(0);
      expect(ci[1]).toBeLessThanOrEqual(1);
      expect(ci[0]).toBeLessThanOrEqual(g.estimate);
      expect(ci[1]).toBeGreaterThanOrEqual(g.estimate);
      if (!theirs || g.estimate <= 0 || g.estimate >= 1) continue;
      // To 1e-8 (the bounds are probabilities), and 1e-8 relative away from 0: near 0 R's two routes to the logit
      // interval already differ in the 9th digit, and the beta method's effective n magnifies the SE's last digits.
      expect(Math.abs(ci[0] - theirs[0]), `${mine.interval} low ${ci[0]} vs ${theirs[0]}`).toBeLessThan(1e-8);
      expect(Math.abs(ci[1] - theirs[1]), `${mine.interval} high ${ci[1]} vs ${theirs[1]}`).toBeLessThan(1e-8);
      if (theirs[0] > 0.05) expect(relative(ci[0], theirs[0]), `${mine.interval} low`).toBeLessThan(1e-8);
      expect(relative(ci[1], theirs[1]), `${mine.interval} high`).toBeLessThan(1e-8);
    }
  });

  it('flags the all-don\'t-know item: base 0, estimates and SEs null, small, overall too', () => {
    const t = computed[design].logit.get('all_dk') as ItemTally;
    expect(t.overall.base).toBe(0);
    expect(t.overall.small).toBe(true);
    expect(t.overall.excluded).toEqual({ dk: rows.length });
    expect(t.overall.estimates.every((e) => e.estimate === null && e.se === null && e.ci95 === null && e.deff === null)).toBe(true);
    for (const g of t.by?.groups ?? []) {
      expect(g.small).toBe(true);
      expect(g.base).toBe(0);
    }
  });
});

describe('trimming against calibrate(calfun = "raking", bounds = ...)', () => {
  it.each(golden.trimmed.map((t) => [`${t.lower}-${t.upper}`, t] as const))('bounds %s', (_label, t) => {
    const options = { tolerance: 1e-12, trim: { lower: t.lower, upper: t.upper } };
    if (t.weights === null) {
      // R's calibrate stops ("Calibration failed") and so do we: a TrimmingError with the range the margins need.
      expect(t.calibrate).toMatch(/converge|failed/i);
      expect(() => designFor(rows.length, margins, columns, options)).toThrow(TrimmingError);
      try {
        designFor(rows.length, margins, columns, options);
      } catch (error) {
        const details = (error as TrimmingError).details;
        expect(details.bounds).toEqual({ lower: t.lower, upper: t.upper });
        expect(details.achievedRange[1] / details.achievedRange[0]).toBeGreaterThan(100);
      }
      return;
    }
    const design = designFor(rows.length, margins, columns, options);
    const weights = respondentWeights(design);
    t.weights.forEach((w, i) => expect(relative(weights[i] as number, w), `unit ${i}: ${weights[i]} vs ${w}`).toBeLessThan(1e-9));
    expect(design.report.maxMarginError).toBeLessThan(1e-11);
    expect(design.report.trimming).toMatchObject({ lower: t.lower, upper: t.upper });
    expect(design.report.trimming?.atLower).toBeGreaterThan(0);
    expect(design.report.trimming?.atUpper).toBeGreaterThan(0);
    // The margins hold on the returned weights, measured here.
    for (const m of margins) {
      const sum = Object.values(m.targets).reduce((a, b) => a + b, 0);
      for (const [c, share] of Object.entries(m.targets)) {
        const total = rows.reduce((s, r, i) => s + (r[m.variable] === c ? (weights[i] as number) : 0), 0);
        expect(Math.abs(total - (share / sum) * rows.length) / ((share / sum) * rows.length)).toBeLessThan(1e-11);
      }
    }
    const trust = tallyItem(design, itemColumn('trust', false));
    trust.overall.estimates.forEach((e, k) => {
      expect(Math.abs((e.estimate as number) - (t.trust?.estimate[k] as number))).toBeLessThan(1e-9);
      expect(relative(e.se as number, t.trust?.se[k] as number)).toBeLessThan(1e-9);
      expect(relative(e.deff as number, t.trust?.deff[k] as number)).toBeLessThan(1e-8);
    });
  });
});
