/**
 * Fieldwork monitoring: who is doing what, where and when. Per interviewer, per region and per day: responses
 * today and in total, median interview length, rejection rate and the share of responses with a quality flag.
 *
 * A fold (`FieldworkTally.add`) so the service can stream responses through it; "today" is the calendar day of
 * `now` at a fixed UTC offset (Kazakhstan was UTC+5 and UTC+6 in 2009: the caller chooses). The rejection rate is
 * rejected among reviewed (approved, rejected, has issues), so unreviewed work does not dilute it; null until
 * something was reviewed.
 */
import type { ResponseStatus, SubmissionMeta } from '../../../schemas/api.js';
import { isFieldworkWork } from '../counting.js';
import { interviewSeconds, median } from './quality.js';

export interface MonitoredResponse {
  id: string;
  status: ResponseStatus;
  region: string | null;
  interviewer: string | null;
  receivedAt: string;
  meta: Pick<SubmissionMeta, 'startedAt' | 'completedAt'>;
}

export interface FieldworkOptions {
  /** The current time (ISO). */
  now: string;
  /** Offset of the fieldwork's local time from UTC in minutes, for "today" and days (default 0). */
  utcOffsetMinutes?: number;
  /** Ids of responses with at least one quality flag. */
  flagged?: ReadonlySet<string>;
  /** The statuses shown; default: the counting policy's fieldwork work, every status but withdrawn (domain/counting.ts). */
  statuses?: readonly ResponseStatus[];
}

export interface GroupStats {
  key: string;
  responsesToday: number;
  responsesTotal: number;
  medianSeconds: number | null;
  reviewed: number;
  rejected: number;
  rejectionRate: number | null;
  flagged: number;
  shareFlagged: number | null;
}

export interface FieldworkSummary {
  /** The local day of `now` (YYYY-MM-DD). */
  today: string;
  total: GroupStats;
  interviewers: GroupStats[];
  regions: GroupStats[];
  /** One per local day with responses, oldest first. */
  days: GroupStats[];
}

const REVIEWED: ReadonlySet<ResponseStatus> = new Set(['approved', 'rejected', 'has_issues']);

/** The calendar day of an instant at a UTC offset. */
export function localDay(at: string, utcOffsetMinutes = 0): string {
  return new Date(Date.parse(at) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

class Group {
  today = 0;
  total = 0;
  reviewed = 0;
  rejected = 0;
  flagged = 0;
  readonly seconds: number[] = [];
  constructor(readonly key: string) {}

  stats(): GroupStats {
    return {
      key: this.key,
      responsesToday: this.today,
      responsesTotal: this.total,
      medianSeconds: median(this.seconds),
      reviewed: this.reviewed,
      rejected: this.rejected,
      rejectionRate: this.reviewed === 0 ? null : this.rejected / this.reviewed,
      flagged: this.flagged,
      shareFlagged: this.total === 0 ? null : this.flagged / this.total,
    };
  }
}

/** Label of a response without interviewer or region, so it is counted rather than dropped. */
export const UNKNOWN_KEY = '(unknown)';

export class FieldworkTally {
  private readonly total = new Group('total');
  private readonly groups = { interviewers: new Map<string, Group>(), regions: new Map<string, Group>(), days: new Map<string, Group>() };
  private readonly today: string;
  private readonly statuses: ReadonlySet<ResponseStatus> | null;

  constructor(private readonly options: FieldworkOptions) {
    this.today = localDay(options.now, options.utcOffsetMinutes);
    this.statuses = options.statuses ? new Set(options.statuses) : null;
  }

  add(r: MonitoredResponse): void {
    if (this.statuses ? !this.statuses.has(r.status) : !isFieldworkWork(r.status)) return;
    const day = localDay(r.receivedAt, this.options.utcOffsetMinutes);
    const targets = [
      this.total,
      this.group('interviewers', r.interviewer ?? UNKNOWN_KEY),
      this.group('regions', r.region ?? UNKNOWN_KEY),
      this.group('days', day),
    ];
    const seconds = interviewSeconds(r.meta);
    for (const g of targets) {
      g.total += 1;
      if (day === this.today) g.today += 1;
      if (REVIEWED.has(r.status)) g.reviewed += 1;
      if (r.status === 'rejected') g.rejected += 1;
      if (this.options.flagged?.has(r.id)) g.flagged += 1;
      if (seconds !== null) g.seconds.push(seconds);
    }
  }

  private group(kind: keyof FieldworkTally['groups'], key: string): Group {
    const map = this.groups[kind];
    const found = map.get(key);
    if (found) return found;
    const created = new Group(key);
    map.set(key, created);
    return created;
  }

  summary(): FieldworkSummary {
    const sorted = (m: Map<string, Group>) => [...m.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((g) => g.stats());
    return {
      today: this.today,
      total: this.total.stats(),
      interviewers: sorted(this.groups.interviewers),
      regions: sorted(this.groups.regions),
      days: sorted(this.groups.days),
    };
  }
}

export function fieldworkSummary(responses: Iterable<MonitoredResponse>, options: FieldworkOptions): FieldworkSummary {
  const tally = new FieldworkTally(options);
  for (const r of responses) tally.add(r);
  return tally.summary();
}
