// The weighting against R's survey package (tests/fixtures/weighting/cross-check.R made golden.json from the same
// committed data): raked weights and estimates within 1e-9, standard errors within 1e-6 relative of calibrate()'s.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { rake, type Margin } from '../../../server/domain/weighting/raking.js';
import { calibrationProjection, estimateItem } from '../../support/reference-estimator.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'weighting');
const rows = parse(readFileSync(join(DIR, 'population-600.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
const marginRows = parse(readFileSync(join(DIR, 'margins.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
interface GoldenEstimate { design: string; item: string; domain: string; category: string | null; estimate: number; se: number }
const golden = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as { weights_calibrate: number[]; weights_rake: number[]; estimates: GoldenEstimate[] };

const VARIABLES = ['region', 'ethnicity', 'gender', 'age_band'];
const margins: Margin[] = VARIABLES.map((variable) => ({
  variable,
  targets: Object.fromEntries(marginRows.filter((m) => m.variable === variable).map((m) => [m.category as string, Number(m.share)])),
}));
const SPECIAL = new Set(['dk', 'ref']);
const values = (item: string) => rows.map((r) => (SPECIAL.has(r[item] as string) ? null : item === 'justify_cheat_taxes' ? Number(r[item]) : (r[item] as string)));

describe('weighting cross-checked with R survey', () => {
  const raked = rake(rows, margins, { tolerance: 1e-13 });
  const projection = calibrationProjection(raked.coded, raked.weights);

  it('converges, and reproduces calibrate(calfun = "raking") and rake() weights', () => {
    expect(raked.converged).toBe(true);
    expect(raked.maxMarginError).toBeLessThan(1e-12);
    expect(golden.weights_calibrate).toHaveLength(rows.length);
    golden.weights_calibrate.forEach((w, i) => expect(Math.abs((raked.weights[i] as number) - w), `unit ${i}`).toBeLessThan(1e-9));
    golden.weights_rake.forEach((w, i) => expect(Math.abs((raked.weights[i] as number) - w), `unit ${i}`).toBeLessThan(1e-6));
  });

  const cases = golden.estimates.filter((g) => g.design === 'calibrate');
  it.each(cases.map((g) => [`${g.item} ${g.domain} ${g.category ?? 'mean'}`, g] as const))('%s', (_label, g) => {
    const numeric = g.category === null;
    const domainValue = g.domain === 'all' ? null : g.domain.replace(/^region=/, '');
    const domain = domainValue === null ? undefined : Uint8Array.from(rows, (r) => (r.region === domainValue ? 1 : 0));
    const result = estimateItem({ values: values(g.item) }, raked.weights, projection, { numeric, domain });
    const mine = result.estimates.find((e) => e.category === g.category) ?? { estimate: 0, se: 0 };
    expect(Math.abs((mine.estimate as number) - g.estimate)).toBeLessThan(1e-9);
    if (g.se === 0) expect(mine.se).toBeLessThan(1e-12);
    else expect(Math.abs((mine.se as number) - g.se) / g.se).toBeLessThan(1e-6);
  });
});
