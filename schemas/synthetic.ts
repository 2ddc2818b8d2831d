/**
 * Seeded synthetic responses for any questionnaire: valid by construction (they follow the schema's codes, ranges
 * and skip rules, read through items.ts and conditions.ts), realistic in their mix (the Kazakhstan sample of the
 * report's Appendix 7 by default, and answer distributions of the order the report publishes), and reproducible
 * from a seed. The source of demo data, test data and benchmark load.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { itemStates, matches, type Answers } from './conditions.js';
import { itemsOf, type Code, type Item } from './items.js';
import type { Submission, SubmissionMeta } from './api.js';
import { questionnaireVersion, type SurveyId } from './surveys.js';
import { requireQuestionnaire } from './versions.js';

export type Weights = Record<string, number>;

export interface SyntheticOptions {
  seed?: number;
  /** Answer shares for any choice item by id (e.g. `ps_ethnicity`), or `ps_age_band` for the age mix. */
  mix?: Record<string, Weights>;
  /** Probability that an item accepting don't-know/refused gets one (default 0.03). */
  specialRate?: number;
  /** Probability that an optional item is answered (default 0.6). */
  optionalRate?: number;
  /** The questionnaire version the responses are collected with (default: the current one). */
  version?: string;
}

/** The sample of the report's Appendix 7, and 2009 census shares for region and settlement (data dictionary §4). */
export const KAZAKHSTAN_SAMPLE_MIX: Readonly<Record<string, Weights>> = {
  ps_ethnicity: { kazakh: 64.4, russian: 23.0, korean: 4.1, uighur: 2.4, ukrainian: 2.2, german: 1.3, other: 2.6 },
  ps_gender: { female: 54.2, male: 45.8 },
  ps_age_band: { '18_25': 20.0, '26_35': 31.7, '36_45': 21.7, '46_55': 16.4, '56_60': 5.2, '61_plus': 5.0 },
  ps_settlement_type: { urban: 54.1, rural: 45.9 },
  ps_region: {
    akmola: 4.61, aktobe: 4.73, almaty_oblast: 11.29, atyrau: 3.19, east_kazakhstan: 8.72, zhambyl: 6.38, karaganda: 8.38,
    kostanay: 5.53, kyzylorda: 4.24, mangystau: 3.03, north_kazakhstan: 3.73, pavlodar: 4.64, south_kazakhstan: 15.42,
    west_kazakhstan: 3.74, almaty_city: 8.53, astana_city: 3.83,
  },
};

/** Typical answer shares by option set, of the order the report publishes, so tallies look like real data. */
const TYPICAL: Readonly<Record<string, Weights>> = {
  membership: { active: 10, inactive: 12, not_member: 78 },
  volunteered: { yes: 7, no: 93 },
  action: { have_done: 9, might_do: 26, would_never: 65 },
  neighbour: { mentioned: 45, not_mentioned: 55 },
  justifiability: { 1: 55, 2: 10, 3: 7, 4: 5, 5: 6, 6: 4, 7: 4, 8: 3, 9: 2, 10: 4 },
  confidence: { great_deal: 12, quite_a_lot: 33, not_very_much: 35, none_at_all: 20 },
  ps_trust_people: { most_can_be_trusted: 19, need_to_be_careful: 81 },
  ps_social_time_sports_voluntary: { weekly: 10, once_twice_month: 10, few_times_year: 8, not_at_all: 72 },
  yes_no: { true: 55, false: 45 },
  os_staff_in_unions: { yes: 25, no: 60, no_paid_staff: 15 },
  os_violent_forces_exist: { true: 33, false: 67 },
  os_policy_pushed_2y: { true: 39, false: 61 },
};

const AGE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  '18_25': [18, 25], '26_35': [26, 35], '36_45': [36, 45], '46_55': [46, 55], '56_60': [56, 60], '61_plus': [61, 88],
};

/** Plausible ranges for open numbers, inside the schema's wider limits. */
const TYPICAL_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  os_paid_staff_fulltime: [0, 25],
  os_paid_staff_parttime: [0, 15],
  os_volunteers_regular: [0, 40],
  os_income_last_fy: [0, 60_000_000],
  os_expenditure_last_fy: [0, 60_000_000],
  os_year_founded: [1990, 2009],
};

const TEXTS = ['Law on public associations', 'Social order for NGOs', 'Disability access', 'Environmental impact assessments', 'Local budget hearings', 'Youth policy'];
const INTERVIEWERS = Array.from({ length: 12 }, (_, i) => `int-${String(i + 1).padStart(2, '0')}`);

class Draw {
  constructor(private readonly rng: RandomGenerator) {}
  float(): number {
    return uniformFloat64(this.rng);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)] as T;
  }
  weighted(weights: Weights): string {
    const entries = Object.entries(weights).filter(([, w]) => w > 0);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.float() * total;
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    return (entries[entries.length - 1] as [string, number])[0];
  }
}

function codeFromKey(item: Item, key: string): Code {
  const code = item.codes.find((c) => String(c) === key);
  if (code === undefined) throw new Error(`synthetic: ${item.id} has no code ${key}`);
  return code;
}

