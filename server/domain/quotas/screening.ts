/**
 * The screening decision, once the service has tried to claim a slot in every matched cell: open or full per cell,
 * and whether the interview may go on. Under `refuse` one full cell closes screening (the service then cancels the
 * slots it did claim); under `flag` the interview goes on and the full cells are reported as over quota. A
 * respondent outside a quota's listed categories is `outside`: the plan wants nobody there, so it counts as full.
 * Screening that has not placed the respondent in every quota is `incomplete` and claims nothing.
 */
import type { CellMatch } from './matching.js';
import type { QuotaPolicy } from './plan.js';

export type CellStatus = 'open' | 'full' | 'outside';

export interface ScreenedCell {
  quota: string;
  status: CellStatus;
  cell?: string;
  categories?: Record<string, string>;
  target?: number;
}

export interface ScreeningDecision {
  /** `open`: go on (under `flag`, possibly over quota); `full`: screened out; `incomplete`: answers missing. */
  decision: 'open' | 'full' | 'incomplete';
  cells: ScreenedCell[];
  /** Variables still to answer, per quota (incomplete only). */
  missing: Array<{ quota: string; variables: string[] }>;
  /** Quotas whose cell is full or outside the plan: under `flag` the response is marked over quota in these. */
  overQuota: string[];
}

/** Matched cells the service should claim a slot in; none when screening is incomplete. */
export function cellsToClaim(matches: readonly CellMatch[]): Array<Extract<CellMatch, { status: 'matched' }>> {
  if (matches.some((m) => m.status === 'missing')) return [];
  return matches.flatMap((m) => (m.status === 'matched' ? [m] : []));
}

/** `claimed`: for each matched cell key, whether a slot was obtained. */
export function decideScreening(policy: QuotaPolicy, matches: readonly CellMatch[], claimed: ReadonlyMap<string, boolean>): ScreeningDecision {
  const missing = matches.flatMap((m) => (m.status === 'missing' ? [{ quota: m.quota, variables: m.variables }] : []));
  if (missing.length > 0) return { decision: 'incomplete', cells: [], missing, overQuota: [] };
  const cells: ScreenedCell[] = matches.map((m) => {
    if (m.status === 'unmatched') return { quota: m.quota, status: 'outside', categories: m.categories };
    if (m.status === 'missing') throw new Error('unreachable: missing handled above');
    return { quota: m.quota, status: claimed.get(m.cell) ? 'open' : 'full', cell: m.cell, categories: m.categories, target: m.target };
  });
  const overQuota = cells.filter((c) => c.status !== 'open').map((c) => c.quota);
  const decision = overQuota.length > 0 && policy === 'refuse' ? 'full' : 'open';
  return { decision, cells, missing: [], overQuota };
}
