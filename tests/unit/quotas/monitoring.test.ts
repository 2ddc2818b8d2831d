// Fieldwork monitoring and quota progress as pure folds over hand-made responses, so every number is checkable.
import { describe, expect, it } from 'vitest';
import type { ResponseStatus } from '../../../schemas/api.js';
import { fieldworkSummary, localDay, type MonitoredResponse } from '../../../server/domain/quotas/monitoring.js';
import { cellKey, makeQuotaPlan, type Quota } from '../../../server/domain/quotas/plan.js';
import { carryOverClaims, quotaProgress } from '../../../server/domain/quotas/progress.js';
import { cellUsage, freeSlotNumbers, isLiveReservation, isReclaimable, type QuotaSlot } from '../../../server/domain/quotas/slots.js';

let n = 0;
function response(interviewer: string | null, region: string | null, receivedAt: string, minutes: number, status: ResponseStatus = 'submitted'): MonitoredResponse {
  n += 1;
  const completed = Date.parse(receivedAt) - 60_000;
  return {
    id: `r${n}`, status, region, interviewer, receivedAt,
    meta: { startedAt: new Date(completed - minutes * 60_000).toISOString(), completedAt: new Date(completed).toISOString() },
  };
}

describe('fieldworkSummary', () => {
  // Now is 2 July 10:00 local time at UTC+6 (04:00 UTC).
  const now = '2009-07-02T04:00:00.000Z';
  const responses = [
    response('ainur', 'akmola', '2009-07-01T05:00:00.000Z', 30), // 1 July local
    response('ainur', 'akmola', '2009-07-01T19:00:00.000Z', 40, 'approved'), // 2 July 01:00 local: today
    response('ainur', 'almaty_city', '2009-07-02T03:00:00.000Z', 10, 'rejected'), // today
    response('boris', 'almaty_city', '2009-07-01T06:00:00.000Z', 50, 'has_issues'), // 1 July
    response('boris', 'almaty_city', '2009-07-01T07:00:00.000Z', 20, 'withdrawn'), // left out
    response(null, null, '2009-07-02T02:00:00.000Z', 25), // today, unknown interviewer and region
  ];
  const [r1, , r3] = responses;
  const summary = fieldworkSummary(responses, { now, utcOffsetMinutes: 360, flagged: new Set([r1?.id as string, r3?.id as string]) });

  it('per interviewer: today, total, median length, rejection rate among reviewed, share flagged', () => {
    expect(summary.today).toBe('2009-07-02');
    expect(summary.interviewers).toEqual([
      { key: '(unknown)', responsesToday: 1, responsesTotal: 1, medianSeconds: 1500, reviewed: 0, rejected: 0, rejectionRate: null, flagged: 0, shareFlagged: 0 },
      { key: 'ainur', responsesToday: 2, responsesTotal: 3, medianSeconds: 1800, reviewed: 2, rejected: 1, rejectionRate: 0.5, flagged: 2, shareFlagged: 2 / 3 },
      { key: 'boris', responsesToday: 0, responsesTotal: 1, medianSeconds: 3000, reviewed: 1, rejected: 0, rejectionRate: 0, flagged: 0, shareFlagged: 0 },
    ]);
  });

  it('per region and per local day, and in total', () => {
    expect(summary.regions.map((g) => [g.key, g.responsesTotal, g.responsesToday, g.medianSeconds])).toEqual([
      ['(unknown)', 1, 1, 1500], ['akmola', 2, 1, 2100], ['almaty_city', 2, 1, 1800],
    ]);
    expect(summary.days.map((g) => [g.key, g.responsesTotal, g.rejected])).toEqual([['2009-07-01', 2, 0], ['2009-07-02', 3, 1]]);
    // Lengths 30, 40, 10, 50, 25 minutes: median 30.
    expect(summary.total).toMatchObject({ responsesTotal: 5, responsesToday: 3, medianSeconds: 1800, reviewed: 3, rejected: 1, flagged: 2 });
  });

  it('counts withdrawn responses only when asked to', () => {
    const all = fieldworkSummary(responses, { now, utcOffsetMinutes: 360, statuses: ['submitted', 'approved', 'rejected', 'has_issues', 'withdrawn'] });
    expect(all.total.responsesTotal).toBe(6);
    expect(all.total.shareFlagged).toBe(0);
  });

  it('is empty for no responses', () => {
    expect(fieldworkSummary([], { now })).toEqual({
      today: '2009-07-02', interviewers: [], regions: [], days: [],
      total: { key: 'total', responsesToday: 0, responsesTotal: 0, medianSeconds: null, reviewed: 0, rejected: 0, rejectionRate: null, flagged: 0, shareFlagged: null },
    });
  });

  it.each([
    ['2009-07-01T17:59:59.000Z', 360, '2009-07-01'], ['2009-07-01T18:00:00.000Z', 360, '2009-07-02'], ['2009-07-01T18:00:00.000Z', 0, '2009-07-01'],
  ])('localDay(%s, %i) = %s', (at, offset, day) => {
    expect(localDay(at, offset)).toBe(day);
  });
});

