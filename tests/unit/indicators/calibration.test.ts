// The calibration projection built from the cell design (the weighting service's raking) equals the
// per-respondent projection of linearization.ts on the same raked weights, so indicator standard errors match the
// estimates route's.
import { describe, expect, it } from 'vitest';
import { designProjection } from '../../../server/domain/indicators/calibration.js';
import { calibrationProjection } from '../../../server/domain/weighting/linearization.js';
import { rake, type Margin } from '../../../server/domain/weighting/raking.js';
import { designFor, respondentWeights } from '../../../server/domain/weighting/tally.js';

describe('designProjection', () => {
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

  it('rakes to the same weights as the per-respondent raking', () => {
    const weights = respondentWeights(design);
    for (let i = 0; i < size; i += 1) expect(weights[i]).toBeCloseTo(reference.weights[i] as number, 9);
  });

  it('gives the residuals of the per-respondent calibration projection', () => {
    const x = Float64Array.from({ length: size }, (_, i) => Math.sin(i) + (i % 4 === 0 ? 1 : 0));
    const ours = designProjection(design).residualize(x);
    const theirs = calibrationProjection(reference.coded, reference.weights).residualize(x);
    for (let i = 0; i < size; i += 1) expect(ours[i]).toBeCloseTo(theirs[i] as number, 9);
  });
});
