/**
 * Responses into the columns the tally engine reads: one coded column per margin, breakdown and item, built as
 * responses stream past so that only small integers are kept per respondent (a million responses never sit in
 * memory as objects). A builder can take more responses after `done()`, for a survey that grew.
 */
import { variableValue, type ResponseRecord } from '../records.js';
import type { MarginVariable } from './margins.js';
import { marginCategory } from './margins.js';
import type { CodedColumn } from './design.js';
import type { ItemColumn } from './tally.js';

/** What the builder needs to know of an item. */
export interface ColumnItem {
  id: string;
  numeric: boolean;
  /** Substantive codes of a closed item, in questionnaire order. */
  categories: string[];
}

/** Reasons an answer is out of an item's base, in the order of their exclusion codes. */
/** Why an answer is left out of an item's base; `not_asked`: the response's questionnaire version lacks the item. */
export const EXCLUSION_REASONS = ['dk', 'ref', 'blank', 'not_asked'] as const;

export interface Columns {
  n: number;
  margins: CodedColumn[];
  by: CodedColumn[];
  items: ItemColumn[];
}

class Growable<T extends Int32Array | Float64Array> {
  private size = 0;
  constructor(private data: T) {}
  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size] = value;
    this.size += 1;
  }
  done(): T {
    return this.data.slice(0, this.size) as T;
  }
}

/** Response ids kept per level of a margin column, for problems that name respondents. */
const EXAMPLES = 3;

/** Codes values as levels in first-seen order after the known ones; -1 for missing. */
class LevelColumn {
  private readonly index = new Map<string, number>();
  private readonly levels: string[] = [];
  private readonly codes = new Growable(new Int32Array(1024));
  private readonly examples: Map<number, string[]> | null;
  constructor(known: string[] = [], keepExamples = false) {
    for (const level of known) this.level(level);
    this.examples = keepExamples ? new Map() : null;
  }
  private level(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.levels.length;
      this.index.set(value, code);
      this.levels.push(value);
    }
    return code;
  }
  add(value: string | null, id?: string): void {
    const code = value === null ? -1 : this.level(value);
    this.codes.push(code);
    if (this.examples && id !== undefined) {
      const list = this.examples.get(code);
      if (!list) this.examples.set(code, [id]);
      else if (list.length < EXAMPLES) list.push(id);
    }
  }
  /** Copies: the builder can take more responses after (analysis-dataset.ts folds), and what it handed out stays. */
  done(): CodedColumn {
    const examples = this.examples ? new Map([...this.examples].map(([code, ids]) => [code, [...ids]])) : null;
    return { levels: [...this.levels], codes: this.codes.done(), ...(examples ? { examples } : {}) };
  }
}

class ItemBuilder {
  private readonly index: Map<string, number>;
  private readonly codes = new Growable(new Int32Array(1024));
  private readonly numbers: Growable<Float64Array> | null;
  constructor(private readonly item: ColumnItem) {
    this.index = new Map(item.categories.map((c, i) => [c, i]));
    this.numbers = item.numeric ? new Growable(new Float64Array(1024)) : null;
  }
  add(value: unknown, notAsked = false): void {
    const reason = notAsked ? 'not_asked' : value === undefined || value === null ? 'blank' : value === 'dk' || value === 'ref' ? value : null;
    let code: number;
    if (reason !== null) code = -1 - EXCLUSION_REASONS.indexOf(reason);
    else if (this.item.numeric) code = typeof value === 'number' && Number.isFinite(value) ? 0 : -1 - EXCLUSION_REASONS.indexOf('blank');
    else code = this.index.get(String(value)) ?? -1 - EXCLUSION_REASONS.indexOf('blank');
    this.codes.push(code);
    this.numbers?.push(code === 0 ? (value as number) : NaN);
  }
  done(): ItemColumn {
    const numbers = this.numbers?.done();
    return { item: this.item.id, numeric: this.item.numeric, categories: this.item.categories, codes: this.codes.done(), reasons: [...EXCLUSION_REASONS], ...(numbers ? { numbers } : {}) };
  }
}

export class ColumnsBuilder {
  private n = 0;
  private readonly margins: LevelColumn[];
  private readonly by: LevelColumn[];
  private readonly items: ItemBuilder[];

  constructor(
    private readonly spec: { margins: MarginVariable[]; by: Array<{ variable: string; levels?: string[] }>; items: ColumnItem[] },
  ) {
    this.margins = spec.margins.map((m) => new LevelColumn(Object.keys(m.shares), true));
    this.by = spec.by.map((b) => new LevelColumn(b.levels));
    this.items = spec.items.map((i) => new ItemBuilder(i));
  }

  /**
   * One response, its variables read as every engine reads them (records.ts: answers, then derived variables); its
   * id (optional) is kept for the first few respondents of each margin category, so problems can name them.
   * `notAsked`: items the response's questionnaire version did not have (missing by design, counted apart).
   */
  add(record: ResponseRecord, id?: string): void {
    // Plain loops: this runs once per response, a million times for a large survey.
    const { margins, by, items } = this.spec;
    for (let k = 0; k < margins.length; k += 1) {
      const m = margins[k] as MarginVariable;
      const v = variableValue(record, m.variable);
      (this.margins[k] as LevelColumn).add(v === undefined || v === null ? null : marginCategory(m, v), id);
    }
    for (let k = 0; k < by.length; k += 1) {
      const variable = (by[k] as { variable: string }).variable;
      const v = variableValue(record, variable);
      (this.by[k] as LevelColumn).add(v === undefined || v === null ? null : String(v));
    }
    for (let k = 0; k < items.length; k += 1) {
      const itemId = (items[k] as ColumnItem).id;
      (this.items[k] as ItemBuilder).add(record.answers[itemId], record.notAsked?.has(itemId) === true);
    }
    this.n += 1;
  }

  done(): Columns {
    return { n: this.n, margins: this.margins.map((c) => c.done()), by: this.by.map((c) => c.done()), items: this.items.map((b) => b.done()) };
  }
}