describe('quota progress', () => {
  const gender: Quota = { id: 'g', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 2 }, { categories: { ps_gender: 'female' }, target: 3 }] };
  const plan = makeQuotaPlan('population', [gender]);
  const male = cellKey(gender, { ps_gender: 'male' });
  const female = cellKey(gender, { ps_gender: 'female' });
  const now = '2009-07-01T10:00:00.000Z';
  const slot = (cell: string, s: number, over: Partial<QuotaSlot>): QuotaSlot => ({
    id: `${cell}/${s}`, space: 'population@1', cell, slot: s, reservationId: `res${s}`, owner: null, claimedAt: now, expiresAt: null, responseId: null, consumedAt: null, ...over,
  });

  it('carries counted responses over to a replaced plan, one claim per matched cell', () => {
    expect(carryOverClaims(plan, [
      { id: 'a', status: 'approved', answers: { ps_gender: 'female' } },
      { id: 'b', status: 'rejected', answers: { ps_gender: 'female' } },
      { id: 'c', status: 'submitted', answers: {} },
      { id: 'd', status: 'has_issues', answers: { ps_gender: 'male' } },
      { id: 'e', status: 'withdrawn', answers: { ps_gender: 'male' } },
    ])).toEqual([{ responseId: 'a', cell: female, target: 3 }, { responseId: 'd', cell: male, target: 2 }]);
  });

  it('per cell: target, achieved, reserved, remaining, over and percent', () => {
    const slots = [
      slot(female, 0, { responseId: 'x', consumedAt: now }),
      slot(female, 1, { expiresAt: '2009-07-01T10:05:00.000Z' }),
      slot(female, 2, { expiresAt: '2009-07-01T09:55:00.000Z' }),
      slot(male, 0, { responseId: 'm0', consumedAt: now }),
      slot(male, 1, { responseId: 'm1', consumedAt: now }),
      slot(male, 2, { responseId: 'm2', consumedAt: now, over: true }),
    ];
    const usage = cellUsage(slots, now);
    expect(usage.get(female)).toEqual({ consumed: 1, over: 0, reserved: 1, lapsed: 1 });
    expect(usage.get(male)).toEqual({ consumed: 3, over: 1, reserved: 0, lapsed: 0 });
    expect(quotaProgress(plan, usage)).toEqual([
      { quota: 'g', cell: male, categories: { ps_gender: 'male' }, target: 2, achieved: 3, reserved: 0, committed: 3, remaining: 0, over: 1, acceptedOver: 1, percent: 150, full: true },
      { quota: 'g', cell: female, categories: { ps_gender: 'female' }, target: 3, achieved: 1, reserved: 1, committed: 2, remaining: 1, over: 0, acceptedOver: 0, percent: 33.3, full: false },
    ]);
  });

  it('reports over on the commitment and counts acceptances over quota (issue 14: it said over 0 past the target)', () => {
    // Target 3: two responses hold slots, one was accepted over quota (offline, its cell full at the time: a slot
    // beyond the target), and a live reservation holds the third slot: achieved 3 is not past the target, but the
    // commitment of 4 is.
    const usage = cellUsage([
      slot(female, 0, { responseId: 'a' }), slot(female, 1, { responseId: 'b' }), slot(female, 2, { expiresAt: '2009-07-01T10:05:00.000Z' }),
      slot(female, 3, { responseId: 'c', over: true }), slot(male, 0, { responseId: 'd' }),
    ], now);
    const [m, f] = quotaProgress(plan, usage);
    expect(f).toMatchObject({ target: 3, achieved: 3, reserved: 1, committed: 4, remaining: 0, over: 1, acceptedOver: 1, full: true });
    expect(m).toMatchObject({ target: 2, achieved: 1, committed: 1, over: 0, acceptedOver: 0 });
  });

  it('tells live, lapsed and reclaimable reservations apart, the grace period included', () => {
    const s = slot(male, 0, { expiresAt: '2009-07-01T10:00:00.000Z' });
    expect(isLiveReservation(s, '2009-07-01T10:00:00.000Z')).toBe(true);
    expect(isLiveReservation(s, '2009-07-01T10:00:00.001Z')).toBe(false);
    expect(isReclaimable(s, '2009-07-01T10:01:00.000Z')).toBe(false);
    expect(isReclaimable(s, '2009-07-01T10:01:00.001Z')).toBe(true);
    expect(isReclaimable({ ...s, responseId: 'r' }, '2009-08-01T00:00:00.000Z')).toBe(false);
    expect(freeSlotNumbers(5, [3, 0, 9])).toEqual([1, 2, 4]);
  });
});
