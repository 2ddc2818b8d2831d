/**
 * Quality flags on responses, the checks survey agencies run on interviewer work: speeders (an interview far
 * shorter than the median), straight-lining (one answer down a whole grid), many don't-knows (dk/ref) and
 * duplicated answer patterns (one interview copied into another). Flags are for a coordinator's attention, never
 * verdicts: each carries the numbers that tripped it.
 *
 * Defaults are conservative. The membership and volunteering grids are exempt from straight-lining, because
 * "not a member" throughout is the honest answer of most respondents; duplicates are exact matches of every
 * substantive answer unless a lower `minMatch` asks for the pairwise near-duplicate search (quadratic: for
 * hundreds of responses, not millions).
 */
import type { SubmissionMeta } from '../../../schemas/api.js';
import { itemsOf, type Item } from '../../../schemas/items.js';
import { isSpecialAnswer } from '../../../schemas/keywords.js';
import type { SurveyId } from '../../../schemas/surveys.js';

export type QualityFlagKind = 'speeder' | 'straight_lining' | 'many_dont_know' | 'duplicate';
export const QUALITY_FLAG_KINDS: readonly QualityFlagKind[] = ['speeder', 'straight_lining', 'many_dont_know', 'duplicate'];

export interface QualityFlag {
  response: string;
  flag: QualityFlagKind;
  detail: Record<string, unknown>;
}

export interface CheckedResponse {
  id: string;
  survey: SurveyId;
  answers: Record<string, unknown>;
  meta: Pick<SubmissionMeta, 'startedAt' | 'completedAt'>;
}

export interface QualityOptions {
  /** Speeder: duration below this fraction of the survey's median (default 0.5). */
  speederRatio?: number;
  /** No speeder flags until a survey has this many timed responses (default 10): a median of 3 means little. */
  speederMinResponses?: number;
  /** Straight-lining: grids with at least this many substantive answers (default 5). */
  gridMinItems?: number;
  /** Grids never checked for straight-lining. */
  gridExempt?: readonly string[];
  /** Many don't-knows: share of dk/ref among answered items that accept them (default 0.3)... */
  dontKnowShare?: number;
  /** ...among at least this many such items (default 10). */
  dontKnowMinItems?: number;
  /** Duplicates: share of identical answers over the items either answered (default 1: exact copies only). */
  minMatch?: number;
  /** Duplicates: only responses with at least this many substantive answers are compared (default 10). */
  duplicateMinItems?: number;
}

export const DEFAULT_GRID_EXEMPT: readonly string[] = ['ps_member', 'ps_volunteer'];

const DEFAULTS = {
  speederRatio: 0.5,
  speederMinResponses: 10,
  gridMinItems: 5,
  gridExempt: DEFAULT_GRID_EXEMPT,
  dontKnowShare: 0.3,
  dontKnowMinItems: 10,
  minMatch: 1,
  duplicateMinItems: 10,
} satisfies Required<QualityOptions>;

/** Interview length in seconds from the paradata; null when the times are missing or backwards. */
export function interviewSeconds(meta: Pick<SubmissionMeta, 'startedAt' | 'completedAt'>): number | null {
  const seconds = (Date.parse(meta.completedAt) - Date.parse(meta.startedAt)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function bySurvey<T extends { survey: SurveyId }>(responses: readonly T[]): Map<SurveyId, T[]> {
  const groups = new Map<SurveyId, T[]>();
  for (const r of responses) {
    const group = groups.get(r.survey);
    if (group) group.push(r);
    else groups.set(r.survey, [r]);
  }
  return groups;
}

/** Responses much shorter than their survey's median interview. */
export function speeders(responses: readonly CheckedResponse[], options: QualityOptions = {}): QualityFlag[] {
  const ratio = options.speederRatio ?? DEFAULTS.speederRatio;
  const minResponses = options.speederMinResponses ?? DEFAULTS.speederMinResponses;
  return [...bySurvey(responses).values()].flatMap((group) => {
    const timed = group.flatMap((r) => {
      const seconds = interviewSeconds(r.meta);
      return seconds === null ? [] : [{ r, seconds }];
    });
    const mid = median(timed.map((t) => t.seconds));
    if (mid === null || timed.length < minResponses) return [];
    return timed.filter((t) => t.seconds < ratio * mid).map((t) => ({
      response: t.r.id, flag: 'speeder' as const, detail: { seconds: t.seconds, medianSeconds: mid, ratio: t.seconds / mid },
    }));
  });
}

const gridCache = new Map<SurveyId, Map<string, Item[]>>();

/** A survey's grids: items sharing an `x-csi-grid`, in questionnaire order. */
export function gridsOf(survey: SurveyId): Map<string, Item[]> {
  const hit = gridCache.get(survey);
  if (hit) return hit;
  const grids = new Map<string, Item[]>();
  for (const item of itemsOf(survey)) if (item.grid) grids.set(item.grid, [...(grids.get(item.grid) ?? []), item]);
  gridCache.set(survey, grids);
  return grids;
}

function substantive(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !isSpecialAnswer(value);
}

/** Grids where every substantive answer is the same, with at least `gridMinItems` of them. */
export function straightLinedGrids(response: CheckedResponse, options: QualityOptions = {}): Array<{ grid: string; value: unknown; items: number }> {
  const minItems = options.gridMinItems ?? DEFAULTS.gridMinItems;
  const exempt = new Set(options.gridExempt ?? DEFAULTS.gridExempt);
  return [...gridsOf(response.survey)].flatMap(([grid, items]) => {
    if (exempt.has(grid)) return [];
    const values = items.map((i) => response.answers[i.id]).filter(substantive);
    if (values.length < minItems || new Set(values.map((v) => JSON.stringify(v))).size !== 1) return [];
    return [{ grid, value: values[0], items: values.length }];
  });
}

export function straightLining(responses: readonly CheckedResponse[], options: QualityOptions = {}): QualityFlag[] {
  return responses.flatMap((r) => {
    const grids = straightLinedGrids(r, options);
    return grids.length === 0 ? [] : [{ response: r.id, flag: 'straight_lining' as const, detail: { grids } }];
  });
}

/** Don't-know and refused answers among the answered items that accept them. */
export function dontKnowCount(response: CheckedResponse): { special: number; eligible: number; share: number } {
  let special = 0;
  let eligible = 0;
  for (const item of itemsOf(response.survey)) {
    if (!item.special || item.system) continue;
    const value = response.answers[item.id];
    if (value === undefined || value === null) continue;
    eligible += 1;
    if (isSpecialAnswer(value)) special += 1;
  }
  return { special, eligible, share: eligible === 0 ? 0 : special / eligible };
}

export function manyDontKnows(responses: readonly CheckedResponse[], options: QualityOptions = {}): QualityFlag[] {
  const threshold = options.dontKnowShare ?? DEFAULTS.dontKnowShare;
  const minItems = options.dontKnowMinItems ?? DEFAULTS.dontKnowMinItems;
  return responses.flatMap((r) => {
    const count = dontKnowCount(r);
    if (count.eligible < minItems || count.share < threshold) return [];
    return [{ response: r.id, flag: 'many_dont_know' as const, detail: count }];
  });
}

/** The answers compared for duplicates: every non-system item, so the interviewer, ids and dates never count. */
function pattern(response: CheckedResponse): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of itemsOf(response.survey)) {
    if (item.system) continue;
    const value = response.answers[item.id];
    if (value !== undefined && value !== null && value !== '') out.set(item.id, JSON.stringify(value));
  }
  return out;
}

