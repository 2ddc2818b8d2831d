/**
 * Progress per cell for coordinators: target, achieved, reserved, remaining, percent. Achieved is counted from the
 * responses themselves (statuses the plan counts), not from slots, so a response accepted over quota (offline, or
 * under the `flag` policy) shows as achieved and the cell as over target; reserved is the cell's live reservations.
 * A cell's commitment is both: slots keep achieved-with-a-slot plus reservations within the target, but responses
 * accepted without a slot are beyond it, so `over` is measured on the commitment, not on achieved alone.
 */
import type { ResponseStatus } from '../../../schemas/api.js';
import { matchCells, planCells } from './matching.js';
import type { QuotaPlan } from './plan.js';
import type { CellUsage } from './slots.js';

export interface CountedResponse {
  status: ResponseStatus;
  answers: Record<string, unknown>;
  /** Quotas the response was accepted over (StoredResponse.overQuota). */
  overQuota?: string[];
}

/** Achieved responses per cell key: a fold, so a caller can stream responses through `add` in constant memory. */
export class AchievedCounter {
  readonly counts = new Map<string, number>();
  /** Of those, per cell, the responses accepted over quota in that cell's quota. */
  readonly flagged = new Map<string, number>();
  private readonly statuses: Set<ResponseStatus>;
  constructor(private readonly plan: QuotaPlan) {
    this.statuses = new Set(plan.countStatuses);
  }

  /** The cells a response counts in (none when its status does not count). */
  add(response: CountedResponse): string[] {
    if (!this.statuses.has(response.status)) return [];
    const matched = matchCells(this.plan, response.answers).flatMap((m) => (m.status === 'matched' ? [m] : []));
    for (const m of matched) {
      this.counts.set(m.cell, (this.counts.get(m.cell) ?? 0) + 1);
      if (response.overQuota?.includes(m.quota)) this.flagged.set(m.cell, (this.flagged.get(m.cell) ?? 0) + 1);
    }
    return matched.map((m) => m.cell);
  }
}

export function countAchieved(plan: QuotaPlan, responses: Iterable<CountedResponse>): Map<string, number> {
  const counter = new AchievedCounter(plan);
  for (const r of responses) counter.add(r);
  return counter.counts;
}

export interface CellProgress {
  quota: string;
  cell: string;
  categories: Record<string, string>;
  target: number;
  achieved: number;
  reserved: number;
  /** The cell's total commitment: achieved plus live reservations. */
  committed: number;
  /** Target less achieved and reserved, never below 0. */
  remaining: number;
  /** The commitment beyond the target (acceptances over quota, plus reservations once achieved fills the cell). */
  over: number;
  /** Accepted responses in the cell marked over quota (flag policy, offline interviews, lapsed reservations). */
  acceptedOver: number;
  /** Achieved as a percentage of the target, one decimal; 100 for a cell with target 0. */
  percent: number;
  full: boolean;
}

/** Every cell of the plan, in plan order, including cells nobody has reached yet. */
export function quotaProgress(plan: QuotaPlan, achieved: ReadonlyMap<string, number>, usage: ReadonlyMap<string, CellUsage>, flagged: ReadonlyMap<string, number> = new Map()): CellProgress[] {
  return planCells(plan).map((c) => {
    const a = achieved.get(c.cell) ?? 0;
    const reserved = usage.get(c.cell)?.reserved ?? 0;
    return {
      quota: c.quota,
      cell: c.cell,
      categories: c.categories,
      target: c.target,
      achieved: a,
      reserved,
      committed: a + reserved,
      remaining: Math.max(0, c.target - a - reserved),
      over: Math.max(0, a + reserved - c.target),
      acceptedOver: flagged.get(c.cell) ?? 0,
      percent: c.target === 0 ? 100 : Math.round((1000 * a) / c.target) / 10,
      full: a + reserved >= c.target,
    };
  });
}

/**
 * When a plan is replaced, the new version's key space starts empty: the responses that count already hold slots
 * there again, one claim each per matched cell (reservation id = response id, so re-running the carry-over is
 * idempotent). Claims beyond a lowered target fail, and those responses simply count as over quota.
 */
export function carryOverClaims(plan: QuotaPlan, responses: Iterable<CountedResponse & { id: string }>): Array<{ responseId: string; cell: string; target: number }> {
  const statuses = new Set(plan.countStatuses);
  const claims: Array<{ responseId: string; cell: string; target: number }> = [];
  for (const r of responses) {
    if (!statuses.has(r.status)) continue;
    for (const m of matchCells(plan, r.answers)) if (m.status === 'matched') claims.push({ responseId: r.id, cell: m.cell, target: m.target });
  }
  return claims;
}
