// The cell design raked from a previous design of the same margins (a survey that grew) has the weights of a cold
// raking, in fewer iterations; a cell the previous design lacks, or bounds, rake from the start.
import { describe, expect, it } from 'vitest';
import { designFor, respondentWeights, type CodedColumn } from '../../../server/domain/weighting/design.js';
import type { Margin } from '../../../server/domain/weighting/raking.js';

describe('designFor from a previous design', () => {
  const regions = ['akmola', 'aktobe', 'atyrau', 'almaty_city'];
  const unit = (i: number) => ({
    ps_region: regions[(i * 7) % 4] as string, ps_gender: (i * 13) % 5 < 2 ? 'female' : 'male', ps_settlement_type: i % 3 === 0 || i % 8 === 1 ? 'rural' : 'urban',
  });
  const margins: Margin[] = [
    { variable: 'ps_region', targets: { akmola: 30, aktobe: 30, atyrau: 15, almaty_city: 25 } },
    { variable: 'ps_gender', targets: { male: 48, female: 52 } },
    { variable: 'ps_settlement_type', targets: { urban: 55, rural: 45 } },
  ];
  const columns = (units: Array<Record<string, string>>): CodedColumn[] => margins.map((m) => {
    const levels = Object.keys(m.targets);
    return { levels, codes: Int32Array.from(units, (u) => levels.indexOf(u[m.variable] as string)) };
  });
  const design = (units: Array<Record<string, string>>, previous?: Parameters<typeof designFor>[4], trim?: { lower: number; upper: number }) => designFor(units.length, margins, columns(units), { tolerance: 1e-12, ...(trim ? { trim } : {}) }, previous);
  const before = Array.from({ length: 600 }, (_, i) => unit(i));
  const after = [...before, unit(600)];

  it('gives the weights of a cold raking, in fewer iterations', () => {
    const cold = design(after);
    const warm = design(after, design(before));
    const [w, c] = [respondentWeights(warm), respondentWeights(cold)];
    for (let i = 0; i < after.length; i += 1) expect(Math.abs((w[i] as number) - (c[i] as number))).toBeLessThan(1e-9);
    expect(warm.report.maxMarginError).toBeLessThanOrEqual(1e-12);
    expect(warm.report.iterations).toBeLessThan(cold.report.iterations);
  });

  it('rakes from the start when a cell is new, or with bounds', () => {
    const onlyUrban = before.filter((u) => u.ps_settlement_type === 'urban' || u.ps_region !== 'atyrau');
    const cold = design(after);
    expect(design(after, design(onlyUrban)).report.iterations).toBe(cold.report.iterations);
    const trim = { lower: 0.5, upper: 2 };
    expect(design(after, design(before), trim).report.iterations).toBe(design(after, undefined, trim).report.iterations);
  });
});
