/**
 * Responses as the engine reads them: answers keyed by item id, plus derived variables (age band, SES group).
 * When a record carries no derived variables they are computed here with the schemas' own derivePopulation, so
 * callers may pass stored answers as they are. Don't-know, refused and blanks are never substantive answers:
 * they leave a respondent out of a base (data dictionary §1.1 default), and are never counted as zero.
 */
import { derivePopulation } from '../../../schemas/derived.js';
import type { Code } from '../../../schemas/items.js';
import { isSpecialAnswer } from '../../../schemas/keywords.js';
import { derivedVariable } from '../../../schemas/survey-definition.js';
import { variableValue, type ResponseRecord } from '../records.js';

export type { ResponseRecord } from '../records.js';

/** A survey's records prepared for reading: each variable read once into a column, then by index. */
export interface Table {
  readonly size: number;
  column(variable: string): readonly unknown[];
  /** A per-respondent variable computed once per (rule object, tag) and reused (breakdown cells, differences). */
  memo<T>(key: object, tag: string, make: () => T): T;
}

export function tableOf(records: readonly ResponseRecord[]): Table {
  const columns = new Map<string, unknown[]>();
  let derived: Array<Record<string, unknown>> | undefined;
  const derivedOf = (i: number): Record<string, unknown> => {
    derived ??= records.map((r) => ({ ...derivePopulation(r.answers) }));
    return derived[i] as Record<string, unknown>;
  };
  const memos = new WeakMap<object, Map<string, unknown>>();
  const read = (variable: string): unknown[] => {
    const out: unknown[] = new Array(records.length);
    const isDerived = derivedVariable('population', variable) !== undefined;
    for (let i = 0; i < records.length; i += 1) {
      let v = variableValue(records[i] as ResponseRecord, variable);
      // Records built without derived variables (tests, fixtures) get them computed here, once.
      if (v === undefined && isDerived) v = derivedOf(i)[variable];
      out[i] = v;
    }
    return out;
  };
  return {
    size: records.length,
    column(variable) {
      let column = columns.get(variable);
      if (!column) {
        column = read(variable);
        columns.set(variable, column);
      }
      return column;
    },
    memo<T>(key: object, tag: string, make: () => T): T {
      let byTag = memos.get(key);
      if (!byTag) {
        byTag = new Map();
        memos.set(key, byTag);
      }
      if (!byTag.has(tag)) byTag.set(tag, make());
      return byTag.get(tag) as T;
    },
  };
}

/** A substantive answer: present, not don't-know or refused, not one of the rule's ignored codes. */
export function isAnswer(value: unknown, ignore?: readonly Code[]): value is Code {
  if (value === undefined || value === null || value === '') return false;
  if (isSpecialAnswer(value)) return false;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  return !ignore?.includes(value);
}

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
