/**
 * Skip logic, read from the schema's `allOf` of `if/then/else` rules, without ajv: the form (which ships no ajv
 * runtime) and the synthetic generator need to know, as answers come in, which items are relevant and which
 * constraints apply to them. The evaluator understands only the keywords the rules use; any other keyword in a
 * rule throws, so a schema edit cannot silently outgrow it (a test runs every rule through it).
 */
import type { JsonSchema, SchemaObject, SurveyId } from './surveys.js';
import { requireQuestionnaire } from './versions.js';

export type Answers = Record<string, unknown>;

const SUPPORTED = new Set(['const', 'enum', 'not', 'type', 'minimum', 'maximum', 'required', 'properties', 'allOf', 'anyOf']);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'null': return value === null;
    default: throw new Error(`conditions: unsupported type ${type}`);
  }
}

function objectKeywordsMatch(schema: SchemaObject, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  const obj = value as Record<string, unknown>;
  if (schema.required && !schema.required.every((k) => obj[k] !== undefined)) return false;
  if (schema.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (obj[k] !== undefined && !matches(sub, obj[k])) return false;
    }
  }
  return true;
}

/** Whether `value` satisfies `schema`, for the subset of JSON Schema that skip rules use. */
export function matches(schema: JsonSchema, value: unknown): boolean {
  if (typeof schema === 'boolean') return schema;
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key)) throw new Error(`conditions: keyword "${key}" is not supported in skip rules`);
  }
  if ('const' in schema && schema.const !== value) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.not !== undefined && matches(schema.not, value)) return false;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) return false;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
  }
  if (!objectKeywordsMatch(schema, value)) return false;
  if (schema.allOf && !schema.allOf.every((s) => matches(s, value))) return false;
  if (schema.anyOf && !schema.anyOf.some((s) => matches(s, value))) return false;
  return true;
}

export interface ItemState {
  /** The item may be answered; when false, any answer to it is an error. */
  relevant: boolean;
  /** The item must be answered. */
  required: boolean;
  /** Extra constraints the active rules put on the item's value (e.g. "differs from the first choice"). */
  constraints: JsonSchema[];
}

/** Which items are relevant and required given the answers so far, with the constraints active rules add. */
export function itemStates(survey: SurveyId, answers: Answers, version?: string): Map<string, ItemState> {
  const schema = requireQuestionnaire(survey, version);
  const states = new Map<string, ItemState>();
  for (const id of Object.keys(schema.properties)) {
    states.set(id, { relevant: true, required: schema.required.includes(id), constraints: [] });
  }
  for (const rule of schema.allOf) {
    const branch = matches(rule.if, answers) ? rule.then : rule.else;
    if (branch === undefined || typeof branch === 'boolean') continue;
    for (const id of branch.required ?? []) {
      const state = states.get(id);
      if (state) state.required = true;
    }
    for (const [id, sub] of Object.entries(branch.properties ?? {})) {
      const state = states.get(id);
      if (!state) continue;
      if (sub === false) state.relevant = false;
      else state.constraints.push(sub);
    }
  }
  for (const state of states.values()) if (!state.relevant) state.required = false;
  return states;
}

/**
 * The answers without those to items that the other answers make irrelevant (the form clears hidden items).
 * Repeats until nothing changes, since clearing one answer can make another irrelevant.
 */
export function withoutIrrelevant(survey: SurveyId, answers: Answers, version?: string): Answers {
  let current = answers;
  for (;;) {
    const states = itemStates(survey, current, version);
    const next = Object.fromEntries(Object.entries(current).filter(([id]) => states.get(id)?.relevant !== false));
    if (Object.keys(next).length === Object.keys(current).length) return next;
    current = next;
  }
}
