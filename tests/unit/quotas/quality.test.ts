// Quality flags on synthetic population responses: a clean, valid base sample trips none, and each case changes
// one response (keeping it valid) so that exactly one flag, and no other, is raised on it.
import { describe, expect, it } from 'vitest';
import { itemsOf } from '../../../schemas/items.js';
import { standaloneValidators } from '../../../schemas/standalone.js';
import { SyntheticGenerator } from '../../../schemas/synthetic.js';
import {
  dontKnowCount, duplicates, flagsByResponse, interviewSeconds, median, qualityFlags, straightLinedGrids, type CheckedResponse,
  type QualityFlagKind,
} from '../../../server/domain/quotas/quality.js';

function baseSample(count = 40, seed = 11): CheckedResponse[] {
  const generator = new SyntheticGenerator('population', { seed });
  return Array.from({ length: count }, () => {
    const s = generator.nextSubmission('api');
    return { id: s.id, survey: 'population' as const, answers: s.answers, meta: { startedAt: s.meta.startedAt, completedAt: s.meta.completedAt } };
  });
}

const SPECIAL_ITEMS = itemsOf('population').filter((i) => i.special && !i.system).map((i) => i.id);
const SYSTEM_ITEMS = itemsOf('population').filter((i) => i.system).map((i) => i.id);
const CONFIDENCE = itemsOf('population').filter((i) => i.grid === 'ps_confidence').map((i) => i.id);

/** Each case: how to change response 0 (and which responses should carry the flag). */
const CASES: Array<{ flag: QualityFlagKind; change: (sample: CheckedResponse[]) => CheckedResponse[]; flagged: (sample: CheckedResponse[]) => string[] }> = [
  {
    flag: 'speeder',
    change: (sample) => {
      const mid = median(sample.map((r) => interviewSeconds(r.meta) as number)) as number;
      const [first, ...rest] = sample as [CheckedResponse, ...CheckedResponse[]];
      const completedAt = new Date(Date.parse(first.meta.startedAt) + mid * 0.3 * 1000).toISOString();
      return [{ ...first, meta: { ...first.meta, completedAt } }, ...rest];
    },
    flagged: (sample) => [sample[0]?.id as string],
  },
  {
    flag: 'straight_lining',
    change: (sample) => {
      const [first, ...rest] = sample as [CheckedResponse, ...CheckedResponse[]];
      return [{ ...first, answers: { ...first.answers, ...Object.fromEntries(CONFIDENCE.map((id) => [id, 'quite_a_lot'])) } }, ...rest];
    },
    flagged: (sample) => [sample[0]?.id as string],
  },
  {
    flag: 'many_dont_know',
    change: (sample) => {
      const [first, ...rest] = sample as [CheckedResponse, ...CheckedResponse[]];
      const answers = { ...first.answers };
      // Every other item that accepts it becomes don't know: half, well over the 30% threshold, and no grid all dk.
      SPECIAL_ITEMS.filter((id) => id in answers).forEach((id, i) => {
        if (i % 2 === 0) answers[id] = 'dk';
      });
      return [{ ...first, answers }, ...rest];
    },
    flagged: (sample) => [sample[0]?.id as string],
  },
  {
    flag: 'duplicate',
    change: (sample) => {
      const [first, second, ...rest] = sample as [CheckedResponse, CheckedResponse, ...CheckedResponse[]];
      // The copy keeps its own system items (respondent id, interviewer, date): only the substance is copied.
      const own = Object.fromEntries(Object.entries(second.answers).filter(([id]) => SYSTEM_ITEMS.includes(id)));
      const copied = Object.fromEntries(Object.entries(first.answers).filter(([id]) => !SYSTEM_ITEMS.includes(id)));
      return [first, { ...second, answers: { ...copied, ...own } }, ...rest];
    },
    flagged: (sample) => [sample[0]?.id as string, sample[1]?.id as string],
  },
];

