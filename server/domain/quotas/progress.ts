/**
 * Progress per cell for coordinators: target, achieved, reserved, remaining, percent. Achieved is the cell's
 * consumed slots: every response that counts holds one (domain/counting.ts), within the target or, when it was
 * accepted with the cell full (offline, or under the `flag` policy), beyond it (slots.ts, `over`). So a cell over
 * target shows as such, and the figures come from the slots alone, never from a scan of the responses. A cell's
 * commitment is achieved plus its live reservations, and `over` is measured on the commitment.
 */
import type { ResponseStatus } from '../../../schemas/api.js';
import { counts } from '../counting.js';
import { matchCells, planCells } from './matching.js';
import type { QuotaPlan } from './plan.js';
import type { CellUsage } from './slots.js';

export interface CountedResponse {
  status: ResponseStatus;
  answers: Record<string, unknown>;
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

/** Every cell of the plan, in plan order, including cells nobody has reached yet, from its slots' usage. */
export function quotaProgress(plan: QuotaPlan, usage: ReadonlyMap<string, CellUsage>): CellProgress[] {
  return planCells(plan).map((c) => {
    const a = usage.get(c.cell)?.consumed ?? 0;
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
      acceptedOver: usage.get(c.cell)?.over ?? 0,
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
  const claims: Array<{ responseId: string; cell: string; target: number }> = [];
  for (const r of responses) {
    if (!counts(r.status)) continue;
    for (const m of matchCells(plan, r.answers)) if (m.status === 'matched') claims.push({ responseId: r.id, cell: m.cell, target: m.target });
  }
  return claims;
}
