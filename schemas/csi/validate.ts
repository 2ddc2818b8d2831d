/**
 * Validation of an indicator matrix against indicators.schema.json (ajv, draft 2020-12, strict), plus the checks
 * a schema cannot express: unique ids, each id under its parent's, and `measure` references that resolve to a
 * population indicator. Server-side only (ajv); the shipped matrix is checked by the unit tests, and a service
 * that accepts another matrix calls this at boot.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AJV_OPTIONS } from '../keywords.js';
import schema from './indicators.schema.json' with { type: 'json' };
import { indicatorsOf, type IndicatorMatrix, type Rule } from './indicators.js';
import { secondaryDataSchema } from './secondary.js';

type Compiled = ReturnType<Ajv2020['compile']>;
let compiled: { matrix: Compiled; secondary: Compiled } | undefined;

function validators(): { matrix: Compiled; secondary: Compiled } {
  if (!compiled) {
    const ajv = new Ajv2020({ ...AJV_OPTIONS });
    compiled = { matrix: ajv.compile(schema), secondary: ajv.compile(secondaryDataSchema) };
  }
  return compiled;
}

function messages(validate: Compiled): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

function measureRefs(rule: Rule): string[] {
  return rule.kind === 'difference' && 'indicator' in rule.measure ? [rule.measure.indicator] : [];
}

function structuralProblems(matrix: IndicatorMatrix): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const note = (id: string): void => {
    if (seen.has(id)) problems.push(`duplicate id ${id}`);
    seen.add(id);
  };
  for (const d of matrix.dimensions) {
    note(d.id);
    for (const s of d.subDimensions) {
      note(s.id);
      if (!s.id.startsWith(`${d.id}.`)) problems.push(`sub-dimension ${s.id} is not under dimension ${d.id}`);
      for (const i of s.indicators) {
        note(i.id);
        if (!i.id.startsWith(`${s.id}.`)) problems.push(`indicator ${i.id} is not under sub-dimension ${s.id}`);
      }
    }
  }
  const all = indicatorsOf(matrix);
  const byId = new Map(all.map((i) => [i.id, i]));
  for (const i of all) {
    for (const rule of [i.rule, ...(i.alternatives ?? []).map((a) => a.rule)]) {
      for (const ref of measureRefs(rule)) {
        const target = byId.get(ref);
        if (!target) problems.push(`${i.id}: measure refers to unknown indicator ${ref}`);
        else if (target.source !== 'population' || !['share', 'meanOfShares'].includes(target.rule.kind)) {
          problems.push(`${i.id}: measure ${ref} must be a population share or mean of shares`);
        }
      }
    }
    if ((i.source === 'secondary') !== (i.rule.kind === 'secondary')) problems.push(`${i.id}: source ${i.source} does not fit rule ${i.rule.kind}`);
    if (i.default !== (i.confidence === 'U')) problems.push(`${i.id}: default must be true exactly for confidence U`);
  }
  return problems;
}

/** Problems with a matrix, as messages; empty when it is valid. */
export function validateIndicatorMatrix(data: unknown): string[] {
  const { matrix } = validators();
  if (!matrix(data)) return messages(matrix);
  return structuralProblems(data as IndicatorMatrix);
}

/** Problems with a secondary-data payload (unknown keys, missing source or year, negative values); empty when valid. */
export function validateSecondaryData(data: unknown): string[] {
  const { secondary } = validators();
  return secondary(data) ? [] : messages(secondary);
}