describe('quality flags', () => {
  const base = baseSample();

  it('the synthetic base sample is valid and trips no flag', () => {
    for (const r of base) expect(standaloneValidators.population(r.answers).valid).toBe(true);
    expect(qualityFlags(base)).toEqual([]);
  });

  it.each(CASES)('$flag: tripped by the response built for it, and no other flag is', ({ flag, change, flagged }) => {
    const sample = change(base);
    for (const r of sample) expect(standaloneValidators.population(r.answers).valid, r.id).toBe(true);
    const flags = qualityFlags(sample);
    expect(flags.map((f) => f.flag)).toEqual(flagged(sample).map(() => flag));
    expect(flags.map((f) => f.response).sort()).toEqual(flagged(sample).sort());
  });

  it('speeders carry their duration against the median, and need enough timed responses to judge', () => {
    const sample = CASES[0]?.change(base) as CheckedResponse[];
    const [flag] = qualityFlags(sample);
    expect(flag?.detail).toMatchObject({ seconds: expect.any(Number), medianSeconds: expect.any(Number) });
    expect(flag?.detail.ratio).toBeCloseTo(0.3, 2);
    expect(qualityFlags(sample.slice(0, 9))).toEqual([]);
    expect(qualityFlags(sample, { speederRatio: 0.2 })).toEqual([]);
  });

  it('straight-lining names the grid and its answer; exempt grids and short grids are not checked', () => {
    const [first] = CASES[1]?.change(base) as CheckedResponse[];
    expect(straightLinedGrids(first as CheckedResponse)).toEqual([{ grid: 'ps_confidence', value: 'quite_a_lot', items: CONFIDENCE.length }]);
    expect(straightLinedGrids(first as CheckedResponse, { gridExempt: ['ps_confidence'] })).toEqual([]);
    expect(straightLinedGrids(first as CheckedResponse, { gridMinItems: CONFIDENCE.length + 1 })).toEqual([]);
    const members = itemsOf('population').filter((i) => i.grid === 'ps_member').map((i) => i.id);
    const nonMember = { ...(base[2] as CheckedResponse), answers: { ...base[2]?.answers, ...Object.fromEntries(members.map((id) => [id, 'not_member'])) } };
    expect(straightLinedGrids(nonMember).map((g) => g.grid)).not.toContain('ps_member');
  });

  it('counts don\'t-know and refused among answered items that accept them', () => {
    const r: CheckedResponse = { id: 'x', survey: 'population', meta: base[0]?.meta as CheckedResponse['meta'], answers: { ps_trust_people: 'dk', ps_confidence_press: 'ref', ps_confidence_police: 'great_deal', ps_gender: 'male' } };
    expect(dontKnowCount(r)).toEqual({ special: 2, eligible: 3, share: 2 / 3 });
  });

  it('finds near-duplicates only when asked, pairwise, with the share that matched', () => {
    const [first, second, ...rest] = CASES[3]?.change(base) as [CheckedResponse, CheckedResponse, ...CheckedResponse[]];
    const changed = { ...second, answers: { ...second.answers, ps_trust_people: second.answers.ps_trust_people === 'need_to_be_careful' ? 'most_can_be_trusted' : 'need_to_be_careful' } };
    const sample = [first, changed, ...rest];
    expect(duplicates(sample)).toEqual([]);
    const near = duplicates(sample, { minMatch: 0.95 });
    expect(near.map((f) => f.response).sort()).toEqual([first.id, changed.id].sort());
    expect(near[0]?.detail.match).toBeGreaterThan(0.95);
    expect(near[0]?.detail.match).toBeLessThan(1);
  });

  it('groups flags by response', () => {
    const flags = qualityFlags(CASES[3]?.change(base) as CheckedResponse[]);
    const grouped = flagsByResponse(flags);
    expect(grouped.size).toBe(2);
    expect(grouped.get(base[0]?.id as string)?.[0]?.detail.of).toEqual([base[1]?.id]);
  });

  it.each([
    [[], null], [[3], 3], [[4, 1], 2.5], [[5, 1, 3], 3],
  ])('median(%j) = %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('has no duration for missing or backwards times', () => {
    expect(interviewSeconds({ startedAt: '2009-07-01T10:00:00Z', completedAt: '2009-07-01T10:20:00Z' })).toBe(1200);
    expect(interviewSeconds({ startedAt: '2009-07-01T10:00:00Z', completedAt: '2009-07-01T09:00:00Z' })).toBeNull();
    expect(interviewSeconds({ startedAt: 'soon', completedAt: '2009-07-01T09:00:00Z' })).toBeNull();
  });
});