function matchShare(a: Map<string, string>, b: Map<string, string>): number {
  const ids = new Set([...a.keys(), ...b.keys()]);
  let same = 0;
  for (const id of ids) if (a.get(id) === b.get(id)) same += 1;
  return ids.size === 0 ? 0 : same / ids.size;
}

interface Patterned {
  r: CheckedResponse;
  p: Map<string, string>;
}

function exactDuplicates(group: readonly Patterned[]): Array<[Patterned, Patterned, number]> {
  const first = new Map<string, Patterned>();
  const pairs: Array<[Patterned, Patterned, number]> = [];
  for (const x of group) {
    const key = JSON.stringify([...x.p].sort(([a], [b]) => (a < b ? -1 : 1)));
    const earlier = first.get(key);
    if (earlier) pairs.push([earlier, x, 1]);
    else first.set(key, x);
  }
  return pairs;
}

function nearDuplicates(group: readonly Patterned[], minMatch: number): Array<[Patterned, Patterned, number]> {
  const pairs: Array<[Patterned, Patterned, number]> = [];
  group.forEach((a, i) => {
    for (const b of group.slice(i + 1)) {
      const share = matchShare(a.p, b.p);
      if (share >= minMatch) pairs.push([a, b, share]);
    }
  });
  return pairs;
}

/** Responses whose substantive answers copy another's; each member of a pair is flagged, naming the other. */
export function duplicates(responses: readonly CheckedResponse[], options: QualityOptions = {}): QualityFlag[] {
  const minMatch = options.minMatch ?? DEFAULTS.minMatch;
  const minItems = options.duplicateMinItems ?? DEFAULTS.duplicateMinItems;
  const flags = new Map<string, QualityFlag>();
  const note = (x: Patterned, other: Patterned, share: number) => {
    const flag = flags.get(x.r.id) ?? { response: x.r.id, flag: 'duplicate' as const, detail: { of: [] as string[], match: share } };
    (flag.detail.of as string[]).push(other.r.id);
    flag.detail.match = Math.max(flag.detail.match as number, share);
    flags.set(x.r.id, flag);
  };
  for (const group of bySurvey(responses).values()) {
    const patterned = group.map((r) => ({ r, p: pattern(r) })).filter((x) => x.p.size >= minItems);
    const pairs = minMatch >= 1 ? exactDuplicates(patterned) : nearDuplicates(patterned, minMatch);
    for (const [a, b, share] of pairs) {
      note(a, b, share);
      note(b, a, share);
    }
  }
  return [...flags.values()];
}

/** Every flag of every response, in the order speeder, straight-lining, many don't-knows, duplicate. */
export function qualityFlags(responses: readonly CheckedResponse[], options: QualityOptions = {}): QualityFlag[] {
  return [
    ...speeders(responses, options),
    ...straightLining(responses, options),
    ...manyDontKnows(responses, options),
    ...duplicates(responses, options),
  ];
}

/** Flags grouped by response id (responses without flags are absent). */
export function flagsByResponse(flags: readonly QualityFlag[]): Map<string, QualityFlag[]> {
  const out = new Map<string, QualityFlag[]>();
  for (const f of flags) {
    const list = out.get(f.response);
    if (list) list.push(f);
    else out.set(f.response, [f]);
  }
  return out;
}
