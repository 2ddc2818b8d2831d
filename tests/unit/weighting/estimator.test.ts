// The estimator on the cell design (what tallies and indicators both use) against the per-respondent reference
// (tests/support/reference-estimator.ts): the same raked weights, shares, standard errors of shares in domains and
// of combinations of shares (the indicators' means of shares and differences).
import { describe, expect, it } from 'vitest';
import { designFor, respondentWeights } from '../../../server/domain/weighting/design.js';
import { combine, shareOf, standardError } from '../../../server/domain/weighting/estimator.js';
import { rake, type Margin } from '../../../server/domain/weighting/raking.js';
import { calibrationProjection, estimateItem, linearizedVariance } from '../../support/reference-estimator.js';

describe('the estimator on the cell design', () => {
  const size = 300;
  const regions = ['akmola', 'aktobe', 'atyrau', 'almaty_city'];
  const units = Array.from({ length: size }, (_, i) => ({
    ps_region: regions[(i * 7) % 4] as string, ps_gender: (i * 13) % 5 < 2 ? 'female' : 'male', ps_settlement_type: i % 3 === 0 ? 'rural' : 'urban',
  }));
  const margins: Margin[] = [
    { variable: 'ps_region', targets: { akmola: 30, aktobe: 30, atyrau: 15, almaty_city: 25 } },
    { variable: 'ps_gender', targets: { male: 48, female: 52 } },
    { variable: 'ps_settlement_type', targets: { urban: 55, rural: 45 } },
  ];
  const coded = (variable: string) => {
    const levels = [...new Set(units.map((u) => u[variable as keyof typeof u]))];
    return { levels, codes: Int32Array.from(units, (u) => levels.indexOf(u[variable as keyof typeof u])) };
  };
  const design = designFor(size, margins, margins.map((m) => coded(m.variable)), { tolerance: 1e-12 });
  const reference = rake(units, margins, { tolerance: 1e-12 });
  const projection = calibrationProjection(reference.coded, reference.weights);
  const referenceSe = (x: Float64Array) => Math.sqrt(linearizedVariance(projection.residualize(x)));
  // Two 0/1 variables with respondents out of their bases (NaN), unrelated to the margins.
  const y1 = Float64Array.from({ length: size }, (_, i) => (i % 11 === 0 ? NaN : Math.sin(i) > 0.2 ? 1 : 0));
  const y2 = Float64Array.from({ length: size }, (_, i) => (i % 7 === 3 ? NaN : (i * 5) % 9 < 4 ? 1 : 0));
  const asItem = (y: Float64Array) => ({ values: Array.from(y, (v) => (Number.isNaN(v) ? null : String(v))) });
  /** The reference influence of a share: w (y - p) / W over the base, from the reference weights. */
  const referenceInfluence = (y: Float64Array, domain?: Uint8Array) => {
    let total = 0;
    let base = 0;
    y.forEach((v, i) => {
      if (Number.isNaN(v) || (domain && domain[i] !== 1)) return;
      total += (reference.weights[i] as number) * v;
      base += reference.weights[i] as number;
    });
    const p = total / base;
    return Float64Array.from(y, (v, i) => (Number.isNaN(v) || (domain && domain[i] !== 1) ? 0 : ((reference.weights[i] as number) * (v - p)) / base));
  };

  it('rakes to the same weights as the per-respondent raking', () => {
    const weights = respondentWeights(design);
    for (let i = 0; i < size; i += 1) expect(weights[i]).toBeCloseTo(reference.weights[i] as number, 9);
  });

  it('gives a share, its base and its standard error as the reference, overall and in a domain', () => {
    const domains = [undefined, Uint8Array.from(units, (u) => (u.ps_region === 'atyrau' ? 1 : 0)), Uint8Array.from(units, (u, i) => (u.ps_gender === 'female' && i % 2 === 0 ? 1 : 0))];
    for (const domain of domains) {
      const ours = shareOf(y1, design, domain);
      const theirs = estimateItem(asItem(y1), reference.weights, projection, { categories: ['1'], ...(domain ? { domain } : {}) });
      const estimate = theirs.estimates[0];
      expect(ours?.p).toBeCloseTo(estimate?.estimate as number, 12);
      expect(Math.abs((ours?.se as number) - (estimate?.se as number))).toBeLessThan(1e-12 + 1e-9 * (estimate?.se as number));
      expect(ours?.base).toBe(theirs.base);
      expect(ours?.n).toBe(estimate?.n);
      expect(ours?.weightedBase).toBeCloseTo(theirs.weightedBase, 9);
    }
  });

  it('gives the standard error of a combination of shares as the reference projection', () => {
    const a = shareOf(y1, design);
    const b = shareOf(y2, design);
    if (!a || !b) throw new Error('empty base');
    for (const coefficients of [[0.5, 0.5], [1, -1]]) {
      const ours = standardError(design, combine([a.influence, b.influence], coefficients));
      const u1 = referenceInfluence(y1);
      const u2 = referenceInfluence(y2);
      const theirs = referenceSe(Float64Array.from(u1, (v, i) => (coefficients[0] as number) * v + (coefficients[1] as number) * (u2[i] as number)));
      expect(Math.abs((ours as number) - theirs)).toBeLessThan(1e-12 + 1e-9 * theirs);
    }
  });

  it('without margins is the with-replacement variance of a simple random sample', () => {
    const plain = designFor(size, [], []);
    const s = shareOf(y2, plain);
    const n = Array.from(y2).filter((v) => !Number.isNaN(v)).length;
    const p = Array.from(y2).filter((v) => v === 1).length / n;
    // Influences (y - p) / n over the base, 0 elsewhere: variance N / (N - 1) sum (u - mean u)^2 over all N.
    const u = Float64Array.from(y2, (v) => (Number.isNaN(v) ? 0 : (v - p) / n));
    const mean = u.reduce((x, v) => x + v, 0) / size;
    const variance = (size / (size - 1)) * u.reduce((x, v) => x + (v - mean) ** 2, 0);
    expect(s?.p).toBe(p);
    expect(s?.se).toBeCloseTo(Math.sqrt(variance), 12);
  });
});
