import { describe, expect, it } from 'vitest';
import { derivePopulation } from '../../../schemas/derived.js';
import { generateResponses, SyntheticGenerator } from '../../../schemas/synthetic.js';

const share = (values: unknown[], value: unknown) => values.filter((v) => v === value).length / values.length;

describe('synthetic generator', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(generateResponses('population', 20, { seed: 9 })).toEqual(generateResponses('population', 20, { seed: 9 }));
    expect(generateResponses('population', 20, { seed: 9 })).not.toEqual(generateResponses('population', 20, { seed: 10 }));
  });

  it('follows the Appendix 7 sample mix by default', () => {
    const rs = generateResponses('population', 4000, { seed: 1 });
    expect(share(rs.map((r) => r.ps_ethnicity), 'kazakh')).toBeCloseTo(0.644, 1);
    expect(share(rs.map((r) => r.ps_gender), 'female')).toBeCloseTo(0.542, 1);
    expect(share(rs.map((r) => derivePopulation(r).ps_age_band), '26_35')).toBeCloseTo(0.317, 1);
  });

  it('takes a demographic mix of the caller\'s', () => {
    const rs = generateResponses('population', 300, { seed: 2, mix: { ps_ethnicity: { korean: 1 }, ps_age_band: { '61_plus': 1 }, ps_region: { kyzylorda: 1 } } });
    expect(new Set(rs.map((r) => r.ps_ethnicity))).toEqual(new Set(['korean']));
    expect(new Set(rs.map((r) => r.ps_region))).toEqual(new Set(['kyzylorda']));
    expect(rs.every((r) => (r.ps_age_years as number) >= 61)).toBe(true);
  });

  it('walks both branches of the skip rules', () => {
    const rs = generateResponses('organisational', 400, { seed: 3 });
    expect(rs.some((r) => r.os_violent_forces_exist === true && r.os_violent_forces_description !== undefined)).toBe(true);
    expect(rs.some((r) => r.os_violent_forces_exist === false && r.os_violent_forces_description === undefined)).toBe(true);
    const people = generateResponses('population', 2000, { seed: 4 });
    expect(people.some((r) => r.ps_ethnicity === 'other' && typeof r.ps_ethnicity_other === 'string')).toBe(true);
    expect(people.every((r) => r.ps_problem_first === 'other' || r.ps_problem_first === 'dk' || r.ps_problem_first === 'ref' || r.ps_problem_first !== r.ps_problem_second)).toBe(true);
  });

  it('gives special answers at the rate asked, and none when asked for none', () => {
    const none = new SyntheticGenerator('population', { seed: 5, specialRate: 0 }).take(200);
    expect(none.flatMap((r) => Object.values(r)).filter((v) => v === 'dk' || v === 'ref')).toEqual([]);
    const some = new SyntheticGenerator('population', { seed: 5, specialRate: 0.2 }).take(200);
    expect(some.flatMap((r) => Object.values(r)).filter((v) => v === 'dk' || v === 'ref').length).toBeGreaterThan(1000);
  });
});