/** 32-bit FNV-1a of a string: a small, stable hash for mixing a name into seeded draws. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

export class SyntheticGenerator {
  private readonly draw: Draw;
  private readonly items: Item[];
  private readonly options: Required<Omit<SyntheticOptions, 'seed' | 'version'>>;
  readonly version: string;
  private counter = 0;

  constructor(readonly survey: SurveyId, options: SyntheticOptions = {}) {
    this.draw = new Draw(xoroshiro128plus(options.seed ?? 1));
    this.version = options.version ?? questionnaireVersion(survey);
    const order = requireQuestionnaire(survey, this.version)['x-csi-sections'].flatMap((s) => s.items);
    const all = itemsOf(survey, this.version);
    // Sections first, in the order they are asked (skip rules look back), then system items.
    this.items = [...order.map((id) => all.find((i) => i.id === id) as Item), ...all.filter((i) => !order.includes(i.id))];
    this.options = {
      mix: { ...KAZAKHSTAN_SAMPLE_MIX, ...options.mix },
      specialRate: options.specialRate ?? 0.03,
      optionalRate: options.optionalRate ?? 0.6,
    };
  }

  /** The next response's answers. */
  next(): Answers {
    this.counter += 1;
    const answers: Answers = {};
    for (const item of this.items) {
      const state = itemStates(this.survey, answers, this.version).get(item.id);
      if (!state?.relevant) continue;
      if (!state.required && !item.system && this.draw.float() >= this.options.optionalRate) continue;
      answers[item.id] = this.valueSatisfying(item, state.constraints);
    }
    return answers;
  }

  /** `count` responses. */
  take(count: number): Answers[] {
    return Array.from({ length: count }, () => this.next());
  }

  /** The next response as a complete submission: a seeded id, the answers and plausible paradata. */
  nextSubmission(source: SubmissionMeta['source'] = 'seed'): Submission {
    const answers = this.next();
    return { id: this.uuid(), answers, meta: this.meta(source) };
  }

  /**
   * A seeded version-4 id. Response ids are unique across surveys, so the survey is mixed in: without it the
   * organisational seed 1 drew the population seed 1's ids and the demo seed stopped at a 409.1.
   */
  private uuid(): string {
    const salt = fnv1a(this.survey);
    const hex = Array.from({ length: 32 }, (_, i) => (this.draw.int(0, 15) ^ ((salt >>> ((i % 8) * 4)) & 0xf)).toString(16));
    hex[12] = '4';
    hex[16] = ((this.draw.int(0, 15) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  private meta(source: SubmissionMeta['source']): SubmissionMeta {
    const sections = requireQuestionnaire(this.survey, this.version)['x-csi-sections'];
    const sectionDurations = Object.fromEntries(sections.map((s) => [s.id, this.draw.int(20, 40 * s.items.length)]));
    const total = Object.values(sectionDurations).reduce((a, b) => a + b, 0);
    const start = Date.UTC(2009, this.draw.int(5, 9), this.draw.int(1, 28), this.draw.int(8, 19), this.draw.int(0, 59));
    return {
      formVersion: this.version,
      appVersion: '0.1.0',
      language: this.draw.weighted({ ru: 60, kk: 35, en: 5 }) as SubmissionMeta['language'],
      device: this.draw.pick(['tablet-android', 'tablet-ipad', 'laptop-windows']),
      source,
      startedAt: new Date(start).toISOString(),
      completedAt: new Date(start + total * 1000).toISOString(),
      sectionDurations,
    };
  }

  private valueSatisfying(item: Item, constraints: readonly unknown[]): unknown {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const value = this.valueFor(item);
      if (constraints.every((c) => matches(c as never, value))) return value;
    }
    throw new Error(`synthetic: no value of ${item.id} satisfies its constraints`);
  }

  private valueFor(item: Item): unknown {
    if (item.system) return this.systemValue(item);
    if (item.special && this.draw.float() < this.options.specialRate) return this.draw.float() < 0.67 ? 'dk' : 'ref';
    switch (item.kind) {
      case 'choice': return this.choice(item);
      case 'integer':
      case 'number': return this.number(item);
      case 'date': return this.date();
      case 'text': return this.draw.pick(TEXTS);
    }
  }

  private choice(item: Item): Code {
    const weights = this.options.mix[item.id] ?? TYPICAL[item.id] ?? TYPICAL[item.optionSet];
    if (!weights) return this.draw.pick(item.codes);
    return codeFromKey(item, this.draw.weighted(weights));
  }

  private number(item: Item): number {
    if (item.id === 'ps_age_years') {
      const band = this.draw.weighted(this.options.mix.ps_age_band ?? { '18_25': 1 });
      const [lo, hi] = AGE_RANGES[band] ?? [18, 80];
      return this.draw.int(lo, hi);
    }
    const min = item.minimum ?? 0;
    const [lo, hi] = TYPICAL_RANGE[item.id] ?? [min, Math.min(item.maximum ?? min + 100, min + 100)];
    // Staff counts and money are skewed: most organisations are small.
    const skew = this.draw.float() ** 2;
    return Math.round(lo + skew * (hi - lo));
  }

  private date(): string {
    const month = this.draw.int(6, 10);
    const day = this.draw.int(1, 30);
    return `2009-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }

  private systemValue(item: Item): string {
    if (item.kind === 'date') return this.date();
    if (item.id.endsWith('interviewer_id')) return this.draw.pick(INTERVIEWERS);
    return `${this.survey.slice(0, 3)}-${String(this.counter).padStart(6, '0')}`;
  }
}

/** `count` synthetic responses of a survey. */
export function generateResponses(survey: SurveyId, count: number, options: SyntheticOptions = {}): Answers[] {
  return new SyntheticGenerator(survey, options).take(count);
}
